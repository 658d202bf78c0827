/**
 * The tearsheet (protocol/src/tearsheet.ts) and the benchmark curve (runtime/src/pipeline/result.ts),
 * each figure against an independent calculation: hand-worked curves, the engine's own metrics
 * (runtime/src/engine/metrics.ts, a separate implementation), compounding per-bar returns instead
 * of taking period-end ratios, regression by the normal equations instead of covariances, and a
 * real backtest, sweep and walk-forward through the run pipeline.
 */
import { describe, expect, it } from 'vitest';
import { fromWire, fromWireColumn, toWire, toWireColumn } from '../../../protocol/src/numbers.js';
import { RunResult, type Trial } from '../../../protocol/src/run-result.js';
import {
    drawdownEpisodes, histogram, monthKey, monthKeys, periodReturns, relativeStats, returnsOf, rolling, rollingWindow, sweepGrid, tearsheetOf, tradeAnalysis, yearKey,
} from '../../../protocol/src/tearsheet.js';
import { reportMessage } from '../../../protocol/src/wire.js';
import { computeMetrics } from '../../src/engine/metrics.js';
import { DataError } from '../../src/data/errors.js';
import type { LoadedBars } from '../../src/data/load.js';
import { executeRun } from '../../src/pipeline/execute.js';
import { prepareRun, type RunRequest } from '../../src/pipeline/prepare.js';
import { benchmarkCurve } from '../../src/pipeline/result.js';
import { irOf, synthBars, CROSS_SRC } from '../engine/fixtures.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);

/** A seeded random walk (a different generator from the engine fixtures'). */
function walk(n: number, seed: number, drift = 0.0003, vol = 0.01): number[] {
    let s = seed >>> 0;
    const u = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
    const out: number[] = [];
    let e = 100;
    for (let i = 0; i < n; i++) {
        const z = Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
        e *= 1 + drift + vol * z;
        out.push(e);
    }
    return out;
}

describe('calendar returns', () => {
    it('each month is the compounded product of its bars\' returns; each year the product of its months', () => {
        const n = 800;
        const ts = Array.from({ length: n }, (_, i) => T0 + i * DAY);
        const equity = walk(n, 3);
        const months = periodReturns(ts, equity, 100, monthKey);
        // Independent: compound per-bar returns grouped by (year, month) from the dates.
        const r = returnsOf(equity, 100);
        const compounded = new Map<string, number>();
        ts.forEach((t, i) => {
            const d = new Date(t), k = `${d.getUTCFullYear()}-${d.getUTCMonth()}`;
            compounded.set(k, (compounded.get(k) ?? 1) * (1 + r[i]!));
        });
        expect(months).toHaveLength(compounded.size);
        for (const m of months) expect(m.ret).toBeCloseTo(compounded.get(`${Math.floor(m.key / 12)}-${m.key % 12}`)! - 1, 12);
        const years = periodReturns(ts, equity, 100, yearKey);
        for (const y of years) {
            const product = months.filter(m => Math.floor(m.key / 12) === y.key).reduce((a, m) => a * (1 + m.ret), 1);
            expect(y.ret).toBeCloseTo(product - 1, 12);
        }
        // All years compound to the total return.
        expect(years.reduce((a, y) => a * (1 + y.ret), 1) - 1).toBeCloseTo(equity[n - 1]! / 100 - 1, 12);
        // By hand: January 2020 is bars 0..30.
        expect(months[0]).toEqual({ key: 2020 * 12, ret: equity[30]! / 100 - 1 });
    });
});

describe('calendar keys', () => {
    it('month and year by arithmetic are a Date\'s, over leap years, century rules, year ends, before 1970 and at the limits', () => {
        const byDate = (t: number): [number, number] => { const d = new Date(t); return [d.getUTCFullYear() * 12 + d.getUTCMonth(), d.getUTCFullYear()]; };
        const eq = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));
        const differs = (t: number): boolean => { const [m, y] = byDate(t); return !eq(monthKey(t), m) || !eq(yearKey(t), y); };
        const times: number[] = [0, -0, 0.5, -0.5, -1, 1, NaN, Infinity, -Infinity, 8.64e15, -8.64e15, 8.64e15 + 1, -8.64e15 - 1, 8.64e15 - 0.5];
        // The first ms of every month and the last of the one before, 1500–2500 (1600 and 2000 leap, 1700, 1800, 1900, 2100 not), and around year 0.
        for (const y of [...Array.from({ length: 1001 }, (_, i) => 1500 + i), -1, 0, 1, -400, -401]) {
            for (let m = 0; m < 12; m++) {
                const d = new Date(0);
                d.setUTCFullYear(y, m, 1);
                times.push(d.getTime(), d.getTime() - 1, d.getTime() + 86_399_999);
            }
        }
        let seed = 5;
        for (let i = 0; i < 20_000; i++) {
            seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
            times.push(Math.round((seed / 2 ** 31 - 1) * (i % 2 ? 8.64e15 : 4e12))); // the whole range, and ±127 years of 1970, both signs
        }
        expect(times.length).toBeGreaterThan(50_000);
        expect(times.filter(differs)).toEqual([]);
        expect([monthKey(Date.UTC(2024, 1, 29, 23, 59)), yearKey(Date.UTC(1969, 11, 31, 23, 59, 59, 999)), monthKey(NaN)]).toEqual([2024 * 12 + 1, 1969, NaN]);
        // periodReturns with these keys groups the same bars as with Date's.
        const ts = Array.from({ length: 3000 }, (_, i) => Date.UTC(1968, 11, 20) + i * 3 * 3_600_000);
        const equity = walk(3000, 9);
        expect(periodReturns(ts, equity, 100, monthKey)).toEqual(periodReturns(ts, equity, 100, t => byDate(t)[0]));
        expect(periodReturns(ts, equity, 100, yearKey)).toEqual(periodReturns(ts, equity, 100, t => byDate(t)[1]));
    });
});

