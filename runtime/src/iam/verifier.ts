/**
 * The plug point for authentication. The gateway turns every request's bearer credential into
 * a `Principal` through a `TokenVerifier`, then asks `authorize` whether that principal may call
 * the method. `Iam` verifies AlphaForge API tokens (`af_…`); an OIDC/SSO verifier validates an
 * ID or access token from an identity provider and maps its claims to the same `Principal`
 * (see docs/iam.md). `routeVerifiers` lets both run side by side.
 */
import { AuthError } from './errors.js';
import { type Role } from '../../../protocol/src/roles.js';

/** Who is calling, in which team, with which role there, and what the credential may be used for. */
export interface Principal {
    readonly userId: string;
    readonly userName: string;
    /** The team the credential acts for: runs and experiments it creates belong to this team. */
    readonly teamId: string;
    readonly teamName: string;
    /** The user's role in that team, as of verification. */
    readonly role: Role;
    /** The API token's id; absent for credentials that are not AlphaForge tokens (e.g. OIDC). */
    readonly tokenId?: string;
    /** Method namespaces ('runs'), full method names ('runs.cancel') or '*' (everything the role allows). */
    readonly scopes: readonly string[];
    /**
     * When the credential stops being valid (ISO 8601 UTC); null or absent: it does not expire.
     * Live sessions end at this time, and tokens it creates may not outlive it.
     */
    readonly expiresAt?: string | null;
}

/**
 * A change that may end or narrow what existing credentials allow, emitted by IAM after it is
 * committed so that live sessions (WebSocket, gRPC streams) act on it at once instead of at their
 * next periodic re-verification.
 */
export type CredentialChange =
    | { readonly kind: 'token-revoked'; readonly tokenId: string }
    | { readonly kind: 'user-disabled'; readonly userId: string }
    /** role null: the user was removed from the team. */
    | { readonly kind: 'membership-changed'; readonly userId: string; readonly teamId: string; readonly role: Role | null };

/** Who publishes CredentialChanges (`Iam` does). */
export interface CredentialChanges {
    /** Calls `listener` after each committed change; returns the unsubscribe function. */
    onChange(listener: (change: CredentialChange) => void): () => void;
}

export interface TokenVerifier {
    /**
     * Turns a bearer credential (the token itself, or an `Authorization` header value
     * `Bearer <token>`) into a principal, or rejects with an `AuthError` (→ 401) whose message
     * says what is wrong and what to do. Never resolves for a credential it cannot vouch for.
     */
    verify(bearer: string): Promise<Principal>;
}

/** One branch of `routeVerifiers`: the verifier for the credentials `accepts` recognises. */
export interface VerifierRoute {
    accepts(token: string): boolean;
    readonly verifier: TokenVerifier;
}

/**
 * The token in a bearer credential: strips an optional `Bearer ` scheme and whitespace.
 * Throws AuthError('missing') when nothing is left.
 */
export function bearerToken(bearer: string | undefined | null): string {
    const token = (bearer ?? '').trim().replace(/^bearer(\s+|$)/i, '').trim();
    if (!token) throw new AuthError('missing', 'missing API token: send `Authorization: Bearer <token>` (create one with `af token create`; the first admin token is admin.token in the state directory)');
    return token;
}

/**
 * One verifier over several: the first route that accepts the token verifies it. For example
 * `routeVerifiers([{ accepts: t => t.startsWith('af_'), verifier: iam }, { accepts: () => true, verifier: oidc }])`.
 */
export function routeVerifiers(routes: readonly VerifierRoute[]): TokenVerifier {
    return {
        async verify(bearer: string): Promise<Principal> {
            const token = bearerToken(bearer);
            const route = routes.find(r => r.accepts(token));
            if (!route) throw new AuthError('malformed', 'unrecognised bearer token: it is neither an AlphaForge API token (af_…) nor a credential of a configured identity provider');
            return route.verifier.verify(token);
        },
    };
}
