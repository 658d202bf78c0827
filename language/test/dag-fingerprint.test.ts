/**
 * Canonical DAG and fingerprints. Unit cases for each canonicalisation rule, property tests on
 * random strategies (renaming, reordering, reformatting and swapping commutative operands keep
 * both fingerprints; a default value changes only the exact one; an operator changes both),
 * and golden values for every example (UPDATE_GOLDEN=1 rewrites them).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeFileSystem } from 'langium/node';
import { URI } from 'langium';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { services, SMA_CROSS } from './helpers.js';
import { mulberry32 } from '../src/util/prng.js';
import { loadString } from '../src/workspace/load.js';
import {
    canonicalDag, canonicalize, compileStrategy, createAlphaForgeServices, fingerprints, isStrategy,
    loadFiles, serializeDag, type Fingerprints, type StrategyIr,
} from '../src/index.js';

let counter = 0;
async function compile(text: string): Promise<StrategyIr> {
    const { document } = await loadString(services(), text, `memory:///fp/doc${++counter}.af`);
    const s = document.parseResult.value.elements.find(isStrategy);
    if (!s) throw new Error(`no strategy in:\n${text}`);
    const r = compileStrategy(services(), s);
    if (!r.ir) throw new Error(`does not compile: ${r.errors.map(e => `${e.line}:${e.column} ${e.code} ${e.message}`).join('; ')}\n${text}`);
    return r.ir;
}
async function fp(text: string): Promise<Fingerprints> {
    return fingerprints(await compile(text));
}
const wrap = (body: string, header = 'universe: binance:BTC/USDT\n  timeframe: 1h'): string => `strategy T {\n  ${header}\n${body}\n}\n`;

/** Both fingerprints of two texts are equal / differ as stated. */
async function expectFp(a: string, b: string, same: { structural: boolean; exact: boolean }): Promise<void> {
    const [x, y] = [await fp(a), await fp(b)];
    expect({ structural: x.structural === y.structural, exact: x.exact === y.exact }).toEqual(same);
}
const SAME = { structural: true, exact: true };
const VALUES_ONLY = { structural: true, exact: false };
const DIFFERENT = { structural: false, exact: false };

