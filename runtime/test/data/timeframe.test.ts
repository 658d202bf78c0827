/** Timeframes, their UTC grid (weeks on Mondays), calendars and the next expected bar. */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { bucketStart, DAY, HOUR, MINUTE, nextExpected, parseCalendar, parseTimeframe, WEEK, weekday } from '../../src/data/timeframe.js';

describe('parseTimeframe', () => {
    it.each([
        ['1s', '1s', 1000, 0],
        ['90s', '90s', 90_000, 0],
        ['120s', '2m', 2 * MINUTE, 0],
        ['1m', '1m', MINUTE, 0],
        ['15m', '15m', 15 * MINUTE, 0],
        ['60m', '1h', HOUR, 0],
        ['90m', '90m', 90 * MINUTE, 0],
        ['4h', '4h', 4 * HOUR, 0],
        ['24h', '1d', DAY, 0],
        ['1440m', '1d', DAY, 0],
        ['1d', '1d', DAY, 0],
        ['7d', '7d', WEEK, 0],
        ['1w', '1w', WEEK, 4 * DAY],
        ['2w', '2w', 2 * WEEK, 4 * DAY],
        [' 1h ', '1h', HOUR, 0],
    ])('%j → %s', (text, label, ms, offset) => {
        expect(parseTimeframe(text)).toEqual({ label, ms, offset });
    });

    it('refuses months, zero and nonsense with what to write instead', () => {
        expect(() => parseTimeframe('1M')).toThrow(`timeframe '1M': months have no fixed length and are not supported; use 1d or 1w`);
        expect(() => parseTimeframe('0h')).toThrow(`timeframe '0h' must be positive`);
        for (const bad of ['h', '1', '1y', '1.5h', '-1h', '1 h', '1H', '']) {
            expect(() => parseTimeframe(bad)).toThrow(DataError);
            expect(() => parseTimeframe(bad)).toThrow(`timeframe '${bad}' is not valid; use a number and a unit s, m, h, d or w (e.g. 1m, 15m, 1h, 4h, 1d, 1w)`);
        }
    });
});

describe('the grid', () => {
    const t = (iso: string): number => Date.parse(iso);

    it('buckets are epoch-aligned, weeks start on Monday 00:00 UTC', () => {
        expect(bucketStart(t('2024-03-07T13:45:00Z'), parseTimeframe('4h'))).toBe(t('2024-03-07T12:00:00Z'));
        expect(bucketStart(t('2024-03-07T13:45:00Z'), parseTimeframe('1d'))).toBe(t('2024-03-07T00:00:00Z'));
        expect(bucketStart(t('2024-03-07T13:45:00Z'), parseTimeframe('15m'))).toBe(t('2024-03-07T13:45:00Z'));
        // Thursday 2024-03-07 → Monday 2024-03-04; a Monday is its own week; Sunday belongs to the week before.
        expect(bucketStart(t('2024-03-07T13:45:00Z'), parseTimeframe('1w'))).toBe(t('2024-03-04T00:00:00Z'));
        expect(bucketStart(t('2024-03-04T00:00:00Z'), parseTimeframe('1w'))).toBe(t('2024-03-04T00:00:00Z'));
        expect(bucketStart(t('2024-03-10T23:59:59Z'), parseTimeframe('1w'))).toBe(t('2024-03-04T00:00:00Z'));
        // Before the epoch too.
        expect(bucketStart(t('1969-12-31T23:00:00Z'), parseTimeframe('1d'))).toBe(t('1969-12-31T00:00:00Z'));
        expect(bucketStart(t('1970-01-01T00:00:00Z'), parseTimeframe('1w'))).toBe(t('1969-12-29T00:00:00Z'));
    });

    it('weekday: 0 = Monday … 6 = Sunday, also before 1970', () => {
        expect(weekday(t('2024-01-01T00:00:00Z'))).toBe(0);
        expect(weekday(t('2024-01-05T23:59:59Z'))).toBe(4);
        expect(weekday(t('2024-01-06T00:00:00Z'))).toBe(5);
        expect(weekday(t('2024-01-07T12:00:00Z'))).toBe(6);
        expect(weekday(0)).toBe(3); // 1970-01-01 was a Thursday
        expect(weekday(t('1969-12-28T00:00:00Z'))).toBe(6);
        for (let d = 0; d < 30; d++) {
            const ms = t('2023-12-20T06:00:00Z') + d * DAY;
            expect(weekday(ms)).toBe((new Date(ms).getUTCDay() + 6) % 7);
        }
    });

    it('nextExpected skips weekends on the weekdays calendar only', () => {
        const d1 = parseTimeframe('1d'), h1 = parseTimeframe('1h'), w1 = parseTimeframe('1w');
        expect(nextExpected(t('2024-01-05T00:00:00Z'), d1, 'weekdays')).toBe(t('2024-01-08T00:00:00Z'));
        expect(nextExpected(t('2024-01-05T00:00:00Z'), d1, '24x7')).toBe(t('2024-01-06T00:00:00Z'));
        expect(nextExpected(t('2024-01-04T00:00:00Z'), d1, 'weekdays')).toBe(t('2024-01-05T00:00:00Z'));
        expect(nextExpected(t('2024-01-05T23:00:00Z'), h1, 'weekdays')).toBe(t('2024-01-08T00:00:00Z'));
        expect(nextExpected(t('2024-01-06T10:00:00Z'), d1, 'weekdays')).toBe(t('2024-01-08T10:00:00Z'));
        expect(nextExpected(t('2024-01-01T00:00:00Z'), w1, 'weekdays')).toBe(t('2024-01-08T00:00:00Z'));
    });
});

describe('parseCalendar', () => {
    it('knows 24x7 (the default), weekdays and nyse', () => {
        expect(parseCalendar(undefined)).toBe('24x7');
        expect(parseCalendar('24x7')).toBe('24x7');
        expect(parseCalendar('weekdays')).toBe('weekdays');
        expect(parseCalendar('nyse')).toBe('nyse');
        expect(() => parseCalendar('NYSE')).toThrow(`calendar 'NYSE' is not known; use 24x7 (crypto), weekdays (weekends are not gaps) or nyse (NYSE trading days: weekends and its holidays are not gaps)`);
    });
});
