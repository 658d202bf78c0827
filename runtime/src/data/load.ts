/**
 * Loads stored bars for a universe onto one shared time axis: the engine's `BarData`.
 * The axis is the union of the assets' bar times; an asset without a bar at some time
 * gets NaN there (the engine neither trades nor marks it then). When the requested
 * timeframe is not stored but a finer one is, the bars are resampled on the fly (a coarse
 * bar only exists once all of its source bars have closed; resample.ts).
 * The snapshot hash covers exactly the loaded bytes, so a result can name its data.
 *
 * A request with a `team` sees only the series that team may read (ownership.ts): runs and
 * exports over RPC; without one (the local CLI) everything. `asOf` loads the bars as they were
 * after a given import, from the bars later imports replaced (bar_revisions); findSnapshot uses it
 * to find the data a run's snapshot hash names again after its bars were replaced.
 *
 * `reader` (team mode's ClickHouse, data/bars-settings.ts) is where the bar rows of a current load
 * come from instead of the store's bars table; which series exist, their timeframes and whether
 * the team may read them are still decided here, in the store. Loads `asOf` an import read the store.
 */
import { type AssetBars, type BarData } from './bars.js';
import { parseDateArg } from './dates.js';
import { DataError } from './errors.js';
import { resample, type OhlcvSeries } from './resample.js';
import { noVisibleData, visibleInstruments, visibleTimeframes } from './ownership.js';
import { snapshotHash } from './snapshot.js';
import { type DataStore } from '../store/store.js';
import { normalizeSymbol, type InstrumentId } from './symbols.js';
import { bucketStart, parseTimeframe, type Timeframe } from './timeframe.js';

export interface LoadRequest {
    readonly assets: readonly { readonly venue: string; readonly symbol: string }[];
    readonly timeframe: string;
    /** First bar (inclusive): YYYY-MM-DD, ISO time or epoch ms. */
    readonly from?: string | number;
    /** Last bar (inclusive; a date means the whole day). */
    readonly to?: string | number;
    /** Load only series this team may read (ownership.ts); absent: every series (the local CLI). */
    readonly team?: string;
    /** The bars as they were once the import with this id had committed (later imports undone); absent: as stored now. */
    readonly asOf?: number;
    /** Reads the rows of a series instead of the store's bars table (not for `asOf`). */
    readonly reader?: BarReader;
}

