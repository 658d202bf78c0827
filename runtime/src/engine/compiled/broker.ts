/**
 * The simulated account of a backtest: cash, positions, pending and resting orders, protective
 * levels, fills and round-trip trades, following docs/backtest-semantics.md step by step.
 * State is in typed arrays indexed by asset; fills and trades are rows of typed columns (fill-log.ts):
 * nothing is allocated per bar or per fill.
 */
import type { AssetBars, EngineEvent, Fill, Trade } from '../types.js';
import { FillLog, REASON_CODE, REASONS, TradeLog } from './fill-log.js';

export interface BrokerConfig {
    readonly N: number;
    readonly capital: number;
    readonly fees: number;
    readonly slippage: number;
    /** Which risk levels are fractions of the entry price (true) or price distances (false). */
    readonly stopIsFraction: boolean;
    readonly takeIsFraction: boolean;
    readonly trailIsFraction: boolean;
    /**
     * The risk values per asset at the latest evaluated close (stop_loss, take_profit,
     * trailing_stop; NaN: undefined): the engine passes views of those nodes' slots in its value
     * array, which always hold the latest close's values. Absent: no such level.
     */
    readonly riskStop?: Float64Array;
    readonly riskTake?: Float64Array;
    readonly riskTrail?: Float64Array;
    /** Limits that bound resting orders and market additions at their fill (§ Limits at the fill). */
    readonly leverage?: number;
    /** max_position: a fraction of equity, or units when `maxPositionUnits`; absent: none. */
    readonly maxPosition?: number;
    readonly maxPositionUnits?: boolean;
    /** Row buffers for the fill and trade logs (fill-log.ts), reused from run to run by a sweep; the logs then own them. */
    readonly fillRows?: Float64Array;
    readonly tradeRows?: Float64Array;
}

export interface RestingOrder {
    readonly asset: number;
    readonly qty: number;
    readonly type: 'limit' | 'stop';
    readonly price: number;
    readonly placedBar: number;
    /** Last bar at which the order is active (inclusive), or Infinity. */
    readonly lastBar: number;
    /** Active while ts < untilTs (duration expiry), or Infinity. */
    readonly untilTs: number;
}

const DUST = 1e-9;

/**
 * An empty array already of the kind that holds objects. A `[]` literal starts as an array of small
 * integers and changes its hidden class at its first object; the generated bar loop inlines the
 * fill code, optimised against the class of these arrays, and that change would throw the
 * optimised loop away at the first fill of every run.
 */
function objectArray<T>(): T[] {
    const a = [null] as unknown as T[];
    a.length = 0;
    return a;
}

export class Broker {
    readonly qty: Float64Array;
    readonly lastClose: Float64Array;
    /**
     * [cash]. In a typed array rather than a number field: the generated bar loop reads it every
     * bar, and a field whose value turns fractional would change the object's hidden class.
     */
    readonly account = new Float64Array(1);
    /** Protective levels of the open position (NaN: none). */
    readonly stop: Float64Array;
    readonly take: Float64Array;
    readonly trailDist: Float64Array;
    readonly best: Float64Array;
    /** Risk values at the latest evaluated close, per asset (NaN: undefined). */
    readonly riskStop: Float64Array;
    readonly riskTake: Float64Array;
    readonly riskTrail: Float64Array;
    /** Pending market orders: target value (fraction targets), target quantity (units), added quantity. */
    readonly pendValue: Float64Array;
    readonly pendQty: Float64Array;
    readonly pendAdd: Float64Array;
    readonly pendSet: Uint8Array;
    resting: RestingOrder[] = objectArray();
    /** Set from step 4 of a bar on: positions opened then skip this bar's range for their best price. */
    atClose = false;
    /** Positions opened at this bar's close (their best price starts with the next bar). */
    readonly openedAtClose: Uint8Array;

    readonly fillLog: FillLog;
    /** The round-trip trades, booked from the fill log when read (see tradeLog). */
    private readonly tradeRows: TradeLog;
    /** Fill rows booked into trades so far, and each asset's position after them. */
    private booked = 0;
    private readonly bookedQty: Float64Array;
    readonly events: EngineEvent[] = objectArray();

