/**
 * The backtest report panel: progress while the run is going, then the run's result
 * (protocol/src/run-result.ts) drawn as a tearsheet — the metrics table, equity against the
 * benchmark (log scale on demand), underwater and exposure charts, a sweep's heatmap and best
 * trials or a walk-forward's windows, the tearsheet's sections (tearsheet-view.ts: benchmark
 * statistics, monthly and yearly returns, rolling figures, worst drawdowns, trade analysis), events,
 * the trades table and the run's provenance (fingerprints, data snapshot, engine version, seed),
 * with a link back to the strategy's source. The same bundle is the standalone HTML report
 * (runtime/src/report/html-report.ts) with its `run` message embedded in the page. The run itself
 * is not kept in the page's saved state (it can be megabytes): when VS Code re-creates the page,
 * the extension sends it again.
 */
import '../common/jitless.js';
import './report.css';
import { connect, type Delivered, type Host } from '../common/host.js';
import { appRoot, clear, h } from '../common/dom.js';
import { Chart, type ChartSpec } from '../common/chart.js';
import { fixed, percent, price, shortHash, utc } from '../common/format.js';
import { ReportToHost, ReportToWebview, type ReportRun, type RunInfo } from '../../../protocol/src/webview.js';
import { fromWire } from '../../../protocol/src/numbers.js';
import { metricRows, metricsFromWire } from '../../../protocol/src/metrics.js';
import { benchmarkSection, drawdownsSection, returnsSection, rollingSection, tradesAnalysisSection, type Drawn } from './tearsheet-view.js';
import { sweepSection, walkForwardSection } from './search-view.js';
import { describeOverfitting } from '../../../protocol/src/run-result.js';

const TRADE_PAGE = 1000;

class ReportView {
    private readonly header = h('header', { class: 'report-header' });
    private readonly progress = h('section', { class: 'report-progress hidden', 'aria-label': 'Run progress' });
    private readonly status = h('div', { class: 'report-status', role: 'status', 'aria-live': 'polite' });
    private readonly body = h('div', { class: 'report-body' });
    private charts: Chart[] = [];
    private current: ReportRun | undefined;

    constructor(root: HTMLElement, private readonly host: Host<ReportToWebview, ReportToHost>) {
        clear(root);
        root.append(this.header, this.progress, this.status, this.body);
        this.status.textContent = 'Waiting for the run…';
    }

    handle(m: Delivered<ReportToWebview>): void {
        switch (m.type) {
            case 'progress': return this.showProgress(m.fraction, m.message, m.run);
            case 'failed': return this.showFailure(m.message);
            case 'waiting': return this.showWaiting(m.message);
            case 'run': return this.showRun(m);
        }
    }

    /** Nothing to show yet, and why (the daemon is not connected): a status, not an error. */
    private showWaiting(message: string): void {
        this.progress.classList.add('hidden');
        this.body.querySelectorAll(':scope > .error-box').forEach(e => e.remove());
        this.status.textContent = message;
    }

