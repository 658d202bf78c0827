/**
 * A local stand-in for Binance's spot REST API: a real node:http server on 127.0.0.1 (ephemeral
 * port) answering the requests ccxt's binance class makes for loadMarkets + fetchOHLCV, in
 * Binance's own JSON formats, so that the real ccxt code path (URL building, parsing, error
 * mapping, rate limiter) runs in tests. Point ccxt at it by rewriting the host of every API URL
 * (fetchBars' `urls: standin.url`) and load only spot markets (options.fetchMarkets.types = ['spot']):
 * ccxt then calls only
 *
 *   GET /api/v3/exchangeInfo                                    weight 20
 *   GET /api/v3/klines?symbol&interval[&startTime][&endTime][&limit]   weight 2
 *
 * (`/api/v3/ping` and `/api/v3/time`, weight 1, are served too). Anything else is answered 404
 * and recorded, so tests can assert nothing else was asked for.
 *
 * Candles are seeded synthetic bars (synthBars) from `start` up to the stand-in's clock `now()`,
 * prices rounded to the tick (0.01) and sent as Binance sends them: strings with 8 decimals. The
 * candle containing `now` is still forming: its close, high, low and volume are partial.
 * A REQUEST_WEIGHT limit is enforced over fixed windows (like Binance's per-minute windows, the
 * length configurable so tests can hit it quickly): a request over the limit gets HTTP 429 with
 * Binance's error body and a Retry-After header; optionally, repeated 429s get the IP banned (418).
 * failNext() injects server errors (503 overloaded, 403 WAF, …) into the next requests of a path.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { synthBars } from '../../src/data/synth.js';
import { bucketStart, parseTimeframe, type Timeframe } from '../../src/data/timeframe.js';

export interface StandinMarket {
    /** Binance id, e.g. BTCUSDT. */
    readonly symbol: string;
    readonly baseAsset: string;
    readonly quoteAsset: string;
    /** Multiplies the synthetic prices (which start between 20 and 200). */
    readonly priceScale?: number;
    /** TRADING (default) or BREAK (delisted: ccxt marks it inactive). */
    readonly status?: 'TRADING' | 'BREAK';
}

export interface StandinOptions {
    readonly markets?: readonly StandinMarket[];
    /** First candle's open time of every interval (moved up onto the interval's grid); default 2024-01-01. */
    readonly start?: number;
    /** The exchange's clock: candles exist up to the one containing now(); default Date.now. */
    readonly now?: () => number;
    readonly seed?: number;
    /** REQUEST_WEIGHT allowed per window (Binance spot: 6000 per minute). */
    readonly weightLimit?: number;
    /** Window length, ms (default 60 000); windows are aligned to multiples of it, like Binance's minutes. */
    readonly weightWindowMs?: number;
    /** After this many 429s in one window, answer 418 (IP banned) until `banMs` has passed. */
    readonly banAfter429s?: number;
    readonly banMs?: number;
    /** Accept connections but never answer (to test timeouts). */
    readonly stall?: boolean;
}

export interface RecordedRequest {
    readonly method: string;
    readonly path: string;
    readonly query: Readonly<Record<string, string>>;
    readonly status: number;
    readonly weight: number;
    /** Date.now() when it arrived. */
    readonly at: number;
}

export interface Candle {
    readonly ts: number;
    readonly open: number;
    readonly high: number;
    readonly low: number;
    readonly close: number;
    readonly volume: number;
}

export interface ExchangeStandin {
    /** http://127.0.0.1:PORT */
    readonly url: string;
    readonly port: number;
    /** Every request seen, in order of arrival. */
    readonly requests: RecordedRequest[];
    /** The closed candles served for a symbol and interval, as numbers parsed from the served strings. */
    closedCandles(symbol: string, interval: string): Candle[];
    /** The still-forming candle, if the clock is inside one. */
    formingCandle(symbol: string, interval: string): Candle | undefined;
    /** The klines requests seen (requests to /api/v3/klines). */
    klinesRequests(): RecordedRequest[];
    /** Answer the next `times` requests to `path` with an HTTP error in Binance's format (503: overloaded, 403: WAF, …). */
    failNext(path: string, status: number, times?: number): void;
    close(): Promise<void>;
}

