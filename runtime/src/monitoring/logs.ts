/**
 * Reading the daemon log back (`af logs`): parse JSON lines from `<state dir>/logs/daemon.log`
 * (after the rotated `daemon.log.1`), filter by run, trace, request, component, minimum level and
 * time, keep the last `limit`, and optionally follow the file as it grows. Malformed lines (a torn
 * last line, stray text) are skipped and counted, never fatal.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { logFilePath } from './logger.js';

export const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogEntry {
    /** Epoch milliseconds (NaN when the line has no readable time). */
    time: number;
    level: string;
    levelValue: number;
    msg: string;
    component?: string;
    runId?: string;
    traceId?: string;
    requestId?: string;
    /** Every other field of the line (pid, hostname, method, user, err, …). */
    fields: Record<string, unknown>;
}

export interface LogFilter {
    /** Lines of the runs whose id starts with this: a whole id, or the 8 characters `af runs ls` prints. */
    runId?: string;
    traceId?: string;
    requestId?: string;
    component?: string;
    /** Minimum level: 'warn' keeps warn, error and fatal. */
    level?: LevelName;
    /** Only lines at or after this time (Date, epoch ms, or a string for `parseSince`). */
    since?: Date | number | string;
}

export interface ReadLogsOptions extends LogFilter {
    /** Keep only the last `limit` matching lines (when following: of the lines already written). */
    limit?: number;
    /** Also read the rotated `daemon.log.1` first. Default true. */
    includeRotated?: boolean;
    /** Called once per skipped malformed line. */
    onMalformed?: (line: string) => void;
}

export interface FollowLogsOptions extends ReadLogsOptions {
    /** Stop following when aborted. */
    signal?: AbortSignal;
    /** How often to look for new lines. Default 250 ms. */
    pollMs?: number;
}

/**
 * Parse a `since` value: a Date, epoch ms, an ISO date/time, or a duration back from `now`
 * (`30s`, `15m`, `2h`, `1d`). Throws an Error naming the value when it cannot be read.
 */
