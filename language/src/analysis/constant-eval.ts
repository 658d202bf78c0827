/**
 * Constant values and ranges of AST expressions — literals, params, arithmetic, comparisons,
 * logic, `if`, calls of defs and the scalar math functions — computed with the one operation
 * table (scalar-ops.ts, which also states the rule for division by zero and other non-finite
 * results, and each operation's interval rule). Where names get their values is the caller's: the
 * checker binds a param to its default, to its range, or to one grid point, and a def parameter to
 * the caller's argument; the parameter analysis binds params to grid values, or to nothing (a
 * param's own default, range and step must be literal).
 *
 * constantOf evaluates. rangeOf bounds a value over ranges of what it names (valueRangeOf also
 * says which truth values a condition can take): the sign rules of products and quotients, a
 * divisor reaching 0, `if` as the union of the branches its condition allows (each branch with
 * the params its condition compares narrowed to where it holds), a def's body with the ranges of
 * its arguments. The result contains every value the expression takes at any point of the ranges
 * (sound), and is exact when every range is a single point; undefined means "cannot bound".
 */
import * as ast from '../generated/ast.js';
import { durationMs } from './duration.js';
import {
    ALL, applyFunction, applyOp, BINARY_OPERATOR_OPS, constant, EMPTY, ifThenElse, intervalOf, isEmpty, isScalarFunction, point,
    type Interval, type Scalar,
} from './scalar-ops.js';

/** The value of what a reference names; undefined when it has none. */
export type ResolveRef = (ref: ast.Ref) => Scalar | undefined;

/** A reference has no value: for expressions that must be literal. */
export const NO_REFS: ResolveRef = () => undefined;

/** The number a literal stands for: `2%` is 0.02, `10 bps` 0.001, `3 bars` 3. */
export function literalValue(e: ast.NumberLit): number {
    const v = e.value;
    return e.unit === '%' ? v / 100 : e.unit === 'bps' ? v / 10_000 : v;
}

export function constantOf(e: ast.Expression | undefined, resolve: ResolveRef): Scalar | undefined {
    if (!e) return undefined;
    switch (e.$type) {
        case 'NumberLit': return constant(literalValue(e as ast.NumberLit));
        case 'BoolLit': return (e as ast.BoolLit).value;
        case 'DurationLit': return constant(durationMs((e as ast.DurationLit).value));
        case 'Ref': return resolve(e as ast.Ref);
        case 'UnaryExpr': {
            const u = e as ast.UnaryExpr;
            if (u.operator === '+') {
                const v = constantOf(u.operand, resolve);
                return typeof v === 'number' ? v : undefined;
            }
            return applyOp(u.operator === '-' ? 'neg' : 'not', [constantOf(u.operand, resolve)]);
        }
        case 'BinaryExpr': {
            const b = e as ast.BinaryExpr;
            return applyOp(BINARY_OPERATOR_OPS[b.operator], [constantOf(b.left, resolve), constantOf(b.right, resolve)]);
        }
        case 'IfExpr': {
            const i = e as ast.IfExpr;
            return ifThenElse(constantOf(i.condition, resolve), () => constantOf(i.then, resolve), () => constantOf(i.else, resolve));
        }
        case 'Call': {
            const c = e as ast.Call;
            const target = c.func?.ref;
            if (!ast.isExternFunction(target) || !isScalarFunction(target.name)) return undefined;
            const args = argumentsInOrder(c, target.params.map(p => p.name));
            return args ? applyFunction(target.name, args.map(a => constantOf(a, resolve))) : undefined;
        }
        default: return undefined;
    }
}

// ---------------------------------------------------------------------- ranges

/** Which truth values a condition can take; neither means it has no value (an operand has none). */
export interface Possible { readonly canTrue: boolean; readonly canFalse: boolean }
export const EITHER: Possible = { canTrue: true, canFalse: true };
const NEITHER: Possible = { canTrue: false, canFalse: false };

