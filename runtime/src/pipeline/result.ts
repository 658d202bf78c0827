/**
 * Engine output → run-result pieces (protocol/src/run-result.ts): bar indices become bar times,
 * asset indices become `venue:SYMBOL`, numbers become wire numbers, curves become columnar
 * series with their drawdown. Pure; the only place that knows both the engine's types and the
 * result document's.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { toWire, toWireColumn } from '../../../protocol/src/numbers.js';
import type { BarRange, BenchmarkInfo, Provenance, RunEvent, RunTrade, Series } from '../../../protocol/src/run-result.js';
import { fingerprints } from '../../../language/src/ir/fingerprint.js';
import { ENGINE_VERSION, withParamValues } from '../engine/compiled/index.js';
import { drawdownCurve } from '../engine/metrics.js';
import { bindParams } from '../engine/params.js';
import type { BarData, EngineEvent, Trade } from '../engine/types.js';
import type { NamedBenchmark } from './benchmark.js';

type Numbers = ArrayLike<number>;
/** The closes of some assets on the run's bars (BarData has them). */
type Closes = { readonly assets: readonly { readonly close: Numbers }[] };

/** Bars [from, to) of `ts` as a range (first and last bar times, count). */
export function rangeOf(ts: Numbers, from = 0, to = ts.length): BarRange {
    return { from: to > from ? ts[from]! : 0, to: to > from ? ts[to - 1]! : 0, bars: Math.max(0, to - from) };
}

/** Equity, its drawdown from the running peak (capital is the first peak) and exposure, at every bar; the benchmark's equity when there is one. */
export function seriesOf(ts: Numbers, equity: Float64Array, exposure: Numbers, capital: number, benchmark?: Float64Array): Series {
    const drawdown = drawdownCurve(equity, capital);
    return {
        ts: plain(ts),
        equity: toWireColumn(equity),
        drawdown: toWireColumn(drawdown),
        exposure: toWireColumn(exposure),
        ...(benchmark ? { benchmark: toWireColumn(benchmark) } : {}),
    };
}

/** A column as a plain array (a loop: Array.from goes through an iterator per value). */
function plain(xs: Numbers): number[] {
    const out: number[] = [];
    for (let i = 0; i < xs.length; i++) out.push(xs[i]!);
    return out;
}

/**
 * Buy-and-hold of the run's assets over bars [from, to) of `data`, equal weights: the capital in
 * cash until the close of bar `from + startBar`, where each asset gets an equal share at its close
 * (an asset with no bar yet buys at its first close after; one that never trades keeps its share
 * in cash). Marked at each close, the last close carried over bars an asset lacks.
 */
export function benchmarkCurve(data: Closes, from: number, to: number, startBar: number, capital: number): Float64Array {
    const out = new Float64Array(Math.max(0, to - from));
    const k = data.assets.length;
    const units = new Float64Array(k), last = new Float64Array(k).fill(NaN);
    let cash = capital;
    for (let i = from; i < to; i++) {
        let held = 0;
        for (let a = 0; a < k; a++) {
            const c = data.assets[a]!.close[i]!;
            if (Number.isFinite(c) && c > 0) {
                last[a] = c;
                if (units[a] === 0 && i - from >= startBar) { units[a] = capital / k / c; cash -= capital / k; }
            }
            if (units[a]! > 0) held += units[a]! * last[a]!;
        }
        out[i - from] = cash + held;
    }
    return out;
}

/** What `benchmarkCurve` holds, for the result's `benchmark`. */
export function benchmarkInfo(symbols: readonly string[], startBar: number): BenchmarkInfo {
    return { name: `buy and hold ${symbols.length === 1 ? symbols[0]! : `${symbols.length} assets, equal weights`}`, symbols: [...symbols], startBar };
}

/** The closes a benchmark buys and holds: a named one's, else the run's own assets'. */
export function benchmarkAssets(data: Closes, named: NamedBenchmark | undefined): Closes {
    return named ? { assets: [{ close: named.close }] } : data;
}

/** Opens, highs and lows of the run's assets (BarData has them). */
type Ranges = { readonly assets: readonly { readonly open: Numbers; readonly high: Numbers; readonly low: Numbers }[] };

export interface Excursion {
    /** Per unit, in price: mae ≤ 0 ≤ mfe. */
    readonly mae: number;
    readonly mfe: number;
    /** As fractions of the entry price. */
    readonly maePct: number;
    readonly mfePct: number;
}

/** Exits inside a bar (docs/backtest-semantics.md steps 2–3): the bar traded from its open to the exit price while held. */
const INTRABAR_EXITS: ReadonlySet<string> = new Set(['limit', 'stop_order', 'stop_loss', 'take_profit', 'trailing_stop']);

