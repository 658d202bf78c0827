/**
 * Resampling to coarser timeframes: by hand on small cases, against an independent SQL
 * aggregation (DuckDB time_bucket) on synthetic data, partial last buckets, and the rule
 * that a coarse bar is only known once all of its source bars have closed.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResamplable, resample, type OhlcvSeries } from '../../src/data/resample.js';
import { synthBars } from '../../src/data/synth.js';
import { parseTimeframe, weekday } from '../../src/data/timeframe.js';
import { DAY_MS, HOUR_MS } from './helpers.js';

const tf = parseTimeframe;
const H1 = tf('1h'), H4 = tf('4h'), D1 = tf('1d'), W1 = tf('1w');

function series(bars: readonly { ts: number; open: number; high: number; low: number; close: number; volume: number }[]): OhlcvSeries {
    const col = (k: 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume'): Float64Array => Float64Array.from(bars, b => b[k]);
    return { ts: col('ts'), open: col('open'), high: col('high'), low: col('low'), close: col('close'), volume: col('volume') };
}

/** Source bars from [open, high, low, close, volume] tuples, one per `step` from `start`. */
function bars(start: number, step: number, tuples: readonly (readonly number[])[]): OhlcvSeries {
    return series(tuples.map(([open, high, low, close, volume], i) => ({ ts: start + i * step, open: open!, high: high!, low: low!, close: close!, volume: volume! })));
}

const rows = (s: OhlcvSeries): number[][] => Array.from(s.ts, (t, i) => [t, s.open[i]!, s.high[i]!, s.low[i]!, s.close[i]!, s.volume[i]!]);

function slice(s: OhlcvSeries, n: number): OhlcvSeries {
    return { ts: s.ts.slice(0, n), open: s.open.slice(0, n), high: s.high.slice(0, n), low: s.low.slice(0, n), close: s.close.slice(0, n), volume: s.volume.slice(0, n) };
}

function synthSeries(timeframeMs: number, n: number, seed: number, start: number): OhlcvSeries {
    const r = synthBars({ symbols: ['A'], timeframeMs, bars: n, seed, start });
    const a = r.assets[0]!;
    return { ts: r.ts, open: a.open, high: a.high, low: a.low, close: a.close, volume: a.volume };
}

const MON = Date.UTC(2024, 0, 1); // a Monday

