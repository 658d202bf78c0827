/**
 * The tearsheet: what a quant reads off a run besides its metrics, computed from the run result
 * alone (run-result.ts `Tearsheet`) — benchmark statistics (alpha, beta, correlation, information
 * ratio, tracking error, up/down capture), monthly and yearly returns, rolling Sharpe / volatility / beta, the worst drawdowns, the
 * trades analysed (win rate, profit factor, expectancy, holding times, by asset and side) and a
 * sweep's metric over two params. One module for every reader: the run pipeline stores it with the
 * result, `reportMessage` (wire.ts) computes it for a result made before it, and the report panel
 * and the HTML report draw it. Pure: no DOM, no Node APIs.
 *
 * Returns are simple per-bar returns of the equity, the first measured from the starting capital,
 * annualised with the result's `metrics.periodsPerYear` — the conventions of the metrics
 * (runtime/src/engine/metrics.ts), so the tearsheet and the metrics table agree.
 */
import { fromWire, fromWireColumn, toWire, toWireColumn, type WireNumber } from './numbers.js';
import type { RunResult, RunTrade, Tearsheet, Trial } from './run-result.js';

type Nums = readonly number[];

const DAY_MS = 86_400_000;
/** Most points of a rolling series (each one computed exactly over its whole window). */
export const ROLLING_POINTS = 2000;
/** Beyond this many distinct values, a sweep param is shown in equal-width bins. */
const MAX_AXIS_VALUES = 40;
const AXIS_BINS = 20;

// ------------------------------------------------------------------------------ statistics

// Indexed loops throughout (the same additions in the same order as for…of): for…of over arrays of
// several kinds allocates an iterator result and a boxed number per element, and a run's tearsheet
// made most of its thread's garbage.

export function mean(xs: Nums): number {
    if (xs.length === 0) return NaN;
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[i]!;
    return s / xs.length;
}

/** Sample standard deviation (n − 1), as the metrics use. */
export function stdev(xs: Nums): number {
    if (xs.length < 2) return NaN;
    const m = mean(xs);
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
    return Math.sqrt(s / (xs.length - 1));
}

/** Sample covariance (n − 1). */
function covariance(a: Nums, b: Nums): number {
    if (a.length < 2) return NaN;
    const ma = mean(a), mb = mean(b);
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i]! - ma) * (b[i]! - mb);
    return s / (a.length - 1);
}

/** The largest (sign 1) or smallest (-1) of the values; NaN for none. A loop: spreading millions of trades into Math.max overflows the stack. */
function extreme(xs: Nums, sign: 1 | -1): number {
    let best = NaN;
    for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!;
        if (Number.isNaN(best) || (sign > 0 ? x > best : x < best)) best = x;
    }
    return best;
}

