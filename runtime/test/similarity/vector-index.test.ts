/**
 * The vector index: HNSW (hnswlib-node) and exact search agree on neighbours and on the distances;
 * ids can be removed and added again, their meta replaced, and the whole index exported and
 * imported again (with the saved HNSW graph, or rebuilding it from the vectors).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimilarityIndex as BareIndex, type SimilarityIndexOptions } from '../../../language/src/similarity/vector-index.js';
import { similarityBackend, withHnsw } from '../../src/similarity/hnsw.js';

/** The index as the runtime builds it: with hnswlib-node unless exact is asked for. */
class SimilarityIndex<M> extends BareIndex<M> {
    constructor(dims: number, options: SimilarityIndexOptions = {}) {
        super(dims, withHnsw(options));
    }
}
import { rng, tempDir } from './helpers.js';

const BACKENDS = ['hnsw', 'exact'] as const;

/** Random vectors from a seeded RNG. */
function randomVectors(seed: number, n: number, dims: number): number[][] {
    const next = rng(seed);
    return Array.from({ length: n }, () => Array.from({ length: dims }, () => next() - 0.5));
}

/** What a query answers, as comparable plain data (ids and distances to 12 places). */
const answer = <M>(ix: SimilarityIndex<M>, v: readonly number[], k: number): [string, number][] =>
    ix.query(v, k).map(n => [n.id, Number(n.distance.toFixed(12))]);

