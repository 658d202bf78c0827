/**
 * The compiled backtester: the IR's dataflow graph (program.ts) and the strategy's rules become one
 * generated bar loop (loop.ts); the account follows docs/backtest-semantics.md (broker.ts), and what
 * happens rarely — sizing targets into orders, portfolio weights, drawdown actions — is the general
 * code of Hooks below. One pass over the bars, O(nodes × assets) per bar.
 */
import type { NodeId, StrategyIr } from '../../../../protocol/src/ir.js';
import { fingerprintDag, type Fingerprints } from '../../../../language/src/ir/fingerprint.js';
import { canonicalDag } from '../../../../language/src/ir/dag.js';
import { evalScalar } from '../ir-scalar.js';
import { checkEngineLimits } from '../limits.js';
import { sinkNodes, warmupBars } from '../lookback.js';
import { bindParams } from '../params.js';
import {
    BacktestError, type BacktestOptions, type BacktestResult, type BarData, type Backtester,
} from '../types.js';
import { Broker } from './broker.js';
import { bindLoop, runBars, type BarStepper, type LoopAction, type LoopHooks } from './loop.js';
import { barColumns, compileGraph, FIELDS, type Columns } from './program.js';
import { exposureFromFills } from './exposure.js';
import { CodeScope } from './scope.js';
import { keepShape } from './shapes.js';

export const ENGINE_VERSION = 'compiled-1';

/** The exposure array of a run whose loop does not record it (never written). */
const EMPTY = new Float64Array(0);

const DIMENSIONLESS_UNITS = new Set(['1', '%', 'bps']);

export interface ResolvedAction extends LoopAction {
    readonly type?: 'limit' | 'stop';
    readonly expire?: NodeId | null;
}

/** The IR with parameter defaults replaced by the run's values: its exact fingerprint identifies the configuration. */
export function withParamValues(ir: StrategyIr, values: Readonly<Record<string, number | boolean>>): StrategyIr {
    return { ...ir, params: ir.params.map(p => ({ ...p, default: values[p.name] ?? p.default })) };
}

/**
 * Fingerprints of an IR object with parameter values, remembered per IR object: hashing the
 * canonical DAG costs as much as a short backtest, and sweeps and benchmarks run one IR many times.
 */
const fingerprintCache = new WeakMap<StrategyIr, { structural: string; readonly exact: Map<string, string> }>();

/**
 * The structural fingerprint abstracts param values (language/src/ir/dag.ts): it is the IR's,
 * whatever the params, and computed once per IR object; the exact one once per params.
 */
function runFingerprints(ir: StrategyIr, params: Readonly<Record<string, number | boolean>>): Fingerprints {
    let cached = fingerprintCache.get(ir);
    const key = JSON.stringify(params);
    let exact = cached?.exact.get(key);
    if (cached && exact !== undefined) return { structural: cached.structural, exact };
    const valued = withParamValues(ir, params);
    if (!cached) fingerprintCache.set(ir, cached = { structural: fingerprintDag(canonicalDag(valued, 'structural')), exact: new Map() });
    exact = fingerprintDag(canonicalDag(valued, 'exact'));
    if (cached.exact.size >= 4096) cached.exact.clear();
    cached.exact.set(key, exact);
    return { structural: cached.structural, exact };
}

export function periodKey(ts: number, schedule: string): number {
    return periodOf(ts, schedule)[0];
}

/** The rebalance period (UTC day, ISO week, month or quarter) holding ts: [key, first ms, end ms). */
function periodOf(ts: number, schedule: string): [number, number, number] {
    const DAY = 86_400_000;
    const day = Math.floor(ts / DAY);
    if (schedule === 'daily') return [day, day * DAY, (day + 1) * DAY];
    if (schedule === 'weekly') {
        const week = Math.floor((day + 3) / 7); // weeks from Monday
        return [week, (week * 7 - 3) * DAY, (week * 7 + 4) * DAY];
    }
    const d = new Date(ts);
    const y = d.getUTCFullYear(), m = d.getUTCMonth();
    if (schedule === 'quarterly') {
        const q = Math.floor(m / 3);
        return [y * 4 + q, Date.UTC(y, 3 * q, 1), Date.UTC(y, 3 * q + 3, 1)];
    }
    return [y * 12 + m, Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1)];
}

