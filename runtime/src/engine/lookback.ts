/**
 * Look-back of IR nodes with the actual parameter values (the IR's warm-up is for the defaults):
 * bars of history needed before the value is defined, from the catalogue's formulas.
 */
import type { NodeId, StrategyIr } from '../../../protocol/src/ir.js';
import { Catalogue } from '../../../language/src/catalogue/catalogue.js';
import { evalScalar } from './ir-scalar.js';

let catalogue: Catalogue | undefined;
export function coreCatalogue(): Catalogue {
    catalogue ??= new Catalogue();
    return catalogue;
}

export function nodeLookbacks(ir: StrategyIr, params: Readonly<Record<string, number | boolean>>, cat = coreCatalogue()): number[] {
    return nodeWindows(ir, params, cat).lookbacks;
}

/**
 * Per node: its look-back (bars of history before its value is defined) and its own window (the
 * history the engine keeps for this node alone: k of x[k], an indicator's length; 0 for the rest).
 */
/** nodeWindows of a frozen params object (see ir-scalar.ts) with the core catalogue, by IR: a run asks several times. */
const windowsMemo = new WeakMap<object, WeakMap<StrategyIr, { lookbacks: number[]; own: number[] }>>();

export function nodeWindows(ir: StrategyIr, params: Readonly<Record<string, number | boolean>>, cat = coreCatalogue()): { lookbacks: number[]; own: number[] } {
    if (cat !== catalogue || !Object.isFrozen(params)) return computeWindows(ir, params, cat);
    let byIr = windowsMemo.get(params);
    if (!byIr) windowsMemo.set(params, byIr = new WeakMap());
    let w = byIr.get(ir);
    if (!w) byIr.set(ir, w = computeWindows(ir, params, cat));
    // Copies: callers may change what they are given.
    return { lookbacks: [...w.lookbacks], own: [...w.own] };
}

function computeWindows(ir: StrategyIr, params: Readonly<Record<string, number | boolean>>, cat: Catalogue): { lookbacks: number[]; own: number[] } {
    const lb = new Array<number>(ir.nodes.length).fill(0);
    const ownOf = new Array<number>(ir.nodes.length).fill(0);
    for (const n of ir.nodes) {
        const inputs = n.inputs.map(i => lb[i]!);
        const deepest = inputs.length ? Math.max(...inputs) : 0;
        switch (n.op) {
            case 'const': case 'param': case 'enum': case 'field': lb[n.id] = 0; break;
            case 'index': {
                const k = evalScalar(ir, n.inputs[1]!, params);
                ownOf[n.id] = typeof k === 'number' ? Math.max(0, k) : 0;
                lb[n.id] = lb[n.inputs[0]!]! + ownOf[n.id]!;
                break;
            }
            case 'call': {
                const info = cat.fn(n.attrs['fn'] as string);
                if (!info) { lb[n.id] = deepest; break; }
                const env: Record<string, number> = {};
                info.params.forEach((p, i) => {
                    const v = evalScalar(ir, n.inputs[i]!, params);
                    if (typeof v === 'number') env[p.name] = v;
                });
                const own = info.lookbackNames.every(x => env[x] !== undefined) ? Math.max(0, Math.ceil(info.lookback(env))) : 0;
                if (info.entry.resamples) {
                    const tf = evalScalar(ir, n.inputs[1]!, params);
                    const offset = evalScalar(ir, n.inputs[2]!, params);
                    const ratio = typeof tf === 'number' && ir.timeframe.ms > 0 ? Math.round(tf / ir.timeframe.ms) : 1;
                    lb[n.id] = (lb[n.inputs[0]!]! + own + (typeof offset === 'number' ? Math.max(offset, 0) : 1) + 1) * ratio;
                } else {
                    ownOf[n.id] = own;
                    lb[n.id] = deepest + own;
                }
                break;
            }
            default: lb[n.id] = deepest;
        }
    }
    return { lookbacks: lb, own: ownOf };
}

/** The nodes `roots` depend on (themselves included). */
export function reachable(ir: StrategyIr, roots: readonly NodeId[]): Set<NodeId> {
    const seen = new Set<NodeId>();
    const stack = [...roots];
    while (stack.length) {
        const id = stack.pop()!;
        if (seen.has(id)) continue;
        seen.add(id);
        for (const i of ir.nodes[id]?.inputs ?? []) stack.push(i);
    }
    return seen;
}

/** The nodes whose values the strategy trades on (rules, allocations, risk). */
export function sinkNodes(ir: StrategyIr): NodeId[] {
    const out: NodeId[] = [];
    for (const r of ir.rules) {
        out.push(r.condition);
        for (const a of r.actions) {
            if (a.kind === 'target') for (const t of a.targets) out.push(t.size);
            else if (a.kind === 'order') { out.push(a.size); if (a.price !== null) out.push(a.price); }
        }
    }
    for (const al of ir.portfolio?.allocations ?? []) out.push(al.selection, al.weighting);
    for (const s of Object.values(ir.risk)) out.push(s.value);
    return out;
}

export function warmupBars(ir: StrategyIr, params: Readonly<Record<string, number | boolean>>): number {
    const lb = nodeLookbacks(ir, params);
    return sinkNodes(ir).reduce((m, id) => Math.max(m, lb[id] ?? 0), 0);
}
