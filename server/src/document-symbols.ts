/**
 * The outline: strategies with their params, features, signals and asset aliases; defs with their
 * parameters. Langium's provider descends into every AST node, recursively; declarations never
 * sit inside expressions, so this stops there — fewer nodes visited, and no stack overflow on an
 * expression nested thousands deep.
 */
import type { AstNode, LangiumDocument } from 'langium';
import { DefaultDocumentSymbolProvider } from 'langium/lsp';
import type { DocumentSymbol } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';

export class AlphaForgeDocumentSymbolProvider extends DefaultDocumentSymbolProvider {
    protected override getChildSymbols(document: LangiumDocument, astNode: AstNode): DocumentSymbol[] | undefined {
        if (ast.isExpression(astNode)) return undefined;
        return super.getChildSymbols(document, astNode);
    }
}
