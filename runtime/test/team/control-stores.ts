/**
 * The control-plane store tests run against both stores: the embedded DuckDB file and PostgreSQL 15
 * (team mode). A test file calls `usePostgres()` at its top level: one real PostgreSQL for the whole
 * file, started by scripts/team/servers.mjs under a temp folder in beforeAll and stopped in
 * afterAll. Each `openControl('postgres')` gets a fresh PostgreSQL schema (namespace) of that
 * server, migrated from scratch, as each DuckDB store gets a fresh state directory. PostgreSQL's
 * variant is skipped with a message when postgresql-15 is not installed (bash .ci/run installs it).
 */
import { chmodSync, existsSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { openControlStore, openStore } from '../../src/schema/registry.js';
import type { QueryLimits } from '../../src/store/call-gate.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { down, freePort, up } from '../../../scripts/team/servers.mjs';
import { tempDir } from '../data/helpers.js';

export type StoreKind = 'duckdb' | 'postgres';

export const hasPostgres = existsSync('/usr/lib/postgresql/15/bin/initdb');

export const STORE_KINDS: readonly StoreKind[] = ['duckdb', 'postgres'];

let url: string | undefined;
/** The file's one migrated PostgreSQL schema: migrating takes seconds, emptying its tables milliseconds. */
let migrated: string | undefined;
const opened: SqlStore[] = [];

/** Whether `kind`'s tests run here (PostgreSQL's need the package). */
export function available(kind: StoreKind): boolean {
    return kind === 'duckdb' || hasPostgres;
}

/** Starts one PostgreSQL for this test file (when installed); every store opened by openControl is closed after the file. */
export function usePostgres(file: string): void {
    if (!hasPostgres) console.warn(`${file}: the PostgreSQL variant is skipped: postgresql-15 is not installed (apt-get install -y postgresql-15, or bash .ci/run)`);
    const dir = tempDir('af-team-pg-');
    // initdb and the server run as the postgres user when we are root: they must reach the folder.
    chmodSync(dir, 0o755);
    beforeAll(async () => {
        if (!hasPostgres) return;
        const s = await up(dir, { only: ['postgres'], ports: { postgres: await freePort() } });
        url = s.postgres!.url;
    }, 60_000);
    afterAll(async () => {
        await Promise.all(opened.splice(0).map(s => s.close()));
        if (hasPostgres) down(dir);
    }, 30_000);
}

/** A fresh, migrated control-plane store of `kind` (DuckDB: in `dir`; PostgreSQL: a new schema of the file's server; `poolSize`: its connections). */
export async function openControl(kind: StoreKind, dir: string, o: { limits?: Partial<QueryLimits>; poolSize?: number } = {}): Promise<SqlStore> {
    let store: SqlStore;
    if (kind === 'duckdb') {
        store = await openStore({ stateDir: dir, ...(o.limits ? { limits: o.limits } : {}) });
    } else {
        if (!url) throw new Error('usePostgres() was not called at the top of this test file, or PostgreSQL did not start');
        const pgSchema = `t${process.pid}`;
        store = await openControlStore({ url, pgSchema, ...o });
        if (migrated) {
            // A fresh database: every table emptied (schema_version stays, so nothing migrates again).
            const tables = (await store.rows(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'schema_version'`, [pgSchema])).map(r => String(r.t));
            await store.run(`TRUNCATE ${tables.join(', ')}`);
        }
        migrated = pgSchema;
    }
    opened.push(store);
    return store;
}

/**
 * The same database opened again, as after a restart: DuckDB reopens the file of `dir`; PostgreSQL
 * opens a new pool on the same schema (not emptied). `store` is closed.
 */
export async function reopenControl(kind: StoreKind, dir: string, store: SqlStore): Promise<SqlStore> {
    let again: SqlStore;
    if (kind === 'duckdb') {
        await store.close();
        again = await openStore({ stateDir: dir });
    } else {
        again = await store.openAnother();
        await store.close();
    }
    opened.push(again);
    return again;
}

/** The URL of this file's PostgreSQL (usePostgres()), for tests that open stores of their own. */
export function postgresUrl(): string {
    if (!url) throw new Error('usePostgres() was not called at the top of this test file, or PostgreSQL did not start');
    return url;
}