    // Open trade per asset.
    private readonly tSide: Int8Array;
    private readonly tEntryBar: Int32Array;
    private readonly tEntryQty: Float64Array;
    private readonly tEntryValue: Float64Array;
    private readonly tExitQty: Float64Array;
    private readonly tExitValue: Float64Array;
    private readonly tMaxQty: Float64Array;
    private readonly tCash: Float64Array;
    private readonly tFees: Float64Array;

    private readonly N: number;
    /**
     * [fees, slippage]. Numbers the broker keeps are in typed arrays, not fields: the generated
     * loop is optimised against the hidden class of Broker objects (see shapes.ts), and a
     * field holding a whole number in one run and a fraction in the next would change it.
     */
    private readonly rates: Float64Array;
    /** [leverage, max_position (Infinity: none), 1 when max_position is in units]. */
    private readonly limits: Float64Array;
    private readonly stopIsFraction: boolean;
    private readonly takeIsFraction: boolean;
    private readonly trailIsFraction: boolean;

    constructor(cfg: BrokerConfig) {
        const N = cfg.N;
        this.N = N;
        this.fillLog = new FillLog(cfg.fillRows);
        this.tradeRows = new TradeLog(cfg.tradeRows);
        this.bookedQty = new Float64Array(N);
        this.rates = Float64Array.of(cfg.fees, cfg.slippage);
        this.limits = Float64Array.of(cfg.leverage ?? 1, cfg.maxPosition ?? Infinity, cfg.maxPositionUnits ? 1 : 0);
        this.stopIsFraction = cfg.stopIsFraction;
        this.takeIsFraction = cfg.takeIsFraction;
        this.trailIsFraction = cfg.trailIsFraction;
        const nan = () => new Float64Array(N).fill(NaN);
        this.qty = new Float64Array(N);
        this.lastClose = nan();
        this.account[0] = cfg.capital;
        this.stop = nan(); this.take = nan(); this.trailDist = nan(); this.best = nan();
        this.riskStop = cfg.riskStop ?? nan(); this.riskTake = cfg.riskTake ?? nan(); this.riskTrail = cfg.riskTrail ?? nan();
        this.pendValue = nan(); this.pendQty = nan(); this.pendAdd = new Float64Array(N); this.pendSet = new Uint8Array(N);
        this.openedAtClose = new Uint8Array(N);
        this.tSide = new Int8Array(N);
        this.tEntryBar = new Int32Array(N);
        this.tEntryQty = new Float64Array(N); this.tEntryValue = new Float64Array(N);
        this.tExitQty = new Float64Array(N); this.tExitValue = new Float64Array(N);
        this.tMaxQty = new Float64Array(N); this.tCash = new Float64Array(N); this.tFees = new Float64Array(N);
    }

    /** The fills so far as objects (made on first read, extended as fills come). */
    get fills(): Fill[] {
        return this.fillLog.objects();
    }

    get trades(): Trade[] {
        return this.tradeLog.objects();
    }

    /**
     * The closed trades, up to date with the fills so far. Trades are booked from the fill log when
     * read, not at each fill: a fill row holds everything booking needs (the position before it is
     * the replay of the rows before, with the dust rule of fill()), so the bar loop only logs, and a
     * run that never reads its trades (most benchmark runs) never books them.
     */
    get tradeLog(): TradeLog {
        const log = this.fillLog, n = log.length;
        if (this.booked < n) {
            const r = log.rows, S = FillLog.STRIDE, q = this.bookedQty;
            for (let k = this.booked; k < n; k++) {
                const o = k * S, a = r[o + 1]!, qty = r[o + 2]!, price = r[o + 3]!;
                const before = q[a]!, after = before + qty;
                q[a] = Math.abs(after) * price < DUST ? 0 : after;
                this.bookTrade(r[o]!, a, before, qty, price, r[o + 4]!, REASONS[r[o + 5]!]!);
            }
            this.booked = n;
        }
        return this.tradeRows;
    }

    get cash(): number {
        return this.account[0]!;
    }

    equity(): number {
        let e = this.cash;
        for (let a = 0; a < this.N; a++) {
            const q = this.qty[a]!;
            if (q !== 0) e += q * this.lastClose[a]!;
        }
        return e;
    }

    grossExposure(): number {
        let g = 0;
        for (let a = 0; a < this.N; a++) {
            const q = this.qty[a]!;
            if (q !== 0) g += Math.abs(q * this.lastClose[a]!);
        }
        return g;
    }

