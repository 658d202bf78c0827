/**
 * The paper venue: a VenueAdapter that fills orders against the bars of a feed (live or replayed)
 * with the backtest's fill model (docs/backtest-semantics.md § The order of events in bar t, the
 * prices and fees of engine/compiled/broker.ts):
 * - market orders fill at the next bar's open (`next_open`), its close (`next_close`), or at once at
 *   the last close (`this_close`), price × (1 ± slippage);
 * - a buy limit P fills when low < P at min(open, P), a sell limit when high > P at max(open, P),
 *   without slippage; a buy stop when high ≥ P at max(open, P), a sell stop when low ≤ P at
 *   min(open, P), with slippage; an order is active from the first bar after it was submitted;
 * - fee = |qty| × price × fees; an asset without a bar leaves a market order unfilled (expired:
 *   it was sized for that bar, as the backtest drops it) and resting orders waiting.
 * Cash and positions are the venue's own: they answer positions() and balances().
 */
import type { JournaledOrder, OrderEvent } from './journal.js';
import type { OrderUpdate } from './order-state.js';
import type { AssetBar } from './streaming.js';
import type { Amendment, OrderRequest, VenueAdapter, VenueOrder } from './venue.js';

export interface PaperConfig {
    readonly capital: number;
    readonly fees: number;
    readonly slippage: number;
    readonly fill: 'next_open' | 'next_close' | 'this_close';
    /** The currency of cash (balances()). */
    readonly quote?: string;
}

interface Working {
    order: OrderRequest;
    state: VenueOrder['state'];
    filledQty: number;
}

const DUST = 1e-9;

export class PaperVenue implements VenueAdapter {
    readonly name = 'paper';
    private cash: number;
    private readonly pos = new Map<string, number>();
    private readonly lastClose = new Map<string, number>();
    private readonly orders = new Map<string, Working>();
    /** Open orders in submission order (the backtest checks resting orders in placement order). */
    private open: string[] = [];
    private readonly listeners = new Set<(u: OrderUpdate) => void>();
    private fills = 0;

    constructor(private readonly cfg: PaperConfig) {
        this.cash = cfg.capital;
    }

    async submit(order: OrderRequest): Promise<VenueOrder> {
        const known = this.orders.get(order.clientOrderId);
        if (known) return this.view(known); // idempotent: the same id is the same order
        const w: Working = { order, state: 'new', filledQty: 0 };
        this.orders.set(order.clientOrderId, w);
        const bad = this.invalid(order);
        if (bad) {
            w.state = 'rejected';
            this.emit({ kind: 'rejected', clientOrderId: order.clientOrderId, reason: bad });
            return this.view(w);
        }
        w.state = 'accepted';
        this.emit({ kind: 'accepted', clientOrderId: order.clientOrderId, venueOrderId: `paper-${this.orders.size}` });
        this.open.push(order.clientOrderId);
        if (order.type === 'market' && this.cfg.fill === 'this_close') {
            const c = this.lastClose.get(order.symbol);
            if (c !== undefined) this.execute(w, c, true);
            this.open = this.open.filter(id => id !== order.clientOrderId);
            if (w.state === 'accepted') this.finish(w, 'expired');
        }
        return this.view(w);
    }

    async cancel(clientOrderId: string): Promise<void> {
        const w = this.orders.get(clientOrderId);
        if (!w || !this.open.includes(clientOrderId)) return; // unknown or done: nothing to cancel
        this.open = this.open.filter(id => id !== clientOrderId);
        this.finish(w, 'cancelled');
    }

    async amend(clientOrderId: string, change: Amendment): Promise<void> {
        const w = this.orders.get(clientOrderId);
        if (!w || !this.open.includes(clientOrderId)) throw new Error(`order ${clientOrderId} is not open`);
        w.order = { ...w.order, ...(change.qty !== undefined ? { qty: change.qty } : {}), ...(change.price !== undefined ? { price: change.price } : {}) };
    }

    async openOrders(): Promise<VenueOrder[]> {
        return this.open.map(id => this.view(this.orders.get(id)!));
    }

    async positions(): Promise<Record<string, number>> {
        return Object.fromEntries([...this.pos].filter(([, q]) => q !== 0));
    }

    async balances(): Promise<Record<string, number>> {
        return { [this.cfg.quote ?? 'USD']: this.cash };
    }

    /** Cash plus positions marked at the last closes. */
    equity(): number {
        let e = this.cash;
        for (const [s, q] of this.pos) e += q * (this.lastClose.get(s) ?? 0);
        return e;
    }

