/**
 * Runs many backtests of one strategy on one data set across worker threads. The bars are copied
 * once into SharedArrayBuffers that every worker reads; parameter sets are handed out in batches to
 * whichever worker is idle (dynamic scheduling: slow combinations don't stall a fixed share),
 * large first and shrinking towards the end (guidedBatch: few messages for the calling thread,
 * workers finishing together). The indicators several combinations use are computed once for the
 * whole sweep, in shared memory the workers fill and read (shared-series.ts SeriesStore). Outcomes
 * come back as numbers (packOutcomes), a sweep's CSCV scores written in place (SetScores), and are
 * returned in submission order. A trial that throws is a failed trial (its reason kept), not the
 * end of the batch; cancelling, or a worker that dies, ends it.
 *
 * Workers stay warm between sweeps (WarmPool): starting one loads the engine (and zod, through the
 * pack registry's manifests) in a fresh V8 isolate, about 400 ms, and its optimised code for the
 * strategy's bar loop starts cold; a sweep that finds idle workers skips both. A worker holds one
 * sweep at a time (its bars, plan and shared series), drops them when the sweep ends, and is ended
 * after a while idle; a sweep that is cancelled or fails ends its workers rather than return them.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import type { BarData } from './types.js';
import type { ParamSet } from './param-space.js';
import { runTrial, TrialContext, type TrialOutcome } from './trial.js';
import { planSharing, planStore, SharedSeries, type SeriesStore, type SharePlan } from './shared-series.js';
import type { EngineLimits } from './limits.js';
import { installedPackBundles, type PackBundle } from './packs/bundles.js';
import { runJobs } from './batch-trials.js';
import { threadCpuMs } from './thread-cpu.js';
import type { Metrics } from './metrics.js';
import { cscvSetCount, scoreSets, type BlockMoments } from './overfitting.js';

export interface SharedBars {
    readonly ts: SharedArrayBuffer;
    readonly assets: readonly (Record<'open' | 'high' | 'low' | 'close' | 'volume', SharedArrayBuffer> & { readonly onchain?: Readonly<Record<string, SharedArrayBuffer>> })[];
    readonly snapshotHash: string;
    readonly timeframeMs: number;
}

export function shareBars(data: BarData): SharedBars {
    const share = (a: Float64Array): SharedArrayBuffer => {
        // Columns that are whole views of shared memory already (a run thread's bars) are handed on, not copied.
        if (a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) return a.buffer;
        const buf = new SharedArrayBuffer(a.byteLength);
        new Float64Array(buf).set(a);
        return buf;
    };
    return {
        ts: share(data.ts),
        assets: data.assets.map(a => ({
            open: share(a.open), high: share(a.high), low: share(a.low), close: share(a.close), volume: share(a.volume),
            ...(a.onchain ? { onchain: Object.fromEntries(Object.entries(a.onchain).map(([k, c]) => [k, share(c)])) } : {}),
        })),
        snapshotHash: data.snapshotHash,
        timeframeMs: data.timeframeMs,
    };
}

export function unshareBars(s: SharedBars): BarData {
    return {
        ts: new Float64Array(s.ts),
        assets: s.assets.map(a => ({
            open: new Float64Array(a.open), high: new Float64Array(a.high), low: new Float64Array(a.low), close: new Float64Array(a.close), volume: new Float64Array(a.volume),
            ...(a.onchain ? { onchain: Object.fromEntries(Object.entries(a.onchain).map(([k, c]) => [k, new Float64Array(c)])) } : {}),
        })),
        snapshotHash: s.snapshotHash,
        timeframeMs: s.timeframeMs,
    };
}

/** One unit of work: the params to run and the bar range [from, to) to measure (whole data by default). */
export interface TrialJob {
    readonly params: ParamSet;
    readonly from?: number;
    readonly to?: number;
    /** Return moments in this many blocks with the summary (a sweep's PBO). */
    readonly blocks?: number;
}

