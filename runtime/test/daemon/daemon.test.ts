/**
 * The real daemon (in this process: real DuckDB file, real HTTP/WebSocket servers on a random
 * loopback port, real worker threads) driven through the real client: the permission matrix,
 * bad input, event order per run, and a bounded load test. Worker scripts run from out/ (the
 * tests run after `npm run build`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    ErrorCodes, METHODS, ROLES, RpcError, roleAllows, type MethodName, type Role, type StreamEvent,
} from '../../../protocol/src/daemon/index.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { readLogs } from '../../src/monitoring/logs.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { stateWithSynthBars, TINY } from '../support/fixtures.js';

const STRATEGY = TINY;

let daemon: RunningDaemon;
let stateDir: string;
const tokens = {} as Record<Role, string>;
let admin: DaemonClient;
const client = (token: string): DaemonClient => new DaemonClient({ url: daemon.url, token });

beforeAll(async () => {
    stateDir = await stateWithSynthBars('af-daemon-');
    // The matrix and the load test call far faster than a person: lift the per-token and failed-login rates.
    daemon = await startDaemon({ stateDir, port: 0, concurrency: 2, limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000 } });
    expect(daemon.adminToken).toMatch(/^af_/);
    tokens.admin = daemon.adminToken!;
    admin = client(tokens.admin);
    for (const role of ['viewer', 'researcher', 'trader'] as const) {
        await admin.call('iam.users.create', { name: `u-${role}` });
        await admin.call('iam.members.set', { user: `u-${role}`, team: 'default', role });
        tokens[role] = (await admin.call('iam.tokens.create', { name: role, user: `u-${role}`, team: 'default' })).token;
    }
}, 60_000);

afterAll(async () => {
    await daemon?.stop();
});

/** Valid params for each method, so that "allowed" means the call succeeds (or fails on its own merits, never 401/403). */
async function fixtures(): Promise<Partial<Record<MethodName, unknown>>> {
    const run = (await admin.call('runs.submit', { kind: 'backtest', spec: { source: STRATEGY } })).run;
    const exp = (await admin.call('experiments.create', { name: `matrix-${Date.now()}` })).experiment;
    return {
        'daemon.info': {}, 'daemon.health': {}, 'lang.compile': { source: STRATEGY }, 'lang.lint': { source: STRATEGY }, 'lang.analyse': { source: STRATEGY }, 'lang.diff': { from: { source: STRATEGY }, to: { runId: run.id } },
        'data.list': {}, 'data.sample': {}, 'data.synth': { symbols: ['MTX'], bars: 50 }, 'data.import': { upload: 'upl_000000000000000000000000', venue: 'x', symbol: 'y', timeframe: '1d' },
        'data.export': { name: 'bars.parquet', bars: { ids: ['synth:AAA'], timeframe: '1d', columns: ['ts', 'close'] } },
        'data.show': { instrument: 'synth:AAA', limit: 3 }, 'data.resample': { instrument: 'synth:MTX', to: '1w' }, 'data.onchain.import': { kind: 'pools', upload: 'upl_000000000000000000000000' },
        'data.hft.import': { upload: 'upl_000000000000000000000000', format: 'tardis-trades', venue: 'x', symbol: 'Y' }, 'data.hft.sample': {}, 'data.hft.synth': { events: 100 },
        'data.hft.list': {}, 'data.hft.show': { instrument: 'synth:BTC/USDT', limit: 3 },
        // A bar strategy: refused as such (-32602), after authorisation.
        'hft.backtest': { source: STRATEGY },
        'runs.submit': { kind: 'backtest', spec: { source: STRATEGY } }, 'runs.get': { id: run.id }, 'runs.list': {},
        'runs.cancel': { id: run.id }, 'runs.logs': { id: run.id }, 'runs.artifacts': { id: run.id }, 'runs.promote': { id: run.id },
        'runs.result': { id: run.id },
        'experiments.create': { name: `e-${Math.random()}` }, 'experiments.list': {}, 'experiments.search': { filter: "attributes.kind = 'backtest'" },
        'experiments.compare': { runIds: [run.id, run.id] }, 'experiments.ledger': { structural: 'ab12' }, 'experiments.export': { name: 'runs.csv', experimentId: exp.id },
        'similar.find': { source: STRATEGY }, 'iam.whoami': {}, 'iam.tokens.create': { name: 'x' }, 'iam.tokens.list': {},
        'iam.tokens.revoke': { id: 'tok_0000000000000000' }, 'iam.users.create': { name: `n${Math.random().toString(36).slice(2, 8)}` }, 'iam.users.list': {},
        'iam.users.disable': { user: 'nobody-here' }, 'iam.users.enable': { user: 'nobody-here' }, 'iam.teams.create': { name: `t${Math.random().toString(36).slice(2, 8)}` },
        'iam.teams.list': {}, 'iam.members.set': { user: 'u-viewer', team: 'default', role: 'viewer' }, 'audit.list': { method: 'iam.', limit: 5 },
        // The researcher publishes x@1, the trader approves it (four eyes) and retires it; the others' repeats are 409.
        'registry.publish': { source: STRATEGY, name: 'x' }, 'registry.list': {}, 'registry.show': { name: 'x' },
        'registry.approve': { name: 'x', version: 1 }, 'registry.retire': { name: 'x', version: 1 },
        'registry.diff': { from: { name: 'x', version: 1 }, to: { name: 'x', version: 1 } }, 'packs.list': {}, 'packs.info': { name: 'core' },
        'execution.paper.start': { source: STRATEGY, feed: { barMs: 100, from: '2020-01-01', to: '2020-01-10' } },
        // x@1 is retired by now: 409; d1 does not exist: 404; the kill switch ends what the paper starts began.
        'execution.live.start': { registry: { name: 'x', version: 1 }, venue: 'paper', feed: { kind: 'replay' } },
        'execution.stop': { id: 'd1' }, 'execution.kill': { all: true }, 'execution.list': {}, 'execution.show': { id: 'd1' }, 'execution.positions': {},
        'execution.orders': {}, 'execution.events': { id: 'd1' },
        'venues.keys.set': { exchange: 'binance', apiKey: 'k', secret: 's' }, 'venues.keys.list': {}, 'venues.keys.remove': { ref: 'binance/none' },
    };
}

