/**
 * Schema of the data module: instruments, bars and on-chain series (migration 1), the import log
 * (2), feature panels (3), and market data ownership (8). The one ordered list of the database is
 * assembled in runtime/src/schema/; this file only contributes. Never edit a released migration.
 */
import { type Migration } from '../store/migrations.js';

export const DATA_MIGRATIONS: readonly Migration[] = [
    {
        version: 1,
        description: 'instruments, bars and on-chain series',
        statements: [
            `CREATE TABLE instruments (
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                kind VARCHAR NOT NULL CHECK (kind IN ('pair', 'ticker')),
                base VARCHAR,
                quote VARCHAR,
                PRIMARY KEY (venue, symbol))`,
            `CREATE TABLE bars (
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                timeframe VARCHAR NOT NULL,
                ts TIMESTAMP NOT NULL,
                open DOUBLE NOT NULL,
                high DOUBLE NOT NULL,
                low DOUBLE NOT NULL,
                close DOUBLE NOT NULL,
                volume DOUBLE NOT NULL)`,
            // No primary key: an ART index over every bar would cost more than the bulk import itself
            // (imports keep (venue, symbol, timeframe, ts) unique: validated input, range cleared first),
            // and range scans by series are served by DuckDB's zone maps.
            // A DEX pool (or any on-chain contract) whose metrics are tracked.
            `CREATE TABLE onchain_pools (
                chain VARCHAR NOT NULL,
                address VARCHAR NOT NULL,
                dex VARCHAR,
                token0 VARCHAR,
                token1 VARCHAR,
                fee_bps DOUBLE,
                PRIMARY KEY (chain, address))`,
            // One metric (tvl_usd, volume_usd, fees_usd, price, …) per block or time bucket.
            `CREATE TABLE onchain_series (
                chain VARCHAR NOT NULL,
                address VARCHAR NOT NULL,
                metric VARCHAR NOT NULL,
                ts TIMESTAMP NOT NULL,
                block BIGINT,
                value DOUBLE NOT NULL,
                PRIMARY KEY (chain, address, metric, ts))`,
        ],
    },
    {
        version: 2,
        description: 'import log: the provenance of every import',
        statements: [
            `CREATE SEQUENCE imports_id START 1`,
            `CREATE TABLE imports (
                id BIGINT PRIMARY KEY DEFAULT nextval('imports_id'),
                imported_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
                source VARCHAR NOT NULL,
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                timeframe VARCHAR NOT NULL,
                first_ts TIMESTAMP,
                last_ts TIMESTAMP,
                rows_in BIGINT NOT NULL,
                rows_written BIGINT NOT NULL,
                rows_dropped BIGINT NOT NULL,
                rows_replaced BIGINT NOT NULL,
                report VARCHAR)`,
        ],
    },
    {
        version: 3,
        description: 'feature panels: a strategy\'s features per bar and symbol, with provenance',
        statements: [
            // One row per stored panel. symbols / features / kinds keep the panel's order.
            `CREATE TABLE panels (
                name VARCHAR PRIMARY KEY,
                strategy VARCHAR NOT NULL,
                exact_fingerprint VARCHAR NOT NULL,
                structural_fingerprint VARCHAR NOT NULL,
                params VARCHAR NOT NULL,
                snapshot VARCHAR NOT NULL,
                engine_version VARCHAR NOT NULL,
                timeframe_ms BIGINT NOT NULL,
                symbols VARCHAR[] NOT NULL,
                features VARCHAR[] NOT NULL,
                kinds VARCHAR[] NOT NULL,
                bars BIGINT NOT NULL,
                first_ts TIMESTAMP,
                last_ts TIMESTAMP,
                created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'))`,
            // Long ("tidy") format: one row per (panel, ts, symbol, feature); NULL = undefined (NaN in
            // the engine). No primary key: rows are only ever written and replaced whole by storePanel,
            // and an index over every cell would cost more than the data (repeated names compress).
            `CREATE TABLE panel_values (
                panel VARCHAR NOT NULL,
                ts TIMESTAMP NOT NULL,
                symbol VARCHAR NOT NULL,
                feature VARCHAR NOT NULL,
                value DOUBLE)`,
        ],
    },
];

/**
 * Market data gets an owner (data/ownership.ts). `series`: one row per (venue, symbol, timeframe)
 * with its owner team and visibility ('team': only the owner reads it; 'shared': everyone reads,
 * only the owner writes). Bars that existed before this version were imported by the local CLI,
 * so they become shared, owned by the bootstrap team 'default' (a literal: a released migration
 * never changes, even if the constant did). `bar_revisions`: the bars an import replaced, keyed by
 * that import, so the snapshot a run saw before the replacement can be rebuilt (load.ts findSnapshot).
 * `imports.team`: the team an import acted for (NULL: the local CLI).
 */
export const DATA_OWNERSHIP_MIGRATIONS: readonly Migration[] = [
    {
        version: 8,
        description: 'market data ownership: series owner and visibility, replaced bars kept by import',
        statements: [
            `CREATE TABLE series (
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                timeframe VARCHAR NOT NULL,
                owner_team VARCHAR NOT NULL,
                visibility VARCHAR NOT NULL CHECK (visibility IN ('team', 'shared')),
                created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
                PRIMARY KEY (venue, symbol, timeframe))`,
            `INSERT INTO series (venue, symbol, timeframe, owner_team, visibility)
                SELECT DISTINCT venue, symbol, timeframe, 'default', 'shared' FROM bars`,
            // No primary key, like bars: rows are only ever inserted, and read by (series, import).
            `CREATE TABLE bar_revisions (
                import_id BIGINT NOT NULL,
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                timeframe VARCHAR NOT NULL,
                ts TIMESTAMP NOT NULL,
                open DOUBLE NOT NULL,
                high DOUBLE NOT NULL,
                low DOUBLE NOT NULL,
                close DOUBLE NOT NULL,
                volume DOUBLE NOT NULL)`,
            `ALTER TABLE imports ADD COLUMN team VARCHAR`,
        ],
    },
];
