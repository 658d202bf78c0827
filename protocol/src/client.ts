/**
 * The TypeScript client of the daemon, used by the CLI, the VS Code extension and the MCP server.
 * Typed by the method table: `call('runs.get', { id })` takes that method's params and resolves
 * with its result, checked against the table's result schema. Errors from the daemon are
 * RpcErrors (code, message, data); a daemon that cannot be reached is a DaemonUnreachableError
 * (the CLI falls back to running in-process). Events: `subscribe(topics, onEvent)` over WebSocket.
 * Files: `upload(localPath)` streams a file for data.import {upload}; `download(name, localPath)`
 * streams back a file an export wrote to the caller's team export folder.
 */
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import WebSocket from 'ws';
import {
    ErrorCodes, EVENT_NOTIFICATION, EXPORTS_PATH, METHODS, RPC_PATH, RpcError, StreamEventSchema, UPLOADS_PATH, UploadResultSchema, WS_PATH, issuesOf,
    type ErrorData, type MethodName, type ParamsInput, type ResultOf, type StreamEvent, type Topic, type UploadResult,
} from './daemon/index.js';

export interface DaemonClientOptions {
    /** The daemon's base URL, e.g. http://127.0.0.1:7411. */
    readonly url: string;
    readonly token: string;
    /** Default: the global fetch. */
    readonly fetch?: typeof fetch;
    /** Per call. Default 60 s. */
    readonly timeoutMs?: number;
    /** Per upload or download. Default 30 min. */
    readonly transferTimeoutMs?: number;
    /** Check results against the method table. Default true. */
    readonly validateResults?: boolean;
    /** W3C traceparent sent with every call (to continue a trace). */
    readonly traceparent?: string;
}

/** The daemon is not running (or not at this address). */
export class DaemonUnreachableError extends Error {
    constructor(readonly url: string, cause: unknown) {
        super(`cannot reach the AlphaForge daemon at ${url}: ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)} (is it running? \`af daemon start\`)`, { cause });
        this.name = 'DaemonUnreachableError';
    }
}

/** Params may be left out when every field is optional. */
export type CallArgs<M extends MethodName> = Record<never, never> extends ParamsInput<M> ? [params?: ParamsInput<M>] : [params: ParamsInput<M>];

export interface EventSubscription {
    /** Every topic of the session. */
    readonly topics: readonly string[];
    subscribe(topics: readonly Topic[]): Promise<readonly string[]>;
    unsubscribe(topics?: readonly Topic[]): Promise<readonly string[]>;
    /** Resolves with the close code and reason when the session ends (either side). */
    readonly closed: Promise<{ code: number; reason: string }>;
    close(): Promise<void>;
}

export interface SubscribeOptions {
    /** An event that does not match the protocol (a newer daemon?): by default ignored. */
    readonly onInvalid?: (message: unknown) => void;
    /** Time to connect and subscribe. Default: the client's timeout. */
    readonly timeoutMs?: number;
}

function wsUrlOf(url: string): string {
    const u = new URL(url);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.pathname = WS_PATH;
    u.search = '';
    return u.toString();
}

export class DaemonClient {
    private nextId = 1;
    private readonly fetchImpl: typeof fetch;
    private readonly rpcUrl: string;

    constructor(readonly options: DaemonClientOptions) {
        this.fetchImpl = options.fetch ?? fetch;
        this.rpcUrl = new URL(RPC_PATH, options.url).toString();
    }

