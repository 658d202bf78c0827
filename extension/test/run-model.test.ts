/**
 * The runs the side bar shows: a `runs.list`, then lifecycle and progress events applied in
 * place (in order per run; repeats ignored), unknown runs asked for, a lag notice reloading.
 */
import { describe, expect, it } from 'vitest';
import type { RunSummary, StreamEvent } from '../../protocol/src/daemon/index.js';
import { formatMetric } from '../../protocol/src/metrics.js';
import { ago, metricsLine, RunsModel, runDescription, runLabel, stateIcon } from '../src/run-model.js';

function row(id: string, state: RunSummary['state'], createdAt = '2024-01-01T00:00:00Z'): RunSummary {
    return {
        id, kind: 'backtest', state, promoted: false, owner: 'admin', team: 'default', experimentId: null, traceId: 't', attempt: 1,
        createdAt, queuedAt: null, startedAt: null, finishedAt: null, strategy: 'SmaCross', fingerprints: null, dataSnapshot: null,
        engineVersion: null, seed: null, error: null, tags: {}, progress: null,
    };
}

const lifecycle = (runId: string, seq: number, state: string, previous: string | null = null, message: string | null = null): StreamEvent =>
    ({ type: 'lifecycle', runId, seq, ts: '2024-01-01T00:00:05Z', state, previous, actor: 'system', message }) as StreamEvent;
const progress = (runId: string, done: number): StreamEvent => ({ type: 'progress', runId, ts: '2024-01-01T00:00:06Z', done });

describe('RunsModel', () => {
    it('applies lifecycle and progress events to known runs', () => {
        const m = new RunsModel();
        m.replace([row('a', 'queued'), row('b', 'completed', '2024-01-02T00:00:00Z')]);
        expect(m.all.map(r => r.id)).toEqual(['b', 'a']);
        expect(m.active.map(r => r.id)).toEqual(['a']);
        expect(m.apply(lifecycle('a', 1, 'running', 'queued'))).toBe('changed');
        expect(m.get('a')).toMatchObject({ state: 'running', progress: 0, startedAt: '2024-01-01T00:00:05Z' });
        expect(m.apply(progress('a', 0.4))).toBe('changed');
        expect(m.get('a')!.progress).toBe(0.4);
        expect(m.apply(lifecycle('a', 2, 'completed', 'running'))).toBe('changed');
        expect(m.get('a')).toMatchObject({ state: 'completed', progress: 1, finishedAt: '2024-01-01T00:00:05Z' });
        expect(m.active).toEqual([]);
        // A late progress event does not revive a finished run.
        expect(m.apply(progress('a', 0.9))).toBe('ignored');
        expect(m.get('a')!.state).toBe('completed');
    });

    it('ignores repeated or older lifecycle events of a run', () => {
        const m = new RunsModel();
        m.replace([row('a', 'queued')]);
        m.apply(lifecycle('a', 3, 'failed', 'running', 'no data for sp:SPX'));
        expect(m.get('a')).toMatchObject({ state: 'failed', error: 'no data for sp:SPX' });
        expect(m.apply(lifecycle('a', 2, 'running', 'queued'))).toBe('ignored');
        expect(m.get('a')!.state).toBe('failed');
    });

    it('marks promotions without changing the state', () => {
        const m = new RunsModel();
        m.replace([row('a', 'completed')]);
        m.apply(lifecycle('a', 5, 'promoted', 'completed'));
        expect(m.get('a')).toMatchObject({ state: 'completed', promoted: true });
    });

    it('asks for unknown runs and reloads after a lag; ignores logs and alerts', () => {
        const m = new RunsModel();
        expect(m.apply(lifecycle('x', 0, 'queued'))).toBe('unknown');
        expect(m.apply(progress('x', 0.1))).toBe('unknown');
        expect(m.apply({ type: 'lagged', ts: '2024-01-01T00:00:00Z', dropped: 3, droppedProgress: 3, droppedLogs: 0, runIds: ['x'] })).toBe('reload');
        expect(m.apply({ type: 'log', runId: 'x', seq: 1, ts: '2024-01-01T00:00:00Z', level: 'info', message: 'hi' })).toBe('ignored');
        m.upsert(row('x', 'queued'));
        expect(m.apply(progress('x', 0.1))).toBe('changed');
    });

    it('keeps at most `limit` runs, never dropping active ones', () => {
        const m = new RunsModel(3);
        for (let i = 0; i < 6; i++) m.upsert(row(`r${i}`, i === 0 ? 'running' : 'completed', `2024-01-0${i + 1}T00:00:00Z`));
        expect(m.all.map(r => r.id)).toEqual(['r5', 'r4', 'r3', 'r0']);
    });
});

describe('presentation', () => {
    it('labels, descriptions and icons', () => {
        expect(runLabel({ strategy: 'SmaCross', kind: 'walkforward', id: 'r' })).toBe('SmaCross · Walk-forward');
        expect(runLabel({ strategy: null, kind: 'sweep', id: 'r-9' })).toBe('r-9 · Sweep');
        const now = Date.parse('2024-01-01T00:10:00Z');
        expect(runDescription({ ...row('a', 'running'), progress: 0.42 }, now)).toBe('running 42% · 10 min ago');
        expect(runDescription({ ...row('a', 'completed'), promoted: true, finishedAt: '2024-01-01T00:09:30Z' }, now)).toBe('completed · promoted · just now');
        expect(stateIcon('running').id).toBe('sync~spin');
        expect(stateIcon('failed')).toEqual({ id: 'error', color: 'testing.iconFailed' });
        expect(ago('2023-12-30T00:00:00Z', now)).toBe('2 d ago');
        expect(ago('garbage', now)).toBe('');
    });

    it('formats metrics for people', () => {
        expect(formatMetric('sharpe', 1.234)).toBe('1.23');
        expect(formatMetric('totalReturn', 0.4567)).toBe('45.67%');
        expect(formatMetric('maxDrawdown', -0.123)).toBe('-12.30%');
        expect(formatMetric('avgTradePnl', 1461.9612)).toBe('1,461.96');
        expect(formatMetric('maxDrawdownMs', 3 * 86_400_000)).toBe('3 days');
        expect(formatMetric('profitFactor', 'Infinity')).toBe('∞');
        expect(formatMetric('tradeCount', 42)).toBe('42');
        expect(formatMetric('maxDrawdownBars', 12)).toBe('12');
        expect(formatMetric('profitFactor', Infinity)).toBe('∞');
        expect(formatMetric('sharpe', null)).toBe('n/a');
        expect(metricsLine({ sharpe: 1.5, totalReturn: 0.2, maxDrawdown: -0.1, tradeCount: 7, other: 3 })).toBe('Sharpe 1.50 · return 20.00% · max drawdown -10.00% · trades 7');
        expect(metricsLine(null)).toBe('');
    });
});
