/**
 * Does the database answer? A readiness probe on a connection of its own: one small query that
 * reads a table, within a short time limit. "Open" is not "answering": a database whose calls
 * pile up (native threads all busy, a lock never released) is open and serves nobody, and
 * /readyz must say so while /healthz (the process lives) stays cheap and green.
 *
 * One probe at a time: while one is outstanding, checks answer from it instead of queueing more
 * work behind a database that is not answering.
 */
import { duration } from './call-gate.js';
import { firstLine } from './errors.js';
import { type DataStore } from './store.js';

export interface ProbeOutcome {
    readonly ok: boolean;
    readonly detail?: string;
}

export interface DatabaseProbeOptions {
    /** How long the probe query may take; default 1000 ms. */
    readonly timeoutMs?: number;
}

export class DatabaseProbe {
    private inFlight: { promise: Promise<ProbeOutcome>; since: number } | undefined;
    private readonly timeoutMs: number;

    private constructor(private readonly store: DataStore, o: DatabaseProbeOptions) {
        this.timeoutMs = o.timeoutMs ?? 1000;
    }

    /** A probe of `store`'s database, on a connection of its own (without the store's time limits: the probe has its own). */
    static async open(store: DataStore, o: DatabaseProbeOptions = {}): Promise<DatabaseProbe> {
        return new DatabaseProbe(await store.openAnother({ limits: {} }), o);
    }

    /** ok, or not ok with what is wrong. Never throws, never waits much longer than the time limit. */
    async check(): Promise<ProbeOutcome> {
        if (!this.store.isOpen) return { ok: false, detail: 'the database is closed' };
        const running = this.inFlight;
        if (running) {
            const waited = Date.now() - running.since;
            if (waited > this.timeoutMs) return { ok: false, detail: `the database has not answered a probe for ${duration(waited)}` };
            return running.promise;
        }
        const since = Date.now();
        const promise = this.probe(since);
        this.inFlight = { promise, since };
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<ProbeOutcome>(r => {
            timer = setTimeout(() => r({ ok: false, detail: `the database did not answer a probe within ${duration(this.timeoutMs)}` }), this.timeoutMs);
        });
        try {
            return await Promise.race([promise, late]);
        } finally {
            clearTimeout(timer);
        }
    }

    private async probe(since: number): Promise<ProbeOutcome> {
        try {
            await this.store.scalar('SELECT count(*) FROM schema_version', undefined, { timeoutMs: this.timeoutMs, what: 'the readiness probe' });
            return { ok: true };
        } catch (e) {
            return { ok: false, detail: `the database did not answer a probe: ${firstLine(e)}` };
        } finally {
            // The next check starts a new probe only once this one settled (a late answer still frees the way).
            if (this.inFlight?.since === since) this.inFlight = undefined;
        }
    }

    /** Stops a probe still running (see DataStore.stopCalls) and closes the connection. */
    async close(): Promise<void> {
        await this.store.stopCalls('the daemon is stopping', 1000);
        this.store.close();
    }
}
