/**
 * The experiments panel: a filter in the experiment store's filter language (parsed by the
 * store; its errors come back with a column and are shown under the text, caret at the column),
 * a sortable table of runs (click or Enter on a header: the host re-queries with `orderBy`, the
 * page sorts what it has the same way), a checkbox per run, a side-by-side comparison of two or
 * more runs with the params that differ highlighted, and "open report" per run. The filter and
 * the sort are kept in the page's saved state (a `setFilter` message): a page VS Code re-creates,
 * after a window reload too, searches again with them. The results are not kept.
 */
import '../common/jitless.js';
import './experiments.css';
import { connect, type Delivered, type Host } from '../common/host.js';
import { appRoot, clear, h } from '../common/dom.js';
import { Chart } from '../common/chart.js';
import { fixed, shortHash } from '../common/format.js';
import { betterDirection, formatMetric } from '../../../protocol/src/metrics.js';
import { ExperimentsToHost, ExperimentsToWebview, type RunSummary } from '../../../protocol/src/webview.js';
import { fromWire } from '../../../protocol/src/numbers.js';

const LIMIT = 500;
/** Metrics shown as columns, in this order when present; others follow up to MAX_METRICS. */
const PREFERRED_METRICS = ['sharpe', 'totalReturn', 'cagr', 'maxDrawdown', 'sortino', 'winRate', 'profitFactor', 'tradeCount'];
const MAX_METRICS = 8, MAX_PARAMS = 8;

type Dir = 'asc' | 'desc';

interface Column {
    /** The field as the store's orderBy names it: `attributes.created`, `params.fast`, `metrics.sharpe`. */
    readonly key: string;
    readonly title: string;
    readonly numeric: boolean;
    readonly value: (r: RunSummary) => number | string | boolean | null;
    readonly text: (r: RunSummary) => string;
    /** Sorted in the page only (not a field the store can order by: the research ledger's figures). */
    readonly local?: boolean;
}


/** A key as the filter language writes it: plain segments, or back-quoted. */
function fieldKey(k: string): string {
    return /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(k) ? k : `\`${k.replace(/`/g, '')}\``;
}

function paramText(v: RunSummary['params'][string] | undefined): string {
    return v === undefined || v === null ? '–' : typeof v === 'number' ? String(Number(v.toPrecision(10))) : String(v);
}

