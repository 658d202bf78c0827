/**
 * The compiled backtester: the IR's dataflow graph becomes one generated step function
 * (program.ts); the account follows docs/backtest-semantics.md (broker.ts). One pass over the
 * bars, O(nodes × assets) per bar.
 */
import type { NodeId, StrategyIr } from '../../../../language/src/ir/ir.js';
import { fingerprints } from '../../../../language/src/ir/fingerprint.js';
import { evalScalar } from '../ir-scalar.js';
import { sinkNodes, warmupBars } from '../lookback.js';
import { bindParams } from '../params.js';
import {
    BacktestError, type BacktestOptions, type BacktestResult, type BarData, type Backtester, type EngineEvent,
} from '../types.js';
import { Broker } from './broker.js';
import { compileProgram, FIELDS, type Columns } from './program.js';

export const ENGINE_VERSION = 'compiled-1';

const DIMENSIONLESS_UNITS = new Set(['1', '%', 'bps']);

interface ResolvedAction {
    kind: 'target' | 'flat' | 'market' | 'resting';
    /** Asset index, or −1 for "the asset being evaluated". */
    asset: number;
    size: NodeId;
    quantity: boolean;
    /** +1 long/buy, −1 short/sell (a target multiplies its size by it; an order uses |size|). */
    sign: number;
    type?: 'limit' | 'stop';
    price?: NodeId;
    expire?: NodeId | null;
    flatAssets?: number[];
}

/** The IR with parameter defaults replaced by the run's values: its exact fingerprint identifies the configuration. */
export function withParamValues(ir: StrategyIr, values: Readonly<Record<string, number | boolean>>): StrategyIr {
    return { ...ir, params: ir.params.map(p => ({ ...p, default: values[p.name] ?? p.default })) };
}

export function periodKey(ts: number, schedule: string): number {
    const day = Math.floor(ts / 86_400_000);
    if (schedule === 'daily') return day;
    if (schedule === 'weekly') return Math.floor((day + 3) / 7);
    const d = new Date(ts);
    const y = d.getUTCFullYear(), m = d.getUTCMonth();
    return schedule === 'quarterly' ? y * 4 + Math.floor(m / 3) : y * 12 + m;
}

