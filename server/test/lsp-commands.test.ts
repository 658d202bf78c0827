/**
 * LSP for every editor, through a plain JSON-RPC client over stdio (no VS Code): completion of
 * members after `.` (a registered trigger character), a half-typed line that stays on its line,
 * and code lenses whose commands the server runs itself over workspace/executeCommand — a
 * backtest against a real daemon (found through $AF_STATE_DIR, with its admin token file), the
 * DAG written to a file, similar strategies.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLens, CompletionItem, CompletionList, InitializeResult } from 'vscode-languageserver/node.js';
import { LspCommands, type CommandResult } from '../../protocol/src/lsp.js';
import { startDaemon, type RunningDaemon } from '../../runtime/src/daemon/daemon.js';
import { stateWithSynthBars, TINY } from '../../runtime/test/support/fixtures.js';
import { tempDir } from '../../runtime/test/data/helpers.js';
import { fileUri, LspClient } from './lsp-client.js';
import { DaemonClient } from '../../protocol/src/client.js';

let daemon: RunningDaemon;
let client: LspClient;
let workspace: string;

const MEMBERS = `strategy Members {
  universe: synth:AAA as b
  timeframe: 1d
  feature bands = bollinger(close, 20, 2)
  feature probe = PROBE
  rules {
    when close > bands.upper => target 100% long
  }
}
`;

beforeAll(async () => {
    const stateDir = await stateWithSynthBars('af-lsp-cmd-');
    daemon = await startDaemon({ stateDir, port: 0, concurrency: 1 });
    workspace = tempDir('af-lsp-ws-');
    writeFileSync(join(workspace, 'tiny.af'), TINY);
    writeFileSync(join(workspace, 'tiny2.af'), TINY.replace('Tiny', 'Tiny2').replace('target 100% long', 'target 50% long'));
    client = await LspClient.start(workspace, { env: { AF_STATE_DIR: stateDir, AF_TOKEN: '' } });
}, 60_000);

afterAll(async () => {
    await client?.stop();
    await daemon?.stop();
});

async function complete(text: string, marker: string, trigger = true): Promise<string[]> {
    const uri = fileUri(join(workspace, `members-${Math.random().toString(36).slice(2)}.af`));
    const source = text.replace('PROBE', marker);
    await client.open(uri, source);
    await client.diagnostics(uri);
    const offset = source.indexOf(marker) + marker.length;
    const before = source.slice(0, offset).split('\n');
    const position = { line: before.length - 1, character: before.at(-1)!.length };
    const r = await client.request<CompletionList | CompletionItem[]>('textDocument/completion', {
        textDocument: { uri }, position, ...(trigger ? { context: { triggerKind: 2, triggerCharacter: '.' } } : {}),
    });
    await client.close(uri);
    return (Array.isArray(r) ? r : r.items).map(i => i.label);
}

describe('what the server announces', () => {
    it('the dot as a completion trigger, code lenses, and the commands it executes', () => {
        const caps = (client.initializeResult as InitializeResult).capabilities;
        expect(caps.completionProvider?.triggerCharacters).toContain('.');
        expect(caps.codeLensProvider).toBeTruthy();
        expect(caps.executeCommandProvider?.commands).toEqual(expect.arrayContaining(Object.values(LspCommands)));
    });
});

describe('member completion after a dot', () => {
    it('an asset alias offers its fields, not keywords', async () => {
        const labels = await complete(MEMBERS, 'b.');
        expect(labels).toEqual(expect.arrayContaining(['open', 'high', 'low', 'close', 'volume']));
        expect(labels).not.toContain('signal');
        expect(labels).not.toContain('feature');
    });

    it('a partly typed member is completed from the same list', async () => {
        expect(await complete(MEMBERS, 'b.cl', false)).toContain('close');
    });

    it('a multi-output function, called or through a feature, offers its outputs', async () => {
        expect(await complete(MEMBERS, 'bands.')).toEqual(['mid', 'upper', 'lower']);
        expect(await complete(MEMBERS, 'macd(close, 12, 26).')).toEqual(['line', 'signal', 'hist']);
        expect(await complete(MEMBERS, 'bands[1].')).toEqual(['mid', 'upper', 'lower']);
    });

    it('a series without members offers nothing rather than every keyword', async () => {
        expect(await complete(MEMBERS, 'close.')).toEqual([]);
    });
});

describe('a half-typed line', () => {
    it('is one syntax error on its line: no end-of-file cascade, no "never trades"', async () => {
        const uri = fileUri(join(workspace, 'half.af'));
        await client.open(uri, MEMBERS.replace('PROBE', 'b.'));
        const { diagnostics } = await client.diagnostics(uri);
        const serious = diagnostics.filter(d => d.severity === 1 || d.severity === 2);
        expect(serious.map(d => [d.code, d.range.start.line])).toEqual([['AF001', 4]]);
        expect(diagnostics.map(d => d.message).join('\n')).not.toMatch(/end of the file|never trades/);
        await client.close(uri);
    });
});

describe('code lenses and the commands they run', () => {
    const uri = (): string => fileUri(join(workspace, 'tiny.af'));

    it('each strategy gets Backtest, Sweep (it has param ranges), Show DAG, Find similar and Paper trade', async () => {
        await client.open(uri(), TINY);
        await client.diagnostics(uri());
        const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uri() } });
        expect(lenses.map(l => l.command?.command)).toEqual([LspCommands.backtest, LspCommands.sweep, LspCommands.showDag, LspCommands.findSimilar, LspCommands.paperTrade]);
        expect(lenses.every(l => l.range.start.line === 0)).toBe(true);
        expect(lenses[0]!.command!.arguments).toEqual([{ uri: uri(), strategy: 'Tiny' }]);
    });

    it('Show DAG writes the DAG as Graphviz DOT to a file and returns its URI', async () => {
        const r = await client.request<CommandResult>('workspace/executeCommand', { command: LspCommands.showDag, arguments: [{ uri: uri(), strategy: 'Tiny' }] });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        const file = fileURLToPath(r.uri!);
        expect(existsSync(file)).toBe(true);
        expect(readFileSync(file, 'utf8')).toBe(r.dot);
        expect(r.dot).toMatch(/^digraph "Tiny" \{/);
    });

    it('Find similar answers from the workspace (the other file is the nearest)', async () => {
        const r = await client.request<CommandResult>('workspace/executeCommand', { command: LspCommands.findSimilar, arguments: [{ uri: uri(), strategy: 'Tiny' }] });
        expect(r.ok, r.message).toBe(true);
        if (r.ok) expect(r.similar?.matches[0]?.strategy).toBe('Tiny2');
    });

    it('Backtest runs on the daemon the server found, waits, and returns the run with its metrics', async () => {
        const r = await client.request<CommandResult>('workspace/executeCommand', { command: LspCommands.backtest, arguments: [{ uri: uri(), strategy: 'Tiny' }] }, 60_000);
        expect(r.ok, r.message).toBe(true);
        if (!r.ok) return;
        expect(r.run).toMatchObject({ kind: 'backtest', state: 'completed' });
        expect(typeof r.run!.metrics?.['sharpe']).toBe('number');
        expect(r.message).toMatch(/^backtest [0-9a-f]{8} of Tiny completed: return/);
        expect(client.logs.some(l => l.message.startsWith('AlphaForge: backtest'))).toBe(true);
    }, 90_000);

    it('Paper trade starts a paper deployment on the daemon the server found (replay feed, the defaults) and answers at once', async () => {
        const r = await client.request<CommandResult>('workspace/executeCommand', { command: LspCommands.paperTrade, arguments: [{ uri: uri(), strategy: 'Tiny' }] }, 30_000);
        expect(r.ok, r.message).toBe(true);
        if (!r.ok) return;
        expect(r.deployment).toMatchObject({ strategy: 'Tiny', state: 'starting' });
        expect(r.message).toMatch(/^paper trading Tiny on synth:AAA replayed from 2019-01-01, a bar every 250 ms: deployment dep_/);
        const admin = new DaemonClient({ url: daemon.url, token: daemon.adminToken! });
        const { deployment } = await admin.call('execution.show', { id: r.deployment!.id });
        expect(deployment).toMatchObject({ mode: 'paper', venue: 'paper', uri: uri(), feed: { kind: 'replay', barMs: 250, from: '2019-01-01' } });
        expect((await admin.call('execution.kill', { id: deployment.id })).deployments[0]?.state).toBe('halted');
    }, 30_000);

    it('bad arguments are refused with what the command takes', async () => {
        const r = await client.request<CommandResult>('workspace/executeCommand', { command: LspCommands.backtest, arguments: [{ strategy: 7 }] });
        expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/takes one argument \{uri, strategy\?\}: uri/) });
    });
});
