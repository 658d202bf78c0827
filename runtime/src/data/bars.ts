/**
 * Bars as the engine reads them: one time axis, one column set per asset, NaN where an asset has
 * no bar. The data module produces them (load.ts, synth.ts), the engine consumes them: the types
 * live here, below the engine, so data never imports the engine.
 */

import type { OnchainColumn } from '../../../language/src/catalogue/onchain-pack.js';

/** OHLCV bars of one asset on a shared time axis; NaN where the asset has no bar. */
export interface AssetBars {
    readonly open: Float64Array;
    readonly high: Float64Array;
    readonly low: Float64Array;
    readonly close: Float64Array;
    readonly volume: Float64Array;
    /**
     * Per-bar on-chain columns of the pools where the asset's base token trades (data/onchain/align.ts), present
     * only when a run reads them; a column absent here reads as undefined (NaN) at every bar.
     */
    readonly onchain?: Readonly<Partial<Record<OnchainColumn, Float64Array>>>;
}

/** The data a backtest runs on: one time axis, one column set per asset of the universe (same order as `ir.universe`). */
export interface BarData {
    /** Bar open times, ms since the epoch, strictly increasing. */
    readonly ts: Float64Array;
    readonly assets: readonly AssetBars[];
    /** SHA-256 over the exact bytes of the data, recorded with every result. */
    readonly snapshotHash: string;
    /** Timeframe of the bars in ms (must equal the strategy's). */
    readonly timeframeMs: number;
}
