/**
 * The mid-frequency pack's functions for the reference interpreter, each written the obvious way
 * from its definition (language/src/catalogue/mid-frequency-pack.ts): the value at bar t is
 * recomputed from the inputs' whole histories, with plain loops and no running state. O(t) per bar,
 * fine for a reference. compiled.ts computes the same values incrementally.
 *
 * Undefined inputs: the value at a bar where any input is undefined is undefined, and the other
 * bars are taken as if those bars did not exist (`definedRows`).
 */
import { BacktestError } from '../../types.js';
import { lengthArg, num, type Val } from '../../reference/functions.js';
import type { FieldName } from '../../compiled/scope.js';
import type { ReferenceCall, ReferenceFunction } from '../hook.js';

type Cols = readonly (readonly number[])[];

/**
 * The inputs (series arguments `series`, then the bar fields `reads`) over bars 0 … t, keeping only
 * the bars where all are defined; undefined when bar t is not one of them.
 */
function definedRows(c: ReferenceCall, series: readonly number[], reads: readonly FieldName[]): number[][] | undefined {
    const hists: (readonly Val[])[] = [...series.map(k => c.hist(k)), ...reads.map(f => c.column(f))];
    const cols: number[][] = hists.map(() => []);
    for (let i = 0; i <= c.t; i++) {
        const row = hists.map(h => num(h[i]));
        if (row.some(v => v === undefined)) {
            if (i === c.t) return undefined;
            continue;
        }
        row.forEach((v, k) => cols[k]!.push(v!));
    }
    return cols;
}

const maxOf = (xs: readonly number[], from: number, to: number) => { let m = -Infinity; for (let i = from; i <= to; i++) m = Math.max(m, xs[i]!); return m; };
const minOf = (xs: readonly number[], from: number, to: number) => { let m = Infinity; for (let i = from; i <= to; i++) m = Math.min(m, xs[i]!); return m; };
const meanOf = (xs: readonly number[], from: number, to: number) => { let s = 0; for (let i = from; i <= to; i++) s += xs[i]!; return s / (to - from + 1); };

/** Wilder's true range of bar i ≥ 1. */
const trueRange = ([h, l, c]: Cols, i: number) => Math.max(h![i]! - l![i]!, Math.abs(h![i]! - c![i - 1]!), Math.abs(l![i]! - c![i - 1]!));

/** Wilder's ATR at every bar (undefined before bar n): the mean of TR_1..TR_n, then (atr × (n − 1) + TR) / n. */
function atrSeries(cols: Cols, n: number): (number | undefined)[] {
    const out: (number | undefined)[] = [undefined];
    let atr = 0;
    for (let i = 1; i < cols[0]!.length; i++) {
        if (i < n) { out.push(undefined); continue; }
        if (i === n) {
            atr = 0;
            for (let j = 1; j <= n; j++) atr += trueRange(cols, j);
            atr /= n;
        } else {
            atr = (atr * (n - 1) + trueRange(cols, i)) / n;
        }
        out.push(atr);
    }
    return out;
}

/** +DI, −DI and ADX at the last bar, from Wilder's sums over the whole history. */
function directional(cols: Cols, n: number): { plus?: number; minus?: number; adx?: number } {
    const [h, l] = cols as [number[], number[]];
    const T = h.length - 1;
    if (T < n) return {};
    const tr: number[] = [], pdm: number[] = [], mdm: number[] = [];
    for (let i = 1; i <= T; i++) {
        const up = h[i]! - h[i - 1]!, down = l[i - 1]! - l[i]!;
        tr.push(trueRange(cols, i));
        pdm.push(up > down && up > 0 ? up : 0);
        mdm.push(down > up && down > 0 ? down : 0);
    }
    // Wilder's sums: the first is the plain sum of n values; then S − S/n + x.
    const wilderSum = (xs: number[]) => {
        const out: number[] = [];
        let s = 0;
        xs.forEach((x, i) => {
            if (i < n) { s += x; if (i === n - 1) out.push(s); } else { s = s - s / n + x; out.push(s); }
        });
        return out;
    };
    const str = wilderSum(tr), sp = wilderSum(pdm), sm = wilderSum(mdm);
    const di = str.map((s, i) => [s > 0 ? (100 * sp[i]!) / s : 0, s > 0 ? (100 * sm[i]!) / s : 0] as const);
    const dx = di.map(([p, m]) => (p + m > 0 ? (100 * Math.abs(p - m)) / (p + m) : 0));
    const [plus, minus] = di.at(-1)!;
    if (dx.length < n) return { plus, minus };
    let adx = meanOf(dx, 0, n - 1);
    for (let i = n; i < dx.length; i++) adx = (adx * (n - 1) + dx[i]!) / n;
    return { plus, minus, adx };
}

/** Raw stochastic %K at bar i (window of k bars ending there). */
function rawK([h, l, c]: Cols, i: number, k: number): number {
    const hh = maxOf(h!, i - k + 1, i), ll = minOf(l!, i - k + 1, i);
    return hh > ll ? (100 * (c![i]! - ll)) / (hh - ll) : 50;
}

