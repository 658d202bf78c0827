/**
 * Differential tests: the compiled engine and the reference interpreter
 * (runtime/src/engine/reference/) must agree — same fills (bar, asset, reason; qty, price, fee to
 * 1e-9 relative), same trades, same events, equity and exposure to 1e-9 — on every example
 * strategy and a few extra strategies that reach the corners the examples do not (shorts, market
 * and stop orders, next_close and this_close fills, flatten/warn drawdowns, portfolios with
 * inverse-vol and series weights, resample across assets), × random parameter sets × seeded
 * synthetic data: clean, with NaN holes and a late-starting asset, and with opening gaps.
 * When they disagree, docs/backtest-semantics.md decides which one is wrong.
 * DIFF_REPORT=1 prints what each run did (fills by reason, trades, events).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type StrategyIr } from '../../../language/src/index.js';
import { synthBarData } from '../../src/data/synth.js';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import { randomParamSets, type ParamSet } from '../../src/engine/param-space.js';
import { ReferenceBacktester } from '../../src/engine/reference/index.js';
import type { AssetBars, BacktestResult, BarData, Fill } from '../../src/engine/types.js';
import { exampleCases, irOf, prng, type ExampleCase } from './fixtures.js';

// ------------------------------------------------------------------ data

type Variant = 'clean' | 'holes' | 'gaps';
const VARIANTS: readonly Variant[] = ['clean', 'holes', 'gaps'];

/** Synthetic bars for a strategy: its timeframe and universe size, transformed per variant. */
function dataFor(ir: StrategyIr, bars: number, seed: number, variant: Variant): BarData {
    const symbols = ir.universe.map((_, i) => `S${i}`);
    const daily = ir.timeframe.ms >= 86_400_000;
    const base = synthBarData({ symbols, timeframeMs: ir.timeframe.ms, bars, seed, start: Date.UTC(2021, 2, 29), annualVol: daily ? 0.3 : 0.6 });
    if (variant === 'clean') return base;
    const rnd = prng(seed * 7919 + 13);
    const assets: AssetBars[] = base.assets.map((b, a) => {
        const c = { open: b.open.slice(), high: b.high.slice(), low: b.low.slice(), close: b.close.slice(), volume: b.volume.slice() };
        const hole = (t: number) => { c.open[t] = c.high[t] = c.low[t] = c.close[t] = c.volume[t] = NaN; };
        if (variant === 'holes') {
            // A few missing bars, a run of them, a missing first bar of a day (for resample), and the
            // last asset starting late.
            for (let k = 0; k < 4; k++) hole(1 + Math.floor(rnd() * (bars - 1)));
            const run = 50 + Math.floor(rnd() * (bars - 100));
            for (let t = run; t < run + 6; t++) hole(t);
            const dayStart = base.ts.findIndex((ts, t) => t > bars / 2 + 10 * a && ts % 86_400_000 === 0);
            if (ir.timeframe.ms < 86_400_000 && dayStart > 0) hole(dayStart);
            if (a === base.assets.length - 1) for (let t = 0; t < Math.floor(bars / 5); t++) hole(t);
        } else {
            // Opening gaps (open ≠ previous close), so gaps through stops and limits happen.
            for (let t = 1; t < bars; t++) {
                const g = Math.exp((rnd() - 0.5) * 0.04);
                c.open[t] = c.open[t]! * g;
                c.high[t] = Math.max(c.high[t]!, c.open[t]!);
                c.low[t] = Math.min(c.low[t]!, c.open[t]!);
            }
        }
        return c;
    });
    return { ...base, assets, snapshotHash: `${base.snapshotHash}-${variant}` };
}

// ------------------------------------------------------------------ comparison

const TOL = 1e-9;
const close = (x: number, y: number) => (Number.isNaN(x) && Number.isNaN(y)) || x === y || Math.abs(x - y) <= TOL * Math.max(1, Math.abs(x), Math.abs(y));
const showFill = (f: Fill | undefined) => (f ? `bar ${f.bar} asset ${f.asset} ${f.reason} qty ${f.qty} @ ${f.price} fee ${f.fee}` : 'none');

