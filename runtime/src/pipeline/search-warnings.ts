/**
 * What a sweep's winner does not say by itself. A best value on the edge of its param's range: the
 * optimum may lie beyond what was tried, so the "best" is only the best of a range that was too
 * narrow. Too few trades: a Sharpe ratio from a handful of trades is mostly luck, however high.
 * The sweep result carries these as warnings, the log and the CLI show them.
 */
import type { IrParam } from '../../../protocol/src/ir.js';

/** Fewer closed trades than this and the best trial's figures mean little (a common rule of thumb). */
export const MIN_TRADES = 30;

interface Winner {
    readonly params: Readonly<Record<string, number | boolean>>;
    readonly metrics: { readonly tradeCount: number };
}

const fmt = (x: number): string => String(Number(x.toPrecision(12)));

/** Warnings about a sweep's best trial, given the strategy's params and the ones held fixed. */
export function sweepWarnings(params: readonly IrParam[], best: Winner, fixed: Readonly<Record<string, unknown>> = {}): string[] {
    const out: string[] = [];
    for (const p of params) {
        const v = best.params[p.name];
        if (!p.free || p.name in fixed || typeof v !== 'number' || p.low === null || p.high === null || p.high <= p.low) continue;
        // On a grid the edge is its first or last value; a continuous range: within 1% of its width.
        const tolerance = p.step === null ? (p.high - p.low) / 100 : 0;
        const side = v - p.low <= tolerance ? 'low' : p.high - v <= tolerance ? 'high' : undefined;
        if (side) out.push(`best ${p.name} = ${fmt(v)} is at the ${side} end of its range ${fmt(p.low)}..${fmt(p.high)}: the optimum may lie beyond it; widen the range and sweep again`);
    }
    const trades = best.metrics.tradeCount;
    if (Number.isFinite(trades) && trades < MIN_TRADES) {
        out.push(`the best trial made only ${trades} trade${trades === 1 ? '' : 's'}: too few (under ${MIN_TRADES}) for its Sharpe ratio to mean much; test on more data`);
    }
    return out;
}
