/**
 * A seeded synthetic market of trades and L2 book updates, for tests and benchmarks: same seed,
 * same events. The book is kept as sizes per tick from each side's best price out to `depth`
 * levels; events arrive as a Poisson process (exponential gaps) and each is one of:
 * - a market order (a trade): it takes size from the opposite best level — queue depletion — and
 *   when that level empties the best price moves out a tick (a new level is exposed deep in the book);
 *   its side leans towards the mean mid (mean reversion: the mid drifts back as flow pushes it);
 * - a limit order: size added at a level (now and then inside the spread, which narrows it);
 * - a cancel: size taken from a level (a level that empties away from the top goes quiet).
 * So the spread in ticks walks at random between 1 and a few ticks, the mid mean-reverts, and
 * every event is emitted as data would be: a trade, then the level rows it changed.
 */
import { mulberry32, scrambleSeed } from '../../../../language/src/util/prng.js';
import { allocEvents, LEVEL, SNAPSHOT, sliceEvents, TRADE, type HftEvents } from './events.js';

export interface HftSynthOptions {
    readonly seed: number;
    /** Start time, ms since the epoch. */
    readonly start?: number;
    readonly tickSize?: number;
    /** The mean the mid reverts to, in price. */
    readonly mid?: number;
    /** Levels per side. */
    readonly depth?: number;
    /** Mean events per second (Poisson). */
    readonly rate?: number;
}

export class HftSynth {
    private readonly rnd: () => number;
    private readonly tick: number;
    private readonly depth: number;
    private readonly meanTicks: number;
    private readonly rate: number;
    /** Best bid and ask, in ticks. */
    private bid: number;
    private ask: number;
    /** Sizes by level from the best: bids[k] at bid − k ticks, asks[k] at ask + k ticks. */
    private readonly bids: Float64Array;
    private readonly asks: Float64Array;
    private now: number;
    private started = false;

    constructor(o: HftSynthOptions) {
        this.rnd = mulberry32(scrambleSeed(o.seed));
        this.tick = o.tickSize ?? 0.01;
        this.depth = o.depth ?? 10;
        this.meanTicks = Math.round((o.mid ?? 100) / this.tick);
        this.rate = o.rate ?? 200;
        this.now = o.start ?? Date.UTC(2024, 0, 2);
        this.bid = this.meanTicks - 1;
        this.ask = this.meanTicks + 1;
        this.bids = new Float64Array(this.depth);
        this.asks = new Float64Array(this.depth);
        for (let k = 0; k < this.depth; k++) {
            this.bids[k] = this.size(5);
            this.asks[k] = this.size(5);
        }
    }

    /** A size of mean about `mean` lots (geometric-like, at least 1). */
    private size(mean: number): number {
        return 1 + Math.floor(-Math.log(1 - this.rnd()) * (mean - 1));
    }

    private price(ticks: number): number {
        // Rounded to the tick's decimals, so the same level always prints the same number.
        return Math.round(ticks * this.tick * 1e8) / 1e8;
    }

    /** The next events, at most `n` (a change that would not fit whole ends the batch a row or two early). */
    next(n: number, out: HftEvents = allocEvents(n)): HftEvents {
        let i = 0;
        const emit = (kind: number, side: number, ticks: number, qty: number) => {
            out.ms[i] = this.now; out.kind[i] = kind; out.side[i] = side; out.price[i] = this.price(ticks); out.qty[i] = qty;
            i++;
        };
        if (!this.started) {
            this.started = true;
            for (let k = 0; k < this.depth && i < n; k++) emit(SNAPSHOT, 1, this.bid - k, this.bids[k]!);
            for (let k = 0; k < this.depth && i < n; k++) emit(SNAPSHOT, -1, this.ask + k, this.asks[k]!);
        }
        while (i < n) {
            // A change can emit up to three rows: keep room, or stop at n.
            if (n - i < 3) return sliceEvents(out, i);
            // Poisson arrivals: exponential gaps, kept to the microsecond.
            this.now += Math.round((-Math.log(1 - this.rnd()) / this.rate) * 1e6) / 1000;
            const u = this.rnd();
            if (u < 0.2) this.trade(emit);
            else if (u < 0.6) this.add(emit);
            else this.cancel(emit);
        }
        return out;
    }

    private trade(emit: (kind: number, side: number, ticks: number, qty: number) => void): void {
        const mid = (this.bid + this.ask) / 2;
        // Mean reversion through the flow: above the mean, sellers are likelier.
        const pBuy = Math.min(0.9, Math.max(0.1, 0.5 + 0.02 * (this.meanTicks - mid)));
        const buy = this.rnd() < pBuy;
        const book = buy ? this.asks : this.bids;
        const qty = Math.min(book[0]!, this.size(4));
        const at = buy ? this.ask : this.bid;
        emit(TRADE, buy ? 1 : -1, at, qty);
        book[0] = book[0]! - qty;
        emit(LEVEL, buy ? -1 : 1, at, book[0]!);
        if (book[0]! > 0) return;
        // The best level is used up: the next one becomes the best, a new one appears at the back.
        book.copyWithin(0, 1);
        book[this.depth - 1] = this.size(5);
        if (buy) this.ask++; else this.bid--;
        emit(LEVEL, buy ? -1 : 1, buy ? this.ask + this.depth - 1 : this.bid - this.depth + 1, book[this.depth - 1]!);
    }

    private add(emit: (kind: number, side: number, ticks: number, qty: number) => void): void {
        const bidSide = this.rnd() < 0.5;
        const book = bidSide ? this.bids : this.asks;
        const spread = this.ask - this.bid;
        if (spread > 1 && this.rnd() < 0.3) {
            // Inside the spread: a new best level; the deepest one drops off the tracked depth.
            const last = bidSide ? this.bid - this.depth + 1 : this.ask + this.depth - 1;
            book.copyWithin(1, 0, this.depth - 1);
            book[0] = this.size(3);
            if (bidSide) this.bid++; else this.ask--;
            emit(LEVEL, bidSide ? 1 : -1, last, 0);
            emit(LEVEL, bidSide ? 1 : -1, bidSide ? this.bid : this.ask, book[0]!);
            return;
        }
        const k = Math.min(this.depth - 1, Math.floor(-Math.log(1 - this.rnd()) * 2.5));
        book[k] = book[k]! + this.size(2);
        emit(LEVEL, bidSide ? 1 : -1, bidSide ? this.bid - k : this.ask + k, book[k]!);
    }

    private cancel(emit: (kind: number, side: number, ticks: number, qty: number) => void): void {
        const bidSide = this.rnd() < 0.5;
        const book = bidSide ? this.bids : this.asks;
        const k = Math.floor(this.rnd() * this.depth);
        // Never empties a level by cancelling (only trades deplete the best): a level keeps one lot.
        const take = Math.min(book[k]! - 1, this.size(2));
        if (take <= 0) return;
        book[k] = book[k]! - take;
        emit(LEVEL, bidSide ? 1 : -1, bidSide ? this.bid - k : this.ask + k, book[k]!);
    }
}

/** `n` events of a seeded synthetic market. */
export function synthHftEvents(n: number, o: HftSynthOptions): HftEvents {
    return new HftSynth(o).next(n);
}
