/**
 * Team mode's control plane on a real PostgreSQL 15 (scripts/team/servers.mjs, one per file): the
 * same tables and schema versions as the DuckDB file from the one list of migrations; PgStore's
 * calls bounded like the embedded store's and its errors free of values; runs, their events, logs,
 * results and ledger rows written by the orchestrator into PostgreSQL while the bars stay in DuckDB,
 * with the same rows as on the embedded store. The dialect translation is tested on its own.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toPostgres } from '../../src/store/pg-dialect.js';
import { QueryTimeout } from '../../src/store/call-gate.js';
import { UnavailableError } from '../../../protocol/src/errors.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { LATEST_VERSION, openControlStore, openStore } from '../../src/schema/registry.js';
import type { DataStore } from '../../src/store/store.js';
import type { PgStore } from '../../src/store/pg-store.js';
import { Orchestrator } from '../../src/orchestrator/orchestrator.js';
import type { Run } from '../../src/orchestrator/types.js';
import { failure, tempDir } from '../data/helpers.js';
import { backtest, nextEvent, smaCross, stateWithBars, sweep, waitFor } from '../orchestrator/helpers.js';
import { openOwnership } from '../../src/store/pg-ownership.js';
import { LanguageService } from '../../src/language-service/language-service.js';
import { hasPostgres, openControl, postgresUrl, usePostgres } from './control-stores.js';

usePostgres('runtime/test/team/control-plane.test.ts');

describe('the DuckDB dialect on PostgreSQL', () => {
    it('numbers ? and $name placeholders, turns DOUBLE into DOUBLE PRECISION, and leaves literals, names and comments alone', () => {
        expect(toPostgres('SELECT ?, ? FROM t WHERE x = ?', [1, 'a', null])).toEqual({ text: 'SELECT $1, $2 FROM t WHERE x = $3', values: [1, 'a', null] });
        expect(toPostgres('SELECT $b, $a, $b', { a: 1, b: 2n })).toEqual({ text: 'SELECT $1, $2, $1', values: ['2', 1] });
        expect(toPostgres(`SELECT '?', 'DOUBLE ''$x''', "DOUBLE", x::DOUBLE, CAST(y AS double precision) -- ? DOUBLE\nFROM t`).text)
            .toBe(`SELECT '?', 'DOUBLE ''$x''', "DOUBLE", x::DOUBLE PRECISION, CAST(y AS double precision) -- ? DOUBLE\nFROM t`);
        expect(toPostgres('SELECT $1', [{ items: ['a', 'b'] }, new Date(Date.UTC(2025, 0, 1))]).values).toEqual([['a', 'b'], '2025-01-01T00:00:00.000Z']);
        expect(() => toPostgres('SELECT $missing', {})).toThrow(/no value bound for the placeholder \$missing/);
    });

    it('translates a statement once and binds each call\'s own values (the translation is kept by text)', () => {
        const named = 'SELECT $b, $a, $b FROM t';
        expect(toPostgres(named, { a: 1, b: 'x' })).toEqual({ text: 'SELECT $1, $2, $1 FROM t', values: ['x', 1] });
        expect(toPostgres(named, { a: 3, b: 'y' })).toEqual({ text: 'SELECT $1, $2, $1 FROM t', values: ['y', 3] });
        // A kept translation still refuses a call that lacks a name, or binds positional values to names.
        expect(() => toPostgres(named, { a: 1 })).toThrow(/no value bound for the placeholder \$b/);
        expect(() => toPostgres(named, [1, 2])).toThrow(/no value bound for the placeholder \$b/);
        const positional = 'UPDATE t SET d = ?::DOUBLE WHERE id = ?';
        expect(toPostgres(positional, [1.5, 'r1'])).toEqual({ text: 'UPDATE t SET d = $1::DOUBLE PRECISION WHERE id = $2', values: [1.5, 'r1'] });
        expect(toPostgres(positional, [2.5, 'r2'])).toEqual({ text: 'UPDATE t SET d = $1::DOUBLE PRECISION WHERE id = $2', values: [2.5, 'r2'] });
    });

    it('gives a subquery in FROM or JOIN without an alias one (PostgreSQL 15 demands it), and leaves aliased ones and other parentheses alone', () => {
        expect(toPostgres('SELECT * FROM (SELECT 1 AS x) ORDER BY x').text).toBe('SELECT * FROM (SELECT 1 AS x) AS af_sub1 ORDER BY x');
        expect(toPostgres('SELECT count(*) FROM (SELECT a FROM (SELECT 1 AS a) WHERE a > 0)').text)
            .toBe('SELECT count(*) FROM (SELECT a FROM (SELECT 1 AS a) AS af_sub1 WHERE a > 0) AS af_sub2');
        expect(toPostgres('SELECT * FROM t JOIN (SELECT 1 AS k) ON true').text).toBe('SELECT * FROM t JOIN (SELECT 1 AS k) AS af_sub1 ON true');
        const untouched = ['SELECT * FROM (SELECT 1) s', 'SELECT * FROM (SELECT 1) AS s(x)', 'UPDATE t SET a = v.a FROM (VALUES (1)) AS v(a)', 'SELECT * FROM (SELECT 1) "s"',
            'SELECT x IN (SELECT 1 FROM t) FROM t', 'SELECT * FROM unnest($1::INTEGER[]) WHERE true', "SELECT 'FROM (x)' FROM t"];
        for (const sql of untouched) expect(toPostgres(sql).text).toBe(sql);
    });

    it('turns TRY_CAST(x AS T) into af_try_cast((x)::TEXT, NULL::T), nested and with placeholders', () => {
        expect(toPostgres('SELECT TRY_CAST(json_extract_string(m, ?) AS DOUBLE) AS v, try_cast ((SELECT a AS b) AS BIGINT)', ['$.x']).text)
            .toBe('SELECT af_try_cast((json_extract_string(m, $1))::TEXT, NULL::DOUBLE PRECISION) AS v, af_try_cast (((SELECT a AS b))::TEXT, NULL::BIGINT)');
    });
});

describe.skipIf(!hasPostgres)('PgStore', () => {
    let pg: SqlStore;
    let duck: DataStore;
    beforeAll(async () => {
        pg = await openControl('postgres', tempDir('af-cp-'), { limits: { queryMs: 1500 } });
        duck = await openStore({ stateDir: tempDir('af-cp-') });
    });
    afterAll(() => duck?.close());

    it('has the same tables and schema versions as the DuckDB file', async () => {
        const versions = 'SELECT version, description FROM schema_version ORDER BY version';
        expect(await pg.rows(versions)).toEqual(await duck.rows(versions));
        const tables = (s: SqlStore, schema: string): Promise<Record<string, unknown>[]> =>
            s.rows(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`, [schema]);
        expect(await tables(pg, String(await pg.scalar('SELECT current_schema()')))).toEqual(await tables(duck, 'main'));
    });

    it('reads values as the DuckDB store does: BIGINT → bigint, TIMESTAMP → Date in UTC, DOUBLE, lists, JSON as text', async () => {
        const sql = `SELECT 2::BIGINT AS b, epoch_ms(1735689600123::BIGINT) AS ts, epoch_ms(make_timestamp(1735689600123000::BIGINT))::DOUBLE AS ms,
            CAST('1.5' AS DOUBLE) AS d, $1::VARCHAR[] AS l, CAST('{"a": 1}' AS JSON) AS j`;
        const expected = { b: 2n, ts: new Date(1735689600123), ms: 1735689600123, d: 1.5, l: ['x', 'y'], j: '{"a": 1}' };
        expect((await pg.rows(sql, [listValue(['x', 'y'])]))[0]).toEqual(expected);
    });

    it('TRY_CAST reads as DuckDB\'s: the value\'s text as the type, NULL when it does not read', async () => {
        const sql = `SELECT TRY_CAST(json_extract_string(CAST($1 AS JSON), '$.a') AS DOUBLE) AS a, TRY_CAST(json_extract_string(CAST($1 AS JSON), '$.b') AS DOUBLE) AS b,
            TRY_CAST(json_extract_string(CAST($1 AS JSON), '$.c') AS DOUBLE) AS c, TRY_CAST('12' AS BIGINT) AS d, TRY_CAST('' AS INTEGER) AS e`;
        const json = '{"a": 1.5, "b": "high", "c": null}';
        const expected = { a: 1.5, b: null, c: null, d: 12n, e: null };
        expect((await pg.rows(sql, [json]))[0]).toEqual(expected);
        expect((await duck.rows(sql, [json]))[0]).toEqual(expected);
    });

    it('daemons opening a new database at the same moment migrate it once, and each opens it', async () => {
        const pgSchema = `together_${process.pid}`;
        const opening = await Promise.allSettled(Array.from({ length: 4 }, () => openControlStore({ url: postgresUrl(), pgSchema, poolSize: 1 })));
        const stores = opening.flatMap(r => (r.status === 'fulfilled' ? [r.value] : []));
        try {
            expect(opening.map(r => (r.status === 'rejected' ? String(r.reason) : 'opened'))).toEqual(['opened', 'opened', 'opened', 'opened']);
            expect(stores.map(s => s.schemaVersion)).toEqual(stores.map(() => LATEST_VERSION));
            const versions = await stores[0]!.rows('SELECT version, count(*)::INTEGER AS n FROM schema_version GROUP BY version ORDER BY version');
            expect(versions).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => ({ version: i + 1, n: 1 })));
            // Exactly one of them migrated; the others found it done.
            expect(stores.map(s => s.migratedFrom).sort()).toEqual([0, LATEST_VERSION, LATEST_VERSION, LATEST_VERSION]);
        } finally {
            await Promise.all(stores.map(s => s.close()));
        }
    });

    it('a connection the server ends in the middle of a transaction fails that call (503), not the process; the store serves the next call', async () => {
        const other = await pg.openAnother();
        try {
            const e = await failure<Error>(pg.transaction(async () => {
                const pid = await pg.scalar('SELECT pg_backend_pid()');
                await other.run('SELECT pg_terminate_backend($1::INTEGER)', [pid as number]);
                // The server's goodbye reaches the connection while it is idle between two statements.
                await new Promise(r => setTimeout(r, 300));
                await pg.scalar('SELECT 1');
            }, { what: 'the transaction' }));
            expect(e).toBeInstanceOf(UnavailableError);
            expect(e.message).toMatch(/closed the connection during the transaction; try again in a moment$/);
            expect(await pg.scalar('SELECT 1::INTEGER')).toBe(1);
        } finally {
            await other.close();
        }
    });

    it('stops a statement past its time limit with the embedded store\'s QueryTimeout, and the store stays usable', async () => {
        const e = await failure<QueryTimeout>(pg.scalar('SELECT pg_sleep(30)', [], { what: 'the slow query' }));
        expect(e).toBeInstanceOf(QueryTimeout);
        expect(e.message).toMatch(/^the slow query took longer than 1\.5 s and was stopped; narrow it/);
        expect(await pg.scalar('SELECT 1::INTEGER')).toBe(1);
    });

    it('bounds a transaction as one call: past its limit it is cancelled and rolled back', async () => {
        await pg.run('CREATE TABLE IF NOT EXISTS cp_probe (x INTEGER)');
        const e = await failure<QueryTimeout>(pg.transaction(async () => {
            await pg.run('INSERT INTO cp_probe VALUES (1)');
            await pg.scalar('SELECT pg_sleep(1)');
            await pg.scalar('SELECT pg_sleep(1)');
        }));
        expect(e).toBeInstanceOf(QueryTimeout);
        expect(Number(await pg.scalar('SELECT count(*) FROM cp_probe'))).toBe(0);
    });

    it('a transaction\'s last statement (runLast) joins the statements before it, runs alone — atomically — when it is the only one, and refuses followers', async () => {
        const store = pg as PgStore;
        await pg.run('CREATE TABLE IF NOT EXISTS cp_last (x INTEGER PRIMARY KEY)');
        const count = async (): Promise<number> => Number(await pg.scalar('SELECT count(*) FROM cp_last'));
        // After another statement: in its transaction, so rolled back with it.
        await failure(pg.transaction(async () => {
            await pg.run('INSERT INTO cp_last VALUES (1)');
            await store.runLast('INSERT INTO cp_last VALUES (2)');
            throw new Error('rolled back');
        }));
        expect(await count()).toBe(0);
        // Alone: one statement, all or nothing (its second CTE violates the key: the first's row is not kept either).
        const e = await failure<Error>(pg.transaction(() => store.runLast('WITH a AS (INSERT INTO cp_last VALUES (3)) INSERT INTO cp_last SELECT * FROM unnest($1::INTEGER[])', [listValue([4, 4])])));
        expect(e.message).toMatch(/duplicate key value violates unique constraint/);
        expect(await count()).toBe(0);
        expect(await pg.transaction(() => store.runLast('WITH a AS (INSERT INTO cp_last VALUES (3)) INSERT INTO cp_last SELECT * FROM unnest($1::INTEGER[])', [listValue([4, 5])]))).toBe(2);
        expect(await count()).toBe(3);
        // Nothing may follow the last statement (it may have committed already).
        const after = await failure<Error>(pg.transaction(async () => {
            await store.runLast('INSERT INTO cp_last VALUES (6)');
            await pg.run('INSERT INTO cp_last VALUES (7)');
        }));
        expect(after.message).toMatch(/a statement after the last one of the transaction/);
        expect((await pg.rows('SELECT x FROM cp_last ORDER BY x')).map(r => r.x)).toEqual([3, 4, 5, 6]);
    });

    it('sets a connection\'s statement_timeout again only when a call\'s limit differs by more than waiting for a connection does', async () => {
        const store = await pg.openAnother({ connections: 2 });
        const pgClient = (await import('pg')).default.Client.prototype;
        const query = vi.spyOn(pgClient, 'query');
        try {
            // Four callers on two connections: most calls wait for one, and so have a few milliseconds less left.
            await Promise.all(Array.from({ length: 4 }, async () => { for (let i = 0; i < 50; i++) await store.transaction(() => store.scalar('SELECT 1')); }));
            const sets = query.mock.calls.filter(([q]) => typeof q === 'string' && q.startsWith('SET statement_timeout'));
            // Once per connection (the whole limit), not for every millisecond a call waited.
            expect(sets.length).toBeLessThanOrEqual(2);
            expect(sets.length).toBeGreaterThan(0);
            // A call with another limit (much shorter) gets its own, and it still applies.
            const e = await failure<QueryTimeout>(store.scalar('SELECT pg_sleep(5)', [], { timeoutMs: 300, what: 'the short query' }));
            expect(e).toBeInstanceOf(QueryTimeout);
        } finally {
            query.mockRestore();
            await store.close();
        }
    });

    it('never echoes a bound value in an error', async () => {
        const e = await failure<Error>(pg.scalar('SELECT $1::BIGINT', ['secret-4e7a9']));
        expect(e.message).not.toContain('secret-4e7a9');
        expect(e.message).toMatch(/SQLSTATE 22P02/);
        await pg.run(`INSERT INTO teams (id, name, created_at) VALUES ('t1', 'dup-name-secret', now())`);
        const dup = await failure<Error>(pg.run(`INSERT INTO teams (id, name, created_at) VALUES ('t2', $1, now())`, ['dup-name-secret']));
        expect(dup.message).toMatch(/duplicate key value violates unique constraint/);
        expect(dup.message).not.toContain('dup-name-secret');
    });
});

describe.skipIf(!hasPostgres)('runs on the PostgreSQL control plane, bars in DuckDB', () => {
    let dir: string;
    let data: DataStore;
    const stores: Record<'duckdb' | 'postgres', { control: SqlStore; orch: Orchestrator }> = {} as never;
    const alice = { user: 'alice', team: 'quant' };

    beforeAll(async () => {
        dir = await stateWithBars(400, 'af-cp-runs-');
        data = await openStore({ stateDir: dir });
        const pg = await openControl('postgres', dir);
        stores.postgres = { control: pg, orch: new Orchestrator({ store: data, control: pg, stateDir: tempDir('af-cp-art-'), concurrency: 1, progressIntervalMs: 0 }) };
        stores.duckdb = { control: data, orch: new Orchestrator({ store: data, concurrency: 1, progressIntervalMs: 0 }) };
        await Promise.all(Object.values(stores).map(s => s.orch.start()));
    }, 60_000);
    afterAll(async () => {
        await Promise.all(Object.values(stores).map(s => s.orch?.stop()));
        data?.close();
    });

    /** What a completed run left in the control plane, without ids, times and sequence numbers. */
    async function rowsOf(control: SqlStore, run: Run): Promise<unknown> {
        const q = (sql: string): Promise<Record<string, unknown>[]> => control.rows(sql, [run.id]);
        return {
            // Progress events: how many are stored depends on timing (buffered between flushes), not on the store.
            events: await q(`SELECT kind, state, actor FROM run_events WHERE run_id = $1 AND kind <> 'progress' ORDER BY seq`),
            metrics: await q(`SELECT key, value FROM run_metrics WHERE run_id = $1 ORDER BY key`),
            params: await q(`SELECT key, value, text FROM run_params WHERE run_id = $1 ORDER BY key`),
            artifacts: (await q(`SELECT name, bytes::DOUBLE AS bytes FROM run_artifacts WHERE run_id = $1 ORDER BY name`)).map(r => r.name),
            ledger: await q(`SELECT trial, kind, period_sharpe, observations FROM ledger_trials WHERE run_id = $1 ORDER BY trial`),
        };
    }

    it('a backtest and a sweep complete with the same events, metrics, params, artifacts and ledger rows as on the embedded store', async () => {
        for (const spec of [backtest(), sweep()]) {
            const [onPg, onDuck] = await Promise.all((['postgres', 'duckdb'] as const).map(async k => waitFor(stores[k].orch, (await stores[k].orch.submit(spec, alice)).id)));
            expect(onPg!.state).toBe('completed');
            expect(onPg!.metrics).toEqual(onDuck!.metrics);
            expect(await rowsOf(stores.postgres.control, onPg!)).toEqual(await rowsOf(stores.duckdb.control, onDuck!));
            // The run is PostgreSQL's alone: the DuckDB file never saw it.
            expect(await data.scalar('SELECT count(*)::INTEGER FROM runs WHERE id = $1', [onPg!.id])).toBe(0);
            expect((await stores.postgres.orch.get(onPg!.id))?.state).toBe('completed');
        }
    });

    it('a run executing in one daemon\'s threads, cancelled through another daemon: its thread is terminated, nothing of it is recorded, and the daemon takes the next run', async () => {
        // A second daemon's orchestrator on this file's control plane, with its ownership key, executing in its own threads (no queue);
        // the cancel goes through the first one. A learns of it from its next progress write, or (a run whose progress is not
        // written meanwhile) from its periodic check every takeoverMs.
        const owner = await openOwnership({ url: postgresUrl(), pgSchema: 'aftest', name: 'cancel test A' });
        const language = new LanguageService({ workers: 1, sourceRoots: [process.cwd()] });
        const b = stores.postgres.orch;
        try {
            // Both ways at once (each its own orchestrator and thread): a second's wall time, not two.
            await Promise.all([{ progressIntervalMs: 0, takeoverMs: 600_000 }, { progressIntervalMs: 600_000, takeoverMs: 300 }].map(async how => {
                const art = tempDir('af-cp-cancel-art-');
                const a = new Orchestrator({ store: data, control: stores.postgres.control, stateDir: art, concurrency: 1, ownership: owner, language, ...how });
                await a.start();
                try {
                    // About 34,000 trials (some 7 s of a core): far longer than the cancel takes (under a second), on a loaded machine too.
                    const run = await a.submit(sweep({ source: smaCross({ fast: '2..100 step 1', slow: '40..400 step 1' }) }), alice);
                    expect(await nextEvent(a, e => e.runId === run.id && (e.kind === 'progress' || (e.kind === 'state' && e.state !== 'running')))).toMatchObject({ kind: 'progress' });
                    expect(await a.status()).toMatchObject({ running: 1, workers: 1 });
                    expect((await b.cancel(run.id, 'bob')).state).toBe('cancelled');
                    await expect.poll(async () => (await a.status()).running, { timeout: 60_000 }).toBe(0);
                    // The thread was terminated (a run that ends normally leaves its thread idle in the pool).
                    expect((await a.status()).workers, JSON.stringify(how)).toBe(0);
                    const q = (sql: string): Promise<Record<string, unknown>[]> => stores.postgres.control.rows(sql, [run.id]);
                    expect(await q(`SELECT state, error FROM runs WHERE id = $1`)).toEqual([{ state: 'cancelled', error: 'cancelled by bob' }]);
                    expect(await q(`SELECT state, actor FROM run_events WHERE run_id = $1 AND kind = 'state' ORDER BY seq`))
                        .toEqual([{ state: 'created', actor: 'alice' }, { state: 'queued', actor: 'alice' }, { state: 'running', actor: 'system' }, { state: 'cancelled', actor: 'bob' }]);
                    expect(await q(`SELECT kind FROM run_events WHERE run_id = $1 AND kind = 'result'`)).toEqual([]);
                    for (const table of ['run_metrics', 'run_params', 'run_artifacts', 'ledger_trials']) expect(await q(`SELECT run_id FROM ${table} WHERE run_id = $1`), table).toEqual([]);
                    expect(existsSync(join(art, 'runs', run.id))).toBe(false);
                    // A takes the next run.
                    const next = await a.submit(backtest(), alice);
                    expect((await waitFor(a, next.id)).state).toBe('completed');
                    expect((await a.get(run.id))?.state).toBe('cancelled');
                } finally {
                    await a.stop();
                }
            }));
        } finally {
            await language.close();
            await owner.close();
        }
    }, 120_000);
});
