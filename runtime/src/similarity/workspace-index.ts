/**
 * The workspace scope: every strategy in the `.af` files under a root folder, one point per
 * (file, strategy), persisted under <state dir>/similarity/workspace-<hash of root>/ and kept
 * current file by file — the language server calls `setFile`/`removeFile` as documents change;
 * the CLI and the MCP server call `reconcileFromDisk`, which re-embeds only files whose content
 * hash changed since the index saw them. A file with syntax errors is never indexed: its last
 * good points stay and the errors are reported.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { URI } from 'langium';
import { NodeFileSystem } from 'langium/node';
import { z } from 'zod';
import { createAlphaForgeServices, describeDifference, isStrategy, loadFiles, type DagSignature, type Model } from '../../../language/src/index.js';
import type { SimilarIndexInfo, SimilarMatch } from '../../../language/src/protocol/daemon-protocol.js';
import type { CompileProblem } from '../../../language/src/protocol/lsp-protocol.js';
import { PersistentIndex, type IndexLog, type OpenOutcome } from './persistent-index.js';
import { matchKind, roundSimilarity, sortMatches } from './rank.js';
import { EMBEDDING_DIMS, EMBEDDING_KEY, strategyPoint, syntaxErrors, type StrategyPoint } from './strategy-point.js';
import type { SimilarityIndexOptions } from './vector-index.js';

const WorkspaceMeta = z.object({
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

/** The text of a file on disk, or undefined. */
export function readText(file: string): string | undefined {
    try {
        return readFileSync(file, 'utf8');
    } catch {
        return undefined;
    }
}
export const workspaceId = (path: string, strategy: string): string => `${path}#${strategy}`;

/** `file`'s path relative to `root` with / separators (the index's key), or undefined when it lies outside. */
export function workspacePath(root: string, file: string): string | undefined {
    const rel = relative(root, file);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : undefined;
}

/** The directory of a root's workspace index inside a state directory. */
export function workspaceIndexDir(stateDir: string, root: string): string {
    return join(stateDir, 'similarity', `workspace-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`);
}

/** `.af` files under root, as the language server's workspace sees them (no dot-names, node_modules or out). */
export function workspaceFiles(root: string): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
        let entries;
        try {
            entries = readdirSync(dir, { withFileTypes: true });
        } catch {
            return;
        }
        for (const e of entries) {
            if (e.name.startsWith('.')) continue;
            const p = join(dir, e.name);
            if (e.isDirectory()) {
                if (e.name !== 'node_modules' && e.name !== 'out') walk(p);
            } else if (e.isFile() && e.name.endsWith('.af')) out.push(p);
        }
    };
    walk(root);
    return out.sort();
}

export class WorkspaceIndex {
    /**
     * Path → the hash the file had when indexed and the ids of its points: what setFile, removeFile
     * and reconcile look up, without a pass over every point. Files without a strategy (libraries)
     * have no point to carry their hash; they are kept here in memory only.
     */
    private readonly files = new Map<string, { hash: string; ids: Set<string> }>();
    /** Structural fingerprint → ids: same structure is the same vector, every one is a candidate. */
    private readonly byStructural = new Map<string, Set<string>>();

    private constructor(readonly root: string, private readonly pi: PersistentIndex<WorkspaceMeta>) {
        for (const [id, m] of pi.index.entries()) this.remember(id, m);
    }

    static open(o: { root: string; stateDir: string; log?: IndexLog; readOnly?: boolean; index?: SimilarityIndexOptions }): WorkspaceIndex {
        const pi = PersistentIndex.open({ dir: workspaceIndexDir(o.stateDir, o.root), kind: 'workspace', dims: EMBEDDING_DIMS, version: EMBEDDING_KEY, meta: WorkspaceMeta, log: o.log, readOnly: o.readOnly, index: o.index });
        return new WorkspaceIndex(o.root, pi);
    }

    /** How opening went: 'loaded', or why it starts empty (the caller then indexes every file). */
    get opened(): OpenOutcome {
        return this.pi.opened;
    }

    get size(): number {
        return this.pi.index.size;
    }

    info(): SimilarIndexInfo {
        return { scope: 'workspace', points: this.pi.index.size, embeddingVersion: EMBEDDING_KEY, backend: this.pi.index.backend };
    }

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

    private remember(id: string, m: WorkspaceMeta): void {
        const f = this.files.get(m.path);
        if (f) { f.ids.add(id); f.hash = m.fileHash; } else this.files.set(m.path, { hash: m.fileHash, ids: new Set([id]) });
        let ids = this.byStructural.get(m.structural);
        if (!ids) this.byStructural.set(m.structural, ids = new Set());
        ids.add(id);
    }

