/**
 * One trial of a sweep or walk-forward: a backtest with given params over a bar range, reduced to
 * its metrics. The range [from, to) is measured; bars before `from` are replayed only to warm up
 * the indicators (as many as the warm-up needs), so results do not depend on how much history precedes.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { checkData, prepareCompiledRun } from './compiled/index.js';
import { runBars } from './compiled/loop.js';
import type { FillLog, TradeLog } from './compiled/fill-log.js';
import { warmupBars } from './lookback.js';
import { computeMetrics, inferPeriodsPerYear, returnsOf, type Metrics } from './metrics.js';
import { blockMoments, type BlockMoments } from './overfitting.js';
import { bindParams } from './params.js';
import type { BacktestResult, BarData } from './types.js';
import type { EngineLimits } from './limits.js';
import type { ParamSet } from './param-space.js';
import type { SharedSeries } from './shared-series.js';

/**
 * What the trials of one sweep on one worker share: the indicators several trials use
 * (shared-series.ts) and the bars per year of each measured range (a sort and a date per bar,
 * the same for every trial of the range). Results are the same with or without it.
 */
export class TrialContext {
    private readonly periods = new Map<string, number>();
    /** The equity and exposure arrays every trial writes (each trial is measured before the next runs). */
    buffers = { equity: new Float64Array(0), exposure: new Float64Array(0) };
    /** The fill and trade log rows of the last trial, grown to what the trials needed so far: the next trial's logs write over them. */
    private logRows: { fillRows: Float64Array; tradeRows: Float64Array } = { fillRows: new Float64Array(0), tradeRows: new Float64Array(0) };
    /** The returns of the trial being measured (metrics and block moments both read them). */
    private returns = new Float64Array(0);
    constructor(readonly shared?: SharedSeries) {}

    /** Buffers for a run of T bars (grown when a longer one comes), and the log rows of the last run. */
    buffersFor(T: number): { equity: Float64Array; exposure: Float64Array; fillRows: Float64Array; tradeRows: Float64Array } {
        if (this.buffers.equity.length < T) this.buffers = { equity: new Float64Array(T), exposure: new Float64Array(T) };
        return { ...this.buffers, ...this.logRows };
    }

    /** After a run given buffersFor's: keep its (possibly grown) log rows for the next. */
    keepLogRows(fills: FillLog, trades: TradeLog): void {
        this.logRows = { fillRows: fills.rows, tradeRows: trades.rows };
    }

    /** A buffer for n returns (valid until the next call). */
    returnsFor(n: number): Float64Array {
        if (this.returns.length < n) this.returns = new Float64Array(n);
        return this.returns.subarray(0, n);
    }

    periodsPerYear(ts: Float64Array, from: number, to: number): number {
        const key = `${from}:${to}`;
        let p = this.periods.get(key);
        if (p === undefined) {
            p = inferPeriodsPerYear(ts.subarray(from, to));
            if (this.periods.size >= 1024) this.periods.clear();
            this.periods.set(key, p);
        }
        return p;
    }
}

export interface TrialSummary {
    readonly params: ParamSet;
    readonly metrics: Metrics;
    readonly from: number;
    readonly to: number;
    /** Moments of the measured bars' returns in S contiguous blocks, when the search asked for them (a sweep's PBO, overfitting.ts). */
    readonly blocks?: readonly BlockMoments[];
}

/**
 * A trial that could not run: one combination's own problem (a look-back over the limit with these
 * params, a window length its params make invalid, any error of its backtest). A sweep or
 * walk-forward reports it and runs the others.
 */
export interface FailedTrial {
    readonly params: ParamSet;
    readonly from: number;
    readonly to: number;
    /** What went wrong, in one line. */
    readonly reason: string;
}

export type TrialOutcome = TrialSummary | FailedTrial;

export function isFailed(t: TrialOutcome): t is FailedTrial {
    return 'reason' in t;
}

