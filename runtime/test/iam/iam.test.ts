/**
 * IAM over a real store, the embedded DuckDB file and PostgreSQL 15 (team mode's control plane), the
 * same tests on each: bootstrap, users and teams, tokens, verification and the authorisation matrix.
 * They run a third time on DuckDB with verified tokens kept in memory (`cacheVerified`, as the
 * embedded daemon runs): every revocation, disabling, removal, role change and expiry must still
 * take effect on the next call.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SqlStore } from '../../src/store/sql-store.js';
import {
    ADMIN_TOKEN_FILE, AuthError, ForbiddenError, Iam, IamError, type Principal, ROLES, type Role, type TokenVerifier,
    authorize, roleAllows, routeVerifiers, scopeAllows,
} from '../../src/iam/index.js';
import { ConflictError, NotFoundError, type RpcError } from '../../../protocol/src/errors.js';
import { failure, tempDir } from '../data/helpers.js';
import { STORE_KINDS, available, openControl, usePostgres, type StoreKind } from '../team/control-stores.js';

usePostgres('runtime/test/iam/iam.test.ts');

const T0 = Date.UTC(2025, 0, 1);

interface Fixture {
    dir: string;
    store: SqlStore;
    iam: Iam;
    clock: { now: number };
    adminToken: string;
    admin: Principal;
}

async function fixtureOf(kind: StoreKind, cacheVerified = false, wrap: (s: SqlStore) => SqlStore = s => s): Promise<Fixture> {
    const dir = tempDir('af-iam-');
    const store = wrap(await openControl(kind, dir));
    const clock = { now: T0 };
    const iam = new Iam(store, { now: () => clock.now, cacheVerified });
    const boot = await iam.bootstrap(dir);
    const adminToken = boot.token!;
    return { dir, store, iam, clock, adminToken, admin: await iam.verify(adminToken) };
}

/** A user with `role` in team default and a verified token of theirs. */
async function member(f: Fixture, name: string, role: Role, scopes?: string[]): Promise<{ token: string; id: string; principal: Principal }> {
    await f.iam.createUser(name);
    await f.iam.setMembership(name, 'default', role);
    const t = await f.iam.createToken({ user: name, team: 'default', name: `${name}-token`, ...(scopes ? { scopes } : {}) });
    return { token: t.token, id: t.id, principal: await f.iam.verify(t.token) };
}

function principal(role: Role, scopes: readonly string[] = ['*']): Principal {
    return { userId: 'usr_0000000000000000', userName: 'alice', teamId: 'team_0000000000000000', teamName: 'quant', role, scopes, tokenId: 'tok_0000000000000000' };
}

describe('roles', () => {
    it('are ordered by privilege', () => {
        expect(ROLES).toEqual(['viewer', 'researcher', 'trader', 'admin']);
        expect(roleAllows('admin', 'viewer')).toBe(true);
        expect(roleAllows('trader', 'trader')).toBe(true);
        expect(roleAllows('researcher', 'trader')).toBe(false);
    });
});

const VARIANTS: readonly { kind: StoreKind; cached: boolean }[] = [...STORE_KINDS.map(kind => ({ kind, cached: false })), { kind: 'duckdb', cached: true }];

