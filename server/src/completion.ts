/**
 * Completion: Langium proposes keywords and every name in scope (params, features, signals,
 * defs, builtins); this adds snippets with the required arguments of builtin functions,
 * catalogue docs, setting keys per block, and only the constants that fit a setting
 * (fill modes after `fill:`, schedules after `rebalance:`, weightings after `weight`).
 */
import { AstUtils, GrammarAST, type AstNodeDescription, type MaybePromise, type ReferenceInfo, type Stream } from 'langium';
import { DefaultCompletionProvider, type CompletionAcceptor, type CompletionContext, type CompletionValueItem, type NextFeature } from 'langium/lsp';
import { CompletionItemKind, InsertTextFormat } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import { SETTINGS, type Section } from '../../language/src/analysis/settings.js';
import type { Catalogue } from '../../language/src/catalogue/catalogue.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';
import { describeBuiltin, signatureOf } from './describe.js';

export class AlphaForgeCompletionProvider extends DefaultCompletionProvider {
    private readonly catalogue: Catalogue;

    constructor(services: AlphaForgeLspServices) {
        super(services);
        this.catalogue = services.alphaforge.Catalogue;
    }

    protected override completionFor(context: CompletionContext, next: NextFeature, acceptor: CompletionAcceptor): MaybePromise<void> {
        if (GrammarAST.isAssignment(next.feature) && next.feature.feature === 'key') {
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
        return super.getReferenceCandidates(refInfo, context).filter(d => {
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
                documentation: { kind: 'markdown', value: describeBuiltin(entry) },
                insertText: `${d.name}(${args})$0`, insertTextFormat: InsertTextFormat.Snippet, sortText: '2',
            };
        }
        if (entry?.kind === 'field') return { nodeDescription: d, kind: CompletionItemKind.Field, detail: entry.returns, documentation: { kind: 'markdown', value: describeBuiltin(entry) }, sortText: '1' };
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
