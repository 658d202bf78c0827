/**
 * Imports bars from CSV / Parquet files (read by DuckDB's own readers into a staging table)
 * or from in-memory columns (synthetic or fetched bars, through the appender). Every import
 * is validated in SQL (validate.ts) and written in one transaction: it lands whole or not at all.
 * Re-importing a range replaces the stored bars of that series in [first, last] of the import.
 *
 * Every series has an owner (ownership.ts): an import acting for a team (`owner`) may only write
 * into a new series or one of its own team; replaced bars are kept in `bar_revisions` under the
 * replacing import's id, so the snapshot a run saw before can be rebuilt (load.ts findSnapshot).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import { DataError, firstLine } from './errors.js';
import { formatTs } from './dates.js';
import { isNumericDate, numericDateFormats, parseWith, type DateOrderContext } from './date-order.js';
import { normalizeSymbol, type InstrumentId } from './symbols.js';
import { parseCalendar, parseTimeframe, type Calendar, type Timeframe } from './timeframe.js';
import { type DataStore } from '../store/store.js';
import { csvRowNumbering } from './lines.js';
import { LOCAL_OWNER, ownerAfterWrite, recordOwner, seriesOwner, type SeriesOwner, type Visibility } from './ownership.js';
import { bySourceRow, findGaps, gapsAreWeekends, invalidPredicate, toProblem, validateStage, type Problem, type RowNumbering, type ValidationOptions } from './validate.js';

export const FIELDS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
export type Field = typeof FIELDS[number];
export type ColumnMap = Partial<Record<Field, string>>;

/** Default source column names per field, matched case-insensitively, first match wins. */
const DEFAULT_NAMES: Record<Field, readonly string[]> = {
    ts: ['ts', 'timestamp', 'time', 'date', 'datetime', 'open_time'],
    open: ['open', 'o'],
    high: ['high', 'h'],
    low: ['low', 'l'],
    close: ['close', 'c'],
    volume: ['volume', 'vol', 'v'],
};

export interface ImportOptions {
    readonly venue: string;
    readonly symbol: string;
    readonly timeframe: string;
    readonly calendar?: Calendar | string;
    /** Drop invalid rows and earlier duplicates, sort; report what was dropped. */
    readonly repair?: boolean;
    /** Import despite missing bars (they are never invented; the loader leaves NaN there). */
    readonly allowGaps?: boolean;
    readonly map?: ColumnMap;
    /** strptime format of the timestamp column, e.g. '%d/%m/%Y' (when it is not ISO or epoch). */
    readonly dateFormat?: string;
    readonly format?: 'csv' | 'parquet';
    /** Runs inside the import's transaction just before COMMIT (tests use it to inject a failure). */
    readonly beforeCommit?: () => Promise<void> | void;
    /**
     * The team the import acts for (imports over RPC). It owns a new series (visibility: as given,
     * else the series' current one, else 'team'); writing into another team's series is refused
     * (SeriesForbidden). Absent: the local operator (the CLI), whose new series are shared, owned
     * by the bootstrap team; an existing series keeps its owner.
     */
    readonly owner?: { readonly team: string; readonly visibility?: Visibility };
    /** Called once the import that replaced stored bars has committed: log it, audit it. */
    readonly onDataReplaced?: (event: DataReplaced) => void;
    /** How messages, the result's `source` and the import log name the file (default: its path). */
    readonly name?: string;
    /**
     * 'full' (default): messages quote what they found (column names, offending values), which
     * the owner of the file wants. 'redacted': for a file on the daemon's host named by a remote
     * caller, who may not read it — messages and problems carry the file's name, line numbers,
     * counts and the problem class, never anything read from the file.
     */
    readonly detail?: 'full' | 'redacted';
}

/** An import replaced stored bars of a series (they are kept in bar_revisions under `importId`). */
export interface DataReplaced {
    readonly importId: number;
    /** venue:SYMBOL */
    readonly series: string;
    readonly timeframe: string;
    /** The series' owner team and visibility after the import. */
    readonly owner: string;
    readonly visibility: Visibility;
    /** The team the import acted for; null for the local CLI. */
    readonly team: string | null;
    /** Stored bars in [firstTs, lastTs] that the import replaced (`removed` of them have no new bar at their time). */
    readonly replaced: number;
    readonly removed: number;
    readonly firstTs: number;
    readonly lastTs: number;
    readonly source: string;
}

