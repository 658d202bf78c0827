/**
 * Bounded database calls: one caller at a time per DuckDB connection, each within a time limit,
 * interrupted (DuckDB's interrupt) when it passes it.
 *
 * Why a gate in JS: @duckdb/node-api runs every native call (query, prepare, fetch, append) on
 * libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), and DuckDB serialises
 * the calls of one connection with a lock. So one query that never ends plus three more calls on
 * its connection held all four threads, and every other connection's query, and every async file
 * operation of the process, waited behind them: the whole daemon froze. Here the waiting happens
 * in JS (a FIFO per connection): at most one native call per connection is in flight, and a
 * waiter gives up when its own time limit passes while it waits.
 *
 * A call holds the connection for its whole duration (a transaction, an import, an export with
 * many native calls); calls made from inside it (its async context, via AsyncLocalStorage) pass
 * straight through under the outer call's time limit. When the limit passes, the connection is
 * interrupted — again every INTERRUPT_EVERY_MS until the call settles, since the call may be
 * between two native calls when the first interrupt lands — and the caller gets a QueryTimeout
 * that says what took too long and what to do. The connection stays usable: DuckDB ends the
 * interrupted query with an error (and aborts its transaction, which the caller rolls back).
 */
import { UnavailableError } from '../../../protocol/src/errors.js';
import { StoreError } from './errors.js';
import { OwnedContext } from './owned-context.js';

/** Time limits of database calls, by class. */
export interface QueryLimits {
    /** Interactive calls: lists, look-ups, state changes, IAM. */
    readonly queryMs: number;
    /** Bulk calls: imports, exports, loading a run's bars. */
    readonly bulkMs: number;
}

/** The daemon's defaults (everything it serves arrives over the network). */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { queryMs: 30_000, bulkMs: 10 * 60_000 };

/** A local command's: its user waits for their own import and stops it with Ctrl-C. */
export const NO_QUERY_LIMITS: QueryLimits = { queryMs: Infinity, bulkMs: Infinity };

/** `base` with the limits `over` gives (absent ones keep base's). */
export function withLimits(base: QueryLimits, over?: Partial<QueryLimits>): QueryLimits {
    return { queryMs: over?.queryMs ?? base.queryMs, bulkMs: over?.bulkMs ?? base.bulkMs };
}

export interface CallOptions {
    /** The call's class: 'query' (default) or 'bulk'. */
    readonly kind?: 'query' | 'bulk';
    /** Overrides the class's limit (ms). */
    readonly timeoutMs?: number;
    /** What the call does, for the error ("the export", "loading the bars of …"); default "the query". */
    readonly what?: string;
    /** What to do when it took too long; default: narrow it or raise the limit. */
    readonly hint?: string;
}

/** A call passed its time limit and was stopped. A user error: the request was too heavy. */
export class QueryTimeout extends StoreError {
    readonly reason = 'query_timeout';
    constructor(what: string, readonly limitMs: number, hint: string) {
        super(`${what} took longer than ${duration(limitMs)} and was stopped; ${hint}`);
        this.name = 'QueryTimeout';
    }
}

/** The connection is busy (another call holds it past this call's limit) or the store is stopping: retry later. */
export class DatabaseUnavailable extends UnavailableError {
    constructor(message: string, readonly reason: 'database_busy' | 'database_stopping') {
        super(message);
        this.name = 'DatabaseUnavailable';
    }
}

export const DEFAULT_HINT = 'narrow it (fewer symbols, a shorter from/to range, a tighter filter), or ask an admin to raise the limit (af daemon run --query-timeout / --bulk-timeout)';
/** How often an expired call's connection is interrupted again until the call settles. */
const INTERRUPT_EVERY_MS = 100;
/** How long after its limit an expired caller still waits for its call to settle before it is answered anyway. */
const SETTLE_GRACE_MS = 5_000;

export function duration(ms: number): string {
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
    return `${Math.round(ms / 6000) / 10} min`;
}

/** Calls holding a connection now, over every gate of the process. */
let holders = 0;

/**
 * Whether any database call of this process is still running. DuckDB waits for a running query
 * even in process.exit(), so a process that must exit while one runs can only be killed.
 */
export function callsInFlight(): number {
    return holders;
}

interface Lease {
    expired: boolean;
    readonly gate: CallGate;
    readonly what: string | undefined;
    /** Other connections the call works on (an export's sandbox): interrupted with this one. */
    readonly also: Set<() => void>;
}

export class CallGate {
    private readonly context = new OwnedContext<Lease>();
    private tail: Promise<void> = Promise.resolve();
    /** The call holding the connection now, and the promise that settles when it releases it. */
    private holder: { lease: Lease; released: Promise<void> } | undefined;
    private stoppingWhy: string | undefined;

    /**
     * @param interrupt stops whatever runs on the connection now (DuckDB's interrupt; a no-op when idle).
     */
    constructor(private readonly interrupt: () => void, private readonly limits: QueryLimits = NO_QUERY_LIMITS) {}

    get queryLimits(): QueryLimits {
        return this.limits;
    }

    /** Whether a call holds the connection now. */
    get busy(): boolean {
        return this.holder !== undefined;
    }