export interface PoolOptions {
    /** Worker threads; 0 runs the trials one after the other in the calling thread (e.g. from inside a worker that owns the whole run). */
    readonly workers?: number;
    readonly onResult?: (done: number, total: number) => void;
    readonly signal?: AbortSignal;
    /** Look-back and engine-state limits of every trial. */
    readonly limits?: EngineLimits;
    /** V8 heap limit of each trial worker thread, in MB (default: Node's). */
    readonly memoryMb?: number;
    /** Filled in with where the sweep's time went (bench/sweep.js): each worker's busy and CPU time, the calling thread's. */
    readonly stats?: PoolStats;
    /** Filled in with every trial's CSCV scores (every job asks for its blocks); the outcomes then carry no block moments. */
    readonly scores?: SetScores;
}

/**
 * Where a sweep on worker threads spent its time, for the benchmarks: figures that depend less on
 * the machine's load than wall time does. Times in ms; CPU times are a thread's own (Linux:
 * /proc/thread-self/schedstat), NaN where that cannot be read.
 */
export interface PoolStats {
    /** Calling thread's CPU time before the first batch was handed out (planning, the bars into shared memory). */
    planMs: number;
    /** Calling thread's CPU time inside the result messages' handler (outcomes built, progress called). */
    handleMs: number;
    /** From the first batch handed out to the last result in. */
    spanMs: number;
    /** Calling thread's CPU time from the start of runTrials to its last result (planning, handling and what the handler does not see: messages received, garbage collected). */
    cpuMs: number;
    readonly workers: {
        /** The sweep's setup in the worker (packs, bars, shared-series context). */
        setupMs: number;
        /** Inside its batches (running trials). */
        busyMs: number;
        /** The worker thread's CPU time from its setup to its last batch. */
        cpuMs: number;
        batches: number;
        trials: number;
        /** When its last result arrived, from the first batch handed out. */
        lastMs: number;
    }[];
}

/**
 * Metrics cross from a worker as numbers in this order (one Float64Array row per trial, a
 * structured clone of numbers only): an object per trial cost the worker its serialisation and the
 * calling thread its parsing, which the calling thread does for every worker, one at a time.
 */
export const METRIC_FIELDS = [
    'totalReturn', 'cagr', 'annualVolatility', 'sharpe', 'sortino', 'maxDrawdown', 'maxDrawdownBars', 'maxDrawdownMs', 'calmar',
    'winRate', 'profitFactor', 'avgTradePnl', 'avgTradeReturn', 'exposure', 'avgExposure', 'turnover', 'tradeCount',
    'periodsPerYear', 'years', 'bars', 'periodSharpe', 'skew', 'kurtosis',
] as const satisfies readonly (keyof Metrics)[];
// Every metric has a column (a field added to Metrics and not here fails to compile).
type MissingMetric = Exclude<keyof Metrics, (typeof METRIC_FIELDS)[number]>;
const everyMetric: MissingMetric extends never ? true : MissingMetric = true;
void everyMetric;
const M = METRIC_FIELDS.length;

/**
 * Every trial's CSCV scores (overfitting.ts scoreSets: its per-bar Sharpe on each half of its
 * blocks), filled in by runTrials when a sweep passes it (PoolOptions.scores): trial i's at
 * values[i × count…]. The workers compute them with the trials, so the PBO left for the calling
 * thread after the last trial only ranks (overfitting.ts pboOfScores); the outcomes then carry no
 * block moments.
 */
export class SetScores {
    /** Numbers per trial: C(blocks, blocks / 2). */
    readonly count: number;
    /** In shared memory: the workers write their trials' rows in place (nothing to send, copy or collect). */
    readonly values: Float64Array;
    /** Batches written (Atomics): read before the values, it orders the workers' writes before the reads. */
    readonly written: Int32Array;
    constructor(readonly trials: number, readonly blocks: number) {
        this.count = cscvSetCount(blocks);
        this.values = new Float64Array(new SharedArrayBuffer(trials * this.count * 8));
        this.written = new Int32Array(new SharedArrayBuffer(4));
    }