export interface ImportResult {
    readonly source: string;
    readonly instrument: InstrumentId;
    readonly timeframe: string;
    readonly rowsIn: number;
    readonly rowsWritten: number;
    readonly rowsDropped: number;
    /** Bars of this series already stored in [firstTs, lastTs], now replaced. */
    readonly replaced: number;
    readonly firstTs: number;
    readonly lastTs: number;
    readonly problems: readonly Problem[];
    readonly notes: readonly string[];
    readonly seconds: number;
}

/** An import refused by validation; `problems` has the full report. */
export class ImportRejected extends DataError {
    constructor(message: string, readonly source: string, readonly problems: readonly Problem[]) {
        super(message);
        this.name = 'ImportRejected';
    }
}

export interface BarColumns {
    readonly ts: Float64Array | readonly number[];
    readonly open: Float64Array | readonly number[];
    readonly high: Float64Array | readonly number[];
    readonly low: Float64Array | readonly number[];
    readonly close: Float64Array | readonly number[];
    readonly volume: Float64Array | readonly number[];
}

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;

/** Imports a CSV or Parquet file. */
/**
 * One import is one bulk call on the store: bounded by its bulk time limit, and alone on the
 * connection (its staging tables are the connection's temp tables).
 */
function bulk<T>(store: DataStore, source: string, fn: () => Promise<T>): Promise<T> {
    return store.use(fn, {
        kind: 'bulk', what: `the import of ${source}`,
        hint: 'split the file into shorter ranges, or ask an admin to raise the limit (af daemon run --bulk-timeout)',
    });
}

export function importFile(store: DataStore, file: string, options: ImportOptions): Promise<ImportResult> {
    return bulk(store, basename(file), () => importFileUnbounded(store, file, options));
}

async function importFileUnbounded(store: DataStore, file: string, options: ImportOptions): Promise<ImportResult> {
    const started = performance.now();
    const target = resolveTarget(options);
    const shown = options.name ?? file;
    if (!existsSync(file) || !statSync(file).isFile()) throw new DataError(`${shown}: no such file`);
    const format = options.format ?? (/\.parquet$|\.pq$/i.test(extname(file)) ? 'parquet' : 'csv');
    try {
        const staged = await stageFile(store, file, format, options);
        return await finishImport(store, shown, target, options, staged, started);
    } finally {
        await dropStage(store);
    }
}

/** Imports in-memory columns (ms timestamps); `source` names them in reports and the import log. */
export function importBars(store: DataStore, bars: BarColumns, source: string, options: ImportOptions): Promise<ImportResult> {
    return bulk(store, source, () => importBarsUnbounded(store, bars, source, options));
}

async function importBarsUnbounded(store: DataStore, bars: BarColumns, source: string, options: ImportOptions): Promise<ImportResult> {
    const started = performance.now();
    const target = resolveTarget(options);
    const n = bars.ts.length;
    for (const f of FIELDS) {
        if (bars[f].length !== n) throw new DataError(`${source}: column ${f} has ${bars[f].length} values but ts has ${n}`);
    }
    try {
        await store.run(`CREATE OR REPLACE TEMP TABLE af_stage_raw (ts DOUBLE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE)`);
        const app = await store.connection.createAppender('af_stage_raw', 'main', 'temp');
        try {
            for (let i = 0; i < n; i++) {
                for (const f of FIELDS) app.appendDouble(bars[f][i]!);
                app.endRow();
            }
            app.flushSync();
        } finally {
            app.closeSync();
        }
        await store.run(`CREATE OR REPLACE TEMP TABLE af_stage AS SELECT rowid + 1 AS src_row,
            CASE WHEN isfinite(ts) THEN make_timestamp(CAST(round(ts * 1000) AS BIGINT)) END AS ts,
            open, high, low, close, volume FROM af_stage_raw`);
        await store.run(`CREATE OR REPLACE TEMP VIEW af_stage_text AS SELECT rowid + 1 AS src_row, CAST(ts AS VARCHAR) AS ts_text FROM af_stage_raw`);
        return await finishImport(store, source, target, options, { numbering: async () => bySourceRow('bar'), notes: [] }, started);
    } finally {
        await dropStage(store);
    }
}

interface Target { instrument: InstrumentId; tf: Timeframe; calendar: Calendar }

function resolveTarget(o: ImportOptions): Target {
    return { instrument: normalizeSymbol(o.venue, o.symbol), tf: parseTimeframe(o.timeframe), calendar: parseCalendar(o.calendar) };
}

