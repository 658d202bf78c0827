/**
 * The experiment-store scope (the daemon's): one point per (team, structural fingerprint) of the
 * completed runs, so every run of one strategy shape — whatever its parameter values, names or
 * layout — is one neighbour that carries its run count and best run. Persisted under
 * <state dir>/similarity/store/ and updated incrementally: `record` adds a structure when its
 * first run completes; on start `reconcile` adds what a crash lost and drops what no longer
 * exists. Only an index that is missing, corrupt or from another embedding version is rebuilt
 * (in the background, with progress logged); while that runs, queries are refused with the
 * progress rather than answered from a partial index.
 */
import { listValue } from '@duckdb/node-api';
import { z } from 'zod';
import { describeDifference, type DagSignature } from '../../../language/src/index.js';
import { UnavailableError, type SimilarIndexInfo, type SimilarMatch, type Tried } from '../../../protocol/src/daemon/index.js';
import type { SqlStore } from '../store/sql-store.js';
import { PersistentIndex, type IndexLog } from './persistent-index.js';
import { matchKind, roundSimilarity, sortMatches } from '../../../language/src/similarity/rank.js';
import { EMBEDDING_DIMS, EMBEDDING_KEY, type PointResult, type StrategyPoint } from '../../../language/src/similarity/strategy-point.js';
import { pointFromSource } from '../language-service/local.js';
import type { SimilarityIndexOptions } from '../../../language/src/similarity/vector-index.js';
import { join } from 'node:path';
import { Mutex } from '../../../language/src/util/mutex.js';

const StoreMeta = z.object({
    team: z.string(),
    structural: z.string(),
    strategy: z.string().nullable(),
    signature: z.record(z.string(), z.number()),
});
type StoreMeta = z.infer<typeof StoreMeta>;

export const storeId = (team: string, structural: string): string => `${team}/${structural}`;

/** The index is being rebuilt: queries wait for it (503, with its progress in the message). */
export class SimilarityUnavailable extends UnavailableError {
    constructor(message: string) {
        super(message);
        this.name = 'SimilarityUnavailable';
    }
}

interface Group {
    team: string;
    structural: string;
    source: string;
    strategy: string | null;
    /** Where the source came from: resolves its imports. */
    uri: string | null;
}

/** Compiles a stored run's source to its point (the daemon's resolves imports relative to `uri`). */
export type EmbedRun = (source: string, uri: string | null, strategy: string | null) => Promise<PointResult>;

const SHOWN_RUNS = 20;

/** Near structures form a family (the research ledger's, experiments/ledger.ts): this cosine similarity or more, at most FAMILY_MAX of them. */
export const FAMILY_SIMILARITY = 0.9;
const FAMILY_MAX = 1000;

export class StoreIndex {
    private rebuilding: { done: number; total: number } | undefined;
    private readonly skipped = new Map<string, string>();
    /** Index changes (start, record) run one at a time. */
    private readonly mutex = new Mutex();
    private started: Promise<void> = Promise.resolve();

    private constructor(
        private readonly store: SqlStore, private readonly pi: PersistentIndex<StoreMeta>, private readonly log: IndexLog | undefined,
        private readonly waitForBuildMs: number, private readonly embedRun: EmbedRun,
    ) {}

    /** `waitForBuildMs`: how long a query waits for a running (re)build before it is refused (default 2 s). */
    static open(o: { store: SqlStore; stateDir: string; log?: IndexLog; index?: SimilarityIndexOptions; waitForBuildMs?: number; embed?: EmbedRun }): StoreIndex {
        const pi = PersistentIndex.open({ dir: join(o.stateDir, 'similarity', 'store'), kind: 'store', dims: EMBEDDING_DIMS, version: EMBEDDING_KEY, meta: StoreMeta, log: o.log, index: o.index });
        return new StoreIndex(o.store, pi, o.log, o.waitForBuildMs ?? 2000, o.embed ?? ((source, _uri, strategy) => pointFromSource(source, strategy)));
    }

