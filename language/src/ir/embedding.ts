/**
 * A fixed-size vector for a strategy, so that near-identical strategies are near neighbours:
 * hashed Weisfeiler-Lehman subtree features of the structural canonical DAG.
 *
 * The graph is the DAG plus one node per sink (rule, action, setting, allocation, constraint)
 * so that what a subgraph is used for counts too. Each node starts with a label made of its op,
 * its function/field/enum name and its type (never a value or a name); each iteration relabels a
 * node with its label and its inputs' labels (sorted for commutative inputs). Every label of
 * every iteration is a feature, except that a node stops contributing once the iteration passes
 * the height of its subtree (a leaf's label would otherwise repeat identically at each iteration
 * and make every strategy look alike), and iteration 0 (single labels) counts half. Features are
 * hashed into `dims` buckets with a hash-derived sign (signed feature hashing keeps collisions
 * unbiased), then the vector is L2-normalised, so the dot product of two embeddings is their
 * cosine similarity. Settings every strategy has (defaulted ones) set to a constant are left out
 * for the same reason as leaves. Measured on the test corpus: small edits of a 20-declaration
 * strategy ≥ 0.89, different kinds of strategy ≤ 0.45.
 */
import { createHash } from 'node:crypto';
import { Catalogue } from '../catalogue/catalogue.js';
import { SETTINGS, type Section } from '../analysis/settings.js';
import type { CanonicalDag, DagSetting } from './dag.js';

export const EMBEDDING_VERSION = 1;

export interface EmbeddingOptions {
    /** Vector length (default 256). */
    readonly dims?: number;
    /** Weisfeiler-Lehman iterations (default 3): subtrees up to this depth become features. */
    readonly iterations?: number;
    /** Which functions are commutative (default: the core pack). */
    readonly catalogue?: Catalogue;
}

interface WlNode {
    readonly label: string;
    readonly inputs: readonly number[];
    readonly commutative: boolean;
}

const COMMUTATIVE = new Set(['add', 'mul', 'and', 'or', 'eq', 'ne']);
let coreCatalogue: Catalogue | undefined;

function h(s: string): Buffer {
    return createHash('sha256').update(s).digest();
}

/** The embedding of a canonical DAG (use the structural one: values should not move a strategy). */
export function embedDag(dag: CanonicalDag, options: EmbeddingOptions = {}): number[] {
    const dims = options.dims ?? 256;
    const iterations = options.iterations ?? 3;
    if (!Number.isInteger(dims) || dims < 1) throw new Error(`embedding dims must be a positive integer, not ${dims}`);
    const graph = wlGraph(dag, options.catalogue ?? (coreCatalogue ??= new Catalogue()));
    // Height of each node's subtree: past it, further iterations only repeat the same subtree.
    const heights: number[] = [];
    graph.forEach((n, i) => { heights[i] = n.inputs.length ? Math.max(...n.inputs.map(x => heights[x]!)) + 1 : 0; });
    const vec = new Array<number>(dims).fill(0);
    let labels = graph.map(n => n.label);
    for (let it = 0; it <= iterations; it++) {
        // Single labels (close, sma, a constant) are shared by most strategies: half weight.
        const weight = it === 0 ? 0.5 : 1;
        labels.forEach((l, i) => {
            if (heights[i]! < it) return;
            const d = h(`${it}|${l}`);
            vec[d.readUInt32BE(0) % dims]! += d[4]! & 1 ? weight : -weight;
        });
        if (it === iterations) break;
        labels = graph.map((n, i) => {
            const ins = n.inputs.map(x => labels[x]!);
            if (n.commutative) ins.sort();
            return h(`${labels[i]}(${ins.join(',')})`).toString('base64').slice(0, 16);
        });
    }
    const norm = Math.hypot(...vec);
    return norm === 0 ? vec : vec.map(x => x / norm);
}

/** Cosine similarity (the dot product for L2-normalised vectors; computed in full so any vectors work). */
export function cosine(a: readonly number[], b: readonly number[]): number {
    if (a.length !== b.length) throw new Error(`cannot compare embeddings of ${a.length} and ${b.length} dims`);
    let dot = 0, na = 0, nb = 0;
    for (let i = 0; i < a.length; i++) { dot += a[i]! * b[i]!; na += a[i]! * a[i]!; nb += b[i]! * b[i]!; }
    return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The k most similar items to `query`, best first (exact search; the experiment store indexes at scale). */
export function nearest<T>(query: readonly number[], items: readonly { readonly item: T; readonly vector: readonly number[] }[], k = 1): { item: T; similarity: number }[] {
    return items
        .map(x => ({ item: x.item, similarity: cosine(query, x.vector) }))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, k);
}

function wlGraph(dag: CanonicalDag, catalogue: Catalogue): WlNode[] {
    const out: WlNode[] = dag.nodes.map(n => {
        const name = n.attrs['fn'] ?? n.attrs['name'] ?? (n.op === 'enum' ? n.attrs['value'] : undefined) ?? '';
        const output = n.attrs['output'] ? `.${String(n.attrs['output'])}` : '';
        return { label: `${n.op}:${String(name)}${output}:${n.type}`, inputs: n.inputs, commutative: COMMUTATIVE.has(n.op) || (n.op === 'call' && !!catalogue.fn(String(n.attrs['fn']))?.entry.commutative) };
    });
    const sink = (label: string, inputs: readonly (number | null)[], commutative = false): number => {
        out.push({ label, inputs: inputs.filter((x): x is number => x !== null), commutative });
        return out.length - 1;
    };
    for (const r of dag.rules) {
        const actions = r.actions.map(a => {
            if (a.kind === 'target') return sink(`target:${a.targets.length > 1 ? 'multi' : 'one'}`, a.targets.map(t => t.size), true);
            if (a.kind === 'flat') return sink(`flat:${a.assets.length === 0 ? 'all' : 'some'}`, []);
            return sink(`order:${a.side}:${a.type}`, [a.size, a.price, a.expire]);
        });
        sink('rule', [r.condition, ...actions]);
    }
    const settings = (section: Section, s: Readonly<Record<string, DagSetting>>): void => {
        for (const [k, v] of Object.entries(s)) {
            // Settings every strategy has (they have defaults) set to a constant say nothing about its
            // structure, and would make all strategies look alike.
            const leaf = dag.nodes[v.value]?.inputs.length === 0;
            if (leaf && SETTINGS[section][k]?.default !== undefined) continue;
            sink(`${section}.${k}`, [v.value, v.action]);
        }
    };
    settings('risk', dag.risk);
    settings('execution', dag.execution);
    if (dag.portfolio) {
        settings('portfolio', dag.portfolio.settings);
        for (const a of dag.portfolio.allocations) sink(`allocation:${a.side}`, [a.selection, a.weighting]);
    }
    for (const c of dag.constraints) sink('constraint', [c]);
    return out;
}
