/**
 * Worker thread of the orchestrator: runs one run at a time (work.ts) and reports progress, log
 * lines and the outcome to the main thread. A worker is reused for later runs; cancelling or timing
 * out a run terminates its worker (and any trial threads it started), which really stops the work.
 *
 * With tracing on, a run's message carries its process's exporter settings and the span it runs
 * under (`trace`): the thread registers its own SDK once (a thread has its own module instances),
 * runs the engine in a child span, and sends its spans before reporting the run done — a thread
 * terminated later (cancel, recycling) loses none.
 */
import { parentPort } from 'node:worker_threads';
import { performRun, transferables, type WorkerJob } from './work.js';
import type { LogLevel } from './types.js';
import { contextOf, type ActiveTelemetry } from '../monitoring/tracing.js';
import type { Telemetry } from '../monitoring/telemetry.js';
import { context } from '@opentelemetry/api';

export type ToWorker = { readonly type: 'run'; readonly job: WorkerJob; readonly trace?: { readonly telemetry: ActiveTelemetry; readonly parent?: string } };
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
const send = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/** This thread's exporter, started by the first traced run (same endpoint and instance as its process). */
let telemetry: Promise<Telemetry | undefined> | undefined;
function telemetryFor(t: ActiveTelemetry): Promise<Telemetry | undefined> {
    telemetry ??= import('../monitoring/telemetry.js')
        .then(m => m.startTelemetry({ settings: t.settings, role: t.role, instanceId: t.instanceId }))
        .catch(() => undefined); // tracing must never fail a run
    return telemetry;
}

port.on('message', (m: ToWorker) => {
    void (async () => {
        const tel = m.trace ? await telemetryFor(m.trace.telemetry) : undefined;
        try {
            const output = await context.with(contextOf(m.trace?.parent), () => performRun(m.job, {
                progress: fraction => send({ type: 'progress', fraction }),
                log: (level, message) => send({ type: 'log', level, message }),
            }));
            await tel?.flush().catch(() => undefined);
            // A held artifact's bytes move to the main thread (transferred, not copied).
            const { output: sent, transfer } = transferables(output);
            send({ type: 'done', output: sent, heapMb: heapMb() }, transfer);
        } catch (e) {
            await tel?.flush().catch(() => undefined);
            send({ type: 'error', message: e instanceof Error ? e.message : String(e), heapMb: heapMb() });
        }
    })();
});
