/**
 * The mid-frequency pack's indicators for the compiled engine: one incremental object per (node,
 * asset), O(1) per bar (CCI: O(length), its deviation is about the current mean) and no allocation
 * per push. The definitions are the catalogue's (language/src/catalogue/mid-frequency-pack.ts); the
 * first defined index of each equals its look-back there, and reference.ts recomputes the same
 * values the obvious way (the pack's tests hold the two equal).
 *
 * A bar where any input is undefined returns NaN (every output NaN) and leaves the state as it
 * was: the indicator goes on from the previous defined bar. So core's building blocks (Sma, Ema,
 * Atr, Extremum, Lagged, Stdev) are only ever pushed defined values here.
 */
import { Atr, Ema, Extremum, intArg, Lagged, Sma, Stdev, Sum, type Indicator } from '../../indicators/index.js';
import { Ring } from '../../indicators/window.js';
import type { CompiledFunction } from '../hook.js';

/** Wilder's directional movement: ±DM and TR Wilder-summed (±DI from bar n), ADX Wilder-averaged DX (from bar 2n − 1). */
class Directional implements Indicator {
    plus = NaN;
    minus = NaN;
    adx = NaN;
    private ph = NaN; private pl = NaN; private pc = NaN;
    private changes = 0;
    private str = 0; private spdm = 0; private smdm = 0;
    private dxs = 0;
    private dxSum = 0;
    /** Wilder's average of DX (the state; `adx` is the output, NaN on a skipped bar). */
    private avg = NaN;
    constructor(readonly n: number, private readonly returns: 'adx' | 'plus') {}
    push(h: number, l: number, c: number): number {
        if (h !== h || l !== l || c !== c) return this.none();
        const ph = this.ph, pl = this.pl, pc = this.pc;
        this.ph = h; this.pl = l; this.pc = c;
        if (pc !== pc) return this.none();
        const tr = Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
        const up = h - ph, down = pl - l;
        const pdm = up > down && up > 0 ? up : 0, mdm = down > up && down > 0 ? down : 0;
        const n = this.n;
        if (this.changes < n) {
            this.str += tr; this.spdm += pdm; this.smdm += mdm;
            if (++this.changes < n) return this.none();
        } else {
            this.str = this.str - this.str / n + tr;
            this.spdm = this.spdm - this.spdm / n + pdm;
            this.smdm = this.smdm - this.smdm / n + mdm;
        }
        this.plus = this.str > 0 ? (100 * this.spdm) / this.str : 0;
        this.minus = this.str > 0 ? (100 * this.smdm) / this.str : 0;
        const s = this.plus + this.minus;
        const dx = s > 0 ? (100 * Math.abs(this.plus - this.minus)) / s : 0;
        if (this.dxs < n) {
            this.dxSum += dx;
            if (++this.dxs === n) this.avg = this.dxSum / n;
        } else {
            this.avg = (this.avg * (n - 1) + dx) / n;
        }
        this.adx = this.avg;
        return this.returns === 'adx' ? this.adx : this.plus;
    }
    private none(): number {
        this.plus = this.minus = this.adx = NaN;
        return NaN;
    }
}

/** Stochastic %K (smoothed) and %D; raw %K is 50 when the range is 0. */
class Stoch implements Indicator {
    k = NaN;
    d = NaN;
    private readonly hi: Extremum;
    private readonly lo: Extremum;
    private readonly smoothK: Sma;
    private readonly smoothD: Sma;
    constructor(k: number, d: number, smooth: number) {
        this.hi = new Extremum(k, 1); this.lo = new Extremum(k, -1);
        this.smoothK = new Sma(smooth); this.smoothD = new Sma(d);
    }
    push(h: number, l: number, c: number): number {
        this.k = this.d = NaN;
        if (h !== h || l !== l || c !== c) return NaN;
        const hh = this.hi.push(h), ll = this.lo.push(l);
        if (hh !== hh) return NaN;
        const k = this.smoothK.push(hh > ll ? (100 * (c - ll)) / (hh - ll) : 50);
        if (k !== k) return NaN;
        const d = this.smoothD.push(k);
        if (d !== d) return NaN;
        this.k = k; this.d = d;
        return k;
    }
}

