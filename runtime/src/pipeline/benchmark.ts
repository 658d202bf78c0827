/**
 * A named benchmark (`--benchmark sp:SPX`, a run spec's `benchmark`): a stored series loaded with
 * the run's own load step (so a daemon run sees only what its team may read), its closes put on
 * the run's bar times, and refused in one line when it is unknown or does not cover the run's
 * bars. The curve itself is result.ts's `benchmarkCurve` over these closes, so a named benchmark
 * and the default buy-and-hold of the traded assets are bought and marked by the same rules.
 */
import { UserInputError } from '../../../protocol/src/errors.js';
import { BacktestError } from '../engine/types.js';
import type { LoadedBars, LoadRequest } from '../data/load.js';
import { NoVisibleData } from '../data/ownership.js';

/** What the engine half needs of a named benchmark: plain data (it travels to run threads and queue workers). */
export interface NamedBenchmark {
    /** Canonical `venue:SYMBOL`. */
    readonly id: string;
    /** Its close at each bar of the run (the last close at or before the bar's time: weekends and holidays carry it). */
    readonly close: readonly number[];
}

const DAY = 86_400_000;
/** How far the series may start before, or end before, the run's bars and still cover them (a long weekend and a holiday or two). */
export const COVER_SLACK_MS = 7 * DAY;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** `venue:SYMBOL` → its parts, or a one-line error naming the field. */
function parseId(id: string): { venue: string; symbol: string } {
    const i = id.indexOf(':');
    if (i <= 0 || i === id.length - 1) throw new BacktestError(`benchmark: '${id}' is not venue:SYMBOL (e.g. sp:SPX)`);
    return { venue: id.slice(0, i), symbol: id.slice(i + 1) };
}

/**
 * Loads `id` over the run's bars `ts` (from a week before the first, so the first bar has a close)
 * and aligns it. Errors name the series and what to do: import it, or run over dates it covers.
 */
export async function loadBenchmark(
    id: string, ts: ArrayLike<number>, timeframe: string,
    load: (req: Pick<LoadRequest, 'assets' | 'timeframe' | 'from' | 'to'>) => Promise<LoadedBars>,
): Promise<NamedBenchmark> {
    const asset = parseId(id);
    const first = ts[0]!, last = ts[ts.length - 1]!;
    let bars: LoadedBars;
    try {
        bars = await load({ assets: [asset], timeframe, from: first - COVER_SLACK_MS, to: last });
    } catch (e) {
        // Named as the benchmark; a series the team may not read stays that class (its RPC code).
        if (e instanceof NoVisibleData) throw new NoVisibleData(`benchmark ${id}: ${e.message}`);
        if (e instanceof UserInputError) throw new BacktestError(`benchmark ${id}: ${e.message}`);
        throw e;
    }
    const name = bars.ids[0] ?? id;
    const bts = bars.ts, close = bars.assets[0]?.close ?? new Float64Array();
    // Its bars with a price, in time order (the store's order).
    const at: number[] = [], px: number[] = [];
    for (let i = 0; i < bts.length; i++) if (Number.isFinite(close[i]) && close[i]! > 0) { at.push(bts[i]!); px.push(close[i]!); }
    const range = `the run's bars (${day(first)} → ${day(last)}, ${timeframe})`;
    if (at.length === 0) {
        throw new BacktestError(`benchmark ${name} has no ${timeframe} bars over ${range}: import them (af data import FILE --venue ${asset.venue} --symbol ${asset.symbol} --timeframe ${timeframe}) or choose another --benchmark`);
    }
    if (at[0]! > first) {
        throw new BacktestError(`benchmark ${name} starts ${day(at[0]!)}, after the first of ${range}: import its earlier bars, or start the run later (--from ${day(at[0]!)})`);
    }
    if (at[at.length - 1]! < last - COVER_SLACK_MS) {
        throw new BacktestError(`benchmark ${name} ends ${day(at[at.length - 1]!)}, before the last of ${range}: import its later bars, or end the run earlier (--to ${day(at[at.length - 1]!)})`);
    }
    const out = new Array<number>(ts.length);
    let j = 0;
    for (let i = 0; i < ts.length; i++) {
        while (j + 1 < at.length && at[j + 1]! <= ts[i]!) j++;
        out[i] = px[j]!;
    }
    return { id: name, close: out };
}