describe('SimilarityIndex', () => {
    it('hnswlib-node is installed and used', () => {
        expect(similarityBackend()).toEqual({ backend: 'hnsw' });
        expect(new SimilarityIndex(4).backend).toBe('hnsw');
        expect(new SimilarityIndex(4).graph).toBeDefined();
        expect(new SimilarityIndex(4, { backend: 'exact' }).backend).toBe('exact');
        expect(new SimilarityIndex(4, { backend: 'exact' }).graph).toBeUndefined();
        expect(() => new SimilarityIndex(0)).toThrow(/positive number of dims/);
    });

    it.each(BACKENDS)('%s: nearest by cosine distance, with replace, remove, filters and zero vectors', backend => {
        const ix = new SimilarityIndex<{ n: number }>(3, { backend, capacity: 2 });
        ix.add('x', [1, 0, 0], { n: 1 });
        ix.add('y', [0, 1, 0], { n: 2 });
        ix.add('xy', [1, 1, 0], { n: 3 });
        ix.add('z0', [0, 0, 0], { n: 4 });
        ix.add('far', [-1, 0, 0], { n: 5 }); // past the initial capacity: the graph grows
        expect(ix.size).toBe(5);
        const r = ix.query([2, 0.1, 0], 3);
        expect(r.map(n => n.id)).toEqual(['x', 'xy', 'y']);
        // Vectors are stored (and queries taken) as float32; the arithmetic is double.
        expect(r[0]!.distance).toBeCloseTo(1 - 2 / Math.hypot(2, Math.fround(0.1)), 12);
        expect(r[0]!.meta).toEqual({ n: 1 });
        expect(ix.query([1, 0, 0], 10).map(n => [n.id, Number(n.distance.toFixed(6))])).toEqual([['x', 0], ['xy', 0.292893], ['y', 1], ['z0', 1], ['far', 2]]);
        expect(ix.query([1, 0, 0], 2, (_, m) => m.n % 2 === 0).map(n => n.id)).toEqual(['y', 'z0']);
        ix.add('x', [0, 0, 1], { n: 6 });
        expect(ix.query([1, 0, 0], 1)[0]!.id).toBe('xy');
        expect(ix.remove('xy')).toBe(true);
        expect(ix.remove('xy')).toBe(false);
        expect(ix.remove('never')).toBe(false);
        expect(ix.query([1, 0, 0], 1)[0]!.id).not.toBe('xy');
        expect(ix.size).toBe(4);
        expect(ix.has('xy')).toBe(false);
        expect(ix.get('xy')).toBeUndefined();
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
        expect(() => ix.query([1, 0], 1)).toThrow(/2 dims for an index of 3/);
        expect(ix.query([1, 0, 0], 0)).toEqual([]);
        expect(new SimilarityIndex(3, { backend }).query([1, 0, 0], 5)).toEqual([]);
    });

    it('HNSW finds the same neighbours as exact search on random data', () => {
        const dims = 32;
        const data = randomVectors(7, 600, dims);
        const queries = randomVectors(8, 30, dims);
        const hnsw = new SimilarityIndex<null>(dims, { backend: 'hnsw', capacity: 64 });
        const exact = new SimilarityIndex<null>(dims, { backend: 'exact' });
        data.forEach((v, i) => {
            hnsw.add(`p${i}`, v, null);
            exact.add(`p${i}`, v, null);
        });
        let agree = 0, total = 0;
        for (const v of queries) {
            const a = hnsw.query(v, 5), b = exact.query(v, 5);
            const want = new Set(b.map(n => n.id));
            agree += a.filter(n => want.has(n.id)).length;
            total += 5;
            // Distances are exact either way, and `exact()` is the same brute force on either backend.
            const all = new Map(exact.query(v, 600).map(n => [n.id, n.distance]));
            for (const n of a) expect(n.distance).toBeCloseTo(all.get(n.id)!, 12);
            expect(hnsw.exact(v, 5)).toEqual(b);
        }
        expect(agree / total).toBeGreaterThanOrEqual(0.95);
    });

    it.each(BACKENDS)('%s: a removed id added again keeps its label and is found again; the others are not disturbed', backend => {
        const dims = 8;
        const data = randomVectors(11, 40, dims);
        const ix = new SimilarityIndex<{ i: number }>(dims, { backend, capacity: 16 });
        data.forEach((v, i) => ix.add(`p${i}`, v, { i }));
        const before = answer(ix, data[3]!, 5);
        expect(before[0]).toEqual(['p3', 0]);

        expect(ix.remove('p3')).toBe(true);
        expect(ix.size).toBe(39);
        expect(ix.query(data[3]!, 40).map(n => n.id)).not.toContain('p3');
        expect(answer(ix, data[3]!, 4)).toEqual(before.slice(1));
        expect([...ix.entries()].map(([id]) => id)).not.toContain('p3');

        // Back with another vector: the label is reused (no new hole), and the new vector is what counts.
        ix.add('p3', data[20]!, { i: 3 });
        expect(ix.labelCount).toBe(40);
        expect(ix.size).toBe(40);
        expect(ix.query(data[20]!, 2).map(n => [n.id, n.distance])).toEqual([['p20', 0], ['p3', 0]]);
        expect(ix.query(data[3]!, 40).find(n => n.id === 'p3')!.distance).toBeGreaterThan(0);
        // Back with its own vector: the same answers as before the removal.
        ix.add('p3', data[3]!, { i: 3 });
        expect(answer(ix, data[3]!, 5)).toEqual(before);
        expect(ix.labelCount).toBe(40);
    });

    it.each(BACKENDS)('%s: setMeta replaces the meta and keeps the vector', backend => {
        const ix = new SimilarityIndex<{ tag: string }>(3, { backend });
        ix.add('a', [1, 0, 0], { tag: 'old' });
        ix.add('b', [0, 1, 0], { tag: 'b' });
        ix.setMeta('a', { tag: 'new' });
        expect(ix.get('a')!.meta).toEqual({ tag: 'new' });
        expect(ix.get('a')!.vector).toEqual(Float32Array.from([1, 0, 0]));
        expect(ix.query([1, 0, 0], 1)).toEqual([{ id: 'a', distance: 0, meta: { tag: 'new' } }]);
        expect(ix.query([1, 0, 0], 2, (_, m) => m.tag === 'old')).toEqual([]);
        expect(ix.size).toBe(2);
        expect(() => ix.setMeta('nope', { tag: 'x' })).toThrow(/no 'nope' in the index/);
        ix.remove('b');
        expect(() => ix.setMeta('b', { tag: 'x' })).toThrow(/no 'b' in the index/);
    });

    describe('exportState / importState', () => {
        /** An index with holes (removed ids) and a zero vector, as persistence sees them. */
        function populated(backend: 'hnsw' | 'exact'): { ix: SimilarityIndex<{ i: number }>; data: number[][] } {
            const dims = 16;
            const data = randomVectors(21, 120, dims);
            const ix = new SimilarityIndex<{ i: number }>(dims, { backend, capacity: 32 });
            data.forEach((v, i) => ix.add(`p${i}`, v, { i }));
            for (const i of [5, 17, 60, 119]) ix.remove(`p${i}`);
            ix.add('zero', new Array<number>(dims).fill(0), { i: -1 });
            return { ix, data };
        }

        it('exports items by label, null for removed ones', () => {
            const { ix } = populated('exact');
            const state = ix.exportState();
            expect(state.dims).toBe(16);
            expect(state.items).toHaveLength(121);
            expect(state.items.filter(it => it === null)).toHaveLength(4);
            expect(state.items[5]).toBeNull();
            expect(state.items[6]).toMatchObject({ id: 'p6', meta: { i: 6 } });
            expect(state.items[120]).toMatchObject({ id: 'zero', meta: { i: -1 } });
            expect(state.items[6]!.vector).toBeInstanceOf(Float32Array);
        });

        it.each(BACKENDS)('%s: a round trip without a graph file gives the same answers', backend => {
            const { ix, data } = populated(backend);
            const copy = BareIndex.importState(ix.exportState(), withHnsw({ backend }));
            expect(copy.backend).toBe(backend);
            expect(copy.size).toBe(ix.size);
            expect(copy.labelCount).toBe(ix.labelCount);
            expect([...copy.entries()]).toEqual([...ix.entries()]);
            expect(copy.has('p5')).toBe(false);
            // Rebuilt from the vectors: only the 116 live non-zero points are in the graph.
            if (backend === 'hnsw') expect(copy.graph!.getCurrentCount()).toBe(116);
            for (const v of data.slice(0, 25)) expect(answer(copy, v, 6)).toEqual(answer(ix, v, 6));
            // The zero vector is still there, at distance 1 from everything.
            expect(copy.query(data[0]!, 200).find(n => n.id === 'zero')!.distance).toBe(1);
            // The copy is a working index: removed ids come back, new ones get fresh labels.
            copy.add('p5', data[5]!, { i: 5 });
            copy.add('new', data[7]!, { i: 999 });
            expect(copy.labelCount).toBe(ix.labelCount + 2);
            expect(copy.query(data[5]!, 1)[0]).toMatchObject({ id: 'p5', distance: 0 });
            expect(copy.query(data[7]!, 2).map(n => n.id).sort()).toEqual(['new', 'p7']);
        });

        it('hnsw: a round trip through the graph file reads the graph instead of rebuilding it, with the same answers', () => {
            const { ix, data } = populated('hnsw');
            const file = join(tempDir('af-graph-'), 'graph.hnsw');
            ix.graph!.writeIndexSync(file);
            const copy = BareIndex.importState(ix.exportState(), withHnsw({ backend: 'hnsw' }), file);
            expect(copy.size).toBe(ix.size);
            // Read, not rebuilt: the removed points' (deleted) nodes came along.
            expect(copy.graph!.getCurrentCount()).toBe(120);
            expect(ix.graph!.getCurrentCount()).toBe(120);
            for (const v of data.slice(0, 25)) expect(answer(copy, v, 6)).toEqual(answer(ix, v, 6));
            // Removed ids stay out even though the graph file still has their (deleted) nodes.
            expect(copy.query(data[17]!, 120).map(n => n.id)).not.toContain('p17');
            // And it keeps working: re-add a removed id, grow past the graph's capacity, remove again.
            copy.add('p17', data[17]!, { i: 17 });
            expect(copy.query(data[17]!, 1)[0]).toMatchObject({ id: 'p17', distance: 0 });
            const more = randomVectors(22, 300, 16);
            more.forEach((v, i) => copy.add(`m${i}`, v, { i: 1000 + i }));
            expect(copy.query(more[299]!, 1)[0]).toMatchObject({ id: 'm299', distance: 0 });
            expect(copy.remove('p6')).toBe(true);
            expect(copy.query(data[6]!, 1)[0]!.id).not.toBe('p6');
        });

        it('hnsw: a graph file that is not of these items is refused', () => {
            const { ix } = populated('hnsw');
            const small = new SimilarityIndex<{ i: number }>(16, { backend: 'hnsw' });
            randomVectors(23, 10, 16).forEach((v, i) => small.add(`s${i}`, v, { i }));
            const file = join(tempDir('af-graph-'), 'small.hnsw');
            small.graph!.writeIndexSync(file);
            expect(() => BareIndex.importState(ix.exportState(), withHnsw({ backend: 'hnsw' }), file)).toThrow(/the graph has no node for item/);
            const bigFile = join(tempDir('af-graph-'), 'big.hnsw');
            ix.graph!.writeIndexSync(bigFile);
            expect(() => BareIndex.importState(small.exportState(), withHnsw({ backend: 'hnsw' }), bigFile)).toThrow(/the graph has \d+ nodes for 10 items/);
        });

        it('an exact index ignores a graph file; bad states are refused', () => {
            const { ix, data } = populated('hnsw');
            const file = join(tempDir('af-graph-'), 'graph.hnsw');
            ix.graph!.writeIndexSync(file);
            const exact = SimilarityIndex.importState(ix.exportState(), { backend: 'exact' }, file);
            expect(exact.backend).toBe('exact');
            expect(answer(exact, data[0]!, 5)).toEqual(answer(ix, data[0]!, 5));

            const v = Float32Array.from([1, 0]);
            expect(() => SimilarityIndex.importState({ dims: 2, items: [{ id: 'a', vector: v, meta: null }, { id: 'a', vector: v, meta: null }] })).toThrow(/'a' appears twice/);
            expect(() => SimilarityIndex.importState({ dims: 3, items: [{ id: 'a', vector: v, meta: null }] })).toThrow(/item 0 has 2 dims, not 3/);
            expect(() => SimilarityIndex.importState({ dims: 2, items: [{ id: 'a', vector: Float32Array.from([Infinity, 0]), meta: null }] })).toThrow(/non-finite/);
        });
    });
});
