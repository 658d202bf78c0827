// Daemon benchmark. Usage: npm run build && node bench/daemon.js [--latency 50] [--jobs 200] [--clients 20] [--bars 1000]
// A real daemon (startDaemon in this process: DuckDB file, HTTP + WebSocket gateway on a random
// loopback port, worker threads; rate limits lifted, concurrency = cores) on a temp state directory
// with synthetic daily bars, driven through the real client:
// 1. Latency: LATENCY small backtests one after the other; from the runs.submit call to the
//    'running' lifecycle event received over WebSocket, and to 'completed' (p50 / p95).
// 2. Throughput: JOBS small backtests submitted by CLIENTS concurrent clients; jobs/s from the
//    first submit until the last 'completed' event, against the same JOBS backtests run in this
//    process with CompiledBacktester (compiled once, bars loaded once, one thread) in the same run:
//    the ratio is what the platform costs per job (queue, compile, bar load, worker hand-off,
//    artifacts, transactions, events). The machine is shared: read ratios and percentiles.
// Prints the figures and writes bench/results/daemon.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withStore } from '../out/runtime/src/schema/registry.js';
import { importBars } from '../out/runtime/src/data/import.js';
import { loadFromStore } from '../out/runtime/src/data/load.js';
import { synthBars } from '../out/runtime/src/data/synth.js';
import { startDaemon } from '../out/runtime/src/daemon/daemon.js';
import { DaemonClient } from '../out/protocol/src/client.js';
import { RunCompiler } from '../out/runtime/src/orchestrator/compile.js';
import { LanguageService } from '../out/runtime/src/language-service/language-service.js';
import { CompiledBacktester } from '../out/runtime/src/engine/compiled/index.js';
import { computeMetrics } from '../out/runtime/src/engine/metrics.js';
import { capitalOf } from '../out/runtime/src/engine/trial.js';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const LATENCY = arg('--latency', 50);
const JOBS = arg('--jobs', 200);
const CLIENTS = arg('--clients', 20);
const BARS = arg('--bars', 1000);
const CORES = availableParallelism();

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
  execution {
    fees: 5 bps
    slippage: 2 bps
  }
}
`;
/** The params of job i (the same list for the daemon and in-process). */
const paramsOf = i => ({ fast: 2 + (i % 19), slow: 30 + 10 * (Math.floor(i / 19) % 4) });

const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const ms = x => +x.toFixed(1);
const stats = xs => ({ p50: ms(pct(xs, 50)), p95: ms(pct(xs, 95)), min: ms(Math.min(...xs)), max: ms(Math.max(...xs)) });

const dir = mkdtempSync(join(tmpdir(), 'af-bench-daemon-'));
let daemon;
let sub;
try {
    await withStore({ stateDir: dir }, async store => {
        const r = synthBars({ symbols: ['AAA'], timeframeMs: 86_400_000, bars: BARS, seed: 5 });
        await importBars(store, { ts: r.ts, ...r.assets[0] }, 'synth(seed=5)', { venue: 'synth', symbol: 'AAA', timeframe: '1d' });
    });
    const load = loadavg()[0];
    daemon = await startDaemon({
        stateDir: dir, port: 0, concurrency: CORES,
        limits: { ratePerSecond: 1_000_000, rateBurst: 1_000_000, failedAuthPerMinute: 1_000_000 },
    });
    const client = () => new DaemonClient({ url: daemon.url, token: daemon.adminToken });
    const c = client();

    // The time each lifecycle event arrived here, by run and state; waiters for a run's end.
    const seen = new Map(); // `${runId} ${state}` → performance.now()
    const ends = new Map(); // runId → resolve(time) / reject
    let completed = 0, failed = 0;
    sub = await c.subscribe(['runs'], e => {
        if (e.type !== 'lifecycle') return;
        const now = performance.now();
        seen.set(`${e.runId} ${e.state}`, now);
        if (e.state === 'completed') completed++;
        if (e.state === 'failed' || e.state === 'cancelled') { failed++; console.error(`run ${e.runId} ${e.state}: ${e.message}`); }
        if (e.state === 'completed' || e.state === 'failed' || e.state === 'cancelled') ends.get(e.runId)?.(e.state, now);
    });
    /** Resolves with the time the run's 'completed' event arrived; rejects when it failed. */
    const finished = runId => new Promise((resolve, reject) => {
        const settle = (state, t) => { ends.delete(runId); if (state === 'completed') resolve(t); else reject(new Error(`run ${runId} ${state}`)); };
        for (const state of ['completed', 'failed', 'cancelled']) {
            if (seen.has(`${runId} ${state}`)) { settle(state, seen.get(`${runId} ${state}`)); return; }
        }
        ends.set(runId, settle);
    });
    const submit = (cl, i, tag) => cl.call('runs.submit', { kind: 'backtest', spec: { source: SOURCE, params: paramsOf(i), tags: { bench: tag } } });

    // Warm-up: one run per worker thread (starting a thread loads the engine), compiler caches.
    await Promise.all(Array.from({ length: CORES }, async (_, i) => finished((await submit(c, i, 'warmup')).run.id)));

    // ---- 1. latency, one run at a time
    const toRunning = [], toCompleted = [], submitCall = [];
    for (let i = 0; i < LATENCY; i++) {
        const t0 = performance.now();
        const { run } = await submit(c, i, 'latency');
        submitCall.push(performance.now() - t0);
        const done = await finished(run.id);
        toRunning.push(seen.get(`${run.id} running`) - t0);
        toCompleted.push(done - t0);
    }

    // ---- 2. throughput: JOBS backtests from CLIENTS concurrent clients
    const before = completed;
    const perClient = Math.ceil(JOBS / CLIENTS);
    const t0 = performance.now();
    const submitted = [];
    await Promise.all(Array.from({ length: CLIENTS }, async (_, k) => {
        const cl = client();
        for (let j = 0; j < perClient; j++) {
            const i = k * perClient + j;
            if (i >= JOBS) break;
            const ts = performance.now();
            const { run } = await submit(cl, i, 'throughput');
            submitted.push({ id: run.id, ts });
        }
    }));
    const submittedAt = performance.now() - t0;
    const doneAt = await Promise.all(submitted.map(s => finished(s.id)));
    const wallMs = Math.max(...doneAt) - t0;
    const jobLatency = submitted.map((s, i) => doneAt[i] - s.ts);
    if (completed - before !== JOBS || failed) throw new Error(`${completed - before} of ${JOBS} completed, ${failed} failed`);
    // Every run listed once.
    const listed = await c.call('experiments.search', { filter: "tags.bench = 'throughput'", limit: 1000 });
    if (listed.total !== JOBS) throw new Error(`experiments.search finds ${listed.total} of ${JOBS}`);

    await sub.close();
    sub = undefined;
    await daemon.stop();
    daemon = undefined;

    // ---- the same JOBS backtests in this process: compiled once, bars loaded once, one thread
    const language = new LanguageService({ workers: 1, sourceRoots: [] });
    const ir = await new RunCompiler(language).compile(SOURCE);
    await language.close();
    const data = await withStore({ stateDir: dir }, store => loadFromStore(store, { assets: [{ venue: 'synth', symbol: 'AAA' }], timeframe: '1d' }));
    const capital = capitalOf(ir);
    const once = i => {
        const r = new CompiledBacktester().run(ir, data, { params: paramsOf(i), seed: 0 });
        return computeMetrics({ ts: data.ts, equity: r.equity, capital, exposure: r.exposure, trades: r.trades, fills: r.fills });
    };
    for (let i = 0; i < Math.min(JOBS, 20); i++) once(i); // warm the JIT
    let inMs = Infinity;
    for (let rep = 0; rep < 3; rep++) {
        const s = performance.now();
        for (let i = 0; i < JOBS; i++) once(i);
        inMs = Math.min(inMs, performance.now() - s);
    }

    const platformPerSec = JOBS / (wallMs / 1000), inPerSec = JOBS / (inMs / 1000);
    const results = {
        date: new Date().toISOString(), node: process.version, cores: CORES, loadAverageAtStart: +load.toFixed(2),
        setup: { bars: BARS, strategy: 'SMA cross, 1 asset, daily', concurrency: CORES, transport: 'HTTP JSON-RPC submit, WebSocket events' },
        latency: {
            runs: LATENCY, sequential: true,
            submitToRunningMs: stats(toRunning), submitToCompletedMs: stats(toCompleted), submitCallMs: stats(submitCall),
        },
        throughput: {
            jobs: JOBS, clients: CLIENTS, allSubmittedMs: ms(submittedAt), wallMs: ms(wallMs),
            platformJobsPerSecond: +platformPerSec.toFixed(1),
            jobSubmitToCompletedMs: stats(jobLatency),
            inProcess: { jobsPerSecond: +inPerSec.toFixed(1), msPerJob: +(inMs / JOBS).toFixed(3), threads: 1, note: 'CompiledBacktester.run + computeMetrics, IR compiled once, bars loaded once; best of 3' },
            ratio: +(inPerSec / platformPerSec).toFixed(1),
            ratioPerCore: +((inPerSec * CORES) / platformPerSec).toFixed(1),
            platformWallMsPerJob: +(wallMs / JOBS).toFixed(2),
            platformCoreMsPerJob: +((wallMs * CORES) / JOBS).toFixed(2),
            overheadCoreMsPerJob: +((wallMs * CORES) / JOBS - inMs / JOBS).toFixed(2),
        },
    };
    const l = results.latency, t = results.throughput;
    console.log(`${CORES} cores (load ${results.loadAverageAtStart} at start), ${BARS} daily bars, concurrency ${CORES}`);
    console.log(`latency over ${LATENCY} sequential backtests: submit→running p50 ${l.submitToRunningMs.p50} ms / p95 ${l.submitToRunningMs.p95} ms; submit→completed p50 ${l.submitToCompletedMs.p50} ms / p95 ${l.submitToCompletedMs.p95} ms (the submit call itself p50 ${l.submitCallMs.p50} ms)`);
    console.log(`throughput: ${JOBS} backtests from ${CLIENTS} clients in ${(wallMs / 1000).toFixed(2)} s → ${t.platformJobsPerSecond} jobs/s (per job submit→completed p50 ${t.jobSubmitToCompletedMs.p50} ms / p95 ${t.jobSubmitToCompletedMs.p95} ms)`);
    console.log(`in-process, same ${JOBS} backtests, one thread: ${t.inProcess.jobsPerSecond} jobs/s (${t.inProcess.msPerJob} ms each) → the platform is ${t.ratio}× slower per job wall-clock (${t.ratioPerCore}× per core; ~${t.overheadCoreMsPerJob} core-ms of overhead per job)`);
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/daemon.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
} finally {
    await sub?.close().catch(() => undefined);
    await daemon?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
}
