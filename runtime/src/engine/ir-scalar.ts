/**
 * Scalar evaluation of IR nodes that do not vary along time: constants, params and arithmetic on
 * them (constraints, window lengths, look-back indices). Undefined for anything else.
 */
import type { NodeId, StrategyIr } from '../../../protocol/src/ir.js';

export function evalScalar(ir: StrategyIr, id: NodeId, params: Readonly<Record<string, number | boolean>>): number | boolean | string | undefined {
    const n = ir.nodes[id];
    if (!n) return undefined;
    const arg = (i: number) => evalScalar(ir, n.inputs[i]!, params);
    switch (n.op) {
        case 'const': return n.attrs['value'] as number | boolean | string;
        case 'enum': return n.attrs['value'] as string;
        case 'param': return params[n.attrs['name'] as string];
        case 'neg': { const x = arg(0); return typeof x === 'number' ? -x : undefined; }
        case 'not': { const x = arg(0); return typeof x === 'boolean' ? !x : undefined; }
        case 'if': { const c = arg(0); return typeof c === 'boolean' ? (c ? arg(1) : arg(2)) : undefined; }
        case 'call': {
            const xs = n.inputs.map((_, i) => arg(i));
            if (!xs.every(x => typeof x === 'number')) return undefined;
            const v = xs as number[];
            switch (n.attrs['fn']) {
                case 'min': return Math.min(v[0]!, v[1]!);
                case 'max': return Math.max(v[0]!, v[1]!);
                case 'abs': return Math.abs(v[0]!);
                case 'sign': return Math.sign(v[0]!);
                case 'sqrt': return Math.sqrt(v[0]!);
                case 'log': return Math.log(v[0]!);
                case 'clamp': return Math.min(Math.max(v[0]!, v[1]!), v[2]!);
                default: return undefined;
            }
        }
        default: {
            const a = arg(0), b = arg(1);
            if (a === undefined || b === undefined) return undefined;
            if (typeof a === 'boolean' || typeof b === 'boolean') {
                if (typeof a !== 'boolean' || typeof b !== 'boolean') return undefined;
                switch (n.op) {
                    case 'and': return a && b;
                    case 'or': return a || b;
                    case 'eq': return a === b;
                    case 'ne': return a !== b;
                    default: return undefined;
                }
            }
            if (typeof a !== 'number' || typeof b !== 'number') return undefined;
            switch (n.op) {
                case 'add': return a + b;
                case 'sub': return a - b;
                case 'mul': return a * b;
                case 'div': return a / b;
                case 'lt': return a < b;
                case 'le': return a <= b;
                case 'gt': return a > b;
                case 'ge': return a >= b;
                case 'eq': return a === b;
                case 'ne': return a !== b;
                default: return undefined;
            }
        }
    }
}
