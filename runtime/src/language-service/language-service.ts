/**
 * The runtime's facade over the language services: every parse, lint, compile and analysis of a
 * source text the daemon is sent (lang.*, similar.find, the similarity index's embedding of stored
 * runs, a run's compile) goes through here and runs in a small pool of worker threads
 * (language-worker.ts), each with its own language services built once. The daemon's main thread
 * only queues requests and passes plain data, so /healthz, daemon.info and every other call are
 * answered while a large lint runs.
 *
 * Limits, each with an answer that says what to do:
 * - source size (`maxSourceChars`, 413);
 * - time per request (`timeoutMs`): the worker is terminated (which really stops it) and a fresh
 *   one takes its place; the caller gets an error naming the limit;
 * - memory per worker (`memoryMb`, V8's heap limit of the thread): a request that needs more
 *   fails alone; a worker left holding much memory is replaced after its request;
 * - a bounded queue, fair between callers: requests wait per key (the caller's team), keys are
 *   served in turn, and one key runs on at most workers − 1 threads at once (so another team
 *   always finds one free when there are two). A key with `maxQueuedPerKey` waiting gets 429,
 *   a full queue 503. Internal callers (a run's compile, the similarity index) are bounded by their
 *   own concurrency and are never refused.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { ErrorCodes, MAX_SOURCE_CHARS, RpcError, type ParamsOf, type ResultOf } from '../../../protocol/src/daemon/index.js';
import type { PointResult } from '../../../language/src/similarity/strategy-point.js';
import { workerScript } from '../util/worker-script.js';
import type { FromLanguageWorker, LanguageWorkerData, ToLanguageWorker } from './language-worker.js';
import type { DiffResult, LangOp, LangOps, LangRequest, PublishCompileResult, RunCompileResult, SourceRef } from './operations.js';
import type { ManifestSource } from '../../../language/src/catalogue/manifest-packs.js';

export interface LanguageLimits {
    /** Worker threads (default: 2, or 1 on a single core). */
    readonly workers?: number;
    /** Time limit of one request once a worker has it, in ms (default 30 s). */
    readonly timeoutMs?: number;
    /** V8 heap limit of each worker, in MB (default 1536: a 1 MB source needs about 700). */
    readonly memoryMb?: number;
    /** Largest source text (default the protocol's MAX_SOURCE_CHARS) and largest imported file, in characters/bytes. */
    readonly maxSourceChars?: number;
    /** Requests waiting in all (default 64) and per key (default 8). */
    readonly maxQueued?: number;
    readonly maxQueuedPerKey?: number;
    /** A worker whose heap is above this many MB after a request is replaced (its garbage would stay resident while it idles); default 256. */
    readonly recycleAboveMb?: number;
}

export interface LanguageServiceOptions extends LanguageLimits {
    /** Folders `import` statements may read (.af files only); empty: no imports. */
    readonly sourceRoots: readonly string[];
    /** Folders never read through an import (the daemon's state directory). */
    readonly excludeRoots?: readonly string[];
    readonly log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
    /** The workspace packs' manifests a source compiles against, by its uri (the daemon's DaemonPacks); default none. */
    readonly packsFor?: (uri: string | undefined) => readonly ManifestSource[];
}

export interface RequestOptions {
    /** Fairness key: the caller's team; internal callers name themselves ('runs', 'similarity'). */
    readonly key: string;
    /** Bounded by the caller's own concurrency: never refused for a full queue. */
    readonly internal?: boolean;
}

/** What each operation is called in errors. */
const WHAT: Readonly<Record<LangOp, string>> = {
    lint: 'lang.lint', compile: 'lang.compile', analyse: 'lang.analyse', point: 'the similarity query', compileForRun: "compiling the run's source", compileForPublish: 'compiling the strategy to publish', diff: 'lang.diff',
};

