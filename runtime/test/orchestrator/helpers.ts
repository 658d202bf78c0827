/** Shared by the orchestrator tests: a state directory with synthetic bars, strategies, waiting for runs. */
import type { Orchestrator } from '../../src/orchestrator/orchestrator.js';
import type { Run, RunEvent, RunSpec } from '../../src/orchestrator/types.js';
import { smaCross, stateWithSynthBars } from '../support/fixtures.js';

/** A fresh state directory holding `bars` daily bars of synth:AAA and synth:BBB (seeded). */
export function stateWithBars(bars = 1200, prefix = 'af-orch-'): Promise<string> {
    return stateWithSynthBars(prefix, { bars, seed: 7 });
}

export { smaCross };

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
        // Tests wait for dozens of runs at once (Promise.all of waitFor): each wait is a listener, not a leak.
        if (o.listenerCount('event') >= o.getMaxListeners()) o.setMaxListeners(o.listenerCount('event') + 50);
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
