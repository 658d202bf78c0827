/**
 * The compiled engine on hand-made bars, with every expected fill and equity value computed by
 * hand in the comments (docs/backtest-semantics.md is the rulebook).
 */
import { describe, expect, it } from 'vitest';
import { synthBarData } from '../../src/data/synth.js';
import { CompiledBacktester, prepareCompiledRun } from '../../src/engine/compiled/index.js';
import { runBars } from '../../src/engine/compiled/loop.js';
import { compileProgram, FIELDS } from '../../src/engine/compiled/program.js';
import { compute } from '../../src/engine/indicators/index.js';
import { bars, exampleCases, irOf } from './fixtures.js';
import type { AssetBars, BacktestResult } from '../../src/engine/types.js';

const strategy = (body: string, exec = 'fees: 0 bps\n    slippage: 0 bps\n    capital: 1000') => `strategy T {
  universe: x:A
  timeframe: 1d
${body}
  execution {
    ${exec}
  }
}`;

async function run(body: string, rows: [number, number, number, number][], exec?: string, params?: Record<string, number>): Promise<BacktestResult> {
    return new CompiledBacktester().run(await irOf(strategy(body, exec)), bars(rows), { params });
}
const fills = (r: BacktestResult) => r.fills.map(f => [f.bar, +f.qty.toFixed(6), +f.price.toFixed(6), f.reason]);

describe('compiled engine: fills', () => {
    it('a signal at bar t fills at bar t+1 open, with slippage and fees; equity marks to the close', async () => {
        // t0: close 10.5 > open 10 → target 100% of E0 = 1000. t1 open 11: q = 1000 / 11 = 90.909091,
        // buy price 11 × 1.0005 = 11.0055, fee = 90.909091 × 11.0055 × 0.001 = 1.0005.
        // cash = 1000 − 1000.5 − 1.0005 = −1.5005; equity t1 = −1.5005 + 90.909091 × 12 = 1089.4086
        const r = await run('  rules {\n    when close > open and close < 11 => target 100% long\n  }', [[10, 11, 9, 10.5], [11, 12.5, 10.5, 12]], 'fees: 10 bps\n    slippage: 5 bps\n    capital: 1000');
        expect(fills(r)[0]).toEqual([1, 90.909091, 11.0055, 'signal']);
        expect(r.fills[0]!.fee).toBeCloseTo(1.0005, 9);
        // End of run: sell at 12 × 0.9995 = 11.994, fee 90.909091 × 11.994 × 0.001 = 1.090364
        const q = 1000 / 11;
        const cash = 1000 - q * 11.0055 - q * 11.0055 * 0.001 + q * 11.994 - q * 11.994 * 0.001;
        expect(r.equity[0]).toBe(1000);
        expect(r.equity[1]).toBeCloseTo(cash, 9);
        expect(r.trades).toHaveLength(1);
        expect(r.trades[0]!.pnl).toBeCloseTo(cash - 1000, 9);
        expect(r.trades[0]!.exitReason).toBe('end');
    });

    it('next_close fills at the next close; this_close at the same close', async () => {
        const rows: [number, number, number, number][] = [[10, 11, 9, 10.5], [11, 12, 10, 11.5], [11.5, 12, 11, 11.8]];
        const nc = await run('  rules {\n    when close > open and close < 11 => target 100% long\n  }', rows, 'fill: next_close\n    fees: 0 bps\n    slippage: 0 bps\n    capital: 1000');
        expect(fills(nc)[0]).toEqual([1, +(1000 / 11.5).toFixed(6), 11.5, 'signal']);
        const tc = await run('  rules {\n    when close[1] > 0 and open > 10.5 => target 100% long\n  }', rows, 'fill: this_close\n    fees: 0 bps\n    slippage: 0 bps\n    capital: 1000');
        expect(fills(tc)[0]).toEqual([1, +(1000 / 11.5).toFixed(6), 11.5, 'signal']);
    });

    it('warm-up: no trade before every input is defined', async () => {
        const rows: [number, number, number, number][] = [[10, 11, 9, 10], [10, 11, 9, 11], [11, 12, 10, 12], [12, 13, 11, 13], [13, 14, 12, 14]];
        const r = await run('  rules {\n    when close > sma(close, 3) => target 100% long\n  }', rows);
        // sma(close, 3) is defined from bar 2: first signal at bar 2, fill at bar 3's open.
        expect(r.warmupBars).toBe(2);
        expect(r.fills[0]!.bar).toBe(3);
    });
});

