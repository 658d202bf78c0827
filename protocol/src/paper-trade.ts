/**
 * "Paper trade" from the editor (the VS Code extension's code lens and the language server's, for
 * other editors): one place for what it starts. A strategy on the bundled sample (`sp:SPX`, the
 * S&P 500 daily bars 2000–2020) gets the sample imported first (`data.sample`: nothing changes
 * when it is there); then `execution.paper.start` with the file's text on the replay feed from
 * `from` (default 2019-01-01: the strategy's warm-up bars, then about a year and a half of days)
 * at one bar every `barMs` (default 250 ms: a trading year in about a minute), the strategy's
 * own capital and no risk limits beyond its `risk` block. Pure: no I/O.
 */
import type { ParamsInput } from './daemon/methods.js';

export const PAPER_TRADE_DEFAULTS = { from: '2019-01-01', barMs: 250 } as const;

export interface PaperTradeOptions {
    readonly uri?: string;
    readonly strategy?: string;
    /** Replay from this date (YYYY-MM-DD); to the last stored bar. */
    readonly from?: string;
    readonly barMs?: number;
}

/** Whether the strategy's universe names the bundled sample, which `data.sample` imports. */
export function usesBundledSample(source: string): boolean {
    return /^\s*universe\s*:[^\n]*\bsp:SPX\b/m.test(source);
}

/** The execution.paper.start request of "Paper trade" for a source text. */
export function paperTradeRequest(source: string, o: PaperTradeOptions = {}): ParamsInput<'execution.paper.start'> {
    const barMs = Number.isInteger(o.barMs) && o.barMs! >= 1 && o.barMs! <= 86_400_000 ? o.barMs! : PAPER_TRADE_DEFAULTS.barMs;
    const from = o.from && /^\d{4}-\d{2}-\d{2}$/.test(o.from) ? o.from : PAPER_TRADE_DEFAULTS.from;
    return {
        source,
        ...(o.uri?.startsWith('file:') ? { uri: o.uri } : {}),
        ...(o.strategy ? { strategy: o.strategy } : {}),
        feed: { kind: 'replay', from, barMs },
    };
}
