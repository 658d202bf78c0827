/**
 * The performance metrics of a run: their names, what each means, which way is better, and how
 * each is shown. One definition for the engine (which computes `Metrics`), the CLI, the report
 * panel, the experiments panel and the daemon's comparisons, so a metric reads the same
 * everywhere. The formulas are written next to the code that computes them
 * (runtime/src/engine/metrics.ts).
 */
import * as z from 'zod';
import { fromWire, WireNumber } from './numbers.js';

export interface Metrics {
    readonly totalReturn: number;
    readonly cagr: number;
    readonly annualVolatility: number;
    readonly sharpe: number;
    readonly sortino: number;
    /** Largest peak-to-trough fall as a positive fraction. */
    readonly maxDrawdown: number;
    /** Longest time from a peak until equity is back at that peak (to the end if never), in bars and ms. */
    readonly maxDrawdownBars: number;
    readonly maxDrawdownMs: number;
    readonly calmar: number;
    readonly winRate: number;
    readonly profitFactor: number;
    readonly avgTradePnl: number;
    readonly avgTradeReturn: number;
    /** Fraction of bars with a position. */
    readonly exposure: number;
    /** Mean gross exposure (fraction of equity). */
    readonly avgExposure: number;
    /** Traded value per year as a multiple of mean equity. */
    readonly turnover: number;
    readonly tradeCount: number;
    readonly periodsPerYear: number;
    readonly years: number;
    readonly bars: number;
    /** Per-bar Sharpe (not annualised), skewness and kurtosis of returns: the inputs of the deflated Sharpe. */
    readonly periodSharpe: number;
    readonly skew: number;
    readonly kurtosis: number;
}

export type MetricKey = keyof Metrics;

/** How a value is shown: a fraction as a percentage, a ratio, a whole count, a duration in ms, a multiple, money, years. */
export type MetricKind = 'percent' | 'ratio' | 'count' | 'duration' | 'multiple' | 'money' | 'years';

export interface MetricDefinition {
    readonly label: string;
    readonly kind: MetricKind;
    /** Which way is better, for ranking and marking the best run; null where neither is. */
    readonly better: 'higher' | 'lower' | null;
    readonly description: string;
}

/** Every metric, in the order tables show them. */
export const METRICS: { readonly [K in MetricKey]: MetricDefinition } = {
    totalReturn: { label: 'Total return', kind: 'percent', better: 'higher', description: 'Final equity over starting capital, minus one.' },
    cagr: { label: 'CAGR', kind: 'percent', better: 'higher', description: 'Compound annual growth rate over the period.' },
    annualVolatility: { label: 'Annual volatility', kind: 'percent', better: 'lower', description: 'Standard deviation of per-bar returns, annualised by the square root of bars per year.' },
    sharpe: { label: 'Sharpe', kind: 'ratio', better: 'higher', description: 'Mean over standard deviation of per-bar excess returns, annualised.' },
    sortino: { label: 'Sortino', kind: 'ratio', better: 'higher', description: 'Mean excess return over downside deviation, annualised.' },
    maxDrawdown: { label: 'Max drawdown', kind: 'percent', better: 'lower', description: 'Largest peak-to-trough fall of equity, as a fraction of the peak.' },
    maxDrawdownBars: { label: 'Max drawdown duration', kind: 'count', better: 'lower', description: 'Longest time from a peak until equity is back at it (to the end if never), in bars.' },
    maxDrawdownMs: { label: 'Max drawdown duration (time)', kind: 'duration', better: 'lower', description: 'The same in calendar time.' },
    calmar: { label: 'Calmar', kind: 'ratio', better: 'higher', description: 'CAGR over max drawdown.' },
    winRate: { label: 'Win rate', kind: 'percent', better: 'higher', description: 'Fraction of closed trades with a positive PnL.' },
    profitFactor: { label: 'Profit factor', kind: 'ratio', better: 'higher', description: 'Gross profit over gross loss of closed trades (∞ with no losing trade).' },
    avgTradePnl: { label: 'Average trade', kind: 'money', better: 'higher', description: 'Mean PnL of closed trades, in account currency.' },
    avgTradeReturn: { label: 'Average trade return', kind: 'percent', better: 'higher', description: 'Mean return of closed trades.' },
    exposure: { label: 'Exposure', kind: 'percent', better: null, description: 'Fraction of bars with a position.' },
    avgExposure: { label: 'Average exposure', kind: 'percent', better: null, description: 'Mean gross exposure as a fraction of equity.' },
    turnover: { label: 'Turnover', kind: 'multiple', better: 'lower', description: 'Traded value per year as a multiple of mean equity.' },
    tradeCount: { label: 'Trades', kind: 'count', better: null, description: 'Closed trades.' },
    periodsPerYear: { label: 'Bars per year', kind: 'ratio', better: null, description: 'Used for annualising: 252 for daily weekday data, else calendar time over bar spacing.' },
    years: { label: 'Years', kind: 'years', better: null, description: 'Length of the period in years.' },
    bars: { label: 'Bars', kind: 'count', better: null, description: 'Bars in the period.' },
    periodSharpe: { label: 'Per-bar Sharpe', kind: 'ratio', better: 'higher', description: 'Sharpe ratio not annualised (an input of the deflated Sharpe ratio).' },
    skew: { label: 'Skewness', kind: 'ratio', better: null, description: 'Skewness of per-bar returns.' },
    kurtosis: { label: 'Kurtosis', kind: 'ratio', better: null, description: 'Kurtosis of per-bar returns (3 for a normal distribution).' },
};

export const METRIC_KEYS = Object.keys(METRICS) as MetricKey[];