describe('compiled engine: protective exits', () => {
    const entry = '  rules {\n    when close > open and close < 10.6 => target 100% long\n  }\n';
    it('a stop loss hit intrabar exits at the stop level', async () => {
        // Entry at bar 1 open 10 (q 100). Stop 5% → 9.5. Bar 2 low 9.4 ≤ 9.5 → exit at 9.5.
        const r = await run(entry + '  risk {\n    stop_loss: 5%\n  }', [[10, 11, 9.8, 10.5], [10, 10.8, 9.9, 10.7], [10.6, 10.7, 9.4, 9.6]]);
        expect(fills(r)).toEqual([[1, 100, 10, 'signal'], [2, -100, 9.5, 'stop_loss']]);
        expect(r.equity[2]).toBeCloseTo(950, 9);
    });
    it('a gap through the stop exits at the open, which is worse', async () => {
        const r = await run(entry + '  risk {\n    stop_loss: 5%\n  }', [[10, 11, 9.8, 10.5], [10, 10.8, 9.9, 10.7], [9.2, 9.6, 9.0, 9.3]]);
        expect(fills(r)[1]).toEqual([2, -100, 9.2, 'stop_loss']);
    });
    it('when stop and take-profit both fall inside one bar, assume the stop', async () => {
        // Stop 9.5, take-profit 10% → 11. Bar 2 range 9.4..11.2 contains both.
        const r = await run(entry + '  risk {\n    stop_loss: 5%\n    take_profit: 10%\n  }', [[10, 11, 9.8, 10.5], [10, 10.8, 9.9, 10.7], [10.5, 11.2, 9.4, 10]]);
        expect(fills(r)[1]).toEqual([2, -100, 9.5, 'stop_loss']);
    });
    it('take-profit fills at its level, without slippage', async () => {
        const r = await run(entry + '  risk {\n    take_profit: 10%\n  }', [[10, 11, 9.8, 10.5], [10, 10.8, 9.9, 10.7], [10.5, 11.2, 10.4, 11.1]], 'fees: 0 bps\n    slippage: 10 bps\n    capital: 1000');
        // Entry 10 × 1.001 = 10.01 → take-profit 11.011; bar 2 high 11.2 ≥ 11.011 → exit at 11.011.
        expect(r.fills[1]!.reason).toBe('take_profit');
        expect(r.fills[1]!.price).toBeCloseTo(11.011, 9);
    });
    it('a trailing stop follows the best price of earlier bars', async () => {
        // Entry 10; trail 10%: best after bar 1 = max(10, 10.8) = 10.8 → level 9.72 at bar 2;
        // bar 2 high 12 → best 12 → level 10.8 at bar 3; bar 3 low 10.5 ≤ 10.8 → exit at 10.8.
        const r = await run(entry + '  risk {\n    trailing_stop: 10%\n  }', [[10, 11, 9.8, 10.5], [10, 10.8, 9.9, 10.7], [10.7, 12, 10.6, 11.9], [11.8, 11.9, 10.5, 10.6]]);
        expect(fills(r)[1]).toEqual([3, -100, 10.8, 'trailing_stop']);
    });
    it('a price-distance stop from an ATR-like expression', async () => {
        // stop_loss: 0.3 (a price distance, since 0.3 * (high − low) is in price): at bar 0, h − l = 1.2 → 0.36 → level 9.64.
        const r = await run(entry + '  risk {\n    stop_loss: 0.3 * (high - low)\n  }', [[10, 11, 9.8, 10.5], [10, 10.8, 9.9, 10.7], [10.5, 10.6, 9.6, 9.7]]);
        // The level uses the value at the latest evaluated close before the fill (bar 0): 0.3 × 1.2 = 0.36.
        expect(fills(r)[1]).toEqual([2, -100, 9.64, 'stop_loss']);
    });
});

