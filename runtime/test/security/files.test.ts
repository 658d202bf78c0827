/**
 * Issue 11, items 1, 3 and 10 — what files a caller can name — against the real daemon
 * (startSecureDaemon: teams alpha and beta, a token of every role, a planted host secret).
 *
 * - data.import by path: only regular .csv/.parquet files inside the data directories, after
 *   symlinks; never the state directory (but its imports/), another team's uploads, a FIFO or a
 *   device; errors name the file, lines and problem classes, never what the file holds.
 * - data.import by upload: PUT /uploads/<name> (streamed, size-limited, per team), then {upload}.
 * - data.export / experiments.export: only into the caller's team export folder under a checked
 *   name, downloaded with GET /exports/<name>; the database, tokens and config never written.
 * - MCP: `file` arguments are .af files inside the workspace; errors quote no other file.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, ROLES, roleAllows, type Role } from '../../../protocol/src/daemon/index.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { GrpcDaemonClient } from '../../src/gateway/grpc.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { csv, dailyRows, tempDir } from '../data/helpers.js';
import { expectNoLeak, rejection, startSecureDaemon, TEAMS, TINY, type SecureDaemon } from './support.js';

const UPLOAD_LIMIT = 256 * 1024;
const bars = csv(dailyRows(60).map((r, i) => { const c = 100 + 10 * Math.sin(i / 3); return [r[0]!, c - 0.5, c + 1, c - 1, c, 1000 + i]; }));

let sec: SecureDaemon;
/** The workspace (a data directory) with hostile entries planted in it. */
let ws: string;
/** Strings no answer may contain, besides sec.secrets: the first line of /etc/passwd, a secret inside the workspace. */
let secrets: string[];
const ids: Record<string, string> = {};

beforeAll(async () => {
    ws = tempDir('af-ws-');
    // /dev as a second data directory: a device inside a root is still refused (it is not a regular file).
    sec = await startSecureDaemon({ dataDirs: [ws, '/dev'], maxUploadBytes: UPLOAD_LIMIT });
    writeFileSync(join(ws, 'good.csv'), bars);
    writeFileSync(join(ws, 'notes.csv'), 'WORKSPACE-SECRET-a1b2,other\n1,2\n');
    writeFileSync(join(ws, 'bad-rows.csv'), csv([['2024-01-01', 10, 12, 9, 11, 100], ['2024-01-02', 10, 8, 9.5, 11, 777.25], ['2024-01-03', 10, 12, 9, 11, 100]]));
    writeFileSync(join(ws, '.env.csv'), 'ts,open\nHIDDEN-SECRET,1\n');
    symlinkSync(sec.hostSecretFile, join(ws, 'link-secret.csv'));
    symlinkSync(join(sec.stateDir, 'admin.token'), join(ws, 'link-token.csv'));
    symlinkSync(sec.stateDir, join(ws, 'link-state'));
    symlinkSync('/dev/zero', join(ws, 'zero.csv'));
    execFileSync('mkfifo', [join(ws, 'fifo.csv')]);
    writeFileSync(join(ws, 'a*.csv'), bars); // DuckDB would read 'a*.csv' as a pattern
    const passwd = existsSync('/etc/passwd') ? readFileSync('/etc/passwd', 'utf8').split('\n')[0]! : 'no-passwd';
    secrets = [...sec.secrets, passwd, 'WORKSPACE-SECRET-a1b2', 'HIDDEN-SECRET'];
    for (const team of TEAMS) ids[team] = (await sec.client(sec.tokens[team].researcher).call('iam.whoami')).principal.teamId;
}, 60_000);

afterAll(async () => {
    await sec?.stop();
});

const importParams = { venue: 'up', symbol: 'XYZ', timeframe: '1d' } as const;

