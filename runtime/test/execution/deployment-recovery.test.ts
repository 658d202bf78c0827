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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Lifecycle from '../../src/daemon/lifecycle.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { stateWithSynthBars } from '../support/fixtures.js';

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
    }, 120_000);
});