async function dropStage(store: DataStore): Promise<void> {
    if (!store.isOpen) return;
    for (const s of ['DROP VIEW IF EXISTS af_final', 'DROP TABLE IF EXISTS af_final_t', 'DROP TABLE IF EXISTS af_stage', 'DROP VIEW IF EXISTS af_stage_text', 'DROP TABLE IF EXISTS af_stage_raw']) {
        await store.run(s);
    }
}

interface Staged {
    /** How reports name the staged rows (src_row) in `rows`; asked only when there is something to report. */
    numbering: (rows: readonly number[], rowsIn: number) => Promise<RowNumbering>;
    notes: string[];
}

/** Loads the mapped columns of a file into af_stage_raw and defines the typed view af_stage over it. */
async function stageFile(store: DataStore, file: string, format: 'csv' | 'parquet', o: ImportOptions): Promise<Staged> {
    const shown = o.name ?? file;
    const redacted = o.detail === 'redacted';
    // DuckDB's reader errors quote the lines they choke on: only the owner of the file sees them.
    const readerError = (e: unknown): string => !redacted ? firstLine(e) : format === 'csv' ? 'not a CSV file DuckDB can parse' : 'not a Parquet file';
    // comment = '': DuckDB would otherwise guess a comment character and drop, silently, any data
    // line that starts with it (a '#' row vanished); such a line is now a problem at its line.
    const reader = (extra: string): string => format === 'parquet' ? `read_parquet(${lit(file)})` : `read_csv(${lit(file)}, header = true, comment = ''${extra})`;
    let columns: { name: string; type: string }[];
    try {
        columns = (await store.rows(`DESCRIBE SELECT * FROM ${reader('')}`)).map(r => ({ name: String(r.column_name), type: String(r.column_type) }));
    } catch (e) {
        throw new DataError(`${shown}: cannot be read as ${format.toUpperCase()}: ${readerError(e)}`);
    }
    let mapping: Record<Field, string>;
    try {
        mapping = mapColumns(shown, columns.map(c => c.name), o.map ?? {}, redacted);
    } catch (e) {
        // A line with a different number of fields makes DuckDB's sniffer guess another dialect
        // (one column, or a later line as the header); name that line rather than the columns.
        const ragged = format === 'csv' ? await raggedLine(file) : undefined;
        if (ragged) throw new DataError(`${shown}: malformed CSV: ${ragged}; fix that line and import again`);
        throw e;
    }
    const notes: string[] = [];
    const ignored = columns.map(c => c.name).filter(c => !Object.values(mapping).includes(c));
    notes.push(redacted
        ? `columns: ${FIELDS.join(', ')} found${ignored.length ? `; ${ignored.length} other column(s) ignored` : ''}`
        : `columns: ${FIELDS.map(f => f === mapping[f] ? f : `${f}=${mapping[f]}`).join(', ')}${ignored.length ? `; ignored: ${ignored.join(', ')}` : ''}`);
    // Numeric dates (03/04/2024) are read as text and their day/month order decided from the whole
    // column (date-order.ts): the sniffer would pick one order for an ambiguous column silently.
    const numericDates = format === 'csv' && !o.dateFormat && await startsWithNumericDates(store, reader(', all_varchar = true'), mapping.ts);
    const tsForced = (o.dateFormat || numericDates) && format === 'csv' ? `, types = {${lit(mapping.ts)}: 'VARCHAR'}` : '';
    const select = FIELDS.map(f => `${q(mapping[f])} AS ${q(`f_${f}`)}`).join(', ');
    try {
        await store.run(`CREATE OR REPLACE TEMP TABLE af_stage_raw AS SELECT ${select} FROM ${reader(tsForced)}`);
    } catch (e) {
        // The sniffer types columns from a sample; a bad value further down fails the typed read.
        // Re-read everything as text so that each bad value becomes a reported row, not a crash.
        if (format !== 'csv') throw new DataError(`${shown}: cannot be read: ${readerError(e)}`);
        try {
            await store.run(`CREATE OR REPLACE TEMP TABLE af_stage_raw AS SELECT ${select} FROM ${reader(', all_varchar = true')}`);
        } catch (e2) {
            throw new DataError(redacted
                ? `${shown}: malformed CSV: a value does not fit its column or a line has another number of fields than the header; fix the file and import again`
                : `${shown}: malformed CSV: ${firstLine(e2)}; fix that line (e.g. the number of fields) and import again`);
        }
    }
    const types = new Map((await store.rows(`DESCRIBE af_stage_raw`)).map(r => [String(r.column_name), String(r.column_type)]));
    const tsExpr = await timestampExpression(store, types.get('f_ts')!, o.dateFormat, notes, { shown, column: mapping.ts, tf: parseTimeframe(o.timeframe), redacted });
    const value = (f: Field): string => {
        const t = types.get(`f_${f}`)!;
        return NUMERIC.test(t) ? `CAST(${q(`f_${f}`)} AS DOUBLE)` : `try_cast(trim(CAST(${q(`f_${f}`)} AS VARCHAR)) AS DOUBLE)`;
    };
    // src_row: the rows in file order from 1. Not CSV line numbers: the reader skips blank and comment lines
    // and a quoted field may span lines; reports find the lines of the few rows they name (csvRowNumbering).
    // Materialised once: the validation queries below each scan it, and the timestamp expression is not cheap.
    // The source text of timestamps is only needed for the few rows a report shows: a view, not a column.
    await store.run(`CREATE OR REPLACE TEMP VIEW af_stage_text AS SELECT rowid + 1 AS src_row, CAST(f_ts AS VARCHAR) AS ts_text FROM af_stage_raw`);
    await store.run(`CREATE OR REPLACE TEMP TABLE af_stage AS SELECT rowid + 1 AS src_row, ${tsExpr} AS ts,
        ${(['open', 'high', 'low', 'close', 'volume'] as const).map(f => `${value(f)} AS ${f}`).join(', ')} FROM af_stage_raw`);
    return { numbering: format === 'csv' ? (rows, rowsIn) => csvRowNumbering(store, file, rows, rowsIn) : async () => bySourceRow('row'), notes };
}