describe('drawdowns', () => {
    it('peaks, troughs, recoveries and depths of a hand-made curve, deepest first', () => {
        const eq = [110, 99, 88, 110, 121, 115, 121.5, 100, 105];
        expect(drawdownEpisodes(eq, 100)).toEqual([
            { peak: 0, trough: 2, recovery: 3, depth: 88 / 110 - 1 },
            { peak: 6, trough: 7, recovery: -1, depth: 100 / 121.5 - 1 },
            { peak: 4, trough: 5, recovery: 6, depth: 115 / 121 - 1 },
        ]);
        // Below the capital from the first bar: the capital is the peak (index -1).
        expect(drawdownEpisodes([90, 95, 101], 100)).toEqual([{ peak: -1, trough: 0, recovery: 2, depth: 90 / 100 - 1 }]);
    });

    it('the deepest is the engine\'s max drawdown, on a long random curve', () => {
        const eq = walk(3000, 11, 0, 0.02);
        const ts = Float64Array.from(eq, (_, i) => T0 + i * DAY);
        const m = computeMetrics({ ts, equity: Float64Array.from(eq), capital: 100, trades: [] });
        const episodes = drawdownEpisodes(eq, 100);
        expect(-episodes[0]!.depth).toBeCloseTo(m.maxDrawdown, 12);
        // Episodes do not overlap: each starts at or after the previous one's recovery.
        const byTime = [...episodes].sort((a, b) => a.peak - b.peak);
        for (let i = 1; i < byTime.length; i++) expect(byTime[i]!.peak).toBeGreaterThanOrEqual(byTime[i - 1]!.recovery);
    });
});

describe('statistics against a benchmark', () => {
    it('a run that is exactly 0.1% + 1.5 × the benchmark per bar: beta 1.5, alpha 0.1% a bar, correlation 1', () => {
        const b = walk(500, 5).map((e, i, a) => (i ? e / a[i - 1]! - 1 : 0));
        const r = b.map(x => 0.001 + 1.5 * x);
        const s = relativeStats(r, b, 252);
        expect(s.beta).toBeCloseTo(1.5, 10);
        expect(s.alpha).toBeCloseTo(0.001 * 252, 10);
        expect(s.correlation).toBeCloseTo(1, 10);
    });

    it('beta and alpha by the normal equations, correlation by sums, information ratio by hand, on noisy returns', () => {
        const b = walk(400, 8).map((e, i, a) => (i ? e / a[i - 1]! - 1 : 0));
        const noise = walk(400, 9, 0, 0.005).map((e, i, a) => (i ? e / a[i - 1]! - 1 : 0));
        const r = b.map((x, i) => 0.0002 + 0.7 * x + noise[i]!);
        const n = r.length;
        const Sx = b.reduce((a, x) => a + x, 0), Sy = r.reduce((a, x) => a + x, 0);
        const Sxx = b.reduce((a, x) => a + x * x, 0), Syy = r.reduce((a, x) => a + x * x, 0), Sxy = b.reduce((a, x, i) => a + x * r[i]!, 0);
        const slope = (n * Sxy - Sx * Sy) / (n * Sxx - Sx * Sx);
        const intercept = (Sy - slope * Sx) / n;
        const corr = (n * Sxy - Sx * Sy) / Math.sqrt((n * Sxx - Sx * Sx) * (n * Syy - Sy * Sy));
        const ex = r.map((x, i) => x - b[i]!);
        const exMean = ex.reduce((a, x) => a + x, 0) / n;
        const exSd = Math.sqrt(ex.reduce((a, x) => a + (x - exMean) ** 2, 0) / (n - 1));
        const s = relativeStats(r, b, 252);
        expect(s.beta).toBeCloseTo(slope, 10);
        expect(s.alpha).toBeCloseTo(intercept * 252, 10);
        expect(s.correlation).toBeCloseTo(corr, 10);
        expect(s.informationRatio).toBeCloseTo(exMean / exSd * Math.sqrt(252), 10);
        expect(s.trackingError).toBeCloseTo(exSd * Math.sqrt(252), 10);
        // Up / down capture by hand: compound the bars the benchmark rose (fell), annualise, divide.
        const capture = (keep: (x: number) => boolean): number => {
            let pr = 1, pb = 1, k = 0;
            for (let i = 0; i < n; i++) if (keep(b[i]!)) { pr *= 1 + r[i]!; pb *= 1 + b[i]!; k++; }
            return (pr ** (252 / k) - 1) / (pb ** (252 / k) - 1);
        };
        expect(s.upCapture).toBeCloseTo(capture(x => x > 0), 9);
        expect(s.downCapture).toBeCloseTo(capture(x => x < 0), 9);
        // The run that is 0.7 × the benchmark plus noise captures less of both.
        expect(s.upCapture).toBeLessThan(1);
        expect(s.downCapture).toBeLessThan(1);
    });
});

