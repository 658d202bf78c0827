/**
 * The order half of the execution gateway: the state machine (every allowed move, the refused
 * ones, duplicated and late fills), client order ids (the same origin gives the same id), and the
 * journal over a real DuckDB file and a real PostgreSQL 15, team mode's control plane (each transition one event row; a journaled id is not recorded
 * twice; duplicated fill messages counted once; the journal survives reopening the store).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../protocol/src/errors.js';
import { clientOrderId } from '../../src/execution/client-order-id.js';
import { OrderJournal } from '../../src/execution/journal.js';
import { GroupCommit } from '../../src/store/group-commit.js';
import { apply, type OrderStatus } from '../../src/execution/order-state.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { tempDir } from '../data/helpers.js';
import { STORE_KINDS, available, openControl, reopenControl, usePostgres } from '../team/control-stores.js';

usePostgres('runtime/test/execution/orders.test.ts');

const fresh = (qty = 10): OrderStatus => ({ state: 'new', qty, filledQty: 0, avgPrice: 0, fees: 0, fillIds: [] });
const id = 'afx';

describe('order state machine', () => {
    it('new → accepted → partially_filled → filled, with the average price and fees', () => {
        let s = fresh();
        s = apply(s, { kind: 'accepted', clientOrderId: id })!.status;
        expect(s.state).toBe('accepted');
        const m1 = apply(s, { kind: 'fill', clientOrderId: id, fillId: 'f1', qty: 4, price: 100, fee: 0.4 })!;
        expect([m1.from, m1.to]).toEqual(['accepted', 'partially_filled']);
        const m2 = apply(m1.status, { kind: 'fill', clientOrderId: id, fillId: 'f2', qty: 6, price: 110, fee: 0.66 })!;
        expect([m2.from, m2.to]).toEqual(['partially_filled', 'filled']);
        expect(m2.status.avgPrice).toBeCloseTo(106, 12);
        expect(m2.status.fees).toBeCloseTo(1.06, 12);
    });

    it('a duplicated fill message changes nothing; fills out of order add up the same', () => {
        const s = apply(fresh(), { kind: 'accepted', clientOrderId: id })!.status;
        const a = apply(s, { kind: 'fill', clientOrderId: id, fillId: 'f2', qty: 6, price: 110, fee: 0 })!.status;
        expect(apply(a, { kind: 'fill', clientOrderId: id, fillId: 'f2', qty: 6, price: 110, fee: 0 })).toBeNull();
        const b = apply(a, { kind: 'fill', clientOrderId: id, fillId: 'f1', qty: 4, price: 100, fee: 0 })!.status;
        expect(b.state).toBe('filled');
        expect(b.filledQty).toBe(10);
    });

    it('refuses moves the machine does not allow and fills beyond the order, naming the order', () => {
        const filled = { ...fresh(), state: 'filled' as const, filledQty: 10 };
        expect(apply(filled, { kind: 'cancelled', clientOrderId: id })).toBeNull(); // late status after the end
        const accepted = { ...fresh(), state: 'accepted' as const };
        expect(() => apply(accepted, { kind: 'rejected', clientOrderId: id, reason: 'x' })).toThrow(/order afx: cannot go from accepted to rejected/);
        expect(() => apply(fresh(), { kind: 'expired', clientOrderId: id })).toThrow(/cannot go from new to expired/);
        expect(() => apply(accepted, { kind: 'fill', clientOrderId: id, fillId: 'f', qty: 11, price: 1, fee: 0 })).toThrow(/more than the 10 ordered/);
        expect(() => apply(accepted, { kind: 'fill', clientOrderId: id, fillId: 'f', qty: -1, price: 1, fee: 0 })).toThrow(/positive quantity/);
    });

    it('a fill after a cancel still counts (it happened at the venue), the order stays cancelled', () => {
        const cancelled = { ...fresh(), state: 'cancelled' as const };
        const m = apply(cancelled, { kind: 'fill', clientOrderId: id, fillId: 'f', qty: 3, price: 5, fee: 0 })!;
        expect(m.to).toBe('cancelled');
        expect(m.status.filledQty).toBe(3);
    });
});

describe('client order ids', () => {
    it('the same deployment, bar and rule give the same id; any difference another', () => {
        const o = { deployment: 'dep_1', barTs: 1_700_000_000_000, rule: 0 };
        expect(clientOrderId(o)).toBe(clientOrderId({ ...o }));
        expect(clientOrderId(o)).toMatch(/^af[0-9a-f]{30}$/);
        const others = [{ ...o, deployment: 'dep_2' }, { ...o, barTs: o.barTs + 60_000 }, { ...o, rule: 1 }].map(clientOrderId);
        expect(new Set([clientOrderId(o), ...others]).size).toBe(4);
    });
});

for (const kind of STORE_KINDS) describe.skipIf(!available(kind))(`order journal on ${kind}`, () => {
    let dir: string;
    let store: SqlStore;
    let tick = 0;
    const clock = () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++));
    beforeEach(async () => {
        dir = join(tempDir('af-exec-'), 'state');
        store = await openControl(kind, dir);
        tick = 0;
    });
    afterEach(() => store.close());

    const order = { clientOrderId: 'af1', symbol: 'binance:BTC/USDT', side: 'buy' as const, type: 'market' as const, qty: 2 };

    it('records each transition as an event, once per fill id, and refuses a second record of the same id', async () => {
        const j = new OrderJournal(store, 'alpha', 'dep_1', clock);
        expect(await j.record('paper', order, 1000)).toBe(true);
        expect(await j.record('paper', order, 1000)).toBe(false);
        await j.apply({ kind: 'accepted', clientOrderId: 'af1' });
        await j.apply({ kind: 'fill', clientOrderId: 'af1', fillId: 'v1', qty: 1, price: 100, fee: 0.1 });
        expect(await j.apply({ kind: 'fill', clientOrderId: 'af1', fillId: 'v1', qty: 1, price: 100, fee: 0.1 })).toBeNull();
        await j.apply({ kind: 'fill', clientOrderId: 'af1', fillId: 'v2', qty: 1, price: 102, fee: 0.1 });
        const events = await j.events('af1');
        expect(events.map(e => [e.seq, e.kind, e.from, e.to])).toEqual([
            [1, 'new', null, 'new'], [2, 'accepted', 'new', 'accepted'], [3, 'fill', 'accepted', 'partially_filled'], [4, 'fill', 'partially_filled', 'filled'],
        ]);
        expect(events[3]).toMatchObject({ fillId: 'v2', fillQty: 1, fillPrice: 102, fee: 0.1 });
        expect(await j.get('af1')).toMatchObject({ state: 'filled', filledQty: 2, avgPrice: 101, fees: 0.2, barTs: 1000 });
        expect(await j.orders({ open: true })).toEqual([]);
    });

    it('keeps deployments and teams apart, and survives reopening the store', async () => {
        const a1 = new OrderJournal(store, 'alpha', 'dep_1', clock), b1 = new OrderJournal(store, 'beta', 'dep_1', clock);
        await a1.record('paper', order, 1000);
        await b1.record('paper', { ...order, qty: 5 }, 1000);
        await Promise.all([a1.flush(), b1.flush()]); // group commit: a record is durable once flushed
        store = await reopenControl(kind, dir, store);
        const alpha = new OrderJournal(store, 'alpha', 'dep_1', clock);
        expect((await alpha.orders()).map(o => o.qty)).toEqual([2]);
        expect((await alpha.orders({ open: true })).map(o => o.state)).toEqual(['new']);
        expect(await new OrderJournal(store, 'alpha', 'dep_2', clock).orders()).toEqual([]);
        const err = await new OrderJournal(store, 'alpha', 'dep_2', clock).apply({ kind: 'accepted', clientOrderId: 'af1' }).catch(e => e as { code: number; message: string });
        expect(err).toMatchObject({ code: ErrorCodes.NotFound, message: expect.stringMatching(/deployment dep_2 has no order af1/) });
    });

    it('journals of many deployments flushed at once share one transaction; a write that fails there fails only its own flush', async () => {
        const group = new GroupCommit(store);
        const js = Array.from({ length: 6 }, (_, i) => new OrderJournal(store, 'alpha', `dep_${i}`, { now: clock, groupMs: 0, commit: w => group.commit(w) }));
        for (const j of js) await j.record('paper', order, 1000);
        await Promise.all(js.map(j => j.flush()));
        expect(group.stats).toEqual({ transactions: 1, writes: 6, split: 0 });
        // dep_2's extra rows break the group (a row its table refuses): the others are committed alone, dep_2's batch stays queued.
        for (const j of js) await j.apply({ kind: 'accepted', clientOrderId: 'af1' });
        const bad = 'INSERT INTO exec_orders (team) VALUES {values}';
        const flushed = await Promise.allSettled(js.map((j, i) => j.flush(i === 2 ? sink => sink.add(bad, ['alpha']) : undefined)));
        expect(flushed.map(f => f.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
        expect(group.stats).toMatchObject({ split: 1 });
        const states = Object.fromEntries(await Promise.all(js.map(async (j, i) => [i, (await new OrderJournal(store, 'alpha', j.deployment, clock).orders())[0]!.state])));
        expect(states).toEqual({ 0: 'accepted', 1: 'accepted', 2: 'new', 3: 'accepted', 4: 'accepted', 5: 'accepted' });
        expect(js[2]!.pending).toBe(1);
        await js[2]!.flush();
        expect((await js[2]!.orders())[0]!.state).toBe('accepted');
    });
});
