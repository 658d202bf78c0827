/**
 * The work of one run inside its worker thread (run-worker.ts): the run pipeline's engine half
 * (pipeline/execute.ts) on the bars the main thread loaded, with the thread's progress and log
 * hooks, and its result staged as result.json under a temporary name (`*.tmp`) in the run's
 * directory. The main thread renames it into place in the same critical section as the
 * transaction that marks the run completed, so a run is never completed without its result, and a
 * cancelled or failed run leaves none.
 *
 * Trials of sweeps and walk-forwards run in this same thread by default (`trialWorkers: 0`): one
 * run is one thread, so the orchestrator's concurrency bounds the CPU it uses and terminating the
 * thread stops all of the run's work. With `trialWorkers > 0` they fan out to nested worker
 * threads, which Node terminates together with this one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { fromWire } from '../../../protocol/src/numbers.js';
import type { RunResult } from '../../../protocol/src/run-result.js';
import type { EngineLimits } from '../engine/limits.js';
import { unshareBars, type SharedBars } from '../engine/worker-pool.js';
import { executeRun } from '../pipeline/execute.js';
import { installPackBundles, type PackBundle } from '../engine/packs/bundles.js';
import type { RunRequest } from '../pipeline/prepare.js';
import type { NamedBenchmark } from '../pipeline/benchmark.js';
import { encodeResult, RESULT_FILE } from '../pipeline/result-file.js';
import { ledgerTrialsOf, type LedgerTrial } from '../experiments/ledger-trials.js';
import type { LogLevel, Provenance } from './types.js';
import { sha256 } from './artifacts.js';
import { inSpan } from '../monitoring/tracing.js';

export interface WorkerJob {
    readonly runId: string;
    readonly request: RunRequest;
    readonly ir: StrategyIr;
    readonly bars: SharedBars;
    /** `venue:SYMBOL` of each asset, in universe order. */
    readonly symbols: readonly string[];
    /** Backtest: the bound values; sweep / walk-forward: the params held fixed. */
    readonly params: Readonly<Record<string, number | boolean>>;
    /** A named benchmark on the run's bars (absent: buy-and-hold of the traded assets). */
    readonly benchmark?: NamedBenchmark;
    /** The run's artifact directory (exists, empty); not written to when `held` is set. */
    readonly dir: string;
    /**
     * The artifacts come back as bytes in the output (`WorkerOutput.held`), transferred to the main
     * thread, rather than as files under `dir`: `af worker` sends them on to Redis or its staging
     * folder and has no use for a file of its own (the embedded daemon renames its staged files).
     */
    readonly held?: boolean;
    readonly trialWorkers: number;
    /** The engine's look-back and state limits, trial threads' heap (MB), and the most trials of a sweep or walk-forward. */
    readonly limits?: { readonly engine: EngineLimits; readonly memoryMb: number; readonly maxTrials: number };
    /** The workspace packs of the run's folder as the main thread read and checked them: their code is imported here, from these bytes. */
    readonly packs?: readonly PackBundle[];
}

export interface StagedArtifact {
    readonly name: string;
    /** Temporary path in the same directory; renamed to `name` on completion. */
    readonly tmp: string;
    /** Size and SHA-256 of what was written (recorded with the run's completion; artifacts.ts checks files against them). */
    readonly bytes: number;
    readonly sha256: string;
}

/** An artifact as bytes (WorkerJob.held): the same bytes, size and SHA-256 a staged file would have. */
export interface HeldArtifact {
    readonly name: string;
    readonly data: Uint8Array;
    readonly bytes: number;
    readonly sha256: string;
}

/** What the run's record gets (the experiment store indexes it), besides the staged result. */
export interface WorkerOutput {
    readonly strategy: string;
    readonly params: Record<string, number | boolean>;
    readonly metrics: Record<string, number | null>;
    readonly tradeCount: number;
    readonly provenance: Provenance;
    /** One line for the 'result' event. */
    readonly summary: string;
    readonly staged: readonly StagedArtifact[];
    /** A `held` job's artifacts (its `staged` is empty). */
    readonly held?: readonly HeldArtifact[];
    /** The run's trials for the research ledger (experiments/ledger.ts), written with its completion. */
    readonly ledger: readonly LedgerTrial[];
}

export interface WorkHooks {
    /** Fraction done, 0..1. */
    progress(fraction: number): void;
    log(level: LogLevel, message: string): void;
}

export async function performRun(job: WorkerJob, hooks: WorkHooks): Promise<WorkerOutput> {
    // This thread (and its trial threads) resolve functions through the run's packs; a reused worker drops the previous run's.
    const refused = await installPackBundles(job.packs ?? []);
    for (const p of refused) {
        if (job.ir.packs?.some(x => x.name === p.pack)) throw new Error(p.message);
        hooks.log('warn', p.message);
    }
    const progress = stepper(hooks);
    const ir = internIr(job.ir);
    const { result } = await inSpan('engine.run', { attributes: { 'af.run.id': job.runId, 'af.run.kind': job.request.kind, 'af.assets': job.symbols.length } }, () => executeRun(
        { request: job.request, ir, data: unshareBars(job.bars), symbols: job.symbols, params: job.params, ...(job.benchmark ? { benchmark: job.benchmark } : {}) },
        { runId: job.runId, workers: job.trialWorkers, progress: (done, total) => progress(done / total), log: hooks.log, ...(job.limits ? { limits: job.limits } : {}) },
    ));
    const bytes = encodeResult(result);
    const artifacts = job.held ? { staged: [], held: [hold(RESULT_FILE, bytes)] } : { staged: [stage(job, RESULT_FILE, bytes)] };
    return { ...recordOf(result), ...artifacts, ledger: ledgerTrialsOf(result) };
}

