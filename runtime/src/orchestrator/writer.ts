/**
 * Group commit of the orchestrator's state changes. Every change of the database goes through
 * `write(op)`: ops that arrive while a transaction is being written (or in the same tick) are
 * collected and the next transaction carries all of them — one BEGIN … COMMIT, and the rows of
 * each table (runs, events, log lines, tags, params, metrics) as one multi-row INSERT. A commit
 * writes and syncs the WAL; a statement is a round trip through the native binding: both cost far
 * more than the rows they carry, so under load the cost per run change drops with the batch size,
 * and an idle orchestrator still commits each change at once (no waiting for company). On
 * PostgreSQL (team mode) a round trip is what costs, so the rows of every table go in as one
 * statement (repo.ts insertAll), and BEGIN goes with the batch's first statement: a batch that only
 * inserts (submits) is that one statement alone, atomic by itself, without BEGIN and COMMIT.
 *
 * What a batch keeps:
 * - atomicity per op: an op's changes (e.g. a state change and its event) are in one transaction —
 *   the batch's; if the batch cannot commit, each op is retried alone in its own transaction, so a
 *   failing op fails only itself;
 * - an op that refuses (throws) before it changed anything is settled with its error and the rest
 *   of the batch goes on; one that throws after a change aborts the batch (then: retried alone);
 * - order: ops run in arrival order; their events are published (and their commit hooks run) in
 *   that order, after the COMMIT; their promises resolve after that.
 *
 * Seq numbers of run_events / run_logs are per run and assigned here, from counters kept in
 * memory (read once from the database for a run this process has not written yet) and advanced
 * only when the transaction that used them commits. The orchestrator is the only writer of these
 * tables, one orchestrator per state directory; should a count ever disagree with the database,
 * the insert fails on the primary key, the counters are dropped and re-read, and the ops retried.
 */
import { type SqlStore } from '../store/sql-store.js';
import { type RecordedArtifact } from './artifacts.js';
import { insertLedgerTrials, type LedgerEntry } from '../experiments/ledger.js';
import { type EventInput, type EventRow, type LogRow, type NewRun, type ResultRows, type RunRepository } from './repo.js';
import { OrchestratorStopped, type LogLevel, type Run, type RunEvent, type RunState } from './types.js';
import { firstLine } from '../data/errors.js';
import type { Mutex } from '../../../language/src/util/mutex.js';

export type WriteOp<T> = (tx: WriteTx) => Promise<T>;

interface Pending {
    readonly op: WriteOp<unknown>;
    resolve(v: unknown): void;
    reject(e: unknown): void;
}

/** At most this many ops per transaction. */
const MAX_BATCH = 256;

/** One transaction: the rows it inserts at its end, the counters it advanced, what its ops wrote. */
class Batch {
    readonly now = Date.now();
    readonly runs: NewRun[] = [];
    readonly tags: { runId: string; tags: Readonly<Record<string, string>> }[] = [];
    readonly events: EventRow[] = [];
    readonly logs: LogRow[] = [];
    readonly results: ResultRows[] = [];
    readonly artifacts: { runId: string; artifact: RecordedArtifact }[] = [];
    readonly ledger: LedgerEntry[] = [];
    readonly eventSeq = new Map<string, number>();
    readonly logSeq = new Map<string, number>();
    readonly forgotten = new Set<string>();
    /** Buffered items (log lines, progress) written by this transaction, so two ops do not both write one. */
    readonly taken = new Set<object>();
    /** Ids of runs inserted by this transaction but not yet flushed to the table. */
    readonly pendingRuns = new Set<string>();

    constructor(private readonly repo: RunRepository) {}

    /** Inserts the runs collected so far (before a statement that might read them). */
    async flushRuns(): Promise<void> {
        if (!this.runs.length) return;
        await this.repo.insertRuns(this.runs.splice(0));
        this.pendingRuns.clear();
    }

