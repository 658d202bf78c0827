/**
 * Performance metrics of a backtest, in one place, with the definitions written next to the code.
 * Returns are simple per-bar returns of the equity curve, the first
 * one measured from the starting capital. Annualisation uses the bars per year of the data:
 * 252 for daily bars of a weekday calendar, otherwise calendar time / bar spacing.
 */

export interface MetricsInput {
    /** Bar open times (ms). */
    readonly ts: Float64Array;
    /** Equity at each bar's close. */
    readonly equity: Float64Array;
    /** Starting capital (the base of the first return). Default: equity[0]. */
    readonly capital?: number;
    /** Gross exposure at each close as a fraction of equity. */
    readonly exposure?: Float64Array;
    readonly trades: readonly { readonly pnl: number; readonly returnPct: number }[] | TradeColumns;
    readonly fills?: readonly { readonly qty: number; readonly price: number }[];
    /** Σ |qty × price| of the fills, when the caller has it (then `fills` is not read). */
    readonly tradedValue?: number;
    /** The returns of `equity` from `capital` (returnsOf), when the caller has them already. */
    readonly returns?: Float64Array;
    readonly periodsPerYear?: number;
    /** Annual risk-free rate (fraction). Default 0. */
    readonly riskFree?: number;
}

import type { Metrics } from '../../../protocol/src/metrics.js';

/** Trades as rows of numbers (the compiled engine's trade log): trade i's P&L at rows[i × stride + pnlAt], its return at … + returnAt. */
export interface TradeColumns {
    readonly length: number;
    readonly rows: Float64Array;
    readonly stride: number;
    readonly pnlAt: number;
    readonly returnAt: number;
}

export type { Metrics };

export const YEAR_MS = 365.25 * 86_400_000;

/**
 * Bars per year: 252 for daily weekday data, else calendar year / median spacing. Computed for
 * every run (a small run's noticeable share): the gaps sorted as a typed array (numeric order, no
 * comparator calls) and each bar's weekday by arithmetic (no Date per bar) — the same figure as
 * sorting with (a, b) => a − b and Date's getUTCDay(), which `referencePeriodsPerYear` keeps for
 * the gaps where the two orders could differ (NaN, −0).
 */
export function inferPeriodsPerYear(ts: Float64Array): number {
    if (ts.length < 2) return 252;
    const gaps = new Float64Array(ts.length - 1);
    for (let i = 1; i < ts.length; i++) {
        const g = ts[i]! - ts[i - 1]!;
        if (g !== g || (g === 0 && 1 / g < 0)) return referencePeriodsPerYear(ts);
        gaps[i - 1] = g;
    }
    gaps.sort();
    const spacing = gaps[gaps.length >> 1]!;
    if (spacing >= 20 * 3_600_000 && spacing <= 4 * 86_400_000) {
        let weekend = 0;
        for (let i = 0; i < ts.length; i++) { const d = utcWeekday(ts[i]!); if (d === 0 || d === 6) weekend++; }
        if (weekend / ts.length < 0.01) return 252;
    }
    return YEAR_MS / spacing;
}

/** new Date(t).getUTCDay() (0 = Sunday) without the Date: NaN outside a Date's range (±8.64e15 ms). */
export function utcWeekday(t: number): number {
    if (!(t >= -8.64e15 && t <= 8.64e15)) return NaN;
    const r = (Math.floor(Math.trunc(t) / 86_400_000) + 4) % 7; // 1970-01-01 was a Thursday
    return r < 0 ? r + 7 : r + 0; // + 0: never −0
}

/** inferPeriodsPerYear as first written (number[] sorted by comparator, a Date per bar): the definition the fast one matches. */
export function referencePeriodsPerYear(ts: Float64Array): number {
    if (ts.length < 2) return 252;
    const gaps: number[] = [];
    for (let i = 1; i < ts.length; i++) gaps.push(ts[i]! - ts[i - 1]!);
    gaps.sort((a, b) => a - b);
    const spacing = gaps[Math.floor(gaps.length / 2)]!;
    if (spacing >= 20 * 3_600_000 && spacing <= 4 * 86_400_000) {
        let weekend = 0;
        for (let i = 0; i < ts.length; i++) { const d = new Date(ts[i]!).getUTCDay(); if (d === 0 || d === 6) weekend++; }
        if (weekend / ts.length < 0.01) return 252;
    }
    return YEAR_MS / spacing;
}

/** Simple per-bar returns of `equity`, the first from `capital` (into `r` when given, which must be as long). */
export function returnsOf(equity: Float64Array, capital: number, r: Float64Array = new Float64Array(equity.length)): Float64Array {
    let prev = capital;
    for (let i = 0; i < equity.length; i++) {
        r[i] = prev !== 0 ? equity[i]! / prev - 1 : 0;
        prev = equity[i]!;
    }
    return r;
}

