/**
 * The audit trail (issue 11, item 13), against the real daemon: `<state dir>/logs/audit.log`
 * (JSON lines, 0600) records every IAM change, every refused credential (401) and refused call
 * (403), data imports (with replaced counts) and exports, promotions and cancellations, daemon
 * start, stop and crash recovery — with actor, method, target and result, and never a secret. A
 * call's record is on disk when its answer arrives. `af audit` and the admin-only `audit.list`
 * read it back.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../protocol/src/daemon/index.js';
import { run } from '../../src/cli/main.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { withStore } from '../../src/schema/registry.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { GrpcDaemonClient } from '../../src/gateway/grpc.js';
import { csv, dailyRows } from '../data/helpers.js';
import { stateWithSynthBars } from '../support/fixtures.js';
import { expectNoLeak, rejection, startSecureDaemon, TINY, type SecureDaemon } from './support.js';

interface Line {
    time: string;
    actor: { user?: string; team?: string; role?: string; token?: string; address?: string; transport: string };
    method: string;
    target: Record<string, unknown>;
    result: 'ok' | 'error';
    code?: number;
    reason?: string;
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));
const auditFile = (stateDir: string): string => join(stateDir, 'logs', 'audit.log');

/** The audit log's records, read straight from the file (as a crash would leave it). */
function records(stateDir: string): Line[] {
    let text: string;
    try {
        text = readFileSync(auditFile(stateDir), 'utf8');
    } catch {
        return [];
    }
    return text.split('\n').filter(Boolean).map(l => JSON.parse(l) as Line);
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await run(args, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

async function finished(c: DaemonClient, id: string): Promise<string> {
    for (let i = 0; i < 300; i++) {
        const { run: r } = await c.call('runs.get', { id });
        if (r.state === 'completed' || r.state === 'failed' || r.state === 'cancelled') return r.state;
        await sleep(100);
    }
    throw new Error(`run ${id} did not finish`);
}

describe('the audit log of a running daemon', () => {
    let d: SecureDaemon;
    let admin: DaemonClient;
    const minted: string[] = [];
    beforeAll(async () => {
        d = await startSecureDaemon();
        admin = d.client(d.adminToken);
    }, 120_000);
    afterAll(async () => { await d?.stop(); });

    it('records every IAM change with actor, method, target and result, on disk when the call returns, 0600', async () => {
        // The fixture's own setup: teams, users, memberships and tokens made by the bootstrap admin over HTTP.
        const all = records(d.stateDir);
        const teams = all.filter(r => r.method === 'iam.teams.create');
        expect(teams.map(r => r.target['name'])).toEqual(['alpha', 'beta']);
        expect(teams[0]).toMatchObject({
            actor: { user: 'admin', team: 'default', role: 'admin', transport: 'http', address: '127.0.0.1', token: expect.stringMatching(/^tok_/) },
            result: 'ok', target: { 'result.team.id': expect.stringMatching(/^team_/) },
        });
        // Stamped with the time of the change: within the template's build (made once per run, maybe minutes ago).
        expect(Date.parse(teams[0]!.time)).toBeGreaterThanOrEqual(d.templateBuilt.from);
        expect(Date.parse(teams[0]!.time)).toBeLessThanOrEqual(d.templateBuilt.to);
        expect(all.filter(r => r.method === 'iam.users.create').map(r => r.target['name'])).toContain('beta-trader');
        expect(all.find(r => r.method === 'iam.members.set' && r.target['user'] === 'alpha-viewer')).toMatchObject({ target: { team: 'alpha', role: 'viewer' }, result: 'ok' });
        const created = all.filter(r => r.method === 'iam.tokens.create');
        expect(created.length).toBeGreaterThanOrEqual(8);
        expect(created[0]!.target).toMatchObject({ 'result.id': expect.stringMatching(/^tok_/), 'result.prefix': expect.any(String) });

        // Each change is in the file the moment its answer arrives (read synchronously, no stop, no flush).
        await admin.call('iam.users.create', { name: 'audited-user' });
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'iam.users.create', target: { name: 'audited-user' }, result: 'ok' });
        await admin.call('iam.members.set', { user: 'audited-user', team: 'beta', role: 'researcher' });
        const t = await admin.call('iam.tokens.create', { name: 'audited', user: 'audited-user', team: 'beta', scopes: ['runs'], ttlMs: 3_600_000 });
        minted.push(t.token);
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'iam.tokens.create', target: { user: 'audited-user', team: 'beta', scopes: ['runs'], ttlMs: 3_600_000, 'result.id': t.id }, result: 'ok' });
        await admin.call('iam.tokens.revoke', { id: t.id });
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'iam.tokens.revoke', target: { id: t.id }, result: 'ok' });
        await admin.call('iam.users.disable', { user: 'audited-user' });
        await admin.call('iam.users.enable', { user: 'audited-user' });
        await admin.call('iam.members.set', { user: 'audited-user', team: 'beta', role: null });
        expect(records(d.stateDir).slice(-3).map(r => `${r.method} ${r.result}`)).toEqual(['iam.users.disable ok', 'iam.users.enable ok', 'iam.members.set ok']);
        // A refused change is recorded too, with its code.
        await rejection(admin.call('iam.users.create', { name: 'audited-user' }));
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'iam.users.create', result: 'error', code: ErrorCodes.Conflict });

        expect(statSync(auditFile(d.stateDir)).mode & 0o777).toBe(0o600);
    });

    it('records 401s (the token\'s public prefix only, with the reason) and 403s, on every transport', async () => {
        const bad = `af_NOTissue${'x'.repeat(43)}`;
        const res = await fetch(new URL('/rpc', d.daemon.url), { method: 'POST', headers: { authorization: `Bearer ${bad}` }, body: '{}' });
        expect(res.status).toBe(401);
        expect(records(d.stateDir).at(-1)).toMatchObject({
            method: 'auth', result: 'error', code: ErrorCodes.Unauthenticated, reason: 'unknown',
            actor: { token: 'af_NOTissue…', transport: 'http', address: '127.0.0.1' },
        });
        expect(records(d.stateDir).at(-1)!.actor.user).toBeUndefined();
        // The same over WebSocket (the upgrade) and gRPC.
        await expect(d.client(bad).subscribe(['runs'], () => undefined)).rejects.toMatchObject({ code: ErrorCodes.Unauthenticated });
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'auth', code: ErrorCodes.Unauthenticated, actor: { token: 'af_NOTissue…', transport: 'ws', address: '127.0.0.1' } });
        const g = new GrpcDaemonClient({ address: d.daemon.gateway.grpcAddress!, token: bad });
        try {
            expect((await g.raw({ method: 'runs.list', params_json: '{}' })).error?.code).toBe(ErrorCodes.Unauthenticated);
        } finally {
            g.close();
        }
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'auth', code: ErrorCodes.Unauthenticated, actor: { token: 'af_NOTissue…', transport: 'grpc', address: '127.0.0.1' } });

        const viewer = d.client(d.tokens.alpha.viewer);
        expect((await rejection(viewer.call('iam.users.list'))).code).toBe(ErrorCodes.Forbidden);
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'iam.users.list', result: 'error', code: ErrorCodes.Forbidden, actor: { user: 'alpha-viewer', team: 'alpha', role: 'viewer' } });
        expect((await rejection(viewer.call('runs.cancel', { id: 'run-x' }))).code).toBe(ErrorCodes.Forbidden);
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'runs.cancel', target: { id: 'run-x' }, code: ErrorCodes.Forbidden });

        // A subscription the token is not scoped for (WebSocket), and a revoked token over WebSocket calls.
        const runsOnly = await d.client(d.tokens.alpha.researcher).call('iam.tokens.create', { name: 'runs-only', scopes: ['runs'] });
        minted.push(runsOnly.token);
        await expect(d.client(runsOnly.token).subscribe(['runs'], () => undefined)).rejects.toMatchObject({ code: ErrorCodes.Forbidden });
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'events.subscribe', code: ErrorCodes.Forbidden, actor: { user: 'alpha-researcher', transport: 'ws' } });
    });

    it('a flood of bad tokens becomes a bounded number of records that count the ones left out', async () => {
        const before = records(d.stateDir).length;
        for (let i = 0; i < 15; i++) {
            await Promise.all(Array.from({ length: 10 }, () => fetch(new URL('/rpc', d.daemon.url), { method: 'POST', headers: { authorization: `Bearer af_flood${'y'.repeat(47)}` }, body: '{}' })));
        }
        const flood = records(d.stateDir).slice(before);
        expect(flood.length).toBeGreaterThan(0);
        expect(flood.length).toBeLessThan(80); // 150 refused: at most the per-minute budget (60) and its refill were recorded
        await sleep(2100); // the budget refills: the next refusal is recorded with the count of those left out
        await fetch(new URL('/rpc', d.daemon.url), { method: 'POST', headers: { authorization: 'Bearer af_flood' }, body: '{}' });
        // Every refusal is either a record or counted in the next one: 150 + 1, none lost.
        const all = records(d.stateDir).slice(before);
        expect(all.every(r => r.method === 'auth' && r.actor.address === '127.0.0.1')).toBe(true);
        expect(all.length + all.reduce((n, r) => n + Number(r.target['unauditedBefore'] ?? 0), 0)).toBe(151);
    }, 30_000);

    it('records imports with their replaced counts, exports, and runs promoted and cancelled', async () => {
        const researcher = d.client(d.tokens.alpha.researcher);
        const imports = join(d.stateDir, 'imports');
        mkdirSync(imports, { recursive: true });
        const file = join(imports, 'audit-bars.csv');
        writeFileSync(file, csv(dailyRows(30)));
        await researcher.call('data.import', { file, venue: 'test', symbol: 'AUD', timeframe: '1d' });
        // The same range with one volume corrected replaces it (the very same bars again would change nothing).
        writeFileSync(file, csv(dailyRows(30).map((r, i) => (i === 7 ? [...r.slice(0, 5), 1] : r))));
        await researcher.call('data.import', { file, venue: 'test', symbol: 'AUD', timeframe: '1d' });
        const imported = records(d.stateDir).filter(r => r.method === 'data.import');
        expect(imported.at(-2)).toMatchObject({ result: 'ok', actor: { user: 'alpha-researcher' }, target: { venue: 'test', symbol: 'AUD', timeframe: '1d', 'result.rowsWritten': 30, 'result.replaced': 0 } });
        expect(imported.at(-1)).toMatchObject({ result: 'ok', target: { 'result.replaced': 30 } });

        await researcher.call('data.export', { name: 'audit.csv', bars: { ids: ['test:AUD'], timeframe: '1d' } });
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'data.export', result: 'ok', target: { name: 'audit.csv', 'bars.ids': ['test:AUD'], 'result.file': 'audit.csv', 'result.rows': 30 } });

        const { run: a } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: TINY } });
        expect(await finished(researcher, a.id)).toBe('completed');
        await researcher.call('runs.promote', { id: a.id, note: 'free text is not recorded' });
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'runs.promote', target: { id: a.id, 'result.run.id': a.id }, result: 'ok', actor: { user: 'alpha-researcher' } });
        expect(JSON.stringify(records(d.stateDir).at(-1))).not.toContain('free text');
        await rejection(researcher.call('runs.cancel', { id: a.id }));
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'runs.cancel', target: { id: a.id }, result: 'error', code: ErrorCodes.Conflict });
        const { run: b } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: TINY } });
        await researcher.call('runs.cancel', { id: b.id }).catch(() => undefined);
        expect(records(d.stateDir).at(-1)).toMatchObject({ method: 'runs.cancel', target: { id: b.id } });
        // Submitted source texts are never recorded.
        expect(readFileSync(auditFile(d.stateDir), 'utf8')).not.toContain('crossover(f, s)');
    }, 60_000);

    it('af audit prints it, filtered by method, actor and time; --json prints the records', async () => {
        const byMethod = await cli(['audit', '--state-dir', d.stateDir, '--method', 'iam.users.create']);
        expect(byMethod.code).toBe(0);
        expect(byMethod.out).toContain('iam.users.create');
        expect(byMethod.out).toContain('name="alpha-viewer"');
        expect(byMethod.out).toMatch(/admin@default \(tok_\w+ http 127\.0\.0\.1\)/);
        expect(byMethod.out).not.toContain('iam.members.set');
        const byActor = await cli(['audit', '--state-dir', d.stateDir, '--actor', 'alpha-viewer']);
        expect(byActor.out).toMatch(/iam\.users\.list .*error 403/);
        expect(byActor.out).not.toContain('alpha-researcher');
        const json = await cli(['audit', '--state-dir', d.stateDir, '--method', 'auth', '--json']);
        const lines = json.out.trim().split('\n').map(l => JSON.parse(l) as Line);
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.every(l => l.method === 'auth' && l.code !== undefined)).toBe(true);
        const future = await cli(['audit', '--state-dir', d.stateDir, '--since', new Date(Date.now() + 3_600_000).toISOString()]);
        expect(future.out).toMatch(/^no matching audit records/);
        expect((await cli(['audit', '--state-dir', d.stateDir, '--since', 'yesterday'])).err).toMatch(/--since/);
    });

    it('audit.list reads it for admins only', async () => {
        const r = await admin.call('audit.list', { method: 'iam.teams.create' });
        expect(r.records.map(x => x.target['name'])).toEqual(['alpha', 'beta']);
        expect(r.matched).toBe(2);
        expect((await rejection(d.client(d.tokens.alpha.trader).call('audit.list', {}))).code).toBe(ErrorCodes.Forbidden);
        expect((await rejection(admin.call('audit.list', { since: 'soon' }))).code).toBe(ErrorCodes.InvalidParams);
    });

    it('holds no secret: no token, no host file content', async () => {
        expectNoLeak(readFileSync(auditFile(d.stateDir), 'utf8'), [...d.secrets, ...minted]);
    });
});

