/**
 * Cross-sectional functions over one bar: they read the input node's slots for all N assets
 * (V[inBase + a]) and write the output node's slots (V[outBase + a]). NaN inputs are excluded
 * and get NaN (rank, xs_zscore) or false (top_k, bottom_k). Nothing is allocated per bar (a scratch
 * array of indices is reused).
 */
let order = new Int32Array(16);

function scratch(n: number): Int32Array {
    if (order.length < n) order = new Int32Array(n * 2);
    return order;
}

export const crossSectional = {
    /** Percentile rank in [0, 1]: (average 0-based rank among defined values) / (count − 1); 0.5 when alone. */
    rank(V: Float64Array, inBase: number, outBase: number, N: number): void {
        const idx = scratch(N);
        let m = 0;
        for (let a = 0; a < N; a++) {
            const v = V[inBase + a]!;
            if (v === v) idx[m++] = a;
            else V[outBase + a] = NaN;
        }
        sortIndices(idx, m, V, inBase, 1);
        let i = 0;
        while (i < m) {
            let j = i;
            while (j + 1 < m && V[inBase + idx[j + 1]!] === V[inBase + idx[i]!]) j++;
            const r = m === 1 ? 0.5 : (i + j) / 2 / (m - 1);
            for (let k = i; k <= j; k++) V[outBase + idx[k]!] = r;
            i = j + 1;
        }
    },
    /** (x − mean) / population stdev over the defined values; NaN when the stdev is 0. */
    xs_zscore(V: Float64Array, inBase: number, outBase: number, N: number): void {
        let m = 0, sum = 0;
        for (let a = 0; a < N; a++) { const v = V[inBase + a]!; if (v === v) { m++; sum += v; } }
        const mean = sum / m;
        let ss = 0;
        for (let a = 0; a < N; a++) { const v = V[inBase + a]!; if (v === v) ss += (v - mean) * (v - mean); }
        const sd = Math.sqrt(ss / m);
        for (let a = 0; a < N; a++) {
            const v = V[inBase + a]!;
            V[outBase + a] = v === v && sd > 0 ? (v - mean) / sd : NaN;
        }
    },
    top_k(V: Float64Array, inBase: number, outBase: number, N: number, k: number): void {
        select(V, inBase, outBase, N, k, -1);
    },
    bottom_k(V: Float64Array, inBase: number, outBase: number, N: number, k: number): void {
        select(V, inBase, outBase, N, k, 1);
    },
};

/** Marks the k assets with the highest (dir −1) or lowest (dir 1) value; ties by universe order. */
function select(V: Float64Array, inBase: number, outBase: number, N: number, k: number, dir: number): void {
    const idx = scratch(N);
    let m = 0;
    for (let a = 0; a < N; a++) {
        V[outBase + a] = 0;
        if (V[inBase + a] === V[inBase + a]) idx[m++] = a;
    }
    sortIndices(idx, m, V, inBase, dir);
    for (let i = 0; i < Math.min(k, m); i++) V[outBase + idx[i]!] = 1;
}

/**
 * Sorts the asset indices idx[0 … m−1] by value (times dir), ties by index: a total order, so any
 * sort gives the same result. In place, without allocating: an insertion sort for the few assets
 * of most universes, the built-in sort beyond.
 */
function sortIndices(idx: Int32Array, m: number, V: Float64Array, base: number, dir: number): void {
    // The comparison of the built-in sort below: a NaN difference (∞ − ∞) counts as a tie.
    if (m > 32) {
        idx.subarray(0, m).sort((p, q) => dir * (V[base + p]! - V[base + q]!) || p - q);
        return;
    }
    for (let i = 1; i < m; i++) {
        const p = idx[i]!, vp = V[base + p]!;
        let j = i - 1;
        for (; j >= 0; j--) {
            const q = idx[j]!, c = dir * (vp - V[base + q]!);
            if (!(c < 0 || (!(c > 0) && p < q))) break;
            idx[j + 1] = q;
        }
        idx[j + 1] = p;
    }
}
