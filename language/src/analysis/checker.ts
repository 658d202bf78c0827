/**
 * One pass over a strategy (or a standalone def) that infers, for every expression, its type
 * and unit, its look-back in bars, and whether it reads close-time data of the current bar,
 * peeks through a resample or reads the future, with the chain of nodes that causes it.
 * Type, unit, arity, cycle and lookahead-at-the-source findings are collected on the way.
 * Look-back indices and resample offsets are decided over the whole param space: bounded by the
 * range analysis (constant-eval.ts, rangeOf), and where that bound reaches the future, decided
 * exactly over the sweep grid under the constraints when the grid is small enough to enumerate.
 *
 * Every expression is visited once (declarations are memoised; defs are instantiated per call
 * site, which is bounded by the size of the def), so the pass is linear in the file.
 */
import { AstUtils, type AstNode } from 'langium';
import * as ast from '../generated/ast.js';
import type { Catalogue, FunctionInfo, TypeSpec, UnitSpec } from '../catalogue/catalogue.js';
import {
    BARS, DIMENSIONLESS, UNKNOWN, bool, divUnits, formatType, formatUnit, isDimensionless, joinShape, joinUnits,
    mulUnits, num, unitsEqual, type Ty, type Unit,
} from './types.js';
import { durationMs } from './duration.js';
import type { Chain, ChainStep, Finding } from './findings.js';
import { textOf } from './source-text.js';
import { suggest } from '../util/did-you-mean.js';
import { percentOnScaleFinding, rollingExtremeFinding } from './authoring-lints.js';
import { constantOf, EITHER, MAX_RANGE_STEPS, rangeOf, valueRangeOf, type RangeBudget, type RangeHooks, type ValueRange } from './constant-eval.js';
import { isEmpty, point, type Interval, type Scalar } from './scalar-ops.js';
import { evaluate, mentions, type ParamSpace } from './params.js';

/** How an expression is evaluated before the run: its value with the defaults, or its least or greatest value over the param ranges. */
export type ConstMode = 'default' | 'min' | 'max';

/** Grids of at most this many points are enumerated to decide a lookahead exactly; larger ones are bounded by intervals. */
const MAX_LOOKAHEAD_ENUMERATION = 100_000;
/** …and at most this many expression nodes visited over the whole grid (points × the size of the walk). */
const MAX_LOOKAHEAD_STEPS = 2_000_000;

/** One point of the param space: a value for some params. */
export type Assignment = ReadonlyMap<ast.ParamDecl, Scalar>;

/** The least value of an expression over the sweep grid and a point where it is taken; 'none' when it has no value anywhere. */
type GridMinimum = { readonly value: number; readonly at: Assignment } | 'none';

export type Decl = ast.ParamDecl | ast.FeatureDecl | ast.SignalDecl;

export interface Facts {
    readonly ty: Ty;
    /** Bars of history needed before the value is defined, with default params. */
    readonly lookback: number;
    /** Upper bound of the look-back over the param ranges. */
    readonly lookbackMax: number;
    /** The call or index that sets the look-back. */
    readonly lookbackAt?: AstNode;
    /** Reads data only known at the close of the current bar; the chain leads to it. */
    readonly current?: Chain;
    /** Reads the final value of a coarse bar that is still forming (resample offset 0). */
    readonly peek?: Chain;
    /** Reads a future bar (negative index). */
    readonly future?: Chain;
}

const UNKNOWN_FACTS: Facts = { ty: UNKNOWN, lookback: 0, lookbackMax: 0 };
const scalarFacts = (ty: Ty): Facts => ({ ty, lookback: 0, lookbackMax: 0 });

/** Arguments of a def being instantiated: each DefParam is bound to the caller's expression. */
interface Env {
    readonly def: ast.FunctionDef;
    readonly call: ast.Call;
    readonly args: ReadonlyMap<ast.DefParam, { readonly expr: ast.Expression; readonly facts: Facts; readonly env: Env | undefined }>;
    readonly depth: number;
    /** Inside a def checked on its own (checkDefStandalone): its parameters have no values, so no range either. */
    readonly standalone?: boolean;
}

export interface CheckerContext {
    readonly catalogue: Catalogue;
    /** Strategy timeframe in ms, for resample checks. */
    readonly timeframeMs?: number;
    /** Number of assets in the universe. */
    readonly universeSize: number;
    /** The sweep grid and constraints, to decide look-backs and offsets over every combination a sweep can run. */
    readonly params?: ParamSpace;
}

/** What the checker's findings are about: types, units, arity, arguments and cycles, or lookahead at its source. */
export type CheckerConcern = 'expressions' | 'lookahead';

export class Checker {
    readonly findings: Readonly<Record<CheckerConcern, Finding[]>> = { expressions: [], lookahead: [] };
    /** Facts of every expression checked outside def instantiation. */
    readonly facts = new Map<AstNode, Facts>();
    /** Which declarations each owner (a declaration or a sink) references directly. */
    readonly deps = new Map<AstNode, Set<Decl>>();
    /** Cross-sectional calls seen (for AF209). */
    readonly crossSectionalCalls: ast.Call[] = [];

    private readonly declFacts = new Map<Decl, Facts>();
    private readonly inProgress: Decl[] = [];
    private owner: AstNode | undefined;
    private readonly defStack: ast.FunctionDef[] = [];
    /** Findings raised inside a def body while instantiating it (reported at the call site). */
    private captured: { finding: Finding; concern: CheckerConcern }[] | undefined;
    private readonly standaloneDefFindings = new Set<string>();

    constructor(private readonly ctx: CheckerContext) {}

    // ------------------------------------------------------------------ entry points

    /** Check an expression on behalf of `owner` (a declaration or a sink such as a rule). */
    check(owner: AstNode, e: ast.Expression | undefined): Facts {
        const prev = this.owner;
        this.owner = owner;
        try {
            return this.expr(e, undefined);
        } finally {
            this.owner = prev;
        }
    }

