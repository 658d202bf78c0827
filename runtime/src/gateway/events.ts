/**
 * Events from the daemon to subscribers (WebSocket sessions, gRPC Subscribe streams).
 *
 * The daemon publishes to an `EventBus`; the `EventHub` fans each event out to the sessions
 * subscribed to one of its topics (topicsOf: run:<id>, runs, alerts) and allowed to see it (same
 * team). Each session writes through an `OutboundQueue`: FIFO, so the events of a run arrive in the
 * order they were published, and bounded: while the consumer is slow (its transport buffer above
 * the high-water mark) messages wait in the queue; when the queue is full the oldest progress
 * events are dropped first, then the oldest log lines, and one `lagged` event tells the consumer
 * what it missed. Responses, lifecycle events and alerts are never dropped: if they alone fill the
 * queue the session is closed (WS_CLOSE.TooSlow). Memory per session is at most the queue bound
 * plus the transport's high-water mark plus one message.
 */
import {
    EVENT_NOTIFICATION, topicsOf, type DaemonEvent, type LaggedEvent, type Topic,
} from '../../../protocol/src/daemon/index.js';
import type { Principal } from './types.js';

/** Who may see an event: runs belong to a team. */
export interface EventRouting {
    /** The owning team (id or name); undefined: everyone subscribed (e.g. alerts). */
    readonly team?: string;
}

export type EventListener = (event: DaemonEvent, routing: EventRouting) => void;

/** What the daemon publishes to and the gateway listens on. */
export interface EventBus {
    subscribe(listener: EventListener): () => void;
}

/** What the daemon's services (orchestrator, alerts) are handed to publish events. */
export interface EventPublisher {
    publish(event: DaemonEvent, routing?: EventRouting): void;
}

/** The in-process bus: publish calls listeners synchronously, in order; a throwing listener does not stop the others. */
export class LocalEventBus implements EventBus, EventPublisher {
    private readonly listeners = new Set<EventListener>();

    publish(event: DaemonEvent, routing: EventRouting = {}): void {
        for (const l of [...this.listeners]) {
            try {
                l(event, routing);
            } catch {
                // A subscriber's failure is its own; the publisher (a run) must not fail for it.
            }
        }
    }

    subscribe(listener: EventListener): () => void {
        this.listeners.add(listener);
        return () => { this.listeners.delete(listener); };
    }

    get listenerCount(): number {
        return this.listeners.size;
    }
}

export type MessageKind = 'response' | 'lifecycle' | 'progress' | 'log' | 'alert' | 'lagged';

/** A transport seen from the queue. */
export interface OutboundSink {
    /** Bytes accepted but not yet written to the network (ws.bufferedAmount, writable.writableLength). */
    bufferedBytes(): number;
    send(data: string, kind: MessageKind, runId?: string): void;
    /** True once the transport is closed: the queue stops. */
    closed(): boolean;
}

export interface QueueLimits {
    /** Send while the transport buffers less than this. */
    readonly highWaterBytes: number;
    /** Messages waiting in the queue, at most. */
    readonly maxQueued: number;
    /** Bytes waiting in the queue, at most. */
    readonly maxQueuedBytes: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { highWaterBytes: 1 << 20, maxQueued: 2048, maxQueuedBytes: 16 << 20 };

interface Item { readonly data: string; readonly kind: MessageKind; readonly runId?: string }

export interface QueueStats {
    queued: number;
    queuedBytes: number;
    /** Largest queue length seen. */
    maxQueuedSeen: number;
    droppedProgress: number;
    droppedLogs: number;
    laggedNotices: number;
    sent: number;
}

export class OutboundQueue {
    private items: Item[] = [];
    private head = 0;
    private bytes = 0;
    private pendingDropped = { progress: 0, log: 0, runIds: new Set<string>() };
    private timer: ReturnType<typeof setTimeout> | undefined;
    private stopped = false;
    /** Flushes in a row that could send nothing: the poll backs off (pollMs, 2×, … up to 100 ms). */
    private idlePolls = 0;
    readonly stats: QueueStats = { queued: 0, queuedBytes: 0, maxQueuedSeen: 0, droppedProgress: 0, droppedLogs: 0, laggedNotices: 0, sent: 0 };

    constructor(
        private readonly sink: OutboundSink,
        private readonly limits: QueueLimits,
        /** Called once when only undroppable messages fill the queue: close the session. */
        private readonly onOverflow: () => void,
        /** The wire form of a lag notice (default: a JSON-RPC `event` notification). */
        private readonly frameLagged: (event: LaggedEvent) => string = e => JSON.stringify({ jsonrpc: '2.0', method: EVENT_NOTIFICATION, params: e }),
        private readonly pollMs = 5,
    ) {}

    push(data: string, kind: MessageKind, runId?: string): void {
        if (this.stopped || this.sink.closed()) return;
        const item: Item = runId === undefined ? { data, kind } : { data, kind, runId };
        if (this.length === 0 && !this.hasPendingLag() && this.sink.bufferedBytes() < this.limits.highWaterBytes) {
            this.write(item);
            return;
        }
        this.items.push(item);
        this.bytes += data.length;
        this.enforceBounds();
        this.updateStats();
        this.flush();
    }

    /** Stop: forget the queue (the transport is gone). */
    stop(): void {
        this.stopped = true;
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        this.items = [];
        this.head = 0;
        this.bytes = 0;
        this.updateStats();
    }

    get length(): number {
        return this.items.length - this.head;
    }

    private hasPendingLag(): boolean {
        return this.pendingDropped.progress + this.pendingDropped.log > 0;
    }

    private write(item: Item): void {
        this.sink.send(item.data, item.kind, item.runId);
        this.stats.sent++;
    }

