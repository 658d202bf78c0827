/**
 * Imports of CSV / Parquet files and in-memory bars: column mapping, timestamp formats,
 * validation (every problem class with exact counts and line numbers), reject vs --repair,
 * gaps vs --allow-gaps, the weekdays calendar, range replacement and atomicity.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { importBars, importFile, ImportRejected, type ImportOptions, type ImportResult } from '../../src/data/import.js';
import { type DataStore } from '../../src/store/store.js';
import { openStore } from '../../src/schema/registry.js';
import { type Problem } from '../../src/data/validate.js';
import { barSeries, columns, count, csv, DAY_MS, dailyRows, failure, HOUR_MS, storedBars, tempDir, writeFile } from './helpers.js';

let dir: string;
let store: DataStore;
let seq = 0;

beforeAll(async () => {
    dir = tempDir('af-import-');
    store = await openStore({ stateDir: join(dir, 'state') });
});
afterAll(() => store.close());

/** A fresh symbol per test, so tests share the store without seeing each other's bars. */
const sym = (): string => `T${++seq}`;
const opts = (symbol: string, extra: Partial<ImportOptions> = {}): ImportOptions => ({ venue: 'test', symbol, timeframe: '1d', ...extra });
const D = (iso: string): number => Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);

async function importCsv(rows: readonly (readonly (string | number)[])[], o: ImportOptions, header?: string): Promise<ImportResult> {
    return importFile(store, writeFile(dir, `${o.symbol}-${++seq}.csv`, csv(rows, header)), o);
}

async function rejected(p: Promise<unknown>): Promise<ImportRejected> {
    const e = await failure(p);
    expect(e).toBeInstanceOf(ImportRejected);
    return e as ImportRejected;
}

const problem = (problems: readonly Problem[], code: string): Problem => {
    const p = problems.find(x => x.code === code);
    if (!p) throw new Error(`no problem ${code} in ${problems.map(x => x.code).join(', ')}`);
    return p;
};
const codes = (problems: readonly Problem[], severity = 'error'): string[] => problems.filter(p => p.severity === severity).map(p => p.code).sort();

async function writeParquet(name: string, select: string): Promise<string> {
    const file = join(dir, name);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
        await conn.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
    } finally {
        conn.closeSync();
        instance.closeSync();
    }
    return file;
}

describe('CSV import', () => {
    it('imports valid daily bars, the instrument and an import log entry', async () => {
        const rows = dailyRows(10);
        const file = writeFile(dir, 'btc.csv', csv(rows));
        const r = await importFile(store, file, { venue: 'BINANCE', symbol: 'btcusdt', timeframe: '24h' });
        expect(r).toMatchObject({
            source: file, timeframe: '1d', rowsIn: 10, rowsWritten: 10, rowsDropped: 0, replaced: 0,
            firstTs: D('2024-01-01'), lastTs: D('2024-01-10'), problems: [],
            instrument: { venue: 'binance', symbol: 'BTC/USDT', id: 'binance:BTC/USDT', kind: 'pair', base: 'BTC', quote: 'USDT' },
        });
        expect(r.notes).toEqual(['columns: ts=date, open, high, low, close, volume']);
        expect(await storedBars(store, 'binance', 'BTC/USDT', '1d')).toEqual(rows.map(x => ({
            ts: D(String(x[0])), open: x[1], high: x[2], low: x[3], close: x[4], volume: x[5],
        })));
        expect(await store.rows(`SELECT * FROM instruments WHERE venue = 'binance'`)).toEqual([{ venue: 'binance', symbol: 'BTC/USDT', kind: 'pair', base: 'BTC', quote: 'USDT' }]);
        const log = await store.rows(`SELECT source, venue, symbol, timeframe, epoch_ms(first_ts)::DOUBLE AS f, epoch_ms(last_ts)::DOUBLE AS l,
            rows_in::DOUBLE AS i, rows_written::DOUBLE AS w, rows_dropped::DOUBLE AS d, rows_replaced::DOUBLE AS rp, report FROM imports WHERE venue = 'binance'`);
        expect(log).toEqual([{ source: file, venue: 'binance', symbol: 'BTC/USDT', timeframe: '1d', f: D('2024-01-01'), l: D('2024-01-10'), i: 10, w: 10, d: 0, rp: 0, report: '[]' }]);
    });

    it('matches the default column names case-insensitively and ignores extra columns', async () => {
        const s = sym();
        const rows = dailyRows(3).map(r => [...r, 'x']);
        const r = await importCsv(rows, opts(s), 'Timestamp,OPEN,High,low,Close,Vol,comment');
        expect(r.notes[0]).toBe('columns: ts=Timestamp, open=OPEN, high=High, low, close=Close, volume=Vol; ignored: comment');
        expect((await storedBars(store, 'test', s, '1d')).map(b => b.close)).toEqual([100, 101, 102]);
    });

    it('maps columns with --map (names matched case-insensitively)', async () => {
        const s = sym();
        // Both close and adjclose: --map close=adjclose takes the adjusted one.
        const rows = dailyRows(4).map(r => [r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, Number(r[4]) - 0.25, r[5]!, 17]);
        const r = await importCsv(rows, opts(s, { map: { ts: 'open time', close: 'ADJCLOSE', volume: 'Base Volume' } }), 'Open Time,O,H,L,close,adjclose,Base Volume,Trades');
        expect(r.notes[0]).toBe('columns: ts=Open Time, open=O, high=H, low=L, close=adjclose, volume=Base Volume; ignored: close, Trades');
        const stored = await storedBars(store, 'test', s, '1d');
        expect(stored.map(b => b.close)).toEqual([99.75, 100.75, 101.75, 102.75]);
        expect(stored.map(b => b.volume)).toEqual([1000, 1001, 1002, 1003]);
    });

    it('names an unknown --map column and a missing column, listing the columns', async () => {
        const s = sym();
        const file = writeFile(dir, 'cols.csv', csv(dailyRows(2), 'day,open,high,low,close,qty'));
        let e = await failure(importFile(store, file, opts(s, { map: { ts: 'day', volume: 'size' } })));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message).toBe(`${file}: --map volume=size: no such column; the columns are day, open, high, low, close, qty`);
        e = await failure(importFile(store, file, opts(s)));
        expect(e.message).toBe(`${file}: no column for ts; the columns are day, open, high, low, close, qty; name it with --map ts=COLUMN`);
        e = await failure(importFile(store, file, opts(s, { map: { ts: 'day' } })));
        expect(e.message).toBe(`${file}: no column for volume; the columns are day, open, high, low, close, qty; name it with --map volume=COLUMN`);
        expect(await count(store, `bars WHERE symbol = '${s}'`)).toBe(0);
    });

    it('says when a file seems to have no header row', async () => {
        const file = writeFile(dir, 'noheader.csv', dailyRows(3).map(r => r.join(',')).join('\n') + '\n');
        const e = await failure(importFile(store, file, opts(sym())));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message).toMatch(/: no column for ts \(the file seems to have no header row\); the columns are .*; name it with --map ts=COLUMN$/);
    });

    it('names the line of a malformed CSV (a row with extra fields)', async () => {
        const lines = csv(dailyRows(6)).split('\n');
        lines[4] += ',7,8';
        const file = writeFile(dir, 'ragged.csv', lines.join('\n'));
        const e = await failure(importFile(store, file, opts(sym())));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message).toBe(`${file}: malformed CSV: line 5 has 8 fields but the header (line 1) has 6; fix that line and import again`);
    });

    it('names the line of a malformed CSV (a row with missing fields)', async () => {
        const lines = csv(dailyRows(6)).split('\n');
        lines[3] = lines[3]!.split(',').slice(0, 4).join(',');
        const file = writeFile(dir, 'short.csv', lines.join('\n'));
        const e = await failure(importFile(store, file, opts(sym())));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message).toBe(`${file}: malformed CSV: line 4 has 4 fields but the header (line 1) has 6; fix that line and import again`);
    });

    it('refuses a missing file, a directory and a file without rows', async () => {
        const missing = join(dir, 'nope.csv');
        expect((await failure(importFile(store, missing, opts(sym())))).message).toBe(`${missing}: no such file`);
        expect((await failure(importFile(store, dir, opts(sym())))).message).toBe(`${dir}: no such file`);
        const empty = writeFile(dir, 'empty.csv', 'date,open,high,low,close,volume\n');
        const e = await failure(importFile(store, empty, opts(sym())));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message).toBe(`${empty}: no rows to import`);
    });

    it('refuses bad options before reading: timeframe, calendar, venue, symbol', async () => {
        const file = writeFile(dir, 'ok.csv', csv(dailyRows(2)));
        await expect(importFile(store, file, opts(sym(), { timeframe: '1M' }))).rejects.toThrow(/months have no fixed length/);
        await expect(importFile(store, file, opts(sym(), { timeframe: 'daily' }))).rejects.toThrow(/timeframe 'daily' is not valid/);
        await expect(importFile(store, file, opts(sym(), { calendar: 'lse' }))).rejects.toThrow(/calendar 'lse' is not known; use 24x7 \(crypto\), weekdays .* or nyse/);
        await expect(importFile(store, file, { venue: '9x', symbol: 'A', timeframe: '1d' })).rejects.toThrow(/venue '9x' is not valid/);
        await expect(importFile(store, file, { venue: 'x', symbol: ' ', timeframe: '1d' })).rejects.toThrow(/symbol of venue x is empty/);
    });
});

