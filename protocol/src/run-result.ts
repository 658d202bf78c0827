/**
 * The result of a run as data: one typed, versioned document (`schema: 'alphaforge.run-result'`,
 * `version: 1`) that the run pipeline (runtime/src/pipeline) produces for a backtest, a sweep or a
 * walk-forward, whether it ran in the CLI or in the daemon. It is what the daemon stores
 * (`<state dir>/runs/<id>/result.json`), what `runs.result` returns (series decimated, trades and
 * trials paged: `viewOf`), what `af backtest --json` prints, what the HTML report embeds and what
 * the report panel draws. Everything else about a run is read off it; nothing parses HTML.
 *
 * Conventions: times are epoch milliseconds (bar open times, UTC); instruments are `venue:SYMBOL`;
 * numbers that may be NaN or infinite are wire numbers (numbers.ts: null for NaN, "Infinity" /
 * "-Infinity"). Readers ignore keys they do not know; a change that is not an addition bumps
 * `version`.
 */
import * as z from 'zod';
import { WireMetrics } from './metrics.js';
import { fromWire, WireNumber } from './numbers.js';

export const RUN_RESULT_SCHEMA = 'alphaforge.run-result';
export const RUN_RESULT_VERSION = 1;

/** Bounds of a stored result (what a reader validates before trusting it); the panel and the RPC ask for much less. */
export const RESULT_LIMITS = { points: 20_000_000, trades: 10_000_000, trials: 1_000_000, windows: 100_000, events: 1_000_000, symbols: 10_000 } as const;

const Str = z.string().max(10_000);
const Count = z.number().int().min(0);
const EpochMs = z.number().describe('ms since the epoch (a bar\'s open time, UTC)');
const ParamValues = z.record(Str, z.union([z.number(), z.boolean()]));
/** Every metric of protocol/src/metrics.ts as a wire number (named, so the generated docs show it once). */
const Metrics = WireMetrics.meta({ id: 'WireMetrics' });

export const RUN_KINDS = ['backtest', 'sweep', 'walkforward'] as const;
export type RunKind = (typeof RUN_KINDS)[number];
/** Metrics a sweep or walk-forward can rank by (the engine's SORT_METRICS). */
export const SORT_METRICS = ['sharpe', 'sortino', 'cagr', 'totalReturn', 'calmar', 'maxDrawdown', 'profitFactor', 'winRate'] as const;
export const FILL_REASONS = ['signal', 'limit', 'stop_order', 'stop_loss', 'take_profit', 'trailing_stop', 'drawdown', 'end'] as const;

/** First and last bar of a stretch of bars (both included) and how many bars it has. */
export const BarRange = z.object({ from: EpochMs, to: EpochMs, bars: Count });
export type BarRange = z.infer<typeof BarRange>;

/**
 * Per-bar series of the run (a walk-forward: the stitched out-of-sample bars), columnar. Stored
 * with every bar; `runs.result` thins them for a chart (`decimateSeries`).
 */
export const Series = z.object({
    ts: z.array(EpochMs).max(RESULT_LIMITS.points),
    /** Equity at each bar's close (cash + positions marked at the close). */
    equity: z.array(WireNumber).max(RESULT_LIMITS.points),
    /** Fall from the running peak (the starting capital counts as the first peak), as a fraction ≤ 0. */
    drawdown: z.array(WireNumber).max(RESULT_LIMITS.points),
    /** Gross exposure at each close as a fraction of equity (Σ|position value| / equity). */
    exposure: z.array(WireNumber).max(RESULT_LIMITS.points),
    /** The benchmark's equity at each close, started at the run's capital (`RunResult.benchmark` says what it holds; absent: none). */
    benchmark: z.array(WireNumber).max(RESULT_LIMITS.points).optional(),
}).refine(s => s.equity.length === s.ts.length && s.drawdown.length === s.ts.length && s.exposure.length === s.ts.length && (s.benchmark?.length ?? s.ts.length) === s.ts.length,
    { message: 'ts, equity, drawdown, exposure and benchmark must have the same length' });
