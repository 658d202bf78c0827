/**
 * Dates given on the command line (--since, --from, --to, --start): ISO dates and datetimes
 * (UTC unless they carry an offset) or epoch milliseconds. A date-only upper bound means the
 * end of that day, so `--to 2020-12-31` includes the 31st.
 */
import { DataError } from './errors.js';

/** The last epoch millisecond a JavaScript Date holds. */
const MAX_DATE_MS = 8.64e15;

export function parseDateArg(text: string, what: string, bound: 'start' | 'end' = 'start'): number {
    const s = text.trim();
    if (/^\d{9,}$/.test(s)) {
        const ms = Number(s) < 1e11 ? Number(s) * 1000 : Number(s);
        // Past what a date can be (JavaScript's and the database's timestamps end near year 275,760).
        if (ms > MAX_DATE_MS) throw new DataError(`${what} '${text.length > 40 ? `${text.slice(0, 40)}…` : text}' is past the last date there can be; use YYYY-MM-DD, an ISO datetime or epoch milliseconds up to ${MAX_DATE_MS}`);
        return ms;
    }
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(s);
    const iso = dateOnly ? `${s}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s.replace(' ', 'T')}Z`;
    const ms = Date.parse(iso);
    if (!Number.isFinite(ms)) throw new DataError(`${what} '${text}' is not a date; use YYYY-MM-DD, an ISO datetime (UTC unless it has an offset) or epoch milliseconds`);
    return dateOnly && bound === 'end' ? ms + 86_400_000 - 1 : ms;
}

/** ISO text of a UTC timestamp: date only at midnight, else minutes or seconds as needed. */
export function formatTs(ms: number): string {
    if (!Number.isFinite(ms)) return String(ms);
    const iso = new Date(ms).toISOString();
    if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
    if (iso.endsWith(':00.000Z')) return `${iso.slice(0, 16)}Z`;
    if (iso.endsWith('.000Z')) return `${iso.slice(0, 19)}Z`;
    return iso;
}
