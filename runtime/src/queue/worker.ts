/**
 * `af worker`: a process that pulls runs' jobs from the BullMQ queue (bullmq-backend.ts enqueues
 * them) and computes them, each in a worker thread of its own pool (the same run-worker.ts the
 * embedded daemon uses: the same engine, memory limit and termination on cancel). It returns the
 * output and artifacts and writes nothing else anywhere: the daemon records them.
 *
 * A worker killed mid-job stops renewing its lock; after `queue.lockMs` another worker's stalled
 * check puts the job back and someone runs it again (up to `queue.maxStalls` times). A cancelled
 * job (the daemon sets its cancel key) has its thread terminated and fails as cancelled.
 *
 * Every log line is structured (pino) and carries the run id, attempt and trace id of its job.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { ABORTED, RunWorkerPool, runOnThread } from '../orchestrator/executor.js';
import { DEFAULT_RUN_LIMITS } from '../orchestrator/limits.js';
import { firstLine } from '../data/errors.js';
import { inSpan, SpanKind } from '../monitoring/tracing.js';
import { cancelKey, type KeyClient } from './bullmq-backend.js';
import { workerIdentity } from './identity.js';
import { DEFAULT_LOCK_MS, DEFAULT_MAX_STALLS, DEFAULT_QUEUE_PREFIX, redisOptions, RUN_QUEUE, type QueueSettings } from './settings.js';
import { barsKey, decodeBars, JobDataSchema, outputPart, RESULT_FILE_TTL_S, resultFileKey, sha256Hex, stagingDirOf, storedBars, WIRE_VERSION, workerJobOf, type EncodedBars, type JobData, type JobResult } from './wire.js';
import type { SharedBars } from '../engine/worker-pool.js';

/** How often a running job's cancel key is read. */
const CANCEL_POLL_MS = 250;
/** Least time between two progress reports of a job. */
const PROGRESS_MS = 250;

export interface QueueWorkerOptions {
    readonly settings: QueueSettings;
    /** Jobs at once (one thread each). */
    readonly concurrency: number;
    readonly logger: Logger;
    /** Heap of one run's thread, MB (runs.memoryMb). */
    readonly memoryMb?: number;
}

export interface QueueWorker {
    /** Waits for the jobs in hand (`force`: stops them; BullMQ gives them to another worker later). */
    close(force?: boolean): Promise<void>;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
    const s = o.settings;
    const prefix = s.prefix ?? DEFAULT_QUEUE_PREFIX;
    const memoryMb = o.memoryMb ?? DEFAULT_RUN_LIMITS.memoryMb;
    const pool = new RunWorkerPool(o.concurrency, { memoryMb, recycleAboveMb: DEFAULT_RUN_LIMITS.recycleAboveMb });
    const me = workerIdentity();
    const log = o.logger.child({ component: 'worker', worker: me });
    const lockMs = s.lockMs ?? DEFAULT_LOCK_MS;
    // Bars by digest (wire.ts barsKey): read from Redis and decoded once for the jobs over them.
    const stored = new StoredBarsCache(async digest => {
        const client = await worker.client as unknown as KeyClient;
        const text = await client.get(barsKey(prefix, digest));
        if (text === null) throw new Error('the job\'s bars are no longer in Redis (kept 6 hours after their last job was queued); submit the run again');
        return storedBars(text, digest);
    });

    // Each job in a span of its own, the child of the daemon's enqueue span (the job's traceparent).
    const processor = (job: Job): Promise<JobResult> => {
        const traceparent = typeof (job.data as { traceparent?: unknown } | undefined)?.traceparent === 'string' ? (job.data as { traceparent: string }).traceparent : undefined;
        return inSpan('queue.job', {
            kind: SpanKind.CONSUMER, ...(traceparent ? { parent: traceparent } : { root: true }),
            attributes: { 'messaging.system': 'bullmq', 'messaging.operation.type': 'process', 'messaging.destination.name': RUN_QUEUE, 'messaging.message.id': job.id ?? '', 'af.worker': me },
        }, () => perform(job));
    };

