/**
 * `af data export`: the result of one read-only query written to a file a notebook can open.
 * Parquet and CSV are written by DuckDB itself (`COPY (query) TO`); Arrow IPC (the file format,
 * which is also Feather v2) is built with apache-arrow from the streamed result.
 *
 * Export never changes the database, by two independent guards: the text must be one statement
 * whose type DuckDB reports as SELECT and that starts with SELECT, WITH, FROM, TABLE, VALUES or
 * `(`; and it runs inside a READ ONLY transaction, so even a SELECT with a side effect
 * (`nextval()`) is refused by DuckDB.
 *
 * Timestamps are UTC: Parquet and CSV get TIMESTAMP WITH TIME ZONE columns (Parquet
 * isAdjustedToUTC, CSV `…+00`), so pandas and polars read tz-aware UTC times; Arrow gets
 * `timestamp[ms, tz=UTC]`. The file is written next to its destination and renamed into place,
 * so a failed export leaves no half-written file (and keeps the previous one).
 */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { DuckDBTypeId, StatementType, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { parseDateArg } from './dates.js';
import { Failure } from '../../../protocol/src/errors.js';
import { DataError, firstLine } from './errors.js';
import { DataStore } from '../store/store.js';
import { parseInstrument } from './symbols.js';
import { parseTimeframe } from './timeframe.js';

export type ExportFormat = 'parquet' | 'arrow' | 'csv';

/** What export reads from: a DataStore, or the sandbox of an export over RPC (bars-export.ts). */
export interface Connected {
    readonly connection: DuckDBConnection;
}

export interface ExportOptions {
    /** Default: from the file's extension (.parquet/.pq, .arrow/.feather/.ipc, .csv). */
    readonly format?: ExportFormat;
}

export interface ExportResult {
    readonly file: string;
    readonly format: ExportFormat;
    /** Rows written. */
    readonly rows: number;
    /** Column names, in order. */
    readonly columns: readonly string[];
    /** Size of the written file. */
    readonly bytes: number;
}

const EXTENSIONS: Record<string, ExportFormat> = {
    '.parquet': 'parquet', '.pq': 'parquet',
    '.arrow': 'arrow', '.feather': 'arrow', '.ipc': 'arrow',
    '.csv': 'csv',
};

/** The format to write: the one asked for, else the file's extension's. */
export function exportFormatOf(file: string, format?: string): ExportFormat {
    if (format !== undefined) {
        if (format === 'parquet' || format === 'arrow' || format === 'csv') return format;
        if (format === 'feather' || format === 'ipc') return 'arrow';
        throw new DataError(`export format '${format}' is not supported; use parquet, arrow (Arrow IPC / Feather v2) or csv`);
    }
    const ext = extname(file).toLowerCase();
    const f = EXTENSIONS[ext];
    if (!f) throw new DataError(`cannot tell the export format from '${basename(file)}'; name the file .parquet, .arrow (or .feather / .ipc) or .csv, or give the format (--format parquet|arrow|csv)`);
    return f;
}

/**
 * Writes the result of `sql` (one read-only query) to `file`. From a DataStore it is one bulk call on
 * the store, bounded by its bulk time limit; a sandbox (bars-export.ts) is bounded by its caller.
 */
export function exportQuery(store: Connected, sql: string, file: string, options: ExportOptions = {}): Promise<ExportResult> {
    if (!(store instanceof DataStore)) return exportUnbounded(store, sql, file, options);
    return store.use(() => exportUnbounded(store, sql, file, options), {
        kind: 'bulk', what: 'the export',
        hint: 'export a shorter range or fewer symbols (or a narrower query), or ask an admin to raise the limit (af daemon run --bulk-timeout)',
    });
}

async function exportUnbounded(store: Connected, sql: string, file: string, options: ExportOptions): Promise<ExportResult> {
    const format = exportFormatOf(file, options.format);
    const body = queryBody(sql);
    const conn = store.connection;
    const dir = dirname(file);
    if (!existsSync(dir)) throw new DataError(`cannot write ${file}: the directory ${dir} does not exist`);
    const tmp = join(dir, `.${basename(file)}.${process.pid}.tmp`);
    try {
        await conn.run('BEGIN TRANSACTION READ ONLY');
    } catch (e) {
        throw new Error(`exportQuery cannot run inside another transaction: ${firstLine(e)}`);
    }
    let rows: number;
    let columns: string[];
    let prepared: DuckDBPreparedStatement | undefined;
    try {
        prepared = await prepareReadOnly(store, body);
        columns = columnsOf(prepared);
        rows = format === 'arrow'
            // apache-arrow (~0.4 MB of code) is loaded by the first Arrow export, not by every
            // process that imports this module (the daemon, most CLI commands).
            ? await (await import('./export-arrow.js')).writeArrow(prepared, columns, tmp, runError)
            : await copyTo(store, body, prepared, columns, tmp, format);
        await conn.run('COMMIT');
    } catch (e) {
        try { await conn.run('ROLLBACK'); } catch { /* already rolled back */ }
        rmSync(tmp, { force: true });
        throw e;
    } finally {
        prepared?.destroySync();
    }
    try {
        renameSync(tmp, file);
    } catch (e) {
        rmSync(tmp, { force: true });
        throw new DataError(`cannot write ${file}: ${firstLine(e)}`);
    }
    return { file, format, rows, columns, bytes: statSync(file).size };
}

const HINT = 'export takes one read-only query (SELECT …, WITH … SELECT …, FROM table, TABLE table); the tables are bars, instruments, imports, onchain_pools, onchain_series, panels and panel_values';

/**
 * Checks that `sql` is a single read-only query and prepares it (so its columns are known).
 * Throws DataError naming the problem: bad SQL (DuckDB's first line), several statements, or a
 * statement that could change data.
 */
export async function prepareReadOnly(store: Connected, sql: string): Promise<DuckDBPreparedStatement> {
    const body = queryBody(sql);
    let prepared: DuckDBPreparedStatement;
    try {
        const extracted = await store.connection.extractStatements(body);
        if (extracted.count !== 1) throw new DataError(`the query holds ${extracted.count} statements; ${HINT}`);
        prepared = await extracted.prepare(0);
    } catch (e) {
        if (e instanceof Failure) throw e;
        // DuckDB's suggestion ("Did you mean "bars"?") is worth its second line.
        const suggestion = (e instanceof Error ? e.message : '').split('\n').map(l => l.trim()).find(l => l.startsWith('Did you mean'));
        throw new DataError(`bad query: ${firstLine(e).replace(/^Failed to extract statements: /, '')}${suggestion ? ` ${suggestion}` : ''}; ${HINT}`);
    }
    if (prepared.statementType !== StatementType.SELECT || !READ_KEYWORDS.has(firstKeyword(body))) {
        const kind = prepared.statementType === StatementType.SELECT ? firstKeyword(body).toUpperCase() : STATEMENT_NAMES[prepared.statementType] ?? firstKeyword(body).toUpperCase();
        throw new DataError(`export refuses ${kind || 'this'} statements: it never changes data; ${HINT}`);
    }
    if (prepared.parameterCount > 0) throw new DataError(`the query has parameters ($1, ?, …); write the values into it`);
    return prepared;
}

const READ_KEYWORDS = new Set(['select', 'with', 'from', 'table', 'values', '(']);

const STATEMENT_NAMES: Partial<Record<number, string>> = Object.fromEntries(
    Object.entries(StatementType).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]));

