/**
 * Loads stored bars for a universe onto one shared time axis: the engine's `BarData`.
 * The axis is the union of the assets' bar times; an asset without a bar at some time
 * gets NaN there (the engine neither trades nor marks it then). When the requested
 * timeframe is not stored but a finer one is, the bars are resampled on the fly (a coarse
 * bar only exists once all of its source bars have closed; resample.ts).
 * The snapshot hash covers exactly the loaded bytes, so a result can name its data.
 */
import { type AssetBars, type BarData } from '../engine/types.js';
import { parseDateArg } from './dates.js';
import { DataError } from './errors.js';
import { resample, type OhlcvSeries } from './resample.js';
import { snapshotHash } from './snapshot.js';
import { DataStore } from './store.js';
import { normalizeSymbol, type InstrumentId } from './symbols.js';
import { bucketStart, parseTimeframe, type Timeframe } from './timeframe.js';

export interface LoadRequest {
    readonly stateDir?: string;
    readonly assets: readonly { readonly venue: string; readonly symbol: string }[];
    readonly timeframe: string;
    /** First bar (inclusive): YYYY-MM-DD, ISO time or epoch ms. */
    readonly from?: string | number;
    /** Last bar (inclusive; a date means the whole day). */
    readonly to?: string | number;
}

export interface LoadedBars extends BarData {
    /** Canonical `venue:SYMBOL` of each asset, in request order. */
    readonly ids: readonly string[];
    /** Per asset: the stored timeframe the bars came from (differs when resampled). */
    readonly sources: readonly string[];
}

function bound(v: string | number | undefined, what: string, side: 'start' | 'end'): number | undefined {
    if (v === undefined) return undefined;
    return typeof v === 'number' ? v : parseDateArg(v, what, side);
}

/** Opens the store, loads, closes. */
export async function loadBarData(req: LoadRequest): Promise<LoadedBars> {
    return DataStore.with({ stateDir: req.stateDir }, store => loadFromStore(store, req));
}

export async function loadFromStore(store: DataStore, req: LoadRequest): Promise<LoadedBars> {
    if (req.assets.length === 0) throw new DataError('no instruments to load');
    const tf = parseTimeframe(req.timeframe);
    const from = bound(req.from, '--from', 'start');
    const to = bound(req.to, '--to', 'end');
    if (from !== undefined && to !== undefined && from > to) throw new DataError(`--from ${String(req.from)} is after --to ${String(req.to)}`);
    const ids = req.assets.map(a => normalizeSymbol(a.venue, a.symbol));
    const series: OhlcvSeries[] = [];
    const sources: string[] = [];
    for (const id of ids) {
        const { bars, source } = await loadSeries(store, id, tf, from, to);
        series.push(bars);
        sources.push(source);
    }
    return align(ids.map(i => i.id), tf, series, sources);
}

/** Stored timeframes of an instrument, finest first. */
async function storedTimeframes(store: DataStore, id: InstrumentId): Promise<Timeframe[]> {
    const rows = await store.rows(`SELECT DISTINCT timeframe FROM bars WHERE venue = $1 AND symbol = $2`, [id.venue, id.symbol]);
    return rows.map(r => parseTimeframe(String(r.timeframe))).sort((a, b) => a.ms - b.ms);
}

