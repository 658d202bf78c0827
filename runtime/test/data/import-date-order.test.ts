/**
 * Import safety: the day/month order of numeric dates is decided from the whole column, never
 * guessed (a US month-first file whose days are all ≤ 12 imported day first, as wrong dates), and
 * a daily series whose only gaps are weekends is told to use --calendar weekdays, not --allow-gaps.
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmbiguousDates } from '../../src/data/date-order.js';
import { DataError } from '../../src/data/errors.js';
import { importFile, ImportRejected, type ImportOptions } from '../../src/data/import.js';
import { type DataStore } from '../../src/store/store.js';
import { openStore } from '../../src/schema/registry.js';
import { csv, DAY_MS, failure, storedBars, tempDir, writeFile } from './helpers.js';

let dir: string;
let store: DataStore;
let seq = 0;

beforeAll(async () => {
    dir = tempDir('af-dates-');
    store = await openStore({ stateDir: join(dir, 'state') });
});
afterAll(() => store.close());

const sym = (): string => `D${++seq}`;
const opts = (symbol: string, extra: Partial<ImportOptions> = {}): ImportOptions => ({ venue: 'test', symbol, timeframe: '1d', ...extra });
const D = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);
const pad = (n: number): string => String(n).padStart(2, '0');
/** Daily rows from `start` for n days, the date written by `fmt`. */
const rows = (start: string, n: number, fmt: (d: Date) => string): (string | number)[][] =>
    Array.from({ length: n }, (_, i) => [fmt(new Date(D(start) + i * DAY_MS)), 10, 12, 9, 11, 5]);
