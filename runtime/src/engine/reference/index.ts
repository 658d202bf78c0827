/**
 * The reference interpreter: docs/backtest-semantics.md made executable, written independently
 * of the compiled engine and as plainly as possible. Each bar follows the eight steps of the
 * spec in order; the dataflow graph is evaluated node by node (graph.ts) with every indicator
 * recomputed from its history (functions.ts); the account books fills and trades (account.ts).
 * Slow (O(window) or O(bars) per node and bar) and meant to be: the differential tests check the
 * compiled engine against it.
 */
import type { IrAction, NodeId, StrategyIr } from '../../../../protocol/src/ir.js';
import { fingerprints } from '../../../../language/src/ir/fingerprint.js';
import { warmupBars } from '../lookback.js';
import { bindParams } from '../params.js';
import {
    BacktestError, type BacktestOptions, type BacktestResult, type BarData, type Backtester, type EngineEvent, type Fill,
} from '../types.js';
import { Account } from './account.js';
import { num, popStdev } from './functions.js';
import { Graph, scalarValue } from './graph.js';

export const REFERENCE_ENGINE_VERSION = 'reference-1';

/** A market order waiting for its fill: a target (value for fraction targets, or units) plus added units. */
interface Pending {
    readonly value?: number;
    readonly units?: number;
    readonly add: number;
}

/** A limit or stop order resting in the book. */
interface Resting {
    readonly asset: number;
    readonly qty: number;
    readonly type: 'limit' | 'stop';
    readonly price: number;
    /** Active for bars ≤ lastBar and while ts < untilTs. */
    readonly lastBar: number;
    readonly untilTs: number;
}

/** Protective levels of an open position, fixed by its opening fill. */
interface Levels {
    readonly stop?: number;
    readonly take?: number;
    /** Trailing distance: a fraction of the best price or a price distance. */
    readonly trail?: { readonly size: number; readonly fraction: boolean };
    /** Best price since the entry (highest high for longs, lowest low for shorts), from bars before the current one. */
    best: number;
    /** First bar whose high/low count for the best price: the fill's bar for fills at the open or intrabar, the next one for fills at the close. */
    readonly fromBar: number;
}

/** A target position for one asset: a fraction of equity or a number of units. */
type Target = { readonly fraction: number } | { readonly units: number };

const DIMENSIONLESS = new Set(['1', '%', 'bps']);
const DUST = 1e-9;

export class ReferenceBacktester implements Backtester {
    run(ir: StrategyIr, data: BarData, options: BacktestOptions = {}): BacktestResult {
        const params = bindParams(ir, options.params);
        checkData(ir, data);
        return new Run(ir, data, params).result(options);
    }
}

/** One backtest: the state of the account and the order book through the bars. */
class Run {
    private readonly N: number;
    private readonly T: number;
    private readonly aliases = new Map<string, number>();
    private readonly graph: Graph;
    private readonly account: Account;
    private readonly warmup: number;
    // settings
    private readonly fill: string;
    private readonly leverage: number;
    private readonly maxPosition: { readonly value: number; readonly units: boolean } | undefined;
    private readonly maxDrawdown: number | undefined;
    private readonly drawdownAction: string;
    private readonly risk: { readonly stop?: NodeId; readonly take?: NodeId; readonly trail?: NodeId };
    // state
    private pending: (Pending | undefined)[];
    private resting: Resting[] = [];
    private readonly levels: (Levels | undefined)[];
    /** The latest bar whose close has been evaluated (risk values for new positions come from it). */
    private evaluatedBar = -1;
    /** Whether the bar has reached its close (steps 4–8): positions opened then do not see the bar's range. */
    private atClose = false;
    private peak = -Infinity;
    private warned = false;
    private halted = false;
    private readonly events: EngineEvent[] = [];
    private readonly equity: Float64Array;
    private readonly exposure: Float64Array;

