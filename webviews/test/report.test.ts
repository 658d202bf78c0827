/**
 * The report panel in headless Chromium, fed a real backtest (examples/sma-cross.af on seeded
 * synthetic bars): progress, charts, the metrics table against the run's metrics formatted by
 * protocol/src/metrics.ts, one row per trade, provenance, the link back to the
 * source, message validation, the standalone HTML report, no CSP violations; screenshots in
 * light, dark and high-contrast themes. The tearsheet's sections show the run result's tearsheet
 * (its figures are checked against independent calculations in runtime/test/pipeline/tearsheet.test.ts):
 * benchmark overlay and statistics, monthly returns, rolling charts, worst drawdowns, trade
 * analysis, a grid sweep's heatmap and a walk-forward's windows; also at half width.
 */
/// <reference lib="dom" />
// (The callbacks of page.evaluate and $$eval run in Chromium.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { formatMetric, metricRows } from '../../protocol/src/metrics.js';
import { renderReport } from '../../runtime/src/report/html-report.js';
import { fromWire } from '../../protocol/src/numbers.js';
import type { ReportRun } from '../../protocol/src/webview.js';
import { realGridSweep, realRun, realSweep, realWalkForward, type RealRun } from './support/fixtures.js';
import { browserTestsEnabled, buildBundles, launch, openPanel, removeDir, screenshot, serve, type PanelPage, type Served } from './support/harness.js';

const money = (x: number): string => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