describe('canonical DAG rules', () => {
    it('erases names and drops unused declarations', async () => {
        const a = wrap(`  param n: int = 20 in 10..30 step 5
  feature ma = sma(close, n)
  feature unused = ema(volume, 3)
  signal up = close > ma
  rules { when up => target 50% }`);
        const b = wrap(`  param len: int = 20 in 10..30 step 5
  feature avg = sma(close, len)
  signal rising = close > avg
  rules { when rising => target 50% }`);
        await expectFp(a, b, SAME);
        const dag = canonicalDag(await compile(a));
        expect(dag.nodes.some(n => n.attrs['fn'] === 'ema')).toBe(false);
        expect(JSON.stringify(dag)).not.toMatch(/"(ma|up|n|unused)"/);
    });

    it('normalises > and >= to < and <=', async () => {
        await expectFp(wrap('  rules { when close > open => target 50% }'), wrap('  rules { when open < close => target 50% }'), SAME);
        await expectFp(wrap('  rules { when close >= open => target 50% }'), wrap('  rules { when open <= close => target 50% }'), SAME);
        const dag = canonicalDag(await compile(wrap('  rules { when close > open and close >= high => target 50% }')));
        expect(dag.nodes.map(n => n.op)).not.toContain('gt');
        expect(dag.nodes.map(n => n.op)).not.toContain('ge');
    });

    it('orders commutative inputs: + * and or == != min max', async () => {
        const pairs: [string, string][] = [
            ['close + open', 'open + close'], ['close * 2', '2 * close'], ['min(close, open)', 'min(open, close)'], ['max(high, hl2)', 'max(hl2, high)'],
        ];
        for (const [x, y] of pairs) {
            await expectFp(wrap(`  rules { when ${x} > low => target 50% }`), wrap(`  rules { when ${y} > low => target 50% }`), SAME);
        }
        await expectFp(wrap('  rules { when close > open and high > low or close == open => target 50% }'),
            wrap('  rules { when open == close or low < high and open < close => target 50% }'), SAME);
        // Not commutative: - / and the order of crossover's arguments.
        await expectFp(wrap('  rules { when close - open > 0 => target 50% }'), wrap('  rules { when open - close > 0 => target 50% }'), DIFFERENT);
        await expectFp(wrap('  rules { when crossover(close, open) => target 50% }'), wrap('  rules { when crossover(open, close) => target 50% }'), DIFFERENT);
    });

    it('folds constants', async () => {
        await expectFp(wrap('  risk { stop_loss: 2 * 3 * atr(14) }\n  rules { when close > open => target 50% }'),
            wrap('  risk { stop_loss: 6 * atr(7 + 7) }\n  rules { when close > open => target 50% }'), SAME);
        await expectFp(wrap('  rules { when close[0] > open[1][2] => target 25% * 2 }'), wrap('  rules { when close > open[3] => target 0.5 }'), { structural: false, exact: false });
        // 25% * 2 and 0.5 have different units (1 vs any); with the same unit they are the same node.
        await expectFp(wrap('  rules { when close[0] > open[1][2] => target 25% * 2 }'), wrap('  rules { when close > open[3] => target 50% }'), SAME);
        await expectFp(wrap('  rules { when close > if 1 < 2 then open else high => target 50% }'), wrap('  rules { when close > open => target 50% }'), SAME);
        await expectFp(wrap('  rules { when close > open + abs(-2) * max(1, 3) => target 50% }'), wrap('  rules { when close > open + 6 => target 50% }'), SAME);
        const dag = canonicalDag(await compile(wrap('  rules { when close > open * (1 + 2%) => target 50% }')));
        expect(dag.nodes.find(n => n.op === 'const' && n.attrs['value'] === 1.02)).toBeDefined();
    });

    it('merges common subexpressions and ignores how a fraction is written', async () => {
        const dag = canonicalDag(await compile(wrap(`  feature a = sma(close, 20)
  feature b = sma(close, length=20)
  rules { when a > b => target 50% }`)));
        expect(dag.nodes.filter(n => n.attrs['fn'] === 'sma')).toHaveLength(1);
        const keys = dag.nodes.map(n => JSON.stringify([n.op, n.inputs, n.type, n.unit, n.attrs]));
        expect(new Set(keys).size).toBe(keys.length);
        await expectFp(wrap('  rules { when close > open => target 50% }\n  execution { fees: 10 bps }'),
            wrap('  rules { when close > open => target 50% }\n  execution { fees: 0.1% }'), SAME);
        // An explicit default is the default.
        await expectFp(wrap('  rules { when close > open => target 50% }\n  execution { fees: 10 bps  fill: next_open }'),
            wrap('  rules { when close > open => target 50% }'), SAME);
        await expectFp(wrap('  rules { when close > open => target 50% }\n  execution { fees: 20 bps }'),
            wrap('  rules { when close > open => target 50% }'), VALUES_ONLY);
        await expectFp(wrap('  rules { when close > open => target 50% }\n  execution { fill: next_close }'),
            wrap('  rules { when close > open => target 50% }'), DIFFERENT);
    });

    it('treats a short target as a negative one, but keeps rule order', async () => {
        await expectFp(wrap('  rules { when close > open => target 50% short }'), wrap('  rules { when close > open => target -50% }'), SAME);
        await expectFp(wrap('  rules { when close > open => target 50% short }'), wrap('  rules { when close > open => target 50% }'), VALUES_ONLY);
        await expectFp(wrap('  rules {\n    when close > open => target 50%\n    when close < open => flat\n  }'),
            wrap('  rules {\n    when close < open => flat\n    when close > open => target 50%\n  }'), DIFFERENT);
    });

    it('abstracts values in the structural fingerprint but keeps types, units, functions and fields', async () => {
        const base = wrap('  param n: int = 20 in 10..30 step 5\n  rules { when sma(close, n) > sma(close, 50) => target 50% }\n  risk { stop_loss: 2% }');
        await expectFp(base, base.replace('= 20 in 10..30 step 5', '= 15 in 5..40 step 1'), VALUES_ONLY);
        await expectFp(base, base.replace('50)', '100)'), VALUES_ONLY);
        await expectFp(base, base.replace('2%', '3%'), VALUES_ONLY);
        await expectFp(base, base.replace('timeframe: 1h', 'timeframe: 4h'), VALUES_ONLY);
        await expectFp(base, base.replace('binance:BTC/USDT', 'binance:ETH/USDT'), VALUES_ONLY);
        await expectFp(base, base.replace('sma(close, 50)', 'ema(close, 50)'), DIFFERENT);
        await expectFp(base, base.replace('sma(close, 50)', 'sma(open, 50)'), DIFFERENT);
        await expectFp(base, base.replace('2%', '2 * atr(14)'), DIFFERENT); // a fraction vs a price distance
        await expectFp(base, base.replace(' > ', ' < '), DIFFERENT);
        await expectFp(base, base.replace('param n: int', 'param n: float'), DIFFERENT);
    });

    it('keeps distinct params apart without using their names or order', async () => {
        const a = wrap(`  param p: int = 10 in 5..20 step 5
  param q: int = 10 in 5..20 step 5
  rules { when sma(close, p) > sma(open, q) => target 50% }`);
        const b = wrap(`  param q: int = 10 in 5..20 step 5
  param p: int = 10 in 5..20 step 5
  rules { when sma(close, q) > sma(open, p) => target 50% }`);
        const same = wrap(`  param p: int = 10 in 5..20 step 5
  rules { when sma(close, p) > sma(open, p) => target 50% }`);
        await expectFp(a, b, SAME);
        await expectFp(a, same, DIFFERENT);
        const dag = canonicalDag(await compile(a), 'structural');
        expect(dag.nodes.filter(n => n.op === 'param').map(n => n.attrs['slot']).sort()).toEqual([0, 1]);
    });

    it('keeps constraints on used params only', async () => {
        const a = wrap(`  param fast: int = 10 in 5..50 step 5
  param slow: int = 50 in 20..200 step 10
  param unused: int = 3 in 1..5
  constraint fast < slow
  constraint unused > 1
  rules { when crossover(sma(close, fast), sma(close, slow)) => target 50% }`);
        const dag = canonicalDag(await compile(a));
        expect(dag.constraints).toHaveLength(1);
        await expectFp(a, a.replace('  constraint unused > 1\n', ''), SAME);
        await expectFp(a, a.replace('  constraint fast < slow\n', ''), DIFFERENT);
    });

    it('orders nodes by content: inputs first, deterministic, stable through JSON', async () => {
        const ir = await compile(SMA_CROSS);
        for (const mode of ['exact', 'structural'] as const) {
            const dag = canonicalDag(ir, mode);
            dag.nodes.forEach((n, i) => { expect(n.id).toBe(i); for (const x of n.inputs) expect(x).toBeLessThan(i); });
            expect(serializeDag(canonicalDag(JSON.parse(JSON.stringify(ir)) as StrategyIr, mode))).toBe(serializeDag(dag));
        }
        expect(fingerprints(ir).exact).toMatch(/^[0-9a-f]{64}$/);
        expect(fingerprints(ir).structural).not.toBe(fingerprints(ir).exact);
    });

    it('maps IR nodes to DAG nodes (for names in the dot output)', async () => {
        const ir = await compile(SMA_CROSS);
        const { dag, nodeOf } = canonicalize(ir);
        const fastMa = nodeOf(ir.features['fastMa']!);
        expect(dag.nodes[fastMa!]).toMatchObject({ op: 'call', attrs: { fn: 'sma' } });
    });
});

