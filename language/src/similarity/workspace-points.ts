/**
 * The workspace scope of "find similar", without any I/O: one point per (file, strategy) of a
 * workspace, kept current file by file (`setFile`, `removeFile`, `indexDocument`) in a PointStore
 * — an in-memory SimilarityIndex in the language server, a persisted one (journal + HNSW) in the
 * runtime (runtime/src/similarity/workspace-index.ts). A file with syntax errors is never indexed:
 * its last good points stay and the errors are reported. Answers have the protocol's one
 * SimilarMatch shape, ranked like every other scope (rank.ts).
 */
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import * as z from 'zod';
import type { SimilarIndexInfo, SimilarMatch } from '../../../protocol/src/daemon/index.js';
import type { CompileProblem } from '../../../protocol/src/lsp.js';
import { isStrategy, type Model } from '../generated/ast.js';
import { describeDifference, type DagSignature } from '../ir/difference.js';
import { matchKind, roundSimilarity, sortMatches } from './rank.js';
import { EMBEDDING_KEY, strategyPoint, syntaxErrors, type StrategyPoint } from './strategy-point.js';
import type { Neighbour, SimilarityBackend } from './vector-index.js';

export const WorkspaceMeta = z.object({
    path: z.string(),
    uri: z.string(),
    strategy: z.string(),
    line: z.number().int().nonnegative(),
    structural: z.string(),
    exact: z.string(),
    signature: z.record(z.string(), z.number()),
    fileHash: z.string(),
});
export type WorkspaceMeta = z.infer<typeof WorkspaceMeta>;

export interface FileProblem extends CompileProblem {
    readonly path: string;
}

/** What a query carries: the point, and (for a workspace file) the id to leave out of the answer. */
export interface SimilarQuery {
    readonly point: StrategyPoint;
    /** `path#strategy` of the query itself, when it is a workspace strategy. */
    readonly self?: string;
}

/** What a query carries: the point, and (for a workspace file) the id to leave out of the answer. */
export interface SimilarQuery {
    readonly point: StrategyPoint;
    /** `path#strategy` of the query itself, when it is a workspace strategy. */
    readonly self?: string;
}

export const contentHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

const IMPORT = /^\s*import\s+"([^"\n]+)"/gm;

/**
 * What a file's points depend on: its own text and, transitively, the texts of the files it
 * imports (a changed library changes the strategies that use it). Equal to contentHash(text) for
 * a file without imports. `read` gives a file's current text (an editor buffer or the disk).
 */
export function inputsHash(file: string, text: string, read: (file: string) => string | undefined): string {
    const parts: string[] = [];
    const seen = new Set([file]);
    const queue: [string, string][] = [[file, text]];
    while (queue.length) {
        const [from, body] = queue.shift()!;
        for (const m of body.matchAll(IMPORT)) {
            const rel = m[1]!.endsWith('.af') ? m[1]! : `${m[1]}.af`;
            const target = join(dirname(from), rel);
            if (seen.has(target)) continue;
            seen.add(target);
            const t = read(target);
            parts.push(`${rel}\0${t ?? '(missing)'}`);
            if (t !== undefined) queue.push([target, t]);
        }
    }
    return parts.length ? contentHash(`${text}\0${parts.join('\0')}`) : contentHash(text);
}

export const workspaceId = (path: string, strategy: string): string => `${path}#${strategy}`;

/** `file`'s path relative to `root` with / separators (the index's key), or undefined when it lies outside. */
export function workspacePath(root: string, file: string): string | undefined {
    const rel = relative(root, file);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : undefined;
}

/** Where the points live: a SimilarityIndex (in memory), or the runtime's persisted one. */
export interface PointStore<M> {
    readonly size: number;
    readonly backend: SimilarityBackend;
    get(id: string): { readonly vector: ArrayLike<number>; readonly meta: M } | undefined;
    entries(): Iterable<[string, M]>;
    add(id: string, vector: ArrayLike<number>, meta: M): void;
    remove(id: string): unknown;
    query(vector: ArrayLike<number>, k: number, filter?: (id: string, meta: M) => boolean): Neighbour<M>[];
}

export class WorkspacePoints {
    /**
     * Path → the hash the file had when indexed and the ids of its points: what setFile, removeFile
     * and reconcile look up, without a pass over every point. Files without a strategy (libraries)
     * have no point to carry their hash; they are kept here in memory only.
     */
    private readonly files = new Map<string, { hash: string; ids: Set<string> }>();
    /** Structural fingerprint → ids: same structure is the same vector, every one is a candidate. */
    private readonly byStructural = new Map<string, Set<string>>();

    constructor(readonly root: string, protected readonly store: PointStore<WorkspaceMeta>) {
        for (const [id, m] of store.entries()) this.remember(id, m);
    }

    get size(): number {
        return this.store.size;
    }

    info(): SimilarIndexInfo {
        return { scope: 'workspace', points: this.store.size, embeddingVersion: EMBEDDING_KEY, backend: this.store.backend };
    }

    /** `file`'s path relative to the root, with / separators. */
    relativePath(file: string): string {
        return relative(this.root, file).split(sep).join('/');
    }

    /** The content hash each indexed file had when indexed. */
    fileHashes(): Map<string, string> {
        return new Map([...this.files].map(([path, f]) => [path, f.hash]));
    }

