/**
 * Deployments in process over a real DuckDB file with stored synthetic bars: a paper deployment
 * replayed to its end (stated states, every order and fill published and stored in seq order,
 * caught up from any seq), the kill switch mid-replay, and bad input, each to a stated state with
 * a message: a strategy that does not compile, a venue that rejects everything, a feed that stops
 * sending, a feed that fails, an unknown venue.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentEvent } from '../../../protocol/src/daemon/index.js';
import { DeploymentManager, DeploymentInvalid, type StartRequest } from '../../src/execution/deployments/manager.js';
import { PAPER_VENUE, replayFeed, type Feed, type VenueFactory } from '../../src/execution/deployments/plugs.js';
import { PaperVenue } from '../../src/execution/paper.js';
import type { OrderRequest, VenueOrder } from '../../src/execution/venue.js';
import { openStore } from '../../src/schema/registry.js';
import type { DataStore } from '../../src/store/store.js';
import { tempDir } from '../data/helpers.js';
import { irOf } from '../engine/fixtures.js';
import { importSynthBars, smaCross } from '../support/fixtures.js';

const SOURCE = smaCross({ fast: '2..5 step 1', slow: '6..12 step 1' }).replace('= 10 in', '= 3 in').replace('= 40 in', '= 8 in');
const FEED = { kind: 'replay', barMs: 2, from: '2020-01-01', to: '2020-02-05' } as const;

/** A paper venue that refuses every order, as a venue with a closed account would. */
class RejectingVenue extends PaperVenue {
    override async submit(order: OrderRequest): Promise<VenueOrder> {
        (this as unknown as { emit(u: unknown): void }).emit({ kind: 'rejected', clientOrderId: order.clientOrderId, reason: 'account is closed' });
        return { ...order, state: 'rejected', filledQty: 0 };
    }
}

let store: DataStore;
let manager: DeploymentManager;
const published: DeploymentEvent[] = [];
const req = (o: Partial<StartRequest> = {}): StartRequest => ({ team: 'alpha', owner: 'ann', mode: 'paper', source: SOURCE, params: { fast: 2, slow: 6 }, venue: 'paper', feed: FEED, ...o });

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise(r => setTimeout(r, 20));
    }
}
const settledState = (id: string, states: readonly string[]) => until(`${id} in ${states.join('|')}`, async () => {
    const d = await manager.get('alpha', id);
    return states.includes(d.state) ? d : undefined;
});

beforeAll(async () => {
    const stateDir = join(tempDir('af-deploy-'), 'state');
    await importSynthBars(stateDir, { symbols: ['AAA'], bars: 120, seed: 5 });
    store = await openStore({ stateDir });
    const silent: Feed = { next: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))), close: () => undefined };
    manager = new DeploymentManager({
        store, compile: (source) => irOf(source), publish: e => published.push(e),
        venues: { rejecting: (ctx => new RejectingVenue(ctx.paper)) as VenueFactory, paper: PAPER_VENUE },
        feeds: {
            replay: replayFeed(store),
            silent: async () => silent,
            broken: async () => ({ next: async () => { throw new Error('socket closed by the exchange'); }, close: () => undefined }),
        },
        stallMs: 300, maxRejects: 2,
    });
});
afterAll(async () => {
    await manager.close();
    store.close();
});

