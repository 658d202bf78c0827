/**
 * The second half of the run pipeline: engine → run result. A prepared run (prepare.ts: compiled,
 * params checked, bars loaded) is backtested, swept or walked forward, measured, and returned as
 * one `RunResult` (protocol/src/run-result.ts). The CLI calls it in-process; the daemon's run
 * worker (orchestrator/work.ts) calls it in its thread and stores the result. Both get the same
 * numbers, the same provenance and the same document: there is no second copy of this logic.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { toWire } from '../../../protocol/src/numbers.js';
import { describeOverfitting, RUN_RESULT_SCHEMA, RUN_RESULT_VERSION, type Overfitting, type RunResult } from '../../../protocol/src/run-result.js';
import { metricsToWire } from '../../../protocol/src/wire.js';
import { CompiledBacktester } from '../engine/compiled/index.js';
import type { EngineLimits } from '../engine/limits.js';
import { computeMetrics } from '../engine/metrics.js';
import { runSweep, runWalkForward, type SearchOptions, type SortMetric, type SweepResult } from '../engine/sweep.js';
import { capitalOf } from '../engine/trial.js';
import { defaultWorkers } from '../engine/worker-pool.js';
import type { BarData } from '../engine/types.js';
import type { RunRequest } from './prepare.js';
import { sweepWarnings } from './search-warnings.js';
import type { NamedBenchmark } from './benchmark.js';
import { benchmarkAssets, benchmarkCurve, benchmarkInfo, eventOf, packsOf, rangeOf, searchProvenance, seriesOf, tradeOf } from './result.js';
import { tearsheetOf } from '../../../protocol/src/tearsheet.js';

/** What the engine needs of a prepared run (prepare.ts's PreparedRun, or the same handed to a worker thread). */
export interface ExecutableRun {
    readonly request: RunRequest;
    readonly ir: StrategyIr;
    readonly data: BarData;
    /** `venue:SYMBOL` of each asset, in universe order. */
    readonly symbols: readonly string[];
    /** Backtest: every param's value; sweep / walk-forward: the fixed ones. */
    readonly params: Readonly<Record<string, number | boolean>>;
    /** A named benchmark on the run's bars (absent: buy-and-hold of the traded assets). */
    readonly benchmark?: NamedBenchmark;
}

export interface ExecuteOptions {
    /** The daemon's run id, recorded in the result. */
    readonly runId?: string;
    /** Trial threads of a sweep or walk-forward (0: in this thread; default: all cores). */
    readonly workers?: number;
    /** Look-back and engine-state limits, trial threads' heap (MB), most trials of a search. */
    readonly limits?: { readonly engine: EngineLimits; readonly memoryMb: number; readonly maxTrials: number };
    /** Work done so far (trials, or a backtest's fraction of bars with total 1). */
    progress?(done: number, total: number): void;
    /** Lines for the run's log: what is searched, the warm-up warning, engine events. */
    log?(level: 'info' | 'warn', message: string): void;
}

export interface Execution {
    readonly result: RunResult;
    /** Trial threads used and wall time (reported, never stored: a result does not depend on them). */
    readonly workers: number;
    readonly elapsedMs: number;
}

const header = { schema: RUN_RESULT_SCHEMA, version: RUN_RESULT_VERSION } as const;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/T00:00:00\.000Z$/, '').replace(/\.000Z$/, 'Z');
const shown = (p: Readonly<Record<string, number | boolean>>): string => Object.entries(p).map(([k, v]) => `${k}=${v}`).join(', ') || '(no params)';

export async function executeRun(run: ExecutableRun, o: ExecuteOptions = {}): Promise<Execution> {
    const t0 = performance.now();
    switch (run.request.kind) {
        case 'backtest': return { result: backtest(run, o), workers: 1, elapsedMs: performance.now() - t0 };
        case 'sweep': return sweep(run, o, t0);
        case 'walkforward': return walkforward(run, o, t0);
    }
}

function common(run: ExecutableRun, o: ExecuteOptions) {
    return {
        ...header,
        kind: run.request.kind,
        ...(o.runId !== undefined ? { runId: o.runId } : {}),
        strategy: run.ir.strategy,
        symbols: [...run.symbols],
        timeframe: run.ir.timeframe.text,
        range: rangeOf(run.data.ts),
    };
}

