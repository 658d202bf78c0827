/**
 * NYSE holidays from their rules (runtime/src/data/exchange-holidays.ts) against NYSE's published
 * closures of known years (observed days, New Year's Day on a Saturday not observed, Juneteenth
 * from 2022, one-off closures), Easter against known dates, and the real S&P 500 sample (2000–2020
 * daily closes) imported on `--calendar nyse` with no gap and no holiday reported.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { easter, isNyseHoliday, nyseHolidays } from '../../src/data/exchange-holidays.js';
import { importFile, type ImportRejected } from '../../src/data/import.js';
import { SAMPLE, sampleFile } from '../../src/data/sample.js';
import { nextExpected, parseTimeframe } from '../../src/data/timeframe.js';
import { openStore } from '../../src/schema/registry.js';
import { type DataStore } from '../../src/store/store.js';
import { failure, tempDir } from './helpers.js';

const dates = (year: number): string[] => nyseHolidays(year).map(h => h.date);

describe('NYSE holidays', () => {
    it('known years, as NYSE published them', () => {
        // 2020: Independence Day on a Saturday, observed Friday July 3.
        expect(dates(2020)).toEqual(['2020-01-01', '2020-01-20', '2020-02-17', '2020-04-10', '2020-05-25', '2020-07-03', '2020-09-07', '2020-11-26', '2020-12-25']);
        // 2021: July 4 on a Sunday → Monday; Christmas on a Saturday → Friday Dec 24. 2022's New Year's Day is a Saturday: Dec 31, 2021 stays open.
        expect(dates(2021)).toEqual(['2021-01-01', '2021-01-18', '2021-02-15', '2021-04-02', '2021-05-31', '2021-07-05', '2021-09-06', '2021-11-25', '2021-12-24']);
        // 2022: no New Year's closure; Juneteenth (first year) on a Sunday → June 20; Christmas on a Sunday → Dec 26.
        expect(dates(2022)).toEqual(['2022-01-17', '2022-02-21', '2022-04-15', '2022-05-30', '2022-06-20', '2022-07-04', '2022-09-05', '2022-11-24', '2022-12-26']);
        expect(dates(2024)).toEqual(['2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25']);
        // One-off closures: September 11, 2001; Hurricane Sandy; days of mourning.
        expect(dates(2001)).toEqual(expect.arrayContaining(['2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14']));
        expect(dates(2012)).toEqual(expect.arrayContaining(['2012-10-29', '2012-10-30']));
        expect(dates(2025)).toContain('2025-01-09');
        // MLK Day only from 1998; Juneteenth only from 2022.
        expect(dates(1997).some(d => d.startsWith('1997-01-2'))).toBe(false);
        expect(dates(2021).some(d => d.startsWith('2021-06'))).toBe(false);
        expect(isNyseHoliday(Date.UTC(2024, 2, 29, 15))).toBe(true);
        expect(isNyseHoliday(Date.UTC(2024, 2, 28))).toBe(false);
    });

    it('Easter Sunday of known years; nextExpected skips weekends and holidays on nyse', () => {
        const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
        expect([1818, 2000, 2008, 2011, 2019, 2038].map(y => iso(easter(y)))).toEqual(['1818-03-22', '2000-04-23', '2008-03-23', '2011-04-24', '2019-04-21', '2038-04-25']);
        // Thursday March 28, 2024 → Monday April 1 (Good Friday and the weekend skipped).
        expect(iso(nextExpected(Date.UTC(2024, 2, 28), parseTimeframe('1d'), 'nyse'))).toBe('2024-04-01');
        expect(iso(nextExpected(Date.UTC(2024, 2, 28), parseTimeframe('1d'), 'weekdays'))).toBe('2024-03-29');
    });
});

describe('the S&P 500 sample on the nyse calendar', () => {
    let store: DataStore;
    beforeAll(async () => { store = await openStore({ stateDir: join(tempDir('af-nyse-'), 'state') }); });
    afterAll(() => store.close());

    it('twenty years of daily closes: no gap, no holiday reported; on 24x7 the advice names --calendar nyse', async () => {
        const r = await importFile(store, sampleFile(), { venue: SAMPLE.venue, symbol: SAMPLE.symbol, timeframe: '1d', calendar: 'nyse' });
        expect(r.rowsWritten).toBe(5105);
        expect(r.problems).toEqual([]);
        const e = await failure<ImportRejected>(importFile(store, sampleFile(), { venue: 'sp', symbol: 'SPX2', timeframe: '1d' }));
        expect(e.message).toMatch(/1109 × missing 1d bars .*every missing bar falls on a Saturday, a Sunday or an NYSE holiday: .*re-run with --calendar nyse, not --allow-gaps$/);
    });
});
