/**
 * Everything configurable about `af` and its daemon, in one zod schema, read from three places
 * with one precedence: flags > environment > config file > built-in defaults. The file is
 * `--config FILE`, else $AF_CONFIG, else `alphaforge.json` in the current directory (the
 * workspace) when there is one; relative paths in it are relative to the file. Each layer is
 * validated on its own, so an error names where the bad value came from (the file and field, the
 * variable, the flag) and what is expected. A setting nobody gives is left out: the service it
 * configures applies its own default (docs/config.md lists them).
 *
 * The state directory's own resolution (flag, $AF_STATE_DIR, file, `.alphaforge`) is the
 * protocol's (protocol/src/discovery.ts), shared with the editor.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { UserInputError } from '../../../protocol/src/errors.js';
import { stateDirFromEnv, STATE_DIR_ENV } from '../../../protocol/src/discovery.js';
import { OidcSettingsSchema } from '../iam/oidc-settings.js';
import { QueueSettingsSchema } from '../queue/settings.js';
import { BarsSettingsSchema } from '../data/bars-settings.js';
import { ControlPlaneFieldsSchema } from '../store/control-plane-settings.js';
import { VenueUrlsSchema } from '../execution/venues/venue-urls.js';
import { TelemetrySettingsSchema } from '../monitoring/telemetry-settings.js';
import { PackDeclarationSchema, isFolderDeclaration, type FolderPackDeclaration, type PackDeclaration } from '../../../language/src/catalogue/pack-folder.js';

export const CONFIG_FILE = 'alphaforge.json';
export const CONFIG_ENV = 'AF_CONFIG';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const count = z.number().int().positive();
const path = z.string().min(1);

// A pack the workspace uses (name, version range, and for a pack folder its path and integrity hash; a
// pack shipped with AlphaForge by name alone): one schema for the runtime and the language server.
export { PackDeclarationSchema, isFolderDeclaration, type FolderPackDeclaration, type PackDeclaration };

export const ConfigSchema = z.object({
    stateDir: path.describe('The state directory: database, logs, runs, tokens.'),
    token: z.string().min(1).describe('API token of client commands (never in a file).'),
    daemon: z.object({
        url: z.string().url().describe('URL of the daemon client commands talk to.'),
        host: z.string().min(1).describe('Address `af daemon run` binds.'),
        port: z.number().int().min(0).max(65535).describe('Port of the daemon (0: any free port).'),
        grpc: z.boolean().describe('Also serve gRPC.'),
        tlsKey: path.describe('TLS private key (PEM) of the daemon.'),
        tlsCert: path.describe('TLS certificate (PEM) of the daemon.'),
        allowInsecureRemote: z.boolean().describe('Bind a non-loopback address without TLS.'),
        publicMetrics: z.boolean().describe('Serve /metrics without a token.'),
        dataDirs: z.array(path).describe('Folders data.import may read files from.'),
        sourceRoots: z.array(path).describe('Folders `import` statements of sources sent to the daemon may read.'),
    }).strict().partial(),
    runs: z.object({
        concurrency: count.describe('Runs at once.'),
        timeoutMs: z.number().int().min(0).describe('Time limit of a run that asks for none, and the most one may ask for (0: none).'),
        teamTimeoutMs: z.record(z.string().min(1), z.number().int().min(0)).describe('A team\'s own run time limit.'),
        memoryMb: count.describe('Memory of one run.'),
    }).strict().partial(),
    language: z.object({
        workers: count.describe('Threads that parse, lint and compile sources.'),
        timeoutMs: count.describe('Time limit of one lint, compile or analysis.'),
    }).strict().partial(),
    database: z.object({
        queryTimeoutSeconds: z.number().positive().describe('Time limit of one interactive database call.'),
        bulkTimeoutSeconds: z.number().positive().describe('Time limit of one import, export or bar load.'),
        integrityBudgetSeconds: z.number().min(0).describe('Time the integrity check at start may take (0: no check).'),
    }).strict().partial(),
    files: z.object({
        maxUploadMb: count.describe('Largest upload in MiB.'),
        teamQuotaMb: count.describe('Disk one team\'s uploads and exports may use together, in MiB.'),
        retentionDays: count.describe('Uploads and exports older than this are removed.'),
    }).strict().partial(),
    sweeps: z.object({
        workers: count.describe('Worker threads of local sweeps and walk-forwards.'),
    }).strict().partial(),
    log: z.object({
        level: z.enum(LOG_LEVELS).describe('Minimum level of the daemon\'s log.'),
    }).strict().partial(),
    // Single sign-on (file only): each layer may give part of it; the daemon checks the whole (OidcSettingsSchema).
    oidc: OidcSettingsSchema.partial(),
    // Team mode's job queue (file only): runs on BullMQ and `af worker` processes; checked whole by the daemon and the worker.
    queue: QueueSettingsSchema.partial(),
    // Team mode's bars (file only): runs read bars from ClickHouse, imports write there too; checked whole by the daemon.
    bars: BarsSettingsSchema.partial(),
    // Team mode's control plane (file only): users, tokens, runs, experiments, registry … in PostgreSQL; checked whole by the daemon.
    controlPlane: ControlPlaneFieldsSchema.partial(),
    // Trading venues (file only, read by the daemon): where a ccxt exchange's API is instead of its own hosts.
    venues: z.object({
        urls: VenueUrlsSchema.describe('Per ccxt exchange id, the base URL its API calls go to instead (https://, or http:// to 127.0.0.1 only), e.g. the local stand-in.'),
    }).strict().partial(),
    // Tracing (file only; the OTEL_* variables too): spans over OTLP/HTTP; checked whole by the daemon and the worker.
    telemetry: TelemetrySettingsSchema.partial(),
    packs: z.array(PackDeclarationSchema).describe('The capability packs the workspace uses besides the built-in ones: name, version range, folder and integrity hash (docs/packs.md).'),
}).strict().partial();

export type Config = z.infer<typeof ConfigSchema>;

/** One setting: its place in the config, and the flag and variable that give it. */
export interface Setting {
    /** Dotted path in the config (and the file). */
    readonly path: string;
    /** The command-line flag (commands that take it). */
    readonly flag?: string;
    /** The environment variable. */
    readonly env?: string;
    /** The default when nothing gives it, as documented. */
    readonly default: string;
}

