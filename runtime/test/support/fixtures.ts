/**
 * Fixtures shared by the runtime's integration tests: seeded synthetic daily bars in a state
 * directory and the small strategies that run on them in milliseconds.
 */
import { importBars } from '../../src/data/import.js';
import { withStore } from '../../src/schema/registry.js';
import { synthBars } from '../../src/data/synth.js';
import { tempDir } from '../data/helpers.js';
import { copyTemplate, isEmptyDir, template } from './templates.js';

/** A small daily SMA crossover on synth:AAA (fast to run). */
export const TINY = `strategy Tiny {
  universe: synth:AAA
  timeframe: 1d
  param fast: int = 5 in 2..10 step 1
  param slow: int = 20 in 15..30 step 5
  constraint fast < slow
  feature f = sma(close, fast)
  feature s = sma(close, slow)
  rules {
    when crossover(f, s) => target 100% long
    when crossunder(f, s) => flat
  }
}
`;

/** SMA cross on synth:AAA (or `symbol`); the fast × slow ranges set the size of a sweep's grid. */
export function smaCross(o: { fast?: string; slow?: string; symbol?: string } = {}): string {
    return `strategy Cross {
  universe: ${o.symbol ?? 'synth:AAA'}
  timeframe: 1d
  param fast: int = 10 in ${o.fast ?? '5..20 step 5'}
  param slow: int = 40 in ${o.slow ?? '30..50 step 10'}
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
}

/** Buys 20% on a 3/8 SMA crossover, flat on the way down: an order every few daily bars (deployments against the stand-in). */
export const LIVE_CROSS = `strategy Live {
  universe: synth:AAA
  timeframe: 1d
  param fast: int = 3 in 2..10 step 1
  param slow: int = 8 in 5..30 step 1
  constraint fast < slow
  signal up = crossover(sma(close, fast), sma(close, slow))
  signal down = crossunder(sma(close, fast), sma(close, slow))
  rules {
    when up => target 20% long
    when down => flat
  }
}
`;

export interface SynthBarsOptions {
    /** Symbols of venue `synth` (default AAA and BBB). */
    readonly symbols?: readonly string[];
    /** Daily bars per symbol (default 400). */
    readonly bars?: number;
    readonly seed?: number;
}

/**
 * Imports seeded synthetic daily bars (synth:AAA, synth:BBB, …) into the store of `stateDir`. Into a
 * missing or empty state directory this copies a store built once per run with the same bars
 * (support/templates.ts): the same migrated file the import would have made, a second cheaper.
 */
export async function importSynthBars(stateDir: string, o: SynthBarsOptions = {}): Promise<void> {
    const symbols = o.symbols ?? ['AAA', 'BBB'];
    const seed = o.seed ?? 3;
    const bars = o.bars ?? 400;
    if (isEmptyDir(stateDir)) {
        copyTemplate(await template(`synth-${symbols.map(encodeURIComponent).join('.')}-${bars}-${seed}`, dir => importInto(dir, symbols, bars, seed)), stateDir);
        return;
    }
    await importInto(stateDir, symbols, bars, seed);
}

async function importInto(stateDir: string, symbols: readonly string[], bars: number, seed: number): Promise<void> {
    const r = synthBars({ symbols: [...symbols], timeframeMs: 86_400_000, bars, seed });
    await withStore({ stateDir }, async store => {
        for (const [i, s] of symbols.entries()) await importBars(store, { ts: r.ts, ...r.assets[i]! }, `synth(seed=${seed})`, { venue: 'synth', symbol: s, timeframe: '1d' });
    });
}

/** A fresh state directory (under the system temp dir) holding synthetic daily bars. */
export async function stateWithSynthBars(prefix: string, o: SynthBarsOptions = {}): Promise<string> {
    const dir = tempDir(prefix);
    await importSynthBars(dir, o);
    return dir;
}
