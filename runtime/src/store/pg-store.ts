/**
 * The control plane on PostgreSQL (team mode): the SqlStore of the embedded DuckDB file, answered
 * by a pool of connections to one database, so several daemons can share users, tokens, runs and
 * the rest. Opening migrates the database with the same migrations and versions as the DuckDB
 * file (runtime/src/schema/ hands them over; pg-dialect.ts translates DuckDB's SQL), under an
 * advisory lock so daemons starting together migrate once.
 *
 * Every call is bounded like the embedded store's (call-gate.ts): waiting for a connection counts
 * toward its time limit (past it: DatabaseUnavailable, busy), each statement runs under
 * `statement_timeout` = the call's limit, and a transaction that outlives its limit has its running
 * statement cancelled and is rolled back (QueryTimeout with the same words and hint). A transaction
 * holds one connection; the calls made inside it (its async context) run on that connection.
 * PostgreSQL's errors are rethrown as one line that names the failure and the constraint, never a
 * value (a data error's message quotes the input, so it is replaced by its class and code).
 */
import pg from 'pg';
import { Failure, UnavailableError } from '../../../protocol/src/errors.js';
import { DEFAULT_HINT, DatabaseUnavailable, NO_QUERY_LIMITS, QueryTimeout, duration, withLimits, type CallOptions, type QueryLimits } from './call-gate.js';
import { StoreError } from './errors.js';
import { SCHEMA_VERSION_INSERT, SCHEMA_VERSION_TABLE, checkSchema, latestVersion, type Schema } from './migrations.js';
import { PG_COMPAT, PG_COMPAT_MARKER, toPostgres } from './pg-dialect.js';
import type { Params, SqlStore } from './sql-store.js';
import { PG_SCHEMA_RE } from './control-plane-settings.js';
import { traced } from './tracing.js';
import { OwnedContext } from './owned-context.js';

export interface PgStoreOptions {
    /** postgres://user[:password]@host:port/database (the password is never repeated in a message). */
    readonly url: string;
    /** The database's migrations in version order (runtime/src/schema/ has the one list). */
    readonly schema: Schema;
    /** For tests of migrations: stop at this schema version. */
    readonly migrateTo?: number;
    /** Time limits of the store's calls (default none; the daemon gives DEFAULT_QUERY_LIMITS). */
    readonly limits?: Partial<QueryLimits>;
    /** Connections in the pool (default 8). */
    readonly poolSize?: number;
    /** The PostgreSQL schema (namespace) of the tables, created when missing: several AlphaForge installations can share one database. Default: the user's (public). */
    readonly pgSchema?: string;
}


/** Serialises migrations of every process that opens the database (an arbitrary constant: "AFmg"). */
const MIGRATION_LOCK = 0x41466d67;

/** Values as the DuckDB store returns them: BIGINT → bigint, TIMESTAMP → Date (UTC), JSON → its text, NUMERIC → number. */
const TYPES = {
    getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
        if (format !== 'binary') {
            switch (oid) {
                case 20: return (s: string) => BigInt(s);
                case 1700: return Number;
                case 114: case 3802: return (s: string) => s;
                case 1114: return (s: string) => new Date(`${s.replace(' ', 'T')}Z`);
                default: break;
            }
        }
        return pg.types.getTypeParser(oid, format as 'text');
    },
};

/** The database a URL names, for messages: host, port and database, never the credentials. */
export function describeUrl(url: string): string {
    try {
        const u = new URL(url);
        return `PostgreSQL at ${u.hostname}:${u.port || '5432'}${u.pathname || '/'}`;
    } catch {
        return 'PostgreSQL (an unreadable URL)';
    }
}

/** One call holding a connection: a statement, or a transaction and the statements inside it. */
interface Call {
    readonly client: pg.PoolClient;
    readonly limitMs: number;
    readonly o: CallOptions;
    expired: boolean;
    inTransaction: boolean;
    /** In a transaction: BEGIN was sent (it goes with the transaction's first statement: a transaction that runs none sends none). */
    begun: boolean;
    /** In a transaction: its one statement ran alone (runLast), so there is nothing to commit and nothing may follow. */
    alone: boolean;
    broken: boolean;
}