/** Every way the two results differ (empty when they agree). */
function differences(ref: BacktestResult, cmp: BacktestResult): string[] {
    const out: string[] = [];
    if (ref.warmupBars !== cmp.warmupBars) out.push(`warm-up: reference ${ref.warmupBars}, compiled ${cmp.warmupBars}`);
    const nf = Math.max(ref.fills.length, cmp.fills.length);
    for (let i = 0; i < nf; i++) {
        const r = ref.fills[i], c = cmp.fills[i];
        if (!r || !c || r.bar !== c.bar || r.asset !== c.asset || r.reason !== c.reason || !close(r.qty, c.qty) || !close(r.price, c.price) || !close(r.fee, c.fee)) {
            out.push(`fill ${i} of ${ref.fills.length}/${cmp.fills.length}: reference ${showFill(r)}; compiled ${showFill(c)}`);
            break; // later fills follow from the first difference
        }
    }
    const nt = Math.max(ref.trades.length, cmp.trades.length);
    for (let i = 0; i < nt && out.length < 3; i++) {
        const r = ref.trades[i], c = cmp.trades[i];
        const same = r && c && r.asset === c.asset && r.side === c.side && r.entryBar === c.entryBar && r.exitBar === c.exitBar && r.exitReason === c.exitReason
            && (['entryPrice', 'exitPrice', 'maxQty', 'pnl', 'returnPct', 'fees'] as const).every(k => close(r[k], c[k]));
        if (!same) { out.push(`trade ${i}: reference ${JSON.stringify(r)}; compiled ${JSON.stringify(c)}`); break; }
    }
    for (const key of ['equity', 'exposure'] as const) {
        const t = ref[key].findIndex((x, i) => !close(x, cmp[key][i]!));
        if (ref[key].length !== cmp[key].length || t >= 0) out.push(`${key}[${t}]: reference ${ref[key][t]}, compiled ${cmp[key][t]}`);
    }
    const ev = (r: BacktestResult) => JSON.stringify(r.events.map(e => [e.bar, e.kind]));
    if (ev(ref) !== ev(cmp)) out.push(`events: reference ${ev(ref)}, compiled ${ev(cmp)}`);
    return out;
}

// ------------------------------------------------------------------ strategies

type Case = ExampleCase;