describe.runIf(browserTestsEnabled())('report panel', () => {
    let dist: string, served: Served, browser: Browser, run: RealRun;

    beforeAll(async () => {
        dist = await buildBundles();
        [served, browser, run] = await Promise.all([serve(dist), launch(), realRun()]);
        expect(run.result.trades.length).toBeGreaterThan(2); // the fixture must exercise the trades table
    }, 120_000);
    afterAll(async () => {
        await browser?.close();
        await served?.close();
        if (dist) removeDir(dist);
    });

    async function expectDrawn(p: PanelPage): Promise<void> {
        const { page } = p;
        await page.waitForSelector('#equity canvas');
        await page.waitForSelector('#drawdown canvas');
        // uPlot draws on canvases with a real size.
        const sizes = await page.$$eval('.chart canvas', cs => cs.map(c => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]));
        expect(sizes.length).toBeGreaterThanOrEqual(2);
        for (const [w, h] of sizes) expect(w! * h!).toBeGreaterThan(10_000);
        const rows = await page.$$eval('#metrics tr', trs => trs.map(tr => [tr.querySelector('th')?.textContent ?? '', tr.querySelector('td')?.textContent ?? '']));
        expect(rows).toEqual(metricRows(run.metrics));
        const trades = run.result.trades;
        expect(await page.locator('#trades tbody tr').count()).toBe(trades.length);
        expect(await page.textContent('#trades-h')).toBe(`Trades (${trades.length})`);
        const pnl = await page.$$eval('#trades tbody tr', trs => trs.map(tr => tr.children[8]?.textContent ?? ''));
        expect(pnl).toEqual(trades.map(t => money(t.pnl)));
        // MAE and MFE of each trade, as % of its entry price.
        const excursions = await page.$$eval('#trades tbody tr', trs => trs.map(tr => [tr.children[10]?.textContent ?? '', tr.children[11]?.textContent ?? '']));
        expect(excursions).toEqual(run.runResult.trades.map(t => [pct(t.maePct, 2), pct(t.mfePct, 2)]));
        // Trades name their instrument (the run result has symbols, not asset indices).
        expect(new Set(await page.$$eval('#trades tbody tr', trs => trs.map(tr => tr.children[1]?.textContent ?? '')))).toEqual(new Set(['sp:SPX']));
        const prov = run.result.provenance;
        expect(await page.textContent('#provenance tr[data-key="exact fingerprint"] code')).toBe(prov.exactFingerprint);
        expect(await page.textContent('#provenance tr[data-key="structural fingerprint"] code')).toBe(prov.structuralFingerprint);
        expect(await page.textContent('#provenance tr[data-key="engine version"] code')).toBe(prov.engineVersion);
        expect(await page.textContent('#run-summary')).toContain(`${run.data.ts.length} bars, warm-up ${run.result.warmupBars}`);
    }

    const pct = (x: unknown, d: number): string => `${(fromWire(x) * 100).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })}%`;
    const two = (x: unknown): string => fromWire(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

    /** The tearsheet's sections show the message's tearsheet, each figure where it belongs. */
    async function expectTearsheet(p: PanelPage, m: ReportRun): Promise<void> {
        const { page } = p;
        const t = m.result.tearsheet!;
        expect(t.benchmark && t.trades && t.rolling).toBeTruthy();
        // The equity chart overlays the benchmark: two series in its legend.
        await page.waitForSelector('#rolling-beta canvas');
        expect(await page.$$eval('#equity .u-legend .u-series', xs => xs.map(x => x.textContent ?? ''))).toEqual([expect.stringContaining('time'), expect.stringContaining('equity'), expect.stringContaining('buy and hold sp:SPX')]);
        // The engine's events (this run halts on its drawdown limit) are marked on the equity and drawdown charts.
        const events = m.result.events.length;
        expect(events).toBeGreaterThan(0);
        for (const id of ['equity', 'drawdown']) expect(await page.getAttribute(`#${id}`, 'aria-label')).toContain(`${events} engine event${events === 1 ? '' : 's'} marked`);
        const stat = (table: string, key: string): Promise<string | null> => page.textContent(`#${table} tr[data-key="${key}"] td`);
        expect(await stat('benchmark-stats', 'Beta')).toBe(two(t.benchmark!.beta));
        expect(await stat('benchmark-stats', 'Alpha (annual)')).toBe(pct(t.benchmark!.alpha, 2));
        expect(await stat('benchmark-stats', 'Correlation')).toBe(two(t.benchmark!.correlation));
        expect(await stat('benchmark-stats', 'Information ratio')).toBe(two(t.benchmark!.informationRatio));
        expect(await stat('benchmark-stats', 'Up capture')).toBe(two(t.benchmark!.upCapture));
        expect(await stat('benchmark-stats', 'Down capture')).toBe(two(t.benchmark!.downCapture));
        expect(await page.textContent('#benchmark-compare tr[data-key="Total return"] td:nth-of-type(2)')).toBe(pct(t.benchmark!.totalReturn, 2));
        // Monthly heatmap: a row per year, each month's cell its return, coloured by sign.
        expect(await page.locator('#monthly tbody tr').count()).toBe(t.yearly.length);
        for (const mo of t.monthly.slice(0, 30)) {
            const cell = page.locator(`#monthly tr[data-year="${mo.year}"] td`).nth(mo.month - 1);
            expect(await cell.textContent()).toBe(pct(mo.ret, 1));
            const cls = (await cell.getAttribute('class')) ?? '';
            expect(cls).toMatch(fromWire(mo.ret) > 0 ? /heat-pos-/ : fromWire(mo.ret) < 0 ? /heat-neg-/ : /heat-zero/);
        }
        const years = await page.$$eval('#monthly tbody tr', trs => trs.map(tr => tr.children[13]?.textContent ?? ''));
        expect(years).toEqual(t.yearly.map(y => pct(y.ret, 1)));
        // A heat colour is painted (theme token through color-mix), not left transparent.
        const painted = await page.$eval('#monthly td[class*="heat-pos-5"], #monthly td[class*="heat-neg-5"]', td => getComputedStyle(td).backgroundColor);
        expect(painted).not.toBe('rgba(0, 0, 0, 0)');
        // Rolling: three charts drawn.
        for (const id of ['rolling-sharpe', 'rolling-vol', 'rolling-beta']) expect(await page.locator(`#${id} canvas`).count()).toBe(1);
        // Worst drawdowns: the table lists them deepest first with their depth and length.
        const dd = await page.$$eval('#worst-drawdowns tbody tr', trs => trs.map(tr => Array.from(tr.children, td => td.textContent ?? '')));
        expect(dd.map(r => r[4])).toEqual(t.drawdowns.map(d => pct(d.depth, 2)));
        expect(dd.map(r => r[5])).toEqual(t.drawdowns.map(d => String(d.bars)));
        expect(dd.map(r => r[3])).toEqual(t.drawdowns.map(d => (d.recovery === null ? 'not recovered' : new Date(d.recovery).toISOString().slice(0, 10))));
        // Trade analysis.
        const a = t.trades!;
        expect(await stat('trade-stats', 'Trades')).toBe(String(a.count));
        expect(await stat('trade-stats', 'Win rate')).toBe(pct(a.winRate, 1));
        expect(await stat('trade-stats', 'Profit factor')).toBe(two(a.profitFactor));
        expect(await stat('trade-stats', 'Expectancy')).toBe(two(a.expectancy));
        expect(await stat('trade-stats', 'Average loss')).toBe(two(a.avgLoss));
        const holdCounts = await page.$$eval('#holding-hist .hrow', rs => rs.map(r => Number(r.getAttribute('data-count'))));
        expect(holdCounts).toEqual(a.holdingMs.bins.map(b => b.count));
        expect(holdCounts.reduce((x, y) => x + y, 0)).toBe(a.count);
        expect(await page.textContent('#by-side tr[data-key="long"] td')).toBe(String(a.bySide[0]!.count));
        expect(await page.textContent('#by-asset tr[data-key="sp:SPX"] td')).toBe(String(a.count));
    }

    it('shows progress, then draws the run; links back to the source and the fingerprints; themes', async () => {
        const p = await openPanel(browser, served, { panel: 'report', theme: 'light' });
        try {
            expect(p.posted[0]).toEqual({ type: 'ready' });
            await p.send({ type: 'progress', fraction: 0.4, message: 'Backtesting SmaCross', run: run.message.run });
            const bar = p.page.locator('[role="progressbar"]');
            await bar.waitFor();
            expect(await bar.getAttribute('aria-valuenow')).toBe('40');
            expect(await p.page.textContent('.report-progress')).toContain('40%');

            await p.send(run.message);
            await expectDrawn(p);
            await expectTearsheet(p, run.message);
            expect(await p.page.locator('.report-progress').isHidden()).toBe(true);

            let sent = p.posted.length;
            await p.page.click('#source-link');
            expect(await p.waitForPost(m => m.type === 'reveal', sent)).toEqual({ type: 'reveal', uri: run.compiled.uri, range: run.message.run.range });
            expect(run.message.run.range!.start.line).toBe(run.compiled.text.split('\n').findIndex(l => l.startsWith('strategy SmaCross')));
            sent = p.posted.length;
            await p.page.click('.runs-link[data-structural="true"]');
            expect(await p.waitForPost(m => m.type === 'showRuns', sent)).toEqual({ type: 'showRuns', fingerprint: run.result.provenance.structuralFingerprint, structural: true });
            // Keyboard: the source link is a real button.
            await p.page.focus('#source-link');
            await p.page.keyboard.press('Enter');
            expect(p.posted.filter(m => m.type === 'reveal')).toHaveLength(2);

            await screenshot(p, 'report-light');
            const bgLight = await p.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
            await p.setTheme('dark');
            await p.page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(31, 31, 31)');
            await p.page.waitForTimeout(50); // charts redraw on the next frame
            await screenshot(p, 'report-dark');
            await p.setTheme('high-contrast');
            await p.page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(0, 0, 0)');
            await p.page.waitForTimeout(50);
            await screenshot(p, 'report-high-contrast');
            expect(bgLight).toBe('rgb(255, 255, 255)');
            // Still one chart per curve after the theme redraws.
            expect(await p.page.locator('#equity canvas').count()).toBe(1);
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('ignores messages that do not validate and keeps what it shows', async () => {
        const p = await openPanel(browser, served, { panel: 'report', theme: 'dark' });
        try {
            await p.send(run.message);
            await expectDrawn(p);
            const broken = structuredClone(run.message) as unknown as { result: { series: { equity: unknown[] } } };
            broken.result.series.equity.pop(); // lengths disagree
            await p.send(broken);
            await p.send({ type: 'progress', fraction: 2 });
            await p.send({ type: 'launchMissiles' });
            await p.send('run');
            await p.page.waitForTimeout(50);
            expect(p.problems.filter(x => x.includes('ignored a message from the host'))).toHaveLength(4);
            expect(p.problems.filter(x => !x.includes('ignored a message from the host'))).toEqual([]);
            expect(await p.page.locator('#trades tbody tr').count()).toBe(run.result.trades.length);
            expect(await p.page.locator('.report-progress').isHidden()).toBe(true);
            // A failure is announced without losing the last run.
            // The host's message is the whole sentence (it also says "cancelled", "no such run", …): shown as sent.
            await p.send({ type: 'failed', message: 'The run failed: worker crashed' });
            expect(await p.page.textContent('[role="alert"]')).toBe('The run failed: worker crashed');
            expect(await p.page.locator('#trades tbody tr').count()).toBe(run.result.trades.length);
        } finally {
            await p.close();
        }
    });

    it('is the standalone HTML report: one file, inline bundle under the nonce, nothing fetched', async () => {
        const html = renderReport(run.message, { distDir: dist });
        expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
        expect(html).toMatch(/Content-Security-Policy" content="default-src &#39;none&#39;/);
        const url = served.page('standalone-report', html);
        const p = await openPanel(browser, served, { panel: 'report', vscode: false });
        try {
            await p.page.goto(url, { waitUntil: 'load' });
            await expectDrawn(p);
            await expectTearsheet(p, run.message);
            // No host: the source is plain text and there is nothing to post to.
            expect(await p.page.evaluate(() => document.getElementById('source-link')?.tagName)).toBe('SPAN');
            expect(await p.page.locator('.runs-link').count()).toBe(0);
            await screenshot(p, 'report-standalone');
            expect(p.problems).toEqual([]);
            expect(p.posted).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('says how many trades there are when it is sent a page of them, and draws no chart for a sweep', async () => {
        const p = await openPanel(browser, served, { panel: 'report', theme: 'light' });
        try {
            const total = run.result.trades.length;
            const page = { ...run.message, result: { ...run.message.result, trades: run.message.result.trades.slice(0, 2) } };
            await p.send(page);
            await p.page.waitForSelector('#trades tbody tr');
            expect(await p.page.textContent('#trades-h')).toBe(`Trades (${total})`);
            expect(await p.page.textContent('#trades-listed')).toBe('The first 2 are listed.');
            expect(await p.page.locator('#trades tbody tr').count()).toBe(2);
            await p.send(await realSweep());
            await p.page.waitForFunction(() => document.querySelector('#equity')?.textContent?.includes('No equity curve'));
            expect(await p.page.locator('#equity canvas').count()).toBe(0);
            // A sweep keeps no trades: the section says so rather than "no trades".
            expect(await p.page.textContent('#trades-h')).toBe('Trades');
            expect(await p.page.textContent('#trades-listed')).toContain('A sweep keeps no single run\'s trades');
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('toggles a log-scale equity axis and back; says when the tearsheet comes from fewer bars than the run had', async () => {
        const p = await openPanel(browser, served, { panel: 'report', theme: 'light' });
        try {
            await p.send(run.message);
            await expectDrawn(p);
            const toggle = p.page.locator('#log-scale');
            expect(await toggle.getAttribute('aria-pressed')).toBe('false');
            await toggle.click();
            expect(await toggle.getAttribute('aria-pressed')).toBe('true');
            expect(await p.page.getAttribute('#equity', 'aria-label')).toContain('(log scale)');
            expect(await p.page.locator('#equity canvas').count()).toBe(1);
            await toggle.click();
            expect(await p.page.getAttribute('#equity', 'aria-label')).not.toContain('(log scale)');
            // The whole run's tearsheet says nothing about thinning; one computed from fewer bars than the run had says so.
            expect(await p.page.locator('#tearsheet-thinned').count()).toBe(0);
            await p.send({ ...run.message, result: { ...run.message.result, tearsheet: { ...run.message.result.tearsheet!, bars: 100 } } });
            expect(await p.page.textContent('#tearsheet-thinned')).toContain(`from 100 of the run's ${run.data.ts.length} bars`);
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('a grid sweep: its heatmap over the two params, the chosen trial outlined, parallel coordinates, its best trials; at half width', async () => {
        const m = await realGridSweep();
        const g = m.result.tearsheet!.sweep!;
        const trials0 = m.result.sweep!.trials;
        const p = await openPanel(browser, served, { panel: 'report', theme: 'dark', width: 600 });
        try {
            await p.send(m);
            await p.page.waitForSelector('#sweep-heatmap');
            expect([g.x.name, g.y.name]).toEqual(['fast', 'slow']);
            expect(await p.page.locator('#sweep-heatmap tbody tr').count()).toBe(g.y.values.length);
            expect(await p.page.locator('#sweep-heatmap tbody tr:first-child td').count()).toBe(g.x.values.length);
            const cells = await p.page.$$eval('#sweep-heatmap tbody tr', trs => trs.map(tr => Array.from(tr.querySelectorAll('td'), td => td.textContent ?? '')));
            expect(cells).toEqual(g.cells.map(row => row.map(c => (Number.isFinite(fromWire(c)) ? two(c) : ''))));
            const chosen = p.page.locator('#sweep-heatmap td.chosen');
            expect(await chosen.count()).toBe(1);
            expect(await chosen.getAttribute('data-x')).toBe(String(m.result.params.fast));
            expect(await chosen.getAttribute('data-y')).toBe(String(m.result.params.slow));
            expect(await chosen.textContent()).toBe(two(m.result.sweep!.trials[0]!.metrics.sharpe));
            const trialRows = Math.min(50, m.result.sweep!.trials.length);
            expect(await p.page.locator('#sweep-trials tbody tr').count()).toBe(trialRows);
            // The chosen trial (the result's params) is the one row marked, ranked first.
            expect(await p.page.locator('#sweep-trials tr.chosen').count()).toBe(1);
            expect(await p.page.getAttribute('#sweep-trials tr.chosen', 'data-rank')).toBe('1');
            // Sortable: max drawdown sorts best (lowest) first, then the other way; the rows follow the trials' own values.
            const ddCol = 1 + Object.keys(m.result.params).length + 2; // #, the params, sharpe, total return, then max drawdown
            const dd = (): Promise<string[]> => p.page.$$eval('#sweep-trials tbody tr', (trs, i) => trs.map(tr => tr.children[i]?.textContent ?? ''), ddCol);
            const byDd = trials0.map((t, i) => ({ v: fromWire(t.metrics.maxDrawdown), i })).sort((a, b) => a.v - b.v || a.i - b.i);
            await p.page.click('#sweep-trials th[data-key="maxDrawdown"] button');
            expect(await p.page.getAttribute('#sweep-trials th[data-key="maxDrawdown"]', 'aria-sort')).toBe('ascending');
            expect(await dd()).toEqual(byDd.slice(0, trialRows).map(x => formatMetric('maxDrawdown', trials0[x.i]!.metrics.maxDrawdown)));
            await p.page.click('#sweep-trials th[data-key="maxDrawdown"] button');
            expect(await p.page.getAttribute('#sweep-trials th[data-key="maxDrawdown"]', 'aria-sort')).toBe('descending');
            const desc = trials0.map((t, i) => ({ v: fromWire(t.metrics.maxDrawdown), i })).sort((a, b) => b.v - a.v || a.i - b.i);
            expect(await dd()).toEqual(desc.slice(0, trialRows).map(x => formatMetric('maxDrawdown', trials0[x.i]!.metrics.maxDrawdown)));
            // Every trial is listed on demand.
            if (trials0.length > trialRows) {
                while (await p.page.isVisible('#more-trials')) await p.page.click('#more-trials');
                expect(await p.page.locator('#sweep-trials tbody tr').count()).toBe(trials0.length);
            }
            await p.page.click('#sweep-trials th[data-key="rank"] button');
            // Parallel coordinates: an axis per varying param and the metric; a line per trial, the chosen one on top.
            const trials = m.result.sweep!.trials;
            expect(await p.page.locator('#sweep-parallel .pc-axis').count()).toBe(3);
            expect(await p.page.locator('#sweep-parallel polyline').count()).toBe(Math.min(300, trials.length));
            expect(await p.page.locator('#sweep-parallel polyline:last-of-type').getAttribute('class')).toBe('pc-line pc-best');
            // The chosen line meets the metric axis at its top: the best Sharpe of all trials.
            const best = await p.page.$eval('#sweep-parallel .pc-best', l => l.getAttribute('points')!.split(' ').map(pt => Number(pt.split(',')[1])));
            expect(best[2]).toBeCloseTo(24, 0);
            expect(await p.page.textContent('#sweep-summary')).toContain(`${m.result.sweep!.trialCount} trials`);
            for (const w of m.result.sweep!.warnings ?? []) expect(await p.page.textContent('#sweep-warnings')).toContain(w);
            // Half width: nothing is wider than the page but the scrolling regions.
            const overflow = await p.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            const wide = await p.page.evaluate(() => Array.from(document.querySelectorAll('body *')).filter(e => !e.closest('.scroll-x, .scroll') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map(e => `${e.tagName}#${e.id}.${e.className}`));
            expect(overflow, wide.join(' ')).toBeLessThanOrEqual(0);
            await screenshot(p, 'report-sweep-half-width');
            await p.setTheme('light');
            await p.page.setViewportSize({ width: 1200, height: 900 });
            await screenshot(p, 'report-sweep-light');
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('a walk-forward: a chart and a row per window, in and out of sample; the tearsheet of its stitched bars', async () => {
        const m = await realWalkForward();
        const wf = m.result.walkforward!;
        const p = await openPanel(browser, served, { panel: 'report', theme: 'light', width: 600 });
        try {
            await p.send(m);
            await p.page.waitForSelector('#wf-chart canvas');
            expect(wf.windows.length).toBeGreaterThan(2);
            const rows = await p.page.$$eval('#wf-windows tbody tr', trs => trs.map(tr => Array.from(tr.children, td => td.textContent ?? '')));
            expect(rows).toHaveLength(wf.windows.length);
            expect(rows.map(r => r[4])).toEqual(wf.windows.map(w => formatMetric('sharpe', w.inSampleMetrics.sharpe)));
            expect(rows.map(r => r[5])).toEqual(wf.windows.map(w => formatMetric('sharpe', w.outOfSampleMetrics.sharpe)));
            expect(rows.map(r => r[3])).toEqual(wf.windows.map(w => Object.entries(w.params).map(([k, v]) => `${k}=${String(v)}`).join(', ')));
            expect(await p.page.locator('#monthly tbody tr').count()).toBe(m.result.tearsheet!.yearly.length);
            // The header gives the stitched out-of-sample period and its bars (what the figures are of), not the data's alone;
            // params that change per window are not shown as one set.
            const first = wf.windows[0]!.outOfSample, last = wf.windows[wf.windows.length - 1]!.outOfSample;
            const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
            const header = await p.page.textContent('#run-summary') ?? '';
            expect(header).toContain(`out of sample ${day(first.from)} → ${day(last.to)}, ${fromWire(m.result.metrics.bars).toLocaleString('en-US')} bars`);
            expect(fromWire(m.result.metrics.bars)).toBe(wf.windows.reduce((n, w) => n + w.outOfSample.bars, 0));
            if (new Set(wf.windows.map(w => JSON.stringify(w.params))).size > 1) expect(header).toContain('params: per window');
            // The metrics' trade count is the trades table's; exposure is a number.
            expect(await p.page.textContent('#trades-h')).toBe(`Trades (${fromWire(m.result.metrics.tradeCount)})`);
            expect(m.result.trades.length).toBe(fromWire(m.result.metrics.tradeCount));
            expect(await p.page.textContent('#metrics')).not.toContain('NaN');
            await screenshot(p, 'report-walkforward-half-width');
            await p.setTheme('dark');
            await p.page.setViewportSize({ width: 1200, height: 900 });
            await screenshot(p, 'report-walkforward-dark');
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });
});
