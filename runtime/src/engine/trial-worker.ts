/**
 * Worker thread of the sweep pool (worker-pool.ts): kept warm between sweeps, it holds one sweep at
 * a time — its bars (shared memory), plan and the series its trials share — and runs batches of
 * that sweep's trials until the sweep ends.
 */
import { parentPort } from 'node:worker_threads';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { runBatch, unshareBars, type ToWorker } from './worker-pool.js';
import { TrialContext } from './trial.js';
import { SharedSeries } from './shared-series.js';
import type { EngineLimits } from './limits.js';
import type { BarData } from './types.js';

let sweep: { ir: StrategyIr; data: BarData; limits?: EngineLimits; context: TrialContext } | undefined;

parentPort!.on('message', (m: ToWorker) => {
    if (m.kind === 'sweep') {
        const data = unshareBars(m.bars);
        // For the life of the sweep: the shared indicators and per-range figures its trials reuse.
        sweep = { ir: m.ir, data, ...(m.limits ? { limits: m.limits } : {}), context: new TrialContext(new SharedSeries(m.ir, data, m.plan)) };
    } else if (m.kind === 'end') {
        sweep = undefined;
    } else {
        if (!sweep) throw new Error('trial jobs arrived before their sweep');
        parentPort!.postMessage({ kind: 'results', index: m.index, outcomes: runBatch(sweep.ir, sweep.data, m.jobs, sweep.context, sweep.limits) });
    }
});
