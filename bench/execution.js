// Execution benchmark. Usage: npm run build && node bench/execution.js [--bars 2000]
// Bar close received → order handed to the adapter, with the risk checks on (issue 13): paper
// sessions (runtime/src/execution/paper-session.ts) on a real DuckDB file in a temp state directory,
// fed synthetic 1-minute bars one at a time; a strategy that changes its target at almost every bar,
// every risk limit set (generous enough to pass). For each bar that sends an order: the time from
// the call with the closed bar to the adapter's submit of its first order.
// Two deployments on the same store, fed the same bars in turn (alternating which goes first), so
// both see the same load:
// - new: the journal as it is (journal.ts: records and moves in memory, one group commit per bar
//   after the orders left);
// - old: the path before it, every journal change committed before the next step (the order's
//   `new` row committed before it leaves). Emulated on the same journal by flushing after each
//   record, apply and risk decision: one transaction per change as before, with fewer statements
//   per transaction than the old code ran, so the ratio understates the difference.
// Also: the new path's bar → everything committed (what the deployment waits for before storing
// the bar), and the engine step alone. The machine is shared: read percentiles, and the load
// average stored with them. Writes bench/results/execution.json.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NodeFileSystem } from 'langium/node';
import { compileStrategy, createAlphaForgeServices, isStrategy, loadString } from '../out/language/src/index.js';
import { openStore } from '../out/runtime/src/schema/registry.js';
import { synthBarData } from '../out/runtime/src/data/synth.js';
import { PaperSession } from '../out/runtime/src/execution/paper-session.js';
import { StreamingEngine } from '../out/runtime/src/execution/streaming.js';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const BARS = arg('--bars', 2000);

const SOURCE = `strategy Flip {
  universe: synth:AAA
  timeframe: 1m
  signal up = close > sma(close, 5)
  signal down = close <= sma(close, 5)
  rules {
    when up => target 100% long
    when down => target 30% long
  }
  execution {
    fees: 5 bps
    slippage: 2 bps
  }
}`;

async function compile(src) {
    const services = createAlphaForgeServices(NodeFileSystem).AlphaForge;
    const { document } = await loadString(services, src, 'memory:///bench-execution.af');
    const s = document.parseResult.value.elements.find(isStrategy);
    const r = compileStrategy(services, s);
    if (!r.ir) throw new Error(r.errors.map(e => e.message).join('; '));
    return r.ir;
}

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const round = x => Math.round(x * 1000) / 1000;

const ir = await compile(SOURCE);
const data = synthBarData({ symbols: ['synth:AAA'], timeframeMs: 60_000, bars: BARS, seed: 5, start: Date.UTC(2024, 0, 1), annualVol: 0.8 });
const bar = t => ({ ts: data.ts[t], assets: [{ open: data.assets[0].open[t], high: data.assets[0].high[t], low: data.assets[0].low[t], close: data.assets[0].close[t], volume: data.assets[0].volume[t] }] });

const dir = mkdtempSync(join(tmpdir(), 'af-bench-exec-'));
const store = await openStore({ stateDir: join(dir, 'state') });
const limits = { maxPosition: { '*': 1e9 }, maxNotional: 1e9, maxGrossExposure: 1e9, maxLeverage: 10, maxOrdersPerMinute: 1e6, priceCollar: 0.5, maxDailyLoss: 1e9, maxDrawdown: 0.99 };

function run(name, old) {
    const session = new PaperSession({ store, team: 'bench', deployment: `dep_bench_${name}`, ir, limits });
    if (old) {
        // The old journal: each change committed before the caller goes on.
        const j = session.journal;
        for (const m of ['record', 'apply', 'riskEvent']) {
            const f = j[m].bind(j);
            j[m] = async (...a) => { const r = await f(...a); await j.flush(); return r; };
        }
    }
    const r = { name, session, barStart: 0, first: NaN, handOff: [], committed: [] };
    const submit = session.venue.submit.bind(session.venue);
    session.venue.submit = o => { if (r.first !== r.first) r.first = performance.now() - r.barStart; return submit(o); };
    return r;
}
const runs = [run('new', false), run('old', true)];
for (const r of runs) await r.session.journal.ready();
for (let t = 0; t < BARS; t++) {
    for (const r of t % 2 ? [...runs].reverse() : runs) {
        r.first = NaN;
        r.barStart = performance.now();
        await r.session.bar(bar(t));
        if (r.first === r.first) { r.handOff.push(r.first); r.committed.push(performance.now() - r.barStart); }
    }
}
const orders = [];
for (const r of runs) { orders.push((await r.session.journal.orders()).length); r.session.close(); }
if (orders[0] !== orders[1]) throw new Error(`the two paths sent different orders: ${orders.join(' vs ')}`);
store.close();
rmSync(dir, { recursive: true, force: true });

// The engine step alone, over the same bars.
const engine = new StreamingEngine(ir);
const step = [];
for (let t = 0; t < BARS; t++) { const t0 = performance.now(); engine.push(bar(t)); step.push(performance.now() - t0); }

const stats = xs => ({ p50: round(pct(xs, 0.5)), p99: round(pct(xs, 0.99)), max: round(Math.max(...xs)) });
const [nw, old] = runs;
const ratio = (a, b) => Math.round((a / b) * 10) / 10;
const result = {
    date: new Date().toISOString(), cores: availableParallelism(), load: loadavg().map(round), bars: BARS,
    barsWithOrders: nw.handOff.length, orders: orders[0],
    handOffMs: stats(nw.handOff),
    handOffOldPathMs: stats(old.handOff),
    oldOverNew: { p50: ratio(pct(old.handOff, 0.5), pct(nw.handOff, 0.5)), p99: ratio(pct(old.handOff, 0.99), pct(nw.handOff, 0.99)) },
    barCommittedMs: stats(nw.committed),
    engineStepMs: { p50: round(pct(step, 0.5)), p99: round(pct(step, 0.99)) },
    note: 'hand-off: bar close given to the paper session → the venue adapter\'s submit of the first order (engine step, sizing, risk checks with every limit set, the journal record); new: journal in memory, one group commit per bar after the orders left; old: every journal change committed before the next step (emulated, see the header); barCommitted: new path, bar given → its orders and fills committed; engine step: the streaming engine alone',
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
writeFileSync(join(process.cwd(), 'bench', 'results', 'execution.json'), `${JSON.stringify(result, null, 2)}\n`);