    constructor(private readonly ir: StrategyIr, private readonly data: BarData, private readonly params: Record<string, number | boolean>) {
        this.N = ir.universe.length;
        this.T = data.ts.length;
        ir.universe.forEach((u, i) => { if (u.alias) this.aliases.set(u.alias, i); });
        const constant = (id: NodeId | undefined, fallback: number): number => {
            const v = id === undefined ? undefined : num(scalarValue(ir, id, params));
            return v ?? fallback;
        };
        this.fill = ir.fill;
        this.leverage = constant(ir.risk['leverage']?.value, 1);
        const mp = ir.risk['max_position'];
        this.maxPosition = mp ? { value: constant(mp.value, Infinity), units: mp.quantity } : undefined;
        const dd = ir.risk['max_drawdown'];
        this.maxDrawdown = dd ? constant(dd.value, Infinity) : undefined;
        this.drawdownAction = dd?.action !== null && dd?.action !== undefined ? String(scalarValue(ir, dd.action, params)) : 'halt';
        this.risk = { stop: ir.risk['stop_loss']?.value, take: ir.risk['take_profit']?.value, trail: ir.risk['trailing_stop']?.value };
        this.account = new Account(
            this.N,
            constant(ir.execution['capital']?.value, 100_000),
            constant(ir.execution['fees']?.value, 0.001),
            constant(ir.execution['slippage']?.value, 0.0005),
        );
        this.graph = new Graph(ir, params, this.aliases, data, rootsOf(ir));
        this.warmup = warmupBars(ir, params);
        this.pending = new Array<Pending | undefined>(this.N).fill(undefined);
        this.levels = new Array<Levels | undefined>(this.N).fill(undefined);
        this.equity = new Float64Array(this.T);
        this.exposure = new Float64Array(this.T);
    }

    result(options: BacktestOptions): BacktestResult {
        const { T, account } = this;
        for (let t = 0; t < T; t++) {
            this.bar(t);
            if (options.progressEvery && options.onProgress && (t + 1) % options.progressEvery === 0) options.onProgress((t + 1) / T);
        }
        if (T > 0) {
            // After the last bar: close what is open at the last defined close; pending orders are dropped.
            this.closeAll(T - 1, 'end');
            this.record(T - 1);
        }
        options.onProgress?.(1);
        const withValues: StrategyIr = { ...this.ir, params: this.ir.params.map(p => ({ ...p, default: this.params[p.name] ?? p.default })) };
        const fp = fingerprints(withValues);
        return {
            strategy: this.ir.strategy,
            equity: this.equity, exposure: this.exposure,
            fills: account.fills, trades: account.trades, events: this.events,
            warmupBars: this.warmup,
            params: this.params,
            provenance: {
                exactFingerprint: fp.exact, structuralFingerprint: fp.structural, dataSnapshot: this.data.snapshotHash,
                engineVersion: REFERENCE_ENGINE_VERSION, seed: options.seed ?? 0,
            },
        };
    }

    // ------------------------------------------------------------------ one bar, step by step

