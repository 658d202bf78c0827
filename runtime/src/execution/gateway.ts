/**
 * The execution gateway of one deployment: what the streaming engine decided at a bar close
 * becomes venue orders, each sized, checked by the risk engine, journaled as `new` and only then
 * handed to the adapter; what the venue does comes back through the journal's state machine.
 *
 * - Sizing: a market intent's target value (fraction targets × the engine's equity) is divided by
 *   this close, a target quantity is taken as is, and the venue's position is subtracted (the
 *   backtest sizes at the fill price: a live order must have its quantity when it leaves, so the
 *   venue fills it at the next open with the quantity decided at this close). Resting limit and
 *   stop orders go as the engine placed them. The engine's own exits (stop_loss, take_profit,
 *   trailing_stop, drawdown, end) become reduce-only market orders that close the venue position.
 * - Ids: client-order-id.ts from the deployment, the bar's time and the order's place in the bar,
 *   so deciding the same bar again (a retry, a replay after a restart) finds the order journaled
 *   and sends nothing, or, if the process died before the journal committed it, sends the same id
 *   again, which the venue answers with the order it has (journal.ts: why nothing is lost).
 * - The hand-off never waits on the store: the journal records and applies in memory and commits
 *   in groups (journal.ts); the order leaves as soon as it passed the risk engine.
 * - The kill switch: HALTED first (nothing new passes), every open order cancelled, every position
 *   flattened by reduce-only market orders that pass the risk engine as the system's own.
 */
import { clientOrderId } from './client-order-id.js';
import type { OrderJournal } from './journal.js';
import type { Book, RiskEngine } from './risk.js';
import type { BarOutcome, OrderIntent } from './streaming.js';
import type { OrderRequest, VenueAdapter } from './venue.js';

export interface GatewayConfig {
    readonly deployment: string;
    /** The strategy's universe, in order: symbol of asset a. */
    readonly symbols: readonly string[];
    readonly venue: VenueAdapter;
    readonly journal: OrderJournal;
    readonly risk: RiskEngine;
    /** Wall clock in ms (decisions and rate limits). */
    readonly now?: () => number;
}

export interface Handed {
    readonly submitted: readonly OrderRequest[];
    readonly denied: readonly { readonly order: OrderRequest; readonly reason: string }[];
    /** Orders already journaled (a repeat of a bar): not sent again. */
    readonly duplicates: number;
    /** Orders the venue already held (sent before a crash, not journaled): journaled as the venue has them, not sent again. */
    readonly recovered: readonly OrderRequest[];
}

/** One order place of a bar: its id and symbol, and the order to send (null: nothing to send at this place now). */
interface Slot {
    readonly id: string;
    readonly symbol: string;
    readonly request: OrderRequest | null;
}

const EXIT_REASONS = new Set(['stop_loss', 'take_profit', 'trailing_stop', 'drawdown', 'end']);
const DUST = 1e-12;

export class ExecutionGateway {
    private readonly now: () => number;
    private readonly unsubscribe: () => void;
    private applying: Promise<unknown> = Promise.resolve();
    /** The next bar is one decided before a restart: ask the venue for its ids first (recoverNextBar). */
    private recovering = false;
    /** Venue updates the journal could not apply (kept, never dropped silently). */
    readonly problems: string[] = [];

    constructor(private readonly c: GatewayConfig) {
        this.now = c.now ?? Date.now;
        this.unsubscribe = c.venue.onUpdate(u => {
            this.applying = this.c.journal.apply(u).catch((e: unknown) => { this.problems.push(e instanceof Error ? e.message : String(e)); });
        });
    }

    /** Waits until every venue update received so far is journaled. */
    async settled(): Promise<void> {
        let last;
        do { last = this.applying; await last; } while (last !== this.applying);
    }

    close(): void {
        this.unsubscribe();
    }

    /**
     * After a restart, the next bar may have been decided and its orders sent before the journal
     * committed them: its ids not journaled are looked up at the venue (VenueAdapter.find) before
     * anything is sent, and an order found is journaled as the venue holds it, not sized again.
     */
    recoverNextBar(): void {
        this.recovering = typeof this.c.venue.find === 'function';
    }

    /**
     * The orders of one bar outcome: `closes` are the bar's close per asset (NaN: no bar), `equity`
     * the engine's at this close (what its fraction targets are fractions of).
     */
    async onBar(out: BarOutcome, closes: readonly number[]): Promise<Handed> {
        const positions = await this.c.venue.positions();
        const slots: Slot[] = [];
        const symbols = this.c.symbols;
        let seq = 0;
        const id = () => clientOrderId({ deployment: this.c.deployment, barTs: out.ts, rule: seq++ });
        for (const f of out.fills) {
            if (!EXIT_REASONS.has(f.reason) || f.bar !== out.bar) continue;
            const symbol = symbols[f.asset]!, held = positions[symbol] ?? 0, cid = id();
            const q = Math.abs(held);
            slots.push({ id: cid, symbol, request: q > DUST ? { clientOrderId: cid, symbol, side: held > 0 ? 'sell' : 'buy', type: 'market', qty: q, reduceOnly: true } : null });
        }
        for (const o of out.orders) {
            const cid = id();
            slots.push({ id: cid, symbol: symbols[o.asset]!, request: this.request(o, cid, positions, closes) });
        }
        const book = await this.book(positions, closes);
        this.c.risk.mark(book.equity, out.ts);
        const recovering = this.recovering;
        this.recovering = false;
        return this.hand(slots, out.ts, book, false, recovering);
    }

