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
import { startStandin, type StandinServer } from '../../src/execution/standin/binance-server.js';
import { ccxtFeeds } from '../../src/execution/venues/ccxt-plugs.js';
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
let standin: StandinServer;
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
    // The exchange stand-in (Binance's formats, its clock moved only by the test) behind the daemon's ccxt feed.
    standin = await startStandin({ historyBars: 50 });
    const silent: Feed = { next: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))), close: () => undefined };
    manager = new DeploymentManager({
        store, compile: (source) => irOf(source), publish: e => published.push(e),
        venues: { rejecting: (ctx => new RejectingVenue(ctx.paper)) as VenueFactory, paper: PAPER_VENUE },
        feeds: {
            replay: replayFeed(store),
            ccxt: ccxtFeeds({ urls: { binance: standin.url }, now: () => standin.exchange.now() }),
            silent: async () => silent,
            broken: async () => ({ next: async () => { throw new Error('socket closed by the exchange'); }, close: () => undefined }),
        },
        stallMs: 300, maxRejects: 2,
    });
});
afterAll(async () => {
    await manager.close();
    await standin.close();
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

describe('a paper deployment on the ccxt feed (the stand-in through ccxt)', () => {
    it('warms up on bars fetched before the first live one, trades on closed bars only, and back-fills a disconnect\'s gap before it goes on', async () => {
        const MIN = 60_000, ex = standin.exchange;
        const t0 = ex.now(); // the forming candle's time
        const started = await manager.start(req({ source: SOURCE.replace('timeframe: 1d', 'timeframe: 1m'), feed: { kind: 'ccxt:binance', symbols: ['binance:BTC/USDT'], barMs: 1000 } }));
        const stored = async () => (await store.rows(`SELECT ts, assets FROM deployment_bars WHERE deployment = $1 ORDER BY seq`, [started.id]))
            .map(r => ({ ts: Number(r['ts']), bar: (JSON.parse(String(r['assets'])) as unknown[])[0] }));
        const barsUntil = (n: number) => until(`${n} bars stored`, async () => { const b = await stored(); return b.length >= n ? b : undefined; }, 60_000);
        /** Every bar the strategy got: one per minute, none missing, each the venue's closed candle, none still forming. */
        const expectClosedAndConsecutive = (bars: { ts: number; bar: unknown }[]) => {
            bars.forEach((b, i) => { if (i > 0) expect(b.ts - bars[i - 1]!.ts).toBe(MIN); });
            for (const b of bars) {
                expect(b.ts + MIN).toBeLessThanOrEqual(ex.now());
                const c = ex.candles('BTCUSDT', b.ts, b.ts, 1)[0]!;
                expect(b.bar).toEqual({ open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
            }
        };
        // Warm-up: the strategy's warm-up bars, fetched before the first live bar (all closed before it started).
        const warm = await until('the warm-up', async () => { const d = await manager.get('alpha', started.id); return d.warmupBars && d.bars >= d.warmupBars ? d : undefined; }, 60_000);
        const w = warm.warmupBars!;
        let bars = await stored();
        expect(bars).toHaveLength(w);
        expect(bars.at(-1)!.ts).toBe(t0 - MIN);
        expectClosedAndConsecutive(bars);
        // The forming candle moves (the stand-in streams it on every tick): nothing drives the strategy.
        ex.advance(MIN / 2);
        await new Promise(r => setTimeout(r, 300));
        expect(await stored()).toHaveLength(w);
        ex.advance(MIN / 2);
        bars = await barsUntil(w + 1);
        expect(bars.at(-1)!.ts).toBe(t0);
        // The socket drops; three bars close while it is down, and one more after: the three are traded on first, in order.
        standin.disconnect(300);
        ex.advance(3 * MIN);
        await new Promise(r => setTimeout(r, 400));
        ex.advance(MIN);
        bars = await barsUntil(w + 5);
        expect(bars.map(b => b.ts).slice(w)).toEqual([t0, t0 + MIN, t0 + 2 * MIN, t0 + 3 * MIN, t0 + 4 * MIN]);
        expectClosedAndConsecutive(bars);
        const d = await manager.get('alpha', started.id);
        expect(d.state).toBe('running');
        expect((await manager.orders('alpha', { id: started.id, limit: 100 })).every(o => o.barTs >= t0)).toBe(true);
        await manager.stop('alpha', started.id, 'ann');
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
        await expect(manager.start(req({ feed: { kind: 'nope', barMs: 1 } }))).rejects.toThrow(/^no feed named nope; this daemon has: broken, ccxt, replay, silent$/);
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
