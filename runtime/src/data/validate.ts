/**
 * Validation of staged bars, in SQL over the staging view `af_stage`
 * (src_row, ts, open, high, low, close, volume) and `af_stage_text` (src_row, ts_text: the source text). Every problem class is reported
 * with its count and first rows; `--repair` may drop the row-level ones and duplicates, and sort,
 * but never invents bars, so gaps stay gaps.
 * src_row numbers the staged rows from 1 in source order. Validation finds problems by src_row
 * (Finding); `toProblem` then names them as the source does (RowNumbering: CSV line numbers, which
 * only a scan of the file knows, so it is done once for all findings and only when there are any).
 */
import { formatTs } from './dates.js';
import { DAY, type Calendar, type Timeframe } from './timeframe.js';
import { nyseHolidayDays } from './exchange-holidays.js';
import { type DataStore } from '../store/store.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Problem {
    readonly code: string;
    readonly severity: Severity;
    /** Rows (or gaps) in this class. */
    readonly count: number;
    readonly message: string;
    /** Source row numbers of the first few (physical line numbers, from 1, for CSV). */
    readonly rows: readonly number[];
    readonly examples: readonly string[];
    /** What `--repair` does about it; undefined when it cannot fix it. */
    readonly repair?: 'drop' | 'sort' | 'drop-earlier';
}

/** A problem as validation finds it: its rows are src_row numbers, its examples wait for their names. */
export interface Finding extends Omit<Problem, 'rows' | 'examples'> {
    readonly rows: readonly number[];
    /** Every src_row the examples name (rows and the rows they refer to). */
    readonly refs: readonly number[];
    readonly examples: (at: (row: number) => string) => string[];
}

/** How reports name a staged row: 'line' n of a CSV file, 'row' n of Parquet (or of a CSV whose lines are unknown), 'bar' n in memory. */
export interface RowNumbering {
    readonly label: 'line' | 'row' | 'bar';
    readonly of: (row: number) => number;
}

/** Rows and bars are numbered from 1 in source order, as src_row is. */
export const bySourceRow = (label: 'row' | 'bar'): RowNumbering => ({ label, of: row => row });

/** A finding as reported; `redacted`: examples name only where (line 7), never the values found there. */
export function toProblem(f: Finding, n: RowNumbering, redacted = false): Problem {
    const { rows, refs: _refs, examples, ...rest } = f;
    const at = (row: number): string => `${n.label} ${n.of(row)}`;
    return { ...rest, rows: rows.map(r => n.of(r)), examples: redacted ? f.rows.map(at) : examples(at) };
}

export interface ValidationOptions {
    readonly tf: Timeframe;
    readonly calendar: Calendar;
    readonly allowGaps: boolean;
}

export interface Validation {
    readonly rowsIn: number;
    readonly findings: readonly Finding[];
    /** Rows the row-level checks reject (any class). */
    readonly invalidRows: number;
    readonly duplicateRows: number;
}

const EXAMPLES = 5;
const missing = (c: string): string => `(${c} IS NULL OR isnan(${c}) OR isinf(${c}))`;
const ANY_MISSING = ['open', 'high', 'low', 'close', 'volume'].map(missing).join(' OR ');

interface RowCheck { code: string; message: string; cond: string; show: readonly string[] }

function rowChecks(tf: Timeframe): RowCheck[] {
    const ok = `NOT (${ANY_MISSING})`;
    return [
        { code: 'bad-ts', message: 'missing or unparseable timestamp', cond: 'ts IS NULL', show: [] },
        { code: 'missing-value', message: 'missing, NaN, infinite or non-numeric value', cond: `ts IS NOT NULL AND (${ANY_MISSING})`, show: ['open', 'high', 'low', 'close', 'volume'] },
        { code: 'non-positive-price', message: 'price <= 0', cond: `${ok} AND least(open, high, low, close) <= 0`, show: ['open', 'high', 'low', 'close'] },
        { code: 'high-below-low', message: 'high < low', cond: `${ok} AND high < low`, show: ['high', 'low'] },
        { code: 'high-below-open-close', message: 'high < max(open, close)', cond: `${ok} AND high < greatest(open, close)`, show: ['open', 'high', 'close'] },
        { code: 'low-above-open-close', message: 'low > min(open, close)', cond: `${ok} AND low > least(open, close)`, show: ['open', 'low', 'close'] },
        { code: 'negative-volume', message: 'volume < 0', cond: `${ok} AND volume < 0`, show: ['volume'] },
        { code: 'misaligned-ts', message: `timestamp not on the ${tf.label} grid (UTC)`, cond: `ts IS NOT NULL AND (epoch_ms(ts) - ${tf.offset}) % ${tf.ms} <> 0`, show: [] },
    ];
}