// ---------------------------------------------------------------------------------- random strategies

/** Price-valued series expressions. */
type F =
    | { k: 'field'; name: string }
    | { k: 'ind'; fn: string; src: F; len: { param: number } | { lit: number } }
    | { k: 'bin'; op: '+' | '-'; l: F; r: F; swap: boolean }
    | { k: 'scale'; x: F; c: string; swap: boolean }
    | { k: 'lag'; x: F; n: number }
    | { k: 'mm'; fn: 'min' | 'max'; l: F; r: F; swap: boolean }
    | { k: 'feat'; i: number };
/** Conditions. */
type S =
    | { k: 'cmp'; op: '<' | '>' | '<=' | '>='; l: F; r: F; flip: boolean }
    | { k: 'cross'; fn: 'crossover' | 'crossunder'; l: F; r: F }
    | { k: 'logic'; op: 'and' | 'or'; l: S; r: S; swap: boolean }
    | { k: 'not'; x: S }
    | { k: 'sig'; i: number };

interface Model {
    params: { type: 'int'; def: number; low: number; high: number }[];
    features: F[];
    signals: S[];
    rules: { signal: number; action: string }[];
    /** Extra members (risk/execution blocks) as text. */
    blocks: string[];
}

function genModel(rnd: () => number): Model {
    const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const params = Array.from({ length: int(1, 4) }, (_, i) => {
        const [low, high] = i === 0 ? [2, 20] : [21, 60];
        return { type: 'int' as const, low, high, def: int(low, high) };
    });
    const genF = (depth: number, features: number): F => {
        const r = rnd();
        if (depth <= 0 || r < 0.2) return features > 0 && rnd() < 0.5 ? { k: 'feat', i: int(0, features - 1) } : { k: 'field', name: pick(['close', 'open', 'high', 'low', 'hl2']) };
        if (r < 0.55) return { k: 'ind', fn: pick(['sma', 'ema', 'wma', 'highest', 'lowest']), src: genF(depth - 1, features), len: rnd() < 0.6 ? { param: int(0, params.length - 1) } : { lit: int(2, 60) } };
        if (r < 0.7) return { k: 'bin', op: pick(['+', '-'] as const), l: genF(depth - 1, features), r: genF(depth - 1, features), swap: rnd() < 0.5 };
        if (r < 0.8) return { k: 'scale', x: genF(depth - 1, features), c: pick(['2', '0.5', '1.5', '3', '98%']), swap: rnd() < 0.5 };
        if (r < 0.9) return { k: 'lag', x: genF(depth - 1, features), n: int(1, 3) };
        return { k: 'mm', fn: pick(['min', 'max'] as const), l: genF(depth - 1, features), r: genF(depth - 1, features), swap: rnd() < 0.5 };
    };
    const features: F[] = [];
    for (let i = 0, n = int(1, 5); i < n; i++) features.push(genF(3, i));
    const genS = (depth: number, signals: number): S => {
        const r = rnd();
        if (signals > 0 && r < 0.15) return { k: 'sig', i: int(0, signals - 1) };
        if (depth <= 0 || r < 0.55) return { k: 'cmp', op: pick(['<', '>', '<=', '>='] as const), l: genF(1, features.length), r: genF(1, features.length), flip: rnd() < 0.5 };
        if (r < 0.7) return { k: 'cross', fn: pick(['crossover', 'crossunder'] as const), l: genF(1, features.length), r: genF(1, features.length) };
        if (r < 0.9) return { k: 'logic', op: pick(['and', 'or'] as const), l: genS(depth - 1, signals), r: genS(depth - 1, signals), swap: rnd() < 0.5 };
        return { k: 'not', x: genS(depth - 1, signals) };
    };
    const signals: S[] = [];
    for (let i = 0, n = int(1, 4); i < n; i++) signals.push(genS(2, i));
    const rules = signals.map((_, i) => ({ signal: i, action: pick(['target 50% long', 'target 30% short', 'flat', 'buy 0.1 limit at close * 0.99 expire 2 bars']) }));
    const blocks = [pick(['risk { stop_loss: 2 * atr(14)  max_drawdown: 20% => halt }', 'risk { take_profit: 3%  trailing_stop: 1.5 * atr(24) }', '']),
        pick(['execution { fill: next_open  fees: 10 bps  slippage: 5 bps }', 'execution { fees: 0.1% }', ''])].filter(Boolean);
    return { params, features, signals, rules, blocks };
}

