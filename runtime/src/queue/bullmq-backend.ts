/**
 * Team mode's run backend on the daemon's side: each run's engine half becomes a BullMQ job that
 * `af worker` processes (worker.ts) on any host pull from Redis. The daemon keeps everything else —
 * compiling, loading bars from its store, and writing every result — so it stays the store's only
 * writer; a worker only computes.
 *
 * Exactly once on top of at-least-once delivery:
 * - a job's id is `<run id>.<attempt>`: BullMQ runs a job id once at a time and completes it once
 *   (a re-delivered job after a worker died is the same job; a new attempt after a daemon restart
 *   is a new job, and the older attempts' jobs are cancelled);
 * - the daemon records an outcome only through the orchestrator's compare-and-set on the run's
 *   state *and attempt* (orchestrator.ts commitEnd), in the one transaction that writes metrics,
 *   artifacts and ledger rows: a duplicate or stale completion changes nothing.
 *
 * Progress and log lines come back as BullMQ progress events. Cancelling (or a time-out, or the
 * daemon stopping) sets a cancel key the job's worker polls, and removes the job if it is still
 * waiting; the run's abort settles once the worker reported the job ended (bounded wait). A cancel
 * through another daemon sharing the queue does the same from there (cancelAttempt): the key is
 * the attempt's job id, which every daemon can derive from the run id and attempt.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRedisVersionLowerThan, Job, Queue, QueueEvents } from 'bullmq';
import { z } from 'zod';
import { RunFailure } from '../orchestrator/compile.js';
import type { BackendContext, RunBackend } from '../orchestrator/executor.js';
import type { StagedArtifact, WorkerJob, WorkerOutput } from '../orchestrator/work.js';
import type { LogLevel } from '../orchestrator/types.js';
import { firstLine } from '../data/errors.js';
import { inSpan, SpanKind, traceparentOf } from '../monitoring/tracing.js';
import { DEFAULT_QUEUE_PREFIX, redisOptions, RUN_QUEUE, type QueueSettings } from './settings.js';
import { BARS_TTL_S, barsDigest, barsKey, encodeBars, jobIdOf, JobResultSchema, jobPart, outputOf, resultFileKey, sha256Hex, stagingDirOf, WIRE_VERSION, type JobData, type JobResult } from './wire.js';

/** Bars stored in Redis this daemon remembers (to refresh rather than send again). */
const MAX_STORED_BARS = 256;
/**
 * Stored bars whose key's life was extended (or that were sent) this recently are referred to
 * without another EXPIRE: under load every job would otherwise pay a round trip to push a 6-hour
 * deadline by a few milliseconds. Redis reconnecting (a restart loses the keys) forgets them all.
 */
const BARS_REFRESH_MS = 10_000;
/** Bars above this size (encoded) go through the staging folder when there is one. */
const INLINE_BARS_MAX = 4 * 1024 * 1024;
/** How long an aborted run waits for its worker to report the job ended. */
const ABORT_WAIT_MS = 15_000;
/** How often pending jobs' states are read, in case an event was missed (Redis restarted, stream trimmed). */
const POLL_MS = 5_000;

const ProgressSchema = z.union([
    z.object({ f: z.number().min(0).max(1) }).strict(),
    z.object({ log: z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string().max(10_000) }).strict() }).strict(),
]);

/** The Redis key a worker polls to learn that the job it runs was cancelled. */
export function cancelKey(prefix: string, jobId: string): string {
    return `${prefix}:${RUN_QUEUE}:af-cancel:${jobId}`;
}

/** The commands of BullMQ's client (an ioredis connection) the cancel, result and bars keys need; its exported type does not list them. */
export interface KeyClient {
    set(key: string, value: string | Buffer, ex: 'EX', seconds: number): Promise<unknown>;
    exists(key: string): Promise<number>;
    getBuffer(key: string): Promise<Buffer | null>;
    /** GET and DEL in one command (Redis ≥ 6.2). */
    getdelBuffer(key: string): Promise<Buffer | null>;
    on(event: 'ready', listener: () => void): unknown;
    get(key: string): Promise<string | null>;
    expire(key: string, seconds: number): Promise<number>;
    del(...keys: string[]): Promise<number>;
}

