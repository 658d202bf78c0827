/**
 * JSON-RPC over WebSocket at /ws, on the gateway's HTTP server, plus event subscriptions.
 *
 * Authentication: `Authorization: Bearer <token>` or `?token=` on the upgrade request (a bad token
 * is refused with HTTP 401 before the upgrade), or else an `auth` message first; a session that has
 * not authenticated within the timeout is closed (WS_CLOSE.AuthTimeout). Every call still goes
 * through the dispatcher with the session's token (so a revoked token stops working at once), is
 * rate-limited per token like HTTP, and the session itself is tracked by the SessionRegistry: it
 * closes (WS_CLOSE.Unauthenticated) as soon as its token is revoked or expires or its user is
 * disabled or removed from the team (sessions.ts).
 * Events and responses leave through the session's bounded OutboundQueue (see events.ts).
 * A message may carry the caller's W3C trace context as `meta: {traceparent}` beside its params
 * (what HTTP's `traceparent` header does); malformed or oversized, it is ignored.
 */
import { type IncomingMessage } from 'node:http';
import { type Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
    ErrorCodes, MAX_TOPICS, RpcError, WS_CLOSE, WS_METHODS, issuesOf,
    type JsonRpcId, type JsonRpcResponse, type WsMethodName,
} from '../../../protocol/src/daemon/index.js';
import { traceContextOfMeta } from '../monitoring/trace.js';
import { type Dispatcher, errorResponse } from './dispatcher.js';
import { kindOf, OutboundQueue, runIdOf, type EventHub, type QueueLimits, type QueueStats, type Subscriber } from './events.js';
import { type AuthGate } from './auth-gate.js';
import { type RateLimiter } from './rate-limit.js';
import { type LiveSession, type SessionRegistry } from './sessions.js';
import { type GatewayLogger, type Origin, type Principal } from './types.js';

export interface WsLimits {
    /** Largest message accepted (bytes); larger ones get a 413 error, far larger ones close the session (1009). */
    readonly maxMessageBytes: number;
    readonly maxBatch: number;
    readonly queue: QueueLimits;
    /** Time to send `auth` when the upgrade request had no token. */
    readonly authTimeoutMs: number;
    /** How often every live session's token is verified again, a backstop to IAM's change events (sessions.ts). */
    readonly reauthIntervalMs: number;
    /** Ping interval; a session that does not answer is terminated. */
    readonly pingIntervalMs: number;
}

export interface WsGatewayOptions {
    readonly dispatcher: Dispatcher;
    /** Events; without a hub, events.subscribe answers 501. */
    readonly hub?: EventHub;
    /** Per-token call budget (shared with HTTP). */
    readonly limiter: RateLimiter;
    /** Authentication with failures counted per address and token prefix (shared with HTTP and gRPC). */
    readonly gate: AuthGate;
    /** Ends sessions whose credential stops being valid. */
    readonly sessions: SessionRegistry;
    readonly limits: WsLimits;
    readonly logger: GatewayLogger;
    readonly onConnections?: (count: number) => void;
}

export interface WsStats {
    connections: number;
    /** Summed over open sessions, plus totals of closed ones for the drop counters. */
    queued: number;
    maxQueuedSeen: number;
    droppedProgress: number;
    droppedLogs: number;
    laggedNotices: number;
    closedTooSlow: number;
}

