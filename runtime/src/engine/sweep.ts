/**
 * Parameter sweeps and walk-forward analysis on worker threads.
 * - Sweep: every grid combination (or a seeded random sample) honouring the constraints, run in
 *   parallel, sorted by a metric; the best trial's Sharpe is deflated for the number of trials
 *   (Bailey & López de Prado); its probability of backtest overfitting (CSCV) and the minimum
 *   backtest length for that many trials (overfitting.ts) say whether the search itself can be trusted.
 * - Walk-forward: windows of in-sample (optimise) and out-of-sample (test with the in-sample best)
 *   bars, rolling or anchored; the out-of-sample segments are stitched into one equity curve.
 * A combination that cannot run (its own look-back over the limit, an invalid window length, any
 * error of its backtest) is a failed trial, reported with its reason; the others run. Only when
 * nothing is left to rank (every trial, or every trial of a window, failed) does the run fail, with
 * the first reasons.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { gridParamSets, randomParamSets, type ParamSet } from './param-space.js';
import { computeMetrics, deflatedSharpe, type Metrics } from './metrics.js';
import { blocksFor, minBacktestLength, pboOfScores, type MinBacktestLength, type PboResult } from './overfitting.js';
import { runRange, capitalOf } from './trial.js';
import { runTrials, SetScores, shareBars, type PoolStats, type TrialJob } from './worker-pool.js';
import { threadCpuMs } from './thread-cpu.js';
import { BacktestError, type BarData, type EngineEvent, type Fill, type Trade } from './types.js';
import { isFailed, type FailedTrial, type TrialOutcome, type TrialSummary } from './trial.js';
import type { EngineLimits } from './limits.js';
import { MAX_GRID_COMBINATIONS } from '../../../language/src/analysis/limits.js';

export type SortMetric = 'sharpe' | 'sortino' | 'cagr' | 'totalReturn' | 'calmar' | 'maxDrawdown' | 'profitFactor' | 'winRate';
export const SORT_METRICS: readonly SortMetric[] = ['sharpe', 'sortino', 'cagr', 'totalReturn', 'calmar', 'maxDrawdown', 'profitFactor', 'winRate'];

export interface SearchOptions {
    readonly mode?: 'grid' | 'random';
    /** Random mode: number of combinations. */
    readonly samples?: number;
    readonly seed?: number;
    /** Params held fixed (the rest vary). */
    readonly fixed?: ParamSet;
    readonly sortBy?: SortMetric;
    readonly workers?: number;
    readonly onProgress?: (done: number, total: number) => void;
    readonly signal?: AbortSignal;
    /** Most trials of one sweep or walk-forward (grid combinations, random samples, × windows); default MAX_GRID_COMBINATIONS. */
    readonly maxTrials?: number;
    /** Look-back and engine-state limits of every trial. */
    readonly limits?: EngineLimits;
    /** V8 heap limit of trial worker threads, MB. */
    readonly memoryMb?: number;
    /** Filled in with where the time went (bench/sweep.js): the pool's figures, and the calling thread's ranking and overfitting statistics after the last trial. */
    readonly stats?: SweepStats;
}

export interface SweepStats extends PoolStats {
    /** Calling thread's CPU time after the last trial: sorting, deflated Sharpe, PBO. */
    afterMs: number;
}

export interface SweepResult {
    /** The trials that ran, best first. */
    readonly rows: readonly TrialSummary[];
    /** The trials that could not run, in grid order, with their reasons. */
    readonly failed: readonly FailedTrial[];
    readonly sortBy: SortMetric;
    /** Trials that ran (failed ones not included). */
    readonly trials: number;
    readonly deflated: { readonly dsr: number; readonly expectedMaxSharpe: number };
    /** PBO by CSCV over the trials that ran (null: fewer than 2 trials or too few bars to cut into blocks), MinBTL for their number, and the years the bars span. */
    readonly overfitting: { readonly pbo: PboResult | null; readonly minBacktest: MinBacktestLength; readonly years: number };
    readonly workers: number;
    readonly elapsedMs: number;
}

/** Higher is better, except for drawdown. NaN sorts last. */
export function score(m: Metrics, by: SortMetric): number {
    const v = by === 'maxDrawdown' ? -m.maxDrawdown : m[by];
    return Number.isNaN(v) ? -Infinity : v;
}

