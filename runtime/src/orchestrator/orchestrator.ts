/**
 * The orchestrator: runs as jobs. A submitted run is created and queued (one transaction); a
 * fair queue (queue.ts) hands runs to up to `concurrency` executions (executor.ts: compile and
 * load here, compute in a worker thread); each ends completed, failed (with a one-line reason)
 * or cancelled. Every state change is a compare-and-set on the runs row plus a run_events row
 * (timestamp, actor) in one transaction, and is then emitted as an `event`.
 *
 * Crash safety. The database is the truth; the queue is rebuilt from it on `start()`:
 * - a run is completed only by the transaction that also writes its metrics, params and result
 *   rows, and only after its artifacts were renamed into place — so a completed run always has
 *   its results, and a run without them is not completed;
 * - runs found running (the previous process died under them) are re-queued with actor 'system'
 *   and message 'daemon restarted', or failed with that reason once they have started
 *   `maxAttempts` times (a run that keeps killing the daemon must not do so forever); their
 *   partial artifacts are removed; runs found queued are enqueued again as they are;
 * - run ids are fresh UUIDs and result rows are keyed by (run, key): re-running an interrupted
 *   run replaces, never duplicates.
 *
 * `stop()` is graceful: running runs are stopped (their threads terminated) and put back to
 * queued — not counted as a failed attempt — so the next `start()` runs them again.
 *
 * Database access goes through one dedicated connection (opened by `start()` on the store's
 * DuckDB instance) and one mutex, so transactions never interleave; bar loading uses a second
 * connection so a large load does not hold up state changes.
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataStore } from '../data/store.js';
import { Executor, type ExecutionOutcome } from './executor.js';
import { InProcessQueue, type JobQueue, type QueuedJob } from './queue.js';
import { metricsJson, RunRepository, type EventInput } from './repo.js';
import {
    OrchestratorError, RUN_KINDS, type Artifact, type ListQuery, type LogLevel, type Run, type RunEvent, type RunLog, type RunResult, type RunSpec,
    type RunState, type SubmitContext,
} from './types.js';
import { firstLine, Mutex } from './util.js';

export interface OrchestratorOptions {
    /** The store whose DuckDB file holds the runs (and the bars). The orchestrator opens its own connections on it. */
    readonly store: DataStore;
    /** Where artifacts go (`<stateDir>/runs/<id>/`); default the store's state directory. */
    readonly stateDir?: string;
    /** Runs executing at once (one worker thread each); default availableParallelism(). */
    readonly concurrency?: number;
    /** Time limit of one attempt, from its start, when the spec gives none; 0 or absent: none. */
    readonly defaultTimeoutMs?: number;
    /** Default: an InProcessQueue. */
    readonly queue?: JobQueue;
    /** Starts a run may have before a daemon restart fails it instead of re-queuing it; default 3. */
    readonly maxAttempts?: number;
    /** Worker threads per sweep / walk-forward on top of the run's own; default 0 (trials run in the run's thread). */
    readonly trialWorkers?: number;
    /** Least time between two persisted progress events of a run; default 500 ms. */
    readonly progressIntervalMs?: number;
}

export interface OrchestratorEvents {
    /** Every event of every run, after it was committed (log lines too, as kind 'log'). */
    event: [event: RunEvent];
    /** A run completed: its final record and results (committed with it). */
    completed: [run: Run, result: RunResult];
    /** A listener threw or something failed in the background; the orchestrator carries on. */
    warning: [error: Error];
}

interface Active {
    readonly id: string;
    readonly attempt: number;
    readonly timeoutMs: number;
    readonly controller: AbortController;
    /** Set by cancel(): who asked. */
    cancelBy?: string;
    timer?: NodeJS.Timeout;
    /** Settles once the run's final state of this attempt is committed. */
    readonly done: Promise<void>;
    settle(): void;
    lastProgressAt: number;
    progressBusy: boolean;
    strategy?: string;
}

type AbortReason = 'cancelled' | 'timeout' | 'stopping';

