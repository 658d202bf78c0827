/**
 * Parity of the live path with the backtest: every example strategy, its bars replayed one at a
 * time through the streaming engine (with rebuilds as its columns fill), gives the backtest's
 * fills, events, equity and exposure to 1e-9, and each signal fill follows an order the stream
 * reported at the close that placed it. Data with holes and opening gaps reaches stops, limits,
 * missing bars and resampled inputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type StrategyIr } from '../../../language/src/index.js';
import { synthBarData } from '../../src/data/synth.js';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import type { BarData, Fill } from '../../src/engine/types.js';
import { StreamingEngine, type BarOutcome, type StreamBar } from '../../src/execution/streaming.js';
import { exampleCases, prng, type ExampleCase } from '../engine/fixtures.js';

type Case = ExampleCase;


/** Synthetic bars for the strategy, with a few holes and opening gaps. */
function dataFor(ir: StrategyIr, bars: number, seed: number): BarData {
    const symbols = ir.universe.map((_, i) => `S${i}`);
    const daily = ir.timeframe.ms >= 86_400_000;
    const base = synthBarData({ symbols, timeframeMs: ir.timeframe.ms, bars, seed, start: Date.UTC(2021, 2, 29), annualVol: daily ? 0.3 : 0.6 });
    const rnd = prng(seed * 31 + 7);
    const assets = base.assets.map(b => {
        const c = { open: b.open.slice(), high: b.high.slice(), low: b.low.slice(), close: b.close.slice(), volume: b.volume.slice() };
        for (let k = 0; k < 3; k++) {
            const t = 1 + Math.floor(rnd() * (bars - 1));
            c.open[t] = c.high[t] = c.low[t] = c.close[t] = c.volume[t] = NaN;
        }
        for (let t = 1; t < bars; t++) {
            if (Number.isNaN(c.open[t]!)) continue;
            c.open[t] = c.open[t]! * Math.exp((rnd() - 0.5) * 0.03);
            c.high[t] = Math.max(c.high[t]!, c.open[t]!);
            c.low[t] = Math.min(c.low[t]!, c.open[t]!);
        }
        return c;
    });
    return { ...base, assets };
}

function barAt(data: BarData, t: number): StreamBar {
    return {
        ts: data.ts[t]!,
        assets: data.assets.map(b => (Number.isNaN(b.close[t]!) ? null : { open: b.open[t]!, high: b.high[t]!, low: b.low[t]!, close: b.close[t]!, volume: b.volume[t]! })),
    };
}

const TOL = 1e-9;
const near = (x: number, y: number) => (Number.isNaN(x) && Number.isNaN(y)) || x === y || Math.abs(x - y) <= TOL * Math.max(1, Math.abs(x), Math.abs(y));
const sameFill = (a: Fill, b: Fill) => a.bar === b.bar && a.asset === b.asset && a.reason === b.reason && near(a.qty, b.qty) && near(a.price, b.price) && near(a.fee, b.fee);