interface Job {
    readonly id: number;
    readonly request: LangRequest;
    readonly key: string;
    readonly resolve: (v: unknown) => void;
    readonly reject: (e: Error) => void;
}

interface Slot {
    readonly worker: Worker;
    ready: boolean;
    job?: Job;
    timer?: NodeJS.Timeout;
    /** Set once the slot left the pool (timed out, crashed, recycled, closed). */
    gone?: boolean;
}

export class LanguageService {
    readonly limits: Required<LanguageLimits>;
    private readonly slots: Slot[] = [];
    /** Waiting jobs per key; the Map's order is the serving order (a served key moves to the back). */
    private readonly queues = new Map<string, Job[]>();
    private readonly running = new Map<string, number>();
    private waiting = 0;
    private nextId = 0;
    private startFailures = 0;
    private closed = false;

    constructor(private readonly o: LanguageServiceOptions) {
        const cores = availableParallelism();
        this.limits = {
            workers: Math.max(1, Math.floor(o.workers ?? Math.min(2, cores))),
            timeoutMs: o.timeoutMs ?? 30_000,
            memoryMb: o.memoryMb ?? 1536,
            maxSourceChars: o.maxSourceChars ?? MAX_SOURCE_CHARS,
            maxQueued: o.maxQueued ?? 64,
            maxQueuedPerKey: o.maxQueuedPerKey ?? 8,
            recycleAboveMb: o.recycleAboveMb ?? 256,
        };
    }

    lint(p: ParamsOf<'lang.lint'>, o: RequestOptions): Promise<ResultOf<'lang.lint'>> {
        return this.request('lint', p, o);
    }

    compile(p: ParamsOf<'lang.compile'>, o: RequestOptions): Promise<ResultOf<'lang.compile'>> {
        return this.request('compile', p, o);
    }

    analyse(p: ParamsOf<'lang.analyse'>, o: RequestOptions): Promise<ResultOf<'lang.analyse'>> {
        return this.request('analyse', p, o);
    }

    /** The similarity point of one strategy of a source (its compile errors come back as problems). */
    point(ref: SourceRef, o: RequestOptions): Promise<PointResult> {
        return this.request('point', ref, o);
    }

    /** The IR a run executes, or why it cannot run. */
    compileForRun(ref: SourceRef, o: RequestOptions): Promise<RunCompileResult> {
        return this.request('compileForRun', ref, o);
    }

    /** The IR of a strategy to publish to the registry and the exact texts of every file it imports, or why it does not compile. */
    compileForPublish(ref: SourceRef, o: RequestOptions): Promise<PublishCompileResult> {
        return this.request('compileForPublish', ref, o);
    }

    /** The structural diff of two sources (each compiled with its recorded parameter values), or which one does not compile and why. */
    diff(p: LangOps['diff']['params'], o: RequestOptions): Promise<DiffResult> {
        return this.request('diff', p, o);
    }

    /** Worker threads alive (starting, idle or busy). */
    get size(): number {
        return this.slots.length;
    }

