/**
 * The panels' messages from what the daemon returns (pure, tested without VS Code):
 * - a run's report: the report panel's `run` message built from the run's result document
 *   (`runs.result`, protocol/src/run-result.ts) and its record (`runs.get`: state, the document
 *   it came from), validated as the panel will validate it;
 * - experiment-store rows as the experiments panel's `RunSummary`.
 */
import type { ResultOf } from '../../protocol/src/daemon/index.js';
import type { RunResult } from '../../protocol/src/run-result.js';
import { parseMessage, ReportToWebview, type ReportRun, type RunSummary as PanelRun, type SourceRange } from '../../protocol/src/webview.js';
import { reportMessage } from '../../protocol/src/wire.js';

type RunDetail = ResultOf<'runs.get'>['run'];
type SearchRow = ResultOf<'experiments.search'>['runs'][number];

/** The report of a run from its result, or why the panel would refuse it. */
export function reportFromResult(run: RunDetail, result: RunResult, o: { uri?: string; range?: SourceRange } = {}): { report: ReportRun } | { reason: string } {
    const uri = o.uri ?? run.spec.uri;
    const message = reportMessage(result, { runId: run.id, state: run.state, ...(uri ? { uri } : {}), ...(o.range ? { range: o.range } : {}) });
    const checked = parseMessage(ReportToWebview, message);
    return checked.ok && checked.message.type === 'run' ? { report: checked.message } : { reason: `The result of run ${run.id} cannot be shown: ${checked.ok ? 'not a run' : checked.error}.` };
}

/** An experiment-store row as the experiments panel shows it. */
export function searchRowToPanel(row: SearchRow): PanelRun {
    const r = row.run;
    return {
        id: r.id,
        kind: r.kind,
        state: r.state,
        promoted: r.promoted,
        strategy: r.strategy,
        owner: r.owner,
        team: r.team,
        experiment: r.experimentId ? { id: r.experimentId, name: null } : null,
        created: r.createdAt,
        finished: r.finishedAt,
        fingerprints: { exact: r.fingerprints?.exact ?? null, structural: r.fingerprints?.structural ?? null },
        dataSnapshot: r.dataSnapshot,
        engineVersion: r.engineVersion,
        seed: r.seed,
        params: { ...row.params },
        metrics: { ...row.metrics },
        tags: { ...r.tags },
        ...(row.ledger !== undefined ? { ledger: row.ledger } : {}),
    };
}

/** The filter that finds the runs sharing a fingerprint (the report's "runs like this"). */
export function fingerprintFilter(fingerprint: string, structural: boolean): string {
    return `fingerprint.${structural ? 'structural' : 'exact'} = '${fingerprint.replace(/[^0-9a-fA-F]/g, '')}'`;
}

/** Equity curve (thinned) from a report message, for the experiments panel's comparison; none for a run without one. */
export function comparisonCurve(m: ReportRun): { ts: number[]; equity: NonNullable<RunResult['series']>['equity'] } | undefined {
    const s = m.result.series;
    return s ? { ts: [...s.ts], equity: [...s.equity] } : undefined;
}