export function drawdownCurve(equity: Float64Array, capital?: number): Float64Array {
    const dd = new Float64Array(equity.length);
    let peak = capital ?? -Infinity;
    for (let i = 0; i < equity.length; i++) {
        if (equity[i]! > peak) peak = equity[i]!;
        dd[i] = peak > 0 ? equity[i]! / peak - 1 : 0;
    }
    return dd;
}

export function computeMetrics(m: MetricsInput): Metrics {
    const { ts, equity } = m;
    const T = equity.length;
    const capital = m.capital ?? equity[0] ?? 0;
    const ppy = m.periodsPerYear ?? inferPeriodsPerYear(ts);
    const r = m.returns ?? returnsOf(equity, capital);
    const last = T > 0 ? equity[T - 1]! : capital;
    const totalReturn = capital !== 0 ? last / capital - 1 : 0;
    const years = T > 1 ? (ts[T - 1]! - ts[0]!) / YEAR_MS : 0;
    const cagr = years > 0 && last > 0 && capital > 0 ? (last / capital) ** (1 / years) - 1 : NaN;

    // One pass over the bars for the sums that need no mean: the returns' sum, the drawdown, the
    // equity's sum. Each sum adds the same values in the same order as a loop of its own would
    // (the results are bit for bit those), in a third of the passes; a sweep computes these for
    // every trial. Indexed loops: for…of over a typed array costs several times as much.
    const n = r.length;
    const fused = n === T;
    let sum = 0, eqSum = 0;
    // Drawdown depth and the longest peak-to-recovery span.
    let peak = capital, peakAt = -1, maxDd = 0, longest = 0, longestMs = 0;
    for (let i = 0; i < T; i++) {
        const e = equity[i]!;
        if (fused) sum += r[i]!;
        eqSum += e;
        if (e >= peak) {
            const span = i - peakAt - 1;
            if (span > longest) { longest = span; longestMs = (ts[i]! - (peakAt >= 0 ? ts[peakAt]! : ts[0]!)); }
            peak = e; peakAt = i;
        } else if (peak > 0) {
            maxDd = Math.max(maxDd, (peak - e) / peak);
        }
    }
    if (!fused) for (let i = 0; i < n; i++) sum += r[i]!;
    // Moments of per-bar returns (sample stdev, n − 1).
    const mu = n > 0 ? sum / n : 0;
    let s2 = 0, s3 = 0, s4 = 0, down = 0;
    for (let i = 0; i < n; i++) {
        const x = r[i]!, d = x - mu;
        s2 += d * d; s3 += d * d * d; s4 += d * d * d * d;
        if (x < 0) down += x * x;
    }
    const sd = n > 1 ? Math.sqrt(s2 / (n - 1)) : NaN;
    const popVar = n > 0 ? s2 / n : NaN;
    const rfPer = (m.riskFree ?? 0) / ppy;
    const periodSharpe = sd > 0 ? (mu - rfPer) / sd : NaN;
    const downsideDev = n > 0 ? Math.sqrt(down / n) : NaN;

    if (T > 0 && equity[T - 1]! < peak) {
        const span = T - 1 - peakAt;
        if (span > longest) { longest = span; longestMs = ts[T - 1]! - (peakAt >= 0 ? ts[peakAt]! : ts[0]!); }
    }

    // Trade sums in trade order (the same additions as filter/reduce over the objects).
    const trades = 'rows' in m.trades ? m.trades : columnsOf(m.trades);
    const nTrades = trades.length, rows = trades.rows, stride = trades.stride, pnlAt = trades.pnlAt, returnAt = trades.returnAt;
    let wins = 0, grossProfit = 0, negatives = 0, pnlSum = 0, returnSum = 0;
    for (let i = 0; i < nTrades; i++) {
        const p = rows[i * stride + pnlAt]!;
        if (p > 0) { wins++; grossProfit += p; } else if (p < 0) negatives += p;
        pnlSum += p;
        returnSum += rows[i * stride + returnAt]!;
    }
    const grossLoss = -negatives;
    const profitFactor = nTrades === 0 ? NaN : grossLoss === 0 ? (grossProfit > 0 ? Infinity : NaN) : grossProfit / grossLoss;

    let exposed = 0, expoSum = 0;
    const ex = m.exposure;
    if (ex) for (let i = 0; i < ex.length; i++) { const x = ex[i]!; if (x > 0) exposed++; expoSum += x; }
    let traded = 0;
    if (m.tradedValue !== undefined) traded = m.tradedValue;
    else for (const f of m.fills ?? []) traded += Math.abs(f.qty * f.price);
    const meanEquity = T > 0 ? eqSum / T : capital;

    return {
        totalReturn, cagr,
        annualVolatility: sd * Math.sqrt(ppy),
        sharpe: periodSharpe * Math.sqrt(ppy),
        sortino: downsideDev > 0 ? ((mu - rfPer) / downsideDev) * Math.sqrt(ppy) : NaN,
        maxDrawdown: maxDd,
        maxDrawdownBars: longest,
        maxDrawdownMs: longestMs,
        calmar: maxDd > 0 ? cagr / maxDd : NaN,
        winRate: nTrades ? wins / nTrades : NaN,
        profitFactor,
        avgTradePnl: nTrades ? pnlSum / nTrades : NaN,
        avgTradeReturn: nTrades ? returnSum / nTrades : NaN,
        exposure: m.exposure && T ? exposed / T : NaN,
        avgExposure: m.exposure && T ? expoSum / T : NaN,
        turnover: years > 0 && meanEquity > 0 ? traded / meanEquity / years : NaN,
        tradeCount: nTrades,
        periodsPerYear: ppy, years, bars: T,
        periodSharpe,
        skew: popVar > 0 ? s3 / n / popVar ** 1.5 : NaN,
        kurtosis: popVar > 0 ? s4 / n / (popVar * popVar) : NaN,
    };
}

