/**
 * The day/month order of numeric dates (03/04/2024, 3.4.24 09:30). DuckDB's CSV sniffer picks
 * one order for a column without a word — day first when every day is ≤ 12 — so a US file of
 * month-first dates imported as wrong dates. Here the whole column decides: a value over 12 in
 * the first place means day first, in the second month first; a column that reads both ways is
 * refused (AmbiguousDates) with the two formats to choose from with --date-format, never guessed.
 */
import { DataError } from './errors.js';
import { type Timeframe } from './timeframe.js';
import { type DataStore } from '../store/store.js';

/** A numeric date: day and month (in some order), year of 2 or 4 digits, optional time of day. */
const NUMERIC_DATE = /^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4}|\d{2})(?:[ T](\d{1,2}:\d{2})(:\d{2})?)?$/;
const NUMERIC_DATE_SQL = NUMERIC_DATE.source.replace(/'/g, "''");

/** Is this text a numeric date whose order must be decided (not ISO, not epoch)? */
export const isNumericDate = (text: string): boolean => NUMERIC_DATE.test(text.trim());

export type DateOrder = 'day-first' | 'month-first';

/** What --date-format would be for each order, e.g. %d/%m/%Y and %m/%d/%Y. */
export interface OrderedFormats {
    readonly order: DateOrder;
    /** strptime formats, one per shape of the column (with a time of day first). */
    readonly formats: readonly string[];
    /** Why this order, for the import's notes. */
    readonly why: string;
}

/** A column of numeric dates that read both day first and month first. */
export class AmbiguousDates extends DataError {
    constructor(message: string, readonly dayFirst: readonly string[], readonly monthFirst: readonly string[]) {
        super(message);
        this.name = 'AmbiguousDates';
    }
}

export interface DateOrderContext {
    /** How messages name the file. */
    readonly shown: string;
    /** The source column (named only when not redacted). */
    readonly column: string;
    /** The bar length, to say which reading puts consecutive dates one bar apart. */
    readonly tf: Timeframe;
    /** For a file a remote caller may not read: no values, no column names. */
    readonly redacted: boolean;
}

interface Shape { seps: string; year: number; time: number }

/**
 * The strptime formats of `text` (SQL over af_stage_raw) when most of its values are numeric
 * dates, in the one order they allow; undefined when they are not numeric dates (ISO, epoch, …).
 * Throws AmbiguousDates when both orders fit every value, a DataError when neither does.
 */
export async function numericDateFormats(store: DataStore, text: string, ctx: DateOrderContext): Promise<OrderedFormats | undefined> {
    const g = `regexp_extract(s, '${NUMERIC_DATE_SQL}', ['a', 's1', 'b', 's2', 'y', 'hm', 'sec'])`;
    const r = (await store.rows(`SELECT count(*)::DOUBLE AS n, count(*) FILTER (WHERE ok)::DOUBLE AS matched,
            max(TRY_CAST(g.a AS INTEGER)) FILTER (WHERE ok)::DOUBLE AS max_a, max(TRY_CAST(g.b AS INTEGER)) FILTER (WHERE ok)::DOUBLE AS max_b,
            count(*) FILTER (WHERE ok AND TRY_CAST(g.a AS INTEGER) <> TRY_CAST(g.b AS INTEGER))::DOUBLE AS differ,
            to_json(list(DISTINCT {'seps': g.s1 || g.s2, 'year': length(g.y), 'time': CASE WHEN g.hm = '' THEN 0 WHEN g.sec = '' THEN 1 ELSE 2 END}) FILTER (WHERE ok))::VARCHAR AS shapes,
            arg_min(s, r) FILTER (WHERE ok AND TRY_CAST(g.a AS INTEGER) <> TRY_CAST(g.b AS INTEGER)) AS example
        FROM (SELECT r, s, g, g.a <> '' AS ok FROM (SELECT r, s, ${g} AS g FROM (SELECT rowid AS r, ${text} AS s FROM af_stage_raw) WHERE s IS NOT NULL AND s <> ''))`))[0]!;
    const n = Number(r.n), matched = Number(r.matched);
    if (matched === 0 || matched * 2 <= n) return undefined;
    const shapes = (JSON.parse(String(r.shapes)) as Shape[]).sort((x, y) => y.time - x.time || y.year - x.year);
    const formatsOf = (order: DateOrder): string[] => shapes.map(s => {
        const [first, second] = order === 'day-first' ? ['%d', '%m'] : ['%m', '%d'];
        return `${first}${s.seps[0]}${second}${s.seps[1]}${s.year === 4 ? '%Y' : '%y'}${s.time === 0 ? '' : s.time === 1 ? ' %H:%M' : ' %H:%M:%S'}`;
    });
    const maxA = Number(r.max_a), maxB = Number(r.max_b);
    const column = ctx.redacted ? 'the timestamp column' : `column ${ctx.column}`;
    if (maxA > 12 && maxB > 12) {
        throw new DataError(`${ctx.shown}: ${column} mixes day-first and month-first dates (values over 12 both in the first and in the second place); fix the file so that every date has one order`);
    }
    if (maxA > 12) return { order: 'day-first', formats: formatsOf('day-first'), why: 'values over 12 in the first place allow no other order' };
    if (maxB > 12) return { order: 'month-first', formats: formatsOf('month-first'), why: 'values over 12 in the second place allow no other order' };
    if (Number(r.differ) === 0) return { order: 'day-first', formats: formatsOf('day-first'), why: 'every day equals its month: both orders read the same' };
    // Every value reads both ways: say which reading spaces consecutive dates one bar apart.
    const dayFirst = formatsOf('day-first'), monthFirst = formatsOf('month-first');
    const fit = async (formats: readonly string[]): Promise<number> => Number(await store.scalar(`SELECT count(*) FILTER (WHERE d = ${ctx.tf.ms})::DOUBLE FROM (
        SELECT epoch_ms(t) - epoch_ms(lag(t) OVER (ORDER BY t)) AS d FROM (SELECT ${parseWith(text, formats)} AS t FROM af_stage_raw) WHERE t IS NOT NULL)`));
    const [fd, fm] = [await fit(dayFirst), await fit(monthFirst)];
    const example = !ctx.redacted && r.example !== null ? `, e.g. '${String(r.example)}' is ${spell(String(r.example), 'day-first')} or ${spell(String(r.example), 'month-first')}` : '';
    const spacing = fd !== fm ? `; month first puts ${fm} of ${matched - 1} consecutive dates one ${ctx.tf.label} bar apart, day first ${fd}` : '';
    throw new AmbiguousDates(
        `${ctx.shown}: ambiguous dates: every value of ${column} reads both day first (${dayFirst[0]}) and month first (${monthFirst[0]})${example}${spacing}; ` +
        `the order is not guessed: re-run with --date-format '${monthFirst[0]}' (month first, as in the US) or --date-format '${dayFirst[0]}' (day first)`,
        dayFirst, monthFirst,
    );
}

/** SQL: `text` parsed with the first of `formats` that fits (NULL when none does). */
export function parseWith(text: string, formats: readonly string[]): string {
    const parts = formats.map(f => `try_strptime(${text}, '${f.replace(/'/g, "''")}')`);
    return `CAST(${parts.length === 1 ? parts[0] : `coalesce(${parts.join(', ')})`} AS TIMESTAMP)`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** '03/04/2024' read in one order, in words: '3 April 2024' (day first) or 'March 4, 2024'. */
function spell(text: string, order: DateOrder): string {
    const m = NUMERIC_DATE.exec(text.trim());
    if (!m) return text;
    const [a, b, y] = [Number(m[1]), Number(m[3]), m[5]!];
    return order === 'day-first' ? `${a} ${MONTHS[b - 1]} ${y}` : `${MONTHS[a - 1]} ${b}, ${y}`;
}
