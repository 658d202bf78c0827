/**
 * The HFT pack's functions for the compiled engine. Each reads per-event columns the event engine
 * (engine/hft/) fills before a decision (`reads`, language/src/catalogue/hft-pack.ts): book levels,
 * the event's time, the signed quantity of the trade it is, the inventory. The windowed ones keep
 * the events of the last `seconds` in a ring (amortised O(1) per event); the others are O(levels).
 * reference.ts recomputes the same values from the whole history; the event-mode tests hold both to
 * hand calculations.
 */
import { HFT_LEVELS } from '../../../../../language/src/catalogue/hft-pack.js';
import type { Indicator } from '../../indicators/index.js';
import type { CompiledFunction } from '../hook.js';
import { BacktestError } from '../../types.js';

class Pass implements Indicator {
    push(x: number): number {
        return x;
    }
}

class Spread implements Indicator {
    push(bid: number, ask: number): number {
        return ask - bid;
    }
}

class Mid implements Indicator {
    push(bid: number, ask: number): number {
        return (bid + ask) / 2;
    }
}

class Microprice implements Indicator {
    push(bid: number, ask: number, bidSize: number, askSize: number): number {
        const total = bidSize + askSize;
        return total > 0 ? (bid * askSize + ask * bidSize) / total : NaN;
    }
}

/** A missing level (NaN) has no size. */
const size = (x: number): number => (x === x ? x : 0);

class BookImbalance implements Indicator {
    constructor(private readonly levels: number) {}
    push(...sizes: number[]): number {
        let b = 0, a = 0;
        for (let i = 0; i < this.levels; i++) {
            b += size(sizes[i]!);
            a += size(sizes[HFT_LEVELS + i]!);
        }
        return b + a > 0 ? (b - a) / (b + a) : NaN;
    }
}

/** A time window of (time, value) pairs in a growable ring: values older than the window drop out as time advances. */
class TimeWindow {
    private t = new Float64Array(64);
    private v = new Float64Array(64);
    private head = 0;
    private n = 0;
    constructor(private readonly ms: number) {}
    /** Drops what is no longer in (now − ms, now]; `dropped` gets each value that leaves. */
    advance(now: number, dropped: (v: number) => void): void {
        const cap = this.t.length;
        while (this.n > 0 && this.t[this.head]! <= now - this.ms) {
            dropped(this.v[this.head]!);
            this.head = (this.head + 1) % cap;
            this.n--;
        }
    }
    add(now: number, value: number): void {
        if (this.n === this.t.length) {
            const cap = this.t.length, t = new Float64Array(cap * 2), v = new Float64Array(cap * 2);
            for (let i = 0; i < this.n; i++) {
                t[i] = this.t[(this.head + i) % cap]!;
                v[i] = this.v[(this.head + i) % cap]!;
            }
            this.t = t; this.v = v; this.head = 0;
        }
        const at = (this.head + this.n) % this.t.length;
        this.t[at] = now; this.v[at] = value;
        this.n++;
    }
    get size(): number {
        return this.n;
    }
}

class TradeImbalance implements Indicator {
    private readonly w: TimeWindow;
    private signed = 0;
    private total = 0;
    private count = 0;
    constructor(seconds: number) {
        this.w = new TimeWindow(seconds * 1000);
    }
    push(time: number, qty: number): number {
        if (time !== time) return NaN;
        this.w.advance(time, q => { this.signed -= q; this.total -= Math.abs(q); this.count--; });
        if (qty === qty && qty !== 0) {
            this.w.add(time, qty);
            this.signed += qty; this.total += Math.abs(qty); this.count++;
        }
        // Sums of a sliding window drift by rounding: recentre when the window empties.
        if (this.count === 0) { this.signed = 0; this.total = 0; return NaN; }
        return this.total > 0 ? this.signed / this.total : NaN;
    }
}

class RealizedVol implements Indicator {
    private readonly w: TimeWindow;
    private sum = 0;
    private prev = NaN;
    constructor(seconds: number) {
        this.w = new TimeWindow(seconds * 1000);
    }
    push(time: number, bid: number, ask: number): number {
        if (time !== time) return NaN;
        this.w.advance(time, r2 => { this.sum -= r2; });
        const mid = (bid + ask) / 2;
        if (mid === mid && mid > 0) {
            if (this.prev === this.prev) {
                const r = Math.log(mid / this.prev);
                this.w.add(time, r * r);
                this.sum += r * r;
            }
            this.prev = mid;
        }
        if (this.w.size === 0) this.sum = 0;
        return Math.sqrt(Math.max(0, this.sum));
    }
}

const secondsArg = (v: number | undefined, fn: string): number => {
    if (v === undefined || !Number.isFinite(v) || v <= 0) throw new BacktestError(`${fn}() seconds must be a positive number, got ${String(v)}`);
    return v;
};

const TOP = ['hft_bid_px_1', 'hft_ask_px_1'] as const;
const SIZES = [...Array.from({ length: HFT_LEVELS }, (_, i) => `hft_bid_sz_${i + 1}` as const), ...Array.from({ length: HFT_LEVELS }, (_, i) => `hft_ask_sz_${i + 1}` as const)];

export const compiled: Readonly<Record<string, CompiledFunction>> = {
    best_bid: { params: [], reads: ['hft_bid_px_1'], create: () => new Pass() },
    best_ask: { params: [], reads: ['hft_ask_px_1'], create: () => new Pass() },
    spread: { params: [], reads: [...TOP], create: () => new Spread() },
    mid_price: { params: [], reads: [...TOP], create: () => new Mid() },
    microprice: { params: [], reads: [...TOP, 'hft_bid_sz_1', 'hft_ask_sz_1'], create: () => new Microprice() },
    book_imbalance: {
        params: ['const'], reads: SIZES as never,
        create: c => {
            const n = c[0];
            if (n === undefined || !Number.isInteger(n) || n < 1 || n > HFT_LEVELS) throw new BacktestError(`book_imbalance() levels must be a whole number from 1 to ${HFT_LEVELS}, got ${String(n)}`);
            return new BookImbalance(n);
        },
    },
    trade_imbalance: { params: ['const'], reads: ['hft_time', 'hft_trade_qty'], create: c => new TradeImbalance(secondsArg(c[0], 'trade_imbalance')) },
    realized_vol: { params: ['const'], reads: ['hft_time', ...TOP], create: c => new RealizedVol(secondsArg(c[0], 'realized_vol')) },
    inventory: { params: [], reads: ['hft_inventory'], create: () => new Pass() },
};