/**
 * The first row whose field count differs from the header's, described by the line it starts on;
 * undefined when all agree. Streams the file and stops there. The header is the first non-empty
 * line; empty lines are skipped as DuckDB skips them (a line of spaces is not empty to it);
 * a quoted field may span lines.
 */
async function raggedLine(file: string): Promise<string | undefined> {
    const input = createReadStream(file);
    const lines = createInterface({ input, crlfDelay: Infinity });
    let delim: string | undefined, want = 0, headerLine = 0;
    let n = 0, start = 0, got = 0, quoted = false;
    try {
        for await (const line of lines) {
            n++;
            if (!quoted) {
                if (line === '') continue;
                if (delim === undefined) {
                    delim = [',', ';', '\t', '|'].find(d => line.includes(d));
                    if (delim === undefined) return undefined;
                    headerLine = n;
                }
                start = n;
                got = 1;
            }
            for (const ch of line) {
                if (ch === '"') quoted = !quoted;
                else if (ch === delim && !quoted) got++;
            }
            if (quoted) continue; // the row goes on on the next line
            if (start === headerLine) want = got;
            else if (got !== want) return `line ${start} has ${got} fields but the header (line ${headerLine}) has ${want}`;
        }
    } finally {
        lines.close();
        input.destroy();
    }
    return undefined;
}

/** The source column of each field; `redacted` errors count the file's columns instead of naming them. */
function mapColumns(file: string, names: readonly string[], map: ColumnMap, redacted: boolean): Record<Field, string> {
    const columns = redacted ? `the file has ${names.length} column${names.length === 1 ? '' : 's'}` : `the columns are ${names.join(', ')}`;
    const find = (want: string): string | undefined => names.find(n => n === want) ?? names.find(n => n.trim().toLowerCase() === want.trim().toLowerCase());
    const out: Partial<Record<Field, string>> = {};
    for (const f of FIELDS) {
        const explicit = map[f];
        if (explicit !== undefined) {
            const hit = find(explicit);
            if (!hit) throw new DataError(`${file}: --map ${f}=${explicit}: no such column; ${columns}`);
            out[f] = hit;
            continue;
        }
        const hit = DEFAULT_NAMES[f].map(find).find(x => x !== undefined);
        if (!hit) {
            // DuckDB names the columns of a header-less file column0, …; with header = true it takes the first data row as names.
            const headerless = names.every(n => /^column\d+$/.test(n) || /^[-+]?[\d.]/.test(n));
            throw new DataError(`${file}: no column for ${f}${headerless ? ' (the file seems to have no header row)' : ''}; ${columns}; name it with --map ${f}=COLUMN`);
        }
        out[f] = hit;
    }
    return out as Record<Field, string>;
}