function median(xs: Nums): number {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Per-bar simple returns; the first from `capital`. */
export function returnsOf(equity: Nums, capital: number): number[] {
    const r: number[] = new Array<number>(equity.length);
    let prev = capital;
    for (let i = 0; i < equity.length; i++) {
        r[i] = prev !== 0 ? equity[i]! / prev - 1 : 0;
        prev = equity[i]!;
    }
    return r;
}

export interface Relative {
    readonly alpha: number;
    readonly beta: number;
    readonly correlation: number;
    readonly informationRatio: number;
    readonly trackingError: number;
    readonly upCapture: number;
    readonly downCapture: number;
}

/** Compounded return of `n` bars' returns annualised over `periodsPerYear`, from the sum of their log1p (in bar order); NaN for none. */
function annualisedOf(logSum: number, n: number, periodsPerYear: number): number {
    return n === 0 ? NaN : Math.expm1((logSum * periodsPerYear) / n);
}

/**
 * Up (down) capture: the run's annualised compounded return over the bars the benchmark rose
 * (fell), over the benchmark's own over those bars (empyrical's up_capture / down_capture). Above
 * 1 up and below 1 down is the asymmetry a manager is paid for.
 */
function capture(r: Nums, b: Nums, periodsPerYear: number, up: boolean): number {
    // The selected bars' log1p summed as they are selected, in bar order (no arrays of them).
    let n = 0, logR = 0, logB = 0;
    for (let i = 0; i < b.length; i++) {
        if (up ? b[i]! > 0 : b[i]! < 0) { n++; logR += Math.log1p(r[i]!); logB += Math.log1p(b[i]!); }
    }
    const denominator = annualisedOf(logB, n, periodsPerYear);
    return denominator !== 0 ? annualisedOf(logR, n, periodsPerYear) / denominator : NaN;
}

/** The run's per-bar returns `r` against the benchmark's `b`: regression, correlation, excess-return ratio. */
export function relativeStats(r: Nums, b: Nums, periodsPerYear: number): Relative {
    const varB = covariance(b, b), varR = covariance(r, r), cov = covariance(r, b);
    const beta = varB > 0 ? cov / varB : NaN;
    const excess = r.map((x, i) => x - b[i]!);
    const te = stdev(excess);
    return {
        beta,
        alpha: Number.isFinite(beta) ? (mean(r) - beta * mean(b)) * periodsPerYear : NaN,
        correlation: varB > 0 && varR > 0 ? cov / Math.sqrt(varB * varR) : NaN,
        informationRatio: te > 0 ? (mean(excess) / te) * Math.sqrt(periodsPerYear) : NaN,
        trackingError: te * Math.sqrt(periodsPerYear),
        upCapture: capture(r, b, periodsPerYear, true),
        downCapture: capture(r, b, periodsPerYear, false),
    };
}

// ------------------------------------------------------------------------------ calendar returns

export interface PeriodReturn { readonly key: number; readonly ret: number }

/**
 * Compounded return of each calendar period (UTC) that has a bar: the equity at the period's last
 * close over the equity at the previous period's last close (the capital for the first period).
 * `keyOf` names a bar's period (its open time decides it).
 */
export function periodReturns(ts: Nums, equity: Nums, capital: number, keyOf: (t: number) => number): PeriodReturn[] {
    const keys: number[] = [];
    for (let i = 0; i < ts.length; i++) keys.push(keyOf(ts[i]!));
    return keyedReturns(keys, equity, capital);
}

/** periodReturns with each bar's period key given (the run's and its benchmark's share them). */
function keyedReturns(keys: Nums, equity: Nums, capital: number): PeriodReturn[] {
    const out: PeriodReturn[] = [];
    let base = capital;
    for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const last = i === keys.length - 1 || keys[i + 1] !== k;
        if (!last) continue;
        out.push({ key: k, ret: base !== 0 ? equity[i]! / base - 1 : NaN });
        base = equity[i]!;
    }
    return out;
}

/**
 * Months since year 0 of a time in ms (UTC): year × 12 + month (0–11), by arithmetic (H. Hinnant's
 * civil_from_days) — the same as a Date's getUTCFullYear() * 12 + getUTCMonth(), the time truncated
 * to whole ms and NaN outside a Date's range (±8.64e15), without a Date per bar.
 */
export function monthKey(t: number): number {
    if (!(t >= -8.64e15 && t <= 8.64e15)) return NaN;
    const z = Math.floor(Math.trunc(t) / DAY_MS) + 719_468; // days since 0000-03-01
    const era = Math.floor(z / 146_097);
    const doe = z - era * 146_097; // day of the 400-year era [0, 146096]
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365); // [0, 399]
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100)); // day of the March-based year [0, 365]
    const mp = Math.floor((5 * doy + 2) / 153); // March = 0 [0, 11]
    // March..December are months 2..11 of the year; January and February 0..1 of the next.
    return (yoe + era * 400) * 12 + mp + 2;
}

export const yearKey = (t: number): number => Math.floor(monthKey(t) / 12);

/** Days since 1970-01-01 of the first day of a month (year × 12 + month, as monthKey gives): H. Hinnant's days_from_civil. */
function monthStartDay(key: number): number {
    const y0 = Math.floor(key / 12), m = key - y0 * 12; // m: 0 = January
    const y = m < 2 ? y0 - 1 : y0; // the March-based year
    const era = Math.floor(y / 400);
    const yoe = y - era * 400;
    const doy = Math.floor((153 * (m < 2 ? m + 10 : m - 2) + 2) / 5); // its first day in the March-based year
    return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/**
 * monthKey of each time: worked out once per run of times in one month (a time whose day lies in
 * the month of the previous one has its key), not per bar — a run's bars are in time order.
 */
export function monthKeys(ts: Nums): number[] {
    const out: number[] = [];
    let key = NaN, first = Infinity, next = -Infinity; // the days [first, next) of month `key`
    for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (t >= -8.64e15 && t <= 8.64e15) {
            const day = Math.floor(Math.trunc(t) / DAY_MS);
            if (day >= first && day < next) {
                out.push(key);
                continue;
            }
            key = monthKey(t);
            first = monthStartDay(key);
            next = monthStartDay(key + 1);
            out.push(key);
        } else {
            out.push(monthKey(t)); // NaN
        }
    }
    return out;
}

