/**
 * The HTTP transport on a real server (127.0.0.1, port 0): every kind of bad input gets a proper
 * JSON-RPC error and the daemon keeps answering; authentication, authorisation, rate limits,
 * size limits, placeholders, batches, health routes and the bind policy.
 */
import { request, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { credentials as grpcCredentials } from '@grpc/grpc-js';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../protocol/src/daemon/index.js';
import { checkBindPolicy, createGateway, isLoopback } from '../../src/gateway/http.js';
import { Dispatcher } from '../../src/gateway/dispatcher.js';
import { GatewayConfigError } from '../../src/gateway/errors.js';
import { GrpcDaemonClient } from '../../src/gateway/grpc.js';
import { TEST_TLS_CERT, TEST_TLS_KEY } from './tls-fixture.js';
import { expectAlive, PLACEHOLDERS, post, rpc, startTestGateway, stubHandlers, testAuth, type TestGateway } from './helpers.js';

describe('HTTP gateway', () => {
    let t: TestGateway;
    beforeAll(async () => { t = await startTestGateway({ limits: { maxRequestBytes: 64 * 1024, maxBatch: 5 } }); });
    afterAll(async () => { await t.close(); });

    it('binds 127.0.0.1 and answers a call', async () => {
        expect(t.gw.host).toBe('127.0.0.1');
        expect(t.gw.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const r = await rpc(t.gw, 'iam.whoami', {});
        expect(r.status).toBe(200);
        expect(r.response).toEqual({ jsonrpc: '2.0', id: 1, result: { principal: expect.objectContaining({ userName: 'vera', role: 'viewer' }) } });
    });

    it('malformed JSON: -32700, HTTP 400, and the daemon stays up', async () => {
        for (const body of ['{"jsonrpc": "2.0", "method": ', 'not json', '', '\u0000\u0001']) {
            const r = await post(t.gw, body);
            expect(r.status).toBe(400);
            expect(r.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.ParseError } });
            await expectAlive(t.gw);
        }
    });

    it('invalid requests: -32600 (not an object, wrong jsonrpc, method not a string, bad id, params not structured)', async () => {
        const bad: unknown[] = [42, JSON.stringify('text'), null, { method: 'iam.whoami', id: 1 }, { jsonrpc: '1.0', method: 'iam.whoami', id: 1 },
            { jsonrpc: '2.0', method: 5, id: 2 }, { jsonrpc: '2.0', method: 'iam.whoami', id: { x: 1 } }, { jsonrpc: '2.0', method: 'iam.whoami', id: 3, params: 'x' }];
        for (const b of bad) {
            const r = await post(t.gw, b);
            expect(r.status, JSON.stringify(b)).toBe(400);
            expect((r.json as { error: { code: number } }).error.code).toBe(ErrorCodes.InvalidRequest);
        }
        // The id is echoed when it can be read.
        const r = await post(t.gw, { jsonrpc: '2.0', method: 5, id: 'abc' });
        expect(r.json).toMatchObject({ id: 'abc', error: { code: ErrorCodes.InvalidRequest, data: { issues: [expect.objectContaining({ path: ['method'] })] } } });
        await expectAlive(t.gw);
    });

    it('unknown method: -32601 with a suggestion', async () => {
        const r = await rpc(t.gw, 'runs.lst', {});
        expect(r.status).toBe(200);
        expect(r.response.error).toMatchObject({ code: ErrorCodes.MethodNotFound, message: expect.stringContaining("did you mean 'runs.list'") });
        const r2 = await rpc(t.gw, '__proto__', {});
        expect(r2.response.error?.code).toBe(ErrorCodes.MethodNotFound);
        const r3 = await rpc(t.gw, 'constructor', {});
        expect(r3.response.error?.code).toBe(ErrorCodes.MethodNotFound);
        await expectAlive(t.gw);
    });

    it('wrong types: -32602 with the path of every wrong field', async () => {
        const r = await rpc(t.gw, 'runs.submit', { kind: 'moon', spec: { source: 5, symbols: ['ok', 7], params: { fast: 'ten' }, bogus: 1 } }, 'tok-researcher');
        expect(r.response.error?.code).toBe(ErrorCodes.InvalidParams);
        const paths = (r.response.error?.data?.issues as { path: unknown[] }[]).map(i => i.path);
        expect(paths).toEqual(expect.arrayContaining([['kind'], ['spec', 'source'], ['spec', 'symbols', 1], ['spec', 'params', 'fast'], ['spec', 'bogus']]));
        expect(r.response.error?.message).toMatch(/^invalid params for runs\.submit: /);
        expect(r.response.error?.message).toContain('kind');
        await expectAlive(t.gw);
    });

    it('cross-field rules report their path; positional params are refused', async () => {
        const r = await rpc(t.gw, 'runs.submit', { kind: 'backtest', spec: { source: 'x', sweep: { mode: 'grid' } } }, 'tok-researcher');
        expect(r.response.error).toMatchObject({ code: ErrorCodes.InvalidParams, data: { issues: [expect.objectContaining({ path: ['spec', 'sweep'] })] } });
        const r2 = await rpc(t.gw, 'runs.get', ['run_1']);
        expect(r2.response.error?.code).toBe(ErrorCodes.InvalidParams);
        expect(r2.response.error?.message).toContain('by name');
    });

    it('handlers receive validated params with defaults applied; absent params mean {}', async () => {
        t.calls.length = 0;
        const r = await rpc(t.gw, 'runs.list', { state: 'running' });
        expect(r.response.result).toMatchObject({ total: 1 });
        expect(t.calls[0]).toMatchObject({ method: 'runs.list', transport: 'http', params: { state: 'running', limit: 50, offset: 0 } });
        const r2 = await rpc(t.gw, 'iam.whoami');
        expect(r2.response.result).toBeDefined();
    });

    it('401 without a token or with a bad one (HTTP 401, WWW-Authenticate), before the body is read', async () => {
        const none = await post(t.gw, { jsonrpc: '2.0', id: 1, method: 'iam.whoami' }, null);
        expect(none.status).toBe(401);
        expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(none.json).toMatchObject({ error: { code: ErrorCodes.Unauthenticated } });
        const bad = await post(t.gw, 'this is not even JSON', 'tok-nope');
        expect(bad.status).toBe(401);
        expect(bad.json).toMatchObject({ error: { code: 401, message: expect.stringContaining('unknown API token') } });
        const basic = await post(t.gw, { jsonrpc: '2.0', id: 1, method: 'iam.whoami' }, null, { authorization: 'Basic dXNlcjpwdw==' });
        expect(basic.status).toBe(401);
        await expectAlive(t.gw);
    });

    it('403 without permission (role too low, or token not scoped); the handler is not called', async () => {
        t.calls.length = 0;
        const r = await rpc(t.gw, 'runs.submit', { kind: 'backtest', spec: { source: 'x' } }, 'tok-viewer');
        expect(r.status).toBe(403);
        expect(r.response.error).toMatchObject({ code: ErrorCodes.Forbidden, data: { requiredRole: 'researcher' } });
        const r2 = await rpc(t.gw, 'experiments.create', { name: 'x' }, 'tok-runs-only');
        expect(r2.response.error?.code).toBe(ErrorCodes.Forbidden);
        const r3 = await rpc(t.gw, 'runs.submit', { kind: 'backtest', spec: { source: 'x' } }, 'tok-researcher');
        expect(r3.response.result).toBeDefined();
        expect(t.calls.map(c => c.method)).toEqual(['runs.submit']);
    });

    it('authorisation comes before validation: a viewer learns nothing about params of a researcher method', async () => {
        const r = await rpc(t.gw, 'runs.submit', { nonsense: true }, 'tok-viewer');
        expect(r.response.error?.code).toBe(ErrorCodes.Forbidden);
    });

    it('no method is a placeholder any more; the least role still comes before the params (execution.*)', async () => {
        expect(PLACEHOLDERS).toEqual([]);
        const denied = await rpc(t.gw, 'execution.live.start', { runId: 'run_1' }, 'tok-researcher');
        expect(denied.response.error?.code).toBe(ErrorCodes.Forbidden);
        const trader = await rpc(t.gw, 'execution.live.start', { runId: 'run_1' }, 'tok-trader');
        expect(trader.response.error?.code).toBe(ErrorCodes.InvalidParams);
    });

    it('handler errors with a status or code map to their JSON-RPC codes, with data', async () => {
        expect((await rpc(t.gw, 'runs.get', { id: 'missing' })).response.error).toMatchObject({ code: 404, message: 'unknown run missing' });
        expect((await rpc(t.gw, 'runs.cancel', { id: 'run_1' }, 'tok-researcher')).response.error).toMatchObject({ code: 409, data: { state: 'completed' } });
        expect((await rpc(t.gw, 'experiments.create', { name: 'dup' }, 'tok-researcher')).response.error).toMatchObject({ code: 409 });
        const imp = await rpc(t.gw, 'data.import', { file: '/tmp/x.csv', venue: 'sp', symbol: 'SPX', timeframe: '1d' }, 'tok-researcher');
        expect(imp.response.error).toMatchObject({ code: ErrorCodes.InvalidParams, data: { problems: [expect.objectContaining({ code: 'high_low' })] } });
    });

    it('unexpected errors: -32603 with a request id, never the message or stack', async () => {
        const r = await rpc(t.gw, 'runs.get', { id: 'boom' });
        expect(r.response.error?.code).toBe(ErrorCodes.InternalError);
        expect(r.response.error?.data?.requestId).toMatch(/^[0-9a-f-]{36}$/);
        expect(JSON.stringify(r.response)).not.toContain('SECRET');
        expect(JSON.stringify(r.response)).not.toContain('.ts:');
        await expectAlive(t.gw);
    });

    it('a handler result that breaks the protocol is a -32603, not a malformed answer; NaN metrics become null', async () => {
        const r = await rpc(t.gw, 'runs.get', { id: 'bad-result' });
        expect(r.response.error?.code).toBe(ErrorCodes.InternalError);
        const n = await rpc(t.gw, 'runs.get', { id: 'nan' });
        expect((n.response.result as { run: { metrics: unknown } }).run.metrics).toEqual({ sharpe: null });
    });

    it('batches: mixed results and errors in one array; notifications get no entry; only notifications → 204', async () => {
        const r = await post(t.gw, [
            { jsonrpc: '2.0', id: 'a', method: 'iam.whoami' },
            { jsonrpc: '2.0', id: 'b', method: 'nope' },
            { jsonrpc: '2.0', method: 'iam.whoami' },
            { jsonrpc: '2.0', id: 'c', method: 'runs.get', params: { id: 1 } },
            7,
        ]);
        expect(r.status).toBe(200);
        const arr = r.json as { id: unknown; result?: unknown; error?: { code: number } }[];
        expect(arr).toHaveLength(4);
        expect(arr.find(x => x.id === 'a')?.result).toBeDefined();
        expect(arr.find(x => x.id === 'b')?.error?.code).toBe(ErrorCodes.MethodNotFound);
        expect(arr.find(x => x.id === 'c')?.error?.code).toBe(ErrorCodes.InvalidParams);
        expect(arr.find(x => x.id === null)?.error?.code).toBe(ErrorCodes.InvalidRequest);

        const n = await post(t.gw, [{ jsonrpc: '2.0', method: 'iam.whoami' }, { jsonrpc: '2.0', method: 'iam.whoami' }]);
        expect(n.status).toBe(204);
        expect(n.body).toBe('');
        const single = await post(t.gw, { jsonrpc: '2.0', method: 'iam.whoami' });
        expect(single.status).toBe(204);
    });

    it('an empty batch and a batch over the limit are -32600', async () => {
        const empty = await post(t.gw, []);
        expect(empty.json).toMatchObject({ id: null, error: { code: ErrorCodes.InvalidRequest } });
        const big = await post(t.gw, Array.from({ length: 6 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'iam.whoami' })));
        expect(big.json).toMatchObject({ error: { code: ErrorCodes.InvalidRequest, data: { limit: 5 } } });
        await expectAlive(t.gw);
    });

    it('oversized payloads: 413 with a JSON-RPC error, by Content-Length or while streaming; the daemon stays up', async () => {
        const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'lang.lint', params: { source: 'x'.repeat(200 * 1024) } });
        const r = await post(t.gw, huge);
        expect(r.status).toBe(413);
        expect(r.json).toMatchObject({ id: null, error: { code: ErrorCodes.PayloadTooLarge, data: { limit: 64 * 1024 } } });

        // Chunked (no Content-Length): counted while reading.
        const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
            const req = request(`${t.gw.url}/rpc`, { method: 'POST', headers: { authorization: 'Bearer tok-viewer', 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, res => {
                let body = '';
                res.on('data', (c: Buffer) => { body += c.toString(); });
                res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            });
            req.on('error', reject);
            for (let i = 0; i < 20; i++) req.write('x'.repeat(8 * 1024));
            req.end();
        });
        expect(chunked.status).toBe(413);
        expect(JSON.parse(chunked.body)).toMatchObject({ error: { code: ErrorCodes.PayloadTooLarge } });
        await expectAlive(t.gw);

        // Just under the limit is fine.
        const ok = await rpc(t.gw, 'lang.lint', { source: 'x'.repeat(60 * 1024) });
        expect(ok.response.result).toBeDefined();
    });

    it('field limits of the table apply too (-32602, not a crash)', async () => {
        const r = await rpc(t.gw, 'runs.list', { limit: 1e9 });
        expect(r.response.error).toMatchObject({ code: ErrorCodes.InvalidParams, data: { issues: [expect.objectContaining({ path: ['limit'] })] } });
    });

    it('trace ids: a traceparent is continued, otherwise one is minted and returned', async () => {
        t.calls.length = 0;
        const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
        const r = await post(t.gw, { jsonrpc: '2.0', id: 1, method: 'runs.submit', params: { kind: 'backtest', spec: { source: 'x' } } }, 'tok-researcher', { traceparent: tp });
        expect(r.headers.get('x-trace-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
        expect(t.calls[0]?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
        expect((r.json as { result: { run: { traceId: string } } }).result.run.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
        const r2 = await post(t.gw, { jsonrpc: '2.0', id: 1, method: 'iam.whoami' });
        expect(r2.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    });

    it('records every call for metrics (method label bounded: unknown methods are "other")', async () => {
        t.records.length = 0;
        await rpc(t.gw, 'iam.whoami', {});
        await rpc(t.gw, 'no.such.method', {});
        await rpc(t.gw, 'runs.get', { id: 'missing' });
        expect(t.records.map(r => [r.method, r.errorCode])).toEqual([['iam.whoami', undefined], ['other', ErrorCodes.MethodNotFound], ['runs.get', 404]]);
        expect(t.records.every(r => r.transport === 'http' && r.durationMs >= 0)).toBe(true);
    });

    it('health routes, 404 and 405', async () => {
        const h = await fetch(`${t.gw.url}/healthz`);
        expect(h.status).toBe(200);
        expect(await h.json()).toEqual({ status: 'ok' });
        expect((await fetch(`${t.gw.url}/readyz`)).status).toBe(200);
        expect((await fetch(`${t.gw.url}/metrics`)).status).toBe(404);
        expect((await fetch(`${t.gw.url}/nowhere`)).status).toBe(404);
        const get = await fetch(`${t.gw.url}/rpc`);
        expect(get.status).toBe(405);
        expect(get.headers.get('allow')).toBe('POST');
        expect((await fetch(`${t.gw.url}/rpc`, { method: 'OPTIONS' })).headers.get('access-control-allow-origin')).toBeNull();
    });
});

describe('rate limiting per token', () => {
    it('429 with Retry-After once a token spends its burst; other tokens are unaffected; the budget refills', async () => {
        let now = 1_000_000;
        const t = await startTestGateway({ limits: { ratePerSecond: 2, rateBurst: 3, maxBatch: 10 }, now: () => now });
        try {
            for (let i = 0; i < 3; i++) expect((await rpc(t.gw, 'iam.whoami', {})).status).toBe(200);
            const limited = await post(t.gw, { jsonrpc: '2.0', id: 1, method: 'iam.whoami' });
            expect(limited.status).toBe(429);
            expect(limited.headers.get('retry-after')).toBe('1');
            expect(limited.json).toMatchObject({ error: { code: ErrorCodes.RateLimited, data: { retryAfterMs: 500 } } });
            // Another token has its own bucket.
            expect((await rpc(t.gw, 'iam.whoami', {}, 'tok-admin')).status).toBe(200);
            now += 1000; // two calls' worth
            expect((await rpc(t.gw, 'iam.whoami', {})).status).toBe(200);
            expect((await rpc(t.gw, 'iam.whoami', {})).status).toBe(200);
            expect((await rpc(t.gw, 'iam.whoami', {})).status).toBe(429);
            // A batch counts each call.
            now += 10_000;
            const batch = await post(t.gw, Array.from({ length: 4 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'iam.whoami' })), 'tok-researcher');
            expect(batch.status).toBe(429);
        } finally {
            await t.close();
        }
    });

    it('repeated failed authentications from one address are refused for a while; a valid token from it is not', async () => {
        let now = 5_000_000;
        const t = await startTestGateway({ limits: { failedAuthPerMinute: 3 }, now: () => now });
        try {
            for (let i = 0; i < 3; i++) expect((await post(t.gw, '{}', 'tok-wrong')).status).toBe(401);
            const r = await post(t.gw, '{}', 'tok-wrong');
            expect(r.status).toBe(429);
            expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
            // Verification comes first: the failures of others never lock out a valid token.
            expect((await post(t.gw, { jsonrpc: '2.0', id: 1, method: 'iam.whoami' }, 'tok-viewer')).status).toBe(200);
            now += 60_000;
            expect((await post(t.gw, '{}', 'tok-wrong')).status).toBe(401);
            expect((await rpc(t.gw, 'iam.whoami', {})).status).toBe(200);
        } finally {
            await t.close();
        }
    });
});

describe('monitoring routes', () => {
    it('mounts the given handlers; /metrics needs a token unless public', async () => {
        const metrics = (_req: unknown, res: ServerResponse): void => { res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }); res.end('af_up 1\n'); };
        const t = await startTestGateway({
            routes: { metrics, readyz: (_req, res) => { res.writeHead(503, { 'content-type': 'application/json' }); res.end('{"status":"not ready"}'); } },
        });
        try {
            expect((await fetch(`${t.gw.url}/metrics`)).status).toBe(401);
            const m = await fetch(`${t.gw.url}/metrics`, { headers: { authorization: 'Bearer tok-viewer' } });
            expect(m.status).toBe(200);
            expect(await m.text()).toBe('af_up 1\n');
            expect((await fetch(`${t.gw.url}/readyz`)).status).toBe(503);
        } finally {
            await t.close();
        }
        const pub = await startTestGateway({ routes: { metrics }, publicMetrics: true });
        try {
            expect((await fetch(`${pub.gw.url}/metrics`)).status).toBe(200);
        } finally {
            await pub.close();
        }
    });
});

