// Engine benchmark. Usage: npm run build && node --expose-gc bench/engine.js [--bars 1000000] [--big 10000000] [--reps 9] [--loop-only]
// 1. The SMA-cross + ATR-stop example on 1M synthetic bars, compiled engine vs the same logic
//    hand-written as one typed-array loop, in the same run (goal: compiled ≤ 1.5× hand-written).
//    The two must end with the same equity (a cross-check of the engine, not only a timing).
//    And the plainest strategy (SMA 10/50 crossover, long-only, next-open fills, 10 bps fee, 5 bps
//    slippage; no stop, no drawdown limit) against the tightest hand-written loop of it, which
//    still stores equity every bar: here the engine's own overhead is all there is to see.
//    Each comparison reports the ratio of the medians and of the fastest runs (see compare()), the
//    ratio of the median CPU times (the process's own, without waits for a core), and the compiled
//    run's time with its exposure read, and with its trades read (both computed from the fill log
//    on first read).
//    The helpers (walk, the hand-written loops, PLAIN_SRC) can be imported: the benchmark runs only
//    when this file is the program.
// 2. A 1,000+-combination sweep on the S&P 500 sample: combinations per second with 1 and 2 workers
//    (goal: scaling ≥ 1.7×; needs two otherwise idle cores to mean anything).
// 3. 10M bars of one asset in ≤ 1 GiB RSS (run in a child process so RSS is its own).
// Prints the figures and writes bench/results/engine.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { EmptyFileSystem } from 'langium';
import { createAlphaForgeServices, loadString, compileStrategy } from '../out/language/src/index.js';
import { CompiledBacktester } from '../out/runtime/src/engine/compiled/index.js';
import { runSweep } from '../out/runtime/src/engine/sweep.js';
import { openStore } from '../out/runtime/src/schema/registry.js';
import { importFile } from '../out/runtime/src/data/import.js';
import { loadFromStore } from '../out/runtime/src/data/load.js';
import { sampleFile } from '../out/runtime/src/data/sample.js';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const BARS = arg('--bars', 1_000_000);
const BIG = arg('--big', 10_000_000);
/** Timed repetitions per side (medians): the machine is shared, single runs are noise. */
const REPS = arg('--reps', 9);
/** Only the two compiled-vs-hand comparisons (no sweep, no memory run, no results file). */
const ONLY_ENGINE = process.argv.includes('--loop-only');
const child = process.argv.includes('--child-rss');

export async function exampleIr(file, replace = s => s) {
    const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;
    const { document } = await loadString(services, replace(readFileSync(new URL(`../examples/${file}`, import.meta.url), 'utf8')), 'memory:///bench.af');
    const s = document.parseResult.value.elements.find(e => e.$type === 'Strategy');
    const r = compileStrategy(services, s);
    if (!r.ir) throw new Error(JSON.stringify(r.errors));
    return r.ir;
}

/** Seeded random-walk OHLCV of one asset (typed arrays). */
export function walk(n, seed = 1, tf = 3_600_000) {
    let s = seed >>> 0;
    const rnd = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
    const ts = new Float64Array(n), o = new Float64Array(n), h = new Float64Array(n), l = new Float64Array(n), c = new Float64Array(n), v = new Float64Array(n);
    let p = 100;
    for (let i = 0; i < n; i++) {
        ts[i] = Date.UTC(2000, 0, 1) + i * tf;
        const open = p * (1 + (rnd() - 0.5) * 0.002), close = open * (1 + (rnd() - 0.5) * 0.01);
        o[i] = open; c[i] = close; h[i] = Math.max(open, close) * (1 + rnd() * 0.003); l[i] = Math.min(open, close) * (1 - rnd() * 0.003); v[i] = 1000;
        p = close;
    }
    return { ts, assets: [{ open: o, high: h, low: l, close: c, volume: v }], snapshotHash: `walk-${n}-${seed}`, timeframeMs: tf };
}

