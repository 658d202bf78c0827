/**
 * The parameter space of a strategy: each param's grid (low..high by step), the constraints
 * between params, and whether they can be satisfied. Grids up to MAX_ENUMERATION combinations
 * are enumerated exactly; larger ones fall back to interval reasoning per constraint.
 */
import * as ast from '../generated/ast.js';
import type { Finding } from './findings.js';
import { constantOf, NO_REFS } from './constant-eval.js';
import { isScalarFunction, type Scalar } from './scalar-ops.js';
import { IntervalAnalysis } from './intervals.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import { textOf } from './source-text.js';

export const MAX_ENUMERATION = 200_000;
const MAX_VALUES_PER_PARAM = 100_000;

export interface ParamInfo {
    readonly decl: ast.ParamDecl;
    readonly name: string;
    readonly type: 'int' | 'float' | 'bool';
    readonly default: number | boolean | undefined;
    readonly low?: number;
    readonly high?: number;
    readonly step?: number;
    /** The values a grid sweep tries; undefined when continuous (a float range without step). */
    readonly values?: readonly (number | boolean)[];
    /** Has more than one candidate value. */
    readonly free: boolean;
}

export interface ParamSpace {
    readonly params: readonly ParamInfo[];
    /** Combinations of the grid that satisfy the constraints (Infinity if continuous, product if too large to enumerate). */
    readonly gridSize: number;
    readonly freeCount: number;
    readonly findings: readonly Finding[];
}

export function analyzeParams(strategy: ast.Strategy, catalogue: Catalogue): ParamSpace {
    const findings: Finding[] = [];
    const params = strategy.members.filter(ast.isParamDecl).map(p => paramInfo(p, findings));
    const constraints = strategy.members.filter(ast.isConstraintDecl);

    // Constraints may only relate params and constants.
    const usable: ast.ConstraintDecl[] = [];
    for (const c of constraints) {
        const bad = nonParamRef(c.condition);
        if (bad) {
            findings.push({ code: 'AF205', node: bad, message: `Constraints relate params and constants only; \`${textOf(bad)}\` varies along time.` });
        } else if (c.condition) {
            usable.push(c);
        }
    }

    // Defaults must satisfy every constraint.
    const defaults = new Map<ast.ParamDecl, number | boolean>();
    for (const p of params) if (p.default !== undefined) defaults.set(p.decl, p.default);
    for (const c of usable) {
        if (evaluate(c.condition, defaults) === false) {
            const shown = params.filter(p => mentions(c.condition, p.decl)).map(p => `${p.name} = ${p.default}`).join(', ');
            findings.push({ code: 'AF405', node: c, property: 'condition', message: `The default values (${shown}) violate \`constraint ${textOf(c.condition)}\`; change a default so the default backtest is a valid configuration.` });
        }
    }

    const rawSize = params.reduce((n, p) => n * (p.values ? p.values.length : Infinity), 1);
    let gridSize = rawSize;
    if (usable.length > 0) {
        if (Number.isFinite(rawSize) && rawSize <= MAX_ENUMERATION) {
            gridSize = countSatisfying(params, usable);
            if (gridSize === 0) {
                findings.push({
                    code: 'AF404', node: usable[0]!, property: 'condition',
                    message: `No combination of ${params.filter(p => usable.some(c => mentions(c.condition, p.decl))).map(p => `${p.name} in ${p.low}..${p.high}`).join(', ')} satisfies ${usable.map(c => `\`${textOf(c.condition)}\``).join(' and ')}; a sweep would have nothing to run. Widen or move the ranges.`,
                });
            }
        } else {
            const iv = new IntervalAnalysis(catalogue);
            for (const c of usable) {
                const t = iv.truth(c.condition);
                if (!t.canTrue) findings.push({ code: 'AF404', node: c, property: 'condition', message: `\`constraint ${textOf(c.condition)}\` can never hold: ${t.why}.` });
            }
        }
    }
    return { params, gridSize, freeCount: params.filter(p => p.free).length, findings };
}

/** A param's own default, bound or step: literal, so references have no value. */
function constNumber(e: ast.Expression | undefined): Scalar | undefined {
    return constantOf(e, NO_REFS);
}