export class CompiledBacktester implements Backtester {
    run(ir: StrategyIr, data: BarData, options: BacktestOptions = {}): BacktestResult {
        checkData(ir, data);
        const T = data.ts.length;
        const run = prepareCompiledRun(ir, data, options, false);
        runBars(run.step, T);
        return run.finish(T);
    }
}

/**
 * One compiled run, ready to step: the generated bar loop bound to its account (broker), hooks and
 * output arrays. The backtest steps it over all the bars and calls finish; the streaming engine
 * (execution/streaming.ts) steps it one bar at a time as bars arrive, over columns with room for
 * bars still to come — the same program, so the same semantics.
 */
export interface CompiledRun {
    readonly broker: Broker;
    readonly equity: Float64Array;
    /** Written bar by bar only when prepared with `exposureInLoop` (else the result computes it when read). */
    readonly exposure: Float64Array;
    readonly warmup: number;
    readonly params: Readonly<Record<string, number | boolean>>;
    /** Bars t0 … t1−1 (their data must be in place); state carries over between calls. */
    readonly step: BarStepper;
    /** After the last bar (T bars stepped): closes every position ('end'), releases the data, the result. */
    finish(T: number): BacktestResult;
}

/**
 * Compiles and binds a run over `data` (whose columns may be longer than the bars stepped so far:
 * the loop reads bar t only when stepping t). The caller checks the data (checkData) first.
 * `exposureInLoop`: the loop records exposure every bar (a caller reading it while stepping, as the
 * streaming engine does); without it the result's exposure is computed from the fill log when first
 * read (exposure.ts), the same values, and the bar loop stores equity alone.
 */
