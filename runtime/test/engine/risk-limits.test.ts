/**
 * Risk limits and the corners of docs/backtest-semantics.md that the differential tests cannot
 * see (both engines could share a mistake): each scenario runs on BOTH the compiled engine and the
 * reference interpreter and is checked against numbers worked out by hand from the specification,
 * never against the other engine.
 */
import { describe, expect, it } from 'vitest';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import { ReferenceBacktester } from '../../src/engine/reference/index.js';
import type { BacktestResult, BarData, Backtester } from '../../src/engine/types.js';
import { bars, irOf } from './fixtures.js';

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