    private bar(t: number): void {
        const { N, data, account } = this;
        this.atClose = false;
        // 1. Market orders at the open.
        if (this.fill === 'next_open') {
            for (let a = 0; a < N; a++) if (this.pending[a]) this.executePending(t, a, data.assets[a]!.open[t]!);
        }
        // 2. Resting limit and stop orders, in the order they were placed.
        this.resting = this.resting.filter(order => !this.tryResting(t, order));
        // 3. Protective exits.
        for (let a = 0; a < N; a++) if (account.position[a] !== 0) this.protect(t, a);
        // 4. Market orders at the close.
        this.atClose = true;
        if (this.fill === 'next_close') {
            for (let a = 0; a < N; a++) if (this.pending[a]) this.executePending(t, a, data.assets[a]!.close[t]!);
        }
        // 5. Mark to market.
        for (let a = 0; a < N; a++) {
            const c = data.assets[a]!.close[t]!;
            if (!Number.isNaN(c)) account.lastClose[a] = c;
        }
        let E = account.equity();
        // Equity at or below 0: liquidate and halt, whatever max_drawdown says (no targets from it).
        if (!this.halted && E <= 0) {
            this.closeAll(t, 'drawdown');
            this.pending = this.pending.map(() => undefined);
            this.resting = [];
            this.events.push({ bar: t, kind: 'halt', message: `equity ${E.toFixed(2)} is at or below 0: positions liquidated, trading halted` });
            this.halted = true;
            E = account.equity();
        }
        // 6. Drawdown: the peak is the highest equity so far (recorded bars and this close).
        if (!this.halted && this.maxDrawdown !== undefined) {
            if (E > this.peak) this.warned = false; // a new peak: the next breach warns again
            const peak = Math.max(this.peak, E);
            const drawdown = (peak - E) / peak;
            if (drawdown >= this.maxDrawdown) {
                const what = `drawdown ${(drawdown * 100).toFixed(2)}% reached the limit ${(this.maxDrawdown * 100).toFixed(2)}%`;
                if (this.drawdownAction === 'warn') {
                    if (!this.warned) this.events.push({ bar: t, kind: 'drawdown_warning', message: what });
                    this.warned = true;
                } else {
                    this.closeAll(t, 'drawdown');
                    this.pending = this.pending.map(() => undefined);
                    this.resting = [];
                    if (this.drawdownAction === 'flatten') {
                        this.events.push({ bar: t, kind: 'flatten', message: `${what}: positions closed` });
                    } else {
                        this.events.push({ bar: t, kind: 'halt', message: `${what}: trading halted` });
                        this.halted = true;
                    }
                    E = account.equity();
                    this.peak = E;
                }
            }
        }
        // 7. Signals.
        this.graph.evaluate(t);
        this.evaluatedBar = t;
        if (t >= this.warmup && !this.halted) this.signals(t, E);
        this.record(t);
        if (this.maxDrawdown !== undefined && this.equity[t]! > this.peak) this.peak = this.equity[t]!;
        // 8. Best prices for trailing stops.
        for (let a = 0; a < N; a++) {
            const lv = this.levels[a], q = account.position[a]!;
            if (!lv || q === 0 || t < lv.fromBar) continue;
            const h = data.assets[a]!.high[t]!, l = data.assets[a]!.low[t]!;
            if (q > 0 && h > lv.best) lv.best = h;
            if (q < 0 && l < lv.best) lv.best = l;
        }
    }

    private record(t: number): void {
        const E = this.account.equity();
        this.equity[t] = E;
        this.exposure[t] = E !== 0 ? this.account.grossExposure() / E : 0;
    }

    // ------------------------------------------------------------------ fills

    /** A fill through the account; sets or clears the protective levels when the position opens or closes. */
    private fillAt(t: number, a: number, qty: number, raw: number, slip: boolean, reason: Fill['reason']): void {
        const what = this.account.fill(t, a, qty, raw, slip, reason);
        if (what === 'closed') this.levels[a] = undefined;
        if (what === 'opened') this.levels[a] = this.newLevels(a, this.account.position[a]! > 0, this.account.fills.at(-1)!.price, this.atClose ? t + 1 : t);
    }

    /** Levels of a new position from the risk values at the latest evaluated close. */
    private newLevels(a: number, long: boolean, entry: number, fromBar: number): Levels {
        const at = (id: NodeId | undefined) => (id === undefined || this.evaluatedBar < 0 ? undefined : num(this.graph.value(id, this.evaluatedBar, a)));
        const isFraction = (id: NodeId | undefined) => id !== undefined && DIMENSIONLESS.has(this.ir.nodes[id]!.unit);
        const dir = long ? 1 : -1;
        const s = at(this.risk.stop), p = at(this.risk.take), tr = at(this.risk.trail);
        return {
            stop: s === undefined ? undefined : isFraction(this.risk.stop) ? entry * (1 - dir * s) : entry - dir * s,
            take: p === undefined ? undefined : isFraction(this.risk.take) ? entry * (1 + dir * p) : entry + dir * p,
            trail: tr === undefined ? undefined : { size: tr, fraction: isFraction(this.risk.trail) },
            best: entry,
            fromBar,
        };
    }