    /** Calls a method; resolves with its result or rejects with an RpcError / DaemonUnreachableError. */
    async call<M extends MethodName>(method: M, ...args: CallArgs<M>): Promise<ResultOf<M>> {
        const id = this.nextId++;
        const body = JSON.stringify({ jsonrpc: '2.0', id, method, params: args[0] ?? {} });
        let res: Response;
        try {
            res = await this.fetchImpl(this.rpcUrl, {
                method: 'POST',
                headers: {
                    'content-type': 'application/json',
                    accept: 'application/json',
                    authorization: `Bearer ${this.options.token}`,
                    ...(this.options.traceparent ? { traceparent: this.options.traceparent } : {}),
                },
                body,
                signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
            });
        } catch (e) {
            if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
                throw new RpcError(ErrorCodes.InternalError, `${method}: no answer from the daemon within ${this.options.timeoutMs ?? 60_000} ms`);
            }
            throw new DaemonUnreachableError(this.options.url, e);
        }
        const text = await res.text();
        let reply: unknown;
        try {
            reply = JSON.parse(text);
        } catch {
            throw new RpcError(res.status === 200 ? ErrorCodes.InternalError : res.status, `${method}: the daemon answered HTTP ${res.status} without JSON-RPC: ${text.slice(0, 200)}`);
        }
        const r = reply as { error?: { code?: unknown; message?: unknown; data?: unknown }; result?: unknown };
        if (r.error) {
            throw new RpcError(typeof r.error.code === 'number' ? r.error.code : res.status,
                typeof r.error.message === 'string' ? r.error.message : 'error',
                typeof r.error.data === 'object' && r.error.data !== null ? r.error.data as ErrorData : undefined);
        }
        if (!('result' in r)) throw new RpcError(ErrorCodes.InternalError, `${method}: the daemon's answer has neither result nor error`);
        if (this.options.validateResults === false) return r.result as ResultOf<M>;
        const parsed = METHODS[method].result.safeParse(r.result);
        if (!parsed.success) {
            const issues = issuesOf(parsed.error);
            throw new RpcError(ErrorCodes.InternalError, `${method}: the daemon's result does not match the protocol (is the daemon another version?): ${issues.slice(0, 3).map(i => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { issues });
        }
        return parsed.data as ResultOf<M>;
    }

    /**
     * Uploads a local file (streamed, never read whole) as `name` (default: its file name) and
     * resolves with the upload's id for `data.import {upload: id}`. The daemon keeps it in the
     * caller's team folder; other teams cannot import it.
     */
    async upload(localPath: string, name: string = basename(localPath)): Promise<UploadResult> {
        const bytes = statSync(localPath).size;
        const res = await this.transfer(`${UPLOADS_PATH}/${encodeURIComponent(name)}`, 'upload', {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes) },
            body: Readable.toWeb(createReadStream(localPath)) as ReadableStream,
            duplex: 'half',
        } as RequestInit);
        const parsed = UploadResultSchema.safeParse(await res.json().catch(() => undefined));
        if (!parsed.success) throw new RpcError(ErrorCodes.InternalError, `upload: the daemon's answer does not match the protocol (is the daemon another version?)`);
        return parsed.data;
    }

    /**
     * Downloads `name` from the caller's team export folder (what data.export / experiments.export
     * answered as `file`) to `localPath`, streamed; the file appears whole or not at all.
     */
    async download(name: string, localPath: string): Promise<{ path: string; bytes: number }> {
        const res = await this.transfer(`${EXPORTS_PATH}/${encodeURIComponent(name)}`, 'download', { method: 'GET' });
        const tmp = join(dirname(localPath), `.${basename(localPath)}.${process.pid}.download`);
        try {
            await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(tmp));
            renameSync(tmp, localPath);
        } catch (e) {
            rmSync(tmp, { force: true });
            throw e;
        }
        return { path: localPath, bytes: statSync(localPath).size };
    }

