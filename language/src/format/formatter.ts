/**
 * The canonical formatter. It walks the document's tokens (CST leaves, comments included) and
 * decides the whitespace between every two consecutive tokens from their kinds and the AST nodes
 * they belong to, so every piece of layout is decided by the formatter (one canonical layout) and
 * comments stay where they were. Formatting its own output changes nothing.
 *
 * Layout: 2-space indentation by brace depth; each import, top-level element, strategy member,
 * rule, setting and portfolio item on its own line; one blank line between top-level elements;
 * at most one blank line elsewhere, kept where the source had one; expressions on one line.
 * A document with syntax errors is not formatted (like gofmt): the errors are returned instead.
 */
import { CstUtils, GrammarUtils, URI, isLeafCstNode, type AstNode, type CstNode, type LangiumDocument, type LeafCstNode } from 'langium';
import * as ast from '../generated/ast.js';
import type { AlphaForgeServices } from '../alphaforge-module.js';

export type FormatResult =
    | { readonly ok: true; readonly text: string }
    | { readonly ok: false; readonly errors: readonly { readonly line: number; readonly column: number; readonly message: string }[] };

interface Tok {
    readonly leaf: LeafCstNode;
    readonly text: string;
    readonly kind: string;
    readonly node: AstNode;
    readonly startLine: number;
    readonly endLine: number;
    readonly comment: boolean;
}

const INDENT = '  ';
const BLOCKS = new Set(['Strategy', 'RulesBlock', 'RiskBlock', 'ExecutionBlock', 'PortfolioBlock']);
const BINARY = new Set(['+', '-', '*', '/', '<', '<=', '>', '>=', '==', '!=', 'and', 'or']);

export function formatDocument(document: LangiumDocument): FormatResult {
    const pr = document.parseResult;
    if (pr.lexerErrors.length > 0 || pr.parserErrors.length > 0) {
        return {
            ok: false,
            errors: [
                ...pr.lexerErrors.map(e => ({ line: e.line ?? 1, column: e.column ?? 1, message: e.message })),
                ...pr.parserErrors.map(e => ({ line: e.token.startLine ?? 1, column: e.token.startColumn ?? 1, message: e.message })),
            ],
        };
    }
    const root = pr.value.$cstNode;
    if (!root) return { ok: true, text: '' };
    return { ok: true, text: layout(tokens(root), lineStarts(pr.value)) };
}

export async function formatText(services: AlphaForgeServices, text: string): Promise<FormatResult> {
    // Parsing alone decides the layout: no linking or validation needed.
    const doc = services.shared.workspace.LangiumDocumentFactory.fromString(text, URI.parse('memory:///format.af'));
    return formatDocument(doc);
}

function tokens(root: CstNode): Tok[] {
    const out: Tok[] = [];
    for (const n of CstUtils.streamCst(root)) {
        if (!isLeafCstNode(n)) continue;
        const leaf = n as LeafCstNode;
        if (leaf.length === 0) continue;
        const kind = leaf.tokenType.name;
        out.push({
            leaf, text: leaf.text, kind, node: leaf.astNode, startLine: leaf.range.start.line, endLine: leaf.range.end.line,
            comment: kind === 'SL_COMMENT' || kind === 'ML_COMMENT' || kind === 'DOC_COMMENT',
        });
    }
    return out;
}

/** Offsets of the tokens that begin a line, with the depth-0 ones marked as top-level items. */
function lineStarts(model: AstNode): { starts: Map<number, 'top' | 'import' | 'member'> } {
    const starts = new Map<number, 'top' | 'import' | 'member'>();
    const first = (n: AstNode | undefined): number | undefined => {
        const c = n?.$cstNode;
        if (!c) return undefined;
        for (const x of CstUtils.streamCst(c)) if (isLeafCstNode(x) && !x.hidden && x.length > 0) return x.offset;
        return undefined;
    };
    const mark = (n: AstNode | undefined, kind: 'top' | 'import' | 'member'): void => {
        const o = first(n);
        if (o !== undefined) starts.set(o, kind);
    };
    if (!ast.isModel(model)) return { starts };
    for (const i of model.imports) mark(i, 'import');
    for (const el of model.elements) {
        mark(el, 'top');
        if (!ast.isStrategy(el)) continue;
        for (const m of el.members) {
            mark(m, 'member');
            if (ast.isRulesBlock(m)) for (const r of m.rules) mark(r, 'member');
            if (ast.isRiskBlock(m) || ast.isExecutionBlock(m)) for (const s of m.settings) mark(s, 'member');
            if (ast.isPortfolioBlock(m)) for (const it of m.items) mark(it, 'member');
        }
    }
    return { starts };
}

function isBrace(t: Tok, b: '{' | '}'): boolean {
    return t.text === b && BLOCKS.has(t.node.$type);
}

