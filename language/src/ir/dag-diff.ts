/**
 * The structural difference of two strategies: their exact canonical DAGs matched node for node,
 * and what was added, removed and changed — nodes, declared parameters, rules, settings,
 * allocations, constraints — plus the building-block words of difference.ts. The one
 * implementation behind `af diff`, lang.diff, alphaforge/diff, the MCP tool and the DAG panel's
 * comparison, so every surface gives the same answer (protocol/src/dag-diff.ts is its shape).
 *
 * Matching, in order (each step only pairs nodes still unpaired):
 *  1. same subtree (op, type, unit, attributes and inputs, recursively): the same node;
 *  2. same subtree up to values (constants, param defaults and ranges): a value changed below
 *     (a lone constant is not paired on this: up to its value it is any constant of its type);
 *  3. top-down from the sinks (rule i ↔ rule j, a setting ↔ the same setting, an allocation ↔
 *     the one of the same side): the inputs of a matched pair at the same position are the same
 *     node if they have the same op and arity (leaves: the same op) — `sma` ↔ `ema`.
 * A matched pair is *changed* when its own content differs or an input now comes from another
 * node; a pair that differs only because something below it changed is not listed (the change is
 * reported where it happened). Pure: DAGs in, plain JSON out.
 */
import { Catalogue } from '../catalogue/catalogue.js';
import { canonicalize, stableStringify } from './dag.js';
import { dagSignature, describeDifference } from './difference.js';
import { fingerprintDag } from './fingerprint.js';
import { COMMUTATIVE_OPS, type CanonicalDag, type DagAction, type DagNode, type IrParam, type NodeId, type StrategyIr } from '../../../protocol/src/ir.js';
import { DAG_DIFF_VERSION, type ChangedNode, type DagDiff, type DiffNode, type ParamChange, type SinkChange } from '../../../protocol/src/dag-diff.js';

export type { DagDiff } from '../../../protocol/src/dag-diff.js';

let catalogue: Catalogue | undefined;

const SYMBOL: Readonly<Record<string, string>> = {
    add: '+', sub: '−', mul: '×', div: '÷', lt: '<', le: '≤', eq: '==', ne: '!=', and: 'and', or: 'or', not: 'not', neg: 'negation', if: 'if', index: 'lag [n]',
};

const num = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : v === null || v === undefined ? '' : String(v));

/** One strategy as the diff sees it: its exact DAG, and names for its nodes from the IR. */
interface Side {
    readonly ir: StrategyIr;
    readonly dag: CanonicalDag;
    /** DAG node → the param it stands for. */
    readonly paramOf: Map<NodeId, IrParam>;
    /** DAG node → feature/signal names and the sinks that read it directly. */
    readonly names: Map<NodeId, string[]>;
    readonly exact: string[];
    readonly shape: string[];
    readonly sinks: Sink[];
}

/** A rule, setting, allocation or constraint: a named consumer of DAG nodes. */
interface Sink {
    readonly key: string;
    /** What it is apart from the nodes it reads (action kinds, sides, assets, units). */
    readonly own: string;
    readonly inputs: readonly (NodeId | null)[];
    readonly describe: string;
}

function nodeLabel(n: DagNode, side: Pick<Side, 'paramOf' | 'dag'>): string {
    const a = n.attrs;
    switch (n.op) {
        case 'const': return num(a['value']);
        case 'enum': return num(a['value']);
        case 'param': {
            const p = side.paramOf.get(n.id);
            const range = a['low'] !== undefined && a['low'] !== null ? ` in ${num(a['low'])}..${num(a['high'])}` : '';
            return `param ${p ? p.name : `#${num(a['slot'])}`}${'default' in a ? ` = ${num(a['default'])}${range}` : ''}`;
        }
        case 'field': {
            const i = a['asset'];
            const asset = typeof i === 'number' ? `${side.dag.universe.assets?.[i] ?? `asset ${i}`}.` : typeof i === 'string' ? `${i}.` : '';
            return `${asset}${num(a['name'])}`;
        }
        case 'call': return `${num(a['fn'])}()${a['output'] ? `.${num(a['output'])}` : ''}`;
        default: return SYMBOL[n.op] ?? n.op;
    }
}

function commutative(n: DagNode): boolean {
    if (n.op === 'call') return !!(catalogue ??= new Catalogue()).fn(String(n.attrs['fn']))?.entry.commutative;
    return COMMUTATIVE_OPS.includes(n.op);
}

