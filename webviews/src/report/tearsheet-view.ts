/**
 * The report's tearsheet sections, drawn from the run result's `tearsheet`
 * (protocol/src/tearsheet.ts computes it; this only draws): against the benchmark, rolling
 * Sharpe / volatility / beta, monthly and yearly returns as a heatmap, the worst drawdowns, and the
 * trades analysed. Heatmap cells are coloured by CSS classes (theme tokens), never inline styles:
 * the panel's CSP forbids them and the colours follow the theme.
 */
import { h } from '../common/dom.js';
import { Chart } from '../common/chart.js';
import { fixed, percent, utc } from '../common/format.js';
import { fromWire, type WireNumber } from '../../../protocol/src/numbers.js';
import type { RunResult, Tearsheet } from '../../../protocol/src/run-result.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const w = fromWire;
const pct = (x: WireNumber | undefined, d = 1): string => percent(w(x), d);
const num = (x: WireNumber | undefined, d = 2): string => fixed(w(x), d);

/** A heat class for a signed value: five steps each side of zero, scaled by `scale` (the largest magnitude shown). */
export function heatClass(v: number, scale: number): string {
    if (!Number.isFinite(v) || scale <= 0) return 'heat-none';
    const step = Math.min(5, Math.max(1, Math.ceil((Math.abs(v) / scale) * 5)));
    return v === 0 ? 'heat-zero' : `heat-${v > 0 ? 'pos' : 'neg'}-${step}`;
}

/** A duration in words: `3.5 h`, `2.0 d`, `6.1 w`. */
export function duration(ms: number): string {
    if (!Number.isFinite(ms)) return fixed(ms);
    const hrs = ms / 3_600_000;
    if (hrs < 48) return `${fixed(hrs, 1)} h`;
    const days = hrs / 24;
    return days < 60 ? `${fixed(days, 1)} d` : `${fixed(days / 7, 1)} w`;
}

function kv(id: string, rows: readonly [string, string, string?][]): HTMLTableElement {
    return h('table', { id, class: 'kv' }, h('tbody', {}, ...rows.map(([k, v, cls]) =>
        h('tr', { 'data-key': k }, h('th', { scope: 'row' }, k), h('td', { class: `n ${cls ?? ''}`.trim() }, v)))));
}

const signed = (x: WireNumber | undefined): string | undefined => { const v = w(x); return v > 0 ? 'pos' : v < 0 ? 'neg' : undefined; };