    /**
     * Executes a fill. `raw` is the price before slippage; `slip` whether slippage applies
     * (market and stop fills) or not (limit fills, take-profit).
     */
    fill(bar: number, a: number, qty: number, raw: number, slip: boolean, reason: Fill['reason']): void {
        if (qty === 0 || !(Math.abs(qty) * raw >= DUST)) return;
        const slippage = this.rates[1]!;
        const price = slip ? (qty > 0 ? raw * (1 + slippage) : raw * (1 - slippage)) : raw;
        const fee = Math.abs(qty) * price * this.rates[0]!;
        this.account[0] = this.cash - (qty * price + fee);
        this.fillLog.push(bar, a, qty, price, fee, REASON_CODE[reason]);
        const before = this.qty[a]!;
        const after = before + qty;
        this.qty[a] = Math.abs(after) * price < DUST ? 0 : after;
        const now = this.qty[a]!;
        if (now === 0) {
            this.stop[a] = NaN; this.take[a] = NaN; this.trailDist[a] = NaN; this.best[a] = NaN;
        } else if (before === 0 || Math.sign(before) !== Math.sign(now)) {
            this.openLevels(a, now > 0, price);
        }
    }

    /**
     * The record of a fill that the generated loop made itself (loop.ts, fills in line): its row in
     * the fill log (its trade is booked from it when read). The loop has done the rest of fill()
     * (cash, position, the dust rule); only strategies without protective levels fill in line, so
     * there are none to set.
     */
    recordFill(bar: number, a: number, qty: number, price: number, fee: number): void {
        this.fillLog.push(bar, a, qty, price, fee, REASON_CODE.signal);
    }

    /** Sets the protective levels of a new position from the latest risk values. */
    private openLevels(a: number, long: boolean, entry: number): void {
        const dir = long ? 1 : -1;
        const s = this.riskStop[a]!, p = this.riskTake[a]!, tr = this.riskTrail[a]!;
        this.stop[a] = s !== s ? NaN : this.stopIsFraction ? entry * (1 - dir * s) : entry - dir * s;
        this.take[a] = p !== p ? NaN : this.takeIsFraction ? entry * (1 + dir * p) : entry + dir * p;
        this.trailDist[a] = tr;
        this.best[a] = entry;
        this.openedAtClose[a] = this.atClose ? 1 : 0;
    }

    /** The trailing level from the best price so far (NaN without a trailing stop). */
    trailLevel(a: number): number {
        const d = this.trailDist[a]!;
        if (d !== d) return NaN;
        const long = this.qty[a]! > 0;
        const b = this.best[a]!;
        if (this.trailIsFraction) return long ? b * (1 - d) : b * (1 + d);
        return long ? b - d : b + d;
    }

    /** Step 3: stop loss / trailing stop / take profit against this bar, conservatively. */
    protect(bar: number, a: number, bars: AssetBars): void {
        const q = this.qty[a]!;
        if (q === 0) return;
        const o = bars.open[bar]!, h = bars.high[bar]!, l = bars.low[bar]!;
        if (o !== o) return;
        const long = q > 0;
        const s0 = this.stop[a]!, tl = this.trailLevel(a), p = this.take[a]!;
        // The binding stop is the tighter one: higher for longs, lower for shorts.
        let stop = s0, reason: Fill['reason'] = 'stop_loss';
        if (tl === tl && (stop !== stop || (long ? tl > stop : tl < stop))) { stop = tl; reason = 'trailing_stop'; }
        const hasStop = stop === stop, hasTake = p === p;
        if (!hasStop && !hasTake) return;
        if (long) {
            if (hasStop && o <= stop) return this.fill(bar, a, -q, o, true, reason);
            if (hasTake && o >= p) return this.fill(bar, a, -q, o, false, 'take_profit');
            if (hasStop && l <= stop) return this.fill(bar, a, -q, stop, true, reason);
            if (hasTake && h >= p) return this.fill(bar, a, -q, p, false, 'take_profit');
        } else {
            if (hasStop && o >= stop) return this.fill(bar, a, -q, o, true, reason);
            if (hasTake && o <= p) return this.fill(bar, a, -q, o, false, 'take_profit');
            if (hasStop && h >= stop) return this.fill(bar, a, -q, stop, true, reason);
            if (hasTake && l <= p) return this.fill(bar, a, -q, p, false, 'take_profit');
        }
    }

