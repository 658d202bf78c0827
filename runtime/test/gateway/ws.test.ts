/**
 * The WebSocket transport on a real server: authentication three ways, JSON-RPC over the socket,
 * bad input, subscriptions with per-run order and team visibility, and backpressure on a consumer
 * that stops reading (bounded queue, progress dropped first, one lag notice, lifecycle intact).
 */
import { type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, WS_CLOSE, type DaemonEvent, type StreamEvent } from '../../../protocol/src/daemon/index.js';
import { type Gateway } from '../../src/gateway/http.js';
import { expectAlive, revoked, sleep, startTestGateway, type TestGateway } from './helpers.js';

interface Msg { id?: unknown; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string; data?: Record<string, unknown> } }

class TestWs {
    readonly messages: Msg[] = [];
    private waiters: (() => void)[] = [];
    private id = 100;
    readonly closed: Promise<{ code: number; reason: string }>;

    constructor(readonly ws: WebSocket) {
        ws.on('message', d => {
            const m = JSON.parse(d.toString()) as Msg | Msg[];
            for (const x of Array.isArray(m) ? m : [m]) this.messages.push(x);
            for (const w of this.waiters.splice(0)) w();
        });
        this.closed = new Promise(resolve => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    }

    async next(pred: (m: Msg) => boolean, timeoutMs = 5000): Promise<Msg> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const i = this.messages.findIndex(pred);
            if (i >= 0) return this.messages.splice(i, 1)[0]!;
            if (Date.now() > deadline) throw new Error(`no matching message; have ${JSON.stringify(this.messages.slice(0, 5))}`);
            await new Promise<void>(r => { this.waiters.push(r); setTimeout(r, 50); });
        }
    }

    send(data: unknown): void {
        this.ws.send(typeof data === 'string' ? data : JSON.stringify(data));
    }

    async call(method: string, params?: unknown): Promise<Msg> {
        const id = this.id++;
        this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
        return this.next(m => m.id === id);
    }

    events(): StreamEvent[] {
        const out = this.messages.filter(m => m.method === 'event').map(m => m.params as StreamEvent);
        this.messages.splice(0, this.messages.length, ...this.messages.filter(m => m.method !== 'event'));
        return out;
    }

    close(): Promise<unknown> {
        this.ws.close();
        return this.closed;
    }
}

function connect(gw: Gateway, opts: { token?: string; query?: string } = {}): Promise<TestWs> {
    const url = gw.wsUrl + (opts.query ? `?token=${encodeURIComponent(opts.query)}` : '');
    const ws = new WebSocket(url, opts.token ? { headers: { authorization: `Bearer ${opts.token}` } } : {});
    const t = new TestWs(ws);
    return new Promise((resolve, reject) => {
        ws.once('open', () => resolve(t));
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
        ws.once('error', reject);
    });
}

const ts = (i: number): string => new Date(Date.UTC(2025, 0, 1, 0, 0, 0, i)).toISOString();
const lifecycle = (runId: string, seq: number, state: 'queued' | 'running' | 'completed', previous: 'created' | 'queued' | 'running'): DaemonEvent =>
    ({ type: 'lifecycle', runId, seq, ts: ts(seq), state, previous, actor: 'system', message: null });
const progress = (runId: string, completed: number, message = ''): DaemonEvent =>
    ({ type: 'progress', runId, ts: ts(completed), done: Math.min(1, completed / 1e6), completed, message });
const log = (runId: string, seq: number): DaemonEvent => ({ type: 'log', runId, seq, ts: ts(seq), level: 'info', message: `line ${seq}` });

