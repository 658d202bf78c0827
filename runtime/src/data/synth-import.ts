/**
 * A seeded synthetic market written into the store: one series per symbol, the same for
 * `af data synth` on a local store and the daemon's `data.synth` (which adds the owner team).
 */
import { importBars, type ImportOptions, type ImportResult } from './import.js';
import { synthBars, type SynthOptions } from './synth.js';
import { parseTimeframe } from './timeframe.js';
import type { DataStore } from '../store/store.js';

export interface SynthImportOptions extends Omit<SynthOptions, 'timeframeMs'>, Pick<ImportOptions, 'owner' | 'onDataReplaced'> {
    readonly venue: string;
    /** A timeframe label, e.g. 1d, 1h. */
    readonly timeframe: string;
}

export async function importSynth(store: DataStore, o: SynthImportOptions): Promise<ImportResult[]> {
    const tf = parseTimeframe(o.timeframe);
    const r = synthBars({ ...o, timeframeMs: tf.ms });
    const done: ImportResult[] = [];
    for (const [i, s] of o.symbols.entries()) {
        done.push(await importBars(store, { ts: r.ts, ...r.assets[i]! }, `synth(seed=${o.seed})`, {
            venue: o.venue, symbol: s, timeframe: tf.label,
            ...(o.owner ? { owner: o.owner } : {}), ...(o.onDataReplaced ? { onDataReplaced: o.onDataReplaced } : {}),
        }));
    }
    return done;
}
