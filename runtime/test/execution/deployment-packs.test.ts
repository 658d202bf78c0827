/**
 * Deployments compile and trade with their workspace's packs, through the real daemon: a strategy
 * using the mid-frequency pack's adx() (shipped with AlphaForge) paper trades, recorded in its
 * provenance, with the decisions of the backtest of the same bars (same orders at the same closes,
 * filled at the same prices); from a registry version too. A strategy needing a pack folder is
 * refused naming the pack (the daemon's main thread never runs workspace pack code) and the pack's
 * code never runs. After a restart, a deployment whose pack is gone, or is another version than
 * the one it was started with, is not resumed, with a reason that names the pack.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../protocol/src/client.js';
import { ErrorCodes, type Deployment } from '../../../protocol/src/daemon/index.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { withStore } from '../../src/schema/registry.js';
import { packsChanged } from '../../src/execution/deployments/deployment-packs.js';
import { af } from '../packs/support.js';
import { expectNoLeak, rejection, startSecureDaemon, type SecureDaemon } from '../security/support.js';

const DAY = 86_400_000;
const TREND = `strategy Trend {
  universe: synth:AAA
  timeframe: 1d
  feature mid = sma(close, 5)
  signal strong = adx(7) > 12
  rules {
    when crossover(close, mid) and strong => target 100% long
    when crossunder(close, mid) => flat
  }
}
`;
const FEED = { from: '2020-01-01', to: '2020-03-01' };

let sec: SecureDaemon;
let ws: string;
let marker: string;
let restarted: RunningDaemon | undefined;
const uriOf = (...p: string[]) => pathToFileURL(join(ws, ...p)).href;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise(r => setTimeout(r, 50));
    }
}
// Generous: every bar is a transaction, and CI's 2 cores are shared.
const ended = (c: DaemonClient, id: string, states = ['stopped', 'failed', 'halted']) => until(`${id} to end`, async () => {
    const d = (await c.call('execution.show', { id })).deployment;
    return states.includes(d.state) ? d : undefined;
}, 90_000);

beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'af-deploy-packs-'));
    marker = join(ws, 'pack-code-ran');
    writeFileSync(join(ws, 'alphaforge.json'), '{}');
    // Shipped: the mid-frequency pack enabled by name.
    mkdirSync(join(ws, 'shipped'));
    writeFileSync(join(ws, 'shipped', 'alphaforge.json'), JSON.stringify({ packs: [{ name: 'mid-frequency', version: '^1.0.0' }] }));
    // A pack folder whose code, if it ever runs, writes the marker.
    const folder = join(ws, 'folder', 'packs', 'demo');
    expect((await af('pack', 'new', 'demo', '--dir', folder)).code).toBe(0);
    const compiled = join(folder, 'compiled.js');
    writeFileSync(compiled, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n${readFileSync(compiled, 'utf8')}`);
    writeFileSync(join(ws, 'folder', 'alphaforge.json'), '{}');
    expect((await af('--config', join(ws, 'folder', 'alphaforge.json'), 'pack', 'add', folder)).code).toBe(0);
    sec = await startSecureDaemon({ workspace: ws });
}, 120_000);
afterAll(async () => {
    await restarted?.stop();
    await sec?.stop().catch(() => undefined); // stopped already by the restart test
});

describe('a deployment trades with the packs its folder declares', () => {
    it('a strategy using a shipped pack (mid-frequency adx) paper trades as its backtest decides, and lists the pack in its provenance', async () => {
        const trader = sec.client(sec.tokens.alpha.trader);
        const uri = uriOf('shipped', 'trend.af');
        const { deployment } = await trader.call('execution.paper.start', { source: TREND, uri, feed: { ...FEED, barMs: 2 } });
        expect(deployment.packs).toEqual([{ name: 'mid-frequency', version: '1.0.0' }]);
        const done = await ended(trader, deployment.id);
        expect(done.state).toBe('stopped');
        expect((await trader.call('execution.list', {})).deployments.find(d => d.id === deployment.id)?.packs).toEqual([{ name: 'mid-frequency', version: '1.0.0' }]);

        // The backtest of the same bars (runs.submit compiles against the same packs).
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: TREND, uri, ...FEED } });
        await until('the backtest', async () => {
            const r = (await researcher.call('runs.get', { id: run.id })).run;
            return r.state === 'completed' || r.state === 'failed' ? r : undefined;
        }).then(r => expect(r.error ?? null).toBeNull());
        const result = (await researcher.call('runs.result', { id: run.id })).result;
        expect(result.provenance.packs).toEqual([{ name: 'mid-frequency', version: '1.0.0' }]);
        // Each fill of the backtest (entries, and exits but the one at the end) is an order the deployment placed at the close before, filled at the same price.
        const expected = result.trades.flatMap(t => [
            { side: 'buy', barTs: t.entryTs - DAY, price: t.entryPrice },
            ...(t.exitReason === 'end' ? [] : [{ side: 'sell', barTs: t.exitTs - DAY, price: t.exitPrice }]),
        ]);
        expect(expected.length).toBeGreaterThanOrEqual(4);
        const orders = (await trader.call('execution.orders', { id: deployment.id, limit: 1000 })).orders.filter(o => o.state === 'filled');
        expect(orders.map(o => ({ side: o.side, barTs: o.barTs }))).toEqual(expected.map(e => ({ side: e.side, barTs: e.barTs })));
        orders.forEach((o, i) => expect(o.avgPrice).toBeCloseTo(Number(expected[i]!.price), 9));
    }, 180_000);

    it('a registry version that uses a shipped pack deploys with the packs its source folder declares, recorded', async () => {
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const e = await researcher.call('registry.publish', { source: TREND, uri: uriOf('shipped', 'trend.af'), name: 'trend-adx' });
        const trader = sec.client(sec.tokens.alpha.trader);
        const { deployment } = await trader.call('execution.paper.start', { registry: { name: 'trend-adx', version: e.entry.version }, feed: { ...FEED, barMs: 50 } });
        expect(deployment).toMatchObject({ registry: { name: 'trend-adx', version: e.entry.version }, packs: [{ name: 'mid-frequency', version: '1.0.0' }] });
        await until('a few bars', async () => ((await trader.call('execution.show', { id: deployment.id })).deployment.bars >= 3 ? true : undefined));
        expect((await trader.call('execution.stop', { id: deployment.id })).deployment.state).toBe('stopped');
    }, 60_000);

    it('a registry version whose imported file changed since it was published is refused, not traded as another strategy', async () => {
        writeFileSync(join(ws, 'shipped', 'lib.af'), 'def trending(n: int): bool = adx(n) > 12\n');
        const source = `import "lib.af"\n${TREND.replace('signal strong = adx(7) > 12', 'signal strong = trending(7)')}`;
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const e = await researcher.call('registry.publish', { source, uri: uriOf('shipped', 'trend-lib.af'), name: 'trend-lib' });
        writeFileSync(join(ws, 'shipped', 'lib.af'), 'def trending(n: int): bool = adx(n) > 30\n');
        const err = await rejection(sec.client(sec.tokens.alpha.trader).call('execution.paper.start', { registry: { name: 'trend-lib', version: e.entry.version }, feed: FEED }));
        expect(err.code).toBe(ErrorCodes.InvalidParams);
        expect(err.message).toMatch(/^trend-lib@\d+ no longer compiles to what was published \(fingerprint [0-9a-f]{12}…, now [0-9a-f]{12}…\): a pack it uses or a file it imports changed since; publish it again and deploy the new version$/);
        expectNoLeak(err, sec.secrets);
    });

    it('a strategy that needs a pack folder is refused naming the pack and what to do, and the pack\'s code never runs', async () => {
        const trader = sec.client(sec.tokens.alpha.trader);
        const source = TREND.replace('adx(7) > 12', 'demo_mid(10) > 0');
        const e = await rejection(trader.call('execution.paper.start', { source, uri: uriOf('folder', 'mid.af'), feed: FEED }));
        expect(e.code).toBe(ErrorCodes.InvalidParams);
        expect(e.message).toMatch(/^Trend uses the workspace pack 'demo' 0\.1\.0 \(a pack folder\): paper and live deployments run only packs shipped with AlphaForge \(core, mid-frequency, onchain, hft\), because a deployment's strategy runs on the daemon's main thread, which never runs a workspace pack's code; backtest it \(runs\.submit\), or deploy a strategy that uses shipped packs only$/);
        expectNoLeak(e, sec.secrets);
        expect((await trader.call('execution.list', {})).deployments.filter(d => d.strategy === 'Trend' && d.uri === uriOf('folder', 'mid.af'))).toEqual([]);
        expect(existsSync(marker)).toBe(false);
    });
});

describe('a deployment resumed after a restart needs the packs it was started with', () => {
    it('refuses to resume one whose pack is no longer declared or is another version now, naming the pack; one with its packs unchanged resumes', async () => {
        const trader = sec.client(sec.tokens.alpha.trader);
        // Three deployments of the same strategy in three folders, each still trading when the daemon stops.
        for (const dir of ['same', 'removed', 'upgraded']) {
            mkdirSync(join(ws, dir));
            writeFileSync(join(ws, dir, 'alphaforge.json'), JSON.stringify({ packs: [{ name: 'mid-frequency', version: '^1.0.0' }] }));
        }
        const start = async (dir: string): Promise<Deployment> => (await trader.call('execution.paper.start', { source: TREND, uri: uriOf(dir, 'trend.af'), feed: { ...FEED, barMs: 400 } })).deployment;
        const [same, removed, upgraded] = [await start('same'), await start('removed'), await start('upgraded')];
        await until('the three to trade', async () => {
            const ds = await Promise.all([same, removed, upgraded].map(async d => (await trader.call('execution.show', { id: d.id })).deployment));
            return ds.every(d => d.bars >= 2 && d.state !== 'failed') ? true : undefined;
        });
        await sec.daemon.stop();
        // Meanwhile: one folder no longer declares the pack; the other deployment's record says it was started with another version of it (as after an upgrade of AlphaForge).
        writeFileSync(join(ws, 'removed', 'alphaforge.json'), JSON.stringify({ packs: [] }));
        await withStore({ stateDir: sec.stateDir }, s => s.run(`UPDATE deployments SET packs = $1 WHERE id = $2`, [JSON.stringify([{ name: 'mid-frequency', version: '0.9.0' }]), upgraded.id]));
        restarted = await startDaemon({ stateDir: sec.stateDir, workspace: ws, port: 0, concurrency: 1, limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000 } });
        const c = new DaemonClient({ url: restarted.url, token: sec.tokens.alpha.trader });
        const gone = await ended(c, removed.id, ['failed']);
        expect(gone.reason).toBe(`cannot resume after the daemon restarted: pack 'mid-frequency' 1.0.0, which the deployment was started with, is no longer declared by its workspace (alphaforge.json); the strategy cannot trade as it was deployed. Restore the pack, or start a new deployment`);
        const other = await ended(c, upgraded.id, ['failed']);
        expect(other.reason).toBe(`cannot resume after the daemon restarted: pack 'mid-frequency' 0.9.0, which the deployment was started with, is 1.0.0 now: the strategy would trade with other code than it was deployed with, so it was not resumed. Start a new deployment to trade the new version`);
        // Unchanged: resumed, and it trades on.
        const resumed = await until('the unchanged one to trade on', async () => {
            const d = (await c.call('execution.show', { id: same.id })).deployment;
            return d.state === 'running' && (await c.call('execution.events', { id: same.id, limit: 10_000 })).events.some(e => String(e.data['reason']).startsWith('resumed after a daemon restart')) ? d : undefined;
        });
        expect(resumed.packs).toEqual([{ name: 'mid-frequency', version: '1.0.0' }]);
        await c.call('execution.stop', { id: same.id });
    }, 120_000);
});

describe('the packs a deployment was started with, against the workspace\'s now', () => {
    it('names a pack folder whose files hash differently now, and says nothing when all are unchanged', () => {
        const folder = { name: 'demo', version: '0.1.0', integrity: `sha256-${'a'.repeat(64)}`, origin: '/ws/packs/demo', manifest: {}, compiled: '', reference: '' };
        const recorded = [{ name: 'mid-frequency', version: '1.0.0' }, { name: 'demo', version: '0.1.0', integrity: folder.integrity }];
        const shipped = { shipped: true as const, name: 'mid-frequency', version: '1.0.0' };
        expect(packsChanged(recorded, [shipped, folder], [])).toBeUndefined();
        expect(packsChanged(recorded, [shipped, { ...folder, integrity: `sha256-${'b'.repeat(64)}` }], [])).toBe(
            `pack 'demo' 0.1.0 (sha256-aaaaaaaaaaaa…), which the deployment was started with, is 0.1.0 (sha256-bbbbbbbbbbbb…) now: the strategy would trade with other code than it was deployed with, so it was not resumed. Start a new deployment to trade the new version`);
        expect(packsChanged(recorded, [shipped], [{ pack: 'demo', message: "pack 'demo' (/ws/packs/demo): its files do not match the declared integrity hash" }])).toMatch(/^pack 'demo' 0\.1\.0 \(sha256-a{12}…\), which the deployment was started with, is refused now \(pack 'demo' .*integrity hash\)/);
    });
});