describe('WebSocket gateway', () => {
    let t: TestGateway;
    beforeAll(async () => {
        t = await startTestGateway({ limits: { maxRequestBytes: 32 * 1024, ws: { authTimeoutMs: 300 } } });
    });
    afterAll(async () => { await t.close(); });

    it('authenticates by header and serves JSON-RPC over the socket', async () => {
        const c = await connect(t.gw, { token: 'tok-researcher' });
        const r = await c.call('iam.whoami', {});
        expect(r.result).toMatchObject({ principal: { userName: 'rosa' } });
        t.calls.length = 0;
        const s = await c.call('runs.submit', { kind: 'sweep', spec: { source: 'x', sweep: { mode: 'random', samples: 5 } } });
        expect(s.result).toMatchObject({ run: { kind: 'sweep' } });
        expect(t.calls[0]).toMatchObject({ method: 'runs.submit', transport: 'ws', params: { spec: { sweep: { mode: 'random', samples: 5, sortBy: 'sharpe' } } } });
        await c.close();
    });

    it('authenticates by ?token=', async () => {
        const c = await connect(t.gw, { query: 'tok-viewer' });
        expect((await c.call('iam.whoami')).result).toMatchObject({ principal: { userName: 'vera' } });
        await c.close();
    });

    it('refuses a bad token on the upgrade with HTTP 401', async () => {
        await expect(connect(t.gw, { token: 'tok-bad' })).rejects.toThrow('HTTP 401');
        await expect(connect(t.gw, { query: 'tok-bad' })).rejects.toThrow('HTTP 401');
    });

    it('authenticates by first message; calls before that are 401', async () => {
        const c = await connect(t.gw);
        expect((await c.call('iam.whoami')).error).toMatchObject({ code: ErrorCodes.Unauthenticated });
        expect((await c.call('events.subscribe', { topics: ['runs'] })).error).toMatchObject({ code: ErrorCodes.Unauthenticated });
        expect((await c.call('auth', { token: 'tok-nope' })).error).toMatchObject({ code: ErrorCodes.Unauthenticated });
        expect((await c.call('auth', { token: 5 })).error).toMatchObject({ code: ErrorCodes.InvalidParams, data: { issues: [expect.objectContaining({ path: ['token'] })] } });
        expect((await c.call('auth', { token: 'tok-admin' })).result).toMatchObject({ principal: { role: 'admin' } });
        expect((await c.call('iam.whoami')).result).toMatchObject({ principal: { userName: 'ada' } });
        await c.close();
    });

    it('closes a session that never authenticates', async () => {
        const c = await connect(t.gw);
        expect(await c.closed).toMatchObject({ code: WS_CLOSE.AuthTimeout });
    });

    it('bad input gets JSON-RPC errors and the session and daemon stay up', async () => {
        const c = await connect(t.gw, { token: 'tok-viewer' });
        c.send('{"jsonrpc": "2.0", "id": 1, "method": ');
        expect((await c.next(m => m.error?.code === ErrorCodes.ParseError)).id).toBeNull();
        c.send({ jsonrpc: '2.0', id: 2, method: 'nope.nope' });
        expect((await c.next(m => m.id === 2)).error?.code).toBe(ErrorCodes.MethodNotFound);
        c.send({ jsonrpc: '2.0', id: 3, method: 'runs.get', params: { id: ['x'] } });
        expect((await c.next(m => m.id === 3)).error).toMatchObject({ code: ErrorCodes.InvalidParams, data: { issues: [expect.objectContaining({ path: ['id'] })] } });
        c.send(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'lang.lint', params: { source: 'x'.repeat(40 * 1024) } }));
        expect((await c.next(m => m.error?.code === ErrorCodes.PayloadTooLarge)).error?.data).toMatchObject({ limit: 32 * 1024 });
        c.ws.send(Buffer.from('{"jsonrpc":"2.0","id":5,"method":"iam.whoami"}'), { binary: true });
        expect((await c.next(m => m.error?.code === ErrorCodes.InvalidRequest)).error?.message).toMatch(/text frames/);
        c.send({ jsonrpc: '2.0', id: 6, method: 'registry.publish', params: { runId: 'r', name: 'n' } });
        expect((await c.next(m => m.id === 6)).error?.code).toBe(ErrorCodes.Forbidden);
        // Batches work over the socket too.
        c.send([{ jsonrpc: '2.0', id: 7, method: 'iam.whoami' }, { jsonrpc: '2.0', id: 8, method: 'nope' }]);
        expect((await c.next(m => m.id === 7)).result).toBeDefined();
        expect((await c.call('iam.whoami')).result).toBeDefined();
        await c.close();
        await expectAlive(t.gw);
    });

    it('a message far over the limit closes the session (1009) without taking the daemon down', async () => {
        const c = await connect(t.gw, { token: 'tok-viewer' });
        c.send('x'.repeat(200 * 1024));
        expect((await c.closed).code).toBe(1009);
        await expectAlive(t.gw);
    });

    it('a revoked token stops working at the next call', async () => {
        const c = await connect(t.gw, { token: 'tok-trader' });
        expect((await c.call('iam.whoami')).result).toBeDefined();
        revoked.add('tok-trader');
        try {
            expect((await c.call('iam.whoami')).error?.code).toBe(ErrorCodes.Unauthenticated);
        } finally {
            revoked.delete('tok-trader');
        }
        await c.close();
    });

    it('subscriptions: topics validated; run:<id> gets that run\'s events in order; runs gets lifecycle and progress only; teams see their own runs', async () => {
        const one = await connect(t.gw, { token: 'tok-viewer' });
        const all = await connect(t.gw, { token: 'tok-viewer' });
        const beta = await connect(t.gw, { token: 'tok-beta' });
        expect((await one.call('events.subscribe', { topics: ['run:', 'everything'] })).error).toMatchObject({
            code: ErrorCodes.InvalidParams, data: { issues: [expect.objectContaining({ path: ['topics', 0] }), expect.objectContaining({ path: ['topics', 1] })] },
        });
        expect((await one.call('events.subscribe', { topics: ['run:r1'] })).result).toEqual({ topics: ['run:r1'] });
        expect((await all.call('events.subscribe', { topics: ['runs', 'run:r1'] })).result).toEqual({ topics: ['runs', 'run:r1'] });
        expect((await beta.call('events.subscribe', { topics: ['runs', 'alerts'] })).result).toEqual({ topics: ['runs', 'alerts'] });

        const sent: DaemonEvent[] = [lifecycle('r1', 0, 'queued', 'created'), lifecycle('r1', 1, 'running', 'queued')];
        for (let i = 1; i <= 50; i++) {
            sent.push(progress('r1', i));
            if (i % 10 === 0) sent.push(log('r1', i / 10));
        }
        sent.push(lifecycle('r1', 2, 'completed', 'running'));
        for (const e of sent) t.bus.publish(e, { team: 'team_a' });
        t.bus.publish(progress('r2', 1), { team: 'team_a' });
        t.bus.publish({ type: 'alert', ts: ts(0), rule: 'queue_stuck', state: 'firing', severity: 'warning', message: 'no run started for 10 minutes', value: 600, threshold: 300 });

        await one.next(m => m.method === 'event' && (m.params as StreamEvent).type === 'lifecycle' && (m.params as { state: string }).state === 'completed', 5000).then(m => one.messages.push(m));
        const got = one.events();
        expect(got).toEqual(sent); // exactly this run's events, in order, nothing else

        await all.next(m => m.method === 'event' && (m.params as { runId?: string }).runId === 'r2').then(m => all.messages.push(m));
        const allGot = all.events();
        // Subscribed to both runs and run:r1: every r1 event once (logs through run:r1), plus r2's progress through runs.
        expect(allGot).toEqual([...sent, progress('r2', 1)]);

        const betaGot = await beta.next(m => m.method === 'event');
        expect((betaGot.params as StreamEvent).type).toBe('alert'); // not team_a's runs
        await sleep(50);
        expect(beta.events()).toEqual([]);

        expect((await one.call('events.unsubscribe', {})).result).toEqual({ topics: [] });
        t.bus.publish(progress('r1', 99), { team: 'team_a' });
        expect((await one.call('iam.whoami')).result).toBeDefined(); // a round trip after the publish
        expect(one.events()).toEqual([]);
        await Promise.all([one.close(), all.close(), beta.close()]);
    });

    it('subscriptions need the events scope', async () => {
        const c = await connect(t.gw, { token: 'tok-runs-only' });
        expect((await c.call('events.subscribe', { topics: ['runs'] })).error?.code).toBe(ErrorCodes.Forbidden);
        await c.close();
    });
});

