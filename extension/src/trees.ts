/**
 * The side bar's trees: runs (live states from the daemon's `runs` topic), experiments (with
 * their runs) and data sets (`data.list`). When the daemon is not connected they are empty and
 * the views' welcome content (package.json `viewsWelcome`) says why and offers to connect.
 */
import { type WireNumber } from '../../protocol/src/numbers.js';
import * as vscode from 'vscode';
import type { ResultOf } from '../../protocol/src/daemon/index.js';
import type { DaemonConnection } from './daemon-connection.js';
import { formatMetric } from '../../protocol/src/metrics.js';
import { RunsModel, isActive, kindLabel, metricsLine, runDescription, runLabel, stateIcon, type RunRow } from './run-model.js';

export const VIEW_IDS = { runs: 'alphaforge.runs', experiments: 'alphaforge.experiments', data: 'alphaforge.data', registry: 'alphaforge.registry', deployments: 'alphaforge.deployments', similar: 'alphaforge.similar', health: 'alphaforge.health' } as const;

type Experiment = ResultOf<'experiments.list'>['experiments'][number];
type Series = ResultOf<'data.list'>['series'][number];

function errorText(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

function icon(state: string): vscode.ThemeIcon {
    const i = stateIcon(state);
    return new vscode.ThemeIcon(i.id, i.color ? new vscode.ThemeColor(i.color) : undefined);
}

/** A run as a tree item (runs view and experiment children). contextValue: `run.<state>[.promoted]`. */
export function runItem(r: RunRow, metrics?: Readonly<Record<string, WireNumber>>): vscode.TreeItem {
    const item = new vscode.TreeItem(runLabel(r), vscode.TreeItemCollapsibleState.None);
    item.id = `run:${r.id}`;
    item.description = runDescription(r);
    item.iconPath = icon(r.state);
    item.contextValue = `run.${r.state}${r.promoted ? '.promoted' : ''}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${kindLabel(r.kind)} of ${r.strategy ?? 'a strategy'}** — ${r.state}\n\n`);
    md.appendMarkdown(`run \`${r.id}\` · ${r.owner} (${r.team})\n\n`);
    if (r.experimentId) md.appendMarkdown(`experiment \`${r.experimentId}\`\n\n`);
    md.appendMarkdown(`created ${r.createdAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''}\n\n`);
    if (r.error) md.appendMarkdown(`error: ${r.error.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&')}\n\n`);
    if (metrics) md.appendMarkdown(`${metricsLine(metrics)}\n\n`);
    if (r.fingerprints) md.appendMarkdown(`fingerprint \`${r.fingerprints.exact.slice(0, 16)}…\``);
    item.tooltip = md;
    if (r.state === 'completed') item.command = { command: 'alphaforge.openReport', title: 'Open Report', arguments: [r.id] };
    else if (r.state === 'failed') item.command = { command: 'alphaforge.showRunLogs', title: 'Show Logs', arguments: [r.id] };
    return item;
}

