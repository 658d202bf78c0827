/**
 * A minimal LSP client for the tests: spawns the built server (out/server/src/main.js) with
 * --stdio and speaks JSON-RPC to it as VS Code would. Every request has a timeout (a hang is a
 * failure, not a stuck test run); published diagnostics are kept per document and can be awaited
 * for a given version (the server echoes the version it validated).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    createProtocolConnection, StreamMessageReader, StreamMessageWriter, type InitializeResult, type ProtocolConnection,
    type PublishDiagnosticsParams, type Range, type TextEdit, type WorkspaceEdit,
} from 'vscode-languageserver/node.js';

export const repoRoot = resolve(__dirname, '..', '..');
export const examplesDir = join(repoRoot, 'examples');
export const serverMain = join(repoRoot, 'out', 'server', 'src', 'main.js');

export const fileUri = (path: string): string => pathToFileURL(path).toString();

/** Generous: only a hang (or a pathological slowdown) trips it. Speed is measured by bench/lsp.js. */
export const REQUEST_TIMEOUT_MS = 20_000;

export interface Position { line: number; character: number }

export class LspClient {
    readonly conn: ProtocolConnection;
    /** The last diagnostics published per document URI. */
    readonly published = new Map<string, PublishDiagnosticsParams>();
    /** Messages the server logged (window/logMessage, window/showMessage; type 1 = error). */
    readonly logs: { type: number; message: string }[] = [];
    initializeResult!: InitializeResult;
    private readonly versions = new Map<string, number>();
    private readonly texts = new Map<string, string>();
    private waiters: (() => void)[] = [];
    private exited = false;

    private constructor(readonly process: ChildProcess) {
        this.conn = createProtocolConnection(new StreamMessageReader(process.stdout!), new StreamMessageWriter(process.stdin!));
        process.on('exit', () => { this.exited = true; this.wake(); });
        this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
            this.published.set(p.uri, p);
            this.wake();
        });
        this.conn.onRequest('workspace/configuration', () => []);
        this.conn.onRequest('client/registerCapability', () => null);
        this.conn.onRequest('workspace/semanticTokens/refresh', () => null);
        this.conn.onRequest('workspace/inlayHint/refresh', () => null);
        this.conn.onNotification('window/logMessage', (m: { type: number; message: string }) => { this.logs.push(m); });
        this.conn.onNotification('window/showMessage', (m: { type: number; message: string }) => { this.logs.push(m); });
        this.conn.listen();
    }

    /**
     * Spawns the server and initializes it with `workspace` (default: examples/) as the one folder;
     * `env` is added to the server's environment, `initializationOptions` sent as they are.
     */
    static async start(workspace = examplesDir, o: { env?: NodeJS.ProcessEnv; initializationOptions?: unknown } = {}): Promise<LspClient> {
        const child = spawn(process.execPath, [serverMain, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'], ...(o.env ? { env: { ...process.env, ...o.env } } : {}) });
        const client = new LspClient(child);
        client.initializeResult = await client.request<InitializeResult>('initialize', {
            processId: process.pid, rootUri: fileUri(workspace), initializationOptions: o.initializationOptions,
            workspaceFolders: [{ uri: fileUri(workspace), name: 'workspace' }],
            capabilities: {
                textDocument: {
                    completion: { completionItem: { snippetSupport: true } },
                    hover: { contentFormat: ['markdown'] },
                    publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, relatedInformation: true },
                    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
                    rename: { prepareSupport: true },
                    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
                    semanticTokens: { requests: { full: true }, tokenTypes: [], tokenModifiers: [], formats: ['relative'] },
                },
            },
        });
        await client.conn.sendNotification('initialized', {});
        return client;
    }

    get alive(): boolean {
        return !this.exited && this.process.exitCode === null && this.process.signalCode === null;
    }

    /** A request that rejects if the server does not answer within `timeoutMs`. */
    async request<R>(method: string, params: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<R> {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${method}: no answer within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
            return await Promise.race([this.conn.sendRequest(method, params) as Promise<R>, timeout]);
        } finally {
            clearTimeout(timer);
        }
    }

    text(uri: string): string {
        const t = this.texts.get(uri);
        if (t === undefined) throw new Error(`${uri} is not open`);
        return t;
    }

    version(uri: string): number | undefined {
        return this.versions.get(uri);
    }

    async open(uri: string, text: string): Promise<number> {
        this.versions.set(uri, 1);
        this.texts.set(uri, text);
        await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'alphaforge', version: 1, text } });
        return 1;
    }

    /** Replaces the whole text (full sync); returns the new version. */
    async change(uri: string, text: string): Promise<number> {
        const version = (this.versions.get(uri) ?? 0) + 1;
        this.versions.set(uri, version);
        this.texts.set(uri, text);
        await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
        return version;
    }

    async close(uri: string): Promise<void> {
        this.versions.delete(uri);
        this.texts.delete(uri);
        await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }

    /**
     * The diagnostics of `uri` for `version` (default: the last version sent; for a document that is
     * not open, whatever is published first).
     */
    async diagnostics(uri: string, version = this.versions.get(uri), timeoutMs = REQUEST_TIMEOUT_MS): Promise<PublishDiagnosticsParams> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const d = this.published.get(uri);
            if (d && (version === undefined || d.version === version)) return d;
            if (!this.alive) throw new Error(`the server exited while waiting for diagnostics of ${uri}`);
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`no diagnostics for ${uri} version ${version} within ${timeoutMs} ms (last: version ${d?.version})`);
            await new Promise<void>(r => {
                const t = setTimeout(r, Math.min(left, 1000));
                this.waiters.push(() => { clearTimeout(t); r(); });
            });
        }
    }

    async stop(): Promise<void> {
        if (this.alive) {
            try {
                await this.request('shutdown', null, 5000);
                await this.conn.sendNotification('exit');
            } catch { /* killed below */ }
        }
        await new Promise<void>(r => {
            if (!this.alive) return r();
            const t = setTimeout(() => { this.process.kill(); r(); }, 3000);
            this.process.once('exit', () => { clearTimeout(t); r(); });
        });
        this.conn.dispose();
    }

    private wake(): void {
        this.waiters.splice(0).forEach(w => w());
    }
}