/** Do the first values of the CSV's timestamp column look like numeric dates (03/04/2024)? */
async function startsWithNumericDates(store: DataStore, reader: string, column: string): Promise<boolean> {
    const rows = await store.rows(`SELECT trim(${q(column)}) AS v FROM ${reader} WHERE trim(${q(column)}) <> '' LIMIT 5`);
    return rows.some(r => isNumericDate(String(r.v)));
}

/** SQL turning the staged timestamp column into a UTC TIMESTAMP (NULL when unparseable). */
async function timestampExpression(store: DataStore, type: string, dateFormat: string | undefined, notes: string[], ctx: DateOrderContext): Promise<string> {
    const c = q('f_ts');
    if (dateFormat) {
        notes.push(`ts parsed with format ${dateFormat}`);
        return `CAST(try_strptime(trim(CAST(${c} AS VARCHAR)), ${lit(dateFormat)}) AS TIMESTAMP)`;
    }
    if (type === 'DATE' || /^TIMESTAMP(_S|_MS|_NS)?$/.test(type)) return `CAST(${c} AS TIMESTAMP)`;
    if (type === 'TIMESTAMP WITH TIME ZONE') return `timezone('UTC', ${c})`;
    const numeric = NUMERIC.test(type);
    let asNumber = `CAST(${c} AS DOUBLE)`;
    if (!numeric) {
        const text = `trim(CAST(${c} AS VARCHAR))`;
        const ordered = await numericDateFormats(store, text, ctx);
        if (ordered) {
            notes.push(`ts read ${ordered.order === 'day-first' ? 'day first' : 'month first'} (${ordered.formats.join(', ')}): ${ordered.why}`);
            return parseWith(text, ordered.formats);
        }
        const r = (await store.rows(`SELECT count(${c})::DOUBLE AS n, count(*) FILTER (WHERE regexp_full_match(${text}, '-?[0-9]+(\\.[0-9]+)?'))::DOUBLE AS num FROM af_stage_raw`))[0]!;
        // Epoch numbers when most values are numbers: one bad value in an epoch column must be
        // reported as that one bad row, not turn the column into ISO text that no row parses as.
        if (Number(r.num) * 2 <= Number(r.n)) {
            // ISO dates and datetimes, with or without an offset (zone-less text is UTC); 'T10:00Z' lacks seconds, which DuckDB wants.
            return `timezone('UTC', coalesce(try_cast(${text} AS TIMESTAMPTZ), try_cast(regexp_replace(${text}, '^(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2})([^:]*)$', '\\1:00\\2') AS TIMESTAMPTZ)))`;
        }
        asNumber = `try_cast(${text} AS DOUBLE)`;
    }
    // Epoch numbers: the unit follows from the magnitude (1e11 s is the year 5138, 1e11 ms is 1973).
    const max = Number(await store.scalar(`SELECT max(abs(${asNumber})) FROM af_stage_raw`));
    const [unit, toMicros] = max < 1e11 ? ['seconds', 1e6] : max < 1e14 ? ['milliseconds', 1e3] : max < 1e17 ? ['microseconds', 1] : ['nanoseconds', 1e-3];
    notes.push(`ts read as epoch ${unit}`);
    return `CASE WHEN isfinite(${asNumber}) AND abs(${asNumber} * ${toMicros}) < 9e18 THEN make_timestamp(CAST(round(${asNumber} * ${toMicros}) AS BIGINT)) END`;
}

