/**
 * From whatever a handler (or IAM) throws to a JSON-RPC error, by class: a failure class of
 * protocol/src/errors.ts (UserInputError -32602, AuthError 401, ForbiddenError 403, NotFoundError
 * 404, ConflictError 409, TooLargeError 413, RateLimitedError 429, NotAvailableError 501,
 * UnavailableError 503) or a service error that extends one (DataError, IrError, FilterError, …)
 * answers with its code; a plain RpcError as it is. Anything else is a bug: the caller gets -32603
 * with the request id, the log gets the stack.
 */
import { Failure, RpcError, type ErrorData } from '../../../protocol/src/daemon/index.js';

/** Fields of service errors passed on in `data` (never stacks, never causes). */
const DATA_FIELDS = ['problems', 'errors', 'column', 'token', 'reason', 'what', 'detail', 'runId', 'state'] as const;

function jsonSafe(v: unknown): unknown {
    try {
        return JSON.parse(JSON.stringify(v)) as unknown;
    } catch {
        return undefined;
    }
}

/** The JSON-RPC error for `e`, or undefined when `e` is not an error meant for the caller. */
export function userErrorOf(e: unknown): RpcError | undefined {
    if (!(e instanceof RpcError)) return undefined;
    if (!(e instanceof Failure)) return e;
    const fields = e as unknown as Record<string, unknown>;
    const data: ErrorData = {};
    if (e.data) Object.assign(data, jsonSafe(e.data));
    for (const f of DATA_FIELDS) if (fields[f] !== undefined) data[f] = jsonSafe(fields[f]);
    return new RpcError(e.code, e.message || 'error', Object.keys(data).length ? data : undefined);
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