function section(id: string, title: string, ...children: (Node | null)[]): HTMLElement {
    return h('section', { id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...children);
}

export function benchmarkSection(t: Tearsheet, m: RunResult['metrics']): HTMLElement | null {
    const b = t.benchmark;
    if (!b) return null;
    const rows: [string, string, string, string?][] = [
        ['Total return', pct(m.totalReturn, 2), pct(b.totalReturn, 2)],
        ['Annual volatility', pct(m.annualVolatility, 2), pct(b.annualVolatility, 2)],
        ['Sharpe', num(m.sharpe), num(b.sharpe)],
        ['Max drawdown', pct(m.maxDrawdown, 2), pct(b.maxDrawdown, 2)],
    ];
    const table = h('table', { id: 'benchmark-compare' },
        h('thead', {}, h('tr', {}, h('th', {}), h('th', { class: 'n', scope: 'col' }, 'strategy'), h('th', { class: 'n', scope: 'col' }, b.name))),
        h('tbody', {}, ...rows.map(([k, a, c]) => h('tr', { 'data-key': k }, h('th', { scope: 'row' }, k), h('td', { class: 'n' }, a), h('td', { class: 'n' }, c)))));
    return section('benchmark', 'Against the benchmark',
        h('div', { class: 'pair' }, table, kv('benchmark-stats', [
            ['Alpha (annual)', pct(b.alpha, 2), signed(b.alpha)],
            ['Beta', num(b.beta)],
            ['Correlation', num(b.correlation)],
            ['Information ratio', num(b.informationRatio), signed(b.informationRatio)],
            ['Tracking error', pct(b.trackingError, 2)],
            ...(b.upCapture !== undefined ? [['Up capture', num(b.upCapture)] as [string, string]] : []),
            ...(b.downCapture !== undefined ? [['Down capture', num(b.downCapture)] as [string, string]] : []),
        ])),
        h('p', { class: 'muted small' }, 'Per-bar returns after the benchmark bought; alpha is the annualised intercept of the regression of the strategy\'s returns on the benchmark\'s; up (down) capture the strategy\'s annualised return over the bars the benchmark rose (fell), over the benchmark\'s.'));
}

/** A section and its charts, drawn once the section is in the document (a chart measures its container). */
export interface Drawn { readonly el: HTMLElement; readonly draw: () => Chart[] }

export function rollingSection(t: Tearsheet): Drawn | null {
    const r = t.rolling;
    if (!r || r.ts.length < 2) return null;
    const sharpeEl = h('div', { id: 'rolling-sharpe' }), volEl = h('div', { id: 'rolling-vol' }), betaEl = h('div', { id: 'rolling-beta' });
    const el = section('rolling', `Rolling, ${r.window} bars`, h('h3', {}, 'Sharpe'), sharpeEl, h('h3', {}, 'Volatility (annual)'), volEl, r.beta ? h('h3', {}, 'Beta to the benchmark') : null, r.beta ? betaEl : null);
    const last = (xs: readonly WireNumber[]): number => w(xs[xs.length - 1]);
    return { el, draw: () => [
        new Chart(sharpeEl, { height: 150, ts: r.ts, series: [{ label: 'Sharpe', color: 'chart-3' }], values: [r.sharpe.map(w)], format: v => fixed(v), summary: `Rolling Sharpe over ${r.window} bars, last ${fixed(last(r.sharpe))}` }),
        new Chart(volEl, { height: 150, ts: r.ts, series: [{ label: 'volatility', color: 'chart-2' }], values: [r.volatility.map(w)], format: v => percent(v, 1), summary: `Rolling annual volatility over ${r.window} bars, last ${percent(last(r.volatility), 1)}` }),
        ...(r.beta ? [new Chart(betaEl, { height: 150, ts: r.ts, series: [{ label: 'beta', color: 'chart-1' }], values: [r.beta.map(w)], format: v => fixed(v), summary: `Rolling beta over ${r.window} bars, last ${fixed(last(r.beta))}` })] : []),
    ] };
}

export function returnsSection(t: Tearsheet): HTMLElement | null {
    if (t.monthly.length === 0) return null;
    const years = t.yearly.map(y => y.year);
    const byMonth = new Map(t.monthly.map(m => [m.year * 12 + m.month - 1, m]));
    const scale = Math.max(...t.monthly.map(m => Math.abs(w(m.ret))).filter(Number.isFinite), 1e-12);
    const yScale = Math.max(...t.yearly.map(y => Math.abs(w(y.ret))).filter(Number.isFinite), 1e-12);
    const hasBench = t.yearly.some(y => y.benchmark !== undefined);
    const cell = (v: WireNumber | undefined, s: number, title: string): HTMLTableCellElement => {
        const x = w(v);
        return h('td', { class: `n heat ${heatClass(x, s)}`, title, 'data-value': Number.isFinite(x) ? String(x) : '' }, v === undefined ? '' : percent(x, 1));
    };
    const table = h('table', { id: 'monthly', class: 'heatmap' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'year'), ...MONTHS.map(m => h('th', { scope: 'col', class: 'n' }, m)),
            h('th', { scope: 'col', class: 'n' }, 'year'), hasBench ? h('th', { scope: 'col', class: 'n' }, 'benchmark') : null)),
        h('tbody', {}, ...years.map(y => {
            const yr = t.yearly.find(x => x.year === y)!;
            return h('tr', { 'data-year': y }, h('th', { scope: 'row' }, y),
                ...MONTHS.map((name, i) => { const m = byMonth.get(y * 12 + i); return cell(m?.ret, scale, `${name} ${y}`); }),
                cell(yr.ret, yScale, `${y}`), hasBench ? cell(yr.benchmark, yScale, `${y} benchmark`) : null);
        })));
    return section('returns', 'Monthly and yearly returns', h('div', { class: 'scroll-x', tabindex: 0, role: 'region', 'aria-label': 'Monthly returns' }, table),
        h('p', { class: 'muted small' }, 'Compounded within each calendar month and year (UTC); a partial first or last period counts only its bars.'));
}

