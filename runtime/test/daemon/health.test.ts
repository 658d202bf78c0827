/**
 * `daemon.health` on a real daemon: the team figures are computed from the caller's team's runs
 * only (checked against the runs' own records, computed here independently), the platform figures
 * name nobody, and a failing check's detail — which can name a host path — reaches admins only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonClient } from '../../../protocol/src/client.js';
import { platformHealth } from '../../src/daemon/health.js';
import { run } from '../../src/cli/main.js';
import { openStore } from '../../src/schema/registry.js';
import { tempDir } from '../data/helpers.js';
import { expectNoLeak, startSecureDaemon, TINY, type SecureDaemon } from '../security/support.js';

let sec: SecureDaemon;
beforeAll(async () => { sec = await startSecureDaemon(); }, 60_000);
afterAll(async () => { await sec?.stop(); });

async function finished(c: DaemonClient, id: string): Promise<{ state: string; createdAt: string; finishedAt: string | null }> {
    for (let i = 0; i < 600; i++) {
        const { run } = await c.call('runs.get', { id });
        if (run.finishedAt) return run;
        await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`run ${id} did not finish`);
}

/** numpy's default (linear) quantile, written out again here. */
function q(xs: number[], p: number): number {
    const s = [...xs].sort((a, b) => a - b), h = (s.length - 1) * p;
    return s[Math.floor(h)]! + (h - Math.floor(h)) * (s[Math.ceil(h)]! - s[Math.floor(h)]!);
}

describe('daemon.health', () => {
    it("gives the caller's team's runs of the window (counts, latency, failure share) and nobody else's", async () => {
        const alpha = sec.client(sec.tokens.alpha.researcher);
        const ids: string[] = [];
        for (const fast of [3, 4, 6]) ids.push((await alpha.call('runs.submit', { kind: 'backtest', spec: { source: TINY, params: { fast } } })).run.id);
        // No bars for this universe: the run fails when it loads its data.
        ids.push((await alpha.call('runs.submit', { kind: 'backtest', spec: { source: TINY.replace('synth:AAA', 'synth:NOPE') } })).run.id);
        const runs = await Promise.all(ids.map(id => finished(alpha, id)));
        const failed = runs.filter(r => r.state === 'failed').length;
        expect(failed).toBe(1);
        const lat = runs.map(r => Date.parse(r.finishedAt!) - Date.parse(r.createdAt));

        const h = await sec.client(sec.tokens.alpha.viewer).call('daemon.health', { windowMinutes: 60 });
        expect(h.team).toMatchObject({ windowMinutes: 60, finished: 4, completed: 3, failed: 1, cancelled: 0 });
        expect(h.team.failureShare).toBeCloseTo(0.25, 12);
        expect(h.team.runsPerMinute).toBeCloseTo(4 / 60, 12);
        // Store times are milliseconds; the wire times are ISO milliseconds too: equal to the ms.
        expect(h.team.latencyMs!.p50).toBeCloseTo(q(lat, 0.5), 0);
        expect(h.team.latencyMs!.p95).toBeCloseTo(q(lat, 0.95), 0);
        expect(h.workers.slots).toBe(2);
        expect(h.queue.depth).toBe(0);
        expect(h.queue.oldestQueuedSeconds).toBeNull();
        expect(h.ready).toBe(true);
        expect(h.checks.map(c => c.name)).toEqual(expect.arrayContaining(['database', 'orchestrator']));

        // Team beta ran nothing: it sees none of alpha's runs, and no team or run is named anywhere.
        const b = await sec.client(sec.tokens.beta.viewer).call('daemon.health', {});
        expect(b.team).toMatchObject({ finished: 0, failureShare: null, latencyMs: null });
        expect(JSON.stringify(b)).not.toContain('alpha');
        for (const id of ids) expect(JSON.stringify(b)).not.toContain(id);
        expectNoLeak(b, sec.secrets);
    });

    it('af daemon health prints the rows the editor shows, and exits 0 when ready', async () => {
        let out = '', err = '';
        const code = await run(['daemon', 'health', '--window', '60', '--url', sec.daemon.url, '--token', sec.tokens.alpha.viewer], s => { out += s; }, s => { err += s; });
        expect(err).toBe('');
        expect(code).toBe(0);
        expect(out).toMatch(/^ {2}Ready +\d+ checks pass$/m);
        expect(out).toMatch(/^ {2}Workers +0 of 2 slots busy$/m);
        expect(out).toMatch(/^[ !] Your team +4 runs, last 60 min/m);
        expect(out).toMatch(/^! Failed +25% \(1 of 4\)$/m);
    });

    it('refuses a window out of range naming the field', async () => {
        await expect(sec.client(sec.tokens.alpha.viewer).call('daemon.health', { windowMinutes: 0 })).rejects.toThrow(/windowMinutes/);
    });

    it("attack: a failing check's detail (a host path) is shown to admins only", async () => {
        const store = await openStore({ stateDir: tempDir('af-health-') });
        try {
            const secretPath = '/srv/host/alphaforge.duckdb: block 17 checksum mismatch';
            const src = {
                readiness: async () => ({ ready: false, failing: ['integrity'], checks: [{ name: 'integrity', ok: false, detail: secretPath }] }),
                orchestrator: { status: async () => ({ running: 0, queued: 0, workers: 0, concurrency: 1 }) },
                runs: store,
            };
            const viewer = await platformHealth(src, 'alpha', false, 15);
            expect(viewer.ready).toBe(false);
            expect(viewer.checks).toEqual([{ name: 'integrity', ok: false }]);
            expect(JSON.stringify(viewer)).not.toContain('/srv/host');
            const admin = await platformHealth(src, 'alpha', true, 15);
            expect(admin.checks).toEqual([{ name: 'integrity', ok: false, detail: secretPath }]);
        } finally {
            store.close();
        }
    });
});