async function codeOf(p: Promise<unknown>): Promise<number> {
    try {
        await p;
        return 200;
    } catch (e) {
        if (e instanceof RpcError) return e.code;
        throw e;
    }
}

describe('the permission matrix', () => {
    it('every method × every role: 401 without a token, 403 below its role, allowed at or above it', async () => {
        const params = await fixtures();
        const names = Object.keys(METHODS) as MethodName[];
        expect(Object.keys(params).sort()).toEqual([...names].sort());
        const rows: string[] = [];
        for (const m of names) {
            const call = (token: string) => codeOf((client(token).call as (m: string, p: unknown) => Promise<unknown>)(m, params[m]));
            expect(await call('af_notatoken0000000000000000000000000000000000000000000'), `${m} with a bad token`).toBe(ErrorCodes.Unauthenticated);
            for (const role of ROLES) {
                const code = await call(tokens[role]);
                rows.push(`${m} ${role} ${code}`);
                if (!roleAllows(role, METHODS[m].role)) {
                    expect(code, `${m} as ${role}`).toBe(ErrorCodes.Forbidden);
                } else if (!METHODS[m].available) {
                    expect(code, `${m} as ${role}`).toBe(ErrorCodes.NotAvailable);
                } else {
                    expect([ErrorCodes.Unauthenticated, ErrorCodes.Forbidden], `${m} as ${role}`).not.toContain(code);
                }
            }
        }
        // Allowed calls really succeed unless the fixture is deliberately a not-found / conflict.
        const allowedFailures = rows.filter(r => !/ (200|403|501)$/.test(r));
        for (const r of allowedFailures) expect(r).toMatch(/^(data\.(import|resample|onchain\.import|hft\.import)|hft\.backtest|runs\.(cancel|promote|result)|iam\.users\.(disable|enable)|iam\.tokens\.revoke|experiments\.create|iam\.(users|teams)\.create|registry\.(publish|approve|retire)|execution\.(live\.start|stop|show|events)|venues\.keys\.remove) .* (404|409|-32602)$/);
        // Without any token at all: 401 too.
        const anon = await fetch(new URL('/rpc', daemon.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'daemon.info' }) });
        expect(anon.status).toBe(401);
    }, 240_000); // 20-26 s in CI, 45 s on a loaded one, and five calls more with each new method; a stuck call fails in the client's 60 s, naming its method
});

