/**
 * Compiles the dataflow graph of an IR into generated JavaScript that computes, at the close of bar
 * t, the value of every live node for every asset (booleans are 1/0, undefined is NaN).
 *
 * The code is organised for speed: per-asset nodes run in one loop over the assets (a *segment*), in
 * node order, with their values in local variables; only the values read from outside the segment
 * (the roots asked for, inputs of cross-sectional functions, values read after one) are stored in
 * the Float64Array V (slot = node × N + asset). A cross-sectional node ends a segment: it needs every
 * asset's input first. The simplest indicators are generated in line (inline.ts); the others are
 * objects per (node, asset) updated in place. A bar costs O(nodes × assets) with no allocation.
 *
 * `compileGraph` returns the pieces (the backtester inlines them into its bar loop, loop.ts);
 * `compileProgram` wraps them into a stand-alone `step(t, a0, a1)` (panels, resampled inputs).
 *
 * Resampled inputs run on their own clock: the subgraph under `resample(x, tf)` is compiled into a
 * child program over coarse bars built from the fine ones, on a coarse clock shared by all assets;
 * the child steps every asset when a coarse bucket completes.
 */
import type { IrNode, NodeId, StrategyIr } from '../../../../protocol/src/ir.js';
import { evalScalar } from '../ir-scalar.js';
import { BacktestError } from '../types.js';
import { compiledFunction, isCrossSectionalFunction, PackFunctionError } from '../packs/hook.js';
import { keepShape } from './shapes.js';
import { absentColumn, CodeScope, COLUMNS, FIELDS, isAbsentColumn, ONCHAIN_FROM, ONCHAIN_LEVEL, ONCHAIN_TO, type FieldName } from './scope.js';

export { barColumns, FIELDS, type FieldName } from './scope.js';

/** Columns of the program's clock: COLS[f * N + a] is column f of asset a (f in COLUMNS order: the bar fields, then on-chain). */
export type Columns = Float64Array[];

