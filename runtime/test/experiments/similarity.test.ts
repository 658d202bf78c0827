/**
 * Similarity: the vector index (HNSW through hnswlib-node, and exact search, agreeing), strategy
 * embeddings from source, and StrategySimilarity rebuilt from the runs table — a strategy and its
 * renamed / reformatted copy are nearest, an unrelated one is farther, teams stay apart.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DataStore } from '../../src/data/store.js';
import { ExperimentError } from '../../src/experiments/errors.js';
import { embedSource, EMBEDDING_CACHE_VERSION, SimilarityIndex, similarityBackend, StrategySimilarity } from '../../src/experiments/similarity.js';
import { failure, insertRun, openStore } from './helpers.js';

const example = (name: string): string => readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8');

const SMA = example('sma-cross.af');
const RSI = example('rsi-mean-reversion.af');
const DONCHIAN = example('donchian-breakout.af');

/** SmaCross renamed (strategy, params, features, signals), reordered and reformatted: the same strategy. */
const SMA_RENAMED = `strategy   TwoAverages{
  universe:sp:SPX
  timeframe:1d
  tags: trend, equity_index
  signal goIn=crossover(quick,  lazy)
  signal goOut=crossunder(quick,lazy)
  feature lazy=sma(close,long_len)
  feature quick = sma( close , short_len )
  param long_len : int = 100 in 50..250 step 25
  param short_len : int = 20 in 5..60 step 5
  constraint short_len < long_len
  rules { when goIn => target 100% long
          when goOut => flat }
  execution { slippage: 2 bps
    fees: 5 bps
    fill: next_open }
  risk { max_drawdown: 25% => halt
    stop_loss: 3 * atr(14) }
}`;

/** Same structure, other values: a structural match. */
const SMA_VALUES = SMA.replace('param fast: int = 20 in 5..60 step 5', 'param fast: int = 10 in 5..40 step 5').replace('3 * atr(14)', '2 * atr(20)');

/** A small structural edit: one more condition on entry. */
const SMA_EDITED = SMA.replace('signal enter = crossover(fastMa, slowMa)', 'signal enter = crossover(fastMa, slowMa) and close > sma(close, 200)');

function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

describe('SimilarityIndex', () => {
    it('hnswlib-node is installed and used', () => {
        expect(similarityBackend()).toEqual({ backend: 'hnsw' });
        expect(new SimilarityIndex(4).backend).toBe('hnsw');
        expect(new SimilarityIndex(4, { backend: 'exact' }).backend).toBe('exact');
    });

    it.each(['hnsw', 'exact'] as const)('%s: nearest by cosine distance, with replace, remove, filters and zero vectors', backend => {
        const ix = new SimilarityIndex<{ n: number }>(3, { backend, capacity: 2 });
        ix.add('x', [1, 0, 0], { n: 1 });
        ix.add('y', [0, 1, 0], { n: 2 });
        ix.add('xy', [1, 1, 0], { n: 3 });
        ix.add('z0', [0, 0, 0], { n: 4 });
        ix.add('far', [-1, 0, 0], { n: 5 }); // past the initial capacity: the graph grows
        expect(ix.size).toBe(5);
        const r = ix.query([2, 0.1, 0], 3);
        expect(r.map(n => n.id)).toEqual(['x', 'xy', 'y']);
        expect(r[0]!.distance).toBeCloseTo(1 - 2 / Math.hypot(2, 0.1), 12);
        expect(r[0]!.meta).toEqual({ n: 1 });
        expect(ix.query([1, 0, 0], 10).map(n => [n.id, Number(n.distance.toFixed(6))])).toEqual([['x', 0], ['xy', 0.292893], ['y', 1], ['z0', 1], ['far', 2]]);
        expect(ix.query([1, 0, 0], 2, (_, m) => m.n % 2 === 0).map(n => n.id)).toEqual(['y', 'z0']);
        ix.add('x', [0, 0, 1], { n: 6 });
        expect(ix.query([1, 0, 0], 1)[0]!.id).toBe('xy');
        expect(ix.remove('xy')).toBe(true);
        expect(ix.remove('xy')).toBe(false);
        expect(ix.query([1, 0, 0], 1)[0]!.id).not.toBe('xy');
        expect(ix.size).toBe(4);
        expect(ix.has('xy')).toBe(false);
        expect(ix.query([0, 0, 0], 1)[0]!.distance).toBe(1);
        // Removed, then added again; a linked point turned zero, then non-zero again.
        ix.add('xy', [1, 1, 0], { n: 3 });
        expect(ix.query([1, 1, 0], 1)[0]).toMatchObject({ id: 'xy', distance: 0 });
        ix.add('y', [0, 0, 0], { n: 2 });
        expect(ix.query([0, 1, 0], 5).find(n => n.id === 'y')!.distance).toBe(1);
        ix.add('y', [0, 3, 0], { n: 2 });
        expect(ix.query([0, 1, 0], 1)[0]).toMatchObject({ id: 'y', distance: 0 });
        expect(() => ix.add('bad', [1, 2], { n: 0 })).toThrow(/2 dims for an index of 3/);
        expect(() => ix.add('bad', [1, NaN, 0], { n: 0 })).toThrow(/non-finite/);
        expect(new SimilarityIndex(3, { backend }).query([1, 0, 0], 5)).toEqual([]);
    });

    it('HNSW finds the same neighbours as exact search on random data', () => {
        const next = rng(7);
        const dims = 32;
        const vec = (): number[] => Array.from({ length: dims }, () => next() - 0.5);
        const hnsw = new SimilarityIndex<null>(dims, { backend: 'hnsw', capacity: 64 });
        const exact = new SimilarityIndex<null>(dims, { backend: 'exact' });
        for (let i = 0; i < 600; i++) {
            const v = vec();
            hnsw.add(`p${i}`, v, null);
            exact.add(`p${i}`, v, null);
        }
        let agree = 0, total = 0;
        for (let q = 0; q < 30; q++) {
            const v = vec();
            const a = hnsw.query(v, 5), b = exact.query(v, 5);
            const want = new Set(b.map(n => n.id));
            agree += a.filter(n => want.has(n.id)).length;
            total += 5;
            // Distances are exact either way.
            for (const n of a) expect(n.distance).toBeCloseTo(exact.query(v, 600).find(m => m.id === n.id)!.distance, 12);
        }
        expect(agree / total).toBeGreaterThanOrEqual(0.95);
    });
});

