/**
 * The core capability pack: OHLCV fields, the classic indicators, cross-sectional operators,
 * elementwise math and the enumeration constants used by settings. Pure data.
 */
import type { CapabilityPack, CatalogueEntry, CatalogueParam } from './pack-types.js';

const src: CatalogueParam = { name: 'source', type: 'series<U>', doc: 'Input series.' };
const len = (def?: number, doc = 'Window length in bars.'): CatalogueParam =>
    def === undefined ? { name: 'length', type: 'int', min: 1, doc } : { name: 'length', type: 'int', min: 1, default: def, doc };

const fields: CatalogueEntry[] = [
    { kind: 'field', name: 'open', returns: 'series<price>', knownAtOpen: true, doc: 'Opening price of the bar. Known when the bar opens.', example: 'feature gap = open / close[1] - 1' },
    { kind: 'field', name: 'high', returns: 'series<price>', doc: 'Highest traded price of the bar. Known only when the bar closes.', example: 'feature hh = highest(high, 20)' },
    { kind: 'field', name: 'low', returns: 'series<price>', doc: 'Lowest traded price of the bar. Known only when the bar closes.', example: 'feature ll = lowest(low, 20)' },
    { kind: 'field', name: 'close', returns: 'series<price>', doc: 'Closing price of the bar. Known only when the bar closes.', example: 'feature ma = sma(close, 20)' },
    { kind: 'field', name: 'volume', returns: 'series<volume>', doc: 'Traded volume of the bar, in units of the base asset.', example: 'feature vma = sma(volume, 20)' },
    { kind: 'field', name: 'hl2', returns: 'series<price>', doc: 'Midpoint of the bar: (high + low) / 2.', example: 'feature mid = ema(hl2, 10)' },
    { kind: 'field', name: 'hlc3', returns: 'series<price>', doc: 'Typical price: (high + low + close) / 3.', example: 'feature tp = sma(hlc3, 20)' },
];