function messageItem(text: string, tooltip?: string): vscode.TreeItem {
    const item = new vscode.TreeItem(text, vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon('warning');
    if (tooltip) item.tooltip = tooltip;
    item.contextValue = 'message';
    return item;
}

// ----------------------------------------------------------------------------------- runs

export class RunsTreeProvider implements vscode.TreeDataProvider<RunRow>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<void>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly activeChanged = new vscode.EventEmitter<readonly RunRow[]>();
    /** The active (created, queued, running) runs, whenever they change. */
    readonly onDidChangeActive = this.activeChanged.event;
    readonly model = new RunsModel(100);
    private readonly disposables: vscode.Disposable[] = [this.changed, this.activeChanged];
    private refreshing: Promise<void> | undefined;
    private fetching = new Set<string>();
    private pollTimer: NodeJS.Timeout | undefined;
    private fireTimer: NodeJS.Timeout | undefined;

    constructor(private readonly daemon: DaemonConnection, private readonly log: vscode.LogOutputChannel) {
        this.disposables.push(daemon.onDidChangeState(s => {
            if (s.kind === 'connected') void this.refresh();
            else if (s.kind !== 'connecting' && s.kind !== 'starting') {
                this.model.clear();
                this.fire();
            }
            this.poll(s.kind === 'connected' && !s.live);
        }));
        this.disposables.push(daemon.onEvent(e => {
            const applied = this.model.apply(e);
            if (applied === 'changed') this.fire();
            else if (applied === 'reload') void this.refresh();
            else if (applied === 'unknown' && (e.type === 'lifecycle' || e.type === 'progress')) void this.fetch(e.runId);
        }));
    }

    /** Without live events, poll while runs are active. */
    private poll(on: boolean): void {
        if (this.pollTimer) clearInterval(this.pollTimer);
        this.pollTimer = on ? setInterval(() => { if (this.model.active.length) void this.refresh(); }, 5000) : undefined;
    }

    /** Coalesces bursts of progress events into one repaint. */
    private fire(): void {
        if (this.fireTimer) return;
        this.fireTimer = setTimeout(() => {
            this.fireTimer = undefined;
            this.changed.fire();
            this.activeChanged.fire(this.model.active);
        }, 100);
    }

    private async fetch(id: string): Promise<void> {
        if (this.fetching.has(id) || !this.daemon.connected) return;
        this.fetching.add(id);
        try {
            const { run } = await this.daemon.call('runs.get', { id });
            this.model.upsert(run);
            this.fire();
        } catch (e) {
            this.log.debug(`runs.get ${id}: ${errorText(e)}`);
        } finally {
            this.fetching.delete(id);
        }
    }

    /** A run the extension just submitted (shown before its first event). */
    add(run: RunRow): void {
        this.model.upsert(run);
        this.fire();
    }

    refresh(): Promise<void> {
        this.refreshing ??= (async () => {
            try {
                if (!this.daemon.connected) return;
                const { runs } = await this.daemon.call('runs.list', { limit: 100 });
                this.model.replace(runs);
            } catch (e) {
                this.log.warn(`cannot list runs: ${errorText(e)}`);
            } finally {
                this.refreshing = undefined;
                this.fire();
            }
        })();
        return this.refreshing;
    }

    getTreeItem(r: RunRow): vscode.TreeItem {
        return runItem(r);
    }

    getChildren(r?: RunRow): RunRow[] {
        return r ? [] : this.model.all;
    }

    /** Active runs first (for pickers). */
    pickable(filter: (r: RunRow) => boolean): RunRow[] {
        return this.model.all.filter(filter).sort((a, b) => Number(isActive(b.state)) - Number(isActive(a.state)));
    }

    dispose(): void {
        if (this.pollTimer) clearInterval(this.pollTimer);
        if (this.fireTimer) clearTimeout(this.fireTimer);
        for (const d of this.disposables) d.dispose();
    }
}

// ---------------------------------------------------------------------------- experiments

type ExperimentNode =
    | { readonly kind: 'experiment'; readonly experiment: Experiment }
    | { readonly kind: 'run'; readonly run: RunRow; readonly metrics: Readonly<Record<string, WireNumber>> }
    | { readonly kind: 'message'; readonly text: string; readonly tooltip?: string };

