/**
 * `daemon.health` as rows a person reads — readiness, the queue, the workers and the team's recent
 * runs — each with an icon that turns to a warning when the figure needs attention. One model for
 * the extension's Platform Health view (which makes tree items of the rows) and `af daemon health`
 * (which prints them), so the two always say the same.
 */
import type { ResultOf } from './daemon/index.js';

export type Health = ResultOf<'daemon.health'>;

export interface HealthRow {
    readonly id: string;
    readonly label: string;
    readonly description: string;
    readonly tooltip: string;
    /** A codicon id, and a theme colour id when the row needs attention. */
    readonly icon: { readonly id: string; readonly color?: string };
}

const WARN = { id: 'warning', color: 'problemsWarningIcon.foreground' } as const;
const ERROR = { id: 'error', color: 'problemsErrorIcon.foreground' } as const;
/** A queued run older than this with every worker busy: the platform is short of workers. */
export const QUEUE_WAIT_WARN_SECONDS = 60;
/** Above this share of failed runs the row warns (a strategy error counts too: read the run's error). */
export const FAILURE_SHARE_WARN = 0.2;

export function duration(seconds: number): string {
    if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
    if (seconds < 120) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
    return `${(seconds / 3600).toFixed(1)} h`;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function healthRows(h: Health): HealthRow[] {
    const failing = h.checks.filter(c => !c.ok);
    const rows: HealthRow[] = [{
        id: 'ready',
        label: h.ready ? 'Ready' : 'Not ready',
        description: h.ready ? `${plural(h.checks.length, 'check')} pass` : `failing: ${failing.map(c => c.name).join(', ')}`,
        tooltip: h.checks.map(c => `${c.ok ? '✓' : '✗'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`).join('\n'),
        icon: h.ready ? { id: 'pass', color: 'testing.iconPassed' } : ERROR,
    }];
    const waiting = h.queue.oldestQueuedSeconds;
    const starved = waiting !== null && waiting > QUEUE_WAIT_WARN_SECONDS && h.workers.busy >= h.workers.slots;
    rows.push({
        id: 'queue',
        label: 'Queue',
        description: h.queue.depth === 0 ? 'empty' : `${plural(h.queue.depth, 'run')} waiting${waiting === null ? '' : `, oldest ${duration(waiting)}`}`,
        tooltip: starved
            ? `Every worker slot is busy and a run has waited ${duration(waiting)}: runs are served fairly across users; add workers (af daemon run --concurrency) if this lasts.`
            : 'Runs waiting for a worker slot, across the platform (no team or run is named).',
        icon: starved ? WARN : { id: 'list-ordered' },
    });
    rows.push({
        id: 'workers',
        label: 'Workers',
        description: `${h.workers.busy} of ${plural(h.workers.slots, 'slot')} busy`,
        tooltip: `Runs executing now: ${h.workers.busy}; slots: ${h.workers.slots}; worker threads alive: ${h.workers.threads}.`,
        icon: { id: 'server-process' },
    });
    const t = h.team;
    const window = `last ${duration(t.windowMinutes * 60)}`;
    rows.push({
        id: 'throughput',
        label: 'Your team',
        description: t.finished === 0 ? `no runs finished, ${window}` : `${plural(t.finished, 'run')}, ${window} (${t.runsPerMinute.toFixed(t.runsPerMinute < 10 ? 1 : 0)}/min)`,
        tooltip: `Finished in the ${window}: ${t.completed} completed, ${t.failed} failed, ${t.cancelled} cancelled.`,
        icon: { id: 'pulse' },
    });
    if (t.latencyMs) {
        rows.push({
            id: 'latency',
            label: 'Latency',
            description: `p50 ${duration(t.latencyMs.p50 / 1000)} · p95 ${duration(t.latencyMs.p95 / 1000)}`,
            tooltip: `Submit → finished of your team's runs of the ${window}.`,
            icon: { id: 'watch' },
        });
    }
    if (t.failureShare !== null) {
        const bad = t.failureShare > FAILURE_SHARE_WARN;
        rows.push({
            id: 'failures',
            label: 'Failed',
            description: `${(100 * t.failureShare).toFixed(0)}% (${t.failed} of ${t.finished})`,
            tooltip: bad ? 'Many runs failed: open one in Runs to read its error (a strategy error counts as a failure too).' : `Share of your team's runs of the ${window} that failed.`,
            icon: bad ? WARN : { id: 'check' },
        });
    }
    return rows;
}
