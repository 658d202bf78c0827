/**
 * The operations of the language facade (language-service.ts), as a language worker runs them:
 * lint, compile with emit options, analyse, the similarity point of a strategy, compile-for-run
 * (the IR a run executes) and compile-for-publish (that IR plus the exact text of every file the
 * source imports, transitively, as compiled: what a registry entry records). Each takes plain data and answers plain data (it crosses a thread);
 * a caller's mistake is an RpcError (InvalidParams) with a message written for the caller.
 */
import { URI, type LangiumDocument } from 'langium';
import { canonicalDag, compileStrategy, dagToDot, diffStrategies, embedDag, fingerprints, isStrategy, type AlphaForgeServices, type DagDiff, type StrategyIr } from '../../../language/src/index.js';
import { ErrorCodes, RpcError, type ParamsOf, type ResultOf } from '../../../protocol/src/daemon/index.js';
import { pointOfDocument, type PointResult } from '../../../language/src/similarity/strategy-point.js';
import type { SourceWorkspace } from './source-workspace.js';
import type { ManifestSource } from '../../../language/src/catalogue/manifest-packs.js';
import { importsOf } from './workspace.js';

/** A source text and where it came from (imports resolve relative to `uri`). */
export interface SourceRef {
    readonly source: string;
    readonly uri?: string;
    readonly strategy?: string;
    /** Workspace packs to compile against besides the built-in ones: manifests only (data; no pack code runs here). */
    readonly packs?: readonly ManifestSource[];
}

/** The IR a run executes, or the one-line reason it cannot run (file:line:column code message). */
export type RunCompileResult =
    | { readonly ok: true; readonly ir: StrategyIr; readonly imports: boolean }
    | { readonly ok: false; readonly message: string };

/** A library a source imports (directly or through another library), as it was read for this compile. */
export interface ImportedText {
    readonly uri: string;
    readonly text: string;
}

/** compileForRun's answer plus the imported libraries' texts (URI order), or the one-line reason. */
export type PublishCompileResult =
    | { readonly ok: true; readonly ir: StrategyIr; readonly libraries: readonly ImportedText[] }
    | { readonly ok: false; readonly message: string };

/** A side of a diff: a source and, for a run or registry version, the parameter values it was recorded with. */
export interface DiffSource extends SourceRef {
    readonly values?: Readonly<Record<string, number | boolean>>;
}

/** The diff of two sources, or the one-line reason one of them does not compile (`side` says which). */
export type DiffResult =
    | { readonly ok: true; readonly diff: DagDiff }
    | { readonly ok: false; readonly side: 'from' | 'to'; readonly message: string };

export interface LangOps {
    lint: { params: ParamsOf<'lang.lint'>; result: ResultOf<'lang.lint'> };
    compile: { params: ParamsOf<'lang.compile'>; result: ResultOf<'lang.compile'> };
    analyse: { params: ParamsOf<'lang.analyse'>; result: ResultOf<'lang.analyse'> };
    point: { params: SourceRef; result: PointResult };
    compileForRun: { params: SourceRef; result: RunCompileResult };
    compileForPublish: { params: SourceRef; result: PublishCompileResult };
    diff: { params: { readonly from: DiffSource; readonly to: DiffSource }; result: DiffResult };
}
export type LangOp = keyof LangOps;
export type LangRequest = { [K in LangOp]: { readonly op: K; readonly params: LangOps[K]['params'] } }[LangOp];

export async function perform<K extends LangOp>(ws: SourceWorkspace, op: K, params: LangOps[K]['params']): Promise<LangOps[K]['result']> {
    const run = OPERATIONS[op] as (ws: SourceWorkspace, p: LangOps[K]['params']) => Promise<LangOps[K]['result']>;
    return run(ws, params);
}

