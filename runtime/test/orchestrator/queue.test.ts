/** The in-process job queue: FIFO per owner, fair across owners, removal and de-duplication. */
import { describe, expect, it } from 'vitest';
import { InProcessQueue, type QueuedJob } from '../../src/orchestrator/queue.js';

const job = (runId: string, owner: string): QueuedJob => ({ runId, owner, team: 't' });

async function drain(q: InProcessQueue): Promise<string[]> {
    const out: string[] = [];
    for (let j = await q.take(); j; j = await q.take()) out.push(j.runId);
    return out;
}

describe('InProcessQueue', () => {
    it('a user with many queued jobs does not starve a user with one', async () => {
        const q = new InProcessQueue();
        for (let i = 1; i <= 100; i++) await q.enqueue(job(`a${i}`, 'alice'));
        await q.enqueue(job('b1', 'bob'));
        expect(await q.size()).toBe(101);
        const order = await drain(q);
        expect(order.indexOf('b1')).toBe(1);
        expect(order.filter(id => id.startsWith('a'))).toEqual(Array.from({ length: 100 }, (_, i) => `a${i + 1}`)); // FIFO per owner
    });

    it('round-robin across owners; a newcomer goes before owners served more recently', async () => {
        const q = new InProcessQueue();
        for (const id of ['a1', 'a2', 'a3', 'a4']) await q.enqueue(job(id, 'alice'));
        expect((await q.take())!.runId).toBe('a1');
        for (const id of ['b1', 'b2']) await q.enqueue(job(id, 'bob'));
        await q.enqueue(job('c1', 'carol'));
        expect(await drain(q)).toEqual(['b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
    });

    it('removes a queued job, ignores a duplicate, and reports its size', async () => {
        const q = new InProcessQueue();
        await q.enqueue(job('a1', 'alice'));
        await q.enqueue(job('a1', 'alice'));
        await q.enqueue(job('b1', 'bob'));
        expect(await q.size()).toBe(2);
        expect(await q.remove('a1')).toBe(true);
        expect(await q.remove('a1')).toBe(false);
        expect(await drain(q)).toEqual(['b1']);
        expect(await q.take()).toBeUndefined();
        expect(await q.size()).toBe(0);
    });
});