describe('timestamps', () => {
    const hourly = (texts: readonly string[]): (string | number)[][] => texts.map((t, i) => [t, 10 + i, 12 + i, 9 + i, 11 + i, 5]);

    it.each([
        ['ISO dates', '1d', ['2024-03-01', '2024-03-02', '2024-03-03'], D('2024-03-01')],
        ['ISO datetimes with Z', '1h', ['2024-03-01T00:00:00Z', '2024-03-01T01:00:00Z', '2024-03-01T02:00:00Z'], D('2024-03-01T00:00:00Z')],
        ['zone-less datetimes (UTC)', '1h', ['2024-03-01 05:00:00', '2024-03-01 06:00:00', '2024-03-01 07:00:00'], D('2024-03-01T05:00:00Z')],
        ['datetimes with an offset', '1h', ['2024-03-01T02:00:00+02:00', '2024-03-01T03:00:00+02:00', '2024-03-01T04:00:00+02:00'], D('2024-03-01T00:00:00Z')],
        ['minutes without seconds', '1h', ['2024-03-01T10:00Z', '2024-03-01T11:00Z', '2024-03-01T12:00Z'], D('2024-03-01T10:00:00Z')],
        ['mixed forms', '1h', ['2024-03-01T10:00Z', '2024-03-01 11:00:00', '2024-03-01T14:00:00+02:00'], D('2024-03-01T10:00:00Z')],
    ])('%s', async (_name, timeframe, texts, first) => {
        const s = sym();
        const r = await importCsv(hourly(texts), opts(s, { timeframe }));
        expect(r.problems).toEqual([]);
        const step = timeframe === '1d' ? DAY_MS : HOUR_MS;
        expect((await storedBars(store, 'test', s, timeframe)).map(b => b.ts)).toEqual([first, first + step, first + 2 * step]);
    });

    it.each([
        ['seconds', 1, 'ts read as epoch seconds'],
        ['milliseconds', 1000, 'ts read as epoch milliseconds'],
        ['microseconds', 1e6, 'ts read as epoch microseconds'],
    ])('epoch %s', async (_unit, scale, note) => {
        const s = sym();
        const t0 = D('2024-03-01T00:00:00Z');
        const rows = [0, 1, 2].map(i => [(t0 + i * HOUR_MS) / 1000 * scale, 10, 12, 9, 11, 5]);
        const r = await importCsv(rows, opts(s, { timeframe: '1h' }), 'ts,open,high,low,close,volume');
        expect(r.notes).toContain(note);
        expect((await storedBars(store, 'test', s, '1h')).map(b => b.ts)).toEqual([t0, t0 + HOUR_MS, t0 + 2 * HOUR_MS]);
    });

    it('epoch seconds with a fraction', async () => {
        const s = sym();
        const r = await importCsv([[1709251200.0, 10, 12, 9, 11, 5], [1709251200.5, 10, 12, 9, 11, 5]], opts(s, { timeframe: '1s', allowGaps: true, repair: true }), 'time,open,high,low,close,volume');
        expect(r.notes).toContain('ts read as epoch seconds');
        // 0.5 s is off the 1s grid: reported and dropped, never rounded onto it.
        expect(problem(r.problems, 'misaligned-ts')).toMatchObject({ count: 1, rows: [3] });
        expect((await storedBars(store, 'test', s, '1s')).map(b => b.ts)).toEqual([1709251200000]);
    });

    it('one unparseable value in an epoch column is that one row, not the whole column', async () => {
        const s = sym();
        const rows = dailyRows(6).map(r => [D(String(r[0])), ...r.slice(1)]);
        rows[3]![0] = 'oops';
        const e = await rejected(importCsv(rows, opts(s), 'ts,open,high,low,close,volume'));
        expect(problem(e.problems, 'bad-ts')).toMatchObject({ count: 1, rows: [5], examples: ['line 5 [oops]'] });
        const r = await importCsv(rows, opts(s, { repair: true, allowGaps: true }), 'ts,open,high,low,close,volume');
        expect(r.notes).toContain('ts read as epoch milliseconds');
        expect(r.rowsWritten).toBe(5);
    });

    it('--date-format (strptime), day first', async () => {
        const s = sym();
        const rows = [['02/01/2024', 10, 12, 9, 11, 5], ['03/01/2024', 10, 12, 9, 11, 5], ['04/01/2024', 10, 12, 9, 11, 5]];
        const r = await importCsv(rows, opts(s, { dateFormat: '%d/%m/%Y' }));
        expect(r.notes).toContain('ts parsed with format %d/%m/%Y');
        expect((await storedBars(store, 'test', s, '1d')).map(b => b.ts)).toEqual([D('2024-01-02'), D('2024-01-03'), D('2024-01-04')]);
        // A value that does not fit the format is a bad timestamp on its line.
        rows.push(['2024-01-05', 10, 12, 9, 11, 5]);
        const e = await rejected(importCsv(rows, opts(s, { dateFormat: '%d/%m/%Y' })));
        expect(problem(e.problems, 'bad-ts')).toMatchObject({ count: 1, rows: [5], examples: ['line 5 [2024-01-05]'] });
    });

    it('unparseable dates are reported with their text', async () => {
        const rows: (string | number)[][] = dailyRows(5);
        rows[1]![0] = '2024-13-45';
        rows[3]![0] = '';
        const e = await rejected(importCsv(rows, opts(sym())));
        expect(problem(e.problems, 'bad-ts')).toMatchObject({ count: 2, rows: [3, 5], examples: ['line 3 [2024-13-45]', 'line 5 []'] });
    });
});

