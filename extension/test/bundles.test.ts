/**
 * The two bundles of the extension, built by extension/build.mjs into a scratch directory:
 * the language server (dist/server.cjs) started over IPC exactly as the client starts it,
 * answering the AlphaForge requests on the real examples; and the client (dist/extension.cjs),
 * which must need nothing at run time but `vscode` and Node's own modules.
 */
import { fork, type ChildProcess } from 'node:child_process';
import Module, { builtinModules, createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProtocolConnection, IPCMessageReader, IPCMessageWriter, type ProtocolConnection, type PublishDiagnosticsParams } from 'vscode-languageserver/node.js';
import { LspMethods, type LspProtocol } from '../../protocol/src/lsp.js';
import { DagToWebview, parseMessage } from '../../protocol/src/webview.js';
import { lensPlacements } from '../src/strategy-scan.js';
import { fakeContext, fakeVscode } from './support/fake-vscode.js';

const root = resolve(__dirname, '..', '..');
/** A scratch extension directory: the bundles go to its dist/, as in the .vsix. */
const extensionDir = mkdtempSync(join(tmpdir(), 'af-bundles-'));
const out = join(extensionDir, 'dist');
let server: ChildProcess;
let conn: ProtocolConnection;
const diagnostics = new Map<string, PublishDiagnosticsParams>();

const examples = readdirSync(join(root, 'examples')).filter(f => f.endsWith('.af')).map(f => join(root, 'examples', f));
const uriOf = (file: string): string => pathToFileURL(file).toString();

function request<M extends keyof LspProtocol>(method: M, params: LspProtocol[M]['params']): Promise<LspProtocol[M]['result']> {
    return conn.sendRequest(method, params) as Promise<LspProtocol[M]['result']>;
}

async function open(file: string, text = readFileSync(file, 'utf8')): Promise<void> {
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(file), languageId: 'alphaforge', version: 1, text } });
}