describe('compiled engine: orders and risk limits', () => {
    it('a buy limit fills only when price trades through, at the limit or a better open; it expires', async () => {
        // At bar 0 close: limit at close − 1 = 9.5, expire 2 bars (active bars 1 and 2).
        const body = '  rules {\n    when close > open and close < 10.6 => buy 10 units limit at close - 1 expire 2 bars\n  }';
        const touch = await run(body, [[10, 11, 9.8, 10.5], [10.2, 10.8, 9.5, 10.7], [10.6, 10.8, 9.5, 10.7], [10, 10.1, 9.0, 9.2]]);
        expect(touch.fills).toEqual([]); // low = 9.5 touches but does not trade through; bar 3 is after expiry
        const through = await run(body, [[10, 11, 9.8, 10.5], [10.2, 10.8, 9.49, 10.7]]);
        expect(fills(through)[0]).toEqual([1, 10, 9.5, 'limit']);
        const gap = await run(body, [[10, 11, 9.8, 10.5], [9.3, 9.8, 9.1, 9.7]]);
        expect(fills(gap)[0]).toEqual([1, 10, 9.3, 'limit']);
    });
    it('max_drawdown => halt closes everything and stops trading', async () => {
        // Long 100 at 10 (bar 1). Bar 2 close 8.9: equity 890, drawdown 11% ≥ 10% → sell 100 at 8.9, halt.
        const r = await run('  rules {\n    when close > open and close < 10.6 => target 100% long\n    when close > 9.5 and close < 10 => target 100% long\n  }\n  risk {\n    max_drawdown: 10% => halt\n  }', [[10, 11, 9.8, 10.5], [10, 10.8, 9.9, 10.7], [10.5, 10.6, 8.8, 8.9], [9, 10, 8.9, 9.9]]);
        expect(fills(r).slice(-1)).toEqual([[2, -100, 8.9, 'drawdown']]);
        expect(r.events.map(e => e.kind)).toEqual(['halt']);
        expect(r.equity[3]).toBeCloseTo(890, 9);
    });
    it('targets above the leverage limit are scaled down', async () => {
        // target 150% with leverage 1 → 100%: q = 1000 / 10 = 100.
        const r = await run('  rules {\n    when close > open and close < 10.6 => target 150% long\n  }\n  risk {\n    leverage: 1\n  }', [[10, 11, 9.8, 10.5], [10, 10.8, 9.9, 10.7]]);
        expect(fills(r)[0]).toEqual([1, 100, 10, 'signal']);
    });
    it('a reversal closes one trade and opens the opposite one, sharing the fee pro rata', async () => {
        // Long 100 at 10 (bar 1). Short signal at bar 1 close: target −100% of E1 = 1070 → −107 at bar 2 open 10.7:
        // sell 207 at 10.7, fee 207 × 10.7 × 0.001 = 2.2149: 100/207 of it (1.07) closes the long, 107/207 opens the short.
        const r = await run('  rules {\n    when close > open and close < 10.6 => target 100% long\n    when close > 10.6 and close < 10.8 => target 100% short\n  }',
            [[10, 11, 9.8, 10.5], [10, 10.8, 9.9, 10.7], [10.7, 10.9, 10.5, 10.6]], 'fees: 10 bps\n    slippage: 0 bps\n    capital: 1000');
        expect(r.fills[1]!.qty).toBeCloseTo(-(100 + 1068.99 / 10.7 * 1), 1);
        const [long, short] = r.trades;
        expect(long!.side).toBe('long');
        // pnl of the long: −100 × 10 − 1 (entry fee) + 100 × 10.7 − fee share of the reversal
        const entryFee = 1, revFee = Math.abs(r.fills[1]!.qty) * 10.7 * 0.001;
        expect(long!.pnl).toBeCloseTo(-1000 - entryFee + 1070 - revFee * (100 / Math.abs(r.fills[1]!.qty)), 9);
        expect(short!.side).toBe('short');
        expect(r.trades).toHaveLength(2);
    });
});

