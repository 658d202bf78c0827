/**
 * The language client: starts the bundled language server (dist/server.cjs) over IPC, as the
 * lsp-sample does, and sends the AlphaForge requests of protocol/src/lsp.ts.
 * The server does the work (diagnostics, hover, completion, formatting, …); nothing here parses.
 * Tracing: the `alphaforge.trace.server` setting (read by vscode-languageclient itself).
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node.js';
import { LspMethods, type LspProtocol } from '../../protocol/src/lsp.js';

export const LANGUAGE_ID = 'alphaforge';

export class AlphaForgeLanguageClient implements vscode.Disposable {
    private readonly client: LanguageClient;
    private starting: Promise<void> | undefined;

    constructor(context: vscode.ExtensionContext, readonly output: vscode.OutputChannel) {
        const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.cjs').fsPath;
        const serverOptions: ServerOptions = {
            run: { module, transport: TransportKind.ipc },
            debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
        };
        const clientOptions: LanguageClientOptions = {
            documentSelector: [{ scheme: 'file', language: LANGUAGE_ID }, { scheme: 'untitled', language: LANGUAGE_ID }],
            synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.af') },
            outputChannel: output,
            // The extension's own lenses (code-lenses.ts) run its richer commands (progress, panels);
            // the server's lenses are for editors without an extension, and would show twice here.
            middleware: { provideCodeLenses: () => [] },
        };
        this.client = new LanguageClient(LANGUAGE_ID, 'AlphaForge Language Server', serverOptions, clientOptions);
    }

    /** Starts the server in the background (never blocks activation); errors go to the output channel. */
    start(): Promise<void> {
        this.starting ??= this.client.start().catch(e => {
            this.output.appendLine(`The AlphaForge language server did not start: ${e instanceof Error ? e.message : String(e)}`);
            this.starting = undefined;
            throw e;
        });
        return this.starting;
    }

    async restart(): Promise<void> {
        if (this.client.isRunning()) await this.client.restart();
        else {
            this.starting = undefined;
            await this.start();
        }
    }

    /** One of the AlphaForge requests, once the server runs. */
    async request<M extends keyof LspProtocol>(method: M, params: LspProtocol[M]['params'], token?: vscode.CancellationToken): Promise<LspProtocol[M]['result']> {
        if (!vscode.workspace.getConfiguration('alphaforge').get<boolean>('server.enabled', true)) throw new Error('the language server is off (alphaforge.server.enabled)');
        await this.start();
        return this.client.sendRequest(method, params, token) as Promise<LspProtocol[M]['result']>;
    }

    dagView(uri: vscode.Uri, strategy?: string, token?: vscode.CancellationToken): Promise<LspProtocol[typeof LspMethods.dagView]['result']> {
        return this.request(LspMethods.dagView, { uri: uri.toString(), ...(strategy ? { strategy } : {}) }, token);
    }

    /** How strategy `to` differs from `from` (the same JSON as `af diff --json`). */
    diff(from: { uri: vscode.Uri; strategy?: string | undefined }, to: { uri: vscode.Uri; strategy?: string | undefined }, token?: vscode.CancellationToken): Promise<LspProtocol[typeof LspMethods.diff]['result']> {
        const side = (x: { uri: vscode.Uri; strategy?: string | undefined }) => ({ uri: x.uri.toString(), ...(x.strategy ? { strategy: x.strategy } : {}) });
        return this.request(LspMethods.diff, { from: side(from), to: side(to) }, token);
    }

    similar(uri: vscode.Uri, strategy?: string, limit = 10, token?: vscode.CancellationToken): Promise<LspProtocol[typeof LspMethods.similar]['result']> {
        return this.request(LspMethods.similar, { uri: uri.toString(), ...(strategy ? { strategy } : {}), limit }, token);
    }

    /** Stops the server; one still starting is given a moment to finish first (it cannot be stopped half-way). */
    async dispose(): Promise<void> {
        if (this.starting) await Promise.race([this.starting.catch(() => undefined), new Promise(r => setTimeout(r, 3000))]);
        if (this.client.isRunning()) await this.client.stop(2000).catch(() => undefined);
    }
}
