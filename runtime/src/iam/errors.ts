/**
 * The errors of IAM. Each message is one line that says what is wrong and what to do; the
 * gateway maps `status` to its transport (HTTP status, JSON-RPC error data) and prints the
 * message as is. Anything else thrown from this module is a bug.
 */
import { type Role } from '../../../protocol/src/roles.js';

/** Why a bearer token could not be turned into a principal. */
export type AuthFailure = 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' | 'disabled' | 'no-membership' | 'invalid';

/** 401: the caller is not authenticated (no token, or a token that is unknown, expired, revoked, or whose user is disabled). */
export class AuthError extends Error {
    readonly status = 401;
    constructor(readonly reason: AuthFailure, message: string) {
        super(message);
        this.name = 'AuthError';
    }
}

/** 403: the caller is authenticated but may not call this method (role too low, or the token is not scoped for it). */
export class ForbiddenError extends Error {
    readonly status = 403;
    constructor(
        readonly method: string,
        message: string,
        readonly detail: { readonly needed?: Role; readonly held?: Role; readonly missingScope?: string } = {},
    ) {
        super(message);
        this.name = 'ForbiddenError';
    }
}

/** A bad IAM request: 400 invalid input, 404 unknown user/team/token, 409 conflict (duplicate name, last admin). */
export class IamError extends Error {
    constructor(readonly status: 400 | 404 | 409, message: string) {
        super(message);
        this.name = 'IamError';
    }
}
