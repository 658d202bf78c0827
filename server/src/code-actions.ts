/**
 * Quick fixes for diagnostics whose fix is mechanical. Each fix is chosen by the diagnostic's code
 * and built from what the diagnostic carries in `data` (language/src/validation/diagnostic-data.ts:
 * the suggested name, the index, the value, …) and from the AST at its range — never from its
 * message. AF003/AF007/AF204/AF207 (the suggested name, key, argument or member) replace the name; AF101 reads the past instead of the future; AF102 switches
 * `fill: this_close` to next_open; AF103 reads the last closed coarse bar (offset=1); AF210 writes
 * `highest`/`lowest` for a two-value `max`/`min` of a series and a window; AF211 drops the `%` of a
 * level compared with a 0–100 oscillator; AF301–AF303
 * delete the unused declaration (with its doc comment); AF401/AF402 move the default into range /
 * onto the grid; AF403 swaps an inverted range; AF602 turns a bare stop distance into a
 * percentage; AF603 (`target -50% long`) offers both readings: drop the minus, or drop it and flip
 * the side.
 */
import { AstUtils, CstUtils, GrammarUtils, type AstNode, type LangiumDocument, type MaybePromise } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Command, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import { DiagnosticData, FixData } from '../../language/src/validation/diagnostic-data.js';

export class AlphaForgeCodeActionProvider implements CodeActionProvider {
    getCodeActions(document: LangiumDocument, params: CodeActionParams): MaybePromise<(Command | CodeAction)[] | undefined> {
        return params.context.diagnostics.flatMap(d => this.fixes(document, d));
    }

    private fixes(document: LangiumDocument, d: Diagnostic): CodeAction[] {
        const edit = (title: string, edits: TextEdit[], preferred = true): CodeAction => ({
            title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred,
            edit: { changes: { [document.textDocument.uri]: edits } },
        });
        const replace = (title: string, newText: string): CodeAction[] => [edit(title, [{ range: d.range, newText }])];
        const fix = FixData.safeParse(d.data);
        if (fix.success) {
            const data = fix.data;
            switch (data.code) {
                case 'AF003': case 'AF007': case 'AF204': case 'AF207': return replace(`Change to '${data.suggestion}'`, data.suggestion);
                case 'AF101': return replace(`Use the past: [${data.lookback}]`, String(data.lookback));
                case 'AF103': return replace('Read the last closed bar (offset=1)', data.replacement);
                case 'AF210': return replace(`Use the rolling ${data.replacement.startsWith('highest') ? 'maximum' : 'minimum'}: ${data.replacement}`, data.replacement);
                case 'AF211': return replace(`Compare with ${data.replacement} (the 0–100 scale)`, data.replacement);
                case 'AF401': case 'AF402': return replace(`Set the default to ${data.value}`, String(data.value));
                case 'AF403': {
                    const p = this.nodeAt(document, d.range, ast.isParamDecl);
                    const lo = p?.low?.$cstNode, hi = p?.high?.$cstNode;
                    return lo && hi ? [edit(`Swap the bounds: ${hi.text}..${lo.text}`, [{ range: lo.range, newText: hi.text }, { range: hi.range, newText: lo.text }])] : [];
                }
                case 'AF602': return replace(`Make it ${data.percent} of the entry price`, data.percent);
                case 'AF603': return this.targetSideFixes(document, d.range).map(f => edit(f.title, f.edits, false));
            }
        }
        switch (codeOf(d)) {
            case 'AF102': {
                const fill = this.fillSetting(document, d.range);
                return fill ? [edit('Fill at the next open (fill: next_open)', [{ range: fill, newText: 'next_open' }])] : [];
            }
            case 'AF301': case 'AF302': case 'AF303': {
                const range = this.declarationLines(document, d.range);
                return range ? [edit('Remove the unused declaration', [{ range, newText: '' }], false)] : [];
            }
            default:
                return [];
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

/** The diagnostic's code: from its data (where Langium's examples keep it), else the LSP field. */
function codeOf(d: Diagnostic): string {
    const data = DiagnosticData.safeParse(d.data);
    return data.success ? data.data.code : String(d.code ?? '');
}
