/**
 * The catalogue functions of the reference interpreter, each written the most obvious way from
 * its definition (docs/backtest-semantics.md § Indicators): a value at bar t is recomputed from
 * the input's whole history up to t. No running sums, no incremental state: O(window) or O(t)
 * per bar, which is fine for a reference.
 */
import { BacktestError } from '../types.js';

/** A value of the dataflow graph: a number, a boolean, an enum name, or undefined. */
export type Val = number | boolean | string | undefined;

/** A number, or undefined for anything else (NaN counts as undefined). */
export function num(v: Val): number | undefined {
    return typeof v === 'number' && !Number.isNaN(v) ? v : undefined;
}

/** A defined number or undefined: NaN becomes undefined. */
export function defined(x: number): number | undefined {
    return Number.isNaN(x) ? undefined : x;
}

export function lengthArg(v: Val, fn: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new BacktestError(`${fn}(): the length must be a whole number ≥ 1, got ${String(v)}`);
    return v;
}

/** The last n values of xs up to bar t (oldest first), or undefined if the window is incomplete or holds an undefined value. */
export function window(xs: readonly Val[], t: number, n: number): number[] | undefined {
    if (t - n + 1 < 0) return undefined;
    const out: number[] = [];
    for (let i = t - n + 1; i <= t; i++) {
        const v = num(xs[i]);
        if (v === undefined) return undefined;
        out.push(v);
    }
    return out;
}

export function mean(xs: readonly number[]): number {
    let s = 0;
    for (const x of xs) s += x;
    return s / xs.length;
}

/** Population standard deviation (divides by the count). */
export function popStdev(xs: readonly number[]): number {
    const m = mean(xs);
    let ss = 0;
    for (const x of xs) ss += (x - m) * (x - m);
    return Math.sqrt(ss / xs.length);
}

// ------------------------------------------------------------------ window functions

export function sma(xs: readonly Val[], t: number, n: number): number | undefined {
    const w = window(xs, t, n);
    return w && mean(w);
}

export function sum(xs: readonly Val[], t: number, n: number): number | undefined {
    const w = window(xs, t, n);
    if (!w) return undefined;
    let s = 0;
    for (const x of w) s += x;
    return s;
}

/** Weights n, n−1, …, 1 from the newest value, divided by n(n+1)/2. */
export function wma(xs: readonly Val[], t: number, n: number): number | undefined {
    const w = window(xs, t, n);
    if (!w) return undefined;
    let s = 0;
    for (let k = 0; k < n; k++) s += (k + 1) * w[k]!; // w[n−1] is the newest, weight n
    return s / ((n * (n + 1)) / 2);
}

export function stdev(xs: readonly Val[], t: number, n: number): number | undefined {
    const w = window(xs, t, n);
    return w && popStdev(w);
}

export function zscore(xs: readonly Val[], t: number, n: number): number | undefined {
    const w = window(xs, t, n);
    if (!w) return undefined;
    const sd = popStdev(w);
    return sd > 0 ? (w[n - 1]! - mean(w)) / sd : undefined;
}

export function bollinger(xs: readonly Val[], t: number, n: number, mult: number, output: string): number | undefined {
    const w = window(xs, t, n);
    if (!w) return undefined;
    const mid = mean(w), sd = popStdev(w);
    if (output === 'mid') return mid;
    if (output === 'upper') return mid + mult * sd;
    if (output === 'lower') return mid - mult * sd;
    throw new BacktestError(`bollinger() has no output '${output}'`);
}

export function highest(xs: readonly Val[], t: number, n: number): number | undefined {
    const w = window(xs, t, n);
    return w && Math.max(...w);
}

export function lowest(xs: readonly Val[], t: number, n: number): number | undefined {
    const w = window(xs, t, n);
    return w && Math.min(...w);
}

/** source / source[n] − 1. */
export function roc(xs: readonly Val[], t: number, n: number): number | undefined {
    const now = num(xs[t]), then = t - n >= 0 ? num(xs[t - n]) : undefined;
    return now === undefined || then === undefined ? undefined : defined(now / then - 1);
}

/** source − source[n]. */
export function change(xs: readonly Val[], t: number, n: number): number | undefined {
    const now = num(xs[t]), then = t - n >= 0 ? num(xs[t - n]) : undefined;
    return now === undefined || then === undefined ? undefined : defined(now - then);
}

/** Least-squares slope of y on x over the window: cov(x, y) / var(x); undefined when var(x) = 0. */
export function rollingBeta(ys: readonly Val[], xs: readonly Val[], t: number, n: number): number | undefined {
    const wy = window(ys, t, n), wx = window(xs, t, n);
    if (!wy || !wx) return undefined;
    const mx = mean(wx), my = mean(wy);
    let cov = 0, varx = 0;
    for (let k = 0; k < n; k++) {
        cov += (wx[k]! - mx) * (wy[k]! - my);
        varx += (wx[k]! - mx) * (wx[k]! - mx);
    }
    return varx > 0 ? cov / varx : undefined;
}

/** a > b now and a ≤ b on the previous bar (crossunder: a < b now and a ≥ b before). */
export function cross(as: readonly Val[], bs: readonly Val[], t: number, up: boolean): boolean | undefined {
    if (t < 1) return undefined;
    const a = num(as[t]), b = num(bs[t]), pa = num(as[t - 1]), pb = num(bs[t - 1]);
    if (a === undefined || b === undefined || pa === undefined || pb === undefined) return undefined;
    return up ? a > b && pa <= pb : a < b && pa >= pb;
}

// ------------------------------------------------------------------ recursive functions
//
// ema, rsi, atr and macd run over the *defined* values of their input: a bar whose input is
// undefined has an undefined output and is skipped (the recursion continues with the next
// defined value). Recomputed from the first bar every time.

