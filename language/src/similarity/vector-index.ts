/**
 * A vector index: (id, vector, meta) → the k nearest by cosine distance. Exact search in
 * TypeScript, or an HNSW graph when the caller hands one in (`options.hnsw`: the runtime passes
 * hnswlib-node, a native addon; the language server searches exactly — the VS Code extension host
 * cannot load a Node-ABI addon, and a workspace is small). Either way the returned distances are
 * recomputed from the stored float32 vectors, so both backends agree on the numbers and HNSW only
 * chooses the candidates.
 *
 * Ids map to integer labels that are never reused; a removed id leaves a hole (its label is
 * marked deleted in the graph). `exportState`/`importState` are the persistence hooks
 * (runtime/src/similarity/persistent-index.ts writes them to disk).
 */

export type SimilarityBackend = 'hnsw' | 'exact';

/** An HNSW graph, as hnswlib-node's HierarchicalNSW offers it. */
export interface HnswGraph {
    initIndex(maxElements: number, m?: number, efConstruction?: number, randomSeed?: number): void;
    readIndexSync(filename: string, allowReplaceDeleted?: boolean): void;
    writeIndexSync(filename: string): void;
    resizeIndex(newMaxElements: number): void;
    /** hnswlib-node 3 checks `IsArray()`: a typed array is rejected ("must be an Array"). */
    addPoint(point: number[], label: number): void;
    markDelete(label: number): void;
    searchKnn(query: number[], k: number, filter?: (label: number) => boolean): { distances: number[]; neighbors: number[] };
    getMaxElements(): number;
    getCurrentCount(): number;
    getIdsList(): number[];
    setEf(ef: number): void;
}

/** Where HNSW graphs come from (the runtime's is hnswlib-node: runtime/src/similarity/hnsw.ts). */
export interface HnswLibrary {
    create(dims: number): HnswGraph;
}

export interface SimilarityIndexOptions {
    /** 'auto' (default): HNSW when `hnsw` is given, else exact. 'hnsw' throws without one. */
    readonly backend?: 'auto' | SimilarityBackend;
    /** The HNSW implementation; without it the index searches exactly. */
    readonly hnsw?: HnswLibrary;
    /** Initial capacity of the HNSW graph (it grows by doubling). */
    readonly capacity?: number;
    /** HNSW: links per node (M, default 16), construction and search breadth (ef, default 200 / 96). */
    readonly m?: number;
    readonly efConstruction?: number;
    readonly efSearch?: number;
}

export interface Neighbour<M> {
    readonly id: string;
    /** Cosine distance, 1 − cosine similarity: 0 for the same direction, 1 for orthogonal, up to 2. */
    readonly distance: number;
    readonly meta: M;
}

interface Item<M> {
    readonly id: string;
    readonly vector: Float32Array;
    /** Squared L2 norm (of the float32 values). */
    readonly norm2: number;
    readonly meta: M;
}

/** What persistence needs: items by label (null = removed) and the graph, if there is one. */
export interface IndexState<M> {
    readonly dims: number;
    readonly items: readonly ({ readonly id: string; readonly vector: Float32Array; readonly meta: M } | null)[];
}

export class SimilarityIndex<M = unknown> {
    readonly backend: SimilarityBackend;
    /** The HNSW graph (undefined for the exact backend). */
    readonly graph: HnswGraph | undefined;
    private readonly efSearch: number;
    private readonly labels = new Map<string, number>();
    /** By label; undefined once removed. */
    private readonly items: (Item<M> | undefined)[] = [];
    /** Labels in the HNSW graph (zero vectors are not). */
    private readonly linked = new Set<number>();
    private live = 0;

    constructor(readonly dims: number, readonly options: SimilarityIndexOptions = {}) {
        if (!Number.isInteger(dims) || dims < 1) throw new Error(`SimilarityIndex needs a positive number of dims, not ${dims}`);
        const want = options.backend ?? 'auto';
        const lib = want === 'exact' ? undefined : options.hnsw;
        if (want === 'hnsw' && !lib) throw new Error('the HNSW backend is not available: no HNSW library was given');
        this.efSearch = options.efSearch ?? 96;
        if (lib) {
            this.graph = lib.create(dims);
            this.graph.initIndex(Math.max(16, options.capacity ?? 1024), options.m ?? 16, options.efConstruction ?? 200, 100);
            this.backend = 'hnsw';
        } else {
            this.backend = 'exact';
        }
    }

    get size(): number {
        return this.live;
    }

    /** Labels handed out so far (live and removed). */
    get labelCount(): number {
        return this.items.length;
    }

    has(id: string): boolean {
        const l = this.labels.get(id);
        return l !== undefined && this.items[l] !== undefined;
    }

    get(id: string): { vector: Float32Array; meta: M } | undefined {
        const l = this.labels.get(id);
        return l === undefined ? undefined : this.items[l];
    }

    /** Live ids with their meta, in label order. */
    *entries(): IterableIterator<[string, M]> {
        for (const it of this.items) if (it) yield [it.id, it.meta];
    }

    /** Adds a vector, or replaces the vector and meta of an id already there. */
    add(id: string, vector: ArrayLike<number>, meta: M): void {
        if (vector.length !== this.dims) throw new Error(`vector of ${vector.length} dims for an index of ${this.dims}`);
        const v = Float32Array.from(vector);
        let norm2 = 0;
        for (const x of v) {
            if (!Number.isFinite(x)) throw new Error(`vector for '${id}' has a non-finite component`);
            norm2 += x * x;
        }
        let label = this.labels.get(id);
        if (label === undefined) {
            label = this.items.length;
            this.labels.set(id, label);
            this.items.push(undefined);
        }
        if (this.items[label] === undefined) this.live++;
        this.items[label] = { id, vector: v, norm2, meta };
        this.link(label, v, norm2);
    }

