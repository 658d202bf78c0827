/**
 * `af data hft …`: tick data for the HFT pack (docs/packs.md § The HFT pack) — import a trades or
 * L2 book file in a public dataset's layout (Binance, Tardis.dev; CSV or Parquet), the bundled
 * sample, or a seeded synthetic market. While a daemon holds the store they go through it (a file
 * is uploaded to the caller's team, then data.hft.import): the caller's team's copy. Otherwise the
 * local store, as the bootstrap team's shared copy.
 */
import { resolve } from 'node:path';
import type { DaemonClient } from '../../../../protocol/src/client.js';
import { parseDateArg } from '../../data/dates.js';
import { DataError } from '../../data/errors.js';
import { importHftCsv, importHftSample, importHftSynth } from '../../data/hft/import.js';
import { HFT_FORMATS, type HftFormat } from '../../data/hft/layouts.js';
import type { HftImportResult } from '../../data/hft/store.js';
import { withStore } from '../../schema/registry.js';
import { rejected } from '../errors.js';
import { holdingDaemon } from './data-remote.js';
import { remote } from './daemon.js';
import type { StoreCliOptions } from './data.js';

async function local<T>(fn: () => Promise<T>): Promise<T> {
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

/** One file through the daemon: uploaded to the caller's team, then imported from there (its team's copy). */
function importThroughDaemon(c: DaemonClient, file: string, o: { format: string; venue: string; symbol: string }): Promise<HftImportResult> {
    if (!(HFT_FORMATS as readonly string[]).includes(o.format)) throw rejected(`--format ${o.format.slice(0, 40)}: use one of ${HFT_FORMATS.join(', ')}`);
    return remote(async () => {
        const up = await c.upload(resolve(file));
        return c.call('data.hft.import', { upload: up.id, format: o.format as HftFormat, venue: o.venue, symbol: o.symbol });
    });
}

export async function dataHftImportCommand(file: string, o: StoreCliOptions & { format: string; venue: string; symbol: string }, out: (s: string) => void): Promise<number> {
    const daemon = holdingDaemon(o.stateDir);
    const r = daemon
        ? await importThroughDaemon(daemon.client, file, o)
        : await local(() => withStore({ stateDir: o.stateDir }, store => importHftCsv(store, file, o.format, o.venue, o.symbol)));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : line(r, file));
    return 0;
}

export async function dataHftSampleCommand(o: StoreCliOptions, out: (s: string) => void): Promise<number> {
    const daemon = holdingDaemon(o.stateDir);
    const r = daemon
        ? (await remote(() => daemon.client.call('data.hft.sample', {}))).imports
        : await local(() => withStore({ stateDir: o.stateDir }, store => importHftSample(store)));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : r.map(x => line(x, 'the bundled sample')).join(''));
    return 0;
}

export async function dataHftSynthCommand(o: StoreCliOptions & { venue: string; symbol: string; events: number; seed: number; start?: string }, out: (s: string) => void): Promise<number> {
    const daemon = holdingDaemon(o.stateDir);
    const r = daemon
        ? await remote(() => daemon.client.call('data.hft.synth', { venue: o.venue, symbol: o.symbol, events: o.events, seed: o.seed, ...(o.start !== undefined ? { start: o.start } : {}) }))
        : await local(() => withStore({ stateDir: o.stateDir }, store => importHftSynth(store, {
            venue: o.venue, symbol: o.symbol, events: o.events, seed: o.seed,
            ...(o.start !== undefined ? { start: parseDateArg(o.start, '--start') } : {}),
        })));
    out(o.json ? `${JSON.stringify(r, null, 2)}\n` : line(r, `hft-synth(seed=${o.seed})`));
    return 0;
}
