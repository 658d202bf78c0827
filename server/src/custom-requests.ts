/**
 * Handlers of the custom requests in protocol/src/lsp.ts: IR, canonical DAG, the structural
 * diff of two strategies, fingerprints and "similar strategies" (nearest neighbours by embedding across the workspace).
 */
import { URI, type LangiumDocument } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type { Connection } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import { LspMethods, type Compiled, type CompileProblem, type DagView, type DiffRequest, type FingerprintResult, type SimilarRequest, type SimilarResult, type StrategyRequest } from '../../protocol/src/lsp.js';
import { EMBEDDING_DIMS, strategyPoint, syntaxErrors } from '../../language/src/similarity/strategy-point.js';
import { WorkspaceSimilarity } from './workspace-similarity.js';
import { compileStrategy } from '../../language/src/ir/build-ir.js';
import { canonicalDag } from '../../language/src/ir/dag.js';
import { diffStrategies, type DagDiff } from '../../language/src/ir/dag-diff.js';
import { fingerprints } from '../../language/src/ir/fingerprint.js';
import { embedDag } from '../../language/src/ir/embedding.js';
import type { StrategyIr } from '../../protocol/src/ir.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';
import { dagView } from './dag-view.js';

/** The handlers the server's commands reuse (commands.ts). */
export interface CustomRequestHandlers {
    readonly dagView: (p: StrategyRequest & { mode?: 'exact' | 'structural' }) => Promise<Compiled<DagView>>;
    readonly similar: (p: SimilarRequest) => Promise<Compiled<SimilarResult>>;
    /** The text of a workspace document, or undefined. */
    readonly sourceOf: (uri: string) => Promise<string | undefined>;
}

export function registerCustomRequests(connection: Connection, shared: LangiumSharedServices, services: AlphaForgeLspServices): CustomRequestHandlers {
    const documents = shared.workspace.LangiumDocuments;
    const builder = shared.workspace.DocumentBuilder;

    const ready = async (uri: string): Promise<LangiumDocument | undefined> => {
        const u = URI.parse(uri);
        await shared.workspace.WorkspaceManager.ready;
        if (!documents.hasDocument(u)) return undefined;
        // Every workspace document is validated (AlphaForgeWorkspaceManager), open or not.
        await builder.waitUntil(6 /* DocumentState.Validated */, u);
        return documents.getDocument(u);
    };
    const strategyOf = (doc: LangiumDocument | undefined, name?: string): ast.Strategy | undefined => {
        const model = doc?.parseResult.value as ast.Model | undefined;
        const all = model?.elements.filter(ast.isStrategy) ?? [];
        return name ? all.find(s => s.name === name) : all[0];
    };
    const notFound = (doc: LangiumDocument | undefined, p: StrategyRequest): Compiled<never> => (
        { ok: false, errors: [{ line: 1, column: 1, code: 'AF000', message: doc ? `no strategy${p.strategy ? ` named ${p.strategy}` : ''} in ${p.uri}` : `${p.uri} is not open in the workspace` }] });
    const compile = async (p: StrategyRequest): Promise<Compiled<StrategyIr>> => {
        const doc = await ready(p.uri);
        const s = strategyOf(doc, p.strategy);
        if (!s) return notFound(doc, p);
        const r = compileStrategy(services, s);
        return r.ir ? { ok: true, value: r.ir } : { ok: false, errors: r.errors.map(e => ({ line: e.line, column: e.column, code: e.code, message: e.message })) };
    };

    connection.onRequest(LspMethods.ir, compile);
    connection.onRequest(LspMethods.dag, async (p: StrategyRequest & { mode?: 'exact' | 'structural' }) => {
        const c = await compile(p);
        return c.ok ? { ok: true, value: canonicalDag(c.value, p.mode ?? 'exact') } : c;
    });
    const dagViewOf = async (p: StrategyRequest & { mode?: 'exact' | 'structural' }): Promise<Compiled<DagView>> => {
        const doc = await ready(p.uri);
        const s = strategyOf(doc, p.strategy);
        if (!s) return notFound(doc, p);
        const r = compileStrategy(services, s);
        return r.ir ? { ok: true, value: dagView(s, r.ir, p.mode ?? 'exact') } : { ok: false, errors: r.errors.map(e => ({ line: e.line, column: e.column, code: e.code, message: e.message })) };
    };
    connection.onRequest(LspMethods.dagView, dagViewOf);
    connection.onRequest(LspMethods.diff, async (p: DiffRequest): Promise<Compiled<DagDiff>> => {
        const [a, b] = [await compile(p.from), await compile(p.to)];
        // Which side failed: its errors are prefixed with its URI.
        const failed = (c: { errors: readonly CompileProblem[] }, side: StrategyRequest): Compiled<never> => ({ ok: false, errors: c.errors.map(e => ({ ...e, message: `${side.uri}: ${e.message}` })) });
        if (!a.ok) return failed(a, p.from);
        if (!b.ok) return failed(b, p.to);
        return { ok: true, value: diffStrategies(a.value, b.value) };
    });
    const fp = (ir: StrategyIr): FingerprintResult => ({ strategy: ir.strategy, ...fingerprints(ir), embedding: embedDag(canonicalDag(ir, 'structural'), { dims: EMBEDDING_DIMS }) });
    connection.onRequest(LspMethods.fingerprints, async (p: StrategyRequest): Promise<Compiled<FingerprintResult>> => {
        const c = await compile(p);
        return c.ok ? { ok: true, value: fp(c.value) } : c;
    });
    const similarity = new WorkspaceSimilarity(connection, shared, services);
    const similar = async (p: SimilarRequest): Promise<Compiled<SimilarResult>> => {
        const doc = await ready(p.uri);
        if (doc) {
            const syntax = syntaxErrors(doc);
            if (syntax.length) return { ok: false, errors: syntax.map(e => ({ ...e, message: `syntax error: ${e.message}; fix it first (the index was not changed)` })) };
        }
        const s = strategyOf(doc, p.strategy);
        if (!s) return notFound(doc, p);
        const r = strategyPoint(services, s);
        if (!r.ok) return r;
        const k = Math.max(1, Math.min(100, Math.floor(p.limit ?? 10)));
        const { matches, info } = await similarity.find(p.uri, r.point, k);
        const file = URI.parse(p.uri);
        return { ok: true, value: { query: { strategy: r.point.strategy, fingerprints: r.point.fingerprints, ...(file.scheme === 'file' ? { file: file.fsPath } : {}) }, tried: null, matches, indexes: [info] } };
    };
    connection.onRequest(LspMethods.similar, similar);
    connection.onRequest(LspMethods.strategies, async (p: { uri: string }) => {
        const doc = await ready(p.uri);
        const model = doc?.parseResult.value as ast.Model | undefined;
        return (model?.elements.filter(ast.isStrategy) ?? []).map(s => ({
            name: s.name, line: s.$cstNode?.range.start.line ?? 0, warmup: services.alphaforge.Analyzer.analyze(s).warmup.bars,
        }));
    });
    return { dagView: dagViewOf, similar, sourceOf: async uri => (await ready(uri))?.textDocument.getText() };
}
