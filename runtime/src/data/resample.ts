/**
 * Resampling to a coarser timeframe: open = first open, high = max, low = min,
 * close = last close, volume = sum, over UTC buckets `floor((ts - offset) / tf)`
 * (timeframe.ts). The last bucket is dropped when incomplete, i.e. when the calendar
 * still expects source bars in it after the last one seen, unless `includePartial`.
 */
import { DataError } from './errors.js';
import { bucketStart, nextExpected, type Calendar, type Timeframe } from './timeframe.js';

export interface OhlcvSeries {
    readonly ts: Float64Array;
    readonly open: Float64Array;
    readonly high: Float64Array;
    readonly low: Float64Array;
    readonly close: Float64Array;
    readonly volume: Float64Array;
}

export interface ResampleOptions {
    readonly calendar?: Calendar;
    readonly includePartial?: boolean;
}

export interface Resampled extends OhlcvSeries {
    /** True when an incomplete last bucket was left out. */
    readonly droppedPartial: boolean;
}

export function checkResamplable(from: Timeframe, to: Timeframe): void {
    if (to.ms <= from.ms || to.ms % from.ms !== 0 || (to.offset - from.offset) % from.ms !== 0) {
        throw new DataError(`cannot resample ${from.label} to ${to.label}: the target must be a coarser multiple of the source (e.g. 1h → 4h, 1h → 1d, 1d → 1w)`);
    }
}

/** `src` must be sorted by ts without duplicates (as stored); bars with a NaN close are skipped. */
export function resample(src: OhlcvSeries, from: Timeframe, to: Timeframe, options: ResampleOptions = {}): Resampled {
    checkResamplable(from, to);
    const n = src.ts.length;
    // At most one bucket per source bar (sparse calendars fill buckets partly: 5 trading days a week).
    const cap = n;
    const out = { ts: new Float64Array(cap), open: new Float64Array(cap), high: new Float64Array(cap), low: new Float64Array(cap), close: new Float64Array(cap), volume: new Float64Array(cap) };
    let k = -1;
    let bucket = NaN;
    let lastTs = NaN;
    for (let i = 0; i < n; i++) {
        const t = src.ts[i]!;
        if (Number.isNaN(src.close[i]!)) continue;
        if (t <= lastTs) throw new DataError(`resample: source bars are not strictly increasing at index ${i}`);
        lastTs = t;
        const b = bucketStart(t, to);
        if (b !== bucket) {
            k++;
            bucket = b;
            out.ts[k] = b;
            out.open[k] = src.open[i]!;
            out.high[k] = src.high[i]!;
            out.low[k] = src.low[i]!;
            out.close[k] = src.close[i]!;
            out.volume[k] = src.volume[i]!;
        } else {
            if (src.high[i]! > out.high[k]!) out.high[k] = src.high[i]!;
            if (src.low[i]! < out.low[k]!) out.low[k] = src.low[i]!;
            out.close[k] = src.close[i]!;
            out.volume[k] = out.volume[k]! + src.volume[i]!;
        }
    }
    let count = k + 1;
    let droppedPartial = false;
    if (count > 0 && !options.includePartial && nextExpected(lastTs, from, options.calendar ?? '24x7') < bucket + to.ms) {
        count--;
        droppedPartial = true;
    }
    return {
        ts: out.ts.slice(0, count), open: out.open.slice(0, count), high: out.high.slice(0, count), low: out.low.slice(0, count),
        close: out.close.slice(0, count), volume: out.volume.slice(0, count), droppedPartial,
    };
}
