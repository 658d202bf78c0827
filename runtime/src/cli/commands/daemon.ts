/**
 * `af daemon run|start|stop|status`, and the commands that talk to a running daemon:
 * `af login`, `af token …`, `af user …`, `af team …`, `af runs …` (ls, show, cancel, promote, logs), `af exp …`, `af backtest --remote`.
 * A client finds the daemon through --url, $AF_DAEMON_URL or <state dir>/daemon.json, and its
 * token through --token, $AF_TOKEN, <state dir>/credentials.json (af login) or, on the daemon's
 * own machine, the bootstrap <state dir>/admin.token.
 */
import { type z } from 'zod';
import { healthRows, type HealthRow } from '../../../../protocol/src/health-rows.js';
import { formatMetric, metricDefinition } from '../../../../protocol/src/metrics.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes, RpcError, type RunSummary, type StreamEvent, type ParamsInput } from '../../../../protocol/src/daemon/index.js';
import { callsInFlight } from '../../store/call-gate.js';
import { resolveStateDir } from '../../../../protocol/src/discovery.js';
import { DaemonClient, DaemonUnreachableError } from '../../../../protocol/src/client.js';
import { daemonStatus, readAnnouncement, startDetached, stopDaemon } from '../../daemon/lifecycle.js';
import { type LogLevel } from '../../monitoring/logger.js';
import { teamTimeouts } from '../config.js';
import { ConfigError, fileLayer } from '../../config/config.js';
import { OidcSettingsSchema, type OidcSettings } from '../../iam/oidc-settings.js';
import { QueueSettingsSchema, type QueueSettings } from '../../queue/settings.js';
import { BarsSettingsSchema, type BarsSettings } from '../../data/bars-settings.js';
import { ControlPlaneSettingsSchema, type ControlPlaneSettings } from '../../store/control-plane-settings.js';
import { resolveTelemetry, TelemetrySettingsError, type TelemetrySettings } from '../../monitoring/telemetry-settings.js';
import { CliError, EXIT, type ErrorCode } from '../errors.js';
import { progressBar } from '../progress.js';
import { formatRunResult } from '../run-output.js';
import { resolveRunId, SHORT_ID } from './runs.js';
import { checkMetricKeys } from '../filter-keys.js';
import { printGrid, printTable } from '../table.js';
import { readResultSummary, readWholeResult } from '../remote-result.js';
import { jsonNumbers } from '../../../../protocol/src/numbers.js';

export interface ConnectOptions {
    stateDir?: string;
    url?: string;
    token?: string;
    json?: boolean;
}

const CREDENTIALS = 'credentials.json';

/** The daemon's URL and a token, from flags, environment, af login or the local bootstrap token. */
export function connect(o: ConnectOptions): DaemonClient {
    const stateDir = resolveStateDir(o.stateDir);
    const saved = readCredentials(stateDir);
    // o.url and o.token already hold --url / $AF_DAEMON_URL / the config file (cli/config.ts).
    const url = o.url ?? saved?.url ?? readAnnouncement(stateDir)?.url;
    if (!url) throw new CliError(`no daemon runs for ${stateDir}: start one with af daemon start, or give --url`);
    let token = o.token ?? saved?.token;
    const adminFile = join(stateDir, 'admin.token');
    if (!token && existsSync(adminFile)) token = readFileSync(adminFile, 'utf8').trim();
    if (!token) throw new CliError(`no token: af login --token TOKEN, or set $AF_TOKEN (an admin creates one with af token create)`);
    return new DaemonClient({ url, token });
}

function readCredentials(stateDir: string): { url?: string; token?: string } | undefined {
    const f = join(stateDir, CREDENTIALS);
    if (!existsSync(f)) return undefined;
    try {
        return JSON.parse(readFileSync(f, 'utf8')) as { url?: string; token?: string };
    } catch {
        throw new CliError(`${f} is not valid JSON; delete it and run af login again`);
    }
}