/**
 * A trade's maximum adverse and favourable excursion: the lowest low and highest high of its asset
 * while the position was open, and its entry and exit prices (a fill after slippage can lie outside
 * its bar). A long gains from highs, a short from lows. Which bars: those after the entry bar and
 * before the exit bar whole; the entry bar whole when entries fill at the open (the strategy's
 * `fill`, next_open) and not at all when they fill at the close; the exit bar whole after an exit at
 * its close (a close fill mode, `end`, `drawdown`), not at all after one at its open (a next_open
 * signal), and its open only after an exit inside it (stops, targets, limits: the rest of its range
 * may have come after). A limit or stop entry counts as its fill mode's (the engine keeps no fill
 * time). `offset` shifts bar indices into `bars` (a walk-forward's trades count its stitched bars).
 */
export function excursionOf(t: Pick<Trade, 'asset' | 'side' | 'entryBar' | 'exitBar' | 'entryPrice' | 'exitPrice' | 'exitReason'>, bars: Ranges, fill: string, offset = 0): Excursion {
    const a = bars.assets[t.asset];
    let hi = Math.max(t.entryPrice, t.exitPrice), lo = Math.min(t.entryPrice, t.exitPrice);
    const see = (x: number): void => { if (x > hi) hi = x; if (x < lo) lo = x; }; // NaN (no bar) is never either
    const atOpen = fill === 'next_open', intrabar = INTRABAR_EXITS.has(t.exitReason);
    if (a) {
        const first = t.entryBar + (atOpen ? 0 : 1);
        const last = t.exitBar - ((t.exitReason === 'signal' && atOpen) || intrabar ? 1 : 0);
        for (let i = first + offset; i <= last + offset; i++) { see(a.high[i]!); see(a.low[i]!); }
        if (intrabar && (t.exitBar > t.entryBar || atOpen)) see(a.open[t.exitBar + offset]!);
    }
    const e = t.entryPrice;
    const mae = t.side === 'long' ? lo - e : e - hi, mfe = t.side === 'long' ? hi - e : e - lo;
    return { mae, mfe, maePct: e > 0 ? mae / e : NaN, mfePct: e > 0 ? mfe / e : NaN };
}

/** A trade of the result; with its excursions when its bars and the strategy's fill mode are given (see excursionOf). */
export function tradeOf(t: Trade, ts: Numbers, symbols: readonly string[], bars?: { readonly data: Ranges; readonly fill: string; readonly offset?: number }): RunTrade {
    const x = bars ? excursionOf(t, bars.data, bars.fill, bars.offset) : undefined;
    return {
        symbol: symbols[t.asset] ?? `asset ${t.asset}`, side: t.side, entryTs: ts[t.entryBar] ?? 0, exitTs: ts[t.exitBar] ?? 0,
        entryPrice: toWire(t.entryPrice), exitPrice: toWire(t.exitPrice), maxQty: toWire(t.maxQty),
        pnl: toWire(t.pnl), returnPct: toWire(t.returnPct), fees: toWire(t.fees), exitReason: t.exitReason,
        ...(x ? { mae: toWire(x.mae), mfe: toWire(x.mfe), maePct: toWire(x.maePct), mfePct: toWire(x.mfePct) } : {}),
    };
}

export function eventOf(e: EngineEvent, ts: Numbers): RunEvent {
    return { ts: ts[e.bar] ?? 0, kind: e.kind, message: e.message };
}

/**
 * The provenance of a search's chosen params: the fingerprints of the strategy with those values,
 * the data, the engine, and the seed of a random sample (0 for a grid).
 */
export function searchProvenance(ir: StrategyIr, data: Pick<BarData, 'snapshotHash'>, chosen: Readonly<Record<string, number | boolean>>, seed: number): Provenance {
    const fp = fingerprints(withParamValues(ir, bindParams(ir, chosen)));
    return { exactFingerprint: fp.exact, structuralFingerprint: fp.structural, dataSnapshot: data.snapshotHash, engineVersion: ENGINE_VERSION, seed, ...packsOf(ir) };
}

/** The provenance's packs: each declared pack the strategy uses, by name, version and (a pack folder) integrity (nothing for built-in packs only). */
export function packsOf(ir: StrategyIr): Pick<Provenance, 'packs'> {
    return ir.packs?.length ? { packs: ir.packs.map(p => ({ name: p.name, version: p.version, ...(p.integrity !== undefined ? { integrity: p.integrity } : {}) })) } : {};
}