function columnsOf(trades: readonly { readonly pnl: number; readonly returnPct: number }[]): TradeColumns {
    const rows = new Float64Array(trades.length * 2);
    trades.forEach((t, i) => { rows[2 * i] = t.pnl; rows[2 * i + 1] = t.returnPct; });
    return { length: trades.length, rows, stride: 2, pnlAt: 0, returnAt: 1 };
}

// ----------------------------------------------------------------------------- normal distribution

/** Standard normal CDF (Hart 1968 / West 2005 double-precision rational approximation). */
export function normCdf(x: number): number {
    const a = Math.abs(x);
    let c: number;
    if (a > 37) c = 0;
    else {
        const e = Math.exp((-a * a) / 2);
        if (a < 7.07106781186547) {
            let b = 3.52624965998911e-2 * a + 0.700383064443688;
            b = b * a + 6.37396220353165; b = b * a + 33.912866078383; b = b * a + 112.079291497871;
            b = b * a + 221.213596169931; b = b * a + 220.206867912376;
            c = e * b;
            b = 8.83883476483184e-2 * a + 1.75566716318264;
            b = b * a + 16.064177579207; b = b * a + 86.7807322029461; b = b * a + 296.564248779674;
            b = b * a + 637.333633378831; b = b * a + 793.826512519948; b = b * a + 440.413735824752;
            c /= b;
        } else {
            let b = a + 0.65;
            b = a + 4 / b; b = a + 3 / b; b = a + 2 / b; b = a + 1 / b;
            c = e / b / 2.506628274631;
        }
    }
    return x > 0 ? 1 - c : c;
}

/** Inverse standard normal CDF (Acklam's algorithm refined by one Halley step). */
export function normInv(p: number): number {
    if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
    const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
    const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    const lo = 0.02425;
    let x: number;
    if (p < lo) {
        const q = Math.sqrt(-2 * Math.log(p));
        x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    } else if (p <= 1 - lo) {
        const q = p - 0.5, r = q * q;
        x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
    } else {
        const q = Math.sqrt(-2 * Math.log(1 - p));
        x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    }
    const e = normCdf(x) - p;
    const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
    return x - u / (1 + (x * u) / 2);
}

const EULER_GAMMA = 0.5772156649015329;

export interface DeflatedSharpeInput {
    /** Per-period (not annualised) Sharpe ratio of the selected trial. */
    readonly sharpe: number;
    /** Number of independent trials. */
    readonly trials: number;
    /** Variance of the per-period Sharpe ratios across the trials. */
    readonly sharpeVariance: number;
    /** Skewness and (non-excess) kurtosis of the selected trial's returns. */
    readonly skew: number;
    readonly kurtosis: number;
    /** Number of returns. */
    readonly observations: number;
}

/**
 * Deflated Sharpe ratio (Bailey & López de Prado 2014): the probability that the true Sharpe of
 * the best of N trials exceeds the Sharpe expected from the maximum of N unskilled trials,
 * E[max] = √V · ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e))), corrected for skewness and kurtosis:
 * DSR = Φ((SR − E[max]) √(T − 1) / √(1 − skew·SR + (kurt − 1)/4 · SR²)).
 */
export function deflatedSharpe(x: DeflatedSharpeInput): { dsr: number; expectedMaxSharpe: number } {
    const n = Math.max(1, x.trials);
    const sd = Math.sqrt(Math.max(0, x.sharpeVariance));
    const expectedMaxSharpe = n < 2 ? 0 : sd * ((1 - EULER_GAMMA) * normInv(1 - 1 / n) + EULER_GAMMA * normInv(1 - 1 / (n * Math.E)));
    const denom = 1 - x.skew * x.sharpe + ((x.kurtosis - 1) / 4) * x.sharpe * x.sharpe;
    if (!(denom > 0) || x.observations < 2) return { dsr: NaN, expectedMaxSharpe };
    const z = ((x.sharpe - expectedMaxSharpe) * Math.sqrt(x.observations - 1)) / Math.sqrt(denom);
    return { dsr: normCdf(z), expectedMaxSharpe };
}
