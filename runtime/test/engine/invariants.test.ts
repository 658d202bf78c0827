/**
 * Invariants of every backtest, checked on each engine's own output — never by comparing the two
 * engines (the differential tests do that, and cannot see a mistake both share). Random strategies
 * from a few templates with random sizes, limits and fill modes run on seeded random data with
 * holes (missing bars, a run of them, a late-starting asset) and opening gaps; for every run the
 * fill log is replayed (cash and positions only: bookkeeping, not an engine) and each fill and bar
 * is held to docs/backtest-semantics.md:
 * - a fill is at a price inside its bar's [low, high] (slippage removed), at a bar where its asset
 *   has data (drawdown and end-of-run exits: the last bar it had);
 * - nothing fills after a halt (a drawdown halt, or equity at or below 0, which always halts);
 * - every position stays within max_position and the book within leverage × equity, valued as the
 *   spec sizes them (at the signal bar's close or the fill price, against the signal bar's equity or
 *   the equity at the fill, within fees and slippage); a fill that shrinks a position is exempt.
 */
import { describe, expect, it } from 'vitest';
import type { StrategyIr } from '../../../language/src/index.js';
import { synthBarData } from '../../src/data/synth.js';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import { ReferenceBacktester } from '../../src/engine/reference/index.js';
import type { AssetBars, BacktestResult, BarData, Backtester, Fill } from '../../src/engine/types.js';
import { irOf, prng } from './fixtures.js';

const ENGINES: readonly [string, Backtester][] = [['compiled', new CompiledBacktester()], ['reference', new ReferenceBacktester()]];
const SLIPPED = new Set<Fill['reason']>(['signal', 'stop_order', 'stop_loss', 'trailing_stop', 'drawdown', 'end']);

interface Case {
    readonly src: string;
    readonly fill: 'next_open' | 'next_close' | 'this_close';
    readonly fees: number;
    readonly slippage: number;
    readonly leverage: number;
    /** max_position: a fraction of equity, or units. */
    readonly maxPosition: { readonly value: number; readonly units: boolean } | null;
}

/** A random strategy from the templates: its source and the limits the checker needs. */
function randomCase(rnd: () => number, assets: number): Case {
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const fill = pick(['next_open', 'next_close', 'this_close'] as const);
    const fees = pick([0, 5, 10]) / 10_000, slippage = pick([0, 5]) / 10_000;
    const leverage = pick([0.5, 1, 1.5, 2]);
    // Units sizes with a units max_position; fraction sizes otherwise (units targets are also tried
    // against a fraction max_position, the case a NaN close used to break).
    const unitsCap = rnd() < 0.35;
    const maxPosition = unitsCap ? { value: int(1, 40), units: true } : rnd() < 0.7 ? { value: pick([0.1, 0.3, 0.5, 0.8]), units: false } : null;
    const units = unitsCap || rnd() < 0.4;
    const size = () => (units ? `${int(1, 60)} units` : `${int(5, 150)}%`);
    // Conditions read the previous bar only (this_close fills are at this bar's close).
    const cond = () => pick([`close[1] > close[${int(2, 8)}]`, `close[1] < close[${int(2, 8)}]`, `close[1] > sma(close, ${int(3, 15)})[1]`, `high[1] - low[1] > ${pick([0.5, 1, 2])}`]);
    const rules: string[] = [];
    for (let k = int(1, 4); k > 0; k--) {
        const kind = pick(['target', 'target', 'short', 'flat', 'market', 'limit', 'stop']);
        const expire = rnd() < 0.5 ? ` expire ${int(1, 5)} bars` : '';
        if (kind === 'target') rules.push(`when ${cond()} => target ${size()}`);
        else if (kind === 'short') rules.push(`when ${cond()} => target ${size()} short`);
        else if (kind === 'flat') rules.push(`when ${cond()} => flat`);
        else if (kind === 'market') rules.push(`when ${cond()} => ${pick(['buy', 'sell'])} ${size()}`);
        else if (kind === 'limit') rules.push(`when ${cond()} => ${pick(['buy', 'sell'])} ${size()} limit at close[1] * ${pick([0.97, 0.99, 1.01, 1.03])}${expire}`);
        else rules.push(`when ${cond()} => ${pick(['buy', 'sell'])} ${size()} stop at close[1] * ${pick([0.97, 0.99, 1.01, 1.03])}${expire}`);
    }
    const risk = [`leverage: ${leverage}`];
    if (maxPosition) risk.push(`max_position: ${maxPosition.units ? `${maxPosition.value} units` : `${maxPosition.value * 100}%`}`);
    if (rnd() < 0.4) risk.push(`stop_loss: ${int(2, 10)}%`);
    if (rnd() < 0.3) risk.push(`take_profit: ${int(3, 15)}%`);
    if (rnd() < 0.3) risk.push(`trailing_stop: ${int(2, 10)}%`);
    if (rnd() < 0.3) risk.push(`max_drawdown: ${int(5, 40)}% => ${pick(['halt', 'flatten', 'warn'])}`);
    const universe = Array.from({ length: assets }, (_, a) => `v:S${a}`).join(', ');
    const src = `strategy Inv {
  universe: ${universe}
  timeframe: 1d
  rules {
    ${rules.join('\n    ')}
  }
  risk {
    ${risk.join('\n    ')}
  }
  execution {
    fill: ${fill}
    fees: ${fees * 10_000} bps
    slippage: ${slippage * 10_000} bps
    capital: ${pick([1000, 100_000])}
  }
}`;
    return { src, fill, fees, slippage, leverage, maxPosition };
}

