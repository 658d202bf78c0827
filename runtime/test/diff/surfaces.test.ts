/**
 * One answer for one pair, whoever asks: `af diff A B --json` (two files, compared in this
 * process), the daemon's lang.diff (source texts), the language server's alphaforge/diff (the two
 * files open in its workspace) and the MCP tool `diff` (the files by path, through the daemon)
 * give the same JSON. Also: `af diff` of two runs and of two registry versions through the daemon
 * (a run's recorded params; registry.diff carries the same diff), the words, FILE#Strategy, and
 * the clear errors for a side that does not compile or does not exist.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../protocol/src/client.js';
import { DagDiffSchema, type DagDiff } from '../../../protocol/src/dag-diff.js';
import { LspMethods, type Compiled } from '../../../protocol/src/lsp.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { run } from '../../src/cli/main.js';
import { LspClient } from '../../../server/test/lsp-client.js';
import { stateWithSynthBars, TINY } from '../support/fixtures.js';
import { tempDir, writeFile } from '../data/helpers.js';

const AF = join(fileURLToPath(new URL('../../../', import.meta.url)), 'bin', 'af.js');
/** Tiny with an EMA for the slow average, a wider fast range, a stop and one more rule. */
const CHANGED = TINY.replace('sma(close, slow)', 'ema(close, slow)').replace('param fast: int = 5 in 2..10 step 1', 'param fast: int = 4 in 2..12 step 1')
    .replace('    when crossunder(f, s) => flat\n', '    when crossunder(f, s) => flat\n    when rsi(close, 14) > 80 => flat\n  }\n  risk {\n    stop_loss: 5%\n');

let daemon: RunningDaemon;
let stateDir: string;
let remote: string[];
const dir = tempDir('af-diff-');
let a: string, b: string, two: string;

