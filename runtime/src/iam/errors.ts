/**
 * The errors of IAM, each a failure class of the protocol (protocol/src/errors.ts): AuthError 401,
 * ForbiddenError 403, IamError -32602 (a bad IAM request); unknown users, teams and tokens are
 * NotFoundErrors (404), duplicates and changes that do not fit the state ConflictErrors (409). Each
 * message is one line that says what is wrong and what to do; the gateway sends it as is.
 * Anything else thrown from this module is a bug.
 */
import * as failures from '../../../protocol/src/errors.js';
import { type Role } from '../../../protocol/src/roles.js';

/** Why a bearer token could not be turned into a principal. */
export type AuthFailure = 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' | 'disabled' | 'no-membership' | 'invalid';

/** 401: the caller is not authenticated (no token, or a token that is unknown, expired, revoked, or whose user is disabled). */
export class AuthError extends failures.AuthError {
    constructor(readonly reason: AuthFailure, message: string) {
        super(message);
        this.name = 'AuthError';
    }
}

/** 403: the caller is authenticated but may not call this method (role too low, or the token is not scoped for it); `data.requiredRole` names the role needed. */
export class ForbiddenError extends failures.ForbiddenError {
    constructor(
        readonly method: string,
        message: string,
        readonly detail: { readonly needed?: Role; readonly held?: Role; readonly missingScope?: string } = {},
    ) {
        super(message, detail.needed ? { requiredRole: detail.needed } : undefined);
        this.name = 'ForbiddenError';
    }
}

/** A bad IAM request (-32602): an invalid name, role, scope or lifetime. */
export class IamError extends failures.UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'IamError';
    }
}
