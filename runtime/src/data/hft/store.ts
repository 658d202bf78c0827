/**
 * Tick data in the store (tables of migration 18, schema.ts): a file of one layout (layouts.ts)
 * or generated events are staged in a temporary table while every row is checked, then land in one
 * transaction that replaces the instrument's rows of that table over the file's time range — or,
 * if any row was bad, nothing is written. The instrument's owner follows the bars' rule
 * (data/ownership.ts): the local CLI's new instruments are shared, owned by `default`; an existing
 * one keeps its owner. `loadHftEvents` reads trades and book rows back in time order.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { DataStore } from '../../store/store.js';
import { DataError } from '../errors.js';
import { LOCAL_OWNER, type SeriesOwner } from '../ownership.js';
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
async function commit(store: DataStore, venue: string, symbol: string, owner: SeriesOwner): Promise<HftImportResult> {
    const range = async (t: string) => (await store.rows(`SELECT count(*)::DOUBLE AS n, min(us) AS lo, max(us) AS hi FROM ${t}`))[0]!;
    const tr = await range(STAGE_T), bk = await range(STAGE_B);
    await store.transaction(async () => {
        await store.run(`INSERT INTO hft_series (venue, symbol, owner_team, visibility) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [venue, symbol, owner.team, owner.visibility]);
        for (const [stage, table, r, cols] of [
            [STAGE_T, 'hft_trades', tr, `CAST(seq AS BIGINT), price, qty, CAST(side AS TINYINT), trade_id`],
            [STAGE_B, 'hft_book', bk, `CAST(seq AS BIGINT), snapshot, CAST(side AS TINYINT), price, qty`],
        ] as const) {
            if (Number(r['n']) === 0) continue;
            await store.run(`DELETE FROM ${table} WHERE venue = $1 AND symbol = $2 AND ts BETWEEN make_timestamp(CAST($3 AS BIGINT)) AND make_timestamp(CAST($4 AS BIGINT))`,
                [venue, symbol, Number(r['lo']), Number(r['hi'])]);
            await store.run(`INSERT INTO ${table} SELECT $1, $2, make_timestamp(CAST(us AS BIGINT)), ${cols} FROM ${stage} ORDER BY seq`, [venue, symbol]);
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

/** Imports one file of a layout for an instrument: every row checked, then all of it or nothing. */
export async function importHftFile(store: DataStore, file: string, format: HftFormat, venue: string, symbol: string, owner: SeriesOwner = LOCAL_OWNER): Promise<HftImportResult> {
    checkInstrument(venue, symbol);
    const name = basename(file);
    return withStage(store, async () => {
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
        });
        try {
            const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
            let line = 0;
            for await (const text of lines) {
                line++;
                parser.push(text, line);
                // A file that is wrong throughout says so early rather than after reading gigabytes.
                if (parser.count >= 1000) break;
            }
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') throw new DataError(`${name}: no such file`);
            throw e;
        } finally {
            tApp.closeSync(); bApp.closeSync();
        }
        parser.finish();
        if (FORMAT_TABLE[format] === 'book' && parser.rows === 0) throw new DataError(`${name}: no book rows`);
        return commit(store, venue, symbol, owner);
    });
}

/** Stores generated events (synth.ts) for an instrument, like a file import. */
export async function storeHftEvents(store: DataStore, e: HftEvents, venue: string, symbol: string, owner: SeriesOwner = LOCAL_OWNER): Promise<HftImportResult> {
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
        return commit(store, venue, symbol, owner);
    });
}

/** The most events one load reads into memory. */
export const MAX_LOADED_EVENTS = 50_000_000;

/**
 * An instrument's trades and book rows in time order (a trade before the book rows of its time),
 * optionally within [fromMs, toMs]. `team`: only an instrument that team may read (undefined: the local CLI).
 */
export async function loadHftEvents(store: DataStore, venue: string, symbol: string, o: { fromMs?: number; toMs?: number; team?: string } = {}): Promise<HftEvents> {
    const owner = (await store.rows(`SELECT owner_team, visibility FROM hft_series WHERE venue = $1 AND symbol = $2`, [venue, symbol]))[0];
    if (!owner || (o.team !== undefined && owner['visibility'] !== 'shared' && owner['owner_team'] !== o.team)) {
        throw new DataError(`no tick data for ${venue}:${symbol}; import some (af data hft import FILE --format … --venue ${venue} --symbol ${symbol}) or generate it (af data hft synth)`);
    }
    const where = ['venue = $1', 'symbol = $2'];
    const params: (string | number)[] = [venue, symbol];
    if (o.fromMs !== undefined) { params.push(o.fromMs); where.push(`ts >= make_timestamp(CAST($${params.length} AS BIGINT) * 1000)`); }
    if (o.toMs !== undefined) { params.push(o.toMs); where.push(`ts <= make_timestamp(CAST($${params.length} AS BIGINT) * 1000)`); }
    const w = where.join(' AND ');
    const sql = `SELECT epoch_us(ts)::DOUBLE / 1000 AS ms, k, side::DOUBLE, price, qty FROM (
            SELECT ts, seq, ${TRADE} AS k, side, price, qty FROM hft_trades WHERE ${w}
            UNION ALL
            SELECT ts, seq, CASE WHEN snapshot THEN ${SNAPSHOT} ELSE ${LEVEL} END, side, price, qty FROM hft_book WHERE ${w})
        ORDER BY ts, CASE WHEN k = ${TRADE} THEN 0 ELSE 1 END, seq LIMIT ${MAX_LOADED_EVENTS + 1}`;
    const reader = await store.use(conn => conn.runAndReadAll(sql, params));
    const cols = reader.getColumns() as number[][];
    const n = cols[0]?.length ?? 0;
    if (n > MAX_LOADED_EVENTS) throw new DataError(`${venue}:${symbol} has more than ${MAX_LOADED_EVENTS} events in the range; give a shorter --from/--to`);
    const e = allocEvents(n);
    e.ms.set(cols[0]!); e.kind.set(cols[1]!); e.side.set(cols[2]!); e.price.set(cols[3]!); e.qty.set(cols[4]!);
    return e;
}
