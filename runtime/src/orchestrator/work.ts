/**
 * The work of one run, as done inside its worker thread (run-worker.ts): the backtest, sweep or
 * walk-forward on bars the main thread loaded, the metrics, and the artifacts written under
 * temporary names (`*.tmp`) in the run's directory. The main thread renames them into place in
 * the same critical section as the transaction that marks the run completed, so a run is never
 * completed without its artifacts, and a cancelled or failed run leaves none.
 *
 * Trials of sweeps and walk-forwards run in this same thread by default (`trialWorkers: 0`): one
 * run is one thread, so the orchestrator's concurrency bounds the CPU it uses and terminating the
 * thread stops all of the run's work. With `trialWorkers > 0` they fan out to nested worker
 * threads, which Node terminates together with this one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { fingerprints } from '../../../language/src/ir/fingerprint.js';
import { CompiledBacktester, ENGINE_VERSION, withParamValues } from '../engine/compiled/index.js';
import { computeMetrics, type Metrics } from '../engine/metrics.js';
import { bindParams } from '../engine/params.js';
import { runSweep, runWalkForward, type SortMetric } from '../engine/sweep.js';
import { capitalOf } from '../engine/trial.js';
import type { EngineLimits } from '../engine/limits.js';
import { unshareBars, type SharedBars } from '../engine/worker-pool.js';
import { renderReport } from '../report/html-report.js';
import { reportRunMessage } from '../report/report-message.js';
import type { LogLevel, Provenance, RunKind, RunSpec } from './types.js';
import { sha256 } from './artifacts.js';
import { jsonNumbers } from '../../../protocol/src/numbers.js';

export interface WorkerJob {
    readonly runId: string;
    readonly kind: RunKind;
    readonly ir: StrategyIr;
    readonly bars: SharedBars;
    /** `venue:SYMBOL` of each asset, in universe order. */
    readonly symbols: readonly string[];
    /** Backtest: the bound values; sweep / walk-forward: the params held fixed. */
    readonly params: Readonly<Record<string, number | boolean>>;
    readonly sweep?: RunSpec['sweep'];
    readonly walkforward?: RunSpec['walkforward'];
    /** The run's artifact directory (exists, empty). */
    readonly dir: string;
    readonly trialWorkers: number;
    /** The strategy's document (the report links back to it). */
    readonly uri?: string;
    /** The engine's look-back and state limits, trial threads' heap (MB), and the most trials of a sweep or walk-forward. */
    readonly limits?: { readonly engine: EngineLimits; readonly memoryMb: number; readonly maxTrials: number };
}

export interface StagedArtifact {
    readonly name: string;
    /** Temporary path in the same directory; renamed to `name` on completion. */
    readonly tmp: string;
    /** Size and SHA-256 of what was written (recorded with the run's completion; artifacts.ts checks files against them). */
    readonly bytes: number;
    readonly sha256: string;
}

export interface WorkerOutput {
    readonly strategy: string;
    readonly params: Record<string, number | boolean>;
    readonly metrics: Record<string, number | null>;
    readonly tradeCount: number;
    readonly provenance: Provenance;
    /** One line for the 'result' event. */
    readonly summary: string;
    readonly staged: readonly StagedArtifact[];
}

export interface WorkHooks {
    /** Fraction done, 0..1. */
    progress(fraction: number): void;
    log(level: LogLevel, message: string): void;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/T00:00:00\.000Z$/, '').replace(/\.000Z$/, 'Z');

export async function performRun(job: WorkerJob, hooks: WorkHooks): Promise<WorkerOutput> {
    const data = unshareBars(job.bars);
    switch (job.kind) {
        case 'backtest': return backtest(job, data, hooks);
        case 'sweep': return sweep(job, data, hooks);
        case 'walkforward': return walkforward(job, data, hooks);
    }
}

function stage(job: WorkerJob, name: string, text: string): StagedArtifact {
    const tmp = join(job.dir, `${name}.tmp`);
    const data = Buffer.from(text, 'utf8');
    writeFileSync(tmp, data);
    return { name, tmp, bytes: data.length, sha256: sha256(data) };
}

const json = (v: unknown): string => JSON.stringify(v, jsonNumbers);

