/**
 * Single sign-on against a real OpenID Connect provider (npm oidc-provider on 127.0.0.1) and a real
 * daemon configured to accept its tokens beside af_ tokens. Each attack is a token an IdP user or
 * an outsider could present: forged signatures, `alg: none`, tokens for another audience, expired
 * tokens, users in no mapped group, an IdP user named like the local admin, a disabled user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../protocol/src/errors.js';
import { OidcVerifier } from '../../src/iam/oidc.js';
import { type OidcSettings } from '../../src/iam/oidc-settings.js';
import { startIdp, type Idp } from '../iam/idp.js';
import { expectNoLeak, rejection, startSecureDaemon, type SecureDaemon } from './support.js';

let idp: Idp;
let d: SecureDaemon;
let settings: OidcSettings;

beforeAll(async () => {
    idp = await startIdp([
        { id: 'alice-bot', claims: { preferred_username: 'alice', groups: ['alpha-quants', 'alpha-desk'] } },
        { id: 'impostor', claims: { preferred_username: 'admin', groups: ['beta-quants'] } },
        { id: 'stranger', claims: { preferred_username: 'eve', groups: ['marketing'] } },
        { id: 'both', claims: { preferred_username: 'bob', groups: ['alpha-quants', 'beta-quants'], af_team: 'beta' } },
    ]);
    settings = {
        issuer: idp.issuer, audience: 'urn:alphaforge', teamClaim: 'af_team', clockToleranceSeconds: 0,
        groups: {
            'alpha-quants': { team: 'alpha', role: 'researcher' },
            'alpha-desk': { team: 'alpha', role: 'trader' },
            'beta-quants': { team: 'beta', role: 'researcher' },
        },
    };
    d = await startSecureDaemon({ oidc: settings });
}, 120_000);

afterAll(async () => {
    await d?.stop();
    await idp?.stop();
});

const whoami = async (token: string) => (await d.client(token).call('iam.whoami', {})).principal;

describe('single sign-on: tokens of the identity provider', () => {
    it('maps an IdP user to a local user bound to (iss, sub), the team of their groups and the highest role there', async () => {
        const p = await whoami(await idp.token('alice-bot', { scope: 'af:*' }));
        expect(p).toMatchObject({ userName: 'alice', teamName: 'alpha', role: 'trader', scopes: ['*'] });
        expect(p.tokenId).toBeUndefined();
        // The same subject is the same user next time (runs keep a stable owner).
        expect((await whoami(await idp.token('alice-bot'))).userId).toBe(p.userId);
        // af_ tokens still work beside SSO.
        expect((await whoami(d.tokens.alpha.viewer)).userName).toBe('alpha-viewer');
    });

    it('narrows a token to the AlphaForge scopes it carries (af:runs → runs only)', async () => {
        const token = await idp.token('alice-bot', { scope: 'af:runs' });
        expect((await d.client(token).call('runs.list', {})).runs).toBeDefined();
        const e = await rejection(d.client(token).call('iam.whoami', {}));
        expect(e.code).toBe(ErrorCodes.Forbidden);
    });

    it('chooses among several teams by the configured team claim', async () => {
        expect(await whoami(await idp.token('both'))).toMatchObject({ userName: 'bob', teamName: 'beta', role: 'researcher' });
    });

    it('attack: an IdP user whose preferred_username is "admin" does not become the local admin', async () => {
        const admin = await whoami(d.adminToken);
        const p = await whoami(await idp.token('impostor'));
        expect(p.userId).not.toBe(admin.userId);
        expect(p.userName).not.toBe('admin');
        expect(p).toMatchObject({ teamName: 'beta', role: 'researcher' });
        // Nor can it see the admin's tokens.
        const listed = await d.client(await idp.token('impostor')).call('iam.tokens.list', {});
        expect(listed.tokens.map(t => t.userId)).not.toContain(admin.userId);
    });

    it('attack: a token signed with a key the IdP never published (same kid, issuer, audience) is refused', async () => {
        const forged = await idp.forge({ sub: 'alice-bot', preferred_username: 'alice', groups: ['alpha-desk'], scope: 'af:*' });
        const e = await rejection(d.client(forged).call('iam.whoami', {}));
        expect(e.code).toBe(ErrorCodes.Unauthenticated);
        expect(e.message).toMatch(/signature/);
        expectNoLeak(e, [forged, ...d.secrets]);
    });

    it('attack: an unsigned token (alg none) is refused', async () => {
        const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: idp.issuer, aud: 'urn:alphaforge', sub: 'x', exp: now + 300, groups: ['alpha-desk'] })}.`;
        const e = await rejection(d.client(unsigned).call('iam.whoami', {}));
        expect(e.code).toBe(ErrorCodes.Unauthenticated);
    });

    it('attack: a valid token of the IdP for another service (audience) is refused', async () => {
        const other = await idp.token('alice-bot', { resource: 'urn:payroll' });
        const e = await rejection(d.client(other).call('iam.whoami', {}));
        expect(e.code).toBe(ErrorCodes.Unauthenticated);
        expect(e.message).toMatch(/aud/);
    });

    it('attack: a user in no mapped group gets no team', async () => {
        const e = await rejection(d.client(await idp.token('stranger')).call('runs.list', {}));
        expect(e.code).toBe(ErrorCodes.Unauthenticated);
        expect(e.message).toMatch(/no group that oidc\.groups maps/);
    });

    it('attack: a disabled user is refused though the IdP still vouches for them', async () => {
        const admin = d.client(d.adminToken);
        const token = await idp.token('alice-bot');
        const p = await whoami(token);
        await admin.call('iam.users.disable', { user: p.userId });
        try {
            const e = await rejection(d.client(token).call('iam.whoami', {}));
            expect(e.code).toBe(ErrorCodes.Unauthenticated);
            expect(e.message).toMatch(/disabled/);
        } finally {
            await admin.call('iam.users.enable', { user: p.userId });
        }
    });
});

describe('single sign-on: configuration and an unreachable provider', () => {
    const directory = { externalUser: () => Promise.reject(new Error('not reached')), team: () => Promise.resolve(undefined) };

    it('refuses an http issuer that is not on this machine (its keys could be replaced in transit)', () => {
        expect(() => new OidcVerifier({ ...settings, issuer: 'http://idp.example.com' }, directory)).toThrow(/oidc\.issuer .* is not https/);
        expect(() => new OidcVerifier({ ...settings, groups: {} }, directory)).toThrow(/oidc\.groups is empty/);
    });

    it('attack: an expired token is refused as expired', async () => {
        const users = { externalUser: () => Promise.resolve({ id: 'usr_1', name: 'alice', disabled: false }), team: (n: string) => Promise.resolve({ id: 'team_1', name: n }) };
        const token = await idp.token('alice-bot');
        const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
        // The same token just before and just after its exp (no clock tolerance in these settings).
        expect((await new OidcVerifier(settings, users, { now: () => exp * 1000 - 1000 }).verify(token)).expiresAt).toBe(new Date(exp * 1000).toISOString());
        await expect(new OidcVerifier(settings, users, { now: () => exp * 1000 + 1000 }).verify(token)).rejects.toMatchObject({ code: ErrorCodes.Unauthenticated, message: expect.stringMatching(/expired/) });
    });

    it('answers 503 (retry), not 401, while the provider cannot be reached', async () => {
        const down = new OidcVerifier({ ...settings, issuer: 'http://127.0.0.1:9' }, directory);
        const token = await idp.token('alice-bot');
        await expect(down.verify(token)).rejects.toMatchObject({ code: ErrorCodes.Unavailable, message: expect.stringMatching(/cannot be read/) });
    });
});
