/**
 * Exchange holiday calendars, computed from their rules: the days an exchange is closed on a
 * weekday, so an import on `--calendar nyse` (validate.ts) and resampling (timeframe.ts
 * nextExpected) do not take them for missing bars. No npm package fits (those found cover public
 * or bank holidays, which differ from an exchange's, or are single-version one-author packages), so
 * the rules live here, tested for known years.
 *
 * NYSE: New Year's Day, Martin Luther King Jr. Day (third Monday of January, from 1998),
 * Washington's Birthday (third Monday of February), Good Friday, Memorial Day (last Monday of May),
 * Juneteenth (June 19, from 2022), Independence Day, Labor Day (first Monday of September),
 * Thanksgiving (fourth Thursday of November), Christmas. A holiday on a Saturday is observed the
 * Friday before, on a Sunday the Monday after — except New Year's Day on a Saturday, which is not
 * observed (NYSE Rule 7.2: the Friday closes a year). Plus the one-off closures since 1985 (storms,
 * national days of mourning, September 11). Rules as they are since 1971 (Monday holidays); earlier
 * years' holidays (election days, Lincoln's Birthday…) are not known here.
 */

const DAY = 86_400_000;

/** Weekday closures that no rule gives (NYSE's unscheduled closings since 1985). */
const NYSE_CLOSURES: readonly [string, string][] = [
    ['1985-09-27', 'Hurricane Gloria'],
    ['1994-04-27', 'National Day of Mourning for Richard Nixon'],
    ['2001-09-11', 'September 11 attacks'], ['2001-09-12', 'September 11 attacks'], ['2001-09-13', 'September 11 attacks'], ['2001-09-14', 'September 11 attacks'],
    ['2004-06-11', 'National Day of Mourning for Ronald Reagan'],
    ['2007-01-02', 'National Day of Mourning for Gerald Ford'],
    ['2012-10-29', 'Hurricane Sandy'], ['2012-10-30', 'Hurricane Sandy'],
    ['2018-12-05', 'National Day of Mourning for George H. W. Bush'],
    ['2025-01-09', 'National Day of Mourning for Jimmy Carter'],
];

export interface Holiday {
    /** YYYY-MM-DD (the day the exchange is closed: the observed day). */
    readonly date: string;
    readonly name: string;
}

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d);

/** Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easter(year: number): number {
    const a = year % 19, b = Math.floor(year / 100), c = year % 100;
    const d = Math.floor(b / 4), e = b % 4, f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3);
    const h = (19 * a + b - d - g + 15) % 30, i = Math.floor(c / 4), k = c % 4;
    const l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
    const month = Math.floor((h + l - 7 * m + 114) / 31), day = ((h + l - 7 * m + 114) % 31) + 1;
    return utc(year, month, day);
}

/** The n-th (1-based; -1: the last) given weekday (0 = Sunday … 6 = Saturday) of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
    if (n > 0) {
        const first = utc(year, month, 1);
        const shift = (weekday - new Date(first).getUTCDay() + 7) % 7;
        return first + (shift + 7 * (n - 1)) * DAY;
    }
    const last = utc(year, month + 1, 1) - DAY;
    return last - ((new Date(last).getUTCDay() - weekday + 7) % 7) * DAY;
}

/** A fixed-date holiday moved off the weekend: Saturday → Friday, Sunday → Monday. */
function observed(ms: number): number {
    const wd = new Date(ms).getUTCDay();
    return wd === 6 ? ms - DAY : wd === 0 ? ms + DAY : ms;
}

const cache = new Map<number, Holiday[]>();

/** NYSE's weekday closures of a year, in date order. */
export function nyseHolidays(year: number): readonly Holiday[] {
    const hit = cache.get(year);
    if (hit) return hit;
    const out: [number, string][] = [];
    const newYear = utc(year, 1, 1);
    if (new Date(newYear).getUTCDay() !== 6) out.push([observed(newYear), 'New Year\'s Day']);
    if (year >= 1998) out.push([nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day']);
    if (year >= 1971) {
        out.push([nthWeekday(year, 2, 1, 3), 'Washington\'s Birthday']);
        out.push([nthWeekday(year, 5, 1, -1), 'Memorial Day']);
    }
    out.push([easter(year) - 2 * DAY, 'Good Friday']);
    if (year >= 2022) out.push([observed(utc(year, 6, 19)), 'Juneteenth National Independence Day']);
    out.push([observed(utc(year, 7, 4)), 'Independence Day']);
    out.push([nthWeekday(year, 9, 1, 1), 'Labor Day']);
    out.push([nthWeekday(year, 11, 4, 4), 'Thanksgiving Day']);
    out.push([observed(utc(year, 12, 25)), 'Christmas Day']);
    for (const [date, name] of NYSE_CLOSURES) if (date.startsWith(`${year}-`)) out.push([Date.parse(date), name]);
    const list = out.sort((a, b) => a[0] - b[0]).map(([ms, name]) => ({ date: iso(ms), name }));
    cache.set(year, list);
    return list;
}

/** Whether the UTC day of `ms` is an NYSE holiday (a weekday it is closed). */
export function isNyseHoliday(ms: number): boolean {
    const day = iso(ms);
    return nyseHolidays(new Date(ms).getUTCFullYear()).some(h => h.date === day);
}

/** The NYSE holidays from the day of `fromMs` to the day of `toMs` (both included), as epoch day numbers (ms / 86,400,000). */
export function nyseHolidayDays(fromMs: number, toMs: number): number[] {
    const from = Math.floor(fromMs / DAY), to = Math.floor(toMs / DAY);
    const out: number[] = [];
    for (let y = new Date(fromMs).getUTCFullYear(); y <= new Date(toMs).getUTCFullYear(); y++) {
        for (const h of nyseHolidays(y)) {
            const d = Date.parse(h.date) / DAY;
            if (d >= from && d <= to) out.push(d);
        }
    }
    return out;
}