/** Line/character of `needle` (plus `offset` characters) in `text`. */
export function posOf(text: string, needle: string, offset = 0, from = 0): Position {
    const at = text.indexOf(needle, from);
    if (at < 0) throw new Error(`'${needle}' not in text`);
    return positionAt(text, at + offset);
}

export function positionAt(text: string, offset: number): Position {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length - 1, character: before[before.length - 1]!.length };
}

export function offsetAt(text: string, p: Position): number {
    const lines = text.split('\n');
    let o = 0;
    for (let i = 0; i < p.line && i < lines.length; i++) o += lines[i]!.length + 1;
    return o + p.character;
}

export function textIn(text: string, r: Range): string {
    return text.slice(offsetAt(text, r.start), offsetAt(text, r.end));
}

/** Applies non-overlapping text edits (as a client does). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
    const sorted = [...edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
    for (const e of sorted) text = text.slice(0, offsetAt(text, e.range.start)) + e.newText + text.slice(offsetAt(text, e.range.end));
    return text;
}

/** The edits of a workspace edit for one document (`changes` or `documentChanges`). */
export function editsFor(edit: WorkspaceEdit | null | undefined, uri: string): TextEdit[] {
    if (!edit) return [];
    const fromChanges = edit.changes?.[uri] ?? [];
    const fromDocs = (edit.documentChanges ?? []).flatMap(c => ('textDocument' in c && c.textDocument.uri === uri ? c.edits.filter((e): e is TextEdit => 'range' in e) : []));
    return [...fromChanges, ...fromDocs];
}

/** Semantic tokens decoded with the server's legend. */
export interface DecodedToken { line: number; character: number; length: number; text: string; type: string; modifiers: string[] }

export function decodeSemanticTokens(data: readonly number[], legend: { tokenTypes: string[]; tokenModifiers: string[] }, text: string): DecodedToken[] {
    const lines = text.split('\n');
    const out: DecodedToken[] = [];
    let line = 0, character = 0;
    for (let i = 0; i + 5 <= data.length; i += 5) {
        const [dl, dc, length, type, mods] = data.slice(i, i + 5) as [number, number, number, number, number];
        line += dl;
        character = dl === 0 ? character + dc : dc;
        out.push({
            line, character, length, text: (lines[line] ?? '').slice(character, character + length),
            type: legend.tokenTypes[type] ?? `#${type}`,
            modifiers: legend.tokenModifiers.filter((_, bit) => (mods & (1 << bit)) !== 0),
        });
    }
    return out;
}
