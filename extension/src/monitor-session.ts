/**
 * The host side of one deployment monitor page, without VS Code: on the page's `ready` it sends
 * the deployment (`execution.show`, with `reset`: a page starts from nothing) and then every event
 * through a DeploymentFeed (stored ones from seq 0, then live ones), in batches the message schema
 * allows; `kill` and `stop` are confirmed with the user (`confirm`, a modal dialog in VS Code) and
 * sent to the daemon, and what they did is said in a notice (the events show the rest). The monitor
 * panel controller (monitor-panel.ts) and the Chromium test drive this same code.
 */
import { ErrorCodes, RpcError, type Deployment } from '../../protocol/src/daemon/index.js';
import { MONITOR_MAX_EVENTS, type MonitorToHost, type MonitorToWebview } from '../../protocol/src/webview.js';
import { DeploymentFeed, type FeedDaemon } from './deployment-feed.js';

export interface MonitorSessionOptions {
    readonly daemon: FeedDaemon;
    readonly deploymentId: string;
    /** Sends a message to the page (validated by the caller's channel). */
    readonly post: (m: MonitorToWebview) => void;
    /** Asks the user; false: do nothing. */
    readonly confirm: (action: 'kill' | 'stop', d: Deployment) => Promise<boolean>;
    readonly log?: (level: 'debug' | 'warn', message: string) => void;
    /** Re-reads the stored events this often (no live topic: the daemon offers no WebSocket). */
    readonly pollMs?: number;
    /** The deployment's title changed (its strategy and mode, once known). */
    readonly onTitle?: (title: string) => void;
}

function text(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

export class MonitorSession {
    private feed: DeploymentFeed | undefined;
    private poll: ReturnType<typeof setInterval> | undefined;
    private deployment: Deployment | undefined;
    private closed = false;

    constructor(private readonly o: MonitorSessionOptions) {}

    get deploymentId(): string {
        return this.o.deploymentId;
    }

    /** The page said `ready` (first load, re-created, after a reload) or the daemon came back: start over. */
    async open(): Promise<void> {
        this.stopFeed();
        let d: Deployment;
        try {
            d = (await this.o.daemon.call('execution.show', { id: this.o.deploymentId })).deployment;
        } catch (e) {
            this.o.post({ type: 'notice', level: 'error', message: e instanceof RpcError && e.code === ErrorCodes.NotFound ? `No deployment ${this.o.deploymentId} (or it belongs to another team).` : `Cannot show deployment ${this.o.deploymentId}: ${text(e)}` });
            return;
        }
        if (this.closed) return;
        this.deployment = d;
        this.o.onTitle?.(`${d.strategy} — ${d.mode}`);
        this.o.post({ type: 'deployment', deployment: d, reset: true });
        const feed = new DeploymentFeed(this.o.daemon, d.id, events => {
            for (let i = 0; i < events.length; i += MONITOR_MAX_EVENTS) this.o.post({ type: 'events', deploymentId: d.id, events: events.slice(i, i + MONITOR_MAX_EVENTS) });
        }, e => {
            this.o.log?.('warn', `monitor of ${d.id}: cannot catch up: ${text(e)}`);
            this.o.post({ type: 'notice', level: 'error', message: `Cannot read the events of ${d.id}: ${text(e)}. It tries again with the next event.` });
        });
        this.feed = feed;
        await feed.start();
        if (this.o.pollMs && !this.closed && this.feed === feed) this.poll = setInterval(() => void feed.resync(), this.o.pollMs);
    }

    /** A message from the page. */
    async handle(m: MonitorToHost): Promise<void> {
        if (m.type === 'ready') return this.open();
        if (m.deploymentId !== this.o.deploymentId) return;
        const d = this.deployment;
        if (!d || !(await this.o.confirm(m.type, d))) return;
        try {
            if (m.type === 'kill') {
                const r = await this.o.daemon.call('execution.kill', { id: d.id, reason: 'from the monitor panel' });
                const k = r.deployments[0];
                this.o.post({ type: 'notice', level: 'info', message: `Kill switch: ${d.id} is ${k?.state ?? 'halted'}; its open orders were cancelled and its positions flattened.` });
            } else {
                const r = await this.o.daemon.call('execution.stop', { id: d.id, reason: 'stopped in the monitor panel' });
                this.o.post({ type: 'notice', level: 'info', message: `${d.id} is ${r.deployment.state}: no new orders (open orders stay at the venue).` });
            }
        } catch (e) {
            this.o.post({ type: 'notice', level: 'error', message: `Cannot ${m.type} ${d.id}: ${text(e)}` });
        }
        await this.feed?.resync();
    }

    /** Catches up now (the daemon reconnected, or a lag notice reached someone else). */
    resync(): Promise<void> {
        return this.feed?.resync() ?? Promise.resolve();
    }

    private stopFeed(): void {
        this.feed?.stop();
        this.feed = undefined;
        if (this.poll) clearInterval(this.poll);
        this.poll = undefined;
    }

    close(): void {
        this.closed = true;
        this.stopFeed();
    }
}
