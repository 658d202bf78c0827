/* global structuredClone */
// Team mode's job queue. Usage: npm run build && node bench/queue.js [--jobs 400] [--warmup 200] [--bars 1000]
// Starts redis-server and PostgreSQL 15 (scripts/team/servers.mjs, under a temp folder) and 1, then
// 2, `af worker` processes (one run at a time each), and pushes the same batch of small backtests
// through an orchestrator as team mode runs it: runs, events and results in PostgreSQL (the control
// plane), the engine half on the workers through BullMQ, bars in the daemon's DuckDB (no HTTP
// gateway: what is measured is the queue path — compile and bar load on the daemon side, Redis, the
// worker, recording the result). Prints and writes bench/results/queue.json:
// - jobs/s with 1 and 2 worker processes (wall time of the batch; on 2 shared cores the daemon,
//   Redis and the workers compete, so 2 workers cannot double it here);
// - CPU per job: the daemon side (this process), the workers, redis-server and PostgreSQL (its
//   postmaster and backends, from /proc), and the
//   engine's own CPU for the same backtest measured alone in this process (the backtester, best of
//   3; beside it the run thread's whole work, engine + run result file); the platform's overhead per
//   job = all CPU per job − the engine's. Goal (issue 18): ≤ 10 ms.
// CPU time is reported beside wall time because the machine is shared with other processes.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openControlStore, openStore, withStore } from '../out/runtime/src/schema/registry.js';
import { importBars } from '../out/runtime/src/data/import.js';
import { loadFromStore } from '../out/runtime/src/data/load.js';
import { synthBars } from '../out/runtime/src/data/synth.js';
import { shareBars, unshareBars } from '../out/runtime/src/engine/worker-pool.js';
import { CompiledBacktester } from '../out/runtime/src/engine/compiled/index.js';
import { RunCompiler } from '../out/runtime/src/orchestrator/compile.js';
import { Orchestrator } from '../out/runtime/src/orchestrator/orchestrator.js';
import { performRun } from '../out/runtime/src/orchestrator/work.js';
import { LanguageService } from '../out/runtime/src/language-service/language-service.js';
import { BullmqBackend } from '../out/runtime/src/queue/bullmq-backend.js';
import { DEFAULT_QUERY_LIMITS } from '../out/runtime/src/store/call-gate.js';
import { down, freePort, up } from '../scripts/team/servers.mjs';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const JOBS = arg('--jobs', 400);
// Warm-up jobs before each measured batch: V8 keeps optimising code for a few hundred jobs (its
// compiler threads' CPU would be counted against the steady state a daemon reaches in minutes).
const WARMUP = arg('--warmup', 200);
const BARS = arg('--bars', 1000);
const AF = fileURLToPath(new URL('../bin/af.js', import.meta.url));
const TICK_MS = 1000 / 100; // /proc/<pid>/stat counts CPU in clock ticks of 10 ms (USER_HZ 100)

const SOURCE = `strategy Cross {
  universe: synth:AAA
  timeframe: 1d
  param fast: int = 10 in 2..20 step 1
  param slow: int = 40 in 30..60 step 10
  constraint fast < slow
  signal up = crossover(sma(close, fast), sma(close, slow))
  signal down = crossunder(sma(close, fast), sma(close, slow))
  rules {
    when up => target 100% long
    when down => flat
  }
}
`;
const paramsOf = i => ({ fast: 2 + (i % 19), slow: 30 + 10 * (Math.floor(i / 19) % 4) });

/** CPU ms of a process so far (user + system), from /proc; 0 for one that is gone. */
function procCpuMs(pid) {
    let stat;
    try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
        return 0;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS; // utime, stime
}
/** CPU ms of each thread of a process so far, by thread id (/proc/<pid>/task). */
function threadCpuMs(pid) {
    const out = new Map();
    let tids = [];
    try {
        tids = readdirSync(`/proc/${pid}/task`);
    } catch {
        return out;
    }
    for (const t of tids) {
        try {
            const f = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
            const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
            out.set(t, (Number(v[11]) + Number(v[12])) * TICK_MS);
        } catch {
            // the thread ended
        }
    }
    return out;
}
/**
 * A process's CPU since `before` split by thread: its main thread, its busiest other thread (an
 * af worker's run thread) and the rest (V8's platform threads: concurrent GC marking and sweeping,
 * optimising compiles; libuv's pool).
 */
