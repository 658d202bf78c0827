/**
 * The bounded outbound queue and the token buckets, with a fake transport and a fake clock:
 * exact drop order, one lag notice per episode, bounded memory, overflow.
 */
import { describe, expect, it } from 'vitest';
import type { LaggedEvent } from '../../../protocol/src/daemon/index.js';
import { OutboundQueue, type MessageKind, type OutboundSink } from '../../src/gateway/events.js';
import { RateLimiter } from '../../src/gateway/rate-limit.js';

class FakeSink implements OutboundSink {
    buffered = 0;
    isClosed = false;
    readonly sent: { data: string; kind: MessageKind }[] = [];
    bufferedBytes(): number { return this.buffered; }
    send(data: string, kind: MessageKind): void { this.sent.push({ data, kind }); }
    closed(): boolean { return this.isClosed; }
}

const frame = (e: LaggedEvent): string => `lagged:${e.droppedProgress}:${e.droppedLogs}:${e.runIds.join(',')}`;

function setup(maxQueued = 5): { sink: FakeSink; q: OutboundQueue; overflowed: () => number } {
    const sink = new FakeSink();
    let overflows = 0;
    const q = new OutboundQueue(sink, { highWaterBytes: 100, maxQueued, maxQueuedBytes: 1 << 20 }, () => { overflows++; }, frame, 1);
    return { sink, q, overflowed: () => overflows };
}

async function drain(sink: FakeSink, q: OutboundQueue): Promise<void> {
    sink.buffered = 0;
    for (let i = 0; i < 100 && q.length > 0; i++) await new Promise(r => setTimeout(r, 2));
    await new Promise(r => setTimeout(r, 5));
}

describe('OutboundQueue', () => {
    it('sends at once while the transport is below the high-water mark', () => {
        const { sink, q } = setup();
        q.push('a', 'progress', 'r');
        q.push('b', 'response');
        expect(sink.sent.map(s => s.data)).toEqual(['a', 'b']);
        expect(q.length).toBe(0);
    });

    it('queues while congested, keeps order, and flushes when the transport drains', async () => {
        const { sink, q } = setup(10);
        sink.buffered = 1000;
        for (const d of ['l1', 'p1', 'g1', 'p2']) q.push(d, d[0] === 'l' ? 'lifecycle' : d[0] === 'p' ? 'progress' : 'log', 'r');
        expect(sink.sent).toEqual([]);
        await drain(sink, q);
        expect(sink.sent.map(s => s.data)).toEqual(['l1', 'p1', 'g1', 'p2']);
    });

    it('drops the oldest progress first, then the oldest logs; one lag notice before the rest', async () => {
        const { sink, q, overflowed } = setup(5);
        sink.buffered = 1000;
        q.push('L1', 'lifecycle', 'a');
        q.push('P1', 'progress', 'a');
        q.push('G1', 'log', 'a');
        q.push('P2', 'progress', 'b');
        q.push('R1', 'response');
        q.push('P3', 'progress', 'a'); // 6 > 5: P1 goes
        q.push('G2', 'log', 'a'); // P2 goes
        q.push('A1', 'alert'); // P3 goes
        q.push('L2', 'lifecycle', 'a'); // no progress left: G1 goes
        expect(q.length).toBe(5);
        expect(q.stats).toMatchObject({ droppedProgress: 3, droppedLogs: 1, maxQueuedSeen: 5 });
        await drain(sink, q);
        expect(sink.sent.map(s => s.data)).toEqual(['lagged:3:1:a,b', 'L1', 'R1', 'G2', 'A1', 'L2']);
        expect(overflowed()).toBe(0);
        // A new episode gets its own notice; no drops, no notice.
        sink.buffered = 1000;
        for (let i = 0; i < 7; i++) q.push(`p${i}`, 'progress', 'c');
        await drain(sink, q);
        expect(sink.sent.slice(6).map(s => s.data)).toEqual(['lagged:2:0:c', 'p2', 'p3', 'p4', 'p5', 'p6']);
        q.push('x', 'response');
        expect(sink.sent[sink.sent.length - 1]!.data).toBe('x');
        expect(q.stats.laggedNotices).toBe(2);
    });

    it('is bounded in bytes too', () => {
        const sink = new FakeSink();
        const q = new OutboundQueue(sink, { highWaterBytes: 1, maxQueued: 1000, maxQueuedBytes: 1000 }, () => undefined, frame, 1);
        sink.buffered = 10;
        for (let i = 0; i < 100; i++) q.push('x'.repeat(100), 'progress', 'r');
        expect(q.stats.queuedBytes).toBeLessThanOrEqual(1000);
        expect(q.stats.droppedProgress).toBe(90);
        q.stop();
    });

    it('overflows (and stops) when only undroppable messages fill it', () => {
        const { sink, q, overflowed } = setup(3);
        sink.buffered = 1000;
        for (let i = 0; i < 4; i++) q.push(`L${i}`, 'lifecycle', 'r');
        expect(overflowed()).toBe(1);
        expect(q.length).toBe(0);
        q.push('more', 'lifecycle', 'r');
        expect(q.length).toBe(0);
    });

    it('stops when the transport closes', async () => {
        const { sink, q } = setup();
        sink.buffered = 1000;
        q.push('a', 'response');
        sink.isClosed = true;
        await drain(sink, q);
        expect(sink.sent).toEqual([]);
        expect(q.length).toBe(0);
    });
});

describe('RateLimiter', () => {
    it('allows a burst, then the sustained rate, per key', () => {
        let now = 0;
        const r = new RateLimiter({ perSecond: 10, burst: 5, now: () => now });
        for (let i = 0; i < 5; i++) expect(r.take('a').ok).toBe(true);
        expect(r.take('a')).toEqual({ ok: false, retryAfterMs: 100 });
        expect(r.take('b').ok).toBe(true);
        now += 100;
        expect(r.take('a').ok).toBe(true);
        expect(r.take('a').ok).toBe(false);
        expect(r.take('a', 6)).toMatchObject({ ok: false }); // more than a burst never fits
        now += 10_000;
        expect(r.take('a', 5).ok).toBe(true);
        expect(r.exhausted('a')).toBe(true);
        expect(r.exhausted('zzz')).toBe(false);
    });

    it('keeps a bounded number of keys', () => {
        let now = 0;
        const r = new RateLimiter({ perSecond: 1, burst: 2, now: () => now, maxKeys: 100 });
        for (let i = 0; i < 1000; i++) {
            r.take(`k${i}`);
            now += 1;
        }
        expect(r.size).toBeLessThanOrEqual(100);
    });
});
