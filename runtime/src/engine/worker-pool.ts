/**
 * Runs many backtests of one strategy on one data set across worker threads. The bars are copied
 * once into SharedArrayBuffers that every worker reads; parameter sets are handed out in small
 * batches to whichever worker is idle (dynamic scheduling: slow combinations don't stall a fixed
 * share; batches: one message per few trials, not per trial). Each worker keeps what its trials
 * share (indicators several combinations use, computed once: shared-series.ts). Results come back
 * in submission order. A trial that throws is a failed trial (its reason kept), not the end of the
 * batch; cancelling, or a worker that dies, ends it.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import type { BarData } from './types.js';
import type { ParamSet } from './param-space.js';
import { runTrial, TrialContext, type TrialOutcome } from './trial.js';
import { planSharing, SharedSeries, type SharePlan } from './shared-series.js';
import type { EngineLimits } from './limits.js';

export interface SharedBars {
    readonly ts: SharedArrayBuffer;
    readonly assets: readonly (Record<'open' | 'high' | 'low' | 'close' | 'volume', SharedArrayBuffer> & { readonly onchain?: Readonly<Record<string, SharedArrayBuffer>> })[];
    readonly snapshotHash: string;
    readonly timeframeMs: number;
}

export function shareBars(data: BarData): SharedBars {
    const share = (a: Float64Array): SharedArrayBuffer => {
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

/** What one worker (or the inline runner) does with a batch: each job's outcome, or its error's message. */
export function runBatch(ir: StrategyIr, data: BarData, jobs: readonly TrialJob[], context: TrialContext, limits?: EngineLimits): (TrialOutcome | { error: string })[] {
    return jobs.map(job => {
        try {
            return runTrial(ir, data, job.params, job.from, job.to, limits, context, job.blocks);
        } catch (e) {
            return { error: (e as Error).message };
        }
    });
}

/**
 * Trials per message: enough that messaging is a small part of the time, few enough that every
 * worker gets several batches (the last ones finish together) and progress moves.
 */
function batchSize(jobs: number, workers: number): number {
    return Math.max(1, Math.min(32, Math.floor(jobs / (workers * 8))));
}

export async function runTrials(ir: StrategyIr, data: BarData | SharedBars, jobs: readonly TrialJob[], options: PoolOptions = {}): Promise<TrialOutcome[]> {
    if (options.workers === 0) return runInline(ir, data.ts instanceof SharedArrayBuffer ? unshareBars(data as SharedBars) : data as BarData, jobs, options);
    const shared = 'snapshotHash' in data && data.ts instanceof SharedArrayBuffer ? (data as SharedBars) : shareBars(data as BarData);
    const n = Math.max(1, Math.min(options.workers ?? defaultWorkers(), jobs.length));
    const results: TrialOutcome[] = new Array(jobs.length);
    if (jobs.length === 0) return results;
    const plan = planJobs(ir, jobs);
    const batch = batchSize(jobs.length, n);
    let next = 0, done = 0;
    const workers: Worker[] = [];
    const url = workerUrl();
    return new Promise<TrialOutcome[]>((resolve, reject) => {
        let failed = false;
        const stop = (err?: Error): void => {
            for (const w of workers) void w.terminate();
            if (err) { failed = true; reject(err); }
        };
        options.signal?.addEventListener('abort', () => stop(new Error('cancelled')), { once: true });
        const feed = (w: Worker): void => {
            if (failed) return;
            if (next >= jobs.length) return;
            const i = next;
            next = Math.min(jobs.length, next + batch);
            w.postMessage({ kind: 'jobs', index: i, jobs: jobs.slice(i, next) });
        };
        const bars = data.ts.byteLength / 8;
        for (let k = 0; k < n; k++) {
            const w = new Worker(url, {
                workerData: { ir, bars: shared, limits: options.limits, plan },
                ...(options.memoryMb ? { resourceLimits: { maxOldGenerationSizeMb: options.memoryMb } } : {}),
            });
            workers.push(w);
            w.on('message', (m: { kind: 'results'; index: number; outcomes: (TrialOutcome | { error: string })[] }) => {
                if (failed) return;
                m.outcomes.forEach((o, k) => {
                    const i = m.index + k;
                    results[i] = 'error' in o ? failedTrial(jobs[i]!, bars, o.error) : o;
                    done++;
                    options.onResult?.(done, jobs.length);
                });
                if (done === jobs.length) { stop(); resolve(results); } else feed(w);
            });
            w.on('error', e => stop((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
                ? new Error(`a trial needed more than ${options.memoryMb ?? 'the'} MB of memory its worker thread may use`)
                : e));
            // Two batches in flight per worker: the next one is already queued while results travel back.
            feed(w);
            feed(w);
        }
    });
}

async function runInline(ir: StrategyIr, data: BarData, jobs: readonly TrialJob[], options: PoolOptions): Promise<TrialOutcome[]> {
    const results: TrialOutcome[] = [];
    const context = new TrialContext(new SharedSeries(ir, data, planJobs(ir, jobs)));
    for (const job of jobs) {
        if (options.signal?.aborted) throw new Error('cancelled');
        const [o] = runBatch(ir, data, [job], context, options.limits);
        results.push('error' in o! ? failedTrial(job, data.ts.length, o.error) : o!);
        options.onResult?.(results.length, jobs.length);
    }
    return results;
}

function failedTrial(job: TrialJob, bars: number, message: string): TrialOutcome {
    return { params: job.params, from: job.from ?? 0, to: job.to ?? bars, reason: message.split('\n')[0]! };
}
