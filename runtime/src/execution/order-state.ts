/**
 * The order state machine, pure: new → accepted → partially_filled → filled | cancelled |
 * rejected | expired. One function decides whether an update from the venue moves an order and
 * where; the journal (journal.ts) stores every move it allows. Venues send fills twice and out of
 * order: a fill is known by its id and counted once, and the state follows the cumulative quantity,
 * never the order the messages came in.
 */
import { ConflictError } from '../../../protocol/src/errors.js';

export const ORDER_STATES = ['new', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const TERMINAL: ReadonlySet<OrderState> = new Set(['filled', 'cancelled', 'rejected', 'expired']);

/** Where each state may go (a fill moves to partially_filled or filled by quantity, see apply). */
const NEXT: Readonly<Record<OrderState, readonly OrderState[]>> = {
    new: ['accepted', 'rejected', 'cancelled', 'partially_filled', 'filled'],
    accepted: ['partially_filled', 'filled', 'cancelled', 'expired'],
    partially_filled: ['partially_filled', 'filled', 'cancelled', 'expired'],
    filled: [], cancelled: [], rejected: [], expired: [],
};

export function canMove(from: OrderState, to: OrderState): boolean {
    return NEXT[from].includes(to);
}

/** What the venue says about an order. */
export type OrderUpdate =
    | { readonly kind: 'accepted' | 'cancelled' | 'expired'; readonly clientOrderId: string; readonly venueOrderId?: string }
    | { readonly kind: 'rejected'; readonly clientOrderId: string; readonly reason: string }
    | { readonly kind: 'fill'; readonly clientOrderId: string; readonly fillId: string; readonly qty: number; readonly price: number; readonly fee: number };

/** An order's book-keeping: what the state machine reads and writes. */
export interface OrderStatus {
    readonly state: OrderState;
    /** Absolute quantity ordered and filled so far (filled ≤ qty). */
    readonly qty: number;
    readonly filledQty: number;
    readonly avgPrice: number;
    readonly fees: number;
    readonly fillIds: readonly string[];
}

/** The move an update makes: the new status, or null when it changes nothing (a duplicate fill, an update after the end). */
export interface Move {
    readonly from: OrderState;
    readonly to: OrderState;
    readonly status: OrderStatus;
}

const QTY_EPS = 1e-12;

export function apply(s: OrderStatus, u: OrderUpdate): Move | null {
    if (u.kind === 'fill') {
        if (s.fillIds.includes(u.fillId)) return null; // a duplicated fill message
        if (!(u.qty > 0) || !Number.isFinite(u.price) || !(u.fee >= 0)) throw new ConflictError(`order ${u.clientOrderId}: fill ${u.fillId} has quantity ${u.qty}, price ${u.price}, fee ${u.fee}; a fill needs a positive quantity, a price and a fee ≥ 0`);
        // A fill is never lost: one that arrives after a cancel (the venue filled before it cancelled) still counts.
        const filledQty = s.filledQty + u.qty;
        if (filledQty > s.qty * (1 + 1e-9) + QTY_EPS) throw new ConflictError(`order ${u.clientOrderId}: fills add up to ${filledQty}, more than the ${s.qty} ordered`);
        const avgPrice = (s.avgPrice * s.filledQty + u.price * u.qty) / filledQty;
        const full = filledQty >= s.qty * (1 - 1e-9) - QTY_EPS;
        const to: OrderState = TERMINAL.has(s.state) && s.state !== 'filled' ? s.state : full ? 'filled' : 'partially_filled';
        return { from: s.state, to, status: { ...s, state: to, filledQty, avgPrice, fees: s.fees + u.fee, fillIds: [...s.fillIds, u.fillId] } };
    }
    const to: OrderState = u.kind;
    if (s.state === to || TERMINAL.has(s.state)) return null; // a repeated or late status: nothing moves
    if (!canMove(s.state, to)) throw new ConflictError(`order ${u.clientOrderId}: cannot go from ${s.state} to ${to}`);
    return { from: s.state, to, status: { ...s, state: to } };
}
