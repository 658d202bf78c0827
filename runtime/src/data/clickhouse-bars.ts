/**
 * Bars at team scale in ClickHouse (npm @clickhouse/client over its HTTP interface): insert, read a
 * range by instrument and time, and resample in SQL, with the embedded store's semantics
 * (resample.ts: UTC buckets `floor((ts - offset) / tf)`, NaN closes skipped, an incomplete last
 * bucket dropped) so a backtest sees the same bars whichever store holds them.
 *
 * Written for what Debian's clickhouse-server 18.16 supports, and nothing newer: times are Int64
 * epoch milliseconds (no DateTime64), bucketing is integer arithmetic (no toStartOfInterval), and
 * there are no server-side query parameters, so every value in a query is either validated to a
 * strict pattern or a finite number (never free text). Data moves as TabSeparated text, which
 * every version reads and writes, but prices travel as the 64-bit patterns of their doubles:
 * 18.16 parses decimal floats in TSV to the nearest double only approximately (1 ulp off, seen
 * in the tests), and a backtest must see exactly the bars that were imported. Newer servers are
 * expected to work unchanged (only 18.16 is tested here).
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataError } from './errors.js';
import { resample, type OhlcvSeries, type Resampled } from './resample.js';
import { nextExpected, type Calendar, type Timeframe } from './timeframe.js';

export interface ClickHouseBarsOptions {
    /** HTTP interface, e.g. http://127.0.0.1:8123. */
    readonly url: string;
    readonly database?: string;
    readonly username?: string;
    readonly password?: string;
    /** Time limit of one query, in ms (default 60 s); the server is asked to stop it too. */
    readonly timeoutMs?: number;
}

export interface SeriesKey {
    readonly venue: string;
    readonly symbol: string;
    /** A timeframe label as stored (1m, 1h, 1d). */
    readonly timeframe: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}$/;
const DB_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/**
 * Rows per piece of the streamed insert (≈ 0.5 MB of text). 18.16 drops the connection (EPIPE on
 * our side) when one HTTP chunk is much bigger: 100,000 rows (≈ 12 MB) per piece failed every
 * insert of 100k+ bars; 10,000 worked. Kept well below that.
 */
const ROWS_PER_CHUNK = 4_000;

function text(value: string, what: string): string {
    if (!NAME.test(value)) throw new DataError(`${what} '${value.slice(0, 40)}' is not valid: letters, digits and . _ / : - only`);
    return `'${value}'`; // the pattern admits no quote or backslash
}

function integer(value: number, what: string): string {
    if (!Number.isSafeInteger(value)) throw new DataError(`${what} must be a whole number of milliseconds, not ${value}`);
    return String(value);
}

const PRICE_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;
const scratch = new DataView(new ArrayBuffer(8));

/** A double's bit pattern as an unsigned integer's text (exact in any version's parser). */
function bits(v: number): string {
    scratch.setFloat64(0, v, true);
    return scratch.getBigUint64(0, true).toString();
}

function fromBits(text: string): number {
    scratch.setBigUint64(0, BigInt(text), true);
    return scratch.getFloat64(0, true);
}

/** SQL: a Float64 column's bits, and bits back to Float64 (little-endian bytes; the conversions exist in 18.16). */
const toBits = (expr: string): string => `reinterpretAsUInt64(reinterpretAsString(${expr}))`;
const ofBits = (col: string): string => `reinterpretAsFloat64(reinterpretAsString(${col}))`;

export class ClickHouseBars {
    private readonly client: ClickHouseClient;
    private readonly db: string;
    private readonly timeoutMs: number;

    constructor(o: ClickHouseBarsOptions) {
        this.db = o.database ?? 'alphaforge';
        if (!DB_NAME.test(this.db)) throw new DataError(`ClickHouse database name '${this.db}' is not valid: letters, digits and _`);
        const timeout = this.timeoutMs = o.timeoutMs ?? 60_000;
        this.client = createClient({
            url: o.url, username: o.username ?? 'default', password: o.password ?? '', request_timeout: timeout,
            // 18.16 knows max_execution_time (seconds); the client's newer defaults are left off.
            clickhouse_settings: { max_execution_time: Math.ceil(timeout / 1000) },
        });
    }