    /**
     * A pending market order fills at raw price `raw`: the target quantity minus the position, plus
     * added units. Without a price (no bar for the asset) it is dropped.
     */
    private executePending(t: number, a: number, raw: number): void {
        const p = this.pending[a]!;
        this.pending[a] = undefined;
        if (Number.isNaN(raw)) return;
        const current = this.account.position[a]!;
        const target = p.value !== undefined ? p.value / raw : p.units !== undefined ? p.units : current;
        let order = target - current + p.add;
        if (p.add !== 0) order = this.bounded(a, order, raw); // buy/sell market: bounded at the fill
        if (!(Math.abs(order) * raw >= DUST)) return;
        this.fillAt(t, a, order, raw, true, 'signal');
    }

    /** Step 2 for one order: true when it filled or expired (it leaves the book). */
    private tryResting(t: number, r: Resting): boolean {
        if (t > r.lastBar || !(this.data.ts[t]! < r.untilTs)) return true;
        const bars = this.data.assets[r.asset]!;
        const o = bars.open[t]!, h = bars.high[t]!, l = bars.low[t]!;
        if (Number.isNaN(o)) return false;
        const buy = r.qty > 0;
        const fill = (raw: number, slip: boolean, reason: Fill['reason']) => {
            const qty = this.bounded(r.asset, r.qty, raw);
            if (Math.abs(qty) * raw >= DUST) this.fillAt(t, r.asset, qty, raw, slip, reason);
            return true;
        };
        if (r.type === 'limit') {
            if (buy && l < r.price) return fill(Math.min(o, r.price), false, 'limit');
            if (!buy && h > r.price) return fill(Math.max(o, r.price), false, 'limit');
            return false;
        }
        if (buy && h >= r.price) return fill(Math.max(o, r.price), true, 'stop_order');
        if (!buy && l <= r.price) return fill(Math.min(o, r.price), true, 'stop_order');
        return false;
    }

    /**
     * § Limits at the fill: the part of an order (resting, or a market order with buy/sell units)
     * that keeps the position within max_position and the book within leverage × equity, marked at
     * the raw fill price for this asset and the last close for the others. Orders that shrink the
     * position are whole; an order that can only grow a position past a limit becomes 0; the result
     * never has the opposite sign of the order.
     */
    private bounded(a: number, qty: number, raw: number): number {
        const { account } = this;
        const before = account.position[a]!, after = before + qty;
        if (Math.abs(after) <= Math.abs(before) && after * before >= 0) return qty; // shrinks on the same side
        let equity = account.cash, others = 0;
        account.position.forEach((q, b) => {
            if (q !== 0) equity += q * (b === a ? raw : account.lastClose[b]!);
            if (b === a) return;
            // Another asset's market order still to fill this bar counts at what it will hold, else its position.
            const p = this.pending[b], lc = account.lastClose[b]!;
            const held = !p ? q * lc : p.value !== undefined ? p.value + p.add * lc : ((p.units ?? q) + p.add) * lc;
            if (held !== 0 && !Number.isNaN(held)) others += Math.abs(held);
        });
        const limits = [Math.max(0, this.leverage * equity - others) / raw];
        const mp = this.maxPosition;
        if (mp) limits.push(mp.units ? mp.value : Math.max(0, mp.value * equity) / raw);
        const cap = Math.min(...limits);
        if (!(Math.abs(after) > cap)) return qty;
        const order = Math.sign(after) * cap - before;
        return Math.sign(order) === Math.sign(qty) ? order : 0;
    }

