/**
 * A daemon run's result read back through runs.result, as the CLI needs it: whole (every trade and
 * trial, fetched page by page; series at full resolution up to the method's point limit) for
 * `--json` and `af runs export`, or a summary (no series or trades, the top trials) for the text
 * that `run-output.ts` prints. One reader, so remote output is the local one.
 */
import type { DaemonClient } from '../../../protocol/src/client.js';
import type { RunResult } from '../../../protocol/src/run-result.js';
import { remote } from './commands/daemon.js';

/** The most points per series runs.result returns (its maxPoints bound). */
export const MAX_POINTS = 200_000;
const PAGE = 100_000;

export interface ReadResult {
    readonly result: RunResult;
    /** Bars of the stored series (more than the series has when it was thinned to MAX_POINTS). */
    readonly bars: number;
}

/** Every trade and trial of the result, its series at full resolution (thinned past MAX_POINTS). */
export async function readWholeResult(client: DaemonClient, id: string): Promise<ReadResult> {
    const first = await remote(() => client.call('runs.result', { id, maxPoints: MAX_POINTS, tradesLimit: PAGE, trialsLimit: PAGE }));
    const trades = [...first.result.trades];
    while (trades.length < first.result.tradeCount) {
        const next = await remote(() => client.call('runs.result', { id, maxPoints: 2, tradesOffset: trades.length, tradesLimit: PAGE, trialsLimit: 0 }));
        if (next.result.trades.length === 0) break;
        trades.push(...next.result.trades);
    }
    let sweep = first.result.sweep;
    if (sweep) {
        const trials = [...sweep.trials];
        while (trials.length < sweep.trialCount) {
            const next = await remote(() => client.call('runs.result', { id, maxPoints: 2, tradesLimit: 0, trialsOffset: trials.length, trialsLimit: PAGE }));
            if (!next.result.sweep || next.result.sweep.trials.length === 0) break;
            trials.push(...next.result.sweep.trials);
        }
        sweep = { ...sweep, trials };
    }
    return { result: { ...first.result, trades, ...(sweep ? { sweep } : {}) }, bars: first.page.bars };
}

/** What the text output needs: metrics, windows, the first `top` trials; no series, no trades. */
export async function readResultSummary(client: DaemonClient, id: string, top: number): Promise<RunResult> {
    return (await remote(() => client.call('runs.result', { id, maxPoints: 2, tradesLimit: 0, trialsLimit: top }))).result;
}