export class CompiledBacktester implements Backtester {
    run(ir: StrategyIr, data: BarData, options: BacktestOptions = {}): BacktestResult {
        const params = bindParams(ir, options.params);
        const N = ir.universe.length;
        checkData(ir, data);
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
        const leverage = num(setting('risk', 'leverage')?.value, 1);
        const maxPos = setting('risk', 'max_position');
        const maxPosValue = maxPos ? num(maxPos.value, Infinity) : Infinity;
        const ddSetting = setting('risk', 'max_drawdown');
        const maxDd = ddSetting ? num(ddSetting.value, Infinity) : Infinity;
        const ddAction = ddSetting?.action !== null && ddSetting?.action !== undefined ? String(evalScalar(ir, ddSetting.action, params) ?? 'halt') : 'halt';
        const fill = ir.fill;
        const riskNode = (k: string) => setting('risk', k)?.value;
        const isFraction = (id: NodeId | undefined) => id !== undefined && DIMENSIONLESS_UNITS.has(ir.nodes[id]!.unit);

        // ---------------------------------------------------------------- program
        const live = [...sinkNodes(ir)];
        const program = compileProgram({ ir, params, N, aliases, clockMs: ir.timeframe.ms }, live);
        const columns: Columns = [];
        for (const f of FIELDS) for (let a = 0; a < N; a++) columns.push(data.assets[a]![f]);
        program.bind(columns, data.ts);
        const V = program.V;
        const warmup = warmupBars(ir, params);

        const broker = new Broker({
            N, capital, fees, slippage,
            stopIsFraction: isFraction(riskNode('stop_loss')),
            takeIsFraction: isFraction(riskNode('take_profit')),
            trailIsFraction: isFraction(riskNode('trailing_stop')),
        });
        const stopNode = riskNode('stop_loss'), takeNode = riskNode('take_profit'), trailNode = riskNode('trailing_stop');

        const rules = ir.rules.map(r => ({ condition: r.condition, actions: resolveActions(r.actions, aliases) }));
        const portfolio = ir.portfolio && ir.portfolio.allocations.length > 0 ? ir.portfolio : null;
        const schedule = portfolio ? String(evalScalar(ir, portfolio.settings['rebalance']?.value ?? -1, params) ?? 'daily') : 'daily';
        const maxWeight = portfolio?.settings['max_weight'] ? num(portfolio.settings['max_weight'].value, Infinity) : Infinity;
        const weighting = portfolio?.allocations.map(al => {
            const w = evalScalar(ir, al.weighting, params);
            return typeof w === 'string' ? w : 'series';
        });
        const closes = new CloseHistory(N, 21);

        const equity = new Float64Array(T);
        const exposure = new Float64Array(T);
        const events: EngineEvent[] = broker.events;
        const tgtV = new Float64Array(N), tgtQ = new Float64Array(N), addQ = new Float64Array(N);
        let peak = -Infinity, halted = false, warned = false, lastPeriod = NaN, rebalanceStarted = false;
        const progressEvery = options.progressEvery ?? 0;

        const OPEN = data.assets.map(x => x.open), CLOSE = data.assets.map(x => x.close);
        const atOpen = fill === 'next_open', atClose = fill === 'next_close';
        const needCloses = weighting?.includes('inverse_vol') ?? false;
        const pendSet = broker.pendSet, qty = broker.qty, lastClose = broker.lastClose;
        for (let t = 0; t < T; t++) {
            const ts = data.ts[t]!;
            broker.atClose = false;
            // 1. market orders at the open
            if (atOpen) for (let a = 0; a < N; a++) if (pendSet[a]) broker.executePending(t, a, OPEN[a]![t]!);
            // 2. resting orders
            if (broker.resting.length) broker.checkResting(t, ts, data.assets);
            // 3. protective exits
            for (let a = 0; a < N; a++) if (qty[a] !== 0) broker.protect(t, a, data.assets[a]!);
            // 4. fills at the close
            broker.atClose = true;
            if (atClose) for (let a = 0; a < N; a++) if (pendSet[a]) broker.executePending(t, a, CLOSE[a]![t]!);
            // 5. mark to market
            for (let a = 0; a < N; a++) {
                const c = CLOSE[a]![t]!;
                if (c === c) lastClose[a] = c;
            }
            if (needCloses) closes.push(data.assets);
            let E = broker.equity();
            // 6. drawdown: from the highest of the recorded equity[0..t-1] and this mark (`peak` holds
            // only recorded values: a mark before this_close fills never enters the equity curve)
            if (!halted && maxDd !== Infinity) {
                if (E > peak) warned = false;
                const top = E > peak ? E : peak;
                if (top > 0 && (top - E) / top >= maxDd) {
                    if (ddAction === 'warn') {
                        if (!warned) events.push({ bar: t, kind: 'drawdown_warning', message: `drawdown ${pct((top - E) / top)} reached the limit ${pct(maxDd)}` });
                        warned = true;
                    } else {
                        broker.closeAll(t, 'drawdown');
                        broker.cancelAll();
                        events.push({ bar: t, kind: ddAction === 'flatten' ? 'flatten' : 'halt', message: `drawdown ${pct((top - E) / top)} reached the limit ${pct(maxDd)}: ${ddAction === 'flatten' ? 'positions closed' : 'trading halted'}` });
                        if (ddAction !== 'flatten') halted = true;
                        E = broker.equity();
                        peak = E; // a new drawdown is measured from here (else flatten would repeat every bar)
                    }
                }
            }
            // 7. signals
            program.step(t, 0, N);
            for (let a = 0; a < N; a++) {
                if (stopNode !== undefined) broker.riskStop[a] = V[stopNode * N + a]!;
                if (takeNode !== undefined) broker.riskTake[a] = V[takeNode * N + a]!;
                if (trailNode !== undefined) broker.riskTrail[a] = V[trailNode * N + a]!;
            }
            if (t >= warmup && !halted) {
                tgtV.fill(NaN); tgtQ.fill(NaN); addQ.fill(0);
                let any = false;
                if (portfolio) {
                    const key = periodKey(ts, schedule);
                    if (!rebalanceStarted || key !== lastPeriod) {
                        rebalanceStarted = true;
                        this.allocate(portfolio.allocations, weighting!, V, N, closes, maxWeight, tgtV, E);
                        any = true;
                    }
                    lastPeriod = key;
                }
                for (const r of rules) {
                    for (const act of r.actions) {
                        const from = act.asset >= 0 ? act.asset : 0, to = act.asset >= 0 ? act.asset + 1 : N;
                        if (act.kind === 'flat' && act.flatAssets!.length > 0) {
                            for (const fa of act.flatAssets!) if (V[r.condition * N + fa] === 1) { tgtV[fa] = 0; tgtQ[fa] = NaN; any = true; }
                            continue;
                        }
                        for (let a = from; a < to; a++) {
                            if (V[r.condition * N + a] !== 1) continue;
                            if (act.kind === 'flat') { tgtV[a] = 0; tgtQ[a] = NaN; any = true; continue; }
                            const size = V[act.size * N + a]!;
                            if (size !== size) continue;
                            // Targets: long keeps the size's sign, short negates it (`target -50%` is short);
                            // orders: buy buys |size|, sell sells |size|.
                            const signed = act.kind === 'target' ? (act.sign < 0 ? -size : size) : act.sign * Math.abs(size);
                            const close = data.assets[a]!.close[t]!;
                            if (act.kind === 'target') {
                                if (act.quantity) { tgtQ[a] = signed; tgtV[a] = NaN; } else { tgtV[a] = signed * E; tgtQ[a] = NaN; }
                                any = true;
                            } else {
                                const q = act.quantity ? signed : signed * E / close;
                                if (q !== q || !Number.isFinite(q)) continue;
                                if (act.kind === 'market') { addQ[a] = addQ[a]! + q; any = true; continue; }
                                const price = V[act.price! * N + a]!;
                                if (price !== price) continue;
                                let lastBar = Infinity, untilTs = Infinity;
                                if (act.expire !== null && act.expire !== undefined) {
                                    const e = evalScalar(ir, act.expire, params);
                                    if (typeof e === 'number') {
                                        if (ir.nodes[act.expire]!.type.includes('duration')) untilTs = ts + e; else lastBar = t + e;
                                    }
                                }
                                broker.resting.push({ asset: a, qty: q, type: act.type!, price, placedBar: t, lastBar, untilTs });
                            }
                        }
                    }
                }
                if (any) this.place(t, broker, data, tgtV, tgtQ, addQ, E, leverage, maxPos, maxPosValue, fill);
            }
            equity[t] = broker.equity();
            exposure[t] = equity[t] !== 0 ? broker.grossExposure() / equity[t]! : 0;
            if (equity[t]! > peak) peak = equity[t]!;
            // 8. trailing
            for (let a = 0; a < N; a++) if (qty[a] !== 0) broker.updateBest(t, a, data.assets[a]!);
            if (progressEvery > 0 && options.onProgress && (t + 1) % progressEvery === 0) options.onProgress((t + 1) / T);
        }
        if (T > 0) {
            broker.closeAll(T - 1, 'end');
            equity[T - 1] = broker.equity();
            exposure[T - 1] = 0;
        }
        options.onProgress?.(1);
        const fp = fingerprints(withParamValues(ir, params));
        return {
            strategy: ir.strategy,
            equity, exposure,
            fills: broker.fills, trades: broker.trades, events,
            warmupBars: warmup,
            params,
            provenance: { exactFingerprint: fp.exact, structuralFingerprint: fp.structural, dataSnapshot: data.snapshotHash, engineVersion: ENGINE_VERSION, seed: options.seed ?? 0 },
        };
    }

