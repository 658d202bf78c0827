/**
 * One instrument's bars and import log (`af data show`, `data.show`) and storing a coarser
 * timeframe of it (`af data resample`, `data.resample`): one implementation for the local CLI,
 * which reads every series, and the daemon, which reads only what the caller's team may read
 * (`team`, ownership.ts) and records the new series as the caller's team's.
 */
import type { DataStore } from '../store/store.js';
import { DataError } from './errors.js';
import { importBars, type ImportOptions, type ImportResult } from './import.js';
import { loadFromStore } from './load.js';
import { noVisibleData, visibleTimeframes } from './ownership.js';
import { parseInstrument } from './symbols.js';
import { parseTimeframe } from './timeframe.js';

export interface ShowRequest {
    /** venue:SYMBOL */
    readonly instrument: string;
    /** Default: the one stored timeframe (an error names them when there are several). */
    readonly timeframe?: string;
    readonly from?: string | number;
    readonly to?: string | number;
    /** Rows to return (the first ones, or the last with `tail`). */
    readonly limit: number;
    readonly tail?: boolean;
    /** Read only what this team may read; absent: every series (the local CLI). */
    readonly team?: string;
}

export interface ShownBar { readonly ts: number; readonly open: number; readonly high: number; readonly low: number; readonly close: number; readonly volume: number }
export interface ShownImport { readonly id: number; readonly at: string; readonly source: string; readonly timeframe: string; readonly rows: number }

export interface ShowResult {
    readonly instrument: string;
    readonly timeframe: string;
    /** The stored timeframe the bars came from (differs when resampled on the fly). */
    readonly source: string;
    /** Bars in the range (all of them, not only the rows returned). */
    readonly bars: number;
    readonly firstTs?: number;
    readonly lastTs?: number;
    readonly snapshotHash: string;
    readonly rows: readonly ShownBar[];
    readonly imports: readonly ShownImport[];
}

/** What a daemon caller sees instead of another team's import source. */
export const HIDDEN_SOURCE = '(imported by another team or the local CLI)';

export async function showBars(store: DataStore, req: ShowRequest): Promise<ShowResult> {
    const id = parseInstrument(req.instrument);
    const tfs = req.team !== undefined
        ? await visibleTimeframes(store, id, req.team)
        : (await store.rows(`SELECT DISTINCT timeframe FROM bars WHERE venue = $1 AND symbol = $2`, [id.venue, id.symbol])).map(r => String(r.timeframe));
    const timeframe = req.timeframe ?? (tfs.length === 1 ? tfs[0]! : undefined);
    if (!timeframe) {
        if (tfs.length === 0) throw req.team !== undefined ? noVisibleData(id.id, 'any timeframe', req.team) : new DataError(`no bars stored for ${id.id}; af data ls lists what is stored`);
        throw new DataError(`${id.id} is stored in several timeframes (${tfs.sort().join(', ')}); choose one with --timeframe`);
    }
    const data = await loadFromStore(store, { assets: [id], timeframe, from: req.from, to: req.to, ...(req.team !== undefined ? { team: req.team } : {}) });
    const T = data.ts.length;
    const a = data.assets[0]!;
    const n = Math.min(req.limit, T);
    const start = req.tail ? T - n : 0;
    const rows = Array.from({ length: n }, (_, k) => start + k)
        .map(i => ({ ts: data.ts[i]!, open: a.open[i]!, high: a.high[i]!, low: a.low[i]!, close: a.close[i]!, volume: a.volume[i]! }));
    // The imports of the timeframes read (the shown one, and the one it was resampled from).
    const imports = await store.rows(`SELECT id::DOUBLE AS id, strftime(imported_at, '%Y-%m-%d %H:%M:%S') AS at, source, team, timeframe, rows_written::DOUBLE AS rows
        FROM imports WHERE venue = $1 AND symbol = $2 AND timeframe IN ($3, $4) ORDER BY id`, [id.venue, id.symbol, timeframe, data.sources[0]!]);
    // An import's source is the importer's file name: a team sees its own; another team's (or the
    // local CLI's, a host path) is hidden even when the series is shared with the caller.
    const sourceOf = (r: Record<string, unknown>): string =>
        req.team === undefined || r.team === req.team ? String(r.source) : HIDDEN_SOURCE;
    return {
        instrument: id.id, timeframe, source: data.sources[0]!, bars: T, ...(T ? { firstTs: data.ts[0]!, lastTs: data.ts[T - 1]! } : {}),
        snapshotHash: data.snapshotHash, rows,
        imports: imports.map(r => ({ id: Number(r.id), at: String(r.at), source: sourceOf(r), timeframe: String(r.timeframe), rows: Number(r.rows) })),
    };
}

export interface ResampleRequest extends Pick<ImportOptions, 'owner' | 'onDataReplaced'> {
    readonly instrument: string;
    /** The coarser timeframe to store. */
    readonly to: string;
    /** Read only what this team may read; absent: every series (the local CLI). */
    readonly team?: string;
}

/** Stores a coarser timeframe of a stored series, through the import (validated, all or nothing, ownership checked). */
export async function resampleSeries(store: DataStore, req: ResampleRequest): Promise<ImportResult> {
    const id = parseInstrument(req.instrument);
    const tf = parseTimeframe(req.to);
    const data = await loadFromStore(store, { assets: [id], timeframe: tf.label, ...(req.team !== undefined ? { team: req.team } : {}) });
    if (data.sources[0] === tf.label) throw new DataError(`${id.id} already has ${tf.label} bars stored`);
    return importBars(store, { ts: data.ts, ...data.assets[0]! }, `resample(${id.id} ${data.sources[0]} → ${tf.label})`, {
        venue: id.venue, symbol: id.symbol, timeframe: tf.label, allowGaps: true,
        ...(req.owner ? { owner: req.owner } : {}), ...(req.onDataReplaced ? { onDataReplaced: req.onDataReplaced } : {}),
    });
}