/** The bearer token of a request: Authorization header, else ?token=. */
export function tokenOfRequest(req: IncomingMessage): string | undefined {
    const h = req.headers.authorization;
    if (h) {
        const m = /^\s*bearer\s+(\S+)\s*$/i.exec(h);
        return m ? m[1] : undefined;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    return url.searchParams.get('token') ?? undefined;
}

export class WsGateway {
    private readonly wss: WebSocketServer;
    private readonly sessions = new Set<Session>();
    private readonly totals = { maxQueuedSeen: 0, droppedProgress: 0, droppedLogs: 0, laggedNotices: 0, closedTooSlow: 0 };
    private readonly pinger: ReturnType<typeof setInterval>;

    constructor(readonly options: WsGatewayOptions) {
        this.wss = new WebSocketServer({
            noServer: true,
            maxPayload: options.limits.maxMessageBytes * 2 + 1024,
            perMessageDeflate: false,
            clientTracking: false,
        });
        this.pinger = setInterval(() => { for (const s of this.sessions) s.ping(); }, options.limits.pingIntervalMs);
        this.pinger.unref();
    }

    /** Called by the HTTP server for upgrade requests to /ws. */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
        const remote = req.socket.remoteAddress ?? 'unknown';
        const token = tokenOfRequest(req);
        socket.on('error', () => socket.destroy());
        if (token === undefined) {
            if (req.headers.authorization) return refuse(socket, 401, 'malformed Authorization header: send `Authorization: Bearer <token>`');
            this.wss.handleUpgrade(req, socket, head, ws => this.open(ws, req, undefined, undefined));
            return;
        }
        this.options.gate.authenticate(token, { transport: 'ws', remote }).then(
            principal => {
                if (socket.destroyed) return;
                this.wss.handleUpgrade(req, socket, head, ws => this.open(ws, req, token, principal));
            },
            (e: unknown) => {
                const code = e instanceof RpcError ? e.code : ErrorCodes.InternalError;
                refuse(socket, code === ErrorCodes.Unauthenticated ? 401 : code === ErrorCodes.RateLimited ? 429 : 500, e instanceof Error ? e.message : 'error');
            },
        );
    }

    stats(): WsStats {
        const s: WsStats = { connections: this.sessions.size, queued: 0, ...this.totals };
        for (const x of this.sessions) {
            s.queued += x.queue.stats.queued;
            s.maxQueuedSeen = Math.max(s.maxQueuedSeen, x.queue.stats.maxQueuedSeen);
            s.droppedProgress += x.queue.stats.droppedProgress;
            s.droppedLogs += x.queue.stats.droppedLogs;
            s.laggedNotices += x.queue.stats.laggedNotices;
        }
        return s;
    }

    /** Closes every session (1001 going away). */
    async close(): Promise<void> {
        clearInterval(this.pinger);
        const closing = [...this.sessions].map(s => s.closeAndWait(1001, 'daemon shutting down'));
        await Promise.all(closing);
        await new Promise<void>(resolve => this.wss.close(() => resolve()));
    }

    private open(ws: WebSocket, req: IncomingMessage, token: string | undefined, principal: Principal | undefined): void {
        const session = new Session(this, ws, req.socket.remoteAddress ?? 'unknown', token, principal);
        this.sessions.add(session);
        this.options.onConnections?.(this.sessions.size);
        ws.on('close', () => {
            this.sessions.delete(session);
            this.absorb(session.queue.stats, session.tooSlow);
            session.dispose();
            this.options.onConnections?.(this.sessions.size);
        });
    }

    private absorb(stats: QueueStats, tooSlow: boolean): void {
        this.totals.maxQueuedSeen = Math.max(this.totals.maxQueuedSeen, stats.maxQueuedSeen);
        this.totals.droppedProgress += stats.droppedProgress;
        this.totals.droppedLogs += stats.droppedLogs;
        this.totals.laggedNotices += stats.laggedNotices;
        if (tooSlow) this.totals.closedTooSlow++;
    }
}

