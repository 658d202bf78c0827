/**
 * Executes one run through the run pipeline (runtime/src/pipeline): its first half on the main
 * thread — compile (in a language worker, through the language facade: compile.ts), load its bars
 * from the store (DuckDB stays here) — then its engine half (the backtest / sweep / walk-forward
 * and the run result) in a worker thread of a small pool (run-worker.ts, work.ts), with the bars
 * handed over in SharedArrayBuffers (no copy per worker).
 *
 * Each run worker has a V8 heap limit (`RunLimits.memoryMb`) and the engine checks its history
 * buffers (typed arrays, outside that heap) against the same figure before allocating them; a
 * worker that runs out of memory fails its run with a message that says so. A worker left holding
 * more than `recycleAboveMb` after a run is replaced rather than kept idle: an idle thread never
 * collects its garbage, so the memory would stay resident (how one run kept a daemon at 4.1 GB).
 *
 * Aborting (`signal`) terminates the worker and resolves only after the thread has exited. The
 * outcome of an aborted execution is always `aborted`, whatever the worker managed to send.
 *
 * Loaded bars are kept for the next runs of the same request (BarCache): small jobs over the same
 * data are the common case (a client's batch of backtests), and reading them again costs more than
 * the backtest. An entry is used only while no import into the store has ended since it was loaded
 * (DataStore.barsVersion: every change to `bars` is an import, and the database file is this
 * process's alone).
 */
import { Worker } from 'node:worker_threads';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_LOOKBACK_BARS } from '../../../language/src/analysis/limits.js';
import { Failure } from '../../../protocol/src/errors.js';
import { loadFromStore, type BarReader, type LoadedBars, type LoadRequest } from '../data/load.js';
import { onchainReads, withOnchainFor } from '../data/onchain/align.js';
import { type DataStore } from '../store/store.js';
import { shareBars } from '../engine/worker-pool.js';
import type { LanguageService } from '../language-service/language-service.js';
import { RunCompiler, RunFailure } from './compile.js';
import { manifestSources, type PackBundle } from '../engine/packs/bundles.js';
import { DEFAULT_RUN_LIMITS, type RunLimits } from './limits.js';
import type { FromWorker, ToWorker } from './run-worker.js';
import type { LogLevel, RunSpec } from './types.js';
import { prepareRun, type RunRequest } from '../pipeline/prepare.js';
import { firstLine } from '../data/errors.js';
import type { WorkerJob, WorkerOutput } from './work.js';
import { activeTelemetry, inSpan, traceparentOf } from '../monitoring/tracing.js';

/** The compiled worker script. Under vitest (running TypeScript sources) it is taken from out/ (built by `npm run build`). */
function workerUrl(): URL {
    const here = new URL('./run-worker.js', import.meta.url);
    if (existsSync(fileURLToPath(here))) return here;
    const fromSource = fileURLToPath(import.meta.url).replace(/\/runtime\/src\/orchestrator\/executor\.ts$/, '/out/runtime/src/orchestrator/run-worker.js');
    if (existsSync(fromSource)) return new URL(`file://${fromSource}`);
    throw new Error('the run worker is not built; run `npm run build`');
}

/** Worker threads kept between runs (starting one costs a few hundred ms of module loading). */
export class RunWorkerPool {
    private readonly idle: Worker[] = [];
    private readonly live = new Set<Worker>();
    private closed = false;

    constructor(private readonly maxIdle: number, private readonly limits: { readonly memoryMb: number; readonly recycleAboveMb: number } = DEFAULT_RUN_LIMITS) {}

    acquire(): Worker {
        if (this.closed) throw new Error('the worker pool is closed');
        const w = this.idle.pop() ?? this.spawn();
        w.ref();
        return w;
    }

    /** `heapMb`: what the worker reported holding after its run (above recycleAboveMb it is replaced). */
    release(w: Worker, heapMb = 0): void {
        if (this.closed || this.idle.length >= this.maxIdle || !this.live.has(w) || heapMb > this.limits.recycleAboveMb) { void this.discard(w); return; }
        w.unref(); // an idle worker does not keep the process alive
        this.idle.push(w);
    }

    /** Terminates a worker; resolves once its thread has stopped. */
    async discard(w: Worker): Promise<void> {
        this.live.delete(w);
        const i = this.idle.indexOf(w);
        if (i >= 0) this.idle.splice(i, 1);
        await w.terminate();
    }

    /** Threads alive (busy or idle). */
    get size(): number {
        return this.live.size;
    }