/** SQL that is true for rows the row-level checks reject. */
export function invalidPredicate(tf: Timeframe): string {
    return rowChecks(tf).map(c => `coalesce(${c.cond}, false)`).join(' OR ');
}

/** The source text of the timestamps of some rows. */
async function textOf(store: DataStore, rows: readonly number[]): Promise<Map<number, string>> {
    if (rows.length === 0) return new Map();
    const found = await store.rows(`SELECT src_row::DOUBLE AS r, ts_text FROM af_stage_text WHERE src_row IN (${rows.map(Number).join(', ')})`);
    return new Map(found.map(e => [Number(e.r), e.ts_text === null ? '' : String(e.ts_text)]));
}

async function withText(store: DataStore, rows: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const text = await textOf(store, rows.map(e => Number(e.r)));
    return rows.map(e => ({ ...e, ts_text: text.get(Number(e.r)) ?? '' }));
}

export async function validateStage(store: DataStore, o: ValidationOptions): Promise<Validation> {
    const checks = rowChecks(o.tf);
    const counts = await store.rows(`SELECT count(*)::DOUBLE AS n,
        count(*) FILTER (WHERE ${invalidPredicate(o.tf)})::DOUBLE AS invalid,
        ${checks.map((c, i) => `count(*) FILTER (WHERE ${c.cond})::DOUBLE AS c${i}`).join(', ')} FROM af_stage`);
    const row = counts[0]!;
    const findings: Finding[] = [];
    for (const [i, c] of checks.entries()) {
        const n = Number(row[`c${i}`]);
        if (n === 0) continue;
        const ex = await withText(store, await store.rows(`SELECT src_row::DOUBLE AS r ${c.show.map(f => `, ${f}`).join('')} FROM af_stage WHERE ${c.cond} ORDER BY src_row LIMIT ${EXAMPLES}`));
        const rows = ex.map(e => Number(e.r));
        findings.push({
            code: c.code, severity: 'error', count: n, message: c.message, repair: 'drop', rows, refs: rows,
            examples: at => ex.map(e => `${at(Number(e.r))} [${String(e.ts_text ?? '')}]${c.show.map(f => ` ${f}=${e[f] === null ? 'missing' : String(e[f])}`).join('')}`),
        });
    }

    // One window pass over timestamps: rows earlier than the row before (unsorted) and equal to it.
    // In sorted input every duplicate sits next to its twin; only unsorted input needs a hash count.
    const order = (await store.rows(`SELECT count(*) FILTER (WHERE ts < prev)::DOUBLE AS down, count(*) FILTER (WHERE ts = prev)::DOUBLE AS same FROM (
        SELECT ts, lag(ts) OVER (ORDER BY src_row) AS prev FROM af_stage WHERE ts IS NOT NULL)`))[0]!;
    const duplicateRows = Number(order.down) === 0 ? Number(order.same)
        : Number(await store.scalar(`SELECT (count(ts) - count(DISTINCT ts))::DOUBLE FROM af_stage`));
    const unsorted = Number(order.down) === 0 ? [] : await store.rows(`SELECT src_row::DOUBLE AS r, prev_row::DOUBLE AS p, count(*) OVER ()::DOUBLE AS n FROM (
        SELECT src_row, ts, lag(ts) OVER (ORDER BY src_row) AS prev, lag(src_row) OVER (ORDER BY src_row) AS prev_row FROM af_stage WHERE ts IS NOT NULL)
        WHERE ts < prev ORDER BY src_row LIMIT ${EXAMPLES}`);
    if (unsorted.length > 0) {
        const rowsOf = [...unsorted.map(e => Number(e.r)), ...unsorted.map(e => Number(e.p))];
        const text = await textOf(store, rowsOf);
        const rows = unsorted.map(e => Number(e.r));
        findings.push({
            code: 'unsorted', severity: 'error', count: Number(unsorted[0]!.n), message: 'timestamp earlier than the row before', repair: 'sort',
            rows, refs: rows, examples: at => unsorted.map(e => `${at(Number(e.r))} [${text.get(Number(e.r))}] after [${text.get(Number(e.p))}]`),
        });
    }

    if (duplicateRows > 0) {
        const ex = await withText(store, await store.rows(`SELECT src_row::DOUBLE AS r, kept::DOUBLE AS kept FROM (
            SELECT src_row, row_number() OVER (PARTITION BY ts ORDER BY src_row DESC) AS rk, max(src_row) OVER (PARTITION BY ts) AS kept FROM af_stage WHERE ts IS NOT NULL)
            WHERE rk > 1 ORDER BY src_row LIMIT ${EXAMPLES}`));
        const rows = ex.map(e => Number(e.r));
        findings.push({
            code: 'duplicate-ts', severity: 'error', count: duplicateRows, message: 'duplicate timestamp (a later row has the same one)', repair: 'drop-earlier',
            rows, refs: [...rows, ...ex.map(e => Number(e.kept))],
            examples: at => ex.map(e => `${at(Number(e.r))} [${String(e.ts_text)}] repeated at ${at(Number(e.kept))}`),
        });
    }
    return { rowsIn: Number(row.n), findings, invalidRows: Number(row.invalid), duplicateRows };
}

