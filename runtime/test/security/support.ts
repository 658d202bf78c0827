/**
 * The security suite's one fixture: a real daemon (real DuckDB file, HTTP + WebSocket + gRPC on
 * 127.0.0.1, worker threads) with two teams, `alpha` and `beta`, and a user of every role in each,
 * each with a token. Attacks are made through the real client (or raw fetch/WebSocket when the
 * attack is about the transport), exactly as a hostile local process or a remote agent would.
 *
 * `secrets` lists strings that must never appear in any answer (the admin token, the content of a
 * host file planted for the test): `expectNoLeak` checks an error or result against all of them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ROLES, RpcError, type Role } from '../../../protocol/src/daemon/index.js';
import { startDaemon, type DaemonOptions, type RunningDaemon } from '../../src/daemon/daemon.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { importSynthBars, TINY } from '../support/fixtures.js';
import { tempDir } from '../data/helpers.js';

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
    stop(): Promise<void>;
}

/** Starts a daemon on a fresh state directory with synthetic bars, two teams and a user of every role in each. */
export async function startSecureDaemon(options: Omit<DaemonOptions, 'stateDir'> = {}): Promise<SecureDaemon> {
    const stateDir = tempDir('af-sec-');
    await importSynthBars(stateDir);
    const hostDir = tempDir('af-host-');
    const hostSecret = `HOST-SECRET-${Math.random().toString(36).slice(2)}\nsecond line of the secret`;
    const hostSecretFile = join(hostDir, 'secret.txt');
    writeFileSync(hostSecretFile, hostSecret);
    mkdirSync(join(hostDir, 'sub'), { recursive: true });
    const daemon = await startDaemon({
        port: 0, concurrency: 2, grpc: true,
        // The suite calls far faster than a person: lift the per-token rate (the failed-auth tests set their own).
        limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000 },
        ...options,
        stateDir,
    });
    const adminToken = daemon.adminToken!;
    const client = (token: string, timeoutMs?: number): DaemonClient => new DaemonClient({ url: daemon.url, token, ...(timeoutMs ? { timeoutMs } : {}) });
    const admin = client(adminToken);
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
    return {
        daemon, stateDir, hostDir, hostSecretFile, hostSecret, adminToken, tokens, client,
        secrets: [adminToken, ...TEAMS.flatMap(t => ROLES.map(r => tokens[t][r])), hostSecret.split('\n')[0]!, 'second line of the secret'],
        stop: () => daemon.stop(),
    };
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