    /** Step 3: stop loss, trailing stop and take-profit of asset a against bar t; the worse outcome when several could hit. */
    private protect(t: number, a: number): void {
        const lv = this.levels[a];
        if (!lv) return;
        const q = this.account.position[a]!, long = q > 0;
        const bars = this.data.assets[a]!;
        const o = bars.open[t]!, h = bars.high[t]!, l = bars.low[t]!;
        let trailing: number | undefined;
        if (lv.trail) {
            const { size, fraction } = lv.trail;
            trailing = long ? (fraction ? lv.best * (1 - size) : lv.best - size) : (fraction ? lv.best * (1 + size) : lv.best + size);
        }
        // The binding stop: the tighter of the stop loss and the trailing level.
        let stop = lv.stop, reason: Fill['reason'] = 'stop_loss';
        if (trailing !== undefined && (stop === undefined || (long ? trailing > stop : trailing < stop))) { stop = trailing; reason = 'trailing_stop'; }
        const take = lv.take;
        const against = (level: number, price: number) => (long ? price <= level : price >= level);
        const favour = (level: number, price: number) => (long ? price >= level : price <= level);
        if (stop !== undefined && against(stop, o)) return this.fillAt(t, a, -q, o, true, reason);
        if (take !== undefined && favour(take, o)) return this.fillAt(t, a, -q, o, false, 'take_profit');
        if (stop !== undefined && against(stop, long ? l : h)) return this.fillAt(t, a, -q, stop, true, reason);
        if (take !== undefined && favour(take, long ? h : l)) return this.fillAt(t, a, -q, take, false, 'take_profit');
    }

    /** Closes every position at its last defined close (drawdown actions, end of run). */
    private closeAll(t: number, reason: Fill['reason']): void {
        for (let a = 0; a < this.N; a++) {
            const q = this.account.position[a]!;
            if (q !== 0) this.fillAt(t, a, -q, this.account.lastClose[a]!, true, reason);
        }
    }

    // ------------------------------------------------------------------ signals

    /** Step 7: portfolio, then rules, then targets → orders. E is the equity after step 6. */
    private signals(t: number, E: number): void {
        const { N, ir, graph, data } = this;
        const targets = new Array<Target | undefined>(N).fill(undefined);
        const market = new Array<number | undefined>(N).fill(undefined);
        const close = (a: number) => data.assets[a]!.close[t]!;

        if (ir.portfolio && ir.portfolio.allocations.length > 0 && this.isRebalanceBar(t)) {
            this.weights(t).forEach((w, a) => { targets[a] = { fraction: w }; });
        }
        // An asset without a close at this bar gets no order of any kind (it cannot be sized).
        const priced = (a: number) => !Number.isNaN(close(a));

        const assetsOf = (alias: string | null): number[] => (alias === null ? [...Array(N).keys()] : [this.assetIndex(alias)]);
        for (const rule of ir.rules) {
            const fires = (a: number) => graph.value(rule.condition, t, a) === true;
            for (const action of rule.actions) {
                for (const { a, act } of this.expand(action, assetsOf)) {
                    if (!fires(a) || !priced(a)) continue;
                    if (act.kind === 'flat') { targets[a] = { fraction: 0 }; continue; }
                    const size = num(graph.value(act.size, t, a));
                    if (size === undefined) continue;
                    if (act.kind === 'target') {
                        const f = act.side === 'short' ? -size : size;
                        targets[a] = act.quantity ? { units: f } : { fraction: f };
                        continue;
                    }
                    const signed = act.side === 'buy' ? Math.abs(size) : -Math.abs(size);
                    const qty = act.quantity ? signed : (signed * E) / close(a);
                    if (!Number.isFinite(qty)) continue;
                    if (act.type === 'market') { market[a] = (market[a] ?? 0) + qty; continue; }
                    const price = num(graph.value(act.price!, t, a));
                    if (price === undefined) continue;
                    let lastBar = Infinity, untilTs = Infinity;
                    if (act.expire !== null) {
                        const e = num(scalarValue(ir, act.expire, this.params));
                        if (e !== undefined) {
                            if (ir.nodes[act.expire]!.type.includes('duration')) untilTs = data.ts[t]! + e;
                            else lastBar = t + e;
                        }
                    }
                    this.resting.push({ asset: a, qty, type: act.type, price, lastBar, untilTs });
                }
            }
        }
        this.placeOrders(t, E, targets, market);
    }

