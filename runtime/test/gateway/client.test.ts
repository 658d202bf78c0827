/**
 * DaemonClient against a real gateway: typed calls, errors as RpcErrors, results checked against
 * the table, an unreachable daemon, and event subscriptions over WebSocket.
 */
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, RpcError, type StreamEvent } from '../../../protocol/src/daemon/index.js';
import { DaemonClient, DaemonUnreachableError } from '../../../protocol/src/client.js';
import { RUN_DETAIL, sleep, startTestGateway, type TestGateway } from './helpers.js';

describe('DaemonClient', () => {
    let t: TestGateway;
    beforeAll(async () => { t = await startTestGateway(); });
    afterAll(async () => { await t.close(); });

    it('calls methods with typed params and results', async () => {
        const c = new DaemonClient({ url: t.gw.url, token: 'tok-researcher' });
        const me = await c.call('iam.whoami');
        expect(me.principal.role).toBe('researcher');
        const run = await c.call('runs.get', { id: 'run_1' });
        expect(run.run).toEqual(RUN_DETAIL);
        const sub = await c.call('runs.submit', { kind: 'backtest', spec: { source: 'strategy X {}', params: { fast: 5 }, tags: { style: 'trend' } } });
        expect(sub.run.kind).toBe('backtest');
        const info = await c.call('daemon.info');
        expect(info.methods.find(m => m.name === 'execution.live.start')).toEqual({ name: 'execution.live.start', role: 'trader', available: true });
    });

    it('turns daemon errors into RpcErrors with code and data', async () => {
        const c = new DaemonClient({ url: t.gw.url, token: 'tok-viewer' });
        await expect(c.call('runs.get', { id: 'missing' })).rejects.toMatchObject({ name: 'RpcError', code: 404, message: 'unknown run missing' });
        await expect(c.call('runs.submit', { kind: 'backtest', spec: { source: 'x' } })).rejects.toMatchObject({ code: ErrorCodes.Forbidden, data: { requiredRole: 'researcher' } });
        await expect(c.call('runs.get', { id: 3 as unknown as string })).rejects.toMatchObject({ code: ErrorCodes.InvalidParams, data: { issues: [expect.objectContaining({ path: ['id'] })] } });
        const bad = new DaemonClient({ url: t.gw.url, token: 'tok-nope' });
        const e = await bad.call('iam.whoami').catch((x: unknown) => x);
        expect(e).toBeInstanceOf(RpcError);
        expect((e as RpcError).code).toBe(ErrorCodes.Unauthenticated);
    });

    it('checks results against the method table', async () => {
        // A fake daemon that answers with a result of the wrong shape.
        const fake = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { principal: { userId: 5 } } })); });
        await new Promise<void>(r => fake.listen(0, '127.0.0.1', r));
        try {
            const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
            const c = new DaemonClient({ url, token: 'tok' });
            await expect(c.call('iam.whoami')).rejects.toMatchObject({ code: ErrorCodes.InternalError, message: expect.stringContaining('does not match the protocol') });
            const lax = new DaemonClient({ url, token: 'tok', validateResults: false });
            expect(await lax.call('iam.whoami')).toEqual({ principal: { userId: 5 } });
        } finally {
            await new Promise(r => fake.close(r));
        }
    });

    it('says so when the daemon is not running', async () => {
        const probe = createServer();
        await new Promise<void>(r => probe.listen(0, '127.0.0.1', r));
        const port = (probe.address() as AddressInfo).port;
        await new Promise(r => probe.close(r));
        const c = new DaemonClient({ url: `http://127.0.0.1:${port}`, token: 'tok-viewer' });
        const e = await c.call('iam.whoami').catch((x: unknown) => x);
        expect(e).toBeInstanceOf(DaemonUnreachableError);
        expect((e as Error).message).toMatch(/cannot reach the AlphaForge daemon.*af daemon start/);
        await expect(c.subscribe(['runs'], () => undefined)).rejects.toBeInstanceOf(DaemonUnreachableError);
    });

    it('subscribes to events over WebSocket', async () => {
        const c = new DaemonClient({ url: t.gw.url, token: 'tok-viewer' });
        const got: StreamEvent[] = [];
        const sub = await c.subscribe(['run:c1'], e => got.push(e));
        expect(sub.topics).toEqual(['run:c1']);
        t.bus.publish({ type: 'log', runId: 'c1', seq: 0, ts: '2025-01-01T00:00:00.000Z', level: 'info', message: 'hello' }, { team: 'team_a' });
        t.bus.publish({ type: 'log', runId: 'c2', seq: 0, ts: '2025-01-01T00:00:00.000Z', level: 'info', message: 'not mine' }, { team: 'team_a' });
        expect(await sub.subscribe(['alerts'])).toEqual(['run:c1', 'alerts']);
        t.bus.publish({ type: 'alert', ts: '2025-01-01T00:00:00.000Z', rule: 'daemon_memory', state: 'firing', severity: 'critical', message: 'RSS 2 GiB', value: 2048, threshold: 1024 });
        for (let i = 0; i < 50 && got.length < 2; i++) await sleep(20);
        expect(got.map(e => e.type)).toEqual(['log', 'alert']);
        expect(await sub.unsubscribe()).toEqual([]);
        await sub.close();
        expect((await sub.closed).code).toBe(1000);
        await expect(new DaemonClient({ url: t.gw.url, token: 'tok-bad' }).subscribe(['runs'], () => undefined)).rejects.toMatchObject({ code: ErrorCodes.Unauthenticated });
        await expect(c.subscribe(['bogus' as 'runs'], () => undefined)).rejects.toMatchObject({ code: ErrorCodes.InvalidParams });
    });
});
