/**
 * "Find similar" for the processes that have a file system and maybe a daemon: the `af similar`
 * command and the MCP server. The query is a strategy in a file (or a source text); the
 * workspace scope reconciles the on-disk workspace index and searches it, the store scope asks
 * the daemon (which owns the experiment store), 'all' merges both. The language server answers
 * the workspace scope from its live documents with the same WorkspaceIndex, so the same files
 * give the same answer on every path.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { URI } from 'langium';
import { UserInputError, type SimilarIndexInfo, type SimilarMatch, type SimilarResult } from '../../../protocol/src/daemon/index.js';
import type { IndexLog } from './persistent-index.js';
import { sortMatches } from '../../../language/src/similarity/rank.js';
import { pointOfDocument, type PointResult, type StrategyPoint } from '../../../language/src/similarity/strategy-point.js';
import { localLanguage } from '../language-service/local.js';
import { workspaceId, workspacePath, type FileProblem } from '../../../language/src/similarity/workspace-points.js';
import { WorkspaceIndex } from './workspace-index.js';

export type SimilarScope = 'workspace' | 'store' | 'all';

/** The query cannot be answered as asked (no such file, a strategy that does not compile, the store scope without a daemon). */
export class SimilarQueryError extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'SimilarQueryError';
    }
}

export interface FindSimilarOptions {
    /** The query: a file, or a source text (with the path it is known by, if any). */
    readonly file?: string;
    readonly source?: string;
    readonly strategy?: string;
    readonly k: number;
    readonly scope: SimilarScope;
    /** Workspace root (default: the current directory). */
    readonly root?: string;
    readonly stateDir: string;
    /** The daemon's similar.find, for the store scope. */
    readonly store?: (params: { source: string; uri?: string; strategy?: string; k: number }) => Promise<SimilarResult>;
    readonly progress?: (done: number, total: number) => void;
    readonly log?: IndexLog;
}

export interface FindSimilarResult extends SimilarResult {
    /** Workspace files that could not be (re)indexed: their previous points were kept. */
    readonly problems: FileProblem[];
}

/** The query's strategy point; syntax or compile errors are a SimilarQueryError naming file:line:column. */
export async function queryPointOf(o: { file?: string; source?: string; strategy?: string }): Promise<{ point: StrategyPoint; path: string | undefined; text: string }> {
    let r: PointResult | undefined;
    let text: string;
    const path = o.file ? resolve(o.file) : undefined;
    if (o.source !== undefined) {
        text = o.source;
        r = await localLanguage().withText(text, path ? URI.file(path) : URI.parse('memory:///similarity/query.af'), ({ document }, services) => pointOfDocument(services, document, o.strategy));
    } else if (path) {
        try {
            text = readFileSync(path, 'utf8');
        } catch {
            throw new SimilarQueryError(`${o.file}: no such file`);
        }
        r = await localLanguage().withFiles([URI.file(path)], ([doc], services) => (doc ? pointOfDocument(services, doc.document, o.strategy) : undefined));
        if (!r) throw new SimilarQueryError(`${o.file}: cannot be read`);
    } else {
        throw new SimilarQueryError('give a file or a source text to compare');
    }
    const where = o.file ?? 'the source';
    if (!r.ok) {
        const e = r.errors[0]!;
        if (e.code === 'AF001') throw new SimilarQueryError(`${where}:${e.line}:${e.column} syntax error: ${e.message}${r.errors.length > 1 ? ` (and ${r.errors.length - 1} more)` : ''}; fix it first — nothing was searched and no index changed`);
        if (e.code === 'AF000') throw new SimilarQueryError(`${where}: ${e.message}`);
        throw new SimilarQueryError(`${where}:${e.line}:${e.column} ${e.code} ${e.message} — the strategy does not compile; fix it first (af check ${o.file ?? ''})`.trimEnd());
    }
    return { point: r.point, path, text };
}

export async function findSimilar(o: FindSimilarOptions): Promise<FindSimilarResult> {
    const { point, path, text } = await queryPointOf(o);
    const root = resolve(o.root ?? process.cwd());
    const matches: SimilarMatch[] = [];
    const indexes: SimilarIndexInfo[] = [];
    let tried: SimilarResult['tried'] = null;
    const problems: FileProblem[] = [];
    if (o.scope !== 'store') {
        const ws = WorkspaceIndex.open({ root, stateDir: o.stateDir, log: o.log });
        try {
            const r = await ws.reconcileFromDisk(o.progress);
            problems.push(...r.problems);
            const inside = path ? workspacePath(root, path) : undefined;
            matches.push(...ws.find({ point, ...(inside ? { self: workspaceId(inside, point.strategy) } : {}) }, o.k));
            indexes.push(ws.info());
        } finally {
            ws.close();
        }
    }
    if (o.scope !== 'workspace') {
        if (!o.store) throw new SimilarQueryError('the store scope needs a running daemon');
        const r = await o.store({ source: text, ...(path ? { uri: URI.file(path).toString() } : {}), ...(o.strategy ? { strategy: o.strategy } : {}), k: o.k });
        matches.push(...r.matches);
        indexes.push(...r.indexes);
        tried = r.tried;
    }
    const query = { strategy: point.strategy, fingerprints: point.fingerprints, ...(path ? { file: path } : {}) };
    return { query, tried, matches: sortMatches(matches).slice(0, o.k), indexes, problems };
}
