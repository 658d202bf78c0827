/**
 * "How does this strategy differ from that one?" in words, cheaply: a strategy's *signature* is
 * the multiset of its building blocks (functions, fields, operators, rules, orders, settings)
 * read off the structural canonical DAG, and two signatures differ by what one has more of.
 * Values and names never appear (they are not structure); wiring is not compared (that would
 * need graph matching), so "same building blocks, wired differently" is as precise as it gets.
 */
import type { CanonicalDag, DagNode } from './dag.js';

/** Building block → how many times it occurs. */
export type DagSignature = Readonly<Record<string, number>>;

const OPERATOR_WORDS: Readonly<Record<string, string>> = {
    add: '+', sub: '−', mul: '×', div: '÷', lt: '<', le: '≤', eq: '==', ne: '!=', and: 'and', or: 'or',
    neg: 'negation', not: 'not', if: 'if', index: 'lag [n]',
};

function nodeWord(n: DagNode): string | undefined {
    switch (n.op) {
        case 'const': case 'param': case 'enum': return undefined; // values, not structure
        case 'field': return String(n.attrs['name'] ?? 'field');
        case 'call': return `${String(n.attrs['fn'])}${n.attrs['output'] ? `.${String(n.attrs['output'])}` : ''}`;
        default: return OPERATOR_WORDS[n.op] ?? n.op;
    }
}

/** The building blocks of a (structural) canonical DAG. */
export function dagSignature(dag: CanonicalDag): DagSignature {
    const out: Record<string, number> = {};
    const count = (w: string | undefined): void => { if (w) out[w] = (out[w] ?? 0) + 1; };
    for (const n of dag.nodes) count(nodeWord(n));
    for (const r of dag.rules) {
        count('rule');
        for (const a of r.actions) count(a.kind === 'target' ? 'target' : a.kind === 'flat' ? 'flat' : `${a.side} ${a.type} order`);
    }
    const settings = (section: string, s: Readonly<Record<string, unknown>>): void => { for (const k of Object.keys(s)) count(`${section}.${k}`); };
    settings('risk', dag.risk);
    settings('execution', dag.execution);
    if (dag.portfolio) {
        settings('portfolio', dag.portfolio.settings);
        for (const a of dag.portfolio.allocations) count(`${a.side} allocation`);
    }
    for (let i = 0; i < dag.constraints.length; i++) count('constraint');
    return out;
}

export interface DifferenceContext {
    /** Same exact fingerprint (same structure and values). */
    readonly sameExact?: boolean;
    /** Same structural fingerprint (same structure, values may differ). */
    readonly sameStructure?: boolean;
}

const total = (s: DagSignature): number => Object.values(s).reduce((a, b) => a + b, 0);
const times = (w: string, n: number): string => (n === 1 ? w : `${n}× ${w}`);
const list = (xs: readonly [string, number][]): string => {
    const shown = xs.slice(0, 4).map(([w, n]) => times(w, n));
    return xs.length > 4 ? `${shown.join(', ')} and ${xs.length - 4} more` : shown.join(', ');
};

/**
 * How `other` differs from `query`, e.g. "same DAG except sma→ema in one place", "adds rsi, <;
 * drops atr", "different structure (3 of 21 building blocks shared)". Left of an arrow is the
 * query's, right is the other's.
 */
export function describeDifference(query: DagSignature, other: DagSignature, ctx: DifferenceContext = {}): string {
    if (ctx.sameExact) return 'identical structure and values';
    if (ctx.sameStructure) return 'same structure, different parameter values';
    const words = [...new Set([...Object.keys(query), ...Object.keys(other)])].sort();
    const dropped: [string, number][] = [];
    const added: [string, number][] = [];
    let shared = 0;
    for (const w of words) {
        const q = query[w] ?? 0, o = other[w] ?? 0;
        shared += Math.min(q, o);
        if (q > o) dropped.push([w, q - o]);
        if (o > q) added.push([w, o - q]);
    }
    const byCount = (a: [string, number], b: [string, number]): number => b[1] - a[1] || a[0].localeCompare(b[0]);
    dropped.sort(byCount);
    added.sort(byCount);
    const changed = dropped.reduce((a, x) => a + x[1], 0) + added.reduce((a, x) => a + x[1], 0);
    const size = Math.max(total(query), total(other));
    if (changed === 0) return 'same building blocks, wired differently';
    if (dropped.length === 1 && added.length === 1 && dropped[0]![1] === added[0]![1]) {
        const n = dropped[0]![1];
        return `same DAG except ${dropped[0]![0]}→${added[0]![0]} ${n === 1 ? 'in one place' : `in ${n} places`}`;
    }
    if (changed > Math.max(6, 0.6 * size)) return `different structure (${shared} of ${size} building blocks shared)`;
    const parts: string[] = [];
    if (added.length) parts.push(`adds ${list(added)}`);
    if (dropped.length) parts.push(`drops ${list(dropped)}`);
    return parts.join('; ');
}