const indicators: CatalogueEntry[] = [
    {
        kind: 'function', name: 'sma', params: [src, len()], returns: 'series<U>', lookback: 'length - 1',
        doc: 'Simple moving average: the arithmetic mean of the last `length` values.',
        example: 'feature slow = sma(close, 50)',
    },
    {
        kind: 'function', name: 'ema', params: [src, len()], returns: 'series<U>', lookback: 'length - 1',
        doc: 'Exponential moving average with alpha = 2 / (length + 1), seeded with the simple average of the first `length` values.',
        example: 'feature fast = ema(close, 12)',
    },
    {
        kind: 'function', name: 'wma', params: [src, len()], returns: 'series<U>', lookback: 'length - 1',
        doc: 'Linearly weighted moving average: weights length, length-1, …, 1 from the newest value.',
        example: 'feature w = wma(close, 20)',
    },
    {
        kind: 'function', name: 'rsi', params: [src, len(14)], returns: 'series<1>', lookback: 'length', range: [0, 100],
        doc: "Relative strength index (Wilder's smoothing), between 0 and 100.",
        example: 'signal oversold = rsi(close, 14) < 30',
    },
    {
        kind: 'function', name: 'macd',
        params: [
            src,
            { name: 'fast', type: 'int', min: 1, default: 12, doc: 'Fast EMA length.' },
            { name: 'slow', type: 'int', min: 1, default: 26, doc: 'Slow EMA length.' },
            { name: 'signal', type: 'int', min: 1, default: 9, doc: 'Signal-line EMA length.' },
        ],
        returns: 'series<U>', outputs: ['line', 'signal', 'hist'], lookback: 'max(fast, slow) + signal - 2',
        doc: 'Moving average convergence/divergence. `.line` = ema(fast) − ema(slow); `.signal` = ema(line, signal); `.hist` = line − signal.',
        example: 'signal up = crossover(macd(close).line, macd(close).signal)',
    },
    {
        kind: 'function', name: 'atr', params: [len(14)], returns: 'series<price>', lookback: 'length', reads: ['high', 'low', 'close'],
        doc: "Average true range (Wilder's smoothing) of the traded asset.",
        example: 'risk { stop_loss: 2 * atr(14) }',
    },
    {
        kind: 'function', name: 'bollinger',
        params: [src, len(20), { name: 'mult', type: 'float', default: 2, doc: 'Band width in standard deviations.' }],
        returns: 'series<U>', outputs: ['mid', 'upper', 'lower'], lookback: 'length - 1',
        doc: 'Bollinger bands: `.mid` = sma(source, length); `.upper`/`.lower` = mid ± mult × population stdev.',
        example: 'signal breakout = close > bollinger(close, 20, 2).upper',
    },
    {
        kind: 'function', name: 'stdev', params: [src, len()], returns: 'series<U>', lookback: 'length - 1', range: [0, Infinity],
        doc: 'Population standard deviation of the last `length` values.',
        example: 'feature vol = stdev(close, 20)',
    },
    {
        kind: 'function', name: 'highest', params: [src, len()], returns: 'series<U>', lookback: 'length - 1',
        doc: 'Highest value of the last `length` values, including the current bar.',
        example: 'signal breakout = close > highest(high, 20)[1]',
    },
    {
        kind: 'function', name: 'lowest', params: [src, len()], returns: 'series<U>', lookback: 'length - 1',
        doc: 'Lowest value of the last `length` values, including the current bar.',
        example: 'signal breakdown = close < lowest(low, 20)[1]',
    },
    {
        kind: 'function', name: 'roc', params: [src, len()], returns: 'series<1>', lookback: 'length',
        doc: 'Rate of change as a fraction: source / source[length] − 1 (0.05 = 5%).',
        example: 'feature mom = roc(close, 120)',
    },
    {
        kind: 'function', name: 'change', params: [src, { ...len(1), doc: 'Distance in bars.' }], returns: 'series<U>', lookback: 'length',
        doc: 'Difference: source − source[length].',
        example: 'feature d = change(close, 1)',
    },
    {
        kind: 'function', name: 'sum', params: [src, len()], returns: 'series<U>', lookback: 'length - 1',
        doc: 'Sum of the last `length` values.',
        example: 'feature vol20 = sum(volume, 20)',
    },
    {
        kind: 'function', name: 'zscore', params: [src, len()], returns: 'series<1>', lookback: 'length - 1',
        doc: 'Rolling z-score along time: (source − sma(source, length)) / stdev(source, length).',
        example: 'feature z = zscore(spread, 60)',
    },
    {
        kind: 'function', name: 'rolling_beta',
        params: [
            { name: 'y', type: 'series<U>', doc: 'Dependent series.' },
            { name: 'x', type: 'series<V>', doc: 'Explanatory series.' },
            len(),
        ],
        returns: 'series<U/V>', lookback: 'length - 1',
        doc: 'Rolling least-squares slope of y on x over the last `length` bars: cov(x, y) / var(x).',
        example: 'feature beta = rolling_beta(a.close, b.close, 60)',
    },
    {
        kind: 'function', name: 'crossover',
        params: [{ name: 'a', type: 'series<U>', doc: 'Series that crosses.' }, { name: 'b', type: 'series<U>', doc: 'Series that is crossed.' }],
        returns: 'series<bool>', lookback: '1',
        doc: 'True on the bar where `a` moves from at or below `b` to above it: a > b and a[1] <= b[1].',
        example: 'signal enter = crossover(sma(close, 10), sma(close, 50))',
    },
    {
        kind: 'function', name: 'crossunder',
        params: [{ name: 'a', type: 'series<U>', doc: 'Series that crosses.' }, { name: 'b', type: 'series<U>', doc: 'Series that is crossed.' }],
        returns: 'series<bool>', lookback: '1',
        doc: 'True on the bar where `a` moves from at or above `b` to below it: a < b and a[1] >= b[1].',
        example: 'signal leave = crossunder(sma(close, 10), sma(close, 50))',
    },
    {
        kind: 'function', name: 'resample',
        params: [
            src,
            { name: 'timeframe', type: 'duration', doc: 'The coarser timeframe, e.g. 1d.' },
            { name: 'offset', type: 'int', default: 1, doc: 'How many coarse bars back from the one still forming. 1 = the last closed bar (safe); 0 peeks at the forming bar\'s final value.' },
        ],
        returns: 'series<U>', lookback: '0', resamples: true,
        doc: 'Value of `source` computed on a coarser timeframe, as of the last *closed* coarse bar (offset = 1). A coarse bar is only known when it closes.',
        example: 'feature daily = resample(close, 1d)',
    },
];

const crossSectional: CatalogueEntry[] = [
    {
        kind: 'function', name: 'rank', params: [src], returns: 'series<1>', lookback: '0', crossSectional: true, range: [0, 1],
        doc: "Cross-sectional percentile rank across the universe at each bar: 0 for the lowest, 1 for the highest (ties share the average rank).",
        example: 'long top_k(rank(mom), 3) weight equal',
    },
    {
        kind: 'function', name: 'xs_zscore', params: [src], returns: 'series<1>', lookback: '0', crossSectional: true,
        doc: 'Cross-sectional z-score across the universe at each bar: (x − mean) / stdev over the assets.',
        example: 'feature score = xs_zscore(roc(close, 60))',
    },
    {
        kind: 'function', name: 'top_k', params: [src, { name: 'k', type: 'int', min: 1, doc: 'How many assets to select.' }], returns: 'series<bool>', lookback: '0', crossSectional: true,
        doc: 'True for the `k` assets with the highest value at each bar (ties broken by universe order).',
        example: 'long top_k(rank(mom), 3) weight equal',
    },
    {
        kind: 'function', name: 'bottom_k', params: [src, { name: 'k', type: 'int', min: 1, doc: 'How many assets to select.' }], returns: 'series<bool>', lookback: '0', crossSectional: true,
        doc: 'True for the `k` assets with the lowest value at each bar (ties broken by universe order).',
        example: 'short bottom_k(rank(mom), 3) weight equal',
    },
];

