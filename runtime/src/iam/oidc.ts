/**
 * Single sign-on: a TokenVerifier for access (or ID) tokens of a corporate OpenID Connect
 * provider, beside AlphaForge's own `af_` tokens (see `routeVerifiers`, docs/iam.md).
 *
 * A token is accepted only when `jose` verifies its signature against the issuer's published keys
 * (JWKS, found through the issuer's discovery document unless configured), its `iss`, `aud`,
 * `exp` and `nbf`, with asymmetric algorithms only. The person is then mapped, never trusted by
 * name: (iss, sub) is bound to one local user (created on first sight, so runs have a stable
 * owner and an admin can disable them); the user's groups claim is mapped through the configured
 * table to a team and the highest role any of their groups gives there. Scopes come from the
 * token's `scope` claim (`af:runs` → `runs`), or everything the role allows when it has none.
 *
 * The provider is reached lazily and with time limits: a daemon starts while the IdP is down, and
 * a request that cannot be checked meanwhile gets a 503 (retry), not a 401 (log in again).
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { UnavailableError } from '../../../protocol/src/errors.js';
import { ROLES, type Role } from '../../../protocol/src/roles.js';
import { AuthError } from './errors.js';
import { type OidcSettings } from './oidc-settings.js';
import { type Principal, type TokenVerifier, bearerToken } from './verifier.js';


/** Only asymmetric signatures: a shared-secret (HS*) or unsigned token is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const FETCH_TIMEOUT_MS = 5000;

/** What the verifier needs of IAM (an `Iam` is one). */
export interface IdentityDirectory {
    externalUser(issuer: string, subject: string, name: string): Promise<{ readonly id: string; readonly name: string; readonly disabled: boolean }>;
    team(ref: string): Promise<{ readonly id: string; readonly name: string } | undefined>;
}

const DiscoverySchema = z.object({ issuer: z.string(), jwks_uri: z.string().url() }).passthrough();

function isLoopback(url: URL): boolean {
    return ['localhost', '127.0.0.1', '[::1]', '::1'].includes(url.hostname);
}

/** Throws a one-line error when the settings cannot be used safely. */
export function checkOidcSettings(s: OidcSettings): void {
    for (const [field, value] of [['oidc.issuer', s.issuer], ['oidc.jwksUri', s.jwksUri]] as const) {
        if (value === undefined) continue;
        const u = new URL(value);
        if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (isLoopback(u) || s.allowInsecureIssuer))) {
            throw new Error(`${field} ${value} is not https: tokens would be checked against keys anyone on the network can replace; use https (or oidc.allowInsecureIssuer for a test IdP)`);
        }
    }
    if (Object.keys(s.groups).length === 0) throw new Error('oidc.groups is empty: map at least one group to a team and role, e.g. { "quants": { "team": "research", "role": "researcher" } }');
}

export class OidcVerifier implements TokenVerifier {
    private keys?: ReturnType<typeof createRemoteJWKSet>;
    private keysPending?: Promise<ReturnType<typeof createRemoteJWKSet>>;

    private readonly now: () => number;

    constructor(private readonly settings: OidcSettings, private readonly directory: IdentityDirectory, options: { now?: () => number } = {}) {
        checkOidcSettings(settings);
        this.now = options.now ?? Date.now;
    }

    /** JWTs (three dot-separated parts); `af_` tokens go to IAM. */
    accepts(token: string): boolean {
        return token.split('.').length === 3;
    }

    async verify(bearer: string): Promise<Principal> {
        const token = bearerToken(bearer);
        const claims = await this.check(token);
        const subject = typeof claims.sub === 'string' && claims.sub ? claims.sub : undefined;
        if (!subject) throw new AuthError('invalid', 'the identity provider\'s token has no subject (sub); ask the IdP administrator to issue user or client tokens with one');
        const name = this.userName(claims, subject);
        const user = await this.directory.externalUser(this.settings.issuer, subject, name);
        if (user.disabled) throw new AuthError('disabled', `user ${user.name} is disabled; ask an admin to enable the user`);
        const { teamName, role } = this.membership(claims, user.name);
        const team = await this.directory.team(teamName);
        if (!team) throw new AuthError('no-membership', `team ${teamName} (from oidc.groups) does not exist on this daemon; an admin must create it with \`af team create ${teamName}\``);
        return {
            userId: user.id, userName: user.name, teamId: team.id, teamName: team.name, role,
            scopes: this.scopes(claims),
            expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : null,
        };
    }