export interface Program {
    readonly N: number;
    readonly V: Float64Array;
    /** Evaluate every live node at bar t for assets a0 … a1−1 (cross-sectional nodes: all assets). */
    readonly step: (t: number, a0: number, a1: number) => void;
    /** Slot of a node for asset a. */
    slot(node: NodeId, a: number): number;
    /** Before the first bar: point the program at its columns. */
    bind(columns: Columns, ts: Float64Array): void;
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

/** Per-asset code (run in a loop over the assets, or once for asset 0 when N = 1), or code run once for all assets. */
export type Segment = { readonly perAsset: true; readonly lines: readonly string[] } | { readonly perAsset: false; readonly line: string };

export interface Graph {
    readonly V: Float64Array;
    readonly scope: CodeScope;
    readonly segments: readonly Segment[];
    /** The resample nodes' state: bound to the columns before the first bar (and released after the last). */
    readonly resamplers: readonly Resampler[];
    /**
     * An expression for node `id`'s value at asset `a` in code that follows `barSource(graph, '0',
     * '1')` in the same block: its constant's name, with one asset its local variable (the
     * segments' values are then variables of the bar: a rule reads the register, not V), else its V slot.
     */
    read(id: NodeId, a: string): string;
    /**
     * The segments again for the steady loop of a backtest (loop.ts), with the steady code of the
     * nodes that have one (CodeScope.steadyForms), and the conditions under which it may run; absent
     * when no node has a steady form.
     */
    readonly steady?: { readonly segments: readonly Segment[]; readonly when: readonly string[] };
}

/**
 * @param live nodes to compute (with their inputs); their values are kept in V.
 * @param scope where the code's names go (shared with the caller's own generated code).
 * @param truthOnly live nodes read only as conditions (is the value 1?), by nothing else: for a
 * comparison or a crossover there, undefined and false are the same, and the code skips telling
 * them apart (a comparison with NaN is false anyway).
 */
export function compileGraph(ctx: CompileContext, live: readonly NodeId[], scope = new CodeScope(ctx.N), truthOnly: ReadonlySet<NodeId> = new Set(), given?: GivenSeries, kept: readonly NodeId[] = live): Graph {
    const { ir, N } = ctx;
    const needed = closure(ir, live, true, given);
    const V = new Float64Array(ir.nodes.length * N).fill(NaN);
    scope.bind('V', V);
    const resamplers: Resampler[] = [];
    const scalar = (id: NodeId) => evalScalar(ir, id, ctx.params);
    const A = scope.asset;

    // Constants (and parameters) are values bound by name, not code: the source stays the same for
    // every parameter set.
    const constName = new Map<NodeId, string>();
    const nodes: IrNode[] = [];
    for (const n of ir.nodes) {
        if (!needed.has(n.id)) continue;
        const constant = scalar(n.id);
        if (n.op === 'const' || n.op === 'param' || n.op === 'enum' || (typeof constant !== 'undefined' && isScalarType(n))) {
            const v = typeof constant === 'boolean' ? (constant ? 1 : 0) : typeof constant === 'number' ? constant : NaN;
            V.fill(v, n.id * N, n.id * N + N);
            constName.set(n.id, scope.bind(`k${n.id}`, v));
        } else {
            nodes.push(n);
        }
    }
    // Segments: a cross-sectional node gets its own; the per-asset nodes between them share one.
    const segOf = new Map<NodeId, number>();
    let seg = 0;
    for (const n of nodes) {
        if (isCrossSectional(n)) { segOf.set(n.id, ++seg); seg++; } else segOf.set(n.id, seg);
    }
    // Values kept in V: the roots asked for (`kept`), and those read from another segment (cross-sectional inputs too).
    const stored = new Set<NodeId>(kept);
    for (const n of nodes) {
        for (const i of n.inputs) if (segOf.has(i) && (segOf.get(i) !== segOf.get(n.id) || isCrossSectional(n))) stored.add(i);
    }

    const segments: Segment[] = [];
    const steadySegments: Segment[] = [];
    let lines: string[] = [], steadyLines: string[] = [];
    for (const n of nodes) {
        if (isCrossSectional(n)) {
            if (lines.length) { segments.push({ perAsset: true, lines }); steadySegments.push({ perAsset: true, lines: steadyLines }); }
            lines = []; steadyLines = [];
            const line = crossSectionalCode(ctx, n, scope);
            segments.push({ perAsset: false, line });
            steadySegments.push({ perAsset: false, line });
            continue;
        }
        const input = (j: number): string => {
            const i = n.inputs[j]!;
            const k = constName.get(i);
            if (k !== undefined) return k;
            return segOf.get(i) === segOf.get(n.id) ? `v${i}` : scope.slot(i, A);
        };
        const out = `v${n.id}`;
        const series = given?.get(n.id);
        const code = series ? givenCode(scope, n.id, series, A, out) : nodeCode({ ctx, n, scope, a: A, input, resamplers, truthOnly: truthOnly.has(n.id) }, out);
        const store = stored.has(n.id) ? ` ${scope.slot(n.id, A)} = ${out};` : '';
        lines.push(`let ${out}; { ${code} }${store}`);
        const steady = series ? undefined : scope.steadyForms.get(n.id);
        steadyLines.push(steady ? `let ${out}; { ${steady.code} }${store}` : lines[lines.length - 1]!);
    }
    if (lines.length) { segments.push({ perAsset: true, lines }); steadySegments.push({ perAsset: true, lines: steadyLines }); }
    const locals = new Set(nodes.filter(n => !isCrossSectional(n)).map(n => n.id));
    const read = (id: NodeId, a: string): string => constName.get(id) ?? (N === 1 && locals.has(id) ? `v${id}` : scope.slot(id, a));
    const when = nodes.filter(n => !given?.has(n.id)).map(n => scope.steadyForms.get(n.id)?.when).filter((w): w is string => w !== undefined);
    return { V, scope, segments, resamplers, read, ...(when.length > 0 ? { steady: { segments: steadySegments, when } } : {}) };
}

/**
 * Series computed before the run, by node (one array per asset, a value per bar): a sweep computes
 * an indicator its trials share once (every `sma(close, 20)` of a grid) and hands it in; the node
 * then reads its value and its inputs are not computed. The values must be the node's own (the
 * caller computes them with this compiler: see engine/shared-series.ts). Which nodes are given is
 * structure, not values, so every trial of a sweep still runs the same generated code.
 */
export type GivenSeries = ReadonlyMap<NodeId, readonly Float64Array[]>;

function givenCode(scope: CodeScope, id: NodeId, series: readonly Float64Array[], a: string, out: string): string {
    if (a === '0') return `${out} = ${scope.bind(`given${id}`, series[0])}[t];`;
    return `${out} = ${scope.bind(`given${id}`, series)}[${a}][t];`;
}

/**
 * The code of one bar: each per-asset segment as a loop from `from` to `to` (expressions), or for
 * asset 0 when N = 1: in line (its `let v…` are variables of the enclosing block, see Graph.read)
 * over the whole range '0'…'1', else guarded.
 */
export function barSource(g: Graph, from: string, to: string, indent = '    ', steady = false): string {
    return (steady && g.steady ? g.steady.segments : g.segments).map(s => {
        if (!s.perAsset) return `${indent}${s.line}`;
        const body = s.lines.map(l => `${indent}  ${l}`).join('\n');
        if (g.scope.N === 1 && from === '0' && to === '1') return body;
        const head = g.scope.N > 1 ? `for (let a = ${from}; a < ${to}; a++) {` : `if (${from} <= 0 && ${to} >= 1) {`;
        return `${indent}${head}\n${body}\n${indent}}`;
    }).join('\n');
}

type ProgramFactory = (env: readonly unknown[]) => { rebind(c: Columns, ts: Float64Array): void; step(t: number, a0: number, a1: number): void };

/** Generated programs by source text: the same structure (another run, another parameter set) reuses V8's optimised code. */
const programCache = new Map<string, ProgramFactory>();

export function compileProgram(ctx: CompileContext, live: readonly NodeId[]): Program {
    const { N } = ctx;
    const g = compileGraph(ctx, live);
    const hoisted = [...g.scope.hoisted.keys()];
    g.scope.finish();
    const src = `"use strict";
${g.scope.bindings().join('\n')}
let C = [], TS = new Float64Array(0)${hoisted.map(h => `, ${h}`).join('')};
return {
  rebind(c, ts) { C = c; TS = ts; ${g.scope.columnAssignments('c').join(' ')} },
  step(t, a0, a1) {
${barSource(g, 'a0', 'a1')}
  }
};`;
    let factory = programCache.get(src);
    if (!factory) {
        // Generated code: the IR is compiled to one specialised step function (see the header).
        factory = new Function('env', src) as ProgramFactory;
        if (programCache.size >= 64) programCache.delete(programCache.keys().next().value!);
        programCache.set(src, factory);
    }
    const made = factory(g.scope.env);
    return {
        N, V: g.V,
        step: made.step,
        slot: (node, a) => node * N + a,
        bind(columns, ts) {
            made.rebind(columns, ts);
            for (const r of g.resamplers) r.bind(columns, ts);
        },
    };
}

function isScalarType(n: IrNode): boolean {
    return n.type.startsWith('scalar');
}

function isCrossSectional(n: IrNode): boolean {
    return n.op === 'call' && isCrossSectionalFunction(n.attrs['fn'] as string);
}

/** The nodes needed to compute `roots` (stopping at resample inputs, which run on their own clock, and at given series). */
export function closure(ir: StrategyIr, roots: readonly NodeId[], stopAtResample: boolean, given?: GivenSeries): Set<NodeId> {
    const seen = new Set<NodeId>();
    const stack = [...roots];
    while (stack.length) {
        const id = stack.pop()!;
        if (seen.has(id)) continue;
        seen.add(id);
        if (given?.has(id)) continue;
        const n = ir.nodes[id]!;
        if (stopAtResample && n.op === 'call' && n.attrs['fn'] === 'resample') {
            for (const i of n.inputs.slice(1)) stack.push(i);
            continue;
        }
        for (const i of n.inputs) stack.push(i);
    }
    return seen;
}

/** What a node's code generator sees. */
interface NodeContext {
    readonly ctx: CompileContext;
    readonly n: IrNode;
    readonly scope: CodeScope;
    /** The asset expression. */
    readonly a: string;
    /** The value of input j at the asset. */
    readonly input: (j: number) => string;
    readonly resamplers: Resampler[];
    /** Only whether the value is 1 matters (see compileGraph). */
    readonly truthOnly: boolean;
}

/** Statements assigning the node's value at the asset to `out`. */
function nodeCode(c: NodeContext, out: string): string {
    const { ctx, n, scope, a } = c;
    const x = c.input;
    switch (n.op) {
        case 'field': {
            const name = n.attrs['name'] as string;
            const alias = n.attrs['asset'] as string | null;
            let asset = a;
            if (alias !== null) {
                const idx = ctx.aliases.get(alias);
                if (idx === undefined) throw new BacktestError(`unknown asset alias '${alias}'`);
                asset = String(idx);
            }
            const col = (f: FieldName) => scope.column(f, asset);
            if (name === 'hl2') return `${out} = (${col('high')} + ${col('low')}) / 2;`;
            if (name === 'hlc3') return `${out} = (${col('high')} + ${col('low')} + ${col('close')}) / 3;`;
            if (!(FIELDS as readonly string[]).includes(name)) throw new BacktestError(`the engine has no field '${name}'`);
            return `${out} = ${col(name as FieldName)};`;
        }
        case 'neg': return `${out} = -${x(0)};`;
        case 'not': return `const v = ${x(0)}; ${out} = v !== v ? NaN : (v === 0 ? 1 : 0);`;
        case 'add': return `${out} = ${x(0)} + ${x(1)};`;
        case 'sub': return `${out} = ${x(0)} - ${x(1)};`;
        case 'mul': return `${out} = ${x(0)} * ${x(1)};`;
        case 'div': return `${out} = ${x(0)} / ${x(1)};`;
        case 'lt': case 'le': case 'gt': case 'ge': case 'eq': case 'ne': {
            const op = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '===', ne: '!==' }[n.op];
            if (c.truthOnly && n.op !== 'ne') return `${out} = ${x(0)} ${op} ${x(1)} ? 1 : 0;`;
            return `const l = ${x(0)}, r = ${x(1)}; ${out} = (l !== l || r !== r) ? NaN : (l ${op} r ? 1 : 0);`;
        }
        case 'and': return `const l = ${x(0)}, r = ${x(1)}; ${out} = (l !== l || r !== r) ? NaN : (l !== 0 && r !== 0 ? 1 : 0);`;
        case 'or': return `const l = ${x(0)}, r = ${x(1)}; ${out} = (l !== l || r !== r) ? NaN : (l !== 0 || r !== 0 ? 1 : 0);`;
        case 'if': return `const c = ${x(0)}; ${out} = c !== c ? NaN : (c !== 0 ? ${x(1)} : ${x(2)});`;
        case 'index': {
            // x[k]: a ring of the last k + 1 values per asset, indexed by the bar.
            const k = evalScalar(ctx.ir, n.inputs[1]!, ctx.params);
            if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) throw new BacktestError(`look-back index must be a whole number ≥ 0, got ${String(k)}`);
            const K = scope.bind(`lag${n.id}`, k), M = scope.bind(`size${n.id}`, k + 1);
            const ring = scope.bind(`ring${n.id}`, new Float64Array(ctx.N * (k + 1)).fill(NaN));
            const at = a === '0' ? '' : `${a} * ${M} + `;
            return `${ring}[${at}t % ${M}] = ${x(0)}; ${out} = t >= ${K} ? ${ring}[${at}(t - ${K}) % ${M}] : NaN;`;
        }
        case 'call': return callCode(c, out);
        default: throw new BacktestError(`the engine cannot evaluate op '${n.op}'`);
    }
}

