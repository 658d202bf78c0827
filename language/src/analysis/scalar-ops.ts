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
 *
 * Each numeric operation also has its interval rule: the range of its result when each operand
 * may be anything in a range (products and quotients of signed ranges, divisors that reach 0,
 * the domains of sqrt and log). The range analysis over the param space (constant-eval.ts,
 * rangeOf) applies them; on single-point ranges a rule gives exactly the point the operation
 * gives, or the empty range where the operation has no value.
 */
import type { IrOp } from '../../../protocol/src/ir.js';
import type * as ast from '../generated/ast.js';

export type Scalar = number | boolean;

/** The IR ops that are scalar operations (the rest — const, param, field, call, index, if, enum — are not). */
export type ScalarOp = Extract<IrOp, 'neg' | 'not' | 'add' | 'sub' | 'mul' | 'div' | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne' | 'and' | 'or'>;

/**
 * A range of numbers [lo, hi]; an end may be infinite (unbounded). lo > hi is the empty range:
 * the expression has no value there (x/0, sqrt(-1), an unreachable branch).
 */
export interface Interval { readonly lo: number; readonly hi: number }
export const ALL: Interval = { lo: -Infinity, hi: Infinity };
export const EMPTY: Interval = { lo: Infinity, hi: -Infinity };
export const point = (v: number): Interval => ({ lo: v, hi: v });
export const isEmpty = (i: Interval): boolean => !(i.lo <= i.hi);

interface Operation {
    /** What the operands must be: numbers, booleans, or two of the same kind. */
    readonly operands: 'num' | 'bool' | 'same';
    readonly arity: number;
    /** Called only with `arity` finite operands of the kinds `operands` says. */
    readonly apply: (xs: readonly Scalar[]) => Scalar;
    /** The numeric operations' interval rule, called with `arity` non-empty ranges. */
    readonly interval?: (xs: readonly Interval[]) => Interval;
}

const num = (arity: number, apply: (xs: readonly number[]) => Scalar, interval?: (xs: readonly Interval[]) => Interval): Operation =>
    ({ operands: 'num', arity, apply: xs => apply(xs as readonly number[]), interval });
const bool = (arity: number, apply: (xs: readonly boolean[]) => boolean): Operation =>
    ({ operands: 'bool', arity, apply: xs => apply(xs as readonly boolean[]) });

/** 0 × ±∞ counts as 0: an end at 0 times an unbounded end is still 0 (the value is 0, not undefined). */
const times = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : a * b);
const hull = (xs: readonly number[]): Interval => ({ lo: Math.min(...xs), hi: Math.max(...xs) });
const mulRange = (a: Interval, b: Interval): Interval =>
    hull([times(a.lo, b.lo), times(a.lo, b.hi), times(a.hi, b.lo), times(a.hi, b.hi)]);

/** 1/b: empty for b = [0, 0] (no value); unbounded when b has 0 inside; an end at 0 is left out (x/0 has no value). */
function reciprocal(b: Interval): Interval {
    if (b.lo === 0 && b.hi === 0) return EMPTY;
    if (b.lo < 0 && b.hi > 0) return ALL;
    if (b.lo === 0) return { lo: 1 / b.hi, hi: Infinity };
    if (b.hi === 0) return { lo: -Infinity, hi: 1 / b.lo };
    return { lo: 1 / b.hi, hi: 1 / b.lo };
}

/**
 * a/b. Corner quotients where b keeps one sign away from 0 (exactly the IEEE quotient on points);
 * with an end of b at 0 the result is unbounded on that side; through the reciprocal otherwise
 * (0 inside b: unbounded both ways; ∞/∞ corners).
 */
function divRange(a: Interval, b: Interval): Interval {
    if (b.lo > 0 || b.hi < 0) {
        const qs = [a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi];
        if (!qs.some(Number.isNaN)) return hull(qs);
    }
    const r = reciprocal(b);
    return isEmpty(r) ? EMPTY : mulRange(a, r);
}

