/**
 * Starting, finding and stopping the daemon process. A running daemon announces itself in
 * `<state dir>/daemon.json` (pid, URL) once it listens; clients read that file to connect, so
 * a daemon on a random port is found without configuration. A file whose pid is gone is stale.
 * The file's format, the pid check and the state directory's resolution are the protocol's
 * (protocol/src/discovery.ts), shared with the editor.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
    announcementFile as announcementFileOf, processAlive, readAnnouncement as readAnnouncementOf, resolveStateDir, withdrawAnnouncement, writeAnnouncement,
    type DaemonAnnouncement, type ReadAnnouncement,
} from '../../../protocol/src/discovery.js';
import { checkBindPolicy } from '../gateway/http.js';

export type { DaemonAnnouncement, ReadAnnouncement };
export { processAlive };

export function announcementFile(stateDir?: string): string {
    return announcementFileOf(resolveStateDir(stateDir));
}

/** Written atomically by the daemon once it listens. */
export function announce(a: DaemonAnnouncement): void {
    writeAnnouncement(a);
}

/** Removed by the daemon when it stops, but only if the file is still its own. */
export function withdraw(stateDir: string, pid = process.pid): void {
    withdrawAnnouncement(stateDir, pid);
}

export function readAnnouncement(stateDir?: string): ReadAnnouncement | undefined {
    return readAnnouncementOf(resolveStateDir(stateDir));
}

export type DaemonStatus =
    | { state: 'running'; announcement: ReadAnnouncement; ready: boolean }
    | { state: 'stale'; announcement: ReadAnnouncement }
    | { state: 'stopped' };

/** Whether a daemon runs for this state directory, and whether it answers /readyz. */
export async function daemonStatus(stateDir?: string, timeoutMs = 2000): Promise<DaemonStatus> {
    const a = readAnnouncement(stateDir);
    if (!a) return { state: 'stopped' };
    if (!processAlive(a.pid)) return { state: 'stale', announcement: a };
    let ready = false;
    try {
        const r = await fetch(new URL('/readyz', a.url), { signal: AbortSignal.timeout(timeoutMs) });
        ready = r.ok;
    } catch {
        ready = false;
    }
    return { state: 'running', announcement: a, ready };
}

export interface StartOptions {
    stateDir?: string;
    port?: number;
    host?: string;
    /** Extra arguments for `af daemon run`. */
    args?: readonly string[];
    timeoutMs?: number;
}

/** bin/af.js, found upward (this file runs from out/ normally and from src/ under tests). */
const AF_BIN = ((): string => {
    for (let d = dirname(fileURLToPath(import.meta.url)); d !== dirname(d); d = dirname(d)) {
        const f = join(d, 'bin', 'af.js');
        if (existsSync(f)) return f;
    }
    return fileURLToPath(new URL('../../../../bin/af.js', import.meta.url));
})();

/**
 * Starts `af daemon run` detached (its own process group, output to <state dir>/logs/daemon.out)
 * and waits until it announces itself and answers /readyz.
 */
export async function startDetached(o: StartOptions = {}): Promise<ReadAnnouncement> {
    const stateDir = resolveStateDir(o.stateDir);
    // Refused before anything is written. The daemon checks again with its real TLS settings; here
    // it is enough to know whether it was given any.
    const flags = o.args ?? [];
    if (o.host) checkBindPolicy(o.host, { allowInsecureRemote: flags.includes('--allow-insecure-remote') || flags.includes('--tls-key') });
    const status = await daemonStatus(stateDir);
    if (status.state === 'running') return status.announcement;
    if (status.state === 'stale') rmSync(announcementFile(stateDir), { force: true });
    mkdirSync(join(stateDir, 'logs'), { recursive: true, mode: 0o700 });
    const outFd = openSync(join(stateDir, 'logs', 'daemon.out'), 'a', 0o600);
    const args = [AF_BIN, 'daemon', 'run', '--state-dir', stateDir, '--port', String(o.port ?? 0), ...(o.host ? ['--host', o.host] : []), ...(o.args ?? [])];
    // Every DuckDB call takes a libuv thread while it runs (one per connection: data/call-gate.ts), and the daemon
    // holds more connections than libuv's default 4 threads; the size is read once, at the process's start.
    const env = { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' };
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', outFd, outFd], env });
    child.unref();
    const deadline = Date.now() + (o.timeoutMs ?? 20_000);
    let exited: number | null = null;
    child.once('exit', code => { exited = code ?? -1; });
    while (Date.now() < deadline) {
        if (exited !== null) {
            throw new Error(`the daemon exited with code ${exited} while starting; see ${join(stateDir, 'logs', 'daemon.out')}`);
        }
        const s = await daemonStatus(stateDir, 500);
        if (s.state === 'running' && s.announcement.pid === child.pid && s.ready) return s.announcement;
        await new Promise(r => setTimeout(r, 100));
    }
    // Do not leave a half-started daemon behind.
    try {
        if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
        // already gone
    }
    throw new Error(`the daemon did not become ready within ${Math.round((o.timeoutMs ?? 20_000) / 1000)} s; see ${join(stateDir, 'logs', 'daemon.out')}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopDaemon(stateDir?: string, graceMs = 10_000): Promise<'stopped' | 'not-running' | 'killed'> {
    const a = readAnnouncement(stateDir);
    if (!a || !processAlive(a.pid)) {
        if (a) rmSync(announcementFile(stateDir), { force: true });
        return 'not-running';
    }
    process.kill(a.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
        if (!processAlive(a.pid)) {
            rmSync(announcementFile(stateDir), { force: true });
            return 'stopped';
        }
        await new Promise(r => setTimeout(r, 100));
    }
    process.kill(a.pid, 'SIGKILL');
    rmSync(announcementFile(stateDir), { force: true });
    return 'killed';
}
