/**
 * Schema of tick data for the HFT pack (migration 16): trades and L2 order-book rows per instrument,
 * and `hft_series`, each instrument's owner team and visibility — the same rule as the bars'
 * `series` (data/ownership.ts): a team's import owns a new instrument, the local CLI's is shared and
 * owned by the bootstrap team `default`. Migration 19 makes the owner team part of every key, as
 * the on-chain tables got in 17: each team keeps its own copy of an instrument (a public venue's
 * BTC/USDT would otherwise belong to whichever team imported it first), and a copy is read only by
 * its team, or by every team when it is shared. Contributed to the one list in runtime/src/schema/.
 * Never edit a released migration.
 */
import type { Migration } from '../../store/migrations.js';

export const HFT_MIGRATIONS: readonly Migration[] = [
    {
        version: 16,
        description: 'tick data for the hft pack: trades, L2 book snapshots and deltas, their owner',
        statements: [
            `CREATE TABLE hft_series (
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                owner_team VARCHAR NOT NULL,
                visibility VARCHAR NOT NULL CHECK (visibility IN ('team', 'shared')),
                created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
                PRIMARY KEY (venue, symbol))`,
            // No primary keys (like bars): rows are bulk-imported, a range replaced whole; read in
            // (ts, seq) order, seq being the row's order in its file (events of one microsecond keep it).
            // side: 1 the buyer was the aggressor, -1 the seller, 0 not known.
            `CREATE TABLE hft_trades (
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                ts TIMESTAMP NOT NULL,
                seq BIGINT NOT NULL,
                price DOUBLE NOT NULL CHECK (price > 0),
                qty DOUBLE NOT NULL CHECK (qty > 0),
                side TINYINT NOT NULL CHECK (side IN (-1, 0, 1)),
                trade_id VARCHAR)`,
            // One price level per row: the level's new total size (0 removes it). Rows of one
            // snapshot share ts and have snapshot = true: together they replace the book.
            // side: 1 bid, -1 ask.
            `CREATE TABLE hft_book (
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                ts TIMESTAMP NOT NULL,
                seq BIGINT NOT NULL,
                snapshot BOOLEAN NOT NULL,
                side TINYINT NOT NULL CHECK (side IN (-1, 1)),
                price DOUBLE NOT NULL CHECK (price > 0),
                qty DOUBLE NOT NULL CHECK (qty >= 0))`,
        ],
    },
];

/** Migration 19: the owner team in every key (each team's own copy of an instrument). */
export const HFT_OWNERSHIP_MIGRATIONS: readonly Migration[] = [
    {
        version: 19,
        description: 'hft tick data ownership: an owner team in every tick row, one copy of an instrument per team',
        statements: [
            `CREATE TABLE hft_series_v19 (
                owner_team VARCHAR NOT NULL,
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                visibility VARCHAR NOT NULL CHECK (visibility IN ('team', 'shared')),
                created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
                PRIMARY KEY (owner_team, venue, symbol))`,
            `INSERT INTO hft_series_v19 SELECT owner_team, venue, symbol, visibility, created_at FROM hft_series`,
            `DROP TABLE hft_series`,
            `ALTER TABLE hft_series_v19 RENAME TO hft_series`,
            `CREATE TABLE hft_trades_v19 (
                owner_team VARCHAR NOT NULL,
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                ts TIMESTAMP NOT NULL,
                seq BIGINT NOT NULL,
                price DOUBLE NOT NULL CHECK (price > 0),
                qty DOUBLE NOT NULL CHECK (qty > 0),
                side TINYINT NOT NULL CHECK (side IN (-1, 0, 1)),
                trade_id VARCHAR)`,
            // Rows already stored belong to their instrument's one owner.
            `INSERT INTO hft_trades_v19 SELECT s.owner_team, t.venue, t.symbol, t.ts, t.seq, t.price, t.qty, t.side, t.trade_id
                FROM hft_trades t JOIN hft_series s USING (venue, symbol)`,
            `DROP TABLE hft_trades`,
            `ALTER TABLE hft_trades_v19 RENAME TO hft_trades`,
            `CREATE TABLE hft_book_v19 (
                owner_team VARCHAR NOT NULL,
                venue VARCHAR NOT NULL,
                symbol VARCHAR NOT NULL,
                ts TIMESTAMP NOT NULL,
                seq BIGINT NOT NULL,
                snapshot BOOLEAN NOT NULL,
                side TINYINT NOT NULL CHECK (side IN (-1, 1)),
                price DOUBLE NOT NULL CHECK (price > 0),
                qty DOUBLE NOT NULL CHECK (qty >= 0))`,
            `INSERT INTO hft_book_v19 SELECT s.owner_team, b.venue, b.symbol, b.ts, b.seq, b.snapshot, b.side, b.price, b.qty
                FROM hft_book b JOIN hft_series s USING (venue, symbol)`,
            `DROP TABLE hft_book`,
            `ALTER TABLE hft_book_v19 RENAME TO hft_book`,
        ],
    },
];