function callCode(c: NodeContext, out: string): string {
    const { ctx, n, scope, a } = c;
    const { N, ir } = ctx;
    const fn = n.attrs['fn'] as string;
    const x = c.input;
    if (fn === 'resample') {
        const r = resampler(ctx, n);
        c.resamplers.push(r);
        return `${out} = +${scope.bind(`resampler${n.id}`, r)}.value(t, ${a});`;
    }
    // The one hook to the packs (packs/hook.ts): whichever pack contributes fn.
    const { impl, pack, builtIn } = compiledFunction(fn);
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
    if (impl.reads) for (const f of impl.reads) series.push(scope.column(f, a));
    const output = n.attrs['output'] as string | undefined;
    const inline = impl.inline;
    if (inline && (output === undefined || !impl.create)) return inline({ scope, id: n.id, a, truthOnly: c.truthOnly }, out, consts, series);
    if (!impl.create) throw new BacktestError(`pack '${pack}': ${fn}() has no implementation the compiled engine can call`);
    const create = impl.create;
    const made = Array.from({ length: N }, () => (builtIn ? create(consts) : guarded(pack, fn, () => create(consts))));
    keepShape(made[0]!);
    const objects = scope.bind(`ind${n.id}`, made);
    const read = output !== undefined && impl.outputs ? impl.outputs[output] : undefined;
    if (output !== undefined && impl.outputs && !read) throw new BacktestError(`${fn}() has no output '${output}'`);
    const code = read
        ? `const o = ${objects}[${a}]; o.push(${series.join(', ')}); ${out} = +o.${read};`
        : `${out} = +${objects}[${a}].push(${series.join(', ')});`;
    if (builtIn) return code;
    // A pack that does not ship with AlphaForge runs guarded: a throw names the pack and the bar.
    if (!scope.has('packFailure')) scope.bind('packFailure', (p: string, f: string, t: number, e: unknown) => new PackFunctionError(p, f, t, e));
    return `try { ${code} } catch (e) { throw packFailure(${JSON.stringify(pack)}, ${JSON.stringify(fn)}, t, e); }`;
}

