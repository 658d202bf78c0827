/**
 * IAM over the embedded store: users, teams, per-team roles (memberships) and API tokens.
 *
 * Tokens are `af_` + an 8-character public prefix + a 256-bit random secret (base64url). Only the
 * SHA-256 of the whole token is stored; the plaintext is returned once, by createToken (or
 * written once, by bootstrap, to `<state dir>/admin.token` with mode 0600). Verification hashes
 * the presented token and looks the hash up: with 256 bits of entropy a fast hash is enough, and
 * a lookup by hash leaks nothing through timing about the secret.
 *
 * Give an Iam its own DataStore (its own connection): DataStore.transaction is per connection,
 * and the writes of this class are serialised among themselves only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listValue } from '@duckdb/node-api';
import { type SqlStore } from '../store/sql-store.js';
import { authorize, normaliseScopes, scopeCovers } from './authorize.js';
import { AuthError, ForbiddenError, IamError } from './errors.js';
import { ConflictError, NotFoundError } from '../../../protocol/src/errors.js';
import { ROLES, type Role, isRole } from '../../../protocol/src/roles.js';
import { type CredentialChange, type CredentialChanges, type Principal, type TokenVerifier, bearerToken } from './verifier.js';

/** The file bootstrap writes the first admin token to, in the state directory. */
export const ADMIN_TOKEN_FILE = 'admin.token';
export const BOOTSTRAP_USER = 'admin';
export const BOOTSTRAP_TEAM = 'default';
/** last_used_at is written at most this often per token. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const TOKEN_PREFIX = 'af_';
const PREFIX_CHARS = 8;
const SECRET_BYTES = 32;
/** af_ + 8-character prefix + 43-character base64url secret. */
const TOKEN_RE = /^af_[A-Za-z0-9_-]{51}$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
const ID_RE = /^(usr|team|tok)_[0-9a-f]{16}$/;

export interface IamOptions {
    /** The clock, in ms since the epoch (tests move it to expire tokens). */
    now?: () => number;
    /**
     * Keep the rows of verified tokens in memory, dropped by every write of this Iam. Only for an Iam
     * that is the one writer of its store's credentials: the embedded daemon, whose DuckDB file is
     * its own (there a verification is a 4-table join of ≈ 8 ms of CPU on every call). Daemons that
     * share a PostgreSQL control plane must not: another daemon's revocation would not drop it.
     */
    cacheVerified?: boolean;
}

/** Verified tokens' rows kept at most (by token hash; the oldest dropped first). */
const VERIFIED_MAX = 1024;

export interface MembershipInfo {
    readonly userId: string;
    readonly userName: string;
    readonly teamId: string;
    readonly teamName: string;
    readonly role: Role;
}

export interface UserInfo {
    readonly id: string;
    readonly name: string;
    readonly createdAt: string;
    readonly disabled: boolean;
    readonly memberships: readonly { readonly teamId: string; readonly teamName: string; readonly role: Role }[];
}

export interface TeamInfo {
    readonly id: string;
    readonly name: string;
    readonly createdAt: string;
    readonly members: readonly { readonly userId: string; readonly userName: string; readonly role: Role }[];
}

export type TokenState = 'active' | 'expired' | 'revoked';

/** A token as listed: never its secret nor its hash. Times are ISO 8601 UTC. */
export interface TokenInfo {
    readonly id: string;
    /** The public part after `af_`: the token reads `af_<prefix>…`. */
    readonly prefix: string;
    readonly name: string;
    readonly userId: string;
    readonly userName: string;
    readonly teamId: string;
    readonly teamName: string;
    readonly scopes: readonly string[];
    readonly createdAt: string;
    readonly createdBy: string | null;
    readonly expiresAt: string | null;
    readonly revokedAt: string | null;
    readonly lastUsedAt: string | null;
    readonly state: TokenState;
}

