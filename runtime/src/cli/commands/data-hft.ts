/**
 * `af data hft …`: tick data for the HFT pack (docs/packs.md § The HFT pack) — import a trades or
 * L2 book file in a public dataset's layout (Binance, Tardis.dev), the bundled sample, or a seeded
 * synthetic market. Local store only (no daemon method yet), like `af data onchain`.
 */
import { parseDateArg } from '../../data/dates.js';
import { DataError } from '../../data/errors.js';
import { importHftCsv, importHftSample, importHftSynth } from '../../data/hft/import.js';
import type { HftImportResult } from '../../data/hft/store.js';
import { withStore } from '../../schema/registry.js';
import { CliError, rejected } from '../errors.js';
import { holdingDaemon } from './data-remote.js';
import type { StoreCliOptions } from './data.js';

async function local<T>(o: StoreCliOptions, fn: () => Promise<T>): Promise<T> {
    if (holdingDaemon(o.stateDir)) throw new CliError('a daemon holds this store, and tick-data imports have no daemon method yet; stop it (af daemon stop) or use another --state-dir');
    try {
        return await fn();
    } catch (e) {
        if (e instanceof DataError) throw rejected(e.message);
        throw e;
    }
}

const iso = (us: number | null): string => (us === null ? '-' : new Date(us / 1000).toISOString());
const line = (r: HftImportResult, source: string): string =>
    `imported ${r.trades} trades and ${r.bookRows} book rows of ${r.venue}:${r.symbol} from ${source} (${iso(r.firstUs)} .. ${iso(r.lastUs)})\n`;

export async function dataHftImportCommand(file: string, o: StoreCliOptions & { format: string; venue: string; symbol: string }, out: (s: string) => void): Promise<number> {
    const r = await local(o, () => withStore({ stateDir: o.stateDir }, store => importHftCsv(store, file, o.format, o.venue, o.symbol)));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : line(r, file));
    return 0;
}

export async function dataHftSampleCommand(o: StoreCliOptions, out: (s: string) => void): Promise<number> {
    const r = await local(o, () => withStore({ stateDir: o.stateDir }, store => importHftSample(store)));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : r.map(x => line(x, 'the bundled sample')).join(''));
    return 0;
}

export async function dataHftSynthCommand(o: StoreCliOptions & { venue: string; symbol: string; events: number; seed: number; start?: string }, out: (s: string) => void): Promise<number> {
    const r = await local(o, () => withStore({ stateDir: o.stateDir }, store => importHftSynth(store, {
        venue: o.venue, symbol: o.symbol, events: o.events, seed: o.seed,
        ...(o.start !== undefined ? { start: parseDateArg(o.start, '--start') } : {}),
    })));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : line(r, `hft-synth(seed=${o.seed})`));
    return 0;
}
