/**
 * Scalar evaluation of IR nodes that do not vary along time: constants, params and operations on
 * them (constraints, window lengths, look-back indices). The operations and the rule for division
 * by zero and other non-finite results are the language's one table
 * (language/src/analysis/scalar-ops.ts), so the engine agrees with the checker and the parameter
 * analysis. Undefined for anything else; enum and string constants pass through as text.
 */
import type { NodeId, StrategyIr } from '../../../protocol/src/ir.js';
import { applyFunction, applyOp, constant, ifThenElse, type Scalar, type ScalarOp } from '../../../language/src/analysis/scalar-ops.js';

type Value = number | boolean | string | undefined;

/**
 * Values already computed for a frozen params object (bindParams freezes what it returns) and an
 * IR: a run asks for the same nodes' values many times over (the graph compiler, the look-backs,
 * the limits, the settings), and a sweep runs thousands of runs; a recursive evaluation each time
 * was a fifth of a sweep trial. A params object that is not frozen may change, and is never remembered.
 */
const memo = new WeakMap<object, WeakMap<StrategyIr, { readonly done: Uint8Array; readonly values: Value[] }>>();

/** The memo of the latest (params, IR): the same run asks again and again (two WeakMap look-ups saved). */
let last: { params: object; ir: StrategyIr; m: { readonly done: Uint8Array; readonly values: Value[] } } | undefined;

export function evalScalar(ir: StrategyIr, id: NodeId, params: Readonly<Record<string, number | boolean>>): Value {
    let m;
    if (last !== undefined && last.params === params && last.ir === ir) m = last.m;
    else {
        if (!Object.isFrozen(params)) return evaluate(ir, id, params);
        let byIr = memo.get(params);
        if (!byIr) memo.set(params, byIr = new WeakMap());
        m = byIr.get(ir);
        if (!m) byIr.set(ir, m = { done: new Uint8Array(ir.nodes.length), values: new Array<Value>(ir.nodes.length) });
        last = { params, ir, m };
    }
    if (id >= 0 && id < m.done.length && m.done[id] === 1) return m.values[id];
    const v = evaluate(ir, id, params);
    if (id >= 0 && id < m.done.length) { m.values[id] = v; m.done[id] = 1; }
    return v;
}

function evaluate(ir: StrategyIr, id: NodeId, params: Readonly<Record<string, number | boolean>>): Value {
    const n = ir.nodes[id];
    if (!n) return undefined;
    const arg = (i: number) => evalScalar(ir, n.inputs[i]!, params);
    const scalar = (i: number): Scalar | undefined => {
        const v = arg(i);
        return typeof v === 'string' ? undefined : v;
    };
    switch (n.op) {
        case 'const': {
            const v = n.attrs['value'];
            return typeof v === 'string' ? v : constant(v);
        }
        case 'enum': return n.attrs['value'] as string;
        case 'param': return constant(params[n.attrs['name'] as string]);
        case 'if': return ifThenElse(arg(0), () => arg(1), () => arg(2));
        case 'call': return applyFunction(String(n.attrs['fn']), n.inputs.map((_, i) => scalar(i)));
        case 'field': case 'index': return undefined;
        default: return applyOp(n.op as ScalarOp, n.inputs.map((_, i) => scalar(i)));
    }
}
