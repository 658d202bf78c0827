/**
 * Risk limits and the corners of docs/backtest-semantics.md that the differential tests cannot
 * see (both engines could share a mistake): each scenario runs on BOTH the compiled engine and the
 * reference interpreter and is checked against numbers worked out by hand from the specification,
 * never against the other engine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthBarData } from '../../src/data/synth.js';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import { ReferenceBacktester } from '../../src/engine/reference/index.js';
import type { BacktestResult, BarData, Backtester, EngineEvent } from '../../src/engine/types.js';
import { FILL_REASONS } from '../../../protocol/src/run-result.js';
import { bars, irOf } from './fixtures.js';

const EXAMPLES = join(import.meta.dirname, '../../../examples');
const ENGINES: readonly [string, Backtester][] = [['compiled', new CompiledBacktester()], ['reference', new ReferenceBacktester()]];

type Row = readonly [number, number, number, number] | null;

/** Bars of several assets from rows of [open, high, low, close] per asset (null: the asset has no bar). */
function panel(...assets: readonly (readonly Row[])[]): BarData {
    const T = assets[0]!.length;
    const col = (rows: readonly Row[], k: number) => Float64Array.from(rows, r => (r ? r[k]! : NaN));
    return {
        ts: Float64Array.from({ length: T }, (_, i) => Date.UTC(2024, 0, 1) + i * 86_400_000),
        assets: assets.map(rows => ({ open: col(rows, 0), high: col(rows, 1), low: col(rows, 2), close: col(rows, 3), volume: Float64Array.from(rows, r => (r ? 1000 : NaN)) })),
        snapshotHash: 'test', timeframeMs: 86_400_000,
    };
}

const flat10: Row = [10, 10, 10, 10];

function strategy(universe: string, body: string, exec = 'fees: 0 bps\n    slippage: 0 bps\n    capital: 1000'): string {
    return `strategy T {\n  universe: ${universe}\n  timeframe: 1d\n${body}\n  execution {\n    ${exec}\n  }\n}`;
}

async function both(src: string, data: BarData): Promise<[string, BacktestResult][]> {
    const ir = await irOf(src);
    return ENGINES.map(([name, e]) => [name, e.run(ir, data)]);
}

/** Position of each asset after the fills of every bar, from the fill log. */
function positions(r: BacktestResult, N: number, T: number): number[][] {
    const q = new Array<number>(N).fill(0);
    const out: number[][] = [];
    let k = 0;
    for (let t = 0; t < T; t++) {
        while (k < r.fills.length && r.fills[k]!.bar === t) { q[r.fills[k]!.asset]! += r.fills[k]!.qty; k++; }
        out.push([...q]);
    }
    return out;
}

describe('an asset without a bar at the signal bar', () => {
    // A has a bar every day at 10; B misses bar 1. The condition reads A's close (aliased), so it
    // is true at B too, also where B has no bar.
    const data = panel([flat10, flat10, flat10, flat10], [flat10, null, flat10, flat10]);
    const rules = '  rules {\n    when a.close > 0 => target 1000 units\n  }';

    it('a units target for it cannot blow through leverage: gross exposure stays ≤ 1x', async () => {
        for (const [name, r] of await both(strategy('x:A as a, x:B as b', `${rules}\n  risk {\n    leverage: 1\n  }`), data)) {
            for (let t = 0; t < 4; t++) expect(r.exposure[t], `${name} bar ${t}`).toBeLessThanOrEqual(1 + 1e-12);
            // Bar 0: 2 × 1000 units × 10 = 20,000 > 1,000 → scaled to 50 units each, filled at bar 1's open
            // for A only (B has no bar at bar 1: its order is dropped). Bar 1: B's target is dropped
            // (no close), A's 1000 units are scaled to E / 10 = 100 → A buys 50 more at bar 2.
            expect(positions(r, 2, 4)[2], name).toEqual([100, 0]);
        }
    });

    it('max_position holds for it: no asset above 30% of equity', async () => {
        const src = strategy('x:A as a, x:B as b', `${rules}\n  risk {\n    leverage: 1\n    max_position: 30%\n  }`);
        for (const [name, r] of await both(src, data)) {
            const pos = positions(r, 2, 4);
            for (let t = 0; t < 4; t++) {
                for (const q of pos[t]!) expect(Math.abs(q) * 10, `${name} bar ${t}`).toBeLessThanOrEqual(0.3 * r.equity[t]! + 1e-9);
            }
        }
    });

    it('every kind of order for it is dropped: target, flat, market and resting orders', async () => {
        // Every action fires at B on bar 1 (B has no bar there); none of them may leave a trace.
        const body = '  rules {\n    when a.close > 0 and a.open < 10.5 => target 10 units\n    when a.close > 0 and a.open > 10.5 => buy 5 units\n    when a.close > 0 and a.open > 10.5 => buy 10% limit at 20\n    when a.close > 0 and a.open > 10.5 => buy 2 units stop at 1\n  }';
        // A opens at 11 on bar 1 only: the order rules fire there.
        const a: Row[] = [flat10, [11, 11, 11, 11], flat10, flat10];
        for (const [name, r] of await both(strategy('x:A as a, x:B as b', body), panel(a, [flat10, null, flat10, flat10]))) {
            const bFills = r.fills.filter(f => f.asset === 1).map(f => [f.bar, f.qty, f.reason]);
            // Bar 0 → 10 units at bar 1's open: B has no bar then, dropped. Bar 1: B's orders dropped.
            // Bar 2 → target 10 units at bar 3 (A opens at 10 again).
            expect(bFills, name).toEqual([[3, 10, 'signal'], [3, -10, 'end']]);
        }
    });
});

