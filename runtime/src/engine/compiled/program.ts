/**
 * Compiles the dataflow graph of an IR into one JavaScript function `step(t, a0, a1)` that computes,
 * at the close of bar t, the value of every live node for assets a0 … a1−1 into a Float64Array
 * (slot = node × N + asset). Booleans are 1/0, undefined is NaN. Stateful functions (indicators,
 * crossovers, look-back rings) are objects created once per (node, asset) and updated in place,
 * so a bar costs O(nodes × assets) with no allocation.
 *
 * Resampled inputs run on their own clock: the subgraph under `resample(x, tf)` is compiled into a
 * child program over coarse bars built from the fine ones, on a coarse clock shared by all assets;
 * the child steps every asset when a coarse bucket completes.
 */
import type { IrNode, NodeId, StrategyIr } from '../../../../language/src/ir/ir.js';
import { evalScalar } from '../ir-scalar.js';
import { BacktestError } from '../types.js';
import { FUNCTIONS, type FunctionImpl } from '../indicators/index.js';
import { crossSectional } from './cross-sectional.js';

export const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type FieldName = (typeof FIELDS)[number];

/** Columns of the program's clock: COLS[f * N + a] is field f of asset a (f in FIELDS order). */
export type Columns = Float64Array[];

export interface Program {
    readonly N: number;
    readonly V: Float64Array;
    /** Evaluate every live node at bar t for assets a0 … a1−1. */
    readonly step: (t: number, a0: number, a1: number) => void;
    /** Slot of a node for asset a. */
    slot(node: NodeId, a: number): number;
    /** Before the first bar: point the program at its columns. */
    bind(columns: Columns, ts: Float64Array): void;
}

interface Env {
    V: Float64Array;
    C: Columns;
    TS: Float64Array;
    S: unknown[];
    XS: typeof crossSectional;
    N: number;
}

export interface CompileContext {
    readonly ir: StrategyIr;
    readonly params: Readonly<Record<string, number | boolean>>;
    /** Universe size. */
    readonly N: number;
    /** Alias → asset index. */
    readonly aliases: ReadonlyMap<string, number>;
    /** Timeframe of this program's clock in ms. */
    readonly clockMs: number;
}

/**
 * @param live nodes to compute (with their inputs); others are skipped.
 */
export function compileProgram(ctx: CompileContext, live: readonly NodeId[]): Program {
    const { ir, N } = ctx;
    const needed = closure(ir, live, true);
    const V = new Float64Array(ir.nodes.length * N).fill(NaN);
    const S: unknown[] = new Array(ir.nodes.length * N);
    const lines: string[] = [];
    const childBinders: ((c: Columns, ts: Float64Array) => void)[] = [];
    const scalar = (id: NodeId) => evalScalar(ir, id, ctx.params);

    for (const n of ir.nodes) {
        if (!needed.has(n.id)) continue;
        const base = n.id * N;
        const inSlot = (j: number) => `${n.inputs[j]! * N} + a`;
        const constant = scalar(n.id);
        if (n.op === 'const' || n.op === 'param' || n.op === 'enum' || (typeof constant !== 'undefined' && isScalarType(n))) {
            const v = typeof constant === 'boolean' ? (constant ? 1 : 0) : typeof constant === 'number' ? constant : NaN;
            V.fill(v, base, base + N);
            continue;
        }
        const body = nodeCode(ctx, n, inSlot, S, childBinders);
        if (body === undefined) continue;
        if (body.crossSectional) {
            lines.push(`  ${body.code}`);
        } else {
            lines.push(`  for (let a = a0; a < a1; a++) { const i = ${base} + a; ${body.code} }`);
        }
    }
    const src = `"use strict";
const { V, S, XS, N } = env;
let C = env.C, TS = env.TS;
return {
  rebind(c, ts) { C = c; TS = ts; },
  step(t, a0, a1) {
${lines.join('\n')}
  }
};`;
    const env: Env = { V, C: [], TS: new Float64Array(0), S, XS: crossSectional, N };
    // Generated code: the IR is compiled to one specialised step function (see the header).
    const made = new Function('env', src)(env) as { rebind(c: Columns, ts: Float64Array): void; step(t: number, a0: number, a1: number): void };
    return {
        N, V,
        step: made.step,
        slot: (node, a) => node * N + a,
        bind(columns, ts) {
            made.rebind(columns, ts);
            for (const b of childBinders) b(columns, ts);
        },
    };
}

