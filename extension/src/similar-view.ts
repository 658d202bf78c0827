/**
 * The "Similar Strategies" view (`alphaforge.similar`): for the strategy of the last
 * `alphaforge.findSimilar`, the experiment store's nearest structures (daemon `similar.find`)
 * and the workspace's nearest strategies (language server `alphaforge/similar`), asked in
 * parallel and shown as each answers. What the tree contains is decided by similar-model.ts
 * (pure, tested); this file asks, keeps the last query for the refresh button, and maps the
 * model's nodes onto tree items. A click opens the best run's report or the file at the strategy.
 */
import * as vscode from 'vscode';
import { DaemonNotReadyError, type DaemonConnection } from './daemon-connection.js';
import type { AlphaForgeLanguageClient } from './language-client.js';
import { similarTree, type SimilarNode, type SimilarQuery, type StoreOutcome, type WorkspaceOutcome } from './similar-model.js';
import { scanStrategies } from './strategy-scan.js';
import { VIEW_IDS } from './trees.js';
/** How many neighbours each side is asked for. */
export const SIMILAR_LIMIT = 15;

function errorText(e: unknown): string {
    return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

function daemonReason(daemon: DaemonConnection): string | undefined {
    const s = daemon.state;
    if (s.kind === 'down') return `The daemon is not available: ${s.message}`;
    if (s.kind === 'unauthorized') return `The daemon at ${s.url} needs a token: ${s.message}`;
    if (s.kind === 'connecting' || s.kind === 'starting') return 'The daemon is still connecting.';
    return undefined;
}

export class SimilarTreeProvider implements vscode.TreeDataProvider<SimilarNode>, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<void>();
    readonly onDidChangeTreeData = this.changed.event;
    private readonly disposables: vscode.Disposable[] = [this.changed];
    private nodes: SimilarNode[] = [];
    private last: { readonly uri: vscode.Uri; readonly strategy: string | undefined; store: StoreOutcome['state'] } | undefined;
    private generation = 0;
    private cancellation: vscode.CancellationTokenSource | undefined;

    constructor(private readonly daemon: DaemonConnection, private readonly client: AlphaForgeLanguageClient, private readonly log: vscode.LogOutputChannel) {
        // The store could not be searched for want of a daemon: search again once it is there.
        this.disposables.push(daemon.onDidChangeState(s => {
            if (s.kind === 'connected' && this.last?.store === 'disconnected') void this.refresh();
        }));
    }

    /** Whether there is a query to refresh. */
    get hasQuery(): boolean {
        return this.last !== undefined;
    }

    /** Searches for strategies like `strategy` of `document` (undefined: its first), showing progress in the view. */
    async find(document: vscode.TextDocument, strategy: string | undefined): Promise<void> {
        await vscode.window.withProgress({ location: { viewId: VIEW_IDS.similar } }, () => this.search(document, strategy));
    }

    /** Runs the last query again (the document's current text). */
    async refresh(): Promise<void> {
        const last = this.last;
        if (!last) return;
        const document = await vscode.workspace.openTextDocument(last.uri);
        await this.find(document, last.strategy);
    }

    private async search(document: vscode.TextDocument, strategy: string | undefined): Promise<void> {
        const generation = ++this.generation;
        this.cancellation?.cancel();
        this.cancellation?.dispose();
        const cancellation = this.cancellation = new vscode.CancellationTokenSource();
        const text = document.getText();
        const found = scanStrategies(text);
        const at = strategy ? found.find(s => s.name === strategy) : found[0];
        const query: SimilarQuery = {
            strategy,
            uri: document.uri.toString(),
            path: vscode.workspace.asRelativePath(document.uri),
            ...(at ? { line: at.line } : {}),
        };
        const last = this.last = { uri: document.uri, strategy, store: 'pending' as StoreOutcome['state'] };
        const reason = daemonReason(this.daemon);
        let store: StoreOutcome = this.daemon.connected ? { state: 'pending' } : { state: 'disconnected', ...(reason ? { reason } : {}) };
        let workspace: WorkspaceOutcome = { state: 'pending' };
        const render = (): void => {
            if (generation !== this.generation) return;
            last.store = store.state;
            this.nodes = similarTree({ query, store, workspace, relativePath: f => vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri)) });
            this.changed.fire();
        };
        render();

        const fromDaemon = async (): Promise<void> => {
            if (store.state !== 'pending') return;
            try {
                const result = await this.daemon.call('similar.find', {
                    source: text,
                    ...(document.uri.scheme === 'file' ? { uri: document.uri.toString() } : {}),
                    ...(strategy ? { strategy } : {}),
                    k: SIMILAR_LIMIT,
                });
                store = { state: 'done', result };
            } catch (e) {
                this.log.warn(`similar.find: ${errorText(e)}`);
                store = e instanceof DaemonNotReadyError ? { state: 'disconnected', reason: errorText(e) } : { state: 'failed', message: errorText(e) };
            }
            render();
        };
        const fromServer = async (): Promise<void> => {
            try {
                const result = await this.client.similar(document.uri, strategy, SIMILAR_LIMIT, cancellation.token);
                if (!result.ok) this.log.debug(`alphaforge/similar: ${result.errors.map(e => `${e.line}:${e.column} ${e.code} ${e.message}`).join('; ')}`);
                workspace = { state: 'done', result };
            } catch (e) {
                if (cancellation.token.isCancellationRequested) return;
                this.log.warn(`alphaforge/similar: ${errorText(e)}`);
                workspace = { state: 'failed', message: errorText(e) };
            }
            render();
        };
        await Promise.all([fromDaemon(), fromServer()]);
    }

    getTreeItem(n: SimilarNode): vscode.TreeItem {
        const item = new vscode.TreeItem(n.label, n.children?.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.id = n.id;
        if (n.description) item.description = n.description;
        if (n.tooltip) item.tooltip = new vscode.MarkdownString(n.tooltip);
        if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon, n.color ? new vscode.ThemeColor(n.color) : undefined);
        if (n.resourceUri) item.resourceUri = vscode.Uri.parse(n.resourceUri);
        item.contextValue = n.contextValue;
        const a = n.action;
        if (a?.kind === 'openRun') item.command = { command: 'alphaforge.openReport', title: 'Open Report', arguments: [a.runId] };
        else if (a?.kind === 'openFile') {
            const at = new vscode.Range(a.line, a.character, a.line, a.character);
            item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.parse(a.uri), { selection: at, preserveFocus: false }] };
        } else if (a?.kind === 'command') item.command = { command: a.command, title: n.label };
        return item;
    }

    getChildren(n?: SimilarNode): SimilarNode[] {
        return n ? [...n.children ?? []] : this.nodes;
    }

    dispose(): void {
        this.cancellation?.cancel();
        this.cancellation?.dispose();
        for (const d of this.disposables) d.dispose();
    }
}
