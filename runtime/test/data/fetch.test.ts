/**
 * fetchBars against a local stand-in of Binance's spot REST API (test/support/exchange-standin.ts):
 * the real ccxt binance class builds the requests, parses the answers and rate-limits; only the
 * host differs. Nothing here touches the internet.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { closeMatches, fetchBars, type FetchOptions } from '../../src/data/fetch.js';
import { type DataStore } from '../../src/store/store.js';
import { openStore } from '../../src/schema/registry.js';
import { HOUR } from '../../src/data/timeframe.js';
import { startBinanceStandin, type Candle, type ExchangeStandin } from '../support/exchange-standin.js';
import { tempDir } from './helpers.js';

const START = Date.UTC(2024, 0, 1);
const N = 2500;

let clock = START + N * HOUR + 30 * 60_000; // inside candle N: candles 0 .. N-1 are closed
const now = (): number => clock;
let standin: ExchangeStandin;
let store: DataStore;

beforeAll(async () => {
    standin = await startBinanceStandin({ start: START, now });
    store = await openStore({ stateDir: tempDir('af-fetch-') });
});

afterAll(async () => {
    store?.close();
    await standin?.close();
});

const base = (o: Partial<FetchOptions> = {}): FetchOptions => ({ venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', since: START, urls: standin.url, now, ...o });

async function stored(symbol = 'BTC/USDT', timeframe = '1h'): Promise<Candle[]> {
    const rows = await store.rows(`SELECT epoch_ms(ts)::DOUBLE AS ts, open, high, low, close, volume FROM bars
        WHERE venue = 'binance' AND symbol = $1 AND timeframe = $2 ORDER BY ts`, [symbol, timeframe]);
    return rows.map(r => ({ ts: Number(r.ts), open: Number(r.open), high: Number(r.high), low: Number(r.low), close: Number(r.close), volume: Number(r.volume) }));
}

async function dataError(p: Promise<unknown>): Promise<DataError> {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(DataError);
    return e as DataError;
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
    const s = createServer();
    await new Promise<void>(r => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>(r => s.close(() => r()));
    return port;
}

describe('fetchBars through ccxt binance against the stand-in', () => {
    it('pages 2,500 1h candles from --since, stores exactly the served closed candles, not the forming one', async () => {
        const progress: [number, number][] = [];
        const r = await fetchBars(store, base({ onProgress: (n, ts) => progress.push([n, ts]) }));

        // Only spot markets were loaded, then the klines were paged forward by last open time + 1h.
        expect(standin.requests.map(q => q.path).filter((p, i, a) => a.indexOf(p) === i)).toEqual(['/api/v3/exchangeInfo', '/api/v3/klines']);
        expect(standin.requests.filter(q => q.path === '/api/v3/exchangeInfo')).toHaveLength(1);
        const pages = standin.klinesRequests();
        expect(pages.map(q => Number(q.query.startTime))).toEqual([START, START + 1000 * HOUR, START + 2000 * HOUR]);
        expect(pages.every(q => q.query.symbol === 'BTCUSDT' && q.query.interval === '1h' && q.query.limit === '1000')).toBe(true);
        expect(standin.requests.every(q => q.status === 200)).toBe(true);
        expect(progress.map(p => p[0])).toEqual([1000, 2000, 2500]);
        expect(progress.at(-1)![1]).toBe(START + (N - 1) * HOUR);

        expect(r).toMatchObject({ venue: 'binance', symbol: 'BTC/USDT', timeframe: '1h', rowsWritten: N, replaced: 0, pages: 3, requests: 4, formingDropped: 1, rateLimited: 0 });
        expect(r.instrument.id).toBe('binance:BTC/USDT');
        expect(r.firstTs).toBe(START);
        expect(r.lastTs).toBe(START + (N - 1) * HOUR);
        expect(r.problems.filter(p => p.severity === 'error')).toEqual([]);

        const served = standin.closedCandles('BTCUSDT', '1h');
        expect(served).toHaveLength(N);
        expect(await stored()).toEqual(served); // bit-exact: the served decimal strings, parsed
        const forming = standin.formingCandle('BTCUSDT', '1h')!;
        expect(forming.ts).toBe(START + N * HOUR);
        expect(Number(await store.scalar(`SELECT count(*) FROM bars WHERE epoch_ms(ts) = $1`, [forming.ts]))).toBe(0);
    });

    it('re-fetching an overlapping range is idempotent (any spelling of the symbol)', async () => {
        const before = await stored();
        const r = await fetchBars(store, base({ symbol: 'btcusdt', since: START + 2000 * HOUR }));
        expect(r.rowsWritten).toBe(500);
        expect(r.replaced).toBe(0); // the very bars already stored: nothing replaced, nothing recorded
        expect(r.pages).toBe(1);
        expect(await stored()).toEqual(before);
        expect(Number(await store.scalar(`SELECT count(*) FROM instruments WHERE venue = 'binance'`))).toBe(1);
    });

    it('once the clock has moved on, the formerly forming candle is stored with its final values', async () => {
        const forming = standin.formingCandle('BTCUSDT', '1h')!;
        clock += 3 * HOUR;
        try {
            const r = await fetchBars(store, base({ symbol: 'BTC-USDT', since: START + (N - 10) * HOUR }));
            expect(r.rowsWritten).toBe(13);
            const all = await stored();
            expect(all).toHaveLength(N + 3);
            expect(all).toEqual(standin.closedCandles('BTCUSDT', '1h'));
            const final = all.find(c => c.ts === forming.ts)!;
            expect(final).not.toEqual(forming); // the partial candle would have been wrong
        } finally {
            clock -= 3 * HOUR;
        }
    });

    it('honours --until and --limit (bars by open time), and an unaligned --since', async () => {
        const a = await fetchBars(store, base({ symbol: 'ETH/USDT', until: START + 99 * HOUR }));
        expect([a.rowsWritten, a.firstTs, a.lastTs]).toEqual([100, START, START + 99 * HOUR]);
        const b = await fetchBars(store, base({ symbol: 'ETH/USDT', since: START + 100 * HOUR - 1, limit: 50 }));
        expect([b.rowsWritten, b.firstTs, b.lastTs]).toEqual([50, START + 100 * HOUR, START + 149 * HOUR]);
        expect(await stored('ETH/USDT')).toEqual(standin.closedCandles('ETHUSDT', '1h').slice(0, 150));
        const d = await fetchBars(store, base({ symbol: 'ETH/USDT', timeframe: '1d', since: '2024-01-01' }));
        expect(d.rowsWritten).toBe(104); // 2,500.5 h: 104 whole days, the 105th is forming
        expect(await stored('ETH/USDT', '1d')).toEqual(standin.closedCandles('ETHUSDT', '1d'));
    });

    it('names an unknown symbol, timeframe or venue clearly, with close matches', async () => {
        const e1 = await dataError(fetchBars(store, base({ symbol: 'BTC/USDX' })));
        expect(e1.message).toMatch(/^binance has no spot market BTC\/USDX; close matches: BTC\/USDC, BTC\/USDT/);
        const e2 = await dataError(fetchBars(store, base({ timeframe: '7m' })));
        expect(e2.message).toBe('binance has no 7m candles; its timeframes are 1s, 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 3d, 1w, 1M');
        const e3 = await dataError(fetchBars(store, base({ venue: 'binanse' })));
        expect(e3.message).toMatch(/^'binanse' is not an exchange ccxt knows; did you mean binance/);
        const e4 = await dataError(fetchBars(store, base({ since: clock })));
        expect(e4.message).toMatch(/no closed candles/);
        expect(closeMatches('ETH/USD', ['ETH/USDT', 'ETH/BTC', 'SOL/USDT', 'BTC/USD'], 3)).toEqual(['ETH/USDT', 'BTC/USD', 'ETH/BTC']);
    });

    it('an unreachable venue is a DataError within seconds, naming the URL', async () => {
        const port = await closedPort();
        const t0 = performance.now();
        const e = await dataError(fetchBars(store, base({ urls: `http://127.0.0.1:${port}` })));
        expect(performance.now() - t0).toBeLessThan(5000);
        expect(e.message).toMatch(new RegExp(`^cannot reach binance \\(http://127\\.0\\.0\\.1:${port}/api/v3/exchangeInfo\\): .*ECONNREFUSED.*; check the network or use --urls$`));
    });

    it('a 503 mid-fetch is retried; a 403 is not', async () => {
        const s = await startBinanceStandin({ start: START, now });
        try {
            s.failNext('/api/v3/klines', 503, 2);
            const t0 = performance.now();
            const r = await fetchBars(store, base({ symbol: 'BTC/USDT', timeframe: '4h', urls: s.url }));
            expect(performance.now() - t0).toBeLessThan(8000); // 0.5 s + 1 s back-off
            expect(s.klinesRequests().map(q => q.status)).toEqual([503, 503, 200]);
            expect(r.requests).toBe(4);
            expect(await stored('BTC/USDT', '4h')).toEqual(s.closedCandles('BTCUSDT', '4h'));
            s.failNext('/api/v3/klines', 403, 5);
            const e = await dataError(fetchBars(store, base({ symbol: 'BTC/USDT', timeframe: '4h', urls: s.url })));
            expect(e.message).toMatch(new RegExp(`^binance is not available \\(${s.url}/api/v3/klines\\) while fetching candles from 2024-01-01: HTTP 403: .*; try again later or use --urls$`));
            expect(s.klinesRequests().at(-1)!.status).toBe(403);
            expect(s.klinesRequests().filter(q => q.status === 403)).toHaveLength(1);
        } finally {
            await s.close();
        }
    });

    it('a venue that never answers times out after timeoutMs', async () => {
        const silent = await startBinanceStandin({ stall: true });
        try {
            const t0 = performance.now();
            const e = await dataError(fetchBars(store, base({ urls: silent.url, timeoutMs: 300 })));
            expect(performance.now() - t0).toBeLessThan(3000);
            expect(e.message).toBe(`cannot reach binance (${silent.url}/api/v3/exchangeInfo): no answer within 300 ms while loading the markets; check the network or use --urls`);
        } finally {
            await silent.close();
        }
    });
});

describe('rate limits', () => {
    // Request weight per window (exchangeInfo costs 20, klines 2).
    const tight = (weightLimit: number, weightWindowMs = 1000) => ({ start: START, now, weightLimit, weightWindowMs });

    it("ccxt's rate limiter keeps under the venue's request weight: no 429", async () => {
        const s = await startBinanceStandin(tight(60));
        try {
            // rateLimit 100 ms per unit cost: klines (cost 0.4) every 40 ms = 50 weight/s, exchangeInfo (cost 4) then a 400 ms pause.
            const r = await fetchBars(store, base({ symbol: 'SOL/USDT', urls: s.url, pageSize: 100, rateLimitMs: 100 }));
            expect(r.rowsWritten).toBe(N);
            expect(r.pages).toBe(25);
            expect(s.requests.every(q => q.status === 200)).toBe(true);
            const at = s.klinesRequests().map(q => q.at);
            expect((at.at(-1)! - at[0]!) / (at.length - 1)).toBeGreaterThanOrEqual(30);
            expect(s.klinesRequests().map(q => Number(q.query.startTime))).toEqual(Array.from({ length: 25 }, (_, i) => START + i * 100 * HOUR));
            expect(await stored('SOL/USDT')).toEqual(s.closedCandles('SOLUSDT', '1h'));
        } finally {
            await s.close();
        }
    });

    it('HTTP 429 is waited out (Retry-After) and the page retried; the data is complete', async () => {
        // 30 per 2 s window while the fetch needs 20 + 25 × 2 = 70: to meet no 429 it would have to last over 4 s.
        const s = await startBinanceStandin(tight(30, 2000));
        try {
            const r = await fetchBars(store, base({ symbol: 'BTC/USDC', urls: s.url, pageSize: 100, rateLimitMs: 1 }));
            const limited = s.requests.filter(q => q.status === 429);
            expect(limited.length).toBeGreaterThan(0);
            expect(r.rateLimited).toBe(limited.length);
            expect(r.rowsWritten).toBe(N);
            expect(r.notes.join('\n')).toMatch(/waited out \d+ rate-limit responses? \(HTTP 429\)/);
            // Each retry came in a later window (Retry-After), asking for the same page again.
            for (const q of limited) {
                const next = s.requests[s.requests.indexOf(q) + 1]!;
                expect(Math.floor(next.at / 2000)).toBeGreaterThan(Math.floor(q.at / 2000));
                expect(next.query.startTime).toBe(q.query.startTime);
            }
            expect(await stored('BTC/USDC')).toEqual(s.closedCandles('BTCUSDC', '1h'));
        } finally {
            await s.close();
        }
    });

    it('a Retry-After beyond maxRetryWaitMs, or an IP ban (418), ends the fetch with a DataError and stores nothing', async () => {
        const s = await startBinanceStandin({ start: START, now, weightLimit: 25 });
        try {
            const e = await dataError(fetchBars(store, base({ symbol: 'ETH/BTC', urls: s.url, pageSize: 100, rateLimitMs: 1, maxRetryWaitMs: 0 })));
            expect(e.message).toMatch(/^binance is rate-limiting these requests \(HTTP 429\) and asks to wait \d+ s; fetch again later$/);
        } finally {
            await s.close();
        }
        const banned = await startBinanceStandin({ start: START, now, weightLimit: 25, banAfter429s: 0, banMs: 120_000 });
        try {
            const e = await dataError(fetchBars(store, base({ symbol: 'ETH/BTC', urls: banned.url, pageSize: 100, rateLimitMs: 1 })));
            expect(e.message).toBe('binance has banned this IP for now (HTTP 418) after too many requests for 120 s; wait before fetching again');
            expect(banned.requests.at(-1)!.status).toBe(418);
        } finally {
            await banned.close();
        }
        expect(await stored('ETH/BTC')).toEqual([]);
    });
});