/** Runs a client call; daemon and RPC errors become one-line CLI errors. */
export async function remote<T>(fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (e) {
        if (e instanceof DaemonUnreachableError) throw new CliError(e.message, { code: 'unavailable', exitCode: EXIT.failure });
        if (e instanceof RpcError) {
            const issues = (e.data as { issues?: { path: (string | number)[]; message: string }[] } | undefined)?.issues;
            const detail = issues?.length ? `: ${issues.map(i => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ')}` : '';
            throw new CliError(`${e.message}${detail}`, rpcErrorClass(e.code));
        }
        throw e;
    }
}

/** The exit code and JSON error code of a daemon's error (-32602: the input was refused). */
function rpcErrorClass(code: number): { code: ErrorCode; exitCode: number } {
    switch (code) {
        case ErrorCodes.InvalidParams: return { code: 'rejected', exitCode: EXIT.rejected };
        case ErrorCodes.Unauthenticated: return { code: 'unauthenticated', exitCode: EXIT.failure };
        case ErrorCodes.Forbidden: return { code: 'forbidden', exitCode: EXIT.failure };
        case ErrorCodes.NotFound: return { code: 'not_found', exitCode: EXIT.failure };
        case ErrorCodes.Conflict: return { code: 'conflict', exitCode: EXIT.failure };
        case ErrorCodes.RateLimited: case ErrorCodes.Unavailable: case ErrorCodes.NotAvailable: return { code: 'unavailable', exitCode: EXIT.failure };
        default: return { code: 'failure', exitCode: EXIT.failure };
    }
}

// ---------------------------------------------------------------------------------- daemon

export interface DaemonRunOptions {
    stateDir?: string;
    host?: string;
    port: number;
    concurrency?: number;
    grpc?: boolean;
    tlsKey?: string;
    tlsCert?: string;
    allowInsecureRemote?: boolean;
    publicMetrics?: boolean;
    /** --data-dir (repeatable): folders data.import may read named files from. */
    dataDir?: string[];
    maxUploadMb?: number;
    teamQuotaMb?: number;
    fileRetentionDays?: number;
    sourceRoot?: string[];
    runTimeout?: number;
    /** `team=ms` pairs. */
    teamRunTimeout?: string[];
    runMemory?: number;
    langWorkers?: number;
    langTimeout?: number;
    /** Seconds. */
    queryTimeout?: number;
    bulkTimeout?: number;
    integrityBudget?: number;
    logLevel?: LogLevel;
    /** The config file read (set by applyConfig): its `oidc` section configures single sign-on. */
    configFile?: string;
}

/** After a stop, how long the process may take to exit by itself before it exits anyway. */
const EXIT_GRACE_MS = 3000;

/**
 * One section of the config file, whole and valid, or undefined when the file has none. An invalid
 * one is an error naming the file, the field and where it is documented.
 */
function configSection<T>(file: string, name: string, schema: z.ZodType<T>, docs: string): T | undefined {
    const section = (fileLayer(file) as Record<string, unknown>)[name];
    if (section === undefined) return undefined;
    const r = schema.safeParse(section);
    if (!r.success) {
        throw new ConfigError(r.error.issues.map(i => `${file}: ${name}.${i.path.map(String).join('.') || '(section)'}: ${i.message}`).join('; ') + ` (${docs})`);
    }
    return r.data;
}

/** The `oidc` section: single sign-on. */
const ssoSettings = (file: string): OidcSettings | undefined => configSection(file, 'oidc', OidcSettingsSchema, 'docs/iam.md, single sign-on');

/** The `queue` section: team mode's job queue. */
export const queueSettings = (file: string): QueueSettings | undefined => configSection(file, 'queue', QueueSettingsSchema, 'docs/team-mode.md');

/** The `bars` section (without it, runs read bars from the store). */
export const barsSettings = (file: string): BarsSettings | undefined => configSection(file, 'bars', BarsSettingsSchema, 'docs/config.md, bars');

