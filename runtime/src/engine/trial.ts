/**
 * One trial of a sweep or walk-forward: a backtest with given params over a bar range, reduced to
 * its metrics. The range [from, to) is measured; bars before `from` are replayed only to warm up
 * the indicators (as many as the warm-up needs), so results do not depend on how much history precedes.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { CompiledBacktester } from './compiled/index.js';
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
    constructor(readonly shared?: SharedSeries) {}

    /** Buffers for a run of T bars (grown when a longer one comes). */
    buffersFor(T: number): { equity: Float64Array; exposure: Float64Array } {
        if (this.buffers.equity.length < T) this.buffers = { equity: new Float64Array(T), exposure: new Float64Array(T) };
        return this.buffers;
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
        assets: data.assets.map(a => ({ open: a.open.subarray(from, to), high: a.high.subarray(from, to), low: a.low.subarray(from, to), close: a.close.subarray(from, to), volume: a.volume.subarray(from, to) })),
        snapshotHash: data.snapshotHash,
        timeframeMs: data.timeframeMs,
    };
}

export function runRange(ir: StrategyIr, data: BarData, params: ParamSet, from = 0, to = data.ts.length, limits?: EngineLimits, context?: TrialContext): { result: BacktestResult; offset: number } {
    const values = bindParams(ir, params);
    const start = Math.max(0, from - warmupBars(ir, values));
    // Shared series start at bar 0 (see shared-series.ts); a trial's own fingerprints are not needed for its metrics.
    const given = start === 0 ? context?.shared?.given(values, to) : undefined;
    const result = new CompiledBacktester().run(ir, start === 0 && to === data.ts.length ? data : sliceBars(data, start, to), {
        params: values, ...(limits ? { limits } : {}), ...(given ? { given } : {}),
        ...(context ? { fingerprints: false, buffers: context.buffersFor(to - start) } : {}),
    });
    return { result, offset: from - start };
}

/** Metrics of a result from bar `offset` on (the part after the warm-up prefix). */
export function measure(ir: StrategyIr, data: BarData, result: BacktestResult, from: number, offset: number, context?: TrialContext): Metrics {
    const equity = result.equity.subarray(offset);
    const capital = offset > 0 ? result.equity[offset - 1]! : capitalOf(ir);
    const to = from + equity.length;
    // One object literal of one shape (no spread): computeMetrics reads its fields in hot code.
    return computeMetrics({
        periodsPerYear: context ? context.periodsPerYear(data.ts, from, to) : undefined,
        ts: data.ts.subarray(from, to), equity, capital,
        exposure: result.exposure.subarray(offset),
        trades: offset > 0 ? result.trades.filter(t => t.entryBar >= offset) : result.trades,
        fills: offset > 0 ? result.fills.filter(f => f.bar >= offset) : result.fills,
    });
}

export function capitalOf(ir: StrategyIr): number {
    const c = ir.execution['capital'];
    const n = c ? ir.nodes[c.value] : undefined;
    return n?.op === 'const' && typeof n.attrs['value'] === 'number' ? n.attrs['value'] : 100_000;
}

/** `blocks`: also the moments of the measured returns in that many blocks (0 or absent: none). */
export function runTrial(ir: StrategyIr, data: BarData, params: ParamSet, from = 0, to = data.ts.length, limits?: EngineLimits, context?: TrialContext, blocks = 0): TrialSummary {
    const { result, offset } = runRange(ir, data, params, from, to, limits, context);
    const summary = { params, metrics: measure(ir, data, result, from, offset, context), from, to };
    if (!(blocks > 0)) return summary;
    const capital = offset > 0 ? result.equity[offset - 1]! : capitalOf(ir);
    return { ...summary, blocks: blockMoments(returnsOf(result.equity.subarray(offset), capital), blocks) };
}