    private forget(id: string, m: WorkspaceMeta): void {
        this.files.get(m.path)?.ids.delete(id);
        const ids = this.byStructural.get(m.structural);
        ids?.delete(id);
        if (ids?.size === 0) this.byStructural.delete(m.structural);
    }

    /** Adds or replaces a point (one journal line). */
    private put(id: string, vector: ArrayLike<number>, m: WorkspaceMeta): void {
        const old = this.pi.index.get(id)?.meta;
        if (old) this.forget(id, old);
        this.pi.add(id, vector, m);
        this.remember(id, m);
    }

    private drop(id: string): void {
        const old = this.pi.index.get(id)?.meta;
        if (!old) return;
        this.pi.remove(id);
        this.forget(id, old);
    }

    /**
     * The points of one file, replacing what the index had for it. Strategies that do not compile
     * now keep their previous point if they had one (named in `keep`).
     */
    setFile(path: string, uri: string, hash: string, points: readonly StrategyPoint[], keep: readonly string[] = []): void {
        const names = new Set([...points.map(p => p.strategy), ...keep]);
        for (const id of [...this.files.get(path)?.ids ?? []]) {
            if (!names.has(this.pi.index.get(id)!.meta.strategy)) this.drop(id);
        }
        for (const p of points) {
            const id = workspaceId(path, p.strategy);
            const old = this.pi.index.get(id)?.meta;
            const meta: WorkspaceMeta = { path, uri, strategy: p.strategy, line: p.line, structural: p.fingerprints.structural, exact: p.fingerprints.exact, signature: { ...p.signature }, fileHash: hash };
            if (old && JSON.stringify(old) === JSON.stringify(meta)) continue;
            this.put(id, p.vector, meta);
        }
        // Kept points record the new hash too, so an unchanged broken file is not re-read each time.
        for (const name of keep) {
            const id = workspaceId(path, name);
            const old = this.pi.index.get(id);
            if (old && old.meta.fileHash !== hash) this.put(id, old.vector, { ...old.meta, fileHash: hash });
        }
        const f = this.files.get(path);
        if (f) f.hash = hash; else this.files.set(path, { hash, ids: new Set() });
    }

    removeFile(path: string): void {
        for (const id of [...this.files.get(path)?.ids ?? []]) this.drop(id);
        this.files.delete(path);
    }

    /**
     * Brings the index up to date with the files on disk: files whose content changed are loaded
     * (with their imports) and re-embedded, deleted files are dropped. Returns the problems of
     * files that could not be (fully) indexed.
     */
    async reconcileFromDisk(progress?: (done: number, total: number) => void): Promise<{ indexed: number; removed: number; problems: FileProblem[] }> {
        const files = workspaceFiles(this.root);
        const known = this.fileHashes();
        const onDisk = new Set<string>();
        const changed: { abs: string; path: string; hash: string }[] = [];
        for (const abs of files) {
            const path = this.relativePath(abs);
            onDisk.add(path);
            let text: string;
            try {
                text = readFileSync(abs, 'utf8');
            } catch {
                continue;
            }
            const hash = inputsHash(abs, text, readText);
            if (known.get(path) !== hash) changed.push({ abs, path, hash });
        }
        let removed = 0;
        for (const path of known.keys()) if (!onDisk.has(path)) { this.removeFile(path); removed++; }
        const problems: FileProblem[] = [];
        if (changed.length) {
            const services = createAlphaForgeServices(NodeFileSystem).AlphaForge;
            const batch = 200;
            for (let i = 0; i < changed.length; i += batch) {
                const part = changed.slice(i, i + batch);
                const docs = await loadFiles(services, part.map(c => URI.file(c.abs)));
                const byUri = new Map(docs.map(d => [d.document.uri.toString(), d.document]));
                for (const c of part) {
                    const doc = byUri.get(URI.file(c.abs).toString());
                    if (!doc) continue;
                    problems.push(...this.indexDocument(c.path, doc.uri.toString(), c.hash, doc, services));
                }
                progress?.(Math.min(i + batch, changed.length), changed.length);
            }
        }
        return { indexed: changed.length, removed, problems };
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
        const hits = this.pi.index.query(q.point.vector, k + 1, id => id !== q.self);
        // Same structure is the same vector: make sure every such strategy is a candidate, whatever HNSW returned.
        const seen = new Set(hits.map(h => h.id));
        const all = hits.map(h => ({ meta: h.meta, distance: h.distance }));
        for (const id of this.byStructural.get(q.point.fingerprints.structural) ?? []) {
            if (id !== q.self && !seen.has(id)) all.push({ meta: this.pi.index.get(id)!.meta, distance: 0 });
        }
        return sortMatches(all.map(h => workspaceMatch(q.point, h.meta, h.distance))).slice(0, k);
    }

    /** Writes a snapshot and releases the index (language server shutdown, end of a CLI command). */
    close(): void {
        this.pi.close();
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