function layout(toks: readonly Tok[], { starts }: { starts: Map<number, 'top' | 'import' | 'member'> }): string {
    const out: string[] = [];
    let depth = 0;
    let line = '';
    let lastKind: 'top' | 'import' | 'member' | undefined;
    const flush = (): void => {
        out.push(line.length ? INDENT.repeat(lineDepth) + line : '');
        line = '';
    };
    let lineDepth = 0;
    const newLine = (blank: boolean): void => {
        if (line.length) flush();
        if (blank && out.length > 0 && out[out.length - 1] !== '') out.push('');
        lineDepth = depth;
    };

    for (let i = 0; i < toks.length; i++) {
        const t = toks[i]!;
        const prev = i > 0 ? toks[i - 1] : undefined;
        const sourceBlank = prev !== undefined && t.startLine - prev.endLine >= 2;
        if (isBrace(t, '}')) depth--;

        let startsLine = false, blank = false;
        if (prev === undefined) {
            startsLine = true;
        } else if (t.comment && t.startLine === prev.endLine && prev.kind !== 'SL_COMMENT' && prev.kind !== 'DOC_COMMENT') {
            startsLine = false; // a trailing comment stays on its line, even after `{`
        } else if (prev.kind === 'SL_COMMENT' || prev.kind === 'DOC_COMMENT' || isBrace(prev, '{') || isBrace(t, '}')) {
            startsLine = true;
            blank = sourceBlank && !isBrace(prev, '{') && !isBrace(t, '}');
        } else if (t.comment && t.startLine > prev.endLine) {
            startsLine = true;
            blank = sourceBlank;
        } else if (starts.has(t.leaf.offset)) {
            startsLine = true;
            blank = sourceBlank;
        }
        if (startsLine && prev !== undefined) {
            // Top-level items (with the comments directly above them) are separated by one blank line.
            const item = itemAt(toks, i, starts);
            // (A comment directly above the item already got the blank line.)
            if (item === 'top' && lastKind !== undefined && depth === 0 && !(prev.comment && !sourceBlank)) blank = true;
            if (item === 'import' && lastKind === 'import') blank = sourceBlank;
            if (item === 'top' || item === 'import') {
                if (!t.comment) lastKind = item;
            }
            if (isBrace(prev, '{') || isBrace(t, '}')) blank = false;
            newLine(blank);
        } else if (prev === undefined) {
            lineDepth = depth;
            if (starts.get(t.leaf.offset) === 'top' || starts.get(t.leaf.offset) === 'import') lastKind = starts.get(t.leaf.offset);
        } else {
            line += space(prev, t);
        }
        line += t.comment ? t.text.replace(/\s+$/, '') : t.text;
        if (isBrace(t, '{')) depth++;
    }
    if (line.length) flush();
    while (out.length && out[out.length - 1] === '') out.pop();
    return out.join('\n') + '\n';
}

/** What kind of item a line beginning at token i starts; own-line comments take the kind of the item they sit on. */
function itemAt(toks: readonly Tok[], i: number, starts: Map<number, 'top' | 'import' | 'member'>): 'top' | 'import' | 'member' | undefined {
    let j = i;
    while (j < toks.length && toks[j]!.comment) {
        const next = toks[j + 1];
        if (!next || next.startLine - toks[j]!.endLine >= 2) return undefined; // a detached comment
        j++;
    }
    const t = toks[j];
    return t ? starts.get(t.leaf.offset) : undefined;
}

function inSymbol(t: Tok): boolean {
    // Tokens of `venue:BASE/QUOTE` in a universe entry (everything of an Asset before `as`).
    if (!ast.isAsset(t.node)) return false;
    const sym = GrammarUtils.findNodeForProperty(t.node.$cstNode, 'symbol');
    return sym !== undefined && t.leaf.offset >= sym.offset && t.leaf.end <= sym.end;
}

function isUnaryOp(t: Tok): boolean {
    return ast.isUnaryExpr(t.node) && (t.text === '-' || t.text === '+' || t.text === 'not') && t.node.$cstNode?.offset === t.leaf.offset;
}

/** The whitespace between two tokens on the same line. */
function space(prev: Tok, t: Tok): string {
    if (t.comment) return ' ';
    if (inSymbol(prev) && inSymbol(t)) return '';
    if (t.text === ',' || t.text === ')' || t.text === ']') return '';
    if (prev.text === '(' || prev.text === '[') return '';
    if (t.text === '.' || prev.text === '.' || t.text === '..' || prev.text === '..') return '';
    if (t.text === '%' && t.kind !== 'ID') return '';
    if (t.text === ':') return '';
    if (t.text === '[') return '';
    if (t.text === '(') {
        // A call or a def: no space after the name; a parenthesised expression: a space.
        if ((ast.isCall(t.node) || ast.isFunctionDef(t.node) || ast.isExternFunction(t.node)) && prev.node === t.node) return '';
        return ' ';
    }
    if ((t.text === '=' && ast.isArgument(t.node)) || (prev.text === '=' && ast.isArgument(prev.node))) return ''; // named argument
    if (isUnaryOp(prev)) return prev.text === 'not' ? ' ' : '';
    if (BINARY.has(t.text) || BINARY.has(prev.text)) return ' ';
    return ' ';
}
