/**
 * The experiments panel in headless Chromium against the real experiment store: the test plays
 * the extension, answering the panel's `search` with ExperimentStore.search over a DuckDB file
 * holding six real backtests of examples/sma-cross.af (a small grid of params), and its filter
 * errors with the store's FilterError (column and token). Checks: the table, the error shown at
 * its column, sorting, multi-select and the side-by-side comparison with the differing params
 * highlighted, open report, no CSP violations; screenshots in three themes.
 */
/// <reference lib="dom" />
// (The callbacks of page.evaluate and $$eval run in Chromium.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CompiledBacktester } from '../../runtime/src/engine/compiled/index.js';
import { computeMetrics } from '../../runtime/src/engine/metrics.js';
import { capitalOf } from '../../runtime/src/engine/trial.js';
import { synthBarData } from '../../runtime/src/data/synth.js';
import type { DataStore } from '../../runtime/src/store/store.js';
import { FilterError } from '../../runtime/src/experiments/errors.js';
import { ExperimentStore, type RunSummary as StoreRunSummary } from '../../runtime/src/experiments/store.js';
import { insertRun, openStore } from '../../runtime/test/experiments/helpers.js';
import { insertLedgerTrials, ledgerFigures, structureTrials } from '../../runtime/src/experiments/ledger.js';
import { fromWire, toWire } from '../../protocol/src/numbers.js';
import { realGridSweep } from './support/fixtures.js';
import { ExperimentsToHost, parseMessage, type RunSummary } from '../../protocol/src/webview.js';
import { runSummaryToWire } from '../../protocol/src/wire.js';
import { decimateSeries } from '../../protocol/src/run-result.js';
import { seriesOf } from '../../runtime/src/pipeline/result.js';
import { compileExample } from './support/fixtures.js';
import { browserTestsEnabled, buildBundles, launch, openPanel, removeDir, screenshot, serve, type PanelPage, type Served } from './support/harness.js';

// The store's summaries are the panel's (metrics made JSON-safe): this fails to compile if they drift apart.
const _fits: (r: StoreRunSummary) => RunSummary = runSummaryToWire;
void _fits;

interface Curve { ts: number[]; equity: number[] }

