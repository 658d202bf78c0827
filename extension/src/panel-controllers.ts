/**
 * What the three panels show and do:
 * - reports: one panel per run, fed `runs.get` and the run's result (`runs.result`: data, thinned
 *   for the charts, trades paged); live progress while the run is going;
 * - the DAG of a strategy from the language server (`alphaforge/dagView`), refreshed as the
 *   document changes, click-to-reveal in the source;
 * - experiments: the store's search, compare (equity curves) and "open report".
 * Each also takes back the panel VS Code re-creates after a window reload (`restore`, called by
 * the panel serializers with the validated saved state) into the same bookkeeping as one it opened:
 * the report of a run is re-fetched (once the daemon is connected), the DAG is asked for again,
 * the experiments page searches again with its own saved filter and sort.
 */
import * as vscode from 'vscode';
import { ErrorCodes, RpcError, type ResultOf } from '../../protocol/src/daemon/index.js';
import { DEFAULT_MAX_POINTS, type RunResult, type Trial } from '../../protocol/src/run-result.js';
import type { DagPanelState, ExperimentsToHost, ReportRun, ReportToHost, SourceRange } from '../../protocol/src/webview.js';
import { REPORT_MAX_ROWS } from '../../protocol/src/wire.js';
import { DaemonNotReadyError, type DaemonConnection, type DaemonState } from './daemon-connection.js';
import type { AlphaForgeLanguageClient } from './language-client.js';
import { StatefulPanel, type Logger, type PanelOrigin } from './panels.js';
import { comparisonCurve, fingerprintFilter, reportFromResult, searchRowToPanel } from './report-source.js';
import { isActive, kindLabel } from './run-model.js';
import { scanStrategies } from './strategy-scan.js';

type RunDetail = ResultOf<'runs.get'>['run'];

/** What the panels use of the daemon connection. */
export type PanelDaemon = Pick<DaemonConnection, 'call' | 'follow' | 'onEvent' | 'onDidChangeState' | 'state' | 'connected'>;
/** What the DAG panel uses of the language client. */
export type DagSource = Pick<AlphaForgeLanguageClient, 'dagView' | 'diff'>;

function errorText(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

/** Opens `uri` and selects `range` in the editor column the user works in. */
export async function revealSource(uri: string, range: SourceRange): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const r = new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
    const column = vscode.window.visibleTextEditors.find(e => e.document.uri.toString() === doc.uri.toString())?.viewColumn ?? vscode.ViewColumn.One;
    await vscode.window.showTextDocument(doc, { viewColumn: column, selection: r, preserveFocus: false });
}

/** The declaration of `strategy` in an open (or openable) document, for the report's link back. */
async function strategyRange(uri: string | undefined, strategy: string | null): Promise<SourceRange | undefined> {
    if (!uri || !strategy) return undefined;
    try {
        const doc = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri) ?? await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
        const s = scanStrategies(doc.getText()).find(x => x.name === strategy);
        return s ? { start: { line: s.line, character: s.character }, end: { line: s.line, character: s.character + 'strategy'.length } } : undefined;
    } catch {
        return undefined;
    }
}

/** Trades asked for per `runs.result` call while a report pages through them. */
const TRADES_PAGE = 50_000;
/** Trials asked for per `runs.result` call (ranked best first), and the most a sweep's report lists (its sortable table; parallel coordinates draw the best 300). */
const TRIALS_PAGE = 10_000;
const REPORT_TRIALS = 50_000;

/** Report messages of finished runs (they never change), from their results (`runs.result`). */
export class ReportLoader {
    private readonly cache = new Map<string, ReportRun>();

    /** `trialsPage`: trials per `runs.result` call (tests page small). */
    constructor(private readonly daemon: Pick<PanelDaemon, 'call'>, private readonly trialsPage = TRIALS_PAGE) {}

