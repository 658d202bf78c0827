/**
 * Signature help inside calls: the builtin's or def's parameters, with the current one highlighted.
 * While a call is being typed (`sma(`, `crossover(fast, `) the parse tree often has no call yet, so
 * the call is then found from the tokens before the cursor: the innermost `(` not yet closed,
 * the name before it, and the commas in between.
 */
import { AstUtils, CstUtils, type AstNode, type LangiumDocument, type Lexer, type MaybePromise } from 'langium';
import { AbstractSignatureHelpProvider } from 'langium/lsp';
import type { SignatureHelp, SignatureHelpOptions, SignatureHelpParams } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';
import { signatureOf } from './describe.js';

interface Signature { label: string; params: { label: string; documentation?: string }[]; doc?: string }

export class AlphaForgeSignatureHelpProvider extends AbstractSignatureHelpProvider {
    private offset = 0;
    private readonly lexer: Lexer;

    constructor(private readonly services: AlphaForgeLspServices) {
        super();
        this.lexer = services.parser.Lexer;
    }

    override get signatureHelpOptions(): SignatureHelpOptions {
        return { triggerCharacters: ['(', ','], retriggerCharacters: [','] };
    }

    override provideSignatureHelp(document: LangiumDocument, params: SignatureHelpParams): MaybePromise<SignatureHelp | undefined> {
        this.offset = document.textDocument.offsetAt(params.position);
        const root = document.parseResult.value.$cstNode;
        if (!root) return undefined;
        // The leaf just before the cursor belongs to (or is inside) the call we are in.
        const leaf = CstUtils.findLeafNodeBeforeOffset(root, this.offset);
        const call = leaf?.astNode ? AstUtils.getContainerOfType(leaf.astNode, ast.isCall) : undefined;
        return (call && this.getSignatureFromElement(call)) ?? this.fromTokens(document);
    }

    protected getSignatureFromElement(element: AstNode): MaybePromise<SignatureHelp | undefined> {
        if (!ast.isCall(element)) return undefined;
        const target = element.func?.ref;
        const signature = target && this.signatureOf(target);
        if (!signature) return undefined;
        // Active parameter: a named argument names it; otherwise count the commas before the cursor.
        const args = element.args;
        let active = 0;
        for (const [i, a] of args.entries()) {
            const r = a.$cstNode;
            if (r && r.offset <= this.offset) active = i;
            if (r && this.offset > r.end) active = i + 1;
        }
        return this.help(signature, active, args[Math.min(active, args.length - 1)]?.name);
    }

    private signatureOf(target: AstNode): Signature | undefined {
        const entry = ast.isExternFunction(target) ? this.services.alphaforge.Catalogue.get(target.name) : undefined;
        if (entry?.kind === 'function') {
            return {
                label: signatureOf(entry), doc: entry.doc,
                params: entry.params.map(p => ({ label: `${p.name}: ${p.type}${p.default !== undefined ? ` = ${p.default}` : ''}`, documentation: p.doc })),
            };
        }
        if (ast.isFunctionDef(target)) {
            const params = target.params.map(p => ({ label: p.type ? `${p.name}: ${p.type}` : p.name }));
            return { label: `${target.name}(${params.map(p => p.label).join(', ')})`, params };
        }
        return undefined;
    }

    private help(s: Signature, active: number, named: string | undefined): SignatureHelp {
        const names = s.params.map(p => p.label.split(':')[0]!.trim());
        if (named && names.includes(named)) active = names.indexOf(named);
        return {
            signatures: [{ label: s.label, documentation: s.doc, parameters: s.params.map(p => ({ label: p.label, documentation: p.documentation })) }],
            activeSignature: 0, activeParameter: Math.min(active, Math.max(0, s.params.length - 1)),
        };
    }

    /** The call being typed, from the tokens of the lines before the cursor. */
    private fromTokens(document: LangiumDocument): SignatureHelp | undefined {
        const text = document.textDocument.getText();
        let from = this.offset;
        for (let i = 0; i < 20 && from > 0; i++) from = text.lastIndexOf('\n', from - 2) + 1;
        const tokens = this.lexer.tokenize(text.slice(from, this.offset)).tokens;
        let commas = 0, depth = 0, open = -1;
        for (let i = tokens.length - 1; i >= 0 && open < 0; i--) {
            const t = tokens[i]!.image;
            if (t === ')' || t === ']') depth++;
            else if (t === '(' || t === '[') { if (depth === 0) { if (t === '[') return undefined; open = i; } else depth--; }
            else if (t === ',' && depth === 0) commas++;
            else if (depth === 0 && (t === '{' || t === '}' || t === '=>')) return undefined;
        }
        if (open < 1 || tokens[open - 1]!.tokenType.name !== 'ID') return undefined;
        let name = tokens[open - 1]!.image;
        for (let i = open - 2; i >= 1 && tokens[i]!.image === '.' && tokens[i - 1]!.tokenType.name === 'ID'; i -= 2) name = `${tokens[i - 1]!.image}.${name}`;
        const target = this.callable(document, name);
        const signature = target && this.signatureOf(target);
        if (!signature) return undefined;
        // `name =` at the start of the current argument names the parameter.
        let last = tokens.length - 1;
        while (last > open && tokens[last]!.image !== ',' && tokens[last]!.image !== '(') last--;
        const named = tokens[last + 2]?.image === '=' ? tokens[last + 1]?.image : undefined;
        return this.help(signature, commas, named);
    }

    /** A builtin, a def of this file, or a def of an imported file, by name. */
    private callable(document: LangiumDocument, name: string): AstNode | undefined {
        const model = document.parseResult.value as ast.Model;
        const local = model.elements?.find(e => ast.isFunctionDef(e) && e.name === name);
        if (local) return local;
        for (const type of [ast.ExternFunction, ast.FunctionDef]) {
            const d = this.services.shared.workspace.IndexManager.allElements(type).find(e => e.name === name);
            if (d?.node) return d.node;
        }
        return undefined;
    }
}