/** Strategies for what the examples leave out. */
const EXTRA: Readonly<Record<string, string>> = {
    // Shorts, market and stop orders with a duration expiry, next_close fills, flatten, fraction trailing stop, price take-profit.
    ShortsAndOrders: `strategy ShortsAndOrders {
  universe: v:A as x, v:B as y
  timeframe: 1d
  param len: int = 10 in 5..30 step 5
  param lag: int = 2 in 1..4
  signal up = wma(close, len) > sum(close, len) / len and change(close, lag) > 0
  signal down = hl2 < sma(hl2, len) or not (close > close[lag])
  rules {
    when up => target 60% long
    when down => target 40% short
    when close > highest(high, 20)[1] => buy 5 units
    when close < lowest(low, 20)[1] => sell 2% stop at low - 0.5 * atr(10) expire 3d
    when change(close, 1) > 0 and close[1] < open[1] => buy 3 units stop at high expire 2 bars
    when volume > 1.5 * sma(volume, 10) => target y: 900 units short
    when close < bollinger(close, len, 1.5).lower => buy 5%
    when close > bollinger(close, len, 1.5).upper => sell 3% limit at close * 1.01 expire 2 bars
  }
  risk {
    take_profit: 3 * atr(10)
    trailing_stop: 6%
    max_position: 80%
    max_drawdown: 12% => flatten
  }
  execution {
    fill: next_close
    fees: 10 bps
    slippage: 5 bps
  }
}`,
    // this_close fills on lagged signals, units targets, leverage above 1, a warning drawdown.
    SameBar: `strategy SameBar {
  universe: v:A as a, v:B as b, v:C as c
  timeframe: 4h
  param n: int = 12 in 6..24 step 6
  param k: float = 1 in 0.5..2 step 0.5
  signal long_ok = close[1] > ema(close, n)[1] + k * stdev(close, n)[1] / 4
  signal short_ok = close[1] < ema(close, n)[1] - k * stdev(close, n)[1] / 4
  rules {
    when long_ok => target 80% long
    when short_ok => target 50 units short
    when abs(zscore(close, n)[1]) < 0.1 => flat
    when rsi(close, 6)[1] > 80 => target b: 30%
  }
  risk {
    stop_loss: 3%
    max_position: 300 units
    leverage: 2
    max_drawdown: 8% => warn
  }
  execution {
    fill: this_close
    fees: 5 bps
    slippage: 5 bps
    capital: 50000
  }
}`,
    // A portfolio of long inverse-vol winners and short series-weighted losers, weekly, capped, with a rule on top.
    LongShortBook: `strategy LongShortBook {
  universe: v:A, v:B, v:C, v:D, v:E, v:F
  timeframe: 1d
  param lookback: int = 40 in 20..80 step 10
  feature mom = roc(close, lookback)
  feature score = xs_zscore(mom)
  portfolio {
    rebalance: weekly
    max_weight: 30%
    long top_k(score, 2) weight inverse_vol
    short bottom_k(mom, 2) weight max(0 - score, 0)
  }
  rules {
    when rank(mom) > 0.9 and mom > 0.5 => flat
  }
  risk {
    leverage: 1.5
  }
}`,
    // Resampled values that read other assets (aliases) and the cross-section, on hourly bars.
    ResampledPair: `strategy ResampledPair {
  universe: v:P as p, v:Q as q, v:R
  timeframe: 1h
  param days: int = 3 in 2..6
  feature spread = resample(p.close / q.close, 1d)
  feature leader = resample(rank(roc(close, 4)), 1d)
  feature dailyMa = resample(sma(close, days), 1d, 2)
  rules {
    when spread > sma(spread, 48) and leader > 0.5 and close > dailyMa => target 30% long
    when spread < sma(spread, 48) or leader < 0.5 => flat
    when resample(high, 1d) > resample(high, 1d)[1] => target q: 20% short
  }
  risk {
    stop_loss: 2%
  }
}`,
    // Indicators of step series (windows that become constant), elementwise math, fraction exits.
    Steps: `strategy Steps {
  universe: v:A
  timeframe: 1d
  param n: int = 5 in 3..9 step 2
  feature up = if close > open then 1 else 0
  feature z = zscore(up, n)
  feature spread = stdev(up, n)
  feature volZ = zscore(log(volume), 20)
  signal enter = (z < 0.5 and spread == 0) or (sign(change(hlc3, 1)) == 1 and volZ > 1 and not (close < open))
  signal leave = (z > 1.2 and -z != -1.5) or min(close, hl2) < lowest(low, 10)[1] * sqrt(1.0)
  rules {
    when enter => target clamp(0.5 + 0.1 * sum(up, n), 0, 1) long
    when leave => flat
  }
  risk {
    stop_loss: 4%
    take_profit: 8%
    trailing_stop: 5%
  }
}`,
    // Daily rebalancing on 4-hour bars; a quarterly book.
    DailyBook: `strategy DailyBook {
  universe: v:A, v:B, v:C
  timeframe: 4h
  feature trend = close / sma(close, 12)
  portfolio {
    long top_k(rank(trend), 1) weight trend
  }
}`,
    QuarterlyBook: `strategy QuarterlyBook {
  universe: v:A, v:B, v:C, v:D
  timeframe: 1d
  portfolio {
    rebalance: quarterly
    long top_k(roc(close, 30), 2) weight inverse_vol
    short bottom_k(roc(close, 30), 1)
  }
  execution {
    fill: next_close
  }
}`,
    // One asset, fraction targets and flats only: sized in the bar loop itself (loop.ts
    // targetsInLine), beyond leverage × equity (scaled down) and short, with next_close fills.
    LeveredTargets: `strategy LeveredTargets {
  universe: v:A
  timeframe: 1h
  param n: int = 8 in 4..16 step 4
  rules {
    when crossover(ema(close, n), sma(close, 3 * n)) => target 100% + n * 5% long
    when crossunder(ema(close, n), sma(close, 3 * n)) => target 70% short
    when abs(roc(close, n)) < 0.1% => flat
  }
  risk {
    leverage: 1.5
  }
  execution {
    fill: next_close
  }
}`,
    // One asset, fraction targets filled at the next open by the bar loop's own code (loop.ts
    // fillsInLine: no protective level), long to short flips, drawdown exits after such fills, and
    // SMA and sum windows that leave their steady form at holes in the data and come back to it.
    PlainInLine: `strategy PlainInLine {
  universe: v:A
  timeframe: 1h
  param fast: int = 5 in 3..9 step 2
  signal up = crossover(sma(close, fast), sma(close, 4 * fast))
  signal down = crossunder(sma(close, fast), sma(close, 4 * fast))
  rules {
    when up => target 100% long
    when down => flat
    when down and sum(close - open, fast) < 0 => target 50% short
  }
  risk {
    max_drawdown: 8% => flatten
  }
  execution {
    fill: next_open
    fees: 10 bps
    slippage: 5 bps
  }
}`,
    // A pair traded with negative target sizes (target a: -50% is a short).
    SignedPair: `strategy SignedPair {
  universe: nyse:KO as a, nyse:PEP as b
  timeframe: 1d
  param window: int = 30 in 20..60 step 10
  feature z = zscore(a.close - rolling_beta(a.close, b.close, window) * b.close, window)
  rules {
    when z > 1 => target a: -50%, b: 50%
    when z < -1 => target a: 50%, b: -50%
    when abs(z) < 0.25 => flat a, b
  }
  risk {
    take_profit: 5%
  }
}`,
};

