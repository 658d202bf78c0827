/**
 * Every incremental indicator against a naive recomputation from its definition (the whole
 * window recomputed at every bar), on random walks with gaps; plus hand-computed values.
 */
import { describe, expect, it } from 'vitest';
import { compute } from '../../src/engine/indicators/index.js';

function walk(n: number, seed: number, start = 100, gaps: number[] = []): Float64Array {
    let s = seed >>> 0;
    const rnd = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
    const out = new Float64Array(n);
    let x = start;
    for (let i = 0; i < n; i++) { x *= 1 + (rnd() - 0.5) * 0.04; out[i] = x; }
    for (const g of gaps) out[g] = NaN;
    return out;
}

const windowOf = (xs: Float64Array, t: number, n: number): number[] | undefined => {
    if (t < n - 1) return undefined;
    const w = Array.from(xs.subarray(t - n + 1, t + 1));
    return w.some(v => Number.isNaN(v)) ? undefined : w;
};
const mean = (w: number[]) => w.reduce((a, b) => a + b, 0) / w.length;
const pstdev = (w: number[]) => { const m = mean(w); return Math.sqrt(w.reduce((a, b) => a + (b - m) ** 2, 0) / w.length); };

function expectClose(actual: Float64Array, expected: (t: number) => number, rel = 1e-9): void {
    for (let t = 0; t < actual.length; t++) {
        const e = expected(t), a = actual[t]!;
        if (Number.isNaN(e)) { expect(a, `t=${t}`).toBeNaN(); continue; }
        expect(Math.abs(a - e), `t=${t}: ${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
    }
}

const x = walk(400, 1, 100, [150, 151, 300]);

describe('window indicators against naive windows (with NaN gaps)', () => {
    it('sma, sum, wma, stdev, highest, lowest, zscore', () => {
        for (const n of [1, 5, 20]) {
            expectClose(compute('sma', [x], [n]), t => { const w = windowOf(x, t, n); return w ? mean(w) : NaN; });
            expectClose(compute('sum', [x], [n]), t => { const w = windowOf(x, t, n); return w ? w.reduce((a, b) => a + b, 0) : NaN; });
            expectClose(compute('wma', [x], [n]), t => { const w = windowOf(x, t, n); return w ? w.reduce((a, v, i) => a + (i + 1) * v, 0) / (n * (n + 1) / 2) : NaN; });
            expectClose(compute('stdev', [x], [n]), t => { const w = windowOf(x, t, n); return w ? pstdev(w) : NaN; }, 1e-7);
            expectClose(compute('highest', [x], [n]), t => { const w = windowOf(x, t, n); return w ? Math.max(...w) : NaN; });
            expectClose(compute('lowest', [x], [n]), t => { const w = windowOf(x, t, n); return w ? Math.min(...w) : NaN; });
            if (n > 1) expectClose(compute('zscore', [x], [n]), t => { const w = windowOf(x, t, n); return w && pstdev(w) > 0 ? (x[t]! - mean(w)) / pstdev(w) : NaN; }, 1e-6);
        }
    });

    it('bollinger outputs', () => {
        for (const [out, k] of [['mid', 0], ['upper', 2], ['lower', -2]] as const) {
            expectClose(compute('bollinger', [x], [20, 2], out), t => { const w = windowOf(x, t, 20); return w ? mean(w) + k * pstdev(w) : NaN; }, 1e-8);
        }
    });

    it('roc and change', () => {
        expectClose(compute('roc', [x], [10]), t => (t >= 10 ? x[t]! / x[t - 10]! - 1 : NaN));
        expectClose(compute('change', [x], [3]), t => (t >= 3 ? x[t]! - x[t - 3]! : NaN));
    });

    it('rolling_beta = cov/var over the window', () => {
        const y = walk(400, 9, 50);
        expectClose(compute('rolling_beta', [y, x], [30]), t => {
            const wx = windowOf(x, t, 30), wy = windowOf(y, t, 30);
            if (!wx || !wy) return NaN;
            const mx = mean(wx), my = mean(wy);
            const cov = wx.reduce((a, v, i) => a + (v - mx) * (wy[i]! - my), 0), varx = wx.reduce((a, v) => a + (v - mx) ** 2, 0);
            return cov / varx;
        }, 1e-6);
    });

    it('crossover / crossunder', () => {
        const a = walk(200, 3), b = walk(200, 4);
        expectClose(compute('crossover', [a, b]), t => (t === 0 ? NaN : a[t]! > b[t]! && a[t - 1]! <= b[t - 1]! ? 1 : 0));
        expectClose(compute('crossunder', [a, b]), t => (t === 0 ? NaN : a[t]! < b[t]! && a[t - 1]! >= b[t - 1]! ? 1 : 0));
    });

    it('stdev stays accurate on prices near 1e5 with tiny variance (vs two-pass)', () => {
        const p = walk(5000, 5, 100_000).map(v => 100_000 + (v - 100_000) * 1e-4);
        const fast = compute('stdev', [p], [50]);
        for (let t = 49; t < p.length; t += 97) {
            const w = Array.from(p.subarray(t - 49, t + 1));
            expect(Math.abs(fast[t]! - pstdev(w)) / pstdev(w)).toBeLessThan(1e-6);
        }
    });
});

describe('recursive indicators', () => {
    it('ema: alpha 2/(n+1), seeded with the mean of the first n values (hand-checked)', () => {
        // n = 3: seed at index 2 = (1+2+3)/3 = 2; then alpha 0.5: 2 + 0.5(4−2) = 3; 3 + 0.5(10−3) = 6.5.
        expect(Array.from(compute('ema', [new Float64Array([1, 2, 3, 4, 10])], [3]))).toEqual([NaN, NaN, 2, 3, 6.5]);
    });
    it('ema skips a NaN bar and keeps its state', () => {
        expect(Array.from(compute('ema', [new Float64Array([1, 2, 3, NaN, 4])], [3]))).toEqual([NaN, NaN, 2, NaN, 3]);
    });
    it('rsi (Wilder): first value at index n; all gains → 100, flat → 50 (hand-checked)', () => {
        // Changes +1, −1, +2 (n = 2): first avg gain (1+0)/2 = 0.5, loss (0+1)/2 = 0.5 → RSI 50 at index 2;
        // then gain (0.5·1 + 2)/2 = 1.25, loss (0.5·1 + 0)/2 = 0.25 → RS 5 → 100 − 100/6 = 83.333…
        const r = compute('rsi', [new Float64Array([10, 11, 10, 12])], [2]);
        expect(r[0]).toBeNaN(); expect(r[1]).toBeNaN();
        expect(r[2]).toBeCloseTo(50, 12);
        expect(r[3]).toBeCloseTo(100 - 100 / 6, 12);
        expect(compute('rsi', [new Float64Array([1, 2, 3, 4])], [2])[3]).toBe(100);
        expect(compute('rsi', [new Float64Array([5, 5, 5, 5])], [2])[3]).toBe(50);
    });
    it('atr (Wilder): TR from bar 1, first value at index n = mean(TR_1..TR_n) (hand-checked)', () => {
        // bars (h, l, c): (10,9,9.5) (11,9,10) (12,10,11) (11,10,10.5)
        // TR1 = max(2, |11−9.5|, |9−9.5|) = 2; TR2 = max(2, 2, 0) = 2; TR3 = max(1, 0, 1) = 1
        // n = 2: ATR at 2 = (2+2)/2 = 2; at 3 = (2·1 + 1)/2 = 1.5
        const a = compute('atr', [new Float64Array([10, 11, 12, 11]), new Float64Array([9, 9, 10, 10]), new Float64Array([9.5, 10, 11, 10.5])], [2]);
        expect(Array.from(a)).toEqual([NaN, NaN, 2, 1.5]);
    });
    it('macd: line from index max(fast,slow)−1, signal from max(fast,slow)+signal−2, hist = line − signal', () => {
        const line = compute('macd', [x], [3, 6, 4], 'line'), sig = compute('macd', [x], [3, 6, 4], 'signal'), hist = compute('macd', [x], [3, 6, 4], 'hist');
        expect(Number.isNaN(line[4]!)).toBe(true); expect(Number.isNaN(line[5]!)).toBe(false);
        expect(Number.isNaN(sig[7]!)).toBe(true); expect(Number.isNaN(sig[8]!)).toBe(false);
        const fast = compute('ema', [x], [3]), slow = compute('ema', [x], [6]);
        for (let t = 5; t < 100; t++) expect(line[t]).toBeCloseTo(fast[t]! - slow[t]!, 10);
        for (let t = 8; t < 100; t++) expect(hist[t]).toBeCloseTo(line[t]! - sig[t]!, 12);
    });
    it('first defined index equals the catalogue look-back for every function', async () => {
        const { Catalogue } = await import('../../../language/src/catalogue/catalogue.js');
        const cat = new Catalogue();
        const clean = walk(300, 11);
        const cases: [string, number[], Float64Array[], string?][] = [
            ['sma', [20], [clean]], ['ema', [20], [clean]], ['wma', [20], [clean]], ['rsi', [14], [clean]], ['stdev', [20], [clean]],
            ['highest', [20], [clean]], ['roc', [12], [clean]], ['zscore', [20], [clean]], ['macd', [12, 26, 9], [clean], 'signal'],
            ['bollinger', [20, 2], [clean], 'upper'], ['atr', [14], [clean.map(v => v * 1.01), clean.map(v => v * 0.99), clean]],
        ];
        for (const [name, consts, inputs, output] of cases) {
            const info = cat.fn(name)!;
            const env: Record<string, number> = {};
            const constParams = info.params.filter(p => p.spec.form === 'num' && p.spec.shape === 'const');
            constParams.forEach((p, i) => { env[p.name] = consts[i]!; });
            const lb = info.lookback(env);
            const out = compute(name, inputs, consts, output);
            const first = out.findIndex(v => !Number.isNaN(v));
            expect(first, name).toBe(lb);
        }
    });
});
