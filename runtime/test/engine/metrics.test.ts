/** Metrics against hand calculations on tiny series; normal CDF / inverse and DSR against independent values. */
import { describe, expect, it } from 'vitest';
import { computeMetrics, deflatedSharpe, drawdownCurve, inferPeriodsPerYear, normCdf, normInv, referencePeriodsPerYear, utcWeekday } from '../../src/engine/metrics.js';

const DAY = 86_400_000;
// Five weekdays: Mon 2024-01-01 … Fri 2024-01-05.
const ts = Float64Array.from([0, 1, 2, 3, 4], i => Date.UTC(2024, 0, 1) + i * DAY);

describe('metrics', () => {
    // Capital 100; equity 110, 99, 99, 121, 110 → returns +10%, −10%, 0%, +22.2…%, −9.09…%
    const equity = Float64Array.from([110, 99, 99, 121, 110]);
    const m = computeMetrics({
        ts, equity, capital: 100, periodsPerYear: 252,
        exposure: Float64Array.from([1, 1, 0, 0.5, 0]),
        trades: [{ pnl: 10, returnPct: 0.1 }, { pnl: -11, returnPct: -0.1 }, { pnl: 22, returnPct: 0.2 }],
        fills: [{ qty: 1, price: 100 }, { qty: -1, price: 110 }],
    });
    const r = [0.1, -0.1, 0, 121 / 99 - 1, 110 / 121 - 1];

    it('total return and CAGR', () => {
        expect(m.totalReturn).toBeCloseTo(0.1, 12);
        // 4 days = 4 / 365.25 years: 1.1^(365.25/4) − 1
        expect(m.cagr).toBeCloseTo(1.1 ** (365.25 / 4) - 1, 6);
    });
    it('volatility, Sharpe and Sortino from per-bar returns', () => {
        const mean = r.reduce((a, b) => a + b, 0) / 5;
        const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
        expect(m.annualVolatility).toBeCloseTo(sd * Math.sqrt(252), 12);
        expect(m.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 12);
        const dd = Math.sqrt((0.01 + (110 / 121 - 1) ** 2) / 5);
        expect(m.sortino).toBeCloseTo((mean / dd) * Math.sqrt(252), 10);
    });
    it('max drawdown and its duration', () => {
        // Peak 110 → trough 99: 10%; new peak 121 → 110: 9.09%. Longest span: 110 (bar 0) … recovered at bar 3 → 2 bars under water.
        expect(m.maxDrawdown).toBeCloseTo(0.1, 12);
        expect(m.maxDrawdownBars).toBe(2);
        expect(m.maxDrawdownMs).toBe(3 * DAY);
        expect(m.calmar).toBeCloseTo(m.cagr / 0.1, 8);
        expect(Array.from(drawdownCurve(equity, 100)).map(x => +x.toFixed(6))).toEqual([0, -0.1, -0.1, 0, +(110 / 121 - 1).toFixed(6)]);
    });
    it('trade statistics', () => {
        expect(m.winRate).toBeCloseTo(2 / 3, 12);
        expect(m.profitFactor).toBeCloseTo(32 / 11, 12);
        expect(m.avgTradePnl).toBeCloseTo(7, 12);
        expect(m.avgTradeReturn).toBeCloseTo(0.2 / 3, 12);
        expect(m.tradeCount).toBe(3);
    });
    it('exposure and turnover', () => {
        expect(m.exposure).toBeCloseTo(3 / 5, 12);
        expect(m.avgExposure).toBeCloseTo(2.5 / 5, 12);
        // traded 210 over mean equity 107.8 over 4/365.25 years
        expect(m.turnover).toBeCloseTo(210 / 107.8 / (4 / 365.25), 8);
    });
    it('edge cases: no trades, no losses', () => {
        const z = computeMetrics({ ts, equity: Float64Array.from([100, 100, 100, 100, 100]), capital: 100, trades: [] });
        expect(z.profitFactor).toBeNaN();
        expect(z.sharpe).toBeNaN();
        expect(z.maxDrawdown).toBe(0);
        expect(computeMetrics({ ts, equity, capital: 100, trades: [{ pnl: 5, returnPct: 0.05 }] }).profitFactor).toBe(Infinity);
    });
    it('periods per year: 252 for weekday daily data, 365.25 × 24 for hourly', () => {
        expect(inferPeriodsPerYear(ts)).toBe(252);
        const hourly = Float64Array.from({ length: 100 }, (_, i) => i * 3_600_000);
        expect(inferPeriodsPerYear(hourly)).toBeCloseTo(365.25 * 24, 9);
    });
    it('periods per year without a Date per bar or a sort comparator: the figure of the Date-based definition, whatever the bars', () => {
        let seed = 11;
        const u = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
        const series = (n: number, start: number, gap: () => number): Float64Array => {
            const out = new Float64Array(n);
            let t = start;
            for (let i = 0; i < n; i++) { out[i] = t; t += gap(); }
            return out;
        };
        const weekdays = Float64Array.from({ length: 600 }, (_, i) => Date.UTC(2001, 0, 1) + (Math.floor(i / 5) * 7 + (i % 5)) * DAY);
        const cases: Float64Array[] = [
            weekdays,
            Float64Array.from(weekdays, t => t - 40 * 365 * DAY), // before 1970
            series(700, Date.UTC(2015, 2, 3), () => DAY), // every day: weekends are bars
            series(500, Date.UTC(2020, 0, 1, 13, 30), () => (u() < 0.9 ? DAY : 3 * DAY) + (u() < 0.5 ? 0.5 : 0)), // fractional ms, gaps
            series(300, -DAY * 10, () => 4 * 3_600_000 * (1 + Math.floor(u() * 3))),
            series(50, 8.64e15 - 40 * DAY, () => DAY), // past a Date's range at the end
            Float64Array.from([0, -0, 0, DAY, 2 * DAY]), // −0: the reference's order
            Float64Array.from([DAY, NaN, 3 * DAY, 4 * DAY, 5 * DAY]),
            Float64Array.from([5 * DAY, 4 * DAY, 3 * DAY, 2 * DAY]), // descending: negative gaps
            Float64Array.from([Date.UTC(2024, 0, 6)]),
        ];
        for (const c of cases) expect(inferPeriodsPerYear(c), String(c.slice(0, 3))).toBe(referencePeriodsPerYear(c));
        for (const t of [0, -0, -1, 1, -DAY, -DAY - 1, 0.5, -0.5, Date.UTC(1969, 11, 28, 23, 59), Date.UTC(2024, 1, 29), 8.64e15, -8.64e15, 8.64e15 + 1, NaN, Infinity, ...Array.from({ length: 2000 }, () => (u() - 0.5) * 1.7e16)]) {
            const want = new Date(t).getUTCDay();
            expect(Object.is(utcWeekday(t), want) || (Number.isNaN(want) && Number.isNaN(utcWeekday(t))), String(t)).toBe(true);
        }
    });
});

