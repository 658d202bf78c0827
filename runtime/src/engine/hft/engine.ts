/**
 * The event-driven engine mode (the HFT pack; a strategy with `execution { mode: event_driven }`):
 * the same compiled program as a bar run (compiled/program.ts, every function through the one pack
 * hook), stepped once per decision over trades and L2 book updates instead of bars, with a venue
 * model in place of the bar broker. Semantics (docs/packs.md § The HFT pack § The event mode):
 *
 * - Decisions. Events of one timestamp are applied together (a trade and the book rows it changed),
 *   then the strategy decides once: the program reads the book's top levels, the trade volume of the
 *   batch, its inventory and the time (the pack's per-event columns; the bar fields are the mid, and
 *   the batch's traded volume). No decision while a side of the book is empty.
 * - Quotes. A rule whose condition holds and whose action is `buy|sell N units limit at P` asks for a
 *   quote on that side (the last such rule of a side wins). A side's quote that is asked for at the
 *   same price and size is left alone (it keeps its place in the queue); one asked for differently is
 *   cancelled and replaced; one no rule asks for is cancelled. `buy|sell N units` (market) takes the
 *   book; `flat` cancels every quote and takes the book back to no inventory.
 * - Latency. An order, a cancel or a market order reaches the venue `latency_ms` after the decision;
 *   until a cancel arrives the order can still fill. The strategy sees each fill as it happens.
 * - Queue position. A limit order that arrives joins the back of its level: the size ahead of it is
 *   the level's size then. A trade at its price by an aggressor of the other side consumes the queue
 *   ahead first; the traded size beyond it fills the order. A trade through its price (a seller below
 *   a bid) fills what is left, at the order's price. A level that shrinks without a trade (cancels)
 *   moves the order up to at most the level's new size (cancels ahead of it are assumed, as the
 *   usual risk-averse queue model does). Trades of unknown aggressor fill nothing.
 * - A limit order that would cross the book on arrival takes the levels up to its price (what is
 *   visible) and the rest is cancelled; a market order takes the visible levels, and what the book
 *   cannot take is dropped (counted in `unfilled`).
 * - Inventory limit. `risk { max_position: N units }`: an order is cut so that the inventory plus
 *   every live order of its side (in flight, resting, or being cancelled) stays within N; so the
 *   inventory never leaves [−N, N] whatever fills.
 * - Money. Fills pay `fees` (a fraction of their value); equity is cash plus inventory at the mid.
 *
 * Not supported in the event mode (refused when the run starts, saying so): `x[k]` look-backs and
 * resample() (a decision is not a bar), targets, stop orders, sizes as a fraction of equity, more
 * than one instrument.
 */
import { HFT_LEVELS } from '../../../../language/src/catalogue/hft-pack.js';
import type { NodeId, StrategyIr } from '../../../../protocol/src/ir.js';
import { fingerprints } from '../../../../language/src/ir/fingerprint.js';
import { SNAPSHOT, TRADE, type HftEvents } from '../../data/hft/events.js';
import { withParamValues } from '../compiled/index.js';
import { closure, compileProgram, type Columns } from '../compiled/program.js';
import { COLUMNS } from '../compiled/scope.js';
import { evalScalar } from '../ir-scalar.js';
import { bindParams } from '../params.js';
import { BacktestError } from '../types.js';
import { OrderBook } from './book.js';

export const EVENT_ENGINE_VERSION = 'events-2';

export interface EventRunOptions {
    readonly params?: Readonly<Record<string, number | boolean>>;
    /** Overrides the strategy's `latency_ms`. */
    readonly latencyMs?: number;
    /** Fills kept in the result (all are counted); default 100,000. */
    readonly keepFills?: number;
    /** Record every feature's value at each decision (result.trace): for tests and inspection of short runs. */
    readonly trace?: boolean;
}

export interface HftFill {
    readonly ms: number;
    /** 1 bought, −1 sold. */
    readonly side: number;
    readonly price: number;
    readonly qty: number;
    /** True for a resting limit order's fill (it provided liquidity). */
    readonly maker: boolean;
}

