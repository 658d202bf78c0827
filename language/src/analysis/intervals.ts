/**
 * Interval analysis of conditions, to find rules that can never fire: each numeric expression
 * gets a range [lo, hi] from literals, param ranges and the known ranges of catalogue functions
 * (RSI lies in 0..100), and each condition whether it can be true at all. Conjunctions also
 * intersect the bounds they put on the same expression (`x > 5 and x < 3`) and know that a
 * crossover and a crossunder of the same pair never happen on the same bar.
 */
import type { AstNode } from 'langium';
import * as ast from '../generated/ast.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import { EITHER as CAN_BE_EITHER, rangeOf, type RangeHooks, type ValueRange } from './constant-eval.js';
import { ALL, isEmpty, type Interval } from './scalar-ops.js';

export type { Interval };
const POSITIVE: Interval = { lo: 0, hi: Infinity };

/** Whether a condition can be true / can be false, and why not. */
export interface Truth { readonly canTrue: boolean; readonly canFalse: boolean; readonly why?: string }
const EITHER: Truth = { canTrue: true, canFalse: true };

export class IntervalAnalysis {
    private readonly visiting = new Set<AstNode>();
    private readonly features = new Map<ast.FeatureDecl, Interval>();
    /**
     * The one range analysis (constant-eval.ts, rangeOf) with what a series is known to lie in:
     * features by their definition, prices and volumes at or above 0, a look-back or a moving
     * average within its input's range, catalogue functions within their declared range. Anything
     * else is unbounded (never "cannot bound": these ranges only ever prove a rule dead).
     */
    private readonly hooks: RangeHooks = {
        ref: (e): ValueRange => {
            const t = e.ref?.ref;
            if (ast.isParamDecl(t)) {
                if (t.type === 'bool') return CAN_BE_EITHER;
                const lo = this.range(t.low ?? t.default), hi = this.range(t.high ?? t.default);
                return { lo: lo.lo, hi: hi.hi };
            }
            if (ast.isFeatureDecl(t)) {
                // Memoised: features that use each other twice over would otherwise be walked exponentially often.
                let r = this.features.get(t);
                if (!r) { r = this.guard(t, () => this.range(t.value), ALL); this.features.set(t, r); }
                return r;
            }
            if (ast.isExternField(t)) return POSITIVE;
            return ALL;
        },
        other: (e): ValueRange => {
            if (ast.isMemberExpr(e)) {
                if (ast.isRef(e.receiver) && ast.isAsset(e.receiver.ref?.ref)) return POSITIVE;
                return this.range(e.receiver);
            }
            if (ast.isIndexExpr(e)) return this.range(e.base);
            if (ast.isCall(e)) return this.seriesCall(e);
            return ALL;
        },
    };

    constructor(private readonly catalogue: Catalogue) {}

    range(e: ast.Expression | undefined): Interval {
        if (!e) return ALL;
        const r = rangeOf(e, this.hooks);
        return r && !isEmpty(r) ? r : ALL;
    }

    private seriesCall(e: ast.Call): Interval {
        const info = this.catalogue.fn(e.func?.ref?.name ?? '');
        if (!info) return ALL;
        const name = info.entry.name;
        const first = e.args[0] ? this.range(e.args[0].value) : undefined;
        if ((name === 'sma' || name === 'ema' || name === 'wma' || name === 'highest' || name === 'lowest' || name === 'resample') && first) return first;
        if (info.entry.range) return { lo: info.entry.range[0], hi: info.entry.range[1] };
        return ALL;
    }

    truth(e: ast.Expression | undefined): Truth {
        if (!e) return EITHER;
        if (ast.isBoolLit(e)) return { canTrue: e.value, canFalse: !e.value, why: e.value ? undefined : 'the condition is the constant false' };
        if (ast.isRef(e)) {
            const t = e.ref?.ref;
            if (ast.isSignalDecl(t) || ast.isFeatureDecl(t)) {
                const r = this.guard(t, () => this.truth(t.value), EITHER);
                return r.canTrue ? r : { ...r, why: `${ast.isSignalDecl(t) ? 'signal' : 'feature'} ${t.name} is never true (${r.why})` };
            }
            if (ast.isParamDecl(t) && t.type === 'bool' && ast.isBoolLit(t.default) && !t.low) return EITHER;
            return EITHER;
        }
        if (ast.isUnaryExpr(e) && e.operator === 'not') {
            const r = this.truth(e.operand);
            return { canTrue: r.canFalse, canFalse: r.canTrue, why: r.canFalse ? undefined : `\`${text(e.operand)}\` is always true` };
        }
        if (ast.isBinaryExpr(e)) {
            switch (e.operator) {
                case 'and': return this.conjunction(e);
                case 'or': {
                    const a = this.truth(e.left), b = this.truth(e.right);
                    return { canTrue: a.canTrue || b.canTrue, canFalse: a.canFalse && b.canFalse, why: a.why && b.why ? `${a.why}, and ${b.why}` : undefined };
                }
                case '<': case '<=': case '>': case '>=': {
                    const a = this.range(e.left), b = this.range(e.right);
                    const t = compareTruth(e.operator, a, b);
                    return t.canTrue ? t : { ...t, why: `\`${text(e)}\` cannot hold: ${text(e.left)} lies in ${fmt(a)} and ${text(e.right)} in ${fmt(b)}` };
                }
                default: return EITHER;
            }
        }
        return EITHER;
    }

