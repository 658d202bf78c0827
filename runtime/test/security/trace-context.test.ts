/**
 * The trace context a WebSocket message may carry (`meta.traceparent`) is hostile input: anything
 * but a well-formed W3C traceparent of bounded length is ignored — the call starts a new trace —
 * and the value is never echoed in an answer, an error or a streamed event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TRACEPARENT } from '../../src/monitoring/trace.js';
import { WsClient } from '../support/ws-client.js';
import { startSecureDaemon, TINY, type SecureDaemon } from './support.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

let d: SecureDaemon;
let ws: WsClient;

beforeAll(async () => {
    d = await startSecureDaemon();
    ws = await WsClient.open(d.daemon.url, d.tokens.alpha.researcher);
}, 120_000);
afterAll(async () => {
    ws?.close();
    await d?.stop();
}, 30_000);

describe('meta.traceparent over WebSocket', () => {
    const hostile: [string, unknown][] = [
        ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN.toUpperCase()}-01`],
        ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
        ['version ff', `ff-${TRACE}-${SPAN}-01`],
        ['extra fields on version 00', `00-${TRACE}-${SPAN}-01-extra`],
        // A later version may append fields, but not without bound: this one is well-formed apart from its length.
        ['longer than the bound', `01-${TRACE}-${SPAN}-01-${'a'.repeat(MAX_TRACEPARENT)}`],
        ['text that is not a traceparent', 'HOST-SECRET-in-a-traceparent'],
        ['a number', 42],
        ['an object', { traceId: TRACE, parentId: SPAN }],
        ['an array', [`00-${TRACE}-${SPAN}-01`]],
    ];

    for (const [what, value] of hostile) {
        it(`${what}: ignored (a new trace), never echoed`, async () => {
            const answer = await ws.call('runs.submit', { kind: 'backtest', spec: { source: TINY } }, { meta: { traceparent: value } });
            expect(answer.error).toBeUndefined();
            const run = (answer.result as { run: { id: string; traceId: string } }).run;
            expect(run.traceId).toMatch(/^[0-9a-f]{32}$/);
            expect(run.traceId).not.toBe(TRACE);
            // A failing call with the same meta: its error names nothing of it.
            const failed = await ws.call('runs.get', { id: 'no-such-run' }, { meta: { traceparent: value } });
            expect(failed.error).toBeDefined();
            const frames = ws.frames.join('\n');
            if (typeof value === 'string') expect(frames).not.toContain(value.slice(0, 40));
            expect(frames).not.toContain('HOST-SECRET-in-a-traceparent');
        }, 30_000);
    }

    it('meta that is not an object, and a well-formed traceparent as control', async () => {
        const odd = await ws.call('runs.submit', { kind: 'backtest', spec: { source: TINY } }, { meta: 'traceparent' });
        expect(odd.error).toBeUndefined();
        expect((odd.result as { run: { traceId: string } }).run.traceId).not.toBe(TRACE);
        // The control: the same call with a valid traceparent continues the caller's trace.
        const ok = await ws.call('runs.submit', { kind: 'backtest', spec: { source: TINY } }, { meta: { traceparent: `00-${TRACE}-${SPAN}-01` } });
        expect((ok.result as { run: { traceId: string } }).run.traceId).toBe(TRACE);
    }, 30_000);
});
