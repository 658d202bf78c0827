/** The daemon's run lines (daemon/run-log.ts): which states are logged, at which level, with what. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RunLifecycleLog } from '../../src/daemon/run-log.js';
import { createLogger } from '../../src/monitoring/logger.js';
import type { RunEvent } from '../../src/orchestrator/types.js';

function capture(): { log: RunLifecycleLog; lines: Record<string, unknown>[] } {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } });
    return { log: new RunLifecycleLog(createLogger({ destination, sync: true })), lines };
}

let seq = 0;
const state = (runId: string, s: RunEvent['state'], ts: string, actor = 'system', message?: string): RunEvent =>
    ({ runId, seq: ++seq, ts, kind: 'state', state: s, actor, ...(message ? { message } : {}) });

describe('RunLifecycleLog', () => {
    it('logs a start, an end with its duration, a failure as a warning with its error, and a re-queue; nothing else', () => {
        const { log, lines } = capture();
        const route = { team: 'quant', traceId: 'ab'.repeat(16) };
        log.record(state('r1', 'created', '2026-01-01T00:00:00.000Z', 'ana'), route);
        log.record(state('r1', 'queued', '2026-01-01T00:00:00.001Z', 'ana'), route);
        log.record(state('r1', 'running', '2026-01-01T00:00:01.000Z', 'system', 'attempt 1'), route);
        log.record({ runId: 'r1', seq: ++seq, ts: '2026-01-01T00:00:01.500Z', kind: 'progress', actor: 'system', progress: 0.5 }, route);
        log.record(state('r1', 'queued', '2026-01-01T00:00:02.000Z', 'system', 'daemon restarted'), route);
        log.record(state('r1', 'running', '2026-01-01T00:00:03.000Z', 'system', 'attempt 2'), route);
        log.record(state('r1', 'failed', '2026-01-01T00:00:05.250Z', 'system', 'no bars for synth:NOPE'), route);
        log.record(state('r2', 'cancelled', '2026-01-01T00:00:06.000Z', 'bob', 'cancelled by bob'), {});
        const pick = (l: Record<string, unknown>) => [l['msg'], l['level'], l['runId'], l['traceId'], l['team'], l['actor'], l['detail'], l['ms']];
        expect(lines.map(pick)).toEqual([
            ['run running', 'info', 'r1', route.traceId, 'quant', 'system', 'attempt 1', undefined],
            ['run re-queued', 'info', 'r1', route.traceId, 'quant', 'system', 'daemon restarted', undefined],
            ['run running', 'info', 'r1', route.traceId, 'quant', 'system', 'attempt 2', undefined],
            // The duration is the last attempt's.
            ['run failed', 'warn', 'r1', route.traceId, 'quant', 'system', 'no bars for synth:NOPE', 2250],
            // Never seen starting here: no duration; no trace known: no traceId field.
            ['run cancelled', 'info', 'r2', undefined, undefined, 'bob', 'cancelled by bob', undefined],
        ]);
    });

    it('keeps the start times of at most 10,000 runs: the oldest are dropped, not kept for ever', () => {
        const { log, lines } = capture();
        for (let i = 0; i <= 10_000; i++) log.record(state(`r${i}`, 'running', '2026-01-01T00:00:00.000Z'), {});
        log.record(state('r0', 'completed', '2026-01-01T00:00:01.000Z'), {});
        log.record(state('r10000', 'completed', '2026-01-01T00:00:01.000Z'), {});
        expect(lines.slice(-2).map(l => [l['runId'], l['ms']])).toEqual([['r0', undefined], ['r10000', 1000]]);
    });
});
