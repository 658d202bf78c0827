/**
 * The panels' messages from daemon answers: the report message embedded in a run's report.html
 * (written with the same panelHtml the daemon uses), a report built from result.json for runs
 * without one, experiment-store rows for the experiments panel, and the fingerprint filter.
 */
import { describe, expect, it } from 'vitest';
import type { ResultOf } from '../../protocol/src/daemon/index.js';
import { makeNonce, panelHtml } from '../../protocol/src/webview-page.js';
import { ExperimentsToWebview, parseMessage, ReportToWebview, type ReportRun } from '../../protocol/src/webview.js';
import { METRIC_KEYS } from '../../protocol/src/metrics.js';
import { drawdownOf, fingerprintFilter, reportFromHtml, reportFromResult, searchRowToPanel, withSource } from '../src/report-source.js';

type RunDetail = ResultOf<'runs.get'>['run'];

const metrics = Object.fromEntries(METRIC_KEYS.map((k, i) => [k, i === 0 ? 0.25 : i === 3 ? 'Infinity' : i])) as ReportRun['metrics'];
const message: ReportRun = {
    type: 'run',
    run: { id: 'r-1', title: 'SmaCross — backtest', strategy: 'SmaCross', universe: ['sp:SPX'], timeframe: '1d', params: { fast: 20, slow: 100 }, state: 'completed' },
    result: {
        bars: 3, from: 0, to: 172_800_000, warmupBars: 1, capital: 100_000,
        curve: { ts: [0, 86_400_000, 172_800_000], equity: [100_000, 101_000, 99_000], drawdown: [0, 0, -0.0198] },
        trades: [], events: [],
        provenance: { exactFingerprint: 'a'.repeat(64), structuralFingerprint: 'b'.repeat(64), dataSnapshot: 'c'.repeat(64), engineVersion: '1', seed: 0 },
    },
    metrics,
};

const run: RunDetail = {
    id: 'r-2', kind: 'walkforward', state: 'completed', promoted: false, owner: 'admin', team: 'default', experimentId: null, traceId: 't',
    attempt: 1, createdAt: '2024-01-01T00:00:00Z', queuedAt: null, startedAt: null, finishedAt: '2024-01-01T00:01:00Z', strategy: 'SmaCross',
    fingerprints: { exact: 'e'.repeat(64), structural: 'f'.repeat(64) }, dataSnapshot: 'd'.repeat(64), engineVersion: '1', seed: 0, error: null,
    tags: {}, progress: 1, spec: { source: 'strategy SmaCross {}', uri: 'file:///w/sma.af' }, params: { fast: 15 }, metrics: { sharpe: 1.5, totalReturn: 0.2, maxDrawdown: null },
};

describe('report from report.html', () => {
    it('reads the embedded run message back, valid', () => {
        const html = panelHtml({ title: 't', script: 'console.log("</script> inside")', style: 'body{}', nonce: makeNonce(), cspSource: '', initialState: message });
        expect(reportFromHtml(html)).toEqual(message);
    });

    it('finds the run message among several and ignores pages without one', () => {
        const html = panelHtml({ title: 't', scriptUri: 'x.js', nonce: makeNonce(), cspSource: '', initialState: [{ type: 'progress', fraction: 0.5 }, message] });
        expect(reportFromHtml(html)?.run.id).toBe('r-1');
        expect(reportFromHtml('<html></html>')).toBeUndefined();
        expect(reportFromHtml(panelHtml({ title: 't', scriptUri: 'x.js', nonce: makeNonce(), cspSource: '', initialState: { type: 'run', run: {} } }))).toBeUndefined();
    });

    it('adds the link back to the source when the report has none', () => {
        const range = { start: { line: 2, character: 0 }, end: { line: 2, character: 8 } };
        const m = withSource(message, { uri: 'file:///w/sma.af', range });
        expect(m.run).toMatchObject({ uri: 'file:///w/sma.af', range });
        expect(withSource(m, { uri: 'file:///other.af' }).run.uri).toBe('file:///w/sma.af');
    });
});

