/**
 * The research ledger: every trial a team ran — a backtest, each combination of a sweep, each
 * window of a walk-forward — as one row of `ledger_trials` (schema.ts, migration 13), keyed by
 * team and structural fingerprint. A best-of-N Sharpe means little without N, and N is not the
 * current sweep's: it is every trial of the structure the team has run. So a run's Sharpe is
 * deflated (engine/metrics.ts, Bailey & López de Prado) with the number of trials of its structure
 * recorded up to and including it and the variance of their per-bar Sharpe ratios, and beside it
 * with those of its family (near structures, which the caller finds by similarity).
 *
 * The orchestrator writes the rows in the transaction that completes a run (`ledgerTrialsOf` says
 * which, `insertLedgerTrials` how); rows are never updated. Figures are read per team only.
 */
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { fromWire, toWire } from '../../../protocol/src/numbers.js';
import type { LedgerDeflation, LedgerPart } from '../../../protocol/src/run-result.js';
import { deflatedSharpe } from '../engine/metrics.js';
import type { SqlStore } from '../store/sql-store.js';
import type { LedgerEntry, LedgerTrial } from './ledger-trials.js';

export { ledgerTrialsOf, type LedgerEntry, type LedgerTrial } from './ledger-trials.js';

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Rows per INSERT (10 values each). */
const CHUNK = 150;

/**
 * The ledger_trials rows of completed runs, in LEDGER_COLUMNS' order (recorded_at as epoch ms):
 * what insertLedgerTrials inserts, and what the orchestrator's one-statement batch on PostgreSQL
 * inserts (repo.ts insertAll, with `ON CONFLICT (run_id, trial) DO NOTHING` as here).
 */
export function ledgerRows(entries: readonly LedgerEntry[]): DuckDBValue[][] {
    return entries.flatMap(e => e.trials.map((t, i): DuckDBValue[] => [
        e.runId, i, e.team, e.kind, e.structural, e.at, finite(t.periodSharpe), finite(t.skew), finite(t.kurtosis), Number.isFinite(t.bars) ? Math.max(0, Math.round(t.bars)) : 0,
    ]));
}

/** The columns of ledgerRows' values. */
export const LEDGER_COLUMNS = ['run_id', 'trial', 'team', 'kind', 'fingerprint_structural', 'recorded_at', 'period_sharpe', 'skew', 'kurtosis', 'observations'] as const;

