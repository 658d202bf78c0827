/**
 * Indicators shared by a sweep's trials, computed once. In a grid of fast × slow SMA lengths every
 * `sma(close, 20)` is the same series in each of the dozens of trials that use fast = 20: the node
 * depends only on some of the params that vary. Such nodes are computed once per distinct value of
 * the params they depend on and handed to each trial's run (BacktestOptions.given), which then only
 * reads them.
 *
 * The series are made by the engine's own graph compiler (compileProgram) over the same bars, so
 * they are the values the trial would compute itself, bit for bit; the sweep tests compare shared
 * trials with lone backtests for equality. Sharing is only for trials that start at bar 0 of the
 * data (a sweep's, a walk-forward's first window): a series depends on where its bars start.
 *
 * Series are kept by what they compute, not by node: the key is the node's expression with every
 * scalar in it (params, constants, scalar arithmetic) replaced by its value, so `sma(close, fast)`
 * at fast = 20 and `sma(close, slow)` at slow = 20 are one series, computed once. Expressions are
 * compared as written (operand order kept, no algebra): equal keys compute equal values by
 * construction, since the engine generates the same code for them. Memory per worker is bounded by
 * MAX_KEPT_VALUES: past it a series is computed for the trial and not kept.
 *
 * On worker threads the series over all the bars go in shared memory (SeriesStore, planned by the
 * pool from the sweep's params): the first worker that needs one computes it there, and the others
 * read it, so two workers compute each series once between them, as one worker does, instead of
 * once each. A worker that finds a series being computed by another computes its own copy (the same
 * values) rather than wait.
 */
import type { IrNode, NodeId, StrategyIr } from '../../../protocol/src/ir.js';
import { barColumns, compileProgram, closure, type Columns } from './compiled/program.js';
import { evalScalar } from './ir-scalar.js';
import { sinkNodes } from './lookback.js';
import type { ParamSet } from './param-space.js';
import { bindParams } from './params.js';
import type { BarData } from './types.js';

/** Values kept at most per worker (8 bytes each): 256 MB; past it a series is computed but not kept. */
const MAX_KEPT_VALUES = 32 * 1024 * 1024;

/** Which nodes a sweep shares, and the params each depends on. */
export interface SharePlan {
    /** Node → the varying params its value depends on (sorted). */
    readonly nodes: ReadonlyMap<NodeId, readonly string[]>;
}

/**
 * The nodes worth sharing across `sets`: series (not constants or plain fields) whose varying
 * params take fewer distinct values than there are trials (each value is reused at least twice),
 * and only the outermost of them (a shared node read only by shared nodes is computed inside them).
 */
export function planSharing(ir: StrategyIr, sets: readonly ParamSet[]): SharePlan {
    const nodes = new Map<NodeId, readonly string[]>();
    if (sets.length < 2) return { nodes };
    const varying = ir.params.map(p => p.name).filter(name => sets.some(s => s[name] !== sets[0]![name]));
    const paramOf = new Map(ir.params.map(p => [p.node, p.name]));
    // Params each node depends on (through every input, resampled ones included); nodes are in topological order.
    const deps: Set<string>[] = [];
    for (const n of ir.nodes) {
        const d = new Set<string>();
        const own = paramOf.get(n.id);
        if (own !== undefined && varying.includes(own)) d.add(own);
        for (const i of n.inputs) for (const x of deps[i] ?? []) d.add(x);
        deps[n.id] = d;
    }
    const live = closure(ir, [...sinkNodes(ir)], true);
    const candidate = new Set<NodeId>();
    for (const n of ir.nodes) {
        if (!live.has(n.id) || !isComputedSeries(n)) continue;
        const names = [...deps[n.id]!];
        if (names.length === varying.length) continue; // a distinct series per trial: nothing shared
        const distinct = new Set(sets.map(s => names.map(k => String(s[k])).join('\u0000'))).size;
        if (distinct * 2 <= sets.length) candidate.add(n.id);
    }
    // Outermost: a sink, or read by a live node that is not shared.
    const sinks = new Set(sinkNodes(ir));
    const readByUnshared = new Set<NodeId>();
    for (const n of ir.nodes) {
        if (!live.has(n.id) || candidate.has(n.id)) continue;
        for (const i of n.inputs) readByUnshared.add(i);
    }
    for (const id of candidate) if (sinks.has(id) || readByUnshared.has(id)) nodes.set(id, [...deps[id]!].sort());
    return { nodes };
}

