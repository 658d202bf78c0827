/**
 * The mid-frequency capability pack: the indicators a practitioner expects beyond core (ADX/DMI,
 * stochastic, CCI, OBV, VWAP, Keltner, Supertrend, KAMA, Donchian, Ichimoku, Williams %R, MFI) and
 * per-asset factors for cross-sectional ranking. Pure data, like core-pack.ts: the implementations
 * are runtime/src/engine/packs/mid-frequency/. Shipped with AlphaForge but enabled per workspace
 * (`af pack add mid-frequency`), so its names do not crowd a workspace that does not use them.
 *
 * Conventions shared by every function here (docs/packs.md § mid-frequency):
 * - a bar where any input is undefined has an undefined output and is skipped: the indicator
 *   continues from the previous defined bar (windows are the last `length` defined bars);
 * - a multi-output function's outputs are all defined from its look-back on.
 */
import type { CapabilityPack, CatalogueEntry, CatalogueParam } from './pack-types.js';

const src: CatalogueParam = { name: 'source', type: 'series<U>', doc: 'Input series.' };
const int = (name: string, def: number, doc: string): CatalogueParam => ({ name, type: 'int', min: 1, default: def, doc });
const len = (def: number, doc = 'Window length in bars.'): CatalogueParam => int('length', def, doc);
const mult = (def: number, doc: string): CatalogueParam => ({ name: 'mult', type: 'float', default: def, doc });
const HLC = ['high', 'low', 'close'];

const indicators: CatalogueEntry[] = [
    {
        kind: 'function', name: 'adx', params: [len(14)], returns: 'series<1>', lookback: '2 * length - 1', reads: HLC, range: [0, 100],
        doc: "Average directional index (Wilder): trend strength from 0 to 100, whatever the direction. +DM, −DM and the true range are Wilder-summed over `length` bars (first sum at bar `length`), DX = 100 × |+DI − −DI| / (+DI + −DI) (0 when both are 0), and ADX is Wilder's average of DX seeded with the mean of the first `length` DX values.",
        example: 'signal trending = adx(14) > 25',
    },
    {
        kind: 'function', name: 'dmi', params: [len(14)], returns: 'series<1>', outputs: ['plus', 'minus'], lookback: 'length', reads: HLC, range: [0, 100],
        doc: "Directional movement index (Wilder): `.plus` = +DI and `.minus` = −DI, 100 × the Wilder-summed ±DM over the Wilder-summed true range (0 when the range is 0). +DM = up move when it exceeds the down move and is positive, else 0 (−DM alike).",
        example: 'signal bullish = dmi(14).plus > dmi(14).minus',
    },
    {
        kind: 'function', name: 'stoch',
        params: [int('k', 14, '%K look-back in bars.'), int('d', 3, '%D: SMA length of %K.'), int('smooth', 1, 'SMA length of the raw %K (1 = fast stochastic, 3 = slow).')],
        returns: 'series<1>', outputs: ['k', 'd'], lookback: 'k + smooth + d - 3', reads: HLC, range: [0, 100],
        doc: 'Stochastic oscillator: raw %K = 100 × (close − lowest low) / (highest high − lowest low) over `k` bars (50 when the range is 0), `.k` = sma(raw %K, smooth), `.d` = sma(`.k`, d).',
        example: 'signal oversold = crossover(stoch(14, 3, 3).k, stoch(14, 3, 3).d) and stoch(14, 3, 3).k < 20',
    },
    {
        kind: 'function', name: 'cci', params: [len(20)], returns: 'series<1>', lookback: 'length - 1', reads: HLC,
        doc: 'Commodity channel index: (TP − sma(TP)) / (0.015 × mean absolute deviation of TP from that mean), TP = (high + low + close) / 3, over `length` bars; 0 when the deviation is 0. O(length) per bar (the deviation is about the current mean).',
        example: 'signal stretched = cci(20) > 100',
    },
    {
        kind: 'function', name: 'obv', params: [], returns: 'series<volume>', lookback: '0', reads: ['close', 'volume'],
        doc: "On-balance volume: a running total that adds the bar's volume when the close rises, subtracts it when the close falls; 0 on the first bar. Its level depends on where the data starts: use its changes or slope.",
        example: 'signal accumulation = obv() > sma(obv(), 20)',
    },
    {
        kind: 'function', name: 'vwap', params: [len(20)], returns: 'series<price>', lookback: 'length - 1', reads: ['high', 'low', 'close', 'volume'],
        doc: 'Rolling volume-weighted average price over the last `length` bars: Σ(TP × volume) / Σ volume, TP = (high + low + close) / 3; undefined when the volume is 0. Rolling, not per session: the engine hands functions values, not clocks.',
        example: 'signal rich = close > vwap(20) * 1.02',
    },
    {
        kind: 'function', name: 'keltner',
        params: [len(20, 'EMA length of the middle line.'), mult(2, 'Band width in ATRs.'), int('atr_length', 10, 'ATR length (Wilder).')],
        returns: 'series<price>', outputs: ['mid', 'upper', 'lower'], lookback: 'max(length - 1, atr_length)', reads: HLC,
        doc: 'Keltner channels: `.mid` = ema(close, length); `.upper`/`.lower` = mid ± mult × atr(atr_length) (Wilder).',
        example: 'signal breakout = close > keltner(20, 2, 10).upper',
    },
    {
        kind: 'function', name: 'supertrend', params: [len(10, 'ATR length (Wilder).'), mult(3, 'Band distance in ATRs.')],
        returns: 'series<price>', lookback: 'length', reads: HLC,
        doc: 'Supertrend: a trailing line below the price in an up-trend and above it in a down-trend. Bands hl2 ± mult × atr(length); the lower band only rises and the upper only falls while the close stays beyond them; the trend turns up when the close crosses above the upper band and down when it crosses below the lower. Starts down (the upper band) unless the first close is above it. The trend is up exactly when close > supertrend.',
        example: 'signal up = close > supertrend(10, 3)',
    },
    {
        kind: 'function', name: 'kama',
        params: [src, len(10, 'Efficiency-ratio window in bars.'), int('fast', 2, 'Fastest EMA length.'), int('slow', 30, 'Slowest EMA length.')],
        returns: 'series<U>', lookback: 'length',
        doc: "Kaufman's adaptive moving average: ER = |source − source[length]| / Σ|Δsource| over `length` bars (0 when nothing moved), sc = (ER × (2/(fast+1) − 2/(slow+1)) + 2/(slow+1))², kama = kama[1] + sc × (source − kama[1]), seeded with source at bar length − 1.",
        example: 'signal up = crossover(close, kama(close, 10, 2, 30))',
    },
    {
        kind: 'function', name: 'donchian', params: [len(20)], returns: 'series<price>', outputs: ['upper', 'lower', 'mid'], lookback: 'length - 1', reads: ['high', 'low'],
        doc: "Donchian channel over the last `length` bars, including the current one: `.upper` = highest high, `.lower` = lowest low, `.mid` = their mean. A breakout compares with the previous bar's channel: close > donchian(20).upper[1].",
        example: 'signal breakout = close > donchian(20).upper[1]',
    },
    {
        kind: 'function', name: 'ichimoku',
        params: [int('tenkan', 9, 'Conversion-line window.'), int('kijun', 26, 'Base-line window.'), int('senkou', 52, 'Leading span B window.'), int('shift', 26, 'Bars the leading spans are displaced forward.')],
        returns: 'series<price>', outputs: ['tenkan', 'kijun', 'span_a', 'span_b'], lookback: 'max(tenkan, kijun, senkou) - 1 + shift', reads: ['high', 'low'],
        doc: 'Ichimoku: `.tenkan` / `.kijun` = midpoint of the highest high and lowest low over `tenkan` / `kijun` bars; `.span_a` = (tenkan + kijun) / 2 and `.span_b` = the `senkou`-bar midpoint, both as computed `shift` bars ago — the cloud drawn above this bar, known now. The lagging span (chikou: the close drawn `shift` bars back) is not offered: at any bar it is a future close.',
        example: 'signal above_cloud = close > max(ichimoku().span_a, ichimoku().span_b)',
    },
    {
        kind: 'function', name: 'williams_r', params: [len(14)], returns: 'series<1>', lookback: 'length - 1', reads: HLC, range: [-100, 0],
        doc: 'Williams %R: −100 × (highest high − close) / (highest high − lowest low) over `length` bars, from −100 (at the low) to 0 (at the high); −50 when the range is 0.',
        example: 'signal oversold = williams_r(14) < -80',
    },
    {
        kind: 'function', name: 'mfi', params: [len(14)], returns: 'series<1>', lookback: 'length', reads: ['high', 'low', 'close', 'volume'], range: [0, 100],
        doc: 'Money flow index: TP × volume counts as positive flow when the typical price rose from the previous bar and negative when it fell (neither when unchanged); mfi = 100 × positive / (positive + negative) over the last `length` changes (50 when both are 0).',
        example: 'signal overbought = mfi(14) > 80',
    },
];

