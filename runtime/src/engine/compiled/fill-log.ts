/**
 * The fills and round-trip trades of a run, kept as columns of numbers while the bar loop runs and
 * made into Fill and Trade objects only when someone reads them (most of a sweep's trials and a
 * benchmark's runs never do). An object per fill, kept to the end of the run, survives every
 * young-generation collection on the way and is copied at each: on a strategy that trades often
 * that was a tenth of the run. The objects are made in the order and with the keys the engine
 * always gave them, so results (and their hashes) do not change.
 */
import type { Fill, Trade } from '../types.js';

/** Fill reasons by code (the code is the index). */
const REASONS: readonly Fill['reason'][] = ['signal', 'limit', 'stop_order', 'stop_loss', 'take_profit', 'trailing_stop', 'drawdown', 'end'];
/** Fill reason → code (an object of one shape: a lookup by a constant key is a load). */
export const REASON_CODE: Readonly<Record<Fill['reason'], number>> = {
    signal: 0, limit: 1, stop_order: 2, stop_loss: 3, take_profit: 4, trailing_stop: 5, drawdown: 6, end: 7,
};

function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, length: number): T {
    const b = new (a.constructor as new (n: number) => T)(length);
    b.set(a);
    return b;
}

/** Fills as columns; `objects()` is the Fill array, extended from the columns as fills come (append only). */
export class FillLog {
    length = 0;
    bar = new Int32Array(64);
    asset = new Int32Array(64);
    qty = new Float64Array(64);
    price = new Float64Array(64);
    fee = new Float64Array(64);
    reason = new Uint8Array(64);
    private readonly made: Fill[] = [];

    push(bar: number, asset: number, qty: number, price: number, fee: number, reason: number): void {
        const i = this.length;
        if (i === this.bar.length) this.grow();
        this.bar[i] = bar; this.asset[i] = asset; this.qty[i] = qty; this.price[i] = price; this.fee[i] = fee; this.reason[i] = reason;
        this.length = i + 1;
    }

    /** Σ |qty × price| of every fill (a metric's traded value, without making the objects). */
    tradedValue(): number {
        let s = 0;
        for (let i = 0; i < this.length; i++) s += Math.abs(this.qty[i]! * this.price[i]!);
        return s;
    }

    objects(): Fill[] {
        const out = this.made;
        for (let i = out.length; i < this.length; i++) {
            out.push({ bar: this.bar[i]!, asset: this.asset[i]!, qty: this.qty[i]!, price: this.price[i]!, fee: this.fee[i]!, reason: REASONS[this.reason[i]!]! });
        }
        return out;
    }

    private grow(): void {
        const n = this.bar.length * 2;
        this.bar = grown(this.bar, n); this.asset = grown(this.asset, n); this.qty = grown(this.qty, n);
        this.price = grown(this.price, n); this.fee = grown(this.fee, n); this.reason = grown(this.reason, n);
    }
}

/** Closed trades as columns; `objects()` as FillLog's. */
export class TradeLog {
    length = 0;
    asset = new Int32Array(32);
    /** +1 long, −1 short. */
    side = new Int32Array(32);
    entryBar = new Int32Array(32);
    exitBar = new Int32Array(32);
    entryPrice = new Float64Array(32);
    exitPrice = new Float64Array(32);
    maxQty = new Float64Array(32);
    pnl = new Float64Array(32);
    returnPct = new Float64Array(32);
    fees = new Float64Array(32);
    exitReason = new Uint8Array(32);
    private readonly made: Trade[] = [];

    push(asset: number, side: number, entryBar: number, exitBar: number, entryPrice: number, exitPrice: number, maxQty: number, pnl: number, returnPct: number, fees: number, exitReason: number): void {
        const i = this.length;
        if (i === this.asset.length) this.grow();
        this.asset[i] = asset; this.side[i] = side; this.entryBar[i] = entryBar; this.exitBar[i] = exitBar;
        this.entryPrice[i] = entryPrice; this.exitPrice[i] = exitPrice; this.maxQty[i] = maxQty;
        this.pnl[i] = pnl; this.returnPct[i] = returnPct; this.fees[i] = fees; this.exitReason[i] = exitReason;
        this.length = i + 1;
    }

    objects(): Trade[] {
        const out = this.made;
        for (let i = out.length; i < this.length; i++) {
            out.push({
                asset: this.asset[i]!, side: this.side[i]! > 0 ? 'long' : 'short', entryBar: this.entryBar[i]!, exitBar: this.exitBar[i]!,
                entryPrice: this.entryPrice[i]!, exitPrice: this.exitPrice[i]!, maxQty: this.maxQty[i]!, pnl: this.pnl[i]!, returnPct: this.returnPct[i]!,
                fees: this.fees[i]!, exitReason: REASONS[this.exitReason[i]!]!,
            });
        }
        return out;
    }

    private grow(): void {
        const n = this.asset.length * 2;
        this.asset = grown(this.asset, n); this.side = grown(this.side, n); this.entryBar = grown(this.entryBar, n); this.exitBar = grown(this.exitBar, n);
        this.entryPrice = grown(this.entryPrice, n); this.exitPrice = grown(this.exitPrice, n); this.maxQty = grown(this.maxQty, n);
        this.pnl = grown(this.pnl, n); this.returnPct = grown(this.returnPct, n); this.fees = grown(this.fees, n); this.exitReason = grown(this.exitReason, n);
    }
}