async function af(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await run(argv, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

beforeAll(async () => {
    stateDir = await stateWithSynthBars('af-diff-state-');
    daemon = await startDaemon({ stateDir, port: 0, concurrency: 2, limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000 } });
    remote = ['--url', daemon.url, '--token', daemon.adminToken!, '--state-dir', stateDir];
    a = writeFile(dir, 'a.af', TINY);
    b = writeFile(dir, 'b.af', CHANGED);
    two = writeFile(dir, 'two.af', `${TINY}\n${CHANGED.replace('strategy Tiny', 'strategy Other')}`);
}, 120_000);

afterAll(async () => {
    await daemon?.stop();
});

describe('one diff on every surface', () => {
    it('CLI = daemon = language server = MCP for the same two files', async () => {
        const cli = await af('diff', a, b, '--json');
        expect(cli.err).toBe('');
        expect(cli.code).toBe(0);
        const fromCli = DagDiffSchema.parse(JSON.parse(cli.out));
        // What the pair differs in, so equality below is not of two empty answers.
        expect(fromCli.changed.map(c => c.label)).toContain('sma() → ema()');
        expect(fromCli.params.map(p => p.name)).toEqual(['fast']);
        expect(fromCli.sinks.map(s => `${s.change} ${s.sink}`)).toEqual(expect.arrayContaining(['added rule 3', 'added risk.stop_loss']));

        const client = new DaemonClient({ url: daemon.url, token: daemon.adminToken! });
        const fromDaemon = await client.call('lang.diff', { from: { source: TINY, uri: pathToFileURL(a).href }, to: { source: CHANGED, uri: pathToFileURL(b).href } });

        const lsp = await LspClient.start(dir);
        let fromLsp: DagDiff;
        try {
            const r = await lsp.request<Compiled<DagDiff>>(LspMethods.diff, { from: { uri: pathToFileURL(a).href }, to: { uri: pathToFileURL(b).href } });
            if (!r.ok) throw new Error(JSON.stringify(r.errors));
            fromLsp = r.value;
        } finally {
            await lsp.stop();
        }

        const transport = new StdioClientTransport({ command: process.execPath, args: [AF, 'mcp', '--url', daemon.url, '--token', daemon.adminToken!], cwd: dir, env: { PATH: process.env['PATH'] ?? '' }, stderr: 'pipe' });
        const mcp = new Client({ name: 'diff-test', version: '0.0.0' });
        await mcp.connect(transport);
        let fromMcp: DagDiff;
        try {
            const r = (await mcp.callTool({ name: 'diff', arguments: { from: { file: 'a.af' }, to: { file: 'b.af' } } })) as CallToolResult;
            expect(r.isError ?? false).toBe(false);
            fromMcp = r.structuredContent as DagDiff;
            expect(r.content.map(x => (x.type === 'text' ? x.text : '')).join('\n')).toContain('~ sma() → ema()');
        } finally {
            await mcp.close();
        }

        expect(fromDaemon).toEqual(fromCli);
        expect(fromLsp).toEqual(fromCli);
        expect(fromMcp).toEqual(fromCli);
    }, 120_000);

    it('prints the diff in words, and picks a strategy with FILE#Name', async () => {
        const r = await af('diff', a, `${two}#Other`);
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/→ .*two\.af#Other: /);
        expect(r.out).toContain('~ sma() → ema()  «s»: fn sma → ema');
        expect(r.out).toContain('~ fast: default 5 → 4; range 2..10 step 1 → 2..12 step 1');
        expect(r.out).toContain('+ rule 3: flat all');
        const many = await af('diff', a, two);
        expect(many.code).not.toBe(0);
        expect(many.err).toMatch(/two\.af has 2 strategies \(Tiny, Other\); say which with .*two\.af#Tiny/);
    });

    it('says which side does not compile, and what an unknown side is', async () => {
        const broken = writeFile(dir, 'broken.af', TINY.replace('sma(close, fast)', 'sma(close, fats)'));
        const r = await af('diff', a, broken);
        expect(r.code).not.toBe(0);
        expect(r.err).toMatch(/broken\.af does not compile:\n {2}.*broken\.af:\d+:\d+ AF\d+ .*fats/);
        const missing = await af('diff', a, join(dir, 'nope.af'));
        expect(missing.err).toMatch(/nope\.af: no such file/);
        const unknownRun = await af('diff', 'run_0000000000000000', a, ...remote);
        expect(unknownRun.code).not.toBe(0);
        expect(unknownRun.err).toMatch(/run run_0000000000000000 not found/);
    });

    it('diffs two runs (with the params they ran) and two registry versions through the daemon', async () => {
        const client = new DaemonClient({ url: daemon.url, token: daemon.adminToken! });
        const submit = async (params: Record<string, number>): Promise<string> => {
            const id = (await client.call('runs.submit', { kind: 'backtest', spec: { source: TINY, params } })).run.id;
            const deadline = Date.now() + 60_000;
            while (Date.now() < deadline) {
                const s = (await client.call('runs.get', { id })).run.state;
                if (s === 'completed') return id;
                if (s === 'failed' || s === 'cancelled') throw new Error(`run ${id} ${s}`);
                await new Promise(r => setTimeout(r, 100));
            }
            throw new Error('run did not finish');
        };
        const [r1, r2] = [await submit({ fast: 5 }), await submit({ fast: 8 })];
        const runs = await af('diff', r1, r2, '--json', ...remote);
        expect(runs.err).toBe('');
        const d = DagDiffSchema.parse(JSON.parse(runs.out));
        expect(d.sameStructure).toBe(true);
        expect(d.params).toEqual([expect.objectContaining({ name: 'fast', changes: ['default 5 → 8'] })]);

        await client.call('registry.publish', { source: TINY, name: 'TinyReg' });
        await client.call('registry.publish', { source: CHANGED, name: 'TinyReg' });
        const reg = await af('diff', 'TinyReg@1', 'TinyReg@2', '--json', ...remote);
        expect(reg.err).toBe('');
        const fromFiles = JSON.parse((await af('diff', a, b, '--json')).out) as DagDiff;
        expect(JSON.parse(reg.out)).toEqual(fromFiles);
        // registry.diff: the same diff beside the file diffs; af registry diff prints it.
        const rd = await client.call('registry.diff', { from: { name: 'TinyReg', version: 1 }, to: { name: 'TinyReg', version: 2 } });
        expect(rd.dag).toEqual(fromFiles);
        const text = await af('registry', 'diff', 'TinyReg@1', 'TinyReg@2', ...remote);
        expect(text.out).toContain('~ sma() → ema()');
        expect(text.out).toContain('--- source (TinyReg@1)');
    }, 180_000);
});