export function parseSince(value: Date | number | string, now: number = Date.now()): number {
    if (value instanceof Date) return value.getTime();
    if (typeof value === 'number') return value;
    const rel = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
    if (rel) {
        const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[rel[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
        return now - Number(rel[1]) * unit;
    }
    const t = Date.parse(value);
    if (Number.isNaN(t)) throw new Error(`cannot read --since '${value}': use an ISO time (2025-01-31T12:00Z) or a duration such as 30s, 15m, 2h, 1d`);
    return t;
}

const KNOWN = new Set(['time', 'level', 'msg', 'component', 'runId', 'traceId', 'requestId']);

/** Parse one log line; undefined when it is not a JSON object. */
export function parseLogLine(line: string): LogEntry | undefined {
    const text = line.trim();
    if (!text.startsWith('{')) return undefined;
    let obj: unknown;
    try {
        obj = JSON.parse(text);
    } catch {
        return undefined;
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
    const o = obj as Record<string, unknown>;
    let levelValue: number;
    let level: string;
    if (typeof o['level'] === 'number') {
        levelValue = o['level'];
        level = LEVEL_NAMES[levelValue] ?? String(levelValue);
    } else if (typeof o['level'] === 'string') {
        level = o['level'];
        levelValue = LEVELS[level] ?? 30;
    } else {
        level = 'info';
        levelValue = 30;
    }
    const t = o['time'];
    const time = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : NaN;
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (!KNOWN.has(k)) fields[k] = v;
    const str = (k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
    const entry: LogEntry = { time, level, levelValue, msg: typeof o['msg'] === 'string' ? o['msg'] : o['msg'] === undefined ? '' : JSON.stringify(o['msg']), fields };
    const component = str('component'), runId = str('runId'), traceId = str('traceId'), requestId = str('requestId');
    if (component !== undefined) entry.component = component;
    if (runId !== undefined) entry.runId = runId;
    if (traceId !== undefined) entry.traceId = traceId;
    if (requestId !== undefined) entry.requestId = requestId;
    return entry;
}

/** A predicate for the filter (since is resolved once, against `now`). */
export function logFilter(filter: LogFilter, now: number = Date.now()): (e: LogEntry) => boolean {
    const since = filter.since === undefined ? undefined : parseSince(filter.since, now);
    const minLevel = filter.level === undefined ? undefined : LEVELS[filter.level];
    return e =>
        (filter.runId === undefined || (e.runId !== undefined && e.runId.startsWith(filter.runId)))
        && (filter.traceId === undefined || e.traceId === filter.traceId)
        && (filter.requestId === undefined || e.requestId === filter.requestId)
        && (filter.component === undefined || e.component === filter.component)
        && (minLevel === undefined || e.levelValue >= minLevel)
        && (since === undefined || (!Number.isNaN(e.time) && e.time >= since));
}

/** Offset just past the last newline at or before `size` (0 when there is none). */
async function completeLength(file: string, size: number): Promise<number> {
    const fh = await open(file, 'r');
    try {
        const chunk = 64 * 1024;
        for (let end = size; end > 0; end -= chunk) {
            const start = Math.max(0, end - chunk);
            const buf = Buffer.alloc(end - start);
            const { bytesRead } = await fh.read(buf, 0, end - start, start);
            const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
            if (nl >= 0) return start + nl + 1;
        }
        return 0;
    } finally {
        await fh.close();
    }
}

/**
 * Feed the lines of `file` to `onLine`. With `completeOnly`, stop after the last newline (a line
 * still being written is left for the follower); returns the byte offset read up to.
 */
async function readFileLines(file: string, onLine: (line: string) => void, completeOnly: boolean): Promise<number> {
    let size: number;
    try {
        size = (await stat(file)).size;
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw e;
    }
    const end = completeOnly ? await completeLength(file, size) : size;
    if (end === 0) return 0;
    const rl = createInterface({ input: createReadStream(file, { start: 0, end: end - 1 }), crlfDelay: Infinity });
    for await (const line of rl) onLine(line);
    return end;
}

interface Collected { entries: LogEntry[]; offset: number }

async function collect(stateDir: string, options: ReadLogsOptions, now: number, follow: boolean): Promise<Collected> {
    const keep = logFilter(options, now);
    const limit = options.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new Error(`limit must be a non-negative integer, got ${limit}`);
    const entries: LogEntry[] = [];
    const onLine = (line: string): void => {
        if (line.trim() === '') return;
        const e = parseLogLine(line);
        if (!e) { options.onMalformed?.(line); return; }
        if (!keep(e)) return;
        entries.push(e);
        // Ring-buffer-ish: trim in batches so memory stays bounded by ~2×limit.
        if (limit !== undefined && entries.length > Math.max(2 * limit, 1024)) entries.splice(0, entries.length - limit);
    };
    const file = logFilePath(stateDir);
    if (options.includeRotated !== false) await readFileLines(`${file}.1`, onLine, false);
    const offset = await readFileLines(file, onLine, follow);
    return { entries: limit === undefined ? entries : limit === 0 ? [] : entries.slice(-limit), offset };
}

/** Read (and filter) the daemon log; with `follow: true`, an async iterable that keeps yielding new lines. */
export function readLogs(stateDir: string, options?: ReadLogsOptions & { follow?: false }): Promise<LogEntry[]>;
export function readLogs(stateDir: string, options: FollowLogsOptions & { follow: true }): AsyncIterable<LogEntry>;
export function readLogs(stateDir: string, options: (ReadLogsOptions | FollowLogsOptions) & { follow?: boolean } = {}): Promise<LogEntry[]> | AsyncIterable<LogEntry> {
    if (options.follow) return followLogs(stateDir, options);
    return collect(stateDir, options, Date.now(), false).then(c => c.entries);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise(resolve => {
        if (signal?.aborted) { resolve(); return; }
        const timer = setTimeout(done, ms);
        function done(): void {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
    });
}

/**
 * Yield the last `limit` matching lines, then every new matching line as the daemon appends it,
 * until `signal` aborts. Survives rotation and truncation (starts again from the top of the new file).
 */
export async function* followLogs(stateDir: string, options: FollowLogsOptions = {}): AsyncGenerator<LogEntry> {
    const now = Date.now();
    const keep = logFilter(options, now);
    const file = logFilePath(stateDir);
    const pollMs = options.pollMs ?? 250;
    let ino: number | undefined;
    try { ino = (await stat(file)).ino; } catch { ino = undefined; }
    const first = await collect(stateDir, options, now, true);
    yield* first.entries;
    let offset = first.offset;
    let partial = '';
    while (!options.signal?.aborted) {
        let st;
        try { st = await stat(file); } catch { st = undefined; }
        if (st && (st.ino !== ino || st.size < offset)) {
            // Rotated or truncated: the file is a new one.
            ino = st.ino;
            offset = 0;
            partial = '';
        }
        if (st && st.size > offset) {
            const fh = await open(file, 'r');
            try {
                const length = st.size - offset;
                const buf = Buffer.alloc(length);
                const { bytesRead } = await fh.read(buf, 0, length, offset);
                offset += bytesRead;
                const text = partial + buf.subarray(0, bytesRead).toString('utf8');
                const lines = text.split('\n');
                partial = lines.pop() ?? '';
                for (const line of lines) {
                    if (line.trim() === '') continue;
                    const e = parseLogLine(line);
                    if (!e) { options.onMalformed?.(line); continue; }
                    if (keep(e)) yield e;
                }
            } finally {
                await fh.close();
            }
            continue;
        }
        await sleep(pollMs, options.signal);
    }
}

const OMIT = new Set(['pid', 'hostname']);

function formatValue(v: unknown): string {
    if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
    return JSON.stringify(v) ?? String(v);
}

export interface FormatOptions {
    /** Show pid and hostname too. Default false. */
    all?: boolean;
    /** Append the error stack (from `err.stack`) on following lines. Default false. */
    stack?: boolean;
}

/**
 * One human line: `2025-01-31T12:00:00.000Z INFO  gateway rpc done requestId=… traceId=… ms=3.2`.
 * The component column is `-` when the line has none; an `err` field is shown as `err="Type: message"`.
 */
export function formatLogEntry(entry: LogEntry, options: FormatOptions = {}): string {
    const time = Number.isNaN(entry.time) ? '-'.padEnd(24) : new Date(entry.time).toISOString();
    const parts = [time, entry.level.toUpperCase().padEnd(5), entry.component ?? '-', entry.msg];
    const kv: string[] = [];
    for (const k of ['runId', 'traceId', 'requestId'] as const) {
        const v = entry[k];
        if (v !== undefined) kv.push(`${k}=${formatValue(v)}`);
    }
    let stack: string | undefined;
    for (const [k, v] of Object.entries(entry.fields)) {
        if (!options.all && OMIT.has(k)) continue;
        if (k === 'err' && typeof v === 'object' && v !== null) {
            const err = v as { type?: unknown; message?: unknown; stack?: unknown };
            const text = `${typeof err.type === 'string' ? err.type + ': ' : ''}${typeof err.message === 'string' ? err.message : ''}`;
            kv.push(`err=${formatValue(text)}`);
            if (typeof err.stack === 'string') stack = err.stack;
            continue;
        }
        kv.push(`${k}=${formatValue(v)}`);
    }
    const line = [...parts, ...kv].filter(p => p !== '').join(' ');
    return options.stack && stack ? `${line}\n    ${stack.split('\n').join('\n    ')}` : line;
}
