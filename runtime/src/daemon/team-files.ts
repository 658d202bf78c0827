/**
 * The files a team moves through the daemon: uploads it imports from (`<state dir>/imports/<team
 * id>/<upload id>/<name>`) and exports it downloads (`<state dir>/exports/<team id>/<name>`).
 * Over the network a caller never names a path on the daemon's host: it sends bytes and gets an
 * upload id, or names a file of its own team's export folder. Names are validated here (no
 * folders, no dot-files, a known extension), so the database, tokens, logs, alerts.json and
 * daemon.json can never be written or read through these folders.
 *
 * Uploads stream to disk as they arrive (never held in memory), hashed and counted, and are
 * refused past the size limit. Exports are written in a fresh private folder and renamed into
 * place, so a symlink planted in the export folder is replaced, never written through; downloads
 * follow no symlink out of the team's folder (PathConfinement).
 *
 * Disk is bounded per team: uploads and exports together may use at most `quotaBytes` (an upload
 * is cut off, an export refused, past it), and files older than `retentionMs` are removed by
 * `sweep` (the daemon runs it at start and hourly) — a researcher cannot fill the host's disk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { type IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError, TooLargeError, UserInputError } from '../../../protocol/src/errors.js';
import { ConfinementError, PathConfinement, printable } from '../security/confine.js';
import { UPLOAD_EXTENSIONS, ownFolder } from './data-dirs.js';

/** Export extensions and their formats (as `af data export` names them). */
const EXPORT_EXTENSIONS: Readonly<Record<string, 'parquet' | 'arrow' | 'csv'>> = {
    '.parquet': 'parquet', '.pq': 'parquet', '.arrow': 'arrow', '.feather': 'arrow', '.ipc': 'arrow', '.csv': 'csv',
};
const DEFAULT_EXTENSION = { parquet: '.parquet', arrow: '.arrow', csv: '.csv' } as const;
export type TeamExportFormat = keyof typeof DEFAULT_EXTENSION;

/** A file name: letters, digits, `.`, `_`, `-`; not starting with a dot; no folders, no spaces, no pattern characters. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** `upl_` and 24 hex digits. */
export const UPLOAD_ID = /^upl_[0-9a-f]{24}$/;

/** A bad file name or upload id (-32602). Something not found in the team's folders is a NotFoundError, an upload over a limit a TooLargeError. */
export class TeamFileError extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'TeamFileError';
    }
}

export interface UploadInfo {
    readonly id: string;
    readonly name: string;
    readonly bytes: number;
    readonly sha256: string;
}

/** Checks a file name a caller gave: one plain name with one of `extensions`. */
export function checkFileName(name: string, extensions: readonly string[], what: string): string {
    if (typeof name !== 'string' || !FILE_NAME.test(name) || name.includes('..')) {
        throw new TeamFileError(`'${printable(String(name))}' is not a usable ${what} name: use letters, digits, '.', '_' and '-' (no folders, not starting with a dot, at most 128 characters)`);
    }
    if (!extensions.includes(extname(name).toLowerCase())) {
        throw new TeamFileError(`'${printable(name)}' is not a usable ${what} name: it must end in ${extensions.join(', ')}`);
    }
    return name;
}

/** Default disk a team's uploads and exports may use together: 20 GiB. */
export const DEFAULT_TEAM_QUOTA_BYTES = 20 * 1024 ** 3;
/** Default age after which uploads and exports are removed: 7 days. */
export const DEFAULT_RETENTION_MS = 7 * 86_400_000;

export interface TeamFilesOptions {
    readonly quotaBytes?: number;
    readonly retentionMs?: number;
}

/** Bytes of the regular files below `dir` (symlinks are not followed). */
function usage(dir: string): number {
    if (!existsSync(dir)) return 0;
    let n = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) n += usage(p);
        else if (e.isFile()) n += lstatSync(p).size;
    }
    return n;
}

export class TeamFiles {
    private readonly importsRoot: string;
    private readonly exportsRoot: string;
    readonly quotaBytes: number;
    readonly retentionMs: number;