/** The `controlPlane` section (without it, the control plane stays in the DuckDB store). */
export const controlPlaneSettings = (file: string): ControlPlaneSettings | undefined => configSection(file, 'controlPlane', ControlPlaneSettingsSchema, 'docs/config.md, controlPlane');

/** Tracing's settings: the config file's `telemetry` section over the OTEL_* variables; undefined when no endpoint is given. */
export function telemetrySettings(file: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): TelemetrySettings | undefined {
    try {
        return resolveTelemetry(file ? fileLayer(file).telemetry : undefined, env, file ?? 'the config file');
    } catch (e) {
        if (e instanceof TelemetrySettingsError) throw new ConfigError(e.message);
        throw e;
    }
}

/** Foreground: serves until SIGTERM / SIGINT. */
export async function daemonRunCommand(o: DaemonRunOptions, out: (s: string) => void): Promise<number> {
    const { startDaemon } = await import('../../daemon/daemon.js');
    const tls = o.tlsKey || o.tlsCert ? { key: readFileSync(o.tlsKey ?? '', 'utf8'), cert: readFileSync(o.tlsCert ?? '', 'utf8') } : undefined;
    const oidc = o.configFile ? ssoSettings(o.configFile) : undefined;
    const queue = o.configFile ? queueSettings(o.configFile) : undefined;
    const bars = o.configFile ? barsSettings(o.configFile) : undefined;
    const controlPlane = o.configFile ? controlPlaneSettings(o.configFile) : undefined;
    const venueUrls = o.configFile ? fileLayer(o.configFile).venues?.urls : undefined;
    const telemetry = telemetrySettings(o.configFile);
    let d;
    try {
        d = await startDaemon({
            stateDir: o.stateDir, host: o.host, port: o.port, concurrency: o.concurrency, grpc: o.grpc, tls, allowInsecureRemote: o.allowInsecureRemote, publicMetrics: o.publicMetrics, stderr: true, ...(oidc ? { oidc } : {}), ...(queue ? { queue } : {}), ...(bars ? { bars } : {}), ...(controlPlane ? { controlPlane } : {}), ...(venueUrls ? { venues: { urls: venueUrls } } : {}), ...(telemetry ? { telemetry } : {}),
            dataDirs: o.dataDir?.map(d => resolve(d)), maxUploadBytes: o.maxUploadMb === undefined ? undefined : o.maxUploadMb * 1024 * 1024,
            teamQuotaBytes: o.teamQuotaMb === undefined ? undefined : o.teamQuotaMb * 1024 * 1024,
            fileRetentionMs: o.fileRetentionDays === undefined ? undefined : o.fileRetentionDays * 86_400_000,
            ...(o.sourceRoot?.length ? { sourceRoots: o.sourceRoot.map(r => resolve(r)) } : {}),
            runs: { timeoutMs: o.runTimeout, teamTimeoutMs: teamTimeouts(o.teamRunTimeout ?? []), memoryMb: o.runMemory },
            language: { workers: o.langWorkers, timeoutMs: o.langTimeout },
            queryLimits: { queryMs: o.queryTimeout === undefined ? undefined : o.queryTimeout * 1000, bulkMs: o.bulkTimeout === undefined ? undefined : o.bulkTimeout * 1000 },
            integrityCheckMs: o.integrityBudget === undefined ? undefined : Math.max(0, o.integrityBudget * 1000),
            ...(o.logLevel ? { logLevel: o.logLevel } : {}),
        });
    } catch (e) {
        throw new CliError(`the daemon cannot start: ${(e as Error).message.split('\n')[0]}`);
    }
    out(`AlphaForge daemon listening on ${d.url} (state ${d.stateDir})\n`);
    if (d.adminToken) out(`first start: the admin token is in ${join(d.stateDir, 'admin.token')} (mode 0600)\n`);
    await new Promise<void>(resolve => {
        const stop = (): void => { void d.stop().then(resolve); };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
    });
    // Stopped: whatever still holds the event loop must not keep the process. A database call that
    // ignored its interrupt would hang process.exit() too (DuckDB waits for it), so then: SIGKILL
    // (what was committed is in the WAL).
    setTimeout(() => {
        if (callsInFlight() > 0) process.kill(process.pid, 'SIGKILL');
        process.exit(0);
    }, EXIT_GRACE_MS).unref();
    return 0;
}

