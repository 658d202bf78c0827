/**
 * The report panel in headless Chromium, fed a real backtest (examples/sma-cross.af on seeded
 * synthetic bars): progress, charts, the metrics table against the run's metrics formatted by
 * protocol/src/metrics.ts, one row per trade, provenance, the link back to the
 * source, message validation, the standalone HTML report, no CSP violations; screenshots in
 * light, dark and high-contrast themes.
 */
/// <reference lib="dom" />
// (The callbacks of page.evaluate and $$eval run in Chromium.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { metricRows } from '../../protocol/src/metrics.js';
import { renderReport } from '../../runtime/src/report/html-report.js';
import { realRun, realSweep, type RealRun } from './support/fixtures.js';
import { browserTestsEnabled, buildBundles, launch, openPanel, removeDir, screenshot, serve, type PanelPage, type Served } from './support/harness.js';

const money = (x: number): string => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

describe.runIf(browserTestsEnabled())('report panel', () => {
    let dist: string, served: Served, browser: Browser, run: RealRun;

    beforeAll(async () => {
        dist = buildBundles();
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
        // Trades name their instrument (the run result has symbols, not asset indices).
        expect(new Set(await page.$$eval('#trades tbody tr', trs => trs.map(tr => tr.children[1]?.textContent ?? '')))).toEqual(new Set(['sp:SPX']));
        const prov = run.result.provenance;
        expect(await page.textContent('#provenance tr[data-key="exact fingerprint"] code')).toBe(prov.exactFingerprint);
        expect(await page.textContent('#provenance tr[data-key="structural fingerprint"] code')).toBe(prov.structuralFingerprint);
        expect(await page.textContent('#provenance tr[data-key="engine version"] code')).toBe(prov.engineVersion);
        expect(await page.textContent('#run-summary')).toContain(`${run.data.ts.length} bars, warm-up ${run.result.warmupBars}`);
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
            expect(await p.page.textContent('#trades-h')).toBe('Trades (0)');
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });
});