describe('daemon start, stop and crash recovery', () => {
    it('records each start and stop, and every run a crash left running that the next start re-queued', async () => {
        const stateDir = await stateWithSynthBars('af-audit-crash-');
        const first = await startDaemon({ stateDir, port: 0, concurrency: 1 });
        const c = new DaemonClient({ url: first.url, token: first.adminToken! });
        const { run: r } = await c.call('runs.submit', { kind: 'backtest', spec: { source: TINY } });
        expect(await finished(c, r.id)).toBe('completed');
        await first.stop();
        // What a kill -9 mid-run leaves in the database: the run still marked running.
        await withStore({ stateDir }, s => s.run(`UPDATE runs SET state = 'running' WHERE id = $1`, [r.id]));
        const second = await startDaemon({ stateDir, port: 0, concurrency: 1 });
        await second.stop();
        const lines = records(stateDir).filter(l => l.method.startsWith('daemon.'));
        expect(lines.map(l => l.method)).toEqual(['daemon.start', 'daemon.stop', 'daemon.recover', 'daemon.start', 'daemon.stop']);
        expect(lines[0]).toMatchObject({ actor: { transport: 'daemon' }, result: 'ok', target: { url: first.url, bootstrap: true } });
        expect(lines[2]).toMatchObject({ target: { runId: r.id, state: 'queued' }, result: 'ok' });
    }, 120_000);
});
