/**
 * The experiment-store scope over a real DuckDB store and a real PostgreSQL 15 (team mode's control plane): one point per (team, structure) of the
 * completed runs, each carrying how often it was tried and its best run; teams stay apart, an
 * experiment can be singled out; a completed run's new structure is added incrementally; a
 * reopened index is reconciled, not rebuilt; an index of another embedding version is rebuilt,
 * and while that runs queries are refused with the progress.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SimilarMatchSchema, TriedSchema } from '../../../protocol/src/daemon/index.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import type { IndexLog } from '../../src/similarity/persistent-index.js';
import { SimilarityUnavailable, StoreIndex, storeId, summary } from '../../src/similarity/store-index.js';
import { EMBEDDING_KEY } from '../../../language/src/similarity/strategy-point.js';
import { pointFromSource } from '../../src/language-service/local.js';
import { insertRun, openStoreOf, tempDir } from '../experiments/helpers.js';
import { STORE_KINDS, available, usePostgres } from '../team/control-stores.js';
import { DONCHIAN, example, MACD, point, replaceOnce, RSI, SMA, SMA_RENAMED, SMA_VALUES } from './helpers.js';

/** `tried` as SimilarResultSchema has it. */
const TriedWithSummary = TriedSchema.extend({ summary: z.string() }).strict();

interface RunOptions {
    readonly team?: string;
    readonly created?: string;
    readonly experiment?: string | null;
    readonly state?: 'completed' | 'failed';
    readonly metrics?: Record<string, number | null>;
    /** Fingerprints to record when the source does not compile (as an engine that could run it might have). */
    readonly structural?: string;
}

usePostgres('runtime/test/similarity/store-index.test.ts');

