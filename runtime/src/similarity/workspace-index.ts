/**
 * The workspace scope of "find similar" for the CLI and MCP (`af similar`): the language
 * library's WorkspacePoints (language/src/similarity/workspace-points.ts), persisted under
 * <state dir>/similarity/workspace-<hash of root>/ (snapshot + journal, HNSW through
 * hnswlib-node) and brought up to date from disk by `reconcileFromDisk`, which re-embeds only
 * files whose content hash (with their imports) changed since the index saw them. The language
 * server keeps the same points in memory, fed by its own documents.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { URI } from 'langium';
import { localLanguage } from '../language-service/local.js';
import { EMBEDDING_DIMS, EMBEDDING_KEY } from '../../../language/src/similarity/strategy-point.js';
import type { SimilarityIndexOptions } from '../../../language/src/similarity/vector-index.js';
import {
    inputsHash, WorkspaceMeta, WorkspacePoints, type FileProblem, type PointStore,
} from '../../../language/src/similarity/workspace-points.js';
import { PersistentIndex, type IndexLog, type OpenOutcome } from './persistent-index.js';

/** The text of a file on disk, or undefined. */
export function readText(file: string): string | undefined {
    try {
        return readFileSync(file, 'utf8');
    } catch {
        return undefined;
    }
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

/** A PersistentIndex as the store of WorkspacePoints: every add and remove is a journal line. */
function persisted(pi: PersistentIndex<WorkspaceMeta>): PointStore<WorkspaceMeta> {
    return {
        get size() { return pi.index.size; },
        get backend() { return pi.index.backend; },
        get: id => pi.index.get(id),
        entries: () => pi.index.entries(),
        add: (id, vector, meta) => pi.add(id, vector, meta),
        remove: id => pi.remove(id),
        query: (vector, k, filter) => pi.index.query(vector, k, filter),
    };
}

export class WorkspaceIndex extends WorkspacePoints {
    private constructor(root: string, private readonly pi: PersistentIndex<WorkspaceMeta>) {
        super(root, persisted(pi));
    }

    static open(o: { root: string; stateDir: string; log?: IndexLog; readOnly?: boolean; index?: SimilarityIndexOptions }): WorkspaceIndex {
        const pi = PersistentIndex.open({ dir: workspaceIndexDir(o.stateDir, o.root), kind: 'workspace', dims: EMBEDDING_DIMS, version: EMBEDDING_KEY, meta: WorkspaceMeta, log: o.log, readOnly: o.readOnly, index: o.index });
        return new WorkspaceIndex(o.root, pi);
    }

    /** How opening went: 'loaded', or why it starts empty (the caller then indexes every file). */
    get opened(): OpenOutcome {
        return this.pi.opened;
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
        const batch = 200;
        for (let i = 0; i < changed.length; i += batch) {
            const part = changed.slice(i, i + batch);
            await localLanguage().withFiles(part.map(c => URI.file(c.abs)), (docs, services) => {
                const byUri = new Map(docs.map(d => [d.document.uri.toString(), d.document]));
                for (const c of part) {
                    const doc = byUri.get(URI.file(c.abs).toString());
                    if (doc) problems.push(...this.indexDocument(c.path, doc.uri.toString(), c.hash, doc, services));
                }
            });
            progress?.(Math.min(i + batch, changed.length), changed.length);
        }
        return { indexed: changed.length, removed, problems };
    }

    /** Writes a snapshot and releases the index (end of a CLI command). */
    close(): void {
        this.pi.close();
    }
}
