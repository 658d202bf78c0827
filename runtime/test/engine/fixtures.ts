/** Test fixtures for the engine: seeded synthetic OHLCV bars and .af source compiled to IR. */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { EmptyFileSystem } from 'langium';
import { createAlphaForgeServices, compileStrategy, isStrategy, loadFiles, loadString, type Model, type StrategyIr } from '../../../language/src/index.js';
import type { AssetBars, BarData } from '../../src/engine/types.js';

import { mulberry32 as prng } from '../../../language/src/util/prng.js';

export { prng };

/** Random-walk bars with realistic ranges: high ≥ max(open, close), low ≤ min(open, close). */
export function synthBars(opts: { assets: number; bars: number; seed: number; timeframeMs?: number; start?: number; gaps?: number }): BarData {
    const rnd = prng(opts.seed);
    const tf = opts.timeframeMs ?? 86_400_000;
    const start = opts.start ?? Date.UTC(2020, 0, 1);
    const ts = Float64Array.from({ length: opts.bars }, (_, i) => start + i * tf);
    const assets: AssetBars[] = [];
    for (let a = 0; a < opts.assets; a++) {
        const o = new Float64Array(opts.bars), h = new Float64Array(opts.bars), l = new Float64Array(opts.bars), c = new Float64Array(opts.bars), v = new Float64Array(opts.bars);
        let price = 50 + 100 * rnd();
        const drift = (rnd() - 0.5) * 0.002;
        for (let i = 0; i < opts.bars; i++) {
            const open = price * (1 + (rnd() - 0.5) * 0.01);
            const close = open * (1 + drift + (rnd() - 0.5) * 0.04);
            o[i] = open; c[i] = close;
            h[i] = Math.max(open, close) * (1 + rnd() * 0.015);
            l[i] = Math.min(open, close) * (1 - rnd() * 0.015);
            v[i] = 1000 + 1000 * rnd();
            price = close;
        }
        for (let g = 0; g < (opts.gaps ?? 0); g++) {
            const i = 1 + Math.floor(rnd() * (opts.bars - 2));
            o[i] = h[i] = l[i] = c[i] = v[i] = NaN;
        }
        assets.push({ open: o, high: h, low: l, close: c, volume: v });
    }
    const hash = createHash('sha256').update(Buffer.from(ts.buffer));
    for (const a of assets) for (const col of [a.open, a.high, a.low, a.close, a.volume]) hash.update(Buffer.from(col.buffer));
    return { ts, assets, snapshotHash: hash.digest('hex'), timeframeMs: tf };
}

/** Hand-made bars for scenario tests: rows of [open, high, low, close]. */
export function bars(rows: readonly (readonly [number, number, number, number])[], timeframeMs = 86_400_000): BarData {
    const n = rows.length;
    const col = (k: number) => Float64Array.from(rows, r => r[k]!);
    return {
        ts: Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * timeframeMs),
        assets: [{ open: col(0), high: col(1), low: col(2), close: col(3), volume: new Float64Array(n).fill(1000) }],
        snapshotHash: 'test', timeframeMs,
    };
}

const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;
let n = 0;

export async function irOf(source: string): Promise<StrategyIr> {
    const { document } = await loadString(services, source, `memory:///fixture${++n}.af`);
    const s = (document.parseResult.value as Model).elements.find(isStrategy);
    if (!s) throw new Error('no strategy in fixture');
    const r = compileStrategy(services, s);
    if (!r.ir) throw new Error(r.errors.map(e => `${e.line}:${e.column} ${e.code} ${e.message}`).join('\n'));
    return r.ir;
}

/** An SMA crossover on one asset x:A with a 4 × 3 grid and a constraint: the pipeline and sweep tests' strategy. */
export const CROSS_SRC = `strategy Cross {
  universe: x:A
  timeframe: 1d
  param fast: int = 10 in 5..20 step 5
  param slow: int = 40 in 20..60 step 20
  constraint fast < slow
  signal up = crossover(sma(close, fast), sma(close, slow))
  signal down = crossunder(sma(close, fast), sma(close, slow))
  rules {
    when up => target 100% long
    when down => flat
  }
}`;

/** One strategy of examples/, compiled at its defaults. */
export interface ExampleCase { readonly name: string; readonly ir: StrategyIr }

/** Every strategy of every file in examples/ (`file#Strategy`), compiled from disk with its imports. */
export async function exampleCases(): Promise<ExampleCase[]> {
    const services = createAlphaForgeServices(NodeFileSystem).AlphaForge;
    const dir = join(process.cwd(), 'examples');
    const files = readdirSync(dir).filter(f => f.endsWith('.af')).sort();
    const docs = await loadFiles(services, files.map(f => URI.file(join(dir, f))));
    const cases: ExampleCase[] = [];
    docs.forEach((d, i) => {
        for (const s of d.document.parseResult.value.elements.filter(isStrategy)) {
            const r = compileStrategy(services, s);
            if (!r.ir) throw new Error(`${files[i]}: ${r.errors.map(e => e.message).join('; ')}`);
            cases.push({ name: `${files[i]}#${s.name}`, ir: r.ir });
        }
    });
    return cases;
}