export class Orchestrator extends EventEmitter<OrchestratorEvents> {
    readonly stateDir: string;
    readonly concurrency: number;
    private readonly queue: JobQueue;
    private readonly maxAttempts: number;
    private readonly defaultTimeoutMs: number;
    private readonly progressIntervalMs: number;
    private readonly mutex = new Mutex();
    private db: DataStore | undefined;
    private dataConn: DataStore | undefined;
    private repoInstance: RunRepository | undefined;
    private executor: Executor | undefined;
    private readonly active = new Map<string, Active>();
    private phase: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
    private pumping = false;
    private pumpAgain = false;
    private stopping: Promise<void> | undefined;

    constructor(private readonly options: OrchestratorOptions) {
        super();
        this.stateDir = resolve(options.stateDir ?? options.store.stateDir);
        this.concurrency = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
        this.queue = options.queue ?? new InProcessQueue();
        this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
        this.defaultTimeoutMs = options.defaultTimeoutMs ?? 0;
        this.progressIntervalMs = options.progressIntervalMs ?? 500;
    }

    // ------------------------------------------------------------------------------- lifecycle

    /** Opens the connections, recovers what a previous process left unfinished, and starts running the queue. */
    async start(): Promise<void> {
        if (this.phase !== 'new') throw new OrchestratorError('invalid_state', `the orchestrator is ${this.phase}; create a new one`);
        this.db = await DataStore.open({ stateDir: this.options.store.stateDir });
        this.dataConn = await DataStore.open({ stateDir: this.options.store.stateDir });
        this.repoInstance = new RunRepository(this.db);
        this.executor = new Executor({ data: this.dataConn, maxIdleWorkers: this.concurrency, trialWorkers: this.options.trialWorkers });
        this.phase = 'started';
        await this.recover();
        this.pump();
    }

    /**
     * Stops taking runs; waits up to `graceMs` (default 0) for running runs to finish, then stops
     * the rest and puts them back to queued (actor 'system', 'daemon stopping') for the next start.
     * Closes the orchestrator's connections (not the store it was given).
     */
    stop(o: { graceMs?: number } = {}): Promise<void> {
        if (this.stopping) return this.stopping;
        if (this.phase !== 'started') { this.phase = 'stopped'; return Promise.resolve(); }
        this.phase = 'stopping';
        this.stopping = this.stopNow(o.graceMs ?? 0);
        return this.stopping;
    }

    private async stopNow(graceMs: number): Promise<void> {
        try {
            // Launches already inside the mutex register their run first; later ones see 'stopping' and leave theirs queued.
            await this.mutex.run(async () => undefined);
            const all = () => Promise.all([...this.active.values()].map(a => a.done));
            if (graceMs > 0 && this.active.size > 0) {
                let timer: NodeJS.Timeout | undefined;
                await Promise.race([all(), new Promise<void>(r => { timer = setTimeout(r, graceMs); })]);
                clearTimeout(timer);
            }
            for (const a of this.active.values()) abort(a, 'stopping');
            await all();
            await this.mutex.run(async () => undefined); // let queued writes finish
            await this.executor?.close();
        } finally {
            this.db?.close();
            this.dataConn?.close();
            this.phase = 'stopped';
        }
    }

    /** Runs executing, queued, and worker threads alive (busy or idle). */
    async status(): Promise<{ running: number; queued: number; workers: number; concurrency: number }> {
        return { running: this.active.size, queued: await this.queue.size(), workers: this.executor?.pool.size ?? 0, concurrency: this.concurrency };
    }

    // ----------------------------------------------------------------------------------- API

    /** Creates and queues a run (events 'created' then 'queued', actor = the user). */
    async submit(spec: RunSpec, ctx: SubmitContext): Promise<Run> {
        const repo = this.repo('submit');
        checkSpec(spec);
        if (!ctx.user || !ctx.team) throw new OrchestratorError('invalid_spec', 'a run needs a user and a team');
        const id = randomUUID();
        const traceId = ctx.traceId ?? randomUUID();
        const events = await this.write(async now => {
            await repo.insertRun({ id, spec, owner: ctx.user, team: ctx.team, traceId, now });
            if (spec.tags && Object.keys(spec.tags).length) await repo.writeTags(id, spec.tags);
            return [
                await repo.appendEvent(id, { kind: 'state', state: 'created', actor: ctx.user, message: `${spec.kind} submitted` }, now),
                await repo.appendEvent(id, { kind: 'state', state: 'queued', actor: ctx.user }, now),
            ];
        });
        this.publish(events);
        await this.queue.enqueue({ runId: id, owner: ctx.user, team: ctx.team });
        this.pump();
        return (await this.get(id))!;
    }

