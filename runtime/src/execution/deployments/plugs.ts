/**
 * What a deployment plugs into: the venue it trades on and the feed of closed bars that drives it,
 * each made by a factory found by name in a small map. A name is looked up whole (`paper`,
 * `replay`), then by what comes before its colon, so one entry `ccxt` serves `ccxt:binance`,
 * `ccxt:kraken` …: adding a venue or a feed is one line in a map (the daemon's, or a test's).
 *
 * The replay feed here: the stored bars of the deployment's instruments between two dates, read
 * once from the store the team may read (data/ownership.ts), handed over one every `barMs` of wall
 * time on a fixed clock (as a live feed's bars close), from the first bar after the last one the
 * deployment traded on (a restart resumes).
 */
import { UserInputError } from '../../../../protocol/src/errors.js';
import type { StrategyIr } from '../../../../protocol/src/ir.js';
import { loadFromStore, type LoadedBars } from '../../data/load.js';
import type { DataStore } from '../../store/store.js';
import { PaperVenue, type PaperConfig } from '../paper.js';
import type { AssetBar, StreamBar } from '../streaming.js';
import type { VenueAdapter } from '../venue.js';

/** Closed bars, in order. */
export interface Feed {
    /** The next closed bar, once it has closed; null when the feed has ended (a replay's last bar). Rejects when the feed fails. */
    next(signal: AbortSignal): Promise<StreamBar | null>;
    close(): void;
    /** How often a bar is due (ms): a live feed's bar interval; default the deployment's barMs (a replay's pace). */
    readonly paceMs?: number;
}

export interface FeedContext {
    /** The feed's name as given (`replay`, `ccxt:binance`). */
    readonly name: string;
    readonly team: string;
    readonly ir: StrategyIr;
    /** The instrument of each asset of the universe, in order. */
    readonly assets: readonly { readonly venue: string; readonly symbol: string }[];
    readonly from?: string;
    readonly to?: string;
    readonly barMs: number;
    /** Only bars that open after this time (ms): the last bar the deployment traded on. */
    readonly afterTs?: number;
    /** Bars the strategy needs before it decides (a live feed loads them from history first). */
    readonly warmupBars: number;
}

export type FeedFactory = (ctx: FeedContext) => Promise<Feed>;

export interface VenueContext {
    /** The venue's name as given (`paper`, `ccxt:binance`). */
    readonly name: string;
    readonly team: string;
    readonly deployment: string;
    /** The paper venue's settings the strategy implies (capital, fees, slippage, fill). */
    readonly paper: PaperConfig;
    /** The deployment's instruments, `source:SYMBOL`, in universe order (its orders name these). */
    readonly symbols: readonly string[];
}

/** Makes the deployment's venue; a real one connects (and may fail: no keys, unreachable) before the deployment starts. */
export type VenueFactory = (ctx: VenueContext) => VenueAdapter | Promise<VenueAdapter>;

/** The entry of a map for a name: whole, else the part before ':'. */
export function lookup<F>(map: Readonly<Record<string, F>>, name: string, what: 'venue' | 'feed'): F {
    const own = (k: string): F | undefined => (Object.prototype.hasOwnProperty.call(map, k) ? map[k] : undefined);
    const f = own(name) ?? own(name.split(':')[0]!);
    if (!f) throw new UserInputError(`no ${what} named ${name}; this daemon has: ${Object.keys(map).sort().join(', ')}`, { issues: [{ path: [what], message: `one of ${Object.keys(map).join(', ')}` }] });
    return f;
}

export const PAPER_VENUE: VenueFactory = ctx => new PaperVenue(ctx.paper);

/** Bars from the store, handed over at a pace. */
export function replayFeed(store: DataStore): FeedFactory {
    return async ctx => {
        const data = await loadFromStore(store, { assets: ctx.assets, timeframe: ctx.ir.timeframe.text, from: ctx.from, to: ctx.to, team: ctx.team });
        if (data.ts.length === 0) {
            throw new UserInputError(`no stored bars of ${ctx.assets.map(a => `${a.venue}:${a.symbol}`).join(', ')} ${ctx.ir.timeframe.text} between ${ctx.from ?? 'the start'} and ${ctx.to ?? 'the end'}: import them first (af data import / af data synth) or choose other dates`);
        }
        return new ReplayFeed(data, ctx.barMs, ctx.afterTs);
    };
}

class ReplayFeed implements Feed {
    private t: number;
    /** When the first bar was handed over, and how many since: bar k is due at t0 + k × barMs. */
    private t0: number | undefined;
    private k = 0;

    constructor(private readonly data: LoadedBars, private readonly barMs: number, afterTs: number | undefined) {
        this.t = 0;
        if (afterTs !== undefined) while (this.t < data.ts.length && !(data.ts[this.t]! > afterTs)) this.t++;
    }

    async next(signal: AbortSignal): Promise<StreamBar | null> {
        if (this.t >= this.data.ts.length) return null;
        // On a live feed's clock: bar k closes at t0 + k × barMs however long the deployment took
        // over the bars before it (a deployment behind gets the next at once, as bars queued on a
        // live feed); counted from the last one handed over, every delay would push all later bars.
        if (this.t0 === undefined) this.t0 = Date.now();
        else await sleep(Math.max(0, this.t0 + this.k * this.barMs - Date.now()), signal);
        this.k++;
        return barAt(this.data, this.t++);
    }

    close(): void {
        this.t = this.data.ts.length;
    }
}

function barAt(d: LoadedBars, t: number): StreamBar {
    return {
        ts: d.ts[t]!,
        assets: d.assets.map((a): AssetBar | null => (a.close[t]! === a.close[t]! ? { open: a.open[t]!, high: a.high[t]!, low: a.low[t]!, close: a.close[t]!, volume: a.volume[t]! } : null)),
    };
}

/** Waits ms, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal.aborted) { reject(signal.reason as Error); return; }
        const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
        const onAbort = (): void => { clearTimeout(timer); reject(signal.reason as Error); };
        signal.addEventListener('abort', onAbort, { once: true });
    });
}
