/** Worker thread of the sweep pool: runs trials on the shared bars until told to stop. */
import { parentPort, workerData } from 'node:worker_threads';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { unshareBars, type SharedBars, type TrialJob } from './worker-pool.js';
import { runTrial } from './trial.js';
import type { EngineLimits } from './limits.js';

const { ir, bars, limits } = workerData as { ir: StrategyIr; bars: SharedBars; limits?: EngineLimits };
const data = unshareBars(bars);

parentPort!.on('message', (m: { kind: 'job'; index: number; job: TrialJob }) => {
    try {
        const summary = runTrial(ir, data, m.job.params, m.job.from, m.job.to, limits);
        parentPort!.postMessage({ kind: 'result', index: m.index, summary });
    } catch (e) {
        parentPort!.postMessage({ kind: 'error', index: m.index, message: (e as Error).message });
    }
});
