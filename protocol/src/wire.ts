/**
 * Host-side encoders for the panel messages: long curves thinned for drawing, metrics and trades
 * with non-finite numbers made JSON-safe. Structural input types (no engine imports), so the
 * extension, the daemon and the standalone report can all use them. Pure: no DOM, no Node APIs.
 */
import { type Curve, type RunSummary, type WireTrade } from './webview.js';
import { METRIC_KEYS, type MetricKey, type WireMetrics } from './metrics.js';
import { toWire } from './numbers.js';

type Numbers = ArrayLike<number>;

/**
 * At most `max` points of equity and drawdown. Every bar is kept while there are few enough;
 * otherwise one point per step, the worst drawdown of each step so troughs are not lost.
 */
export function thinCurve(ts: Numbers, equity: Numbers, drawdown: Numbers, max = 5000): Curve {
    const n = ts.length;
    const step = Math.max(1, Math.ceil(n / Math.max(1, max)));
    const out: Curve = { ts: [], equity: [], drawdown: [] };
    for (let i = 0; i < n; i += step) {
        let pick = i;
        for (let j = i + 1; j < Math.min(n, i + step); j++) if (drawdown[j]! < drawdown[pick]!) pick = j;
        out.ts.push(ts[pick]!);
        out.equity.push(toWire(equity[pick]!));
        out.drawdown.push(toWire(drawdown[pick]!));
    }
    return out;
}

export function metricsToWire(m: Readonly<Record<MetricKey, number>>): WireMetrics {
    return Object.fromEntries(METRIC_KEYS.map(k => [k, toWire(m[k])])) as WireMetrics;
}

/** The trade fields that are plain numbers on the engine side and wire numbers (±Infinity as text) on the wire. */
type TradeNumber = 'entryPrice' | 'exitPrice' | 'maxQty' | 'pnl' | 'returnPct' | 'fees';

/**
 * An engine trade as the wire needs it, derived from the wire schema (WireTrade) so the two cannot
 * drift: the engine's Trade satisfies it structurally wherever a trade is encoded.
 */
export type TradeLike = Pick<WireTrade, 'asset' | 'side' | 'entryBar' | 'exitBar' | 'exitReason'> & Readonly<Record<TradeNumber, number>>;

export function tradeToWire(t: TradeLike, ts: Numbers): WireTrade {
    return {
        asset: t.asset, side: t.side, entryBar: t.entryBar, exitBar: t.exitBar,
        entryTs: ts[t.entryBar] ?? 0, exitTs: ts[t.exitBar] ?? 0,
        entryPrice: toWire(t.entryPrice), exitPrice: toWire(t.exitPrice), maxQty: toWire(t.maxQty),
        pnl: toWire(t.pnl), returnPct: toWire(t.returnPct), fees: toWire(t.fees), exitReason: t.exitReason,
    };
}

/** An experiment-store run summary with its metrics made JSON-safe (±Infinity survive; null stays null). */
export function runSummaryToWire<R extends Omit<RunSummary, 'metrics'> & { readonly metrics: Readonly<Record<string, number | null>> }>(r: R): Omit<R, 'metrics'> & { metrics: RunSummary['metrics'] } {
    return { ...r, metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, v === null ? null : toWire(v)])) };
}