    async get(id: string): Promise<Run | undefined> {
        const repo = this.repo('get');
        return this.mutex.run(() => repo.get(id));
    }

    async list(q: ListQuery = {}): Promise<Run[]> {
        const repo = this.repo('list');
        return this.mutex.run(() => repo.list(q));
    }

    /** State, progress, result and promoted events of a run, in order (seq). */
    async events(id: string): Promise<RunEvent[]> {
        const repo = this.repo('events');
        return this.mutex.run(async () => {
            if (!await repo.state(id)) throw notFound(id);
            return repo.events(id);
        });
    }

    /** A run's log lines after `afterSeq` (default: all), in order. */
    async logs(id: string, afterSeq = 0): Promise<RunLog[]> {
        const repo = this.repo('logs');
        return this.mutex.run(async () => {
            if (!await repo.state(id)) throw notFound(id);
            return repo.logs(id, afterSeq);
        });
    }

    /** Files a run left under `<stateDir>/runs/<id>/` (complete files only). */
    async artifacts(id: string): Promise<Artifact[]> {
        if (!await this.get(id)) throw notFound(id);
        return listArtifacts(this.runDir(id));
    }

    /**
     * Cancels a queued or running run; resolves with the cancelled run once its worker has stopped.
     * A run that already ended is refused (invalid_state).
     */
    async cancel(id: string, actor: string): Promise<Run> {
        const repo = this.repo('cancel');
        const r = await this.mutex.run(async (): Promise<Active | RunEvent[]> => {
            const a = this.active.get(id);
            if (a) return a;
            const s = await repo.state(id);
            if (!s) throw notFound(id);
            if (s.state !== 'created' && s.state !== 'queued' && s.state !== 'running') {
                throw new OrchestratorError('invalid_state', `run ${id} is ${s.state}; only queued or running runs can be cancelled`);
            }
            // Queued (or left running by a process that is gone, before recovery): nothing executes it here.
            await this.queue.remove(id);
            return this.transact(async now => {
                if (!await repo.transition(id, [s.state], 'cancelled', now, { error: `cancelled by ${actor}` }, ['finished_at'])) throw new OrchestratorError('invalid_state', `run ${id} changed state; try again`);
                return [await repo.appendEvent(id, { kind: 'state', state: 'cancelled', actor, message: `cancelled by ${actor}` }, now)];
            });
        });
        if (Array.isArray(r)) {
            this.publish(r);
            this.pump();
        } else {
            r.cancelBy ??= actor;
            abort(r, 'cancelled');
            await r.done;
            const after = await this.get(id);
            if (after?.state !== 'cancelled') throw new OrchestratorError('invalid_state', `run ${id} is ${after?.state}; it ended before it could be cancelled`);
        }
        return (await this.get(id))!;
    }

    /** Marks a completed run as promoted (idempotent). */
    async promote(id: string, actor: string): Promise<Run> {
        const repo = this.repo('promote');
        const events = await this.mutex.run(async () => {
            const s = await repo.state(id);
            if (!s) throw notFound(id);
            if (s.state !== 'completed') throw new OrchestratorError('invalid_state', `run ${id} is ${s.state}; only completed runs can be promoted`);
            return this.transact(async now => {
                if (await repo.update(id, { promoted: true }, `AND state = 'completed' AND NOT promoted`) === 0) return [];
                return [await repo.appendEvent(id, { kind: 'promoted', actor, message: `promoted by ${actor}` }, now)];
            });
        });
        this.publish(events);
        return (await this.get(id))!;
    }

    // ------------------------------------------------------------------------------ internals

    private repo(what: string): RunRepository {
        if (this.phase === 'new') throw new OrchestratorError('stopped', `${what}: the orchestrator is not started`);
        if (this.phase === 'stopped' || !this.repoInstance) throw new OrchestratorError('stopped', `${what}: the orchestrator is stopped`);
        if (this.phase === 'stopping' && what === 'submit') throw new OrchestratorError('stopped', 'submit: the orchestrator is stopping');
        return this.repoInstance;
    }