/** Highest high / lowest low of the window, for Donchian, Williams %R and Ichimoku's lines. */
class Channel {
    private readonly hi: Extremum;
    private readonly lo: Extremum;
    upper = NaN;
    lower = NaN;
    constructor(n: number) { this.hi = new Extremum(n, 1); this.lo = new Extremum(n, -1); }
    push(h: number, l: number): boolean {
        this.upper = this.hi.push(h); this.lower = this.lo.push(l);
        return this.upper === this.upper;
    }
}

class Cci implements Indicator {
    private readonly ring: Ring;
    constructor(readonly n: number) { this.ring = new Ring(n); }
    push(h: number, l: number, c: number): number {
        if (h !== h || l !== l || c !== c) return NaN;
        const tp = (h + l + c) / 3;
        const r = this.ring;
        r.push(tp);
        if (!r.full) return NaN;
        let s = 0;
        for (let k = 0; k < this.n; k++) s += r.buf[k]!;
        const mean = s / this.n;
        let dev = 0;
        for (let k = 0; k < this.n; k++) dev += Math.abs(r.buf[k]! - mean);
        dev /= this.n;
        return dev > 0 ? (tp - mean) / (0.015 * dev) : 0;
    }
}

class Obv implements Indicator {
    private total = 0;
    private pc = NaN;
    push(c: number, v: number): number {
        if (c !== c || v !== v) return NaN;
        const pc = this.pc;
        this.pc = c;
        if (c > pc) this.total += v;
        else if (c < pc) this.total -= v;
        return this.total;
    }
}

class Vwap implements Indicator {
    private readonly pv: Sma;
    private readonly vol: Sma;
    constructor(n: number) { this.pv = new Sma(n); this.vol = new Sma(n); }
    push(h: number, l: number, c: number, v: number): number {
        if (h !== h || l !== l || c !== c || v !== v) return NaN;
        const pv = this.pv.push(((h + l + c) / 3) * v), vol = this.vol.push(v);
        return vol > 0 ? pv / vol : NaN;
    }
}

class Keltner implements Indicator {
    mid = NaN;
    upper = NaN;
    lower = NaN;
    private readonly ema: Ema;
    private readonly atr: Atr;
    constructor(n: number, readonly mult: number, atrN: number) { this.ema = new Ema(n); this.atr = new Atr(atrN); }
    push(h: number, l: number, c: number): number {
        this.mid = this.upper = this.lower = NaN;
        if (h !== h || l !== l || c !== c) return NaN;
        const m = this.ema.push(c), a = this.atr.push(h, l, c);
        if (m !== m || a !== a) return NaN;
        this.mid = m; this.upper = m + this.mult * a; this.lower = m - this.mult * a;
        return m;
    }
}

class Supertrend implements Indicator {
    private readonly atr: Atr;
    private upper = NaN;
    private lower = NaN;
    private up = false;
    private pc = NaN;
    constructor(n: number, readonly mult: number) { this.atr = new Atr(n); }
    push(h: number, l: number, c: number): number {
        if (h !== h || l !== l || c !== c) return NaN;
        const a = this.atr.push(h, l, c);
        const pc = this.pc;
        this.pc = c;
        if (a !== a) return NaN;
        const mid = (h + l) / 2, bu = mid + this.mult * a, bl = mid - this.mult * a;
        if (this.upper !== this.upper) {
            this.upper = bu; this.lower = bl; this.up = c > bu;
        } else {
            this.upper = bu < this.upper || pc > this.upper ? bu : this.upper;
            this.lower = bl > this.lower || pc < this.lower ? bl : this.lower;
            this.up = this.up ? !(c < this.lower) : c > this.upper;
        }
        return this.up ? this.lower : this.upper;
    }
}

class Kama implements Indicator {
    private readonly lag: Lagged;
    private readonly vol: Sum;
    private readonly fastA: number;
    private readonly slowA: number;
    private px = NaN;
    private kama = NaN;
    constructor(n: number, fast: number, slow: number) {
        this.lag = new Lagged(n, false); this.vol = new Sum(n);
        this.fastA = 2 / (fast + 1); this.slowA = 2 / (slow + 1);
    }
    push(x: number): number {
        if (x !== x) return NaN;
        const px = this.px;
        this.px = x;
        const ch = this.lag.push(x);
        const vol = px === px ? this.vol.push(Math.abs(x - px)) : NaN;
        if (ch !== ch) return NaN;
        const er = vol > 0 ? Math.abs(ch) / vol : 0;
        const sc = (er * (this.fastA - this.slowA) + this.slowA) ** 2;
        const prev = this.kama === this.kama ? this.kama : px;
        return (this.kama = prev + sc * (x - prev));
    }
}

