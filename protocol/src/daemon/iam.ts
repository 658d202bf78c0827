/**
 * Identity and access (iam.*: whoami, tokens, users, teams, memberships) and the audit log (audit.list).
 */
import * as z from 'zod';
import { method } from './method.js';
import { Count, EmptyParams, Id, IsoTime, Name, PrincipalSchema } from './fields.js';
import { RoleSchema } from '../roles.js';

export const TokenInfoSchema = z.object({
    id: z.string(),
    prefix: z.string(),
    name: z.string(),
    userId: z.string(),
    userName: z.string(),
    teamId: z.string(),
    teamName: z.string(),
    scopes: z.array(z.string()),
    createdAt: IsoTime,
    createdBy: z.string().nullable(),
    expiresAt: IsoTime.nullable(),
    revokedAt: IsoTime.nullable(),
    lastUsedAt: IsoTime.nullable(),
    state: z.enum(['active', 'expired', 'revoked']),
});
export const UserInfoSchema = z.object({
    id: z.string(),
    name: z.string(),
    createdAt: IsoTime,
    disabled: z.boolean(),
    memberships: z.array(z.object({ teamId: z.string(), teamName: z.string(), role: RoleSchema })),
});
export const TeamInfoSchema = z.object({
    id: z.string(),
    name: z.string(),
    createdAt: IsoTime,
    members: z.array(z.object({ userId: z.string(), userName: z.string(), role: RoleSchema })),
});
// ---- audit

/** How an audited actor reached the daemon: a transport of the gateway, the local CLI, or the daemon itself. */
export const AUDIT_TRANSPORTS = ['http', 'ws', 'grpc', 'cli', 'daemon'] as const;
export const AuditValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()]))]);

/**
 * One line of `<state dir>/logs/audit.log`: who did what to what, and how it ended. Never a
 * secret, a source text or an error message (they may quote what they should not): ids,
 * names and counts only.
 */
export const AuditRecordSchema = z.object({
    time: IsoTime,
    actor: z.object({
        user: z.string().optional(),
        userId: z.string().optional(),
        team: z.string().optional(),
        teamId: z.string().optional(),
        role: RoleSchema.optional(),
        token: z.string().optional().describe('The token id (tok_…) of an authenticated caller, or the public part (af_XXXXXXXX…) of a refused token'),
        address: z.string().optional().describe('Remote address of the connection'),
        transport: z.enum(AUDIT_TRANSPORTS),
    }),
    method: z.string().describe('The RPC method, or auth (a refused credential), events.subscribe, daemon.start, daemon.stop, daemon.recover, cli.data.import, cli.data.export'),
    target: z.record(z.string(), AuditValue).describe('Ids, names and counts from the params and the result'),
    result: z.enum(['ok', 'error']),
    code: z.number().int().optional().describe('The error code (401, 403, 429, -32602, …) when result is error'),
    reason: z.string().optional().describe('Why a credential was refused: missing, malformed, unknown, expired, revoked, disabled, no-membership'),
    requestId: z.string().optional(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

export const MembershipSchema = z.object({ userId: z.string(), userName: z.string(), teamId: z.string(), teamName: z.string(), role: RoleSchema });
export const Scope = z.string().min(1).max(128);
export const UserRef = z.string().min(1).max(128).describe('user id or name');
export const TeamRef = z.string().min(1).max(128).describe('team id or name');


export const IAM_METHODS = {
    'iam.whoami': method('viewer', 'The caller as the daemon sees it: user, team, role, token scopes.',
        EmptyParams,
        z.object({ principal: PrincipalSchema })),
    'iam.tokens.create': method('viewer', 'Create an API token (shown once). Non-admins create tokens for themselves only, never wider-scoped than their own.',
        z.strictObject({
            name: z.string().min(1).max(100),
            scopes: z.array(Scope).min(1).max(64).optional().describe('default ["*"]'),
            ttlMs: z.number().int().positive().optional().describe('lifetime; none = never expires'),
            user: UserRef.optional().describe('default: the caller'),
            team: TeamRef.optional().describe('default: the caller\'s team'),
        }),
        z.object({ id: z.string(), token: z.string().describe('The secret: shown this once, stored nowhere'), prefix: z.string(), expiresAt: IsoTime.nullable() })),
    'iam.tokens.list': method('viewer', 'Tokens (never secrets), newest first: one\'s own, or anyone\'s for admins.',
        z.strictObject({ user: UserRef.optional(), team: TeamRef.optional() }),
        z.object({ tokens: z.array(TokenInfoSchema) })),
    'iam.tokens.revoke': method('viewer', 'Revoke a token at once (one\'s own, or anyone\'s for admins).',
        z.strictObject({ id: Id }),
        z.object({ token: TokenInfoSchema })),
    'iam.users.create': method('admin', 'Create a user (then add them to a team with iam.members.set).',
        z.strictObject({ name: Name }),
        z.object({ user: UserInfoSchema })),
    'iam.users.list': method('admin', 'Every user with their memberships.',
        EmptyParams,
        z.object({ users: z.array(UserInfoSchema) })),
    'iam.users.disable': method('admin', 'Disable a user: their tokens stop working at once.',
        z.strictObject({ user: UserRef }),
        z.object({ user: UserInfoSchema })),
    'iam.users.enable': method('admin', 'Enable a disabled user again.',
        z.strictObject({ user: UserRef }),
        z.object({ user: UserInfoSchema })),
    'iam.teams.create': method('admin', 'Create a team.',
        z.strictObject({ name: Name }),
        z.object({ team: TeamInfoSchema })),
    'iam.teams.list': method('admin', 'Every team with its members.',
        EmptyParams,
        z.object({ teams: z.array(TeamInfoSchema) })),
    'iam.members.set': method('admin', 'Give a user a role in a team, or remove them from it (role null).',
        z.strictObject({ user: UserRef, team: TeamRef, role: RoleSchema.nullable() }),
        z.object({ membership: MembershipSchema.nullable().describe('null when removed') })),

    'audit.list': method('admin', 'Records of the audit log (IAM changes, refused credentials and calls, imports, exports, promotions, cancellations, daemon start, stop and crash recovery), oldest first: the last `limit` that match.',
        z.strictObject({
            since: z.string().min(1).max(40).optional().describe('an ISO time or a duration back from now: 30s, 15m, 2h, 1d'),
            actor: z.string().min(1).max(128).optional().describe('user name or id, token id or prefix, or address'),
            method: z.string().min(1).max(128).optional().describe('method prefix, e.g. iam. or data.import'),
            limit: z.number().int().min(1).max(10_000).default(100),
        }),
        z.object({ records: z.array(AuditRecordSchema), matched: Count.describe('Records that match, before `limit`') })),
} as const;
