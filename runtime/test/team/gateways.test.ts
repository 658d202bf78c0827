/**
 * Team mode end to end: daemons whose control plane is a real PostgreSQL 15 and whose runs execute
 * on an `af worker` process through a real redis-server (both started once for the file by
 * scripts/team/servers.mjs). The README's demo over RPC — import the bundled sample, backtest an
 * example, read its metrics, write its report — lands its runs, events and metrics in PostgreSQL,
 * not in the daemon's DuckDB file. Two daemons with the same config on two ports serve one team:
 * a token created via one works on the other, a run submitted via one is seen, streamed and read
 * via the other, and a revoked token ends the other daemon's live session; a run submitted via one
 * and cancelled via the other stops on its worker and records nothing. A third daemon started
 * while A trades a deployment and runs leaves them alone (stop and kill through it are refused,
 * naming A), re-queues only runs whose daemon is gone, refuses imports from the shared artifacts
 * folder, and takes A's deployment over once A's claims are gone (its connection dropped). Skipped (with a
 * message) when postgresql-15 or redis-server is not installed (bash .ci/run installs them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
/** The af worker's structured log lines (JSON on stderr). */
const workerLines: Record<string, unknown>[] = [];
let a: RunningDaemon;
let b: RunningDaemon | undefined;
let c: RunningDaemon | undefined;
let admin: string;
// A data directory of the third daemon with the shared artifacts folder inside it: imports must still stay out of that folder.
const dataRoot = tempDir('af-team-gw-data-');
const artifactsDir = join(dataRoot, 'runs');
mkdirSync(artifactsDir);

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

/** Polls `check` (no fixed sleeps) until it holds; fails naming `what` after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!await check()) {
        if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
        await new Promise(r => setTimeout(r, 50));
    }
}

// A and B take nothing over during the tests (the third daemon does, every 200 ms).
const daemonOptions = (stateDir: string, takeoverMs = 600_000): Parameters<typeof startDaemon>[0] => ({
    stateDir, port: 0, concurrency: 2, controlPlane, queue, workspace: ROOT, integrityCheckMs: 0, language: { workers: 1 }, takeoverMs,
});

/** A state directory given A's venue-keys.key, as every daemon of a control plane needs (docs/team-mode.md). */
function withKeyOfA(dir: string): string {
    copyFileSync(join(a.stateDir, 'venue-keys.key'), join(dir, 'venue-keys.key'));
    return dir;
}

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
        createInterface({ input: worker!.stderr! }).on('line', l => {
            try { workerLines.push(JSON.parse(l) as Record<string, unknown>); } catch { /* not a log line */ }
            if (l.includes('"worker ready"')) { clearTimeout(timer); resolve(); }
        });
    });
    a = await startDaemon(daemonOptions(tempDir('af-team-gw-a-')));
    admin = a.adminToken!;
    await workerReady;
}, 90_000);