    private flush(): void {
        if (this.stopped) return;
        if (this.sink.closed()) {
            this.stop();
            return;
        }
        const sentBefore = this.stats.sent;
        while ((this.length > 0 || this.hasPendingLag()) && this.sink.bufferedBytes() < this.limits.highWaterBytes) {
            if (this.hasPendingLag()) {
                this.write({ data: this.laggedNotice(), kind: 'lagged' });
                continue;
            }
            const item = this.items[this.head]!;
            this.head++;
            this.bytes -= item.data.length;
            this.write(item);
        }
        if (this.head > 1024 && this.head * 2 > this.items.length) {
            this.items = this.items.slice(this.head);
            this.head = 0;
        }
        this.updateStats();
        this.idlePolls = this.stats.sent > sentBefore ? 0 : this.idlePolls + 1;
        if ((this.length > 0 || this.hasPendingLag()) && !this.timer) {
            this.timer = setTimeout(() => {
                this.timer = undefined;
                this.flush();
            }, Math.min(100, this.pollMs * 2 ** Math.min(this.idlePolls, 5)));
            this.timer.unref?.();
        }
    }

    private laggedNotice(): string {
        const d = this.pendingDropped;
        const event: LaggedEvent = {
            type: 'lagged', ts: new Date().toISOString(), dropped: d.progress + d.log,
            droppedProgress: d.progress, droppedLogs: d.log, runIds: [...d.runIds],
        };
        this.pendingDropped = { progress: 0, log: 0, runIds: new Set() };
        this.stats.laggedNotices++;
        return this.frameLagged(event);
    }

    private over(): boolean {
        return this.length > this.limits.maxQueued || this.bytes > this.limits.maxQueuedBytes;
    }

    private enforceBounds(): void {
        if (!this.over()) return;
        const live = this.head === 0 ? this.items : this.items.slice(this.head);
        this.head = 0;
        let count = live.length;
        let bytes = this.bytes;
        const dropped = new Set<number>();
        const { maxQueued, maxQueuedBytes } = this.limits;
        // Oldest progress events first, then oldest log lines; everything else keeps its order.
        for (const kind of ['progress', 'log'] as const) {
            for (let i = 0; i < live.length && (count > maxQueued || bytes > maxQueuedBytes); i++) {
                const it = live[i]!;
                if (it.kind !== kind) continue;
                dropped.add(i);
                count--;
                bytes -= it.data.length;
                if (kind === 'progress') { this.pendingDropped.progress++; this.stats.droppedProgress++; } else { this.pendingDropped.log++; this.stats.droppedLogs++; }
                if (it.runId !== undefined && this.pendingDropped.runIds.size < 1000) this.pendingDropped.runIds.add(it.runId);
            }
        }
        this.items = dropped.size ? live.filter((_, i) => !dropped.has(i)) : live;
        this.bytes = bytes;
        if (!this.over()) return;
        // Only responses, lifecycle events and alerts left, and still too many: the consumer cannot keep up.
        this.stop();
        this.onOverflow();
    }

    private updateStats(): void {
        this.stats.queued = this.length;
        this.stats.queuedBytes = this.bytes;
        if (this.length > this.stats.maxQueuedSeen) this.stats.maxQueuedSeen = this.length;
    }
}

// -------------------------------------------------------------------------------------- the hub

/** One subscriber: a WebSocket session or a gRPC stream. */
export interface Subscriber {
    readonly principal: Principal;
    readonly topics: ReadonlySet<string>;
    deliver(data: string, event: DaemonEvent): void;
}

export type Visibility = (principal: Principal, event: DaemonEvent, routing: EventRouting) => boolean;

/** Default: events of a team's runs go to that team's members; events without a team to everyone. */
export const sameTeam: Visibility = (principal, _event, routing) =>
    routing.team === undefined || routing.team === principal.teamId || routing.team === principal.teamName;

export class EventHub {
    private readonly byTopic = new Map<string, Set<Subscriber>>();
    private readonly unsubscribe: () => void;

    constructor(bus: EventBus, private readonly visible: Visibility = sameTeam) {
        this.unsubscribe = bus.subscribe((event, routing) => this.publish(event, routing));
    }

    add(subscriber: Subscriber, topic: string): void {
        let set = this.byTopic.get(topic);
        if (!set) this.byTopic.set(topic, set = new Set());
        set.add(subscriber);
    }

    remove(subscriber: Subscriber, topic?: string): void {
        const topics = topic === undefined ? [...subscriber.topics] : [topic];
        for (const t of topics) {
            const set = this.byTopic.get(t);
            if (!set) continue;
            set.delete(subscriber);
            if (set.size === 0) this.byTopic.delete(t);
        }
    }

    close(): void {
        this.unsubscribe();
        this.byTopic.clear();
    }

    private publish(event: DaemonEvent, routing: EventRouting): void {
        const targets = new Set<Subscriber>();
        for (const t of topicsOf(event) as Topic[]) for (const s of this.byTopic.get(t) ?? []) targets.add(s);
        if (targets.size === 0) return;
        const data = JSON.stringify({ jsonrpc: '2.0', method: EVENT_NOTIFICATION, params: event });
        for (const s of targets) {
            if (this.visible(s.principal, event, routing)) s.deliver(data, event);
        }
    }
}

/** The queue kind of an event. A deployment's events are stored with their seq (execution.events): droppable like log lines, never lost. */
export function kindOf(event: DaemonEvent): MessageKind {
    return event.type === 'deployment' ? 'log' : event.type;
}

export function runIdOf(event: DaemonEvent): string | undefined {
    return 'runId' in event ? event.runId : undefined;
}
