/**
 * "What have we already tried that looks like this?" — nearest neighbours over strategy
 * embeddings (language/src/ir/embedding.ts: hashed Weisfeiler-Lehman features of the structural
 * DAG, L2-normalised, so cosine similarity is the measure).
 *
 * - `SimilarityIndex`: a generic vector index (id, vector, meta) → k nearest by cosine distance.
 *   Backed by hnswlib-node (HNSW, a native addon) when it loads, else by exact search in
 *   TypeScript; either way the returned distances are recomputed exactly (1 − cosine), so both
 *   backends agree on the numbers, and HNSW only chooses the candidates.
 * - `StrategySimilarity`: one index per team, one point per distinct structural fingerprint
 *   (every run of the same strategy shape, whatever its parameter values or names, shares one
 *   embedding), built from the `runs` table at startup — each run's source compiled (parse →
 *   IR → structural DAG → embedding), embeddings cached in `strategy_embeddings` by structural
 *   fingerprint — and extended by `refresh()`. `find` ranks runs with the same exact fingerprint
 *   first, then the same structural fingerprint, then by distance.
 */
import { createRequire } from 'node:module';
import { listValue } from '@duckdb/node-api';
import { EmptyFileSystem } from 'langium';
import {
    canonicalDag, compileStrategy, createAlphaForgeServices, EMBEDDING_VERSION, embedDag, fingerprintDag, isStrategy, loadString,
    type AlphaForgeServices, type Model,
} from '../../../language/src/index.js';
import { type DataStore } from '../data/store.js';
import { ExperimentError } from './errors.js';

// ------------------------------------------------------------------------------ vector index

export type SimilarityBackend = 'hnsw' | 'exact';

export interface SimilarityIndexOptions {
    /** 'auto' (default): HNSW if hnswlib-node loads, else exact. 'hnsw' throws if it does not. */
    readonly backend?: 'auto' | SimilarityBackend;
    /** Initial capacity of the HNSW graph (it grows by doubling). */
    readonly capacity?: number;
    /** HNSW: links per node (M, default 16), construction and search breadth (ef, default 200 / 64). */
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

interface HnswIndex {
    initIndex(maxElements: number, m?: number, efConstruction?: number, randomSeed?: number): void;
    resizeIndex(newMaxElements: number): void;
    addPoint(point: number[], label: number): void;
    markDelete(label: number): void;
    searchKnn(query: number[], k: number, filter?: (label: number) => boolean): { distances: number[]; neighbors: number[] };
    getMaxElements(): number;
    setEf(ef: number): void;
}
type HnswModule = { HierarchicalNSW: new (space: 'cosine' | 'l2' | 'ip', dims: number) => HnswIndex };

let hnswModule: HnswModule | null | undefined;
let hnswError: string | undefined;

/** hnswlib-node, or null when the native addon cannot be loaded (then indexes search exactly). */
function loadHnsw(): HnswModule | null {
    if (hnswModule === undefined) {
        try {
            hnswModule = createRequire(import.meta.url)('hnswlib-node') as HnswModule;
        } catch (e) {
            hnswModule = null;
            hnswError = e instanceof Error ? e.message.split('\n')[0] : String(e);
        }
    }
    return hnswModule;
}

/** Which backend 'auto' picks here, and why not HNSW if it is not. */
export function similarityBackend(): { backend: SimilarityBackend; reason?: string } {
    return loadHnsw() ? { backend: 'hnsw' } : { backend: 'exact', reason: `hnswlib-node did not load: ${hnswError}` };
}

interface Item<M> {
    readonly id: string;
    readonly vector: readonly number[];
    /** Squared L2 norm. */
    readonly norm2: number;
    readonly meta: M;
}

export class SimilarityIndex<M = unknown> {
    readonly backend: SimilarityBackend;
    private readonly hnsw: HnswIndex | undefined;
    private readonly efSearch: number;
    private readonly labels = new Map<string, number>();
    /** By label; undefined once removed. */
    private readonly items: (Item<M> | undefined)[] = [];
    /** Labels in the HNSW graph (zero vectors are not). */
    private readonly linked = new Set<number>();
    private live = 0;