    /**
     * Brings the index in line with the runs table: a loaded index is reconciled (cheap: only the
     * structures it lacks are embedded); anything else is rebuilt from every completed run.
     */
    start(): Promise<void> {
        if (this.rebuilds) this.rebuilding = { done: 0, total: 0 };
        this.started = this.exclusive(async () => {
            if (this.pi.opened.state === 'loaded') await this.reconcile();
            else await this.rebuild(this.pi.opened.reason);
        });
        return this.started;
    }

    private exclusive<T>(fn: () => Promise<T>): Promise<T> {
        return this.mutex.run(fn);
    }

    /** Whether `start` rebuilds (the index on disk was missing, corrupt or of another version) rather than reconciles. */
    get rebuilds(): boolean {
        return this.pi.opened.state !== 'loaded';
    }

    get state(): { ready: boolean; done?: number; total?: number } {
        return this.rebuilding ? { ready: false, ...this.rebuilding } : { ready: true };
    }

    info(): SimilarIndexInfo {
        return { scope: 'store', points: this.pi.index.size, embeddingVersion: EMBEDDING_KEY, backend: this.pi.index.backend };
    }

    private async groups(where = '', params: unknown[] = []): Promise<Group[]> {
        const rows = await this.store.rows(`SELECT team, fingerprint_structural AS structural, arg_max(source, created_at) AS source, arg_max(strategy, created_at) AS strategy,
                arg_max(json_extract_string(spec, '$.uri'), created_at) AS uri
            FROM runs WHERE state = 'completed' AND fingerprint_structural IS NOT NULL AND source IS NOT NULL ${where}
            GROUP BY team, fingerprint_structural ORDER BY team, fingerprint_structural`, params as never);
        return rows.map(r => ({ team: String(r.team), structural: String(r.structural), source: String(r.source), strategy: r.strategy === null ? null : String(r.strategy), uri: r.uri === null || r.uri === undefined ? null : String(r.uri) }));
    }

    private async embed(g: Group): Promise<{ vector: number[]; meta: StoreMeta } | undefined> {
        const r = await this.embedRun(g.source, g.uri, g.strategy);
        if (!r.ok) {
            const e = r.errors[0]!;
            this.skipped.set(storeId(g.team, g.structural), `${e.line}:${e.column} ${e.code} ${e.message}`);
            return undefined;
        }
        return { vector: r.point.vector, meta: { team: g.team, structural: g.structural, strategy: g.strategy ?? r.point.strategy, signature: { ...r.point.signature } } };
    }

    private async reconcile(): Promise<void> {
        const groups = await this.groups();
        const want = new Set(groups.map(g => storeId(g.team, g.structural)));
        let removed = 0, added = 0;
        for (const [id] of [...this.pi.index.entries()]) if (!want.has(id)) { this.pi.remove(id); removed++; }
        for (const g of groups) {
            const id = storeId(g.team, g.structural);
            if (this.pi.index.has(id) || this.skipped.has(id)) continue;
            const e = await this.embed(g);
            if (e) { this.pi.add(id, e.vector, e.meta); added++; }
        }
        if (added || removed) this.log?.('info', `similarity index store: reconciled with the runs table (${added} added, ${removed} removed)`, { added, removed });
    }

    private async rebuild(reason: string): Promise<void> {
        this.rebuilding = { done: 0, total: 0 };
        const groups = await this.groups().catch(e => { this.rebuilding = undefined; throw e; });
        this.rebuilding.total = groups.length;
        this.log?.('info', `similarity index store: building from ${groups.length} strategy structures (${reason})`, { total: groups.length, reason });
        let lastLog = Date.now();
        try {
            await this.pi.rebuild(async add => {
                for (const g of groups) {
                    const e = await this.embed(g);
                    if (e) add(storeId(g.team, g.structural), e.vector, e.meta);
                    this.rebuilding!.done++;
                    if (Date.now() - lastLog > 2000) {
                        lastLog = Date.now();
                        this.log?.('info', `similarity index store: ${this.rebuilding!.done}/${groups.length} embedded`, { ...this.rebuilding });
                    }
                }
            });
            this.log?.('info', `similarity index store: built (${this.pi.index.size} structures, ${this.skipped.size} skipped: their source does not compile alone)`, { points: this.pi.index.size, skipped: this.skipped.size });
        } finally {
            this.rebuilding = undefined;
        }
    }