/** The range of a value: numbers, or the truth values of a condition. */
export type ValueRange = Interval | Possible;
export const isInterval = (r: ValueRange | undefined): r is Interval => r !== undefined && 'lo' in r;

export interface RangeHooks {
    /** The range of what a reference names (params, def params outside the walked defs, features, fields); undefined when unknown. */
    ref(ref: ast.Ref): ValueRange | undefined;
    /** The range of a form the walker does not evaluate itself: look-backs, members, catalogue series functions. */
    other?(e: ast.Expression): ValueRange | undefined;
}

/** Defs nest at most this deep in a range (the checker reports deeper nesting as AF005). */
const MAX_DEF_DEPTH = 32;

/**
 * Expression nodes one range may visit: defs are walked per call, so defs that call each other
 * twice over (or recursively, which AF005 reports) would take exponential time. Past it a range
 * cannot be bounded, which the lookahead checks say (AF104).
 */
export const MAX_RANGE_STEPS = 100_000;

/** What a range walk may still visit; pass one object to several walks to share a budget. */
export interface RangeBudget { left: number }

/** The numeric range of an expression; undefined when it cannot be bounded (or is not a number). */
export function rangeOf(e: ast.Expression | undefined, hooks: RangeHooks, budget: RangeBudget = { left: MAX_RANGE_STEPS }): Interval | undefined {
    const r = new RangeWalker(hooks, new Map(), new Map(), [], budget).value(e);
    return isInterval(r) ? r : undefined;
}

/** The range of an expression of either kind: an interval for numbers, the possible truth values for conditions. */
export function valueRangeOf(e: ast.Expression | undefined, hooks: RangeHooks, budget: RangeBudget = { left: MAX_RANGE_STEPS }): ValueRange | undefined {
    return new RangeWalker(hooks, new Map(), new Map(), [], budget).value(e);
}

/** Which truth values a condition can take; EITHER when it cannot tell. */
export function possibleOf(e: ast.Expression | undefined, hooks: RangeHooks): Possible {
    const r = valueRangeOf(e, hooks);
    return r && !isInterval(r) ? r : EITHER;
}

export function intersect(a: Interval, b: Interval): Interval {
    const r = { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) };
    return isEmpty(r) ? EMPTY : r;
}

