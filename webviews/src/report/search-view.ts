/**
 * The report's sections for searches: a sweep's metric over two params as a heatmap (the chosen
 * trial marked), its warnings and its best trials; a walk-forward's windows, in and out of sample,
 * as a chart and a table. Drawn from the run result as it is (the heatmap's cells are computed by
 * protocol/src/tearsheet.ts).
 */
import { clear, h, svg } from '../common/dom.js';
import { Chart } from '../common/chart.js';
import { fixed, utc } from '../common/format.js';
import { fromWire } from '../../../protocol/src/numbers.js';
import { formatMetric, metricDefinition, metricsFromWire } from '../../../protocol/src/metrics.js';
import type { RunResult, Tearsheet, Trial } from '../../../protocol/src/run-result.js';
import { heatClass, type Drawn } from './tearsheet-view.js';

/** Rows the trials table shows at first, and adds per "show more". */
const TOP_TRIALS = 50;
/** Metric columns of the trials table (the ranking metric first when it is not one of them). */
const TRIAL_METRICS = ['sharpe', 'totalReturn', 'maxDrawdown', 'winRate', 'tradeCount'] as const;
const params = (p: Readonly<Record<string, number | boolean>>): string => Object.entries(p).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '(none)';

function section(id: string, title: string, ...children: (Node | null)[]): HTMLElement {
    return h('section', { id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...children);
}

const axisLabel = (v: number, binned: boolean): string => (binned ? `≥ ${fixed(v, 2)}` : String(v));

export function sweepSection(r: RunResult): HTMLElement | null {
    const sw = r.sweep;
    if (!sw) return null;
    const g: Tearsheet['sweep'] = r.tearsheet?.sweep ?? null;
    const parts: (Node | null)[] = [];
    if (sw.warnings?.length) parts.push(h('ul', { id: 'sweep-warnings', class: 'warnings' }, ...sw.warnings.map(x => h('li', {}, x))));
    const dsr = fromWire(sw.deflatedSharpe.dsr);
    parts.push(h('p', { id: 'sweep-summary' }, `${sw.trialCount} trials, ranked by ${r.search?.sortBy ?? 'sharpe'}; best: ${params(r.params)}. `,
        `Deflated Sharpe of the best (the chance its Sharpe is not luck among ${sw.trialCount} trials): ${Number.isFinite(dsr) ? fixed(dsr, 3) : '–'}.`,
        sw.failedTrials?.length ? ` ${sw.failedTrials.length} combinations could not run.` : ''));
    if (g) {
        const finite = g.cells.flat().map(fromWire).filter(Number.isFinite);
        const mid = finite.length ? [...finite].sort((a, b) => a - b)[Math.floor(finite.length / 2)]! : 0;
        const spread = Math.max(1e-12, ...finite.map(v => Math.abs(v - mid)));
        const lower = g.metric === 'maxDrawdown';
        const cx = fromWire(g.chosen.x), cy = fromWire(g.chosen.y);
        const at = (values: number[], v: number, binned: boolean): number => (binned ? values.findLastIndex(x => x <= v) : values.indexOf(v));
        const ci = at(g.x.values, cx, g.x.binned), cj = at(g.y.values, cy, g.y.binned);
        const table = h('table', { id: 'sweep-heatmap', class: 'heatmap' },
            h('caption', {}, `${g.metric} by ${g.y.name} (rows) and ${g.x.name} (columns)${g.others.length ? `, best over ${g.others.join(', ')}` : ''}`),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, `${g.y.name} \\ ${g.x.name}`), ...g.x.values.map(v => h('th', { scope: 'col', class: 'n' }, axisLabel(v, g.x.binned))))),
            h('tbody', {}, ...g.cells.map((row, j) => h('tr', {}, h('th', { scope: 'row', class: 'n' }, axisLabel(g.y.values[j]!, g.y.binned)),
                ...row.map((c, i) => {
                    const v = fromWire(c);
                    // Coloured by distance from the median, the better side green.
                    const cls = heatClass(lower ? mid - v : v - mid, spread);
                    const chosen = i === ci && j === cj;
                    return h('td', { class: `n heat ${cls}${chosen ? ' chosen' : ''}`, 'data-x': g.x.values[i], 'data-y': g.y.values[j], title: chosen ? 'the chosen trial' : undefined },
                        Number.isFinite(v) ? fixed(v, 2) : '');
                })))));
        parts.push(h('div', { class: 'scroll-x', tabindex: 0, role: 'region', 'aria-label': 'Sweep heatmap' }, table),
            h('p', { class: 'muted small' }, 'The outlined cell is the chosen trial. An optimum on the grid\'s edge may lie beyond what was tried.'));
    } else {
        parts.push(h('p', { class: 'muted' }, 'No heatmap: fewer than two numeric params vary.'));
    }
    const pc = parallelCoordinates(sw.trials, r.search?.sortBy ?? 'sharpe');
    if (pc) parts.push(h('h3', {}, 'Parallel coordinates'), pc);
    if (sw.trials.length) parts.push(...trialsTable(sw.trials, sw.trialCount, r.params, r.search?.sortBy ?? 'sharpe'));
    return section('sweep', 'Sweep', ...parts);
}