    async close(): Promise<void> {
        this.closed = true;
        await Promise.all([...this.live].map(w => this.discard(w)));
    }

    private spawn(): Worker {
        const w = new Worker(workerUrl(), { resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb } });
        this.live.add(w);
        w.once('exit', () => {
            this.live.delete(w);
            const i = this.idle.indexOf(w);
            if (i >= 0) this.idle.splice(i, 1);
        });
        // An idle worker that dies is simply dropped; a busy one is handled by its execution.
        w.on('error', () => undefined);
        return w;
    }
}

/** Bars kept per load request: at most this many entries, each of at most MAX_CACHED_VALUES bar times × assets. */
const MAX_CACHED_LOADS = 16;
const MAX_CACHED_VALUES = 1_000_000;

/**
 * Loaded bars by request, valid while the store's bars version is the one read before loading (an
 * import that ends in between only makes the entry look older than it is: it is loaded again).
 */
export class BarCache {
    private readonly entries = new Map<string, { readonly version: number; readonly data: LoadedBars }>();

    /** `reader`: where the bar rows come from instead of the store's bars table (team mode's ClickHouse). */
    constructor(private readonly store: DataStore, private readonly reader?: BarReader) {}

    async load(req: LoadRequest): Promise<LoadedBars> {
        const version = this.store.barsVersion;
        // The team is part of the key: what a load returns depends on what the team may read.
        const key = JSON.stringify([req.assets.map(a => [a.venue, a.symbol]), req.timeframe, req.from ?? null, req.to ?? null, req.team ?? null]);
        const hit = this.entries.get(key);
        this.entries.delete(key);
        if (hit?.version === version) {
            this.entries.set(key, hit);
            return hit.data;
        }
        const data = await loadFromStore(this.store, { ...req, ...(this.reader ? { reader: this.reader } : {}) });
        if (data.ts.length * Math.max(1, data.assets.length) <= MAX_CACHED_VALUES) {
            this.entries.set(key, { version, data });
            if (this.entries.size > MAX_CACHED_LOADS) this.entries.delete(this.entries.keys().next().value!);
        }
        return data;
    }
}

export interface ExecutionRequest {
    readonly runId: string;
    readonly spec: RunSpec;
    /** The run's team: its bars are loaded from the series this team may read (data/ownership.ts). */
    readonly team: string;
    /** The run's artifact directory; emptied at the start of every attempt. */
    readonly dir: string;
    /** Aborting stops the execution; the reason is the caller's (cancelled / timeout / stopping). */
    readonly signal: AbortSignal;
    readonly onProgress: (fraction: number) => void;
    readonly onLog: (level: LogLevel, message: string) => void;
    /** The compiled strategy's name, as soon as it is known. */
    readonly onStrategy?: (name: string) => void;
    /** The attempt (runs.attempt) this execution is, and the run's trace id: a remote backend keys its job by them. */
    readonly attempt?: number;
    readonly traceId?: string;
}

export type ExecutionOutcome =
    | { readonly status: 'completed'; readonly output: WorkerOutput }
    | { readonly status: 'failed'; readonly error: string }
    | { readonly status: 'aborted' };

export interface ExecutorOptions {
    /** Connection used to load bars (reads only). */
    readonly data: DataStore;
    /** Idle worker threads kept for later runs. */
    readonly maxIdleWorkers: number;
    /** Threads per sweep / walk-forward run; 0: its trials run in the run's own thread. */
    readonly trialWorkers?: number;
    /** Compiles runs' sources (in its language workers). */
    readonly language: LanguageService;
    readonly limits?: RunLimits;
    /** The workspace packs of a run's source folder; default: the built-in packs only. */
    readonly packs?: RunPacks;
    /** Where the engine half runs; default: a thread of this process's pool. */
    readonly backend?: RunBackend;
    /** Where runs' bar rows are read (team mode's ClickHouse); default: the store's bars table. */
    readonly bars?: BarReader;
}

/** What a remote backend is told about the job besides the job itself. */
export interface BackendContext {
    readonly runId: string;
    readonly attempt: number;
    readonly traceId?: string;
    readonly signal: AbortSignal;
    readonly onProgress: (fraction: number) => void;
    readonly onLog: (level: LogLevel, message: string) => void;
}

/**
 * The engine half somewhere else (team mode: a BullMQ queue and `af worker` processes, queue/). It
 * resolves with the output, its staged artifacts written under `job.dir` as `*.tmp` like a local
 * thread leaves them; it settles only once the remote work stopped or was abandoned after an abort.
 */
