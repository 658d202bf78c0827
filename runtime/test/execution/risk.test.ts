/**
 * The risk engine: each limit denies the order that would break it (with a reason naming the limit
 * and the numbers) and passes the one just inside it; reductions pass position limits; ACTIVE →
 * REDUCING on the daily loss, → HALTED on the drawdown; REDUCING passes only reductions, HALTED
 * nothing but the kill switch's reduce-only orders; every decision is an event, in order.
 */
import { describe, expect, it } from 'vitest';
import { RiskEngine, type Book, type RiskEvent, type RiskLimits } from '../../src/execution/risk.js';
import type { OrderRequest } from '../../src/execution/venue.js';

const S = 'binance:BTC/USDT', E = 'binance:ETH/USDT';
const book = (o: Partial<Book> = {}): Book => ({ positions: {}, prices: { [S]: 100, [E]: 10 }, equity: 10_000, ...o });
let n = 0;
const order = (o: Partial<OrderRequest> = {}): OrderRequest => ({ clientOrderId: `o${n++}`, symbol: S, side: 'buy', type: 'market', qty: 1, ...o });

function engine(limits: RiskLimits) {
    const events: RiskEvent[] = [];
    return { r: new RiskEngine(limits, e => events.push(e)), events };
}

describe('risk limits', () => {
    it('max position per instrument (own or *), reductions always pass', () => {
        const { r } = engine({ maxPosition: { [S]: 5, '*': 100 } });
        expect(r.check(order({ qty: 5 }), book(), 0)).toEqual({ pass: true });
        expect(r.check(order({ qty: 6 }), book(), 0)).toEqual({ pass: false, reason: `max position ${S}: 6 would exceed 5` });
        expect(r.check(order({ qty: 101, symbol: E }), book(), 0)).toMatchObject({ pass: false, reason: expect.stringMatching(/would exceed 100/) });
        expect(r.check(order({ qty: 3, side: 'sell' }), book({ positions: { [S]: 8 } }), 0).pass).toBe(true);
        expect(r.check(order({ qty: 20, side: 'sell' }), book({ positions: { [S]: 8 } }), 0).pass).toBe(false); // reverses to −12
    });

    it('notional per instrument, gross exposure and leverage of the book', () => {
        expect(engine({ maxNotional: 500 }).r.check(order({ qty: 6 }), book(), 0)).toMatchObject({ pass: false, reason: `max notional ${S}: 600 would exceed 500` });
        expect(engine({ maxNotional: 500 }).r.check(order({ qty: 5 }), book(), 0).pass).toBe(true);
        const held = book({ positions: { [E]: 50 } }); // 500 of ETH
        expect(engine({ maxGrossExposure: 1000 }).r.check(order({ qty: 6 }), held, 0)).toMatchObject({ pass: false, reason: 'gross exposure 1100 would exceed 1000' });
        expect(engine({ maxGrossExposure: 1000 }).r.check(order({ qty: 5 }), held, 0).pass).toBe(true);
        expect(engine({ maxLeverage: 0.1 }).r.check(order({ qty: 6 }), held, 0)).toMatchObject({ pass: false, reason: 'leverage 0.11 would exceed 0.1 (equity 10000)' });
    });

    it('order rate over a sliding minute; price collar against the last price', () => {
        const { r } = engine({ maxOrdersPerMinute: 2, priceCollar: 0.05 });
        expect(r.check(order(), book(), 0).pass).toBe(true);
        expect(r.check(order(), book(), 10_000).pass).toBe(true);
        expect(r.check(order(), book(), 20_000)).toMatchObject({ pass: false, reason: 'order rate: 2 orders in the last minute, the limit is 2' });
        expect(r.check(order(), book(), 60_001).pass).toBe(true); // the first left the window
        const c = engine({ priceCollar: 0.05 }).r;
        expect(c.check(order({ type: 'limit', price: 106 }), book(), 0)).toMatchObject({ pass: false, reason: 'price collar: 106 is 6.00% from the last price 100, the limit is 5.00%' });
        expect(c.check(order({ type: 'limit', price: 104 }), book(), 0).pass).toBe(true);
        expect(c.check(order({ symbol: 'x:NO/PRICE' }), book(), 0)).toMatchObject({ pass: false, reason: 'no last price for x:NO/PRICE: the limits cannot be checked' });
    });
});

