/**
 * The dispatcher: one JSON-RPC call in, one response out, the same for every transport (HTTP,
 * WebSocket, gRPC). In order: the envelope (-32600), authentication (401), the method (-32601),
 * authorisation (403), availability (501 for placeholders), the params against the method
 * table's schema (-32602 with the path of every wrong field), the handler, and the result against
 * the table's result schema (a handler that breaks the contract is a bug: -32603). Nothing a
 * caller sends can throw out of here.
 *
 * With an audit sink, every call of an audited method (audit/targets.ts) and every refused call
 * (401, 403) is recorded — actor, method, target, result — and the answer waits until the record
 * is durable: handlers never audit themselves.
 */
import { jsonNumbers } from '../../../protocol/src/numbers.js';
import { randomUUID } from 'node:crypto';
import {
    ErrorCodes, JsonRpcRequestSchema, METHODS, RpcError, isMethodName, issuesOf,
    type ErrorData, type Issue, type JsonRpcId, type JsonRpcResponse, type MethodName, type Role,
} from '../../../protocol/src/daemon/index.js';
import { auditedMethod, auditTarget, tokenPrefixOf } from '../audit/targets.js';
import { newTraceId } from '../monitoring/trace.js';
import { failSpan, SpanKind, startSpan } from '../monitoring/tracing.js';
import { context } from '@opentelemetry/api';
import { describe, userErrorOf } from './errors.js';
import { editDistance } from '../../../language/src/util/did-you-mean.js';
import {
    silentLogger, type AuditEntry, type AuditSink, type Authenticator, type CallContext, type CallRecord, type GatewayLogger, type Handlers,
    type Origin, type Principal, type Transport,
} from './types.js';

export interface DispatcherOptions {
    readonly handlers: Handlers;
    /** Verifies bearer tokens and authorises calls (`Iam` is one). */
    readonly auth: Authenticator;
    readonly logger?: GatewayLogger;
    /** Check every result against the method table before sending it. Default true. */
    readonly validateResults?: boolean;
    /** Called after every call (metrics). */
    readonly onCall?: (record: CallRecord) => void;
    /** The audit log: audited and refused calls are recorded here before they are answered. */
    readonly audit?: AuditSink;
}

/** How a transport hands a call to the dispatcher. */
export interface DispatchContext {
    readonly transport: Transport;
    /** Already authenticated (HTTP verifies the token once per request) … */
    readonly principal?: Principal;
    /** … or the bearer token to verify for this call. */
    readonly token?: string;
    readonly traceId?: string;
    /** The caller's W3C `traceparent` (HTTP header, gRPC metadata): the call's span is its child. */
    readonly traceparent?: string;
    readonly signal?: AbortSignal;
    /** Remote address of the connection (for the audit log). */
    readonly remote?: string;
}

const OTHER_METHOD = 'other';
const NEVER_ABORTED = new AbortController().signal;

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function idOf(msg: unknown): JsonRpcId {
    if (!isPlainObject(msg)) return null;
    const id = msg.id;
    return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}