describe('by hand', () => {
    it('1h → 4h: open first, high max, low min, close last, volume sum', () => {
        const src = bars(MON, HOUR_MS, [
            [10, 12, 9, 11, 1], [11, 15, 10, 14, 2], [14, 14, 8, 9, 3], [9, 10, 7, 10, 4],
            [10, 11, 10, 11, 5], [11, 13, 11, 12, 6], [12, 12, 5, 6, 7], [6, 9, 6, 8, 8],
        ]);
        const r = resample(src, H1, H4);
        expect(r.droppedPartial).toBe(false);
        expect(rows(r)).toEqual([
            [MON, 10, 15, 7, 10, 10],
            [MON + 4 * HOUR_MS, 10, 13, 5, 8, 26],
        ]);
    });

    it('1h → 1d with the incomplete last day dropped (or kept on request)', () => {
        const tuples = Array.from({ length: 24 * 2 + 5 }, (_, i) => [100 + i, 101 + i + (i % 3), 99 + i - (i % 2), 100.5 + i, 1 + i]);
        const src = bars(MON, HOUR_MS, tuples);
        const r = resample(src, H1, D1);
        expect(r.droppedPartial).toBe(true);
        const day = (d: number): number[] => {
            const t = tuples.slice(d * 24, d * 24 + 24);
            return [MON + d * DAY_MS, t[0]![0]!, Math.max(...t.map(x => x[1]!)), Math.min(...t.map(x => x[2]!)), t.at(-1)![3]!, t.reduce((a, x) => a + x[4]!, 0)];
        };
        expect(rows(r)).toEqual([day(0), day(1)]);
        const all = resample(src, H1, D1, { includePartial: true });
        expect(all.droppedPartial).toBe(false);
        expect(rows(all)).toEqual([day(0), day(1), day(2)]);
        expect(day(2)).toEqual([MON + 2 * DAY_MS, 148, 154, 147, 152.5, 49 + 50 + 51 + 52 + 53]);
    });

    it('1d → 1w: weeks start on Monday 00:00 UTC, whatever day the data starts', () => {
        // Wednesday 2024-01-03 .. Sunday 2024-01-21 on a 24x7 calendar: a partial first week, two whole weeks.
        const start = Date.UTC(2024, 0, 3);
        const tuples = Array.from({ length: 19 }, (_, i) => [50 + i, 52 + i, 49 + i, 51 + i, 10]);
        const r = resample(bars(start, DAY_MS, tuples), D1, W1);
        expect(Array.from(r.ts)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 8), Date.UTC(2024, 0, 15)]);
        expect(Array.from(r.ts).map(weekday)).toEqual([0, 0, 0]);
        expect(rows(r)).toEqual([
            [Date.UTC(2024, 0, 1), 50, 56, 49, 55, 50], // Wed..Sun: 5 days
            [Date.UTC(2024, 0, 8), 55, 63, 54, 62, 70],
            [Date.UTC(2024, 0, 15), 62, 70, 61, 69, 70],
        ]);
        expect(r.droppedPartial).toBe(false);
        // Ending on a Wednesday, the last week is incomplete and dropped.
        const short = resample(bars(start, DAY_MS, tuples.slice(0, 17)), D1, W1);
        expect(short.droppedPartial).toBe(true);
        expect(Array.from(short.ts)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 8)]);
    });

    it('1d → 1w on the weekdays calendar: a week ending on Friday is complete', () => {
        const days = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11].map(d => MON + d * DAY_MS); // two Mon..Fri weeks
        const src = series(days.map((ts, i) => ({ ts, open: 10 + i, high: 20 + i, low: 5 + i, close: 11 + i, volume: 1 })));
        const wk = resample(src, D1, W1, { calendar: 'weekdays' });
        expect(wk.droppedPartial).toBe(false);
        expect(rows(wk)).toEqual([[MON, 10, 24, 5, 15, 5], [MON + 7 * DAY_MS, 15, 29, 10, 20, 5]]);
        // On 24x7 the same last week still expects Saturday and Sunday.
        expect(resample(src, D1, W1).droppedPartial).toBe(true);
        // Ending on Thursday, it is incomplete on the weekdays calendar too.
        expect(resample(slice(src, 9), D1, W1, { calendar: 'weekdays' }).ts).toHaveLength(1);
    });

    it('a bucket with missing source bars is still formed from what there is; NaN closes are skipped', () => {
        const src = bars(MON, HOUR_MS, [[1, 2, 0.5, 1.5, 1], [NaN, NaN, NaN, NaN, NaN], [1.5, 3, 1, 2, 1], [2, 2.5, 1.5, 2.2, 1]]);
        const r = resample(src, H1, H4);
        expect(rows(r)).toEqual([[MON, 1, 3, 0.5, 2.2, 3]]);
        const holes = series([
            { ts: MON, open: 1, high: 2, low: 0.5, close: 1.5, volume: 1 },
            { ts: MON + 3 * HOUR_MS, open: 1.5, high: 1.6, low: 1.4, close: 1.55, volume: 2 },
            { ts: MON + 9 * HOUR_MS, open: 3, high: 4, low: 2, close: 3.5, volume: 3 },
            { ts: MON + 11 * HOUR_MS, open: 3.5, high: 3.6, low: 3.4, close: 3.45, volume: 4 },
        ]);
        // The empty bucket 04:00 yields no bar at all (never invented).
        expect(rows(resample(holes, H1, H4))).toEqual([[MON, 1, 2, 0.5, 1.55, 3], [MON + 8 * HOUR_MS, 3, 4, 2, 3.45, 7]]);
    });

    it('an empty series resamples to nothing', () => {
        const r = resample(series([]), H1, H4);
        expect(r.ts).toHaveLength(0);
        expect(r.droppedPartial).toBe(false);
    });
});

