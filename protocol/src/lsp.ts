/**
 * Custom requests of the AlphaForge language server: the one place their names and shapes are
 * defined. The server registers handlers for them; the VS Code extension and agents send them.
 * Plain data only (no LSP library types), so any JSON-RPC client can use it.
 */
import type { StrategyIr } from './ir.js';
import type { CanonicalDag } from './ir.js';
import type { SimilarResult } from './daemon/index.js';
import type { DagDiff } from './dag-diff.js';

export interface StrategyRequest {
    /** Document URI as the client knows it. */
    readonly uri: string;
    /** Which strategy of the file (default: the first). */
    readonly strategy?: string;
}

export interface CompileProblem {
    readonly line: number;
    readonly column: number;
    readonly code: string;
    readonly message: string;
}

export type Compiled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly CompileProblem[] };

export interface FingerprintResult {
    readonly strategy: string;
    readonly structural: string;
    readonly exact: string;
    readonly embedding: readonly number[];
}

export interface SimilarRequest extends StrategyRequest {
    /** How many neighbours (default 10). */
    readonly limit?: number;
}

/**
 * The workspace's strategies nearest to one: the same result shape as the daemon's similar.find
 * (protocol/src/daemon/), with scope 'workspace' matches only.
 */
export type { SimilarMatch, SimilarResult } from './daemon/index.js';

/** A DAG node with the source range it came from (for click-to-reveal). */
export interface DagView {
    readonly strategy: string;
    readonly dag: CanonicalDag;
    /** DAG node index → source ranges (0-based line/character) of the IR nodes merged into it. */
    readonly ranges: Readonly<Record<number, readonly { readonly start: { line: number; character: number }; readonly end: { line: number; character: number } }[]>>;
    /** DAG node index → the param, feature and signal names it came from. */
    readonly names: Readonly<Record<number, readonly string[]>>;
}

export const LspMethods = {
    ir: 'alphaforge/ir',
    dag: 'alphaforge/dag',
    fingerprints: 'alphaforge/fingerprints',
    similar: 'alphaforge/similar',
    strategies: 'alphaforge/strategies',
    /** The canonical DAG with its source map and names: what the DAG panel shows. */
    dagView: 'alphaforge/dagView',
    /** The structural difference of two strategies (the same JSON as `af diff --json` and the daemon's lang.diff). */
    diff: 'alphaforge/diff',
} as const;

/** Two strategies of the workspace: how `to` differs from `from`. */
export interface DiffRequest {
    readonly from: StrategyRequest;
    readonly to: StrategyRequest;
}

export interface LspProtocol {
    [LspMethods.ir]: { params: StrategyRequest; result: Compiled<StrategyIr> };
    [LspMethods.dag]: { params: StrategyRequest & { readonly mode?: 'exact' | 'structural' }; result: Compiled<CanonicalDag> };
    [LspMethods.fingerprints]: { params: StrategyRequest; result: Compiled<FingerprintResult> };
    [LspMethods.similar]: { params: SimilarRequest; result: Compiled<SimilarResult> };
    [LspMethods.strategies]: { params: { readonly uri: string }; result: readonly { readonly name: string; readonly line: number; readonly warmup: number }[] };
    [LspMethods.dagView]: { params: StrategyRequest & { readonly mode?: 'exact' | 'structural' }; result: Compiled<DagView> };
    [LspMethods.diff]: { params: DiffRequest; result: Compiled<DagDiff> };
}

/**
 * Commands the language server executes itself (`workspace/executeCommand`), offered by its code
 * lenses above each strategy, so any LSP client (Neovim, Helix, Zed, an agent) can run them.
 * Arguments: one StrategyRequest. Backtest and sweep go to the daemon (found like the editor finds
 * it: $AF_STATE_DIR or `<folder>/.alphaforge`, or `daemon.url` of the initialization options; the
 * token from `daemon.token`, $AF_TOKEN or the local admin token file).
 */
export const LspCommands = {
    /** Submit a backtest to the daemon and wait for it (unless `wait: false`): CommandResult with the run. */
    backtest: 'alphaforge.server.backtest',
    /** Submit a grid sweep to the daemon, as backtest. */
    sweep: 'alphaforge.server.sweep',
    /** Write the canonical DAG as Graphviz DOT to a file: CommandResult with its `uri` and `dot`. */
    showDag: 'alphaforge.server.showDag',
    /** The workspace's strategies nearest to this one: CommandResult with `similar`. */
    findSimilar: 'alphaforge.server.findSimilar',
    /** Paper trade on the daemon (protocol/src/paper-trade.ts: replayed stored bars, the bundled sample for sp:SPX): CommandResult with the `deployment`. */
    paperTrade: 'alphaforge.server.paperTrade',
} as const;

export interface RunCommandRequest extends StrategyRequest {
    /** Wait for the run to finish (default true; bounded by waitMs, default 10 minutes). */
    readonly wait?: boolean;
    readonly waitMs?: number;
}

/** What a command returns: a one-line `message` (also shown with window/showMessage) and its data. */
export type CommandResult =
    | {
        readonly ok: true;
        readonly message: string;
        readonly run?: { readonly id: string; readonly kind: string; readonly state: string; readonly metrics: Readonly<Record<string, number | string | null>> | null; readonly error: string | null };
        readonly uri?: string;
        readonly dot?: string;
        readonly similar?: SimilarResult;
        readonly deployment?: { readonly id: string; readonly state: string; readonly strategy: string };
    }
    | { readonly ok: false; readonly message: string; readonly errors?: readonly CompileProblem[] };
