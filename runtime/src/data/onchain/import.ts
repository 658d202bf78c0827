/**
 * On-chain data into the store, as `af data onchain …` does it: a file of one documented layout
 * (layouts.ts), the bundled sample (examples/packs/onchain-sample/: venue bars and the four
 * on-chain files, written by synth.ts with seed 1), or a seeded synthetic venue market with its
 * on-chain dataset. Files are read whole (on-chain exports are small next to bars) and bounded
 * by size; every row is checked before anything is written (store.ts writes in one transaction).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataStore } from '../../store/store.js';
import { DataError } from '../errors.js';
import { importBars, importFile, type ImportResult } from '../import.js';
import { synthBars } from '../synth.js';
import { parseTimeframe } from '../timeframe.js';
import { baseOf } from './align.js';
import { ONCHAIN_KINDS, parseOnchainFile, type OnchainKind } from './layouts.js';
import { storeOnchain, type OnchainImportResult, type OnchainWriter } from './store.js';
import { synthOnchain } from './synth.js';

/** Largest on-chain file read (bytes): a bigger one is split by time first. */
export const MAX_ONCHAIN_FILE = 256 * 1024 * 1024;
/** Largest file data.onchain.import reads: it is parsed on the daemon's main thread. */
export const MAX_ONCHAIN_RPC_FILE = 32 * 1024 * 1024;

export interface OnchainFileOptions {
    readonly format?: 'csv' | 'json';
    /** Who writes (a team over RPC); absent: the local operator (the bootstrap team, shared). */
    readonly writer?: OnchainWriter;
    /** How messages name the file (default: its base name). */
    readonly name?: string;
    /** 'redacted': the caller may name the file but not read it (layouts.ts); default 'full'. */
    readonly detail?: 'full' | 'redacted';
    /** Largest file read, in bytes (default MAX_ONCHAIN_FILE). */
    readonly maxBytes?: number;
}

export async function importOnchainFile(store: DataStore, kind: string, file: string, o: OnchainFileOptions = {}): Promise<OnchainImportResult> {
    if (!(ONCHAIN_KINDS as readonly string[]).includes(kind)) throw new DataError(`--kind ${kind}: use one of ${ONCHAIN_KINDS.join(', ')}`);
    const name = o.name ?? basename(file), max = o.maxBytes ?? MAX_ONCHAIN_FILE;
    if (!existsSync(file) || !statSync(file).isFile()) throw new DataError(`${name}: no such file`);
    if (statSync(file).size > max) throw new DataError(`${name}: larger than ${max / 1024 / 1024} MiB; split it by time and import the parts`);
    const records = parseOnchainFile(kind as OnchainKind, readFileSync(file, 'utf8'), name, o.format, o.detail);
    // Bounded like a bars import: the store's bulk time limit.
    return store.use(() => storeOnchain(store, records, name, o.writer, o.detail), {
        kind: 'bulk', what: `the on-chain import of ${name}`,
        hint: 'split the file by time and import the parts, or ask an admin to raise the limit (af daemon run --bulk-timeout)',
    });
}

/** Where the bundled sample lives (found from this module, in src/ and in out/ alike). */
export function onchainSampleDir(): string {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 8; i++) {
        const d = join(dir, 'examples', 'packs', 'onchain-sample');
        if (existsSync(join(d, 'pools.csv'))) return d;
        dir = dirname(dir);
    }
    throw new DataError('the bundled on-chain sample (examples/packs/onchain-sample) is missing from this installation');
}

/** The sample's venue instrument and timeframe. */
export const ONCHAIN_SAMPLE = { venue: 'synth', symbol: 'ETH/USDT', timeframe: '1h' } as const;

/** Imports the bundled sample: synth:ETH/USDT 1h bars and the pools, swaps, TVL and gas over them. */
export async function importOnchainSample(store: DataStore, dir = onchainSampleDir()): Promise<{ bars: ImportResult; onchain: OnchainImportResult[] }> {
    const bars = await importFile(store, join(dir, 'bars.csv'), { ...ONCHAIN_SAMPLE, calendar: '24x7' });
    const onchain: OnchainImportResult[] = [];
    for (const kind of ONCHAIN_KINDS) onchain.push(await importOnchainFile(store, kind, join(dir, `${kind}.csv`)));
    return { bars, onchain };
}

export interface OnchainSynthImportOptions {
    readonly venue: string;
    readonly symbol: string;
    readonly timeframe: string;
    readonly bars: number;
    readonly seed: number;
    readonly start?: number;
}

/** A seeded synthetic venue market (data/synth.ts) and its on-chain dataset (synth.ts), both stored. */
export async function importOnchainSynth(store: DataStore, o: OnchainSynthImportOptions): Promise<{ bars: ImportResult; onchain: OnchainImportResult }> {
    const tf = parseTimeframe(o.timeframe);
    const m = synthBars({ symbols: [o.symbol], timeframeMs: tf.ms, bars: o.bars, seed: o.seed, ...(o.start !== undefined ? { start: o.start } : {}) });
    const venue = m.assets[0]!;
    const bars = await importBars(store, { ts: m.ts, ...venue }, `synth(seed=${o.seed})`, { venue: o.venue, symbol: o.symbol, timeframe: tf.label });
    const records = synthOnchain({ seed: o.seed, ts: m.ts, close: venue.close, timeframeMs: tf.ms, base: baseOf(bars.instrument.id) });
    return { bars, onchain: await storeOnchain(store, records, `onchain-synth(seed=${o.seed})`) };
}
