/**
 * The ccxt venue adapter against the local exchange stand-in (real HTTP + WebSocket on 127.0.0.1,
 * ccxt's unmodified binance class), its updates through the real order journal (DuckDB): each fault
 * the stand-in injects — duplicated and reordered fill messages, partial fills, HTTP 429 and 5xx
 * (also after the order took effect), rejections, a dropped socket while fills happen, latency — and
 * what must hold: one order per client id at the venue, each fill counted once, a stated final state.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrderJournal } from '../../src/execution/journal.js';
import { startStandin, type StandinServer } from '../../src/execution/standin/binance-server.js';
import type { OrderRequest } from '../../src/execution/venue.js';
import { CcxtVenue } from '../../src/execution/venues/ccxt-venue.js';
import { openStore } from '../../src/schema/registry.js';
import type { DataStore } from '../../src/store/store.js';
import { tempDir } from '../data/helpers.js';

const MIN = 60_000;
let standin: StandinServer;
let store: DataStore;
const venues: CcxtVenue[] = [];
let dep = 0;

beforeAll(async () => {
    standin = await startStandin({ accounts: [{ apiKey: 'alpha-key', secret: 'alpha-secret' }], historyBars: 50 });
    store = await openStore({ stateDir: join(tempDir('af-ccxt-'), 'state') });
});
afterAll(async () => {
    await standin.close();
    store.close();
});
afterEach(async () => {
    Object.assign(standin.faults, { latencyMs: 0, duplicateFills: false, reorderFills: false });
    standin.exchange.partialParts = 1;
    while (venues.length) await venues.pop()!.close();
});

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await cond())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise(r => setTimeout(r, 15));
    }
}

/** A venue wired to a fresh deployment's journal, as the gateway wires it (updates applied one at a time). */
async function session(known: readonly OrderRequest[] = []) {
    const journal = new OrderJournal(store, 'alpha', `dep_ccxt_${++dep}`);
    const venue = await CcxtVenue.connect({ exchange: 'binance', apiKey: 'alpha-key', secret: 'alpha-secret', baseUrl: standin.url, symbols: ['BTC/USDT'], backoffMs: 20, reconcileMs: 60_000, onNotice: m => process.env['DEBUG_CCXT'] && console.log(Date.now() % 100000, m) }, known);
    venues.push(venue);
    const problems: string[] = [];
    let chain: Promise<unknown> = Promise.resolve();
    venue.onUpdate(u => { chain = chain.then(() => journal.apply(u)).catch((e: unknown) => problems.push(String(e))); });
    venue.onUpdate(u => { if (process.env['DEBUG_CCXT']) console.log(Date.now() % 100000, JSON.stringify(u)); });
    const send = async (o: OrderRequest) => { await journal.record(venue.name, o, 0); return venue.submit(o); };
    return { journal, venue, send, problems };
}