describe('risk states', () => {
    it('daily loss → REDUCING: only reductions pass; a new day does not reset the state', () => {
        const { r, events } = engine({ maxDailyLoss: 500 });
        const day = 86_400_000;
        r.mark(10_000, 0);
        r.mark(9_600, 1000);
        expect(r.state).toBe('ACTIVE');
        r.mark(9_500, 2000);
        expect(r.state).toBe('REDUCING');
        const long = book({ positions: { [S]: 4 } });
        expect(r.check(order(), long, 3000)).toMatchObject({ pass: false, reason: expect.stringMatching(/^trading is REDUCING: only orders that reduce a position pass; buy 1 .* from 4 to 5$/) });
        expect(r.check(order({ side: 'sell', qty: 4 }), long, 3000).pass).toBe(true);
        r.mark(9_500, day + 1);
        expect(r.state).toBe('REDUCING');
        expect(events.find(e => e.kind === 'state')).toEqual({ kind: 'state', ts: 2000, from: 'ACTIVE', to: 'REDUCING', reason: 'loss today 500.00 reached the limit 500' });
    });

    it('drawdown → HALTED: nothing passes but the kill switch\'s reduce-only orders; an operator resumes', () => {
        const { r, events } = engine({ maxDrawdown: 0.1 });
        r.mark(10_000, 0);
        r.mark(12_000, 1);
        r.mark(10_800, 2);
        expect(r.state).toBe('HALTED');
        const long = book({ positions: { [S]: 4 } });
        expect(r.check(order({ side: 'sell', qty: 4 }), long, 3)).toMatchObject({ pass: false, reason: expect.stringMatching(/HALTED/) });
        expect(r.check(order({ side: 'sell', qty: 4, reduceOnly: true }), long, 3, true).pass).toBe(true);
        expect(r.check(order({ side: 'buy', qty: 1 }), long, 3, true)).toMatchObject({ pass: false, reason: expect.stringMatching(/kill switch only reduces/) });
        r.setState('ACTIVE', 'operator resumed', 4);
        expect(r.check(order(), long, 5).pass).toBe(true);
        expect(events.map(e => e.kind)).toEqual(['state', 'deny', 'pass', 'deny', 'state', 'pass']);
        expect(events[0]).toMatchObject({ from: 'ACTIVE', to: 'HALTED', reason: 'drawdown 10.00% reached the limit 10.00%' });
    });

    it('what a restart restores (state, peak, day baseline, order-rate window) decides as before it: nothing resets', () => {
        const { r } = engine({ maxDrawdown: 0.1, maxDailyLoss: 500, maxOrdersPerMinute: 2 });
        r.mark(12_000, 0);
        r.mark(11_600, 1000);
        r.check(order(), book(), 2000);
        const m = JSON.parse(JSON.stringify(r.memory())) as ReturnType<RiskEngine['memory']>;
        const { r: again, events } = engine({ maxDrawdown: 0.1, maxDailyLoss: 500, maxOrdersPerMinute: 2 });
        again.restore(m);
        expect(again.check(order(), book(), 3000).pass).toBe(true);
        expect(again.check(order(), book(), 4000)).toMatchObject({ pass: false, reason: 'order rate: 2 orders in the last minute, the limit is 2' });
        again.mark(11_500, 5000); // 500 below the day's 12 000: REDUCING
        expect(again.state).toBe('REDUCING');
        again.mark(10_800, 6000); // 10% below the 12 000 peak: HALTED
        expect(again.state).toBe('HALTED');
        expect(events.filter(e => e.kind === 'state').map(e => e.kind === 'state' && e.to)).toEqual(['REDUCING', 'HALTED']);
    });
});