describe('rolling statistics', () => {
    it('each point is the engine\'s Sharpe and volatility of the equity over that window', () => {
        const n = 700, w = 126;
        const eq = walk(n, 21);
        const ts = eq.map((_, i) => T0 + i * DAY);
        const r = returnsOf(eq, 100);
        const roll = rolling(r, null, w, 252, 50);
        expect(roll.at.length).toBeLessThanOrEqual(50);
        expect(roll.at[roll.at.length - 1]).toBe(n - 1);
        for (const [k, i] of roll.at.entries()) {
            // The window's returns are those of equity[i-w+1..i], the first measured from equity[i-w].
            const m = computeMetrics({ ts: Float64Array.from(ts.slice(i - w + 1, i + 1)), equity: Float64Array.from(eq.slice(i - w + 1, i + 1)), capital: i - w >= 0 ? eq[i - w]! : 100, trades: [], periodsPerYear: 252 });
            expect(roll.sharpe[k]).toBeCloseTo(m.sharpe, 9);
            expect(roll.volatility[k]).toBeCloseTo(m.annualVolatility, 9);
        }
    });

    it('a flat stretch (a halted strategy) has no volatility and no Sharpe, as the engine\'s metrics say; the windows after it are exact again', () => {
        const eq = [...walk(300, 4), ...Array<number>(200).fill(0)];
        for (let i = 300; i < 500; i++) eq[i] = eq[299]!;
        eq.push(...walk(300, 6).map(e => e * eq[299]! / 100));
        const ts = eq.map((_, i) => T0 + i * DAY);
        const r = returnsOf(eq, 100), w = 100;
        const roll = rolling(r, null, w, 252, 800);
        for (const [k, i] of roll.at.entries()) {
            const m = computeMetrics({ ts: Float64Array.from(ts.slice(i - w + 1, i + 1)), equity: Float64Array.from(eq.slice(i - w + 1, i + 1)), capital: i - w >= 0 ? eq[i - w]! : 100, trades: [], periodsPerYear: 252 });
            if (i >= 399 && i < 500) {
                expect(roll.volatility[k]).toBe(0);
                expect(roll.sharpe[k]).toBeNaN();
                expect(m.annualVolatility).toBe(0);
            } else {
                expect(roll.sharpe[k]).toBeCloseTo(m.sharpe, 8);
                expect(roll.volatility[k]).toBeCloseTo(m.annualVolatility, 10);
            }
        }
    });

    it('rolling beta is the full-sample beta of each window', () => {
        const b = walk(300, 1).map((e, i, a) => (i ? e / a[i - 1]! - 1 : 0));
        const r = b.map((x, i) => 2 * x + (i % 2 ? 0.001 : -0.001));
        const roll = rolling(r, b, 60, 252, 10);
        roll.at.forEach((i, k) => expect(roll.beta![k]).toBeCloseTo(relativeStats(r.slice(i - 59, i + 1), b.slice(i - 59, i + 1), 252).beta, 10));
    });

    it('a window of half a year, shorter for a short run, none for a very short one', () => {
        expect(rollingWindow(1000, 252)).toBe(126);
        expect(rollingWindow(200, 252)).toBe(50);
        expect(rollingWindow(30, 252)).toBe(0);
    });
});

/**
 * The tearsheet's rolling statistics and month keys as first written, kept as the definitions the
 * faster ones (typed arrays, one month key per month of bars) must match bit for bit.
 */
