/**
 * Where the strategies of a .af text are, without the language server: a small scanner that
 * skips comments and strings and tracks braces, so the code lenses appear at once (before the
 * server has parsed the file) and stay put while the file has syntax errors elsewhere.
 */

export interface StrategyLocation {
    readonly name: string;
    /** 0-based line and character of the `strategy` keyword. */
    readonly line: number;
    readonly character: number;
    /** 0-based line of the closing brace (the last line when it is missing). */
    readonly endLine: number;
}

const ID_START = /[_a-zA-Z]/;
const ID_PART = /\w/;

/** Every top-level `strategy Name {` of the text, in order. */
export function scanStrategies(text: string): StrategyLocation[] {
    const out: StrategyLocation[] = [];
    const n = text.length;
    let i = 0, line = 0, lineStart = 0, depth = 0;
    // The strategy being read: set at its `{` (depth 1), closed at the matching `}`.
    let open: { name: string; line: number; character: number } | undefined;
    // A `strategy Name` seen at depth 0, waiting for its `{`.
    let header: { name: string; line: number; character: number } | undefined;

    const newline = (at: number): void => { line++; lineStart = at + 1; };
    while (i < n) {
        const c = text[i]!;
        if (c === '\n') { newline(i); i++; continue; }
        if (c === '/' && text[i + 1] === '/') {
            while (i < n && text[i] !== '\n') i++;
            continue;
        }
        if (c === '/' && text[i + 1] === '*') {
            i += 2;
            while (i < n && !(text[i] === '*' && text[i + 1] === '/')) { if (text[i] === '\n') newline(i); i++; }
            i += 2;
            continue;
        }
        if (c === '"') {
            i++;
            while (i < n && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
            i++;
            continue;
        }
        if (c === '{') {
            depth++;
            if (depth === 1 && header) { open = header; header = undefined; }
            i++;
            continue;
        }
        if (c === '}') {
            if (depth > 0) depth--;
            if (depth === 0 && open) { out.push({ ...open, endLine: line }); open = undefined; }
            i++;
            continue;
        }
        if (ID_START.test(c) && (i === 0 || !ID_PART.test(text[i - 1]!))) {
            let j = i + 1;
            while (j < n && ID_PART.test(text[j]!)) j++;
            const word = text.slice(i, j);
            if (word === 'strategy' && depth === 0) {
                // The name follows after blanks (comments between are rare enough to ignore).
                let k = j;
                while (k < n && (text[k] === ' ' || text[k] === '\t' || text[k] === '\r' || text[k] === '\n')) k++;
                if (k < n && ID_START.test(text[k]!)) {
                    let e = k + 1;
                    while (e < n && ID_PART.test(text[e]!)) e++;
                    if (open) out.push({ ...open, endLine: line });
                    if (header) out.push({ ...header, endLine: line });
                    header = { name: text.slice(k, e), line, character: i - lineStart };
                    open = undefined;
                }
            } else if (depth === 0 && header && word !== header.name) {
                // `strategy A` not followed by `{`: keep it anyway, ending here.
                out.push({ ...header, endLine: line });
                header = undefined;
            }
            i = j;
            continue;
        }
        i++;
    }
    if (open) out.push({ ...open, endLine: line });
    if (header) out.push({ ...header, endLine: line });
    return out.sort((a, b) => a.line - b.line || a.character - b.character);
}

/** The strategy a cursor on `line` means: the one containing it, else the nearest one above, else the first. */
export function strategyAt(strategies: readonly StrategyLocation[], line: number): StrategyLocation | undefined {
    const inside = strategies.find(s => s.line <= line && line <= s.endLine);
    if (inside) return inside;
    const above = strategies.filter(s => s.line <= line).at(-1);
    return above ?? strategies[0];
}

// ------------------------------------------------------------------------------ code lenses

/** The lens row above each strategy: command id and title, in order. */
export const LENSES: readonly { readonly command: string; readonly title: string; readonly tooltip: string }[] = [
    { command: 'alphaforge.backtest', title: '▶ Backtest', tooltip: 'Backtest this strategy on the daemon (Ctrl+Alt+B)' },
    { command: 'alphaforge.sweep', title: 'Sweep', tooltip: 'Search the parameter space (grid or random)' },
    { command: 'alphaforge.walkforward', title: 'Walk-forward', tooltip: 'Optimise in sample, test out of sample, window by window' },
    { command: 'alphaforge.showDag', title: 'Show DAG', tooltip: 'Show the strategy\'s canonical dataflow graph' },
    { command: 'alphaforge.findSimilar', title: 'Find similar', tooltip: 'Stored runs and workspace strategies with a similar structure' },
    { command: 'alphaforge.paperTrade', title: 'Paper trade', tooltip: 'Paper trade this strategy on the daemon: stored bars replayed (the bundled sample for sp:SPX), a live monitor with the kill switch' },
];

/** The lenses' ranges and arguments for a text (pure: what the tests check). */
export function lensPlacements(text: string): { strategy: StrategyLocation; commands: { command: string; title: string; tooltip: string }[] }[] {
    return scanStrategies(text).map(strategy => ({ strategy, commands: [...LENSES] }));
}