export function prepareCompiledRun(ir: StrategyIr, data: BarData, options: BacktestOptions = {}, exposureInLoop = true): CompiledRun {
    {
        const params = bindParams(ir, options.params);
        const N = ir.universe.length;
        const T = data.ts.length;
        const aliases = new Map<string, number>();
        ir.universe.forEach((u, i) => { if (u.alias) aliases.set(u.alias, i); });
        const num = (id: NodeId | undefined, fallback: number): number => {
            if (id === undefined) return fallback;
            const v = evalScalar(ir, id, params);
            return typeof v === 'number' ? v : fallback;
        };
        const setting = (section: 'risk' | 'execution', key: string) => ir[section][key];
        const fees = num(setting('execution', 'fees')?.value, 0.001);
        const slippage = num(setting('execution', 'slippage')?.value, 0.0005);
        const capital = num(setting('execution', 'capital')?.value, 100_000);
        const ddSetting = setting('risk', 'max_drawdown');
        const maxDd = ddSetting ? num(ddSetting.value, Infinity) : Infinity;
        const ddAction = ddSetting?.action !== null && ddSetting?.action !== undefined ? String(evalScalar(ir, ddSetting.action, params) ?? 'halt') : 'halt';
        const riskNode = (k: string) => setting('risk', k)?.value;
        const isFraction = (id: NodeId | undefined) => id !== undefined && DIMENSIONLESS_UNITS.has(ir.nodes[id]!.unit);

        // Before any buffer is allocated: the look-back and the memory the history will take.
        checkEngineLimits(ir, params, options.limits);

        // The graph: node code for the loop, values in V.
        const scope = new CodeScope(N, true);
        // With one asset the rules read the nodes' local variables (Graph.read): V keeps only what the
        // broker and the hooks read (risk levels, portfolio selections and weights), not a store a bar per rule.
        const sinks = sinkNodes(ir);
        const kept = N === 1 ? [...Object.values(ir.risk).map(r => r.value), ...(ir.portfolio?.allocations ?? []).flatMap(al => [al.selection, al.weighting])] : sinks;
        const graph = compileGraph({ ir, params, N, aliases, clockMs: ir.timeframe.ms }, sinks, scope, conditionOnly(ir), options.given, kept);
        const V = graph.V;
        const warmup = warmupBars(ir, params);

        const maxPos = setting('risk', 'max_position');
        // The broker reads the risk values straight from the graph's slots (always the latest close's).
        const stopNode = riskNode('stop_loss'), takeNode = riskNode('take_profit'), trailNode = riskNode('trailing_stop');
        const slots = (node: NodeId | undefined) => (node === undefined ? undefined : V.subarray(node * N, node * N + N));
        const broker = new Broker({
            N, capital, fees, slippage,
            stopIsFraction: isFraction(stopNode),
            takeIsFraction: isFraction(takeNode),
            trailIsFraction: isFraction(trailNode),
            riskStop: slots(stopNode), riskTake: slots(takeNode), riskTrail: slots(trailNode),
            leverage: num(setting('risk', 'leverage')?.value, 1),
            maxPosition: maxPos ? num(maxPos.value, Infinity) : Infinity,
            maxPositionUnits: maxPos?.quantity ?? false,
            ...(options.buffers?.fillRows ? { fillRows: options.buffers.fillRows } : {}),
            ...(options.buffers?.tradeRows ? { tradeRows: options.buffers.tradeRows } : {}),
        });

        const rules = ir.rules.map(r => ({ condition: r.condition, actions: resolveActions(r.actions, aliases) }));
        const portfolio = ir.portfolio && ir.portfolio.allocations.length > 0 ? ir.portfolio : null;
        const weighting = portfolio?.allocations.map(al => {
            const w = evalScalar(ir, al.weighting, params);
            return typeof w === 'string' ? w : 'series';
        }) ?? [];
        const actions = rules.flatMap(r => r.actions);
        const hooks = new Hooks({
            N, data, broker, V, maxDd, ddAction, onProgress: options.onProgress,
            fill: ir.fill,
            leverage: num(setting('risk', 'leverage')?.value, 1),
            maxPos, maxPosValue: maxPos ? num(maxPos.value, Infinity) : Infinity,
            allocations: portfolio?.allocations ?? [], weighting,
            schedule: portfolio ? String(evalScalar(ir, portfolio.settings['rebalance']?.value ?? -1, params) ?? 'daily') : 'daily',
            maxWeight: portfolio?.settings['max_weight'] ? num(portfolio.settings['max_weight'].value, Infinity) : Infinity,
            // Resting orders: the expiry of each action (a constant of the run).
            resting: actions.map(act => {
                if (act.kind !== 'resting') return null;
                const e = act.expire !== null && act.expire !== undefined ? evalScalar(ir, act.expire, params) : undefined;
                const duration = typeof e === 'number' && ir.nodes[act.expire!]!.type.includes('duration');
                return { type: act.type!, bars: typeof e === 'number' && !duration ? e : Infinity, ms: duration ? (e as number) : Infinity };
            }),
        });

        const columns: Columns = [];
        columns.push(...barColumns(data.assets));
        for (const r of graph.resamplers) r.bind(columns, data.ts);
        const reuse = options.buffers && options.buffers.equity.length >= T && options.buffers.exposure.length >= T ? options.buffers : undefined;
        // Every bar writes its equity; exposure only where it is not 0 (see loop.ts record), so a reused one is cleared.
        const equity = reuse ? reuse.equity.subarray(0, T) : new Float64Array(T);
        const exposure = !exposureInLoop ? EMPTY : reuse ? reuse.exposure.subarray(0, T).fill(0) : new Float64Array(T);
        const progressEvery = options.progressEvery ?? 0;
        const step = bindLoop({
            N, fill: ir.fill,
            stop: stopNode !== undefined, take: takeNode !== undefined, trail: trailNode !== undefined,
            trailIsFraction: isFraction(trailNode),
            resting: actions.some(a => a.kind === 'resting'),
            drawdown: maxDd === Infinity ? null : ddAction === 'warn' ? 'warn' : ddAction === 'flatten' ? 'flatten' : 'halt',
            portfolio: portfolio !== null,
            maxPosition: maxPos !== undefined,
            closes: weighting.includes('inverse_vol'),
            rules,
            progress: progressEvery > 0 && options.onProgress !== undefined,
            exposure: exposureInLoop,
        }, graph, {
            B: broker, H: hooks, assets: data.assets, C: columns, TS: data.ts, equity, exposure,
            tgtV: hooks.tgtV, tgtQ: hooks.tgtQ, addQ: hooks.addQ, warmup, leverage: num(setting('risk', 'leverage')?.value, 1), maxDd, progressEvery,
            feeRate: fees, slipRate: slippage,
        });
        const finish = (T: number): BacktestResult => {
            for (const r of graph.resamplers) {
                r.release();
                keepShape(r);
            }
            if (T > 0) {
                broker.closeAll(T - 1, 'end');
                equity[T - 1] = broker.equity();
                if (exposureInLoop) exposure[T - 1] = 0;
            }
            let exposed: Float64Array | undefined = exposureInLoop ? (T === exposure.length ? exposure : exposure.slice(0, T)) : undefined;
            options.onProgress?.(1);
            const fp = options.fingerprints === false ? { exact: '', structural: '' } : runFingerprints(ir, params);
            return {
                strategy: ir.strategy,
                equity: T === equity.length ? equity : equity.slice(0, T),
                // Computed from the fill log when first read (exposure.ts) unless the loop recorded it.
                get exposure() {
                    return exposed ??= exposureFromFills(broker.fillLog, data.assets, equity, T, reuse ? reuse.exposure.subarray(0, T) : new Float64Array(T));
                },
                // Made into objects when first read (fill-log.ts): a sweep's trial or a benchmark never does.
                get fills() { return broker.fills; },
                get trades() { return broker.trades; },
                events: broker.events,
                warmupBars: warmup,
                params,
                provenance: { exactFingerprint: fp.exact, structuralFingerprint: fp.structural, dataSnapshot: data.snapshotHash, engineVersion: ENGINE_VERSION, seed: options.seed ?? 0 },
            };
        };
        return { broker, equity, exposure, warmup, params, step, finish };
    }
}

