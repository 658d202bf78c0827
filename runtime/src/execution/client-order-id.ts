/**
 * Client order ids derived from what an order is — its deployment, the bar whose close decided it
 * and the rule (its place among that bar's orders) — never from a counter or a clock: a retry or a
 * restart that decides the same order again sends the same id, and the venue (or the journal)
 * refuses the duplicate. 32 characters of [a-z0-9], within every venue's limit (Binance: 36).
 */
import { createHash } from 'node:crypto';

export interface OrderOrigin {
    readonly deployment: string;
    /** Open time (ms) of the bar whose close placed the order: stable across replays, unlike an index. */
    readonly barTs: number;
    /** The rule or, within the bar, the order's place (see streaming.ts OrderIntent.seq); 'kill', 'reduce' … for the gateway's own. */
    readonly rule: string | number;
}

export function clientOrderId(o: OrderOrigin): string {
    const h = createHash('sha256').update(`${o.deployment}\u0000${o.barTs}\u0000${o.rule}`).digest('hex');
    return `af${h.slice(0, 30)}`;
}
