/**
 * From whatever a handler (or IAM) throws to a JSON-RPC error. Errors meant for the caller carry
 * a code: an `RpcError`, or an error with a numeric `status`/`code` (IAM's AuthError 401,
 * ForbiddenError 403, IamError/ExperimentError 400/404/409) or a known user-error name
 * (DataError, BacktestError, …: -32602). Anything else is a bug: the caller gets -32603 with the
 * request id, the log gets the stack.
 */
import { ErrorCodes, RpcError, type ErrorData } from '../../../protocol/src/daemon/index.js';

/** Numeric statuses/codes of service errors and the JSON-RPC code each becomes. */
const STATUS_CODES: Readonly<Record<number, number>> = {
    400: ErrorCodes.InvalidParams,
    401: ErrorCodes.Unauthenticated,
    403: ErrorCodes.Forbidden,
    404: ErrorCodes.NotFound,
    409: ErrorCodes.Conflict,
    413: ErrorCodes.PayloadTooLarge,
    422: ErrorCodes.InvalidParams,
    429: ErrorCodes.RateLimited,
    501: ErrorCodes.NotAvailable,
    503: ErrorCodes.Unavailable,
    [-32700]: ErrorCodes.ParseError,
    [-32600]: ErrorCodes.InvalidRequest,
    [-32601]: ErrorCodes.MethodNotFound,
    [-32602]: ErrorCodes.InvalidParams,
};

/** Errors of the services whose messages are written for the user: bad input, not a bug. */
const USER_ERROR_NAMES: Readonly<Record<string, number>> = {
    AuthError: ErrorCodes.Unauthenticated,
    ForbiddenError: ErrorCodes.Forbidden,
    NotFoundError: ErrorCodes.NotFound,
    ConflictError: ErrorCodes.Conflict,
    DataError: ErrorCodes.InvalidParams,
    ImportRejected: ErrorCodes.InvalidParams,
    BacktestError: ErrorCodes.InvalidParams,
    IrError: ErrorCodes.InvalidParams,
    FilterError: ErrorCodes.InvalidParams,
    ValidationError: ErrorCodes.InvalidParams,
};

/** The orchestrator's string codes (OrchestratorError.code). */
const STRING_CODES: Readonly<Record<string, number>> = {
    not_found: ErrorCodes.NotFound,
    invalid_state: ErrorCodes.Conflict,
    invalid_spec: ErrorCodes.InvalidParams,
    stopped: ErrorCodes.NotAvailable,
    damaged: ErrorCodes.Conflict,
};

/** Fields of service errors passed on in `data` (never stacks, never causes). */
const DATA_FIELDS = ['problems', 'errors', 'column', 'token', 'reason', 'what', 'detail', 'runId', 'state'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null;
}

function jsonSafe(v: unknown): unknown {
    try {
        return JSON.parse(JSON.stringify(v)) as unknown;
    } catch {
        return undefined;
    }
}

/** The JSON-RPC error for `e`, or undefined when `e` is not an error meant for the caller. */
export function userErrorOf(e: unknown): RpcError | undefined {
    if (e instanceof RpcError) return e;
    if (!isObject(e)) return undefined;
    const status = typeof e.status === 'number' ? e.status : typeof e.code === 'number' ? e.code : undefined;
    const code = (status !== undefined ? STATUS_CODES[status] : undefined)
        ?? (e.name === 'OrchestratorError' && typeof e.code === 'string' ? STRING_CODES[e.code] : undefined)
        ?? (typeof e.name === 'string' ? USER_ERROR_NAMES[e.name] : undefined);
    if (code === undefined) return undefined;
    const message = typeof e.message === 'string' && e.message ? e.message : 'error';
    const data: ErrorData = {};
    if (isObject(e.data)) Object.assign(data, jsonSafe(e.data));
    for (const f of DATA_FIELDS) if (e[f] !== undefined) data[f] = jsonSafe(e[f]);
    if (code === ErrorCodes.Forbidden && isObject(e.detail) && typeof e.detail.needed === 'string') data.requiredRole = e.detail.needed as ErrorData['requiredRole'];
    return new RpcError(code, message, Object.keys(data).length ? data : undefined);
}

/** A configuration the gateway refuses to start with (e.g. a public bind address without TLS). */
export class GatewayConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'GatewayConfigError';
    }
}

/** One line for logs: the message, or the value as text. */
export function describe(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}
