/**
 * The paper venue's fill model is the backtest's: market orders at the next open (or close, or
 * this close) with slippage and fees, limits traded through at min/max(open, P) without slippage,
 * stops with it, orders active from the bar after submission, a market order on a bar the asset
 * does not have expires; submits are idempotent by client order id; reduce-only never grows or
 * reverses a position; the venue's cash and positions follow its fills.
 */
import { describe, expect, it } from 'vitest';
import type { OrderUpdate } from '../../src/execution/order-state.js';
import { PaperVenue, type PaperConfig } from '../../src/execution/paper.js';

const S = 'binance:BTC/USDT';
const bar = (open: number, high: number, low: number, close: number) => ({ open, high, low, close, volume: 1 });

function venue(o: Partial<PaperConfig> = {}) {
    const v = new PaperVenue({ capital: 10_000, fees: 0.001, slippage: 0.0005, fill: 'next_open', ...o });
    const updates: OrderUpdate[] = [];
    v.onUpdate(u => updates.push(u));
    return { v, updates, fills: () => updates.filter(u => u.kind === 'fill') };
}

describe('paper venue', () => {
    it('fills a market order at the next open with slippage and fees, and books cash and position', async () => {
        const { v, updates, fills } = venue();
        v.onBar(0, { [S]: bar(100, 101, 99, 100) });
        await v.submit({ clientOrderId: 'a', symbol: S, side: 'buy', type: 'market', qty: 2 });
        expect(updates.map(u => u.kind)).toEqual(['accepted']);
        v.onBar(1, { [S]: bar(102, 103, 101, 102) });
        const price = 102 * 1.0005, fee = 2 * price * 0.001;
        expect(fills()).toEqual([{ kind: 'fill', clientOrderId: 'a', fillId: 'paper-fill-1', qty: 2, price, fee }]);
        expect(await v.positions()).toEqual({ [S]: 2 });
        expect((await v.balances())['USD']).toBeCloseTo(10_000 - 2 * price - fee, 9);
        expect(v.equity()).toBeCloseTo(10_000 - 2 * price - fee + 2 * 102, 9);
        expect(await v.openOrders()).toEqual([]);
    });

    it('next_close fills at the next close; this_close at once at the last close', async () => {
        const nc = venue({ fill: 'next_close', slippage: 0 });
        nc.v.onBar(0, { [S]: bar(100, 101, 99, 100) });
        await nc.v.submit({ clientOrderId: 'a', symbol: S, side: 'sell', type: 'market', qty: 1 });
        nc.v.onBar(1, { [S]: bar(102, 103, 101, 101.5) });
        expect(nc.fills()).toMatchObject([{ qty: 1, price: 101.5 }]);
        expect(await nc.v.positions()).toEqual({ [S]: -1 });
        const tc = venue({ fill: 'this_close', slippage: 0 });
        tc.v.onBar(0, { [S]: bar(100, 101, 99, 100.5) });
        await tc.v.submit({ clientOrderId: 'a', symbol: S, side: 'buy', type: 'market', qty: 1 });
        expect(tc.fills()).toMatchObject([{ qty: 1, price: 100.5 }]);
    });

    it('limits fill only when traded through, at min/max(open, P), without slippage; stops with it', async () => {
        const { v, fills } = venue();
        v.onBar(0, { [S]: bar(100, 101, 99, 100) });
        await v.submit({ clientOrderId: 'lim', symbol: S, side: 'buy', type: 'limit', qty: 1, price: 98 });
        await v.submit({ clientOrderId: 'stp', symbol: S, side: 'buy', type: 'stop', qty: 1, price: 103 });
        v.onBar(1, { [S]: bar(100, 102, 98, 101) }); // low = 98: not through the limit; high 102 < 103
        expect(fills()).toEqual([]);
        v.onBar(2, { [S]: bar(97, 104, 96, 103) }); // gap below the limit: fills at the open 97; stop reached at 103
        expect(fills()).toMatchObject([{ clientOrderId: 'lim', price: 97 }, { clientOrderId: 'stp', price: 103 * 1.0005 }]);
    });

    it('an order is active from the bar after it was submitted; expiry by time; no bar: a market order expires', async () => {
        const { v, updates } = venue();
        v.onBar(0, { [S]: bar(100, 101, 99, 100) });
        await v.submit({ clientOrderId: 'm', symbol: S, side: 'buy', type: 'market', qty: 1 });
        await v.submit({ clientOrderId: 'l', symbol: S, side: 'buy', type: 'limit', qty: 1, price: 50, expireTs: 2 });
        v.onBar(1, { [S]: null });
        v.onBar(2, { [S]: bar(100, 101, 99, 100) });
        expect(updates.filter(u => u.kind === 'expired').map(u => u.clientOrderId)).toEqual(['m', 'l']);
        expect(await v.positions()).toEqual({});
    });

    it('a repeated submit of an id is the same order (never a second fill); bad orders are rejected with the reason', async () => {
        const { v, updates, fills } = venue();
        v.onBar(0, { [S]: bar(100, 101, 99, 100) });
        const o = { clientOrderId: 'a', symbol: S, side: 'buy' as const, type: 'market' as const, qty: 1 };
        await v.submit(o);
        expect((await v.submit(o)).state).toBe('accepted');
        v.onBar(1, { [S]: bar(100, 101, 99, 100) });
        expect((await v.submit(o)).state).toBe('filled');
        v.onBar(2, { [S]: bar(100, 101, 99, 100) });
        expect(fills()).toHaveLength(1);
        await v.submit({ ...o, clientOrderId: 'b', qty: -1 });
        await v.submit({ ...o, clientOrderId: 'c', type: 'limit' });
        expect(updates.filter(u => u.kind === 'rejected')).toEqual([
            { kind: 'rejected', clientOrderId: 'b', reason: 'quantity must be a positive number, got -1' },
            { kind: 'rejected', clientOrderId: 'c', reason: 'a limit order needs a positive price, got undefined' },
        ]);
    });

    it('reduce-only never grows or reverses a position; cancel stops an open order', async () => {
        const { v, updates, fills } = venue({ slippage: 0, fees: 0 });
        v.onBar(0, { [S]: bar(100, 101, 99, 100) });
        await v.submit({ clientOrderId: 'open', symbol: S, side: 'buy', type: 'market', qty: 3 });
        v.onBar(1, { [S]: bar(100, 101, 99, 100) });
        await v.submit({ clientOrderId: 'grow', symbol: S, side: 'buy', type: 'market', qty: 1, reduceOnly: true });
        await v.submit({ clientOrderId: 'flat', symbol: S, side: 'sell', type: 'market', qty: 5, reduceOnly: true });
        await v.submit({ clientOrderId: 'rest', symbol: S, side: 'sell', type: 'limit', qty: 1, price: 500 });
        await v.cancel('rest');
        v.onBar(2, { [S]: bar(100, 101, 99, 100) });
        expect(fills().map(f => [f.clientOrderId, f.kind === 'fill' ? f.qty : 0])).toEqual([['open', 3], ['flat', 3]]);
        expect(updates.filter(u => u.kind === 'expired' || u.kind === 'cancelled').map(u => [u.kind, u.clientOrderId])).toEqual([['cancelled', 'rest'], ['expired', 'grow'], ['expired', 'flat']]);
        expect(await v.positions()).toEqual({});
    });
});
