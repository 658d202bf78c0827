/**
 * The panels' messages from daemon answers: the report panel's `run` message built from a run's
 * result document (`runs.result`) and its record (`runs.get`) — validated as the panel validates
 * it, long series thinned keeping the troughs —, experiment-store rows for the experiments panel,
 * and the fingerprint filter.
 */
import { describe, expect, it } from 'vitest';
import type { ResultOf } from '../../protocol/src/daemon/index.js';
import { ExperimentsToWebview, parseMessage, ReportToWebview } from '../../protocol/src/webview.js';
import { METRIC_KEYS, type WireMetrics } from '../../protocol/src/metrics.js';
import { RUN_RESULT_SCHEMA, RUN_RESULT_VERSION, type RunResult } from '../../protocol/src/run-result.js';
import { comparisonCurve, fingerprintFilter, reportFromResult, searchRowToPanel } from '../src/report-source.js';

type RunDetail = ResultOf<'runs.get'>['run'];

const metrics = { ...Object.fromEntries(METRIC_KEYS.map((k, i) => [k, i])), sharpe: 0.25, sortino: 'Infinity', maxDrawdown: null } as WireMetrics;
const DAY = 86_400_000;
const provenance = { exactFingerprint: 'e'.repeat(64), structuralFingerprint: 'f'.repeat(64), dataSnapshot: 'd'.repeat(64), engineVersion: '1', seed: 0 };

/** A run result of `bars` daily bars whose equity dips once, at bar `trough`. */
function resultOf(kind: RunResult['kind'], bars: number, trough = Math.floor(bars / 2)): RunResult {
    const ts = Array.from({ length: bars }, (_, i) => i * DAY);
    const equity = ts.map((_, i) => (i === trough ? 50_000 : 100_000 + i));
    let peak = 100_000;
    const drawdown = equity.map(e => { peak = Math.max(peak, e); return e / peak - 1; });
    return {
        schema: RUN_RESULT_SCHEMA, version: RUN_RESULT_VERSION, kind, runId: 'r-2', strategy: 'SmaCross', symbols: ['sp:SPX'], timeframe: '1d',
        range: { from: 0, to: (bars - 1) * DAY, bars }, params: { fast: 15 }, capital: 100_000, warmupBars: kind === 'backtest' ? 5 : 0, metrics,
        series: { ts, equity, drawdown, exposure: ts.map(() => 0.5) },
        trades: [{ symbol: 'sp:SPX', side: 'long', entryTs: DAY, exitTs: 3 * DAY, entryPrice: 1, exitPrice: 3, maxQty: 1, pnl: 2, returnPct: 2, fees: 0, exitReason: 'end' }],
        tradeCount: 1, events: [{ ts: 2 * DAY, kind: 'halt', message: 'drawdown' }], provenance,
        ...(kind === 'walkforward' ? {
            search: { mode: 'grid' as const, samples: null, seed: 1, sortBy: 'sharpe' as const, fixed: {} },
            walkforward: { scheme: 'rolling' as const, inSampleBars: 4, outOfSampleBars: 2, efficiency: 0.5, windows: [] },
        } : {}),
    };
}

const run: RunDetail = {
    id: 'r-2', kind: 'walkforward', state: 'completed', promoted: false, owner: 'admin', team: 'default', experimentId: null, traceId: 't',
    attempt: 1, createdAt: '2024-01-01T00:00:00Z', queuedAt: null, startedAt: null, finishedAt: '2024-01-01T00:01:00Z', strategy: 'SmaCross',
    fingerprints: { exact: 'e'.repeat(64), structural: 'f'.repeat(64) }, dataSnapshot: 'd'.repeat(64), engineVersion: '1', seed: 0, error: null,
    tags: {}, progress: 1, spec: { source: 'strategy SmaCross {}', uri: 'file:///w/sma.af' }, params: { fast: 15 }, metrics: { sharpe: 1.5, totalReturn: 0.2, maxDrawdown: null },
};

describe('report from a run result', () => {
    it('is a valid run message: the result as data, the run\'s id and state, the link back to its document', () => {
        const range = { start: { line: 2, character: 0 }, end: { line: 2, character: 8 } };
        const r = reportFromResult(run, resultOf('walkforward', 4), { range });
        if (!('report' in r)) throw new Error(r.reason);
        const m = r.report;
        expect(parseMessage(ReportToWebview, JSON.parse(JSON.stringify(m))).ok).toBe(true);
        expect(m.run).toMatchObject({ id: 'r-2', strategy: 'SmaCross', universe: ['sp:SPX'], timeframe: '1d', params: { fast: 15 }, state: 'completed', uri: 'file:///w/sma.af', range });
        expect(m.run.title).toBe('SmaCross — walk-forward (out of sample)');
        expect(m.result.series!.equity).toEqual([100_000, 100_001, 50_000, 100_003]);
        expect(m.result.metrics.sharpe).toBe(0.25);
        expect(m.result.metrics.sortino).toBe('Infinity');
        expect(m.result.metrics.maxDrawdown).toBe(null);
        expect(m.result.trades).toEqual([expect.objectContaining({ symbol: 'sp:SPX', entryTs: DAY, exitTs: 3 * DAY, pnl: 2 })]);
        expect(m.result.events).toEqual([{ ts: 2 * DAY, kind: 'halt', message: 'drawdown' }]);
        expect(m.result.provenance).toEqual(provenance);
        // The caller's document wins over the spec's.
        const other = reportFromResult({ ...run, kind: 'backtest' }, resultOf('backtest', 4), { uri: 'file:///w/other.af' });
        expect('report' in other && other.report.run).toMatchObject({ uri: 'file:///w/other.af', title: 'SmaCross — backtest' });
    });

    it('thins a long series to what a chart draws, keeping the deepest drawdown', () => {
        const long = resultOf('backtest', 60_000, 31_337);
        const r = reportFromResult({ ...run, kind: 'backtest' }, long);
        if (!('report' in r)) throw new Error(r.reason);
        const s = r.report.result.series!;
        expect(s.ts.length).toBeLessThanOrEqual(5000);
        expect(s.ts.length).toBeGreaterThan(4000);
        expect(s.ts).toContain(31_337 * DAY);
        expect(Math.min(...s.drawdown.map(Number))).toBe(Math.min(...long.series!.drawdown.map(Number)));
        expect([s.ts[0], s.ts.at(-1)]).toEqual([0, 59_999 * DAY]);
        expect(r.report.result.range).toEqual(long.range);
        expect(comparisonCurve(r.report)?.ts).toEqual(s.ts);
    });

    it('says why when the panel would refuse the result', () => {
        const bad = resultOf('backtest', 4);
        bad.series!.equity.pop(); // lengths disagree
        const r = reportFromResult({ ...run, kind: 'backtest' }, bad);
        expect(r).toEqual({ reason: expect.stringMatching(/^The result of run r-2 cannot be shown: invalid 'run' message: result\.series.*same length/) });
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