    /** Creates the database and the bars table when missing. */
    async ensureSchema(): Promise<void> {
        await this.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${this.db}` });
        // ReplacingMergeTree: a re-imported bar replaces the earlier one (by key) when parts merge; reads use FINAL.
        await this.client.command({
            query: `CREATE TABLE IF NOT EXISTS ${this.db}.bars (
                venue String, symbol String, timeframe String, ts Int64,
                open Float64, high Float64, low Float64, close Float64, volume Float64,
                imported_at UInt64
            ) ENGINE = ReplacingMergeTree(imported_at) ORDER BY (venue, symbol, timeframe, ts)`,
        });
    }

    /**
     * Writes the bars of one series; returns the number written. The rows go as bit patterns into
     * a staging table (streamed in chunks), then into `bars` converted by the server, exactly.
     */
    async insert(key: SeriesKey, bars: OhlcvSeries): Promise<number> {
        const prefix = `${text(key.venue, 'venue').slice(1, -1)}\t${text(key.symbol, 'symbol').slice(1, -1)}\t${text(key.timeframe, 'timeframe').slice(1, -1)}\t`;
        const n = bars.ts.length;
        for (const f of PRICE_COLUMNS) {
            if (bars[f].length !== n) throw new DataError(`column ${f} has ${bars[f].length} values but ts has ${n}`);
        }
        for (let i = 0; i < n; i++) if (!Number.isSafeInteger(bars.ts[i]!)) throw new DataError(`bar ${i}: ts ${bars.ts[i]} is not whole epoch milliseconds`);
        const stamp = Date.now();
        const stage = `${this.db}.bars_stage_${randomBytes(6).toString('hex')}`;
        await this.client.command({
            query: `CREATE TABLE ${stage} (venue String, symbol String, timeframe String, ts Int64, ${PRICE_COLUMNS.map(c => `${c} UInt64`).join(', ')}) ENGINE = Log`,
        });
        try {
            let i = 0;
            const lines = new Readable({
                read() {
                    if (i >= n) { this.push(null); return; }
                    const end = Math.min(n, i + ROWS_PER_CHUNK);
                    let chunk = '';
                    for (; i < end; i++) {
                        chunk += `${prefix}${bars.ts[i]}\t${bits(bars.open[i]!)}\t${bits(bars.high[i]!)}\t${bits(bars.low[i]!)}\t${bits(bars.close[i]!)}\t${bits(bars.volume[i]!)}\n`;
                    }
                    this.push(chunk);
                },
            });
            await this.client.insert({ table: stage, values: lines, format: 'TabSeparated' });
            await this.client.command({
                query: `INSERT INTO ${this.db}.bars SELECT venue, symbol, timeframe, ts, ${PRICE_COLUMNS.map(ofBits).join(', ')}, ${integer(stamp, 'stamp')} FROM ${stage}`,
            });
        } finally {
            await this.client.command({ query: `DROP TABLE IF EXISTS ${stage}` });
        }
        return n;
    }

    /**
     * Makes the series' bars with from ≤ ts ≤ to exactly `bars` (an import that replaced that range
     * in the store): the range is deleted first — a mutation, applied before returning — so a bar the
     * new import does not have is gone here too, as in the store; then `bars` are inserted.
     */
    async replaceRange(key: SeriesKey, from: number, to: number, bars: OhlcvSeries): Promise<number> {
        const where = `venue = ${text(key.venue, 'venue')} AND symbol = ${text(key.symbol, 'symbol')} AND timeframe = ${text(key.timeframe, 'timeframe')}`
            + ` AND ts >= ${integer(from, 'from')} AND ts <= ${integer(to, 'to')}`;
        await this.client.command({ query: `ALTER TABLE ${this.db}.bars DELETE WHERE ${where}` });
        // 18.16 has no mutations_sync: wait until the server reports every mutation of the table done.
        const deadline = Date.now() + this.timeoutMs;
        for (;;) {
            const rs = await this.client.query({ query: `SELECT count() FROM system.mutations WHERE database = '${this.db}' AND table = 'bars' AND is_done = 0`, format: 'TabSeparated' });
            if (Number((await rs.text()).trim()) === 0) break;
            if (Date.now() > deadline) throw new DataError(`ClickHouse did not finish replacing ${key.venue}:${key.symbol} ${key.timeframe} within ${this.timeoutMs} ms; import the bars again`);
            await new Promise(r => setTimeout(r, 50));
        }
        return bars.ts.length > 0 ? this.insert(key, bars) : 0;
    }

    /** The bars of one series with from ≤ ts ≤ to (both optional), ascending. */
    async range(key: SeriesKey, from?: number, to?: number): Promise<OhlcvSeries> {
        const where = [
            `venue = ${text(key.venue, 'venue')}`, `symbol = ${text(key.symbol, 'symbol')}`, `timeframe = ${text(key.timeframe, 'timeframe')}`,
            ...(from !== undefined ? [`ts >= ${integer(from, 'from')}`] : []), ...(to !== undefined ? [`ts <= ${integer(to, 'to')}`] : []),
        ];
        return this.columns(`SELECT ts, ${PRICE_COLUMNS.map(c => toBits(c)).join(', ')} FROM ${this.db}.bars FINAL WHERE ${where.join(' AND ')} ORDER BY ts`);
    }

    /**
     * One series resampled to `to` in SQL (the same buckets and rules as resample.ts); the last
     * bucket is dropped while the calendar still expects source bars in it.
     */
    async resampled(key: SeriesKey, from: Timeframe, to: Timeframe, calendar: Calendar = '24x7'): Promise<Resampled> {
        // The reference's checks (a coarser multiple) and its rule for the incomplete last bucket.
        resample({ ts: new Float64Array(0), open: new Float64Array(0), high: new Float64Array(0), low: new Float64Array(0), close: new Float64Array(0), volume: new Float64Array(0) }, from, to);
        const tf = integer(to.ms, 'timeframe'), off = integer(to.offset, 'offset');
        const src = `SELECT ts, open, high, low, close, volume FROM ${this.db}.bars FINAL
            WHERE venue = ${text(key.venue, 'venue')} AND symbol = ${text(key.symbol, 'symbol')} AND timeframe = ${text(key.timeframe, 'timeframe')} AND NOT isNaN(close)`;
        // floor((ts - off) / tf) for any sign: intDiv truncates toward zero.
        const bucket = `(intDiv(ts - ${off}, ${tf}) - if(ts - ${off} < 0 AND (ts - ${off}) % ${tf} != 0, 1, 0)) * ${tf} + ${off}`;
        // No output column is called ts: ClickHouse lets an alias shadow the column inside aggregates.
        // Volumes are summed in source order, as resample.ts adds them: a float sum depends on the order.
        const r = await this.columns(`SELECT b, ${toBits('argMin(open, ts)')}, ${toBits('max(high)')}, ${toBits('min(low)')}, ${toBits('argMax(close, ts)')},
                ${toBits('arraySum(arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((ts, volume)))))')}, max(ts) AS last_ts
            FROM (SELECT ${bucket} AS b, ts, open, high, low, close, volume FROM (${src})) GROUP BY b ORDER BY b`, true);
        // The incomplete last bucket, decided exactly as resample.ts does from the last source bar.
        const count = r.ts.length;
        let keep = count, droppedPartial = false;
        if (count > 0 && nextExpected(r.lastTs!, from, calendar) < r.ts[count - 1]! + to.ms) { keep--; droppedPartial = true; }
        const cut = (a: Float64Array): Float64Array => a.slice(0, keep);
        return { ts: cut(r.ts), open: cut(r.open), high: cut(r.high), low: cut(r.low), close: cut(r.close), volume: cut(r.volume), droppedPartial };
    }

    /** Rows of (ts, open, high, low, close, volume[, last_ts]) as columns. */
    private async columns(query: string, withLast = false): Promise<OhlcvSeries & { lastTs?: number }> {
        const rs = await this.client.query({ query, format: 'TabSeparated' });
        const body = await rs.text();
        const rows = body.length ? body.replace(/\n$/, '').split('\n') : [];
        const n = rows.length;
        const out = { ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
        let lastTs: number | undefined;
        for (let i = 0; i < n; i++) {
            const f = rows[i]!.split('\t');
            out.ts[i] = Number(f[0]);
            out.open[i] = fromBits(f[1]!);
            out.high[i] = fromBits(f[2]!);
            out.low[i] = fromBits(f[3]!);
            out.close[i] = fromBits(f[4]!);
            out.volume[i] = fromBits(f[5]!);
            if (withLast) lastTs = Math.max(lastTs ?? -Infinity, Number(f[6]));
        }
        return { ...out, ...(lastTs !== undefined ? { lastTs } : {}) };
    }

    async close(): Promise<void> {
        await this.client.close();
    }
}
