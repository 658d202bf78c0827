/**
 * Market data ownership in the data layer (the daemon-level attacks are in
 * test/security/data-access.test.ts): who owns a new series, who may write into an existing one,
 * what a team's load sees, the migration of existing data, the bars as of an earlier import
 * rebuilt from the replaced ones (and found again by snapshot hash), and the export sandbox.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importBars, type DataReplaced, type ImportOptions } from '../../src/data/import.js';
import { findSnapshot, loadFromStore, type LoadedBars } from '../../src/data/load.js';
import { LOCAL_TEAM, NoVisibleData, SeriesForbidden, seriesOwner } from '../../src/data/ownership.js';
import { withSandbox } from '../../src/data/sandbox.js';
import { type DataStore } from '../../src/store/store.js';
import { openStore, withStore } from '../../src/schema/registry.js';
import { barSeries, columns, count, DAY_MS, failure, tempDir, writeFile } from './helpers.js';

let dir: string;
let store: DataStore;
let seq = 0;

beforeAll(async () => {
    dir = tempDir('af-owner-');
    store = await openStore({ stateDir: join(dir, 'state') });
});
afterAll(() => store.close());

const sym = (): string => `O${++seq}`;
const T0 = Date.UTC(2024, 0, 1);

/** `n` daily bars from day `start`, closes base + i. */
function bars(n: number, start: number, base: number): ReturnType<typeof columns> {
    return columns(barSeries(n, DAY_MS, T0 + start * DAY_MS).map((b, i) => ({ ...b, open: base + i, high: base + i + 1, low: base + i - 1, close: base + i })));
}
const put = (symbol: string, b: ReturnType<typeof columns>, extra: Partial<ImportOptions> = {}) =>
    importBars(store, b, 'test', { venue: 'own', symbol, timeframe: '1d', allowGaps: true, ...extra });

describe('who owns a series and who may write into it', () => {
    it('the local CLI\'s new series are shared, owned by the bootstrap team; a team\'s are its own', async () => {
        const local = sym(), mine = sym(), shared = sym();
        await put(local, bars(5, 0, 10));
        await put(mine, bars(5, 0, 10), { owner: { team: 'alpha' } });
        await put(shared, bars(5, 0, 10), { owner: { team: 'alpha', visibility: 'shared' } });
        expect(await seriesOwner(store, 'own', local, '1d')).toEqual({ team: LOCAL_TEAM, visibility: 'shared' });
        expect(await seriesOwner(store, 'own', mine, '1d')).toEqual({ team: 'alpha', visibility: 'team' });
        expect(await seriesOwner(store, 'own', shared, '1d')).toEqual({ team: 'alpha', visibility: 'shared' });
        expect((await store.rows(`SELECT team FROM imports WHERE symbol IN ($1, $2) ORDER BY id`, [local, mine])).map(r => r.team)).toEqual([null, 'alpha']);
    });

    it('another team is refused before anything is written; the owner and the local CLI may write', async () => {
        const s = sym();
        await put(s, bars(10, 0, 100), { owner: { team: 'alpha', visibility: 'shared' } });
        const before = await count(store, `bars WHERE symbol = '${s}'`);
        const revisions = await count(store, 'bar_revisions');
        const imports = await count(store, 'imports');
        const replaced: DataReplaced[] = [];
        const e = await failure(put(s, bars(3, 2, 1e6), { owner: { team: 'beta' }, onDataReplaced: x => replaced.push(x) }));
        expect(e).toBeInstanceOf(SeriesForbidden);
        expect(e.message).toBe(`own:${s} 1d belongs to team alpha; only its owner team may replace or extend it: import your bars under another venue or symbol name (e.g. beta:${s})`);
        // Appending after the end is writing into the series too.
        expect(await failure(put(s, bars(3, 20, 10), { owner: { team: 'beta' } }))).toBeInstanceOf(SeriesForbidden);
        expect(await count(store, `bars WHERE symbol = '${s}'`)).toBe(before);
        expect(await count(store, 'bar_revisions')).toBe(revisions);
        expect(await count(store, 'imports')).toBe(imports);
        expect(replaced).toEqual([]);
        // The owner replaces (reported once committed); the CLI too, keeping the owner and visibility.
        const r = await put(s, bars(3, 2, 1e6), { owner: { team: 'alpha' }, onDataReplaced: x => replaced.push(x) });
        expect(replaced).toEqual([{ importId: expect.any(Number), series: `own:${s}`, timeframe: '1d', owner: 'alpha', visibility: 'shared', team: 'alpha', replaced: 3, removed: 0, firstTs: r.firstTs, lastTs: r.lastTs, source: 'test' }]);
        expect(await count(store, `bar_revisions WHERE symbol = '${s}' AND import_id = ${replaced[0]!.importId}`)).toBe(3);
        await put(s, bars(2, 0, 5));
        expect(await seriesOwner(store, 'own', s, '1d')).toEqual({ team: 'alpha', visibility: 'shared' });
        // A private series is refused without naming its owner.
        const p = sym();
        await put(p, bars(3, 0, 10), { owner: { team: 'alpha' } });
        expect((await failure(put(p, bars(3, 0, 10), { owner: { team: 'beta' } }))).message).toMatch(/^own:O\d+ 1d belongs to another team;/);
    });

    it('a failure before COMMIT keeps no owner row and no revisions', async () => {
        const s = sym();
        await put(s, bars(5, 0, 10), { owner: { team: 'alpha' } });
        const revisions = await count(store, 'bar_revisions');
        await failure(put(s, bars(5, 0, 20), { owner: { team: 'alpha', visibility: 'shared' }, beforeCommit: () => { throw new Error('boom'); } }));
        expect(await count(store, 'bar_revisions')).toBe(revisions);
        expect(await seriesOwner(store, 'own', s, '1d')).toEqual({ team: 'alpha', visibility: 'team' });
    });
});

