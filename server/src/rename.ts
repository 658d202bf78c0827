/**
 * Rename: Langium renames a declaration and every reference to it across the workspace (so a
 * `def` of an imported library file is renamed in the library and in every strategy that calls
 * it). This refuses what must not be renamed — builtins of the catalogue (they live in the
 * generated library, not in a file of the user) — and new names that are not identifiers.
 */
import { AstUtils, CstUtils, type AstNode, type LangiumDocument, type Lexer, type MaybePromise } from 'langium';
import { DefaultRenameProvider } from 'langium/lsp';
import { ErrorCodes, ResponseError, type CancellationToken, type Range, type RenameParams, type TextDocumentPositionParams, type WorkspaceEdit } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';

export class AlphaForgeRenameProvider extends DefaultRenameProvider {
    private readonly lexer: Lexer;

    constructor(services: AlphaForgeLspServices) {
        super(services);
        this.lexer = services.parser.Lexer;
    }

    override async rename(document: LangiumDocument, params: RenameParams, cancelToken?: CancellationToken): Promise<WorkspaceEdit | undefined> {
        this.refuseBuiltin(document, params);
        const tokens = this.lexer.tokenize(params.newName).tokens;
        if (tokens.length !== 1 || tokens[0]!.tokenType.name !== 'ID' || tokens[0]!.image !== params.newName) {
            throw new ResponseError(ErrorCodes.InvalidParams, `'${params.newName}' is not a valid name: use letters, digits and _, not starting with a digit, and no keyword.`);
        }
        return super.rename(document, params, cancelToken);
    }

    override prepareRename(document: LangiumDocument, params: TextDocumentPositionParams, cancelToken?: CancellationToken): MaybePromise<Range | undefined> {
        this.refuseBuiltin(document, params);
        return super.prepareRename(document, params, cancelToken);
    }

    private refuseBuiltin(document: LangiumDocument, params: TextDocumentPositionParams): void {
        const target = this.targetAt(document, params);
        if (target && (ast.isExternDecl(target) || AstUtils.getDocument(target).uri.scheme === 'builtin')) {
            const name = (target as { name?: string }).name ?? 'this name';
            throw new ResponseError(ErrorCodes.InvalidRequest, `'${name}' is a builtin of the function catalogue and cannot be renamed.`);
        }
    }

    private targetAt(document: LangiumDocument, params: TextDocumentPositionParams): AstNode | undefined {
        const root = document.parseResult.value.$cstNode;
        if (!root) return undefined;
        const leaf = CstUtils.findDeclarationNodeAtOffset(root, document.textDocument.offsetAt(params.position), this.grammarConfig.nameRegexp);
        return leaf ? this.references.findDeclaration(leaf) : undefined;
    }
}
