/**
 * The one interface every venue adapter implements (paper here; ccxt and external engines later):
 * orders go in with the client order id the gateway derived (client-order-id.ts), and everything
 * the venue does to them comes back as OrderUpdates on one stream, which the journal feeds through
 * the state machine (order-state.ts). Submitting an id the venue already knows returns the order it
 * has: that is what makes a retry or a restart safe.
 */
import type { OrderState, OrderUpdate } from './order-state.js';

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop';

export interface OrderRequest {
    readonly clientOrderId: string;
    readonly symbol: string;
    readonly side: Side;
    readonly type: OrderType;
    /** Absolute quantity in units of the instrument. */
    readonly qty: number;
    /** Limit or stop price; absent for market orders. */
    readonly price?: number;
    /** Only reduces the position (the risk engine's REDUCING state and the kill switch send these). */
    readonly reduceOnly?: boolean;
    /** Cancel at this time (ms) if not filled. */
    readonly expireTs?: number;
}

export interface VenueOrder extends OrderRequest {
    readonly state: OrderState;
    readonly filledQty: number;
}

export interface Amendment {
    readonly qty?: number;
    readonly price?: number;
}

export interface VenueAdapter {
    readonly name: string;
    /** Hands the order over; accepted or rejected comes on the stream. Idempotent by client order id. */
    submit(order: OrderRequest): Promise<VenueOrder>;
    cancel(clientOrderId: string): Promise<void>;
    amend(clientOrderId: string, change: Amendment): Promise<void>;
    openOrders(): Promise<VenueOrder[]>;
    /** Signed position per symbol (absent: flat). */
    positions(): Promise<Record<string, number>>;
    /** Free balance per currency. */
    balances(): Promise<Record<string, number>>;
    /**
     * Venues that outlive the process (not the paper venue, rebuilt from the journal): the order the
     * venue holds under this client id, or null, followed from now on (its state and fills come on
     * the stream at the next `reconcile`). A restart asks this for each id of the bar it decides
     * again, so an order sent before the journal committed it is journaled as the venue has it.
     */
    find?(clientOrderId: string, symbol: string): Promise<VenueOrder | null>;
    /** Reads every order not yet final from the venue now; what it finds comes on the stream. */
    reconcile?(): Promise<void>;
    /** Order updates and fills, in the order the venue sends them; returns the unsubscribe. */
    onUpdate(listener: (u: OrderUpdate) => void): () => void;
    /**
     * A quantity as the venue will take it (its lot step; 0 below its smallest). The gateway journals
     * and sends this one, so an order fully filled at the venue is `filled` in the journal too.
     */
    roundQty?(symbol: string, qty: number): number;
}
