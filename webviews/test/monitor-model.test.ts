/**
 * The deployment monitor's view-model (webviews/src/monitor/model.ts) under Node: events in the
 * shapes the deployment manager publishes (docs/trading.md "Events") folded into the curve,
 * positions, open orders, fills, state and risk; overlap between a catch-up page and live events,
 * gaps, malformed data, a reset, the kill switch's account without a bar.
 */
import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentEvent } from '../../protocol/src/daemon/index.js';
import { MonitorToWebview, parseMessage } from '../../protocol/src/webview.js';
import { applyEvents, canKill, emptyModel, MAX_FILLS, MAX_POINTS, openOrders, statusLine, withDeployment } from '../src/monitor/model.js';

const DEP: Deployment = {
    id: 'dep_1', mode: 'paper', state: 'starting', reason: null, team: 'alpha', owner: 'ann', strategy: 'Cross', registry: null, uri: null,
    params: {}, venue: 'paper', feed: { kind: 'replay', symbols: ['synth:AAA'], from: '2020-01-01', to: null, barMs: 10 }, capital: 100_000,
    bars: 0, warmupBars: null, riskState: null, equity: null, pnl: null,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', finishedAt: null,
};

let seq = 0;
const ev = (kind: DeploymentEvent['kind'], data: Record<string, unknown>, s = ++seq): DeploymentEvent =>
    ({ type: 'deployment', deploymentId: 'dep_1', seq: s, ts: `2026-01-01T00:00:${String(s % 60).padStart(2, '0')}.000Z`, kind, data });
const DAY = 86_400_000;

function trade(): DeploymentEvent[] {
    seq = 0;
    return [
        ev('state', { state: 'starting', previous: null, reason: null }),
        ev('state', { state: 'running', previous: 'starting', reason: null }),
        ev('account', { bar: 1, barTs: DAY, equity: 100_000, pnl: 0, balances: { USD: 100_000 }, positions: {}, riskState: 'ACTIVE' }),
        ev('order', { clientOrderId: 'c1', symbol: 'synth:AAA', side: 'buy', type: 'market', qty: 10, price: null, reduceOnly: false, state: 'new' }),
        ev('order', { clientOrderId: 'c1', symbol: 'synth:AAA', side: 'buy', state: 'accepted', reason: null }),
        ev('account', { bar: 2, barTs: 2 * DAY, equity: 100_000, pnl: 0, balances: { USD: 100_000 }, positions: {}, riskState: 'ACTIVE' }),
        ev('fill', { clientOrderId: 'c1', symbol: 'synth:AAA', side: 'buy', fillId: 'f1', qty: 10, price: 101.5, fee: 0.5 }),
        ev('order', { clientOrderId: 'c2', symbol: 'synth:AAA', side: 'sell', type: 'limit', qty: 10, price: 120, reduceOnly: true, state: 'new' }),
        ev('risk', { decision: 'deny', clientOrderId: 'c3', reason: 'order rate over 10 a minute' }),
        ev('account', { bar: 3, barTs: 3 * DAY, equity: 100_040, pnl: 40, balances: { USD: 98_984.5 }, positions: { 'synth:AAA': 10 }, riskState: 'ACTIVE' }),
    ];
}