// ------------------------------------------------------------------------------ drawdowns

export interface Drawdown {
    /** Bar indices: the peak (-1: the starting capital, before the first bar), the trough, the recovery (-1: none). */
    readonly peak: number;
    readonly trough: number;
    readonly recovery: number;
    readonly depth: number;
}

/** Every drawdown episode (peak → trough → back at the peak), deepest first. */
export function drawdownEpisodes(equity: Nums, capital: number): Drawdown[] {
    const out: Drawdown[] = [];
    let peak = capital, peakAt = -1, trough = -1, low = Infinity;
    for (let i = 0; i < equity.length; i++) {
        const e = equity[i]!;
        if (e >= peak) {
            if (trough >= 0) out.push({ peak: peakAt, trough, recovery: i, depth: low / peak - 1 });
            peak = e; peakAt = i; trough = -1; low = Infinity;
        } else if (e < low) {
            low = e; trough = i;
        }
    }
    if (trough >= 0) out.push({ peak: peakAt, trough, recovery: -1, depth: low / peak - 1 });
    return out.filter(d => Number.isFinite(d.depth)).sort((a, b) => a.depth - b.depth);
}

// ------------------------------------------------------------------------------ rolling

export interface Rolling { readonly at: number[]; readonly sharpe: number[]; readonly volatility: number[]; readonly beta: number[] | null }

/**
 * Rolling statistics over `window` returns ending at each of at most `points` bars (evenly spaced,
 * the last bar always included). Sums over each window come from prefix sums of the returns
 * centred on their overall mean (so a long run's sums do not swamp a window's variance): O(n)
 * whatever the window, for minute bars with a half-year window too.
 */
export function rolling(r: Nums, b: Nums | null, window: number, periodsPerYear: number, points = ROLLING_POINTS): Rolling {
    const c = rollingColumns(r, b, window, periodsPerYear, points);
    return { at: Array.from(c.at), sharpe: Array.from(c.sharpe), volatility: Array.from(c.volatility), beta: c.beta ? Array.from(c.beta) : null };
}

/** `rolling` as typed arrays (the tearsheet writes them as wire numbers: no intermediate arrays of numbers). */
interface RollingColumns { readonly at: Float64Array; readonly sharpe: Float64Array; readonly volatility: Float64Array; readonly beta: Float64Array | null }

function rollingColumns(r: Nums, b: Nums | null, window: number, periodsPerYear: number, points: number): RollingColumns {
    const first = window - 1, n = r.length;
    if (window < 2 || n < window) return { at: new Float64Array(0), sharpe: new Float64Array(0), volatility: new Float64Array(0), beta: b ? new Float64Array(0) : null };
    const mr = mean(r), mb = b ? mean(b) : 0;
    // Prefix sums of the centred returns and their squares (with a benchmark: its own and the products), each as its own running sum.
    const R = new Float64Array(n + 1), RR = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
        R[i + 1] = R[i]! + (r[i]! - mr);
        RR[i + 1] = RR[i]! + (r[i]! - mr) ** 2;
    }
    const B = b ? new Float64Array(n + 1) : null, BB = b ? new Float64Array(n + 1) : null, RB = b ? new Float64Array(n + 1) : null;
    if (b && B && BB && RB) {
        for (let i = 0; i < n; i++) {
            B[i + 1] = B[i]! + (b[i]! - mb);
            BB[i + 1] = BB[i]! + (b[i]! - mb) ** 2;
            RB[i + 1] = RB[i]! + (r[i]! - mr) * (b[i]! - mb);
        }
    }
    const over = (p: Float64Array, i: number): number => p[i + 1]! - p[i + 1 - window]!;
    // The window ends: the last bar, then every `step` bars back while a whole window fits, in time order.
    const step = Math.max(1, Math.ceil((n - first) / points));
    const count = Math.floor((n - 1 - first) / step) + 1;
    const at = new Float64Array(count), sharpe = new Float64Array(count), volatility = new Float64Array(count), beta = b ? new Float64Array(count) : null;
    const annual = Math.sqrt(periodsPerYear);
    for (let k = 0; k < count; k++) {
        const i = n - 1 - (count - 1 - k) * step;
        const sr = over(R, i);
        const rawVar = (over(RR, i) - (sr * sr) / window) / (window - 1);
        // A variance within the prefix sums' rounding is none (a flat stretch: a halted strategy).
        const flat = rawVar <= (64 * Number.EPSILON * (RR[i + 1]! + RR[i + 1 - window]!)) / (window - 1);
        const sd = flat ? 0 : Math.sqrt(rawVar);
        at[k] = i;
        sharpe[k] = flat ? NaN : ((sr / window + mr) / sd) * annual;
        volatility[k] = sd * annual;
        if (B && BB && RB && beta) {
            const sb = over(B, i);
            const varB = (over(BB, i) - (sb * sb) / window) / (window - 1);
            const cov = (over(RB, i) - (sr * sb) / window) / (window - 1);
            beta[k] = varB > (64 * Number.EPSILON * (BB[i + 1]! + BB[i + 1 - window]!)) / (window - 1) ? cov / varB : NaN;
        }
    }
    return { at, sharpe, volatility, beta };
}

