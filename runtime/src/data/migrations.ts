/**
 * The schema of alphaforge.duckdb, as ordered migrations. Each migration runs in its own
 * transaction together with its schema_version row, so a crash leaves the database at the
 * previous version, never half-way. Append new migrations; never edit a released one.
 * Timestamps are TIMESTAMP holding UTC (the connection's TimeZone is pinned to UTC).
 */
import { type DuckDBConnection } from '@duckdb/node-api';
import { DataError } from './errors.js';
import { EXPERIMENT_MIGRATIONS } from '../experiments/schema.js';
import { IAM_MIGRATIONS } from '../iam/schema.js';
import { RUN_ARTIFACT_MIGRATIONS, RUN_MIGRATIONS } from '../orchestrator/schema.js';

export interface Migration {
    readonly version: number;
    readonly description: string;
    readonly statements: readonly string[];
}

const DATA_MIGRATIONS: readonly Migration[] = [
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
const DATA_OWNERSHIP_MIGRATIONS: readonly Migration[] = [
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

/**
 * Every module's migrations, in version order: the data store's own (1–3), then the daemon's
 * modules, each owning its tables in its own schema.ts, then later ones of any module in the
 * order they were released. Versions must run 1, 2, 3, … without gaps.
 */
export const MIGRATIONS: readonly Migration[] = [...DATA_MIGRATIONS, ...IAM_MIGRATIONS, ...RUN_MIGRATIONS, ...EXPERIMENT_MIGRATIONS, ...DATA_OWNERSHIP_MIGRATIONS, ...RUN_ARTIFACT_MIGRATIONS];
MIGRATIONS.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${i + 1} has version ${m.version}: versions must be consecutive`);
});

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

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
        throw new DataError(`${file} is a DuckDB database but not an AlphaForge one (no schema_version table; it has ${names.slice(0, 5).join(', ')}); use another --state-dir`);
    }
    return Number(await scalar(conn, 'SELECT coalesce(max(version), 0) FROM schema_version'));
}

/**
 * Brings the database up to `target` (default: the latest). A database newer than this
 * program knows is refused untouched: writing to it could corrupt data an upgraded af relies on.
 */
export async function migrate(conn: DuckDBConnection, file: string, target = LATEST_VERSION): Promise<{ from: number; to: number }> {
    const from = await currentVersion(conn, file);
    if (from > LATEST_VERSION) {
        throw new DataError(`${file} has schema version ${from}, newer than this af understands (${LATEST_VERSION}); upgrade AlphaForge or use another --state-dir`);
    }
    for (const m of MIGRATIONS) {
        if (m.version <= from || m.version > target) continue;
        await conn.run('BEGIN TRANSACTION');
        try {
            if (m.version === 1) await conn.run(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`);
            for (const s of m.statements) await conn.run(s);
            await conn.run(`INSERT INTO schema_version VALUES ($1, $2, now() AT TIME ZONE 'UTC')`, [m.version, m.description]);
            await conn.run('COMMIT');
        } catch (e) {
            await conn.run('ROLLBACK');
            throw e;
        }
    }
    return { from, to: Math.max(from, Math.min(target, LATEST_VERSION)) };
}