function columnsOf(prepared: DuckDBPreparedStatement): string[] {
    const names: string[] = [];
    for (let i = 0; i < prepared.columnCount; i++) names.push(prepared.columnName(i));
    const seen = new Set<string>();
    for (const n of names) {
        if (seen.has(n)) throw new DataError(`the query has two columns named '${n}'; give them distinct names with AS`);
        seen.add(n);
    }
    return names;
}

const TIMESTAMP_IDS: ReadonlySet<DuckDBTypeId> = new Set([DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_NS]);

async function copyTo(store: Connected, body: string, prepared: DuckDBPreparedStatement, columns: readonly string[], tmp: string, format: 'parquet' | 'csv'): Promise<number> {
    const zoneless = columns.filter((_, i) => TIMESTAMP_IDS.has(prepared.columnTypeId(i)));
    const select = zoneless.length === 0
        ? body
        : `SELECT * REPLACE (${zoneless.map(c => `CAST(${sqlIdent(c)} AS TIMESTAMPTZ) AS ${sqlIdent(c)}`).join(', ')}) FROM (\n${body}\n)`;
    const opts = format === 'parquet' ? 'FORMAT parquet' : 'FORMAT csv, HEADER true';
    try {
        const r = await store.connection.run(`COPY (\n${select}\n) TO ${sqlString(tmp)} (${opts})`);
        return r.rowsChanged;
    } catch (e) {
        throw runError(e, tmp);
    }
}

function runError(e: unknown, file: string): DataError {
    const msg = firstLine(e);
    if (/read-only mode|Cannot write to database/i.test(msg)) {
        return new DataError(`the query tries to change the database (e.g. nextval()); export only reads: ${msg}`);
    }
    if (/No such file or directory|cannot open file|Could not set lock|Permission denied/i.test(msg)) {
        return new DataError(`cannot write ${dirname(file)}: ${msg}`);
    }
    return new DataError(`query failed: ${msg}; ${HINT}`);
}

// ---------------------------------------------------------------------------------- SQL helpers

/** `'text'` as an SQL string literal. */
export function sqlString(s: string): string {
    return `'${s.replace(/'/g, "''")}'`;
}

/** `"name"` as an SQL identifier. */
export function sqlIdent(s: string): string {
    return `"${s.replace(/"/g, '""')}"`;
}

const COMMENT = 0, CODE = 1, QUOTED = 2;

/**
 * What each character of SQL is: COMMENT (`--`, block comments), QUOTED (string literals,
 * quoted identifiers, dollar-quoted strings, quotes included) or CODE (everything else).
 */