describe('max_position and leverage bound resting orders and market orders at their fill', () => {
    it('examples/limit-entries.af with max_position: 3 units never holds more than 3 units', async () => {
        const ir = await irOf(readFileSync(join(EXAMPLES, 'limit-entries.af'), 'utf8'));
        const data = synthBarData({ symbols: ['ETH'], timeframeMs: ir.timeframe.ms, bars: 1500, seed: 5, start: Date.UTC(2022, 0, 1), annualVol: 0.6 });
        for (const [name, e] of ENGINES) {
            for (const params of [{}, { pullback: 0.25, trendLength: 20 }] as Record<string, number>[]) {
                const r = e.run(ir, data, { params });
                const limits = r.fills.filter(f => f.reason === 'limit');
                expect(limits.length, `${name}: the limit orders fill`).toBeGreaterThan(3);
                const held = positions(r, 1, data.ts.length).map(p => Math.abs(p[0]!));
                expect(Math.max(...held), name).toBeLessThanOrEqual(3 + 1e-12);
                expect(Math.max(...held), `${name}: the cap is reached`).toBeCloseTo(3, 9);
            }
        }
    });

    it('a resting buy is cut to what max_position leaves, and does not fill beyond it (units)', async () => {
        // Every bar closes at 10 with a low of 9: a buy limit at 9.5 fills at the next bar's open
        // min(10, 9.5) = 9.5. 2 units per order, max_position 3 units: 2, then 1 (cut), then nothing.
        const rows: [number, number, number, number][] = [[10, 10, 9, 10], [10, 10, 9, 10], [10, 10, 9, 10], [10, 10, 9, 10], [10, 10, 9, 10]];
        const src = strategy('x:A', '  rules {\n    when close > 0 => buy 2 units limit at 9.5 expire 1 bars\n  }\n  risk {\n    max_position: 3 units\n  }');
        for (const [name, r] of await both(src, bars(rows))) {
            expect(r.fills.filter(f => f.reason === 'limit').map(f => [f.bar, f.qty, f.price]), name).toEqual([[1, 2, 9.5], [2, 1, 9.5]]);
        }
    });

    it('a buy stop and a market buy are cut by max_position as a fraction of equity and by leverage', async () => {
        // Capital 1000, price 10. max_position 50%: at most 500 / 10 = 50 units (equity stays 1000:
        // no fees, fills at 10). `buy 40 units` every bar → 40, then 10 (cut), then nothing.
        const rows: [number, number, number, number][] = [[10, 10, 10, 10], [10, 10, 10, 10], [10, 10, 10, 10], [10, 10, 10, 10]];
        const market = strategy('x:A', '  rules {\n    when close > 0 => buy 40 units\n  }\n  risk {\n    max_position: 50%\n  }');
        for (const [name, r] of await both(market, bars(rows))) {
            expect(r.fills.filter(f => f.reason === 'signal').map(f => [f.bar, f.qty]), name).toEqual([[1, 40], [2, 10]]);
        }
        // A buy stop at 10 (high 10 ≥ 10): fills at max(open, 10) = 10; leverage 0.5 → 50 units too.
        const stop = strategy('x:A', '  rules {\n    when close > 0 => buy 40 units stop at 10\n  }\n  risk {\n    leverage: 0.5\n  }');
        for (const [name, r] of await both(stop, bars(rows))) {
            expect(r.fills.filter(f => f.reason === 'stop_order').map(f => [f.bar, f.qty]), name).toEqual([[1, 40], [2, 10]]);
        }
    });

    it('an order that reduces a position is never cut; past zero, the new side is', async () => {
        // Short 100 at 10 (target −100% of 1000); the price runs to 19: equity 2000 − 1900 = 100, far
        // beyond 1x. A buy limit of 60 units at 19.5 fills at bar 2's open 19 whole (it reduces the
        // short). The next one, at bar 3's open 19.2, would cross zero to +20: equity marked at 19.2 is
        // 860 − 40 × 19.2 = 92, so the long side may be 92 / 19.2 units → the fill is 40 + 92 / 19.2.
        const rows: [number, number, number, number][] = [[10, 10, 10, 10], [10, 19, 10, 19], [19, 19.2, 18.9, 19.1], [19.2, 19.3, 19.1, 19.2]];
        const src = strategy('x:A', '  rules {\n    when close < 10.2 => target -100%\n    when close > 18 => buy 60 units limit at 19.5\n  }');
        for (const [name, r] of await both(src, bars(rows))) {
            expect(r.fills.filter(f => f.reason !== 'end').map(f => [f.bar, +f.qty.toFixed(9), f.reason]), name)
                .toEqual([[1, -100, 'signal'], [2, 60, 'limit'], [3, +(40 + 92 / 19.2).toFixed(9), 'limit']]);
        }
    });
});

