/**
 * Loading stored bars onto one time axis: assets on different calendars aligned with NaN
 * holes, inclusive bounds, on-the-fly resampling equal to stored resampled bars, a snapshot
 * hash that names the data, and clear errors.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { importBars } from '../../src/data/import.js';
import { align, loadFromStore, type LoadedBars, type LoadRequest } from '../../src/data/load.js';
import { resample, type OhlcvSeries } from '../../src/data/resample.js';
import { snapshotHash } from '../../src/data/snapshot.js';
import { type DataStore } from '../../src/store/store.js';
import { openStore, withStore } from '../../src/schema/registry.js';
import { parseTimeframe } from '../../src/data/timeframe.js';
import { barSeries, columns, DAY_MS, failure, HOUR_MS, storedBars, tempDir } from './helpers.js';

type Bar = ReturnType<typeof barSeries>[number];

let stateDir: string;
let store: DataStore;

const D = (day: number, hour = 0): number => Date.UTC(2024, 0, day, hour);
const BTC = { venue: 'binance', symbol: 'BTC/USDT' };
const AAPL = { venue: 'nyse', symbol: 'AAPL' };
const ETH = { venue: 'binance', symbol: 'ETH/USDT' };
const SOL = { venue: 'binance', symbol: 'SOL/USDT' };

// BTC: every day 2024-01-01 (Mon) .. 01-14 (Sun). AAPL: weekdays 01-02 .. 01-15 without the 8th (a holiday).
const btcDaily = barSeries(14, DAY_MS, D(1));
const aaplDaily = barSeries(15, DAY_MS, D(1), t => t === D(1) || t === D(8) || new Date(t).getUTCDay() % 6 === 0).map(b => ({ ...b, open: b.open + 1000, high: b.high + 1000, low: b.low + 1000, close: b.close + 1000 }));
// ETH: hourly from Monday 2024-01-01 00:00, six whole days and five hours.
const ethHourly = barSeries(24 * 6 + 5, HOUR_MS, D(1));

const load = (req: Omit<LoadRequest, 'stateDir'>): Promise<LoadedBars> => loadFromStore(store, req);
const seriesOf = (bars: readonly Bar[]): OhlcvSeries => {
    const col = (k: keyof Bar): Float64Array => Float64Array.from(bars, b => b[k]);
    return { ts: col('ts'), open: col('open'), high: col('high'), low: col('low'), close: col('close'), volume: col('volume') };
};
const asBars = (l: LoadedBars, j: number): Bar[] => Array.from(l.ts, (ts, i) => ({
    ts, open: l.assets[j]!.open[i]!, high: l.assets[j]!.high[i]!, low: l.assets[j]!.low[i]!, close: l.assets[j]!.close[i]!, volume: l.assets[j]!.volume[i]!,
}));

beforeAll(async () => {
    stateDir = join(tempDir('af-load-'), 'state');
    store = await openStore({ stateDir });
    await importBars(store, columns(btcDaily), 'btc', { ...BTC, timeframe: '1d' });
    await importBars(store, columns(aaplDaily), 'aapl', { ...AAPL, timeframe: '1d', calendar: 'weekdays' });
    await importBars(store, columns(ethHourly), 'eth', { ...ETH, timeframe: '1h' });
});
afterAll(() => store.close());

describe('alignment', () => {
    it('puts assets on different calendars on the union axis, NaN where one has no bar', async () => {
        const l = await load({ assets: [AAPL, BTC], timeframe: '1d' });
        expect(l.ids).toEqual(['nyse:AAPL', 'binance:BTC/USDT']);
        expect(l.sources).toEqual(['1d', '1d']);
        expect(l.timeframeMs).toBe(DAY_MS);
        expect(Array.from(l.ts)).toEqual(Array.from({ length: 15 }, (_, i) => D(1 + i)));
        const holes = (j: number): number[] => Array.from(l.ts).filter((_, i) => Number.isNaN(l.assets[j]!.close[i]!)).map(t => new Date(t).getUTCDate());
        expect(holes(0)).toEqual([1, 6, 7, 8, 13, 14]);
        expect(holes(1)).toEqual([15]);
        // A hole is NaN in every column; elsewhere the values are exactly the stored ones.
        for (const [j, src] of [[0, aaplDaily], [1, btcDaily]] as const) {
            const got = asBars(l, j);
            for (const b of got) {
                const nan = [b.open, b.high, b.low, b.close, b.volume].filter(Number.isNaN).length;
                expect(nan === 0 || nan === 5).toBe(true);
            }
            expect(got.filter(b => !Number.isNaN(b.close))).toEqual(src);
        }
    });

    it('accepts any spelling of the instruments and keeps the request order', async () => {
        const l = await load({ assets: [{ venue: 'BINANCE', symbol: 'btcusdt' }, { venue: 'NYSE', symbol: 'aapl' }], timeframe: '24h' });
        expect(l.ids).toEqual(['binance:BTC/USDT', 'nyse:AAPL']);
        expect(asBars(l, 0).filter(b => !Number.isNaN(b.close))).toEqual(btcDaily);
    });

    it('a single asset is loaded as stored, without holes', async () => {
        const l = await load({ assets: [AAPL], timeframe: '1d' });
        expect(asBars(l, 0)).toEqual(aaplDaily);
    });

    it('align by hand', () => {
        const a = seriesOf([{ ts: 1, open: 1, high: 1, low: 1, close: 1, volume: 1 }, { ts: 3, open: 3, high: 3, low: 3, close: 3, volume: 3 }]);
        const b = seriesOf([{ ts: 2, open: 2, high: 2, low: 2, close: 2, volume: 2 }, { ts: 3, open: 4, high: 4, low: 4, close: 4, volume: 4 }]);
        const l = align(['x:A', 'x:B'], parseTimeframe('1m'), [a, b]);
        expect(Array.from(l.ts)).toEqual([1, 2, 3]);
        expect(Array.from(l.assets[0]!.close)).toEqual([1, NaN, 3]);
        expect(Array.from(l.assets[1]!.volume)).toEqual([NaN, 2, 4]);
        expect(l.sources).toEqual(['1m', '1m']);
        expect(l.snapshotHash).toBe(snapshotHash(['x:A', 'x:B'], 60_000, l.ts, l.assets));
    });
});

describe('bounds', () => {
    const days = (l: LoadedBars): number[] => Array.from(l.ts).map(t => new Date(t).getUTCDate());

    it('from and to are inclusive; a date as `to` means the whole day', async () => {
        expect(days(await load({ assets: [BTC], timeframe: '1d', from: '2024-01-03', to: '2024-01-05' }))).toEqual([3, 4, 5]);
        expect(days(await load({ assets: [BTC], timeframe: '1d', from: D(3), to: D(5) }))).toEqual([3, 4, 5]);
        expect(days(await load({ assets: [BTC], timeframe: '1d', from: D(3) + 1, to: D(5) - 1 }))).toEqual([4]);
        expect(days(await load({ assets: [BTC], timeframe: '1d', from: '2024-01-13' }))).toEqual([13, 14]);
        expect(days(await load({ assets: [BTC], timeframe: '1d', to: '2024-01-02T00:00:00Z' }))).toEqual([1, 2]);
        expect(days(await load({ assets: [BTC], timeframe: '1d', from: '2024-01-05', to: '2024-01-05' }))).toEqual([5]);
        const hourly = await load({ assets: [ETH], timeframe: '1h', from: '2024-01-02T05:00', to: '2024-01-02T07:00' });
        expect(Array.from(hourly.ts)).toEqual([D(2, 5), D(2, 6), D(2, 7)]);
    });

    it('bounds apply to the union axis of several assets', async () => {
        const l = await load({ assets: [AAPL, BTC], timeframe: '1d', from: '2024-01-05', to: '2024-01-09' });
        expect(days(l)).toEqual([5, 6, 7, 8, 9]);
        expect(Array.from(l.assets[0]!.close).map(Number.isNaN)).toEqual([false, true, true, true, false]);
    });

    it('refuses from after to and dates that are not dates', async () => {
        await expect(load({ assets: [BTC], timeframe: '1d', from: '2024-01-05', to: '2024-01-03' })).rejects.toThrow(new DataError('--from 2024-01-05 is after --to 2024-01-03'));
        await expect(load({ assets: [BTC], timeframe: '1d', from: 'last week' })).rejects.toThrow(`--from 'last week' is not a date`);
        await expect(load({ assets: [BTC], timeframe: '1d', to: '2024-02-30x' })).rejects.toThrow(`--to '2024-02-30x' is not a date`);
    });
});

describe('resampling on load', () => {
    it('a timeframe not stored is resampled from a finer stored one', async () => {
        const l = await load({ assets: [ETH], timeframe: '4h' });
        expect(l.sources).toEqual(['1h']);
        expect(l.timeframeMs).toBe(4 * HOUR_MS);
        const direct = resample(seriesOf(ethHourly), parseTimeframe('1h'), parseTimeframe('4h'));
        expect(asBars(l, 0)).toEqual(asBars({ ...l, ts: direct.ts, assets: [direct] }, 0));
        // 6 days × 6 buckets, then day 7's 00:00 bucket (hours 00..03); its 04:00 bucket has one hour and is dropped.
        expect(l.ts).toHaveLength(6 * 6 + 1);
        expect(l.ts.at(-1)).toBe(D(7, 0));
        const daily = await load({ assets: [ETH], timeframe: '1d' });
        expect(Array.from(daily.ts)).toEqual([1, 2, 3, 4, 5, 6].map(d => D(d)));
    });

    it('equals the same bars stored at the coarse timeframe, for any window', async () => {
        const onTheFly = await load({ assets: [ETH], timeframe: '4h' });
        await importBars(store, { ts: onTheFly.ts, ...onTheFly.assets[0]! }, 'eth-4h', { ...SOL, timeframe: '4h' });
        expect((await load({ assets: [SOL], timeframe: '4h' })).sources).toEqual(['4h']);
        const windows: [string | number | undefined, string | number | undefined][] = [
            [undefined, undefined],
            ['2024-01-02', '2024-01-03'],
            ['2024-01-02T02:00', '2024-01-03T02:00'], // both bounds inside a bucket
            ['2024-01-02T04:00', '2024-01-03T04:00'], // both on a bucket start
            [D(2, 3), D(2, 5)],
            [undefined, D(1, 0)],
            ['2024-01-06T23:00', undefined],
        ];
        for (const [from, to] of windows) {
            const a = await load({ assets: [ETH], timeframe: '4h', from, to });
            const b = await load({ assets: [SOL], timeframe: '4h', from, to });
            expect(a.sources).toEqual(['1h']);
            expect(asBars(a, 0), `${String(from)} .. ${String(to)}`).toEqual(asBars(b, 0));
        }
        // A stored timeframe is preferred to resampling.
        await importBars(store, { ts: onTheFly.ts, ...onTheFly.assets[0]! }, 'eth-4h', { ...ETH, timeframe: '4h' });
        const stored = await load({ assets: [ETH], timeframe: '4h' });
        expect(stored.sources).toEqual(['4h']);
        expect(stored.snapshotHash).toBe(onTheFly.snapshotHash);
        await store.run(`DELETE FROM bars WHERE venue = 'binance' AND symbol = 'ETH/USDT' AND timeframe = '4h'`);
    });

    it('weekly bars of a ticker follow the weekdays calendar (a week ending on Friday is complete)', async () => {
        const l = await load({ assets: [AAPL], timeframe: '1w' });
        expect(l.sources).toEqual(['1d']);
        // Week of Jan 1 (Tue..Fri), week of Jan 8 (Tue..Fri, Monday was a holiday); the week of Jan 15 has only its Monday.
        expect(Array.from(l.ts)).toEqual([D(1), D(8)]);
        const week = (from: number, to: number): Bar[] => aaplDaily.filter(b => b.ts >= from && b.ts < to);
        const w1 = week(D(1), D(8));
        expect(asBars(l, 0)[0]).toEqual({
            ts: D(1), open: w1[0]!.open, high: Math.max(...w1.map(b => b.high)), low: Math.min(...w1.map(b => b.low)),
            close: w1.at(-1)!.close, volume: w1.reduce((s, b) => s + b.volume, 0),
        });
    });

    it('a 24x7 pair and a ticker resampled together to weeks share the Monday axis', async () => {
        const l = await load({ assets: [BTC, AAPL], timeframe: '1w' });
        expect(Array.from(l.ts)).toEqual([D(1), D(8)]);
        expect(l.assets.every(a => a.close.every(c => !Number.isNaN(c)))).toBe(true);
    });
});

describe('snapshot hash', () => {
    it('is stable across loads and opens, and is the hash of exactly the loaded bytes', async () => {
        const req = { assets: [AAPL, BTC], timeframe: '1d', from: '2024-01-02', to: '2024-01-12' };
        const a = await load(req);
        const b = await load(req);
        expect(b.snapshotHash).toBe(a.snapshotHash);
        expect(a.snapshotHash).toMatch(/^[0-9a-f]{64}$/);
        expect(a.snapshotHash).toBe(snapshotHash(a.ids, a.timeframeMs, a.ts, a.assets));
        // Through a store of its own, opened by its state directory.
        const c = await withStore({ stateDir }, s => loadFromStore(s, req));
        expect(c.snapshotHash).toBe(a.snapshotHash);
        expect(store.isOpen).toBe(true);
    });

    it('changes when one bar changes, and comes back when it is restored', async () => {
        const req = { assets: [AAPL, BTC], timeframe: '1d' };
        const before = await load(req);
        const where = `venue = 'binance' AND symbol = 'BTC/USDT' AND timeframe = '1d' AND ts = TIMESTAMP '2024-01-09'`;
        await store.run(`UPDATE bars SET close = close + 1e-9 WHERE ${where}`);
        const changed = await load(req);
        expect(changed.snapshotHash).not.toBe(before.snapshotHash);
        await store.run(`UPDATE bars SET volume = volume + 1 WHERE ${where}`);
        const changedAgain = await load(req);
        expect(new Set([before.snapshotHash, changed.snapshotHash, changedAgain.snapshotHash]).size).toBe(3);
        const orig = btcDaily.find(b => b.ts === D(9))!;
        await store.run(`UPDATE bars SET close = $1, volume = $2 WHERE ${where}`, [orig.close, orig.volume]);
        expect((await load(req)).snapshotHash).toBe(before.snapshotHash);
        expect(await storedBars(store, 'binance', 'BTC/USDT', '1d')).toEqual(btcDaily);
    });

    it('differs with the window, the asset order and the timeframe', async () => {
        const base = (await load({ assets: [AAPL, BTC], timeframe: '1d' })).snapshotHash;
        expect((await load({ assets: [BTC, AAPL], timeframe: '1d' })).snapshotHash).not.toBe(base);
        expect((await load({ assets: [AAPL, BTC], timeframe: '1d', to: '2024-01-14' })).snapshotHash).not.toBe(base);
        expect((await load({ assets: [AAPL, BTC], timeframe: '1w' })).snapshotHash).not.toBe(base);
    });
});

describe('errors', () => {
    it('an unknown instrument names itself, says how to import it and lists what is stored', async () => {
        const e = await failure(load({ assets: [BTC, { venue: 'binance', symbol: 'dogeusdt' }], timeframe: '1d' }));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message).toBe(`no bars stored for binance:DOGE/USDT in ${store.file}; import them (af data import FILE --venue binance --symbol DOGE/USDT --timeframe 1d, or af data sample for sp:SPX); stored instruments: binance:BTC/USDT, binance:ETH/USDT, binance:SOL/USDT, nyse:AAPL`);
    });

    it('an empty store says so', async () => {
        const e = await failure(withStore({ stateDir: join(tempDir(), 'empty') }, s => loadFromStore(s, { assets: [{ venue: 'sp', symbol: 'SPX' }], timeframe: '1d' })));
        expect(e).toBeInstanceOf(DataError);
        expect(e.message).toMatch(/^no bars stored for sp:SPX in .*alphaforge\.duckdb; import them \(af data import FILE --venue sp --symbol SPX --timeframe 1d, or af data sample for sp:SPX\); the store is empty$/);
    });

    it('a timeframe that no stored one resamples to', async () => {
        await expect(load({ assets: [BTC], timeframe: '1h' })).rejects.toThrow(new DataError('binance:BTC/USDT is stored as 1d, none of which resamples to 1h; import 1h bars or a finer timeframe that divides it'));
        await expect(load({ assets: [ETH], timeframe: '90m' })).rejects.toThrow(/^binance:ETH\/USDT is stored as 1h, none of which resamples to 90m/);
    });

    it('no instruments, a bad timeframe, a bad instrument', async () => {
        await expect(load({ assets: [], timeframe: '1d' })).rejects.toThrow(new DataError('no instruments to load'));
        await expect(load({ assets: [BTC], timeframe: '1mo' })).rejects.toThrow(DataError);
        await expect(load({ assets: [{ venue: 'binance', symbol: 'BTC USDT' }], timeframe: '1d' })).rejects.toThrow(DataError);
    });
});
