/**
 * Feature panels: the compiled engine's values of a strategy's features and signals at every bar
 * for every asset, checked against hand calculations on tiny series.
 */
import { describe, expect, it } from 'vitest';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import { computePanel, panelIndex, panelSeries, type Panel } from '../../src/engine/panel.js';
import { BacktestError, type AssetBars, type BarData } from '../../src/engine/types.js';
import { irOf } from './fixtures.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** Bars whose open/high/low/close are all the close (enough for close-based features). */
function closes(series: readonly (readonly number[])[]): BarData {
    const T = series[0]!.length;
    const assets: AssetBars[] = series.map(s => {
        const c = Float64Array.from(s);
        return { open: c, high: c, low: c, close: c, volume: new Float64Array(T).fill(1000) };
    });
    return { ts: Float64Array.from({ length: T }, (_, i) => T0 + i * DAY), assets, snapshotHash: 'test-snapshot', timeframeMs: DAY };
}

const A = [10, 11, 12, 11, 13];
const B = [20, 19, 21, 22, 20];
const C = [5, 5.5, 5, 6, 6.5];

const SOURCE = `strategy P {
  universe: x:A, x:B, x:C
  timeframe: 1d
  param n: int = 3 in 2..5
  feature avg = sma(close, n)
  feature strength = rsi(close, 2)
  feature move = rank(close - close[1])
  signal up = close > avg
  rules {
    when up => target 10% long
  }
}`;

/** Simple moving average by definition: mean of the last n values, NaN before n values. */
function smaRef(x: readonly number[], n: number): number[] {
    return x.map((_, t) => (t + 1 < n ? NaN : x.slice(t + 1 - n, t + 1).reduce((s, v) => s + v, 0) / n));
}

/** Wilder's RSI: the first average is the mean of the first n changes, then avg = (avg (n − 1) + x) / n. */
function rsiRef(x: readonly number[], n: number): number[] {
    const out = x.map(() => NaN);
    let gain = 0, loss = 0;
    for (let t = 1; t < x.length; t++) {
        const d = x[t]! - x[t - 1]!;
        const g = Math.max(d, 0), l = Math.max(-d, 0);
        if (t < n) { gain += g; loss += l; continue; }
        if (t === n) { gain = (gain + g) / n; loss = (loss + l) / n; } else { gain = (gain * (n - 1) + g) / n; loss = (loss * (n - 1) + l) / n; }
        out[t] = loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
    }
    return out;
}

const series = (p: Panel, f: string, a: string | number) => Array.from(panelSeries(p, f, a));

