/**
 * The lookahead check against an independent oracle. Random look-back indices over random params
 * (ranges that cross zero, steps, defaults, a constraint, the defs below) are checked by the
 * compiler; the oracle enumerates every combination a sweep or the default backtest can run and
 * evaluates the index with its own evaluator (written here from the language's rules, not the
 * compiler's). Whenever some combination reads the future, AF101 must fire: no miss, ever. When
 * none does, AF101 firing is a false alarm; grids this small are decided exactly, so none is
 * allowed. A second property holds the interval analysis alone (the bound used when a grid is too
 * large or continuous to enumerate) sound at every grid point, and counts how often its bound
 * says "can be negative" where no point is: under 10% of the generated indices.
 */
import { describe, expect, it } from 'vitest';
import * as ast from '../src/generated/ast.js';
import { rangeOf } from '../src/analysis/constant-eval.js';
import { point } from '../src/analysis/scalar-ops.js';

import { mulberry32 } from '../src/util/prng.js';
import { check } from './helpers.js';

/** An index expression as the generator builds it, printed to source and evaluated by the oracle. */
type Expr =
    | { k: 'lit'; v: number }
    | { k: 'param'; name: string }
    | { k: 'neg'; x: Expr }
    | { k: 'bin'; op: '+' | '-' | '*' | '/'; l: Expr; r: Expr }
    | { k: 'if'; op: '<' | '>' | '<=' | '>=' | '=='; a: Expr; b: Expr; then: Expr; else: Expr }
    | { k: 'fn'; name: 'min' | 'max' | 'abs' | 'clamp' | 'shift' | 'twice' | 'pick'; args: Expr[] };

interface Param { name: string; lo: number; hi: number; step: number; def: number }

const DEFS = [
    'def shift(n: int, k: int): int = n - k',
    'def twice(n: int): int = 2 * n',
    'def pick(n: int, m: int): int = if n > m then m else n',
].join('\n');

const ARITY = { min: 2, max: 2, abs: 1, clamp: 3, shift: 2, twice: 1, pick: 2 } as const;

function print(e: Expr): string {
    switch (e.k) {
        case 'lit': return e.v < 0 ? `(${e.v})` : String(e.v);
        case 'param': return e.name;
        case 'neg': return `-${print(e.x)}`;
        case 'bin': return `(${print(e.l)} ${e.op} ${print(e.r)})`;
        case 'if': return `(if ${print(e.a)} ${e.op} ${print(e.b)} then ${print(e.then)} else ${print(e.else)})`;
        case 'fn': return `${e.name}(${e.args.map(print).join(', ')})`;
    }
}

/** The oracle: a constant is a finite number; an operation without one (x/0, overflow) has no value, and neither has an `if` on a condition without one. */
function evaluate(e: Expr, at: ReadonlyMap<string, number>): number | undefined {
    const fin = (v: number): number | undefined => (Number.isFinite(v) ? v : undefined);
    const all = (xs: Expr[]): number[] | undefined => {
        const vs = xs.map(x => evaluate(x, at));
        return vs.every((v): v is number => v !== undefined) ? vs : undefined;
    };
    switch (e.k) {
        case 'lit': return e.v;
        case 'param': return at.get(e.name);
        case 'neg': { const v = evaluate(e.x, at); return v === undefined ? undefined : -v; }
        case 'bin': {
            const vs = all([e.l, e.r]);
            if (!vs) return undefined;
            const [a, b] = vs as [number, number];
            return fin(e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : a / b);
        }
        case 'if': {
            const vs = all([e.a, e.b]);
            if (!vs) return undefined;
            const [a, b] = vs as [number, number];
            const c = e.op === '<' ? a < b : e.op === '>' ? a > b : e.op === '<=' ? a <= b : e.op === '>=' ? a >= b : a === b;
            return evaluate(c ? e.then : e.else, at);
        }
        case 'fn': {
            const vs = all(e.args);
            if (!vs) return undefined;
            const [a, b, c] = vs as [number, number, number];
            switch (e.name) {
                case 'min': return Math.min(a, b);
                case 'max': return Math.max(a, b);
                case 'abs': return Math.abs(a);
                case 'clamp': return Math.min(Math.max(a, b), c);
                case 'shift': return fin(a - b);
                case 'twice': return fin(2 * a);
                case 'pick': return a > b ? b : a;
            }
        }
    }
}