    /** Facts of a param, feature or signal (memoised, cycle-checked). */
    decl(d: Decl, via?: ast.Ref): Facts {
        const done = this.declFacts.get(d);
        if (done) return done;
        const at = this.inProgress.indexOf(d);
        if (at >= 0) {
            const cycle = [...this.inProgress.slice(at), d].map(x => x.name).join(' → ');
            this.report({ code: 'AF005', node: via ?? d, message: `Cyclic definition: ${cycle}. A declaration cannot depend on itself; use a look-back of an input (e.g. close[1]) instead.` });
            return UNKNOWN_FACTS;
        }
        if (ast.isParamDecl(d)) {
            const f = scalarFacts(this.paramType(d));
            this.declFacts.set(d, f);
            return f;
        }
        this.inProgress.push(d);
        const prevOwner = this.owner;
        this.owner = d;
        let f: Facts;
        try {
            f = this.expr(d.value, undefined);
        } finally {
            this.owner = prevOwner;
            this.inProgress.pop();
        }
        this.declFacts.set(d, f);
        return f;
    }

    /** Type-check a def body on its own, with parameters of unknown type (only errors that hold for every call). */
    checkDefStandalone(def: ast.FunctionDef): void {
        const before = { expressions: this.findings.expressions.length, lookahead: this.findings.lookahead.length };
        const env: Env = {
            def, call: undefined as unknown as ast.Call, depth: 0, standalone: true,
            args: new Map(def.params.map(p => [p, { expr: undefined as unknown as ast.Expression, facts: this.defParamFacts(p), env: undefined }])),
        };
        this.defStack.push(def);
        try {
            this.expr(def.body, env);
        } finally {
            this.defStack.pop();
        }
        for (const f of [...this.findings.expressions.slice(before.expressions), ...this.findings.lookahead.slice(before.lookahead)]) {
            this.standaloneDefFindings.add(findingKey(f));
        }
    }

    paramType(p: ast.ParamDecl): Ty {
        if (p.type === 'bool') return bool('scalar');
        const unit = p.default ? this.literalUnit(p.default) : 'any';
        return num('scalar', unit, { int: p.type === 'int', display: literalDisplay(p.default) });
    }

    // ------------------------------------------------------------------ constants

    /**
     * Constant value of an expression (constant-eval.ts): literals, params (their default),
     * def parameters (the caller's argument) and operations on them; in 'min'/'max' mode the
     * least/greatest value over the param ranges (range below). Undefined for anything that
     * varies along time, and for a bound that is not finite.
     */
    constValue(e: ast.Expression | undefined, mode: ConstMode = 'default', env?: Env): Scalar | undefined {
        if (mode === 'default') return constantOf(e, ref => this.refValue(ref, env));
        const r = this.range(e, env);
        const v = r && !isEmpty(r) ? (mode === 'min' ? r.lo : r.hi) : undefined;
        return v !== undefined && Number.isFinite(v) ? v : undefined;
    }

    /**
     * The range of a value fixed for the run over the param space: each param over its range (and
     * its default), or at the point `at` gives it; def parameters over their arguments' ranges.
     * Undefined when it cannot be bounded (it varies along time, or names something unknown).
     */
    range(e: ast.Expression | undefined, env?: Env, at?: Assignment, budget: RangeBudget = { left: MAX_RANGE_STEPS }): Interval | undefined {
        return rangeOf(e, this.rangeHooks(env, at, budget), budget);
    }

    private rangeHooks(env: Env | undefined, at: Assignment | undefined, budget: RangeBudget): RangeHooks {
        return {
            ref: (ref): ValueRange | undefined => {
                const t = ref.ref?.ref;
                if (ast.isParamDecl(t)) {
                    const v = at?.get(t);
                    if (typeof v === 'number') return point(v);
                    if (typeof v === 'boolean') return { canTrue: v, canFalse: !v };
                    return this.paramRange(t);
                }
                if (ast.isDefParam(t) && env) {
                    const arg = env.args.get(t);
                    return arg?.expr ? valueRangeOf(arg.expr, this.rangeHooks(arg.env, at, budget), budget) : undefined;
                }
                return undefined;
            },
        };
    }

    /** A param over its range and its default (the default backtest runs it even off the range); a bool param is either. */
    private paramRange(t: ast.ParamDecl): ValueRange | undefined {
        if (t.type === 'bool') return EITHER;
        const def = this.constValue(t.default);
        const lo = t.low ? this.constValue(t.low) : undefined, hi = t.high ? this.constValue(t.high) : undefined;
        const d = typeof def === 'number' ? point(def) : undefined;
        if (typeof lo === 'number' && typeof hi === 'number' && lo <= hi) return d ? { lo: Math.min(lo, d.lo), hi: Math.max(hi, d.hi) } : { lo, hi };
        return d;
    }

    private refValue(e: ast.Ref, env: Env | undefined): Scalar | undefined {
        const t = e.ref?.ref;
        if (ast.isParamDecl(t)) return this.constValue(t.default);
        if (ast.isDefParam(t) && env) {
            const arg = env.args.get(t);
            return arg?.expr ? this.constValue(arg.expr, 'default', arg.env) : undefined;
        }
        return undefined;
    }

    /**
     * The least value of a value fixed for the run over every combination a sweep (or the default
     * backtest) can run: the grid values and default of each param it depends on, under the
     * constraints between those params. Undefined when that is not enumerable (a continuous range,
     * a grid over MAX_LOOKAHEAD_ENUMERATION points, a name without a range).
     */
    gridMinimum(e: ast.Expression, env: Env | undefined): GridMinimum | undefined {
        const space = this.ctx.params;
        if (!space) return undefined;
        const probe: RangeBudget = { left: MAX_RANGE_STEPS };
        if (this.range(e, env, undefined, probe) === undefined) return undefined;
        const steps = MAX_RANGE_STEPS - probe.left;
        // The params it depends on, also through the arguments of the def being checked.
        const used = new Set<ast.ParamDecl>();
        this.collectParams(e, env, used, new Set());
        const params = space.params.filter(p => used.has(p.decl));
        const lists: Scalar[][] = [];
        let total = 1;
        for (const p of params) {
            if (!p.values) return undefined;
            const vs: Scalar[] = [...p.values];
            if (p.default !== undefined && !vs.includes(p.default)) vs.push(p.default);
            lists.push(vs);
            total *= vs.length;
            if (total > MAX_LOOKAHEAD_ENUMERATION || total * steps > MAX_LOOKAHEAD_STEPS) return undefined;
        }
        const strategy = space.params[0]?.decl.$container;
        const constraints = (ast.isStrategy(strategy) ? strategy.members : []).filter(ast.isConstraintDecl)
            .filter(c => c.condition && space.params.every(p => used.has(p.decl) || !mentions(c.condition, p.decl)));
        let best: GridMinimum = 'none';
        const assign = new Map<ast.ParamDecl, Scalar>();
        const rec = (i: number): void => {
            if (i === params.length) {
                if (constraints.some(c => evaluate(c.condition, assign) === false)) return;
                const r = this.range(e, env, assign);
                if (r && !isEmpty(r) && (best === 'none' || r.lo < best.value)) best = { value: r.lo, at: new Map(assign) };
                return;
            }
            for (const v of lists[i]!) { assign.set(params[i]!.decl, v); rec(i + 1); }
        };
        rec(0);
        return best;
    }

