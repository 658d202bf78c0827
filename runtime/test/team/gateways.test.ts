/**
 * Team mode end to end: daemons whose control plane is a real PostgreSQL 15 and whose runs execute
 * on an `af worker` process through a real redis-server (both started once for the file by
 * scripts/team/servers.mjs). The README's demo over RPC — import the bundled sample, backtest an
 * example, read its metrics, write its report — lands its runs, events and metrics in PostgreSQL,
 * not in the daemon's DuckDB file. Two daemons with the same config on two ports serve one team:
 * a token created via one works on the other, a run submitted via one is seen, streamed and read
 * via the other, and a revoked token ends the other daemon's live session. Skipped (with a
 * message) when postgresql-15 or redis-server is not installed (bash .ci/run installs them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../protocol/src/client.js';
import type { StreamEvent } from '../../../protocol/src/daemon/index.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { run as cli } from '../../src/cli/main.js';
import { down, freePort, up } from '../../../scripts/team/servers.mjs';
import { tempDir } from '../data/helpers.js';
import { postgresData } from './control-stores.js';
import type { ControlPlaneSettings } from '../../src/store/control-plane-settings.js';
import type { QueueSettings } from '../../src/queue/settings.js';

const ready = existsSync('/usr/lib/postgresql/15/bin/initdb') && existsSync('/usr/bin/redis-server');
if (!ready) console.warn('runtime/test/team/gateways.test.ts skipped: postgresql-15 and redis-server are needed (bash .ci/run installs them)');

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const AF = join(ROOT, 'bin/af.js');
const SMA = join(ROOT, 'examples/sma-cross.af');
const SCHEMA = `gw${process.pid}`;

const serversDir = tempDir('af-team-gw-');
chmodSync(serversDir, 0o755); // PostgreSQL runs as the postgres user when we are root
let pgUrl: string;
let controlPlane: ControlPlaneSettings;
let queue: QueueSettings;
let worker: ChildProcess | undefined;
let a: RunningDaemon;
let b: RunningDaemon | undefined;
let admin: string;
const artifactsDir = tempDir('af-team-gw-runs-');

const client = (d: RunningDaemon, token: string): DaemonClient => new DaemonClient({ url: d.url, token, timeoutMs: 30_000 });

async function pgRows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try {
        return (await c.query(sql, params)).rows as Record<string, unknown>[];
    } finally {
        await c.end();
    }
}

async function finished(c: DaemonClient, id: string): Promise<string> {
    for (let i = 0; i < 1200; i++) {
        const { run } = await c.call('runs.get', { id });
        if (run.finishedAt) return run.state;
        await new Promise(r => setTimeout(r, 50));
    }
    throw new Error(`run ${id} did not finish`);
}

const daemonOptions = (stateDir: string): Parameters<typeof startDaemon>[0] => ({
    stateDir, port: 0, concurrency: 2, controlPlane, queue, workspace: ROOT, integrityCheckMs: 0, language: { workers: 1 },
});

beforeAll(async () => {
    if (!ready) return;
    await postgresData(serversDir); // a copied cluster: no initdb per file
    const s = await up(serversDir, { only: ['postgres', 'redis'], ports: { postgres: await freePort(), redis: await freePort() } });
    pgUrl = s.postgres!.url;
    controlPlane = { kind: 'postgres', url: pgUrl, schema: SCHEMA, artifactsDir, poolSize: 4 };
    queue = { kind: 'bullmq', redis: s.redis!.url, prefix: `gw${process.pid}` };
    const config = join(serversDir, 'team.json');
    writeFileSync(config, JSON.stringify({ controlPlane, queue }));
    worker = spawn(process.execPath, [AF, 'worker', '--config', config, '--concurrency', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const workerReady = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('af worker did not get ready')), 30_000);
        worker!.once('exit', code => reject(new Error(`af worker exited (${code})`)));
        createInterface({ input: worker!.stderr! }).on('line', l => { if (l.includes('"worker ready"')) { clearTimeout(timer); resolve(); } });
    });
    a = await startDaemon(daemonOptions(tempDir('af-team-gw-a-')));
    admin = a.adminToken!;
    await workerReady;
}, 90_000);

afterAll(async () => {
    await b?.stop();
    await a?.stop();
    worker?.kill('SIGKILL');
    if (ready) down(serversDir);
}, 60_000);

describe.skipIf(!ready)('team mode: the daemon on PostgreSQL with BullMQ workers', () => {
    it("runs the README's demo over RPC, with its runs, events and metrics in PostgreSQL", async () => {
        const c = client(a, admin);
        const sample = await c.call('data.sample', {});
        expect(sample.rowsWritten).toBeGreaterThan(5000);
        const { run } = await c.call('runs.submit', { kind: 'backtest', spec: { source: readFileSync(SMA, 'utf8'), uri: `file://${SMA}` } });
        expect(await finished(c, run.id)).toBe('completed');
        const { result } = await c.call('runs.result', { id: run.id });
        expect(result.strategy).toBe('SmaCross');
        expect(typeof result.metrics['sharpe']).toBe('number');
        // The same figures as stored rows, in PostgreSQL (the control plane), and none of it in the DuckDB file.
        const stored = await pgRows(`SELECT key, value FROM ${SCHEMA}.run_metrics WHERE run_id = $1 AND key = 'sharpe'`, [run.id]);
        expect(stored).toHaveLength(1);
        expect(stored[0]!['value']).toBeCloseTo(result.metrics['sharpe'] as number, 12);
        expect(await pgRows(`SELECT state FROM ${SCHEMA}.runs WHERE id = $1`, [run.id])).toEqual([{ state: 'completed' }]);
        expect(Number((await pgRows(`SELECT count(*) AS n FROM ${SCHEMA}.run_events WHERE run_id = $1`, [run.id]))[0]!['n'])).toBeGreaterThanOrEqual(3);
        expect(await a.reads.rows(`SELECT id FROM runs`)).toEqual([]);
        // The report, as `af report RUN_ID` writes it from the daemon.
        const report = join(tempDir('af-team-gw-report-'), 'demo.html');
        let out = '', err = '';
        expect(await cli(['report', run.id, '-o', report, '--url', a.url, '--token', admin], s => { out += s; }, s => { err += s; })).toBe(0);
        expect(err).toBe('');
        expect(out).toContain(report);
        const html = readFileSync(report, 'utf8');
        expect(html).toContain('SmaCross');
        expect(html).toContain(run.id);
        // The runs export (DuckDB's COPY) works from PostgreSQL too: one wide row per run.
        const exported = await c.call('experiments.export', { name: 'runs.csv', filter: `metrics.sharpe > -100` });
        expect(exported.rows).toBe(1);
    }, 120_000);

    it('serves one team from two daemons: tokens, runs, their events and results, revocations', async () => {
        await client(a, admin).call('data.sample', {}); // bars in A's store (a no-op after the demo)
        b = await startDaemon(daemonOptions(tempDir('af-team-gw-b-')));
        expect(b.adminToken).toBeUndefined(); // the users are in PostgreSQL already
        // A token created via A works on B.
        const created = await client(a, admin).call('iam.tokens.create', { name: 'gw-researcher' });
        const token = created.token;
        const viaA = client(a, token), viaB = client(b, token);
        expect((await viaB.call('iam.whoami', {})).principal.tokenId).toBe(created.id);

        // A run submitted via A (it executes there: its bars are in A's store) is streamed to a subscriber of B.
        const seen: StreamEvent[] = [];
        const sub = await viaB.subscribe(['runs'], e => { seen.push(e); });
        const { run } = await viaA.call('runs.submit', { kind: 'backtest', spec: { source: readFileSync(SMA, 'utf8'), uri: `file://${SMA}` } });
        expect(await finished(viaB, run.id)).toBe('completed');
        for (let i = 0; i < 200 && !seen.some(e => e.type === 'lifecycle' && e.runId === run.id && e.state === 'completed'); i++) await new Promise(r => setTimeout(r, 50));
        const states = seen.filter(e => e.type === 'lifecycle' && e.runId === run.id).map(e => (e as { state: string }).state);
        expect(states).toEqual(expect.arrayContaining(['running', 'completed']));
        // Its result and metrics via B, from the shared artifacts folder and the control plane.
        const r = await viaB.call('runs.result', { id: run.id });
        expect(r.result.runId).toBe(run.id);
        expect((await viaB.call('runs.list', {})).runs.map(x => x.id)).toContain(run.id);

        // Revoked via B: A refuses the token at once, and A's live WebSocket session of it ends (not after the minute's re-check).
        const onA = await viaA.subscribe(['runs'], () => undefined);
        await client(b, admin).call('iam.tokens.revoke', { id: created.id });
        await expect(viaA.call('runs.list', {})).rejects.toThrow();
        const closed = await Promise.race([onA.closed.then(() => true), new Promise(res => setTimeout(() => res(false), 10_000))]);
        expect(closed).toBe(true);
        sub.close();
    }, 120_000);
});
