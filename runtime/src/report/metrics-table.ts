/** Metrics as labelled, formatted rows: one definition shared by the CLI, the HTML report and JSON output. */
import type { Metrics } from '../engine/metrics.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : String(x));
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
const days = (ms: number) => `${Math.round(ms / 86_400_000)} days`;

export function metricRows(m: Metrics): [string, string][] {
    return [
        ['Total return', pct(m.totalReturn)],
        ['CAGR', pct(m.cagr)],
        ['Annual volatility', pct(m.annualVolatility)],
        ['Sharpe', num(m.sharpe)],
        ['Sortino', num(m.sortino)],
        ['Max drawdown', pct(m.maxDrawdown)],
        ['Max drawdown duration', `${m.maxDrawdownBars} bars (${days(m.maxDrawdownMs)})`],
        ['Calmar', num(m.calmar)],
        ['Trades', String(m.tradeCount)],
        ['Win rate', pct(m.winRate)],
        ['Profit factor', num(m.profitFactor)],
        ['Average trade', `${num(m.avgTradePnl)} (${pct(m.avgTradeReturn)})`],
        ['Exposure', `${pct(m.exposure)} of bars, ${pct(m.avgExposure)} average`],
        ['Turnover', `${num(m.turnover)}× per year`],
        ['Period', `${m.bars} bars, ${num(m.years, 1)} years`],
    ];
}

export function printTable(rows: readonly (readonly [string, string])[]): string {
    const w = Math.max(...rows.map(r => r[0].length));
    return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}