/** Per-asset factors, meant to be ranked across the universe (rank, xs_zscore, top_k). */
const factors: CatalogueEntry[] = [
    {
        kind: 'function', name: 'momentum_factor',
        params: [len(252, 'Look-back of the return in bars.'), { name: 'skip', type: 'int', min: 0, default: 21, doc: 'Most recent bars left out (the short-term reversal).' }],
        returns: 'series<1>', lookback: 'length', reads: ['close'],
        doc: 'Momentum factor: the return from `length` bars ago to `skip` bars ago, close[skip] / close[length] − 1 (12-1 momentum on daily bars with the defaults). Requires skip < length.',
        example: 'long top_k(rank(momentum_factor(252, 21)), 3) weight equal',
    },
    {
        kind: 'function', name: 'reversal_factor', params: [len(5, 'Look-back of the return in bars.')],
        returns: 'series<1>', lookback: 'length', reads: ['close'],
        doc: 'Short-term reversal factor: minus the return over the last `length` bars, 1 − close / close[length] (high for recent losers).',
        example: 'long top_k(rank(reversal_factor(5)), 3) weight equal',
    },
    {
        kind: 'function', name: 'volatility_factor', params: [len(20)],
        returns: 'series<1>', lookback: 'length', reads: ['close'], range: [0, Infinity],
        doc: 'Volatility factor: the population standard deviation of the last `length` log returns, log(close / close[1]) (per bar, not annualised).',
        example: 'long bottom_k(volatility_factor(60), 3) weight inverse_vol',
    },
    {
        kind: 'function', name: 'volume_factor',
        params: [len(20, 'Recent window in bars.'), int('base', 120, 'Baseline window in bars.')],
        returns: 'series<1>', lookback: 'max(length, base) - 1', reads: ['volume'], range: [0, Infinity],
        doc: 'Volume factor: abnormal volume, the mean volume of the last `length` bars over the mean of the last `base` bars (undefined when the baseline is 0).',
        example: 'feature attention = rank(volume_factor(5, 60))',
    },
];

export const midFrequencyPack: CapabilityPack = {
    id: 'mid-frequency',
    version: '1.0.0',
    description: 'Mid-frequency indicators (ADX/DMI, stochastic, CCI, OBV, VWAP, Keltner, Supertrend, KAMA, Donchian, Ichimoku, Williams %R, MFI) and per-asset factors for cross-sectional ranking.',
    entries: [...indicators, ...factors],
};