describe('Parquet import', () => {
    const base = `SELECT i, (100 + i)::DOUBLE AS c FROM range(6) t(i)`;

    it('reads TIMESTAMP, TIMESTAMPTZ, DATE and epoch columns; rows are numbered from 1', async () => {
        const forms: [string, string][] = [
            ['timestamp', `TIMESTAMP '2024-01-01' + INTERVAL (i) DAY`],
            ['timestamptz', `TIMESTAMPTZ '2024-01-01 02:00:00+02' + INTERVAL (i) DAY`],
            ['date', `DATE '2024-01-01' + CAST(i AS INTEGER)`],
            ['epochms', `1704067200000 + i * 86400000`],
            ['timestamp_ns', `CAST(TIMESTAMP '2024-01-01' + INTERVAL (i) DAY AS TIMESTAMP_NS)`],
        ];
        for (const [name, expr] of forms) {
            const file = await writeParquet(`${name}.parquet`, `SELECT ${expr} AS ts, c - 0.5 AS open, c + 1 AS high, c - 1 AS low, c AS close, 10.0 AS volume FROM (${base})`);
            const s = sym();
            const r = await importFile(store, file, opts(s));
            expect(r, name).toMatchObject({ rowsIn: 6, rowsWritten: 6, firstTs: D('2024-01-01'), lastTs: D('2024-01-06'), problems: [] });
            expect((await storedBars(store, 'test', s, '1d')).map(b => b.close)).toEqual([100, 101, 102, 103, 104, 105]);
        }
    });

    it('maps columns and reports problems by row', async () => {
        const file = await writeParquet('mapped.parquet', `SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) DAY AS open_ts, c AS px_open, c + 1 AS px_high,
            CASE WHEN i = 2 THEN c + 2 ELSE c - 1 END AS px_low, c AS px_close, CASE WHEN i = 4 THEN -1 ELSE 5 END AS qty FROM (${base})`);
        const s = sym();
        const map = { ts: 'open_ts', open: 'px_open', high: 'px_high', low: 'px_low', close: 'px_close', volume: 'qty' };
        const e = await rejected(importFile(store, file, opts(s, { map })));
        expect(problem(e.problems, 'high-below-low')).toMatchObject({ count: 1, rows: [3], examples: ['row 3 [2024-01-03 00:00:00] high=103 low=104'] });
        expect(problem(e.problems, 'negative-volume')).toMatchObject({ count: 1, rows: [5], examples: ['row 5 [2024-01-05 00:00:00] volume=-1'] });
        expect(e.message).toMatch(/mapped\.parquet: import rejected: .*1 × high < low \(first at row 3\)/);
        const r = await importFile(store, file, opts(s, { map, repair: true, allowGaps: true }));
        expect(r).toMatchObject({ rowsIn: 6, rowsWritten: 4, rowsDropped: 2 });
        expect(r.notes[0]).toBe('columns: ts=open_ts, open=px_open, high=px_high, low=px_low, close=px_close, volume=qty');
    });

    it('a file that is not Parquet is a clear error; --format overrides the extension', async () => {
        const fake = writeFile(dir, 'fake.parquet', csv(dailyRows(3)));
        const e = await failure(importFile(store, fake, opts(sym())));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message).toMatch(/fake\.parquet: cannot be read as PARQUET: /);
        const r = await importFile(store, fake, opts(sym(), { format: 'csv' }));
        expect(r.rowsWritten).toBe(3);
        const pq = await writeParquet('data.bin', `SELECT TIMESTAMP '2024-01-01' + INTERVAL (i) DAY AS ts, c AS open, c AS high, c AS low, c AS close, 1.0 AS volume FROM (${base})`);
        expect((await importFile(store, pq, opts(sym(), { format: 'parquet' }))).rowsWritten).toBe(6);
    });
});