for (const kind of STORE_KINDS) describe.skipIf(!available(kind))(`StoreIndex on ${kind}`, () => {
    let store: SqlStore;
    let stateDir: string;
    let logs: [level: string, message: string][];
    const log: IndexLog = (level, message) => { logs.push([level, message]); };
    const opened: StoreIndex[] = [];

    beforeEach(async () => {
        store = await openStoreOf(kind, 'af-sim-store-');
        stateDir = join(tempDir('af-sim-state-'), 'state');
        logs = [];
    }, 30_000); // opening a store (the first in a file copies a template it may build) can pass 10 s on a loaded machine

    afterEach(() => {
        for (const ix of opened.splice(0)) ix.close();
        store.close();
    });

    function openIndex(): StoreIndex {
        const ix = StoreIndex.open({ store, stateDir, log });
        opened.push(ix);
        return ix;
    }

    function closeIndex(ix: StoreIndex): void {
        ix.close();
        opened.splice(opened.indexOf(ix), 1);
    }

    /** A run as the orchestrator records it: source, strategy and the fingerprints of pointFromSource, then its metrics. */
    async function run(id: string, source: string, o: RunOptions = {}): Promise<void> {
        const r = await pointFromSource(source);
        await insertRun(store, {
            id, source, team: o.team ?? 'alpha', created: o.created ?? '2024-01-01T00:00:00', experiment: o.experiment ?? null, state: o.state ?? 'completed',
            strategy: r.ok ? r.point.strategy : 'Broken',
            exact: r.ok ? r.point.fingerprints.exact : o.structural ?? null, structural: r.ok ? r.point.fingerprints.structural : o.structural ?? null,
        });
        if (o.metrics) await store.run(`UPDATE runs SET metrics = $2 WHERE id = $1`, [id, JSON.stringify(o.metrics)]);
    }

    async function seed(): Promise<void> {
        await run('sma-1', SMA, { created: '2024-01-01T00:00:00', experiment: 'exp-1', metrics: { sharpe: 1.1, deflatedSharpe: 0.5 } });
        await run('sma-2', SMA_VALUES, { created: '2024-01-02T00:00:00', experiment: 'exp-2', metrics: { sharpe: 0.9, deflatedSharpe: 0.8, maxDrawdown: -0.2 } });
        await run('sma-failed', SMA, { created: '2024-01-03T00:00:00', state: 'failed', metrics: { sharpe: 9, deflatedSharpe: 9 } });
        await run('rsi-1', RSI, { experiment: 'exp-2', metrics: { sharpe: 1.5, deflatedSharpe: null } });
        await run('don-1', DONCHIAN, { experiment: 'exp-1' });
        await run('broken', 'strategy Broken { universe: sp:SPX timeframe: 1d signal s = nosuchfn(close) }', { structural: 'f'.repeat(64) });
        await run('beta-sma', SMA, { team: 'beta', metrics: { sharpe: 2 } });
        await insertRun(store, { id: 'no-source', team: 'alpha' });
    }

    /** The answers of a few queries, as plain data. */
    async function answers(ix: StoreIndex): Promise<unknown[]> {
        const out: unknown[] = [];
        for (const src of [SMA, RSI, DONCHIAN, MACD]) {
            const q = await point(src);
            for (const team of ['alpha', 'beta']) out.push(await ix.find(q, { k: 5, team }));
        }
        return out;
    }

    it('built from the completed runs: one point per team and structure; a non-compiling source is skipped', async () => {
        await seed();
        const ix = openIndex();
        expect(ix.rebuilds).toBe(true);
        await ix.start();
        expect(ix.state).toEqual({ ready: true });
        expect(ix.info()).toEqual({ scope: 'store', points: 4, embeddingVersion: EMBEDDING_KEY, backend: 'hnsw' });
        expect(logs).toContainEqual(['info', 'similarity index store: building from 5 strategy structures (no index yet)']);
        expect(logs).toContainEqual(['info', 'similarity index store: built (4 structures, 1 skipped: their source does not compile alone)']);
    });

    it('find: how often the query\'s structure was tried and its best run, then the neighbours with their runs', async () => {
        await seed();
        const ix = openIndex();
        await ix.start();
        const sma = await point(SMA);
        const renamed = await point(SMA_RENAMED);
        const r = await ix.find(renamed, { k: 5, team: 'alpha' });

        const tried = {
            runs: 2, best: { runId: 'sma-2', metric: 'deflatedSharpe', value: 0.8 }, metrics: { sharpe: 0.9, deflatedSharpe: 0.8, maxDrawdown: -0.2 },
            latestRunIds: ['sma-2', 'sma-1'], experimentId: 'exp-2',
        };
        expect(r.tried).toEqual({ ...tried, summary: 'this structure was tried twice; best deflated Sharpe 0.80 (run sma-2)' });
        TriedWithSummary.parse(r.tried);
        expect(r.matches.map(m => [m.strategy, m.match])).toEqual([['SmaCross', 'identical'], ...r.matches.slice(1).map(m => [m.strategy, 'similar'])]);
        expect(r.matches.map(m => m.strategy).sort()).toEqual(['DonchianBreakout', 'RsiMeanReversion', 'SmaCross']);
        for (const m of r.matches) SimilarMatchSchema.parse(m);
        const smaValues = await point(SMA_VALUES);
        expect(r.matches[0]).toEqual({
            scope: 'store', strategy: 'SmaCross', match: 'identical', similarity: 1, difference: 'identical structure and values',
            fingerprints: { structural: sma.fingerprints.structural, exact: [sma.fingerprints.exact, smaValues.fingerprints.exact].sort() },
            runs: tried,
        });
        expect(r.matches[1]!.similarity).toBeGreaterThanOrEqual(r.matches[2]!.similarity);
        expect(r.matches[1]!.similarity).toBeLessThan(0.9);
        const rsi = r.matches.find(m => m.strategy === 'RsiMeanReversion')!;
        expect(rsi.runs).toEqual({ runs: 1, best: { runId: 'rsi-1', metric: 'sharpe', value: 1.5 }, metrics: { sharpe: 1.5, deflatedSharpe: null }, latestRunIds: ['rsi-1'], experimentId: 'exp-2' });
        expect(rsi.difference).toMatch(/^(adds|drops|different structure)/);
        const don = r.matches.find(m => m.strategy === 'DonchianBreakout')!;
        expect(don.runs).toEqual({ runs: 1, best: null, metrics: null, latestRunIds: ['don-1'], experimentId: null });

        // Other values of the same structure: a structure match, the same runs.
        const other = await ix.find(await point(replaceOnce(SMA_VALUES, 'param slow: int = 100', 'param slow: int = 125')), { k: 1, team: 'alpha' });
        expect(other.matches).toEqual([expect.objectContaining({ strategy: 'SmaCross', match: 'structure', similarity: 1, difference: 'same structure, different parameter values' })]);
        expect(other.tried?.runs).toBe(2);

        // Tried once, with a plain Sharpe; tried once without metrics; never tried.
        expect((await ix.find(await point(RSI), { k: 1, team: 'alpha' })).tried?.summary).toBe('this structure was tried once; best Sharpe 1.50 (run rsi-1)');
        expect((await ix.find(await point(DONCHIAN), { k: 1, team: 'alpha' })).tried?.summary).toBe('this structure was tried once');
        const macd = await ix.find(await point(MACD), { k: 2, team: 'alpha' });
        expect(macd.tried).toBeNull();
        expect(macd.matches).toHaveLength(2);
        expect(macd.matches.every(m => m.match === 'similar')).toBe(true);
    });

    it('the summary counts runs in words', () => {
        const base = { best: null, metrics: null, latestRunIds: [], experimentId: null };
        expect(summary({ ...base, runs: 1 })).toBe('this structure was tried once');
        expect(summary({ ...base, runs: 2 })).toBe('this structure was tried twice');
        expect(summary({ ...base, runs: 14, best: { runId: 'r_1', metric: 'sharpe', value: 0.756 } })).toBe('this structure was tried 14 times; best Sharpe 0.76 (run r_1)');
    });

    it('teams see their own structures only; an experiment can be singled out', async () => {
        await seed();
        const ix = openIndex();
        await ix.start();
        const sma = await point(SMA);
        const beta = await ix.find(sma, { k: 5, team: 'beta' });
        expect(beta.tried).toMatchObject({ runs: 1, best: { runId: 'beta-sma', metric: 'sharpe', value: 2 }, latestRunIds: ['beta-sma'] });
        expect(beta.matches.map(m => [m.strategy, m.match, m.runs?.latestRunIds])).toEqual([['SmaCross', 'identical', ['beta-sma']]]);
        expect((await ix.find(await point(RSI), { k: 5, team: 'beta' })).tried).toBeNull();
        expect(await ix.find(sma, { k: 5, team: 'gamma' })).toEqual({ tried: null, matches: [] });

        const exp1 = await ix.find(sma, { k: 5, team: 'alpha', experimentId: 'exp-1' });
        expect(exp1.tried).toEqual({
            runs: 1, best: { runId: 'sma-1', metric: 'deflatedSharpe', value: 0.5 }, metrics: { sharpe: 1.1, deflatedSharpe: 0.5 }, latestRunIds: ['sma-1'], experimentId: 'exp-1',
            summary: 'this structure was tried once; best deflated Sharpe 0.50 (run sma-1)',
        });
        expect(exp1.matches.map(m => [m.strategy, m.match])).toEqual([['SmaCross', 'identical'], ['DonchianBreakout', 'similar']]);
        expect(exp1.matches[0]!.fingerprints.exact).toEqual([sma.fingerprints.exact]);
        // In exp-2 the SmaCross runs have other values only: a structure match.
        const exp2 = await ix.find(sma, { k: 5, team: 'alpha', experimentId: 'exp-2' });
        expect(exp2.matches.map(m => [m.strategy, m.match])).toEqual([['SmaCross', 'structure'], ['RsiMeanReversion', 'similar']]);
        expect(await ix.find(sma, { k: 5, team: 'alpha', experimentId: 'nope' })).toEqual({ tried: null, matches: [] });
        expect(await ix.find(sma, { k: 5, team: 'beta', experimentId: 'exp-1' })).toEqual({ tried: null, matches: [] });
    });

    it('k limits the neighbours; the query\'s own structure is always among them when tried', async () => {
        await seed();
        const ix = openIndex();
        await ix.start();
        const r = await ix.find(await point(DONCHIAN), { k: 1, team: 'alpha' });
        expect(r.matches.map(m => [m.strategy, m.match])).toEqual([['DonchianBreakout', 'identical']]);
        expect((await ix.find(await point(MACD), { k: 3, team: 'alpha' })).matches).toHaveLength(3);
    });

    it('record(runId) adds a new structure incrementally; the same structure again is a no-op; reopening loads without a rebuild', async () => {
        await seed();
        const ix = openIndex();
        await ix.start();
        const macd = await point(MACD);
        expect((await ix.find(macd, { k: 1, team: 'alpha' })).tried).toBeNull();

        await run('macd-1', MACD, { created: '2024-02-01T00:00:00', metrics: { sharpe: 0.7 } });
        // Not awaited: a query right after a completion waits for the update.
        void ix.record('macd-1');
        const found = await ix.find(macd, { k: 1, team: 'alpha' });
        expect(found.tried).toMatchObject({ runs: 1, best: { runId: 'macd-1', metric: 'sharpe', value: 0.7 } });
        expect(found.matches[0]).toMatchObject({ strategy: 'MacdTrend', match: 'identical', similarity: 1 });
        expect(ix.info().points).toBe(5);

        await ix.record('macd-1');
        await run('sma-3', replaceOnce(SMA, 'param slow: int = 100', 'param slow: int = 150'), { created: '2024-02-02T00:00:00' });
        await ix.record('sma-3');
        await ix.record('no-such-run');
        await ix.record('no-source');
        expect(ix.info().points).toBe(5);
        // The runs come from the table: the new run counts at once.
        expect((await ix.find(await point(SMA), { k: 1, team: 'alpha' })).tried?.latestRunIds).toEqual(['sma-3', 'sma-2', 'sma-1']);

        const before = await answers(ix);
        closeIndex(ix);
        logs = [];
        const again = openIndex();
        expect(again.rebuilds).toBe(false);
        expect(again.state).toEqual({ ready: true });
        await again.start();
        expect(logs).toEqual([]); // neither built nor reconciled: nothing was missing
        expect(again.info().points).toBe(5);
        expect(await answers(again)).toEqual(before);
    });

    it('a reopened index is reconciled with the runs table: structures it missed are added, gone ones dropped', async () => {
        await seed();
        const ix = openIndex();
        await ix.start();
        closeIndex(ix);
        // While the daemon was down (or crashed before recording): a new structure; and runs deleted.
        await run('vol-1', example('vol-target-atr.af'));
        await store.run(`DELETE FROM runs WHERE id = 'don-1'`);
        logs = [];
        const again = openIndex();
        await again.start();
        expect(logs).toEqual([['info', 'similarity index store: reconciled with the runs table (1 added, 1 removed)']]);
        expect(again.info().points).toBe(4);
        expect((await again.find(await point(example('vol-target-atr.af')), { k: 1, team: 'alpha' })).matches[0]).toMatchObject({ strategy: 'VolTargetAtr', match: 'identical' });
        const don = await again.find(await point(DONCHIAN), { k: 5, team: 'alpha' });
        expect(don.tried).toBeNull();
        expect(don.matches.map(m => m.strategy)).not.toContain('DonchianBreakout');
    });

    it('an index of another embedding version is rebuilt; meanwhile queries are refused with the progress', async () => {
        await seed();
        const ix = openIndex();
        await ix.start();
        const before = await answers(ix);
        closeIndex(ix);
        const metaFile = join(stateDir, 'similarity', 'store', 'meta.json');
        writeFileSync(metaFile, JSON.stringify({ ...JSON.parse(readFileSync(metaFile, 'utf8')) as object, version: 'wl-v0/256' }));

        logs = [];
        const sma = await point(SMA);
        let during: Promise<unknown> | undefined;
        let stateDuring: unknown;
        const again = StoreIndex.open({
            store, stateDir, waitForBuildMs: 0, log: (level, message) => {
                logs.push([level, message]);
                // Called inside the rebuild, once the number of structures is known.
                if (message.startsWith('similarity index store: building from')) {
                    stateDuring = again.state;
                    during = again.find(sma, { k: 5, team: 'alpha' }).then(() => 'answered', (e: unknown) => e);
                }
            },
        });
        opened.push(again);
        expect(again.rebuilds).toBe(true);
        expect(logs).toEqual([['warn', expect.stringContaining(`is from another embedding version (embedding version wl-v0/256 (256 dims) ≠ ${EMBEDDING_KEY} (256 dims)): it will be rebuilt`)]]);

        const starting = again.start();
        // Refused from the moment start() is called, before the runs are even counted.
        expect(again.state).toEqual({ ready: false, done: 0, total: 0 });
        const early = await again.find(sma, { k: 5, team: 'alpha' }).then(() => 'answered', (e: unknown) => e);
        expect(early).toBeInstanceOf(SimilarityUnavailable);
        expect((early as Error).message).toBe('the similarity index is being rebuilt (0/0 structures, 0%); try again in a moment');
        await starting;

        expect(stateDuring).toEqual({ ready: false, done: 0, total: 5 });
        const refused = await during;
        expect(refused).toBeInstanceOf(SimilarityUnavailable);
        expect((refused as Error).message).toBe('the similarity index is being rebuilt (0/5 structures, 0%); try again in a moment');
        expect(logs).toContainEqual(['info', expect.stringMatching(/^similarity index store: building from 5 strategy structures \(embedding version wl-v0\/256/)]);
        expect(again.state).toEqual({ ready: true });
        expect(await answers(again)).toEqual(before);
        expect(JSON.parse(readFileSync(metaFile, 'utf8'))).toMatchObject({ version: EMBEDDING_KEY });
    });

    it('a query during a short build waits for it instead of being refused', async () => {
        const ix = openIndex();
        expect(ix.rebuilds).toBe(true);
        void ix.start();
        expect(ix.state.ready).toBe(false);
        expect(await ix.find(await point(SMA), { k: 5, team: 'alpha' })).toEqual({ tried: null, matches: [] });
        expect(ix.state.ready).toBe(true);
    });

    it('an empty store: nothing to index, nothing found', async () => {
        const ix = openIndex();
        await ix.start();
        expect(ix.info().points).toBe(0);
        expect(await ix.find(await point(SMA), { k: 5, team: 'alpha' })).toEqual({ tried: null, matches: [] });
        expect(storeId('alpha', 'abc')).toBe('alpha/abc');
    });
});
