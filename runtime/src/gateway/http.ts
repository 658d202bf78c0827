/**
 * The gateway: the daemon's only door. One node:http(s) server on 127.0.0.1 (by default) serving
 *
 *   POST /rpc        JSON-RPC 2.0 (single calls and batches), `Authorization: Bearer <token>`
 *   GET  /ws         WebSocket: JSON-RPC plus event subscriptions (ws.ts)
 *   GET  /healthz, /readyz, /metrics   monitoring's handlers, mounted here
 *   PUT  /uploads/<name>, GET /exports/<name>   file transfers, when configured (transfers.ts)
 *
 * and, optionally, the gRPC transport on its own port (grpc.ts). All three hand calls to the one
 * Dispatcher. Limits: request size (413), calls per token (429 with Retry-After), failed
 * authentications per address and per token prefix (429; a valid token is never refused: see
 * auth-gate.ts), batch length, WebSocket queues. Live sessions end when their credential does
 * (sessions.ts). Binding to anything but a
 * loopback address needs TLS or an explicit allowInsecureRemote.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import {
    DEFAULT_DAEMON_HOST, DEFAULT_DAEMON_PORT, ErrorCodes, RPC_PATH, UPLOADS_PATH, WS_PATH, type JsonRpcResponse,
} from '../../../protocol/src/daemon/index.js';
import { parseTraceparent, newTraceId } from '../monitoring/trace.js';
import { errorResponse, type Dispatcher } from './dispatcher.js';
import { GatewayConfigError } from './errors.js';
import { DEFAULT_QUEUE_LIMITS, EventHub, type EventBus, type QueueLimits, type Visibility } from './events.js';
import { AuthGate } from './auth-gate.js';
import { type GrpcServerHandle } from './grpc.js';
import { RateLimiter } from './rate-limit.js';
import { SessionRegistry } from './sessions.js';
import { transferRoutes, type TransferOptions } from './transfers.js';
import { silentLogger, type CredentialChanges, type GatewayLogger, type Principal } from './types.js';
import { WsGateway, type WsLimits, type WsStats } from './ws.js';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface TlsSettings {
    readonly key: string | Buffer;
    readonly cert: string | Buffer;
    readonly ca?: string | Buffer;
}

export interface GatewayLimits {
    /** Largest request body (and WebSocket message, and gRPC message) in bytes. Default 1 MiB. */
    readonly maxRequestBytes: number;
    /** Calls per batch. Default 50. */
    readonly maxBatch: number;
    /** Sustained calls per second per token. Default 50. */
    readonly ratePerSecond: number;
    /** Calls a token may make at once. Default 100. */
    readonly rateBurst: number;
    /** Failed authentications per minute per remote address, and per token prefix, before further failures are refused (429). Default 30. */
    readonly failedAuthPerMinute: number;
    /** Time to receive a whole request (headers and body), uploads excepted. Default 30 s. */
    readonly requestTimeoutMs: number;
    /**
     * An upload (PUT /uploads/<name>) may take as long as it keeps sending: it is cut off only
     * when no byte arrives for this long. Default 60 s.
     */
    readonly uploadIdleMs: number;
    readonly ws: WsLimits;
}

export const DEFAULT_LIMITS: GatewayLimits = {
    maxRequestBytes: 1 << 20,
    maxBatch: 50,
    ratePerSecond: 50,
    rateBurst: 100,
    failedAuthPerMinute: 30,
    requestTimeoutMs: 30_000,
    uploadIdleMs: 60_000,
    ws: {
        maxMessageBytes: 1 << 20,
        maxBatch: 50,
        queue: DEFAULT_QUEUE_LIMITS,
        authTimeoutMs: 10_000,
        reauthIntervalMs: 60_000,
        pingIntervalMs: 30_000,
    },
};

export type LimitsInput = Partial<Omit<GatewayLimits, 'ws'>> & { readonly ws?: Partial<Omit<WsLimits, 'queue'>> & { readonly queue?: Partial<QueueLimits> } };

