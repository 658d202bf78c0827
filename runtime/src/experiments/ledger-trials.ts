/**
 * What a run contributes to the research ledger (ledger.ts), read off its result: kept apart from
 * the ledger's SQL so the run worker thread (orchestrator/work.ts) can use it without the database.
 */
import { fromWire } from '../../../protocol/src/numbers.js';
import type { RunKind, RunResult } from '../../../protocol/src/run-result.js';

/** The per-bar Sharpe of one trial and what the deflated Sharpe needs of its returns. NaN: undefined. */
export interface LedgerTrial {
    readonly periodSharpe: number;
    readonly skew: number;
    readonly kurtosis: number;
    readonly bars: number;
}

/** What a completed run adds to the ledger. */
export interface LedgerEntry {
    readonly runId: string;
    readonly team: string;
    readonly kind: RunKind;
    readonly structural: string;
    /** Completion time, ms since the epoch: the ledger's order (ties by run id, then trial). */
    readonly at: number;
    readonly trials: readonly LedgerTrial[];
}

/** The trials of a result: a backtest's one, a sweep's every combination that ran (failed ones did not), a walk-forward's every window (out of sample). */
export function ledgerTrialsOf(r: RunResult): LedgerTrial[] {
    const of = (m: RunResult['metrics']): LedgerTrial => ({ periodSharpe: fromWire(m.periodSharpe), skew: fromWire(m.skew), kurtosis: fromWire(m.kurtosis), bars: fromWire(m.bars) });
    if (r.sweep) return r.sweep.trials.map(t => of(t.metrics));
    if (r.walkforward) return r.walkforward.windows.map(w => of(w.outOfSampleMetrics));
    return [of(r.metrics)];
}

