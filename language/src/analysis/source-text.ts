import type { AstNode } from 'langium';

/** The source text of a node with whitespace collapsed, for messages (`sma(close, fast)`). */
export function textOf(node: AstNode | undefined, max = 60): string {
    const t = node?.$cstNode?.text.replace(/\s+/g, ' ').trim() ?? '?';
    return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
    const m = a.length, n = b.length;
    let prev = Array.from({ length: n + 1 }, (_, j) => j);
    for (let i = 1; i <= m; i++) {
        const cur = [i];
        for (let j = 1; j <= n; j++) {
            cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        prev = cur;
    }
    return prev[n]!;
}

export function suggest(name: string, candidates: Iterable<string>): string | undefined {
    let best: string | undefined, bestD = Infinity;
    for (const c of candidates) {
        const d = editDistance(name.toLowerCase(), c.toLowerCase());
        if (d < bestD) { best = c; bestD = d; }
    }
    return best !== undefined && bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}