    async flushRows(): Promise<void> {
        if (this.repo.insertsAtOnce) {
            // PostgreSQL: one statement for every table (and no BEGIN/COMMIT when the batch ran no other).
            if (!this.runs.length && !this.tags.length && !this.events.length && !this.logs.length && !this.results.length && !this.artifacts.length && !this.ledger.length) return;
            await this.repo.insertAll(this);
            this.runs.length = 0;
            this.pendingRuns.clear();
            return;
        }
        await this.flushRuns();
        if (this.tags.length) await this.repo.writeTags(this.tags);
        if (this.events.length) await this.repo.insertEvents(this.events);
        if (this.logs.length) await this.repo.insertLogs(this.logs);
        if (this.results.length) await this.repo.writeResultRows(this.results);
        if (this.artifacts.length) await this.repo.insertArtifacts(this.artifacts);
        if (this.ledger.length) await insertLedgerTrials(this.repo.store, this.ledger);
    }
}

/** What one op does in the shared transaction. Writes go through here; reads through `read`. */
export class WriteTx {
    /** Whether the op changed anything (an op that throws without a change fails alone). */
    dirty = false;
    /** Events (log lines too, kind 'log') to publish after the commit, in order. */
    readonly emitted: RunEvent[] = [];
    readonly commitHooks: (() => void)[] = [];
    readonly rollbackHooks: (() => void)[] = [];

    constructor(private readonly w: StateWriter, private readonly b: Batch) {}

    /** The transaction's time (epoch ms): stamps and event times. */
    get now(): number {
        return this.b.now;
    }

    /** A read in the transaction (sees what earlier ops of the batch changed). */
    async read<T>(fn: (repo: RunRepository) => Promise<T>): Promise<T> {
        await this.b.flushRuns();
        return fn(this.w.repo);
    }

    /** `attempt`: only while the run is at this attempt (an older attempt's outcome changes nothing). */
    async transition(runId: string, from: readonly RunState[], to: RunState, set: Parameters<RunRepository['transition']>[4] = {}, stamp: readonly string[] = [], attempt?: number): Promise<boolean> {
        if (this.b.pendingRuns.has(runId)) await this.b.flushRuns();
        const ok = await this.w.repo.transition(runId, from, to, this.now, set, stamp, attempt);
        if (ok) this.dirty = true;
        return ok;
    }

    /** The run becomes this daemon's, if it is still in `state` and owned by `from` (repo.takeOver). */
    async takeOver(runId: string, state: RunState, from: string | null): Promise<boolean> {
        if (this.b.pendingRuns.has(runId)) await this.b.flushRuns();
        const ok = await this.w.repo.takeOver(runId, state, from);
        if (ok) this.dirty = true;
        return ok;
    }

    async update(runId: string, set: Parameters<RunRepository['update']>[1], where = ''): Promise<number> {
        if (this.b.pendingRuns.has(runId)) await this.b.flushRuns();
        const n = await this.w.repo.update(runId, set, where);
        if (n > 0) this.dirty = true;
        return n;
    }

    /** queued → running; the run as it is now, or undefined when it was not queued. */
    async claim(runId: string): Promise<Run | undefined> {
        if (this.b.pendingRuns.has(runId)) await this.b.flushRuns();
        const run = await this.w.repo.claim(runId, this.now);
        if (run) this.dirty = true;
        return run;
    }

    /** Progress of running runs (one statement); the ids that were running. */
    async setProgress(list: readonly { runId: string; progress: number }[]): Promise<Set<string>> {
        if (!list.length) return new Set();
        await this.b.flushRuns();
        const done = await this.w.repo.setProgress(list);
        if (done.size) this.dirty = true;
        return done;
    }

    insertRun(r: NewRun): void {
        this.dirty = true;
        this.b.runs.push(r);
        this.b.pendingRuns.add(r.id);
        // A new run has no events and no log lines yet.
        this.b.eventSeq.set(r.id, 0);
        this.b.logSeq.set(r.id, 0);
    }

