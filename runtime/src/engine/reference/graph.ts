/**
 * The dataflow graph of the reference interpreter: the value of every needed IR node, for every
 * asset, at every bar evaluated so far, kept in plain arrays (`values[node][asset][bar]`). Bar t
 * is evaluated after bar t−1, node by node in id order (inputs have smaller ids), from the data of
 * bars ≤ t and the stored values of earlier bars. docs/backtest-semantics.md § Values.
 */
import type { IrNode, NodeId, StrategyIr } from '../../../../protocol/src/ir.js';
import { ONCHAIN_COLUMNS, type OnchainColumn } from '../../../../language/src/catalogue/onchain-pack.js';
import { BacktestError, type AssetBars } from '../types.js';
import * as F from './functions.js';
import { num, type Val } from './functions.js';
import { PackFunctionError, referenceFunction, type ReferenceCall } from '../packs/hook.js';

/** A time axis with one OHLCV column set per asset (the data's bars, or coarse bars for resample). */
export interface Clock {
    readonly ts: ArrayLike<number>;
    readonly assets: readonly AssetBars[];
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/** A bar field or on-chain column of an asset at bars 0 … t; an on-chain column the bars do not carry is undefined throughout. */
function columnOf(bars: AssetBars, f: string, t: number): Val[] {
    const c = (FIELDS as readonly string[]).includes(f) ? bars[f as (typeof FIELDS)[number]] : bars.onchain?.[f as OnchainColumn];
    return c ? Array.from(c.subarray(0, t + 1)) : new Array<Val>(t + 1).fill(NaN);
}

/** Value of a node that does not depend on the bar (constants, params, arithmetic on them). */
export function scalarValue(ir: StrategyIr, id: NodeId, params: Readonly<Record<string, number | boolean>>): Val {
    const n = ir.nodes[id];
    if (!n) throw new BacktestError(`the IR has no node ${id}`);
    if (n.op === 'const' || n.op === 'enum') return n.attrs['value'] as Val;
    if (n.op === 'param') return params[n.attrs['name'] as string];
    if (n.op === 'field' || n.op === 'index') throw new BacktestError(`node ${id} (${n.op}) is a series, not a constant`);
    const args = n.inputs.map(i => scalarValue(ir, i, params));
    return elementwise(n, args);
}

/** Operators and functions that act on one bar's values only. */
function elementwise(n: IrNode, args: readonly Val[]): Val {
    const [x, y, z] = args;
    switch (n.op) {
        case 'neg': return arith(x, 0, v => -v);
        case 'add': return arith(x, y, (a, b) => a + b);
        case 'sub': return arith(x, y, (a, b) => a - b);
        case 'mul': return arith(x, y, (a, b) => a * b);
        case 'div': return arith(x, y, (a, b) => a / b);
        case 'lt': return compare(x, y, (a, b) => a < b);
        case 'le': return compare(x, y, (a, b) => a <= b);
        case 'gt': return compare(x, y, (a, b) => a > b);
        case 'ge': return compare(x, y, (a, b) => a >= b);
        case 'eq': return isUndefined(x) || isUndefined(y) ? undefined : x === y;
        case 'ne': return isUndefined(x) || isUndefined(y) ? undefined : x !== y;
        case 'and': return typeof x === 'boolean' && typeof y === 'boolean' ? x && y : undefined;
        case 'or': return typeof x === 'boolean' && typeof y === 'boolean' ? x || y : undefined;
        case 'not': return typeof x === 'boolean' ? !x : undefined;
        case 'if': return typeof x === 'boolean' ? (x ? y : z) : undefined;
        case 'call': {
            const fn = n.attrs['fn'] as string;
            const { impl, pack, builtIn } = referenceFunction(fn);
            if (!impl.elementwise) throw new BacktestError(`${fn}() is not an elementwise function`);
            return builtIn ? impl.elementwise(args) : guarded(pack, fn, undefined, () => impl.elementwise!(args));
        }
    }
    throw new BacktestError(`the reference interpreter cannot evaluate op '${n.op}'`);
}

function isUndefined(v: Val): boolean {
    return v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

function arith(x: Val, y: Val, f: (a: number, b: number) => number): Val {
    const a = num(x), b = num(y);
    return a === undefined || b === undefined ? undefined : F.defined(f(a, b));
}

function compare(x: Val, y: Val, f: (a: number, b: number) => boolean): Val {
    const a = num(x), b = num(y);
    return a === undefined || b === undefined ? undefined : f(a, b);
}

/** A pack's function called with its errors named (a built-in pack's are the engine's own). */
function guarded<T>(pack: string, fn: string, t: number | undefined, f: () => T): T {
    try {
        return f();
    } catch (err) {
        if (err instanceof BacktestError) throw err;
        throw new PackFunctionError(pack, fn, t, err);
    }
}

export class Graph {
    /** values[node][asset][bar]; only needed nodes are filled. */
    readonly values: Val[][][];
    private readonly needed: readonly IrNode[];
    private readonly N: number;
    /** Resampled sub-graphs, per resample node. */
    private readonly children = new Map<NodeId, Resampled>();
    /** The last copy of each asset's column (columnAt). */
    private readonly columns = new Map<string, { t: number; values: Val[] }>();

    constructor(
        ir: StrategyIr,
        private readonly params: Readonly<Record<string, number | boolean>>,
        private readonly aliases: ReadonlyMap<string, number>,
        private readonly clock: Clock,
        roots: readonly NodeId[],
    ) {
        this.N = clock.assets.length;
        // The nodes the roots depend on, stopping at resample: its source runs on its own clock.
        const need = new Set<NodeId>();
        const visit = (id: NodeId): void => {
            if (need.has(id)) return;
            need.add(id);
            const n = ir.nodes[id]!;
            const resample = n.op === 'call' && n.attrs['fn'] === 'resample';
            n.inputs.forEach((i, k) => { if (!(resample && k === 0)) visit(i); });
            if (resample) this.children.set(id, new Resampled(ir, params, aliases, clock, n));
        };
        roots.forEach(visit);
        this.needed = ir.nodes.filter(n => need.has(n.id));
        this.values = ir.nodes.map(n => (need.has(n.id) ? Array.from({ length: this.N }, () => [] as Val[]) : []));
    }

    value(node: NodeId, t: number, a: number): Val {
        return this.values[node]![a]![t];
    }

    /** Evaluates every needed node at bar t (bars 0 … t−1 must have been evaluated). */
    evaluate(t: number): void {
        for (const n of this.needed) {
            const out = this.values[n.id]!;
            const xs = n.op === 'call' && n.attrs['fn'] !== 'resample' ? referenceFunction(n.attrs['fn'] as string) : undefined;
            if (xs?.impl.crossSectional) {
                const inputs = Array.from({ length: this.N }, (_, a) => this.value(n.inputs[0]!, t, a));
                const consts = n.inputs.slice(1).map(i => this.value(i, t, 0));
                const res = guarded(xs.pack, n.attrs['fn'] as string, t, () => xs.impl.crossSectional!(inputs, consts));
                res.forEach((v, a) => { out[a]![t] = v; });
                continue;
            }
            for (let a = 0; a < this.N; a++) out[a]![t] = this.node(n, t, a);
        }
    }

    private node(n: IrNode, t: number, a: number): Val {
        const arg = (k: number): Val => this.value(n.inputs[k]!, t, a);
        const hist = (k: number): readonly Val[] => this.values[n.inputs[k]!]![a]!;
        switch (n.op) {
            case 'const': case 'enum': return n.attrs['value'] as Val;
            case 'param': return this.params[n.attrs['name'] as string];
            case 'field': return this.field(n, t, a);
            case 'index': {
                const k = arg(1);
                if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) throw new BacktestError(`look-back index must be a whole number ≥ 0, got ${String(k)}`);
                return t - k >= 0 ? hist(0)[t - k] : undefined;
            }
            case 'call': break;
            default: return elementwise(n, n.inputs.map((_, k) => arg(k)));
        }
        const fn = n.attrs['fn'] as string;
        if (fn === 'resample') return this.children.get(n.id)!.value(t, a);
        // The one hook to the packs (packs/hook.ts): whichever pack contributes fn.
        const { impl, pack } = referenceFunction(fn);
        if (impl.series) {
            const call: ReferenceCall = {
                fn, t, arg, hist, output: n.attrs['output'] as string | undefined,
                column: f => this.columnAt(a, f, t),
            };
            return guarded(pack, fn, t, () => impl.series!(call));
        }
        return elementwise(n, n.inputs.map((_, k) => arg(k)));
    }

    /**
     * A column's values at bars 0 … t, copied once per bar: a function scanning back over a window
     * asks for it at every step (the event engine's reference runs thousands of such "bars").
     */
    private columnAt(a: number, f: string, t: number): Val[] {
        const key = `${a} ${f}`;
        const hit = this.columns.get(key);
        if (hit?.t === t) return hit.values;
        const values = columnOf(this.clock.assets[a]!, f, t);
        this.columns.set(key, { t, values });
        return values;
    }

    private field(n: IrNode, t: number, a: number): Val {
        const alias = n.attrs['asset'] as string | null;
        let asset = a;
        if (alias !== null) {
            const i = this.aliases.get(alias);
            if (i === undefined) throw new BacktestError(`unknown asset alias '${alias}'`);
            asset = i;
        }
        const bars = this.clock.assets[asset]!;
        const name = n.attrs['name'] as string;
        const h = bars.high[t]!, l = bars.low[t]!, c = bars.close[t]!;
        if (name === 'hl2') return F.defined((h + l) / 2);
        if (name === 'hlc3') return F.defined((h + l + c) / 3);
        if (!(FIELDS as readonly string[]).includes(name)) throw new BacktestError(`there is no field '${name}'`);
        return F.defined(bars[name as (typeof FIELDS)[number]][t]!);
    }
}

/**
 * `resample(x, tf, offset)`: the coarse bars are the UTC buckets of length tf that contain at
 * least one bar of the clock; an asset's coarse bar aggregates its bars in the bucket (undefined
 * when it has none). x is evaluated on the coarse clock by a graph of its own; at fine bar t the
 * value is x at the coarse bar `offset` places before the one containing t. Coarse bars are
 * evaluated only once complete (when the clock has moved past their bucket).
 */
class Resampled {
    private readonly graph: Graph;
    private readonly source: NodeId;
    private readonly offset: number;
    /** Coarse bar index of each fine bar. */
    private readonly coarseOf: number[] = [];
    private evaluated = 0;

