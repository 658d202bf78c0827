/** /healthz and /readyz. */
import { describe, expect, it } from 'vitest';
import { Readiness, createHealthHandlers, healthzHandler } from '../../src/monitoring/health.js';
import { serve } from './helpers.js';

describe('Readiness', () => {
    it('readyz answers 503 naming the failing check until every check passes, then 200', async () => {
        const readiness = new Readiness();
        let dbOpen = false;
        readiness.register('db', () => (dbOpen ? true : { ok: false, detail: 'database not open' }));
        const orchestrator = readiness.flag('orchestrator', 'not started');
        const { healthz, readyz } = createHealthHandlers(readiness);
        const server = await serve({ '/healthz': healthz, '/readyz': readyz });
        const routes = { healthz: `${server.url}/healthz`, readyz: `${server.url}/readyz` };
        try {
            // not ready: both fail
            let res = await fetch(routes.readyz);
            expect(res.status).toBe(503);
            expect(res.headers.get('content-type')).toMatch(/^application\/json/);
            let body = await res.json() as { status: string; failing: string[]; checks: { name: string; ok: boolean; detail?: string }[] };
            expect(body.status).toBe('not ready');
            expect(body.failing).toEqual(['db', 'orchestrator']);
            expect(body.checks).toEqual([
                { name: 'db', ok: false, detail: 'database not open' },
                { name: 'orchestrator', ok: false, detail: 'not started' },
            ]);
            // healthz is 200 all along
            res = await fetch(routes.healthz);
            expect(res.status).toBe(200);
            expect(await res.json()).toMatchObject({ status: 'ok' });

            dbOpen = true;
            res = await fetch(routes.readyz);
            expect(res.status).toBe(503);
            body = await res.json() as typeof body;
            expect(body.failing).toEqual(['orchestrator']);

            orchestrator.set(true);
            expect(orchestrator.ok).toBe(true);
            res = await fetch(routes.readyz);
            expect(res.status).toBe(200);
            expect(await res.json()).toEqual({ status: 'ready', checks: [{ name: 'db', ok: true }, { name: 'orchestrator', ok: true }] });

            // and back: stopping the orchestrator makes the daemon unready again
            orchestrator.set(false, 'shutting down');
            res = await fetch(routes.readyz);
            expect(res.status).toBe(503);
            expect(((await res.json()) as typeof body).checks[1]).toEqual({ name: 'orchestrator', ok: false, detail: 'shutting down' });

            // HEAD carries the status without a body
            res = await fetch(routes.readyz, { method: 'HEAD' });
            expect(res.status).toBe(503);
            expect(await res.text()).toBe('');
        } finally {
            await server.close();
        }
    });

    it('a throwing, rejecting or hanging check fails with its reason; async checks work', async () => {
        const readiness = new Readiness({ timeoutMs: 20 });
        readiness.register('throws', () => { throw new Error('boom'); });
        readiness.register('rejects', () => Promise.reject(new Error('no db')));
        readiness.register('hangs', () => new Promise<boolean>(() => undefined));
        readiness.register('async-ok', async () => true);
        readiness.register('false', () => false);
        const report = await readiness.check();
        expect(report.ready).toBe(false);
        expect(report.failing).toEqual(['throws', 'rejects', 'hangs', 'false']);
        expect(report.checks).toEqual([
            { name: 'throws', ok: false, detail: 'boom' },
            { name: 'rejects', ok: false, detail: 'no db' },
            { name: 'hangs', ok: false, detail: 'timed out after 20 ms' },
            { name: 'async-ok', ok: true },
            { name: 'false', ok: false, detail: 'check failed' },
        ]);
    });

    it('no checks means ready; unregistering removes a check; names are unique', async () => {
        const readiness = new Readiness();
        expect((await readiness.check()).ready).toBe(true);
        const off = readiness.register('db', () => false);
        expect(() => readiness.register('db', () => true)).toThrow(/already registered/);
        expect(readiness.names()).toEqual(['db']);
        expect((await readiness.check()).ready).toBe(false);
        off();
        expect((await readiness.check()).ready).toBe(true);
    });

    it('healthzHandler is a plain node:http handler', async () => {
        const server = await serve({ '/healthz': healthzHandler });
        try {
            const res = await fetch(`${server.url}/healthz`);
            expect(res.status).toBe(200);
            expect(res.headers.get('cache-control')).toBe('no-store');
            const body = await res.json() as { status: string; uptimeSeconds: number };
            expect(body.status).toBe('ok');
            expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
        } finally {
            await server.close();
        }
    });
});