export interface CreateTokenOptions {
    /** User id or name. */
    readonly user: string;
    /** Team id or name: the token acts for this team, with the user's role there. */
    readonly team: string;
    /** A label for listings ("laptop", "ci"). */
    readonly name: string;
    /** Method namespaces ('runs', 'data'), method names, or '*' (the default). */
    readonly scopes?: readonly string[];
    /** Lifetime in ms; none = never expires. */
    readonly ttlMs?: number;
}

/** The plaintext `token` is returned here once and stored nowhere. */
export interface CreatedToken {
    readonly id: string;
    readonly token: string;
    readonly prefix: string;
    readonly expiresAt: string | null;
}

export interface BootstrapResult {
    /** False when the database already had users: nothing was changed or written. */
    readonly created: boolean;
    /** `<state dir>/admin.token`. */
    readonly file: string;
    /** The admin token (also in `file`), when created. */
    readonly token?: string;
    readonly tokenId?: string;
}

export interface TokenFilter {
    /** User id or name. */
    readonly user?: string;
    /** Team id or name. */
    readonly team?: string;
}

interface UserRow { id: string; name: string; disabled: boolean }
interface TeamRow { id: string; name: string }

function newId(kind: 'usr' | 'team' | 'tok'): string {
    return `${kind}_${randomBytes(8).toString('hex')}`;
}

export function hashToken(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
}

function iso(ms: unknown): string | null {
    return ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();
}

