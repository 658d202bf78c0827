/**
 * Issue 11, item 4: the database cannot freeze the daemon. A query that never ends used to hold
 * one of libuv's four threads, and every further call on its connection held another while it
 * waited for DuckDB's connection lock: four calls froze every call of every team, /readyz stayed
 * green, and SIGTERM never stopped the process (DuckDB waits for a running query even at exit).
 *
 * The reported attack was free SQL through data.export; item 2 took free SQL off the RPC, so a
 * query that never ends is started here on the daemon's own read connection, in-process
 * (`RunningDaemon.reads`), and remote callers pile up behind it exactly as they did. What a remote
 * caller can still start, a heavy structured export, is stopped at the bulk limit, and SIGTERM
 * stops a real `af daemon run` process in the middle of one. The bounds themselves are also tested
 * on a real DuckDB file and on a real PostgreSQL 15 (team mode's control plane, PgStore).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, RpcError } from '../../../protocol/src/daemon/index.js';
import type * as Lifecycle from '../../src/daemon/lifecycle.js';
import { DatabaseUnavailable, QueryTimeout } from '../../src/store/call-gate.js';
import { openStore, withStore } from '../../src/schema/registry.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import { tempDir } from '../data/helpers.js';
import { rejection, secureStateCopy, startSecureDaemon, type SecureDaemon } from './support.js';
import { STORE_KINDS, available, openControl, usePostgres, type StoreKind } from '../team/control-stores.js';

const ENDLESS = 'SELECT count(*) FROM range(1000000000000)';
/** A query that does not end on its own, on each store. */
const ENDLESS_ON: Record<StoreKind, string> = { duckdb: ENDLESS, postgres: 'SELECT pg_sleep(3600)' };

usePostgres('runtime/test/security/db-bounds.test.ts');

/**
 * A fresh store of `kind` with `limits` (PostgreSQL: one connection, so a second caller waits as on
 * DuckDB's one), closed after `fn`. Opened without limits first: emptying the tables of a fresh
 * PostgreSQL schema is not what is bounded here.
 */
async function withControl<T>(kind: StoreKind, limits: { queryMs: number; bulkMs?: number }, fn: (store: SqlStore) => Promise<T>): Promise<T> {
    const base = await openControl(kind, tempDir('af-sec-bounds-'), { poolSize: 1 });
    const store = await base.openAnother({ limits });
    try {
        return await fn(store);
    } finally {
        await store.close();
        await base.close();
    }
}
const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** Resolves with the value, or rejects naming `what` when it has not settled within `ms` (a failure guard, not a timing assertion). */
function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        p.finally(() => clearTimeout(timer)),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms); }),
    ]);
}

/** A promise with its settled state visible. */
function tracked<T>(p: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
    let done = false;
    const promise = p.finally(() => { done = true; });
    promise.catch(() => undefined);
    return { promise, settled: () => done };
}

/** The error a promise rejects with (a result is a test failure). */
async function failure(p: Promise<unknown>): Promise<Error> {
    return p.then(r => { throw new Error(`expected a failure, got ${JSON.stringify(r).slice(0, 200)}`); }, (e: unknown) => e as Error);
}

/** Plants `n` one-minute bars of test:BIG straight into the store, shared with every team (a heavy but honest export). */
async function plantBars(stateDir: string, n: number): Promise<void> {
    await withStore({ stateDir }, async s => {
        await s.run(`INSERT INTO bars SELECT 'test', 'BIG', '1m', TIMESTAMP '2000-01-01' + to_minutes(i), 1 + i % 7, 2 + i % 7, 0.5, 1.5, 100
            FROM range(${n}) t(i)`, undefined, { timeoutMs: 300_000 });
        await s.run(`INSERT INTO series (venue, symbol, timeframe, owner_team, visibility) VALUES ('test', 'BIG', '1m', 'default', 'shared')`);
    });
}

/** A daemon started for one test (other limits, or stopped by it). */
let daemon: SecureDaemon | undefined;
afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
});