describe('against an independent SQL aggregation', () => {
    let instance: DuckDBInstance;
    beforeAll(async () => { instance = await DuckDBInstance.create(':memory:'); });
    afterAll(() => instance.closeSync());

    /** GROUP BY time_bucket (DuckDB's own bucketing, weeks from Monday 2000-01-03), complete buckets only. */
    async function sqlResample(src: OhlcvSeries, interval: string, perBucket: number): Promise<number[][]> {
        const conn = await instance.connect();
        try {
            await conn.run('CREATE OR REPLACE TEMP TABLE src (ms DOUBLE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE)');
            const app = await conn.createAppender('src', 'main', 'temp');
            for (const r of rows(src)) {
                for (const x of r) app.appendDouble(x);
                app.endRow();
            }
            app.closeSync();
            const r = await conn.runAndReadAll(`SELECT epoch_ms(b)::DOUBLE, arg_min(open, ts), max(high), min(low), arg_max(close, ts), sum(volume), count(*)::DOUBLE AS n
                FROM (SELECT time_bucket(INTERVAL '${interval}', ts) AS b, * FROM (SELECT make_timestamp(CAST(ms AS BIGINT) * 1000) AS ts, * FROM src)) GROUP BY b ORDER BY b`);
            const out = r.getRowsJS() as number[][];
            // Only the last bucket may be short (the data is contiguous); drop it when it is.
            if (out.length > 0 && out.at(-1)![6]! < perBucket) out.pop();
            return out.map(x => x.slice(0, 6));
        } finally {
            conn.closeSync();
        }
    }

    it.each([
        ['1h', '4h', '4 hours', 4, HOUR_MS, 24 * 20 + 3],
        ['1h', '1d', '1 day', 24, HOUR_MS, 24 * 20 + 7],
        ['15m', '1h', '1 hour', 4, 15 * 60_000, 500],
        ['1d', '1w', '1 week', 7, DAY_MS, 200],
        ['4h', '1w', '1 week', 42, 4 * HOUR_MS, 400],
    ])('%s → %s', async (from, to, interval, perBucket, step, n) => {
        // Start mid-bucket (a Thursday 13:00 / 13:00), so that the first bucket is partial at the front.
        const start = Date.UTC(2024, 1, 1, 13) - (Date.UTC(2024, 1, 1, 13) % step);
        const src = synthSeries(step, n, 7, start);
        const r = resample(src, tf(from), tf(to));
        const expected = await sqlResample(src, interval, perBucket);
        // ts and OHLC exactly; the volume sum up to the order of additions (SQL does not promise one).
        expect(rows(r).map(x => x.slice(0, 5))).toEqual(expected.map(x => x.slice(0, 5)));
        for (const [i, x] of expected.entries()) expect(Math.abs(r.volume[i]! - x[5]!)).toBeLessThanOrEqual(1e-12 * x[5]!);
        expect(r.ts.length).toBeGreaterThan(2);
    });
});

describe('a coarse bar is only known at its close', () => {
    it('each coarse bar equals the one built from the source bars up to its close, and is absent before', () => {
        const src = synthSeries(HOUR_MS, 24 * 5, 3, MON);
        const full = resample(src, H1, H4);
        for (let k = 0; k < full.ts.length; k++) {
            const end = full.ts[k]! + H4.ms;
            const upTo = src.ts.findIndex(t => t >= end);
            const known = resample(slice(src, upTo === -1 ? src.ts.length : upTo), H1, H4);
            expect(known.ts.length).toBe(k + 1);
            expect(rows(known).at(-1)).toEqual(rows(full)[k]);
            // One source bar short of the close: the bar does not exist yet.
            const early = resample(slice(src, (upTo === -1 ? src.ts.length : upTo) - 1), H1, H4);
            expect(early.ts.length).toBe(k);
            expect(early.droppedPartial).toBe(true);
        }
    });
});

describe('refusals', () => {
    it('refuses targets that are not coarser multiples', () => {
        expect(() => checkResamplable(H4, H1)).toThrow('cannot resample 4h to 1h: the target must be a coarser multiple of the source (e.g. 1h → 4h, 1h → 1d, 1d → 1w)');
        expect(() => checkResamplable(H1, H1)).toThrow(/cannot resample 1h to 1h/);
        expect(() => checkResamplable(H1, tf('90m'))).toThrow(/cannot resample 1h to 90m/);
        expect(() => checkResamplable(tf('5h'), D1)).toThrow(/cannot resample 5h to 1d/);
        // Days divide weeks; 2-day bars do not.
        expect(() => checkResamplable(tf('2d'), W1)).toThrow(/cannot resample 2d to 1w/);
        expect(() => checkResamplable(D1, W1)).not.toThrow();
        expect(() => checkResamplable(H4, W1)).not.toThrow();
        expect(() => resample(series([]), D1, H1)).toThrow(/cannot resample 1d to 1h/);
    });

    it('refuses source bars that are not strictly increasing', () => {
        const src = series([
            { ts: MON, open: 1, high: 1, low: 1, close: 1, volume: 1 },
            { ts: MON, open: 1, high: 1, low: 1, close: 1, volume: 1 },
        ]);
        expect(() => resample(src, H1, H4)).toThrow('resample: source bars are not strictly increasing at index 1');
    });
});