/** Every way the stream differs from the backtest of the same bars. */
function compare(c: Case, seed: number): { problems: string[]; fills: number; orders: number } {
    const bars = c.ir.timeframe.ms >= 86_400_000 ? 700 : 600;
    const data = dataFor(c.ir, bars, seed);
    const backtest = new CompiledBacktester().run(c.ir, data);
    // A small first capacity: the stream rebuilds and replays several times on the way.
    const stream = new StreamingEngine(c.ir, { initialCapacity: 50 });
    const outcomes: BarOutcome[] = [];
    for (let t = 0; t < bars; t++) outcomes.push(stream.push(barAt(data, t)));
    const { outcome: last, result } = stream.end();
    const problems: string[] = [];
    const fills = [...outcomes.flatMap(o => o.fills), ...(last?.fills ?? [])];
    if (fills.length !== backtest.fills.length) problems.push(`fills: stream ${fills.length}, backtest ${backtest.fills.length}`);
    const firstDiff = backtest.fills.findIndex((f, i) => !fills[i] || !sameFill(f, fills[i]!));
    if (firstDiff >= 0) problems.push(`fill ${firstDiff}: backtest ${JSON.stringify(backtest.fills[firstDiff])}, stream ${JSON.stringify(fills[firstDiff])}`);
    for (let t = 0; t < bars - 1; t++) {
        const o = outcomes[t]!;
        if (o.bar !== t || o.ts !== data.ts[t]) { problems.push(`outcome ${t} is for bar ${o.bar}`); break; }
        if (!near(o.equity, backtest.equity[t]!) || !near(o.exposure, backtest.exposure[t]!)) {
            problems.push(`bar ${t}: equity ${o.equity} / ${backtest.equity[t]}, exposure ${o.exposure} / ${backtest.exposure[t]}`);
            break;
        }
    }
    // The last bar's equity after the end-of-run close, as the backtest records it.
    if (!near(last!.equity, backtest.equity[bars - 1]!)) problems.push(`last equity ${last!.equity} / ${backtest.equity[bars - 1]}`);
    if (result.equity.length !== bars || result.equity.some((e, t) => !near(e, backtest.equity[t]!))) problems.push('the stream\'s final result differs from the backtest\'s equity');
    const events = [...outcomes.flatMap(o => o.events), ...(last?.events ?? [])];
    if (JSON.stringify(events) !== JSON.stringify(backtest.events)) problems.push(`events: stream ${JSON.stringify(events)}, backtest ${JSON.stringify(backtest.events)}`);
    // Each signal fill comes from a market order placed at the close that decided it.
    const decided = c.ir.fill === 'this_close' ? 0 : 1;
    for (const f of backtest.fills.filter(x => x.reason === 'signal')) {
        const orders = outcomes[f.bar - decided]?.orders ?? [];
        if (!orders.some(o => o.asset === f.asset && o.type === 'market')) { problems.push(`signal fill at bar ${f.bar} asset ${f.asset} has no order at bar ${f.bar - decided}`); break; }
    }
    for (const f of backtest.fills.filter(x => x.reason === 'limit' || x.reason === 'stop_order')) {
        const placed = outcomes.slice(0, f.bar).some(o => o.orders.some(x => x.asset === f.asset && x.type === (f.reason === 'limit' ? 'limit' : 'stop')));
        if (!placed) { problems.push(`${f.reason} fill at bar ${f.bar} has no resting order before it`); break; }
    }
    return { problems, fills: fills.length, orders: outcomes.reduce((s, o) => s + o.orders.length, 0) };
}

describe('streaming engine = backtest, bar by bar', () => {
    let cases: Case[] = [];
    beforeAll(async () => { cases = await exampleCases(); });

    it('on every example: same orders, fills, events and equity to 1e-9', () => {
        expect(cases.length).toBeGreaterThanOrEqual(10);
        const problems: string[] = [];
        let fills = 0, orders = 0;
        cases.forEach((c, i) => {
            const r = compare(c, 301 + i);
            fills += r.fills; orders += r.orders;
            if (r.problems.length) problems.push(`${c.name}: ${r.problems.join('; ')}`);
        });
        expect(problems).toEqual([]);
        // The comparison had something to compare.
        expect(fills).toBeGreaterThan(100);
        expect(orders).toBeGreaterThan(100);
    });

    it('refuses a bar out of order, a bar of the wrong universe and a half-missing bar, naming it', () => {
        const c = cases.find(x => x.ir.universe.length === 1)!;
        const stream = new StreamingEngine(c.ir);
        const ts = Date.UTC(2024, 0, 1);
        const ok = { open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 };
        stream.push({ ts, assets: [ok] });
        expect(() => stream.push({ ts, assets: [ok] })).toThrow(/does not come after the previous bar/);
        expect(() => stream.push({ ts: ts + c.ir.timeframe.ms, assets: [ok, ok] })).toThrow(/2 asset\(s\), strategy \w+ trades 1/);
        expect(() => stream.push({ ts: ts + c.ir.timeframe.ms, assets: [{ ...ok, close: NaN }] })).toThrow(/close is missing; send null/);
        expect(stream.bars).toBe(1);
        stream.end();
        expect(() => stream.push({ ts: ts + 2 * c.ir.timeframe.ms, assets: [ok] })).toThrow(/ended/);
    });
});
