/**
 * The pure side of the panels (no browser): the message schemas against real data (the DAG of
 * every example, a real backtest's `run` message), what they refuse, wire numbers, the page
 * template's CSP and escaping, and the DAG view model.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalDag, isStrategy, compileStrategy } from '../../language/src/index.js';
import { withAfFiles } from '../../runtime/src/cli/compile-files.js';
import type { Metrics } from '../../runtime/src/engine/metrics.js';
import { contentSecurityPolicy, escapeHtml, INITIAL_STATE_ID, makeNonce, panelHtml, scriptJson, validCspSource } from '../../protocol/src/webview-page.js';
import { DagToHost, DagToWebview, ExperimentsToHost, ExperimentsToWebview, parseMessage, ReportToHost, ReportToWebview, restoredPanelState, SAVED_STATE_VERSION, WireDag } from '../../protocol/src/webview.js';
import { fromWire, toWire } from '../../protocol/src/numbers.js';
import { METRIC_KEYS, type MetricKey } from '../../protocol/src/metrics.js';
import { viewGraph } from '../src/dag/model.js';
import { compileExample, dagMessage, realRun, ROOT } from './support/fixtures.js';

// METRIC_KEYS is exactly the engine's Metrics: a key added to one and not the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _metricKeys: Same<MetricKey, keyof Metrics> = true;
void _metricKeys;

describe('message schemas', () => {
    it('accept the canonical DAG of every example and refuse broken ones', async () => {
        const dir = join(ROOT, 'examples');
        const files = readdirSync(dir).filter(f => f.endsWith('.af')).map(f => join(dir, f));
        const irs = await withAfFiles(files, (docs, services) => docs.flatMap(d => d.document.parseResult.value.elements.filter(isStrategy)
            .flatMap(s => { const r = compileStrategy(services, s); return r.ir ? [{ name: s.name, ir: r.ir }] : []; })));
        let n = 0;
        for (const { name, ir } of irs) {
            for (const mode of ['exact', 'structural'] as const) {
                const dag = canonicalDag(ir, mode);
                const parsed = parseMessage(DagToWebview, { type: 'dag', dag, sourceMap: {} });
                expect(parsed.ok, `${name} ${mode}: ${parsed.ok ? '' : parsed.error}`).toBe(true);
                // The DAG survives validation unchanged.
                if (parsed.ok && parsed.message.type === 'dag') expect(parsed.message.dag).toEqual(dag);
                n++;
            }
        }
        expect(n).toBeGreaterThanOrEqual(2 * files.length);

        const { dag } = dagMessage(await compileExample());
        const forward = structuredClone(dag) as unknown as { nodes: { inputs: number[] }[] };
        forward.nodes[1]!.inputs = [3];
        expect(WireDag.safeParse(forward).success).toBe(false);
        const renumbered = structuredClone(dag) as unknown as { nodes: { id: number }[] };
        renumbered.nodes[2]!.id = 7;
        expect(WireDag.safeParse(renumbered).success).toBe(false);
        expect(parseMessage(DagToWebview, { type: 'dag', dag, sourceMap: { x: [] } }).ok).toBe(false);
    });

    it("accept a real run's report message, JSON round trip included", async () => {
        const { message, metrics, result, data } = await realRun();
        const wire = JSON.parse(JSON.stringify(message)) as unknown;
        const r = parseMessage(ReportToWebview, wire);
        expect(r.ok).toBe(true);
        if (!r.ok || r.message.type !== 'run') return;
        // The pipeline's result says what the engine says, by time and symbol.
        for (const k of METRIC_KEYS) expect(fromWire(r.message.result.metrics[k])).toBe(metrics[k]);
        expect(r.message.result.trades).toHaveLength(result.trades.length);
        expect(r.message.result.tradeCount).toBe(result.trades.length);
        expect(r.message.result.trades.map(t => fromWire(t.pnl))).toEqual(result.trades.map(t => t.pnl));
        expect(r.message.result.trades.map(t => [t.symbol, t.entryTs, t.exitTs])).toEqual(result.trades.map(t => ['sp:SPX', data.ts[t.entryBar], data.ts[t.exitBar]]));
        expect(r.message.result.series!.ts.length).toBe(result.equity.length); // 1500 bars: none thinned
        expect(r.message.result.series!.equity.map(fromWire)).toEqual(Array.from(result.equity));
        expect(r.message.result.series!.exposure.map(fromWire)).toEqual(Array.from(result.exposure));
        expect(r.message.result.provenance).toEqual(result.provenance);
    });

    it('refuse what does not fit, naming the path', () => {
        const bad = parseMessage(ReportToWebview, { type: 'progress', fraction: 1.5 });
        expect(bad).toEqual({ ok: false, error: expect.stringMatching(/^invalid 'progress' message: fraction: /) });
        expect(parseMessage(ReportToWebview, { type: 'exec', code: 'x' }).ok).toBe(false);
        expect(parseMessage(ReportToWebview, null).ok).toBe(false);
        expect(parseMessage(ReportToHost, { type: 'reveal', uri: 'file:///a.af', range: { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } } }).ok).toBe(true);
        expect(parseMessage(ReportToHost, { type: 'reveal', uri: 'file:///a.af', range: { start: { line: -1, character: 0 }, end: { line: 1, character: 4 } } }).ok).toBe(false);
        expect(parseMessage(DagToHost, { type: 'reveal', nodeId: 3, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 2 } }, ranges: [] }).ok).toBe(true);
        expect(parseMessage(ExperimentsToHost, { type: 'compare', runIds: ['only-one'] }).ok).toBe(false);
        expect(parseMessage(ExperimentsToHost, { type: 'search', filter: 'metrics.sharpe > 1', orderBy: '', limit: 5000, offset: 0 }).ok).toBe(false);
        expect(parseMessage(ExperimentsToWebview, { type: 'error', message: 'filter error at column 3: …', column: 3, what: 'filter', token: 'x' }).ok).toBe(true);
        expect(parseMessage(ExperimentsToWebview, { type: 'error', message: 'x', column: 0 }).ok).toBe(false);
    });

    it('persist what a panel needs after a window reload, and read it back only if it validates', () => {
        expect(parseMessage(ReportToWebview, { type: 'persist', state: { runId: 'run-1' } }).ok).toBe(true);
        expect(parseMessage(ReportToWebview, { type: 'persist', state: { runId: '' } }).ok).toBe(false);
        expect(parseMessage(ReportToWebview, { type: 'waiting', message: 'Waiting for the AlphaForge daemon…' }).ok).toBe(true);
        expect(parseMessage(DagToWebview, { type: 'persist', state: { uri: 'file:///a.af', strategy: 'A' } }).ok).toBe(true);
        expect(parseMessage(DagToWebview, { type: 'persist', state: { strategy: 'A' } }).ok).toBe(false);
        expect(parseMessage(ExperimentsToWebview, { type: 'persist', state: {} }).ok).toBe(true);
        expect(parseMessage(ExperimentsToWebview, { type: 'setFilter', filter: 'x', orderBy: 'metrics.sharpe desc' }).ok).toBe(true);

        const saved = (persist: unknown): unknown => ({ v: SAVED_STATE_VERSION, persist, messages: {} });
        expect(restoredPanelState('report', saved({ runId: 'run-1' }))).toEqual({ ok: true, state: { runId: 'run-1' } });
        expect(restoredPanelState('dag', saved({ uri: 'file:///a.af' }))).toEqual({ ok: true, state: { uri: 'file:///a.af' } });
        expect(restoredPanelState('experiments', undefined)).toEqual({ ok: true, state: {} });
        expect(restoredPanelState('report', undefined)).toEqual({ ok: false, error: 'the page saved no state to restore it from' });
        expect(restoredPanelState('report', { v: SAVED_STATE_VERSION, messages: {} })).toEqual({ ok: false, error: 'the page saved no state to restore it from' });
        expect(restoredPanelState('report', saved({ runId: 7 }))).toEqual({ ok: false, error: expect.stringMatching(/^invalid saved state: runId: /) });
        expect(restoredPanelState('report', { run: { type: 'run' } })).toMatchObject({ ok: false, error: expect.stringMatching(/version 1/) });
        expect(restoredPanelState('dag', 'x').ok).toBe(false);
    });

    it('carry non-finite numbers through JSON', () => {
        for (const x of [1.5, -0.25, Infinity, -Infinity, NaN]) {
            const back = fromWire(JSON.parse(JSON.stringify(toWire(x))) as ReturnType<typeof toWire>);
            expect(Object.is(back, x) || (Number.isNaN(back) && Number.isNaN(x))).toBe(true);
        }
        expect(fromWire(null)).toBeNaN();
    });
});

describe('panelHtml', () => {
    it('writes the strict CSP with the nonce on every script and style, and no inline handlers', () => {
        const nonce = makeNonce();
        expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
        expect(makeNonce()).not.toBe(nonce);
        const html = panelHtml({ title: 'Report <1>', scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/x/report.js', styleUri: 'https://file+.vscode-resource.vscode-cdn.net/x/report.css', nonce, cspSource: 'https://*.vscode-cdn.net', initialState: { type: 'progress', fraction: 0.5 } });
        expect(contentSecurityPolicy(nonce, 'https://*.vscode-cdn.net')).toBe(`default-src 'none'; img-src https://*.vscode-cdn.net data:; style-src https://*.vscode-cdn.net 'nonce-${nonce}'; script-src 'nonce-${nonce}'`);
        expect(html).toContain(`content="${escapeHtml(contentSecurityPolicy(nonce, 'https://*.vscode-cdn.net'))}"`);
        expect(html).toContain('<title>Report &lt;1&gt;</title>');
        const scripts = html.match(/<script[^>]*>/g)!;
        expect(scripts).toHaveLength(2);
        for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
        expect(html).not.toMatch(/\son[a-z]+=/i);
        expect(html).not.toMatch(/\sstyle=/i);
    });

    it('embeds state and inline code so that nothing can close the element early', () => {
        const nonce = makeNonce();
        const evil = { type: 'failed', message: '</script><script>alert(1)</script><!--' };
        const html = panelHtml({ title: 't', script: 'var s = "</script>";', style: 'a::after { content: "</style>" }', nonce, cspSource: '', initialState: evil });
        expect(html.match(/<\/script>/g)).toHaveLength(2); // the state's and the code's own
        expect(html.match(/<\/style>/g)).toHaveLength(1);
        const json = html.slice(html.indexOf(`id="${INITIAL_STATE_ID}">`) + INITIAL_STATE_ID.length + 6, html.indexOf('</script>'));
        expect(JSON.parse(json)).toEqual(evil);
        expect(scriptJson('\u2028')).toBe('"\\u2028"');
        expect(html).toContain(escapeHtml(`img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`));
    });

    it('refuses weak nonces, bad sources and ambiguous scripts', () => {
        expect(() => panelHtml({ title: 't', scriptUri: 'x.js', nonce: 'abc', cspSource: '' })).toThrow(/nonce/);
        expect(() => panelHtml({ title: 't', scriptUri: 'x.js', nonce: makeNonce(), cspSource: "x; script-src 'unsafe-inline'" })).toThrow(/cspSource/);
        expect(() => panelHtml({ title: 't', nonce: makeNonce(), cspSource: '' })).toThrow(/scriptUri/);
        expect(() => panelHtml({ title: 't', scriptUri: 'x.js', nonce: makeNonce(), cspSource: "'self' 'unsafe-eval'" })).toThrow(/cspSource/);
        expect(() => panelHtml({ title: 't', scriptUri: 'x.js', nonce: makeNonce(), cspSource: 'https://a, script-src *' })).toThrow(/cspSource/);
    });

    it("takes VS Code's own cspSource, 'self' included", () => {
        // What webview.cspSource is in VS Code (desktop and web: webviewGenericCspSource).
        const vscode = "'self' https://*.vscode-cdn.net";
        const nonce = makeNonce();
        expect(validCspSource(vscode)).toBe(true);
        const html = panelHtml({ title: 't', scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/x/report.js', nonce, cspSource: vscode });
        expect(html).toContain(escapeHtml(`img-src 'self' https://*.vscode-cdn.net data:; style-src 'self' https://*.vscode-cdn.net 'nonce-${nonce}'; script-src 'nonce-${nonce}'`));
    });
});

describe('DAG view model', () => {
    it('ungrouped, has one box per DAG node and per sink, and an edge per input', async () => {
        const m = dagMessage(await compileExample());
        const g = viewGraph(m, { group: false }); // one box per node (the panel groups settings by default: dag.test.ts)
        const nodes = g.nodes.filter(n => n.kind !== 'sink');
        expect(nodes.map(n => n.id)).toEqual(m.dag.nodes.map(n => n.id));
        expect(g.nodes.filter(n => n.kind === 'sink').map(n => n.label)).toEqual([
            'rule 1', 'rule 2', ...Object.keys(m.dag.risk).map(k => `risk ${k}`), ...Object.keys(m.dag.execution).map(k => `execution ${k}`), 'constraint',
        ]);
        expect(g.edges.filter(e => e.to.startsWith('n'))).toHaveLength(m.dag.nodes.reduce((s, n) => s + n.inputs.length, 0));
        const fastMa = nodes.find(n => n.names.includes('fastMa'))!;
        expect(fastMa.label).toBe('sma()');
        expect(fastMa.ranges[0]!.start.line).toBe(m.sourceMap[String(fastMa.id)]![0]!.start.line);
        // Params by name, not by index (the server sends their names with the DAG).
        const params = nodes.filter(n => n.kind === 'param');
        expect(params.length).toBeGreaterThan(0);
        expect(params.filter(n => n.label.startsWith('param #'))).toEqual([]);
    });
});