function backtest(run: ExecutableRun, o: ExecuteOptions): RunResult {
    const { ir, data } = run;
    const T = data.ts.length;
    const result = new CompiledBacktester().run(ir, data, {
        params: run.params, seed: 0,
        ...(o.progress ? { onProgress: (f: number) => o.progress!(f, 1), progressEvery: Math.max(1, Math.ceil(T / 100)) } : {}),
        ...(o.limits ? { limits: o.limits.engine } : {}),
    });
    if (T <= result.warmupBars) o.log?.('warn', `${T} bars are not more than the warm-up of ${result.warmupBars}: the strategy cannot trade; start earlier or shorten the look-backs`);
    for (const e of result.events) o.log?.('warn', `engine event at ${iso(data.ts[e.bar]!)}: ${e.kind} — ${e.message}`);
    const capital = capitalOf(ir);
    const metrics = computeMetrics({ ts: data.ts, equity: result.equity, capital, exposure: result.exposure, trades: result.trades, fills: result.fills });
    // The benchmark buys when the strategy first could: at the close of the last warm-up bar.
    const startBar = Math.max(0, Math.min(T - 1, result.warmupBars - 1));
    return withTearsheet({
        ...common(run, o),
        params: { ...result.params },
        capital,
        warmupBars: result.warmupBars,
        metrics: metricsToWire(metrics),
        series: seriesOf(data.ts, result.equity, result.exposure, capital, benchmarkCurve(benchmarkAssets(data, run.benchmark), 0, T, startBar, capital)),
        trades: result.trades.map(t => tradeOf(t, data.ts, run.symbols, { data, fill: ir.fill })),
        tradeCount: result.trades.length,
        events: result.events.map(e => eventOf(e, data.ts)),
        provenance: { ...result.provenance, ...packsOf(ir) },
        benchmark: benchmarkInfo(run.benchmark ? [run.benchmark.id] : run.symbols, startBar),
    });
}

/** The result with its tearsheet (protocol/src/tearsheet.ts), computed once here from every bar and trade. */
function withTearsheet(r: RunResult): RunResult {
    return { ...r, tearsheet: tearsheetOf(r) };
}

function search(run: ExecutableRun, o: ExecuteOptions) {
    const s = run.request.sweep;
    const mode = s?.mode ?? 'grid';
    const seed = s?.seed ?? 1;
    const options: SearchOptions = {
        mode, samples: s?.samples, seed, fixed: { ...run.params }, sortBy: (s?.sortBy ?? 'sharpe') as SortMetric,
        workers: o.workers ?? defaultWorkers(),
        ...(o.progress ? { onProgress: o.progress } : {}),
        ...(o.limits ? { limits: o.limits.engine, memoryMb: o.limits.memoryMb, maxTrials: o.limits.maxTrials } : {}),
    };
    return {
        options,
        /** The seed of a random sample is the run's seed; a grid has none. */
        provenanceSeed: mode === 'random' ? seed : 0,
        part: { mode, samples: s?.samples ?? null, seed, sortBy: options.sortBy!, fixed: { ...run.params } },
    };
}

async function sweep(run: ExecutableRun, o: ExecuteOptions, t0: number): Promise<Execution> {
    const { ir, data } = run;
    const { options, provenanceSeed, part } = search(run, o);
    o.log?.('info', `${part.mode} sweep of ${ir.strategy} on ${data.ts.length} bars, sorted by ${part.sortBy}`);
    const r = await runSweep(ir, data, options);
    const best = r.rows[0]!;
    o.log?.('info', `${r.trials} combinations; best: ${shown(best.params)}`);
    for (const f of r.failed.slice(0, 10)) o.log?.('warn', `trial ${shown(f.params)} failed: ${f.reason}`);
    const warnings = sweepWarnings(ir.params, best, run.params);
    for (const w of warnings) o.log?.('warn', w);
    const overfitting = overfittingPart(r.overfitting);
    o.log?.('info', describeOverfitting(overfitting, r.trials));
    const result: RunResult = withTearsheet({
        ...common(run, o),
        params: { ...best.params },
        capital: capitalOf(ir),
        warmupBars: 0,
        metrics: metricsToWire(best.metrics),
        series: null,
        trades: [],
        tradeCount: 0,
        events: [],
        provenance: searchProvenance(ir, data, best.params, provenanceSeed),
        search: part,
        sweep: {
            trialCount: r.trials,
            trials: r.rows.map(x => ({ params: { ...x.params }, metrics: metricsToWire(x.metrics) })),
            deflatedSharpe: { dsr: toWire(r.deflated.dsr), expectedMaxSharpe: toWire(r.deflated.expectedMaxSharpe) },
            failedTrials: r.failed.map(f => ({ params: { ...f.params }, reason: f.reason })),
            ...(warnings.length ? { warnings } : {}),
            overfitting,
        },
    });
    return { result, workers: r.workers, elapsedMs: performance.now() - t0 };
}