interface RenderOptions {
    names?: { params: string[]; features: string[]; signals: string[] };
    /** Member order (a permutation of the member indices). */
    order?: number[];
    /** Whitespace between tokens, chosen per separator. */
    space?: () => string;
    constraint?: boolean;
}

function render(m: Model, o: RenderOptions = {}): string {
    const names = o.names ?? { params: m.params.map((_, i) => `p${i}`), features: m.features.map((_, i) => `f${i}`), signals: m.signals.map((_, i) => `s${i}`) };
    const sp = o.space ?? (() => ' ');
    const f = (x: F): string => {
        switch (x.k) {
            case 'field': return x.name;
            case 'feat': return names.features[x.i]!;
            case 'ind': return `${x.fn}(${f(x.src)},${sp()}${'param' in x.len ? names.params[x.len.param] : x.len.lit})`;
            case 'bin': {
                const [l, r] = x.op === '+' && x.swap ? [x.r, x.l] : [x.l, x.r];
                return `(${f(l)}${sp()}${x.op}${sp()}${f(r)})`;
            }
            case 'scale': return x.swap ? `(${x.c}${sp()}*${sp()}${f(x.x)})` : `(${f(x.x)}${sp()}*${sp()}${x.c})`;
            case 'lag': return `(${f(x.x)})[${x.n}]`;
            case 'mm': return `${x.fn}(${f(x.swap ? x.r : x.l)},${sp()}${f(x.swap ? x.l : x.r)})`;
        }
    };
    const flipOp = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as const;
    const s = (x: S): string => {
        switch (x.k) {
            case 'sig': return names.signals[x.i]!;
            case 'cmp': return x.flip ? `(${f(x.r)}${sp()}${flipOp[x.op]}${sp()}${f(x.l)})` : `(${f(x.l)}${sp()}${x.op}${sp()}${f(x.r)})`;
            case 'cross': return `${x.fn}(${f(x.l)},${sp()}${f(x.r)})`;
            case 'logic': return `(${s(x.swap ? x.r : x.l)}${sp()}${x.op}${sp()}${s(x.swap ? x.l : x.r)})`;
            case 'not': return `not${sp()}${s(x.x)}`;
        }
    };
    const members: string[] = [
        'universe: binance:BTC/USDT',
        'timeframe: 1h',
        ...m.params.map((p, i) => `param${sp()}${names.params[i]}:${sp()}${p.type}${sp()}=${sp()}${p.def}${sp()}in${sp()}${p.low}..${p.high}${sp()}step${sp()}1`),
        ...m.features.map((x, i) => `feature${sp()}${names.features[i]}${sp()}=${sp()}${f(x)}`),
        ...m.signals.map((x, i) => `signal${sp()}${names.signals[i]}${sp()}=${sp()}${s(x)}`),
        `rules${sp()}{${sp()}${m.rules.map(r => `when${sp()}${names.signals[r.signal]}${sp()}=>${sp()}${r.action}`).join(sp())}${sp()}}`,
        ...m.blocks,
        ...(o.constraint && m.params.length > 1 ? [`constraint${sp()}${names.params[0]}${sp()}<${sp()}${names.params[1]}`] : []),
    ];
    const order = o.order ?? members.map((_, i) => i);
    return `strategy${sp()}Gen${sp()}{\n${order.map(i => `  ${members[i]}`).join('\n')}\n}\n`;
}