const OPERATIONS: { [K in LangOp]: (ws: SourceWorkspace, p: LangOps[K]['params']) => Promise<LangOps[K]['result']> } = {
    lint: (ws, p) => ws.with(p.source, p.uri, ({ diagnostics }) => {
        const shown = diagnostics.filter(d => p.hints || d.severity !== 'hint');
        return { errors: diagnostics.filter(d => d.severity === 'error').length, warnings: diagnostics.filter(d => d.severity === 'warning').length, diagnostics: shown };
    }, { dataBars: p.bars, ...packsOf(p) }),

    compile: (ws, p) => ws.with(p.source, p.uri, ({ services, model, diagnostics }) => {
        const strategies = model.elements.filter(isStrategy);
        const names = strategies.map(x => x.name);
        const target = p.strategy !== undefined ? strategies.find(x => x.name === p.strategy) : strategies[0];
        if (p.strategy !== undefined && !target) throw new RpcError(ErrorCodes.InvalidParams, `no strategy '${p.strategy}' in the source; it has ${names.join(', ') || 'none'}`);
        const errors = diagnostics.filter(d => d.severity === 'error');
        const base = { diagnostics, strategies: names, strategy: target?.name ?? null };
        if (!target || errors.length > 0) return { ok: false, ...base };
        const compiled = compileStrategy(services, target);
        if (!compiled.ir) return { ok: false, ...base };
        const ir = compiled.ir;
        const out: ResultOf<'lang.compile'> = { ok: true, ...base };
        const emit = new Set(p.emit);
        if (emit.has('ir')) out.ir = ir;
        if (emit.has('dag')) out.dag = canonicalDag(ir, 'exact');
        if (emit.has('structural-dag')) out.dag = canonicalDag(ir, 'structural');
        if (emit.has('dot')) out.dot = dagToDot(canonicalDag(ir, 'exact'));
        if (emit.has('fingerprints')) out.fingerprints = fingerprints(ir);
        if (emit.has('embedding')) out.embedding = embedDag(canonicalDag(ir, 'structural'));
        return out;
    }, packsOf(p)),

    analyse: (ws, p) => ws.with(p.source, p.uri, ({ services, model, diagnostics, document }) => {
        const analyzer = services.alphaforge.Analyzer;
        const strategies = model.elements.filter(isStrategy).filter(x => p.strategy === undefined || x.name === p.strategy).map(st => {
            const a = analyzer.analyze(st);
            const compiled = diagnostics.some(d => d.severity === 'error') ? undefined : compileStrategy(services, st).ir;
            const line = document.textDocument.positionAt(st.$cstNode?.offset ?? 0).line + 1;
            return {
                name: st.name, line,
                universe: compiled ? compiled.universe.map(u => u.id) : a.assets.map(x => (x.$cstNode?.text ?? "").split(/\s+as\s+/)[0]!.trim()),
                timeframe: compiled ? { text: compiled.timeframe.text, ms: compiled.timeframe.ms } : (a.timeframeMs ? { text: `${a.timeframeMs / 60_000}m`, ms: a.timeframeMs } : null),
                warmup: { bars: a.warmup.bars, maxBars: a.warmup.maxBars },
                params: a.params.params.map(x => ({
                    name: x.name, type: x.type, default: x.default ?? null, low: x.low ?? null, high: x.high ?? null, step: x.step ?? null,
                    values: x.values && x.values.length <= 10_000 ? [...x.values] : null, free: x.free,
                })),
                gridSize: Number.isFinite(a.params.gridSize) ? a.params.gridSize : null,
                fill: a.fill,
                tags: compiled?.tags ? [...compiled.tags] : [],
                fingerprints: compiled ? fingerprints(compiled) : null,
            };
        });
        return { diagnostics, strategies };
    }, packsOf(p)),

    point: (ws, p) => ws.with(p.source, p.uri, ({ services, document }) => pointOfDocument(services, document, p.strategy), packsOf(p)),

    compileForRun: (ws, p) => compileOne(ws, p, false) as Promise<RunCompileResult>,

    compileForPublish: (ws, p) => compileOne(ws, p, true) as Promise<PublishCompileResult>,

    // Both compiles and the diff in one request: one time limit and heap limit bound them all.
    diff: async (ws, p) => {
        const irs: StrategyIr[] = [];
        for (const side of ['from', 'to'] as const) {
            const { values, ...ref } = p[side];
            const r = await compileOne(ws, ref, false);
            if (!r.ok) return { ok: false, side, message: r.message };
            // The recorded values as the defaults, as the engine's withParamValues does (the worker does not load the engine).
            irs.push(values ? { ...r.ir, params: r.ir.params.map(x => ({ ...x, default: values[x.name] ?? x.default })) } : r.ir);
        }
        return { ok: true, diff: diffStrategies(irs[0]!, irs[1]!) };
    },
};