/** The daemon with the fixture's limits, shared by the tests that leave it as they found it. */
let plain: Promise<SecureDaemon> | undefined;
const plainDaemon = (): Promise<SecureDaemon> => (plain ??= startSecureDaemon());
afterAll(async () => { await (await plain)?.stop(); });

describe('a query that never ends', () => {
    it('is stopped at its time limit, while other teams\' calls and /healthz answer meanwhile, and the calls behind it run after', async () => {
        const d = await plainDaemon();
        const alpha = d.client(d.tokens.alpha.researcher, 30_000);
        const beta = d.client(d.tokens.beta.viewer, 30_000);

        // The endless query holds the read connection; more calls queue behind it (these used to take the other libuv threads).
        const endless = tracked(d.daemon.reads.scalar(ENDLESS, undefined, { timeoutMs: 4000, what: 'the endless query' }));
        await sleep(200);
        const behind = [0, 1, 2, 3].map(() => tracked(alpha.call('data.list', {})));
        await sleep(300);

        // Meanwhile: another team's calls (other connections), the gateway's liveness, readiness.
        await within('beta runs.list', beta.call('runs.list', {}), 3000);
        await within('beta iam.whoami', beta.call('iam.whoami', {}), 3000);
        await within('beta experiments.list', beta.call('experiments.list', {}), 3000);
        expect((await within('/healthz', fetch(`${d.daemon.url}/healthz`), 3000)).status).toBe(200);
        expect((await within('/readyz', fetch(`${d.daemon.url}/readyz`), 3000)).status).toBe(200);
        expect(endless.settled(), 'the others answered only once the endless query had ended').toBe(false);
        expect(behind.some(b => b.settled()), 'a call behind the endless query ran before it ended').toBe(false);

        const err = await within('the endless query', failure(endless.promise), 20_000);
        expect(err).toBeInstanceOf(QueryTimeout);
        expect(err.message).toMatch(/^the endless query took longer than 4 s and was stopped; narrow it/);
        // The calls queued behind it ran once it was stopped, and the connection still serves.
        for (const b of behind) expect((await within('a queued data.list', b.promise, 20_000)).series.length).toBeGreaterThan(0);
        expect((await within('data.list after', alpha.call('data.list', {}), 5000)).series.map(s => s.id)).toContain('synth:AAA');
    });

    it('a heavy structured export is stopped at the bulk limit with an error that says what to do, and the next call is served', async () => {
        daemon = await startSecureDaemon({ queryLimits: { bulkMs: 20 } });
        const d = daemon;
        await plantBars(d.stateDir, 300_000);
        const alpha = d.client(d.tokens.alpha.researcher, 30_000);
        const err = await rejection(within('the heavy export', alpha.call('data.export', { bars: { ids: ['test:BIG'], timeframe: '1m' }, name: 'big.csv' }), 20_000));
        expect(err.code).toBe(ErrorCodes.InvalidParams);
        expect(err.data?.reason).toBe('query_timeout');
        expect(err.message).toMatch(/^the export took longer than 20 ms and was stopped; export a shorter range \(from \/ to\) or fewer instruments/);
        const list = await within('data.list after', alpha.call('data.list', {}), 5000);
        expect(list.series.find(s => s.id === 'test:BIG')?.bars).toBe(300_000);
    });
});

