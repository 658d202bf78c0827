/**
 * One deployment's events as one gap-free stream in seq order: the stored ones first
 * (`execution.events` page by page from a seq), then those of the `deployment:<id>` topic as they
 * arrive. The topic is joined before the catch-up starts and what it brings meanwhile is held, so
 * nothing falls between the two; an event already delivered is dropped; a live event past a gap
 * (or a `lagged` notice) starts another catch-up from the last seq delivered. No VS Code here: the
 * monitor panel's controller uses it over the extension's daemon connection, the webview test over
 * a plain DaemonClient and a real daemon.
 */
import type { CallArgs } from '../../protocol/src/client.js';
import type { DeploymentEvent, MethodName, ResultOf, StreamEvent } from '../../protocol/src/daemon/index.js';

/** What the feed needs of a daemon connection. */
export interface FeedDaemon {
    call<M extends MethodName>(method: M, ...args: CallArgs<M>): Promise<ResultOf<M>>;
    /** Joins `deployment:<id>`: `onEvent` gets its events (and lag notices) until disposed. */
    followDeployment(id: string, onEvent: (e: StreamEvent) => void): Promise<{ dispose(): void }>;
}

/** Events per execution.events call. */
export const CATCH_UP_PAGE = 1000;

export class DeploymentFeed {
    private lastSeq: number;
    private held: DeploymentEvent[] = [];
    private catchingUp: Promise<void> | undefined;
    private again = false;
    private topic: { dispose(): void } | undefined;
    private stopped = false;

    /**
     * `deliver` gets each batch in seq order, never one seq twice; `onError` what stopped a
     * catch-up (the feed tries again at the next live event or `resync`).
     */
    constructor(
        private readonly daemon: FeedDaemon,
        readonly deploymentId: string,
        private readonly deliver: (events: DeploymentEvent[]) => void,
        private readonly onError: (e: unknown) => void,
        afterSeq = 0,
    ) {
        this.lastSeq = afterSeq;
    }

    get seq(): number {
        return this.lastSeq;
    }

    /** Joins the topic, then catches up; resolves once the stored events were delivered. */
    async start(): Promise<void> {
        this.topic = await this.daemon.followDeployment(this.deploymentId, e => this.onLive(e));
        if (this.stopped) {
            this.topic.dispose();
            return;
        }
        await this.resync();
    }

    /** Catches up from the last seq delivered (after a reconnect, a gap, a lag notice). */
    resync(): Promise<void> {
        if (this.catchingUp) {
            this.again = true;
            return this.catchingUp;
        }
        this.catchingUp = this.catchUp().catch(e => { if (!this.stopped) this.onError(e); }).finally(() => { this.catchingUp = undefined; });
        return this.catchingUp;
    }

    stop(): void {
        this.stopped = true;
        this.topic?.dispose();
        this.topic = undefined;
        this.held = [];
    }

    private onLive(e: StreamEvent): void {
        if (this.stopped) return;
        if (e.type === 'lagged') {
            void this.resync();
            return;
        }
        if (e.type !== 'deployment' || e.deploymentId !== this.deploymentId) return;
        if (this.catchingUp) {
            this.held.push(e);
            return;
        }
        if (e.seq <= this.lastSeq) return;
        if (e.seq === this.lastSeq + 1) {
            this.emit([e]);
            return;
        }
        this.held.push(e);
        void this.resync();
    }

    private async catchUp(): Promise<void> {
        do {
            this.again = false;
            for (;;) {
                const r = await this.daemon.call('execution.events', { id: this.deploymentId, afterSeq: this.lastSeq, limit: CATCH_UP_PAGE });
                if (this.stopped) return;
                this.emit(r.events.filter(e => e.seq > this.lastSeq));
                if (r.done || r.events.length < CATCH_UP_PAGE) break;
            }
            // What the topic brought meanwhile: the part that continues the stream; a gap means another page.
            const held = this.held.sort((a, b) => a.seq - b.seq);
            this.held = [];
            const next: DeploymentEvent[] = [];
            for (const e of held) {
                if (e.seq <= this.lastSeq + next.length) continue;
                if (e.seq !== this.lastSeq + next.length + 1) {
                    this.again = true;
                    break;
                }
                next.push(e);
            }
            this.emit(next);
        } while (this.again && !this.stopped);
    }

    private emit(events: DeploymentEvent[]): void {
        const fresh = events.filter(e => e.seq > this.lastSeq);
        if (fresh.length === 0 || this.stopped) return;
        this.lastSeq = fresh[fresh.length - 1]!.seq;
        this.deliver(fresh);
    }
}
