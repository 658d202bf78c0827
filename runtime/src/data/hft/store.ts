/**
 * Tick data in the store (tables of migrations 16 and 20, schema.ts): a file of one layout (layouts.ts)
 * or generated events are staged in a temporary table while every row is checked, then land in one
 * transaction that replaces the instrument's rows of that table over the file's time range — or,
 * if any row was bad, nothing is written. Each team writes its own copy of an instrument (the
 * on-chain tables' rule): the local CLI's copy is `default`'s, shared; a team's new copy is private
 * unless it asks for shared (the daemon checks the admin role). `loadHftEvents` reads a copy back
 * in time order: the team's own, else a shared one (`default`'s first).
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { DataStore } from '../../store/store.js';
import { DataError, firstLine } from '../errors.js';
import { LOCAL_OWNER, type Visibility } from '../ownership.js';
import { allocEvents, LEVEL, SNAPSHOT, TRADE, type HftEvents } from './events.js';
import { FORMAT_TABLE, HftParser, type HftFormat } from './layouts.js';

export interface HftImportResult {
    readonly venue: string;
    readonly symbol: string;
    readonly trades: number;
    readonly bookRows: number;
    readonly firstUs: number | null;
    readonly lastUs: number | null;
}

/** Who writes: a team over RPC (its own copy), the local CLI as `default`. */
export interface HftWriter {
    readonly team: string;
    /** Set the copy's visibility (absent: a new copy gets `fresh`, an existing one keeps its own). */
    readonly visibility?: Visibility;
    /** A new copy's visibility when none is asked for (default: team). */
    readonly fresh?: Visibility;
}
/** The local CLI's new instruments are shared, owned by the bootstrap team (the bars' rule). */
export const LOCAL_WRITER: HftWriter = { team: LOCAL_OWNER.team, fresh: 'shared' };

const STAGE_T = 'af_hft_stage_trades';
const STAGE_B = 'af_hft_stage_book';

/** Instrument names: a venue is lower-case letters, digits, `_ -`; a symbol letters, digits and `/ . - _`. */
export function checkInstrument(venue: string, symbol: string): void {
    if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(venue)) throw new DataError(`--venue '${venue.slice(0, 40)}': use lower-case letters, digits, _ and - (e.g. binance)`);
    if (!/^[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$/.test(symbol)) throw new DataError(`--symbol '${symbol.slice(0, 40)}': use letters, digits and / . - _ (e.g. BTC/USDT)`);
}

async function stageTables(store: DataStore): Promise<void> {
    await store.run(`CREATE OR REPLACE TEMP TABLE ${STAGE_T} (us DOUBLE, seq DOUBLE, price DOUBLE, qty DOUBLE, side DOUBLE, trade_id VARCHAR)`);
    await store.run(`CREATE OR REPLACE TEMP TABLE ${STAGE_B} (us DOUBLE, seq DOUBLE, snapshot BOOLEAN, side DOUBLE, price DOUBLE, qty DOUBLE)`);
}

