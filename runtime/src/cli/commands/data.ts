/**
 * `af data …`: the embedded store from the command line — import files, the bundled S&P
 * sample and synthetic markets; list, show and resample stored series.
 * Every command opens the store, does one thing and closes it (DuckDB allows one writer); while a
 * daemon holds the store, the commands it has methods for go through it (data-remote.ts).
 */
import { resolve } from 'node:path';
import { formatTs, parseDateArg } from '../../data/dates.js';
import { DataError } from '../../data/errors.js';
import { FIELDS, ImportRejected, importFile, type ColumnMap, type Field, type ImportResult } from '../../data/import.js';
import { barsQuery, exportQuery } from '../../data/export.js';
import { fetchBars } from '../../data/fetch.js';
import { listPanels, panelQuery } from '../../data/panels.js';
import { resampleSeries, showBars, type ShowResult } from '../../data/show.js';
import { resolveStateDir } from '../../../../protocol/src/discovery.js';
import { importSample as importSampleInto } from '../../data/sample.js';
import { withStore } from '../../schema/registry.js';
import { parseInstrument } from '../../data/symbols.js';
import { importSynth } from '../../data/synth-import.js';
import { CALENDARS, parseTimeframe, type Calendar } from '../../data/timeframe.js';
import { type Problem } from '../../data/validate.js';
import { auditLocal } from '../../audit/audit-log.js';
import { CliError, rejected } from '../errors.js';
import { exportThroughDaemon, holdingDaemon, notThroughDaemon } from './data-remote.js';
import { remote } from './daemon.js';
import { type ImportResultSchema } from '../../../../protocol/src/daemon/data.js';
import type * as z from 'zod';

export interface StoreCliOptions {
    stateDir?: string;
    json?: boolean;
}

/** `--map ts=Date close="Adj Close"` → ColumnMap. */
export function parseColumnMap(items: readonly string[] | undefined): ColumnMap {
    const map: ColumnMap = {};
    for (const item of items ?? []) {
        for (const part of item.split(',')) {
            const m = /^\s*([a-z]+)\s*=\s*(.+?)\s*$/.exec(part);
            if (!m || !(FIELDS as readonly string[]).includes(m[1]!)) {
                throw new CliError(`--map '${part}': write FIELD=COLUMN with FIELD one of ${FIELDS.join(', ')} (e.g. --map ts=Date close="Adj Close")`);
            }
            map[m[1] as Field] = m[2]!;
        }
    }
    return map;
}

function problemLines(problems: readonly Problem[]): string {
    let s = '';
    for (const p of problems) {
        s += `  ${p.severity.padEnd(7)} ${p.code}: ${p.count} × ${p.message}${p.repair ? ` (--repair: ${p.repair})` : ''}\n`;
        for (const e of p.examples) s += `            ${e}\n`;
    }
    return s;
}

/** An import's result as this machine or a daemon reports it. */
type ImportReport = ImportResult | z.infer<typeof ImportResultSchema>;

function importSummary(r: ImportReport): string {
    let s = `imported ${r.rowsWritten} ${r.timeframe} bars of ${r.instrument.id} from ${r.source} (${formatTs(r.firstTs)} .. ${formatTs(r.lastTs)}) in ${r.seconds.toFixed(2)} s`;
    if (r.rowsDropped > 0) s += `; dropped ${r.rowsDropped} of ${r.rowsIn} rows`;
    s += '\n';
    for (const n of r.notes) s += `  note: ${n}\n`;
    return s + problemLines(r.problems);
}

/** DataErrors become one-line CLI errors; a rejected import also prints its full report first. */
async function guarded<T>(fn: () => Promise<T>, out: (s: string) => void, json = false): Promise<T> {
    try {
        return await fn();
    } catch (e) {
        if (e instanceof ImportRejected) {
            // Under --json the problems go inside the error object (one document on stdout).
            if (!json) out(`${e.source}: problems found\n${problemLines(e.problems)}`);
            throw rejected(e.message, { source: e.source, problems: e.problems });
        }
        if (e instanceof DataError) throw rejected(e.message);
        throw e;
    }
}

export interface ImportCliOptions extends StoreCliOptions {
    venue: string;
    symbol: string;
    timeframe: string;
    calendar?: string;
    map?: string[];
    dateFormat?: string;
    format?: 'csv' | 'parquet';
    repair?: boolean;
    allowGaps?: boolean;
}

