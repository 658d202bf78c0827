/**
 * The order journal of one deployment: every order before it leaves (state `new`), and every move
 * the state machine (order-state.ts) allows after it, each with its exec_order_events row in the
 * same transaction. An order whose client order id is already journaled is not recorded again
 * (record returns false): the caller must not send it. Updates are applied one at a time, in the
 * order they arrive, whatever the venue's stream does meanwhile.
 */
import { NotFoundError } from '../../../protocol/src/errors.js';
import { Mutex } from '../../../language/src/util/mutex.js';
import type { DataStore } from '../store/store.js';
import { apply, type Move, type OrderState, type OrderStatus, type OrderUpdate } from './order-state.js';
import type { RiskEvent } from './risk.js';
import type { OrderRequest } from './venue.js';

export interface JournaledOrder extends OrderRequest, OrderStatus {
    readonly deployment: string;
    readonly venue: string;
    readonly barTs: number;
    readonly createdAt: string;
    readonly updatedAt: string;
}

export interface OrderEvent {
    readonly clientOrderId: string;
    readonly seq: number;
    readonly ts: string;
    readonly kind: 'new' | OrderUpdate['kind'];
    readonly from: OrderState | null;
    readonly to: OrderState;
    readonly fillId: string | null;
    readonly fillQty: number | null;
    readonly fillPrice: number | null;
    readonly fee: number | null;
    readonly reason: string | null;
}

const COLUMNS = 'client_order_id, venue, symbol, side, type, qty, price, reduce_only, expire_ts, bar_ts, state, filled_qty, avg_price, fees, created_at, updated_at';

export class OrderJournal {
    private readonly mutex = new Mutex();
    /** Journaled order ids, once read (has). Only this object writes this deployment's orders. */
    private known: Set<string> | undefined;

    constructor(private readonly store: DataStore, readonly team: string, readonly deployment: string, private readonly now: () => Date = () => new Date()) {}

    /** Journals an order as `new` before it is sent; false if its id is already journaled (do not send it). */
    async record(venue: string, o: OrderRequest, barTs: number): Promise<boolean> {
        return this.mutex.run(() => this.store.transaction(async () => {
            const ts = this.now().toISOString();
            // The primary key decides: a journaled id inserts nothing.
            const inserted = await this.store.run(`INSERT INTO exec_orders (team, deployment, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'new', 0, 0, 0, $13, $13) ON CONFLICT DO NOTHING`, [
                this.team, this.deployment, o.clientOrderId, venue, o.symbol, o.side, o.type, o.qty, o.price ?? null, o.reduceOnly ?? false, o.expireTs ?? null, barTs, ts,
            ]);
            this.known?.add(o.clientOrderId);
            if (inserted === 0) return false;
            await this.event(o.clientOrderId, 1, ts, 'new', null, 'new', null);
            return true;
        }));
    }

    /** Whether an order id is journaled (the ids are read once, then kept: the check before every order is in memory). */
    async has(clientOrderId: string): Promise<boolean> {
        if (!this.known) {
            const rows = await this.store.rows(`SELECT client_order_id FROM exec_orders WHERE team = $1 AND deployment = $2`, [this.team, this.deployment]);
            this.known ??= new Set(rows.map(r => String(r['client_order_id'])));
        }
        return this.known.has(clientOrderId);
    }

    /** Applies a venue update: the move it makes (stored with its event), or null when it changes nothing (a duplicate). */
    async apply(u: OrderUpdate): Promise<Move | null> {
        return this.mutex.run(() => this.store.transaction(async () => {
            const order = await this.get(u.clientOrderId);
            if (!order) throw new NotFoundError(`deployment ${this.deployment} has no order ${u.clientOrderId}`);
            const fillIds = (await this.store.rows(`SELECT fill_id FROM exec_order_events WHERE team = $1 AND deployment = $2 AND client_order_id = $3 AND fill_id IS NOT NULL`, [this.team, this.deployment, u.clientOrderId])).map(r => String(r['fill_id']));
            const move = apply({ ...order, fillIds }, u);
            if (!move) return null;
            const ts = this.now().toISOString();
            const s = move.status;
            await this.store.run(`UPDATE exec_orders SET state = $1, filled_qty = $2, avg_price = $3, fees = $4, updated_at = $5 WHERE team = $6 AND deployment = $7 AND client_order_id = $8`,
                [s.state, s.filledQty, s.avgPrice, s.fees, ts, this.team, this.deployment, u.clientOrderId]);
            const seq = Number(await this.store.scalar(`SELECT max(seq)::DOUBLE FROM exec_order_events WHERE team = $1 AND deployment = $2 AND client_order_id = $3`, [this.team, this.deployment, u.clientOrderId])) + 1;
            await this.event(u.clientOrderId, seq, ts, u.kind, move.from, move.to, u);
            return move;
        }));
    }