/** Merkle keys of every node (inputs before users: DAG ids are topological), interned into `table` so equal keys of both DAGs are one number. */
function merkle(dag: CanonicalDag, table: Map<string, number>, label: (n: DagNode) => string): string[] {
    const out: string[] = [];
    for (const n of dag.nodes) {
        const ins = n.inputs.map(i => out[i]!);
        if (commutative(n)) ins.sort();
        const key = `${label(n)}(${ins.join(',')})`;
        let id = table.get(key);
        if (id === undefined) table.set(key, id = table.size);
        out[n.id] = `#${id}`;
    }
    return out;
}

const exactLabel = (n: DagNode): string => stableStringify([n.op, n.type, n.unit, n.attrs]);
/** Values abstracted: a constant's value, a param's default, range and slot (a param keeps its name: the best hint of which is which). */
const shapeLabel = (paramOf: Map<NodeId, IrParam>) => (n: DagNode): string =>
    stableStringify([n.op, n.type, n.unit, n.op === 'const' ? {} : n.op === 'param' ? { name: paramOf.get(n.id)?.name ?? null } : n.attrs]);

function actionOwn(a: DagAction, dag: CanonicalDag): string {
    const asset = (i: number | null): string => (i === null ? 'each asset' : dag.universe.assets?.[i] ?? `asset ${i}`);
    if (a.kind === 'target') return `target ${a.targets.map(t => `${asset(t.asset)}${t.quantity ? ' (units)' : ''}`).join(', ')}`;
    if (a.kind === 'flat') return `flat ${a.assets.length ? a.assets.map(asset).join(', ') : 'all'}`;
    return `${a.side} ${a.type}${a.asset !== null ? ` ${asset(a.asset)}` : ''}${a.quantity ? ' (units)' : ''}`;
}

function sinksOf(dag: CanonicalDag): Sink[] {
    const out: Sink[] = [];
    dag.rules.forEach((r, i) => {
        const inputs: (NodeId | null)[] = [r.condition];
        for (const a of r.actions) {
            if (a.kind === 'target') inputs.push(...a.targets.map(t => t.size));
            else if (a.kind === 'order') inputs.push(a.size, a.price, a.expire);
        }
        const own = r.actions.map(a => actionOwn(a, dag)).join('; ');
        out.push({ key: `rule ${i + 1}`, own, inputs, describe: own });
    });
    const settings = (section: string, s: CanonicalDag['risk']): void => {
        for (const [k, v] of Object.entries(s)) out.push({ key: `${section}.${k}`, own: v.quantity ? 'units' : '', inputs: [v.value, v.action], describe: `${section}.${k}` });
    };
    settings('risk', dag.risk);
    settings('execution', dag.execution);
    if (dag.portfolio) {
        settings('portfolio', dag.portfolio.settings);
        for (const a of dag.portfolio.allocations) out.push({ key: `${a.side} allocation`, own: a.side, inputs: [a.selection, a.weighting], describe: `${a.side} allocation` });
    }
    dag.constraints.forEach(c => out.push({ key: 'constraint', own: '', inputs: [c], describe: 'constraint' }));
    return out;
}

function side(ir: StrategyIr, table: Map<string, number>, shapes: Map<string, number>): Side {
    const { dag, nodeOf } = canonicalize(ir, 'exact');
    const paramOf = new Map<NodeId, IrParam>();
    for (const p of ir.params) {
        const n = nodeOf(p.node);
        if (n !== undefined && dag.nodes[n]?.op === 'param') paramOf.set(n, p);
    }
    const names = new Map<NodeId, string[]>();
    const name = (n: NodeId | undefined | null, s: string): void => {
        if (n === undefined || n === null) return;
        const list = names.get(n) ?? [];
        if (!list.includes(s)) list.push(s);
        names.set(n, list);
    };
    for (const [k, v] of [...Object.entries(ir.features), ...Object.entries(ir.signals)]) name(nodeOf(v), k);
    const sinks = sinksOf(dag);
    for (const s of sinks) for (const i of s.inputs) name(i, s.key);
    return { ir, dag, paramOf, names, sinks, exact: merkle(dag, table, exactLabel), shape: merkle(dag, shapes, shapeLabel(paramOf)) };
}

/** Pairs of nodes (from id ↔ to id), one-to-one. */
class Matching {
    readonly ab = new Map<NodeId, NodeId>();
    readonly ba = new Map<NodeId, NodeId>();
    pair(a: NodeId, b: NodeId): boolean {
        if (this.ab.has(a) || this.ba.has(b)) return false;
        this.ab.set(a, b);
        this.ba.set(b, a);
        return true;
    }
}