describe('validation: each problem class, rejected by default', () => {
    // dailyRows: line = index + 2 (the header is line 1); close = 100 + i, open = c - 0.5, high = c + 1, low = c - 1.
    type Row = (string | number)[];
    const cases: [code: string, message: string, damage: (r: Row) => void, errors: string[], example: string][] = [
        ['bad-ts', 'missing or unparseable timestamp', r => { r[0] = 'not-a-date'; }, ['bad-ts', 'gap'], 'line 5 [not-a-date]'],
        ['missing-value', 'missing, NaN, infinite or non-numeric value', r => { r[4] = 'NaN'; }, ['gap', 'missing-value'], 'line 5 [2024-01-04] open=102.5 high=104 low=102 close=NaN volume=1003'],
        ['missing-value', 'missing, NaN, infinite or non-numeric value', r => { r[5] = ''; }, ['gap', 'missing-value'], 'line 5 [2024-01-04] open=102.5 high=104 low=102 close=103 volume=missing'],
        ['missing-value', 'missing, NaN, infinite or non-numeric value', r => { r[1] = 'n/a'; }, ['gap', 'missing-value'], 'line 5 [2024-01-04] open=missing high=104 low=102 close=103 volume=1003'],
        ['missing-value', 'missing, NaN, infinite or non-numeric value', r => { r[2] = 'inf'; }, ['gap', 'missing-value'], 'line 5 [2024-01-04] open=102.5 high=Infinity low=102 close=103 volume=1003'],
        ['non-positive-price', 'price <= 0', r => { r[3] = 0; }, ['gap', 'non-positive-price'], 'line 5 [2024-01-04] open=102.5 high=104 low=0 close=103'],
        ['non-positive-price', 'price <= 0', r => { r[3] = -5; }, ['gap', 'non-positive-price'], 'line 5 [2024-01-04] open=102.5 high=104 low=-5 close=103'],
        ['high-below-low', 'high < low', r => { r[2] = Number(r[4]) - 2; }, ['gap', 'high-below-low', 'high-below-open-close'], 'line 5 [2024-01-04] high=101 low=102'],
        ['high-below-open-close', 'high < max(open, close)', r => { r[2] = Number(r[4]) - 0.25; }, ['gap', 'high-below-open-close'], 'line 5 [2024-01-04] open=102.5 high=102.75 close=103'],
        ['low-above-open-close', 'low > min(open, close)', r => { r[3] = Number(r[4]) - 0.25; }, ['gap', 'low-above-open-close'], 'line 5 [2024-01-04] open=102.5 low=102.75 close=103'],
        ['negative-volume', 'volume < 0', r => { r[5] = -1; }, ['gap', 'negative-volume'], 'line 5 [2024-01-04] volume=-1'],
        ['misaligned-ts', 'timestamp not on the 1d grid (UTC)', r => { r[0] = `${String(r[0])} 12:00:00`; }, ['gap', 'misaligned-ts'], 'line 5 [2024-01-04 12:00:00]'],
    ];

    it.each(cases)('%s (%#)', async (code, message, damage, errors, example) => {
        const s = sym();
        const rows: Row[] = dailyRows(10);
        damage(rows[3]!);
        damage(rows[6]!);
        const file = writeFile(dir, `${code}.csv`, csv(rows));
        const e = await rejected(importFile(store, file, opts(s)));
        const p = problem(e.problems, code);
        expect(p).toMatchObject({ severity: 'error', count: 2, message, rows: [5, 8], repair: 'drop' });
        expect(p.examples[0]).toBe(example);
        expect(codes(e.problems)).toEqual(errors);
        // The dropped rows leave one-day gaps, reported at the bar after each.
        expect(problem(e.problems, 'gap')).toMatchObject({ count: 2, rows: [6, 9], message: 'missing 1d bars: 2 bars missing in all' });
        expect(e.source).toBe(file);
        expect(e.message).toContain(`${file}: import rejected: `);
        expect(e.message).toContain(`2 × ${message} (first at line 5)`);
        expect(e.message).toMatch(/re-run with --allow-gaps .*, and --repair to drop the invalid rows$/);
        // Nothing was written.
        expect(await count(store, `bars WHERE symbol = '${s}'`)).toBe(0);
        expect(await count(store, `instruments WHERE symbol = '${s}'`)).toBe(0);
        expect(await count(store, `imports WHERE symbol = '${s}'`)).toBe(0);
        // --repair alone still refuses the gaps it would leave; with --allow-gaps it imports the rest.
        const again = await rejected(importFile(store, file, opts(s, { repair: true })));
        expect(codes(again.problems)).toEqual(['gap', ...errors.filter(c => c !== 'gap')].sort());
        expect(again.message).toMatch(/re-run with --allow-gaps to import with the gaps \(missing bars are never invented; the loader leaves NaN there\)$/);
        const r = await importFile(store, file, opts(s, { repair: true, allowGaps: true }));
        expect(r).toMatchObject({ rowsIn: 10, rowsWritten: 8, rowsDropped: 2 });
        expect(problem(r.problems, 'gap').severity).toBe('warning');
        const days = (await storedBars(store, 'test', s, '1d')).map(b => new Date(b.ts).getUTCDate());
        expect(days).toEqual([1, 2, 3, 5, 6, 8, 9, 10]);
    });

    it('duplicates: the earlier rows are reported; --repair keeps the last', async () => {
        const s = sym();
        const rows: (string | number)[][] = dailyRows(6);
        // 2024-01-03 three times (lines 4, 5, 6), 2024-01-05 twice (lines 8, 9).
        rows.splice(3, 0, ['2024-01-03', 101.5, 110, 101, 109, 7], ['2024-01-03', 101.5, 120, 101, 119, 8]);
        rows.splice(7, 0, ['2024-01-05', 103.5, 106, 103, 105.5, 9]);
        const file = writeFile(dir, 'dups.csv', csv(rows));
        const e = await rejected(importFile(store, file, opts(s)));
        expect(codes(e.problems)).toEqual(['duplicate-ts']);
        expect(problem(e.problems, 'duplicate-ts')).toMatchObject({
            count: 3, rows: [4, 5, 8], repair: 'drop-earlier',
            examples: ['line 4 [2024-01-03] repeated at line 6', 'line 5 [2024-01-03] repeated at line 6', 'line 8 [2024-01-05] repeated at line 9'],
        });
        expect(e.message).toBe(`${file}: import rejected: 3 × duplicate timestamp (a later row has the same one) (first at line 4); fix the file, or re-run with --repair to sort, keep the last of each duplicate and drop invalid rows`);
        const r = await importFile(store, file, opts(s, { repair: true }));
        expect(r).toMatchObject({ rowsIn: 9, rowsWritten: 6, rowsDropped: 3 });
        const stored = await storedBars(store, 'test', s, '1d');
        expect(stored.map(b => b.close)).toEqual([100, 101, 119, 103, 105.5, 105]);
    });

    it('unsorted rows: reported where the time goes back; --repair sorts', async () => {
        const s = sym();
        const rows: (string | number)[][] = dailyRows(8);
        [rows[2], rows[3]] = [rows[3]!, rows[2]!]; // line 4: 01-04, line 5: 01-03
        [rows[5], rows[7]] = [rows[7]!, rows[5]!]; // line 7: 01-08, line 8: 01-07, line 9: 01-06
        const file = writeFile(dir, 'unsorted.csv', csv(rows));
        const e = await rejected(importFile(store, file, opts(s)));
        expect(codes(e.problems)).toEqual(['unsorted']);
        expect(problem(e.problems, 'unsorted')).toMatchObject({
            count: 3, rows: [5, 8, 9], repair: 'sort',
            examples: ['line 5 [2024-01-03] after [2024-01-04]', 'line 8 [2024-01-07] after [2024-01-08]', 'line 9 [2024-01-06] after [2024-01-07]'],
        });
        expect(e.message).toContain('3 × timestamp earlier than the row before (first at line 5); fix the file, or re-run with --repair');
        const r = await importFile(store, file, opts(s, { repair: true }));
        expect(r).toMatchObject({ rowsWritten: 8, rowsDropped: 0 });
        expect((await storedBars(store, 'test', s, '1d')).map(b => b.close)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    });

    it('reports the first five rows of a class and counts them all', async () => {
        const rows: (string | number)[][] = dailyRows(20);
        for (const i of [1, 3, 5, 7, 9, 11, 13]) rows[i]![5] = -i;
        const e = await rejected(importCsv(rows, opts(sym())));
        expect(problem(e.problems, 'negative-volume')).toMatchObject({ count: 7, rows: [3, 5, 7, 9, 11] });
        expect(problem(e.problems, 'negative-volume').examples).toHaveLength(5);
    });

    it('several classes at once; --repair drops exactly the bad rows', async () => {
        const s = sym();
        const rows: (string | number)[][] = dailyRows(12);
        rows[1]![4] = 'NaN'; //               line 3, 01-02
        rows[4]![5] = -3; //                  line 6, 01-05
        rows.push(['2024-01-12', 1, 2, 0.5, 1.5, 1]); // line 14: duplicate of line 13 (kept: the later one)
        rows.push(['2024-01-13', 1, 2, 0.5, 1.5, 1]); // line 15
        rows.push(['2024-01-11', 1, 2, 0.5, 1.5, 1]); // line 16: duplicate of line 12 and unsorted
        const e = await rejected(importCsv(rows, opts(s, { allowGaps: true })));
        expect(codes(e.problems)).toEqual(['duplicate-ts', 'missing-value', 'negative-volume', 'unsorted']);
        expect(problem(e.problems, 'duplicate-ts')).toMatchObject({ count: 2, rows: [12, 13] });
        expect(problem(e.problems, 'unsorted')).toMatchObject({ count: 1, rows: [16] });
        expect(problem(e.problems, 'gap')).toMatchObject({ severity: 'warning', count: 2, rows: [4, 7] });
        const r = await importCsv(rows, opts(s, { allowGaps: true, repair: true }));
        expect(r).toMatchObject({ rowsIn: 15, rowsWritten: 11, rowsDropped: 4, firstTs: D('2024-01-01'), lastTs: D('2024-01-13') });
        const stored = await storedBars(store, 'test', s, '1d');
        expect(stored.map(b => new Date(b.ts).getUTCDate())).toEqual([1, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13]);
        expect(stored.slice(-3).map(b => b.close)).toEqual([1.5, 1.5, 1.5]);
        // The report is logged with the import.
        const report = JSON.parse(String(await store.scalar(`SELECT report FROM imports WHERE symbol = '${s}'`))) as Problem[];
        expect(report).toEqual(r.problems);
    });

    it('every row dropped by --repair is an error, not an empty import', async () => {
        const rows: (string | number)[][] = dailyRows(3);
        for (const r of rows) r[5] = -1;
        const file = writeFile(dir, 'allbad.csv', csv(rows));
        const e = await failure(importFile(store, file, opts(sym(), { repair: true })));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message).toBe(`${file}: every row was dropped by --repair; nothing to import`);
    });
});