function referenceRolling(r: readonly number[], b: readonly number[] | null, window: number, periodsPerYear: number, points = 2000) {
    const first = window - 1, n = r.length;
    const out = { at: [] as number[], sharpe: [] as number[], volatility: [] as number[], beta: b ? [] as number[] : null };
    if (window < 2 || n < window) return out;
    const mean = (xs: readonly number[]): number => { let s = 0; for (const x of xs) s += x; return xs.length ? s / xs.length : NaN; };
    const mr = mean(r), mb = b ? mean(b) : 0;
    const prefix = (f: (i: number) => number): Float64Array => {
        const p = new Float64Array(n + 1);
        for (let i = 0; i < n; i++) p[i + 1] = p[i]! + f(i);
        return p;
    };
    const R = prefix(i => r[i]! - mr), RR = prefix(i => (r[i]! - mr) ** 2);
    const B = b ? prefix(i => b[i]! - mb) : null, BB = b ? prefix(i => (b[i]! - mb) ** 2) : null, RB = b ? prefix(i => (r[i]! - mr) * (b[i]! - mb)) : null;
    const over = (p: Float64Array, i: number): number => p[i + 1]! - p[i + 1 - window]!;
    const step = Math.max(1, Math.ceil((n - first) / points));
    const ends: number[] = [];
    for (let i = n - 1; i >= first; i -= step) ends.push(i);
    ends.reverse();
    for (const i of ends) {
        const sr = over(R, i);
        const rawVar = (over(RR, i) - (sr * sr) / window) / (window - 1);
        const flat = rawVar <= (64 * Number.EPSILON * (RR[i + 1]! + RR[i + 1 - window]!)) / (window - 1);
        const sd = flat ? 0 : Math.sqrt(rawVar);
        out.at.push(i);
        out.sharpe.push(flat ? NaN : ((sr / window + mr) / sd) * Math.sqrt(periodsPerYear));
        out.volatility.push(sd * Math.sqrt(periodsPerYear));
        if (B && BB && RB && out.beta) {
            const sb = over(B, i);
            const varB = (over(BB, i) - (sb * sb) / window) / (window - 1);
            const cov = (over(RB, i) - (sr * sb) / window) / (window - 1);
            out.beta.push(varB > (64 * Number.EPSILON * (BB[i + 1]! + BB[i + 1 - window]!)) / (window - 1) ? cov / varB : NaN);
        }
    }
    return out;
}

/** Where two values of numbers, arrays and plain objects first differ (numbers by Object.is: -0 and NaN too), or '' when nowhere. */
function differs(a: unknown, b: unknown, at = ''): string {
    if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b) ? '' : `${at}: ${String(a)} ≠ ${String(b)}`;
    if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b ? '' : `${at}: ${String(a)} ≠ ${String(b)}`;
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
        for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && (typeof a[i] === 'number' || typeof a[i] !== 'object')) return `${at}[${i}]: ${String(a[i])} ≠ ${String(b[i])}`;
        for (let i = 0; i < a.length; i++) if (typeof a[i] === 'object' && a[i] !== null) { const d = differs(a[i], b[i], `${at}[${i}]`); if (d) return d; }
        return '';
    }
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.join() !== kb.join()) return `${at}: keys ${ka.join()} ≠ ${kb.join()}`;
    for (const k of ka) {
        const d = differs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
        if (d) return d;
    }
    return '';
}

