// Pack benchmark. Usage: npm run build && node bench/packs.js [--bars 1000000] [--rounds 7]
// A function contributed by a pack that is not built in (so it runs through the hook *guarded*: a
// throw names the pack) against the same function in core, in the same run: the WMA crossing an
// SMA on one asset, core `wma` vs a pack's `pack_wma` with the very same incremental class. Runs
// alternate, the median of each is kept. Goal: pack / core ≤ 1.10 (the machine is shared; the
// generated code differs only by the guard). The two must end with the same equity.
// The same for the bundled mid-frequency pack: `donchian(20).mid` against core's
// `(highest(high, 20) + lowest(low, 20)) / 2`, the same two window extremes (core's in line).
// Prints the figures and writes bench/results/packs.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { EmptyFileSystem } from 'langium';
import { createAlphaForgeServices, loadString, compileStrategy } from '../out/language/src/index.js';
import { ALPHAFORGE_VERSION } from '../out/language/src/catalogue/pack-manifest.js';
import { CompiledBacktester } from '../out/runtime/src/engine/compiled/index.js';
import { Wma } from '../out/runtime/src/engine/indicators/index.js';
import { BUILT_IN_PACKS, BUNDLED_PACKS } from '../out/runtime/src/engine/packs/builtin.js';
import { installFunctionProvider } from '../out/runtime/src/engine/packs/hook.js';
import { PackRegistry } from '../out/runtime/src/engine/packs/registry.js';
import * as F from '../out/runtime/src/engine/reference/functions.js';

const arg = (name, def) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : def; };
const BARS = arg('--bars', 1_000_000);
const ROUNDS = arg('--rounds', 7);

const benchPack = {
    origin: 'bench/packs.js',
    manifest: {
        name: 'bench', version: '1.0.0', description: 'The core WMA under another name, as a pack.', alphaforge: `^${ALPHAFORGE_VERSION}`,
        contributes: {
            functions: [{
                name: 'pack_wma', params: [{ name: 'source', type: 'series<U>', doc: 'Input.' }, { name: 'length', type: 'int', min: 1, doc: 'Window.' }],
                returns: 'series<U>', lookback: 'length - 1', doc: 'wma, from a pack.', example: 'feature w = pack_wma(close, 20)',
            }],
        },
    },
    implementation: {
        compiled: { pack_wma: { params: ['series', 'const'], create: c => new Wma(c[0]) } },
        reference: { pack_wma: { series: c => F.wma(c.hist(0), c.t, F.lengthArg(c.arg(1), 'pack_wma')) } },
    },
};
const registry = new PackRegistry([...BUILT_IN_PACKS, ...BUNDLED_PACKS, benchPack]);
installFunctionProvider(registry);

const services = createAlphaForgeServices({ ...EmptyFileSystem, packs: registry.cataloguePacks().filter(p => p.id !== 'core') }).AlphaForge;
async function irOf(fn, expr = `${fn}(close, 20)`) {
    const src = `strategy W {
  universe: x:A
  timeframe: 1h
  feature w = ${expr}
  feature s = sma(close, 100)
  signal up = crossover(w, s)
  signal down = crossunder(w, s)
  rules {
    when up => target 100% long
    when down => flat
  }
}`;
    const { document } = await loadString(services, src, `memory:///bench-${fn}.af`);
    const r = compileStrategy(services, document.parseResult.value.elements.find(e => e.$type === 'Strategy'));
    if (!r.ir) throw new Error(JSON.stringify(r.errors));
    return r.ir;
}

function walk(n, seed = 1, tf = 3_600_000) {
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

const data = walk(BARS);
const engine = new CompiledBacktester();
const median = xs => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Runs the two strategies alternately; the median times and their ratio (they must end with the same equity). */
function compare(what, core, pack) {
    const times = { core: [], pack: [] };
    const equity = {};
    for (let r = 0; r < ROUNDS; r++) {
        for (const [name, ir] of [['core', core], ['pack', pack]]) {
            const t0 = performance.now();
            const res = engine.run(ir, data);
            times[name].push(performance.now() - t0);
            equity[name] = res.equity[res.equity.length - 1];
        }
    }
    if (equity.core !== equity.pack) throw new Error(`${what}: core and pack end with different equity: ${equity.core} vs ${equity.pack}`);
    const c = median(times.core), p = median(times.pack);
    return { coreMs: Math.round(c), packMs: Math.round(p), ratio: +(p / c).toFixed(3), goal: 'ratio ≤ 1.10', met: p / c <= 1.1 };
}

const wma = compare('wma', await irOf('wma'), await irOf('pack_wma'));
const donchian = compare('donchian', await irOf('core', '(highest(high, 20) + lowest(low, 20)) / 2'), await irOf('donchian', 'donchian(20).mid'));
const results = { bars: BARS, rounds: ROUNDS, packFunctionVsCore: wma, midFrequencyVsCore: donchian };
console.log(`wma × sma cross, ${BARS.toLocaleString('en-US')} bars, median of ${ROUNDS}: core wma ${wma.coreMs} ms, pack_wma (guarded, through the hook) ${wma.packMs} ms → ratio ${wma.ratio} (goal ≤ 1.10); same final equity`);
console.log(`donchian mid × sma cross: core (highest + lowest) / 2 ${donchian.coreMs} ms, mid-frequency donchian(20).mid ${donchian.packMs} ms → ratio ${donchian.ratio} (goal ≤ 1.10); same final equity`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/packs.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
