/**
 * Constant evaluation: the one table of scalar operations — arithmetic, comparisons, logic, `if`
 * and the catalogue's scalar math functions — behind every value computed before a run. Its
 * walkers differ in what they walk and where names get their values: the checker's look-backs and
 * bounds over the param ranges and the parameter analysis's defaults, ranges and constraints walk
 * the AST (constant-eval.ts); the canonical DAG's constant folding (ir/dag.ts) and the engine's
 * constraints and windows (runtime/src/engine/ir-scalar.ts) walk the IR. What an operation gives
 * is decided here only, so the three always agree.
 *
 * The rule: a constant is a boolean or a finite number. An operation on operands of the wrong
 * kind, on a non-finite number, or whose result is not a finite number — division by zero, 0/0,
 * sqrt(-1), log(0), overflow past ±1.8e308 — has no value: `undefined`, exactly like an
 * expression that varies along time. Callers read that as "not known before the run": a
 * constraint without a value excludes nothing, a window or look-back index without one adds no
 * look-back, a DAG term without one stays unfolded, a param default without one is AF403.
 * (During a run, series arithmetic is IEEE instead: x/0 is ±Infinity and NaN counts as
 * undefined; docs/backtest-semantics.md.)
 */
import type { IrOp } from '../../../protocol/src/ir.js';
import type * as ast from '../generated/ast.js';

export type Scalar = number | boolean;

/** The IR ops that are scalar operations (the rest — const, param, field, call, index, if, enum — are not). */
export type ScalarOp = Extract<IrOp, 'neg' | 'not' | 'add' | 'sub' | 'mul' | 'div' | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne' | 'and' | 'or'>;

/**
 * How a result moves when an operand grows: 1 with it, -1 against it, 0 neither (or the result
 * is not a number). Bounds over param ranges (the checker's 'min'/'max' modes) follow it; `*`
 * and `/` count as monotone as if their operands were non-negative (lengths, counts, fractions).
 */
export type Direction = 1 | -1 | 0;

interface Operation {
    /** What the operands must be: numbers, booleans, or two of the same kind. */
    readonly operands: 'num' | 'bool' | 'same';
    readonly arity: number;
    /** Called only with `arity` finite operands of the kinds `operands` says. */
    readonly apply: (xs: readonly Scalar[]) => Scalar;
    readonly direction: readonly Direction[];
}

const num = (arity: number, direction: readonly Direction[], apply: (xs: readonly number[]) => Scalar): Operation =>
    ({ operands: 'num', arity, direction, apply: xs => apply(xs as readonly number[]) });
const bool = (arity: number, apply: (xs: readonly boolean[]) => boolean): Operation =>
    ({ operands: 'bool', arity, direction: Array<Direction>(arity).fill(0), apply: xs => apply(xs as readonly boolean[]) });

export const SCALAR_OPS: Readonly<Record<ScalarOp, Operation>> = {
    neg: num(1, [-1], ([x]) => -x!),
    add: num(2, [1, 1], ([a, b]) => a! + b!),
    sub: num(2, [1, -1], ([a, b]) => a! - b!),
    mul: num(2, [1, 1], ([a, b]) => a! * b!),
    div: num(2, [1, -1], ([a, b]) => a! / b!),
    lt: num(2, [0, 0], ([a, b]) => a! < b!),
    le: num(2, [0, 0], ([a, b]) => a! <= b!),
    gt: num(2, [0, 0], ([a, b]) => a! > b!),
    ge: num(2, [0, 0], ([a, b]) => a! >= b!),
    eq: { operands: 'same', arity: 2, direction: [0, 0], apply: ([a, b]) => a === b },
    ne: { operands: 'same', arity: 2, direction: [0, 0], apply: ([a, b]) => a !== b },
    not: bool(1, ([x]) => !x),
    and: bool(2, ([a, b]) => a! && b!),
    or: bool(2, ([a, b]) => a! || b!),
};

/** The catalogue's scalar math functions (core-pack.ts), by name, with their parameters in catalogue order. */
export const SCALAR_FUNCTIONS: Readonly<Record<string, Operation>> = {
    min: num(2, [1, 1], ([a, b]) => Math.min(a!, b!)),
    max: num(2, [1, 1], ([a, b]) => Math.max(a!, b!)),
    abs: num(1, [0], ([x]) => Math.abs(x!)),
    sign: num(1, [1], ([x]) => Math.sign(x!)),
    sqrt: num(1, [1], ([x]) => Math.sqrt(x!)),
    log: num(1, [1], ([x]) => Math.log(x!)),
    clamp: num(3, [1, 1, 1], ([x, lo, hi]) => Math.min(Math.max(x!, lo!), hi!)),
};

/** The IR op of each binary operator of the language. */
export const BINARY_OPERATOR_OPS: Readonly<Record<ast.BinaryExpr['operator'], ScalarOp>> = {
    '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '==': 'eq', '!=': 'ne', and: 'and', or: 'or',
};

/** A leaf's value as a constant: booleans and finite numbers; anything else (NaN, ±Infinity, text) has none. */
export function constant(v: unknown): Scalar | undefined {
    return typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? v : undefined;
}

function own(table: Readonly<Record<string, Operation>>, key: string): Operation | undefined {
    return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

function apply(o: Operation | undefined, xs: readonly (Scalar | undefined)[]): Scalar | undefined {
    if (!o || xs.length !== o.arity) return undefined;
    for (const x of xs) if (constant(x) === undefined) return undefined;
    if (o.operands === 'num' && !xs.every(x => typeof x === 'number')) return undefined;
    if (o.operands === 'bool' && !xs.every(x => typeof x === 'boolean')) return undefined;
    if (o.operands === 'same' && !xs.every(x => typeof x === typeof xs[0])) return undefined;
    return constant(o.apply(xs as readonly Scalar[]));
}

/** The value of a scalar operation on constant operands, by the rule above. */
export function applyOp(op: ScalarOp, xs: readonly (Scalar | undefined)[]): Scalar | undefined {
    return apply(own(SCALAR_OPS, op), xs);
}

/** The value of a catalogue math function (`min`, `sqrt`, …) on constant arguments; undefined for any other function. */
export function applyFunction(name: string, xs: readonly (Scalar | undefined)[]): Scalar | undefined {
    return apply(own(SCALAR_FUNCTIONS, name), xs);
}

export function isScalarFunction(name: string): boolean {
    return own(SCALAR_FUNCTIONS, name) !== undefined;
}

/** `if c then a else b`: the chosen branch when the condition is a constant boolean (the other is not evaluated). */
export function ifThenElse<T>(c: unknown, then: () => T, otherwise: () => T): T | undefined {
    return typeof c === 'boolean' ? (c ? then() : otherwise()) : undefined;
}

/** How operation `op` (or math function `op`) moves with its operand `i`. */
export function direction(op: ScalarOp | string, i: number): Direction {
    const o = own(SCALAR_OPS, op) ?? own(SCALAR_FUNCTIONS, op);
    return o?.direction[i] ?? 0;
}