describe('gaps and calendars', () => {
    const days = (dates: readonly string[]): (string | number)[][] => dates.map((d, i) => [d, 10 + i, 12 + i, 9 + i, 11 + i, 5]);
    /** Weekdays from Monday 2024-01-01 for `weeks` weeks, minus `skip`. */
    const weekdays = (weeks: number, skip: readonly string[] = []): string[] => {
        const out: string[] = [];
        for (let d = 0; d < weeks * 7; d++) {
            const t = D('2024-01-01') + d * DAY_MS;
            const iso = new Date(t).toISOString().slice(0, 10);
            if (new Date(t).getUTCDay() % 6 !== 0 && !skip.includes(iso)) out.push(iso);
        }
        return out;
    };

    it('24x7: missing bars are counted per gap, rejected without --allow-gaps', async () => {
        const s = sym();
        const rows: (string | number)[][] = dailyRows(12).filter((_, i) => ![3, 4, 8].includes(i)); // 01-04, 01-05, 01-09 missing
        const file = writeFile(dir, 'gaps.csv', csv(rows));
        const e = await rejected(importFile(store, file, opts(s)));
        expect(codes(e.problems)).toEqual(['gap']);
        expect(problem(e.problems, 'gap')).toMatchObject({
            count: 2, rows: [5, 8], message: 'missing 1d bars: 3 bars missing in all',
            examples: ['line 5 [2024-01-06]: 2 missing after 2024-01-03', 'line 8 [2024-01-10]: 1 missing after 2024-01-08'],
        });
        expect(problem(e.problems, 'gap').repair).toBeUndefined();
        expect(e.message).toBe(`${file}: import rejected: 2 × missing 1d bars (first at line 5); re-run with --allow-gaps to import with the gaps (missing bars are never invented; the loader leaves NaN there)`);
        await rejected(importFile(store, file, opts(s, { repair: true })));
        const r = await importFile(store, file, opts(s, { allowGaps: true }));
        expect(r.rowsWritten).toBe(9);
        expect(problem(r.problems, 'gap').severity).toBe('warning');
        expect(await count(store, `bars WHERE symbol = '${s}'`)).toBe(9);
    });

    it('24x7 hourly gaps', async () => {
        const bars = barSeries(30, HOUR_MS, Date.UTC(2024, 0, 1), t => t >= Date.UTC(2024, 0, 1, 10) && t < Date.UTC(2024, 0, 1, 13));
        const e = await rejected(importBars(store, columns(bars), 'memory', opts(sym(), { timeframe: '1h' })));
        expect(problem(e.problems, 'gap')).toMatchObject({ count: 1, rows: [11], examples: ['bar 11 [2024-01-01T13:00Z]: 3 missing after 2024-01-01T09:00Z'] });
    });

    it('weekdays: weekends are not gaps; a single missing weekday is an informational holiday', async () => {
        const s = sym();
        const dates = weekdays(3, ['2024-01-15']); // Monday the 15th is a holiday
        const r = await importCsv(days(dates), opts(s, { calendar: 'weekdays' }));
        expect(r.rowsWritten).toBe(14);
        expect(codes(r.problems)).toEqual([]);
        expect(r.problems).toEqual([{
            code: 'holiday', severity: 'info', count: 1, rows: [12], message: 'single missing weekday (holiday?): 1 bar missing in all',
            examples: ['line 12 [2024-01-16]: 1 missing after 2024-01-12'],
        }]);
        // The same bars on a 24x7 calendar have gaps at every weekend.
        const e = await rejected(importCsv(days(dates), opts(sym())));
        expect(problem(e.problems, 'gap')).toMatchObject({ count: 2, message: 'missing 1d bars: 5 bars missing in all', rows: [7, 12] });
    });

    it('weekdays: two missing weekdays (also across a weekend) are a gap', async () => {
        const e = await rejected(importCsv(days(weekdays(3, ['2024-01-04', '2024-01-05', '2024-01-12', '2024-01-15'])), opts(sym(), { calendar: 'weekdays' })));
        expect(codes(e.problems)).toEqual(['gap']);
        expect(problem(e.problems, 'gap')).toMatchObject({
            count: 2, rows: [5, 9], message: 'gap of 2 or more weekdays without a bar: 4 bars missing in all',
            examples: ['line 5 [2024-01-08]: 2 missing after 2024-01-03', 'line 9 [2024-01-16]: 2 missing after 2024-01-11'],
        });
    });

    it('weekdays: a weekend bar is kept with a warning, and does not hide a gap', async () => {
        const s = sym();
        const dates = weekdays(2);
        dates.splice(5, 0, '2024-01-06'); // Saturday, line 7
        const r = await importCsv(days(dates), opts(s, { calendar: 'weekdays' }));
        expect(r.problems).toEqual([{ code: 'weekend-bar', severity: 'warning', count: 1, rows: [7], message: 'bar on a Saturday or Sunday (weekdays calendar); kept', examples: ['line 7 [2024-01-06]'] }]);
        expect(await count(store, `bars WHERE symbol = '${s}'`)).toBe(11);
        const gappy = weekdays(2, ['2024-01-08', '2024-01-09']);
        gappy.splice(5, 0, '2024-01-07'); // Sunday, then Wednesday
        const e = await rejected(importCsv(days(gappy), opts(sym(), { calendar: 'weekdays' })));
        expect(problem(e.problems, 'gap')).toMatchObject({ count: 1, rows: [8], examples: ['line 8 [2024-01-10]: 2 missing after 2024-01-07'] });
    });

    it('weekdays with hourly bars: the weekend hours are not gaps', async () => {
        // Friday 2024-01-05 20:00 .. Monday 2024-01-08 03:00, weekdays only.
        const bars = barSeries(56, HOUR_MS, Date.UTC(2024, 0, 5, 20), t => new Date(t).getUTCDay() % 6 === 0);
        expect(bars).toHaveLength(8);
        const r = await importBars(store, columns(bars), 'memory', opts(sym(), { timeframe: '1h', calendar: 'weekdays' }));
        expect(r.problems).toEqual([]);
    });
});

