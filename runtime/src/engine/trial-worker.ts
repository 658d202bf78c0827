/** Worker thread of the sweep pool: runs trials on the shared bars until told to stop. */
import { parentPort, workerData } from 'node:worker_threads';
import type { StrategyIr } from '../../../language/src/ir/ir.js';
import { unshareBars, type SharedBars, type TrialJob } from './worker-pool.js';
import { runTrial } from './trial.js';

const { ir, bars } = workerData as { ir: StrategyIr; bars: SharedBars };
const data = unshareBars(bars);

parentPort!.on('message', (m: { kind: 'job'; index: number; job: TrialJob }) => {
    try {
        const summary = runTrial(ir, data, m.job.params, m.job.from, m.job.to);
        parentPort!.postMessage({ kind: 'result', index: m.index, summary });
    } catch (e) {
        parentPort!.postMessage({ kind: 'error', index: m.index, message: (e as Error).message });
    }
});