export interface GatewayOptions {
    readonly dispatcher: Dispatcher;
    /** Bind address. Default 127.0.0.1; anything not loopback needs `tls` or `allowInsecureRemote`. */
    readonly host?: string;
    /** Default DEFAULT_DAEMON_PORT (7411); 0 picks a free port. */
    readonly port?: number;
    /** Serve HTTPS/WSS (and gRPC over TLS) with this key and certificate (PEM). */
    readonly tls?: TlsSettings;
    /** Bind a non-loopback address without TLS (a trusted network only). */
    readonly allowInsecureRemote?: boolean;
    readonly limits?: LimitsInput;
    /** Events for WebSocket and gRPC subscribers; without it, subscriptions answer 501. */
    readonly events?: EventBus;
    /** Who sees which event (default: run events to the owning team's members). */
    readonly visibility?: Visibility;
    /** Monitoring's handlers; /healthz answers `{status:'ok'}` when none is given, /metrics 404. */
    readonly routes?: { readonly healthz?: HttpHandler; readonly readyz?: HttpHandler; readonly metrics?: HttpHandler };
    /** Serve /metrics without a token (for a Prometheus on the same host). Default false: any valid token. */
    readonly publicMetrics?: boolean;
    /** Also serve gRPC (default port: the HTTP port + 1; 0 picks a free one). */
    readonly grpc?: boolean | { readonly host?: string; readonly port?: number; readonly protoPath?: string };
    /** Serve WebSocket at /ws. Default true. */
    readonly ws?: boolean;
    /** Serve PUT /uploads/<name> and GET /exports/<name> from this store (default: not served). */
    readonly transfers?: TransferOptions;
    readonly logger?: GatewayLogger;
    /** Connected WebSocket clients changed (metrics gauge). */
    readonly onWsConnections?: (count: number) => void;
    /** Clock for the rate limiters (tests). */
    readonly now?: () => number;
    /** IAM's change events: live sessions of revoked tokens, disabled users, removed members end at once. */
    readonly credentialChanges?: CredentialChanges;
}

export interface GatewayStats {
    readonly ws: WsStats;
    readonly grpcStreams: number;
    readonly rateLimitedKeys: number;
}

export interface Gateway {
    readonly host: string;
    readonly port: number;
    /** http(s)://host:port */
    readonly url: string;
    /** ws(s)://host:port/ws */
    readonly wsUrl: string;
    /** host:port of the gRPC server, when serving gRPC. */
    readonly grpcAddress: string | undefined;
    readonly tls: boolean;
    readonly dispatcher: Dispatcher;
    stats(): GatewayStats;
    /** Stops accepting, closes WebSocket sessions and gRPC streams, ends connections. */
    close(): Promise<void>;
}

/** 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
    const h = host.replace(/^\[|\]$/g, '').toLowerCase();
    if (h === 'localhost' || h === '::1') return true;
    const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
    return isIP(v4) === 4 && v4.startsWith('127.');
}

/** Throws GatewayConfigError unless `host` is loopback, or TLS is set, or insecure remote binding is explicitly allowed. */
export function checkBindPolicy(host: string, options: { readonly tls?: TlsSettings; readonly allowInsecureRemote?: boolean }): void {
    if (isLoopback(host) || options.tls || options.allowInsecureRemote) return;
    throw new GatewayConfigError(
        `refusing to listen on ${host}: it is not a loopback address, so the daemon would be reachable from other machines without encryption. ` +
        'Give TLS settings (a key and certificate) to serve HTTPS, or allow insecure remote access explicitly if the network is trusted; ' +
        `or bind ${DEFAULT_DAEMON_HOST} (the default).`);
}

function mergeLimits(input: LimitsInput | undefined): GatewayLimits {
    const d = DEFAULT_LIMITS;
    const maxRequestBytes = input?.maxRequestBytes ?? d.maxRequestBytes;
    const maxBatch = input?.maxBatch ?? d.maxBatch;
    return {
        ...d, ...input,
        ws: {
            ...d.ws,
            maxMessageBytes: maxRequestBytes,
            maxBatch,
            ...input?.ws,
            queue: { ...d.ws.queue, ...input?.ws?.queue },
        },
    };
}

function bearerOf(header: string | undefined): string | undefined {
    if (!header) return undefined;
    const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : undefined;
}

/** HTTP status of a single response: the transport-level errors mirror their code, malformed requests are 400, the rest 200. */
function statusOf(response: JsonRpcResponse): number {
    if (!('error' in response)) return 200;
    switch (response.error.code) {
        case ErrorCodes.Unauthenticated: return 401;
        case ErrorCodes.Forbidden: return 403;
        case ErrorCodes.PayloadTooLarge: return 413;
        case ErrorCodes.RateLimited: return 429;
        case ErrorCodes.ParseError:
        case ErrorCodes.InvalidRequest: return 400;
        default: return 200;
    }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
}

type Body = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'aborted' };