describe('the tearsheet\'s faster computations are the first ones, bit for bit', () => {
    /** Seeded series of returns with what a run can hold: NaN, ±Infinity, -0, flat stretches, huge and tiny values. */
    function series(n: number, seed: number): number[] {
        let s = seed >>> 0;
        const u = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
        const odd = [NaN, Infinity, -Infinity, -0, 0, 1e300, -1e-310];
        const flat = seed % 3 === 0;
        return Array.from({ length: n }, (_, i) => {
            if (seed % 4 === 1 && u() < 0.02) return odd[Math.floor(u() * odd.length)]!;
            if (flat && i > n / 3 && i < n / 2) return 0;
            return (u() - 0.5) * 0.04 * (seed % 5 === 2 ? 1e6 : 1);
        });
    }

    it('columns to and from wire numbers: each value as toWire / fromWire gives it (NaN, ±Infinity, -0, huge and tiny values)', () => {
        for (let seed = 1; seed <= 8; seed++) {
            const xs = series(500, seed * 4 + 1); // seed % 4 === 1: the odd values among them
            const wire = toWireColumn(Float64Array.from(xs));
            expect(wire).toEqual(xs.map(toWire));
            expect(wire.filter(w => typeof w !== 'number').length + wire.filter(w => Object.is(w, -0)).length).toBeGreaterThan(0);
            expect(fromWireColumn(wire)).toEqual(wire.map(fromWire));
        }
    });

    it('rolling statistics: random, constant, empty and short series, with and without a benchmark, NaN and ±Infinity among them', () => {
        let compared = 0;
        for (let seed = 1; seed <= 16; seed++) {
            const n = [0, 1, 5, 40, 250, 999, 1300][seed % 7]!;
            const r = seed % 10 === 0 ? Array<number>(n).fill(0.001) : series(n, seed);
            const b = seed % 2 ? series(n, seed * 7 + 1) : null;
            for (const window of [1, 2, 10, 126]) {
                for (const points of [1, 7, 2000]) {
                    for (const ppy of [365.25, NaN]) {
                        expect(differs(rolling(r, b, window, ppy, points), referenceRolling(r, b, window, ppy, points)), `seed ${seed} window ${window} points ${points} ppy ${ppy}`).toBe('');
                        compared++;
                    }
                }
            }
        }
        expect(compared).toBe(16 * 4 * 3 * 2);
    });

    it('month keys once per month of bars are monthKey of each bar: any spacing, out of order, fractional ms, NaN and beyond a Date\'s range', () => {
        let s = 99;
        const u = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
        for (let k = 0; k < 400; k++) {
            const step = [1, 3_600_000, DAY, 29 * DAY, 1e12, -DAY][k % 6]!;
            const t0 = (u() - 0.5) * 1.8e16;
            const ts = Array.from({ length: 40 }, (_, i) => (k % 97 === 0 && i === 7 ? NaN : k % 89 === 0 && i === 9 ? 9e15 : t0 + i * step + (u() < 0.1 ? -0.5 : 0)));
            expect(differs(monthKeys(ts), ts.map(monthKey)), `case ${k}`).toBe('');
        }
        // Each side of every month's first ms, from 3000 BC to AD 3000.
        for (let y = -3000; y <= 3000; y += 37) {
            for (let m = 0; m < 12; m++) {
                const d = new Date(0);
                d.setUTCFullYear(y, m, 1);
                const t = d.getTime();
                const ts = [t - DAY, t - 1, t - 0.5, t, t + 0.5, t + 1, t + DAY - 1, t + DAY];
                expect(differs(monthKeys(ts), ts.map(monthKey)), `${y}-${m + 1}`).toBe('');
            }
        }
    });

    it('a result\'s rolling section is the reference rolling statistics of its returns past the warm-up, as wire numbers', () => {
        for (let seed = 1; seed <= 8; seed++) {
            const n = [300, 1000, 1500][seed % 3]!;
            const eq = walk(n, seed).map((e, i) => (seed % 4 === 1 && i % 97 === 5 ? NaN : e));
            const bench = seed % 2 ? walk(n, seed + 50) : null;
            const warmupBars = seed * 5;
            const r = {
                capital: 100, warmupBars, metrics: { periodsPerYear: 252 }, trades: [],
                series: { ts: eq.map((_, i) => T0 + i * DAY), equity: eq.map(toWire), drawdown: eq.map(() => 0), exposure: eq.map(() => 0), ...(bench ? { benchmark: bench.map(toWire) } : {}) },
            } as unknown as RunResult;
            const sheet = tearsheetOf(r);
            const window = rollingWindow(n - warmupBars, 252);
            const rets = returnsOf(eq, 100), bRets = bench ? returnsOf(bench, 100) : null;
            const want = referenceRolling(rets.slice(warmupBars), bRets ? bRets.slice(warmupBars) : null, window, 252);
            expect(differs(sheet.rolling, {
                window, ts: want.at.map(i => T0 + (i + warmupBars) * DAY),
                sharpe: want.sharpe.map(toWire), volatility: want.volatility.map(toWire), beta: want.beta ? want.beta.map(toWire) : null,
            }), `seed ${seed}`).toBe('');
            const keys = r.series!.ts.map(monthKey);
            expect(sheet.monthly.map(m => m.year * 12 + m.month - 1)).toEqual(keys.filter((k, i) => keys[i + 1] !== k));
        }
    });
});

