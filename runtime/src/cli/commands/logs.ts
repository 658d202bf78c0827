/** `af logs`: the daemon's structured log (<state dir>/logs/daemon.log), filtered by run, trace, request, component and level. */
import { resolveStateDir } from '../../../../protocol/src/discovery.js';
import { formatLogEntry, parseSince, readLogs, type LevelName, type LogEntry } from '../../monitoring/logs.js';
import { CliError } from '../errors.js';

export interface LogsCliOptions {
    stateDir?: string;
    run?: string;
    trace?: string;
    request?: string;
    component?: string;
    level?: LevelName;
    since?: string;
    limit?: number;
    follow?: boolean;
    json?: boolean;
}

export async function logsCommand(o: LogsCliOptions, out: (s: string) => void): Promise<number> {
    const stateDir = resolveStateDir(o.stateDir);
    let since: number | undefined;
    if (o.since !== undefined) {
        try {
            since = parseSince(o.since);
        } catch (e) {
            throw new CliError(`--since: ${(e as Error).message}`);
        }
    }
    const filter = { runId: o.run, traceId: o.trace, requestId: o.request, component: o.component, level: o.level, since };
    const show = (e: LogEntry): void => out(o.json ? JSON.stringify(e) + '\n' : formatLogEntry(e) + '\n');
    if (o.follow) {
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        for await (const e of readLogs(stateDir, { ...filter, limit: o.limit ?? 20, follow: true, signal: stop.signal })) show(e);
        return 0;
    }
    const entries = await readLogs(stateDir, { ...filter, limit: o.limit });
    if (entries.length === 0 && !o.json) out(`no matching log lines in ${stateDir}/logs/daemon.log\n`);
    entries.forEach(show);
    return 0;
}
