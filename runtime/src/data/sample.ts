/**
 * The bundled sample: real S&P 500 daily bars 2000–2020 from the npm package vega-datasets
 * (BSD-3-Clause), imported as sp:SPX 1d on the weekdays calendar (market closures such as 9/11
 * are kept as gaps). `af data sample` imports it into a local store, the daemon's `data.sample`
 * into the caller's team: both through here, so both get the same bars and the same snapshot.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DataError } from './errors.js';
import { importFile, type ImportOptions, type ImportResult } from './import.js';
import type { DataStore } from '../store/store.js';

export const SAMPLE = { venue: 'sp', symbol: 'SPX', timeframe: '1d', calendar: 'weekdays', package: 'vega-datasets', file: 'data/sp500-2000.csv' } as const;

/** The sample's CSV file in the installed package. */
export function sampleFile(): string {
    // The package's "exports" hide data/; its entry point (build/index.js) locates the package root.
    let file: string | undefined;
    try {
        file = join(dirname(createRequire(import.meta.url).resolve(SAMPLE.package)), '..', SAMPLE.file);
    } catch {
        // reported below
    }
    if (!file || !existsSync(file)) throw new DataError(`the bundled sample ${SAMPLE.package}/${SAMPLE.file} is missing; run npm ci in the AlphaForge installation`);
    return file;
}

/** Imports the sample into `store` (again: nothing changes, the same bars are already there). */
export function importSample(store: DataStore, o: Pick<ImportOptions, 'owner' | 'onDataReplaced'> = {}): Promise<ImportResult> {
    return importFile(store, sampleFile(), {
        venue: SAMPLE.venue, symbol: SAMPLE.symbol, timeframe: SAMPLE.timeframe, calendar: SAMPLE.calendar, allowGaps: true, ...o,
    });
}