describe('report from result.json', () => {
    it('builds a valid run message from a walk-forward result (curve, no trades)', () => {
        const result = {
            runId: 'r-2', kind: 'walkforward', strategy: 'SmaCross', symbols: ['sp:SPX'], timeframe: '1d', bars: 4,
            params: { fast: 15 }, metrics: { sharpe: 1.5, totalReturn: 0.2, maxDrawdown: -0.1, cagr: NaN },
            provenance: { exactFingerprint: 'e'.repeat(64), structuralFingerprint: 'f'.repeat(64), dataSnapshot: 'd'.repeat(64), engineVersion: '1', seed: 0 },
            curve: { ts: [0, 1, 2, 3], equity: [100, 110, 99, 120] },
        };
        const m = reportFromResult(run, result, { uri: 'file:///w/sma.af' })!;
        expect(parseMessage(ReportToWebview, m).ok).toBe(true);
        expect(m.run).toMatchObject({ id: 'r-2', strategy: 'SmaCross', universe: ['sp:SPX'], timeframe: '1d', params: { fast: 15 }, uri: 'file:///w/sma.af' });
        expect(m.run.title).toContain('walk-forward');
        expect(m.result.curve.equity).toEqual([100, 110, 99, 120]);
        expect(m.result.curve.drawdown[2]).toBeCloseTo(99 / 110 - 1, 12);
        expect(m.metrics.sharpe).toBe(1.5);
        expect(m.metrics.cagr).toBe(null);
        expect(m.metrics.sortino).toBe(null);
    });

    it('converts engine trades with their bar times', () => {
        const result = {
            strategy: 'S', symbols: ['x:Y'], timeframe: '1h', curve: { ts: [10, 20, 30], equity: [1, 2, 3] },
            trades: [{ asset: 0, side: 'long', entryBar: 0, exitBar: 2, entryPrice: 1, exitPrice: 3, maxQty: 1, pnl: 2, returnPct: 2, fees: 0, exitReason: 'end' }],
            events: [{ bar: 1, kind: 'halt', message: 'drawdown' }],
        };
        const m = reportFromResult({ ...run, kind: 'backtest' }, result)!;
        expect(m.result.trades[0]).toMatchObject({ entryTs: 10, exitTs: 30, pnl: 2 });
        expect(m.result.events).toEqual([{ bar: 1, ts: 20, kind: 'halt', message: 'drawdown' }]);
        expect(m.result.provenance.exactFingerprint).toBe('e'.repeat(64));
    });

    it('has nothing to show for a sweep result (no curve)', () => {
        expect(reportFromResult({ ...run, kind: 'sweep' }, { sweep: {}, params: {}, metrics: {} })).toBeUndefined();
        expect(reportFromResult(run, null)).toBeUndefined();
        expect(reportFromResult(run, { curve: { ts: [1, 2], equity: [1] } })).toBeUndefined();
    });

    it('drawdown is the fall from the running peak', () => {
        expect(drawdownOf([100, 120, 90, 130])).toEqual([0, 0, 90 / 120 - 1, 0]);
    });
});

describe('experiments panel rows', () => {
    it('map a store row to the panel\'s run summary, with wire metrics', () => {
        const { spec: _s, params: _p, metrics: _m, ...summary } = run;
        const row = searchRowToPanel({ run: { ...summary, experimentId: 'exp-1' }, params: { fast: 15, mode: 'x' }, metrics: { sharpe: 1.5, profitFactor: 'Infinity', cagr: null } });
        const parsed = parseMessage(ExperimentsToWebview, { type: 'results', runs: [row], total: 1 });
        expect(parsed.ok).toBe(true);
        expect(row).toMatchObject({
            id: 'r-2', kind: 'walkforward', state: 'completed', strategy: 'SmaCross', experiment: { id: 'exp-1', name: null },
            created: '2024-01-01T00:00:00Z', finished: '2024-01-01T00:01:00Z', params: { fast: 15, mode: 'x' },
            metrics: { sharpe: 1.5, profitFactor: 'Infinity', cagr: null }, fingerprints: { exact: 'e'.repeat(64), structural: 'f'.repeat(64) },
        });
    });

    it('the "runs like this" filter names the fingerprint and cannot be injected', () => {
        expect(fingerprintFilter('ABCdef01', true)).toBe("fingerprint.structural = 'ABCdef01'");
        expect(fingerprintFilter("ab' or 1=1 --", false)).toBe("fingerprint.exact = 'ab11'");
    });
});
