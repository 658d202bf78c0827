/**
 * The audit log: who did what to what, and how it ended — IAM changes, refused credentials and
 * refused calls (401, 403), data imports and exports, promotions and cancellations, daemon start,
 * stop and crash recovery. One JSON object per line (AuditRecordSchema of the protocol) in
 * `<state dir>/logs/audit.log`, mode 0600, only ever appended to.
 *
 * A file, not a DuckDB table: the audit must hold when the database does not (a query that never
 * ends, a corrupt or locked file), and `af audit` must read it while the daemon holds DuckDB's
 * one-process lock. The daemon and the local CLI append with O_APPEND, one write per batch of
 * whole lines, so their records interleave without tearing.
 *
 * Durability: `record` resolves once its line is written and fdatasync'ed. Records that arrive
 * while a write is in flight share the next write and sync (group commit): a burst costs one sync,
 * not one per record. The dispatcher awaits `record` before it answers, so a call that was
 * acknowledged has its record on disk, crash or not.
 */
import { closeSync, fchmodSync, fdatasyncSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type AuditRecord } from '../../../protocol/src/daemon/index.js';
import { LOG_DIR } from '../monitoring/logger.js';

/** Where audit records go (`AuditLog` is one; the gateway takes any): resolves once the record is durable. */
export interface AuditSink {
    record(entry: AuditEntry): Promise<void>;
}

/** A record before it is stamped with its time. */
export type AuditEntry = Omit<AuditRecord, 'time'> & { readonly time?: string };

export const AUDIT_FILE = 'audit.log';

/** `<stateDir>/logs/audit.log` */
export function auditFilePath(stateDir: string): string {
    return join(stateDir, LOG_DIR, AUDIT_FILE);
}

/** One line: the entry stamped with the time (now, unless it has one). */
export function auditLine(entry: AuditEntry): string {
    const record: AuditRecord = { ...entry, time: entry.time ?? new Date().toISOString() };
    return `${JSON.stringify(record)}\n`;
}

/** Creates `<stateDir>/logs` (0700) and returns the audit file's path. */
function prepare(stateDir: string): string {
    mkdirSync(join(stateDir, LOG_DIR), { recursive: true, mode: 0o700 });
    return auditFilePath(stateDir);
}

/** 0600 whatever the umask, and an older file opened looser is tightened. */
function privateMode(fd: number): void {
    if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, 0o600);
}

interface Pending { readonly line: string; resolve(): void; reject(e: unknown): void }

/** The daemon's audit log: one open file, group-committed appends. */
export class AuditLog implements AuditSink {
    private pending: Pending[] = [];
    private draining: Promise<void> | undefined;
    private closed = false;

    private constructor(readonly file: string, private readonly handle: FileHandle) {}

    static async open(stateDir: string): Promise<AuditLog> {
        const file = prepare(stateDir);
        const handle = await open(file, 'a', 0o600);
        privateMode(handle.fd);
        return new AuditLog(file, handle);
    }

    /** Appends the record; resolves once it is on disk (rejects when it cannot be written). */
    record(entry: AuditEntry): Promise<void> {
        if (this.closed) return Promise.reject(new Error(`the audit log ${this.file} is closed`));
        return new Promise<void>((resolve, reject) => {
            this.pending.push({ line: auditLine(entry), resolve, reject });
            this.draining ??= this.drain().finally(() => { this.draining = undefined; });
        });
    }

    /** Writes what is pending, then closes the file. */
    async close(): Promise<void> {
        if (this.closed) return;
        this.closed = true;
        await this.draining;
        await this.handle.close();
    }

    private async drain(): Promise<void> {
        // Let the records of the same tick (a batch of calls, a burst of refusals) join this write.
        await new Promise<void>(resolve => setImmediate(resolve));
        while (this.pending.length > 0) {
            const batch = this.pending;
            this.pending = [];
            try {
                const bytes = Buffer.from(batch.map(p => p.line).join(''), 'utf8');
                for (let off = 0; off < bytes.length;) off += (await this.handle.write(bytes, off)).bytesWritten;
                await this.handle.datasync();
                for (const p of batch) p.resolve();
            } catch (e) {
                for (const p of batch) p.reject(e);
            }
        }
    }
}

/** One record from a short-lived process (the local CLI): written and synced before it returns. */
export function appendAuditSync(stateDir: string, entry: AuditEntry): void {
    const fd = openSync(prepare(stateDir), 'a', 0o600);
    try {
        privateMode(fd);
        writeSync(fd, auditLine(entry));
        fdatasyncSync(fd);
    } finally {
        closeSync(fd);
    }
}

/** A change the local CLI made in the store (`af data import`, `af data export`), as the operating-system user who ran it. */
export function auditLocal(stateDir: string, method: string, target: AuditEntry['target']): void {
    let user = 'unknown';
    try {
        user = userInfo().username;
    } catch {
        // no passwd entry (a container): the record still says the CLI did it
    }
    appendAuditSync(stateDir, { actor: { transport: 'cli', user }, method, target, result: 'ok' });
}
