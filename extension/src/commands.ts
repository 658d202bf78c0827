/**
 * The commands: runs (backtest, sweep, walk-forward) submitted to the daemon with the
 * document's text and followed with a cancellable progress notification; the DAG, similar
 * strategies, reports, experiments; the strategy registry (show, approve, retire; deploy is a
 * placeholder); deployments (paper trade a strategy, open its monitor, stop, kill one, the kill
 * switch for all); the daemon's connection and token; the views and logs.
 * Every `alphaforge.*` command of package.json is registered here (manifest.test.ts checks).
 */
import * as vscode from 'vscode';
import { ErrorCodes, RpcError, SORT_METRICS, type Deployment, type ParamsInput, type RunKind, type RunState, type ResultOf } from '../../protocol/src/daemon/index.js';
import { DaemonNotReadyError, type DaemonConnection } from './daemon-connection.js';
import type { AlphaForgeLanguageClient } from './language-client.js';
import { LANGUAGE_ID } from './language-client.js';
import type { DagPanel, ExperimentsPanel, ReportPanels } from './panel-controllers.js';
import { isActive, kindLabel, metricsLine, runLabel, type RunRow } from './run-model.js';
import { scanStrategies, strategyAt } from './strategy-scan.js';
import { refOf } from './registry-model.js';
import type { RegistryTreeProvider } from './registry-view.js';
import type { HealthTreeProvider } from './health-view.js';
import type { SimilarTreeProvider } from './similar-view.js';
import { paperTradeRequest, usesBundledSample } from '../../protocol/src/paper-trade.js';
import { deploymentIdOf, deploymentLabel, killAllQuestion, killable } from './deployments-model.js';
import type { DeploymentsTreeProvider } from './deployments-view.js';
import { confirmAction, type MonitorPanels } from './monitor-panel.js';
import { VIEW_IDS, type DataTreeProvider, type ExperimentsTreeProvider, type RunsTreeProvider } from './trees.js';

export interface Services {
    readonly context: vscode.ExtensionContext;
    readonly daemon: DaemonConnection;
    readonly client: AlphaForgeLanguageClient;
    readonly runs: RunsTreeProvider;
    readonly experiments: ExperimentsTreeProvider;
    readonly data: DataTreeProvider;
    readonly registry: RegistryTreeProvider;
    readonly health: HealthTreeProvider;
    readonly similar: SimilarTreeProvider;
    readonly reports: ReportPanels;
    readonly dag: DagPanel;
    readonly experimentsPanel: ExperimentsPanel;
    readonly deployments: DeploymentsTreeProvider;
    readonly monitors: MonitorPanels;
    readonly daemonLog: vscode.LogOutputChannel;
    readonly serverLog: vscode.OutputChannel;
}

interface Target {
    readonly document: vscode.TextDocument;
    readonly strategy: string | undefined;
}