function guarded<T>(pack: string, fn: string, f: () => T): T {
    try {
        return f();
    } catch (err) {
        throw new PackFunctionError(pack, fn, undefined, err);
    }
}

/** A cross-sectional function (rank, top_k, …): one call over every asset's input (in V), writing V; k = its first constant argument. */
function crossSectionalCode(ctx: CompileContext, n: IrNode, scope: CodeScope): string {
    const { N, ir } = ctx;
    const fn = n.attrs['fn'] as string;
    const { impl, pack, builtIn } = compiledFunction(fn);
    const j = impl.params.indexOf('const');
    const k = j >= 0 ? evalScalar(ir, n.inputs[j]!, ctx.params) : 0;
    const kernel = scope.bind(`xs${n.id}`, impl.crossSectional);
    const K = scope.bind(`count${n.id}`, typeof k === 'number' ? k : 0);
    const code = `${kernel}(V, ${n.inputs[0]! * N}, ${n.id * N}, ${N}, ${K});`;
    if (builtIn) return code;
    if (!scope.has('packFailure')) scope.bind('packFailure', (p: string, f: string, t: number, e: unknown) => new PackFunctionError(p, f, t, e));
    return `try { ${code} } catch (e) { throw packFailure(${JSON.stringify(pack)}, ${JSON.stringify(fn)}, t, e); }`;
}