/** Found by the differential tests against the reference interpreter (differential.test.ts). */
describe('compiled engine: regressions', () => {
    it('a short target can be written as a negative size: target -50% is short', async () => {
        // t0 close 10.5 > open → target −50% of 1000 → sell 500 / 11 at bar 1 open 11.
        const r = await run('  rules {\n    when close > open and close < 11 => target -50%\n  }', [[10, 11, 9, 10.5], [11, 12.5, 10.5, 12]]);
        expect(fills(r)[0]).toEqual([1, +(-500 / 11).toFixed(6), 11, 'signal']);
        expect(r.trades[0]!.side).toBe('short');
    });

    it('zscore and stdev of a window whose values are all equal: undefined and exactly 0 (no rounding residue)', () => {
        const xs = Float64Array.from([0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 7.3, 7.3, 7.3, 7.3, 7.3]);
        const z = compute('zscore', [xs], [5]), sd = compute('stdev', [xs], [5]);
        for (const t of [11, 16]) {
            expect(sd[t]).toBe(0);
            expect(z[t]).toBeNaN();
        }
        expect(z[6]).toBeCloseTo(0.5, 12); // [0, 1, 1, 1, 1]: mean 0.8, stdev 0.4
    });

    it('the drawdown peak is the highest recorded equity, not the mark before same-bar fills', async () => {
        // this_close, fees 1%: bar 0 buys 100 at 10 (fee 10) → equity[0] = 990, although the mark before
        // the fill was 1000. Bar 1 close 9.62 → 952: 3.84% below 990 (no warning; it would be 4.8% from 1000).
        // Bar 2 close 9.6 → 950: 4.04% → warning.
        const r = await run('  rules {\n    when open >= 10 and open < 11 => target 100% long\n  }\n  risk {\n    max_drawdown: 4% => warn\n  }',
            [[10, 10.2, 9.8, 10], [9.7, 9.9, 9.5, 9.62], [9.6, 9.7, 9.5, 9.6]], 'fill: this_close\n    fees: 100 bps\n    slippage: 0 bps\n    capital: 1000');
        expect(r.equity[0]).toBeCloseTo(990, 9);
        expect(r.events.map(e => [e.bar, e.kind])).toEqual([[2, 'drawdown_warning']]);
    });

    it('a position opened at the close does not take that bar\'s high as its best price', async () => {
        // Signal at bar 0 → next_close fill at bar 1's close 10.5. Bar 1's high of 12 came before the entry:
        // the trailing level at bar 2 is 10.5 × 0.95 = 9.975 (not 12 × 0.95 = 11.4, which would gap out at bar 2's open).
        const r = await run('  rules {\n    when close < 10.05 => target 100% long\n  }\n  risk {\n    trailing_stop: 5%\n  }',
            [[10, 10.2, 9.9, 10], [10, 12, 9.9, 10.5], [10.6, 10.8, 10.4, 10.7], [10.7, 11.5, 10.6, 11.4], [11.4, 11.4, 10.9, 11]], 'fill: next_close\n    fees: 0 bps\n    slippage: 0 bps\n    capital: 1000');
        // From bar 3 on the best is 11.5 (bar 3's high) → level 10.925 at bar 4, whose low 10.9 hits it.
        expect(fills(r)).toEqual([[1, +(1000 / 10.5).toFixed(6), 10.5, 'signal'], [4, -(+(1000 / 10.5).toFixed(6)), 10.925, 'trailing_stop']]);
    });

    it('resample runs on one coarse clock for all assets: late starts, a missing first bar of a day, other assets and the cross-section', async () => {
        const ir = await irOf(`strategy R {
  universe: x:A as a, x:B as b
  timeframe: 12h
  feature d = resample(close, 1d)
  feature s = resample(a.close - b.close, 1d)
  feature r = resample(rank(close), 1d)
  rules {
    when d > 0 and s > 0 and r > 0 => target 10% long
  }
}`);
        // Two bars a day for four days. A misses the first bar of day 2 (bar 4); B starts on day 1.
        const n = NaN;
        const closeA = [1, 2, 3, 4, n, 6, 7, 8], closeB = [n, n, 10, 20, 30, 40, 50, 60];
        const asset = (c: number[]): AssetBars => {
            const col = Float64Array.from(c);
            return { open: col, high: col, low: col, close: col, volume: Float64Array.from(c, x => (x === x ? 1 : NaN)) };
        };
        const assets = [asset(closeA), asset(closeB)];
        const ts = Float64Array.from({ length: 8 }, (_, i) => Date.UTC(2024, 0, 1) + i * 43_200_000);
        const nodes = ['d', 's', 'r'].map(f => ir.features[f]!);
        const program = compileProgram({ ir, params: {}, N: 2, aliases: new Map([['a', 0], ['b', 1]]), clockMs: 43_200_000 }, nodes);
        program.bind(FIELDS.flatMap(f => assets.map(x => x[f])), ts);
        const seen: number[][] = [];
        for (let t = 0; t < 8; t++) {
            program.step(t, 0, 2);
            seen.push(nodes.flatMap(id => [program.V[program.slot(id, 0)]!, program.V[program.slot(id, 1)]!]));
        }
        // [d(A), d(B), s(A), s(B), r(A), r(B)] at each bar: the values of the previous day's coarse bar.
        expect(seen[3]).toEqual([2, NaN, NaN, NaN, 0.5, NaN]); // day 0: B had no bar
        expect(seen[4]).toEqual([4, 20, -16, -16, 0, 1]); // A has no bar at 4, yet day 1 is complete
        expect(seen[7]).toEqual([6, 40, -34, -34, 0, 1]);
    });
});

