/** `af audit`: the audit log (<state dir>/logs/audit.log), filtered by time, actor and method. Reads the file: works with or without a running daemon. */
import { type AuditRecord } from '../../../../protocol/src/daemon/index.js';
import { readAudit } from '../../audit/read.js';
import { resolveStateDir } from '../../../../protocol/src/discovery.js';
import { parseSince } from '../../monitoring/logs.js';
import { CliError } from '../errors.js';

export interface AuditCliOptions {
    stateDir?: string;
    since?: string;
    actor?: string;
    method?: string;
    limit?: number;
    json?: boolean;
}

function who(r: AuditRecord): string {
    const a = r.actor;
    const name = a.user ? `${a.user}${a.team ? `@${a.team}` : ''}` : 'anonymous';
    const via = [a.token, a.transport, a.address].filter(Boolean).join(' ');
    return `${name} (${via})`;
}

function what(r: AuditRecord): string {
    return Object.entries(r.target).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : JSON.stringify(v)}`).join(' ');
}

/** One line per record: time, actor, method, target, result. */
export function formatAuditRecord(r: AuditRecord): string {
    const result = r.result === 'ok' ? 'ok' : `error ${r.code ?? ''}${r.reason ? ` (${r.reason})` : ''}`.trimEnd();
    return [r.time, who(r), r.method, what(r), result].filter(Boolean).join('  ');
}

export async function auditCommand(o: AuditCliOptions, out: (s: string) => void): Promise<number> {
    const stateDir = resolveStateDir(o.stateDir);
    let since: number | undefined;
    if (o.since !== undefined) {
        try {
            since = parseSince(o.since);
        } catch (e) {
            throw new CliError(`--since: ${(e as Error).message}`);
        }
    }
    const r = await readAudit(stateDir, { since, actor: o.actor, method: o.method, limit: o.limit ?? 1000 });
    if (o.json) {
        for (const rec of r.records) out(JSON.stringify(rec) + '\n');
        return 0;
    }
    if (r.records.length === 0) out(`no matching audit records in ${r.file}\n`);
    for (const rec of r.records) out(formatAuditRecord(rec) + '\n');
    if (r.matched > r.records.length) out(`(the last ${r.records.length} of ${r.matched} matching records; --limit shows more)\n`);
    if (r.skipped > 0) out(`(${r.skipped} line(s) of ${r.file} are not audit records and were skipped)\n`);
    return 0;
}
