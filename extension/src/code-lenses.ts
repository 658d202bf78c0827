/**
 * One row of code lenses above each strategy: ▶ Backtest · Sweep · Walk-forward · Show DAG ·
 * Find similar. Placement comes from a quick scan of the text (strategy-scan.ts), so the lenses
 * show at once and do not jump while the server re-parses.
 */
import * as vscode from 'vscode';
import { lensPlacements } from './strategy-scan.js';

export class StrategyCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<void>();
    readonly onDidChangeCodeLenses = this.changed.event;
    private readonly config: vscode.Disposable;

    constructor() {
        this.config = vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('alphaforge.codeLens')) this.changed.fire(); });
    }

    provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
        if (!vscode.workspace.getConfiguration('alphaforge').get<boolean>('codeLens.enabled', true)) return [];
        return lensPlacements(document.getText()).flatMap(({ strategy, commands }) => {
            const range = new vscode.Range(strategy.line, strategy.character, strategy.line, strategy.character + 'strategy'.length);
            return commands.map(c => new vscode.CodeLens(range, { command: c.command, title: c.title, tooltip: c.tooltip, arguments: [document.uri, strategy.name] }));
        });
    }

    dispose(): void {
        this.config.dispose();
        this.changed.dispose();
    }
}