describe('embedSource', () => {
    it('a renamed, reordered, reformatted copy has the same fingerprints and embedding', async () => {
        const a = await embedSource(SMA);
        const b = await embedSource(SMA_RENAMED);
        expect(a.strategy).toBe('SmaCross');
        expect(b.strategy).toBe('TwoAverages');
        expect(b.fingerprints).toEqual(a.fingerprints);
        expect(b.vector).toEqual(a.vector);
        const v = await embedSource(SMA_VALUES);
        expect(v.fingerprints.structural).toBe(a.fingerprints.structural);
        expect(v.fingerprints.exact).not.toBe(a.fingerprints.exact);
    });

    it('sources that do not compile are 400s with line and column', async () => {
        const e = await failure<ExperimentError>(embedSource('strategy Broken {\n  universe: sp:SPX\n  timeframe: 1d\n  signal s = nosuchfn(close)\n  rules { when s => flat }\n}'));
        expect(e).toBeInstanceOf(ExperimentError);
        expect(e.status).toBe(400);
        expect(e.message).toMatch(/^strategy Broken does not compile \(\d+ errors?\): 4:\d+ AF\d+ /);
        expect((await failure<ExperimentError>(embedSource(SMA, 'Other'))).message).toBe('the source has no strategy named Other (it has SmaCross)');
        expect((await failure<ExperimentError>(embedSource('  '))).status).toBe(400);
    });
});