export type Series = z.infer<typeof Series>;

/** A round trip in one instrument, from flat to flat (a reversal closes one trade and opens another). */
export const RunTrade = z.object({
    symbol: Str,
    side: z.enum(['long', 'short']),
    entryTs: EpochMs,
    exitTs: EpochMs,
    /** Quantity-weighted average prices, after slippage. */
    entryPrice: WireNumber,
    exitPrice: WireNumber,
    /** Largest absolute quantity held during the trade. */
    maxQty: WireNumber,
    /** Realised P&L after fees. */
    pnl: WireNumber,
    /** pnl over the entry value of the largest position. */
    returnPct: WireNumber,
    fees: WireNumber,
    exitReason: z.enum(FILL_REASONS),
    /**
     * Maximum adverse and favourable excursion per unit, in price (mae ≤ 0 ≤ mfe) and as fractions
     * of the entry price: the worst and best the position's price went against and for it, from the
     * intrabar lows and highs of the bars it was open (entry to exit bar, both included) and its entry
     * and exit prices. Absent: results made before they were computed.
     */
    mae: WireNumber.optional(),
    mfe: WireNumber.optional(),
    maePct: WireNumber.optional(),
    mfePct: WireNumber.optional(),
});
export type RunTrade = z.infer<typeof RunTrade>;

/** Something the engine did on its own (halted on a drawdown limit, flattened, warned). */
export const RunEvent = z.object({ ts: EpochMs, kind: Str, message: Str });
export type RunEvent = z.infer<typeof RunEvent>;

/** What makes the run reproducible: the same four give bit-identical results. */
export const Provenance = z.object({
    exactFingerprint: Str,
    structuralFingerprint: Str,
    dataSnapshot: Str,
    engineVersion: Str,
    seed: z.number(),
    /**
     * The declared packs the strategy uses (absent: built-in packs only); their versions and hashes
     * are in the exact fingerprint. No integrity: a pack shipped with AlphaForge, enabled by name.
     */
    packs: z.array(z.object({ name: Str, version: Str, integrity: Str.optional() })).optional(),
});
export type Provenance = z.infer<typeof Provenance>;

/** How a sweep or walk-forward searched: grid or random sample, the metric it ranked by, the params held fixed. */
export const Search = z.object({
    mode: z.enum(['grid', 'random']),
    /** Random mode: combinations drawn; null for a grid. */
    samples: Count.nullable(),
    seed: z.number(),
    sortBy: z.enum(SORT_METRICS),
    fixed: ParamValues,
});

export const Trial = z.object({ params: ParamValues, metrics: Metrics });
export type Trial = z.infer<typeof Trial>;

/**
 * A combination that could not run (a look-back over the limit with its params, a window length
 * its params make invalid, an error of its backtest): reported with its reason, the other trials
 * ran. A walk-forward's failed in-sample trials name their window.
 */
export const FailedTrial = z.object({
    params: ParamValues,
    reason: Str,
    inSample: BarRange.optional(),
});
export type FailedTrial = z.infer<typeof FailedTrial>;

/**
 * Whether the search itself can be trusted (engine/overfitting.ts): the probability of backtest
 * overfitting by combinatorially symmetric cross-validation over the trials (Bailey, Borwein,
 * López de Prado and Zhu 2015), and the minimum backtest length for this many trials (Bailey et
 * al. 2014: the years below which the best annualised Sharpe is expected from trials of no skill).
 */
export const Overfitting = z.object({
    /** Share of the C(S, S/2) splits whose in-sample best ranked at or below the median out of sample; null when it could not be computed. */
    pbo: WireNumber,
    /** S, the contiguous blocks the bars were cut into, and the splits evaluated (0 when PBO was not computed). */
    blocks: Count,
    combinations: Count,
    /** (E[max of N standard normals] / best annualised Sharpe)² years, and the closed bound 2 ln N / SR². */
    minBacktestYears: WireNumber,
    minBacktestYearsBound: WireNumber,
    /** Years the sweep's bars span (to compare with the minimum). */
    backtestYears: WireNumber,
});
export type Overfitting = z.infer<typeof Overfitting>;

