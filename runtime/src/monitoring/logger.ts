/**
 * Structured JSON logs (pino). The daemon writes one JSON object per line to
 * `<state dir>/logs/daemon.log` (and optionally stderr):
 *
 *   {"level":"info","time":"2025-01-01T12:00:00.000Z","pid":7,"component":"gateway",
 *    "requestId":"…","traceId":"…","method":"run.submit","user":"ana","msg":"rpc done","ms":3.2}
 *
 * Field names: `component` (gateway, orchestrator, run, alerts, …), `requestId`, `traceId`,
 * `method`, `user`, `runId`; errors go under `err` (pino's serializer). `af logs` reads the file
 * back with `readLogs` (logs.ts). A file larger than `maxBytes` is renamed to `daemon.log.1`
 * (replacing an older one), at startup and as soon as it passes `maxBytes` while the daemon runs,
 * so the log takes at most about twice `maxBytes` however long the daemon runs; `af logs` reads both.
 */
import { mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type DestinationStream, type LevelWithSilent, type Logger, type StreamEntry } from 'pino';

export { formatTraceparent, isTraceId, newSpanId, newTraceId, parseTraceparent, traceIdFrom, type Traceparent } from './trace.js';

export type { Logger } from 'pino';
export type LogLevel = LevelWithSilent;

export const LOG_DIR = 'logs';
export const LOG_FILE = 'daemon.log';
export const DEFAULT_MAX_LOG_BYTES = 10 * 1024 * 1024;

/** Field values replaced by `[redacted]` wherever they appear (top level or one level down). */
const REDACT_KEYS = ['authorization', 'cookie', 'token', 'password', 'secret', 'apiKey'];

export interface LoggerOptions {
    /** State directory; lines go to `<stateDir>/logs/daemon.log` (the directory is created). */
    stateDir?: string;
    /** Minimum level. Default `info` (`af daemon run` takes it from --log-level, $AF_LOG_LEVEL or the config file). */
    level?: LogLevel;
    /** Another destination for the lines (a stream with `write(line)`), e.g. for tests. */
    destination?: DestinationStream;
    /** Also write the lines to stderr. When neither `stateDir` nor `destination` is given, lines go to stderr anyway. */
    stderr?: boolean;
    /** Rotate `daemon.log` to `daemon.log.1` when it is larger than this (at startup and while running). Default 10 MiB. */
    maxBytes?: number;
    /** Write the file synchronously (every line is on disk when the call returns). Default true. */
    sync?: boolean;
    /** Called with the `component` binding (or 'daemon') for every error- or fatal-level line, e.g. `metrics.countError`. */
    onError?: (component: string) => void;
    /** Extra fields on every line. */
    base?: Record<string, unknown>;
}

interface Owned { flushSync(): void; end(): void; once(event: string, fn: () => void): unknown; destroyed?: boolean }
const ownedStreams = new WeakMap<Logger, Owned[]>();

/** Path of the daemon log in a state directory. */
export function logFilePath(stateDir: string): string {
    return join(stateDir, LOG_DIR, LOG_FILE);
}

/** Rename `file` to `file.1` when it is larger than `maxBytes`; returns whether it did. */
export function rotateIfLarge(file: string, maxBytes: number): boolean {
    let size: number;
    try {
        size = statSync(file).size;
    } catch {
        return false;
    }
    if (size <= maxBytes) return false;
    renameSync(file, `${file}.1`);
    return true;
}

/**
 * `dest` (the file's stream, written synchronously), renamed to `.1` and reopened as soon as the
 * bytes written to the file pass `maxBytes`. This process is the file's only writer (one daemon per
 * state directory), so counting what it writes is its size. A failed rename leaves the file as it
 * is: rotation never stops a line from being logged.
 */
function rotating(dest: ReturnType<typeof pino.destination>, file: string, maxBytes: number): DestinationStream {
    let size = 0;
    try { size = statSync(file).size; } catch { /* not there yet */ }
    // The old file's descriptor is closed on the 'ready' after a reopen (next tick): one rotation at a time.
    let reopening = false;
    return {
        write(line: string): void {
            dest.write(line);
            size += Buffer.byteLength(line);
            if (size <= maxBytes || reopening) return;
            try {
                renameSync(file, `${file}.1`);
            } catch {
                return;
            }
            reopening = true;
            dest.once('ready', () => { reopening = false; });
            dest.reopen();
            size = 0;
        },
    };
}

/** The daemon's root logger. Make per-component children with `logger.child({ component: 'gateway' })`. */
export function createLogger(options: LoggerOptions = {}): Logger {
    const level: LogLevel = options.level ?? 'info';
    const streams: StreamEntry<LogLevel>[] = [];
    const owned: Owned[] = [];
    if (options.stateDir !== undefined) {
        const file = logFilePath(options.stateDir);
        // Logs name users, runs and addresses: private (0700, 0600) whatever the umask.
        mkdirSync(join(options.stateDir, LOG_DIR), { recursive: true, mode: 0o700 });
        const maxBytes = options.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
        rotateIfLarge(file, maxBytes);
        const dest = pino.destination({ dest: file, sync: options.sync ?? true, mkdir: true, append: true, mode: 0o600 });
        owned.push(dest);
        // Written asynchronously (tests only), the file is rotated at startup only: its size is not known while writes are in flight.
        streams.push({ stream: (options.sync ?? true) ? rotating(dest, file, maxBytes) : dest, level });
    }
    if (options.destination) streams.push({ stream: options.destination, level });
    if (options.stderr || streams.length === 0) streams.push({ stream: process.stderr, level });

    const onError = options.onError;
    const logger = pino({
        level,
        base: { pid: process.pid, ...options.base },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: label => ({ level: label }) },
        redact: { paths: [...REDACT_KEYS, ...REDACT_KEYS.map(k => `*.${k}`)], censor: '[redacted]' },
        hooks: onError ? {
            logMethod(args, method, lvl) {
                if (lvl >= 50) {
                    const component = this.bindings()['component'];
                    try { onError(typeof component === 'string' ? component : 'daemon'); } catch { /* never let counting break logging */ }
                }
                method.apply(this, args);
            },
        } : {},
    }, streams.length === 1 ? streams[0]!.stream : pino.multistream(streams));
    ownedStreams.set(logger, owned);
    return logger;
}

/** Flush and close the files a root logger from `createLogger` opened (stderr and given destinations are left open). */
export async function closeLogger(logger: Logger): Promise<void> {
    const owned = ownedStreams.get(logger) ?? [];
    ownedStreams.delete(logger);
    await Promise.all(owned.map(stream => new Promise<void>(resolve => {
        if (stream.destroyed) { resolve(); return; }
        try { stream.flushSync(); } catch { /* not ready or already closed */ }
        stream.once('close', resolve);
        stream.end();
    })));
}

function defined(fields: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
    return out;
}

export interface RequestContext {
    requestId: string;
    traceId: string;
    /** JSON-RPC method (or HTTP route). */
    method?: string;
    /** Authenticated user name. */
    user?: string;
    [extra: string]: unknown;
}

export interface RunContext {
    runId: string;
    traceId: string;
    [extra: string]: unknown;
}

/** A child logger for one request: every line carries requestId, traceId, method and user. */
export function withRequest(logger: Logger, ctx: RequestContext): Logger {
    return logger.child(defined(ctx));
}

/** A child logger for one run: every line carries runId and traceId (the trace of the request that submitted it). */
export function withRun(logger: Logger, ctx: RunContext): Logger {
    return logger.child(defined(ctx));
}