describe('data.import of a path on the daemon\'s host (item 1)', () => {
    const hostile = (): Record<string, string> => ({
        'the admin token': join(sec.stateDir, 'admin.token'),
        '/etc/passwd': '/etc/passwd',
        'the host secret': sec.hostSecretFile,
        '../ out of the workspace': '../../../../../../../../etc/passwd',
        '../ to the admin token': relative(ws, join(sec.stateDir, 'admin.token')),
        'a symlink to the host secret': 'link-secret.csv',
        'a symlink to the admin token': 'link-token.csv',
        'a symlinked state directory': 'link-state/alphaforge.duckdb',
        'the database': join(sec.stateDir, 'alphaforge.duckdb'),
        'a FIFO (must not hang)': 'fifo.csv',
        'a device through a symlink': 'zero.csv',
        'a device': '/dev/zero',
        'a hidden file': '.env.csv',
        'a name DuckDB reads as a pattern': 'a*.csv',
    });

    it('is refused for every hostile path, team and role, and no answer leaks a secret', async () => {
        for (const team of TEAMS) {
            for (const role of ROLES) {
                // A short timeout: a FIFO or device read would hang the call.
                const c = sec.client(sec.tokens[team][role], 10_000);
                for (const [what, file] of Object.entries(hostile())) {
                    const e = await rejection(c.call('data.import', { file, ...importParams }));
                    expect(e.code, `${what} as ${team} ${role}: ${e.message}`).toBe(roleAllows(role, 'researcher') ? ErrorCodes.InvalidParams : ErrorCodes.Forbidden);
                    expectNoLeak(e, secrets);
                }
            }
        }
    }, 120_000);

    it('is refused over gRPC too (the same dispatcher), and the old host-path export with it', async () => {
        const g = new GrpcDaemonClient({ address: sec.daemon.gateway.grpcAddress!, token: sec.tokens.beta.researcher });
        try {
            for (const file of [join(sec.stateDir, 'admin.token'), 'link-secret.csv', '/etc/passwd']) {
                const e = await rejection(g.call('data.import', { file, ...importParams }));
                expect(e.code).toBe(ErrorCodes.InvalidParams);
                expectNoLeak(e, secrets);
            }
            const before = readFileSync(join(sec.stateDir, 'admin.token'), 'utf8');
            const e = await rejection((g.call as (m: string, p: unknown) => Promise<unknown>)('data.export', { file: join(sec.stateDir, 'admin.token'), format: 'csv', bars: { ids: ['synth:AAA'], timeframe: '1d' } }));
            expect(e.code).toBe(ErrorCodes.InvalidParams);
            expect(readFileSync(join(sec.stateDir, 'admin.token'), 'utf8')).toBe(before);
        } finally {
            g.close();
        }
    });

    it('names why, without saying whether anything outside exists', async () => {
        const c = sec.client(sec.tokens.alpha.researcher);
        const missing = await rejection(c.call('data.import', { file: '/etc/no-such-file.csv', ...importParams }));
        const present = await rejection(c.call('data.import', { file: sec.hostSecretFile, ...importParams }));
        expect(missing.message).toMatch(/outside the folders the daemon may read/);
        expect(present.message.replace(sec.hostSecretFile, 'X')).toBe(missing.message.replace('/etc/no-such-file.csv', 'X'));
        expect((await rejection(c.call('data.import', { file: 'fifo.csv', ...importParams }))).message).toMatch(/not a regular file/);
        expect((await rejection(c.call('data.import', { file: 'zero.csv', ...importParams }))).message).toMatch(/not a regular file/);
    });

    it('redacts what a file inside a data directory holds: the file, line numbers and the problem class only', async () => {
        const c = sec.client(sec.tokens.alpha.researcher);
        const notBars = await rejection(c.call('data.import', { file: 'notes.csv', ...importParams }));
        expect(notBars.message).toMatch(/^notes\.csv: no column for ts; the file has 2 columns/);
        expectNoLeak(notBars, secrets);
        const bad = await rejection(c.call('data.import', { file: 'bad-rows.csv', ...importParams }));
        expect(bad.message).toMatch(/bad-rows\.csv: import rejected: 1 × high < low \(first at line 3\)/);
        const problems = (bad.data as { problems: { code: string; rows: number[]; examples: string[] }[] }).problems;
        expect(problems.find(p => p.code === 'high-below-low')).toMatchObject({ rows: [3], examples: ['line 3'] });
        expect(JSON.stringify(bad.data)).not.toMatch(/777\.25|2024-01-02|high=/);
        // A clean file imports, and its notes name no column of the file.
        const ok = await c.call('data.import', { file: 'good.csv', ...importParams, symbol: 'PATH' });
        expect(ok.rowsWritten).toBe(60);
        expect(ok.source).toBe('good.csv');
        expect(ok.notes.join(' ')).not.toMatch(/date/);
    });
});