    /** Replaces the meta of an id already there (the vector stays). */
    setMeta(id: string, meta: M): void {
        const l = this.labels.get(id);
        const it = l === undefined ? undefined : this.items[l];
        if (!it) throw new Error(`no '${id}' in the index`);
        this.items[l!] = { ...it, meta };
    }

    private link(label: number, v: Float32Array, norm2: number): void {
        if (!this.graph) return;
        // A zero vector has no direction: it stays out of the graph and is only ever at distance 1.
        if (norm2 === 0) {
            this.unlink(label);
            return;
        }
        if (label >= this.graph.getMaxElements()) this.graph.resizeIndex(Math.max(label + 1, this.graph.getMaxElements() * 2));
        this.graph.addPoint(Array.from(v), label);
        this.linked.add(label);
    }

    private unlink(label: number): void {
        if (this.graph && this.linked.delete(label)) this.graph.markDelete(label);
    }

    remove(id: string): boolean {
        const label = this.labels.get(id);
        if (label === undefined || this.items[label] === undefined) return false;
        this.items[label] = undefined;
        this.live--;
        this.unlink(label);
        return true;
    }

    /** The k nearest items (smallest cosine distance first; ties by id), optionally only those `filter` accepts. */
    query(vector: ArrayLike<number>, k: number, filter?: (id: string, meta: M) => boolean): Neighbour<M>[] {
        if (vector.length !== this.dims) throw new Error(`query vector of ${vector.length} dims for an index of ${this.dims}`);
        if (!(k >= 1) || this.live === 0) return [];
        const q = Float32Array.from(vector);
        let qn = 0;
        for (const x of q) qn += x * x;
        const accept = (it: Item<M> | undefined): it is Item<M> => it !== undefined && (!filter || filter(it.id, it.meta));
        let candidates: Item<M>[];
        if (this.graph && qn > 0 && this.linked.size > 0) {
            const want = Math.min(k, this.linked.size);
            this.graph.setEf(Math.max(this.efSearch, want));
            const r = this.graph.searchKnn(Array.from(q), want, filter ? (l: number) => accept(this.items[l]) : undefined);
            candidates = r.neighbors.map(l => this.items[l]).filter(accept);
            // Zero vectors are not in the graph; they tie at distance 1.
            if (candidates.length < k) for (const l of this.items.keys()) if (!this.linked.has(l) && accept(this.items[l])) candidates.push(this.items[l]!);
        } else {
            candidates = this.items.filter(accept);
        }
        return candidates
            .map(it => ({ id: it.id, distance: cosineDistance(q, qn, it.vector, it.norm2), meta: it.meta }))
            .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .slice(0, k);
    }

    /** Exact k nearest by brute force over every item, whatever the backend (the benchmark's ground truth). */
    exact(vector: ArrayLike<number>, k: number): Neighbour<M>[] {
        const q = Float32Array.from(vector);
        let qn = 0;
        for (const x of q) qn += x * x;
        const out: Neighbour<M>[] = [];
        for (const it of this.items) if (it) out.push({ id: it.id, distance: cosineDistance(q, qn, it.vector, it.norm2), meta: it.meta });
        return out.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, k);
    }

    exportState(): IndexState<M> {
        return { dims: this.dims, items: this.items.map(it => (it ? { id: it.id, vector: it.vector, meta: it.meta } : null)) };
    }

    /**
     * An index from saved items. With `graphFile` (written by `graph.writeIndexSync` for exactly
     * these items) the HNSW graph is read instead of rebuilt; it is checked against the items and
     * a mismatch throws. Without one, the graph is rebuilt from the vectors.
     */
    static importState<M>(state: IndexState<M>, options: SimilarityIndexOptions = {}, graphFile?: string): SimilarityIndex<M> {
        const ix = new SimilarityIndex<M>(state.dims, { ...options, capacity: Math.max(options.capacity ?? 0, state.items.length) });
        const useGraph = graphFile !== undefined && ix.graph !== undefined;
        if (useGraph) ix.graph!.readIndexSync(graphFile, false);
        state.items.forEach((it, label) => {
            ix.items.push(undefined);
            if (!it) return;
            if (it.vector.length !== state.dims) throw new Error(`item ${label} has ${it.vector.length} dims, not ${state.dims}`);
            let norm2 = 0;
            for (const x of it.vector) norm2 += x * x;
            if (!Number.isFinite(norm2)) throw new Error(`item ${label} has a non-finite vector`);
            if (ix.labels.has(it.id)) throw new Error(`id '${it.id}' appears twice`);
            ix.labels.set(it.id, label);
            ix.items[label] = { id: it.id, vector: it.vector, norm2, meta: it.meta };
            ix.live++;
            if (useGraph) {
                if (norm2 > 0) ix.linked.add(label);
            } else {
                ix.link(label, it.vector, norm2);
            }
        });
        if (useGraph) {
            const inGraph = new Set(ix.graph!.getIdsList());
            for (const l of ix.linked) if (!inGraph.has(l)) throw new Error(`the graph has no node for item ${l}`);
            if (ix.graph!.getCurrentCount() > state.items.length) throw new Error(`the graph has ${ix.graph!.getCurrentCount()} nodes for ${state.items.length} items`);
        }
        return ix;
    }
}

/** 1 − cosine from squared norms: a vector is at distance exactly 0 from itself. */
function cosineDistance(a: Float32Array, na2: number, b: Float32Array, nb2: number): number {
    if (na2 === 0 || nb2 === 0) return 1;
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
    return Math.min(2, Math.max(0, 1 - dot / Math.sqrt(na2 * nb2)));
}
