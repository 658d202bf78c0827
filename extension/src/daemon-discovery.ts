/**
 * The editor's half of finding the daemon, without VS Code (tested on its own): the retry
 * schedule, where tokens are kept, and how to run the `af` CLI of the workspace. The search itself
 * (the URL setting, then `<state dir>/daemon.json` of each candidate state directory; stale pids
 * skipped) and the announcement format are shared with the CLI: protocol/src/discovery.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { type Discovery } from '../../protocol/src/discovery.js';

function readText(file: string): string | undefined {
    try {
        return readFileSync(file, 'utf8');
    } catch {
        return undefined;
    }
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