/** Half a year of bars (126 daily bars, as quantstats), fewer when the run is short; 0: too short to roll. */
export function rollingWindow(bars: number, periodsPerYear: number): number {
    const half = Math.max(2, Math.round(periodsPerYear / 2));
    if (bars >= 2 * half) return half;
    const w = Math.floor(bars / 4);
    return w >= 10 ? w : 0;
}

// ------------------------------------------------------------------------------ trades

type TradeSheet = NonNullable<Tearsheet['trades']>;
type TradeLike = Pick<RunTrade, 'symbol' | 'side' | 'entryTs' | 'exitTs' | 'pnl' | 'returnPct'>;

/** Holding-time bin edges: an hour, four, a day, a week, a month, a quarter, a year. */
const HOLD_EDGES = [0, 3_600_000, 4 * 3_600_000, DAY_MS, 7 * DAY_MS, 30 * DAY_MS, 91 * DAY_MS, 365 * DAY_MS, Infinity];

function group(key: string, ts: readonly { pnl: number; ret: number }[]): TradeSheet['byAsset'][number] {
    return {
        key, count: ts.length,
        pnl: toWire(ts.reduce((a, t) => a + t.pnl, 0)),
        winRate: toWire(ts.length ? ts.filter(t => t.pnl > 0).length / ts.length : NaN),
        avgReturn: toWire(mean(ts.map(t => t.ret))),
    };
}

/** `count` equal-width bins over [min, max] (one bin when all are equal). */
export function histogram(xs: Nums, count: number): { from: number; to: number; count: number }[] {
    const finite = xs.filter(Number.isFinite);
    if (finite.length === 0) return [];
    let lo = Infinity, hi = -Infinity;
    for (const x of finite) { if (x < lo) lo = x; if (x > hi) hi = x; }
    if (lo === hi) return [{ from: lo, to: hi, count: finite.length }];
    const width = (hi - lo) / count;
    const bins = Array.from({ length: count }, (_, i) => ({ from: lo + i * width, to: i === count - 1 ? hi : lo + (i + 1) * width, count: 0 }));
    for (const x of finite) bins[Math.min(count - 1, Math.floor((x - lo) / width))]!.count++;
    return bins;
}

