/**
 * "Did you mean …?": the one edit distance of the repository and the nearest-name suggestion
 * built on it. The DSL's diagnostics and quick fixes, the gateway's unknown-method error and the
 * data layer's unknown-symbol error all measure with `editDistance`, so a near miss is near
 * everywhere. The distance is Levenshtein's (insertions, deletions, substitutions; UTF-16 code
 * units) from the fastest-levenshtein package.
 */
import { distance } from 'fastest-levenshtein';

/** Levenshtein distance between two strings (case-sensitive). */
export function editDistance(a: string, b: string): number {
    return distance(a, b);
}

/**
 * The candidate nearest to `name` ignoring case (the first of equals), if it is near enough to
 * be a typo: at most a third of the name's length in edits (at least one).
 */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
    let best: string | undefined, bestD = Infinity;
    const lower = name.toLowerCase();
    for (const c of candidates) {
        const d = editDistance(lower, c.toLowerCase());
        if (d < bestD) { best = c; bestD = d; }
    }
    return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}