/** Seeded bars with missing bars, a run of them, a late start for the last asset, and opening gaps. */
function randomData(ir: StrategyIr, bars: number, seed: number): BarData {
    const rnd = prng(seed);
    const base = synthBarData({ symbols: ir.universe.map((_, i) => `S${i}`), timeframeMs: 86_400_000, bars, seed, start: Date.UTC(2021, 0, 4), annualVol: pick(rnd, [0.2, 0.6, 1.2]) });
    const assets: AssetBars[] = base.assets.map((b, a) => {
        const c = { open: b.open.slice(), high: b.high.slice(), low: b.low.slice(), close: b.close.slice(), volume: b.volume.slice() };
        for (let t = 1; t < bars; t++) {
            const g = Math.exp((rnd() - 0.5) * 0.06);
            c.open[t] = c.open[t]! * g;
            c.high[t] = Math.max(c.high[t]!, c.open[t]!);
            c.low[t] = Math.min(c.low[t]!, c.open[t]!);
        }
        const hole = (t: number) => { c.open[t] = c.high[t] = c.low[t] = c.close[t] = c.volume[t] = NaN; };
        for (let k = Math.floor(rnd() * 12); k > 0; k--) hole(1 + Math.floor(rnd() * (bars - 1)));
        if (rnd() < 0.5) { const s = Math.floor(rnd() * (bars - 10)); for (let t = s; t < s + 1 + Math.floor(rnd() * 8); t++) hole(t); }
        if (a > 0 && a === base.assets.length - 1 && rnd() < 0.5) for (let t = 0; t < bars / 4; t++) hole(t);
        return c;
    });
    return { ...base, assets, snapshotHash: `${base.snapshotHash}-inv` };
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
    return xs[Math.floor(rnd() * xs.length)]!;
}

