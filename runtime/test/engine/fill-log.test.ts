/**
 * The fill and trade logs grow by chunks (fill-log.ts): rows read back, as the joined array and as
 * objects, are the rows pushed, in order, across chunk boundaries, after a read that joined them
 * (appends continue), and from a handed-in first buffer (a sweep's previous trial's rows).
 */
import { describe, expect, it } from 'vitest';
import { FillLog, TradeLog } from '../../src/engine/compiled/fill-log.js';

const row = (i: number) => [i, i % 3, (i % 2 ? -1 : 1) * (i + 0.5), 100 + i / 7, i / 1000, i % 8] as const;

function pushFills(log: FillLog, from: number, to: number): void {
    for (let i = from; i < to; i++) log.push(...row(i));
}

function expectFills(log: FillLog, n: number): void {
    expect(log.length).toBe(n);
    const r = log.rows;
    for (let i = 0; i < n; i++) expect(Array.from(r.subarray(i * 6, i * 6 + 6))).toEqual([...row(i)]);
    const objects = log.objects();
    expect(objects.length).toBe(n);
    expect(objects[n - 1]).toMatchObject({ bar: n - 1, asset: (n - 1) % 3, qty: row(n - 1)[2], price: row(n - 1)[3] });
}

describe('fill and trade logs', () => {
    it('keep every row across chunks, and after a read that joined them', () => {
        const log = new FillLog();
        pushFills(log, 0, 6000); // several chunks of 2,560 rows
        expectFills(log, 6000);
        pushFills(log, 6000, 9000); // appends after the join: into the joined array, then new chunks
        expectFills(log, 9000);
        expect(log.tradedValue()).toBe(Array.from({ length: 9000 }, (_, i) => Math.abs(row(i)[2] * row(i)[3])).reduce((a, b) => a + b, 0));
    });

    it('start in a handed-in buffer and go on past it', () => {
        const first = new FillLog();
        pushFills(first, 0, 300);
        const again = new FillLog(first.rows);
        pushFills(again, 0, 5000);
        expectFills(again, 5000);
    });

    it('trade rows: metrics read pnl and return in place', () => {
        const log = new TradeLog();
        for (let i = 0; i < 3000; i++) log.push(0, i % 2 ? 1 : -1, i, i + 1, 10, 11, 1, i - 1500, i / 3000, 0.1, 0);
        const r = log.rows;
        expect(log.length).toBe(3000);
        for (let i = 0; i < 3000; i += 499) {
            expect(r[i * log.stride + log.pnlAt]).toBe(i - 1500);
            expect(r[i * log.stride + log.returnAt]).toBe(i / 3000);
        }
        expect(log.objects()[2999]).toMatchObject({ side: 'long', entryBar: 2999, pnl: 1499 });
    });
});