export interface RunBackend {
    run(job: WorkerJob, ctx: BackendContext): Promise<WorkerOutput>;
    /** Worker processes serving it now. */
    workers(): Promise<number>;
    /**
     * Stops an attempt that another daemon queued (a cancel through this one, team mode): its worker
     * stops computing it, or it is removed while it waits. That daemon's outcome of it is discarded.
     */
    cancelAttempt?(runId: string, attempt: number): Promise<void>;
    close(): Promise<void>;
}

/** Where a run's workspace packs come from (the daemon's DaemonPacks): checked bytes, no code run. */
export interface RunPacks {
    forUri(uri: string | undefined): { readonly bundles: readonly PackBundle[]; readonly problems: readonly { readonly pack: string; readonly message: string }[] };
}

class Aborted extends Error {}

export class Executor {
    readonly pool: RunWorkerPool;
    private readonly compiler: RunCompiler;
    private readonly bars: BarCache;
    private readonly limits: { readonly memoryMb: number; readonly recycleAboveMb: number; readonly maxTrials: number };

    constructor(private readonly o: ExecutorOptions) {
        this.limits = {
            memoryMb: o.limits?.memoryMb ?? DEFAULT_RUN_LIMITS.memoryMb,
            recycleAboveMb: o.limits?.recycleAboveMb ?? DEFAULT_RUN_LIMITS.recycleAboveMb,
            maxTrials: o.limits?.maxTrials ?? DEFAULT_RUN_LIMITS.maxTrials,
        };
        this.pool = new RunWorkerPool(o.maxIdleWorkers, this.limits);
        this.compiler = new RunCompiler(o.language);
        this.bars = new BarCache(o.data, o.bars);
    }

    async execute(req: ExecutionRequest): Promise<ExecutionOutcome> {
        try {
            // Left by an earlier attempt only: rmSync of a missing folder throws and catches an error inside (~0.2 ms a run).
            if (existsSync(req.dir)) rmSync(req.dir, { recursive: true, force: true });
            mkdirSync(req.dir, { recursive: true });
            const job = await this.prepare(req);
            const output = await this.runInWorker(job, req);
            if (req.signal.aborted) throw new Aborted();
            return { status: 'completed', output };
        } catch (e) {
            discardStaged(req.dir);
            if (req.signal.aborted || e instanceof Aborted) return { status: 'aborted' };
            if (e instanceof RunFailure || e instanceof Failure) return { status: 'failed', error: firstLine(e) };
            return { status: 'failed', error: `internal error: ${firstLine(e)}` };
        }
    }

    /** Whether an execution may start before its claim committed (not with a backend: its jobs are keyed by the claimed attempt). */
    get earlyStart(): boolean {
        return !this.o.backend;
    }

    async close(): Promise<void> {
        await this.pool.close();
        await this.o.backend?.close();
    }

    /** The pipeline's first half (pipeline/prepare.ts) with the daemon's steps: its language workers, the team's bars. */
    private async prepare(req: ExecutionRequest): Promise<WorkerJob> {
        const { spec, signal } = req;
        // What the engine needs of the spec (the worker gets no copy of the source).
        const request: RunRequest = { kind: spec.kind, params: spec.params, symbols: spec.symbols, from: spec.from, to: spec.to, benchmark: spec.benchmark, sweep: spec.sweep, walkforward: spec.walkforward };
        // The packs its folder's workspace declares: the language workers compile against their manifests, the run's worker imports their checked code.
        const packs = this.o.packs?.forUri(spec.uri) ?? { bundles: [], problems: [] };
        for (const problem of packs.problems) req.onLog('warn', problem.message);
        const p = await prepareRun(request, {
            compile: () => inSpan('engine.compile', {}, async span => {
                const ir = await this.compiler.compile(spec.source, { uri: spec.uri, strategy: spec.strategy, packs: manifestSources(packs.bundles) });
                span.setAttribute('af.strategy.nodes', ir.nodes.length);
                req.onStrategy?.(ir.strategy);
                return ir;
            }),
            load: r => inSpan('data.load', { attributes: { 'af.assets': r.assets.length } }, async span => {
                const data = await this.bars.load({ ...r, team: req.team });
                span.setAttribute('af.bars', data.ts.length);
                return data;
            }),
            // On-chain columns (never cached with the bars: on-chain imports are not in the import log), as the team may read them.
            addSources: (ir, data) => onchainReads(ir).size === 0 ? Promise.resolve(data) : inSpan('data.onchain', {}, () => this.o.data.use(() => withOnchainFor(this.o.data, ir, data, req.team), {
                kind: 'bulk', what: 'loading the on-chain data', hint: 'load a shorter from/to range, or ask an admin to raise the limit (af daemon run --bulk-timeout)',
            })),
            log: message => req.onLog('info', message),
            signal,
        });
        return {
            runId: req.runId, request, ir: p.ir, bars: shareBars(p.data), symbols: p.data.ids, params: p.params, packs: packs.bundles, ...(p.benchmark ? { benchmark: p.benchmark } : {}),
            dir: req.dir, trialWorkers: this.o.trialWorkers ?? 0,
            limits: { engine: { stateMb: this.limits.memoryMb, lookbackBars: MAX_LOOKBACK_BARS }, memoryMb: this.limits.memoryMb, maxTrials: this.limits.maxTrials },
        };
    }

