/**
 * End to end in a real VS Code: code-server (VS Code served on 127.0.0.1, installed by
 * scripts/e2e/install-code-server.sh) with the packaged .vsix installed, a real daemon with the
 * S&P 500 sample, driven through headless Chromium. It opens a copy of examples/, opens
 * sma-cross.af, breaks a name and waits for the language server's squiggle and a Problems entry
 * with an AF code, undoes, clicks ▶ Backtest in the code lens and waits for the report panel,
 * whose metrics table must be exactly what `af backtest --json` gives for the same strategy on
 * the same data. Then it clicks Find similar and waits for the Similar Strategies view to show the
 * run it just made ("Tried 1×") and neighbours from the workspace. Last it clicks Paper trade: the
 * live monitor must show a fill while the deployment runs, and its kill switch (after the modal) must halt
 * the deployment and flatten it. Screenshots go to
 * e2e/screenshots/ (also on failure: FAIL-<step>.png).
 *
 *   bash scripts/e2e/install-code-server.sh && npm run test:e2e
 *
 * The extension gets the daemon from settings (alphaforge.daemon.url) and its token from
 * $AF_TOKEN in code-server's environment. AF_E2E_VSIX reuses a packaged .vsix, AF_E2E_PREBUILT=1 packages without building again; AF_E2E_KEEP=1
 * keeps the temp directory (logs, user data) for a look afterwards.
 */
/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricRows } from '../protocol/src/metrics.js';
import type { Metrics } from '../runtime/src/engine/metrics.js';
import {
    af, codeServerPath, copyExamples, SCREENSHOTS, extensionLogs, installExtension, packageVsix, removeDir, startCodeServer, startDaemon, tempRoot, type CodeServer, type Daemon,
} from './support/processes.js';
import {
    codeLenses, goTo, hidePanel, isDirty, launchBrowser, notifications, openFile, openWorkbench, problems, retry, screenshot, squiggles, statusBarText, until, webviewFrame,
} from './support/workbench.js';

const STRATEGY = 'sma-cross.af';

interface CliBacktest { strategy: string; metrics: Metrics; trades: unknown[] }