/** Reads a body up to `max` bytes; past that, stops keeping it and drains the rest (bounded memory). */
function readBody(req: IncomingMessage, max: number): Promise<Body> {
    return new Promise(resolve => {
        const chunks: Buffer[] = [];
        let size = 0;
        let done = false;
        const finish = (b: Body): void => { if (!done) { done = true; resolve(b); } };
        req.on('data', (chunk: Buffer) => {
            if (done) return;
            size += chunk.length;
            if (size > max) {
                chunks.length = 0;
                finish({ ok: false, reason: 'too-large' });
                return;
            }
            chunks.push(chunk);
        });
        req.on('end', () => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
        req.on('error', () => finish({ ok: false, reason: 'aborted' }));
        req.on('close', () => finish({ ok: false, reason: 'aborted' }));
    });
}

function notFound(res: ServerResponse): void {
    sendJson(res, 404, { error: `not found: POST JSON-RPC 2.0 to ${RPC_PATH}, or open a WebSocket at ${WS_PATH}` });
}

/** Starts the gateway: validates the bind policy, listens, and resolves once every transport is bound. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
    const host = options.host ?? DEFAULT_DAEMON_HOST;
    const port = options.port ?? DEFAULT_DAEMON_PORT;
    checkBindPolicy(host, options);
    const grpcOpt = options.grpc === true ? {} : options.grpc || undefined;
    if (grpcOpt) checkBindPolicy(grpcOpt.host ?? host, options);
    const limits = mergeLimits(options.limits);
    const logger = (options.logger ?? silentLogger).child({ component: 'gateway' });
    const { dispatcher } = options;
    const now = options.now;
    const limiter = new RateLimiter({ perSecond: limits.ratePerSecond, burst: limits.rateBurst, ...(now ? { now } : {}) });
    const gate = new AuthGate({ dispatcher, failuresPerMinute: limits.failedAuthPerMinute, ...(now ? { now } : {}) });
    const sessions = new SessionRegistry({ dispatcher, reverifyIntervalMs: limits.ws.reauthIntervalMs, logger, ...(options.credentialChanges ? { changes: options.credentialChanges } : {}) });
    const hub = options.events ? new EventHub(options.events, options.visibility) : undefined;
    const wsGateway = options.ws === false ? undefined : new WsGateway({
        dispatcher, limiter, gate, sessions, limits: limits.ws, logger,
        ...(hub ? { hub } : {}),
        ...(options.onWsConnections ? { onConnections: options.onWsConnections } : {}),
    });

    const transfers = options.transfers ? transferRoutes(options.transfers, { dispatcher, limiter, gate, logger, bearerOf }) : undefined;

    const rpc = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        if (req.method !== 'POST') {
            sendJson(res, 405, { error: `${RPC_PATH} takes POST with a JSON-RPC 2.0 body` }, { allow: 'POST' });
            return;
        }
        const incoming = parseTraceparent(req.headers.traceparent);
        const traceId = incoming?.traceId ?? newTraceId();
        const traceparent = incoming ? `00-${incoming.traceId}-${incoming.parentId}-${incoming.flags}` : undefined;
        const traceHeaders = { 'x-trace-id': traceId };
        const tooLarge = (): void => {
            req.resume();
            sendJson(res, 413, errorResponse(null, ErrorCodes.PayloadTooLarge, `request body exceeds the limit of ${limits.maxRequestBytes} bytes`, { limit: limits.maxRequestBytes }), { connection: 'close', ...traceHeaders });
        };
        const declared = Number(req.headers['content-length'] ?? NaN);
        if (declared > limits.maxRequestBytes) return tooLarge();

        // Authentication before reading the body: an unauthenticated caller costs nothing.
        const remote = req.socket.remoteAddress ?? 'unknown';
        const token = bearerOf(req.headers.authorization);
        let principal: Principal;
        try {
            principal = await gate.authenticate(token, { transport: 'http', remote });
        } catch (e) {
            const err = e as { code: number; message: string; data?: Record<string, unknown> };
            req.resume();
            const status = err.code === ErrorCodes.Unauthenticated ? 401 : err.code === ErrorCodes.RateLimited ? 429 : 500;
            const retry: Record<string, string> = err.code === ErrorCodes.RateLimited ? { 'retry-after': String(Math.ceil(Number(err.data?.retryAfterMs ?? 60_000) / 1000)) } : {};
            sendJson(res, status, errorResponse(null, err.code, err.message, err.data), { 'www-authenticate': 'Bearer realm="alphaforge"', ...retry, ...traceHeaders });
            return;
        }
        const key = token!;
        const admitted = limiter.take(key);
        if (!admitted.ok) {
            req.resume();
            sendJson(res, 429, errorResponse(null, ErrorCodes.RateLimited, `rate limited: at most ${limits.ratePerSecond} calls per second per token (bursts of ${limits.rateBurst}); retry in ${admitted.retryAfterMs} ms`, { retryAfterMs: admitted.retryAfterMs }),
                { 'retry-after': String(Math.ceil(admitted.retryAfterMs / 1000)), ...traceHeaders });
            return;
        }
        const body = await readBody(req, limits.maxRequestBytes);
        if (!body.ok) {
            if (body.reason === 'too-large') tooLarge();
            return;
        }
        let payload: unknown;
        try {
            payload = JSON.parse(body.text);
        } catch (e) {
            sendJson(res, 400, errorResponse(null, ErrorCodes.ParseError, `parse error: ${e instanceof Error ? e.message : 'invalid JSON'}`), traceHeaders);
            return;
        }
        if (Array.isArray(payload) && payload.length > 1 && payload.length <= limits.maxBatch) {
            const more = limiter.take(key, payload.length - 1);
            if (!more.ok) {
                sendJson(res, 429, errorResponse(null, ErrorCodes.RateLimited, `rate limited: a batch of ${payload.length} calls exceeds this token's remaining budget; retry in ${more.retryAfterMs} ms`, { retryAfterMs: more.retryAfterMs }),
                    { 'retry-after': String(Math.ceil(more.retryAfterMs / 1000)), ...traceHeaders });
                return;
            }
        }
        const abort = new AbortController();
        res.on('close', () => { if (!res.writableFinished) abort.abort(); });
        const response = await dispatcher.dispatchPayload(payload, { transport: 'http', principal, token: key, traceId, ...(traceparent ? { traceparent } : {}), signal: abort.signal, remote }, limits.maxBatch);
        if (response === undefined) {
            res.writeHead(204, traceHeaders);
            res.end();
            return;
        }
        let text: string;
        try {
            text = JSON.stringify(response);
        } catch (e) {
            logger.error({ err: e, traceId }, 'could not serialise a response');
            text = JSON.stringify(errorResponse(null, ErrorCodes.InternalError, 'internal error: the response could not be serialised'));
        }
        if (res.headersSent || res.destroyed) return;
        res.writeHead(Array.isArray(response) ? 200 : statusOf(response), {
            'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...traceHeaders,
        });
        res.end(text);
    };

    const metrics = async (req: IncomingMessage, res: ServerResponse, handler: HttpHandler): Promise<void> => {
        if (!options.publicMetrics) {
            const remote = req.socket.remoteAddress ?? 'unknown';
            try {
                await gate.authenticate(bearerOf(req.headers.authorization), { transport: 'http', remote }, 'metrics');
            } catch (e) {
                const code = (e as { code?: number }).code;
                sendJson(res, code === ErrorCodes.RateLimited ? 429 : code === ErrorCodes.Unauthenticated ? 401 : 500, { error: e instanceof Error ? e.message : 'error' }, { 'www-authenticate': 'Bearer realm="alphaforge"' });
                return;
            }
        }
        await handler(req, res);
    };

    /**
     * A slow body never holds a connection for long: a request must arrive whole within
     * requestTimeoutMs, except an upload, which may take as long as it keeps sending (cut off
     * after uploadIdleMs without a byte). A request cut off gets 408 when nothing was answered yet.
     */
    const bodyDeadline = (req: IncomingMessage, res: ServerResponse, upload: boolean): void => {
        if (req.complete) return;
        const cutOff = (): void => {
            if (req.complete) return;
            if (!res.headersSent) sendJson(res, 408, errorResponse(null, ErrorCodes.InvalidRequest, upload
                ? `the upload sent nothing for ${limits.uploadIdleMs / 1000} s and was cut off; send it again`
                : `the request did not arrive whole within ${limits.requestTimeoutMs / 1000} s`), { connection: 'close' });
            req.socket.destroy();
        };
        let timer = setTimeout(cutOff, upload ? limits.uploadIdleMs : limits.requestTimeoutMs);
        // Activity is watched on the socket: a 'data' listener on the request would start it flowing before the upload is piped.
        const active = (): void => { clearTimeout(timer); timer = setTimeout(cutOff, limits.uploadIdleMs); };
        if (upload) req.socket.on('data', active);
        const done = (): void => { clearTimeout(timer); req.socket.off('data', active); };
        req.once('end', done);
        req.once('close', done);
    };

    const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('cache-control', 'no-store');
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        bodyDeadline(req, res, path.startsWith(`${UPLOADS_PATH}/`));
        if (path === RPC_PATH) return rpc(req, res);
        if (transfers && await transfers(req, res, path)) return;
        const route = path === '/healthz' ? 'healthz' : path === '/readyz' ? 'readyz' : path === '/metrics' ? 'metrics' : undefined;
        if (!route) return notFound(res);
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            sendJson(res, 405, { error: `${path} takes GET` }, { allow: 'GET, HEAD' });
            return;
        }
        const handler = options.routes?.[route];
        if (route === 'metrics') return handler ? metrics(req, res, handler) : notFound(res);
        if (handler) return handler(req, res);
        sendJson(res, 200, { status: route === 'healthz' ? 'ok' : 'ready' });
    };

    const handle = (req: IncomingMessage, res: ServerResponse): void => {
        onRequest(req, res).catch((e: unknown) => {
            logger.error({ err: e, url: req.url }, 'request handling failed');
            if (!res.headersSent) sendJson(res, 500, errorResponse(null, ErrorCodes.InternalError, 'internal error'));
            else res.destroy();
        });
    };

    const server: Server = options.tls
        ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert, ...(options.tls.ca ? { ca: options.tls.ca } : {}) }, handle)
        : createHttpServer(handle);
    // Node's requestTimeout would cut off every request body after a fixed time, uploads of large
    // files too; bodies get their own deadline (bodyDeadline) and headers keep Node's.
    server.requestTimeout = 0;
    server.headersTimeout = Math.min(limits.requestTimeoutMs, 20_000);
    server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
        const path = new URL(req.url ?? '/', 'http://localhost').pathname;
        if (path === WS_PATH && wsGateway) return wsGateway.handleUpgrade(req, socket, head);
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });

    await new Promise<void>((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException): void => {
            reject(e.code === 'EADDRINUSE'
                ? new GatewayConfigError(`cannot listen on ${host}:${port}: the port is in use (is another daemon running? \`af daemon status\`)`)
                : e.code === 'EADDRNOTAVAIL'
                    ? new GatewayConfigError(`cannot listen on ${host}: no such address on this machine`)
                    : e);
        };
        server.once('error', onError);
        server.listen(port, host, () => {
            server.off('error', onError);
            resolve();
        });
    });
    server.on('error', e => logger.error({ err: e }, 'HTTP server error'));
    const bound = (server.address() as AddressInfo).port;

    let grpc: GrpcServerHandle | undefined;
    if (grpcOpt) {
        try {
            // Loaded only when asked for: @grpc/grpc-js and protobufjs are ~0.8 MB of code every
            // daemon start (and every CLI call that starts one) would otherwise parse for nothing.
            const { startGrpcServer } = await import('./grpc.js');
            grpc = await startGrpcServer({
                dispatcher, limiter, gate, sessions, logger,
                host: grpcOpt.host ?? host,
                port: grpcOpt.port ?? (port === 0 ? 0 : bound + 1),
                maxMessageBytes: limits.maxRequestBytes,
                queue: limits.ws.queue,
                ...(hub ? { hub } : {}),
                ...(options.tls ? { tls: options.tls } : {}),
                ...(grpcOpt.protoPath ? { protoPath: grpcOpt.protoPath } : {}),
            });
        } catch (e) {
            await new Promise<void>(resolve => server.close(() => resolve()));
            throw e;
        }
    }

    const displayHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const scheme = options.tls ? 'https' : 'http';
    let closed: Promise<void> | undefined;
    return {
        host,
        port: bound,
        url: `${scheme}://${displayHost}:${bound}`,
        wsUrl: `${options.tls ? 'wss' : 'ws'}://${displayHost}:${bound}${WS_PATH}`,
        grpcAddress: grpc ? `${displayHost}:${grpc.port}` : undefined,
        tls: options.tls !== undefined,
        dispatcher,
        stats: () => ({
            ws: wsGateway?.stats() ?? { connections: 0, queued: 0, maxQueuedSeen: 0, droppedProgress: 0, droppedLogs: 0, laggedNotices: 0, closedTooSlow: 0 },
            grpcStreams: grpc?.streams() ?? 0,
            rateLimitedKeys: limiter.size,
        }),
        close: () => closed ??= (async () => {
            const httpClosed = new Promise<void>(resolve => server.close(() => resolve()));
            server.closeIdleConnections();
            await Promise.all([wsGateway?.close(), grpc?.close()]);
            sessions.close();
            hub?.close();
            const force = setTimeout(() => server.closeAllConnections(), 2000);
            force.unref();
            await httpClosed;
            clearTimeout(force);
        })(),
    };
}