    /** What a worker needs to write them (a class does not cross threads). */
    get shared(): SharedScores {
        return { count: this.count, values: this.values.buffer as SharedArrayBuffer, written: this.written.buffer as SharedArrayBuffer };
    }

    /** The values, once every batch is in. */
    read(): Float64Array {
        Atomics.load(this.written, 0);
        return this.values;
    }
}

export interface SharedScores {
    readonly count: number;
    readonly values: SharedArrayBuffer;
    readonly written: SharedArrayBuffer;
}

/** A batch's outcomes as a worker sends them: metrics and block moments as rows of numbers, errors by position (scores are written in place). */
export interface PackedOutcomes {
    readonly count: number;
    /** count × METRIC_FIELDS.length; a failed trial's row is not read. */
    readonly metrics: Float64Array;
    /** Each job's blocks × (n, sum, sumSq), the jobs' rows one after the other (jobs without blocks take none); empty when scored. */
    readonly blocks: Float64Array;
    /** Failed trials: [position in the batch, message]. */
    readonly errors: readonly (readonly [number, string])[];
}

/**
 * Outcomes of jobs (the sweep's from `index` on) as numbers; scored, each trial's CSCV scores go
 * to its row of `scores` (by its index in the sweep) instead of its block moments to the message.
 */
export function packOutcomes(jobs: readonly TrialJob[], outcomes: readonly (TrialOutcome | { error: string })[], index = 0, scores?: { readonly count: number; readonly values: Float64Array; readonly written: Int32Array }): PackedOutcomes {
    const metrics = new Float64Array(outcomes.length * M);
    let B = 0;
    if (!scores) for (const j of jobs) B += (j.blocks ?? 0) * 3;
    const blocks = new Float64Array(B);
    const moments = scores ? new Float64Array(Math.max(0, ...jobs.map(j => j.blocks ?? 0)) * 3) : blocks;
    const errors: [number, string][] = [];
    let b = 0;
    outcomes.forEach((o, k) => {
        const S = jobs[k]!.blocks ?? 0;
        if ('error' in o || 'reason' in o) {
            errors.push([k, 'error' in o ? o.error : o.reason]);
        } else {
            putMetrics(metrics, k, o.metrics);
            const bl = o.blocks ?? [];
            if (bl.length !== S) throw new Error(`a trial gave ${bl.length} blocks, ${S} were asked for`);
            const at = scores ? 0 : b;
            for (let i = 0; i < S; i++) { moments[at + 3 * i] = bl[i]!.n; moments[at + 3 * i + 1] = bl[i]!.sum; moments[at + 3 * i + 2] = bl[i]!.sumSq; }
            if (scores && S > 0) scoreSets(moments, 0, S, scores.values, (index + k) * scores.count);
        }
        if (!scores) b += S * 3;
    });
    if (scores) Atomics.add(scores.written, 0, 1);
    return { count: outcomes.length, metrics, blocks, errors };
}

/** Metrics into row k (field by field: a loop over the names is a keyed load per field, several times the cost). */
function putMetrics(a: Float64Array, k: number, m: Metrics): void {
    const o = k * M;
    a[o] = m.totalReturn; a[o + 1] = m.cagr; a[o + 2] = m.annualVolatility; a[o + 3] = m.sharpe; a[o + 4] = m.sortino; a[o + 5] = m.maxDrawdown;
    a[o + 6] = m.maxDrawdownBars; a[o + 7] = m.maxDrawdownMs; a[o + 8] = m.calmar; a[o + 9] = m.winRate; a[o + 10] = m.profitFactor;
    a[o + 11] = m.avgTradePnl; a[o + 12] = m.avgTradeReturn; a[o + 13] = m.exposure; a[o + 14] = m.avgExposure; a[o + 15] = m.turnover;
    a[o + 16] = m.tradeCount; a[o + 17] = m.periodsPerYear; a[o + 18] = m.years; a[o + 19] = m.bars; a[o + 20] = m.periodSharpe;
    a[o + 21] = m.skew; a[o + 22] = m.kurtosis;
}

