/**
 * Inlay hints: the inferred type, unit and look-back after each feature and signal name, and the
 * warm-up after the strategy name — what the compiler knows, shown where you read the code.
 */
import { GrammarUtils, type AstNode } from 'langium';
import { AbstractInlayHintProvider, type InlayHintAcceptor } from 'langium/lsp';
import { InlayHintKind } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import { formatType } from '../../language/src/analysis/types.js';
import type { AlphaForgeLspServices } from './alphaforge-lsp-module.js';

export class AlphaForgeInlayHintProvider extends AbstractInlayHintProvider {
    constructor(private readonly services: AlphaForgeLspServices) {
        super();
    }

    computeInlayHint(node: AstNode, acceptor: InlayHintAcceptor): void {
        const analyzer = this.services.alphaforge.Analyzer;
        if (ast.isStrategy(node) && node.name) {
            const nameNode = GrammarUtils.findNodeForProperty(node.$cstNode, 'name');
            if (!nameNode) return;
            const w = analyzer.analyze(node).warmup;
            acceptor({ position: nameNode.range.end, label: ` warm-up ${w.bars} bars${w.maxBars > w.bars ? ` (≤ ${w.maxBars})` : ''}`, kind: InlayHintKind.Type, paddingLeft: true });
        } else if ((ast.isFeatureDecl(node) || ast.isSignalDecl(node)) && node.value) {
            const nameNode = GrammarUtils.findNodeForProperty(node.$cstNode, 'name');
            const f = analyzer.factsOf(node.value);
            if (!nameNode || !f || f.ty.kind === 'unknown') return;
            const lb = f.lookback > 0 ? ` · ${f.lookback} bars` : '';
            acceptor({ position: nameNode.range.end, label: `: ${formatType(f.ty)}${lb}`, kind: InlayHintKind.Type });
        }
    }
}
