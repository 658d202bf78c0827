/**
 * Identity and sessions under attack (issue 11, items 7–9), against the real daemon:
 *
 * - a local process floods the daemon with bad tokens (40+ per second from 127.0.0.1): valid
 *   tokens keep working over HTTP, WebSocket and gRPC; the bad ones are refused (429) once over
 *   the limit, counted per address and per presented token prefix;
 * - a token revoked, expired, whose user is disabled or removed from the team: its open WebSocket
 *   closes (WS_CLOSE.Unauthenticated) and its gRPC stream ends at once, not at the next periodic
 *   re-verification;
 * - a token can only mint tokens that expire no later than itself, with scopes within its own,
 *   for its own user in a team that user belongs to (admins' tokens included).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as grpc from '@grpc/grpc-js';
import { ErrorCodes, WS_CLOSE, type StreamEvent } from '../../../protocol/src/daemon/index.js';
import { GrpcDaemonClient } from '../../src/gateway/grpc.js';
import { rejection, startSecureDaemon, TINY, type SecureDaemon } from './support.js';

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** `p`, or a failure naming `what` after `ms` (a guard against hangs, not a speed assertion). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
        p.then(v => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e instanceof Error ? e : new Error(String(e))); });
    });
}

/** A well-formed af_ token no daemon issued: `prefix` is its public part (8 characters). */
function fakeToken(prefix = Math.random().toString(36).slice(2, 10).padEnd(8, 'x')): string {
    return `af_${prefix}${'A'.repeat(43)}`;
}

/** POST /rpc with a token, from a chosen loopback source address; resolves with the HTTP status. */
function postFrom(url: string, token: string, localAddress = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
        const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'iam.whoami' });
        const req = request(new URL('/rpc', url), {
            method: 'POST', localAddress, agent: false,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
        }, res => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
        req.on('error', reject);
        req.end(body);
    });
}

/** Opens a WebSocket with a token and calls iam.whoami over it; resolves with the role, or rejects with the HTTP status of a refused upgrade. */
function wsWhoami(wsUrl: string, token: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
        ws.on('unexpected-response', (_req, res) => { ws.terminate(); reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)); });
        ws.on('error', reject);
        ws.on('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'iam.whoami' })));
        ws.on('message', d => {
            const m = JSON.parse(d.toString()) as { result?: { principal: { role: string } }; error?: { code: number } };
            ws.close();
            if (m.result) resolve(m.result.principal.role);
            else reject(new Error(`whoami over WebSocket failed: ${m.error?.code}`));
        });
    });
}

/** Status of a WebSocket upgrade with `token`: 101 when accepted. */
function wsUpgradeStatus(wsUrl: string, token: string): Promise<number> {
    return new Promise(resolve => {
        const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
        ws.on('unexpected-response', (_req, res) => { ws.terminate(); resolve(res.statusCode ?? 0); });
        ws.on('error', () => resolve(0));
        ws.on('open', () => { ws.close(); resolve(101); });
    });
}

describe('a flood of bad tokens from the same address does not lock out valid users', () => {
    let d: SecureDaemon;
    beforeAll(async () => {
        // The default failed-authentication limit (30 a minute), per-token rates lifted.
        d = await startSecureDaemon({ limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 30 } });
    }, 120_000);
    afterAll(async () => { await d?.stop(); });

    it('40+ bad-token requests per second over HTTP, WebSocket and gRPC while valid tokens keep working on all three', async () => {
        const grpcAddress = d.daemon.gateway.grpcAddress!;
        const wsUrl = d.daemon.gateway.wsUrl;
        const valid = d.tokens.alpha.researcher;
        const goodGrpc = new GrpcDaemonClient({ address: grpcAddress, token: valid });
        const badGrpc = new GrpcDaemonClient({ address: grpcAddress });
        const badStatuses: number[] = [];
        const badCodes: number[] = [];
        let attacking = true;
        // The attacker: waves of 10 bad tokens every 100 ms (~100 a second, spread over the three
        // transports), 20 waves.
        const attacker = (async () => {
            for (let wave = 0; wave < 20; wave++) {
                await Promise.all(Array.from({ length: 10 }, async (_, i) => {
                    const t = fakeToken();
                    if (i % 3 === 0) badStatuses.push(await postFrom(d.daemon.url, t));
                    else if (i % 3 === 1) badStatuses.push(await wsUpgradeStatus(wsUrl, t));
                    else badCodes.push((await badGrpc.raw({ method: 'iam.whoami', token: t })).error?.code ?? 200);
                }));
                await sleep(100);
            }
        })().finally(() => { attacking = false; });
        const outcomes: string[] = [];
        try {
            await sleep(500); // the address is over its limit by now
            while (attacking) {
                const http = await d.client(valid).call('iam.whoami').then(r => r.principal.role, (e: Error) => `HTTP failed: ${e.message}`);
                const ws = await wsWhoami(wsUrl, valid).catch((e: Error) => `WS failed: ${e.message}`);
                const g = await goodGrpc.call('iam.whoami', {}).then(r => r.principal.role, (e: Error) => `gRPC failed: ${e.message}`);
                outcomes.push(http, ws, g);
                await sleep(50);
            }
        } finally {
            await attacker;
            goodGrpc.close();
            badGrpc.close();
        }
        expect(badStatuses.length + badCodes.length).toBe(200);
        expect(outcomes.length).toBeGreaterThanOrEqual(6);
        expect(outcomes.filter(o => o !== 'researcher')).toEqual([]);
        // The limit still holds for the bad ones: refused with 429 once over it, on every transport.
        expect(badStatuses).toContain(429);
        expect(badCodes).toContain(ErrorCodes.RateLimited);
        expect(badStatuses.filter(s => s === 101 || s === 200)).toEqual([]);
    }, 60_000);

    it('failures are also counted per presented token prefix: spreading them over many addresses does not evade the limit', async () => {
        const prefix = 'zzPrefix';
        const statuses: number[] = [];
        // 40 source addresses on the loopback network, one guess each, all for the same token prefix.
        for (let i = 0; i < 40; i++) statuses.push(await postFrom(d.daemon.url, `af_${prefix}${String(i).padStart(43, 'B')}`, `127.0.${1 + (i % 200)}.${2 + i}`));
        expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
        expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
        // A valid token is never refused, whatever its address's or prefix's failures.
        expect(await postFrom(d.daemon.url, d.tokens.beta.viewer, '127.0.1.2')).toBe(200);
    }, 60_000);
});