// ------------------------------------------------------------------ tests

const compiled = new CompiledBacktester();
const reference = new ReferenceBacktester();
const reasons = new Map<string, number>();
let casesDone = 0;

/** The defaults and three random points of the param space (grid values, constraints honoured). */
function paramSets(ir: StrategyIr, seed: number): ParamSet[] {
    const defaults = Object.fromEntries(ir.params.map(p => [p.name, p.default!]));
    const sets = randomParamSets(ir, 3, seed).filter(p => JSON.stringify(p) !== JSON.stringify(defaults));
    return [{}, ...sets];
}

function check(c: Case, seed: number, bars: number): string[] {
    const problems: string[] = [];
    for (const params of paramSets(c.ir, seed)) {
        VARIANTS.forEach((variant, v) => {
            const data = dataFor(c.ir, bars, seed * 31 + v, variant);
            const ref = reference.run(c.ir, data, { params });
            const cmp = compiled.run(c.ir, data, { params });
            for (const f of ref.fills) reasons.set(f.reason, (reasons.get(f.reason) ?? 0) + 1);
            if (process.env['DIFF_REPORT']) {
                const by = new Map<string, number>();
                for (const f of ref.fills) by.set(f.reason, (by.get(f.reason) ?? 0) + 1);
                console.log(`${c.name} ${variant} ${JSON.stringify(params)} warm-up ${ref.warmupBars} fills ${JSON.stringify(Object.fromEntries(by))} trades ${ref.trades.length} events ${ref.events.map(e => `${e.kind}@${e.bar}`).join(',')}`);
            }
            const d = differences(ref, cmp);
            if (d.length) problems.push(`${c.name} ${variant} params ${JSON.stringify(params)}:\n    ${d.join('\n    ')}`);
        });
    }
    return problems;
}

const barsFor = (ir: StrategyIr) => (ir.timeframe.ms >= 86_400_000 ? 700 : 600);

describe('differential: compiled engine = reference interpreter', () => {
    let examples: Case[] = [];
    beforeAll(async () => { examples = await exampleCases(); });

    it('on every example × random params × synthetic data (clean, holes, gaps)', () => {
        expect(examples.length).toBeGreaterThanOrEqual(10);
        const problems = examples.flatMap((c, i) => check(c, 101 + i, barsFor(c.ir)));
        expect(problems).toEqual([]);
        casesDone++;
    }, 120_000); // ~10 s in CI, 33 s once on a loaded machine: the default 60 s is too close

    for (const [name, src] of Object.entries(EXTRA)) {
        it(`on ${name}`, async () => {
            const ir = await irOf(src);
            expect(check({ name, ir }, 7 + name.length, barsFor(ir))).toEqual([]);
            casesDone++;
        });
    }

    it('the runs exercised every kind of fill', ctx => {
        if (casesDone < 1 + Object.keys(EXTRA).length) ctx.skip(); // only meaningful after all the runs above
        expect([...reasons.keys()].sort()).toEqual(['drawdown', 'end', 'limit', 'signal', 'stop_loss', 'stop_order', 'take_profit', 'trailing_stop']);
    });
});