    private collectParams(e: AstNode | undefined, env: Env | undefined, out: Set<ast.ParamDecl>, seen: Set<AstNode>): void {
        if (!e || seen.has(e)) return;
        seen.add(e);
        for (const n of AstUtils.streamAst(e)) {
            if (!ast.isRef(n)) continue;
            const t = n.ref?.ref;
            if (ast.isParamDecl(t)) out.add(t);
            else if (ast.isDefParam(t) && env) {
                const arg = env.args.get(t);
                if (arg?.expr) this.collectParams(arg.expr, arg.env, out, seen);
            }
        }
    }

    /**
     * Whether a value fixed for the run (a look-back index, a resample offset) falls below `limit`
     * at some combination of params a sweep or the default backtest can run: the least such value
     * and, from the grid, a combination where it is taken; undefined when it never does;
     * 'unbounded' when its range cannot be bounded. Exact on enumerable grids, an interval bound
     * (which may say yes where no grid point does) otherwise.
     */
    private below(e: ast.Expression | undefined, env: Env | undefined, limit: number): { least: number; at?: Assignment; range: Interval } | 'unbounded' | undefined {
        if (!e) return undefined;
        const r = this.range(e, env);
        if (!r) return 'unbounded';
        if (isEmpty(r) || r.lo >= limit) return undefined;
        const g = this.gridMinimum(e, env);
        if (g === 'none') return undefined;
        if (g) return g.value < limit ? { least: g.value, at: g.at, range: r } : undefined;
        return { least: r.lo, range: r };
    }

    /** `when a = -1, b = 3`, or the range over the param ranges; nothing for a constant. */
    private where(e: ast.Expression, b: { at?: Assignment; range: Interval }): string {
        if (b.at) return b.at.size === 0 ? '' : ` when ${[...b.at].map(([p, v]) => `${p.name} = ${v}`).join(', ')}`;
        const f = (x: number): string => (x === Infinity ? '∞' : x === -Infinity ? '−∞' : String(+x.toPrecision(6)));
        return ` for some params (\`${textOf(e)}\` lies in [${f(b.range.lo)}, ${f(b.range.hi)}] over the param ranges)`;
    }

    /** AF104: a value a lookahead check needs has no range the analysis can compute; say so rather than pass it. */
    private cannotBound(at: AstNode, e: ast.Expression, what: string): void {
        this.report({
            code: 'AF104', node: e,
            message: `Cannot bound the ${what} \`${textOf(e)}\` over the param ranges, so whether \`${textOf(at)}\` reads the future is not checked. Write it from literals, params with literal ranges, arithmetic, if and defs.`,
        }, 'lookahead');
    }

    // ------------------------------------------------------------------ expressions

    private expr(e: ast.Expression | undefined, env: Env | undefined): Facts {
        if (!e) return UNKNOWN_FACTS;
        const f = this.exprUncached(e, env);
        if (!env) this.facts.set(e, f);
        return f;
    }

    private exprUncached(e: ast.Expression, env: Env | undefined): Facts {
        switch (e.$type) {
            case 'NumberLit': return scalarFacts(literalType(e as ast.NumberLit));
            case 'BoolLit': return scalarFacts(bool('scalar'));
            case 'StringLit': return scalarFacts({ kind: 'string', shape: 'scalar', unit: DIMENSIONLESS });
            case 'DurationLit': {
                const d = e as ast.DurationLit;
                if (durationMs(d.value) === undefined) this.report({ code: 'AF206', node: e, message: `'${d.value}' is not a duration; write e.g. 5m, 1h, 1d, 1w.` });
                return scalarFacts({ kind: 'duration', shape: 'scalar', unit: DIMENSIONLESS });
            }
            case 'Ref': return this.ref(e as ast.Ref, env);
            case 'UnaryExpr': return this.unary(e as ast.UnaryExpr, env);
            case 'BinaryExpr': return this.binary(e as ast.BinaryExpr, env);
            case 'IfExpr': return this.ifExpr(e as ast.IfExpr, env);
            case 'IndexExpr': return this.index(e as ast.IndexExpr, env);
            case 'MemberExpr': return this.member(e as ast.MemberExpr, env);
            case 'Call': return this.call(e as ast.Call, env);
            default: return UNKNOWN_FACTS;
        }
    }

    private ref(e: ast.Ref, env: Env | undefined): Facts {
        const t = e.ref?.ref;
        if (!t) return UNKNOWN_FACTS;
        if (ast.isParamDecl(t) || ast.isFeatureDecl(t) || ast.isSignalDecl(t)) {
            this.addDep(t);
            const f = this.decl(t, e);
            // Most declarations carry no lookahead chain: their facts are shared as they are.
            if (ast.isParamDecl(t) || (!f.current && !f.peek && !f.future)) return f;
            const step = { node: t, label: `${ast.isFeatureDecl(t) ? 'feature' : 'signal'} ${t.name}` };
            return {
                ...f,
                current: f.current && [step, ...f.current],
                peek: f.peek && [step, ...f.peek],
                future: f.future && [step, ...f.future],
            };
        }
        if (ast.isDefParam(t)) {
            const arg = env?.args.get(t);
            return arg ? arg.facts : this.defParamFacts(t);
        }
        if (ast.isAsset(t)) return scalarFacts({ kind: 'asset', shape: 'scalar', unit: DIMENSIONLESS });
        if (ast.isExternField(t)) return this.fieldFacts(t.name, e, t.name);
        if (ast.isExternConst(t)) {
            const c = this.ctx.catalogue.constant(t.name);
            return scalarFacts({ kind: 'enum', shape: 'scalar', unit: DIMENSIONLESS, enumType: c?.enumType });
        }
        return UNKNOWN_FACTS;
    }

