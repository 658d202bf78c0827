/**
 * Embeddings: identical strategies coincide, small edits stay close, different kinds of
 * strategy are far apart, and the nearest neighbour of an edited strategy is its origin.
 * Thresholds are set from measured values (printed with EMBEDDING_REPORT=1) with a margin.
 */
import { describe, expect, it } from 'vitest';
import { services } from './helpers.js';
import { loadString } from '../src/workspace/load.js';
import { canonicalDag, compileStrategy, cosine, embedDag, isStrategy, nearest } from '../src/index.js';

let counter = 0;
async function embed(text: string, dims?: number): Promise<number[]> {
    const { document } = await loadString(services(), text, `memory:///emb/doc${++counter}.af`);
    const s = document.parseResult.value.elements.find(isStrategy);
    if (!s) throw new Error('no strategy');
    const r = compileStrategy(services(), s);
    if (!r.ir) throw new Error(`does not compile: ${r.errors.map(e => `${e.line}:${e.column} ${e.code} ${e.message}`).join('; ')}`);
    return embedDag(canonicalDag(r.ir, 'structural'), { dims });
}

const CORPUS: Record<string, string> = {
    smaCross: `strategy SmaCross {
  universe: binance:BTC/USDT
  timeframe: 1h
  param fast: int = 10 in 5..50 step 5
  param slow: int = 50 in 20..200 step 10
  constraint fast < slow
  feature fastMa = sma(close, fast)
  feature slowMa = sma(close, slow)
  rules {
    when crossover(fastMa, slowMa) => target 100% long
    when crossunder(fastMa, slowMa) => flat
  }
  risk { stop_loss: 2 * atr(14)  max_drawdown: 20% => halt }
}`,
    rsiReversion: `strategy RsiReversion {
  universe: binance:ETH/USDT
  timeframe: 4h
  param len: int = 14 in 7..28 step 7
  param lo: float = 30 in 20..40 step 5
  feature r = rsi(close, len)
  rules {
    when r < lo => target 100%
    when r > 100 - lo => flat
  }
  risk { take_profit: 5% }
}`,
    xsMomentum: `strategy XsMomentum {
  universe: nyse:AAPL, nyse:MSFT, nyse:JPM, nyse:XOM, nyse:JNJ, nyse:PG, nyse:KO, nyse:WMT
  timeframe: 1d
  param lookback: int = 120 in 60..250 step 10
  param k: int = 3 in 1..5
  feature mom = roc(close, lookback) - roc(close, 20)
  portfolio {
    rebalance: monthly
    long top_k(rank(mom), k) weight equal
  }
  execution { fill: next_open  fees: 5 bps }
}`,
    pairs: `strategy PairsKoPep {
  universe: nyse:KO as a, nyse:PEP as b
  timeframe: 1d
  param window: int = 60 in 20..120 step 10
  param entry: float = 2.0 in 1.0..3.0 step 0.25
  feature beta = rolling_beta(a.close, b.close, window)
  feature spread = a.close - beta * b.close
  feature z = zscore(spread, window)
  rules {
    when z > entry => target a: -50%, b: 50% * beta
    when z < -entry => target a: 50%, b: -50% * beta
    when abs(z) < 0.5 => flat
  }
}`,
    breakout: `strategy BreakoutWithDailyTrend {
  universe: binance:BTC/USDT
  timeframe: 1h
  feature daily = resample(close, 1d)
  signal trend = daily > sma(daily, 50)
  signal breakout = close > highest(high, 24)[1]
  rules {
    when trend and breakout => buy 0.5 limit at close - 0.2 * atr(24) expire 3 bars
  }
  risk { take_profit: 3%  trailing_stop: 1.5 * atr(24) }
}`,
    bollinger: `strategy BollingerReversion {
  universe: binance:SOL/USDT
  timeframe: 15m
  param n: int = 20 in 10..40 step 5
  feature lower = bollinger(close, n, 2).lower
  feature mid = bollinger(close, n, 2).mid
  rules {
    when close < lower => target 50%
    when close > mid => flat
  }
}`,
    macd: `strategy MacdTrend {
  universe: binance:BTC/USDT
  timeframe: 4h
  feature line = macd(close).line
  feature sig = macd(close).signal
  rules {
    when crossover(line, sig) and macd(close).hist > 0 => target 80%
    when crossunder(line, sig) => target 0%
  }
  execution { slippage: 10 bps }
}`,
    volBreakout: `strategy VolatilityBreakout {
  universe: binance:BTC/USDT
  timeframe: 1d
  param k: float = 0.5 in 0.25..1.0 step 0.25
  feature range = high[1] - low[1]
  rules {
    when close > open + k * range => target 100%
    when close < open - k * range => target 100% short
  }
  risk { stop_loss: 1 * atr(10) }
}`,
    volumeSpike: `strategy VolumeSpike {
  universe: binance:DOGE/USDT
  timeframe: 5m
  feature avgVol = sma(volume, 50)
  rules {
    when volume > 3 * avgVol and close > open => target 20%
    when volume < avgVol => flat
  }
}`,
    xsReversal: `strategy XsReversal {
  universe: nyse:AAPL, nyse:MSFT, nyse:GOOG, nyse:AMZN, nyse:META, nyse:NVDA
  timeframe: 1d
  feature ret = roc(close, 5)
  portfolio {
    rebalance: weekly
    long bottom_k(xs_zscore(ret), 2) weight inverse_vol
    short top_k(xs_zscore(ret), 2) weight inverse_vol
  }
}`,
};

