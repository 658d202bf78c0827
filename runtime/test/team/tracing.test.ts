/**
 * Tracing end to end, into a real OTLP/HTTP receiver (a node http server on 127.0.0.1 decoding the
 * exporter's JSON): a backtest submitted over JSON-RPC is ONE trace — the gateway's call span, the
 * run, compile and bar load, the store's statements, and the engine in the run's worker thread
 * (embedded mode), or the enqueue span, the job span of a separate `af worker` process (another
 * service instance and pid) and the engine in that worker's thread (team mode, against a real
 * redis-server) — each span the child of the one before, and the trace id the one the log lines
 * carry. Span attributes never hold the token, the strategy's source or SQL text and values.
 * Over WebSocket (team mode, a real `ws` client): the message's `meta.traceparent` continues the
 * caller's trace through the worker, and every event streamed back on the socket carries its id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { resolveTelemetry } from '../../src/monitoring/telemetry-settings.js';
import { statementName } from '../../src/store/tracing.js';
import { logFilePath } from '../../src/monitoring/logger.js';
import type { QueueSettings } from '../../src/queue/settings.js';
import { down, freePort, up } from '../../../scripts/team/servers.mjs';
import { tempDir } from '../data/helpers.js';
import { WsClient } from '../support/ws-client.js';
import { smaCross, stateWithBars } from '../orchestrator/helpers.js';

const hasRedis = existsSync('/usr/bin/redis-server');
const AF = fileURLToPath(new URL('../../../bin/af.js', import.meta.url));

interface Collected {
    readonly traceId: string;
    readonly spanId: string;
    readonly parentSpanId?: string;
    readonly name: string;
    readonly attributes: Record<string, unknown>;
    readonly resource: Record<string, unknown>;
}

type KeyValue = { key: string; value: Record<string, unknown> };
const flat = (kvs: readonly KeyValue[] | undefined): Record<string, unknown> =>
    Object.fromEntries((kvs ?? []).map(kv => [kv.key, Object.values(kv.value)[0]]));

/** A minimal OTLP/HTTP trace receiver: JSON bodies on POST /v1/traces, every span kept. */
class Receiver {
    private constructor(private readonly server: Server, readonly url: string, readonly spans: Collected[], readonly contentTypes: Set<string>) {}

    static async start(): Promise<Receiver> {
        const spans: Collected[] = [];
        const contentTypes = new Set<string>();
        const server = createServer((req, res) => {
            const chunks: Buffer[] = [];
            req.on('data', (c: Buffer) => chunks.push(c));
            req.on('end', () => {
                contentTypes.add(String(req.headers['content-type']));
                if (req.method !== 'POST' || req.url !== '/v1/traces') { res.writeHead(404).end(); return; }
                const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                    resourceSpans: { resource?: { attributes?: KeyValue[] }; scopeSpans: { spans: { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: KeyValue[] }[] }[] }[];
                };
                for (const rs of body.resourceSpans) {
                    const resource = flat(rs.resource?.attributes);
                    for (const ss of rs.scopeSpans) {
                        for (const s of ss.spans) {
                            spans.push({ traceId: s.traceId, spanId: s.spanId, ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}), name: s.name, attributes: flat(s.attributes), resource });
                        }
                    }
                }
                res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
            });
        });
        await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
        const port = (server.address() as { port: number }).port;
        return new Receiver(server, `http://127.0.0.1:${port}`, spans, contentTypes);
    }

    /** The spans of one trace, once every name in `names` has arrived (bounded wait). */
    async trace(traceId: string, names: readonly string[]): Promise<Collected[]> {
        for (let i = 0; i < 300; i++) {
            const spans = this.spans.filter(s => s.traceId === traceId);
            if (names.every(n => spans.some(s => s.name === n))) return spans;
            await new Promise(r => setTimeout(r, 100));
        }
        const got = this.spans.filter(s => s.traceId === traceId).map(s => s.name);
        throw new Error(`trace ${traceId} lacks some of ${names.join(', ')}; it has ${got.join(', ') || 'nothing'}`);
    }

    close(): Promise<void> {
        return new Promise(r => this.server.close(() => r()));
    }
}

