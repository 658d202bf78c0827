/**
 * The DAG panel in headless Chromium, fed the canonical DAG of examples/sma-cross.af as the
 * language library builds it: one SVG node per DAG node, one box per rule and setting, edges
 * for every input, click and Enter reveal the source range of the node, the arrow keys follow
 * edges, a changed file redraws, compile errors keep the last graph; screenshots in three themes.
 */
/// <reference lib="dom" />
// (The callbacks of page.evaluate and $$eval run in Chromium.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { compileExample, dagMessage, lineOf, type Compiled } from './support/fixtures.js';
import { browserTestsEnabled, buildBundles, launch, openPanel, removeDir, screenshot, serve, type Served } from './support/harness.js';

describe.runIf(browserTestsEnabled())('DAG panel', () => {
    let dist: string, served: Served, browser: Browser, example: Compiled;

    beforeAll(async () => {
        dist = buildBundles();
        [served, browser, example] = await Promise.all([serve(dist), launch(), compileExample()]);
    }, 120_000);
    afterAll(async () => {
        await browser?.close();
        await served?.close();
        if (dist) removeDir(dist);
    });

    it('draws every node of the real DAG and reveals their source', async () => {
        const msg = dagMessage(example);
        const { dag } = msg;
        const p = await openPanel(browser, served, { panel: 'dag', theme: 'light', height: 1000 });
        try {
            await p.send(msg);
            const page = p.page;
            await page.waitForSelector('svg.dag .node');
            // One SVG node per DAG node, with the DAG's ids.
            const ids = await page.$$eval('svg.dag g.node', gs => gs.map(g => Number(g.getAttribute('data-node-id'))).sort((a, b) => a - b));
            expect(ids).toEqual(dag.nodes.map(n => n.id));
            // One box per rule, setting and constraint.
            const sinks = dag.rules.length + Object.keys(dag.risk).length + Object.keys(dag.execution).length + dag.constraints.length;
            expect(await page.locator('svg.dag g.sink').count()).toBe(sinks);
            // An edge per input, plus the edges into the sinks; every edge has a drawn path.
            const inputs = dag.nodes.reduce((s, n) => s + n.inputs.length, 0);
            const edges = await page.$$eval('svg.dag g.edge path', ps => ps.map(x => x.getAttribute('d') ?? ''));
            expect(edges.length).toBeGreaterThan(inputs);
            for (const d of edges) expect(d).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
            // Labels come from the DAG: two moving averages, the crosses, the stop's ATR.
            const labels = await page.$$eval('svg.dag g.node text.label', ts => ts.map(t => t.textContent));
            const calls = dag.nodes.filter(n => n.op === 'call').map(n => `${String(n.attrs['fn'])}()`);
            expect(labels.filter(l => l?.endsWith('()')).sort()).toEqual(calls.sort());
            expect(labels.filter(l => l === 'sma()')).toHaveLength(2);
            expect(await page.textContent('#dag-summary')).toContain(`${dag.nodes.length} nodes`);

            // Click: the node the feature fastMa became reveals `feature fastMa = …`.
            const fastMa = Number(Object.entries(msg.names!).find(([, ns]) => ns.includes('fastMa'))![0]);
            let from = p.posted.length;
            await page.click(`svg.dag g.node[data-node-id="${fastMa}"]`);
            const line = lineOf(example.text, 'feature fastMa');
            const clicked = await p.waitForPost(m => m.type === 'reveal', from);
            expect(clicked).toMatchObject({ type: 'reveal', nodeId: fastMa, uri: example.uri, range: { start: { line, character: 2 } } });
            expect(clicked['range']).toEqual(msg.sourceMap[String(fastMa)]![0]);
            expect(await page.getAttribute(`svg.dag g.node[data-node-id="${fastMa}"]`, 'class')).toContain('selected');
            expect(await page.textContent('#dag-details')).toContain('fastMa');

            // Keyboard: Enter reveals; ← goes to an input of the node, → to a user.
            const enter = Number(Object.entries(msg.names!).find(([, ns]) => ns.includes('enter'))![0]);
            await page.focus(`svg.dag g.node[data-node-id="${enter}"]`);
            from = p.posted.length;
            await page.keyboard.press('Enter');
            expect(await p.waitForPost(m => m.type === 'reveal', from)).toMatchObject({ type: 'reveal', nodeId: enter, range: { start: { line: lineOf(example.text, 'signal enter') } } });
            await page.keyboard.press('ArrowLeft');
            const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-node-id'));
            expect(dag.nodes[enter]!.inputs).toContain(Number(focused));
            await page.keyboard.press('ArrowRight');
            expect(await page.evaluate(() => document.activeElement?.getAttribute('data-key'))).toMatch(/^[ns]\d+$/);

            await page.click(`svg.dag g.node[data-node-id="${fastMa}"]`);
            await screenshot(p, 'dag-light');
            await p.setTheme('dark');
            await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(31, 31, 31)');
            await screenshot(p, 'dag-dark');
            await p.setTheme('high-contrast');
            await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(0, 0, 0)');
            await screenshot(p, 'dag-high-contrast');
            expect(p.problems).toEqual([]);
        } finally {
            await p.close();
        }
    });

    it('updates as the file changes and keeps the last graph through compile errors', async () => {
        const p = await openPanel(browser, served, { panel: 'dag', theme: 'dark' });
        try {
            const page = p.page;
            await p.send(dagMessage(example));
            await page.waitForFunction(() => document.body.dataset['dagSeq'] === '1');
            // The user edits the file: the slow average becomes an EMA and a feature is added to a rule.
            const edited = await compileExample(example.text.replace('feature slowMa = sma(close, slow)', 'feature slowMa = ema(close, slow)'), 'file:///edited/sma-cross.af');
            const next = dagMessage(edited);
            await p.send(next);
            await page.waitForFunction(() => document.body.dataset['dagSeq'] === '2');
            expect(await page.locator('svg.dag g.node').count()).toBe(next.dag.nodes.length);
            const labels = await page.$$eval('svg.dag g.node text.label', ts => ts.map(t => t.textContent));
            expect(labels).toContain('ema()');
            expect(labels.filter(l => l === 'sma()')).toHaveLength(1);

            await p.send({ type: 'compileErrors', uri: 'file:///edited/sma-cross.af', errors: [{ line: 14, column: 20, code: 'AF101', message: "unknown function 'emma'" }] });
            await page.waitForSelector('#dag-errors:not(.hidden)');
            expect(await page.textContent('#dag-errors')).toContain("14:20 AF101 unknown function 'emma'");
            expect(await page.locator('svg.dag g.node').count()).toBe(next.dag.nodes.length);
            expect(await page.getAttribute('.dag-canvas', 'class')).toContain('stale');

            // A DAG whose inputs point forward is refused by the schema; the graph stays.
            const bad = structuredClone(next) as unknown as { dag: { nodes: { inputs: number[] }[] } };
            bad.dag.nodes[0]!.inputs = [5];
            await p.send(bad);
            await page.waitForTimeout(50);
            expect(p.problems).toHaveLength(1);
            expect(p.problems[0]).toMatch(/ignored a message from the host: invalid 'dag' message: dag\.nodes\.0\.inputs/);
            expect(await page.locator('svg.dag g.node').count()).toBe(next.dag.nodes.length);
        } finally {
            await p.close();
        }
    });
});