describe('the state directory inside the workspace (the default layout)', () => {
    let d: RunningDaemon;
    let home: string;
    let state: string;
    const tok: Record<string, string> = {};
    const teamIds: Record<string, string> = {};
    const client = (t: string): DaemonClient => new DaemonClient({ url: d.url, token: t });

    beforeAll(async () => {
        home = tempDir('af-home-');
        state = join(home, 'state'); // not hidden: the exclusion itself is tested, not the hidden-file rule
        mkdirSync(join(home, 'data'));
        writeFileSync(join(home, 'data', 'bars.csv'), bars);
        d = await startDaemon({ stateDir: state, workspace: home, port: 0, limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000 } });
        const admin = client(d.adminToken!);
        for (const t of ['t1', 't2']) {
            teamIds[t] = (await admin.call('iam.teams.create', { name: t })).team.id;
            await admin.call('iam.users.create', { name: `r-${t}` });
            await admin.call('iam.members.set', { user: `r-${t}`, team: t, role: 'researcher' });
            tok[t] = (await admin.call('iam.tokens.create', { name: t, user: `r-${t}`, team: t })).token;
        }
        writeFileSync(join(state, 'alerts.json'), '{"rules":[]}');
    }, 60_000);

    afterAll(async () => {
        await d?.stop();
    });

    it('reads the workspace and imports/, never the state directory, another team\'s uploads or exports', async () => {
        const t1 = client(tok.t1!), t2 = client(tok.t2!);
        expect((await t1.call('data.import', { file: 'data/bars.csv', ...importParams })).rowsWritten).toBe(60);
        // Files of team t2 in the state directory: an upload and an export.
        const up = await t2.upload(join(home, 'data', 'bars.csv'));
        await t2.call('data.import', { upload: up.id, ...importParams, symbol: 'T2' });
        const exp = await t2.call('data.export', { name: 't2-bars.csv', bars: { ids: ['up:T2'], timeframe: '1d' } });
        // The operator's drop folder and t1's own uploads are readable by path; nothing else of the state directory is.
        writeFileSync(join(state, 'imports', 'ops.csv'), bars);
        expect((await t1.call('data.import', { file: 'state/imports/ops.csv', ...importParams })).rowsWritten).toBe(60);
        expect((await t1.call('data.import', { file: join(state, 'imports', 'ops.csv'), ...importParams })).rowsWritten).toBe(60);
        const own = await t1.upload(join(home, 'data', 'bars.csv'));
        expect((await t1.call('data.import', { file: `state/imports/${teamIds.t1}/${own.id}/bars.csv`, ...importParams })).rowsWritten).toBe(60);
        writeFileSync(join(state, 'logs', 'x.csv'), bars);
        for (const file of [
            'state/admin.token', 'state/alphaforge.duckdb', 'state/daemon.json', 'state/alerts.json', 'state/logs/daemon.log', 'state/logs/x.csv',
            `state/imports/${teamIds.t2}/${up.id}/bars.csv`, join(state, 'imports', teamIds.t2!, up.id, 'bars.csv'),
            `state/exports/${teamIds.t2}/${exp.file}`, 'state/imports/../exports/x.csv',
        ]) {
            const e = await rejection(t1.call('data.import', { file, ...importParams }));
            expect(e.code, `${file}: ${e.message}`).toBe(ErrorCodes.InvalidParams);
            expect(e.message).not.toMatch(/af_/);
        }
        // Whether a file exists in the state directory cannot be probed: the same answer either way.
        const there = await rejection(t1.call('data.import', { file: `state/exports/${teamIds.t2}/${exp.file}`, ...importParams }));
        const absent = await rejection(t1.call('data.import', { file: `state/exports/${teamIds.t2}/absent.csv`, ...importParams }));
        expect(there.message.replace(exp.file, 'X')).toBe(absent.message.replace('absent.csv', 'X'));
        // t2's upload is not t1's to import by id either.
        expect((await rejection(t1.call('data.import', { upload: up.id, ...importParams }))).code).toBe(ErrorCodes.NotFound);
        expect(readFileSync(join(state, 'alerts.json'), 'utf8')).toBe('{"rules":[]}');
    }, 60_000);

    it('creates imports/ and exports/ private to the daemon\'s user', () => {
        for (const dir of ['imports', 'exports']) expect(statSync(join(state, dir)).mode & 0o777).toBe(0o700);
    });
});

