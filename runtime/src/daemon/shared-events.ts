/**
 * Several stateless gateways (team mode): what one daemon publishes, every daemon sharing its
 * control plane publishes to its own subscribers too. Without it a run submitted via one daemon
 * and executed there would stream its progress, logs and lifecycle only to that daemon's
 * WebSocket clients, and a token revoked via one would end live sessions only there.
 *
 * Each daemon sends its run and deployment events and IAM's credential changes on the shared
 * channel (pg-channel.ts), tagged with its own origin id, and republishes what the others sent to
 * its local bus (the gateway's EventHub, which still routes by team) and to the gateway's session
 * registry. Alerts stay local: each daemon evaluates its own. The payload is our own JSON, checked
 * with zod on arrival: the channel is inside the trust boundary but a malformed message is dropped,
 * never delivered.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DaemonEvent } from '../../../protocol/src/daemon/index.js';
import type { EventBus, EventListener, EventPublisher, EventRouting } from '../gateway/events.js';
import type { CredentialChange, CredentialChanges } from '../gateway/types.js';
import { MAX_CHANNEL_PAYLOAD, type PgChannel } from '../store/pg-channel.js';

const Message = z.union([
    z.object({ o: z.string(), e: z.record(z.string(), z.unknown()).and(z.object({ type: z.string() })), t: z.string().optional() }),
    z.object({ o: z.string(), c: z.record(z.string(), z.unknown()).and(z.object({ kind: z.enum(['token-revoked', 'user-disabled', 'membership-changed']) })) }),
]);

/** The longest log line carried to other daemons (the rest is cut: NOTIFY's payload limit). */
const MAX_MESSAGE = 4000;

export class SharedEvents implements EventBus, EventPublisher, CredentialChanges {
    readonly origin = randomUUID();
    private channel: PgChannel | undefined;
    private readonly changes = new Set<(change: CredentialChange) => void>();

    constructor(private readonly local: EventBus & EventPublisher, private readonly iam: CredentialChanges) {
        iam.onChange(c => this.send({ o: this.origin, c }));
    }

    /** Starts sending and receiving on `channel` (opened by the caller with `receive` as its handler). */
    attach(channel: PgChannel): void {
        this.channel = channel;
    }

    publish(event: DaemonEvent, routing: EventRouting = {}): void {
        this.local.publish(event, routing);
        if (event.type === 'alert') return;
        let e = event;
        if (e.type === 'log' && e.message.length > MAX_MESSAGE) e = { ...e, message: `${e.message.slice(0, MAX_MESSAGE)}…` };
        this.send({ o: this.origin, e, ...(routing.team !== undefined ? { t: routing.team } : {}) });
    }

    subscribe(listener: EventListener): () => void {
        return this.local.subscribe(listener);
    }

    /** IAM's changes made here and those other daemons sent. */
    onChange(listener: (change: CredentialChange) => void): () => void {
        const off = this.iam.onChange(listener);
        this.changes.add(listener);
        return () => { off(); this.changes.delete(listener); };
    }

    /** A message from the channel: another daemon's event or change, republished here; our own are skipped. */
    receive(payload: string): void {
        let m: z.infer<typeof Message>;
        try {
            m = Message.parse(JSON.parse(payload));
        } catch {
            return;
        }
        if (m.o === this.origin) return;
        if ('e' in m) {
            this.local.publish(m.e as unknown as DaemonEvent, m.t !== undefined ? { team: m.t } : {});
        } else {
            for (const l of [...this.changes]) {
                try { l(m.c as unknown as CredentialChange); } catch { /* a listener's failure is its own */ }
            }
        }
    }

    private send(m: object): void {
        const text = JSON.stringify(m);
        if (Buffer.byteLength(text) <= MAX_CHANNEL_PAYLOAD) this.channel?.send(text);
    }
}