/** A valid local user name for an identity-provider user: the claim's value, other characters → `-`. */
function externalName(claim: string, issuer: string): string {
    const clean = claim.replace(/[^A-Za-z0-9._@+-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
    return clean && !ID_RE.test(clean) ? clean : qualifiedName('user', issuer);
}

/** `name@<issuer host>`, for a name a local user already has. */
function qualifiedName(name: string, issuer: string): string {
    let host = 'idp';
    try { host = new URL(issuer).hostname || host; } catch { /* the issuer was validated as a URL */ }
    return `${name.slice(0, 63 - host.length)}@${host}`.slice(0, 64);
}

/** The public, loggable form of a presented token: `af_<prefix>…`. */
function shown(token: string): string {
    return `${token.slice(0, TOKEN_PREFIX.length + PREFIX_CHARS)}…`;
}

function checkName(kind: 'user' | 'team', name: string): string {
    const n = String(name ?? '').trim();
    if (!NAME_RE.test(n) || ID_RE.test(n)) {
        throw new IamError(`invalid ${kind} name '${name}': use 1–64 letters, digits or . _ @ + - starting with a letter or digit`);
    }
    return n;
}

function checkRole(role: string): Role {
    if (!isRole(role)) throw new IamError(`unknown role '${role}': use one of ${ROLES.join(', ')}`);
    return role;
}

/** Throws ForbiddenError unless a token expiring at `expires` (null: never) ends no later than `actor`'s credential. */
function checkOutlives(actor: Principal, expires: number | null, now: number): void {
    if (actor.expiresAt === undefined || actor.expiresAt === null) return;
    const limit = Date.parse(actor.expiresAt);
    if (expires !== null && expires <= limit) return;
    const left = Math.max(0, limit - now);
    const which = actor.tokenId ? `token ${actor.tokenId}` : 'this credential';
    throw new ForbiddenError('createToken',
        `${which} expires at ${actor.expiresAt}, so it cannot create a token that ${expires === null ? 'never expires' : `expires later (${new Date(expires).toISOString()})`}; give ttlMs ≤ ${left}, or create it with a credential that lives longer`);
}

function writeSecretFile(file: string, text: string): void {
    let fd: number;
    try {
        fd = openSync(file, 'wx', 0o600);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ConflictError(`${file} already exists; it is never overwritten: delete it to bootstrap a new admin token`);
        throw new IamError(`cannot write ${file}: ${(e as Error).message}`);
    }
    try {
        fchmodSync(fd, 0o600); // whatever the umask
        writeSync(fd, text);
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
}

export class Iam implements TokenVerifier, CredentialChanges {
    private readonly now: () => number;
    private queue: Promise<unknown> = Promise.resolve();
    private readonly listeners = new Set<(change: CredentialChange) => void>();
    /** Rows of verified tokens by hash (options.cacheVerified), emptied whenever a write starts or ends. */
    private readonly verified: Map<string, Record<string, unknown>> | undefined;
    /** Bumped when a write starts and when it ends: a row read across either is not kept. */
    private generation = 0;
    private writing = false;

    constructor(private readonly store: SqlStore, options: IamOptions = {}) {
        this.now = options.now ?? Date.now;
        this.verified = options.cacheVerified ? new Map() : undefined;
    }

    /** Calls `listener` after every committed change that may end or narrow live sessions (see CredentialChange). */
    onChange(listener: (change: CredentialChange) => void): () => void {
        this.listeners.add(listener);
        return () => { this.listeners.delete(listener); };
    }

    /** Tells the listeners; a listener's failure is its own (the change is committed). */
    private changed(change: CredentialChange): void {
        for (const l of [...this.listeners]) {
            try {
                l(change);
            } catch {
                // The gateway's sessions still re-verify periodically.
            }
        }
    }

    /** Runs `fn` after every earlier write of this Iam, in one transaction. */
    private write<T>(fn: () => Promise<T>): Promise<T> {
        const result = this.queue.then(async () => {
            this.forgetVerified(true);
            try {
                return await this.store.transaction(fn);
            } finally {
                this.forgetVerified(false);
            }
        });
        this.queue = result.catch(() => undefined);
        return result;
    }

    private forgetVerified(writing: boolean): void {
        this.writing = writing;
        this.generation++;
        this.verified?.clear();
    }

    // ---- bootstrap ---------------------------------------------------------------------------

    /**
     * On a database without users: creates user `admin`, team `default`, makes admin an admin of
     * it and writes a new admin token (scope '*', no expiry) to `<stateDir>/admin.token`, mode 0600.
     * With users already there it changes nothing. It never overwrites the file: a stale one next
     * to an empty database is an error that says to delete it.
     */
    async bootstrap(stateDir: string): Promise<BootstrapResult> {
        const dir = resolve(stateDir);
        const file = join(dir, ADMIN_TOKEN_FILE);
        let wrote = false;
        try {
            return await this.write(async () => {
                if (Number(await this.store.scalar('SELECT count(*)::DOUBLE FROM users')) > 0) return { created: false, file };
                if (existsSync(file)) {
                    throw new ConflictError(`${file} exists but the database has no users, so it holds a token of another database; delete it and start again to bootstrap a new admin token`);
                }
                const now = this.now();
                const userId = newId('usr');
                await this.store.run('INSERT INTO users (id, name, created_at, disabled) VALUES ($1, $2, epoch_ms($3::BIGINT), false)', [userId, BOOTSTRAP_USER, now]);
                const team = await this.findTeam(BOOTSTRAP_TEAM) ?? await this.insertTeam(BOOTSTRAP_TEAM, now);
                await this.store.run('INSERT INTO memberships (user_id, team_id, role) VALUES ($1, $2, $3)', [userId, team.id, 'admin']);
                const created = await this.insertToken(userId, team.id, 'bootstrap', ['*'], now, null, null);
                mkdirSync(dir, { recursive: true });
                writeSecretFile(file, `${created.token}\n`);
                wrote = true;
                return { created: true, file, token: created.token, tokenId: created.id };
            });
        } catch (e) {
            // The transaction rolled back: a file naming a token that does not exist must not stay.
            if (wrote) rmSync(file, { force: true });
            throw e;
        }
    }

    // ---- users and teams -----------------------------------------------------------------------

    async createUser(name: string): Promise<UserInfo> {
        const n = checkName('user', name);
        return this.write(async () => {
            if (await this.findUser(n)) throw new ConflictError(`user ${n} already exists`);
            const id = newId('usr');
            await this.store.run('INSERT INTO users (id, name, created_at, disabled) VALUES ($1, $2, epoch_ms($3::BIGINT), false)', [id, n, this.now()]);
            return this.userInfo(id);
        });
    }

    /** Disables a user: their tokens stop verifying at once. Refused for the last enabled admin. */
    async disableUser(user: string): Promise<UserInfo> {
        const info = await this.write(async () => {
            const u = await this.requireUser(user);
            await this.store.run('UPDATE users SET disabled = true WHERE id = $1', [u.id]);
            await this.requireAnAdmin(`disabling ${u.name}`);
            return this.userInfo(u.id);
        });
        this.changed({ kind: 'user-disabled', userId: info.id });
        return info;
    }

    async enableUser(user: string): Promise<UserInfo> {
        return this.write(async () => {
            const u = await this.requireUser(user);
            await this.store.run('UPDATE users SET disabled = false WHERE id = $1', [u.id]);
            return this.userInfo(u.id);
        });
    }

    /**
     * The local user an identity provider's subject is, created on first sight (name: `name`, or
     * `name@<issuer host>` and then a counter when a local user already has it). The binding is
     * by (issuer, subject) only: a display name never selects an existing user.
     */
    async externalUser(issuer: string, subject: string, name: string): Promise<{ readonly id: string; readonly name: string; readonly disabled: boolean }> {
        const bound = async (): Promise<UserRow | undefined> => {
            const r = (await this.store.rows(`SELECT u.id, u.name, u.disabled FROM external_identities x JOIN users u ON u.id = x.user_id
                WHERE x.issuer = $1 AND x.subject = $2`, [issuer, subject]))[0];
            return r && { id: String(r.id), name: String(r.name), disabled: Boolean(r.disabled) };
        };
        const known = await bound();
        if (known) return known;
        return this.write(async () => {
            const again = await bound(); // another request may have provisioned it meanwhile
            if (again) return again;
            let n = externalName(name, issuer);
            if (await this.findUser(n)) n = qualifiedName(n, issuer);
            const base = n;
            for (let i = 2; await this.findUser(n); i++) n = `${base.slice(0, 58)}-${i}`;
            const id = newId('usr');
            const now = this.now();
            await this.store.run('INSERT INTO users (id, name, created_at, disabled) VALUES ($1, $2, epoch_ms($3::BIGINT), false)', [id, n, now]);
            await this.store.run('INSERT INTO external_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, epoch_ms($4::BIGINT))', [issuer, subject, id, now]);
            return { id, name: n, disabled: false };
        });
    }

    /** A team's id and name, or undefined. */
    async team(ref: string): Promise<{ readonly id: string; readonly name: string } | undefined> {
        return this.findTeam(ref);
    }

    async listUsers(): Promise<UserInfo[]> {
        const users = await this.store.rows('SELECT id, name, epoch_ms(created_at)::DOUBLE AS created, disabled FROM users ORDER BY name');
        const members = await this.memberships();
        return users.map(r => ({
            id: String(r.id), name: String(r.name), createdAt: iso(r.created)!, disabled: Boolean(r.disabled),
            memberships: members.filter(m => m.userId === r.id).map(m => ({ teamId: m.teamId, teamName: m.teamName, role: m.role })),
        }));
    }

    async createTeam(name: string): Promise<TeamInfo> {
        const n = checkName('team', name);
        return this.write(async () => {
            if (await this.findTeam(n)) throw new ConflictError(`team ${n} already exists`);
            const t = await this.insertTeam(n, this.now());
            return (await this.teamInfos(t.id))[0]!;
        });
    }

    async listTeams(): Promise<TeamInfo[]> {
        return this.teamInfos();
    }

    /** Gives `user` `role` in `team` (adds or changes the membership). Refused when it would demote the last admin. */
    async setMembership(user: string, team: string, role: Role): Promise<MembershipInfo> {
        const r = checkRole(role);
        const m = await this.write(async (): Promise<MembershipInfo> => {
            const u = await this.requireUser(user);
            const t = await this.requireTeam(team);
            await this.store.run(`INSERT INTO memberships (user_id, team_id, role) VALUES ($1, $2, $3)
                ON CONFLICT (user_id, team_id) DO UPDATE SET role = excluded.role`, [u.id, t.id, r]);
            await this.requireAnAdmin(`making ${u.name} ${r} in team ${t.name}`);
            return { userId: u.id, userName: u.name, teamId: t.id, teamName: t.name, role: r };
        });
        this.changed({ kind: 'membership-changed', userId: m.userId, teamId: m.teamId, role: m.role });
        return m;
    }

    /** Removes `user` from `team` (their tokens for that team stop verifying). False when they were not a member. */
    async removeMembership(user: string, team: string): Promise<boolean> {
        const r = await this.write(async () => {
            const u = await this.requireUser(user);
            const t = await this.requireTeam(team);
            const removed = await this.store.run('DELETE FROM memberships WHERE user_id = $1 AND team_id = $2', [u.id, t.id]);
            await this.requireAnAdmin(`removing ${u.name} from team ${t.name}`);
            return { removed: removed > 0, userId: u.id, teamId: t.id };
        });
        if (r.removed) this.changed({ kind: 'membership-changed', userId: r.userId, teamId: r.teamId, role: null });
        return r.removed;
    }

    // ---- tokens --------------------------------------------------------------------------------

    /**
     * Issues a token for `user` acting in `team` (where the user must be a member). Without an
     * `actor` the caller is trusted (local operator). With one — whatever its role, admins
     * included — the new token is never wider than the credential that creates it:
     * - scopes within the actor's scopes;
     * - an expiry no later than the actor's: an expiring credential cannot create a token that
     *   never expires, nor one that outlives it. Refused rather than silently capped, so that
     *   nobody holds a token that dies earlier than they asked for without knowing it;
     * - a non-admin creates tokens only for themselves, in a team they belong to (an unknown team
     *   and another team are refused alike, so team names cannot be probed); the token acts with
     *   their own role there, as every token does.
     */
    async createToken(options: CreateTokenOptions, actor?: Principal): Promise<CreatedToken> {
        const name = String(options.name ?? '').trim();
        if (!name || name.length > 100 || /[\r\n]/.test(name)) throw new IamError(`invalid token name '${options.name}': give a one-line label of 1–100 characters (e.g. "laptop" or "ci")`);
        const scopes = normaliseScopes(options.scopes);
        const ttl = options.ttlMs;
        if (ttl !== undefined && !(Number.isSafeInteger(ttl) && ttl > 0)) throw new IamError(`invalid token lifetime ${ttl} ms: give a positive whole number of milliseconds, or none for a token that does not expire`);
        return this.write(async () => {
            const now = this.now();
            const expires = ttl === undefined ? null : now + ttl;
            const found = await this.findUser(options.user);
            // Checked before "unknown user": a non-admin cannot probe user names either.
            if (actor && actor.role !== 'admin' && actor.userId !== found?.id) {
                throw new ForbiddenError('createToken', `only an admin may create tokens for another user: ${actor.userName} holds ${actor.role} in team ${actor.teamName}`, { needed: 'admin', held: actor.role });
            }
            const u = found ?? await this.requireUser(options.user);
            if (actor) {
                const wider = scopes.find(s => !scopeCovers(actor.scopes, s));
                if (wider !== undefined) {
                    throw new ForbiddenError('createToken', `a credential scoped ${actor.scopes.join(', ')} cannot create a token with scope '${wider}'; use a token with a wider scope`, { missingScope: wider });
                }
                checkOutlives(actor, expires, now);
                if (actor.role !== 'admin') {
                    const t = await this.findTeam(options.team);
                    if (!t || !await this.role(u.id, t.id)) {
                        throw new ForbiddenError('createToken', `${actor.userName} is not a member of team '${options.team}': a token acts for a team its user belongs to; ask a team admin to add you`, { held: actor.role });
                    }
                }
            }
            const t = await this.requireTeam(options.team);
            if (u.disabled) throw new ConflictError(`user ${u.name} is disabled; enable the user before creating tokens`);
            if (!await this.role(u.id, t.id)) throw new ConflictError(`user ${u.name} is not a member of team ${t.name}; add them first (role viewer, researcher, trader or admin)`);
            return this.insertToken(u.id, t.id, name, scopes, now, expires, actor?.userId ?? null);
        });
    }

    /**
     * Tokens, newest first, never with secrets or hashes. With a non-admin `actor`, only the
     * actor's own tokens (asking for another user's is forbidden).
     */
    async listTokens(filter: TokenFilter = {}, actor?: Principal): Promise<TokenInfo[]> {
        let userId = filter.user === undefined ? undefined : (await this.requireUser(filter.user)).id;
        const teamId = filter.team === undefined ? undefined : (await this.requireTeam(filter.team)).id;
        if (actor && actor.role !== 'admin') {
            if (userId !== undefined && userId !== actor.userId) {
                throw new ForbiddenError('listTokens', `only an admin may list another user's tokens: ${actor.userName} holds ${actor.role} in team ${actor.teamName}`, { needed: 'admin', held: actor.role });
            }
            userId = actor.userId;
        }
        return this.tokenInfos({ userId, teamId });
    }

    /**
     * Revokes a token at once. Users may revoke their own tokens; admins anyone's (`actor` null:
     * a trusted local operator). Revoking a revoked token changes nothing and returns it.
     */
    async revokeToken(id: string, actor: Principal | null): Promise<TokenInfo> {
        return this.write(async (): Promise<{ info: TokenInfo; revokedNow: boolean }> => {
            const info = (await this.tokenInfos({ id }))[0];
            if (!info) throw new NotFoundError(`unknown token ${id}; list tokens with \`af token ls\``);
            if (actor && actor.userId !== info.userId && actor.role !== 'admin') {
                throw new ForbiddenError('revokeToken', `only an admin may revoke another user's token: ${actor.userName} holds ${actor.role} in team ${actor.teamName}`, { needed: 'admin', held: actor.role });
            }
            if (info.revokedAt) return { info, revokedNow: false };
            await this.store.run('UPDATE tokens SET revoked_at = epoch_ms($2::BIGINT) WHERE id = $1', [info.id, this.now()]);
            return { info: (await this.tokenInfos({ id: info.id }))[0]!, revokedNow: true };
        }).then(r => {
            if (r.revokedNow) this.changed({ kind: 'token-revoked', tokenId: r.info.id });
            return r.info;
        });
    }

    // ---- verification and authorisation ---------------------------------------------------------

    /** True for credentials that look like AlphaForge API tokens (for routeVerifiers). */
    accepts(token: string): boolean {
        return token.startsWith(TOKEN_PREFIX);
    }

    /**
     * The principal of an API token (or `Bearer <token>`), with the user's current role in the
     * token's team. Rejects with AuthError when the token is missing, malformed, unknown, revoked
     * or expired, its user disabled, or no longer a member of its team.
     */
    async verify(bearer: string): Promise<Principal> {
        const token = bearerToken(bearer);
        if (!TOKEN_RE.test(token)) {
            throw new AuthError('malformed', `malformed API token: AlphaForge tokens are af_ followed by 51 letters, digits, - or _; check that it was copied whole`);
        }
        const hash = hashToken(token);
        const r = this.verified?.get(hash) ?? await this.tokenRow(hash);
        if (!r) throw new AuthError('unknown', `unknown API token ${shown(token)}: it was not issued by this daemon or was deleted; create one with \`af token create\``);
        const label = `API token af_${String(r.prefix)}… (${String(r.name)})`;
        const now = this.now();
        if (r.revoked !== null) throw new AuthError('revoked', `${label} was revoked at ${iso(r.revoked)}; create a new one with \`af token create\``);
        if (r.expires !== null && now >= Number(r.expires)) throw new AuthError('expired', `${label} expired at ${iso(r.expires)}; create a new one with \`af token create\``);
        if (r.disabled) throw new AuthError('disabled', `user ${String(r.user_name)} is disabled; ask an admin to enable the user`);
        if (!isRole(r.role)) throw new AuthError('no-membership', `user ${String(r.user_name)} is no longer a member of team ${String(r.team_name)}, which ${label} acts for; ask an admin to add them back, or use a token of another team`);
        if (r.last_used === null || now - Number(r.last_used) >= LAST_USED_RESOLUTION_MS) {
            try {
                await this.store.run('UPDATE tokens SET last_used_at = epoch_ms($2::BIGINT) WHERE id = $1', [r.id as string, now]);
                r.last_used = now; // a kept row too: last use is recorded once a minute either way
            } catch {
                // Best effort: a lost last-used time must not refuse a valid token.
            }
        }
        return {
            userId: String(r.user_id), userName: String(r.user_name), teamId: String(r.team_id), teamName: String(r.team_name),
            role: r.role, tokenId: String(r.id), scopes: (r.scopes as unknown[]).map(String), expiresAt: iso(r.expires),
        };
    }

    /** The token's row with its user, team and role, kept (cacheVerified) unless a write started or ended meanwhile. */
    private async tokenRow(hash: string): Promise<Record<string, unknown> | undefined> {
        const generation = this.generation;
        const r = (await this.store.rows(`SELECT t.id, t.prefix, t.name, t.user_id, t.team_id, t.scopes,
                epoch_ms(t.expires_at)::DOUBLE AS expires, epoch_ms(t.revoked_at)::DOUBLE AS revoked, epoch_ms(t.last_used_at)::DOUBLE AS last_used,
                u.name AS user_name, u.disabled, tm.name AS team_name, m.role
            FROM tokens t JOIN users u ON u.id = t.user_id JOIN teams tm ON tm.id = t.team_id
            LEFT JOIN memberships m ON m.user_id = t.user_id AND m.team_id = t.team_id
            WHERE t.hash = $1`, [hash]))[0];
        if (r && this.verified && !this.writing && generation === this.generation) {
            if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
            this.verified.set(hash, r);
        }
        return r;
    }

    /** Throws ForbiddenError unless `principal` holds `requiredRole` and a scope covering `method` (see authorize.ts). */
    authorize(principal: Principal, method: string, requiredRole: Role): void {
        authorize(principal, method, requiredRole);
    }

    // ---- internals -----------------------------------------------------------------------------

    private async insertToken(userId: string, teamId: string, name: string, scopes: readonly string[], now: number, expires: number | null, createdBy: string | null): Promise<CreatedToken> {
        const id = newId('tok');
        const prefix = randomBytes(6).toString('base64url'); // 8 characters
        const token = `${TOKEN_PREFIX}${prefix}${randomBytes(SECRET_BYTES).toString('base64url')}`;
        await this.store.run(`INSERT INTO tokens (id, prefix, hash, user_id, team_id, name, scopes, created_at, created_by, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, epoch_ms($8::BIGINT), $9, epoch_ms($10::BIGINT))`,
        [id, prefix, hashToken(token), userId, teamId, name, listValue([...scopes]), now, createdBy, expires]);
        return { id, token, prefix, expiresAt: iso(expires) };
    }

    private async insertTeam(name: string, now: number): Promise<TeamRow> {
        const id = newId('team');
        await this.store.run('INSERT INTO teams (id, name, created_at) VALUES ($1, $2, epoch_ms($3::BIGINT))', [id, name, now]);
        return { id, name };
    }

    /** By id or name. */
    private async findUser(ref: string): Promise<UserRow | undefined> {
        const r = (await this.store.rows('SELECT id, name, disabled FROM users WHERE id = $1 OR name = $1', [String(ref)]))[0];
        return r && { id: String(r.id), name: String(r.name), disabled: Boolean(r.disabled) };
    }

    private async requireUser(ref: string): Promise<UserRow> {
        const u = await this.findUser(ref);
        if (!u) throw new NotFoundError(`unknown user '${ref}'; list users with \`af user ls\``);
        return u;
    }

    private async findTeam(ref: string): Promise<TeamRow | undefined> {
        const r = (await this.store.rows('SELECT id, name FROM teams WHERE id = $1 OR name = $1', [String(ref)]))[0];
        return r && { id: String(r.id), name: String(r.name) };
    }

    private async requireTeam(ref: string): Promise<TeamRow> {
        const t = await this.findTeam(ref);
        if (!t) throw new NotFoundError(`unknown team '${ref}'; list teams with \`af team ls\``);
        return t;
    }

    private async role(userId: string, teamId: string): Promise<Role | undefined> {
        const r = await this.store.scalar('SELECT role FROM memberships WHERE user_id = $1 AND team_id = $2', [userId, teamId]);
        return isRole(r) ? r : undefined;
    }

    /** Inside a write: throws (rolling the change back) when no enabled user is an admin any more. */
    private async requireAnAdmin(change: string): Promise<void> {
        const admins = Number(await this.store.scalar(`SELECT count(DISTINCT u.id)::DOUBLE FROM users u JOIN memberships m ON m.user_id = u.id
            WHERE m.role = 'admin' AND NOT u.disabled`));
        if (admins === 0) throw new ConflictError(`${change} would leave no enabled admin; make another user admin first`);
    }

    private async memberships(): Promise<MembershipInfo[]> {
        const rows = await this.store.rows(`SELECT m.user_id, u.name AS user_name, m.team_id, t.name AS team_name, m.role
            FROM memberships m JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id ORDER BY t.name, u.name`);
        return rows.map(r => ({ userId: String(r.user_id), userName: String(r.user_name), teamId: String(r.team_id), teamName: String(r.team_name), role: r.role as Role }));
    }

    private async userInfo(id: string): Promise<UserInfo> {
        return (await this.listUsers()).find(u => u.id === id)!;
    }

    private async teamInfos(id?: string): Promise<TeamInfo[]> {
        const teams = await this.store.rows(`SELECT id, name, epoch_ms(created_at)::DOUBLE AS created FROM teams
            WHERE $1::VARCHAR IS NULL OR id = $1 ORDER BY name`, [id ?? null]);
        const members = await this.memberships();
        return teams.map(r => ({
            id: String(r.id), name: String(r.name), createdAt: iso(r.created)!,
            members: members.filter(m => m.teamId === r.id).map(m => ({ userId: m.userId, userName: m.userName, role: m.role })),
        }));
    }

    /** The one query that reads tokens for output: it selects no hash. */
    private async tokenInfos(where: { id?: string; userId?: string; teamId?: string }): Promise<TokenInfo[]> {
        const rows = await this.store.rows(`SELECT t.id, t.prefix, t.name, t.user_id, u.name AS user_name, t.team_id, tm.name AS team_name, t.scopes, t.created_by,
                epoch_ms(t.created_at)::DOUBLE AS created, epoch_ms(t.expires_at)::DOUBLE AS expires,
                epoch_ms(t.revoked_at)::DOUBLE AS revoked, epoch_ms(t.last_used_at)::DOUBLE AS last_used
            FROM tokens t JOIN users u ON u.id = t.user_id JOIN teams tm ON tm.id = t.team_id
            WHERE ($1::VARCHAR IS NULL OR t.id = $1) AND ($2::VARCHAR IS NULL OR t.user_id = $2) AND ($3::VARCHAR IS NULL OR t.team_id = $3)
            ORDER BY t.created_at DESC, t.id`, [where.id ?? null, where.userId ?? null, where.teamId ?? null]);
        const now = this.now();
        return rows.map(r => ({
            id: String(r.id), prefix: String(r.prefix), name: String(r.name),
            userId: String(r.user_id), userName: String(r.user_name), teamId: String(r.team_id), teamName: String(r.team_name),
            scopes: (r.scopes as unknown[]).map(String),
            createdAt: iso(r.created)!, createdBy: r.created_by === null ? null : String(r.created_by),
            expiresAt: iso(r.expires), revokedAt: iso(r.revoked), lastUsedAt: iso(r.last_used),
            state: r.revoked !== null ? 'revoked' : r.expires !== null && now >= Number(r.expires) ? 'expired' : 'active',
        }));
    }
}
