/**
 * Schema of the orchestrator (migration 5): runs as jobs, their lifecycle events and log lines.
 * Artifacts (result JSON, report, curves) live on disk under <state dir>/runs/<run id>/.
 * runs: `attempt` counts starts; `spec` is the submitted RunSpec; the result columns (params —
 * a sweep's best —, metrics, trade_count, fingerprints, snapshot, engine version, seed) are set
 * in the transaction that makes the run completed. run_events: kind state | progress | result |
 * promoted, seq 1, 2, … per run. run_logs: the run's log lines, their own seq per run.
 * run_artifacts (migration 9): name, size and SHA-256 of each artifact of a completed run, written
 * in the transaction that completes it (artifacts.ts checks the files against them).
 */
import { type Migration } from '../store/migrations.js';

export const RUN_MIGRATIONS: readonly Migration[] = [
    {
        version: 5,
        description: 'orchestrator: runs, run events, run logs',
        statements: [
            `CREATE TABLE runs (
                id VARCHAR PRIMARY KEY,
                kind VARCHAR NOT NULL CHECK (kind IN ('backtest', 'sweep', 'walkforward')),
                state VARCHAR NOT NULL CHECK (state IN ('created', 'queued', 'running', 'completed', 'failed', 'cancelled')),
                promoted BOOLEAN NOT NULL DEFAULT false,
                owner VARCHAR NOT NULL,
                team VARCHAR NOT NULL,
                experiment_id VARCHAR,
                trace_id VARCHAR NOT NULL,
                attempt INTEGER NOT NULL DEFAULT 0,
                created_at TIMESTAMP NOT NULL,
                queued_at TIMESTAMP,
                started_at TIMESTAMP,
                finished_at TIMESTAMP,
                spec JSON NOT NULL,
                strategy VARCHAR,
                source VARCHAR,
                fingerprint_exact VARCHAR,
                fingerprint_structural VARCHAR,
                data_snapshot VARCHAR,
                engine_version VARCHAR,
                seed BIGINT,
                error VARCHAR,
                progress DOUBLE NOT NULL DEFAULT 0,
                params JSON,
                metrics JSON,
                trade_count INTEGER)`,
            `CREATE TABLE run_events (
                run_id VARCHAR NOT NULL,
                seq INTEGER NOT NULL,
                ts TIMESTAMP NOT NULL,
                kind VARCHAR NOT NULL,
                state VARCHAR,
                actor VARCHAR NOT NULL,
                message VARCHAR,
                progress DOUBLE,
                PRIMARY KEY (run_id, seq))`,
            `CREATE TABLE run_logs (
                run_id VARCHAR NOT NULL,
                seq INTEGER NOT NULL,
                ts TIMESTAMP NOT NULL,
                level VARCHAR NOT NULL,
                message VARCHAR NOT NULL,
                PRIMARY KEY (run_id, seq))`,
        ],
    },
];

export const RUN_ARTIFACT_MIGRATIONS: readonly Migration[] = [
    {
        version: 9,
        description: 'run artifacts: size and SHA-256 of each file a completed run wrote',
        statements: [
            `CREATE TABLE run_artifacts (
                run_id VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                bytes BIGINT NOT NULL,
                sha256 VARCHAR NOT NULL,
                PRIMARY KEY (run_id, name))`,
        ],
    },
];

/**
 * Migration 20: the daemon that owns each run (team mode: the key of its advisory lock, see
 * store/pg-ownership.ts) — the one that queued or claimed it. A starting daemon, and every live
 * daemon every few seconds, re-queues only runs whose owner's lock is free (the owner is gone).
 * NULL in the embedded store (one daemon per state directory) and on runs from before.
 */
export const RUN_OWNER_MIGRATIONS: readonly Migration[] = [
    {
        version: 20,
        description: 'runs: the daemon that owns each (team mode)',
        statements: [`ALTER TABLE runs ADD COLUMN daemon BIGINT`],
    },
];
