/**
 * Authorisation: may this principal call this method? Two independent checks, both required:
 * the user's role in the principal's team must be at least the method's role, and the
 * credential's scopes must cover the method. Pure functions: they work for any `Principal`,
 * whichever verifier produced it.
 */
import { ForbiddenError, IamError } from './errors.js';
import { isRole, roleAllows, type Role } from '../../../protocol/src/roles.js';
import { type Principal } from './verifier.js';

/** A scope: '*', a method namespace ('runs') or a full method name ('runs.cancel', 'iam.tokens.create'). */
const SCOPE_RE = /^(\*|[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*)$/;

/** The namespace of a method: the text before the first '.' (the whole name when there is none). */
export function methodNamespace(method: string): string {
    const dot = method.indexOf('.');
    return dot < 0 ? method : method.slice(0, dot);
}

/** True when one of `scopes` is '*', the method's namespace, or the method itself. */
export function scopeAllows(scopes: readonly string[], method: string): boolean {
    const ns = methodNamespace(method);
    return scopes.some(s => s === '*' || s === ns || s === method);
}

/** True when every method `scope` admits is admitted by one of `held` (so a token cannot mint a broader one). */
export function scopeCovers(held: readonly string[], scope: string): boolean {
    if (held.includes('*')) return true;
    if (scope === '*') return false;
    return held.includes(scope) || held.includes(methodNamespace(scope));
}

/** Checks and normalises a list of scopes (deduplicated, '*' alone when present); default ['*']. */
export function normaliseScopes(scopes: readonly string[] | undefined): string[] {
    if (scopes === undefined) return ['*'];
    if (scopes.length === 0) throw new IamError(`a token needs at least one scope: a method namespace such as 'runs' or 'data', a method name, or '*' for everything its user's role allows`);
    const out: string[] = [];
    for (const raw of scopes) {
        const s = String(raw).trim();
        if (!SCOPE_RE.test(s)) throw new IamError(`invalid scope '${raw}': use a method namespace such as 'runs' or 'data', a method name such as 'runs.cancel', or '*'`);
        if (!out.includes(s)) out.push(s);
    }
    return out.includes('*') ? ['*'] : out;
}

/**
 * Throws ForbiddenError (→ 403) unless `principal` may call `method`, which needs `requiredRole`.
 * The role is checked first: a missing role is the more fundamental problem.
 */
export function authorize(principal: Principal, method: string, requiredRole: Role): void {
    if (!isRole(requiredRole)) throw new Error(`authorize(${method}): '${String(requiredRole)}' is not a role`);
    if (!roleAllows(principal.role, requiredRole)) {
        throw new ForbiddenError(method,
            `${method} needs role ${requiredRole} in team ${principal.teamName}, but ${principal.userName} holds ${principal.role} there; ask a team admin to grant ${requiredRole}`,
            { needed: requiredRole, held: principal.role });
    }
    if (!scopeAllows(principal.scopes, method)) {
        const ns = methodNamespace(method);
        const which = principal.tokenId ? `token ${principal.tokenId}` : 'this credential';
        throw new ForbiddenError(method,
            `${which} is not scoped for ${method} (its scopes: ${principal.scopes.join(', ') || 'none'}); use a token with scope '${ns}', '${method}' or '*'`,
            { missingScope: ns });
    }
}