/** A larger strategy (several features, signals and rules) for the small-edit cases. */
const LARGE = `strategy Multi {
  universe: binance:BTC/USDT
  timeframe: 1h
  param fast: int = 12 in 5..30 step 1
  param slow: int = 48 in 30..120 step 6
  param band: float = 2 in 1..3 step 0.5
  constraint fast < slow
  feature ema1 = ema(close, fast)
  feature ema2 = ema(close, slow)
  feature vol = stdev(close, slow)
  feature upper = ema2 + band * vol
  feature lower = ema2 - band * vol
  feature mom = roc(close, fast)
  feature hh = highest(high, slow)[1]
  feature ll = lowest(low, slow)[1]
  feature r = rsi(close, 14)
  signal trendUp = ema1 > ema2 and mom > 0
  signal trendDown = ema1 < ema2 and mom < 0
  signal breakUp = close > hh and close > upper
  signal breakDown = close < ll or close < lower
  signal calm = r > 40 and r < 60
  rules {
    when trendUp and breakUp => target 100%
    when trendDown and breakDown => target 50% short
    when calm => flat
  }
  risk { stop_loss: 2 * atr(14)  take_profit: 6%  max_drawdown: 25% => halt }
  execution { fees: 10 bps  slippage: 5 bps }
}`;

const EDITS: Record<string, string> = {
    'one operator (and → or)': LARGE.replace('signal calm = r > 40 and r < 60', 'signal calm = r > 40 or r < 60'),
    'one function (ema → sma)': LARGE.replace('feature ema1 = ema(close, fast)', 'feature ema1 = sma(close, fast)'),
    'one comparison (< → <=)': LARGE.replace('close < ll or', 'close <= ll or'),
    'one extra feature in a rule': LARGE.replace('  rules {', '  feature volOk = volume > sma(volume, 20)\n  rules {').replace('when calm =>', 'when calm and volOk =>'),
    'one extra rule': LARGE.replace('    when calm => flat', '    when calm => flat\n    when r > 80 => target 0%'),
};

const report = process.env['EMBEDDING_REPORT'] === '1';