    private conjunction(e: ast.BinaryExpr): Truth {
        const parts = flattenAnd(e);
        for (const p of parts) {
            const t = this.truth(p);
            if (!t.canTrue) return { canTrue: false, canFalse: true, why: t.why };
        }
        // Bounds put on the same expression by different conjuncts.
        const bounds = new Map<string, { iv: Interval; src: string[] }>();
        const crosses = new Map<string, Set<string>>();
        for (const p of parts) {
            if (ast.isCall(p)) {
                const n = p.func?.ref?.name;
                if ((n === 'crossover' || n === 'crossunder') && p.args.length === 2) {
                    const key = p.args.map(a => text(a.value)).join(',');
                    const s = crosses.get(key) ?? new Set();
                    s.add(n);
                    crosses.set(key, s);
                    if (s.size === 2) return { canTrue: false, canFalse: true, why: `crossover and crossunder of (${key}) cannot happen on the same bar` };
                }
            }
            if (!ast.isBinaryExpr(p) || !['<', '<=', '>', '>='].includes(p.operator)) continue;
            const lc = this.constant(p.left), rc = this.constant(p.right);
            let subject: ast.Expression, iv: Interval;
            if (rc !== undefined && lc === undefined) { subject = p.left; iv = boundOf(p.operator, rc); }
            else if (lc !== undefined && rc === undefined) { subject = p.right; iv = boundOf(mirror(p.operator), lc); }
            else continue;
            const key = text(subject);
            const prev = bounds.get(key) ?? { iv: ALL, src: [] };
            const next = { lo: Math.max(prev.iv.lo, iv.lo), hi: Math.min(prev.iv.hi, iv.hi) };
            const src = [...prev.src, text(p)];
            const strict = next.lo === next.hi && (p.operator === '<' || p.operator === '>' || prev.src.some(s => /[<>](?!=)/.test(s)));
            if (next.lo > next.hi || strict) return { canTrue: false, canFalse: true, why: `${src.map(s => `\`${s}\``).join(' and ')} contradict each other` };
            bounds.set(key, { iv: next, src });
        }
        return EITHER;
    }

    private constant(e: ast.Expression): number | undefined {
        const r = this.range(e);
        return r.lo === r.hi && Number.isFinite(r.lo) && isConstantExpr(e) ? r.lo : undefined;
    }

    private guard<T>(node: AstNode, f: () => T, fallback: T): T {
        if (this.visiting.has(node)) return fallback;
        this.visiting.add(node);
        try { return f(); } finally { this.visiting.delete(node); }
    }
}

function isConstantExpr(e: ast.Expression): boolean {
    if (ast.isNumberLit(e)) return true;
    if (ast.isUnaryExpr(e)) return isConstantExpr(e.operand);
    if (ast.isBinaryExpr(e)) return isConstantExpr(e.left) && isConstantExpr(e.right);
    return false;
}

function flattenAnd(e: ast.Expression): ast.Expression[] {
    return ast.isBinaryExpr(e) && e.operator === 'and' ? [...flattenAnd(e.left), ...flattenAnd(e.right)] : [e];
}

function compareTruth(op: string, a: Interval, b: Interval): Truth {
    switch (op) {
        case '<': return { canTrue: a.lo < b.hi, canFalse: a.hi >= b.lo };
        case '<=': return { canTrue: a.lo <= b.hi, canFalse: a.hi > b.lo };
        case '>': return { canTrue: a.hi > b.lo, canFalse: a.lo <= b.hi };
        default: return { canTrue: a.hi >= b.lo, canFalse: a.lo < b.hi };
    }
}

function boundOf(op: string, c: number): Interval {
    return op === '<' || op === '<=' ? { lo: -Infinity, hi: c } : { lo: c, hi: Infinity };
}
function mirror(op: string): string {
    return op === '<' ? '>' : op === '<=' ? '>=' : op === '>' ? '<' : '<=';
}
function fmt(i: Interval): string {
    const f = (x: number): string => (x === Infinity ? '∞' : x === -Infinity ? '−∞' : String(+x.toPrecision(6)));
    return `[${f(i.lo)}, ${f(i.hi)}]`;
}
function text(e: ast.Expression | undefined): string {
    return e?.$cstNode?.text.replace(/\s+/g, ' ').trim() ?? '?';
}
