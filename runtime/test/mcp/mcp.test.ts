/**
 * `af mcp` end to end: a real daemon in this process (temp state dir, synthetic bars, port 0),
 * the real `af mcp` as a child process (`node bin/af.js mcp`, from out/: the tests run after
 * `npm run build`) and the MCP SDK's own client over stdio. The agent holds a scoped token like
 * the one docs/agents.md tells an operator to create.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { SimilarResult } from '../../../protocol/src/daemon/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { stateWithSynthBars, TINY } from '../support/fixtures.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const AF = join(ROOT, 'bin', 'af.js');

const STRATEGY = TINY;
/** The same strategy with a typo: `fats` is not a name (AF003). */
const BROKEN = STRATEGY.replace('sma(close, fast)', 'sma(close, fats)');
/** The same structure under other names: find_similar must see through them. */
const RENAMED = STRATEGY.replace(/Tiny/g, 'Renamed').replace(/\bf\b/g, 'quick').replace(/\bs\b/g, 'slowMa');

const TOOLS = ['lint', 'compile', 'backtest', 'sweep', 'search_experiments', 'find_similar', 'get_run', 'get_run_logs', 'compare_runs', 'list_data',
    'registry_publish', 'registry_list', 'registry_show', 'registry_approve', 'registry_retire', 'registry_diff', 'diff',
    'deploy_paper', 'deployments_list', 'deployment_show', 'deployment_kill'];

let daemon: RunningDaemon;
let stateDir: string;
let admin: DaemonClient;
let agentToken: string;
const opened: Client[] = [];
const stderr: string[] = [];