    constructor(stateDir: string, options: TeamFilesOptions = {}) {
        this.importsRoot = ownFolder(join(resolve(stateDir), 'imports'));
        this.exportsRoot = ownFolder(join(resolve(stateDir), 'exports'));
        this.quotaBytes = options.quotaBytes ?? DEFAULT_TEAM_QUOTA_BYTES;
        this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    }

    /** Bytes the team's uploads and exports use now. */
    usedBy(teamId: string): number {
        return usage(this.importsOf(teamId)) + usage(this.exportsOf(teamId));
    }

    private quotaError(used: number): TooLargeError {
        const gib = (b: number): string => `${(b / 1024 ** 3).toFixed(2)} GiB`;
        return new TooLargeError(`your team's uploads and exports use ${gib(used)} of its ${gib(this.quotaBytes)}; wait for old ones to expire (after ${Math.round(this.retentionMs / 86_400_000)} days) or ask the operator to raise the quota (af daemon run --team-quota-mb)`, { limit: this.quotaBytes });
    }

    /**
     * Removes uploads and exports older than the retention (by modification time), and partial
     * files left by a crash. Returns how many entries it removed.
     */
    sweep(now = Date.now()): number {
        let removed = 0;
        for (const root of [this.importsRoot, this.exportsRoot]) {
            for (const team of existsSync(root) ? readdirSync(root, { withFileTypes: true }) : []) {
                if (!team.isDirectory()) continue;
                const dir = join(root, team.name);
                for (const e of readdirSync(dir, { withFileTypes: true })) {
                    const p = join(dir, e.name);
                    const st = lstatSync(p);
                    if (now - st.mtimeMs > this.retentionMs || (e.name.startsWith('.') && now - st.mtimeMs > 86_400_000)) {
                        rmSync(p, { recursive: true, force: true });
                        removed++;
                    }
                }
            }
        }
        return removed;
    }