export interface EventRunResult {
    readonly strategy: string;
    readonly events: number;
    readonly decisions: number;
    readonly fills: readonly HftFill[];
    readonly fillCount: number;
    readonly ordersSent: number;
    readonly cancelsSent: number;
    /** Market-order quantity the book could not take. */
    readonly unfilled: number;
    readonly inventory: number;
    readonly maxAbsInventory: number;
    readonly cash: number;
    readonly feesPaid: number;
    /** Cash plus inventory at the last mid (starting from 0). */
    readonly pnl: number;
    /** Equity (pnl) at the first decision of each second: [ms, pnl] pairs. */
    readonly equity: { readonly ms: number[]; readonly pnl: number[] };
    readonly params: Readonly<Record<string, number | boolean>>;
    /** With options.trace: each decision's time and every feature's value then (NaN: undefined). */
    readonly trace?: { readonly ms: number[]; readonly features: Readonly<Record<string, number[]>> };
    readonly provenance: { readonly exactFingerprint: string; readonly structuralFingerprint: string; readonly engineVersion: string };
}

/** One of the strategy's orders at (or on its way to) the venue. */
interface Order {
    readonly side: number;
    readonly price: number;
    /** What the strategy asked for (before the inventory cut): a quote asked for again at this size is unchanged. */
    readonly requested: number;
    remaining: number;
    readonly market: boolean;
    arriveMs: number;
    cancelMs: number;
    /** 0 on its way, 1 resting, 2 done. */
    state: number;
    queueAhead: number;
}

interface QuoteAction { readonly side: number; readonly size: NodeId; readonly price: NodeId | null; readonly market: boolean }
interface EventRule { readonly condition: NodeId; readonly quotes: readonly QuoteAction[]; readonly flat: boolean }

const col = (name: string): number => (COLUMNS as readonly string[]).indexOf(name);

/** Whether a strategy asks for the event mode (`execution { mode: event_driven }`). */
export function isEventDriven(ir: StrategyIr): boolean {
    const m = ir.execution['mode'];
    return m !== undefined && evalScalar(ir, m.value, {}) === 'event_driven';
}

function refuse(what: string): never {
    throw new BacktestError(`the event-driven mode (execution { mode: event_driven }) ${what}`);
}

/** The strategy's rules as the event mode reads them, or a refusal naming what it cannot run. */
function eventRules(ir: StrategyIr): EventRule[] {
    if (ir.universe.length !== 1) refuse(`runs one instrument; the universe has ${ir.universe.length}`);
    if (ir.portfolio && ir.portfolio.allocations.length > 0) refuse('has no portfolio block; quote with buy/sell … limit');
    return ir.rules.map(r => {
        const quotes: QuoteAction[] = [];
        let flat = false;
        for (const a of r.actions) {
            if (a.kind === 'flat') { flat = true; continue; }
            if (a.kind === 'target') refuse('has no targets; quote with `buy 1 units limit at best_bid()` or take with `buy 1 units`');
            if (a.type === 'stop') refuse('has no stop orders');
            if (!a.quantity) refuse(`takes sizes in units (\`${a.side} 1 units …\`), not as a fraction of equity`);
            if (a.type === 'limit' && a.price === null) refuse(`needs the price of a limit order (\`${a.side} 1 units limit at best_bid()\`)`);
            quotes.push({ side: a.side === 'buy' ? 1 : -1, size: a.size, price: a.type === 'limit' ? a.price : null, market: a.type === 'market' });
        }
        return { condition: r.condition, quotes, flat };
    });
}

/** Runs a strategy over tick events. Events are in time order (data/hft/store.ts loadHftEvents, synth.ts). */
export function runEvents(ir: StrategyIr, events: HftEvents | Iterable<HftEvents>, options: EventRunOptions = {}): EventRunResult {
    const run = new EventRun(ir, options);
    if ('n' in events) run.feed(events as HftEvents);
    else for (const chunk of events) run.feed(chunk);
    return run.finish();
}