/** Starts `af mcp` as a child process and connects the SDK's client to it. */
async function mcp(token: string): Promise<Client> {
    const transport = new StdioClientTransport({
        command: process.execPath,
        args: [AF, 'mcp', '--url', daemon.url, '--token', token],
        cwd: stateDir,
        env: { PATH: process.env['PATH'] ?? '' },
        stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
    const client = new Client({ name: 'mcp-test', version: '0.0.0' });
    await client.connect(transport);
    opened.push(client);
    return client;
}

const call = async (c: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> =>
    (await c.callTool({ name, arguments: args })) as CallToolResult;
const textOf = (r: CallToolResult): string => r.content.map(x => (x.type === 'text' ? x.text : '')).join('\n');
const data = <T = Record<string, unknown>>(r: CallToolResult): T => r.structuredContent as T;

beforeAll(async () => {
    stateDir = await stateWithSynthBars('af-mcp-');
    daemon = await startDaemon({ stateDir, port: 0, concurrency: 2, limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000 } });
    admin = new DaemonClient({ url: daemon.url, token: daemon.adminToken! });
    // As docs/agents.md: a user for the agent, a role, and a scoped, expiring token.
    await admin.call('iam.users.create', { name: 'agent' });
    await admin.call('iam.members.set', { user: 'agent', team: 'default', role: 'researcher' });
    agentToken = (await admin.call('iam.tokens.create', { name: 'agent', user: 'agent', scopes: ['lang', 'runs', 'experiments', 'similar', 'data'], ttlMs: 7 * 86_400_000 })).token;
}, 60_000);

afterAll(async () => {
    for (const c of opened) await c.close().catch(() => undefined);
    await daemon?.stop();
});

describe('af mcp', () => {
    it('serves the research loop to an agent: lint, compile, backtest, sweep, search, similar, runs, data', async () => {
        const c = await mcp(agentToken);
        expect(c.getServerVersion()?.name).toBe('alphaforge');
        expect(c.getInstructions()).toMatch(/lint/);

        // The tools, each with an object input schema.
        const { tools } = await c.listTools();
        const byName = new Map(tools.map(t => [t.name, t]));
        for (const name of TOOLS) {
            expect(byName.has(name), name).toBe(true);
            expect(byName.get(name)!.inputSchema.type).toBe('object');
            expect(byName.get(name)!.description?.length).toBeGreaterThan(20);
        }
        expect(Object.keys(byName.get('lint')!.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['source', 'file', 'uri']));
        expect(Object.keys(byName.get('backtest')!.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['source', 'params', 'symbols', 'from', 'to', 'wait', 'timeoutSeconds']));
        expect(Object.keys(byName.get('sweep')!.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['mode', 'samples', 'sortBy']));
        expect(byName.get('lint')!.annotations?.readOnlyHint).toBe(true);

        // list_data: the stored bars.
        const listed = await call(c, 'list_data', {});
        expect(listed.isError).toBeFalsy();
        expect(data<{ series: { id: string; bars: number }[] }>(listed).series).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'synth:AAA', bars: 400 })]));

        // lint: a broken source gives its diagnostic code; the fixed one is clean; a file works too.
        const broken = await call(c, 'lint', { source: BROKEN });
        expect(broken.isError).toBeFalsy();
        const diags = data<{ ok: boolean; diagnostics: { code: string; line: number }[] }>(broken);
        expect(diags.ok).toBe(false);
        expect(diags.diagnostics.map(d => d.code)).toContain('AF003');
        expect(textOf(broken)).toMatch(/7:\d+ error AF003/);
        const fixed = await call(c, 'lint', { source: STRATEGY });
        expect(data<{ ok: boolean; errors: number }>(fixed)).toMatchObject({ ok: true, errors: 0 });
        writeFileSync(join(stateDir, 'tiny.af'), BROKEN);
        const fromFile = await call(c, 'lint', { file: 'tiny.af' });
        expect(data<{ diagnostics: { uri: string }[] }>(fromFile).diagnostics[0]!.uri).toMatch(/^file:.*tiny\.af$/);
        const neither = await call(c, 'lint', {});
        expect(neither.isError).toBe(true);
        expect(textOf(neither)).toMatch(/exactly one of `source`/);

        // compile: fingerprints and a summary, not the IR unless asked.
        const compiled = await call(c, 'compile', { source: STRATEGY });
        const comp = data<{ ok: boolean; fingerprints: { exact: string }; summary: { gridSize: number; params: unknown[] }; ir?: unknown }>(compiled);
        expect(comp.ok).toBe(true);
        expect(comp.fingerprints.exact).toMatch(/^[0-9a-f]{64}$/);
        expect(comp.summary.gridSize).toBe(36);
        expect(comp.summary.params).toHaveLength(2);
        expect(comp.ir).toBeUndefined();
        expect(data<{ ir: { nodes: unknown[] } }>(await call(c, 'compile', { source: STRATEGY, includeIr: true })).ir.nodes.length).toBeGreaterThan(0);
        expect(data<{ ok: boolean }>(await call(c, 'compile', { source: BROKEN })).ok).toBe(false);

        // backtest: waits, returns metrics, params and provenance; the run is real on the daemon.
        const bt = await call(c, 'backtest', { source: STRATEGY, params: { fast: 3 }, tags: { agent: 'mcp-test' } });
        expect(bt.isError, textOf(bt)).toBeFalsy();
        const run = data<{ runId: string; state: string; params: Record<string, number>; metrics: Record<string, number | null>; provenance: Record<string, unknown> }>(bt);
        expect(run.state).toBe('completed');
        expect(run.params).toEqual({ fast: 3, slow: 20 });
        expect(run.metrics['tradeCount']).toBeGreaterThan(0);
        expect(run.metrics['sharpe']).toEqual(expect.any(Number));
        expect(run.provenance['exactFingerprint']).toMatch(/^[0-9a-f]{64}$/);
        expect(run.provenance['dataSnapshot']).toMatch(/^[0-9a-f]{64}$/);
        expect(run.provenance['engineVersion']).toEqual(expect.any(String));
        expect(textOf(bt)).toContain(run.runId);
        const onDaemon = (await admin.call('runs.get', { id: run.runId })).run;
        expect(onDaemon.state).toBe('completed');
        expect(onDaemon.owner).toBe('agent');

        expect(onDaemon.metrics).toEqual(run.metrics);

        // wait: false answers with the run id at once; get_run waits for it.
        const queued = await call(c, 'backtest', { source: STRATEGY, params: { fast: 4 }, wait: false });
        const q = data<{ runId: string; done: boolean }>(queued);
        expect(q.done).toBe(false);
        expect(q.runId).toEqual(expect.any(String));
        const waited = data<{ done: boolean; state: string; metrics: object }>(await call(c, 'get_run', { id: q.runId, waitSeconds: 30 }));
        expect(waited).toMatchObject({ done: true, state: 'completed' });

        // sweep: the grid, the best params, the top rows and the deflated Sharpe.
        const sw = await call(c, 'sweep', { source: STRATEGY, sortBy: 'sharpe', top: 5, timeoutSeconds: 30 });
        expect(sw.isError, textOf(sw)).toBeFalsy();
        const sweep = data<{ state: string; trials: number; deflatedSharpe: number | null; best: { params: Record<string, number> }; top: { params: Record<string, number>; metrics: Record<string, number | null> }[] }>(sw);
        expect(sweep.state).toBe('completed');
        expect(sweep.trials).toBe(36);
        expect(sweep.top).toHaveLength(5);
        expect(sweep.top[0]!.params).toEqual(sweep.best.params);
        expect(sweep.top[0]!.metrics['sharpe']!).toBeGreaterThanOrEqual(sweep.top[4]!.metrics['sharpe']!);
        expect(sweep.deflatedSharpe).toEqual(expect.any(Number));
        expect(textOf(sw)).toMatch(/deflated Sharpe of the best: [\d.]+/);

        // search_experiments: a bad filter is a tool error naming the column; a good one finds the runs.
        const bad = await call(c, 'search_experiments', { filter: 'metrics.sharpe > and' });
        expect(bad.isError).toBe(true);
        expect(textOf(bad)).toMatch(/column \d+/);
        expect(data<{ error: { code: number; data: { column: number } } }>(bad).error).toMatchObject({ code: -32602, data: { column: expect.any(Number) } });
        const found = await call(c, 'search_experiments', { filter: `attributes.strategy = 'Tiny' and attributes.kind = 'backtest'`, orderBy: 'metrics.sharpe desc' });
        expect(found.isError, textOf(found)).toBeFalsy();
        const rows = data<{ total: number; rows: { runId: string; params: Record<string, unknown> }[] }>(found);
        expect(rows.total).toBe(2);
        expect(rows.rows.map(r => r.runId)).toContain(run.runId);
        // Each row carries its place in the research ledger: the two backtests of this structure were its trials 1 and 2
        // (the sweep's 36 came after), and the text says so.
        const ledgered = data<{ rows: { runId: string; ledger?: { trial: number; structure: { trials: number } } }[] }>(found).rows;
        const fast3 = ledgered.find(r => r.runId === run.runId)!.ledger!;
        expect([fast3.trial, fast3.structure.trials]).toEqual([1, 1]);
        expect(ledgered.find(r => r.runId === q.runId)!.ledger!.trial).toBe(2);
        expect(textOf(found)).toContain(`${run.runId} backtest`);
        expect(textOf(found)).toMatch(/research ledger: trial 1 of this structure \(\d+ in its family\); deflated Sharpe/);
        const tagged = data<{ rows: { runId: string }[] }>(await call(c, 'search_experiments', { filter: `tags.agent = 'mcp-test'` }));
        expect(tagged.rows.map(r => r.runId)).toEqual([run.runId]);

        // find_similar: the renamed strategy has the same structure as the runs.
        const similar = await call(c, 'find_similar', { source: RENAMED, k: 5 });
        expect(similar.isError, textOf(similar)).toBeFalsy();
        const near = data<SimilarResult>(similar);
        const tiny = near.matches.find(m => m.scope === 'store' && m.strategy === 'Tiny')!;
        // Same structure; the runs used other parameter values than the defaults, so not identical.
        expect(tiny).toMatchObject({ match: 'structure', similarity: 1, difference: 'same structure, different parameter values' });
        expect(tiny.runs!.latestRunIds).toContain(run.runId);
        expect(near.tried!.summary).toMatch(/^this structure was tried (twice|\d+ times); best (deflated )?Sharpe -?\d+\.\d\d \(run /);
        expect(textOf(similar)).toContain(near.tried!.summary);
        const byRun = data<SimilarResult>(await call(c, 'find_similar', { runId: run.runId, k: 3 }));
        expect(byRun.matches.length).toBeGreaterThan(0);
        const brokenQuery = await call(c, 'find_similar', { source: BROKEN });
        expect(brokenQuery.isError).toBe(true);
        expect(textOf(brokenQuery)).toMatch(/AF003 .*does not compile/);

        // A run that fails is a tool error carrying the run and the reason.
        const failed = await call(c, 'backtest', { source: STRATEGY, params: { nope: 3 } });
        expect(failed.isError).toBe(true);
        expect(textOf(failed)).toMatch(/failed[\s\S]*unknown param 'nope'/);
        expect(data<{ state: string; runId: string }>(failed)).toMatchObject({ state: 'failed', runId: expect.any(String) });

        // get_run, get_run_logs; an unknown run is a 404 tool error.
        const got = await call(c, 'get_run', { id: run.runId });
        expect(data<{ runId: string; done: boolean; spec: { sourceChars: number } }>(got)).toMatchObject({ runId: run.runId, done: true, spec: { sourceChars: STRATEGY.length } });
        expect(textOf(got)).toMatch(/sharpe -?[\d.]+/);
        const logs = await call(c, 'get_run_logs', { id: sweep.top.length ? data<{ runId: string }>(sw).runId : run.runId });
        expect(textOf(logs)).toMatch(/combinations; best/);
        // compare_runs: the metrics side by side with the difference, the params that differ.
        const cmp = await call(c, 'compare_runs', { ids: [run.runId, data<{ runId: string }>(sw).runId], metrics: ['sharpe', 'tradeCount'] });
        expect(cmp.isError).toBeFalsy();
        expect(textOf(cmp)).toMatch(/^2 runs: /);
        expect(textOf(cmp)).toMatch(/\nsharpe: -?[\d.,]+ \| -?[\d.,]+; difference [+-][\d.,]+/);
        expect(data<{ runs: { id: string }[]; metricKeys: string[] }>(cmp)).toMatchObject({ runs: [{ id: run.runId }, { id: data<{ runId: string }>(sw).runId }], metricKeys: ['sharpe', 'tradeCount'] });
        const missing = await call(c, 'get_run', { id: 'no-such-run' });
        expect(missing.isError).toBe(true);
        expect(textOf(missing)).toMatch(/404/);
        // A named benchmark travels to the run; an unknown one is a tool error naming it.
        const vsB = data<{ runId: string; state: string }>(await call(c, 'backtest', { source: STRATEGY, params: { fast: 3 }, benchmark: 'synth:BBB' }));
        expect(vsB.state).toBe('completed');
        expect((await admin.call('runs.result', { id: vsB.runId })).result.tearsheet?.benchmark?.name).toBe('buy and hold synth:BBB');
        const noSuch = await call(c, 'backtest', { source: STRATEGY, benchmark: 'synth:NOPE' });
        expect(noSuch.isError).toBe(true);
        expect(textOf(noSuch)).toMatch(/benchmark synth:NOPE/);
    }, 90_000);

    it('serves the strategy registry: publish, list, show, approve (four eyes), diff, retire', async () => {
        const tokenOf = async (name: string, role: 'researcher' | 'trader'): Promise<string> => {
            await admin.call('iam.users.create', { name });
            await admin.call('iam.members.set', { user: name, team: 'default', role });
            return (await admin.call('iam.tokens.create', { name, user: name, scopes: ['registry'] })).token;
        };
        const author = await mcp(await tokenOf('mcp-author', 'trader'));
        const reviewer = await mcp(await tokenOf('mcp-reviewer', 'trader'));
        const published = await call(author, 'registry_publish', { source: STRATEGY, name: 'McpTiny', notes: 'from an agent' });
        expect(published.isError, textOf(published)).toBeFalsy();
        expect(textOf(published)).toMatch(/^published McpTiny@1 draft \(Tiny\) by mcp-author/);
        await call(author, 'registry_publish', { source: STRATEGY, params: { fast: 3 }, name: 'McpTiny' });
        const listed = data<{ entries: { name: string; version: number; state: string }[] }>(await call(reviewer, 'registry_list', { name: 'McpTiny' }));
        expect(listed.entries.map(e => `${e.name}@${e.version} ${e.state}`)).toEqual(['McpTiny@2 draft', 'McpTiny@1 draft']);
        const own = await call(author, 'registry_approve', { name: 'McpTiny', version: 1 });
        expect(own.isError).toBe(true);
        expect(textOf(own)).toMatch(/403.*four eyes/s);
        expect(textOf(await call(reviewer, 'registry_approve', { name: 'McpTiny', version: 1, note: 'ok' }))).toMatch(/McpTiny@1 approved .*approved by mcp-reviewer/);
        const shown = await call(reviewer, 'registry_show', { name: 'McpTiny', version: 1 });
        expect(textOf(shown)).toMatch(/approved: draft → approved by mcp-reviewer \(ok\)/);
        const diff = await call(reviewer, 'registry_diff', { name: 'McpTiny', from: 1, to: 2 });
        expect(textOf(diff)).toMatch(/^McpTiny@1 → McpTiny@2: same structure, different parameter values\nparam fast: 5 → 3/);
        expect(textOf(await call(reviewer, 'registry_retire', { name: 'McpTiny', version: 2 }))).toMatch(/McpTiny@2 retired/);
    }, 60_000);

    it('paper trades through deployments: start, list, show, kill', async () => {
        await admin.call('iam.users.create', { name: 'mcp-trader' });
        await admin.call('iam.members.set', { user: 'mcp-trader', team: 'default', role: 'trader' });
        const c = await mcp((await admin.call('iam.tokens.create', { name: 'mcp-trader', user: 'mcp-trader', scopes: ['execution'] })).token);
        const started = await call(c, 'deploy_paper', { source: STRATEGY, from: '2020-01-01', to: '2020-03-01', barMs: 100 });
        expect(started.isError, textOf(started)).toBeFalsy();
        expect(textOf(started)).toMatch(/^started dep_\w+ paper starting: Tiny on paper, 0 bars/);
        const id = data<{ deployment: { id: string } }>(started).deployment.id;
        expect(textOf(await call(c, 'deployments_list', {}))).toContain(id);
        expect(textOf(await call(c, 'deployment_show', { id }))).toMatch(new RegExp(`^${id} paper (starting|warming|running)`));
        const killed = await call(c, 'deployment_kill', { id, reason: 'agent' });
        expect(textOf(killed)).toMatch(new RegExp(`^${id} paper halted \\(kill switch by mcp-trader: agent\\)`));
        const neither = await call(c, 'deployment_kill', {});
        expect(neither.isError).toBe(true);
    }, 60_000);

    it('a bad token: tool calls answer with an authentication error, and the server keeps serving', async () => {
        const c = await mcp('af_notatoken0000000000000000000000000000000000000000000');
        const first = await call(c, 'lint', { source: STRATEGY });
        expect(first.isError).toBe(true);
        expect(textOf(first)).toMatch(/401/);
        expect(data<{ error: { code: number } }>(first).error.code).toBe(401);
        const second = await call(c, 'backtest', { source: STRATEGY });
        expect(second.isError).toBe(true);
        expect(textOf(second)).toMatch(/401/);
        expect((await c.listTools()).tools.length).toBeGreaterThanOrEqual(TOOLS.length);
        expect(stderr.join('')).toMatch(/af mcp .*serving MCP on stdio/);
    }, 30_000);
});
