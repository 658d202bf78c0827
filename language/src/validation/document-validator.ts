/**
 * Gives Langium's own diagnostics (lexer, parser, linker) stable AlphaForge codes and clearer
 * messages: AF001 for syntax errors, AF003 for unknown names with a "did you mean".
 */
import { DefaultDocumentValidator, DocumentValidator, type Cancellation, type LangiumDocument, type ValidationOptions } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import { codeHref } from './alphaforge-validator.js';

export class AlphaForgeDocumentValidator extends DefaultDocumentValidator {
    override async validateDocument(document: LangiumDocument, options?: ValidationOptions, cancelToken?: Cancellation.CancellationToken): Promise<Diagnostic[]> {
        const diagnostics = await super.validateDocument(document, options, cancelToken);
        return diagnostics.map(d => this.withCode(d));
    }

    private withCode(d: Diagnostic): Diagnostic {
        const langiumCode = (d.data as { code?: string } | undefined)?.code;
        let code: string | undefined;
        let message = d.message;
        if (langiumCode === DocumentValidator.LexingError || langiumCode === DocumentValidator.ParsingError) {
            code = 'AF001';
            message = syntaxMessage(message);
        } else if (langiumCode === DocumentValidator.LinkingError) {
            code = 'AF003';
            const m = /named '([^']*)'/.exec(message);
            message = m ? `Unknown name '${m[1]}': not a param, feature, signal, asset alias, def or builtin in scope. Defs of other files need an import.` : message;
        }
        if (!code) return d;
        return { ...d, message, code, codeDescription: { href: codeHref(code) }, data: { ...(d.data as object), code } };
    }
}

function syntaxMessage(m: string): string {
    // Chevrotain lists every token it could accept; keep it short.
    const exp = /^Expecting (?:token of type|: one of these possible Token sequences:)?([\s\S]*?)but found:? ?(.*)$/.exec(m);
    if (!exp) return `Syntax error: ${m}`;
    const found = exp[2]!.trim().replace(/^'|'$/g, '');
    const wanted = [...exp[1]!.matchAll(/\[([^\]]+)\]|'([^']+)'/g)].map(x => (x[1] ?? x[2])!.trim()).filter(Boolean);
    const uniq = [...new Set(wanted)].slice(0, 6);
    const foundText = found === '' || found === 'EOF' ? 'the end of the file' : `'${found}'`;
    return uniq.length ? `Syntax error: expected ${uniq.join(' or ')} but found ${foundText}.` : `Syntax error: unexpected ${foundText}.`;
}