    private runInWorker(job: WorkerJob, req: ExecutionRequest): Promise<WorkerOutput> {
        if (this.o.backend) {
            return this.o.backend.run(job, { runId: req.runId, attempt: req.attempt ?? 1, traceId: req.traceId, signal: req.signal, onProgress: req.onProgress, onLog: req.onLog })
                .catch(e => { throw req.signal.aborted ? new Aborted() : e; });
        }
        return runOnThread(this.pool, job, req, this.limits.memoryMb).catch(e => { throw e === ABORTED ? new Aborted() : e; });
    }
}

/** Thrown (rejected with) by runOnThread when its signal aborted the run. */
export const ABORTED = Symbol('aborted');

/**
 * One job on a thread of `pool`: progress and log lines to the hooks, the output, or a RunFailure
 * that says what went wrong (out of memory, a crash). Aborting terminates the thread and rejects
 * with ABORTED once it has stopped. Used by the executor and by `af worker` (queue/worker.ts).
 */
export function runOnThread(pool: RunWorkerPool, job: WorkerJob, req: Pick<ExecutionRequest, 'signal' | 'onProgress' | 'onLog'>, memoryMb: number): Promise<WorkerOutput> {
    const w = pool.acquire();
    return new Promise<WorkerOutput>((resolve, reject) => {
        let settled = false;
        const finish = (): boolean => {
            if (settled) return false;
            settled = true;
            w.off('message', onMessage);
            w.off('error', onError);
            w.off('exit', onExit);
            req.signal.removeEventListener('abort', onAbort);
            return true;
        };
        const onMessage = (m: FromWorker): void => {
            if (settled) return;
            switch (m.type) {
                case 'progress': req.onProgress(m.fraction); break;
                case 'log': req.onLog(m.level, m.message); break;
                case 'done': finish(); pool.release(w, m.heapMb); resolve(m.output); break;
                case 'error': finish(); pool.release(w, m.heapMb); reject(new RunFailure(m.message.split('\n')[0]!)); break;
            }
        };
        const onError = (e: Error): void => {
            if (!finish()) return;
            void pool.discard(w);
            if ((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
                reject(new RunFailure(`the run needed more than ${memoryMb} MB, the memory limit of one run, and was stopped; run it on less data, with shorter look-backs or fewer trials (the daemon's limit is runs.memoryMb)`));
                return;
            }
            reject(new RunFailure(`the run's worker crashed: ${firstLine(e)}`));
        };
        const onExit = (code: number): void => {
            if (!finish()) return;
            reject(new RunFailure(`the run's worker stopped unexpectedly (exit code ${code})`));
        };
        const onAbort = (): void => {
            if (!finish()) return;
            // Resolve only once the thread has really stopped.
            pool.discard(w).then(() => reject(ABORTED), () => reject(ABORTED));
        };
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        if (req.signal.aborted) { onAbort(); return; }
        req.signal.addEventListener('abort', onAbort, { once: true });
        // With tracing on, the thread reports its spans to the same endpoint, under the span running now.
        const telemetry = activeTelemetry();
        const parent = traceparentOf();
        w.postMessage({ type: 'run', job, ...(telemetry ? { trace: { telemetry, ...(parent ? { parent } : {}) } } : {}) } satisfies ToWorker);
    });
}

/** Removes the temporary files of an attempt that did not complete. */
export function discardStaged(dir: string): void {
    let names: string[];
    try {
        names = readdirSync(dir);
    } catch {
        return;
    }
    for (const n of names) if (n.endsWith('.tmp')) rmSync(join(dir, n), { force: true });
}