    /** Runs `fn` as the connection's only caller, within the call's time limit. */
    async run<T>(fn: () => Promise<T>, o: CallOptions = {}): Promise<T> {
        const inner = this.context.getStore();
        if (inner?.gate === this && this.holder?.lease === inner) {
            // A call from inside the holder: it runs under the holder's limit.
            if (inner.expired) throw this.timeoutError(o);
            return fn();
        }
        if (this.stoppingWhy !== undefined) throw new DatabaseUnavailable(this.stoppingWhy, 'database_stopping');
        const limitMs = o.timeoutMs ?? (o.kind === 'bulk' ? this.limits.bulkMs : this.limits.queryMs);
        const started = Date.now();

        // Wait for the turn, in JS; the slot is released in order even if this caller gives up.
        let release!: () => void;
        const released = new Promise<void>(r => { release = r; });
        const previous = this.tail;
        this.tail = previous.then(() => released);
        const turn = Number.isFinite(limitMs) ? await this.waitTurn(previous, limitMs, o) : await previous.then(() => 'ok' as const);
        if (turn !== 'ok') {
            void previous.then(release);
            throw turn;
        }
        if (this.stoppingWhy !== undefined) {
            release();
            throw new DatabaseUnavailable(this.stoppingWhy, 'database_stopping');
        }

        const lease: Lease = { expired: false, gate: this, what: o.what, also: new Set() };
        this.holder = { lease, released };
        holders++;
        let repeat: NodeJS.Timeout | undefined;
        let giveUp: NodeJS.Timeout | undefined;
        // An expired call that does not settle (stuck where the interrupt does not reach) keeps the
        // connection, but its caller is answered SETTLE_GRACE_MS after the limit.
        let answer!: (e: QueryTimeout) => void;
        const answered = new Promise<never>((_, reject) => { answer = reject; });
        const timer = !Number.isFinite(limitMs) ? undefined : setTimeout(() => {
            lease.expired = true;
            this.interruptAll(lease);
            repeat = setInterval(() => this.interruptAll(lease), INTERRUPT_EVERY_MS);
            giveUp = setTimeout(() => answer(this.timeoutError(o, limitMs)), SETTLE_GRACE_MS);
        }, Math.max(0, limitMs - (Date.now() - started)));
        // `fn` may throw before its first await: as a rejection, so the connection is still released.
        const done = this.context.run(lease, async () => fn()).finally(() => {
            clearTimeout(timer);
            clearInterval(repeat);
            clearTimeout(giveUp);
            this.holder = undefined;
            holders--;
            release();
        });
        try {
            return await Promise.race([done, answered]);
        } catch (e) {
            if (lease.expired) throw this.timeoutError(o, limitMs);
            if (this.stoppingWhy !== undefined && isInterrupt(e)) throw new DatabaseUnavailable(this.stoppingWhy, 'database_stopping');
            throw e;
        } finally {
            done.catch(() => undefined);
        }
    }

    /**
     * Refuses new calls (DatabaseUnavailable with `why`), interrupts the running one, and resolves once
     * it settled or `graceMs` passed; true when the connection is idle.
     */
    async stop(why: string, graceMs: number): Promise<boolean> {
        this.stoppingWhy ??= why;
        const holder = this.holder;
        if (!holder) return true;
        this.interruptAll(holder.lease);
        const repeat = setInterval(() => this.interruptAll(holder.lease), INTERRUPT_EVERY_MS);
        let timer: NodeJS.Timeout | undefined;
        try {
            return await Promise.race([
                holder.released.then(() => true),
                new Promise<boolean>(r => { timer = setTimeout(() => r(false), graceMs); }),
            ]);
        } finally {
            clearInterval(repeat);
            clearTimeout(timer);
        }
    }

    /**
     * From inside a call: `interrupt` (another connection's interrupt) is called whenever this call is
     * interrupted (its limit passed, the store stopping) until the returned function is called.
     */
    alsoInterrupt(interrupt: () => void): () => void {
        const lease = this.context.getStore();
        if (lease?.gate !== this || this.holder?.lease !== lease) return () => undefined;
        lease.also.add(interrupt);
        if (lease.expired || this.stoppingWhy !== undefined) interrupt();
        return () => { lease.also.delete(interrupt); };
    }

    /** What the call holding the connection in this async context does (its `what`), if any. */
    currentWhat(): string | undefined {
        const lease = this.context.getStore();
        return lease?.gate === this && this.holder?.lease === lease ? lease.what : undefined;
    }

    private interruptAll(lease: Lease): void {
        this.interrupt();
        for (const f of lease.also) {
            try { f(); } catch { /* that connection is gone already */ }
        }
    }

    private async waitTurn(previous: Promise<void>, limitMs: number, o: CallOptions): Promise<'ok' | DatabaseUnavailable> {
        let timer: NodeJS.Timeout | undefined;
        try {
            return await Promise.race([
                previous.then(() => 'ok' as const),
                new Promise<DatabaseUnavailable>(r => {
                    timer = setTimeout(() => r(new DatabaseUnavailable(
                        `${o.what ?? 'the query'} waited ${duration(limitMs)} for the database, busy with other calls all that time, and was not run; try again in a moment`,
                        'database_busy')), limitMs);
                }),
            ]);
        } finally {
            clearTimeout(timer);
        }
    }

    private timeoutError(o: CallOptions, limitMs?: number): QueryTimeout {
        const limit = limitMs ?? o.timeoutMs ?? (o.kind === 'bulk' ? this.limits.bulkMs : this.limits.queryMs);
        return new QueryTimeout(o.what ?? 'the query', limit, o.hint ?? DEFAULT_HINT);
    }
}

/** DuckDB's error for an interrupted query. */
export function isInterrupt(e: unknown): boolean {
    return e instanceof Error && /^INTERRUPT Error|Interrupted!/.test(e.message);
}
