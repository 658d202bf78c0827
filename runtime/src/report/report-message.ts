/**
 * A backtest as the report panel's `run` message (protocol/src/webview.ts): what the extension
 * sends to the report webview and what the standalone HTML report embeds. Curves are thinned
 * for drawing; metrics, trades and provenance are complete.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import type { BacktestResult, BarData, ParamValues } from '../engine/types.js';
import { drawdownCurve, type Metrics } from '../engine/metrics.js';
import type { ReportRun, RunInfo, SourceRange } from '../../../protocol/src/webview.js';
import { metricsToWire, thinCurve, tradeToWire } from '../../../protocol/src/wire.js';

export interface ReportRunInput {
    readonly ir: Pick<StrategyIr, 'strategy' | 'universe' | 'timeframe'>;
    readonly data: Pick<BarData, 'ts'>;
    readonly result: BacktestResult;
    readonly metrics: Metrics;
    /** Starting capital (the drawdown's first peak). */
    readonly capital: number;
    /** The params the run used (default: the result's). */
    readonly params?: ParamValues;
    readonly title?: string;
    readonly runId?: string;
    readonly state?: RunInfo['state'];
    /** The strategy's document and declaration, for the link back to the source. */
    readonly uri?: string;
    readonly range?: SourceRange;
    /** Most points drawn per curve (default 5000). */
    readonly maxPoints?: number;
}

export function reportRunMessage(i: ReportRunInput): ReportRun {
    const { ts } = i.data;
    const { result } = i;
    const drawdown = drawdownCurve(result.equity, i.capital);
    const run: RunInfo = {
        strategy: i.ir.strategy,
        title: i.title ?? `${i.ir.strategy} — backtest`,
        universe: i.ir.universe.map(u => u.id),
        timeframe: i.ir.timeframe.text,
        params: { ...(i.params ?? result.params) },
        state: i.state ?? 'completed',
        ...(i.runId !== undefined ? { id: i.runId } : {}),
        ...(i.uri !== undefined ? { uri: i.uri } : {}),
        ...(i.range !== undefined ? { range: i.range } : {}),
    };
    return {
        type: 'run',
        run,
        result: {
            bars: ts.length,
            from: ts[0] ?? 0,
            to: ts[ts.length - 1] ?? 0,
            warmupBars: result.warmupBars,
            capital: i.capital,
            curve: thinCurve(ts, result.equity, drawdown, i.maxPoints ?? 5000),
            trades: result.trades.map(t => tradeToWire(t, ts)),
            events: result.events.map(e => ({ bar: e.bar, ts: ts[e.bar] ?? 0, kind: e.kind, message: e.message })),
            provenance: { ...result.provenance },
        },
        metrics: metricsToWire(i.metrics),
    };
}