/** The workspace packs the language service attached to a request (SourceRef.packs; lang.* params get them the same way), as ws.with's option. */
function packsOf(p: object): { packs?: readonly ManifestSource[] } {
    const packs = (p as { packs?: readonly ManifestSource[] }).packs;
    return packs?.length ? { packs } : {};
}

/** The IR of one strategy of a source (and, `withLibraries`, the texts of what it imports), or the one-line reason it does not compile. */
async function compileOne(ws: SourceWorkspace, p: SourceRef, withLibraries: boolean): Promise<RunCompileResult | PublishCompileResult> {
    let name = p.uri ?? 'source';
    try {
        if (p.uri) {
            const uri = URI.parse(p.uri);
            if (uri.scheme === 'file') name = uri.fsPath;
        }
    } catch {
        return { ok: false, message: `uri '${p.uri}' is not a URI` };
    }
    try {
        return await ws.with(p.source, p.uri, ({ services, model, diagnostics, document }): RunCompileResult | PublishCompileResult => {
            const strategies = model.elements.filter(isStrategy);
            const flat = diagnostics.filter(d => d.severity === 'error').map(d => ({ ...d, message: d.message.split('\n')[0]! }));
            const first = (list: readonly { line: number; column: number; code: string; message: string }[]): string => {
                const e = list[0]!;
                return `${name}:${e.line}:${e.column} ${e.code ? `${e.code} ` : ''}${e.message}${list.length > 1 ? ` (and ${list.length - 1} more error${list.length > 2 ? 's' : ''})` : ''}`;
            };
            let strategy;
            if (p.strategy !== undefined) {
                strategy = strategies.find(s => s.name === p.strategy);
                if (!strategy) {
                    if (flat.length) return { ok: false, message: first(flat) };
                    const names = strategies.map(s => s.name).filter(Boolean);
                    return { ok: false, message: `${name}: no strategy '${p.strategy}'${names.length ? `; it has ${names.join(', ')}` : ''}` };
                }
            } else {
                if (strategies.length === 0) return { ok: false, message: flat.length ? first(flat) : `${name}: no strategy to run` };
                if (strategies.length > 1) return { ok: false, message: `${name} has ${strategies.length} strategies (${strategies.map(s => s.name).join(', ')}); say which one to run (strategy)` };
                strategy = strategies[0]!;
            }
            const result = compileStrategy(services, strategy);
            // The text's own errors in order of position (an unreadable import, line 1, before the names it would define).
            const errors = flat.length ? flat : result.errors.map(e => ({ ...e, message: e.message.split('\n')[0]! }));
            if (!result.ir) return { ok: false, message: errors.length ? first(errors) : `${name}: the strategy does not compile` };
            if (withLibraries) return { ok: true, ir: result.ir, libraries: importedTexts(services, document) };
            return { ok: true, ir: result.ir, imports: model.imports.length > 0 };
        }, packsOf(p));
    } catch (e) {
        return { ok: false, message: `${name}: cannot compile: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
    }
}

/** Every document `doc` imports, transitively, with the text this request compiled (the workspace loaded them all). */
function importedTexts(services: AlphaForgeServices, doc: LangiumDocument): ImportedText[] {
    const documents = services.shared.workspace.LangiumDocuments;
    const seen = new Set<string>([doc.uri.toString()]);
    const out: ImportedText[] = [];
    const queue = importsOf(doc);
    while (queue.length) {
        const u = queue.shift()!;
        const key = u.toString();
        if (seen.has(key)) continue;
        seen.add(key);
        const d = documents.getDocument(u);
        if (!d) continue; // unreadable: the compile already failed with AF004
        out.push({ uri: key, text: d.textDocument.getText() });
        queue.push(...importsOf(d));
    }
    return out.sort((a, b) => a.uri.localeCompare(b.uri));
}
