// Deployments under load. Usage: npm run build && node bench/deployments.js [--deployments 50] [--minutes 2] [--barMs 1000]
// Issue 13 asks for 10 minutes: node bench/deployments.js --minutes 10 (about 11 minutes of wall time).
// N paper deployments at once on one real daemon (startDaemon in this process: DuckDB file, the
// gateway on a loopback port, rate limits lifted), each a replay feed of stored synthetic bars handed
// over one every barMs (1 s: a live 1-second feed's pace), the example sma-cross strategy with short
// averages (orders at many bars), every deployment through the real client (execution.paper.start).
// Each deployment trades minutes × 60 bars and stops when its replay ends.
// Figures:
// - CPU per deployment: this process's CPU time (the daemon; the bench only starts deployments and
//   polls the list every 5 s) over the trading time, ÷ N, as % of one core;
// - RSS per deployment: (RSS at the end − RSS before the first deployment) ÷ N, and peak;
// - lag (bar due → processed): bar k of a deployment is due at t0 + k × barMs, t0 the time its first
//   bar was handed over (its warming/running state event), on the nominal clock of a live feed (the
//   replay feed waits barMs after the last bar it handed, so a slow deployment would drift: that
//   drift is lag here); processed = its stored account event (after the journal's commit). Per
//   window of 10 % of the run: p50 / p99 / max over all deployments, to show whether it grows.
// The machine is shared: the load average is stored with the figures. Writes bench/results/deployments.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withStore } from '../out/runtime/src/schema/registry.js';
import { importBars } from '../out/runtime/src/data/import.js';
import { synthBars } from '../out/runtime/src/data/synth.js';
import { startDaemon } from '../out/runtime/src/daemon/daemon.js';
import { DaemonClient } from '../out/protocol/src/client.js';
import { DataStore } from '../out/runtime/src/store/store.js';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const N = arg('--deployments', 50);
const MINUTES = arg('--minutes', 2);
const BAR_MS = arg('--barMs', 1000);
const BARS = Math.round((MINUTES * 60_000) / BAR_MS);

const SOURCE = readFileSync(join(process.cwd(), 'examples', 'sma-cross.af'), 'utf8').replace('in 5..60 step 5', 'in 2..60 step 1').replace('in 50..250 step 25', 'in 5..250 step 1');
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };
const r1 = x => Math.round(x * 10) / 10;
const stats = xs => ({ n: xs.length, p50: r1(pct(xs, 0.5)), p99: r1(pct(xs, 0.99)), max: r1(Math.max(...xs)) });
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const sleep = ms => new Promise(r => setTimeout(r, ms));

// Every transaction of the daemon (all its connections), and the slow ones: how many bars one
// commit carries (the group commit across deployments), and what a stall in the lag was.
// A transaction during which the WAL shrank ran DuckDB's checkpoint (the WAL folded into the
// database file, by default once it passes 16 MB): the store's one long pause.
const tx = { n: 0, slow: [], checkpoints: [] };
let txFrom = Infinity;
const walMb = file => { try { return statSync(`${file}.wal`).size / 2 ** 20; } catch { return 0; } };
const transaction = DataStore.prototype.transaction;
DataStore.prototype.transaction = async function (fn, o) {
    const t = Date.now(), wal = walMb(this.file);
    try { return await transaction.call(this, fn, o); } finally {
        if (t >= txFrom) {
            tx.n++;
            const ms = Date.now() - t, s = r1((t - txFrom) / 1000);
            if (ms >= 250) tx.slow.push({ s, ms });
            if (walMb(this.file) < wal) tx.checkpoints.push({ s, ms, walMb: r1(wal) });
        }
    }
};