function overfittingPart(o: SweepResult['overfitting']): Overfitting {
    return {
        pbo: toWire(o.pbo?.pbo ?? NaN), blocks: o.pbo?.blocks ?? 0, combinations: o.pbo?.combinations ?? 0,
        minBacktestYears: toWire(o.minBacktest.years), minBacktestYearsBound: toWire(o.minBacktest.upperBoundYears), backtestYears: toWire(o.years),
    };
}

async function walkforward(run: ExecutableRun, o: ExecuteOptions, t0: number): Promise<Execution> {
    const { ir, data } = run;
    const T = data.ts.length;
    const wf = run.request.walkforward ?? {};
    const inSample = wf.inSample ?? Math.floor(T / 4), outOfSample = wf.outOfSample ?? Math.floor(T / 8);
    const scheme = wf.anchored ? 'anchored' : 'rolling';
    const { options, provenanceSeed, part } = search(run, o);
    o.log?.('info', `${scheme} walk-forward of ${ir.strategy} on ${T} bars: ${inSample} in-sample + ${outOfSample} out-of-sample bars per window, optimising ${part.sortBy}`);
    const r = await runWalkForward(ir, data, { ...options, inSample, outOfSample, scheme });
    for (const f of r.failed.slice(0, 10)) o.log?.('warn', `in-sample trial ${shown(f.params)} failed: ${f.reason}`);
    // The params to trade now: the latest window's pick.
    const latest = r.windows[r.windows.length - 1]!.best;
    const capital = capitalOf(ir);
    // The stitched bars are data.ts[first, last): the benchmark is bought at the first one's close.
    const first = r.ts.length ? data.ts.indexOf(r.ts[0]!) : 0;
    const result: RunResult = withTearsheet({
        ...common(run, o),
        params: { ...latest },
        capital,
        warmupBars: 0,
        metrics: metricsToWire(r.metrics),
        series: seriesOf(r.ts, r.equity, r.exposure, capital, r.ts.length ? benchmarkCurve(benchmarkAssets(data, run.benchmark), first, first + r.ts.length, 0, capital) : undefined),
        trades: r.trades.map(t => tradeOf(t, r.ts, run.symbols, { data, fill: ir.fill, offset: first })),
        tradeCount: r.trades.length,
        events: r.events.map(e => eventOf(e, r.ts)),
        provenance: searchProvenance(ir, data, latest, provenanceSeed),
        search: part,
        walkforward: {
            scheme, inSampleBars: inSample, outOfSampleBars: outOfSample, efficiency: toWire(r.efficiency),
            windows: r.windows.map(w => ({
                inSample: rangeOf(data.ts, w.isFrom, w.isTo), outOfSample: rangeOf(data.ts, w.oosFrom, w.oosTo), params: { ...w.best },
                inSampleMetrics: metricsToWire(w.inSample), outOfSampleMetrics: metricsToWire(w.outOfSample),
            })),
            failedTrials: r.failed.map(f => ({ params: { ...f.params }, reason: f.reason, inSample: rangeOf(data.ts, f.from, f.to) })),
        },
        ...(r.ts.length ? { benchmark: benchmarkInfo(run.benchmark ? [run.benchmark.id] : run.symbols, 0) } : {}),
    });
    return { result, workers: options.workers ?? 1, elapsedMs: performance.now() - t0 };
}
