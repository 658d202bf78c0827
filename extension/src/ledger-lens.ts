/**
 * The research ledger's line above a strategy: "trial 57 of this structure (212 in its family);
 * deflated Sharpe 0.12 (0.08 over the family)" for the strategy's latest completed run in the
 * team's experiment store (`experiments.search` with `ledger: true`), clicking through to the runs
 * of its structure. Pure (no VS Code): code-lenses.ts shows it; kept per strategy name until a
 * run completes.
 */
import type { ResultOf } from '../../protocol/src/daemon/index.js';
import type { LedgerPart } from '../../protocol/src/run-result.js';
import type { DaemonConnection } from './daemon-connection.js';
import { fingerprintFilter } from './report-source.js';

export type LedgerLensDaemon = Pick<DaemonConnection, 'call'>;

/** What the lens says and where it leads. */
export interface LedgerLens {
    readonly title: string;
    readonly tooltip: string;
    /** The experiments panel's filter: the runs of the structure. */
    readonly filter: string | undefined;
}

type Row = ResultOf<'experiments.search'>['runs'][number];

/** The filter of a strategy's completed runs (names are identifiers; quotes are doubled all the same). */
export function latestRunFilter(strategy: string): string {
    return `attributes.strategy = '${strategy.replace(/'/g, "''")}' and attributes.state = 'completed'`;
}

/** The strategy's latest completed run with its ledger figures, or null when it has none. */
export async function latestLedgerRow(daemon: LedgerLensDaemon, strategy: string): Promise<Row | null> {
    const r = await daemon.call('experiments.search', { filter: latestRunFilter(strategy), orderBy: 'attributes.finished desc', limit: 1, ledger: true });
    return r.runs[0] ?? null;
}

/** The lens of a strategy's latest run (or of no run yet). */
export function ledgerLensOf(strategy: string, row: Row | null): LedgerLens {
    if (!row) return { title: '$(history) not run yet: no trials in the research ledger', tooltip: `No completed run of ${strategy} in your team's experiment store.`, filter: undefined };
    const l: LedgerPart | null | undefined = row.ledger;
    if (!l) return { title: `$(history) latest run ${row.run.id.slice(0, 8)}: not in the research ledger`, tooltip: 'A run completed before the research ledger existed has no trial number.', filter: `attributes.strategy = '${strategy.replace(/'/g, "''")}'` };
    return {
        title: `$(history) ${l.summary}`,
        tooltip: `The latest run of ${strategy} (${row.run.kind} ${row.run.id}) in your team's research ledger: ${l.structure.trials} trials of this structure, `
            + `${l.family.trials} in its family of ${l.family.structures} structure(s). Its Sharpe deflated for all of them. Click for the runs of this structure.`,
        filter: fingerprintFilter(l.structuralFingerprint, true),
    };
}
