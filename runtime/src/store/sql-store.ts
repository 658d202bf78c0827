/**
 * What the control-plane modules (IAM, runs and their events, experiments, the research ledger, the
 * registry, orders and deployments) ask of a database: statements with bound values, one
 * transaction at a time, time limits, and a stop. Two stores answer it: the embedded DuckDB file
 * (store.ts, the default) and PostgreSQL for team mode (pg-store.ts). The SQL the modules write is
 * DuckDB's; PgStore translates the little that differs (pg-dialect.ts), so one text serves both.
 * Market-data code keeps the DuckDB store itself (appenders, COPY, zone maps): it is not here.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { CallOptions, QueryLimits } from './call-gate.js';

/** Bound values: positional (`$1`, `?`) or by name (`$name`). DuckDB list values bind as arrays on PostgreSQL. */
export type Params = DuckDBValue[] | Record<string, DuckDBValue>;

export interface SqlStore {
    /** Which engine answers: the SQL is the same, a few planner habits are not. */
    readonly dialect: 'duckdb' | 'postgres';
    /** The time limits of this store's calls. */
    readonly limits: QueryLimits;
    /** The schema version the database is at. */
    readonly schemaVersion: number;
    readonly isOpen: boolean;
    /** Runs a statement; returns the rows it changed (INSERT / UPDATE / DELETE). */
    run(sql: string, params?: Params, o?: CallOptions): Promise<number>;
    /** Rows as plain JS objects: BIGINT → bigint, TIMESTAMP → Date (UTC), JSON → its text. */
    rows(sql: string, params?: Params, o?: CallOptions): Promise<Record<string, unknown>[]>;
    /** The first column of the first row (undefined: no row). */
    scalar(sql: string, params?: Params, o?: CallOptions): Promise<unknown>;
    /** Runs `fn` in one transaction, all or nothing; not re-entrant; bounded as one call. */
    transaction<T>(fn: () => Promise<T>, o?: CallOptions): Promise<T>;
    /** Refuses further calls, stops the running ones, waits up to `graceMs`; true when idle. */
    stopCalls(why: string, graceMs?: number): Promise<boolean>;
    /**
     * Another store on the same database, schema and limits (`limits` replaces them), for a service
     * with transactions of its own. `connections`: the most it holds at once (PostgreSQL: its pool's
     * size, default the first store's; DuckDB: one connection whatever it says).
     */
    openAnother(o?: { limits?: Partial<QueryLimits>; connections?: number }): Promise<SqlStore>;
    /** Idempotent. */
    close(): void | Promise<void>;
}

/**
 * Whether `e` is a unique or primary-key violation: PostgreSQL's SQLSTATE 23505 (PgStore keeps the
 * code), DuckDB's "Duplicate key … violates … constraint". Under PostgreSQL's READ COMMITTED two
 * transactions can read the same "latest" row and both insert its successor; the loser gets this
 * and may run its whole transaction again.
 */
export function isUniqueViolation(e: unknown): boolean {
    if ((e as { code?: unknown } | null)?.code === '23505') return true;
    return e instanceof Error && /Duplicate key .*violates (primary key|unique) constraint|PRIMARY KEY or UNIQUE constraint violat/i.test(e.message);
}
