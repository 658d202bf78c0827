/**
 * The ccxt venue adapter: the VenueAdapter interface (venue.ts) over any ccxt exchange (spot), so a
 * deployment trades on a real venue (or the local stand-in) with the user's keys.
 *
 * - Idempotency: our client order id goes to the venue as its clientOrderId. A submit that fails on
 *   the way (HTTP 429, 5xx, a dropped connection: the order may or may not have arrived) is retried
 *   with exponential back-off, and before each retry the order is looked up by that id: found, it is
 *   the order; only when the venue says it has no such order is it sent again. Never two orders.
 * - A refusal (insufficient funds, a filter, the venue's rejection) is the order's `rejected` state
 *   with the venue's own words as the reason.
 * - Updates: fills from watchMyTrades (each known by the venue's trade id, emitted once, whatever
 *   the stream repeats or reorders; the journal counts a fill id once too) and statuses from
 *   watchOrders where the venue has them; otherwise, and as the safety net, polling. The REST answer
 *   of a submit reports what it already knows (accepted, immediate fills) so nothing waits on a socket.
 * - Reconcile — on connect, after every stream error (a reconnect), every `reconcileMs`: each order
 *   not yet final is read from the venue by client order id (state, and the trades of it that we
 *   have not seen), so what happened while the socket was down is found. An order the venue never
 *   received (a crash between journal and send) becomes `rejected` saying so: never silently stuck.
 * - Amend: the venue's editOrder (Binance: cancel-replace) keeping our client order id, else cancel
 *   then new order with the same id; the cancelled venue order's updates are not ours any more.
 * Positions are spot balances of each symbol's base currency; balances are free amounts.
 * Keys are held by the ccxt object only: never logged, never in an error we raise.
 */
import type { Exchange, Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import type { OrderState, OrderUpdate } from '../order-state.js';
import type { Amendment, OrderRequest, VenueAdapter, VenueOrder } from '../venue.js';
import { ccxtErrors, createExchange, type CcxtConnection } from './ccxt-exchange.js';

export interface CcxtVenueConfig extends CcxtConnection {
    /** Unified symbols traded (BTC/USDT …): their base balances are the positions. */
    readonly symbols: readonly string[];
    /** 'stream' (default where the venue has watchMyTrades) or 'poll'. */
    readonly mode?: 'stream' | 'poll';
    /** Polling period, and the reconcile period in stream mode (ms; defaults 1000 and 30 000). */
    readonly pollMs?: number;
    readonly reconcileMs?: number;
    /** Attempts after the first on a transient failure (default 5), first back-off (default 250 ms, doubling, at most 8 s). */
    readonly retries?: number;
    readonly backoffMs?: number;
    /** Problems the adapter worked around (a stream error, a retry): for the deployment's log. */
    readonly onNotice?: (message: string) => void;
}

/** An order a journal holds, with its state there (beyond `new`: the venue had it). */
export type KnownOrder = OrderRequest & { readonly state?: OrderState; readonly filledQty?: number };

/** The venue could not be reached for an order: its fate is unknown until the next reconcile. */
export class VenueUnavailableError extends Error {}

interface Tracked {
    request: OrderRequest;
    venueId?: string;
    state: VenueOrder['state'];
    filledQty: number;
    /** Something beyond `new` was emitted (accepted or a fill): a late `accepted` is not sent. */
    progressed: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));
const FINAL = new Set(['filled', 'cancelled', 'rejected', 'expired']);

export class CcxtVenue implements VenueAdapter {
    readonly name: string;
    private readonly orders = new Map<string, Tracked>();
    /** Venue order ids replaced by an amend: their cancel is not our order's. */
    private readonly replaced = new Set<string>();
    private readonly seenFills = new Set<string>();
    private readonly listeners = new Set<(u: OrderUpdate) => void>();
    private running = true;
    private reconciling: Promise<void> | undefined;
    private timers: NodeJS.Timeout[] = [];
    private readonly loops: Promise<void>[] = [];
    private errors!: Awaited<ReturnType<typeof ccxtErrors>>;

    private constructor(private readonly ex: Exchange, private readonly c: CcxtVenueConfig) {
        this.name = `ccxt:${c.exchange}`;
    }