function threadSplit(pid, before, withRunThread) {
    const after = threadCpuMs(pid);
    const d = [...after].map(([t, ms]) => [t, ms - (before.get(t) ?? 0)]);
    const main = d.find(([t]) => t === String(pid))?.[1] ?? 0;
    const others = d.filter(([t]) => t !== String(pid)).map(([, ms]) => ms).sort((a, b) => b - a);
    const run = withRunThread ? (others[0] ?? 0) : 0;
    const rest = others.reduce((a, b) => a + b, 0) - run;
    return withRunThread ? { main, run, rest } : { main, rest };
}
/** CPU ms of PostgreSQL: the postmaster and its children (backends, WAL writer, checkpointer…); the connections stay open during a batch. */
function postgresCpuMs(postmaster) {
    const children = readdirSync('/proc').filter(p => /^\d+$/.test(p)).filter(p => {
        try {
            const s = readFileSync(`/proc/${p}/stat`, 'utf8');
            return s.slice(s.lastIndexOf(')') + 2).split(' ')[1] === String(postmaster);
        } catch {
            return false;
        }
    });
    return [postmaster, ...children].reduce((a, p) => a + procCpuMs(p), 0);
}
const selfCpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

function startWorker(configFile) {
    const child = spawn(process.execPath, [AF, 'worker', '--config', configFile, '--concurrency', '1', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    return new Promise((resolve, reject) => {
        // With --log-level warn the ready line is not printed: wait for the worker to register in Redis instead.
        child.once('exit', code => reject(new Error(`af worker exited (${code})`)));
        createInterface({ input: child.stderr }).on('line', line => process.stderr.write(`worker: ${line}\n`));
        resolve(child);
    });
}

async function waitForWorkers(backend, n) {
    for (let i = 0; i < 600; i++) {
        if ((await backend.depth()).workers >= n) return;
        await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`${n} workers did not register`);
}

const r1 = x => +x.toFixed(1);
const step = m => process.stderr.write(`bench/queue: ${m}\n`);
const serversDir = mkdtempSync(join(tmpdir(), 'af-bench-queue-'));
chmodSync(serversDir, 0o755); // PostgreSQL runs as its own user
const dir = join(serversDir, 'state');
const workers = [];
let store, control, o;
try {
    mkdirSync(dir);
    await withStore({ stateDir: dir }, async s => {
        const r = synthBars({ symbols: ['AAA'], timeframeMs: 86_400_000, bars: BARS, seed: 5 });
        await importBars(s, { ts: r.ts, ...r.assets[0] }, 'synth(seed=5)', { venue: 'synth', symbol: 'AAA', timeframe: '1d' });
    });
    step('bars imported');
    const loadAtStart = loadavg()[0];
    const servers = await up(serversDir, { only: ['redis', 'postgres'], ports: { redis: await freePort(), postgres: await freePort() } });
    const redisPid = servers.redis.pid;
    const postmaster = servers.postgres.pid;
    const settings = { kind: 'bullmq', redis: servers.redis.url, prefix: 'afbench' };
    const configFile = join(serversDir, 'team.json');
    writeFileSync(configFile, JSON.stringify({ queue: settings }));

    step('redis and postgres up');
    // In this thread, best of 3 (IR compiled once, bars loaded once; a fresh copy of the IR per job,
    // as a worker receives it): the engine alone (the backtester: signals, fills, metrics) and the
    // run thread's whole work (performRun: the engine, then the run result — its JSON file, the
    // tearsheet, fingerprints). Overhead = everything else per job, outside the engine.
    const language = new LanguageService({ workers: 1, sourceRoots: [dir] });
    const ir = await new RunCompiler(language).compile(SOURCE);
    await language.close();
    const { engineCpu, runThreadCpu } = await withStore({ stateDir: dir }, async s => {
        const data = await loadFromStore(s, { assets: [{ venue: 'synth', symbol: 'AAA' }], timeframe: '1d' });
        const bars = shareBars(data);
        const tmp = mkdtempSync(join(tmpdir(), 'af-bench-queue-engine-'));
        const job = i => ({ runId: `bench-${i}`, request: { kind: 'backtest', params: paramsOf(i) }, ir: structuredClone(ir), bars, symbols: data.ids, params: paramsOf(i), dir: tmp, trialWorkers: 0, held: true }); // held: the result as bytes, as af worker has it
        const hooks = { progress: () => undefined, log: () => undefined };
        const engine = i => new CompiledBacktester().run(structuredClone(ir), unshareBars(bars), { params: paramsOf(i), seed: 0, fingerprints: false });
        for (let i = 0; i < 10; i++) { await performRun(job(i), hooks); engine(i); } // warm-up
        let bestEngine = Infinity, bestRun = Infinity;
        for (let rep = 0; rep < 3; rep++) {
            let c0 = selfCpuMs();
            for (let i = 0; i < JOBS; i++) engine(i);
            bestEngine = Math.min(bestEngine, (selfCpuMs() - c0) / JOBS);
            c0 = selfCpuMs();
            for (let i = 0; i < JOBS; i++) await performRun(job(i), hooks);
            bestRun = Math.min(bestRun, (selfCpuMs() - c0) / JOBS);
        }
        rmSync(tmp, { recursive: true, force: true });
        return { engineCpu: bestEngine, runThreadCpu: bestRun };
    });

    step(`engine alone: ${r1(engineCpu)} ms CPU per backtest; the run thread's whole work (engine + run result): ${r1(runThreadCpu)} ms`);
    const ctx = { user: 'bench', team: 'bench' };
    const batch = async n => {
        // Listening before the first submit: a run may complete before the last one is submitted.
        const pending = new Set();
        const completed = new Set();
        let failed;
        let wake = () => undefined;
        const check = e => {
            if (e.kind !== 'state') return;
            if (e.state === 'failed' || e.state === 'cancelled') failed = new Error(`run ${e.runId} ${e.state}: ${e.message}`);
            if (e.state === 'completed') completed.add(e.runId);
            wake();
        };
        o.on('event', check);
        try {
            for (let i = 0; i < n; i++) pending.add((await o.submit({ kind: 'backtest', source: SOURCE, params: paramsOf(i) }, ctx)).id);
            // Checked whole only once enough runs completed: a check of every run per event is O(n²) CPU of this process, counted as the daemon's.
            while (completed.size < pending.size || [...pending].some(id => !completed.has(id))) {
                if (failed) throw failed;
                await new Promise(r => { wake = r; });
            }
        } finally {
            o.off('event', check);
        }
    };

    // The embedded orchestrator on the same batch (engine in its threads, this process's CPU): the reference.
    store = await openStore({ stateDir: dir });
    let embedded;
    {
        const e = new Orchestrator({ store, concurrency: 2 });
        await e.start();
        o = e;
        await batch(WARMUP);
        const c0 = selfCpuMs();
        const t0 = performance.now();
        await batch(JOBS);
        const wall = performance.now() - t0;
        const cpu = (selfCpuMs() - c0) / JOBS;
        embedded = { jobsPerSecond: r1(JOBS / (wall / 1000)), wallMs: Math.round(wall), cpuMsPerJob: r1(cpu), overheadCpuMsPerJob: r1(cpu - engineCpu) };
        await e.stop();
        console.log(`embedded (threads of one process): ${embedded.jobsPerSecond} jobs/s; CPU per job ${r1(cpu)} ms → overhead ${embedded.overheadCpuMsPerJob} ms`);
    }
    const backend = await BullmqBackend.open(settings);
    // With the daemon's limits (statement timeouts are set per connection, as af daemon run does).
    control = await openControlStore({ url: servers.postgres.url, limits: DEFAULT_QUERY_LIMITS });
    o = new Orchestrator({ store, control, stateDir: dir, concurrency: 4, backend });
    await o.start();
    const results = {};
    for (const n of [1, 2]) {
        while (workers.length < n) workers.push(await startWorker(configFile));
        await waitForWorkers(backend, n);
        step(`${n} worker(s) registered`);
        await batch(WARMUP); // threads started, JIT-compiled, caches filled
        const cpu0 = { self: selfCpuMs(), workers: workers.map(w => procCpuMs(w.pid)), redis: procCpuMs(redisPid), postgres: postgresCpuMs(postmaster) };
        const threads0 = { self: threadCpuMs(process.pid), workers: workers.map(w => threadCpuMs(w.pid)) };
        const t0 = performance.now();
        await batch(JOBS);
        const wall = performance.now() - t0;
        const cpu = {
            daemon: (selfCpuMs() - cpu0.self) / JOBS,
            workers: workers.reduce((a, w, i) => a + procCpuMs(w.pid) - cpu0.workers[i], 0) / JOBS,
            redis: (procCpuMs(redisPid) - cpu0.redis) / JOBS,
            postgres: (postgresCpuMs(postmaster) - cpu0.postgres) / JOBS,
        };
        const total = cpu.daemon + cpu.workers + cpu.redis + cpu.postgres;
        const perJob = o => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, r1(v / JOBS)]));
        const daemonThreads = perJob(threadSplit(process.pid, threads0.self, false));
        const workerThreads = perJob(workers.map((w, i) => threadSplit(w.pid, threads0.workers[i], true)).reduce((a, b) => ({ main: a.main + b.main, run: a.run + b.run, rest: a.rest + b.rest })));
        results[`workers${n}`] = {
            workers: n, jobs: JOBS, jobsPerSecond: r1(JOBS / (wall / 1000)), wallMs: Math.round(wall),
            cpuMsPerJob: { daemon: r1(cpu.daemon), workers: r1(cpu.workers), redis: r1(cpu.redis), postgres: r1(cpu.postgres), total: r1(total) },
            cpuMsPerJobByThread: { daemon: daemonThreads, workers: workerThreads },
            overheadCpuMsPerJob: r1(total - engineCpu),
            overheadBesideRunThreadCpuMsPerJob: r1(total - runThreadCpu),
        };
        console.log(`${n} worker process${n > 1 ? 'es' : ''}: ${results[`workers${n}`].jobsPerSecond} jobs/s (${JOBS} backtests in ${Math.round(wall)} ms); CPU per job: daemon ${r1(cpu.daemon)} ms, workers ${r1(cpu.workers)} ms, redis ${r1(cpu.redis)} ms, postgres ${r1(cpu.postgres)} ms; engine alone ${r1(engineCpu)} ms → platform overhead ${r1(total - engineCpu)} ms (goal ≤ 10; beside the run thread's whole work ${r1(total - runThreadCpu)} ms)`);
        console.log(`  by thread: daemon main ${daemonThreads.main}, other ${daemonThreads.rest}; workers main ${workerThreads.main}, run ${workerThreads.run}, other ${workerThreads.rest} (ms per job; "other": V8's GC and compiler threads, libuv's pool)`);
    }
    const out = {
        date: new Date().toISOString(), node: process.version, cores: availableParallelism(), loadAverageAtStart: r1(loadAtStart), loadAverageAtEnd: r1(loadavg()[0]),
        setup: { bars: BARS, warmupJobs: WARMUP, strategy: 'SMA cross, 1 asset, daily', daemonConcurrency: 4, workerConcurrency: 1, transport: 'Orchestrator (runs in PostgreSQL 15, bars in DuckDB) → BullMQ (redis-server on 127.0.0.1) → af worker processes; no HTTP gateway' },
        engineCpuMsPerJob: r1(engineCpu),
        runThreadCpuMsPerJob: r1(runThreadCpu),
        embedded,
        ...results,
        goal: { overheadCpuMsPerJob: 10 },
        note: 'CPU from process.cpuUsage (this process: orchestrator, compile in its language thread, bar loads, PostgreSQL client) and /proc/<pid>/stat (workers, redis-server, PostgreSQL\'s processes; 10 ms ticks). The embedded row: one process, runs in its DuckDB file, the engine in its threads. Overhead = total CPU per job − the engine\'s CPU for the same backtest alone (the backtester; runThreadCpuMsPerJob adds the run result: JSON file, tearsheet, fingerprints). Wall times depend on the load of the shared machine.',
    };
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/queue.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
    console.log('written bench/results/queue.json');
} finally {
    await o?.stop().catch(() => undefined);
    store?.close();
    await control?.close();
    for (const w of workers) w.kill('SIGKILL');
    down(serversDir);
    rmSync(serversDir, { recursive: true, force: true });
}
process.exit(0);