export interface HooksConfig {
    readonly N: number;
    readonly data: BarData;
    readonly broker: Broker;
    readonly V: Float64Array;
    readonly fill: string;
    readonly leverage: number;
    readonly maxPos: StrategyIr['risk'][string] | undefined;
    readonly maxPosValue: number;
    readonly maxDd: number;
    readonly ddAction: string;
    readonly allocations: NonNullable<StrategyIr['portfolio']>['allocations'];
    /** Per allocation: 'equal', 'inverse_vol' or 'series'. */
    readonly weighting: readonly string[];
    readonly schedule: string;
    readonly maxWeight: number;
    /** Per action (through all the rules): its resting-order type and expiry in bars or ms, or null. */
    readonly resting: readonly ({ type: 'limit' | 'stop'; bars: number; ms: number } | null)[];
    readonly onProgress: ((done: number) => void) | undefined;
}

/** The general path of a bar (what the generated loop calls when something happens): sizing, orders, portfolio, drawdown actions. */
export class Hooks implements LoopHooks {
    /** Targets of the bar being decided (value, quantity; NaN: none) and added market quantities; place() consumes them and leaves them clear. */
    readonly tgtV: Float64Array;
    readonly tgtQ: Float64Array;
    readonly addQ: Float64Array;
    private readonly closes: CloseHistory;
    /** The period of the latest evaluated bar: [key, first ms, end ms) (a date computation per bar is slow). */
    private readonly period = Float64Array.of(NaN, Infinity, -Infinity);
    private rebalanceStarted = false;

    constructor(private readonly c: HooksConfig) {
        this.tgtV = new Float64Array(c.N).fill(NaN);
        this.tgtQ = new Float64Array(c.N).fill(NaN);
        this.addQ = new Float64Array(c.N);
        this.closes = new CloseHistory(c.N, 21);
    }