describe('live sessions end when their credential stops being valid', () => {
    let d: SecureDaemon;
    let n = 0;
    beforeAll(async () => { d = await startSecureDaemon(); }, 120_000);
    afterAll(async () => { await d?.stop(); });

    /** A fresh researcher of alpha with a token (so each case can destroy its own credential). */
    async function victim(ttlMs?: number): Promise<{ user: string; token: string; tokenId: string }> {
        const admin = d.client(d.adminToken);
        const user = `victim-${++n}`;
        await admin.call('iam.users.create', { name: user });
        await admin.call('iam.members.set', { user, team: 'alpha', role: 'researcher' });
        const t = await admin.call('iam.tokens.create', { name: user, user, team: 'alpha', ...(ttlMs ? { ttlMs } : {}) });
        return { user, token: t.token, tokenId: t.id };
    }

    /** An open WebSocket subscription and a gRPC stream of `token`, both on 'runs'. */
    async function sessions(token: string) {
        const wsEvents: StreamEvent[] = [];
        const grpcEvents: StreamEvent[] = [];
        const ws = await d.client(token).subscribe(['runs'], e => wsEvents.push(e));
        const g = new GrpcDaemonClient({ address: d.daemon.gateway.grpcAddress!, token });
        const stream = g.subscribe(['runs'], e => grpcEvents.push(e));
        await within(stream.ready, 10_000, 'gRPC subscription');
        const grpcEnd = stream.done.then(() => ({ code: grpc.status.OK as number, details: 'ended' }), (e: grpc.ServiceError) => ({ code: e.code as number, details: e.details }));
        return { ws, grpcEnd, wsEvents, grpcEvents, close: () => { stream.cancel(); g.close(); return ws.close(); } };
    }

    async function expectEnded(s: Awaited<ReturnType<typeof sessions>>, what: string): Promise<void> {
        try {
            const closed = await within(s.ws.closed, 5000, `the WebSocket of ${what}`);
            expect(closed.code).toBe(WS_CLOSE.Unauthenticated);
            const ended = await within(s.grpcEnd, 5000, `the gRPC stream of ${what}`);
            expect(ended.code).toBe(grpc.status.UNAUTHENTICATED);
        } finally {
            await s.close();
        }
    }

    it('revoking a token closes its WebSocket and ends its gRPC stream at once: no event of a later run reaches them', async () => {
        const v = await victim();
        const s = await sessions(v.token);
        await d.client(d.adminToken).call('iam.tokens.revoke', { id: v.tokenId });
        // A run of the same team after the revocation: its events must not reach the revoked sessions.
        const researcher = d.client(d.tokens.alpha.researcher);
        let done!: () => void;
        const finished = new Promise<void>(r => { done = r; });
        const watch = await researcher.subscribe(['runs'], e => { if (e.type === 'lifecycle' && (e.state === 'completed' || e.state === 'failed')) done(); });
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: TINY } });
        await within(finished, 30_000, 'the run');
        await watch.close();
        const leaked = [...s.wsEvents, ...s.grpcEvents].filter(e => 'runId' in e && e.runId === run.id);
        await expectEnded(s, 'a revoked token');
        expect(leaked).toEqual([]);
    }, 60_000);

    it('disabling the user ends their sessions', async () => {
        const v = await victim();
        const s = await sessions(v.token);
        await d.client(d.adminToken).call('iam.users.disable', { user: v.user });
        await expectEnded(s, 'a disabled user');
    }, 30_000);

    it('removing the user from the team ends their sessions for that team', async () => {
        const v = await victim();
        const s = await sessions(v.token);
        await d.client(d.adminToken).call('iam.members.set', { user: v.user, team: 'alpha', role: null });
        await expectEnded(s, 'a removed member');
    }, 30_000);

    it('a token\'s expiry ends its sessions when it comes, not at the next periodic check', async () => {
        const v = await victim(2500);
        const s = await sessions(v.token);
        await expectEnded(s, 'an expired token');
    }, 30_000);

    it('a role change keeps the session open with the new role (viewers may still subscribe)', async () => {
        const v = await victim();
        const s = await sessions(v.token);
        try {
            await d.client(d.adminToken).call('iam.members.set', { user: v.user, team: 'alpha', role: 'viewer' });
            await sleep(300);
            expect(await d.client(v.token).call('iam.whoami').then(r => r.principal.role)).toBe('viewer');
            expect(await s.ws.subscribe(['alerts'])).toContain('alerts');
        } finally {
            await s.close();
        }
    }, 30_000);
});