function compareValues(a: number | string | boolean | null, b: number | string | boolean | null): number {
    const missing = (x: unknown): boolean => x === null || x === undefined || (typeof x === 'number' && Number.isNaN(x));
    if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1; // missing last either way
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/** The research ledger's figures of a run (experiments.search with ledger): its trial number, its family's trials, its deflated Sharpe. */
const LEDGER_COLUMNS: readonly Column[] = [
    { key: 'ledger.trial', title: 'trial # (structure)', numeric: true, local: true, value: r => r.ledger?.trial ?? null, text: r => (r.ledger ? trialText(r.ledger.firstTrial, r.ledger.trial) : '–') },
    { key: 'ledger.family', title: 'family trials', numeric: true, local: true, value: r => r.ledger?.family.trials ?? null, text: r => (r.ledger ? String(r.ledger.family.trials) : '–') },
    { key: 'ledger.dsr', title: 'deflated Sharpe', numeric: true, local: true, value: r => (r.ledger ? fromWire(r.ledger.structure.dsr) : null), text: r => (r.ledger ? fixed(fromWire(r.ledger.structure.dsr), 2) : '–') },
];

function trialText(first: number, last: number): string {
    return first === last ? String(last) : `${first}–${last}`;
}

/** Most trials (ledger rows) the detail table draws; the count says how many there are. */
const DETAIL_ROWS = 2000;

class ExperimentsView {
    private readonly input = h('input', {
        type: 'text', id: 'filter', class: 'filter-input', spellcheck: 'false', autocomplete: 'off',
        placeholder: 'e.g. metrics.sharpe > 1 and params.fast < 20', 'aria-label': 'Filter runs (experiment store filter language)', 'aria-describedby': 'filter-error',
    });
    private readonly error = h('div', { id: 'filter-error', class: 'filter-error hidden', role: 'alert' });
    private readonly count = h('div', { id: 'run-count', class: 'muted', role: 'status', 'aria-live': 'polite' });
    private readonly compareBtn = h('button', { id: 'compare', disabled: true }, 'Compare');
    private readonly table = h('table', { id: 'runs', class: 'runs' });
    private readonly compareView = h('section', { id: 'comparison', class: 'comparison hidden', 'aria-labelledby': 'comparison-h' });
    /** A sweep's every trial, or a structure's research ledger. */
    private readonly detail = h('section', { id: 'detail', class: 'comparison hidden', 'aria-labelledby': 'detail-h' });
    private runs: RunSummary[] = [];
    private total = 0;
    private sort: { key: string; dir: Dir } = { key: 'attributes.created', dir: 'desc' };
    private readonly selected = new Set<string>();
    private comparing: string[] = [];
    private chart: Chart | undefined;
    private lastSearch = '';
    /** Whether a search was sent (a restored filter searches by itself). */
    searched = false;

    constructor(root: HTMLElement, private readonly host: Host<ExperimentsToWebview, ExperimentsToHost>) {
        const form = h('form', { class: 'filter-bar', role: 'search' }, this.input, h('button', { type: 'submit' }, 'Search'));
        form.addEventListener('submit', e => {
            e.preventDefault();
            this.search();
        });
        this.input.addEventListener('input', () => this.clearError());
        this.compareBtn.addEventListener('click', () => this.compare([...this.selected]));
        clear(root);
        root.append(
            h('h1', {}, 'Experiments'),
            form, this.error,
            h('div', { class: 'table-bar' }, this.count, this.compareBtn),
            h('div', { class: 'scroll', role: 'region', 'aria-label': 'Runs', tabindex: 0 }, this.table),
            this.compareView,
            this.detail,
        );
        if (!host.connected) this.count.textContent = 'Not connected to AlphaForge: open this panel from VS Code to search the experiment store.';
        this.render();
    }

    handle(m: Delivered<ExperimentsToWebview>): void {
        switch (m.type) {
            case 'results':
                this.clearError();
                this.runs = [...m.runs];
                this.total = m.total;
                for (const id of [...this.selected]) if (!this.runs.some(r => r.id === id)) this.selected.delete(id);
                this.render();
                return;
            case 'error': return this.showError(m.message, m.column, m.what ?? 'filter', m.token);
            case 'setFilter': {
                this.input.value = m.filter;
                const order = m.orderBy === undefined ? undefined : /^(.+?)\s+(asc|desc)$/i.exec(m.orderBy.trim());
                if (order) this.sort = { key: order[1]!, dir: order[2]!.toLowerCase() as Dir };
                this.search();
                return;
            }
            case 'comparison': return this.showCurves(m.runs);
            case 'trials': return this.showTrials(m);
            case 'ledger': return this.showLedger(m);
            case 'detailError': return this.showDetail('Not available', h('p', { class: 'error-message', role: 'alert' }, m.message));
        }
    }

    /** Asks the host for the runs matching the filter, in the current order. */
    search(): void {
        const filter = this.input.value.trim();
        // The ledger's columns sort in the page: the store is asked in its default order.
        const orderBy = LEDGER_COLUMNS.some(c => c.key === this.sort.key) ? 'attributes.created desc' : `${this.sort.key} ${this.sort.dir}`;
        this.lastSearch = filter;
        this.searched = true;
        this.host.remember('filter', { type: 'setFilter', filter, orderBy });
        this.host.post({ type: 'search', filter, orderBy, limit: LIMIT, offset: 0 });
    }

    private clearError(): void {
        this.error.classList.add('hidden');
        this.input.removeAttribute('aria-invalid');
    }

    private showError(message: string, column: number | undefined, what: 'filter' | 'orderBy', token: string | undefined): void {
        clear(this.error);
        const text = what === 'filter' ? this.lastSearch : `${this.sort.key} ${this.sort.dir}`;
        // The store's message may carry its own caret lines; the first line is the sentence.
        const sentence = message.split('\n')[0]!;
        this.error.append(h('div', { class: 'error-message' }, sentence));
        if (column !== undefined) {
            const at = Math.min(Math.max(0, column - 1), text.length);
            const len = Math.max(1, token?.length ?? 1);
            const mark = h('mark', { class: 'error-token' }, text.slice(at, at + len) || ' ');
            this.error.append(h('pre', { class: 'error-text', 'aria-hidden': 'true' },
                h('span', {}, text.slice(0, at)), mark, h('span', {}, text.slice(at + len)), '\n',
                h('span', { class: 'caret' }, `${' '.repeat(at)}^`)));
            this.error.append(h('div', { class: 'error-column muted' }, `${what === 'filter' ? 'Filter' : 'Sort'} error at column ${column}`));
            if (what === 'filter') {
                this.input.setAttribute('aria-invalid', 'true');
                this.input.focus();
                this.input.setSelectionRange(at, Math.min(text.length, at + len));
            }
        }
        this.error.classList.remove('hidden');
        this.error.dataset['column'] = column === undefined ? '' : String(column);
    }

    private columns(): Column[] {
        const params = [...new Set(this.runs.flatMap(r => Object.keys(r.params)))].sort().slice(0, MAX_PARAMS);
        const present = new Set(this.runs.flatMap(r => Object.keys(r.metrics)));
        const metrics = [...PREFERRED_METRICS.filter(k => present.has(k)), ...[...present].filter(k => !PREFERRED_METRICS.includes(k)).sort()].slice(0, MAX_METRICS);
        const metric = (r: RunSummary, k: string): number => (r.metrics[k] === undefined ? NaN : fromWire(r.metrics[k]!));
        return [
            { key: 'attributes.id', title: 'run', numeric: false, value: r => r.id, text: r => shortHash(r.id, 10) },
            { key: 'attributes.strategy', title: 'strategy', numeric: false, value: r => r.strategy, text: r => r.strategy ?? '–' },
            { key: 'attributes.state', title: 'state', numeric: false, value: r => r.state, text: r => r.state },
            { key: 'attributes.created', title: 'created', numeric: false, value: r => r.created ?? null, text: r => (r.created ?? '').replace('T', ' ').slice(0, 16) },
            ...params.map((p): Column => ({ key: `params.${fieldKey(p)}`, title: p, numeric: true, value: r => r.params[p] ?? null, text: r => paramText(r.params[p]) })),
            ...metrics.map((k): Column => ({ key: `metrics.${fieldKey(k)}`, title: k, numeric: true, value: r => metric(r, k), text: r => formatMetric(k, metric(r, k)) })),
            ...(this.runs.some(r => r.ledger) ? LEDGER_COLUMNS : []),
        ];
    }

    private sorted(cols: readonly Column[]): RunSummary[] {
        const col = cols.find(c => c.key === this.sort.key);
        if (!col) return this.runs;
        const sign = this.sort.dir === 'asc' ? 1 : -1;
        return [...this.runs].sort((a, b) => {
            const va = col.value(a), vb = col.value(b);
            const missing = (x: unknown): boolean => x === null || (typeof x === 'number' && Number.isNaN(x));
            if (missing(va) || missing(vb)) return compareValues(va, vb); // missing values last in both directions
            return sign * compareValues(va, vb);
        });
    }

    private render(): void {
        const cols = this.columns();
        const rows = this.sorted(cols);
        clear(this.table);
        const all = h('input', { type: 'checkbox', id: 'select-all', 'aria-label': 'Select all runs' });
        all.checked = rows.length > 0 && rows.every(r => this.selected.has(r.id));
        all.addEventListener('change', () => {
            for (const r of rows) if (all.checked) this.selected.add(r.id); else this.selected.delete(r.id);
            this.render();
        });
        const head = h('tr', {}, h('th', { class: 'check' }, all), ...cols.map(c => {
            const active = this.sort.key === c.key;
            const th = h('th', {
                scope: 'col', class: c.numeric ? 'n' : undefined, 'data-key': c.key,
                'aria-sort': active ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none',
            });
            const b = h('button', { class: 'sort', title: `Sort by ${c.key}` }, c.title, h('span', { class: 'arrow', 'aria-hidden': 'true' }, active ? (this.sort.dir === 'asc' ? ' ▲' : ' ▼') : ''));
            b.addEventListener('click', () => {
                this.sort = { key: c.key, dir: active ? (this.sort.dir === 'asc' ? 'desc' : 'asc') : c.numeric ? 'desc' : 'asc' };
                this.render();
                if (this.host.connected) this.search();
            });
            th.append(b);
            return th;
        }), h('th', {}, h('span', { class: 'visually-hidden' }, 'actions')));
        const body = h('tbody', {}, ...rows.map(r => {
            const box = h('input', { type: 'checkbox', 'aria-label': `Select run ${r.id}` });
            box.checked = this.selected.has(r.id);
            box.addEventListener('change', () => {
                if (box.checked) this.selected.add(r.id); else this.selected.delete(r.id);
                tr.classList.toggle('selected', box.checked);
                this.updateCompareButton();
            });
            const open = h('button', { class: 'link open-report', title: `Open the report of run ${r.id}` }, 'report');
            open.addEventListener('click', () => this.host.post({ type: 'openReport', runId: r.id }));
            const actions = h('td', { class: 'actions' }, open);
            if (r.kind === 'sweep' && r.state === 'completed') {
                const t = h('button', { class: 'link show-trials', title: `List every trial of sweep ${r.id}` }, 'trials');
                t.addEventListener('click', () => this.host.post({ type: 'trials', runId: r.id }));
                actions.append(' ', t);
            }
            const structural = r.ledger?.structuralFingerprint ?? r.fingerprints?.structural;
            if (structural) {
                const l = h('button', { class: 'link show-ledger', title: r.ledger ? `Research ledger: ${r.ledger.summary}` : 'The trials of this structure in the research ledger' }, 'ledger');
                l.addEventListener('click', () => this.host.post({ type: 'ledger', structural }));
                actions.append(' ', l);
            }
            const tr = h('tr', { 'data-run-id': r.id, class: this.selected.has(r.id) ? 'selected' : undefined },
                h('td', { class: 'check' }, box),
                ...cols.map(c => {
                    const td = h('td', { class: c.numeric ? 'n' : undefined, 'data-key': c.key }, c.text(r));
                    if (c.key.startsWith('metrics.')) {
                        const v = c.value(r);
                        if (typeof v === 'number' && v !== 0 && Number.isFinite(v) && /sharpe|return|cagr|sortino|calmar/i.test(c.key)) td.classList.add(v > 0 ? 'pos' : 'neg');
                    }
                    if (c.key === 'attributes.id') td.setAttribute('title', r.id);
                    if (c.key === 'ledger.trial' && r.ledger) td.setAttribute('title', r.ledger.summary);
                    return td;
                }),
                actions);
            return tr;
        }));
        this.table.append(h('thead', {}, head), body);
        if (this.host.connected || this.runs.length) {
            this.count.textContent = this.runs.length === this.total ? `${this.total} run${this.total === 1 ? '' : 's'}` : `Showing ${this.runs.length} of ${this.total} runs`;
        }
        this.updateCompareButton();
        if (this.comparing.length) this.renderComparison();
    }

    /** Shows `body` in the detail section under `title`, with a close button. */
    private showDetail(title: string, ...body: (Node | null)[]): void {
        clear(this.detail);
        const close = h('button', { class: 'secondary', id: 'close-detail' }, 'Close');
        close.addEventListener('click', () => { clear(this.detail); this.detail.classList.add('hidden'); });
        this.detail.append(h('div', { class: 'comparison-head' }, h('h2', { id: 'detail-h', tabindex: -1 }, title), close), ...body.filter((b): b is Node => b !== null));
        this.detail.classList.remove('hidden');
        this.detail.scrollIntoView({ block: 'start' });
    }

    private showTrials(m: Extract<ExperimentsToWebview, { type: 'trials' }>): void {
        const keys = [...new Set(m.trials.flatMap(t => Object.keys(t.params)))];
        const metrics = [...new Set([m.sortBy, 'sharpe', 'totalReturn', 'maxDrawdown', 'tradeCount'])];
        const shown = m.trials.slice(0, DETAIL_ROWS);
        const table = h('table', { id: 'trials-table', class: 'runs' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'n' }, '#'), ...keys.map(k => h('th', { scope: 'col', class: 'n' }, k)), ...metrics.map(k => h('th', { scope: 'col', class: 'n' }, k)))),
            h('tbody', {}, ...shown.map((t, i) => h('tr', { class: i === 0 ? 'chosen' : undefined },
                h('td', { class: 'n' }, i + 1), ...keys.map(k => h('td', { class: 'n' }, paramText(t.params[k]))),
                ...metrics.map(k => { const v = fromWire(t.metrics[k as keyof typeof t.metrics]); return h('td', { class: 'n' }, formatMetric(k, v)); })))));
        const listed = m.trials.length < m.trialCount ? `; the best ${m.trials.length} are listed` : '';
        this.showDetail(`Trials of sweep ${m.strategy ?? ''} ${shortHash(m.runId, 10)}`.replace(/\s+/g, ' '),
            h('p', { class: 'muted', id: 'trials-count' }, `${m.trialCount} trials, best first by ${m.sortBy}${listed}${shown.length < m.trials.length ? `; ${shown.length} drawn` : ''}. The first row is the chosen trial.`),
            h('div', { class: 'scroll', role: 'region', 'aria-label': 'Trials', tabindex: 0 }, table));
    }

    private showLedger(m: Extract<ExperimentsToWebview, { type: 'ledger' }>): void {
        const shown = m.trials.slice(0, DETAIL_ROWS);
        const table = h('table', { id: 'ledger-table', class: 'runs' },
            h('thead', {}, h('tr', {}, ...['trial #', 'run', 'kind', 'in run', 'recorded', 'per-bar Sharpe', 'bars', ''].map((c, i) => h('th', { scope: 'col', class: [0, 3, 5, 6].includes(i) ? 'n' : undefined }, c)))),
            h('tbody', {}, ...shown.map(t => {
                const open = h('button', { class: 'link open-report' }, 'report');
                open.addEventListener('click', () => this.host.post({ type: 'openReport', runId: t.runId }));
                return h('tr', { 'data-run-id': t.runId },
                    h('td', { class: 'n' }, t.position), h('td', { title: t.runId }, shortHash(t.runId, 10)), h('td', {}, t.kind), h('td', { class: 'n' }, t.trial + 1),
                    h('td', {}, t.recordedAt.replace('T', ' ').slice(0, 19)), h('td', { class: 'n' }, fixed(fromWire(t.periodSharpe), 4)), h('td', { class: 'n' }, t.observations), h('td', {}, open));
            })));
        const sd = Math.sqrt(fromWire(m.sharpeVariance));
        this.showDetail(`Research ledger of structure ${shortHash(m.structural, 12)}`,
            h('p', { class: 'muted', id: 'ledger-count' }, `${m.total} trials in ${m.runs} runs of your team, newest first${shown.length < m.total ? ` (the newest ${shown.length} listed)` : ''}; standard deviation of their per-bar Sharpe ${fixed(sd, 4)}. A deflated Sharpe counts every one of them.`),
            h('div', { class: 'scroll', role: 'region', 'aria-label': 'Research ledger', tabindex: 0 }, table));
    }

    private updateCompareButton(): void {
        const n = this.selected.size;
        this.compareBtn.disabled = n < 2;
        this.compareBtn.textContent = n >= 2 ? `Compare ${n} runs` : 'Compare (select 2 or more)';
    }

    private compare(ids: string[]): void {
        if (ids.length < 2) return;
        this.comparing = ids.slice(0, 50);
        this.renderComparison();
        this.host.post({ type: 'compare', runIds: this.comparing });
        this.compareView.scrollIntoView({ block: 'start' });
        this.compareView.querySelector<HTMLElement>('h2')?.focus();
    }

    private renderComparison(): void {
        const runs = this.comparing.map(id => this.runs.find(r => r.id === id)).filter((r): r is RunSummary => r !== undefined);
        this.chart?.destroy();
        this.chart = undefined;
        clear(this.compareView);
        if (runs.length < 2) {
            this.comparing = [];
            this.compareView.classList.add('hidden');
            return;
        }
        const close = h('button', { class: 'secondary', id: 'close-comparison' }, 'Close');
        close.addEventListener('click', () => {
            this.comparing = [];
            this.chart?.destroy();
            this.chart = undefined;
            this.compareView.classList.add('hidden');
            this.compareBtn.focus();
        });
        const table = h('table', { id: 'comparison-table' });
        const head = h('tr', {}, h('th', { scope: 'col' }, ''), ...runs.map(r => {
            const open = h('button', { class: 'link open-report' }, 'report');
            open.addEventListener('click', () => this.host.post({ type: 'openReport', runId: r.id }));
            return h('th', { scope: 'col', class: 'n', 'data-run-id': r.id }, h('div', {}, r.strategy ?? '–'), h('code', { title: r.id }, shortHash(r.id, 10)), ' ', open);
        }));
        const section = (title: string): HTMLTableRowElement => h('tr', { class: 'section' }, h('th', { colspan: runs.length + 1, scope: 'colgroup' }, title));
        const body = h('tbody');
        const row = (label: string, key: string, cells: string[], cls: (i: number) => string | undefined, differs: boolean): void => {
            body.append(h('tr', { class: differs ? 'differs' : undefined, 'data-key': key },
                h('th', { scope: 'row' }, label, differs ? h('span', { class: 'visually-hidden' }, ' (differs)') : null),
                ...cells.map((c, i) => h('td', { class: ['n', cls(i)].filter(Boolean).join(' ') }, c))));
        };
        const distinct = (xs: string[]): boolean => new Set(xs).size > 1;

        body.append(section('params'));
        for (const p of [...new Set(runs.flatMap(r => Object.keys(r.params)))].sort()) {
            const cells = runs.map(r => paramText(r.params[p]));
            row(p, `params.${p}`, cells, () => undefined, distinct(cells));
        }
        body.append(section('metrics'));
        for (const k of [...new Set(runs.flatMap(r => Object.keys(r.metrics)))].sort((a, b) => {
            const ia = PREFERRED_METRICS.indexOf(a), ib = PREFERRED_METRICS.indexOf(b);
            return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
        })) {
            const vals = runs.map(r => (r.metrics[k] === undefined ? NaN : fromWire(r.metrics[k]!)));
            const finite = vals.filter(Number.isFinite);
            const better = betterDirection(k);
            const best = finite.length < 2 ? NaN : better === 'lower' ? Math.min(...finite) : better === 'higher' ? Math.max(...finite) : NaN;
            row(k, `metrics.${k}`, vals.map(v => formatMetric(k, v)), i => (vals[i] === best && distinct(vals.map(String)) ? 'best' : undefined), false);
        }
        const tagKeys = [...new Set(runs.flatMap(r => Object.keys(r.tags)))].sort();
        if (tagKeys.length) {
            body.append(section('tags'));
            for (const t of tagKeys) {
                const cells = runs.map(r => r.tags[t] ?? '–');
                row(t, `tags.${t}`, cells, () => undefined, distinct(cells));
            }
        }
        body.append(section('provenance'));
        const attr = (label: string, key: string, f: (r: RunSummary) => string | number | null | undefined, mono = false): void => {
            const cells = runs.map(r => { const v = f(r); return v === null || v === undefined ? '–' : String(v); });
            row(label, key, cells, () => (mono ? 'mono' : undefined), distinct(cells));
        };
        attr('exact fingerprint', 'fingerprint.exact', r => r.fingerprints?.exact && shortHash(r.fingerprints.exact, 16), true);
        attr('structural fingerprint', 'fingerprint.structural', r => r.fingerprints?.structural && shortHash(r.fingerprints.structural, 16), true);
        attr('data snapshot', 'attributes.data_snapshot', r => r.dataSnapshot && shortHash(r.dataSnapshot, 16), true);
        attr('engine version', 'attributes.engine_version', r => r.engineVersion);
        attr('seed', 'attributes.seed', r => r.seed);
        table.append(h('thead', {}, head), body);
        this.compareView.append(
            h('div', { class: 'comparison-head' }, h('h2', { id: 'comparison-h', tabindex: -1 }, `Comparing ${runs.length} runs`), close),
            h('p', { class: 'muted' }, 'Highlighted rows differ between the runs; the best value of each ranked metric is in bold.'),
            h('div', { class: 'scroll', role: 'region', 'aria-label': 'Comparison', tabindex: 0 }, table),
            h('div', { id: 'comparison-chart', class: 'hidden' }),
        );
        this.compareView.classList.remove('hidden');
    }

    private showCurves(curves: readonly { id: string; curve: { ts: number[]; equity: RunSummary['metrics'][string][] } }[]): void {
        const el = this.compareView.querySelector<HTMLElement>('#comparison-chart');
        const mine = curves.filter(c => this.comparing.includes(c.id) && c.curve.ts.length > 1);
        if (!el || mine.length < 2) return;
        // One time axis: the union of the runs' bar times; a run has no value where it has no bar.
        const ts = [...new Set(mine.flatMap(c => c.curve.ts))].sort((a, b) => a - b);
        const values = mine.map(c => {
            const at = new Map(c.curve.ts.map((t, i) => [t, fromWire(c.curve.equity[i] ?? null)]));
            return ts.map(t => at.get(t) ?? NaN);
        });
        el.classList.remove('hidden');
        clear(el);
        el.append(h('h3', {}, 'Equity'));
        const box = h('div', {});
        el.append(box);
        this.chart?.destroy();
        this.chart = new Chart(box, {
            height: 260, ts,
            series: mine.map((c, i) => ({ label: shortHash(c.id, 10), color: `chart-${(i % 6) + 1}` })),
            values, format: v => fixed(v, Math.abs(v) >= 1000 ? 0 : 2), spanGaps: true,
            summary: `Equity curves of ${mine.length} runs`,
        });
    }
}

const host = connect(ExperimentsToWebview, ExperimentsToHost);
const view = new ExperimentsView(appRoot(), host);
host.listen(m => view.handle(m));
if (host.connected && !view.searched) view.search();