/** Metrics from row k of packed numbers, as computeMetrics makes them (the same fields in the same order). */
function metricsAt(a: Float64Array, k: number): Metrics {
    const o = k * M;
    return {
        totalReturn: a[o]!, cagr: a[o + 1]!, annualVolatility: a[o + 2]!, sharpe: a[o + 3]!, sortino: a[o + 4]!, maxDrawdown: a[o + 5]!,
        maxDrawdownBars: a[o + 6]!, maxDrawdownMs: a[o + 7]!, calmar: a[o + 8]!, winRate: a[o + 9]!, profitFactor: a[o + 10]!,
        avgTradePnl: a[o + 11]!, avgTradeReturn: a[o + 12]!, exposure: a[o + 13]!, avgExposure: a[o + 14]!, turnover: a[o + 15]!,
        tradeCount: a[o + 16]!, periodsPerYear: a[o + 17]!, years: a[o + 18]!, bars: a[o + 19]!, periodSharpe: a[o + 20]!,
        skew: a[o + 21]!, kurtosis: a[o + 22]!,
    };
}

/** The outcomes of jobs[index, index + count) from what a worker sent (their scores into `scores` when scored). */
export function unpackOutcomes(p: PackedOutcomes, jobs: readonly TrialJob[], index: number, bars: number, into: TrialOutcome[], scores?: SetScores): void {
    const errors = new Map(p.errors);
    let b = 0;
    for (let k = 0; k < p.count; k++) {
        const job = jobs[index + k]!;
        const S = scores ? 0 : job.blocks ?? 0;
        const error = errors.get(k);
        if (error !== undefined) {
            into[index + k] = failedTrial(job, bars, error);
        } else {
            const summary = { params: job.params, metrics: metricsAt(p.metrics, k), from: job.from ?? 0, to: job.to ?? bars };
            if (S > 0) {
                const bl: BlockMoments[] = new Array(S);
                for (let i = 0; i < S; i++) bl[i] = { n: p.blocks[b + 3 * i]!, sum: p.blocks[b + 3 * i + 1]!, sumSq: p.blocks[b + 3 * i + 2]! };
                into[index + k] = { ...summary, blocks: bl };
            } else {
                into[index + k] = summary;
            }
        }
        b += S * 3;
    }
}

/** A scored sweep's jobs all ask for the scores' blocks (their rows in SetScores are one size). */
function checkScored(jobs: readonly TrialJob[], scores: SetScores | undefined): void {
    if (scores && (scores.trials !== jobs.length || jobs.some(j => j.blocks !== scores.blocks))) {
        throw new Error(`set scores for ${scores.trials} trials of ${scores.blocks} blocks, given ${jobs.length} jobs of other blocks`);
    }
}

/** The compiled worker script. Under vitest (running TypeScript sources) it is taken from out/ (built by `npm run build`). */
function workerUrl(): URL {
    const here = new URL('./trial-worker.js', import.meta.url);
    if (existsSync(fileURLToPath(here))) return here;
    const fromSource = fileURLToPath(import.meta.url).replace(/\/runtime\/src\/engine\/worker-pool\.ts$/, '/out/runtime/src/engine/trial-worker.js');
    if (existsSync(fromSource)) return new URL(`file://${fromSource}`);
    throw new Error('the sweep worker is not built; run `npm run build`');
}

export function defaultWorkers(): number {
    return Math.max(1, availableParallelism());
}

/** The nodes the jobs share: planned over the jobs that start at bar 0 (the only ones that share, see shared-series.ts). */
export function planJobs(ir: StrategyIr, jobs: readonly TrialJob[]): SharePlan {
    return planSharing(ir, jobs.filter(j => (j.from ?? 0) === 0).map(j => j.params));
}

