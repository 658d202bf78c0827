/**
 * The connection to the AlphaForge daemon: finds it (setting or announcement file), starts it
 * when asked to (or automatically, in a trusted workspace, with `alphaforge.daemon.autoStart`),
 * authenticates with a token from SecretStorage (offering the local bootstrap admin token),
 * keeps one WebSocket session for the `runs` and `alerts` topics and retries with backoff when
 * the daemon is down. Nothing here ever blocks the editor: every step runs in the background
 * and the state is published for the status bar and the views.
 */
import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import * as vscode from 'vscode';
import { DaemonClient, DaemonUnreachableError, type CallArgs, type EventSubscription } from '../../protocol/src/client.js';
import { ErrorCodes, RpcError, type MethodName, type Principal, type ResultOf, type StreamEvent, type Topic } from '../../protocol/src/daemon/index.js';
import { ADMIN_TOKEN_FILE, discoverDaemon, readAdminToken, stateDirs, type Discovery } from '../../protocol/src/discovery.js';
import { DEFAULT_TOKEN_KEY, backoffMs, daemonStartArgs, daemonStopArgs, findCli, tokenKey, type CliCommand } from './daemon-discovery.js';

export type DaemonState =
    | { readonly kind: 'connecting' }
    | { readonly kind: 'starting' }
    | { readonly kind: 'connected'; readonly url: string; readonly principal: Principal; readonly version: string; readonly live: boolean }
    | { readonly kind: 'unauthorized'; readonly url: string; readonly message: string }
    | { readonly kind: 'down'; readonly message: string; readonly url?: string; readonly retryAt?: number };

/** Thrown by `ready()` when a command needs the daemon and it cannot be had now. */
export class DaemonNotReadyError extends Error {
    constructor(readonly state: DaemonState) {
        super(state.kind === 'unauthorized' ? `The AlphaForge daemon at ${state.url} needs a token: ${state.message}`
            : state.kind === 'down' ? `The AlphaForge daemon is not available: ${state.message}`
                : 'The AlphaForge daemon is not connected yet.');
        this.name = 'DaemonNotReadyError';
    }
}

const CONFIG = 'alphaforge';