describe.runIf(browserTestsEnabled())('experiments panel', () => {
    let dist: string, served: Served, browser: Browser, db: DataStore, store: ExperimentStore;
    const curves = new Map<string, Curve>();
    const GRID = [[10, 100], [20, 100], [30, 100], [10, 150], [20, 150], [30, 150]] as const;
    const own = new Map<string, { periodSharpe: number; skew: number; kurtosis: number; bars: number }>();
    let structural = '';

    beforeAll(async () => {
        dist = await buildBundles();
        const [s, b, example] = await Promise.all([serve(dist), launch(), compileExample()]);
        served = s;
        browser = b;
        db = await openStore('af-webviews-exp-');
        store = new ExperimentStore(db);
        const { ir } = example;
        const data = synthBarData({ symbols: ['SPX'], venue: 'sp', timeframeMs: ir.timeframe.ms, bars: 1500, seed: 11, annualVol: 0.25 });
        for (const [i, [fast, slow]] of GRID.entries()) {
            const id = `run-${String(i + 1).padStart(2, '0')}`;
            const result = new CompiledBacktester().run(ir, data, { params: { fast, slow }, seed: 1 });
            const metrics = computeMetrics({ ts: data.ts, equity: result.equity, capital: capitalOf(ir), exposure: result.exposure, trades: result.trades, fills: result.fills });
            const p = result.provenance;
            await insertRun(db, {
                id, strategy: ir.strategy, created: new Date(Date.UTC(2024, 2, 1 + i, 9)).toISOString().replace('Z', ''),
                exact: p.exactFingerprint, structural: p.structuralFingerprint, snapshot: p.dataSnapshot, engine: p.engineVersion, seed: p.seed,
            });
            await store.recordResult(id, { params: { fast, slow }, metrics: { ...metrics }, tags: { style: 'trend' } });
            // Each run one trial of the structure in team alpha's research ledger, in this order.
            await insertLedgerTrials(db, [{ runId: id, team: 'alpha', kind: 'backtest', structural: p.structuralFingerprint, at: 1000 * (i + 1), trials: [{ periodSharpe: metrics.periodSharpe, skew: metrics.skew, kurtosis: metrics.kurtosis, bars: metrics.bars }] }]);
            own.set(id, { periodSharpe: metrics.periodSharpe, skew: metrics.skew, kurtosis: metrics.kurtosis, bars: metrics.bars });
            structural = p.structuralFingerprint;
            const c = decimateSeries(seriesOf(data.ts, result.equity, result.exposure, capitalOf(ir)), 400);
            curves.set(id, { ts: c.ts, equity: c.equity as number[] });
        }
    }, 120_000);
    afterAll(async () => {
        await browser?.close();
        await served?.close();
        db?.close();
        if (dist) removeDir(dist);
    });

    /** The extension's side: validate, query the store, answer. */
    async function host(raw: { type: string }, panel: PanelPage): Promise<void> {
        const r = parseMessage(ExperimentsToHost, raw);
        if (!r.ok) throw new Error(r.error);
        const m = r.message;
        if (m.type === 'search') {
            try {
                const found = await store.search({ filter: m.filter, orderBy: m.orderBy, limit: m.limit, offset: m.offset });
                await panel.send({ type: 'results', runs: found.runs.map(runSummaryToWire), total: found.total, filter: m.filter, orderBy: m.orderBy });
            } catch (e) {
                if (!(e instanceof FilterError)) throw e;
                await panel.send({ type: 'error', message: e.message, column: e.column, what: e.what, token: e.token });
            }
        } else if (m.type === 'compare') {
            await panel.send({ type: 'comparison', runs: m.runIds.map(id => ({ id, curve: curves.get(id)! })) });
        }
    }

    const rowIds = (p: PanelPage): Promise<string[]> => p.page.$$eval('#runs tbody tr', trs => trs.map(tr => tr.getAttribute('data-run-id') ?? ''));

    it('filters with the store language, shows errors at their column, sorts, compares, opens reports', async () => {
        const p = await openPanel(browser, served, { panel: 'experiments', theme: 'light', onPost: host, height: 1100 });
        try {
            const page = p.page;
            // On load the panel asks for the newest runs first.
            await page.waitForFunction(() => document.querySelectorAll('#runs tbody tr').length === 6);
            expect(p.posted.slice(0, 2)).toEqual([{ type: 'ready' }, { type: 'search', filter: '', orderBy: 'attributes.created desc', limit: 500, offset: 0 }]);
            expect(await rowIds(p)).toEqual(['run-06', 'run-05', 'run-04', 'run-03', 'run-02', 'run-01']);
            expect(await page.textContent('#run-count')).toBe('6 runs');
            const sharpeOf = async (id: string): Promise<number> => (await store.getRun(id))!.metrics['sharpe']!;
            expect(await page.textContent('#runs tr[data-run-id="run-01"] td[data-key="metrics.sharpe"]')).toBe((await sharpeOf('run-01')).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

            // A filter that does not parse: the store's error, shown under the text at its column.
            const bad = 'params.slow = 100 and metrics.sharpe > and';
            await page.fill('#filter', bad);
            await page.press('#filter', 'Enter');
            await page.waitForSelector('#filter-error:not(.hidden)');
            let expected: FilterError | undefined;
            try { await store.search({ filter: bad }); } catch (e) { expected = e as FilterError; }
            expect(expected).toBeInstanceOf(FilterError);
            expect(await page.getAttribute('#filter-error', 'data-column')).toBe(String(expected!.column));
            expect(await page.textContent('#filter-error .error-column')).toBe(`Filter error at column ${expected!.column}`);
            expect(await page.textContent('#filter-error .error-token')).toBe(bad.slice(expected!.column - 1, expected!.column - 1 + Math.max(1, expected!.token.length)));
            expect(await page.textContent('#filter-error .caret')).toBe(`${' '.repeat(expected!.column - 1)}^`);
            expect(await page.getAttribute('#filter', 'aria-invalid')).toBe('true');
            expect(await page.evaluate(() => (document.getElementById('filter') as HTMLInputElement).selectionStart)).toBe(expected!.column - 1);
            expect(await rowIds(p)).toHaveLength(6); // the last results stay
            await screenshot(p, 'experiments-error-light');

            // Fixed: only the runs with slow = 100.
            await page.fill('#filter', 'params.slow = 100 and metrics.tradeCount >= 0');
            await page.press('#filter', 'Enter');
            await page.waitForFunction(() => document.querySelectorAll('#runs tbody tr').length === 3);
            expect(await page.locator('#filter-error').isHidden()).toBe(true);
            expect((await rowIds(p)).sort()).toEqual(['run-01', 'run-02', 'run-03']);

            // Sort by Sharpe: the host re-queries with orderBy, the table follows.
            await page.fill('#filter', '');
            await page.press('#filter', 'Enter');
            await page.waitForFunction(() => document.querySelectorAll('#runs tbody tr').length === 6);
            const bySharpe = await Promise.all(GRID.map((_, i) => `run-${String(i + 1).padStart(2, '0')}`).map(async id => ({ id, s: await sharpeOf(id) })));
            let sent = p.posted.length;
            await page.click('th[data-key="metrics.sharpe"] button');
            expect(await p.waitForPost(m => m.type === 'search', sent)).toMatchObject({ type: 'search', orderBy: 'metrics.sharpe desc' });
            await page.waitForFunction(() => document.querySelector('th[data-key="metrics.sharpe"]')?.getAttribute('aria-sort') === 'descending');
            await page.waitForTimeout(100);
            expect(await rowIds(p)).toEqual([...bySharpe].sort((a, b) => b.s - a.s || 0).map(x => x.id));
            // Keyboard: the header is a button; Enter flips the direction.
            await page.focus('th[data-key="metrics.sharpe"] button');
            sent = p.posted.length;
            await page.keyboard.press('Enter');
            await page.waitForFunction(() => document.querySelector('th[data-key="metrics.sharpe"]')?.getAttribute('aria-sort') === 'ascending');
            expect(await p.waitForPost(m => m.type === 'search', sent)).toMatchObject({ type: 'search', orderBy: 'metrics.sharpe asc' });
            await page.waitForTimeout(100);
            expect(await rowIds(p)).toEqual([...bySharpe].sort((a, b) => a.s - b.s).map(x => x.id));

            // Select three runs (same slow, different fast) and compare them side by side.
            expect(await page.isDisabled('#compare')).toBe(true);
            for (const id of ['run-01', 'run-02', 'run-04']) await page.check(`#runs tr[data-run-id="${id}"] input[type="checkbox"]`);
            expect(await page.textContent('#compare')).toBe('Compare 3 runs');
            sent = p.posted.length;
            await page.click('#compare');
            expect(await p.waitForPost(m => m.type === 'compare', sent)).toEqual({ type: 'compare', runIds: ['run-01', 'run-02', 'run-04'] });
            await page.waitForSelector('#comparison:not(.hidden)');
            const cols = await page.$$eval('#comparison-table thead th[data-run-id]', ths => ths.map(th => th.getAttribute('data-run-id')));
            expect(cols).toEqual(['run-01', 'run-02', 'run-04']);
            const differs = async (key: string): Promise<boolean> => (await page.getAttribute(`#comparison-table tr[data-key="${key}"]`, 'class'))?.includes('differs') ?? false;
            expect(await differs('params.fast')).toBe(true); // 10, 20, 10
            expect(await differs('params.slow')).toBe(true); // 100, 100, 150
            expect(await differs('tags.style')).toBe(false);
            expect(await differs('fingerprint.structural')).toBe(false); // same strategy, other params
            expect(await differs('fingerprint.exact')).toBe(true);
            expect(await page.$$eval('#comparison-table tr[data-key="params.fast"] td', tds => tds.map(td => td.textContent))).toEqual(['10', '20', '10']);
            expect(await page.textContent('#comparison-table tr[data-key="params.fast"] th')).toContain('(differs)');
            // The host's curves arrive: one overlaid equity chart.
            await page.waitForSelector('#comparison-chart canvas');
            expect(await page.locator('#comparison-chart .u-legend .u-series').count()).toBe(4); // time + 3 runs

            // Open a report from a row.
            sent = p.posted.length;
            await page.click('#runs tr[data-run-id="run-02"] .open-report');
            expect(await p.waitForPost(m => m.type === 'openReport', sent)).toEqual({ type: 'openReport', runId: 'run-02' });

            await page.$eval('#runs', t => { (t.parentElement as HTMLElement).scrollLeft = 0; });
            await screenshot(p, 'experiments-light');
            await p.setTheme('dark');
            await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(31, 31, 31)');
            await page.waitForTimeout(50);
            await screenshot(p, 'experiments-dark');
            await p.setTheme('high-contrast');
            await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(0, 0, 0)');
            await page.waitForTimeout(50);
            await screenshot(p, 'experiments-high-contrast');
            // Every message the panel sent validates against the schema the extension will use.
            for (const m of p.posted) expect(parseMessage(ExperimentsToHost, m).ok).toBe(true);
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('ledger columns from a store seeded with known trials, a structure\'s ledger, and every trial of a sweep; at half width', async () => {
        const sweep = await realGridSweep();
        // The extension's side with the research ledger: the store's rows with each run's figures (as the daemon's
        // experiments.search {ledger: true}), plus one sweep row; a sweep's trials; a structure's ledger.
        const sweepRow: RunSummary = {
            id: 'sweep-01', kind: 'sweep', state: 'completed', strategy: 'SmaCross', params: { ...sweep.result.params }, metrics: { ...sweep.result.metrics }, tags: {},
            fingerprints: { exact: null, structural: null }, created: '2024-04-01T09:00:00Z',
        };
        const ledgerHost = async (raw: { type: string }, panel: PanelPage): Promise<void> => {
            const m = parseMessage(ExperimentsToHost, raw);
            if (!m.ok) throw new Error(m.error);
            const x = m.message;
            if (x.type === 'search') {
                const found = await store.search({ filter: x.filter, orderBy: x.orderBy, limit: x.limit, offset: x.offset });
                const runs = [];
                for (const r of found.runs) runs.push({ ...runSummaryToWire(r), ledger: await ledgerFigures(db, { team: 'alpha', runId: r.id, own: own.get(r.id)!, family: [] }) });
                await panel.send({ type: 'results', runs: [...runs, sweepRow], total: found.total + 1, filter: x.filter, orderBy: x.orderBy });
            } else if (x.type === 'trials') {
                await panel.send({ type: 'trials', runId: x.runId, strategy: 'SmaCross', sortBy: 'sharpe', trialCount: sweep.result.sweep!.trialCount, trials: sweep.result.sweep!.trials });
            } else if (x.type === 'ledger') {
                const r = await structureTrials(db, { team: 'alpha', structural: x.structural, limit: 1000, offset: 0 });
                await panel.send({ type: 'ledger', structural: x.structural, total: r.total, runs: r.runs, sharpeVariance: toWire(r.sharpeVariance),
                    trials: r.trials.map(t => ({ ...t, recordedAt: new Date(t.recordedAt).toISOString(), periodSharpe: toWire(t.periodSharpe) })) });
            }
        };
        const p = await openPanel(browser, served, { panel: 'experiments', theme: 'light', onPost: ledgerHost, width: 600, height: 1000 });
        try {
            const { page } = p;
            await page.waitForSelector('#runs td[data-key="ledger.trial"]');
            const cell = (id: string, key: string): Promise<string | null> => page.textContent(`#runs tr[data-run-id="${id}"] td[data-key="${key}"]`);
            // Expected figures computed here, from the trials seeded: run i is trial i + 1 of the structure, its family
            // only itself, its Sharpe deflated with the i + 1 trials up to it (Bailey & López de Prado).
            const ids = GRID.map((_, i) => `run-${String(i + 1).padStart(2, '0')}`);
            for (const [i, id] of ids.entries()) {
                expect(await cell(id, 'ledger.trial')).toBe(String(i + 1));
                expect(await cell(id, 'ledger.family')).toBe(String(i + 1));
                const sharpes = ids.slice(0, i + 1).map(r => own.get(r)!.periodSharpe);
                expect(await cell(id, 'ledger.dsr')).toBe(independentDsr(own.get(id)!, sharpes).toFixed(2));
            }
            expect(await cell('sweep-01', 'ledger.trial')).toBe('–');
            // Sorted in the page: the store is never asked to order by a ledger figure.
            let sent = p.posted.length;
            await page.click('#runs th[data-key="ledger.dsr"] button');
            const asked = await p.waitForPost(m => m.type === 'search', sent);
            expect(asked['orderBy']).toBe('attributes.created desc');
            await page.waitForFunction(() => document.querySelector('#runs th[data-key="ledger.dsr"]')?.getAttribute('aria-sort') === 'descending');
            const dsrs = (await page.$$eval('#runs tbody td[data-key="ledger.dsr"]', tds => tds.map(td => td.textContent ?? ''))).filter(t => t !== '–').map(Number);
            expect(dsrs).toEqual([...dsrs].sort((a, b) => b - a));

            // A structure's ledger: every trial, newest first, numbered in recording order.
            sent = p.posted.length;
            await page.click('#runs tr[data-run-id="run-03"] .show-ledger');
            expect(await p.waitForPost(m => m.type === 'ledger', sent)).toEqual({ type: 'ledger', structural });
            await page.waitForSelector('#ledger-table tbody tr');
            expect(await page.$$eval('#ledger-table tbody tr', trs => trs.map(tr => tr.children[0]?.textContent))).toEqual(['6', '5', '4', '3', '2', '1']);
            expect(await page.$$eval('#ledger-table tbody tr', trs => trs.map(tr => tr.getAttribute('data-run-id')))).toEqual([...ids].reverse());
            expect(await page.textContent('#ledger-count')).toContain('6 trials in 6 runs');
            await screenshot(p, 'experiments-ledger-half-width');

            // Every trial of a sweep, not only its best.
            sent = p.posted.length;
            await page.click('#runs tr[data-run-id="sweep-01"] .show-trials');
            expect(await p.waitForPost(m => m.type === 'trials', sent)).toEqual({ type: 'trials', runId: 'sweep-01' });
            await page.waitForSelector('#trials-table tbody tr');
            const trials = sweep.result.sweep!.trials;
            expect(await page.locator('#trials-table tbody tr').count()).toBe(trials.length);
            expect(await page.textContent('#trials-count')).toContain(`${sweep.result.sweep!.trialCount} trials, best first by sharpe`);
            const sharpeCol = 1 + Object.keys(trials[0]!.params).length;
            expect(await page.$$eval('#trials-table tbody tr', (trs, i) => trs.map(tr => tr.children[i]?.textContent ?? ''), sharpeCol))
                .toEqual(trials.map(t => fromWire(t.metrics.sharpe).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })));
            await screenshot(p, 'experiments-trials-half-width');
            await p.setTheme('dark');
            await page.setViewportSize({ width: 1200, height: 1000 });
            await page.click('#runs tr[data-run-id="run-03"] .show-ledger');
            await page.waitForSelector('#ledger-table');
            await screenshot(p, 'experiments-ledger-dark');
            for (const m of p.posted) expect(parseMessage(ExperimentsToHost, m).ok).toBe(true);
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    }, 60_000);
});

/** Φ by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), Φ⁻¹ by bisection on it: written here, not the engine's. */
function phi(x: number): number {
    const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.3275911 * z);
    const erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
    return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
function phiInv(p: number): number {
    let lo = -10, hi = 10;
    for (let i = 0; i < 100; i++) { const mid = (lo + hi) / 2; if (phi(mid) < p) lo = mid; else hi = mid; }
    return (lo + hi) / 2;
}
/** The deflated Sharpe ratio of `o` among trials with these per-bar Sharpe ratios (Bailey & López de Prado 2014). */
function independentDsr(o: { periodSharpe: number; skew: number; kurtosis: number; bars: number }, sharpes: number[]): number {
    const n = sharpes.length, g = 0.5772156649015329;
    const mean = sharpes.reduce((a, b) => a + b, 0) / n;
    const v = n < 2 ? 0 : sharpes.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    const e = n < 2 ? 0 : Math.sqrt(v) * ((1 - g) * phiInv(1 - 1 / n) + g * phiInv(1 - 1 / (n * Math.E)));
    const sr = o.periodSharpe;
    return phi(((sr - e) * Math.sqrt(o.bars - 1)) / Math.sqrt(1 - o.skew * sr + ((o.kurtosis - 1) / 4) * sr * sr));
}
