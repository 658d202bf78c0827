/** Signature help inside calls: the builtin's or def's parameters, with the current one highlighted. */
import { AstUtils, CstUtils, type AstNode, type LangiumDocument, type MaybePromise } from 'langium';
import { AbstractSignatureHelpProvider } from 'langium/lsp';
import type { SignatureHelp, SignatureHelpOptions, SignatureHelpParams } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';
import { signatureOf } from './describe.js';

export class AlphaForgeSignatureHelpProvider extends AbstractSignatureHelpProvider {
    private offset = 0;

    constructor(private readonly services: AlphaForgeLspServices) {
        super();
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
        return call ? this.getSignatureFromElement(call) : undefined;
    }

    protected getSignatureFromElement(element: AstNode): MaybePromise<SignatureHelp | undefined> {
        if (!ast.isCall(element)) return undefined;
        const target = element.func?.ref;
        if (!target) return undefined;
        let label: string, params: { label: string; documentation?: string }[], doc: string | undefined;
        const entry = ast.isExternFunction(target) ? this.services.alphaforge.Catalogue.get(target.name) : undefined;
        if (entry?.kind === 'function') {
            label = signatureOf(entry);
            params = entry.params.map(p => ({ label: `${p.name}: ${p.type}${p.default !== undefined ? ` = ${p.default}` : ''}`, documentation: p.doc }));
            doc = entry.doc;
        } else if (ast.isFunctionDef(target)) {
            params = target.params.map(p => ({ label: p.type ? `${p.name}: ${p.type}` : p.name }));
            label = `${target.name}(${params.map(p => p.label).join(', ')})`;
        } else {
            return undefined;
        }
        // Active parameter: a named argument names it; otherwise count the commas before the cursor.
        const args = element.args;
        let active = 0;
        for (const [i, a] of args.entries()) {
            const r = a.$cstNode;
            if (r && r.offset <= this.offset) active = i;
            if (r && this.offset > r.end) active = i + 1;
        }
        const named = args[Math.min(active, args.length - 1)]?.name;
        const names = params.map(p => p.label.split(':')[0]!.trim());
        if (named && names.includes(named)) active = names.indexOf(named);
        return { signatures: [{ label, documentation: doc, parameters: params.map(p => ({ label: p.label, documentation: p.documentation })) }], activeSignature: 0, activeParameter: Math.min(active, Math.max(0, params.length - 1)) };
    }
}
