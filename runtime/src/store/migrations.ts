/**
 * The migration runner: brings a database up to the schema its opener hands it (an ordered list of
 * migrations; the modules contribute theirs, runtime/src/schema/ assembles the one list of
 * alphaforge.duckdb). Each migration runs in its own transaction together with its schema_version
 * row, so a crash leaves the database at the previous version, never half-way. Append new
 * migrations; never edit a released one. Timestamps are TIMESTAMP holding UTC (the connection's
 * TimeZone is pinned to UTC).
 */
import { type DuckDBConnection } from '@duckdb/node-api';
import { StoreError } from './errors.js';

/** One step of a schema, numbered in the database's one sequence (1, 2, 3, … whichever module owns it). */
export interface Migration {
    readonly version: number;
    readonly description: string;
    readonly statements: readonly string[];
}

/** A database's schema: its migrations in version order, 1, 2, 3, … without gaps. */
export type Schema = readonly Migration[];

/** The table that records the migrations applied (created with version 1), and its row; the same on every store. */
export const SCHEMA_VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`;
export const SCHEMA_VERSION_INSERT = `INSERT INTO schema_version VALUES ($1, $2, now() AT TIME ZONE 'UTC')`;

/** Throws unless the versions run 1, 2, 3, … (a gap or a duplicate is a programming error). */
export function checkSchema(schema: Schema): void {
    schema.forEach((m, i) => {
        if (m.version !== i + 1) throw new Error(`migration ${i + 1} has version ${m.version}: versions must be consecutive`);
    });
}

/** The version a database of `schema` ends at. */
export function latestVersion(schema: Schema): number {
    return schema[schema.length - 1]?.version ?? 0;
}

async function scalar(conn: DuckDBConnection, sql: string): Promise<unknown> {
    const r = await conn.runAndReadAll(sql);
    return r.getRowsJS()[0]?.[0];
}

/** The database's schema version: 0 for an empty database. Refuses a database that is not ours. */
export async function currentVersion(conn: DuckDBConnection, file: string): Promise<number> {
    const tables = await conn.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()`);
    const names = tables.getRowsJS().map(r => String(r[0]));
    if (names.length === 0) return 0;
    if (!names.includes('schema_version')) {
        throw new StoreError(`${file} is a DuckDB database but not an AlphaForge one (no schema_version table; it has ${names.slice(0, 5).join(', ')}); use another --state-dir`);
    }
    return Number(await scalar(conn, 'SELECT coalesce(max(version), 0) FROM schema_version'));
}

/**
 * Brings the database up to `target` of `schema` (default: its latest). A database newer than this
 * program knows is refused untouched: writing to it could corrupt data an upgraded af relies on.
 */
export async function migrate(conn: DuckDBConnection, file: string, schema: Schema, target?: number): Promise<{ from: number; to: number }> {
    const latest = latestVersion(schema);
    const upTo = target ?? latest;
    const from = await currentVersion(conn, file);
    if (from > latest) {
        throw new StoreError(`${file} has schema version ${from}, newer than this af understands (${latest}); upgrade AlphaForge or use another --state-dir`);
    }
    for (const m of schema) {
        if (m.version <= from || m.version > upTo) continue;
        await conn.run('BEGIN TRANSACTION');
        try {
            if (m.version === 1) await conn.run(SCHEMA_VERSION_TABLE);
            for (const s of m.statements) await conn.run(s);
            await conn.run(SCHEMA_VERSION_INSERT, [m.version, m.description]);
            await conn.run('COMMIT');
        } catch (e) {
            await conn.run('ROLLBACK');
            throw e;
        }
    }
    return { from, to: Math.max(from, Math.min(upTo, latest)) };
}