/** What sweeps and walk-forwards record beside the chosen trial's metrics. */
export const SEARCH_METRICS: Readonly<Record<'deflatedSharpe' | 'expectedMaxSharpe' | 'trials' | 'efficiency' | 'windows' | 'pbo' | 'minBacktestYears', MetricDefinition>> = {
    deflatedSharpe: { label: 'Deflated Sharpe', kind: 'ratio', better: 'higher', description: 'Probability that the best trial\'s Sharpe ratio beats the best of as many unskilled trials (Bailey and López de Prado).' },
    expectedMaxSharpe: { label: 'Expected max Sharpe', kind: 'ratio', better: null, description: 'Per-bar Sharpe the best of the trials would reach by luck alone.' },
    trials: { label: 'Trials', kind: 'count', better: null, description: 'Parameter combinations tried.' },
    efficiency: { label: 'Walk-forward efficiency', kind: 'ratio', better: 'higher', description: 'Out-of-sample over in-sample Sharpe ratio.' },
    windows: { label: 'Windows', kind: 'count', better: null, description: 'Walk-forward windows.' },
    pbo: { label: 'Probability of backtest overfitting', kind: 'percent', better: 'lower', description: 'Share of the sweep\'s CSCV splits whose in-sample best ranked at or below the median out of sample (Bailey, Borwein, López de Prado and Zhu).' },
    minBacktestYears: { label: 'Minimum backtest length', kind: 'years', better: null, description: 'Years of data below which the best Sharpe of this many trials is expected from luck alone (Bailey et al., MinBTL).' },
};

export function isMetricKey(k: string): k is MetricKey {
    return Object.prototype.hasOwnProperty.call(METRICS, k);
}

/** The definition of any metric a run may record (backtest metrics and search extras). */
export function metricDefinition(key: string): MetricDefinition | undefined {
    if (isMetricKey(key)) return METRICS[key];
    return Object.prototype.hasOwnProperty.call(SEARCH_METRICS, key) ? SEARCH_METRICS[key as keyof typeof SEARCH_METRICS] : undefined;
}

/** Which way a metric is better (null where neither is, or for a name that is not a metric). */
export function betterDirection(key: string): 'higher' | 'lower' | null {
    return metricDefinition(key)?.better ?? null;
}

/** The metrics as wire numbers (numbers.ts), every key present. */
export const WireMetrics = z.object(Object.fromEntries(METRIC_KEYS.map(k => [k, WireNumber])) as Record<MetricKey, typeof WireNumber>);
export type WireMetrics = z.infer<typeof WireMetrics>;

/** Wire metrics back to numbers (NaN where null). */
export function metricsFromWire(m: WireMetrics): Metrics {
    return Object.fromEntries(METRIC_KEYS.map(k => [k, fromWire(m[k])])) as unknown as Metrics;
}

const grouped = (x: number, digits: number): string =>
    x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A number that is not finite, as tables show it. */
function special(x: number): string {
    return Number.isNaN(x) ? 'n/a' : x > 0 ? '∞' : '-∞';
}

/**
 * A value of a metric as text: 12.34%, 1.25, 1,204, 35 days, 2.10×, 1,461.96, 4.2 years; n/a
 * for NaN or a missing value, ∞. Takes a number or its wire form (numbers.ts).
 */
export function formatMetric(key: string, raw: number | WireNumber | undefined): string {
    const value = fromWire(raw);
    if (!Number.isFinite(value)) return special(value);
    const kind: MetricKind = metricDefinition(key)?.kind ?? 'ratio';
    switch (kind) {
        case 'percent': return `${grouped(value * 100, 2)}%`;
        case 'ratio': return grouped(value, 2);
        case 'count': return grouped(Math.round(value), 0);
        case 'duration': return `${grouped(Math.round(value / 86_400_000), 0)} days`;
        case 'multiple': return `${grouped(value, 2)}×`;
        case 'money': return grouped(value, 2);
        case 'years': return `${grouped(value, 1)} years`;
    }
}

/** The metrics of a run as labelled rows: the table of the CLI, the report and its HTML page. */
export function metricRows(m: Metrics): [string, string][] {
    const f = formatMetric;
    return [
        [METRICS.totalReturn.label, f('totalReturn', m.totalReturn)],
        [METRICS.cagr.label, f('cagr', m.cagr)],
        [METRICS.annualVolatility.label, f('annualVolatility', m.annualVolatility)],
        [METRICS.sharpe.label, f('sharpe', m.sharpe)],
        [METRICS.sortino.label, f('sortino', m.sortino)],
        [METRICS.maxDrawdown.label, f('maxDrawdown', m.maxDrawdown)],
        [METRICS.maxDrawdownBars.label, `${f('maxDrawdownBars', m.maxDrawdownBars)} bars (${f('maxDrawdownMs', m.maxDrawdownMs)})`],
        [METRICS.calmar.label, f('calmar', m.calmar)],
        [METRICS.tradeCount.label, f('tradeCount', m.tradeCount)],
        [METRICS.winRate.label, f('winRate', m.winRate)],
        [METRICS.profitFactor.label, f('profitFactor', m.profitFactor)],
        [METRICS.avgTradePnl.label, `${f('avgTradePnl', m.avgTradePnl)} (${f('avgTradeReturn', m.avgTradeReturn)})`],
        [METRICS.exposure.label, `${f('exposure', m.exposure)} of bars, ${f('avgExposure', m.avgExposure)} average`],
        [METRICS.turnover.label, `${f('turnover', m.turnover)} per year`],
        ['Period', `${f('bars', m.bars)} bars, ${f('years', m.years)}`],
    ];
}
