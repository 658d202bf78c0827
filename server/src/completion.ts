/**
 * Completion: Langium proposes keywords and every name in scope (params, features, signals,
 * defs, builtins); after a dot, the receiver's fields or outputs (member-completion.ts, with `.` a
 * trigger character); this adds snippets with the required arguments of builtin functions,
 * catalogue docs, setting keys per block, and only the constants that fit a setting
 * (fill modes after `fill:`, schedules after `rebalance:`, weightings after `weight`).
 *
 * Speed: Langium lexes the whole file to find the tokens around the cursor, and re-parses the text
 * from the start of the file to the cursor to find what may come next — linear in the file, ~100 ms
 * at 2,000 lines. Here only the cursor's line is lexed (`backtrackToAnyToken`), and complete
 * declarations before the cursor, which cannot change the answer, are cut out of the text that is
 * re-parsed (`trimmedPrefix`).
 */
import { AstUtils, EMPTY_STREAM, GrammarAST, TextDocument, URI, type AstNode, type AstNodeDescription, type LangiumDocument, type LangiumDocuments, type MaybePromise, type ReferenceInfo, type Stream } from 'langium';
import { DefaultCompletionProvider, type CompletionAcceptor, type CompletionBacktrackingInformation, type CompletionContext, type CompletionProviderOptions, type CompletionValueItem, type NextFeature } from 'langium/lsp';
import { CompletionItemKind, InsertTextFormat, type CancellationToken, type CompletionList, type CompletionParams, type MarkupContent } from 'vscode-languageserver';
import { memberCompletions } from './member-completion.js';
import * as ast from '../../language/src/generated/ast.js';
import { SETTINGS, type Section } from '../../language/src/analysis/settings.js';
import { nestingError } from '../../language/src/parser-guard.js';
import type { Catalogue } from '../../language/src/catalogue/catalogue.js';
import type { CatalogueEntry } from '../../language/src/catalogue/pack-types.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';
import { describeBuiltin, signatureOf } from './describe.js';

export class AlphaForgeCompletionProvider extends DefaultCompletionProvider {
    private readonly catalogue: Catalogue;
    private readonly documents: LangiumDocuments;
    /** Registered with the client at initialize: typing `.` asks for the members (member-completion.ts). */
    override readonly completionOptions: CompletionProviderOptions = { triggerCharacters: ['.'] };

