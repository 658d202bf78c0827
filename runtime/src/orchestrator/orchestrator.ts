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
 *   partial artifacts are removed; runs found queued are enqueued again as they are. In team
 *   mode (`ownership`) only the runs of daemons that are gone, at start and every `takeoverMs`
 *   ('taken over: the daemon that ran it is gone'): a live daemon's runs stay its own;
 * - run ids are fresh UUIDs and result rows are keyed by (run, key): re-running an interrupted
 *   run replaces, never duplicates.
 *
 * `stop()` is graceful: running runs are stopped (their threads terminated) and put back to
 * queued — not counted as a failed attempt — so the next `start()` runs them again.
 *
 * Database access goes through one dedicated connection (opened by `start()` on the store's
 * DuckDB instance) and one mutex, so transactions never interleave; bar loading uses a second
 * connection so a large load does not hold up state changes. Every change is an op of the state
 * writer (writer.ts): changes that arrive together — submits of many clients, one run completing
 * as the next one starts — are committed together, one transaction and one multi-row INSERT per
 * table, each op's state change and event still in that one transaction.
 *
 * Log lines and progress of a running run are buffered in memory and written in batches (every
 * `flushIntervalMs`, all running runs in one transaction) — and whatever is still buffered when
 * the run ends goes into the transaction that ends it: a completed run has all its log lines. A
 * kill -9 may lose the last fraction of a second of a running run's lines and progress (the run
 * itself is re-queued and starts again).
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { randomUUID } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type DataStore } from '../store/store.js';
import { type SqlStore } from '../store/sql-store.js';
import { listArtifacts, readArtifact } from './artifacts.js';
import type { RunResult as RunResultDocument } from '../../../protocol/src/run-result.js';
import { decodeResult, LEGACY_SWEEP_TABLE, RESULT_FILE } from '../pipeline/result-file.js';
import { Executor, type ExecutionOutcome, type RunBackend, type RunPacks } from './executor.js';
import type { BarReader } from '../data/load.js';
import { DEFAULT_RUN_LIMITS, runTimeoutOf, type RunLimits } from './limits.js';
import { LanguageService } from '../language-service/language-service.js';
import { InProcessQueue, type JobQueue, type QueuedJob } from './queue.js';
import { metricsJson, parseMetrics, RunRepository } from './repo.js';
import {
    ArtifactDamaged, InvalidRunSpec, OrchestratorStopped, RunNotFound, RunStateConflict, RUN_KINDS, type Artifact, type ListQuery, type LogLevel, type Run, type RunEvent, type RunLog, type CompletedRun, type RunSpec,
    type RunState, type SubmitContext,
} from './types.js';
import { firstLine } from '../data/errors.js';
import { Mutex } from '../../../language/src/util/mutex.js';
import { StateWriter, type WriteTx } from './writer.js';
import { inSpan, traceparentOf } from '../monitoring/tracing.js';

export interface OrchestratorOptions {
    /** The store whose DuckDB file holds the runs (and the bars). The orchestrator opens its own connections on it. */
    readonly store: DataStore;
    /** Where runs, their events, logs and results live when not in `store`'s file (team mode: PostgreSQL); the orchestrator opens its own connections on it. */
    readonly control?: SqlStore;
    /** Where artifacts go (`<stateDir>/runs/<id>/`); default the store's state directory. */
    readonly stateDir?: string;
    /** Runs executing at once (one worker thread each); default availableParallelism(). */
    readonly concurrency?: number;
    /** Time limit of one attempt, from its start, when the spec gives none (0: none); `limits.timeoutMs` wins. Default 30 min. */
    readonly defaultTimeoutMs?: number;
    /** Time (default and per team), memory and trial limits of runs (limits.ts). */
    readonly limits?: RunLimits;
    /** Compiles runs' sources in its worker threads; default: one of its own (one worker, imports only under the working directory), closed by stop(). */
    readonly language?: LanguageService;
    /** Default: an InProcessQueue. */
    readonly queue?: JobQueue;
    /**
     * Where runs' engine half executes; default: worker threads of this process. Team mode: a BullMQ
     * queue served by `af worker` processes (queue/bullmq-backend.ts); the orchestrator stays the
     * only writer of the store, and `concurrency` bounds the runs in flight on the queue.
     */
    readonly backend?: RunBackend;
    /** Team mode: where runs' bar rows are read (ClickHouse); default: the store's bars table. Ownership is decided in the store either way. */
    readonly bars?: BarReader;
    /** Starts a run may have before a daemon restart fails it instead of re-queuing it; default 3. */
    readonly maxAttempts?: number;
    /** Worker threads per sweep / walk-forward on top of the run's own; default 0 (trials run in the run's thread). */
    readonly trialWorkers?: number;
    /** The workspace packs of a run's source folder (packs/daemon-packs.ts); default: the built-in packs only. */
    readonly packs?: RunPacks;
    /**
     * Team mode: this daemon's key and who else is alive (store/pg-ownership.ts). Runs queued or
     * claimed here carry the key; recovery (at start, then every `takeoverMs`) re-queues only runs
     * whose owning daemon is gone, never a live daemon's. Without it (one daemon per database),
     * everything unfinished at start is recovered.
     */
    readonly ownership?: RunOwnership;
    /** With `ownership`: how often the runs of daemons that are gone are looked for and taken over, and runs executing here checked for a cancel through another daemon; default 5000 ms (0: at start only). */
    readonly takeoverMs?: number;
    /** Least time between two persisted progress events of a run; default 500 ms. */
    readonly progressIntervalMs?: number;
    /** How long log lines and progress of running runs may wait in memory before they are written; default 250 ms. */
    readonly flushIntervalMs?: number;
}

