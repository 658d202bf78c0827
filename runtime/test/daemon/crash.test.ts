/**
 * Crash safety of the daemon, with real processes: `af daemon run` is started detached (as
 * `af daemon start` does), runs backtests and sweeps submitted through the client, and is killed
 * with SIGKILL while a sweep is mid-way. A second daemon on the same state directory keeps every
 * completed result as it was (metrics, artifacts), re-queues the interrupted runs (actor 'system',
 * 'daemon restarted', attempt 2) and completes them, and nothing is duplicated; the dead daemon's
 * daemon.json is found stale and replaced.
 *
 * The daemons run from out/ (`npm run build` first): lifecycle.js is imported from there, because
 * the path of bin/af.js it spawns is relative to the compiled file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type ResultOf, type StreamEvent } from '../../../protocol/src/daemon/index.js';
import type * as Lifecycle from '../../src/daemon/lifecycle.js';
import { withStore } from '../../src/schema/registry.js';
import { readLogs } from '../../src/monitoring/logs.js';
import { DaemonClient, type EventSubscription } from '../../../protocol/src/client.js';
import { smaCross, stateWithSynthBars } from '../support/fixtures.js';

const lifecycleJs = fileURLToPath(new URL('../../../out/runtime/src/daemon/lifecycle.js', import.meta.url));
const { startDetached, stopDaemon, readAnnouncement, daemonStatus, processAlive } = await import(pathToFileURL(lifecycleJs).href) as typeof Lifecycle;

/** Every daemon this file started: killed in afterAll if still alive (a failed assertion must not leave one behind). */
const pids = new Set<number>();
let subscription: EventSubscription | undefined;
afterAll(async () => {
    await subscription?.close().catch(() => undefined);
    for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

const cross = (fast: string, slow: string): string => smaCross({ fast, slow });

const TERMINAL = ['completed', 'failed', 'cancelled'];
const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 100, seen: () => string = () => ''): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen() ? `; seen: ${seen()}` : ''}`);
        await sleep(everyMs);
    }
}

/**
 * The test's time: the whole test may take TEST_MS (under CI's load it runs beside the heaviest files,
 * ~30 s alone); every wait in it ends BUDGET_MS after the start at the latest, so a slow or stuck phase
 * fails with its own message (what it waited for, what it saw, the daemon's last log lines), not with
 * vitest's bare timeout.
 */
const TEST_MS = 180_000;
const BUDGET_MS = TEST_MS - 10_000;
/** An RPC that gets no answer fails in this time (the client's default, 60 s, is longer than a phase). */
const CALL_MS = 20_000;

/** The last lines of a daemon's output (its structured log), for a failure's message. */
function daemonLog(stateDir: string, lines = 25): string {
    try {
        const out = readFileSync(join(stateDir, 'logs', 'daemon.out'), 'utf8').trimEnd().split('\n');
        return `\n--- last ${Math.min(lines, out.length)} of ${out.length} lines of logs/daemon.out:\n${out.slice(-lines).join('\n')}`;
    } catch {
        return '\n(no logs/daemon.out)';
    }
}

/** What a completed run looked like before the crash. */
interface Snapshot {
    readonly run: ResultOf<'runs.get'>['run'];
    readonly artifacts: { name: string; bytes: number; sha256?: string }[];
}

describe('kill -9 of the daemon (af daemon run) during a sweep', () => {
    it('keeps completed results, re-queues and completes interrupted runs, duplicates nothing, replaces the stale daemon.json', async () => {
        const t0 = Date.now();
        /** A phase's time: its own limit, or what is left of the test's budget if that is less. */
        const within = (ms: number): number => Math.max(1_000, Math.min(ms, t0 + BUDGET_MS - Date.now()));
        const stateDir = await stateWithSynthBars('af-daemon-crash-', { bars: 8000, seed: 11 });

        // ---- first daemon: a real detached process, two runs at a time
        const first = await startDetached({ stateDir, port: 0, args: ['--concurrency', '2'] });
        pids.add(first.pid);
        expect(first.pid).not.toBe(process.pid);
        expect(readAnnouncement(stateDir)).toEqual(first);
        const token = readFileSync(join(stateDir, 'admin.token'), 'utf8').trim();
        expect(token).toMatch(/^af_/);
        const c1 = new DaemonClient({ url: first.url, token, timeoutMs: CALL_MS });

        // Three backtests, then two sweeps of 2,400 combinations over 8,000 bars (a few seconds
        // each, with shared indicators) and a small one: served FIFO two at a time, the two big sweeps
        // are running when the backtests are done, and the small one is still queued at the kill (the
        // restart enqueues it as it was). Small, so the work after the kill is two sweeps, not three.
        const specs: { kind: 'backtest' | 'sweep'; source: string; params?: Record<string, number> }[] = [
            { kind: 'backtest', source: cross('5..20 step 5', '30..50 step 10'), params: { fast: 5, slow: 30 } },
            { kind: 'backtest', source: cross('5..20 step 5', '30..50 step 10'), params: { fast: 10, slow: 40 } },
            { kind: 'backtest', source: cross('5..20 step 5', '30..50 step 10'), params: { fast: 15, slow: 50 } },
            { kind: 'sweep', source: cross('2..61 step 1', '40..235 step 5') },
            { kind: 'sweep', source: cross('3..62 step 1', '40..235 step 5') },
            { kind: 'sweep', source: cross('2..17 step 5', '40..70 step 10') },
        ];

        // Follow every run over WebSocket; fetch each completed run's record and artifact list as it completes.
        const state = new Map<string, string>();
        const progress = new Map<string, number>();
        const snapshots = new Map<string, Promise<Snapshot>>();
        const kinds = new Map<string, string>();
        const snapshot = async (id: string): Promise<Snapshot> => {
            const { run } = await c1.call('runs.get', { id });
            const { artifacts } = await c1.call('runs.artifacts', { id });
            return { run, artifacts: artifacts.map(a => ({ name: a.name, bytes: a.bytes })) };
        };
        subscription = await c1.subscribe(['runs'], (e: StreamEvent) => {
            if (e.type === 'lifecycle' && e.state !== 'promoted') {
                state.set(e.runId, e.state);
                if (e.state === 'completed') snapshots.set(e.runId, snapshot(e.runId));
            }
            if (e.type === 'progress') progress.set(e.runId, e.done);
        });
        const ids: string[] = [];
        for (const s of specs) {
            const { run } = await c1.call('runs.submit', { kind: s.kind, spec: { source: s.source, params: s.params, tags: { batch: 'crash' } } });
            ids.push(run.id);
            kinds.set(run.id, s.kind);
        }
        expect(new Set(ids).size).toBe(specs.length);

        // The moment: at least two runs completed and a sweep running with some progress, well short of done.
        const victim = await until('two completed runs and a sweep mid-way', () => {
            const completed = ids.filter(id => state.get(id) === 'completed');
            const midway = ids.find(id => kinds.get(id) === 'sweep' && state.get(id) === 'running' && (progress.get(id) ?? 0) >= 0.1 && progress.get(id)! <= 0.8);
            return completed.length >= 2 && midway ? midway : undefined;
        }, within(60_000), 10, () => daemonLog(stateDir) + '\n' + ids.map(id => `${kinds.get(id)} ${state.get(id)} ${progress.get(id) ?? '-'}`).join(', '));
        const victimProgress = progress.get(victim)!;
        const completedBefore = new Map<string, Snapshot>();
        for (const [id, p] of snapshots) completedBefore.set(id, await p);
        expect(completedBefore.size).toBeGreaterThanOrEqual(2);
        expect(completedBefore.has(victim)).toBe(false);
        const runningAtKill = ids.filter(id => state.get(id) === 'running');

        // ---- kill -9
        const killedAt = Date.now();
        process.kill(first.pid, 'SIGKILL');
        await until('the daemon process to be gone', () => (processAlive(first.pid) ? undefined : true), within(10_000), 20);
        await subscription.closed;
        subscription = undefined;
        expect(state.get(victim)).toBe('running');
        // The dead daemon's announcement is still there, naming a pid that is gone: stale.
        expect(readAnnouncement(stateDir)).toEqual(first);
        expect((await daemonStatus(stateDir)).state).toBe('stale');
        // What was completed is on disk as it was announced (hashes taken now that nothing can change them).
        for (const [id, snap] of completedBefore) {
            for (const a of snap.artifacts) a.sha256 = sha256(join(stateDir, 'runs', id, a.name));
            expect(snap.artifacts.map(a => a.name)).toContain('result.json');
        }

        // ---- second daemon on the same state directory
        const second = await startDetached({ stateDir, port: 0, args: ['--concurrency', '2'], timeoutMs: within(30_000) })
            .catch((e: Error) => { throw new Error(e.message + daemonLog(stateDir)); });
        pids.add(second.pid);
        expect(second.pid).not.toBe(first.pid);
        expect(second.startedAt).not.toBe(first.startedAt);
        expect(readAnnouncement(stateDir)).toEqual(second);
        expect((await daemonStatus(stateDir)).state).toBe('running');
        // The bootstrap token is never rewritten, and still works.
        expect(readFileSync(join(stateDir, 'admin.token'), 'utf8').trim()).toBe(token);
        const c2 = new DaemonClient({ url: second.url, token, timeoutMs: CALL_MS });

        let lastSeen: ResultOf<'runs.list'>['runs'] = [];
        const finals = await until('every run to finish', async () => {
            const { runs } = await c2.call('runs.list', { limit: 1000 });
            lastSeen = runs;
            return runs.length === ids.length && runs.every(r => TERMINAL.includes(r.state)) ? runs : undefined;
        }, within(90_000), 250, () => lastSeen.map(r => `${kinds.get(r.id)} ${r.id.slice(0, 8)} ${r.state} ${r.progress ?? '-'} attempt ${r.attempt}`).join(', ') + daemonLog(stateDir));
        const recoveredAt = Date.now();
        // No run lost, none duplicated.
        expect(finals.map(r => r.id).sort()).toEqual([...ids].sort());
        expect(finals.map(r => r.state)).toEqual(ids.map(() => 'completed'));
        const search = await c2.call('experiments.search', { filter: "tags.batch = 'crash'", limit: 1000 });
        expect(search.total).toBe(ids.length);
        expect(search.runs.map(r => r.run.id).sort()).toEqual([...ids].sort());

        const after = new Map<string, ResultOf<'runs.get'>['run']>();
        for (const id of ids) after.set(id, (await c2.call('runs.get', { id })).run);
        // Completed before the crash: untouched (same record, metrics, params, fingerprints, finish time, files).
        for (const [id, snap] of completedBefore) {
            const run = after.get(id)!;
            expect(run.attempt).toBe(1);
            expect(run.finishedAt).toBe(snap.run.finishedAt);
            expect(run.metrics).toEqual(snap.run.metrics);
            expect(run.params).toEqual(snap.run.params);
            expect(run.fingerprints).toEqual(snap.run.fingerprints);
            expect(run.dataSnapshot).toBe(snap.run.dataSnapshot);
            const { artifacts } = await c2.call('runs.artifacts', { id });
            expect(artifacts.map(a => ({ name: a.name, bytes: a.bytes, sha256: sha256(a.path) }))).toEqual(snap.artifacts);
            const viaApi = await c2.call('runs.artifacts', { id, name: 'result.json' });
            expect(viaApi.artifacts.find(a => a.name === 'result.json')!.sha256).toBe(snap.artifacts.find(a => a.name === 'result.json')!.sha256);
        }
        // Every run has its results and no leftover temporary files.
        for (const id of ids) {
            const run = after.get(id)!;
            expect(run.metrics!['sharpe'], id).not.toBeUndefined();
            const names = readdirSync(join(stateDir, 'runs', id));
            expect(names.filter(n => n.includes('.tmp'))).toEqual([]);
            expect(names).toContain('result.json');
        }

        // ---- stop gracefully; then read the database (one process at a time)
        expect(await stopDaemon(stateDir)).toBe('stopped');
        expect(processAlive(second.pid)).toBe(false);
        expect(existsSync(join(stateDir, 'daemon.json'))).toBe(false);
        expect((await daemonStatus(stateDir)).state).toBe('stopped');

        const metricCounts = new Map(ids.map(id => [id, Object.keys(after.get(id)!.metrics!).length]));
        await withStore({ stateDir }, async db => {
            const events = await db.rows(`SELECT run_id, seq, kind, state, actor, message FROM run_events ORDER BY run_id, seq`);
            const of = (id: string) => events.filter(e => e.run_id === id);
            const restarted = (id: string) => of(id).filter(e => e.kind === 'state' && e.state === 'queued' && e.actor === 'system' && e.message === 'daemon restarted');
            const interrupted = ids.filter(id => restarted(id).length > 0);
            // The sweep seen mid-way was re-queued by the restart, ran again as attempt 2 and completed.
            expect(interrupted).toContain(victim);
            for (const id of ids) {
                const h = of(id);
                const states = h.filter(e => e.kind === 'state').map(e => e.state);
                expect(states.filter(s => s === 'completed'), id).toHaveLength(1);
                expect(h.filter(e => e.kind === 'result'), id).toHaveLength(1);
                expect(h.map(e => Number(e.seq))).toEqual(h.map((_, i) => i + 1));
                if (interrupted.includes(id)) {
                    expect(restarted(id)).toHaveLength(1);
                    expect(after.get(id)!.attempt).toBe(2);
                    expect(states).toEqual(['created', 'queued', 'running', 'queued', 'running', 'completed']);
                    expect(h.filter(e => e.kind === 'state' && e.state === 'running').map(e => e.message)).toEqual(['attempt 1', 'attempt 2']);
                } else {
                    expect(after.get(id)!.attempt).toBe(1);
                    expect(states).toEqual(['created', 'queued', 'running', 'completed']);
                }
            }
            // None that had completed was touched (the histories above show each interrupted one was running).
            for (const id of completedBefore.keys()) expect(interrupted).not.toContain(id);

            // One row per run, one row per (run, key) of the result tables; every metric of each run there once.
            expect(await db.scalar(`SELECT count(*)::INTEGER FROM runs`)).toBe(ids.length);
            expect(await db.rows(`SELECT run_id, key FROM run_metrics GROUP BY ALL HAVING count(*) > 1`)).toEqual([]);
            expect(await db.rows(`SELECT run_id, key FROM run_params GROUP BY ALL HAVING count(*) > 1`)).toEqual([]);
            const perRun = await db.rows(`SELECT run_id, count(*)::INTEGER AS n FROM run_metrics GROUP BY run_id`);
            expect(new Map(perRun.map(r => [String(r.run_id), Number(r.n)]))).toEqual(metricCounts);
            expect(await db.scalar(`SELECT count(*)::INTEGER FROM run_tags WHERE key = 'batch'`)).toBe(ids.length);
            // The daemons' log tells the victim's story across the kill: what `af logs --run ID` shows.
            const told = (await readLogs(stateDir, { runId: victim })).filter(l => l.component === 'orchestrator');
            expect(told.map(l => [l.msg, l.fields['actor'], l.fields['detail']])).toEqual([
                ['run running', 'system', 'attempt 1'],
                ['run re-queued', 'system', 'daemon restarted'],
                ['run running', 'system', 'attempt 2'],
                ['run completed', 'system', undefined],
            ]);
            expect(new Set(told.map(l => l.fields['pid']))).toEqual(new Set([first.pid, second.pid]));
            console.log(`kill -9 with ${completedBefore.size} run(s) completed and sweep ${victim.slice(0, 8)} at ${Math.round(victimProgress * 100)}%; `
                + `seen running at the kill: ${runningAtKill.length}, re-queued by the restart: ${interrupted.length} (${interrupted.map(id => `${kinds.get(id)} ${id.slice(0, 8)}`).join(', ')}); `
                + `killed ${((killedAt - t0) / 1000).toFixed(1)} s after the start, all completed ${((recoveredAt - killedAt) / 1000).toFixed(1)} s after the kill`);
        });
    }, TEST_MS);
});