/** Every setting. docs/config.md documents each (a test holds them together). */
export const SETTINGS: readonly Setting[] = [
    { path: 'stateDir', flag: '--state-dir', env: STATE_DIR_ENV, default: '.alphaforge' },
    { path: 'token', flag: '--token', env: 'AF_TOKEN', default: 'af login, or the local admin token' },
    { path: 'daemon.url', flag: '--url', env: 'AF_DAEMON_URL', default: 'af login, or <state dir>/daemon.json' },
    { path: 'daemon.host', flag: '--host', default: '127.0.0.1' },
    { path: 'daemon.port', flag: '--port', default: '7411' },
    { path: 'daemon.grpc', flag: '--grpc', default: 'false' },
    { path: 'daemon.tlsKey', flag: '--tls-key', default: 'none' },
    { path: 'daemon.tlsCert', flag: '--tls-cert', default: 'none' },
    { path: 'daemon.allowInsecureRemote', flag: '--allow-insecure-remote', default: 'false' },
    { path: 'daemon.publicMetrics', flag: '--public-metrics', default: 'false' },
    { path: 'daemon.dataDirs', flag: '--data-dir', default: 'the current directory' },
    { path: 'daemon.sourceRoots', flag: '--source-root', default: 'the current directory' },
    { path: 'runs.concurrency', flag: '--concurrency', default: 'all cores' },
    { path: 'runs.timeoutMs', flag: '--run-timeout', default: '1800000 (30 min)' },
    { path: 'runs.teamTimeoutMs', flag: '--team-run-timeout', default: 'none' },
    { path: 'runs.memoryMb', flag: '--run-memory', default: '1024' },
    { path: 'language.workers', flag: '--lang-workers', default: '2' },
    { path: 'language.timeoutMs', flag: '--lang-timeout', default: '30000' },
    { path: 'database.queryTimeoutSeconds', flag: '--query-timeout', default: '30 (daemon); none for local commands' },
    { path: 'database.bulkTimeoutSeconds', flag: '--bulk-timeout', default: '600 (daemon); none for local commands' },
    { path: 'database.integrityBudgetSeconds', flag: '--integrity-budget', default: '60' },
    { path: 'files.maxUploadMb', flag: '--max-upload-mb', default: '1024' },
    { path: 'files.teamQuotaMb', flag: '--team-quota-mb', default: '20480' },
    { path: 'files.retentionDays', flag: '--file-retention-days', default: '7' },
    { path: 'sweeps.workers', flag: '--workers', default: 'all cores' },
    { path: 'log.level', flag: '--log-level', env: 'AF_LOG_LEVEL', default: 'info' },
    { path: 'oidc.issuer', default: 'none: local API tokens only' },
    { path: 'oidc.audience', default: 'none' },
    { path: 'oidc.jwksUri', default: 'the issuer\'s discovery document' },
    { path: 'oidc.userClaim', default: 'preferred_username, else email, else sub' },
    { path: 'oidc.groupsClaim', default: 'groups' },
    { path: 'oidc.groups', default: 'none' },
    { path: 'oidc.teamClaim', default: 'none' },
    { path: 'oidc.defaultTeam', default: 'none' },
    { path: 'oidc.scopePrefix', default: 'af:' },
    { path: 'oidc.clockToleranceSeconds', default: '30' },
    { path: 'oidc.allowInsecureIssuer', default: 'false' },
    { path: 'queue.kind', default: 'none: runs execute in the daemon\'s worker threads' },
    { path: 'queue.redis', default: 'none' },
    { path: 'queue.prefix', default: 'af' },
    { path: 'queue.staging', default: 'none: artifacts and bars travel through Redis' },
    { path: 'queue.lockMs', default: '30000' },
    { path: 'queue.maxStalls', default: '2' },
    { path: 'bars.kind', default: 'none: runs read bars from the DuckDB store' },
    { path: 'bars.url', default: 'none' },
    { path: 'bars.database', default: 'alphaforge' },
    { path: 'bars.username', default: 'default' },
    { path: 'bars.password', default: 'none' },
    { path: 'bars.timeoutMs', default: '60000' },
    { path: 'controlPlane.kind', default: 'none: the control plane stays in the DuckDB store' },
    { path: 'controlPlane.url', default: 'none (or host/port/database/user)' },
    { path: 'controlPlane.host', default: 'none' },
    { path: 'controlPlane.port', default: '5432' },
    { path: 'controlPlane.database', default: 'alphaforge' },
    { path: 'controlPlane.user', default: 'alphaforge' },
    { path: 'controlPlane.passwordEnv', default: 'none: no password' },
    { path: 'controlPlane.schema', default: 'the user\'s (public)' },
    { path: 'controlPlane.artifactsDir', default: 'the daemon\'s state directory' },
    { path: 'controlPlane.poolSize', default: '8' },
    { path: 'controlPlane.queryTimeoutSeconds', default: 'database.queryTimeoutSeconds' },
    { path: 'controlPlane.bulkTimeoutSeconds', default: 'database.bulkTimeoutSeconds' },
    { path: 'controlPlane.takeoverMs', default: '5000' },
    { path: 'controlPlane.takeoverSettleMs', default: '2000' },
    { path: 'venues.urls', default: 'none: each exchange\'s own API hosts' },
    { path: 'telemetry.otlpUrl', default: 'none: no spans are exported ($OTEL_EXPORTER_OTLP_ENDPOINT counts)' },
    { path: 'telemetry.serviceName', default: 'alphaforge-daemon / alphaforge-worker ($OTEL_SERVICE_NAME counts)' },
    { path: 'telemetry.sampleRatio', default: '1' },
    { path: 'packs', default: 'none: the built-in packs only' },
];