    private fieldFacts(name: string, node: AstNode, label: string): Facts {
        const field = this.ctx.catalogue.field(name);
        if (!field) return UNKNOWN_FACTS;
        const spec = this.ctx.catalogue.fieldSpec(name);
        const ty = spec ? this.specResult(spec, new Map(), 'series') : UNKNOWN;
        return { ty, lookback: 0, lookbackMax: 0, current: field.knownAtOpen ? undefined : [{ node, label: `${label} (bar t, known at its close)` }] };
    }

    private defParamFacts(p: ast.DefParam): Facts {
        switch (p.type) {
            case 'int': return scalarFacts(num('scalar', 'any', { int: true }));
            case 'float': return scalarFacts(num('scalar', 'any'));
            case 'bool': return scalarFacts(bool('series'));
            case 'duration': return scalarFacts({ kind: 'duration', shape: 'scalar', unit: DIMENSIONLESS });
            case 'series': return scalarFacts(num('series', 'any'));
            default: return UNKNOWN_FACTS;
        }
    }

    private unary(e: ast.UnaryExpr, env: Env | undefined): Facts {
        const f = this.expr(e.operand, env);
        if (e.operator === 'not') {
            this.expectKind(f.ty, 'bool', e.operand, '`not` needs a condition');
            return { ...f, ty: bool(f.ty.shape) };
        }
        this.expectKind(f.ty, 'num', e.operand, `unary '${e.operator}' needs a number`);
        return f;
    }

    private binary(e: ast.BinaryExpr, env: Env | undefined): Facts {
        const l = this.expr(e.left, env), r = this.expr(e.right, env);
        const merged = mergeFacts([l, r]);
        const shape = joinShape(l.ty.shape, r.ty.shape);
        const op = e.operator;
        if (op === 'and' || op === 'or') {
            this.expectKind(l.ty, 'bool', e.left, `'${op}' joins conditions`);
            this.expectKind(r.ty, 'bool', e.right, `'${op}' joins conditions`);
            return { ...merged, ty: bool(shape) };
        }
        if (op === '==' || op === '!=') {
            if (known(l.ty) && known(r.ty) && l.ty.kind !== r.ty.kind) {
                this.report({ code: 'AF201', node: e, message: `Cannot compare ${formatType(l.ty)} with ${formatType(r.ty)}.` });
            } else if (l.ty.kind === 'num' && r.ty.kind === 'num') {
                this.expectSameUnit(e, l.ty, r.ty, 'compare');
                const percentOnScale = percentOnScaleFinding(e, this.ctx.catalogue);
                if (percentOnScale) this.report(percentOnScale);
            }
            return { ...merged, ty: bool(shape) };
        }
        this.expectKind(l.ty, 'num', e.left, `'${op}' needs numbers`);
        this.expectKind(r.ty, 'num', e.right, `'${op}' needs numbers`);
        if (op === '<' || op === '<=' || op === '>' || op === '>=') {
            if (l.ty.kind === 'num' && r.ty.kind === 'num') this.expectSameUnit(e, l.ty, r.ty, 'compare');
            const percentOnScale = percentOnScaleFinding(e, this.ctx.catalogue);
            if (percentOnScale) this.report(percentOnScale);
            return { ...merged, ty: bool(shape) };
        }
        if (l.ty.kind !== 'num' || r.ty.kind !== 'num') return { ...merged, ty: num(shape, 'any') };
        if (op === '+' || op === '-') {
            this.expectSameUnit(e, l.ty, r.ty, op === '+' ? 'add' : 'subtract');
            const display = l.ty.display ?? r.ty.display;
            return { ...merged, ty: num(shape, joinUnits(l.ty.unit, r.ty.unit), { int: l.ty.int && r.ty.int, display }) };
        }
        const unit = op === '*' ? mulUnits(l.ty.unit, r.ty.unit) : divUnits(l.ty.unit, r.ty.unit);
        return { ...merged, ty: num(shape, unit, { int: op === '*' && l.ty.int && r.ty.int }) };
    }

    private ifExpr(e: ast.IfExpr, env: Env | undefined): Facts {
        const c = this.expr(e.condition, env), a = this.expr(e.then, env), b = this.expr(e.else, env);
        this.expectKind(c.ty, 'bool', e.condition, '`if` needs a condition');
        const merged = mergeFacts([c, a, b]);
        const shape = joinShape(c.ty.shape, joinShape(a.ty.shape, b.ty.shape));
        if (known(a.ty) && known(b.ty)) {
            if (a.ty.kind !== b.ty.kind) {
                this.report({ code: 'AF201', node: e, message: `The branches of 'if' differ: ${formatType(a.ty)} and ${formatType(b.ty)}.` });
            } else if (a.ty.kind === 'num') {
                this.expectSameUnit(e, a.ty, b.ty, 'choose between');
                return { ...merged, ty: num(shape, joinUnits(a.ty.unit, b.ty.unit)) };
            }
        }
        const base = known(a.ty) ? a.ty : b.ty;
        return { ...merged, ty: { ...base, shape } };
    }

