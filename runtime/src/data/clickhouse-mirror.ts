/**
 * Team mode's bars in ClickHouse (the config's `bars` section, bars-settings.ts): the daemon reads
 * runs' bar rows from ClickHouse (this is the load's BarReader) and writes every range an import
 * wrote into the store there too, exactly as the store now has it (replaced bars included: the
 * range is made equal, not appended to). The store stays the place where imports are validated and
 * ownership, the import log and replaced bars are kept; so who may read a series is decided there,
 * before a row is read from here.
 */
import type { DataStore } from '../store/store.js';
import { ClickHouseBars } from './clickhouse-bars.js';
import type { BarsSettings } from './bars-settings.js';
import { DataError } from './errors.js';
import { loadFromStore, type BarReader } from './load.js';
import type { OhlcvSeries } from './resample.js';

/** What an import answered (data/import.ts ImportResult, or its wire form). */
export interface ImportedRange {
    readonly instrument: { readonly venue: string; readonly symbol: string };
    readonly timeframe: string;
    readonly rowsWritten: number;
    readonly firstTs: number;
    readonly lastTs: number;
}

export class ClickHouseMirror implements BarReader {
    private constructor(private readonly ch: ClickHouseBars, private readonly store: DataStore) {}

    /** Connects and creates the bars table when missing. Series imported before the section was set are not copied: import them again. */
    static async open(settings: BarsSettings, store: DataStore): Promise<ClickHouseMirror> {
        const ch = new ClickHouseBars(settings);
        try {
            await ch.ensureSchema();
        } catch (e) {
            await ch.close();
            throw new DataError(`ClickHouse at ${settings.url} (the config's bars section) cannot be reached or set up: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        }
        return new ClickHouseMirror(ch, store);
    }

    range(key: { venue: string; symbol: string; timeframe: string }, from?: number, to?: number): Promise<OhlcvSeries> {
        return this.ch.range(key, from, to);
    }

    /** Makes ClickHouse's bars of the import's range what the store has now. */
    async afterImport(r: ImportedRange): Promise<void> {
        if (r.rowsWritten === 0 && !(r.lastTs >= r.firstTs)) return;
        const key = { venue: r.instrument.venue, symbol: r.instrument.symbol, timeframe: r.timeframe };
        const now = await loadFromStore(this.store, { assets: [key], timeframe: r.timeframe, from: r.firstTs, to: r.lastTs });
        const a = now.assets[0]!;
        await this.ch.replaceRange(key, r.firstTs, r.lastTs, { ts: now.ts, open: a.open, high: a.high, low: a.low, close: a.close, volume: a.volume });
    }

    close(): Promise<void> {
        return this.ch.close();
    }
}