/** Pairs unpaired nodes with equal keys, in id order (`skip`: nodes whose key says too little to pair them on it). */
function pairByKey(m: Matching, a: Side, b: Side, key: (s: Side) => string[], skip: (n: DagNode) => boolean = () => false): void {
    const free = new Map<string, NodeId[]>();
    const kb = key(b);
    for (const n of b.dag.nodes) if (!m.ba.has(n.id) && !skip(n)) free.set(kb[n.id]!, [...(free.get(kb[n.id]!) ?? []), n.id]);
    const ka = key(a);
    for (const n of a.dag.nodes) {
        if (m.ab.has(n.id) || skip(n)) continue;
        const list = free.get(ka[n.id]!);
        if (list?.length) m.pair(n.id, list.shift()!);
    }
}

/** Sinks of `a` paired with sinks of `b`: same key and content first, then same key in order. */
function pairSinks(m: Matching, a: Side, b: Side): [Sink | undefined, Sink | undefined][] {
    const used = new Set<number>();
    const out: [Sink | undefined, Sink | undefined][] = [];
    const content = (s: Sink, side: Side): string => `${s.key.startsWith('rule') ? 'rule' : s.key}|${s.own}|${s.inputs.map(i => (i === null ? '-' : side.exact[i])).join(',')}`;
    const taken = new Set<number>();
    // Same content anywhere (a rule moved keeps its identity), then the same key in order.
    a.sinks.forEach((s, i) => {
        const j = b.sinks.findIndex((t, k) => !used.has(k) && content(t, b) === content(s, a));
        if (j >= 0) { used.add(j); taken.add(i); out.push([s, b.sinks[j]]); }
    });
    const kind = (s: Sink): string => (s.key.startsWith('rule') ? 'rule' : s.key);
    a.sinks.forEach((s, i) => {
        if (taken.has(i)) return;
        // Rules: prefer the one whose condition is already the same node.
        let j = b.sinks.findIndex((t, k) => !used.has(k) && kind(t) === kind(s) && s.inputs[0] !== null && m.ab.get(s.inputs[0]!) === t.inputs[0]);
        if (j < 0) j = b.sinks.findIndex((t, k) => !used.has(k) && kind(t) === kind(s));
        if (j >= 0) { used.add(j); out.push([s, b.sinks[j]]); } else out.push([s, undefined]);
    });
    b.sinks.forEach((t, k) => { if (!used.has(k)) out.push([undefined, t]); });
    return out;
}

const compatible = (x: DagNode, y: DagNode): boolean => x.op === y.op && x.inputs.length === y.inputs.length;

/** Step 3: from matched pairs down, inputs at the same position. */
function pairTopDown(m: Matching, a: Side, b: Side, sinkPairs: readonly [Sink | undefined, Sink | undefined][]): void {
    const work: [NodeId, NodeId][] = [];
    const offer = (x: NodeId | null | undefined, y: NodeId | null | undefined): void => {
        if (x === null || x === undefined || y === null || y === undefined) return;
        const nx = a.dag.nodes[x]!, ny = b.dag.nodes[y]!;
        if (m.ab.get(x) === y) { work.push([x, y]); return; }
        if (!compatible(nx, ny)) return;
        if (m.pair(x, y)) work.push([x, y]);
    };
    for (const [s, t] of sinkPairs) if (s && t) s.inputs.forEach((x, i) => offer(x, t.inputs[i]));
    for (const [x, y] of m.ab) work.push([x, y]);
    const seen = new Set<string>();
    while (work.length) {
        const [x, y] = work.pop()!;
        const k = `${x}:${y}`;
        if (seen.has(k)) continue;
        seen.add(k);
        const nx = a.dag.nodes[x]!, ny = b.dag.nodes[y]!;
        if (nx.inputs.length !== ny.inputs.length) continue;
        nx.inputs.forEach((i, p) => offer(i, ny.inputs[p]));
    }
}

function attrChanges(x: DagNode, y: DagNode): string[] {
    const out: string[] = [];
    if (x.op !== y.op) out.push(`op ${x.op} → ${y.op}`);
    if (x.type !== y.type) out.push(`type ${x.type} → ${y.type}`);
    if (x.unit !== y.unit) out.push(`unit ${x.unit} → ${y.unit}`);
    const keys = [...new Set([...Object.keys(x.attrs), ...Object.keys(y.attrs)])].filter(k => k !== 'slot').sort();
    const pr = (v: unknown): string => (v === undefined ? '(none)' : num(v));
    for (const k of keys) {
        if (stableStringify(x.attrs[k] ?? null) === stableStringify(y.attrs[k] ?? null)) continue;
        out.push(`${x.op === 'const' && k === 'value' ? 'value' : k} ${pr(x.attrs[k])} → ${pr(y.attrs[k])}`);
    }
    return out;
}