/**
 * Gaps in the rows that would be written (`af_final`, sorted and unique): grid slots the
 * calendar expects but no bar fills. On 'weekdays' a missing Saturday/Sunday is normal and
 * a single missing weekday of daily bars (a holiday) is only info; on 'nyse' its holidays
 * (exchange-holidays.ts) are not expected either, and any other missing weekday is a gap.
 */
export async function findGaps(store: DataStore, o: ValidationOptions): Promise<Finding[]> {
    const { tf } = o;
    const weekdays = o.calendar !== '24x7' && tf.ms <= DAY && DAY % tf.ms === 0;
    const nyse = weekdays && o.calendar === 'nyse';
    // On 'nyse': the holidays over the rows' days, as epoch day numbers (computed here: integers, no text reaches the SQL).
    let holidays: number[] = [];
    if (nyse) {
        const r = (await store.rows(`SELECT epoch_ms(min(ts))::DOUBLE AS a, epoch_ms(max(ts))::DOUBLE AS b FROM af_final`))[0];
        if (r && r.a !== null) holidays = nyseHolidayDays(Number(r.a), Number(r.b));
    }
    const list = holidays.join(', ');
    // off: a day with no session (weekend, holiday): its bars fill no slot. hb: holidays before the day.
    const off = holidays.length ? `(wd >= 5 OR d IN (${list}))` : 'wd >= 5';
    const hb = nyse && holidays.length ? `(SELECT count(*) FROM (VALUES ${holidays.map(h => `(${h})`).join(', ')}) h(hd) WHERE hd < d)` : '0';
    // idx: expected grid slots strictly before ts (so consecutive bars differ by 1); wk: week number, wd: weekday 0=Mon..6=Sun.
    const slots = weekdays
        ? `SELECT src_row, ts, off, ${DAY / tf.ms} * (5 * wk + least(wd, 5) - hb) + CASE WHEN NOT off THEN (ms - d * ${DAY}) / ${tf.ms} ELSE 0 END AS idx FROM (
              SELECT *, ${off} AS off, ${hb} AS hb FROM (
              SELECT src_row, ts, ms, d, floor((d + 3) / 7) AS wk, (d + 3) - 7 * floor((d + 3) / 7) AS wd FROM (
                  SELECT src_row, ts, epoch_ms(ts) AS ms, floor(epoch_ms(ts) / ${DAY}) AS d FROM af_final)))`
        : `SELECT src_row, ts, false AS off, floor((epoch_ms(ts) - ${tf.offset}) / ${tf.ms}) AS idx FROM af_final`;
    const gapsSql = `SELECT src_row, ts, prev, idx - prev_idx - CASE WHEN NOT prev_off THEN 1 ELSE 0 END AS missing FROM (
        SELECT src_row, ts, idx, lag(ts) OVER (ORDER BY ts) AS prev, lag(idx) OVER (ORDER BY ts) AS prev_idx, lag(off) OVER (ORDER BY ts) AS prev_off FROM (${slots}))
        WHERE prev IS NOT NULL`;
    const findings: Finding[] = [];
    const classes: { code: string; severity: Severity; cond: string; message: string }[] = weekdays && tf.ms === DAY && !nyse
        ? [
            { code: 'gap', severity: o.allowGaps ? 'warning' : 'error', cond: 'missing > 1', message: 'gap of 2 or more weekdays without a bar' },
            { code: 'holiday', severity: 'info', cond: 'missing = 1', message: 'single missing weekday (holiday?)' },
        ]
        : [{ code: 'gap', severity: o.allowGaps ? 'warning' : 'error', cond: 'missing > 0', message: `missing ${tf.label} bars` }];
    for (const c of classes) {
        const ex = await store.rows(`SELECT src_row::DOUBLE AS r, epoch_ms(ts)::DOUBLE AS t, epoch_ms(prev)::DOUBLE AS p, missing::DOUBLE AS m,
            count(*) OVER ()::DOUBLE AS n, sum(missing) OVER ()::DOUBLE AS total FROM (${gapsSql}) WHERE ${c.cond} ORDER BY ts LIMIT ${EXAMPLES}`);
        if (ex.length === 0) continue;
        const total = Number(ex[0]!.total);
        const rows = ex.map(e => Number(e.r));
        findings.push({
            code: c.code, severity: c.severity, count: Number(ex[0]!.n),
            message: `${c.message}: ${total} bar${total === 1 ? '' : 's'} missing in all`,
            rows, refs: rows,
            examples: at => ex.map(e => `${at(Number(e.r))} [${formatTs(Number(e.t))}]: ${Number(e.m)} missing after ${formatTs(Number(e.p))}`),
        });
    }
    if (weekdays) {
        const we = await store.rows(`SELECT src_row::DOUBLE AS r, epoch_ms(ts)::DOUBLE AS t, count(*) OVER ()::DOUBLE AS n FROM af_final
            WHERE isodow(ts) >= 6 ORDER BY ts LIMIT ${EXAMPLES}`);
        if (we.length > 0) {
            const rows = we.map(e => Number(e.r));
            findings.push({
                code: 'weekend-bar', severity: 'warning', count: Number(we[0]!.n), message: `bar on a Saturday or Sunday (${o.calendar} calendar); kept`,
                rows, refs: rows, examples: at => we.map(e => `${at(Number(e.r))} [${formatTs(Number(e.t))}]`),
            });
        }
    }
    if (nyse && holidays.length) {
        const hol = await store.rows(`SELECT src_row::DOUBLE AS r, epoch_ms(ts)::DOUBLE AS t, count(*) OVER ()::DOUBLE AS n FROM af_final
            WHERE floor(epoch_ms(ts) / ${DAY}) IN (${list}) ORDER BY ts LIMIT ${EXAMPLES}`);
        if (hol.length > 0) {
            const rows = hol.map(e => Number(e.r));
            findings.push({
                code: 'holiday-bar', severity: 'warning', count: Number(hol[0]!.n), message: 'bar on an NYSE holiday (nyse calendar); kept',
                rows, refs: rows, examples: at => hol.map(e => `${at(Number(e.r))} [${formatTs(Number(e.t))}]`),
            });
        }
    }
    return findings;
}

