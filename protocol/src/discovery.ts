/**
 * How clients find the daemon, one definition for both sides (Node only, like client.ts): the state
 * directory (`--state-dir`, $AF_STATE_DIR — read here and nowhere else —, `.alphaforge`), the
 * announcement file `<state dir>/daemon.json` a running daemon writes once it listens ({pid, url,
 * startedAt, version, stateDir}; written atomically, mode 0600), whether its pid is alive (a file
 * whose local pid is gone is stale), the bootstrap admin token file, and the editor's search:
 * the `alphaforge.daemon.url` setting names the daemon; otherwise the announcement of each
 * candidate state directory in turn — the `alphaforge.stateDir` setting, then $AF_STATE_DIR, then
 * `<folder>/.alphaforge` of each workspace folder.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod';

export const ANNOUNCEMENT_FILE = 'daemon.json';
export const ADMIN_TOKEN_FILE = 'admin.token';
export const DEFAULT_STATE_DIR = '.alphaforge';
/** The environment variable that names the state directory. */
export const STATE_DIR_ENV = 'AF_STATE_DIR';

type Env = Readonly<Record<string, string | undefined>>;

// ------------------------------------------------------------------------ the state directory

/** $AF_STATE_DIR of `env`, trimmed; undefined when unset or empty. */
export function stateDirFromEnv(env: Env = process.env): string | undefined {
    return env[STATE_DIR_ENV]?.trim() || undefined;
}

/**
 * The state directory of a command, absolute: `flag` (--state-dir), else $AF_STATE_DIR, else
 * `fromFile` (a config file's, already resolved against the file's folder), else `.alphaforge`
 * in the current directory.
 */
export function resolveStateDir(flag?: string, o: { env?: Env; fromFile?: string } = {}): string {
    return resolve(flag ?? stateDirFromEnv(o.env) ?? o.fromFile ?? DEFAULT_STATE_DIR);
}

// -------------------------------------------------------------------------- the pid check

/** Whether a process with this pid exists (EPERM: it does, but belongs to someone else). */
export function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
}

// ---------------------------------------------------------------------- the announcement

/** `http(s)://host[:port]` without a trailing slash, or an error message. */
export function normaliseUrl(text: string): { url: string } | { error: string } {
    const t = text.trim();
    let u: URL;
    try {
        u = new URL(t);
    } catch {
        return { error: `'${t}' is not a URL (expected e.g. http://127.0.0.1:7411)` };
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: `'${t}' is not an http(s) URL` };
    if (u.username || u.password) return { error: 'put the token in SecretStorage (AlphaForge: Set Daemon Token), not in the URL' };
    return { url: `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}` };
}

/** Whether the URL points at this machine (a local state directory can then belong to it). */
export function isLoopback(url: string): boolean {
    try {
        const h = new URL(url).hostname;
        return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
    } catch {
        return false;
    }
}

const AnnouncementSchema = z.object({
    pid: z.number().int().positive(),
    url: z.string(),
    // Informative only: a wrong type is dropped, not a reason to ignore the daemon.
    startedAt: z.string().optional().catch(undefined),
    version: z.string().optional().catch(undefined),
    stateDir: z.string().optional().catch(undefined),
});

/** What a running daemon writes to `<state dir>/daemon.json`. */
export interface DaemonAnnouncement {
    readonly pid: number;
    readonly url: string;
    readonly startedAt: string;
    readonly version: string;
    readonly stateDir: string;
}

/** An announcement as read: pid and normalised URL always, the rest as far as the file has it. */
export type ReadAnnouncement = Pick<DaemonAnnouncement, 'pid' | 'url'> & Partial<DaemonAnnouncement>;

/** The announcement in `text`, or undefined when it is missing or malformed (a positive whole pid, an http(s) URL). */
export function parseAnnouncement(text: string | undefined): ReadAnnouncement | undefined {
    if (text === undefined) return undefined;
    let a;
    try {
        a = AnnouncementSchema.safeParse(JSON.parse(text));
    } catch {
        return undefined;
    }
    if (!a.success) return undefined;
    const n = normaliseUrl(a.data.url);
    if (!('url' in n)) return undefined;
    const { startedAt, version, stateDir } = a.data;
    return { pid: a.data.pid, url: n.url, ...(startedAt !== undefined ? { startedAt } : {}), ...(version !== undefined ? { version } : {}), ...(stateDir !== undefined ? { stateDir } : {}) };
}

function readText(file: string): string | undefined {
    try {
        return readFileSync(file, 'utf8');
    } catch {
        return undefined;
    }
}

