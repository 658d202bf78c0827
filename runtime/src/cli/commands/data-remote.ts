/**
 * `af data …` while a daemon holds the state directory's store (DuckDB allows one writer, so the
 * CLI cannot open it): the commands that have a daemon method go through it, as the caller's
 * token (saved login, $AF_TOKEN, or the local admin token) and team, with the same output.
 * Commands without one (panels, fetch, export --sql/--panel) say so and how.
 */
import { resolve } from 'node:path';
import { type DaemonClient } from '../../../../protocol/src/client.js';
import { resolveStateDir } from '../../../../protocol/src/discovery.js';
import { processAlive, readAnnouncement } from '../../daemon/lifecycle.js';
import { exportFormatOf } from '../../data/export.js';
import { CliError } from '../errors.js';
import { connect, remote } from './daemon.js';

/** The client of the daemon holding `stateDir`'s store, or undefined when none runs. */
export function holdingDaemon(stateDir: string | undefined): { client: DaemonClient; pid: number; url: string } | undefined {
    const dir = resolveStateDir(stateDir);
    const a = readAnnouncement(dir);
    if (!a || !processAlive(a.pid)) return undefined;
    return { client: connect({ stateDir: dir, token: process.env.AF_TOKEN?.trim() || undefined }), pid: a.pid, url: a.url };
}

/** For commands the daemon does not serve: the one-line refusal that says what to do. */
export function notThroughDaemon(what: string, pid: number, instead: string): CliError {
    return new CliError(`the daemon (pid ${pid}) holds the store, and ${what} has no daemon method: ${instead}, or stop the daemon (af daemon stop) and run it again`);
}

/** data.export of bars into the team's export folder, then downloaded to `file`. */
export async function exportThroughDaemon(c: DaemonClient, file: string, o: { ids: string[]; timeframe: string; from?: string; to?: string; format?: string }) {
    let format;
    try {
        format = exportFormatOf(file, o.format); // the local export's rule: --format, else the extension
    } catch (e) {
        throw new CliError((e as Error).message);
    }
    return remote(async () => {
        const r = await c.call('data.export', { format, bars: { ids: o.ids, timeframe: o.timeframe, ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) } });
        const local = await c.download(r.file, resolve(file));
        return { file: local.path, format: r.format, rows: r.rows, columns: r.columns, bytes: local.bytes };
    });
}