/**
 * A backtest's loop stores equity alone and computes exposure from the fill log when it is read
 * (compiled/exposure.ts); the streaming engine's loop records it bar by bar. Both must give the same
 * array, bit for bit: every example (one asset and several, stops, drawdown exits, portfolios) on
 * data with missing bars and a late-starting asset.
 */
describe('compiled engine: exposure from the fill log', () => {
    it('equals the exposure the bar loop records, bit for bit, on every example', async () => {
        let withPositions = 0;
        for (const { name, ir } of await exampleCases()) {
            const T = 400;
            const data = synthBarData({ symbols: ir.universe.map((_, i) => `S${i}`), timeframeMs: ir.timeframe.ms, bars: T, seed: 7, start: Date.UTC(2021, 2, 29), annualVol: 0.6 });
            data.assets.forEach((b, a) => {
                const hole = (t: number) => { b.open[t] = b.high[t] = b.low[t] = b.close[t] = NaN; };
                for (const t of [57, 58, 59, 211]) hole(t);
                if (a > 0 && a === data.assets.length - 1) for (let t = 0; t < 40; t++) hole(t);
            });
            const lazy = new CompiledBacktester().run(ir, data);
            const run = prepareCompiledRun(ir, data, {}, true);
            runBars(run.step, T);
            const recorded = run.finish(T);
            expect(Array.from(lazy.equity), name).toEqual(Array.from(recorded.equity));
            const a = Array.from(lazy.exposure), b = Array.from(recorded.exposure);
            expect(a.map(x => Object.is(x, -0) ? 'neg0' : x), name).toEqual(b.map(x => Object.is(x, -0) ? 'neg0' : x));
            if (b.some(x => x !== 0)) withPositions++;
        }
        expect(withPositions).toBeGreaterThan(3);
    });
});