describe('trade analysis', () => {
    const trade = (symbol: string, side: 'long' | 'short', days: number, pnl: number, ret: number) => ({ symbol, side, entryTs: T0, exitTs: T0 + days * DAY, pnl, returnPct: ret });

    it('win rate, profit factor, expectancy, average win and loss, holding times, by asset and side — by hand', () => {
        const a = tradeAnalysis([
            trade('x:A', 'long', 2, 300, 0.03), trade('x:A', 'short', 10, -100, -0.01),
            trade('x:B', 'long', 0.5, 50, 0.005), trade('x:B', 'long', 40, -250, -0.025),
        ])!;
        expect(a.count).toBe(4);
        expect([a.wins, a.losses, a.winRate]).toEqual([2, 2, 0.5]);
        expect(a.profitFactor).toBeCloseTo(350 / 350, 12);
        expect(a.expectancy).toBe(0);
        expect(a.expectancyPct).toBeCloseTo(0, 12);
        expect([a.avgWin, a.avgLoss, a.payoffRatio]).toEqual([175, -175, 1]);
        expect([a.largestWin, a.largestLoss]).toEqual([300, -250]);
        expect(a.holdingMs.median).toBe(6 * DAY);
        expect(a.holdingMs.mean).toBe((2 + 10 + 0.5 + 40) / 4 * DAY);
        expect(a.holdingMs.max).toBe(40 * DAY);
        // ≤1h 0, ≤4h 0, ≤1d 1 (12 h), ≤1w 1 (2 d), ≤30d 1 (10 d), ≤91d 1 (40 d).
        expect(a.holdingMs.bins.map(b => b.count)).toEqual([0, 0, 1, 1, 1, 1]);
        const near = (got: typeof a.byAsset, want: { key: string; count: number; pnl: number; winRate: number; avgReturn: number }[]): void => {
            expect(got.map(g => [g.key, g.count, g.pnl, g.winRate])).toEqual(want.map(g => [g.key, g.count, g.pnl, g.winRate]));
            got.forEach((g, i) => expect(g.avgReturn).toBeCloseTo(want[i]!.avgReturn, 12));
        };
        near(a.byAsset, [
            { key: 'x:A', count: 2, pnl: 200, winRate: 0.5, avgReturn: 0.01 },
            { key: 'x:B', count: 2, pnl: -200, winRate: 0.5, avgReturn: -0.01 },
        ]);
        near(a.bySide, [
            { key: 'long', count: 3, pnl: 100, winRate: 2 / 3, avgReturn: (0.03 + 0.005 - 0.025) / 3 },
            { key: 'short', count: 1, pnl: -100, winRate: 0, avgReturn: -0.01 },
        ]);
        expect(a.returnBins.reduce((s, b) => s + b.count, 0)).toBe(4);
    });

    it('no losing trade: an infinite profit factor (as the metrics), no payoff ratio; no trades: nothing', () => {
        const a = tradeAnalysis([trade('x:A', 'long', 1, 10, 0.01)])!;
        expect(a.profitFactor).toBe('Infinity');
        expect(a.payoffRatio).toBeNull();
        expect(a.largestLoss).toBeNull();
        expect(tradeAnalysis([])).toBeNull();
    });

    it('a million trades: analysed without overflowing the stack, counts whole', () => {
        const many = Array.from({ length: 1_000_000 }, (_, i) => trade(i % 3 ? 'x:A' : 'x:B', i % 2 ? 'long' : 'short', (i % 10) + 1, i % 4 ? 1 : -2, 0));
        const a = tradeAnalysis(many)!;
        expect([a.count, a.wins, a.losses]).toEqual([1_000_000, 750_000, 250_000]);
        expect(a.profitFactor).toBeCloseTo(750_000 / 500_000, 12);
        expect([a.largestWin, a.largestLoss, a.holdingMs.max]).toEqual([1, -2, 10 * DAY]);
        expect(a.byAsset.map(g => g.count)).toEqual([666_666, 333_334]);
    });

    it('histogram bins count every value once, the maximum in the last bin', () => {
        const bins = histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5);
        expect(bins.map(b => b.count)).toEqual([2, 2, 2, 2, 3]);
        expect(bins[4]!.to).toBe(10);
    });
});

describe('sweep grid', () => {
    const trial = (fast: number, slow: number, stop: number, sharpe: number): Trial => ({ params: { fast, slow, stop, on: true }, metrics: { sharpe, maxDrawdown: -sharpe } as never });

    it('the metric over the two params with most values; the best over the third', () => {
        const trials = [trial(5, 20, 1, 0.5), trial(5, 20, 2, 0.9), trial(5, 30, 1, 0.2), trial(10, 20, 1, -0.1), trial(15, 30, 2, 1.2), trial(15, 30, 1, 1.0)];
        const g = sweepGrid(trials, 'sharpe', { fast: 15, slow: 30, stop: 2, on: true })!;
        expect(g.x).toEqual({ name: 'fast', values: [5, 10, 15], binned: false });
        expect(g.y).toEqual({ name: 'slow', values: [20, 30], binned: false });
        expect(g.others).toEqual(['stop']);
        expect(g.cells).toEqual([[0.9, -0.1, null], [0.2, null, 1.2]]);
        expect(g.chosen).toEqual({ x: 15, y: 30 });
        // Drawdown: lower is better.
        expect(sweepGrid(trials, 'maxDrawdown', {})!.cells[0]![0]).toBe(-0.9);
    });

    it('one varying param: no heatmap; a random search\'s many values: binned', () => {
        expect(sweepGrid([trial(5, 20, 1, 0), trial(6, 20, 1, 0)], 'sharpe', {})).toBeNull();
        const many = Array.from({ length: 200 }, (_, i) => trial(1 + i * 0.37, 10 + (i * 7) % 50, 1, i));
        const g = sweepGrid(many, 'sharpe', {})!;
        expect(g.x.binned).toBe(true);
        expect(g.x.values).toHaveLength(20);
        // Every trial lands in a cell: the best overall is in the grid.
        expect(Math.max(...g.cells.flat().map(fromWire).filter(Number.isFinite))).toBe(199);
    });
});