function generate(rand: () => number) {
    const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
    const pickOf = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const params: Param[] = [];
    for (let i = 0, n = int(1, 3); i < n; i++) {
        const lo = int(-3, 3), step = pickOf([1, 1, 2]), hi = lo + step * int(0, 3);
        params.push({ name: `p${i}`, lo, hi, step, def: lo + step * int(0, (hi - lo) / step) });
    }
    const expr = (depth: number): Expr => {
        const r = rand();
        if (depth === 0 || r < 0.25) return rand() < 0.5 ? { k: 'lit', v: int(-3, 4) } : { k: 'param', name: pickOf(params).name };
        if (r < 0.35) return { k: 'neg', x: expr(depth - 1) };
        if (r < 0.7) return { k: 'bin', op: pickOf(['+', '-', '*', '*', '/'] as const), l: expr(depth - 1), r: expr(depth - 1) };
        if (r < 0.82) return { k: 'if', op: pickOf(['<', '>', '<=', '>=', '=='] as const), a: expr(depth - 1), b: expr(depth - 1), then: expr(depth - 1), else: expr(depth - 1) };
        const name = pickOf(['min', 'max', 'abs', 'clamp', 'shift', 'twice', 'pick'] as const);
        return { k: 'fn', name, args: Array.from({ length: ARITY[name] }, () => expr(depth - 1)) };
    };
    const index = expr(int(1, 3));
    // Sometimes a constraint between two params (the defaults must satisfy it, as AF405 demands).
    const a = params[0]!, b = params[1];
    const constraint = b && rand() < 0.4 && a.def < b.def ? { text: `${a.name} < ${b.name}`, holds: (at: ReadonlyMap<string, number>) => at.get(a.name)! < at.get(b.name)! } : undefined;
    return { params, index, constraint };
}

/** Every combination a sweep (grid values) or the default backtest can run, under the constraint. */
function combinations(params: readonly Param[], holds?: (at: ReadonlyMap<string, number>) => boolean): Map<string, number>[] {
    let out: Map<string, number>[] = [new Map()];
    for (const p of params) {
        const values = new Set<number>([p.def]);
        for (let v = p.lo; v <= p.hi; v += p.step) values.add(v);
        out = out.flatMap(m => [...values].map(v => new Map(m).set(p.name, v)));
    }
    return holds ? out.filter(holds) : out;
}

/** Where the generated value goes: a look-back index (reads ahead below 0) or a resample offset (peeks below 1). */
type Use = 'index' | 'offset';

function source(params: readonly Param[], index: Expr, constraint?: string, use: Use = 'index', continuous = false): string {
    const decls = params.map(p => continuous
        ? `  param ${p.name}: float = ${p.def} in ${p.lo}..${p.hi}`
        : `  param ${p.name}: int = ${p.def} in ${p.lo}..${p.hi}${p.step !== 1 ? ` step ${p.step}` : ''}`);
    const feature = use === 'index' ? `close[${print(index)}]` : `resample(close, 1d, offset=${print(index)})`;
    return `${DEFS}
strategy S {
  universe: binance:BTC/USDT
  timeframe: 1h
${decls.join('\n')}
${constraint ? `  constraint ${constraint}\n` : ''}  feature f = ${feature}
  rules {
    when close > f => target 50% long
  }
}
`;
}

describe('lookahead: the check against an enumerating oracle', () => {
    it('AF101 (index) and AF103 (resample offset) fire whenever some combination of the grid reads ahead, and only then', async () => {
        const rand = mulberry32(20261206);
        let biased = 0, misses = 0, falseAlarms = 0, cannotBound = 0;
        const missed: string[] = [], alarms: string[] = [];
        const CASES = 400;
        for (let i = 0; i < CASES; i++) {
            const { params, index, constraint } = generate(rand);
            // A quarter of the cases put the value in a resample offset (AF103 below 1) instead of an index (AF101 below 0).
            const use: Use = i % 4 === 3 ? 'offset' : 'index';
            const limit = use === 'index' ? 0 : 1;
            const grid = combinations(params, constraint?.holds);
            const future = grid.some(at => { const v = evaluate(index, at); return v !== undefined && v < limit; });
            const text = source(params, index, constraint?.text, use);
            const ds = await check(text);
            const fired = ds.some(d => d.code === (use === 'index' ? 'AF101' : 'AF103'));
            if (ds.some(d => d.code === 'AF104')) cannotBound++;
            if (future) biased++;
            if (future && !fired) { misses++; missed.push(text); }
            if (!future && fired) { falseAlarms++; alarms.push(text); }
        }
        // The generator must produce both kinds, or the property says little.
        expect(biased).toBeGreaterThan(CASES / 5);
        expect(CASES - biased).toBeGreaterThan(CASES / 5);
        expect(missed.slice(0, 3)).toEqual([]);
        expect(misses).toBe(0);
        // Grids of at most 4 values per param are enumerated exactly: no false alarm either.
        expect(alarms.slice(0, 3)).toEqual([]);
        expect(falseAlarms).toBe(0);
        expect(cannotBound).toBe(0);
    }, 60_000);
});