/** The overfitting figures in one line of words (CLI, MCP, report). */
export function describeOverfitting(o: Overfitting, trials: number): string {
    const pbo = fromWire(o.pbo), min = fromWire(o.minBacktestYears), years = fromWire(o.backtestYears);
    const pboText = Number.isFinite(pbo)
        ? `probability of backtest overfitting ${(pbo * 100).toFixed(0)}% (CSCV, ${o.combinations} splits of ${o.blocks} blocks)`
        : 'probability of backtest overfitting n/a (too few trials or bars)';
    const minText = Number.isFinite(min)
        ? `minimum backtest length for ${trials} trials at this Sharpe ${min.toFixed(1)} years${Number.isFinite(years) ? ` (the data span ${years.toFixed(1)}${years < min ? ': too short' : ''})` : ''}`
        : `minimum backtest length n/a (the best Sharpe is not positive)`;
    return `${pboText}; ${minText}`;
}

export const SweepPart = z.object({
    /** Combinations run (`trials` may list a page of them). */
    trialCount: Count,
    /** Every trial, best first by `search.sortBy`. */
    trials: z.array(Trial).max(RESULT_LIMITS.trials),
    /** The best trial's Sharpe deflated for the number of trials (Bailey and López de Prado), and the per-bar Sharpe luck alone would reach. */
    deflatedSharpe: z.object({ dsr: WireNumber, expectedMaxSharpe: WireNumber }),
    /** Combinations that could not run, with their reasons (absent or empty: none); not counted in `trialCount`. */
    failedTrials: z.array(FailedTrial).max(RESULT_LIMITS.trials).optional(),
    /** What the best trial does not say by itself: a best value on the edge of its range, too few trades (absent: none). */
    warnings: z.array(Str).max(20).optional(),
    /** PBO and minimum backtest length (absent: results made before they were computed). */
    overfitting: Overfitting.optional(),
});

/** A deflated Sharpe against a set of trials in the research ledger: how many, the variance of their per-bar Sharpe, the Sharpe luck alone would reach, the probability. */
export const LedgerDeflation = z.object({
    trials: Count,
    sharpeVariance: WireNumber,
    expectedMaxSharpe: WireNumber,
    dsr: WireNumber,
});
export type LedgerDeflation = z.infer<typeof LedgerDeflation>;

/**
 * The run in the team's research ledger (runtime/src/experiments/ledger.ts): every backtest, sweep
 * trial and walk-forward window of the team is a trial of its structure (structural fingerprint);
 * near structures (similarity) form a family. The run's Sharpe deflated for every trial of its
 * structure, and of its family, recorded up to and including it. Added when read from the daemon
 * (`runs.result`); absent for a local run or a run the ledger does not hold.
 */
export const LedgerPart = z.object({
    structuralFingerprint: Str,
    /** Positions of this run's first and last trial among its structure's trials (1-based). */
    firstTrial: Count,
    trial: Count,
    structure: LedgerDeflation,
    family: LedgerDeflation.extend({ structures: Count }),
    /** "trial 57 of this structure (212 in its family); deflated Sharpe 0.12". */
    summary: Str,
});
export type LedgerPart = z.infer<typeof LedgerPart>;

export const WalkForwardWindow = z.object({
    inSample: BarRange,
    outOfSample: BarRange,
    /** The in-sample best, traded out of sample. */
    params: ParamValues,
    inSampleMetrics: Metrics,
    outOfSampleMetrics: Metrics,
});
export type WalkForwardWindow = z.infer<typeof WalkForwardWindow>;

export const WalkForwardPart = z.object({
    scheme: z.enum(['rolling', 'anchored']),
    inSampleBars: Count,
    outOfSampleBars: Count,
    /** Mean out-of-sample Sharpe over mean in-sample Sharpe of the chosen params. */
    efficiency: WireNumber,
    windows: z.array(WalkForwardWindow).max(RESULT_LIMITS.windows),
    /** In-sample trials that could not run, with their reasons and windows (absent or empty: none). */
    failedTrials: z.array(FailedTrial).max(RESULT_LIMITS.trials).optional(),
});