describe('re-import and atomicity', () => {
    it('re-importing a range replaces the stored bars in it and keeps the rest', async () => {
        const s = sym();
        await importCsv(dailyRows(10), opts(s));
        const update = dailyRows(3, D('2024-01-04')).map(r => [r[0]!, 1, 3, 0.5, 2, 7]);
        const r = await importCsv(update, opts(s));
        expect(r.replaced).toBe(3);
        expect(r.notes).toContainEqual(expect.stringMatching(/^replaced 3 stored bars in 2024-01-04 \.\. 2024-01-06; the old bars are kept \(import \d+\)$/));
        const stored = await storedBars(store, 'test', s, '1d');
        expect(stored.map(b => b.close)).toEqual([100, 101, 102, 2, 2, 2, 106, 107, 108, 109]);
        // A range with fewer bars than stored: the stored bars missing from it go too (the new data is the truth for its range).
        const thinner = [['2024-01-03', 1, 3, 0.5, 2.5, 7], ['2024-01-06', 1, 3, 0.5, 2.5, 7]];
        const t = await importCsv(thinner, opts(s, { allowGaps: true }));
        expect(t.replaced).toBe(4);
        expect(t.notes).toContainEqual(expect.stringMatching(/^replaced 4 stored bars in 2024-01-03 \.\. 2024-01-06 \(2 of them are not in the new data and were removed\); the old bars are kept/));
        expect((await storedBars(store, 'test', s, '1d')).map(b => [new Date(b.ts).getUTCDate(), b.close])).toEqual([
            [1, 100], [2, 101], [3, 2.5], [6, 2.5], [7, 106], [8, 107], [9, 108], [10, 109],
        ]);
        // Extending past the end replaces the overlap only.
        const more = await importCsv(dailyRows(4, D('2024-01-09')), opts(s));
        expect(more.replaced).toBe(2);
        expect(await count(store, `bars WHERE symbol = '${s}'`)).toBe(10);
        expect(await count(store, `imports WHERE symbol = '${s}'`)).toBe(4);
        // Other timeframes and symbols are untouched by a replacement.
        expect(await count(store, `instruments WHERE symbol = '${s}'`)).toBe(1);
    });

    it('importing the very bars already stored changes nothing: no replacement, no revision, no import recorded', async () => {
        const s = sym();
        await importCsv(dailyRows(10), opts(s));
        const revisions = await count(store, `bar_revisions WHERE symbol = '${s}'`);
        const same = await importCsv(dailyRows(10), opts(s));
        expect(same.replaced).toBe(0);
        expect(same.notes).toContain('the same 10 bars are already stored: nothing changed');
        expect(await count(store, `bar_revisions WHERE symbol = '${s}'`)).toBe(revisions);
        expect(await count(store, `imports WHERE symbol = '${s}'`)).toBe(1);
        // One value different is a replacement of the whole range, as before.
        const one = dailyRows(10).map((r, i) => (i === 4 ? [r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, 9999] : r)); // one volume
        expect((await importCsv(one, opts(s))).replaced).toBe(10);
        expect(await count(store, `imports WHERE symbol = '${s}'`)).toBe(2);
    });

    it('a failure just before COMMIT leaves nothing written (a new series)', async () => {
        const s = sym();
        const file = writeFile(dir, 'atomic.csv', csv(dailyRows(20)));
        const boom = new Error('injected failure');
        let called = 0;
        const e = await failure(importFile(store, file, opts(s, { beforeCommit: () => { called++; throw boom; } })));
        expect(e).toBe(boom);
        expect(called).toBe(1);
        expect(await count(store, `bars WHERE symbol = '${s}'`)).toBe(0);
        expect(await count(store, `instruments WHERE symbol = '${s}'`)).toBe(0);
        expect(await count(store, `imports WHERE symbol = '${s}'`)).toBe(0);
        // No staging tables are left behind, and the store works.
        expect(await count(store, `duckdb_tables() WHERE temporary`)).toBe(0);
        expect(await count(store, `duckdb_views() WHERE temporary AND view_name LIKE 'af_%'`)).toBe(0);
        expect((await importFile(store, file, opts(s))).rowsWritten).toBe(20);
    });

    it('a failure just before COMMIT leaves a replaced range as it was', async () => {
        const s = sym();
        await importCsv(dailyRows(10), opts(s));
        const before = await storedBars(store, 'test', s, '1d');
        const thinner = [['2024-01-03', 1, 3, 0.5, 2.5, 7], ['2024-01-06', 1, 3, 0.5, 2.5, 7]];
        const e = await failure(importCsv(thinner, opts(s, { allowGaps: true, beforeCommit: async () => { throw new Error('disk full'); } })));
        expect(e.message).toBe('disk full');
        expect(await storedBars(store, 'test', s, '1d')).toEqual(before);
        expect(await count(store, `imports WHERE symbol = '${s}'`)).toBe(1);
    });

    it('a rejected import over stored bars leaves them as they were', async () => {
        const s = sym();
        await importCsv(dailyRows(10), opts(s));
        const before = await storedBars(store, 'test', s, '1d');
        const bad: (string | number)[][] = dailyRows(5, D('2024-01-03')).map(r => [r[0]!, 1, 3, 0.5, 2, 7]);
        bad[2]![2] = 0.1;
        await rejected(importCsv(bad, opts(s)));
        expect(await storedBars(store, 'test', s, '1d')).toEqual(before);
    });
});

