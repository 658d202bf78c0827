/**
 * The embedded store: one DuckDB file in the state directory, its schema migrations,
 * refusing databases it must not touch, transactions, and the file lock.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.js';
import { DataStore, DB_FILE } from '../../src/store/store.js';
import { checkSchema } from '../../src/store/migrations.js';
import { resolveStateDir } from '../../../protocol/src/discovery.js';
import { LATEST_VERSION, MIGRATIONS, openStore, withStore } from '../../src/schema/registry.js';
import { count, failure, tempDir } from './helpers.js';

/** Tables and columns of the main schema, as comparable text. */
async function schemaOf(store: DataStore): Promise<string[]> {
    const rows = await store.rows(`SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = 'main' AND table_catalog = current_database() ORDER BY table_name, ordinal_position`);
    return rows.map(r => `${String(r.table_name)}.${String(r.column_name)} ${String(r.data_type)} ${String(r.is_nullable)}`);
}

async function tables(store: DataStore): Promise<string[]> {
    const rows = await store.rows(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database() ORDER BY 1`);
    return rows.map(r => String(r.table_name));
}

/** Runs `fn` on a raw DuckDB connection to `file` (not through DataStore). */
async function raw<T>(file: string, fn: (run: (sql: string) => Promise<unknown[][]>) => Promise<T>): Promise<T> {
    const instance = await DuckDBInstance.create(file);
    const conn = await instance.connect();
    try {
        return await fn(async sql => (await conn.runAndReadAll(sql)).getRowsJS());
    } finally {
        conn.closeSync();
        instance.closeSync();
    }
}

describe('state directory', () => {
    const saved = process.env.AF_STATE_DIR;
    afterEach(() => {
        if (saved === undefined) delete process.env.AF_STATE_DIR;
        else process.env.AF_STATE_DIR = saved;
    });

    it('is --state-dir, else $AF_STATE_DIR, else .alphaforge/ in the current directory', () => {
        delete process.env.AF_STATE_DIR;
        expect(resolveStateDir()).toBe(resolve('.alphaforge'));
        process.env.AF_STATE_DIR = '/tmp/af-env-state';
        expect(resolveStateDir()).toBe('/tmp/af-env-state');
        expect(resolveStateDir('rel/dir')).toBe(resolve('rel/dir'));
        process.env.AF_STATE_DIR = '';
        expect(resolveStateDir()).toBe(resolve('.alphaforge'));
    });

    it('is created (with parents) and holds one database file', async () => {
        const dir = join(tempDir(), 'deep', 'state');
        await withStore({ stateDir: dir }, async store => {
            expect(store.stateDir).toBe(dir);
            expect(store.file).toBe(join(dir, DB_FILE));
        });
        expect(existsSync(join(dir, DB_FILE))).toBe(true);
    });

    it('that cannot be created is a clear StoreError', async () => {
        const dir = tempDir();
        writeFileSync(join(dir, 'file'), 'x');
        const e = await failure(openStore({ stateDir: join(dir, 'file', 'sub') }));
        expect(e).toBeInstanceOf(StoreError);
        expect(e.message).toMatch(/^cannot create the state directory .*file\/sub: /);
    });
});

describe('schema and migrations', () => {
    it('a fresh database is migrated to the latest version, recording each migration', async () => {
        await withStore({ stateDir: tempDir() }, async store => {
            expect(store.schemaVersion).toBe(LATEST_VERSION);
            expect(store.migratedFrom).toBe(0);
            // The tables of migrations 1 and 2 (later migrations add more).
            expect(await tables(store)).toEqual(expect.arrayContaining(['bars', 'imports', 'instruments', 'onchain_pools', 'onchain_series', 'schema_version']));
            const versions = await store.rows('SELECT version, description FROM schema_version ORDER BY version');
            expect(versions).toEqual(MIGRATIONS.map(m => ({ version: m.version, description: m.description })));
            expect(MIGRATIONS.map(m => m.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
        });
    });

    it("the registry orders the modules' migrations as released: data 1–3, IAM 4, runs 5, experiments 6–7, ownership 8, artifacts 9, registry 10, identities 11, execution 12, research ledger 13, deployments 14, venue keys 15, HFT tick data 16, on-chain ownership 17, deployment packs 18, HFT tick-data ownership 19, the runs' owning daemon 20", () => {
        // Existing databases recorded these versions: a module's list moving must not renumber them.
        expect(MIGRATIONS.map(m => `${m.version} ${m.description.split(':')[0]}`)).toEqual([
            '1 instruments, bars and on-chain series', '2 import log', '3 feature panels', '4 IAM', '5 orchestrator',
            '6 experiments', '7 experiments', '8 market data ownership', '9 run artifacts', '10 strategy registry', '11 IAM', '12 execution gateway', '13 research ledger', '14 deployments', '15 venue API keys, encrypted per team',
            '16 tick data for the hft pack', '17 on-chain data ownership', '18 deployments',
            '19 hft tick data ownership', '20 runs',
        ]);
        expect(() => checkSchema([MIGRATIONS[0]!, MIGRATIONS[2]!])).toThrow(/migration 2 has version 3: versions must be consecutive/);
    });

    it('the store core migrates whatever schema its opener hands it (it knows no module)', async () => {
        const schema = [
            { version: 1, description: 'one table', statements: ['CREATE TABLE a (x INTEGER)'] },
            { version: 2, description: 'another', statements: ['CREATE TABLE b (y VARCHAR)'] },
        ];
        await DataStore.with({ stateDir: tempDir(), schema }, async store => {
            expect(store.schemaVersion).toBe(2);
            expect(await tables(store)).toEqual(['a', 'b', 'schema_version']);
        });
    });

    it('reopening a current database changes nothing', async () => {
        const dir = tempDir();
        await withStore({ stateDir: dir }, async () => undefined);
        await withStore({ stateDir: dir }, async store => {
            expect(store.migratedFrom).toBe(LATEST_VERSION);
            expect(store.schemaVersion).toBe(LATEST_VERSION);
            expect(await count(store, 'schema_version')).toBe(LATEST_VERSION);
        });
    });

    it('migrates version 1 to the latest, keeping the data', async () => {
        const dir = tempDir();
        await withStore({ stateDir: dir, migrateTo: 1 }, async store => {
            expect(store.schemaVersion).toBe(1);
            expect(await tables(store)).toEqual(['bars', 'instruments', 'onchain_pools', 'onchain_series', 'schema_version']);
            await store.run(`INSERT INTO instruments VALUES ('binance', 'BTC/USDT', 'pair', 'BTC', 'USDT')`);
            await store.run(`INSERT INTO bars VALUES ('binance', 'BTC/USDT', '1d', TIMESTAMP '2024-01-01', 1, 2, 0.5, 1.5, 10)`);
            await store.run(`INSERT INTO onchain_series VALUES ('eth', '0xabc', 'tvl_usd', TIMESTAMP '2024-01-01', 19000000, 1.5e6)`);
        });
        await withStore({ stateDir: dir }, async store => {
            expect(store.migratedFrom).toBe(1);
            expect(store.schemaVersion).toBe(LATEST_VERSION);
            expect(await tables(store)).toContain('imports');
            expect(await count(store, 'bars')).toBe(1);
            expect(await count(store, 'instruments')).toBe(1);
            expect(await count(store, 'onchain_series')).toBe(1);
            // The imports table works (its sequence and defaults were created with it).
            await store.run(`INSERT INTO imports (source, venue, symbol, timeframe, rows_in, rows_written, rows_dropped, rows_replaced) VALUES ('x', 'v', 'S', '1d', 1, 1, 0, 0)`);
            expect(await store.rows('SELECT id, imported_at IS NOT NULL AS stamped FROM imports')).toEqual([{ id: 1n, stamped: true }]);
        });
    });

    // Each version is made from a copy of the one before (one migration, not v of them: the test's
    // work grew with the square of the migrations, 15-18 s in CI at 20 of them), then a copy of it
    // is migrated to the latest. The time limit leaves room for load and for migrations to come.
    it('every intermediate version migrates to the same schema as a fresh database', async () => {
        const fresh = await withStore({ stateDir: tempDir() }, schemaOf);
        let previous: string | undefined;
        for (let v = 1; v < LATEST_VERSION; v++) {
            const at = tempDir();
            if (previous) cpSync(previous, at, { recursive: true });
            await withStore({ stateDir: at, migrateTo: v }, async store => {
                expect(store.schemaVersion).toBe(v);
                expect(store.migratedFrom).toBe(v - 1);
            });
            const dir = tempDir();
            cpSync(at, dir, { recursive: true });
            await withStore({ stateDir: dir }, async store => {
                expect(store.migratedFrom).toBe(v);
                expect(await schemaOf(store)).toEqual(fresh);
            });
            previous = at;
        }
    }, 150_000);

    it('refuses a database newer than this af, untouched', async () => {
        const dir = tempDir();
        await withStore({ stateDir: dir }, async store => {
            await store.run(`INSERT INTO schema_version VALUES (${LATEST_VERSION + 7}, 'from the future', now())`);
        });
        const e = await failure(openStore({ stateDir: dir }));
        expect(e).toBeInstanceOf(StoreError);
        expect(e.message).toBe(`${join(dir, DB_FILE)} has schema version ${LATEST_VERSION + 7}, newer than this af understands (${LATEST_VERSION}); upgrade AlphaForge or use another --state-dir`);
        // Nothing was written, and the lock was released (raw opens it).
        const versions = await raw(join(dir, DB_FILE), run => run('SELECT version FROM schema_version ORDER BY version'));
        expect(versions.map(r => r[0])).toEqual([...MIGRATIONS.map(m => m.version), LATEST_VERSION + 7]);
    });

    it('refuses a DuckDB file that is not an AlphaForge database, untouched', async () => {
        const dir = tempDir();
        const file = join(dir, DB_FILE);
        await raw(file, async run => {
            await run('CREATE TABLE trades (id INTEGER, price DOUBLE)');
            await run('INSERT INTO trades VALUES (1, 2.5)');
        });
        const e = await failure(openStore({ stateDir: dir }));
        expect(e).toBeInstanceOf(StoreError);
        expect(e.message).toBe(`${file} is a DuckDB database but not an AlphaForge one (no schema_version table; it has trades); use another --state-dir`);
        const names = await raw(file, run => run(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`));
        expect(names).toEqual([['trades']]);
    });

    it('refuses a file that is not a DuckDB database with a one-line error', async () => {
        const dir = tempDir();
        writeFileSync(join(dir, DB_FILE), 'date,close\n2024-01-01,1\n'.repeat(200));
        const e = await failure(openStore({ stateDir: dir }));
        expect(e).toBeInstanceOf(StoreError);
        expect(e.message).toMatch(new RegExp(`^cannot open ${join(dir, DB_FILE).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
        expect(e.message).not.toContain('\n');
    });
});

describe('binding values', () => {
    it('a whole number beyond int64 is bound as the DOUBLE it is (the client refused it as a BIGINT); whole numbers within int64 stay integers', async () => {
        await withStore({ stateDir: tempDir() }, async store => {
            // Positional, named, and through rows / scalar / run.
            expect(await store.scalar('SELECT $1::DOUBLE', [-1e21])).toBe(-1e21);
            expect(await store.rows('SELECT $big::DOUBLE AS big, typeof($small) AS t', { big: 2 ** 63, small: 2 ** 53 })).toEqual([{ big: 2 ** 63, t: 'BIGINT' }]);
            expect(await store.scalar('SELECT typeof($1)', [-(2 ** 63)])).toBe('BIGINT');
            expect(await store.scalar('SELECT typeof($1)', [1e21])).toBe('DOUBLE');
            await store.run('CREATE TABLE t (x DOUBLE)');
            expect(await store.run('INSERT INTO t VALUES ($1), ($2)', [1e300, 7])).toBe(2);
            expect(await store.rows('SELECT x FROM t ORDER BY x')).toEqual([{ x: 7 }, { x: 1e300 }]);
        });
    });
});

describe('transactions', () => {
    it('commits all of it', async () => {
        await withStore({ stateDir: tempDir() }, async store => {
            const r = await store.transaction(async () => {
                await store.run(`INSERT INTO instruments VALUES ('nyse', 'AAPL', 'ticker', NULL, NULL)`);
                await store.run(`INSERT INTO instruments VALUES ('nyse', 'MSFT', 'ticker', NULL, NULL)`);
                return 'done';
            });
            expect(r).toBe('done');
            expect(await count(store, 'instruments')).toBe(2);
        });
    });

    it('rolls back all of it when the body throws, rethrowing the error', async () => {
        await withStore({ stateDir: tempDir() }, async store => {
            const boom = new Error('boom');
            const e = await failure(store.transaction(async () => {
                await store.run(`INSERT INTO instruments VALUES ('nyse', 'AAPL', 'ticker', NULL, NULL)`);
                throw boom;
            }));
            expect(e).toBe(boom);
            expect(await count(store, 'instruments')).toBe(0);
            // A failing statement (primary key violation) rolls back the earlier ones too.
            await store.run(`INSERT INTO instruments VALUES ('nyse', 'AAPL', 'ticker', NULL, NULL)`);
            await expect(store.transaction(async () => {
                await store.run(`INSERT INTO instruments VALUES ('nyse', 'MSFT', 'ticker', NULL, NULL)`);
                await store.run(`INSERT INTO instruments VALUES ('nyse', 'AAPL', 'ticker', NULL, NULL)`);
            })).rejects.toThrow(/constraint/i);
            expect(await store.rows('SELECT symbol FROM instruments')).toEqual([{ symbol: 'AAPL' }]);
            // The store is usable afterwards, including for another transaction.
            await store.transaction(() => store.run(`INSERT INTO instruments VALUES ('nyse', 'IBM', 'ticker', NULL, NULL)`));
            expect(await count(store, 'instruments')).toBe(2);
        });
    });

    it('is not re-entrant', async () => {
        await withStore({ stateDir: tempDir() }, async store => {
            await expect(store.transaction(() => store.transaction(async () => 1))).rejects.toThrow(/not re-entrant/);
            expect(await store.transaction(async () => 2)).toBe(2);
        });
    });
});

describe('opening and closing', () => {
    it('close is idempotent and a closed store says so', async () => {
        const store = await openStore({ stateDir: tempDir() });
        expect(store.isOpen).toBe(true);
        store.close();
        store.close();
        expect(store.isOpen).toBe(false);
        expect(() => store.connection).toThrow(/closed/);
    });

    it('DataStore.with closes even when the body throws, releasing the file', async () => {
        const dir = tempDir();
        let seen: DataStore | undefined;
        await expect(withStore({ stateDir: dir }, async store => {
            seen = store;
            throw new Error('inside');
        })).rejects.toThrow('inside');
        expect(seen?.isOpen).toBe(false);
        const tablesSeen = await raw(join(dir, DB_FILE), run => run(`SELECT count(*)::INTEGER FROM information_schema.tables WHERE table_name = 'bars'`));
        expect(tablesSeen).toEqual([[1]]);
    });

    it('two stores of one file in one process share the data (no lost writes)', async () => {
        const dir = tempDir();
        // Opened concurrently on an empty file: both migrate without conflicting.
        const [a, b] = await Promise.all([openStore({ stateDir: dir }), openStore({ stateDir: dir })]);
        await a.run(`INSERT INTO instruments VALUES ('a', 'A', 'ticker', NULL, NULL)`);
        await b.run(`INSERT INTO instruments VALUES ('b', 'B', 'ticker', NULL, NULL)`);
        expect(await count(a, 'instruments')).toBe(2);
        a.close();
        expect(await count(b, 'instruments')).toBe(2);
        b.close();
        await withStore({ stateDir: dir }, async store => {
            expect(await store.rows('SELECT venue FROM instruments ORDER BY 1')).toEqual([{ venue: 'a' }, { venue: 'b' }]);
            expect(await count(store, 'schema_version')).toBe(LATEST_VERSION);
        });
    });

    it('a database held by another process is refused with its pid and what to do', async () => {
        const dir = tempDir();
        const file = join(dir, DB_FILE);
        const holder = spawn(process.execPath, ['--input-type=module', '-e',
            `import { DuckDBInstance } from '@duckdb/node-api';
             await DuckDBInstance.create(process.argv[1]);
             process.stdout.write('ready\\n');
             setInterval(() => undefined, 1000);`, file], { stdio: ['ignore', 'pipe', 'inherit'] });
        try {
            await new Promise<void>((res, rej) => {
                holder.stdout.once('data', () => res());
                holder.once('exit', code => rej(new Error(`holder exited with ${String(code)}`)));
            });
            const e = await failure(openStore({ stateDir: dir }));
            expect(e).toBeInstanceOf(StoreError);
            expect(e.message).toBe(`${file} is in use by another process (pid ${holder.pid}); close it (e.g. a running daemon) or use another --state-dir`);
        } finally {
            holder.kill();
        }
        // Once it is gone the store opens (a failed open leaves nothing behind in this process).
        if (holder.exitCode === null && holder.signalCode === null) await new Promise(res => holder.once('exit', res));
        await withStore({ stateDir: dir }, async store => expect(store.schemaVersion).toBe(LATEST_VERSION));
    });
});
