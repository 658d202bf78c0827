/**
 * Market data over the daemon: data.list, data.import (a confined file or an upload), data.sample,
 * data.synth (a seeded synthetic market), data.export
 * (a structured request into the team's export folder; never SQL), data.show (one instrument's bars
 * and import log), data.resample (store a coarser timeframe), data.onchain.import (a file of the
 * on-chain pack's layouts, into the caller's team's copy), and the upload result.
 */
import * as z from 'zod';
import { method } from './method.js';
import { Count, DateArg, EpochMs } from './fields.js';
import { EXPORTS_PATH } from '../transport.js';

export const InstrumentSchema = z.object({
    id: z.string().describe('venue:SYMBOL'),
    venue: z.string(),
    symbol: z.string(),
    kind: z.enum(['pair', 'ticker']),
    base: z.string().optional(),
    quote: z.string().optional(),
});

export const SeriesSchema = z.object({
    id: z.string().describe('venue:SYMBOL'),
    venue: z.string(),
    symbol: z.string(),
    timeframe: z.string(),
    bars: Count,
    firstTs: EpochMs,
    lastTs: EpochMs,
    owner: z.string().describe('The team that owns the series: only it may replace or extend its bars'),
    visibility: z.enum(['team', 'shared']).describe('team: only the owner team reads it; shared: every team reads it'),
});

export const ImportProblemSchema = z.object({
    code: z.string(),
    severity: z.enum(['error', 'warning', 'info']),
    count: Count,
    message: z.string(),
    rows: z.array(z.number().int()),
    examples: z.array(z.string()),
    repair: z.enum(['drop', 'sort', 'drop-earlier']).optional(),
});

export const ImportResultSchema = z.object({
    source: z.string(),
    instrument: InstrumentSchema,
    timeframe: z.string(),
    rowsIn: Count,
    rowsWritten: Count,
    rowsDropped: Count,
    replaced: Count,
    firstTs: EpochMs,
    lastTs: EpochMs,
    problems: z.array(ImportProblemSchema),
    notes: z.array(z.string()),
    seconds: z.number(),
});

export const EXPORT_FORMATS = ['parquet', 'arrow', 'csv'] as const;
/** The columns data.export may write (bars in long format). */
export const BAR_EXPORT_COLUMNS = ['symbol', 'ts', 'open', 'high', 'low', 'close', 'volume'] as const;
/** The answer to a data.export that still carries `query`. */
export const NO_SQL_OVER_RPC = 'free SQL is not accepted over RPC; describe the bars instead: bars { ids: ["venue:SYMBOL"], timeframe, from?, to?, columns? }. Free queries are for the local CLI (af data export --sql), on a store it owns';
export const ExportResultSchema = z.object({
    file: z.string().describe(`Name of the written file in the caller's team export folder: download it with GET ${EXPORTS_PATH}/<file> (DaemonClient.download)`),
    format: z.enum(EXPORT_FORMATS),
    rows: Count,
    columns: z.array(z.string()),
    bytes: Count,
});

/** An export's file name in the team's export folder (the daemon refuses folders, dot-files and unknown extensions). */
export const ExportName = z.string().min(1).max(128)
    .describe('File name in your team\'s export folder (.parquet, .pq, .arrow, .feather, .ipc or .csv; no folders); default: one the daemon picks. Download it with GET /exports/<name>');

/** What `PUT /uploads/<name>` answers. */
export const UploadResultSchema = z.object({
    id: z.string().describe('Pass it as data.import {upload}; only your team can'),
    name: z.string(),
    bytes: Count,
    sha256: z.string(),
});
export type UploadResult = z.infer<typeof UploadResultSchema>;


/** venue:SYMBOL of a stored instrument. */
const InstrumentArg = z.string().min(3).max(128).regex(/^[^:\s]+:\S+$/, 'venue:SYMBOL, e.g. sp:SPX').describe('venue:SYMBOL, e.g. sp:SPX');

export const ShowResultSchema = z.object({
    instrument: z.string().describe('venue:SYMBOL'),
    timeframe: z.string(),
    source: z.string().describe('The stored timeframe the bars came from (differs when resampled on the fly)'),
    bars: Count.describe('Bars in the range (all of them, not only the rows returned)'),
    firstTs: EpochMs.optional(),
    lastTs: EpochMs.optional(),
    snapshotHash: z.string(),
    rows: z.array(z.object({ ts: EpochMs, open: z.number(), high: z.number(), low: z.number(), close: z.number(), volume: z.number() })),
    imports: z.array(z.object({ id: Count, at: z.string(), source: z.string().describe('The file or command the import came from; hidden unless the caller\'s team imported it'), timeframe: z.string(), rows: Count })),
});