describe('in-memory bars (importBars)', () => {
    it('imports columns of ms timestamps (Float64Array or arrays)', async () => {
        const s = sym();
        const bars = barSeries(48, HOUR_MS);
        const cols = columns(bars);
        const r = await importBars(store, { ...cols, ts: Float64Array.from(cols.ts), close: Float64Array.from(cols.close) }, 'synthetic', { venue: 'synth', symbol: s, timeframe: '60m' });
        expect(r).toMatchObject({ source: 'synthetic', timeframe: '1h', rowsIn: 48, rowsWritten: 48, problems: [] });
        expect(await storedBars(store, 'synth', s, '1h')).toEqual(bars);
    });

    it('numbers problems by bar (from 1)', async () => {
        const bars = barSeries(10, DAY_MS);
        bars[4]!.close = NaN;
        bars[6]!.ts += 1;
        const e = await rejected(importBars(store, columns(bars), 'fetched', opts(sym())));
        expect(problem(e.problems, 'missing-value').rows).toEqual([5]);
        expect(problem(e.problems, 'misaligned-ts').rows).toEqual([7]);
        expect(e.message).toMatch(/^fetched: import rejected: .*\(first at bar 5\)/);
    });

    it('refuses columns of different lengths and nothing at all', async () => {
        const cols = columns(barSeries(5, DAY_MS));
        await expect(importBars(store, { ...cols, volume: cols.volume.slice(1) }, 'mem', opts(sym()))).rejects.toThrow('mem: column volume has 4 values but ts has 5');
        const none = columns([]);
        await expect(importBars(store, none, 'mem', opts(sym()))).rejects.toThrow('mem: no rows to import');
    });
});