/**
 * What one worker (or the inline runner) does with a batch: each job's outcome, or its error's
 * message. Trials the strategy lets run together advance in one pass (batch-trials.ts); the rest one by one.
 */
export function runBatch(ir: StrategyIr, data: BarData, jobs: readonly TrialJob[], context: TrialContext, limits?: EngineLimits): (TrialOutcome | { error: string })[] {
    return runJobs(ir, data, jobs, context, limits, job => {
        try {
            return runTrial(ir, data, job.params, job.from, job.to, limits, context, job.blocks);
        } catch (e) {
            return { error: (e as Error).message };
        }
    });
}

/**
 * Trials per batch in the calling thread (workers: 0): enough that a batch is worth its group's
 * set-up, few enough that progress moves and cancelling is heard.
 */
function batchSize(jobs: number, workers: number): number {
    return Math.max(1, Math.min(32, Math.floor(jobs / (workers * 8))));
}

/**
 * Trials in the next batch handed to a worker, with `remaining` not yet handed out: a share of
 * what is left (guided scheduling), so batches start large and shrink towards the end. Every
 * message costs the calling thread about as much as a trial (receiving it, waking up: ~50-100 µs),
 * and the calling thread shares the cores with the workers, so fewer, larger batches are time the
 * workers get back (a 4,851-trial grid: about 50 messages, from 150 of 32 trials); the small
 * last ones keep the workers finishing together.
 */
export function guidedBatch(remaining: number, workers: number): number {
    return Math.max(1, Math.min(remaining, MAX_BATCH, Math.max(MIN_BATCH, Math.ceil(remaining / (workers * 4)))));
}
const MIN_BATCH = 8, MAX_BATCH = 512;

/** Messages to a trial worker: a sweep's setup, a batch of its jobs, its end. */
export type ToWorker =
    | { readonly kind: 'sweep'; readonly ir: StrategyIr; readonly bars: SharedBars; readonly limits?: EngineLimits; readonly plan: SharePlan; readonly packs?: readonly PackBundle[]; readonly store?: SeriesStore; readonly stats?: boolean; readonly scores?: SharedScores }
    | { readonly kind: 'jobs'; readonly index: number; readonly jobs: readonly TrialJob[] }
    | { readonly kind: 'end' };

/** A trial worker's answer to a batch: its outcomes packed, the time it spent on it (and, when asked, its setup and thread CPU time so far). */
export interface FromWorker extends PackedOutcomes {
    readonly kind: 'results';
    readonly index: number;
    readonly busyMs: number;
    readonly setupMs?: number;
    readonly cpuMs?: number;
}

/** A worker ended after this long idle (its heap and code caches are given back). */
const IDLE_MS = 60_000;

/**
 * Idle trial workers by heap limit (resourceLimits are fixed when a worker starts). Idle workers are
 * unref'd (they never keep the process alive) and ended after IDLE_MS; at most defaultWorkers()
 * are kept per heap limit.
 */
class WarmPool {
    private readonly idle = new Map<number, { worker: Worker; since: number }[]>();
    private timer: NodeJS.Timeout | undefined;

    acquire(n: number, memoryMb: number | undefined): Worker[] {
        const list = this.idle.get(memoryMb ?? 0) ?? [];
        const out: Worker[] = [];
        while (out.length < n && list.length > 0) out.push(list.pop()!.worker);
        const url = workerUrl();
        while (out.length < n) {
            const w = new Worker(url, memoryMb ? { resourceLimits: { maxOldGenerationSizeMb: memoryMb } } : {});
            // A worker that dies while idle leaves the pool.
            w.once('exit', () => this.forget(w));
            out.push(w);
        }
        for (const w of out) w.ref();
        return out;
    }