describe('tokens minted by tokens', () => {
    let d: SecureDaemon;
    beforeAll(async () => { d = await startSecureDaemon(); }, 120_000);
    afterAll(async () => { await d?.stop(); });

    it('a token that expires cannot mint one that never expires or outlives it (admins\' tokens too)', async () => {
        for (const team of ['alpha'] as const) {
            for (const role of ['researcher', 'admin'] as const) {
                const user = `${team}-${role}`;
                const short = await d.client(d.adminToken).call('iam.tokens.create', { name: `${user}-short`, user, team, ttlMs: 4000 });
                const c = d.client(short.token);
                const forever = await rejection(c.call('iam.tokens.create', { name: 'child-forever' }));
                expect(forever.code, `${role}: a never-expiring child`).toBe(ErrorCodes.Forbidden);
                expect(forever.message).toMatch(/expires/);
                const longer = await rejection(c.call('iam.tokens.create', { name: 'child-longer', ttlMs: 60_000 }));
                expect(longer.code, `${role}: a child outliving its parent`).toBe(ErrorCodes.Forbidden);
                const ok = await c.call('iam.tokens.create', { name: 'child-ok', ttlMs: 1000 });
                expect(Date.parse(ok.expiresAt!)).toBeLessThanOrEqual(Date.parse(short.expiresAt!));
            }
        }
        // A parent without expiry may mint expiring and non-expiring children.
        expect((await d.client(d.tokens.alpha.researcher).call('iam.tokens.create', { name: 'child-of-forever' })).expiresAt).toBeNull();
    });

    it('a scoped token cannot mint a wider one', async () => {
        const scoped = await d.client(d.tokens.alpha.researcher).call('iam.tokens.create', { name: 'runs-only', scopes: ['runs'] });
        const c = d.client(scoped.token);
        for (const scopes of [['*'], ['data'], ['runs', 'iam']]) {
            expect((await rejection(c.call('iam.tokens.create', { name: 'wider', scopes }))).code, scopes.join(',')).toBe(ErrorCodes.Forbidden);
        }
        // Its own scope, or narrower, is fine (iam.tokens.create itself needs 'iam': use the researcher's token to check the narrower one).
        const narrow = await d.client(d.tokens.alpha.researcher).call('iam.tokens.create', { name: 'narrow', scopes: ['runs.list'] });
        expect(narrow.token).toMatch(/^af_/);
    });

    it('a non-admin mints only for themselves, only in a team they belong to, and the token carries their own role there', async () => {
        const c = d.client(d.tokens.alpha.researcher);
        expect((await rejection(c.call('iam.tokens.create', { name: 'x', user: 'beta-admin', team: 'beta' }))).code).toBe(ErrorCodes.Forbidden);
        expect((await rejection(c.call('iam.tokens.create', { name: 'x', user: 'alpha-admin' }))).code).toBe(ErrorCodes.Forbidden);
        // Another team: refused alike whether the team exists or not (no probing of team names).
        const other = await rejection(c.call('iam.tokens.create', { name: 'x', team: 'beta' }));
        const none = await rejection(c.call('iam.tokens.create', { name: 'x', team: 'no-such-team' }));
        expect(other.code).toBe(ErrorCodes.Forbidden);
        expect(none.code).toBe(ErrorCodes.Forbidden);
        expect(none.message.replace('no-such-team', 'beta')).toBe(other.message);
        // Its own child acts with its own role: no way to pick a higher one.
        const child = await c.call('iam.tokens.create', { name: 'child' });
        expect((await d.client(child.token).call('iam.whoami')).principal).toMatchObject({ role: 'researcher', teamName: 'alpha', userName: 'alpha-researcher' });
        expect((await rejection(d.client(child.token).call('iam.users.list'))).code).toBe(ErrorCodes.Forbidden);
    });
});