    private index(e: ast.IndexExpr, env: Env | undefined): Facts {
        const base = this.expr(e.base, env);
        const idx = this.expr(e.index, env);
        if (known(base.ty) && base.ty.shape !== 'series') {
            this.report({ code: 'AF201', node: e, message: `Only series have a history: \`${textOf(e.base)}\` is a ${formatType(base.ty)}, so \`[${textOf(e.index)}]\` reads the same value.` });
        }
        if (known(idx.ty) && idx.ty.shape === 'series') {
            this.report({ code: 'AF205', node: e.index, message: `The look-back index must be a constant or a param, not a series (\`${textOf(e.index)}\`).` });
            return { ...base, lookbackAt: e };
        }
        const numeric = this.expectKind(idx.ty, 'num', e.index, 'a look-back index is a number of bars');
        const r = this.range(e.index, env);
        const def = this.constValue(e.index, 'default', env);
        if (typeof def === 'number' && !Number.isInteger(def)) {
            this.report({ code: 'AF206', node: e.index, message: `A look-back index counts bars and must be a whole number, not ${def}.` });
        }
        let future = base.future;
        const below = this.below(e.index, env, 0);
        if (below === 'unbounded') {
            if (numeric && idx.ty.kind === 'num' && !env?.standalone) this.cannotBound(e, e.index, 'look-back index');
        } else if (below) {
            const bars = -below.least;
            const far = Number.isFinite(bars) ? `${bars} bar${bars === 1 ? '' : 's'}` : 'arbitrarily far';
            const chain: Chain = [{ node: e, label: `${textOf(e)} (bar t+${Number.isFinite(bars) ? bars : '∞'})` }];
            this.report({
                code: 'AF101', node: e.index,
                message: `Lookahead: \`${textOf(e)}\` reads ${far} into the future${this.where(e.index, below)}. Use a look-back n ≥ 0 (x[1] is the previous bar).`,
                data: pastIndexFix(e.index),
            }, 'lookahead');
            future = future ?? chain;
        }
        const n = typeof def === 'number' ? Math.max(0, def) : 0;
        const nMax = r && !isEmpty(r) && Number.isFinite(r.hi) ? Math.max(0, r.hi, n) : n;
        const lagged = r !== undefined && !isEmpty(r) && r.lo >= 1;
        return {
            ty: base.ty,
            lookback: base.lookback + n,
            lookbackMax: base.lookbackMax + nMax,
            lookbackAt: n > 0 ? e : base.lookbackAt,
            current: lagged ? undefined : base.current,
            peek: base.peek,
            future,
        };
    }

    private member(e: ast.MemberExpr, env: Env | undefined): Facts {
        // `a.` with the member still to be typed: the parser has reported it; nothing to check.
        if ((e.member as string | undefined) === undefined) return UNKNOWN_FACTS;
        const recv = e.receiver;
        if (ast.isRef(recv) && ast.isAsset(recv.ref?.ref)) {
            const alias = recv.ref.ref;
            if (!this.ctx.catalogue.field(e.member)) {
                const fields = this.ctx.catalogue.allEntries().filter(x => x.kind === 'field').map(x => x.name);
                const s = suggest(e.member, fields);
                this.report({ code: 'AF207', node: e, property: 'member', message: `Asset '${alias.name}' has no field '${e.member}'${s ? `; did you mean '${s}'?` : `. Fields: ${fields.join(', ')}.`}`, data: s ? { code: 'AF207', suggestion: s } : undefined });
                return UNKNOWN_FACTS;
            }
            return this.fieldFacts(e.member, e, `${alias.name}.${e.member}`);
        }
        const f = this.expr(recv, env);
        const call = multiOutputCall(recv);
        if (call) {
            const info = this.ctx.catalogue.fn(call.func?.ref?.name ?? '');
            const outputs = info?.entry.outputs;
            if (outputs) {
                if (!outputs.includes(e.member)) {
                    // The member is missing after a syntax error (`macd(close).`): nothing to suggest.
                    const s = e.member ? suggest(e.member, outputs) : undefined;
                    this.report({ code: 'AF207', node: e, property: 'member', message: `${info.entry.name}() has no output '${e.member}'${s ? `; did you mean '${s}'?` : ''}. Outputs: ${outputs.join(', ')}.`, data: s ? { code: 'AF207', suggestion: s } : undefined });
                }
                return f;
            }
        }
        if (known(f.ty)) {
            this.report({ code: 'AF207', node: e, property: 'member', message: `\`.${e.member}\` applies only to asset aliases (a.close) and multi-output functions (macd(close).hist); \`${textOf(recv)}\` is a ${formatType(f.ty)}.` });
        }
        return UNKNOWN_FACTS;
    }

    // ------------------------------------------------------------------ calls

    private call(e: ast.Call, env: Env | undefined): Facts {
        const target = e.func?.ref;
        if (!target) {
            for (const a of e.args) this.expr(a.value, env);
            return UNKNOWN_FACTS;
        }
        if (ast.isFunctionDef(target)) return this.callDef(e, target, env);
        const info = this.ctx.catalogue.fn(target.name);
        if (!info) {
            for (const a of e.args) this.expr(a.value, env);
            return UNKNOWN_FACTS;
        }
        return this.callBuiltin(e, info, env);
    }

    /** Matches positional then named arguments to parameter names; reports AF203/AF204. */
    private bindArgs(e: ast.Call, names: readonly string[], required: (i: number) => boolean, fname: string): (ast.Argument | undefined)[] {
        const bound: (ast.Argument | undefined)[] = names.map(() => undefined);
        let positional = 0, sawNamed = false;
        for (const a of e.args) {
            if (a.name) {
                sawNamed = true;
                const i = names.indexOf(a.name);
                if (i < 0) {
                    const s = suggest(a.name, names);
                    this.report({ code: 'AF204', node: a, property: 'name', message: `${fname}() has no parameter '${a.name}'${s ? `; did you mean '${s}'?` : ''}. Parameters: ${names.join(', ')}.`, data: s ? { code: 'AF204', suggestion: s } : undefined });
                } else if (bound[i]) {
                    this.report({ code: 'AF204', node: a, property: 'name', message: `'${a.name}' of ${fname}() is given twice.` });
                } else {
                    bound[i] = a;
                }
            } else {
                if (sawNamed) {
                    this.report({ code: 'AF204', node: a, message: `A positional argument cannot follow named ones in ${fname}(); name it (${names[positional] ?? 'no such parameter'}=…).` });
                }
                if (positional >= names.length) {
                    this.report({ code: 'AF203', node: a, message: `${fname}() takes ${names.length} argument${names.length === 1 ? '' : 's'} (${names.join(', ')}); this is argument ${positional + 1}.` });
                } else if (bound[positional]) {
                    this.report({ code: 'AF204', node: a, message: `'${names[positional]}' of ${fname}() is given twice.` });
                } else {
                    bound[positional] = a;
                }
                positional++;
            }
        }
        const missing = names.filter((_, i) => !bound[i] && required(i));
        if (missing.length > 0) {
            this.report({ code: 'AF203', node: e, message: `${fname}() is missing ${missing.map(m => `'${m}'`).join(', ')} (signature: ${fname}(${names.join(', ')})).` });
        }
        return bound;
    }