    constructor(services: AlphaForgeLspServices) {
        super(services);
        this.catalogue = services.alphaforge.Catalogue;
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    /**
     * A builtin's documentation, made once per catalogue entry: every completion of a name lists
     * every builtin, and building their markdown was a good part of a completion's time.
     */
    private readonly documentation = new WeakMap<CatalogueEntry, MarkupContent>();
    private documentationOf(entry: CatalogueEntry): MarkupContent {
        let doc = this.documentation.get(entry);
        if (!doc) this.documentation.set(entry, (doc = { kind: 'markdown', value: describeBuiltin(entry) }));
        return doc;
    }

    override async getCompletion(document: LangiumDocument, params: CompletionParams, cancelToken?: CancellationToken): Promise<CompletionList | undefined> {
        const members = memberCompletions(document, document.textDocument.offsetAt(params.position), this.catalogue);
        if (members) return { isIncomplete: false, items: members };
        // A `.` typed elsewhere (a number, `nyse:BRK.`) is no reason to list every name.
        if (params.context?.triggerCharacter === '.') return { isIncomplete: false, items: [] };
        return super.getCompletion(document, params, cancelToken);
    }

    /**
     * The tokens around the cursor. Langium lexes the whole file for this; lexing from the start
     * of the cursor's line (or an earlier one, until a token before the cursor is found) to its end
     * gives the same answer: tokens never span lines — except block comments, so a file with
     * `/*` is lexed whole.
     */
    protected override backtrackToAnyToken(text: string, offset: number): CompletionBacktrackingInformation {
        if (text.includes('/*')) return super.backtrackToAnyToken(text, offset);
        const lineEnd = text.indexOf('\n', offset) < 0 ? text.length : text.indexOf('\n', offset);
        let start = offset === 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
        for (let lines = 1; ; lines *= 4) {
            const r = super.backtrackToAnyToken(text.slice(start, lineEnd), offset - start);
            if (r.previousTokenStart !== undefined || start === 0) {
                const at = (o: number | undefined): number | undefined => (o === undefined ? undefined : o + start);
                return { nextTokenStart: r.nextTokenStart + start, nextTokenEnd: r.nextTokenEnd + start, previousTokenStart: at(r.previousTokenStart), previousTokenEnd: at(r.previousTokenEnd) };
            }
            for (let i = 0; i < lines && start > 0; i++) start = start <= 1 ? 0 : text.lastIndexOf('\n', start - 2) + 1;
        }
    }

    protected override findFeaturesAt(document: TextDocument, offset: number): NextFeature[] {
        // The completion parser is not guarded like the document parser: on brackets nested
        // hundreds deep it overflows the stack, or recovers for seconds. No proposals there.
        try {
            const trimmed = this.trimmedPrefix(document, offset);
            const prefix = trimmed ?? document.getText().slice(0, offset);
            if (nestingError(prefix)) return [];
            const features = trimmed === undefined
                ? super.findFeaturesAt(document, offset)
                : super.findFeaturesAt(TextDocument.create(document.uri, document.languageId, document.version, trimmed), trimmed.length);
            return features.length > 0 ? features : this.argumentFeatures(document, offset);
        } catch {
            return [];
        }
    }

    /**
     * Inside the argument list of a call (after `sma(`, `crossover(a, `, `length=`) Langium's
     * completion parser finds nothing: with the input ending there, it takes `sma` for a plain name,
     * which cannot be followed by `(`. There an argument — an expression — comes next: the features
     * are those at the start of any expression.
     */
    private argumentFeatures(textDocument: TextDocument, offset: number): NextFeature[] {
        if (!this.inCallArguments(textDocument.getText(), offset)) return [];
        const expressionStart = 'strategy S { feature f = ';
        return super.findFeaturesAt(TextDocument.create('memory:///expression-start.af', textDocument.languageId, 0, expressionStart), expressionStart.length);
    }

    /** Whether `offset` (a token boundary) is where an argument of a call starts, from the tokens of the few lines before it. */
    private inCallArguments(text: string, offset: number): boolean {
        let from = offset;
        for (let i = 0; i < 6 && from > 0; i++) from = text.lastIndexOf('\n', from - 2) + 1;
        const tokens = this.lexer.tokenize(text.slice(from, offset)).tokens;
        const image = (i: number): string | undefined => tokens[i]?.image;
        let i = tokens.length - 1;
        if (image(i) === '=') i -= 2; // a named argument: `name =`
        if (image(i) !== '(' && image(i) !== ',') return false;
        for (let depth = 0; i >= 0; i--) {
            const t = image(i);
            if (t === ')' || t === ']') depth++;
            else if (t === '[') { if (depth-- === 0) return false; }
            else if (t === '(') { if (depth-- === 0) return tokens[i - 1]?.tokenType.name === 'ID'; }
            else if (t === '{' || t === '}' || t === '=>' || t === ':') return false;
        }
        return false;
    }

    /**
     * The text before `offset` without the declarations that cannot matter to the parser state at
     * `offset`: of the top-level elements and of the strategy members that start before the cursor,
     * all but the last two are cut (the last but one is kept so that the one cut before it is
     * certainly closed by a following token, the last because the cursor may be in or right after
     * it). Cutting a run of complete members of a `(members+=Member)*` loop leaves the parser in the
     * same state. Only where the parse tree is of this very text and has no syntax error in the cut.
     */
    private trimmedPrefix(textDocument: TextDocument, offset: number): string | undefined {
        const document = this.documents.getDocument(URI.parse(textDocument.uri));
        const model = document?.parseResult.value as ast.Model | undefined;
        const text = textDocument.getText();
        if (!document || !model?.$cstNode || model.$cstNode.root.fullText !== text) return undefined;
        const errors = [
            ...document.parseResult.lexerErrors.map(e => e.offset),
            ...document.parseResult.parserErrors.map(e => (Number.isFinite(e.token.startOffset) ? e.token.startOffset : text.length)),
        ];
        const cuts: [number, number][] = [];
        /** Cuts in one list of sibling nodes; returns the last one starting before the cursor. */
        const cutIn = (nodes: readonly AstNode[]): AstNode | undefined => {
            let k = -1;
            for (let i = 0; i < nodes.length; i++) {
                const start = nodes[i]!.$cstNode?.offset;
                if (start === undefined) return undefined;
                if (start >= offset) break;
                k = i;
            }
            if (k >= 2) {
                const from = nodes[0]!.$cstNode!.offset, to = nodes[k - 1]!.$cstNode!.offset;
                if (from < to && !errors.some(e => e >= from && e < to)) cuts.push([from, to]);
            }
            return nodes[k];
        };
        const last = cutIn(model.elements ?? []);
        if (ast.isStrategy(last)) cutIn(last.members ?? []);
        if (cuts.length === 0) return undefined;
        let out = '', at = 0;
        for (const [from, to] of cuts) {
            out += text.slice(at, from) + '\n';
            at = to;
        }
        return out + text.slice(at, offset);
    }

    protected override completionFor(context: CompletionContext, next: NextFeature, acceptor: CompletionAcceptor): MaybePromise<void> {
        // `key=ID` of a setting: the next feature is the assignment, or the ID inside it.
        if (AstUtils.getContainerOfType(next.feature, GrammarAST.isAssignment)?.feature === 'key') {
            const section = sectionOf(context.node);
            if (section) {
                for (const [key, spec] of Object.entries(SETTINGS[section])) {
                    acceptor(context, {
                        label: key, kind: CompletionItemKind.Property, detail: `${section} setting`, documentation: { kind: 'markdown', value: spec.doc },
                        insertText: `${key}: $0`, insertTextFormat: InsertTextFormat.Snippet, sortText: '0',
                    });
                }
                return;
            }
        }
        return super.completionFor(context, next, acceptor);
    }

    protected override getReferenceCandidates(refInfo: ReferenceInfo, context: CompletionContext): Stream<AstNodeDescription> {
        const wanted = expectedEnum(context.node);
        let candidates: Stream<AstNodeDescription>;
        try {
            candidates = super.getReferenceCandidates(refInfo, context);
        } catch {
            // Langium hands the reference of a node its completion parser has not built yet (`flat`'s
            // assets) to the enclosing one (a rules block), whose type has no such reference: no names then.
            return EMPTY_STREAM;
        }
        return candidates.filter(d => {
            if (d.type !== 'ExternConst') return true;
            const c = this.catalogue.constant(d.name);
            return wanted !== undefined && c?.enumType === wanted;
        });
    }

    protected override createReferenceCompletionItem(d: AstNodeDescription): CompletionValueItem {
        const entry = this.catalogue.get(d.name);
        if (entry?.kind === 'function') {
            const required = entry.params.filter(p => p.default === undefined);
            const args = required.map((p, i) => `\${${i + 1}:${p.name}}`).join(', ');
            return {
                nodeDescription: d, kind: CompletionItemKind.Function, detail: signatureOf(entry),
                documentation: this.documentationOf(entry),
                insertText: `${d.name}(${args})$0`, insertTextFormat: InsertTextFormat.Snippet, sortText: '2',
            };
        }
        if (entry?.kind === 'field') return { nodeDescription: d, kind: CompletionItemKind.Field, detail: entry.returns, documentation: this.documentationOf(entry), sortText: '1' };
        if (entry?.kind === 'const') return { nodeDescription: d, kind: CompletionItemKind.EnumMember, detail: entry.enumType, documentation: entry.doc, sortText: '0' };
        const kind = d.type === 'FunctionDef' ? CompletionItemKind.Function
            : d.type === 'ParamDecl' ? CompletionItemKind.Constant
                : d.type === 'Asset' ? CompletionItemKind.Module : CompletionItemKind.Variable;
        const detail = { ParamDecl: 'param', FeatureDecl: 'feature', SignalDecl: 'signal', FunctionDef: 'def', Asset: 'asset', DefParam: 'def parameter' }[d.type] ?? d.type;
        return { nodeDescription: d, kind, detail, sortText: '0', ...(d.type === 'FunctionDef' ? { insertText: `${d.name}($1)$0`, insertTextFormat: InsertTextFormat.Snippet } : {}) };
    }
}

function sectionOf(node: ast.AlphaForgeAstType[keyof ast.AlphaForgeAstType] | undefined | object): Section | undefined {
    const n = node as Parameters<typeof AstUtils.getContainerOfType>[0] | undefined;
    if (!n) return undefined;
    if (AstUtils.getContainerOfType(n, ast.isRiskBlock)) return 'risk';
    if (AstUtils.getContainerOfType(n, ast.isExecutionBlock)) return 'execution';
    if (AstUtils.getContainerOfType(n, ast.isPortfolioBlock)) return 'portfolio';
    return undefined;
}

/** The enumeration a value at this position should come from, if any. */
function expectedEnum(node: object | undefined): string | undefined {
    const n = node as Parameters<typeof AstUtils.getContainerOfType>[0] | undefined;
    if (!n) return undefined;
    const setting = AstUtils.getContainerOfType(n, ast.isSetting);
    if (setting) {
        if (setting.key === 'fill') return 'fill_mode';
        if (setting.key === 'rebalance') return 'schedule';
        if (setting.key === 'max_drawdown') return 'breach_action';
        return undefined;
    }
    if (AstUtils.getContainerOfType(n, ast.isAllocation)) return 'weighting';
    return undefined;
}
