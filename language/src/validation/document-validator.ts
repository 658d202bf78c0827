/**
 * Gives Langium's own diagnostics (lexer, parser, linker) stable AlphaForge codes and clearer
 * messages: AF001 for syntax errors, AF003 for unknown names with a "did you mean" (unknown-names.ts:
 * the nearest name in scope at the reference, ignoring case, or the builtin that does the job of a
 * name from another tool).
 */
import {
    DefaultDocumentValidator, DocumentValidator, interruptAndCheck,
    type AstNode, Cancellation, type LangiumDocument, type LinkingError, type ParseResult, type ValidationAcceptor, type ValidationOptions,
} from 'langium';
import { isCall, isModel } from '../generated/ast.js';
import type { AlphaForgeServices } from '../alphaforge-module.js';
import type { Catalogue } from '../catalogue/catalogue.js';

/** The only AST types with registered checks: every check works on a whole strategy, def or file. */
export const VALIDATED_TYPES: readonly string[] = ['Model', 'FunctionDef', 'Strategy'];
import type { Diagnostic } from 'vscode-languageserver-types';
import { codeHref } from './alphaforge-validator.js';
import { unknownName } from './unknown-names.js';

export class AlphaForgeDocumentValidator extends DefaultDocumentValidator {
    private readonly catalogue: Catalogue;
    private readonly scopes: AlphaForgeServices['references']['ScopeProvider'];

    constructor(services: AlphaForgeServices) {
        super(services);
        this.catalogue = services.alphaforge.Catalogue;
        this.scopes = services.references.ScopeProvider;
    }

    override async validateDocument(document: LangiumDocument, options?: ValidationOptions, cancelToken?: Cancellation.CancellationToken): Promise<Diagnostic[]> {
        const diagnostics = (await super.validateDocument(document, options, cancelToken)).map(d => this.withCode(document, d));
        // Semantic errors on a line the parser had to repair are mostly echoes of the syntax error.
        const broken = new Set(diagnostics.filter(d => d.code === 'AF001').map(d => d.range.start.line));
        return broken.size === 0 ? diagnostics : diagnostics.filter(d => d.code === 'AF001' || !broken.has(d.range.start.line));
    }

    /**
     * A missing size (`buy` with nothing after it) is noticed at the next token, often on the next
     * line (`}`); the error belongs on the keyword that needs it (syntax-errors.ts writes its message).
     */
    protected override processParsingErrors(parseResult: ParseResult, diagnostics: Diagnostic[], options: ValidationOptions): void {
        const atKeyword = (e: ParseResult['parserErrors'][number]): boolean => MISSING_SIZE.test(e.message) && 'previousToken' in e && Number.isFinite((e as { previousToken: IToken }).previousToken.startOffset);
        super.processParsingErrors({ ...parseResult, parserErrors: parseResult.parserErrors.filter(e => !atKeyword(e)) }, diagnostics, options);
        for (const e of parseResult.parserErrors.filter(atKeyword)) {
            const t = (e as unknown as { previousToken: IToken }).previousToken;
            diagnostics.push({
                severity: 1, message: e.message, source: this.getSource(), data: { code: DocumentValidator.ParsingError },
                range: { start: { line: t.startLine! - 1, character: t.startColumn! - 1 }, end: { line: t.endLine! - 1, character: t.endColumn! } },
            });
        }
    }

    /**
     * Langium visits every AST node (an async call per node); our checks live only on the root and
     * its top-level elements (VALIDATED_TYPES, asserted by a test), so visit just those.
     */
    protected override async validateAstNodes(rootNode: AstNode, options: ValidationOptions, acceptor: ValidationAcceptor, cancelToken?: Cancellation.CancellationToken): Promise<void> {
        const nodes: AstNode[] = [rootNode, ...(isModel(rootNode) ? rootNode.elements : [])];
        for (const node of nodes) {
            await interruptAndCheck(cancelToken ?? Cancellation.CancellationToken.None);
            for (const check of this.validationRegistry.getChecks(node.$type, options.categories)) {
                await check(node, acceptor, cancelToken ?? Cancellation.CancellationToken.None);
            }
        }
    }