function isScalarType(n: IrNode): boolean {
    return n.type.startsWith('scalar');
}

/** The nodes needed to compute `roots` (stopping at resample inputs, which run on their own clock). */
export function closure(ir: StrategyIr, roots: readonly NodeId[], stopAtResample: boolean): Set<NodeId> {
    const seen = new Set<NodeId>();
    const stack = [...roots];
    while (stack.length) {
        const id = stack.pop()!;
        if (seen.has(id)) continue;
        seen.add(id);
        const n = ir.nodes[id]!;
        if (stopAtResample && n.op === 'call' && n.attrs['fn'] === 'resample') {
            for (const i of n.inputs.slice(1)) stack.push(i);
            continue;
        }
        for (const i of n.inputs) stack.push(i);
    }
    return seen;
}

interface NodeCode {
    code: string;
    crossSectional?: boolean;
}

const FIELD_INDEX: Record<string, number> = { open: 0, high: 1, low: 2, close: 3, volume: 4 };

function nodeCode(ctx: CompileContext, n: IrNode, inSlot: (j: number) => string, S: unknown[], childBinders: ((c: Columns, ts: Float64Array) => void)[]): NodeCode | undefined {
    const { N } = ctx;
    const x = (j: number) => `V[${inSlot(j)}]`;
    switch (n.op) {
        case 'field': {
            const name = n.attrs['name'] as string;
            const alias = n.attrs['asset'] as string | null;
            let asset = 'a';
            if (alias !== null) {
                const idx = ctx.aliases.get(alias);
                if (idx === undefined) throw new BacktestError(`unknown asset alias '${alias}'`);
                asset = String(idx);
            }
            const col = (f: string) => `C[${FIELD_INDEX[f]! * N} + ${asset}][t]`;
            if (name === 'hl2') return { code: `V[i] = (${col('high')} + ${col('low')}) / 2;` };
            if (name === 'hlc3') return { code: `V[i] = (${col('high')} + ${col('low')} + ${col('close')}) / 3;` };
            if (FIELD_INDEX[name] === undefined) throw new BacktestError(`the engine has no field '${name}'`);
            return { code: `V[i] = ${col(name)};` };
        }
        case 'neg': return { code: `V[i] = -${x(0)};` };
        case 'not': return { code: `const v = ${x(0)}; V[i] = v !== v ? NaN : (v === 0 ? 1 : 0);` };
        case 'add': return { code: `V[i] = ${x(0)} + ${x(1)};` };
        case 'sub': return { code: `V[i] = ${x(0)} - ${x(1)};` };
        case 'mul': return { code: `V[i] = ${x(0)} * ${x(1)};` };
        case 'div': return { code: `V[i] = ${x(0)} / ${x(1)};` };
        case 'lt': case 'le': case 'gt': case 'ge': case 'eq': case 'ne': {
            const op = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '===', ne: '!==' }[n.op];
            return { code: `const l = ${x(0)}, r = ${x(1)}; V[i] = (l !== l || r !== r) ? NaN : (l ${op} r ? 1 : 0);` };
        }
        case 'and': return { code: `const l = ${x(0)}, r = ${x(1)}; V[i] = (l !== l || r !== r) ? NaN : (l !== 0 && r !== 0 ? 1 : 0);` };
        case 'or': return { code: `const l = ${x(0)}, r = ${x(1)}; V[i] = (l !== l || r !== r) ? NaN : (l !== 0 || r !== 0 ? 1 : 0);` };
        case 'if': return { code: `const c = ${x(0)}; V[i] = c !== c ? NaN : (c !== 0 ? ${x(1)} : ${x(2)});` };
        case 'index': {
            const k = evalScalar(ctx.ir, n.inputs[1]!, ctx.params);
            if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) throw new BacktestError(`look-back index must be a whole number ≥ 0, got ${String(k)}`);
            if (k === 0) return { code: `V[i] = ${x(0)};` };
            const size = k + 1;
            for (let a = 0; a < N; a++) S[n.id * N + a] = new Float64Array(size).fill(NaN);
            return { code: `const r = S[i]; r[t % ${size}] = ${x(0)}; V[i] = t >= ${k} ? r[(t - ${k}) % ${size}] : NaN;` };
        }
        case 'call': return callCode(ctx, n, inSlot, S, childBinders);
        default: throw new BacktestError(`the engine cannot evaluate op '${n.op}'`);
    }
}