export async function daemonStartCommand(o: { stateDir?: string; port: number; host?: string; grpc?: boolean; dataDir?: string[]; maxUploadMb?: number; configFile?: string }, out: (s: string) => void): Promise<number> {
    const args = [
        // The daemon reads the rest of its settings from the same config file.
        ...(o.configFile ? ['--config', o.configFile] : []),
        ...(o.grpc ? ['--grpc'] : []),
        // Resolved here: the daemon starts in this directory too, but a path is clearer in its log.
        ...(o.dataDir ?? []).flatMap(d => ['--data-dir', resolve(d)]),
        ...(o.maxUploadMb !== undefined ? ['--max-upload-mb', String(o.maxUploadMb)] : []),
    ];
    try {
        const a = await startDetached({ stateDir: o.stateDir, port: o.port, host: o.host, args });
        out(`daemon running: pid ${a.pid}, ${a.url}\n`);
        return 0;
    } catch (e) {
        throw new CliError((e as Error).message);
    }
}

export async function daemonStopCommand(o: { stateDir?: string }, out: (s: string) => void): Promise<number> {
    const r = await stopDaemon(o.stateDir);
    out(r === 'not-running' ? 'no daemon was running\n' : r === 'killed' ? 'the daemon did not stop in time and was killed\n' : 'daemon stopped\n');
    return 0;
}

export async function daemonStatusCommand(o: { stateDir?: string; json?: boolean }, out: (s: string) => void): Promise<number> {
    const s = await daemonStatus(o.stateDir);
    if (o.json) {
        out(JSON.stringify(s, null, 2) + '\n');
    } else if (s.state === 'running') {
        out(`running: pid ${s.announcement.pid}, ${s.announcement.url}, ${s.ready ? 'ready' : 'not ready'} (since ${s.announcement.startedAt})\n`);
    } else if (s.state === 'stale') {
        out(`not running (a stale daemon.json names pid ${s.announcement.pid}); af daemon start\n`);
    } else {
        out('not running; af daemon start\n');
    }
    return s.state === 'running' ? 0 : 3;
}

/** `af daemon health`: the same rows as the editor's Platform Health view. Exit 0 when ready, 3 when not. */
export async function daemonHealthCommand(o: ConnectOptions & { window?: number; json?: boolean }, out: (s: string) => void): Promise<number> {
    const h = await remote(() => connect(o).call('daemon.health', o.window ? { windowMinutes: o.window } : {}));
    if (o.json) {
        out(JSON.stringify(h, null, 2) + '\n');
    } else {
        const rows = healthRows(h);
        const width = Math.max(...rows.map(r => r.label.length));
        const mark = (r: HealthRow): string => (r.icon.id === 'warning' || r.icon.id === 'error' ? '!' : ' ');
        out(rows.map(r => `${mark(r)} ${r.label.padEnd(width)}  ${r.description}`).join('\n') + '\n');
        const warned = rows.filter(r => mark(r) === '!' && r.id !== 'ready');
        for (const r of warned) out(`  ${r.tooltip}\n`);
    }
    return h.ready ? 0 : 3;
}

// ---------------------------------------------------------------------------- login, IAM

export async function loginCommand(o: ConnectOptions, out: (s: string) => void): Promise<number> {
    const stateDir = resolveStateDir(o.stateDir);
    if (!o.token) throw new CliError('af login needs --token TOKEN (an admin creates one with af token create)');
    const client = connect(o);
    const me = await remote(() => client.call('iam.whoami'));
    writeFileSync(join(stateDir, CREDENTIALS), JSON.stringify({ url: client.options.url, token: o.token }, null, 2) + '\n', { mode: 0o600 });
    out(`logged in as ${me.principal.userName} (${me.principal.role} in team ${me.principal.teamName}) at ${client.options.url}\n`);
    return 0;
}