const us = (d: Date): string => `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`;
const eu = (d: Date): string => `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
const file = (r: (string | number)[][], header?: string): string => writeFile(dir, `f${++seq}.csv`, csv(r, header));

describe('the day/month order of numeric dates', () => {
    it('refuses a column that reads both ways, naming the file, both formats and --date-format; nothing is written', async () => {
        const s = sym();
        // January 1st..12th written month first: every day ≤ 12, so 01/02/2024 is also 1 February.
        const f = file(rows('2024-01-01', 12, us));
        const e = await failure<AmbiguousDates>(importFile(store, f, opts(s)));
        expect(e).toBeInstanceOf(AmbiguousDates);
        expect(e.message).toContain(f);
        expect(e.message).toContain('ambiguous dates');
        expect(e.message).toContain("--date-format '%m/%d/%Y' (month first, as in the US)");
        expect(e.message).toContain("--date-format '%d/%m/%Y' (day first)");
        expect(e.message).toContain("e.g. '01/02/2024' is 1 February 2024 or January 2, 2024");
        // The spacing says which reading fits daily bars: month first, 11 steps of one day.
        expect(e.message).toContain('month first puts 11 of 11 consecutive dates one 1d bar apart, day first 0');
        expect(e.monthFirst).toEqual(['%m/%d/%Y']);
        expect(await storedBars(store, 'test', s, '1d')).toEqual([]);
        // Named, it imports as those dates.
        const r = await importFile(store, f, opts(s, { dateFormat: '%m/%d/%Y' }));
        expect(r.rowsWritten).toBe(12);
        expect((await storedBars(store, 'test', s, '1d')).map(b => b.ts)).toEqual(Array.from({ length: 12 }, (_, i) => D('2024-01-01') + i * DAY_MS));
    });

    it('a US file whose first rows are ambiguous imports month first once any day is over 12, never as wrong dates', async () => {
        const s = sym();
        const r = await importFile(store, file(rows('2024-01-01', 40, us)), opts(s));
        expect(r.notes).toContain('ts read month first (%m/%d/%Y): values over 12 in the second place allow no other order');
        expect((await storedBars(store, 'test', s, '1d')).map(b => b.ts)).toEqual(Array.from({ length: 40 }, (_, i) => D('2024-01-01') + i * DAY_MS));
    });

    it('day first when a value over 12 stands first; two-digit years and times of day', async () => {
        const s = sym();
        const r = await importFile(store, file(rows('2024-03-01', 20, eu)), opts(s));
        expect(r.notes).toContain('ts read day first (%d/%m/%Y): values over 12 in the first place allow no other order');
        expect((await storedBars(store, 'test', s, '1d'))[0]!.ts).toBe(D('2024-03-01'));
        const h = sym();
        const hourly = Array.from({ length: 30 }, (_, i) => [`${pad(13 + Math.floor(i / 24))}.01.24 ${pad(i % 24)}:00`, 10, 12, 9, 11, 5]);
        const rh = await importFile(store, file(hourly), opts(h, { timeframe: '1h' }));
        expect(rh.notes).toContain('ts read day first (%d.%m.%y %H:%M): values over 12 in the first place allow no other order');
        expect((await storedBars(store, 'test', h, '1h'))[25]!.ts).toBe(Date.parse('2024-01-14T01:00:00Z'));
    });

    it('refuses a column that mixes both orders', async () => {
        const e = await failure<DataError>(importFile(store, file([['13/01/2024', 10, 12, 9, 11, 5], ['01/14/2024', 10, 12, 9, 11, 5]]), opts(sym())));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message).toMatch(/mixes day-first and month-first dates/);
    });

    it('redacted (a file on the daemon\'s host named by a remote caller): no value and no column name in the message', async () => {
        const e = await failure<AmbiguousDates>(importFile(store, file(rows('2024-01-01', 5, us), 'Secret_Col,open,high,low,close,volume'), opts(sym(), { detail: 'redacted', name: 'upload.csv', map: { ts: 'Secret_Col' } })));
        expect(e).toBeInstanceOf(AmbiguousDates);
        expect(e.message).toMatch(/^upload\.csv: ambiguous dates: every value of the timestamp column reads both/);
        expect(e.message).not.toMatch(/Secret_Col|2024|January/);
    });

    it('a Parquet text column is held to the same rule', async () => {
        const f = join(dir, 'us.parquet');
        const instance = await DuckDBInstance.create(':memory:');
        const conn = await instance.connect();
        await conn.run(`COPY (SELECT strftime(DATE '2024-01-01' + CAST(i AS INTEGER), '%m/%d/%Y') AS date, 10.0 AS open, 12.0 AS high, 9.0 AS low, 11.0 AS close, 5.0 AS volume FROM range(10) t(i)) TO '${f}' (FORMAT parquet)`);
        conn.closeSync();
        instance.closeSync();
        expect(await failure(importFile(store, f, opts(sym())))).toBeInstanceOf(AmbiguousDates);
    });
});

describe('gaps that are only weekends', () => {
    const weekdays = (start: string, n: number): (string | number)[][] =>
        rows(start, n, d => d.toISOString().slice(0, 10)).filter(r => ![0, 6].includes(new Date(String(r[0])).getUTCDay()));

    it('daily bars on weekdays under the default 24x7 calendar: the advice is --calendar weekdays, not --allow-gaps', async () => {
        const s = sym();
        const r = weekdays('2024-01-01', 60);
        r.splice(r.findIndex(x => x[0] === '2024-01-15'), 1); // a holiday (Monday)
        const e = await failure<ImportRejected>(importFile(store, file(r), opts(s)));
        expect(e).toBeInstanceOf(ImportRejected);
        // Not NYSE's days (a bar on New Year's Day): weekdays, with nyse named for holidays.
        expect(e.message).toMatch(/every missing bar falls on a Saturday or Sunday or is a single missing weekday \(1, holidays\?\): the series trades on weekdays; re-run with --calendar weekdays \(--calendar nyse for NYSE's holidays too\), not --allow-gaps$/);
        expect(e.message).not.toMatch(/re-run with --allow-gaps/);
        // The advice works.
        expect((await importFile(store, file(r), opts(s, { calendar: 'weekdays' }))).rowsWritten).toBe(r.length);
    });

    it('NYSE trading days: the advice is --calendar nyse; on it a holiday is no gap, a missing trading day is one, a bar on a holiday a warning', async () => {
        const s = sym();
        // 2024-01-02 .. 2024-04-09 less MLK Day (Jan 15), Washington's Birthday (Feb 19), Good Friday (Mar 29).
        const r = weekdays('2024-01-02', 99).filter(x => !['2024-01-15', '2024-02-19', '2024-03-29'].includes(String(x[0])));
        const e = await failure<ImportRejected>(importFile(store, file(r), opts(s)));
        expect(e.message).toMatch(/every missing bar falls on a Saturday, a Sunday or an NYSE holiday: the series trades on NYSE days; re-run with --calendar nyse, not --allow-gaps$/);
        const ok = await importFile(store, file(r), opts(s, { calendar: 'nyse' }));
        expect(ok.rowsWritten).toBe(r.length);
        expect(ok.problems).toEqual([]);
        // A trading day missing (Jan 10) is a gap on nyse (on weekdays only a "holiday?").
        const missing = r.filter(x => x[0] !== '2024-01-10');
        expect((await failure<ImportRejected>(importFile(store, file(missing), opts(sym(), { calendar: 'nyse' })))).message).toMatch(/1 × missing 1d bars .*re-run with --allow-gaps/);
        // A bar on Good Friday: kept, with a warning.
        const extra = [...r, ['2024-03-29', 10, 12, 9, 11, 5]].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
        const w = await importFile(store, file(extra), opts(sym(), { calendar: 'nyse' }));
        expect(w.problems).toEqual([expect.objectContaining({ code: 'holiday-bar', severity: 'warning', count: 1 })]);
    });

    it('a gap of missing weekdays still gets --allow-gaps', async () => {
        const r = weekdays('2024-01-01', 60).filter(x => !['2024-01-16', '2024-01-17'].includes(String(x[0])));
        const e = await failure<ImportRejected>(importFile(store, file(r), opts(sym())));
        expect(e.message).toMatch(/re-run with --allow-gaps/);
        expect(e.message).not.toMatch(/--calendar weekdays/);
    });
});
