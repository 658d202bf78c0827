/**
 * What the three panels show and do:
 * - reports: one panel per run, fed `runs.get` and the run's artifacts (the message embedded in
 *   report.html, else one built from result.json); live progress while the run is going;
 * - the DAG of a strategy from the language server (`alphaforge/dagView`), refreshed as the
 *   document changes, click-to-reveal in the source;
 * - experiments: the store's search, compare (equity curves) and "open report".
 */
import * as vscode from 'vscode';
import { ErrorCodes, RpcError, type ResultOf } from '../../language/src/protocol/daemon-protocol.js';
import type { ExperimentsToHost, ReportRun, SourceRange } from '../../webviews/src/protocol.js';
import type { DaemonConnection } from './daemon-connection.js';
import type { AlphaForgeLanguageClient } from './language-client.js';
import { StatefulPanel, type Logger } from './panels.js';
import { comparisonCurve, fingerprintFilter, reportFromHtml, reportFromResult, searchRowToPanel, withSource } from './report-source.js';
import { isActive, kindLabel } from './run-model.js';
import { scanStrategies } from './strategy-scan.js';

type RunDetail = ResultOf<'runs.get'>['run'];

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

/** Report messages of finished runs (they never change). */
export class ReportLoader {
    private readonly cache = new Map<string, ReportRun>();

    constructor(private readonly daemon: DaemonConnection) {}

    /** The report of a completed run, or why there is none. */
    async load(run: RunDetail): Promise<{ report: ReportRun } | { reason: string }> {
        const hit = this.cache.get(run.id);
        if (hit) return { report: hit };
        const { artifacts } = await this.daemon.call('runs.artifacts', { id: run.id });
        const names = new Set(artifacts.map(a => a.name));
        const source = { ...(run.spec.uri ? { uri: run.spec.uri } : {}) };
        const range = await strategyRange(run.spec.uri, run.strategy);
        let report: ReportRun | undefined;
        if (names.has('report.html')) {
            const { content } = await this.daemon.call('runs.artifacts', { id: run.id, name: 'report.html', maxBytes: 32 * 1024 * 1024 });
            if (content && content.encoding === 'utf8' && !content.truncated) report = reportFromHtml(content.data);
        }
        if (!report && names.has('result.json')) {
            const { content } = await this.daemon.call('runs.artifacts', { id: run.id, name: 'result.json', maxBytes: 64 * 1024 * 1024 });
            if (content && !content.truncated) {
                const text = content.encoding === 'base64' ? Buffer.from(content.data, 'base64').toString('utf8') : content.data;
                try {
                    report = reportFromResult(run, JSON.parse(text), { ...source, ...(range ? { range } : {}) });
                } catch {
                    report = undefined;
                }
            }
        }
        if (!report) {
            return { reason: run.kind === 'sweep' ? 'A sweep has no single equity curve: compare its trials in the experiments panel, or backtest the best parameters.' : `Run ${run.id} has no report artifact (artifacts: ${[...names].join(', ') || 'none'}).` };
        }
        report = withSource(report, { ...source, ...(range ? { range } : {}) });
        this.cache.set(run.id, report);
        if (this.cache.size > 30) this.cache.delete(this.cache.keys().next().value!);
        return { report };
    }
}

// --------------------------------------------------------------------------------- reports

export class ReportPanels implements vscode.Disposable {
    private readonly open = new Map<string, StatefulPanel<'report'>>();
    /** `run:<id>` subscriptions of shown runs that are still going. */
    private readonly following = new Map<string, vscode.Disposable>();
    private readonly disposables: vscode.Disposable[] = [];

    constructor(
        private readonly extensionUri: vscode.Uri,
        private readonly daemon: DaemonConnection,
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
    }

