/**
 * Quick fixes for diagnostics whose fix is mechanical, keyed by the diagnostic's code:
 * AF003 (the nearest name in scope), AF007/AF204/AF207 (the suggested key, argument or member)
 * replace the name; AF101 flips a negative look-back; AF102 switches `fill: this_close` to
 * next_open; AF103 reads the last closed coarse bar (offset=1); AF301–AF303 delete the unused
 * declaration (with its doc comment); AF401/AF402 move the default into range / onto the grid;
 * AF403 swaps an inverted range; AF602 turns a bare stop distance into a percentage; AF603
 * (`target -50% long`) offers both readings: drop the minus, or drop it and flip the side.
 */
import { AstUtils, CstUtils, GrammarUtils, type AstNode, type LangiumDocument, type MaybePromise, type ScopeProvider } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Command, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import { suggest } from '../../language/src/util/did-you-mean.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';

export class AlphaForgeCodeActionProvider implements CodeActionProvider {
    private readonly scopes: ScopeProvider;

    constructor(services: AlphaForgeLspServices) {
        this.scopes = services.references.ScopeProvider;
    }

    getCodeActions(document: LangiumDocument, params: CodeActionParams): MaybePromise<(Command | CodeAction)[] | undefined> {
        const out: CodeAction[] = [];
        for (const d of params.context.diagnostics) {
            const code = String(d.code ?? (d.data as { code?: string } | undefined)?.code ?? '');
            const action = this.fix(document, d, code);
            if (action) out.push(...(Array.isArray(action) ? action : [action]));
        }
        return out;
    }

