/**
 * One row of code lenses above each strategy: ▶ Backtest · Sweep · Walk-forward · Show DAG ·
 * Find similar. Placement comes from a quick scan of the text (strategy-scan.ts), so the lenses
 * show at once and do not jump while the server re-parses. While the daemon is connected the row
 * ends with the research ledger's line for the strategy's latest run (ledger-lens.ts), resolved
 * lazily and kept until a run completes.
 */
import * as vscode from 'vscode';
import type { StreamEvent } from '../../protocol/src/daemon/index.js';
import { latestLedgerRow, ledgerLensOf, type LedgerLens, type LedgerLensDaemon } from './ledger-lens.js';
import { lensPlacements } from './strategy-scan.js';

/** What the ledger lens needs of the daemon connection. */
export type LensDaemon = LedgerLensDaemon & { readonly connected: boolean; onEvent(l: (e: StreamEvent) => void): vscode.Disposable; onDidChangeState(l: (s: unknown) => void): vscode.Disposable };

/** A lens whose title is the strategy's ledger line, resolved when VS Code shows it. */
class LedgerCodeLens extends vscode.CodeLens {
    constructor(range: vscode.Range, readonly strategy: string) {
        super(range);
    }
}

export class StrategyCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<void>();
    readonly onDidChangeCodeLenses = this.changed.event;
    private readonly disposables: vscode.Disposable[] = [];
    /** Ledger lines by strategy name, until a run completes. */
    private readonly ledger = new Map<string, Promise<LedgerLens | undefined>>();

    constructor(private readonly daemon?: LensDaemon) {
        this.disposables.push(vscode.workspace.onDidChangeConfiguration(e => { if (e.affectsConfiguration('alphaforge.codeLens')) this.changed.fire(); }));
        if (daemon) {
            this.disposables.push(daemon.onEvent(e => {
                if (e.type === 'lifecycle' && e.state === 'completed') this.refreshLedger();
            }));
            // Connected, gone, another daemon or token: the ledger lines are another team's or none.
            this.disposables.push(daemon.onDidChangeState(() => this.refreshLedger()));
        }
    }

    provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
        if (!vscode.workspace.getConfiguration('alphaforge').get<boolean>('codeLens.enabled', true)) return [];
        return lensPlacements(document.getText()).flatMap(({ strategy, commands }) => {
            const range = new vscode.Range(strategy.line, strategy.character, strategy.line, strategy.character + 'strategy'.length);
            const lenses: vscode.CodeLens[] = commands.map(c => new vscode.CodeLens(range, { command: c.command, title: c.title, tooltip: c.tooltip, arguments: [document.uri, strategy.name] }));
            if (this.daemon?.connected) lenses.push(new LedgerCodeLens(range, strategy.name));
            return lenses;
        });
    }

    private refreshLedger(): void {
        this.ledger.clear();
        this.changed.fire();
    }

    async resolveCodeLens(lens: vscode.CodeLens): Promise<vscode.CodeLens> {
        if (!(lens instanceof LedgerCodeLens) || !this.daemon) return lens;
        let line = this.ledger.get(lens.strategy);
        if (!line) {
            const daemon = this.daemon, name = lens.strategy;
            // A failed look-up (daemon gone, a viewer without access) shows nothing rather than an error in the editor.
            line = latestLedgerRow(daemon, name).then(row => ledgerLensOf(name, row), () => undefined);
            this.ledger.set(name, line);
        }
        const l = await line;
        lens.command = l
            ? { title: l.title, tooltip: l.tooltip, command: l.filter ? 'alphaforge.openExperiments' : '', arguments: l.filter ? [l.filter] : [] }
            : { title: '', command: '' };
        return lens;
    }

    dispose(): void {
        for (const d of this.disposables) d.dispose();
        this.changed.dispose();
    }
}
