/**
 * What the DAG panel draws, derived from the canonical DAG (docs/ir.md §2) alone: one box per
 * dataflow node, one per sink (rules, settings, allocations, constraints, as `af compile --dot`
 * draws them), and the edges from inputs to users, labelled where input order matters.
 * Pure (no DOM): the layout and the SVG are in main.ts.
 */
import type { DagMessage, SourceRange, WireDag, WireDagNode } from '../../../protocol/src/webview.js';

export type NodeKind = 'param' | 'field' | 'const' | 'call' | 'op' | 'sink';

export interface ViewNode {
    /** `n<id>` for DAG nodes, `s<k>` for sinks. */
    readonly key: string;
    /** DAG node id; undefined for sinks. */
    readonly id: number | undefined;
    readonly kind: NodeKind;
    readonly label: string;
    /** Second line: type and unit. */
    readonly meta: string;
    /** Feature and signal names the node came from. */
    readonly names: readonly string[];
    /** More lines under the label (a settings group's values). */
    readonly extra?: readonly string[];
    readonly ranges: readonly SourceRange[];
    /** Everything about the node, for the tooltip and the details pane. */
    readonly detail: readonly (readonly [string, string])[];
    /** In a comparison: what happened to it (compare.ts), and the document its ranges are in. */
    readonly diff?: DiffStatus;
    readonly uri?: string;
}

export type DiffStatus = 'added' | 'removed' | 'changed';

export interface ViewEdge {
    readonly key: string;
    readonly from: string;
    readonly to: string;
    readonly label: string;
}

export interface ViewGraph {
    readonly nodes: readonly ViewNode[];
    readonly edges: readonly ViewEdge[];
}

const SYMBOL: Record<string, string> = {
    add: '+', sub: '−', mul: '×', div: '÷', lt: '<', le: '≤', eq: '=', ne: '≠', and: 'and', or: 'or', not: 'not', neg: '−x', if: 'if', index: 'x[n]',
};
/** Input roles of ops whose input order matters (commutative ops and one-input ops get none). */
const ROLES: Record<string, readonly string[]> = { if: ['if', 'then', 'else'], index: ['x', 'n'], lt: ['a', 'b'], le: ['a', 'b'], sub: ['a', 'b'], div: ['a', 'b'] };

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function num(v: unknown): string {
    return typeof v === 'number' ? String(Number(v.toPrecision(6))) : str(v);
}

/** A node's label; `name`: the param's name in the source (the DAG erases it; the server sends it). */
export function nodeLabel(n: WireDagNode, dag: WireDag, name?: string): string {
    const a = n.attrs;
    switch (n.op) {
        case 'const': return 'value' in a ? (typeof a['value'] === 'string' && /duration/.test(n.type) ? str(a['value']) : num(a['value'])) : 'const';
        case 'param': {
            const range = a['low'] !== undefined && a['low'] !== null ? ` in ${num(a['low'])}..${num(a['high'])}` : '';
            return `${name ?? `param #${str(a['slot'])}`}${'default' in a ? ` = ${num(a['default'])}${range}` : ''}`;
        }
        case 'field': {
            const i = a['asset'];
            const asset = typeof i === 'number' ? `${dag.universe.assets?.[i] ?? `asset ${i}`}.` : typeof i === 'string' ? `${i}.` : '';
            return `${asset}${str(a['name'])}`;
        }
        case 'call': return `${str(a['fn'])}()${a['output'] ? `.${str(a['output'])}` : ''}`;
        case 'enum': return str(a['value']);
        default: return SYMBOL[n.op] ?? n.op;
    }
}

function kindOf(op: string): NodeKind {
    if (op === 'param' || op === 'field' || op === 'call') return op;
    if (op === 'const' || op === 'enum') return 'const';
    return 'op';
}

function metaOf(n: WireDagNode): string {
    return / (num|int)$/.test(n.type) && n.unit !== '1' ? `${n.type} · ${n.unit}` : n.type;
}

/**
 * `group` (default true): each settings section (risk, execution, portfolio) is one box listing
 * its settings, constants folded in as `key = value`, so settings do not fill the graph; a
 * comparison keeps one box per setting (its diff marks them one by one).
 */