    private runDir(id: string): string {
        return join(this.stateDir, 'runs', id);
    }

    /** A transaction under the mutex (retried on a write-write conflict with another connection). */
    private write<T>(fn: (now: number) => Promise<T>): Promise<T> {
        return this.mutex.run(() => this.transact(fn));
    }

    /** A transaction; the caller holds the mutex. */
    private async transact<T>(fn: (now: number) => Promise<T>): Promise<T> {
        const db = this.db!;
        for (let tries = 1; ; tries++) {
            try {
                return await db.transaction(() => fn(Date.now()));
            } catch (e) {
                if (tries >= 3 || !/conflict/i.test(firstLine(e))) throw e;
            }
        }
    }

    private publish(events: readonly RunEvent[]): void {
        for (const e of events) this.safeEmit('event', e);
    }

    private safeEmit<K extends keyof OrchestratorEvents>(name: K, ...args: OrchestratorEvents[K]): void {
        try {
            (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args);
        } catch (e) {
            if (name !== 'warning') this.safeEmit('warning', e instanceof Error ? e : new Error(String(e)));
        }
    }

    private warn(e: unknown): void {
        this.safeEmit('warning', e instanceof Error ? e : new Error(String(e)));
    }

    /** Re-queues or fails what a previous process left running; enqueues what it left queued. */
    private async recover(): Promise<void> {
        const repo = this.repoInstance!;
        const found = await this.mutex.run(() => repo.unfinished());
        for (const r of found) {
            if (r.state === 'queued') {
                await this.queue.enqueue({ runId: r.id, owner: r.owner, team: r.team });
                continue;
            }
            const interrupted = r.state === 'running';
            const giveUp = interrupted && r.attempt >= this.maxAttempts;
            if (interrupted) rmSync(this.runDir(r.id), { recursive: true, force: true });
            const events = await this.write(async now => {
                const ok = giveUp
                    ? await repo.transition(r.id, [r.state], 'failed', now, { error: `daemon restarted: interrupted ${r.attempt} times (max attempts ${this.maxAttempts})`, progress: 0 }, ['finished_at'])
                    : await repo.transition(r.id, [r.state], 'queued', now, { progress: 0 }, ['queued_at']);
                if (!ok) return [];
                return [await repo.appendEvent(r.id, {
                    kind: 'state', state: giveUp ? 'failed' : 'queued', actor: 'system',
                    message: giveUp ? `daemon restarted: interrupted ${r.attempt} times (max attempts ${this.maxAttempts})` : 'daemon restarted',
                }, now)];
            });
            this.publish(events);
            if (!giveUp && events.length) await this.queue.enqueue({ runId: r.id, owner: r.owner, team: r.team });
        }
    }

    /** Starts queued runs while there is capacity. Never throws (problems become warnings). */
    private pump(): void {
        if (this.pumping) { this.pumpAgain = true; return; }
        this.pumping = true;
        void (async () => {
            try {
                do {
                    this.pumpAgain = false;
                    while (this.phase === 'started' && this.active.size < this.concurrency) {
                        const job = await this.queue.take();
                        if (!job) break;
                        await this.launch(job);
                    }
                } while (this.pumpAgain && this.phase === 'started');
            } catch (e) {
                this.warn(e);
            } finally {
                this.pumping = false;
            }
        })();
    }