function paramSets(ir: StrategyIr, o: SearchOptions): ParamSet[] {
    const max = o.maxTrials ?? MAX_GRID_COMBINATIONS;
    const samples = o.samples ?? 100;
    if (o.mode === 'random' && samples > max) {
        throw new BacktestError(`a random sweep of ${samples.toLocaleString('en-US')} samples is over the limit of ${max.toLocaleString('en-US')} trials per run; ask for fewer samples`);
    }
    const sets = o.mode === 'random' ? randomParamSets(ir, samples, o.seed ?? 1, o.fixed) : gridParamSets(ir, o.fixed, max);
    if (sets.length === 0) throw new BacktestError(`no parameter combination of ${ir.strategy} satisfies its constraints${o.fixed && Object.keys(o.fixed).length ? ' with the fixed values given' : ''}`);
    return sets;
}

export async function runSweep(ir: StrategyIr, data: BarData, o: SearchOptions = {}): Promise<SweepResult> {
    const t0 = performance.now();
    const sortBy = o.sortBy ?? 'sharpe';
    const sets = paramSets(ir, o);
    const workers = Math.min(o.workers ?? 1, sets.length);
    const blocks = blocksFor(sets.length, data.ts.length);
    // The PBO's per-trial part (each trial on every half of its blocks) is done with the trials, on the workers.
    const scores = blocks ? new SetScores(sets.length, blocks) : undefined;
    const outcomes = await runTrials(ir, data, sets.map(params => ({ params, ...(blocks ? { blocks } : {}) })), {
        workers, onResult: o.onProgress, signal: o.signal, limits: o.limits, memoryMb: o.memoryMb, ...(o.stats ? { stats: o.stats } : {}), ...(scores ? { scores } : {}),
    });
    const c1 = o.stats ? threadCpuMs() : 0;
    // The trials that ran, by their index in the grid.
    const ran: number[] = [];
    const failed: FailedTrial[] = [];
    outcomes.forEach((t, i) => { if (isFailed(t)) failed.push(t); else ran.push(i); });
    if (ran.length === 0) throw allFailed(`every one of the ${failed.length} combinations of ${ir.strategy} failed`, failed);
    // Best first: a stable sort of the indices on their scores, computed once (the order a sort of the rows by score gives).
    const key = new Float64Array(outcomes.length);
    for (const i of ran) key[i] = score((outcomes[i] as TrialSummary).metrics, sortBy);
    ran.sort((a, b) => key[b]! - key[a]!);
    const sorted = ran.map(i => outcomes[i] as TrialSummary);
    const pbo = scores ? pboOfScores(blocks, scores.read(), ran) : null;
    const result = { rows: sorted, failed, sortBy, trials: sorted.length, deflated: deflate(sorted), overfitting: overfittingOf(sorted, pbo, data), workers, elapsedMs: performance.now() - t0 };
    if (o.stats) o.stats.afterMs += threadCpuMs() - c1;
    return result;
}

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/** PBO over the trials' block moments (per-bar Sharpe on each half of the blocks) and MinBTL for the number of trials and the best's annualised Sharpe. */
function overfittingOf(sorted: readonly TrialSummary[], pbo: PboResult | null, data: BarData): SweepResult['overfitting'] {
    const T = data.ts.length;
    return { pbo, minBacktest: minBacktestLength(sorted.length, sorted[0]!.metrics.sharpe), years: T > 1 ? (data.ts[T - 1]! - data.ts[0]!) / YEAR_MS : 0 };
}

function split(outcomes: readonly TrialOutcome[]): { rows: TrialSummary[]; failed: FailedTrial[] } {
    const rows: TrialSummary[] = [], failed: FailedTrial[] = [];
    for (const t of outcomes) {
        if (isFailed(t)) failed.push(t);
        else rows.push(t);
    }
    return { rows, failed };
}

/** The run's error when nothing is left to rank: the first few reasons, each with its params. */
function allFailed(what: string, failed: readonly FailedTrial[]): BacktestError {
    const shown = failed.slice(0, 3).map(f => `params ${JSON.stringify(f.params)}: ${f.reason}`).join('; ');
    return new BacktestError(`${what}: ${shown}${failed.length > 3 ? `; and ${failed.length - 3} more` : ''}`);
}