    /** Portfolio weights on a rebalance bar → target values for every asset. */
    private allocate(
        allocations: NonNullable<StrategyIr['portfolio']>['allocations'], weighting: readonly string[], V: Float64Array, N: number,
        closes: CloseHistory, maxWeight: number, tgtV: Float64Array, E: number,
    ): void {
        const w = new Float64Array(N);
        allocations.forEach((al, k) => {
            const raw = new Float64Array(N);
            let total = 0;
            for (let a = 0; a < N; a++) {
                if (V[al.selection * N + a] !== 1) continue;
                let x: number;
                const kind = weighting[k];
                if (kind === 'equal') x = 1;
                else if (kind === 'inverse_vol') { const vol = closes.vol(a); x = vol > 0 ? 1 / vol : NaN; }
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
            tgtV[a] = x * E;
        }
    }

    /** max_position, leverage, then pending orders (or immediate fills with this_close). */
    private place(
        t: number, broker: Broker, data: BarData, tgtV: Float64Array, tgtQ: Float64Array, addQ: Float64Array, E: number,
        leverage: number, maxPos: StrategyIr['risk'][string] | undefined, maxPosValue: number, fill: string,
    ): void {
        const N = tgtV.length;
        let withTarget = 0, without = 0;
        for (let a = 0; a < N; a++) {
            const close = data.assets[a]!.close[t]!;
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
        for (let a = 0; a < N; a++) {
            const hasV = tgtV[a] === tgtV[a], hasQ = tgtQ[a] === tgtQ[a], add = addQ[a]!;
            if (!hasV && !hasQ && add === 0) continue;
            broker.pendSet[a] = 1;
            broker.pendValue[a] = hasV ? tgtV[a]! : NaN;
            broker.pendQty[a] = hasQ ? tgtQ[a]! : NaN;
            broker.pendAdd[a] = add;
            if (fill === 'this_close') broker.executePending(t, a, data.assets[a]!.close[t]!);
        }
    }
}

function clampAbs(x: number, limit: number): number {
    return Math.abs(x) > limit ? Math.sign(x) * limit : x;
}

function pct(x: number): string {
    return `${(x * 100).toFixed(2)}%`;
}

function resolveActions(actions: StrategyIr['rules'][number]['actions'], aliases: ReadonlyMap<string, number>): ResolvedAction[] {
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

function checkData(ir: StrategyIr, data: BarData): void {
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
    for (let t = 1; t < T; t++) {
        if (!(data.ts[t]! > data.ts[t - 1]!)) throw new BacktestError(`data timestamps are not strictly increasing at bar ${t}`);
    }
}

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
