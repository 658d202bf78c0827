/**
 * The DAG panel comparing two versions (a `dagDiff` message, as "AlphaForge: Compare Strategy
 * With…" sends it) in headless Chromium: examples/sma-cross.af against an edit of it (the slow
 * average an EMA, a wider fast range, a stop dropped, a rule added). Side by side: both graphs,
 * the changed, removed and added nodes marked and coloured; overlaid: one graph with the removed
 * nodes drawn in; the diff's words in the details pane; a click on a node of either side reveals
 * its source in its own document; screenshots in two themes.
 */
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { diffStrategies } from '../../language/src/ir/dag-diff.js';
import type { DagDiffMessage } from '../../protocol/src/webview.js';
import { compileExample, dagMessage, lineOf, type Compiled } from './support/fixtures.js';
import { browserTestsEnabled, buildBundles, launch, openPanel, removeDir, screenshot, serve, type Served } from './support/harness.js';

describe.runIf(browserTestsEnabled())('DAG panel: two versions compared', () => {
    let dist: string, served: Served, browser: Browser, from: Compiled, to: Compiled, msg: DagDiffMessage;

    beforeAll(async () => {
        dist = await buildBundles();
        [served, browser, from] = await Promise.all([serve(dist), launch(), compileExample()]);
        to = await compileExample(from.text
            .replace('feature slowMa = sma(close, slow)', 'feature slowMa = ema(close, slow)')
            .replace('    stop_loss: 3 * atr(14)\n', '')
            .replace('    when leave => flat\n', '    when leave => flat\n    when rsi(close, 14) > 80 => flat\n'), 'file:///edited/sma-cross.af');
        const a = dagMessage(from), b = dagMessage(to);
        msg = {
            type: 'dagDiff', diff: diffStrategies(from.ir, to.ir),
            from: { dag: a.dag, sourceMap: a.sourceMap, names: a.names, uri: a.uri, strategy: a.strategy, label: 'sma-cross.af' },
            to: { dag: b.dag, sourceMap: b.sourceMap, names: b.names, uri: b.uri, strategy: b.strategy, label: 'edited/sma-cross.af' },
        };
    }, 120_000);
    afterAll(async () => {
        await browser?.close();
        await served?.close();
        if (dist) removeDir(dist);
    });

    it('draws both versions side by side with the changes marked, and reveals each side in its own file', async () => {
        const { diff } = msg;
        // The pair differs in every way the panel colours.
        expect(diff.changed.length).toBeGreaterThan(0);
        expect(diff.removed.length).toBeGreaterThan(0);
        expect(diff.added.length).toBeGreaterThan(0);
        const p = await openPanel(browser, served, { panel: 'dag', theme: 'light', height: 1000, width: 1600 });
        try {
            const page = p.page;
            await p.send(msg);
            await page.waitForSelector('.dag-compare svg.dag .node');
            expect(await page.locator('.dag-compare svg.dag').count()).toBe(2);
            const [left, right] = [page.locator('.dag-version').nth(0), page.locator('.dag-version').nth(1)];
            expect(await left.locator('g.node').count()).toBe(msg.from.dag.nodes.length);
            expect(await right.locator('g.node').count()).toBe(msg.to.dag.nodes.length);
            // Marks come from the diff, on the side they belong to.
            const ids = async (side: typeof left, cls: string): Promise<number[]> =>
                (await side.locator(`g.node.${cls}`).evaluateAll(gs => gs.map(g => Number(g.getAttribute('data-node-id'))))).sort((x, y) => x - y);
            const sorted = (xs: number[]): number[] => [...xs].sort((x, y) => x - y);
            expect(await ids(left, 'diff-removed')).toEqual(sorted(diff.removed.map(n => n.id)));
            expect(await ids(right, 'diff-added')).toEqual(sorted(diff.added.map(n => n.id)));
            expect(await ids(left, 'diff-changed')).toEqual(sorted(diff.changed.map(c => c.from)));
            expect(await ids(right, 'diff-changed')).toEqual(sorted(diff.changed.map(c => c.to)));
            expect(await left.locator('g.node.diff-added').count()).toBe(0);
            expect(await right.locator('g.node.diff-removed').count()).toBe(0);
            // The sinks: the added rule on the right, the dropped stop on the left.
            expect(await right.locator('g.sink.diff-added text.label').allTextContents()).toContain('rule 3');
            expect(await left.locator('g.sink.diff-removed text.label').allTextContents()).toContain('risk stop_loss');
            // Coloured: an added box's stroke is not a removed one's, nor an unchanged one's.
            const stroke = (sel: string) => page.locator(sel).first().locator('rect.box').evaluate(r => getComputedStyle(r).stroke);
            const [added, removed, plain] = [await stroke('.dag-version >> nth=1 >> g.node.diff-added'), await stroke('.dag-version >> nth=0 >> g.node.diff-removed'), await stroke('.dag-version >> nth=1 >> g.node.kind-call:not([class*="diff-"])')];
            expect(new Set([added, removed, plain]).size).toBe(3);

            expect(await page.textContent('#dag-diff-structure')).toBe(diff.structure);
            expect(await page.textContent('#dag-diff-list')).toContain('+ rule 3: flat all');
            expect(await page.textContent('#dag-summary')).toContain(diff.summary);

            // A changed node of the newer version reveals its line in the newer document; its details list the change.
            const ema = diff.changed.find(c => c.label === 'sma() → ema()')!;
            let posted = p.posted.length;
            await right.locator(`g.node[data-node-id="${ema.to}"]`).click();
            expect(await p.waitForPost(m => m.type === 'reveal', posted)).toMatchObject({ type: 'reveal', nodeId: ema.to, uri: to.uri, range: { start: { line: lineOf(to.text, 'feature slowMa') } } });
            expect(await page.textContent('#dag-details')).toContain('fn sma → ema');
            posted = p.posted.length;
            await left.locator(`g.node[data-node-id="${ema.from}"]`).click();
            expect(await p.waitForPost(m => m.type === 'reveal', posted)).toMatchObject({ type: 'reveal', nodeId: ema.from, uri: from.uri });
            await screenshot(p, 'dag-compare-light');
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('overlays the two versions in one graph, and switches back', async () => {
        const p = await openPanel(browser, served, { panel: 'dag', theme: 'dark', height: 1000 });
        try {
            const page = p.page;
            await p.send({ ...msg, layout: 'overlay' });
            await page.waitForSelector('svg.dag .node');
            expect(await page.locator('svg.dag').count()).toBe(1);
            // The newer graph plus the older one's removed nodes, each drawn once.
            expect(await page.locator('svg.dag g.node').count()).toBe(msg.to.dag.nodes.length + msg.diff.removed.length);
            expect(await page.locator('svg.dag g.node.diff-removed').count()).toBe(msg.diff.removed.length);
            expect(await page.locator('svg.dag g.node.diff-added').count()).toBe(msg.diff.added.length);
            // A removed node is wired in: an edge leaves or enters it.
            const removedKeys = await page.locator('svg.dag g.node.diff-removed').evaluateAll(gs => gs.map(g => g.getAttribute('data-key')));
            const wired = await page.$$eval('svg.dag g.edge', (es, keys) => es.filter(e => keys.includes(e.getAttribute('data-from')) || keys.includes(e.getAttribute('data-to'))).length, removedKeys);
            expect(wired).toBeGreaterThan(0);
            await screenshot(p, 'dag-compare-overlay-dark');
            await page.click('#dag-layout');
            await page.waitForSelector('.dag-compare');
            expect(await page.locator('svg.dag').count()).toBe(2);
            // A plain `dag` message leaves the comparison.
            await p.send(dagMessage(from));
            await page.waitForFunction(() => !document.body.classList.contains('comparing'));
            expect(await page.locator('svg.dag').count()).toBe(1);
            expect(await page.locator('svg.dag g.node[class*="diff-"]').count()).toBe(0);
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });
});