    /**
     * Indexes the structure of a run that just completed (a no-op when the structure is known).
     * The run's own row says which structure: only an unknown one reads its group, whose query
     * goes over every completed run of that structure (each completion of a strategy run many
     * times read them all again to learn that it was known).
     */
    record(runId: string): Promise<void> {
        return this.exclusive(async () => {
            const own = (await this.store.rows(`SELECT team, fingerprint_structural AS structural FROM runs WHERE id = $1`, [runId]))[0];
            if (!own || own.team === null || own.structural === null) return;
            const team = String(own.team), structural = String(own.structural);
            if (this.pi.index.has(storeId(team, structural)) || this.skipped.has(storeId(team, structural))) return;
            for (const g of await this.groups('AND team = $1 AND fingerprint_structural = $2', [team, structural])) {
                const id = storeId(g.team, g.structural);
                if (this.pi.index.has(id) || this.skipped.has(id)) continue;
                const e = await this.embed(g);
                if (e) this.pi.add(id, e.vector, e.meta);
            }
        });
    }

    /** Waits for pending index updates (tests; a query right after a completion). */
    settled(): Promise<void> {
        return this.exclusive(async () => undefined);
    }

    /**
     * The query's own structure as tried in `team` (or null), and the k nearest structures with
     * their runs. `experimentId` keeps only runs of one experiment.
     */
    async find(q: StrategyPoint, o: { k: number; team: string; experimentId?: string }): Promise<{ tried: (Tried & { summary: string }) | null; matches: SimilarMatch[] }> {
        // A short (re)build — a first start, a small store — is waited for; a long one answers 503 with its progress.
        if (this.rebuilding && this.waitForBuildMs > 0) await Promise.race([this.started.catch(() => undefined), new Promise(r => setTimeout(r, this.waitForBuildMs))]);
        if (this.rebuilding) {
            const { done, total } = this.rebuilding;
            throw new SimilarityUnavailable(`the similarity index is being rebuilt (${done}/${total} structures, ${total ? Math.floor((100 * done) / total) : 0}%); try again in a moment`);
        }
        await this.settled();
        let allowed: Set<string> | undefined;
        if (o.experimentId !== undefined) {
            const rows = await this.store.rows(`SELECT DISTINCT fingerprint_structural AS s FROM runs WHERE team = $1 AND experiment_id = $2 AND state = 'completed'`, [o.team, o.experimentId]);
            allowed = new Set(rows.map(r => String(r.s)));
        }
        const accept = (_id: string, m: StoreMeta): boolean => m.team === o.team && (!allowed || allowed.has(m.structural));
        const hits = this.pi.index.query(q.vector, o.k, accept);
        const ownId = storeId(o.team, q.fingerprints.structural);
        const own = this.pi.index.get(ownId);
        if (own && accept(ownId, own.meta) && !hits.some(h => h.id === ownId)) hits.push({ id: ownId, distance: 0, meta: own.meta });
        const structurals = [...new Set([...hits.map(h => h.meta.structural), q.fingerprints.structural])];
        const runs = await this.runsOf(o.team, structurals, o.experimentId);
        const matches = hits.flatMap(h => {
            const r = runs.get(h.meta.structural);
            if (!r) return [];
            const match = matchKind(q.fingerprints, h.meta.structural, r.exact);
            const m: SimilarMatch = {
                scope: 'store', strategy: h.meta.strategy, match, similarity: roundSimilarity(h.distance),
                difference: describeDifference(q.signature, h.meta.signature as DagSignature, { sameExact: match === 'identical', sameStructure: match !== 'similar' }),
                fingerprints: { structural: h.meta.structural, exact: [...r.exact].sort() }, runs: r.tried,
            };
            return [m];
        });
        const ownRuns = runs.get(q.fingerprints.structural);
        return { tried: ownRuns ? { ...ownRuns.tried, summary: summary(ownRuns.tried) } : null, matches: sortMatches(matches).slice(0, o.k) };
    }

