/**
 * "How does it differ", in words: from the fingerprint context (identical / same structure), else
 * from the building-block signatures of two strategies.
 */
import { describe, expect, it } from 'vitest';
import { describeDifference } from '../../../language/src/index.js';
import { DONCHIAN, example, MACD, point, replaceOnce, RSI, SMA, SMA_EDITED, SMA_EMA, SMA_RENAMED, SMA_VALUES } from './helpers.js';

const sig = async (source: string): Promise<Record<string, number>> => ({ ...(await point(source)).signature });

describe('describeDifference', () => {
    it('the fingerprint context wins: identical, or same structure with other values', async () => {
        const a = await sig(SMA);
        const b = await sig(RSI);
        expect(describeDifference(a, b, { sameExact: true })).toBe('identical structure and values');
        expect(describeDifference(a, b, { sameExact: true, sameStructure: true })).toBe('identical structure and values');
        expect(describeDifference(a, b, { sameStructure: true })).toBe('same structure, different parameter values');
        expect(describeDifference(a, await sig(SMA_VALUES), { sameStructure: true })).toBe('same structure, different parameter values');
    });

    it('equal signatures without context: the same building blocks, wired differently', async () => {
        expect(describeDifference(await sig(SMA), await sig(SMA_RENAMED))).toBe('same building blocks, wired differently');
        // Fast and slow swapped in both crosses: other wiring, same blocks.
        const swapped = replaceOnce(replaceOnce(SMA, 'crossover(fastMa, slowMa)', 'crossover(slowMa, fastMa)'), 'crossunder(fastMa, slowMa)', 'crossunder(slowMa, fastMa)');
        expect((await point(swapped)).fingerprints.structural).not.toBe((await point(SMA)).fingerprints.structural);
        expect(describeDifference(await sig(SMA), await sig(swapped))).toBe('same building blocks, wired differently');
    });

    it('a one-function swap: "same DAG except sma→ema in one place" (left is the query\'s)', async () => {
        const sma = await sig(SMA);
        const ema = await sig(SMA_EMA);
        expect(describeDifference(sma, ema)).toBe('same DAG except sma→ema in one place');
        expect(describeDifference(ema, sma)).toBe('same DAG except ema→sma in one place');
        const both = replaceOnce(SMA_EMA, 'feature slowMa = sma(close, slow)', 'feature slowMa = ema(close, slow)');
        expect(describeDifference(sma, await sig(both))).toBe('same DAG except sma→ema in 2 places');
    });

    it('an added condition: "adds …"; the other way round: "drops …"', async () => {
        const sma = await sig(SMA);
        const edited = await sig(SMA_EDITED);
        expect(describeDifference(sma, edited)).toBe('adds <, and, sma');
        expect(describeDifference(edited, sma)).toBe('drops <, and, sma');
        // Adds and drops together.
        const both = replaceOnce(SMA_EDITED, 'stop_loss: 3 * atr(14)', 'stop_loss: 8%');
        expect(describeDifference(sma, await sig(both))).toBe('adds <, and, sma; drops ×, atr');
    });

    it('unrelated strategies: "different structure (n of m building blocks shared)"', async () => {
        const sma = await sig(SMA);
        expect(describeDifference(sma, await sig(example('xs-momentum.af')))).toBe('different structure (6 of 20 building blocks shared)');
        expect(describeDifference(sma, await sig(example('pairs-ko-pep.af')))).toMatch(/^different structure \(\d+ of 23 building blocks shared\)$/);
        // Nearer ones are described by what they add and drop, at most four of each named.
        expect(describeDifference(sma, await sig(DONCHIAN))).toBe('adds 2× <, 2× lag [n], high, highest and 2 more; drops 2× sma, crossover, crossunder, risk.max_drawdown');
        expect(describeDifference(sma, await sig(MACD))).toMatch(/^adds .+; drops .+$/);
    });

    it('on plain signatures: counts, ordering, truncation and the thresholds', () => {
        expect(describeDifference({}, {})).toBe('same building blocks, wired differently');
        expect(describeDifference({ a: 1 }, { a: 1, b: 3, c: 1 })).toBe('adds 3× b, c');
        expect(describeDifference({ a: 1 }, { a: 1, b: 1, c: 1, d: 1, e: 1, f: 1 })).toBe('adds b, c, d, e and 1 more');
        expect(describeDifference({ x: 2, y: 9 }, { z: 2, y: 9 })).toBe('same DAG except x→z in 2 places');
        // Uneven swaps are adds and drops.
        expect(describeDifference({ x: 2, y: 9 }, { z: 1, y: 9 })).toBe('adds z; drops 2× x');
        // More than max(6, 60% of the larger) blocks changed: different structure.
        expect(describeDifference({ a: 10 }, { a: 3, b: 4 })).toBe('different structure (3 of 10 building blocks shared)');
        expect(describeDifference({ a: 1 }, { a: 1, b: 6 })).toBe('adds 6× b');
        expect(describeDifference({ a: 1 }, { a: 1, b: 7 })).toBe('different structure (1 of 8 building blocks shared)');
    });
});
