/**
 * `af runs promote` and `af registry` end to end against the real daemon (real DuckDB file, HTTP on 127.0.0.1, language
 * workers): a promoted run that imports a library is published with the library's exact text and
 * the run's provenance; a file is published as the next version; approval is refused to a
 * researcher and granted to another trader; `diff` shows the structure in words and unified diffs
 * of the source and the library; a run whose library changed since is refused; ls and retire.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../protocol/src/client.js';
import type { RegistryEntryDetail } from '../../../protocol/src/daemon/index.js';
import { run } from '../../src/cli/main.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { tempDir } from '../data/helpers.js';
import { stateWithSynthBars } from '../support/fixtures.js';

const STRATEGY = `import "../lib/filters.af"

strategy Trend {
  universe: synth:AAA
  timeframe: 1d
  param fast: int = 5 in 2..10 step 1
  param slow: int = 20 in 15..30 step 5
  constraint fast < slow
  feature f = sma(close, fast)
  feature s = sma(close, slow)
  rules {
    when trend_ok(close, slow) and crossover(f, s) => target 100% long
    when crossunder(f, s) => flat
  }
}
`;

let daemon: RunningDaemon;
let workspace: string;
let clientState: string;
const tokens: Record<'researcher' | 'trader', string> = { researcher: '', trader: '' };

async function af(token: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await run([...args, '--url', daemon.url, '--token', token, '--state-dir', clientState], s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

beforeAll(async () => {
    const stateDir = await stateWithSynthBars('af-reg-cli-');
    workspace = tempDir('af-reg-ws-');
    clientState = tempDir('af-reg-client-');
    mkdirSync(join(workspace, 'lib'));
    mkdirSync(join(workspace, 'strategies'));
    copyFileSync(join(import.meta.dirname, '../../../examples/lib/filters.af'), join(workspace, 'lib', 'filters.af'));
    writeFileSync(join(workspace, 'strategies', 'trend.af'), STRATEGY);
    daemon = await startDaemon({ stateDir, port: 0, concurrency: 1, workspace });
    const admin = new DaemonClient({ url: daemon.url, token: daemon.adminToken! });
    for (const role of ['researcher', 'trader'] as const) {
        await admin.call('iam.users.create', { name: `r-${role}` });
        await admin.call('iam.members.set', { user: `r-${role}`, team: 'default', role });
        tokens[role] = (await admin.call('iam.tokens.create', { name: role, user: `r-${role}`, team: 'default' })).token;
    }
}, 90_000);

afterAll(async () => {
    await daemon?.stop();
});

async function promotedRun(): Promise<string> {
    const c = new DaemonClient({ url: daemon.url, token: tokens.researcher });
    const file = join(workspace, 'strategies', 'trend.af');
    const { run: submitted } = await c.call('runs.submit', { kind: 'backtest', spec: { source: readFileSync(file, 'utf8'), uri: `file://${file}`, params: { fast: 4 } } });
    const deadline = Date.now() + 60_000;
    let state = submitted.state;
    while (!['completed', 'failed', 'cancelled'].includes(state) && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 100));
        state = (await c.call('runs.get', { id: submitted.id })).run.state;
    }
    expect(state).toBe('completed');
    const promoted = await af(tokens.researcher, 'runs', 'promote', submitted.id);
    expect(promoted.out).toContain(`promoted; publish it with: af registry publish ${submitted.id}`);
    return submitted.id;
}

describe('af registry', () => {
    it('publish a run and a file → approve (four eyes) → diff → ls → retire', async () => {
        const runId = await promotedRun();
        const lib = readFileSync(join(workspace, 'lib', 'filters.af'), 'utf8');

        const published = await af(tokens.researcher, 'registry', 'publish', runId, '--notes', 'first cut');
        expect(published.err).toBe('');
        expect(published.out).toMatch(/^published Trend@1 \(draft\) from run .*: Trend, 1 imported file\(s\)/);

        const shown = await af(tokens.researcher, 'registry', 'show', 'Trend@1', '--json');
        const entry = (JSON.parse(shown.out) as { entry: RegistryEntryDetail }).entry;
        const runDetail = (await new DaemonClient({ url: daemon.url, token: tokens.researcher }).call('runs.get', { id: runId })).run;
        expect(entry).toMatchObject({ runId, dataSnapshot: runDetail.dataSnapshot, fingerprints: runDetail.fingerprints, params: { fast: 4, slow: 20 }, notes: 'first cut', author: 'r-researcher', intact: true });
        expect(entry.libraries).toEqual([{ uri: expect.stringMatching(/\/lib\/filters\.af$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), text: lib }]);

        // The library and the strategy change on disk: the run no longer compiles to what it ran, so it cannot be published again.
        writeFileSync(join(workspace, 'lib', 'filters.af'), lib.replace('x > sma(x, length)', 'x > ema(x, length)'));
        const stale = await af(tokens.researcher, 'registry', 'publish', runId, '--name', 'Stale');
        expect(stale.code).not.toBe(0);
        expect(stale.err).toMatch(/no longer compiles to what it ran .* a file it imports changed since; run it again/);

        // The file is published as version 2 (its new library text recorded).
        writeFileSync(join(workspace, 'strategies', 'trend.af'), STRATEGY.replace('param fast: int = 5', 'param fast: int = 3'));
        const second = await af(tokens.researcher, 'registry', 'publish', join(workspace, 'strategies', 'trend.af'));
        expect(second.out).toMatch(/^published Trend@2 \(draft\) from .*trend\.af/);

        // Approval: a researcher lacks the role; a trader who did not publish it approves.
        const denied = await af(tokens.researcher, 'registry', 'approve', 'Trend@1');
        expect(denied.code).not.toBe(0);
        expect(denied.err).toMatch(/trader/);
        expect((await af(tokens.trader, 'registry', 'approve', 'Trend@1', '--note', 'reviewed')).out).toBe('Trend@1 is approved\n');
        expect((await af(tokens.trader, 'registry', 'approve', 'Trend@1')).err).toMatch(/cannot approve Trend@1: it is approved/);

        const diff = await af(tokens.researcher, 'registry', 'diff', 'Trend@1', 'Trend@2');
        expect(diff.code).toBe(0);
        // trend_ok's sma(close, slow) was the same node as feature s (one DAG node); its ema is one more block.
        expect(diff.out).toMatch(/^Trend@1 → Trend@2: adds ema\n/);
        expect(diff.out).toContain('param fast: 4 → 3\n');
        expect(diff.out).toContain('-  param fast: int = 5 in 2..10 step 1\n+  param fast: int = 3 in 2..10 step 1\n');
        expect(diff.out).toContain('-def trend_ok(x, length: int): bool = x > sma(x, length)\n+def trend_ok(x, length: int): bool = x > ema(x, length)\n');

        const ls = await af(tokens.researcher, 'registry', 'ls');
        expect(ls.out.split('\n').filter(Boolean).map(l => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['Trend@2 draft', 'Trend@1 approved']);
        expect((await af(tokens.trader, 'registry', 'retire', 'Trend@2', '--note', 'superseded')).out).toBe('Trend@2 is retired\n');
        const show = await af(tokens.researcher, 'registry', 'show', 'Trend@2');
        expect(show.out).toMatch(/retired by r-trader: superseded/);
    }, 120_000);

    it('a publication that cannot be made is one clear line naming what and what to do; nothing is stored', async () => {
        const c = new DaemonClient({ url: daemon.url, token: tokens.researcher });
        const { run: unpromoted } = await c.call('runs.submit', { kind: 'backtest', spec: { source: STRATEGY.replace('import "../lib/filters.af"', '').replace('trend_ok(close, slow) and ', '') } });
        const notPromoted = await af(tokens.researcher, 'registry', 'publish', unpromoted.id, '--name', 'Bad');
        // Whether it has finished yet or not, it is not publishable: not completed, or not promoted.
        expect(notPromoted.err).toMatch(new RegExp(`run ${unpromoted.id} is (not promoted; promote it first \\(af runs promote|(created|queued|running); only a completed, promoted run)`));
        const broken = join(workspace, 'strategies', 'broken.af');
        writeFileSync(broken, 'strategy Broken {\n  universe: synth:AAA\n  timeframe: 1d\n  feature f = smaa(close, 5)\n}\n');
        const bad = await af(tokens.researcher, 'registry', 'publish', broken);
        expect(bad.err).toMatch(/^af: the strategy does not compile, nothing was published: .*broken\.af:4:\d+ AF\d{3} /);
        const param = await af(tokens.researcher, 'registry', 'publish', join(workspace, 'strategies', 'trend.af'), '--params', 'nope=3', '--name', 'Bad');
        expect(param.err).toMatch(/unknown param 'nope' for strategy Trend; its params are: fast, slow/);
        const range = await af(tokens.researcher, 'registry', 'publish', join(workspace, 'strategies', 'trend.af'), '--params', 'fast=50', '--name', 'Bad');
        expect(range.err).toMatch(/param 'fast' = 50 is outside its range 2\.\.10/);
        expect((await af(tokens.researcher, 'registry', 'publish', unpromoted.id, '--params', 'fast=3')).err).toMatch(/--strategy and --params go with a file/);
        expect((await c.call('registry.list', { name: 'Bad' })).entries).toEqual([]);
        expect((await c.call('registry.list', { name: 'Broken' })).entries).toEqual([]);
    }, 60_000);

    it('bad references are one clear line, before anything is sent', async () => {
        const r = await af(tokens.researcher, 'registry', 'approve', 'Trend');
        expect(r.code).not.toBe(0);
        expect(r.err).toMatch(/write NAME@VERSION with a version 1, 2, …/);
        const missing = await af(tokens.researcher, 'registry', 'publish', 'nope.af');
        expect(missing.err).toBe('af: nope.af: no such file\n');
        const unknown = await af(tokens.researcher, 'registry', 'show', 'Nothing');
        expect(unknown.err).toMatch(/no registry entry named Nothing in your team/);
    });
});