    /** Refuses what waits, stops every worker. */
    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        for (const q of this.queues.values()) for (const j of q) j.reject(new RpcError(ErrorCodes.Unavailable, 'the daemon is stopping'));
        this.queues.clear();
        this.waiting = 0;
        await Promise.all([...this.slots].map(s => this.drop(s, new RpcError(ErrorCodes.Unavailable, 'the daemon is stopping'))));
    }

    private request<K extends LangOp>(op: K, params: LangOps[K]['params'], o: RequestOptions): Promise<LangOps[K]['result']> {
        if (this.closed) return Promise.reject(new RpcError(ErrorCodes.Unavailable, 'the daemon is stopping'));
        // A diff carries two sources: each is held to the limit.
        const p = params as { source: string } | { from: { source: string }; to: { source: string } };
        const source = 'from' in p ? (p.from.source.length >= p.to.source.length ? p.from.source : p.to.source) : p.source;
        const max = this.limits.maxSourceChars;
        if (source.length > max) {
            return Promise.reject(new RpcError(ErrorCodes.PayloadTooLarge,
                `the source has ${source.length.toLocaleString('en-US')} characters, over the daemon's limit of ${max.toLocaleString('en-US')}; split it into files that import each other`, { limit: max }));
        }
        const queue = this.queues.get(o.key) ?? [];
        if (!o.internal) {
            const retryAfterMs = Math.ceil(this.limits.timeoutMs / 10);
            if (queue.length >= this.limits.maxQueuedPerKey) {
                return Promise.reject(new RpcError(ErrorCodes.RateLimited,
                    `${queue.length} language requests (lang.*, similar.find) of team ${o.key} are already waiting; wait for their answers before sending more`, { retryAfterMs }));
            }
            if (this.waiting >= this.limits.maxQueued) {
                return Promise.reject(new RpcError(ErrorCodes.Unavailable,
                    `the daemon's language workers are busy (${this.waiting} requests waiting); try again shortly`, { retryAfterMs }));
            }
        }
        return new Promise<LangOps[K]['result']>((resolve, reject) => {
            queue.push({ id: ++this.nextId, request: { op, params: this.withPacks(op, params) } as LangRequest, key: o.key, resolve: resolve as (v: unknown) => void, reject });
            if (!this.queues.has(o.key)) this.queues.set(o.key, queue);
            this.waiting++;
            this.dispatch();
        });
    }

    /** Each source with the packs its folder declares (unless the caller named them): the worker compiles against their manifests. */
    private withPacks<K extends LangOp>(op: K, params: LangOps[K]['params']): LangOps[K]['params'] {
        const packsFor = this.o.packsFor;
        if (!packsFor) return params;
        const attach = <T extends { uri?: string; packs?: readonly ManifestSource[] }>(ref: T): T => {
            if (ref.packs !== undefined) return ref;
            const packs = packsFor(ref.uri);
            return packs.length ? { ...ref, packs } : ref;
        };
        if (op === 'diff') {
            const d = params as LangOps['diff']['params'];
            return { from: attach(d.from), to: attach(d.to) } as LangOps[K]['params'];
        }
        return attach(params as SourceRef) as LangOps[K]['params'];
    }

    /** Hands waiting jobs to idle ready workers, in turn by key; starts workers while jobs wait for one. */
    private dispatch(): void {
        if (this.closed) return;
        for (;;) {
            const slot = this.slots.find(s => s.ready && !s.job && !s.gone);
            if (!slot) break;
            const job = this.take();
            if (!job) break;
            this.start(slot, job);
        }
        const starting = this.slots.filter(s => !s.ready).length;
        const runnable = this.runnableWaiting();
        for (let n = starting; n < runnable && this.slots.length < this.limits.workers; n++) this.spawn();
    }

    private maxRunningPerKey(): number {
        return Math.max(1, this.limits.workers - 1);
    }

    /** Waiting jobs whose key may start one more now (at most one per key counts: they are served in turn). */
    private runnableWaiting(): number {
        let n = 0;
        for (const [key, q] of this.queues) if (q.length && (this.running.get(key) ?? 0) < this.maxRunningPerKey()) n++;
        return n;
    }

    private take(): Job | undefined {
        for (const [key, q] of this.queues) {
            if ((this.running.get(key) ?? 0) >= this.maxRunningPerKey()) continue;
            const job = q.shift()!;
            this.queues.delete(key);
            if (q.length) this.queues.set(key, q); // to the back: the other keys go first
            this.waiting--;
            return job;
        }
        return undefined;
    }

    private start(slot: Slot, job: Job): void {
        slot.job = job;
        this.running.set(job.key, (this.running.get(job.key) ?? 0) + 1);
        slot.timer = setTimeout(() => {
            const ms = this.limits.timeoutMs;
            this.o.log?.('warn', `${WHAT[job.request.op]} stopped at the time limit`, { key: job.key, limitMs: ms });
            void this.drop(slot, new RpcError(ErrorCodes.InvalidParams,
                `${WHAT[job.request.op]} took longer than ${ms} ms, the daemon's time limit for one language request, and was stopped; `
                + 'send a smaller source (or split it into files that import each other), or check it locally with af check', { limitMs: ms }));
        }, this.limits.timeoutMs);
        slot.worker.ref();
        slot.worker.postMessage({ id: job.id, request: job.request } satisfies ToLanguageWorker);
    }

    /** The slot's job is over (answered or failed): frees its key's share and its timer. */
    private finish(slot: Slot): Job | undefined {
        const job = slot.job;
        if (!job) return undefined;
        clearTimeout(slot.timer);
        slot.job = undefined;
        slot.timer = undefined;
        const n = (this.running.get(job.key) ?? 1) - 1;
        if (n > 0) this.running.set(job.key, n); else this.running.delete(job.key);
        if (!slot.gone) slot.worker.unref();
        return job;
    }

    private spawn(): void {
        const data: LanguageWorkerData = { roots: this.o.sourceRoots, exclude: this.o.excludeRoots ?? [], maxBytes: this.limits.maxSourceChars };
        let worker: Worker;
        try {
            worker = new Worker(workerScript(import.meta.url, './language-worker.js', 'language worker'), {
                workerData: data,
                resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb },
            });
        } catch (e) {
            this.failWaiting(e instanceof Error ? e.message : String(e));
            return;
        }
        const slot: Slot = { worker, ready: false };
        this.slots.push(slot);
        worker.on('message', (m: FromLanguageWorker) => this.onMessage(slot, m));
        worker.on('error', e => {
            const job = slot.job;
            const what = job ? WHAT[job.request.op] : 'a language request';
            const oom = (e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
            this.o.log?.('warn', oom ? 'a language worker ran out of memory' : 'a language worker crashed', { err: e.message });
            void this.drop(slot, oom
                ? new RpcError(ErrorCodes.InvalidParams, `${what} needed more than ${this.limits.memoryMb} MB, the memory limit of a language worker, and was stopped; send a smaller source`, { limitMb: this.limits.memoryMb })
                : new Error(`the language worker crashed: ${e.message.split('\n')[0]}`));
        });
        worker.on('exit', () => {
            const early = !slot.ready && !slot.gone;
            void this.drop(slot, new Error('the language worker stopped unexpectedly'));
            if (early && ++this.startFailures >= 2) this.failWaiting('the language worker could not start');
        });
    }

    private onMessage(slot: Slot, m: FromLanguageWorker): void {
        if (slot.gone) return;
        if (m.type === 'ready') {
            slot.ready = true;
            this.startFailures = 0;
            this.dispatch();
            return;
        }
        if (!slot.job || slot.job.id !== m.id) return;
        const job = this.finish(slot)!;
        if (m.type === 'done') job.resolve(m.result);
        else job.reject(m.error.kind === 'rpc' ? new RpcError(m.error.code, m.error.message, m.error.data) : new Error(m.error.message));
        if (m.heapMb > this.limits.recycleAboveMb) {
            // Its garbage stays resident while it idles (an idle isolate does not collect): replace it.
            void this.drop(slot);
        }
        this.dispatch();
    }

    /** Takes a slot out of the pool (failing its job with `error`) and stops its thread. */
    private async drop(slot: Slot, error?: Error): Promise<void> {
        if (slot.gone) return;
        slot.gone = true;
        const job = this.finish(slot);
        if (job) job.reject(error ?? new Error('the language worker stopped'));
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        this.dispatch();
        await slot.worker.terminate().catch(() => undefined);
    }

    private failWaiting(reason: string): void {
        this.o.log?.('warn', reason);
        for (const q of this.queues.values()) for (const j of q) j.reject(new Error(reason));
        this.queues.clear();
        this.waiting = 0;
    }
}