    onUpdate(listener: (u: OrderUpdate) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /**
     * A closed bar of the feed (per symbol; null or absent: no bar): fills market orders at its open
     * or close, then resting orders, in submission order; expires what it must. Call it before the
     * strategy sees the bar, as the backtest fills before it decides.
     */
    onBar(ts: number, bars: Readonly<Record<string, AssetBar | null>>): void {
        const keep: string[] = [];
        for (const id of this.open) {
            const w = this.orders.get(id)!;
            const o = w.order, b = bars[o.symbol] ?? null;
            if (o.expireTs !== undefined && ts >= o.expireTs) { this.finish(w, 'expired'); continue; }
            if (o.type === 'market') {
                if (b === null) { this.finish(w, 'expired'); continue; } // sized for this bar: dropped, as in the backtest
                this.execute(w, this.cfg.fill === 'next_close' ? b.close : b.open, true);
                continue;
            }
            if (b === null) { keep.push(id); continue; }
            const buy = o.side === 'buy', P = o.price!;
            if (o.type === 'limit') {
                if (buy && b.low < P) this.execute(w, Math.min(b.open, P), false);
                else if (!buy && b.high > P) this.execute(w, Math.max(b.open, P), false);
                else keep.push(id);
            } else if (buy && b.high >= P) this.execute(w, Math.max(b.open, P), true);
            else if (!buy && b.low <= P) this.execute(w, Math.min(b.open, P), true);
            else keep.push(id);
        }
        this.open = keep;
        for (const [s, b] of Object.entries(bars)) if (b !== null && b.close === b.close) this.lastClose.set(s, b.close);
    }

    /**
     * After a restart: the venue as its journaled orders left it — cash and positions from every
     * journaled fill, open orders open again (in journal order), last closes from the feed.
     */
    restore(orders: readonly JournaledOrder[], fills: readonly OrderEvent[], lastCloses: Readonly<Record<string, number>>): void {
        const byId = new Map(orders.map(o => [o.clientOrderId, o]));
        for (const o of orders) {
            const w: Working = { order: o, state: o.state, filledQty: o.filledQty };
            this.orders.set(o.clientOrderId, w);
            if (o.state === 'new' || o.state === 'accepted' || o.state === 'partially_filled') this.open.push(o.clientOrderId);
        }
        for (const f of fills) {
            const o = byId.get(f.clientOrderId);
            if (f.kind !== 'fill' || !o) continue;
            const signed = o.side === 'buy' ? f.fillQty! : -f.fillQty!;
            this.cash -= signed * f.fillPrice! + f.fee!;
            this.pos.set(o.symbol, (this.pos.get(o.symbol) ?? 0) + signed);
            this.fills++;
        }
        for (const [k, q] of this.pos) if (Math.abs(q) * (lastCloses[k] ?? 1) < DUST) this.pos.set(k, 0);
        for (const [k, c] of Object.entries(lastCloses)) this.lastClose.set(k, c);
    }

    /** Fills every open market order now at the last close (the kill switch: a paper position is flattened at once, not at the next bar). */
    fillMarketAtLast(): void {
        const keep: string[] = [];
        for (const id of this.open) {
            const w = this.orders.get(id)!, c = this.lastClose.get(w.order.symbol);
            if (w.order.type === 'market' && c !== undefined) this.execute(w, c, true);
            else keep.push(id);
        }
        this.open = keep;
    }

    private execute(w: Working, raw: number, slip: boolean): void {
        const o = w.order;
        const held = this.pos.get(o.symbol) ?? 0;
        let qty = o.qty - w.filledQty;
        // reduce-only: never past flat, never on the side that grows the position
        if (o.reduceOnly) qty = (o.side === 'buy') === held < 0 ? Math.min(qty, Math.abs(held)) : 0;
        if (!(qty * raw >= DUST)) { this.finish(w, 'expired'); return; }
        const signed = o.side === 'buy' ? qty : -qty;
        const s = this.cfg.slippage;
        const price = slip ? (signed > 0 ? raw * (1 + s) : raw * (1 - s)) : raw;
        const fee = qty * price * this.cfg.fees;
        this.cash -= signed * price + fee;
        const after = held + signed;
        this.pos.set(o.symbol, Math.abs(after) * price < DUST ? 0 : after);
        w.filledQty += qty;
        w.state = w.filledQty >= o.qty ? 'filled' : 'partially_filled';
        this.emit({ kind: 'fill', clientOrderId: o.clientOrderId, fillId: `paper-fill-${++this.fills}`, qty, price, fee });
        if (w.state === 'partially_filled') this.finish(w, 'expired'); // reduce-only cut: the rest is not to be filled
    }

    private finish(w: Working, state: 'cancelled' | 'expired'): void {
        w.state = state;
        this.emit({ kind: state, clientOrderId: w.order.clientOrderId });
    }

    private invalid(o: OrderRequest): string | null {
        if (!(o.qty > 0) || !Number.isFinite(o.qty)) return `quantity must be a positive number, got ${o.qty}`;
        if (o.type !== 'market' && !(o.price! > 0 && Number.isFinite(o.price))) return `a ${o.type} order needs a positive price, got ${o.price}`;
        return null;
    }

    private view(w: Working): VenueOrder {
        return { ...w.order, state: w.state, filledQty: w.filledQty };
    }

    private emit(u: OrderUpdate): void {
        for (const l of this.listeners) l(u);
    }
}
