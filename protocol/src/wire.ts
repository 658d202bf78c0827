/**
 * Host-side encoders for the panel messages: metrics with non-finite numbers made JSON-safe, a
 * run result as the report panel's `run` message (its tearsheet computed if it has none, series thinned, trades bounded), store rows for
 * the experiments panel. Structural input types (no engine imports), so the extension, the daemon
 * and the standalone report can all use them. Pure: no DOM, no Node APIs.
 */
import { type ReportRun, type RunInfo, type RunSummary, type SourceRange } from './webview.js';
import { METRIC_KEYS, type MetricKey, type WireMetrics } from './metrics.js';
import { toWire } from './numbers.js';
import { DEFAULT_MAX_POINTS, viewOf, type RunResult } from './run-result.js';
import { tearsheetOf } from './tearsheet.js';

export function metricsToWire(m: Readonly<Record<MetricKey, number>>): WireMetrics {
    return Object.fromEntries(METRIC_KEYS.map(k => [k, toWire(m[k])])) as WireMetrics;
}

/** Most trades (trials, events) a `run` message lists; the panel shows the count of all of them. */
export const REPORT_MAX_ROWS = 100_000;

const KIND_TITLES: Readonly<Record<RunResult['kind'], string>> = { backtest: 'backtest', sweep: 'sweep (best parameters)', walkforward: 'walk-forward (out of sample)' };

export interface ReportInfo {
    readonly runId?: string;
    readonly title?: string;
    readonly state?: RunInfo['state'];
    /** The strategy's document and declaration, for the link back to the source. */
    readonly uri?: string;
    readonly range?: SourceRange;
    /** Most points drawn per series (default DEFAULT_MAX_POINTS). */
    readonly maxPoints?: number;
}

/** The report panel's `run` message for a run result: what the extension posts and the HTML report embeds. */
export function reportMessage(result: RunResult, i: ReportInfo = {}): ReportRun {
    const runId = i.runId ?? result.runId;
    const run: RunInfo = {
        strategy: result.strategy,
        title: i.title ?? `${result.strategy} — ${KIND_TITLES[result.kind]}`,
        universe: [...result.symbols],
        timeframe: result.timeframe,
        params: { ...result.params },
        state: i.state ?? 'completed',
        ...(runId !== undefined ? { id: runId } : {}),
        ...(i.uri !== undefined ? { uri: i.uri } : {}),
        ...(i.range !== undefined ? { range: i.range } : {}),
    };
    // A result made before tearsheets gets one here, from its whole series, before it is thinned.
    const whole = result.tearsheet ? result : { ...result, tearsheet: tearsheetOf(result) };
    const shown = viewOf(whole, { maxPoints: i.maxPoints ?? DEFAULT_MAX_POINTS, tradesLimit: REPORT_MAX_ROWS, trialsLimit: REPORT_MAX_ROWS });
    return { type: 'run', run, result: { ...shown, events: shown.events.slice(0, REPORT_MAX_ROWS) } };
}

/** An experiment-store run summary with its metrics made JSON-safe (±Infinity survive; null stays null). */
export function runSummaryToWire<R extends Omit<RunSummary, 'metrics'> & { readonly metrics: Readonly<Record<string, number | null>> }>(r: R): Omit<R, 'metrics'> & { metrics: RunSummary['metrics'] } {
    return { ...r, metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, v === null ? null : toWire(v)])) };
}
