/**
 * Quick fixes for diagnostics whose fix is mechanical, keyed by the diagnostic's code:
 * AF003/AF007/AF204/AF207 replace with the suggested name, AF101 flips a negative look-back,
 * AF301–AF303 delete the unused declaration, AF401/AF402 move the default into range / onto the
 * grid, AF602 turns a bare stop distance into a percentage, AF102 switches to next_open.
 */
import type { LangiumDocument, MaybePromise } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import { CodeActionKind, type CodeAction, type CodeActionParams, type Command, type Diagnostic, type TextEdit } from 'vscode-languageserver';

export class AlphaForgeCodeActionProvider implements CodeActionProvider {
    getCodeActions(document: LangiumDocument, params: CodeActionParams): MaybePromise<(Command | CodeAction)[] | undefined> {
        const out: CodeAction[] = [];
        for (const d of params.context.diagnostics) {
            const code = String(d.code ?? (d.data as { code?: string } | undefined)?.code ?? '');
            const action = this.fix(document, d, code);
            if (action) out.push(action);
        }
        return out;
    }

    private fix(document: LangiumDocument, d: Diagnostic, code: string): CodeAction | undefined {
        const text = document.textDocument.getText(d.range);
        const edit = (title: string, edits: TextEdit[], preferred = true): CodeAction => ({
            title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: preferred,
            edit: { changes: { [document.textDocument.uri]: edits } },
        });
        const suggestion = /did you mean '([^']+)'/.exec(d.message)?.[1];
        switch (code) {
            case 'AF003': case 'AF007': case 'AF204': case 'AF207':
                return suggestion ? edit(`Change to '${suggestion}'`, [{ range: d.range, newText: suggestion }]) : undefined;
            case 'AF101': {
                const m = /^-\s*(\d+)$/.exec(text.trim());
                return m ? edit(`Use the past: [${m[1]}]`, [{ range: d.range, newText: m[1]! }]) : undefined;
            }
            case 'AF301': case 'AF302': case 'AF303': {
                const line = d.range.start.line;
                const lineText = document.textDocument.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
                // Only when the declaration is alone on its line(s): delete the whole line.
                if (!/^\s*(param|feature|signal)\b/.test(lineText)) return undefined;
                return edit('Remove the unused declaration', [{ range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, newText: '' }], false);
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
            case 'AF602':
                return /^[\d.]+$/.test(text.trim()) ? edit(`Make it ${text.trim()}% of the entry price`, [{ range: d.range, newText: `${text.trim()}%` }]) : undefined;
            default:
                return undefined;
        }
    }
}
