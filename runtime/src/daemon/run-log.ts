/**
 * The daemon's log lines about runs: one when a run starts executing, one when it ends (completed,
 * failed, cancelled), and one when the system puts it back in the queue (a restart's recovery, a
 * takeover in team mode). Each carries the run's id, team and trace id, so `af logs --run ID` and
 * `af logs --trace ID` find a run's life in the daemon's log; per-trial and progress detail stays in
 * the run's own log (`runs.logs`).
 */
import type { Logger } from 'pino';
import type { RunEvent } from '../orchestrator/types.js';

const ENDS = new Set(['completed', 'failed', 'cancelled']);
const MAX_TRACKED = 10_000;

export class RunLifecycleLog {
    /** When each run seen starting here started (ms), for the duration on its end line. */
    private readonly started = new Map<string, number>();

    constructor(private readonly log: Logger) {}

    /** Logs `e` if it is a state the log keeps; `route` is the run's team and trace. */
    record(e: RunEvent, route: { readonly team?: string; readonly traceId?: string }): void {
        if (e.kind !== 'state' || !e.state) return;
        const running = e.state === 'running';
        const ended = ENDS.has(e.state);
        const requeued = e.state === 'queued' && e.actor === 'system';
        if (!running && !ended && !requeued) return;
        const at = Date.parse(e.ts);
        const startedAt = this.started.get(e.runId);
        if (running) {
            // Bounded: a run whose end this daemon never sees (team mode: taken over elsewhere) is not kept for ever.
            if (this.started.size >= MAX_TRACKED) this.started.delete(this.started.keys().next().value!);
            this.started.set(e.runId, at);
        }
        if (ended || requeued) this.started.delete(e.runId);
        const fields = {
            runId: e.runId, ...(route.traceId ? { traceId: route.traceId } : {}), team: route.team, actor: e.actor, state: e.state,
            // 'attempt N' when it starts, the error when it failed, the reason when cancelled or re-queued.
            ...(e.message ? { detail: e.message } : {}),
            ...(ended && startedAt !== undefined && Number.isFinite(at) ? { ms: at - startedAt } : {}),
        };
        if (e.state === 'failed') this.log.warn(fields, 'run failed');
        else this.log.info(fields, requeued ? 'run re-queued' : `run ${e.state}`);
    }
}