    private callBuiltin(e: ast.Call, info: FunctionInfo, env: Env | undefined): Facts {
        const fname = info.entry.name;
        const bound = this.bindArgs(e, info.params.map(p => p.name), i => info.params[i]!.default === undefined, fname);
        const argFacts: Facts[] = [];
        const units = new Map<string, { unit: Unit; from: string }>();
        const values: Record<string, number> = {}, maxValues: Record<string, number> = {};
        let argShape: 'scalar' | 'series' = 'scalar';
        let offsetFacts: Facts | undefined;
        const argTypes: (Ty | undefined)[] = [];
        for (let i = 0; i < info.params.length; i++) {
            const p = info.params[i]!;
            const arg = bound[i];
            if (!arg) {
                if (typeof p.default === 'number') { values[p.name] = p.default; maxValues[p.name] = p.default; }
                continue;
            }
            const f = this.expr(arg.value, env);
            argTypes[i] = f.ty;
            if (p.name === 'offset') offsetFacts = f;
            argFacts.push(f);
            if (f.ty.kind === 'num' || f.ty.kind === 'bool') argShape = joinShape(argShape, f.ty.shape);
            this.checkArg(fname, p, p.spec, arg, f, units, env);
            if (p.spec.form === 'num' && p.spec.shape === 'const') {
                const v = this.constValue(arg.value, 'default', env), hi = this.constValue(arg.value, 'max', env);
                if (typeof v === 'number') values[p.name] = v;
                if (typeof hi === 'number') maxValues[p.name] = hi;
            }
        }
        if (info.entry.crossSectional) this.crossSectionalCalls.push(e);
        const rollingMeant = rollingExtremeFinding(e, fname, bound, argTypes, this.ctx.catalogue);
        if (rollingMeant) this.report(rollingMeant);

        // Result type.
        const shapeHint = info.returns.form === 'num' && info.returns.shape === 'any' ? argShape : 'series';
        const ty = this.specResult(info.returns, new Map([...units].map(([k, v]) => [k, v.unit])), shapeHint);

        // Look-back: own formula on top of the deepest input.
        const own = safeFormula(info, values), ownMax = safeFormula(info, { ...values, ...maxValues });
        let inputLb = 0, inputLbMax = 0, at: AstNode | undefined;
        for (const f of argFacts) {
            if (f.lookback > inputLb) { inputLb = f.lookback; at = f.lookbackAt; }
            inputLbMax = Math.max(inputLbMax, f.lookbackMax);
        }
        let lookback = inputLb + own, lookbackMax = inputLbMax + ownMax;
        const merged = mergeFacts(argFacts);
        let current: Chain | undefined = merged.current ? [lazyStep(e), ...merged.current] : undefined;
        if (!current && info.entry.reads?.length) {
            current = [lazyStep(e, ` (reads ${info.entry.reads.join('/')} of bar t)`)];
        }
        let peek: Chain | undefined = merged.peek ? [lazyStep(e), ...merged.peek] : undefined;

        if (info.entry.resamples) {
            const tfArg = bound[info.params.findIndex(p => p.spec.form === 'duration')];
            const tfMs = ast.isDurationLit(tfArg?.value) ? durationMs(tfArg.value.value) : undefined;
            const offset = typeof values['offset'] === 'number' ? values['offset'] : 1;
            const offsetMax = typeof maxValues['offset'] === 'number' ? Math.max(maxValues['offset'], offset) : offset;
            const offsetArg = bound[info.params.findIndex(p => p.name === 'offset')];
            if (tfMs !== undefined && this.ctx.timeframeMs !== undefined) {
                if (tfMs <= this.ctx.timeframeMs) {
                    this.report({ code: 'AF206', node: tfArg!, message: `resample() goes to a coarser timeframe: ${tfArg!.value.$cstNode?.text} is not coarser than the strategy's timeframe.` });
                } else if (tfMs % this.ctx.timeframeMs !== 0) {
                    this.report({ code: 'AF206', node: tfArg!, message: `resample() needs a whole multiple of the strategy's timeframe.` });
                } else {
                    const ratio = tfMs / this.ctx.timeframeMs;
                    lookback = (inputLb + own + Math.max(offset, 0) + 1) * ratio;
                    lookbackMax = (inputLbMax + ownMax + Math.max(offsetMax, 0) + 1) * ratio;
                }
            }
            // Over every offset a sweep can run, not only the default (a param offset in 0..2 peeks at 0).
            const peeks = offsetArg ? this.below(offsetArg.value, env, 1) : offset < 1 ? { least: offset, at: new Map(), range: point(offset) } : undefined;
            if (peeks === 'unbounded') {
                if (offsetFacts?.ty.kind === 'num' && offsetFacts.ty.shape !== 'series' && !env?.standalone) this.cannotBound(e, offsetArg!.value, 'resample offset');
            } else if (peeks) {
                const chain: Chain = [{ node: e, label: `${textOf(e)} (the coarse bar still forming)` }];
                this.report({
                    code: 'AF103', node: offsetArg ?? e,
                    message: `Lookahead: \`${textOf(e)}\` reads the final value of the coarse bar that is still forming${offsetArg ? this.where(offsetArg.value, peeks) : ''}; it is only known when that bar closes. Use offset=1 (the default: the last closed bar).`,
                    data: ast.isNumberLit(offsetArg?.value) ? { code: 'AF103', replacement: offsetArg.name ? `${offsetArg.name}=1` : '1' } : undefined,
                }, 'lookahead');
                peek = peek ?? chain;
            }
        }
        return { ty, lookback, lookbackMax, lookbackAt: own > 0 || !at ? e : at, current, peek, future: merged.future };
    }