/** A run fed chunk by chunk (a benchmark's 10M events need not be in memory at once). */
export class EventRun {
    private readonly book = new OrderBook();
    private readonly orders: Order[] = [];
    private readonly rules: EventRule[];
    private readonly params: Readonly<Record<string, number | boolean>>;
    private readonly V: Float64Array;
    private readonly step: (t: number, a0: number, a1: number) => void;
    private readonly C: Float64Array[];
    private readonly latency: number;
    private readonly fees: number;
    private readonly maxPos: number;
    private readonly keepFills: number;
    private readonly cTime = col('hft_time');
    private readonly cTrade = col('hft_trade_qty');
    private readonly cInv = col('hft_inventory');
    private readonly cBidPx = col('hft_bid_px_1');
    private readonly cAskPx = col('hft_ask_px_1');
    private readonly cBidSz = col('hft_bid_sz_1');
    private readonly cAskSz = col('hft_ask_sz_1');
    // Per side (index 0 buy, 1 sell): the quote asked for at this decision.
    private readonly wantPx = new Float64Array(2);
    private readonly wantQty = new Float64Array(2);
    private readonly marketQty = new Float64Array(2);

    private events = 0;
    private decisions = 0;
    private inventory = 0;
    private maxAbs = 0;
    private cash = 0;
    private feesPaid = 0;
    private unfilled = 0;
    private ordersSent = 0;
    private cancelsSent = 0;
    private fillCount = 0;
    private readonly fills: HftFill[] = [];
    private batchTrade = 0;
    private batchVolume = 0;
    private lastMid = NaN;
    private lastSecond = -Infinity;
    private prevKind = -1;
    private prevMs = NaN;
    private readonly eqMs: number[] = [];
    private readonly eqPnl: number[] = [];
    /** A batch of same-time events is waiting for its decision (at the next event of another time, or at the end). */
    private pending = false;
    private pendingMs = NaN;
    private readonly traced: { ms: number[]; features: Record<string, number[]> } | undefined;

    constructor(private readonly ir: StrategyIr, options: EventRunOptions) {
        this.rules = eventRules(ir);
        this.params = bindParams(ir, options.params);
        const num = (id: NodeId | undefined, fallback: number): number => {
            if (id === undefined) return fallback;
            const v = evalScalar(ir, id, this.params);
            return typeof v === 'number' ? v : fallback;
        };
        this.latency = options.latencyMs ?? num(ir.execution['latency_ms']?.value, 0);
        if (!(this.latency >= 0) || !Number.isFinite(this.latency)) refuse(`needs a latency of 0 ms or more, got ${this.latency}`);
        this.fees = num(ir.execution['fees']?.value, 0);
        const maxPos = ir.risk['max_position'];
        if (maxPos && !maxPos.quantity) refuse('takes max_position in units (`max_position: 5 units`)');
        this.maxPos = maxPos ? num(maxPos.value, Infinity) : Infinity;
        this.keepFills = options.keepFills ?? 100_000;

        const live = [...new Set(this.rules.flatMap(r => [r.condition, ...r.quotes.flatMap(q => (q.price === null ? [q.size] : [q.size, q.price]))]))];
        this.traced = options.trace ? { ms: [], features: Object.fromEntries(Object.keys(ir.features).map(f => [f, []])) } : undefined;
        if (options.trace) live.push(...Object.values(ir.features));
        for (const id of closure(ir, live, false)) {
            const n = ir.nodes[id]!;
            if (n.op === 'index') refuse('has no `x[k]` look-backs (a decision is not a bar); use the pack\'s time windows (trade_imbalance, realized_vol)');
            if (n.op === 'call' && n.attrs['fn'] === 'resample') refuse('has no resample()');
        }
        const prog = compileProgram({ ir, params: this.params, N: 1, aliases: new Map(), clockMs: ir.timeframe.ms }, live);
        // One value per column: every decision writes them at index 0 and steps "bar" 0. Nothing in the
        // program reads a column at another index once look-backs are refused (indicators keep their own state).
        this.C = COLUMNS.map(() => new Float64Array(1).fill(NaN));
        prog.bind(this.C as Columns, new Float64Array(1));
        this.V = prog.V;
        this.step = prog.step;
    }

    feed(e: HftEvents): void {
        const { ms, kind, side, price, qty } = e;
        const book = this.book;
        for (let i = 0; i < e.n; i++) {
            const now = ms[i]!;
            if (this.pending && now !== this.pendingMs) this.decide(this.pendingMs);
            if (this.orders.length > 0) this.venue(now);
            const k = kind[i]!;
            if (k === TRADE) {
                const s = side[i]!, p = price[i]!, q = qty[i]!;
                this.batchTrade += s * q;
                this.batchVolume += q;
                if (this.orders.length > 0 && s !== 0) this.tradeFills(now, s, p, q);
            } else {
                if (k === SNAPSHOT && !(this.prevKind === SNAPSHOT && this.prevMs === now)) book.clear();
                book.set(side[i]!, price[i]!, qty[i]!);
                if (this.orders.length > 0) this.levelChanged(side[i]!, price[i]!);
            }
            this.prevKind = k; this.prevMs = now;
            this.pending = true; this.pendingMs = now;
            this.events++;
        }
    }

