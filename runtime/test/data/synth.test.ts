/**
 * The seeded synthetic generator: bit-identical for a seed, different across seeds, valid
 * OHLCV on any timeframe, correlation as requested, and all regimes visited.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { importBars } from '../../src/data/import.js';
import { snapshotHash } from '../../src/data/snapshot.js';
import { type DataStore } from '../../src/store/store.js';
import { openStore } from '../../src/schema/registry.js';
import { prng, REGIMES, synthBarData, synthBars, type SynthOptions, type SynthResult } from '../../src/data/synth.js';
import { DAY, HOUR, MINUTE, WEEK, weekday } from '../../src/data/timeframe.js';
import { tempDir } from './helpers.js';

const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const columnsOf = (r: SynthResult): Float64Array[] => [r.ts, ...r.assets.flatMap(a => [a.open, a.high, a.low, a.close, a.volume])];

function corr(x: readonly number[], y: readonly number[]): number {
    const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const mx = mean(x), my = mean(y);
    let sxy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < x.length; i++) {
        sxy += (x[i]! - mx) * (y[i]! - my);
        sxx += (x[i]! - mx) ** 2;
        syy += (y[i]! - my) ** 2;
    }
    return sxy / Math.sqrt(sxx * syy);
}

function std(v: readonly number[]): number {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

const logReturns = (r: SynthResult, j: number): number[] => Array.from(r.assets[j]!.close, (c, i) => Math.log(c / r.assets[j]!.open[i]!));

const BASE: SynthOptions = { symbols: ['AAA', 'BBB', 'CCC'], timeframeMs: HOUR, bars: 2000, seed: 11 };

describe('determinism', () => {
    it('the same options give bit-identical output', () => {
        const a = synthBars(BASE), b = synthBars({ ...BASE, symbols: [...BASE.symbols] });
        const ca = columnsOf(a), cb = columnsOf(b);
        expect(ca).toHaveLength(16);
        for (let k = 0; k < ca.length; k++) expect(bytes(ca[k]!).equals(bytes(cb[k]!))).toBe(true);
        expect(Buffer.from(a.regimes).equals(Buffer.from(b.regimes))).toBe(true);
        expect(synthBarData(BASE).snapshotHash).toBe(synthBarData(BASE).snapshotHash);
    });

    it('a different seed (even the next one) gives different data', () => {
        const a = synthBars(BASE);
        for (const seed of [12, 10, 1011]) {
            const b = synthBars({ ...BASE, seed });
            expect(Array.from(b.ts)).toEqual(Array.from(a.ts));
            const same = a.assets[0]!.close.filter((c, i) => c === b.assets[0]!.close[i]).length;
            expect(same).toBe(0);
            expect(synthBarData({ ...BASE, seed }).snapshotHash).not.toBe(synthBarData(BASE).snapshotHash);
        }
    });

    it('is pinned: the generator has not changed (update these only on purpose; stored synthetic data changes with them)', () => {
        const r = prng(42);
        expect([r(), r(), r()]).toEqual([0.24572046380490065, 0.5754302670247853, 0.3558912726584822]);
        expect(synthBarData({ symbols: ['A', 'B'], timeframeMs: DAY, bars: 500, seed: 42 }).snapshotHash).toBe('c61964d00d7c54068c7d620927c279941a7d6204f2c5ec2d8f7b462398fabe54');
    });

    it('prng is uniform on [0, 1)', () => {
        const r = prng(7);
        const xs = Array.from({ length: 20_000 }, r);
        expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...xs)).toBeLessThan(1);
        const buckets = new Array<number>(10).fill(0);
        for (const x of xs) buckets[Math.floor(x * 10)]!++;
        for (const b of buckets) expect(Math.abs(b - 2000)).toBeLessThan(200);
    });
});

describe('bars', () => {
    it.each([
        ['1m', MINUTE, 3],
        ['15m', 15 * MINUTE, 4],
        ['1h', HOUR, 5],
        ['4h', 4 * HOUR, 6],
        ['1d', DAY, 7],
        ['1w', WEEK, 8],
    ])('valid OHLCV on the %s grid', (_label, timeframeMs, seed) => {
        const r = synthBars({ symbols: ['X', 'Y'], timeframeMs, bars: 1500, seed, start: Date.UTC(2021, 5, 9, 13, 37) });
        expect(r.symbols).toEqual(['X', 'Y']);
        expect(r.timeframeMs).toBe(timeframeMs);
        expect(r.ts).toHaveLength(1500);
        const offset = timeframeMs === WEEK ? 4 * DAY : 0; // weeks start on Monday
        expect(r.ts[0]!).toBeLessThanOrEqual(Date.UTC(2021, 5, 9, 13, 37));
        expect(r.ts[0]!).toBeGreaterThan(Date.UTC(2021, 5, 9, 13, 37) - timeframeMs);
        for (let i = 0; i < r.ts.length; i++) {
            expect((r.ts[i]! - offset) % timeframeMs).toBe(0);
            if (i > 0) expect(r.ts[i]! - r.ts[i - 1]!).toBe(timeframeMs);
        }
        for (const a of r.assets) {
            for (let i = 0; i < r.ts.length; i++) {
                const o = a.open[i]!, h = a.high[i]!, l = a.low[i]!, c = a.close[i]!, v = a.volume[i]!;
                if (!(Number.isFinite(o) && Number.isFinite(h) && Number.isFinite(l) && Number.isFinite(c) && Number.isFinite(v))) throw new Error(`non-finite value at ${i}`);
                if (!(h >= Math.max(o, c) && l <= Math.min(o, c) && l > 0 && v > 0)) throw new Error(`invalid bar at ${i}: ${o} ${h} ${l} ${c} ${v}`);
                if (i > 0 && o !== a.close[i - 1]) throw new Error(`open ${i} is not the previous close`);
            }
        }
    });

    it('weekly bars start on Monday', () => {
        const r = synthBars({ symbols: ['X'], timeframeMs: WEEK, bars: 10, seed: 1, start: Date.UTC(2024, 0, 4) });
        expect(r.ts[0]).toBe(Date.UTC(2024, 0, 1));
        expect(Array.from(r.ts).map(weekday)).toEqual(new Array(10).fill(0));
    });

    it('starts on 2020-01-01 by default', () => {
        expect(synthBars({ symbols: ['X'], timeframeMs: HOUR, bars: 2, seed: 1 }).ts[0]).toBe(Date.UTC(2020, 0, 1));
    });

    it('refuses bad options with what is allowed', () => {
        const bad = (o: Partial<SynthOptions>): unknown => synthBars({ ...BASE, ...o });
        expect(() => bad({ symbols: [] })).toThrow(new DataError('synth: give at least one symbol'));
        expect(() => bad({ bars: 0 })).toThrow('synth: bars must be a positive whole number, not 0');
        expect(() => bad({ bars: 1.5 })).toThrow('synth: bars must be a positive whole number, not 1.5');
        expect(() => bad({ timeframeMs: 0 })).toThrow('synth: timeframe must be positive');
        expect(() => bad({ timeframeMs: NaN })).toThrow('synth: timeframe must be positive');
        expect(() => bad({ correlation: 1 })).toThrow('synth: correlation must be in [0, 1), not 1');
        expect(() => bad({ correlation: -0.2 })).toThrow('synth: correlation must be in [0, 1), not -0.2');
    });
});

describe('market structure', () => {
    it.each([0, 0.3, 0.5, 0.9])('correlation of returns ≈ %d', rho => {
        const r = synthBars({ ...BASE, bars: 4000, correlation: rho, seed: 5 });
        const rets = [0, 1, 2].map(j => logReturns(r, j));
        for (const [i, j] of [[0, 1], [0, 2], [1, 2]] as const) expect(Math.abs(corr(rets[i]!, rets[j]!) - rho)).toBeLessThan(0.06);
    });

    it('the default correlation is 0.5', () => {
        const r = synthBars({ ...BASE, bars: 4000, seed: 9 });
        expect(Math.abs(corr(logReturns(r, 0), logReturns(r, 1)) - 0.5)).toBeLessThan(0.06);
    });

    it('visits every regime, switching every few dozen bars; the volatile one is about 3× as volatile', () => {
        const r = synthBars({ ...BASE, bars: 4000, seed: 5 });
        expect(REGIMES).toEqual(['trending', 'mean-reverting', 'volatile']);
        const counts = [0, 0, 0];
        for (const g of r.regimes) counts[g]!++;
        for (const c of counts) expect(c).toBeGreaterThan(400);
        let switches = 0;
        for (let i = 1; i < r.regimes.length; i++) if (r.regimes[i] !== r.regimes[i - 1]) switches++;
        expect(4000 / (switches + 1)).toBeGreaterThan(30);
        expect(4000 / (switches + 1)).toBeLessThan(120);
        const ret = logReturns(r, 0);
        const sd = (g: number): number => std(ret.filter((_, i) => r.regimes[i] === g));
        expect(sd(2) / sd(0)).toBeGreaterThan(2.4);
        expect(sd(2) / sd(0)).toBeLessThan(3.6);
        expect(sd(2) / sd(1)).toBeGreaterThan(2.4);
        // Calm volatility follows annualVol: 60% a year by default.
        expect(sd(0) / Math.sqrt(HOUR / (365.25 * DAY))).toBeGreaterThan(0.5);
        expect(sd(0) / Math.sqrt(HOUR / (365.25 * DAY))).toBeLessThan(0.7);
    });

    it('every seed visits all regimes over a long run', () => {
        for (let seed = 0; seed < 20; seed++) {
            const r = synthBars({ symbols: ['X'], timeframeMs: DAY, bars: 3000, seed });
            expect(new Set(r.regimes).size).toBe(3);
        }
    });
});

describe('synthBarData', () => {
    it('is BarData whose hash covers the ids and bytes', () => {
        const o = { symbols: ['BTC/USDT', 'ETH/USDT'], timeframeMs: HOUR, bars: 100, seed: 3 };
        const d = synthBarData(o);
        const r = synthBars(o);
        expect(d.timeframeMs).toBe(HOUR);
        expect(Array.from(d.ts)).toEqual(Array.from(r.ts));
        expect(d.snapshotHash).toBe(snapshotHash(['synth:BTC/USDT', 'synth:ETH/USDT'], HOUR, r.ts, r.assets));
        expect(synthBarData({ ...o, venue: 'binance' }).snapshotHash).toBe(snapshotHash(['binance:BTC/USDT', 'binance:ETH/USDT'], HOUR, r.ts, r.assets));
        expect(synthBarData({ ...o, venue: 'binance' }).snapshotHash).not.toBe(d.snapshotHash);
    });
});

describe('synthetic bars import cleanly at their timeframe', () => {
    let store: DataStore;
    beforeAll(async () => { store = await openStore({ stateDir: join(tempDir(), 's') }); });
    afterAll(() => store.close());

    it.each([['15m', 15 * MINUTE], ['4h', 4 * HOUR], ['1d', DAY], ['1w', WEEK]])('%s', async (timeframe, timeframeMs) => {
        const r = synthBars({ symbols: ['X'], timeframeMs, bars: 300, seed: 4, start: Date.UTC(2023, 2, 15, 9, 30) });
        const a = r.assets[0]!;
        const res = await importBars(store, { ts: r.ts, ...a }, 'synth', { venue: 'synth', symbol: `X${timeframe}`, timeframe });
        expect(res.problems).toEqual([]);
        expect(res.rowsWritten).toBe(300);
    });
});