/** What `series.benchmark` holds: buy-and-hold, equal weights, of the run's own assets (or of the series the run named: `--benchmark`, a spec's `benchmark`), bought at the close of the last warm-up bar. */
export const BenchmarkInfo = z.object({
    name: Str.describe('e.g. "buy and hold sp:SPX"'),
    symbols: z.array(Str).max(RESULT_LIMITS.symbols),
    /** The bar (index into `series`) at whose close the benchmark buys; before it, it holds the capital in cash. */
    startBar: Count,
});
export type BenchmarkInfo = z.infer<typeof BenchmarkInfo>;

// ------------------------------------------------------------------------------ tearsheet

const TEARSHEET_POINTS = 5000;
/** Most values on a sweep heatmap's axis (tearsheet.ts shows at most 40 distinct values, else 20 bins): a panel draws every cell. */
export const SWEEP_AXIS_MAX = 100;
/** A figure of a group of trades (all, one asset, one side). */
const TradeGroup = z.object({ key: Str, count: Count, pnl: WireNumber, winRate: WireNumber, avgReturn: WireNumber });
const Bin = z.object({ from: WireNumber, to: WireNumber, count: Count });

/**
 * What a quant reads off a run besides its metrics (protocol/src/tearsheet.ts computes it from the
 * rest of the result; its functions say the formulas): the benchmark's statistics, monthly and
 * yearly returns, rolling Sharpe / volatility / beta, the worst drawdowns, the trades analysed, and
 * a sweep's metric over two params. Every part is null when the run has nothing to compute it from.
 */
export const Tearsheet = z.object({
    /** Bars per year used to annualise (metrics.periodsPerYear). */
    periodsPerYear: WireNumber,
    /** Bars of `series` the figures come from (a result whose series was thinned gives approximate figures: the report says so). */
    bars: Count,
    benchmark: z.object({
        name: Str,
        totalReturn: WireNumber, annualVolatility: WireNumber, sharpe: WireNumber, maxDrawdown: WireNumber,
        /** Annualised intercept of the per-bar regression of the run's returns on the benchmark's. */
        alpha: WireNumber, beta: WireNumber, correlation: WireNumber,
        /** Annualised mean over standard deviation of the per-bar excess return (run − benchmark); trackingError that deviation annualised. */
        informationRatio: WireNumber, trackingError: WireNumber,
        /** The run's annualised compounded return over the bars the benchmark rose (fell), over the benchmark's over them (absent: results made before). */
        upCapture: WireNumber.optional(), downCapture: WireNumber.optional(),
    }).nullable(),
    monthly: z.array(z.object({ year: z.number().int(), month: z.number().int().min(1).max(12), ret: WireNumber, benchmark: WireNumber.optional() })).max(12 * 1000),
    yearly: z.array(z.object({ year: z.number().int(), ret: WireNumber, benchmark: WireNumber.optional() })).max(1000),
    rolling: z.object({
        /** Bars per window. */
        window: Count,
        ts: z.array(EpochMs).max(TEARSHEET_POINTS),
        sharpe: z.array(WireNumber).max(TEARSHEET_POINTS),
        volatility: z.array(WireNumber).max(TEARSHEET_POINTS),
        beta: z.array(WireNumber).max(TEARSHEET_POINTS).nullable(),
    }).nullable(),
    /** The deepest drawdowns, deepest first (at most 5): peak, trough, recovery (null: not recovered by the last bar). */
    drawdowns: z.array(z.object({
        start: EpochMs, trough: EpochMs, recovery: EpochMs.nullable(),
        depth: WireNumber, bars: Count, days: WireNumber,
    })).max(5),
    trades: z.object({
        /** Trades analysed (fewer than the run's tradeCount when the result lists a page of them). */
        count: Count,
        wins: Count, losses: Count, winRate: WireNumber, profitFactor: WireNumber,
        expectancy: WireNumber, expectancyPct: WireNumber,
        avgWin: WireNumber, avgLoss: WireNumber, payoffRatio: WireNumber, largestWin: WireNumber, largestLoss: WireNumber,
        holdingMs: z.object({ mean: WireNumber, median: WireNumber, max: WireNumber, bins: z.array(Bin).max(50) }),
        returnBins: z.array(Bin).max(50),
        byAsset: z.array(TradeGroup).max(RESULT_LIMITS.symbols),
        bySide: z.array(TradeGroup).max(2),
    }).nullable(),
    sweep: z.object({
        metric: z.enum(SORT_METRICS),
        /** A param's distinct values, or (binned) the lower edges of equal-width bins when it has too many (a random search). */
        x: z.object({ name: Str, values: z.array(z.number()).max(SWEEP_AXIS_MAX), binned: z.boolean() }),
        y: z.object({ name: Str, values: z.array(z.number()).max(SWEEP_AXIS_MAX), binned: z.boolean() }),
        /** cells[j][i]: the metric at y.values[j], x.values[i] (the best over the other params when there are more: `others`). */
        cells: z.array(z.array(WireNumber).max(SWEEP_AXIS_MAX)).max(SWEEP_AXIS_MAX),
        others: z.array(Str).max(100),
        chosen: z.object({ x: WireNumber, y: WireNumber }),
    }).nullable(),
});
export type Tearsheet = z.infer<typeof Tearsheet>;