const sameParams = (a: Readonly<Record<string, number | boolean>>, b: Readonly<Record<string, number | boolean>>): boolean =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * Every trial the result lists, as a table sortable by any column (click or Enter on a header;
 * missing values last), the top `TOP_TRIALS` first and more on demand, the chosen trial marked.
 */
function trialsTable(trials: readonly Trial[], trialCount: number, chosen: Readonly<Record<string, number | boolean>>, sortBy: string): HTMLElement[] {
    const keys = Object.keys(trials[0]!.params);
    const metrics = [...new Set([sortBy, ...TRIAL_METRICS])];
    const rows = trials.map((t, rank) => ({ rank: rank + 1, t, m: metricsFromWire(t.metrics), chosen: sameParams(t.params, chosen) }));
    type Row = (typeof rows)[number];
    const cols: { key: string; title: string; value: (x: Row) => number; text: (x: Row) => string }[] = [
        { key: 'rank', title: '#', value: x => x.rank, text: x => String(x.rank) },
        ...keys.map(k => ({ key: `param:${k}`, title: k, value: (x: Row) => Number(x.t.params[k]), text: (x: Row) => String(x.t.params[k]) })),
        ...metrics.map(c => ({ key: c, title: metricDefinition(c)?.label ?? c, value: (x: Row) => x.m[c as keyof typeof x.m], text: (x: Row) => formatMetric(c, x.m[c as keyof typeof x.m]) })),
    ];
    let sort = { key: 'rank', dir: 1 };
    let shown = Math.min(TOP_TRIALS, rows.length);
    const thead = h('thead'), tbody = h('tbody');
    const heading = h('h3', { id: 'sweep-trials-h' });
    const more = h('button', { class: 'secondary', id: 'more-trials' });
    const render = (): void => {
        const col = cols.find(c => c.key === sort.key)!;
        const ordered = [...rows].sort((a, b) => {
            const va = col.value(a), vb = col.value(b);
            if (!Number.isFinite(va) || !Number.isFinite(vb)) return Number.isFinite(va) === Number.isFinite(vb) ? a.rank - b.rank : Number.isFinite(va) ? -1 : 1;
            return sort.dir * (va - vb) || a.rank - b.rank;
        });
        clear(thead);
        thead.append(h('tr', {}, ...cols.map(c => {
            const active = c.key === sort.key;
            const b = h('button', { class: 'sort', title: `Sort by ${c.title}` }, c.title, h('span', { class: 'arrow', 'aria-hidden': 'true' }, active ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''));
            b.addEventListener('click', () => {
                // A metric sorts best first on its first click; a param or the rank ascending.
                const better = metricDefinition(c.key)?.better;
                sort = { key: c.key, dir: active ? -sort.dir : better === 'higher' ? -1 : 1 };
                render();
                (thead.querySelector(`th[data-key="${CSS.escape(c.key)}"] button`) as HTMLElement | null)?.focus();
            });
            return h('th', { scope: 'col', class: 'n', 'data-key': c.key, 'aria-sort': active ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none' }, b);
        })));
        clear(tbody);
        for (const x of ordered.slice(0, shown)) {
            tbody.append(h('tr', { class: x.chosen ? 'chosen' : undefined, 'data-rank': x.rank, title: x.chosen ? 'the chosen trial' : undefined }, ...cols.map(c => h('td', { class: 'n' }, c.text(x)))));
        }
        heading.textContent = shown < rows.length ? `Trials: ${shown} of ${rows.length} shown (${trialCount} run)` : `Trials: all ${rows.length}${rows.length < trialCount ? ` listed of ${trialCount} run` : ''}`;
        more.textContent = `Show ${Math.min(TOP_TRIALS * 4, rows.length - shown)} more`;
        more.classList.toggle('hidden', shown >= rows.length);
    };
    more.addEventListener('click', () => { shown = Math.min(rows.length, shown + TOP_TRIALS * 4); render(); });
    render();
    return [heading, h('p', { class: 'muted small' }, 'Click a column to sort; the outlined row is the chosen trial. # is the rank by the sweep\'s metric.'),
        h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': 'Trials' }, h('table', { id: 'sweep-trials', class: 'sortable' }, thead, tbody)), more];
}

/** Most trials drawn as lines (the best first): enough to see where the good ones sit. */
const PC_LINES = 300;

/**
 * One vertical axis per numeric param that varies, and one for the ranking metric; each trial a
 * line across them (the best `PC_LINES`), the chosen one drawn over the others. An SVG of lines and
 * text only, coloured by CSS classes.
 */
export function parallelCoordinates(trials: readonly Trial[], metric: string): SVGSVGElement | null {
    if (trials.length < 2) return null;
    const names = Object.keys(trials[0]!.params).filter(k => trials.every(t => typeof t.params[k] === 'number') && new Set(trials.map(t => t.params[k])).size > 1);
    if (names.length < 2) return null;
    const shown = trials.slice(0, PC_LINES);
    const axes = [...names.map(k => ({ name: k, value: (t: Trial) => t.params[k] as number })),
        { name: metric, value: (t: Trial) => fromWire(t.metrics[metric as keyof typeof t.metrics]) }];
    const W = 760, H = 240, top = 24, bottom = 28, left = 40, right = 40;
    const x = (i: number): number => left + (i * (W - left - right)) / (axes.length - 1);
    const ranges = axes.map(a => {
        let lo = Infinity, hi = -Infinity;
        for (const t of trials) { const v = a.value(t); if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
        return { lo, hi };
    });
    const y = (i: number, v: number): number => {
        const { lo, hi } = ranges[i]!;
        return hi > lo ? top + (1 - (v - lo) / (hi - lo)) * (H - top - bottom) : (top + H - bottom) / 2;
    };
    const line = (t: (typeof trials)[number], cls: string): SVGPolylineElement | null => {
        const pts = axes.map((a, i) => [x(i), y(i, a.value(t))] as const);
        if (pts.some(([, v]) => !Number.isFinite(v))) return null;
        return svg('polyline', { class: cls, points: pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ') });
    };
    const lines = shown.slice(1).reverse().map((t, i, all) => line(t, `pc-line pc-rank-${Math.min(4, Math.floor((4 * (all.length - 1 - i)) / Math.max(1, all.length)))}`));
    return svg('svg', { id: 'sweep-parallel', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `The best ${shown.length} of ${trials.length} trials across ${names.join(', ')} and ${metric}; the chosen trial drawn over the others` },
        ...lines, line(shown[0]!, 'pc-line pc-best'),
        ...axes.flatMap((a, i) => [
            svg('line', { class: 'pc-axis', x1: x(i), x2: x(i), y1: top, y2: H - bottom }),
            svg('text', { class: 'pc-label', x: x(i), y: top - 8, 'text-anchor': 'middle' }, a.name),
            svg('text', { class: 'pc-tick', x: x(i), y: H - bottom + 14, 'text-anchor': 'middle' }, fixed(ranges[i]!.lo, 2)),
            svg('text', { class: 'pc-tick', x: x(i) + 4, y: top + 12, 'text-anchor': 'start' }, fixed(ranges[i]!.hi, 2)),
        ]));
}

export function walkForwardSection(r: RunResult): Drawn | null {
    const wf = r.walkforward;
    if (!wf || wf.windows.length === 0) return null;
    const chartEl = h('div', { id: 'wf-chart' });
    const cols = ['#', 'in sample', 'out of sample', 'params', 'IS Sharpe', 'OOS Sharpe', 'IS return', 'OOS return', 'OOS trades'];
    const table = h('table', { id: 'wf-windows' },
        h('thead', {}, h('tr', {}, ...cols.map((c, i) => h('th', { scope: 'col', class: i === 0 || i >= 4 ? 'n' : undefined }, c)))),
        h('tbody', {}, ...wf.windows.map((x, i) => {
            const is = metricsFromWire(x.inSampleMetrics), oos = metricsFromWire(x.outOfSampleMetrics);
            return h('tr', {}, h('td', { class: 'n' }, i + 1),
                h('td', {}, `${utc(x.inSample.from)} → ${utc(x.inSample.to)}`), h('td', {}, `${utc(x.outOfSample.from)} → ${utc(x.outOfSample.to)}`),
                h('td', { class: 'mono' }, params(x.params)),
                h('td', { class: 'n' }, formatMetric('sharpe', is.sharpe)), h('td', { class: 'n' }, formatMetric('sharpe', oos.sharpe)),
                h('td', { class: 'n' }, formatMetric('totalReturn', is.totalReturn)), h('td', { class: 'n' }, formatMetric('totalReturn', oos.totalReturn)),
                h('td', { class: 'n' }, formatMetric('tradeCount', oos.tradeCount)));
        })));
    const eff = fromWire(wf.efficiency);
    const el = section('walkforward', `Walk-forward: ${wf.windows.length} windows`,
        h('p', { id: 'wf-summary' }, `${wf.scheme}, ${wf.inSampleBars} in-sample + ${wf.outOfSampleBars} out-of-sample bars per window; efficiency (mean OOS Sharpe / mean IS Sharpe) ${Number.isFinite(eff) ? fixed(eff, 2) : '–'}.`),
        chartEl, h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': 'Walk-forward windows' }, table));
    const ts = wf.windows.map(x => x.outOfSample.from);
    const sharpe = (k: 'inSampleMetrics' | 'outOfSampleMetrics'): number[] => wf.windows.map(x => fromWire(x[k].sharpe));
    return {
        el, draw: () => [new Chart(chartEl, {
            height: 180, ts, spanGaps: true,
            series: [{ label: 'in-sample Sharpe', color: 'chart-2', points: true }, { label: 'out-of-sample Sharpe', color: 'chart-1', points: true }],
            values: [sharpe('inSampleMetrics'), sharpe('outOfSampleMetrics')], format: v => fixed(v),
            summary: `Sharpe in and out of sample for each of ${wf.windows.length} windows, by the start of the out-of-sample window`,
        })],
    };
}
