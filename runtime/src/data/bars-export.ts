/**
 * `data.export` over RPC: stored bars described by a structured request — instruments, timeframe,
 * range and columns from a fixed list — never SQL. Free SQL stays with the local CLI
 * (`af data export --sql`, export.ts), whose user owns the database file anyway.
 *
 * The bars are read exactly as a run of the caller's team reads them (load.ts: only series the
 * team may read, resampled on the fly when the timeframe is not stored but a finer one is) and
 * written from a locked-down in-memory sandbox (sandbox.ts) that holds nothing but these rows and
 * can touch nothing but a fresh work directory next to the destination. The file is moved into
 * place only when complete. An export is one bulk call on the store (call-gate.ts): bounded by its
 * bulk time limit, and the sandbox is interrupted with it (limit passed, daemon stopping).
 */
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BAR_EXPORT_COLUMNS } from '../../../protocol/src/daemon/index.js';
import { DataError, firstLine } from './errors.js';
import { exportFormatOf, exportQuery, type Connected, type ExportFormat, type ExportResult } from './export.js';
import { loadFromStore } from './load.js';
import { withSandbox } from './sandbox.js';
import { type DataStore } from '../store/store.js';
import { parseInstrument, type InstrumentId } from './symbols.js';

/** The columns an export may have, in their default order (the protocol's list). */
export const BAR_COLUMNS = BAR_EXPORT_COLUMNS;
export type BarColumn = (typeof BAR_COLUMNS)[number];

/** Each column's SQL over the sandbox table: the only text an export's SELECT is made of. */
const COLUMN_SQL: Readonly<Record<BarColumn, string>> = {
    symbol: 'symbol',
    ts: 'make_timestamp(CAST(ts_ms AS BIGINT) * 1000) AS ts',
    open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume',
};

export interface BarsExportRequest {
    /** Instruments as `venue:SYMBOL` (normalised; a repeated instrument is exported once). */
    readonly ids: readonly string[];
    /** The bars' timeframe: stored, or resampled from a finer stored one that divides it. */
    readonly timeframe: string;
    /** First bar (inclusive): YYYY-MM-DD, ISO time or epoch ms. */
    readonly from?: string | number;
    /** Last bar (inclusive; a date means the whole day). */
    readonly to?: string | number;
    /** Default: all of BAR_COLUMNS. */
    readonly columns?: readonly string[];
}

export interface BarsExportOptions {
    /** The reading team: only series it may read are exported (others: NoVisibleData, 404). */
    readonly team: string;
    readonly format?: ExportFormat;
}

/** Writes the bars to `file` in long format (one row per instrument and bar, instruments in request order, then time). */
export function exportBars(store: DataStore, req: BarsExportRequest, file: string, options: BarsExportOptions): Promise<ExportResult> {
    return store.use(() => exportBarsUnbounded(store, req, file, options), {
        kind: 'bulk', what: 'the export',
        hint: 'export a shorter range (from / to) or fewer instruments, or ask an admin to raise the limit (af daemon run --bulk-timeout)',
    });
}

/** `fn` on the sandbox, which is interrupted whenever the store's call is. */
function interruptible<T>(store: DataStore, fn: (sandbox: Connected) => Promise<T>): (sandbox: Connected) => Promise<T> {
    return async sandbox => {
        const off = store.alsoInterrupt(() => sandbox.connection.interrupt());
        try {
            return await fn(sandbox);
        } finally {
            off();
        }
    };
}

async function exportBarsUnbounded(store: DataStore, req: BarsExportRequest, file: string, options: BarsExportOptions): Promise<ExportResult> {
    const format = exportFormatOf(file, options.format);
    const columns = barColumns(req.columns);
    const ids = uniqueInstruments(req.ids);
    const dir = dirname(file);
    if (!existsSync(dir)) throw new DataError(`cannot write ${file}: the directory ${dir} does not exist`);
    let work: string;
    try {
        work = mkdtempSync(join(dir, '.af-export-'));
    } catch (e) {
        throw new DataError(`cannot write ${dir}: ${firstLine(e)}`);
    }
    try {
        const inner = join(work, basename(file));
        const r = await withSandbox(work, interruptible(store, async sandbox => {
            const conn = sandbox.connection;
            await conn.run('CREATE TABLE bars_export (ord INTEGER, symbol VARCHAR, ts_ms DOUBLE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE)');
            for (const [ord, id] of ids.entries()) {
                // One instrument at a time: a single asset loads without alignment (no NaN rows), and memory holds one series.
                const bars = await loadFromStore(store, { assets: [id], timeframe: req.timeframe, from: req.from, to: req.to, team: options.team });
                const a = bars.assets[0]!;
                const app = await conn.createAppender('bars_export');
                try {
                    for (let i = 0; i < bars.ts.length; i++) {
                        app.appendInteger(ord);
                        app.appendVarchar(id.id);
                        for (const v of [bars.ts[i]!, a.open[i]!, a.high[i]!, a.low[i]!, a.close[i]!, a.volume[i]!]) app.appendDouble(v);
                        app.endRow();
                    }
                    app.flushSync();
                } finally {
                    app.closeSync();
                }
            }
            return exportQuery(sandbox, `SELECT ${columns.map(c => COLUMN_SQL[c]).join(', ')} FROM bars_export ORDER BY ord, ts_ms`, inner, { format });
        })).catch((e: unknown) => {
            if (/Out of Memory/i.test(firstLine(e))) throw new DataError('the export is too large for one file; export fewer instruments or a shorter range (from / to)');
            throw e;
        });
        try {
            renameSync(inner, file);
        } catch (e) {
            throw new DataError(`cannot write ${file}: ${firstLine(e)}`);
        }
        return { ...r, file, bytes: statSync(file).size };
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

function barColumns(requested: readonly string[] | undefined): BarColumn[] {
    if (requested === undefined) return [...BAR_COLUMNS];
    if (requested.length === 0) throw new DataError(`columns is empty; name some of ${BAR_COLUMNS.join(', ')}`);
    const seen = new Set<string>();
    for (const c of requested) {
        if (!(BAR_COLUMNS as readonly string[]).includes(c)) throw new DataError(`column '${c.slice(0, 40)}' is not exported; the columns are ${BAR_COLUMNS.join(', ')}`);
        if (seen.has(c)) throw new DataError(`column '${c}' is named twice`);
        seen.add(c);
    }
    return requested as BarColumn[];
}

function uniqueInstruments(texts: readonly string[]): InstrumentId[] {
    if (texts.length === 0) throw new DataError('no instruments to export; name them as venue:SYMBOL (e.g. sp:SPX)');
    const byId = new Map<string, InstrumentId>();
    for (const t of texts) {
        const id = parseInstrument(t);
        if (!byId.has(id.id)) byId.set(id.id, id);
    }
    return [...byId.values()];
}