class Donchian implements Indicator {
    upper = NaN;
    lower = NaN;
    mid = NaN;
    private readonly hi: Extremum;
    private readonly lo: Extremum;
    constructor(n: number) { this.hi = new Extremum(n, 1); this.lo = new Extremum(n, -1); }
    push(h: number, l: number): number {
        if (h !== h || l !== l) return (this.upper = this.lower = this.mid = NaN);
        const upper = this.hi.push(h), lower = this.lo.push(l);
        this.upper = upper; this.lower = lower; this.mid = (upper + lower) / 2;
        return upper;
    }
}

class Ichimoku implements Indicator {
    tenkan = NaN;
    kijun = NaN;
    span_a = NaN;
    span_b = NaN;
    private readonly t: Channel;
    private readonly k: Channel;
    private readonly s: Channel;
    /** The unshifted spans of the last shift + 1 bars. */
    private readonly a: Ring;
    private readonly b: Ring;
    private seen = 0;
    private readonly lookback: number;
    constructor(tenkan: number, kijun: number, senkou: number, readonly shift: number) {
        this.t = new Channel(tenkan); this.k = new Channel(kijun); this.s = new Channel(senkou);
        this.a = new Ring(shift + 1); this.b = new Ring(shift + 1);
        this.lookback = Math.max(tenkan, kijun, senkou) - 1 + shift;
    }
    push(h: number, l: number): number {
        this.tenkan = this.kijun = this.span_a = this.span_b = NaN;
        if (h !== h || l !== l) return NaN;
        this.t.push(h, l); this.k.push(h, l); this.s.push(h, l);
        const tenkan = (this.t.upper + this.t.lower) / 2, kijun = (this.k.upper + this.k.lower) / 2;
        this.a.push((tenkan + kijun) / 2);
        this.b.push((this.s.upper + this.s.lower) / 2);
        if (this.seen++ < this.lookback) return NaN;
        this.tenkan = tenkan; this.kijun = kijun;
        this.span_a = this.a.ago(this.shift); this.span_b = this.b.ago(this.shift);
        return tenkan;
    }
}

class WilliamsR implements Indicator {
    private readonly ch: Channel;
    constructor(n: number) { this.ch = new Channel(n); }
    push(h: number, l: number, c: number): number {
        if (h !== h || l !== l || c !== c || !this.ch.push(h, l)) return NaN;
        const hh = this.ch.upper, ll = this.ch.lower;
        return hh > ll ? (-100 * (hh - c)) / (hh - ll) : -50;
    }
}

class Mfi implements Indicator {
    private readonly pos: Sum;
    private readonly neg: Sum;
    private ptp = NaN;
    constructor(n: number) { this.pos = new Sum(n); this.neg = new Sum(n); }
    push(h: number, l: number, c: number, v: number): number {
        if (h !== h || l !== l || c !== c || v !== v) return NaN;
        const tp = (h + l + c) / 3, ptp = this.ptp;
        this.ptp = tp;
        if (ptp !== ptp) return NaN;
        const flow = tp * v;
        const p = this.pos.push(tp > ptp ? flow : 0), q = this.neg.push(tp < ptp ? flow : 0);
        if (p !== p) return NaN;
        return p + q > 0 ? (100 * p) / (p + q) : 50;
    }
}

/** close[skip] / close[length] − 1 (momentum) or 1 − close / close[length] (reversal, skip 0). */
class Momentum implements Indicator {
    private readonly ring: Ring;
    constructor(readonly n: number, readonly skip: number, private readonly reversal: boolean) { this.ring = new Ring(n + 1); }
    push(c: number): number {
        if (c !== c) return NaN;
        this.ring.push(c);
        if (!this.ring.full) return NaN;
        const r = this.ring.ago(this.skip) / this.ring.ago(this.n) - 1;
        return this.reversal ? -r : r;
    }
}

