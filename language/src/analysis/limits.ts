/**
 * Sanity limits of a strategy, checked by the compiler (AF406, AF503) and checked again by the
 * engine with the values a run actually uses (params given at run time can differ from the
 * defaults). They exist because a look-back or a grid is sized by a number in the text: one
 * `close[500000000]` asked the engine for gigabytes, one `in 1..10000000000` for ten billion trials.
 */

/** The longest look-back (warm-up) a strategy may need, in bars of its timeframe. */
export const MAX_LOOKBACK_BARS = 1_000_000;

/** The most combinations a grid sweep runs; larger spaces need a random sweep (a sample of it). */
export const MAX_GRID_COMBINATIONS = 1_000_000;

/** The most values of one param the IR lists as its grid (`IrParam.grid`); a param with more cannot be grid-swept. */
export const MAX_GRID = 10_000;