async function finishImport(store: DataStore, source: string, t: Target, o: ImportOptions, staged: Staged, started: number): Promise<ImportResult> {
    const vo: ValidationOptions = { tf: t.tf, calendar: t.calendar, allowGaps: o.allowGaps ?? false };
    const v = await validateStage(store, vo);
    if (v.rowsIn === 0) throw new DataError(`${source}: no rows to import`);
    const clean = v.invalidRows === 0 && v.duplicateRows === 0;
    // af_final: the rows to write. Clean input needs no copy; otherwise drop invalid rows and earlier duplicates.
    if (clean) {
        await store.run(`CREATE OR REPLACE TEMP VIEW af_final AS SELECT src_row, ts, open, high, low, close, volume FROM af_stage`);
    } else {
        await store.run(`CREATE OR REPLACE TEMP TABLE af_final_t AS SELECT src_row, ts, open, high, low, close, volume FROM af_stage WHERE NOT (${invalidPredicate(t.tf)})
            QUALIFY row_number() OVER (PARTITION BY ts ORDER BY src_row DESC) = 1 ORDER BY ts`);
        await store.run(`CREATE OR REPLACE TEMP VIEW af_final AS SELECT * FROM af_final_t`);
    }
    const findings = [...v.findings, ...await findGaps(store, vo)];
    // Only findings name rows: a clean import never reads the file again (CSV lines cost a scan of it).
    const numbering = findings.length === 0 ? bySourceRow('row') : await staged.numbering([...new Set(findings.flatMap(f => f.refs))], v.rowsIn);
    const problems = findings.map(f => toProblem(f, numbering, o.detail === 'redacted'));
    const errors = problems.filter(p => p.severity === 'error');
    const unfixable = errors.filter(p => !p.repair);
    if (errors.length > 0 && (!o.repair || unfixable.length > 0)) {
        const summary = errors.map(p => `${p.count} × ${p.message.replace(/:.*$/, '')} (first at ${p.rows[0] === undefined ? '?' : `${numbering.label} ${p.rows[0]}`})`).join('; ');
        const weekends = unfixable.length > 0 && unfixable.every(p => p.code === 'gap') ? await gapsAreWeekends(store, vo) : undefined;
        const advice = weekends
            ? (weekends.nyse
                ? `every missing bar falls on a Saturday, a Sunday or an NYSE holiday: the series trades on NYSE days; re-run with --calendar nyse, not --allow-gaps`
                : `every missing bar falls on a Saturday or Sunday${weekends.holidays ? ` or is a single missing weekday (${weekends.holidays}, holidays?)` : ''}: the series trades on weekdays; re-run with --calendar weekdays (--calendar nyse for NYSE's holidays too), not --allow-gaps`)
                + (errors.length > unfixable.length && !o.repair ? ', and --repair to drop the invalid rows' : '')
            : unfixable.length > 0
            ? 're-run with --allow-gaps to import with the gaps (missing bars are never invented; the loader leaves NaN there)' + (errors.length > unfixable.length && !o.repair ? ', and --repair to drop the invalid rows' : '')
            : 'fix the file, or re-run with --repair to sort, keep the last of each duplicate and drop invalid rows';
        throw new ImportRejected(`${source}: import rejected: ${summary}; ${advice}`, source, problems);
    }
    const stats = (await store.rows(`SELECT count(*)::DOUBLE AS n, epoch_ms(min(ts))::DOUBLE AS first, epoch_ms(max(ts))::DOUBLE AS last FROM af_final`))[0]!;
    const rowsWritten = Number(stats.n);
    if (rowsWritten === 0) throw new DataError(`${source}: every row was dropped by --repair; nothing to import`);
    const firstTs = Number(stats.first);
    const lastTs = Number(stats.last);
    const notes = [...staged.notes];
    const key: [string, string, string] = [t.instrument.venue, t.instrument.symbol, t.tf.label];
    const inRange = `venue = $1 AND symbol = $2 AND timeframe = $3 AND ts BETWEEN make_timestamp(CAST($4 AS BIGINT) * 1000) AND make_timestamp(CAST($5 AS BIGINT) * 1000)`;
    // The bar cache of runs (orchestrator/executor.ts) reloads after any import, even one that rolled back.
    const done = await store.transaction(async () => {
        // Bars written without an owner row (only by hand) count as the local operator's, like those before migration 8.
        const current = await seriesOwner(store, ...key)
            ?? ((await store.scalar(`SELECT count(*)::DOUBLE FROM (SELECT 1 FROM bars WHERE venue = $1 AND symbol = $2 AND timeframe = $3 LIMIT 1)`, key)) ? LOCAL_OWNER : undefined);
        const owner: SeriesOwner = ownerAfterWrite(t.instrument, t.tf.label, current, o.owner);
        const importId = Number(await store.scalar(`SELECT nextval('imports_id')`));
        const existing = Number(await store.scalar(`SELECT count(*)::DOUBLE FROM bars WHERE ${inRange}`, [...key, firstTs, lastTs]));
        if (existing > 0 && existing === rowsWritten && await sameBars(store, [...key, firstTs, lastTs])) {
            // The very bars already stored (a repeated import, the sample again): nothing to replace or record.
            return { existing: 0, stale: 0, importId, owner, unchanged: true };
        }
        let stale = 0;
        if (existing > 0) {
            stale = Number(await store.scalar(`SELECT count(*)::DOUBLE FROM bars WHERE ${inRange} AND ts NOT IN (SELECT ts FROM af_final)`, [...key, firstTs, lastTs]));
            // Replaced bars are kept, not refused: runs on the old data named it by its snapshot hash, and
            // findSnapshot rebuilds it from these rows; refusing would leave bad data uncorrectable.
            await store.run(`INSERT INTO bar_revisions SELECT $6, venue, symbol, timeframe, ts, open, high, low, close, volume FROM bars WHERE ${inRange}`, [...key, firstTs, lastTs, importId]);
            await store.run(`DELETE FROM bars WHERE ${inRange}`, [...key, firstTs, lastTs]);
            notes.push(`replaced ${existing} stored bars in ${formatTs(firstTs)} .. ${formatTs(lastTs)}${stale > 0 ? ` (${stale} of them are not in the new data and were removed)` : ''}; the old bars are kept (import ${importId})`);
        }
        // Bars have no primary-key index (building one costs more than the import itself): uniqueness
        // of (venue, symbol, timeframe, ts) holds because af_final is unique and its range was just cleared.
        // Stored in time order (loads scan by range); af_final is already sorted unless --repair left unsorted input as is.
        const sorted = !problems.some(p => p.code === 'unsorted');
        await store.run(`INSERT INTO bars SELECT $1, $2, $3, ts, open, high, low, close, volume FROM af_final${sorted ? '' : ' ORDER BY ts'}`, key);
        await store.run(`INSERT OR IGNORE INTO instruments VALUES ($1, $2, $3, $4, $5)`, [t.instrument.venue, t.instrument.symbol, t.instrument.kind, t.instrument.base ?? null, t.instrument.quote ?? null]);
        await recordOwner(store, ...key, owner);
        await store.run(`INSERT INTO imports (id, source, venue, symbol, timeframe, first_ts, last_ts, rows_in, rows_written, rows_dropped, rows_replaced, report, team)
            VALUES ($1, $2, $3, $4, $5, make_timestamp(CAST($6 AS BIGINT) * 1000), make_timestamp(CAST($7 AS BIGINT) * 1000), $8, $9, $10, $11, $12, $13)`,
        [importId, source, ...key, firstTs, lastTs, v.rowsIn, rowsWritten, v.rowsIn - rowsWritten, existing, JSON.stringify(problems), o.owner?.team ?? null]);
        await o.beforeCommit?.();
        return { existing, stale, importId, owner, unchanged: false };
    }).finally(() => store.barsChanged());
    if (done.unchanged) notes.push(`the same ${rowsWritten} bars are already stored: nothing changed`);
    const replaced = done.existing;
    if (replaced > 0) {
        o.onDataReplaced?.({
            importId: done.importId, series: t.instrument.id, timeframe: t.tf.label, owner: done.owner.team, visibility: done.owner.visibility,
            team: o.owner?.team ?? null, replaced, removed: done.stale, firstTs, lastTs, source,
        });
    }
    return {
        source, instrument: t.instrument, timeframe: t.tf.label, rowsIn: v.rowsIn, rowsWritten, rowsDropped: v.rowsIn - rowsWritten, replaced,
        firstTs, lastTs, problems, notes, seconds: (performance.now() - started) / 1000,
    };
}

/** Are the stored bars of the series in [first, last] exactly the staged ones (af_final), value for value? The caller checked the counts. */
async function sameBars(store: DataStore, seriesAndRange: [string, string, string, number, number]): Promise<boolean> {
    const matching = Number(await store.scalar(`SELECT count(*)::DOUBLE FROM bars b JOIN af_final f ON b.ts = f.ts
        WHERE b.venue = $1 AND b.symbol = $2 AND b.timeframe = $3
          AND b.ts BETWEEN make_timestamp(CAST($4 AS BIGINT) * 1000) AND make_timestamp(CAST($5 AS BIGINT) * 1000)
          AND b.open IS NOT DISTINCT FROM f.open AND b.high IS NOT DISTINCT FROM f.high AND b.low IS NOT DISTINCT FROM f.low
          AND b.close IS NOT DISTINCT FROM f.close AND b.volume IS NOT DISTINCT FROM f.volume`, seriesAndRange));
    return matching === Number(await store.scalar(`SELECT count(*)::DOUBLE FROM af_final`));
}