describe('uploads: PUT /uploads/<name> then data.import {upload} (item 1)', () => {
    const put = (name: string, body: BodyInit | ReadableStream, token?: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> =>
        fetch(new URL(`/uploads/${name}`, sec.daemon.url), {
            method: 'PUT', body, duplex: 'half', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, ...(signal ? { signal } : {}),
        } as RequestInit);
    const teamUploads = (team: string): string[] => {
        const dir = join(sec.stateDir, 'imports', ids[team]!);
        return existsSync(dir) ? readdirSync(dir) : [];
    };

    it('the happy path: streamed to the team\'s folder, imported, and a backtest runs on the bars', async () => {
        const file = join(tempDir('af-local-'), 'xyz.csv');
        writeFileSync(file, bars);
        const c = sec.client(sec.tokens.alpha.researcher);
        const up = await c.upload(file);
        expect(up).toMatchObject({ name: 'xyz.csv', bytes: Buffer.byteLength(bars), sha256: createHash('sha256').update(bars).digest('hex') });
        expect(up.id).toMatch(/^upl_[0-9a-f]{24}$/);
        expect(readFileSync(join(sec.stateDir, 'imports', ids.alpha!, up.id, 'xyz.csv'), 'utf8')).toBe(bars);
        const r = await c.call('data.import', { upload: up.id, ...importParams });
        expect(r).toMatchObject({ rowsWritten: 60, source: 'xyz.csv' });
        expect(r.notes[0]).toMatch(/ts=date/); // the caller's own bytes: full detail
        const { run } = await c.call('runs.submit', { kind: 'backtest', spec: { source: TINY.replace('synth:AAA', 'up:XYZ') } });
        let got = (await c.call('runs.get', { id: run.id })).run;
        for (let i = 0; i < 300 && !['completed', 'failed', 'cancelled'].includes(got.state); i++) {
            await new Promise(res => setTimeout(res, 100));
            got = (await c.call('runs.get', { id: run.id })).run;
        }
        expect(got.state, got.error ?? '').toBe('completed');
        expect(got.metrics?.['tradeCount']).toBeGreaterThanOrEqual(0);
    }, 60_000);

    it('an upload\'s own problems are reported in full', async () => {
        const file = join(tempDir('af-local-'), 'bad.csv');
        writeFileSync(file, csv([['2024-01-01', 10, 12, 9, 11, 100], ['2024-01-02', 10, 8, 9.5, 11, 777.25]]));
        const c = sec.client(sec.tokens.alpha.researcher);
        const e = await rejection(c.call('data.import', { upload: (await c.upload(file)).id, ...importParams }));
        expect(JSON.stringify(e.data)).toMatch(/high=8/);
    });

    it('over the limit: 413, by Content-Length at once or while streaming; nothing is left on disk', async () => {
        const big = join(tempDir('af-local-'), 'big.csv');
        writeFileSync(big, 'x'.repeat(UPLOAD_LIMIT + 1));
        const before = teamUploads('alpha');
        const e = await rejection(sec.client(sec.tokens.alpha.researcher).upload(big));
        expect(e.code).toBe(ErrorCodes.PayloadTooLarge);
        // Well over the limit: refused by Content-Length before a byte is read, while the client is still sending.
        // The daemon reads and discards the rest, so the client gets the 413; it used to close the connection
        // under the client, which then failed with EPIPE as "cannot reach the daemon" (193 of 200 tries at 4 MB).
        const bigger = join(tempDir('af-local-'), 'bigger.csv');
        writeFileSync(bigger, 'x'.repeat(4 * 1024 * 1024));
        for (let i = 0; i < 3; i++) expect((await rejection(sec.client(sec.tokens.alpha.researcher).upload(bigger))).code).toBe(ErrorCodes.PayloadTooLarge);
        // No Content-Length (chunked): counted as it streams.
        const chunk = new Uint8Array(64 * 1024).fill(120);
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
            pull(ctl) {
                if (sent > UPLOAD_LIMIT * 2) { ctl.close(); return; }
                sent += chunk.length;
                ctl.enqueue(chunk);
            },
        });
        const res = await put('streamed.csv', stream, sec.tokens.alpha.researcher);
        expect(res.status).toBe(413);
        expect(((await res.json()) as { error: { code: number } }).error.code).toBe(ErrorCodes.PayloadTooLarge);
        expect(teamUploads('alpha').sort()).toEqual(before.sort());
        // A client that goes away mid-upload leaves nothing either.
        const abort = new AbortController();
        let pulls = 0;
        const endless = new ReadableStream<Uint8Array>({
            async pull(ctl) {
                if (++pulls === 3) abort.abort();
                await new Promise(res => setTimeout(res, 20));
                ctl.enqueue(new Uint8Array(1024).fill(120));
            },
        });
        await put('aborted.csv', endless, sec.tokens.alpha.researcher, {}, abort.signal).catch(() => undefined);
        for (let i = 0; i < 100 && teamUploads('alpha').length !== before.length; i++) await new Promise(res => setTimeout(res, 50));
        expect(teamUploads('alpha').sort()).toEqual(before.sort());
    });

    it('no token: 401; a viewer: 403; bad names: 400; another team\'s upload id: 404', async () => {
        expect((await put('a.csv', bars)).status).toBe(401);
        expect((await put('a.csv', bars, 'af_notatoken0000000000000000000000000000000000000000000')).status).toBe(401);
        for (const team of TEAMS) {
            const res = await put('a.csv', bars, sec.tokens[team].viewer);
            expect(res.status).toBe(403);
            expect(((await res.json()) as { error: { code: number } }).error.code).toBe(ErrorCodes.Forbidden);
        }
        for (const name of ['..%2Fa.csv', '.hidden.csv', 'a%2Fb.csv', 'x.token', 'alphaforge.duckdb', 'a*.csv', '%00.csv']) {
            expect((await put(name, bars, sec.tokens.alpha.researcher)).status, name).toBe(400);
        }
        const file = join(tempDir('af-local-'), 'mine.csv');
        writeFileSync(file, bars);
        const mine = await sec.client(sec.tokens.alpha.researcher).upload(file);
        for (const role of ['researcher', 'trader', 'admin'] as Role[]) {
            const e = await rejection(sec.client(sec.tokens.beta[role]).call('data.import', { upload: mine.id, ...importParams }));
            expect(e.code).toBe(ErrorCodes.NotFound);
            expectNoLeak(e, secrets);
        }
        expect((await rejection(sec.client(sec.tokens.beta.researcher).call('data.import', { upload: '../../admin.token', ...importParams }))).code).toBe(ErrorCodes.InvalidParams);
    });
});

