/**
 * `af hft backtest FILE`: a strategy with `execution { mode: event_driven }` run event by event
 * (engine/hft/engine.ts) over its instrument's tick data in the local store (af data hft
 * import|sample|synth). Prints the run's summary; --json the whole result (fills capped).
 */
import { parseDateArg } from '../../data/dates.js';
import { DataError } from '../../data/errors.js';
import { loadHftEvents } from '../../data/hft/store.js';
import { isEventDriven, runEvents } from '../../engine/hft/engine.js';
import { parseParamArgs } from '../../engine/params.js';
import { BacktestError } from '../../engine/types.js';
import { withStore } from '../../schema/registry.js';
import { CliError, rejected } from '../errors.js';
import { installWorkspacePacks } from '../workspace-packs.js';
import { compileFile } from './compile.js';

export interface HftBacktestOptions {
    stateDir?: string;
    strategy?: string;
    params?: string[];
    from?: string;
    to?: string;
    latencyMs?: number;
    json?: boolean;
}

export async function hftBacktestCommand(file: string, o: HftBacktestOptions, out: (s: string) => void): Promise<number> {
    await installWorkspacePacks();
    const ir = await compileFile(file, o.strategy, out);
    if (!ir) return 1;
    if (!isEventDriven(ir)) throw new CliError(`${ir.strategy} is a bar strategy: run it with af backtest (af hft backtest runs strategies with execution { mode: event_driven })`);
    try {
        const asset = ir.universe[0]!;
        const events = await withStore({ stateDir: o.stateDir }, store => loadHftEvents(store, asset.venue, asset.symbol, {
            ...(o.from !== undefined ? { fromMs: parseDateArg(o.from, '--from') } : {}),
            ...(o.to !== undefined ? { toMs: parseDateArg(o.to, '--to') } : {}),
        }));
        if (events.n === 0) throw new DataError(`no tick data of ${asset.id} in the range`);
        const r = runEvents(ir, events, { params: parseParamArgs(ir, o.params ?? []), ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}), keepFills: o.json ? 10_000 : 0 });
        if (o.json) out(`${JSON.stringify(r)}\n`);
        else {
            out(`${r.strategy} on ${asset.id}: ${r.events} events, ${r.decisions} decisions, ${r.ordersSent} orders, ${r.cancelsSent} cancels, ${r.fillCount} fills\n`);
            out(`pnl ${r.pnl.toFixed(4)} (fees ${r.feesPaid.toFixed(4)}), inventory ${r.inventory} (largest ${r.maxAbsInventory})\n`);
        }
        return 0;
    } catch (e) {
        if (e instanceof BacktestError || e instanceof DataError) throw rejected(e.message);
        throw e;
    }
}