/** The SMA-cross example with fast 20 / slow 100, 3 × ATR(14) stop, 25% drawdown halt, written by hand. */
export function handWritten(d, fast = 20, slow = 100, fees = 0.0005, slip = 0.0002, capital = 100_000, maxDd = 0.25) {
    const { open: O, high: H, low: L, close: C } = d.assets[0];
    const n = C.length;
    const fr = new Float64Array(fast), sr = new Float64Array(slow);
    let fs = 0, ss = 0, fc = 0, sc = 0, pf = NaN, ps = NaN;
    let prevC = NaN, trs = 0, atr = 0;
    let cash = capital, q = 0, stop = NaN, risk = NaN, pend = NaN, peak = capital, halted = false;
    const equity = new Float64Array(n);
    const fill = (qty, raw) => { const px = qty > 0 ? raw * (1 + slip) : raw * (1 - slip); cash -= qty * px + Math.abs(qty) * px * fees; const before = q; q += qty; if (Math.abs(q) * px < 1e-9) q = 0; if (before === 0 && q !== 0) stop = risk === risk ? px - risk : NaN; if (q === 0) stop = NaN; };
    for (let t = 0; t < n; t++) {
        if (pend === pend) { const tgt = pend / O[t]; pend = NaN; fill(tgt - q, O[t]); }
        if (q > 0 && stop === stop) { if (O[t] <= stop) fill(-q, O[t]); else if (L[t] <= stop) fill(-q, stop); }
        let E = cash + q * C[t];
        if (!halted) {
            if (E > peak) peak = E;
            if ((peak - E) / peak >= maxDd) { if (q !== 0) fill(-q, C[t]); halted = true; E = cash; }
        }
        // indicators at the close
        const fo = fr[t % fast]; fr[t % fast] = C[t]; fs += C[t] - (t >= fast ? fo : 0); fc++;
        const so = sr[t % slow]; sr[t % slow] = C[t]; ss += C[t] - (t >= slow ? so : 0); sc++;
        const f = fc >= fast ? fs / fast : NaN, s = sc >= slow ? ss / slow : NaN;
        if (prevC === prevC) { const tr = Math.max(H[t] - L[t], Math.abs(H[t] - prevC), Math.abs(L[t] - prevC)); if (trs < 14) { atr += tr; trs++; if (trs === 14) atr /= 14; } else atr = (atr * 13 + tr) / 14; }
        prevC = C[t];
        risk = trs >= 14 ? 3 * atr : NaN;
        if (t >= slow && !halted) {
            const up = f > s && pf <= ps, down = f < s && pf >= ps;
            if (up) pend = E; else if (down) pend = 0;
        }
        pf = f; ps = s;
        equity[t] = cash + q * C[t];
    }
    if (q !== 0) { fill(-q, C[n - 1]); equity[n - 1] = cash; }
    return equity;
}

/**
 * The plainest strategy, SMA 10/50 crossover long-only, as the engine runs it (PLAIN_SRC): the
 * tightest typed-array loop of the same logic, equity stored every bar. The same order of
 * operations as docs/backtest-semantics.md: pending order at the open, mark, SMAs and the cross at
 * the close, a target of 100% of equity (the order is sized at the next open), everything closed
 * at the last close. Everything is a local of this one function: an earlier version filled through
 * a closure, which made V8 keep the cash and the position (captured variables) boxed, one heap
 * number a bar and a young-generation collection every run, several times the time of this loop.
 */
export function handPlain(d, fast = 10, slow = 50, fees = 0.001, slip = 0.0005, capital = 100_000) {
    const O = d.assets[0].open, C = d.assets[0].close;
    const n = C.length;
    const fr = new Float64Array(fast), sr = new Float64Array(slow);
    let fs = 0, ss = 0, fp = 0, sp = 0, pf = NaN, ps = NaN;
    let cash = capital, q = 0, pend = NaN;
    const equity = new Float64Array(n);
    for (let t = 0; t < n; t++) {
        if (pend === pend) {
            const raw = O[t], qty = pend / raw - q;
            pend = NaN;
            if (qty !== 0 && Math.abs(qty) * raw >= 1e-9) {
                const px = qty > 0 ? raw * (1 + slip) : raw * (1 - slip);
                cash -= qty * px + Math.abs(qty) * px * fees;
                q += qty;
                if (Math.abs(q) * px < 1e-9) q = 0;
            }
        }
        const c = C[t];
        const E = cash + q * c;
        fs += c - fr[fp]; fr[fp] = c; if (++fp === fast) fp = 0;
        ss += c - sr[sp]; sr[sp] = c; if (++sp === slow) sp = 0;
        const f = t >= fast - 1 ? fs / fast : NaN, s = t >= slow - 1 ? ss / slow : NaN;
        if (f > s && pf <= ps) pend = E; else if (f < s && pf >= ps) pend = 0;
        pf = f; ps = s;
        equity[t] = E;
    }
    if (q !== 0) {
        const raw = C[n - 1], px = -q > 0 ? raw * (1 + slip) : raw * (1 - slip);
        cash -= -q * px + Math.abs(q) * px * fees;
        equity[n - 1] = cash;
    }
    return equity;
}

/** The same strategy in the DSL (hourly bars, as walk() makes). */
export const PLAIN_SRC = `strategy PlainCross {
  universe: x:A
  timeframe: 1h
  signal up = crossover(sma(close, 10), sma(close, 50))
  signal down = crossunder(sma(close, 10), sma(close, 50))
  rules {
    when up => target 100% long
    when down => flat
  }
  execution {
    fill: next_open
    fees: 10 bps
    slippage: 5 bps
  }
}`;