beforeAll(async () => {
    // @ts-expect-error -- a plain .mjs script without types
    const { options } = await import('../build.mjs') as { options(o: { outdir: string }): object[] };
    const { build } = await import('esbuild');
    await Promise.all(options({ outdir: out }).map(o => build(o as Parameters<typeof build>[0])));
    server = fork(join(out, 'server.cjs'), ['--node-ipc'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    conn = createProtocolConnection(new IPCMessageReader(server), new IPCMessageWriter(server));
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => { diagnostics.set(p.uri, p); });
    conn.onRequest('workspace/configuration', () => []);
    conn.onRequest('client/registerCapability', () => null);
    conn.onNotification('window/logMessage', () => undefined);
    conn.listen();
    const rootUri = uriOf(join(root, 'examples'));
    const init = await conn.sendRequest('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'examples' }], capabilities: {} }) as { capabilities: Record<string, unknown> };
    expect(init.capabilities.hoverProvider).toBeTruthy();
    await conn.sendNotification('initialized', {});
}, 120_000);

afterAll(async () => {
    try {
        await conn?.sendRequest('shutdown');
        await conn?.sendNotification('exit');
    } catch {
        // already gone
    }
    conn?.dispose();
    server?.kill();
    rmSync(extensionDir, { recursive: true, force: true });
});

describe('the bundled language server over IPC', () => {
    it('puts the strategies of every example where the code lenses go', async () => {
        for (const file of examples) {
            await open(file);
            const text = readFileSync(file, 'utf8');
            const got = await request(LspMethods.strategies, { uri: uriOf(file) });
            expect(got.map(s => [s.name, s.line]), file).toEqual(lensPlacements(text).map(p => [p.strategy.name, p.strategy.line]));
        }
    });

    it('answers the DAG view with a graph, source ranges and names the DAG panel accepts', async () => {
        const file = join(root, 'examples', 'sma-cross.af');
        await open(file);
        const r = await request(LspMethods.dagView, { uri: uriOf(file) });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value.strategy).toBe('SmaCross');
        const names = Object.values(r.value.names).flat();
        expect(names).toEqual(expect.arrayContaining(['fastMa', 'slowMa', 'enter', 'leave']));
        // The message the extension builds from it (panel-controllers.ts) is valid for the panel.
        const msg = { type: 'dag', dag: r.value.dag, uri: uriOf(file), strategy: r.value.strategy, sourceMap: r.value.ranges, names: r.value.names };
        const parsed = parseMessage(DagToWebview, JSON.parse(JSON.stringify(msg)));
        expect(parsed.ok, parsed.ok ? '' : parsed.error).toBe(true);
        // fastMa's node points at its declaration line.
        const fastNode = Object.entries(r.value.names).find(([, ns]) => ns.includes('fastMa'))![0];
        const line = readFileSync(file, 'utf8').split('\n')[r.value.ranges[Number(fastNode)]![0]!.start.line]!;
        expect(line).toContain('feature fastMa');
    });

    it('answers compile errors (not an exception) for a strategy that does not compile or does not exist', async () => {
        const file = join(root, 'language', 'test', 'fixtures', 'bad', 'AF003-unknown-name.af');
        await open(file);
        const r = await request(LspMethods.dagView, { uri: uriOf(file) });
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.errors[0]!.code).toMatch(/^AF/);
        const missing = await request(LspMethods.dagView, { uri: uriOf(join(root, 'examples', 'sma-cross.af')), strategy: 'Nope' });
        expect(missing).toMatchObject({ ok: false, errors: [{ code: 'AF000' }] });
    });

    it('publishes diagnostics with their codes', async () => {
        const file = join(root, 'language', 'test', 'fixtures', 'bad', 'AF003-unknown-name.af');
        for (let i = 0; i < 200 && !diagnostics.get(uriOf(file))?.diagnostics.length; i++) await new Promise(r => setTimeout(r, 25));
        expect(diagnostics.get(uriOf(file))?.diagnostics.map(d => d.code)).toContain('AF003');
    });

    it('finds similar strategies in the workspace', async () => {
        const r = await request(LspMethods.similar, { uri: uriOf(join(root, 'examples', 'sma-cross.af')), limit: 3 });
        expect(r.ok && r.value.matches.length).toBeGreaterThan(0);
        if (r.ok) for (const m of r.value.matches) expect(m).toMatchObject({ scope: 'workspace', file: { uri: expect.stringMatching(/^file:/) } });
    });
});