    /** One transfer request: the response when it is 2xx, else its error as an RpcError. */
    private async transfer(path: string, what: string, init: RequestInit): Promise<Response> {
        const timeoutMs = this.options.transferTimeoutMs ?? 30 * 60_000;
        let res: Response;
        try {
            res = await this.fetchImpl(new URL(path, this.options.url), {
                ...init,
                headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${this.options.token}` },
                signal: AbortSignal.timeout(timeoutMs),
            });
        } catch (e) {
            if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
                throw new RpcError(ErrorCodes.InternalError, `${what}: not done within ${timeoutMs} ms`);
            }
            throw new DaemonUnreachableError(this.options.url, e);
        }
        if (res.ok) return res;
        const text = await res.text().catch(() => '');
        let error: { code?: unknown; message?: unknown; data?: unknown } | undefined;
        try {
            error = (JSON.parse(text) as { error?: typeof error }).error;
        } catch {
            error = undefined;
        }
        throw new RpcError(typeof error?.code === 'number' ? error.code : res.status,
            typeof error?.message === 'string' ? error.message : `${what}: the daemon answered HTTP ${res.status}`,
            typeof error?.data === 'object' && error.data !== null ? error.data as ErrorData : undefined);
    }

    /**
     * Opens a WebSocket session and subscribes to `topics`; `onEvent` gets every event (in order
     * per run), including `lagged` notices when the daemon had to drop progress or log events.
     */
    subscribe(topics: readonly Topic[], onEvent: (event: StreamEvent) => void, options: SubscribeOptions = {}): Promise<EventSubscription> {
        const ws = new WebSocket(wsUrlOf(this.options.url), { headers: { authorization: `Bearer ${this.options.token}` }, perMessageDeflate: false });
        ws.on('error', () => { /* reported through the promise below or `closed` */ });
        const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
        let current: readonly string[] = [];
        let nextId = 1;
        const request = (method: string, params: unknown): Promise<unknown> => new Promise((resolve, reject) => {
            const id = nextId++;
            pending.set(id, { resolve, reject });
            ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), e => { if (e) { pending.delete(id); reject(e); } });
        });
        const closed = new Promise<{ code: number; reason: string }>(resolve => {
            ws.on('close', (code, reason) => {
                for (const p of pending.values()) p.reject(new RpcError(ErrorCodes.InternalError, `the session closed (${code} ${reason.toString()})`));
                pending.clear();
                resolve({ code, reason: reason.toString() });
            });
        });
        ws.on('message', data => {
            let msg: unknown;
            try {
                msg = JSON.parse(data.toString());
            } catch {
                options.onInvalid?.(data.toString());
                return;
            }
            const m = msg as { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { code: number; message: string; data?: ErrorData } };
            if (m.method === EVENT_NOTIFICATION) {
                const ev = StreamEventSchema.safeParse(m.params);
                if (ev.success) onEvent(ev.data);
                else options.onInvalid?.(msg);
                return;
            }
            if (typeof m.id === 'number' && pending.has(m.id)) {
                const p = pending.get(m.id)!;
                pending.delete(m.id);
                if (m.error) p.reject(new RpcError(m.error.code, m.error.message, m.error.data));
                else p.resolve(m.result);
            }
        });
        const topicsOf = (r: unknown): readonly string[] => (r as { topics: string[] }).topics;
        const subscription: EventSubscription = {
            get topics() { return current; },
            subscribe: async t => (current = topicsOf(await request('events.subscribe', { topics: t }))),
            unsubscribe: async t => (current = topicsOf(await request('events.unsubscribe', t ? { topics: t } : {}))),
            closed,
            close: async () => {
                if (ws.readyState === WebSocket.CLOSED) return;
                ws.close(1000, 'done');
                await closed;
            },
        };
        const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 60_000;
        return new Promise<EventSubscription>((resolve, reject) => {
            const timer = setTimeout(() => { ws.terminate(); reject(new RpcError(ErrorCodes.InternalError, `no subscription within ${timeoutMs} ms`)); }, timeoutMs);
            const fail = (e: unknown): void => { clearTimeout(timer); reject(e); };
            ws.once('unexpected-response', (_req, res) => {
                ws.terminate();
                fail(res.statusCode === 401
                    ? new RpcError(ErrorCodes.Unauthenticated, 'the daemon refused the token (401)')
                    : new RpcError(res.statusCode ?? ErrorCodes.InternalError, `the daemon refused the WebSocket (HTTP ${res.statusCode})`));
            });
            ws.once('error', e => fail(new DaemonUnreachableError(this.options.url, e)));
            ws.once('open', () => {
                subscription.subscribe(topics).then(() => { clearTimeout(timer); resolve(subscription); }, e => { ws.close(); fail(e); });
            });
        });
    }
}
