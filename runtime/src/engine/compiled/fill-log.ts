/**
 * The fills and round-trip trades of a run, kept as rows of numbers in one Float64Array each while
 * the bar loop runs, and made into Fill and Trade objects only when someone reads them (most of a
 * sweep's trials and a benchmark's runs never do). An object per fill, kept to the end of the run,
 * survives every young-generation collection on the way and is copied at each; one array per log
 * (not one per column) because a typed array costs an allocation outside the heap, and a sweep makes
 * a log per trial. The objects are made in the order and with the keys the engine always gave them,
 * so results (and their hashes) do not change. Bars, assets and codes are whole numbers, exact in a double.
 */
import type { Fill, Trade } from '../types.js';

/** Fill reasons by code (the code is the index). */
export const REASONS: readonly Fill['reason'][] = ['signal', 'limit', 'stop_order', 'stop_loss', 'take_profit', 'trailing_stop', 'drawdown', 'end'];
/** Fill reason → code (an object of one shape: a lookup by a constant key is a load). */
export const REASON_CODE: Readonly<Record<Fill['reason'], number>> = {
    signal: 0, limit: 1, stop_order: 2, stop_loss: 3, take_profit: 4, trailing_stop: 5, drawdown: 6, end: 7,
};

/**
 * Doubles per chunk after a log's first: a log grows by chunks of this size (about 120 KiB) instead
 * of doubling one array. Doubling allocated twice the final size and copied it, in arrays large
 * enough that the allocator maps fresh pages for each (first touches are page faults) and V8
 * counts them as external memory (which schedules collections): on a plain strategy with 20,000
 * fills in a million bars that was a third of the run. Chunks this size come from, and go back to,
 * the allocator's pool; they are joined into one array only when `rows` is read.
 */
const CHUNK = 15_360;

/**
 * Rows of numbers, `stride` a row, appended to a current chunk; `rows` joins the chunks (once: the
 * joined array becomes the current chunk, appends continue in it until it is full).
 */
abstract class RowLog {
    length = 0;
    /** Where the next row starts in `cur`. */
    protected at = 0;
    protected cur: Float64Array;
    /** The filled part of each earlier chunk. */
    private readonly full: Float64Array[] = [];

    constructor(private readonly width: number, first: Float64Array | undefined, firstRows: number) {
        this.cur = first && first.length >= width ? first : new Float64Array(firstRows * width);
    }

    /** Every row from row 0 on, `stride` numbers a row (the array may be longer than length × stride). */
    get rows(): Float64Array {
        if (this.full.length > 0) {
            const out = new Float64Array(Math.max(this.length * this.width, 64 * this.width));
            let o = 0;
            for (const c of this.full) { out.set(c, o); o += c.length; }
            out.set(this.cur.subarray(0, this.at), o);
            this.full.length = 0;
            this.cur = out;
            this.at = o + this.at;
        }
        return this.cur;
    }

    /** The chunk has no room for a row: the next one. */
    protected next(): void {
        this.full.push(this.cur.subarray(0, this.at));
        this.cur = new Float64Array(CHUNK - (CHUNK % this.width));
        this.at = 0;
    }
}

/** Fill rows: bar, asset, qty, price, fee, reason code. `objects()` is the Fill array, extended from the rows as fills come (append only). */
export class FillLog extends RowLog {
    static readonly STRIDE = 6;
    private readonly made: Fill[] = [];

    /** `rows`: a buffer to fill from row 0 (a sweep hands the previous trial's on, grown as it needed). */
    constructor(rows?: Float64Array) {
        super(FillLog.STRIDE, rows, 64);
    }

    push(bar: number, asset: number, qty: number, price: number, fee: number, reason: number): void {
        if (this.at + FillLog.STRIDE > this.cur.length) this.next();
        const r = this.cur, o = this.at;
        r[o] = bar; r[o + 1] = asset; r[o + 2] = qty; r[o + 3] = price; r[o + 4] = fee; r[o + 5] = reason;
        this.at = o + FillLog.STRIDE;
        this.length++;
    }

    /** Σ |qty × price| of every fill, in fill order (a metric's traded value, without making the objects). */
    tradedValue(): number {
        let s = 0;
        const r = this.rows;
        for (let o = 0; o < this.length * FillLog.STRIDE; o += FillLog.STRIDE) s += Math.abs(r[o + 2]! * r[o + 3]!);
        return s;
    }

    objects(): Fill[] {
        const out = this.made, r = this.rows;
        for (let i = out.length; i < this.length; i++) {
            const o = i * FillLog.STRIDE;
            out.push({ bar: r[o]!, asset: r[o + 1]!, qty: r[o + 2]!, price: r[o + 3]!, fee: r[o + 4]!, reason: REASONS[r[o + 5]!]! });
        }
        return out;
    }
}

/**
 * Closed trade rows: asset, side (+1 long, −1 short), entry bar, exit bar, entry price, exit price,
 * largest quantity, P&L, return, fees, exit reason code. `objects()` as FillLog's. Metrics read the
 * P&L and return columns in place (metrics.ts TradeColumns).
 */
export class TradeLog extends RowLog {
    static readonly STRIDE = 11;
    readonly stride = TradeLog.STRIDE;
    readonly pnlAt = 7;
    readonly returnAt = 8;
    private readonly made: Trade[] = [];

    /** `rows`: as FillLog's. */
    constructor(rows?: Float64Array) {
        super(TradeLog.STRIDE, rows, 32);
    }

    push(asset: number, side: number, entryBar: number, exitBar: number, entryPrice: number, exitPrice: number, maxQty: number, pnl: number, returnPct: number, fees: number, exitReason: number): void {
        if (this.at + TradeLog.STRIDE > this.cur.length) this.next();
        const r = this.cur, o = this.at;
        r[o] = asset; r[o + 1] = side; r[o + 2] = entryBar; r[o + 3] = exitBar; r[o + 4] = entryPrice; r[o + 5] = exitPrice;
        r[o + 6] = maxQty; r[o + 7] = pnl; r[o + 8] = returnPct; r[o + 9] = fees; r[o + 10] = exitReason;
        this.at = o + TradeLog.STRIDE;
        this.length++;
    }

    objects(): Trade[] {
        const out = this.made, r = this.rows;
        for (let i = out.length; i < this.length; i++) {
            const o = i * TradeLog.STRIDE;
            out.push({
                asset: r[o]!, side: r[o + 1]! > 0 ? 'long' : 'short', entryBar: r[o + 2]!, exitBar: r[o + 3]!,
                entryPrice: r[o + 4]!, exitPrice: r[o + 5]!, maxQty: r[o + 6]!, pnl: r[o + 7]!, returnPct: r[o + 8]!,
                fees: r[o + 9]!, exitReason: REASONS[r[o + 10]!]!,
            });
        }
        return out;
    }
}