describe('the vega-datasets S&P 500 file', () => {
    const SP = 'node_modules/vega-datasets/data/sp500-2000.csv';

    it('imports as sp:SPX 1d on the weekdays calendar, matching the file read independently', async () => {
        // Read the file with plain string handling, not DuckDB.
        const lines = readFileSync(SP, 'utf8').split(/\r?\n/).filter(l => l.trim() !== '');
        const header = lines[0]!.split(',');
        const rows = lines.slice(1).map(l => l.split(','));
        const at = (r: string[], col: string): string => r[header.indexOf(col)]!;
        const dates = rows.map(r => at(r, 'date'));
        // Gaps by hand: weekdays strictly between consecutive dates.
        let gaps = 0, holidays = 0, missingInGaps = 0, firstGapLine = 0;
        for (let i = 1; i < dates.length; i++) {
            let between = 0;
            for (let t = D(dates[i - 1]!) + DAY_MS; t < D(dates[i]!); t += DAY_MS) if (new Date(t).getUTCDay() % 6 !== 0) between++;
            if (between === 1) holidays++;
            if (between > 1) {
                gaps++;
                missingInGaps += between;
                firstGapLine ||= i + 2;
            }
        }
        expect(rows.length).toBeGreaterThan(5000);
        expect(gaps).toBeGreaterThan(0);

        const o: ImportOptions = { venue: 'sp', symbol: 'spx', timeframe: '1d', calendar: 'weekdays' };
        const e = await rejected(importFile(store, SP, o));
        expect(codes(e.problems)).toEqual(['gap']);
        expect(problem(e.problems, 'gap')).toMatchObject({ count: gaps, message: `gap of 2 or more weekdays without a bar: ${missingInGaps} bars missing in all` });
        expect(problem(e.problems, 'gap').rows[0]).toBe(firstGapLine);
        expect(await count(store, `bars WHERE venue = 'sp'`)).toBe(0);

        const r = await importFile(store, SP, { ...o, allowGaps: true });
        expect(r).toMatchObject({ rowsIn: rows.length, rowsWritten: rows.length, rowsDropped: 0, firstTs: D(dates[0]!), lastTs: D(dates[dates.length - 1]!) });
        expect(r.instrument.id).toBe('sp:SPX');
        expect(r.notes[0]).toBe('columns: ts=date, open, high, low, close, volume; ignored: adjclose');
        expect(problem(r.problems, 'holiday').count).toBe(holidays);
        const stored = await storedBars(store, 'sp', 'SPX', '1d');
        expect(stored).toHaveLength(rows.length);
        expect(stored[0]!.close).toBe(Number(at(rows[0]!, 'close')));
        expect(stored[0]!.close).toBe(1455.219971);
        expect(stored.at(-1)!.close).toBe(Number(at(rows.at(-1)!, 'close')));
        expect(stored.at(-1)!.close).toBe(2874.560059);
        expect(stored.at(-1)!.volume).toBe(Number(at(rows.at(-1)!, 'volume')));
        const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
        expect(sum(stored.map(b => b.close))).toBeCloseTo(sum(rows.map(x => Number(at(x, 'close')))), 6);
        expect(stored.map(b => new Date(b.ts).toISOString().slice(0, 10))).toEqual(dates);
    });
});

describe('redacted detail (a file on the daemon\'s host named by a remote caller)', () => {
    const SECRET = 'TOKEN-af_secret_value';

    it('names the file, line numbers, counts and problem classes; never a column name or a value', async () => {
        const notBars = writeFile(dir, 'not-bars.csv', `${SECRET},second\n1,2\n`);
        const full = await failure<DataError>(importFile(store, notBars, opts(sym())));
        expect(full.message).toContain(SECRET); // the local CLI keeps its helpful message
        const red = await failure<DataError>(importFile(store, notBars, opts(sym(), { detail: 'redacted', name: 'given/name.csv' })));
        expect(red.message).toBe('given/name.csv: no column for ts; the file has 2 columns; name it with --map ts=COLUMN');
        const mapped = await failure<DataError>(importFile(store, notBars, opts(sym(), { detail: 'redacted', map: { ts: 'nope' } })));
        expect(mapped.message).not.toContain(SECRET);

        const bad = writeFile(dir, 'bad-values.csv', csv([['2024-01-01', 10, 12, 9, 11, 100], ['2024-01-02', 10, 8, 9.5, 11, 4242.5], ['2024-01-04', 10, 12, 9, 11, 100]]));
        const e = await rejected(importFile(store, bad, opts(sym(), { detail: 'redacted', name: 'bad.csv' })));
        expect(e.message).toMatch(/^bad\.csv: import rejected: 1 × high < low \(first at line 3\);.* 1 × missing 1d bars \(first at line 4\)/);
        expect(e.problems.map(p => p.examples)).toEqual([['line 3'], ['line 3'], ['line 4']]);
        expect(JSON.stringify(e.problems)).not.toMatch(/4242|2024-01/);

        const ok = await importFile(store, writeFile(dir, 'good.csv', csv(dailyRows(5), 'Day,open,high,low,close,volume')), opts(sym(), { detail: 'redacted', name: 'good.csv', map: { ts: 'Day' } }));
        expect(ok.source).toBe('good.csv');
        expect(ok.notes[0]).toBe('columns: ts, open, high, low, close, volume found');
    });

    it('a file DuckDB cannot read: the class of problem, not the reader\'s message (which quotes lines)', async () => {
        const binary = writeFile(dir, 'binary.parquet', `PAR1${SECRET}`);
        const e = await failure<DataError>(importFile(store, binary, opts(sym(), { detail: 'redacted', name: 'binary.parquet' })));
        expect(e.message).toBe('binary.parquet: cannot be read as PARQUET: not a Parquet file');
    });
});
