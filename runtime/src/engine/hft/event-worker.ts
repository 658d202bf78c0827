/**
 * Worker thread of a daemon event-driven backtest (hft.backtest; event-thread.ts starts it): one
 * run per thread, the events handed over as transferred buffers, the run's packs installed from
 * the bytes the main thread checked. The daemon's main thread never runs the event loop itself, so
 * a long or heavy backtest cannot stall it, and terminating the thread really stops the work.
 */
import { parentPort } from 'node:worker_threads';
import type { StrategyIr } from '../../../../protocol/src/ir.js';
import type { HftEvents } from '../../data/hft/events.js';
import { installPackBundles, type PackBundle } from '../packs/bundles.js';
import { runEvents, type EventRunOptions, type EventRunResult } from './engine.js';

export interface EventJob {
    readonly ir: StrategyIr;
    readonly events: HftEvents;
    readonly options: EventRunOptions;
    readonly packs: readonly PackBundle[];
}

export type FromEventWorker = { readonly ok: true; readonly result: EventRunResult } | { readonly ok: false; readonly message: string };

const port = parentPort!;
port.once('message', (job: EventJob) => {
    void (async () => {
        try {
            await installPackBundles(job.packs);
            port.postMessage({ ok: true, result: runEvents(job.ir, job.events, job.options) } satisfies FromEventWorker);
        } catch (e) {
            port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) } satisfies FromEventWorker);
        }
    })();
});
