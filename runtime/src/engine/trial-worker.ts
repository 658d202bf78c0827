/**
 * Worker thread of the sweep pool (worker-pool.ts): kept warm between sweeps, it holds one sweep at
 * a time — its bars (shared memory), plan and the series its trials share — and runs batches of
 * that sweep's trials until the sweep ends. A batch's outcomes go back packed (numbers in typed
 * arrays whose memory is handed over, not copied): worker-pool.ts packOutcomes.
 */
import { parentPort } from 'node:worker_threads';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { packOutcomes, runBatch, unshareBars, type FromWorker, type ToWorker } from './worker-pool.js';
import { TrialContext } from './trial.js';
import { SharedSeries } from './shared-series.js';
import type { EngineLimits } from './limits.js';
import { installPackBundles } from './packs/bundles.js';
import { threadCpuMs } from './thread-cpu.js';
import type { BarData } from './types.js';

let sweep: { ir: StrategyIr; data: BarData; limits?: EngineLimits; context: TrialContext; scores?: { count: number; values: Float64Array; written: Int32Array }; stats?: { setupMs: number; cpu0: number } } | undefined;

// Messages are handled in order, one at a time: a sweep first installs its packs (async: their
// modules are imported from the bytes the main thread checked), and its jobs wait for that.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (m: ToWorker) => {
    queue = queue.then(async () => {
        if (m.kind === 'sweep') {
            const t0 = performance.now(), cpu0 = m.stats ? threadCpuMs() : 0;
            // The sweep's packs, before anything resolves a function (a reused worker swaps the previous sweep's for them).
            await installPackBundles(m.packs ?? []);
            const data = unshareBars(m.bars);
            // For the life of the sweep: the shared indicators and per-range figures its trials reuse.
            sweep = {
                ir: m.ir, data, ...(m.limits ? { limits: m.limits } : {}), context: new TrialContext(new SharedSeries(m.ir, data, m.plan, m.store)), ...(m.scores ? { scores: { count: m.scores.count, values: new Float64Array(m.scores.values), written: new Int32Array(m.scores.written) } } : {}),
                ...(m.stats ? { stats: { setupMs: performance.now() - t0, cpu0 } } : {}),
            };
        } else if (m.kind === 'end') {
            sweep = undefined;
        } else {
            if (!sweep) throw new Error('trial jobs arrived before their sweep');
            const t0 = performance.now();
            const packed = packOutcomes(m.jobs, runBatch(sweep.ir, sweep.data, m.jobs, sweep.context, sweep.limits), m.index, sweep.scores);
            const out: FromWorker = {
                kind: 'results', index: m.index, ...packed, busyMs: performance.now() - t0,
                ...(sweep.stats ? { setupMs: sweep.stats.setupMs, cpuMs: threadCpuMs() - sweep.stats.cpu0 } : {}),
            };
            parentPort!.postMessage(out, [packed.metrics.buffer as ArrayBuffer, packed.blocks.buffer as ArrayBuffer]);
        }
    });
    // A failure ends the thread with the error (the pool reports it), as a synchronous throw did.
    queue.catch((e: unknown) => setImmediate(() => { throw e; }));
});