const print = (o: { json?: boolean }, out: (s: string) => void, value: unknown, text: () => string): number => {
    out(o.json ? JSON.stringify(value, null, 2) + '\n' : text());
    return 0;
};

export async function tokenCreateCommand(name: string, o: ConnectOptions & { scopes?: string; ttl?: string; user?: string; team?: string }, out: (s: string) => void): Promise<number> {
    const ttlMs = o.ttl === undefined ? undefined : parseDuration(o.ttl);
    const t = await remote(() => connect(o).call('iam.tokens.create', { name, scopes: o.scopes?.split(',').map(s => s.trim()).filter(Boolean), ttlMs, user: o.user, team: o.team }));
    return print(o, out, t, () => `token ${t.id} created${t.expiresAt ? `, expires ${t.expiresAt}` : ''}; shown this once:\n${t.token}\n`);
}

export async function tokenLsCommand(o: ConnectOptions & { user?: string }, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('iam.tokens.list', { user: o.user }));
    return print(o, out, r, () => r.tokens.map(t => `${t.id}  af_${t.prefix}…  ${t.name.padEnd(16)} ${t.userName}@${t.teamName}  ${t.state}  scopes ${t.scopes.join(',')}${t.expiresAt ? `  expires ${t.expiresAt}` : ''}\n`).join('') || 'no tokens\n');
}

export async function tokenRevokeCommand(id: string, o: ConnectOptions, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('iam.tokens.revoke', { id }));
    return print(o, out, r, () => `token ${r.token.id} revoked\n`);
}

export async function userCommand(action: string, args: string[], o: ConnectOptions, out: (s: string) => void): Promise<number> {
    const c = connect(o);
    switch (action) {
        case 'create': {
            const r = await remote(() => c.call('iam.users.create', { name: need(args[0], 'af user create NAME') }));
            return print(o, out, r, () => `user ${r.user.name} (${r.user.id}) created; give them a role: af user role ${r.user.name} TEAM ROLE\n`);
        }
        case 'ls': {
            const r = await remote(() => c.call('iam.users.list'));
            return print(o, out, r, () => r.users.map(u => `${u.name.padEnd(16)} ${u.id}${u.disabled ? ' (disabled)' : ''}  ${u.memberships.map(m => `${m.role}@${m.teamName}`).join(', ')}\n`).join(''));
        }
        case 'disable':
        case 'enable': {
            const r = await remote(() => c.call(action === 'disable' ? 'iam.users.disable' : 'iam.users.enable', { user: need(args[0], `af user ${action} USER`) }));
            return print(o, out, r, () => `user ${r.user.name} ${r.user.disabled ? 'disabled' : 'enabled'}\n`);
        }
        case 'role': {
            const [user, team, role] = [need(args[0], 'af user role USER TEAM ROLE'), need(args[1], 'af user role USER TEAM ROLE'), need(args[2], 'af user role USER TEAM ROLE')];
            const r = await remote(() => c.call('iam.members.set', { user, team, role: role === 'none' ? null : role as 'viewer' }));
            return print(o, out, r, () => r.membership ? `${r.membership.userName} is ${r.membership.role} in ${r.membership.teamName}\n` : `${user} removed from ${team}\n`);
        }
        case 'team': {
            const r = await remote(() => c.call('iam.teams.create', { name: need(args[0], 'af user team NAME') }));
            return print(o, out, r, () => `team ${r.team.name} (${r.team.id}) created\n`);
        }
        default:
            throw new CliError(`af user ${action}: unknown action; use create, ls, disable, enable, role, team`);
    }
}

function need(v: string | undefined, usage: string): string {
    if (!v) throw new CliError(`usage: ${usage}`);
    return v;
}

