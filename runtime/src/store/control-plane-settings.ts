/**
 * The `controlPlane` section of the configuration (team mode): where users, tokens, runs and their
 * events, experiments, the registry, the ledger, orders and deployments live. Without it (the
 * embedded default) they stay in the daemon's DuckDB file. With `kind: 'postgres'` every daemon
 * given the same section shares them, so several daemons can serve one team. Apart from the
 * PostgreSQL code so that reading the configuration loads no client. The password is never in the
 * file when `passwordEnv` is used: it names the environment variable that holds it.
 */
import { z } from 'zod';

/** A PostgreSQL schema name we accept: lower-case letters, digits, underscores (it goes into SQL unquoted). */
export const PG_SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

const HOST_RE = /^[A-Za-z0-9._-]{1,253}$|^\[[0-9A-Fa-f:.]+\]$/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;

/** `takeoverMs`: the default, and the bounds a config file may give (ms). */
export const DEFAULT_TAKEOVER_MS = 5000;
export const TAKEOVER_MS_MIN = 100;
export const TAKEOVER_MS_MAX = 600_000;
/** `takeoverSettleMs`: the default, and the bounds a config file may give (ms). */
export const DEFAULT_TAKEOVER_SETTLE_MS = 2000;
export const TAKEOVER_SETTLE_MS_MIN = 100;
export const TAKEOVER_SETTLE_MS_MAX = 60_000;

/** The section's fields (each config layer may give part of it); ControlPlaneSettingsSchema checks the whole. */
export const ControlPlaneFieldsSchema = z.object({
    kind: z.literal('postgres').describe('Where the control plane lives: postgres.'),
    url: z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// URL, e.g. postgres://alphaforge@127.0.0.1:15432/alphaforge').optional()
        .describe('The database as one URL (postgres://user[:password]@host:port/database); or give host, port, database, user.'),
    host: z.string().regex(HOST_RE, 'must be a host name or address').optional().describe('PostgreSQL\'s host (instead of url).'),
    port: z.number().int().min(1).max(65535).optional().describe('Its port (default 5432).'),
    database: z.string().regex(NAME_RE, 'must be letters, digits, _ or - (at most 63)').optional().describe('The database (default alphaforge).'),
    user: z.string().regex(NAME_RE, 'must be letters, digits, _ or - (at most 63)').optional().describe('The user (default alphaforge).'),
    passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'must name an environment variable (upper-case letters, digits, _), e.g. AF_PG_PASSWORD').optional()
        .describe('The environment variable holding the password (never the password itself in the file).'),
    schema: z.string().regex(PG_SCHEMA_RE, 'must be lower-case letters, digits and _ (at most 63)').optional()
        .describe('The PostgreSQL schema (namespace) of the tables: several installations can share one database (default: the user\'s).'),
    artifactsDir: z.string().min(1).optional()
        .describe('A folder every daemon of the team shares (a shared file system): runs\' result files and artifacts, so any daemon can answer runs.result (default: each daemon\'s state directory).'),
    poolSize: z.number().int().min(2).max(100).optional().describe('Connections per pool (default 8; the daemon keeps two pools).'),
    queryTimeoutSeconds: z.number().positive().max(86_400).optional().describe('Time limit of one control-plane call (default: database.queryTimeoutSeconds).'),
    bulkTimeoutSeconds: z.number().positive().max(86_400).optional().describe('Time limit of one bulk control-plane call (default: database.bulkTimeoutSeconds).'),
    takeoverMs: z.number({ error: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(TAKEOVER_MS_MIN, `must be at least ${TAKEOVER_MS_MIN} (ms)`).max(TAKEOVER_MS_MAX, `must be at most ${TAKEOVER_MS_MAX} (ms, 10 min)`).optional()
        .describe(`How often each daemon looks for runs and deployments of daemons that are gone and takes them over, and checks that the runs it executes were not cancelled through another daemon; ms, ${TAKEOVER_MS_MIN}..${TAKEOVER_MS_MAX} (default ${DEFAULT_TAKEOVER_MS}).`),
    takeoverSettleMs: z.number({ error: 'must be a number of milliseconds' }).int('must be a whole number of milliseconds').min(TAKEOVER_SETTLE_MS_MIN, `must be at least ${TAKEOVER_SETTLE_MS_MIN} (ms)`).max(TAKEOVER_SETTLE_MS_MAX, `must be at most ${TAKEOVER_SETTLE_MS_MAX} (ms, 1 min)`).optional()
        .describe(`How long a daemon taking a deployment over waits, holding its claim, before it reads the deployment's state (a bar write of the gone holder may still commit); ms, ${TAKEOVER_SETTLE_MS_MIN}..${TAKEOVER_SETTLE_MS_MAX} (default ${DEFAULT_TAKEOVER_SETTLE_MS}).`),
}).strict();

export const ControlPlaneSettingsSchema = ControlPlaneFieldsSchema.superRefine((s, ctx) => {
    const parts = (['host', 'port', 'database', 'user', 'passwordEnv'] as const).filter(k => s[k] !== undefined);
    if (s.url === undefined && s.host === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['url'], message: 'give url (postgres://user@host:port/database) or host (with port, database, user)' });
    if (s.url !== undefined && parts.length) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [parts[0]!], message: 'give either url or host/port/database/user/passwordEnv, not both' });
});

export type ControlPlaneSettings = z.infer<typeof ControlPlaneSettingsSchema>;

/** The connection URL of the settings; the password comes from `passwordEnv` (a missing variable is an error naming it). */
export function controlPlaneUrl(s: ControlPlaneSettings, env: Readonly<Record<string, string | undefined>> = process.env): string {
    if (s.url !== undefined) return s.url;
    let auth = encodeURIComponent(s.user ?? 'alphaforge');
    if (s.passwordEnv !== undefined) {
        const password = env[s.passwordEnv];
        if (password === undefined || password === '') throw new Error(`controlPlane.passwordEnv: the environment variable ${s.passwordEnv} is not set; export it with the database password`);
        auth += `:${encodeURIComponent(password)}`;
    }
    return `postgres://${auth}@${s.host!}:${s.port ?? 5432}/${encodeURIComponent(s.database ?? 'alphaforge')}`;
}