export const RunResult = z.object({
    schema: z.literal(RUN_RESULT_SCHEMA),
    version: z.literal(RUN_RESULT_VERSION),
    kind: z.enum(RUN_KINDS),
    runId: Str.optional().describe('The daemon\'s run id (absent for a local run).'),
    strategy: Str,
    symbols: z.array(Str).max(RESULT_LIMITS.symbols).describe('`venue:SYMBOL` of each asset the run traded, in the universe\'s order.'),
    timeframe: Str,
    range: BarRange.describe('The bars the run was given: first and last bar time, count.'),
    params: ParamValues.describe('The params run: a backtest\'s, a sweep\'s best, a walk-forward\'s latest pick (what to trade now).'),
    capital: z.number().describe('Starting capital (the first peak of the drawdown).'),
    warmupBars: Count.describe('Bars at the start of `series` before the rules first ran (0 for a walk-forward: its windows warm up on the bars before them).'),
    metrics: Metrics.describe('Of the backtest; of a sweep\'s best trial; of a walk-forward\'s stitched out-of-sample bars.'),
    series: Series.nullable().describe('Per-bar series (a walk-forward: its stitched out-of-sample bars), columnar; null for a sweep (it keeps no single run\'s bars: backtest its best params for them).'),
    trades: z.array(RunTrade).max(RESULT_LIMITS.trades).describe('The trades behind `series` (a page of them when `tradeCount` is larger).'),
    tradeCount: Count.describe('How many trades `series` has in all.'),
    events: z.array(RunEvent).max(RESULT_LIMITS.events),
    provenance: Provenance,
    search: Search.optional().describe('Sweeps and walk-forwards: how they searched.'),
    sweep: SweepPart.optional(),
    walkforward: WalkForwardPart.optional(),
    benchmark: BenchmarkInfo.optional().describe('What `series.benchmark` holds (absent: no benchmark).'),
    tearsheet: Tearsheet.optional().describe('Figures read off the rest of the result (protocol/src/tearsheet.ts); absent in results made before it.'),
    ledger: LedgerPart.optional().describe('The run in the team\'s research ledger (daemon runs): its trial number and Sharpe deflated for every trial of its structure and family.'),
}).superRefine((r, ctx) => {
    if (r.kind !== 'backtest' && !r.search) ctx.addIssue({ code: 'custom', path: ['search'], message: `a ${r.kind} result has its search` });
    if (r.kind === 'sweep' && !r.sweep) ctx.addIssue({ code: 'custom', path: ['sweep'], message: 'a sweep result has its trials' });
    if (r.kind === 'walkforward' && !r.walkforward) ctx.addIssue({ code: 'custom', path: ['walkforward'], message: 'a walk-forward result has its windows' });
    if (r.trades.length > r.tradeCount) ctx.addIssue({ code: 'custom', path: ['trades'], message: `lists ${r.trades.length} trades of ${r.tradeCount}` });
});
export type RunResult = z.infer<typeof RunResult>;