/** IRs this thread ran lately, most recent last. */
const interned: StrategyIr[] = [];
const INTERNED = 16;

/**
 * The IR object this thread already ran with the same content, else this one (remembered). Each
 * job brings its IR as a fresh copy (a message between threads, JSON from the queue), while the
 * engine remembers what it derives from an IR per object (fingerprints, bound params, look-backs):
 * hundreds of runs of one strategy then compute those once, not once a run. Only an identical IR
 * is shared (sameValue); IRs are never changed after compiling.
 */
export function internIr(ir: StrategyIr): StrategyIr {
    const k = interned.findIndex(x => sameValue(x, ir));
    const hit = k >= 0 ? interned.splice(k, 1)[0]! : undefined;
    interned.push(hit ?? ir);
    if (interned.length > INTERNED) interned.shift();
    return hit ?? ir;
}

/**
 * Whether two JSON-like values are equal in everything a copy between threads keeps: numbers by
 * Object.is (-0 is not 0, NaN is NaN), the same keys in the same order, arrays of the same length,
 * undefined only where the other has it; anything but plain objects and arrays only when it is the
 * same object. Compared in place, it stops at the first difference (a key of each IR was its JSON
 * through a replacer called per value: most of interning's time).
 */
function sameValue(a: unknown, b: unknown): boolean {
    if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
    if (a === b) return true;
    const arrays = Array.isArray(a);
    if (arrays !== Array.isArray(b)) return false;
    if (arrays) {
        const x = a as readonly unknown[], y = b as readonly unknown[];
        if (x.length !== y.length) return false;
        for (let i = 0; i < x.length; i++) if (!sameValue(x[i], y[i])) return false;
        return true;
    }
    if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (let i = 0; i < ka.length; i++) {
        const k = ka[i]!;
        if (k !== kb[i] || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    }
    return true;
}

function stage(job: WorkerJob, name: string, data: Buffer): StagedArtifact {
    const tmp = join(job.dir, `${name}.tmp`);
    writeFileSync(tmp, data);
    return { name, tmp, bytes: data.length, sha256: sha256(data) };
}

function hold(name: string, data: Buffer): HeldArtifact {
    return { name, data, bytes: data.length, sha256: sha256(data) };
}

/**
 * The ArrayBuffers to transfer with an output (run-worker.ts), the held artifacts' own: each made
 * to be the whole of one ArrayBuffer (copied when it is a slice of a larger one, such as Node's
 * pool of small Buffers, which must not be detached).
 */
export function transferables(output: WorkerOutput): { readonly output: WorkerOutput; readonly transfer: ArrayBuffer[] } {
    if (!output.held?.length) return { output, transfer: [] };
    const transfer: ArrayBuffer[] = [];
    const held = output.held.map(h => {
        const whole = h.data.byteOffset === 0 && h.data.byteLength === h.data.buffer.byteLength && h.data.buffer instanceof ArrayBuffer && !transfer.includes(h.data.buffer);
        const data = whole ? h.data : new Uint8Array(h.data);
        transfer.push(data.buffer as ArrayBuffer);
        return { ...h, data };
    });
    return { output: { ...output, held }, transfer };
}

/** Least time between two progress reports of a run after its first (each is a message to the main thread, which persists one per 500 ms). */
const PROGRESS_MS = 50;

/**
 * Progress in steps of at least 1% and PROGRESS_MS, the first and the end always (the main
 * thread throttles again before persisting): a backtest of a few ms sends two messages, not a
 * hundred.
 */
function stepper(hooks: WorkHooks): (f: number) => void {
    let last = -1, at = -Infinity;
    return f => {
        if (f < 1 && (f - last < 0.01 || (last >= 0 && performance.now() - at < PROGRESS_MS))) return;
        last = f;
        at = performance.now();
        hooks.progress(Math.min(1, f));
    };
}

const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** The run's record: metrics by name (NaN as null; a search adds its own), the trade count, one summary line. */
function recordOf(r: RunResult): Omit<WorkerOutput, 'staged' | 'ledger'> {
    const m = (k: keyof RunResult['metrics']): number => fromWire(r.metrics[k]);
    const metrics: Record<string, number | null> = {};
    const put = (k: string, v: number): void => { metrics[k] = Number.isNaN(v) ? null : v; };
    for (const k of Object.keys(r.metrics) as (keyof RunResult['metrics'])[]) put(k, m(k));
    const line = `sharpe ${fmt(m('sharpe'))}, total return ${fmt(m('totalReturn') * 100, 1)}%, max drawdown ${fmt(m('maxDrawdown') * 100, 1)}%, ${m('tradeCount')} trades`;
    let summary = line;
    if (r.sweep) {
        const dsr = fromWire(r.sweep.deflatedSharpe.dsr);
        put('trials', r.sweep.trialCount);
        put('deflatedSharpe', dsr);
        put('expectedMaxSharpe', fromWire(r.sweep.deflatedSharpe.expectedMaxSharpe));
        if (r.sweep.overfitting) {
            put('pbo', fromWire(r.sweep.overfitting.pbo));
            put('minBacktestYears', fromWire(r.sweep.overfitting.minBacktestYears));
        }
        summary = `best of ${r.sweep.trialCount}: ${line}; deflated Sharpe ${fmt(dsr, 3)}`;
    } else if (r.walkforward) {
        const efficiency = fromWire(r.walkforward.efficiency);
        put('efficiency', efficiency);
        put('windows', r.walkforward.windows.length);
        summary = `${r.walkforward.windows.length} windows, stitched out-of-sample: ${line}; efficiency ${fmt(efficiency)}`;
    }
    return { strategy: r.strategy, params: { ...r.params }, metrics, tradeCount: m('tradeCount'), provenance: { ...r.provenance }, summary };
}