function errorText(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

/** The document and strategy a command is about: the lens's arguments, else the active editor's cursor. */
async function resolveTarget(uri?: unknown, strategy?: unknown): Promise<Target | undefined> {
    let document: vscode.TextDocument | undefined;
    if (uri instanceof vscode.Uri) document = await vscode.workspace.openTextDocument(uri);
    else {
        const editor = vscode.window.activeTextEditor;
        if (editor?.document.languageId === LANGUAGE_ID) document = editor.document;
    }
    if (!document) {
        void vscode.window.showWarningMessage('AlphaForge: open a .af file and put the cursor in a strategy first.');
        return undefined;
    }
    const found = scanStrategies(document.getText());
    if (typeof strategy === 'string') return { document, strategy };
    const editor = vscode.window.activeTextEditor;
    const line = editor && editor.document.uri.toString() === document.uri.toString() ? editor.selection.active.line : 0;
    const at = strategyAt(found, line);
    if (!at && found.length === 0) {
        void vscode.window.showWarningMessage(`AlphaForge: ${vscode.workspace.asRelativePath(document.uri)} has no strategy.`);
        return undefined;
    }
    return { document, strategy: at?.name };
}

/** A run id from a command argument: an id, a runs-view row, an experiments-view node. */
function runIdOf(arg: unknown): string | undefined {
    if (typeof arg === 'string') return arg;
    if (typeof arg === 'object' && arg !== null) {
        const o = arg as { id?: unknown; kind?: unknown; run?: { id?: unknown } };
        if (o.kind === 'run' && typeof o.run?.id === 'string') return o.run.id;
        if (typeof o.id === 'string' && 'state' in o) return o.id;
    }
    return undefined;
}

/** The instrument, timeframe and calendar of a file to import, asked in turn (undefined: cancelled). */
async function importQuestions(uri: vscode.Uri): Promise<{ venue: string; symbol: string; timeframe: string; calendar: '24x7' | 'weekdays' | 'nyse' } | undefined> {
    const base = uri.path.split('/').pop()?.replace(/\.[^.]+$/, '') ?? '';
    const instrument = await vscode.window.showInputBox({
        title: 'Import bars (1/3): instrument', prompt: 'venue:SYMBOL, e.g. binance:BTC/USDT or nyse:IBM', value: `csv:${base.toUpperCase()}`, ignoreFocusOut: true,
        validateInput: v => (/^[^:\s]+:\S+$/.test(v.trim()) ? undefined : 'write venue:SYMBOL, e.g. nyse:IBM'),
    });
    if (!instrument) return undefined;
    const timeframe = await vscode.window.showInputBox({
        title: 'Import bars (2/3): timeframe', prompt: 'The bars\' timeframe: 1m, 5m, 1h, 4h, 1d, 1w, …', value: '1d', ignoreFocusOut: true,
        validateInput: v => (/^\d+(m|h|d|w)$/.test(v.trim()) ? undefined : 'a number and m, h, d or w, e.g. 1d'),
    });
    if (!timeframe) return undefined;
    type Cal = vscode.QuickPickItem & { value: '24x7' | 'weekdays' | 'nyse' };
    const calendar = await vscode.window.showQuickPick<Cal>([
        { label: 'Every day, around the clock', description: '24x7: crypto', value: '24x7' },
        { label: 'Weekdays', description: 'stocks, futures: weekends are not gaps', value: 'weekdays' },
        { label: 'NYSE trading days', description: 'US stocks: weekends and NYSE holidays are not gaps', value: 'nyse' },
    ], { title: 'Import bars (3/3): trading calendar', ignoreFocusOut: true });
    if (!calendar) return undefined;
    const i = instrument.trim().indexOf(':');
    return { venue: instrument.trim().slice(0, i), symbol: instrument.trim().slice(i + 1), timeframe: timeframe.trim(), calendar: calendar.value };
}

export function registerCommands(s: Services): void {
    const { context, daemon, daemonLog: log } = s;

    /** Shows why a daemon call failed, with the actions that can help. */
    const showError = async (what: string, e: unknown): Promise<void> => {
        if (e instanceof DaemonNotReadyError) {
            const st = e.state;
            const actions = st.kind === 'unauthorized' ? ['Set Token…', 'Show Log'] : ['Start Daemon', 'Retry', 'Show Log'];
            const c = await vscode.window.showErrorMessage(`AlphaForge: ${what}: ${e.message}`, ...actions);
            if (c === 'Set Token…') await daemon.setToken();
            else if (c === 'Start Daemon') await daemon.startDaemon();
            else if (c === 'Retry') await daemon.reconnect();
            else if (c === 'Show Log') log.show();
            return;
        }
        if (e instanceof RpcError) {
            const issues = e.data?.issues?.slice(0, 3).map(i => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
            const detail = e.code === ErrorCodes.Forbidden ? ` (needs role ${e.data?.requiredRole ?? 'higher'})` : issues ? ` (${issues})` : '';
            void vscode.window.showErrorMessage(`AlphaForge: ${what}: ${e.message.split('\n')[0]}${detail}`);
            return;
        }
        void vscode.window.showErrorMessage(`AlphaForge: ${what}: ${errorText(e)}`);
    };

    const command = (id: string, handler: (...args: unknown[]) => unknown): void => {
        context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
            try {
                return await handler(...args);
            } catch (e) {
                log.error(`${id}: ${errorText(e)}`);
                await showError(id.replace(/^alphaforge\./, ''), e);
                return undefined;
            }
        }));
    };

    // ------------------------------------------------------------------------------ runs

    /** Sweep and walk-forward options, asked once per submission. */
    const searchOptions = async (kind: RunKind, t: Target): Promise<{ sweep?: Record<string, unknown>; walkforward?: Record<string, unknown> } | undefined> => {
        const sortBy = vscode.workspace.getConfiguration('alphaforge').get<string>('sweep.sortBy', 'sharpe');
        const sort = (SORT_METRICS as readonly string[]).includes(sortBy) ? sortBy : 'sharpe';
        let grid: number | null = null;
        try {
            const a = await daemon.call('lang.analyse', { source: t.document.getText(), ...(t.strategy ? { strategy: t.strategy } : {}), ...(t.document.uri.scheme === 'file' ? { uri: t.document.uri.toString() } : {}) });
            grid = (a.strategies.find(x => x.name === t.strategy) ?? a.strategies[0])?.gridSize ?? null;
        } catch (e) {
            log.debug(`lang.analyse: ${errorText(e)}`);
        }
        type Pick = vscode.QuickPickItem & { value: Record<string, unknown> };
        if (kind === 'sweep') {
            const items: Pick[] = [
                ...(grid !== null ? [{ label: '$(symbol-array) Grid', description: `all ${grid.toLocaleString('en')} combinations`, value: { mode: 'grid', sortBy: sort } }] : []),
                { label: '$(symbol-event) Random', description: '100 samples', value: { mode: 'random', samples: 100, sortBy: sort } },
                { label: '$(symbol-event) Random', description: '1,000 samples', value: { mode: 'random', samples: 1000, sortBy: sort } },
            ];
            const p = await vscode.window.showQuickPick(items, { title: `Sweep ${t.strategy ?? ''} — ranked by ${sort}`, placeHolder: 'How to search the parameter space' });
            return p ? { sweep: p.value } : undefined;
        }
        const search = grid !== null && grid <= 2000 ? { mode: 'grid', sortBy: sort } : { mode: 'random', samples: 200, sortBy: sort };
        const items: Pick[] = [
            { label: '$(arrow-right) Rolling windows', description: 'fixed-length in-sample window moves forward', value: { scheme: 'rolling' } },
            { label: '$(arrow-both) Anchored windows', description: 'in-sample window grows from the start', value: { scheme: 'anchored' } },
        ];
        const p = await vscode.window.showQuickPick(items, { title: `Walk-forward ${t.strategy ?? ''} — ${search.mode === 'grid' ? `grid of ${grid}` : 'random 200'} per window, ranked by ${sort}` });
        return p ? { sweep: search, walkforward: p.value } : undefined;
    };

    const submit = async (kind: RunKind, uri?: unknown, strategy?: unknown): Promise<void> => {
        const t = await resolveTarget(uri, strategy);
        if (!t) return;
        await daemon.ready();
        const options = kind === 'backtest' ? {} : await searchOptions(kind, t);
        if (!options) return;
        const spec = {
            source: t.document.getText(),
            ...(t.document.uri.scheme === 'file' ? { uri: t.document.uri.toString() } : {}),
            ...(t.strategy ? { strategy: t.strategy } : {}),
            ...options,
        };
        const { run } = await daemon.call('runs.submit', { kind, spec: spec as ParamsInput<'runs.submit'>['spec'] });
        log.info(`submitted ${kind} ${run.id} of ${t.strategy ?? 'the first strategy'} (${vscode.workspace.asRelativePath(t.document.uri)})`);
        s.runs.add(run);
        await follow(run);
    };

    /** Follows a run to its end with a cancellable progress notification, then says how it went. */
    const follow = async (run: RunRow): Promise<void> => {
        const title = `${kindLabel(run.kind)} ${run.strategy ?? run.id}`;
        const final = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
            new Promise<RunState | 'lost'>(resolve => {
                let done = false, reported = 0;
                const subscriptions: vscode.Disposable[] = [];
                const report = (fraction: number | null, message?: string): void => {
                    const pct = Math.round((fraction ?? 0) * 100);
                    progress.report({ increment: Math.max(0, pct - reported), message: message ?? `${pct}%` });
                    reported = Math.max(reported, pct);
                };
                const finish = (state: RunState | 'lost'): void => {
                    if (done) return;
                    done = true;
                    clearInterval(poll);
                    for (const d of subscriptions) d.dispose();
                    resolve(state);
                };
                subscriptions.push(daemon.onEvent(e => {
                    if (e.type === 'lagged' || e.type === 'alert' || e.type === 'deployment' || e.runId !== run.id) return;
                    if (e.type === 'progress') report(e.done, `${Math.round(e.done * 100)}%${e.message ? ` — ${e.message}` : ''}`);
                    else if (e.type === 'log') log[e.level === 'warn' ? 'warn' : e.level === 'error' ? 'error' : e.level === 'debug' ? 'debug' : 'info'](`[${run.id}] ${e.message}`);
                    else if (e.type === 'lifecycle' && e.state !== 'promoted') {
                        if (isActive(e.state)) report(null, e.state);
                        else finish(e.state);
                    }
                }));
                void daemon.follow(run.id).then(d => { if (done) d.dispose(); else subscriptions.push(d); });
                // The daemon went away: the run goes on there (or not); stop waiting here.
                subscriptions.push(daemon.onDidChangeState(st => { if (st.kind === 'down' || st.kind === 'unauthorized') finish('lost'); }));
                // Safety net for missed events (or a daemon without live events).
                const poll = setInterval(() => {
                    void daemon.call('runs.get', { id: run.id }).then(({ run: r }) => {
                        if (!isActive(r.state)) finish(r.state);
                        else if (r.progress !== null && Math.round(r.progress * 100) > reported) report(r.progress);
                    }, () => undefined);
                }, daemon.state.kind === 'connected' && daemon.state.live ? 5000 : 1500);
                token.onCancellationRequested(() => {
                    void daemon.call('runs.cancel', { id: run.id, reason: 'cancelled in VS Code' }).then(
                        () => log.info(`cancelled ${run.id}`),
                        e => log.warn(`cancel ${run.id}: ${errorText(e)}`),
                    );
                    finish('cancelled');
                });
                report(run.progress ?? 0, run.state);
            }));
        await outcome(run.id, title, final);
    };

    const outcome = async (id: string, title: string, state: RunState | 'lost'): Promise<void> => {
        if (state === 'lost') {
            const c = await vscode.window.showWarningMessage(`AlphaForge: lost the connection to the daemon while following ${title} (run ${id}); it is still on the daemon: see the Runs view once reconnected.`, 'Retry Now');
            if (c) await daemon.reconnect();
            return;
        }
        if (state === 'cancelled') {
            void vscode.window.showInformationMessage(`AlphaForge: ${title} cancelled.`);
            return;
        }
        let detail: ResultOf<'runs.get'>['run'] | undefined;
        try {
            detail = (await daemon.call('runs.get', { id })).run;
        } catch (e) {
            log.warn(`runs.get ${id}: ${errorText(e)}`);
        }
        if (state === 'failed') {
            const c = await vscode.window.showErrorMessage(`AlphaForge: ${title} failed: ${detail?.error ?? 'see the logs'}`, 'Show Logs');
            if (c) await vscode.commands.executeCommand('alphaforge.showRunLogs', id);
            return;
        }
        const line = metricsLine(detail?.metrics);
        const auto = vscode.workspace.getConfiguration('alphaforge').get<boolean>('runs.openReportOnCompletion', true);
        // A sweep opens its report too (all trials, heatmap, overfitting); its trials are also listed in the experiments panel.
        if (auto) await s.reports.show(id, detail);
        const actions = [...(auto ? [] : ['Open Report']), ...(detail?.kind === 'sweep' ? ['Show in Experiments'] : []), 'Show Logs'];
        const c = await vscode.window.showInformationMessage(`AlphaForge: ${title} completed${line ? `: ${line}` : ''}.`, ...actions);
        if (c === 'Open Report') await s.reports.show(id, detail);
        else if (c === 'Show Logs') await vscode.commands.executeCommand('alphaforge.showRunLogs', id);
        else if (c === 'Show in Experiments') s.experimentsPanel.show(`attributes.id = '${id}'`);
    };

    /** A run picked from the runs view's list (for commands run from the palette). */
    const pickRun = async (placeHolder: string, filter: (r: RunRow) => boolean): Promise<string | undefined> => {
        await daemon.ready();
        if (!s.runs.model.all.length) await s.runs.refresh();
        const rows = s.runs.pickable(filter);
        if (!rows.length) {
            void vscode.window.showInformationMessage(`AlphaForge: no runs to choose from (${placeHolder.toLowerCase()}).`);
            return undefined;
        }
        const p = await vscode.window.showQuickPick(rows.map(r => ({ label: runLabel(r), description: `${r.state} · ${r.createdAt.replace('T', ' ').slice(0, 16)}`, detail: r.id, id: r.id })), { placeHolder, matchOnDetail: true });
        return p?.id;
    };

    command('alphaforge.backtest', (uri, strategy) => submit('backtest', uri, strategy));
    command('alphaforge.sweep', (uri, strategy) => submit('sweep', uri, strategy));
    command('alphaforge.walkforward', (uri, strategy) => submit('walkforward', uri, strategy));

    command('alphaforge.openReport', async arg => {
        await daemon.ready();
        const id = runIdOf(arg) ?? await pickRun('Open the report of a run', r => r.state === 'completed');
        if (id) await s.reports.show(id);
    });

    command('alphaforge.cancelRun', async arg => {
        const id = runIdOf(arg) ?? await pickRun('Cancel a run', r => isActive(r.state));
        if (!id) return;
        try {
            const { run } = await daemon.call('runs.cancel', { id, reason: 'cancelled in VS Code' });
            s.runs.add(run);
            void vscode.window.showInformationMessage(`AlphaForge: cancelled ${runLabel(run)}.`);
        } catch (e) {
            if (e instanceof RpcError && e.code === ErrorCodes.Conflict) void vscode.window.showInformationMessage(`AlphaForge: ${id} has already finished.`);
            else throw e;
        }
    });

    command('alphaforge.showRunLogs', async arg => {
        const id = runIdOf(arg) ?? await pickRun('Show the logs of a run', () => true);
        if (!id) return;
        let after = -1;
        log.info(`---- logs of ${id}`);
        for (let page = 0; page < 20; page++) {
            const r = await daemon.call('runs.logs', { id, afterSeq: after, limit: 5000 });
            for (const l of r.lines) log.appendLine(`${l.ts} ${l.level.padEnd(5)} [${id}] ${l.message}`);
            after = r.nextSeq;
            if (r.done || r.lines.length === 0) break;
        }
        log.show(true);
    });

    command('alphaforge.promoteRun', async arg => {
        const id = runIdOf(arg) ?? await pickRun('Promote a completed run', r => r.state === 'completed' && !r.promoted);
        if (!id) return;
        const note = await vscode.window.showInputBox({ title: 'Promote run', prompt: `A note for promoting ${id} (optional)`, ignoreFocusOut: true });
        if (note === undefined) return;
        const { run } = await daemon.call('runs.promote', { id, ...(note.trim() ? { note: note.trim() } : {}) });
        s.runs.add(run);
        void vscode.window.showInformationMessage(`AlphaForge: promoted ${runLabel(run)}.`);
    });

    // ------------------------------------------------------------------- strategy registry

    /** The registry version a command is about: the view's node, `NAME@VERSION`, or asked for. */
    const registryRef = async (arg: unknown, prompt: string): Promise<{ name: string; version: number } | undefined> => {
        const ref = refOf(arg);
        if (ref) return ref;
        const text = await vscode.window.showInputBox({ title: prompt, prompt: 'NAME@VERSION, e.g. SmaCross@2', ignoreFocusOut: true, validateInput: v => (refOf(v) ? undefined : 'write NAME@VERSION') });
        return text === undefined ? undefined : refOf(text);
    };

    command('alphaforge.registryShow', async arg => {
        const ref = refOf(arg) ?? await registryRef(undefined, 'Show a registry version');
        if (!ref) return;
        const { entry: e } = await daemon.call('registry.show', ref);
        const header = [
            `// ${e.name}@${e.version} (${e.state}) — registry entry of team ${e.team}, read-only copy`,
            `// published by ${e.author} at ${e.publishedAt}${e.runId ? ` from run ${e.runId}` : ''}${e.approvedBy ? `; approved by ${e.approvedBy}` : ''}`,
            `// params: ${Object.entries(e.params).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '(none)'} · digest ${e.digest.slice(0, 16)}…`,
            ...e.libraries.map(l => `// imports ${l.uri} (sha256 ${l.sha256.slice(0, 16)}…)`),
        ];
        const document = await vscode.workspace.openTextDocument({ language: LANGUAGE_ID, content: `${header.join('\n')}\n\n${e.source}` });
        await vscode.window.showTextDocument(document, { preview: true });
    });

    command('alphaforge.registryPublishRun', async arg => {
        const id = runIdOf(arg) ?? await pickRun('Publish a promoted run to the registry', r => r.state === 'completed' && r.promoted);
        if (!id) return;
        const notes = await vscode.window.showInputBox({ title: `Publish run ${id}`, prompt: 'Notes for this registry version (optional)', ignoreFocusOut: true });
        if (notes === undefined) return;
        const { entry } = await daemon.call('registry.publish', { runId: id, ...(notes.trim() ? { notes: notes.trim() } : {}) });
        s.registry.refresh();
        void vscode.window.showInformationMessage(`AlphaForge: published ${entry.name}@${entry.version} (draft); a trader other than you approves it.`);
    });

    command('alphaforge.registryApprove', async arg => {
        const ref = await registryRef(arg, 'Approve a registry version');
        if (!ref) return;
        const note = await vscode.window.showInputBox({ title: `Approve ${ref.name}@${ref.version}`, prompt: 'A note for the approval (optional). You must not be its author (four eyes).', ignoreFocusOut: true });
        if (note === undefined) return;
        const { entry } = await daemon.call('registry.approve', { ...ref, ...(note.trim() ? { note: note.trim() } : {}) });
        s.registry.refresh();
        void vscode.window.showInformationMessage(`AlphaForge: ${entry.name}@${entry.version} is approved.`);
    });

    command('alphaforge.registryRetire', async arg => {
        const ref = await registryRef(arg, 'Retire a registry version');
        if (!ref) return;
        const sure = await vscode.window.showWarningMessage(`Retire ${ref.name}@${ref.version}? It can no longer be approved or deployed.`, { modal: true }, 'Retire');
        if (sure !== 'Retire') return;
        const { entry } = await daemon.call('registry.retire', ref);
        s.registry.refresh();
        void vscode.window.showInformationMessage(`AlphaForge: ${entry.name}@${entry.version} is retired.`);
    });

    /** An approved version: paper trading on replayed bars, or live on a venue behind the risk engine (asks first). */
    command('alphaforge.registryDeploy', async arg => {
        const ref = await registryRef(arg, 'Deploy an approved registry version');
        if (!ref) return;
        const how = await vscode.window.showQuickPick([
            { label: 'Paper trade', description: 'the paper venue, fed by stored bars replayed', live: false },
            { label: 'Live on a venue…', description: 'ccxt:<exchange> with your team\'s stored keys, behind the risk engine', live: true },
        ], { title: `Deploy ${ref.name}@${ref.version}` });
        if (!how) return;
        await daemon.ready();
        let deployment: Deployment;
        if (!how.live) {
            const cfg = vscode.workspace.getConfiguration('alphaforge');
            const { feed } = paperTradeRequest('', { from: cfg.get<string>('paperTrade.from'), barMs: cfg.get<number>('paperTrade.barMs') });
            ({ deployment } = await daemon.call('execution.paper.start', { registry: ref, feed }));
        } else {
            const venue = await vscode.window.showInputBox({
                title: `Deploy ${ref.name}@${ref.version} live`, prompt: 'The venue: ccxt:<exchange> (keys: af venue keys set), or paper', ignoreFocusOut: true,
                validateInput: v => (/^(paper|ccxt:[a-z0-9_-]+)$/.test(v.trim()) ? undefined : 'write ccxt:<exchange>, e.g. ccxt:binance, or paper'),
            });
            if (venue === undefined) return;
            const sure = await vscode.window.showWarningMessage(`Trade ${ref.name}@${ref.version} on ${venue.trim()}? Orders go to the venue with your team's keys.`, { modal: true }, 'Deploy live');
            if (sure !== 'Deploy live') return;
            ({ deployment } = await daemon.call('execution.live.start', { registry: ref, venue: venue.trim() }));
        }
        s.registry.refresh();
        s.deployments.refresh();
        s.monitors.show(deployment.id);
        void vscode.window.showInformationMessage(`AlphaForge: ${ref.name}@${ref.version} is deployed on ${deployment.venue} (${deployment.id}).`);
    });

    // ------------------------------------------------------------------------- deployments

    command('alphaforge.paperTrade', async (uri, strategy) => {
        const t = await resolveTarget(uri, strategy);
        if (!t) return;
        await daemon.ready();
        const source = t.document.getText();
        const cfg = vscode.workspace.getConfiguration('alphaforge');
        if (usesBundledSample(source)) {
            // The bundled sample may already be there (nothing changes), or be another team's (the start says what is missing).
            try {
                await daemon.call('data.sample', {});
            } catch (e) {
                log.warn(`paper trade: data.sample: ${errorText(e)}`);
            }
        }
        const { deployment } = await daemon.call('execution.paper.start', paperTradeRequest(source, {
            uri: t.document.uri.toString(), ...(t.strategy ? { strategy: t.strategy } : {}),
            from: cfg.get<string>('paperTrade.from'), barMs: cfg.get<number>('paperTrade.barMs'),
        }));
        s.deployments.refresh();
        s.monitors.show(deployment.id);
        void vscode.window.showInformationMessage(`AlphaForge: paper trading ${deployment.strategy} on ${deployment.feed.symbols.join(', ')} replayed from ${deployment.feed.from ?? 'the first stored bar'}, a bar every ${deployment.feed.barMs} ms (${deployment.id}).`);
    });

    /** A deployment id from the argument, else picked from the team's deployments (`only`: which may be picked). */
    const deploymentArg = async (arg: unknown, title: string, only: (d: Deployment) => boolean = () => true): Promise<string | undefined> => {
        const id = deploymentIdOf(arg);
        if (id) return id;
        const { deployments } = await daemon.call('execution.list', { limit: 200 });
        const items = deployments.filter(only).map(d => ({ label: deploymentLabel(d), description: `${d.state} · ${d.venue}`, detail: d.id, id: d.id }));
        if (items.length === 0) {
            void vscode.window.showInformationMessage('AlphaForge: no deployment to choose from.');
            return undefined;
        }
        return (await vscode.window.showQuickPick(items, { title }))?.id;
    };

    command('alphaforge.openMonitor', async arg => {
        const id = await deploymentArg(arg, 'Open the monitor of a deployment');
        if (id) s.monitors.show(id);
    });

    command('alphaforge.stopDeployment', async arg => {
        const id = await deploymentArg(arg, 'Stop a deployment', d => d.state !== 'stopped' && d.state !== 'failed');
        if (!id) return;
        const { deployment } = await daemon.call('execution.show', { id });
        if (!(await confirmAction('stop', deployment))) return;
        const r = await daemon.call('execution.stop', { id, reason: 'stopped in VS Code' });
        s.deployments.refresh();
        void vscode.window.showInformationMessage(`AlphaForge: ${deploymentLabel(r.deployment)} is ${r.deployment.state}.`);
    });

    command('alphaforge.killDeployment', async arg => {
        const id = await deploymentArg(arg, 'Kill a deployment', d => d.state !== 'stopped' && d.state !== 'failed');
        if (!id) return;
        const { deployment } = await daemon.call('execution.show', { id });
        if (!(await confirmAction('kill', deployment))) return;
        const r = await daemon.call('execution.kill', { id, reason: 'from VS Code' });
        s.deployments.refresh();
        void vscode.window.showWarningMessage(`AlphaForge: ${deploymentLabel(deployment)} is ${r.deployments[0]?.state ?? 'halted'}: orders cancelled, positions flattened.`);
    });

    command('alphaforge.killAll', async () => {
        await daemon.ready();
        const st = daemon.state;
        const team = st.kind === 'connected' ? st.principal.teamName : 'your team';
        const live = killable((await daemon.call('execution.list', { limit: 200 })).deployments);
        if (live.length === 0) {
            void vscode.window.showInformationMessage(`AlphaForge: team ${team} has no deployment to kill.`);
            s.deployments.refresh();
            return;
        }
        const sure = await vscode.window.showWarningMessage(killAllQuestion(live, team), { modal: true }, 'Kill All');
        if (sure !== 'Kill All') return;
        const r = await daemon.call('execution.kill', { all: true, reason: 'every deployment, from VS Code' });
        s.deployments.refresh();
        void vscode.window.showWarningMessage(`AlphaForge: kill switch: ${r.deployments.length} deployment${r.deployments.length === 1 ? '' : 's'} halted, orders cancelled, positions flattened.`);
    });

    command('alphaforge.refreshDeployments', () => s.deployments.refresh());

    // ------------------------------------------------------------------- language features

    command('alphaforge.showDag', async (uri, strategy) => {
        const t = await resolveTarget(uri, strategy);
        if (t) await s.dag.show(t.document.uri, t.strategy);
    });

    command('alphaforge.compareStrategy', async (uri, strategy) => {
        const t = await resolveTarget(uri, strategy);
        if (!t) return;
        const files = (await vscode.workspace.findFiles('**/*.af', '**/node_modules/**', 500)).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
        const file = await vscode.window.showQuickPick(files.map(f => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { title: `Compare ${t.strategy ?? 'the strategy'} with…`, placeHolder: 'a .af file of the workspace' });
        if (!file) return;
        const other = scanStrategies((await vscode.workspace.openTextDocument(file.uri)).getText()).map(x => x.name);
        let name: string | undefined = other[0];
        if (other.length > 1) {
            name = await vscode.window.showQuickPick(other, { title: `Which strategy of ${file.label}?` });
            if (!name) return;
        }
        await s.dag.compare({ uri: t.document.uri, strategy: t.strategy }, { uri: file.uri, strategy: name });
    });

    command('alphaforge.findSimilar', async (uri, strategy) => {
        const t = await resolveTarget(uri, strategy);
        if (!t) return;
        // Reveal the view first: it shows "Searching…" while the daemon and the server answer.
        await vscode.commands.executeCommand(`${VIEW_IDS.similar}.focus`);
        await s.similar.find(t.document, t.strategy);
    });

    command('alphaforge.refreshSimilar', async () => {
        if (s.similar.hasQuery) await s.similar.refresh();
        else await vscode.commands.executeCommand('alphaforge.findSimilar');
    });

    command('alphaforge.openExperiments', async arg => {
        const o = arg as { kind?: string; experiment?: { id?: string } } | undefined;
        const filter = o?.kind === 'experiment' && o.experiment?.id ? `attributes.experiment = '${o.experiment.id}'` : typeof arg === 'string' ? arg : undefined;
        await daemon.ready();
        s.experimentsPanel.show(filter);
    });

    command('alphaforge.restartServer', async () => {
        await s.client.restart();
        void vscode.window.showInformationMessage('AlphaForge: the language server restarted.');
    });

    // ------------------------------------------------------------------------------ data

    /** One line for an import's result: what is stored now, and its notes (gaps kept, nothing changed, …). */
    const imported = (r: ResultOf<'data.import'>, o: { columns?: boolean } = {}): string => {
        // Which columns were read matters for a user's file, not for the bundled sample.
        const notes = o.columns === false ? r.notes.filter(n => !n.startsWith('columns:')) : r.notes;
        return `${r.instrument.id} ${r.timeframe}: ${r.rowsWritten.toLocaleString('en')} bars${r.replaced ? ` (${r.replaced.toLocaleString('en')} replaced)` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`;
    };

    command('alphaforge.importSample', async () => {
        // Through the daemon, which holds the database file: `af data sample` would be locked out while it runs.
        const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'AlphaForge: importing the S&P 500 sample…' },
            () => daemon.call('data.sample', {}));
        s.data.refresh();
        void vscode.window.showInformationMessage(`AlphaForge: imported the sample, ${imported(r, { columns: false })}.`);
    });

    command('alphaforge.importData', async arg => {
        const uri = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({
            title: 'AlphaForge: import bars', canSelectMany: false, openLabel: 'Import',
            filters: { 'Bars (CSV, Parquet)': ['csv', 'tsv', 'parquet', 'pq'] },
        }))?.[0];
        if (!uri) return;
        const answers = await importQuestions(uri);
        if (!answers) return;
        const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `AlphaForge: importing ${vscode.workspace.asRelativePath(uri)}…` }, async () => {
            // The file's bytes go to the daemon (an upload of the team), so it may run on another host.
            const up = await (await daemon.ready()).upload(uri.fsPath);
            return daemon.call('data.import', { upload: up.id, ...answers });
        });
        s.data.refresh();
        void vscode.window.showInformationMessage(`AlphaForge: imported ${imported(r)}.`);
    });

    // ------------------------------------------------------------------------- the daemon

    command('alphaforge.connectDaemon', () => daemon.reconnect());
    command('alphaforge.startDaemon', () => daemon.startDaemon());
    command('alphaforge.stopDaemon', () => daemon.stopDaemon());
    command('alphaforge.setToken', () => daemon.setToken());
    command('alphaforge.clearToken', () => daemon.clearToken());
    command('alphaforge.showDaemonLog', () => log.show());
    command('alphaforge.showServerLog', () => s.serverLog.show());

    command('alphaforge.refresh', async () => {
        if (!daemon.connected) await daemon.reconnect();
        await s.runs.refresh();
        s.experiments.refresh();
        s.data.refresh();
        s.registry.refresh();
        s.health.refresh();
    });

    command('alphaforge.daemonActions', async () => {
        const st = daemon.state;
        type Action = vscode.QuickPickItem & { run: string };
        const items: Action[] = st.kind === 'connected'
            ? [
                { label: '$(refresh) Refresh Views', run: 'alphaforge.refresh' },
                { label: '$(beaker) Open Experiments', run: 'alphaforge.openExperiments' },
                { label: '$(output) Show Daemon Log', run: 'alphaforge.showDaemonLog' },
                { label: '$(plug) Reconnect', run: 'alphaforge.connectDaemon' },
                { label: '$(key) Forget Token', run: 'alphaforge.clearToken' },
                { label: '$(debug-stop) Stop Daemon', run: 'alphaforge.stopDaemon' },
            ]
            : [
                ...(st.kind === 'unauthorized' ? [{ label: '$(key) Set Token…', run: 'alphaforge.setToken' }] : []),
                { label: '$(plug) Retry Now', run: 'alphaforge.connectDaemon' },
                { label: '$(play) Start Daemon', run: 'alphaforge.startDaemon' },
                ...(st.kind !== 'unauthorized' ? [{ label: '$(key) Set Token…', run: 'alphaforge.setToken' }] : []),
                { label: '$(gear) Daemon Settings', run: 'workbench.action.openSettings', description: 'alphaforge.daemon' },
                { label: '$(output) Show Daemon Log', run: 'alphaforge.showDaemonLog' },
            ];
        const title = st.kind === 'connected' ? `AlphaForge daemon at ${st.url}` : st.kind === 'down' ? `AlphaForge daemon is down: ${st.message}` : st.kind === 'unauthorized' ? `AlphaForge daemon needs a token: ${st.message}` : 'AlphaForge daemon';
        const p = await vscode.window.showQuickPick(items, { title });
        if (p) await vscode.commands.executeCommand(p.run, ...(p.run === 'workbench.action.openSettings' ? ['alphaforge.daemon'] : []));
    });
}