describe('StrategySimilarity', () => {
    let store: DataStore;

    beforeEach(async () => {
        store = await openStore('af-sim-');
    });

    afterEach(() => store.close());

    /** Runs as the orchestrator records them: source plus the fingerprints it computed (unless told not to). */
    async function run(id: string, source: string, team = 'alpha', withFingerprints = true, created = '2024-01-01T00:00:00'): Promise<void> {
        const e = withFingerprints ? await embedSource(source).catch(() => undefined) : undefined;
        await insertRun(store, {
            id, team, source, created, strategy: e?.strategy ?? null,
            exact: e?.fingerprints.exact ?? null, structural: e?.fingerprints.structural ?? null,
        });
    }

    async function seedRuns(): Promise<void> {
        await run('sma-1', SMA, 'alpha', true, '2024-01-01T00:00:00');
        await run('sma-2', SMA_VALUES, 'alpha', true, '2024-01-02T00:00:00');
        await run('rsi-1', RSI, 'alpha', false);
        await run('don-1', DONCHIAN);
        await run('broken', 'strategy Broken { universe: sp:SPX timeframe: 1d signal s = nosuchfn(close) }');
        await run('beta-sma', SMA, 'beta');
        await insertRun(store, { id: 'no-source', team: 'alpha' });
    }

    it('rebuilt from the runs table: the renamed copy finds its original first; unrelated ones are farther', async () => {
        await seedRuns();
        const sim = await StrategySimilarity.build(store);
        expect(sim.backend).toBe('hnsw');
        expect(sim.stats).toMatchObject({ runs: 5, strategies: 4 });
        expect(sim.stats.skipped.map(s => s.runId)).toEqual(['broken']);
        expect(sim.stats.skipped[0]!.reason).toMatch(/^strategy Broken does not compile/);

        const found = await sim.find({ source: SMA_RENAMED }, { team: 'alpha', k: 5 });
        expect(found.map(f => [f.strategy, f.match])).toEqual([['SmaCross', 'exact'], ['DonchianBreakout', 'similar'], ['RsiMeanReversion', 'similar']]);
        expect(found[0]!.distance).toBe(0);
        expect(found[0]!.similarity).toBe(1);
        // Both SmaCross runs share the structure: one point, two runs, newest first.
        expect(found[0]!.runIds).toEqual(['sma-2', 'sma-1']);
        expect(found[0]!.runs).toBe(2);
        expect(found[0]!.fingerprints.exact).toHaveLength(2);
        for (const f of found.slice(1)) expect(f.distance).toBeGreaterThan(0.3);
        expect(found.every(f => f.team === 'alpha')).toBe(true);
    });

    it('structural matches rank before mere neighbours; a small edit is nearer than an unrelated strategy', async () => {
        await seedRuns();
        const sim = await StrategySimilarity.build(store);
        const values = SMA_VALUES.replace('param slow: int = 100', 'param slow: int = 120');
        const s = await sim.find({ source: values }, { team: 'alpha' });
        expect(s[0]).toMatchObject({ strategy: 'SmaCross', match: 'structural', distance: 0 });

        const edited = await sim.find({ source: SMA_EDITED }, { team: 'alpha' });
        expect(edited[0]).toMatchObject({ strategy: 'SmaCross', match: 'similar' });
        expect(edited[0]!.distance).toBeGreaterThan(0);
        expect(edited[0]!.distance).toBeLessThan(edited[1]!.distance);
        const rsi = edited.find(f => f.strategy === 'RsiMeanReversion')!;
        expect(edited[0]!.similarity).toBeGreaterThan(rsi.similarity + 0.2);
    });

    it('teams see their own strategies only; without a team every team\'s', async () => {
        await seedRuns();
        const sim = await StrategySimilarity.build(store);
        const beta = await sim.find({ source: RSI }, { team: 'beta' });
        expect(beta.map(f => [f.team, f.strategy, f.match])).toEqual([['beta', 'SmaCross', 'similar']]);
        expect(await sim.find({ source: RSI }, { team: 'gamma' })).toEqual([]);
        const all = await sim.find({ source: SMA }, { k: 2 });
        expect(all.map(f => [f.team, f.match])).toEqual([['alpha', 'exact'], ['beta', 'exact']]);
        // By run id: the run's own strategy, within its team.
        const byRun = await sim.find({ runId: 'rsi-1' }, { team: 'alpha', k: 1 });
        expect(byRun[0]).toMatchObject({ strategy: 'RsiMeanReversion', match: 'exact' });
        expect((await failure<ExperimentError>(sim.find({ runId: 'beta-sma' }, { team: 'alpha' }))).status).toBe(404);
        expect((await failure<ExperimentError>(sim.find({ runId: 'no-source' }))).message).toBe("run 'no-source' has no strategy source to compare");
        expect((await failure<ExperimentError>(sim.find({ source: SMA, runId: 'sma-1' }))).message).toBe('give exactly one of source, runId or vector to compare with');
        expect((await failure<ExperimentError>(sim.find({ source: SMA }, { k: 0 }))).status).toBe(400);
        const v = (await embedSource(SMA)).vector;
        expect((await sim.find({ vector: v }, { team: 'alpha', k: 1 }))[0]).toMatchObject({ strategy: 'SmaCross', match: 'similar', distance: 0 });
    });

    it('embeddings are cached by structural fingerprint; a rebuild compiles nothing; refresh adds new runs', async () => {
        await seedRuns();
        const first = await StrategySimilarity.build(store);
        expect(first.stats.compiled).toBeGreaterThanOrEqual(3);
        expect(Number(await store.scalar(`SELECT count(*)::DOUBLE FROM strategy_embeddings WHERE version = $1`, [EMBEDDING_CACHE_VERSION]))).toBe(3);
        const second = await StrategySimilarity.build(store);
        // Runs recorded with their structural fingerprint come from the cache; rsi-1 (recorded without
        // one) is compiled again, and the broken run is retried and skipped again.
        expect(second.stats).toMatchObject({ compiled: 1, runs: 5, strategies: 4 });
        expect(second.stats.cached).toBe(2);
        expect(second.stats.skipped.map(s => s.runId)).toEqual(['broken']);

        expect(await second.refresh()).toBe(0);
        await run('don-2', DONCHIAN.replace('entryDays: int = 55', 'entryDays: int = 60'), 'alpha', true, '2024-02-01T00:00:00');
        expect(await second.refresh()).toBe(1);
        const d = await second.find({ source: DONCHIAN }, { team: 'alpha', k: 1 });
        expect(d[0]).toMatchObject({ strategy: 'DonchianBreakout', match: 'exact', runIds: ['don-2', 'don-1'] });
    });
});
