/**
 * The AlphaForge VS Code extension: a thin client. The language server (dist/server.cjs, over
 * IPC) does everything about the language; the daemon (HTTP + WebSocket) runs backtests,
 * sweeps and walk-forwards and keeps the experiment store. This file wires the pieces:
 * output channels, the daemon connection, the language client, code lenses, trees (runs,
 * experiments, data sets, the strategy registry, deployments, similar strategies), the status bar, the panels (and their serializers,
 * which take them back after a window reload) and the commands. Activation never waits for the
 * server or the daemon.
 */
import * as vscode from 'vscode';
import { StrategyCodeLensProvider } from './code-lenses.js';
import { registerCommands } from './commands.js';
import { DaemonConnection } from './daemon-connection.js';
import { AlphaForgeLanguageClient, LANGUAGE_ID } from './language-client.js';
import { DagPanel, ExperimentsPanel, ReportLoader, ReportPanels } from './panel-controllers.js';
import { lineLogger, registerPanelSerializers } from './panels.js';
import { RegistryTreeProvider } from './registry-view.js';
import { HealthTreeProvider } from './health-view.js';
import { SimilarTreeProvider } from './similar-view.js';
import { DaemonStatusBar, KillSwitchStatusBar } from './status-bar.js';
import { DeploymentsTreeProvider } from './deployments-view.js';
import { MonitorPanels } from './monitor-panel.js';
import { DataTreeProvider, ExperimentsTreeProvider, RunsTreeProvider, VIEW_IDS } from './trees.js';

let client: AlphaForgeLanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
    const serverLog = vscode.window.createOutputChannel('AlphaForge Server');
    const daemonLog = vscode.window.createOutputChannel('AlphaForge Daemon', { log: true });
    context.subscriptions.push(serverLog, daemonLog);

    const daemon = new DaemonConnection(context, daemonLog);
    context.subscriptions.push(daemon);

    // The server keeps its workspace similarity index in the workspace's state directory.
    client = new AlphaForgeLanguageClient(context, serverLog);
    context.subscriptions.push(client);
    if (vscode.workspace.getConfiguration('alphaforge').get<boolean>('server.enabled', true)) void client.start().catch(() => undefined);
    else serverLog.appendLine('The language server is off (alphaforge.server.enabled).');
    context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(e => {
        // The state directory is an initialization option: a restart hands the server the new one.
        if (e.affectsConfiguration('alphaforge.stateDir') && vscode.workspace.getConfiguration('alphaforge').get<boolean>('server.enabled', true)) {
            void client?.restart().catch(() => undefined);
        }
    }));

    const lenses = new StrategyCodeLensProvider(daemon);
    context.subscriptions.push(lenses, vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, lenses));

    const runs = new RunsTreeProvider(daemon, daemonLog);
    const experiments = new ExperimentsTreeProvider(daemon);
    const data = new DataTreeProvider(daemon);
    const registry = new RegistryTreeProvider(daemon);
    const deployments = new DeploymentsTreeProvider(daemon);
    context.subscriptions.push(
        runs, experiments, data, registry, deployments,
        vscode.window.createTreeView(VIEW_IDS.runs, { treeDataProvider: runs, showCollapseAll: false }),
        vscode.window.createTreeView(VIEW_IDS.experiments, { treeDataProvider: experiments, showCollapseAll: true }),
        vscode.window.createTreeView(VIEW_IDS.data, { treeDataProvider: data, showCollapseAll: true }),
        vscode.window.createTreeView(VIEW_IDS.registry, { treeDataProvider: registry, showCollapseAll: true }),
        vscode.window.createTreeView(VIEW_IDS.deployments, { treeDataProvider: deployments }),
    );
    const similar = new SimilarTreeProvider(daemon, client, daemonLog);
    context.subscriptions.push(similar, vscode.window.createTreeView(VIEW_IDS.similar, { treeDataProvider: similar, showCollapseAll: true }));
    const health = new HealthTreeProvider(daemon);
    const healthView = vscode.window.createTreeView(VIEW_IDS.health, { treeDataProvider: health });
    context.subscriptions.push(health, healthView, healthView.onDidChangeVisibility(e => health.setVisible(e.visible)));
    health.setVisible(healthView.visible);
    context.subscriptions.push(new DaemonStatusBar(daemon, runs.onDidChangeActive), new KillSwitchStatusBar(daemon, deployments.onDidChangeLive));

    const loader = new ReportLoader(daemon);
    // The two refer to each other (report → "runs like this"; experiments → "open report").
    const reports = new ReportPanels(context.extensionUri, daemon, loader, daemonLog, filter => experimentsPanel.show(filter));
    const experimentsPanel = new ExperimentsPanel(context.extensionUri, daemon, loader, daemonLog, id => void reports.show(id));
    const dag = new DagPanel(context.extensionUri, client, lineLogger(serverLog));
    const monitors = new MonitorPanels(context.extensionUri, daemon, daemonLog);
    context.subscriptions.push(reports, experimentsPanel, dag, monitors);
    // The panels VS Code re-creates after a window reload (the manifest activates on `onWebviewPanel:` for each).
    context.subscriptions.push(registerPanelSerializers(daemonLog, {
        report: (panel, state) => reports.restore(panel, state.runId),
        dag: (panel, state) => dag.restore(panel, state),
        experiments: panel => experimentsPanel.restore(panel),
        monitor: (panel, state) => monitors.restore(panel, state.deploymentId),
    }));

    registerCommands({ context, daemon, client, runs, experiments, data, registry, health, similar, reports, dag, experimentsPanel, deployments, monitors, daemonLog, serverLog });

    // In the background: find, maybe start, and connect to the daemon.
    void daemon.connect();
}

export async function deactivate(): Promise<void> {
    await client?.dispose();
    client = undefined;
}
