/**
 * `af data onchain …`: on-chain/DeFi data for the onchain pack (docs/data.md § On-chain data) —
 * import a pools, swaps, tvl or gas file of the documented layouts, the bundled sample, or a seeded
 * synthetic venue market with its on-chain dataset. Local store only (no daemon method yet).
 */
import { formatTs, parseDateArg } from '../../data/dates.js';
import { DataError } from '../../data/errors.js';
import { importOnchainFile, importOnchainSample, importOnchainSynth } from '../../data/onchain/import.js';
import type { OnchainImportResult } from '../../data/onchain/store.js';
import type { ImportResult } from '../../data/import.js';
import { withStore } from '../../schema/registry.js';
import { CliError, rejected } from '../errors.js';
import { holdingDaemon } from './data-remote.js';
import type { StoreCliOptions } from './data.js';

async function local<T>(o: StoreCliOptions, fn: () => Promise<T>): Promise<T> {
    if (holdingDaemon(o.stateDir)) throw new CliError('a daemon holds this store, and on-chain imports have no daemon method yet; stop it (af daemon stop) or use another --state-dir');
    try {
        return await fn();
    } catch (e) {
        if (e instanceof DataError) throw rejected(e.message);
        throw e;
    }
}

const onchainLine = (r: OnchainImportResult, source: string): string => {
    const parts = ([['pools', r.pools], ['swaps', r.swaps], ['TVL points', r.tvl], ['gas prices', r.gas]] as const).filter(([, n]) => n > 0).map(([w, n]) => `${n} ${w}`);
    return `imported ${parts.join(', ')} from ${source} (${r.seriesRows} on-chain series rows)\n`;
};
const barsLine = (r: ImportResult): string => `imported ${r.rowsWritten} ${r.timeframe} bars of ${r.instrument.id} from ${r.source} (${formatTs(r.firstTs)} .. ${formatTs(r.lastTs)})\n`;

export async function dataOnchainImportCommand(file: string, o: StoreCliOptions & { kind: string; format?: 'csv' | 'json' }, out: (s: string) => void): Promise<number> {
    const r = await local(o, () => withStore({ stateDir: o.stateDir }, store => importOnchainFile(store, o.kind, file, o.format)));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : onchainLine(r, file));
    return 0;
}

export async function dataOnchainSampleCommand(o: StoreCliOptions, out: (s: string) => void): Promise<number> {
    const r = await local(o, () => withStore({ stateDir: o.stateDir }, store => importOnchainSample(store)));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : barsLine(r.bars) + r.onchain.map(x => onchainLine(x, 'the bundled sample')).join(''));
    return 0;
}

export interface OnchainSynthCliOptions extends StoreCliOptions {
    venue: string;
    symbol: string;
    timeframe: string;
    bars: number;
    seed: number;
    start?: string;
}

export async function dataOnchainSynthCommand(o: OnchainSynthCliOptions, out: (s: string) => void): Promise<number> {
    const r = await local(o, () => withStore({ stateDir: o.stateDir }, store => importOnchainSynth(store, {
        venue: o.venue, symbol: o.symbol, timeframe: o.timeframe, bars: o.bars, seed: o.seed,
        ...(o.start !== undefined ? { start: parseDateArg(o.start, '--start') } : {}),
    })));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : barsLine(r.bars) + onchainLine(r.onchain, `onchain-synth(seed=${o.seed})`));
    return 0;
}