export async function dataImportCommand(file: string, o: ImportCliOptions, out: (s: string) => void): Promise<number> {
    const map = parseColumnMap(o.map);
    const daemon = holdingDaemon(o.stateDir);
    if (daemon) {
        const calendar = o.calendar === undefined ? undefined : (CALENDARS as readonly string[]).includes(o.calendar) ? o.calendar as Calendar : undefined;
        if (o.calendar !== undefined && calendar === undefined) throw new CliError(`--calendar ${o.calendar}: use ${CALENDARS.join(', ')}`);
        // The file is uploaded (streamed) into the team's upload area, then imported from there.
        const r = await remote(async () => {
            const up = await daemon.client.upload(resolve(file));
            return daemon.client.call('data.import', {
                upload: up.id, venue: o.venue, symbol: o.symbol, timeframe: o.timeframe, map, repair: o.repair ?? false, allowGaps: o.allowGaps ?? false,
                ...(calendar ? { calendar } : {}), ...(o.dateFormat ? { dateFormat: o.dateFormat } : {}), ...(o.format ? { format: o.format } : {}),
            });
        });
        out(o.json ? JSON.stringify(r, null, 2) + '\n' : importSummary(r));
        return 0;
    }
    const r = await guarded(() => withStore({ stateDir: o.stateDir }, store => importFile(store, file, {
        venue: o.venue, symbol: o.symbol, timeframe: o.timeframe, calendar: o.calendar, map, dateFormat: o.dateFormat, format: o.format,
        repair: o.repair, allowGaps: o.allowGaps,
    })), out, o.json);
    auditLocal(resolveStateDir(o.stateDir), 'cli.data.import', {
        file: r.source, 'result.instrument.id': r.instrument.id, 'result.timeframe': r.timeframe,
        'result.rowsWritten': r.rowsWritten, 'result.rowsDropped': r.rowsDropped, 'result.replaced': r.replaced,
    });
    out(o.json ? JSON.stringify(r, null, 2) + '\n' : importSummary(r));
    return 0;
}

/** Imports the bundled S&P 500 sample (data/sample.ts) into the local store. */
export async function importSample(stateDir: string | undefined): Promise<ImportResult> {
    return withStore({ stateDir }, store => importSampleInto(store));
}

export async function dataSampleCommand(o: StoreCliOptions, out: (s: string) => void): Promise<number> {
    const daemon = holdingDaemon(o.stateDir);
    const r = daemon ? await remote(() => daemon.client.call('data.sample', {})) : await guarded(() => importSample(o.stateDir), out, o.json);
    out(o.json ? JSON.stringify(r, null, 2) + '\n' : importSummary(r));
    return 0;
}

export interface SynthCliOptions extends StoreCliOptions {
    symbols: string;
    venue: string;
    timeframe: string;
    bars: number;
    seed: number;
    start?: string;
    correlation?: number;
    vol?: number;
}

export async function dataSynthCommand(o: SynthCliOptions, out: (s: string) => void): Promise<number> {
    const tf = await guarded(async () => parseTimeframe(o.timeframe), out);
    const symbols = o.symbols.split(',').map(s => s.trim()).filter(Boolean);
    const start = o.start === undefined ? undefined : await guarded(async () => parseDateArg(o.start!, '--start'), out);
    const daemon = holdingDaemon(o.stateDir);
    const results: ImportReport[] = daemon
        ? (await remote(() => daemon.client.call('data.synth', {
            symbols, venue: o.venue, timeframe: tf.label, bars: o.bars, seed: o.seed,
            ...(start !== undefined ? { start } : {}), ...(o.correlation !== undefined ? { correlation: o.correlation } : {}), ...(o.vol !== undefined ? { vol: o.vol } : {}),
        }))).series
        : await guarded(() => withStore({ stateDir: o.stateDir }, store => importSynth(store, {
            symbols, venue: o.venue, timeframe: tf.label, bars: o.bars, seed: o.seed,
            ...(start !== undefined ? { start } : {}), ...(o.correlation !== undefined ? { correlation: o.correlation } : {}), ...(o.vol !== undefined ? { annualVol: o.vol } : {}),
        })), out, o.json);
    out(o.json ? JSON.stringify(results, null, 2) + '\n' : results.map(importSummary).join(''));
    return 0;
}

