/**
 * Multi-host on one machine: two `af worker` processes, each in a network namespace of its own
 * (scripts/team/netns.mjs: a veth link and a /30 each, nothing else), reach the real redis-server
 * only at the host end of their link. Sweeps they compute give what the embedded orchestrator
 * gives on the same bars, and each run's log names the worker that computed it with its namespace.
 * Needs root or CAP_NET_ADMIN and redis-server: without them the file fails saying what is missing
 * (it does not skip). Namespaces and links carry this run's unique names and are removed in afterAll.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/schema/registry.js';
import { Orchestrator } from '../../src/orchestrator/orchestrator.js';
import type { RunSpec } from '../../src/orchestrator/types.js';
import type { DataStore } from '../../src/store/store.js';
import { BullmqBackend } from '../../src/queue/bullmq-backend.js';
import type { QueueSettings } from '../../src/queue/settings.js';
import { down, freePort, up } from '../../../scripts/team/servers.mjs';
import { createNetns, listNetns, removeNetns, spawnWorkerIn, type Netns } from '../../../scripts/team/netns.mjs';
import { tempDir } from '../data/helpers.js';
import { smaCross, stateWithBars, sweep, waitFor } from '../orchestrator/helpers.js';

const serversDir = tempDir('af-team-netns-');
/** Unique per test run: two helpers or two CI jobs on one machine do not collide. */
const tag = `${process.pid.toString(36)}${randomInt(36 ** 3).toString(36)}`.slice(-6);
const names = [`afw${tag}a`, `afw${tag}b`];
const namespaces: Netns[] = [];

interface WorkerProc { readonly ns: Netns; readonly child: ChildProcess; readonly lines: Record<string, unknown>[] }
const workers: WorkerProc[] = [];
let settings: QueueSettings;

/** A /30 in 10.231-250.x.y that no interface on this machine uses yet. */
function freeSubnets(n: number): string[] {
    const used = new Set<string>();
    const out: string[] = [];
    while (out.length < n) {
        const s = `10.${231 + randomInt(20)}.${randomInt(256)}.${randomInt(64) * 4}`;
        const key = s.split('.').slice(0, 3).join('.');
        if (!used.has(key)) { used.add(key); out.push(s); }
    }
    return out;
}

function startWorker(ns: Netns, configFile: string): Promise<WorkerProc> {
    const child = spawnWorkerIn(ns.name, ['--config', configFile, '--concurrency', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const lines: Record<string, unknown>[] = [];
    const w: WorkerProc = { ns, child, lines };
    workers.push(w);
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`af worker in ${ns.name} did not get ready: ${JSON.stringify(lines)}`)), 30_000);
        child.once('exit', code => reject(new Error(`af worker in ${ns.name} exited (${code}): ${JSON.stringify(lines)}`)));
        createInterface({ input: child.stderr! }).on('line', text => {
            try {
                const l = JSON.parse(text) as Record<string, unknown>;
                lines.push(l);
                if (l['msg'] === 'worker ready') { clearTimeout(timer); resolve(w); }
            } catch {
                lines.push({ text });
            }
        });
    });
}

beforeAll(async () => {
    if (!existsSync('/usr/bin/redis-server')) throw new Error('runtime/test/team/netns-workers.test.ts needs redis-server: apt-get install -y redis-server (bash .ci/run installs it)');
    try {
        for (const [i, subnet] of freeSubnets(2).entries()) namespaces.push(createNetns(names[i]!, subnet));
    } catch (e) {
        throw new Error(`runtime/test/team/netns-workers.test.ts cannot create network namespaces: ${(e as Error).message}. Run it as root (or with CAP_NET_ADMIN) on Linux with iproute2.`);
    }
    // Redis on loopback (the orchestrator) and on each link's host end (the namespaces' only way in).
    const s = await up(serversDir, { only: ['redis'], ports: { redis: await freePort() }, bind: namespaces.map(n => n.host) });
    const port = s.redis!.port;
    settings = { kind: 'bullmq', redis: s.redis!.url, prefix: `afns${tag}`, lockMs: 5000, maxStalls: 2 };
    await Promise.all(namespaces.map(ns => {
        const file = join(serversDir, `${ns.name}.json`);
        writeFileSync(file, JSON.stringify({ queue: { ...settings, redis: `redis://${ns.host}:${port}` } }));
        return startWorker(ns, file);
    }));
}, 60_000);

afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map(w => w.child.exitCode === null && w.child.signalCode === null ? new Promise(r => w.child.once('exit', r)) : undefined));
    down(serversDir);
    for (const n of names) removeNetns(n);
}, 30_000);

describe('af worker processes in network namespaces of their own', () => {
    let team: { o: Orchestrator; store: DataStore };

    beforeAll(async () => {
        const store = await openStore({ stateDir: await stateWithBars(800, 'af-team-netns-state-') });
        const o = new Orchestrator({ store, concurrency: 2, backend: await BullmqBackend.open(settings) });
        await o.start();
        team = { o, store };
    }, 60_000);

    afterAll(async () => {
        await team?.o.stop();
        team?.store.close();
    }, 30_000);

    it('the namespaces exist, with nothing but their link: the host\'s loopback Redis is out of reach from inside', async () => {
        expect(listNetns()).toEqual(expect.arrayContaining(names));
        // Each worker logged itself ready with its namespace in its name, reaching Redis over the link.
        for (const w of workers) {
            const ready = w.lines.find(l => l['msg'] === 'worker ready')!;
            expect(ready['worker']).toMatch(new RegExp(`:${w.child.pid} netns ${w.ns.name}$`));
        }
        expect((await team.o.status()).workers).toBe(2);
        // Inside a namespace, Redis's port on 127.0.0.1 is the namespace's own loopback (refused); the link's host end answers.
        const port = Number(new URL(settings.redis).port);
        const reach = (host: string): number | null => spawnSync('ip', ['netns', 'exec', workers[0]!.ns.name, process.execPath, '-e',
            `require('net').connect(${port}, '${host}').on('connect', () => process.exit(0)).on('error', () => process.exit(3))`], { timeout: 15_000 }).status;
        expect(reach('127.0.0.1')).toBe(3);
        expect(reach(workers[0]!.ns.host)).toBe(0);
    }, 30_000);

    it('two sweeps computed by the two namespaced workers give the embedded results, each run logged with its worker\'s namespace', async () => {
        const embeddedStore = await openStore({ stateDir: await stateWithBars(800, 'af-team-netns-embedded-') });
        const embedded = new Orchestrator({ store: embeddedStore, concurrency: 2 });
        await embedded.start();
        try {
            const specs: RunSpec[] = [
                sweep({ source: smaCross({ fast: '2..20 step 3', slow: '30..60 step 10' }) }),
                sweep({ source: smaCross({ fast: '3..21 step 4', slow: '25..70 step 15' }) }),
            ];
            const ctx = { user: 'ana', team: 'quant' };
            // Both at once: each worker takes one job (concurrency 1 each).
            const teamRuns = await Promise.all(specs.map(s => team.o.submit(s, ctx)));
            const embeddedRuns = await Promise.all(specs.map(s => embedded.submit(s, ctx)));
            const computedBy = new Set<string>();
            for (const [i, run] of teamRuns.entries()) {
                const [rt, re] = await Promise.all([waitFor(team.o, run.id), waitFor(embedded, embeddedRuns[i]!.id)]);
                expect(rt.error ?? null).toBeNull();
                expect(rt.state).toBe('completed');
                expect(rt.metrics).toEqual(re.metrics);
                expect(rt.params).toEqual(re.params);
                expect(rt.provenance).toEqual(re.provenance);
                const [dt, de] = await Promise.all([team.o.result(run.id), embedded.result(re.id)]);
                expect({ ...dt, runId: undefined }).toEqual({ ...de, runId: undefined });
                // The run's log names its worker: host:pid and the namespace, the one whose log says it ran it.
                const recorded = (await team.o.logs(run.id)).map(l => /^computed by af worker (.+)$/.exec(l.message)?.[1]).filter(Boolean);
                expect(recorded).toHaveLength(1);
                const w = workers.find(x => x.lines.some(l => l['runId'] === run.id && l['msg'] === 'run done'))!;
                expect(w).toBeDefined();
                expect(recorded[0]).toMatch(new RegExp(`:${w.child.pid} netns ${w.ns.name}$`));
                computedBy.add(w.ns.name);
            }
            expect([...computedBy].sort()).toEqual([...names].sort());
        } finally {
            await embedded.stop();
            embeddedStore.close();
        }
    }, 120_000); // a failure guard: on 2 cores shared with a load of 20+ this took 40 s
});