describe('what a team\'s load sees', () => {
    it('its own and shared series, resampled too; another team\'s private one is "no data … visible to team"', async () => {
        const s = sym();
        await put(s, bars(20, 0, 50), { owner: { team: 'alpha' } });
        const asset = [{ venue: 'own', symbol: s }];
        expect((await loadFromStore(store, { assets: asset, timeframe: '1d', team: 'alpha' })).ts.length).toBe(20);
        expect((await loadFromStore(store, { assets: asset, timeframe: '2d', team: 'alpha' })).ts.length).toBeGreaterThan(5);
        expect((await loadFromStore(store, { assets: asset, timeframe: '1d' })).ts.length).toBe(20); // the local CLI reads everything
        for (const timeframe of ['1d', '2d']) {
            const e = await failure(loadFromStore(store, { assets: asset, timeframe, team: 'beta' }));
            expect(e).toBeInstanceOf(NoVisibleData);
            expect(e.message).toMatch(new RegExp(`^no data for own:${s} ${timeframe} visible to team beta; import it under a name of your team`));
            expect(e.message).not.toContain(store.file);
        }
    });
});

describe('the bars as of an earlier import', () => {
    it('each earlier state is rebuilt exactly from the replaced bars, and found again by its snapshot hash', async () => {
        const s = sym();
        const req = { assets: [{ venue: 'own', symbol: s }], timeframe: '1d' };
        const states: { id: number; data: LoadedBars }[] = [];
        const step = async (b: ReturnType<typeof columns>): Promise<void> => {
            await put(s, b);
            const id = Number(await store.scalar(`SELECT max(id)::DOUBLE FROM imports WHERE symbol = $1`, [s]));
            states.push({ id, data: await loadFromStore(store, req) });
        };
        await step(bars(10, 0, 100));         // days 0–9
        await step(bars(4, 3, 200));          // replaces 3–6
        await step(bars(3, 8, 300));          // replaces 8–9, extends to 10
        await step(columns([...barSeries(1, DAY_MS, T0 + 2 * DAY_MS), ...barSeries(1, DAY_MS, T0 + 5 * DAY_MS)].map(b => ({ ...b, close: 400, open: 400, high: 401, low: 399 })))); // 2..5 thinned: 3, 4 removed
        await step(bars(2, 4, 500));          // fills 4–5 again
        const hashes = new Set(states.map(x => x.data.snapshotHash));
        expect(hashes.size).toBe(states.length);
        for (const { id, data } of states) {
            const rebuilt = await loadFromStore(store, { ...req, asOf: id });
            expect([...rebuilt.ts], `as of import ${id}`).toEqual([...data.ts]);
            expect([...rebuilt.assets[0]!.close], `as of import ${id}`).toEqual([...data.assets[0]!.close]);
            expect(rebuilt.snapshotHash).toBe(data.snapshotHash);
            expect((await findSnapshot(store, req, data.snapshotHash))?.snapshotHash).toBe(data.snapshotHash);
        }
        // A range too: the reconstruction honours from / to.
        const first = states[0]!;
        const part = await loadFromStore(store, { ...req, asOf: first.id, from: T0 + 3 * DAY_MS, to: T0 + 6 * DAY_MS });
        expect([...part.assets[0]!.close]).toEqual([103, 104, 105, 106]);
        expect(await findSnapshot(store, req, '0'.repeat(64))).toBeUndefined();
    });
});