    /**
     * Steps 1 and 4: execute the pending market order of asset a at raw price `raw`. Without a price
     * (the asset has no bar) the order is dropped: it was sized for this bar, and the strategy decides
     * again at the asset's next bar.
     */
    executePending(bar: number, a: number, raw: number): void {
        if (!this.pendSet[a]) return;
        this.pendSet[a] = 0;
        const v = this.pendValue[a]!, tq = this.pendQty[a]!;
        const cur = this.qty[a]!;
        const target = v === v ? v / raw : tq === tq ? tq : cur;
        const order = target - cur + this.pendAdd[a]!;
        const add = this.pendAdd[a]!;
        this.pendValue[a] = NaN; this.pendQty[a] = NaN; this.pendAdd[a] = 0;
        if (raw === raw) this.fill(bar, a, add !== 0 ? this.bounded(a, order, raw) : order, raw, true, 'signal');
    }

    /** Step 2: resting limit and stop orders, in placement order. */
    checkResting(bar: number, ts: number, assets: readonly AssetBars[]): void {
        if (this.resting.length === 0) return;
        const keep: RestingOrder[] = objectArray();
        for (const r of this.resting) {
            if (bar <= r.placedBar) { keep.push(r); continue; }
            if (bar > r.lastBar || ts >= r.untilTs) continue; // expired
            const b = assets[r.asset]!;
            const o = b.open[bar]!, h = b.high[bar]!, l = b.low[bar]!;
            if (o !== o) { keep.push(r); continue; }
            const buy = r.qty > 0;
            if (r.type === 'limit') {
                if (buy && l < r.price) this.fillBounded(bar, r.asset, r.qty, Math.min(o, r.price), false, 'limit');
                else if (!buy && h > r.price) this.fillBounded(bar, r.asset, r.qty, Math.max(o, r.price), false, 'limit');
                else keep.push(r);
            } else {
                if (buy && h >= r.price) this.fillBounded(bar, r.asset, r.qty, Math.max(o, r.price), true, 'stop_order');
                else if (!buy && l <= r.price) this.fillBounded(bar, r.asset, r.qty, Math.min(o, r.price), true, 'stop_order');
                else keep.push(r);
            }
        }
        this.resting = keep;
    }

    private fillBounded(bar: number, a: number, qty: number, raw: number, slip: boolean, reason: Fill['reason']): void {
        this.fill(bar, a, this.bounded(a, qty, raw), raw, slip, reason);
    }

    /**
     * An order of `qty` units of asset a filling at raw price `raw`, cut so that the position it
     * leaves stays within max_position and the book within leverage × equity, both marked at this
     * price for asset a and at the last close for the others (docs/backtest-semantics.md § Limits at
     * the fill). An order that shrinks the position on its side is never cut (past zero, the new side is); one that would only grow a position
     * already beyond a limit does not fill (0); a cut never turns a buy into a sell.
     */
    bounded(a: number, qty: number, raw: number): number {
        const q0 = this.qty[a]!, q1 = q0 + qty;
        if (Math.abs(q1) <= Math.abs(q0) && q1 * q0 >= 0) return qty; // shrinks on the same side
        let E = this.cash, others = 0;
        for (let b = 0; b < this.N; b++) {
            const q = this.qty[b]!;
            if (q === 0) continue;
            if (b === a) { E += q * raw; continue; }
            E += q * this.lastClose[b]!;
        }
        for (let b = 0; b < this.N; b++) {
            if (b === a) continue;
            // Another asset's market order still to fill this bar counts at what it will hold, else its position.
            const v = this.pendValue[b]!, tq = this.pendQty[b]!, pending = this.pendSet[b] !== 0, lc = this.lastClose[b]!;
            const held = !pending ? this.qty[b]! * lc : v === v ? v + this.pendAdd[b]! * lc : ((tq === tq ? tq : this.qty[b]!) + this.pendAdd[b]!) * lc;
            if (held === held && held !== 0) others += Math.abs(held);
        }
        const lim = this.limits;
        const mp = lim[1]!;
        let cap = Math.max(0, lim[0]! * E - others) / raw;
        if (mp !== Infinity) cap = Math.min(cap, lim[2] === 1 ? mp : Math.max(0, mp * E) / raw);
        if (!(Math.abs(q1) > cap)) return qty;
        const order = Math.sign(q1) * cap - q0;
        return Math.sign(order) === Math.sign(qty) ? order : 0;
    }