async function loadSeries(store: DataStore, id: InstrumentId, tf: Timeframe, from: number | undefined, to: number | undefined): Promise<{ bars: OhlcvSeries; source: string }> {
    const stored = await storedTimeframes(store, id);
    if (stored.length === 0) {
        const known = (await store.rows(`SELECT DISTINCT venue || ':' || symbol AS id FROM bars ORDER BY 1 LIMIT 8`)).map(r => String(r.id));
        throw new DataError(`no bars stored for ${id.id} in ${store.file}; import them (af data import FILE --venue ${id.venue} --symbol ${id.symbol} --timeframe ${tf.label}, or af data sample for sp:SPX)`
            + (known.length ? `; stored instruments: ${known.join(', ')}` : '; the store is empty'));
    }
    if (stored.some(s => s.label === tf.label)) return { bars: await query(store, id, tf.label, from, to), source: tf.label };
    // Resample from the coarsest stored timeframe that divides the requested one.
    const finer = stored.filter(s => s.ms < tf.ms && tf.ms % s.ms === 0 && (tf.offset - s.offset) % s.ms === 0).pop();
    if (!finer) {
        throw new DataError(`${id.id} is stored as ${stored.map(s => s.label).join(', ')}, none of which resamples to ${tf.label}; import ${tf.label} bars or a finer timeframe that divides it`);
    }
    // Widen the window to whole coarse buckets so the first and last bars are complete: `to`
    // bounds bar open times, so the bucket that opens at or before `to` is read to its end
    // (as its stored counterpart would be), not cut at `to` and then dropped as partial.
    const lo = from === undefined ? undefined : bucketStart(from, tf);
    const hi = to === undefined ? undefined : bucketStart(to, tf) + tf.ms - 1;
    const raw = await query(store, id, finer.label, lo, hi);
    const r = resample(raw, finer, tf, { calendar: id.kind === 'ticker' ? 'weekdays' : '24x7' });
    const keep = (t: number): boolean => (from === undefined || t >= from) && (to === undefined || t <= to);
    const idx: number[] = [];
    for (let i = 0; i < r.ts.length; i++) if (keep(r.ts[i]!)) idx.push(i);
    const pick = (a: Float64Array): Float64Array => Float64Array.from(idx, i => a[i]!);
    return { bars: { ts: pick(r.ts), open: pick(r.open), high: pick(r.high), low: pick(r.low), close: pick(r.close), volume: pick(r.volume) }, source: finer.label };
}

async function query(store: DataStore, id: InstrumentId, timeframe: string, from: number | undefined, to: number | undefined): Promise<OhlcvSeries> {
    const where = ['venue = $1', 'symbol = $2', 'timeframe = $3'];
    const params: (string | number)[] = [id.venue, id.symbol, timeframe];
    if (from !== undefined) { params.push(from); where.push(`ts >= make_timestamp(CAST($${params.length} AS BIGINT) * 1000)`); }
    if (to !== undefined) { params.push(to); where.push(`ts <= make_timestamp(CAST($${params.length} AS BIGINT) * 1000)`); }
    const reader = await store.connection.runAndReadAll(
        `SELECT epoch_ms(ts)::DOUBLE, open, high, low, close, volume FROM bars WHERE ${where.join(' AND ')} ORDER BY ts`, params);
    const cols = reader.getColumns() as number[][];
    const f = (i: number): Float64Array => Float64Array.from(cols[i] ?? []);
    return { ts: f(0), open: f(1), high: f(2), low: f(3), close: f(4), volume: f(5) };
}

/** Puts the series on the union of their time axes (NaN where an asset has no bar). */
export function align(ids: readonly string[], tf: Timeframe, series: readonly OhlcvSeries[], sources: readonly string[] = ids.map(() => tf.label)): LoadedBars {
    let ts: Float64Array;
    if (series.length === 1) {
        ts = series[0]!.ts;
    } else {
        const all = new Set<number>();
        for (const s of series) for (const t of s.ts) all.add(t);
        ts = Float64Array.from([...all].sort((a, b) => a - b));
    }
    const T = ts.length;
    const assets: AssetBars[] = series.map(s => {
        if (s.ts === ts) return { open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume };
        const out = { open: new Float64Array(T).fill(NaN), high: new Float64Array(T).fill(NaN), low: new Float64Array(T).fill(NaN), close: new Float64Array(T).fill(NaN), volume: new Float64Array(T).fill(NaN) };
        let j = 0;
        for (let i = 0; i < s.ts.length; i++) {
            while (ts[j]! < s.ts[i]!) j++;
            out.open[j] = s.open[i]!; out.high[j] = s.high[i]!; out.low[j] = s.low[i]!; out.close[j] = s.close[i]!; out.volume[j] = s.volume[i]!;
        }
        return out;
    });
    return { ts, assets, timeframeMs: tf.ms, snapshotHash: snapshotHash(ids, tf.ms, ts, assets), ids, sources };
}