describe('benchmark curve', () => {
    it('equal weights bought at the start bar\'s close; an asset without a bar yet buys at its first close; gaps carry the last close', () => {
        const close = (xs: number[]) => ({ close: Float64Array.from(xs) });
        const data = { assets: [close([10, 11, 12, 11, 13]), close([NaN, NaN, 50, NaN, 60])] as never };
        const b = benchmarkCurve(data, 0, 5, 1, 1000);
        // Bar 0: all cash. Bar 1: A buys 500/11 units; B has no price: 500 in cash. Bar 2: B buys 500/50.
        const ua = 500 / 11, ub = 10;
        const close2 = (got: Float64Array, want: number[]): void => { expect(got).toHaveLength(want.length); want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 9)); };
        close2(b, [1000, 1000, ua * 12 + ub * 50, ua * 11 + ub * 50, ua * 13 + ub * 60]);
        // From an offset (a walk-forward's stitched bars).
        close2(benchmarkCurve(data, 2, 5, 0, 100), [100, 50 / 12 * 11 + 50, 50 / 12 * 13 + 60]);
    });
});

// ------------------------------------------------------------------------------ through the pipeline

const loaded = (bars: number): LoadedBars => ({ ...synthBars({ assets: 1, bars, seed: 7 }), ids: ['x:A'], sources: ['1d'] });

async function execute(request: RunRequest, bars = 900) {
    const ir = await irOf(CROSS_SRC);
    const data = loaded(bars);
    const p = await prepareRun(request, { compile: async () => ir, load: async () => data });
    return { result: (await executeRun({ ...p, symbols: p.data.ids }, { workers: 0 })).result, data };
}