describe('computePanel', () => {
    it('evaluates features and signals at every bar for every asset, features first', async () => {
        const ir = await irOf(SOURCE);
        const p = computePanel(ir, closes([A, B, C]));
        expect(p.features).toEqual(['avg', 'strength', 'move', 'up']);
        expect(p.kinds).toEqual(['feature', 'feature', 'feature', 'signal']);
        expect(p.symbols).toEqual(['x:A', 'x:B', 'x:C']);
        expect(Array.from(p.ts)).toEqual([0, 1, 2, 3, 4].map(i => T0 + i * DAY));
        expect(p.values.length).toBe(4 * 3 * 5);
        // Layout [feature][asset][t].
        expect(p.values[panelIndex(p, 0, 0, 2)]).toBe(panelSeries(p, 'avg', 'x:A')[2]);
        expect(panelIndex(p, 1, 2, 4)).toBe((1 * 3 + 2) * 5 + 4);
    });

    it('sma: the mean of the last n closes (hand calculation)', async () => {
        const p = computePanel(await irOf(SOURCE), closes([A, B, C]));
        // A: bars 0–1 undefined; (10 + 11 + 12) / 3 = 11; (11 + 12 + 11) / 3 = 34/3; (12 + 11 + 13) / 3 = 12.
        const a = series(p, 'avg', 'x:A');
        expect(a.slice(0, 2)).toEqual([NaN, NaN]);
        expect(a[2]).toBeCloseTo(11, 12);
        expect(a[3]).toBeCloseTo(34 / 3, 12);
        expect(a[4]).toBeCloseTo(12, 12);
        [A, B, C].forEach((x, i) => {
            const got = series(p, 'avg', i), want = smaRef(x, 3);
            got.forEach((v, t) => (Number.isNaN(want[t]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(want[t]!, 12)));
        });
    });

    it('rsi(2): Wilder smoothing (hand calculation)', async () => {
        const p = computePanel(await irOf(SOURCE), closes([A, B, C]));
        // A's changes: +1, +1, −1, +2.
        // t2: gain (1 + 1) / 2 = 1, loss 0 → 100.
        // t3: gain (1·1 + 0) / 2 = 0.5, loss (0·1 + 1) / 2 = 0.5 → RS 1 → 50.
        // t4: gain (0.5 + 2) / 2 = 1.25, loss (0.5 + 0) / 2 = 0.25 → RS 5 → 100 − 100/6.
        const a = series(p, 'strength', 'x:A');
        expect(a.slice(0, 2)).toEqual([NaN, NaN]);
        expect(a[2]).toBe(100);
        expect(a[3]).toBeCloseTo(50, 12);
        expect(a[4]).toBeCloseTo(100 - 100 / 6, 12);
        [A, B, C].forEach((x, i) => {
            const got = series(p, 'strength', i), want = rsiRef(x, 2);
            got.forEach((v, t) => (Number.isNaN(want[t]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(want[t]!, 12)));
        });
    });

    it('rank: the cross-sectional percentile of the one-bar change across the three assets', async () => {
        const p = computePanel(await irOf(SOURCE), closes([A, B, C]));
        // Changes (A, B, C) and ranks (lowest 0, highest 1, ties share the average):
        // t1: (+1, −1, +0.5) → A 1, B 0, C 0.5
        // t2: (+1, +2, −0.5) → A 0.5, B 1, C 0
        // t3: (−1, +1, +1)   → A 0, B and C tie for places 1 and 2 → (1 + 2) / 2 / 2 = 0.75
        // t4: (+2, −2, +0.5) → A 1, B 0, C 0.5
        expect(series(p, 'move', 'x:A')).toEqual([NaN, 1, 0.5, 0, 1]);
        expect(series(p, 'move', 'x:B')).toEqual([NaN, 0, 1, 0.75, 0]);
        expect(series(p, 'move', 'x:C')).toEqual([NaN, 0.5, 0, 0.75, 0.5]);
    });

    it('signals are 1 / 0 / NaN', async () => {
        const p = computePanel(await irOf(SOURCE), closes([A, B, C]));
        // A: close > sma3 → t2 12 > 11, t3 11 > 11.33 is false, t4 13 > 12.
        expect(series(p, 'up', 'x:A')).toEqual([NaN, NaN, 1, 0, 1]);
    });

    it('an asset without a bar is undefined there and left out of the cross-section', async () => {
        const c = [...C];
        c[3] = NaN;
        const p = computePanel(await irOf(SOURCE), closes([A, B, c]));
        // t3: only A (−1) and B (+1) are defined → A 0, B 1; C has no change at t3 nor at t4 (its previous close is missing).
        expect(series(p, 'move', 'x:A')[3]).toBe(0);
        expect(series(p, 'move', 'x:B')[3]).toBe(1);
        expect(series(p, 'move', 'x:C').slice(3)).toEqual([NaN, NaN]);
        // t4: A +2, B −2 → A 1, B 0.
        expect(series(p, 'move', 'x:A')[4]).toBe(1);
    });

    it('uses the given params, and records the provenance a backtest would', async () => {
        const ir = await irOf(SOURCE);
        const data = closes([A, B, C]);
        const p = computePanel(ir, data, { n: 2 });
        // sma2 of A at t1 = (10 + 11) / 2.
        expect(series(p, 'avg', 'x:A')[1]).toBe(10.5);
        const run = new CompiledBacktester().run(ir, data, { params: { n: 2 } });
        expect(p.provenance.exactFingerprint).toBe(run.provenance.exactFingerprint);
        expect(p.provenance.structuralFingerprint).toBe(run.provenance.structuralFingerprint);
        expect(p.provenance).toMatchObject({ strategy: 'P', params: { n: 2 }, dataSnapshot: 'test-snapshot', engineVersion: run.provenance.engineVersion });
        expect(computePanel(ir, data).provenance.exactFingerprint).not.toBe(p.provenance.exactFingerprint);
        expect(() => computePanel(ir, data, { n: 9 })).toThrow(/outside its range/);
    });

    it('selects columns by name and refuses unknown ones', async () => {
        const ir = await irOf(SOURCE);
        const p = computePanel(ir, closes([A, B, C]), {}, { columns: ['up', 'avg'] });
        expect(p.features).toEqual(['up', 'avg']);
        expect(p.kinds).toEqual(['signal', 'feature']);
        expect(series(p, 'up', 'x:A')).toEqual([NaN, NaN, 1, 0, 1]);
        expect(() => computePanel(ir, closes([A, B, C]), {}, { columns: ['nope'] })).toThrow(/no feature or signal 'nope'.*avg, strength, move, up/);
    });

    it('runs over another universe when the columns name no asset alias', async () => {
        const ir = await irOf(SOURCE);
        const D = [1, 2, 3, 4, 5];
        const p = computePanel(ir, closes([A, B, C, D]), {}, { symbols: ['x:A', 'x:B', 'x:C', 'x:D'] });
        expect(p.symbols).toEqual(['x:A', 'x:B', 'x:C', 'x:D']);
        // t1 changes: A +1, B −1, C +0.5, D +1 → B 0, C 1/3, A and D tie at places 2, 3 → 2.5 / 3.
        expect(series(p, 'move', 'x:D')[1]).toBeCloseTo(2.5 / 3, 15);
        expect(series(p, 'move', 'x:C')[1]).toBeCloseTo(1 / 3, 15);
        expect(() => computePanel(ir, closes([A, B, C, D]))).toThrow(/name the data's assets/);

        const aliased = await irOf(`strategy Q {
  universe: x:A as a, x:B as b
  timeframe: 1d
  feature spread = a.close - b.close
  rules {
    when spread > 0 => target 10% long
  }
}`);
        expect(series(computePanel(aliased, closes([A, B])), 'spread', 0)).toEqual(A.map((v, i) => v - B[i]!));
        expect(() => computePanel(aliased, closes([A, B, C]), {}, { symbols: ['x:A', 'x:B', 'x:C'] })).toThrow(/reads a\.close/);
    });

    it('refuses data that does not fit', async () => {
        const ir = await irOf(SOURCE);
        const hourly = { ...closes([A, B, C]), timeframeMs: 3_600_000 };
        expect(() => computePanel(ir, hourly)).toThrow(BacktestError);
        expect(() => computePanel(ir, hourly)).toThrow(/1d bars/);
        const noFeatures = await irOf(`strategy E {
  universe: x:A
  timeframe: 1d
  rules {
    when close > open => target 10% long
  }
}`);
        expect(() => computePanel(noFeatures, closes([A]))).toThrow(/declares no features or signals/);
    });
});