function refuse(socket: Duplex, status: 401 | 429 | 500, message: string): void {
    if (socket.destroyed) return;
    const body = JSON.stringify({ error: message });
    const reason = status === 401 ? 'Unauthorized' : status === 429 ? 'Too Many Requests' : 'Internal Server Error';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function byteLength(data: RawData): number {
    if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
    return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function textOf(data: RawData): string {
    if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
    return data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : data.toString('utf8');
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function idOf(msg: Record<string, unknown>): JsonRpcId {
    const id = msg.id;
    return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}

/** A close reason is at most 123 bytes. */
function closeReason(text: string): string {
    if (Buffer.byteLength(text) <= 123) return text;
    let r = text;
    while (Buffer.byteLength(`${r}…`) > 123) r = r.slice(0, -1);
    return `${r}…`;
}

class Session implements Subscriber, LiveSession {
    readonly queue: OutboundQueue;
    readonly topics = new Set<string>();
    tooSlow = false;
    private readonly abort = new AbortController();
    private authTimer: ReturnType<typeof setTimeout> | undefined;
    private alive = true;
    private principalValue: Principal | undefined;
    private tokenValue: string | undefined;
    private readonly origin: Origin;

    constructor(
        private readonly gw: WsGateway,
        private readonly ws: WebSocket,
        private readonly remote: string,
        token: string | undefined,
        principal: Principal | undefined,
    ) {
        this.principalValue = principal;
        this.tokenValue = token;
        this.origin = { transport: 'ws', remote };
        const limits = gw.options.limits;
        this.queue = new OutboundQueue(
            { bufferedBytes: () => ws.bufferedAmount, send: data => ws.send(data), closed: () => ws.readyState !== ws.OPEN },
            limits.queue,
            () => {
                this.tooSlow = true;
                gw.options.logger.warn({ remote }, 'closing a WebSocket session that reads too slowly');
                ws.close(WS_CLOSE.TooSlow, 'consumer too slow: its queue is full of undroppable messages');
            },
        );
        ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
        ws.on('pong', () => { this.alive = true; });
        ws.on('error', e => gw.options.logger.debug({ err: e, remote }, 'WebSocket error'));
        if (!principal) {
            this.authTimer = setTimeout(() => {
                if (!this.principalValue) ws.close(WS_CLOSE.AuthTimeout, 'no auth message in time');
            }, limits.authTimeoutMs);
            this.authTimer.unref();
        } else {
            gw.options.sessions.track(this);
        }
    }

    get principal(): Principal {
        // Only authenticated sessions are ever added to the hub or tracked.
        return this.principalValue!;
    }

    get token(): string | undefined {
        return this.tokenValue;
    }

    get subscribed(): boolean {
        return this.topics.size > 0;
    }

    adopt(principal: Principal): void {
        this.principalValue = principal;
    }

    /** The credential is gone: no further event is delivered, then the socket closes. */
    end(code: number, reason: string): void {
        this.gw.options.hub?.remove(this);
        this.topics.clear();
        this.queue.stop();
        this.ws.close(code === ErrorCodes.Forbidden ? WS_CLOSE.Forbidden : WS_CLOSE.Unauthenticated, closeReason(reason));
    }

    deliver(data: string, event: Parameters<Subscriber['deliver']>[1]): void {
        this.queue.push(data, kindOf(event), runIdOf(event));
    }

    ping(): void {
        if (!this.alive) {
            this.ws.terminate();
            return;
        }
        this.alive = false;
        try {
            this.ws.ping();
        } catch {
            // closing already
        }
    }

    dispose(): void {
        this.abort.abort();
        this.queue.stop();
        this.gw.options.hub?.remove(this);
        this.gw.options.sessions.untrack(this);
        this.topics.clear();
        if (this.authTimer) clearTimeout(this.authTimer);
    }

    closeAndWait(code: number, reason: string): Promise<void> {
        if (this.ws.readyState === this.ws.CLOSED) return Promise.resolve();
        return new Promise(resolve => {
            const t = setTimeout(() => { this.ws.terminate(); resolve(); }, 1000);
            t.unref();
            this.ws.once('close', () => { clearTimeout(t); resolve(); });
            this.ws.close(code, reason);
        });
    }

    private send(response: JsonRpcResponse | JsonRpcResponse[] | undefined): void {
        if (response === undefined) return;
        let text: string;
        try {
            text = JSON.stringify(response);
        } catch (e) {
            this.gw.options.logger.error({ err: e }, 'could not serialise a response');
            text = JSON.stringify(errorResponse(null, ErrorCodes.InternalError, 'internal error: the response could not be serialised'));
        }
        this.queue.push(text, 'response');
    }

    private onMessage(data: RawData, isBinary: boolean): void {
        const limits = this.gw.options.limits;
        const size = byteLength(data);
        if (size > limits.maxMessageBytes) {
            this.send(errorResponse(null, ErrorCodes.PayloadTooLarge, `message of ${size} bytes exceeds the limit of ${limits.maxMessageBytes} bytes`, { limit: limits.maxMessageBytes }));
            return;
        }
        if (isBinary) {
            this.send(errorResponse(null, ErrorCodes.InvalidRequest, 'invalid request: send JSON-RPC as text frames'));
            return;
        }
        let payload: unknown;
        try {
            payload = JSON.parse(textOf(data));
        } catch (e) {
            this.send(errorResponse(null, ErrorCodes.ParseError, `parse error: ${e instanceof Error ? e.message : 'invalid JSON'}`));
            return;
        }
        void this.handlePayload(payload).then(r => this.send(r), (e: unknown) => {
            this.gw.options.logger.error({ err: e }, 'WebSocket message handling failed');
            this.send(errorResponse(null, ErrorCodes.InternalError, 'internal error'));
        });
    }

    private async handlePayload(payload: unknown): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
        if (!Array.isArray(payload)) return this.handleOne(payload);
        const { maxBatch } = this.gw.options.limits;
        if (payload.length === 0) return errorResponse(null, ErrorCodes.InvalidRequest, 'invalid request: an empty batch');
        if (payload.length > maxBatch) return errorResponse(null, ErrorCodes.InvalidRequest, `invalid request: a batch of ${payload.length} calls; at most ${maxBatch} per batch`, { limit: maxBatch });
        const out = (await Promise.all(payload.map(m => this.handleOne(m)))).filter((r): r is JsonRpcResponse => r !== undefined);
        return out.length ? out : undefined;
    }

    private async handleOne(msg: unknown): Promise<JsonRpcResponse | undefined> {
        if (isObject(msg) && typeof msg.method === 'string' && Object.prototype.hasOwnProperty.call(WS_METHODS, msg.method)) {
            return this.sessionMethod(msg.method as WsMethodName, msg);
        }
        const id = isObject(msg) ? idOf(msg) : null;
        const notification = isObject(msg) && !('id' in msg);
        if (!this.token || !this.principalValue) {
            return notification ? undefined : errorResponse(id, ErrorCodes.Unauthenticated, 'not authenticated: send {"jsonrpc":"2.0","id":1,"method":"auth","params":{"token":"…"}} first, or connect with `Authorization: Bearer <token>`');
        }
        const admitted = this.gw.options.limiter.take(this.token);
        if (!admitted.ok) {
            return notification ? undefined : errorResponse(id, ErrorCodes.RateLimited, `rate limited: retry in ${admitted.retryAfterMs} ms`, { retryAfterMs: admitted.retryAfterMs });
        }
        // The caller's trace (`meta.traceparent`) continues through the call, its run and its events; otherwise the dispatcher starts one.
        const trace = traceContextOfMeta(msg);
        return this.gw.options.dispatcher.dispatch(msg, { transport: 'ws', token: this.token, signal: this.abort.signal, remote: this.remote, ...trace });
    }

    private async sessionMethod(method: WsMethodName, msg: Record<string, unknown>): Promise<JsonRpcResponse | undefined> {
        const id = idOf(msg);
        const notification = !('id' in msg);
        const reply = (result: unknown): JsonRpcResponse | undefined => (notification ? undefined : { jsonrpc: '2.0', id, result });
        const fail = (code: number, message: string, data?: Record<string, unknown>): JsonRpcResponse | undefined => (notification ? undefined : errorResponse(id, code, message, data));
        const parsed = WS_METHODS[method].params.safeParse(msg.params ?? {});
        if (!parsed.success) {
            const issues = issuesOf(parsed.error);
            return fail(ErrorCodes.InvalidParams, `invalid params for ${method}: ${issues.map(i => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}`, { method, issues });
        }
        const { dispatcher, hub, gate } = this.gw.options;
        if (method === 'auth') {
            const { token } = parsed.data as { token: string };
            try {
                const principal = await gate.authenticate(token, this.origin);
                this.tokenValue = token;
                this.principalValue = principal;
                if (this.authTimer) clearTimeout(this.authTimer);
                this.gw.options.sessions.track(this);
                return reply({ principal });
            } catch (e) {
                const err = e instanceof RpcError ? e : new RpcError(ErrorCodes.InternalError, 'internal error');
                if (err.code === ErrorCodes.RateLimited) this.ws.close(WS_CLOSE.Unauthenticated, 'too many failed authentications');
                return fail(err.code, err.message, err.data);
            }
        }
        if (!this.token || !this.principalValue) return fail(ErrorCodes.Unauthenticated, 'not authenticated: send an auth message first');
        const admitted = this.gw.options.limiter.take(this.token);
        if (!admitted.ok) return fail(ErrorCodes.RateLimited, `rate limited: retry in ${admitted.retryAfterMs} ms`, { retryAfterMs: admitted.retryAfterMs });
        if (!hub) return fail(ErrorCodes.NotAvailable, 'not available yet: this daemon publishes no events');
        try {
            // Subscriptions are authorised like methods (role viewer; the token needs scope 'events' or '*').
            await dispatcher.authorizeSession(this.principalValue, method, 'viewer', this.origin);
        } catch (e) {
            const err = e instanceof RpcError ? e : new RpcError(ErrorCodes.InternalError, 'internal error');
            return fail(err.code, err.message, err.data);
        }
        if (method === 'events.subscribe') {
            const { topics } = parsed.data as { topics: string[] };
            const added = topics.filter(t => !this.topics.has(t));
            if (this.topics.size + added.length > MAX_TOPICS) return fail(ErrorCodes.InvalidParams, `at most ${MAX_TOPICS} topics per session`, { limit: MAX_TOPICS });
            for (const t of added) {
                this.topics.add(t);
                hub.add(this, t);
            }
            return reply({ topics: [...this.topics] });
        }
        const { topics } = parsed.data as { topics?: string[] };
        for (const t of topics ?? [...this.topics]) {
            this.topics.delete(t);
            hub.remove(this, t);
        }
        return reply({ topics: [...this.topics] });
    }
}