describe('lookahead: continuous params (no grid to enumerate)', () => {
    it('AF101 fires whenever a sampled point of the ranges reads the future', async () => {
        const rand = mulberry32(99);
        let misses = 0, fired = 0, withoutSample = 0;
        const missed: string[] = [];
        const CASES = 200;
        for (let i = 0; i < CASES; i++) {
            const { params, index } = generate(rand);
            // Nine points across each continuous range, and the default.
            const samples = combinations(params.map(p => ({ ...p, step: (p.hi - p.lo) / 8 || 1 })));
            const future = samples.some(at => { const v = evaluate(index, at); return v !== undefined && v < 0; });
            const text = source(params, index, undefined, 'index', true);
            const yes = (await check(text)).some(d => d.code === 'AF101');
            if (yes) fired++;
            if (future && !yes) { misses++; missed.push(text); }
            if (yes && !future) withoutSample++;
        }
        expect(missed.slice(0, 3)).toEqual([]);
        expect(misses).toBe(0);
        expect(fired).toBeGreaterThan(CASES / 5);
        // Fired without a negative sample: the interval bound's over-approximation, or a negative value between
        // samples. Seen: 113 of 200 fire, 6 (3%) of them without a negative sample.
        expect(withoutSample / CASES, `${withoutSample} of ${CASES}`).toBeLessThan(0.1);
    }, 60_000);
});

describe('lookahead: the interval bound alone (large or continuous grids)', () => {
    it('contains the value at every grid point, and says "can be negative" without a negative point rarely (under 10% of indices)', async () => {
        const rand = mulberry32(7);
        let negativeBound = 0, spurious = 0;
        for (let i = 0; i < 300; i++) {
            const { params, index } = generate(rand);
            const text = source(params, index);
            const [parsed] = await parseIndex(text);
            const ranges = new Map(params.map(p => [p.name, { lo: Math.min(p.lo, p.def), hi: Math.max(p.hi, p.def) }]));
            const hooks = (at?: ReadonlyMap<string, number>) => ({
                ref: (r: ast.Ref) => {
                    const t = r.ref?.ref;
                    if (!ast.isParamDecl(t)) return undefined;
                    const v = at?.get(t.name);
                    return v !== undefined ? point(v) : ranges.get(t.name);
                },
            });
            const box = rangeOf(parsed, hooks());
            expect(box, print(index)).toBeDefined();
            let anyNegative = false;
            for (const at of combinations(params)) {
                const v = evaluate(index, at);
                const exact = rangeOf(parsed, hooks(at));
                // On a single point the analysis gives exactly the oracle's value (or no value).
                if (v === undefined) expect(exact && exact.lo <= exact.hi, `${print(index)} at ${[...at]}`).toBeFalsy();
                else expect(exact && exact.lo === v && exact.hi === v, `${print(index)} at ${[...at]}: ${JSON.stringify(exact)} ≠ ${v}`).toBe(true);
                if (v === undefined) continue;
                expect(v, `${print(index)} at ${[...at]} outside ${JSON.stringify(box)}`).toBeGreaterThanOrEqual(box!.lo);
                expect(v).toBeLessThanOrEqual(box!.hi);
                if (v < 0) anyNegative = true;
            }
            if (box!.lo < 0) { negativeBound++; if (!anyNegative) spurious++; }
        }
        // The interval bound forgets which operands are the same param (p0 - p0), so it over-approximates.
        // Seen: 142 of 300 bounds reach below 0, 9 of them (3%) without a negative grid point.
        expect(spurious / 300, `${spurious} spurious of ${negativeBound}`).toBeLessThan(0.1);
        expect(negativeBound).toBeGreaterThan(0);
    }, 60_000);
});

async function parseIndex(text: string): Promise<[ast.Expression]> {
    const { services } = await import('./helpers.js');
    const { loadString } = await import('../src/index.js');
    const { document } = await loadString(services(), text);
    const model = document.parseResult.value as ast.Model;
    const s = model.elements.find(ast.isStrategy)!;
    const f = s.members.find(ast.isFeatureDecl)!;
    return [(f.value as ast.IndexExpr).index];
}