/** Values at most in a sweep's shared store (8 bytes each): 64 MB; series past it stay each worker's own. */
const MAX_STORE_VALUES = 8 * 1024 * 1024;

/**
 * Series every worker of a sweep reads from shared memory: each expression key (over all T bars)
 * has a slot of N × T values and a state (EMPTY, BUSY: a worker is computing it, READY).
 */
export interface SeriesStore {
    readonly T: number;
    readonly N: number;
    /** Expression key (as SharedSeries keys series: `${T}|${expressionKey}`) → slot. */
    readonly slots: ReadonlyMap<string, number>;
    readonly values: SharedArrayBuffer;
    /** Int32 per slot. */
    readonly state: SharedArrayBuffer;
}

const EMPTY = 0, BUSY = 1, READY = 2;

/**
 * The store of a sweep's shared series: a slot for each distinct series the trials that run over
 * all the bars will ask for (keys as SharedSeries makes them from the bound params), or undefined
 * when there is nothing to share.
 */
export function planStore(ir: StrategyIr, plan: SharePlan, T: number, sets: readonly ParamSet[]): SeriesStore | undefined {
    if (plan.nodes.size === 0 || T === 0) return undefined;
    const N = ir.universe.length;
    const slots = new Map<string, number>();
    for (const [node, names] of plan.nodes) {
        const seen = new Set<unknown>();
        const one = names.length === 1 ? names[0]! : undefined;
        for (const set of sets) {
            // A node of one param (the usual case) by its value; of several, by their values as text.
            const combo = one !== undefined ? set[one] : names.map(k => valueText(set[k])).join('\u0000');
            if (seen.has(combo)) continue;
            seen.add(combo);
            if ((slots.size + 1) * N * T > MAX_STORE_VALUES) break;
            let key: string;
            try {
                key = `${T}|${expressionKey(ir, node, bindParams(ir, set))}`;
            } catch {
                continue; // params the trial will fail on
            }
            if (!slots.has(key)) slots.set(key, slots.size);
        }
    }
    if (slots.size === 0) return undefined;
    return { T, N, slots, values: new SharedArrayBuffer(slots.size * N * T * 8), state: new SharedArrayBuffer(slots.size * 4) };
}

/** Distinct (node, params) keys remembered per worker; past it keys are rebuilt per trial (the series stay shared). */
const MAX_KEYS = 1 << 16;

/**
 * What a node computes with these params, as text: its op, attributes and type, and its inputs'
 * keys, every scalar input (param, constant, scalar arithmetic) folded to its value. Two nodes with
 * the same key compute the same series over the same bars.
 */
export function expressionKey(ir: StrategyIr, id: NodeId, params: Readonly<Record<string, number | boolean>>, memo = new Map<NodeId, string>()): string {
    const done = memo.get(id);
    if (done !== undefined) return done;
    const n = ir.nodes[id]!;
    let key: string;
    if (n.type.startsWith('scalar') || n.op === 'const' || n.op === 'param' || n.op === 'enum') {
        const v = evalScalar(ir, id, params);
        // A scalar without a value (a param-dependent case the evaluator leaves open) keeps its structure.
        key = v === undefined ? structural(ir, n, params, memo) : `=${typeof v}:${valueText(v)}`;
    } else {
        key = structural(ir, n, params, memo);
    }
    memo.set(id, key);
    return key;
}

/** A value as key text; -0 is not 0 (x / -0 is -Infinity). */
function valueText(v: unknown): string {
    return Object.is(v, -0) ? '-0' : String(v);
}

function structural(ir: StrategyIr, n: IrNode, params: Readonly<Record<string, number | boolean>>, memo: Map<NodeId, string>): string {
    const attrs = Object.keys(n.attrs).sort().map(k => `${k}=${JSON.stringify(n.attrs[k])}`).join(',');
    return `${n.op}<${n.type}>{${attrs}}(${n.inputs.map(i => expressionKey(ir, i, params, memo)).join(';')})`;
}

/** A node whose value is worth computing once: anything but constants, params and plain fields (reading those is as cheap as reading a copy). */
function isComputedSeries(n: IrNode): boolean {
    if (n.type.startsWith('scalar')) return false;
    return n.op !== 'const' && n.op !== 'param' && n.op !== 'enum' && n.op !== 'field';
}

/**
 * The shared series of one worker: made on first use, kept for the trials after. Not thread-safe
 * in any sense that matters: each worker has its own.
 */