    /** One entry per (asset, action) an IR action can apply to. */
    private expand(action: IrAction, assetsOf: (alias: string | null) => number[]): { a: number; act: Expanded }[] {
        if (action.kind === 'target') return action.targets.flatMap(tg => assetsOf(tg.asset).map(a => ({ a, act: { kind: 'target' as const, ...tg } })));
        if (action.kind === 'flat') {
            const assets = action.assets.length ? action.assets.map(x => this.assetIndex(x)) : assetsOf(null);
            return assets.map(a => ({ a, act: { kind: 'flat' as const } }));
        }
        return assetsOf(action.asset).map(a => ({ a, act: action }));
    }

    private assetIndex(alias: string): number {
        const i = this.aliases.get(alias);
        if (i === undefined) throw new BacktestError(`unknown asset alias '${alias}'`);
        return i;
    }

    /** max_position, leverage, then pending market orders (filled at once with this_close). */
    private placeOrders(t: number, E: number, targets: (Target | undefined)[], market: (number | undefined)[]): void {
        const { N, data, account } = this;
        const close = (a: number) => data.assets[a]!.close[t]!;
        const clamp = (x: number, limit: number) => (Math.abs(x) > limit ? Math.sign(x) * limit : x);
        // Target values (fraction targets) or quantities (units), capped by max_position.
        const value: (number | undefined)[] = new Array<number | undefined>(N).fill(undefined);
        const units: (number | undefined)[] = new Array<number | undefined>(N).fill(undefined);
        targets.forEach((tg, a) => {
            if (!tg || Number.isNaN(close(a))) return; // portfolio targets too: no close, no order
            const mp = this.maxPosition;
            if ('fraction' in tg) {
                let v = tg.fraction * E;
                if (mp) v = clamp(v, mp.units ? mp.value * close(a) : mp.value * E);
                value[a] = v;
            } else {
                let q = tg.units;
                if (mp) q = clamp(q, mp.units ? mp.value : (mp.value * E) / close(a));
                units[a] = q;
            }
        });
        // Leverage: scale every target by one factor when the gross exposure would exceed leverage × E.
        let withTarget = 0, without = 0;
        for (let a = 0; a < N; a++) {
            if (value[a] !== undefined) withTarget += Math.abs(value[a]!);
            else if (units[a] !== undefined) withTarget += Math.abs(units[a]! * close(a));
            else if (account.position[a] !== 0) without += Math.abs(account.position[a]! * account.lastClose[a]!);
        }
        if (withTarget + without > this.leverage * E && withTarget > 0) {
            const f = Math.max(0, this.leverage * E - without) / withTarget;
            for (let a = 0; a < N; a++) {
                if (value[a] !== undefined) value[a] = value[a]! * f;
                if (units[a] !== undefined) units[a] = units[a]! * f;
            }
        }
        for (let a = 0; a < N; a++) {
            if (value[a] === undefined && units[a] === undefined && market[a] === undefined) continue;
            // A new order replaces one still pending for the asset.
            this.pending[a] = { value: value[a], units: units[a], add: market[a] ?? 0 };
        }
        if (this.fill === 'this_close') {
            for (let a = 0; a < N; a++) {
                if (!this.pending[a]) continue;
                this.executePending(t, a, close(a));
            }
        }
    }

    // ------------------------------------------------------------------ portfolio

    private isRebalanceBar(t: number): boolean {
        if (t === this.warmup) return true;
        const schedule = String(scalarValue(this.ir, this.ir.portfolio!.settings['rebalance']!.value, this.params));
        return period(this.data.ts[t]!, schedule) !== period(this.data.ts[t - 1]!, schedule);
    }