/** Moves the staged rows in: one transaction, each table's range of the instrument replaced. */
async function commit(store: DataStore, venue: string, symbol: string, writer: HftWriter): Promise<HftImportResult> {
    const range = async (t: string) => (await store.rows(`SELECT count(*)::DOUBLE AS n, min(us) AS lo, max(us) AS hi FROM ${t}`))[0]!;
    const tr = await range(STAGE_T), bk = await range(STAGE_B);
    const team = writer.team;
    await store.transaction(async () => {
        // An existing copy's visibility changes only when asked.
        await store.run(`INSERT INTO hft_series (owner_team, venue, symbol, visibility) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
            [team, venue, symbol, writer.visibility ?? writer.fresh ?? 'team']);
        if (writer.visibility) await store.run(`UPDATE hft_series SET visibility = $4 WHERE owner_team = $1 AND venue = $2 AND symbol = $3`, [team, venue, symbol, writer.visibility]);
        for (const [stage, table, r, cols] of [
            [STAGE_T, 'hft_trades', tr, `CAST(seq AS BIGINT), price, qty, CAST(side AS TINYINT), trade_id`],
            [STAGE_B, 'hft_book', bk, `CAST(seq AS BIGINT), snapshot, CAST(side AS TINYINT), price, qty`],
        ] as const) {
            if (Number(r['n']) === 0) continue;
            await store.run(`DELETE FROM ${table} WHERE owner_team = $1 AND venue = $2 AND symbol = $3 AND ts BETWEEN make_timestamp(CAST($4 AS BIGINT)) AND make_timestamp(CAST($5 AS BIGINT))`,
                [team, venue, symbol, Number(r['lo']), Number(r['hi'])]);
            await store.run(`INSERT INTO ${table} SELECT $1, $2, $3, make_timestamp(CAST(us AS BIGINT)), ${cols} FROM ${stage} ORDER BY seq`, [team, venue, symbol]);
        }
    });
    const lo = [tr['lo'], bk['lo']].filter(x => x !== null && x !== undefined).map(Number);
    const hi = [tr['hi'], bk['hi']].filter(x => x !== null && x !== undefined).map(Number);
    return {
        venue, symbol, trades: Number(tr['n']), bookRows: Number(bk['n']),
        firstUs: lo.length ? Math.min(...lo) : null, lastUs: hi.length ? Math.max(...hi) : null,
    };
}

async function withStage<T>(store: DataStore, fn: () => Promise<T>): Promise<T> {
    await stageTables(store);
    try {
        return await fn();
    } finally {
        if (store.isOpen) {
            await store.run(`DROP TABLE IF EXISTS ${STAGE_T}`);
            await store.run(`DROP TABLE IF EXISTS ${STAGE_B}`);
        }
    }
}

export interface HftFileOptions {
    readonly writer?: HftWriter;
    /** How messages name the file (default: its base name). */
    readonly name?: string;
    /** 'redacted': the caller may name the file but not read it (layouts.ts); default 'full'. */
    readonly detail?: 'full' | 'redacted';
}

/** Imports one file of a layout for an instrument: every row checked, then all of it or nothing. */
export async function importHftFile(store: DataStore, file: string, format: HftFormat, venue: string, symbol: string, o: HftFileOptions = {}): Promise<HftImportResult> {
    checkInstrument(venue, symbol);
    const name = o.name ?? basename(file);
    const parquet = isParquet(file, name);
    return withStage(store, async () => {
        // A Parquet file is read by DuckDB into a table of text cells first: the same parser checks it, row by row.
        const columns = parquet ? await stageParquet(store, file, name, o.detail ?? 'full') : [];
        const [tApp, bApp] = await Promise.all([
            store.connection.createAppender(STAGE_T, 'main', 'temp'),
            store.connection.createAppender(STAGE_B, 'main', 'temp'),
        ]);
        let seq = 0;
        const parser = new HftParser(format, name, {
            trade(r) {
                tApp.appendDouble(r.us); tApp.appendDouble(seq++); tApp.appendDouble(r.price); tApp.appendDouble(r.qty); tApp.appendDouble(r.side);
                if (r.id === null) tApp.appendNull();
                else tApp.appendVarchar(r.id.slice(0, 64));
                tApp.endRow();
            },
            book(r) {
                bApp.appendDouble(r.us); bApp.appendDouble(seq++); bApp.appendBoolean(r.snapshot); bApp.appendDouble(r.side); bApp.appendDouble(r.price); bApp.appendDouble(r.qty);
                bApp.endRow();
            },
        }, o.detail, parquet ? 'row' : 'line');
        try {
            if (parquet) await readParquetRows(store, columns, parser);
            else await readCsvLines(file, parser);
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') throw new DataError(`${name}: no such file`);
            throw e;
        } finally {
            tApp.closeSync(); bApp.closeSync();
            if (parquet && store.isOpen) await store.run(`DROP TABLE IF EXISTS ${STAGE_PQ}`);
        }
        parser.finish();
        if (FORMAT_TABLE[format] === 'book' && parser.rows === 0) throw new DataError(`${name}: no book rows`);
        return commit(store, venue, symbol, o.writer ?? LOCAL_WRITER);
    });
}

/** A file DuckDB reads as Parquet (by its name's extension; an upload keeps the name it was given). */
function isParquet(file: string, name: string): boolean {
    return /\.(parquet|pq)$/i.test(name) || /\.(parquet|pq)$/i.test(file);
}

const STAGE_PQ = 'af_hft_stage_parquet';
/** A file that is wrong throughout says so early rather than after reading gigabytes. */
const MAX_PROBLEMS = 1000;

async function readCsvLines(file: string, parser: HftParser): Promise<void> {
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    let line = 0;
    for await (const text of lines) {
        line++;
        parser.push(text, line);
        if (parser.count >= MAX_PROBLEMS) break;
    }
}

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const quoteId = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/**
 * Reads a Parquet file (DuckDB's read_parquet) into a temporary table of text cells, numbered by
 * row: timestamps as µs since the epoch (the layouts' unit), everything else as DuckDB prints it,
 * NULL as an empty cell (which the parser reports). Its column names, lower-cased, are the header.
 */
async function stageParquet(store: DataStore, file: string, name: string, detail: 'full' | 'redacted'): Promise<string[]> {
    let cols: { name: string; type: string }[];
    try {
        cols = (await store.rows(`DESCRIBE SELECT * FROM read_parquet(${lit(file)})`)).map(r => ({ name: String(r['column_name']), type: String(r['column_type']) }));
    } catch (e) {
        // DuckDB's reader errors may quote the file: only the owner of the file sees them.
        throw new DataError(`${name}: cannot be read as Parquet${detail === 'full' ? `: ${firstLine(e)}` : ''}`);
    }
    const cells = cols.map((c, i) => {
        const v = /^TIMESTAMP/.test(c.type) ? `CAST(epoch_us(${quoteId(c.name)}) AS VARCHAR)` : `CAST(${quoteId(c.name)} AS VARCHAR)`;
        return `coalesce(${v}, '') AS c${i}`;
    });
    try {
        await store.run(`CREATE OR REPLACE TEMP TABLE ${STAGE_PQ} AS SELECT file_row_number AS r, ${cells.join(', ')} FROM read_parquet(${lit(file)}, file_row_number = true)`);
    } catch (e) {
        throw new DataError(`${name}: cannot be read as Parquet${detail === 'full' ? `: ${firstLine(e)}` : ''}`);
    }
    return cols.map(c => c.name);
}

/** The staged Parquet rows to the parser, a page at a time, in file order (row 1 is the first data row). */
async function readParquetRows(store: DataStore, columns: readonly string[], parser: HftParser): Promise<void> {
    parser.pushCells([...columns], 0);
    const page = 50_000;
    for (let from = 0; ; from += page) {
        const reader = await store.connection.runAndReadAll(`SELECT * FROM ${STAGE_PQ} WHERE r >= ${from} AND r < ${from + page} ORDER BY r`);
        const rows = reader.getRows();
        for (const row of rows) {
            parser.pushCells(row.slice(1).map(String), Number(row[0]) + 1);
            if (parser.count >= MAX_PROBLEMS) return;
        }
        // file_row_number counts from 0 without gaps: a short page is the last.
        if (rows.length < page) return;
    }
}

/** Stores generated events (synth.ts) for an instrument, like a file import. */
export async function storeHftEvents(store: DataStore, e: HftEvents, venue: string, symbol: string, writer: HftWriter = LOCAL_WRITER): Promise<HftImportResult> {
    checkInstrument(venue, symbol);
    return withStage(store, async () => {
        const tApp = await store.connection.createAppender(STAGE_T, 'main', 'temp');
        const bApp = await store.connection.createAppender(STAGE_B, 'main', 'temp');
        try {
            for (let i = 0; i < e.n; i++) {
                const us = Math.round(e.ms[i]! * 1000);
                if (e.kind[i] === TRADE) {
                    tApp.appendDouble(us); tApp.appendDouble(i); tApp.appendDouble(e.price[i]!); tApp.appendDouble(e.qty[i]!); tApp.appendDouble(e.side[i]!); tApp.appendNull();
                    tApp.endRow();
                } else {
                    bApp.appendDouble(us); bApp.appendDouble(i); bApp.appendBoolean(e.kind[i] === SNAPSHOT); bApp.appendDouble(e.side[i]!); bApp.appendDouble(e.price[i]!); bApp.appendDouble(e.qty[i]!);
                    bApp.endRow();
                }
            }
        } finally {
            tApp.closeSync(); bApp.closeSync();
        }
        return commit(store, venue, symbol, writer);
    });
}

/** The most events one load reads into memory. */
export const MAX_LOADED_EVENTS = 50_000_000;

/**
 * An instrument's trades and book rows in time order (a trade before the book rows of its time),
 * optionally within [fromMs, toMs]. `team`: only an instrument that team may read (undefined: the local CLI).
 */
export async function loadHftEvents(store: DataStore, venue: string, symbol: string, o: { fromMs?: number; toMs?: number; team?: string; maxEvents?: number } = {}): Promise<HftEvents> {
    const max = Math.min(o.maxEvents ?? MAX_LOADED_EVENTS, MAX_LOADED_EVENTS);
    const team = await readableCopy(store, venue, symbol, o.team);
    if (team === undefined) {
        throw new DataError(`no tick data for ${venue}:${symbol}; import some (af data hft import FILE --format … --venue ${venue} --symbol ${symbol}) or generate it (af data hft synth)`);
    }
    const where = ['owner_team = $3', 'venue = $1', 'symbol = $2'];
    const params: (string | number)[] = [venue, symbol, team];
    if (o.fromMs !== undefined) { params.push(o.fromMs); where.push(`ts >= make_timestamp(CAST($${params.length} AS BIGINT) * 1000)`); }
    if (o.toMs !== undefined) { params.push(o.toMs); where.push(`ts <= make_timestamp(CAST($${params.length} AS BIGINT) * 1000)`); }
    const w = where.join(' AND ');
    const sql = `SELECT epoch_us(ts)::DOUBLE / 1000 AS ms, k, side::DOUBLE, price, qty FROM (
            SELECT ts, seq, ${TRADE} AS k, side, price, qty FROM hft_trades WHERE ${w}
            UNION ALL
            SELECT ts, seq, CASE WHEN snapshot THEN ${SNAPSHOT} ELSE ${LEVEL} END, side, price, qty FROM hft_book WHERE ${w})
        ORDER BY ts, CASE WHEN k = ${TRADE} THEN 0 ELSE 1 END, seq LIMIT ${max + 1}`;
    const reader = await store.use(conn => conn.runAndReadAll(sql, params));
    const cols = reader.getColumns() as number[][];
    const n = cols[0]?.length ?? 0;
    if (n > max) throw new DataError(`${venue}:${symbol} has more than ${max} events in the range; give a shorter from/to range`);
    const e = allocEvents(n);
    e.ms.set(cols[0]!); e.kind.set(cols[1]!); e.side.set(cols[2]!); e.price.set(cols[3]!); e.qty.set(cols[4]!);
    return e;
}

/**
 * Whose copy of an instrument `team` reads: its own, else a shared one (`default`'s first). The
 * local CLI (team undefined) reads `default`'s, else any. Undefined: none it may read — reported
 * as absent, so another team's private instrument names do not leak.
 */
export async function readableCopy(store: DataStore, venue: string, symbol: string, team: string | undefined): Promise<string | undefined> {
    const rows = await store.rows(`SELECT owner_team, visibility FROM hft_series WHERE venue = $1 AND symbol = $2`, [venue, symbol]);
    const copies = rows.map(r => ({ team: String(r['owner_team']), shared: r['visibility'] === 'shared' }));
    const own = team ?? LOCAL_OWNER.team;
    if (copies.some(c => c.team === own)) return own;
    const readable = copies.filter(c => team === undefined || c.shared).sort((a, b) => Number(b.team === LOCAL_OWNER.team) - Number(a.team === LOCAL_OWNER.team) || a.team.localeCompare(b.team));
    return readable[0]?.team;
}

export interface HftSeriesInfo {
    readonly venue: string;
    readonly symbol: string;
    readonly owner: string;
    readonly visibility: Visibility;
    readonly trades: number;
    readonly bookRows: number;
    /** µs since the epoch; null without rows. */
    readonly firstUs: number | null;
    readonly lastUs: number | null;
}

/** The copies of instruments `team` may read (its own and shared ones; the local CLI: all), with their row counts and ranges. */
export async function listHftSeries(store: DataStore, o: { team?: string; venue?: string; symbol?: string } = {}): Promise<HftSeriesInfo[]> {
    const args: string[] = [];
    const where: string[] = [];
    if (o.team !== undefined) { args.push(o.team); where.push(`(s.owner_team = $${args.length} OR s.visibility = 'shared')`); }
    if (o.venue !== undefined) { args.push(o.venue); where.push(`s.venue = $${args.length}`); }
    if (o.symbol !== undefined) { args.push(o.symbol); where.push(`s.symbol = $${args.length}`); }
    const agg = (t: string) => `SELECT owner_team, venue, symbol, count(*)::DOUBLE AS n, epoch_us(min(ts))::DOUBLE AS lo, epoch_us(max(ts))::DOUBLE AS hi FROM ${t} GROUP BY ALL`;
    const rows = await store.rows(`SELECT s.venue, s.symbol, s.owner_team, s.visibility, coalesce(t.n, 0) AS trades, coalesce(b.n, 0) AS book,
            least(t.lo, b.lo) AS lo, greatest(t.hi, b.hi) AS hi
        FROM hft_series s LEFT JOIN (${agg('hft_trades')}) t USING (owner_team, venue, symbol) LEFT JOIN (${agg('hft_book')}) b USING (owner_team, venue, symbol)
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.venue, s.symbol, s.owner_team LIMIT 10000`, args);
    const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
    return rows.map(r => ({
        venue: String(r['venue']), symbol: String(r['symbol']), owner: String(r['owner_team']), visibility: r['visibility'] === 'shared' ? 'shared' : 'team',
        trades: Number(r['trades']), bookRows: Number(r['book']), firstUs: num(r['lo']), lastUs: num(r['hi']),
    }));
}

export interface HftShown {
    readonly owner: string;
    /** Events in the range. */
    readonly events: number;
    readonly rows: readonly { ms: number; kind: 'trade' | 'level' | 'snapshot'; side: number; price: number; qty: number }[];
}

/** The first (or last) `limit` events of an instrument's copy `team` may read, in the event engine's order. */
export async function showHftEvents(store: DataStore, venue: string, symbol: string, o: { team?: string; fromMs?: number; toMs?: number; limit: number; tail?: boolean }): Promise<HftShown> {
    const owner = await readableCopy(store, venue, symbol, o.team);
    if (owner === undefined) throw new DataError(`no tick data for ${venue}:${symbol} that team ${o.team ?? LOCAL_OWNER.team} may read; list what there is with data.hft.list (af data hft ls)`);
    const params: (string | number)[] = [owner, venue, symbol];
    const where = ['owner_team = $1', 'venue = $2', 'symbol = $3'];
    if (o.fromMs !== undefined) { params.push(o.fromMs); where.push(`ts >= make_timestamp(CAST($${params.length} AS BIGINT) * 1000)`); }
    if (o.toMs !== undefined) { params.push(o.toMs); where.push(`ts <= make_timestamp(CAST($${params.length} AS BIGINT) * 1000)`); }
    const w = where.join(' AND ');
    const all = `SELECT ts, seq, ${TRADE} AS k, side, price, qty FROM hft_trades WHERE ${w} UNION ALL SELECT ts, seq, CASE WHEN snapshot THEN ${SNAPSHOT} ELSE ${LEVEL} END, side, price, qty FROM hft_book WHERE ${w}`;
    const dir = o.tail ? 'DESC' : 'ASC';
    const n = Number(await store.scalar(`SELECT count(*)::DOUBLE FROM (${all})`, params));
    const rows = await store.rows(`SELECT * FROM (SELECT epoch_us(ts)::DOUBLE / 1000 AS ms, k, side::DOUBLE AS side, price, qty, ts, seq FROM (${all})
        ORDER BY ts ${dir}, CASE WHEN k = ${TRADE} THEN 0 ELSE 1 END ${dir}, seq ${dir} LIMIT ${Math.max(1, Math.min(1000, Math.trunc(o.limit)))})
        ORDER BY ts, CASE WHEN k = ${TRADE} THEN 0 ELSE 1 END, seq`, params);
    const kinds = { [TRADE]: 'trade', [LEVEL]: 'level', [SNAPSHOT]: 'snapshot' } as const;
    return {
        owner, events: n,
        rows: rows.map(r => ({ ms: Number(r['ms']), kind: kinds[Number(r['k']) as 0 | 1 | 2], side: Number(r['side']), price: Number(r['price']), qty: Number(r['qty']) })),
    };
}
