/**
 * The Deployments view: the team's deployments (`execution.list`, newest first) with state, venue
 * and PnL; a click opens the monitor, the context menu stops or kills. Kept current from events:
 * it follows `deployment:<id>` of each deployment that has not ended and re-lists (at most once a
 * second) when one changes state or books a bar; without live events it re-lists every few seconds
 * while any is live. Publishes the live ones for the status bar's kill switch. Labels and actions
 * come from deployments-model.ts.
 */
import * as vscode from 'vscode';
import type { Deployment } from '../../protocol/src/daemon/index.js';
import type { DaemonConnection } from './daemon-connection.js';
import { changesRow, deploymentContext, deploymentDescription, deploymentDetails, deploymentIcon, deploymentLabel, isLive } from './deployments-model.js';

export type DeploymentNode =
    | { readonly kind: 'deployment'; readonly deployment: Deployment }
    | { readonly kind: 'message'; readonly text: string };

const REFRESH_MS = 1000;
const POLL_MS = 5000;

export class DeploymentsTreeProvider implements vscode.TreeDataProvider<DeploymentNode>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<DeploymentNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly liveEmitter = new vscode.EventEmitter<readonly Deployment[]>();
    /** The deployments that have not ended, after each listing. */
    readonly onDidChangeLive = this.liveEmitter.event;
    private readonly disposables: vscode.Disposable[] = [this.changed, this.liveEmitter];
    private readonly followed = new Map<string, Promise<vscode.Disposable>>();
    private timer: NodeJS.Timeout | undefined;
    private poll: NodeJS.Timeout | undefined;
    private live: readonly Deployment[] = [];

    constructor(private readonly daemon: DaemonConnection) {
        this.disposables.push(daemon.onDidChangeState(s => {
            if (s.kind === 'connecting') return;
            this.unfollowAll(); // a new session (or none): follow again after the listing
            this.refresh();
        }));
    }

    get liveDeployments(): readonly Deployment[] {
        return this.live;
    }

    refresh(): void {
        this.changed.fire(undefined);
    }

    /** Re-lists soon (events come in bursts: one re-listing for them all). */
    private soon(): void {
        if (this.timer) return;
        this.timer = setTimeout(() => {
            this.timer = undefined;
            this.refresh();
        }, REFRESH_MS);
    }

    getTreeItem(n: DeploymentNode): vscode.TreeItem {
        if (n.kind === 'message') {
            const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
            item.iconPath = new vscode.ThemeIcon('warning');
            item.contextValue = 'message';
            return item;
        }
        const d = n.deployment;
        const item = new vscode.TreeItem(deploymentLabel(d), vscode.TreeItemCollapsibleState.None);
        item.id = `deployment:${d.id}`;
        item.description = deploymentDescription(d);
        item.tooltip = deploymentDetails(d).join('\n');
        const icon = deploymentIcon(d);
        item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
        item.contextValue = deploymentContext(d);
        item.command = { command: 'alphaforge.openMonitor', title: 'Open Deployment Monitor', arguments: [n] };
        return item;
    }

    async getChildren(n?: DeploymentNode): Promise<DeploymentNode[]> {
        if (n) return [];
        if (!this.daemon.connected) {
            this.publish([]);
            return [];
        }
        try {
            const { deployments } = await this.daemon.call('execution.list', { limit: 200 });
            this.publish(deployments.filter(isLive));
            return deployments.map(deployment => ({ kind: 'deployment', deployment }));
        } catch (e) {
            return [{ kind: 'message', text: `Cannot list the deployments: ${e instanceof Error ? e.message : String(e)}` }];
        }
    }

    private publish(live: readonly Deployment[]): void {
        this.live = live;
        this.liveEmitter.fire(live);
        const ids = new Set(live.map(d => d.id));
        for (const [id, sub] of this.followed) {
            if (!ids.has(id)) {
                void sub.then(d => d.dispose());
                this.followed.delete(id);
            }
        }
        for (const d of live) {
            if (this.followed.has(d.id)) continue;
            this.followed.set(d.id, this.daemon.followDeployment(d.id, e => { if (e.type === 'lagged' || (e.type === 'deployment' && changesRow(e.kind))) this.soon(); }));
        }
        // Without live events, poll while something trades.
        const state = this.daemon.state;
        const polling = live.length > 0 && !(state.kind === 'connected' && state.live);
        if (polling && !this.poll) this.poll = setInterval(() => this.refresh(), POLL_MS);
        else if (!polling && this.poll) {
            clearInterval(this.poll);
            this.poll = undefined;
        }
    }

    private unfollowAll(): void {
        for (const sub of this.followed.values()) void sub.then(d => d.dispose());
        this.followed.clear();
    }

    dispose(): void {
        if (this.timer) clearTimeout(this.timer);
        if (this.poll) clearInterval(this.poll);
        this.unfollowAll();
        for (const d of this.disposables) d.dispose();
    }
}
