/**
 * `af hft backtest FILE`: a strategy with `execution { mode: event_driven }` run event by event
 * (engine/hft/engine.ts) over its instrument's tick data in the local store (af data hft
 * import|sample|synth). Prints the run's summary; --json the whole result (fills capped). While a
 * daemon holds the store it goes through it (hft.backtest, over the caller's team's tick data).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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
import { holdingDaemon } from './data-remote.js';
import { remote } from './daemon.js';

export interface HftBacktestOptions {
    stateDir?: string;
    strategy?: string;
    params?: string[];
    from?: string;
    to?: string;
    latencyMs?: number;
    json?: boolean;
}

const summary = (r: { strategy: string; events: number; decisions: number; ordersSent: number; cancelsSent: number; fillCount: number; pnl: number; feesPaid: number; inventory: number; maxAbsInventory: number }, id: string): string =>
    `${r.strategy} on ${id}: ${r.events} events, ${r.decisions} decisions, ${r.ordersSent} orders, ${r.cancelsSent} cancels, ${r.fillCount} fills\n`
    + `pnl ${r.pnl.toFixed(4)} (fees ${r.feesPaid.toFixed(4)}), inventory ${r.inventory} (largest ${r.maxAbsInventory})\n`;

export async function hftBacktestCommand(file: string, o: HftBacktestOptions, out: (s: string) => void): Promise<number> {
    const daemon = holdingDaemon(o.stateDir);
    if (daemon) {
        let source: string;
        try {
            source = readFileSync(file, 'utf8');
        } catch {
            throw new CliError(`${file}: cannot read it`);
        }
        // The daemon checks the names against the strategy; here only the shape (parseParamArgs' rule: name=value, commas, a % number).
        const params: Record<string, number | boolean> = {};
        for (const pair of (o.params ?? []).flatMap(x => x.split(',')).filter(Boolean)) {
            const m = /^\s*([A-Za-z_]\w*)\s*=\s*(.+?)\s*$/.exec(pair);
            const v = m ? (m[2] === 'true' || m[2] === 'false' ? m[2] === 'true' : Number(m[2]!.replace(/%$/, '')) / (m[2]!.endsWith('%') ? 100 : 1)) : NaN;
            if (!m || v !== v) throw rejected(`--params takes name=value pairs (a number, true or false), not '${pair.slice(0, 60)}'`);
            params[m[1]!] = v;
        }
        const r = await remote(() => daemon.client.call('hft.backtest', {
            source, uri: pathToFileURL(resolve(file)).href, ...(o.strategy ? { strategy: o.strategy } : {}), ...(Object.keys(params).length ? { params } : {}),
            ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}), ...(o.latencyMs !== undefined ? { latencyMs: o.latencyMs } : {}), fills: o.json ? 10_000 : 0,
        }));
        out(o.json ? `${JSON.stringify(r)}\n` : summary(r, r.instrument));
        return 0;
    }
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
        else out(summary(r, asset.id));
        return 0;
    } catch (e) {
        if (e instanceof BacktestError || e instanceof DataError) throw rejected(e.message);
        throw e;
    }
}