    /** The report of a completed run, or why there is none. */
    async load(run: RunDetail): Promise<{ report: ReportRun } | { reason: string }> {
        const hit = this.cache.get(run.id);
        if (hit) return { report: hit };
        let result: RunResult;
        try {
            result = await this.result(run.id);
        } catch (e) {
            // No result file, or a damaged one: the daemon's sentence says which and what to do.
            if (e instanceof RpcError && (e.code === ErrorCodes.NotFound || e.code === ErrorCodes.Conflict)) return { reason: `Run ${run.id} has no result to show: ${e.message}` };
            throw e;
        }
        const range = await strategyRange(run.spec.uri, run.strategy);
        const r = reportFromResult(run, result, range ? { range } : {});
        if (!('report' in r)) return r;
        this.cache.set(run.id, r.report);
        if (this.cache.size > 30) this.cache.delete(this.cache.keys().next().value!);
        return r;
    }

    /** Every trial of a sweep (up to what a panel lists), best first, without its series or trades. */
    async trials(id: string): Promise<{ sortBy: string; trialCount: number; trials: Trial[] }> {
        const trials: Trial[] = [];
        let sortBy = 'sharpe', trialCount = 0;
        do {
            const r = (await this.daemon.call('runs.result', { id, maxPoints: 2, tradesLimit: 0, trialsOffset: trials.length, trialsLimit: this.trialsPage })).result;
            if (!r.sweep) throw new Error(`run ${id} is a ${r.kind}, not a sweep`);
            sortBy = r.search?.sortBy ?? sortBy;
            trialCount = r.sweep.trialCount;
            if (r.sweep.trials.length === 0) break;
            trials.push(...r.sweep.trials);
        } while (trials.length < Math.min(trialCount, REPORT_TRIALS));
        return { sortBy, trialCount, trials: trials.slice(0, REPORT_TRIALS) };
    }

    /** The result with its series thinned for the charts, its best trials, and its trades fetched page by page (up to what a panel lists). */
    private async result(id: string): Promise<RunResult> {
        // The best trials (ranked) for the sweep's table and parallel coordinates; the heatmap comes with the tearsheet.
        const first = (await this.daemon.call('runs.result', { id, maxPoints: DEFAULT_MAX_POINTS, tradesLimit: TRADES_PAGE, trialsLimit: this.trialsPage })).result;
        const trades = [...first.trades];
        while (trades.length < Math.min(first.tradeCount, REPORT_MAX_ROWS)) {
            const page = (await this.daemon.call('runs.result', { id, maxPoints: 2, tradesOffset: trades.length, tradesLimit: TRADES_PAGE, trialsLimit: 0 })).result.trades;
            if (page.length === 0) break;
            trades.push(...page);
        }
        if (!first.sweep) return { ...first, trades: trades.slice(0, REPORT_MAX_ROWS) };
        // Every trial of a sweep (up to REPORT_TRIALS) for its sortable table.
        const trials = [...first.sweep.trials];
        while (trials.length < Math.min(first.sweep.trialCount, REPORT_TRIALS)) {
            const page = (await this.daemon.call('runs.result', { id, maxPoints: 2, tradesLimit: 0, trialsOffset: trials.length, trialsLimit: this.trialsPage })).result.sweep?.trials ?? [];
            if (page.length === 0) break;
            trials.push(...page);
        }
        return { ...first, trades: trades.slice(0, REPORT_MAX_ROWS), sweep: { ...first.sweep, trials: trials.slice(0, REPORT_TRIALS) } };
    }
}

// --------------------------------------------------------------------------------- reports

export class ReportPanels implements vscode.Disposable {
    private readonly open = new Map<string, StatefulPanel<'report'>>();
    /** `run:<id>` subscriptions of shown runs that are still going. */
    private readonly following = new Map<string, vscode.Disposable>();
    /** Shown runs not loaded because the daemon is not connected: loaded when it connects. */
    private readonly waiting = new Set<string>();
    private readonly disposables: vscode.Disposable[] = [];

