/**
 * The HFT pack over the daemon (docs/packs.md § The HFT pack): tick data — data.hft.import (a
 * trades or L2 book file of a public layout: an upload or a confined file), data.hft.sample,
 * data.hft.synth, data.hft.list, data.hft.show — each into or out of the caller's team's copy of
 * an instrument; and hft.backtest, an event-driven backtest over that data (the same result as
 * `af hft backtest`).
 */
import * as z from 'zod';
import { method } from './method.js';
import { Count, DateArg, EpochMs, MAX_SOURCE_CHARS, Name, ParamValue, Uri } from './fields.js';

/** The tick-data layouts (CSV, or Parquet with the same columns). */
export const HFT_FORMATS = ['binance-trades', 'binance-aggtrades', 'tardis-trades', 'tardis-book-l2', 'tardis-book-snapshot'] as const;

const Venue = z.string().min(1).max(32).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, _ and - (e.g. binance)');
const Symbol = z.string().min(1).max(40).regex(/^[A-Za-z0-9][A-Za-z0-9/._-]*$/, 'letters, digits and / . - _ (e.g. BTC/USDT)');
const Visibility = z.enum(['team', 'shared']).describe('team (default for a new copy): only your team reads it; shared: every team reads it (needs the admin role)');

export const HftImportResultSchema = z.object({
    venue: z.string(),
    symbol: z.string(),
    trades: Count,
    bookRows: Count,
    firstUs: z.number().nullable().describe('µs since the epoch; null without rows'),
    lastUs: z.number().nullable(),
});

export const HftSeriesSchema = z.object({
    id: z.string().describe('venue:SYMBOL'),
    venue: z.string(),
    symbol: z.string(),
    owner: z.string().describe('The team whose copy this is'),
    visibility: z.enum(['team', 'shared']),
    trades: Count,
    bookRows: Count,
    firstUs: z.number().nullable(),
    lastUs: z.number().nullable(),
});

export const HftEventSchema = z.object({
    ms: EpochMs.describe('ms since the epoch (µs as a fraction)'),
    kind: z.enum(['trade', 'level', 'snapshot']),
    side: z.number().int().describe('trades: 1 buyer-initiated, -1 seller-initiated, 0 not known; book: 1 bid, -1 ask'),
    price: z.number(),
    qty: z.number(),
});

export const HftFillSchema = z.object({ ms: EpochMs, side: z.number().int(), price: z.number(), qty: z.number(), maker: z.boolean() });

export const HftBacktestResultSchema = z.object({
    strategy: z.string(),
    instrument: z.string().describe('venue:SYMBOL'),
    dataOwner: z.string().describe('Whose copy of the tick data the run read'),
    events: Count,
    decisions: Count,
    fills: z.array(HftFillSchema).describe('The first `fills` fills'),
    fillCount: Count,
    ordersSent: Count,
    cancelsSent: Count,
    unfilled: z.number(),
    inventory: z.number(),
    maxAbsInventory: z.number(),
    cash: z.number(),
    feesPaid: z.number(),
    pnl: z.number().describe('Cash plus inventory at the last mid'),
    equity: z.object({ ms: z.array(z.number()), pnl: z.array(z.number()) }).describe('Equity at the first decision of each second'),
    params: z.record(z.string(), ParamValue),
    provenance: z.object({ exactFingerprint: z.string(), structuralFingerprint: z.string(), engineVersion: z.string() }),
});

const FileOrUpload = {
    file: z.string().min(1).max(4096).optional().describe('A .csv, .parquet or .pq file on the daemon\'s host inside its data directories (the workspace it runs in, `--data-dir`, `<state dir>/imports/`); errors name the file, line (or row) and column only'),
    upload: z.string().min(1).max(64).optional().describe('The id of an upload of your team (PUT /uploads/<name>); errors may quote the file'),
};

