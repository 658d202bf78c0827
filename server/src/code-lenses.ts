/**
 * Code lenses served by the language server: ▶ Backtest · Sweep (when a param has a range) · Show
 * DAG · Find similar · Paper trade above each strategy, each a command the server executes itself
 * (commands.ts, over workspace/executeCommand). Any LSP client shows and runs them; VS Code keeps
 * its own lenses (the extension drops these in its language client's middleware).
 */
import type { LangiumDocument, MaybePromise } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CodeLens, CodeLensParams } from 'vscode-languageserver';
import * as ast from '../../language/src/generated/ast.js';
import { LspCommands, type StrategyRequest } from '../../protocol/src/lsp.js';

export class AlphaForgeCodeLensProvider implements CodeLensProvider {
    provideCodeLens(document: LangiumDocument, _params: CodeLensParams): MaybePromise<CodeLens[] | undefined> {
        const model = document.parseResult.value as ast.Model;
        return model.elements.filter(ast.isStrategy).flatMap(s => {
            const keyword = s.$cstNode?.range.start;
            if (!s.name || !keyword) return [];
            const range = { start: keyword, end: { line: keyword.line, character: keyword.character + 'strategy'.length } };
            const args: [StrategyRequest] = [{ uri: document.uri.toString(), strategy: s.name }];
            const swept = s.members.some(m => ast.isParamDecl(m) && m.low !== undefined);
            return [
                { range, command: { title: '▶ Backtest', command: LspCommands.backtest, arguments: args } },
                ...(swept ? [{ range, command: { title: 'Sweep', command: LspCommands.sweep, arguments: args } }] : []),
                { range, command: { title: 'Show DAG', command: LspCommands.showDag, arguments: args } },
                { range, command: { title: 'Find similar', command: LspCommands.findSimilar, arguments: args } },
                { range, command: { title: 'Paper trade', command: LspCommands.paperTrade, arguments: args } },
            ];
        });
    }
}
