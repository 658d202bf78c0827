/** /metrics: Prometheus text from the daemon's own registry. */
import { describe, expect, it } from 'vitest';
import { JOB_STATES, OTHER_METHOD, RUN_DURATION_BUCKETS, createMetrics, createMetricsHandler } from '../../src/monitoring/metrics.js';
import { parsePrometheusText, sampleValue, serve } from './helpers.js';

describe('createMetrics', () => {
    it('renders valid Prometheus text containing every metric after use', async () => {
        const m = createMetrics();
        m.setJobsByState({ queued: 3, running: 2, completed: 7 });
        m.observeRun('backtest', 'completed', 0.8);
        m.observeRun('sweep', 'failed', 95);
        m.queueDepth.set(3);
        m.observeRpc('run.submit', 0.004);
        m.observeRpc('run.get', 0.002, -32602);
        m.startRpcTimer('experiments.list')();
        m.wsClients.inc();
        m.wsClients.inc();
        m.countError('gateway');
        m.alertsFiring.set({ rule: 'queue_stuck' }, 1);

        const { contentType, body } = await m.render();
        expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
        const families = parsePrometheusText(body);

        expect(families.get('af_jobs')?.type).toBe('gauge');
        for (const state of JOB_STATES) expect(sampleValue(families, 'af_jobs', { state })).toBeDefined();
        expect(sampleValue(families, 'af_jobs', { state: 'queued' })).toBe(3);
        expect(sampleValue(families, 'af_jobs', { state: 'running' })).toBe(2);
        expect(sampleValue(families, 'af_jobs', { state: 'failed' })).toBe(0);

        expect(families.get('af_run_duration_seconds')?.type).toBe('histogram');
        expect(sampleValue(families, 'af_run_duration_seconds_count', { kind: 'backtest', outcome: 'completed' })).toBe(1);
        expect(sampleValue(families, 'af_run_duration_seconds_bucket', { kind: 'sweep', outcome: 'failed', le: '60' })).toBe(0);
        expect(sampleValue(families, 'af_run_duration_seconds_bucket', { kind: 'sweep', outcome: 'failed', le: '120' })).toBe(1);
        expect(sampleValue(families, 'af_run_duration_seconds_bucket', { kind: 'sweep', outcome: 'failed', le: '+Inf' })).toBe(1);

        expect(sampleValue(families, 'af_queue_depth')).toBe(3);
        expect(families.get('af_rpc_duration_seconds')?.type).toBe('histogram');
        expect(sampleValue(families, 'af_rpc_duration_seconds_count', { method: 'run.submit', outcome: 'ok' })).toBe(1);
        expect(sampleValue(families, 'af_rpc_duration_seconds_count', { method: 'run.get', outcome: 'error' })).toBe(1);
        expect(sampleValue(families, 'af_rpc_duration_seconds_count', { method: 'experiments.list', outcome: 'ok' })).toBe(1);
        expect(families.get('af_rpc_errors_total')?.type).toBe('counter');
        expect(sampleValue(families, 'af_rpc_errors_total', { method: 'run.get', code: '-32602' })).toBe(1);
        expect(sampleValue(families, 'af_rpc_errors_total', { method: 'run.submit' })).toBeUndefined();
        expect(sampleValue(families, 'af_ws_clients')).toBe(2);
        expect(sampleValue(families, 'af_errors_total', { component: 'gateway' })).toBe(1);
        expect(sampleValue(families, 'af_alerts_firing', { rule: 'queue_stuck' })).toBe(1);

        // default process metrics, prefixed
        expect(sampleValue(families, 'af_process_resident_memory_bytes')).toBeGreaterThan(0);
        expect(families.has('af_nodejs_eventloop_lag_seconds')).toBe(true);
        expect(families.has('af_nodejs_heap_size_used_bytes')).toBe(true);
        expect([...families.keys()].filter(n => !n.startsWith('af_'))).toEqual([]);
    });

    it('run-duration buckets span 10 ms to 1 h', () => {
        expect(RUN_DURATION_BUCKETS[0]).toBe(0.01);
        expect(RUN_DURATION_BUCKETS.at(-1)).toBe(3600);
        expect([...RUN_DURATION_BUCKETS].sort((a, b) => a - b)).toEqual(RUN_DURATION_BUCKETS);
    });

    it('two daemons in one process keep separate registries', async () => {
        const a = createMetrics();
        const b = createMetrics({ defaultMetrics: false });
        a.queueDepth.set(5);
        b.queueDepth.set(1);
        expect(sampleValue(parsePrometheusText((await a.render()).body), 'af_queue_depth')).toBe(5);
        const bodyB = (await b.render()).body;
        expect(sampleValue(parsePrometheusText(bodyB), 'af_queue_depth')).toBe(1);
        expect(bodyB).not.toContain('af_process_');
    });

    it('setJobsByState zeroes states left out', async () => {
        const m = createMetrics({ defaultMetrics: false });
        m.setJobsByState({ running: 4 });
        m.setJobsByState({ queued: 1 });
        const f = parsePrometheusText((await m.render()).body);
        expect(sampleValue(f, 'af_jobs', { state: 'running' })).toBe(0);
        expect(sampleValue(f, 'af_jobs', { state: 'queued' })).toBe(1);
    });

    it('folds RPC methods beyond maxMethods into "other" (bounded label cardinality)', async () => {
        const m = createMetrics({ defaultMetrics: false, maxMethods: 2 });
        for (const method of ['a', 'b', 'c', 'd', 'a']) m.observeRpc(method, 0.001, method === 'd' ? -32601 : undefined);
        const f = parsePrometheusText((await m.render()).body);
        expect(sampleValue(f, 'af_rpc_duration_seconds_count', { method: 'a', outcome: 'ok' })).toBe(2);
        expect(sampleValue(f, 'af_rpc_duration_seconds_count', { method: 'b', outcome: 'ok' })).toBe(1);
        expect(sampleValue(f, 'af_rpc_duration_seconds_count', { method: OTHER_METHOD, outcome: 'ok' })).toBe(1);
        expect(sampleValue(f, 'af_rpc_errors_total', { method: OTHER_METHOD, code: '-32601' })).toBe(1);
        expect(sampleValue(f, 'af_rpc_duration_seconds_count', { method: 'c' })).toBeUndefined();
    });

    it('is served over node:http by createMetricsHandler', async () => {
        const m = createMetrics({ defaultMetrics: false });
        m.wsClients.set(7);
        const server = await serve({ '/metrics': createMetricsHandler(m) });
        try {
            const res = await fetch(`${server.url}/metrics`);
            expect(res.status).toBe(200);
            expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
            expect(sampleValue(parsePrometheusText(await res.text()), 'af_ws_clients')).toBe(7);
            const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
            expect(post.status).toBe(405);
        } finally {
            await server.close();
        }
    });

    it('the parser used here rejects malformed text', () => {
        expect(() => parsePrometheusText('x 1\n')).toThrow(/no TYPE/);
        expect(() => parsePrometheusText('# TYPE x gauge\nx{a=b} 1\n')).toThrow(/bad labels/);
        expect(() => parsePrometheusText('# TYPE x gauge\nx one\n')).toThrow(/bad value/);
    });
});
