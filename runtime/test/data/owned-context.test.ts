/**
 * OwnedContext (store/owned-context.ts): each owner (a CallGate, a PgStore) sees only the value of
 * its own innermost run, as it did with an AsyncLocalStorage of its own, while the process keeps
 * one storage however many owners were made (Node visits every storage ever entered on each
 * promise, forever: one per store made every store ever opened slow down all later async code).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { OwnedContext } from '../../src/store/owned-context.js';

const tick = (): Promise<void> => new Promise(r => setTimeout(r, 1));

describe('OwnedContext', () => {
    it('an owner sees its own innermost value, across awaits; other owners pass through; nothing outside a run', async () => {
        const a = new OwnedContext<string>(), b = new OwnedContext<string>();
        expect(a.getStore()).toBeUndefined();
        await a.run('a1', async () => {
            await tick();
            expect([a.getStore(), b.getStore()]).toEqual(['a1', undefined]);
            await b.run('b1', async () => {
                await tick();
                expect([a.getStore(), b.getStore()]).toEqual(['a1', 'b1']);
                await a.run('a2', async () => {
                    await tick();
                    expect([a.getStore(), b.getStore()]).toEqual(['a2', 'b1']);
                });
                expect([a.getStore(), b.getStore()]).toEqual(['a1', 'b1']);
            });
            expect([a.getStore(), b.getStore()]).toEqual(['a1', undefined]);
        });
        expect([a.getStore(), b.getStore()]).toEqual([undefined, undefined]);
    });

    it('concurrent runs of one owner each keep their value; run returns what fn returns', async () => {
        const a = new OwnedContext<number>();
        const seen = await Promise.all([1, 2, 3].map(n => a.run(n, async () => {
            await tick();
            const first = a.getStore();
            await tick();
            return [first, a.getStore()];
        })));
        expect(seen).toEqual([[1, 1], [2, 2], [3, 3]]);
        expect(a.run(7, () => 'sync')).toBe('sync');
    });

    it('a thousand owners share one storage of the process', () => {
        for (let i = 0; i < 1000; i++) {
            const o = new OwnedContext<number>();
            expect(o.run(i, () => o.getStore())).toBe(i);
        }
        const storage = (globalThis as Record<symbol, unknown>)[Symbol.for('alphaforge.owned-context')];
        expect(storage).toBeInstanceOf(AsyncLocalStorage);
        const again = new OwnedContext<number>();
        again.run(1, () => undefined);
        expect((globalThis as Record<symbol, unknown>)[Symbol.for('alphaforge.owned-context')]).toBe(storage);
    });
});