/**
 * Names of server-side prepared statements, by text. A statement sent a second time is given a name:
 * each connection then parses it once and later runs only bind it (PostgreSQL's parse and plan
 * were ~3 of the ~3.5 ms of server CPU per run: the same dozen statements for every run). Bounded:
 * at most MAX_NAMED names (the rest run unnamed), and the texts seen once are forgotten when too many.
 * Needs session pooling, or a pooler that keeps prepared statements (PgBouncer ≥ 1.21's
 * max_prepared_statements): docs/config.md, controlPlane.poolSize.
 */
const named = new Map<string, string>();
const seenOnce = new Set<string>();
const MAX_NAMED = 512;
const MAX_SEEN = 4096;
const MAX_NAMED_CHARS = 8192;

function preparedName(text: string): string | undefined {
    const n = named.get(text);
    if (n !== undefined || text.length > MAX_NAMED_CHARS || named.size >= MAX_NAMED) return n;
    if (!seenOnce.has(text)) {
        if (seenOnce.size >= MAX_SEEN) seenOnce.clear();
        seenOnce.add(text);
        return undefined;
    }
    seenOnce.delete(text);
    const name = `af_${named.size + 1}`;
    named.set(text, name);
    return name;
}

export class PgStore implements SqlStore {
    readonly dialect = 'postgres' as const;
    private readonly context = new OwnedContext<Call>();
    private readonly active = new Set<Call>();
    /** statement_timeout last set on each pooled connection. */
    private readonly timeouts = new WeakMap<pg.PoolClient, number>();
    /** Pooled connections that carry our 'error' listener, and those that lost their connection. */
    private readonly listened = new WeakSet<pg.PoolClient>();
    private readonly lost = new WeakSet<pg.PoolClient>();
    private stoppingWhy: string | undefined;
    private closed = false;

    private constructor(private readonly pool: pg.Pool, private readonly opened: PgStoreOptions, readonly where: string, readonly schemaVersion: number, readonly migratedFrom: number, readonly limits: QueryLimits) {}

    static async open(o: PgStoreOptions): Promise<PgStore> {
        checkSchema(o.schema);
        if (o.pgSchema !== undefined && !PG_SCHEMA_RE.test(o.pgSchema)) throw new StoreError(`controlPlane.schema '${o.pgSchema.slice(0, 64)}' is not a schema name: use lower-case letters, digits and _ (at most 63)`);
        const where = describeUrl(o.url) + (o.pgSchema ? `, schema ${o.pgSchema}` : '');
        const pool = new pg.Pool({
            connectionString: o.url,
            max: o.poolSize ?? 8,
            types: TYPES,
            // Timestamps are UTC wall times everywhere, as in the embedded store.
            options: `-c TimeZone=UTC${o.pgSchema ? ` -c search_path=${o.pgSchema}` : ''}`,
            application_name: 'alphaforge',
            connectionTimeoutMillis: 30_000,
        });
        // A pooled idle connection that the server closes (a restart) must not take the process down.
        pool.on('error', () => undefined);
        try {
            const client = await pool.connect();
            client.on('error', () => undefined); // a lost connection fails the migration's query; it must not be an uncaught 'error' event
            try {
                const { from, to } = await migratePg(client, where, o.schema, o.migrateTo, o.pgSchema);
                return new PgStore(pool, { ...o, schema: [] }, where, to, from, withLimits(NO_QUERY_LIMITS, o.limits));
            } finally {
                client.release();
            }
        } catch (e) {
            await pool.end().catch(() => undefined);
            if (e instanceof Failure) throw e;
            throw connectError(e, where);
        }
    }

    /**
     * Another store on the same database with the same schema, for a service with its own
     * transactions: its own pool of `connections` (default poolSize). Not this store's pool: the
     * orchestrator's store must go on after the daemon's stopCalls() on the control store (stopping
     * puts running runs back to queued), and its state changes must not wait behind API calls for a
     * connection; it holds one at a time (its mutex), so it asks for 2, not another poolSize.
     */
    openAnother(o: { limits?: Partial<QueryLimits>; connections?: number } = {}): Promise<PgStore> {
        return PgStore.open({ ...this.opened, schema: [], limits: o.limits ?? this.limits, ...(o.connections !== undefined ? { poolSize: Math.max(1, Math.floor(o.connections)) } : {}) });
    }

    get isOpen(): boolean {
        return !this.closed;
    }

    async run(sql: string, params?: Params, o?: CallOptions): Promise<number> {
        return this.call(o, async c => (await this.query(c, sql, params)).rowCount ?? 0);
    }

    async rows(sql: string, params?: Params, o?: CallOptions): Promise<Record<string, unknown>[]> {
        return this.call(o, async c => (await this.query(c, sql, params)).rows);
    }

