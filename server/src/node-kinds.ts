/** Symbol and completion kinds of declarations (outline, breadcrumbs, workspace symbols). */
import type { AstNode, AstNodeDescription } from 'langium';
import { DefaultNodeKindProvider } from 'langium/lsp';
import { CompletionItemKind, SymbolKind } from 'vscode-languageserver';

const SYMBOL: Record<string, SymbolKind> = {
    Strategy: SymbolKind.Class, ParamDecl: SymbolKind.Constant, FeatureDecl: SymbolKind.Variable, SignalDecl: SymbolKind.Event,
    FunctionDef: SymbolKind.Function, DefParam: SymbolKind.Variable, Asset: SymbolKind.Module,
    ExternFunction: SymbolKind.Function, ExternField: SymbolKind.Field, ExternConst: SymbolKind.EnumMember,
};
const COMPLETION: Record<string, CompletionItemKind> = {
    Strategy: CompletionItemKind.Class, ParamDecl: CompletionItemKind.Constant, FeatureDecl: CompletionItemKind.Variable, SignalDecl: CompletionItemKind.Event,
    FunctionDef: CompletionItemKind.Function, DefParam: CompletionItemKind.Variable, Asset: CompletionItemKind.Module,
    ExternFunction: CompletionItemKind.Function, ExternField: CompletionItemKind.Field, ExternConst: CompletionItemKind.EnumMember,
};

const typeOf = (node: AstNode | AstNodeDescription): string => ('$type' in node ? node.$type : node.type);

export class AlphaForgeNodeKindProvider extends DefaultNodeKindProvider {
    override getSymbolKind(node: AstNode | AstNodeDescription): SymbolKind {
        return SYMBOL[typeOf(node)] ?? super.getSymbolKind(node);
    }

    override getCompletionItemKind(node: AstNode | AstNodeDescription): CompletionItemKind {
        return COMPLETION[typeOf(node)] ?? super.getCompletionItemKind(node);
    }
}
