/** Shared by the orchestrator tests: a state directory with synthetic bars, strategies, waiting for runs. */
import { importBars } from '../../src/data/import.js';
import { DataStore } from '../../src/data/store.js';
import { synthBars } from '../../src/data/synth.js';
import type { Orchestrator } from '../../src/orchestrator/orchestrator.js';
import type { Run, RunEvent, RunSpec } from '../../src/orchestrator/types.js';
import { tempDir } from '../data/helpers.js';

/** A fresh state directory holding `bars` daily bars of synth:AAA and synth:BBB (seeded). */
export async function stateWithBars(bars = 1200, prefix = 'af-orch-'): Promise<string> {
    const dir = tempDir(prefix);
    const r = synthBars({ symbols: ['AAA', 'BBB'], timeframeMs: 86_400_000, bars, seed: 7 });
    await DataStore.with({ stateDir: dir }, async store => {
        for (const [i, s] of ['AAA', 'BBB'].entries()) {
            await importBars(store, { ts: r.ts, ...r.assets[i]! }, 'synth(seed=7)', { venue: 'synth', symbol: s, timeframe: '1d' });
        }
    });
    return dir;
}

/** SMA cross on synth:AAA; fast/slow ranges make a grid of `fast` × `slow` combinations. */
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

export const backtest = (extra: Partial<RunSpec> = {}): RunSpec => ({ kind: 'backtest', source: smaCross(), ...extra });
export const sweep = (extra: Partial<RunSpec> = {}): RunSpec => ({ kind: 'sweep', source: smaCross(), sweep: { mode: 'grid' }, ...extra });

/** Resolves with the run once it is in one of `states`. */
export function waitFor(o: Orchestrator, id: string, states: readonly Run['state'][] = ['completed', 'failed', 'cancelled']): Promise<Run> {
    return new Promise((resolve, reject) => {
        const check = async (): Promise<boolean> => {
            const r = await o.get(id);
            if (r && states.includes(r.state)) { o.off('event', onEvent); resolve(r); return true; }
            return false;
        };
        const onEvent = (e: RunEvent): void => {
            if (e.runId === id && e.kind === 'state') check().catch(reject);
        };
        o.on('event', onEvent);
        check().catch(reject);
    });
}

/** Resolves with the first event matching `pred`. */
export function nextEvent(o: Orchestrator, pred: (e: RunEvent) => boolean): Promise<RunEvent> {
    return new Promise(resolve => {
        const f = (e: RunEvent): void => {
            if (pred(e)) { o.off('event', f); resolve(e); }
        };
        o.on('event', f);
    });
}