describe('in the run result', () => {
    it('a backtest: a valid result whose tearsheet agrees with its metrics, trades and bars', async () => {
        const { result, data } = await execute({ kind: 'backtest' });
        expect(RunResult.safeParse(result).success).toBe(true);
        const t = result.tearsheet!;
        const m = result.metrics;
        expect(t.bars).toBe(data.ts.length);
        expect(t.yearly.reduce((a, y) => a * (1 + fromWire(y.ret)), 1) - 1).toBeCloseTo(fromWire(m.totalReturn), 10);
        expect(-fromWire(t.drawdowns[0]!.depth)).toBeCloseTo(fromWire(m.maxDrawdown), 10);
        expect(t.trades!.count).toBe(result.tradeCount);
        expect(t.trades!.winRate).toBeCloseTo(fromWire(m.winRate), 12);
        expect(fromWire(t.trades!.profitFactor)).toBeCloseTo(fromWire(m.profitFactor), 10);
        expect(fromWire(t.trades!.expectancy)).toBeCloseTo(fromWire(m.avgTradePnl), 8);
        // Buy and hold of the one asset from the close of the last warm-up bar.
        const close = data.assets[0]!.close, start = result.benchmark!.startBar;
        expect(start).toBe(result.warmupBars - 1);
        expect(fromWire(t.benchmark!.totalReturn)).toBeCloseTo(close[close.length - 1]! / close[start]! - 1, 10);
        expect(result.benchmark!.name).toBe('buy and hold x:A');
        // Half a year of bars: the synthetic market trades every day (365.25 bars a year).
        expect(fromWire(m.periodsPerYear)).toBeCloseTo(365.25, 6);
        expect(t.rolling!.window).toBe(183);
        expect(t.rolling!.beta).not.toBeNull();
    });

    it('a sweep: the heatmap of its trials, the chosen cell its best; a walk-forward: its stitched bars', async () => {
        const { result } = await execute({ kind: 'sweep' }, 500);
        const g = result.tearsheet!.sweep!;
        expect([g.x.name, g.y.name].sort()).toEqual(['fast', 'slow']);
        const best = fromWire(result.sweep!.trials[0]!.metrics.sharpe);
        const at = g.cells[g.y.values.indexOf(result.params[g.y.name] as number)]![g.x.values.indexOf(result.params[g.x.name] as number)];
        expect(fromWire(at)).toBe(best);
        const wf = (await execute({ kind: 'walkforward' }, 900)).result;
        expect(RunResult.safeParse(wf).success).toBe(true);
        expect(wf.series!.benchmark).toHaveLength(wf.series!.ts.length);
        expect(wf.tearsheet!.yearly.reduce((a, y) => a * (1 + fromWire(y.ret)), 1) - 1).toBeCloseTo(fromWire(wf.metrics.totalReturn), 10);
    });

    it('a named benchmark: buy and hold of its closes from the last warm-up bar, its statistics by hand', async () => {
        const ir = await irOf(CROSS_SRC);
        const data = loaded(600);
        // The benchmark: another walk, stored from a week before the run's first bar with every other day missing.
        const bts: number[] = [], bclose: number[] = [];
        walk(700, 21).forEach((c, i) => { const t = data.ts[0]! - 6 * DAY + i * DAY; if (i % 2 === 0 || i < 10) { bts.push(t); bclose.push(c); } });
        const load = async (req: { assets: readonly { venue: string; symbol: string }[] }): Promise<LoadedBars> => {
            if (req.assets[0]!.symbol !== 'SPX') return data;
            const n = bts.length, nan = new Float64Array(n).fill(NaN);
            return { ts: Float64Array.from(bts), assets: [{ open: nan, high: nan, low: nan, close: Float64Array.from(bclose), volume: nan }], snapshotHash: 'b', timeframeMs: DAY, ids: ['sp:SPX'], sources: ['1d'] };
        };
        const p = await prepareRun({ kind: 'backtest', benchmark: 'sp:SPX' }, { compile: async () => ir, load });
        const { result } = await executeRun({ ...p, symbols: p.data.ids }, { workers: 0 });
        expect(RunResult.safeParse(result).success).toBe(true);
        expect(result.benchmark).toMatchObject({ name: 'buy and hold sp:SPX', symbols: ['sp:SPX'] });
        // By hand: the close at or before each bar (missing days carry the last), bought at the start bar's close.
        const closeAt = (t: number): number => bclose[bts.filter(x => x <= t).length - 1]!;
        const start = result.benchmark!.startBar, cap = result.capital;
        const want = Array.from(data.ts, (t, i) => (i < start ? cap : cap * closeAt(t) / closeAt(data.ts[start]!)));
        result.series!.benchmark!.forEach((v, i) => expect(fromWire(v)).toBeCloseTo(want[i]!, 8));
        // Beta and correlation of the per-bar returns after the purchase, by the normal equations.
        const eq = result.series!.equity.map(fromWire);
        const rr: number[] = [], bb: number[] = [];
        for (let i = start + 1; i < eq.length; i++) { rr.push(eq[i]! / eq[i - 1]! - 1); bb.push(want[i]! / want[i - 1]! - 1); }
        const n = rr.length, Sx = bb.reduce((a, x) => a + x, 0), Sy = rr.reduce((a, x) => a + x, 0);
        const Sxx = bb.reduce((a, x) => a + x * x, 0), Syy = rr.reduce((a, x) => a + x * x, 0), Sxy = bb.reduce((a, x, i) => a + x * rr[i]!, 0);
        const t = result.tearsheet!.benchmark!;
        expect(fromWire(t.beta)).toBeCloseTo((n * Sxy - Sx * Sy) / (n * Sxx - Sx * Sx), 8);
        expect(fromWire(t.correlation)).toBeCloseTo((n * Sxy - Sx * Sy) / Math.sqrt((n * Sxx - Sx * Sx) * (n * Syy - Sy * Sy)), 8);
        expect(fromWire(t.totalReturn)).toBeCloseTo(want[want.length - 1]! / cap - 1, 10);

        // Bad input: unknown, starting after the run, ending before it: one line naming the series and what to do.
        const refuse = (benchmark: string, l: typeof load) => prepareRun({ kind: 'backtest', benchmark }, { compile: async () => ir, load: l });
        await expect(refuse('sp:NOPE', async r => { if (r.assets[0]!.symbol === 'NOPE') throw new DataError('no bars stored for sp:NOPE in x.duckdb; import them (af data import FILE …)'); return data; }))
            .rejects.toThrow(/^benchmark sp:NOPE: no bars stored for sp:NOPE .*af data import/);
        await expect(refuse('SPX', load)).rejects.toThrow(/benchmark: 'SPX' is not venue:SYMBOL/);
        const late = async (r: Parameters<typeof load>[0]) => { const b = await load(r); if (b === data) return b; return { ...b, ts: b.ts.map(x => x + 30 * DAY) }; };
        await expect(refuse('sp:SPX', late)).rejects.toThrow(/^benchmark sp:SPX starts \d{4}-\d\d-\d\d, after the first of the run's bars .*import its earlier bars, or start the run later \(--from /);
        const early = async (r: Parameters<typeof load>[0]) => { const b = await load(r); if (b === data) return b; const k = 200; return { ...b, ts: b.ts.slice(0, k), assets: [{ ...b.assets[0]!, close: b.assets[0]!.close.slice(0, k) }] }; };
        await expect(refuse('sp:SPX', early)).rejects.toThrow(/^benchmark sp:SPX ends .*before the last of the run's bars.*--to /);
    });

    it('a result made before tearsheets gets one in its report message, from the whole series before thinning', async () => {
        const { result } = await execute({ kind: 'backtest' }, 3000);
        const { tearsheet, ...old } = result;
        const msg = reportMessage(old, { maxPoints: 100 });
        expect(msg.result.series!.ts.length).toBeLessThanOrEqual(100);
        expect(msg.result.tearsheet).toEqual(tearsheet);
        expect(tearsheetOf(result)).toEqual(tearsheet);
    });
});