function stoch(cols: Cols, k: number, d: number, smooth: number, output: string): number | undefined {
    const T = cols[0]!.length - 1;
    if (T < k + smooth + d - 3) return undefined;
    const pctK = (i: number) => { let s = 0; for (let j = i - smooth + 1; j <= i; j++) s += rawK(cols, j, k); return s / smooth; };
    if (output === 'k') return pctK(T);
    let s = 0;
    for (let i = T - d + 1; i <= T; i++) s += pctK(i);
    return s / d;
}

function cci([h, l, c]: Cols, n: number): number | undefined {
    const T = h!.length - 1;
    if (T < n - 1) return undefined;
    const tp: number[] = [];
    for (let i = T - n + 1; i <= T; i++) tp.push((h![i]! + l![i]! + c![i]!) / 3);
    const mean = meanOf(tp, 0, n - 1);
    let dev = 0;
    for (const x of tp) dev += Math.abs(x - mean);
    dev /= n;
    return dev > 0 ? (tp[n - 1]! - mean) / (0.015 * dev) : 0;
}

function obv([c, v]: Cols): number {
    let total = 0;
    for (let i = 1; i < c!.length; i++) total += c![i]! > c![i - 1]! ? v![i]! : c![i]! < c![i - 1]! ? -v![i]! : 0;
    return total;
}

function vwap([h, l, c, v]: Cols, n: number): number | undefined {
    const T = h!.length - 1;
    if (T < n - 1) return undefined;
    let pv = 0, vol = 0;
    for (let i = T - n + 1; i <= T; i++) { pv += ((h![i]! + l![i]! + c![i]!) / 3) * v![i]!; vol += v![i]!; }
    return vol > 0 ? pv / vol : undefined;
}

/** EMA of xs at its last index: the mean of the first n values, then alpha = 2 / (n + 1). */
function emaLast(xs: readonly number[], n: number): number | undefined {
    if (xs.length < n) return undefined;
    let e = meanOf(xs, 0, n - 1);
    for (let i = n; i < xs.length; i++) e += (2 / (n + 1)) * (xs[i]! - e);
    return e;
}

function keltner(cols: Cols, n: number, mult: number, atrN: number, output: string): number | undefined {
    const mid = emaLast(cols[2]!, n), atr = atrSeries(cols, atrN).at(-1);
    if (mid === undefined || atr === undefined) return undefined;
    return output === 'mid' ? mid : output === 'upper' ? mid + mult * atr : mid - mult * atr;
}

function supertrend(cols: Cols, n: number, mult: number): number | undefined {
    const [h, l, c] = cols as [number[], number[], number[]];
    const atr = atrSeries(cols, n);
    let upper = NaN, lower = NaN, up = false;
    for (let i = n; i < h.length; i++) {
        const mid = (h[i]! + l[i]!) / 2, bu = mid + mult * atr[i]!, bl = mid - mult * atr[i]!;
        if (i === n) {
            upper = bu; lower = bl; up = c[i]! > bu;
            continue;
        }
        // The bands trail: the upper only falls and the lower only rises while the previous close stayed inside them.
        upper = bu < upper || c[i - 1]! > upper ? bu : upper;
        lower = bl > lower || c[i - 1]! < lower ? bl : lower;
        if (up && c[i]! < lower) up = false;
        else if (!up && c[i]! > upper) up = true;
    }
    if (h.length - 1 < n) return undefined;
    return up ? lower : upper;
}

function kama([x]: Cols, n: number, fast: number, slow: number): number | undefined {
    const T = x!.length - 1;
    if (T < n) return undefined;
    const fa = 2 / (fast + 1), sa = 2 / (slow + 1);
    let k = x![n - 1]!;
    for (let t = n; t <= T; t++) {
        let vol = 0;
        for (let i = t - n + 1; i <= t; i++) vol += Math.abs(x![i]! - x![i - 1]!);
        const er = vol > 0 ? Math.abs(x![t]! - x![t - n]!) / vol : 0;
        const sc = (er * (fa - sa) + sa) ** 2;
        k += sc * (x![t]! - k);
    }
    return k;
}

function donchian([h, l]: Cols, n: number, output: string): number | undefined {
    const T = h!.length - 1;
    if (T < n - 1) return undefined;
    const upper = maxOf(h!, T - n + 1, T), lower = minOf(l!, T - n + 1, T);
    return output === 'upper' ? upper : output === 'lower' ? lower : (upper + lower) / 2;
}

function ichimoku([h, l]: Cols, tenkan: number, kijun: number, senkou: number, shift: number, output: string): number | undefined {
    const T = h!.length - 1;
    if (T < Math.max(tenkan, kijun, senkou) - 1 + shift) return undefined;
    const midpoint = (i: number, n: number) => (maxOf(h!, i - n + 1, i) + minOf(l!, i - n + 1, i)) / 2;
    switch (output) {
        case 'tenkan': return midpoint(T, tenkan);
        case 'kijun': return midpoint(T, kijun);
        case 'span_a': return (midpoint(T - shift, tenkan) + midpoint(T - shift, kijun)) / 2;
        case 'span_b': return midpoint(T - shift, senkou);
        default: throw new BacktestError(`ichimoku() has no output '${output}'`);
    }
}