for (const { kind: storeKind, cached } of VARIANTS) describe.skipIf(!available(storeKind))(`on ${storeKind}${cached ? ', verified tokens kept' : ''}`, () => {
    const fixture = (kind: StoreKind): Promise<Fixture> => fixtureOf(kind, cached);
    const kind = storeKind;
    describe('bootstrap', () => {
        it('creates admin in team default and writes the token to admin.token with mode 0600', async () => {
            const f = await fixture(kind);
            const file = join(f.dir, ADMIN_TOKEN_FILE);
            expect(statSync(file).mode & 0o777).toBe(0o600);
            expect(readFileSync(file, 'utf8')).toBe(`${f.adminToken}\n`);
            expect(f.adminToken).toMatch(/^af_[A-Za-z0-9_-]{51}$/);
            expect(f.admin).toMatchObject({ userName: 'admin', teamName: 'default', role: 'admin', scopes: ['*'] });
            const users = await f.iam.listUsers();
            expect(users.map(u => [u.name, u.memberships.map(m => `${m.teamName}:${m.role}`)])).toEqual([['admin', ['default:admin']]]);
        });

        it('is idempotent: a second start changes nothing and never rewrites the file', async () => {
            const f = await fixture(kind);
            const file = join(f.dir, ADMIN_TOKEN_FILE);
            const before = statSync(file).mtimeMs;
            const again = await f.iam.bootstrap(f.dir);
            expect(again).toEqual({ created: false, file });
            expect(again.token).toBeUndefined();
            expect(readFileSync(file, 'utf8')).toBe(`${f.adminToken}\n`);
            expect(statSync(file).mtimeMs).toBe(before);
            expect(Number(await f.store.scalar('SELECT count(*)::DOUBLE FROM tokens'))).toBe(1);
            // A new process (a fresh Iam) over the same database: still nothing to do.
            expect((await new Iam(f.store).bootstrap(f.dir)).created).toBe(false);
            // Even with the file deleted, an existing database is never given a second bootstrap token.
            await f.iam.createUser('bob');
            expect((await f.iam.bootstrap(f.dir)).created).toBe(false);
        });

        it('refuses to overwrite a stale admin.token next to an empty database, and leaves it alone', async () => {
            const dir = tempDir('af-iam-');
            writeFileSync(join(dir, ADMIN_TOKEN_FILE), 'af_old\n', { mode: 0o600 });
            const store = await openControl(kind, dir);
            const e = await failure<ConflictError>(new Iam(store).bootstrap(dir));
            expect(e).toBeInstanceOf(ConflictError);
            expect(e.code).toBe(409);
            expect(e.message).toMatch(/admin\.token exists but the database has no users.*delete it/);
            expect(readFileSync(join(dir, ADMIN_TOKEN_FILE), 'utf8')).toBe('af_old\n');
            expect(Number(await store.scalar('SELECT count(*)::DOUBLE FROM users'))).toBe(0);
        });
    });

    describe('tokens', () => {
        it('are shown once: only the SHA-256 of the token is stored', async () => {
            const f = await fixture(kind);
            const t = await f.iam.createToken({ user: 'admin', team: 'default', name: 'ci', scopes: ['runs', 'data'] });
            expect(t.token.startsWith(`af_${t.prefix}`)).toBe(true);
            expect(t.prefix).toHaveLength(8);
            const secret = t.token.slice(11);
            expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
            const rows = await f.store.rows(`SELECT * FROM tokens WHERE id = $1`, [t.id]);
            expect(rows).toHaveLength(1);
            const row = rows[0]!;
            expect(row.hash).toBe(createHash('sha256').update(t.token).digest('hex'));
            expect(row.prefix).toBe(t.prefix);
            expect(row.scopes).toEqual(['runs', 'data']);
            const stored = JSON.stringify(await f.store.rows('SELECT * FROM tokens'), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
            expect(stored).not.toContain(secret);
            expect(stored).not.toContain(f.adminToken.slice(11));
        });

        it('expire after their ttl and carry expiresAt', async () => {
            const f = await fixture(kind);
            const t = await f.iam.createToken({ user: 'admin', team: 'default', name: 'short', ttlMs: 3_600_000 });
            expect(t.expiresAt).toBe(new Date(T0 + 3_600_000).toISOString());
            f.clock.now = T0 + 3_599_999;
            await expect(f.iam.verify(t.token)).resolves.toMatchObject({ userName: 'admin', tokenId: t.id });
            f.clock.now = T0 + 3_600_000;
            const e = await failure<AuthError>(f.iam.verify(t.token));
            expect(e).toBeInstanceOf(AuthError);
            expect(e.reason).toBe('expired');
            expect(e.code).toBe(401);
            expect(e.message).toBe(`API token af_${t.prefix}… (short) expired at 2025-01-01T01:00:00.000Z; create a new one with \`af token create\``);
            expect((await f.iam.listTokens()).find(x => x.id === t.id)?.state).toBe('expired');
        });

        it('are refused for bad names, scopes, lifetimes, unknown users and non-members', async () => {
            const f = await fixture(kind);
            await f.iam.createUser('carol');
            const cases: [Parameters<Iam['createToken']>[0], new (...args: never[]) => Error, RegExp][] = [
                [{ user: 'admin', team: 'default', name: '' }, IamError, /invalid token name/],
                [{ user: 'admin', team: 'default', name: 'x', scopes: [] }, IamError, /at least one scope/],
                [{ user: 'admin', team: 'default', name: 'x', scopes: ['runs', 'no spaces'] }, IamError, /invalid scope 'no spaces'/],
                [{ user: 'admin', team: 'default', name: 'x', ttlMs: 0 }, IamError, /invalid token lifetime 0 ms/],
                [{ user: 'admin', team: 'default', name: 'x', ttlMs: 1.5 }, IamError, /invalid token lifetime/],
                [{ user: 'nobody', team: 'default', name: 'x' }, NotFoundError, /unknown user 'nobody'/],
                [{ user: 'admin', team: 'nowhere', name: 'x' }, NotFoundError, /unknown team 'nowhere'/],
                [{ user: 'carol', team: 'default', name: 'x' }, ConflictError, /carol is not a member of team default/],
            ];
            for (const [opts, failureClass, msg] of cases) {
                const e = await failure<RpcError>(f.iam.createToken(opts));
                expect(e, JSON.stringify(opts)).toBeInstanceOf(failureClass);
                expect(e.message).toMatch(msg);
            }
        });

        it('normalise scopes: duplicates dropped, * absorbs the rest', async () => {
            const f = await fixture(kind);
            const a = await f.iam.createToken({ user: 'admin', team: 'default', name: 'a', scopes: ['runs', 'runs', 'data.import'] });
            const b = await f.iam.createToken({ user: 'admin', team: 'default', name: 'b', scopes: ['runs', '*'] });
            expect((await f.iam.verify(a.token)).scopes).toEqual(['runs', 'data.import']);
            expect((await f.iam.verify(b.token)).scopes).toEqual(['*']);
        });

        it('with an actor: non-admins mint only their own tokens, never wider than their credential', async () => {
            const f = await fixture(kind);
            const alice = await member(f, 'alice', 'researcher', ['runs', 'iam']);
            await f.iam.createUser('bob');
            await f.iam.setMembership('bob', 'default', 'viewer');
            let e = await failure<ForbiddenError>(f.iam.createToken({ user: 'bob', team: 'default', name: 'x' }, alice.principal));
            expect(e).toBeInstanceOf(ForbiddenError);
            expect(e.message).toBe('only an admin may create tokens for another user: alice holds researcher in team default');
            e = await failure<ForbiddenError>(f.iam.createToken({ user: 'alice', team: 'default', name: 'x' }, alice.principal));
            expect(e.message).toBe(`a credential scoped runs, iam cannot create a token with scope '*'; use a token with a wider scope`);
            e = await failure<ForbiddenError>(f.iam.createToken({ user: 'alice', team: 'default', name: 'x', scopes: ['data'] }, alice.principal));
            expect(e.detail.missingScope).toBe('data');
            const ok = await f.iam.createToken({ user: 'alice', team: 'default', name: 'x', scopes: ['runs.cancel', 'iam'] }, alice.principal);
            expect((await f.iam.verify(ok.token)).scopes).toEqual(['runs.cancel', 'iam']);
            expect((await f.iam.listTokens({ user: 'alice' })).find(t => t.id === ok.id)?.createdBy).toBe(alice.principal.userId);
            // An admin may issue tokens for anyone.
            const forBob = await f.iam.createToken({ user: 'bob', team: 'default', name: 'bob' }, f.admin);
            expect((await f.iam.verify(forBob.token)).userName).toBe('bob');
        });

        it('are revoked by their owner or an admin, at once', async () => {
            const f = await fixture(kind);
            const alice = await member(f, 'alice', 'trader');
            const bob = await member(f, 'bob', 'trader');
            const e = await failure<ForbiddenError>(f.iam.revokeToken(bob.id, alice.principal));
            expect(e).toBeInstanceOf(ForbiddenError);
            expect(e.message).toBe(`only an admin may revoke another user's token: alice holds trader in team default`);
            await expect(f.iam.verify(bob.token)).resolves.toMatchObject({ userName: 'bob' });

            f.clock.now = T0 + 5_000;
            const revoked = await f.iam.revokeToken(alice.id, alice.principal);
            expect(revoked).toMatchObject({ id: alice.id, state: 'revoked', revokedAt: new Date(T0 + 5_000).toISOString() });
            const err = await failure<AuthError>(f.iam.verify(alice.token));
            expect(err.reason).toBe('revoked');
            expect(err.message).toBe(`API token af_${alice.token.slice(3, 11)}… (alice-token) was revoked at 2025-01-01T00:00:05.000Z; create a new one with \`af token create\``);
            // Idempotent: a second revocation keeps the first time.
            f.clock.now = T0 + 9_000;
            expect((await f.iam.revokeToken(alice.id, alice.principal)).revokedAt).toBe(revoked.revokedAt);

            await f.iam.revokeToken(bob.id, f.admin);
            expect((await failure<AuthError>(f.iam.verify(bob.token))).reason).toBe('revoked');
            const unknown = await failure<NotFoundError>(f.iam.revokeToken('tok_ffffffffffffffff', null));
            expect(unknown.code).toBe(404);
            expect(unknown).toBeInstanceOf(NotFoundError);
            expect(unknown.message).toMatch(/^unknown token tok_ffffffffffffffff/);
        });

        it('listings never contain a secret or a hash', async () => {
            const f = await fixture(kind);
            const alice = await member(f, 'alice', 'viewer');
            const t = await f.iam.createToken({ user: 'alice', team: 'default', name: 'second', scopes: ['runs'] });
            const hashes = (await f.store.rows('SELECT hash FROM tokens')).map(r => String(r.hash));
            expect(hashes).toHaveLength(3);
            const listings = {
                all: await f.iam.listTokens(),
                alice: await f.iam.listTokens({ user: 'alice' }),
                team: await f.iam.listTokens({ team: 'default' }),
                mine: await f.iam.listTokens({}, alice.principal),
                users: await f.iam.listUsers(),
                teams: await f.iam.listTeams(),
            };
            const text = JSON.stringify(listings);
            for (const secret of [f.adminToken, alice.token, t.token]) expect(text).not.toContain(secret.slice(11));
            for (const h of hashes) expect(text).not.toContain(h);
            for (const info of listings.all) {
                expect(Object.keys(info).sort()).toEqual(['createdAt', 'createdBy', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'scopes', 'state', 'teamId', 'teamName', 'userId', 'userName']);
            }
            expect(listings.all).toHaveLength(3);
            expect(listings.alice.map(x => x.name).sort()).toEqual(['alice-token', 'second']);
            expect(listings.mine.map(x => x.name).sort()).toEqual(['alice-token', 'second']);
            const e = await failure<ForbiddenError>(f.iam.listTokens({ user: 'admin' }, alice.principal));
            expect(e.message).toBe(`only an admin may list another user's tokens: alice holds viewer in team default`);
            expect((await f.iam.listTokens({ user: 'alice' }, f.admin))).toHaveLength(2);
        });
    });

    describe('verify', () => {
        it('accepts a valid token, bare or as a Bearer header, with the current role', async () => {
            const f = await fixture(kind);
            const alice = await member(f, 'alice', 'researcher', ['runs']);
            expect(alice.principal).toEqual({
                userId: expect.stringMatching(/^usr_/), userName: 'alice', teamId: f.admin.teamId, teamName: 'default',
                role: 'researcher', tokenId: alice.id, scopes: ['runs'], expiresAt: null,
            });
            await expect(f.iam.verify(`Bearer ${alice.token}`)).resolves.toEqual(alice.principal);
            await expect(f.iam.verify(`  bearer   ${alice.token}  `)).resolves.toEqual(alice.principal);
            await f.iam.setMembership('alice', 'default', 'trader');
            expect((await f.iam.verify(alice.token)).role).toBe('trader');
        });

        it('rejects missing, malformed and unknown tokens with messages that say what to do', async () => {
            const f = await fixture(kind);
            const cases: [string, string, RegExp][] = [
                ['', 'missing', /^missing API token: send `Authorization: Bearer <token>`/],
                ['Bearer  ', 'missing', /^missing API token/],
                ['hunter2', 'malformed', /^malformed API token: AlphaForge tokens are af_ followed by 51/],
                [f.adminToken.slice(0, -1), 'malformed', /copied whole/],
                [`af_ABCDEFGH${'x'.repeat(43)}`, 'unknown', /^unknown API token af_ABCDEFGH…: it was not issued by this daemon.*af token create/],
            ];
            for (const [bearer, reason, msg] of cases) {
                const e = await failure<AuthError>(f.iam.verify(bearer));
                expect(e, bearer).toBeInstanceOf(AuthError);
                expect(e.reason).toBe(reason);
                expect(e.code).toBe(401);
                expect(e.message).toMatch(msg);
                expect(e.message).not.toContain('\n');
            }
            // The unknown token's secret part never appears in the message.
            expect((await failure<AuthError>(f.iam.verify(`af_ABCDEFGH${'x'.repeat(43)}`))).message).not.toContain('xxxx');
        });

        it('rejects tokens of disabled users and of users removed from the token\'s team', async () => {
            const f = await fixture(kind);
            const alice = await member(f, 'alice', 'trader');
            await f.iam.disableUser('alice');
            let e = await failure<AuthError>(f.iam.verify(alice.token));
            expect(e.reason).toBe('disabled');
            expect(e.message).toBe('user alice is disabled; ask an admin to enable the user');
            await f.iam.enableUser('alice');
            await expect(f.iam.verify(alice.token)).resolves.toMatchObject({ userName: 'alice' });
            expect(await f.iam.removeMembership('alice', 'default')).toBe(true);
            expect(await f.iam.removeMembership('alice', 'default')).toBe(false);
            e = await failure<AuthError>(f.iam.verify(alice.token));
            expect(e.reason).toBe('no-membership');
            expect(e.message).toMatch(/^user alice is no longer a member of team default, which API token af_.{8}… \(alice-token\) acts for; ask an admin/);
        });

        it('records last use at most once a minute', async () => {
            const f = await fixture(kind);
            const t = await f.iam.createToken({ user: 'admin', team: 'default', name: 'x' });
            const lastUsed = async () => (await f.iam.listTokens()).find(x => x.id === t.id)!.lastUsedAt;
            expect(await lastUsed()).toBeNull();
            f.clock.now = T0 + 1_000;
            await f.iam.verify(t.token);
            expect(await lastUsed()).toBe(new Date(T0 + 1_000).toISOString());
            f.clock.now = T0 + 60_999;
            await f.iam.verify(t.token);
            expect(await lastUsed()).toBe(new Date(T0 + 1_000).toISOString());
            f.clock.now = T0 + 61_000;
            await f.iam.verify(t.token);
            expect(await lastUsed()).toBe(new Date(T0 + 61_000).toISOString());
        });
    });

    describe('authorize', () => {
        it('enforces role ranks across every role × required role, on verified principals', async () => {
            const f = await fixture(kind);
            const principals = new Map<Role, Principal>();
            for (const role of ROLES) principals.set(role, (await member(f, `u-${role}`, role)).principal);
            for (const have of ROLES) {
                for (const need of ROLES) {
                    const p = principals.get(have)!;
                    const method = `m.${need}`;
                    if (ROLES.indexOf(have) >= ROLES.indexOf(need)) {
                        expect(() => f.iam.authorize(p, method, need), `${have} → ${need}`).not.toThrow();
                    } else {
                        let caught: unknown;
                        try {
                            f.iam.authorize(p, method, need);
                        } catch (e) {
                            caught = e;
                        }
                        expect(caught, `${have} → ${need}`).toBeInstanceOf(ForbiddenError);
                        const e = caught as ForbiddenError;
                        expect(e.code).toBe(403);
                        expect(e.method).toBe(method);
                        expect(e.detail).toEqual({ needed: need, held: have });
                        expect(e.message).toBe(`${method} needs role ${need} in team default, but u-${have} holds ${have} there; ask a team admin to grant ${need}`);
                    }
                }
            }
        });

        it('enforces scopes: *, the method namespace, or the full method name', () => {
            const cases: [readonly string[], string, boolean][] = [
                [['*'], 'runs.submit', true],
                [['*'], 'iam.users.create', true],
                [['runs'], 'runs.submit', true],
                [['runs'], 'runs.live.start', true],
                [['runs'], 'runs', true],
                [['runs'], 'data.import', false],
                [['runs'], 'runsx.submit', false],
                [['runs.cancel'], 'runs.cancel', true],
                [['runs.cancel'], 'runs.submit', false],
                [['runs.cancel'], 'runs.cancel.all', false],
                [['data', 'experiments'], 'experiments.list', true],
                [[], 'runs.submit', false],
            ];
            for (const [scopes, method, allowed] of cases) {
                expect(scopeAllows(scopes, method), `${scopes.join(',')} ${method}`).toBe(allowed);
                const p = principal('admin', scopes);
                if (allowed) {
                    expect(() => authorize(p, method, 'viewer')).not.toThrow();
                } else {
                    expect(() => authorize(p, method, 'viewer')).toThrow(ForbiddenError);
                }
            }
            expect(() => authorize(principal('trader', ['data']), 'runs.live.start', 'trader'))
                .toThrow(`token tok_0000000000000000 is not scoped for runs.live.start (its scopes: data); use a token with scope 'runs', 'runs.live.start' or '*'`);
            // The role is checked before the scope.
            expect(() => authorize(principal('viewer', ['data']), 'runs.live.start', 'trader')).toThrow(/needs role trader/);
        });

        it('applies scopes of real tokens', async () => {
            const f = await fixture(kind);
            const t = await member(f, 'tess', 'trader', ['runs']);
            expect(() => f.iam.authorize(t.principal, 'runs.live.start', 'trader')).not.toThrow();
            expect(() => f.iam.authorize(t.principal, 'data.import', 'researcher')).toThrow(/not scoped for data\.import/);
        });
    });

    describe('users and teams', () => {
        it('creates, lists and validates users and teams', async () => {
            const f = await fixture(kind);
            const alice = await f.iam.createUser('alice@example.com');
            expect(alice).toMatchObject({ name: 'alice@example.com', disabled: false, memberships: [], createdAt: new Date(T0).toISOString() });
            const quant = await f.iam.createTeam('quant');
            expect(quant).toMatchObject({ name: 'quant', members: [] });
            await f.iam.setMembership(alice.id, quant.id, 'researcher');
            await f.iam.setMembership('alice@example.com', 'default', 'viewer');
            const listed = (await f.iam.listUsers()).find(u => u.name === 'alice@example.com')!;
            expect(listed.memberships.map(m => `${m.teamName}:${m.role}`)).toEqual(['default:viewer', 'quant:researcher']);
            expect((await f.iam.listTeams()).map(t => [t.name, t.members.map(m => `${m.userName}:${m.role}`)])).toEqual([
                ['default', ['admin:admin', 'alice@example.com:viewer']],
                ['quant', ['alice@example.com:researcher']],
            ]);
            // A token acts for one team, with the user's role there.
            const tok = await f.iam.createToken({ user: 'alice@example.com', team: 'quant', name: 'q' });
            expect(await f.iam.verify(tok.token)).toMatchObject({ teamName: 'quant', role: 'researcher' });

            const errors: [() => Promise<unknown>, new (...args: never[]) => Error, RegExp][] = [
                [() => f.iam.createUser('alice@example.com'), ConflictError, /^user alice@example\.com already exists$/],
                [() => f.iam.createUser('has space'), IamError, /^invalid user name 'has space'/],
                [() => f.iam.createUser('usr_0123456789abcdef'), IamError, /invalid user name/],
                [() => f.iam.createTeam('quant'), ConflictError, /^team quant already exists$/],
                [() => f.iam.createTeam(''), IamError, /^invalid team name ''/],
                [() => f.iam.setMembership('alice@example.com', 'quant', 'boss' as Role), IamError, /^unknown role 'boss': use one of viewer, researcher, trader, admin$/],
                [() => f.iam.setMembership('ghost', 'quant', 'viewer'), NotFoundError, /^unknown user 'ghost'/],
                [() => f.iam.disableUser('ghost'), NotFoundError, /^unknown user 'ghost'/],
            ];
            for (const [call, failureClass, msg] of errors) {
                const e = await failure<RpcError>(call());
                expect(e).toBeInstanceOf(failureClass);
                expect(e.message).toMatch(msg);
            }
        });

        it('never leaves the platform without an enabled admin', async () => {
            const f = await fixture(kind);
            const cases: [() => Promise<unknown>, RegExp][] = [
                [() => f.iam.disableUser('admin'), /^disabling admin would leave no enabled admin; make another user admin first$/],
                [() => f.iam.setMembership('admin', 'default', 'trader'), /^making admin trader in team default would leave no enabled admin/],
                [() => f.iam.removeMembership('admin', 'default'), /^removing admin from team default would leave no enabled admin/],
            ];
            for (const [call, msg] of cases) {
                const e = await failure<ConflictError>(call());
                expect(e).toBeInstanceOf(ConflictError);
                expect(e.message).toMatch(msg);
            }
            // Rolled back: admin is still admin and enabled.
            await expect(f.iam.verify(f.adminToken)).resolves.toMatchObject({ role: 'admin' });
            await member(f, 'root2', 'admin');
            await f.iam.setMembership('admin', 'default', 'viewer');
            expect((await f.iam.verify(f.adminToken)).role).toBe('viewer');
        });
    });

    describe('concurrency', () => {
        it('serialises writes: concurrent calls on one Iam all succeed or fail alone', async () => {
            const f = await fixture(kind);
            const ops: Promise<unknown>[] = [];
            for (let i = 0; i < 10; i++) {
                f.clock.now += 61_000;
                ops.push(f.iam.verify(f.adminToken), f.iam.createUser(`u${i}`), f.iam.createToken({ user: 'admin', team: 'default', name: `t${i}` }), f.iam.listTokens());
            }
            ops.push(f.iam.disableUser('admin').then(() => 'unexpected', (e: unknown) => (e instanceof ConflictError ? e.code : e)));
            const results = await Promise.allSettled(ops);
            expect(results.filter(r => r.status === 'rejected')).toEqual([]);
            expect((results.at(-1) as PromiseFulfilledResult<unknown>).value).toBe(409);
            expect((await f.iam.listUsers())).toHaveLength(11);
            expect((await f.iam.listTokens())).toHaveLength(11);
        });
    });

    describe('routeVerifiers', () => {
        it('sends af_ tokens to IAM and other credentials to another verifier (e.g. OIDC)', async () => {
            const f = await fixture(kind);
            const sso: TokenVerifier = {
                async verify(bearer) {
                    if (bearer !== 'eyJ.sso.jwt') throw new AuthError('invalid', 'invalid ID token');
                    return { userId: 'sso:alice', userName: 'alice', teamId: 'team_sso', teamName: 'quant', role: 'researcher', scopes: ['*'] };
                },
            };
            const v = routeVerifiers([{ accepts: t => f.iam.accepts(t), verifier: f.iam }, { accepts: t => t.startsWith('eyJ'), verifier: sso }]);
            expect((await v.verify(`Bearer ${f.adminToken}`)).userName).toBe('admin');
            expect((await v.verify('Bearer eyJ.sso.jwt')).userId).toBe('sso:alice');
            expect((await failure<AuthError>(v.verify('eyJ.bad'))).message).toBe('invalid ID token');
            expect((await failure<AuthError>(v.verify('something'))).reason).toBe('malformed');
            expect((await failure<AuthError>(v.verify(''))).reason).toBe('missing');
        });
    });
});

describe('verified tokens kept in memory (the embedded daemon)', () => {
    /** The store with its token lookups counted, each answered only once `gate` lets it through. */
    function counted(): { wrap: (s: SqlStore) => SqlStore; lookups: () => number; hold: () => () => void } {
        let n = 0;
        let gate: Promise<void> = Promise.resolve();
        const wrap = (s: SqlStore): SqlStore => new Proxy(s, {
            get(target, prop, receiver) {
                const v = Reflect.get(target, prop, receiver) as unknown;
                if (prop !== 'rows' || typeof v !== 'function') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
                return async (sql: string, params?: unknown[]) => {
                    const rows = await (v as (sql: string, params?: unknown[]) => Promise<unknown[]>).call(target, sql, params);
                    if (/WHERE t\.hash = \$1/.test(sql)) { // the verification's lookup
                        n++;
                        await gate;
                    }
                    return rows;
                };
            },
        });
        const hold = (): (() => void) => {
            let release!: () => void;
            gate = new Promise<void>(r => { release = r; });
            return () => { gate = Promise.resolve(); release(); };
        };
        return { wrap, lookups: () => n, hold };
    }

    it('reads a token once; any write makes the next verification read it again', async () => {
        const c = counted();
        const f = await fixtureOf('duckdb', true, c.wrap);
        const before = c.lookups();
        for (let i = 0; i < 5; i++) expect((await f.iam.verify(f.adminToken)).role).toBe('admin');
        expect(c.lookups() - before).toBe(0); // the fixture verified it already
        await f.iam.createUser('bob'); // a write of anything
        await f.iam.verify(f.adminToken);
        await f.iam.verify(f.adminToken);
        expect(c.lookups() - before).toBe(1);
    });

    it('does not keep a row read while a write commits: a revocation in between is seen by the next call', async () => {
        const c = counted();
        const f = await fixtureOf('duckdb', true, c.wrap);
        const t = await f.iam.createToken({ user: 'admin', team: 'default', name: 'raced' });
        const release = c.hold();
        const n0 = c.lookups();
        const inFlight = f.iam.verify(t.token); // reads the row before the revocation, answered after it
        await until(() => c.lookups() > n0);
        await f.iam.revokeToken(t.id, f.admin);
        release();
        expect((await inFlight).tokenId).toBe(t.id); // a call already under way completes, as any in-flight request does
        expect((await failure<AuthError>(f.iam.verify(t.token))).reason).toBe('revoked');
    });

    it('is off unless asked for: without cacheVerified every verification reads the store', async () => {
        const c = counted();
        const f = await fixtureOf('duckdb', false, c.wrap);
        const before = c.lookups();
        for (let i = 0; i < 3; i++) await f.iam.verify(f.adminToken);
        expect(c.lookups() - before).toBe(3);
    });
});

/** Waits (polling the event loop, bounded) until `ok()`. */
async function until(ok: () => boolean): Promise<void> {
    for (let i = 0; i < 1000 && !ok(); i++) await new Promise(r => setTimeout(r, 5));
    if (!ok()) throw new Error('gave up waiting');
}