    constructor(readonly dims: number, options: SimilarityIndexOptions = {}) {
        if (!Number.isInteger(dims) || dims < 1) throw new Error(`SimilarityIndex needs a positive number of dims, not ${dims}`);
        const want = options.backend ?? 'auto';
        const lib = want === 'exact' ? null : loadHnsw();
        if (want === 'hnsw' && !lib) throw new Error(`the HNSW backend is not available: ${similarityBackend().reason}`);
        this.efSearch = options.efSearch ?? 64;
        if (lib) {
            this.hnsw = new lib.HierarchicalNSW('cosine', dims);
            this.hnsw.initIndex(Math.max(16, options.capacity ?? 1024), options.m ?? 16, options.efConstruction ?? 200, 100);
            this.backend = 'hnsw';
        } else {
            this.backend = 'exact';
        }
    }

    get size(): number {
        return this.live;
    }

    has(id: string): boolean {
        const l = this.labels.get(id);
        return l !== undefined && this.items[l] !== undefined;
    }

    get(id: string): { vector: readonly number[]; meta: M } | undefined {
        const l = this.labels.get(id);
        return l === undefined ? undefined : this.items[l];
    }

    /** Adds a vector, or replaces the vector and meta of an id already there. */
    add(id: string, vector: readonly number[], meta: M): void {
        if (vector.length !== this.dims) throw new Error(`vector of ${vector.length} dims for an index of ${this.dims}`);
        let norm2 = 0;
        for (const x of vector) {
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
        this.items[label] = { id, vector: [...vector], norm2, meta };
        if (this.hnsw) {
            // A zero vector has no direction: it stays out of the graph and is only ever at distance 1.
            if (norm2 === 0) {
                this.unlink(label);
                return;
            }
            if (label >= this.hnsw.getMaxElements()) this.hnsw.resizeIndex(Math.max(label + 1, this.hnsw.getMaxElements() * 2));
            this.hnsw.addPoint([...vector], label);
            this.linked.add(label);
        }
    }

    private unlink(label: number): void {
        if (this.hnsw && this.linked.delete(label)) this.hnsw.markDelete(label);
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
    query(vector: readonly number[], k: number, filter?: (id: string, meta: M) => boolean): Neighbour<M>[] {
        if (vector.length !== this.dims) throw new Error(`query vector of ${vector.length} dims for an index of ${this.dims}`);
        if (!(k >= 1) || this.live === 0) return [];
        let qn = 0;
        for (const x of vector) qn += x * x;
        const accept = (it: Item<M> | undefined): it is Item<M> => it !== undefined && (!filter || filter(it.id, it.meta));
        let candidates: Item<M>[];
        if (this.hnsw && qn > 0 && this.linked.size > 0) {
            const want = Math.min(k, this.linked.size);
            this.hnsw.setEf(Math.max(this.efSearch, want));
            const r = this.hnsw.searchKnn([...vector], want, filter ? (l: number) => accept(this.items[l]) : undefined);
            candidates = r.neighbors.map(l => this.items[l]).filter(accept);
            // Zero vectors are not in the graph; they tie at distance 1.
            if (candidates.length < k) for (const l of this.items.keys()) if (!this.linked.has(l) && accept(this.items[l])) candidates.push(this.items[l]!);
        } else {
            candidates = this.items.filter(accept);
        }
        return candidates
            .map(it => ({ id: it.id, distance: cosineDistance(vector, qn, it.vector, it.norm2), meta: it.meta }))
            .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
            .slice(0, k);
    }
}

/** 1 − cosine from squared norms: sqrt(n²·n²) is exactly n² in floating point, so a vector is at distance exactly 0 from itself. */
function cosineDistance(a: readonly number[], na2: number, b: readonly number[], nb2: number): number {
    if (na2 === 0 || nb2 === 0) return 1;
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
    return Math.min(2, Math.max(0, 1 - dot / Math.sqrt(na2 * nb2)));
}

// ---------------------------------------------------------------------- strategy embeddings

export const EMBEDDING_DIMS = 256;
/** The cache key's version: the embedding algorithm's version and its dimensions. */
export const EMBEDDING_CACHE_VERSION = `v${EMBEDDING_VERSION}/${EMBEDDING_DIMS}`;

export interface StrategyEmbedding {
    /** The strategy's name in the source. */
    readonly strategy: string;
    readonly fingerprints: { readonly exact: string; readonly structural: string };
    readonly vector: number[];
}

let services: AlphaForgeServices | undefined;
let compiling: Promise<unknown> = Promise.resolve();
const QUERY_URI = 'memory:///experiments/similarity.af';

/**
 * Compiles one strategy's source (no imports: it must stand alone) and returns its fingerprints
 * and embedding. `strategy` picks one strategy of a file with several (default: the first).
 * Throws ExperimentError (400) listing the first compile errors. Calls are serialised: they share
 * one language workspace.
 */
export async function embedSource(source: string, strategy?: string): Promise<StrategyEmbedding> {
    if (typeof source !== 'string' || source.trim() === '') throw new ExperimentError(400, 'no strategy source to compare');
    const run = compiling.then(() => embedNow(source, strategy));
    compiling = run.catch(() => undefined);
    return run;
}

async function embedNow(source: string, name?: string): Promise<StrategyEmbedding> {
    services ??= createAlphaForgeServices(EmptyFileSystem).AlphaForge;
    const { document } = await loadString(services, source, QUERY_URI);
    const strategies = (document.parseResult.value as Model).elements.filter(isStrategy);
    const s = name === undefined || name === null ? strategies[0] : strategies.find(x => x.name === name);
    if (!s) {
        throw new ExperimentError(400, name ? `the source has no strategy named ${name}${strategies.length ? ` (it has ${strategies.map(x => x.name).join(', ')})` : ''}` : 'the source holds no strategy');
    }
    const r = compileStrategy(services, s);
    if (!r.ir) {
        const shown = r.errors.slice(0, 3).map(e => `${e.line}:${e.column} ${e.code} ${e.message}`).join('; ');
        throw new ExperimentError(400, `strategy ${s.name} does not compile (${r.errors.length} error${r.errors.length === 1 ? '' : 's'}): ${shown}`);
    }
    const structural = canonicalDag(r.ir, 'structural');
    return {
        strategy: s.name,
        fingerprints: { exact: fingerprintDag(canonicalDag(r.ir, 'exact')), structural: fingerprintDag(structural) },
        vector: embedDag(structural, { dims: EMBEDDING_DIMS }),
    };
}

// ------------------------------------------------------------------------ strategy similarity

/** What one index point stands for: the runs of one team with one structural fingerprint. */
export interface StrategyGroup {
    readonly team: string;
    readonly structural: string;
    /** The strategy name of the latest run. */
    strategy: string | null;
    /** The exact fingerprints seen (parameter variants of the same structure). */
    readonly exact: Set<string>;
    /** Run ids, oldest first. */
    readonly runIds: string[];
}

export type MatchKind = 'exact' | 'structural' | 'similar';

export interface SimilarStrategy {
    readonly team: string;
    readonly strategy: string | null;
    readonly fingerprints: { readonly structural: string; readonly exact: string[] };
    /** 'exact': a run with the same exact fingerprint (same strategy, same values); 'structural': same shape. */
    readonly match: MatchKind;
    /** Cosine similarity of the embeddings (1 − distance). */
    readonly similarity: number;
    readonly distance: number;
    /** The runs of this strategy, newest first (at most 20), and how many there are. */
    readonly runIds: string[];
    readonly runs: number;
}

export interface SimilarityQuery {
    /** A strategy's source (compiled here). */
    readonly source?: string;
    /** Which strategy of `source` (default: the first). */
    readonly strategy?: string;
    /** A run whose strategy to look up. */
    readonly runId?: string;
    /** An embedding computed elsewhere (no fingerprints: every match is 'similar'). */
    readonly vector?: readonly number[];
}

export interface SimilarityStats {
    /** Runs indexed (with a source that compiled). */
    readonly runs: number;
    /** Points: distinct (team, structural fingerprint). */
    readonly strategies: number;
    /** Embeddings compiled from source / read from the cache table. */
    readonly compiled: number;
    readonly cached: number;
    /** Runs left out: their source does not compile (the first 100). */
    readonly skipped: { readonly runId: string; readonly reason: string }[];
}

interface RunRow {
    id: string;
    team: string;
    strategy: string | null;
    source: string | null;
    exact: string | null;
    structural: string | null;
}

const SHOWN_RUNS = 20;

export class StrategySimilarity {
    private readonly teams = new Map<string, SimilarityIndex<StrategyGroup>>();
    private readonly vectors = new Map<string, number[]>();
    private readonly seen = new Set<string>();
    private readonly counts = { runs: 0, compiled: 0, cached: 0 };
    private readonly skipped: { runId: string; reason: string }[] = [];
    private refreshing: Promise<number> = Promise.resolve(0);

    private constructor(private readonly store: DataStore, private readonly options: SimilarityIndexOptions) {}

    /** Builds the index from every run with a source. */
    static async build(store: DataStore, options: SimilarityIndexOptions = {}): Promise<StrategySimilarity> {
        const s = new StrategySimilarity(store, options);
        await s.refresh();
        return s;
    }

    get backend(): SimilarityBackend {
        return this.options.backend === 'exact' ? 'exact' : similarityBackend().backend;
    }

    get stats(): SimilarityStats {
        let strategies = 0;
        for (const ix of this.teams.values()) strategies += ix.size;
        return { ...this.counts, strategies, skipped: [...this.skipped] };
    }

    /** Indexes the runs not seen yet (new since the last build or refresh); returns how many were looked at. */
    refresh(): Promise<number> {
        const next = this.refreshing.then(() => this.refreshNow());
        this.refreshing = next.catch(() => 0);
        return next;
    }

    private async refreshNow(): Promise<number> {
        const ids = (await this.store.rows(`SELECT id FROM runs WHERE source IS NOT NULL ORDER BY created_at, id`)).map(r => String(r.id)).filter(id => !this.seen.has(id));
        for (let i = 0; i < ids.length; i += 200) {
            const rows = await this.store.rows(`SELECT id, team, strategy, source, fingerprint_exact AS exact, fingerprint_structural AS structural
                FROM runs WHERE id IN (SELECT unnest($1::VARCHAR[])) ORDER BY created_at, id`, [listValue(ids.slice(i, i + 200))]);
            for (const r of rows) await this.index(r as unknown as RunRow);
        }
        return ids.length;
    }

    private async index(run: RunRow): Promise<void> {
        this.seen.add(run.id);
        let structural = run.structural;
        let exact = run.exact;
        let strategy = run.strategy;
        let vector = structural ? await this.vectorOf(structural) : undefined;
        if (!vector) {
            try {
                const e = await embedSource(run.source ?? '', run.strategy ?? undefined);
                structural = e.fingerprints.structural;
                exact = e.fingerprints.exact;
                strategy ??= e.strategy;
                vector = e.vector;
                this.counts.compiled++;
                await this.remember(structural, vector);
                // The stored fingerprint (from the engine at run time) names the same embedding.
                if (run.structural && run.structural !== structural) await this.remember(run.structural, vector);
                structural = run.structural ?? structural;
                exact = run.exact ?? exact;
            } catch (e) {
                if (!(e instanceof ExperimentError)) throw e;
                if (this.skipped.length < 100) this.skipped.push({ runId: run.id, reason: e.message });
                return;
            }
        }
        let index = this.teams.get(run.team);
        if (!index) {
            index = new SimilarityIndex<StrategyGroup>(EMBEDDING_DIMS, this.options);
            this.teams.set(run.team, index);
        }
        const group = index.get(structural!)?.meta ?? { team: run.team, structural: structural!, strategy: null, exact: new Set<string>(), runIds: [] };
        if (strategy) group.strategy = strategy;
        if (exact) group.exact.add(exact);
        group.runIds.push(run.id);
        if (!index.has(structural!)) index.add(structural!, vector, group);
        this.counts.runs++;
    }

    /** The embedding of a structural fingerprint from memory or the cache table. */
    private async vectorOf(structural: string): Promise<number[] | undefined> {
        const known = this.vectors.get(structural);
        if (known) return known;
        const v = await this.store.scalar(`SELECT vector FROM strategy_embeddings WHERE fingerprint_structural = $1 AND version = $2`, [structural, EMBEDDING_CACHE_VERSION]);
        if (!Array.isArray(v) || v.length !== EMBEDDING_DIMS) return undefined;
        const vector = v.map(Number);
        this.vectors.set(structural, vector);
        this.counts.cached++;
        return vector;
    }

    private async remember(structural: string, vector: number[]): Promise<void> {
        this.vectors.set(structural, vector);
        // As text: a bound JS list takes its element type from its first value (0 would make it INTEGER[]).
        await this.store.run(`INSERT INTO strategy_embeddings VALUES ($1, $2, CAST($3 AS DOUBLE[])) ON CONFLICT DO NOTHING`, [structural, EMBEDDING_CACHE_VERSION, JSON.stringify(vector)]);
    }

    /**
     * The k strategies most like the query, among `team`'s runs (or every team's without one).
     * Same exact fingerprint first, then same structural fingerprint, then nearest embedding.
     */
    async find(query: SimilarityQuery, options: { k?: number; team?: string } = {}): Promise<SimilarStrategy[]> {
        const k = options.k ?? 10;
        if (!Number.isInteger(k) || k < 1 || k > 1000) throw new ExperimentError(400, `k must be a whole number from 1 to 1000, not ${String(k)}`);
        const q = await this.resolve(query, options.team);
        const indexes = options.team === undefined ? [...this.teams.values()] : [this.teams.get(options.team)].filter(x => x !== undefined);
        const found = new Map<SimilarityIndex<StrategyGroup>, Map<string, number>>();
        for (const ix of indexes) {
            const hits = new Map<string, number>();
            for (const n of ix.query(q.vector, k)) hits.set(n.id, n.distance);
            // A structural match is always a candidate, even where HNSW would miss it among ties.
            if (q.structural && !hits.has(q.structural) && ix.has(q.structural)) hits.set(q.structural, ix.query(q.vector, 1, id => id === q.structural)[0]?.distance ?? 0);
            found.set(ix, hits);
        }
        const rank: Record<MatchKind, number> = { exact: 0, structural: 1, similar: 2 };
        const out: SimilarStrategy[] = [];
        for (const [ix, hits] of found) {
            for (const [id, distance] of hits) {
                const g = ix.get(id)!.meta;
                const match: MatchKind = q.exact && g.exact.has(q.exact) ? 'exact' : q.structural === g.structural ? 'structural' : 'similar';
                out.push({
                    team: g.team, strategy: g.strategy, fingerprints: { structural: g.structural, exact: [...g.exact].sort() }, match,
                    similarity: 1 - distance, distance, runIds: g.runIds.slice(-SHOWN_RUNS).reverse(), runs: g.runIds.length,
                });
            }
        }
        return out
            .sort((a, b) => rank[a.match] - rank[b.match] || a.distance - b.distance || a.team.localeCompare(b.team) || a.fingerprints.structural.localeCompare(b.fingerprints.structural))
            .slice(0, k);
    }

    private async resolve(query: SimilarityQuery, team: string | undefined): Promise<{ vector: readonly number[]; exact?: string; structural?: string }> {
        const given = [query.source !== undefined, query.runId !== undefined, query.vector !== undefined].filter(Boolean).length;
        if (given !== 1) throw new ExperimentError(400, 'give exactly one of source, runId or vector to compare with');
        if (query.vector !== undefined) {
            if (!Array.isArray(query.vector) || query.vector.length !== EMBEDDING_DIMS || !query.vector.every(x => typeof x === 'number' && Number.isFinite(x))) {
                throw new ExperimentError(400, `the vector must be ${EMBEDDING_DIMS} finite numbers`);
            }
            return { vector: query.vector };
        }
        if (query.source !== undefined) {
            const e = await embedSource(query.source, query.strategy);
            return { vector: e.vector, exact: e.fingerprints.exact, structural: e.fingerprints.structural };
        }
        const rows = await this.store.rows(`SELECT id, team, strategy, source, fingerprint_exact AS exact, fingerprint_structural AS structural
            FROM runs WHERE id = $1 AND ($2::VARCHAR IS NULL OR team = $2)`, [query.runId!, team ?? null]);
        const run = rows[0] as unknown as RunRow | undefined;
        if (!run) throw new ExperimentError(404, `no run '${query.runId}'${team !== undefined ? ` in team ${team}` : ''}`);
        const cached = run.structural ? await this.vectorOf(run.structural) : undefined;
        if (cached) return { vector: cached, exact: run.exact ?? undefined, structural: run.structural ?? undefined };
        if (!run.source) throw new ExperimentError(400, `run '${run.id}' has no strategy source to compare`);
        const e = await embedSource(run.source, run.strategy ?? undefined);
        return { vector: e.vector, exact: run.exact ?? e.fingerprints.exact, structural: run.structural ?? e.fingerprints.structural };
    }
}
