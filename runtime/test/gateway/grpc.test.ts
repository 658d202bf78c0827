/**
 * gRPC on a real server: Call and Subscribe reach the same dispatcher, handlers and event hub as
 * HTTP and WebSocket (no second implementation), with the same errors in-band.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type DaemonEvent, type RpcError, type StreamEvent } from '../../../protocol/src/daemon/index.js';
import { GrpcDaemonClient } from '../../src/gateway/grpc.js';
import { expectAlive, rpc, sleep, startTestGateway, type TestGateway } from './helpers.js';

describe('gRPC transport', () => {
    let t: TestGateway;
    let client: GrpcDaemonClient;
    beforeAll(async () => {
        t = await startTestGateway({ grpc: { port: 0 }, limits: { maxRequestBytes: 32 * 1024 } });
        client = new GrpcDaemonClient({ address: t.gw.grpcAddress!, token: 'tok-researcher' });
    });
    afterAll(async () => {
        client.close();
        await t.close();
    });

    it('serves on loopback next to HTTP', () => {
        expect(t.gw.grpcAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    });

    it('Call reaches the same handlers as HTTP, with the same validation and defaults', async () => {
        t.calls.length = 0;
        const viaGrpc = await client.call('runs.submit', { kind: 'walkforward', spec: { source: 'x', walkforward: { inSample: 100 } } });
        const viaHttp = await rpc(t.gw, 'runs.submit', { kind: 'walkforward', spec: { source: 'x', walkforward: { inSample: 100 } } }, 'tok-researcher');
        expect(viaGrpc.run.kind).toBe('walkforward');
        expect({ ...viaGrpc.run, traceId: '' }).toEqual({ ...(viaHttp.response.result as typeof viaGrpc).run, traceId: '' });
        expect(t.calls.map(c => c.transport)).toEqual(['grpc', 'http']);
        expect(t.calls[0]!.params).toEqual(t.calls[1]!.params);
        expect(t.calls[0]!.params).toMatchObject({ spec: { walkforward: { inSample: 100, scheme: 'rolling' } } });
    });

    it('errors are the JSON-RPC errors, in the response', async () => {
        const code = async (p: Promise<unknown>): Promise<number> => p.then(() => 0, (e: RpcError) => e.code);
        expect(await code(client.call('runs.get', { id: 'missing' }))).toBe(404);
        expect(await code(client.call('iam.users.list', {}))).toBe(ErrorCodes.Forbidden);
        expect(await code(client.call('nope' as 'iam.whoami', {}))).toBe(ErrorCodes.MethodNotFound);
        const wrong = await client.raw({ method: 'runs.get', params_json: '{"id": 7}' });
        expect(wrong.error?.code).toBe(ErrorCodes.InvalidParams);
        expect(JSON.parse(wrong.error!.data_json)).toMatchObject({ issues: [{ path: ['id'] }] });
        expect((await client.raw({ method: 'runs.get', params_json: '{"id": ' })).error?.code).toBe(ErrorCodes.ParseError);
        expect((await client.raw({ method: '', params_json: '' })).error?.code).toBe(ErrorCodes.InvalidRequest);
        const boom = await client.raw({ method: 'runs.get', params_json: '{"id":"boom"}' });
        expect(boom.error?.code).toBe(ErrorCodes.InternalError);
        expect(boom.error?.message).not.toContain('SECRET');
    });

    it('authenticates every call: no token 401, bad token 401, token in metadata works', async () => {
        expect((await client.raw({ method: 'iam.whoami', token: '' })).error?.code).toBe(ErrorCodes.Unauthenticated);
        expect((await client.raw({ method: 'iam.whoami', token: 'tok-bad' })).error?.code).toBe(ErrorCodes.Unauthenticated);
        const md = new grpc.Metadata();
        md.set('authorization', 'Bearer tok-admin');
        const r = await client.raw({ method: 'iam.whoami', token: '' }, md);
        expect(JSON.parse(r.result_json!)).toMatchObject({ principal: { userName: 'ada' } });
    });

    it('oversized messages are refused by gRPC (RESOURCE_EXHAUSTED) and the daemon stays up', async () => {
        await expect(client.raw({ method: 'lang.lint', params_json: JSON.stringify({ source: 'x'.repeat(64 * 1024) }) })).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
        expect((await client.call('iam.whoami', {})).principal.userName).toBe('rosa');
        await expectAlive(t.gw);
    });

    it('Subscribe streams the same events through the same hub, in order, team-filtered', async () => {
        const got: StreamEvent[] = [];
        const stream = client.subscribe(['run:g1', 'alerts'], e => got.push(e));
        await stream.ready;
        const sent: DaemonEvent[] = [
            { type: 'lifecycle', runId: 'g1', seq: 0, ts: '2025-01-01T00:00:00.000Z', state: 'running', previous: 'queued', actor: 'system', message: null },
            ...Array.from({ length: 20 }, (_, i): DaemonEvent => ({ type: 'progress', runId: 'g1', ts: '2025-01-01T00:00:00.000Z', done: i / 20, completed: i, total: 20 })),
            { type: 'log', runId: 'g1', seq: 0, ts: '2025-01-01T00:00:00.000Z', level: 'warn', message: 'slow data' },
            { type: 'lifecycle', runId: 'g1', seq: 1, ts: '2025-01-01T00:00:01.000Z', state: 'completed', previous: 'running', actor: 'system', message: null },
        ];
        t.bus.publish({ type: 'lifecycle', runId: 'g1', seq: 9, ts: '2025-01-01T00:00:00.000Z', state: 'running', previous: 'queued', actor: 'x', message: 'other team' }, { team: 'team_b' });
        for (const e of sent) t.bus.publish(e, { team: 'team_a' });
        for (let i = 0; i < 100 && got.length < sent.length; i++) await sleep(20);
        expect(got).toEqual(sent);
        expect(t.gw.stats().grpcStreams).toBe(1);
        stream.cancel();
        await stream.done;
        for (let i = 0; i < 50 && t.gw.stats().grpcStreams > 0; i++) await sleep(20);
        expect(t.gw.stats().grpcStreams).toBe(0);
    });

    it('Subscribe refuses bad tokens, missing scopes and bad topics with gRPC statuses', async () => {
        const status = async (topics: string[], token: string): Promise<number> => {
            const s = client.subscribe(topics, () => undefined, token);
            return s.done.then(() => 0, (e: grpc.ServiceError) => e.code);
        };
        expect(await status(['runs'], 'tok-bad')).toBe(grpc.status.UNAUTHENTICATED);
        expect(await status(['runs'], '')).toBe(grpc.status.UNAUTHENTICATED);
        expect(await status(['runs'], 'tok-runs-only')).toBe(grpc.status.PERMISSION_DENIED);
        expect(await status(['nonsense'], 'tok-viewer')).toBe(grpc.status.INVALID_ARGUMENT);
    });
});
