/**
 * Tick data into the store, as `af data hft …` does it: a file of one documented layout
 * (layouts.ts), the bundled sample (examples/packs/hft-sample/: Tardis.dev-layout trades and
 * incremental_book_L2 files written from synth.ts with seed 1), or a seeded synthetic market.
 * `tardisCsv` writes events in Tardis.dev's layouts (the sample, and tests of the importer).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataStore } from '../../store/store.js';
import { DataError } from '../errors.js';
import { TRADE, type HftEvents } from './events.js';
import { HFT_FORMATS, type HftFormat } from './layouts.js';
import { importHftFile, LOCAL_WRITER, storeHftEvents, type HftFileOptions, type HftImportResult, type HftWriter } from './store.js';
import { synthHftEvents } from './synth.js';

/** Largest file data.hft.import reads (bytes): it is parsed on the daemon's main thread. */
export const MAX_HFT_RPC_FILE = 32 * 1024 * 1024;

export interface HftImportOptions extends HftFileOptions {
    /** Largest file read, in bytes (default: no limit, the local CLI streams any size). */
    readonly maxBytes?: number;
}

/** One file of a layout, bounded by the store's bulk time limit (and `maxBytes`). */
export async function importHftCsv(store: DataStore, file: string, format: string, venue: string, symbol: string, o: HftImportOptions = {}): Promise<HftImportResult> {
    if (!(HFT_FORMATS as readonly string[]).includes(format)) throw new DataError(`--format ${format.slice(0, 40)}: use one of ${HFT_FORMATS.join(', ')}`);
    const name = o.name ?? basename(file);
    if (!existsSync(file) || !statSync(file).isFile()) throw new DataError(`${name}: no such file`);
    if (o.maxBytes !== undefined && statSync(file).size > o.maxBytes) throw new DataError(`${name}: larger than ${o.maxBytes / 1024 / 1024} MiB; split it by time and import the parts`);
    return store.use(() => importHftFile(store, file, format as HftFormat, venue, symbol, { ...o, name }), {
        kind: 'bulk', what: `the tick-data import of ${name}`,
        hint: 'split the file by time and import the parts, or ask an admin to raise the limit (af daemon run --bulk-timeout)',
    });
}

/** Where the bundled sample lives (found from this module, in src/ and in out/ alike). */
export function hftSampleDir(): string {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 8; i++) {
        const d = join(dir, 'examples', 'packs', 'hft-sample');
        if (existsSync(join(d, 'trades.csv'))) return d;
        dir = dirname(dir);
    }
    throw new DataError('the bundled HFT sample (examples/packs/hft-sample) is missing from this installation');
}

/** The sample's instrument, and how it was made. */
export const HFT_SAMPLE = { venue: 'synth', symbol: 'BTC/USDT', seed: 1, events: 6000, mid: 100, tickSize: 0.01 } as const;

/** Imports the bundled sample: its trades file, then its book file. */
export async function importHftSample(store: DataStore, dir = hftSampleDir(), writer: HftWriter = LOCAL_WRITER): Promise<HftImportResult[]> {
    return [
        await importHftCsv(store, join(dir, 'trades.csv'), 'tardis-trades', HFT_SAMPLE.venue, HFT_SAMPLE.symbol, { writer }),
        await importHftCsv(store, join(dir, 'book.csv'), 'tardis-book-l2', HFT_SAMPLE.venue, HFT_SAMPLE.symbol, { writer }),
    ];
}

export interface HftSynthImportOptions {
    readonly venue: string;
    readonly symbol: string;
    readonly events: number;
    readonly seed: number;
    readonly start?: number;
}

/** The most events `af data hft synth` stores at once. */
export const MAX_SYNTH_EVENTS = 20_000_000;

export async function importHftSynth(store: DataStore, o: HftSynthImportOptions, writer: HftWriter = LOCAL_WRITER): Promise<HftImportResult> {
    if (!Number.isInteger(o.events) || o.events < 10 || o.events > MAX_SYNTH_EVENTS) throw new DataError(`--events ${o.events}: give a whole number from 10 to ${MAX_SYNTH_EVENTS}`);
    const e = synthHftEvents(o.events, { seed: o.seed, ...(o.start !== undefined ? { start: o.start } : {}) });
    return store.use(() => storeHftEvents(store, e, o.venue, o.symbol, writer), { kind: 'bulk', what: 'storing the synthetic tick data', hint: 'generate fewer events' });
}

/** Events as Tardis.dev CSV files: `trades` and `incremental_book_L2` (µs timestamps). */
export function tardisCsv(e: HftEvents, exchange: string, symbol: string): { trades: string; book: string } {
    const t = ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount'];
    const b = ['exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount'];
    for (let i = 0; i < e.n; i++) {
        const us = Math.round(e.ms[i]! * 1000);
        if (e.kind[i] === TRADE) t.push(`${exchange},${symbol},${us},${us},${i},${e.side[i] === 1 ? 'buy' : e.side[i] === -1 ? 'sell' : 'unknown'},${e.price[i]},${e.qty[i]}`);
        else b.push(`${exchange},${symbol},${us},${us},${e.kind[i] === 2},${e.side[i] === 1 ? 'bid' : 'ask'},${e.price[i]},${e.qty[i]}`);
    }
    return { trades: `${t.join('\n')}\n`, book: `${b.join('\n')}\n` };
}
