/**
 * A stand-in for the `vscode` module, enough to load the extension bundle and run `activate`
 * outside VS Code: it records registered commands, tree views, code-lens providers, status-bar
 * items, output lines, messages, webview panels and panel serializers (and can play a window
 * reload: `recorded.revive`). Whatever it does not model is a permissive stub (callable,
 * constructible, every property another stub) so that libraries bundled with the extension
 * (vscode-languageclient) load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** A callable, constructible value whose every property is another stub (never a thenable). */
export function stub(name = 'stub'): any {
    const cache = new Map<PropertyKey, unknown>();
    const target = function () { /* stub */ } as unknown as Record<PropertyKey, unknown>;
    return new Proxy(target, {
        get(t, p) {
            if (p === 'then') return undefined;
            if (p === 'prototype') return t.prototype;
            if (p === Symbol.toPrimitive) return () => name;
            if (p === 'toString' || p === Symbol.toStringTag) return () => name;
            if (p === Symbol.iterator) return function* () { /* empty */ };
            if (!cache.has(p)) cache.set(p, stub(`${name}.${String(p)}`));
            return cache.get(p);
        },
        apply: () => stub(`${name}()`),
        construct: () => stub(`new ${name}`),
    });
}

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
    private listeners: Listener<T>[] = [];
    readonly event = (listener: Listener<T>): Disposable => {
        this.listeners.push(listener);
        return new Disposable(() => { this.listeners = this.listeners.filter(l => l !== listener); });
    };
    fire(e: T): void {
        for (const l of [...this.listeners]) l(e);
    }
    dispose(): void {
        this.listeners = [];
    }
}

export class Disposable {
    constructor(private readonly fn: () => unknown = () => undefined) {}
    static from(...ds: { dispose(): unknown }[]): Disposable {
        return new Disposable(() => ds.forEach(d => d.dispose()));
    }
    dispose(): void {
        this.fn();
    }
}

export class Uri {
    private constructor(readonly scheme: string, readonly path: string) {}
    static file(p: string): Uri { return new Uri('file', p); }
    static parse(s: string): Uri { const m = /^([a-z-]+):(?:\/\/)?(.*)$/.exec(s); return m ? new Uri(m[1]!, m[2]!) : new Uri('file', s); }
    static joinPath(u: Uri, ...segments: string[]): Uri { return new Uri(u.scheme, join(u.path, ...segments)); }
    get fsPath(): string { return this.path; }
    toString(): string { return `${this.scheme}://${this.path}`; }
    with(): Uri { return this; }
}

const event = <T>(): ((l: Listener<T>) => Disposable) => new EventEmitter<T>().event;

export class CancellationTokenSource {
    private readonly cancelled = new EventEmitter<void>();
    readonly token = { isCancellationRequested: false, onCancellationRequested: this.cancelled.event };
    cancel(): void {
        if (this.token.isCancellationRequested) return;
        this.token.isCancellationRequested = true;
        this.cancelled.fire();
    }
    dispose(): void {
        this.cancelled.dispose();
    }
}

export interface Recorded {
    commands: Map<string, (...args: unknown[]) => unknown>;
    executed: { id: string; args: unknown[] }[];
    treeViews: string[];
    /** The tree data providers by view id. */
    trees: Map<string, { getChildren(e?: unknown): unknown; getTreeItem(e: unknown): any }>;
    codeLensProviders: unknown[];
    statusItems: { text: string; command?: string; tooltip?: unknown }[];
    output: Map<string, string[]>;
    messages: string[];
    settings: Record<string, unknown>;
    /** Webview panels: their page, what the extension posted, and a way to send from the page. */
    panels: FakePanel[];
    /** Webview panel serializers by view type. */
    serializers: Map<string, { deserializeWebviewPanel(panel: unknown, state: unknown): Thenable<void> | Promise<void> }>;
    /**
     * A window reload as VS Code plays it: a panel of `viewType` re-created (title kept, no
     * page, webview options not yet set) and handed with its page's saved state to the serializer.
     */
    revive(viewType: string, state: unknown, title?: string): Promise<FakePanel>;
    /** Progress notifications: title, reports, and a way to press their Cancel button. */
    progress: { title: string; reports: { message?: string; increment?: number }[]; cancel(): void }[];
}

export interface FakePanel {
    viewType: string;
    title: string;
    html: string;
    options: { enableScripts?: boolean; localResourceRoots?: Uri[] };
    posted: unknown[];
    /** A message from the page to the extension. */
    send(message: unknown): Promise<void>;
    disposed: boolean;
    /** Re-created by VS Code after a reload (`recorded.revive`), not by the extension. */
    restored: boolean;
    /** How many times the extension revealed it. */
    reveals: number;
    /** The user closes it. */
    close(): void;
}

export interface FakeOptions {
    workspaceFolders?: string[];
    trusted?: boolean;
    settings?: Record<string, unknown>;
    /** The button (or quick-pick item) the user chooses; default: none (dismissed). */
    answer?: (message: string, items: readonly unknown[]) => unknown;
}