    /** A team's folder name: its id (stable, unique, path-safe; a name could differ only in case). */
    static folderOf(teamId: string): string {
        if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(teamId)) throw new Error(`team id '${printable(teamId)}' cannot name a folder`);
        return teamId;
    }

    private importsOf(teamId: string): string {
        return ownFolder(join(this.importsRoot, TeamFiles.folderOf(teamId)));
    }

    private exportsOf(teamId: string): string {
        return ownFolder(join(this.exportsRoot, TeamFiles.folderOf(teamId)));
    }

    // ------------------------------------------------------------------------------ uploads

    /**
     * Stores the bytes of `body` as an upload of the team, streaming to disk; refuses the name
     * before reading anything, and the upload (deleting what was written) past `limitBytes`.
     */
    async receive(teamId: string, name: string, body: IncomingMessage, limitBytes: number): Promise<UploadInfo> {
        checkFileName(name, UPLOAD_EXTENSIONS, 'upload');
        const dir = this.importsOf(teamId);
        const used = this.usedBy(teamId);
        if (used >= this.quotaBytes) throw this.quotaError(used);
        const room = this.quotaBytes - used;
        const id = `upl_${randomBytes(12).toString('hex')}`;
        const partial = join(dir, `.partial-${id}`);
        const hash = createHash('sha256');
        let bytes = 0;
        const quotaError = (u: number): TooLargeError => this.quotaError(u);
        const meter = new Transform({
            transform(chunk: Buffer, _enc, done) {
                bytes += chunk.length;
                if (bytes > limitBytes) {
                    done(new TooLargeError(`the upload exceeds the limit of ${limitBytes} bytes`, { limit: limitBytes }));
                    return;
                }
                if (bytes > room) {
                    done(quotaError(used + bytes));
                    return;
                }
                hash.update(chunk);
                done(null, chunk);
            },
        });
        // The body is piped, not pipelined: refusing it must not destroy the request, whose
        // connection still carries the 413 (the gateway then discards the rest of the body).
        const written = pipeline(meter, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
        const interrupted = (): void => { if (!body.complete) meter.destroy(new TeamFileError('the upload was interrupted before its end')); };
        body.once('close', interrupted);
        body.pipe(meter);
        try {
            try {
                await written;
            } finally {
                body.off('close', interrupted);
                body.unpipe(meter);
            }
            const folder = join(dir, id);
            mkdirSync(folder, { mode: 0o700 });
            renameSync(partial, join(folder, name));
        } catch (e) {
            rmSync(partial, { force: true });
            rmSync(join(dir, id), { recursive: true, force: true });
            throw e;
        }
        return { id, name, bytes, sha256: hash.digest('hex') };
    }

    /** The stored file of an upload of the team; 404 for an unknown id or another team's upload (indistinguishable). */
    upload(teamId: string, id: string): { path: string; name: string } {
        if (!UPLOAD_ID.test(id)) throw new TeamFileError(`'${printable(id)}' is not an upload id (upl_…, as PUT /uploads/<name> answered)`);
        const teamDir = this.importsOf(teamId);
        const folder = join(teamDir, id);
        const missing = (): NotFoundError => new NotFoundError(`upload ${id} not found: uploads belong to the team that made them`);
        if (!existsSync(folder) || !lstatSync(folder).isDirectory()) throw missing();
        const names = readdirSync(folder);
        if (names.length !== 1) throw missing();
        try {
            const path = new PathConfinement([{ path: teamDir, label: 'the team\'s uploads' }]).resolve(join(folder, names[0]!), { kind: 'file' });
            return { path, name: names[0]! };
        } catch (e) {
            if (e instanceof ConfinementError) throw missing();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------ exports

    /** The name and format of an export: the caller's name (checked) or one the daemon picks (`<what>-<time>-<random>.<ext>`). */
    exportName(name: string | undefined, format: TeamExportFormat | undefined, what: string): { name: string; format: TeamExportFormat } {
        if (name === undefined) {
            const f = format ?? 'parquet';
            const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
            return { name: `${what}-${stamp}-${randomBytes(3).toString('hex')}${DEFAULT_EXTENSION[f]}`, format: f };
        }
        checkFileName(name, Object.keys(EXPORT_EXTENSIONS), 'export file');
        return { name, format: format ?? EXPORT_EXTENSIONS[extname(name).toLowerCase()]! };
    }

    /**
     * Runs `write` on a path in a fresh private folder of the team's export folder, then renames
     * the file to `name` there (replacing a file or link of that name, never writing through it).
     */
    async writeExport<R>(teamId: string, name: string, write: (path: string) => Promise<R>): Promise<R> {
        checkFileName(name, Object.keys(EXPORT_EXTENSIONS), 'export file');
        const dir = this.exportsOf(teamId);
        const used = this.usedBy(teamId);
        if (used >= this.quotaBytes) throw this.quotaError(used);
        const work = mkdtempSync(join(dir, '.writing-'));
        try {
            const r = await write(join(work, name));
            const written = usage(work);
            if (used + written > this.quotaBytes) throw this.quotaError(used + written);
            const target = join(dir, name);
            let existing;
            try { existing = lstatSync(target); } catch { existing = undefined; }
            if (existing && existing.isDirectory()) throw new TeamFileError(`'${name}' is a folder in the export folder; choose another name`);
            renameSync(join(work, name), target);
            return r;
        } finally {
            rmSync(work, { recursive: true, force: true });
        }
    }

    /** A file of the team's export folder to send back: its real path (inside that folder) and size. */
    exportFile(teamId: string, name: string): { path: string; bytes: number } {
        checkFileName(name, Object.keys(EXPORT_EXTENSIONS), 'export file');
        const dir = this.exportsOf(teamId);
        const missing = (): NotFoundError => new NotFoundError(`export ${name} not found in your team's export folder`);
        if (!existsSync(join(dir, name))) throw missing();
        try {
            const path = new PathConfinement([{ path: dir, label: 'your team\'s export folder' }]).resolve(name, { kind: 'file' });
            return { path, bytes: statSync(path).size };
        } catch (e) {
            if (e instanceof ConfinementError) throw missing();
            throw e;
        }
    }
}