const one = (spans: readonly Collected[], name: string): Collected => {
    const found = spans.filter(s => s.name === name);
    expect(found, name).toHaveLength(1);
    return found[0]!;
};

/** Submits a backtest over HTTP JSON-RPC (with a caller's traceparent when given); the run id and the call's trace id. */
async function submit(url: string, token: string, source: string, traceparent?: string): Promise<{ runId: string; traceId: string }> {
    const res = await fetch(`${url}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(traceparent ? { traceparent } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'runs.submit', params: { kind: 'backtest', spec: { source, tags: { desk: TAG_VALUE } } } }),
    });
    const body = await res.json() as { result?: { run: { id: string; traceId: string } }; error?: unknown };
    expect(body.error).toBeUndefined();
    expect(body.result!.run.traceId).toBe(res.headers.get('x-trace-id'));
    return { runId: body.result!.run.id, traceId: body.result!.run.traceId };
}

async function waitCompleted(url: string, token: string, id: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
        const res = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'runs.get', params: { id } }) });
        const run = ((await res.json()) as { result: { run: { state: string; error: string | null } } }).result.run;
        if (run.state === 'completed') return;
        if (run.state === 'failed' || run.state === 'cancelled') throw new Error(`run ${id} ${run.state}: ${run.error}`);
        await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`run ${id} did not complete`);
}

/** A value only the run's tags carry: it reaches the database as a SQL parameter, never a span. */
const TAG_VALUE = 'planted-tag-value-7f3a';

/** No attribute of any span holds the token, a line of the source, SQL text or a SQL value. */
function expectNothingLeaks(spans: readonly Collected[], token: string, source: string): void {
    const lines = source.split('\n').map(l => l.trim()).filter(l => l.length > 12);
    for (const s of spans) {
        for (const [k, v] of [...Object.entries(s.attributes), ['(name)', s.name] as const]) {
            const text = String(v);
            expect(text, `${s.name} ${k}`).not.toContain(token);
            expect(text, `${s.name} ${k}`).not.toContain(token.slice(0, 12));
            expect(text, `${s.name} ${k}`).not.toContain(TAG_VALUE);
            for (const l of lines) expect(text, `${s.name} ${k}`).not.toContain(l);
            expect(text, `${s.name} ${k}`).not.toMatch(/\b(WHERE|VALUES|SET)\b|\$\d|'/);
        }
        if (s.attributes['db.system.name'] === 'duckdb') expect(s.name).toMatch(/^[A-Z]{1,16}( [a-z_][a-z0-9_]*)?$/);
    }
}

/**
 * The daemon log's lines carry the trace's id: a refused call (logged at debug) is found in the
 * log and among the spans by the same id, the one the response's x-trace-id names.
 */
async function expectLogsJoin(daemon: RunningDaemon, token: string): Promise<void> {
    const res = await fetch(`${daemon.url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'runs.get', params: { id: 'no-such-run' } }) });
    expect(((await res.json()) as { error?: unknown }).error).toBeDefined();
    const traceId = res.headers.get('x-trace-id')!;
    const span = one(await receiver.trace(traceId, ['rpc runs.get']), 'rpc runs.get');
    expect(span.attributes['rpc.jsonrpc.error_code']).toBeTypeOf('number');
    const lines = readFileSync(logFilePath(daemon.stateDir), 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter(l => l['method'] === 'runs.get' && l['traceId'] === traceId).length).toBeGreaterThan(0);
}

let receiver: Receiver;
const source = smaCross();

beforeAll(async () => {
    receiver = await Receiver.start();
});
afterAll(async () => {
    await receiver?.close();
});