function williamsR([h, l, c]: Cols, n: number): number | undefined {
    const T = h!.length - 1;
    if (T < n - 1) return undefined;
    const hh = maxOf(h!, T - n + 1, T), ll = minOf(l!, T - n + 1, T);
    return hh > ll ? (-100 * (hh - c![T]!)) / (hh - ll) : -50;
}

function mfi([h, l, c, v]: Cols, n: number): number | undefined {
    const T = h!.length - 1;
    if (T < n) return undefined;
    const tp = (i: number) => (h![i]! + l![i]! + c![i]!) / 3;
    let pos = 0, neg = 0;
    for (let i = T - n + 1; i <= T; i++) {
        if (tp(i) > tp(i - 1)) pos += tp(i) * v![i]!;
        else if (tp(i) < tp(i - 1)) neg += tp(i) * v![i]!;
    }
    return pos + neg > 0 ? (100 * pos) / (pos + neg) : 50;
}

function volatility([c]: Cols, n: number): number | undefined {
    const T = c!.length - 1;
    if (T < n) return undefined;
    const r: number[] = [];
    for (let i = T - n + 1; i <= T; i++) r.push(Math.log(c![i]! / c![i - 1]!));
    const m = meanOf(r, 0, n - 1);
    let ss = 0;
    for (const x of r) ss += (x - m) * (x - m);
    return Math.sqrt(ss / n);
}

function volumeRatio([v]: Cols, n: number, base: number): number | undefined {
    const T = v!.length - 1;
    if (T < Math.max(n, base) - 1) return undefined;
    const b = meanOf(v!, T - base + 1, T);
    return b > 0 ? meanOf(v!, T - n + 1, T) / b : undefined;
}

/** A function of the defined rows of its inputs (see definedRows). */
function over(series: readonly number[], reads: readonly FieldName[], f: (cols: Cols, c: ReferenceCall) => number | undefined): ReferenceFunction {
    return {
        series: c => {
            const cols = definedRows(c, series, reads);
            if (!cols) return undefined;
            const v = f(cols, c);
            return v === undefined || Number.isNaN(v) ? undefined : v;
        },
    };
}

const HLC: readonly FieldName[] = ['high', 'low', 'close'];
const HLCV: readonly FieldName[] = ['high', 'low', 'close', 'volume'];
const len = (c: ReferenceCall, k: number) => lengthArg(c.arg(k), c.fn);
const float = (c: ReferenceCall, k: number) => num(c.arg(k)) ?? NaN;

export const reference: Readonly<Record<string, ReferenceFunction>> = {
    adx: over([], HLC, (cols, c) => directional(cols, len(c, 0)).adx),
    dmi: over([], HLC, (cols, c) => directional(cols, len(c, 0))[c.output === 'minus' ? 'minus' : 'plus']),
    stoch: over([], HLC, (cols, c) => stoch(cols, len(c, 0), len(c, 1), len(c, 2), c.output ?? 'k')),
    cci: over([], HLC, (cols, c) => cci(cols, len(c, 0))),
    obv: over([], ['close', 'volume'], cols => obv(cols)),
    vwap: over([], HLCV, (cols, c) => vwap(cols, len(c, 0))),
    keltner: over([], HLC, (cols, c) => keltner(cols, len(c, 0), float(c, 1), len(c, 2), c.output ?? 'mid')),
    supertrend: over([], HLC, (cols, c) => supertrend(cols, len(c, 0), float(c, 1))),
    kama: over([0], [], (cols, c) => kama(cols, len(c, 1), len(c, 2), len(c, 3))),
    donchian: over([], ['high', 'low'], (cols, c) => donchian(cols, len(c, 0), c.output ?? 'upper')),
    ichimoku: over([], ['high', 'low'], (cols, c) => ichimoku(cols, len(c, 0), len(c, 1), len(c, 2), len(c, 3), c.output ?? 'tenkan')),
    williams_r: over([], HLC, (cols, c) => williamsR(cols, len(c, 0))),
    mfi: over([], HLCV, (cols, c) => mfi(cols, len(c, 0))),
    momentum_factor: over([], ['close'], ([cl], c) => {
        const n = len(c, 0), skip = c.arg(1), T = cl!.length - 1;
        if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0 || skip >= n) throw new BacktestError(`momentum_factor(): skip must be a whole number from 0 to length − 1 (${n - 1}), got ${String(skip)}`);
        return T < n ? undefined : cl![T - skip]! / cl![T - n]! - 1;
    }),
    reversal_factor: over([], ['close'], ([cl], c) => {
        const n = len(c, 0), T = cl!.length - 1;
        return T < n ? undefined : 1 - cl![T]! / cl![T - n]!;
    }),
    volatility_factor: over([], ['close'], (cols, c) => volatility(cols, len(c, 0))),
    volume_factor: over([], ['volume'], (cols, c) => volumeRatio(cols, len(c, 0), len(c, 1))),
};
