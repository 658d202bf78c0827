/**
 * The ccxt bar feed against the local exchange stand-in (ccxt's binance class, watchOHLCV over a
 * real WebSocket, fetchOHLCV over REST): warm-up before the first live bar, only closed bars (the
 * stand-in streams the forming bar on every tick), each bar once and in order, and after a dropped
 * socket the bars missed meanwhile back-filled before anything newer; polling where asked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type StandinServer } from '../../src/execution/standin/binance-server.js';
import type { StreamBar } from '../../src/execution/streaming.js';
import { CcxtFeed } from '../../src/execution/venues/ccxt-feed.js';

const MIN = 60_000;
let standin: StandinServer;
const feeds: CcxtFeed[] = [];

beforeAll(async () => { standin = await startStandin({ historyBars: 50 }); });
afterAll(() => standin.close());
afterEach(async () => { while (feeds.length) await feeds.pop()!.close(); });

async function until(what: string, cond: () => boolean, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise(r => setTimeout(r, 15));
    }
}

async function open(mode: 'stream' | 'poll') {
    const got: { bar: StreamBar; live: boolean }[] = [];
    const feed = await CcxtFeed.open({ exchange: 'binance', baseUrl: standin.url, symbols: ['BTC/USDT', 'ETH/USDT'], timeframe: '1m', warmupBars: 5, mode, pollMs: 30, backoffMs: 20, now: () => standin.exchange.now(), onNotice: m => process.env['DEBUG_CCXT'] && console.log(m) });
    feeds.push(feed);
    await feed.start((bar, live) => { got.push({ bar, live }); });
    return { feed, got };
}

/** The stand-in's closed candle of a symbol at a time. */
const closedAt = (symbol: string, ts: number) => standin.exchange.candles(symbol, ts, ts, 1)[0]!;

function expectConsecutiveClosed(got: { bar: StreamBar }[]): void {
    const ts = got.map(g => g.bar.ts);
    ts.forEach((t, i) => { if (i > 0) expect(t - ts[i - 1]!).toBe(MIN); });
    expect(Math.max(...ts) + MIN).toBeLessThanOrEqual(standin.exchange.now()); // none still forming
    for (const g of got) {
        const c = closedAt('BTCUSDT', g.bar.ts);
        expect(g.bar.assets[0]).toEqual({ open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
        expect(g.bar.assets[1]!.close).toBe(closedAt('ETHUSDT', g.bar.ts).close);
    }
}

describe('ccxt feed against the stand-in', () => {
    it('warm-up first, then only closed bars (WebSocket, REST catch-up), each once', async () => {
        const { got } = await open('stream');
        expect(got.map(g => g.live)).toEqual([false, false, false, false, false]);
        const lastWarm = got[4]!.bar.ts;
        expect(lastWarm + 2 * MIN).toBeGreaterThan(standin.exchange.now()); // the latest closed bar
        standin.exchange.advance(MIN / 2); // the forming bar moves: nothing new is closed
        await new Promise(r => setTimeout(r, 150));
        expect(got).toHaveLength(5);
        standin.exchange.advance(MIN);
        await until('a live bar', () => got.length >= 6);
        standin.exchange.advance(MIN);
        await until('a second live bar', () => got.length >= 7);
        expect(got.slice(5).map(g => g.live)).toEqual([true, true]);
        expectConsecutiveClosed(got);
    });

    it('after a dropped socket, the bars missed are back-filled, in order, before newer ones', async () => {
        const { got } = await open('stream');
        standin.exchange.advance(MIN);
        await until('a live bar', () => got.length >= 6);
        standin.disconnect(100);
        standin.exchange.advance(3 * MIN); // three bars close while nobody listens
        await until('the missed bars', () => got.length >= 9);
        standin.exchange.advance(MIN);
        await until('the next live bar', () => got.length >= 10);
        await new Promise(r => setTimeout(r, 100));
        expect(got).toHaveLength(10);
        expectConsecutiveClosed(got);
    });

    it('a candle fetched while still forming is handed over only with its closed values (the stream sends just the next one)', async () => {
        standin.exchange.advance(MIN / 2); // mid-bar: the stream's first back-fill fetches the forming candle
        const { got } = await open('stream');
        await new Promise(r => setTimeout(r, 300)); // that back-fill and the subscription happen now
        standin.exchange.advance(MIN);
        await until('the bar that was forming', () => got.length >= 6);
        standin.exchange.advance(MIN);
        await until('the next live bar', () => got.length >= 7);
        expectConsecutiveClosed(got);
    });

    it('polls fetchOHLCV when asked, with the same guarantees', async () => {
        const { got } = await open('poll');
        standin.exchange.advance(2 * MIN);
        await until('two polled bars', () => got.length >= 7);
        await new Promise(r => setTimeout(r, 100));
        expect(got).toHaveLength(7);
        expectConsecutiveClosed(got);
    });
});