    constructor(
        private readonly extensionUri: vscode.Uri,
        private readonly daemon: PanelDaemon,
        private readonly loader: ReportLoader,
        private readonly log: Logger,
        private readonly showRuns: (filter: string) => void,
    ) {
        // Live progress and the result when a shown run finishes.
        this.disposables.push(daemon.onEvent(e => {
            if (e.type !== 'progress' && e.type !== 'lifecycle') return;
            const panel = this.open.get(e.runId);
            if (!panel) return;
            if (e.type === 'progress') panel.show({ type: 'progress', fraction: e.done, ...(e.message ? { message: e.message } : {}) });
            else if (!isActive(e.state) && e.state !== 'promoted') {
                this.unfollow(e.runId);
                void this.fill(e.runId, panel);
            }
        }));
        // Runs waiting for the daemon: loaded when it connects; told why while it cannot (not at each retry).
        this.disposables.push(daemon.onDidChangeState(state => {
            for (const runId of [...this.waiting]) {
                const panel = this.open.get(runId);
                if (!panel) this.waiting.delete(runId);
                else if (state.kind === 'connected') {
                    this.unfollow(runId); // a subscription of the previous session
                    void this.fill(runId, panel);
                } else if (state.kind !== 'connecting') panel.show(waitingMessage(runId, state));
            }
        }));
    }

    /**
     * Shows the report of a run (a panel per run; an open one is revealed). `known`: the run as the
     * caller just read it (a run it followed to its end), so it is not asked for again.
     */
    async show(runId: string, known?: RunDetail): Promise<void> {
        const existing = this.open.get(runId);
        if (existing) {
            existing.panel.reveal();
            return;
        }
        await this.attach(runId, { title: `Report ${runId}` }, known?.id === runId ? known : undefined);
    }

    /**
     * Takes the report panel of `runId` that VS Code re-created after a window reload. The run
     * loads in the background (VS Code waits for the serializer before it shows the panel).
     */
    restore(webviewPanel: vscode.WebviewPanel, runId: string): void {
        if (this.open.has(runId)) {
            // Opened again before VS Code got to this one: one panel per run.
            webviewPanel.dispose();
            return;
        }
        void this.attach(runId, { restored: webviewPanel });
    }

    private async attach(runId: string, origin: PanelOrigin, known?: RunDetail): Promise<void> {
        const panel = new StatefulPanel('report', origin, this.extensionUri, this.log, m => this.onMessage(m));
        this.open.set(runId, panel);
        panel.panel.onDidDispose(() => {
            this.open.delete(runId);
            this.waiting.delete(runId);
            this.unfollow(runId);
        });
        panel.persist({ runId });
        panel.show({ type: 'progress', fraction: 0, message: 'Loading the run…' });
        await this.fill(runId, panel, known);
    }

    private async onMessage(m: ReportToHost): Promise<void> {
        if (m.type === 'reveal') await revealSource(m.uri, m.range);
        else if (m.type === 'showRuns') this.showRuns(fingerprintFilter(m.fingerprint, m.structural));
    }

    private async fill(runId: string, panel: StatefulPanel<'report'>, known?: RunDetail): Promise<void> {
        if (!this.daemon.connected) {
            this.waitForDaemon(runId, panel);
            return;
        }
        this.waiting.delete(runId);
        try {
            // A finished run does not change: the caller's copy is as good as asking again.
            const run = known && !isActive(known.state) ? known : (await this.daemon.call('runs.get', { id: runId })).run;
            panel.panel.title = `${run.strategy ?? run.id} — ${kindLabel(run.kind)}`;
            if (isActive(run.state)) {
                if (!this.following.has(runId)) this.following.set(runId, await this.daemon.follow(runId));
                panel.show({ type: 'progress', fraction: run.progress ?? 0, message: `${kindLabel(run.kind)} ${run.state}…` });
                return;
            }
            if (run.state === 'failed' || run.state === 'cancelled') {
                panel.show({ type: 'failed', message: run.state === 'cancelled' ? `The run was cancelled${run.error ? `: ${run.error}` : '.'}` : `The run failed: ${run.error ?? 'no reason recorded'}` });
                return;
            }
            const r = await this.loader.load(run);
            if ('report' in r) panel.show(r.report);
            else panel.show({ type: 'failed', message: r.reason });
        } catch (e) {
            // The daemon went away on the way: load when it is back.
            if (e instanceof DaemonNotReadyError || !this.daemon.connected) this.waitForDaemon(runId, panel);
            else panel.show({ type: 'failed', message: e instanceof RpcError && e.code === ErrorCodes.NotFound ? `No run ${runId} (or it belongs to another team).` : `Cannot load run ${runId}: ${errorText(e)}` });
        }
    }