export function hullOf(a: Interval, b: Interval): Interval {
    return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

/** Whether a comparison of values in a and b can be true, and can be false. */
export function comparePossible(op: string, a: Interval, b: Interval): Possible {
    if (isEmpty(a) || isEmpty(b)) return NEITHER;
    switch (op) {
        case '<': return { canTrue: a.lo < b.hi, canFalse: a.hi >= b.lo };
        case '<=': return { canTrue: a.lo <= b.hi, canFalse: a.hi > b.lo };
        case '>': return { canTrue: a.hi > b.lo, canFalse: a.lo <= b.hi };
        case '>=': return { canTrue: a.hi >= b.lo, canFalse: a.lo < b.hi };
        case '==': return { canTrue: a.lo <= b.hi && b.lo <= a.hi, canFalse: !(a.lo === a.hi && b.lo === b.hi && a.lo === b.lo) };
        default: return { canTrue: !(a.lo === a.hi && b.lo === b.hi && a.lo === b.lo), canFalse: a.lo <= b.hi && b.lo <= a.hi };
    }
}

class RangeWalker {
    constructor(
        private readonly hooks: RangeHooks,
        /** Ranges of the parameters of the defs being walked. */
        private readonly defArgs: ReadonlyMap<ast.DefParam, ValueRange | undefined>,
        /** Ranges that a condition around this expression narrows references to (by what they name). */
        private readonly narrowed: ReadonlyMap<unknown, Interval>,
        /** The defs being walked, innermost last. */
        private readonly defs: readonly ast.FunctionDef[],
        private readonly budget: RangeBudget,
    ) {}

    value(e: ast.Expression | undefined): ValueRange | undefined {
        if (!e || --this.budget.left < 0) return undefined;
        switch (e.$type) {
            case 'NumberLit': { const v = constant(literalValue(e as ast.NumberLit)); return typeof v === 'number' ? point(v) : EMPTY; }
            case 'BoolLit': { const v = (e as ast.BoolLit).value; return { canTrue: v, canFalse: !v }; }
            case 'DurationLit': { const v = constant(durationMs((e as ast.DurationLit).value)); return typeof v === 'number' ? point(v) : undefined; }
            case 'Ref': return this.ref(e as ast.Ref);
            case 'UnaryExpr': {
                const u = e as ast.UnaryExpr;
                const r = this.value(u.operand);
                if (u.operator === 'not') return r && !isInterval(r) ? { canTrue: r.canFalse, canFalse: r.canTrue } : undefined;
                if (!isInterval(r)) return undefined;
                return u.operator === '-' ? intervalOf('neg', [r]) : r;
            }
            case 'BinaryExpr': return this.binary(e as ast.BinaryExpr);
            case 'IfExpr': return this.ifExpr(e as ast.IfExpr);
            case 'Call': return this.call(e as ast.Call);
            default: return this.hooks.other?.(e);
        }
    }

    private ref(e: ast.Ref): ValueRange | undefined {
        const t = e.ref?.ref;
        const r = ast.isDefParam(t) && this.defArgs.has(t) ? this.defArgs.get(t) : this.hooks.ref(e);
        const n = t && this.narrowed.get(t);
        return n && isInterval(r) ? intersect(r, n) : r;
    }

    private binary(e: ast.BinaryExpr): ValueRange | undefined {
        const op = e.operator;
        const l = this.value(e.left), r = this.value(e.right);
        if (!l || !r) {
            // A side that cannot be bounded leaves a condition's truth open, and a number unbounded.
            return op === 'and' || op === 'or' || op === '<' || op === '<=' || op === '>' || op === '>=' || op === '==' || op === '!=' ? EITHER : undefined;
        }
        if (op === 'and' || op === 'or') {
            if (isInterval(l) || isInterval(r)) return undefined;
            if (!(l.canTrue || l.canFalse) || !(r.canTrue || r.canFalse)) return NEITHER;
            return op === 'and'
                ? { canTrue: l.canTrue && r.canTrue, canFalse: l.canFalse || r.canFalse }
                : { canTrue: l.canTrue || r.canTrue, canFalse: l.canFalse && r.canFalse };
        }
        if (isInterval(l) && isInterval(r)) {
            if (op === '<' || op === '<=' || op === '>' || op === '>=' || op === '==' || op === '!=') return comparePossible(op, l, r);
            return intervalOf(BINARY_OPERATOR_OPS[op], [l, r]);
        }
        if (!isInterval(l) && !isInterval(r) && (op === '==' || op === '!=')) {
            const none = !(l.canTrue || l.canFalse) || !(r.canTrue || r.canFalse);
            if (none) return NEITHER;
            const same = (l.canTrue && r.canTrue) || (l.canFalse && r.canFalse), differ = (l.canTrue && r.canFalse) || (l.canFalse && r.canTrue);
            return op === '==' ? { canTrue: same, canFalse: differ } : { canTrue: differ, canFalse: same };
        }
        return undefined;
    }

    private ifExpr(e: ast.IfExpr): ValueRange | undefined {
        const c = this.value(e.condition);
        const cond = c && !isInterval(c) ? c : EITHER;
        const then = cond.canTrue ? this.narrow(e.condition, true).value(e.then) : undefined;
        const otherwise = cond.canFalse ? this.narrow(e.condition, false).value(e.else) : undefined;
        if (cond.canTrue && !then) return undefined;
        if (cond.canFalse && !otherwise) return undefined;
        if (then && otherwise) return union(then, otherwise);
        if (then ?? otherwise) return then ?? otherwise;
        // The condition has no value: neither branch is taken, so neither is the value of the `if`.
        const kind = this.value(e.then) ?? this.value(e.else);
        return kind && !isInterval(kind) ? NEITHER : EMPTY;
    }

    private call(c: ast.Call): ValueRange | undefined {
        const target = c.func?.ref;
        if (ast.isFunctionDef(target)) {
            if (this.defs.length >= MAX_DEF_DEPTH || this.defs.includes(target)) return undefined;
            const args = argumentsInOrder(c, target.params.map(p => p.name));
            if (!args) return undefined;
            const bound = new Map<ast.DefParam, ValueRange | undefined>();
            target.params.forEach((p, i) => bound.set(p, this.value(args[i])));
            return new RangeWalker(this.hooks, bound, new Map(), [...this.defs, target], this.budget).value(target.body);
        }
        if (ast.isExternFunction(target) && isScalarFunction(target.name)) {
            const args = argumentsInOrder(c, target.params.map(p => p.name));
            if (!args) return undefined;
            const xs = args.map(a => this.value(a));
            return xs.every(isInterval) ? intervalOf(target.name, xs) : this.hooks.other?.(c);
        }
        return this.hooks.other?.(c);
    }

    /**
     * This walker with the references a condition compares narrowed to where it holds (`holds`)
     * or fails: in `if k > 0 then k else 1` the first branch sees k in [0, ∞) ∩ k's range. Strict
     * comparisons narrow to the closed range, which still contains every value.
     */
    private narrow(cond: ast.Expression | undefined, holds: boolean): RangeWalker {
        const out = new Map(this.narrowed);
        this.collectNarrowing(cond, holds, out);
        return out.size === this.narrowed.size && [...out].every(([k, v]) => this.narrowed.get(k) === v)
            ? this : new RangeWalker(this.hooks, this.defArgs, out, this.defs, this.budget);
    }

    private collectNarrowing(cond: ast.Expression | undefined, holds: boolean, out: Map<unknown, Interval>): void {
        if (!cond) return;
        if (ast.isUnaryExpr(cond) && cond.operator === 'not') { this.collectNarrowing(cond.operand, !holds, out); return; }
        if (!ast.isBinaryExpr(cond)) return;
        const op = cond.operator;
        if ((op === 'and' && holds) || (op === 'or' && !holds)) {
            this.collectNarrowing(cond.left, holds, out);
            this.collectNarrowing(cond.right, holds, out);
            return;
        }
        if (op !== '<' && op !== '<=' && op !== '>' && op !== '>=') return;
        // x < y holds: x ≤ y.hi and y ≥ x.lo; fails: x ≥ y.lo and y ≤ x.hi.
        const less = (op === '<' || op === '<=') === holds;
        const l = this.value(cond.left), r = this.value(cond.right);
        if (!isInterval(l) || !isInterval(r)) return;
        const put = (side: ast.Expression, bound: Interval): void => {
            const t = ast.isRef(side) ? side.ref?.ref : undefined;
            if (!ast.isParamDecl(t) && !ast.isDefParam(t)) return;
            const prev = out.get(t);
            out.set(t, prev ? intersect(prev, bound) : bound);
        };
        put(cond.left, less ? { lo: -Infinity, hi: r.hi } : { lo: r.lo, hi: Infinity });
        put(cond.right, less ? { lo: l.lo, hi: Infinity } : { lo: -Infinity, hi: l.hi });
    }
}

function union(a: ValueRange, b: ValueRange): ValueRange | undefined {
    if (isInterval(a) && isInterval(b)) return hullOf(a, b);
    if (!isInterval(a) && !isInterval(b)) return { canTrue: a.canTrue || b.canTrue, canFalse: a.canFalse || b.canFalse };
    return undefined;
}

/** ALL when a range is unknown: for callers that need a (sound) range whatever happens. */
export function orAll(r: Interval | undefined): Interval {
    return r ?? ALL;
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
