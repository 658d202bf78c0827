/**
 * The gateway's seams: what it is handed (an Authenticator, the Handlers of the method table,
 * a logger, hooks for metrics) and what a handler is given (CallContext). The daemon assembly
 * provides the real services; tests provide stubs.
 */
import type {
    AvailableMethodName, MethodName, ParamsOf, Principal as WirePrincipal, ResultOf, Role,
} from '../../../protocol/src/daemon/index.js';

/**
 * Who is calling (as a TokenVerifier returns it). Read-only so IAM's own Principal fits.
 * `expiresAt` (ISO time; null or absent: never) ends live sessions when it comes.
 */
export type Principal = Readonly<Omit<WirePrincipal, 'scopes'>> & { readonly scopes: readonly string[]; readonly expiresAt?: string | null };

/** A committed IAM change that may end or narrow live sessions (IAM's CredentialChange). */
export type CredentialChange =
    | { readonly kind: 'token-revoked'; readonly tokenId: string }
    | { readonly kind: 'user-disabled'; readonly userId: string }
    | { readonly kind: 'membership-changed'; readonly userId: string; readonly teamId: string; readonly role: Role | null };

/** Where the gateway learns of CredentialChanges (`Iam` is one). */
export interface CredentialChanges {
    onChange(listener: (change: CredentialChange) => void): () => void;
}

export type { AuditEntry, AuditSink } from '../audit/audit-log.js';

/** Turns a bearer credential into a principal; rejects (AuthError, status 401) when it cannot. */
export interface TokenVerifier {
    verify(bearer: string): Promise<Principal>;
}

/** Throws (ForbiddenError, status 403) unless the principal may call the method, which needs `requiredRole`. */
export type Authorize = (principal: Principal, method: string, requiredRole: Role) => void | Promise<void>;

/** Authentication and authorisation in one object: `Iam` is one. */
export interface Authenticator extends TokenVerifier {
    authorize(principal: Principal, method: string, requiredRole: Role): void | Promise<void>;
}

/** The subset of pino's Logger the gateway uses (a pino logger is one). */
export interface GatewayLogger {
    debug(obj: object, msg?: string): void;
    info(obj: object, msg?: string): void;
    warn(obj: object, msg?: string): void;
    error(obj: object, msg?: string): void;
    child(bindings: Record<string, unknown>): GatewayLogger;
}

export const silentLogger: GatewayLogger = {
    debug() { /* silent */ },
    info() { /* silent */ },
    warn() { /* silent */ },
    error() { /* silent */ },
    child() { return silentLogger; },
};

export type Transport = 'http' | 'ws' | 'grpc';

/** Where a call or an authentication attempt came from (for the audit log). */
export interface Origin {
    readonly transport: Transport;
    /** Remote address of the connection. */
    readonly remote?: string;
}

/** What a handler is given besides its params. */
export interface CallContext {
    readonly principal: Principal;
    /** Unique per call; in every log line of the call and in -32603 errors. */
    readonly requestId: string;
    /** W3C trace id: from the caller's `traceparent` or minted; hand it to the orchestrator with a run. */
    readonly traceId: string;
    /** Bound to requestId, traceId, method and user. */
    readonly logger: GatewayLogger;
    readonly transport: Transport;
    /** Aborted when the caller goes away (HTTP connection closed, WebSocket closed, gRPC cancelled). */
    readonly signal: AbortSignal;
}

/** Handler results may be read-only (a mutable value is one too). */
export type DeepReadonly<T> =
    T extends (infer U)[] ? readonly DeepReadonly<U>[]
        : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
            : T;

export type Handler<M extends MethodName> = (params: ParamsOf<M>, ctx: CallContext) => Promise<DeepReadonly<ResultOf<M>>>;

/** One handler per implemented method of the table; placeholders have none (the dispatcher answers 501). */
export type Handlers = { [M in AvailableMethodName]: Handler<M> };

/** One finished call, for metrics (`metrics.observeRpc(r.method, r.durationMs / 1000, r.errorCode)`). */
export interface CallRecord {
    /** The method, or 'other' when it is not in the table (bounded label values). */
    readonly method: string;
    readonly transport: Transport;
    readonly durationMs: number;
    /** The JSON-RPC error code when the call failed. */
    readonly errorCode?: number;
    readonly requestId: string;
    readonly userId?: string;
}