interface Pending {
    readonly jobId: string;
    readonly onProgress: (fraction: number) => void;
    readonly onLog: (level: LogLevel, message: string) => void;
    /**
     * Whether its `queue.add` has returned. Registered before it (so an event of a fast job is not
     * missed), a job is polled only after: until then its state reads 'unknown', which is not "lost".
     */
    added: boolean;
    settle(r: { ok: true; value: unknown } | { ok: false; reason: string }): void;
}

export class BullmqBackend implements RunBackend {
    private readonly pending = new Map<string, Pending>();
    /** Digests of the bars this daemon stored in Redis (barsKey), oldest first, and when their key's life was last extended (epoch ms). */
    private readonly storedBars = new Map<string, number>();
    /** Whether Redis has GETDEL (6.2; BullMQ needs only 5): a result file is read and deleted in one command. */
    private getdel: boolean | undefined;
    /** The key client, once its 'ready' (a reconnection) is watched. */
    private keyClient: KeyClient | undefined;
    private readonly poll: NodeJS.Timeout;
    private readonly prefix: string;

    private constructor(private readonly settings: QueueSettings, private readonly queue: Queue, private readonly events: QueueEvents) {
        this.prefix = settings.prefix ?? DEFAULT_QUEUE_PREFIX;
        events.on('progress', ({ jobId, data }) => this.onProgress(jobId, data));
        events.on('completed', ({ jobId, returnvalue }) => this.pending.get(jobId)?.settle({ ok: true, value: returnvalue }));
        events.on('failed', ({ jobId, failedReason }) => this.pending.get(jobId)?.settle({ ok: false, reason: failedReason }));
        // Errors of the connections are retried by ioredis; they must not crash the daemon.
        events.on('error', () => undefined);
        queue.on('error', () => undefined);
        this.poll = setInterval(() => void this.pollPending(), POLL_MS);
        this.poll.unref();
    }

