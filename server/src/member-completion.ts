/**
 * Completion after a dot: the fields of an asset alias (`b.` → open, high, low, close, …) and the
 * outputs of a multi-output function, called or through a feature (`macd(close).`, `bands.` →
 * upper, mid, lower). Langium's completion parser only knows that a member name (FreeName: an ID
 * or one of several keywords) comes next and would offer those keywords; what may follow depends
 * on what the receiver is, which only the strategy's declarations and the catalogue say.
 *
 * The receiver is read from the text before the dot (the file is often broken there: `feature
 * probe = a.`), and resolved against the declarations of the strategy around the cursor.
 */
import type { LangiumDocument } from 'langium';
import { CompletionItemKind, type CompletionItem, type Range } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import { multiOutputCall } from '../../language/src/analysis/checker.js';
import type { Catalogue } from '../../language/src/catalogue/catalogue.js';
import { describeBuiltin } from './describe.js';

/**
 * The members that may follow the dot before `offset`, or undefined when the cursor is not after a
 * member dot (a number, a symbol such as `nyse:BRK.B`, or a receiver this module cannot resolve:
 * Langium's completion answers then). An empty list: the receiver has no members (`close.`).
 */
export function memberCompletions(document: LangiumDocument, offset: number, catalogue: Catalogue): CompletionItem[] | undefined {
    const text = document.textDocument.getText();
    const before = text.slice(Math.max(0, offset - 2000), offset);
    const m = /\.([A-Za-z_]\w*)?$/.exec(before);
    if (!m) return undefined;
    const typed = m[1] ?? '';
    const receiver = receiverOf(before.slice(0, m.index));
    if (!receiver) return undefined;
    const start = document.textDocument.positionAt(offset - typed.length);
    const range: Range = { start, end: document.textDocument.positionAt(offset) };
    const strategy = strategyAt(document, offset);

    const outputsOf = (fn: string): CompletionItem[] | undefined => {
        const outputs = catalogue.fn(fn)?.entry.outputs;
        return outputs?.map((o, i) => ({
            label: o, kind: CompletionItemKind.Property, detail: `output of ${fn}()${i === 0 ? ' (the default)' : ''}`,
            sortText: String(i).padStart(2, '0'), textEdit: { range, newText: o },
        }));
    };

    if (receiver.kind === 'call') {
        // A builtin of one output or a def: a value without members.
        return outputsOf(receiver.name) ?? (catalogue.fn(receiver.name) || isDef(document, receiver.name) ? [] : undefined);
    }
    const decls = strategy?.members ?? [];
    const isAlias = decls.filter(ast.isUniverseDecl).some(u => u.assets.some(a => a.name === receiver.name));
    if (isAlias) {
        return catalogue.allEntries().flatMap((e, i): CompletionItem[] => e.kind !== 'field' ? [] : [{
            label: e.name, kind: CompletionItemKind.Field, detail: `${receiver.name}.${e.name}: ${e.returns}`,
            documentation: { kind: 'markdown', value: describeBuiltin(e) }, sortText: String(i).padStart(3, '0'), textEdit: { range, newText: e.name },
        }]);
    }
    const feature = decls.filter(ast.isFeatureDecl).find(f => f.name === receiver.name);
    if (feature) {
        const call = multiOutputCall(feature.value);
        return (call?.func?.ref && outputsOf(call.func.ref.name)) || [];
    }
    // A field, param or signal (`close.`): a value, with no members.
    const known = catalogue.field(receiver.name) !== undefined
        || decls.some(d => (ast.isParamDecl(d) || ast.isSignalDecl(d)) && d.name === receiver.name);
    return known ? [] : undefined;
}

type Receiver = { kind: 'name'; name: string } | { kind: 'call'; name: string };

/** What stands before the dot: a name (`b`, `bands`, `x[1]`) or a call (`macd(close, 12)`). */
function receiverOf(text: string): Receiver | undefined {
    let end = text.length;
    while (end > 0 && /\s/.test(text[end - 1]!)) end--;
    // Look-backs keep the receiver's members: `bands[1].upper`.
    while (text[end - 1] === ']') {
        const open = matching(text, end - 1, '[', ']');
        if (open === undefined) return undefined;
        end = open;
    }
    let kind: Receiver['kind'] = 'name';
    if (text[end - 1] === ')') {
        const open = matching(text, end - 1, '(', ')');
        if (open === undefined) return undefined;
        end = open;
        kind = 'call';
    }
    const m = /([A-Za-z_]\w*)$/.exec(text.slice(0, end));
    if (!m) return undefined;
    const charBefore = text[end - m[1]!.length - 1];
    // `nyse:BRK.` is a symbol of the universe; `a.close.` a member of a member (none has members).
    if (charBefore === ':' || charBefore === '.' || /^\d/.test(m[1]!)) return undefined;
    return { kind, name: m[1]! };
}

/** The index of the bracket that opens the one closing at `close`, or undefined. */
function matching(text: string, close: number, open: string, closing: string): number | undefined {
    let depth = 0;
    for (let i = close; i >= 0; i--) {
        if (text[i] === closing) depth++;
        else if (text[i] === open && --depth === 0) return i;
        else if (text[i] === '\n' && depth > 0 && close - i > 1000) return undefined;
    }
    return undefined;
}

function isDef(document: LangiumDocument, name: string): boolean {
    return ((document.parseResult.value as ast.Model).elements ?? []).some(e => ast.isFunctionDef(e) && e.name === name);
}

/** The strategy whose text contains `offset` (its closing brace may be missing while typing). */
function strategyAt(document: LangiumDocument, offset: number): ast.Strategy | undefined {
    const model = document.parseResult.value as ast.Model;
    let found: ast.Strategy | undefined;
    for (const e of model.elements ?? []) {
        if (ast.isStrategy(e) && e.$cstNode && e.$cstNode.offset <= offset) found = e;
    }
    return found;
}
