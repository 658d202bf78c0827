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
import { importHftFile, storeHftEvents, type HftImportResult } from './store.js';
import { synthHftEvents } from './synth.js';

export async function importHftCsv(store: DataStore, file: string, format: string, venue: string, symbol: string): Promise<HftImportResult> {
    if (!(HFT_FORMATS as readonly string[]).includes(format)) throw new DataError(`--format ${format.slice(0, 40)}: use one of ${HFT_FORMATS.join(', ')}`);
    if (!existsSync(file) || !statSync(file).isFile()) throw new DataError(`${basename(file)}: no such file`);
    return importHftFile(store, file, format as HftFormat, venue, symbol);
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
export async function importHftSample(store: DataStore, dir = hftSampleDir()): Promise<HftImportResult[]> {
    return [
        await importHftFile(store, join(dir, 'trades.csv'), 'tardis-trades', HFT_SAMPLE.venue, HFT_SAMPLE.symbol),
        await importHftFile(store, join(dir, 'book.csv'), 'tardis-book-l2', HFT_SAMPLE.venue, HFT_SAMPLE.symbol),
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

export async function importHftSynth(store: DataStore, o: HftSynthImportOptions): Promise<HftImportResult> {
    if (!Number.isInteger(o.events) || o.events < 10 || o.events > MAX_SYNTH_EVENTS) throw new DataError(`--events ${o.events}: give a whole number from 10 to ${MAX_SYNTH_EVENTS}`);
    const e = synthHftEvents(o.events, { seed: o.seed, ...(o.start !== undefined ? { start: o.start } : {}) });
    return storeHftEvents(store, e, o.venue, o.symbol);
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