export function tradeAnalysis(trades: readonly TradeLike[]): TradeSheet | null {
    if (trades.length === 0) return null;
    const ts = trades.map(t => ({ symbol: t.symbol, side: t.side, pnl: fromWire(t.pnl), ret: fromWire(t.returnPct), hold: t.exitTs - t.entryTs }));
    const wins = ts.filter(t => t.pnl > 0), losses = ts.filter(t => t.pnl < 0);
    const grossProfit = wins.reduce((a, t) => a + t.pnl, 0), grossLoss = -losses.reduce((a, t) => a + t.pnl, 0);
    const avgWin = mean(wins.map(t => t.pnl)), avgLoss = mean(losses.map(t => t.pnl));
    const holds = ts.map(t => t.hold);
    const maxHold = extreme(holds, 1);
    const holdBins: { from: WireNumber; to: WireNumber; count: number }[] = [];
    for (let i = 0; i + 1 < HOLD_EDGES.length && HOLD_EDGES[i]! <= maxHold; i++) {
        const from = HOLD_EDGES[i]!, to = HOLD_EDGES[i + 1]!;
        holdBins.push({ from, to: toWire(to), count: holds.filter(x => x >= from && x < to).length });
    }
    const bySymbol = new Map<string, typeof ts>();
    for (const t of ts) {
        const g = bySymbol.get(t.symbol);
        if (g) g.push(t); else bySymbol.set(t.symbol, [t]);
    }
    return {
        count: ts.length, wins: wins.length, losses: losses.length,
        winRate: toWire(wins.length / ts.length),
        profitFactor: toWire(grossLoss === 0 ? (grossProfit > 0 ? Infinity : NaN) : grossProfit / grossLoss),
        expectancy: toWire(mean(ts.map(t => t.pnl))),
        expectancyPct: toWire(mean(ts.map(t => t.ret))),
        avgWin: toWire(avgWin), avgLoss: toWire(avgLoss),
        payoffRatio: toWire(avgLoss < 0 ? avgWin / -avgLoss : NaN),
        largestWin: toWire(extreme(wins.map(t => t.pnl), 1)),
        largestLoss: toWire(extreme(losses.map(t => t.pnl), -1)),
        holdingMs: { mean: toWire(mean(holds)), median: toWire(median(holds)), max: toWire(maxHold), bins: holdBins },
        returnBins: histogram(ts.map(t => t.ret), 12).map(b => ({ from: toWire(b.from), to: toWire(b.to), count: b.count })),
        byAsset: [...bySymbol.keys()].sort().map(k => group(k, bySymbol.get(k)!)),
        bySide: (['long', 'short'] as const).map(side => group(side, ts.filter(t => t.side === side))),
    };
}

// ------------------------------------------------------------------------------ sweep

type SweepSheet = NonNullable<Tearsheet['sweep']>;

/** The axis of a param: its distinct values, or equal-width bins (their lower edges) when there are too many. */
function axisOf(values: number[]): { values: number[]; binned: boolean; index: (v: number) => number } {
    const distinct = [...new Set(values)].sort((a, b) => a - b);
    if (distinct.length <= MAX_AXIS_VALUES) return { values: distinct, binned: false, index: v => distinct.indexOf(v) };
    const lo = distinct[0]!, width = (distinct[distinct.length - 1]! - lo) / AXIS_BINS;
    return { values: Array.from({ length: AXIS_BINS }, (_, i) => lo + i * width), binned: true, index: v => Math.min(AXIS_BINS - 1, Math.floor((v - lo) / width)) };
}

/**
 * The sort metric over the two numeric params with the most distinct values: each cell the best
 * trial with those two values (best over the other params, which `others` names).
 */
export function sweepGrid(trials: readonly Trial[], sortBy: SweepSheet['metric'], chosen: Readonly<Record<string, number | boolean>>): SweepSheet | null {
    if (trials.length === 0) return null;
    const names = Object.keys(trials[0]!.params).filter(k => trials.every(t => typeof t.params[k] === 'number'));
    const varying = names.map(k => ({ k, n: new Set(trials.map(t => t.params[k])).size })).filter(x => x.n > 1).sort((a, b) => b.n - a.n);
    if (varying.length < 2) return null;
    const [xName, yName] = [varying[0]!.k, varying[1]!.k];
    const x = axisOf(trials.map(t => t.params[xName] as number)), y = axisOf(trials.map(t => t.params[yName] as number));
    const better = (a: number, b: number): boolean => (sortBy === 'maxDrawdown' ? a < b : a > b);
    const cells = y.values.map(() => x.values.map(() => NaN));
    for (const t of trials) {
        const v = fromWire(t.metrics[sortBy]);
        if (Number.isNaN(v)) continue;
        const row = cells[y.index(t.params[yName] as number)]!, i = x.index(t.params[xName] as number);
        if (Number.isNaN(row[i]!) || better(v, row[i]!)) row[i] = v;
    }
    const cx = chosen[xName], cy = chosen[yName];
    return {
        metric: sortBy,
        x: { name: xName, values: x.values, binned: x.binned },
        y: { name: yName, values: y.values, binned: y.binned },
        cells: cells.map(r => r.map(toWire)),
        others: varying.slice(2).map(v => v.k),
        chosen: { x: toWire(typeof cx === 'number' ? cx : NaN), y: toWire(typeof cy === 'number' ? cy : NaN) },
    };
}

// ------------------------------------------------------------------------------ the sheet