const x: CatalogueParam = { name: 'x', type: 'num<U>', doc: 'Input.' };
const math: CatalogueEntry[] = [
    { kind: 'function', name: 'abs', params: [x], returns: 'num<U>', lookback: '0', elementwise: true, range: [0, Infinity], doc: 'Absolute value.', example: 'when abs(z) < 0.5 => flat' },
    { kind: 'function', name: 'log', params: [x], returns: 'num<1>', lookback: '0', elementwise: true, doc: 'Natural logarithm. Undefined (NaN) for values ≤ 0.', example: 'feature lr = log(close / close[1])' },
    { kind: 'function', name: 'sqrt', params: [x], returns: 'num<1>', lookback: '0', elementwise: true, range: [0, Infinity], doc: 'Square root. Undefined (NaN) for negative values.', example: 'feature annual = stdev(roc(close, 1), 20) * sqrt(252)' },
    { kind: 'function', name: 'sign', params: [x], returns: 'num<1>', lookback: '0', elementwise: true, range: [-1, 1], doc: 'Sign: −1, 0 or 1.', example: 'feature dir = sign(change(close, 1))' },
    {
        kind: 'function', name: 'min', params: [{ name: 'a', type: 'num<U>', doc: 'First input.' }, { name: 'b', type: 'num<U>', doc: 'Second input.' }],
        returns: 'num<U>', lookback: '0', elementwise: true, commutative: true, doc: 'Smaller of two values.', example: 'feature lo = min(open, close)',
    },
    {
        kind: 'function', name: 'max', params: [{ name: 'a', type: 'num<U>', doc: 'First input.' }, { name: 'b', type: 'num<U>', doc: 'Second input.' }],
        returns: 'num<U>', lookback: '0', elementwise: true, commutative: true, doc: 'Larger of two values.', example: 'feature hi = max(open, close)',
    },
    {
        kind: 'function', name: 'clamp',
        params: [x, { name: 'lo', type: 'num<U>', doc: 'Lower bound.' }, { name: 'hi', type: 'num<U>', doc: 'Upper bound.' }],
        returns: 'num<U>', lookback: '0', elementwise: true, doc: 'x limited to the interval [lo, hi].', example: 'feature w = clamp(z, -2, 2)',
    },
];

const c = (name: string, enumType: string, doc: string, example: string): CatalogueEntry => ({ kind: 'const', name, enumType, doc, example });
const consts: CatalogueEntry[] = [
    c('next_open', 'fill_mode', "Orders from bar t's signals fill at bar t+1's open (default).", 'execution { fill: next_open }'),
    c('next_close', 'fill_mode', "Orders from bar t's signals fill at bar t+1's close.", 'execution { fill: next_close }'),
    c('this_close', 'fill_mode', "Orders fill at the close of the same bar whose close computed the signal. Lookahead unless every input is lagged.", 'execution { fill: this_close }'),
    c('daily', 'schedule', 'Rebalance on the first bar of each day.', 'portfolio { rebalance: daily }'),
    c('weekly', 'schedule', 'Rebalance on the first bar of each ISO week.', 'portfolio { rebalance: weekly }'),
    c('monthly', 'schedule', 'Rebalance on the first bar of each calendar month.', 'portfolio { rebalance: monthly }'),
    c('quarterly', 'schedule', 'Rebalance on the first bar of each calendar quarter.', 'portfolio { rebalance: quarterly }'),
    c('halt', 'breach_action', 'Close every position and stop trading for the rest of the run.', 'risk { max_drawdown: 20% => halt }'),
    c('flatten', 'breach_action', 'Close every position; trading resumes on the next signal.', 'risk { max_drawdown: 15% => flatten }'),
    c('warn', 'breach_action', 'Record an event and keep trading.', 'risk { max_drawdown: 10% => warn }'),
    c('equal', 'weighting', 'Equal weight across the selected assets.', 'long top_k(rank(mom), 3) weight equal'),
    c('inverse_vol', 'weighting', 'Weights proportional to 1 / stdev of daily returns over 20 bars.', 'long top_k(rank(mom), 3) weight inverse_vol'),
];

export const corePack: CapabilityPack = {
    id: 'core',
    version: '1.0.0',
    description: 'OHLCV fields, classic indicators, cross-sectional operators, math and setting constants.',
    entries: [...fields, ...indicators, ...crossSectional, ...math, ...consts],
};