    /** The hash `path` had when indexed, if it was. */
    fileHash(path: string): string | undefined {
        return this.files.get(path)?.hash;
    }

    protected remember(id: string, m: WorkspaceMeta): void {
        const f = this.files.get(m.path);
        if (f) { f.ids.add(id); f.hash = m.fileHash; } else this.files.set(m.path, { hash: m.fileHash, ids: new Set([id]) });
        let ids = this.byStructural.get(m.structural);
        if (!ids) this.byStructural.set(m.structural, ids = new Set());
        ids.add(id);
    }

    protected forget(id: string, m: WorkspaceMeta): void {
        this.files.get(m.path)?.ids.delete(id);
        const ids = this.byStructural.get(m.structural);
        ids?.delete(id);
        if (ids?.size === 0) this.byStructural.delete(m.structural);
    }

    /** Adds or replaces a point (one journal line). */
    private put(id: string, vector: ArrayLike<number>, m: WorkspaceMeta): void {
        const old = this.store.get(id)?.meta;
        if (old) this.forget(id, old);
        this.store.add(id, vector, m);
        this.remember(id, m);
    }

    private drop(id: string): void {
        const old = this.store.get(id)?.meta;
        if (!old) return;
        this.store.remove(id);
        this.forget(id, old);
    }

    /**
     * The points of one file, replacing what the index had for it. Strategies that do not compile
     * now keep their previous point if they had one (named in `keep`).
     */
    setFile(path: string, uri: string, hash: string, points: readonly StrategyPoint[], keep: readonly string[] = []): void {
        const names = new Set([...points.map(p => p.strategy), ...keep]);
        for (const id of [...this.files.get(path)?.ids ?? []]) {
            if (!names.has(this.store.get(id)!.meta.strategy)) this.drop(id);
        }
        for (const p of points) {
            const id = workspaceId(path, p.strategy);
            const old = this.store.get(id)?.meta;
            const meta: WorkspaceMeta = { path, uri, strategy: p.strategy, line: p.line, structural: p.fingerprints.structural, exact: p.fingerprints.exact, signature: { ...p.signature }, fileHash: hash };
            if (old && JSON.stringify(old) === JSON.stringify(meta)) continue;
            this.put(id, p.vector, meta);
        }
        // Kept points record the new hash too, so an unchanged broken file is not re-read each time.
        for (const name of keep) {
            const id = workspaceId(path, name);
            const old = this.store.get(id);
            if (old && old.meta.fileHash !== hash) this.put(id, old.vector, { ...old.meta, fileHash: hash });
        }
        const f = this.files.get(path);
        if (f) f.hash = hash; else this.files.set(path, { hash, ids: new Set() });
    }

    removeFile(path: string): void {
        for (const id of [...this.files.get(path)?.ids ?? []]) this.drop(id);
        this.files.delete(path);
    }

    /** Indexes one validated document (the language server's or the CLI's); returns its problems. */
    indexDocument(path: string, uri: string, hash: string, doc: { parseResult: { value: unknown; lexerErrors: readonly { message: string; line?: number; column?: number }[]; parserErrors: readonly { message: string; token: { startLine?: number; startColumn?: number } }[] } }, services: Parameters<typeof strategyPoint>[0]): FileProblem[] {
        const syntax = syntaxErrors(doc);
        if (syntax.length) return syntax.map(e => ({ ...e, path }));
        const problems: FileProblem[] = [];
        const points: StrategyPoint[] = [];
        const keep: string[] = [];
        for (const s of (doc.parseResult.value as Model).elements.filter(isStrategy)) {
            const r = strategyPoint(services, s);
            if (r.ok) points.push(r.point);
            else {
                keep.push(s.name);
                problems.push(...r.errors.slice(0, 3).map(e => ({ ...e, path })));
            }
        }
        this.setFile(path, uri, hash, points, keep);
        return problems;
    }

    /** The k strategies most like the query (the query itself left out). */
    find(q: SimilarQuery, k: number): SimilarMatch[] {
        const hits = this.store.query(q.point.vector, k + 1, id => id !== q.self);
        // Same structure is the same vector: make sure every such strategy is a candidate, whatever HNSW returned.
        const seen = new Set(hits.map(h => h.id));
        const all = hits.map(h => ({ meta: h.meta, distance: h.distance }));
        for (const id of this.byStructural.get(q.point.fingerprints.structural) ?? []) {
            if (id !== q.self && !seen.has(id)) all.push({ meta: this.store.get(id)!.meta, distance: 0 });
        }
        return sortMatches(all.map(h => workspaceMatch(q.point, h.meta, h.distance))).slice(0, k);
    }
}

function workspaceMatch(q: StrategyPoint, m: WorkspaceMeta, distance: number): SimilarMatch {
    const match = matchKind(q.fingerprints, m.structural, [m.exact]);
    return {
        scope: 'workspace', strategy: m.strategy, match, similarity: roundSimilarity(distance),
        difference: describeDifference(q.signature, m.signature as DagSignature, { sameExact: match === 'identical', sameStructure: match !== 'similar' }),
        fingerprints: { structural: m.structural, exact: [m.exact] },
        file: { path: m.path, uri: m.uri, line: m.line },
    };
}
