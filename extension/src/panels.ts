/**
 * The webview panels (report, DAG, experiments): the pages are webviews/dist/<panel>.js + .css
 * loaded through `panelHtml` (strict CSP, a fresh nonce per page), resources only from
 * webviews/dist and media/, and every message validated against protocol/src/webview.ts in
 * both directions. Panels may be hidden and re-created by VS Code: each one re-sends its state
 * when the page says `ready`.
 *
 * Window reloads: as in VS Code's webview-sample, a serializer per panel type
 * (`registerPanelSerializers`) is handed each panel VS Code re-creates with what its page saved
 * (`setState`); the host decides what that is with a `persist` message (`StatefulPanel.persist`).
 * A restored panel goes through the same setup as a new one (`Panel` takes either), with a fresh
 * page (new nonce, same CSP).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { panelHtml } from '../../protocol/src/webview-page.js';
import { PANEL_KINDS, PANELS, parseMessage, restoredPanelState, viewTypeOf, type PanelKind, type PanelState } from '../../protocol/src/webview.js';
import type { z } from 'zod';

type ToWebview<K extends PanelKind> = z.infer<(typeof PANELS)[K]['toWebview']>;
type ToHost<K extends PanelKind> = z.infer<(typeof PANELS)[K]['toHost']>;

const TITLES: Record<PanelKind, string> = { report: 'Backtest report', dag: 'Strategy DAG', experiments: 'Experiments', monitor: 'Deployment monitor' };

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

/** A panel to open (title; column, default beside the editor), or one VS Code restored after a window reload. */
export type PanelOrigin = { readonly title?: string; readonly column?: vscode.ViewColumn } | { readonly restored: vscode.WebviewPanel };

/** What the pages may do: run their script, load from webviews/dist and media/ only. */
function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'webviews', 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
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
        origin: PanelOrigin,
        private readonly extensionUri: vscode.Uri,
        private readonly log: Logger,
        onMessage: (m: ToHost<K>, panel: Panel<K>) => void | Promise<void>,
    ) {
        if ('restored' in origin) {
            this.panel = origin.restored;
            // VS Code restores the panel, not necessarily the options of its webview: set them as for a new one.
            this.panel.webview.options = webviewOptions(extensionUri);
        } else {
            this.panel = vscode.window.createWebviewPanel(viewTypeOf(kind), origin.title || TITLES[kind], {
                viewColumn: origin.column ?? vscode.ViewColumn.Beside, preserveFocus: kind === 'dag',
            }, { ...webviewOptions(extensionUri), enableFindWidget: true });
        }
        this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
        this.render(this.panel.title || TITLES[kind]);
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

    /** A fresh page: a new nonce each time (a restored panel gets one too, never its old page). */
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
    private persisted: PanelState<K> | undefined;

    constructor(kind: K, origin: PanelOrigin, extensionUri: vscode.Uri, log: Logger,
        onMessage: (m: ToHost<K>, self: StatefulPanel<K>) => void | Promise<void>) {
        this.panel = new Panel(kind, origin, extensionUri, log, (m, _p) => {
            if (m.type === 'ready') {
                if (this.persisted !== undefined) this.postPersist(this.persisted);
                for (const s of this.last) this.panel.post(s);
            }
            return onMessage(m, this);
        });
    }

    /** Sends and remembers (`replace`: the state is this message alone; otherwise kept with the others of its type replaced). */
    show(message: ToWebview<K>, replace = true): void {
        this.last = replace ? [message] : [...this.last.filter(m => m.type !== message.type), message];
        this.panel.post(message);
    }

    /** What the page keeps for a window reload (and the panel's serializer gets back): sent now and whenever the page restarts. */
    persist(state: PanelState<K>): void {
        this.persisted = state;
        this.postPersist(state);
    }

    private postPersist(state: PanelState<K>): void {
        this.panel.post({ type: 'persist', state } as ToWebview<K>);
    }

    dispose(): void {
        this.panel.dispose();
    }
}

/** Restores a panel of one kind from its validated saved state (a controller's `restore`). */
export type PanelRestorers = { readonly [K in PanelKind]: (panel: vscode.WebviewPanel, state: PanelState<K>) => void | Promise<void> };

/**
 * Registers the serializer of each panel type (`alphaforge.report`, …; the manifest activates the
 * extension on `onWebviewPanel:` for each). VS Code calls one with each panel it re-creates after
 * a window reload and the state its page saved: a state that validates goes to the controller;
 * one that does not (none, another version, malformed) closes the panel with a line in the log.
 * Never throws.
 */
export function registerPanelSerializers(log: Logger, restore: PanelRestorers): vscode.Disposable {
    return vscode.Disposable.from(...PANEL_KINDS.map(kind => vscode.window.registerWebviewPanelSerializer(viewTypeOf(kind), {
        async deserializeWebviewPanel(panel: vscode.WebviewPanel, saved: unknown): Promise<void> {
            const r = restoredPanelState(kind, saved);
            if (!r.ok) {
                log.warn(`${kind} panel '${panel.title}' not restored after the reload: ${r.error}`);
                panel.dispose();
                return;
            }
            try {
                await (restore[kind] as (p: vscode.WebviewPanel, s: PanelState<typeof kind>) => void | Promise<void>)(panel, r.state);
            } catch (e) {
                log.error(`${kind} panel '${panel.title}' not restored after the reload: ${e instanceof Error ? e.message : String(e)}`);
                panel.dispose();
            }
        },
    })));
}