describe('the client bundle', () => {
    it('needs only vscode and Node built-ins at run time', () => {
        const text = readFileSync(join(out, 'extension.cjs'), 'utf8');
        const required = new Set([...text.matchAll(/\brequire\("([^"]+)"\)/g)].map(m => m[1]!));
        const allowed = new Set(['vscode', 'bufferutil', 'utf-8-validate', ...builtinModules, ...builtinModules.map(m => `node:${m}`)]);
        expect([...required].filter(r => !allowed.has(r))).toEqual([]);
        expect(required.has('vscode')).toBe(true);
    });

    it('activates outside VS Code (a stand-in vscode module): every contributed command, a provider per view, lenses, status item, panel serializers', async () => {
        const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
        // The language server is tested above over IPC; here it stays off (a stand-in vscode cannot host it).
        const { vscode, recorded } = fakeVscode({ workspaceFolders: [], trusted: false, settings: { 'alphaforge.server.enabled': false } });
        // The bundle's `require("vscode")` gets the stand-in.
        const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
        const load = loader._load;
        loader._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? vscode : load(request, ...rest));
        let ext: { activate(c: unknown): void; deactivate(): Promise<void> };
        try {
            ext = createRequire(__filename)(join(out, 'extension.cjs'));
        } finally {
            loader._load = load;
        }
        const context = fakeContext(vscode, extensionDir);
        ext.activate(context);
        try {
            expect([...recorded.commands.keys()].sort()).toEqual(pkg.contributes.commands.map((c: { command: string }) => c.command).sort());
            expect(recorded.treeViews).toEqual(pkg.contributes.views.alphaforge.map((v: { id: string }) => v.id));
            expect(recorded.output.has('AlphaForge Server') && recorded.output.has('AlphaForge Daemon')).toBe(true);
            // The lens provider over a real example.
            const text = readFileSync(join(root, 'examples', 'sma-cross.af'), 'utf8');
            const lenses = (recorded.codeLensProviders[0] as { provideCodeLenses(d: unknown): { command: { command: string; arguments: unknown[] } }[] })
                .provideCodeLenses({ getText: () => text, uri: vscode.Uri.file('/w/sma-cross.af') });
            expect(lenses.map(l => l.command.command)).toEqual(['alphaforge.backtest', 'alphaforge.sweep', 'alphaforge.walkforward', 'alphaforge.showDag', 'alphaforge.findSimilar', 'alphaforge.paperTrade']);
            expect(lenses[0]!.command.arguments[1]).toBe('SmaCross');
            // No folder, no URL: the daemon is reported down (with a retry), never an exception.
            for (let i = 0; i < 100 && !recorded.statusItems[0]?.text.includes('down'); i++) await new Promise(r => setTimeout(r, 20));
            expect(recorded.statusItems[0]!.text).toContain('daemon down');
            expect(recorded.statusItems[0]!.command).toBe('alphaforge.daemonActions');
            expect(recorded.executed).toContainEqual({ id: 'setContext', args: ['alphaforge.daemon.state', 'down'] });
            // A command that needs the daemon says so instead of throwing.
            await recorded.commands.get('alphaforge.openReport')!('run-1');
            expect(recorded.messages.some(m => m.includes('not available'))).toBe(true);
            // Find similar reveals its view and fills it: no daemon, no server here, so each group says why.
            const similar = recorded.trees.get('alphaforge.similar')!;
            expect(await similar.getChildren()).toEqual([]);
            await recorded.commands.get('alphaforge.findSimilar')!(vscode.Uri.file(join(root, 'examples', 'sma-cross.af')), 'SmaCross');
            expect(recorded.executed.map(e => e.id)).toContain('alphaforge.similar.focus');
            const top = await similar.getChildren() as { label: string; children?: { label: string }[] }[];
            expect(top.map(n => n.label)).toEqual(['Similar to SmaCross', 'Experiment store', 'Workspace']);
            expect(top[1]!.children!.map(n => n.label)).toEqual(['Connect the daemon to search stored runs']);
            expect(top[2]!.children!.map(n => n.label)).toEqual(['Search failed: the language server is off (alphaforge.server.enabled)']);
            expect(similar.getTreeItem(top[1]!.children![0]!).command).toMatchObject({ command: 'alphaforge.connectDaemon' });
            expect(similar.getTreeItem(top[0]!).command).toMatchObject({ command: 'vscode.open' });
            // A window reload: a serializer for each panel the manifest activates on; a restored
            // report keeps its run id and, with no daemon, says it waits for one (and why).
            const onPanel = (pkg.activationEvents as string[]).filter(e => e.startsWith('onWebviewPanel:')).map(e => e.slice('onWebviewPanel:'.length));
            expect([...recorded.serializers.keys()].sort()).toEqual(onPanel.sort());
            const report = await recorded.revive('alphaforge.report', { v: 1, persist: { runId: 'run-7' }, messages: {} }, 'SmaCross — Backtest');
            expect(report.disposed).toBe(false);
            expect(report.html).toContain(`src="https://fake.vscode-cdn.net${join(extensionDir, 'webviews', 'dist', 'report.js')}"`);
            expect(report.posted).toContainEqual({ type: 'persist', state: { runId: 'run-7' } });
            expect(report.posted.at(-1)).toMatchObject({ type: 'waiting', message: expect.stringMatching(/^The AlphaForge daemon is not available: .*Run run-7 loads when the daemon connects/) });
            expect(recorded.panels.filter(p => p.viewType === 'alphaforge.report')).toHaveLength(1);
            expect((await recorded.revive('alphaforge.dag', { run: {} })).disposed).toBe(true);
        } finally {
            await ext.deactivate();
            for (const d of context.subscriptions) d.dispose();
        }
    });
});