describe('readiness', () => {
    it('/readyz goes not ready while the database does not answer, and ready again after; /healthz stays green', async () => {
        const d = await plainDaemon();
        expect((await fetch(`${d.daemon.url}/readyz`)).status).toBe(200);
        // Every native thread busy with a query (one per connection: the daemon's own calls cannot
        // pile up any more, so the test takes them itself): the database answers nobody.
        const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
        const hogs = await Promise.all(Array.from({ length: threads }, () => openStore({ stateDir: d.stateDir })));
        const running = hogs.map(s => s.scalar(ENDLESS, undefined, { timeoutMs: 120_000 }).catch(() => undefined));
        try {
            await sleep(200);
            const r = await within('/readyz', fetch(`${d.daemon.url}/readyz`), 5000);
            expect(r.status).toBe(503);
            const body = await r.json() as { failing: string[]; checks: { name: string; detail?: string }[] };
            expect(body.failing).toContain('database');
            expect(body.checks.find(c => c.name === 'database')?.detail).toMatch(/did not answer|has not answered/);
            expect((await within('/healthz', fetch(`${d.daemon.url}/healthz`), 3000)).status).toBe(200);
        } finally {
            await Promise.all(hogs.map(s => s.stopCalls('test over')));
            await Promise.all(running);
            for (const s of hogs) s.close();
        }
        // Back: ready once the database answers again (the stale probe is let go first).
        const deadline = Date.now() + 15_000;
        let status = 0;
        while (Date.now() < deadline && status !== 200) {
            status = (await fetch(`${d.daemon.url}/readyz`)).status;
            if (status !== 200) await sleep(200);
        }
        expect(status).toBe(200);
    });
});

describe('a call that fails before its first await', () => {
    it('still gives the connection back: the next call is served at once', async () => {
        const store = await openStore({ stateDir: tempDir('af-sec-sync-') });
        try {
            // A callback that throws synchronously (hft.backtest's date parsing did) used to keep the connection for good.
            await expect(store.use(() => { throw new Error('thrown before any await'); }, { timeoutMs: 60_000 })).rejects.toThrow('thrown before any await');
            expect(Number(await within('the next call', store.scalar('SELECT 41 + 1', undefined, { timeoutMs: 60_000 }), 10_000))).toBe(42);
        } finally {
            store.close();
        }
    });
});

describe('shutdown while a query runs', () => {
    it('stop() interrupts the running query (its caller is told the daemon is stopping) and resolves', async () => {
        daemon = await startSecureDaemon();
        const d = daemon;
        const endless = tracked(d.daemon.reads.scalar(ENDLESS, undefined, { timeoutMs: 600_000 }));
        await sleep(300);
        const stopped = d.stop();
        daemon = undefined;
        await within('stop()', stopped, 15_000);
        const err = await within('the endless query', failure(endless.promise), 15_000);
        expect(err).toBeInstanceOf(DatabaseUnavailable);
        expect((err as DatabaseUnavailable).reason).toBe('database_stopping');
        expect(err.message).toBe('the daemon is stopping; retry once it is back');
    });

    const lifecycleJs = fileURLToPath(new URL('../../../out/runtime/src/daemon/lifecycle.js', import.meta.url));
    const pids = new Set<number>();
    afterAll(async () => {
        const { processAlive } = await import(pathToFileURL(lifecycleJs).href) as typeof Lifecycle;
        for (const pid of pids) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    });

    it('SIGTERM stops `af daemon run` in the middle of a heavy export: the export is told, the process exits, the next start serves', async () => {
        const { startDetached, processAlive } = await import(pathToFileURL(lifecycleJs).href) as typeof Lifecycle;
        // The fixture's state (synthetic bars, admin.token) copied, rather than built again.
        const stateDir = await secureStateCopy();
        await plantBars(stateDir, 1_000_000);
        const first = await startDetached({ stateDir, port: 0 });
        pids.add(first.pid);
        const token = readFileSync(join(stateDir, 'admin.token'), 'utf8').trim();
        const c = new DaemonClient({ url: first.url, token, timeoutMs: 120_000 });
        const heavy = tracked(c.call('data.export', { bars: { ids: ['test:BIG'], timeframe: '1m' }, name: 'big.csv' }));
        await sleep(300);
        expect(heavy.settled(), 'the export ended before the signal').toBe(false);
        process.kill(first.pid, 'SIGTERM');
        const err = await within('the export', failure(heavy.promise), 30_000);
        expect(err).toBeInstanceOf(RpcError);
        expect((err as RpcError).code).toBe(ErrorCodes.Unavailable);
        expect(err.message).toBe('the daemon is stopping; retry once it is back');
        const deadline = Date.now() + 20_000;
        while (processAlive(first.pid) && Date.now() < deadline) await sleep(100);
        expect(processAlive(first.pid), 'the daemon was still running 20 s after SIGTERM').toBe(false);

        const second = await startDetached({ stateDir, port: 0 });
        pids.add(second.pid);
        const c2 = new DaemonClient({ url: second.url, token });
        expect((await c2.call('data.list', {})).series.map(s => s.id)).toContain('synth:AAA');
        process.kill(second.pid, 'SIGTERM');
        while (processAlive(second.pid) && Date.now() < deadline + 20_000) await sleep(100);
        expect(processAlive(second.pid)).toBe(false);
    }, 150_000); // 9-12 s in CI, 19 s on a loaded one; its own waits (each start 20 s, the export 30 s, each exit 20 s) fail first, naming what they waited for
});