describe('the monitor view-model', () => {
    it('folds a deployment\'s events into curve, positions, open orders, fills, state and the last denial', () => {
        const m = withDeployment(emptyModel(), DEP);
        expect(m.state).toBe('starting');
        const c = applyEvents(m, trade());
        expect(c).toMatchObject({ applied: 10, curve: true, account: true, orders: true, fills: true, status: true });
        expect(m.curve).toEqual({ ts: [DAY, 2 * DAY, 3 * DAY], equity: [100_000, 100_000, 100_040], pnl: [0, 0, 40] });
        expect(m.positions).toEqual([{ symbol: 'synth:AAA', qty: 10 }]);
        expect(m.balances).toEqual([{ currency: 'USD', amount: 98_984.5 }]);
        expect(openOrders(m).map(o => [o.clientOrderId, o.state, o.type, o.price, o.reduceOnly])).toEqual([['c2', 'new', 'limit', 120, true]]);
        expect(m.orders.get('c1')).toMatchObject({ state: 'filled', filledQty: 10, side: 'buy', qty: 10 });
        expect(m.fills).toEqual([expect.objectContaining({ fillId: 'f1', symbol: 'synth:AAA', side: 'buy', qty: 10, price: 101.5, fee: 0.5 })]);
        expect(m.lastDenial).toMatchObject({ clientOrderId: 'c3', reason: 'order rate over 10 a minute' });
        expect(m).toMatchObject({ state: 'running', riskState: 'ACTIVE', bars: 3, equity: 100_040, pnl: 40, lastSeq: 10, gaps: 0, malformed: 0 });
        expect(statusLine(m)).toBe('running · risk ACTIVE · 3 bars');
        expect(canKill(m)).toBe(true);
    });

    it('the kill switch: risk HALTED with its reason, the book flat, the state halted; the curve keeps its bars', () => {
        const m = withDeployment(emptyModel(), DEP);
        applyEvents(m, trade());
        applyEvents(m, [
            ev('risk', { decision: 'state', from: 'ACTIVE', to: 'HALTED', reason: 'kill switch by ann' }),
            ev('order', { clientOrderId: 'c2', state: 'cancelled', reason: null }),
            ev('order', { clientOrderId: 'k1', symbol: 'synth:AAA', side: 'sell', type: 'market', qty: 10, price: null, reduceOnly: true, state: 'new' }),
            ev('fill', { clientOrderId: 'k1', fillId: 'f2', qty: 4, price: 104, fee: 0.2 }),
        ]);
        // A fill of part of an order: still open, partially filled; the rest fills it.
        expect(openOrders(m).map(o => [o.clientOrderId, o.state, o.filledQty])).toEqual([['k1', 'partially_filled', 4]]);
        applyEvents(m, [
            ev('fill', { clientOrderId: 'k1', fillId: 'f3', qty: 6, price: 104, fee: 0.32 }),
            ev('state', { state: 'halted', previous: 'running', reason: 'kill switch by ann' }),
            ev('account', { bar: 3, barTs: null, equity: 100_023, pnl: 23, balances: { USD: 100_023 }, positions: { 'synth:AAA': 0 }, riskState: 'HALTED' }),
        ]);
        expect(m.positions).toEqual([]);
        expect(openOrders(m)).toEqual([]);
        expect(m).toMatchObject({ state: 'halted', stateReason: 'kill switch by ann', riskState: 'HALTED', riskReason: 'kill switch by ann', pnl: 23, fillCount: 3 });
        // The fill named no symbol or side: they come from its order.
        expect(m.fills[0]).toMatchObject({ fillId: 'f3', symbol: 'synth:AAA', side: 'sell' });
        expect(m.curve.ts).toHaveLength(3);
        expect(canKill(m)).toBe(true); // halted still holds its state until stopped
        applyEvents(m, [ev('state', { state: 'stopped', previous: 'halted', reason: 'stopped by ann' })]);
        expect(canKill(m)).toBe(false);
    });

    it('ignores what it has seen (a catch-up page overlapping live events), counts gaps and malformed data', () => {
        const m = withDeployment(emptyModel(), DEP);
        const events = trade();
        applyEvents(m, events.slice(0, 6));
        const c = applyEvents(m, events.slice(3)); // 4..6 again, then 7..10
        expect(c.applied).toBe(4);
        expect(m.fillCount).toBe(1);
        expect(m.gaps).toBe(0);
        applyEvents(m, [ev('account', { bar: 'x' }, 13), ev('fill', { qty: 'lots' }, 14)]);
        expect(m).toMatchObject({ lastSeq: 14, gaps: 1, malformed: 2, bars: 3 });
        // Another team's or another deployment's event is not this one's.
        applyEvents(m, [{ ...ev('state', { state: 'failed' }, 15), deploymentId: 'dep_2' }]);
        expect(m.state).toBe('running');
    });

    it('a reset or another deployment starts over; the deployment fills what no event said', () => {
        const m = withDeployment(emptyModel(), DEP);
        applyEvents(m, trade());
        const again = withDeployment(m, { ...DEP, state: 'halted' }, true);
        expect(again).toMatchObject({ lastSeq: 0, fillCount: 0, state: 'halted', positions: [] });
        const other = withDeployment(again, { ...DEP, id: 'dep_2', state: 'running', equity: 5, bars: 7 });
        expect(other).toMatchObject({ state: 'running', equity: 5, bars: 7 });
    });

    it('stays bounded: fills listed and points kept', () => {
        const m = withDeployment(emptyModel(), DEP);
        seq = 0;
        const many: DeploymentEvent[] = [];
        for (let i = 0; i < MAX_POINTS + 10; i++) many.push(ev('account', { bar: i + 1, barTs: i * DAY, equity: 1e5 + i, pnl: i, positions: {}, balances: {} }));
        for (let i = 0; i < MAX_FILLS + 5; i++) many.push(ev('fill', { clientOrderId: `c${i}`, fillId: `f${i}`, qty: 1, price: 1 }));
        applyEvents(m, many);
        expect(m.curve.ts.length).toBeLessThanOrEqual(MAX_POINTS);
        expect(m.curve.ts.at(-1)).toBe((MAX_POINTS + 9) * DAY); // the newest bar is kept
        expect([...m.curve.ts].sort((a, b) => a - b)).toEqual(m.curve.ts);
        expect(m.fills).toHaveLength(MAX_FILLS);
        expect(m.fillCount).toBe(MAX_FILLS + 5);
        expect(m.fills[0]!.fillId).toBe(`f${MAX_FILLS + 4}`);
    });

    it('the messages the host sends validate against the panel\'s schema, and a hostile batch does not', () => {
        expect(parseMessage(MonitorToWebview, { type: 'deployment', deployment: DEP, reset: true }).ok).toBe(true);
        expect(parseMessage(MonitorToWebview, { type: 'events', deploymentId: 'dep_1', events: trade() }).ok).toBe(true);
        const big = Array.from({ length: 10_001 }, (_, i) => ev('state', { state: 'running' }, i + 1));
        expect(parseMessage(MonitorToWebview, { type: 'events', deploymentId: 'dep_1', events: big }).ok).toBe(false);
    });
});
