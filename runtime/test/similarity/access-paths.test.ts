/**
 * "Find similar" from every access path gives the same answer for the same query: the language
 * server (alphaforge/similar over LSP, a real server process), `af similar --json` (in process),
 * the daemon's similar.find (a real daemon on 127.0.0.1 with completed runs in its DuckDB file)
 * and the MCP tool find_similar (the real MCP server over the SDK's in-memory transport).
 * Workspace scope: LSP = CLI = MCP. Store scope: daemon = CLI = MCP, with the "tried N times" line.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspMethods } from '../../../protocol/src/lsp.js';
import type { SimilarResult } from '../../../protocol/src/daemon/index.js';
import { run as af } from '../../src/cli/main.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { fileUri, LspClient } from '../../../server/test/lsp-client.js';
import { tempDir } from '../data/helpers.js';
import { importSynthBars, TINY } from '../support/fixtures.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url);

/** One function swapped: a near neighbour. */
const TINY_EMA = TINY.replace(/Tiny/g, 'TinyEma').replace('sma(close, fast)', 'ema(close, fast)');
/** The query: Tiny renamed, reformatted, other default values. */
const QUERY = TINY.replace(/Tiny/g, 'Query').replace(/\bf\b/g, 'quick').replace(/\bs\b/g, 'lazy').replace('= 5 in', '= 4 in').replace(/\n {2}/g, '\n    ');

let root: string;
let stateDir: string;
let daemon: RunningDaemon;
let admin: DaemonClient;
let lsp: LspClient;
let mcp: Client;

async function cli(...args: string[]): Promise<SimilarResult> {
    let text = '';
    const code = await af(['similar', ...args, '--json', '--root', root, '--state-dir', stateDir], s => { text += s; }, () => undefined);
    expect(code, text).toBe(0);
    return JSON.parse(text) as SimilarResult & { problems?: unknown };
}

async function tool(args: Record<string, unknown>): Promise<SimilarResult> {
    const r = (await mcp.callTool({ name: 'find_similar', arguments: args })) as CallToolResult;
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
    return r.structuredContent as unknown as SimilarResult;
}

async function untilCompleted(ids: string[]): Promise<void> {
    for (let i = 0; i < 600; i++) {
        const states = await Promise.all(ids.map(async id => (await admin.call('runs.get', { id })).run.state));
        if (states.every(s => s === 'completed')) return;
        if (states.some(s => s === 'failed' || s === 'cancelled')) throw new Error(`a run ended ${states.join(', ')}`);
        await new Promise(r => setTimeout(r, 100));
    }
    throw new Error('runs did not complete');
}

beforeAll(async () => {
    root = tempDir('af-sim-ws-');
    stateDir = join(root, '.alphaforge');
    // The workspace: the examples (and their library) plus the Tiny family.
    for (const f of readdirSync(EXAMPLES)) if (f.endsWith('.af')) copyFileSync(new URL(f, EXAMPLES), join(root, f));
    if (existsSync(new URL('lib/', EXAMPLES))) {
        mkdirSync(join(root, 'lib'));
        for (const f of readdirSync(new URL('lib/', EXAMPLES))) copyFileSync(new URL(`lib/${f}`, EXAMPLES), join(root, 'lib', f));
    }
    writeFileSync(join(root, 'tiny.af'), TINY);
    writeFileSync(join(root, 'tiny-ema.af'), TINY_EMA);
    writeFileSync(join(root, 'query.af'), QUERY);

    await importSynthBars(stateDir, { symbols: ['AAA'], seed: 5 });
    // Imports of sources sent over RPC resolve only inside the daemon's source folders: the workspace here.
    daemon = await startDaemon({ stateDir, port: 0, concurrency: 2, sourceRoots: [root] });
    admin = new DaemonClient({ url: daemon.url, token: daemon.adminToken! });
    const ids = [
        (await admin.call('runs.submit', { kind: 'backtest', spec: { source: TINY } })).run.id,
        (await admin.call('runs.submit', { kind: 'backtest', spec: { source: TINY, params: { fast: 3 } } })).run.id,
        (await admin.call('runs.submit', { kind: 'sweep', spec: { source: TINY, sweep: { mode: 'random', samples: 12, seed: 1 } } })).run.id,
        (await admin.call('runs.submit', { kind: 'backtest', spec: { source: TINY_EMA } })).run.id,
    ];
    await untilCompleted(ids);

    lsp = await LspClient.start(root);
    const server = createMcpServer(admin, { cwd: root, stateDir });
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    mcp = new Client({ name: 'access-paths', version: '0' });
    await mcp.connect(b);
}, 120_000);

afterAll(async () => {
    await mcp?.close();
    await lsp?.stop();
    await daemon?.stop();
});