/** Which daemon this is, and which of several are alive (team mode). */
export interface RunOwnership {
    readonly key: string;
    alive(keys: readonly string[]): Promise<Set<string>>;
}

export interface OrchestratorEvents {
    /** Every event of every run, after it was committed (log lines too, as kind 'log'). */
    event: [event: RunEvent];
    /** A run completed: its final record and results (committed with it). */
    completed: [run: Run, result: CompletedRun];
    /** A listener threw or something failed in the background; the orchestrator carries on. */
    warning: [error: Error];
}

/** A buffered log line of a running run. */
interface BufferedLog {
    readonly level: LogLevel;
    readonly message: string;
    readonly ms: number;
}

interface Active {
    readonly id: string;
    /** The run as it was claimed (state running); unset until the claim committed. */
    run?: Run;
    timeoutMs: number;
    readonly controller: AbortController;
    /** Set by cancel(): who asked. */
    cancelBy?: string;
    timer?: NodeJS.Timeout;
    /** Settles once the run's final state of this attempt is committed. */
    readonly done: Promise<void>;
    settle(): void;
    lastProgressAt: number;
    /** The latest progress not written yet. */
    progress?: { readonly fraction: number };
    /** Log lines not written yet. */
    logs: BufferedLog[];
    strategy?: string;
}

/** Specs kept in memory for the early start of queued runs; beyond this many, runs start once claimed. */
const MAX_SPECS = 10_000;

/** `lost`: the run could not be claimed (cancelled while it waited, or the orchestrator is stopping): its early start is undone. */
type AbortReason = 'cancelled' | 'timeout' | 'stopping' | 'lost';

export class Orchestrator extends EventEmitter<OrchestratorEvents> {
    readonly stateDir: string;
    readonly concurrency: number;
    private readonly queue: JobQueue;
    private readonly maxAttempts: number;
    private readonly limits: RunLimits;
    private language: LanguageService | undefined;
    private ownsLanguage = false;
    private readonly progressIntervalMs: number;
    private readonly flushIntervalMs: number;
    private readonly mutex = new Mutex();
    private db: SqlStore | undefined;
    private dataConn: DataStore | undefined;
    private repoInstance: RunRepository | undefined;
    private writer: StateWriter | undefined;
    private executor: Executor | undefined;
    private readonly active = new Map<string, Active>();
    /** Runs being started or executing: what `concurrency` bounds (a run whose execution ended frees its slot while its end is committed). */
    private slots = 0;
    /** Owning team and trace id of runs that have not ended (the daemon routes each event to the team, tagged with the trace). */
    private readonly teams = new Map<string, { team: string; traceId?: string }>();
    /** Specs of runs submitted here and still queued, so their execution can start while the claim commits (at most MAX_SPECS). */
    private readonly specs = new Map<string, RunSpec>();
    /** The span (W3C traceparent) of the call that submitted each run here, until the run starts: its execution's span is a child (at most MAX_SPECS). */
    private readonly parents = new Map<string, string>();
    /** Launches in progress (stop() waits for them). */
    private readonly launches = new Set<Promise<void>>();
    private flushTimer: NodeJS.Timeout | undefined;
    private phase: 'new' | 'started' | 'stopping' | 'stopped' = 'new';
    private pumping = false;
    private pumpAgain = false;
    private stopping: Promise<void> | undefined;
    private sweepTimer: NodeJS.Timeout | undefined;
    private sweeping: Promise<void> | undefined;