    async scalar(sql: string, params?: Params, o?: CallOptions): Promise<unknown> {
        return this.call(o, async c => {
            const r = await this.query(c, sql, params, 'array');
            return (r.rows[0] as unknown[] | undefined)?.[0];
        });
    }

    /**
     * BEGIN is sent with the transaction's first statement, not before `fn` runs: a transaction
     * whose `fn` runs no statement costs no round trip, and one whose only statement is run with
     * runLast() runs it alone (one statement is atomic by itself: no BEGIN, no COMMIT).
     */
    async transaction<T>(fn: () => Promise<T>, o?: CallOptions): Promise<T> {
        return this.call(o, async c => {
            if (c.inTransaction) throw new Error('PgStore.transaction is not re-entrant');
            c.inTransaction = true;
            c.begun = false;
            c.alone = false;
            try {
                const result = await fn();
                if (c.begun) await this.send(c, 'COMMIT');
                return result;
            } catch (e) {
                if (c.begun) {
                    try {
                        await c.client.query('ROLLBACK');
                    } catch {
                        // The connection is gone or the COMMIT failed: it is not reused.
                        c.broken = true;
                    }
                }
                throw e;
            } finally {
                c.inTransaction = false;
            }
        });
    }

    /**
     * The last statement of the enclosing transaction (none may follow it): when it is also the
     * first, it runs alone — a single statement is atomic, so the transaction sends no BEGIN and no
     * COMMIT (writer.ts's batch of inserts, one statement on PostgreSQL). Outside a transaction: run().
     */
    async runLast(sql: string, params?: Params, o?: CallOptions): Promise<number> {
        return this.call(o, async c => (await this.query(c, sql, params, undefined, true)).rowCount ?? 0);
    }

    /** Refuses further calls, cancels the running statements, and waits up to `graceMs` for their calls to end; true when idle. */
    async stopCalls(why: string, graceMs = 5000): Promise<boolean> {
        this.stoppingWhy ??= why;
        for (const c of this.active) void this.cancel(c);
        const deadline = Date.now() + graceMs;
        while (this.active.size > 0 && Date.now() < deadline) await new Promise(r => setTimeout(r, 20));
        return this.active.size === 0;
    }