/** Bar rows of one stored series, from ≤ ts ≤ to (both optional), ascending (data/clickhouse-bars.ts). */
export interface BarReader {
    range(key: { readonly venue: string; readonly symbol: string; readonly timeframe: string }, from?: number, to?: number): Promise<OhlcvSeries>;
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

/** Loads the bars of `req` as one bulk call on the store (bounded by its bulk time limit). */
export function loadFromStore(store: DataStore, req: LoadRequest): Promise<LoadedBars> {
    return store.use(() => loadUnbounded(store, req), {
        kind: 'bulk', what: `loading the bars of ${req.assets.map(a => `${a.venue}:${a.symbol}`).join(', ')}`,
        hint: 'load a shorter from/to range or fewer symbols, or ask an admin to raise the limit (af daemon run --bulk-timeout)',
    });
}

async function loadUnbounded(store: DataStore, req: LoadRequest): Promise<LoadedBars> {
    if (req.assets.length === 0) throw new DataError('no instruments to load');
    const tf = parseTimeframe(req.timeframe);
    const from = bound(req.from, '--from', 'start');
    const to = bound(req.to, '--to', 'end');
    if (from !== undefined && to !== undefined && from > to) throw new DataError(`--from ${String(req.from)} is after --to ${String(req.to)}`);
    const ids = req.assets.map(a => normalizeSymbol(a.venue, a.symbol));
    const series: OhlcvSeries[] = [];
    const sources: string[] = [];
    for (const id of ids) {
        const { bars, source } = await loadSeries(store, id, tf, from, to, req);
        series.push(bars);
        sources.push(source);
    }
    return align(ids.map(i => i.id), tf, series, sources);
}

/** Stored timeframes of an instrument (those the team may read, when given), finest first. */
async function storedTimeframes(store: DataStore, id: InstrumentId, team: string | undefined): Promise<Timeframe[]> {
    const labels = team !== undefined
        ? await visibleTimeframes(store, id, team)
        : (await store.rows(`SELECT DISTINCT timeframe FROM bars WHERE venue = $1 AND symbol = $2`, [id.venue, id.symbol])).map(r => String(r.timeframe));
    return labels.map(parseTimeframe).sort((a, b) => a.ms - b.ms);
}

/** A stored timeframe `s` can be resampled to `tf` (resample.ts checkResamplable). */
function resamplesTo(s: Timeframe, tf: Timeframe): boolean {
    return s.ms < tf.ms && tf.ms % s.ms === 0 && (tf.offset - s.offset) % s.ms === 0;
}

async function loadSeries(store: DataStore, id: InstrumentId, tf: Timeframe, from: number | undefined, to: number | undefined, req: LoadRequest): Promise<{ bars: OhlcvSeries; source: string }> {
    const stored = await storedTimeframes(store, id, req.team);
    const query = (timeframe: string, lo: number | undefined, hi: number | undefined): Promise<OhlcvSeries> =>
        req.reader && req.asOf === undefined ? req.reader.range({ venue: id.venue, symbol: id.symbol, timeframe }, lo, hi) : queryBars(store, id, timeframe, lo, hi, req.asOf);
    // A team is told only what it may read: no store path, no other team's instruments.
    if (req.team !== undefined && !stored.some(s => s.label === tf.label || resamplesTo(s, tf))) {
        throw noVisibleData(id.id, tf.label, req.team, await visibleInstruments(store, req.team));
    }
    if (stored.length === 0) {
        const known = (await store.rows(`SELECT DISTINCT venue || ':' || symbol AS id FROM bars ORDER BY 1 LIMIT 8`)).map(r => String(r.id));
        throw new DataError(`no bars stored for ${id.id} in ${store.file}; import them (af data import FILE --venue ${id.venue} --symbol ${id.symbol} --timeframe ${tf.label}, or af data sample for sp:SPX)`
            + (known.length ? `; stored instruments: ${known.join(', ')}` : '; the store is empty'));
    }
    if (stored.some(s => s.label === tf.label)) return { bars: await query(tf.label, from, to), source: tf.label };
    // Resample from the coarsest stored timeframe that divides the requested one.
    const finer = stored.filter(s => resamplesTo(s, tf)).pop();
    if (!finer) {
        throw new DataError(`${id.id} is stored as ${stored.map(s => s.label).join(', ')}, none of which resamples to ${tf.label}; import ${tf.label} bars or a finer timeframe that divides it`);
    }
    // Widen the window to whole coarse buckets so the first and last bars are complete: `to`
    // bounds bar open times, so the bucket that opens at or before `to` is read to its end
    // (as its stored counterpart would be), not cut at `to` and then dropped as partial.
    const lo = from === undefined ? undefined : bucketStart(from, tf);
    const hi = to === undefined ? undefined : bucketStart(to, tf) + tf.ms - 1;
    const raw = await query(finer.label, lo, hi);
    const r = resample(raw, finer, tf, { calendar: id.kind === 'ticker' ? 'weekdays' : '24x7' });
    const keep = (t: number): boolean => (from === undefined || t >= from) && (to === undefined || t <= to);
    const idx: number[] = [];
    for (let i = 0; i < r.ts.length; i++) if (keep(r.ts[i]!)) idx.push(i);
    const pick = (a: Float64Array): Float64Array => Float64Array.from(idx, i => a[i]!);
    return { bars: { ts: pick(r.ts), open: pick(r.open), high: pick(r.high), low: pick(r.low), close: pick(r.close), volume: pick(r.volume) }, source: finer.label };
}

async function queryBars(store: DataStore, id: InstrumentId, timeframe: string, from: number | undefined, to: number | undefined, asOf: number | undefined): Promise<OhlcvSeries> {
    const where = ['venue = $1', 'symbol = $2', 'timeframe = $3'];
    const params: (string | number)[] = [id.venue, id.symbol, timeframe];
    if (from !== undefined) { params.push(from); where.push(`ts >= make_timestamp(CAST($${params.length} AS BIGINT) * 1000)`); }
    if (to !== undefined) { params.push(to); where.push(`ts <= make_timestamp(CAST($${params.length} AS BIGINT) * 1000)`); }
    let source = 'bars';
    if (asOf !== undefined) {
        params.push(asOf);
        source = asOfBars(`$${params.length}`);
    }
    const reader = await store.use(conn => conn.runAndReadAll(
        `SELECT epoch_ms(ts)::DOUBLE, open, high, low, close, volume FROM ${source} WHERE ${where.join(' AND ')} ORDER BY ts`, params));
    const cols = reader.getColumns() as number[][];
    const f = (i: number): Float64Array => Float64Array.from(cols[i] ?? []);
    return { ts: f(0), open: f(1), high: f(2), low: f(3), close: f(4), volume: f(5) };
}

/**
 * The bars table as it was once import `asOf` had committed ($1–$3: the series). Each import
 * replaced exactly the stored bars in its [first_ts, last_ts] and kept them in bar_revisions: so a
 * time no later import covers has its current bar, and a time later imports cover has the bar
 * that the first of them replaced (none when it replaced none).
 */
function asOfBars(asOf: string): string {
    return `(WITH later AS (SELECT id, first_ts, last_ts FROM imports WHERE venue = $1 AND symbol = $2 AND timeframe = $3 AND id > ${asOf})
        SELECT venue, symbol, timeframe, ts, open, high, low, close, volume FROM bars b
            WHERE venue = $1 AND symbol = $2 AND timeframe = $3 AND NOT EXISTS (SELECT 1 FROM later l WHERE b.ts BETWEEN l.first_ts AND l.last_ts)
        UNION ALL
        SELECT r.venue, r.symbol, r.timeframe, r.ts, r.open, r.high, r.low, r.close, r.volume FROM bar_revisions r JOIN later j ON r.import_id = j.id
            WHERE r.venue = $1 AND r.symbol = $2 AND r.timeframe = $3
            AND NOT EXISTS (SELECT 1 FROM later l WHERE l.id < j.id AND r.ts BETWEEN l.first_ts AND l.last_ts)) AS bars_as_of`;
}

/**
 * The bars whose snapshot hash is `hash` for this request: as stored now, or as they were before
 * one of the imports into the request's instruments, newest first; undefined when none matches
 * (e.g. the bars were replaced before replaced bars were kept, schema version 8). Honours `team`.
 */
export async function findSnapshot(store: DataStore, req: LoadRequest, hash: string): Promise<LoadedBars | undefined> {
    const now = await loadFromStore(store, { ...req, asOf: undefined });
    if (now.snapshotHash === hash) return now;
    const ids = req.assets.map(a => normalizeSymbol(a.venue, a.symbol));
    const match = ids.map((_, i) => `(venue = $${2 * i + 1} AND symbol = $${2 * i + 2})`).join(' OR ');
    const imports = await store.rows(`SELECT id::DOUBLE AS id FROM imports WHERE ${match} ORDER BY id DESC`, ids.flatMap(i => [i.venue, i.symbol]));
    for (const r of imports) {
        const before = await loadFromStore(store, { ...req, asOf: Number(r.id) - 1 });
        if (before.snapshotHash === hash) return before;
    }
    return undefined;
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