    /** max_position, leverage, then pending orders (or immediate fills with this_close). */
    place(t: number, E: number): void {
        const { N, broker, data, maxPos, maxPosValue, leverage } = this.c;
        const { tgtV, tgtQ, addQ } = this;
        let withTarget = 0, without = 0;
        for (let a = 0; a < N; a++) {
            const close = data.assets[a]!.close[t]!;
            // No close at the signal bar: no order can be sized, the asset's actions are dropped (it
            // counts below as an asset without a target, at its position's value).
            if (close !== close) { tgtV[a] = NaN; tgtQ[a] = NaN; addQ[a] = 0; }
            const hasV = tgtV[a] === tgtV[a], hasQ = tgtQ[a] === tgtQ[a];
            if (maxPos && (hasV || hasQ)) {
                if (maxPos.quantity) {
                    if (hasQ) tgtQ[a] = clampAbs(tgtQ[a]!, maxPosValue);
                    else tgtV[a] = clampAbs(tgtV[a]!, maxPosValue * close);
                } else if (hasV) {
                    tgtV[a] = clampAbs(tgtV[a]!, maxPosValue * E);
                } else {
                    tgtQ[a] = clampAbs(tgtQ[a]!, (maxPosValue * E) / close);
                }
            }
            if (hasV) withTarget += Math.abs(tgtV[a]!);
            else if (hasQ) withTarget += Math.abs(tgtQ[a]! * close);
            else without += Math.abs(broker.qty[a]! * broker.lastClose[a]!) || 0;
        }
        if (withTarget + without > leverage * E && withTarget > 0) {
            const f = Math.max(0, leverage * E - without) / withTarget;
            for (let a = 0; a < N; a++) { tgtV[a] = tgtV[a]! * f; tgtQ[a] = tgtQ[a]! * f; }
        }
        broker.atClose = true;
        for (let a = 0; a < N; a++) {
            const v = tgtV[a]!, q = tgtQ[a]!, add = addQ[a]!;
            tgtV[a] = NaN; tgtQ[a] = NaN; addQ[a] = 0;
            const hasV = v === v, hasQ = q === q;
            if (!hasV && !hasQ && add === 0) continue;
            broker.pendSet[a] = 1;
            broker.pendValue[a] = hasV ? v : NaN;
            broker.pendQty[a] = hasQ ? q : NaN;
            broker.pendAdd[a] = add;
            if (this.c.fill === 'this_close') broker.executePending(t, a, data.assets[a]!.close[t]!);
        }
    }

    /** A rebalance bar is the first one evaluated, or the first of a new calendar period. */
    rebalance(_t: number, ts: number, E: number): boolean {
        const p = this.period;
        const newPeriod = !(ts >= p[1]! && ts < p[2]!);
        if (newPeriod) p.set(periodOf(ts, this.c.schedule));
        const due = !this.rebalanceStarted || newPeriod;
        if (due) {
            this.rebalanceStarted = true;
            this.allocate(E);
        }
        return due;
    }

    /** Portfolio weights → target values for every asset. */
    private allocate(E: number): void {
        const { N, V, allocations, weighting, maxWeight } = this.c;
        const w = new Float64Array(N);
        allocations.forEach((al, k) => {
            const raw = new Float64Array(N);
            let total = 0;
            for (let a = 0; a < N; a++) {
                if (V[al.selection * N + a] !== 1) continue;
                let x: number;
                const kind = weighting[k];
                if (kind === 'equal') x = 1;
                else if (kind === 'inverse_vol') { const vol = this.closes.vol(a); x = vol > 0 ? 1 / vol : NaN; }
                else { const v = V[al.weighting * N + a]!; x = v > 0 ? v : 0; }
                if (x !== x || !Number.isFinite(x)) continue;
                raw[a] = x;
                total += x;
            }
            if (total <= 0) return;
            const sign = al.side === 'long' ? 1 : -1;
            for (let a = 0; a < N; a++) w[a] = w[a]! + sign * raw[a]! / total;
        });
        for (let a = 0; a < N; a++) {
            let x = w[a]!;
            if (Math.abs(x) > maxWeight) x = Math.sign(x) * maxWeight;
            this.tgtV[a] = x * E;
        }
    }