    /** Kill switch: HALTED, every open order cancelled, every position flattened. */
    async kill(reason: string, lastPrices: Readonly<Record<string, number>>): Promise<Handed> {
        const ts = this.now();
        this.c.risk.setState('HALTED', `kill switch: ${reason}`, ts);
        for (const o of await this.c.venue.openOrders()) await this.c.venue.cancel(o.clientOrderId);
        const positions = await this.c.venue.positions();
        const slots: Slot[] = Object.entries(positions).filter(([, q]) => Math.abs(q) > DUST).map(([symbol, q], k) => {
            const id = clientOrderId({ deployment: this.c.deployment, barTs: ts, rule: `kill-${k}` });
            return { id, symbol, request: { clientOrderId: id, symbol, side: q > 0 ? 'sell' as const : 'buy' as const, type: 'market' as const, qty: Math.abs(q), reduceOnly: true } };
        });
        const closes = this.c.symbols.map(s => lastPrices[s] ?? NaN);
        return this.hand(slots, ts, await this.book(positions, closes), true, false);
    }

    private request(o: OrderIntent, cid: string, positions: Readonly<Record<string, number>>, closes: readonly number[]): OrderRequest | null {
        const symbol = this.c.symbols[o.asset]!;
        if (o.type !== 'market') {
            return { clientOrderId: cid, symbol, side: o.qty > 0 ? 'buy' : 'sell', type: o.type, qty: Math.abs(o.qty), price: o.price };
        }
        const close = closes[o.asset]!;
        const held = positions[symbol] ?? 0;
        let delta: number;
        if (o.fill === 'this_close') delta = o.addQty; // the engine filled it at this close: its quantity
        else {
            const target = o.targetValue === o.targetValue ? o.targetValue / close : o.targetQty === o.targetQty ? o.targetQty : held;
            delta = target - held + o.addQty;
        }
        if (!Number.isFinite(delta) || Math.abs(delta) <= DUST) return null;
        return { clientOrderId: cid, symbol, side: delta > 0 ? 'buy' : 'sell', type: 'market', qty: Math.abs(delta) };
    }

    /** The venue's book at these closes: equity is the balances (one quote currency) plus positions marked at the closes. */
    private async book(positions: Readonly<Record<string, number>>, closes: readonly number[]): Promise<Book & { positions: Record<string, number> }> {
        const prices: Record<string, number> = {};
        this.c.symbols.forEach((s, a) => { if (closes[a]! === closes[a]!) prices[s] = closes[a]!; });
        const balances = await this.c.venue.balances();
        let equity = Object.values(balances).reduce((s, x) => s + x, 0);
        for (const [s, q] of Object.entries(positions)) equity += q * (prices[s] ?? 0);
        return { positions: { ...positions }, prices, equity };
    }

    private async hand(slots: readonly Slot[], barTs: number, book: Book & { positions: Record<string, number> }, system: boolean, recovering: boolean): Promise<Handed> {
        const submitted: OrderRequest[] = [], denied: { order: OrderRequest; reason: string }[] = [], recovered: OrderRequest[] = [];
        let duplicates = 0;
        for (const { id, symbol, request: asked } of slots) {
            if (await this.c.journal.has(id)) { duplicates++; continue; }
            if (recovering) {
                // Sent before the crash? The venue's order is the order (its fills follow it), whatever this bar sizes now.
                const held = await this.c.venue.find!(id, symbol);
                if (held) {
                    const { state: _s, filledQty: _f, ...order } = held;
                    await this.c.journal.record(this.c.venue.name, order, barTs);
                    recovered.push(order);
                    continue;
                }
            }
            if (!asked) continue;
            // The venue's lot step: what would round to nothing is not an order.
            const qty = this.c.venue.roundQty ? this.c.venue.roundQty(asked.symbol, asked.qty) : asked.qty;
            if (!(qty > DUST)) continue;
            const r = qty === asked.qty ? asked : { ...asked, qty };
            const d = this.c.risk.check(r, book, this.now(), system);
            if (!d.pass) { denied.push({ order: r, reason: d.reason }); continue; }
            if (!(await this.c.journal.record(this.c.venue.name, r, barTs))) { duplicates++; continue; }
            await this.c.venue.submit(r);
            submitted.push(r);
            // Later orders of the bar are checked against the book this one would make.
            if (r.type === 'market') book.positions[r.symbol] = (book.positions[r.symbol] ?? 0) + (r.side === 'buy' ? r.qty : -r.qty);
        }
        if (recovered.length) await this.c.venue.reconcile?.();
        return { submitted, denied, duplicates, recovered };
    }
}