    /** queued → running, then executes in the background. */
    private async launch(job: QueuedJob): Promise<void> {
        const repo = this.repoInstance!;
        const started = await this.mutex.run(async () => {
            // Stopping: leave it queued in the database; the next start enqueues it again.
            if (this.phase !== 'started') return undefined;
            const s = await repo.state(job.runId);
            if (s?.state !== 'queued') return undefined; // cancelled while it waited
            const rows = await this.transact(async now => {
                if (!await repo.transition(job.runId, ['queued'], 'running', now, { progress: 0, error: null, attempt: s.attempt + 1 }, ['started_at'])) return undefined;
                const run = (await repo.get(job.runId))!;
                const event = await repo.appendEvent(job.runId, { kind: 'state', state: 'running', actor: 'system', message: `attempt ${run.attempt}` }, now);
                return { run, event };
            });
            if (!rows) return undefined;
            let settle!: () => void;
            const done = new Promise<void>(r => { settle = r; });
            const a: Active = {
                id: job.runId, attempt: rows.run.attempt, timeoutMs: rows.run.spec.timeoutMs ?? this.defaultTimeoutMs,
                controller: new AbortController(), done, settle, lastProgressAt: 0, progressBusy: false,
            };
            this.active.set(job.runId, a);
            return { a, run: rows.run, event: rows.event };
        });
        if (!started) return;
        const { a, run, event } = started;
        this.publish([event]);
        if (a.timeoutMs > 0) a.timer = setTimeout(() => abort(a, 'timeout'), a.timeoutMs);
        void this.executor!.execute({
            runId: a.id, spec: run.spec, dir: this.runDir(a.id), signal: a.controller.signal,
            onProgress: f => this.progress(a, f),
            onLog: (level, message) => this.log(a, level, message),
            onStrategy: name => { a.strategy = name; },
        }).then(outcome => this.finish(a, run, outcome)).catch(e => {
            this.warn(e);
            this.active.delete(a.id);
            a.settle();
            this.pump();
        });
    }

    private progress(a: Active, fraction: number): void {
        const now = Date.now();
        if (a.progressBusy || fraction >= 1 || now - a.lastProgressAt < this.progressIntervalMs) return;
        a.progressBusy = true;
        a.lastProgressAt = now;
        const repo = this.repoInstance!;
        this.write(async t => {
            if (await repo.update(a.id, { progress: fraction }, `AND state = 'running'`) === 0) return [];
            return [await repo.appendEvent(a.id, { kind: 'progress', actor: 'system', progress: fraction }, t)];
        }).then(events => this.publish(events), e => this.warn(e)).finally(() => { a.progressBusy = false; });
    }

    private log(a: Active, level: LogLevel, message: string): void {
        const repo = this.repoInstance!;
        this.mutex.run(() => repo.appendLog(a.id, level, message, Date.now()))
            .then(l => this.safeEmit('event', { runId: l.runId, seq: l.seq, ts: l.ts, kind: 'log', actor: 'system', message: l.message, level: l.level }), e => this.warn(e));
    }

    /** Commits the end of an attempt: completed, failed, cancelled, or back to queued (stopping). */
    private async finish(a: Active, run: Run, outcome: ExecutionOutcome): Promise<void> {
        clearTimeout(a.timer);
        try {
            const { events, completed } = await this.mutex.run(async () => {
                try {
                    return await this.commitEnd(a, run, outcome);
                } finally {
                    this.active.delete(a.id); // inside the mutex: a cancel that follows sees the run ended
                }
            });
            this.publish(events);
            if (completed) this.safeEmit('completed', completed.run, completed.result);
        } catch (e) {
            // Results that cannot be saved (disk full, …): the run must not stay running.
            this.warn(e);
            try {
                this.publish(await this.mutex.run(() => this.end(a, 'failed', 'system', `internal error: cannot record the outcome: ${firstLine(e)}`)));
            } catch (e2) {
                this.warn(e2);
            }
        } finally {
            this.active.delete(a.id);
            a.settle();
            this.pump();
        }
    }