    const perform = async (job: Job): Promise<JobResult> => {
        const parsed = JobDataSchema.safeParse(job.data);
        if (!parsed.success) {
            log.error({ jobId: job.id, issue: parsed.error.issues[0]?.message }, 'a job this worker cannot read');
            throw new UnrecoverableError(`the job cannot be read by this worker (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); are the daemon and its workers the same version?`);
        }
        const data = parsed.data;
        const jl = log.child({ runId: data.runId, attempt: data.attempt, jobId: job.id, ...(data.traceId ? { traceId: data.traceId } : {}) });
        const client = await worker.client as unknown as KeyClient;
        const controller = new AbortController();
        const cancelled = async (): Promise<boolean> => (await client.exists(cancelKey(prefix, job.id!))) === 1;
        if (await cancelled()) throw new UnrecoverableError('cancelled');
        const poll = setInterval(() => {
            cancelled().then(c => { if (c) controller.abort(); }, () => undefined);
        }, CANCEL_POLL_MS);
        const staging = s.staging ? stagingDirOf(s.staging, data.runId, data.attempt) : undefined;
        jl.info({ stalls: job.stalledCounter ?? 0 }, 'run started');
        const started = performance.now();
        // The first report too waits PROGRESS_MS: a job of a few ms sends none.
        let lastProgress = started;
        try {
            const bars = 'stored' in data.bars ? await stored.get(data.bars.stored) : decodeBars(barsOf(data, staging));
            const t0 = performance.now();
            const output = await runOnThread(pool, workerJobOf(data, bars), {
                signal: controller.signal,
                // At most every PROGRESS_MS: each is a Redis write and an event to the daemon, which persists one per 500 ms anyway
                // and drops the end's (1: the completion says it).
                onProgress: f => {
                    const now = performance.now();
                    if (f >= 1 || now - lastProgress < PROGRESS_MS) return;
                    lastProgress = now;
                    job.updateProgress({ f }).catch(() => undefined);
                },
                onLog: (level, message) => { job.updateProgress({ log: { level, message } }).catch(() => undefined); },
            }, memoryMb);
            const engineMs = performance.now() - t0;
            // The files as bytes under keys of their own: the job's return value (kept with the job,
            // and sent to every daemon's event stream) stays small. The thread handed them over as
            // bytes (workerJobOf: `held`), with their size and SHA-256.
            const nonce = randomBytes(8).toString('hex');
            const files: JobResult['files'] = await Promise.all((output.held ?? []).map(async h => {
                const bytes = Buffer.from(h.data.buffer, h.data.byteOffset, h.data.byteLength);
                if (!staging) {
                    await client.set(resultFileKey(prefix, job.id!, nonce, h.name), bytes, 'EX', RESULT_FILE_TTL_S);
                    return { name: h.name, bytes: h.bytes, sha256: h.sha256, nonce };
                }
                mkdirSync(staging, { recursive: true });
                writeFileSync(join(staging, h.name), bytes);
                return { name: h.name, bytes: h.bytes, sha256: h.sha256 };
            }));
            jl.info({ ms: Math.round(performance.now() - started), engineMs: Math.round(engineMs), summary: output.summary }, 'run done');
            return { v: WIRE_VERSION, output: outputPart(output), files, engineMs, worker: me };
        } catch (e) {
            if (e === ABORTED) {
                jl.info('run cancelled');
                throw new UnrecoverableError('cancelled');
            }
            jl.warn({ err: firstLine(e) }, 'run failed');
            throw new UnrecoverableError(firstLine(e));
        } finally {
            clearInterval(poll);
        }
    };

    const worker: Worker = new Worker(RUN_QUEUE, processor, {
        connection: redisOptions(s.redis), prefix, concurrency: o.concurrency, autorun: false,
        lockDuration: lockMs, stalledInterval: Math.max(1000, Math.floor(lockMs / 2)), maxStalledCount: s.maxStalls ?? DEFAULT_MAX_STALLS,
    });
    worker.on('error', e => log.warn({ err: firstLine(e) }, 'queue connection problem'));
    worker.on('stalled', jobId => log.warn({ jobId }, 'a job whose worker went silent was put back in the queue'));
    await worker.waitUntilReady();
    void worker.run().catch(e => log.error({ err: firstLine(e) }, 'the worker stopped'));
    log.info({ queue: RUN_QUEUE, prefix, concurrency: o.concurrency, lockMs }, 'worker ready');
    return {
        async close(force = false): Promise<void> {
            await worker.close(force);
            await pool.close();
            log.info('worker stopped');
        },
    };
}

/**
 * Decoded bars by digest, the most recently used kept up to MAX_CACHED_BAR_BYTES: a batch of jobs
 * over the same bars reads and decodes them once. The run threads only read them (shared memory).
 * Concurrent jobs asking for the same digest share one read.
 */
export class StoredBarsCache {
    private readonly entries = new Map<string, Promise<SharedBars>>();

    constructor(private readonly read: (digest: string) => Promise<SharedBars>, private readonly maxBytes = MAX_CACHED_BAR_BYTES) {}

    get(digest: string): Promise<SharedBars> {
        const hit = this.entries.get(digest);
        if (hit) {
            this.entries.delete(digest);
            this.entries.set(digest, hit);
            return hit;
        }
        const p = this.read(digest);
        this.entries.set(digest, p);
        p.then(() => this.trim(), () => this.entries.delete(digest));
        return p;
    }

    private async trim(): Promise<void> {
        let bytes = 0;
        for (const [digest, p] of [...this.entries].reverse()) {
            bytes += sizeOf(await p.catch(() => undefined));
            if (bytes > this.maxBytes) this.entries.delete(digest);
        }
    }
}

const MAX_CACHED_BAR_BYTES = 256 * 1024 * 1024;

function sizeOf(b: SharedBars | undefined): number {
    if (!b) return 0;
    return b.ts.byteLength + b.assets.reduce((n, a) => n + 5 * a.open.byteLength + Object.values(a.onchain ?? {}).reduce((m, c) => m + c.byteLength, 0), 0);
}

/** The job's bars: in the job, or in the staging folder (checked against their SHA-256). */
function barsOf(data: JobData, staging: string | undefined): EncodedBars {
    if ('inline' in data.bars) return data.bars.inline;
    if ('stored' in data.bars) throw new Error('the job\'s bars are stored in Redis, not in the job'); // read by StoredBarsCache
    if (!staging) throw new Error('the job\'s bars are in a staging folder, but this worker has none (queue.staging)');
    const text = readFileSync(join(staging, data.bars.staged), 'utf8');
    if (sha256Hex(text) !== data.bars.sha256) throw new Error('the job\'s bars in the staging folder are damaged (SHA-256 differs)');
    return JobDataSchema.shape.bars.options[0].shape.inline.parse(JSON.parse(text));
}
