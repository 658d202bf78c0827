/**
 * Worker thread of the orchestrator: runs one run at a time (work.ts) and reports progress, log
 * lines and the outcome to the main thread. A worker is reused for later runs; cancelling or timing
 * out a run terminates its worker (and any trial threads it started), which really stops the work.
 */
import { parentPort } from 'node:worker_threads';
import { performRun, type WorkerJob } from './work.js';
import type { LogLevel } from './types.js';

export type ToWorker = { readonly type: 'run'; readonly job: WorkerJob };
/** `heapMb`: what this thread holds after the run (heap and buffers); the pool replaces a worker left holding much. */
export type FromWorker =
    | { readonly type: 'progress'; readonly fraction: number }
    | { readonly type: 'log'; readonly level: LogLevel; readonly message: string }
    | { readonly type: 'done'; readonly output: Awaited<ReturnType<typeof performRun>>; readonly heapMb: number }
    | { readonly type: 'error'; readonly message: string; readonly heapMb: number };

function heapMb(): number {
    const m = process.memoryUsage(); // per thread: this isolate's heap and array buffers
    return (m.heapTotal + m.arrayBuffers) / 1_048_576;
}

const port = parentPort!;
const send = (m: FromWorker): void => port.postMessage(m);

port.on('message', (m: ToWorker) => {
    void (async () => {
        try {
            const output = await performRun(m.job, {
                progress: fraction => send({ type: 'progress', fraction }),
                log: (level, message) => send({ type: 'log', level, message }),
            });
            send({ type: 'done', output, heapMb: heapMb() });
        } catch (e) {
            send({ type: 'error', message: e instanceof Error ? e.message : String(e), heapMb: heapMb() });
        }
    })();
});
