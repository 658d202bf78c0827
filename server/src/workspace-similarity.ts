/**
 * The language server's side of "find similar": the workspace scope. It keeps the language
 * library's WorkspacePoints (language/src/similarity/workspace-points.ts) for the first workspace
 * folder in memory, with exact search, current as documents are validated — debounced, off the
 * typing path, and only for documents whose text (or an import's) changed since they were
 * indexed. A document with syntax errors is not indexed (its last good points stay). Deleted
 * files leave the index. The first indexing of a large workspace reports LSP work-done progress.
 * No state directory, no database: `af similar` keeps its own persisted index of the same points.
 */
import { readFileSync } from 'node:fs';
import { DocumentState, URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Connection } from 'vscode-languageserver';
import { EMBEDDING_DIMS, type StrategyPoint } from '../../language/src/similarity/strategy-point.js';
import { SimilarityIndex } from '../../language/src/similarity/vector-index.js';
import { inputsHash, workspaceId, workspacePath, WorkspacePoints, type WorkspaceMeta } from '../../language/src/similarity/workspace-points.js';
import { Mutex } from '../../language/src/util/mutex.js';
import type { SimilarIndexInfo, SimilarMatch } from '../../protocol/src/daemon/index.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';

const DEBOUNCE_MS = 400;
const VALIDATION_WAIT_MS = 10_000;

/** Indexing a large workspace must not hold completions and hovers back: let pending requests run. */
const yieldToRequests = (): Promise<void> => new Promise(resolve => setImmediate(resolve));

export class WorkspaceSimilarity {
    private index: WorkspacePoints | undefined;
    private root: string | undefined;
    private pending = new Set<string>();
    private timer: NodeJS.Timeout | undefined;
    private ready: Promise<void> | undefined;
    private readonly mutex = new Mutex();

    constructor(private readonly connection: Connection, private readonly shared: LangiumSharedServices, private readonly services: AlphaForgeLspServices) {
        shared.lsp.LanguageServer.onInitialize(params => {
            const folder = params.workspaceFolders?.[0]?.uri ?? (params.rootUri ?? undefined);
            if (folder) this.root = URI.parse(folder).fsPath;
        });
        shared.workspace.DocumentBuilder.onBuildPhase(DocumentState.Validated, docs => {
            for (const d of docs) this.pending.add(d.uri.toString());
            this.schedule();
        });
        shared.workspace.DocumentBuilder.onUpdate((_changed, deleted) => {
            if (!deleted.length) return;
            void this.exclusive(async () => {
                await this.start();
                for (const u of deleted) {
                    const path = this.pathOf(u);
                    if (path) this.index?.removeFile(path);
                }
            });
        });
    }

    private exclusive<T>(fn: () => Promise<T>): Promise<T> {
        const next = this.mutex.run(fn);
        next.catch(e => this.connection.console.error(`alphaforge similarity: ${e instanceof Error ? e.message : String(e)}`));
        return next;
    }

    /** Path relative to the root, or undefined for documents outside it (builtins, other folders). */
    private pathOf(uri: URI): string | undefined {
        return uri.scheme === 'file' && this.root ? workspacePath(this.root, uri.fsPath) : undefined;
    }

