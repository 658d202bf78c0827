/**
 * ExperimentStore over a real DuckDB file and a real PostgreSQL 15 (team mode's control plane), the
 * same tests on each: experiments, recording results (idempotent upserts), tags, search (sort,
 * paginate, total), team isolation, compare; and the wide export read back with DuckDB
 * (read_parquet, read_csv) and apache-arrow (on PostgreSQL the export stages its rows in a DuckDB connection, as the daemon does; the files are read back there).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqlString } from '../../src/data/export.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import type { DataStore } from '../../src/store/store.js';
import { ConflictError, ErrorCodes } from '../../../protocol/src/errors.js';
import { type ExperimentError, FilterError } from '../../src/experiments/errors.js';
import type { ExperimentStore } from '../../src/experiments/store.js';
import { STORE_KINDS, available, usePostgres } from '../team/control-stores.js';
import { experimentsOver, failure, insertRun, openStoreOf, tempDir } from './helpers.js';

usePostgres('runtime/test/experiments/store.test.ts');

let store: SqlStore;
let exp: ExperimentStore;
let exporter: DataStore | undefined;

for (const kind of STORE_KINDS) describe.skipIf(!available(kind))(`on ${kind}`, () => {
    beforeEach(async () => {
        store = await openStoreOf(kind);
        exporter = kind === 'postgres' ? await openStoreOf('duckdb', 'af-exp-exporter-') as DataStore : undefined;
        exp = experimentsOver(store, exporter);
    }, 30_000); // opening a store (the first in a file copies a template it may build) can pass 10 s on a loaded machine

    afterEach(() => { store.close(); exporter?.close(); });

    /** Twelve alpha runs r01…r12 (sharpe = i / 4, created a day apart) and two beta runs. */
    async function seed(): Promise<void> {
        for (let i = 1; i <= 12; i++) {
            const id = `r${String(i).padStart(2, '0')}`;
            await insertRun(store, { id, created: new Date(Date.UTC(2024, 0, i, 12)).toISOString().replace('Z', ''), strategy: i % 2 ? 'Odd' : 'Even' });
            await exp.recordResult(id, { metrics: i === 6 ? { cagr: 0.1 } : { sharpe: i / 4, cagr: (i % 3) / 10 }, params: { n: i % 4 }, tags: { parity: i % 2 ? 'odd' : 'even' } });
        }
        await insertRun(store, { id: 'b1', team: 'beta', owner: 'bob', created: '2024-02-01T00:00:00' });
        await insertRun(store, { id: 'b2', team: 'beta', owner: 'bob', created: '2024-02-02T00:00:00' });
        await exp.recordResult('b1', { metrics: { sharpe: 9 } });
    }

    describe('experiments', () => {
        it('create, get, find, list by team; names are unique per team', async () => {
            const a = await exp.createExperiment({ name: ' trend ', team: 'alpha', owner: 'alice', description: 'SMA family' });
            expect(a).toMatchObject({ name: 'trend', team: 'alpha', owner: 'alice', description: 'SMA family', runs: 0, lastRun: null });
            expect(a.id).toMatch(/^exp_[0-9a-f]{16}$/);
            expect(new Date(a.created).getTime()).not.toBeNaN();
            const b = await exp.createExperiment({ name: 'trend', team: 'beta', owner: 'bob' });
            expect(b.description).toBeNull();
            const dup = await failure<ConflictError>(exp.createExperiment({ name: 'trend', team: 'alpha', owner: 'carol' }));
            expect(dup).toBeInstanceOf(ConflictError);
            expect(dup.code).toBe(ErrorCodes.Conflict);
            expect(dup.message).toBe(`team alpha already has an experiment named 'trend' (${a.id}); choose another name`);
            expect((await failure<ExperimentError>(exp.createExperiment({ name: '  ', team: 'alpha', owner: 'x' }))).code).toBe(ErrorCodes.InvalidParams);

            await insertRun(store, { id: 'x1', experiment: a.id, created: '2024-05-01T00:00:00' });
            await insertRun(store, { id: 'x2', experiment: a.id, created: '2024-05-02T00:00:00' });
            expect(await exp.getExperiment(a.id)).toMatchObject({ runs: 2, lastRun: '2024-05-02T00:00:00.000Z' });
            expect(await exp.getExperiment(a.id, 'beta')).toBeUndefined();
            expect(await exp.getExperiment('exp_nope')).toBeUndefined();
            expect((await exp.findExperiment('beta', 'trend'))?.id).toBe(b.id);
            expect((await exp.listExperiments('alpha')).map(e => e.id)).toEqual([a.id]);
            expect((await exp.listExperiments()).map(e => e.id).sort()).toEqual([a.id, b.id].sort());
        });
    });

    describe('recording results', () => {
        it('upserts params, metrics and tags; recording twice changes nothing', async () => {
            await insertRun(store, { id: 'r1' });
            const result = { params: { fast: 20, mode: 'x', on: true }, metrics: { sharpe: 1.25, pf: Infinity, undefinedOne: NaN, gone: null }, tags: { style: 'trend' } };
            await exp.recordResult('r1', result);
            await exp.recordResult('r1', result);
            const run = await exp.getRun('r1');
            expect(run?.params).toEqual({ fast: 20, mode: 'x', on: true });
            expect(run?.metrics).toEqual({ gone: null, pf: Infinity, sharpe: 1.25, undefinedOne: null });
            expect(run?.tags).toEqual({ style: 'trend' });
            expect(Number(await store.scalar(`SELECT count(*)::DOUBLE FROM run_metrics WHERE run_id = 'r1'`))).toBe(4);
            expect(await store.rows(`SELECT key, value, text FROM run_params WHERE run_id = 'r1' ORDER BY key`)).toEqual([
                { key: 'fast', value: 20, text: '20' }, { key: 'mode', value: null, text: 'x' }, { key: 'on', value: null, text: 'true' },
            ]);
            // A later result overwrites its keys and keeps the others.
            await exp.recordResult('r1', { metrics: { sharpe: 2 } });
            expect((await exp.getRun('r1'))?.metrics.sharpe).toBe(2);
            expect((await exp.getRun('r1'))?.metrics.pf).toBe(Infinity);
        });

        it('refuses unknown runs and ill-typed values, writing nothing', async () => {
            await insertRun(store, { id: 'r1' });
            expect((await failure<ExperimentError>(exp.recordResult('nope', { metrics: { a: 1 } }))).message).toBe("no run 'nope'");
            const bad = await failure<ExperimentError>(exp.recordResult('r1', { metrics: { a: 1, b: 'x' as unknown as number } }));
            expect(bad.code).toBe(ErrorCodes.InvalidParams);
            expect(bad.message).toBe('metric \'b\' is string; metrics are numbers (null for undefined)');
            expect((await failure<ExperimentError>(exp.recordResult('r1', { params: { p: NaN } }))).message).toMatch(/param 'p' is NaN/);
            expect((await failure<ExperimentError>(exp.recordResult('r1', { tags: { '': 'x' } }))).message).toBe('a tag key must be a non-empty string');
            expect((await failure<ExperimentError>(exp.recordResult('r1', { tags: { 'a\nb': 'x' } }))).message).toMatch(/control character/);
            expect(Number(await store.scalar(`SELECT count(*)::DOUBLE FROM run_metrics`))).toBe(0);
        });

        it('setTags sets and removes tags, within the caller\'s team', async () => {
            await insertRun(store, { id: 'r1' });
            await exp.setTags('r1', { style: 'trend', review: 'todo' });
            await exp.setTags('r1', { review: null, owner_note: 'ok' });
            expect((await exp.getRun('r1'))?.tags).toEqual({ owner_note: 'ok', style: 'trend' });
            expect((await failure<ExperimentError>(exp.setTags('r1', { x: 'y' }, 'beta'))).code).toBe(ErrorCodes.NotFound);
        });

        it('many keys at once (chunked inserts)', async () => {
            await insertRun(store, { id: 'r1' });
            const metrics = Object.fromEntries(Array.from({ length: 700 }, (_, i) => [`m${i}`, i]));
            await exp.recordResult('r1', { metrics });
            expect(Object.keys((await exp.getRun('r1'))!.metrics)).toHaveLength(700);
        });
    });

    describe('search', () => {
        beforeEach(seed, 60_000); // 14 runs with results: seconds on a loaded machine

        it('sorts by a metric, paginates, and counts the total', async () => {
            const page1 = await exp.search({ filter: 'metrics.sharpe > 1', orderBy: 'metrics.sharpe DESC', limit: 3, team: 'alpha' });
            expect(page1.total).toBe(7);
            expect(page1.runs.map(r => r.id)).toEqual(['r12', 'r11', 'r10']);
            const page2 = await exp.search({ filter: 'metrics.sharpe > 1', orderBy: 'metrics.sharpe DESC', limit: 3, offset: 3, team: 'alpha' });
            expect(page2.runs.map(r => r.id)).toEqual(['r09', 'r08', 'r07']);
            const page3 = await exp.search({ filter: 'metrics.sharpe > 1', orderBy: 'metrics.sharpe DESC', limit: 3, offset: 6, team: 'alpha' });
            expect(page3.runs.map(r => r.id)).toEqual(['r05']);
            expect(page3).toMatchObject({ total: 7, limit: 3, offset: 6 });
            // Without a team (an admin view) beta's run counts too.
            expect((await exp.search({ filter: 'metrics.sharpe > 1', orderBy: 'metrics.sharpe DESC', limit: 1 })).runs.map(r => r.id)).toEqual(['b1']);
            const past = await exp.search({ filter: 'metrics.sharpe > 1', limit: 3, offset: 30 });
            expect(past).toMatchObject({ runs: [], total: 8 });
        });

        it('missing values sort last either way; ties break by later keys, then newest, then id', async () => {
            const asc = await exp.search({ orderBy: 'metrics.sharpe', team: 'alpha' });
            expect(asc.runs.map(r => r.id).at(-1)).toBe('r06');
            expect(asc.runs[0]!.id).toBe('r01');
            const desc = await exp.search({ orderBy: 'metrics.sharpe desc', team: 'alpha' });
            expect(desc.runs.map(r => r.id).at(-1)).toBe('r06');
            const byTag = await exp.search({ orderBy: 'tags.parity ASC, metrics.cagr DESC', team: 'alpha', limit: 4 });
            expect(byTag.runs.map(r => r.id)).toEqual(['r08', 'r02', 'r10', 'r06']);
            const byParam = await exp.search({ orderBy: 'params.n DESC, attributes.created ASC', team: 'alpha', limit: 3 });
            expect(byParam.runs.map(r => r.id)).toEqual(['r03', 'r07', 'r11']);
            const newest = await exp.search({ limit: 2 });
            expect(newest.runs.map(r => r.id)).toEqual(['b2', 'b1']);
        });

        it('summaries carry the run, its experiment, fingerprints, params, metrics and tags', async () => {
            const e = await exp.createExperiment({ name: 'e', team: 'alpha', owner: 'alice' });
            await insertRun(store, { id: 'full', experiment: e.id, strategy: 'S', exact: 'ex', structural: 'st', snapshot: 'snap', engine: '0.1.0', seed: 42, finished: '2024-06-01T00:00:00', created: '2024-06-01T00:00:00' });
            await exp.recordResult('full', { params: { a: 1 }, metrics: { sharpe: 1 }, tags: { t: 'v' } });
            const r = (await exp.search({ filter: "attributes.id = 'full'" })).runs[0];
            expect(r).toEqual({
                id: 'full', kind: 'backtest', state: 'completed', promoted: false, strategy: 'S', owner: 'alice', team: 'alpha',
                experiment: { id: e.id, name: 'e' }, created: '2024-06-01T00:00:00.000Z', finished: '2024-06-01T00:00:00.000Z',
                fingerprints: { exact: 'ex', structural: 'st' }, dataSnapshot: 'snap', engineVersion: '0.1.0', seed: 42,
                params: { a: 1 }, metrics: { sharpe: 1 }, tags: { t: 'v' },
            });
            expect(JSON.parse(JSON.stringify(r))).toEqual(r);
            expect((await exp.search({ experimentId: e.id })).runs.map(x => x.id)).toEqual(['full']);
        });

        it('teams see their own runs only', async () => {
            expect((await exp.search({ team: 'beta' })).runs.map(r => r.id)).toEqual(['b2', 'b1']);
            expect((await exp.search({ team: 'alpha', filter: 'metrics.sharpe > 5' })).total).toBe(0);
            expect((await exp.search({ team: 'beta', filter: 'metrics.sharpe > 5' })).total).toBe(1);
            // A filter on another team cannot widen the view.
            expect((await exp.search({ team: 'alpha', filter: "attributes.team = 'beta'" })).total).toBe(0);
            expect((await exp.search({ team: 'alpha', filter: "attributes.team = 'beta' or attributes.team = 'alpha'" })).total).toBe(12);
            expect((await exp.search({ team: 'gamma' })).total).toBe(0);
            expect(await exp.getRun('b1', 'alpha')).toBeUndefined();
            expect((await exp.getRun('b1', 'beta'))?.id).toBe('b1');
        });

        it('bad paging and bad filters are 400s', async () => {
            expect((await failure<ExperimentError>(exp.search({ limit: 0 }))).message).toBe('limit must be a whole number from 1 to 1000, not 0');
            expect((await failure<ExperimentError>(exp.search({ limit: 1.5 }))).code).toBe(ErrorCodes.InvalidParams);
            expect((await failure<ExperimentError>(exp.search({ offset: -1 }))).message).toBe('offset must be a whole number from 0, not -1');
            const f = await failure<FilterError>(exp.search({ filter: 'metrics.sharpe >' }));
            expect(f).toBeInstanceOf(FilterError);
            expect(f.code).toBe(ErrorCodes.InvalidParams);
        });
    });

    describe('compare', () => {
        beforeEach(seed, 60_000); // 14 runs with results: seconds on a loaded machine

        it('lays runs side by side: the union of keys, one value per run, and which differ', async () => {
            await insertRun(store, { id: 'c1', strategy: 'S', exact: 'e1', structural: 's', snapshot: 'snap', seed: 1 });
            await insertRun(store, { id: 'c2', strategy: 'S', exact: 'e2', structural: 's', snapshot: 'snap', seed: 1 });
            await exp.recordResult('c1', { params: { fast: 10, slow: 50 }, metrics: { sharpe: 1, trades: 12 }, tags: { style: 'trend' } });
            await exp.recordResult('c2', { params: { fast: 20, slow: 50, extra: true }, metrics: { sharpe: 1.5, trades: 12 }, tags: { style: 'trend' } });
            const c = await exp.compare(['c1', 'c2', 'c1']);
            expect(c.runs.map(r => r.id)).toEqual(['c1', 'c2']);
            expect(c.params).toEqual([
                { key: 'extra', values: [null, true], differs: true },
                { key: 'fast', values: [10, 20], differs: true },
                { key: 'slow', values: [50, 50], differs: false },
            ]);
            expect(c.metrics).toEqual([
                { key: 'sharpe', values: [1, 1.5], differs: true },
                { key: 'trades', values: [12, 12], differs: false },
            ]);
            expect(c.tags).toEqual([{ key: 'style', values: ['trend', 'trend'], differs: false }]);
            const attr = Object.fromEntries(c.attributes.map(a => [a.key, a]));
            expect(attr['fingerprint.exact']).toEqual({ key: 'fingerprint.exact', values: ['e1', 'e2'], differs: true });
            expect(attr['fingerprint.structural']!.differs).toBe(false);
            expect(attr['data_snapshot']!.differs).toBe(false);
            expect(attr['seed']).toEqual({ key: 'seed', values: [1, 1], differs: false });
        });

        it('unknown runs and other teams\' runs are 404s naming them', async () => {
            const e = await failure<ExperimentError>(exp.compare(['r01', 'nope', 'b1'], { team: 'alpha' }));
            expect(e.code).toBe(ErrorCodes.NotFound);
            expect(e.message).toBe("no runs 'nope', 'b1' in team alpha");
            expect((await failure<ExperimentError>(exp.compare([]))).code).toBe(ErrorCodes.InvalidParams);
            expect((await exp.compare(['b1', 'b2'], { team: 'beta' })).metrics).toEqual([{ key: 'sharpe', values: [9, null], differs: true }]);
        });
    });

    describe('export', () => {
        beforeEach(seed, 60_000); // 14 runs with results: seconds on a loaded machine

        it('Parquet: one wide row per run, in order, read back with read_parquet', async () => {
            await insertRun(store, { id: 'q1', team: 'alpha', created: '2025-01-01T00:00:00', seed: 7 });
            await exp.recordResult('q1', { params: { n: 'many', k: 2 }, metrics: { sharpe: 0.1, 'odd "key"': 5 }, tags: { parity: 'none' } });
            const file = join(tempDir('af-exp-export-'), 'runs.parquet');
            const r = await exp.exportRuns("metrics.sharpe < 1 or attributes.id = 'q1'", file, { orderBy: 'metrics.sharpe ASC', team: 'alpha' });
            expect(r).toMatchObject({ format: 'parquet', rows: 4 });
            expect(r.columns.slice(0, 3)).toEqual(['id', 'experiment_id', 'experiment']);
            expect(r.columns.filter(c => /^(metrics|params|tags)\./.test(c))).toEqual(['metrics.cagr', 'metrics.odd "key"', 'metrics.sharpe', 'params.k', 'params.n', 'tags.parity']);
            const back = await (exporter ?? store).rows(`SELECT id, "metrics.sharpe" AS sharpe, "metrics.odd ""key""" AS odd, "params.n" AS n, "params.k" AS k, "tags.parity" AS parity,
                typeof("metrics.sharpe") AS mt, typeof("params.n") AS nt, typeof("params.k") AS kt, typeof(created_at) AS ct FROM read_parquet(${sqlString(file)})`);
            expect(back.map(b => b.id)).toEqual(['q1', 'r01', 'r02', 'r03']);
            expect(back[0]).toMatchObject({ sharpe: 0.1, odd: 5, n: 'many', k: 2, parity: 'none', mt: 'DOUBLE', nt: 'VARCHAR', kt: 'DOUBLE', ct: 'TIMESTAMP WITH TIME ZONE' });
            // Params numeric for every run of the export stay numbers; mixed ones become text.
            expect(back[1]).toMatchObject({ sharpe: 0.25, n: '1', k: null, parity: 'odd' });
            // The temporary tables are gone.
            expect(Number(await (exporter ?? store).scalar(`SELECT count(*)::DOUBLE FROM duckdb_tables() WHERE table_name LIKE 'af_export_%'`))).toBe(0);
        });

        it('Arrow IPC and CSV; an empty result still writes the run columns', async () => {
            const dir = tempDir('af-exp-export-');
            const arrow = await exp.exportRuns('metrics.sharpe >= 2.5', join(dir, 'runs.arrow'), { team: 'alpha', orderBy: 'metrics.sharpe desc' });
            expect(arrow.rows).toBe(3);
            const t = tableFromIPC(readFileSync(join(dir, 'runs.arrow')));
            expect(t.getChild('id')!.toArray()).toEqual(['r12', 'r11', 'r10']);
            expect([...t.getChild('metrics.sharpe')!.toArray()]).toEqual([3, 2.75, 2.5]);
            expect(t.getChild('params.n')!.get(0)).toBe(0);

            const csv = await exp.exportRuns(undefined, join(dir, 'beta.csv'), { team: 'beta' });
            expect(csv.rows).toBe(2);
            const rows = await (exporter ?? store).rows(`SELECT id, "metrics.sharpe" AS s FROM read_csv(${sqlString(join(dir, 'beta.csv'))}) ORDER BY id`);
            expect(rows).toEqual([{ id: 'b1', s: 9 }, { id: 'b2', s: null }]);

            const none = await exp.exportRuns('metrics.sharpe > 100', join(dir, 'none.parquet'));
            expect(none.rows).toBe(0);
            expect(none.columns).toContain('fingerprint_structural');
        });

        it('bad filters and unknown formats fail before writing', async () => {
            const dir = tempDir('af-exp-export-');
            await expect(exp.exportRuns('metrics.x >', join(dir, 'a.parquet'))).rejects.toBeInstanceOf(FilterError);
            await expect(exp.exportRuns('', join(dir, 'a.xlsx'))).rejects.toThrow(/cannot tell the export format/);
            expect(Number(await (exporter ?? store).scalar(`SELECT count(*)::DOUBLE FROM duckdb_tables() WHERE table_name LIKE 'af_export_%'`))).toBe(0);
        });
    });
});
