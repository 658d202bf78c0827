/**
 * The overfitting statistics against hand calculations and the papers' worked examples: CSCV's PBO
 * on matrices small enough to enumerate every split by hand, the Sharpe-based PBO against a brute
 * force over the raw returns, and MinBTL against Bailey et al.'s "45 trials need 5 years".
 */
import { describe, expect, it } from 'vitest';
import { blockMoments, blocksFor, combinations, cscv, cscvSetCount, expectedMaxStandardNormal, minBacktestLength, pboOfScores, probabilityOfOverfitting, sampleVariance, scoreSets, sharpeOfBlocks } from '../../src/engine/overfitting.js';

/** Performance of a trial = sum of its per-block values over the chosen blocks. */
const bySum = (m: number[][]) => (t: number, chosen: readonly number[]) => chosen.reduce((a, b) => a + m[t]![b]!, 0);

describe('CSCV probability of backtest overfitting', () => {
    it('enumerates the C(4,2) = 6 splits of a two-trial matrix as done by hand: PBO 1/3', () => {
        // A = [1,1,0,0], B = [0.3,0.3,0.3,0.3] (B scores 0.6 on any two blocks).
        // train {0,1}: A 2 > 0.6 → A; test {2,3}: A 0 < 0.6 → rank 1 of 2 → ω 1/3, λ ln ½ → overfit
        // train {0,2},{0,3},{1,2},{1,3}: A 1 > 0.6 → A; test: A 1 > 0.6 → rank 2 → ω 2/3, λ ln 2
        // train {2,3}: A 0 < 0.6 → B; test {0,1}: B 0.6 < 2 → rank 1 → overfit
        const r = cscv(2, 4, bySum([[1, 1, 0, 0], [0.3, 0.3, 0.3, 0.3]]));
        expect(r.combinations).toBe(6);
        expect(r.pbo).toBeCloseTo(2 / 6, 12);
        expect(r.logits.map(x => Math.round(x * 1e9) / 1e9)).toEqual([Math.log(0.5), Math.log(2), Math.log(2), Math.log(2), Math.log(2), Math.log(0.5)].map(x => Math.round(x * 1e9) / 1e9));
    });

    it('an anti-persistent three-trial matrix overfits in every split (the in-sample best is never above the median out of sample)', () => {
        // Pair sums (hand): A {01}4 {02}3 {03}5.5 {12}1 {13}3.5 {23}2.5; B 2 3.2 1 5.2 3 4.2; C 2.1 2.3 1.9 2.0 1.6 1.8.
        // Splits: A→rank 2 (λ 0), B→rank 2 (λ 0), A→rank 1, B→rank 1, A→rank 2 (λ 0), B→rank 1: all λ ≤ 0.
        const m = [[3, 1, 0, 2.5], [0, 2, 3.2, 1], [1.2, 0.9, 1.1, 0.7]];
        const r = cscv(3, 4, bySum(m));
        expect(r.pbo).toBe(1);
        expect(r.logits.map(x => Math.abs(x) < 1e-12 ? 0 : x)).toEqual([0, 0, Math.log(1 / 3), Math.log(1 / 3), 0, Math.log(1 / 3)]);
    });

    it('a trial that is best on every block is never overfit: PBO 0, λ = ln 3 in every split (rank 3 of 3)', () => {
        const m = [[3, 1, 0, 2.5], [0, 2, 3.2, 1], [5, 5, 5, 5]];
        const r = cscv(3, 4, bySum(m));
        expect(r.pbo).toBe(0);
        for (const l of r.logits) expect(l).toBeCloseTo(Math.log(3), 12);
    });

    it('the Sharpe-based PBO on block moments equals a brute force over the raw returns', () => {
        // Deterministic pseudo-returns for 5 trials × 64 bars, 8 blocks of 8 bars.
        let s = 7;
        const rnd = () => { s = (s * 48271) % 2147483647; return s / 2147483647 - 0.5; };
        const returns = Array.from({ length: 5 }, (_, t) => Array.from({ length: 64 }, () => rnd() * 0.02 + t * 0.0005));
        const pbo = probabilityOfOverfitting(returns.map(r => blockMoments(r, 8)))!;
        const sharpe = (xs: number[]) => {
            const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
            const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
            return mean / sd;
        };
        const pick = (r: number[], blocks: readonly number[]) => blocks.flatMap(b => r.slice(b * 8, b * 8 + 8));
        let overfit = 0;
        const splits = combinations(8, 4);
        for (const train of splits) {
            const test = [0, 1, 2, 3, 4, 5, 6, 7].filter(b => !train.includes(b));
            const ins = returns.map(r => sharpe(pick(r, train)));
            const best = ins.indexOf(Math.max(...ins));
            const oos = returns.map(r => sharpe(pick(r, test)));
            const rank = oos.filter(x => x < oos[best]!).length + 1;
            if (rank / 6 <= 0.5) overfit++;
        }
        expect(splits.length).toBe(70);
        expect(pbo.combinations).toBe(70);
        expect(pbo.pbo).toBeCloseTo(overfit / 70, 12);
    });

    it('split scores (each trial on every half of its blocks, as a worker computes them) rank to cscv\'s PBO, logits and ties included, in any trial order', () => {
        let s = 11;
        const rnd = () => { s = (s * 48271) % 2147483647; return s / 2147483647 - 0.5; };
        // 9 trials × 10 blocks; trial 4 repeats trial 1 (equal scores: the first in the order wins), trial 7 has no variance (undefined Sharpe).
        const trials = Array.from({ length: 9 }, (_, t) => Array.from({ length: 10 }, () => ({ n: 20, sum: rnd() * 0.1 + t * 0.002, sumSq: 0.05 + Math.abs(rnd()) * 0.01 })));
        trials[4] = trials[1]!;
        trials[7] = trials[7]!.map(() => ({ n: 20, sum: 0, sumSq: 0 }));
        const C = cscvSetCount(10);
        expect(C).toBe(252);
        const scores = new Float64Array(9 * C);
        for (let t = 0; t < 9; t++) scoreSets(trials[t]!.flatMap(m => [m.n, m.sum, m.sumSq]), 0, 10, scores, t * C);
        // Each score is sharpeOfBlocks of that half, bit for bit (-Infinity where it is undefined).
        combinations(10, 5).forEach((half, i) => {
            for (let t = 0; t < 9; t++) {
                const x = sharpeOfBlocks(trials[t]!, half);
                expect(scores[t * C + i]).toBe(Number.isNaN(x) ? -Infinity : x);
            }
        });
        for (const order of [[0, 1, 2, 3, 4, 5, 6, 7, 8], [8, 4, 6, 1, 0, 7, 2, 5, 3]]) {
            const expected = cscv(9, 10, (t, chosen) => sharpeOfBlocks(trials[order[t]!]!, chosen));
            expect(pboOfScores(10, scores, order)).toEqual(expected);
        }
        expect(pboOfScores(10, scores, [3])).toBeNull();
    });
    it('block moments give the union\'s Sharpe exactly', () => {
        const r = [0.01, -0.02, 0.03, 0.005, -0.01, 0.02, 0.0, 0.015];
        const b = blockMoments(r, 4);
        expect(b.map(x => x.n)).toEqual([2, 2, 2, 2]);
        const xs = [0.01, -0.02, -0.01, 0.02];
        const mean = xs.reduce((a, c) => a + c, 0) / 4;
        const sd = Math.sqrt(xs.reduce((a, c) => a + (c - mean) ** 2, 0) / 3);
        expect(sharpeOfBlocks(b, [0, 2])).toBeCloseTo(mean / sd, 12);
    });

    it('refuses what it cannot cross-validate, and sizes S to the sweep', () => {
        expect(() => cscv(1, 4, () => 0)).toThrow(/at least 2 trials/);
        expect(() => cscv(2, 5, () => 0)).toThrow(/even number of blocks/);
        expect(probabilityOfOverfitting([blockMoments([0.1, 0.2, 0.3, 0.4], 4)])).toBeNull();
        expect(blocksFor(10, 10_000)).toBe(16);
        expect(blocksFor(10, 20)).toBe(10); // two bars a block at least
        expect(blocksFor(100_000, 10_000)).toBeLessThan(16);
    });
});

describe('minimum backtest length', () => {
    it('45 trials need about 5 years for a best annualised Sharpe of 1 (Bailey et al. 2014)', () => {
        // Hand: Φ⁻¹(1 − 1/45) = 2.0100, Φ⁻¹(1 − 1/(45e)) = 2.4003; E[max] = 0.42278·2.0100 + 0.57722·2.4003 = 2.2353; 2.2353² = 4.997.
        expect(expectedMaxStandardNormal(45)).toBeCloseTo(2.2353, 3);
        const m = minBacktestLength(45, 1);
        expect(m.years).toBeCloseTo(4.997, 2);
        expect(m.upperBoundYears).toBeCloseTo(2 * Math.log(45), 12);
        // A Sharpe twice as high needs a quarter of the years.
        expect(minBacktestLength(45, 2).years).toBeCloseTo(m.years / 4, 12);
        expect(minBacktestLength(1, 1).years).toBeNaN();
        expect(minBacktestLength(10, -0.5).years).toBeNaN();
    });

    it('sample variance of Sharpe ratios ignores undefined ones', () => {
        expect(sampleVariance([1, 2, 3, NaN])).toBe(1);
        expect(sampleVariance([1])).toBe(0);
    });
});
