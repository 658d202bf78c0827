/**
 * A strategy as the similarity indexes see it: its fingerprints, its embedding (of the
 * structural canonical DAG, so names, layout and parameter values do not move it) and its
 * signature (building blocks, for "how does it differ" in words). One function for every
 * caller — language server, CLI, daemon, MCP — so the same text gives the same point everywhere
 * (the runtime's `pointFromSource`, runtime/src/language-service/local.ts, for a text alone).
 */
import {
    canonicalDag, compileStrategy, dagSignature, EMBEDDING_VERSION, embedDag, fingerprintDag, isStrategy,
    type AlphaForgeServices, type DagSignature, type Model, type Strategy,
} from '../index.js';
import type { CompileProblem } from '../../../protocol/src/lsp.js';

export const EMBEDDING_DIMS = 256;
/** Recorded in every index's meta.json: an index written with another is rebuilt. */
export const EMBEDDING_KEY = `wl-v${EMBEDDING_VERSION}/${EMBEDDING_DIMS}`;

export interface StrategyPoint {
    readonly strategy: string;
    /** 0-based line of the strategy's declaration. */
    readonly line: number;
    readonly fingerprints: { readonly exact: string; readonly structural: string };
    readonly vector: number[];
    readonly signature: DagSignature;
}

export type PointResult = { readonly ok: true; readonly point: StrategyPoint } | { readonly ok: false; readonly errors: readonly CompileProblem[] };

/** The point of a strategy in a validated document (compile errors come back as problems, 1-based). */
export function strategyPoint(services: AlphaForgeServices, s: Strategy): PointResult {
    const r = compileStrategy(services, s);
    if (!r.ir) return { ok: false, errors: r.errors.map(e => ({ line: e.line, column: e.column, code: e.code, message: e.message })) };
    const structural = canonicalDag(r.ir, 'structural');
    return {
        ok: true,
        point: {
            strategy: s.name,
            line: s.$cstNode?.range.start.line ?? 0,
            fingerprints: { exact: fingerprintDag(canonicalDag(r.ir, 'exact')), structural: fingerprintDag(structural) },
            vector: embedDag(structural, { dims: EMBEDDING_DIMS }),
            signature: dagSignature(structural),
        },
    };
}

/** What the similarity code reads of a parsed document (a LangiumDocument has it). */
export interface ParsedDocument {
    readonly parseResult: {
        readonly value: unknown;
        readonly lexerErrors: readonly { message: string; line?: number; column?: number }[];
        readonly parserErrors: readonly { message: string; token: { startLine?: number; startColumn?: number } }[];
    };
}

/** Syntax (lexer/parser) errors of a document: such a file is never indexed (its last good points stay). */
export function syntaxErrors(doc: ParsedDocument): CompileProblem[] {
    return [
        ...doc.parseResult.lexerErrors.map(e => ({ line: e.line ?? 1, column: e.column ?? 1, code: 'AF001', message: e.message })),
        ...doc.parseResult.parserErrors.map(e => ({ line: e.token.startLine ?? 1, column: e.token.startColumn ?? 1, code: 'AF001', message: e.message })),
    ];
}

/**
 * The point of one strategy of a loaded, validated document: syntax errors (AF001), no such
 * strategy (AF000) and compile errors come back as problems. `strategy` picks one of several
 * (default: the first).
 */
export function pointOfDocument(services: AlphaForgeServices, document: ParsedDocument, strategy?: string | null): PointResult {
    const syntax = syntaxErrors(document);
    if (syntax.length) return { ok: false, errors: syntax };
    const all = (document.parseResult.value as Model).elements.filter(isStrategy);
    const s = strategy ? all.find(x => x.name === strategy) : all[0];
    if (!s) {
        const has = all.length ? ` (it has ${all.map(x => x.name).join(', ')})` : '';
        return { ok: false, errors: [{ line: 1, column: 1, code: 'AF000', message: strategy ? `no strategy named ${strategy}${has}` : 'no strategy in the source' }] };
    }
    return strategyPoint(services, s);
}
