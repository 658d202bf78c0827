/**
 * Overfitting statistics of a search, pure (docs/cli.md § How far a result can be trusted):
 * - the probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV;
 *   Bailey, Borwein, López de Prado and Zhu 2015, "The probability of backtest overfitting");
 * - the minimum backtest length for a number of trials (Bailey, Borwein, López de Prado and Zhu
 *   2014, "Pseudo-mathematics and financial charlatanism", MinBTL);
 * - the Sharpe-ratio variance across trials, the input of the deflated Sharpe (metrics.ts) that
 *   the research ledger computes over a structure's every trial in the store.
 * Trials are summarised by the moments of their per-bar returns in S contiguous blocks of bars
 * (`blockMoments`): that is all CSCV needs to measure a trial on any union of blocks, and it
 * crosses worker threads as a few numbers instead of a return series.
 */
import { normInv } from './metrics.js';

const EULER_GAMMA = 0.5772156649015329;

/** Count, sum and sum of squares of the per-bar returns of one block of bars. */
export interface BlockMoments {
    readonly n: number;
    readonly sum: number;
    readonly sumSq: number;
}

/** Default number of blocks S (Bailey et al. use 16); an even number. */
export const CSCV_BLOCKS = 16;

/** Bars 1..T−1's returns (index 0 is the first bar's return against the capital) cut into `blocks` contiguous blocks of near-equal size. */
export function blockMoments(returns: ArrayLike<number>, blocks = CSCV_BLOCKS): BlockMoments[] {
    const T = returns.length;
    const out: BlockMoments[] = [];
    for (let b = 0; b < blocks; b++) {
        const from = Math.floor((b * T) / blocks), to = Math.floor(((b + 1) * T) / blocks);
        let n = 0, sum = 0, sumSq = 0;
        for (let i = from; i < to; i++) {
            const x = returns[i]!;
            if (!Number.isFinite(x)) continue;
            n++; sum += x; sumSq += x * x;
        }
        out.push({ n, sum, sumSq });
    }
    return out;
}

/** Per-bar Sharpe (mean over sample standard deviation) of the union of the chosen blocks; NaN when undefined. */
export function sharpeOfBlocks(blocks: readonly BlockMoments[], chosen: readonly number[]): number {
    let n = 0, sum = 0, sumSq = 0;
    for (const b of chosen) { const m = blocks[b]!; n += m.n; sum += m.sum; sumSq += m.sumSq; }
    if (n < 2) return NaN;
    const mean = sum / n;
    const variance = (sumSq - n * mean * mean) / (n - 1);
    return variance > 0 ? mean / Math.sqrt(variance) : NaN;
}

export interface PboResult {
    /** Probability of backtest overfitting: the share of splits whose in-sample best ranks at or below the out-of-sample median (logit λ ≤ 0). */
    readonly pbo: number;
    /** Number of splits C(S, S/2) evaluated, and S. */
    readonly combinations: number;
    readonly blocks: number;
    /** Logit λ = ln(ω / (1 − ω)) of each split, ω the relative out-of-sample rank of the in-sample best. */
    readonly logits: readonly number[];
}

/** Every way of choosing k of 0..n−1, in lexicographic order. */
export function combinations(n: number, k: number): number[][] {
    const out: number[][] = [];
    const pick: number[] = [];
    const rec = (start: number): void => {
        if (pick.length === k) { out.push([...pick]); return; }
        for (let i = start; i <= n - (k - pick.length); i++) { pick.push(i); rec(i + 1); pick.pop(); }
    };
    rec(0);
    return out;
}

export function binomial(n: number, k: number): number {
    let c = 1;
    for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
    return Math.round(c);
}

/**
 * CSCV with any performance measure: `perf(trial, blocks)` is trial's performance on the union of
 * those blocks (higher is better, NaN worst). For each of the C(S, S/2) ways to take half the blocks
 * as the training set J (the rest, J̄, the test set): n* = the best trial on J (the first on a tie);
 * ω = its rank among the trials on J̄ (1 = worst, mid-rank on ties) over N + 1; λ = logit ω. PBO is
 * the share of splits with λ ≤ 0: the trial chosen in sample did no better than the median out of
 * sample.
 */