function paramInfo(p: ast.ParamDecl, findings: Finding[]): ParamInfo {
    const type = p.type === 'bool' ? 'bool' : p.type === 'int' ? 'int' : 'float';
    const def = constNumber(p.default);
    const base = { decl: p, name: p.name, type } as const;
    if (p.default && def === undefined) {
        findings.push({ code: 'AF403', node: p.default, message: `The default of param '${p.name}' must be a constant (a number${type === 'bool' ? ' or true/false' : ''}).` });
    }
    if (type === 'bool') {
        if (def !== undefined && typeof def !== 'boolean') findings.push({ code: 'AF201', node: p.default, message: `Param '${p.name}' is bool; its default must be true or false.` });
        if (p.low) findings.push({ code: 'AF403', node: p, property: 'low', message: `A bool param has no range; a sweep tries false and true.` });
        return { ...base, default: def, values: [false, true], free: true };
    }
    if (typeof def === 'boolean') findings.push({ code: 'AF201', node: p.default, message: `Param '${p.name}' is ${type}; its default must be a number.` });
    const num = typeof def === 'number' ? def : undefined;
    if (type === 'int' && num !== undefined && !Number.isInteger(num)) findings.push({ code: 'AF403', node: p.default, message: `Param '${p.name}' is int but its default is ${num}.` });
    if (!p.low || !p.high) return { ...base, default: num, values: num === undefined ? [] : [num], free: false };

    const low = constNumber(p.low), high = constNumber(p.high), step = p.step ? constNumber(p.step) : undefined;
    for (const [e, v, what] of [[p.low, low, 'low'], [p.high, high, 'high'], [p.step, step, 'step']] as const) {
        if (e && typeof v !== 'number') { findings.push({ code: 'AF403', node: e, message: `The ${what} of param '${p.name}' must be a constant number.` }); return { ...base, default: num, free: false, values: num === undefined ? [] : [num] }; }
        if (e && type === 'int' && typeof v === 'number' && !Number.isInteger(v)) { findings.push({ code: 'AF403', node: e, message: `Param '${p.name}' is int but its ${what} is ${v}.` }); }
    }
    const lo = low as number, hi = high as number;
    if (lo > hi) {
        findings.push({ code: 'AF403', node: p, property: 'low', message: `The range of '${p.name}' is empty: ${lo} > ${hi}. Write low..high.`, data: { code: 'AF403', swapBounds: true } });
        return { ...base, default: num, low: lo, high: hi, free: false, values: num === undefined ? [] : [num] };
    }
    if (step !== undefined && (step as number) <= 0) {
        findings.push({ code: 'AF403', node: p.step!, message: `The step of '${p.name}' must be positive, not ${step}.` });
        return { ...base, default: num, low: lo, high: hi, free: false, values: num === undefined ? [] : [num] };
    }
    if (num !== undefined && (num < lo || num > hi)) {
        findings.push({ code: 'AF401', node: p.default, message: `The default of '${p.name}' (${num}) lies outside its range ${lo}..${hi}. Move the default into the range or widen it.`, data: { code: 'AF401', value: Math.min(Math.max(num, lo), hi) } });
    }
    const st = typeof step === 'number' ? step : type === 'int' ? 1 : undefined;
    let values: number[] | undefined;
    if (st !== undefined) {
        const count = Math.floor((hi - lo) / st + 1e-9) + 1;
        if (count <= MAX_VALUES_PER_PARAM) values = Array.from({ length: count }, (_, i) => roundTo(lo + i * st, st));
        if (num !== undefined && num >= lo && num <= hi && !isOnGrid(num, lo, st)) {
            const below = roundTo(lo + Math.floor((num - lo) / st) * st, st);
            findings.push({ code: 'AF402', node: p.default, message: `The default of '${p.name}' (${num}) is not on its grid ${lo}, ${roundTo(lo + st, st)}, … ${hi}; a sweep never tries it. Nearest grid values: ${below} and ${roundTo(below + st, st)}.`, data: { code: 'AF402', value: below } });
        }
    }
    return { ...base, default: num, low: lo, high: hi, step: st, values, free: hi > lo };
}

function isOnGrid(v: number, lo: number, step: number): boolean {
    const k = (v - lo) / step;
    return Math.abs(k - Math.round(k)) < 1e-9;
}

/** Rounds to the precision of the step, so 0.1 + 0.2 prints as 0.3. */
function roundTo(v: number, step: number): number {
    const decimals = Math.min(12, Math.max(0, -Math.floor(Math.log10(Math.abs(step) || 1)) + 2));
    return Number(v.toFixed(decimals));
}

function countSatisfying(params: readonly ParamInfo[], constraints: readonly ast.ConstraintDecl[]): number {
    const relevant = params.filter(p => constraints.some(c => mentions(c.condition, p.decl)));
    const others = params.filter(p => !relevant.includes(p)).reduce((n, p) => n * p.values!.length, 1);
    const assign = new Map<ast.ParamDecl, number | boolean>();
    for (const p of params) if (p.default !== undefined) assign.set(p.decl, p.default);
    let count = 0;
    const rec = (i: number): void => {
        if (i === relevant.length) {
            if (constraints.every(c => evaluate(c.condition, assign) !== false)) count++;
            return;
        }
        const p = relevant[i]!;
        for (const v of p.values!) { assign.set(p.decl, v); rec(i + 1); }
    };
    rec(0);
    return count * others;
}

/** Evaluates a params-only expression with the given param values; undefined when something is not constant. */
export function evaluate(e: ast.Expression | undefined, values: ReadonlyMap<ast.ParamDecl, Scalar>): Scalar | undefined {
    return constantOf(e, ref => {
        const t = ref.ref?.ref;
        return ast.isParamDecl(t) ? values.get(t) : undefined;
    });
}

export function mentions(e: ast.Expression | undefined, p: ast.ParamDecl): boolean {
    if (!e) return false;
    if (ast.isRef(e)) return e.ref?.ref === p;
    return childExprs(e).some(c => mentions(c, p));
}

/** The first reference in a constraint to something that is not a param or a math builtin. */
function nonParamRef(e: ast.Expression | undefined): ast.Expression | undefined {
    if (!e) return undefined;
    if (ast.isRef(e)) { const t = e.ref?.ref; return t && !ast.isParamDecl(t) ? e : undefined; }
    if (ast.isCall(e)) {
        const name = e.func?.ref?.name;
        if (!isScalarFunction(name ?? '')) return e;
    }
    if (ast.isIndexExpr(e) || ast.isMemberExpr(e)) return e;
    for (const c of childExprs(e)) { const r = nonParamRef(c); if (r) return r; }
    return undefined;
}

export function childExprs(e: ast.Expression): ast.Expression[] {
    let xs: (ast.Expression | undefined)[] = [];
    if (ast.isBinaryExpr(e)) xs = [e.left, e.right];
    else if (ast.isUnaryExpr(e)) xs = [e.operand];
    else if (ast.isIfExpr(e)) xs = [e.condition, e.then, e.else];
    else if (ast.isIndexExpr(e)) xs = [e.base, e.index];
    else if (ast.isMemberExpr(e)) xs = [e.receiver];
    else if (ast.isCall(e)) xs = e.args.map(a => a?.value);
    return xs.filter((x): x is ast.Expression => x !== undefined);
}
