/**
 * Runs one event-driven backtest in a worker thread of its own (event-worker.ts), bounded: the
 * thread's V8 heap by `memoryMb` (the daemon's run memory limit) and its time by `timeoutMs`
 * (the thread is terminated, which stops the loop). Used by the daemon's hft.backtest, so its main
 * thread stays free; the local CLI runs the engine in its own process (af hft backtest).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StrategyIr } from '../../../../protocol/src/ir.js';
import type { HftEvents } from '../../data/hft/events.js';
import type { PackBundle } from '../packs/bundles.js';
import { BacktestError } from '../types.js';
import type { EventRunOptions, EventRunResult } from './engine.js';
import type { EventJob, FromEventWorker } from './event-worker.js';

/** The compiled worker script; under vitest (TypeScript sources) taken from out/ (`npm run build`). */
function workerUrl(): URL {
    const here = new URL('./event-worker.js', import.meta.url);
    if (existsSync(fileURLToPath(here))) return here;
    const built = fileURLToPath(import.meta.url).replace(/\/runtime\/src\/engine\/hft\/event-thread\.ts$/, '/out/runtime/src/engine/hft/event-worker.js');
    if (existsSync(built)) return new URL(`file://${built}`);
    throw new Error('the event worker is not built; run `npm run build`');
}

export interface EventThreadLimits {
    readonly memoryMb: number;
    readonly timeoutMs: number;
}

/** The backtest's result, or a BacktestError saying why not (the engine's refusal, memory, time). */
export function runEventsOnThread(ir: StrategyIr, events: HftEvents, options: EventRunOptions, packs: readonly PackBundle[], limits: EventThreadLimits): Promise<EventRunResult> {
    const w = new Worker(workerUrl(), { resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb } });
    return new Promise<EventRunResult>((resolve, reject) => {
        let settled = false;
        const settle = (f: () => void): void => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            void w.terminate();
            f();
        };
        const timer = setTimeout(() => settle(() => reject(new BacktestError(`the backtest ran longer than ${limits.timeoutMs} ms and was stopped; give a shorter from/to range or a larger timeoutMs`))), limits.timeoutMs);
        w.once('message', (m: FromEventWorker) => settle(() => (m.ok ? resolve(m.result) : reject(new BacktestError(m.message.split('\n')[0]!)))));
        w.once('error', (e: Error & { code?: string }) => settle(() => reject(new BacktestError(e.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `the backtest needed more than ${limits.memoryMb} MB, the memory limit of one run, and was stopped; give a shorter from/to range`
            : `the backtest's worker crashed: ${e.message.split('\n')[0]}`))));
        w.once('exit', code => settle(() => reject(new BacktestError(`the backtest's worker stopped unexpectedly (exit code ${code})`))));
        const job: EventJob = { ir, events, options, packs };
        // The events' buffers move to the thread (no copy); the caller does not use them again.
        w.postMessage(job, [events.ms.buffer, events.kind.buffer, events.side.buffer, events.price.buffer, events.qty.buffer] as ArrayBuffer[]);
    });
}
