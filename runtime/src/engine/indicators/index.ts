/**
 * Incremental indicators: one object per (node, asset), `push(...inputs)` per bar returns the
 * current value, NaN until defined. O(1) amortised per bar, no allocation per push.
 * Definitions (docs/backtest-semantics.md § Indicators) follow the catalogue; the first defined index of each
 * equals its look-back in language/src/catalogue/core-pack.ts.
 *
 * Undefined inputs: a window indicator (sma, wma, stdev, highest, …) is undefined while a NaN is
 * inside its window; a recursive one (ema, rsi, atr, macd) skips a NaN bar: it outputs NaN and
 * keeps its state, continuing with the next defined value.
 */
import { Ring, WindowMoments } from './window.js';

export interface Indicator {
    push(...xs: number[]): number;
}

export interface FunctionImpl {
    /** Catalogue parameters in order: 'series' inputs arrive per bar, 'const' ones at construction. */
    readonly params: readonly ('series' | 'const')[];
    /** Bar fields read implicitly (appended to the series inputs of push). */
    readonly reads?: readonly ('open' | 'high' | 'low' | 'close' | 'volume')[];
    /** Output name → property holding it after each push (multi-output functions). */
    readonly outputs?: Readonly<Record<string, string>>;
    create(consts: readonly number[]): Indicator;
}