function shuffle<T>(xs: readonly T[], rnd: () => number): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
}

function randomNames(n: number, rnd: () => number, taken: Set<string>): string[] {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const out: string[] = [];
    while (out.length < n) {
        const name = `${letters[Math.floor(rnd() * 26)]}${Array.from({ length: 2 + Math.floor(rnd() * 6) }, () => letters[Math.floor(rnd() * 26)]).join('')}_${Math.floor(rnd() * 100)}`;
        if (!taken.has(name)) { taken.add(name); out.push(name); }
    }
    return out;
}

function memberCount(m: Model, constraint: boolean): number {
    return 3 + m.params.length + m.features.length + m.signals.length + m.blocks.length + (constraint && m.params.length > 1 ? 1 : 0);
}

const RUNS = Number(process.env['FP_RUNS'] ?? 40);
const seedArb = fc.integer({ min: 0, max: 0x7fffffff });

describe('fingerprint properties on random strategies', () => {
    it('renaming, reordering declarations, reformatting and swapping commutative operands keep both fingerprints', async () => {
        await fc.assert(fc.asyncProperty(seedArb, async seed => {
            const rnd = mulberry32(seed);
            const m = genModel(rnd);
            const constraint = rnd() < 0.5;
            const base = await fp(render(m, { constraint }));

            const taken = new Set<string>();
            const names = { params: randomNames(m.params.length, rnd, taken), features: randomNames(m.features.length, rnd, taken), signals: randomNames(m.signals.length, rnd, taken) };
            expect(await fp(render(m, { constraint, names })), 'rename').toEqual(base);

            const order = shuffle(Array.from({ length: memberCount(m, constraint) }, (_, i) => i), rnd);
            expect(await fp(render(m, { constraint, order })), 'reorder').toEqual(base);

            const space = (): string => [' ', '  ', '\n    ', '\t', ' /* c */ ', ' // note\n  '][Math.floor(rnd() * 6)]!;
            expect(await fp(render(m, { constraint, space })), 'whitespace').toEqual(base);

            const swapped = JSON.parse(JSON.stringify(m), (k, v: unknown) => (k === 'swap' || k === 'flip' ? rnd() < 0.5 : v)) as Model;
            expect(await fp(render(swapped, { constraint })), 'swap').toEqual(base);

            expect(await fp(render(swapped, { constraint, names, order, space })), 'all at once').toEqual(base);
        }), { numRuns: RUNS });
    });

    it('changing a used parameter\'s default changes only the exact fingerprint', async () => {
        await fc.assert(fc.asyncProperty(seedArb, async seed => {
            const rnd = mulberry32(seed);
            const m = genModel(rnd);
            const ir = await compile(render(m));
            const dag = canonicalDag(ir);
            // Only params the DAG keeps (used by a rule or setting) can change it.
            const used = m.params.map((_, i) => i).filter(i => canonicalize(ir).nodeOf(ir.params[i]!.node) !== undefined);
            fc.pre(used.length > 0);
            const i = used[Math.floor(rnd() * used.length)]!;
            const p = m.params[i]!;
            const changed: Model = { ...m, params: m.params.map((q, j) => (j === i ? { ...q, def: q.def === q.high ? q.low : q.def + 1 } : q)) };
            const [a, b] = [fingerprints(ir), await fp(render(changed))];
            expect(b.structural).toBe(a.structural);
            expect(b.exact).not.toBe(a.exact);
            expect(dag.nodes.some(n => n.op === 'param' && n.attrs['default'] === p.def)).toBe(true);
        }), { numRuns: RUNS });
    });

    it('changing an operator or function (sma→ema, +→-, min→max, and→or, crossover→crossunder, <→<=) changes both fingerprints', async () => {
        await fc.assert(fc.asyncProperty(seedArb, async seed => {
            const rnd = mulberry32(seed);
            const m = genModel(rnd);
            const base = await fp(render(m));
            // Mutate one node inside a signal: every signal feeds a rule, so the node is live.
            const sites: (() => void)[] = [];
            const visitF = (x: F): void => {
                if (x.k === 'ind') { sites.push(() => { x.fn = x.fn === 'sma' ? 'ema' : 'sma'; }); visitF(x.src); }
                if (x.k === 'bin') { sites.push(() => { x.op = x.op === '+' ? '-' : '+'; }); visitF(x.l); visitF(x.r); }
                if (x.k === 'mm') { sites.push(() => { x.fn = x.fn === 'min' ? 'max' : 'min'; }); visitF(x.l); visitF(x.r); }
                if (x.k === 'scale' || x.k === 'lag') visitF(x.x);
            };
            const visitS = (x: S): void => {
                if (x.k === 'cross') { sites.push(() => { x.fn = x.fn === 'crossover' ? 'crossunder' : 'crossover'; }); visitF(x.l); visitF(x.r); }
                if (x.k === 'logic') { sites.push(() => { x.op = x.op === 'and' ? 'or' : 'and'; }); visitS(x.l); visitS(x.r); }
                if (x.k === 'cmp') { sites.push(() => { x.op = x.op === '<' ? '<=' : x.op === '<=' ? '<' : x.op === '>' ? '>=' : '>'; }); visitF(x.l); visitF(x.r); }
                if (x.k === 'not') visitS(x.x);
            };
            const mutated = JSON.parse(JSON.stringify(m)) as Model;
            mutated.signals.forEach(visitS);
            fc.pre(sites.length > 0);
            const site = Math.floor(rnd() * sites.length);
            sites[site]!();
            const after = await fp(render(mutated));
            // a+b → a-b, min → max on two identical operands (x + x vs x - x) still differ; and/or on identical ones too.
            expect(after.structural, `mutation site ${site}`).not.toBe(base.structural);
            expect(after.exact).not.toBe(base.exact);
        }), { numRuns: RUNS });
    });

    it('flipping < to > changes both fingerprints exactly when the operands differ structurally', async () => {
        await fc.assert(fc.asyncProperty(seedArb, async seed => {
            const rnd = mulberry32(seed);
            const m = genModel(rnd);
            const s0: S = { k: 'cmp', op: '<', l: m.features.length ? { k: 'feat', i: 0 } : { k: 'field', name: 'close' }, r: { k: 'ind', fn: 'sma', src: { k: 'field', name: 'close' }, len: { lit: int(rnd) } }, flip: false };
            const model: Model = { ...m, signals: [s0, ...m.signals.slice(1)] };
            const flipped: Model = { ...model, signals: [{ ...s0, op: '>' }, ...model.signals.slice(1)] };
            const ir = await compile(render(model));
            const [a, b] = [fingerprints(ir), await fp(render(flipped))];
            const cond = ir.nodes[ir.signals['s0']!]!;
            const { nodeOf } = canonicalize(ir, 'structural');
            const differ = nodeOf(cond.inputs[0]!) !== nodeOf(cond.inputs[1]!);
            expect(a.structural !== b.structural).toBe(differ);
            if (differ) expect(a.exact).not.toBe(b.exact);
        }), { numRuns: RUNS });
        function int(rnd: () => number): number { return 2 + Math.floor(rnd() * 50); }
    });
});

