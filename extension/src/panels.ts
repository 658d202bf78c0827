/**
 * The webview panels (report, DAG, experiments): the pages are webviews/dist/<panel>.js + .css
 * loaded through `panelHtml` (strict CSP, a fresh nonce per page), resources only from
 * webviews/dist and media/, and every message validated against webviews/src/protocol.ts in
 * both directions. Panels may be hidden and re-created by VS Code: each one re-sends its state
 * when the page says `ready`.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { panelHtml } from '../../webviews/src/html.js';
import { PANELS, parseMessage, type PanelKind } from '../../webviews/src/protocol.js';
import type { z } from 'zod';

type ToWebview<K extends PanelKind> = z.infer<(typeof PANELS)[K]['toWebview']>;
type ToHost<K extends PanelKind> = z.infer<(typeof PANELS)[K]['toHost']>;

const TITLES: Record<PanelKind, string> = { report: 'Backtest report', dag: 'Strategy DAG', experiments: 'Experiments' };

/** Where panels log: a log output channel, or anything with its level methods. */
export type Logger = Pick<vscode.LogOutputChannel, 'debug' | 'info' | 'warn' | 'error'>;

/** A Logger over a plain output channel (the language server's). */
export function lineLogger(channel: vscode.OutputChannel): Logger {
    const line = (level: string) => (m: string): void => channel.appendLine(`[${level}] ${m}`);
    return { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
}

export function nonce(): string {
    return randomBytes(16).toString('base64');
}

/** One webview panel with a validated message channel. */
export class Panel<K extends PanelKind> implements vscode.Disposable {
    readonly panel: vscode.WebviewPanel;
    private readonly disposables: vscode.Disposable[] = [];
    private readonly disposeEmitter = new vscode.EventEmitter<void>();
    readonly onDidDispose = this.disposeEmitter.event;
    private disposed = false;

    constructor(
        readonly kind: K,
        title: string,
        private readonly extensionUri: vscode.Uri,
        private readonly log: Logger,
        onMessage: (m: ToHost<K>, panel: Panel<K>) => void | Promise<void>,
        column: vscode.ViewColumn = vscode.ViewColumn.Beside,
    ) {
        const dist = vscode.Uri.joinPath(extensionUri, 'webviews', 'dist');
        this.panel = vscode.window.createWebviewPanel(`alphaforge.${kind}`, title, { viewColumn: column, preserveFocus: kind === 'dag' }, {
            enableScripts: true,
            enableFindWidget: true,
            localResourceRoots: [dist, vscode.Uri.joinPath(extensionUri, 'media')],
        });
        this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
        this.render(title);
        this.disposables.push(this.panel.webview.onDidReceiveMessage(async data => {
            const r = parseMessage(PANELS[kind].toHost as unknown as z.ZodType<ToHost<K>>, data);
            if (!r.ok) {
                this.log.warn(`${kind} panel: ignored ${r.error}`);
                return;
            }
            try {
                await onMessage(r.message, this);
            } catch (e) {
                this.log.error(`${kind} panel: ${e instanceof Error ? e.message : String(e)}`);
            }
        }));
        this.disposables.push(this.panel.onDidDispose(() => this.dispose()));
    }

    private render(title: string): void {
        const webview = this.panel.webview;
        const dist = vscode.Uri.joinPath(this.extensionUri, 'webviews', 'dist');
        webview.html = panelHtml({
            title,
            scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${this.kind}.js`)).toString(),
            styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${this.kind}.css`)).toString(),
            nonce: nonce(),
            cspSource: webview.cspSource,
        });
    }

    /** Sends a message after checking it against the panel's schema (a bug here must not reach the page). */
    post(message: ToWebview<K>): boolean {
        if (this.disposed) return false;
        const r = parseMessage(PANELS[this.kind].toWebview as unknown as z.ZodType<ToWebview<K>>, message);
        if (!r.ok) {
            this.log.error(`${this.kind} panel: refused to send ${r.error}`);
            return false;
        }
        void this.panel.webview.postMessage(r.message);
        return true;
    }

    set title(t: string) {
        this.panel.title = t;
    }

    reveal(): void {
        this.panel.reveal(undefined, this.kind === 'dag');
    }

    dispose(): void {
        if (this.disposed) return;
        this.disposed = true;
        this.disposeEmitter.fire();
        this.disposeEmitter.dispose();
        for (const d of this.disposables) d.dispose();
        this.panel.dispose();
    }
}

/** A panel whose page is told its last state whenever it (re)starts. */
export class StatefulPanel<K extends PanelKind> implements vscode.Disposable {
    readonly panel: Panel<K>;
    private last: ToWebview<K>[] = [];

    constructor(kind: K, title: string, extensionUri: vscode.Uri, log: Logger,
        onMessage: (m: ToHost<K>, self: StatefulPanel<K>) => void | Promise<void>, column?: vscode.ViewColumn) {
        this.panel = new Panel(kind, title || TITLES[kind], extensionUri, log, (m, _p) => {
            if (m.type === 'ready') for (const s of this.last) this.panel.post(s);
            return onMessage(m, this);
        }, column);
    }

    /** Sends and remembers (`replace`: the state is this message alone; otherwise kept with the others of its type replaced). */
    show(message: ToWebview<K>, replace = true): void {
        this.last = replace ? [message] : [...this.last.filter(m => m.type !== message.type), message];
        this.panel.post(message);
    }

    dispose(): void {
        this.panel.dispose();
    }
}