    private withCode(document: LangiumDocument, d: Diagnostic): Diagnostic {
        const langiumCode = (d.data as { code?: string } | undefined)?.code;
        let code: string | undefined;
        let message = d.message;
        if (langiumCode === DocumentValidator.LexingError || langiumCode === DocumentValidator.ParsingError) {
            code = 'AF001';
            message = syntaxMessage(message);
        } else if (langiumCode === DocumentValidator.LinkingError) {
            code = 'AF003';
            const m = /named '([^']*)'/.exec(message);
            const pack = m ? this.catalogue.disabledPackOf(m[1]!) : undefined;
            if (m && pack !== undefined) {
                message = `Unknown name '${m[1]}': it comes from the capability pack '${pack}', which this workspace does not enable. Add the pack to the workspace's packs (af pack add ${pack}) to use it.`;
                return { ...d, message, code, codeDescription: { href: codeHref(code) }, data: { ...(d.data as object), code, pack } };
            }
            if (m) {
                const unknown = unknownName(m[1]!, this.namesInScope(document, d), isCall(this.referenceAt(document, d)?.container));
                const data = { ...(d.data as object), code, ...(unknown.suggestion ? { suggestion: unknown.suggestion } : {}) };
                return { ...d, message: unknown.message, code, codeDescription: { href: codeHref(code) }, data };
            }
        }
        if (!code) return d;
        return { ...d, message, code, codeDescription: { href: codeHref(code) }, data: { ...(d.data as object), code } };
    }

    private referenceAt(document: LangiumDocument, d: Diagnostic): LinkingError | undefined {
        const start = document.textDocument.offsetAt(d.range.start);
        return document.references.find(r => r.error && r.$refNode?.offset === start)?.error;
    }

    /** The names visible where an unresolved reference was written (none if the scope cannot be computed). */
    private namesInScope(document: LangiumDocument, d: Diagnostic): string[] {
        const error = this.referenceAt(document, d);
        if (!error) return [];
        try {
            return this.scopes.getScope(error).getAllElements().map(e => e.name).toArray();
        } catch {
            return [];
        }
    }
}

/** The positions of a chevrotain token (the type is not re-exported by Langium). */
interface IToken { startOffset: number; startLine?: number; startColumn?: number; endLine?: number; endColumn?: number }
const MISSING_SIZE = /^Syntax error: `(buy|sell|target)` needs/;

const EXPRESSION_START = new Set(['if', 'not', '-', '+', '(', 'NUMBER', 'DURATION', 'true', 'false', 'STRING', 'ID']);

function syntaxMessage(m: string): string {
    if (m.startsWith('Syntax error:')) return m; // already written for the reader (syntax-errors.ts)
    // Chevrotain lists every token sequence it could accept; keep it to one short line.
    const foundMatch = /but found:? *['`]?([\s\S]*?)['`]?\.?\s*$/.exec(m);
    const found = foundMatch?.[1]?.trim() ?? '';
    const head = foundMatch ? m.slice(0, foundMatch.index) : m;
    const wanted = [...head.matchAll(/\[([^\]]+)\]|type '([^']+)'|token '([^']+)'/g)].map(x => (x[1] ?? x[2] ?? x[3])!.trim());
    let uniq = [...new Set(wanted)];
    // The tokens that can start an expression are one idea for the reader.
    if (['NUMBER', 'ID', '('].every(t => uniq.includes(t))) {
        uniq = ['an expression', ...uniq.filter(t => !EXPRESSION_START.has(t))];
    }
    const shown = uniq.length > 8 ? [...uniq.slice(0, 8), '…'] : uniq;
    const foundText = found === '' || found === 'EOF' ? 'the end of the file' : `'${found}'`;
    if (/Redundant input/.test(m)) return `Syntax error: unexpected ${foundText}; expected the end of the file or a new declaration.`;
    return shown.length ? `Syntax error: expected ${shown.join(', ')} but found ${foundText}.` : `Syntax error: unexpected ${foundText}.`;
}