    /** Stores a risk decision, after every one handed in before it. */
    riskEvent(e: RiskEvent): Promise<void> {
        return this.mutex.run(async () => {
            const seq = Number(await this.store.scalar(`SELECT coalesce(max(seq), 0)::DOUBLE FROM exec_risk_events WHERE team = $1 AND deployment = $2`, [this.team, this.deployment])) + 1;
            await this.store.run(`INSERT INTO exec_risk_events (team, deployment, seq, ts, kind, client_order_id, from_state, to_state, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
                this.team, this.deployment, seq, new Date(e.ts).toISOString(), e.kind, e.kind === 'state' ? null : e.clientOrderId,
                e.kind === 'state' ? e.from : null, e.kind === 'state' ? e.to : null, e.kind === 'pass' ? null : e.reason,
            ]);
        });
    }

    async riskEvents(): Promise<RiskEvent[]> {
        const rows = await this.store.rows(`SELECT ts, kind, client_order_id, from_state, to_state, reason FROM exec_risk_events WHERE team = $1 AND deployment = $2 ORDER BY seq`, [this.team, this.deployment]);
        return rows.map(r => {
            const ts = Date.parse(String(r['ts'])), kind = String(r['kind']);
            if (kind === 'state') return { kind, ts, from: r['from_state'], to: r['to_state'], reason: String(r['reason']) } as RiskEvent;
            if (kind === 'deny') return { kind, ts, clientOrderId: String(r['client_order_id']), reason: String(r['reason']) };
            return { kind: 'pass', ts, clientOrderId: String(r['client_order_id']) };
        });
    }

    async get(clientOrderId: string): Promise<JournaledOrder | undefined> {
        const rows = await this.store.rows(`SELECT ${COLUMNS} FROM exec_orders WHERE team = $1 AND deployment = $2 AND client_order_id = $3`, [this.team, this.deployment, clientOrderId]);
        return rows[0] ? this.order(rows[0]) : undefined;
    }

    /** The deployment's orders, oldest first; `open` only those not in a final state. */
    async orders(filter: { open?: boolean } = {}): Promise<JournaledOrder[]> {
        const open = filter.open ? ` AND state IN ('new', 'accepted', 'partially_filled')` : '';
        const rows = await this.store.rows(`SELECT ${COLUMNS} FROM exec_orders WHERE team = $1 AND deployment = $2${open} ORDER BY bar_ts, created_at, client_order_id`, [this.team, this.deployment]);
        return rows.map(r => this.order(r));
    }

    async events(clientOrderId?: string): Promise<OrderEvent[]> {
        const args = clientOrderId ? [this.team, this.deployment, clientOrderId] : [this.team, this.deployment];
        const rows = await this.store.rows(`SELECT client_order_id, seq, ts, kind, from_state, to_state, fill_id, fill_qty, fill_price, fee, reason FROM exec_order_events
            WHERE team = $1 AND deployment = $2${clientOrderId ? ' AND client_order_id = $3' : ''} ORDER BY ts, client_order_id, seq`, args);
        return rows.map(r => ({
            clientOrderId: String(r['client_order_id']), seq: Number(r['seq']), ts: String(r['ts']), kind: r['kind'] as OrderEvent['kind'],
            from: (r['from_state'] as OrderState | null) ?? null, to: r['to_state'] as OrderState,
            fillId: (r['fill_id'] as string | null) ?? null, fillQty: num(r['fill_qty']), fillPrice: num(r['fill_price']), fee: num(r['fee']), reason: (r['reason'] as string | null) ?? null,
        }));
    }

    private async event(id: string, seq: number, ts: string, kind: OrderEvent['kind'], from: OrderState | null, to: OrderState, u: OrderUpdate | null): Promise<void> {
        const fill = u?.kind === 'fill' ? u : null;
        await this.store.run(`INSERT INTO exec_order_events (team, deployment, client_order_id, seq, ts, kind, from_state, to_state, fill_id, fill_qty, fill_price, fee, reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, [
            this.team, this.deployment, id, seq, ts, kind, from, to, fill?.fillId ?? null, fill?.qty ?? null, fill?.price ?? null, fill?.fee ?? null, u?.kind === 'rejected' ? u.reason : null,
        ]);
    }

    private order(r: Record<string, unknown>): JournaledOrder {
        return {
            deployment: this.deployment, clientOrderId: String(r['client_order_id']), venue: String(r['venue']), symbol: String(r['symbol']),
            side: r['side'] as JournaledOrder['side'], type: r['type'] as JournaledOrder['type'], qty: Number(r['qty']),
            ...(r['price'] !== null ? { price: Number(r['price']) } : {}), reduceOnly: Boolean(r['reduce_only']),
            ...(r['expire_ts'] !== null ? { expireTs: Number(r['expire_ts']) } : {}), barTs: Number(r['bar_ts']),
            state: r['state'] as OrderState, filledQty: Number(r['filled_qty']), avgPrice: Number(r['avg_price']), fees: Number(r['fees']), fillIds: [],
            createdAt: String(r['created_at']), updatedAt: String(r['updated_at']),
        };
    }
}

function num(x: unknown): number | null {
    return x === null || x === undefined ? null : Number(x);
}
