/** Worker thread of the sweep pool: runs batches of trials on the shared bars until told to stop. */
import { parentPort, workerData } from 'node:worker_threads';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { runBatch, unshareBars, type SharedBars, type TrialJob } from './worker-pool.js';
import { TrialContext } from './trial.js';
import { SharedSeries, type SharePlan } from './shared-series.js';
import type { EngineLimits } from './limits.js';
import { installPackBundles, type PackBundle } from './packs/bundles.js';

const { ir, bars, limits, plan, packs } = workerData as { ir: StrategyIr; bars: SharedBars; limits?: EngineLimits; plan: SharePlan; packs?: PackBundle[] };
// The run's packs from the bytes its main thread checked, before anything resolves a function.
await installPackBundles(packs ?? []);
const data = unshareBars(bars);
// For the life of the worker (one sweep): the shared indicators and per-range figures its trials reuse.
const context = new TrialContext(new SharedSeries(ir, data, plan));

parentPort!.on('message', (m: { kind: 'jobs'; index: number; jobs: TrialJob[] }) => {
    parentPort!.postMessage({ kind: 'results', index: m.index, outcomes: runBatch(ir, data, m.jobs, context, limits) });
});
