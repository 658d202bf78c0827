/** The ordering every scope shares: identical first, then same structure, then nearest; ties by name. */
import type { SimilarMatch } from '../../../protocol/src/daemon/index.js';

export type MatchKind = SimilarMatch['match'];

const RANK: Record<MatchKind, number> = { identical: 0, structure: 1, similar: 2 };

export function matchKind(query: { exact: string; structural: string }, structural: string, exact: Iterable<string>): MatchKind {
    if (structural !== query.structural) return 'similar';
    for (const e of exact) if (e === query.exact) return 'identical';
    return 'structure';
}

/** Cosine similarity rounded to 6 places: the same number whichever process computed it. */
export const roundSimilarity = (distance: number): number => Math.max(-1, Math.min(1, Math.round((1 - distance) * 1e6) / 1e6));

function tieKey(m: SimilarMatch): string {
    return m.file ? `${m.file.path}#${m.strategy ?? ''}` : `${m.runs?.latestRunIds[0] ?? ''}#${m.fingerprints.structural}`;
}

export function sortMatches(matches: SimilarMatch[]): SimilarMatch[] {
    return matches.sort((a, b) => RANK[a.match] - RANK[b.match] || b.similarity - a.similarity || a.scope.localeCompare(b.scope) || tieKey(a).localeCompare(tieKey(b)));
}