export async function dataLsCommand(o: StoreCliOptions, out: (s: string) => void): Promise<number> {
    const daemon = holdingDaemon(o.stateDir);
    // Through a daemon: what the caller's team may read, with each series' owner and visibility.
    const list: { id: string; timeframe: string; bars: number; first: string; last: string; owner?: string; visibility?: string }[] = daemon
        ? (await remote(() => daemon.client.call('data.list', {}))).series.map(r => ({
            id: r.id, timeframe: r.timeframe, bars: r.bars, first: formatTs(r.firstTs), last: formatTs(r.lastTs), owner: r.owner, visibility: r.visibility,
        }))
        : (await guarded(() => withStore({ stateDir: o.stateDir }, store => store.rows(
            `SELECT venue || ':' || symbol AS id, timeframe, count(*)::DOUBLE AS bars, epoch_ms(min(ts))::DOUBLE AS first, epoch_ms(max(ts))::DOUBLE AS last
             FROM bars GROUP BY venue, symbol, timeframe ORDER BY venue, symbol, timeframe`)), out))
            .map(r => ({ id: String(r.id), timeframe: String(r.timeframe), bars: Number(r.bars), first: formatTs(Number(r.first)), last: formatTs(Number(r.last)) }));
    if (o.json) {
        out(JSON.stringify(list, null, 2) + '\n');
        return 0;
    }
    if (list.length === 0) {
        out('the store is empty; import bars with af data import FILE …, af data sample or af data synth\n');
        return 0;
    }
    const owners = list.some(r => r.owner !== undefined);
    out(`${'instrument'.padEnd(24)} ${'tf'.padEnd(5)} ${'bars'.padStart(9)}  first        last${owners ? '         owner' : ''}\n`);
    for (const r of list) {
        out(`${r.id.padEnd(24)} ${r.timeframe.padEnd(5)} ${String(r.bars).padStart(9)}  ${r.first.padEnd(12)} ${owners ? `${r.last.padEnd(12)} ${r.owner}${r.visibility === 'shared' ? ' (shared)' : ''}` : r.last}\n`);
    }
    return 0;
}

export interface ShowCliOptions extends StoreCliOptions {
    timeframe?: string;
    from?: string;
    to?: string;
    limit: number;
    tail?: boolean;
}

export async function dataShowCommand(instrument: string, o: ShowCliOptions, out: (s: string) => void): Promise<number> {
    const daemon = holdingDaemon(o.stateDir);
    const req = { instrument, timeframe: o.timeframe, from: o.from, to: o.to, limit: o.limit, tail: o.tail };
    // Through a daemon holding the store: what the caller's team may read, the same output.
    const r: ShowResult = daemon
        ? await remote(() => daemon.client.call('data.show', { ...req, tail: o.tail ?? false }))
        : await guarded(() => withStore({ stateDir: o.stateDir }, store => showBars(store, req)), out);
    if (o.json) {
        out(JSON.stringify({ instrument: r.instrument, timeframe: r.timeframe, bars: r.bars, snapshotHash: r.snapshotHash, source: r.source,
            rows: r.rows.map(x => ({ ...x, ts: formatTs(x.ts) })), imports: r.imports }, null, 2) + '\n');
        return 0;
    }
    out(`${r.instrument} ${r.timeframe}${r.source !== r.timeframe ? ` (resampled from ${r.source})` : ''}: ${r.bars} bars${r.firstTs !== undefined && r.lastTs !== undefined ? `, ${formatTs(r.firstTs)} .. ${formatTs(r.lastTs)}` : ''}, snapshot ${r.snapshotHash.slice(0, 16)}\n\n`);
    const num = (x: number) => (Number.isFinite(x) ? x.toFixed(Math.abs(x) >= 1000 ? 2 : 4) : 'NaN').padStart(14);
    const vol = (x: number) => ` ${Number.isFinite(x) ? x.toFixed(x >= 1000 ? 0 : 4) : 'NaN'}`.padStart(18);
    out(`${'ts'.padEnd(20)}${['open', 'high', 'low', 'close'].map(h => h.padStart(14)).join('')}${'volume'.padStart(18)}\n`);
    for (const x of r.rows) out(`${formatTs(x.ts).padEnd(20)}${num(x.open)}${num(x.high)}${num(x.low)}${num(x.close)}${vol(x.volume)}\n`);
    if (r.bars > r.rows.length) out(`… ${r.bars - r.rows.length} more (--limit, --tail, --from, --to)\n`);
    if (r.imports.length) {
        out(`\nimports:\n`);
        for (const i of r.imports) out(`  #${i.id} ${i.at} ${i.timeframe} ${i.rows} bars from ${i.source}\n`);
    }
    return 0;
}

export async function dataResampleCommand(instrument: string, o: StoreCliOptions & { to: string }, out: (s: string) => void): Promise<number> {
    const daemon = holdingDaemon(o.stateDir);
    // Through a daemon holding the store: stored as the caller's team's series.
    const r = daemon
        ? await remote(() => daemon.client.call('data.resample', { instrument, to: o.to }))
        : await guarded(() => withStore({ stateDir: o.stateDir }, store => resampleSeries(store, { instrument, to: o.to })), out, o.json);
    out(o.json ? JSON.stringify(r, null, 2) + '\n' : importSummary(r));
    return 0;
}

export interface FetchCliOptions extends StoreCliOptions {
    since: string;
    until?: string;
    limit?: number;
    urls?: string;
    timeout?: number;
}

