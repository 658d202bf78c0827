/**
 * The deployment monitor panel (webviews/dist/monitor.js, built fresh) in headless Chromium through
 * the webview tests' harness (webviews/test/support: the real page and CSP), against a real daemon: the bundled S&P 500
 * sample imported (data.sample), a paper deployment of a strategy that buys at once started with
 * the request the "Paper trade" lens sends (protocol/src/paper-trade.ts; a bar every 40 ms), and
 * the extension's own host code (extension/src/monitor-session.ts over a DaemonClient: catch-up
 * with execution.events, then the `deployment:<id>` topic) feeding the page. Checks: a fill
 * arrives in the panel with the journal's price, the position and the chart show; the kill button
 * posts `kill`, the host calls execution.kill, and the panel shows the book flat, risk HALTED and
 * the state halted, as the daemon says; no CSP violation. Here rather than in webviews/test
 * because it drives the extension's host code (nothing outside extension/ may import it).
 */
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { DaemonClient } from '../../protocol/src/client.js';
import { paperTradeRequest, usesBundledSample } from '../../protocol/src/paper-trade.js';
import { MonitorToHost, MonitorToWebview, parseMessage } from '../../protocol/src/webview.js';
import { startDaemon, type RunningDaemon } from '../../runtime/src/daemon/daemon.js';
import { tempDir } from '../../runtime/test/data/helpers.js';
import { MonitorSession } from '../src/monitor-session.js';
import type { FeedDaemon } from '../src/deployment-feed.js';
import { browserTestsEnabled, buildBundles, launch, openPanel, removeDir, screenshot, serve, type PanelPage, type Served } from '../../webviews/test/support/harness.js';

/** Long from its first bar on: an order on bar 1, filled at bar 2's open. */
const EAGER = `strategy Eager {
  universe: sp:SPX
  timeframe: 1d
  rules {
    when close > 0 => target 100% long
  }
}
`;

describe.runIf(browserTestsEnabled())('deployment monitor panel', () => {
    let dist: string, served: Served, browser: Browser, daemon: RunningDaemon, client: DaemonClient;

    beforeAll(async () => {
        dist = await buildBundles();
        const [s, b, d] = await Promise.all([
            serve(dist), launch(),
            startDaemon({ stateDir: tempDir('af-webviews-monitor-'), port: 0, concurrency: 1, limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000 } }),
        ]);
        served = s;
        browser = b;
        daemon = d;
        client = new DaemonClient({ url: daemon.url, token: daemon.adminToken! });
    }, 120_000);
    afterAll(async () => {
        await browser?.close();
        await served?.close();
        await daemon?.stop();
        if (dist) removeDir(dist);
    });

    /** The extension's connection, as the monitor session uses it: calls, and the deployment's topic on a WebSocket. */
    const feedDaemon = (): FeedDaemon => ({
        call: (method, ...args) => client.call(method, ...args),
        async followDeployment(id, onEvent) {
            const sub = await client.subscribe([`deployment:${id}`], onEvent);
            return { dispose: () => void sub.close() };
        },
    });

    it('a paper deployment on the bundled sample streams in; a fill arrives; kill flattens and halts it', async () => {
        expect(usesBundledSample(EAGER)).toBe(true);
        // The deployment starts while the page loads (the page then catches up on what it missed).
        const started = (async () => {
            await client.call('data.sample', {});
            return (await client.call('execution.paper.start', paperTradeRequest(EAGER, { from: '2019-06-03', barMs: 40 }))).deployment;
        })();
        const confirmed: string[] = [];
        let session: MonitorSession | undefined;
        let sending = Promise.resolve();
        const p: PanelPage = await openPanel(browser, served, {
            panel: 'monitor', theme: 'dark',
            onPost: async (raw, panel) => {
                const r = parseMessage(MonitorToHost, raw);
                if (!r.ok) throw new Error(r.error);
                const deployment = await started;
                session ??= new MonitorSession({
                    daemon: feedDaemon(), deploymentId: deployment.id,
                    // In order, each checked against the schema the extension's channel checks.
                    post: m => {
                        const v = parseMessage(MonitorToWebview, m);
                        if (!v.ok) throw new Error(v.error);
                        sending = sending.then(() => panel.send(m));
                    },
                    confirm: async action => { confirmed.push(action); return true; },
                });
                await session.handle(r.message);
            },
        });
        const deployment = await started;
        expect(deployment.feed).toMatchObject({ kind: 'replay', symbols: ['sp:SPX'], from: '2019-06-03', barMs: 40 });
        try {
            const page = p.page;
            // A fill arrives: the journal's order, at its price; the position and the chart follow.
            await page.waitForSelector('#fills tbody tr[data-fill]', { timeout: 8000 });
            const [filled] = (await client.call('execution.orders', { id: deployment.id })).orders.filter(o => o.state === 'filled');
            expect(filled).toBeDefined();
            const row = page.locator(`#fills tbody tr[data-fill] >> nth=-1`);
            expect(await row.locator('td').nth(6).textContent()).toBe(filled!.clientOrderId);
            expect(Number((await row.locator('td').nth(4).textContent())!.replace(/,/g, ''))).toBeCloseTo(filled!.avgPrice, 2);
            await page.waitForSelector('#positions tr[data-symbol="sp:SPX"]');
            await page.waitForSelector('#equity-chart canvas');
            expect(await page.textContent('#title')).toBe('Eager — paper on paper');
            expect(await page.isDisabled('#kill')).toBe(false);

            // The kill switch: the page asks the host, which confirms and calls execution.kill.
            const sent = p.posted.length;
            await page.click('#kill');
            expect(await p.waitForPost(m => m.type === 'kill', sent)).toEqual({ type: 'kill', deploymentId: deployment.id });
            await page.waitForSelector('#status[data-state="halted"]', { timeout: 5000 });
            await page.waitForSelector('#positions tr.flat');
            expect(confirmed).toEqual(['kill']);
            expect(await page.textContent('#risk-state')).toBe('Risk HALTED');
            expect(await page.textContent('#state-reason')).toBe('kill switch by admin: from the monitor panel');
            // The notice comes with execution.kill's answer, which may arrive after the stream's halted event.
            await page.waitForFunction(() => (document.querySelector('#notice')?.textContent ?? '') !== '', undefined, { timeout: 5000 });
            expect(await page.textContent('#notice')).toMatch(/^Kill switch: dep_\w+ is halted;/);
            expect(await page.locator('#orders tbody tr[data-order]').count()).toBe(0);
            // What the daemon says agrees.
            const shown = (await client.call('execution.show', { id: deployment.id })).deployment;
            expect(shown).toMatchObject({ state: 'halted', riskState: 'HALTED' });
            expect((await client.call('execution.positions', { id: deployment.id })).positions).toEqual([]);
            expect(await page.textContent('#bars')).toBe(String(shown.bars));
            await screenshot(p, 'monitor-dark');
            expect(p.problems).toEqual([]);
        } finally {
            session?.close();
            await p.close();
        }
    }, 30_000);
});
