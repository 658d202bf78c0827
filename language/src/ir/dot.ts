/**
 * Graphviz dot of a canonical DAG (`af compile --dot`): dataflow nodes as ellipses, sinks
 * (rules, settings, allocations, constraints) as boxes, edges from inputs to their users.
 * The DAG has no names; callers may pass the IR's feature/signal names to annotate nodes.
 */
import type { CanonicalDag, DagNode, DagSetting } from './dag.js';
import type { NodeId } from '../../../protocol/src/ir.js';

export interface DotOptions {
    /** Human names per DAG node (e.g. from the IR's features and signals). */
    readonly names?: ReadonlyMap<NodeId, readonly string[]>;
    readonly title?: string;
}

const SYMBOL: Record<string, string> = {
    add: '+', sub: '−', mul: '×', div: '÷', lt: '<', le: '≤', eq: '=', ne: '≠', and: 'and', or: 'or', not: 'not', neg: '−x', if: 'if', index: 'x[n]',
};
const ORDERED_LABELS: Record<string, readonly string[]> = { if: ['if', 'then', 'else'], index: ['x', 'n'], lt: ['a', 'b'], le: ['a', 'b'], sub: ['a', 'b'], div: ['a', 'b'] };

/** A dot string literal: quotes, backslashes and newlines escaped (`\n` is dot's line break). */
function q(s: string): string {
    return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

function nodeText(n: DagNode, dag: CanonicalDag): string {
    const a = n.attrs;
    switch (n.op) {
        case 'const': return 'value' in a ? String(a['value']) : 'const';
        case 'param': {
            const range = a['low'] !== undefined && a['low'] !== null ? ` in ${String(a['low'])}..${String(a['high'])}` : '';
            return `param #${String(a['slot'])}${'default' in a ? ` = ${String(a['default'])}${range}` : ''}`;
        }
        case 'field': {
            const i = a['asset'];
            const asset = typeof i === 'number' ? `${dag.universe.assets?.[i] ?? `asset ${i}`}.` : typeof i === 'string' ? `${i}.` : '';
            return `${asset}${String(a['name'])}`;
        }
        case 'call': return `${String(a['fn'])}()${a['output'] ? `.${String(a['output'])}` : ''}`;
        case 'enum': return String(a['value']);
        default: return SYMBOL[n.op] ?? n.op;
    }
}

export function dagToDot(dag: CanonicalDag, options: DotOptions = {}): string {
    const lines: string[] = [
        `digraph ${q(options.title ?? 'strategy')} {`,
        '  rankdir=LR;',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8];',
    ];
    for (const n of dag.nodes) {
        const names = options.names?.get(n.id);
        const unit = / (num|int)$/.test(n.type) ? ` · ${n.unit}` : '';
        const label = `${nodeText(n, dag)}\n${n.type}${unit}${names?.length ? `\n«${names.join(', ')}»` : ''}`;
        const shape = n.op === 'const' || n.op === 'enum' ? 'plaintext' : n.op === 'param' ? 'diamond' : n.op === 'field' ? 'invhouse' : 'ellipse';
        lines.push(`  n${n.id} [label=${q(label)}, shape=${shape}];`);
        const names2 = ORDERED_LABELS[n.op] ?? (n.op === 'call' && n.inputs.length > 1 ? n.inputs.map((_, i) => String(i + 1)) : undefined);
        n.inputs.forEach((x, i) => lines.push(`  n${x} -> n${n.id}${names2 ? ` [label=${q(names2[i] ?? String(i))}]` : ''};`));
    }
    let sinks = 0;
    const sink = (label: string, edges: readonly [NodeId | null, string][]): void => {
        const id = `s${sinks++}`;
        lines.push(`  ${id} [label=${q(label)}, shape=box, style=filled, fillcolor="#eeeeee"];`);
        for (const [from, l] of edges) if (from !== null) lines.push(`  n${from} -> ${id} [label=${q(l)}];`);
    };
    const assetName = (i: number | null): string => (i === null ? 'each asset' : dag.universe.assets?.[i] ?? `asset ${i}`);
    dag.rules.forEach((r, i) => {
        const edges: [NodeId | null, string][] = [[r.condition, 'when']];
        const what: string[] = [];
        for (const a of r.actions) {
            if (a.kind === 'target') {
                for (const t of a.targets) edges.push([t.size, `target ${assetName(t.asset)}${t.quantity ? ' (units)' : ''}`]);
                what.push('target');
            } else if (a.kind === 'flat') {
                what.push(`flat ${a.assets.length ? a.assets.map(assetName).join(', ') : 'all'}`);
            } else {
                edges.push([a.size, `${a.side} size${a.quantity ? ' (units)' : ''}`], [a.price, 'price'], [a.expire, 'expire']);
                what.push(`${a.side} ${a.type}${a.asset !== null ? ` ${assetName(a.asset)}` : ''}`);
            }
        }
        sink(`rule ${i + 1}: ${what.join(', ')}`, edges);
    });
    const settings = (section: string, s: Readonly<Record<string, DagSetting>>): void => {
        for (const [k, v] of Object.entries(s)) sink(`${section} ${k}${v.quantity ? ' (units)' : ''}`, [[v.value, 'value'], [v.action, '=>']]);
    };
    settings('risk', dag.risk);
    settings('execution', dag.execution);
    if (dag.portfolio) {
        settings('portfolio', dag.portfolio.settings);
        for (const a of dag.portfolio.allocations) sink(`${a.side}`, [[a.selection, 'select'], [a.weighting, 'weight']]);
    }
    for (const c of dag.constraints) sink('constraint', [[c, '']]);
    lines.push('}');
    return lines.join('\n') + '\n';
}