afterAll(async () => {
    await c?.stop();
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
        // Every daemon of a control plane needs its venue-keys.key (docs/team-mode.md): without it, B is refused, naming the fix.
        const bDir = tempDir('af-team-gw-b-');
        await expect(startDaemon(daemonOptions(bDir))).rejects.toThrow(/venue-keys\.key is not the key this control plane's venue keys are encrypted with: copy venue-keys\.key/);
        b = await startDaemon(daemonOptions(withKeyOfA(bDir)));
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

    it('a run submitted via A and cancelled via B stops on its worker (thread terminated), records nothing, and A does not overwrite its state', async () => {
        b ??= await startDaemon(daemonOptions(withKeyOfA(tempDir('af-team-gw-b-')))); // started by the test before (unless run alone)
        await client(a, admin).call('data.sample', {}); // the same
        const viaA = client(a, admin), viaB = client(b, admin);
        // A sweep of some 34,000 trials: tens of seconds of a core, far longer than the cancel takes.
        const source = readFileSync(SMA, 'utf8').replace('in 5..60 step 5', 'in 2..100 step 1').replace('in 50..250 step 25', 'in 40..400 step 1');
        const { run } = await viaA.call('runs.submit', { kind: 'sweep', spec: { source, uri: `file://${SMA}`, sweep: { mode: 'grid' } } });
        const logged = (id: string, msg: string): boolean => workerLines.some(l => l['runId'] === id && l['msg'] === msg);
        await until('the worker computes it', async () => logged(run.id, 'run started') || (await viaA.call('runs.get', { id: run.id })).run.finishedAt !== null);
        expect((await viaA.call('runs.get', { id: run.id })).run.state).toBe('running');
        expect((await viaB.call('runs.cancel', { id: run.id })).run.state).toBe('cancelled');
        // B set the cancel key of the attempt's job: the worker terminates the job's thread and reports it cancelled.
        await until('the worker stops it', async () => logged(run.id, 'run cancelled') || logged(run.id, 'run done'));
        expect(logged(run.id, 'run done')).toBe(false);
        // A's attempt ends (its job failed as cancelled) without writing over the cancel.
        await until('A\'s attempt ends', async () => (await a.orchestrator.status()).running === 0);
        const q = (sql: string): Promise<Record<string, unknown>[]> => pgRows(sql, [run.id]);
        expect(await q(`SELECT state FROM ${SCHEMA}.runs WHERE id = $1`)).toEqual([{ state: 'cancelled' }]);
        expect((await q(`SELECT state FROM ${SCHEMA}.run_events WHERE run_id = $1 AND kind = 'state' ORDER BY seq`)).map(r => r['state'])).toEqual(['created', 'queued', 'running', 'cancelled']);
        for (const table of ['run_metrics', 'run_params', 'run_artifacts', 'ledger_trials']) expect(await q(`SELECT run_id FROM ${SCHEMA}.${table} WHERE run_id = $1`), table).toEqual([]);
        expect(existsSync(join(artifactsDir, run.id))).toBe(false);
        // The worker takes the next job.
        const next = (await viaA.call('runs.submit', { kind: 'backtest', spec: { source: readFileSync(SMA, 'utf8'), uri: `file://${SMA}` } })).run;
        expect(await finished(viaA, next.id)).toBe('completed');
        expect(logged(next.id, 'run done')).toBe(true);
        expect((await viaB.call('runs.get', { id: run.id })).run.state).toBe('cancelled');
    }, 120_000);

    it('gives each deployment and run one live owner: a starting daemon leaves a live daemon\'s alone and takes a gone one\'s over', async () => {
        const viaA = client(a, admin);
        const source = readFileSync(SMA, 'utf8');
        // 3,000 daily bars of gw:F, in A's imports/ folder and in C's data directory (C gets them once A's deployment goes to it).
        const csv = ['date,open,high,low,close,volume', ...Array.from({ length: 3000 }, (_, i) => {
            const p = 100 + 10 * Math.sin(i / 15) + i / 50;
            return `${new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10)},${p - 0.5},${p + 1},${p - 1},${p},${1000 + i}`;
        })].join('\n') + '\n';
        writeFileSync(join(a.stateDir, 'imports', 'gw.csv'), csv);
        expect((await viaA.call('data.import', { file: join(a.stateDir, 'imports', 'gw.csv'), venue: 'gw', symbol: 'F', timeframe: '1d' })).rowsWritten).toBe(3000);
        // A trades a paper deployment on them (a bar every 100 ms: it would trade for five minutes).
        const { deployment } = await viaA.call('execution.paper.start', { source, uri: `file://${SMA}`, params: { fast: 5, slow: 50 }, feed: { barMs: 100, symbols: ['gw:F'] } });
        const id = deployment.id;
        await until('A trades a bar', async () => (await viaA.call('execution.show', { id })).deployment.bars > 0);
        // Runs carry their daemon's key (A executed every run so far); one running run of A, live, and two of a daemon that is gone.
        const keys = await pgRows(`SELECT DISTINCT daemon::text AS k FROM ${SCHEMA}.runs WHERE daemon IS NOT NULL`);
        expect(keys).toHaveLength(1);
        const aKey = String(keys[0]!['k']);
        const template = (await viaA.call('runs.list', {})).runs[0]!.id;
        const fake = async (state: string, daemon: string): Promise<string> => {
            const rid = randomUUID();
            await pgRows(`INSERT INTO ${SCHEMA}.runs (id, kind, state, owner, team, trace_id, attempt, created_at, queued_at, started_at, spec, source, daemon)
                SELECT $1, kind, $2, owner, team, trace_id, 1, created_at, queued_at, started_at, spec, source, $3::bigint FROM ${SCHEMA}.runs WHERE id = $4`, [rid, state, daemon, template]);
            return rid;
        };
        const live = await fake('running', aKey);
        const gone = await fake('running', '4242');
        const goneQueued = await fake('queued', '4243');
        const events = async (rid: string) => pgRows(`SELECT seq, state, actor, message FROM ${SCHEMA}.run_events WHERE run_id = $1 ORDER BY seq`, [rid]);
        const owner = async (rid: string) => String((await pgRows(`SELECT daemon::text AS k FROM ${SCHEMA}.runs WHERE id = $1`, [rid]))[0]!['k']);

        // A third daemon starts while A trades: it re-queues only the gone daemon's run.
        const cDir = withKeyOfA(tempDir('af-team-gw-c-'));
        // Its take-over interval as a team config gives it (controlPlane.takeoverMs), not as an option of the call.
        const { takeoverMs: _, ...options } = daemonOptions(cDir)!;
        c = await startDaemon({ ...options, controlPlane: { ...controlPlane, takeoverMs: 200 }, dataDirs: [dataRoot] });
        const viaC = client(c, admin);
        expect(await events(live)).toEqual([]);
        expect(await owner(live)).toBe(aKey);
        expect((await events(gone))[0]).toMatchObject({ seq: 1, state: 'queued', actor: 'system', message: 'daemon restarted' });
        const cKey = await owner(gone);
        expect(cKey).not.toBe(aKey);
        expect(await owner(goneQueued)).toBe(cKey);
        // …and leaves A's deployment alone: stop and kill through C are refused, naming A; A still trades it.
        await expect(viaC.call('execution.stop', { id })).rejects.toThrow(new RegExp(`traded by another daemon \\(af-daemon ${a.url}`));
        await expect(viaC.call('execution.kill', { id })).rejects.toThrow(/traded by another daemon/);
        // The kill switch for all: every deployment C can take is killed, the others refused by name (none here).
        await expect(viaC.call('execution.kill', { all: true })).rejects.toThrow(new RegExp(`killed 0 deployment\\(s\\) here \\(none\\); not the others: deployment ${id} is traded by another daemon`));
        const bars = (await viaA.call('execution.show', { id })).deployment.bars;
        await until('A trades on', async () => (await viaA.call('execution.show', { id })).deployment.bars > bars);
        const reasons = async () => (await viaA.call('execution.events', { id, afterSeq: 0, limit: 10_000 })).events
            .filter(e => e.kind === 'state').map(e => String((e.data as { reason?: unknown }).reason ?? ''));
        expect((await reasons()).filter(r => r.startsWith('resumed'))).toEqual([]);

        // The shared artifacts folder is the daemons' own, as the state directory: no import reads it, even inside a data directory.
        writeFileSync(join(artifactsDir, 'planted.csv'), csv);
        writeFileSync(join(dataRoot, 'fine.csv'), csv);
        await expect(viaC.call('data.import', { file: join(artifactsDir, 'planted.csv'), venue: 'gw', symbol: 'P', timeframe: '1d' })).rejects.toThrow(/outside the folders the daemon may read/);
        await expect(viaC.call('data.import', { file: 'runs/planted.csv', venue: 'gw', symbol: 'P', timeframe: '1d' })).rejects.toThrow(/outside the folders the daemon may read/);
        expect((await viaC.call('data.import', { file: join(dataRoot, 'fine.csv'), venue: 'gw', symbol: 'F', timeframe: '1d' })).rowsWritten).toBe(3000);

        // A live daemon takes over what a gone daemon owned, within its take-over interval (200 ms here): a run…
        const orphan = await fake('running', '4244');
        await until('C takes the orphaned run over', async () => (await events(orphan)).some(e => e['message'] === 'taken over: the daemon that ran it is gone'));
        expect(await owner(orphan)).toBe(cKey);
        // …and A's deployment once A's claims are gone (its control-plane connection dropped, as when A is killed): A stops trading it at once, C resumes it.
        const dropped = await pgRows(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name LIKE $1`, [`af-daemon ${a.url} pid %`]);
        expect(dropped).toEqual([{ ok: true }]);
        await until('A stops trading it', async () => readFileSync(join(a.stateDir, 'logs', 'daemon.log'), 'utf8').includes(`deployment ${id} stopped trading here: this daemon lost its claim`));
        await until('C takes the deployment over', async () => (await reasons()).some(r => r.startsWith('resumed here, taken over from a daemon that is gone')));
        const taken = (await viaC.call('execution.show', { id })).deployment.bars;
        await until('C trades it', async () => (await viaC.call('execution.show', { id })).deployment.bars > taken)
            .catch(async (e: Error) => { throw new Error(`${e.message}; ${JSON.stringify((await viaC.call('execution.show', { id })).deployment)}; reasons ${JSON.stringify(await reasons())}`); });
        await until('A is back (its key taken again)', async () => (await pgRows(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE $1`, [`af-daemon ${a.url} pid %`])).length === 1);
        await expect(viaA.call('execution.stop', { id })).rejects.toThrow(new RegExp(`traded by another daemon \\(af-daemon ${c.url}`));
        expect((await viaC.call('execution.stop', { id })).deployment.state).toBe('stopped');
        // Orders were decided once per bar: no client order id twice.
        const orders = await viaC.call('execution.orders', { id, limit: 10_000 });
        expect(new Set(orders.orders.map(o => o.clientOrderId)).size).toBe(orders.orders.length);
        // The fake runs end (cancelled: nothing executes them) so that no daemon works on them after the test.
        for (const rid of [live, gone, goneQueued, orphan]) await viaC.call('runs.cancel', { id: rid }).catch(() => undefined);
    }, 120_000);
});
