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
        dist = await buildBundles();
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
            // One SVG node per DAG node, with the DAG's ids, but the constants only settings use: those are
            // listed inside their section's box (computed here from the DAG: const/enum, no other user).
            const users = new Set<number>([...dag.nodes.flatMap(n => n.inputs), ...dag.constraints, ...dag.rules.flatMap(r => [r.condition,
                ...r.actions.flatMap(a => (a.kind === 'target' ? a.targets.map(t => t.size) : a.kind === 'order' ? [a.size, a.price, a.expire] : []))]).filter((x): x is number => x !== null)]);
            const settingNodes = [...Object.values(dag.risk), ...Object.values(dag.execution)].flatMap(v => [v.value, v.action]).filter((x): x is number => x !== null);
            const folded = new Set(settingNodes.filter(id => !users.has(id) && ['const', 'enum'].includes(dag.nodes[id]!.op)));
            expect(folded.size).toBeGreaterThan(0);
            const ids = await page.$$eval('svg.dag g.node', gs => gs.map(g => Number(g.getAttribute('data-node-id'))).sort((a, b) => a - b));
            expect(ids).toEqual(dag.nodes.map(n => n.id).filter(id => !folded.has(id)));
            // One box per rule and constraint, one per settings section (risk, execution) listing its settings.
            const sinks = dag.rules.length + (Object.keys(dag.risk).length ? 1 : 0) + (Object.keys(dag.execution).length ? 1 : 0) + dag.constraints.length;
            const riskLines = await page.$$eval('svg.dag g.sink', gs => gs.filter(g => g.querySelector('text.label')?.textContent === 'risk').flatMap(g => Array.from(g.querySelectorAll('text.setting'), t => t.textContent ?? '')));
            expect(riskLines.map(l => l.split(' ')[0])).toEqual(expect.arrayContaining(Object.keys(dag.risk)));
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

    it('is legible at its default size: fitted on open and resize, readable text, params and inputs by name; at half width', async () => {
        const msg = dagMessage(example);
        const { dag } = msg;
        const p = await openPanel(browser, served, { panel: 'dag', theme: 'light', width: 1000, height: 700 });
        try {
            await p.send(msg);
            const page = p.page;
            await page.waitForSelector('svg.dag .node');
            const sinkCount = dag.rules.length + dag.constraints.length + (Object.keys(dag.risk).length ? 1 : 0) + (Object.keys(dag.execution).length ? 1 : 0);
            expect(await page.textContent('#dag-summary')).toContain(`${dag.nodes.length} nodes, ${sinkCount} rules and settings`);
            // Params by their names, never "param #0".
            const labels = await page.$$eval('svg.dag g.node text.label', ts => ts.map(t => t.textContent ?? ''));
            expect(labels.some(l => l.startsWith('param #'))).toBe(false);
            const params = example.ir.params.map(x => x.name);
            for (const name of params) expect(labels.some(l => l.startsWith(`${name} = `))).toBe(true);
            // Text at least 9 px on screen, and the graph no wider than the panel unless it scrolls (never cropped).
            const smallest = async (): Promise<number> => Math.min(...await page.$$eval('svg.dag text.label', ts => ts.map(t => t.getBoundingClientRect().height)));
            const fits = (): Promise<boolean> => page.$eval('.dag-canvas', c => c.scrollWidth <= c.clientWidth + 1 || getComputedStyle(c).overflowX === 'auto');
            expect(await smallest()).toBeGreaterThanOrEqual(9);
            expect(await fits()).toBe(true);
            const widthAt = (): Promise<number> => page.$eval('svg.dag', el => el.getBoundingClientRect().width);
            const wide = await widthAt();
            await screenshot(p, 'dag-default-size');
            // Half width: fitted again (narrower), still readable.
            await page.setViewportSize({ width: 500, height: 700 });
            await page.waitForFunction(w => document.querySelector('svg.dag')!.getBoundingClientRect().width < w - 20, wide);
            expect(await smallest()).toBeGreaterThanOrEqual(9);
            expect(await fits()).toBe(true);
            await screenshot(p, 'dag-half-width');
            // A node's inputs by name in the details: the signal `enter` reads the features it compares.
            const enter = Number(Object.entries(msg.names!).find(([, ns]) => ns.includes('enter'))![0]);
            await page.click(`svg.dag g.node[data-node-id="${enter}"]`);
            const details = await page.textContent('#dag-details') ?? '';
            const named = dag.nodes[enter]!.inputs.filter(i => msg.names?.[String(i)]?.length);
            expect(named.length).toBeGreaterThan(0);
            for (const i of named) expect(details).toContain(`${msg.names![String(i)]![0]} (#${i})`);
            expect(details).not.toMatch(/inputs#\d/);
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
            // Every node of the new DAG is drawn (the settings' constants inside the risk box).
            const d = next.dag;
            const inRules = new Set(d.rules.flatMap(r => [r.condition, ...r.actions.flatMap(a => (a.kind === 'target' ? a.targets.map(t => t.size) : a.kind === 'order' ? [a.size, a.price, a.expire] : []))]));
            const settingConsts = new Set([...Object.values(d.risk), ...Object.values(d.execution)].flatMap(v => [v.value, v.action])
                .filter((id): id is number => id !== null && ['const', 'enum'].includes(d.nodes[id]!.op) && !inRules.has(id) && !d.nodes.some(n => n.inputs.includes(id))));
            expect(await page.locator('svg.dag g.node').count()).toBe(d.nodes.length - settingConsts.size);
            const labels = await page.$$eval('svg.dag g.node text.label', ts => ts.map(t => t.textContent));
            expect(labels).toContain('ema()');
            expect(labels.filter(l => l === 'sma()')).toHaveLength(1);

            await p.send({ type: 'compileErrors', uri: 'file:///edited/sma-cross.af', errors: [{ line: 14, column: 20, code: 'AF101', message: "unknown function 'emma'" }] });
            await page.waitForSelector('#dag-errors:not(.hidden)');
            expect(await page.textContent('#dag-errors')).toContain("14:20 AF101 unknown function 'emma'");
            const drawn = await page.locator('svg.dag g.node').count(); // the DAG's nodes but the settings' constants
            expect(drawn).toBeGreaterThan(0);
            expect(drawn).toBeLessThanOrEqual(next.dag.nodes.length);
            expect(await page.getAttribute('.dag-canvas', 'class')).toContain('stale');

            // A DAG whose inputs point forward is refused by the schema; the graph stays.
            const bad = structuredClone(next) as unknown as { dag: { nodes: { inputs: number[] }[] } };
            bad.dag.nodes[0]!.inputs = [5];
            await p.send(bad);
            await page.waitForTimeout(50);
            expect(p.problems).toHaveLength(1);
            expect(p.problems[0]).toMatch(/ignored a message from the host: invalid 'dag' message: dag\.nodes\.0\.inputs/);
            expect(await page.locator('svg.dag g.node').count()).toBe(drawn);
        } finally {
            await p.close();
        }
    });
});
