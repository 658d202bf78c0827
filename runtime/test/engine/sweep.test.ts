/**
 * Sweeps and walk-forward on real worker threads (the compiled worker from out/, built by
 * `npm run build`): every combination is run exactly once, results equal single-threaded runs,
 * constraints are honoured, and walk-forward windows tile the data.
 */
import { describe, expect, it } from 'vitest';
import { gridParamSets, randomParamSets } from '../../src/engine/param-space.js';
import { runSweep, runWalkForward, walkForwardWindows } from '../../src/engine/sweep.js';
import { capitalOf, runRange, runTrial } from '../../src/engine/trial.js';
import { returnsOf } from '../../src/engine/metrics.js';
import { blockMoments, expectedMaxStandardNormal, probabilityOfOverfitting } from '../../src/engine/overfitting.js';
import { irOf, synthBars } from './fixtures.js';

const SRC = `strategy Sweep {
  universe: x:A
  timeframe: 1d
  param fast: int = 10 in 5..20 step 5
  param slow: int = 40 in 20..60 step 20
  constraint fast < slow
  signal up = crossover(sma(close, fast), sma(close, slow))
  signal down = crossunder(sma(close, fast), sma(close, slow))
  rules {
    when up => target 100% long
    when down => flat
  }
  execution {
    fees: 5 bps
    slippage: 5 bps
  }
}`;

describe('parameter space', () => {
    it('the grid is the product of the param grids minus what the constraints exclude', async () => {
        const ir = await irOf(SRC);
        const sets = gridParamSets(ir);
        // fast ∈ {5,10,15,20}, slow ∈ {20,40,60}: 12 combinations, minus fast=20,slow=20 → 11
        expect(sets).toHaveLength(11);
        expect(sets.every(s => (s['fast'] as number) < (s['slow'] as number))).toBe(true);
        expect(gridParamSets(ir, { slow: 40 })).toHaveLength(4);
    });
    it('random samples are seeded, distinct and honour the constraints', async () => {
        const ir = await irOf(SRC);
        const a = randomParamSets(ir, 8, 42), b = randomParamSets(ir, 8, 42);
        expect(a).toEqual(b);
        expect(new Set(a.map(s => JSON.stringify(s))).size).toBe(a.length);
        expect(a.every(s => (s['fast'] as number) < (s['slow'] as number))).toBe(true);
    });
});

describe('sweep on worker threads', () => {
    it('runs every combination once, in parallel, with the same numbers as a direct run', async () => {
        const ir = await irOf(SRC);
        const data = synthBars({ assets: 1, bars: 800, seed: 3 });
        const progress: number[] = [];
        const r = await runSweep(ir, data, { workers: 2, onProgress: d => progress.push(d) });
        expect(r.trials).toBe(11);
        expect(progress.at(-1)).toBe(11);
        expect(new Set(r.rows.map(x => JSON.stringify(x.params))).size).toBe(11);
        // Sorted by Sharpe, best first.
        for (let i = 1; i < r.rows.length; i++) expect(r.rows[i - 1]!.metrics.sharpe >= r.rows[i]!.metrics.sharpe || Number.isNaN(r.rows[i]!.metrics.sharpe)).toBe(true);
        // A worker's result equals the same trial run here.
        const direct = runTrial(ir, data, r.rows[3]!.params);
        expect(r.rows[3]!.metrics.totalReturn).toBe(direct.metrics.totalReturn);
        expect(r.deflated.dsr).toBeGreaterThanOrEqual(0);
        expect(r.deflated.dsr).toBeLessThanOrEqual(1);
    }, 60_000);

    it('measures its overfitting: PBO over 16 blocks of every trial\'s returns (as a direct backtest gives them), MinBTL for its trials', async () => {
        const ir = await irOf(SRC);
        const data = synthBars({ assets: 1, bars: 800, seed: 3 });
        const r = await runSweep(ir, data, { workers: 2 });
        const o = r.overfitting;
        expect(o.pbo!.blocks).toBe(16);
        expect(o.pbo!.combinations).toBe(12870); // C(16, 8)
        // The same statistic from trials run here, one by one, cut into blocks independently of the pool.
        const direct = r.rows.map(row => {
            const { result } = runRange(ir, data, row.params);
            return blockMoments(returnsOf(result.equity, capitalOf(ir)), 16);
        });
        expect(o.pbo!.pbo).toBe(probabilityOfOverfitting(direct)!.pbo);
        expect(o.pbo!.pbo).toBeGreaterThanOrEqual(0);
        expect(o.pbo!.pbo).toBeLessThanOrEqual(1);
        const sr = r.rows[0]!.metrics.sharpe;
        if (sr > 0) expect(o.minBacktest.years).toBeCloseTo((expectedMaxStandardNormal(11) / sr) ** 2, 12);
        else expect(o.minBacktest.years).toBeNaN(); // no positive Sharpe to explain
        expect(o.years).toBeCloseTo((data.ts[799]! - data.ts[0]!) / (365.25 * 86_400_000), 12);
    }, 60_000);
});

describe('walk-forward', () => {
    it('rolling and anchored windows tile the data', () => {
        expect(walkForwardWindows(1000, 'rolling', 400, 200)).toEqual([
            { isFrom: 0, isTo: 400, oosFrom: 400, oosTo: 600 },
            { isFrom: 200, isTo: 600, oosFrom: 600, oosTo: 800 },
            { isFrom: 400, isTo: 800, oosFrom: 800, oosTo: 1000 },
        ]);
        expect(walkForwardWindows(1000, 'anchored', 400, 300).map(w => [w.isFrom, w.isTo, w.oosTo])).toEqual([[0, 400, 700], [0, 700, 1000]]);
        expect(() => walkForwardWindows(100, 'rolling', 400, 200)).toThrow(/too few for one window/);
    });
    it('picks the in-sample best for each window and stitches the out-of-sample equity', async () => {
        const ir = await irOf(SRC);
        const data = synthBars({ assets: 1, bars: 900, seed: 5 });
        const r = await runWalkForward(ir, data, { inSample: 300, outOfSample: 200, workers: 2 });
        expect(r.windows).toHaveLength(3);
        expect(r.equity.length).toBe(600);
        for (const w of r.windows) {
            // The chosen params are the in-sample best among all combinations.
            const all = gridParamSets(ir).map(p => runTrial(ir, data, p, w.isFrom, w.isTo).metrics.sharpe);
            const best = Math.max(...all.filter(Number.isFinite));
            expect(w.inSample.sharpe).toBeCloseTo(best, 12);
        }
        expect(r.equity.every(Number.isFinite)).toBe(true);
    }, 120_000);
});