    /** The verified claims, or AuthError (bad token) / UnavailableError (the IdP cannot be reached). */
    private async check(token: string): Promise<JWTPayload> {
        const keys = await this.signingKeys();
        try {
            const { payload } = await jwtVerify(token, keys, {
                issuer: this.settings.issuer,
                audience: this.settings.audience,
                algorithms: ALGORITHMS,
                clockTolerance: this.settings.clockToleranceSeconds ?? 30,
                requiredClaims: ['exp'],
                currentDate: new Date(this.now()),
            });
            return payload;
        } catch (e) {
            if (e instanceof joseErrors.JWTExpired) throw new AuthError('expired', 'the identity provider\'s token has expired; sign in again to get a new one');
            // Fetching the keys failed (network, timeout, an HTTP error): not the token's fault.
            if (e instanceof joseErrors.JWKSTimeout || !(e instanceof joseErrors.JOSEError) || /Expected 200 OK/.test(e.message)) {
                throw new UnavailableError(`the identity provider's keys at ${this.settings.jwksUri ?? this.settings.issuer} cannot be fetched now; try again shortly`);
            }
            if (e instanceof joseErrors.JWTClaimValidationFailed) throw new AuthError('invalid', `the identity provider's token is not for this daemon: claim ${e.claim} ${e.reason === 'check_failed' ? 'does not match' : e.reason} (expected issuer ${this.settings.issuer} and audience ${String(this.settings.audience)})`);
            if (e instanceof joseErrors.JOSEAlgNotAllowed) throw new AuthError('invalid', 'the token is signed with an algorithm this daemon does not accept (only RS*, PS*, ES* and EdDSA)');
            if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWSSignatureVerificationFailed) throw new AuthError('invalid', `the token's signature does not verify with the keys of ${this.settings.issuer}`);
            // Malformed tokens and anything else jose refuses: never echo the token.
            throw new AuthError('invalid', 'the bearer token is not a valid token of the configured identity provider');
        }
    }

    /** The issuer's key set: jose caches keys and refetches on an unknown `kid` (with a cooldown). */
    private signingKeys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
        if (this.keys) return Promise.resolve(this.keys);
        this.keysPending ??= this.discoverKeys().then(
            k => { this.keys = k; return k; },
            e => { this.keysPending = undefined; throw e; },
        );
        return this.keysPending;
    }

    private async discoverKeys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
        let uri = this.settings.jwksUri;
        if (!uri) {
            const where = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
            let body: unknown;
            try {
                const res = await fetch(where, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
                if (!res.ok) throw new Error(`HTTP ${res.status}`);
                body = await res.json();
            } catch (e) {
                throw new UnavailableError(`the identity provider's discovery document ${where} cannot be read (${(e as Error).message.split('\n')[0]}); try again shortly, or set oidc.jwksUri`);
            }
            const doc = DiscoverySchema.safeParse(body);
            if (!doc.success) throw new UnavailableError(`the identity provider's discovery document ${where} has no valid jwks_uri; set oidc.jwksUri`);
            if (doc.data.issuer !== this.settings.issuer) {
                throw new UnavailableError(`the discovery document of ${this.settings.issuer} names another issuer (${doc.data.issuer}); fix oidc.issuer to match it exactly`);
            }
            uri = doc.data.jwks_uri;
            checkOidcSettings({ ...this.settings, jwksUri: uri });
        }
        return createRemoteJWKSet(new URL(uri), { timeoutDuration: FETCH_TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    }

    private userName(claims: JWTPayload, subject: string): string {
        const pick = (c: string): string | undefined => (typeof claims[c] === 'string' && (claims[c] as string).trim() ? (claims[c] as string).trim() : undefined);
        return (this.settings.userClaim ? pick(this.settings.userClaim) : pick('preferred_username') ?? pick('email')) ?? subject;
    }

    /** The team the token acts for and the highest role the user's groups give there. */
    private membership(claims: JWTPayload, user: string): { teamName: string; role: Role } {
        const claim = this.settings.groupsClaim ?? 'groups';
        const raw = claims[claim];
        const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : typeof raw === 'string' ? raw.split(/[\s,]+/).filter(Boolean) : [];
        const mapped = groups.flatMap(g => (Object.hasOwn(this.settings.groups, g) ? [this.settings.groups[g]!] : []));
        if (mapped.length === 0) {
            throw new AuthError('no-membership', `user ${user} is in no group that oidc.groups maps to a team (claim ${claim}); ask an admin to add them to one of ${Object.keys(this.settings.groups).join(', ')}`);
        }
        const teams = [...new Set(mapped.map(m => m.team))];
        let teamName = teams[0]!;
        if (teams.length > 1) {
            const asked = this.settings.teamClaim && typeof claims[this.settings.teamClaim] === 'string' ? claims[this.settings.teamClaim] as string : undefined;
            const chosen = [asked, this.settings.defaultTeam].find(t => t !== undefined && teams.includes(t));
            if (!chosen) throw new AuthError('no-membership', `user ${user}'s groups map to several teams (${teams.join(', ')}) and neither oidc.teamClaim nor oidc.defaultTeam chooses one`);
            teamName = chosen;
        }
        const role = mapped.filter(m => m.team === teamName).map(m => m.role).reduce((a, b) => (ROLES.indexOf(b) > ROLES.indexOf(a) ? b : a));
        return { teamName, role };
    }

    /** `af:runs af:data` → ['runs', 'data']; `af:*` or no AlphaForge scope → ['*'] (the role still limits). */
    private scopes(claims: JWTPayload): string[] {
        const prefix = this.settings.scopePrefix ?? 'af:';
        const raw = typeof claims.scope === 'string' ? claims.scope.split(/\s+/) : Array.isArray(claims.scp) ? claims.scp.map(String) : [];
        const ours = raw.filter(s => prefix === '' || s.startsWith(prefix)).map(s => s.slice(prefix.length)).filter(Boolean);
        if (ours.length === 0 || ours.includes('*')) return ['*'];
        return [...new Set(ours)];
    }
}