export const intArg = (v: number | undefined, name: string): number => {
    if (v === undefined || !Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a whole number ≥ 1, got ${v}`);
    return v;
};

export class Sma implements Indicator {
    private readonly ring: Ring;
    private sum = 0;
    private dirty = false;
    /** Pushes until the running sum is recomputed exactly (bounds floating-point drift). */
    private untilExact: number;
    constructor(readonly n: number) { this.ring = new Ring(n); this.untilExact = 64 * n; }
    push(x: number): number {
        const r = this.ring;
        const old = r.push(x);
        if (r.nans > 0) { this.dirty = true; return NaN; }
        if (this.dirty || --this.untilExact === 0) {
            let s = 0;
            r.forEach(v => { s += v; });
            this.sum = s;
            this.dirty = false;
            this.untilExact = 64 * this.n;
        } else {
            this.sum += old === undefined ? x : x - old;
        }
        return r.full ? this.sum / this.n : NaN;
    }
}

export class Sum implements Indicator {
    private readonly sma: Sma;
    constructor(readonly n: number) { this.sma = new Sma(n); }
    push(x: number): number { return this.sma.push(x) * this.n; }
}

/** EMA with alpha = 2 / (n + 1), seeded with the simple mean of the first n defined values. */
export class Ema implements Indicator {
    value = NaN;
    private seen = 0;
    private seedSum = 0;
    private readonly alpha: number;
    constructor(readonly n: number) { this.alpha = 2 / (n + 1); }
    push(x: number): number {
        if (x !== x) return NaN;
        if (this.seen < this.n) {
            this.seedSum += x;
            this.seen++;
            if (this.seen === this.n) this.value = this.seedSum / this.n;
            return this.seen === this.n ? this.value : NaN;
        }
        this.value += this.alpha * (x - this.value);
        return this.value;
    }
}

/** Linearly weighted: weights n, n−1, …, 1 from the newest value, divided by n(n+1)/2. */
export class Wma implements Indicator {
    private readonly ring: Ring;
    private sum = 0;
    private weighted = 0;
    private dirty = false;
    private readonly denom: number;
    constructor(readonly n: number) { this.ring = new Ring(n); this.denom = (n * (n + 1)) / 2; }
    push(x: number): number {
        const r = this.ring;
        const old = r.push(x);
        if (r.nans > 0) { this.dirty = true; return NaN; }
        if (this.dirty || old === undefined) {
            // Rebuild while filling or after a gap (O(n), only then).
            let s = 0, w = 0;
            const m = Math.min(r.count, this.n);
            for (let k = 0; k < m; k++) { const v = r.ago(k); s += v; w += (this.n - k) * v; }
            this.sum = s; this.weighted = w; this.dirty = false;
        } else {
            this.weighted += this.n * x - this.sum;
            this.sum += x - old;
        }
        return r.full ? this.weighted / this.denom : NaN;
    }
}

export class Stdev implements Indicator {
    private readonly m: WindowMoments;
    constructor(n: number) { this.m = new WindowMoments(n); }
    push(x: number): number {
        this.m.push(x);
        return this.m.defined ? Math.sqrt(this.m.variance) : NaN;
    }
}

/** Bollinger bands: mid = sma, upper/lower = mid ± mult × population stdev (same window). */
export class Bollinger implements Indicator {
    mid = NaN;
    upper = NaN;
    lower = NaN;
    private readonly m: WindowMoments;
    constructor(n: number, readonly mult: number) { this.m = new WindowMoments(n); }
    push(x: number): number {
        this.m.push(x);
        if (!this.m.defined) { this.mid = this.upper = this.lower = NaN; return NaN; }
        const sd = Math.sqrt(this.m.variance);
        this.mid = this.m.mean;
        this.upper = this.mid + this.mult * sd;
        this.lower = this.mid - this.mult * sd;
        return this.mid;
    }
}

/** (x − mean) / stdev over the window; undefined when the stdev is 0. */
export class Zscore implements Indicator {
    private readonly m: WindowMoments;
    constructor(n: number) { this.m = new WindowMoments(n); }
    push(x: number): number {
        this.m.push(x);
        if (!this.m.defined) return NaN;
        const sd = Math.sqrt(this.m.variance);
        return sd > 0 ? (x - this.m.mean) / sd : NaN;
    }
}

/** Highest (sign 1) or lowest (sign −1) of the window, with a monotonic deque of ring positions. */
export class Extremum implements Indicator {
    private readonly ring: Ring;
    private readonly dq: Int32Array; // positions (push counts) of candidate values
    private head = 0;
    private tail = 0;
    constructor(readonly n: number, private readonly sign: 1 | -1) {
        this.ring = new Ring(n);
        this.dq = new Int32Array(n + 1);
    }
    push(x: number): number {
        const r = this.ring;
        r.push(x);
        const pos = r.count - 1;
        const cap = this.dq.length;
        // Drop positions that left the window.
        while (this.head !== this.tail && this.dq[this.head]! <= pos - this.n) this.head = (this.head + 1) % cap;
        if (x === x) {
            const better = (a: number, b: number) => (this.sign > 0 ? a >= b : a <= b);
            while (this.head !== this.tail) {
                const last = (this.tail - 1 + cap) % cap;
                if (better(x, r.buf[this.dq[last]! % this.n]!)) this.tail = last; else break;
            }
            this.dq[this.tail] = pos;
            this.tail = (this.tail + 1) % cap;
        }
        if (!r.full || r.nans > 0 || this.head === this.tail) return NaN;
        return r.buf[this.dq[this.head]! % this.n]!;
    }
}

/** x − x[n] (change) or x / x[n] − 1 (roc, a fraction). */
export class Lagged implements Indicator {
    private readonly ring: Ring;
    constructor(readonly n: number, private readonly ratio: boolean) { this.ring = new Ring(n + 1); }
    push(x: number): number {
        this.ring.push(x);
        if (!this.ring.full) return NaN;
        const then = this.ring.ago(this.n);
        return this.ratio ? x / then - 1 : x - then;
    }
}

/** Wilder's RSI: the first value at index n from the simple means of the first n changes. */
export class Rsi implements Indicator {
    private prev = NaN;
    private changes = 0;
    private gain = 0;
    private loss = 0;
    constructor(readonly n: number) {}
    push(x: number): number {
        if (x !== x) return NaN;
        const p = this.prev;
        this.prev = x;
        if (p !== p) return NaN;
        const d = x - p;
        const g = d > 0 ? d : 0, l = d < 0 ? -d : 0;
        const n = this.n;
        if (this.changes < n) {
            this.gain += g; this.loss += l; this.changes++;
            if (this.changes < n) return NaN;
            this.gain /= n; this.loss /= n;
        } else {
            this.gain = (this.gain * (n - 1) + g) / n;
            this.loss = (this.loss * (n - 1) + l) / n;
        }
        if (this.loss === 0) return this.gain === 0 ? 50 : 100;
        return 100 - 100 / (1 + this.gain / this.loss);
    }
}

/** Wilder's ATR: TR from bar 1 on; the first value at index n is the mean of TR_1..TR_n. */
export class Atr implements Indicator {
    private prevClose = NaN;
    private trs = 0;
    private atr = 0;
    constructor(readonly n: number) {}
    push(high: number, low: number, close: number): number {
        if (high !== high || low !== low || close !== close) return NaN;
        const pc = this.prevClose;
        this.prevClose = close;
        if (pc !== pc) return NaN;
        const tr = Math.max(high - low, Math.abs(high - pc), Math.abs(low - pc));
        if (this.trs < this.n) {
            this.atr += tr; this.trs++;
            if (this.trs < this.n) return NaN;
            this.atr /= this.n;
            return this.atr;
        }
        this.atr = (this.atr * (this.n - 1) + tr) / this.n;
        return this.atr;
    }
}

/** MACD: line = ema(fast) − ema(slow); signal = ema(line, signal); hist = line − signal. */
export class Macd implements Indicator {
    line = NaN;
    signal = NaN;
    hist = NaN;
    private readonly fast: Ema;
    private readonly slow: Ema;
    private readonly sig: Ema;
    constructor(fast: number, slow: number, signal: number) {
        this.fast = new Ema(fast); this.slow = new Ema(slow); this.sig = new Ema(signal);
    }
    push(x: number): number {
        if (x !== x) { this.line = this.signal = this.hist = NaN; return NaN; }
        const f = this.fast.push(x), s = this.slow.push(x);
        this.line = f - s;
        this.signal = this.line === this.line ? this.sig.push(this.line) : NaN;
        this.hist = this.line - this.signal;
        return this.line;
    }
}

/** cov(x, y) / var(x) over the window (least-squares slope of y on x); undefined when var(x) = 0. */
export class RollingBeta implements Indicator {
    private readonly rx: Ring;
    private readonly ry: Ring;
    private sx = 0; private sy = 0; private sxx = 0; private sxy = 0;
    private kx = NaN; private ky = NaN; // shifts for numerical stability
    private dirty = true;
    constructor(readonly n: number) { this.rx = new Ring(n); this.ry = new Ring(n); }
    push(y: number, x: number): number {
        const oy = this.ry.push(y), ox = this.rx.push(x);
        if (this.rx.nans > 0 || this.ry.nans > 0) { this.dirty = true; return NaN; }
        if (this.dirty || ox === undefined || oy === undefined) {
            this.kx = x; this.ky = y; this.sx = this.sy = this.sxx = this.sxy = 0;
            const m = Math.min(this.rx.count, this.n);
            for (let k = 0; k < m; k++) this.add(this.rx.ago(k), this.ry.ago(k), 1);
            this.dirty = false;
        } else {
            this.add(x, y, 1);
            this.add(ox, oy, -1);
        }
        if (!this.rx.full) return NaN;
        const n = this.n;
        const varx = this.sxx / n - (this.sx / n) ** 2;
        const cov = this.sxy / n - (this.sx / n) * (this.sy / n);
        return varx > 1e-14 * (this.kx * this.kx + 1) ? cov / varx : NaN;
    }
    private add(x: number, y: number, s: number): void {
        const dx = x - this.kx, dy = y - this.ky;
        this.sx += s * dx; this.sy += s * dy; this.sxx += s * dx * dx; this.sxy += s * dx * dy;
    }
}

/** 1 on the bar where a crosses above b (a > b and a[1] <= b[1]), else 0; NaN if any is undefined. */
export class Cross implements Indicator {
    private pa = NaN;
    private pb = NaN;
    constructor(private readonly up: boolean) {}
    push(a: number, b: number): number {
        const pa = this.pa, pb = this.pb;
        this.pa = a; this.pb = b;
        if (a !== a || b !== b || pa !== pa || pb !== pb) return NaN;
        return this.up ? (a > b && pa <= pb ? 1 : 0) : (a < b && pa >= pb ? 1 : 0);
    }
}

export const FUNCTIONS: Readonly<Record<string, FunctionImpl>> = {
    sma: { params: ['series', 'const'], create: c => new Sma(intArg(c[0], 'length')) },
    ema: { params: ['series', 'const'], create: c => new Ema(intArg(c[0], 'length')) },
    wma: { params: ['series', 'const'], create: c => new Wma(intArg(c[0], 'length')) },
    sum: { params: ['series', 'const'], create: c => new Sum(intArg(c[0], 'length')) },
    stdev: { params: ['series', 'const'], create: c => new Stdev(intArg(c[0], 'length')) },
    zscore: { params: ['series', 'const'], create: c => new Zscore(intArg(c[0], 'length')) },
    highest: { params: ['series', 'const'], create: c => new Extremum(intArg(c[0], 'length'), 1) },
    lowest: { params: ['series', 'const'], create: c => new Extremum(intArg(c[0], 'length'), -1) },
    roc: { params: ['series', 'const'], create: c => new Lagged(intArg(c[0], 'length'), true) },
    change: { params: ['series', 'const'], create: c => new Lagged(intArg(c[0], 'length'), false) },
    rsi: { params: ['series', 'const'], create: c => new Rsi(intArg(c[0], 'length')) },
    atr: { params: ['const'], reads: ['high', 'low', 'close'], create: c => new Atr(intArg(c[0], 'length')) },
    bollinger: {
        params: ['series', 'const', 'const'], outputs: { mid: 'mid', upper: 'upper', lower: 'lower' },
        create: c => new Bollinger(intArg(c[0], 'length'), c[1] ?? 2),
    },
    macd: {
        params: ['series', 'const', 'const', 'const'], outputs: { line: 'line', signal: 'signal', hist: 'hist' },
        create: c => new Macd(intArg(c[0], 'fast'), intArg(c[1], 'slow'), intArg(c[2], 'signal')),
    },
    rolling_beta: { params: ['series', 'series', 'const'], create: c => new RollingBeta(intArg(c[0], 'length')) },
    crossover: { params: ['series', 'series'], create: () => new Cross(true) },
    crossunder: { params: ['series', 'series'], create: () => new Cross(false) },
};

/** Batch evaluation for tests and tools: the function over whole input columns. */
export function compute(name: string, inputs: readonly Float64Array[], consts: readonly number[] = [], output?: string): Float64Array {
    const impl = FUNCTIONS[name];
    if (!impl) throw new Error(`no indicator ${name}`);
    const ind = impl.create(consts) as Indicator & Record<string, number>;
    const T = inputs[0]?.length ?? 0;
    const out = new Float64Array(T);
    const args = new Array<number>(inputs.length);
    for (let t = 0; t < T; t++) {
        for (let k = 0; k < inputs.length; k++) args[k] = inputs[k]![t]!;
        const v = ind.push(...args);
        out[t] = output && impl.outputs ? ind[impl.outputs[output]!]! : v;
    }
    return out;
}