export class SharedSeries {
    /** Series by expression key (see the header). */
    private readonly kept = new Map<string, readonly Float64Array[]>();
    /** Node, range and its params' values → expression key (the key is built once per distinct value). */
    private readonly keys = new Map<string, string>();
    private keptValues = 0;
    private readonly columns: Columns = [];
    private readonly state: Int32Array | undefined;

    constructor(private readonly ir: StrategyIr, private readonly data: BarData, private readonly plan: SharePlan, private readonly store?: SeriesStore) {
        this.columns.push(...barColumns(data.assets));
        if (store && (store.T !== data.ts.length || store.N !== ir.universe.length)) throw new Error('a series store of other bars');
        this.state = store ? new Int32Array(store.state) : undefined;
    }

    /** The nodes shared (each trial is given their series). */
    get nodes(): NodeId[] {
        return [...this.plan.nodes.keys()];
    }

    get empty(): boolean {
        return this.plan.nodes.size === 0;
    }

    /**
     * The shared nodes' series for a trial with these (bound) params over bars [0, to), or undefined
     * when there is nothing to share. A node whose series cannot be made (its params are invalid:
     * the trial will fail with its own message) is left to the trial.
     */
    given(params: Readonly<Record<string, number | boolean>>, to: number): Map<NodeId, readonly Float64Array[]> | undefined {
        if (this.plan.nodes.size === 0) return undefined;
        const out = new Map<NodeId, readonly Float64Array[]>();
        for (const [node, names] of this.plan.nodes) {
            const local = `${node}|${to}|${names.map(k => valueText(params[k])).join('\u0000')}`;
            let key = this.keys.get(local);
            if (key === undefined) {
                try {
                    key = `${to}|${expressionKey(this.ir, node, params)}`;
                } catch {
                    continue; // a param the expression cannot take: the trial fails with its own message
                }
                if (this.keys.size < MAX_KEYS) this.keys.set(local, key);
            }
            let series = this.kept.get(key);
            if (!series) {
                try {
                    series = this.fromStore(key, node, params);
                    if (series) {
                        this.kept.set(key, series); // in shared memory: not counted against this worker's bound
                    } else {
                        series = this.compute(node, params, to);
                        const values = series.length * to;
                        if (this.keptValues + values <= MAX_KEPT_VALUES) {
                            this.kept.set(key, series);
                            this.keptValues += values;
                        }
                    }
                } catch {
                    continue;
                }
            }
            out.set(node, series);
        }
        return out.size > 0 ? out : undefined;
    }

    /**
     * The series from the shared store: read when another worker made it, computed into it when no
     * one has; undefined when it has no slot or another worker is computing it.
     */
    private fromStore(key: string, node: NodeId, params: Readonly<Record<string, number | boolean>>): Float64Array[] | undefined {
        const slot = this.store?.slots.get(key);
        if (slot === undefined) return undefined;
        const { values, N, T } = this.store!;
        const state = this.state!;
        const views = Array.from({ length: N }, (_, a) => new Float64Array(values, (slot * N + a) * T * 8, T));
        // Seq-cst: a READY read here sees every value the worker that stored READY wrote before.
        if (Atomics.load(state, slot) === READY) return views;
        if (Atomics.compareExchange(state, slot, EMPTY, BUSY) !== EMPTY) return undefined;
        try {
            this.compute(node, params, T, views);
        } catch (e) {
            Atomics.store(state, slot, EMPTY);
            throw e;
        }
        Atomics.store(state, slot, READY);
        return views;
    }

    /** The node's values at every bar of [0, to) for every asset (into `out` when given): the engine's own code, stepped bar by bar. */
    private compute(node: NodeId, params: Readonly<Record<string, number | boolean>>, to: number, out?: Float64Array[]): Float64Array[] {
        const { ir, data } = this;
        const N = ir.universe.length;
        const aliases = new Map<string, number>();
        ir.universe.forEach((u, i) => { if (u.alias) aliases.set(u.alias, i); });
        const program = compileProgram({ ir, params, N, aliases, clockMs: ir.timeframe.ms }, [node]);
        const columns = to === data.ts.length ? this.columns : this.columns.map(c => c.subarray(0, to));
        program.bind(columns, data.ts.subarray(0, to));
        out ??= Array.from({ length: N }, () => new Float64Array(to));
        const V = program.V, base = node * N;
        for (let t = 0; t < to; t++) {
            program.step(t, 0, N);
            for (let a = 0; a < N; a++) out[a]![t] = V[base + a]!;
        }
        return out;
    }
}