function lexMask(sql: string): Uint8Array {
    const kind = new Uint8Array(sql.length).fill(CODE);
    let i = 0;
    while (i < sql.length) {
        const c = sql[i]!, d = sql[i + 1];
        const start = i;
        let k = CODE;
        if (c === '-' && d === '-') {
            k = COMMENT;
            while (i < sql.length && sql[i] !== '\n') i++;
        } else if (c === '/' && d === '*') {
            k = COMMENT;
            const end = sql.indexOf('*/', i + 2);
            i = end < 0 ? sql.length : end + 2;
        } else if (c === "'" || c === '"') {
            k = QUOTED;
            i++;
            while (i < sql.length) {
                if (sql[i] === c) {
                    if (sql[i + 1] === c) { i += 2; continue; }
                    i++;
                    break;
                }
                i++;
            }
        } else {
            const tag = c === '$' ? /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64))?.[0] : undefined;
            if (tag) {
                k = QUOTED;
                const end = sql.indexOf(tag, i + tag.length);
                i = end < 0 ? sql.length : end + tag.length;
            } else {
                i++;
            }
        }
        kind.fill(k, start, i);
    }
    return kind;
}

/** The query without trailing semicolons and comments (so it can be wrapped in `COPY (…) TO`). */
function queryBody(sql: string): string {
    const kind = lexMask(sql);
    let last = -1;
    for (let i = sql.length - 1; i >= 0 && last < 0; i--) {
        if (kind[i] === QUOTED || (kind[i] === CODE && !/[\s;]/.test(sql[i]!))) last = i;
    }
    const body = sql.slice(0, last + 1).trim();
    if (body === '' || kind.every((k, i) => k === COMMENT || /\s/.test(sql[i]!))) throw new DataError(`the query is empty; ${HINT}`);
    return body;
}

/** First keyword of the query, lower-case ('(' for a parenthesised query). */
function firstKeyword(sql: string): string {
    const kind = lexMask(sql);
    for (let i = 0; i < sql.length; i++) {
        if (kind[i] === COMMENT || /\s/.test(sql[i]!)) continue;
        if (kind[i] === QUOTED) return '';
        if (sql[i] === '(') return '(';
        return /^[A-Za-z_]+/.exec(sql.slice(i, i + 32))?.[0].toLowerCase() ?? sql[i]!;
    }
    return '';
}

// ------------------------------------------------------------------------------------ bar query

export interface BarsQueryRequest {
    /** Instruments as `venue:SYMBOL` (normalised like everywhere else: binance:btcusdt → binance:BTC/USDT). */
    readonly ids: readonly string[];
    /** A stored timeframe (1m, 1h, 1d, …); bars are not resampled here. */
    readonly timeframe: string;
    /** First bar (inclusive): YYYY-MM-DD, ISO time or epoch ms. */
    readonly from?: string | number;
    /** Last bar (inclusive; a date means the whole day). */
    readonly to?: string | number;
}

/**
 * SQL for stored bars of some instruments in long format, ordered by instrument (request order)
 * then time: columns `symbol` (venue:SYMBOL), `ts`, `open`, `high`, `low`, `close`, `volume`.
 * Self-contained (values are literals), so it can be shown, edited and passed to exportQuery.
 */
export function barsQuery(req: BarsQueryRequest): string {
    if (req.ids.length === 0) throw new DataError('no instruments to export; name them as venue:SYMBOL (e.g. sp:SPX)');
    const ids = req.ids.map(parseInstrument);
    const tf = parseTimeframe(req.timeframe);
    const from = req.from === undefined ? undefined : typeof req.from === 'number' ? req.from : parseDateArg(req.from, '--from', 'start');
    const to = req.to === undefined ? undefined : typeof req.to === 'number' ? req.to : parseDateArg(req.to, '--to', 'end');
    if (from !== undefined && to !== undefined && from > to) throw new DataError(`--from ${String(req.from)} is after --to ${String(req.to)}`);
    const list = ids.map(i => `(${sqlString(i.venue)}, ${sqlString(i.symbol)})`).join(', ');
    const where = [`timeframe = ${sqlString(tf.label)}`, `(venue, symbol) IN (${list})`];
    if (from !== undefined) where.push(`ts >= ${timestampLiteral(from)}`);
    if (to !== undefined) where.push(`ts <= ${timestampLiteral(to)}`);
    const order = `list_position([${ids.map(i => sqlString(i.id)).join(', ')}], venue || ':' || symbol)`;
    return `SELECT venue || ':' || symbol AS symbol, ts, open, high, low, close, volume
FROM bars
WHERE ${where.join('\n  AND ')}
ORDER BY ${order}, ts`;
}

/** A UTC TIMESTAMP literal for epoch ms (readable, exact to the millisecond). */
export function timestampLiteral(msSinceEpoch: number): string {
    if (!Number.isFinite(msSinceEpoch)) throw new DataError(`time ${msSinceEpoch} is not a finite number of ms`);
    return `TIMESTAMP '${new Date(msSinceEpoch).toISOString().replace('T', ' ').replace('Z', '')}'`;
}