    private showProgress(fraction: number, message: string | undefined, run: RunInfo | undefined): void {
        if (run && !this.current) this.renderHeader(run, undefined);
        const pct = Math.round(fraction * 100);
        clear(this.progress);
        const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct, 'aria-label': 'Backtest progress' }, h('div'));
        (bar.firstElementChild as HTMLElement).style.width = `${pct}%`;
        this.progress.append(bar, h('div', { class: 'muted' }, `${message ?? 'Running'} — ${pct}%`));
        this.progress.classList.remove('hidden');
        this.status.textContent = this.current ? '' : `Running… ${pct}%`;
    }

    private showFailure(message: string): void {
        this.progress.classList.add('hidden');
        this.status.textContent = '';
        this.body.prepend(h('div', { class: 'error-box', role: 'alert' }, message));
    }

    private renderHeader(run: RunInfo, m: ReportRun | undefined): void {
        clear(this.header);
        const title = run.title ?? `${run.strategy} — backtest`;
        document.title = title;
        const state = run.state ?? (m ? 'completed' : 'running');
        this.header.append(h('h1', {}, title, ' ', h('span', { class: `badge state-${state}` }, state)));
        const wf = m?.result.walkforward;
        // A walk-forward's params change per window: its header names them only when every window chose the same.
        const perWindow = wf && new Set(wf.windows.map(w => JSON.stringify(w.params))).size > 1;
        const params = perWindow ? `per window (${wf.windows.length} windows, see the walk-forward table)` : Object.entries(run.params).map(([k, v]) => `${k} = ${String(v)}`).join(', ') || '(none)';
        const parts = [run.universe.join(', '), run.timeframe];
        if (m) {
            const { range } = m.result;
            const day = [range.from, range.to].every(t => t % 86_400_000 === 0);
            const oos = wf?.windows.length ? { from: wf.windows[0]!.outOfSample.from, to: wf.windows[wf.windows.length - 1]!.outOfSample.to } : undefined;
            // A walk-forward's figures are its stitched out-of-sample bars: the header gives their period, then the data's.
            if (oos) parts.push(`out of sample ${utc(oos.from, !day)} → ${utc(oos.to, !day)}, ${fixed(fromWire(m.result.metrics.bars), 0)} bars (data ${utc(range.from, !day)} → ${utc(range.to, !day)}, ${range.bars} bars)`);
            else parts.push(`${utc(range.from, !day)} → ${utc(range.to, !day)}`, `${range.bars} bars, warm-up ${m.result.warmupBars}`);
        }
        this.header.append(h('div', { class: 'sub muted', id: 'run-summary' }, `${parts.join(' · ')} · params: ${params}`));
        // How far the figures can be trusted: the sweep's overfitting and the run's place in the team's research ledger.
        const sweep = m?.result.sweep;
        if (sweep?.overfitting) this.header.append(h('div', { class: 'sub', id: 'overfitting' }, describeOverfitting(sweep.overfitting, sweep.trialCount)));
        if (m?.result.ledger) this.header.append(h('div', { class: 'sub', id: 'ledger' }, `Research ledger: ${m.result.ledger.summary}`));
        if (run.uri) {
            const file = decodeURIComponent(run.uri.replace(/^.*\//, ''));
            const line = run.range ? `:${run.range.start.line + 1}` : '';
            const label = `${file}${line}`;
            const src = this.host.connected && run.range
                ? h('button', { class: 'link', id: 'source-link', title: `Open ${run.uri}` }, label)
                : h('span', { class: 'mono', id: 'source-link' }, label);
            if (this.host.connected && run.range) {
                const range = run.range, uri = run.uri;
                src.addEventListener('click', () => this.host.post({ type: 'reveal', uri, range }));
            }
            this.header.append(h('div', { class: 'source' }, 'Source: ', src));
        }
    }

    private showRun(m: ReportRun): void {
        this.current = m;
        this.progress.classList.add('hidden');
        this.status.textContent = '';
        this.charts.forEach(c => c.destroy());
        this.charts = [];
        clear(this.body);
        this.renderHeader(m.run, m);

        const metrics = metricsFromWire(m.result.metrics);
        const metricsTable = h('table', { id: 'metrics', class: 'metrics' },
            h('tbody', {}, ...metricRows(metrics).map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { class: 'n' }, v)))));
        const equityEl = h('div', { id: 'equity' });
        const drawdownEl = h('div', { id: 'drawdown' });
        const exposureEl = h('div', { id: 'exposure' });
        const logToggle = h('button', { class: 'secondary small-button', id: 'log-scale', 'aria-pressed': 'false', title: 'Logarithmic equity axis' }, 'log scale');
        const { series } = m.result;
        this.body.append(h('div', { class: 'grid' },
            h('section', { 'aria-labelledby': 'metrics-h' }, h('h2', { id: 'metrics-h' }, 'Metrics'), metricsTable),
            h('section', { class: 'charts' },
                h('div', { class: 'chart-head' }, h('h2', {}, series?.benchmark ? `Equity against ${m.result.benchmark?.name ?? 'the benchmark'}` : 'Equity'), series ? logToggle : null),
                equityEl, series ? h('h2', {}, 'Underwater (drawdown)') : null, drawdownEl, series ? h('h2', {}, 'Exposure') : null, series ? exposureEl : null)));

        if (series) {
            const equity = series.equity.map(fromWire), drawdown = series.drawdown.map(fromWire);
            const bench = series.benchmark?.map(fromWire);
            const money = (v: number): string => fixed(v, Math.abs(v) >= 1000 ? 0 : 2);
            const lastEquity = equity[equity.length - 1] ?? NaN;
            const worst = drawdown.reduce((a, b) => (b < a ? b : a), 0);
            // The engine's events (a halt, a flattening) as lines on the equity and drawdown charts.
            const marks = m.result.events.map(e => e.ts);
            const marked = marks.length ? `; ${marks.length} engine event${marks.length === 1 ? '' : 's'} marked` : '';
            const equitySpec = (log: boolean): ChartSpec => ({
                height: 240, ts: series.ts, log, format: money, marks,
                series: [{ label: 'equity', color: 'chart-1', fill: !log }, ...(bench ? [{ label: m.result.benchmark?.name ?? 'benchmark', color: 'chart-2', dash: true }] : [])],
                values: bench ? [equity, bench] : [equity],
                summary: `Equity curve over ${m.result.range.bars} bars, ending at ${money(lastEquity)}${bench ? `; ${m.result.benchmark?.name ?? 'benchmark'} ending at ${money(bench[bench.length - 1] ?? NaN)}` : ''}${log ? ' (log scale)' : ''}${marked}`,
            });
            const equityChart = new Chart(equityEl, equitySpec(false));
            const positive = [...equity, ...(bench ?? [])].every(v => !Number.isFinite(v) || v > 0);
            if (!positive) { logToggle.setAttribute('disabled', ''); logToggle.title = 'Equity is not positive throughout: no log scale'; }
            logToggle.addEventListener('click', () => {
                const on = logToggle.getAttribute('aria-pressed') !== 'true';
                logToggle.setAttribute('aria-pressed', String(on));
                equityChart.update(equitySpec(on));
            });
            this.charts.push(
                equityChart,
                new Chart(drawdownEl, {
                    height: 160, ts: series.ts, series: [{ label: 'drawdown', color: 'neg', fill: true }], values: [drawdown], format: v => percent(v, 1), marks,
                    summary: `Drawdown curve, deepest ${percent(worst, 1)}${marked}`,
                }),
                new Chart(exposureEl, {
                    height: 120, ts: series.ts, series: [{ label: 'gross exposure', color: 'chart-3', fill: true }], values: [series.exposure.map(fromWire)], format: v => percent(v, 0),
                    summary: `Gross exposure as a fraction of equity, mean ${percent(metrics.avgExposure, 0)}`,
                }),
            );
        } else {
            equityEl.append(h('p', { class: 'muted' }, 'No equity curve: a sweep keeps no single run\'s bars (backtest its best parameters for them).'));
        }

        const sheet = m.result.tearsheet;
        const day = [m.result.range.from, m.result.range.to].every(t => t % 86_400_000 === 0);
        const drawn: (Drawn | HTMLElement | null)[] = [
            sweepSection(m.result),
            walkForwardSection(m.result),
            ...(sheet ? [
                // A result made before tearsheets, read back thinned (an old daemon run): its figures are approximate, and say so.
                series && sheet.bars < metrics.bars ? h('p', { class: 'muted', id: 'tearsheet-thinned' }, `The figures below come from ${sheet.bars} of the run's ${metrics.bars} bars (a result made before tearsheets, thinned for drawing): approximate.`) : null,
                benchmarkSection(sheet, m.result.metrics),
                returnsSection(sheet),
                rollingSection(sheet),
                drawdownsSection(sheet, day),
                tradesAnalysisSection(sheet, m.result.tradeCount),
            ] : []),
        ];
        for (const d of drawn) {
            if (!d) continue;
            if (d instanceof HTMLElement) { this.body.append(d); continue; }
            this.body.append(d.el);
            this.charts.push(...d.draw());
        }

        if (m.result.events.length) {
            this.body.append(h('section', {}, h('h2', {}, 'Events'),
                h('ul', { id: 'events' }, ...m.result.events.map(e => h('li', {}, `${utc(e.ts)} `, h('b', {}, e.kind), ` ${e.message}`)))));
        }
        this.body.append(this.tradesSection(m));
        this.body.append(this.provenanceSection(m));
    }

    private tradesSection(m: ReportRun): HTMLElement {
        const { trades, tradeCount } = m.result;
        if (m.result.sweep && tradeCount === 0) {
            return h('section', { 'aria-labelledby': 'trades-h' }, h('h2', { id: 'trades-h' }, 'Trades'),
                h('p', { class: 'muted', id: 'trades-listed' }, `A sweep keeps no single run's trades: the chosen trial made ${fixed(fromWire(m.result.metrics.tradeCount), 0)} (backtest its parameters to list them).`));
        }
        const tbody = h('tbody');
        const row = (i: number): HTMLTableRowElement => {
            const t = trades[i]!;
            const pnl = fromWire(t.pnl);
            return h('tr', {},
                h('td', { class: 'n' }, i + 1), h('td', {}, t.symbol), h('td', {}, t.side),
                h('td', {}, utc(t.entryTs)), h('td', {}, utc(t.exitTs)),
                h('td', { class: 'n' }, price(fromWire(t.entryPrice))), h('td', { class: 'n' }, price(fromWire(t.exitPrice))),
                h('td', { class: 'n' }, fixed(fromWire(t.maxQty), 4)),
                h('td', { class: `n ${pnl >= 0 ? 'pos' : 'neg'}` }, fixed(pnl)),
                h('td', { class: 'n' }, percent(fromWire(t.returnPct))),
                // Excursions as % of the entry price (absent in results made before them).
                h('td', { class: 'n neg', title: t.mae !== undefined ? `${price(fromWire(t.mae))} per unit` : undefined }, t.maePct !== undefined ? percent(fromWire(t.maePct)) : '–'),
                h('td', { class: 'n pos', title: t.mfe !== undefined ? `${price(fromWire(t.mfe))} per unit` : undefined }, t.mfePct !== undefined ? percent(fromWire(t.mfePct)) : '–'),
                h('td', {}, t.exitReason.replace(/_/g, ' ')));
        };
        let shown = 0;
        const more = h('button', { class: 'secondary hidden', id: 'more-trades' });
        const showMore = (): void => {
            const until = Math.min(trades.length, shown + TRADE_PAGE);
            for (; shown < until; shown++) tbody.append(row(shown));
            more.textContent = `Show ${Math.min(TRADE_PAGE, trades.length - shown)} more of ${trades.length - shown}`;
            more.classList.toggle('hidden', shown >= trades.length);
        };
        more.addEventListener('click', showMore);
        showMore();
        const cols = ['#', 'asset', 'side', 'entry', 'exit', 'entry price', 'exit price', 'qty', 'P&L', 'return', 'MAE', 'MFE', 'exit reason'];
        const numeric = new Set(['#', 'entry price', 'exit price', 'qty', 'P&L', 'return', 'MAE', 'MFE']);
        const table = h('table', { id: 'trades' },
            h('thead', {}, h('tr', {}, ...cols.map(c => h('th', { scope: 'col', class: numeric.has(c) ? 'n' : undefined }, c)))), tbody);
        return h('section', { 'aria-labelledby': 'trades-h' },
            h('h2', { id: 'trades-h' }, `Trades (${tradeCount})`),
            trades.length < tradeCount ? h('p', { class: 'muted', id: 'trades-listed' }, `The first ${trades.length} are listed.`) : null,
            trades.length ? h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': 'Trades' }, table) : h('p', { class: 'muted' }, 'No trades.'),
            more);
    }

    private provenanceSection(m: ReportRun): HTMLElement {
        const p = m.result.provenance;
        const fp = (value: string, structural: boolean): HTMLElement => {
            const cell = h('td', {}, h('code', { class: 'hash', title: value }, value));
            if (this.host.connected) {
                const b = h('button', { class: 'link runs-link', 'data-structural': structural ? 'true' : 'false' }, structural ? 'runs with this structure' : 'runs of this exact strategy');
                b.addEventListener('click', () => this.host.post({ type: 'showRuns', fingerprint: value, structural }));
                cell.append(' ', b);
            }
            return cell;
        };
        const rows: [string, HTMLElement][] = [
            ['exact fingerprint', fp(p.exactFingerprint, false)],
            ['structural fingerprint', fp(p.structuralFingerprint, true)],
            ['data snapshot', h('td', {}, h('code', { title: p.dataSnapshot }, shortHash(p.dataSnapshot, 64)))],
            ['engine version', h('td', {}, h('code', {}, p.engineVersion))],
            ['seed', h('td', {}, h('code', {}, String(p.seed)))],
        ];
        if (m.run.id) rows.unshift(['run', h('td', {}, h('code', {}, m.run.id))]);
        return h('section', { 'aria-labelledby': 'prov-h' }, h('h2', { id: 'prov-h' }, 'Reproducibility'),
            h('table', { id: 'provenance' }, h('tbody', {}, ...rows.map(([k, td]) => h('tr', { 'data-key': k }, h('th', { scope: 'row' }, k), td)))),
            h('p', { class: 'muted small' }, 'The same fingerprint, data snapshot, engine version and seed give bit-identical results. Charts: uPlot.'));
    }
}

const host = connect(ReportToWebview, ReportToHost);
const view = new ReportView(appRoot(), host);
host.listen(m => view.handle(m));