    /**
     * The structural fingerprints of a structure's family in `team`: the indexed structures at a
     * cosine similarity of at least FAMILY_SIMILARITY, itself included. Just the structure itself
     * while the index is being rebuilt or does not hold it (yet: it is indexed after completion).
     */
    async family(team: string, structural: string): Promise<string[]> {
        if (this.rebuilding) return [structural];
        await this.settled();
        const own = this.pi.index.get(storeId(team, structural));
        if (!own) return [structural];
        const hits = this.pi.index.query(own.vector, FAMILY_MAX, (_id, m) => m.team === team);
        return [...new Set([structural, ...hits.filter(h => roundSimilarity(h.distance) >= FAMILY_SIMILARITY).map(h => h.meta.structural)])];
    }

    private async runsOf(team: string, structurals: string[], experimentId?: string): Promise<Map<string, { exact: Set<string>; tried: Tried }>> {
        const rows = await this.store.rows(`SELECT id, fingerprint_structural AS s, fingerprint_exact AS e, experiment_id AS exp,
                TRY_CAST(json_extract_string(metrics, '$.deflatedSharpe') AS DOUBLE) AS dsr, TRY_CAST(json_extract_string(metrics, '$.sharpe') AS DOUBLE) AS sharpe
            FROM runs WHERE team = $1 AND state = 'completed' AND fingerprint_structural IN (SELECT unnest($2::VARCHAR[]))
                AND ($3::VARCHAR IS NULL OR experiment_id = $3)
            ORDER BY created_at DESC, id DESC`, [team, listValue(structurals), experimentId ?? null]);
        const groups = new Map<string, { exact: Set<string>; ids: string[]; best: { id: string; exp: string | null; metric: 'deflatedSharpe' | 'sharpe'; value: number } | null }>();
        for (const r of rows) {
            const s = String(r.s);
            let g = groups.get(s);
            if (!g) groups.set(s, g = { exact: new Set(), ids: [], best: null });
            if (r.e !== null) g.exact.add(String(r.e));
            g.ids.push(String(r.id));
            const dsr = typeof r.dsr === 'number' && Number.isFinite(r.dsr) ? r.dsr : null;
            const sharpe = typeof r.sharpe === 'number' && Number.isFinite(r.sharpe) ? r.sharpe : null;
            const cand = dsr !== null ? { metric: 'deflatedSharpe' as const, value: dsr } : sharpe !== null ? { metric: 'sharpe' as const, value: sharpe } : null;
            // A deflated Sharpe (a sweep's, corrected for its trials) outranks any plain Sharpe.
            if (cand && (!g.best || (cand.metric === g.best.metric ? cand.value > g.best.value : cand.metric === 'deflatedSharpe'))) {
                g.best = { id: String(r.id), exp: r.exp === null ? null : String(r.exp), ...cand };
            }
        }
        const bestIds = [...groups.values()].flatMap(g => (g.best ? [g.best.id] : []));
        const metrics = new Map<string, Record<string, number | null>>();
        if (bestIds.length) {
            for (const r of await this.store.rows(`SELECT id, metrics FROM runs WHERE id IN (SELECT unnest($1::VARCHAR[]))`, [listValue(bestIds)])) {
                if (typeof r.metrics === 'string') metrics.set(String(r.id), JSON.parse(r.metrics) as Record<string, number | null>);
            }
        }
        const out = new Map<string, { exact: Set<string>; tried: Tried }>();
        for (const [s, g] of groups) {
            out.set(s, {
                exact: g.exact,
                tried: {
                    runs: g.ids.length,
                    best: g.best ? { runId: g.best.id, metric: g.best.metric, value: g.best.value } : null,
                    metrics: g.best ? metrics.get(g.best.id) ?? null : null,
                    latestRunIds: g.ids.slice(0, SHOWN_RUNS),
                    experimentId: g.best?.exp ?? null,
                },
            });
        }
        return out;
    }

    close(): void {
        this.pi.close();
    }
}

/** "tried 14 times; best deflated Sharpe 0.80 (run r_…)". */
export function summary(t: Tried): string {
    const times = t.runs === 1 ? 'once' : t.runs === 2 ? 'twice' : `${t.runs} times`;
    const best = t.best ? `; best ${t.best.metric === 'deflatedSharpe' ? 'deflated Sharpe' : 'Sharpe'} ${t.best.value.toFixed(2)} (run ${t.best.runId})` : '';
    return `this structure was tried ${times}${best}`;
}