export function announcementFile(stateDir: string): string {
    return join(stateDir, ANNOUNCEMENT_FILE);
}

/** The announcement of a state directory (absolute), if there is a well-formed one. */
export function readAnnouncement(stateDir: string): ReadAnnouncement | undefined {
    return parseAnnouncement(readText(announcementFile(stateDir)));
}

/** Written by the daemon once it listens: atomically (a reader never sees half a file), 0600. */
export function writeAnnouncement(a: DaemonAnnouncement): void {
    const file = announcementFile(a.stateDir);
    writeFileSync(`${file}.tmp`, JSON.stringify(a, null, 2) + '\n', { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
}

/** Removes the announcement, but only if it is still the one of `pid` (another daemon may have started since). */
export function withdrawAnnouncement(stateDir: string, pid: number): void {
    if (readAnnouncement(stateDir)?.pid === pid) rmSync(announcementFile(stateDir), { force: true });
}

/** The bootstrap admin token of a state directory, if the file is there and looks like a token. */
export function readAdminToken(stateDir: string, read: (file: string) => string | undefined = readText): string | undefined {
    const t = read(join(stateDir, ADMIN_TOKEN_FILE))?.trim();
    return t && /^\S{8,4096}$/.test(t) ? t : undefined;
}

// -------------------------------------------------------------------- the editor's search

export interface DiscoveryInput {
    /** `alphaforge.daemon.url` ('' or undefined: not set). */
    readonly settingUrl?: string | undefined;
    /** `alphaforge.stateDir`: absolute, or relative to each workspace folder. */
    readonly stateDir?: string | undefined;
    /** File-system paths of the workspace folders, in order. */
    readonly workspaceFolders: readonly string[];
    /** The process environment (for AF_STATE_DIR). */
    readonly env?: Env;
    /** Whether a local pid is alive (default: signal 0). */
    readonly isAlive?: (pid: number) => boolean;
    /** Reads a file as text, or undefined (default: the file system). */
    readonly readFile?: (file: string) => string | undefined;
}

export type Discovery =
    | { readonly kind: 'setting'; readonly url: string; readonly stateDir: string | undefined }
    | { readonly kind: 'announcement'; readonly url: string; readonly pid: number; readonly file: string; readonly stateDir: string }
    | { readonly kind: 'none'; readonly searched: readonly string[]; readonly stale: readonly string[]; readonly invalidSetting?: string };

/** Candidate state directories, most specific first, without duplicates. A relative $AF_STATE_DIR means the daemon's cwd, unknown to an editor: not guessed. */
export function stateDirs(input: Pick<DiscoveryInput, 'stateDir' | 'workspaceFolders' | 'env'>): string[] {
    const out: string[] = [];
    const add = (d: string): void => { if (!out.includes(d)) out.push(d); };
    const setting = input.stateDir?.trim();
    if (setting) {
        if (isAbsolute(setting)) add(resolve(setting));
        else for (const f of input.workspaceFolders) add(resolve(f, setting));
    }
    const env = stateDirFromEnv(input.env ?? {});
    if (env && isAbsolute(env)) add(resolve(env));
    for (const f of input.workspaceFolders) add(resolve(f, DEFAULT_STATE_DIR));
    return out;
}

/** Where to connect: the setting, else the first live announcement. */
export function discoverDaemon(input: DiscoveryInput): Discovery {
    const dirs = stateDirs(input);
    const read = input.readFile ?? readText;
    const setting = input.settingUrl?.trim();
    if (setting) {
        const n = normaliseUrl(setting);
        if ('error' in n) return { kind: 'none', searched: [], stale: [], invalidSetting: n.error };
        // A local daemon's state directory holds its admin token: the first one that exists.
        const local = isLoopback(n.url) ? dirs.find(d => read(join(d, ADMIN_TOKEN_FILE)) !== undefined || read(announcementFile(d)) !== undefined) : undefined;
        return { kind: 'setting', url: n.url, stateDir: local };
    }
    const alive = input.isAlive ?? processAlive;
    const searched: string[] = [];
    const stale: string[] = [];
    for (const dir of dirs) {
        const file = announcementFile(dir);
        searched.push(file);
        const a = parseAnnouncement(read(file));
        if (!a) continue;
        if (isLoopback(a.url) && !alive(a.pid)) {
            stale.push(file);
            continue;
        }
        return { kind: 'announcement', url: a.url, pid: a.pid, file, stateDir: dir };
    }
    return { kind: 'none', searched, stale };
}
