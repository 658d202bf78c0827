/**
 * The processes of the end-to-end suite: the packaged .vsix, a daemon on a throwaway state
 * directory with the S&P 500 sample, and code-server (a real VS Code served on 127.0.0.1) in its
 * own session/process group (it spawns an extension host, the language server, file watchers…),
 * so teardown can stop all of it at once. Everything lives in one temp directory.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
export const AF = join(ROOT, 'bin', 'af.js');
export const SCREENSHOTS = join(ROOT, 'e2e', 'screenshots');
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** The launcher written by scripts/e2e/install-code-server.sh (or $AF_E2E_CODE_SERVER). */
export function codeServerPath(): string {
    const p = process.env['AF_E2E_CODE_SERVER'] ?? join(ROOT, '.cache', 'e2e', 'bin', 'code-server');
    if (!existsSync(p)) throw new Error(`code-server is not installed at ${p}: run \`bash scripts/e2e/install-code-server.sh\` first (or set AF_E2E_CODE_SERVER)`);
    return p;
}

export function tempRoot(): string {
    return mkdtempSync(join(tmpdir(), 'af-e2e-'));
}

function run(cmd: string, args: readonly string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
    try {
        return execFileSync(cmd, args, { cwd: o.cwd ?? ROOT, env: o.env ?? process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: o.timeoutMs ?? 300_000, maxBuffer: 64 << 20 });
    } catch (e) {
        const x = e as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${cmd} ${args.join(' ')} failed: ${x.message}\n${(x.stdout ?? '').slice(-3000)}\n${(x.stderr ?? '').slice(-3000)}`);
    }
}

/** run(), without blocking: setup steps that do not need each other run side by side. */
function runAsync(cmd: string, args: readonly string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
    return new Promise((res, rej) => {
        execFile(cmd, args, { cwd: o.cwd ?? ROOT, env: o.env ?? process.env, encoding: 'utf8', timeout: o.timeoutMs ?? 300_000, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
            if (e) rej(new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
            else res(stdout);
        });
    });
}

/**
 * The extension as users get it: `npm run package` (build, bundle, vsce) into `dir`.
 * $AF_E2E_VSIX names an already packaged one instead.
 */
export async function packageVsix(dir: string): Promise<string> {
    const given = process.env['AF_E2E_VSIX'];
    if (given) {
        if (!existsSync(given)) throw new Error(`AF_E2E_VSIX=${given} does not exist`);
        return resolve(given);
    }
    const out = join(dir, 'alphaforge-e2e.vsix');
    // AF_E2E_PREBUILT=1 (.ci/run, right after `npm test` built everything): package without building again.
    await runAsync('npm', ['run', process.env['AF_E2E_PREBUILT'] === '1' ? 'package:built' : 'package', '--', '--out', out], { timeoutMs: 600_000 });
    if (!existsSync(out)) throw new Error(`npm run package wrote no ${out}`);
    return out;
}

export function af(args: readonly string[], o: { cwd?: string } = {}): Promise<string> {
    return runAsync(process.execPath, [AF, ...args], o);
}

function afSync(args: readonly string[], o: { cwd?: string } = {}): string {
    return run(process.execPath, [AF, ...args], o);
}

export interface Daemon {
    readonly stateDir: string;
    readonly url: string;
    readonly pid: number;
    readonly token: string;
    stop(): void;
}

/** `af daemon start --port 0` on `stateDir`; stop() is `af daemon stop`, then SIGKILL if it lingers. */
export async function startDaemon(stateDir: string): Promise<Daemon> {
    await af(['daemon', 'start', '--state-dir', stateDir, '--port', '0', '--host', '127.0.0.1']);
    const a = JSON.parse(readFileSync(join(stateDir, 'daemon.json'), 'utf8')) as { pid: number; url: string };
    const token = readFileSync(join(stateDir, 'admin.token'), 'utf8').trim();
    // If this process dies without a teardown, do not leave the daemon behind.
    const onExit = (): void => killHard(a.pid);
    process.on('exit', onExit);
    let stopped = false;
    return {
        stateDir, url: a.url, pid: a.pid, token,
        stop() {
            if (stopped) return;
            stopped = true;
            process.off('exit', onExit);
            try {
                afSync(['daemon', 'stop', '--state-dir', stateDir]);
            } catch (e) {
                console.warn(`af daemon stop: ${(e as Error).message.split('\n')[0]}`);
            }
            killHard(a.pid);
        },
    };
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

function killHard(pid: number): void {
    if (alive(pid)) {
        try {
            process.kill(pid, 'SIGKILL');
        } catch { /* gone */ }
    }
}

export interface CodeServer {
    readonly url: string;
    readonly pid: number;
    readonly userDataDir: string;
    /** code-server's own output so far. */
    output(): string;
    /** Stops the whole process group (SIGTERM, then SIGKILL). */
    stop(): Promise<void>;
}

export interface CodeServerOptions {
    readonly dir: string;
    /** The extensions directory installExtension() filled. */
    readonly extensionsDir: string;
    readonly folder: string;
    readonly userSettings: Record<string, unknown>;
    /** Settings of scope machine / machine-overridable: code-server reads these from Machine/settings.json. */
    readonly machineSettings: Record<string, unknown>;
    readonly env: Record<string, string>;
}

/** The environment for code-server: no VS Code variables of an enclosing editor, a private XDG home, no extension gallery. */
function codeServerEnv(dir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(VSCODE_|ELECTRON_)/.test(k) && !['AF_TOKEN', 'AF_STATE_DIR', 'AF_DAEMON_URL', 'PORT', 'PASSWORD', 'HASHED_PASSWORD'].includes(k)) env[k] = v;
    return {
        ...env,
        XDG_CONFIG_HOME: join(dir, 'xdg-config'),
        XDG_DATA_HOME: join(dir, 'xdg-data'),
        XDG_CACHE_HOME: join(dir, 'xdg-cache'),
        // No marketplace: nothing is fetched from outside this machine.
        EXTENSIONS_GALLERY: '{}',
        ...extra,
    };
}

/**
 * Installs the .vsix into a fresh extensions directory of `dir` (code-server's CLI, with the
 * environment code-server runs in; before the daemon is up: it needs no settings); returns the directory.
 */
export async function installExtension(dir: string, vsix: string): Promise<string> {
    const bin = codeServerPath();
    const userDataDir = join(dir, 'user-data');
    const extensionsDir = join(dir, 'extensions');
    mkdirSync(userDataDir, { recursive: true });
    mkdirSync(extensionsDir, { recursive: true });
    const installed = await runAsync(bin, ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir], { env: codeServerEnv(dir, {}), timeoutMs: 120_000 });
    if (!readdirSync(extensionsDir).some(d => d.startsWith('alphaforge.alphaforge-'))) throw new Error(`the .vsix was not installed:\n${installed}`);
    return extensionsDir;
}

/**
 * Writes the settings and starts code-server on 127.0.0.1 (a free port it picks) with the
 * extensions installExtension() installed, in a new session (detached: setsid), with no auth, no
 * telemetry, no update check and no workspace trust prompt.
 */
export async function startCodeServer(o: CodeServerOptions): Promise<CodeServer> {
    const bin = codeServerPath();
    const userDataDir = join(o.dir, 'user-data');
    const { extensionsDir } = o;
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(o.userSettings, null, 2));
    writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(o.machineSettings, null, 2));
    const env = codeServerEnv(o.dir, o.env);

    const child: ChildProcess = spawn(bin, [
        '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
        '--bind-addr', '127.0.0.1:0', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, o.folder,
    ], { cwd: o.dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${bin}`);
    // If this process dies without a teardown, do not leave code-server behind.
    const onExit = (): void => killGroup(pid, 'SIGKILL');
    process.on('exit', onExit);
    let output = '';
    child.stdout?.on('data', (b: Buffer) => { output += b.toString(); });
    child.stderr?.on('data', (b: Buffer) => { output += b.toString(); });
    const exited = new Promise<void>(r => child.once('exit', () => r()));

    const url = await new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`code-server did not announce its port within 60 s:\n${output}`)), 60_000);
        const check = (): void => {
            const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
            if (m) {
                clearTimeout(timer);
                res(m[1]!);
            }
        };
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
        child.once('exit', code => { clearTimeout(timer); rej(new Error(`code-server exited (${code}) before listening:\n${output}`)); });
    });

    let stopping: Promise<void> | undefined;
    return {
        url, pid, userDataDir,
        output: () => output,
        stop() {
            stopping ??= (async () => {
                killGroup(pid, 'SIGTERM');
                const done = await Promise.race([exited.then(() => true), new Promise<boolean>(r => setTimeout(() => r(false), 5000))]);
                // The group may outlive its leader (extension host, language server): always finish it.
                await new Promise(r => setTimeout(r, done ? 500 : 0));
                killGroup(pid, 'SIGKILL');
                process.off('exit', onExit);
            })();
            return stopping;
        },
    };
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pgid, signal);
    } catch { /* the group is gone */ }
}

/** A copy of examples/ to open as the workspace (the test edits it). */
export function copyExamples(dir: string): string {
    const ws = join(dir, 'examples');
    cpSync(join(ROOT, 'examples'), ws, { recursive: true });
    return ws;
}

/** The last `maxChars` of each AlphaForge log of the extension host (for failure messages). */
export function extensionLogs(userDataDir: string, maxChars = 4000): string {
    const out: string[] = [];
    const walk = (d: string): void => {
        if (!existsSync(d)) return;
        for (const f of readdirSync(d)) {
            const p = join(d, f);
            if (statSync(p).isDirectory()) walk(p);
            else if (/AlphaForge|remoteexthost/i.test(f)) out.push(`--- ${p.slice(userDataDir.length + 1)}\n${readFileSync(p, 'utf8').slice(-maxChars)}`);
        }
    };
    walk(join(userDataDir, 'logs'));
    return out.join('\n');
}

export function removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