/** The tearsheet of a run result (its series, trades, trials and benchmark as they are in it). */
export function tearsheetOf(r: RunResult): Tearsheet {
    const ppy = fromWire(r.metrics.periodsPerYear);
    const s = r.series;
    const sheet: Tearsheet = {
        periodsPerYear: toWire(ppy), bars: s?.ts.length ?? 0,
        benchmark: null, monthly: [], yearly: [], rolling: null, drawdowns: [],
        trades: tradeAnalysis(r.trades),
        sweep: r.sweep && r.search ? sweepGrid(r.sweep.trials, r.search.sortBy, r.params) : null,
    };
    if (!s || s.ts.length === 0) return sheet;
    const ts = s.ts, equity = fromWireColumn(s.equity);
    const bench = s.benchmark ? fromWireColumn(s.benchmark) : null;
    const rets = returnsOf(equity, r.capital);
    const bRets = bench ? returnsOf(bench, r.capital) : null;

    const monthKeyOf = monthKeys(ts), yearKeys: number[] = [];
    for (let i = 0; i < monthKeyOf.length; i++) yearKeys.push(Math.floor(monthKeyOf[i]! / 12)); // yearKey
    const months = keyedReturns(monthKeyOf, equity, r.capital), bMonths = bench ? keyedReturns(monthKeyOf, bench, r.capital) : null;
    sheet.monthly = months.map((m, i) => ({
        year: Math.floor(m.key / 12), month: (m.key % 12) + 1, ret: toWire(m.ret),
        ...(bMonths ? { benchmark: toWire(bMonths[i]!.ret) } : {}),
    }));
    const years = keyedReturns(yearKeys, equity, r.capital), bYears = bench ? keyedReturns(yearKeys, bench, r.capital) : null;
    sheet.yearly = years.map((y, i) => ({ year: y.key, ret: toWire(y.ret), ...(bYears ? { benchmark: toWire(bYears[i]!.ret) } : {}) }));

    sheet.drawdowns = drawdownEpisodes(equity, r.capital).slice(0, 5).map(d => {
        const start = d.peak >= 0 ? d.peak : 0, end = d.recovery >= 0 ? d.recovery : ts.length - 1;
        return {
            start: ts[start]!, trough: ts[d.trough]!, recovery: d.recovery >= 0 ? ts[d.recovery]! : null,
            depth: toWire(d.depth), bars: end - start, days: toWire((ts[end]! - ts[start]!) / DAY_MS),
        };
    });

    // Statistics against the benchmark over the bars after it bought (before, both hold cash).
    const from = Math.min(ts.length, (r.benchmark?.startBar ?? 0) + 1);
    if (bench && bRets && Number.isFinite(ppy)) {
        const rr = rets.slice(from), bb = bRets.slice(from);
        const rel = relativeStats(rr, bb, ppy);
        const bsd = stdev(bb);
        const worst = drawdownEpisodes(bench, r.capital)[0]?.depth ?? 0;
        sheet.benchmark = {
            name: r.benchmark?.name ?? 'benchmark',
            totalReturn: toWire(bench[bench.length - 1]! / r.capital - 1),
            annualVolatility: toWire(bsd * Math.sqrt(ppy)),
            sharpe: toWire(bsd > 0 ? (mean(bb) / bsd) * Math.sqrt(ppy) : NaN),
            maxDrawdown: toWire(-worst),
            alpha: toWire(rel.alpha), beta: toWire(rel.beta), correlation: toWire(rel.correlation),
            informationRatio: toWire(rel.informationRatio), trackingError: toWire(rel.trackingError),
            upCapture: toWire(rel.upCapture), downCapture: toWire(rel.downCapture),
        };
    }
    const window = Number.isFinite(ppy) ? rollingWindow(rets.length - (r.warmupBars > 0 ? r.warmupBars : 0), ppy) : 0;
    if (window > 0) {
        // Past the warm-up (its flat equity is no return of the strategy's).
        const skip = Math.min(r.warmupBars, rets.length);
        const roll = rollingColumns(rets.slice(skip), bRets ? bRets.slice(skip) : null, window, ppy, ROLLING_POINTS);
        const at: number[] = [];
        for (let k = 0; k < roll.at.length; k++) at.push(ts[roll.at[k]! + skip]!);
        sheet.rolling = { window, ts: at, sharpe: toWireColumn(roll.sharpe), volatility: toWireColumn(roll.volatility), beta: roll.beta ? toWireColumn(roll.beta) : null };
    }
    return sheet;
}
