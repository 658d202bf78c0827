/**
 * The stitched out-of-sample result of a walk-forward: its metrics are those of the stitched
 * series itself. Checked against an independent calculation from the result document alone
 * (the series, the trades): exposure, average exposure and turnover were NaN / 0 with trades,
 * and each window's trade P&L was scaled by the level where the window ended, not where it began.
 */
import { describe, expect, it } from 'vitest';
import { fromWire } from '../../../protocol/src/numbers.js';
import type { LoadedBars } from '../../src/data/load.js';
import { executeRun } from '../../src/pipeline/execute.js';
import { prepareRun } from '../../src/pipeline/prepare.js';
import { irOf, synthBars, CROSS_SRC } from '../engine/fixtures.js';

const SRC = CROSS_SRC;

const YEAR_MS = 365.25 * 86_400_000;

describe('walk-forward: the stitched out-of-sample metrics', () => {
    it('are computed from the stitched series and trades (exposure, turnover, P&L)', async () => {
        const ir = await irOf(SRC);
        const data: LoadedBars = { ...synthBars({ assets: 1, bars: 900, seed: 11 }), ids: ['x:A'], sources: ['1d'] };
        const p = await prepareRun({ kind: 'walkforward', walkforward: { inSample: 200, outOfSample: 100 } }, { compile: async () => ir, load: async () => data });
        const { result } = await executeRun({ ...p, symbols: p.data.ids }, { workers: 0 });
        const m = result.metrics;
        const series = result.series!;
        const trades = result.trades;
        expect(trades.length).toBeGreaterThan(5);

        // Exposure: the share of bars with a position; average exposure: the mean of the series.
        const exposure = series.exposure.map(fromWire);
        expect(exposure.every(Number.isFinite)).toBe(true);
        expect(fromWire(m.exposure)).toBeCloseTo(exposure.filter(x => x > 0).length / exposure.length, 12);
        expect(fromWire(m.avgExposure)).toBeCloseTo(exposure.reduce((a, b) => a + b, 0) / exposure.length, 12);
        expect(fromWire(m.exposure)).toBeGreaterThan(0);

        // Turnover: traded value (each trade is one entry fill and one exit fill of its full size:
        // `target 100%` on a crossover, flat on the opposite one) / mean equity / years.
        const equity = series.equity.map(fromWire);
        const traded = trades.reduce((a, t) => a + fromWire(t.maxQty) * (fromWire(t.entryPrice) + fromWire(t.exitPrice)), 0);
        const meanEquity = equity.reduce((a, b) => a + b, 0) / equity.length;
        const years = (series.ts[series.ts.length - 1]! - series.ts[0]!) / YEAR_MS;
        expect(fromWire(m.turnover)).toBeGreaterThan(0);
        expect(fromWire(m.turnover) / (traded / meanEquity / years)).toBeCloseTo(1, 9);

        // Every window ends flat, so the stitched trades' P&L adds up to the stitched equity's change.
        const pnl = trades.reduce((a, t) => a + fromWire(t.pnl), 0);
        expect(pnl / (equity[equity.length - 1]! - result.capital)).toBeCloseTo(1, 6);
        expect(fromWire(m.totalReturn)).toBeCloseTo(equity[equity.length - 1]! / result.capital - 1, 12);
    });
});
