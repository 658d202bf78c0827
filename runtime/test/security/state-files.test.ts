/**
 * The state directory's files (issue 11, item 14): with a typical umask (022), a state directory
 * made by a CLI import and then used by a real daemon (HTTP, WebSocket, gRPC, a run, IAM changes)
 * holds only 0700 directories and 0600 files; looser modes left from before are tightened at start
 * (and logged), other files in the folder are left alone; and a refused bind (`--host 0.0.0.0`
 * without TLS) writes nothing at all — no directory, no log, no admin token.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { csv, dailyRows, tempDir } from '../data/helpers.js';
import { TINY } from './support.js';

/** Every file and directory under `dir` whose mode lets group or others in, as "path mode". */
function loosePaths(dir: string): string[] {
    const out: string[] = [];
    const visit = (p: string): void => {
        const st = lstatSync(p);
        if (st.isSymbolicLink()) return;
        if ((st.mode & 0o077) !== 0) out.push(`${p.slice(dir.length) || '/'} ${(st.mode & 0o777).toString(8)}`);
        if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
    };
    visit(dir);
    return out;
}

function everyPath(dir: string): string[] {
    const out: string[] = [];
    const visit = (p: string): void => {
        out.push(p.slice(dir.length));
        if (lstatSync(p).isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
    };
    visit(dir);
    return out;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await run(args, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

// A user's usual umask: the daemon and the CLI must not depend on a careful one.
let saved: number;
beforeEach(() => { saved = process.umask(0o022); });
afterEach(() => { process.umask(saved); });

describe('modes of the state directory', () => {
    it('a fresh state dir after a CLI import, then a daemon start, calls, a run and a stop: dirs 0700, files 0600', async () => {
        const stateDir = join(tempDir('af-modes-'), 'state');
        const input = tempDir('af-modes-in-');
        const file = join(input, 'bars.csv');
        writeFileSync(file, csv(dailyRows(60)));
        const imported = await cli(['data', 'import', file, '--venue', 'test', '--symbol', 'TB', '--timeframe', '1d', '--state-dir', stateDir]);
        expect(imported.code, imported.err).toBe(0);
        expect(loosePaths(stateDir)).toEqual([]);
        expect(everyPath(stateDir)).toContain('/alphaforge.duckdb');

        const d = await startDaemon({ stateDir, port: 0, concurrency: 1, grpc: true });
        try {
            const admin = new DaemonClient({ url: d.url, token: d.adminToken! });
            await admin.call('iam.users.create', { name: 'mode-user' });
            await admin.call('iam.tokens.create', { name: 'mode' });
            const sub = await admin.subscribe(['runs'], () => undefined);
            const { run: r } = await admin.call('runs.submit', { kind: 'backtest', spec: { source: TINY.replaceAll('synth:AAA', 'test:TB') } });
            for (let i = 0; i < 300 && !['completed', 'failed'].includes((await admin.call('runs.get', { id: r.id })).run.state); i++) await new Promise(res => setTimeout(res, 100));
            await sub.close();
            expect(loosePaths(stateDir)).toEqual([]);
        } finally {
            await d.stop();
        }
        expect(loosePaths(stateDir)).toEqual([]);
        // What the daemon wrote is there (so the check above covered it).
        for (const p of ['/admin.token', '/logs/daemon.log', '/logs/audit.log', '/runs']) expect(everyPath(stateDir)).toContain(p);
    }, 120_000);

    it('looser modes from before are tightened at start and logged; other files of the folder are left alone', async () => {
        const stateDir = tempDir('af-modes-old-');
        const first = await startDaemon({ stateDir, port: 0, concurrency: 1 });
        await first.stop();
        chmodSync(stateDir, 0o755);
        chmodSync(join(stateDir, 'alphaforge.duckdb'), 0o644);
        chmodSync(join(stateDir, 'logs'), 0o755);
        chmodSync(join(stateDir, 'logs', 'daemon.log'), 0o644);
        chmodSync(join(stateDir, 'admin.token'), 0o644);
        writeFileSync(join(stateDir, 'notes.txt'), 'not ours');
        chmodSync(join(stateDir, 'notes.txt'), 0o644);
        const second = await startDaemon({ stateDir, port: 0, concurrency: 1 });
        await second.stop();
        expect(loosePaths(stateDir)).toEqual(['/notes.txt 644']);
        const log = readFileSync(join(stateDir, 'logs', 'daemon.log'), 'utf8').split('\n').filter(l => l.includes('permissions'));
        expect(log.length).toBe(1);
        for (const p of ['alphaforge.duckdb', 'admin.token', 'logs/daemon.log']) expect(log[0]).toContain(p);
    }, 60_000);
});

describe('a refused bind writes nothing', () => {
    it('startDaemon with --host 0.0.0.0 and no TLS: refused, the state directory is never created', async () => {
        const stateDir = join(tempDir('af-bind-'), 'state');
        await expect(startDaemon({ stateDir, host: '0.0.0.0', port: 0 })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/);
        expect(existsSync(stateDir)).toBe(false);
        // An existing, empty one stays empty.
        mkdirSync(stateDir);
        await expect(startDaemon({ stateDir, host: '0.0.0.0', port: 0 })).rejects.toThrow(/refusing/);
        expect(readdirSync(stateDir)).toEqual([]);
    });

    it('af daemon run and af daemon start --host 0.0.0.0: refused with a clear message, nothing written', async () => {
        const stateDir = join(tempDir('af-bind-cli-'), 'state');
        const fg = await cli(['daemon', 'run', '--host', '0.0.0.0', '--port', '0', '--state-dir', stateDir]);
        expect(fg.code).not.toBe(0);
        expect(fg.err).toMatch(/refusing to listen on 0\.0\.0\.0/);
        expect(existsSync(stateDir)).toBe(false);
        const bg = await cli(['daemon', 'start', '--host', '0.0.0.0', '--port', '0', '--state-dir', stateDir]);
        expect(bg.code).not.toBe(0);
        expect(bg.err).toMatch(/refusing to listen on 0\.0\.0\.0/);
        expect(existsSync(stateDir)).toBe(false);
    }, 60_000);
});
