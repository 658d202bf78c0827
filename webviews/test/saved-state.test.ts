/**
 * What the panels keep with `setState` for a window reload, in headless Chromium: the host's
 * `persist` message is saved (validated, not shown), the big messages (a run, a DAG, search
 * results) are not; what a page saves is what the extension's serializer accepts
 * (`restoredPanelState`); a page re-created from its saved state (VS Code's `getState` after a
 * reload) keeps it and, for the experiments panel, searches again with its filter and sort; a
 * saved state of another version is ignored.
 */
/// <reference lib="dom" />
// (The callbacks of page.evaluate and $$eval run in Chromium.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { restoredPanelState, SAVED_STATE_VERSION } from '../../protocol/src/webview.js';
import { compileExample, dagMessage, realRun, type RealRun } from './support/fixtures.js';
import { browserTestsEnabled, buildBundles, launch, openPanel, removeDir, serve, type PanelPage, type Served } from './support/harness.js';

describe.runIf(browserTestsEnabled())('saved state of the panels', () => {
    let dist: string, served: Served, browser: Browser, run: RealRun;

    beforeAll(async () => {
        dist = await buildBundles();
        [served, browser, run] = await Promise.all([serve(dist), launch(), realRun()]);
    }, 120_000);
    afterAll(async () => {
        await browser?.close();
        await served?.close();
        if (dist) removeDir(dist);
    });

    const ignored = (p: PanelPage): string[] => p.problems.filter(x => x.includes('ignored a message from the host'));

    it('report: keeps the run id the host persists, never the run; a bad persist is ignored', async () => {
        const p = await openPanel(browser, served, { panel: 'report' });
        try {
            expect(await p.savedState()).toBeUndefined();
            await p.send({ type: 'persist', state: { runId: 'run-0001' } });
            await p.page.waitForFunction(() => (window as unknown as { __afSavedState?: string }).__afSavedState !== undefined);
            const state = await p.savedState();
            expect(state).toEqual({ v: SAVED_STATE_VERSION, persist: { runId: 'run-0001' }, messages: {} });
            // Exactly what the extension's serializer restores a report panel from.
            expect(restoredPanelState('report', state)).toEqual({ ok: true, state: { runId: 'run-0001' } });
            // The page shows nothing for it, and the run it then gets is not saved (it can be megabytes).
            expect(await p.page.textContent('.report-status')).toBe('Waiting for the run…');
            await p.send(run.message);
            await p.page.waitForSelector('#equity canvas');
            expect(await p.savedState()).toEqual(state);
            // Malformed: ignored, the saved state stays.
            await p.send({ type: 'persist', state: { runId: 42 } });
            await p.send({ type: 'persist' });
            await p.page.waitForTimeout(50);
            expect(ignored(p)).toHaveLength(2);
            expect(await p.savedState()).toEqual(state);
            expect(p.posted).toEqual([{ type: 'ready' }]);
            expect(p.problems.filter(x => !ignored(p).includes(x))).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('report: re-created after a reload it keeps its state, says it waits for the daemon, then draws the run', async () => {
        const saved = { v: SAVED_STATE_VERSION, persist: { runId: 'run-0001' }, messages: {} };
        const p = await openPanel(browser, served, { panel: 'report', savedState: saved });
        try {
            expect(p.posted).toEqual([{ type: 'ready' }]);
            await p.send({ type: 'persist', state: { runId: 'run-0001' } });
            await p.send({ type: 'waiting', message: 'Waiting for the AlphaForge daemon to load run run-0001…' });
            await p.page.waitForFunction(() => document.querySelector('.report-status')?.textContent?.startsWith('Waiting for the AlphaForge daemon'));
            expect(await p.page.locator('[role="progressbar"]').count()).toBe(0);
            expect(await p.savedState()).toEqual(saved);
            await p.send(run.message);
            await p.page.waitForSelector('#trades tbody tr');
            expect(await p.page.textContent('.report-status')).toBe('');
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it("ignores a saved state of another version (the old page's flat record of messages)", async () => {
        const p = await openPanel(browser, served, { panel: 'report', savedState: { run: run.message } });
        try {
            await p.page.waitForFunction(() => document.querySelector('.report-status')?.textContent === 'Waiting for the run…');
            expect(await p.page.locator('#metrics').count()).toBe(0);
            expect(restoredPanelState('report', await p.savedState()).ok).toBe(false);
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('DAG: keeps the document and strategy, not the graph', async () => {
        const msg = dagMessage(await compileExample());
        const p = await openPanel(browser, served, { panel: 'dag' });
        try {
            await p.send({ type: 'persist', state: { uri: msg.uri, strategy: msg.strategy } });
            await p.send(msg);
            await p.page.waitForSelector('svg.dag .node');
            const state = await p.savedState();
            expect(state).toEqual({ v: SAVED_STATE_VERSION, persist: { uri: msg.uri, strategy: 'SmaCross' }, messages: {} });
            expect(restoredPanelState('dag', state)).toEqual({ ok: true, state: { uri: msg.uri, strategy: 'SmaCross' } });
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('experiments: keeps its filter and sort (not the results) and searches with them when re-created', async () => {
        const answer = async (m: { type: string }, panel: PanelPage): Promise<void> => {
            if (m.type === 'search') await panel.send({ type: 'results', runs: [], total: 0 });
        };
        const p = await openPanel(browser, served, { panel: 'experiments', onPost: answer });
        let state: unknown;
        try {
            await p.page.waitForFunction(() => document.getElementById('run-count')?.textContent === '0 runs');
            await p.page.fill('#filter', 'metrics.sharpe > 1');
            await p.page.press('#filter', 'Enter');
            const sent = p.posted.length;
            await p.page.click('th[data-key="attributes.strategy"] button');
            expect(await p.waitForPost(m => m.type === 'search', sent)).toEqual({ type: 'search', filter: 'metrics.sharpe > 1', orderBy: 'attributes.strategy asc', limit: 500, offset: 0 });
            state = await p.savedState();
            expect(state).toEqual({ v: SAVED_STATE_VERSION, messages: { filter: { type: 'setFilter', filter: 'metrics.sharpe > 1', orderBy: 'attributes.strategy asc' } } });
            // The extension needs nothing from it: the panel just reopens.
            expect(restoredPanelState('experiments', state)).toEqual({ ok: true, state: {} });
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }

        const again = await openPanel(browser, served, { panel: 'experiments', onPost: answer, savedState: state });
        try {
            await again.page.waitForFunction(() => document.getElementById('run-count')?.textContent === '0 runs');
            expect(again.posted.filter(m => m.type === 'search')).toEqual([{ type: 'search', filter: 'metrics.sharpe > 1', orderBy: 'attributes.strategy asc', limit: 500, offset: 0 }]);
            expect(await again.page.inputValue('#filter')).toBe('metrics.sharpe > 1');
            expect(await again.page.getAttribute('th[data-key="attributes.strategy"]', 'aria-sort')).toBe('ascending');
            expect(await again.savedState()).toEqual(state);
            expect(again.problems).toEqual([]);
        } finally {
            await again.close();
        }
    });
});
