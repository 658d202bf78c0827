/**
 * A language worker thread: builds the language services once (over the confined file system of
 * the daemon's source folders), says `ready`, then performs one operation at a time for the pool
 * in language-service.ts. Parsing, linking, validation and compiling of client sources happen
 * here, never on the daemon's main thread; a request that runs too long is stopped by terminating
 * this thread (the pool starts a fresh one).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RpcError, type ErrorData } from '../../../protocol/src/daemon/index.js';
import { ConfinedFileSystem, type SourceRootsOptions } from './confined-fs.js';
import { perform, type LangRequest } from './operations.js';
import { SourceWorkspace } from './source-workspace.js';

export type LanguageWorkerData = SourceRootsOptions;

/** An error as it crosses the thread: a caller's mistake (an RpcError's code and data) or a bug (internal). */
export type WireError =
    | { readonly kind: 'rpc'; readonly code: number; readonly message: string; readonly data?: ErrorData }
    | { readonly kind: 'internal'; readonly message: string };

export type ToLanguageWorker = { readonly id: number; readonly request: LangRequest };
/** `heapMb`: this thread's heap and buffers after the request (the pool replaces a worker left holding much). */
export type FromLanguageWorker =
    | { readonly type: 'ready' }
    | { readonly type: 'done'; readonly id: number; readonly result: unknown; readonly heapMb: number }
    | { readonly type: 'error'; readonly id: number; readonly error: WireError; readonly heapMb: number };

function heapMb(): number {
    const m = process.memoryUsage(); // per thread: heapTotal and arrayBuffers are this isolate's
    return (m.heapTotal + m.arrayBuffers) / 1_048_576;
}

const port = parentPort!;
const workspace = new SourceWorkspace(new ConfinedFileSystem(workerData as LanguageWorkerData));
workspace.warm();
port.postMessage({ type: 'ready' } satisfies FromLanguageWorker);

port.on('message', (m: ToLanguageWorker) => {
    void (async () => {
        try {
            const result = await perform(workspace, m.request.op, m.request.params as never);
            port.postMessage({ type: 'done', id: m.id, result, heapMb: heapMb() } satisfies FromLanguageWorker);
        } catch (e) {
            const error: WireError = e instanceof RpcError
                ? { kind: 'rpc', code: e.code, message: e.message, ...(e.data ? { data: e.data } : {}) }
                : { kind: 'internal', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
            port.postMessage({ type: 'error', id: m.id, error, heapMb: heapMb() } satisfies FromLanguageWorker);
        }
    })();
});
