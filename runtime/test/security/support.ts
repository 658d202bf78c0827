/**
 * The security suite's one fixture: a real daemon (real DuckDB file, HTTP + WebSocket + gRPC on
 * 127.0.0.1, worker threads) with two teams, `alpha` and `beta`, and a user of every role in each,
 * each with a token. Attacks are made through the real client (or raw fetch/WebSocket when the
 * attack is about the transport), exactly as a hostile local process or a remote agent would.
 *
 * `secrets` lists strings that must never appear in any answer (the admin token, the content of a
 * host file planted for the test): `expectNoLeak` checks an error or result against all of them.
 *
 * Setting that state up over RPC (bars, then ~26 one-at-a-time IAM transactions) takes seconds, and
 * the suite starts dozens of these daemons: it is done once per `vitest run` into a template state
 * directory, which each daemon gets a private copy of. Each daemon still has its own state (tests
 * mutate it) and its own host secret; the tokens (stored hashed) come from the template's side
 * file, so daemons started from one template share them, and so does the time the template was
 * built (`templateBuilt`: the audit test checks the template's own records were stamped then).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { ROLES, RpcError, type Role } from '../../../protocol/src/daemon/index.js';
import { startDaemon, type DaemonOptions, type RunningDaemon } from '../../src/daemon/daemon.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { importSynthBars, TINY } from '../support/fixtures.js';
import { tempDir } from '../data/helpers.js';
import '../support/global-setup.js';

export const TEAMS = ['alpha', 'beta'] as const;
export type TeamName = (typeof TEAMS)[number];

export interface SecureDaemon {
    readonly daemon: RunningDaemon;
    readonly stateDir: string;
    /** A directory outside the state dir and the workspace, holding a "host secret" file. */
    readonly hostDir: string;
    /** `<hostDir>/secret.txt`: a file the daemon can read but no caller may. */
    readonly hostSecretFile: string;
    /** The content of hostSecretFile. */
    readonly hostSecret: string;
    readonly adminToken: string;
    /** tokens[team][role]: the bootstrap admin is `admin` of `default`; these are separate users. */
    readonly tokens: Readonly<Record<TeamName, Readonly<Record<Role, string>>>>;
    client(token: string, timeoutMs?: number): DaemonClient;
    /** Strings no answer may contain. */
    readonly secrets: readonly string[];
    /** When the template state was made (ms since the epoch): its IAM changes and their audit records fall in this window. */
    readonly templateBuilt: { readonly from: number; readonly to: number };
    stop(): Promise<void>;
}

/** Starts a daemon on a fresh state directory with synthetic bars, two teams and a user of every role in each. */
export async function startSecureDaemon(options: Omit<DaemonOptions, 'stateDir'> = {}): Promise<SecureDaemon> {
    const template = await secureTemplate();
    const stateDir = tempDir('af-sec-');
    cpSync(template.stateDir, stateDir, { recursive: true });
    const hostDir = tempDir('af-host-');
    const hostSecret = `HOST-SECRET-${Math.random().toString(36).slice(2)}\nsecond line of the secret`;
    const hostSecretFile = join(hostDir, 'secret.txt');
    writeFileSync(hostSecretFile, hostSecret);
    mkdirSync(join(hostDir, 'sub'), { recursive: true });
    const daemon = await startDaemon({ ...FIXTURE_DAEMON, ...options, stateDir });
    const { adminToken, tokens, built: templateBuilt } = template;
    const client = (token: string, timeoutMs?: number): DaemonClient => new DaemonClient({ url: daemon.url, token, ...(timeoutMs ? { timeoutMs } : {}) });
    return {
        daemon, stateDir, hostDir, hostSecretFile, hostSecret, adminToken, tokens, client,
        secrets: [adminToken, ...TEAMS.flatMap(t => ROLES.map(r => tokens[t][r])), hostSecret.split('\n')[0]!, 'second line of the secret'],
        templateBuilt,
        stop: () => daemon.stop(),
    };
}

/**
 * A private copy of the fixture's state (synthetic bars, the teams and their users, the bootstrap
 * admin's admin.token) for a daemon started some other way (a real `af daemon run` process).
 */