describe('a paper deployment', () => {
    it('warms up, runs, trades and ends with its feed; every event is stored in seq order and caught up from any seq', async () => {
        const started = await manager.start(req());
        expect(started).toMatchObject({ state: 'starting', mode: 'paper', venue: 'paper', strategy: 'Cross', params: { fast: 2, slow: 6 }, capital: 100_000 });
        const d = await settledState(started.id, ['stopped', 'failed']);
        expect(d.state).toBe('stopped');
        expect(d.reason).toMatch(/^the replay feed ended after \d+ bars/);
        expect(d.bars).toBe(36);
        const states = published.filter(e => e.deploymentId === d.id && e.kind === 'state').map(e => e.data['state']);
        expect(states).toEqual(['starting', 'warming', 'running', 'stopped']);
        const all = (await manager.events('alpha', d.id, 0, 10_000)).events;
        expect(all.map(e => e.seq)).toEqual(all.map((_, i) => i + 1));
        expect(all).toEqual(published.filter(e => e.deploymentId === d.id));
        const fills = all.filter(e => e.kind === 'fill');
        expect(fills.length).toBeGreaterThan(1);
        const orders = await manager.orders('alpha', { id: d.id, limit: 1000 });
        expect(orders.filter(o => o.state === 'filled')).toHaveLength(fills.length);
        const later = await manager.events('alpha', d.id, 5, 3);
        expect(later.events.map(e => e.seq)).toEqual([6, 7, 8]);
        expect(later.nextSeq).toBe(8);
        expect(later.done).toBe(false);
        expect((await manager.events('alpha', d.id, all.length, 10)).done).toBe(true);
        // Another team does not see it.
        await expect(manager.get('beta', d.id)).rejects.toThrow(/not found/);
    });

    it('the kill switch halts it mid-replay with its position flat and stops reading bars', async () => {
        const started = await manager.start(req({ feed: { ...FEED, barMs: 40 } }));
        await until('a position', async () => ((await manager.positions('alpha', started.id)).positions.length ? true : undefined));
        const [killed] = await manager.kill('alpha', { id: started.id }, 'ann', 'test');
        expect(killed).toMatchObject({ state: 'halted', reason: 'kill switch by ann: test', riskState: 'HALTED' });
        expect((await manager.positions('alpha', started.id)).positions).toEqual([]);
        const bars = killed!.bars;
        await new Promise(r => setTimeout(r, 200));
        expect((await manager.get('alpha', started.id)).bars).toBe(bars);
        const stopped = await manager.stop('alpha', started.id, 'ann');
        expect(stopped).toMatchObject({ state: 'stopped', reason: 'stopped by ann' });
        await expect(manager.stop('alpha', started.id, 'ann')).rejects.toThrow(/already stopped/);
    });
});

describe('bad input goes to a stated state with a message', () => {
    it('a strategy that does not compile is refused with its line, and nothing is stored', async () => {
        const before = (await manager.list('alpha', {})).total;
        const err = await manager.start(req({ source: SOURCE.replace('sma(close, slow)', 'sma(close, slwo)'), uri: 'cross.af' })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DeploymentInvalid);
        expect((err as Error).message).toMatch(/^cross\.af does not compile: .*slwo.*; fix it \(af check\) and deploy again$/);
        expect((await manager.list('alpha', {})).total).toBe(before);
    });

    it('an unknown venue or feed names what the daemon has', async () => {
        await expect(manager.start(req({ venue: 'ccxt:nowhere' }))).rejects.toThrow(/^no venue named ccxt:nowhere; this daemon has: paper, rejecting$/);
        await expect(manager.start(req({ feed: { kind: 'nope', barMs: 1 } }))).rejects.toThrow(/^no feed named nope; this daemon has: broken, replay, silent$/);
    });

    it('a venue that rejects everything halts the deployment, saying why', async () => {
        const started = await manager.start(req({ venue: 'rejecting' }));
        const d = await settledState(started.id, ['halted', 'stopped', 'failed']);
        expect(d.state).toBe('halted');
        expect(d.reason).toBe('the venue rejecting rejected 2 orders in a row (last: account is closed); check the venue (account, keys, symbols) and start a new deployment');
        expect(d.riskState).toBe('HALTED');
        expect((await manager.orders('alpha', { id: d.id, limit: 100 })).map(o => o.state)).toEqual(['rejected', 'rejected']);
    });

    it('a feed that stops sending fails the deployment with a message; one that breaks too', async () => {
        const silent = await manager.start(req({ feed: { kind: 'silent', barMs: 10 } }));
        const s = await settledState(silent.id, ['failed', 'stopped']);
        expect(s).toMatchObject({ state: 'failed', bars: 0 });
        expect(s.reason).toMatch(/^the silent feed has sent no bar for \d+ s \(one was due every 10 ms\): it has stopped; check the feed and start the deployment again$/);
        const broken = await manager.start(req({ feed: { kind: 'broken', barMs: 10 } }));
        const b = await settledState(broken.id, ['failed', 'stopped']);
        expect(b).toMatchObject({ state: 'failed', reason: 'the broken feed failed: socket closed by the exchange' });
    });

    it('a replay with no stored bars fails with what to do', async () => {
        const started = await manager.start(req({ feed: { ...FEED, from: '2031-01-01', to: '2031-02-01' } }));
        const d = await settledState(started.id, ['failed', 'stopped']);
        expect(d.state).toBe('failed');
        expect(d.reason).toMatch(/^no stored bars of synth:AAA 1d between 2031-01-01 and 2031-02-01: import them first/);
    });
});