export const SCALAR_OPS: Readonly<Record<ScalarOp, Operation>> = {
    neg: num(1, ([x]) => -x!, ([x]) => ({ lo: -x!.hi, hi: -x!.lo })),
    add: num(2, ([a, b]) => a! + b!, ([a, b]) => ({ lo: a!.lo + b!.lo, hi: a!.hi + b!.hi })),
    sub: num(2, ([a, b]) => a! - b!, ([a, b]) => ({ lo: a!.lo - b!.hi, hi: a!.hi - b!.lo })),
    mul: num(2, ([a, b]) => a! * b!, ([a, b]) => mulRange(a!, b!)),
    div: num(2, ([a, b]) => a! / b!, ([a, b]) => divRange(a!, b!)),
    lt: num(2, ([a, b]) => a! < b!),
    le: num(2, ([a, b]) => a! <= b!),
    gt: num(2, ([a, b]) => a! > b!),
    ge: num(2, ([a, b]) => a! >= b!),
    eq: { operands: 'same', arity: 2, apply: ([a, b]) => a === b },
    ne: { operands: 'same', arity: 2, apply: ([a, b]) => a !== b },
    not: bool(1, ([x]) => !x),
    and: bool(2, ([a, b]) => a! && b!),
    or: bool(2, ([a, b]) => a! || b!),
};

const minRange = (a: Interval, b: Interval): Interval => ({ lo: Math.min(a.lo, b.lo), hi: Math.min(a.hi, b.hi) });
const maxRange = (a: Interval, b: Interval): Interval => ({ lo: Math.max(a.lo, b.lo), hi: Math.max(a.hi, b.hi) });

/** The catalogue's scalar math functions (core-pack.ts), by name, with their parameters in catalogue order. */
export const SCALAR_FUNCTIONS: Readonly<Record<string, Operation>> = {
    min: num(2, ([a, b]) => Math.min(a!, b!), ([a, b]) => minRange(a!, b!)),
    max: num(2, ([a, b]) => Math.max(a!, b!), ([a, b]) => maxRange(a!, b!)),
    abs: num(1, ([x]) => Math.abs(x!), ([x]) => (x!.lo >= 0 ? x! : x!.hi <= 0 ? { lo: -x!.hi, hi: -x!.lo } : { lo: 0, hi: Math.max(-x!.lo, x!.hi) })),
    sign: num(1, ([x]) => Math.sign(x!), ([x]) => ({ lo: Math.sign(x!.lo), hi: Math.sign(x!.hi) })),
    sqrt: num(1, ([x]) => Math.sqrt(x!), ([x]) => (x!.hi < 0 ? EMPTY : { lo: Math.sqrt(Math.max(x!.lo, 0)), hi: Math.sqrt(x!.hi) })),
    log: num(1, ([x]) => Math.log(x!), ([x]) => (x!.hi <= 0 ? EMPTY : { lo: x!.lo <= 0 ? -Infinity : Math.log(x!.lo), hi: Math.log(x!.hi) })),
    clamp: num(3, ([x, lo, hi]) => Math.min(Math.max(x!, lo!), hi!), ([x, lo, hi]) => minRange(maxRange(x!, lo!), hi!)),
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

/**
 * The range of numeric operation (or math function) `op` over operand ranges: empty when an
 * operand is empty or the operation has no value anywhere in them; undefined for an operation that
 * is not numeric (comparisons and logic give conditions, not numbers). A single point that is not
 * a finite number (overflow) has no value, as in applyOp.
 */
export function intervalOf(op: ScalarOp | string, xs: readonly Interval[]): Interval | undefined {
    const o = own(SCALAR_OPS, op) ?? own(SCALAR_FUNCTIONS, op);
    if (!o?.interval || xs.length !== o.arity) return undefined;
    if (xs.some(isEmpty)) return EMPTY;
    const r = o.interval(xs);
    if (Number.isNaN(r.lo) || Number.isNaN(r.hi)) return ALL;
    return r.lo === r.hi && !Number.isFinite(r.lo) ? EMPTY : r;
}