    private waitForDaemon(runId: string, panel: StatefulPanel<'report'>): void {
        this.waiting.add(runId);
        panel.show(waitingMessage(runId, this.daemon.state));
    }

    private unfollow(runId: string): void {
        this.following.get(runId)?.dispose();
        this.following.delete(runId);
    }

    dispose(): void {
        for (const p of this.open.values()) p.dispose();
        for (const d of this.following.values()) d.dispose();
        for (const d of this.disposables) d.dispose();
    }
}

/** The report panel's word while the daemon is not connected: what it waits for, or why it cannot connect. */
function waitingMessage(runId: string, state: DaemonState): { type: 'waiting'; message: string } {
    const then = `Run ${runId} loads when the daemon connects`;
    switch (state.kind) {
        case 'connected':
        case 'connecting': return { type: 'waiting', message: `Waiting for the AlphaForge daemon to load run ${runId}…` };
        case 'starting': return { type: 'waiting', message: `Waiting for the AlphaForge daemon to start, to load run ${runId}…` };
        case 'unauthorized': return { type: 'waiting', message: `${new DaemonNotReadyError(state).message}. ${then} (AlphaForge: Set Daemon Token).` };
        case 'down': return { type: 'waiting', message: `${new DaemonNotReadyError(state).message}. ${then} (AlphaForge: Start Daemon, or Connect to Daemon).` };
    }
}

// ------------------------------------------------------------------------------------- DAG

/** A strategy of a document (undefined: the document's first). */
export interface StrategyTarget {
    readonly uri: vscode.Uri;
    readonly strategy: string | undefined;
}

export class DagPanel implements vscode.Disposable {
    private panel: StatefulPanel<'dag'> | undefined;
    private target: StrategyTarget | undefined;
    /** Set while the panel compares two versions (refreshed when either document changes). */
    private comparing: { from: StrategyTarget; to: StrategyTarget } | undefined;
    private timer: NodeJS.Timeout | undefined;
    private readonly disposables: vscode.Disposable[] = [];
    private version = 0;

    constructor(private readonly extensionUri: vscode.Uri, private readonly client: DagSource, private readonly log: Logger) {
        this.disposables.push(vscode.workspace.onDidChangeTextDocument(e => {
            const shown = this.comparing ? [this.comparing.from.uri, this.comparing.to.uri] : this.target ? [this.target.uri] : [];
            if (!this.panel || !shown.some(u => u.toString() === e.document.uri.toString())) return;
            if (this.timer) clearTimeout(this.timer);
            this.timer = setTimeout(() => void this.refresh(), 500);
        }));
    }

    async show(uri: vscode.Uri, strategy: string | undefined): Promise<void> {
        if (!this.panel) this.attach({ title: `DAG: ${strategy ?? 'strategy'}`, column: vscode.ViewColumn.Beside });
        else this.panel.panel.reveal();
        await this.retarget(uri, strategy);
    }

    /** Compares two versions in the panel: side by side (the panel can overlay them), changes coloured. */
    async compare(from: StrategyTarget, to: StrategyTarget): Promise<void> {
        if (!this.panel) this.attach({ title: 'DAG: comparison', column: vscode.ViewColumn.Beside });
        else this.panel.panel.reveal();
        this.comparing = { from, to };
        this.target = from;
        this.panel?.persist({ uri: from.uri.toString(), ...(from.strategy ? { strategy: from.strategy } : {}) });
        await this.refresh();
    }

    /** Takes the DAG panel VS Code re-created after a window reload, and asks for the graph again (in the background). */
    restore(webviewPanel: vscode.WebviewPanel, state: DagPanelState): void {
        if (this.panel) {
            // Shown again before VS Code got to this one: there is one DAG panel.
            webviewPanel.dispose();
            return;
        }
        const uri = vscode.Uri.parse(state.uri);
        this.attach({ restored: webviewPanel });
        void this.retarget(uri, state.strategy);
    }

