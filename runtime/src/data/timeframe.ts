/**
 * Timeframes ('1m', '4h', '1d', '1w') as fixed lengths in ms, and the UTC grid bars sit on.
 * Buckets are `floor((ts - offset) / tf)`: offset 0 (epoch-aligned) for everything except
 * weeks, which start on Monday 00:00 UTC like exchange weekly candles (the epoch was a Thursday).
 * Months are refused: they have no fixed length, so floor(ts / tf) would be wrong.
 */
import { DataError } from './errors.js';
import { isNyseHoliday } from './exchange-holidays.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
const MONDAY_OFFSET = 4 * DAY;

const UNITS: Record<string, number> = { s: 1000, m: MINUTE, h: HOUR, d: DAY, w: WEEK };

export interface Timeframe {
    /** Canonical label, e.g. '1h' for '60m'. */
    readonly label: string;
    readonly ms: number;
    /** Grid offset: bucket start = floor((ts - offset) / ms) * ms + offset. */
    readonly offset: number;
}

export function parseTimeframe(text: string): Timeframe {
    const m = /^(\d+)([smhdwM])$/.exec(text.trim());
    if (!m) throw new DataError(`timeframe '${text}' is not valid; use a number and a unit s, m, h, d or w (e.g. 1m, 15m, 1h, 4h, 1d, 1w)`);
    const n = Number(m[1]);
    const unit = m[2]!;
    if (unit === 'M') throw new DataError(`timeframe '${text}': months have no fixed length and are not supported; use 1d or 1w`);
    if (n <= 0) throw new DataError(`timeframe '${text}' must be positive`);
    const ms = n * UNITS[unit]!;
    if (unit === 'w') return { label: `${n}w`, ms, offset: MONDAY_OFFSET };
    return { label: labelOf(ms), ms, offset: 0 };
}

/** The largest unit (up to days) that divides ms exactly, so '60m' and '1h' are one timeframe. */
function labelOf(ms: number): string {
    for (const [u, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', 1000]] as const) {
        if (ms % size === 0) return `${ms / size}${u}`;
    }
    throw new DataError(`timeframe of ${ms} ms is not a whole number of seconds`);
}

export function bucketStart(ts: number, tf: Timeframe): number {
    return Math.floor((ts - tf.offset) / tf.ms) * tf.ms + tf.offset;
}

/** Which bars a series is expected to have: every one (crypto), weekdays', or NYSE trading days' (weekdays less its holidays: exchange-holidays.ts). */
export const CALENDARS = ['24x7', 'weekdays', 'nyse'] as const;
export type Calendar = (typeof CALENDARS)[number];

export function parseCalendar(text: string | undefined): Calendar {
    if (text === undefined) return '24x7';
    if ((CALENDARS as readonly string[]).includes(text)) return text as Calendar;
    throw new DataError(`calendar '${text}' is not known; use 24x7 (crypto), weekdays (weekends are not gaps) or nyse (NYSE trading days: weekends and its holidays are not gaps)`);
}

/** Day of week of a UTC timestamp, 0 = Monday … 6 = Sunday. */
export function weekday(ts: number): number {
    return (((Math.floor(ts / DAY) + 3) % 7) + 7) % 7;
}

/** The next bar time after `ts` that the calendar expects (skips Saturday and Sunday on 'weekdays', and NYSE holidays too on 'nyse'). */
export function nextExpected(ts: number, tf: Timeframe, calendar: Calendar): number {
    let t = ts + tf.ms;
    if (calendar !== '24x7' && tf.ms <= DAY) {
        while (weekday(t) >= 5 || (calendar === 'nyse' && isNyseHoliday(t))) t += tf.ms;
    }
    return t;
}
