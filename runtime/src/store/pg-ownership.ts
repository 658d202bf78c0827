/**
 * Which daemon owns what, when several daemons share one PostgreSQL control plane (team mode).
 *
 * Each daemon holds a session-level advisory lock on a random 62-bit key of its own, on a
 * connection kept for that alone: the key is written on the runs it queues and claims
 * (runs.daemon), and a daemon is alive exactly while its lock is held — PostgreSQL releases it the
 * moment the connection ends, a `kill -9` of the daemon included (the kernel closes the socket).
 * A deployment is traded only by the daemon that holds its own advisory lock (a key derived from
 * the deployment's id), taken with `pg_try_advisory_lock` on the same connection: two daemons can
 * never both hold it, whatever they do at once.
 *
 * If that connection is lost while the daemon runs (the database restarted, the network dropped),
 * its locks are gone, so another daemon may take its deployments over: `onLost` listeners stop
 * trading at once, and the connection is opened again every second, taking the daemon's key back.
 * The keys are in the database's advisory-lock space (other applications could use it): random
 * 62-bit keys do not meet theirs in practice.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { UnavailableError } from '../../../protocol/src/errors.js';

export interface Ownership {
    /** This daemon's key (a positive bigint in decimal), written on the runs it owns. */
    readonly key: string;
    /** Which of these daemon keys are held by a live daemon (this one's included). */
    alive(keys: readonly string[]): Promise<Set<string>>;
    /** Takes `resource`'s lock for this daemon (true), or false when another daemon holds it; throws while the connection is lost. */
    claim(resource: string): Promise<boolean>;
    /** Gives a claimed resource up (nothing when it is not held). */
    release(resource: string): Promise<void>;
    /** Who holds `resource` (the holder's name), or undefined when nobody does. */
    holder(resource: string): Promise<string | undefined>;
    /** Called when the connection (and every lock on it) is lost. */
    onLost(fn: () => void): void;
    /** The name other daemons see (in errors that name the owner): at most 63 ASCII characters. */
    rename(name: string): Promise<void>;
    close(): Promise<void>;
}

export interface OwnershipOptions {
    readonly url: string;
    /** The control plane's PostgreSQL schema: resources of installations sharing one database do not meet. */
    readonly pgSchema?: string;
    /** What other daemons call this one until rename(). */
    readonly name: string;
}

/** pg_locks' bigint advisory key (classid: the high half, objid: the low half, objsubid 1). */
const LOCK_KEY = `((l.classid::bigint << 32) | l.objid::bigint)`;
const ADVISORY = `l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

function randomKey(): string {
    return (BigInt.asUintN(62, randomBytes(8).readBigUInt64BE()) + 1n).toString();
}

/** The lock key of a resource: 62 bits of SHA-256 (positive, so it reads back from pg_locks as it was written). */
export function resourceKey(resource: string, pgSchema = ''): string {
    return BigInt.asUintN(62, createHash('sha256').update(`alphaforge:${pgSchema}:${resource}`).digest().readBigUInt64BE()).toString();
}

function appName(name: string): string {
    return name.replace(/[^\x20-\x7e]/g, '?').slice(0, 63);
}

export async function openOwnership(o: OwnershipOptions): Promise<Ownership> {
    const key = randomKey();
    const lost = new Set<() => void>();
    let name = appName(o.name);
    let closed = false;
    let client: pg.Client | undefined;
    let held = new Set<string>();

    const connect = async (): Promise<pg.Client> => {
        const c = new pg.Client({ connectionString: o.url, application_name: name, keepAlive: true, connectionTimeoutMillis: 10_000 });
        let gone = false;
        const drop = (): void => {
            if (gone) return;
            gone = true;
            if (client === c) {
                client = undefined;
                held = new Set();
                for (const f of [...lost]) { try { f(); } catch { /* a listener's failure is its own */ } }
                if (!closed) reconnect();
            }
            void c.end().catch(() => undefined);
        };
        c.on('error', drop);
        c.on('end', drop);
        await c.connect();
        const got = (await c.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key])).rows[0]?.ok === true;
        if (!got) { await c.end().catch(() => undefined); throw new Error('the daemon key is held by another session'); }
        return c;
    };
    const reconnect = (): void => {
        setTimeout(() => {
            if (closed || client) return;
            connect().then(c => { if (closed) void c.end().catch(() => undefined); else client = c; }, () => reconnect());
        }, 1000).unref();
    };
    client = await connect();

    const live = (): pg.Client => {
        if (!client) throw new UnavailableError('this daemon lost its connection to the control plane that holds its claims on runs and deployments; it is reconnecting: try again in a moment');
        return client;
    };
    // One statement at a time on the connection (pg queues them, but warns of it): the callers' statements in order.
    let chain: Promise<unknown> = Promise.resolve();
    const serial = <T>(fn: () => Promise<T>): Promise<T> => {
        const p = chain.then(fn, fn);
        chain = p.catch(() => undefined);
        return p;
    };
    return {
        key,
        async alive(keys) {
            if (!keys.length) return new Set();
            const rows = (await serial(() => live().query(`SELECT DISTINCT ${LOCK_KEY}::text AS k FROM pg_locks l WHERE ${ADVISORY} AND ${LOCK_KEY} = ANY($1::bigint[])`, [keys]))).rows;
            return new Set(rows.map(r => String(r.k)));
        },
        claim(resource) {
            // Serial, so one claim at a time: PostgreSQL counts a session's locks, and a second lock would outlive one release.
            return serial(async () => {
                const k = resourceKey(resource, o.pgSchema);
                if (held.has(k)) return true;
                const c = live();
                const ok = (await c.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [k])).rows[0]?.ok === true;
                if (ok && client === c) held.add(k);
                return ok;
            });
        },
        release(resource) {
            return serial(async () => {
                const k = resourceKey(resource, o.pgSchema);
                if (!held.delete(k) || !client) return;
                await client.query('SELECT pg_advisory_unlock($1::bigint)', [k]).catch(() => undefined);
            });
        },
        async holder(resource) {
            const rows = (await serial(() => live().query(`SELECT a.application_name AS n, l.pid FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE ${ADVISORY} AND ${LOCK_KEY} = $1::bigint`, [resourceKey(resource, o.pgSchema)]))).rows;
            const r = rows[0];
            if (!r) return undefined;
            return typeof r.n === 'string' && r.n ? r.n : `PostgreSQL session ${String(r.pid)}`;
        },
        onLost(fn) {
            lost.add(fn);
        },
        async rename(n) {
            name = appName(n);
            await serial(async () => { await client?.query(`SELECT set_config('application_name', $1, false)`, [name]); }).catch(() => undefined);
        },
        async close() {
            if (closed) return;
            closed = true;
            const c = client;
            client = undefined;
            await c?.end().catch(() => undefined);
        },
    };
}
