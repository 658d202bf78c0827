/**
 * Schema of deployments (migration 14). deployments: one row per deployment — what it trades
 * (the exact source, parameter values, registry version), where (venue, feed) and its stated state
 * with the reason, updated as it moves; a daemon that starts resumes the rows it finds running.
 * deployment_bars: every bar a deployment has traded on, in order, so a restart rebuilds the
 * strategy's state whatever the feed (a live feed cannot replay its past). deployment_events: what
 * it published on `deployment:<id>`, by seq, so a client that reconnects catches up. Migration 18
 * adds the packs each deployment was started with.
 */
import { type Migration } from '../../store/migrations.js';

export const DEPLOYMENT_MIGRATIONS: readonly Migration[] = [
    {
        version: 14,
        description: 'deployments: paper and live trading sessions, the bars they traded on, their events',
        statements: [
            `CREATE TABLE deployments (
                id VARCHAR PRIMARY KEY,
                team VARCHAR NOT NULL,
                owner VARCHAR NOT NULL,
                mode VARCHAR NOT NULL CHECK (mode IN ('paper', 'live')),
                state VARCHAR NOT NULL CHECK (state IN ('starting', 'warming', 'running', 'halted', 'stopping', 'stopped', 'failed')),
                reason VARCHAR,
                strategy VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                uri VARCHAR,
                params VARCHAR NOT NULL,
                registry_name VARCHAR,
                registry_version INTEGER,
                venue VARCHAR NOT NULL,
                feed VARCHAR NOT NULL,
                capital DOUBLE,
                limits VARCHAR NOT NULL,
                bars INTEGER NOT NULL,
                warmup_bars INTEGER,
                risk_state VARCHAR,
                equity DOUBLE,
                pnl DOUBLE,
                created_at VARCHAR NOT NULL,
                updated_at VARCHAR NOT NULL,
                finished_at VARCHAR)`,
            `CREATE INDEX deployments_team ON deployments (team, created_at)`,
            `CREATE TABLE deployment_bars (
                team VARCHAR NOT NULL,
                deployment VARCHAR NOT NULL,
                seq INTEGER NOT NULL,
                ts DOUBLE NOT NULL,
                assets VARCHAR NOT NULL,
                PRIMARY KEY (team, deployment, seq))`,
            `CREATE TABLE deployment_events (
                team VARCHAR NOT NULL,
                deployment VARCHAR NOT NULL,
                seq INTEGER NOT NULL,
                ts VARCHAR NOT NULL,
                kind VARCHAR NOT NULL,
                data VARCHAR NOT NULL,
                PRIMARY KEY (team, deployment, seq))`,
        ],
    },
];

/**
 * Migration 18: the packs a deployment's strategy uses (JSON: name, version, a pack folder's
 * integrity), recorded when it starts and checked when it resumes. NULL: started before packs were
 * recorded (it resumes as before, against the workspace's packs of now).
 */
export const DEPLOYMENT_PACKS_MIGRATIONS: readonly Migration[] = [
    {
        version: 18,
        description: 'deployments: the packs each was started with',
        statements: [`ALTER TABLE deployments ADD COLUMN packs VARCHAR`],
    },
];