export function viewGraph(m: Pick<DagMessage, 'dag' | 'sourceMap' | 'names'>, o: { group?: boolean } = {}): ViewGraph {
    const { dag } = m;
    const group = o.group ?? true;
    const namesOf = (id: number): readonly string[] => m.names?.[String(id)] ?? [];
    const labelOf = (n: WireDagNode): string => nodeLabel(n, dag, n.op === 'param' ? namesOf(n.id)[0] : undefined);
    // An input as a reader names it: its feature/signal/param name, else its label, with its id.
    const inputText = (i: number): string => {
        const x = dag.nodes[i];
        return `${namesOf(i)[0] ?? (x ? labelOf(x) : '?')} (#${i})`;
    };
    const nodes: ViewNode[] = dag.nodes.map(n => ({
        key: `n${n.id}`,
        id: n.id,
        kind: kindOf(n.op),
        label: labelOf(n),
        meta: metaOf(n),
        // A param's name is its label already.
        names: n.op === 'param' ? namesOf(n.id).slice(1) : namesOf(n.id),
        ranges: m.sourceMap[String(n.id)] ?? [],
        detail: [
            ['node', `#${n.id}`], ['op', n.op], ['type', n.type], ['unit', n.unit],
            ...Object.entries(n.attrs).map(([k, v]): [string, string] => [k, str(v)]),
            ['inputs', n.inputs.map(inputText).join(', ') || '—'],
        ],
    }));
    const edges: ViewEdge[] = [];
    for (const n of dag.nodes) {
        const roles = ROLES[n.op] ?? (n.op === 'call' && n.inputs.length > 1 ? n.inputs.map((_, i) => String(i + 1)) : undefined);
        n.inputs.forEach((x, i) => edges.push({ key: `e${edges.length}`, from: `n${x}`, to: `n${n.id}`, label: roles?.[i] ?? '' }));
    }

    let sinks = 0;
    const sink = (label: string, detail: string, inputs: readonly (readonly [number | null, string])[]): void => {
        const key = `s${sinks++}`;
        nodes.push({ key, id: undefined, kind: 'sink', label, meta: detail, names: [], ranges: [], detail: [['sink', label]] });
        for (const [from, l] of inputs) if (from !== null && from < dag.nodes.length) edges.push({ key: `e${edges.length}`, from: `n${from}`, to: key, label: l });
    };
    const assetName = (i: number | null): string => (i === null ? 'each asset' : dag.universe.assets?.[i] ?? `asset ${i}`);
    dag.rules.forEach((r, i) => {
        const ins: [number | null, string][] = [[r.condition, 'when']];
        const what: string[] = [];
        for (const a of r.actions) {
            if (a.kind === 'target') {
                for (const t of a.targets) ins.push([t.size, `target ${assetName(t.asset)}${t.quantity ? ' (units)' : ''}`]);
                what.push('target');
            } else if (a.kind === 'flat') {
                what.push(`flat ${a.assets.length ? a.assets.map(assetName).join(', ') : 'all'}`);
            } else {
                ins.push([a.size, `${a.side} size${a.quantity ? ' (units)' : ''}`], [a.price, 'price'], [a.expire, 'expire']);
                what.push(`${a.side} ${a.type}${a.asset !== null ? ` ${assetName(a.asset)}` : ''}`);
            }
        }
        sink(`rule ${i + 1}`, what.join(', '), ins);
    });
    // Uses of each node outside the settings: a constant used only by settings folds into their box.
    const used = new Set<number>();
    for (const n of dag.nodes) for (const i of n.inputs) used.add(i);
    for (const e of edges) if (e.to.startsWith('s')) used.add(Number(e.from.slice(1)));
    for (const a of dag.portfolio?.allocations ?? []) used.add(a.selection).add(a.weighting);
    for (const c of dag.constraints) used.add(c);
    const folded = new Set<number>();
    const settings = (section: string, s: WireDag['risk']): void => {
        const entries = Object.entries(s);
        if (!group) {
            for (const [k, v] of entries) sink(`${section} ${k}`, v.quantity ? 'units' : 'setting', [[v.value, 'value'], [v.action, '⇒']]);
            return;
        }
        if (!entries.length) return;
        const lines: string[] = [], ins: [number | null, string][] = [];
        const foldable = (id: number | null): id is number => id !== null && !used.has(id) && (dag.nodes[id]?.op === 'const' || dag.nodes[id]?.op === 'enum');
        for (const [k, v] of entries) {
            const unit = v.quantity ? ' units' : '';
            if (foldable(v.value)) { folded.add(v.value); lines.push(`${k} = ${labelOf(dag.nodes[v.value]!)}${unit}`); } else { lines.push(`${k} ← ${v.value !== null ? inputText(v.value) : '?'}${unit}`); ins.push([v.value, k]); }
            if (v.action !== null) {
                if (foldable(v.action)) { folded.add(v.action); lines.push(`  then ${labelOf(dag.nodes[v.action]!)}`); } else ins.push([v.action, `${k} ⇒`]);
            }
        }
        const key = `s${sinks++}`;
        // The box reveals its settings' source (the server maps each setting's text to its value node).
        const ranges = entries.flatMap(([, v]) => (foldable(v.value) ? m.sourceMap[String(v.value)] ?? [] : []));
        nodes.push({ key, id: undefined, kind: 'sink', label: section, meta: `${entries.length} setting${entries.length === 1 ? '' : 's'}`, names: [], extra: lines, ranges, detail: [['sink', section], ...entries.map(([k]): [string, string] => [k, lines.find(l => l.startsWith(`${k} `)) ?? ''])] });
        for (const [from, l] of ins) if (from !== null && from < dag.nodes.length) edges.push({ key: `e${edges.length}`, from: `n${from}`, to: key, label: l });
    };
    settings('risk', dag.risk);
    settings('execution', dag.execution);
    if (dag.portfolio) {
        settings('portfolio', dag.portfolio.settings);
        for (const a of dag.portfolio.allocations) sink(`${a.side} allocation`, 'portfolio', [[a.selection, 'select'], [a.weighting, 'weight']]);
    }
    for (const c of dag.constraints) sink('constraint', 'on params', [[c, '']]);
    // Settings' constants are drawn inside their box, not as nodes of their own.
    return { nodes: nodes.filter(n => n.id === undefined || !folded.has(n.id)), edges };
}