    rest(k: number, t: number, a: number, q: number, price: number): void {
        if (Number.isNaN(this.c.data.assets[a]!.close[t])) return; // no close at the signal bar: dropped
        const r = this.c.resting[k]!;
        this.c.broker.resting.push({ asset: a, qty: q, type: r.type, price, placedBar: t, lastBar: t + r.bars, untilTs: this.c.data.ts[t]! + r.ms });
    }

    drawdownExit(t: number, E: number, top: number): number {
        const { broker, ddAction } = this.c;
        broker.closeAll(t, 'drawdown');
        broker.cancelAll();
        const flatten = ddAction === 'flatten';
        broker.events.push({ bar: t, kind: flatten ? 'flatten' : 'halt', message: `${this.ddMessage(E, top)}: ${flatten ? 'positions closed' : 'trading halted'}` });
        return broker.equity(); // a new drawdown is measured from here (else flatten would repeat every bar)
    }

    drawdownWarn(t: number, E: number, top: number): void {
        this.c.broker.events.push({ bar: t, kind: 'drawdown_warning', message: this.ddMessage(E, top) });
    }

    liquidate(t: number, E: number): number {
        const { broker } = this.c;
        broker.closeAll(t, 'drawdown');
        broker.cancelAll();
        broker.events.push({ bar: t, kind: 'halt', message: `equity ${E.toFixed(2)} is at or below 0: positions liquidated, trading halted` });
        return broker.equity();
    }

    pushCloses(): void {
        this.closes.push(this.c.data.assets);
    }

    progress(done: number): void {
        this.c.onProgress?.(done);
    }

    private ddMessage(E: number, top: number): string {
        return `drawdown ${pct((top - E) / top)} reached the limit ${pct(this.c.maxDd)}`;
    }
}

function clampAbs(x: number, limit: number): number {
    return Math.abs(x) > limit ? Math.sign(x) * limit : x;
}

function pct(x: number): string {
    return `${(x * 100).toFixed(2)}%`;
}

export function resolveActions(actions: StrategyIr['rules'][number]['actions'], aliases: ReadonlyMap<string, number>): ResolvedAction[] {
    const idx = (alias: string | null): number => {
        if (alias === null) return -1;
        const i = aliases.get(alias);
        if (i === undefined) throw new BacktestError(`unknown asset alias '${alias}'`);
        return i;
    };
    const out: ResolvedAction[] = [];
    for (const act of actions) {
        if (act.kind === 'target') {
            for (const t of act.targets) out.push({ kind: 'target', asset: idx(t.asset), size: t.size, quantity: t.quantity, sign: t.side === 'long' ? 1 : t.side === 'short' ? -1 : 0 });
        } else if (act.kind === 'flat') {
            out.push({ kind: 'flat', asset: -1, size: -1, quantity: false, sign: 0, flatAssets: act.assets.map(idx) });
        } else {
            out.push({
                kind: act.type === 'market' ? 'market' : 'resting', asset: idx(act.asset), size: act.size, quantity: act.quantity,
                sign: act.side === 'buy' ? 1 : -1, type: act.type === 'market' ? undefined : act.type, price: act.price ?? undefined, expire: act.expire,
            });
        }
    }
    return out;
}

/**
 * Nodes read only as conditions — rule conditions and portfolio selections that feed nothing else
 * (no other node, no size, price, weight or risk level): only whether they are 1 matters.
 */
