/**
 * The embedded store: one DuckDB file, `alphaforge.duckdb`, in the state directory its opener
 * names (runtime/src/config/ resolves it). Opening migrates an older database to the schema the
 * opener hands it (runtime/src/schema/ assembles the modules' migrations; this folder knows no
 * module); closing releases the file lock so another process (or a later open in this one) can use
 * it. DuckDB allows one writing process per file.
 *
 * Every call on the connection goes through a CallGate (call-gate.ts): one caller at a time, each
 * within its time limit (`limits`: interactive queries vs bulk imports/exports), interrupted when
 * it passes it. Code that needs the raw connection (appenders, prepared statements, streams) takes
 * it inside `use()`, so it is bounded and serialised like the rest.
 *
 * A call that finds a damaged block (DuckDB verifies block checksums on read) fails with a
 * DatabaseDamaged naming the file and what to do, and the damage is remembered for the process
 * (`reportedDamage`: the daemon's readiness reports it).
 */
import { join, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { Failure, UnavailableError } from '../../../protocol/src/errors.js';
import { CallGate, NO_QUERY_LIMITS, withLimits, type CallOptions, type QueryLimits } from './call-gate.js';
import { StoreError, firstLine } from './errors.js';
import { corruptionDetail, damageMessage, isCorruption } from './integrity.js';
import { checkSchema, migrate, type Schema } from './migrations.js';
import { privateDir, privateFile } from './state-files.js';
import { bindTypes } from './bind-types.js';
import { type Params, type SqlStore } from './sql-store.js';
import { traced } from './tracing.js';

export const DB_FILE = 'alphaforge.duckdb';

export interface StoreOptions {
    /** The state directory (resolved by the caller: runtime/src/config/). */
    stateDir: string;
    /** The database's migrations in version order (runtime/src/schema/ has the one list). */
    schema: Schema;
    /** For tests of migrations: stop at this schema version. */
    migrateTo?: number;
    /** Time limits of the store's calls (default none: local commands; the daemon gives DEFAULT_QUERY_LIMITS). */
    limits?: Partial<QueryLimits>;
}

export type { Params };

/** A call read a block whose checksum does not match: the file is damaged (not the caller's fault; 503). */
export class DatabaseDamaged extends UnavailableError {
    readonly reason = 'database_damaged';
    constructor(message: string) {
        super(message);
        this.name = 'DatabaseDamaged';
    }
}

/** Damage found by calls of this process, by database file (first report wins). */
const damage = new Map<string, string>();

/** The damage a call of this process found in `file` (a message that says what to do), if any. */
export function reportedDamage(file: string): string | undefined {
    return damage.get(file);
}

/** Records damage found outside a call (the integrity check at start). */
export function reportDamage(file: string, message: string): void {
    if (!damage.has(file)) damage.set(file, message);
}

/**
 * Open instances by file. DuckDB's file lock only keeps *other* processes out: a second
 * DuckDBInstance on the same file in this process opens fine but keeps its own copy of the
 * data, and whichever instance checkpoints last silently overwrites the other's writes.
 * So the stores of one process share one instance per file (one connection each) and the
 * last close closes it. The entry holds the promise so that concurrent opens share it too.
 */
interface SharedInstance {
    readonly instance: Promise<DuckDBInstance>;
    refs: number;
    /** Migrations of concurrent opens run one after the other (two would conflict creating the same tables). */
    migrating: Promise<unknown>;
}
const instances = new Map<string, SharedInstance>();

/**
 * Per database file, how many imports this process has ended (committed or not) in it. DuckDB's
 * file lock keeps other processes out, and every change to stored bars is an import
 * (data/import.ts), so what a load read is still what it would read while this number is the same:
 * the run pipeline's bar cache checks it instead of asking the database before every run. Never reset
 * (a file closed and opened again keeps counting).
 */
const barsVersions = new Map<string, number>();

function release(file: string, entry: SharedInstance, instance: DuckDBInstance | undefined): void {
    if (--entry.refs > 0) return;
    if (instances.get(file) === entry) instances.delete(file);
    instance?.closeSync();
}

export class DataStore implements SqlStore {
    readonly dialect = 'duckdb' as const;
    private conn: DuckDBConnection | undefined;
    private inTransaction = false;
    private readonly gate: CallGate;

    private constructor(readonly stateDir: string, readonly file: string, private readonly schema: Schema, private shared: SharedInstance | undefined, private instance: DuckDBInstance | undefined, conn: DuckDBConnection, readonly schemaVersion: number, readonly migratedFrom: number, limits: QueryLimits) {
        this.conn = conn;
        this.gate = new CallGate(() => this.conn?.interrupt(), limits);
    }

    /** The time limits of this store's calls (another store opened for the same work should use the same). */
    get limits(): QueryLimits {
        return this.gate.queryLimits;
    }

    static async open(options: StoreOptions): Promise<DataStore> {
        checkSchema(options.schema);
        const stateDir = resolve(options.stateDir);
        try {
            // Private: the database holds every team's data and the token hashes (0700, files 0600).
            privateDir(stateDir);
        } catch (e) {
            throw new StoreError(`cannot create the state directory ${stateDir}: ${firstLine(e)}`);
        }
        const file = join(stateDir, DB_FILE);
        let shared = instances.get(file);
        if (!shared) {
            shared = { instance: DuckDBInstance.create(file), refs: 0, migrating: Promise.resolve() };
            instances.set(file, shared);
        }
        shared.refs++;
        let instance: DuckDBInstance;
        try {
            instance = await shared.instance;
        } catch (e) {
            release(file, shared, undefined);
            const msg = firstLine(e);
            // Before the lock test: DuckDB's damage message names a "block".
            if (isCorruption(e)) throw new DatabaseDamaged(damageMessage(file, 'found when opening it', corruptionDetail(e)));
            if (/\block\b/i.test(msg)) {
                const pid = /PID (\d+)/.exec(msg)?.[1];
                throw new StoreError(`${file} is in use by another process${pid ? ` (pid ${pid})` : ''}; close it (e.g. a running daemon) or use another --state-dir`);
            }
            throw new StoreError(`cannot open ${file}: ${msg}`);
        }
        let conn: DuckDBConnection | undefined;
        try {
            for (const f of [file, `${file}.wal`]) privateFile(f);
            conn = await instance.connect();
            // Timestamps are UTC everywhere: casts of zone-less text and TIMESTAMPTZ → TIMESTAMP must not depend on the machine.
            await conn.run(`SET TimeZone = 'UTC'`);
            const c = conn;
            const migrated = shared.migrating.then(() => migrate(c, file, options.schema, options.migrateTo));
            shared.migrating = migrated.catch(() => undefined);
            const { from, to } = await migrated;
            return new DataStore(stateDir, file, options.schema, shared, instance, conn, to, from, withLimits(NO_QUERY_LIMITS, options.limits));
        } catch (e) {
            conn?.closeSync();
            release(file, shared, instance);
            if (e instanceof Failure) throw e;
            if (isCorruption(e)) throw new DatabaseDamaged(damageMessage(file, 'found when opening it', corruptionDetail(e)));
            throw new StoreError(`cannot open ${file}: ${firstLine(e)}`);
        }
    }

    /**
     * Another connection to the same database, with the same schema and time limits: for a service
     * that runs its own transactions beside this store's (the orchestrator, the readiness probe).
     * Closed on its own. `limits` replaces this store's time limits (`{}`: none).
     */
    openAnother(o: { limits?: Partial<QueryLimits> } = {}): Promise<DataStore> {
        return DataStore.open({ stateDir: this.stateDir, schema: this.schema, migrateTo: this.schemaVersion, limits: o.limits ?? this.limits });
    }

    /** Opens, runs `fn`, and always closes. */
    static async with<T>(options: StoreOptions, fn: (store: DataStore) => Promise<T>): Promise<T> {
        const store = await DataStore.open(options);
        try {
            return await fn(store);
        } finally {
            store.close();
        }
    }

    get connection(): DuckDBConnection {
        if (!this.conn) throw new Error('DataStore is closed');
        return this.conn;
    }

    get isOpen(): boolean {
        return this.conn !== undefined;
    }

    /**
     * Runs `fn` with the connection as its only caller, bounded by the call's time limit (see
     * call-gate.ts); this store's calls made inside `fn` run under that same limit.
     */
    use<T>(fn: (conn: DuckDBConnection) => Promise<T>, o?: CallOptions): Promise<T> {
        return this.call(() => fn(this.connection), o);
    }

    /** From inside a call (`use`, `transaction`): another connection it works on, interrupted with this one (see CallGate.alsoInterrupt). */
    alsoInterrupt(interrupt: () => void): () => void {
        return this.gate.alsoInterrupt(interrupt);
    }

    /** Runs a statement; returns the rows it changed (INSERT / UPDATE / DELETE). */
    async run(sql: string, params?: Params, o?: CallOptions): Promise<number> {
        return this.call(() => traced(sql, async () => (await this.connection.run(sql, params, bindTypes(params))).rowsChanged), o);
    }

    /** Rows as plain JS objects (BIGINT → bigint, TIMESTAMP → Date): cast in SQL when you want numbers. */
    async rows(sql: string, params?: Params, o?: CallOptions): Promise<Record<string, unknown>[]> {
        return this.call(() => traced(sql, async () => (await this.connection.runAndReadAll(sql, params, bindTypes(params))).getRowObjectsJS() as Record<string, unknown>[]), o);
    }

    async scalar(sql: string, params?: Params, o?: CallOptions): Promise<unknown> {
        return this.call(() => traced(sql, async () => (await this.connection.runAndReadAll(sql, params, bindTypes(params))).getRowsJS()[0]?.[0]), o);
    }

    private async call<T>(fn: () => Promise<T>, o: CallOptions | undefined): Promise<T> {
        try {
            return await this.gate.run(fn, o);
        } catch (e) {
            if (e instanceof DatabaseDamaged || !isCorruption(e)) throw e;
            const message = damageMessage(this.file, o?.what ?? this.gate.currentWhat() ?? 'a query', corruptionDetail(e));
            reportDamage(this.file, message);
            throw new DatabaseDamaged(message);
        }
    }

    /**
     * Runs `fn` in one transaction: all of it is committed, or none of it. Not re-entrant. The
     * transaction holds the connection (other callers wait) and is bounded as one call.
     */
    async transaction<T>(fn: () => Promise<T>, o?: CallOptions): Promise<T> {
        return this.call(async () => {
            // The gate lets only this caller's own calls through: a transaction here is a nested one.
            if (this.inTransaction) throw new Error('DataStore.transaction is not re-entrant');
            this.inTransaction = true;
            try {
                await this.run('BEGIN TRANSACTION');
                try {
                    const result = await fn();
                    await this.run('COMMIT');
                    return result;
                } catch (e) {
                    try {
                        await this.connection.run('ROLLBACK');
                    } catch {
                        // A failed COMMIT has already rolled back; the original error is the one to report.
                    }
                    throw e;
                }
            } finally {
                this.inTransaction = false;
            }
        }, o);
    }

    /**
     * Refuses further calls (a DatabaseUnavailable naming `why`), interrupts the running one and
     * waits up to `graceMs` for it to end; true when the connection is idle. For shutdown: a query
     * that never ends must not hold the process (DuckDB waits for it even at exit).
     */
    stopCalls(why: string, graceMs = 5000): Promise<boolean> {
        return this.gate.stop(why, graceMs);
    }

    /** Bumped when an import in this file ends (barsVersions): loads read before and after a change have different versions. */
    get barsVersion(): number {
        return barsVersions.get(this.file) ?? 0;
    }

    /** An import into this file ended (called after its transaction, whether it committed or not). */
    barsChanged(): void {
        barsVersions.set(this.file, this.barsVersion + 1);
    }

    /** Idempotent. Closing the last store of a file closes its instance: that checkpoints the WAL and releases the file lock. */
    close(): void {
        // A call still running would keep going after the close (and keep the process from exiting).
        if (this.gate.busy) this.conn?.interrupt();
        this.conn?.closeSync();
        this.conn = undefined;
        if (this.shared) release(this.file, this.shared, this.instance);
        this.shared = undefined;
        this.instance = undefined;
    }
}
