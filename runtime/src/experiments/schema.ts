/**
 * Schema of the experiment and metric store (migration 6): experiments group runs; a run's
 * parameters, metrics and tags are long tables so the filter language can address any key.
 */
import { type Migration } from '../data/migrations.js';

export const EXPERIMENT_MIGRATIONS: readonly Migration[] = [
    {
        version: 6,
        description: 'experiments: experiments, run params, metrics, tags',
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
        ],
    },
];
