/**
 * On-chain data gets an owner (migration 17), like bars got theirs in migration 8 (data/ownership.ts).
 * Unlike a bar series, an on-chain source is public: two teams may well import the same Uniswap
 * pool or the same chain's gas. So the owner team is part of the key of every on-chain row — each
 * team writes its own copy and never another's — and `onchain_owners` says who may read a copy:
 * `team` (its owner only) or `shared` (every team). A source is a pool (chain, address) or a
 * chain's gas (chain, ''). Rows that existed before were imported by the local CLI, so they become
 * shared, owned by the bootstrap team 'default' (a literal: a released migration never changes).
 * DuckDB cannot change a primary key in place: the two tables are copied, dropped and renamed.
 * Never edit a released migration.
 */
import { type Migration } from '../../store/migrations.js';

export const ONCHAIN_OWNERSHIP_MIGRATIONS: readonly Migration[] = [
    {
        version: 17,
        description: 'on-chain data ownership: an owner team in every on-chain row, and each source\'s visibility',
        statements: [
            `CREATE TABLE onchain_pools_v17 (
                owner_team VARCHAR NOT NULL,
                chain VARCHAR NOT NULL,
                address VARCHAR NOT NULL,
                dex VARCHAR,
                token0 VARCHAR,
                token1 VARCHAR,
                fee_bps DOUBLE,
                PRIMARY KEY (owner_team, chain, address))`,
            `INSERT INTO onchain_pools_v17 SELECT 'default', chain, address, dex, token0, token1, fee_bps FROM onchain_pools`,
            `DROP TABLE onchain_pools`,
            `ALTER TABLE onchain_pools_v17 RENAME TO onchain_pools`,
            `CREATE TABLE onchain_series_v17 (
                owner_team VARCHAR NOT NULL,
                chain VARCHAR NOT NULL,
                address VARCHAR NOT NULL,
                metric VARCHAR NOT NULL,
                ts TIMESTAMP NOT NULL,
                block BIGINT,
                value DOUBLE NOT NULL,
                PRIMARY KEY (owner_team, chain, address, metric, ts))`,
            `INSERT INTO onchain_series_v17 SELECT 'default', chain, address, metric, ts, block, value FROM onchain_series`,
            `DROP TABLE onchain_series`,
            `ALTER TABLE onchain_series_v17 RENAME TO onchain_series`,
            `CREATE TABLE onchain_owners (
                owner_team VARCHAR NOT NULL,
                chain VARCHAR NOT NULL,
                address VARCHAR NOT NULL,
                visibility VARCHAR NOT NULL CHECK (visibility IN ('team', 'shared')),
                created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
                PRIMARY KEY (owner_team, chain, address))`,
            `INSERT INTO onchain_owners (owner_team, chain, address, visibility)
                SELECT 'default', chain, address, 'shared' FROM onchain_pools
                UNION SELECT DISTINCT 'default', chain, address, 'shared' FROM onchain_series`,
        ],
    },
];