    constructor(ir: StrategyIr, params: Readonly<Record<string, number | boolean>>, aliases: ReadonlyMap<string, number>, fine: Clock, n: IrNode) {
        const tf = scalarValue(ir, n.inputs[1]!, params);
        const offset = scalarValue(ir, n.inputs[2]!, params);
        if (typeof tf !== 'number' || !(tf > 0)) throw new BacktestError(`resample() needs a duration, got ${String(tf)}`);
        if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 1) {
            throw new BacktestError('resample() offset must be a whole number ≥ 1 (offset 0 would read a coarse bar that has not closed)');
        }
        this.offset = offset;
        this.source = n.inputs[0]!;
        const buckets: number[] = [];
        for (let t = 0; t < fine.ts.length; t++) {
            const b = Math.floor(fine.ts[t]! / tf);
            if (buckets.at(-1) !== b) buckets.push(b);
            this.coarseOf.push(buckets.length - 1);
        }
        const M = buckets.length;
        const assets: AssetBars[] = fine.assets.map(bars => {
            const col = () => new Float64Array(M).fill(NaN);
            const c = { open: col(), high: col(), low: col(), close: col(), volume: col() };
            for (let t = 0; t < fine.ts.length; t++) {
                if (Number.isNaN(bars.open[t]!)) continue; // the asset has no bar at t
                const j = this.coarseOf[t]!;
                if (Number.isNaN(c.open[j]!)) {
                    c.open[j] = bars.open[t]!; c.high[j] = bars.high[t]!; c.low[j] = bars.low[t]!; c.close[j] = bars.close[t]!; c.volume[j] = bars.volume[t]!;
                } else {
                    c.high[j] = Math.max(c.high[j]!, bars.high[t]!);
                    c.low[j] = Math.min(c.low[j]!, bars.low[t]!);
                    c.close[j] = bars.close[t]!;
                    c.volume[j] = c.volume[j]! + bars.volume[t]!;
                }
            }
            if (!bars.onchain) return c;
            // On-chain columns: a coarse bar's level (TVL, gas) is its last bar's, its flows the sum of its bars'.
            const onchain: Partial<Record<OnchainColumn, Float64Array>> = {};
            for (const f of ONCHAIN_COLUMNS) {
                const fine = bars.onchain[f];
                if (!fine) continue;
                const x = (onchain[f] = col());
                const level = f === 'dex_tvl' || f === 'gas_price';
                let last = -1;
                for (let t = 0; t < fine.length; t++) {
                    if (Number.isNaN(bars.open[t]!)) continue;
                    const j = this.coarseOf[t]!;
                    x[j] = level || j !== last ? fine[t]! : x[j]! + fine[t]!;
                    last = j;
                }
            }
            return { ...c, onchain };
        });
        this.graph = new Graph(ir, params, aliases, { ts: buckets.map(b => b * tf), assets }, [this.source]);
    }

    value(t: number, a: number): Val {
        const current = this.coarseOf[t]!;
        // Every coarse bar before the current one is complete: evaluate those not evaluated yet.
        while (this.evaluated < current) this.graph.evaluate(this.evaluated++);
        const j = current - this.offset;
        return j >= 0 ? this.graph.value(this.source, j, a) : undefined;
    }
}