    /** Shows the report of a run (a panel per run; an open one is revealed). */
    async show(runId: string): Promise<void> {
        const existing = this.open.get(runId);
        if (existing) {
            existing.panel.reveal();
            return;
        }
        const panel = new StatefulPanel('report', `Report ${runId}`, this.extensionUri, this.log, async m => {
            if (m.type === 'reveal') await revealSource(m.uri, m.range);
            else if (m.type === 'showRuns') this.showRuns(fingerprintFilter(m.fingerprint, m.structural));
        });
        this.open.set(runId, panel);
        panel.panel.onDidDispose(() => {
            this.open.delete(runId);
            this.unfollow(runId);
        });
        panel.show({ type: 'progress', fraction: 0, message: 'Loading the run…' });
        await this.fill(runId, panel);
    }

    private async fill(runId: string, panel: StatefulPanel<'report'>): Promise<void> {
        try {
            const { run } = await this.daemon.call('runs.get', { id: runId });
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
            panel.show({ type: 'failed', message: e instanceof RpcError && e.code === ErrorCodes.NotFound ? `No run ${runId} (or it belongs to another team).` : `Cannot load run ${runId}: ${errorText(e)}` });
        }
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

// ------------------------------------------------------------------------------------- DAG

export class DagPanel implements vscode.Disposable {
    private panel: StatefulPanel<'dag'> | undefined;
    private target: { uri: vscode.Uri; strategy: string | undefined } | undefined;
    private timer: NodeJS.Timeout | undefined;
    private readonly disposables: vscode.Disposable[] = [];
    private version = 0;

    constructor(private readonly extensionUri: vscode.Uri, private readonly client: AlphaForgeLanguageClient, private readonly log: Logger) {
        this.disposables.push(vscode.workspace.onDidChangeTextDocument(e => {
            if (!this.panel || !this.target || e.document.uri.toString() !== this.target.uri.toString()) return;
            if (this.timer) clearTimeout(this.timer);
            this.timer = setTimeout(() => void this.refresh(), 500);
        }));
    }

    async show(uri: vscode.Uri, strategy: string | undefined): Promise<void> {
        this.target = { uri, strategy };
        if (!this.panel) {
            this.panel = new StatefulPanel('dag', `DAG: ${strategy ?? 'strategy'}`, this.extensionUri, this.log, async m => {
                if (m.type === 'reveal') await revealSource(m.uri ?? this.target!.uri.toString(), m.range);
            }, vscode.ViewColumn.Beside);
            this.panel.panel.onDidDispose(() => { this.panel = undefined; });
        } else this.panel.panel.reveal();
        await this.refresh();
    }

    private async refresh(): Promise<void> {
        const panel = this.panel, target = this.target;
        if (!panel || !target) return;
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
        private readonly daemon: DaemonConnection,
        private readonly loader: ReportLoader,
        private readonly log: Logger,
        private readonly openReport: (runId: string) => void,
    ) {}

    show(filter?: string): void {
        if (!this.panel) {
            this.panel = new StatefulPanel('experiments', 'Experiments', this.extensionUri, this.log, (m, self) => this.onMessage(m, self), vscode.ViewColumn.Active);
            this.panel.panel.onDidDispose(() => { this.panel = undefined; });
        } else this.panel.panel.reveal();
        if (filter !== undefined) this.panel.show({ type: 'setFilter', filter });
    }

    private async onMessage(m: ExperimentsToHost, self: StatefulPanel<'experiments'>): Promise<void> {
        switch (m.type) {
            case 'ready': return;
            case 'openReport': return this.openReport(m.runId);
            case 'search': {
                try {
                    const r = await this.daemon.call('experiments.search', {
                        ...(m.filter.trim() ? { filter: m.filter } : {}), ...(m.orderBy.trim() ? { orderBy: m.orderBy } : {}), limit: m.limit, offset: m.offset,
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
            case 'compare': {
                const runs: { id: string; curve: ReturnType<typeof comparisonCurve> }[] = [];
                for (const id of m.runIds) {
                    try {
                        const { run } = await this.daemon.call('runs.get', { id });
                        if (run.state !== 'completed') continue;
                        const r = await this.loader.load(run);
                        if ('report' in r) runs.push({ id, curve: comparisonCurve(r.report) });
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
