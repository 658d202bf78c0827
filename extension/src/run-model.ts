/**
 * The runs the side bar shows, kept live from the daemon's `runs` topic: a list fetched with
 * `runs.list`, then lifecycle and progress events applied in place. Pure (no VS Code), so the
 * tree, the status bar and the tests share it.
 */
import { formatMetric } from '../../protocol/src/metrics.js';
import { type WireNumber } from '../../protocol/src/numbers.js';
import type { RunState, RunSummary, StreamEvent } from '../../protocol/src/daemon/index.js';

export type RunRow = RunSummary;

export const ACTIVE_STATES: readonly RunState[] = ['created', 'queued', 'running'];
export const isActive = (state: string): boolean => (ACTIVE_STATES as readonly string[]).includes(state);

export type Applied =
    /** The run is known and changed. */
    | 'changed'
    /** An event of a run the model has not seen: fetch it (`runs.get`) and `upsert`. */
    | 'unknown'
    /** Nothing to do (alerts, log lines, an older event). */
    | 'ignored'
    /** Events were dropped by the daemon: reload the list. */
    | 'reload';

export class RunsModel {
    private readonly runs = new Map<string, RunRow>();
    /** Highest lifecycle sequence number applied per run (events may repeat after a reload). */
    private readonly seqs = new Map<string, number>();

    constructor(private readonly limit = 100) {}

    /** Replaces everything with a fresh `runs.list`. */
    replace(rows: readonly RunRow[]): void {
        this.runs.clear();
        this.seqs.clear();
        for (const r of rows) this.runs.set(r.id, r);
    }

    upsert(row: RunRow): void {
        this.runs.set(row.id, row);
        this.trim();
    }

    get(id: string): RunRow | undefined {
        return this.runs.get(id);
    }

    clear(): void {
        this.replace([]);
    }

    apply(event: StreamEvent): Applied {
        if (event.type === 'lagged') return 'reload';
        if (event.type !== 'lifecycle' && event.type !== 'progress') return 'ignored';
        const run = this.runs.get(event.runId);
        if (!run) return 'unknown';
        if (event.type === 'progress') {
            if (!isActive(run.state)) return 'ignored';
            this.runs.set(run.id, { ...run, state: 'running', progress: event.done });
            return 'changed';
        }
        if (event.seq <= (this.seqs.get(run.id) ?? -1)) return 'ignored';
        this.seqs.set(run.id, event.seq);
        if (event.state === 'promoted') {
            this.runs.set(run.id, { ...run, promoted: true });
            return 'changed';
        }
        const finished = !isActive(event.state);
        this.runs.set(run.id, {
            ...run,
            state: event.state,
            progress: event.state === 'completed' ? 1 : finished ? run.progress : event.state === 'running' ? run.progress ?? 0 : null,
            ...(event.state === 'running' && !run.startedAt ? { startedAt: event.ts } : {}),
            ...(finished && !run.finishedAt ? { finishedAt: event.ts } : {}),
            ...(event.state === 'failed' && event.message ? { error: event.message } : {}),
        });
        return 'changed';
    }

    /** Newest first. */
    get all(): RunRow[] {
        return [...this.runs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    }

    get active(): RunRow[] {
        return this.all.filter(r => isActive(r.state));
    }

    private trim(): void {
        if (this.runs.size <= this.limit) return;
        for (const r of this.all.slice(this.limit)) if (!isActive(r.state)) this.runs.delete(r.id);
    }
}

// ------------------------------------------------------------------------------ presentation

const KIND_LABEL: Readonly<Record<string, string>> = { backtest: 'Backtest', sweep: 'Sweep', walkforward: 'Walk-forward' };

export function kindLabel(kind: string): string {
    return KIND_LABEL[kind] ?? kind;
}

/** Codicon (and theme colour) for a run state; spinning while it runs. */
export function stateIcon(state: string): { id: string; color?: string } {
    switch (state) {
        case 'created':
        case 'queued': return { id: 'clock' };
        case 'running': return { id: 'sync~spin', color: 'charts.blue' };
        case 'completed': return { id: 'pass', color: 'testing.iconPassed' };
        case 'failed': return { id: 'error', color: 'testing.iconFailed' };
        case 'cancelled': return { id: 'circle-slash', color: 'disabledForeground' };
        default: return { id: 'circle-outline' };
    }
}

export function percent(x: number | null | undefined): string {
    return typeof x === 'number' && Number.isFinite(x) ? `${Math.round(x * 100)}%` : '';
}

export function runLabel(r: Pick<RunRow, 'strategy' | 'kind' | 'id'>): string {
    return `${r.strategy ?? r.id} · ${kindLabel(r.kind)}`;
}

/** "running 42%", "completed 3 min ago" … (`now` for tests). */
export function runDescription(r: Pick<RunRow, 'state' | 'progress' | 'createdAt' | 'finishedAt' | 'promoted'>, now = Date.now()): string {
    const when = r.finishedAt ?? r.createdAt;
    const parts: string[] = [r.state === 'running' && r.progress !== null ? `running ${percent(r.progress)}` : r.state];
    if (r.promoted) parts.push('promoted');
    parts.push(ago(when, now));
    return parts.filter(Boolean).join(' · ');
}

export function ago(iso: string, now = Date.now()): string {
    const t = Date.parse(iso);
    if (!Number.isFinite(t)) return '';
    const s = Math.max(0, Math.round((now - t) / 1000));
    if (s < 60) return 'just now';
    if (s < 3600) return `${Math.floor(s / 60)} min ago`;
    if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
    return `${Math.floor(s / 86_400)} d ago`;
}

/** One line of the headline metrics of a finished run. */
export function metricsLine(metrics: Readonly<Record<string, WireNumber>> | null | undefined): string {
    if (!metrics) return '';
    const keys = ['sharpe', 'totalReturn', 'maxDrawdown', 'tradeCount'];
    const names: Record<string, string> = { sharpe: 'Sharpe', totalReturn: 'return', maxDrawdown: 'max drawdown', tradeCount: 'trades' };
    return keys.filter(k => k in metrics).map(k => `${names[k]} ${formatMetric(k, metrics[k])}`).join(' · ');
}