    private checkArg(
        fname: string, p: { readonly name: string; readonly min?: number }, spec: TypeSpec,
        arg: ast.Argument, f: Facts, units: Map<string, { unit: Unit; from: string }>, env: Env | undefined,
    ): void {
        const where = `'${p.name}' of ${fname}()`;
        if (!known(f.ty)) return;
        switch (spec.form) {
            case 'bool':
                this.expectKind(f.ty, 'bool', arg.value, `${where} is a condition`);
                return;
            case 'duration':
                this.expectKind(f.ty, 'duration', arg.value, `${where} is a duration such as 1d`);
                return;
            case 'enum':
                if (f.ty.kind !== 'enum' || f.ty.enumType !== spec.enumType) {
                    this.report({ code: 'AF201', node: arg.value, message: `${where} takes one of: ${this.ctx.catalogue.enumValues(spec.enumType).join(', ')}.` });
                }
                return;
            case 'num': {
                if (!this.expectKind(f.ty, 'num', arg.value, `${where} is a number`)) return;
                if (spec.shape === 'const') {
                    if (f.ty.shape === 'series') {
                        this.report({ code: 'AF205', node: arg.value, message: `${where} must be fixed for the whole run (a number or a param), not the series \`${textOf(arg.value)}\`.` });
                        return;
                    }
                    const v = this.constValue(arg.value, 'default', env);
                    const lo = this.constValue(arg.value, 'min', env);
                    if (spec.int && typeof v === 'number' && !Number.isInteger(v)) {
                        this.report({ code: 'AF206', node: arg.value, message: `${where} must be a whole number, not ${v}.` });
                    }
                    if (p.min !== undefined && typeof lo === 'number' && lo < p.min) {
                        this.report({ code: 'AF206', node: arg.value, message: `${where} must be at least ${p.min}, but can be ${lo}.` });
                    }
                    return;
                }
                if (spec.unit.kind === 'var') {
                    const prev = units.get(spec.unit.name);
                    if (prev && !unitsEqual(prev.unit, f.ty.unit)) {
                        this.report({
                            code: 'AF202', node: arg.value,
                            message: `${where} is in ${formatUnit(f.ty.unit, f.ty.display)} but ${prev.from} is in ${formatUnit(prev.unit)}; ${fname}() needs both in the same unit.`,
                        });
                    } else if (!prev || prev.unit === 'any') {
                        units.set(spec.unit.name, { unit: f.ty.unit, from: `'${p.name}'` });
                    }
                } else if (spec.unit.kind === 'fixed' && !unitsEqual({ ...spec.unit.dims }, f.ty.unit)) {
                    this.report({ code: 'AF202', node: arg.value, message: `${where} must be in ${formatUnit(spec.unit.dims)}, not ${formatUnit(f.ty.unit, f.ty.display)}.` });
                }
                return;
            }
        }
    }

    /** Instantiates a user def at a call site: its body is checked with the arguments' facts. */
    private callDef(e: ast.Call, def: ast.FunctionDef, env: Env | undefined): Facts {
        const bound = this.bindArgs(e, def.params.map(p => p.name), () => true, def.name);
        if (this.defStack.includes(def)) {
            const cycle = [...this.defStack.slice(this.defStack.indexOf(def)), def].map(d => d.name).join(' → ');
            this.report({ code: 'AF005', node: e, message: `Recursive def: ${cycle}. Defs are expanded inline and cannot call themselves.` });
            return UNKNOWN_FACTS;
        }
        const args = new Map<ast.DefParam, { expr: ast.Expression; facts: Facts; env: Env | undefined }>();
        def.params.forEach((p, i) => {
            const a = bound[i];
            if (!a) return;
            const f = this.expr(a.value, env);
            if (p.type && known(f.ty)) this.checkDefParamType(def, p, a, f);
            args.set(p, { expr: a.value, facts: f, env });
        });
        const inner: Env = { def, call: e, args, depth: (env?.depth ?? 0) + 1, standalone: env?.standalone };
        if (inner.depth > 32) {
            this.report({ code: 'AF005', node: e, message: `Defs nest more than 32 levels deep at ${def.name}().` });
            return UNKNOWN_FACTS;
        }
        // Findings inside the body are about this call: report them here, unless the def is wrong on its own.
        const outerCapture = this.captured;
        const captured: { finding: Finding; concern: CheckerConcern }[] = [];
        this.captured = captured;
        this.defStack.push(def);
        let f: Facts;
        try {
            f = this.expr(def.body, inner);
        } finally {
            this.defStack.pop();
            this.captured = outerCapture;
        }
        for (const { finding: c, concern } of captured) {
            if (this.standaloneDefFindings.has(findingKey(c))) continue;
            if (c.node === e || isInside(c.node, e)) { this.report(c, concern); continue; }
            // Reported at the call, whose text is not what the fix would replace; related: from the innermost def out.
            this.report({ ...c, node: e, property: undefined, index: undefined, message: `In ${def.name}(): ${c.message}`, related: [...(c.related ?? []), { node: c.node, message: c.message }], data: undefined }, concern);
        }
        if (def.returnType) this.checkReturnType(def, e, f);
        const label = lazyStep(e);
        return {
            ...f,
            lookbackAt: f.lookback > 0 ? e : f.lookbackAt,
            current: f.current && [label, ...f.current.filter(s => isInside(s.node, e) || !isInside(s.node, def))],
            peek: f.peek && [label, ...f.peek],
            future: f.future && [label, ...f.future],
        };
    }

    private checkDefParamType(def: ast.FunctionDef, p: ast.DefParam, a: ast.Argument, f: Facts): void {
        const where = `'${p.name}' of ${def.name}()`;
        switch (p.type) {
            case 'int': case 'float':
                if (this.expectKind(f.ty, 'num', a.value, `${where} is a number`) && f.ty.shape === 'series') {
                    this.report({ code: 'AF205', node: a.value, message: `${where} is declared ${p.type}: pass a number or a param, not a series.` });
                }
                return;
            case 'bool': this.expectKind(f.ty, 'bool', a.value, `${where} is a condition`); return;
            case 'duration': this.expectKind(f.ty, 'duration', a.value, `${where} is a duration`); return;
            case 'series': this.expectKind(f.ty, 'num', a.value, `${where} is a numeric series`); return;
        }
    }

    private checkReturnType(def: ast.FunctionDef, call: ast.Call, f: Facts): void {
        const want = def.returnType === 'bool' ? 'bool' : def.returnType === 'duration' ? 'duration' : 'num';
        if (known(f.ty) && f.ty.kind !== want) {
            this.report({ code: 'AF201', node: call, message: `${def.name}() is declared to return ${def.returnType} but returns ${formatType(f.ty)}.` });
        }
    }

    /** The result type of a spec, given bound unit variables. */
    specResult(spec: TypeSpec, units: ReadonlyMap<string, Unit>, shape: 'scalar' | 'series'): Ty {
        switch (spec.form) {
            case 'bool': return bool(shape);
            case 'duration': return { kind: 'duration', shape: 'scalar', unit: DIMENSIONLESS };
            case 'enum': return { kind: 'enum', shape: 'scalar', unit: DIMENSIONLESS, enumType: spec.enumType };
            case 'num': return num(spec.shape === 'series' ? 'series' : shape, resolveUnit(spec.unit, units));
        }
    }