export async function sourceIr(src) {
    const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;
    const { document } = await loadString(services, src, 'memory:///bench-plain.af');
    const s = document.parseResult.value.elements.find(e => e.$type === 'Strategy');
    const r = compileStrategy(services, s);
    if (!r.ir) throw new Error(JSON.stringify(r.errors));
    return r.ir;
}

/**
 * Compiled engine vs a hand-written loop on the same data, timed alternately; equity compared bar by
 * bar. Two ratios: of the medians, and of the fastest runs. On a loaded machine a run's wall time
 * is its own time plus the time it waited for a core, and the waits, alike on both sides, push the
 * ratio of the medians towards 1; the fastest run of each side is the one that waited least, so
 * their ratio is the better estimate of the ratio on a quiet machine. The goal must hold for both.
 * `withExposureMs`: the compiled run and then its exposure read (computed on first read when the
 * loop did not record it; see compiled/exposure.ts).
 */
function compare(label, ir, data, hand, key, results) {
    const engine = new CompiledBacktester();
    const [compiled, handed] = timePair(() => engine.run(ir, data).equity, () => hand(data), REPS, 5);
    const withExposure = timePair(() => engine.run(ir, data).exposure, () => 0, REPS, 2)[0];
    // Trades are booked from the fill log when first read (compiled/broker.ts tradeLog): the run and that read.
    const withTrades = timePair(() => engine.run(ir, data).trades, () => 0, REPS, 2)[0];
    let maxRel = 0;
    for (let i = 0; i < data.ts.length; i++) maxRel = Math.max(maxRel, Math.abs(compiled.out[i] - handed.out[i]) / handed.out[i]);
    if (!(maxRel <= 1e-9)) throw new Error(`${label}: the compiled engine and the hand-written loop disagree (max relative equity difference ${maxRel})`);
    const bars = data.ts.length;
    const ratio = compiled.ms / handed.ms, ratioMin = compiled.min / handed.min;
    results[key] = {
        bars, compiledMs: +compiled.ms.toFixed(1), handWrittenMs: +handed.ms.toFixed(1),
        ratio: +ratio.toFixed(2),
        compiledMinMs: +compiled.min.toFixed(1), handWrittenMinMs: +handed.min.toFixed(1), ratioOfMinimums: +ratioMin.toFixed(2),
        // The process's CPU time per run (medians): on a loaded machine wall time includes the waits
        // for a core, CPU time does not (it still feels the load through caches), a third estimate.
        compiledCpuMs: +compiled.cpu.toFixed(1), handWrittenCpuMs: +handed.cpu.toFixed(1), ratioOfCpuTimes: +(compiled.cpu / handed.cpu).toFixed(2),
        compiledWithExposureMs: +withExposure.ms.toFixed(1), compiledWithTradesMs: +withTrades.ms.toFixed(1),
        barsPerSecond: Math.round(bars / (compiled.ms / 1000)),
        maxRelativeEquityDifference: maxRel, repetitions: REPS, goal: 'ratio ≤ 1.5 (of the medians and of the minimums)', met: ratio <= 1.5 && ratioMin <= 1.5,
    };
    console.log(`${label}, ${bars.toLocaleString('en-US')} bars: compiled ${compiled.ms.toFixed(1)} ms (${results[key].barsPerSecond.toLocaleString('en-US')} bars/s; ${withExposure.ms.toFixed(1)} ms with its exposure read, ${withTrades.ms.toFixed(1)} ms with its trades read), hand-written ${handed.ms.toFixed(1)} ms → ratio ${results[key].ratio} (medians of ${REPS}); fastest runs ${compiled.min.toFixed(1)} / ${handed.min.toFixed(1)} ms → ratio ${results[key].ratioOfMinimums} (goal ≤ 1.5); CPU time ${compiled.cpu.toFixed(1)} / ${handed.cpu.toFixed(1)} ms → ratio ${results[key].ratioOfCpuTimes} (medians); equity agrees to ${maxRel.toExponential(1)}`);
}

function time(f, reps) {
    const ts = [], cpu = [];
    let out;
    for (let i = 0; i < reps; i++) {
        globalThis.gc?.();
        const c0 = process.cpuUsage(), t0 = performance.now();
        out = f();
        ts.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
    }
    ts.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    return { ms: ts[Math.floor(ts.length / 2)], min: ts[0], cpu: cpu[Math.floor(cpu.length / 2)], out };
}