    private attach(origin: PanelOrigin): void {
        const panel = new StatefulPanel('dag', origin, this.extensionUri, this.log, async m => {
            if (m.type === 'reveal') await revealSource(m.uri ?? this.target!.uri.toString(), m.range);
        });
        this.panel = panel;
        panel.panel.onDidDispose(() => { if (this.panel === panel) this.panel = undefined; });
    }

    private async retarget(uri: vscode.Uri, strategy: string | undefined): Promise<void> {
        this.target = { uri, strategy };
        this.comparing = undefined;
        this.panel?.persist({ uri: uri.toString(), ...(strategy ? { strategy } : {}) });
        await this.refresh();
    }

    private async refresh(): Promise<void> {
        const panel = this.panel, target = this.target;
        if (!panel || !target) return;
        if (this.comparing) return this.refreshComparison(panel, this.comparing);
        const version = ++this.version;
        try {
            const r = await this.client.dagView(target.uri, target.strategy);
            if (version !== this.version) return;
            if (r.ok) {
                panel.panel.title = `DAG: ${r.value.strategy}`;
                panel.show({
                    type: 'dag', dag: r.value.dag, uri: target.uri.toString(), strategy: r.value.strategy,
                    sourceMap: Object.fromEntries(Object.entries(r.value.ranges).map(([k, v]) => [k, v])),
                    names: Object.fromEntries(Object.entries(r.value.names).map(([k, v]) => [k, v])),
                });
            } else {
                // Keep the last graph, show the errors.
                panel.show({ type: 'compileErrors', uri: target.uri.toString(), errors: r.errors.slice(0, 1000).map(e => ({ ...e, line: Math.max(0, e.line), column: Math.max(0, e.column) })) }, false);
            }
        } catch (e) {
            this.log.error(`DAG of ${target.uri.toString()}: ${errorText(e)}`);
            panel.show({ type: 'compileErrors', uri: target.uri.toString(), errors: [{ line: 1, column: 1, code: 'server', message: `The language server did not answer: ${errorText(e)}` }] }, false);
        }
    }

    private async refreshComparison(panel: StatefulPanel<'dag'>, c: { from: StrategyTarget; to: StrategyTarget }): Promise<void> {
        const version = ++this.version;
        const label = (t: StrategyTarget, name: string): string => `${vscode.workspace.asRelativePath(t.uri)}#${name}`;
        try {
            const [a, b, d] = await Promise.all([this.client.dagView(c.from.uri, c.from.strategy), this.client.dagView(c.to.uri, c.to.strategy), this.client.diff(c.from, c.to)]);
            if (version !== this.version) return;
            const failed = [a, b, d].find(r => !r.ok);
            if (failed && !failed.ok) {
                panel.show({ type: 'compileErrors', errors: failed.errors.slice(0, 1000).map(e => ({ ...e, line: Math.max(0, e.line), column: Math.max(0, e.column) })) }, false);
                return;
            }
            if (!a.ok || !b.ok || !d.ok) return;
            const versionOf = (t: StrategyTarget, v: typeof a.value) => ({
                dag: v.dag, uri: t.uri.toString(), strategy: v.strategy, label: label(t, v.strategy),
                sourceMap: Object.fromEntries(Object.entries(v.ranges)), names: Object.fromEntries(Object.entries(v.names)),
            });
            panel.panel.title = `DAG: ${a.value.strategy} → ${b.value.strategy}`;
            panel.show({ type: 'dagDiff', from: versionOf(c.from, a.value), to: versionOf(c.to, b.value), diff: d.value });
        } catch (e) {
            this.log.error(`DAG comparison: ${errorText(e)}`);
            panel.show({ type: 'compileErrors', errors: [{ line: 1, column: 1, code: 'server', message: `The language server did not answer: ${errorText(e)}` }] }, false);
        }
    }

    dispose(): void {
        if (this.timer) clearTimeout(this.timer);
        this.panel?.dispose();
        for (const d of this.disposables) d.dispose();
    }
}

// ------------------------------------------------------------------------------ experiments

export class ExperimentsPanel implements vscode.Disposable {
    private panel: StatefulPanel<'experiments'> | undefined;