const dir = mkdtempSync(join(tmpdir(), 'af-bench-deploy-'));
let daemon;
try {
    const start = Date.UTC(2000, 0, 3);
    await withStore({ stateDir: dir }, async store => {
        const r = synthBars({ symbols: ['AAA'], timeframeMs: 86_400_000, bars: BARS + 5, seed: 9, start });
        await importBars(store, { ts: r.ts, ...r.assets[0] }, 'synth(seed=9)', { venue: 'synth', symbol: 'AAA', timeframe: '1d' });
    });
    const loadBefore = loadavg().map(r1);
    daemon = await startDaemon({ stateDir: dir, port: 0, limits: { ratePerSecond: 1_000_000, rateBurst: 1_000_000, failedAuthPerMinute: 1_000_000 } });
    const c = new DaemonClient({ url: daemon.url, token: daemon.adminToken });
    const feed = { symbols: ['synth:AAA'], barMs: BAR_MS, from: new Date(start).toISOString().slice(0, 10), to: new Date(start + (BARS - 1) * 86_400_000).toISOString().slice(0, 10) };
    // A first deployment alone (compiler and engine warm), not counted.
    const warm = (await c.call('execution.paper.start', { source: SOURCE, uri: 'sma-cross.af', params: { fast: 3, slow: 8 }, feed: { ...feed, barMs: 10 } })).deployment;
    for (;;) { const d = (await c.call('execution.show', { id: warm.id })).deployment; if (d.state === 'stopped' || d.state === 'failed') break; await sleep(200); }
    globalThis.gc?.();
    const rss0 = rssMb(), cpu0 = process.cpuUsage(), t0 = Date.now();
    txFrom = t0;
    const ids = [];
    for (let i = 0; i < N; i++) ids.push((await c.call('execution.paper.start', { source: SOURCE, uri: 'sma-cross.af', params: { fast: 2 + (i % 5), slow: 8 + (i % 7) }, feed })).deployment.id);
    let peak = rssMb();
    const samples = [];
    let overtime = 0;
    for (;;) {
        await sleep(5000);
        const rss = rssMb();
        peak = Math.max(peak, rss);
        const u = process.cpuUsage(cpu0);
        samples.push({ s: Math.round((Date.now() - t0) / 1000), rssMb: r1(rss), cpuPct: r1(((u.user + u.system) / 1000 / (Date.now() - t0)) * 100), load1: r1(loadavg()[0]) });
        const live = (await c.call('execution.list', { limit: 1000 })).deployments.filter(d => ids.includes(d.id) && !['stopped', 'failed', 'halted'].includes(d.state));
        if (live.length === 0) break;
        if (Date.now() - t0 > MINUTES * 60_000 * 1.5 + 60_000) {
            // Behind by half the run: that is the finding; stop them and report what was processed.
            overtime = live.length;
            await Promise.all(live.map(d => c.call('execution.stop', { id: d.id, reason: 'bench overtime' }).catch(() => undefined)));
            break;
        }
    }
    const wall = Date.now() - t0;
    txFrom = Infinity;
    const cpu = process.cpuUsage(cpu0);
    const rssEnd = rssMb();
    const loadAfter = loadavg().map(r1);

    // Lag per deployment and bar, from the stored events.
    const lags = []; // [fraction of the run, lag ms]
    const states = {};
    let bars = 0, orders = 0;
    for (const id of ids) {
        const d = (await c.call('execution.show', { id })).deployment;
        states[d.state] = (states[d.state] ?? 0) + 1;
        const events = (await c.call('execution.events', { id, limit: 10_000 })).events;
        const first = events.find(e => e.kind === 'state' && (e.data.state === 'warming' || e.data.state === 'running'));
        if (!first) continue;
        const due0 = Date.parse(first.ts);
        for (const e of events) {
            if (e.kind === 'order' && e.data.state === 'new') orders++;
            if (e.kind !== 'account' || typeof e.data.bar !== 'number') continue;
            const k = e.data.bar - 1;
            bars++;
            lags.push([k / BARS, Date.parse(e.ts) - (due0 + k * BAR_MS)]);
        }
    }
    const windows = Array.from({ length: 10 }, (_, w) => ({ window: `${w * 10}-${w * 10 + 10}%`, ...stats(lags.filter(([f]) => f >= w / 10 && f < (w + 1) / 10).map(([, l]) => l)) }));
    const result = {
        date: new Date().toISOString(), cores: availableParallelism(), loadBefore, loadAfter, deployments: N, minutes: MINUTES, barMs: BAR_MS, barsPerDeployment: BARS,
        wallSeconds: r1(wall / 1000), stillTradingAtOvertime: overtime, finalStates: states, barsProcessed: bars, orders,
        cpuPerDeploymentPctOfCore: r1(((cpu.user + cpu.system) / 1000 / wall) * 100 / N),
        cpuDaemonPctOfCore: r1(((cpu.user + cpu.system) / 1000 / wall) * 100),
        rssPerDeploymentMb: r1((rssEnd - rss0) / N), rssBeforeMb: r1(rss0), rssEndMb: r1(rssEnd), rssPeakMb: r1(peak),
        lagMs: stats(lags.map(([, l]) => l)),
        // Last tenth over first tenth of the same run: 1 is no growth.
        lagGrowth: { p50: r1(windows[9].p50 / windows[0].p50), p99: r1(windows[9].p99 / windows[0].p99) },
        lagByWindowMs: windows,
        transactions: tx.n, barsPerTransaction: r1(bars / Math.max(1, tx.n)),
        slowTransactions: { n: tx.slow.length, maxMs: tx.slow.length ? Math.max(...tx.slow.map(x => x.ms)) : 0, first: tx.slow.slice(0, 20) },
        checkpoints: tx.checkpoints,
        samples,
        note: 'one daemon in this process, N paper deployments on replay feeds at one bar per barMs; CPU and RSS are the process\'s (the bench\'s own work is starting deployments and a list call every 5 s); lag = stored account event − (first bar handed + k × barMs), the nominal clock of a live feed',
    };
    console.log(JSON.stringify({ ...result, samples: undefined }, null, 2));
    mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
    writeFileSync(join(process.cwd(), 'bench', 'results', 'deployments.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
    await daemon?.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
}