describe('AlphaForge in VS Code (code-server)', () => {
    let dir: string, workspace: string, daemon: Daemon | undefined, server: CodeServer | undefined, browser: Browser | undefined, page: Page;
    let expected: CliBacktest;
    const started = Date.now();
    const timings: string[] = [];
    /** The first step that failed: the steps after it do not run (each would wait out its timeouts). */
    let failed: string | undefined;
    const guard = (): void => { if (failed) throw new Error(`not run: the step "${failed}" failed before`); };

    /** A step: on failure, a screenshot and the logs go into the error. */
    async function step<T>(name: string, f: () => Promise<T>): Promise<T> {
        const t0 = Date.now();
        try {
            const v = await f();
            timings.push(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
            return v;
        } catch (e) {
            failed ??= name;
            const shot = page ? await screenshot(page, `FAIL-${name.replace(/\W+/g, '-')}`) : '(no page)';
            const status = page ? await statusBarText(page).catch(() => '?') : '?';
            const toasts = page ? await notifications(page).catch(() => []) : [];
            const logs = server ? extensionLogs(server.userDataDir) : '';
            throw new Error(`${name}: ${(e as Error).message}\nscreenshot: ${shot}\nstatus bar: ${status}\nnotifications: ${toasts.join(' || ') || '(none)'}\n${logs}\n--- code-server\n${server?.output().slice(-3000) ?? ''}`, { cause: e });
        }
    }

    beforeAll(async () => {
        codeServerPath(); // fail first, and clearly, when it is not installed
        dir = tempRoot();
        const stateDir = join(dir, 'state');
        workspace = copyExamples(dir);
        // Side by side (each waits on its own child processes): the .vsix packaged and installed; the sample imported,
        // the expected numbers computed and the daemon started; the browser launched.
        // All settle before a failure is thrown, so that afterAll stops whatever did start.
        const setup = await Promise.allSettled([
            step('package', async () => installExtension(dir, await packageVsix(dir))),
            step('daemon', async () => {
                await af(['data', 'sample', '--state-dir', stateDir]);
                // The expected numbers, from the CLI on the same data (before the daemon holds the database).
                expected = JSON.parse(await af(['backtest', join(workspace, STRATEGY), '--state-dir', stateDir, '--json'])) as CliBacktest;
                daemon = await startDaemon(stateDir);
            }),
            launchBrowser().then(b => { browser = b; }),
        ] as const);
        for (const r of setup) if (r.status === 'rejected') throw r.reason;
        const extensionsDir = (setup[0] as PromiseFulfilledResult<string>).value;
        server = await step('code-server', () => startCodeServer({
            dir, extensionsDir, folder: workspace,
            machineSettings: { 'alphaforge.daemon.url': daemon!.url, 'alphaforge.daemon.autoStart': false },
            userSettings: {
                'workbench.startupEditor': 'none',
                'workbench.tips.enabled': false,
                'workbench.secondarySideBar.defaultVisibility': 'hidden',
                'workbench.enableExperiments': false,
                'security.workspace.trust.enabled': false,
                'extensions.autoUpdate': false,
                'extensions.autoCheckUpdates': false,
                'extensions.ignoreRecommendations': true,
                'telemetry.telemetryLevel': 'off',
                'update.mode': 'none',
                'chat.disableAIFeatures': true,
                'git.enabled': false,
                'editor.minimap.enabled': false,
                'editor.quickSuggestions': { other: false, comments: false, strings: false },
                'editor.suggestOnTriggerCharacters': false,
                'editor.parameterHints.enabled': false,
                'editor.hover.enabled': false,
                'files.autoSave': 'off',
                // Paper trade replays from 2019-01-01 (the default; warm-up from the store) a bar every 100 ms
                // (default 250): SmaCross's first fill (August 2019) comes about 15 s in and the replay's 326
                // bars last about 33 s, so the kill switch (seconds after the fill, ~10 s at a load of 25 on
                // 2 cores) meets it running. (From 2019-06-01 it never trades.) 150 ms cost CI 8 s more.
                'alphaforge.paperTrade.barMs': 100,
            },
            env: { AF_TOKEN: daemon!.token },
        }));
        page = await browser!.newPage({ viewport: { width: 1600, height: 1000 } });
        page.setDefaultTimeout(30_000);
    }, 600_000);

    afterAll(async () => {
        await browser?.close().catch(() => undefined);
        await server?.stop();
        daemon?.stop();
        if (dir && !process.env['AF_E2E_KEEP']) removeDir(dir);
        else if (dir) console.log(`e2e: kept ${dir}`);
        console.log(`e2e timings: ${timings.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }, 60_000);

    it('opens examples/ with the extension active and connected to the daemon', async () => {
        guard();
        await step('workbench', async () => {
            await openWorkbench(page, server!.url, workspace);
            await screenshot(page, '01-workbench');
        });
        await step('open-strategy', async () => {
            await openFile(page, STRATEGY);
            // The lens row comes from the extension: it is installed and active.
            await until('the ▶ Backtest code lens', async () => (await codeLenses(page)).includes('▶ Backtest'), 90_000);
            // Connected with the token from $AF_TOKEN: the status item's label names the daemon's URL.
            await until('the status bar to show the daemon connected', async () =>
                (await page.locator(`.statusbar [aria-label*="AlphaForge daemon"][aria-label*="${daemon!.url}"]`).count()) > 0, 90_000);
            await screenshot(page, '02-strategy');
        });
    }, 300_000);

    it('shows a diagnostic with an AF code on a broken line, and clears it on undo', async () => {
        guard();
        const lines = readFileSync(join(workspace, STRATEGY), 'utf8').split('\n');
        const at = lines.findIndex(l => l.includes('sma(close, fast)'));
        expect(at, 'sma-cross.af has the line to break').toBeGreaterThanOrEqual(0);
        const column = lines[at]!.indexOf('sma(close, fast)') + 'sma(close, fast'.length + 1; // just before ')'
        await step('diagnostic', async () => {
            // The language server has analysed the file: its inlay hints (warm-up) are shown, no error.
            await until('the language server\'s inlay hints', async () => /warm-up/.test(await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText()), 90_000);
            expect(await squiggles(page)).toBe(0);
            await retry('typing a broken name', 3, async () => {
                await goTo(page, at + 1, column);
                await page.keyboard.type('t'); // fast → fastt: an unknown name
                await page.keyboard.press('Escape');
                await until('a red squiggle in the editor', async () => (await squiggles(page)) > 0, 30_000);
            }, async () => {
                // Back to the saved text before trying again.
                for (let i = 0; i < 5 && await isDirty(page, STRATEGY); i++) await page.keyboard.press('Control+Z');
            });
            await screenshot(page, '03-squiggle');
            const entry = await until('a Problems entry for fastt with an AF code', async () => (await problems(page, "'fastt'")).find(r => r.includes("'fastt'") && /\bAF\d{3,4}\b/.test(r)), 30_000);
            expect(entry).toMatch(/\bAF003\b/);
            await screenshot(page, '04-problems');
        });
        await step('undo', async () => {
            await goTo(page, at + 1, column + 1);
            await page.keyboard.press('Control+Z');
            await until('the edit undone (tab not dirty)', async () => !(await isDirty(page, STRATEGY)), 15_000);
            await until('the squiggle gone', async () => (await squiggles(page)) === 0, 30_000);
            await until('the Problems entry gone', async () => !(await problems(page, "'fastt'")).some(r => r.includes("'fastt'")), 30_000);
            await problems(page, ''); // clear the filter
            await hidePanel(page); // and close the Problems view again
        });
    }, 300_000);

    it('runs a backtest from the code lens and shows the report with the numbers of af backtest', async () => {
        guard();
        const want = metricRows(expected.metrics);
        await step('backtest', async () => {
            await retry('clicking ▶ Backtest', 3, async attempt => {
                const lens = page.locator('.editor-group-container .monaco-editor .codelens-decoration a', { hasText: '▶ Backtest' }).first();
                await lens.waitFor({ state: 'visible', timeout: 30_000 });
                await lens.click();
                // The run is followed in a notification, then the report panel opens.
                await until('the progress notification or the report panel', async () =>
                    (await notifications(page)).some(n => /Backtest SmaCross|SmaCross/.test(n)) || (await webviewFrame(page, '.report-header, #metrics')) !== undefined, attempt === 3 ? 60_000 : 30_000);
            });
            const frame = await until('the report panel with its metrics table', () => webviewFrame(page, '#metrics tr'), 180_000, 500);
            await until('the metrics table filled in', async () => (await frame.$$('#metrics tr')).length === want.length, 30_000);
            await screenshot(page, '05-report');
            const rows = await frame.$$eval('#metrics tr', trs => trs.map(tr => [tr.querySelector('th')?.textContent ?? '', tr.querySelector('td')?.textContent ?? '']));
            expect(rows, 'the report shows the metrics af backtest --json computes on the same data').toEqual(want);
            expect(rows.find(r => r[0] === 'Trades')?.[1]).toBe(String(expected.trades.length));
            const heading = await frame.textContent('#trades-h');
            expect(heading).toBe(`Trades (${expected.trades.length})`);
            expect(await frame.textContent('.report-header h1')).toContain('SmaCross');
            // The charts are drawn.
            await until('the equity chart drawn', async () => (await frame.$$('#equity canvas')).length > 0, 30_000);
            // The panel alone, as it shows in the editor.
            await (await frame.frameElement()).screenshot({ path: join(SCREENSHOTS, '06-report-panel.png') }).catch(e => console.warn(`e2e: panel screenshot: ${(e as Error).message}`));
            await screenshot(page, '07-done');
        });
    }, 400_000);

    it('finds similar strategies from the code lens: the view shows the run just made and workspace neighbours', async () => {
        guard();
        await step('find-similar', async () => {
            const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Similar Strategies/i }) });
            await retry('clicking Find similar', 3, async () => {
                const lens = page.locator('.editor-group-container .monaco-editor .codelens-decoration a', { hasText: 'Find similar' }).first();
                await lens.waitFor({ state: 'visible', timeout: 30_000 });
                await lens.click();
                await until('the Similar Strategies view', async () => (await pane.count()) > 0, 30_000);
            });
            const rows = pane.locator('.monaco-list-row');
            // The backtest above is in the store now: its structure was tried once. The other examples are workspace neighbours.
            const texts = await until('the tried summary and workspace matches', async () => {
                const t = await rows.allInnerTexts();
                return t.some(x => /Tried 1×/.test(x)) && t.some(x => /Workspace/.test(x)) && t.some(x => /\d+%/.test(x)) ? t : undefined;
            }, 90_000, 500);
            expect(texts.join('\n')).toMatch(/Similar to SmaCross/);
            await screenshot(page, '08-similar');
        });
    }, 300_000);


    it('paper trades from the code lens: the live monitor shows a fill, and its kill switch halts the running deployment and flattens it', async () => {
        guard();
        await step('paper-trade', async () => {
            await retry('clicking Paper trade', 3, async attempt => {
                const lens = page.locator('.editor-group-container .monaco-editor .codelens-decoration a', { hasText: 'Paper trade' }).first();
                await lens.waitFor({ state: 'visible', timeout: 30_000 });
                await lens.click();
                await until('the live monitor panel', async () => (await webviewFrame(page, '#fills')) !== undefined, attempt === 3 ? 60_000 : 30_000);
            });
            const frame = await until('the live monitor panel', () => webviewFrame(page, '#fills'), 30_000);
            // The deployment trades the replayed sample: a fill arrives while it runs.
            await until('a fill in the monitor', async () => (await frame.$$('#fills tbody tr[data-fill]')).length > 0, 120_000, 250);
            expect(await frame.textContent('#title')).toMatch(/^SmaCross — paper on paper/);
            expect(await frame.$eval('#status', e => (e as HTMLElement).dataset['state'])).toBe('running');
            await screenshot(page, '09-paper-monitor');
            // The kill switch asks first (a modal), then halts the deployment and flattens it.
            await frame.click('#kill');
            const confirm = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Kill$/ }).first();
            await confirm.waitFor({ state: 'visible', timeout: 30_000 });
            await confirm.click();
            await until('the deployment halted', async () => (await frame.$$('#status[data-state="halted"]')).length > 0, 60_000, 250);
            await until('flat', async () => (await frame.$$('#positions tr.flat')).length > 0, 60_000, 250);
            expect(await frame.textContent('#risk-state')).toBe('Risk HALTED');
            await screenshot(page, '10-paper-killed');
        });
    }, 400_000);
});