describe('normal distribution and deflated Sharpe (reference values from Python statistics.NormalDist)', () => {
    it('normCdf', () => {
        expect(normCdf(1.96)).toBeCloseTo(0.9750021048517796, 14);
        expect(normCdf(-1)).toBeCloseTo(0.15865525393145707, 14);
        expect(normCdf(3.5)).toBeCloseTo(0.9997673709209645, 14);
        expect(normCdf(0)).toBe(0.5);
    });
    it('normInv', () => {
        expect(normInv(0.975)).toBeCloseTo(1.9599639845400536, 12);
        expect(normInv(0.001)).toBeCloseTo(-3.090232306167813, 11);
        expect(normInv(0.999)).toBeCloseTo(3.090232306167813, 11);
    });
    it('deflated Sharpe of the best of 100 trials', () => {
        // V = 0.02², N = 100 → E[max] = 0.050612057864033694; SR 0.08, T 1000, skew −0.3, kurt 5 → DSR 0.819919615057027
        const r = deflatedSharpe({ sharpe: 0.08, trials: 100, sharpeVariance: 0.02 ** 2, skew: -0.3, kurtosis: 5, observations: 1000 });
        expect(r.expectedMaxSharpe).toBeCloseTo(0.050612057864033694, 10);
        expect(r.dsr).toBeCloseTo(0.819919615057027, 8);
    });
});