    writeTags(runId: string, tags: Readonly<Record<string, string>>): void {
        if (!Object.keys(tags).length) return;
        this.dirty = true;
        this.b.tags.push({ runId, tags });
    }

    writeResults(r: ResultRows): void {
        this.dirty = true;
        this.b.results.push(r);
    }

    /** A completed run's trials in the research ledger. */
    writeLedger(e: LedgerEntry): void {
        if (!e.trials.length) return;
        this.dirty = true;
        this.b.ledger.push(e);
    }

    /** The artifacts a run completes with (name, size, SHA-256). */
    recordArtifacts(runId: string, artifacts: readonly RecordedArtifact[]): void {
        this.dirty = true;
        for (const artifact of artifacts) this.b.artifacts.push({ runId, artifact });
    }

    /** Appends an event (seq assigned now, row inserted with the batch); it is published after the commit. */
    async event(runId: string, e: EventInput, ms = this.now): Promise<RunEvent> {
        const seq = await this.nextSeq('run_events', runId);
        this.dirty = true;
        const event: RunEvent = {
            runId, seq, ts: new Date(ms).toISOString(), kind: e.kind, actor: e.actor,
            ...(e.state ? { state: e.state } : {}), ...(e.message !== undefined ? { message: e.message } : {}), ...(e.progress !== undefined ? { progress: e.progress } : {}),
        };
        this.b.events.push({ event, ms });
        this.emitted.push(event);
        return event;
    }

    /** Appends a log line of a run (published as an event of kind 'log'). */
    async log(runId: string, level: LogLevel, message: string, ms: number): Promise<void> {
        const seq = await this.nextSeq('run_logs', runId);
        this.dirty = true;
        const ts = new Date(ms).toISOString();
        this.b.logs.push({ log: { runId, seq, ts, level, message }, ms });
        this.emitted.push({ runId, seq, ts, kind: 'log', actor: 'system', message, level });
    }

    /** Claims a buffered item for this transaction: false when an earlier op of the batch wrote it. */
    take(item: object): boolean {
        if (this.b.taken.has(item)) return false;
        this.b.taken.add(item);
        return true;
    }

    /** The run reached a final state: its counters are not kept after the commit. */
    forget(runId: string): void {
        this.b.forgotten.add(runId);
    }

    /** Runs after the commit, once this op's events are published. */
    onCommit(fn: () => void): void {
        this.commitHooks.push(fn);
    }

    /** Runs when the transaction is rolled back (undo of in-memory changes made by the op). */
    onRollback(fn: () => void): void {
        this.rollbackHooks.push(fn);
    }

    private async nextSeq(table: 'run_events' | 'run_logs', runId: string): Promise<number> {
        const overlay = table === 'run_events' ? this.b.eventSeq : this.b.logSeq;
        let cur = overlay.get(runId) ?? this.w.counter(table, runId);
        if (cur === undefined) cur = await this.read(repo => repo.maxSeq(table, runId));
        overlay.set(runId, cur + 1);
        return cur + 1;
    }
}

/** An op that threw after it changed something: the whole batch is rolled back. */
class DirtyFailure extends Error {
    constructor(readonly original: unknown) {
        super(firstLine(original));
    }
}

export class StateWriter {
    private queue: Pending[] = [];
    private scheduled = false;
    private flushing = false;
    private closed = false;
    private readonly eventSeq = new Map<string, number>();
    private readonly logSeq = new Map<string, number>();

    constructor(
        private readonly db: SqlStore,
        readonly repo: RunRepository,
        private readonly mutex: Mutex,
        private readonly publish: (events: readonly RunEvent[]) => void,
        private readonly warn: (e: unknown) => void,
    ) {}

    /** Runs `op` in the next transaction; resolves with its result once that transaction committed. */
    write<T>(op: WriteOp<T>): Promise<T> {
        if (this.closed) return Promise.reject(new OrchestratorStopped('the orchestrator is stopped'));
        return new Promise<T>((resolve, reject) => {
            this.queue.push({ op: op as WriteOp<unknown>, resolve: resolve as (v: unknown) => void, reject });
            this.schedule();
        });
    }

