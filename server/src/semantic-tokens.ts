/**
 * Semantic tokens: names coloured by what they refer to — params (parameters), features
 * (variables), signals (events), builtin functions, data fields (properties), constants (enum
 * members), assets (namespaces), defs (functions) — plus declarations marked as such.
 */
import type { AstNode } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';

function typeOfTarget(t: AstNode | undefined): string | undefined {
    if (ast.isParamDecl(t)) return SemanticTokenTypes.parameter;
    if (ast.isFeatureDecl(t)) return SemanticTokenTypes.variable;
    if (ast.isSignalDecl(t)) return SemanticTokenTypes.event;
    if (ast.isExternFunction(t)) return SemanticTokenTypes.function;
    if (ast.isFunctionDef(t)) return SemanticTokenTypes.function;
    if (ast.isExternField(t)) return SemanticTokenTypes.property;
    if (ast.isExternConst(t)) return SemanticTokenTypes.enumMember;
    if (ast.isAsset(t)) return SemanticTokenTypes.namespace;
    if (ast.isDefParam(t)) return SemanticTokenTypes.parameter;
    return undefined;
}

export class AlphaForgeSemanticTokenProvider extends AbstractSemanticTokenProvider {
    protected highlightElement(node: AstNode, acceptor: SemanticTokenAcceptor): void | 'prune' {
        if (ast.isRef(node)) {
            const type = typeOfTarget(node.ref?.ref);
            if (type) acceptor({ node, property: 'ref', type, modifier: ast.isExternDecl(node.ref?.ref) ? SemanticTokenModifiers.defaultLibrary : undefined });
        } else if (ast.isCall(node)) {
            const type = typeOfTarget(node.func?.ref);
            if (type) acceptor({ node, property: 'func', type, modifier: ast.isExternFunction(node.func?.ref) ? SemanticTokenModifiers.defaultLibrary : undefined });
        } else if (ast.isMemberExpr(node)) {
            acceptor({ node, property: 'member', type: SemanticTokenTypes.property });
        } else if (ast.isParamDecl(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.parameter, modifier: SemanticTokenModifiers.declaration });
        } else if (ast.isFeatureDecl(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.variable, modifier: SemanticTokenModifiers.declaration });
        } else if (ast.isSignalDecl(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.event, modifier: SemanticTokenModifiers.declaration });
        } else if (ast.isFunctionDef(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.function, modifier: SemanticTokenModifiers.declaration });
        } else if (ast.isStrategy(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.class, modifier: SemanticTokenModifiers.declaration });
        } else if (ast.isAsset(node)) {
            acceptor({ node, property: 'symbol', type: SemanticTokenTypes.string });
            if (node.name) acceptor({ node, property: 'name', type: SemanticTokenTypes.namespace, modifier: SemanticTokenModifiers.declaration });
        } else if (ast.isSetting(node)) {
            acceptor({ node, property: 'key', type: SemanticTokenTypes.property });
        } else if (ast.isNumberLit(node) || ast.isDurationLit(node)) {
            acceptor({ node, property: 'value', type: SemanticTokenTypes.number });
        }
    }
}
