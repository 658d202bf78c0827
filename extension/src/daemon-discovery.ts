/**
 * Where the daemon is, without VS Code: the pure half of the connection (tested on its own).
 *
 * Precedence: the `alphaforge.daemon.url` setting, if set, names the daemon; otherwise the
 * announcement file `<state dir>/daemon.json` ({pid, url}) that a running daemon writes (see
 * runtime/src/daemon/lifecycle.ts) is read from each candidate state directory in turn — the
 * `alphaforge.stateDir` setting, then $AF_STATE_DIR, then `<folder>/.alphaforge` of each
 * workspace folder. A file whose local pid is gone is stale and skipped.
 *
 * Also here: the bootstrap admin token (`<state dir>/admin.token`), the retry schedule and how
 * to run the `af` CLI of the workspace.
 */
import { readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export const ANNOUNCEMENT_FILE = 'daemon.json';
export const ADMIN_TOKEN_FILE = 'admin.token';
export const DEFAULT_STATE_DIR = '.alphaforge';

export interface DiscoveryInput {
    /** `alphaforge.daemon.url` ('' or undefined: not set). */
    readonly settingUrl?: string | undefined;
    /** `alphaforge.stateDir`: absolute, or relative to each workspace folder. */
    readonly stateDir?: string | undefined;
    /** File-system paths of the workspace folders, in order. */
    readonly workspaceFolders: readonly string[];
    /** The process environment (for AF_STATE_DIR). */
    readonly env?: Readonly<Record<string, string | undefined>>;
    /** Whether a local pid is alive (default: signal 0). */
    readonly isAlive?: (pid: number) => boolean;
    /** Reads a file as text, or undefined (default: the file system). */
    readonly readFile?: (file: string) => string | undefined;
}

export type Discovery =
    | { readonly kind: 'setting'; readonly url: string; readonly stateDir: string | undefined }
    | { readonly kind: 'announcement'; readonly url: string; readonly pid: number; readonly file: string; readonly stateDir: string }
    | { readonly kind: 'none'; readonly searched: readonly string[]; readonly stale: readonly string[]; readonly invalidSetting?: string };

export function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
}

function readText(file: string): string | undefined {
    try {
        return readFileSync(file, 'utf8');
    } catch {
        return undefined;
    }
}

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

/** Candidate state directories, most specific first, without duplicates. */
export function stateDirs(input: Pick<DiscoveryInput, 'stateDir' | 'workspaceFolders' | 'env'>): string[] {
    const out: string[] = [];
    const add = (d: string): void => { if (!out.includes(d)) out.push(d); };
    const setting = input.stateDir?.trim();
    if (setting) {
        if (isAbsolute(setting)) add(resolve(setting));
        else for (const f of input.workspaceFolders) add(resolve(f, setting));
    }
    const env = input.env?.AF_STATE_DIR?.trim();
    if (env && isAbsolute(env)) add(resolve(env));
    for (const f of input.workspaceFolders) add(resolve(f, DEFAULT_STATE_DIR));
    return out;
}

interface Announcement { pid: number; url: string }

export function parseAnnouncement(text: string | undefined): Announcement | undefined {
    if (text === undefined) return undefined;
    try {
        const a = JSON.parse(text) as Partial<Announcement>;
        if (typeof a.pid !== 'number' || !Number.isInteger(a.pid) || a.pid <= 0 || typeof a.url !== 'string') return undefined;
        const n = normaliseUrl(a.url);
        return 'url' in n ? { pid: a.pid, url: n.url } : undefined;
    } catch {
        return undefined;
    }
}