describe('WebSocket backpressure', () => {
    it('a consumer that stops reading: bounded queue, oldest progress dropped, one lag notice, lifecycle and per-run order intact', async () => {
        const maxQueued = 200;
        const t = await startTestGateway({ limits: { ws: { queue: { highWaterBytes: 64 * 1024, maxQueued, maxQueuedBytes: 4 << 20 } } } });
        try {
            const c = await connect(t.gw, { token: 'tok-viewer' });
            expect((await c.call('events.subscribe', { topics: ['run:slow'] })).result).toBeDefined();
            const raw = (c.ws as unknown as { _socket: Socket })._socket;
            raw.pause(); // stop reading: the kernel buffers fill, then ws.bufferedAmount grows on the daemon side

            const pad = 'p'.repeat(4000);
            let seq = 0;
            let logSeq = 0;
            let n = 0;
            t.bus.publish(lifecycle('slow', seq++, 'running', 'queued'), { team: 'team_a' });
            // Publish until the daemon has had to drop, then as much again.
            let extra = -1;
            while (extra !== 0 && n < 200_000) {
                for (let i = 0; i < 100; i++) {
                    n++;
                    t.bus.publish(progress('slow', n, pad), { team: 'team_a' });
                    if (n % 50 === 0) t.bus.publish(log('slow', logSeq++), { team: 'team_a' });
                }
                const stats = t.gw.stats().ws;
                expect(stats.queued).toBeLessThanOrEqual(maxQueued);
                if (extra < 0 && stats.droppedProgress > 0) extra = 20;
                if (extra > 0) extra--;
                await new Promise(r => setImmediate(r));
            }
            t.bus.publish(lifecycle('slow', seq++, 'completed', 'running'), { team: 'team_a' });
            const stats = t.gw.stats().ws;
            expect(stats.droppedProgress).toBeGreaterThan(0);
            expect(stats.droppedLogs).toBe(0);
            expect(stats.maxQueuedSeen).toBeLessThanOrEqual(maxQueued);
            expect(stats.connections).toBe(1);

            raw.resume();
            await c.next(m => m.method === 'event' && (m.params as { state?: string }).state === 'completed', 30_000).then(m => c.messages.push(m));
            const got = c.events();
            const lagged = got.filter(e => e.type === 'lagged');
            expect(lagged).toHaveLength(1);
            expect(lagged[0]).toMatchObject({ droppedProgress: stats.droppedProgress, droppedLogs: 0, runIds: ['slow'] });
            // Lifecycle events and every log line arrive; progress in increasing order; the last progress event is there.
            expect(got.filter(e => e.type === 'lifecycle').map(e => (e as { state: string }).state)).toEqual(['running', 'completed']);
            expect(got.filter(e => e.type === 'log').map(e => (e as { seq: number }).seq)).toEqual(Array.from({ length: logSeq }, (_, i) => i));
            const completed = got.filter(e => e.type === 'progress').map(e => (e as { completed: number }).completed);
            expect(completed.length + stats.droppedProgress).toBe(n);
            for (let i = 1; i < completed.length; i++) expect(completed[i]!).toBeGreaterThan(completed[i - 1]!);
            expect(completed[completed.length - 1]).toBe(n);
            expect(got[0]).toMatchObject({ type: 'lifecycle', state: 'running' });
            expect(got[got.length - 1]).toMatchObject({ type: 'lifecycle', state: 'completed' });
            // The session is healthy afterwards.
            expect((await c.call('iam.whoami')).result).toBeDefined();
            await c.close();
        } finally {
            await t.close();
        }
    });

    it('a consumer that cannot even take the undroppable messages is disconnected, not buffered without bound', async () => {
        const t = await startTestGateway({ limits: { ws: { queue: { highWaterBytes: 16 * 1024, maxQueued: 50, maxQueuedBytes: 1 << 20 } } } });
        try {
            const c = await connect(t.gw, { token: 'tok-viewer' });
            await c.call('events.subscribe', { topics: ['run:x'] });
            const raw = (c.ws as unknown as { _socket: Socket })._socket;
            raw.pause();
            const pad = 'L'.repeat(4000);
            for (let i = 0; i < 20_000 && t.gw.stats().ws.connections > 0; i++) {
                t.bus.publish({ type: 'lifecycle', runId: 'x', seq: i, ts: ts(i), state: 'running', previous: 'queued', actor: 'system', message: pad }, { team: 'team_a' });
                expect(t.gw.stats().ws.queued).toBeLessThanOrEqual(50);
                if (i % 100 === 0) await new Promise(r => setImmediate(r));
            }
            raw.resume();
            expect((await c.closed).code).toBe(WS_CLOSE.TooSlow);
            for (let i = 0; i < 100 && t.gw.stats().ws.connections > 0; i++) await sleep(20);
            expect(t.gw.stats().ws).toMatchObject({ connections: 0, closedTooSlow: 1 });
            await expectAlive(t.gw);
        } finally {
            await t.close();
        }
    });
});

describe('WebSocket without an event bus', () => {
    it('answers 501 to subscriptions but serves calls', async () => {
        const t = await startTestGateway({ events: undefined });
        try {
            const c = await connect(t.gw, { token: 'tok-viewer' });
            expect((await c.call('events.subscribe', { topics: ['runs'] })).error?.code).toBe(ErrorCodes.NotAvailable);
            expect((await c.call('iam.whoami')).result).toBeDefined();
            await c.close();
        } finally {
            await t.close();
        }
    });
});