    finish(): EventRunResult {
        if (this.pending) this.decide(this.pendingMs);
        const fp = fingerprints(withParamValues(this.ir, this.params));
        const pnl = this.cash + (this.inventory !== 0 ? this.inventory * this.lastMid : 0);
        return {
            strategy: this.ir.strategy, events: this.events, decisions: this.decisions,
            fills: this.fills, fillCount: this.fillCount, ordersSent: this.ordersSent, cancelsSent: this.cancelsSent,
            unfilled: this.unfilled, inventory: this.inventory, maxAbsInventory: this.maxAbs,
            cash: this.cash, feesPaid: this.feesPaid, pnl,
            equity: { ms: this.eqMs, pnl: this.eqPnl },
            params: this.params,
            ...(this.traced ? { trace: this.traced } : {}),
            provenance: { exactFingerprint: fp.exact, structuralFingerprint: fp.structural, engineVersion: EVENT_ENGINE_VERSION },
        };
    }

    private fill(now: number, o: Order, price: number, qty: number, maker: boolean): void {
        if (qty <= 0) return;
        o.remaining -= qty;
        if (o.remaining <= 1e-12) { o.remaining = 0; o.state = 2; }
        this.inventory += o.side * qty;
        const a = Math.abs(this.inventory);
        if (a > this.maxAbs) this.maxAbs = a;
        const fee = price * qty * this.fees;
        this.cash -= o.side * price * qty + fee;
        this.feesPaid += fee;
        this.fillCount++;
        if (this.fills.length < this.keepFills) this.fills.push({ ms: now, side: o.side, price, qty, maker });
    }

    /** Orders and cancels that have reached the venue by `now`. */
    private venue(now: number): void {
        const orders = this.orders;
        for (const o of orders) {
            if (o.state === 0 && o.arriveMs <= now) this.arrive(now, o);
            if (o.state !== 2 && o.cancelMs <= now) o.state = 2;
        }
        let w = 0;
        for (const o of orders) if (o.state !== 2) orders[w++] = o;
        orders.length = w;
    }

    private arrive(now: number, o: Order): void {
        const book = this.book, opp = -o.side;
        // Take what the book shows up to the limit (market: any price).
        for (let i = 0; o.remaining > 0; ) {
            const p = book.price(opp, i);
            if (p !== p || (!o.market && (o.side === 1 ? p > o.price : p < o.price))) break;
            const take = Math.min(o.remaining, book.size(opp, i));
            // The book is the data's: our taking does not change it, so look at the next level for the rest.
            this.fill(now, o, p, take, false);
            i++;
        }
        if (o.market || o.remaining > 0 && this.crosses(o)) {
            if (o.market) this.unfilled += o.remaining;
            o.state = 2;
            return;
        }
        if (o.state === 2) return;
        o.state = 1;
        o.queueAhead = book.qtyAt(o.side, o.price);
    }

    /** A limit order priced through the opposite best (it took what it could; the rest is cancelled). */
    private crosses(o: Order): boolean {
        const best = this.book.price(-o.side, 0);
        return best === best && (o.side === 1 ? o.price >= best : o.price <= best);
    }

    /** A trade by an aggressor of side `s` at price p, size q: resting orders of the other side fill through their queue. */
    private tradeFills(now: number, s: number, p: number, q: number): void {
        for (const o of this.orders) {
            if (o.state !== 1 || o.side !== -s) continue;
            // A seller hits bids: a trade below our bid went through our price; at it, the queue goes first.
            const through = o.side === 1 ? p < o.price : p > o.price;
            if (through) { this.fill(now, o, o.price, o.remaining, true); continue; }
            if (p !== o.price) continue;
            if (q > o.queueAhead) {
                this.fill(now, o, o.price, Math.min(o.remaining, q - o.queueAhead), true);
                o.queueAhead = 0;
            } else {
                o.queueAhead -= q;
            }
        }
    }