function parseDuration(s: string): number {
    const m = /^(\d+)\s*(m|h|d)$/.exec(s.trim());
    if (!m) throw new CliError(`--ttl '${s}': use minutes, hours or days, e.g. 30m, 12h, 90d`);
    return Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
}

// ---------------------------------------------------------------------------------- runs

const runLine = (r: RunSummary): string =>
    `${r.id.padEnd(24)} ${r.kind.padEnd(11)} ${r.state.padEnd(9)}${r.promoted ? '★' : ' '} ${(r.strategy ?? '-').padEnd(20)} ${r.owner.padEnd(10)} ${r.createdAt.slice(0, 19)}${r.error ? `  ${r.error}` : ''}\n`;

export async function runsShowCommand(id: string, o: ConnectOptions & { top?: number }, out: (s: string) => void): Promise<number> {
    const client = connect(o);
    const full = await resolveRunId(client, id);
    const r = await remote(() => client.call('runs.get', { id: full }));
    const run = r.run;
    if (o.json) return print(o, out, r, () => '');
    // A completed run is shown from its result, through the formatter of the local commands.
    const result = run.state === 'completed' ? await readResultSummary(client, full, o.top ?? 20).catch(() => undefined) : undefined;
    let s = runLine(run);
    if (result) {
        s += `\n${formatRunResult(result, { top: o.top })}`;
    } else {
        if (run.params) s += `params: ${Object.entries(run.params).map(([k, v]) => `${k}=${v}`).join(', ')}\n`;
        if (run.metrics) s += printTable(Object.entries(run.metrics).map(([k, v]) => [metricDefinition(k)?.label ?? k, formatMetric(k, v)] as const));
        if (run.fingerprints) s += `fingerprint ${run.fingerprints.exact.slice(0, 16)} · data ${run.dataSnapshot?.slice(0, 16)} · engine ${run.engineVersion} · seed ${run.seed}\n`;
    }
    out(s);
    return 0;
}

export async function runsCancelCommand(id: string, o: ConnectOptions, out: (s: string) => void): Promise<number> {
    const client = connect(o);
    const r = await remote(async () => client.call('runs.cancel', { id: await resolveRunId(client, id) }));
    return print(o, out, r, () => runLine(r.run));
}

/** A completed run marked as a candidate for the registry (`af registry publish RUN`). */
export async function runsPromoteCommand(id: string, o: ConnectOptions & { note?: string }, out: (s: string) => void): Promise<number> {
    const r = await remote(() => connect(o).call('runs.promote', { id, ...(o.note !== undefined ? { note: o.note } : {}) }));
    return print(o, out, r, () => `${runLine(r.run)}promoted; publish it with: af registry publish ${r.run.id}\n`);
}

export async function runsLogsCommand(id: string, o: ConnectOptions, out: (s: string) => void): Promise<number> {
    const client = connect(o);
    const r = await remote(async () => client.call('runs.logs', { id: await resolveRunId(client, id) }));
    return print(o, out, r, () => r.lines.map(l => `${l.ts} ${l.level.toUpperCase().padEnd(5)} ${l.message}\n`).join(''));
}

export async function expSearchCommand(filter: string | undefined, o: ConnectOptions & { orderBy?: string; limit: number; experiment?: string }, out: (s: string) => void): Promise<number> {
    checkMetricKeys(filter, o.orderBy);
    const r = await remote(() => connect(o).call('experiments.search', { filter, orderBy: o.orderBy, limit: o.limit, experimentId: o.experiment }));
    return print(o, out, r, () => {
        if (r.runs.length === 0) return 'no matching runs\n';
        const keys = ['sharpe', 'cagr', 'maxDrawdown', 'tradeCount'];
        return printGrid(
            ['id', 'kind', 'strategy', 'params', ...keys.map(k => metricDefinition(k)!.label)],
            r.runs.map(x => [x.run.id.slice(0, SHORT_ID), x.run.kind, x.run.strategy ?? '-', Object.entries(x.params).map(([k, v]) => `${k}=${v}`).join(' '), ...keys.map(k => k in x.metrics ? formatMetric(k, x.metrics[k]) : '')]),
            ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'right'],
        ) + `${r.total} run(s)\n`;
    });
}