export function drawdownsSection(t: Tearsheet, day: boolean): HTMLElement | null {
    if (t.drawdowns.length === 0) return null;
    const cols = ['#', 'start (peak)', 'trough', 'recovery', 'depth', 'bars', 'days'];
    const table = h('table', { id: 'worst-drawdowns' },
        h('thead', {}, h('tr', {}, ...cols.map((c, i) => h('th', { scope: 'col', class: i === 0 || i >= 4 ? 'n' : undefined }, c)))),
        h('tbody', {}, ...t.drawdowns.map((d, i) => h('tr', {},
            h('td', { class: 'n' }, i + 1), h('td', {}, utc(d.start, !day)), h('td', {}, utc(d.trough, !day)),
            h('td', {}, d.recovery === null ? 'not recovered' : utc(d.recovery, !day)),
            h('td', { class: 'n neg' }, pct(d.depth, 2)), h('td', { class: 'n' }, d.bars), h('td', { class: 'n' }, num(d.days, 0))))));
    return section('drawdowns', `Worst drawdowns (${t.drawdowns.length})`, table,
        h('p', { class: 'muted small' }, 'From the peak to the first close back at it (or to the last bar when not recovered).'));
}

function bars(id: string, label: string, bins: readonly { from: WireNumber; to: WireNumber; count: number }[], name: (b: { from: number; to: number }) => string): HTMLElement {
    const most = Math.max(1, ...bins.map(b => b.count));
    return h('div', { id, class: 'histogram', role: 'img', 'aria-label': label }, ...bins.map(b => {
        const bar = h('span', { class: 'bar' });
        bar.style.width = `${(100 * b.count) / most}%`; // CSSOM, not a style attribute: allowed under the CSP
        return h('div', { class: 'hrow', 'data-count': b.count }, h('span', { class: 'hlabel' }, name({ from: w(b.from), to: w(b.to) })), h('span', { class: 'htrack' }, bar), h('span', { class: 'n hcount' }, b.count));
    }));
}

export function tradesAnalysisSection(t: Tearsheet, tradeCount: number): HTMLElement | null {
    const a = t.trades;
    if (!a) return null;
    const groups = (id: string, head: string, gs: NonNullable<Tearsheet['trades']>['byAsset']): HTMLElement => h('table', { id },
        h('thead', {}, h('tr', {}, ...[head, 'trades', 'P&L', 'win rate', 'avg return'].map((c, i) => h('th', { scope: 'col', class: i ? 'n' : undefined }, c)))),
        h('tbody', {}, ...gs.map(g => h('tr', { 'data-key': g.key }, h('th', { scope: 'row' }, g.key), h('td', { class: 'n' }, g.count),
            h('td', { class: `n ${signed(g.pnl) ?? ''}`.trim() }, num(g.pnl)), h('td', { class: 'n' }, pct(g.winRate)), h('td', { class: 'n' }, pct(g.avgReturn, 2))))));
    return section('trade-analysis', 'Trade analysis',
        a.count < tradeCount ? h('p', { class: 'muted' }, `Of the ${a.count} trades listed (of ${tradeCount}).`) : null,
        h('div', { class: 'pair' },
            kv('trade-stats', [
                ['Trades', String(a.count)],
                ['Win rate', pct(a.winRate)],
                ['Profit factor', num(a.profitFactor)],
                ['Expectancy', num(a.expectancy), signed(a.expectancy)],
                ['Expectancy (return)', pct(a.expectancyPct, 2), signed(a.expectancyPct)],
                ['Average win', num(a.avgWin), 'pos'],
                ['Average loss', num(a.avgLoss), 'neg'],
                ['Payoff ratio', num(a.payoffRatio)],
                ['Largest win', num(a.largestWin)],
                ['Largest loss', num(a.largestLoss)],
                ['Holding, median', duration(w(a.holdingMs.median))],
                ['Holding, mean', duration(w(a.holdingMs.mean))],
                ['Holding, longest', duration(w(a.holdingMs.max))],
            ]),
            h('div', {},
                h('h3', {}, 'Holding time'), bars('holding-hist', 'Trades by holding time', a.holdingMs.bins, b => `< ${Number.isFinite(b.to) ? duration(b.to) : '∞'}`),
                h('h3', {}, 'Trade returns'), bars('return-hist', 'Trades by return', a.returnBins, b => `${percent(b.from, 1)} … ${percent(b.to, 1)}`))),
        h('div', { class: 'pair' }, h('div', {}, h('h3', {}, 'Long and short'), groups('by-side', 'side', a.bySide)),
            h('div', {}, h('h3', {}, 'By asset'), groups('by-asset', 'asset', a.byAsset))));
}