    constructor(
        private readonly extensionUri: vscode.Uri,
        private readonly daemon: Pick<PanelDaemon, 'call'>,
        private readonly loader: ReportLoader,
        private readonly log: Logger,
        private readonly openReport: (runId: string) => void,
    ) {}

    show(filter?: string): void {
        let panel = this.panel;
        if (panel) panel.panel.reveal();
        else panel = this.attach({ title: 'Experiments', column: vscode.ViewColumn.Active });
        if (filter !== undefined) panel.show({ type: 'setFilter', filter });
    }

    /** Takes the experiments panel VS Code re-created after a window reload (its page restores its filter and sort). */
    restore(webviewPanel: vscode.WebviewPanel): void {
        if (this.panel) webviewPanel.dispose(); // opened again before VS Code got to this one: there is one
        else this.attach({ restored: webviewPanel });
    }

    private attach(origin: PanelOrigin): StatefulPanel<'experiments'> {
        const panel = new StatefulPanel('experiments', origin, this.extensionUri, this.log, (m, self) => this.onMessage(m, self));
        this.panel = panel;
        panel.panel.onDidDispose(() => { if (this.panel === panel) this.panel = undefined; });
        return panel;
    }

    private async onMessage(m: ExperimentsToHost, self: StatefulPanel<'experiments'>): Promise<void> {
        switch (m.type) {
            case 'ready': return;
            case 'openReport': return this.openReport(m.runId);
            case 'search': {
                try {
                    const r = await this.daemon.call('experiments.search', {
                        ...(m.filter.trim() ? { filter: m.filter } : {}), ...(m.orderBy.trim() ? { orderBy: m.orderBy } : {}), limit: m.limit, offset: m.offset, ledger: true,
                    });
                    self.panel.post({ type: 'results', runs: r.runs.map(searchRowToPanel), total: r.total, filter: m.filter, orderBy: m.orderBy });
                } catch (e) {
                    const d = e instanceof RpcError ? e.data : undefined;
                    const column = typeof d?.column === 'number' && d.column >= 1 ? Math.floor(d.column) : undefined;
                    self.panel.post({
                        type: 'error',
                        message: typeof d?.reason === 'string' ? d.reason : errorText(e).split('\n')[0]!,
                        ...(column ? { column } : {}),
                        ...(d?.what === 'filter' || d?.what === 'orderBy' ? { what: d.what } : {}),
                        ...(typeof d?.token === 'string' ? { token: d.token } : {}),
                    });
                }
                return;
            }
            case 'trials': {
                try {
                    const { run } = await this.daemon.call('runs.get', { id: m.runId });
                    const r = await this.loader.trials(m.runId);
                    self.panel.post({ type: 'trials', runId: m.runId, strategy: run.strategy, sortBy: r.sortBy, trialCount: r.trialCount, trials: r.trials });
                } catch (e) {
                    self.panel.post({ type: 'detailError', message: `Cannot list the trials of run ${m.runId}: ${errorText(e)}` });
                }
                return;
            }
            case 'ledger': {
                try {
                    const r = await this.daemon.call('experiments.ledger', { structural: m.structural, limit: 1000 });
                    self.panel.post({ type: 'ledger', structural: r.structural, total: r.total, runs: r.runs, sharpeVariance: r.sharpeVariance, trials: r.trials });
                } catch (e) {
                    self.panel.post({ type: 'detailError', message: `Cannot read the research ledger: ${errorText(e)}` });
                }
                return;
            }
            case 'compare': {
                const runs: { id: string; curve: NonNullable<ReturnType<typeof comparisonCurve>> }[] = [];
                for (const id of m.runIds) {
                    try {
                        const { run } = await this.daemon.call('runs.get', { id });
                        if (run.state !== 'completed') continue;
                        const r = await this.loader.load(run);
                        const curve = 'report' in r ? comparisonCurve(r.report) : undefined;
                        if (curve) runs.push({ id, curve });
                    } catch (e) {
                        this.log.debug(`compare: ${id}: ${errorText(e)}`);
                    }
                }
                self.panel.post({ type: 'comparison', runs });
                return;
            }
        }
    }

    dispose(): void {
        this.panel?.dispose();
    }
}
