/**
 * Each trade's maximum adverse and favourable excursion (runtime/src/pipeline/result.ts
 * excursionOf), through the run pipeline: worked by hand on tiny series (which bars count at entry
 * and exit: docs/backtest-semantics.md), then the invariants over a backtest and a walk-forward of
 * a random market: MAE ≤ 0 ≤ MFE and the realised price return within [MAE, MFE].
 */
import { describe, expect, it } from 'vitest';
import { fromWire } from '../../../protocol/src/numbers.js';
import { RunResult, type RunTrade } from '../../../protocol/src/run-result.js';
import type { LoadedBars } from '../../src/data/load.js';
import { executeRun } from '../../src/pipeline/execute.js';
import { prepareRun, type RunRequest } from '../../src/pipeline/prepare.js';
import { bars, irOf, synthBars, CROSS_SRC } from '../engine/fixtures.js';

const strategy = (rules: string, risk = '') => `strategy T {
  universe: x:A
  timeframe: 1d
  rules {
${rules}
  }
${risk}
  execution {
    fees: 0 bps
    slippage: 0 bps
    capital: 1000
  }
}`;

async function run(source: string, data: LoadedBars, request: RunRequest = { kind: 'backtest' }): Promise<RunResult> {
    const ir = await irOf(source);
    const p = await prepareRun(request, { compile: async () => ir, load: async () => data });
    const { result } = await executeRun({ ...p, symbols: p.data.ids }, { workers: 0 });
    expect(RunResult.safeParse(result).success).toBe(true);
    return result;
}

const loaded = (rows: [number, number, number, number][]): LoadedBars => ({ ...bars(rows), ids: ['x:A'], sources: ['1d'] });
const w = (t: RunTrade, k: 'mae' | 'mfe' | 'maePct' | 'mfePct'): number => fromWire(t[k]);

describe('MAE / MFE by hand', () => {
    it('a long entered at an open and closed at a later open: the bars held, not the exit bar\'s range after the exit', async () => {
        const r = await run(strategy('    when close > open and close < 10.6 => target 100% long\n    when close < open => flat'), loaded([
            [10, 10.8, 9.8, 10.5], // up: buy at the next open
            [10.4, 10.9, 9.5, 10.4], // bought at 10.4; held through its whole range (no signal)
            [10.5, 11.2, 10.1, 10.3], // down: sell at the next open
            [10.2, 12.0, 8.0, 11.0], // sold at its open 10.2: its 12 and 8 came after
            [11, 11.5, 10.8, 11.2],
        ]));
        expect(r.trades).toHaveLength(1);
        const t = r.trades[0]!;
        expect([fromWire(t.entryPrice), fromWire(t.exitPrice)]).toEqual([10.4, 10.2]);
        // Lowest low held 9.5 (bar 1), highest high 11.2 (bar 2).
        expect(w(t, 'mae')).toBeCloseTo(9.5 - 10.4, 12);
        expect(w(t, 'mfe')).toBeCloseTo(11.2 - 10.4, 12);
        expect(w(t, 'maePct')).toBeCloseTo((9.5 - 10.4) / 10.4, 12);
        expect(w(t, 'mfePct')).toBeCloseTo((11.2 - 10.4) / 10.4, 12);
    });

    it('a short stopped out inside a bar: the stop price is the worst, that bar\'s open counts, its high beyond the stop does not', async () => {
        const r = await run(strategy('    when close < open and close > 9.5 => target 100% short', '  risk {\n    stop_loss: 5%\n  }'), loaded([
            [10, 10.2, 9.7, 9.8], // down: sell short at the next open
            [9.9, 10.1, 9.4, 9.9], // shorted at 9.9 (no signal); stop at 9.9 × 1.05 = 10.395
            [9.7, 10.6, 9.6, 10.5], // high 10.6 ≥ 10.395: stopped at 10.395
            [10.5, 10.7, 10.4, 10.6],
        ]));
        expect(r.trades).toHaveLength(1);
        const t = r.trades[0]!;
        expect(t.exitReason).toBe('stop_loss');
        expect(fromWire(t.exitPrice)).toBeCloseTo(10.395, 12);
        // A short loses as the price rises: worst 10.395 (the stop), best 9.4 (bar 1's low).
        expect(w(t, 'mae')).toBeCloseTo(9.9 - 10.395, 12);
        expect(w(t, 'mfe')).toBeCloseTo(9.9 - 9.4, 12);
        expect(w(t, 'maePct')).toBeCloseTo((9.9 - 10.395) / 9.9, 12);
    });
});

describe('MAE / MFE invariants', () => {
    it('over every trade of a backtest and a walk-forward: MAE ≤ 0 ≤ MFE, the price return between them', async () => {
        const data: LoadedBars = { ...synthBars({ assets: 1, bars: 900, seed: 7 }), ids: ['x:A'], sources: ['1d'] };
        const check = (trades: readonly RunTrade[]): void => {
            expect(trades.length).toBeGreaterThan(3);
            for (const t of trades) {
                const mae = w(t, 'maePct'), mfe = w(t, 'mfePct');
                const move = (fromWire(t.exitPrice) / fromWire(t.entryPrice) - 1) * (t.side === 'long' ? 1 : -1);
                expect(mae).toBeLessThanOrEqual(0);
                expect(mfe).toBeGreaterThanOrEqual(0);
                expect(move).toBeGreaterThanOrEqual(mae - 1e-12);
                expect(move).toBeLessThanOrEqual(mfe + 1e-12);
                expect(w(t, 'mae')).toBeCloseTo(mae * fromWire(t.entryPrice), 9);
            }
        };
        check((await run(CROSS_SRC, data)).trades);
        check((await run(CROSS_SRC, data, { kind: 'walkforward' })).trades);
    });
});