/** Deflated Sharpe of the best row (rows sorted best first). */
export function deflate(rows: readonly TrialSummary[]): { dsr: number; expectedMaxSharpe: number } {
    const best = rows[0];
    if (!best) return { dsr: NaN, expectedMaxSharpe: NaN };
    const srs = rows.map(r => r.metrics.periodSharpe).filter(Number.isFinite);
    const mean = srs.reduce((a, b) => a + b, 0) / Math.max(1, srs.length);
    const variance = srs.length > 1 ? srs.reduce((a, b) => a + (b - mean) ** 2, 0) / (srs.length - 1) : 0;
    // The first of the highest Sharpe (what a stable sort by Sharpe puts first).
    let top = best.metrics, topScore = score(top, 'sharpe');
    for (const r of rows) { const x = score(r.metrics, 'sharpe'); if (x > topScore) { top = r.metrics; topScore = x; } }
    return deflatedSharpe({ sharpe: top.periodSharpe, trials: rows.length, sharpeVariance: variance, skew: top.skew, kurtosis: top.kurtosis, observations: top.bars });
}

export interface WalkForwardOptions extends SearchOptions {
    readonly scheme?: 'rolling' | 'anchored';
    /** In-sample and out-of-sample window lengths in bars. */
    readonly inSample: number;
    readonly outOfSample: number;
}

export interface WalkForwardWindow {
    readonly isFrom: number;
    readonly isTo: number;
    readonly oosFrom: number;
    readonly oosTo: number;
    readonly best: ParamSet;
    readonly inSample: Metrics;
    readonly outOfSample: Metrics;
}

export interface WalkForwardResult {
    readonly windows: readonly WalkForwardWindow[];
    /** In-sample trials that could not run (from/to: their window), with their reasons. */
    readonly failed: readonly FailedTrial[];
    /** Stitched out-of-sample equity (starting at the strategy's capital) and its time axis. */
    readonly ts: Float64Array;
    readonly equity: Float64Array;
    /** Gross exposure of the stitched bars; their trades and engine events, with bars indexing `ts` (trade P&L, fees and size scaled as the equity is). */
    readonly exposure: Float64Array;
    readonly trades: readonly Trade[];
    readonly events: readonly EngineEvent[];
    readonly metrics: Metrics;
    /** Mean out-of-sample Sharpe / mean in-sample Sharpe of the chosen params. */
    readonly efficiency: number;
    readonly sortBy: SortMetric;
    readonly elapsedMs: number;
}

export function walkForwardWindows(T: number, scheme: 'rolling' | 'anchored', inSample: number, outOfSample: number): { isFrom: number; isTo: number; oosFrom: number; oosTo: number }[] {
    if (!(inSample > 0 && outOfSample > 0)) throw new BacktestError('walk-forward needs positive in-sample and out-of-sample lengths');
    const out = [];
    for (let oosFrom = inSample; oosFrom + outOfSample <= T; oosFrom += outOfSample) {
        out.push({ isFrom: scheme === 'anchored' ? 0 : oosFrom - inSample, isTo: oosFrom, oosFrom, oosTo: oosFrom + outOfSample });
    }
    if (out.length === 0) throw new BacktestError(`the data has ${T} bars: too few for one window of ${inSample} in-sample + ${outOfSample} out-of-sample bars`);
    return out;
}

