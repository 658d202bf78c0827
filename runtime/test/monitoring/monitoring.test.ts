/** createMonitoring: the pieces wired together as the daemon uses them. */
import { existsSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
    alertConfigPath, createMonitoring, formatTraceparent, newTraceId, parseTraceparent, readLogs, withRequest, withRun,
    type AlertEvent, type Monitoring,
} from '../../src/monitoring/index.js';
import { parsePrometheusText, sampleValue, serve, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let mon: Monitoring | undefined;
beforeEach(() => { tmp = tempDir(); });
afterEach(async () => {
    await mon?.close();
    mon = undefined;
    tmp.remove();
});

describe('createMonitoring', () => {
    it('serves /metrics, /healthz and /readyz; counts errors; logs and emits alerts', async () => {
        let now = Date.parse('2025-01-31T12:00:00Z');
        mon = createMonitoring({ stateDir: tmp.dir, now: () => now });
        expect(existsSync(alertConfigPath(tmp.dir))).toBe(true);
        const started = mon.readiness.flag('orchestrator', 'not started');
        const server = await serve({ '/metrics': mon.handlers.metrics, '/healthz': mon.handlers.healthz, '/readyz': mon.handlers.readyz });
        try {
            expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
            expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
            started.set(true);
            expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

            // A request arrives with a traceparent; the gateway logs it and submits a run under the same trace.
            const incoming = formatTraceparent(newTraceId());
            const traceId = parseTraceparent(incoming)!.traceId;
            const gw = withRequest(mon.logger.child({ component: 'gateway' }), { requestId: 'req-9', traceId, method: 'run.submit', user: 'ana' });
            const endRpc = mon.metrics.startRpcTimer('run.submit');
            gw.info('rpc received');
            const run = withRun(mon.logger.child({ component: 'run' }), { runId: 'run-9', traceId });
            run.error({ err: new Error('bad data') }, 'run failed');
            endRpc();

            // alerts go to listeners (the gateway's WebSocket broadcast) and to the log
            const alerts: AlertEvent[] = [];
            mon.alerts.on('alert', e => alerts.push(e));
            mon.alerts.setQueueDepth(1);
            now += 601_000;
            mon.alerts.evaluate();
            mon.alerts.evaluate();
            expect(alerts.map(a => [a.rule, a.state])).toEqual([['queue_stuck', 'firing']]);

            const res = await fetch(`${server.url}/metrics`);
            const families = parsePrometheusText(await res.text());
            expect(sampleValue(families, 'af_errors_total', { component: 'run' })).toBe(1);
            expect(sampleValue(families, 'af_rpc_duration_seconds_count', { method: 'run.submit', outcome: 'ok' })).toBe(1);
            expect(sampleValue(families, 'af_alerts_firing', { rule: 'queue_stuck' })).toBe(1);

            const traced = await readLogs(tmp.dir, { traceId });
            expect(traced.map(e => [e.component, e.msg, e.requestId ?? e.runId])).toEqual([
                ['gateway', 'rpc received', 'req-9'],
                ['run', 'run failed', 'run-9'],
            ]);
            expect((await readLogs(tmp.dir, { component: 'alerts' })).map(e => e.msg)).toEqual([expect.stringMatching(/^alert firing: queue stuck: 1 run\(s\) queued/)]);
        } finally {
            await server.close();
        }
    });

    it('refuses an invalid alerts.json naming the field', () => {
        writeFileSync(alertConfigPath(tmp.dir), JSON.stringify({ rules: { queue_stuck: { seconds: 0 } } }));
        expect(() => createMonitoring({ stateDir: tmp.dir })).toThrow(/rules\.queue_stuck\.seconds: must be > 0/);
    });
});