function callCode(ctx: CompileContext, n: IrNode, inSlot: (j: number) => string, S: unknown[], childBinders: ((c: Columns, ts: Float64Array) => void)[]): NodeCode {
    const { N, ir } = ctx;
    const fn = n.attrs['fn'] as string;
    const x = (j: number) => `V[${inSlot(j)}]`;
    switch (fn) {
        case 'abs': return { code: `V[i] = Math.abs(${x(0)});` };
        case 'log': return { code: `V[i] = Math.log(${x(0)});` };
        case 'sqrt': return { code: `V[i] = Math.sqrt(${x(0)});` };
        case 'sign': return { code: `V[i] = Math.sign(${x(0)});` };
        case 'min': return { code: `const l = ${x(0)}, r = ${x(1)}; V[i] = (l !== l || r !== r) ? NaN : (l < r ? l : r);` };
        case 'max': return { code: `const l = ${x(0)}, r = ${x(1)}; V[i] = (l !== l || r !== r) ? NaN : (l > r ? l : r);` };
        case 'clamp': return { code: `const v = ${x(0)}, lo = ${x(1)}, hi = ${x(2)}; V[i] = (v !== v || lo !== lo || hi !== hi) ? NaN : (v < lo ? lo : v > hi ? hi : v);` };
        case 'rank': case 'xs_zscore': case 'top_k': case 'bottom_k': {
            const k = fn === 'top_k' || fn === 'bottom_k' ? evalScalar(ir, n.inputs[1]!, ctx.params) : 0;
            return { code: `XS.${fn}(V, ${n.inputs[0]! * N}, ${n.id * N}, N, ${typeof k === 'number' ? k : 0});`, crossSectional: true };
        }
        case 'resample': return resampleCode(ctx, n, S, childBinders);
    }
    const impl: FunctionImpl | undefined = FUNCTIONS[fn];
    if (!impl) throw new BacktestError(`the engine has no implementation of ${fn}()`);
    const consts: number[] = [];
    const series: string[] = [];
    impl.params.forEach((kind, j) => {
        if (kind === 'const') {
            const v = evalScalar(ir, n.inputs[j]!, ctx.params);
            if (typeof v !== 'number') throw new BacktestError(`${fn}(): argument ${j + 1} must be a constant`);
            consts.push(v);
        } else {
            series.push(x(j));
        }
    });
    if (impl.reads) for (const f of impl.reads) series.push(`C[${FIELD_INDEX[f]! * N} + a][t]`);
    for (let a = 0; a < N; a++) S[n.id * N + a] = impl.create(consts);
    const output = n.attrs['output'] as string | undefined;
    const read = output !== undefined && impl.outputs ? impl.outputs[output] : undefined;
    if (output !== undefined && impl.outputs && !read) throw new BacktestError(`${fn}() has no output '${output}'`);
    return read
        ? { code: `const o = S[i]; o.push(${series.join(', ')}); V[i] = o.${read};` }
        : { code: `V[i] = S[i].push(${series.join(', ')});` };
}

/**
 * `resample(x, tf, offset)`: builds coarse bars per asset and steps a child program over them.
 * The value at bar t is x on the coarse bar `offset` buckets before the bucket containing t.
 */