    /**
     * Connects (markets, streams), takes over the orders a journal still holds open, and reconciles
     * them before returning; `listener` hears what that first reconcile finds.
     */
    static async connect(c: CcxtVenueConfig, known: readonly KnownOrder[] = [], listener?: (u: OrderUpdate) => void): Promise<CcxtVenue> {
        const v = new CcxtVenue(await createExchange(c), c);
        if (listener) v.onUpdate(listener);
        v.errors = await ccxtErrors();
        await v.call('loading the markets', () => v.ex.loadMarkets());
        for (const s of c.symbols) if (!v.ex.markets?.[s]) throw new Error(`${c.exchange} has no spot market ${s}`);
        v.adopt(known);
        await v.reconcile();
        const stream = (c.mode ?? 'stream') === 'stream' && v.ex.has['watchMyTrades'] === true;
        if (stream) {
            v.loops.push(v.watch('trades', () => v.ex.watchMyTrades(), ts => { for (const t of ts) v.onTrade(t); }));
            if (v.ex.has['watchOrders']) v.loops.push(v.watch('orders', () => v.ex.watchOrders(), os => { for (const o of os) v.onOrder(o, false); }));
        }
        const every = stream ? c.reconcileMs ?? 30_000 : c.pollMs ?? 1000;
        const t = setInterval(() => { void v.reconcile().catch(e => v.notice(`reconcile failed: ${msg(e)}`)); }, every);
        t.unref();
        v.timers.push(t);
        return v;
    }

    /**
     * Takes over orders a journal holds open (after a restart), with the fills it already has (by fill
     * id: not emitted again); the next reconcile reads each from the venue by client order id.
     */
    adopt(known: readonly KnownOrder[], fillIds: Iterable<string> = []): void {
        for (const f of fillIds) this.seenFills.add(f);
        for (const o of known) {
            if (this.orders.has(o.clientOrderId)) continue;
            // Journaled orders: their own fields only (a JournaledOrder carries its book-keeping too).
            const request: OrderRequest = { clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, type: o.type, qty: o.qty, ...(o.price !== undefined ? { price: o.price } : {}) };
            const progressed = o.state !== undefined && o.state !== 'new';
            this.orders.set(o.clientOrderId, { request, state: progressed ? 'accepted' : 'new', filledQty: o.filledQty ?? 0, progressed });
        }
    }