    /** Weights of every asset on a rebalance bar (0 when not selected). */
    private weights(t: number): number[] {
        const { N, ir, graph } = this;
        const portfolio = ir.portfolio!;
        const w = new Array<number>(N).fill(0);
        for (const al of portfolio.allocations) {
            const kind = ir.nodes[al.weighting]!.op === 'enum' ? String(ir.nodes[al.weighting]!.attrs['value']) : 'series';
            const raw = new Array<number>(N).fill(0);
            for (let a = 0; a < N; a++) {
                if (graph.value(al.selection, t, a) !== true) continue;
                if (kind === 'equal') raw[a] = 1;
                else if (kind === 'inverse_vol') {
                    const vol = this.volatility(t, a);
                    raw[a] = vol !== undefined && vol > 0 ? 1 / vol : 0;
                } else {
                    raw[a] = Math.max(0, num(graph.value(al.weighting, t, a)) ?? 0);
                }
            }
            const total = raw.reduce((s, x) => s + x, 0);
            if (!(total > 0)) continue;
            const sign = al.side === 'long' ? 1 : -1;
            for (let a = 0; a < N; a++) w[a] = w[a]! + (sign * raw[a]!) / total;
        }
        const mwSetting = portfolio.settings['max_weight'];
        const mw = mwSetting ? num(scalarValue(ir, mwSetting.value, this.params)) : undefined;
        return w.map(x => (mw !== undefined && Math.abs(x) > mw ? Math.sign(x) * mw : x));
    }

    /** Population stdev of the last 20 close-to-close returns of asset a at bar t. */
    private volatility(t: number, a: number): number | undefined {
        if (t < 20) return undefined;
        const c = this.data.assets[a]!.close;
        const returns: number[] = [];
        for (let i = t - 19; i <= t; i++) returns.push(c[i]! / c[i - 1]! - 1);
        return returns.some(Number.isNaN) ? undefined : popStdev(returns);
    }
}

type Expanded =
    | ({ readonly kind: 'target' } & { readonly size: NodeId; readonly quantity: boolean; readonly side: 'long' | 'short' })
    | { readonly kind: 'flat' }
    | Extract<IrAction, { kind: 'order' }>;

/** The calendar period of a timestamp for a rebalance schedule (UTC): day, ISO week (from Monday), month, quarter. */
export function period(ts: number, schedule: string): number {
    const d = new Date(ts);
    const day = Math.floor(ts / 86_400_000);
    switch (schedule) {
        case 'daily': return day;
        case 'weekly': return day - ((d.getUTCDay() + 6) % 7); // the Monday of the week
        case 'monthly': return d.getUTCFullYear() * 12 + d.getUTCMonth();
        case 'quarterly': return d.getUTCFullYear() * 4 + Math.floor(d.getUTCMonth() / 3);
    }
    throw new BacktestError(`unknown rebalance schedule '${schedule}'`);
}

/** The nodes a backtest needs: rule conditions, sizes and prices, allocations, risk levels. */
function rootsOf(ir: StrategyIr): NodeId[] {
    const roots: NodeId[] = [];
    for (const r of ir.rules) {
        roots.push(r.condition);
        for (const act of r.actions) {
            if (act.kind === 'target') roots.push(...act.targets.map(tg => tg.size));
            if (act.kind === 'order') roots.push(act.size, ...(act.price === null ? [] : [act.price]));
        }
    }
    for (const al of ir.portfolio?.allocations ?? []) roots.push(al.selection, al.weighting);
    for (const key of ['stop_loss', 'take_profit', 'trailing_stop']) {
        const s = ir.risk[key];
        if (s) roots.push(s.value);
    }
    return roots;
}

function checkData(ir: StrategyIr, data: BarData): void {
    if (data.assets.length !== ir.universe.length) {
        throw new BacktestError(`strategy ${ir.strategy} trades ${ir.universe.length} asset(s) but the data has ${data.assets.length}`);
    }
    if (ir.timeframe.ms > 0 && data.timeframeMs !== ir.timeframe.ms) {
        throw new BacktestError(`strategy ${ir.strategy} runs on ${ir.timeframe.text} bars but the data has ${data.timeframeMs} ms bars`);
    }
    const T = data.ts.length;
    data.assets.forEach((b, i) => {
        for (const col of [b.open, b.high, b.low, b.close, b.volume]) {
            if (col.length !== T) throw new BacktestError(`data for ${ir.universe[i]!.id}: a column has ${col.length} values, expected ${T}`);
        }
    });
    for (let t = 1; t < T; t++) if (!(data.ts[t]! > data.ts[t - 1]!)) throw new BacktestError(`data timestamps are not strictly increasing at bar ${t}`);
}
