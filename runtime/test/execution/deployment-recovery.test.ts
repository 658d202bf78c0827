/**
 * A paper deployment survives kill -9 of the daemon, with real processes: `af daemon run` is
 * started detached, a paper deployment of an example replays stored bars, the daemon is killed
 * with SIGKILL mid-replay and started again on the same state directory. The deployment resumes
 * from its stored bars and journal, goes on to the end of its replay, and its orders and fills are
 * exactly those of the same deployment run without interruption: no order sent twice, none lost,
 * no fill lost or counted twice.
 *
 * The daemons run from out/ (`npm run build` first), as in runtime/test/daemon/crash.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Lifecycle from '../../src/daemon/lifecycle.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { startStandin } from '../../src/execution/standin/binance-server.js';
import { withStore } from '../../src/schema/registry.js';
import { LIVE_CROSS, stateWithSynthBars } from '../support/fixtures.js';

const lifecycleJs = fileURLToPath(new URL('../../../out/runtime/src/daemon/lifecycle.js', import.meta.url));
const { startDetached, stopDaemon, processAlive } = await import(pathToFileURL(lifecycleJs).href) as typeof Lifecycle;

const pids = new Set<number>();
afterAll(() => {
    for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

const SOURCE = readFileSync(join(process.cwd(), 'examples', 'sma-cross.af'), 'utf8');

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn().catch(() => undefined);
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise(r => setTimeout(r, 50));
    }
}

describe('kill -9 of the daemon during a paper deployment', () => {
    it('resumes it from its journal to the end of its replay: no duplicate order, no lost fill', async () => {
        const stateDir = await stateWithSynthBars('af-deploy-crash-', { symbols: ['AAA'], bars: 200, seed: 7 });
        const first = await startDetached({ stateDir, port: 0, timeoutMs: 90_000 });
        pids.add(first.pid);
        const token = readFileSync(join(stateDir, 'admin.token'), 'utf8').trim();
        const c1 = new DaemonClient({ url: first.url, token });
        // The example with shorter averages (more trades in a short replay), on stored synthetic bars.
        const source = SOURCE.replace('in 5..60 step 5', 'in 2..60 step 1').replace('in 50..250 step 25', 'in 5..250 step 1');
        const start = { source, uri: 'sma-cross.af', params: { fast: 3, slow: 8 }, feed: { symbols: ['synth:AAA'], barMs: 20, from: '2020-01-01', to: '2020-02-12' } };
        const { deployment } = await c1.call('execution.paper.start', start);
        // Mid-replay, with orders already filled.
        await until('fills before the crash', async () => {
            const orders = (await c1.call('execution.orders', { id: deployment.id })).orders;
            return orders.filter(o => o.state === 'filled').length >= 2 ? true : undefined;
        });
        const before = (await c1.call('execution.show', { id: deployment.id })).deployment;
        expect(before.state).toBe('running');
        process.kill(first.pid, 'SIGKILL');
        await until('the first daemon to die', async () => (processAlive(first.pid) ? undefined : true));

        const second = await startDetached({ stateDir, port: 0, timeoutMs: 90_000 });
        pids.add(second.pid);
        const c2 = new DaemonClient({ url: second.url, token });
        // The same deployment, never interrupted, on the same daemon, meanwhile.
        const straight = (await c2.call('execution.paper.start', start)).deployment;
        const ended = await until('the resumed deployment to end', async () => {
            const d = (await c2.call('execution.show', { id: deployment.id })).deployment;
            return d.state === 'stopped' || d.state === 'failed' || d.state === 'halted' ? d : undefined;
        });
        const reference = await until('the reference deployment to end', async () => {
            const d = (await c2.call('execution.show', { id: straight.id })).deployment;
            return d.state === 'stopped' || d.state === 'failed' || d.state === 'halted' ? d : undefined;
        });
        expect(reference.state).toBe('stopped');
        expect(ended).toMatchObject({ state: 'stopped', bars: reference.bars, reason: reference.reason });
        expect(ended.bars).toBeGreaterThan(before.bars);

        const events = (await c2.call('execution.events', { id: deployment.id, limit: 10_000 })).events;
        expect(events.filter(e => e.kind === 'state' && String(e.data['reason']).startsWith('resumed after a daemon restart'))).toHaveLength(1);
        expect(events.map(e => e.seq)).toEqual(events.map((_, i) => i + 1));

        const a = (await c2.call('execution.orders', { id: deployment.id })).orders;
        const b = (await c2.call('execution.orders', { id: straight.id })).orders;
        expect(new Set(a.map(o => o.clientOrderId)).size).toBe(a.length);
        expect(a.filter(o => o.state === 'filled').length).toBeGreaterThan(2);
        const shape = (o: (typeof a)[number]) => [o.side, o.type, o.barTs, o.state, o.reduceOnly];
        expect(a.map(shape)).toEqual(b.map(shape));
        a.forEach((o, i) => {
            expect(o.qty).toBeCloseTo(b[i]!.qty, 9);
            expect(o.filledQty).toBeCloseTo(b[i]!.filledQty, 9);
            expect(o.avgPrice).toBeCloseTo(b[i]!.avgPrice, 9);
            expect(o.fees).toBeCloseTo(b[i]!.fees, 9);
        });
        expect(ended.equity!).toBeCloseTo(reference.equity!, 6);
        const pa = await c2.call('execution.positions', { id: deployment.id }), pb = await c2.call('execution.positions', { id: straight.id });
        expect(pa.positions.map(p => [p.symbol, p.qty])).toEqual(pb.positions.map(p => [p.symbol, p.qty]));
        await stopDaemon(stateDir);
    }, 180_000);
});

describe('kill -9 of the daemon during a live deployment on ccxt:binance (the stand-in)', () => {
    it('reconciles by client order id before sending anything new: fills made while it was down are journaled once, no order is sent twice; a risk halt survives too', async () => {
        const KEY = 'standin-recovery-key', SECRET = 'standin-recovery-secret';
        // Prices of the order of the replayed bars (20…200): a 20% target is affordable at the venue.
        const standin = await startStandin({ accounts: [{ apiKey: KEY, secret: SECRET }], markets: [{ symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', priceScale: 1 }], historyBars: 50 });
        try {
            // Every order fills a third at once, the rest one third per stand-in bar (its clock moves only when told).
            standin.exchange.partialParts = 3;
            const stateDir = await stateWithSynthBars('af-deploy-ccxt-', { symbols: ['BTC/USDT'], bars: 150, seed: 11 });
            const config = join(stateDir, 'alphaforge.json');
            writeFileSync(config, JSON.stringify({ venues: { urls: { binance: standin.url } } }));
            const first = await startDetached({ stateDir, port: 0, timeoutMs: 90_000, args: ['--config', config] });
            pids.add(first.pid);
            const token = readFileSync(join(stateDir, 'admin.token'), 'utf8').trim();
            const admin = new DaemonClient({ url: first.url, token });
            // Four eyes: the admin publishes, another trader of its team approves.
            const team = (await admin.call('iam.whoami', {})).principal.teamName;
            await admin.call('iam.users.create', { name: 'approver' });
            await admin.call('iam.members.set', { user: 'approver', team, role: 'trader' });
            const approver = new DaemonClient({ url: first.url, token: (await admin.call('iam.tokens.create', { name: 'approver', user: 'approver', team })).token });
            await admin.call('venues.keys.set', { exchange: 'binance', apiKey: KEY, secret: SECRET });
            await admin.call('registry.publish', { source: LIVE_CROSS, name: 'Live' });
            await approver.call('registry.approve', { name: 'Live', version: 1 });
            const feed = { kind: 'replay', symbols: ['synth:BTC/USDT'], barMs: 40, from: '2020-01-01', to: '2020-02-25' };
            const live = (await admin.call('execution.live.start', { registry: { name: 'Live', version: 1 }, venue: 'ccxt:binance', feed })).deployment;
            // Beside it, a paper deployment whose risk engine halts it at its first loss.
            const halting = (await admin.call('execution.paper.start', { source: LIVE_CROSS, feed: { ...feed, symbols: ['synth:BTC/USDT'] }, limits: { maxDrawdown: 1e-6 } })).deployment;
            const halted = await until('the risk engine to halt the paper deployment', async () => {
                const d = (await admin.call('execution.show', { id: halting.id })).deployment;
                return d.state === 'halted' ? d : undefined;
            });
            expect(halted.reason).toMatch(/^the risk engine halted trading: drawdown/);
            // The live one has an order part-filled at the venue: the daemon dies.
            await until('an order part-filled at the venue', async () => {
                const orders = (await admin.call('execution.orders', { id: live.id })).orders;
                return orders.some(o => o.state === 'partially_filled') ? true : undefined;
            }, 30_000);
            process.kill(first.pid, 'SIGKILL');
            await until('the first daemon to die', async () => (processAlive(first.pid) ? undefined : true));
            const before = await withStore({ stateDir }, async store => {
                const seq = Number(await store.scalar(`SELECT max(seq)::DOUBLE FROM deployment_events WHERE deployment = $1`, [live.id]));
                // The window a crash can hit: the halting bar stored, the move to halted not.
                await store.run(`UPDATE deployments SET state = 'running' WHERE id = $1`, [halting.id]);
                return { seq };
            });
            // While it is down, the venue fills the rest of every open order.
            standin.exchange.advance(3 * 60_000);
            standin.exchange.partialParts = 1;

            const second = await startDetached({ stateDir, port: 0, timeoutMs: 90_000, args: ['--config', config] });
            pids.add(second.pid);
            const c2 = new DaemonClient({ url: second.url, token });
            const ended = await until('the live deployment to end its replay', async () => {
                const d = (await c2.call('execution.show', { id: live.id })).deployment;
                return d.state === 'stopped' || d.state === 'failed' || d.state === 'halted' ? d : undefined;
            });
            expect(ended.state).toBe('stopped');
            const orders = (await c2.call('execution.orders', { id: live.id })).orders;
            const atVenue = standin.exchange.orders.filter(o => o.apiKey === KEY);
            // No order twice at the venue, and every order the venue has is journaled.
            expect(new Set(atVenue.map(o => o.clientOrderId)).size).toBe(atVenue.length);
            expect(atVenue.map(o => o.clientOrderId).sort()).toEqual(orders.filter(o => o.state !== 'rejected').map(o => o.clientOrderId).sort());
            expect(orders.length).toBeGreaterThan(2);
            // Every fill at the venue journaled once; each order as filled as the venue says.
            for (const o of orders) {
                const v = atVenue.find(x => x.clientOrderId === o.clientOrderId)!;
                expect(o.state, o.clientOrderId).toBe('filled');
                expect(o.filledQty).toBeCloseTo(v.executedQty, 9);
            }
            const events = (await c2.call('execution.events', { id: live.id, limit: 10_000 })).events;
            const fills = events.filter(e => e.kind === 'fill');
            expect(fills.map(f => f.data['fillId']).sort()).toEqual(standin.exchange.trades.filter(t => t.apiKey === KEY).map(t => `BTC/USDT:${t.id}`).sort());
            // After the restart: the fills made while it was down come before any new order.
            const after = events.filter(e => e.seq > before.seq);
            const firstNew = after.findIndex(e => e.kind === 'order' && e.data['state'] === 'new');
            const caughtUp = after.map((e, i) => (e.kind === 'fill' ? i : -1)).filter(i => i >= 0);
            expect(caughtUp.length).toBeGreaterThan(0);
            if (firstNew >= 0) expect(Math.min(...caughtUp)).toBeLessThan(firstNew);
            // The halted one stayed halted: nothing traded after the restart.
            const stayed = (await c2.call('execution.show', { id: halting.id })).deployment;
            expect(stayed).toMatchObject({ state: 'halted', bars: halted.bars, reason: expect.stringMatching(/^the risk engine halted trading before the daemon restarted: drawdown/) });
            await stopDaemon(stateDir);
        } finally {
            await standin.close();
        }
    }, 180_000);
});