    onUpdate(listener: (u: OrderUpdate) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    async submit(order: OrderRequest): Promise<VenueOrder> {
        const known = this.orders.get(order.clientOrderId);
        if (known) return this.view(known);
        const t: Tracked = { request: order, state: 'new', filledQty: 0, progressed: false };
        this.orders.set(order.clientOrderId, t);
        if (order.type === 'stop') return this.reject(t, 'the ccxt adapter sends market and limit orders; a stop order is not sent to the venue');
        const retries = this.c.retries ?? 5;
        let last: unknown;
        for (let attempt = 0; attempt <= retries; attempt++) {
            if (attempt > 0) {
                await sleep(this.backoff(attempt - 1));
                // It may have arrived although the answer did not: look before sending again.
                const found = await this.lookup(t).catch((e: unknown) => { last = e; return 'unknown' as const; });
                if (found === 'unknown') continue;
                if (found) { this.absorb(t, found); return this.view(t); }
            }
            try {
                const r = await this.ex.createOrder(order.symbol, order.type, order.side, order.qty, order.price, { clientOrderId: order.clientOrderId });
                this.absorb(t, r);
                return this.view(t);
            } catch (e) {
                last = e;
                if (this.transient(e) || /duplicate order/i.test(msg(e))) { this.notice(`submit ${order.clientOrderId}: ${venueWords(e)}; retrying`); continue; }
                if (e instanceof this.errors.ExchangeError) return this.reject(t, venueWords(e));
                throw e;
            }
        }
        throw new VenueUnavailableError(`${this.name}: order ${order.clientOrderId} not confirmed after ${retries + 1} attempts (${venueWords(last)}); it is looked up again at the next reconcile`);
    }

    async cancel(clientOrderId: string): Promise<void> {
        const t = this.orders.get(clientOrderId);
        if (!t || FINAL.has(t.state)) return;
        try {
            const r = await this.call(`cancelling ${clientOrderId}`, () => this.ex.cancelOrder(t.venueId!, t.request.symbol, { origClientOrderId: clientOrderId }));
            this.onOrder(r, true);
        } catch (e) {
            if (!(e instanceof this.errors.OrderNotFound)) throw e;
            await this.reconcileOne(t); // already done at the venue: learn how
        }
    }

    async amend(clientOrderId: string, change: Amendment): Promise<void> {
        const t = this.orders.get(clientOrderId);
        if (!t || FINAL.has(t.state)) throw new Error(`order ${clientOrderId} is not open`);
        const r = t.request;
        const qty = (change.qty ?? r.qty) - t.filledQty, price = change.price ?? r.price;
        const old = t.venueId!;
        this.replaced.add(old);
        try {
            const next = this.ex.has['editOrder']
                ? await this.call(`amending ${clientOrderId}`, () => this.ex.editOrder(old, r.symbol, r.type, r.side, qty, price, { newClientOrderId: clientOrderId, cancelReplaceMode: 'STOP_ON_FAILURE' }))
                : await (async () => {
                    await this.call(`cancelling ${clientOrderId} to replace it`, () => this.ex.cancelOrder(old, r.symbol));
                    return this.call(`replacing ${clientOrderId}`, () => this.ex.createOrder(r.symbol, r.type, r.side, qty, price, { clientOrderId }));
                })();
            t.request = { ...r, ...(change.qty !== undefined ? { qty: change.qty } : {}), ...(price !== undefined ? { price } : {}) };
            t.venueId = next.id;
        } catch (e) {
            this.replaced.delete(old);
            throw e;
        }
    }

    async openOrders(): Promise<VenueOrder[]> {
        const open = await this.call('listing open orders', () => this.ex.fetchOpenOrders());
        return open.filter(o => o.clientOrderId).map(o => {
            const cid = o.clientOrderId!;
            let t = this.orders.get(cid);
            if (!t) { // not ours from this session (placed before a restart): known from now on
                t = { request: { clientOrderId: cid, symbol: o.symbol ?? '', side: o.side === 'sell' ? 'sell' : 'buy', type: o.type === 'limit' ? 'limit' : 'market', qty: o.amount ?? 0, ...(o.price ? { price: o.price } : {}) }, venueId: o.id, state: 'accepted', filledQty: o.filled ?? 0, progressed: true };
                this.orders.set(cid, t);
            }
            return this.view(t);
        });
    }

    /** The quantity truncated to the market's amount precision (ccxt's own rounding); 0 below it. */
    roundQty(symbol: string, qty: number): number {
        try {
            return Number(this.ex.amountToPrecision(symbol, qty));
        } catch {
            return 0; // below the smallest amount the market takes
        }
    }

    async positions(): Promise<Record<string, number>> {
        const b = await this.call('reading balances', () => this.ex.fetchBalance());
        const out: Record<string, number> = {};
        for (const s of this.c.symbols) {
            const q = Number((b.total as unknown as Record<string, number | undefined>)[this.market(s).base] ?? 0);
            if (q !== 0) out[s] = q;
        }
        return out;
    }

    async balances(): Promise<Record<string, number>> {
        const b = await this.call('reading balances', () => this.ex.fetchBalance());
        const quotes = new Set(this.c.symbols.map(s => this.market(s).quote));
        const free = b.free as unknown as Record<string, number | undefined>;
        return Object.fromEntries([...quotes].map(q => [q, Number(free[q] ?? 0)]));
    }

    /** The venue's order under our client id (null: none), followed from now on; its state and fills come with the next reconcile. */
    async find(clientOrderId: string, symbol: string): Promise<VenueOrder | null> {
        const known = this.orders.get(clientOrderId);
        if (known) return this.view(known);
        const probe: Tracked = { request: { clientOrderId, symbol, side: 'buy', type: 'market', qty: 0 }, state: 'new', filledQty: 0, progressed: false };
        const o = await this.lookup(probe);
        if (!o) return null;
        const request: OrderRequest = { clientOrderId, symbol, side: o.side === 'sell' ? 'sell' : 'buy', type: o.type === 'limit' ? 'limit' : 'market', qty: o.amount ?? 0, ...(o.type === 'limit' && o.price ? { price: o.price } : {}) };
        const t: Tracked = { request, state: 'new', filledQty: 0, progressed: false };
        this.orders.set(clientOrderId, t);
        return this.view(t);
    }

    /** Every order not yet final, read from the venue: its state and the fills not seen yet. One at a time. */
    reconcile(): Promise<void> {
        if (!this.reconciling) {
            const run = (async () => {
                await Promise.resolve(); // assigned below before it can finish
                for (const t of [...this.orders.values()]) if (!FINAL.has(t.state)) await this.reconcileOne(t);
            })();
            this.reconciling = run.finally(() => { if (this.reconciling === done) this.reconciling = undefined; });
            const done = this.reconciling;
        }
        return this.reconciling;
    }

    async close(): Promise<void> {
        this.running = false;
        for (const t of this.timers) clearInterval(t);
        await this.ex.close().catch(() => undefined);
        await Promise.allSettled(this.loops);
    }

    // ---- internals

    private async reconcileOne(t: Tracked): Promise<void> {
        const o = await this.lookup(t);
        if (o === null) {
            // The venue has never heard of it: it was journaled but never arrived.
            if (!t.progressed) this.reject(t, `${this.name} has no order with client id ${t.request.clientOrderId}: it never reached the venue (not sent again)`);
            return;
        }
        t.venueId ??= o.id;
        if ((o.filled ?? 0) > t.filledQty + 1e-12) {
            const trades = await this.call(`reading the fills of ${t.request.clientOrderId}`, () => this.ex.fetchMyTrades(t.request.symbol, o.timestamp ? o.timestamp - 1 : undefined, undefined, { orderId: o.id }));
            this.absorb(t, { ...o, trades: trades.filter(x => x.order === o.id) });
        } else this.absorb(t, o);
    }

    /** The order at the venue by our client id, or null when the venue says it has none. */
    private async lookup(t: Tracked): Promise<CcxtOrder | null> {
        try {
            return await this.call(`looking up ${t.request.clientOrderId}`, () => this.ex.fetchOrder(undefined as unknown as string, t.request.symbol, { origClientOrderId: t.request.clientOrderId }));
        } catch (e) {
            if (e instanceof this.errors.OrderNotFound) return null;
            throw e;
        }
    }

    /** What an order answer tells: accepted (once, before any fill), its fills, a final status. */
    private absorb(t: Tracked, o: CcxtOrder): void {
        t.venueId ??= o.id;
        if (!t.progressed && o.status !== 'rejected') {
            t.progressed = true;
            t.state = 'accepted';
            this.emit({ kind: 'accepted', clientOrderId: t.request.clientOrderId, venueOrderId: o.id });
        }
        for (const tr of o.trades ?? []) this.onTrade(tr, t);
        this.onOrder(o, true);
    }

    private onOrder(o: CcxtOrder, fromRest: boolean): void {
        const cid = o.clientOrderId;
        const t = cid ? this.orders.get(cid) : undefined;
        if (!t || this.replaced.has(String(o.id)) || (t.venueId !== undefined && o.id !== t.venueId)) return;
        if (!fromRest && !t.progressed && o.status === 'open') {
            t.progressed = true;
            t.state = 'accepted';
            this.emit({ kind: 'accepted', clientOrderId: cid!, venueOrderId: o.id });
        }
        const final = o.status === 'canceled' ? 'cancelled' : o.status === 'expired' ? 'expired' : o.status === 'rejected' ? 'rejected' : undefined;
        if (!final || FINAL.has(t.state)) return;
        t.state = final;
        if (final === 'rejected') this.emit({ kind: 'rejected', clientOrderId: cid!, reason: `${this.name} rejected the order` });
        else this.emit({ kind: final, clientOrderId: cid!, venueOrderId: o.id });
    }

    private onTrade(tr: CcxtTrade, known?: Tracked): void {
        const info = (tr.info ?? {}) as Record<string, unknown>;
        const cid = known?.request.clientOrderId ?? [info['C'], info['c']].find(x => typeof x === 'string' && this.orders.has(x)) as string | undefined
            ?? [...this.orders.entries()].find(([, t]) => t.venueId !== undefined && t.venueId === tr.order)?.[0];
        const t = cid ? this.orders.get(cid) : undefined;
        if (!t || tr.id === undefined) return; // not ours: a reconcile finds ours
        const fillId = `${tr.symbol ?? t.request.symbol}:${tr.id}`;
        if (this.seenFills.has(fillId)) return;
        this.seenFills.add(fillId);
        const qty = Number(tr.amount), price = Number(tr.price), fee = Number(tr.fee?.cost ?? 0);
        const feeQuote = tr.fee?.currency === this.market(t.request.symbol).base ? fee * price : fee;
        t.progressed = true;
        t.filledQty += qty;
        if (!FINAL.has(t.state)) t.state = t.filledQty >= t.request.qty * (1 - 1e-9) ? 'filled' : 'partially_filled';
        this.emit({ kind: 'fill', clientOrderId: cid!, fillId, qty, price, fee: feeQuote });
    }

    private market(symbol: string): { base: string; quote: string } {
        const m = this.ex.markets?.[symbol];
        if (!m) throw new Error(`${this.name} has no market ${symbol}`);
        return m;
    }

    private reject(t: Tracked, reason: string): VenueOrder {
        t.state = 'rejected';
        this.emit({ kind: 'rejected', clientOrderId: t.request.clientOrderId, reason });
        return this.view(t);
    }

    /** A stream loop: on error (the socket dropped), back off, reconcile over REST, subscribe again. */
    private async watch<T>(what: string, next: () => Promise<T[]>, handle: (xs: T[]) => void): Promise<void> {
        let failures = 0;
        while (this.running) {
            try {
                handle(await next());
                failures = 0;
            } catch (e) {
                if (!this.running) return;
                this.notice(`${what} stream: ${venueWords(e)}; reconnecting`);
                await sleep(this.backoff(failures++));
                await this.reconcile().catch(err => this.notice(`reconcile failed: ${msg(err)}`));
            }
        }
    }

    /** One REST call with back-off on transient failures (reads are safe to repeat). */
    private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
        const retries = this.c.retries ?? 5;
        for (let attempt = 0; ; attempt++) {
            try {
                return await fn();
            } catch (e) {
                if (!this.transient(e) || attempt >= retries) throw e instanceof Error ? e : new Error(`${what}: ${String(e)}`);
                this.notice(`${what}: ${venueWords(e)}; retrying`);
                await sleep(this.backoff(attempt));
            }
        }
    }