describe('the corners the specification settles', () => {
    it('equity at or below 0 liquidates every position and halts, without any max_drawdown', async () => {
        // Short 100 at 10 (target −100% of 1000). Bar 2 closes at 21: equity 2000 − 2100 = −100 ≤ 0 →
        // buy 100 at 21 (reason drawdown), event halt; the short signals of bars 3 and 4 place nothing.
        const rows: [number, number, number, number][] = [[10, 10, 10, 10], [10, 12, 10, 12], [12, 21, 12, 21], [10, 10, 10, 10], [10, 10, 10, 10]];
        const src = strategy('x:A', '  rules {\n    when close < 10.5 => target -100%\n  }');
        for (const [name, r] of await both(src, bars(rows))) {
            expect(r.fills.map(f => [f.bar, f.qty, f.price, f.reason]), name).toEqual([[1, -100, 10, 'signal'], [2, 100, 21, 'drawdown']]);
            expect(r.events.map(e => [e.bar, e.kind]), name).toEqual([[2, 'halt']]);
            expect(r.events[0]!.message, name).toMatch(/equity -100\.00 is at or below 0/);
            expect([...r.equity].slice(2), name).toEqual([-100, -100, -100]);
        }
    });

    it('a trailing stop that ties the stop loss reports stop_loss; a tighter one reports trailing_stop', async () => {
        // stop_loss 5% and trailing_stop 5%: at the entry (10, bar 1) both levels are 9.5 — a tie.
        const src = (rows: [number, number, number, number][]) => both(strategy('x:A', '  rules {\n    when close > open and close < 10.6 => target 100%\n  }\n  risk {\n    stop_loss: 5%\n    trailing_stop: 5%\n  }'), bars(rows));
        for (const [name, r] of await src([[10, 11, 9.8, 10.5], [10, 10, 10, 10], [9.8, 9.8, 9.4, 9.6]])) {
            expect(r.fills[1]!.reason, name).toBe('stop_loss');
            expect(r.fills[1]!.price, name).toBeCloseTo(9.5, 12);
        }
        // Bar 1's high 11 lifts the trailing level to 10.45 (above the stop 9.5): it binds at bar 2.
        for (const [name, r] of await src([[10, 11, 9.8, 10.5], [10, 11, 10, 10.8], [10.8, 10.8, 10.2, 10.3]])) {
            expect(r.fills[1]!.reason, name).toBe('trailing_stop');
            expect(r.fills[1]!.price, name).toBeCloseTo(10.45, 12);
        }
    });

    it('an order for an asset without a close at the signal bar is dropped with every fill mode', async () => {
        const data = panel([flat10, flat10, flat10, flat10], [flat10, flat10, null, flat10]);
        for (const fill of ['next_open', 'next_close', 'this_close']) {
            const src = strategy('x:A as a, x:B as b', '  rules {\n    when a.close[1] > 0 => target 10 units\n  }', `fill: ${fill}\n    fees: 0 bps\n    slippage: 0 bps\n    capital: 1000`);
            for (const [name, r] of await both(src, data)) {
                // Signals from bar 1 on; B has no bar at bar 2. this_close: B fills at bar 1, its order of
                // bar 2 is dropped, bar 3 asks for what it holds. next_open/next_close: bar 1's order cannot
                // fill at bar 2 (dropped), bar 2 places nothing for B, bar 3's would fill after the last bar.
                const b = r.fills.filter(f => f.asset === 1 && f.reason === 'signal').map(f => [f.bar, f.qty]);
                expect(b, `${name} ${fill}`).toEqual(fill === 'this_close' ? [[1, 10]] : []);
            }
        }
    });

    it('the specification names every fill reason and event kind the engines report', () => {
        const spec = readFileSync(join(import.meta.dirname, '../../../docs/backtest-semantics.md'), 'utf8');
        const events: EngineEvent['kind'][] = ['halt', 'flatten', 'drawdown_warning'];
        for (const name of [...FILL_REASONS, ...events]) expect(spec, name).toContain(`\`${name}\``);
    });
});