describe('tracing settings', () => {
    it('need an endpoint (file or OTEL_EXPORTER_OTLP_ENDPOINT), add /v1/traces to a base URL and name a bad field', () => {
        expect(resolveTelemetry(undefined, {}, 'f.json')).toBeUndefined();
        expect(resolveTelemetry(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SERVICE_NAME: 'svc' }, 'f.json')).toEqual({ otlpUrl: 'http://c:4318/v1/traces', serviceName: 'svc' });
        expect(resolveTelemetry({ otlpUrl: 'http://c:4318/otlp/v1/traces', sampleRatio: 0.5 }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318' }, 'f.json'))
            .toEqual({ otlpUrl: 'http://c:4318/otlp/v1/traces', sampleRatio: 0.5 });
        expect(() => resolveTelemetry({ otlpUrl: 'http://c:4318', sampleRatio: 2 }, {}, 'f.json')).toThrow(/f\.json: telemetry\.sampleRatio: .*docs/);
        expect(() => resolveTelemetry(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://c' }, 'f.json')).toThrow(/\$OTEL_EXPORTER_OTLP_ENDPOINT: must be an http/);
    });

    it('a store span is named by the statement\'s operation and table, nothing else of its text', () => {
        expect(statementName(`SELECT id, state FROM runs WHERE id = $1`)).toEqual({ operation: 'SELECT', collection: 'runs' });
        expect(statementName(`  INSERT INTO run_tags (run_id, k, v) VALUES ('x', 'secret', 'y')`)).toEqual({ operation: 'INSERT', collection: 'run_tags' });
        expect(statementName(`UPDATE runs SET state = 'done'`)).toEqual({ operation: 'UPDATE', collection: 'runs' });
        expect(statementName(`SELECT * FROM read_csv('/etc/passwd')`)).toEqual({ operation: 'SELECT', collection: 'read_csv' });
        expect(statementName(`SELECT 'a secret' AS x`)).toEqual({ operation: 'SELECT' });
        expect(statementName(`'; DROP TABLE x`)).toEqual({ operation: 'SQL', collection: 'x' });
    });
});

describe('embedded mode: one trace from the RPC to the engine in the run thread', () => {
    let daemon: RunningDaemon;

    beforeAll(async () => {
        const stateDir = await stateWithBars(300, 'af-trace-emb-');
        daemon = await startDaemon({ stateDir, port: 0, concurrency: 1, logLevel: 'debug', telemetry: { otlpUrl: `${receiver.url}/v1/traces` } });
    }, 60_000);
    afterAll(async () => {
        await daemon?.stop();
    }, 30_000);

    it('gateway → run (compile, load, store) → engine.run in the worker thread, in the trace the logs name', async () => {
        const token = daemon.adminToken!;
        const { runId, traceId } = await submit(daemon.url, token, source);
        await waitCompleted(daemon.url, token, runId);
        const spans = await receiver.trace(traceId, ['rpc runs.submit', 'run', 'engine.compile', 'data.load', 'engine.run']);
        const rpc = one(spans, 'rpc runs.submit');
        expect(rpc.parentSpanId).toBeUndefined();
        expect(rpc.attributes).toMatchObject({ 'rpc.method': 'runs.submit', 'af.transport': 'http' });
        expect(typeof rpc.attributes['af.team']).toBe('string');
        const run = one(spans, 'run');
        expect(run.parentSpanId).toBe(rpc.spanId);
        expect(run.attributes).toMatchObject({ 'af.run.id': runId, 'af.run.outcome': 'completed' });
        expect(one(spans, 'engine.compile').parentSpanId).toBe(run.spanId);
        expect(one(spans, 'data.load').parentSpanId).toBe(run.spanId);
        const engine = one(spans, 'engine.run');
        expect(engine.parentSpanId).toBe(run.spanId);
        // From the run's worker thread: the same process and instance, another thread.
        expect(engine.resource['process.pid']).toBe(process.pid);
        expect(engine.resource['service.instance.id']).toBe(rpc.resource['service.instance.id']);
        expect(engine.resource['thread.id']).toBeGreaterThan(0);
        expect(rpc.resource['service.name']).toBe('alphaforge-daemon');
        // The store's statements, children of the spans that made them.
        const db = spans.filter(s => s.attributes['db.system.name'] === 'duckdb');
        // (The run's state updates go through the orchestrator's group commit, whose batch belongs to the
        // trace of whichever operation started it: not asserted here, it depends on timing.)
        // The bars' read (this daemon's first load: no cached bars) is a child of data.load.
        expect(db.map(s => s.name)).toEqual(expect.arrayContaining(['COMMIT', 'SELECT series']));
        expect(db.filter(s => s.name === 'SELECT series').every(s => s.parentSpanId === one(spans, 'data.load').spanId)).toBe(true);
        const ids = new Set(spans.map(s => s.spanId));
        for (const s of db) expect(ids.has(s.parentSpanId!)).toBe(true);
        expectNothingLeaks(spans, token, source);
        await expectLogsJoin(daemon, token);
        expect([...receiver.contentTypes]).toEqual(['application/json']);
    }, 60_000);
});

describe.skipIf(!hasRedis)('team mode: one trace across the daemon and an af worker process', () => {
    const serversDir = tempDir('af-trace-team-');
    let daemon: RunningDaemon;
    let worker: ChildProcess | undefined;
    const workerLines: Record<string, unknown>[] = [];

    beforeAll(async () => {
        const s = await up(serversDir, { only: ['redis'], ports: { redis: await freePort() } });
        const queue: QueueSettings = { kind: 'bullmq', redis: s.redis!.url, prefix: 'aftrace' };
        const config = join(serversDir, 'team.json');
        writeFileSync(config, JSON.stringify({ queue, telemetry: { otlpUrl: receiver.url, serviceName: 'af-test-worker' } }));
        const child = spawn(process.execPath, [AF, 'worker', '--config', config, '--concurrency', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
        worker = child;
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`af worker did not get ready: ${JSON.stringify(workerLines)}`)), 30_000);
            child.once('exit', code => reject(new Error(`af worker exited (${code}): ${JSON.stringify(workerLines)}`)));
            createInterface({ input: child.stderr! }).on('line', text => {
                try {
                    const l = JSON.parse(text) as Record<string, unknown>;
                    workerLines.push(l);
                    if (l['msg'] === 'worker ready') { clearTimeout(timer); resolve(); }
                } catch {
                    workerLines.push({ text });
                }
            });
        });
        const stateDir = await stateWithBars(300, 'af-trace-team-state-');
        daemon = await startDaemon({ stateDir, port: 0, concurrency: 1, queue, telemetry: { otlpUrl: receiver.url } });
    }, 90_000);
    afterAll(async () => {
        await daemon?.stop();
        worker?.kill('SIGKILL');
        down(serversDir);
    }, 30_000);

    it('caller → gateway → run → enqueue → the worker\'s job → engine.run in its thread, one trace, logs joined', async () => {
        const token = daemon.adminToken!;
        // The caller's own trace: the gateway's span is the child of the caller's span.
        const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736', callerSpan = '00f067aa0ba902b7';
        const { runId, traceId } = await submit(daemon.url, token, source, `00-${callerTrace}-${callerSpan}-01`);
        expect(traceId).toBe(callerTrace);
        await waitCompleted(daemon.url, token, runId);
        const spans = await receiver.trace(traceId, ['rpc runs.submit', 'run', 'engine.compile', 'queue.enqueue', 'queue.job', 'engine.run']);
        const rpc = one(spans, 'rpc runs.submit');
        expect(rpc.parentSpanId).toBe(callerSpan);
        const run = one(spans, 'run');
        expect(run.parentSpanId).toBe(rpc.spanId);
        expect(one(spans, 'engine.compile').parentSpanId).toBe(run.spanId);
        const enqueue = one(spans, 'queue.enqueue');
        expect(enqueue.parentSpanId).toBe(run.spanId);
        expect(enqueue.attributes).toMatchObject({ 'messaging.system': 'bullmq', 'messaging.message.id': `${runId}.1` });
        const job = one(spans, 'queue.job');
        expect(job.parentSpanId).toBe(enqueue.spanId);
        const engine = one(spans, 'engine.run');
        expect(engine.parentSpanId).toBe(job.spanId);
        // The job and the engine ran in the other process: its own pid, instance and service name.
        expect(job.resource['process.pid']).toBe(worker!.pid);
        expect(job.resource['process.pid']).not.toBe(rpc.resource['process.pid']);
        expect(job.resource['service.instance.id']).not.toBe(rpc.resource['service.instance.id']);
        expect(job.resource).toMatchObject({ 'service.name': 'af-test-worker', 'af.process': 'worker' });
        expect(engine.resource['service.instance.id']).toBe(job.resource['service.instance.id']);
        expect(rpc.resource['af.process']).toBe('daemon');
        expectNothingLeaks(spans, token, source);
        const logged = workerLines.filter(l => l['runId'] === runId);
        expect(logged.length).toBeGreaterThan(0);
        for (const l of logged) expect(l['traceId']).toBe(traceId);
    }, 60_000);

    it('over WebSocket: the message\'s meta.traceparent continues through the worker, and the events streamed back carry the trace id', async () => {
        const token = daemon.adminToken!;
        const callerTrace = '0af7651916cd43dd8448eb211c80319c', callerSpan = 'b7ad6b7169203331';
        const ws = await WsClient.open(daemon.url, token);
        try {
            expect((await ws.call('events.subscribe', { topics: ['runs'] })).error).toBeUndefined();
            const answer = await ws.call('runs.submit', { kind: 'backtest', spec: { source } }, { meta: { traceparent: `00-${callerTrace}-${callerSpan}-01` } });
            expect(answer.error).toBeUndefined();
            const run = (answer.result as { run: { id: string; traceId: string } }).run;
            expect(run.traceId).toBe(callerTrace);
            await ws.waitFor(m => m.method === 'event' && m.params?.['runId'] === run.id && m.params['state'] === 'completed', 'the run\'s completed event', 60_000);
            // Every event of the run on the socket names the caller's trace (queued, running, completed, and any progress).
            const events = ws.events(e => e['runId'] === run.id);
            expect(events.filter(e => e['type'] === 'lifecycle').map(e => e['state'])).toEqual(expect.arrayContaining(['queued', 'running', 'completed']));
            for (const e of events) expect(e['traceId'], JSON.stringify(e)).toBe(callerTrace);
            const spans = await receiver.trace(callerTrace, ['rpc runs.submit', 'run', 'queue.enqueue', 'queue.job', 'engine.run']);
            const rpc = one(spans, 'rpc runs.submit');
            expect(rpc.parentSpanId).toBe(callerSpan);
            expect(rpc.attributes['af.transport']).toBe('ws');
            const r = one(spans, 'run');
            expect(r.parentSpanId).toBe(rpc.spanId);
            const job = one(spans, 'queue.job');
            expect(job.parentSpanId).toBe(one(spans, 'queue.enqueue').spanId);
            expect(job.resource['process.pid']).toBe(worker!.pid);
            expect(one(spans, 'engine.run').parentSpanId).toBe(job.spanId);
            expectNothingLeaks(spans, token, source);
            for (const l of workerLines.filter(x => x['runId'] === run.id)) expect(l['traceId']).toBe(callerTrace);
        } finally {
            ws.close();
        }
    }, 90_000);

    it('over WebSocket without a traceparent: the gateway starts the trace, and the run, its spans and its events share it', async () => {
        const token = daemon.adminToken!;
        const ws = await WsClient.open(daemon.url, token);
        try {
            const answer = await ws.call('runs.submit', { kind: 'backtest', spec: { source } });
            const run = (answer.result as { run: { id: string; traceId: string } }).run;
            expect(run.traceId).toMatch(/^[0-9a-f]{32}$/);
            expect((await ws.call('events.subscribe', { topics: [`run:${run.id}`] })).error).toBeUndefined();
            await ws.waitFor(m => m.method === 'event' && m.params?.['runId'] === run.id && m.params['state'] === 'completed', 'the run\'s completed event', 60_000);
            for (const e of ws.events(x => x['runId'] === run.id)) expect(e['traceId']).toBe(run.traceId);
            const spans = await receiver.trace(run.traceId, ['rpc runs.submit', 'run', 'queue.job', 'engine.run']);
            expect(one(spans, 'rpc runs.submit').parentSpanId).toBeUndefined();
        } finally {
            ws.close();
        }
    }, 90_000);
});