export class ExperimentsTreeProvider implements vscode.TreeDataProvider<ExperimentNode>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<ExperimentNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly disposables: vscode.Disposable[] = [this.changed];

    constructor(private readonly daemon: DaemonConnection) {
        this.disposables.push(daemon.onDidChangeState(s => { if (s.kind !== 'connecting') this.refresh(); }));
        // A run that finishes may belong to an experiment: its run count changed.
        this.disposables.push(daemon.onEvent(e => { if (e.type === 'lifecycle' && e.state === 'completed') this.refresh(); }));
    }

    refresh(): void {
        this.changed.fire(undefined);
    }

    getTreeItem(n: ExperimentNode): vscode.TreeItem {
        if (n.kind === 'message') return messageItem(n.text, n.tooltip);
        if (n.kind === 'run') return runItem(n.run, n.metrics);
        const e = n.experiment;
        const item = new vscode.TreeItem(e.name, e.runCount ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `experiment:${e.id}`;
        item.description = `${e.runCount} run${e.runCount === 1 ? '' : 's'} · ${e.owner}`;
        item.tooltip = new vscode.MarkdownString(`**${e.name}** (\`${e.id}\`)\n\n${e.description ?? ''}\n\nteam ${e.team}, created ${e.createdAt}`);
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = 'experiment';
        return item;
    }

    async getChildren(n?: ExperimentNode): Promise<ExperimentNode[]> {
        if (!this.daemon.connected) return [];
        try {
            if (!n) {
                const { experiments } = await this.daemon.call('experiments.list', { limit: 200 });
                return experiments.map(experiment => ({ kind: 'experiment', experiment }));
            }
            if (n.kind !== 'experiment') return [];
            const { runs, total } = await this.daemon.call('experiments.search', { experimentId: n.experiment.id, orderBy: 'attributes.created desc', limit: 100 });
            const rows: ExperimentNode[] = runs.map(r => ({ kind: 'run', run: r.run, metrics: r.metrics }));
            if (total > runs.length) rows.push({ kind: 'message', text: `${total - runs.length} more: open the experiments panel`, tooltip: 'AlphaForge: Open Experiments' });
            return rows;
        } catch (e) {
            return [{ kind: 'message', text: `Cannot list: ${errorText(e)}`, tooltip: errorText(e) }];
        }
    }

    dispose(): void {
        for (const d of this.disposables) d.dispose();
    }
}

// ----------------------------------------------------------------------------------- data

type DataNode =
    | { readonly kind: 'venue'; readonly venue: string; readonly series: readonly Series[] }
    | { readonly kind: 'series'; readonly series: Series }
    | { readonly kind: 'message'; readonly text: string; readonly tooltip?: string };

function day(ms: number): string {
    return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '?';
}

export class DataTreeProvider implements vscode.TreeDataProvider<DataNode>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<DataNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly disposables: vscode.Disposable[] = [this.changed];

    constructor(private readonly daemon: DaemonConnection) {
        this.disposables.push(daemon.onDidChangeState(s => { if (s.kind !== 'connecting') this.refresh(); }));
    }

    refresh(): void {
        this.changed.fire(undefined);
    }

    getTreeItem(n: DataNode): vscode.TreeItem {
        if (n.kind === 'message') return messageItem(n.text, n.tooltip);
        if (n.kind === 'venue') {
            const item = new vscode.TreeItem(n.venue, vscode.TreeItemCollapsibleState.Expanded);
            item.id = `venue:${n.venue}`;
            item.description = `${n.series.length} series`;
            item.iconPath = new vscode.ThemeIcon('database');
            item.contextValue = 'venue';
            return item;
        }
        const s = n.series;
        const item = new vscode.TreeItem(`${s.symbol}`, vscode.TreeItemCollapsibleState.None);
        item.id = `series:${s.id}:${s.timeframe}`;
        item.description = `${s.timeframe} · ${formatMetric('bars', s.bars)} bars · ${day(s.firstTs)} → ${day(s.lastTs)}`;
        item.tooltip = `${s.id} ${s.timeframe}: ${s.bars} bars from ${new Date(s.firstTs).toISOString()} to ${new Date(s.lastTs).toISOString()}; ${s.visibility === 'shared' ? 'shared by' : 'private to'} team ${s.owner}`;
        item.iconPath = new vscode.ThemeIcon('graph-line');
        item.contextValue = 'series';
        return item;
    }

    async getChildren(n?: DataNode): Promise<DataNode[]> {
        if (n) return n.kind === 'venue' ? n.series.map(series => ({ kind: 'series', series })) : [];
        if (!this.daemon.connected) return [];
        try {
            const { series } = await this.daemon.call('data.list', {});
            const byVenue = new Map<string, Series[]>();
            for (const s of series) byVenue.set(s.venue, [...(byVenue.get(s.venue) ?? []), s]);
            return [...byVenue.entries()].sort(([a], [b]) => a.localeCompare(b))
                .map(([venue, list]) => ({ kind: 'venue', venue, series: list.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.timeframe.localeCompare(b.timeframe)) }));
        } catch (e) {
            return [{ kind: 'message', text: `Cannot list data: ${errorText(e)}`, tooltip: errorText(e) }];
        }
    }

    dispose(): void {
        for (const d of this.disposables) d.dispose();
    }
}