/** `--params name=value …` for the daemon (it checks them against the strategy): numbers and booleans. */
export function paramValues(pairs: readonly string[] | undefined): Record<string, number | boolean> {
    const params: Record<string, number | boolean> = {};
    for (const kv of pairs ?? []) {
        const [k, v] = kv.split('=');
        if (!k || v === undefined) throw new CliError(`--params '${kv}': write name=value`);
        params[k] = v === 'true' ? true : v === 'false' ? false : Number(v);
    }
    return params;
}

/** `af backtest|sweep|walkforward --remote`: submit to the daemon, follow its events, print the result. */
export async function submitRemote(kind: 'backtest' | 'sweep' | 'walkforward', file: string, o: ConnectOptions & { strategy?: string; symbols?: string; from?: string; to?: string; benchmark?: string; params?: string[]; random?: number; seed?: number; sort?: string; in?: number; out?: number; anchored?: boolean; top?: number }, out: (s: string) => void): Promise<number> {
    if (!existsSync(file)) throw new CliError(`${file}: no such file`);
    const client = connect(o);
    const params = paramValues(o.params);
    const spec: ParamsInput<'runs.submit'>['spec'] = {
        source: readFileSync(file, 'utf8'), uri: pathToFileURL(resolve(file)).href, strategy: o.strategy,
        params: Object.keys(params).length ? params : undefined, symbols: o.symbols?.split(',').map(s => s.trim()), from: o.from, to: o.to, benchmark: o.benchmark?.trim(),
        ...(kind !== 'backtest' ? { sweep: { mode: o.random ? 'random' as const : 'grid' as const, samples: o.random, seed: o.seed, sortBy: (o.sort ?? 'sharpe') as 'sharpe' } } : {}),
        ...(kind === 'walkforward' ? { walkforward: { inSample: o.in, outOfSample: o.out, scheme: o.anchored ? 'anchored' as const : 'rolling' as const } } : {}),
    };
    const submitted = await remote(() => client.call('runs.submit', { kind, spec }));
    const id = submitted.run.id;
    if (!o.json) out(`submitted ${kind} ${id} (trace ${submitted.run.traceId})\n`);
    const bar = o.json ? undefined : progressBar(kind);
    const final = await new Promise<StreamEvent | undefined>((resolve, reject) => {
        let sub: { close(): void } | undefined;
        const finish = (e: StreamEvent | undefined): void => { sub?.close(); resolve(e); };
        client.subscribe([`run:${id}`], e => {
            if (e.type === 'progress' && bar) bar(Math.round(e.done * 100), 100);
            if (e.type === 'lifecycle' && (e.state === 'completed' || e.state === 'failed' || e.state === 'cancelled')) finish(e);
        }).then(s => {
            sub = s;
            // It may have finished before the subscription: check once.
            return client.call('runs.get', { id }).then(r => { if (['completed', 'failed', 'cancelled'].includes(r.run.state)) finish(undefined); });
        }).catch(reject);
    });
    void final;
    bar?.end();
    const r = await remote(() => client.call('runs.get', { id }));
    if (r.run.state !== 'completed') {
        throw new CliError(`${kind} ${id} ${r.run.state}${r.run.error ? `: ${r.run.error}` : ''}`, { code: 'failure', exitCode: EXIT.failure, hint: `af runs logs ${id.slice(0, SHORT_ID)}`, details: { run: r.run } });
    }
    // The result as the local command prints it: the same document for --json, the same text otherwise.
    if (o.json) out(JSON.stringify((await readWholeResult(client, id)).result, jsonNumbers, 2) + '\n');
    else out(formatRunResult(await readResultSummary(client, id, o.top ?? 20)) + `run ${id}\n`);
    return 0;
}
