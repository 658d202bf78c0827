/**
 * The deployment monitor panel: one deployment, live. The host sends the deployment, then its
 * events in seq order (stored ones first, then the `deployment:<id>` topic's); model.ts folds them
 * and this page draws the result: state and reason, risk state and the last denial, equity and PnL,
 * a streaming equity chart (uPlot's setData, redrawn at most once a frame), positions and
 * balances, open orders and fills. The kill switch and stop post to the host, which confirms with
 * the user and calls the daemon; what they did arrives as events like everything else.
 */
import '../common/jitless.js';
import './monitor.css';
import { connect, type Delivered, type Host } from '../common/host.js';
import { appRoot, clear, h } from '../common/dom.js';
import { Chart } from '../common/chart.js';
import { fixed, price } from '../common/format.js';
import { MonitorToHost, MonitorToWebview } from '../../../protocol/src/webview.js';
import { applyEvents, canKill, canStop, emptyModel, openOrders, statusLine, withDeployment, type MonitorModel } from './model.js';

const money = (x: number | null): string => (x === null ? '–' : fixed(x, 2));
const signed = (x: number | null): string => (x === null ? '–' : `${x > 0 ? '+' : ''}${fixed(x, 2)}`);
const qty = (x: number | null): string => (x === null ? '–' : String(Number(x.toPrecision(10))));