/**
 * `resample(x, tf, offset)`: builds coarse bars per asset and steps a child program over them.
 * The value at bar t is x on the coarse bar `offset` buckets before the bucket containing t.
 */
function resampler(ctx: CompileContext, n: IrNode): Resampler {
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
    return new Resampler(N, tf, offset, child, n.inputs[0]!);
}

/**
 * Aggregates fine bars into coarse ones and keeps the child's recent outputs. The coarse clock is
 * shared by all assets: one coarse bar per bucket that holds a bar of the time axis (an asset
 * without a bar in the bucket gets NaN there), so aliased fields and cross-sectional functions
 * inside the resampled expression see every asset at the same coarse bar. A bucket is complete,
 * and the child steps it for all assets at once, at the first fine bar of a later bucket.
 * Its numbers are in a typed array, so its hidden class stays the same from run to run (shapes.ts).
 */
export class Resampler {
    private cols: Columns = [];
    private ts: Float64Array = new Float64Array(0);
    private readonly coarse: Columns = [];
    private coarseTs: Float64Array = new Float64Array(0);
    /** 1 when the fine bars carry on-chain columns (then coarse ones are built). */
    private onchain = 0;
    private readonly history: Float64Array[];
    /** [index of the coarse bar being formed (−1 before the first bar), its bucket, completed coarse bars, the last fine bar seen]. */
    private readonly st = Float64Array.of(-1, NaN, 0, -1);
    /** [bucket length in ms, offset in coarse bars]. */
    private readonly size: Float64Array;