    /** Opens the index once the workspace is loaded and indexes every document that changed since it was saved. */
    private start(): Promise<void> {
        this.ready ??= (async () => {
            await this.shared.workspace.WorkspaceManager.ready;
            const ix = this.index = new WorkspacePoints(this.root ?? '(no folder)', new SimilarityIndex<WorkspaceMeta>(EMBEDDING_DIMS, { backend: 'exact' }));
            const docs = this.shared.workspace.LangiumDocuments.all.filter(d => this.pathOf(d.uri) !== undefined).toArray();
            const known = ix.fileHashes();
            const live = new Set(docs.map(d => this.pathOf(d.uri)!));
            for (const path of known.keys()) if (!live.has(path)) ix.removeFile(path);
            const stale = docs.filter(d => known.get(this.pathOf(d.uri)!) !== this.hashOf(d));
            const progress = stale.length > 50 ? await this.connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
            progress?.begin('AlphaForge: indexing strategies for Find similar', 0, `${stale.length} files`, false);
            for (const [i, d] of stale.entries()) {
                // A build still running (an edit cancelled the first one) validates it later; the flush after that indexes it.
                if (d.state < DocumentState.Validated) this.pending.add(d.uri.toString());
                else this.indexDocument(d);
                if (i % 20 === 19) {
                    progress?.report(Math.round((100 * (i + 1)) / stale.length), `${i + 1}/${stale.length} files`);
                    await yieldToRequests();
                }
            }
            progress?.done();
        })();
        return this.ready;
    }

    private schedule(): void {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, DEBOUNCE_MS);
    }

    /** Indexes the documents validated since the last flush (a query calls this first, so answers are current). */
    flush(): Promise<void> {
        if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
        return this.exclusive(async () => {
            await this.start();
            const uris = [...this.pending];
            this.pending.clear();
            const docs = this.shared.workspace.LangiumDocuments;
            for (const [i, u] of uris.entries()) {
                const uri = URI.parse(u);
                if (!docs.hasDocument(uri)) continue;
                const d = docs.getDocument(uri)!;
                if (d.state < DocumentState.Validated) { this.pending.add(u); continue; }
                this.indexDocument(d);
                if (i % 20 === 19) await yieldToRequests();
            }
        });
    }

    /** The document's text and its imports' (as the editor has them, else as on disk). */
    private hashOf(d: LangiumDocument): string {
        const docs = this.shared.workspace.LangiumDocuments;
        return inputsHash(d.uri.fsPath, d.textDocument.getText(), file => {
            const u = URI.file(file);
            if (docs.hasDocument(u)) return docs.getDocument(u)!.textDocument.getText();
            try {
                return readFileSync(file, 'utf8');
            } catch {
                return undefined;
            }
        });
    }

    private indexDocument(d: LangiumDocument): void {
        const path = this.pathOf(d.uri);
        if (!path || !this.index) return;
        const hash = this.hashOf(d);
        if (this.index.fileHash(path) === hash) return;
        this.index.indexDocument(path, d.uri.toString(), hash, d, this.services);
    }

    /**
     * Waits (at most VALIDATION_WAIT_MS) until every workspace document is validated, so an answer
     * covers the whole workspace as it is now. Per document: Langium's global waitUntil can miss
     * the end of a build that was interrupted and resumed.
     */
    private validated(): Promise<void> {
        const waiting = (): LangiumDocument[] => this.shared.workspace.LangiumDocuments.all.filter(d => this.pathOf(d.uri) !== undefined && d.state < DocumentState.Validated).toArray();
        if (!waiting().length) return Promise.resolve();
        return new Promise(resolve => {
            const done = (): void => { clearTimeout(timer); listener.dispose(); resolve(); };
            const timer = setTimeout(() => {
                this.connection.console.warn(`alphaforge similarity: answering before ${waiting().length} document(s) finished validating`);
                done();
            }, VALIDATION_WAIT_MS);
            const listener = this.shared.workspace.DocumentBuilder.onDocumentPhase(DocumentState.Validated, () => { if (!waiting().length) done(); });
        });
    }

    /** The k workspace strategies nearest to `point` (the query's own entry left out). */
    async find(uri: string, point: StrategyPoint, k: number): Promise<{ matches: SimilarMatch[]; info: SimilarIndexInfo }> {
        await this.validated();
        await this.flush();
        const ix = this.index!;
        const path = this.pathOf(URI.parse(uri));
        return { matches: ix.find({ point, ...(path ? { self: workspaceId(path, point.strategy) } : {}) }, k), info: ix.info() };
    }
}