function message(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

export class DaemonConnection implements vscode.Disposable {
    private readonly stateEmitter = new vscode.EventEmitter<DaemonState>();
    private readonly eventEmitter = new vscode.EventEmitter<StreamEvent>();
    /** The state: every change is published. */
    readonly onDidChangeState = this.stateEmitter.event;
    /** Events of the `runs`, `alerts` and followed `run:<id>` topics. */
    readonly onEvent = this.eventEmitter.event;

    private current: DaemonState = { kind: 'connecting' };
    private client: DaemonClient | undefined;
    private session: EventSubscription | undefined;
    private discovery: Discovery | undefined;
    private connecting: Promise<void> | undefined;
    private retryTimer: NodeJS.Timeout | undefined;
    private attempt = 0;
    private autoStartTried = false;
    /** Connected to a daemon in this window: one that goes away was stopped (or crashed), and is not started again behind the user's back. */
    private seenDaemon = false;
    /** Auto-start problems the user was told of (once each per window). */
    private readonly told = new Set<string>();
    private readonly offered = new Set<string>();
    private disposed = false;
    private readonly disposables: vscode.Disposable[] = [];

    constructor(private readonly context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {
        this.disposables.push(this.stateEmitter, this.eventEmitter);
        this.disposables.push(vscode.workspace.onDidChangeConfiguration(e => {
            if (e.affectsConfiguration(`${CONFIG}.daemon`) || e.affectsConfiguration(`${CONFIG}.stateDir`)) {
                this.log.info('daemon settings changed: reconnecting');
                this.autoStartTried = false;
                void this.reconnect();
            }
        }));
        this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.reconnect()));
        // A daemon started from a terminal announces itself: connect at once.
        const watcher = vscode.workspace.createFileSystemWatcher('**/daemon.json');
        const onAnnouncement = (): void => { if (this.current.kind !== 'connected' && this.current.kind !== 'starting') void this.connect(); };
        this.disposables.push(watcher, watcher.onDidCreate(onAnnouncement), watcher.onDidChange(onAnnouncement));
    }

    get state(): DaemonState {
        return this.current;
    }

    /** The state directory of the daemon we talk to (or would start): for admin.token and `af daemon`. */
    get stateDir(): string | undefined {
        const d = this.discovery;
        if (d?.kind === 'announcement') return d.stateDir;
        if (d?.kind === 'setting' && d.stateDir) return d.stateDir;
        return this.candidateStateDirs()[0];
    }

    private setState(s: DaemonState): void {
        this.current = s;
        this.stateEmitter.fire(s);
    }

    private settings() {
        const c = vscode.workspace.getConfiguration(CONFIG);
        return {
            url: c.get<string>('daemon.url', ''),
            autoStart: c.get<boolean>('daemon.autoStart', true),
            stateDir: c.get<string>('stateDir', ''),
            cli: c.get<string>('cli.path', ''),
        };
    }

    private folders(): string[] {
        // An untrusted workspace does not choose where our token goes: no announcement files from it.
        if (!vscode.workspace.isTrusted) return [];
        return (vscode.workspace.workspaceFolders ?? []).filter(f => f.uri.scheme === 'file').map(f => f.uri.fsPath);
    }

    private candidateStateDirs(): string[] {
        return stateDirs({ stateDir: this.settings().stateDir, workspaceFolders: this.folders(), env: vscode.workspace.isTrusted ? process.env : {} });
    }

    /** Connects in the background (a no-op while a connection attempt runs). */
    connect(): Promise<void> {
        if (this.disposed) return Promise.resolve();
        this.connecting ??= this.doConnect().finally(() => { this.connecting = undefined; });
        return this.connecting;
    }

    /** Drops the current connection and connects again now. */
    async reconnect(): Promise<void> {
        await this.disconnect();
        this.attempt = 0;
        await this.connect();
    }

    private async disconnect(): Promise<void> {
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        const s = this.session;
        this.session = undefined;
        this.client = undefined;
        if (s) await s.close().catch(() => undefined);
    }

    private scheduleRetry(msg: string, url?: string): void {
        if (this.disposed) return;
        if (this.retryTimer) clearTimeout(this.retryTimer);
        const delay = backoffMs(this.attempt++);
        this.retryTimer = setTimeout(() => { this.retryTimer = undefined; void this.connect(); }, delay);
        this.setState({ kind: 'down', message: msg, ...(url ? { url } : {}), retryAt: Date.now() + delay });
    }

    private async doConnect(): Promise<void> {
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        if (this.current.kind !== 'connected') this.setState({ kind: 'connecting' });
        const s = this.settings();
        const d = discoverDaemon({ settingUrl: s.url, stateDir: s.stateDir, workspaceFolders: this.folders(), env: vscode.workspace.isTrusted ? process.env : {} });
        this.discovery = d;
        if (d.kind === 'none') {
            if (d.invalidSetting) {
                this.setState({ kind: 'down', message: `alphaforge.daemon.url: ${d.invalidSetting}` });
                return;
            }
            if (s.autoStart && !this.autoStartTried && !this.seenDaemon && vscode.workspace.isTrusted && this.folders().length) {
                this.autoStartTried = true;
                this.log.info('no daemon announced for this workspace: starting one (alphaforge.daemon.autoStart)');
                await this.startDaemon({ quiet: true });
                return;
            }
            if (this.seenDaemon) {
                // `af daemon stop` (or the daemon's end) removed the announcement: the user's choice stands.
                this.log.info('the daemon is gone; not starting it again (AlphaForge: Start Daemon does)');
                this.scheduleRetry('the daemon was stopped; start it with "AlphaForge: Start Daemon" or `af daemon start`');
                return;
            }
            const where = d.searched.length ? `no daemon.json in ${d.searched.map(f => this.pretty(f)).join(', ')}` : 'no workspace folder and no alphaforge.daemon.url';
            this.log.debug(`daemon not found: ${where}${d.stale.length ? `; stale: ${d.stale.join(', ')}` : ''}`);
            this.scheduleRetry(`no daemon is running for this workspace (${where})`);
            return;
        }
        const token = await this.tokenFor(d);
        if (!token) {
            this.setState({ kind: 'unauthorized', url: d.url, message: 'no token: set one with "AlphaForge: Set Daemon Token"' });
            this.offerAdminToken(d);
            return;
        }
        const client = new DaemonClient({ url: d.url, token, timeoutMs: 30_000 });
        try {
            const [info, who] = await Promise.all([client.call('daemon.info'), client.call('iam.whoami')]);
            await this.disconnect();
            this.client = client;
            const live = await this.openSession(client);
            this.attempt = 0;
            this.seenDaemon = true;
            this.log.info(`connected to ${d.url} (AlphaForge ${info.version}, protocol ${info.protocolVersion}) as ${who.principal.userName} in ${who.principal.teamName} (${who.principal.role})${live ? '' : '; no live events'}`);
            this.setState({ kind: 'connected', url: d.url, principal: who.principal, version: info.version, live });
        } catch (e) {
            await this.disconnect();
            if (e instanceof RpcError && (e.code === ErrorCodes.Unauthenticated || e.code === ErrorCodes.Forbidden)) {
                this.log.warn(`the daemon at ${d.url} refused the token: ${e.message}`);
                this.setState({ kind: 'unauthorized', url: d.url, message: `the daemon refused the token (${e.message})` });
                this.offerAdminToken(d);
                return;
            }
            this.log.warn(e instanceof DaemonUnreachableError ? e.message : `cannot use the daemon at ${d.url}: ${message(e)}`);
            this.scheduleRetry(e instanceof DaemonUnreachableError ? `cannot reach ${d.url}` : message(e), d.url);
        }
    }

    /** The WebSocket session for live events; false when the daemon offers none. */
    private async openSession(client: DaemonClient): Promise<boolean> {
        try {
            const session = await client.subscribe(['runs', 'alerts'], e => this.eventEmitter.fire(e), {
                timeoutMs: 10_000,
                onInvalid: m => this.log.debug(`ignored an event the protocol does not know: ${JSON.stringify(m).slice(0, 200)}`),
            });
            this.session = session;
            this.followers.clear();
            void session.closed.then(({ code, reason }) => {
                if (this.session !== session || this.disposed) return;
                this.session = undefined;
                this.client = undefined;
                this.log.warn(`the daemon closed the event session (${code}${reason ? ` ${reason}` : ''})`);
                this.scheduleRetry('the connection to the daemon was lost', this.current.kind === 'connected' ? this.current.url : undefined);
            });
            return true;
        } catch (e) {
            this.log.warn(`no live events from the daemon: ${message(e)}`);
            return false;
        }
    }

    // ------------------------------------------------------------------------------ tokens

    /** SecretStorage (this daemon's token, then the default one), else $AF_TOKEN of the editor's environment (as `af` takes it). */
    private async tokenFor(d: Discovery): Promise<string | undefined> {
        const key = tokenKey(d);
        return (key ? await this.context.secrets.get(key) : undefined) ?? await this.context.secrets.get(DEFAULT_TOKEN_KEY) ?? (process.env['AF_TOKEN']?.trim() || undefined);
    }

    private offerAdminToken(d: Discovery): void {
        const dir = d.kind === 'announcement' ? d.stateDir : d.kind === 'setting' ? d.stateDir : undefined;
        if (!dir || !vscode.workspace.isTrusted) {
            void this.askForToken(d);
            return;
        }
        const admin = readAdminToken(dir);
        if (!admin) {
            void this.askForToken(d);
            return;
        }
        if (this.offered.has(dir)) return;
        this.offered.add(dir);
        void vscode.window.showInformationMessage(
            `AlphaForge: the daemon needs a token. Use the local bootstrap admin token (${this.pretty(dir)}/${ADMIN_TOKEN_FILE})?`,
            'Use Admin Token', 'Enter Token…',
        ).then(async choice => {
            if (choice === 'Use Admin Token') {
                await this.storeToken(d, admin);
                await this.reconnect();
            } else if (choice === 'Enter Token…') {
                await this.setToken();
            }
        });
    }

    private async askForToken(d: Discovery): Promise<void> {
        const key = d.kind === 'none' ? undefined : d.url;
        if (!key || this.offered.has(key)) return;
        this.offered.add(key);
        const choice = await vscode.window.showWarningMessage(`AlphaForge: the daemon at ${key} needs an API token.`, 'Enter Token…');
        if (choice) await this.setToken();
    }

    private async storeToken(d: Discovery | undefined, token: string): Promise<void> {
        const key = d ? tokenKey(d) : undefined;
        if (key) await this.context.secrets.store(key, token);
        await this.context.secrets.store(DEFAULT_TOKEN_KEY, token);
    }

    /** Asks for a token (password box), keeps it in SecretStorage and reconnects. */
    async setToken(): Promise<void> {
        const token = await vscode.window.showInputBox({
            title: 'AlphaForge daemon token',
            prompt: 'An API token of the daemon (`af token create`; the first admin token is admin.token in the state directory). Kept in VS Code\'s secret storage.',
            password: true,
            ignoreFocusOut: true,
            validateInput: v => (/^\S{8,4096}$/.test(v.trim()) ? undefined : 'a token is at least 8 characters without spaces'),
        });
        if (!token) return;
        await this.storeToken(this.discovery?.kind === 'none' ? undefined : this.discovery, token.trim());
        this.offered.clear();
        await this.reconnect();
    }

    async clearToken(): Promise<void> {
        const key = this.discovery ? tokenKey(this.discovery) : undefined;
        if (key) await this.context.secrets.delete(key);
        await this.context.secrets.delete(DEFAULT_TOKEN_KEY);
        this.offered.clear();
        this.log.info('forgot the daemon token');
        await this.reconnect();
    }

    // ------------------------------------------------------------------------- the CLI

    private cli(): CliCommand | undefined {
        return findCli({ setting: this.settings().cli, workspaceFolders: this.folders() });
    }

    /** Runs `af <args>` (never the editor's own runtime: the daemon needs Node's native modules). */
    private runCli(cli: CliCommand, args: readonly string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
        return new Promise(resolve => {
            const cwd = this.folders()[0];
            this.log.info(`$ ${[cli.command, ...cli.args, ...args].join(' ')}`);
            const child = spawn(cli.command, [...cli.args, ...args], {
                ...(cwd ? { cwd } : {}),
                env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined },
                shell: process.platform === 'win32' && /\.(cmd|bat)$/i.test(cli.command),
                stdio: ['ignore', 'pipe', 'pipe'],
                windowsHide: true,
            });
            let output = '';
            const onData = (b: Buffer): void => {
                const t = b.toString();
                output += t;
                for (const line of t.split(/\r?\n/)) if (line.trim()) this.log.info(`af: ${line}`);
            };
            child.stdout.on('data', onData);
            child.stderr.on('data', onData);
            const timer = setTimeout(() => { child.kill(); output += `\n(no answer within ${timeoutMs / 1000} s)`; }, timeoutMs);
            child.on('error', e => { clearTimeout(timer); resolve({ code: null, output: `${output}${message(e)}` }); });
            child.on('close', code => { clearTimeout(timer); resolve({ code, output }); });
        });
    }

    /** `af daemon start` for the workspace's state directory, then connect. */
    async startDaemon(o: { quiet?: boolean } = {}): Promise<void> {
        if (!vscode.workspace.isTrusted) {
            this.setState({ kind: 'down', message: 'this workspace is not trusted: the extension does not start programs from it' });
            if (!o.quiet) void vscode.window.showWarningMessage('AlphaForge: trust this workspace to start the daemon from it.', 'Manage Workspace Trust')
                .then(c => { if (c) void vscode.commands.executeCommand('workbench.trust.manage'); });
            return;
        }
        const cli = this.cli();
        const dir = this.stateDir;
        if (!cli || !dir) {
            const why = !dir ? 'open a folder first' : 'the `af` CLI was not found (install alphaforge in the workspace, put `af` on PATH or set alphaforge.cli.path)';
            this.log.warn(`cannot start the daemon: ${why}`);
            this.scheduleRetry(`no daemon is running and it cannot be started: ${why}`);
            // Quiet (auto-start) or not, this needs the user: say it once per window instead of only logging it.
            if (!o.quiet || this.tellOnce('no-cli')) {
                void vscode.window.showErrorMessage(`AlphaForge: cannot start the daemon: ${why}. Backtests, sweeps and the experiment store need it; editing and checking .af files work without it.`, 'Set CLI Path', 'Show Log')
                    .then(c => {
                        if (c === 'Set CLI Path') void vscode.commands.executeCommand('workbench.action.openSettings', 'alphaforge.cli.path');
                        else if (c === 'Show Log') this.log.show();
                    });
            }
            return;
        }
        this.setState({ kind: 'starting' });
        const r = await vscode.window.withProgress(
            { location: o.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title: 'Starting the AlphaForge daemon…' },
            () => this.runCli(cli, daemonStartArgs(dir), 60_000),
        );
        if (r.code === 0) {
            this.attempt = 0;
            await this.doConnectAfterStart();
            return;
        }
        const last = r.output.trim().split('\n').at(-1) ?? '';
        this.log.error(`af daemon start failed (exit ${r.code ?? 'error'}): ${last}`);
        this.scheduleRetry(`af daemon start failed: ${last}`);
        if (!o.quiet || this.tellOnce('start-failed')) void vscode.window.showErrorMessage(`AlphaForge: the daemon did not start: ${last}`, 'Show Log', 'Retry').then(c => {
            if (c === 'Show Log') this.log.show();
            else if (c === 'Retry') void this.startDaemon();
        });
    }

    /** True the first time `what` is asked about in this window. */
    private tellOnce(what: string): boolean {
        if (this.told.has(what)) return false;
        this.told.add(what);
        return true;
    }

    private async doConnectAfterStart(): Promise<void> {
        // startDaemon may run inside a connection attempt: connect directly, not through `connect()`.
        if (this.connecting) await this.doConnect();
        else await this.connect();
    }

    async stopDaemon(): Promise<void> {
        const cli = vscode.workspace.isTrusted ? this.cli() : undefined;
        const dir = this.stateDir;
        if (!cli || !dir) {
            void vscode.window.showErrorMessage('AlphaForge: cannot stop the daemon from here (no `af` CLI or no state directory); run `af daemon stop`.');
            return;
        }
        this.autoStartTried = true; // do not start it again behind the user's back
        await this.disconnect();
        const r = await this.runCli(cli, daemonStopArgs(dir), 30_000);
        if (r.code !== 0) void vscode.window.showErrorMessage(`AlphaForge: af daemon stop failed: ${r.output.trim().split('\n').at(-1) ?? ''}`, 'Show Log').then(c => { if (c) this.log.show(); });
        this.setState({ kind: 'down', message: 'the daemon was stopped' });
    }

    // ---------------------------------------------------------------------- calls

    /** The client once connected; otherwise one connection attempt, then DaemonNotReadyError. */
    async ready(): Promise<DaemonClient> {
        if (this.current.kind !== 'connected' || !this.client) await this.connect();
        if (this.current.kind === 'connected' && this.client) return this.client;
        throw new DaemonNotReadyError(this.current);
    }

    get connected(): boolean {
        return this.current.kind === 'connected' && this.client !== undefined;
    }

    /**
     * Calls a method; an unreachable daemon or a refused token changes the state (and starts
     * the retries) before the error is passed on.
     */
    async call<M extends MethodName>(method: M, ...args: CallArgs<M>): Promise<ResultOf<M>> {
        const client = await this.ready();
        try {
            return await client.call(method, ...args);
        } catch (e) {
            if (e instanceof DaemonUnreachableError && this.client === client) {
                await this.disconnect();
                this.scheduleRetry(`cannot reach ${client.options.url}`, client.options.url);
            } else if (e instanceof RpcError && e.code === ErrorCodes.Unauthenticated && this.client === client) {
                await this.disconnect();
                this.setState({ kind: 'unauthorized', url: client.options.url, message: e.message });
            }
            throw e;
        }
    }

    /** Adds `run:<id>` (logs too) to the event session until the returned disposable is disposed. */
    follow(runId: string): Promise<vscode.Disposable> {
        return this.followTopic(`run:${runId}`);
    }

    /**
     * Joins `deployment:<id>` until disposed: `onEvent` gets its events and the session's lag
     * notices (after one, catch up with execution.events). Nothing live without a session.
     */
    async followDeployment(id: string, onEvent: (e: StreamEvent) => void): Promise<vscode.Disposable> {
        const topic = await this.followTopic(`deployment:${id}`);
        const listener = this.onEvent(e => { if (e.type === 'lagged' || (e.type === 'deployment' && e.deploymentId === id)) onEvent(e); });
        return vscode.Disposable.from(listener, topic);
    }

    /** Topics joined, with how many followers each (a topic is left when its last follower goes). */
    private readonly followers = new Map<string, number>();

    private async followTopic(topic: Topic): Promise<vscode.Disposable> {
        const session = this.session;
        if (!session) return new vscode.Disposable(() => undefined);
        const n = this.followers.get(topic) ?? 0;
        this.followers.set(topic, n + 1);
        if (n === 0) {
            try {
                await session.subscribe([topic]);
            } catch (e) {
                this.log.debug(`cannot follow ${topic}: ${message(e)}`);
            }
        }
        let done = false;
        return new vscode.Disposable(() => {
            if (done) return;
            done = true;
            if (this.session !== session) return; // a session since closed: its topics went with it
            const left = (this.followers.get(topic) ?? 1) - 1;
            if (left > 0) {
                this.followers.set(topic, left);
                return;
            }
            this.followers.delete(topic);
            void session.unsubscribe([topic]).catch(() => undefined);
        });
    }

    private pretty(file: string): string {
        const f = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        const r = f ? relative(f, file) : file;
        return r && !r.startsWith('..') ? r : file;
    }

    dispose(): void {
        this.disposed = true;
        void this.disconnect();
        for (const d of this.disposables) d.dispose();
    }
}
