/**
 * Results of runs completed before the run-result schema (daemon protocol 2.0 and earlier): their
 * result.json had the curve as `{ ts, equity }`, trades and events by bar and asset index, dates as
 * text, and a sweep's trials in a separate sweep.json. Converted here into a version-1 run result so
 * such runs keep their report; the caller validates the outcome like any other result. Exposure was
 * not recorded then: it reads as unknown (null).
 */
import { METRIC_KEYS, type WireMetrics } from '../../../protocol/src/metrics.js';
import { fromWire, toWire, type WireNumber } from '../../../protocol/src/numbers.js';
import { RUN_RESULT_SCHEMA, RUN_RESULT_VERSION, type RunTrade } from '../../../protocol/src/run-result.js';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Obj : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const wire = (v: unknown): WireNumber => (typeof v === 'number' ? toWire(v) : v === 'Infinity' || v === '-Infinity' ? v : null);
const time = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN);

function metricsOf(v: unknown): WireMetrics {
    const m = obj(v);
    return Object.fromEntries(METRIC_KEYS.map(k => [k, wire(m[k])])) as WireMetrics;
}

function params(v: unknown): Record<string, number | boolean> {
    return Object.fromEntries(Object.entries(obj(v)).filter((e): e is [string, number | boolean] => typeof e[1] === 'number' || typeof e[1] === 'boolean'));
}

/** The converted document (still to be validated), or why there is none. */
export function fromLegacyResult(doc: unknown, sweepTable?: unknown): { ok: true; result: Obj } | { ok: false; problem: string } {
    const r = obj(doc);
    const kind = r.kind;
    if (kind !== 'backtest' && kind !== 'sweep' && kind !== 'walkforward') return { ok: false, problem: 'it is a result of an older version without a known kind' };
    const symbols = list(r.symbols).filter((s): s is string => typeof s === 'string');
    const curve = obj(r.curve);
    const ts = list(curve.ts).map(time);
    const equity = list(curve.equity).map(e => fromWire(e));
    let series = null;
    if (kind !== 'sweep') {
        if (ts.length === 0 || ts.length !== equity.length || ts.some(t => !Number.isFinite(t))) return { ok: false, problem: 'it is a result of an older version without a readable equity curve' };
        let peak = -Infinity;
        const drawdown = equity.map(e => {
            if (e > peak) peak = e;
            return toWire(peak > 0 && Number.isFinite(e) ? e / peak - 1 : 0);
        });
        series = { ts, equity: equity.map(toWire), drawdown, exposure: ts.map(() => null) };
    }
    const at = (bar: unknown): number => (typeof bar === 'number' ? ts[bar] ?? 0 : 0);
    const trades: RunTrade[] = list(r.trades).map(obj).filter(t => typeof t.entryBar === 'number').map(t => ({
        symbol: symbols[t.asset as number] ?? `asset ${String(t.asset)}`, side: t.side === 'short' ? 'short' : 'long',
        entryTs: at(t.entryBar), exitTs: at(t.exitBar), entryPrice: wire(t.entryPrice), exitPrice: wire(t.exitPrice), maxQty: wire(t.maxQty),
        pnl: wire(t.pnl), returnPct: wire(t.returnPct), fees: wire(t.fees), exitReason: t.exitReason as RunTrade['exitReason'],
    }));
    const first = ts[0] ?? time(r.from), last = ts[ts.length - 1] ?? time(r.to);
    const search = obj(kind === 'sweep' ? r.sweep : r.walkforward);
    const searchPart = kind === 'backtest' ? {} : {
        search: {
            mode: search.mode === 'random' ? 'random' : 'grid', samples: typeof search.samples === 'number' ? search.samples : null,
            seed: typeof search.seed === 'number' ? search.seed : 1, sortBy: search.sortBy ?? 'sharpe', fixed: params(search.fixed),
        },
    };
    const table = obj(sweepTable);
    const rows = list(table.rows).map(obj);
    const deflated = obj(search.deflatedSharpe ?? table.deflatedSharpe);
    return {
        ok: true,
        result: {
            schema: RUN_RESULT_SCHEMA, version: RUN_RESULT_VERSION, kind,
            ...(typeof r.runId === 'string' ? { runId: r.runId } : {}),
            strategy: r.strategy, symbols, timeframe: r.timeframe,
            range: { from: Number.isFinite(first) ? first : 0, to: Number.isFinite(last) ? last : 0, bars: typeof r.bars === 'number' ? r.bars : ts.length },
            params: params(r.params),
            capital: equity.length ? equity[0]! : 0,
            warmupBars: typeof r.warmupBars === 'number' ? r.warmupBars : 0,
            metrics: metricsOf(r.metrics),
            series, trades, tradeCount: trades.length,
            events: list(r.events).map(obj).filter(e => typeof e.bar === 'number').map(e => ({ ts: at(e.bar), kind: String(e.kind ?? ''), message: String(e.message ?? '') })),
            provenance: r.provenance,
            ...searchPart,
            ...(kind === 'sweep' ? {
                sweep: {
                    trialCount: typeof search.trials === 'number' ? search.trials : rows.length,
                    trials: rows.map(x => ({ params: params(x.params), metrics: metricsOf(x.metrics) })),
                    deflatedSharpe: { dsr: wire(deflated.dsr), expectedMaxSharpe: wire(deflated.expectedMaxSharpe) },
                },
            } : {}),
            ...(kind === 'walkforward' ? {
                walkforward: {
                    scheme: search.scheme === 'anchored' ? 'anchored' : 'rolling',
                    inSampleBars: typeof search.inSample === 'number' ? search.inSample : 0,
                    outOfSampleBars: typeof search.outOfSample === 'number' ? search.outOfSample : 0,
                    efficiency: wire(r.efficiency),
                    windows: list(r.windows).map(obj).map(w => ({
                        inSample: { from: time(w.isFrom), to: time(w.isTo), bars: typeof search.inSample === 'number' ? search.inSample : 0 },
                        outOfSample: { from: time(w.oosFrom), to: time(w.oosTo), bars: typeof search.outOfSample === 'number' ? search.outOfSample : 0 },
                        params: params(w.best), inSampleMetrics: metricsOf(w.inSample), outOfSampleMetrics: metricsOf(w.outOfSample),
                    })),
                },
            } : {}),
        },
    };
}