describe('bind policy', () => {
    const dispatcher = new Dispatcher({ handlers: stubHandlers([]), auth: testAuth });

    it('knows loopback addresses', () => {
        for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
        for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopback(h), h).toBe(false);
    });

    it('refuses a non-loopback address without TLS or the explicit flag, with a clear error', async () => {
        await expect(createGateway({ dispatcher, host: '0.0.0.0', port: 0 })).rejects.toThrow(GatewayConfigError);
        await expect(createGateway({ dispatcher, host: '0.0.0.0', port: 0 })).rejects.toThrow(/not a loopback address.*TLS/);
        expect(() => checkBindPolicy('10.1.2.3', {})).toThrow(GatewayConfigError);
        expect(() => checkBindPolicy('10.1.2.3', { tls: { key: 'k', cert: 'c' } })).not.toThrow();
        expect(() => checkBindPolicy('10.1.2.3', { allowInsecureRemote: true })).not.toThrow();
        // gRPC's bind address is held to the same rule.
        await expect(createGateway({ dispatcher, host: '127.0.0.1', port: 0, grpc: { host: '0.0.0.0', port: 0 } })).rejects.toThrow(GatewayConfigError);
    });

    it('binds a non-loopback address with the explicit flag', async () => {
        const gw = await createGateway({ dispatcher, host: '0.0.0.0', port: 0, allowInsecureRemote: true });
        try {
            const r = await fetch(`http://127.0.0.1:${gw.port}/healthz`);
            expect(r.status).toBe(200);
        } finally {
            await gw.close();
        }
    });

    it('binds a non-loopback address with TLS: HTTPS, WSS and gRPC over TLS all serve the same dispatcher', async () => {
        const gw = await createGateway({ dispatcher, host: '0.0.0.0', port: 0, tls: { key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, grpc: { port: 0 } });
        try {
            expect(gw.url).toMatch(/^https:/);
            expect(gw.wsUrl).toMatch(/^wss:/);
            const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'iam.whoami' });
            const reply = await new Promise<string>((resolve, reject) => {
                const req = httpsRequest({ host: '127.0.0.1', port: gw.port, path: '/rpc', method: 'POST', ca: TEST_TLS_CERT, headers: { authorization: 'Bearer tok-viewer', 'content-type': 'application/json' } }, res => {
                    let text = '';
                    res.on('data', (c: Buffer) => { text += c.toString(); });
                    res.on('end', () => resolve(text));
                });
                req.on('error', reject);
                req.end(body);
            });
            expect(JSON.parse(reply)).toMatchObject({ result: { principal: { userName: 'vera' } } });
            // Plain HTTP to the TLS port gets nothing useful.
            await expect(fetch(`http://127.0.0.1:${gw.port}/healthz`)).rejects.toThrow();

            const ws = new WebSocket(`wss://127.0.0.1:${gw.port}/ws`, { ca: TEST_TLS_CERT, headers: { authorization: 'Bearer tok-viewer' } });
            const wsReply = await new Promise<string>((resolve, reject) => {
                ws.once('open', () => ws.send(body));
                ws.once('message', d => resolve(d.toString()));
                ws.once('error', reject);
            });
            ws.close();
            expect(JSON.parse(wsReply)).toMatchObject({ result: { principal: { userName: 'vera' } } });

            const port = gw.grpcAddress!.split(':').pop();
            const g = new GrpcDaemonClient({ address: `localhost:${port}`, token: 'tok-viewer', credentials: grpcCredentials.createSsl(Buffer.from(TEST_TLS_CERT)) });
            try {
                expect((await g.call('iam.whoami', {})).principal.userName).toBe('vera');
            } finally {
                g.close();
            }
        } finally {
            await gw.close();
        }
    });

    it('reports a port in use clearly', async () => {
        const a = await createGateway({ dispatcher, port: 0 });
        try {
            await expect(createGateway({ dispatcher, port: a.port })).rejects.toThrow(/port is in use/);
        } finally {
            await a.close();
        }
    });
});