// ------------------------------------------------------------------------------ views

/** Thinned for drawing: at most `max` points; every bar while there are few enough. */
export const DEFAULT_MAX_POINTS = 5000;

/**
 * At most `max` points of the series. One point per step of bars: the bar with the deepest
 * drawdown of the step, so troughs survive (a chart of a thinned series still shows the max
 * drawdown). The first and last bars are always kept.
 */
export function decimateSeries(s: Series, max = DEFAULT_MAX_POINTS): Series {
    const n = s.ts.length;
    if (n <= max) return s;
    // Room for the two ends besides one point per step.
    const step = Math.ceil(n / Math.max(1, max - 2));
    const pick: number[] = [];
    for (let i = 0; i < n; i += step) {
        let at = i, worst = fromWire(s.drawdown[i]);
        for (let j = i + 1; j < Math.min(n, i + step); j++) {
            const d = fromWire(s.drawdown[j]);
            if (d < worst) { worst = d; at = j; }
        }
        pick.push(at);
    }
    if (pick[0] !== 0) pick.unshift(0);
    if (pick[pick.length - 1] !== n - 1) pick.push(n - 1);
    while (pick.length > Math.max(2, max)) pick.splice(pick.length - 2, 1); // only for max < 4
    const benchmark = s.benchmark;
    return {
        ts: pick.map(i => s.ts[i]!), equity: pick.map(i => s.equity[i]!), drawdown: pick.map(i => s.drawdown[i]!), exposure: pick.map(i => s.exposure[i]!),
        ...(benchmark ? { benchmark: pick.map(i => benchmark[i]!) } : {}),
    };
}

export interface ResultView {
    /** Most points per series (default DEFAULT_MAX_POINTS). */
    readonly maxPoints?: number;
    /** Trades from this index (default 0), at most `tradesLimit` (default all). */
    readonly tradesOffset?: number;
    readonly tradesLimit?: number;
    /** A sweep's trials from this index (default 0), at most `trialsLimit` (default all). */
    readonly trialsOffset?: number;
    readonly trialsLimit?: number;
}

/** The result with its series decimated and its trades and trials paged (counts stay whole). */
export function viewOf(r: RunResult, v: ResultView = {}): RunResult {
    const page = <T>(xs: readonly T[], offset = 0, limit = xs.length): T[] => xs.slice(offset, offset + limit);
    return {
        ...r,
        series: r.series ? decimateSeries(r.series, v.maxPoints ?? DEFAULT_MAX_POINTS) : null,
        trades: page(r.trades, v.tradesOffset, v.tradesLimit),
        ...(r.sweep ? { sweep: { ...r.sweep, trials: page(r.sweep.trials, v.trialsOffset, v.trialsLimit) } } : {}),
    };
}

/** A document read back (a file, a response) as a run result of this version, or what is wrong with it in words. */
export function parseRunResult(doc: unknown): { ok: true; result: RunResult } | { ok: false; problem: string } {
    const o = typeof doc === 'object' && doc !== null ? doc as { schema?: unknown; version?: unknown } : {};
    if (o.schema !== RUN_RESULT_SCHEMA) return { ok: false, problem: `it is not a run result (no "schema": "${RUN_RESULT_SCHEMA}")` };
    if (o.version !== RUN_RESULT_VERSION) return { ok: false, problem: `it is a run result of version ${String(o.version)}; this version of AlphaForge reads version ${RUN_RESULT_VERSION}` };
    const r = RunResult.safeParse(doc);
    if (r.success) return { ok: true, result: r.data };
    return { ok: false, problem: r.error.issues.slice(0, 3).map(i => `${i.path.join('.') || '(result)'}: ${i.message}`).join('; ') };
}
