/**
 * A broadcast channel between the processes sharing one PostgreSQL control plane (team mode):
 * PostgreSQL's LISTEN / NOTIFY on two connections of its own — one listening, one sending — so
 * several daemons serving one team hear each other's run events and credential changes. Messages
 * sent by one process arrive in the order it sent them (one sending connection, one at a time).
 * Delivery is best effort, as NOTIFY's: a message sent while a listener is reconnecting is lost
 * (what it carries is also in the tables: run events, revoked tokens).
 */
import pg from 'pg';

/** NOTIFY's payload limit is 8000 bytes; longer messages are refused here rather than by the server. */
export const MAX_CHANNEL_PAYLOAD = 7900;

const CHANNEL_RE = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgChannel {
    /** Queues a message for every listener (this process's too); too long a message is dropped (false). */
    send(payload: string): boolean;
    close(): Promise<void>;
}

export interface PgChannelOptions {
    readonly url: string;
    /** Lower-case letters, digits, _ (it goes into LISTEN unquoted). */
    readonly channel: string;
    readonly onMessage: (payload: string) => void;
    /** A lost connection (it is re-opened after a second). */
    readonly onError?: (message: string) => void;
}

export async function openPgChannel(o: PgChannelOptions): Promise<PgChannel> {
    if (!CHANNEL_RE.test(o.channel)) throw new Error(`'${o.channel.slice(0, 64)}' is not a channel name`);
    let closed = false;
    let listener: pg.Client | undefined;
    const listen = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: o.url, application_name: 'alphaforge-events' });
        c.on('notification', n => { if (n.channel === o.channel && n.payload !== undefined) o.onMessage(n.payload); });
        c.on('error', e => {
            o.onError?.(`the event channel's connection was lost (${(e as { code?: string }).code ?? 'no code'}); reconnecting`);
            void c.end().catch(() => undefined);
            if (!closed) setTimeout(() => { if (!closed) void listen().catch(err => o.onError?.(String((err as Error).message).split('\n')[0]!)); }, 1000).unref();
        });
        await c.connect();
        await c.query(`LISTEN ${o.channel}`);
        listener = c;
    };
    await listen();
    const sender = new pg.Client({ connectionString: o.url, application_name: 'alphaforge-events' });
    sender.on('error', () => undefined);
    await sender.connect();
    let chain: Promise<unknown> = Promise.resolve();
    return {
        send(payload: string): boolean {
            if (closed || Buffer.byteLength(payload) > MAX_CHANNEL_PAYLOAD) return false;
            chain = chain.then(() => sender.query('SELECT pg_notify($1, $2)', [o.channel, payload])).catch(e => o.onError?.(`sending an event failed (${(e as { code?: string }).code ?? 'no code'})`));
            return true;
        },
        async close(): Promise<void> {
            if (closed) return;
            closed = true;
            await chain.catch(() => undefined);
            await Promise.all([listener?.end(), sender.end()].map(p => p?.catch(() => undefined)));
        },
    };
}