export async function secureStateCopy(): Promise<string> {
    const template = await secureTemplate();
    const stateDir = tempDir('af-sec-');
    cpSync(template.stateDir, stateDir, { recursive: true });
    return stateDir;
}

const FIXTURE_DAEMON = {
    port: 0, concurrency: 2, grpc: true,
    // The suite calls far faster than a person: lift the per-token rate (the failed-auth tests set their own).
    limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000 },
} satisfies DaemonOptions;

interface SecureTemplate {
    /** A stopped daemon's state directory: copied, never started on. */
    readonly stateDir: string;
    readonly adminToken: string;
    readonly tokens: Readonly<Record<TeamName, Readonly<Record<Role, string>>>>;
    /** The build's start and end (ms since the epoch). */
    readonly built: { readonly from: number; readonly to: number };
}

let template: Promise<SecureTemplate> | undefined;

/**
 * The run's template: built by the first test process that needs it under the run's scratch
 * directory (global-setup.ts; a private one when vitest provides none), then read by the others.
 * Processes that race each build their own and the first rename wins (no lock to leave behind).
 * It was rebuilt every 4 minutes so that the audit test's "recent" check held (2–3 more builds of
 * ~4 s in a CI run); the test now checks against the build's recorded time instead.
 */
function secureTemplate(): Promise<SecureTemplate> {
    let t = template;
    if (!t) {
        t = (async () => {
            const root = inject('afTemplateRoot') ?? tempDir('af-templates-');
            const dir = join(root, 'secure');
            if (!existsSync(dir)) {
                const work = mkdtempSync(join(root, 'building-'));
                const built = await buildTemplate(join(work, 'state'));
                writeFileSync(join(work, 'tokens.json'), JSON.stringify(built));
                try {
                    renameSync(work, dir);
                } catch (e) {
                    // Another process renamed its build first: use that one.
                    if (!existsSync(dir)) throw e;
                    rmSync(work, { recursive: true, force: true });
                }
            }
            const { adminToken, tokens, built } = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')) as Omit<SecureTemplate, 'stateDir'>;
            return { stateDir: join(dir, 'state'), adminToken, tokens, built };
        })();
        template = t;
        // A failed build is not cached: the next call tries again.
        t.catch(() => { if (template === t) template = undefined; });
    }
    return t;
}

/** Synthetic bars, then the teams, users and tokens made by the bootstrap admin over HTTP, as any admin would. */
async function buildTemplate(stateDir: string): Promise<Omit<SecureTemplate, 'stateDir'>> {
    const from = Date.now();
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    await importSynthBars(stateDir);
    const daemon = await startDaemon({ ...FIXTURE_DAEMON, grpc: false, stateDir });
    try {
        const adminToken = daemon.adminToken!;
        const admin = new DaemonClient({ url: daemon.url, token: adminToken });
        const tokens = {} as Record<TeamName, Record<Role, string>>;
        for (const team of TEAMS) {
            await admin.call('iam.teams.create', { name: team });
            tokens[team] = {} as Record<Role, string>;
            for (const role of ROLES) {
                const user = `${team}-${role}`;
                await admin.call('iam.users.create', { name: user });
                await admin.call('iam.members.set', { user, team, role });
                tokens[team][role] = (await admin.call('iam.tokens.create', { name: `${user}-token`, user, team })).token;
            }
        }
        return { adminToken, tokens, built: { from, to: Date.now() } };
    } finally {
        await daemon.stop();
    }
}

/** The error a call fails with (a result is a test failure). */
export async function rejection(p: Promise<unknown>): Promise<RpcError> {
    try {
        const r = await p;
        throw new Error(`expected the call to fail, it answered ${JSON.stringify(r).slice(0, 300)}`);
    } catch (e) {
        if (e instanceof RpcError) return e;
        throw e;
    }
}

/** Fails when any of `secrets` appears in the message, data or result. */
export function expectNoLeak(value: unknown, secrets: readonly string[]): void {
    const text = value instanceof Error ? `${value.message} ${JSON.stringify((value as RpcError).data ?? {})}` : JSON.stringify(value);
    for (const s of secrets) expect(text, 'an answer leaked a secret').not.toContain(s);
}

export { TINY };