/**
 * Median and minimum times of f and g run alternately (so that a change in the machine's load
 * during the measurement affects both alike), after `warm` untimed runs of each: V8 optimises a
 * function that runs one long loop only after a few calls, so the figures compare optimised code.
 */
function timePair(f, g, reps, warm) {
    time(f, warm);
    time(g, warm);
    const a = [], b = [], ca = [], cb = [];
    let outF, outG;
    for (let i = 0; i < reps; i++) {
        const x = time(f, 1), y = time(g, 1);
        a.push(x.ms); b.push(y.ms); ca.push(x.cpu); cb.push(y.cpu); outF = x.out; outG = y.out;
    }
    const median = ts => ts.sort((p, q) => p - q)[Math.floor(ts.length / 2)];
    return [{ ms: median(a), min: a[0], cpu: median(ca), out: outF }, { ms: median(b), min: b[0], cpu: median(cb), out: outG }];
}

export const smaIr = () => exampleIr('sma-cross.af', s => s.replace('timeframe: 1d', 'timeframe: 1h'));

/** The benchmark itself runs only when this file is the program: its helpers (walk, the hand-written loops) can be imported. */
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) await main();

async function main() {
    if (child) {
        // Memory run: generate BIG bars and backtest them; report peak RSS.
        const ir = await smaIr();
        const data = walk(BIG, 2);
        new CompiledBacktester().run(ir, data);
        process.stdout.write(JSON.stringify({ bars: BIG, rssMiB: process.resourceUsage().maxRSS / 1024 }));
        process.exit(0);
    }

    const results = { date: new Date().toISOString(), node: process.version };
    {
        const data = walk(BARS, 1);
        compare('SMA cross + ATR stop', await smaIr(), data, d => handWritten(d), 'compiledVsHand', results);
        compare('SMA 10/50 cross, no stop (the tight loop)', await sourceIr(PLAIN_SRC), data, d => handPlain(d), 'plainVsHand', results);
    }
    if (ONLY_ENGINE) { console.log(`load average ${loadavg().map(x => x.toFixed(1)).join(' ')}`); process.exit(0); }
    {
        // The S&P 500 sample (imported into a throw-away store) and the SMA-cross example with a finer
        // grid: fast 5..60 step 1 × slow 50..250 step 10, fast < slow → 1,158 combinations.
        const dir = mkdtempSync(join(tmpdir(), 'af-bench-engine-'));
        const store = await openStore({ stateDir: dir });
        await importFile(store, sampleFile(), { venue: 'sp', symbol: 'SPX', timeframe: '1d', calendar: 'weekdays', allowGaps: true });
        const data = await loadFromStore(store, { assets: [{ venue: 'sp', symbol: 'SPX' }], timeframe: '1d' });
        store.close();
        rmSync(dir, { recursive: true, force: true });
        const ir = await exampleIr('sma-cross.af', s => s.replace('in 5..60 step 5', 'in 5..60 step 1').replace('in 50..250 step 25', 'in 50..250 step 10'));
        const w1 = await runSweep(ir, data, { mode: 'grid', workers: 1 });
        const w2 = await runSweep(ir, data, { mode: 'grid', workers: 2 });
        if (w1.trials < 1000) throw new Error(`the sweep grid has only ${w1.trials} combinations`);
        const r1 = w1.trials / (w1.elapsedMs / 1000), r2 = w2.trials / (w2.elapsedMs / 1000);
        results.sweep = { data: 'sp:SPX 1d sample', bars: data.ts.length, trials: w1.trials, cores: availableParallelism(), perSecond1: Math.round(r1), perSecond2: Math.round(r2), scaling: +(r2 / r1).toFixed(2), goal: 'scaling ≥ 1.7', met: r2 / r1 >= 1.7 };
        console.log(`sweep of ${w1.trials} combinations on the S&P 500 sample (${data.ts.length} bars): ${Math.round(r1)}/s with 1 worker, ${Math.round(r2)}/s with 2 → scaling ${results.sweep.scaling} (goal ≥ 1.7; ${availableParallelism()} cores, shared)`);
    }
    {
        const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child-rss', '--big', String(BIG)], { encoding: 'utf8', maxBuffer: 1 << 20 });
        const m = JSON.parse(out);
        results.memory = { bars: m.bars, peakRssMiB: Math.round(m.rssMiB), goal: '≤ 1024 MiB', met: m.rssMiB <= 1024 };
        console.log(`${m.bars.toLocaleString('en-US')} bars of one asset: peak RSS ${Math.round(m.rssMiB)} MiB (goal ≤ 1,024)`);
    }
    // The 1-minute load average at the end: on a shared machine, compare only the ratios measured in this run.
    results.loadAverage = +loadavg()[0].toFixed(1);
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/engine.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
}