    /** 429, 5xx, timeouts, dropped connections: the request may be repeated (after a look-up for orders). */
    private transient(e: unknown): boolean {
        return e instanceof this.errors.OperationFailed;
    }

    private backoff(attempt: number): number {
        return Math.min(8000, (this.c.backoffMs ?? 250) * 2 ** attempt);
    }

    private notice(m: string): void {
        this.c.onNotice?.(`${this.name}: ${m}`);
    }

    private view(t: Tracked): VenueOrder {
        return { ...t.request, state: t.state, filledQty: t.filledQty };
    }

    private emit(u: OrderUpdate): void {
        for (const l of this.listeners) l(u);
    }
}

function msg(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

/** The venue's own words from a ccxt error ("binance {"code":-2010,"msg":"…"}" → "… (code -2010)"), one line. */
export function venueWords(e: unknown): string {
    const m = msg(e).split('\n')[0]!;
    const json = /\{.*\}\s*$/.exec(m)?.[0];
    if (json) {
        try {
            const b = JSON.parse(json) as Record<string, unknown>;
            const text = b['msg'] ?? b['message'];
            if (typeof text === 'string') return b['code'] !== undefined ? `${text} (code ${String(b['code'])})` : text;
        } catch { /* not JSON */ }
    }
    return m.length > 200 ? `${m.slice(0, 199)}…` : m;
}