for (const kind of STORE_KINDS) describe.skipIf(!available(kind))(`bounded calls on a real ${kind === 'duckdb' ? 'DuckDB file' : 'PostgreSQL 15'}`, () => {
    it('an endless query is interrupted at its limit with a clear error; the connection serves the next call', async () => {
        await withControl(kind, { queryMs: 300 }, async store => {
            const e = await within('the endless query', store.scalar(ENDLESS_ON[kind]).then(() => undefined, (err: unknown) => err as Error), 10_000);
            expect(e).toBeInstanceOf(QueryTimeout);
            expect(e!.message).toBe('the query took longer than 300 ms and was stopped; narrow it (fewer symbols, a shorter from/to range, a tighter filter), or ask an admin to raise the limit (af daemon run --query-timeout / --bulk-timeout)');
            expect(Number(await store.scalar('SELECT 41 + 1'))).toBe(42);
        });
    });

    it('a transaction stopped at its limit is rolled back whole', async () => {
        await withControl(kind, { queryMs: 300 }, async store => {
            const e = await within('the transaction', store.transaction(async () => {
                await store.run(`INSERT INTO instruments VALUES ('test', 'HALF', 'ticker', NULL, NULL)`);
                await store.scalar(ENDLESS_ON[kind]);
            }).then(() => undefined, (err: unknown) => err as Error), 10_000);
            expect(e).toBeInstanceOf(QueryTimeout);
            expect(Number(await store.scalar(`SELECT count(*) FROM instruments WHERE symbol = 'HALF'`))).toBe(0);
            await store.transaction(async () => { await store.run(`INSERT INTO instruments VALUES ('test', 'WHOLE', 'ticker', NULL, NULL)`); });
            expect(Number(await store.scalar(`SELECT count(*) FROM instruments WHERE symbol = 'WHOLE'`))).toBe(1);
        });
    });

    it('callers behind a long call wait in turn, not on native threads, and give up at their own limit with a 503', async () => {
        await withControl(kind, { queryMs: 200, bulkMs: 60_000 }, async store => {
            const long = tracked(store.scalar(ENDLESS_ON[kind], undefined, { kind: 'bulk' }));
            await sleep(100);
            const e = await within('the waiting call', store.scalar('SELECT 1').then(() => undefined, (err: unknown) => err as Error), 10_000);
            expect(e).toBeInstanceOf(DatabaseUnavailable);
            expect((e as DatabaseUnavailable).code).toBe(503);
            expect(e!.message).toMatch(/^the query waited 200 ms for the database, busy with other calls all that time, and was not run; try again/);
            expect(long.settled()).toBe(false);
            // Stopping interrupts the long call; later calls are refused with the reason.
            expect(await within('stopCalls', store.stopCalls('the test is over'), 10_000)).toBe(true);
            const stopped = await within('the long call', long.promise.then(() => undefined, (err: unknown) => err as Error), 10_000);
            expect(stopped).toBeInstanceOf(DatabaseUnavailable);
            expect(stopped!.message).toBe('the test is over');
            await expect(store.scalar('SELECT 1')).rejects.toThrow('the test is over');
        });
    });
});