/** Settings that hold paths: relative ones in a file are relative to the file. */
const PATH_SETTINGS = new Set(['stateDir', 'daemon.tlsKey', 'daemon.tlsCert', 'daemon.dataDirs', 'daemon.sourceRoots', 'queue.staging', 'controlPlane.artifactsDir']);

/** A configuration that cannot be used; the message names where the bad value came from. */
export class ConfigError extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'ConfigError';
    }
}

type Tree = Record<string, unknown>;
type Env = Readonly<Record<string, string | undefined>>;

export function getPath(tree: Tree, dotted: string): unknown {
    let v: unknown = tree;
    for (const k of dotted.split('.')) v = v !== null && typeof v === 'object' ? (v as Tree)[k] : undefined;
    return v;
}

export function setPath(tree: Tree, dotted: string, value: unknown): void {
    const keys = dotted.split('.');
    let t = tree;
    for (const k of keys.slice(0, -1)) t = (t[k] ??= {}) as Tree;
    t[keys.at(-1)!] = value;
}

/** `over` on top of `base`: objects merge key by key, anything else (values, lists, a team's limits) is replaced whole. */
function merge(base: Tree, over: Tree, prefix = ''): Tree {
    const out: Tree = { ...base };
    for (const [k, v] of Object.entries(over)) {
        if (v === undefined) continue;
        const at = prefix ? `${prefix}.${k}` : k;
        const b = out[k];
        const leaf = SETTINGS.some(s => s.path === at);
        out[k] = !leaf && v !== null && typeof v === 'object' && !Array.isArray(v) && b !== null && typeof b === 'object' && !Array.isArray(b)
            ? merge(b as Tree, v as Tree, at) : v;
    }
    return out;
}