export function fakeVscode(o: FakeOptions = {}): { vscode: any; recorded: Recorded } {
    const recorded: Recorded = {
        commands: new Map(), executed: [], treeViews: [], trees: new Map(), codeLensProviders: [], statusItems: [], output: new Map(), messages: [], settings: o.settings ?? {}, progress: [], panels: [],
        serializers: new Map(),
        revive: async (viewType, state, title = viewType) => {
            const serializer = recorded.serializers.get(viewType);
            if (!serializer) throw new Error(`no serializer for ${viewType}: VS Code would drop the panel`);
            const { record, panel } = makePanel(viewType, title, {}, true);
            await serializer.deserializeWebviewPanel(panel, state);
            return record;
        },
    };
    const channel = (name: string): any => {
        const lines: string[] = [];
        recorded.output.set(name, lines);
        const line = (level: string) => (m: string) => { lines.push(`[${level}] ${m}`); };
        return { name, append: (m: string) => lines.push(m), appendLine: (m: string) => lines.push(m), info: line('info'), warn: line('warn'), error: line('error'), debug: line('debug'), trace: line('trace'), show: () => undefined, hide: () => undefined, clear: () => undefined, replace: () => undefined, dispose: () => undefined, onDidChangeLogLevel: event(), logLevel: 2 };
    };
    const message = (m: string, ...items: unknown[]): Promise<unknown> => {
        recorded.messages.push(m);
        return Promise.resolve(o.answer?.(m, items));
    };
    const quickPick = async (items: unknown, options?: { title?: string; placeHolder?: string }): Promise<unknown> => {
        const list = await items as unknown[];
        return o.answer?.(options?.title ?? options?.placeHolder ?? '', list);
    };
    const withProgress = (opts: { title?: string }, task: (p: unknown, t: unknown) => unknown): unknown => {
        const cancelled = new EventEmitter<void>();
        const token = { isCancellationRequested: false, onCancellationRequested: cancelled.event };
        const entry = { title: opts.title ?? '', reports: [] as { message?: string; increment?: number }[], cancel: () => { token.isCancellationRequested = true; cancelled.fire(); } };
        recorded.progress.push(entry);
        return task({ report: (r: { message?: string; increment?: number }) => entry.reports.push(r) }, token);
    };
    function makePanel(viewType: string, title: string, options: FakePanel['options'], restored: boolean): { record: FakePanel; panel: any } {
        const fromPage = new EventEmitter<unknown>();
        const disposed = new EventEmitter<void>();
        const handlers: Promise<unknown>[] = [];
        const record: FakePanel = {
            viewType, title, html: '', options, posted: [], disposed: false, restored, reveals: 0,
            send: async m => {
                fromPage.fire(m);
                await Promise.all(handlers.splice(0));
            },
            close: () => panel.dispose(),
        };
        recorded.panels.push(record);
        const webview = {
            cspSource: "'self' https://*.vscode-cdn.net", // what VS Code gives
            asWebviewUri: (u: Uri) => ({ toString: () => `https://fake.vscode-cdn.net${u.fsPath}` }),
            postMessage: (m: unknown) => { record.posted.push(m); return Promise.resolve(true); },
            onDidReceiveMessage: (l: (m: unknown) => unknown) => fromPage.event(m => { handlers.push(Promise.resolve(l(m))); }),
            set html(h: string) { record.html = h; },
            get html() { return record.html; },
            set options(x: FakePanel['options']) { record.options = x; },
            get options() { return record.options; },
        };
        const panel = {
            viewType,
            webview,
            get title() { return record.title; },
            set title(t: string) { record.title = t; },
            iconPath: undefined,
            reveal: () => { record.reveals++; },
            onDidDispose: disposed.event,
            dispose: () => { if (!record.disposed) { record.disposed = true; disposed.fire(); } },
        };
        return { record, panel };
    }
    const createWebviewPanel = (viewType: string, title: string, _column: unknown, options: FakePanel['options']): unknown => makePanel(viewType, title, options, false).panel;
    const registerWebviewPanelSerializer = (viewType: string, serializer: Recorded['serializers'] extends Map<string, infer S> ? S : never): Disposable => {
        if (recorded.serializers.has(viewType)) throw new Error(`a serializer for '${viewType}' is already registered`);
        recorded.serializers.set(viewType, serializer);
        return new Disposable(() => recorded.serializers.delete(viewType));
    };
    const textDocument = (uri: Uri, text: string): unknown => ({ uri, getText: () => text, languageId: 'alphaforge', isDirty: false, version: 1, fileName: uri.fsPath });
    const folders = (o.workspaceFolders ?? []).map((f, index) => ({ uri: Uri.file(f), name: f, index }));
    const overrides: Record<string, unknown> = {
        version: '1.88.0', EventEmitter, Disposable, Uri, CancellationTokenSource,
        StatusBarAlignment: { Left: 1, Right: 2 },
        TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
        ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
        ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
        QuickPickItemKind: { Separator: -1, Default: 0 },
        TreeItem: class { constructor(readonly label: string, readonly collapsibleState?: number) {} },
        ThemeIcon: class { constructor(readonly id: string, readonly color?: unknown) {} },
        ThemeColor: class { constructor(readonly id: string) {} },
        MarkdownString: class { value = ''; isTrusted: unknown; constructor(v = '') { this.value = v; } appendMarkdown(s: string) { this.value += s; return this; } appendText(s: string) { this.value += s; return this; } },
        Range: class { constructor(...a: number[]) { Object.assign(this, { a }); } },
        Position: class { constructor(readonly line: number, readonly character: number) {} },
        CodeLens: class { constructor(readonly range: unknown, readonly command?: unknown) {} },
        commands: {
            registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
                if (recorded.commands.has(id)) throw new Error(`command '${id}' already exists`);
                recorded.commands.set(id, fn);
                return new Disposable(() => recorded.commands.delete(id));
            },
            executeCommand: (id: string, ...args: unknown[]) => { recorded.executed.push({ id, args }); return Promise.resolve(undefined); },
        },
        languages: {
            registerCodeLensProvider: (_selector: unknown, provider: unknown) => { recorded.codeLensProviders.push(provider); return new Disposable(); },
        },
        workspace: {
            workspaceFolders: folders.length ? folders : undefined,
            isTrusted: o.trusted ?? false,
            textDocuments: [],
            openTextDocument: async (u: Uri) => textDocument(u, readFileSync(u.fsPath, 'utf8')),
            getConfiguration: () => ({ get: (k: string, d?: unknown) => (`alphaforge.${k}` in recorded.settings ? recorded.settings[`alphaforge.${k}`] : d), has: () => false, inspect: () => undefined, update: () => Promise.resolve() }),
            onDidChangeConfiguration: event(), onDidGrantWorkspaceTrust: event(), onDidChangeTextDocument: event(), onDidOpenTextDocument: event(), onDidCloseTextDocument: event(),
            createFileSystemWatcher: () => ({ onDidCreate: event(), onDidChange: event(), onDidDelete: event(), dispose: () => undefined }),
            asRelativePath: (u: Uri | string) => String(u),
        },
        window: {
            createOutputChannel: (name: string) => channel(name),
            createTreeView: (id: string, options: { treeDataProvider: any }) => { recorded.treeViews.push(id); recorded.trees.set(id, options.treeDataProvider); return { dispose: () => undefined, onDidChangeVisibility: event(), visible: true }; },
            createStatusBarItem: () => {
                const item: Record<string, unknown> = { text: '', show: () => undefined, hide: () => undefined, dispose: () => undefined };
                recorded.statusItems.push(item as never);
                return item;
            },
            showInformationMessage: message, showWarningMessage: message, showErrorMessage: message,
            withProgress,
            showQuickPick: quickPick,
            // Input boxes and file dialogs are answered by title, like messages.
            showInputBox: async (options?: { title?: string; prompt?: string }) => o.answer?.(options?.title ?? options?.prompt ?? '', []),
            showOpenDialog: async (options?: { title?: string }) => o.answer?.(options?.title ?? '', []),
            createWebviewPanel,
            registerWebviewPanelSerializer,
            activeTextEditor: undefined,
            visibleTextEditors: [],
        },
    };
    const root = stub('vscode');
    const vscode = new Proxy(overrides, {
        get(t, p) {
            if (p in t) return t[p as string];
            if (p === 'then' || p === '__esModule') return undefined;
            return root[p];
        },
    });
    // Sub-namespaces also fall back to stubs for what they do not model.
    for (const ns of ['commands', 'languages', 'workspace', 'window']) {
        const real = overrides[ns] as Record<PropertyKey, unknown>;
        const fallback = root[ns];
        overrides[ns] = new Proxy(real, { get: (t, p) => (p in t ? t[p] : p === 'then' ? undefined : fallback[p]) });
    }
    return { vscode, recorded };
}

/** What `activate` gets as its ExtensionContext. */
export function fakeContext(vscode: any, extensionPath: string): any {
    const secrets = new Map<string, string>();
    return {
        subscriptions: [] as { dispose(): unknown }[],
        extensionUri: vscode.Uri.file(extensionPath),
        extensionPath,
        asAbsolutePath: (p: string) => join(extensionPath, p),
        secrets: {
            get: (k: string) => Promise.resolve(secrets.get(k)),
            store: (k: string, v: string) => { secrets.set(k, v); return Promise.resolve(); },
            delete: (k: string) => { secrets.delete(k); return Promise.resolve(); },
            onDidChange: new vscode.EventEmitter().event,
        },
        globalState: { get: () => undefined, update: () => Promise.resolve(), keys: () => [] },
        workspaceState: { get: () => undefined, update: () => Promise.resolve(), keys: () => [] },
    };
}