describe('exports: only into the team\'s export folder, then downloaded (item 3)', () => {
    const protectedFiles = (): Record<string, string> => ({
        'alphaforge.duckdb': join(sec.stateDir, 'alphaforge.duckdb'),
        'admin.token': join(sec.stateDir, 'admin.token'),
        'alerts.json': join(sec.stateDir, 'alerts.json'),
        'daemon.json': join(sec.stateDir, 'daemon.json'),
    });
    const snapshot = (): Record<string, string> => Object.fromEntries(Object.entries(protectedFiles()).map(([k, f]) => [k, existsSync(f) ? createHash('sha256').update(readFileSync(f)).digest('hex') : 'absent']));
    const exportsOf = (team: string): string => join(sec.stateDir, 'exports', ids[team]!);
    const get = (name: string, token?: string): Promise<Response> =>
        fetch(new URL(`/exports/${name}`, sec.daemon.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });

    beforeAll(() => {
        writeFileSync(join(sec.stateDir, 'alerts.json'), '{"rules":[]}');
    });

    it('refuses every hostile destination; the database, token and config files are unchanged', async () => {
        const c = sec.client(sec.tokens.alpha.researcher);
        const before = snapshot();
        const exp = (await c.call('experiments.create', { name: 'dest' })).experiment;
        const paths = [...Object.values(protectedFiles()), join(sec.hostDir, 'x.csv'), '../x.csv', join(ws, 'out.csv')];
        const names = [
            ...Object.keys(protectedFiles()), '../admin.token', '../../alerts.json', '..', '../x.csv', '.hidden.csv', 'a/b.csv',
            '/etc/x.csv', join(sec.stateDir, 'admin.token'), 'x.csv/', 'x.csv\0.token', 'logs/daemon.log',
        ];
        for (const file of paths) {
            // The old destination parameter: a path on the host. Not a parameter any more.
            for (const [m, p] of [['data.export', { bars: { ids: ['synth:AAA'], timeframe: '1d' } }], ['experiments.export', { experimentId: exp.id }]] as const) {
                const e = await rejection((c.call as (m: string, p: unknown) => Promise<unknown>)(m, { file, format: 'csv', ...p }));
                expect(e.code, `${m} ${file}`).toBe(ErrorCodes.InvalidParams);
            }
        }
        for (const name of names) {
            const a = await rejection(c.call('data.export', { name, bars: { ids: ['synth:AAA'], timeframe: '1d' } }));
            const b = await rejection(c.call('experiments.export', { name, experimentId: exp.id }));
            for (const e of [a, b]) {
                expect(e.code, `${name}: ${e.message}`).toBe(ErrorCodes.InvalidParams);
                expectNoLeak(e, secrets);
            }
        }
        expect(snapshot()).toEqual(before);
        expect((await c.call('data.list')).series.length).toBeGreaterThan(0);
    });

    it('replaces a symlink planted in the export folder instead of writing through it', async () => {
        const c = sec.client(sec.tokens.alpha.researcher);
        await c.call('data.export', { name: 'first.csv', bars: { ids: ['synth:AAA'], timeframe: '1d' } });
        const before = snapshot();
        for (const [link, target] of [['evil.csv', join(sec.stateDir, 'alerts.json')], ['evil2.parquet', join(sec.stateDir, 'alphaforge.duckdb')], ['evil3.csv', join(sec.stateDir, 'admin.token')]] as const) {
            symlinkSync(target, join(exportsOf('alpha'), link));
            const r = await c.call('data.export', { name: link, bars: { ids: ['synth:AAA'], timeframe: '1d' } });
            expect(r.file).toBe(link);
            expect(lstatSync(join(exportsOf('alpha'), link)).isSymbolicLink()).toBe(false);
        }
        expect(snapshot()).toEqual(before);
    });

    it('downloads the team\'s own file; not another team\'s, not `..`, not through a symlink, not without a researcher token', async () => {
        const c = sec.client(sec.tokens.alpha.researcher);
        const r = await c.call('data.export', { name: 'aaa.csv', bars: { ids: ['synth:AAA'], timeframe: '1d' } });
        expect(r).toMatchObject({ file: 'aaa.csv', format: 'csv', rows: 400 });
        const local = join(tempDir('af-dl-'), 'aaa.csv');
        expect((await c.download(r.file, local)).bytes).toBe(r.bytes);
        expect(readFileSync(local, 'utf8').split('\n')[0]).toBe('symbol,ts,open,high,low,close,volume');
        // A name the daemon picks; experiments.export too.
        const picked = await c.call('experiments.export', {});
        expect(picked.file).toMatch(/^runs-\d{8}T\d{6}Z-[0-9a-f]{6}\.parquet$/);
        expect((await c.download(picked.file, join(tempDir('af-dl-'), 'runs.parquet'))).bytes).toBe(picked.bytes);

        for (const role of ['researcher', 'admin'] as Role[]) {
            const e = await rejection(sec.client(sec.tokens.beta[role]).download('aaa.csv', join(tempDir('af-dl-'), 'x.csv')));
            expect(e.code).toBe(ErrorCodes.NotFound);
        }
        symlinkSync(sec.hostSecretFile, join(exportsOf('alpha'), 'leak.csv'));
        symlinkSync(join(sec.stateDir, 'admin.token'), join(exportsOf('alpha'), 'token.csv'));
        for (const name of ['leak.csv', 'token.csv', '..%2Fadmin.token', '..%2F..%2Falerts.json', '%2e%2e%2f%2e%2e%2fadmin.token', '..', '.writing-x', `..%2F${ids.beta}%2Faaa.csv`]) {
            const res = await get(name, sec.tokens.alpha.researcher);
            expect([400, 404], name).toContain(res.status);
            const text = await res.text();
            for (const s of secrets) expect(text).not.toContain(s);
        }
        expect((await get('aaa.csv')).status).toBe(401);
        expect((await get('aaa.csv', sec.tokens.alpha.viewer)).status).toBe(403);
        expect((await get('aaa.csv', sec.tokens.alpha.researcher)).status).toBe(200);
    });

    it('uploads and downloads are audited: who, which name, how many bytes; refusals too', async () => {
        const audit = (): { method: string; result: string; code?: number; actor: { user?: string }; target: Record<string, unknown> }[] =>
            readFileSync(join(sec.stateDir, 'logs', 'audit.log'), 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as never);
        const file = join(tempDir('af-local-'), 'audited.csv');
        writeFileSync(file, bars);
        const c = sec.client(sec.tokens.beta.researcher);
        const up = await c.upload(file);
        expect(audit().filter(r => r.method === 'data.upload').at(-1)).toMatchObject({ result: 'ok', actor: { user: 'beta-researcher' }, target: { name: 'audited.csv', upload: up.id, bytes: up.bytes, sha256: up.sha256 } });
        await rejection(sec.client(sec.tokens.beta.viewer).upload(file));
        expect(audit().filter(r => r.method === 'data.upload').at(-1)).toMatchObject({ result: 'error', code: ErrorCodes.Forbidden, actor: { user: 'beta-viewer' } });
        const r = await c.call('data.export', { name: 'audited.csv', bars: { ids: ['synth:BBB'], timeframe: '1d' } });
        await c.download(r.file, join(tempDir('af-dl-'), 'x.csv'));
        expect(audit().filter(x => x.method === 'data.download').at(-1)).toMatchObject({ result: 'ok', target: { name: 'audited.csv', bytes: r.bytes } });
        await rejection(c.download('nope.csv', join(tempDir('af-dl-'), 'y.csv')));
        expect(audit().filter(x => x.method === 'data.download').at(-1)).toMatchObject({ result: 'error', code: ErrorCodes.NotFound, target: { name: 'nope.csv' } });
        expect(readFileSync(join(sec.stateDir, 'logs', 'audit.log'), 'utf8')).not.toContain('date,open');
    });
});

