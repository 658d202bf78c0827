/**
 * Schema of the experiment and metric store (migration 6): experiments group runs; a run's
 * parameters, metrics and tags are long tables so the filter language can address any key.
 *
 * Conventions for writers (the orchestrator writes these rows when a run completes; ExperimentStore
 * .recordResult is the reference writer):
 * - run_params: `value` holds a numeric parameter (NULL for any other), `text` its text: numbers as
 *   JavaScript prints them (String(v)), booleans as 'true' / 'false', strings as they are.
 * - run_metrics: `value` is the metric; NULL for an undefined one (never NaN: JSON cannot carry
 *   it, and NaN sorts above every number in DuckDB; readers treat a stored NaN as NULL anyway).
 * - run_tags: free-form text; key and value as given.
 * - strategy_embeddings (migration 6, dropped by 7): a cache of embeddings by structural
 *   fingerprint, replaced by the persistent similarity index under <state dir>/similarity/store.
 * - ledger_trials (migration 13): the research ledger (ledger.ts), one row per trial of a completed
 *   run — a backtest's one, a sweep's every combination that ran, a walk-forward's every window —
 *   keyed by team and structural fingerprint; written with the run's completion, never updated.
 *   `period_sharpe`, `skew`, `kurtosis` NULL when undefined (never NaN).
 */
import { type Migration } from '../store/migrations.js';

export const EXPERIMENT_MIGRATIONS: readonly Migration[] = [
    {
        version: 6,
        description: 'experiments: experiments, run params, metrics, tags, strategy embeddings',
        statements: [
            `CREATE TABLE experiments (
                id VARCHAR PRIMARY KEY,
                name VARCHAR NOT NULL,
                team VARCHAR NOT NULL,
                owner VARCHAR NOT NULL,
                description VARCHAR,
                created_at TIMESTAMP NOT NULL,
                UNIQUE (team, name))`,
            `CREATE TABLE run_params (run_id VARCHAR NOT NULL, key VARCHAR NOT NULL, value DOUBLE, text VARCHAR, PRIMARY KEY (run_id, key))`,
            `CREATE TABLE run_metrics (run_id VARCHAR NOT NULL, key VARCHAR NOT NULL, value DOUBLE, PRIMARY KEY (run_id, key))`,
            `CREATE TABLE run_tags (run_id VARCHAR NOT NULL, key VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (run_id, key))`,
            `CREATE TABLE strategy_embeddings (
                fingerprint_structural VARCHAR NOT NULL,
                version VARCHAR NOT NULL,
                vector DOUBLE[] NOT NULL,
                PRIMARY KEY (fingerprint_structural, version))`,
        ],
    },
    {
        version: 7,
        description: 'experiments: drop strategy_embeddings (the similarity index persists its own vectors)',
        statements: ['DROP TABLE IF EXISTS strategy_embeddings'],
    },
];

export const LEDGER_MIGRATIONS: readonly Migration[] = [
    {
        version: 13,
        description: 'research ledger: every trial of every completed run by team and structural fingerprint',
        statements: [
            `CREATE TABLE ledger_trials (
                run_id VARCHAR NOT NULL,
                trial INTEGER NOT NULL,
                team VARCHAR NOT NULL,
                kind VARCHAR NOT NULL CHECK (kind IN ('backtest', 'sweep', 'walkforward')),
                fingerprint_structural VARCHAR NOT NULL,
                recorded_at TIMESTAMP NOT NULL,
                period_sharpe DOUBLE,
                skew DOUBLE,
                kurtosis DOUBLE,
                observations BIGINT NOT NULL,
                PRIMARY KEY (run_id, trial))`,
            'CREATE INDEX ledger_trials_structure ON ledger_trials (team, fingerprint_structural)',
        ],
    },
];