export function sliceBars(data: BarData, from: number, to: number): BarData {
    return {
        ts: data.ts.subarray(from, to),
        assets: data.assets.map(a => ({
            open: a.open.subarray(from, to), high: a.high.subarray(from, to), low: a.low.subarray(from, to), close: a.close.subarray(from, to), volume: a.volume.subarray(from, to),
            ...(a.onchain ? { onchain: Object.fromEntries(Object.entries(a.onchain).map(([k, c]) => [k, c.subarray(from, to)])) } : {}),
        })),
        snapshotHash: data.snapshotHash,
        timeframeMs: data.timeframeMs,
    };
}

/** What a range's run left: its result, where the measured bars start in it, and its fills and trades as columns. */
interface RangeRun {
    readonly result: BacktestResult;
    readonly offset: number;
    readonly fills: FillLog;
    readonly trades: TradeLog;
}

export function runRange(ir: StrategyIr, data: BarData, params: ParamSet, from = 0, to = data.ts.length, limits?: EngineLimits, context?: TrialContext): RangeRun {
    const values = bindParams(ir, params);
    const start = Math.max(0, from - warmupBars(ir, values));
    // Shared series start at bar 0 (see shared-series.ts); a trial's own fingerprints are not needed for its metrics.
    const given = start === 0 ? context?.shared?.given(values, to) : undefined;
    const bars = start === 0 && to === data.ts.length ? data : sliceBars(data, start, to);
    // CompiledBacktester.run, keeping the run's broker: its fill and trade columns give the metrics without objects.
    checkData(ir, bars);
    const run = prepareCompiledRun(ir, bars, {
        params: values, ...(limits ? { limits } : {}), ...(given ? { given } : {}),
        ...(context ? { fingerprints: false, buffers: context.buffersFor(to - start) } : {}),
    });
    const T = bars.ts.length;
    runBars(run.step, T);
    const result = run.finish(T);
    context?.keepLogRows(run.broker.fillLog, run.broker.tradeLog);
    return { result, offset: from - start, fills: run.broker.fillLog, trades: run.broker.tradeLog };
}

/**
 * Metrics of a result from bar `offset` on (the part after the warm-up prefix). From bar 0, the
 * trades and fills are read from the run's columns and the returns go to the context's buffer
 * (`returns`: they are left there for the caller).
 */
export function measure(ir: StrategyIr, data: BarData, run: RangeRun, from: number, context?: TrialContext, returns?: Float64Array): Metrics {
    const { result, offset } = run;
    const equity = result.equity.subarray(offset);
    const capital = offset > 0 ? result.equity[offset - 1]! : capitalOf(ir);
    const to = from + equity.length;
    const whole = offset === 0;
    // One object literal of one shape (no spread): computeMetrics reads its fields in hot code.
    return computeMetrics({
        periodsPerYear: context ? context.periodsPerYear(data.ts, from, to) : undefined,
        ts: data.ts.subarray(from, to), equity, capital,
        exposure: result.exposure.subarray(offset),
        trades: whole ? run.trades : result.trades.filter(t => t.entryBar >= offset),
        fills: whole ? undefined : result.fills.filter(f => f.bar >= offset),
        tradedValue: whole ? run.fills.tradedValue() : undefined,
        returns: returns ? returnsOf(equity, capital, returns) : undefined,
    });
}

export function capitalOf(ir: StrategyIr): number {
    const c = ir.execution['capital'];
    const n = c ? ir.nodes[c.value] : undefined;
    return n?.op === 'const' && typeof n.attrs['value'] === 'number' ? n.attrs['value'] : 100_000;
}

/** `blocks`: also the moments of the measured returns in that many blocks (0 or absent: none). */
export function runTrial(ir: StrategyIr, data: BarData, params: ParamSet, from = 0, to = data.ts.length, limits?: EngineLimits, context?: TrialContext, blocks = 0): TrialSummary {
    const run = runRange(ir, data, params, from, to, limits, context);
    const { result, offset } = run;
    const n = result.equity.length - offset;
    const returns = context ? context.returnsFor(n) : new Float64Array(n);
    const summary = { params, metrics: measure(ir, data, run, from, context, returns), from, to };
    if (!(blocks > 0)) return summary;
    return { ...summary, blocks: blockMoments(returns, blocks) };
}