function wiringChanges(m: Matching, x: DagNode, y: DagNode, commute: boolean): string[] {
    if (commute) {
        const want = x.inputs.map(i => m.ab.get(i) ?? -1).sort((p, q) => p - q);
        const have = [...y.inputs].sort((p, q) => p - q);
        return want.length === have.length && want.every((v, i) => v === have[i]) ? [] : ['inputs rewired'];
    }
    if (x.inputs.length !== y.inputs.length) return [`${x.inputs.length} → ${y.inputs.length} inputs`];
    return x.inputs.flatMap((i, p) => (m.ab.get(i) === y.inputs[p] ? [] : [`input ${p + 1} rewired`]));
}

const paramShape = (p: IrParam): ParamChange['from'] => ({ type: p.type, default: p.default, low: p.low, high: p.high, step: p.step });

function paramChanges(a: StrategyIr, b: StrategyIr): ParamChange[] {
    const pa = new Map(a.params.map(p => [p.name, p])), pb = new Map(b.params.map(p => [p.name, p]));
    const out: ParamChange[] = [];
    const range = (p: IrParam): string => (p.low === null ? 'none' : `${num(p.low)}..${num(p.high)}${p.step !== null ? ` step ${num(p.step)}` : ''}`);
    for (const name of [...new Set([...pa.keys(), ...pb.keys()])].sort()) {
        const x = pa.get(name), y = pb.get(name);
        if (!x || !y) {
            const p = (x ?? y)!;
            out.push({ name, change: x ? 'removed' : 'added', from: x ? paramShape(x) : null, to: y ? paramShape(y) : null, changes: [`${p.type} = ${num(p.default)}${p.low !== null ? ` in ${range(p)}` : ''}`] });
            continue;
        }
        const changes: string[] = [];
        if (x.type !== y.type) changes.push(`type ${x.type} → ${y.type}`);
        if (x.default !== y.default) changes.push(`default ${num(x.default)} → ${num(y.default)}`);
        if (range(x) !== range(y)) changes.push(`range ${range(x)} → ${range(y)}`);
        if (changes.length) out.push({ name, change: 'changed', from: paramShape(x), to: paramShape(y), changes });
    }
    return out;
}

function sinkChanges(m: Matching, a: Side, b: Side, pairs: readonly [Sink | undefined, Sink | undefined][]): SinkChange[] {
    const out: SinkChange[] = [];
    const label = (s: Side, n: NodeId | null): string => (n === null ? 'none' : nodeLabel(s.dag.nodes[n]!, s));
    for (const [s, t] of pairs) {
        if (!t) { out.push({ sink: s!.key, change: 'removed', changes: s!.describe && s!.describe !== s!.key ? [s!.describe] : [] }); continue; }
        if (!s) { out.push({ sink: t.key, change: 'added', changes: t.describe && t.describe !== t.key ? [t.describe] : [] }); continue; }
        const changes: string[] = [];
        if (s.key !== t.key && s.key.startsWith('rule')) changes.push(`now ${t.key}`);
        if (s.own !== t.own) changes.push(`${s.own || '(plain)'} → ${t.own || '(plain)'}`);
        const n = Math.max(s.inputs.length, t.inputs.length);
        for (let i = 0; i < n; i++) {
            const x = s.inputs[i] ?? null, y = t.inputs[i] ?? null;
            if (x === null && y === null) continue;
            if (x !== null && y !== null && m.ab.get(x) === y) continue;
            changes.push(`${i === 0 && s.key.startsWith('rule') ? 'condition' : `input ${i + 1}`}: ${label(a, x)} → ${label(b, y)}`);
        }
        if (changes.length) out.push({ sink: s.key.startsWith('rule') && s.key !== t.key ? `${s.key} → ${t.key}` : s.key, change: 'changed', changes });
    }
    const ua = a.ir.universe.map(u => u.id).join(', '), ub = b.ir.universe.map(u => u.id).join(', ');
    if (ua !== ub) out.push({ sink: 'universe', change: 'changed', changes: [`${ua} → ${ub}`] });
    if (a.ir.timeframe.ms !== b.ir.timeframe.ms) out.push({ sink: 'timeframe', change: 'changed', changes: [`${a.ir.timeframe.text} → ${b.ir.timeframe.text}`] });
    if (a.ir.fill !== b.ir.fill) out.push({ sink: 'fill', change: 'changed', changes: [`${a.ir.fill} → ${b.ir.fill}`] });
    return out;
}

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