/** Inserts a completed run's trials (inside the caller's transaction); a run recorded twice keeps its first rows. */
export async function insertLedgerTrials(store: SqlStore, entries: readonly LedgerEntry[]): Promise<void> {
    const rows = ledgerRows(entries);
    for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        const values = chunk.map((_, r) => {
            const p = (c: number): string => `$${r * 10 + c}`;
            return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, make_timestamp(CAST(${p(6)} AS BIGINT) * 1000), CAST(${p(7)} AS DOUBLE), CAST(${p(8)} AS DOUBLE), CAST(${p(9)} AS DOUBLE), ${p(10)})`;
        }).join(', ');
        await store.run(`INSERT INTO ledger_trials (run_id, trial, team, kind, fingerprint_structural, recorded_at, period_sharpe, skew, kurtosis, observations)
            VALUES ${values} ON CONFLICT (run_id, trial) DO NOTHING`, chunk.flat());
    }
}

/** The run's own figures: the Sharpe and return moments of what it reports (a sweep's best, a walk-forward's stitched out-of-sample bars). */
export type OwnSharpe = LedgerTrial;

/**
 * The run in its team's ledger, or null when the ledger holds no trial of it (a run of another
 * team, one completed before the ledger existed, one still running). `family`: the structural
 * fingerprints of its family (its own is always counted).
 */
export async function ledgerFigures(store: SqlStore, q: { team: string; runId: string; own: OwnSharpe; family: readonly string[] }): Promise<LedgerPart | null> {
    const me = await store.rows(`SELECT fingerprint_structural AS s, epoch_ms(recorded_at)::DOUBLE AS at, count(*)::INTEGER AS n
        FROM ledger_trials WHERE run_id = $1 AND team = $2 GROUP BY fingerprint_structural, recorded_at`, [q.runId, q.team]);
    const row = me[0];
    if (!row) return null;
    const structural = String(row.s), at = Number(row.at), own = Number(row.n);
    // Trials up to and including this run's: earlier completions, then ties by run id.
    const upTo = `team = $1 AND (recorded_at < make_timestamp(CAST($2 AS BIGINT) * 1000) OR (recorded_at = make_timestamp(CAST($2 AS BIGINT) * 1000) AND run_id <= $3))`;
    const family = [...new Set([structural, ...q.family])];
    const [s] = await store.rows(`SELECT count(*)::INTEGER AS n, var_samp(period_sharpe) AS v FROM ledger_trials WHERE ${upTo} AND fingerprint_structural = $4`, [q.team, at, q.runId, structural]);
    const [f] = await store.rows(`SELECT count(*)::INTEGER AS n, var_samp(period_sharpe) AS v, count(DISTINCT fingerprint_structural)::INTEGER AS k
        FROM ledger_trials WHERE ${upTo} AND fingerprint_structural IN (SELECT unnest($4::VARCHAR[]))`, [q.team, at, q.runId, listValue(family)]);
    const structure = deflation(q.own, Number(s!.n), s!.v);
    const fam = { ...deflation(q.own, Number(f!.n), f!.v), structures: Number(f!.k) };
    const trial = structure.trials;
    return { structuralFingerprint: structural, firstTrial: trial - own + 1, trial, structure, family: fam, summary: ledgerSummary(trial - own + 1, trial, fam.trials, structure.dsr, fam.dsr) };
}

function deflation(own: OwnSharpe, trials: number, v: unknown): LedgerDeflation {
    const variance = typeof v === 'number' && Number.isFinite(v) ? v : 0;
    const d = deflatedSharpe({ sharpe: own.periodSharpe, trials, sharpeVariance: variance, skew: own.skew, kurtosis: own.kurtosis, observations: own.bars });
    return { trials, sharpeVariance: toWire(variance), expectedMaxSharpe: toWire(d.expectedMaxSharpe), dsr: toWire(d.dsr) };
}

const two = (x: number | null | string): string => {
    const n = fromWire(x);
    return Number.isFinite(n) ? n.toFixed(2) : 'n/a';
};

/** "trial 57 of this structure (212 in its family); deflated Sharpe 0.12 (0.08 over the family)". */
export function ledgerSummary(first: number, last: number, familyTrials: number, dsr: LedgerDeflation['dsr'], familyDsr: LedgerDeflation['dsr']): string {
    const which = first === last ? `trial ${last}` : `trials ${first}–${last}`;
    return `${which} of this structure (${familyTrials} in its family); deflated Sharpe ${two(dsr)} (${two(familyDsr)} over the family)`;
}

/** One trial of a structure as the ledger view lists it. */
export interface LedgerTrialRow {
    readonly position: number;
    readonly runId: string;
    readonly trial: number;
    readonly kind: LedgerEntry['kind'];
    readonly recordedAt: number;
    readonly periodSharpe: number;
    readonly observations: number;
}

/**
 * The trials of one structure in a team's ledger, newest first, numbered in the order the figures
 * count them (completion time, then run id, then trial): what "trial N of this structure" refers to.
 */
export async function structureTrials(store: SqlStore, q: { team: string; structural: string; limit: number; offset: number }): Promise<{ total: number; runs: number; sharpeVariance: number; trials: LedgerTrialRow[] }> {
    const [agg] = await store.rows(`SELECT count(*)::INTEGER AS n, count(DISTINCT run_id)::INTEGER AS r, var_samp(period_sharpe) AS v
        FROM ledger_trials WHERE team = $1 AND fingerprint_structural = $2`, [q.team, q.structural]);
    const rows = await store.rows(`SELECT * FROM (
            SELECT row_number() OVER (ORDER BY recorded_at, run_id, trial)::INTEGER AS position, run_id, trial, kind,
                epoch_ms(recorded_at)::DOUBLE AS at, period_sharpe, observations
            FROM ledger_trials WHERE team = $1 AND fingerprint_structural = $2)
        ORDER BY position DESC LIMIT $3 OFFSET $4`, [q.team, q.structural, q.limit, q.offset]);
    const v = agg?.v;
    return {
        total: Number(agg?.n ?? 0), runs: Number(agg?.r ?? 0), sharpeVariance: typeof v === 'number' ? v : NaN,
        trials: rows.map(r => ({
            position: Number(r.position), runId: String(r.run_id), trial: Number(r.trial), kind: String(r.kind) as LedgerEntry['kind'],
            recordedAt: Number(r.at), periodSharpe: typeof r.period_sharpe === 'number' ? r.period_sharpe : NaN, observations: Number(r.observations),
        })),
    };
}