    /** Connects to the queue; fails with a clear message when Redis does not answer. */
    static async open(settings: QueueSettings): Promise<BullmqBackend> {
        const connection = redisOptions(settings.redis);
        const prefix = settings.prefix ?? DEFAULT_QUEUE_PREFIX;
        const queue = new Queue(RUN_QUEUE, { connection, prefix });
        const events = new QueueEvents(RUN_QUEUE, { connection, prefix });
        try {
            await withTimeout(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), 10_000, `Redis at ${settings.redis} (queue.redis) did not answer within 10 s; is it running? (npm run team:up starts one)`);
        } catch (e) {
            await Promise.allSettled([queue.close(), events.close()]);
            throw e;
        }
        return new BullmqBackend(settings, queue, events);
    }

    async run(job: WorkerJob, ctx: BackendContext): Promise<WorkerOutput> {
        const jobId = jobIdOf(ctx.runId, ctx.attempt);
        const staging = this.settings.staging ? stagingDirOf(this.settings.staging, ctx.runId, ctx.attempt) : undefined;
        // A previous daemon's attempts of this run may still be queued or running somewhere: not any more.
        for (let k = 1; k < ctx.attempt; k++) await this.cancel(jobIdOf(ctx.runId, k)).catch(() => undefined);
        const outcome = new Promise<{ ok: true; value: unknown } | { ok: false; reason: string }>(resolve => {
            this.pending.set(jobId, { jobId, onProgress: ctx.onProgress, onLog: ctx.onLog, added: false, settle: r => { if (this.pending.delete(jobId)) resolve(r); } });
        });
        let aborted = false;
        const onAbort = (): void => {
            aborted = true;
            void this.cancel(jobId).then(removed => {
                if (removed) this.pending.get(jobId)?.settle({ ok: false, reason: 'cancelled before a worker took it' });
            }, () => undefined);
            setTimeout(() => this.pending.get(jobId)?.settle({ ok: false, reason: 'no worker confirmed the cancellation in time' }), ABORT_WAIT_MS).unref();
        };
        try {
            // The job carries the enqueue span's context: the worker's job span is its child, in another process.
            await inSpan('queue.enqueue', {
                kind: SpanKind.PRODUCER,
                attributes: { 'messaging.system': 'bullmq', 'messaging.operation.type': 'send', 'messaging.destination.name': RUN_QUEUE, 'messaging.message.id': jobId, 'af.run.id': ctx.runId, 'af.run.attempt': ctx.attempt },
            }, async () => {
                const traceparent = traceparentOf();
                const data = { ...await this.jobData(job, ctx, staging), ...(traceparent ? { traceparent } : {}) };
                await this.queue.add('run', data, { jobId, attempts: 1, removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 86_400, count: 10_000 } });
            });
            const p = this.pending.get(jobId);
            if (p) p.added = true;
            if (ctx.signal.aborted) onAbort();
            else ctx.signal.addEventListener('abort', onAbort, { once: true });
            const r = await outcome;
            if (aborted) throw new RunFailure('aborted');
            if (!r.ok) throw new RunFailure(`the run failed on its worker: ${firstLine(r.reason)}`);
            const accepted = await this.accept(r.value, job.dir, staging, jobId);
            // Which worker computed the run, in the run's own log (runs.logs): host, pid, network namespace.
            ctx.onLog('info', `computed by af worker ${accepted.worker}`);
            return accepted.output;
        } finally {
            ctx.signal.removeEventListener('abort', onAbort);
            this.pending.get(jobId)?.settle({ ok: false, reason: 'abandoned' });
            if (staging) rmSync(staging, { recursive: true, force: true });
        }
    }

    /**
     * A cancel through this daemon of a run another daemon queued (same Redis): the attempt's job has
     * a deterministic id, so its cancel key is set here and the worker computing it stops (its thread
     * terminated); a job still waiting is removed. The daemon that queued it learns the job ended
     * (failed as cancelled, or gone) and records nothing: the run is no longer running at that attempt.
     */
    async cancelAttempt(runId: string, attempt: number): Promise<void> {
        await this.cancel(jobIdOf(runId, attempt));
    }

    async workers(): Promise<number> {
        return (await this.queue.getWorkers()).length;
    }

    /** Jobs waiting or running (for status and the benchmark). */
    async depth(): Promise<{ waiting: number; active: number; workers: number }> {
        const counts = await this.queue.getJobCounts('waiting', 'active');
        const workers = (await this.queue.getWorkers()).length;
        return { waiting: counts['waiting'] ?? 0, active: counts['active'] ?? 0, workers };
    }

    async close(): Promise<void> {
        clearInterval(this.poll);
        for (const p of [...this.pending.values()]) p.settle({ ok: false, reason: 'the daemon is stopping' });
        await Promise.allSettled([this.events.close(), this.queue.close()]);
    }

    /** Cancels a job: its worker stops it; a job still waiting is removed (true). */
    private async cancel(jobId: string): Promise<boolean> {
        const client = await this.client();
        await client.set(cancelKey(this.prefix, jobId), '1', 'EX', 86_400);
        try {
            return (await this.queue.remove(jobId)) === 1;
        } catch {
            return false; // running (locked by its worker): the worker sees the key
        }
    }

    /** BullMQ's client, for the cancel, result and bars keys; a reconnection (Redis restarted: keys lost) forgets the bars stored. */
    private async client(): Promise<KeyClient> {
        if (this.keyClient) return this.keyClient;
        const client = await this.queue.client as unknown as KeyClient;
        if (!this.keyClient) {
            this.keyClient = client;
            client.on('ready', () => this.storedBars.clear());
        }
        return client;
    }

    private async jobData(job: WorkerJob, ctx: BackendContext, staging: string | undefined): Promise<JobData> {
        const head = { v: WIRE_VERSION, runId: ctx.runId, attempt: ctx.attempt, ...(ctx.traceId ? { traceId: ctx.traceId } : {}), job: jobPart(job) } as const;
        const digest = barsDigest(job.bars);
        // Bars this daemon stored lately: their key's life is extended (at most every BARS_REFRESH_MS), nothing is encoded or sent again.
        const client = await this.client();
        const refreshed = this.storedBars.get(digest);
        if (refreshed !== undefined) {
            const now = Date.now();
            if (now - refreshed < BARS_REFRESH_MS) return { ...head, bars: { stored: digest } };
            if (await client.expire(barsKey(this.prefix, digest), BARS_TTL_S) === 1) {
                this.storedBars.set(digest, now);
                return { ...head, bars: { stored: digest } };
            }
            this.storedBars.delete(digest);
        }
        const text = JSON.stringify(encodeBars(job.bars));
        if (staging && text.length > INLINE_BARS_MAX) {
            mkdirSync(staging, { recursive: true });
            writeFileSync(join(staging, 'bars.json'), text);
            return { ...head, bars: { staged: 'bars.json', sha256: sha256Hex(text) } };
        }
        await client.set(barsKey(this.prefix, digest), text, 'EX', BARS_TTL_S);
        this.storedBars.set(digest, Date.now());
        if (this.storedBars.size > MAX_STORED_BARS) this.storedBars.delete(this.storedBars.keys().next().value!);
        return { ...head, bars: { stored: digest } };
    }

    /**
     * A worker's result: checked, its artifacts (from their Redis keys, or the staging folder)
     * written as `<name>.tmp` in the run's directory (renamed by the orchestrator on commit); the
     * keys are deleted, read or not.
     */
    private async accept(value: unknown, dir: string, staging: string | undefined, jobId: string): Promise<{ output: WorkerOutput; worker: string }> {
        let parsed: unknown = value;
        if (typeof value === 'string') {
            try {
                parsed = JSON.parse(value);
            } catch {
                throw new RunFailure('the worker returned a result that is not JSON');
            }
        }
        const r = JobResultSchema.safeParse(parsed);
        if (!r.success) throw new RunFailure(`the worker returned a result this daemon cannot read (${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}); are the daemon and its workers the same version?`);
        const client = await this.client();
        const files = r.data.files.map(f => ({ f, key: f.nonce !== undefined ? resultFileKey(this.prefix, jobId, f.nonce, f.name) : undefined }));
        const keys = files.flatMap(x => (x.key !== undefined ? [x.key] : []));
        this.getdel ??= !isRedisVersionLowerThan(this.queue.redisVersion, '6.2.0', this.queue.databaseType);
        const getdel = this.getdel;
        let deleted = false;
        try {
            // Every file's key at once (one round trip), each read and deleted by one GETDEL where Redis has it.
            const read = await Promise.all(files.map(({ key }) => (key === undefined ? undefined : getdel ? client.getdelBuffer(key) : client.getBuffer(key))));
            deleted = getdel;
            const staged: StagedArtifact[] = [];
            for (const [i, { f, key }] of files.entries()) {
                const data = key !== undefined ? read[i] : readStaged(staging, f.name);
                if (!data) throw new RunFailure(`artifact ${f.name} of the worker's result is not in Redis (expired, or Redis lost it)`);
                if (data.length !== f.bytes || sha256Hex(data) !== f.sha256) throw new RunFailure(`artifact ${f.name} of the worker's result is damaged (size or SHA-256 differs)`);
                const tmp = join(dir, `${f.name}.tmp`);
                writeFileSync(tmp, data);
                staged.push({ name: f.name, tmp, bytes: f.bytes, sha256: f.sha256 });
            }
            return { output: outputOf(r.data as JobResult, staged), worker: r.data.worker };
        } finally {
            // Deleted by their GETDEL, unless a read failed (then here, as without GETDEL).
            if (keys.length && !deleted) await client.del(...keys).catch(() => undefined);
        }
    }

    private onProgress(jobId: string, data: unknown): void {
        const p = this.pending.get(jobId);
        if (!p) return;
        const r = ProgressSchema.safeParse(data);
        if (!r.success) return;
        if ('f' in r.data) p.onProgress(r.data.f);
        else p.onLog(r.data.log.level, r.data.log.message);
    }

    private async pollPending(): Promise<void> {
        for (const p of [...this.pending.values()]) {
            if (!p.added) continue;
            try {
                // The state first: a job read while still running and found completed a moment later has no return value yet.
                const state = await this.queue.getJobState(p.jobId);
                if (state === 'unknown') { p.settle({ ok: false, reason: 'the job is no longer in the queue (Redis lost it?)' }); continue; }
                if (state !== 'completed' && state !== 'failed') continue;
                const job = await Job.fromId(this.queue, p.jobId);
                if (!job) { p.settle({ ok: false, reason: 'the job is no longer in the queue (Redis lost it?)' }); continue; }
                if (state === 'completed') p.settle({ ok: true, value: job.returnvalue });
                else p.settle({ ok: false, reason: job.failedReason });
            } catch {
                // Redis unreachable for now: the next poll tries again.
            }
        }
    }
}

function readStaged(staging: string | undefined, name: string): Buffer {
    if (!staging) throw new RunFailure(`the worker left artifact ${name} in a staging folder, but this daemon has none (queue.staging)`);
    try {
        return readFileSync(join(staging, name));
    } catch {
        throw new RunFailure(`artifact ${name} is not in the staging folder ${staging}; do the daemon and the workers share it?`);
    }
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
        return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); })]);
    } finally {
        clearTimeout(timer);
    }
}