export async function runWalkForward(ir: StrategyIr, data: BarData, o: WalkForwardOptions): Promise<WalkForwardResult> {
    const t0 = performance.now();
    const sortBy = o.sortBy ?? 'sharpe';
    const windows = walkForwardWindows(data.ts.length, o.scheme ?? 'rolling', o.inSample, o.outOfSample);
    const sets = paramSets(ir, o);
    const shared = shareBars(data);
    // Every in-sample trial of every window in one parallel batch.
    const max = o.maxTrials ?? MAX_GRID_COMBINATIONS;
    if (windows.length * sets.length > max) {
        throw new BacktestError(`the walk-forward would run ${(windows.length * sets.length).toLocaleString('en-US')} trials (${windows.length} windows × ${sets.length.toLocaleString('en-US')} combinations), over the limit of ${max.toLocaleString('en-US')} per run; use longer windows, fewer combinations or a random sample`);
    }
    const jobs: TrialJob[] = windows.flatMap(w => sets.map(params => ({ params, from: w.isFrom, to: w.isTo })));
    const total = jobs.length + windows.length;
    const pool = { workers: o.workers, signal: o.signal, limits: o.limits, memoryMb: o.memoryMb };
    const is = await runTrials(ir, shared, jobs, { ...pool, onResult: (d) => o.onProgress?.(d, total) });
    const failed = is.filter(isFailed);
    const picks = windows.map((w, k) => {
        const { rows, failed: none } = split(is.slice(k * sets.length, (k + 1) * sets.length));
        if (rows.length === 0) throw allFailed(`every combination of ${ir.strategy} failed in the in-sample bars ${w.isFrom}..${w.isTo - 1} of window ${k + 1}`, none);
        return { w, best: [...rows].sort((a, b) => score(b.metrics, sortBy) - score(a.metrics, sortBy))[0]! };
    });
    const oosOutcomes = await runTrials(ir, shared, picks.map(p => ({ params: p.best.params, from: p.w.oosFrom, to: p.w.oosTo })), { ...pool, onResult: (d) => o.onProgress?.(jobs.length + d, total) });
    const oosFailed = oosOutcomes.filter(isFailed);
    if (oosFailed.length > 0) throw allFailed(`the in-sample best of a window of ${ir.strategy} failed out of sample`, oosFailed);
    const oos = oosOutcomes as TrialSummary[];

    // Stitch: each out-of-sample segment compounds from where the previous one ended.
    const capital = capitalOf(ir);
    const first = windows[0]!.oosFrom, last = windows[windows.length - 1]!.oosTo;
    const ts = data.ts.slice(first, last);
    const equity = new Float64Array(last - first);
    const exposure = new Float64Array(last - first);
    let level = capital, at = 0;
    const trades: { pnl: number; returnPct: number }[] = [];
    const stitchedTrades: Trade[] = [], events: EngineEvent[] = [];
    // Fills scaled as the equity is: turnover (traded value / mean equity) needs them.
    const fills: Fill[] = [];
    for (const p of picks) {
        const { result, offset } = runRange(ir, data, p.best.params, p.w.oosFrom, p.w.oosTo, o.limits);
        const base = offset > 0 ? result.equity[offset - 1]! : capital;
        // Bar i of this window's run is bar i - offset + oosFrom - first of the stitched axis.
        const shift = p.w.oosFrom - offset - first;
        // Amounts of this window (P&L, fees, sizes) in the stitched curve's units: the window
        // starts at `level`, where its own run stood at `base`.
        const scale = level / base;
        for (let i = offset; i < result.equity.length; i++) {
            exposure[at] = result.exposure[i]!;
            equity[at++] = level * (result.equity[i]! / base);
        }
        level = equity[at - 1]!;
        for (const t of result.trades) {
            if (t.entryBar < offset) continue;
            trades.push({ pnl: t.pnl * scale, returnPct: t.returnPct });
            stitchedTrades.push({ ...t, entryBar: t.entryBar + shift, exitBar: t.exitBar + shift, pnl: t.pnl * scale, maxQty: t.maxQty * scale, fees: t.fees * scale });
        }
        for (const f of result.fills) if (f.bar >= offset) fills.push({ ...f, bar: f.bar + shift, qty: f.qty * scale, fee: f.fee * scale });
        for (const e of result.events) if (e.bar >= offset) events.push({ ...e, bar: e.bar + shift });
    }
    // The stitched series' own metrics: exposure and turnover too (without them: NaN and 0).
    const metrics = computeMetrics({ ts, equity, capital, trades, exposure, fills });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const isSharpe = mean(picks.map(p => p.best.metrics.sharpe).filter(Number.isFinite));
    const oosSharpe = mean(oos.map(r => r.metrics.sharpe).filter(Number.isFinite));
    return {
        windows: picks.map((p, k) => ({ ...p.w, best: p.best.params, inSample: p.best.metrics, outOfSample: oos[k]!.metrics })),
        failed,
        ts, equity, exposure, trades: stitchedTrades, events, metrics,
        efficiency: isSharpe !== 0 ? oosSharpe / isSharpe : NaN,
        sortBy, elapsedMs: performance.now() - t0,
    };
}