/** The on-chain layouts (docs/packs.md § The onchain pack). */
export const ONCHAIN_KINDS = ['pools', 'swaps', 'tvl', 'gas'] as const;

export const OnchainImportResultSchema = z.object({
    pools: Count,
    swaps: Count,
    tvl: Count,
    gas: Count,
    seriesRows: Count.describe('Rows written to the on-chain series (swaps are summed per pool and time)'),
});

export const DATA_METHODS = {
    'data.list': method('viewer', 'Stored bar series the caller\'s team may read (its own and shared ones): instrument, timeframe, bar count, first and last bar, owner team and visibility.',
        z.strictObject({ venue: z.string().max(64).optional(), symbol: z.string().max(128).optional(), timeframe: z.string().max(16).optional() }),
        z.object({ series: z.array(SeriesSchema) })),
    'data.import': method('researcher', 'Import bars from a CSV or Parquet file (validated; all or nothing, like `af data import`): an upload of your team (`PUT /uploads/<name>`, then `upload`), or a file in the daemon\'s data directories (`file`). A new series is owned by the caller\'s team; a series of another team is refused (403), and replaced bars are kept so older snapshots stay reproducible.',
        z.strictObject({
            file: z.string().min(1).max(4096).optional().describe('A .csv, .tsv, .parquet or .pq file on the daemon\'s host inside its data directories (the workspace it runs in, `--data-dir`, `<state dir>/imports/`); errors name the file, line numbers and problem classes only'),
            upload: z.string().min(1).max(64).optional().describe('The id of an upload of your team (PUT /uploads/<name>); errors may quote the file'),
            venue: z.string().min(1).max(64),
            symbol: z.string().min(1).max(128),
            timeframe: z.string().min(1).max(16),
            calendar: z.enum(['24x7', 'weekdays', 'nyse']).optional().describe('Which bars are expected: 24x7, weekdays, or nyse (weekdays less NYSE holidays)'),
            repair: z.boolean().default(false),
            allowGaps: z.boolean().default(false),
            map: z.strictObject({ ts: z.string(), open: z.string(), high: z.string(), low: z.string(), close: z.string(), volume: z.string() }).partial().optional().describe('field → source column'),
            dateFormat: z.string().max(64).optional(),
            format: z.enum(['csv', 'parquet']).optional(),
            visibility: z.enum(['team', 'shared']).optional().describe('team (default for a new series): only the caller\'s team reads it; shared: every team reads it (needs the admin role)'),
        }).superRefine((v, ctx) => {
            if ((v.file === undefined) === (v.upload === undefined)) ctx.addIssue({ code: 'custom', path: ['upload'], message: 'give exactly one of upload and file' });
        }),
        ImportResultSchema),
    'data.sample': method('researcher', 'Import the bundled sample (real S&P 500 daily bars 2000–2020, sp:SPX 1d, the same as `af data sample`) into the caller\'s team. Again: nothing changes. Refused (403) when another team owns sp:SPX 1d.',
        z.strictObject({}),
        ImportResultSchema),
    'data.synth': method('researcher', 'Generate and import a seeded synthetic market (correlated assets, regime-switching; the same as `af data synth`) into the caller\'s team: one series per symbol. The same seed gives the same bars. At most 50 symbols and 2,000,000 bars in all.',
        z.strictObject({
            symbols: z.array(z.string().min(1).max(64).regex(/^[A-Za-z0-9](?:[A-Za-z0-9_/-]|\.(?!\.))*$/, 'letters, digits and . _ / - only, starting with a letter or digit, no ..')).min(1).max(50)
                .refine(s => new Set(s.map(x => x.toUpperCase())).size === s.length, 'a symbol is named twice'),
            venue: z.string().min(1).max(64).regex(/^[a-z0-9_-]+$/i, 'letters, digits, _ and - only').default('synth'),
            timeframe: z.string().min(1).max(16).default('1d'),
            bars: z.number().int().min(1).max(200_000).default(2000).describe('bars per symbol'),
            seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
            start: DateArg.optional().describe('first bar (default 2020-01-01)'),
            correlation: z.number().min(0).lt(1).optional().describe('correlation of returns between assets (default 0.5)'),
            vol: z.number().positive().max(5).optional().describe('annualised volatility of the calm regimes (default 0.6)'),
        }).refine(v => v.symbols.length * v.bars <= 2_000_000, { path: ['bars'], message: 'at most 2,000,000 bars in all (symbols × bars)' }),
        z.object({ series: z.array(ImportResultSchema) })),
    'data.export': method('researcher', 'Write stored bars the caller\'s team may read to a Parquet, Arrow IPC or CSV file in your team\'s export folder (download it with `GET /exports/<file>`): instruments, timeframe (resampled from a finer stored one when needed), range and columns. No SQL over RPC: free queries are for the local CLI (`af data export --sql`).',
        z.strictObject({
            name: ExportName.optional(),
            format: z.enum(EXPORT_FORMATS).optional().describe('default: from the name\'s extension, else parquet'),
            bars: z.strictObject({
                ids: z.array(z.string().min(1).max(128)).min(1).max(1000).describe('venue:SYMBOL'),
                timeframe: z.string().min(1).max(16).describe('stored, or a coarser multiple of a stored one (resampled as runs see it)'),
                from: DateArg.optional(),
                to: DateArg.optional(),
                columns: z.array(z.enum(BAR_EXPORT_COLUMNS)).min(1).max(BAR_EXPORT_COLUMNS.length).optional()
                    .refine(c => c === undefined || new Set(c).size === c.length, 'a column is named twice')
                    .describe('default: all, in this order'),
            }),
        }, { error: i => (i.code === 'unrecognized_keys' && i.keys.includes('query') ? NO_SQL_OVER_RPC : undefined) }),
        ExportResultSchema),
    'data.show': method('viewer', 'The bars of one instrument the caller\'s team may read (resampled on the fly when only a finer timeframe is stored), the first or last `limit` rows of a range, and its import log; the same as `af data show`.',
        z.strictObject({
            instrument: InstrumentArg,
            timeframe: z.string().min(1).max(16).optional().describe('default: the one stored timeframe'),
            from: DateArg.optional(),
            to: DateArg.optional(),
            limit: z.number().int().min(1).max(1000).default(20),
            tail: z.boolean().default(false).describe('the last rows instead of the first'),
        }),
        ShowResultSchema),
    'data.resample': method('researcher', 'Store a coarser timeframe of a stored series the caller\'s team may read, as a series of the caller\'s team (a coarse bar exists only once all its source bars have closed); the same as `af data resample`. Refused (403) when another team owns the target series.',
        z.strictObject({
            instrument: InstrumentArg,
            to: z.string().min(1).max(16).describe('target timeframe, e.g. 4h, 1d, 1w'),
        }),
        ImportResultSchema),
    'data.onchain.import': method('researcher', 'Import one file of an on-chain layout (pools, swaps, tvl or gas: CSV with a header row, or a JSON array; docs/packs.md § The onchain pack; the same as `af data onchain import`): an upload of your team, or a file in the daemon\'s data directories. Validated, all or nothing. It writes your team\'s copy of each pool and chain (other teams\' copies are never touched); swaps and TVL must name a pool your team imported. Runs of your team read your copies and shared ones.',
        z.strictObject({
            kind: z.enum(ONCHAIN_KINDS),
            file: z.string().min(1).max(4096).optional().describe('A .csv or .json file on the daemon\'s host inside its data directories (the workspace it runs in, `--data-dir`, `<state dir>/imports/`); errors name the file, line and column only'),
            upload: z.string().min(1).max(64).optional().describe('The id of an upload of your team (PUT /uploads/<name>); errors may quote the file'),
            format: z.enum(['csv', 'json']).optional().describe('default: from the file name\'s extension'),
            visibility: z.enum(['team', 'shared']).optional().describe('team (default for a new source): only your team reads your copy; shared: every team reads it (needs the admin role)'),
        }).superRefine((v, ctx) => {
            if ((v.file === undefined) === (v.upload === undefined)) ctx.addIssue({ code: 'custom', path: ['upload'], message: 'give exactly one of upload and file' });
        }),
        OnchainImportResultSchema),
} as const;