/**
 * On the 24x7 calendar: would the weekdays calendar explain every gap (weekends not expected, a
 * single missing weekday only a holiday), with no bar on a weekend? Then the series is an
 * exchange's that trades on weekdays, and --calendar weekdays is the fix, not --allow-gaps; when
 * NYSE's calendar explains every gap (`nyse`), --calendar nyse is.
 */
export async function gapsAreWeekends(store: DataStore, o: ValidationOptions): Promise<{ holidays: number; nyse: boolean } | undefined> {
    if (o.calendar !== '24x7' || !(o.tf.ms <= DAY && DAY % o.tf.ms === 0)) return undefined;
    // At least one weekend skipped from a Friday to the Monday after: a lone missing day is no sign.
    const weekends = Number(await store.scalar(`SELECT count(*)::DOUBLE FROM (SELECT ts, lag(ts) OVER (ORDER BY ts) AS prev FROM af_final)
        WHERE isodow(prev) = 5 AND isodow(ts) = 1 AND date_diff('day', CAST(prev AS DATE), CAST(ts AS DATE)) = 3`));
    if (weekends === 0) return undefined;
    const findings = await findGaps(store, { ...o, calendar: 'weekdays', allowGaps: false });
    const holidays = findings.find(f => f.code === 'holiday')?.count ?? 0;
    // Does NYSE's calendar explain every missing weekday (its holidays and one-off closures, several days in a row after September 11)?
    if (o.tf.ms === DAY && (await findGaps(store, { ...o, calendar: 'nyse', allowGaps: false })).length === 0) return { holidays, nyse: true };
    if (findings.some(f => f.code === 'gap' || f.code === 'weekend-bar')) return undefined;
    return { holidays, nyse: false };
}