    // ------------------------------------------------------------------ helpers

    literalUnit(e: ast.Expression): Unit {
        if (ast.isNumberLit(e)) return literalType(e).unit;
        if (ast.isUnaryExpr(e)) return this.literalUnit(e.operand);
        return 'any';
    }

    /** Checks a value's kind; returns false (after reporting AF201) when it is wrong. */
    expectKind(ty: Ty, kind: 'num' | 'bool' | 'duration', node: AstNode | undefined, why: string): boolean {
        if (!known(ty) || ty.kind === kind) return true;
        const want = kind === 'num' ? 'a number' : kind === 'bool' ? 'a condition (true/false)' : 'a duration';
        this.report({ code: 'AF201', node: node ?? this.owner!, message: `Expected ${want}, got ${formatType(ty)} \`${textOf(node)}\`: ${why}.` });
        return false;
    }

    private expectSameUnit(e: ast.BinaryExpr | ast.IfExpr, a: Ty, b: Ty, verb: string): void {
        if (unitsEqual(a.unit, b.unit)) return;
        const [l, r] = ast.isBinaryExpr(e) ? [e.left, e.right] : [e.then, e.else];
        const ua = formatUnit(a.unit, a.display), ub = formatUnit(b.unit, b.display);
        const pctOnPrice = (isDimensionless(a.unit) && !isDimensionless(b.unit)) || (isDimensionless(b.unit) && !isDimensionless(a.unit));
        const hint = pctOnPrice && (verb === 'add' || verb === 'subtract')
            ? ` To move a value by a fraction, scale it: \`${textOf(isDimensionless(a.unit) ? r : l)} * (1 ${verb === 'add' ? '+' : '-'} ${textOf(isDimensionless(a.unit) ? l : r)})\`.`
            : '';
        this.report({ code: 'AF202', node: e, message: `Cannot ${verb} ${ua} and ${ub}: \`${textOf(l)}\` is ${ua}, \`${textOf(r)}\` is ${ub}.${hint}` });
    }

    private addDep(d: Decl): void {
        if (!this.owner) return;
        let s = this.deps.get(this.owner);
        if (!s) { s = new Set(); this.deps.set(this.owner, s); }
        s.add(d);
    }

    report(f: Finding, concern: CheckerConcern = 'expressions'): void {
        if (this.captured) this.captured.push({ finding: f, concern });
        else this.findings[concern].push(f);
    }
}

// ---------------------------------------------------------------------- pure helpers

/**
 * The call whose outputs `.member` selects: the receiver itself (`macd(close).hist`) or, through a
 * feature, the call it is defined as (`feature bands = bollinger(close)` … `bands.upper`).
 */
export function multiOutputCall(e: ast.Expression | undefined, seen = new Set<AstNode>()): ast.Call | undefined {
    if (ast.isCall(e)) return e;
    if (ast.isRef(e)) {
        const t = e.ref?.ref;
        if (ast.isFeatureDecl(t) && !seen.has(t)) {
            seen.add(t);
            return multiOutputCall(t.value, seen);
        }
    }
    return undefined;
}

function known(t: Ty): boolean {
    return t.kind !== 'unknown';
}

function literalDisplay(e: ast.Expression | undefined): '%' | 'bps' | undefined {
    if (ast.isNumberLit(e) && (e.unit === '%' || e.unit === 'bps')) return e.unit;
    if (ast.isUnaryExpr(e)) return literalDisplay(e.operand);
    return undefined;
}

export function literalType(e: ast.NumberLit): Ty {
    const int = Number.isInteger(e.value);
    if (e.unit === '%' || e.unit === 'bps') return num('scalar', DIMENSIONLESS, { display: e.unit });
    if (e.unit === 'bars') return num('scalar', BARS, { int });
    return num('scalar', 'any', { int });
}

function resolveUnit(spec: UnitSpec, units: ReadonlyMap<string, Unit>): Unit {
    switch (spec.kind) {
        case 'fixed': return spec.dims;
        case 'var': return units.get(spec.name) ?? 'any';
        case 'div': {
            const a = units.get(spec.num) ?? 'any', b = units.get(spec.den) ?? 'any';
            return a === 'any' || b === 'any' ? 'any' : divUnits(a, b);
        }
    }
}

function mergeFacts(fs: readonly Facts[]): Omit<Facts, 'ty'> {
    let lookback = 0, lookbackMax = 0, lookbackAt: AstNode | undefined;
    let current: Chain | undefined, peek: Chain | undefined, future: Chain | undefined;
    for (const f of fs) {
        if (f.lookback > lookback || (!lookbackAt && f.lookbackAt)) { lookback = Math.max(lookback, f.lookback); lookbackAt = f.lookbackAt; }
        lookbackMax = Math.max(lookbackMax, f.lookbackMax);
        current ??= f.current;
        peek ??= f.peek;
        future ??= f.future;
    }
    return { lookback, lookbackMax, lookbackAt, current, peek, future };
}

function safeFormula(info: FunctionInfo, env: Record<string, number>): number {
    for (const n of info.lookbackNames) if (env[n] === undefined) return 0;
    const v = info.lookback(env);
    return Number.isFinite(v) ? Math.max(0, Math.ceil(v)) : 0;
}

function isInside(node: AstNode, container: AstNode): boolean {
    for (let n: AstNode | undefined = node; n; n = n.$container) if (n === container) return true;
    return false;
}

/** AF101's fix: `x[-2]` meant the past, `x[2]`. Only for a literal whole number of bars written with a minus. */
function pastIndexFix(index: ast.Expression | undefined): Finding['data'] {
    if (!ast.isUnaryExpr(index) || index.operator !== '-' || !ast.isNumberLit(index.operand) || index.operand.unit) return undefined;
    const n = index.operand.value;
    return Number.isInteger(n) ? { code: 'AF101', lookback: n } : undefined;
}

function findingKey(f: Finding): string {
    const r = f.node.$cstNode?.range;
    return `${f.code}@${r?.start.line}:${r?.start.character}:${f.message}`;
}

/**
 * A step of a lookahead chain whose label (the source text) is written only if a message shows
 * it: chains are built for nearly every call, messages for few.
 */
function lazyStep(node: AstNode, suffix = ''): ChainStep {
    let label: string | undefined;
    return { node, get label(): string { return (label ??= textOf(node) + suffix); } };
}