describe('find similar: the access paths agree', () => {
    it('workspace scope: language server = af similar = MCP', async () => {
        // As VS Code would: the query's document is open in the editor.
        await lsp.open(fileUri(join(root, 'query.af')), QUERY);
        const viaLsp = await lsp.request<{ ok: boolean; value: SimilarResult }>(LspMethods.similar, { uri: fileUri(join(root, 'query.af')), limit: 6 });
        expect(viaLsp.ok, JSON.stringify(viaLsp)).toBe(true);
        const a = viaLsp.value;
        expect(a.matches[0]).toMatchObject({ scope: 'workspace', strategy: 'Tiny', match: 'structure', similarity: 1, file: { path: 'tiny.af', line: 0 } });
        // The next two are the near variants: one function swapped, and the SMA example (Tiny plus a stop and a drawdown halt).
        expect(a.matches.slice(1, 3).map(m => [m.strategy, m.match, m.difference]).sort()).toEqual([
            ['SmaCross', 'similar', 'adds ×, atr, risk.max_drawdown, risk.stop_loss'],
            ['TinyEma', 'similar', 'same DAG except sma→ema in one place'],
        ]);
        expect(a.matches.map(m => m.strategy)).not.toContain('Query');

        const b = await cli(join(root, 'query.af'), '--k', '6', '--scope', 'workspace');
        expect(b.matches).toEqual(a.matches);
        expect(b.query).toEqual(a.query);
        const c = await tool({ file: 'query.af', scope: 'workspace', k: 6 });
        expect(c.matches).toEqual(a.matches);
    });

    it('store scope: daemon similar.find = af similar = MCP, with how often the structure was tried', async () => {
        const viaDaemon = await admin.call('similar.find', { source: QUERY, uri: fileUri(join(root, 'query.af')), k: 5 });
        expect(viaDaemon.tried).toMatchObject({ runs: 3, best: { metric: 'deflatedSharpe' } });
        expect(viaDaemon.tried!.summary).toMatch(/^this structure was tried 3 times; best deflated Sharpe -?\d+\.\d\d \(run /);
        expect(viaDaemon.matches[0]).toMatchObject({ scope: 'store', strategy: 'Tiny', match: 'structure', similarity: 1 });
        expect(viaDaemon.matches[0]!.runs!.runs).toBe(3);
        expect(viaDaemon.matches[1]).toMatchObject({ strategy: 'TinyEma', match: 'similar', difference: 'same DAG except sma→ema in one place' });
        expect(viaDaemon.matches[1]!.runs!.best).toMatchObject({ metric: 'sharpe' });

        const viaCli = await cli(join(root, 'query.af'), '--k', '5', '--scope', 'store', '--url', daemon.url, '--token', daemon.adminToken!);
        expect(viaCli.matches).toEqual(viaDaemon.matches);
        expect(viaCli.tried).toEqual(viaDaemon.tried);
        const viaMcp = await tool({ file: 'query.af', scope: 'store', k: 5 });
        expect(viaMcp.matches).toEqual(viaDaemon.matches);
        expect(viaMcp.tried).toEqual(viaDaemon.tried);
    });

    it('scope all merges both, identical and same-structure first', async () => {
        const all = await cli(join(root, 'query.af'), '--k', '4', '--scope', 'all', '--url', daemon.url, '--token', daemon.adminToken!);
        expect(all.matches.slice(0, 2).map(m => [m.scope, m.strategy, m.match])).toEqual([['store', 'Tiny', 'structure'], ['workspace', 'Tiny', 'structure']]);
        expect(all.indexes.map(i => i.scope)).toEqual(['workspace', 'store']);
        expect(all.tried?.runs).toBe(3);
    });

    it('a stored run whose source imports a library is indexed (its imports resolve from its uri)', async () => {
        const withLib = `import "lib/filters.af"
strategy TinyLib {
  universe: synth:AAA
  timeframe: 1d
  param fast: int = 5 in 2..10 step 1
  feature f = sma(close, fast)
  rules {
    when trend_ok(close, 30) and close > f => target 100% long
    when close < f => flat
  }
}
`;
        const uri = fileUri(join(root, 'tiny-lib.af'));
        writeFileSync(join(root, 'tiny-lib.af'), withLib);
        const id = (await admin.call('runs.submit', { kind: 'backtest', spec: { source: withLib, uri } })).run.id;
        await untilCompleted([id]);
        const r = await admin.call('similar.find', { source: withLib, uri, k: 3 });
        expect(r.tried).toMatchObject({ runs: 1, latestRunIds: [id] });
        expect(r.matches[0]).toMatchObject({ scope: 'store', strategy: 'TinyLib', match: 'identical', similarity: 1 });
    });

    it('a query with a syntax error is refused with file:line, and no index changes', async () => {
        writeFileSync(join(root, 'broken.af'), TINY.replace('rules {', 'rules {{').replace(/Tiny/g, 'Broken'));
        let err = '';
        const code = await af(['similar', join(root, 'broken.af'), '--root', root, '--state-dir', stateDir], () => undefined, s => { err += s; });
        expect(code).toBe(1);
        expect(err).toMatch(/broken\.af:\d+:\d+ syntax error: .*fix it first — nothing was searched and no index changed/);
        // Through the daemon the same source is a clear invalid-params error.
        await expect(admin.call('similar.find', { source: TINY.replace('rules {', 'rules {{') })).rejects.toThrow(/syntax errors .*fix them first/);
    });
});