    private fix(document: LangiumDocument, d: Diagnostic, code: string): CodeAction | CodeAction[] | undefined {
        const text = document.textDocument.getText(d.range);
        const edit = (title: string, edits: TextEdit[], preferred = true): CodeAction => ({
            title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred,
            edit: { changes: { [document.textDocument.uri]: edits } },
        });
        const suggestion = /did you mean '([^']+)'/.exec(d.message)?.[1];
        switch (code) {
            case 'AF003': {
                const name = suggestion ?? this.nearestInScope(document, d.range, text);
                return name ? edit(`Change to '${name}'`, [{ range: d.range, newText: name }]) : undefined;
            }
            case 'AF007': case 'AF204': case 'AF207':
                return suggestion ? edit(`Change to '${suggestion}'`, [{ range: d.range, newText: suggestion }]) : undefined;
            case 'AF101': {
                const m = /^-\s*(\d+)$/.exec(text.trim());
                return m ? edit(`Use the past: [${m[1]}]`, [{ range: d.range, newText: m[1]! }]) : undefined;
            }
            case 'AF102': {
                const fill = this.fillSetting(document, d.range);
                return fill ? edit('Fill at the next open (fill: next_open)', [{ range: fill, newText: 'next_open' }]) : undefined;
            }
            case 'AF103':
                return /^offset\s*=\s*0$/.test(text.trim()) ? edit('Read the last closed bar (offset=1)', [{ range: d.range, newText: 'offset=1' }]) : undefined;
            case 'AF301': case 'AF302': case 'AF303': {
                const range = this.declarationLines(document, d.range);
                return range ? edit('Remove the unused declaration', [{ range, newText: '' }], false) : undefined;
            }
            case 'AF401': {
                const m = /range (-?[\d.]+)\.\.(-?[\d.]+)/.exec(d.message), v = Number(text);
                if (!m || !Number.isFinite(v)) return undefined;
                const clamped = Math.min(Math.max(v, Number(m[1])), Number(m[2]));
                return edit(`Set the default to ${clamped}`, [{ range: d.range, newText: String(clamped) }]);
            }
            case 'AF402': {
                const m = /Nearest grid values: (-?[\d.]+) and (-?[\d.]+)/.exec(d.message);
                return m ? edit(`Set the default to ${m[1]}`, [{ range: d.range, newText: m[1]! }]) : undefined;
            }
            case 'AF403': {
                if (!/is empty: .*Write low\.\.high/.test(d.message)) return undefined;
                const p = this.nodeAt(document, d.range, ast.isParamDecl);
                const lo = p?.low?.$cstNode, hi = p?.high?.$cstNode;
                return lo && hi ? edit(`Swap the bounds: ${hi.text}..${lo.text}`, [{ range: lo.range, newText: hi.text }, { range: hi.range, newText: lo.text }]) : undefined;
            }
            case 'AF602':
                return /^[\d.]+$/.test(text.trim()) ? edit(`Make it ${text.trim()}% of the entry price`, [{ range: d.range, newText: `${text.trim()}%` }]) : undefined;
            case 'AF603':
                return this.targetSideFixes(document, d.range).map(f => edit(f.title, f.edits, false));
            default:
                return undefined;
        }
    }

    private nodeAt<T extends AstNode>(document: LangiumDocument, range: Range, is: (n: unknown) => n is T): T | undefined {
        const root = document.parseResult.value.$cstNode;
        const leaf = root && CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(range.start));
        return leaf ? AstUtils.getContainerOfType(leaf.astNode, is) : undefined;
    }

    /**
     * For `target -x long|short`: drop the minus (keep the written side), or drop it and write the
     * other side (the direction a positive x trades today). Nothing when the size is not a negation.
     */
    private targetSideFixes(document: LangiumDocument, range: Range): { title: string; edits: TextEdit[] }[] {
        const t = this.nodeAt(document, range, ast.isTarget);
        const size = t?.size;
        const minus = ast.isUnaryExpr(size) && size.operator === '-' ? GrammarUtils.findNodeForProperty(size.$cstNode, 'operator') : undefined;
        const sideNode = GrammarUtils.findNodeForProperty(t?.$cstNode, 'side');
        const operand = ast.isUnaryExpr(size) ? size.operand?.$cstNode : undefined;
        if (!t?.$cstNode || !minus || !sideNode || !operand) return [];
        const td = document.textDocument;
        const dropMinus: TextEdit = { range: { start: minus.range.start, end: operand.range.start }, newText: '' };
        const side = sideNode.text, other = side === 'long' ? 'short' : 'long';
        // The target's text after the edits, for the titles.
        const text = td.getText(), squash = (s: string): string => s.replace(/\s+/g, ' ');
        const before = squash(text.slice(t.$cstNode.offset, minus.offset)), middle = squash(text.slice(operand.offset, sideNode.offset));
        return [
            { title: `Go ${side}: target ${before}${middle}${side}`, edits: [dropMinus] },
            { title: `Go ${other}: target ${before}${middle}${other}`, edits: [dropMinus, { range: sideNode.range, newText: other }] },
        ];
    }

    /** The names in scope at an unresolved reference, nearest to what was written. */
    private nearestInScope(document: LangiumDocument, range: Range, written: string): string | undefined {
        const start = document.textDocument.offsetAt(range.start);
        const error = document.references.find(r => r.error && r.$refNode?.offset === start)?.error;
        if (!error) return undefined;
        try {
            return suggest(written, this.scopes.getScope(error).getAllElements().map(e => e.name));
        } catch {
            return undefined;
        }
    }

    /** The value of `fill: this_close` in the strategy of the diagnostic. */
    private fillSetting(document: LangiumDocument, range: Range): Range | undefined {
        const strategy = this.nodeAt(document, range, ast.isStrategy);
        for (const block of strategy?.members.filter(ast.isExecutionBlock) ?? []) {
            for (const s of block.settings) {
                if (s.key === 'fill' && s.value?.$cstNode?.text === 'this_close') return s.value.$cstNode.range;
            }
        }
        return undefined;
    }

    /**
     * The whole lines of the declaration at `range` with the doc comment above it, when the
     * declaration has its lines to itself; otherwise just the declaration's text.
     */
    private declarationLines(document: LangiumDocument, range: Range): Range | undefined {
        const decl = this.nodeAt(document, range, (n): n is ast.ParamDecl | ast.FeatureDecl | ast.SignalDecl => ast.isParamDecl(n) || ast.isFeatureDecl(n) || ast.isSignalDecl(n));
        const cst = decl?.$cstNode;
        if (!cst) return undefined;
        const td = document.textDocument;
        const lineText = (line: number): string => td.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
        const { start, end } = cst.range;
        const before = lineText(start.line).slice(0, start.character), after = lineText(end.line).slice(end.character);
        if (before.trim() !== '' || !/^\s*(\/\/.*)?$/.test(after)) return cst.range;
        let first = start.line;
        while (first > 0 && /^\s*\/\/\//.test(lineText(first - 1))) first--;
        return { start: { line: first, character: 0 }, end: { line: end.line + 1, character: 0 } };
    }
}
