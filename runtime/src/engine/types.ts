/**
 * The backtest engine's boundary types: what goes in (IR, aligned bars — data/bars.ts —, parameter values,
 * options) and what comes out (equity, fills, trades, events). The compiled engine and the
 * reference interpreter both implement `Backtester`, so the differential tests compare them
 * field by field. Semantics: docs/backtest-semantics.md.
 */
import { UserInputError } from '../../../protocol/src/errors.js';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import type { BarData } from '../data/bars.js';
import type { EngineLimits } from './limits.js';

export type { AssetBars, BarData } from '../data/bars.js';

export type ParamValues = Readonly<Record<string, number | boolean>>;

export interface BacktestOptions {
    /** Overrides of parameter defaults. */
    readonly params?: ParamValues;
    /** Recorded with the result; the engine itself draws no random numbers. */
    readonly seed?: number;
    /** Called every `progressEvery` bars with the fraction done; may throw to cancel. */
    readonly onProgress?: (done: number) => void;
    readonly progressEvery?: number;
    /** Look-back and memory limits, checked before anything is allocated (default: DEFAULT_ENGINE_LIMITS). */
    readonly limits?: EngineLimits;
    /**
     * Values of some nodes computed before the run (node id → one array per asset, a value per bar),
     * used instead of computing them: a sweep's indicators shared by its trials. They must be what the
     * run would compute (engine/shared-series.ts makes them with the same compiler).
     */
    readonly given?: ReadonlyMap<number, readonly Float64Array[]>;
    /**
     * Arrays of at least as many values as bars for the run's equity and exposure, instead of new
     * ones (a sweep's trials reuse one pair: no allocation per trial). The result's curves are then
     * views of them, and its fills and trades are read from the log rows, all valid until the next run that is given them.
     */
    readonly buffers?: {
        readonly equity: Float64Array;
        readonly exposure: Float64Array;
        /** Row buffers of the fill and trade logs (compiled/fill-log.ts): the run's logs write over them from row 0. */
        readonly fillRows?: Float64Array;
        readonly tradeRows?: Float64Array;
    };
    /** false: skip the run's fingerprints (provenance then holds empty ones), as a sweep's trials do, which keep only metrics. */
    readonly fingerprints?: boolean;
}

export interface Fill {
    /** Bar index at which the fill happened. */
    readonly bar: number;
    readonly asset: number;
    /** Signed quantity: positive buys, negative sells. */
    readonly qty: number;
    /** Price after slippage. */
    readonly price: number;
    readonly fee: number;
    /** What caused it. */
    readonly reason: 'signal' | 'limit' | 'stop_order' | 'stop_loss' | 'take_profit' | 'trailing_stop' | 'drawdown' | 'end';
}

/** A round trip in one asset: from flat to flat (a reversal closes one trade and opens another). */
export interface Trade {
    readonly asset: number;
    readonly side: 'long' | 'short';
    readonly entryBar: number;
    readonly exitBar: number;
    /** Quantity-weighted average entry and exit prices (after slippage). */
    readonly entryPrice: number;
    readonly exitPrice: number;
    /** Largest absolute quantity held during the trade. */
    readonly maxQty: number;
    /** Realised P&L after fees. */
    readonly pnl: number;
    /** pnl / (entry value of the largest position). */
    readonly returnPct: number;
    readonly fees: number;
    readonly exitReason: Fill['reason'];
}

export interface EngineEvent {
    readonly bar: number;
    readonly kind: 'halt' | 'flatten' | 'drawdown_warning';
    readonly message: string;
}

export interface BacktestResult {
    readonly strategy: string;
    /** Equity at each bar's close (cash + positions marked at the close). */
    readonly equity: Float64Array;
    /** Gross exposure at each close as a fraction of equity (Σ|position value| / equity). */
    readonly exposure: Float64Array;
    readonly fills: readonly Fill[];
    readonly trades: readonly Trade[];
    readonly events: readonly EngineEvent[];
    /** First bar at which rules were evaluated. */
    readonly warmupBars: number;
    readonly params: ParamValues;
    /** Reproducibility record. */
    readonly provenance: {
        readonly exactFingerprint: string;
        readonly structuralFingerprint: string;
        readonly dataSnapshot: string;
        readonly engineVersion: string;
        readonly seed: number;
    };
}

export interface Backtester {
    run(ir: StrategyIr, data: BarData, options?: BacktestOptions): BacktestResult;
}

/** A user-facing problem with the inputs of a backtest (bad params, data that does not fit). */
export class BacktestError extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'BacktestError';
    }
}
