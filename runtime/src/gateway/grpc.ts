/**
 * gRPC, the second transport (runtime/proto/alphaforge.proto, loaded with @grpc/proto-loader):
 * `Call` hands the method name and its JSON params to the same Dispatcher as HTTP and WebSocket;
 * `Subscribe` streams the same events through the same EventHub and bounded queue, and ends
 * (UNAUTHENTICATED) as soon as its token stops being valid (sessions.ts). Not a second
 * implementation: no method is written twice. Also a small typed client for tests and tools.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
    ErrorCodes, RpcError, WS_METHODS, issuesOf,
    type ErrorData, type LaggedEvent, type MethodName, type ParamsInput, type ResultOf, type StreamEvent,
    METHODS,
} from '../../../protocol/src/daemon/index.js';
import { traceIdFrom } from '../monitoring/trace.js';
import { type Dispatcher } from './dispatcher.js';
import { kindOf, OutboundQueue, runIdOf, type EventHub, type QueueLimits, type Subscriber } from './events.js';
import { type AuthGate } from './auth-gate.js';
import { type RateLimiter } from './rate-limit.js';
import { type LiveSession, type SessionRegistry } from './sessions.js';
import { type GatewayLogger, type Origin, type Principal } from './types.js';

// ------------------------------------------------------------------------------------------ proto

/** runtime/proto/alphaforge.proto, from the sources or from the compiled output (out/runtime/src/gateway). */
export function defaultProtoPath(): string {
    const candidates = [
        fileURLToPath(new URL('../../proto/alphaforge.proto', import.meta.url)),
        fileURLToPath(new URL('../../../../runtime/proto/alphaforge.proto', import.meta.url)),
    ];
    const found = candidates.find(p => existsSync(p));
    if (!found) throw new Error(`alphaforge.proto not found (looked in ${candidates.join(', ')})`);
    return found;
}

export interface CallRequestMessage { method: string; params_json: string; token: string; traceparent: string }
export interface ErrorMessage { code: number; message: string; data_json: string }
export interface CallResponseMessage { result_json?: string; error?: ErrorMessage; outcome?: 'result_json' | 'error' }
export interface SubscribeRequestMessage { topics: string[]; token: string }
export interface EventMessage { type: string; run_id: string; payload_json: string }

type ServiceCtor = grpc.ServiceClientConstructor;

const loaded = new Map<string, ServiceCtor>();

