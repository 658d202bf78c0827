/**
 * A real OpenID Connect provider (npm oidc-provider) on 127.0.0.1 for the single sign-on tests:
 * discovery document, JWKS, and a token endpoint issuing RS256 JWT access tokens for the
 * `urn:alphaforge` resource by the client-credentials grant (what an agent or service uses).
 * Each client stands for one identity: its claims (groups, preferred_username) are given here.
 */
import { createServer, type Server } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

export const AUDIENCE = 'urn:alphaforge';

export interface IdpClient {
    readonly id: string;
    readonly claims: Record<string, unknown>;
}

export interface Idp {
    readonly issuer: string;
    /** An access token for `client`, optionally asking for scopes and another resource. */
    token(client: string, o?: { scope?: string; resource?: string }): Promise<string>;
    /** A JWT with the IdP's issuer and audience, signed by a key the IdP never published. */
    forge(claims: Record<string, unknown>): Promise<string>;
    stop(): Promise<void>;
}

async function freePort(): Promise<number> {
    const s: Server = createServer();
    await new Promise<void>(r => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>(r => s.close(() => r()));
    return port;
}

async function signingKey(kid: string): Promise<{ jwk: JWK; key: CryptoKey }> {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    return { jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' }, key: privateKey };
}

export async function startIdp(clients: readonly IdpClient[]): Promise<Idp> {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const real = await signingKey('idp-key-1');
    const rogue = await signingKey('idp-key-1'); // same kid: only the signature tells them apart
    const byId = new Map(clients.map(c => [c.id, c]));
    const provider = new Provider(issuer, {
        jwks: { keys: [real.jwk] },
        ttl: { ClientCredentials: 300 },
        clients: clients.map(c => ({ client_id: c.id, client_secret: `secret-${c.id}`, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] })),
        features: {
            devInteractions: { enabled: false },
            clientCredentials: { enabled: true },
            resourceIndicators: {
                enabled: true,
                defaultResource: () => AUDIENCE,
                useGrantedResource: () => true,
                getResourceServerInfo: (_ctx: unknown, resource: string) => ({
                    scope: 'af:runs af:data af:iam af:*', audience: resource,
                    accessTokenTTL: 300,
                    accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } },
                }),
            },
        },
        extraTokenClaims: (_ctx: unknown, token: { clientId: string }) => byId.get(token.clientId)?.claims ?? {},
    });
    const server = provider.listen(port, '127.0.0.1');
    await new Promise<void>(r => server.once('listening', () => r()));
    return {
        issuer,
        async token(client, o = {}) {
            const body = new URLSearchParams({ grant_type: 'client_credentials', resource: o.resource ?? AUDIENCE, ...(o.scope ? { scope: o.scope } : {}) });
            const res = await fetch(`${issuer}/token`, {
                method: 'POST', body,
                headers: { authorization: `Basic ${Buffer.from(`${client}:secret-${client}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
            });
            const j = await res.json() as { access_token?: string; error?: string; error_description?: string };
            if (!j.access_token) throw new Error(`the IdP refused a token for ${client}: ${j.error} ${j.error_description ?? ''}`);
            return j.access_token;
        },
        forge(claims) {
            const now = Math.floor(Date.now() / 1000);
            return new SignJWT({ iss: issuer, aud: AUDIENCE, iat: now, exp: now + 300, ...claims })
                .setProtectedHeader({ alg: 'RS256', kid: 'idp-key-1', typ: 'at+jwt' }).sign(rogue.key);
        },
        stop: () => new Promise<void>(r => { server.closeAllConnections?.(); server.close(() => r()); }),
    };
}