    /** Resolves once every op written so far is settled. */
    async drain(): Promise<void> {
        while (this.queue.length || this.scheduled || this.flushing) {
            await new Promise(r => setImmediate(r));
            await this.mutex.run(async () => undefined);
        }
    }

    /** Later writes are refused; call after drain(). */
    close(): void {
        this.closed = true;
        for (const p of this.queue.splice(0)) p.reject(new OrchestratorStopped('the orchestrator is stopped'));
    }

    /** @internal the committed seq counter of a run, if known. */
    counter(table: 'run_events' | 'run_logs', runId: string): number | undefined {
        return (table === 'run_events' ? this.eventSeq : this.logSeq).get(runId);
    }

    private schedule(): void {
        if (this.scheduled) return;
        this.scheduled = true;
        // setImmediate: ops of the same tick (and whatever arrives while the mutex is busy) share the transaction.
        setImmediate(() => {
            this.mutex.run(() => this.flush()).catch(e => this.warn(e));
        });
    }

    private async flush(): Promise<void> {
        this.scheduled = false;
        const ops = this.queue.splice(0, MAX_BATCH);
        if (this.queue.length) this.schedule();
        if (!ops.length) return;
        this.flushing = true;
        try {
            const failure = await this.attempt(ops);
            if (failure === undefined) return;
            // Alone, each in its own transaction (a write-write conflict with another connection is retried).
            for (const p of ops) {
                for (let tries = 1; ; tries++) {
                    const e = await this.attempt([p], true);
                    if (e === undefined) break;
                    if (tries >= 3 || !retryable(e)) { p.reject(e instanceof DirtyFailure ? e.original : e); break; }
                }
            }
        } finally {
            this.flushing = false;
        }
    }

    /**
     * One transaction for `ops`. Undefined: committed (each op settled). Otherwise the error, after
     * the rollback; the ops are then unsettled, except when `alone` (the caller settles them).
     */
    private async attempt(ops: readonly Pending[], alone = false): Promise<unknown> {
        const batch = new Batch(this.repo);
        const txs: WriteTx[] = [];
        const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
        try {
            await this.db.transaction(async () => {
                for (const p of ops) {
                    const tx = new WriteTx(this, batch);
                    txs.push(tx);
                    try {
                        outcomes.push({ ok: true, value: await p.op(tx) });
                    } catch (e) {
                        if (tx.dirty || alone) throw new DirtyFailure(e);
                        outcomes.push({ ok: false, error: e }); // refused before changing anything
                    }
                }
                await batch.flushRows();
            });
        } catch (e) {
            for (const tx of txs) for (const f of tx.rollbackHooks) this.guard(f);
            if (/constraint|duplicate key/i.test(firstLine(e))) {
                // A seq count that disagrees with the table: read them again.
                this.eventSeq.clear();
                this.logSeq.clear();
            }
            return e;
        }
        for (const [id, n] of batch.eventSeq) this.eventSeq.set(id, n);
        for (const [id, n] of batch.logSeq) this.logSeq.set(id, n);
        for (const id of batch.forgotten) { this.eventSeq.delete(id); this.logSeq.delete(id); }
        ops.forEach((p, i) => {
            const o = outcomes[i]!;
            if (!o.ok) { p.reject(o.error); return; }
            const tx = txs[i]!;
            this.publish(tx.emitted);
            for (const f of tx.commitHooks) this.guard(f);
            p.resolve(o.value);
        });
        return undefined;
    }

    private guard(f: () => void): void {
        try {
            f();
        } catch (e) {
            this.warn(e);
        }
    }
}

/** Worth another try alone: a write-write conflict, or a seq count that was read again. */
function retryable(e: unknown): boolean {
    const m = firstLine(e instanceof DirtyFailure ? e.original : e);
    return /conflict|constraint|duplicate key/i.test(m);
}