function metricRecord(m: Metrics, extra: Record<string, number> = {}): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    for (const [k, v] of Object.entries({ ...m, ...extra })) out[k] = typeof v === 'number' && !Number.isNaN(v) ? v : null;
    return out;
}

function fmt(x: number | null | undefined, d = 2): string {
    return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : 'n/a';
}

function summaryOf(m: Metrics): string {
    return `sharpe ${fmt(m.sharpe)}, total return ${fmt(m.totalReturn * 100, 1)}%, max drawdown ${fmt(m.maxDrawdown * 100, 1)}%, ${m.tradeCount} trades`;
}

/** Progress in steps of at least 1% (the main thread throttles again before persisting). */
function stepper(hooks: WorkHooks): (f: number) => void {
    let last = -1;
    return f => {
        if (f >= 1 || f - last >= 0.01) { last = f; hooks.progress(Math.min(1, f)); }
    };
}

function backtest(job: WorkerJob, data: ReturnType<typeof unshareBars>, hooks: WorkHooks): WorkerOutput {
    const { ir } = job;
    const T = data.ts.length;
    const progress = stepper(hooks);
    const result = new CompiledBacktester().run(ir, data, { params: job.params, seed: 0, onProgress: progress, progressEvery: Math.max(1, Math.ceil(T / 100)), ...(job.limits ? { limits: job.limits.engine } : {}) });
    if (T <= result.warmupBars) hooks.log('warn', `${T} bars are not more than the warm-up of ${result.warmupBars}: the strategy cannot trade; start earlier or shorten the look-backs`);
    for (const e of result.events) hooks.log('warn', `engine event at ${iso(data.ts[e.bar]!)}: ${e.kind} — ${e.message}`);
    const capital = capitalOf(ir);
    const metrics = computeMetrics({ ts: data.ts, equity: result.equity, capital, exposure: result.exposure, trades: result.trades, fills: result.fills });
    const params = { ...result.params };
    const staged: StagedArtifact[] = [
        stage(job, 'result.json', json({
            runId: job.runId, kind: job.kind, strategy: ir.strategy, symbols: job.symbols, timeframe: ir.timeframe.text,
            bars: T, from: T ? iso(data.ts[0]!) : null, to: T ? iso(data.ts[T - 1]!) : null, warmupBars: result.warmupBars,
            params, metrics, provenance: result.provenance, events: result.events, trades: result.trades,
            curve: { ts: Array.from(data.ts), equity: Array.from(result.equity) },
        })),
    ];
    // The report is a convenience: a problem rendering it is logged, not a failed run.
    try {
        staged.push(stage(job, 'report.html', renderReport(reportRunMessage({ ir, data, result, metrics, capital, params, runId: job.runId, state: 'completed', ...(job.uri ? { uri: job.uri } : {}) }))));
    } catch (e) {
        hooks.log('warn', `no report.html: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    return { strategy: ir.strategy, params, metrics: metricRecord(metrics), tradeCount: result.trades.length, provenance: result.provenance, summary: summaryOf(metrics), staged };
}

function searchOptions(job: WorkerJob, hooks: WorkHooks) {
    const s = job.sweep;
    const progress = stepper(hooks);
    return {
        mode: s?.mode ?? 'grid',
        samples: s?.samples,
        seed: s?.seed ?? 1,
        fixed: { ...job.params },
        sortBy: (s?.sortBy ?? 'sharpe') as SortMetric,
        workers: job.trialWorkers,
        onProgress: (done: number, total: number) => progress(done / total),
        ...(job.limits ? { limits: job.limits.engine, memoryMb: job.limits.memoryMb, maxTrials: job.limits.maxTrials } : {}),
    } as const;
}

function provenanceOf(job: WorkerJob, data: ReturnType<typeof unshareBars>, best: Record<string, number | boolean>): Provenance {
    const fp = fingerprints(withParamValues(job.ir, bindParams(job.ir, best)));
    return { exactFingerprint: fp.exact, structuralFingerprint: fp.structural, dataSnapshot: data.snapshotHash, engineVersion: ENGINE_VERSION, seed: job.sweep?.mode === 'random' ? job.sweep.seed ?? 1 : 0 };
}

async function sweep(job: WorkerJob, data: ReturnType<typeof unshareBars>, hooks: WorkHooks): Promise<WorkerOutput> {
    const o = searchOptions(job, hooks);
    hooks.log('info', `${o.mode} sweep of ${job.ir.strategy} on ${data.ts.length} bars, sorted by ${o.sortBy}`);
    const r = await runSweep(job.ir, data, o);
    const best = r.rows[0]!;
    hooks.log('info', `${r.trials} combinations; best: ${Object.entries(best.params).map(([k, v]) => `${k}=${v}`).join(', ') || '(no params)'}`);
    const provenance = provenanceOf(job, data, best.params);
    const metrics = metricRecord(best.metrics, { trials: r.trials, deflatedSharpe: r.deflated.dsr, expectedMaxSharpe: r.deflated.expectedMaxSharpe });
    const staged = [
        stage(job, 'sweep.json', json({ sortBy: r.sortBy, trials: r.trials, deflatedSharpe: r.deflated, rows: r.rows.map(x => ({ params: x.params, metrics: x.metrics })) })),
        stage(job, 'result.json', json({
            runId: job.runId, kind: job.kind, strategy: job.ir.strategy, symbols: job.symbols, timeframe: job.ir.timeframe.text, bars: data.ts.length,
            sweep: { mode: o.mode, samples: o.samples ?? null, seed: o.seed, sortBy: o.sortBy, fixed: o.fixed, trials: r.trials, deflatedSharpe: r.deflated },
            params: best.params, metrics: best.metrics, provenance,
        })),
    ];
    return {
        strategy: job.ir.strategy, params: { ...best.params }, metrics, tradeCount: best.metrics.tradeCount, provenance, staged,
        summary: `best of ${r.trials}: ${summaryOf(best.metrics)}; deflated Sharpe ${fmt(r.deflated.dsr, 3)}`,
    };
}

async function walkforward(job: WorkerJob, data: ReturnType<typeof unshareBars>, hooks: WorkHooks): Promise<WorkerOutput> {
    const o = searchOptions(job, hooks);
    const T = data.ts.length;
    const wf = job.walkforward ?? {};
    const inSample = wf.inSample ?? Math.floor(T / 4), outOfSample = wf.outOfSample ?? Math.floor(T / 8);
    const scheme = wf.anchored ? 'anchored' : 'rolling';
    hooks.log('info', `${scheme} walk-forward of ${job.ir.strategy} on ${T} bars: ${inSample} in-sample + ${outOfSample} out-of-sample bars per window, optimising ${o.sortBy}`);
    const r = await runWalkForward(job.ir, data, { ...o, inSample, outOfSample, scheme });
    // The params to trade now: the latest window's pick.
    const latest = r.windows[r.windows.length - 1]!.best;
    const provenance = provenanceOf(job, data, latest);
    const metrics = metricRecord(r.metrics, { efficiency: r.efficiency, windows: r.windows.length });
    const staged = [
        stage(job, 'result.json', json({
            runId: job.runId, kind: job.kind, strategy: job.ir.strategy, symbols: job.symbols, timeframe: job.ir.timeframe.text, bars: T,
            walkforward: { scheme, inSample, outOfSample, mode: o.mode, samples: o.samples ?? null, seed: o.seed, sortBy: o.sortBy, fixed: o.fixed },
            params: latest, metrics: r.metrics, efficiency: r.efficiency, provenance,
            windows: r.windows.map(w => ({ ...w, isFrom: iso(data.ts[w.isFrom]!), isTo: iso(data.ts[w.isTo - 1]!), oosFrom: iso(data.ts[w.oosFrom]!), oosTo: iso(data.ts[w.oosTo - 1]!) })),
            curve: { ts: Array.from(r.ts), equity: Array.from(r.equity) },
        })),
    ];
    return {
        strategy: job.ir.strategy, params: { ...latest }, metrics, tradeCount: r.metrics.tradeCount, provenance, staged,
        summary: `${r.windows.length} windows, stitched out-of-sample: ${summaryOf(r.metrics)}; efficiency ${fmt(r.efficiency)}`,
    };
}