    /** A level's size changed: an order there is at most that far from the front. */
    private levelChanged(side: number, price: number): void {
        const size = this.book.qtyAt(side, price);
        for (const o of this.orders) if (o.state === 1 && o.side === side && o.price === price && o.queueAhead > size) o.queueAhead = size;
    }

    private decide(now: number): void {
        this.pending = false;
        const book = this.book, C = this.C;
        const bid = book.price(1, 0), ask = book.price(-1, 0);
        const trade = this.batchTrade, volume = this.batchVolume;
        this.batchTrade = 0; this.batchVolume = 0;
        if (bid !== bid || ask !== ask) return;
        const mid = (bid + ask) / 2;
        this.lastMid = mid;
        C[0]![0] = mid; C[1]![0] = mid; C[2]![0] = mid; C[3]![0] = mid; C[4]![0] = volume;
        C[this.cTime]![0] = now;
        C[this.cTrade]![0] = trade;
        C[this.cInv]![0] = this.inventory;
        for (let i = 0; i < HFT_LEVELS; i++) {
            C[this.cBidPx + i]![0] = book.price(1, i);
            C[this.cAskPx + i]![0] = book.price(-1, i);
            C[this.cBidSz + i]![0] = book.size(1, i);
            C[this.cAskSz + i]![0] = book.size(-1, i);
        }
        this.step(0, 0, 1);
        this.decisions++;
        if (this.traced) {
            this.traced.ms.push(now);
            for (const [f, id] of Object.entries(this.ir.features)) this.traced.features[f]!.push(this.V[id]!);
        }
        const sec = Math.floor(now / 1000);
        if (sec !== this.lastSecond) {
            this.lastSecond = sec;
            this.eqMs.push(now);
            this.eqPnl.push(this.cash + this.inventory * mid);
        }
        this.act(now);
    }

    private act(now: number): void {
        const V = this.V;
        this.wantPx.fill(NaN); this.wantQty.fill(0); this.marketQty.fill(0);
        let flat = false;
        for (const r of this.rules) {
            if (V[r.condition] !== 1) continue;
            if (r.flat) flat = true;
            for (const q of r.quotes) {
                const k = q.side === 1 ? 0 : 1;
                const size = V[q.size]!;
                if (!(size > 0)) continue;
                if (q.market) { this.marketQty[k] = this.marketQty[k]! + size; continue; }
                this.wantPx[k] = V[q.price!]!;
                this.wantQty[k] = size;
            }
        }
        if (flat) {
            for (const o of this.orders) this.cancel(now, o);
            if (this.inventory !== 0) this.send(now, this.inventory > 0 ? -1 : 1, NaN, Math.abs(this.inventory), true);
            return;
        }
        for (const side of [1, -1]) {
            const k = side === 1 ? 0 : 1;
            const px = this.wantPx[k]!, qty = this.wantQty[k]!;
            const want = px === px && px > 0 && qty > 0;
            let kept = false;
            for (const o of this.orders) {
                // A quote filled in full (still listed until the venue's next pass) is no quote: ask again.
                if (o.side !== side || o.market || o.state === 2 || o.cancelMs !== Infinity) continue;
                if (want && !kept && o.price === px && o.requested === qty) { kept = true; continue; }
                this.cancel(now, o);
            }
            if (want && !kept) this.send(now, side, px, qty, false);
            if (this.marketQty[k]! > 0) this.send(now, side, NaN, this.marketQty[k]!, true);
        }
    }

    private cancel(now: number, o: Order): void {
        if (o.cancelMs !== Infinity || o.state === 2) return;
        o.cancelMs = now + this.latency;
        this.cancelsSent++;
    }

    /** Sends an order, cut so the inventory plus every live order of its side stays within max_position. */
    private send(now: number, side: number, price: number, requested: number, market: boolean): void {
        let live = side * this.inventory;
        for (const o of this.orders) if (o.side === side && o.state !== 2) live += o.remaining;
        const qty = Math.min(requested, this.maxPos - live);
        if (!(qty > 0)) return;
        this.orders.push({ side, price, requested, remaining: qty, market, arriveMs: now + this.latency, cancelMs: Infinity, state: 0, queueAhead: 0 });
        this.ordersSent++;
    }
}