function resampleCode(ctx: CompileContext, n: IrNode, S: unknown[], childBinders: ((c: Columns, ts: Float64Array) => void)[]): NodeCode {
    const { ir, N } = ctx;
    const tf = evalScalar(ir, n.inputs[1]!, ctx.params);
    const offset = evalScalar(ir, n.inputs[2]!, ctx.params);
    if (typeof tf !== 'number' || tf <= ctx.clockMs || tf % ctx.clockMs !== 0) {
        throw new BacktestError(`resample() needs a whole multiple of the timeframe above it, got ${String(tf)} ms on ${ctx.clockMs} ms bars`);
    }
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 1) {
        throw new BacktestError('resample() offset must be a whole number ≥ 1 (offset 0 would read a coarse bar that has not closed)');
    }
    const child = compileProgram({ ...ctx, clockMs: tf }, [n.inputs[0]!]);
    const source = n.inputs[0]!;
    const resampler = new Resampler(N, tf, offset, child, source);
    childBinders.push((cols, ts) => resampler.bind(cols, ts));
    S[n.id * N] = resampler;
    return { code: `V[i] = S[${n.id * N}].value(t, a);` };
}

/**
 * Aggregates fine bars into coarse ones and keeps the child's recent outputs. The coarse clock is
 * shared by all assets: one coarse bar per bucket that holds a bar of the time axis (an asset
 * without a bar in the bucket gets NaN there), so aliased fields and cross-sectional functions
 * inside the resampled expression see every asset at the same coarse bar. A bucket is complete,
 * and the child steps it for all assets at once, at the first fine bar of a later bucket.
 */
class Resampler {
    private cols: Columns = [];
    private ts: Float64Array = new Float64Array(0);
    private readonly coarse: Columns = [];
    private coarseTs: Float64Array = new Float64Array(0);
    /** Index of the coarse bar being formed (−1 before the first bar). */
    private current = -1;
    private bucket = NaN;
    private readonly history: Float64Array[];
    /** Number of completed coarse bars. */
    private filled = 0;
    private lastT = -1;

    constructor(private readonly N: number, private readonly tf: number, private readonly offset: number, private readonly child: Program, private readonly source: NodeId) {
        this.history = Array.from({ length: N }, () => new Float64Array(offset).fill(NaN));
    }

    bind(cols: Columns, ts: Float64Array): void {
        this.cols = cols;
        this.ts = ts;
        const cap = ts.length + 2;
        this.coarse.length = 0;
        for (let i = 0; i < FIELDS.length * this.N; i++) this.coarse.push(new Float64Array(cap).fill(NaN));
        this.coarseTs = new Float64Array(cap).fill(NaN);
        this.current = -1;
        this.bucket = NaN;
        this.filled = 0;
        this.lastT = -1;
        for (const h of this.history) h.fill(NaN);
        this.child.bind(this.coarse, this.coarseTs);
    }

    /** Called for every fine bar t in order (once per asset; the first call of a bar advances all assets). */
    value(t: number, a: number): number {
        if (this.lastT !== t) {
            this.lastT = t;
            this.advance(t);
        }
        const k = this.offset - 1;
        if (this.filled <= k) return NaN;
        return this.history[a]![(this.filled - 1 - k) % this.offset]!;
    }

    private advance(t: number): void {
        const N = this.N;
        const b = Math.floor(this.ts[t]! / this.tf);
        if (b !== this.bucket) {
            if (this.current >= 0) this.complete();
            this.bucket = b;
            this.current++;
            this.coarseTs[this.current] = b * this.tf;
        }
        const c = this.current;
        for (let a = 0; a < N; a++) {
            const o = this.cols[0 * N + a]![t]!;
            if (o !== o) continue; // no bar for this asset
            const h = this.cols[1 * N + a]![t]!, l = this.cols[2 * N + a]![t]!, cl = this.cols[3 * N + a]![t]!, v = this.cols[4 * N + a]![t]!;
            const O = this.coarse[0 * N + a]!, H = this.coarse[1 * N + a]!, L = this.coarse[2 * N + a]!, Cc = this.coarse[3 * N + a]!, Vv = this.coarse[4 * N + a]!;
            if (O[c] !== O[c]) {
                O[c] = o; H[c] = h; L[c] = l; Cc[c] = cl; Vv[c] = v;
            } else {
                if (h > H[c]!) H[c] = h;
                if (l < L[c]!) L[c] = l;
                Cc[c] = cl;
                Vv[c] = Vv[c]! + v;
            }
        }
    }

    private complete(): void {
        this.child.step(this.current, 0, this.N);
        const slot = this.filled % this.offset;
        for (let a = 0; a < this.N; a++) this.history[a]![slot] = this.child.V[this.source * this.N + a]!;
        this.filled++;
    }
}
