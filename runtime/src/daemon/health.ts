/**
 * `daemon.health`: what a user asks when a run sits in the queue — is the daemon ready, how deep is
 * the queue, are the workers busy — and how their team's runs went lately. Platform figures are
 * counts only (no team, user or run is named); the team figures are the caller's team's alone; a
 * failing check's detail (which may name a file of the host) is shown to admins only.
 */
import type { ResultOf } from '../../../protocol/src/daemon/index.js';
import type { ReadinessReport } from '../monitoring/health.js';
import type { SqlStore } from '../store/sql-store.js';
import type { Orchestrator } from '../orchestrator/index.js';

export interface HealthSources {
    readonly readiness: () => Promise<ReadinessReport>;
    readonly orchestrator: Pick<Orchestrator, 'status'>;
    /** A read connection to the runs table. */
    readonly runs: SqlStore;
}

/** The p-quantile of sorted values, linearly interpolated (as numpy's default). */
function quantile(sorted: readonly number[], p: number): number {
    const at = (sorted.length - 1) * p, lo = Math.floor(at), hi = Math.ceil(at);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export async function platformHealth(src: HealthSources, team: string, admin: boolean, windowMinutes: number): Promise<ResultOf<'daemon.health'>> {
    const now = Date.now();
    const [report, status, oldest, finished] = await Promise.all([
        src.readiness(),
        src.orchestrator.status(),
        src.runs.rows(`SELECT epoch_ms(min(queued_at))::DOUBLE AS at FROM runs WHERE state = 'queued'`),
        src.runs.rows(
            `SELECT state, (epoch_ms(finished_at) - epoch_ms(created_at))::DOUBLE AS ms FROM runs
             WHERE team = $1 AND finished_at IS NOT NULL AND epoch_ms(finished_at) >= $2`,
            [team, now - windowMinutes * 60_000]),
    ]);
    const count = (st: string): number => finished.filter(r => r.state === st).length;
    const latencies = finished.map(r => Number(r.ms)).filter(Number.isFinite).sort((a, b) => a - b);
    const oldestAt = oldest[0]?.at;
    return {
        ready: report.ready,
        checks: report.checks.map(c => (admin && c.detail !== undefined ? { name: c.name, ok: c.ok, detail: c.detail } : { name: c.name, ok: c.ok })),
        queue: { depth: status.queued, oldestQueuedSeconds: oldestAt === null || oldestAt === undefined ? null : Math.max(0, (now - Number(oldestAt)) / 1000) },
        workers: { slots: status.concurrency, busy: status.running, threads: status.workers },
        team: {
            windowMinutes,
            finished: finished.length, completed: count('completed'), failed: count('failed'), cancelled: count('cancelled'),
            runsPerMinute: finished.length / windowMinutes,
            latencyMs: latencies.length ? { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95) } : null,
            failureShare: finished.length ? count('failed') / finished.length : null,
        },
    };
}