const order = (id: string, over: Partial<OrderRequest> = {}): OrderRequest => ({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', qty: 0.03, ...over });
const atVenue = (cid: string) => standin.exchange.orders.filter(o => o.clientOrderId === cid);

describe('ccxt venue adapter against the stand-in', () => {
    it('partial fills, each sent twice and in reverse order, count once: partially filled, then filled', async () => {
        const s = await session();
        standin.exchange.partialParts = 3;
        Object.assign(standin.faults, { duplicateFills: true, reorderFills: true });
        await s.send(order('afpartial1'));
        await until('the first part', async () => (await s.journal.get('afpartial1'))?.state === 'partially_filled');
        standin.exchange.advance(2 * MIN); // the other two parts in one burst: reversed and doubled
        await until('filled', async () => (await s.journal.get('afpartial1'))?.state === 'filled');
        await new Promise(r => setTimeout(r, 100)); // let any late duplicate arrive
        const o = (await s.journal.get('afpartial1'))!;
        expect(o.filledQty).toBeCloseTo(0.03, 10);
        const fills = (await s.journal.events('afpartial1')).filter(e => e.kind === 'fill');
        expect(fills).toHaveLength(3);
        expect(new Set(fills.map(f => f.fillId)).size).toBe(3);
        expect(standin.exchange.trades.filter(t => t.clientOrderId === 'afpartial1')).toHaveLength(3);
        expect((await s.journal.events('afpartial1')).map(e => e.to)).toEqual(['new', 'accepted', 'partially_filled', 'partially_filled', 'filled']);
        expect(s.problems).toEqual([]);
    });

    it('HTTP 429, then a 5xx after the order took effect: retried, looked up, one order at the venue', async () => {
        const s = await session();
        standin.faults.latencyMs = 5;
        standin.failNext({ path: '/api/v3/order', method: 'POST', status: 429 });
        standin.failNext({ path: '/api/v3/order', method: 'POST', status: 503, afterApply: true });
        const before = standin.requests.length;
        const v = await s.send(order('afretry1'));
        expect(v.state).toBe('filled');
        expect(atVenue('afretry1')).toHaveLength(1);
        const seen = standin.requests.slice(before).filter(r => r.path === '/api/v3/order').map(r => `${r.method} ${r.status}`);
        expect(seen).toEqual(['POST 429', 'GET 400', 'POST 503', 'GET 200']); // look-up: none, send; look-up: there
        await until('filled in the journal', async () => (await s.journal.get('afretry1'))?.state === 'filled');
        // Submitting the same id again sends nothing.
        await s.venue.submit(order('afretry1'));
        expect(atVenue('afretry1')).toHaveLength(1);
    });

    it('a rejection is the rejected state with the venue\'s reason', async () => {
        const s = await session();
        standin.exchange.rejectNext(1, 'Account has insufficient balance for requested action.');
        const v = await s.send(order('afreject1'));
        expect(v.state).toBe('rejected');
        await until('rejected in the journal', async () => (await s.journal.get('afreject1'))?.state === 'rejected');
        const ev = (await s.journal.events('afreject1')).at(-1)!;
        expect(ev.reason).toContain('insufficient balance');
        expect(atVenue('afreject1')).toHaveLength(0);
    });

    it('fills while the socket is down are found by the reconcile after the reconnect', async () => {
        const s = await session();
        standin.exchange.partialParts = 2;
        await s.send(order('afdrop1'));
        await until('the first part', async () => (await s.journal.get('afdrop1'))?.state === 'partially_filled');
        standin.disconnect(150);
        standin.exchange.advance(MIN); // the second part, with no user stream to tell
        await until('filled through the reconcile', async () => (await s.journal.get('afdrop1'))?.state === 'filled');
        expect((await s.journal.events('afdrop1')).filter(e => e.kind === 'fill')).toHaveLength(2);
    });

    it('on connect, known orders are reconciled: fills found, an order the venue never got is rejected, nothing is resent', async () => {
        const first = await session();
        standin.exchange.partialParts = 2;
        await first.send(order('afknown1', { qty: 0.01 }));
        await until('the first part', async () => (await first.journal.get('afknown1'))?.state === 'partially_filled');
        await first.venue.close(); // the daemon stops…
        standin.exchange.advance(MIN); // …the venue fills the rest meanwhile
        await first.journal.record('ccxt:binance', order('afnever1', { qty: 0.01 }), 1); // journaled, never sent (a crash)
        let chain: Promise<unknown> = Promise.resolve();
        const known = await first.journal.orders({ open: true });
        expect(known.map(o => o.clientOrderId).sort()).toEqual(['afknown1', 'afnever1']);
        const v2 = await CcxtVenue.connect({ exchange: 'binance', apiKey: 'alpha-key', secret: 'alpha-secret', baseUrl: standin.url, symbols: ['BTC/USDT'], backoffMs: 20 }, known,
            u => { chain = chain.then(() => first.journal.apply(u)); });
        venues.push(v2);
        await chain;
        expect((await first.journal.get('afknown1'))?.state).toBe('filled');
        expect((await first.journal.events('afknown1')).filter(e => e.kind === 'fill')).toHaveLength(2); // the first one again: counted once
        const never = await first.journal.get('afnever1');
        expect(never?.state).toBe('rejected');
        expect((await first.journal.events('afnever1')).at(-1)?.reason).toMatch(/never reached the venue/);
        expect(atVenue('afknown1')).toHaveLength(1);
        expect(atVenue('afnever1')).toHaveLength(0);
        expect((await v2.positions())['BTC/USDT']).toBeGreaterThan(0);
    });

    it('cancel and amend (Binance cancel-replace) keep the client order id', async () => {
        const s = await session();
        const px = standin.exchange.price('BTCUSDT');
        await s.send(order('aflimit1', { type: 'limit', price: Math.round(px * 0.5), qty: 0.01 }));
        await until('accepted', async () => (await s.journal.get('aflimit1'))?.state === 'accepted');
        await s.venue.amend('aflimit1', { price: Math.round(px * 0.6) });
        const live = standin.exchange.open('alpha-key').filter(o => o.clientOrderId === 'aflimit1');
        expect(live).toHaveLength(1);
        expect(live[0]!.price).toBe(Math.round(px * 0.6));
        expect((await s.venue.openOrders()).map(o => o.clientOrderId)).toContain('aflimit1');
        await new Promise(r => setTimeout(r, 100));
        expect((await s.journal.get('aflimit1'))?.state).toBe('accepted'); // the replaced venue order's cancel is not ours
        await s.venue.cancel('aflimit1');
        await until('cancelled', async () => (await s.journal.get('aflimit1'))?.state === 'cancelled');
        expect(standin.exchange.open('alpha-key').filter(o => o.clientOrderId === 'aflimit1')).toHaveLength(0);
    });
});