    constructor(private readonly N: number, tf: number, offset: number, private readonly child: Program, private readonly source: NodeId) {
        this.size = Float64Array.of(tf, offset);
        this.history = Array.from({ length: N }, () => new Float64Array(offset).fill(NaN));
    }

    bind(cols: Columns, ts: Float64Array): void {
        this.cols = cols;
        this.ts = ts;
        const cap = ts.length + 2;
        this.coarse.length = 0;
        for (let i = 0; i < FIELDS.length * this.N; i++) this.coarse.push(new Float64Array(cap).fill(NaN));
        // On-chain columns only where the fine bars carry them (most runs do not: no memory, no work).
        const none = absentColumn(cap);
        this.onchain = 0;
        for (let i = FIELDS.length * this.N; i < COLUMNS.length * this.N; i++) {
            const present = cols[i] !== undefined && !isAbsentColumn(cols[i]!);
            if (present) this.onchain = 1;
            this.coarse.push(present ? new Float64Array(cap).fill(NaN) : none);
        }
        this.coarseTs = new Float64Array(cap).fill(NaN);
        this.st.set([-1, NaN, 0, -1]);
        for (const h of this.history) h.fill(NaN);
        this.child.bind(this.coarse, this.coarseTs);
    }

    /** After the last bar: lets go of the columns (so that keeping this object keeps no data). */
    release(): void {
        this.cols = [];
        this.ts = new Float64Array(0);
        this.coarse.length = 0;
        this.coarseTs = new Float64Array(0);
        this.child.bind([], this.coarseTs);
    }

    /** Called for every fine bar t in order (once per asset; the first call of a bar advances all assets). */
    value(t: number, a: number): number {
        const st = this.st;
        if (st[3] !== t) {
            st[3] = t;
            this.advance(t);
        }
        const offset = this.size[1]!, k = offset - 1, filled = st[2]!;
        if (filled <= k) return NaN;
        return this.history[a]![(filled - 1 - k) % offset]!;
    }

    private advance(t: number): void {
        const N = this.N, st = this.st, tf = this.size[0]!;
        const b = Math.floor(this.ts[t]! / tf);
        if (b !== st[1]) {
            if (st[0]! >= 0) this.complete();
            st[1] = b;
            st[0] = st[0]! + 1;
            this.coarseTs[st[0]!] = b * tf;
        }
        const c = st[0]!;
        for (let a = 0; a < N; a++) {
            const o = this.cols[0 * N + a]![t]!;
            if (o !== o) continue; // no bar for this asset
            const h = this.cols[1 * N + a]![t]!, l = this.cols[2 * N + a]![t]!, cl = this.cols[3 * N + a]![t]!, v = this.cols[4 * N + a]![t]!;
            const O = this.coarse[0 * N + a]!, H = this.coarse[1 * N + a]!, L = this.coarse[2 * N + a]!, Cc = this.coarse[3 * N + a]!, Vv = this.coarse[4 * N + a]!;
            const first = O[c] !== O[c];
            if (first) {
                O[c] = o; H[c] = h; L[c] = l; Cc[c] = cl; Vv[c] = v;
            } else {
                if (h > H[c]!) H[c] = h;
                if (l < L[c]!) L[c] = l;
                Cc[c] = cl;
                Vv[c] = Vv[c]! + v;
            }
            // On-chain columns: levels (TVL, gas) keep the last bar's value, flows are summed (data/onchain/align.ts).
            if (this.onchain === 1) for (let f = ONCHAIN_FROM; f < ONCHAIN_TO; f++) {
                const x = this.cols[f * N + a]![t]!, X = this.coarse[f * N + a]!;
                X[c] = first || ONCHAIN_LEVEL[f] === 1 ? x : X[c]! + x;
            }
        }
    }

    private complete(): void {
        const st = this.st, offset = this.size[1]!;
        this.child.step(st[0]!, 0, this.N);
        const filled = st[2]!, slot = filled % offset;
        for (let a = 0; a < this.N; a++) this.history[a]![slot] = this.child.V[this.source * this.N + a]!;
        st[2] = filled + 1;
    }
}