/** `spec.symbols[0]` for ['spec', 'symbols', 0]. */
export function formatPath(path: readonly (string | number)[]): string {
    if (path.length === 0) return '(params)';
    return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function issueSummary(issues: readonly Issue[]): string {
    const shown = issues.slice(0, 3).map(i => `${formatPath(i.path)}: ${i.message}`).join('; ');
    return issues.length > 3 ? `${shown}; and ${issues.length - 3} more` : shown;
}

/** The audit record's actor: who (when known) and from where. */
export function auditActor(principal: Principal | undefined, origin: Origin, token?: string): AuditEntry['actor'] {
    const where = { transport: origin.transport, ...(origin.remote ? { address: origin.remote } : {}) };
    if (!principal) {
        const shown = tokenPrefixOf(token);
        return { ...(shown ? { token: shown } : {}), ...where };
    }
    return {
        user: principal.userName, userId: principal.userId, team: principal.teamName, teamId: principal.teamId, role: principal.role,
        ...(principal.tokenId ? { token: principal.tokenId } : {}), ...where,
    };
}

export function errorResponse(id: JsonRpcId, code: number, message: string, data?: ErrorData): JsonRpcResponse {
    return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

export class Dispatcher {
    private readonly logger: GatewayLogger;
    private readonly validateResults: boolean;

    constructor(private readonly options: DispatcherOptions) {
        this.logger = options.logger ?? silentLogger;
        this.validateResults = options.validateResults ?? true;
    }

    /** The principal of a bearer token, or RpcError 401 (a verifier failure that is not an auth error is a 500). */
    async authenticate(token: string | undefined): Promise<Principal> {
        if (!token) throw new RpcError(ErrorCodes.Unauthenticated, 'missing API token: send `Authorization: Bearer <token>` (create one with `af token create`)');
        try {
            return await this.options.auth.verify(token);
        } catch (e) {
            const err = userErrorOf(e);
            // A database that is busy or stopping is not a bad token: the caller should retry, not log in again.
            if (err && (err.code === ErrorCodes.Unauthenticated || err.code === ErrorCodes.Unavailable)) throw err;
            if (err) throw new RpcError(ErrorCodes.Unauthenticated, err.message, err.data);
            const requestId = randomUUID();
            this.logger.error({ err: e, requestId }, 'token verification failed unexpectedly');
            throw new RpcError(ErrorCodes.InternalError, `internal error while verifying the token (request ${requestId})`, { requestId });
        }
    }

    /**
     * Records an audit entry and resolves once it is durable. Never rejects: a failure to write
     * the audit log is logged as an error (and counted in af_errors_total).
     */
    async audit(entry: AuditEntry): Promise<void> {
        if (!this.options.audit) return;
        try {
            await this.options.audit.record(entry);
        } catch (e) {
            this.logger.error({ err: e, method: entry.method }, `could not write the audit record of ${entry.method}: ${describe(e)}`);
        }
    }

    /**
     * Authorises something that is not a method of the table (WebSocket subscriptions) the way
     * methods are: `auth.authorize(principal, name, role)`, errors mapped like a call's. A refusal
     * is audited when the `origin` is given.
     */
    async authorizeSession(principal: Principal, name: string, role: Role = 'viewer', origin?: Origin): Promise<void> {
        try {
            await this.options.auth.authorize(principal, name, role);
        } catch (e) {
            const err = userErrorOf(e);
            if (err && origin) await this.audit({ actor: auditActor(principal, origin), method: name, target: {}, result: 'error', code: err.code });
            if (err) throw err;
            const requestId = randomUUID();
            this.logger.error({ err: e, requestId }, `authorising ${name} failed unexpectedly`);
            throw new RpcError(ErrorCodes.InternalError, `internal error; the daemon log has the details under request ${requestId}`, { requestId });
        }
    }

    /**
     * One message (a request or a notification) → its response, or undefined for a notification.
     * Never rejects.
     */
    async dispatch(message: unknown, ctx: DispatchContext): Promise<JsonRpcResponse | undefined> {
        const id = idOf(message);
        if (!isPlainObject(message)) {
            return errorResponse(null, ErrorCodes.InvalidRequest, 'invalid request: expected a JSON-RPC 2.0 request object {"jsonrpc": "2.0", "method": …, "params": {…}, "id": …}');
        }
        const env = JsonRpcRequestSchema.safeParse(message);
        if (!env.success || (message.id !== undefined && typeof message.id !== 'string' && typeof message.id !== 'number' && message.id !== null)) {
            const issues = env.success ? [{ path: ['id'], message: 'an id is a string, a number or null' }] : issuesOf(env.error);
            return errorResponse(id, ErrorCodes.InvalidRequest, `invalid request: ${issueSummary(issues)}`, { issues });
        }
        const notification = !('id' in message);
        try {
            const result = await this.call(env.data.method, env.data.params, ctx);
            return notification ? undefined : { jsonrpc: '2.0', id, result };
        } catch (e) {
            if (notification) return undefined;
            const err = e instanceof RpcError ? e : new RpcError(ErrorCodes.InternalError, 'internal error');
            return errorResponse(id, err.code, err.message, err.data);
        }
    }

    /**
     * A whole payload: one message or a batch (an array; at most `maxBatch`). Undefined when
     * nothing is to be sent back (only notifications). Never rejects.
     */
    async dispatchPayload(payload: unknown, ctx: DispatchContext, maxBatch: number): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
        if (!Array.isArray(payload)) return this.dispatch(payload, ctx);
        if (payload.length === 0) return errorResponse(null, ErrorCodes.InvalidRequest, 'invalid request: an empty batch');
        if (payload.length > maxBatch) {
            return errorResponse(null, ErrorCodes.InvalidRequest, `invalid request: a batch of ${payload.length} calls; at most ${maxBatch} per batch`, { limit: maxBatch });
        }
        const responses = await Promise.all(payload.map(m => this.dispatch(m, ctx)));
        const sent = responses.filter((r): r is JsonRpcResponse => r !== undefined);
        return sent.length ? sent : undefined;
    }

    /**
     * Runs one call and returns its (validated) result, or throws an RpcError. For transports
     * that are not JSON-RPC envelopes (gRPC); `dispatch` wraps it.
     */
    async call(method: string, params: unknown, ctx: DispatchContext): Promise<unknown> {
        const started = performance.now();
        const requestId = randomUUID();
        const traceId = ctx.traceId ?? newTraceId();
        let principal: Principal | undefined = ctx.principal;
        let errorCode: number | undefined;
        let errorData: ErrorData | undefined;
        let result: unknown;
        const known = isMethodName(method);
        const name = known ? method : OTHER_METHOD;
        // One span per call, in the trace the log lines name: the caller's (traceparent) or a new one with the minted id.
        const { span, ctx: spanCtx } = startSpan(`rpc ${name}`, {
            kind: SpanKind.SERVER, root: true, traceId,
            ...(ctx.traceparent?.includes(traceId) ? { parent: ctx.traceparent } : {}),
            attributes: { 'rpc.system.name': 'jsonrpc', 'rpc.method': name, 'af.transport': ctx.transport, 'af.request_id': requestId },
        });
        const log = this.logger.child({ requestId, traceId, method: name, transport: ctx.transport });
        try {
            principal ??= await this.authenticate(ctx.token);
            // Whose call it was, as far as the trace needs: the team, never the credential.
            span.setAttribute('af.team', principal.teamId);
            if (!known) throw new RpcError(ErrorCodes.MethodNotFound, `unknown method '${method.slice(0, 128)}'${suggestion(method)}`, { method: method.slice(0, 128) });
            const p = principal;
            result = await context.with(spanCtx, () => this.run(method, params, p, { requestId, traceId, logger: log.child({ userId: p.userId }), transport: ctx.transport, signal: ctx.signal ?? NEVER_ABORTED }));
            return result;
        } catch (e) {
            const err = userErrorOf(e);
            if (err) {
                errorCode = err.code;
                errorData = err.data;
                log.debug({ code: err.code, userId: principal?.userId }, err.message);
                throw err;
            }
            errorCode = ErrorCodes.InternalError;
            log.error({ err: e, userId: principal?.userId }, `internal error in ${known ? method : 'dispatch'}: ${describe(e)}`);
            throw new RpcError(ErrorCodes.InternalError, `internal error; the daemon log has the details under request ${requestId}`, { requestId });
        } finally {
            if (errorCode !== undefined) {
                span.setAttribute('rpc.jsonrpc.error_code', errorCode);
                failSpan(span, errorCode);
            }
            span.end();
            const durationMs = performance.now() - started;
            try {
                this.options.onCall?.({
                    method: known ? method : OTHER_METHOD, transport: ctx.transport, durationMs, requestId,
                    ...(errorCode !== undefined ? { errorCode } : {}),
                    ...(principal ? { userId: principal.userId } : {}),
                });
            } catch (e) {
                log.warn({ err: e }, 'onCall hook failed');
            }
            const refused = errorCode === ErrorCodes.Unauthenticated || errorCode === ErrorCodes.Forbidden;
            if (refused || auditedMethod(method)) {
                const reason = errorCode === ErrorCodes.Unauthenticated && typeof errorData?.reason === 'string' ? { reason: errorData.reason } : {};
                await this.audit({
                    actor: auditActor(principal, { transport: ctx.transport, ...(ctx.remote ? { remote: ctx.remote } : {}) }, ctx.token),
                    method: known ? method : OTHER_METHOD,
                    target: auditTarget(method, params, errorCode === undefined ? result : undefined),
                    result: errorCode === undefined ? 'ok' : 'error',
                    ...(errorCode !== undefined ? { code: errorCode } : {}),
                    ...reason,
                    requestId,
                });
            }
        }
    }

    private async run(method: MethodName, params: unknown, principal: Principal, base: Omit<CallContext, 'principal'>): Promise<unknown> {
        const spec = METHODS[method];
        await this.options.auth.authorize(principal, method, spec.role);
        if (!spec.available) {
            throw new RpcError(ErrorCodes.NotAvailable, `not available yet: ${spec.pending ?? method}`, { method, ...(spec.pending ? { pending: spec.pending } : {}) });
        }
        if (Array.isArray(params)) {
            throw new RpcError(ErrorCodes.InvalidParams, `invalid params for ${method}: params are passed by name (an object), not as an array`, { method, issues: [{ path: [], message: 'expected an object' }] });
        }
        const parsed = spec.params.safeParse(params ?? {});
        if (!parsed.success) {
            const issues = issuesOf(parsed.error);
            throw new RpcError(ErrorCodes.InvalidParams, `invalid params for ${method}: ${issueSummary(issues)}`, { method, issues });
        }
        const handler = (this.options.handlers as unknown as Record<string, ((p: unknown, c: CallContext) => Promise<unknown>) | undefined>)[method];
        if (typeof handler !== 'function') {
            throw new RpcError(ErrorCodes.NotAvailable, `not available yet: ${method} has no handler in this daemon`, { method });
        }
        const ctx: CallContext = { ...base, principal };
        const result = await handler(parsed.data, ctx);
        if (!this.validateResults) return result;
        // Check what the client will see: the JSON form (Dates become strings, NaN becomes null).
        const wire = result === undefined ? undefined : JSON.parse(JSON.stringify(result, jsonNumbers)) as unknown;
        const checked = spec.result.safeParse(wire);
        if (!checked.success) {
            const issues = issuesOf(checked.error);
            throw new Error(`${method} returned a result that does not match the protocol: ${issueSummary(issues)}`);
        }
        return checked.data;
    }
}

/** ", did you mean 'runs.list'?" for near misses. */
function suggestion(method: string): string {
    const lower = method.toLowerCase();
    const exact = Object.keys(METHODS).find(m => m.toLowerCase() === lower);
    if (exact) return `; did you mean '${exact}'?`;
    let best: string | undefined;
    let bestDistance = 3;
    for (const m of Object.keys(METHODS)) {
        const d = distance(m, lower);
        if (d < bestDistance) { best = m; bestDistance = d; }
    }
    return best ? `; did you mean '${best}'?` : '';
}

/** Edit distance of a method name, bounded: a name far longer than any method is not measured. */
function distance(a: string, b: string): number {
    if (Math.abs(a.length - b.length) > 2 || b.length > 64) return 99;
    return editDistance(a, b);
}