    /** Idempotent. Ends the pool (its connections close once released). */
    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        this.stoppingWhy ??= 'the store is closed';
        for (const c of this.active) void this.cancel(c);
        await this.pool.end().catch(() => undefined);
    }

    private async query(c: Call, sql: string, params?: Params, rowMode?: 'array', last = false): Promise<pg.QueryResult> {
        if (c.expired) throw this.timeoutError(c.o, c.limitMs);
        const st = toPostgres(sql, params as readonly unknown[] | Readonly<Record<string, unknown>> | undefined);
        if (c.inTransaction && !c.begun) {
            if (c.alone) throw new Error('PgStore: a statement after the last one of the transaction (runLast)');
            if (last) c.alone = true;
            else await this.send(c, 'BEGIN');
        }
        const name = st.values.length > 0 ? preparedName(st.text) : undefined;
        return traced(sql, () => c.client.query({ text: st.text, values: st.values, ...(name ? { name } : {}), ...(rowMode ? { rowMode } : {}) }));
    }

    /** BEGIN or COMMIT of a transaction's call. */
    private async send(c: Call, what: 'BEGIN' | 'COMMIT'): Promise<void> {
        if (c.expired) throw this.timeoutError(c.o, c.limitMs);
        if (what === 'BEGIN') c.begun = true; // set first: a BEGIN that fails mid-way is rolled back
        await traced(what, () => c.client.query(what));
    }

    /** Runs `fn` with a connection of its own (or the enclosing transaction's), within the call's time limit. */
    private async call<T>(o: CallOptions = {}, fn: (c: Call) => Promise<T>): Promise<T> {
        const inner = this.context.getStore();
        if (inner) {
            if (inner.expired) throw this.timeoutError(o, inner.limitMs);
            return fn(inner);
        }
        if (this.stoppingWhy !== undefined) throw new DatabaseUnavailable(this.stoppingWhy, 'database_stopping');
        const limitMs = o.timeoutMs ?? (o.kind === 'bulk' ? this.limits.bulkMs : this.limits.queryMs);
        const started = Date.now();
        const client = await this.connect(limitMs, o);
        if (!this.listened.has(client)) {
            // The pool listens for errors of idle connections only: one checked out (between two
            // statements of a transaction, or when the server ends it) would otherwise raise an
            // uncaught 'error' event and take the process down. Its next query fails instead.
            this.listened.add(client);
            client.on('error', () => { this.lost.add(client); });
        }
        const c: Call = { client, limitMs, o, expired: false, inTransaction: false, begun: false, alone: false, broken: false };
        this.active.add(c);
        let timer: NodeJS.Timeout | undefined;
        try {
            const left = limitMs - (Date.now() - started);
            if (left <= 0) throw this.timeoutError(o, limitMs);
            await this.setTimeout(client, limitMs, left);
            if (Number.isFinite(limitMs)) {
                timer = setTimeout(() => {
                    c.expired = true;
                    void this.cancel(c);
                }, left);
            }
            return await this.context.run(c, () => fn(c));
        } catch (e) {
            if (e instanceof QueryTimeout || e instanceof DatabaseUnavailable) throw e;
            const code = (e as { code?: unknown }).code;
            if (c.expired || (code === '57014' && this.stoppingWhy === undefined)) throw this.timeoutError(o, limitMs);
            if (this.stoppingWhy !== undefined && code === '57014') throw new DatabaseUnavailable(this.stoppingWhy, 'database_stopping');
            if (isConnectionLoss(e) || this.lost.has(client)) { c.broken = true; throw new UnavailableError(`${this.where} closed the connection during ${o.what ?? 'the query'}; try again in a moment`); }
            throw databaseError(e);
        } finally {
            clearTimeout(timer);
            this.active.delete(c);
            client.release(c.broken || c.expired ? true : undefined);
        }
    }

    private async connect(limitMs: number, o: CallOptions): Promise<pg.PoolClient> {
        const pending = this.pool.connect();
        if (!Number.isFinite(limitMs)) return pending.catch(e => { throw connectError(e, this.where); });
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>(r => { timer = setTimeout(() => r('late'), limitMs); });
        try {
            const got = await Promise.race([pending, late]);
            if (got === 'late') {
                // The connection that comes later goes back to the pool unused.
                pending.then(cl => cl.release(), () => undefined);
                throw new DatabaseUnavailable(`${o.what ?? 'the query'} waited ${duration(limitMs)} for the database, busy with other calls all that time, and was not run; try again in a moment`, 'database_busy');
            }
            return got;
        } catch (e) {
            if (e instanceof DatabaseUnavailable) throw e;
            throw connectError(e, this.where);
        } finally {
            clearTimeout(timer);
        }
    }

    /**
     * The connection's statement_timeout for a call with `limitMs` (Infinity: none) and `leftMs` of
     * it left. The call's own timer cancels its statement at its limit, so the server's timeout is a
     * backstop: one a little longer (up to a second or a tenth) than what is left is kept, not sent
     * again because this call waited a millisecond for its connection (a round trip for ~8% of
     * calls otherwise), and a call that waited little sets its whole limit, which the next ones keep.
     */
    private async setTimeout(client: pg.PoolClient, limitMs: number, leftMs: number): Promise<void> {
        const ms = Number.isFinite(limitMs) ? Math.max(1, Math.ceil(leftMs)) : 0;
        const slack = Math.max(1000, ms / 10);
        const set = this.timeouts.get(client);
        if (set !== undefined && (ms === 0 ? set === 0 : set !== 0 && set >= ms && set - ms <= slack)) return;
        const value = ms !== 0 && limitMs - ms <= slack ? Math.ceil(limitMs) : ms;
        await client.query(`SET statement_timeout = ${value}`);
        this.timeouts.set(client, value);
    }

    /** Cancels the statement a call runs now (PostgreSQL's pg_cancel_backend, from a connection of its own). */
    private async cancel(c: Call): Promise<void> {
        const pid = (c.client as unknown as { processID?: number }).processID;
        if (pid === undefined) return;
        const other = new pg.Client({ connectionString: this.opened.url, connectionTimeoutMillis: 5000 });
        other.on('error', () => undefined);
        try {
            await other.connect();
            await other.query('SELECT pg_cancel_backend($1)', [pid]);
        } catch {
            // The server is gone: so is the statement.
        } finally {
            await other.end().catch(() => undefined);
        }
    }

    private timeoutError(o: CallOptions, limitMs: number): QueryTimeout {
        return new QueryTimeout(o.what ?? 'the query', limitMs, o.hint ?? DEFAULT_HINT);
    }
}