describe('MCP file arguments (item 10)', () => {
    const tools: Client[] = [];
    const mcp = async (workspace: string): Promise<Client> => {
        const server = createMcpServer(sec.client(sec.tokens.alpha.researcher), { workspace, pollMs: { min: 20, max: 100 } });
        const [a, b] = InMemoryTransport.createLinkedPair();
        await server.connect(a);
        const client = new Client({ name: 'files-test', version: '0.0.0' });
        await client.connect(b);
        tools.push(client);
        return client;
    };
    const call = async (c: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> => (await c.callTool({ name, arguments: args })) as CallToolResult;
    const text = (r: CallToolResult): string => r.content.map(x => (x.type === 'text' ? x.text : '')).join('\n');

    afterAll(async () => {
        for (const c of tools) await c.close().catch(() => undefined);
    });

    it('lint, compile, backtest and find_similar refuse admin.token, /etc/passwd and non-.af files, quoting none of them', async () => {
        const workspace = tempDir('af-mcp-ws-');
        writeFileSync(join(workspace, 'tiny.af'), TINY);
        writeFileSync(join(workspace, 'notes.txt'), 'WORKSPACE-SECRET-a1b2 is not a strategy');
        symlinkSync(join(sec.stateDir, 'admin.token'), join(workspace, 'token.af'));
        // The state directory as the workspace (as when af mcp runs where the daemon keeps its state).
        const inState = await mcp(sec.stateDir);
        const c = await mcp(workspace);
        const cases: [Client, string, RegExp][] = [
            [inState, 'admin.token', /not a \.af file/],
            [c, join(sec.stateDir, 'admin.token'), /outside the workspace/],
            [c, '/etc/passwd', /outside the workspace/],
            [c, sec.hostSecretFile, /outside the workspace/],
            [c, '../../../../etc/passwd', /outside the workspace/],
            [c, 'notes.txt', /not a \.af file/],
            [c, 'token.af', /outside the workspace/],
        ];
        for (const [client, file, why] of cases) {
            for (const tool of ['lint', 'compile', 'backtest', 'sweep', 'find_similar']) {
                const r = await call(client, tool, { file });
                expect(r.isError, `${tool} ${file}`).toBe(true);
                expect(text(r), `${tool} ${file}`).toMatch(why);
                expectNoLeak(r, secrets);
            }
        }
        const ok = await call(c, 'lint', { file: 'tiny.af' });
        expect(ok.isError ?? false).toBe(false);
        expect(text(ok)).toMatch(/clean/);
    }, 60_000);
});

describe('the gateway keeps answering', () => {
    it('after all of the above', async () => {
        expect((await sec.client(sec.tokens.beta.viewer).call('daemon.info')).name).toBe('alphaforge');
    });
});
