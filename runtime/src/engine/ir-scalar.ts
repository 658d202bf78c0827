/**
 * Scalar evaluation of IR nodes that do not vary along time: constants, params and operations on
 * them (constraints, window lengths, look-back indices). The operations and the rule for division
 * by zero and other non-finite results are the language's one table
 * (language/src/analysis/scalar-ops.ts), so the engine agrees with the checker and the parameter
 * analysis. Undefined for anything else; enum and string constants pass through as text.
 */
import type { NodeId, StrategyIr } from '../../../protocol/src/ir.js';
import { applyFunction, applyOp, constant, ifThenElse, type Scalar, type ScalarOp } from '../../../language/src/analysis/scalar-ops.js';

export function evalScalar(ir: StrategyIr, id: NodeId, params: Readonly<Record<string, number | boolean>>): number | boolean | string | undefined {
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