export function conditionOnly(ir: StrategyIr): Set<NodeId> {
    const allocations = ir.portfolio?.allocations ?? [];
    const conditions = [...ir.rules.map(r => r.condition), ...allocations.map(al => al.selection)];
    const other = new Set<NodeId>();
    for (const n of ir.nodes) for (const i of n.inputs) other.add(i);
    for (const r of ir.rules) {
        for (const a of r.actions) {
            if (a.kind === 'target') for (const t of a.targets) other.add(t.size);
            else if (a.kind === 'order') { other.add(a.size); if (a.price !== null) other.add(a.price); }
        }
    }
    for (const al of allocations) other.add(al.weighting);
    for (const setting of Object.values(ir.risk)) other.add(setting.value);
    return new Set(conditions.filter(id => !other.has(id)));
}

/** The data fits the strategy: one column per asset and field, all of the time axis's length, times increasing. */
export function checkData(ir: StrategyIr, data: BarData): void {
    if (data.assets.length !== ir.universe.length) {
        throw new BacktestError(`strategy ${ir.strategy} trades ${ir.universe.length} asset(s) (${ir.universe.map(u => u.id).join(', ')}) but the data has ${data.assets.length}`);
    }
    if (ir.timeframe.ms > 0 && data.timeframeMs !== ir.timeframe.ms) {
        throw new BacktestError(`strategy ${ir.strategy} runs on ${ir.timeframe.text} bars but the data is ${data.timeframeMs / 60_000} min bars; resample the data or change the timeframe`);
    }
    const T = data.ts.length;
    for (const [i, b] of data.assets.entries()) {
        for (const f of FIELDS) {
            if (b[f].length !== T) throw new BacktestError(`data for ${ir.universe[i]!.id}: column ${f} has ${b[f].length} values, expected ${T}`);
        }
    }
    const ts = data.ts;
    if (orderedAxes.get(ts) === T) return;
    for (let t = 1; t < T; t++) {
        if (!(ts[t]! > ts[t - 1]!)) throw new BacktestError(`data timestamps are not strictly increasing at bar ${t}`);
    }
    orderedAxes.set(ts, T);
}

/**
 * Time axes already checked to be strictly increasing, with their length then: a sweep or a
 * benchmark runs many backtests on one BarData, and the check is a pass over every bar (loaded
 * data is never written after loading).
 */
const orderedAxes = new WeakMap<Float64Array, number>();

/** Recent closes per asset, for inverse-volatility weights (population stdev of the last 20 returns). */
class CloseHistory {
    private readonly buf: Float64Array;
    private n = 0;
    constructor(private readonly N: number, private readonly size: number) {
        this.buf = new Float64Array(N * size).fill(NaN);
    }
    push(assets: BarData['assets']): void {
        const slot = this.n % this.size;
        for (let a = 0; a < this.N; a++) this.buf[a * this.size + slot] = assets[a]!.close[this.n]!;
        this.n++;
    }
    vol(a: number): number {
        if (this.n < this.size) return NaN;
        const rets: number[] = [];
        for (let k = this.size - 1; k >= 1; k--) {
            const cur = this.buf[a * this.size + ((this.n - k) % this.size)]!;
            const prev = this.buf[a * this.size + ((this.n - k - 1) % this.size)]!;
            rets.push(cur / prev - 1);
        }
        if (rets.some(r => r !== r)) return NaN;
        const mean = rets.reduce((s, r) => s + r, 0) / rets.length;
        return Math.sqrt(rets.reduce((s, r) => s + (r - mean) * (r - mean), 0) / rets.length);
    }
}

// A Broker and a Hooks for the life of the process (see shapes.ts).
{
    const broker = new Broker({ N: 1, capital: 0.5, fees: 0, slippage: 0, stopIsFraction: false, takeIsFraction: false, trailIsFraction: false });
    const data: BarData = { ts: new Float64Array(0), assets: [], snapshotHash: '', timeframeMs: 0 };
    keepShape(broker);
    keepShape(new Hooks({
        N: 1, data, broker, V: new Float64Array(0), fill: 'next_open', leverage: 1, maxPos: undefined, maxPosValue: Infinity, maxDd: Infinity, ddAction: 'halt',
        allocations: [], weighting: [], schedule: 'daily', maxWeight: Infinity, resting: [], onProgress: undefined,
    }));
}
