/**
 * Constant values of AST expressions — literals, params, arithmetic, comparisons, logic, `if` and
 * the scalar math functions — computed with the one operation table (scalar-ops.ts, which also
 * states the rule for division by zero and other non-finite results). Where names get their
 * values is the caller's: the checker binds a param to its default or a bound of its range and a
 * def parameter to the caller's argument; the parameter analysis binds params to grid values, or
 * to nothing (a param's own default, range and step must be literal).
 *
 * Modes: 'default' evaluates. 'min' and 'max' bound the value over the param ranges by following
 * each operation's direction (a minus flips the bound of what it subtracts); an operation that is
 * not monotone in an operand (abs, comparisons, logic) has no bound, and `if` is bounded by both
 * of its branches whatever the condition.
 */
import * as ast from '../generated/ast.js';
import { durationMs } from './duration.js';
import {
    applyFunction, applyOp, BINARY_OPERATOR_OPS, constant, direction, ifThenElse, isScalarFunction, type Scalar, type ScalarOp,
} from './scalar-ops.js';

export type ConstMode = 'default' | 'min' | 'max';

/** The value of what a reference names, in a mode; undefined when it has none. */
export type ResolveRef = (ref: ast.Ref, mode: ConstMode) => Scalar | undefined;

/** A reference has no value: for expressions that must be literal. */
export const NO_REFS: ResolveRef = () => undefined;

/** The number a literal stands for: `2%` is 0.02, `10 bps` 0.001, `3 bars` 3. */
export function literalValue(e: ast.NumberLit): number {
    const v = e.value;
    return e.unit === '%' ? v / 100 : e.unit === 'bps' ? v / 10_000 : v;
}

export function constantOf(e: ast.Expression | undefined, resolve: ResolveRef, mode: ConstMode = 'default'): Scalar | undefined {
    if (!e) return undefined;
    switch (e.$type) {
        case 'NumberLit': return constant(literalValue(e as ast.NumberLit));
        case 'BoolLit': return (e as ast.BoolLit).value;
        case 'DurationLit': return constant(durationMs((e as ast.DurationLit).value));
        case 'Ref': return resolve(e as ast.Ref, mode);
        case 'UnaryExpr': {
            const u = e as ast.UnaryExpr;
            if (u.operator === '+') {
                const v = constantOf(u.operand, resolve, mode);
                return typeof v === 'number' ? v : undefined;
            }
            return operation(u.operator === '-' ? 'neg' : 'not', [u.operand], resolve, mode);
        }
        case 'BinaryExpr': {
            const b = e as ast.BinaryExpr;
            return operation(BINARY_OPERATOR_OPS[b.operator], [b.left, b.right], resolve, mode);
        }
        case 'IfExpr': {
            const i = e as ast.IfExpr;
            if (mode === 'default') {
                return ifThenElse(constantOf(i.condition, resolve, mode), () => constantOf(i.then, resolve, mode), () => constantOf(i.else, resolve, mode));
            }
            const a = constantOf(i.then, resolve, mode), b = constantOf(i.else, resolve, mode);
            if (typeof a !== 'number' || typeof b !== 'number') return undefined;
            return mode === 'min' ? Math.min(a, b) : Math.max(a, b);
        }
        case 'Call': {
            const c = e as ast.Call;
            const target = c.func?.ref;
            if (!ast.isExternFunction(target) || !isScalarFunction(target.name)) return undefined;
            const args = argumentsInOrder(c, target.params.map(p => p.name));
            return args ? operation(target.name, args, resolve, mode) : undefined;
        }
        default: return undefined;
    }
}

function operation(op: ScalarOp | string, operands: readonly (ast.Expression | undefined)[], resolve: ResolveRef, mode: ConstMode): Scalar | undefined {
    const values: (Scalar | undefined)[] = [];
    for (let i = 0; i < operands.length; i++) {
        let m = mode;
        if (mode !== 'default') {
            const d = direction(op, i);
            if (d === 0) return undefined;
            if (d === -1) m = mode === 'min' ? 'max' : 'min';
        }
        values.push(constantOf(operands[i], resolve, m));
    }
    return isScalarFunction(op) ? applyFunction(op, values) : applyOp(op as ScalarOp, values);
}

/** A call's argument expressions in parameter order (named ones put in place); undefined unless each parameter has exactly one. */
function argumentsInOrder(c: ast.Call, params: readonly string[]): ast.Expression[] | undefined {
    const out: (ast.Expression | undefined)[] = params.map(() => undefined);
    let position = 0;
    for (const a of c.args) {
        const i = a.name ? params.indexOf(a.name) : position++;
        if (i < 0 || i >= params.length || out[i] !== undefined) return undefined;
        out[i] = a.value;
    }
    return out.every((x): x is ast.Expression => x !== undefined) ? out : undefined;
}