    constructor(private readonly options: OrchestratorOptions) {
        super();
        this.stateDir = resolve(options.stateDir ?? options.store.stateDir);
        this.concurrency = Math.max(1, Math.floor(options.concurrency ?? availableParallelism()));
        this.queue = options.queue ?? new InProcessQueue();
        this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
        this.limits = { ...options.limits, timeoutMs: options.limits?.timeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_RUN_LIMITS.timeoutMs };
        this.progressIntervalMs = options.progressIntervalMs ?? 500;
        this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 250);
    }

    // ------------------------------------------------------------------------------- lifecycle

    /** Opens the connections, recovers what a previous process left unfinished, and starts running the queue. */
    async start(): Promise<void> {
        if (this.phase !== 'new') throw new RunStateConflict(`the orchestrator is ${this.phase}; create a new one`);
        // Connections of its own on the store it was given (the same database, schema and time limits).
        // It makes one call at a time (its mutex): PostgreSQL connections for it are 2 (one spare), not another poolSize.
        this.db = await (this.options.control ?? this.options.store).openAnother({ connections: 2 });
        this.dataConn = await this.options.store.openAnother();
        this.repoInstance = new RunRepository(this.db, this.options.ownership?.key);
        this.writer = new StateWriter(this.db, this.repoInstance, this.mutex, events => this.publish(events), e => this.warn(e));
        this.language = this.options.language;
        if (!this.language) {
            this.language = new LanguageService({ workers: 1, sourceRoots: [process.cwd()], excludeRoots: [this.stateDir] });
            this.ownsLanguage = true;
        }
        this.executor = new Executor({
            data: this.dataConn, maxIdleWorkers: this.concurrency, trialWorkers: this.options.trialWorkers, language: this.language, limits: this.limits,
            ...(this.options.packs ? { packs: this.options.packs } : {}), ...(this.options.backend ? { backend: this.options.backend } : {}),
            ...(this.options.bars ? { bars: this.options.bars } : {}),
        });
        this.phase = 'started';
        await this.recover(false);
        this.pump();
        const every = this.options.takeoverMs ?? 5000;
        if (this.options.ownership && every > 0) {
            this.sweepTimer = setInterval(() => {
                if (this.sweeping || this.phase !== 'started') return;
                this.sweeping = this.recover(true).then(() => this.pump(), e => this.warn(e)).then(() => this.checkActive()).finally(() => { this.sweeping = undefined; });
            }, every);
            this.sweepTimer.unref();
        }
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
            clearInterval(this.sweepTimer);
            await this.sweeping;
            // Launches already written register their run first; later ones see 'stopping' and leave theirs queued.
            await this.writer!.drain();
            const all = () => Promise.all([...this.active.values()].map(a => a.done));
            if (graceMs > 0 && this.active.size > 0) {
                let timer: NodeJS.Timeout | undefined;
                await Promise.race([all(), new Promise<void>(r => { timer = setTimeout(r, graceMs); })]);
                clearTimeout(timer);
            }
            for (const a of this.active.values()) abort(a, 'stopping');
            // A run still loading its bars must not hold the stop up: the load is interrupted (the run goes back to queued).
            await this.dataConn?.stopCalls('the orchestrator is stopping', 5000);
            await all();
            await Promise.all(this.launches); // early starts whose claim found the orchestrator stopping
            clearTimeout(this.flushTimer);
            this.flushTimer = undefined;
            await this.writer!.drain(); // let queued writes finish
            await this.executor?.close();
            if (this.ownsLanguage) await this.language?.close();
        } finally {
            this.writer?.close();
            void this.db?.close();
            this.dataConn?.close();
            this.phase = 'stopped';
        }
    }

    /** Refuses at submit what a run may not ask for: more time than its team's limit, more random samples than the trial limit. */
    private checkLimits(spec: RunSpec, team: string): void {
        const limit = runTimeoutOf(this.limits, team);
        if (limit > 0 && spec.timeoutMs !== undefined && spec.timeoutMs > limit) {
            throw new InvalidRunSpec(`timeoutMs ${spec.timeoutMs} is over the run time limit of team ${team} (${limit} ms); ask for at most ${limit} ms, or ask an admin to raise the team's limit`);
        }
        const maxTrials = this.limits.maxTrials ?? DEFAULT_RUN_LIMITS.maxTrials;
        const samples = spec.sweep?.samples;
        if (spec.kind !== 'backtest' && spec.sweep?.mode === 'random' && samples !== undefined && samples > maxTrials) {
            throw new InvalidRunSpec(`sweep.samples ${samples} is over the limit of ${maxTrials.toLocaleString('en-US')} trials per run; ask for fewer samples`);
        }
    }

    /** Runs executing, queued, and worker threads alive (busy or idle) — in team mode, the worker processes serving the queue. */
    async status(): Promise<{ running: number; queued: number; workers: number; concurrency: number }> {
        const backend = this.options.backend;
        const workers = backend ? await backend.workers().catch(() => 0) : this.executor?.pool.size ?? 0;
        return { running: this.active.size, queued: await this.queue.size(), workers, concurrency: this.concurrency };
    }

    // ----------------------------------------------------------------------------------- API

    /** Creates and queues a run (events 'created' then 'queued', actor = the user). */
    async submit(spec: RunSpec, ctx: SubmitContext): Promise<Run> {
        const writer = this.writerFor('submit');
        checkSpec(spec);
        if (!ctx.user || !ctx.team) throw new InvalidRunSpec('a run needs a user and a team');
        this.checkLimits(spec, ctx.team);
        const id = randomUUID();
        const traceId = ctx.traceId ?? randomUUID();
        const parent = traceparentOf();
        const run = await writer.write(async tx => {
            const now = tx.now;
            tx.insertRun({ id, spec, owner: ctx.user, team: ctx.team, traceId, now });
            if (spec.tags) tx.writeTags(id, spec.tags);
            await tx.event(id, { kind: 'state', state: 'created', actor: ctx.user, message: `${spec.kind} submitted` });
            await tx.event(id, { kind: 'state', state: 'queued', actor: ctx.user });
            // The spec as stored (and read back by get()).
            const stored = JSON.parse(JSON.stringify(spec)) as RunSpec;
            this.teams.set(id, { team: ctx.team, traceId });
            if (this.specs.size < MAX_SPECS) this.specs.set(id, stored);
            if (parent && this.parents.size < MAX_SPECS) this.parents.set(id, parent);
            tx.onRollback(() => { this.teams.delete(id); this.specs.delete(id); this.parents.delete(id); });
            // The row as inserted (what get() would read back).
            const at = new Date(now).toISOString();
            return {
                id, kind: spec.kind, state: 'queued', promoted: false, owner: ctx.user, team: ctx.team, experimentId: spec.experimentId ?? null, traceId,
                attempt: 0, createdAt: at, queuedAt: at, startedAt: null, finishedAt: null, spec: stored,
                strategy: spec.strategy ?? null, progress: 0, error: null, params: null, metrics: null, tradeCount: null, provenance: null,
            } satisfies Run;
        });
        await this.queue.enqueue({ runId: id, owner: ctx.user, team: ctx.team });
        this.pump();
        return run;
    }

    async get(id: string): Promise<Run | undefined> {
        const repo = this.repo('get');
        return this.mutex.run(() => repo.get(id));
    }

    /** The team owning a run (from memory while the run has not ended; else read); undefined for an unknown run. Never rejects. */
    async teamOf(id: string): Promise<string | undefined> {
        return (await this.routeOf(id)).team;
    }

    /** A run's owning team and trace id (from memory while it has not ended, else the store); empty for an unknown run. */
    async routeOf(id: string): Promise<{ team?: string; traceId?: string }> {
        const known = this.teams.get(id);
        if (known?.traceId !== undefined) return known;
        try {
            const run = await this.get(id);
            return run ? { team: run.team, traceId: run.traceId } : known ?? {};
        } catch {
            return known ?? {};
        }
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

    /** A run's log lines after `afterSeq` (default: all), in order. Those of a running run may lag by up to `flushIntervalMs`. */
    async logs(id: string, afterSeq = 0): Promise<RunLog[]> {
        const repo = this.repo('logs');
        return this.mutex.run(async () => {
            if (!await repo.state(id)) throw notFound(id);
            return repo.logs(id, afterSeq);
        });
    }

    /**
     * Files a run left under `<stateDir>/runs/<id>/`: those recorded when it completed, each checked
     * against its record (missing, damaged: see artifacts.ts); for older runs, the complete files found.
     */
    async artifacts(id: string): Promise<Artifact[]> {
        const repo = this.repo('artifacts');
        const recorded = await this.mutex.run(async () => {
            if (!await repo.state(id)) throw notFound(id);
            return repo.artifacts(id);
        });
        return listArtifacts(this.runDir(id), recorded);
    }

    /** One artifact's content, checked against its recorded SHA-256 (a missing or damaged file is an error that says so). */
    async readArtifact(id: string, name: string): Promise<{ artifact: Artifact; data: Buffer }> {
        const artifact = (await this.artifacts(id)).find(x => x.name === name);
        if (!artifact) throw new RunNotFound(`no artifact ${name} of run ${id}`);
        return { artifact, data: readArtifact(id, artifact) };
    }

    /**
     * The result of a completed run (pipeline/result-file.ts): its result.json, checked against the
     * SHA-256 recorded at completion (missing: not_found; damaged: damaged) and validated; a run
     * completed before the run-result schema has its older files converted.
     */
    async result(id: string): Promise<RunResultDocument> {
        const run = await this.get(id);
        if (!run) throw notFound(id);
        if (run.state !== 'completed') throw new RunStateConflict(`run ${id} is ${run.state}: it has a result once it has completed`);
        const artifacts = await this.artifacts(id);
        const file = artifacts.find(a => a.name === RESULT_FILE);
        if (!file) throw new RunNotFound(`run ${id} has no ${RESULT_FILE}; run it again (runs.submit with the same spec) to produce one`);
        const data = readArtifact(id, file);
        const table = artifacts.find(a => a.name === LEGACY_SWEEP_TABLE);
        const decoded = decodeResult(data, { sweepTable: () => (table ? parseJson(readArtifact(id, table).toString('utf8')) : undefined) });
        if (!decoded.ok) throw new ArtifactDamaged(`${RESULT_FILE} of run ${id} cannot be read: ${decoded.problem}; run it again (runs.submit with the same spec) to produce it anew`);
        return decoded.result;
    }

    /**
     * Cancels a queued or running run; resolves with the cancelled run once its worker has stopped.
     * A run that already ended is refused (invalid_state).
     */
    async cancel(id: string, actor: string): Promise<Run> {
        const writer = this.writerFor('cancel');
        /** The attempt another daemon executes (team mode), once the cancel committed. */
        let elsewhere: number | undefined;
        const r = await writer.write(async (tx): Promise<Active | undefined> => {
            const a = this.active.get(id);
            if (a) return a;
            const s = await tx.read(repo => repo.state(id));
            if (!s) throw notFound(id);
            if (s.state !== 'created' && s.state !== 'queued' && s.state !== 'running') {
                throw new RunStateConflict(`run ${id} is ${s.state}; only queued or running runs can be cancelled`);
            }
            // Queued (or left running by a process that is gone, before recovery): nothing executes it here.
            await this.queue.remove(id);
            this.specs.delete(id);
            this.parents.delete(id);
            if (!await tx.transition(id, [s.state], 'cancelled', { error: `cancelled by ${actor}` }, ['finished_at'])) throw new RunStateConflict(`run ${id} changed state; try again`);
            await tx.event(id, { kind: 'state', state: 'cancelled', actor, message: `cancelled by ${actor}` });
            this.ended(tx, id);
            if (s.state === 'running') tx.onCommit(() => { elsewhere = s.attempt; });
            return undefined;
        });
        if (!r) {
            this.pump();
            // Running on another daemon (team mode): its attempt's job on the shared queue is stopped from
            // here; a daemon executing in its own threads sees the run cancelled and stops it (checkActive).
            if (elsewhere !== undefined) await this.options.backend?.cancelAttempt?.(id, elsewhere).catch(e => this.warn(e));
        } else {
            r.cancelBy ??= actor;
            abort(r, 'cancelled');
            await r.done;
            const after = await this.get(id);
            if (after?.state !== 'cancelled') throw new RunStateConflict(`run ${id} is ${after?.state}; it ended before it could be cancelled`);
        }
        return (await this.get(id))!;
    }

    /** Marks a completed run as promoted (idempotent). */
    async promote(id: string, actor: string): Promise<Run> {
        const writer = this.writerFor('promote');
        await writer.write(async tx => {
            const s = await tx.read(repo => repo.state(id));
            if (!s) throw notFound(id);
            if (s.state !== 'completed') throw new RunStateConflict(`run ${id} is ${s.state}; only completed runs can be promoted`);
            if (await tx.update(id, { promoted: true }, `AND state = 'completed' AND NOT promoted`) === 0) return;
            await tx.event(id, { kind: 'promoted', actor, message: `promoted by ${actor}` });
            tx.forget(id);
        });
        return (await this.get(id))!;
    }

    // ------------------------------------------------------------------------------ internals

    private repo(what: string): RunRepository {
        if (this.phase === 'new') throw new OrchestratorStopped(`${what}: the orchestrator is not started`);
        if (this.phase === 'stopped' || !this.repoInstance) throw new OrchestratorStopped(`${what}: the orchestrator is stopped`);
        if (this.phase === 'stopping' && what === 'submit') throw new OrchestratorStopped('submit: the orchestrator is stopping');
        return this.repoInstance;
    }

    private writerFor(what: string): StateWriter {
        this.repo(what);
        return this.writer!;
    }

    private runDir(id: string): string {
        return join(this.stateDir, 'runs', id);
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

    /** The run reached a final state (in `tx`): nothing about it is kept in memory after the commit. */
    private ended(tx: WriteTx, id: string): void {
        tx.forget(id);
        tx.onCommit(() => this.teams.delete(id));
    }

    /**
     * Team mode: runs executing here that another daemon cancelled meanwhile — a cancel through it writes
     * the run's final state in the shared control plane — are stopped here (threads terminated; on
     * the queue, their jobs' cancel keys set). Their ends record nothing: the run is not running any
     * more. Called every `takeoverMs` and when a progress write finds such a run. Never throws.
     */
    private async checkActive(): Promise<void> {
        const repo = this.repoInstance;
        if (!repo || this.phase !== 'started') return;
        try {
            for (const a of [...this.active.values()]) {
                if (!a.run || a.controller.signal.aborted) continue;
                const s = await this.mutex.run(() => repo.state(a.id));
                // Cancelled (or failed) there: this attempt's end removes its files, as a cancel here does. Never for a
                // completed run (another daemon's attempt's files are its result); a re-queued one goes on here, fenced by its attempt.
                if ((s?.state === 'cancelled' || s?.state === 'failed') && this.active.get(a.id) === a) abort(a, 'cancelled');
            }
        } catch (e) {
            this.warn(e);
        }
    }

    /**
     * Re-queues or fails what a previous process left running; enqueues what it left queued. With
     * `ownership` (team mode), only runs whose owning daemon is gone — a live daemon's runs are queued
     * or executing there —, each taken over by a compare-and-set on its owner, so of two daemons
     * starting (or sweeping) at once one takes it. `sweep`: a live daemon's periodic look (runs that
     * record no owner, from before migration 20, are left to a starting daemon).
     */
    private async recover(sweep: boolean): Promise<void> {
        const repo = this.repoInstance!;
        const writer = this.writer!;
        const own = this.options.ownership;
        let found = await this.mutex.run(() => repo.unfinished());
        if (own) {
            const others = [...new Set(found.flatMap(r => (r.daemon !== null && r.daemon !== own.key ? [r.daemon] : [])))];
            const alive = await own.alive(others);
            found = found.filter(r => (r.daemon === null ? !sweep : r.daemon !== own.key && !alive.has(r.daemon)));
        }
        const cause = sweep ? 'taken over: the daemon that ran it is gone' : 'daemon restarted';
        const requeued = await Promise.all(found.map(async r => {
            if (r.state === 'queued') {
                if (own && !await writer.write(tx => tx.takeOver(r.id, 'queued', r.daemon))) return false;
                this.teams.set(r.id, { team: r.team });
                return true;
            }
            const interrupted = r.state === 'running';
            const giveUp = interrupted && r.attempt >= this.maxAttempts;
            const message = giveUp ? `${cause}: interrupted ${r.attempt} times (max attempts ${this.maxAttempts})` : cause;
            return writer.write(async tx => {
                if (own && !await tx.takeOver(r.id, r.state, r.daemon)) return false;
                const ok = giveUp
                    ? await tx.transition(r.id, [r.state], 'failed', { error: message, progress: 0 }, ['finished_at'])
                    : await tx.transition(r.id, [r.state], 'queued', { progress: 0 }, ['queued_at']);
                if (!ok) return false;
                // Its partial artifacts (a shared artifacts folder: only once the run is ours).
                if (interrupted) rmSync(this.runDir(r.id), { recursive: true, force: true });
                this.teams.set(r.id, { team: r.team });
                await tx.event(r.id, { kind: 'state', state: giveUp ? 'failed' : 'queued', actor: 'system', message });
                if (giveUp) this.ended(tx, r.id);
                return !giveUp;
            });
        }));
        for (const [i, r] of found.entries()) if (requeued[i]) await this.queue.enqueue({ runId: r.id, owner: r.owner, team: r.team });
    }

    /** Starts queued runs while there is capacity. Never throws (problems become warnings). */
    private pump(): void {
        if (this.pumping) { this.pumpAgain = true; return; }
        this.pumping = true;
        void (async () => {
            try {
                do {
                    this.pumpAgain = false;
                    while (this.phase === 'started' && this.slots < this.concurrency) {
                        const job = await this.queue.take();
                        if (!job) break;
                        this.slots++;
                        void this.launch(job);
                    }
                } while (this.pumpAgain && this.phase === 'started');
            } catch (e) {
                this.warn(e);
            } finally {
                this.pumping = false;
            }
        })();
    }

    /**
     * queued → running (its slot taken by pump()), and the execution. A run submitted here starts
     * executing at once, while its claim (queued → running, and its event) is committed: the claim's
     * transaction overlaps compiling, loading and computing instead of preceding them. Nothing of
     * the execution is recorded before the claim committed — its end is committed after the claim,
     * and only from running —, and if the claim fails (cancelled while it waited, stopping), the
     * execution is stopped and its files removed. Other runs (recovered at start) are claimed first:
     * their spec comes with the claim.
     */
    private launch(job: QueuedJob): void {
        const p = this.launchNow(job).catch(e => this.warn(e)).finally(() => this.launches.delete(p));
        this.launches.add(p);
    }

    private async launchNow(job: QueuedJob): Promise<void> {
        const a = newActive(job.runId);
        const spec = this.specs.get(job.runId);
        this.specs.delete(job.runId);
        const execution = spec && this.executor!.earlyStart ? this.execute(a, spec, job.team) : undefined;
        let run: Run | undefined;
        try {
            run = await this.writer!.write(tx => this.claim(tx, a));
        } catch (e) {
            this.warn(e);
        }
        if (!run) {
            abort(a, 'lost');
            await execution;
            rmSync(this.runDir(a.id), { recursive: true, force: true });
            this.slots--;
            this.pump();
            return;
        }
        await this.runClaimed(a, run, execution);
    }

    /** A claimed run (its slot taken): executes it (or waits for the execution already under way), then commits its end. */
    private async runClaimed(a: Active, run: Run, execution?: Promise<ExecutionOutcome>): Promise<void> {
        if (a.timeoutMs > 0) a.timer = setTimeout(() => abort(a, 'timeout'), a.timeoutMs);
        const outcome = await (execution ?? this.execute(a, run.spec, run.team));
        // The thread is free: the next run may start while this one's end is committed (often in the same transaction).
        this.slots--;
        this.pump();
        await this.finish(a, outcome);
    }

    private async execute(a: Active, spec: RunSpec, team: string): Promise<ExecutionOutcome> {
        // The run's span: under the submitting call's, or (a run recovered at start) a root in the run's trace.
        const parent = this.parents.get(a.id);
        this.parents.delete(a.id);
        return inSpan('run', {
            ...(parent ? { parent } : { root: true, ...(a.run ? { traceId: a.run.traceId } : {}) }),
            attributes: { 'af.run.id': a.id, 'af.run.kind': spec.kind, 'af.run.attempt': a.run?.attempt ?? 1, 'af.team': team },
        }, async span => {
            const outcome = await this.executeNow(a, spec, team);
            span.setAttribute('af.run.outcome', outcome.status);
            return outcome;
        });
    }

    private async executeNow(a: Active, spec: RunSpec, team: string): Promise<ExecutionOutcome> {
        try {
            return await this.executor!.execute({
                runId: a.id, spec, team, dir: this.runDir(a.id), signal: a.controller.signal,
                // Known once claimed (an early start is always a fresh run's first attempt).
                attempt: a.run?.attempt ?? 1, ...(a.run ? { traceId: a.run.traceId } : {}),
                onProgress: f => this.progress(a, f),
                onLog: (level, message) => this.log(a, level, message),
                onStrategy: name => { a.strategy = name; },
            });
        } catch (e) {
            return { status: 'failed', error: `internal error: ${firstLine(e)}` };
        }
    }

    /** The op of launch(): claims the run and registers it as active; the claimed run, or undefined. */
    private async claim(tx: WriteTx, a: Active): Promise<Run | undefined> {
        // Stopping: leave it queued in the database; the next start enqueues it again.
        if (this.phase !== 'started') return undefined;
        const run = await tx.claim(a.id); // not queued any more: cancelled while it waited
        if (!run) return undefined;
        await tx.event(run.id, { kind: 'state', state: 'running', actor: 'system', message: `attempt ${run.attempt}` });
        a.run = run;
        a.timeoutMs = run.spec.timeoutMs ?? runTimeoutOf(this.limits, run.team);
        this.active.set(a.id, a);
        this.teams.set(a.id, { team: run.team, traceId: run.traceId });
        tx.onRollback(() => { if (this.active.get(a.id) === a) this.active.delete(a.id); });
        return run;
    }

    private progress(a: Active, fraction: number): void {
        const now = Date.now();
        if (fraction >= 1 || now - a.lastProgressAt < this.progressIntervalMs) return;
        a.lastProgressAt = now;
        a.progress = { fraction };
        this.scheduleFlush();
    }

    private log(a: Active, level: LogLevel, message: string): void {
        a.logs.push({ level, message, ms: Date.now() });
        this.scheduleFlush();
    }

    /** Writes the buffered log lines and progress of running runs within `flushIntervalMs`. */
    private scheduleFlush(): void {
        if (this.flushTimer || !this.writer || this.phase === 'stopped') return;
        this.flushTimer = setTimeout(() => {
            this.flushTimer = undefined;
            const runs = [...this.active.values()].filter(a => a.logs.length || a.progress);
            if (!runs.length || this.phase === 'stopped') return;
            this.writer!.write(async tx => {
                const progress: { a: Active; p: NonNullable<Active['progress']> }[] = [];
                for (const a of runs) {
                    await this.writeLogs(tx, a);
                    const p = a.progress;
                    if (p && tx.take(p)) progress.push({ a, p });
                }
                const running = await tx.setProgress(progress.map(x => ({ runId: x.a.id, progress: x.p.fraction })));
                // A run executing here that is not running any more was ended elsewhere (team mode: a cancel through another daemon).
                if (progress.some(x => !running.has(x.a.id))) tx.onCommit(() => { void this.checkActive(); });
                for (const { a, p } of progress) {
                    if (running.has(a.id)) await tx.event(a.id, { kind: 'progress', actor: 'system', progress: p.fraction });
                    tx.onCommit(() => { if (a.progress === p) a.progress = undefined; });
                }
            }).catch(e => this.warn(e));
        }, this.flushIntervalMs);
    }

    /** The run's buffered log lines, into `tx`; dropped from the buffer once it commits. */
    private async writeLogs(tx: WriteTx, a: Active): Promise<void> {
        const lines = a.logs.filter(l => tx.take(l));
        for (const l of lines) await tx.log(a.id, l.level, l.message, l.ms);
        if (lines.length) tx.onCommit(() => { a.logs = a.logs.filter(l => !lines.includes(l)); });
    }

    /** Everything still buffered for a run that ends in `tx`: its log lines and its last progress event. */
    private async writeBuffered(tx: WriteTx, a: Active): Promise<void> {
        await this.writeLogs(tx, a);
        const p = a.progress;
        if (p && tx.take(p)) {
            await tx.event(a.id, { kind: 'progress', actor: 'system', progress: p.fraction });
            tx.onCommit(() => { if (a.progress === p) a.progress = undefined; });
        }
    }

    /** Commits the end of an attempt: completed, failed, cancelled, or back to queued (stopping). */
    private async finish(a: Active, outcome: ExecutionOutcome): Promise<void> {
        clearTimeout(a.timer);
        try {
            await this.writer!.write(tx => this.commitEnd(tx, a, outcome));
        } catch (e) {
            // Results that cannot be saved (disk full, …): the run must not stay running.
            this.warn(e);
            try {
                await this.writer!.write(tx => this.end(tx, a, 'failed', 'system', `internal error: cannot record the outcome: ${firstLine(e)}`));
            } catch (e2) {
                this.warn(e2);
            }
        } finally {
            this.active.delete(a.id);
            a.settle();
        }
    }

    /** The op of finish(). */
    private async commitEnd(tx: WriteTx, a: Active, outcome: ExecutionOutcome): Promise<void> {
        // Decided here, in the transaction: a cancel that came in after the execution ended still wins.
        tx.onCommit(() => this.active.delete(a.id)); // a cancel that follows sees the run ended
        const reason = a.controller.signal.aborted ? a.controller.signal.reason as AbortReason : undefined;
        if (a.cancelBy || reason === 'cancelled') {
            const by = a.cancelBy ?? 'system';
            return this.end(tx, a, 'cancelled', by, `cancelled by ${by}`);
        }
        if (reason === 'timeout') return this.end(tx, a, 'failed', 'system', `timed out after ${a.timeoutMs} ms`);
        if (reason === 'stopping') {
            rmSync(this.runDir(a.id), { recursive: true, force: true });
            if (!await tx.transition(a.id, ['running'], 'queued', { progress: 0 }, ['queued_at'])) return;
            await this.writeBuffered(tx, a);
            await tx.event(a.id, { kind: 'state', state: 'queued', actor: 'system', message: 'daemon stopping; the run starts again with the next start' });
            return;
        }
        if (outcome.status !== 'completed') return this.end(tx, a, 'failed', 'system', outcome.status === 'failed' ? outcome.error : 'stopped');

        // Completed: the state changes first (only while this attempt is the run's), then the
        // artifacts go into place, inside the transaction: an older attempt's outcome, or one that
        // another daemon's cancel beat, never touches the files of the run's current attempt
        // (team mode's shared artifacts folder). A failed COMMIT after the renames leaves files
        // the next attempt replaces.
        const out = outcome.output;
        const dir = this.runDir(a.id);
        const recorded = out.staged.map(st => ({ name: st.name, bytes: st.bytes, sha256: st.sha256 }));
        const p = out.provenance;
        const metrics = metricsJson(out.metrics);
        const ok = await tx.transition(a.id, ['running'], 'completed', {
            progress: 1, error: null, strategy: out.strategy, params: JSON.stringify(out.params), metrics, trade_count: out.tradeCount,
            fingerprint_exact: p.exactFingerprint, fingerprint_structural: p.structuralFingerprint, data_snapshot: p.dataSnapshot, engine_version: p.engineVersion, seed: p.seed,
        }, ['finished_at'], a.run!.attempt);
        if (!ok) {
            // Someone else ended it first (or this is an older attempt's outcome): nothing of it is kept.
            this.ended(tx, a.id);
            return;
        }
        for (const st of out.staged) if (existsSync(st.tmp)) renameSync(st.tmp, join(dir, st.name));
        const artifacts = listArtifacts(dir, recorded);
        await this.writeBuffered(tx, a);
        tx.writeResults({ runId: a.id, params: out.params, metrics: out.metrics });
        tx.recordArtifacts(a.id, recorded);
        tx.writeLedger({ runId: a.id, team: a.run!.team, kind: a.run!.kind, structural: p.structuralFingerprint, at: tx.now, trials: out.ledger });
        await tx.event(a.id, { kind: 'result', actor: 'system', message: out.summary });
        await tx.event(a.id, { kind: 'state', state: 'completed', actor: 'system' });
        this.ended(tx, a.id);
        // The record as committed (what get() would read back).
        const final: Run = {
            ...a.run!, state: 'completed', progress: 1, error: null, strategy: out.strategy, finishedAt: new Date(tx.now).toISOString(),
            params: JSON.parse(JSON.stringify(out.params)) as Run['params'], metrics: parseMetrics(metrics), tradeCount: out.tradeCount,
            provenance: { exactFingerprint: p.exactFingerprint, structuralFingerprint: p.structuralFingerprint, dataSnapshot: p.dataSnapshot, engineVersion: p.engineVersion, seed: p.seed },
        };
        const result: CompletedRun = { strategy: out.strategy, params: out.params, metrics: out.metrics, tradeCount: out.tradeCount, provenance: out.provenance, tags: a.run!.spec.tags ?? {}, artifacts };
        tx.onCommit(() => this.safeEmit('completed', final, result));
    }

    /** running → a terminal state with a reason, in `tx`. */
    private async end(tx: WriteTx, a: Active, to: RunState, actor: string, message: string): Promise<void> {
        // Only this attempt: a run another daemon took over (and claimed again) is not ended from
        // here, and its folder (the current attempt's files, in a shared artifacts folder) is left alone.
        if (!await tx.transition(a.id, ['running'], to, { error: message, ...(a.strategy ? { strategy: a.strategy } : {}) }, ['finished_at'], a.run?.attempt)) {
            // Ended elsewhere: a cancel or failure of this very attempt (through another daemon) leaves no
            // files of it; a run claimed again, or completed, keeps its folder (the current attempt's).
            const now = await tx.read(repo => repo.state(a.id));
            if (now && now.attempt === a.run?.attempt && (now.state === 'cancelled' || now.state === 'failed')) rmSync(this.runDir(a.id), { recursive: true, force: true });
            this.ended(tx, a.id);
            return;
        }
        rmSync(this.runDir(a.id), { recursive: true, force: true });
        await this.writeBuffered(tx, a);
        await tx.event(a.id, { kind: 'state', state: to, actor, message });
        this.ended(tx, a.id);
    }
}

/** A run about to be claimed (not active until its claim is in the transaction). */
function newActive(id: string): Active {
    let settle!: () => void;
    const done = new Promise<void>(r => { settle = r; });
    return { id, timeoutMs: 0, controller: new AbortController(), done, settle, lastProgressAt: 0, logs: [] };
}

function abort(a: Active, reason: AbortReason): void {
    if (!a.controller.signal.aborted) a.controller.abort(reason);
}

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return undefined;
    }
}

function notFound(id: string): RunNotFound {
    return new RunNotFound(`no run ${id}`);
}

/** What the orchestrator itself relies on (the gateway validates the rest). */
function checkSpec(spec: RunSpec): void {
    const bad = (m: string): never => { throw new InvalidRunSpec(m); };
    if (!spec || typeof spec !== 'object') bad('a run spec is an object');
    if (!RUN_KINDS.includes(spec.kind)) bad(`kind must be one of ${RUN_KINDS.join(', ')}; got ${JSON.stringify(spec.kind)}`);
    if (typeof spec.source !== 'string' || spec.source.trim() === '') bad('source must be the text of a .af file');
    if (spec.timeoutMs !== undefined && !(typeof spec.timeoutMs === 'number' && spec.timeoutMs > 0)) bad('timeoutMs must be a positive number of milliseconds');
    if (spec.tags !== undefined) for (const [k, v] of Object.entries(spec.tags)) if (!k || typeof v !== 'string') bad(`tag '${k}' must have a string value`);
}