/** Where to connect: the setting, else the first live announcement. */
export function discoverDaemon(input: DiscoveryInput): Discovery {
    const dirs = stateDirs(input);
    const setting = input.settingUrl?.trim();
    if (setting) {
        const n = normaliseUrl(setting);
        if ('error' in n) return { kind: 'none', searched: [], stale: [], invalidSetting: n.error };
        // A local daemon's state directory holds its admin token: the first one that exists.
        const read = input.readFile ?? readText;
        const local = isLoopback(n.url) ? dirs.find(d => read(join(d, ADMIN_TOKEN_FILE)) !== undefined || read(join(d, ANNOUNCEMENT_FILE)) !== undefined) : undefined;
        return { kind: 'setting', url: n.url, stateDir: local };
    }
    const read = input.readFile ?? readText;
    const alive = input.isAlive ?? processAlive;
    const searched: string[] = [];
    const stale: string[] = [];
    for (const dir of dirs) {
        const file = join(dir, ANNOUNCEMENT_FILE);
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

/** The bootstrap admin token of a state directory, if the file is there and looks like a token. */
export function readAdminToken(stateDir: string, read: (file: string) => string | undefined = readText): string | undefined {
    const t = read(join(stateDir, ADMIN_TOKEN_FILE))?.trim();
    return t && /^\S{8,4096}$/.test(t) ? t : undefined;
}

/**
 * Delay before retry number `attempt` (0-based): 2 s, 4 s, 8 s … capped at `maxMs`, with up to
 * ±`jitter` of itself so several windows do not retry in step.
 */
export function backoffMs(attempt: number, o: { baseMs?: number; maxMs?: number; jitter?: number; random?: () => number } = {}): number {
    const base = o.baseMs ?? 2000, max = o.maxMs ?? 60_000, jitter = o.jitter ?? 0.1;
    const d = Math.min(max, base * 2 ** Math.max(0, Math.min(attempt, 30)));
    return Math.round(d * (1 + jitter * (2 * (o.random ?? Math.random)() - 1)));
}

/** Where the SecretStorage keeps a daemon's token: per URL, or per state directory for announced daemons (whose port may change). */
export function tokenKey(d: Discovery): string | undefined {
    if (d.kind === 'setting') return `alphaforge.token:${d.url}`;
    if (d.kind === 'announcement') return `alphaforge.token:state:${d.stateDir}`;
    return undefined;
}
/** The token used when none is stored for the daemon itself (the last one entered by hand). */
export const DEFAULT_TOKEN_KEY = 'alphaforge.token';

// ------------------------------------------------------------------------------------ the CLI

export interface CliCommand {
    readonly command: string;
    readonly args: readonly string[];
    /** What it is, for messages: "node_modules/.bin/af", "af on PATH" … */
    readonly description: string;
}

function isFile(p: string): boolean {
    try {
        return statSync(p).isFile();
    } catch {
        return false;
    }
}

/** Finds `name` on PATH (with PATHEXT on Windows). */
export function onPath(name: string, env: Readonly<Record<string, string | undefined>> = process.env, exists: (p: string) => boolean = isFile): string | undefined {
    const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
    for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
        if (!dir) continue;
        for (const ext of exts) {
            const p = join(dir, name + ext);
            if (exists(p)) return p;
        }
    }
    return undefined;
}

/**
 * How to run `af`: the `alphaforge.cli.path` setting (a .js file is run with `node`), else the
 * workspace's `node_modules/.bin/af`, else `bin/af.js` of an AlphaForge checkout, else `af` on PATH.
 * The daemon loads native modules built for Node, so scripts run with `node`, never with the
 * editor's own runtime.
 */
export function findCli(o: {
    readonly setting?: string | undefined;
    readonly workspaceFolders: readonly string[];
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly exists?: (p: string) => boolean;
    readonly readFile?: (file: string) => string | undefined;
}): CliCommand | undefined {
    const exists = o.exists ?? isFile;
    const read = o.readFile ?? readText;
    const env = o.env ?? process.env;
    const node = onPath('node', env, exists) ?? 'node';
    const script = (file: string, description: string): CliCommand =>
        /\.(c|m)?js$/.test(file) ? { command: node, args: [file], description } : { command: file, args: [], description };
    const setting = o.setting?.trim();
    if (setting) {
        const candidates = isAbsolute(setting) ? [setting] : o.workspaceFolders.map(f => resolve(f, setting));
        const found = candidates.find(exists);
        if (found) return script(found, found);
        const p = onPath(setting, env, exists);
        return p ? script(p, `${setting} on PATH`) : undefined;
    }
    for (const f of o.workspaceFolders) {
        const bin = join(f, 'node_modules', '.bin', process.platform === 'win32' ? 'af.cmd' : 'af');
        if (exists(bin)) return script(bin, 'node_modules/.bin/af');
        const own = join(f, 'bin', 'af.js');
        if (exists(own)) {
            try {
                if ((JSON.parse(read(join(f, 'package.json')) ?? '{}') as { name?: string }).name === 'alphaforge') return script(own, 'bin/af.js');
            } catch {
                // not an AlphaForge checkout
            }
        }
    }
    const p = onPath('af', env, exists);
    return p ? script(p, 'af on PATH') : undefined;
}

/** `af daemon start` for a state directory, on any free port (clients find it through daemon.json). */
export function daemonStartArgs(stateDir: string): string[] {
    return ['daemon', 'start', '--state-dir', stateDir, '--port', '0'];
}

export function daemonStopArgs(stateDir: string): string[] {
    return ['daemon', 'stop', '--state-dir', stateDir];
}
