/**
 * What the Platform Health view and `af daemon health` show (protocol/src/health-rows.ts): one row per figure of daemon.health, a
 * warning when a run has waited long with every slot busy or many runs failed, and rows that are
 * left out when there is nothing to say (no latency without finished runs).
 */
import { describe, expect, it } from 'vitest';
import { duration, FAILURE_SHARE_WARN, healthRows, QUEUE_WAIT_WARN_SECONDS, type Health } from '../../protocol/src/health-rows.js';

function health(o: { queue?: Partial<Health['queue']>; workers?: Partial<Health['workers']>; team?: Partial<Health['team']>; ready?: boolean; checks?: Health['checks'] } = {}): Health {
    return {
        ready: o.ready ?? true,
        checks: o.checks ?? [{ name: 'database', ok: true }, { name: 'orchestrator', ok: true }],
        queue: { depth: 0, oldestQueuedSeconds: null, ...o.queue },
        workers: { slots: 2, busy: 0, threads: 2, ...o.workers },
        team: { windowMinutes: 15, finished: 0, completed: 0, failed: 0, cancelled: 0, runsPerMinute: 0, latencyMs: null, failureShare: null, ...o.team },
    };
}
const row = (h: Health, id: string) => healthRows(h).find(r => r.id === id);

describe('the platform health view model', () => {
    it('an idle, ready daemon: ready, empty queue, no latency or failure rows', () => {
        const rows = healthRows(health());
        expect(rows.map(r => r.id)).toEqual(['ready', 'queue', 'workers', 'throughput']);
        expect(rows.map(r => `${r.label}: ${r.description}`)).toEqual([
            'Ready: 2 checks pass', 'Queue: empty', 'Workers: 0 of 2 slots busy', 'Your team: no runs finished, last 15 min',
        ]);
    });

    it('warns when a run has waited past the limit with every slot busy, not when a slot is free', () => {
        const starved = health({ queue: { depth: 3, oldestQueuedSeconds: QUEUE_WAIT_WARN_SECONDS + 30 }, workers: { busy: 2 } });
        expect(row(starved, 'queue')).toMatchObject({ description: '3 runs waiting, oldest 90 s', icon: { id: 'warning' } });
        expect(row(starved, 'queue')!.tooltip).toMatch(/add workers/);
        const free = health({ queue: { depth: 3, oldestQueuedSeconds: QUEUE_WAIT_WARN_SECONDS + 30 }, workers: { busy: 1 } });
        expect(row(free, 'queue')!.icon.id).toBe('list-ordered');
    });

    it("the team's runs: throughput, latency and a failure share that warns above the threshold", () => {
        const h = health({ team: { finished: 10, completed: 7, failed: 3, runsPerMinute: 10 / 15, latencyMs: { p50: 850, p95: 12_400 }, failureShare: 0.3 } });
        expect(row(h, 'throughput')!.description).toBe('10 runs, last 15 min (0.7/min)');
        expect(row(h, 'latency')!.description).toBe('p50 850 ms · p95 12 s');
        expect(row(h, 'failures')).toMatchObject({ description: '30% (3 of 10)', icon: { id: 'warning' } });
        const fine = health({ team: { finished: 10, completed: 9, failed: 1, failureShare: 0.1 } });
        expect(0.1).toBeLessThan(FAILURE_SHARE_WARN);
        expect(row(fine, 'failures')!.icon.id).toBe('check');
    });

    it('not ready: names the failing checks, with their detail in the tooltip when the daemon gave one', () => {
        const h = health({ ready: false, checks: [{ name: 'database', ok: false, detail: 'the database is closed' }, { name: 'orchestrator', ok: true }] });
        expect(row(h, 'ready')).toMatchObject({ label: 'Not ready', description: 'failing: database', icon: { id: 'error' } });
        expect(row(h, 'ready')!.tooltip).toBe('✗ database — the database is closed\n✓ orchestrator');
    });

    it('durations read as a person says them', () => {
        expect([0.25, 4.25, 42, 600, 7200].map(duration)).toEqual(['250 ms', '4.3 s', '42 s', '10 min', '2.0 h']);
    });
});
