// HFT event-mode benchmark. Usage: npm run build && node bench/hft.js [--events 10000000] [--chunk 1000000]
// The example strategy (examples/packs/hft-imbalance-mm.af: book imbalance over 3 levels, trade-flow
// imbalance and realised volatility over seconds, two-sided quotes with queue positions and 5 ms of
// latency) over a seeded synthetic market of trades and L2 book updates, generated chunk by chunk and
// fed to one run, so the events are never all in memory (the memory measured is the engine's).
// In the same run it times the generator alone over the same events (same seed), so the engine's own
// rate is events / (run time − generation time). Peak memory: RSS and heap sampled after each chunk.
// Wall times are noisy on a shared machine: the load average is recorded beside them.
// Prints the figures and writes bench/results/hft.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { EmptyFileSystem } from 'langium';
import { createAlphaForgeServices, loadString, compileStrategy } from '../out/language/src/index.js';
import { hftPack } from '../out/language/src/catalogue/hft-pack.js';
import { HftSynth } from '../out/runtime/src/data/hft/synth.js';
import { allocEvents } from '../out/runtime/src/data/hft/events.js';
import { EventRun } from '../out/runtime/src/engine/hft/engine.js';
import { BUILT_IN_PACKS, BUNDLED_PACKS } from '../out/runtime/src/engine/packs/builtin.js';
import { installFunctionProvider } from '../out/runtime/src/engine/packs/hook.js';
import { PackRegistry } from '../out/runtime/src/engine/packs/registry.js';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const EVENTS = arg('--events', 10_000_000);
const CHUNK = arg('--chunk', 1_000_000);
const SEED = 1;

installFunctionProvider(new PackRegistry([...BUILT_IN_PACKS, ...BUNDLED_PACKS]));
const services = createAlphaForgeServices({ ...EmptyFileSystem, packs: [hftPack] }).AlphaForge;
const { document } = await loadString(services, readFileSync(new URL('../examples/packs/hft-imbalance-mm.af', import.meta.url), 'utf8'), 'memory:///bench-hft.af');
const compiled = compileStrategy(services, document.parseResult.value.elements.find(e => e.$type === 'Strategy'));
if (!compiled.ir) throw new Error(JSON.stringify(compiled.errors));
const ir = compiled.ir;

const mb = x => Math.round(x / 1024 / 1024);
function pass(withEngine) {
    const synth = new HftSynth({ seed: SEED });
    const buf = allocEvents(CHUNK);
    const run = withEngine ? new EventRun(ir, { keepFills: 0 }) : undefined;
    let done = 0, peakRss = 0, peakHeap = 0;
    const t0 = performance.now();
    while (done < EVENTS) {
        const chunk = synth.next(Math.min(CHUNK, EVENTS - done), buf);
        if (chunk.n === 0) break; // fewer than a change's rows left
        run?.feed(chunk);
        done += chunk.n;
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss); peakHeap = Math.max(peakHeap, m.heapUsed);
    }
    const result = run?.finish();
    return { seconds: (performance.now() - t0) / 1000, events: done, peakRss, peakHeap, result };
}

const before = loadavg()[0];
pass(false); // warm the generator
const gen = pass(false);
const full = pass(true);
const engineSeconds = Math.max(1e-9, full.seconds - gen.seconds);
const r = full.result;
const out = {
    bench: 'hft', events: full.events, chunk: CHUNK, seed: SEED, strategy: r.strategy,
    runSeconds: +full.seconds.toFixed(3), generatorSeconds: +gen.seconds.toFixed(3),
    eventsPerSecond: Math.round(full.events / full.seconds),
    engineEventsPerSecond: Math.round(full.events / engineSeconds),
    engineShareOfRun: +(engineSeconds / full.seconds).toFixed(3),
    decisions: r.decisions, ordersSent: r.ordersSent, cancelsSent: r.cancelsSent, fills: r.fillCount, maxAbsInventory: r.maxAbsInventory,
    peakRssMB: mb(full.peakRss), peakHeapMB: mb(full.peakHeap), generatorPeakRssMB: mb(gen.peakRss),
    loadAverage: [+before.toFixed(2), +loadavg()[0].toFixed(2)], node: process.version, date: new Date().toISOString(),
};
console.log(JSON.stringify(out, null, 2));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/hft.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
