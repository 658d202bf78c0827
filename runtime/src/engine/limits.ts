/**
 * What one backtest may ask of the machine, checked before the engine allocates anything: the
 * look-back (the compiler's AF503 limit, again with the params the run actually uses) and the
 * memory of the engine's state — the history buffers of look-backs and indicators, which are typed
 * arrays outside V8's heap, so a worker thread's `resourceLimits` do not bound them (one
 * `close[500000000]` took a daemon to 4.1 GB). The estimate is per node of the strategy's graph:
 * (its own window + 1) × assets × 8 bytes, doubled for indicators that keep two buffers.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { MAX_LOOKBACK_BARS } from '../../../language/src/analysis/limits.js';
import { nodeWindows, reachable, sinkNodes } from './lookback.js';
import { BacktestError } from './types.js';

export interface EngineLimits {
    /** Engine state (history buffers) of one backtest, in MB. */
    readonly stateMb: number;
    /** Longest look-back in bars. */
    readonly lookbackBars: number;
}

/** For callers that give none (the CLI on the user's own machine): the look-back limit and 2 GB of state. */
export const DEFAULT_ENGINE_LIMITS: EngineLimits = { stateMb: 2048, lookbackBars: MAX_LOOKBACK_BARS };

const MB = 1_048_576;

/** Throws a BacktestError (which names the limit and what to do) when a backtest of `ir` with `params` would exceed `limits`. */
export function checkEngineLimits(ir: StrategyIr, params: Readonly<Record<string, number | boolean>>, limits: EngineLimits = DEFAULT_ENGINE_LIMITS): void {
    const { lookbacks, own } = nodeWindows(ir, params);
    const sinks = sinkNodes(ir);
    const warmup = sinks.reduce((m, id) => Math.max(m, lookbacks[id] ?? 0), 0);
    const shownParams = (): string => {
        const ps = ir.params.map(p => `${p.name} = ${String(params[p.name])}`);
        return ps.length ? ` with ${ps.join(', ')}` : '';
    };
    if (!(warmup <= limits.lookbackBars)) {
        throw new BacktestError(`${ir.strategy} looks back ${fmt(warmup)} bars${shownParams()}; the limit is ${fmt(limits.lookbackBars)} bars (AF503). Shorten the look-back or choose smaller params.`);
    }
    const N = Math.max(1, ir.universe.length);
    let slots = 0, widest = 0;
    for (const id of reachable(ir, sinks)) {
        const w = own[id] ?? 0;
        if (w > 0) slots += (w + 1) * 2;
        widest = Math.max(widest, w);
    }
    const bytes = slots * N * 8;
    if (!(bytes <= limits.stateMb * MB)) {
        throw new BacktestError(`${ir.strategy} would keep about ${fmt(Math.ceil(bytes / MB))} MB of look-back history${shownParams()} (${N} asset${N === 1 ? '' : 's'}, windows up to ${fmt(widest)} bars); a run may use ${fmt(limits.stateMb)} MB. Shorten the look-backs, use fewer of them, or trade fewer assets.`);
    }
}

function fmt(n: number): string {
    return Number.isFinite(n) ? n.toLocaleString('en-US') : String(n);
}
