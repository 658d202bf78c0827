/**
 * A paper deployment end to end in process, over a real DuckDB file: an example strategy on a
 * replayed feed through the streaming engine, the risk engine, the journal and the paper venue.
 * Every order the engine decided is handed over and journaled with its transitions; the venue's
 * fills follow the engine's (same bars, same directions; quantities sized at the close instead of
 * the open); a session resumed after a "restart" (bars replayed, venue from the journal) trades on
 * exactly as one never stopped, with no duplicate; a risk limit denies with
 * the reason stored; the kill switch cancels, flattens and halts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synthBarData } from '../../src/data/synth.js';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import type { BarData } from '../../src/engine/types.js';
import { PaperSession } from '../../src/execution/paper-session.js';
import type { StreamBar } from '../../src/execution/streaming.js';
import { openStore } from '../../src/schema/registry.js';
import type { DataStore } from '../../src/store/store.js';
import { tempDir } from '../data/helpers.js';
import { irOf } from '../engine/fixtures.js';

const barAt = (d: BarData, t: number): StreamBar => ({
    ts: d.ts[t]!,
    assets: d.assets.map(b => (Number.isNaN(b.close[t]!) ? null : { open: b.open[t]!, high: b.high[t]!, low: b.low[t]!, close: b.close[t]!, volume: b.volume[t]! })),
});

let store: DataStore;
let ir: StrategyIr;
let data: BarData;
const BARS = 400;
const params = { fast: 5, slow: 50 };

beforeEach(async () => {
    store = await openStore({ stateDir: join(tempDir('af-paper-'), 'state') });
    ir = await irOf(readFileSync(join(process.cwd(), 'examples', 'sma-cross.af'), 'utf8'));
    data = synthBarData({ symbols: ir.universe.map((u: { id: string }) => u.id), timeframeMs: ir.timeframe.ms, bars: BARS, seed: 11, start: Date.UTC(2022, 0, 1), annualVol: 0.6 });
});
afterEach(() => store.close());

describe('paper session', () => {
    it('hands every decided order over, journals its transitions, and the venue trades as the engine does', async () => {
        let clock = Date.UTC(2026, 0, 1);
        const s = new PaperSession({ store, team: 'alpha', deployment: 'dep_1', ir, params, now: () => clock++ });
        let submitted = 0;
        for (let t = 0; t < BARS; t++) submitted += (await s.bar(barAt(data, t))).handed.submitted.length;
        s.close();
        const backtest = new CompiledBacktester().run(ir, data, { params });
        const engineFills = backtest.fills.filter(f => f.reason !== 'end');
        expect(engineFills.filter(f => f.reason === 'signal').length).toBeGreaterThan(3);
        const orders = await s.journal.orders();
        expect(orders.length).toBe(submitted);
        // Every engine fill has a venue fill, same direction, from an order decided at the close that
        // decided the engine's: a signal's at the bar before (filled at the same open, same price), an
        // exit's (stop_loss, drawdown: intrabar in the engine) at the exit bar, filled at the next open.
        const fills = (await s.journal.events()).filter(e => e.kind === 'fill');
        expect(fills.length).toBe(engineFills.length);
        const byId = new Map(orders.map(o => [o.clientOrderId, o]));
        fills.forEach((f, i) => {
            const o = byId.get(f.clientOrderId)!, e = engineFills[i]!;
            expect(o.side).toBe(e.qty > 0 ? 'buy' : 'sell');
            if (e.reason === 'signal') {
                expect(o.barTs).toBe(data.ts[e.bar - 1]);
                expect(f.fillPrice).toBeCloseTo(e.price, 9); // the same open, the same slippage
            } else {
                expect([o.barTs, o.reduceOnly]).toEqual([data.ts[e.bar], true]);
            }
        });
        // Each order: new → accepted → filled, one event per transition.
        for (const o of orders) {
            expect((await s.journal.events(o.clientOrderId)).map(e => e.to)).toEqual(['new', 'accepted', 'filled']);
        }
        // Sized at the close rather than the open: the venue's equity tracks the engine's closely.
        const engineEquity = backtest.equity[BARS - 2]!;
        expect(Math.abs(s.venue.equity() - engineEquity) / engineEquity).toBeLessThan(0.02);
        expect((await s.journal.riskEvents()).filter(e => e.kind === 'pass')).toHaveLength(submitted);
    });

    it('resumed after a restart from the journal and the bars it had seen, it trades on as if never stopped, and sends no order twice', async () => {
        const straight = new PaperSession({ store, team: 'alpha', deployment: 'dep_straight', ir, params });
        for (let t = 0; t < BARS; t++) await straight.bar(barAt(data, t));
        straight.close();
        const cut = 200;
        const first = new PaperSession({ store, team: 'alpha', deployment: 'dep_1', ir, params });
        let last;
        for (let t = 0; t < cut; t++) last = await first.bar(barAt(data, t));
        first.close(); // the daemon dies here
        const again = new PaperSession({ store, team: 'alpha', deployment: 'dep_1', ir, params });
        const history = Array.from({ length: cut }, (_, t) => barAt(data, t));
        await again.resume(history);
        // The last bar decided again (the crash came before its outcome was known to be handed): nothing new leaves.
        const repeat = await again.gateway.onBar(last!.outcome, history[cut - 1]!.assets.map(b => b?.close ?? NaN));
        expect(repeat.submitted).toEqual([]);
        expect(repeat.duplicates).toBe(last!.handed.submitted.length);
        for (let t = cut; t < BARS; t++) await again.bar(barAt(data, t));
        again.close();
        const a = await straight.journal.orders(), b = await again.journal.orders();
        expect(b.length).toBe(a.length);
        expect(a.length).toBeGreaterThan(4);
        b.forEach((o, i) => {
            expect([o.side, o.barTs, o.state]).toEqual([a[i]!.side, a[i]!.barTs, a[i]!.state]);
            expect(o.qty).toBeCloseTo(a[i]!.qty, 9);
            expect(o.avgPrice).toBeCloseTo(a[i]!.avgPrice, 9);
        });
        expect(again.venue.equity()).toBeCloseTo(straight.venue.equity(), 6);
    });

    it('a risk limit denies with its reason stored; the kill switch cancels, flattens and halts', async () => {
        const s = new PaperSession({ store, team: 'alpha', deployment: 'dep_2', ir, params, limits: { maxNotional: 1 } });
        for (let t = 0; t < BARS; t++) await s.bar(barAt(data, t));
        const denied = (await s.journal.riskEvents()).filter(e => e.kind === 'deny');
        expect(denied.length).toBeGreaterThan(0);
        expect(denied[0]).toMatchObject({ reason: expect.stringMatching(/^max notional .* would exceed 1$/) });
        expect(await s.journal.orders()).toEqual([]);

        const k = new PaperSession({ store, team: 'alpha', deployment: 'dep_3', ir, params });
        let t = 0;
        while (Object.keys(await k.venue.positions()).length === 0 && t < BARS) await k.bar(barAt(data, t++));
        expect(Object.keys(await k.venue.positions())).toHaveLength(1);
        const killed = await k.kill('operator');
        expect(killed.submitted).toHaveLength(1);
        expect(killed.submitted[0]!.reduceOnly).toBe(true);
        expect(await k.venue.positions()).toEqual({});
        expect(k.risk.state).toBe('HALTED');
        // After the kill the strategy's orders are denied, never sent.
        let after = 0;
        for (; t < BARS; t++) after += (await k.bar(barAt(data, t))).handed.submitted.length;
        expect(after).toBe(0);
        expect((await k.journal.riskEvents()).some(e => e.kind === 'state' && e.to === 'HALTED' && e.reason === 'kill switch: operator')).toBe(true);
    });
});