/** Every broken invariant of one run, as readable lines (empty: all hold). */
function violations(c: Case, data: BarData, r: BacktestResult): string[] {
    const out: string[] = [];
    const N = data.assets.length, T = data.ts.length;
    const tol = 1e-9, feeSlack = 1 + 2 * Math.max(1, c.leverage) * (c.fees + c.slippage) + 1e-9;
    const q = new Array<number>(N).fill(0);
    const capital = Number(/capital: (\d+)/.exec(c.src)![1]);
    let cash = capital;
    const lastClose = new Array<number>(N).fill(NaN);
    const lastBar = new Array<number>(N).fill(-1);
    const halt = r.events.find(e => e.kind === 'halt')?.bar ?? Infinity;
    let k = 0;
    for (let t = 0; t < T; t++) {
        // The signal bar of this bar's market fills, its equity, and the closes sizing used.
        const sig = c.fill === 'this_close' ? t : t - 1;
        const eSig = sig >= 0 ? r.equity[sig]! : capital;
        let haltedAt = false, eFillMax = -Infinity;
        /** Assets whose position a signal fill of this bar grew (or turned to the other side). */
        const grew = new Set<number>();
        /** The lowest raw price each asset filled at in this bar (limits value positions at fill prices). */
        const minRaw = new Map<number, number>();
        const sigClose = (a: number) => {
            for (let s = sig; s >= 0; s--) { const x = data.assets[a]!.close[s]!; if (x === x) return x; }
            return NaN;
        };
        for (; k < r.fills.length && r.fills[k]!.bar === t; k++) {
            const f = r.fills[k]!;
            const b = data.assets[f.asset]!;
            const where = `bar ${t} asset ${f.asset} ${f.reason} qty ${f.qty} at ${f.price}`;
            if (t > halt || (t === halt && haltedAt && f.reason !== 'drawdown')) out.push(`${where}: a fill after the halt at bar ${halt}`);
            if (f.reason === 'drawdown') haltedAt = true;
            // The raw price, and the bar it must lie in.
            const raw = SLIPPED.has(f.reason) ? f.price / (f.qty > 0 ? 1 + c.slippage : 1 - c.slippage) : f.price;
            const exitAtClose = f.reason === 'drawdown' || f.reason === 'end';
            const bar = exitAtClose ? (b.close[t] === b.close[t] ? t : lastBar[f.asset]!) : t;
            if (!exitAtClose && b.open[t] !== b.open[t]) out.push(`${where}: a fill at a bar where the asset has no data`);
            else if (bar < 0 || raw < b.low[bar]! * (1 - tol) || raw > b.high[bar]! * (1 + tol)) out.push(`${where}: raw price ${raw} outside [${b.low[bar]}, ${b.high[bar]}] of bar ${bar}`);
            // Equity marked at this fill, before it: this asset at the raw price, the others at their last close.
            let eFill = cash, others = 0;
            for (let a = 0; a < N; a++) {
                if (q[a] === 0) continue;
                const m = a === f.asset ? raw : lastClose[a]!;
                eFill += q[a]! * m;
                if (a !== f.asset) others += Math.abs(q[a]! * m);
            }
            eFillMax = Math.max(eFillMax, eFill);
            minRaw.set(f.asset, Math.min(minRaw.get(f.asset) ?? Infinity, raw));
            const before = q[f.asset]!;
            q[f.asset] = before + f.qty;
            if (Math.abs(q[f.asset]!) * raw < 1e-9) q[f.asset] = 0;
            cash -= f.qty * f.price + f.fee;
            const after = q[f.asset]!;
            const shrinks = Math.abs(after) <= Math.abs(before) * (1 + tol) && after * before >= 0;
            if (shrinks) continue;
            if (f.reason === 'signal') grew.add(f.asset);
            const eRef = Math.max(eFill, eSig) * feeSlack;
            const price = f.reason === 'signal' ? Math.min(raw, sigClose(f.asset)) : raw;
            const mp = c.maxPosition;
            if (mp && mp.units && Math.abs(after) > mp.value * Math.max(1, sigClose(f.asset) / raw) * (1 + tol)) out.push(`${where}: position ${after} above max_position ${mp.value} units`);
            if (mp && !mp.units && Math.abs(after) * price > mp.value * eRef + tol) out.push(`${where}: position worth ${Math.abs(after) * price} above max_position ${mp.value} × equity ${eRef}`);
            if (f.reason !== 'signal' && Math.abs(after) * raw + others > c.leverage * eFill * feeSlack + tol) out.push(`${where}: book ${Math.abs(after) * raw + others} above leverage ${c.leverage} × equity ${eFill} at the fill`);
        }
        // Positions that signal fills grew are together within leverage × the signal bar's equity (or
        // the equity at a fill bounded there): sizing shares leverage × E among all targets, and
        // positions that drifted past it can only shrink.
        if (grew.size > 0) {
            let filled = 0;
            for (const a of grew) filled += Math.abs(q[a]!) * Math.min(sigClose(a), minRaw.get(a)!);
            if (filled > c.leverage * Math.max(eSig, eFillMax, 0) * feeSlack + tol) out.push(`bar ${t}: signal fills hold ${filled} above leverage ${c.leverage} × equity ${eSig} of bar ${sig}`);
        }
        for (let a = 0; a < N; a++) {
            const x = data.assets[a]!.close[t]!;
            if (x === x) { lastClose[a] = x; lastBar[a] = t; }
        }
        if (r.equity[t]! <= 0 && t < T - 1 && halt > t) out.push(`bar ${t}: equity ${r.equity[t]} ≤ 0 without a halt`);
    }
    return out;
}

describe('invariants of every run, on each engine by itself', () => {
    it('random strategies × random data with holes and gaps: fill prices, halts, max_position, leverage', async () => {
        const rnd = prng(20261206);
        const problems: string[] = [];
        let fills = 0, runs = 0;
        for (let i = 0; i < 40; i++) {
            const c = randomCase(rnd, 1 + Math.floor(rnd() * 3));
            const ir = await irOf(c.src);
            const data = randomData(ir, 250, 1000 + i);
            for (const [name, engine] of ENGINES) {
                const r = engine.run(ir, data);
                runs++;
                fills += r.fills.length;
                for (const v of violations(c, data, r).slice(0, 3)) problems.push(`${name} case ${i}: ${v}\n${c.src}`);
            }
        }
        expect(problems.slice(0, 4)).toEqual([]);
        expect(runs).toBe(80);
        expect(fills, 'the runs trade').toBeGreaterThan(500);
    });
});