    /** Back to the pool after a sweep that ended well: the worker drops the sweep's data. */
    release(workers: readonly Worker[], memoryMb: number | undefined): void {
        const key = memoryMb ?? 0;
        const list = this.idle.get(key) ?? [];
        this.idle.set(key, list);
        for (const w of workers) {
            w.postMessage({ kind: 'end' } satisfies ToWorker);
            if (list.length >= defaultWorkers()) { void w.terminate(); continue; }
            w.unref();
            list.push({ worker: w, since: performance.now() });
        }
        this.schedule();
    }

    /** Ends every idle worker (tests, a process that is stopping). */
    async close(): Promise<void> {
        const all = [...this.idle.values()].flat();
        this.idle.clear();
        await Promise.all(all.map(e => e.worker.terminate()));
    }

    private forget(w: Worker): void {
        for (const list of this.idle.values()) {
            const i = list.findIndex(e => e.worker === w);
            if (i >= 0) list.splice(i, 1);
        }
    }

    private schedule(): void {
        if (this.timer) return;
        this.timer = setTimeout(() => {
            this.timer = undefined;
            const now = performance.now();
            for (const list of this.idle.values()) {
                for (const e of list.filter(x => now - x.since >= IDLE_MS)) { this.forget(e.worker); void e.worker.terminate(); }
            }
            if ([...this.idle.values()].some(l => l.length > 0)) this.schedule();
        }, IDLE_MS);
        this.timer.unref();
    }
}

const pool = new WarmPool();

/** Ends the idle trial workers now (they would end by themselves after a minute idle). */
export function closeIdleTrialWorkers(): Promise<void> {
    return pool.close();
}