describe('strategy embeddings', () => {
    it('have a fixed size and unit length', async () => {
        const v = await embed(CORPUS['smaCross']!);
        expect(v).toHaveLength(256);
        expect(Math.hypot(...v)).toBeCloseTo(1, 12);
        expect(await embed(CORPUS['smaCross']!, 64)).toHaveLength(64);
    });

    it('coincide for identical and renamed/reformatted/re-parameterised strategies', async () => {
        const a = await embed(CORPUS['smaCross']!);
        expect(cosine(a, await embed(CORPUS['smaCross']!))).toBeCloseTo(1, 12);
        const variant = CORPUS['smaCross']!
            .replace(/fastMa/g, 'quick').replace(/slowMa/g, 'sluggish')
            .replace('param fast: int = 10 in 5..50 step 5', 'param fast: int = 15 in 5..60 step 5')
            .replace('binance:BTC/USDT', 'binance:ETH/USDT').replace(/\n {2}/g, '\n    ');
        expect(cosine(a, await embed(variant))).toBeCloseTo(1, 12);
    });

    it('stay close after a small edit of a large strategy', async () => {
        const base = await embed(LARGE);
        const sims: Record<string, number> = {};
        for (const [name, text] of Object.entries(EDITS)) sims[name] = cosine(base, await embed(text));
        if (report) console.log('small edits:', sims);
        for (const [name, sim] of Object.entries(sims)) {
            expect(sim, name).toBeLessThan(1);
            expect(sim, name).toBeGreaterThan(0.85); // measured ≥ 0.89 (ema → sma)
        }
    });

    it('keep structurally different strategies apart', async () => {
        const vs = Object.fromEntries(await Promise.all(Object.entries(CORPUS).map(async ([k, t]) => [k, await embed(t)] as const)));
        const names = Object.keys(vs);
        let max = -1;
        const rows: string[] = [];
        for (const a of names) {
            const row: string[] = [];
            for (const b of names) {
                const c = cosine(vs[a]!, vs[b]!);
                row.push(c.toFixed(2).padStart(6));
                if (a < b) max = Math.max(max, c);
            }
            rows.push(`${a.padEnd(14)}${row.join('')}`);
        }
        if (report) console.log(`pairwise cosine (max off-diagonal ${max.toFixed(3)}):\n${rows.join('\n')}`);
        expect(cosine(vs['rsiReversion']!, vs['xsMomentum']!)).toBeLessThan(0.5);
        expect(cosine(vs['smaCross']!, vs['pairs']!)).toBeLessThan(0.5);
        expect(max).toBeLessThan(0.55); // measured 0.44 (rsiReversion vs bollinger: the same rule skeleton)
    });

    it('find the origin of an edited strategy as its nearest neighbour', async () => {
        const corpus = [
            ...await Promise.all(Object.entries(CORPUS).map(async ([k, t]) => ({ item: k, vector: await embed(t) }))),
            { item: 'large', vector: await embed(LARGE) },
        ];
        for (const [name, text] of Object.entries(EDITS)) {
            const [best, second] = nearest(await embed(text), corpus, 2);
            expect(best!.item, name).toBe('large');
            expect(best!.similarity - second!.similarity, name).toBeGreaterThan(0.2);
        }
        // Edits of the small ones too: sma → ema in SmaCross, rsi < → <= in RsiReversion.
        const smaEdit = CORPUS['smaCross']!.replace(/sma\(/g, 'ema(');
        expect(nearest(await embed(smaEdit), corpus, 1)[0]!.item).toBe('smaCross');
        const rsiEdit = CORPUS['rsiReversion']!.replace('when r < lo', 'when r <= lo');
        expect(nearest(await embed(rsiEdit), corpus, 1)[0]!.item).toBe('rsiReversion');
    });

    it('rejects bad dimensions and mismatched vectors with a clear message', async () => {
        const dag = canonicalDag({
            irVersion: 1, strategy: 'E', tags: [], universe: [], timeframe: { text: '1h', ms: 3_600_000 }, params: [], constraints: [],
            features: {}, signals: {}, rules: [], risk: {}, execution: {}, portfolio: null, warmup: { bars: 0, maxBars: 0 }, fill: 'next_open', nodes: [],
        }, 'structural');
        expect(() => embedDag(dag, { dims: 0 })).toThrow(/dims must be a positive integer/);
        expect(embedDag(dag, { dims: 8 })).toEqual(new Array(8).fill(0));
        expect(() => cosine([1, 0], [1, 0, 0])).toThrow(/2 and 3 dims/);
    });
});