export const DEFAULT_MARKETS: readonly StandinMarket[] = [
    { symbol: 'BTCUSDT', baseAsset: 'BTC', quoteAsset: 'USDT', priceScale: 400 },
    { symbol: 'ETHUSDT', baseAsset: 'ETH', quoteAsset: 'USDT', priceScale: 20 },
    { symbol: 'BTCUSDC', baseAsset: 'BTC', quoteAsset: 'USDC', priceScale: 400 },
    { symbol: 'ETHBTC', baseAsset: 'ETH', quoteAsset: 'BTC', priceScale: 0.0005 },
    { symbol: 'SOLUSDT', baseAsset: 'SOL', quoteAsset: 'USDT', priceScale: 1 },
];

/** Binance spot kline intervals (1M is valid on Binance but not emulated: months have no fixed length). */
const INTERVALS = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w'];
const MAX_KLINES = 1000;
const DEFAULT_KLINES = 500;

interface Series {
    /** Candles of every open time up to the clock; the last may be forming. */
    readonly rows: string[][];
    readonly candles: Candle[];
    readonly formingIndex: number;
}

export async function startBinanceStandin(o: StandinOptions = {}): Promise<ExchangeStandin> {
    const markets = o.markets ?? DEFAULT_MARKETS;
    const bySymbol = new Map(markets.map(m => [m.symbol, m]));
    const start = o.start ?? Date.UTC(2024, 0, 1);
    const now = o.now ?? Date.now;
    const seed = o.seed ?? 42;
    const weightLimit = o.weightLimit ?? 6000;
    const windowMs = o.weightWindowMs ?? 60_000;
    const requests: RecordedRequest[] = [];
    let windowStart = -1;
    let usedWeight = 0;
    let violations = 0;
    let bannedUntil = 0;
    const cache = new Map<string, Series>();
    const faults: { path: string; status: number; left: number }[] = [];

    /** Candles of one symbol and interval up to the clock (the full bars are cached; the forming one is cut each time). */
    function series(m: StandinMarket, interval: string): Series {
        const tf = parseTimeframe(interval);
        const t = now();
        const first = gridCeil(start, tf);
        const count = t < first ? 0 : Math.floor((t - first) / tf.ms) + 1;
        const key = `${m.symbol} ${interval} ${count}`;
        let full = cache.get(key);
        if (!full) {
            const symbolSeed = seed * 31 + [...m.symbol].reduce((h, c) => (h * 33 + c.charCodeAt(0)) >>> 0, 5381);
            const rows: string[][] = [];
            const candles: Candle[] = [];
            if (count > 0) {
                const a = synthBars({ symbols: [m.symbol], timeframeMs: tf.ms, bars: count, seed: symbolSeed, start: first }).assets[0]!;
                const scale = m.priceScale ?? 1;
                for (let i = 0; i < count; i++) {
                    const row = klineRow(first + i * tf.ms, tf, scale, a.open[i]! * scale, a.high[i]! * scale, a.low[i]! * scale, a.close[i]! * scale, a.volume[i]! / scale);
                    rows.push(row);
                    candles.push(candleOf(row));
                }
            }
            full = { rows, candles, formingIndex: -1 };
            cache.set(key, full);
        }
        const last = full.candles.length - 1;
        if (last < 0 || full.candles[last]!.ts + tf.ms <= t) return full;
        // The candle containing the clock is forming: only the part that has happened so far.
        const c = full.candles[last]!;
        const f = (t - c.ts) / tf.ms;
        const close = c.open + (c.close - c.open) * f;
        const row = klineRow(c.ts, tf, m.priceScale ?? 1, c.open, Math.max(c.open, close), Math.min(c.open, close), close, c.volume * f);
        return { rows: [...full.rows.slice(0, last), row], candles: [...full.candles.slice(0, last), candleOf(row)], formingIndex: last };
    }

    function exchangeInfo(): unknown {
        const seconds = windowMs % 60_000 === 0 ? undefined : Math.max(1, Math.round(windowMs / 1000));
        return {
            timezone: 'UTC',
            serverTime: now(),
            rateLimits: [
                seconds === undefined
                    ? { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: windowMs / 60_000, limit: weightLimit }
                    : { rateLimitType: 'REQUEST_WEIGHT', interval: 'SECOND', intervalNum: seconds, limit: weightLimit },
                { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
                { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
                { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
            ],
            exchangeFilters: [],
            symbols: markets.map(m => {
                const small = (m.priceScale ?? 1) < 0.01;
                return {
                    symbol: m.symbol,
                    status: m.status ?? 'TRADING',
                    baseAsset: m.baseAsset,
                    baseAssetPrecision: 8,
                    quoteAsset: m.quoteAsset,
                    quotePrecision: 8,
                    quoteAssetPrecision: 8,
                    baseCommissionPrecision: 8,
                    quoteCommissionPrecision: 8,
                    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
                    icebergAllowed: true,
                    ocoAllowed: true,
                    otoAllowed: true,
                    quoteOrderQtyMarketAllowed: true,
                    allowTrailingStop: true,
                    cancelReplaceAllowed: true,
                    amendAllowed: true,
                    isSpotTradingAllowed: true,
                    isMarginTradingAllowed: true,
                    filters: [
                        { filterType: 'PRICE_FILTER', minPrice: small ? '0.00000100' : '0.01000000', maxPrice: '1000000.00000000', tickSize: small ? '0.00000100' : '0.01000000' },
                        { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
                        { filterType: 'ICEBERG_PARTS', limit: 10 },
                        { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '100.00000000', stepSize: '0.00000000' },
                        { filterType: 'TRAILING_DELTA', minTrailingAboveDelta: 10, maxTrailingAboveDelta: 2000, minTrailingBelowDelta: 10, maxTrailingBelowDelta: 2000 },
                        { filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: '5', bidMultiplierDown: '0.2', askMultiplierUp: '5', askMultiplierDown: '0.2', avgPriceMins: 5 },
                        { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
                        { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
                        { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
                    ],
                    permissions: [],
                    permissionSets: [['SPOT', 'MARGIN']],
                    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
                    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
                };
            }),
        };
    }

    type Answer = { status: number; body: unknown };
    const error = (status: number, code: number, msg: string): Answer => ({ status, body: { code, msg } });

    function klines(q: Record<string, string>): Answer {
        if (!q.symbol) return error(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
        if (!q.interval) return error(400, -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.");
        const m = bySymbol.get(q.symbol.toUpperCase());
        if (!m) return error(400, -1121, 'Invalid symbol.');
        if (!INTERVALS.includes(q.interval)) return error(400, -1120, 'Invalid interval.');
        const limit = q.limit === undefined ? DEFAULT_KLINES : Number(q.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_KLINES) return error(400, -1130, "Data sent for parameter 'limit' is not valid.");
        const startTime = q.startTime === undefined ? undefined : Number(q.startTime);
        const endTime = q.endTime === undefined ? undefined : Number(q.endTime);
        if ((startTime !== undefined && !Number.isFinite(startTime)) || (endTime !== undefined && !Number.isFinite(endTime))) {
            return error(400, -1100, "Illegal characters found in parameter 'startTime'; legal range is '^[0-9]{1,20}$'.");
        }
        if (startTime !== undefined && endTime !== undefined && startTime > endTime) return error(400, -1023, 'Start time is greater than end time.');
        const rows = series(m, q.interval).rows;
        const inRange = rows.filter(r => {
            const ts = Number(r[0]);
            return (startTime === undefined || ts >= startTime) && (endTime === undefined || ts <= endTime);
        });
        // From startTime forward; without it, the latest `limit` candles up to endTime / now.
        const page = startTime !== undefined ? inRange.slice(0, limit) : inRange.slice(Math.max(0, inRange.length - limit));
        return { status: 200, body: page.map(r => [Number(r[0]), r[1], r[2], r[3], r[4], r[5], Number(r[6]), r[7], Number(r[8]), r[9], r[10], r[11]]) };
    }

    const ROUTES: Record<string, { weight: number; answer: (q: Record<string, string>) => Answer }> = {
        '/api/v3/exchangeInfo': { weight: 20, answer: () => ({ status: 200, body: exchangeInfo() }) },
        '/api/v3/klines': { weight: 2, answer: klines },
        '/api/v3/ping': { weight: 1, answer: () => ({ status: 200, body: {} }) },
        '/api/v3/time': { weight: 1, answer: () => ({ status: 200, body: { serverTime: now() } }) },
    };
    const weightHeader = `x-mbx-used-weight-${windowMs % 60_000 === 0 ? `${windowMs / 60_000}m` : `${Math.max(1, Math.round(windowMs / 1000))}s`}`;

    function handle(req: IncomingMessage, res: ServerResponse): void {
        const at = Date.now();
        const u = new URL(req.url ?? '/', 'http://127.0.0.1');
        const query = Object.fromEntries(u.searchParams.entries());
        const route = req.method === 'GET' ? ROUTES[u.pathname] : undefined;
        const weight = route?.weight ?? 0;
        const send = (a: Answer, headers: Record<string, string> = {}): void => {
            requests.push({ method: req.method ?? 'GET', path: u.pathname, query, status: a.status, weight, at });
            const text = JSON.stringify(a.body);
            res.writeHead(a.status, { 'Content-Type': 'application/json;charset=UTF-8', 'x-mbx-used-weight': String(usedWeight), [weightHeader]: String(usedWeight), ...headers });
            res.end(text);
        };
        if (o.stall) {
            requests.push({ method: req.method ?? 'GET', path: u.pathname, query, status: 0, weight, at });
            return; // never answer
        }
        if (at < bannedUntil) {
            send(error(418, -1003, `Way too much request weight used; IP banned until ${bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`), { 'Retry-After': String(Math.ceil((bannedUntil - at) / 1000)) });
            return;
        }
        const w = Math.floor(at / windowMs) * windowMs;
        if (w !== windowStart) {
            windowStart = w;
            usedWeight = 0;
            violations = 0;
        }
        usedWeight += weight;
        if (usedWeight > weightLimit) {
            violations++;
            if (o.banAfter429s !== undefined && violations > o.banAfter429s) {
                bannedUntil = at + (o.banMs ?? 120_000);
                send(error(418, -1003, `Way too much request weight used; IP banned until ${bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`), { 'Retry-After': String(Math.ceil((bannedUntil - at) / 1000)) });
                return;
            }
            const unit = windowMs % 60_000 === 0 ? `${windowMs / 60_000} MINUTE` : `${Math.round(windowMs / 1000)} SECOND`;
            send(error(429, -1003, `Too much request weight used; current limit is ${weightLimit} request weight per ${unit}. Please use WebSocket Streams for live updates to avoid polling the API.`),
                { 'Retry-After': String(Math.max(1, Math.ceil((windowStart + windowMs - at) / 1000))) });
            return;
        }
        const fault = faults.find(f => f.path === u.pathname && f.left > 0);
        if (fault) {
            fault.left--;
            send(fault.status === 503
                ? error(503, -1008, 'Server is currently overloaded with other requests. Please try again in a few minutes.')
                : error(fault.status, -1000, 'An unknown error occurred while processing the request.'));
            return;
        }
        if (!route) {
            send({ status: 404, body: { code: -1, msg: `stand-in: ${req.method} ${u.pathname} is not emulated` } });
            return;
        }
        send(route.answer(query));
    }

    const server = createServer((req, res) => {
        try {
            handle(req, res);
        } catch (e) {
            res.writeHead(500, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify({ code: -1000, msg: `stand-in failure: ${String(e)}` }));
        }
    });
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;

    const market = (symbol: string): StandinMarket => {
        const m = bySymbol.get(symbol.replace('/', '').toUpperCase());
        if (!m) throw new Error(`stand-in has no market ${symbol}`);
        return m;
    };
    return {
        url: `http://127.0.0.1:${port}`,
        port,
        requests,
        closedCandles: (symbol, interval) => {
            const s = series(market(symbol), interval);
            return s.formingIndex < 0 ? s.candles.slice() : s.candles.slice(0, s.formingIndex);
        },
        formingCandle: (symbol, interval) => {
            const s = series(market(symbol), interval);
            return s.formingIndex < 0 ? undefined : s.candles[s.formingIndex];
        },
        klinesRequests: () => requests.filter(r => r.path === '/api/v3/klines'),
        failNext: (path, status, times = 1) => {
            faults.push({ path, status, left: times });
        },
        close: () => new Promise<void>(resolve => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

/** One kline as Binance sends it: [openTime, o, h, l, c, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, "0"], decimals as strings. */
function klineRow(ts: number, tf: Timeframe, scale: number, open: number, high: number, low: number, close: number, volume: number): string[] {
    const tick = scale < 0.01 ? 1e-6 : 0.01;
    const price = (x: number): string => (Math.round(x / tick) * tick).toFixed(8);
    const vol = (Math.round(volume * 1e5) / 1e5).toFixed(8);
    const o = price(open);
    const c = price(close);
    const qv = (Number(vol) * (Number(o) + Number(c)) / 2).toFixed(8);
    const trades = Math.max(1, Math.round(Number(vol) * 7));
    return [String(ts), o, price(high), price(low), c, vol, String(ts + tf.ms - 1), qv, String(trades), (Number(vol) / 2).toFixed(8), (Number(qv) / 2).toFixed(8), '0'];
}

function candleOf(row: readonly string[]): Candle {
    return { ts: Number(row[0]), open: Number(row[1]), high: Number(row[2]), low: Number(row[3]), close: Number(row[4]), volume: Number(row[5]) };
}

function gridCeil(t: number, tf: Timeframe): number {
    const b = bucketStart(t, tf);
    return b === t ? t : b + tf.ms;
}
