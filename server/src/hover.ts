/**
 * Hover: catalogue documentation for builtins, doc comments and inferred types for declarations,
 * for a call the type and look-back of that very call (with its actual arguments), and for a
 * risk/execution/portfolio setting key what the setting does and its default.
 */
import { AstUtils, CstUtils, type AstNode, type LangiumDocument, type MaybePromise } from 'langium';
import { AstNodeHoverProvider } from 'langium/lsp';
import type { Hover, HoverParams } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';
import { SETTINGS, type Section } from '../../language/src/analysis/settings.js';
import { describeBuiltin, describeDeclaration, describeFacts } from './describe.js';

export class AlphaForgeHoverProvider extends AstNodeHoverProvider {
    constructor(private readonly services: AlphaForgeLspServices) {
        super(services);
    }

    override getHoverContent(document: LangiumDocument, params: HoverParams): MaybePromise<Hover | undefined> {
        const root = document.parseResult?.value?.$cstNode;
        if (root) {
            const leaf = CstUtils.findLeafNodeAtOffset(root, document.textDocument.offsetAt(params.position));
            const node = leaf?.astNode;
            // A call: the builtin's docs plus what this call computes.
            const call = node && (ast.isCall(node) ? node : undefined);
            if (call && leaf && call.func?.$refNode && CstUtils.isChildNode(leaf, call.func.$refNode)) {
                const entry = this.services.alphaforge.Catalogue.get(call.func.ref?.name ?? '');
                const facts = this.services.alphaforge.Analyzer.factsOf(call);
                if (entry) return md(`${describeBuiltin(entry)}\n\n---\nThis call: ${describeFacts(facts)}`);
            }
            // The strategy name: warm-up and parameter space.
            if (node && ast.isStrategy(node) && leaf && node.$cstNode && leaf.text === node.name) {
                const a = this.services.alphaforge.Analyzer.analyze(node);
                const free = a.params.params.filter(p => p.free).length;
                return md(`**strategy ${node.name}**\n\nWarm-up: ${a.warmup.bars} bars${a.warmup.maxBars > a.warmup.bars ? ` (up to ${a.warmup.maxBars})` : ''} · ${a.assets.length} asset(s) · ${free} free param(s), grid ${Number.isFinite(a.params.gridSize) ? a.params.gridSize.toLocaleString('en-US') : '∞'} · fill ${a.fill}`);
            }
            if (node && ast.isSetting(node) && leaf?.text === node.key) {
                const section: Section | undefined = ast.isRiskBlock(node.$container) ? 'risk' : ast.isExecutionBlock(node.$container) ? 'execution' : ast.isPortfolioBlock(node.$container) ? 'portfolio' : undefined;
                const spec = section ? SETTINGS[section][node.key] : undefined;
                if (spec) return md(`**${section}** setting \`${node.key}\`${spec.default !== undefined ? ` (default ${spec.default})` : ''}\n\n${spec.doc}`);
            }
            if (node && ast.isMemberExpr(node)) {
                const facts = this.services.alphaforge.Analyzer.factsOf(node);
                return md('```af\n' + (node.$cstNode?.text ?? '') + '\n```\n' + describeFacts(facts));
            }
        }
        return super.getHoverContent(document, params);
    }

    protected getAstNodeHoverContent(node: AstNode): MaybePromise<Hover | undefined> {
        const analyzer = this.services.alphaforge.Analyzer;
        const text = describeDeclaration(node, this.services.alphaforge.Catalogue, n => (AstUtils.getContainerOfType(n, ast.isStrategy) ? analyzer.factsOf(n) : undefined));
        return text ? md(text) : undefined;
    }
}

function md(value: string): Hover {
    return { contents: { kind: 'markdown', value } };
}
