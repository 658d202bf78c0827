/**
 * Tick events in memory, as the event engine (engine/hft/) reads them: one struct of arrays in
 * time order — trades and book levels interleaved, a trade before the book rows of the same time
 * (the book update a trade causes comes after it: the queue model counts the traded volume once).
 */

export const TRADE = 0;
/** A book level's new total size (0 removes it). */
export const LEVEL = 1;
/** A level of a snapshot: the first of a run of snapshot rows at one time clears the book. */
export const SNAPSHOT = 2;

export interface HftEvents {
    readonly n: number;
    /** Milliseconds since the epoch (µs as a fraction). */
    readonly ms: Float64Array;
    /** TRADE, LEVEL or SNAPSHOT. */
    readonly kind: Uint8Array;
    /** Trades: 1 buyer-initiated, −1 seller-initiated, 0 not known. Book: 1 bid, −1 ask. */
    readonly side: Int8Array;
    readonly price: Float64Array;
    readonly qty: Float64Array;
}

/** Empty arrays for n events (filled by a loader or the generator). */
export function allocEvents(n: number): HftEvents {
    return { n, ms: new Float64Array(n), kind: new Uint8Array(n), side: new Int8Array(n), price: new Float64Array(n), qty: new Float64Array(n) };
}

/** The first n events of `e` (views, no copy). */
export function sliceEvents(e: HftEvents, n: number): HftEvents {
    return { n, ms: e.ms.subarray(0, n), kind: e.kind.subarray(0, n), side: e.side.subarray(0, n), price: e.price.subarray(0, n), qty: e.qty.subarray(0, n) };
}