    /** The caller holds the mutex. */
    private async commitEnd(a: Active, run: Run, outcome: ExecutionOutcome): Promise<{ events: RunEvent[]; completed?: { run: Run; result: RunResult } }> {
        const repo = this.repoInstance!;
        const reason = a.controller.signal.aborted ? a.controller.signal.reason as AbortReason : undefined;
        if (a.cancelBy || reason === 'cancelled') {
            const by = a.cancelBy ?? 'system';
            return { events: await this.end(a, 'cancelled', by, `cancelled by ${by}`) };
        }
        if (reason === 'timeout') return { events: await this.end(a, 'failed', 'system', `timed out after ${a.timeoutMs} ms`) };
        if (reason === 'stopping') {
            rmSync(this.runDir(a.id), { recursive: true, force: true });
            return {
                events: await this.transact(async now => {
                    if (!await repo.transition(a.id, ['running'], 'queued', now, { progress: 0 }, ['queued_at'])) return [];
                    return [await repo.appendEvent(a.id, { kind: 'state', state: 'queued', actor: 'system', message: 'daemon stopping; the run starts again with the next start' }, now)];
                }),
            };
        }
        if (outcome.status !== 'completed') return { events: await this.end(a, 'failed', 'system', outcome.status === 'failed' ? outcome.error : 'stopped') };

        // Completed: artifacts into place first, then one transaction with every result.
        const out = outcome.output;
        const dir = this.runDir(a.id);
        for (const st of out.staged) renameSync(st.tmp, join(dir, st.name));
        const artifacts = listArtifacts(dir);
        const events = await this.transact(async now => {
            const p = out.provenance;
            const ok = await repo.transition(a.id, ['running'], 'completed', now, {
                progress: 1, error: null, strategy: out.strategy, params: JSON.stringify(out.params), metrics: metricsJson(out.metrics), trade_count: out.tradeCount,
                fingerprint_exact: p.exactFingerprint, fingerprint_structural: p.structuralFingerprint, data_snapshot: p.dataSnapshot, engine_version: p.engineVersion, seed: p.seed,
            }, ['finished_at']);
            if (!ok) return undefined;
            await repo.writeResultRows(a.id, out.params, out.metrics);
            return [
                await repo.appendEvent(a.id, { kind: 'result', actor: 'system', message: out.summary }, now),
                await repo.appendEvent(a.id, { kind: 'state', state: 'completed', actor: 'system' }, now),
            ];
        });
        if (!events) {
            // Someone else ended it first: leave no result behind.
            for (const st of out.staged) rmSync(join(dir, st.name), { force: true });
            return { events: [] };
        }
        const final = (await repo.get(a.id))!;
        return { events, completed: { run: final, result: { strategy: out.strategy, params: out.params, metrics: out.metrics, tradeCount: out.tradeCount, provenance: out.provenance, tags: run.spec.tags ?? {}, artifacts } } };
    }

    /** running → a terminal state with a reason (the caller holds the mutex). */
    private async end(a: Active, to: RunState, actor: string, message: string): Promise<RunEvent[]> {
        const repo = this.repoInstance!;
        rmSync(this.runDir(a.id), { recursive: true, force: true });
        return this.transact(async now => {
            if (!await repo.transition(a.id, ['running'], to, now, { error: message, ...(a.strategy ? { strategy: a.strategy } : {}) }, ['finished_at'])) return [];
            return [await repo.appendEvent(a.id, { kind: 'state', state: to, actor, message } satisfies EventInput, now)];
        });
    }
}

function abort(a: Active, reason: AbortReason): void {
    if (!a.controller.signal.aborted) a.controller.abort(reason);
}

function notFound(id: string): OrchestratorError {
    return new OrchestratorError('not_found', `no run ${id}`);
}

function listArtifacts(dir: string): Artifact[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
        .filter(n => !n.endsWith('.tmp') && !n.includes('.tmp-'))
        .sort()
        .flatMap(name => {
            const path = join(dir, name);
            const st = statSync(path, { throwIfNoEntry: false });
            return st?.isFile() ? [{ name, bytes: st.size, path }] : [];
        });
}

/** What the orchestrator itself relies on (the gateway validates the rest). */
function checkSpec(spec: RunSpec): void {
    const bad = (m: string): never => { throw new OrchestratorError('invalid_spec', m); };
    if (!spec || typeof spec !== 'object') bad('a run spec is an object');
    if (!RUN_KINDS.includes(spec.kind)) bad(`kind must be one of ${RUN_KINDS.join(', ')}; got ${JSON.stringify(spec.kind)}`);
    if (typeof spec.source !== 'string' || spec.source.trim() === '') bad('source must be the text of a .af file');
    if (spec.timeoutMs !== undefined && !(typeof spec.timeoutMs === 'number' && spec.timeoutMs > 0)) bad('timeoutMs must be a positive number of milliseconds');
    if (spec.tags !== undefined) for (const [k, v] of Object.entries(spec.tags)) if (!k || typeof v !== 'string') bad(`tag '${k}' must have a string value`);
}
