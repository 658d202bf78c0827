/**
 * What the DAG panel draws when it compares two versions (a `dagDiff` message): each version's
 * graph with its nodes marked added / removed / changed from the diff the language library
 * computed (language/src/ir/dag-diff.ts: the panel never matches nodes itself), either side by
 * side (keys prefixed `a:` and `b:` so both fit in one panel) or overlaid — the newer graph plus
 * the older one's removed nodes, wired to the nodes they were matched with. Pure (no DOM).
 */
import type { DagDiffMessage, DagVersion } from '../../../protocol/src/webview.js';
import { viewGraph, type DiffStatus, type ViewEdge, type ViewGraph, type ViewNode } from './model.js';

/** A sink's key in the diff (`risk.stop_loss`, `rule 2`) as the graph labels it (`risk stop_loss`, `rule 2`). */
const sinkLabel = (sink: string): string => sink.replace(/^(risk|execution|portfolio)\./, '$1 ');

function statuses(m: DagDiffMessage, side: 'from' | 'to'): { nodes: Map<number, { status: DiffStatus; changes: readonly string[] }>; sinks: Map<string, DiffStatus> } {
    const nodes = new Map<number, { status: DiffStatus; changes: readonly string[] }>();
    for (const n of side === 'from' ? m.diff.removed : m.diff.added) nodes.set(n.id, { status: side === 'from' ? 'removed' : 'added', changes: [] });
    for (const c of m.diff.changed) nodes.set(side === 'from' ? c.from : c.to, { status: 'changed', changes: c.changes });
    const sinks = new Map<string, DiffStatus>();
    for (const s of m.diff.sinks) {
        // A renumbered rule is `rule 2 → rule 3`: each side has its own number.
        const [a, b] = s.sink.split(' → ');
        const name = side === 'from' ? a! : b ?? a!;
        if (s.change === 'changed' || (s.change === 'removed') === (side === 'from')) sinks.set(sinkLabel(name), s.change);
    }
    return { nodes, sinks };
}

/** One version's graph with its diff marks; `prefix` keeps keys apart from the other version's. */
export function markedGraph(m: DagDiffMessage, side: 'from' | 'to', prefix = ''): ViewGraph {
    const v: DagVersion = m[side];
    const g = viewGraph(v, { group: false });
    const st = statuses(m, side);
    const nodes = g.nodes.map((n): ViewNode => {
        const s = n.id !== undefined ? st.nodes.get(n.id) : undefined;
        const sinkStatus = n.kind === 'sink' ? st.sinks.get(n.label) : undefined;
        const diff = s?.status ?? sinkStatus;
        return {
            ...n, key: `${prefix}${n.key}`, uri: v.uri,
            ...(diff ? { diff } : {}),
            ...(s?.changes.length ? { detail: [...n.detail, ['changes', s.changes.join('; ')] as const] } : {}),
        };
    });
    const edges = g.edges.map((e): ViewEdge => ({ ...e, key: `${prefix}${e.key}`, from: `${prefix}${e.from}`, to: `${prefix}${e.to}` }));
    return { nodes, edges };
}

/** Both versions as two graphs, keys `a:` (from) and `b:` (to). */
export function sideBySide(m: DagDiffMessage): { from: ViewGraph; to: ViewGraph } {
    return { from: markedGraph(m, 'from', 'a:'), to: markedGraph(m, 'to', 'b:') };
}

/**
 * One graph: `to` with its marks, plus `from`'s removed nodes (keys `x<id>`) and the edges that
 * reach them, an input that survived drawn from its matched node in `to`.
 */
export function overlay(m: DagDiffMessage): ViewGraph {
    const to = markedGraph(m, 'to');
    const from = markedGraph(m, 'from');
    const matched = new Map(m.diff.matched.map(([a, b]) => [a, b]));
    const removed = new Set(m.diff.removed.map(n => n.id));
    const keyOf = (fromKey: string): string | undefined => {
        const id = Number(fromKey.slice(1));
        if (!fromKey.startsWith('n')) return undefined; // a sink of the older version: not drawn twice
        if (removed.has(id)) return `x${id}`;
        const b = matched.get(id);
        return b === undefined ? undefined : `n${b}`;
    };
    const nodes = [...to.nodes, ...from.nodes.filter(n => n.id !== undefined && removed.has(n.id)).map(n => ({ ...n, key: `x${n.id}` }))];
    const edges = [...to.edges];
    for (const e of from.edges) {
        const [f, t] = [keyOf(e.from), keyOf(e.to)];
        if (!f || !t || (!f.startsWith('x') && !t.startsWith('x'))) continue;
        edges.push({ ...e, key: `x${e.key}`, from: f, to: t });
    }
    // Removed nodes that fed a rule or setting of the older version: an edge to the same sink of the newer one.
    const sinkKey = new Map(to.nodes.filter(n => n.kind === 'sink').map(n => [n.label, n.key]));
    const fromSink = new Map(from.nodes.filter(n => n.kind === 'sink').map(n => [n.key, n.label]));
    for (const e of from.edges) {
        const f = keyOf(e.from), label = fromSink.get(e.to);
        const t = label !== undefined ? sinkKey.get(label) : undefined;
        if (f?.startsWith('x') && t) edges.push({ ...e, key: `xs${e.key}`, from: f, to: t });
    }
    return { nodes, edges };
}