/** The Daemon service (definition and client constructor) from the .proto file. */
export function loadDaemonService(protoPath: string = defaultProtoPath()): ServiceCtor {
    let ctor = loaded.get(protoPath);
    if (!ctor) {
        const def = protoLoader.loadSync(protoPath, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
        const pkg = grpc.loadPackageDefinition(def) as unknown as { alphaforge: { v1: { Daemon: ServiceCtor } } };
        ctor = pkg.alphaforge.v1.Daemon;
        loaded.set(protoPath, ctor);
    }
    return ctor;
}

// ----------------------------------------------------------------------------------------- server

export interface GrpcServerOptions {
    readonly dispatcher: Dispatcher;
    readonly hub?: EventHub;
    readonly limiter: RateLimiter;
    readonly gate: AuthGate;
    readonly sessions: SessionRegistry;
    readonly logger: GatewayLogger;
    readonly host: string;
    readonly port: number;
    readonly maxMessageBytes: number;
    readonly queue: QueueLimits;
    readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
    readonly protoPath?: string;
}

export interface GrpcServerHandle {
    readonly port: number;
    /** Open Subscribe streams. */
    streams(): number;
    close(): Promise<void>;
}

function bearerOf(value: grpc.MetadataValue | undefined): string | undefined {
    if (typeof value !== 'string') return undefined;
    const m = /^\s*bearer\s+(\S+)\s*$/i.exec(value);
    return m ? m[1] : undefined;
}

function errorMessage(code: number, message: string, data?: ErrorData): CallResponseMessage {
    return { error: { code, message, data_json: data === undefined ? '' : JSON.stringify(data) } };
}

/** The gRPC status of a refusal. */
function statusOf(code: number): grpc.status {
    return code === ErrorCodes.Unauthenticated ? grpc.status.UNAUTHENTICATED
        : code === ErrorCodes.Forbidden ? grpc.status.PERMISSION_DENIED
            : code === ErrorCodes.RateLimited ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.INTERNAL;
}

/** The address of a peer `ipv4:127.0.0.1:5555`, `ipv6:[::1]:5555` or `127.0.0.1:5555`, without the port. */
export function peerAddress(peer: string): string {
    const p = peer.replace(/^ipv[46]:/, '');
    const v6 = /^\[(.*)\]:\d+$/.exec(p);
    if (v6) return v6[1]!;
    const v4 = /^(.*):\d+$/.exec(p);
    return v4 ? v4[1]! : p;
}

/** Messages queued per stream before backpressure counts (gRPC writes are objects, not bytes). */
const STREAM_HIGH_WATER = 16;

export async function startGrpcServer(o: GrpcServerOptions): Promise<GrpcServerHandle> {
    const service = loadDaemonService(o.protoPath).service;
    const server = new grpc.Server({
        'grpc.max_receive_message_length': o.maxMessageBytes,
        'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
    const streams = new Set<grpc.ServerWritableStream<SubscribeRequestMessage, EventMessage>>();

    const call = async (c: grpc.ServerUnaryCall<CallRequestMessage, CallResponseMessage>): Promise<CallResponseMessage> => {
        const req = c.request;
        const token = req.token || bearerOf(c.metadata.get('authorization')[0]);
        const traceparent = req.traceparent || c.metadata.get('traceparent')[0];
        const remote = peerAddress(c.getPeer());
        let principal: Principal;
        try {
            principal = await o.gate.authenticate(token, { transport: 'grpc', remote });
        } catch (e) {
            const err = e instanceof RpcError ? e : new RpcError(ErrorCodes.InternalError, 'internal error');
            return errorMessage(err.code, err.message, err.data);
        }
        const admitted = o.limiter.take(token!);
        if (!admitted.ok) return errorMessage(ErrorCodes.RateLimited, `rate limited: retry in ${admitted.retryAfterMs} ms`, { retryAfterMs: admitted.retryAfterMs });
        let params: unknown;
        if (req.params_json) {
            try {
                params = JSON.parse(req.params_json);
            } catch (e) {
                return errorMessage(ErrorCodes.ParseError, `parse error in params_json: ${e instanceof Error ? e.message : 'invalid JSON'}`);
            }
        }
        const abort = new AbortController();
        c.on('cancelled', () => abort.abort());
        const response = await o.dispatcher.dispatch(
            { jsonrpc: '2.0', id: 0, method: req.method, ...(params === undefined ? {} : { params }) },
            { transport: 'grpc', principal, token: token!, traceId: traceIdFrom(typeof traceparent === 'string' ? traceparent : undefined), ...(typeof traceparent === 'string' ? { traceparent } : {}), signal: abort.signal, remote },
        );
        if (!response) return errorMessage(ErrorCodes.InternalError, 'internal error: no response');
        if ('error' in response) return errorMessage(response.error.code, response.error.message, response.error.data);
        return { result_json: JSON.stringify(response.result ?? null) };
    };

    const subscribe = async (s: grpc.ServerWritableStream<SubscribeRequestMessage, EventMessage>): Promise<void> => {
        const fail = (code: grpc.status, details: string): void => { s.emit('error', { code, details }); };
        const token = s.request.token || bearerOf(s.metadata.get('authorization')[0]);
        const origin: Origin = { transport: 'grpc', remote: peerAddress(s.getPeer()) };
        let principal: Principal;
        try {
            principal = await o.gate.authenticate(token, origin, 'events.subscribe');
            await o.dispatcher.authorizeSession(principal, 'events.subscribe', 'viewer', origin);
        } catch (e) {
            const err = e instanceof RpcError ? e : new RpcError(ErrorCodes.InternalError, 'internal error');
            return fail(statusOf(err.code), err.message);
        }
        const parsed = WS_METHODS['events.subscribe'].params.safeParse({ topics: s.request.topics });
        if (!parsed.success) return fail(grpc.status.INVALID_ARGUMENT, `invalid topics: ${issuesOf(parsed.error).map(i => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        const hub = o.hub;
        if (!hub) return fail(grpc.status.UNIMPLEMENTED, 'not available yet: this daemon publishes no events');
        if (s.cancelled) return;

        const queue = new OutboundQueue(
            {
                bufferedBytes: () => (s.writableNeedDrain || s.writableLength >= STREAM_HIGH_WATER ? Number.MAX_SAFE_INTEGER : 0),
                send: (data, kind, runId) => { s.write({ type: kind, run_id: runId ?? '', payload_json: data }); },
                closed: () => s.cancelled || s.destroyed || s.writableEnded,
            },
            { ...o.queue, highWaterBytes: 1 },
            () => fail(grpc.status.RESOURCE_EXHAUSTED, 'consumer too slow: its queue is full of undroppable events'),
            (e: LaggedEvent) => JSON.stringify(e),
        );
        let current = principal;
        const sub: Subscriber & LiveSession = {
            get principal() { return current; },
            token,
            topics: new Set(parsed.data.topics),
            subscribed: true,
            deliver: (_data, event) => queue.push(JSON.stringify(event), kindOf(event), runIdOf(event)),
            adopt: p => { current = p; },
            // The credential is gone: no further event, then the stream ends with the reason.
            end: (code, reason) => {
                hub.remove(sub);
                queue.stop();
                fail(statusOf(code), reason);
            },
        };
        for (const t of sub.topics) hub.add(sub, t);
        streams.add(s);
        o.sessions.track(sub);
        const end = (): void => {
            hub.remove(sub);
            queue.stop();
            streams.delete(s);
            o.sessions.untrack(sub);
        };
        s.on('cancelled', end);
        s.on('close', end);
        s.on('error', end);
        // Headers now: the client knows the subscription is in place before the first event.
        s.sendMetadata(new grpc.Metadata());
    };

    server.addService(service, {
        Call: (c: grpc.ServerUnaryCall<CallRequestMessage, CallResponseMessage>, cb: grpc.sendUnaryData<CallResponseMessage>) => {
            call(c).then(r => cb(null, r), (e: unknown) => {
                o.logger.error({ err: e }, 'gRPC Call failed');
                cb(null, errorMessage(ErrorCodes.InternalError, 'internal error'));
            });
        },
        Subscribe: (s: grpc.ServerWritableStream<SubscribeRequestMessage, EventMessage>) => {
            subscribe(s).catch((e: unknown) => {
                o.logger.error({ err: e }, 'gRPC Subscribe failed');
                s.emit('error', { code: grpc.status.INTERNAL, details: 'internal error' });
            });
        },
    });

    const credentials = o.tls
        ? grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(o.tls.key), cert_chain: Buffer.from(o.tls.cert) }], false)
        : grpc.ServerCredentials.createInsecure();
    const host = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;
    const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync(`${host}:${o.port}`, credentials, (e, p) => (e ? reject(new Error(`cannot serve gRPC on ${host}:${o.port}: ${e.message}`)) : resolve(p)));
    });
    return {
        port,
        streams: () => streams.size,
        close: () => new Promise<void>(resolve => {
            for (const s of streams) s.emit('error', { code: grpc.status.UNAVAILABLE, details: 'daemon shutting down' });
            const t = setTimeout(() => { server.forceShutdown(); resolve(); }, 1000);
            t.unref();
            server.tryShutdown(() => { clearTimeout(t); resolve(); });
        }),
    };
}

// ----------------------------------------------------------------------------------------- client

export interface GrpcClientOptions {
    /** host:port */
    readonly address: string;
    readonly token?: string;
    /** Default: insecure (loopback). */
    readonly credentials?: grpc.ChannelCredentials;
    readonly protoPath?: string;
}

export interface GrpcEventStream {
    /** Resolves once the daemon has registered the subscription. */
    readonly ready: Promise<void>;
    /** Resolves when the stream ends (cancelled or closed by the daemon); rejects with the gRPC error. */
    readonly done: Promise<void>;
    cancel(): void;
}

/** A typed gRPC client: `call` resolves with the validated result or rejects with an RpcError. */
export class GrpcDaemonClient {
    private readonly client: grpc.Client & Record<string, (...args: unknown[]) => unknown>;

    constructor(private readonly options: GrpcClientOptions) {
        const Ctor = loadDaemonService(options.protoPath);
        this.client = new Ctor(options.address, options.credentials ?? grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
    }

    /** Sends a raw CallRequest (tests use it for malformed params). */
    raw(request: Partial<CallRequestMessage>, metadata = new grpc.Metadata()): Promise<CallResponseMessage> {
        return new Promise((resolve, reject) => {
            this.client.Call!({ method: '', params_json: '', token: this.options.token ?? '', traceparent: '', ...request }, metadata,
                (e: grpc.ServiceError | null, r: CallResponseMessage) => (e ? reject(e) : resolve(r)));
        });
    }

    async call<M extends MethodName>(method: M, params: ParamsInput<M>): Promise<ResultOf<M>> {
        const r = await this.raw({ method, params_json: JSON.stringify(params) });
        if (r.error) throw new RpcError(r.error.code, r.error.message, r.error.data_json ? JSON.parse(r.error.data_json) as ErrorData : undefined);
        const parsed = METHODS[method].result.safeParse(JSON.parse(r.result_json ?? 'null'));
        if (!parsed.success) throw new RpcError(ErrorCodes.InternalError, `the daemon returned an invalid result for ${method}`, { issues: issuesOf(parsed.error) });
        return parsed.data as ResultOf<M>;
    }

    subscribe(topics: string[], onEvent: (event: StreamEvent) => void, token = this.options.token ?? ''): GrpcEventStream {
        const stream = this.client.Subscribe!({ topics, token }) as grpc.ClientReadableStream<EventMessage>;
        const ready = new Promise<void>((resolve, reject) => {
            stream.once('metadata', () => resolve());
            stream.once('error', reject);
        });
        ready.catch(() => { /* reported through done */ });
        const done = new Promise<void>((resolve, reject) => {
            stream.on('data', (m: EventMessage) => onEvent(JSON.parse(m.payload_json) as StreamEvent));
            stream.on('end', () => resolve());
            stream.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? resolve() : reject(e)));
        });
        return { ready, done, cancel: () => stream.cancel() };
    }

    close(): void {
        this.client.close();
    }
}
