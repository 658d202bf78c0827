/**
 * The Platform Health view: `daemon.health` as a few rows (protocol/src/health-rows.ts), refreshed every
 * 15 s while the view is visible and the daemon connected — never polled while hidden.
 */
import * as vscode from 'vscode';
import type { DaemonConnection } from './daemon-connection.js';
import { healthRows, type HealthRow } from '../../protocol/src/health-rows.js';

const REFRESH_MS = 15_000;

export type HealthNode = { readonly kind: 'row'; readonly row: HealthRow } | { readonly kind: 'message'; readonly text: string };

export class HealthTreeProvider implements vscode.TreeDataProvider<HealthNode>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<HealthNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly disposables: vscode.Disposable[] = [this.changed];
    private timer: NodeJS.Timeout | undefined;

    constructor(private readonly daemon: DaemonConnection) {
        this.disposables.push(daemon.onDidChangeState(s => { if (s.kind !== 'connecting') this.refresh(); }));
    }

    /** Poll while `visible` (the tree view's visibility), stop when hidden. */
    setVisible(visible: boolean): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = visible ? setInterval(() => this.refresh(), REFRESH_MS) : undefined;
        if (visible) this.refresh();
    }

    refresh(): void {
        this.changed.fire(undefined);
    }

    getTreeItem(n: HealthNode): vscode.TreeItem {
        if (n.kind === 'message') {
            const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
            item.iconPath = new vscode.ThemeIcon('warning');
            return item;
        }
        const { row } = n;
        const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
        item.id = `health:${row.id}`;
        item.description = row.description;
        item.tooltip = row.tooltip;
        item.iconPath = new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
        return item;
    }

    async getChildren(n?: HealthNode): Promise<HealthNode[]> {
        if (n || !this.daemon.connected) return [];
        try {
            return healthRows(await this.daemon.call('daemon.health', {})).map(row => ({ kind: 'row', row }));
        } catch (e) {
            return [{ kind: 'message', text: `Cannot read the platform's health: ${e instanceof Error ? e.message : String(e)}` }];
        }
    }

    dispose(): void {
        if (this.timer) clearInterval(this.timer);
        for (const d of this.disposables) d.dispose();
    }
}