/** Validates one layer; `where` names a field for the message (the file's key, the flag, the variable). */
function validate(layer: Tree, where: (path: string) => string): Config {
    const r = ConfigSchema.safeParse(layer);
    if (r.success) return r.data;
    const problems = r.error.issues.flatMap(i => {
        const at = i.path.map(String).join('.');
        if (i.code === 'unrecognized_keys') {
            return i.keys.map(k => {
                const full = at ? `${at}.${k}` : k;
                const known = [...new Set(SETTINGS.map(s => s.path).filter(p => !at || p.startsWith(`${at}.`)).map(p => p.split('.')[at ? at.split('.').length : 0]!))];
                return `${where(full)}: unknown setting; ${at ? `${at} takes` : 'the settings are'} ${known.join(', ')} (docs/config.md)`;
            });
        }
        return [`${where(at)}: ${i.message}`];
    });
    throw new ConfigError(problems.join('; '));
}

/** The environment's layer: the variables of SETTINGS that are set (not empty). */
export function envLayer(env: Env): Tree {
    const layer: Tree = {};
    for (const s of SETTINGS) {
        if (!s.env) continue;
        const v = s.env === STATE_DIR_ENV ? stateDirFromEnv(env) : env[s.env]?.trim() || undefined;
        if (v !== undefined) setPath(layer, s.path, v);
    }
    return layer;
}

/** The config file to read: the given one (which must exist), else $AF_CONFIG, else `alphaforge.json` in `cwd` if there is one. */
export function configFile(o: { file?: string; env?: Env; cwd?: string } = {}): string | undefined {
    const cwd = o.cwd ?? process.cwd();
    const given = o.file ?? ((o.env ?? process.env)[CONFIG_ENV]?.trim() || undefined);
    if (given !== undefined) {
        const f = resolve(cwd, given);
        if (!existsSync(f)) throw new ConfigError(`the config file ${f} does not exist (${o.file !== undefined ? '--config' : `$${CONFIG_ENV}`})`);
        return f;
    }
    const f = resolve(cwd, CONFIG_FILE);
    return existsSync(f) ? f : undefined;
}

/** The file's layer, validated, with relative paths made absolute against the file's folder. */
export function fileLayer(file: string): Config {
    let raw: unknown;
    try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
        throw new ConfigError(`${file} is not valid JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file} must hold one JSON object of settings (docs/config.md)`);
    if ('token' in raw) throw new ConfigError(`${file}: token: a token does not belong in a config file (anyone who can read the file could use it); use af login or $AF_TOKEN`);
    const config = validate(raw as Tree, p => `${file}: ${p}`);
    const dir = dirname(file);
    const absolute = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p));
    const out = structuredClone(config) as Tree;
    for (const p of PATH_SETTINGS) {
        const v = getPath(out, p);
        if (typeof v === 'string') setPath(out, p, absolute(v));
        else if (Array.isArray(v)) setPath(out, p, v.map(x => absolute(String(x))));
    }
    if (Array.isArray(out['packs'])) out['packs'] = (out['packs'] as PackDeclaration[]).map(d => (d.path === undefined ? d : { ...d, path: absolute(d.path) }));
    return out as Config;
}

export interface LoadConfigOptions {
    /** `--config FILE`. */
    readonly file?: string;
    /** Default process.env. */
    readonly env?: Env;
    /** Where `alphaforge.json` is looked for, and relative paths of flags and variables resolve (default process.cwd()). */
    readonly cwd?: string;
    /** The flags given on the command line, as config paths (e.g. { daemon: { port: 8080 } }). */
    readonly flags?: Tree;
    /** How to name a flag in errors (default: its config path). */
    readonly flagName?: (path: string) => string;
}

export interface LoadedConfig {
    readonly config: Config;
    /** The config file read, if any. */
    readonly file?: string;
}

/** Reads and validates the configuration: flags > environment > file > defaults (left out). */
export function loadConfig(o: LoadConfigOptions = {}): LoadedConfig {
    const env = o.env ?? process.env;
    const file = configFile({ ...(o.file !== undefined ? { file: o.file } : {}), env, ...(o.cwd !== undefined ? { cwd: o.cwd } : {}) });
    const fromFile = file ? fileLayer(file) : {};
    const byVariable = new Map(SETTINGS.filter(s => s.env).map(s => [s.path, s.env!]));
    const fromEnv = validate(envLayer(env), p => `$${byVariable.get(p) ?? p}`);
    const fromFlags = validate(o.flags ?? {}, p => o.flagName?.(p) ?? p);
    const config = merge(merge(fromFile as Tree, fromEnv as Tree), fromFlags as Tree) as Config;
    return { config, ...(file ? { file } : {}) };
}