export function cscv(trials: number, blocks: number, perf: (trial: number, chosen: readonly number[]) => number): PboResult {
    if (trials < 2) throw new RangeError('CSCV needs at least 2 trials');
    if (blocks < 2 || blocks % 2 !== 0) throw new RangeError(`CSCV needs an even number of blocks, not ${blocks}`);
    const logits: number[] = [];
    let overfit = 0;
    // Every test set J̄ is itself one of the training sets (half the blocks, ascending): each set's
    // scores are computed once and read twice, half the evaluations of scoring J̄ per split.
    const sets = combinations(blocks, blocks / 2);
    const indexOf = new Map(sets.map((c, i) => [c.join(','), i]));
    const scores: (Float64Array | undefined)[] = new Array(sets.length);
    const scoresOf = (i: number): Float64Array => {
        let out = scores[i];
        if (out) { scores[i] = undefined; return out; } // its second and last use
        out = new Float64Array(trials);
        const chosen = sets[i]!;
        for (let t = 0; t < trials; t++) { const x = perf(t, chosen); out[t] = Number.isNaN(x) ? -Infinity : x; }
        scores[i] = out;
        return out;
    };
    for (let i = 0; i < sets.length; i++) {
        const train = sets[i]!;
        const test = [];
        for (let b = 0; b < blocks; b++) if (!train.includes(b)) test.push(b);
        const is = scoresOf(i);
        let best = 0, bestScore = -Infinity;
        for (let t = 0; t < trials; t++) {
            const s = is[t]!;
            if (t === 0 || s > bestScore) { best = t; bestScore = s; }
        }
        const oos = scoresOf(indexOf.get(test.join(','))!);
        const mine = oos[best]!;
        let below = 0, equal = 0;
        for (let t = 0; t < trials; t++) { const x = oos[t]!; if (x < mine) below++; else if (x === mine) equal++; }
        const rank = below + (equal + 1) / 2; // 1-based mid-rank
        const omega = rank / (trials + 1);
        const lambda = Math.log(omega / (1 - omega));
        logits.push(lambda);
        if (lambda <= 0) overfit++;
    }
    return { pbo: overfit / logits.length, combinations: logits.length, blocks, logits };
}

/** Most perf evaluations of one PBO (C(S, S/2) × N × S): S shrinks below 16 for large sweeps so the statistic stays cheap. */
const PBO_BUDGET = 25_000_000;

/** The largest even S ≤ `preferred` whose CSCV fits the budget for N trials, at least 4 (or 0: too many trials or too few bars). */
export function blocksFor(trials: number, bars: number, preferred = CSCV_BLOCKS): number {
    for (let s = preferred; s >= 4; s -= 2) {
        if (bars >= s * 2 && binomial(s, s / 2) * trials * s <= PBO_BUDGET) return s;
    }
    return 0;
}

/**
 * PBO of a search whose every trial is summarised by the same S blocks (`blockMoments`), trials
 * measured by per-bar Sharpe. Null when there is nothing to cross-validate (fewer than 2 trials,
 * fewer than 4 blocks).
 */
export function probabilityOfOverfitting(trials: readonly (readonly BlockMoments[])[]): PboResult | null {
    const S = trials[0]?.length ?? 0, N = trials.length;
    if (N < 2 || S < 4 || S % 2 !== 0 || trials.some(t => t.length !== S)) return null;
    const C = cscvSets(S).count;
    const scores = new Float64Array(N * C);
    const moments = new Float64Array(S * 3);
    trials.forEach((t, i) => {
        t.forEach((m, b) => { moments[3 * b] = m.n; moments[3 * b + 1] = m.sum; moments[3 * b + 2] = m.sumSq; });
        scoreSets(moments, 0, S, scores, i * C);
    });
    return pboOfScores(S, scores, Array.from({ length: N }, (_, i) => i));
}

/**
 * The C(S, S/2) halves of S blocks that CSCV measures every trial on, as a prefix tree walked
 * depth first: node k (after the root, 0) adds block[k] to its parent's sums, and the leaves are
 * the halves in lexicographic order (`combinations`). Sums along a path are the additions of a
 * loop over the half's blocks in ascending order, in the same order: the same numbers, with each
 * shared prefix added once.
 */
interface SetTree {
    readonly count: number;
    readonly parent: Int32Array;
    readonly block: Int32Array;
    /** The half a node completes (its index in lexicographic order), or -1. */
    readonly leaf: Int32Array;
    /** Index of each half's complement (its test set when it is the training set). */
    readonly complement: Int32Array;
}

const trees = new Map<number, SetTree>();

function cscvSets(S: number): SetTree {
    let tree = trees.get(S);
    if (tree) return tree;
    const half = S / 2;
    const parent = [-1], block = [-1], leaf = [-1];
    let count = 0;
    const walk = (node: number, start: number, depth: number): void => {
        for (let b = start; b <= S - (half - depth); b++) {
            const k = parent.length;
            parent.push(node); block.push(b); leaf.push(depth + 1 === half ? count++ : -1);
            if (depth + 1 < half) walk(k, b + 1, depth + 1);
        }
    };
    walk(0, 0, 0);
    const sets = combinations(S, half);
    const indexOf = new Map(sets.map((c, i) => [c.join(','), i]));
    const complement = Int32Array.from(sets, c => indexOf.get([...Array(S).keys()].filter(b => !c.includes(b)).join(','))!);
    tree = { count, parent: Int32Array.from(parent), block: Int32Array.from(block), leaf: Int32Array.from(leaf), complement };
    trees.set(S, tree);
    return tree;
}

/** C(S, S/2): how many numbers `scoreSets` writes per trial. */
export function cscvSetCount(S: number): number {
    return cscvSets(S).count;
}

let scratch = new Float64Array(0);

/**
 * One trial's per-bar Sharpe on every half of its S blocks (`sharpeOfBlocks`, -Infinity where it is
 * undefined), halves in lexicographic order, into out[at…]: all CSCV needs of the trial. The blocks'
 * moments are read from `moments` at `from` as (n, sum, sumSq) per block. A sweep's workers compute
 * them with each trial, so the PBO left for the calling thread (`pboOfScores`) only ranks.
 */