export const HFT_METHODS = {
    'data.hft.import': method('researcher', 'Import one tick-data file (trades or L2 book rows in a public layout: Binance trades/aggTrades, Tardis trades, incremental_book_L2, book_snapshot_N; CSV, or Parquet with the same columns; the same as `af data hft import`) into your team\'s copy of the instrument: an upload of your team, or a file in the daemon\'s data directories. Every row checked, all or nothing; the file\'s time range of that table is replaced. At most 32 MiB, within the store\'s bulk time limit.',
        z.strictObject({
            ...FileOrUpload,
            format: z.enum(HFT_FORMATS),
            venue: Venue,
            symbol: Symbol,
            visibility: Visibility.optional(),
        }).superRefine((v, ctx) => {
            if ((v.file === undefined) === (v.upload === undefined)) ctx.addIssue({ code: 'custom', path: ['upload'], message: 'give exactly one of upload and file' });
        }),
        HftImportResultSchema),
    'data.hft.sample': method('researcher', 'Import the bundled tick-data sample (synth:BTC/USDT, Tardis layout, seed 1; the same as `af data hft sample`) into your team\'s copy. Again: nothing changes.',
        z.strictObject({}),
        z.object({ imports: z.array(HftImportResultSchema) })),
    'data.hft.synth': method('researcher', 'Generate and store a seeded synthetic market of trades and L2 book updates (the same as `af data hft synth`) as your team\'s copy of the instrument. The same seed gives the same events. At most 2,000,000 events.',
        z.strictObject({
            venue: Venue.default('synth'),
            symbol: Symbol.default('BTC/USDT'),
            events: z.number().int().min(10).max(2_000_000).default(100_000),
            seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
            start: DateArg.optional().describe('time of the first event (default 2024-01-02)'),
        }),
        HftImportResultSchema),
    'data.hft.list': method('viewer', 'The copies of tick-data instruments your team may read (its own and shared ones): trade and book-row counts, first and last time, owner team and visibility.',
        z.strictObject({ venue: z.string().max(32).optional(), symbol: z.string().max(40).optional() }),
        z.object({ series: z.array(HftSeriesSchema) })),
    'data.hft.show': method('viewer', 'The tick data of one instrument your team may read (its own copy, else a shared one): the first or last `limit` events of a range, in the order the event engine reads them.',
        z.strictObject({
            instrument: z.string().min(3).max(80).regex(/^[^:\s]+:\S+$/, 'venue:SYMBOL, e.g. synth:BTC/USDT').describe('venue:SYMBOL'),
            from: DateArg.optional(),
            to: DateArg.optional(),
            limit: z.number().int().min(1).max(1000).default(20),
            tail: z.boolean().default(false).describe('the last events instead of the first'),
        }),
        z.object({ instrument: z.string(), owner: z.string(), events: Count.describe('Events in the range (all of them, not only those returned)'), rows: z.array(HftEventSchema) })),
    'hft.backtest': method('researcher', 'Backtest a strategy with `execution { mode: event_driven }` event by event over its instrument\'s tick data your team may read (the same result as `af hft backtest --json`). It runs in a worker thread within the daemon\'s run memory limit and `timeoutMs`; the answer carries the first `fills` fills.',
        z.strictObject({
            source: z.string().min(1).max(MAX_SOURCE_CHARS).describe('The strategy\'s .af text'),
            uri: Uri.optional(),
            strategy: Name.optional().describe('Which strategy of the file (default: the first)'),
            params: z.record(z.string().max(128), ParamValue).optional(),
            from: DateArg.optional(),
            to: DateArg.optional(),
            latencyMs: z.number().min(0).max(60_000).optional().describe('Overrides the strategy\'s latency_ms'),
            fills: z.number().int().min(0).max(10_000).default(1000).describe('How many fills the answer carries (all are counted)'),
            timeoutMs: z.number().int().min(1000).max(3_600_000).default(600_000).describe('Stop the backtest after this long'),
        }),
        HftBacktestResultSchema),
} as const;
