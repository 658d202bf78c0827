/**
 * The control-plane store tests run against both stores: the embedded DuckDB file and PostgreSQL 15
 * (team mode). A test file calls `usePostgres()` at its top level: one real PostgreSQL for the whole
 * file, started by scripts/team/servers.mjs under a temp folder in beforeAll and stopped in
 * afterAll (its cluster a copy of one made and migrated once per run: postgresData). Each
 * `openControl('postgres')` gets that server's migrated schema with every table emptied, as each
 * DuckDB store gets a fresh state directory (a copy of a store migrated once per run). PostgreSQL's
 * variant is skipped with a message when postgresql-15 is not installed (bash .ci/run installs it).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openControlStore, openStore } from '../../src/schema/registry.js';
import type { QueryLimits } from '../../src/store/call-gate.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { down, freePort, up } from '../../../scripts/team/servers.mjs';
import { tempDir } from '../data/helpers.js';
import { copyTemplate, isEmptyDir, template } from '../support/templates.js';

export type StoreKind = 'duckdb' | 'postgres';

export const hasPostgres = existsSync('/usr/lib/postgresql/15/bin/initdb');

export const STORE_KINDS: readonly StoreKind[] = ['duckdb', 'postgres'];

let url: string | undefined;
/** Set once the file's PostgreSQL schema has been handed out: later stores get its tables emptied. */
let migrated: string | undefined;
const opened: SqlStore[] = [];

/** The schema openControl's PostgreSQL stores live in: migrated in the cluster template (postgresData), emptied per store. */
const PG_SCHEMA = 'aftest';

/**
 * Puts a PostgreSQL cluster in `serversDir` (where scripts/team/servers.mjs's `up` looks for it,
 * and then skips initdb): a copy of one made once per run (support/templates.ts) by initdb and
 * `up`, with schema PG_SCHEMA migrated, and cleanly stopped. initdb (which syncs every file) and
 * migrating take seconds per test file on a loaded machine; the copy (about 40 MB) a fraction of one.
 * `cp -a` keeps the files' owner (the postgres user, when we are root) and modes.
 */
export async function postgresData(serversDir: string): Promise<void> {
    const cluster = await template('postgres-15', async stateDir => {
        // initdb and the server run as the postgres user when we are root: they must reach the folder.
        for (const d of [dirname(dirname(stateDir)), dirname(stateDir)]) chmodSync(d, 0o755);
        mkdirSync(stateDir, { mode: 0o755 });
        const s = await up(stateDir, { only: ['postgres'], ports: { postgres: await freePort() } });
        try {
            await (await openControlStore({ url: s.postgres!.url, pgSchema: PG_SCHEMA })).close();
        } finally {
            down(stateDir);
        }
    });
    mkdirSync(join(serversDir, 'postgres'), { recursive: true });
    execFileSync('cp', ['-a', join(cluster, 'postgres', 'data'), join(serversDir, 'postgres', 'data')]);
}

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
        await postgresData(dir);
        const s = await up(dir, { only: ['postgres'], ports: { postgres: await freePort() } });
        url = s.postgres!.url;
    }, 120_000); // the first file of a run also builds the cluster template (initdb, start, migrate, stop)
    afterAll(async () => {
        await Promise.all(opened.splice(0).map(s => s.close()));
        if (hasPostgres) down(dir);
    }, 30_000);
}

/** A fresh, migrated control-plane store of `kind` (DuckDB: in `dir`; PostgreSQL: a new schema of the file's server; `poolSize`: its connections). */
export async function openControl(kind: StoreKind, dir: string, o: { limits?: Partial<QueryLimits>; poolSize?: number } = {}): Promise<SqlStore> {
    let store: SqlStore;
    if (kind === 'duckdb') {
        // A fresh database: a copy of one migrated once per run (migrating from scratch takes about a second).
        if (isEmptyDir(dir)) copyTemplate(await migratedState(), dir);
        store = await openStore({ stateDir: dir, ...(o.limits ? { limits: o.limits } : {}) });
    } else {
        if (!url) throw new Error('usePostgres() was not called at the top of this test file, or PostgreSQL did not start');
        const pgSchema = PG_SCHEMA;
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

/** The state directory of a store migrated from scratch and closed, built once per run (support/templates.ts): copy it, never open it. */
export function migratedState(): Promise<string> {
    return template('migrated', async dir => { await (await openStore({ stateDir: dir })).close(); });
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