export function scoreSets(moments: ArrayLike<number>, from: number, S: number, out: Float64Array, at: number): void {
    const { parent, block, leaf } = cscvSets(S);
    const K = parent.length;
    if (scratch.length < 3 * K) scratch = new Float64Array(3 * K);
    // The sums of every node's path: counts, sums and sums of squares, one after the other (the root's are 0).
    const c = scratch.subarray(0, K), s1 = scratch.subarray(K, 2 * K), s2 = scratch.subarray(2 * K, 3 * K);
    c[0] = 0; s1[0] = 0; s2[0] = 0;
    for (let k = 1; k < K; k++) {
        const p = parent[k]!, j = from + 3 * block[k]!;
        c[k] = c[p]! + moments[j]!; s1[k] = s1[p]! + moments[j + 1]!; s2[k] = s2[p]! + moments[j + 2]!;
        const set = leaf[k]!;
        if (set < 0) continue;
        const n = c[k]!;
        let x = -Infinity;
        if (n >= 2) {
            const mean = s1[k]! / n, variance = (s2[k]! - n * mean * mean) / (n - 1);
            if (variance > 0) { x = mean / Math.sqrt(variance); if (Number.isNaN(x)) x = -Infinity; }
        }
        out[at + set] = x;
    }
}

/**
 * PBO (`cscv` with per-bar Sharpe) from every trial's `scoreSets` (trial t's at scores[t × C…]),
 * the trials taken in `order` (the first of equal in-sample bests is the earliest in it). Per split,
 * the in-sample best and its mid-rank out of sample; all splits in one pass over each trial's row.
 */
export function pboOfScores(S: number, scores: Float64Array, order: ArrayLike<number>): PboResult | null {
    const N = order.length;
    if (N < 2 || S < 4 || S % 2 !== 0) return null;
    const { count: C, complement } = cscvSets(S);
    // The in-sample best of every split (training set = half i).
    const best = new Int32Array(C), bestScore = new Float64Array(C);
    for (let p = 0; p < N; p++) {
        const row = order[p]! * C;
        for (let i = 0; i < C; i++) {
            const s = scores[row + i]!;
            if (p === 0 || s > bestScore[i]!) { best[i] = order[p]!; bestScore[i] = s; }
        }
    }
    // Its score on the test set (the complement), and how many trials score below and equal to it there.
    const mine = new Float64Array(C);
    for (let i = 0; i < C; i++) mine[i] = scores[best[i]! * C + complement[i]!]!;
    const below = new Float64Array(C), equal = new Float64Array(C);
    for (let p = 0; p < N; p++) {
        const row = order[p]! * C;
        for (let i = 0; i < C; i++) {
            const x = scores[row + complement[i]!]!, m = mine[i]!;
            if (x < m) below[i]!++; else if (x === m) equal[i]!++;
        }
    }
    const logits: number[] = [];
    let overfit = 0;
    for (let i = 0; i < C; i++) {
        const rank = below[i]! + (equal[i]! + 1) / 2; // 1-based mid-rank
        const omega = rank / (N + 1);
        const lambda = Math.log(omega / (1 - omega));
        logits.push(lambda);
        if (lambda <= 0) overfit++;
    }
    return { pbo: overfit / C, combinations: C, blocks: S, logits };
}

/** E[max of N independent standard normals] ≈ (1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)) (0 for N < 2). */
export function expectedMaxStandardNormal(trials: number): number {
    if (trials < 2) return 0;
    return (1 - EULER_GAMMA) * normInv(1 - 1 / trials) + EULER_GAMMA * normInv(1 - 1 / (trials * Math.E));
}

export interface MinBacktestLength {
    /** Years of data below which a best annualised Sharpe of `sharpe` over N trials of no skill is expected anyway: (E[max_N] / SR)². */
    readonly years: number;
    /** The paper's closed upper bound 2 ln N / SR². */
    readonly upperBoundYears: number;
}

/**
 * Minimum backtest length (Bailey et al. 2014, MinBTL): with N trials of annualised Sharpe 0 and
 * unit variance across trials, the expected best annualised Sharpe after y years is E[max_N]/√y;
 * a best of `annualSharpe` needs y ≥ (E[max_N] / SR)² before it means anything. NaN for N < 2 or
 * a Sharpe that is not positive.
 */
export function minBacktestLength(trials: number, annualSharpe: number): MinBacktestLength {
    if (trials < 2 || !(annualSharpe > 0)) return { years: NaN, upperBoundYears: NaN };
    const e = expectedMaxStandardNormal(trials);
    return { years: (e / annualSharpe) ** 2, upperBoundYears: (2 * Math.log(trials)) / annualSharpe ** 2 };
}

/** Sample variance (n − 1) of the finite values; 0 for fewer than two. */
export function sampleVariance(values: readonly number[]): number {
    const xs = values.filter(Number.isFinite);
    if (xs.length < 2) return 0;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
}