class MonitorView {
    private model: MonitorModel = emptyModel();
    private readonly title = h('h1', { id: 'title' }, 'Deployment');
    private readonly sub = h('div', { id: 'subtitle', class: 'muted' });
    private readonly status = h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });
    private readonly reason = h('div', { id: 'state-reason', class: 'muted' });
    private readonly risk = h('div', { id: 'risk' });
    private readonly denial = h('div', { id: 'last-denial', class: 'denial hidden', role: 'alert' });
    private readonly killBtn = h('button', { id: 'kill', class: 'danger', disabled: true, title: 'Cancel every open order, flatten every position, halt' }, 'Kill switch');
    private readonly stopBtn = h('button', { id: 'stop', class: 'secondary', disabled: true, title: 'No new orders; open orders stay at the venue' }, 'Stop');
    private readonly notice = h('div', { id: 'notice', class: 'notice hidden', role: 'status' });
    private readonly figures = h('table', { id: 'figures', class: 'kv' });
    private readonly chartBox = h('div', { id: 'equity-chart' });
    private readonly positions = h('table', { id: 'positions' });
    private readonly balances = h('table', { id: 'balances' });
    private readonly orders = h('table', { id: 'orders' });
    private readonly fills = h('table', { id: 'fills' });
    private readonly fillCount = h('span', { id: 'fill-count', class: 'muted' });
    private chart: Chart | undefined;
    private pending = { curve: false, account: false, orders: false, fills: false, status: false };
    private frame = 0;

    constructor(root: HTMLElement, private readonly host: Host<MonitorToWebview, MonitorToHost>) {
        this.killBtn.addEventListener('click', () => this.send('kill'));
        this.stopBtn.addEventListener('click', () => this.send('stop'));
        clear(root);
        root.append(
            h('header', { class: 'monitor-header' },
                h('div', { class: 'titles' }, this.title, this.sub),
                h('div', { class: 'actions' }, this.stopBtn, this.killBtn)),
            this.notice,
            h('section', { class: 'status-box', 'aria-label': 'State' }, this.status, this.reason, this.risk, this.denial),
            h('div', { class: 'grid' },
                h('section', { 'aria-labelledby': 'figures-h' }, h('h2', { id: 'figures-h' }, 'Account'), this.figures,
                    h('h3', {}, 'Positions'), this.positions, h('h3', {}, 'Balances'), this.balances),
                h('section', { class: 'charts', 'aria-labelledby': 'equity-h' }, h('h2', { id: 'equity-h' }, 'Equity and PnL'), this.chartBox)),
            h('section', { 'aria-labelledby': 'orders-h' }, h('h2', { id: 'orders-h' }, 'Open orders'), h('div', { class: 'scroll' }, this.orders)),
            h('section', { 'aria-labelledby': 'fills-h' }, h('h2', { id: 'fills-h' }, 'Fills ', this.fillCount), h('div', { class: 'scroll' }, this.fills)),
        );
        if (!host.connected) this.showNotice('info', 'Not connected to AlphaForge: open this panel from VS Code to follow a deployment.');
        this.renderAll();
    }

    handle(m: Delivered<MonitorToWebview>): void {
        switch (m.type) {
            case 'deployment':
                this.model = withDeployment(this.model, m.deployment, m.reset);
                if (m.reset) {
                    this.chart?.destroy();
                    this.chart = undefined;
                    clear(this.chartBox);
                }
                this.renderAll();
                return;
            case 'events': {
                const c = applyEvents(this.model, m.events);
                if (!c.applied) return;
                for (const k of ['curve', 'account', 'orders', 'fills', 'status'] as const) this.pending[k] ||= c[k];
                this.schedule();
                return;
            }
            case 'notice': return this.showNotice(m.level, m.message);
            case 'waiting': return this.showNotice('info', m.message);
        }
    }

    private send(type: 'kill' | 'stop'): void {
        const d = this.model.deployment;
        if (!d) return;
        this.host.post({ type, deploymentId: d.id });
    }

    private showNotice(level: 'info' | 'error', message: string): void {
        this.notice.textContent = message;
        this.notice.classList.toggle('error', level === 'error');
        this.notice.setAttribute('role', level === 'error' ? 'alert' : 'status');
        this.notice.classList.remove('hidden');
    }

    /** Redraws what changed, at most once a frame (a replay at 10 ms a bar sends 100 batches a second). */
    private schedule(): void {
        if (this.frame) return;
        this.frame = requestAnimationFrame(() => {
            this.frame = 0;
            const p = this.pending;
            this.pending = { curve: false, account: false, orders: false, fills: false, status: false };
            if (p.status || p.account) this.renderStatus();
            if (p.account) this.renderAccount();
            if (p.curve) this.renderChart();
            if (p.orders) this.renderOrders();
            if (p.fills) this.renderFills();
        });
    }

    private renderAll(): void {
        this.renderStatus();
        this.renderAccount();
        this.renderChart();
        this.renderOrders();
        this.renderFills();
    }

    private renderStatus(): void {
        const m = this.model, d = m.deployment;
        if (d) {
            this.title.textContent = `${d.strategy} — ${d.mode} on ${d.venue}`;
            this.sub.textContent = `${d.id} · ${d.feed.kind} feed ${d.feed.symbols.join(', ')}${d.feed.kind === 'replay' ? `, a bar every ${d.feed.barMs} ms` : ''} · by ${d.owner}${d.packs?.length ? ` · packs ${d.packs.map(p => `${p.name} ${p.version}`).join(', ')}` : ''}`;
        }
        this.status.textContent = statusLine(m);
        this.status.dataset['state'] = m.state ?? '';
        this.reason.textContent = m.stateReason ?? '';
        clear(this.risk);
        if (m.riskState) {
            this.risk.append(h('span', { id: 'risk-state', class: `badge risk-${m.riskState.toLowerCase()}` }, `Risk ${m.riskState}`), m.riskReason ? ` ${m.riskReason}` : '');
        }
        if (m.lastDenial) {
            this.denial.textContent = `Last denial (${m.denials} in all): ${m.lastDenial.reason}${m.lastDenial.clientOrderId ? ` — order ${m.lastDenial.clientOrderId}` : ''}`;
            this.denial.classList.remove('hidden');
        } else this.denial.classList.add('hidden');
        this.killBtn.disabled = !this.host.connected || !canKill(m);
        this.stopBtn.disabled = !this.host.connected || !canStop(m);
    }

    private renderAccount(): void {
        const m = this.model, d = m.deployment;
        clear(this.figures);
        const row = (k: string, v: string, cls = '', id?: string): HTMLTableRowElement => h('tr', {}, h('th', { scope: 'row' }, k), h('td', { class: `n ${cls}`, id }, v));
        this.figures.append(
            row('Equity', money(m.equity), '', 'equity'),
            row('PnL', signed(m.pnl), m.pnl === null ? '' : m.pnl >= 0 ? 'pos' : 'neg', 'pnl'),
            row('Capital', money(d?.capital ?? null)),
            row('Bars', String(m.bars), '', 'bars'),
        );
        clear(this.positions);
        this.positions.append(h('thead', {}, h('tr', {}, h('th', {}, 'Symbol'), h('th', { class: 'n' }, 'Quantity'))));
        const body = h('tbody', {});
        if (m.positions.length === 0) body.append(h('tr', { class: 'flat' }, h('td', { colspan: 2, class: 'muted' }, 'Flat: no position')));
        for (const p of m.positions) body.append(h('tr', { 'data-symbol': p.symbol }, h('td', {}, p.symbol), h('td', { class: `n ${p.qty >= 0 ? 'pos' : 'neg'}` }, qty(p.qty))));
        this.positions.append(body);
        clear(this.balances);
        this.balances.append(h('tbody', {}, ...m.balances.map(b => h('tr', {}, h('th', { scope: 'row' }, b.currency), h('td', { class: 'n' }, money(b.amount))))));
    }

    private renderChart(): void {
        const c = this.model.curve;
        const summary = c.ts.length ? `Equity over ${c.ts.length} bars, last ${money(c.equity[c.ts.length - 1] ?? null)}` : 'No bar traded yet';
        if (c.ts.length === 0) {
            if (!this.chart) this.chartBox.textContent = 'The chart starts with the first bar.';
            return;
        }
        if (!this.chart) {
            clear(this.chartBox);
            this.chart = new Chart(this.chartBox, {
                height: 240, ts: c.ts, values: [c.equity, c.pnl], summary, format: v => fixed(v, Math.abs(v) >= 1000 ? 0 : 2),
                series: [{ label: 'Equity', color: 'chart-1', fill: true }, { label: 'PnL', color: 'chart-2', right: true }],
                right: { format: v => signed(v) },
            });
        } else this.chart.setData(c.ts, [c.equity, c.pnl], summary);
    }

    private renderOrders(): void {
        const open = openOrders(this.model);
        clear(this.orders);
        this.orders.append(h('thead', {}, h('tr', {}, ...['Order', 'Symbol', 'Side', 'Type', 'Quantity', 'Price', 'Filled', 'State'].map((t, i) => h('th', { class: i >= 4 && i <= 6 ? 'n' : '' }, t)))));
        const body = h('tbody', {});
        if (open.length === 0) body.append(h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No open order')));
        for (const o of open) {
            body.append(h('tr', { 'data-order': o.clientOrderId },
                h('td', { class: 'mono' }, o.clientOrderId), h('td', {}, o.symbol), h('td', { class: o.side === 'sell' ? 'neg' : 'pos' }, o.side ?? '–'),
                h('td', {}, `${o.type}${o.reduceOnly ? ' (reduce only)' : ''}`), h('td', { class: 'n' }, qty(o.qty)),
                h('td', { class: 'n' }, o.price === null ? '–' : price(o.price)), h('td', { class: 'n' }, qty(o.filledQty)), h('td', {}, o.state)));
        }
        this.orders.append(body);
    }

    private renderFills(): void {
        const m = this.model;
        this.fillCount.textContent = `(${m.fillCount})`;
        clear(this.fills);
        this.fills.append(h('thead', {}, h('tr', {}, ...['Time', 'Symbol', 'Side', 'Quantity', 'Price', 'Fee', 'Order'].map((t, i) => h('th', { class: i >= 3 && i <= 5 ? 'n' : '' }, t)))));
        const body = h('tbody', {});
        if (m.fills.length === 0) body.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No fill yet')));
        for (const f of m.fills) {
            body.append(h('tr', { 'data-fill': f.fillId },
                h('td', { title: f.ts }, `${f.ts.slice(11, 19)} UTC`), h('td', {}, f.symbol), h('td', { class: f.side === 'sell' ? 'neg' : 'pos' }, f.side ?? '–'),
                h('td', { class: 'n' }, qty(f.qty)), h('td', { class: 'n' }, price(f.price)), h('td', { class: 'n' }, f.fee === null ? '–' : fixed(f.fee, 2)),
                h('td', { class: 'mono' }, f.clientOrderId)));
        }
        this.fills.append(body);
    }
}

const host = connect(MonitorToWebview, MonitorToHost);
const view = new MonitorView(appRoot(), host);
host.listen(m => view.handle(m));
