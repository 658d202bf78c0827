/**
 * Lints for expressions that type-check but do not say what their author meant — habits from other
 * tools that silently compute something else:
 *
 * - AF210: `max(high, lookback)` is the larger of two values on each bar (Pine's `math.max`), not
 *   the rolling maximum over `lookback` bars (`highest`); likewise `min` and `lowest`.
 * - AF211: `rsi(close, 14) > 30%` compares an oscillator that runs 0–100 with 0.3: the percentage
 *   sign turns the level into a fraction. Functions with a catalogue range reaching past 1 are on
 *   such a scale.
 *
 * Pure functions over the AST and the checker's facts; the checker reports what they return.
 */
import * as ast from '../generated/ast.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import type { Finding } from './findings.js';
import { textOf } from './source-text.js';
import { isDimensionless, type Ty } from './types.js';

const ROLLING: Readonly<Record<string, string>> = { max: 'highest', min: 'lowest' };

/**
 * AF210 for a call of `max`/`min` with a series and a window-like count: an int param, or a whole
 * literal of at least 2 beside a series with a unit (a price or a volume against a bare count is
 * never a floor or a cap anyone means; `max(x, 0)` and `max(x, 1)` are).
 */
export function rollingExtremeFinding(e: ast.Call, fname: string, args: readonly (ast.Argument | undefined)[], types: readonly (Ty | undefined)[], catalogue: Catalogue): Finding | undefined {
    const rolling = ROLLING[fname];
    if (!rolling || !catalogue.fn(rolling) || args.length !== 2 || !args[0] || !args[1]) return undefined;
    for (const [s, n] of [[0, 1], [1, 0]] as const) {
        const series = types[s], count = args[n]!.value;
        if (series?.kind !== 'num' || series.shape !== 'series') continue;
        const intParam = ast.isRef(count) && ast.isParamDecl(count.ref?.ref) && count.ref.ref.type === 'int';
        const wholeLiteral = ast.isNumberLit(count) && !count.unit && Number.isInteger(count.value) && count.value >= 2
            && series.unit !== 'any' && !isDimensionless(series.unit);
        if (!intParam && !wholeLiteral) continue;
        // Whole texts, not textOf's shortened ones: the replacement is written into the file.
        const source = fullText(args[s]!.value), length = fullText(count);
        const replacement = `${rolling}(${source}, ${length})`;
        return {
            code: 'AF210', node: e,
            message: `\`${textOf(e)}\` is the ${fname === 'max' ? 'larger' : 'smaller'} of ${source} and the number ${length} on each bar, not a rolling ${fname === 'max' ? 'maximum' : 'minimum'}. For the ${fname === 'max' ? 'highest' : 'lowest'} ${source} of the last ${length} bars write \`${replacement}\`.`,
            data: { code: 'AF210', replacement },
        };
    }
    return undefined;
}

/**
 * AF211 for a comparison of a function on a 0–100 scale (its catalogue range reaches past 1) with
 * a percentage literal: `rsi(close, 14) > 30%`. Follows features, look-backs and signs to the call.
 */
export function percentOnScaleFinding(e: ast.BinaryExpr, catalogue: Catalogue): Finding | undefined {
    if (!['<', '<=', '>', '>=', '==', '!='].includes(e.operator)) return undefined;
    for (const [scaled, level] of [[e.left, e.right], [e.right, e.left]] as const) {
        const pct = percentLiteral(level);
        if (!pct) continue;
        const call = scaledCall(scaled, catalogue);
        if (!call) continue;
        const [lo, hi] = call.range;
        const written = `${pct.value}`;
        return {
            code: 'AF211', node: pct,
            message: `\`${textOf(call.call)}\` runs from ${lo} to ${hi}, but \`${textOf(pct)}\` is the fraction ${pct.value / 100}: the comparison is against ${pct.value / 100} on the ${lo}–${hi} scale. Write the level on that scale: \`${written}\`.`,
            data: { code: 'AF211', replacement: written },
        };
    }
    return undefined;
}

function fullText(e: ast.Expression): string {
    return e.$cstNode?.text.replace(/\s+/g, ' ').trim() ?? '';
}

function percentLiteral(e: ast.Expression | undefined): ast.NumberLit | undefined {
    return ast.isNumberLit(e) && e.unit === '%' ? e : undefined;
}

/** The call of a function on a scale past 1 that `e` is, through features, look-backs and unary signs. */
function scaledCall(e: ast.Expression | undefined, catalogue: Catalogue, seen = new Set<ast.FeatureDecl>()): { call: ast.Call; range: readonly [number, number] } | undefined {
    if (ast.isIndexExpr(e)) return scaledCall(e.base, catalogue, seen);
    if (ast.isUnaryExpr(e) && e.operator === '+') return scaledCall(e.operand, catalogue, seen);
    if (ast.isRef(e)) {
        const t = e.ref?.ref;
        if (!ast.isFeatureDecl(t) || seen.has(t)) return undefined;
        seen.add(t);
        return scaledCall(t.value, catalogue, seen);
    }
    if (!ast.isCall(e) || !ast.isExternFunction(e.func?.ref)) return undefined;
    const range = catalogue.fn(e.func.ref.name)?.entry.range;
    return range && range[0] >= 0 && range[1] > 1 && Number.isFinite(range[1]) ? { call: e, range } : undefined;
}
