/**
 * Errors on the wire: JSON-RPC codes (the standard ones and application codes that mirror HTTP
 * statuses), what each means, the shape of `error.data`, and RpcError, which carries a code.
 */
import * as z from 'zod';
import { RoleSchema } from './roles.js';

/**
 * JSON-RPC error codes: the standard ones, and application codes that mirror HTTP statuses so a
 * reader recognises them. `data` carries details (see ErrorDataSchema).
 */
export const ErrorCodes = {
    ParseError: -32700,
    InvalidRequest: -32600,
    MethodNotFound: -32601,
    InvalidParams: -32602,
    InternalError: -32603,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    RateLimited: 429,
    NotAvailable: 501,
    Unavailable: 503,
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** What each code means, for docs/protocol.md and for clients that print errors. */
export const ERROR_DESCRIPTIONS: Readonly<Record<ErrorCode, string>> = {
    [-32700]: 'Parse error: the body is not valid JSON.',
    [-32600]: 'Invalid request: not a JSON-RPC 2.0 request object (or an empty or too large batch).',
    [-32601]: 'Method not found: no such method (see the method table).',
    [-32602]: 'Invalid params: `data.issues` lists each wrong field with its path; also used for user errors of a valid call (a strategy that does not compile, a bad filter, data that does not fit).',
    [-32603]: 'Internal error: a bug in the daemon. `data.requestId` names it in the daemon log; no stack trace is sent.',
    401: 'Unauthenticated: no bearer token, or one that is unknown, expired or revoked.',
    403: 'Forbidden: the token\'s user lacks the method\'s role in the team, or the token is not scoped for the method.',
    404: 'Not found: the run, experiment, user, team or token named does not exist (or is not visible to the caller\'s team).',
    409: 'Conflict: the call does not fit the current state (cancelling a finished run, a duplicate name).',
    413: 'Payload too large: the request exceeds the size limit (`data.limit` bytes).',
    429: 'Rate limited: too many calls for this token; `data.retryAfterMs` says when to retry.',
    501: 'Not available yet: the method is part of the protocol but the feature behind it has not landed; `data.pending` says what is missing.',
    503: 'Unavailable for a moment: something the method needs is being prepared (the similarity index rebuilding after an embedding change); the message says how far along it is. Retry shortly.',
};

export const IssueSchema = z.object({
    path: z.array(z.union([z.string(), z.number()])).describe('Where in `params` the problem is, e.g. ["spec", "symbols", 0]; [] for the whole object.'),
    message: z.string(),
    code: z.string().optional(),
});
export type Issue = z.infer<typeof IssueSchema>;

/** `error.data`: all fields optional; which appear depends on the code. */
export const ErrorDataSchema = z.object({
    requestId: z.string().optional().describe('Id of the call in the daemon log.'),
    method: z.string().optional(),
    issues: z.array(IssueSchema).optional().describe('-32602: every wrong field, with its path.'),
    requiredRole: RoleSchema.optional().describe('403: the role the method needs.'),
    limit: z.number().optional().describe('413: the limit in bytes; -32600: the batch limit.'),
    retryAfterMs: z.number().optional().describe('429: milliseconds until a call will be accepted.'),
    pending: z.string().optional().describe('501: what is missing and where it will come from.'),
}).catchall(z.unknown());
export type ErrorData = z.infer<typeof ErrorDataSchema>;

/**
 * An error of a call: thrown by handlers to choose the code (other errors become -32603) and by
 * the client when the daemon answered with an error. `data` is sent as is.
 */
export class RpcError extends Error {
    constructor(readonly code: number, message: string, readonly data?: ErrorData) {
        super(message);
        this.name = 'RpcError';
    }
}

/**
 * The failure classes: one error type per way a call can fail that is meant for the caller (not a
 * bug), each carrying its JSON-RPC code and optional `data`. Services throw these (or their own
 * subclasses, which add fields such as FilterError's column); the gateway maps by class
 * (runtime/src/gateway/errors.ts), anything else is an internal error (-32603).
 */
export abstract class Failure extends RpcError {
    constructor(code: ErrorCode, message: string, data?: ErrorData) {
        super(code, message, data);
    }
}

/** -32602: bad input of a valid call (a strategy that does not compile, a bad filter, data that does not fit). */
export class UserInputError extends Failure {
    constructor(message: string, data?: ErrorData) {
        super(ErrorCodes.InvalidParams, message, data);
        this.name = 'UserInputError';
    }
}

/** 401: no credential, or one that is unknown, expired or revoked. */
export class AuthError extends Failure {
    constructor(message: string, data?: ErrorData) {
        super(ErrorCodes.Unauthenticated, message, data);
        this.name = 'AuthError';
    }
}

/** 403: the caller may not do this (role, scope, another team's data). */
export class ForbiddenError extends Failure {
    constructor(message: string, data?: ErrorData) {
        super(ErrorCodes.Forbidden, message, data);
        this.name = 'ForbiddenError';
    }
}

/** 404: what the call names does not exist (or is not visible to the caller's team). */
export class NotFoundError extends Failure {
    constructor(message: string, data?: ErrorData) {
        super(ErrorCodes.NotFound, message, data);
        this.name = 'NotFoundError';
    }
}

/** 409: the call does not fit the current state (a finished run, a duplicate name, a damaged artifact). */
export class ConflictError extends Failure {
    constructor(message: string, data?: ErrorData) {
        super(ErrorCodes.Conflict, message, data);
        this.name = 'ConflictError';
    }
}

/** 413: over a size limit (`data.limit`). */
export class TooLargeError extends Failure {
    constructor(message: string, data?: ErrorData) {
        super(ErrorCodes.PayloadTooLarge, message, data);
        this.name = 'TooLargeError';
    }
}

/** 429: too many calls; `data.retryAfterMs` says when to retry. */
export class RateLimitedError extends Failure {
    constructor(message: string, data?: ErrorData) {
        super(ErrorCodes.RateLimited, message, data);
        this.name = 'RateLimitedError';
    }
}

/** 501: part of the protocol, but not available in this daemon (or not any more: it is stopping). */
export class NotAvailableError extends Failure {
    constructor(message: string, data?: ErrorData) {
        super(ErrorCodes.NotAvailable, message, data);
        this.name = 'NotAvailableError';
    }
}

/** 503: something the call needs is busy, stopping or being prepared; retry shortly. */
export class UnavailableError extends Failure {
    constructor(message: string, data?: ErrorData) {
        super(ErrorCodes.Unavailable, message, data);
        this.name = 'UnavailableError';
    }
}

/** Converts zod issues to the wire form of `data.issues` (paths as strings and numbers). */
export function issuesOf(error: z.ZodError): Issue[] {
    return error.issues.flatMap((i): Issue[] => {
        const path = i.path.map(p => (typeof p === 'number' ? p : String(p)));
        // One issue per unknown key, each with its own path (zod reports them together at the parent).
        // A schema may explain a key it no longer takes (data.export's query); zod's own message is replaced.
        if (i.code === 'unrecognized_keys') return i.keys.map(k => ({ path: [...path, k], message: /^Unrecognized keys?:/.test(i.message) ? `unknown field '${k}'` : i.message, code: i.code }));
        return [{ path, message: i.message, code: i.code }];
    });
}