    /** Closes every position at its last close (drawdown actions, end of run). */
    closeAll(bar: number, reason: Fill['reason']): void {
        for (let a = 0; a < this.N; a++) {
            const q = this.qty[a]!;
            if (q !== 0 && this.lastClose[a] === this.lastClose[a]) this.fill(bar, a, -q, this.lastClose[a]!, true, reason);
        }
    }

    cancelAll(): void {
        this.resting = objectArray();
        this.pendSet.fill(0);
        this.pendValue.fill(NaN); this.pendQty.fill(NaN); this.pendAdd.fill(0);
    }

    /** Step 8: best prices for trailing stops (from the bar after the fill for positions opened at the close). */
    updateBest(bar: number, a: number, bars: AssetBars): void {
        const q = this.qty[a]!;
        if (q === 0) return;
        if (this.openedAtClose[a]) { this.openedAtClose[a] = 0; return; }
        const h = bars.high[bar]!, l = bars.low[bar]!;
        if (h !== h) return;
        const b = this.best[a]!;
        if (q > 0) { if (h > b) this.best[a] = h; } else if (l < b) this.best[a] = l;
    }

    // ------------------------------------------------------------------ trades

    private bookTrade(bar: number, a: number, before: number, qty: number, price: number, fee: number, reason: Fill['reason']): void {
        const after = before + qty;
        const closing = before !== 0 && Math.sign(qty) !== Math.sign(before);
        if (!closing) {
            if (before === 0) this.startTrade(bar, a, qty > 0 ? 1 : -1);
            this.tEntryQty[a] = this.tEntryQty[a]! + Math.abs(qty);
            this.tEntryValue[a] = this.tEntryValue[a]! + Math.abs(qty) * price;
            this.tCash[a] = this.tCash[a]! - qty * price - fee;
            this.tFees[a] = this.tFees[a]! + fee;
            this.tMaxQty[a] = Math.max(this.tMaxQty[a]!, Math.abs(after));
            return;
        }
        // Part (or all) of the fill closes the open trade; the rest opens the opposite one.
        const closeQty = Math.min(Math.abs(qty), Math.abs(before));
        const share = closeQty / Math.abs(qty);
        const closeSigned = Math.sign(qty) * closeQty;
        this.tExitQty[a] = this.tExitQty[a]! + closeQty;
        this.tExitValue[a] = this.tExitValue[a]! + closeQty * price;
        this.tCash[a] = this.tCash[a]! - closeSigned * price - fee * share;
        this.tFees[a] = this.tFees[a]! + fee * share;
        const flat = Math.abs(after) * price < DUST || Math.sign(after) !== Math.sign(before);
        if (flat) this.endTrade(bar, a, reason);
        const rest = Math.abs(qty) - closeQty;
        if (Math.sign(after) !== Math.sign(before) && Math.abs(after) * price >= DUST) {
            this.startTrade(bar, a, after > 0 ? 1 : -1);
            this.tEntryQty[a] = rest;
            this.tEntryValue[a] = rest * price;
            this.tCash[a] = -(Math.sign(qty) * rest) * price - fee * (1 - share);
            this.tFees[a] = fee * (1 - share);
            this.tMaxQty[a] = rest;
        }
    }

    private startTrade(bar: number, a: number, side: number): void {
        this.tSide[a] = side;
        this.tEntryBar[a] = bar;
        this.tEntryQty[a] = 0; this.tEntryValue[a] = 0; this.tExitQty[a] = 0; this.tExitValue[a] = 0;
        this.tMaxQty[a] = 0; this.tCash[a] = 0; this.tFees[a] = 0;
    }

    private endTrade(bar: number, a: number, reason: Fill['reason']): void {
        const entryPrice = this.tEntryValue[a]! / this.tEntryQty[a]!;
        const exitPrice = this.tExitValue[a]! / this.tExitQty[a]!;
        const pnl = this.tCash[a]!;
        this.tradeRows.push(a, this.tSide[a]! > 0 ? 1 : -1, this.tEntryBar[a]!, bar, entryPrice, exitPrice, this.tMaxQty[a]!, pnl, pnl / (this.tMaxQty[a]! * entryPrice), this.tFees[a]!, REASON_CODE[reason]);
        this.tSide[a] = 0;
    }
}