describe('bad input keeps the daemon up', () => {
    it('malformed JSON, unknown methods, wrong types, oversized payloads', async () => {
        const post = (body: string, token = tokens.viewer) => fetch(new URL('/rpc', daemon.url), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
        const bad = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
        expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(ErrorCodes.ParseError);
        const unknown = await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'runs.explode', params: {} }));
        expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(ErrorCodes.MethodNotFound);
        const wrong = await post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'runs.list', params: { limit: 'ten' } }));
        const w = (await wrong.json()) as { error: { code: number; data: { issues: { path: string[] }[] } } };
        expect(w.error.code).toBe(ErrorCodes.InvalidParams);
        expect(w.error.data.issues[0]!.path).toEqual(['limit']);
        const big = await post(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'lang.lint', params: { source: 'x'.repeat(3 * 1024 * 1024) } }));
        expect(big.status).toBe(413);
        const filter = await codeOf(client(tokens.viewer).call('experiments.search', { filter: 'metrics.sharpe > and' }));
        expect(filter).toBe(ErrorCodes.InvalidParams);
        expect((await client(tokens.viewer).call('daemon.info')).name).toBe('alphaforge');
    });
});

describe('runs through the daemon', () => {
    it('a backtest: lifecycle events in order, then metrics, artifacts and provenance', async () => {
        const c = client(tokens.researcher);
        const events: StreamEvent[] = [];
        let done!: () => void;
        const finished = new Promise<void>(r => { done = r; });
        const sub = await c.subscribe(['runs'], e => {
            events.push(e);
            if (e.type === 'lifecycle' && (e.state === 'completed' || e.state === 'failed')) done();
        });
        const { run } = await c.call('runs.submit', { kind: 'backtest', spec: { source: STRATEGY, params: { fast: 3 }, tags: { style: 'trend' } } });
        await finished;
        await sub.close();
        const mine = events.filter(e => e.type === 'lifecycle' && e.runId === run.id) as Extract<StreamEvent, { type: 'lifecycle' }>[];
        expect(mine.map(e => e.state)).toEqual(['created', 'queued', 'running', 'completed']);
        expect(mine.map(e => e.previous)).toEqual([null, 'created', 'queued', 'running']);
        for (let i = 1; i < mine.length; i++) expect(mine[i]!.seq).toBeGreaterThan(mine[i - 1]!.seq);
        const got = (await c.call('runs.get', { id: run.id })).run;
        expect(got.params).toMatchObject({ fast: 3, slow: 20 });
        expect(got.metrics!['tradeCount']).toBeGreaterThan(0);
        expect(got.fingerprints!.exact).toMatch(/^[0-9a-f]{64}$/);
        expect(got.dataSnapshot).toMatch(/^[0-9a-f]{64}$/);
        const arts = await c.call('runs.artifacts', { id: run.id, name: 'result.json' });
        expect(arts.artifacts.map(a => a.name)).toContain('result.json');
        expect(JSON.parse(arts.content!.data)).toMatchObject({ schema: 'alphaforge.run-result', runId: run.id });
        // The result as data: the series thinned for a chart (troughs kept), trades paged, counts whole.
        const full = (await c.call('runs.result', { id: run.id, maxPoints: 200_000 })).result;
        expect(full.series!.ts).toHaveLength(full.range.bars);
        const thin = await c.call('runs.result', { id: run.id, maxPoints: 50, tradesOffset: 1, tradesLimit: 2 });
        expect(full.range.bars).toBeGreaterThan(200);
        expect(thin.page).toMatchObject({ points: thin.result.series!.ts.length, bars: full.range.bars, tradesOffset: 1, trades: Math.min(2, full.tradeCount - 1) });
        expect(thin.result.series!.ts.length).toBeLessThanOrEqual(50);
        expect(thin.result.series!.ts.length).toBeGreaterThan(20);
        const deepest = (s: { drawdown: unknown[] }): number => Math.min(...s.drawdown.map(Number));
        expect(deepest(thin.result.series!)).toBe(deepest(full.series!));
        expect(thin.result.trades).toEqual(full.trades.slice(1, 3));
        expect(thin.result.tradeCount).toBe(got.metrics!['tradeCount']);
        expect(thin.result.metrics).toEqual(full.metrics);
        // The daemon's log holds its start and end with its team and trace: what `af logs --run ID` shows.
        const lines = (await readLogs(stateDir, { runId: run.id })).filter(l => l.component === 'orchestrator');
        expect(got.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(lines.map(l => [l.msg, l.level, l.traceId, l.fields['team'], l.fields['state'], l.fields['detail']])).toEqual([
            ['run running', 'info', got.traceId, 'default', 'running', 'attempt 1'],
            ['run completed', 'info', got.traceId, 'default', 'completed', undefined],
        ]);
        expect(lines[1]!.fields['ms']).toBe(Date.parse(got.finishedAt!) - Date.parse(got.startedAt!));
        // The experiment store indexed it: the filter language finds it by tag and metric.
        const found = await c.call('experiments.search', { filter: `tags.style = 'trend' and params.fast = 3 and metrics.tradeCount > 0` });
        expect(found.runs.map(r => r.run.id)).toContain(run.id);
        // Another team does not see it.
        await admin.call('iam.teams.create', { name: 'other' });
        await admin.call('iam.users.create', { name: 'outsider' });
        await admin.call('iam.members.set', { user: 'outsider', team: 'other', role: 'researcher' });
        const outsider = client((await admin.call('iam.tokens.create', { name: 'o', user: 'outsider', team: 'other' })).token);
        expect(await codeOf(outsider.call('runs.get', { id: run.id }))).toBe(ErrorCodes.NotFound);
        expect(await codeOf(outsider.call('runs.result', { id: run.id }))).toBe(ErrorCodes.NotFound);
        expect((await outsider.call('runs.list')).runs.map(r => r.id)).not.toContain(run.id);
    }, 60_000);

    it('load: 20 clients submit 200 small backtests; all complete, none lost or duplicated', async () => {
        const clients = Array.from({ length: 20 }, () => client(tokens.researcher));
        const ids = (await Promise.all(clients.map(async (c, i) => {
            const mine: string[] = [];
            for (let k = 0; k < 10; k++) mine.push((await c.call('runs.submit', { kind: 'backtest', spec: { source: STRATEGY, params: { fast: 2 + ((i + k) % 8) }, tags: { batch: 'load' } } })).run.id);
            return mine;
        }))).flat();
        expect(new Set(ids).size).toBe(200);
        const deadline = Date.now() + 180_000;
        let states: Record<string, number> = {};
        while (Date.now() < deadline) {
            const list = await admin.call('experiments.search', { filter: "tags.batch = 'load'", limit: 1000 });
            states = {};
            for (const r of list.runs) states[r.run.state] = (states[r.run.state] ?? 0) + 1;
            if ((states['completed'] ?? 0) + (states['failed'] ?? 0) >= 200) break;
            await new Promise(r => setTimeout(r, 500));
        }
        expect(states).toEqual({ completed: 200 });
        const listed = await admin.call('runs.list', { limit: 1000 });
        const loadIds = listed.runs.filter(r => r.tags['batch'] === 'load').map(r => r.id);
        expect(loadIds.sort()).toEqual([...ids].sort());
    }, 240_000);
});

describe('the daemon state directory', () => {
    it('writes the bootstrap admin token with mode 0600 and announces itself', async () => {
        const { statSync, readFileSync } = await import('node:fs');
        expect(statSync(join(stateDir, 'admin.token')).mode & 0o777).toBe(0o600);
        const a = JSON.parse(readFileSync(join(stateDir, 'daemon.json'), 'utf8')) as { url: string; pid: number };
        expect(a.url).toBe(daemon.url);
        expect(a.pid).toBe(process.pid);
        writeFileSync(join(stateDir, 'probe'), 'ok');
    });
});
