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

export function nodeLabel(n: WireDagNode, dag: WireDag): string {
    const a = n.attrs;
    switch (n.op) {
        case 'const': return 'value' in a ? (typeof a['value'] === 'string' && /duration/.test(n.type) ? str(a['value']) : num(a['value'])) : 'const';
        case 'param': {
            const range = a['low'] !== undefined && a['low'] !== null ? ` in ${num(a['low'])}..${num(a['high'])}` : '';
            return `param #${str(a['slot'])}${'default' in a ? ` = ${num(a['default'])}${range}` : ''}`;
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

export function viewGraph(m: Pick<DagMessage, 'dag' | 'sourceMap' | 'names'>): ViewGraph {
    const { dag } = m;
    const nodes: ViewNode[] = dag.nodes.map(n => ({
        key: `n${n.id}`,
        id: n.id,
        kind: kindOf(n.op),
        label: nodeLabel(n, dag),
        meta: metaOf(n),
        names: m.names?.[String(n.id)] ?? [],
        ranges: m.sourceMap[String(n.id)] ?? [],
        detail: [
            ['node', `#${n.id}`], ['op', n.op], ['type', n.type], ['unit', n.unit],
            ...Object.entries(n.attrs).map(([k, v]): [string, string] => [k, str(v)]),
            ['inputs', n.inputs.map(i => `#${i}`).join(', ') || '—'],
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
    const settings = (section: string, s: WireDag['risk']): void => {
        for (const [k, v] of Object.entries(s)) sink(`${section} ${k}`, v.quantity ? 'units' : 'setting', [[v.value, 'value'], [v.action, '⇒']]);
    };
    settings('risk', dag.risk);
    settings('execution', dag.execution);
    if (dag.portfolio) {
        settings('portfolio', dag.portfolio.settings);
        for (const a of dag.portfolio.allocations) sink(`${a.side} allocation`, 'portfolio', [[a.selection, 'select'], [a.weighting, 'weight']]);
    }
    for (const c of dag.constraints) sink('constraint', 'on params', [[c, '']]);
    return { nodes, edges };
}
