/** Dates on the command line and in messages. */
import { describe, expect, it } from 'vitest';
import { formatTs, parseDateArg } from '../../src/data/dates.js';
import { DataError } from '../../src/data/errors.js';

describe('parseDateArg', () => {
    it.each([
        ['2024-01-01', 'start', Date.UTC(2024, 0, 1)],
        ['2024-01-01', 'end', Date.UTC(2024, 0, 2) - 1],
        ['2020-12-31', 'end', Date.UTC(2020, 11, 31, 23, 59, 59, 999)],
        ['2024-01-01T10:00', 'start', Date.UTC(2024, 0, 1, 10)],
        ['2024-01-01T10:00', 'end', Date.UTC(2024, 0, 1, 10)],
        ['2024-01-01 10:30:15', 'start', Date.UTC(2024, 0, 1, 10, 30, 15)],
        ['2024-01-01T10:00:00Z', 'start', Date.UTC(2024, 0, 1, 10)],
        ['2024-01-01T10:00:00z', 'start', Date.UTC(2024, 0, 1, 10)],
        ['2024-01-01T12:00:00+02:00', 'start', Date.UTC(2024, 0, 1, 10)],
        ['2024-01-01T05:00:00-0500', 'start', Date.UTC(2024, 0, 1, 10)],
        ['1704103200000', 'start', Date.UTC(2024, 0, 1, 10)],
        ['1704103200', 'start', Date.UTC(2024, 0, 1, 10)],
        [' 2024-01-01 ', 'start', Date.UTC(2024, 0, 1)],
    ] as const)('%j (%s)', (text, bound, ms) => {
        expect(parseDateArg(text, '--from', bound)).toBe(ms);
    });

    it('start is the default bound', () => {
        expect(parseDateArg('2024-06-30', '--since')).toBe(Date.UTC(2024, 5, 30));
    });

    it.each(['yesterday', '2024-13-01', '2024/01/01x', '', '2024-01-01T25:00'])('refuses %j naming the option', text => {
        expect(() => parseDateArg(text, '--to')).toThrow(DataError);
        expect(() => parseDateArg(text, '--to')).toThrow(`--to '${text}' is not a date; use YYYY-MM-DD, an ISO datetime (UTC unless it has an offset) or epoch milliseconds`);
    });
});

describe('formatTs', () => {
    it.each([
        [Date.UTC(2024, 0, 1), '2024-01-01'],
        [Date.UTC(2024, 0, 1, 10), '2024-01-01T10:00Z'],
        [Date.UTC(2024, 0, 1, 10, 5), '2024-01-01T10:05Z'],
        [Date.UTC(2024, 0, 1, 10, 5, 7), '2024-01-01T10:05:07Z'],
        [Date.UTC(2024, 0, 1, 10, 5, 7, 250), '2024-01-01T10:05:07.250Z'],
        [NaN, 'NaN'],
        [Infinity, 'Infinity'],
    ])('%d → %s', (ms, text) => {
        expect(formatTs(ms)).toBe(text);
    });

    it('round-trips through parseDateArg', () => {
        for (const ms of [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 10), Date.UTC(2024, 0, 1, 10, 5, 7), Date.UTC(2024, 0, 1, 10, 5, 7, 250)]) {
            expect(parseDateArg(formatTs(ms), 'x')).toBe(ms);
        }
    });
});
