/**
 * Reading the audit log back (`af audit`, the `audit.list` method): every line is checked against
 * the protocol's AuditRecordSchema (a line that is not a record is counted, never shown), then
 * filtered by time, actor and method prefix. Streams the file: memory is the `limit` records kept.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { AuditRecordSchema, type AuditRecord } from '../../../protocol/src/daemon/index.js';
import { auditFilePath } from './audit-log.js';

export interface AuditFilter {
    /** Records at or after this time (epoch ms). */
    readonly since?: number;
    /** A user name or id, a token id or token prefix (af_…), or an address. */
    readonly actor?: string;
    /** Method prefix: `iam.`, `data.import`, `auth`. */
    readonly method?: string;
    /** The last `limit` matching records (default 100). */
    readonly limit?: number;
}

export interface AuditReading {
    /** Oldest first. */
    readonly records: AuditRecord[];
    /** Records that matched, before `limit`. */
    readonly matched: number;
    /** Lines that are not audit records (a torn last line after a crash, foreign text). */
    readonly skipped: number;
    readonly file: string;
}

function actorMatches(r: AuditRecord, who: string): boolean {
    const a = r.actor;
    return a.user === who || a.userId === who || a.address === who || a.team === who
        || (a.token !== undefined && (a.token === who || a.token.startsWith(who.replace(/…$/, ''))));
}

export function auditMatches(r: AuditRecord, f: AuditFilter): boolean {
    if (f.since !== undefined && Date.parse(r.time) < f.since) return false;
    if (f.method !== undefined && !r.method.startsWith(f.method)) return false;
    if (f.actor !== undefined && !actorMatches(r, f.actor)) return false;
    return true;
}

export async function readAudit(stateDir: string, f: AuditFilter = {}): Promise<AuditReading> {
    const file = auditFilePath(stateDir);
    const limit = f.limit ?? 100;
    const records: AuditRecord[] = [];
    let matched = 0;
    let skipped = 0;
    if (!existsSync(file)) return { records, matched, skipped, file };
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
        if (!line.trim()) continue;
        let parsed: unknown;
        try {
            parsed = JSON.parse(line);
        } catch {
            skipped++;
            continue;
        }
        const r = AuditRecordSchema.safeParse(parsed);
        if (!r.success) { skipped++; continue; }
        if (!auditMatches(r.data, f)) continue;
        matched++;
        records.push(r.data);
        if (records.length >= 2 * limit) records.splice(0, records.length - limit);
    }
    return { records: records.slice(-limit), matched, skipped, file };
}