/** The defined values of xs[0..t], in order; undefined when xs[t] itself is undefined. */
function definedHistory(xs: readonly Val[], t: number): number[] | undefined {
    if (num(xs[t]) === undefined) return undefined;
    const out: number[] = [];
    for (let i = 0; i <= t; i++) {
        const v = num(xs[i]);
        if (v !== undefined) out.push(v);
    }
    return out;
}

/** EMA over a sequence: seeded with the mean of the first n values, then alpha = 2 / (n + 1). One entry per value. */
function emaOf(values: readonly number[], n: number): (number | undefined)[] {
    const out: (number | undefined)[] = [];
    const alpha = 2 / (n + 1);
    let e = 0;
    for (let i = 0; i < values.length; i++) {
        if (i < n - 1) { out.push(undefined); continue; }
        if (i === n - 1) {
            let s = 0;
            for (let k = 0; k < n; k++) s += values[k]!;
            e = s / n;
        } else {
            e = e + alpha * (values[i]! - e);
        }
        out.push(e);
    }
    return out;
}

export function ema(xs: readonly Val[], t: number, n: number): number | undefined {
    const h = definedHistory(xs, t);
    return h && emaOf(h, n).at(-1);
}

/** Wilder's RSI: first value after n changes (simple means of the first n gains and losses). */
export function rsi(xs: readonly Val[], t: number, n: number): number | undefined {
    const h = definedHistory(xs, t);
    if (!h || h.length - 1 < n) return undefined;
    let gain = 0, loss = 0;
    for (let i = 1; i < h.length; i++) {
        const d = h[i]! - h[i - 1]!;
        const g = d > 0 ? d : 0, l = d < 0 ? -d : 0;
        if (i <= n) {
            gain += g; loss += l;
            if (i === n) { gain /= n; loss /= n; }
        } else {
            gain = (gain * (n - 1) + g) / n;
            loss = (loss * (n - 1) + l) / n;
        }
    }
    if (loss === 0) return gain === 0 ? 50 : 100;
    return 100 - 100 / (1 + gain / loss);
}

/** Wilder's ATR over the bars whose high, low and close are all defined: TR from the second such bar on, first value the mean of n TRs. */
export function atr(high: readonly Val[], low: readonly Val[], close: readonly Val[], t: number, n: number): number | undefined {
    const ok = (i: number) => num(high[i]) !== undefined && num(low[i]) !== undefined && num(close[i]) !== undefined;
    if (!ok(t)) return undefined;
    const trs: number[] = [];
    let prevClose: number | undefined;
    for (let i = 0; i <= t; i++) {
        if (!ok(i)) continue;
        const h = high[i] as number, l = low[i] as number, c = close[i] as number;
        if (prevClose !== undefined) trs.push(Math.max(h - l, Math.abs(h - prevClose), Math.abs(l - prevClose)));
        prevClose = c;
    }
    if (trs.length < n) return undefined;
    let a = 0;
    for (let k = 0; k < n; k++) a += trs[k]!;
    a /= n;
    for (let k = n; k < trs.length; k++) a = (a * (n - 1) + trs[k]!) / n;
    return a;
}

/** line = ema(fast) − ema(slow); signal = ema(line, signal) over the defined line values; hist = line − signal. */
export function macd(xs: readonly Val[], t: number, fast: number, slow: number, signal: number, output: string): number | undefined {
    const h = definedHistory(xs, t);
    if (!h) return undefined;
    const f = emaOf(h, fast), s = emaOf(h, slow);
    const lines: number[] = [];
    for (let i = 0; i < h.length; i++) if (f[i] !== undefined && s[i] !== undefined) lines.push(f[i]! - s[i]!);
    const last = h.length - 1;
    const line = f[last] !== undefined && s[last] !== undefined ? f[last]! - s[last]! : undefined;
    const sig = line === undefined ? undefined : emaOf(lines, signal).at(-1);
    if (output === 'line') return line;
    if (output === 'signal') return sig;
    if (output === 'hist') return line === undefined || sig === undefined ? undefined : line - sig;
    throw new BacktestError(`macd() has no output '${output}'`);
}

// ------------------------------------------------------------------ cross-sectional functions
// Inputs: the values of all assets at one bar. Assets with an undefined input are left out.

/** (average 0-based position among the defined values, ties sharing it) / (count − 1); 0.5 alone. */
export function rank(vals: readonly Val[]): Val[] {
    const xs = vals.map(num);
    const m = xs.filter(x => x !== undefined).length;
    return xs.map(x => {
        if (x === undefined) return undefined;
        if (m === 1) return 0.5;
        const below = xs.filter(y => y !== undefined && y < x).length;
        const same = xs.filter(y => y !== undefined && y === x).length;
        return (below + (same - 1) / 2) / (m - 1);
    });
}

export function xsZscore(vals: readonly Val[]): Val[] {
    const xs = vals.map(num);
    const def = xs.filter((x): x is number => x !== undefined);
    if (def.length === 0) return xs.map(() => undefined);
    const m = mean(def), sd = popStdev(def);
    return xs.map(x => (x === undefined || !(sd > 0) ? undefined : (x - m) / sd));
}

/** True for the k highest (top) or lowest (bottom) defined values, ties broken by universe order; false for the rest. */
export function selectK(vals: readonly Val[], k: number, top: boolean): Val[] {
    const xs = vals.map(num);
    return xs.map((x, a) => {
        if (x === undefined) return false;
        let ahead = 0;
        xs.forEach((y, b) => {
            if (y === undefined) return;
            if (top ? y > x : y < x) ahead++;
            else if (y === x && b < a) ahead++;
        });
        return ahead < k;
    });
}
