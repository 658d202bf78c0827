/** Shared helpers of the experiment tests: a fresh store in a temp dir (DuckDB or PostgreSQL), and runs rows inserted with SQL. */
import { join } from 'node:path';
import { type DataStore } from '../../src/store/store.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { openStore as openDatabase } from '../../src/schema/registry.js';
import { ExperimentStore } from '../../src/experiments/store.js';
import { tempDir } from '../data/helpers.js';
import { migratedState, openControl, type StoreKind } from '../team/control-stores.js';
import { copyTemplate } from '../support/templates.js';

export { failure, tempDir } from '../data/helpers.js';

export async function openStore(prefix = 'af-exp-'): Promise<DataStore> {
    const stateDir = join(tempDir(prefix), 'state');
    copyTemplate(await migratedState(), stateDir);
    return openDatabase({ stateDir });
}

/** A fresh control-plane store of `kind` (PostgreSQL: the test file calls usePostgres()). */
export function openStoreOf(kind: StoreKind, prefix = 'af-exp-'): Promise<SqlStore> {
    return openControl(kind, join(tempDir(prefix), 'state'));
}

/**
 * The experiment store over either store. On PostgreSQL the runs export stages its rows in a DuckDB
 * connection (`exporter`), as the daemon's does; everything else goes through SqlStore.
 */
export function experimentsOver(store: SqlStore, exporter?: DataStore): ExperimentStore {
    return new ExperimentStore(store, exporter);
}

export interface TestRun {
    readonly id: string;
    readonly team?: string;
    readonly owner?: string;
    readonly kind?: 'backtest' | 'sweep' | 'walkforward';
    readonly state?: 'created' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
    readonly promoted?: boolean;
    readonly experiment?: string | null;
    /** ISO time (UTC). */
    readonly created?: string;
    readonly finished?: string | null;
    readonly strategy?: string | null;
    readonly source?: string | null;
    readonly exact?: string | null;
    readonly structural?: string | null;
    readonly snapshot?: string | null;
    readonly engine?: string | null;
    readonly seed?: number | null;
    readonly error?: string | null;
}

/** Inserts a row into the orchestrator's runs table, as the orchestrator would. */
export async function insertRun(store: SqlStore, r: TestRun): Promise<void> {
    await store.run(`INSERT INTO runs (id, kind, state, promoted, owner, team, experiment_id, trace_id, created_at, finished_at, spec,
            strategy, source, fingerprint_exact, fingerprint_structural, data_snapshot, engine_version, seed, error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS TIMESTAMP), CAST($10 AS TIMESTAMP), '{}', $11, $12, $13, $14, $15, $16, CAST($17 AS BIGINT), $18)`, [
        r.id, r.kind ?? 'backtest', r.state ?? 'completed', r.promoted ?? false, r.owner ?? 'alice', r.team ?? 'alpha', r.experiment ?? null,
        `trace-${r.id}`, r.created ?? '2024-01-01T00:00:00', r.finished ?? null, r.strategy ?? null, r.source ?? null, r.exact ?? null,
        r.structural ?? null, r.snapshot ?? null, r.engine ?? null, r.seed ?? null, r.error ?? null,
    ]);
}