class Volatility implements Indicator {
    private readonly sd: Stdev;
    private pc = NaN;
    constructor(n: number) { this.sd = new Stdev(n); }
    push(c: number): number {
        if (c !== c) return NaN;
        const pc = this.pc;
        this.pc = c;
        return pc === pc ? this.sd.push(Math.log(c / pc)) : NaN;
    }
}

class VolumeRatio implements Indicator {
    private readonly recent: Sma;
    private readonly base: Sma;
    constructor(n: number, base: number) { this.recent = new Sma(n); this.base = new Sma(base); }
    push(v: number): number {
        if (v !== v) return NaN;
        const r = this.recent.push(v), b = this.base.push(v);
        return b > 0 ? r / b : NaN;
    }
}

const HLC = ['high', 'low', 'close'] as const;
const HLCV = ['high', 'low', 'close', 'volume'] as const;

export const compiled: Readonly<Record<string, CompiledFunction>> = {
    adx: { params: ['const'], reads: HLC, create: c => new Directional(intArg(c[0], 'length'), 'adx') },
    dmi: { params: ['const'], reads: HLC, outputs: { plus: 'plus', minus: 'minus' }, create: c => new Directional(intArg(c[0], 'length'), 'plus') },
    stoch: {
        params: ['const', 'const', 'const'], reads: HLC, outputs: { k: 'k', d: 'd' },
        create: c => new Stoch(intArg(c[0], 'k'), intArg(c[1], 'd'), intArg(c[2], 'smooth')),
    },
    cci: { params: ['const'], reads: HLC, create: c => new Cci(intArg(c[0], 'length')) },
    obv: { params: [], reads: ['close', 'volume'], create: () => new Obv() },
    vwap: { params: ['const'], reads: HLCV, create: c => new Vwap(intArg(c[0], 'length')) },
    keltner: {
        params: ['const', 'const', 'const'], reads: HLC, outputs: { mid: 'mid', upper: 'upper', lower: 'lower' },
        create: c => new Keltner(intArg(c[0], 'length'), c[1] ?? 2, intArg(c[2], 'atr_length')),
    },
    supertrend: { params: ['const', 'const'], reads: HLC, create: c => new Supertrend(intArg(c[0], 'length'), c[1] ?? 3) },
    kama: { params: ['series', 'const', 'const', 'const'], create: c => new Kama(intArg(c[0], 'length'), intArg(c[1], 'fast'), intArg(c[2], 'slow')) },
    donchian: { params: ['const'], reads: ['high', 'low'], outputs: { upper: 'upper', lower: 'lower', mid: 'mid' }, create: c => new Donchian(intArg(c[0], 'length')) },
    ichimoku: {
        params: ['const', 'const', 'const', 'const'], reads: ['high', 'low'],
        outputs: { tenkan: 'tenkan', kijun: 'kijun', span_a: 'span_a', span_b: 'span_b' },
        create: c => new Ichimoku(intArg(c[0], 'tenkan'), intArg(c[1], 'kijun'), intArg(c[2], 'senkou'), intArg(c[3], 'shift')),
    },
    williams_r: { params: ['const'], reads: HLC, create: c => new WilliamsR(intArg(c[0], 'length')) },
    mfi: { params: ['const'], reads: HLCV, create: c => new Mfi(intArg(c[0], 'length')) },
    momentum_factor: {
        params: ['const', 'const'], reads: ['close'],
        create: c => new Momentum(intArg(c[0], 'length'), skipArg(c[1], c[0]!), false),
    },
    reversal_factor: { params: ['const'], reads: ['close'], create: c => new Momentum(intArg(c[0], 'length'), 0, true) },
    volatility_factor: { params: ['const'], reads: ['close'], create: c => new Volatility(intArg(c[0], 'length')) },
    volume_factor: { params: ['const', 'const'], reads: ['volume'], create: c => new VolumeRatio(intArg(c[0], 'length'), intArg(c[1], 'base')) },
};

/** momentum_factor's skip: a whole number of bars, 0 ≤ skip < length. */
export function skipArg(skip: number | undefined, length: number): number {
    if (skip === undefined || !Number.isInteger(skip) || skip < 0 || skip >= length) {
        throw new RangeError(`momentum_factor: skip must be a whole number from 0 to length − 1 (${length - 1}), got ${skip}`);
    }
    return skip;
}
