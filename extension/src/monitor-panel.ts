/**
 * The deployment monitor panels: one per deployment (an open one is revealed), each a
 * MonitorSession (monitor-session.ts) over the daemon connection: the deployment and its events
 * (stored, then live on `deployment:<id>`), the kill switch and stop confirmed with a modal dialog.
 * When the daemon reconnects every open monitor starts over from its stored events; without live
 * events it re-reads them every second. A panel VS Code re-creates after a window reload is taken
 * back from its saved deployment id.
 */
import * as vscode from 'vscode';
import type { Deployment } from '../../protocol/src/daemon/index.js';
import type { MonitorToWebview } from '../../protocol/src/webview.js';
import type { DaemonConnection } from './daemon-connection.js';
import { deploymentLabel } from './deployments-model.js';
import { MonitorSession } from './monitor-session.js';
import { Panel, type Logger, type PanelOrigin } from './panels.js';

export type MonitorDaemon = Pick<DaemonConnection, 'call' | 'followDeployment' | 'onDidChangeState' | 'state' | 'connected'>;

/** The modal question before the kill switch or a stop. */
export async function confirmAction(action: 'kill' | 'stop', d: Deployment): Promise<boolean> {
    const name = `${deploymentLabel(d)} (${d.id})`;
    const [question, button] = action === 'kill'
        ? [`Kill ${name}? Every open order is cancelled, every position flattened, and trading halted.`, 'Kill']
        : [`Stop ${name}? It sends no new orders; its open orders stay at the venue.`, 'Stop'];
    return (await vscode.window.showWarningMessage(question, { modal: true }, button)) === button;
}

export class MonitorPanels implements vscode.Disposable {
    private readonly open = new Map<string, { panel: Panel<'monitor'>; session: MonitorSession }>();
    private readonly disposables: vscode.Disposable[] = [];

    constructor(private readonly extensionUri: vscode.Uri, private readonly daemon: MonitorDaemon, private readonly log: Logger) {
        this.disposables.push(daemon.onDidChangeState(s => {
            for (const { panel, session } of this.open.values()) {
                if (s.kind === 'connected') void session.open();
                else if (s.kind !== 'connecting') panel.post({ type: 'waiting', message: `The AlphaForge daemon is not connected (${s.kind}): the monitor follows again when it is.` });
            }
        }));
    }

    show(deploymentId: string): void {
        const existing = this.open.get(deploymentId);
        if (existing) existing.panel.reveal();
        else this.attach(deploymentId, { title: `Deployment ${deploymentId}`, column: vscode.ViewColumn.Active });
    }

    /** Takes the monitor VS Code re-created after a window reload (its page says ready, and it follows again). */
    restore(webviewPanel: vscode.WebviewPanel, deploymentId: string): void {
        if (this.open.has(deploymentId)) webviewPanel.dispose();
        else this.attach(deploymentId, { restored: webviewPanel });
    }

    private attach(deploymentId: string, origin: PanelOrigin): void {
        const state = this.daemon.state;
        // The page's first message arrives after this function returns: the session is set by then.
        const ref: { session?: MonitorSession } = {};
        const panel: Panel<'monitor'> = new Panel('monitor', origin, this.extensionUri, this.log, async m => {
            if (m.type === 'ready') panel.post({ type: 'persist', state: { deploymentId } });
            if (m.type === 'ready' && !this.daemon.connected) {
                panel.post({ type: 'waiting', message: `Waiting for the AlphaForge daemon to follow deployment ${deploymentId}…` });
                return;
            }
            await ref.session?.handle(m);
        });
        const session = ref.session = new MonitorSession({
            daemon: this.daemon, deploymentId,
            post: (m: MonitorToWebview) => { panel.post(m); },
            confirm: confirmAction,
            log: (level, message) => this.log[level](message),
            ...(state.kind === 'connected' && state.live ? {} : { pollMs: 1000 }),
            onTitle: t => { panel.title = t; },
        });
        this.open.set(deploymentId, { panel, session });
        panel.onDidDispose(() => {
            session.close();
            this.open.delete(deploymentId);
        });
    }

    dispose(): void {
        for (const { panel } of this.open.values()) panel.dispose();
        for (const d of this.disposables) d.dispose();
    }
}
