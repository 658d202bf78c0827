/**
 * The Registry view: the team's registry entries from the daemon (`registry.list`), one node per
 * name with its versions and their states. Thin: grouping, labels and context values come from
 * registry-model.ts; approve, retire, show and deploy (paper or live) are commands (commands.ts).
 */
import * as vscode from 'vscode';
import type { RegistryEntry } from '../../protocol/src/daemon/index.js';
import type { DaemonConnection } from './daemon-connection.js';
import { groupDescription, groupEntries, versionContext, versionDescription, versionDetails, versionIcon, versionLabel, type RegistryGroup } from './registry-model.js';

export type RegistryNode =
    | { readonly kind: 'name'; readonly group: RegistryGroup }
    | { readonly kind: 'version'; readonly entry: RegistryEntry }
    | { readonly kind: 'message'; readonly text: string };

export class RegistryTreeProvider implements vscode.TreeDataProvider<RegistryNode>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<RegistryNode | undefined>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly disposables: vscode.Disposable[] = [this.changed];

    constructor(private readonly daemon: DaemonConnection) {
        this.disposables.push(daemon.onDidChangeState(s => { if (s.kind !== 'connecting') this.refresh(); }));
    }

    refresh(): void {
        this.changed.fire(undefined);
    }

    getTreeItem(n: RegistryNode): vscode.TreeItem {
        if (n.kind === 'message') {
            const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
            item.iconPath = new vscode.ThemeIcon('warning');
            item.contextValue = 'message';
            return item;
        }
        if (n.kind === 'name') {
            const item = new vscode.TreeItem(n.group.name, vscode.TreeItemCollapsibleState.Expanded);
            item.id = `registry:${n.group.name}`;
            item.description = groupDescription(n.group);
            item.iconPath = new vscode.ThemeIcon('package');
            item.contextValue = 'registryName';
            return item;
        }
        const e = n.entry;
        const item = new vscode.TreeItem(versionLabel(e), vscode.TreeItemCollapsibleState.None);
        item.id = `registry:${e.name}@${e.version}`;
        item.description = versionDescription(e);
        item.tooltip = versionDetails(e).join('\n');
        const icon = versionIcon(e);
        item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
        item.contextValue = versionContext(e);
        item.command = { command: 'alphaforge.registryShow', title: 'Show Registry Version', arguments: [n] };
        return item;
    }

    async getChildren(n?: RegistryNode): Promise<RegistryNode[]> {
        if (n) return n.kind === 'name' ? n.group.versions.map(entry => ({ kind: 'version', entry })) : [];
        if (!this.daemon.connected) return [];
        try {
            const { entries } = await this.daemon.call('registry.list', { limit: 1000 });
            return groupEntries(entries).map(group => ({ kind: 'name', group }));
        } catch (e) {
            return [{ kind: 'message', text: `Cannot list the registry: ${e instanceof Error ? e.message : String(e)}` }];
        }
    }

    dispose(): void {
        for (const d of this.disposables) d.dispose();
    }
}