/** Creates `pgSchema` when missing and brings the database up to `target` (default: the latest) with the DuckDB store's migrations, translated; one transaction per migration. */
async function migratePg(client: pg.PoolClient, where: string, schema: Schema, target?: number, pgSchema?: string): Promise<{ from: number; to: number }> {
    const latest = latestVersion(schema);
    const upTo = target ?? latest;
    await client.query('SET TimeZone = \'UTC\'');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
        // Under the lock: two CREATE SCHEMA IF NOT EXISTS at once can both try to create it (a unique violation in the catalog).
        if (pgSchema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${pgSchema}`);
        const names = (await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)).rows.map(r => String(r.table_name));
        if (names.length > 0 && !names.includes('schema_version')) {
            throw new StoreError(`${where} is not an AlphaForge database (no schema_version table; it has ${names.slice(0, 5).join(', ')}); give controlPlane.url a database of its own`);
        }
        const from = names.length === 0 ? 0 : Number((await client.query('SELECT coalesce(max(version), 0) AS v FROM schema_version')).rows[0]?.v ?? 0);
        if (from > latest && schema.length > 0) {
            throw new StoreError(`${where} has schema version ${from}, newer than this af understands (${latest}); upgrade AlphaForge or give controlPlane.url another database`);
        }
        if (schema.length === 0) return { from, to: from };
        const compat = (await client.query(`SELECT to_regproc(current_schema() || '.${PG_COMPAT_MARKER}') AS f`)).rows[0]?.f;
        if (compat === null || compat === undefined) for (const s of PG_COMPAT) await client.query(s);
        for (const m of schema) {
            if (m.version <= from || m.version > upTo) continue;
            await client.query('BEGIN');
            try {
                if (m.version === 1) await client.query(SCHEMA_VERSION_TABLE);
                for (const s of m.statements) await client.query(toPostgres(s).text);
                const ins = toPostgres(SCHEMA_VERSION_INSERT, [m.version, m.description]);
                await client.query(ins.text, ins.values);
                await client.query('COMMIT');
            } catch (e) {
                await client.query('ROLLBACK').catch(() => undefined);
                throw new StoreError(`${where}: migration ${m.version} (${m.description}) failed: ${safeMessage(e)}`);
            }
        }
        return { from, to: Math.max(from, Math.min(upTo, latest)) };
    } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
}

function isConnectionLoss(e: unknown): boolean {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && (/^(ECONNRESET|EPIPE|ECONNREFUSED|ETIMEDOUT)$/.test(code) || /^(08|57P0[123])/.test(code))
        || (e instanceof Error && /Connection terminated/.test(e.message));
}

/** The server cannot be reached or refuses us: what to do, naming the database but not the credentials. */
function connectError(e: unknown, where: string): Failure {
    const code = (e as { code?: unknown }).code;
    if (code === '28P01' || code === '28000') return new StoreError(`${where} refused the credentials of controlPlane.url; check the user and password`);
    if (code === '3D000') return new StoreError(`${where}: the database does not exist; create it (createdb) or fix controlPlane.url`);
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !isConnectionLoss(e)) return new StoreError(`${where}: cannot open the control plane: ${safeMessage(e)}`);
    return new UnavailableError(`${where} is not reachable (${typeof code === 'string' ? code : 'no answer'}); start it (npm run team:up) or fix controlPlane.url`);
}

/** SQLSTATE classes whose messages name only objects (constraints, columns, relations), never values. */
const NAMES_ONLY = /^(23|42|40|25|53|55)/;

/** PostgreSQL's error as one line without values. */
function safeMessage(e: unknown): string {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') return e instanceof Error ? e.message.split('\n')[0]! : String(e);
    if (NAMES_ONLY.test(code)) return `${(e as Error).message.split('\n')[0]} (SQLSTATE ${code})`;
    return `PostgreSQL error SQLSTATE ${code}`;
}

/** Errors from PostgreSQL become Errors with a value-free message (a bug: the gateway answers an internal error); others pass. */
function databaseError(e: unknown): unknown {
    if (e instanceof Failure) return e;
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return e;
    const err = new Error(safeMessage(e));
    (err as Error & { code?: string; constraint?: string }).code = code;
    const constraint = (e as { constraint?: unknown }).constraint;
    if (typeof constraint === 'string') (err as Error & { constraint?: string }).constraint = constraint;
    return err;
}