describe('the migration', () => {
    it('existing series become shared, owned by the bootstrap team', async () => {
        const d = tempDir('af-owner-mig-');
        await withStore({ stateDir: d, migrateTo: 7 }, async s => {
            await s.run(`INSERT INTO bars VALUES ('binance', 'BTC/USDT', '1d', TIMESTAMP '2024-01-01', 1, 2, 0.5, 1.5, 10), ('binance', 'BTC/USDT', '1d', TIMESTAMP '2024-01-02', 1, 2, 0.5, 1.5, 10), ('sp', 'SPX', '1h', TIMESTAMP '2024-01-01', 1, 2, 0.5, 1.5, 10)`);
            await s.run(`INSERT INTO imports (source, venue, symbol, timeframe, rows_in, rows_written, rows_dropped, rows_replaced) VALUES ('x', 'sp', 'SPX', '1h', 1, 1, 0, 0)`);
        });
        await withStore({ stateDir: d }, async s => {
            expect(await s.rows(`SELECT venue, symbol, timeframe, owner_team, visibility FROM series ORDER BY venue`)).toEqual([
                { venue: 'binance', symbol: 'BTC/USDT', timeframe: '1d', owner_team: 'default', visibility: 'shared' },
                { venue: 'sp', symbol: 'SPX', timeframe: '1h', owner_team: 'default', visibility: 'shared' },
            ]);
            expect(await s.rows(`SELECT id, team FROM imports`)).toEqual([{ id: 1n, team: null }]);
            // The sequence goes on after the old imports.
            expect(Number(await s.scalar(`SELECT nextval('imports_id')`))).toBe(2);
        });
    });
});

describe('the export sandbox', () => {
    it('reads and writes only inside its directory, loads no extension and cannot be unlocked', async () => {
        const work = tempDir('af-sandbox-');
        const outside = tempDir('af-sandbox-out-');
        const secret = writeFile(outside, 'secret.txt', 'SANDBOX-SECRET');
        await withSandbox(work, async ({ connection }) => {
            const refused = async (sql: string): Promise<string> => (await failure(connection.run(sql))).message;
            expect(await refused(`SELECT * FROM read_text('${secret}')`)).toMatch(/Permission Error/);
            expect(await refused(`SELECT * FROM glob('${outside}/*')`)).toMatch(/Permission Error/);
            expect(await refused(`COPY (SELECT 1) TO '${join(outside, 'x.csv')}'`)).toMatch(/Permission Error/);
            expect(await refused(`COPY (SELECT 1) TO '${work}/../x.csv'`)).toMatch(/Permission Error/);
            expect(await refused(`ATTACH '${join(outside, 'x.duckdb')}'`)).toMatch(/Permission Error/);
            expect(await refused(`LOAD httpfs`)).toMatch(/disabled/);
            expect(await refused(`SET enable_external_access = true`)).toMatch(/locked/);
            expect(await refused(`SET allowed_directories = ['/']`)).toMatch(/locked/);
            await connection.run(`COPY (SELECT 42 AS x) TO '${join(work, 'ok.csv')}' (HEADER true)`);
        });
        expect(readFileSync(join(work, 'ok.csv'), 'utf8')).toBe('x\n42\n');
        expect(existsSync(join(outside, 'x.csv'))).toBe(false);
    });
});