export async function runTrials(ir: StrategyIr, data: BarData | SharedBars, jobs: readonly TrialJob[], options: PoolOptions = {}): Promise<TrialOutcome[]> {
    if (options.workers === 0) return runInline(ir, data.ts instanceof SharedArrayBuffer ? unshareBars(data as SharedBars) : data as BarData, jobs, options);
    const c0 = options.stats ? threadCpuMs() : 0;
    const shared = 'snapshotHash' in data && data.ts instanceof SharedArrayBuffer ? (data as SharedBars) : shareBars(data as BarData);
    const n = Math.max(1, Math.min(options.workers ?? defaultWorkers(), jobs.length));
    const results: TrialOutcome[] = new Array(jobs.length);
    if (jobs.length === 0) return results;
    options.signal?.throwIfAborted();
    checkScored(jobs, options.scores);
    const plan = planJobs(ir, jobs);
    const bars = data.ts.byteLength / 8;
    // The shared series of the trials over all the bars, in memory every worker reads: each computed once, not once per worker.
    const store = planStore(ir, plan, bars, jobs.filter(j => (j.from ?? 0) === 0 && (j.to ?? bars) === bars).map(j => j.params));
    let next = 0, done = 0;
    const workers = pool.acquire(n, options.memoryMb);
    const stats = options.stats;
    const perWorker = stats ? workers.map(() => ({ setupMs: 0, busyMs: 0, cpuMs: NaN, batches: 0, trials: 0, lastMs: 0 })) : undefined;
    if (stats) stats.workers.push(...perWorker!);
    let dispatched = 0;
    return new Promise<TrialOutcome[]>((resolve, reject) => {
        let settled = false;
        const detach = (): void => {
            for (const w of workers) { w.off('message', onMessage); w.off('error', onError); w.off('exit', onExit); }
            options.signal?.removeEventListener('abort', onAbort);
        };
        // A sweep that did not end well ends its workers: one may be mid-batch, or dead.
        const fail = (err: Error): void => {
            if (settled) return;
            settled = true;
            detach();
            for (const w of workers) void w.terminate();
            reject(err);
        };
        const onAbort = (): void => fail(new Error('cancelled'));
        const onError = (e: Error): void => fail((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new Error(`a trial needed more than ${options.memoryMb ?? 'the'} MB of memory its worker thread may use`)
            : e);
        const onExit = (code: number): void => fail(new Error(`a sweep worker thread stopped (exit code ${code})`));
        const feed = (w: Worker): void => {
            if (settled || next >= jobs.length) return;
            const i = next;
            next += guidedBatch(jobs.length - next, n);
            w.postMessage({ kind: 'jobs', index: i, jobs: jobs.slice(i, next) } satisfies ToWorker);
        };
        function onMessage(this: Worker, m: FromWorker): void {
            if (settled) return;
            const h0 = stats ? threadCpuMs() : 0;
            // The next batch first: it is on its way while this one is unpacked.
            feed(this);
            try {
                unpackOutcomes(m, jobs, m.index, bars, results, options.scores);
            } catch (e) {
                fail(e as Error);
                return;
            }
            if (options.onResult) for (let k = 1; k <= m.count && !settled; k++) options.onResult(done + k, jobs.length);
            // Progress may have cancelled the sweep.
            if (settled) return;
            done += m.count;
            if (stats) {
                const s = perWorker![workers.indexOf(this)]!;
                s.batches++; s.trials += m.count; s.busyMs += m.busyMs;
                if (m.setupMs !== undefined) s.setupMs = m.setupMs;
                if (m.cpuMs !== undefined) s.cpuMs = m.cpuMs;
                s.lastMs = performance.now() - dispatched;
                stats.handleMs += threadCpuMs() - h0;
            }
            if (done === jobs.length) {
                settled = true;
                detach();
                pool.release(workers, options.memoryMb);
                if (stats) { stats.spanMs += performance.now() - dispatched; stats.cpuMs += threadCpuMs() - c0; }
                resolve(results);
            }
        }
        options.signal?.addEventListener('abort', onAbort, { once: true });
        // The packs installed in this thread (their verified code), so every trial resolves the same functions.
        const packs = installedPackBundles();
        if (stats) stats.planMs += threadCpuMs() - c0;
        dispatched = performance.now();
        for (const w of workers) {
            w.on('message', onMessage);
            w.on('error', onError);
            w.on('exit', onExit);
            w.postMessage({ kind: 'sweep', ir, bars: shared, ...(options.limits ? { limits: options.limits } : {}), plan, packs, ...(store ? { store } : {}), ...(stats ? { stats: true } : {}), ...(options.scores ? { scores: options.scores.shared } : {}) } satisfies ToWorker);
            // Two batches in flight per worker: the next one is already queued while results travel back.
            feed(w);
            feed(w);
        }
    });
}

async function runInline(ir: StrategyIr, data: BarData, jobs: readonly TrialJob[], options: PoolOptions): Promise<TrialOutcome[]> {
    const results: TrialOutcome[] = [];
    checkScored(jobs, options.scores);
    const context = new TrialContext(new SharedSeries(ir, data, planJobs(ir, jobs)));
    // A batch at a time, as a worker runs them: cancelling and progress between batches.
    const size = batchSize(jobs.length, 1);
    for (let i = 0; i < jobs.length; i += size) {
        if (options.signal?.aborted) throw new Error('cancelled');
        const batch = jobs.slice(i, i + size);
        const outcomes = runBatch(ir, data, batch, context, options.limits);
        // Scored, the outcomes go the way a worker's do: the same rows and scores either way.
        if (options.scores) unpackOutcomes(packOutcomes(batch, outcomes, i, options.scores), jobs, i, data.ts.length, results, options.scores);
        outcomes.forEach((o, k) => {
            if (!options.scores) results.push('error' in o ? failedTrial(batch[k]!, data.ts.length, o.error) : o);
            options.onResult?.(i + k + 1, jobs.length);
        });
    }
    return results;
}

function failedTrial(job: TrialJob, bars: number, message: string): TrialOutcome {
    return { params: job.params, from: job.from ?? 0, to: job.to ?? bars, reason: message.split('\n')[0]! };
}