// ---------------------------------------------------------------------------------- golden values

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN = join(ROOT, 'language', 'test', 'golden', 'fingerprints.json');

function exampleFiles(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir).sort().flatMap(f => {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) return f === 'bad' ? [] : exampleFiles(p);
        return f.endsWith('.af') ? [p] : [];
    });
}

describe('golden fingerprints of the examples', () => {
    it('match language/test/golden/fingerprints.json (UPDATE_GOLDEN=1 to regenerate)', async () => {
        const fsServices = createAlphaForgeServices(NodeFileSystem).AlphaForge;
        const files = exampleFiles(join(ROOT, 'examples'));
        const docs = await loadFiles(fsServices, files.map(f => URI.file(f)));
        const actual: Record<string, Fingerprints> = {};
        for (const d of docs) {
            for (const s of d.document.parseResult.value.elements.filter(isStrategy)) {
                const r = compileStrategy(fsServices, s);
                if (!r.ir) continue; // examples with errors are not fingerprinted
                actual[`${relative(ROOT, d.document.uri.fsPath).split('\\').join('/')}#${s.name}`] = fingerprints(r.ir);
            }
        }
        expect(Object.keys(actual).length).toBeGreaterThan(0);
        if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(GOLDEN, JSON.stringify(actual, null, 2) + '\n');
        const regenerate = 'UPDATE_GOLDEN=1 npx vitest run language/test/dag-fingerprint.test.ts';
        expect(existsSync(GOLDEN), `no golden file; run ${regenerate}`).toBe(true);
        const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, Fingerprints>;
        expect(Object.keys(actual).sort(), `the examples changed; run ${regenerate}`).toEqual(Object.keys(golden).sort());
        for (const [key, want] of Object.entries(golden)) {
            expect(actual[key], `${key} changed fingerprint; if intended (an algorithm change bumps DAG_VERSION), run ${regenerate}`).toEqual(want);
        }
    });

});