/** How `to` differs from `from`, structurally. Pure and deterministic: the same pair gives the same JSON everywhere. */
export function diffStrategies(from: StrategyIr, to: StrategyIr): DagDiff {
    const exactKeys = new Map<string, number>(), shapeKeys = new Map<string, number>();
    const a = side(from, exactKeys, shapeKeys), b = side(to, exactKeys, shapeKeys);
    const m = new Matching();
    pairByKey(m, a, b, s => s.exact);
    // A constant up to its value is any constant of its type: those are paired by position only (step 3).
    pairByKey(m, a, b, s => s.shape, n => n.op === 'const' || n.op === 'enum');
    const sinkPairs = pairSinks(m, a, b);
    pairTopDown(m, a, b, sinkPairs);

    const ref = (s: Side, n: DagNode): DiffNode => ({ id: n.id, label: nodeLabel(n, s), names: s.names.get(n.id) ?? [] });
    const removed = a.dag.nodes.filter(n => !m.ab.has(n.id)).map(n => ref(a, n));
    const added = b.dag.nodes.filter(n => !m.ba.has(n.id)).map(n => ref(b, n));
    const changed: ChangedNode[] = [];
    const matched: [number, number][] = [...m.ab].sort((p, q) => p[0] - q[0]);
    for (const [x, y] of matched) {
        const nx = a.dag.nodes[x]!, ny = b.dag.nodes[y]!;
        const changes = [...attrChanges(nx, ny), ...wiringChanges(m, nx, ny, commutative(nx) && commutative(ny))];
        if (!changes.length) continue;
        const lx = nodeLabel(nx, a), ly = nodeLabel(ny, b);
        changed.push({ from: x, to: y, label: lx === ly ? lx : `${lx} → ${ly}`, names: [...new Set([...(a.names.get(x) ?? []), ...(b.names.get(y) ?? [])])], changes });
    }
    const params = paramChanges(from, to);
    const sinks = sinkChanges(m, a, b, sinkPairs);
    const fp = (s: Side) => ({ exact: fingerprintDag(s.dag), structural: fingerprintDag(canonicalize(s.ir, 'structural').dag) });
    const fa = fp(a), fb = fp(b);
    const sameExact = fa.exact === fb.exact, sameStructure = fa.structural === fb.structural;
    const structure = describeDifference(dagSignature(canonicalize(from, 'structural').dag), dagSignature(canonicalize(to, 'structural').dag), { sameExact, sameStructure });
    const summary = sameExact && !params.length && !sinks.length
        ? 'no difference'
        : `${plural(added.length, 'node')} added, ${removed.length} removed, ${changed.length} changed; ${plural(params.length, 'param')} and ${plural(sinks.length, 'rule or setting')} differ`;
    return {
        dagDiffVersion: DAG_DIFF_VERSION,
        from: { strategy: from.strategy, fingerprints: fa, nodes: a.dag.nodes.length },
        to: { strategy: to.strategy, fingerprints: fb, nodes: b.dag.nodes.length },
        sameExact, sameStructure, structure, summary, added, removed, changed, matched, params, sinks,
    };
}

/** The diff in words, for `af diff` and the MCP tool's text: a headline, then one line per change. */
export function formatDagDiff(d: DagDiff, labels: { from: string; to: string } = { from: d.from.strategy, to: d.to.strategy }): string {
    const named = (n: { label: string; names: readonly string[] }): string => `${n.label}${n.names.length ? `  «${n.names.join(', ')}»` : ''}`;
    const lines = [`${labels.from} → ${labels.to}: ${d.structure}`, d.summary];
    if (d.added.length || d.removed.length || d.changed.length) {
        lines.push(`nodes (${d.from.nodes} → ${d.to.nodes}):`);
        for (const n of d.removed) lines.push(`  - ${named(n)}`);
        for (const n of d.added) lines.push(`  + ${named(n)}`);
        for (const n of d.changed) lines.push(`  ~ ${named(n)}: ${n.changes.join('; ')}`);
    }
    if (d.params.length) {
        lines.push('params:');
        for (const p of d.params) lines.push(`  ${p.change === 'added' ? '+' : p.change === 'removed' ? '-' : '~'} ${p.name}: ${p.changes.join('; ')}`);
    }
    if (d.sinks.length) {
        lines.push('rules and settings:');
        for (const s of d.sinks) lines.push(`  ${s.change === 'added' ? '+' : s.change === 'removed' ? '-' : '~'} ${s.sink}${s.changes.length ? `: ${s.changes.join('; ')}` : ''}`);
    }
    return lines.join('\n') + '\n';
}