/** `af data fetch VENUE SYMBOL TIMEFRAME --since`: OHLCV through ccxt, paginated and rate-limited, then one validated import. */
export async function dataFetchCommand(venue: string, symbol: string, timeframe: string, o: FetchCliOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
    const r = await guarded(() => withStore({ stateDir: o.stateDir }, store => fetchBars(store, {
        venue, symbol, timeframe, since: o.since, until: o.until, limit: o.limit, urls: o.urls, timeoutMs: o.timeout,
        onProgress: o.json ? undefined : (n, last) => err(`\rfetched ${n} bars, up to ${formatTs(last)}`),
    })), out, o.json);
    if (!o.json) err('\n');
    out(o.json ? JSON.stringify(r, null, 2) + '\n' : `${importSummary(r)}  ${r.requests} request(s), ${r.pages} page(s) from ${r.apiUrl}${r.rateLimited ? `, rate-limited ${r.rateLimited}×` : ''}${r.formingDropped ? '; the still-forming last candle was left out' : ''}\n`);
    return 0;
}

export interface ExportCliOptions extends StoreCliOptions {
    sql?: string;
    symbols?: string;
    timeframe?: string;
    from?: string;
    to?: string;
    panel?: string;
    wide?: boolean;
    format?: string;
}

/** `af data export OUT (--sql Q | --symbols ids --timeframe tf | --panel NAME)`: Parquet, Arrow IPC or CSV for notebooks. */
export async function dataExportCommand(file: string, o: ExportCliOptions, out: (s: string) => void): Promise<number> {
    const sources = [o.sql !== undefined, o.symbols !== undefined, o.panel !== undefined].filter(Boolean).length;
    if (sources !== 1) throw new CliError('say what to export with exactly one of --sql QUERY, --symbols venue:SYMBOL,… (with --timeframe) or --panel NAME');
    if (o.symbols !== undefined && !o.timeframe) throw new CliError('--symbols needs --timeframe (e.g. 1d)');
    const daemon = holdingDaemon(o.stateDir);
    if (daemon) {
        if (o.symbols === undefined) throw notThroughDaemon(o.sql !== undefined ? 'a free SQL query (--sql)' : 'a panel export (--panel)', daemon.pid, 'export bars with --symbols');
        const r = await exportThroughDaemon(daemon.client, file, { ids: o.symbols.split(',').map(x => parseInstrument(x.trim()).id), timeframe: o.timeframe!, from: o.from, to: o.to, format: o.format });
        out(o.json ? JSON.stringify(r, null, 2) + '\n' : `wrote ${r.rows} rows × ${r.columns.length} columns (${r.columns.join(', ')}) to ${r.file} as ${r.format} (${(r.bytes / 1024).toFixed(1)} KiB)\n`);
        return 0;
    }
    const r = await guarded(() => withStore({ stateDir: o.stateDir }, async store => {
        const sql = o.sql ?? (o.panel !== undefined
            ? await panelQuery(store, o.panel, { layout: o.wide ? 'wide' : 'long' })
            : barsQuery({ ids: o.symbols!.split(',').map(x => parseInstrument(x.trim()).id), timeframe: o.timeframe!, from: o.from, to: o.to }));
        return exportQuery(store, sql, file, { format: o.format as never });
    }), out);
    auditLocal(resolveStateDir(o.stateDir), 'cli.data.export', {
        ...(o.sql !== undefined ? { query: o.sql.slice(0, 1000) } : {}), ...(o.symbols !== undefined ? { symbols: o.symbols } : {}), ...(o.panel !== undefined ? { panel: o.panel } : {}),
        'result.file': r.file, 'result.format': r.format, 'result.rows': r.rows, 'result.bytes': r.bytes,
    });
    out(o.json ? JSON.stringify(r, null, 2) + '\n' : `wrote ${r.rows} rows × ${r.columns.length} columns (${r.columns.join(', ')}) to ${r.file} as ${r.format} (${(r.bytes / 1024).toFixed(1)} KiB)\n`);
    return 0;
}

export async function dataPanelsCommand(o: StoreCliOptions, out: (s: string) => void): Promise<number> {
    const panels = await guarded(() => withStore({ stateDir: o.stateDir }, store => listPanels(store)), out);
    if (o.json) {
        out(JSON.stringify(panels, null, 2) + '\n');
        return 0;
    }
    if (panels.length === 0) out('no panels stored; af data panel FILE computes one\n');
    for (const p of panels) {
        out(`${p.name.padEnd(24)} ${p.strategy} · ${p.symbols.length} symbol(s) × ${p.features.length} column(s) × ${p.bars} bars`
            + `${p.firstTs !== null && p.lastTs !== null ? `, ${formatTs(p.firstTs)} .. ${formatTs(p.lastTs)}` : ''} · fingerprint ${p.exactFingerprint.slice(0, 12)}\n`);
    }
    return 0;
}
