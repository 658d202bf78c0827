/**
 * Fetches candles from an exchange through ccxt (`af data fetch VENUE SYMBOL TIMEFRAME --since`)
 * and stores them through importBars, so they are validated and written in one transaction.
 *
 * - The venue is a ccxt id (binance, bybit, okx, kraken, …); only its spot markets are loaded
 *   (stored symbols are BASE/QUOTE pairs), which for binance means one request: /api/v3/exchangeInfo.
 * - Pages are requested from `since` forward, each starting one timeframe after the last candle
 *   received; overlaps are de-duplicated. Paging stops at `until` / now, on an empty page, or on a
 *   page shorter than an earlier one (the venue has no more).
 * - A candle is only known at its close: the still-forming candle (open + timeframe > now, with
 *   a grace of CLOSE_GRACE_MS for clock skew) is dropped; a later fetch stores its final values.
 * - ccxt's rate limiter spaces the requests; an HTTP 429 is waited out (Retry-After, else a short
 *   back-off) and retried a few times; a 418 (IP ban) or a long Retry-After ends the fetch.
 * - Unreachable venues fail within the request timeout (default 10 s), without retries; once the
 *   venue has answered, a dropped connection or a 5xx is retried twice (a 4xx is not).
 *   `urls` points the venue's API at another host (a proxy, a mirror, or the tests' stand-in).
 */
import type ccxtModule from 'ccxt';
import type { Exchange, OHLCV } from 'ccxt';
import { formatTs, parseDateArg } from './dates.js';
import { DataError, firstLine } from './errors.js';
import { importBars, type ImportResult } from './import.js';
import { normalizeSymbol, normalizeVenue } from './symbols.js';
import { type DataStore } from '../store/store.js';
import { bucketStart, parseTimeframe, type Timeframe } from './timeframe.js';
import { editDistance } from '../../../language/src/util/did-you-mean.js';

export interface FetchOptions {
    /** ccxt exchange id, e.g. 'binance'. */
    readonly venue: string;
    /** Any form normalizeSymbol accepts: BTC/USDT, btcusdt, BTC-USDT. */
    readonly symbol: string;
    /** '1m', '1h', '1d', … (must be one of the venue's timeframes). */
    readonly timeframe: string;
    /** First bar wanted (open time): ms UTC, or text as parseDateArg reads it. */
    readonly since: number | string;
    /** Last bar wanted (open time, inclusive): ms UTC or text; default now. */
    readonly until?: number | string;
    /** At most this many bars (the earliest from `since`). */
    readonly limit?: number;
    /** Candles per request; default the venue's maximum (ccxt's features), else 500. */
    readonly pageSize?: number;
    /**
     * Other API URLs: a base URL (`http://127.0.0.1:8080`) replaces the scheme and host of every
     * API URL of the venue, keeping their paths; an object sets ccxt `urls.api` entries by key
     * (binance: `{ public: 'http://host/api/v3' }`).
     */
    readonly urls?: string | Readonly<Record<string, string>>;
    /** Per-request timeout, ms (default 10 000). */
    readonly timeoutMs?: number;
    /** ccxt's `rateLimit`: ms between requests of unit cost; default the venue's own. */
    readonly rateLimitMs?: number;
    /** How often one request is retried after HTTP 429 / a transient network error (default 4). */
    readonly retries?: number;
    /** A Retry-After longer than this ends the fetch with a DataError instead of waiting (default 60 000 ms). */
    readonly maxRetryWaitMs?: number;
    /** Store despite missing bars (venues have outages; the bars are never invented). Default true. */
    readonly allowGaps?: boolean;
    /** The clock deciding which candle is still forming (tests); default Date.now. */
    readonly now?: () => number;
    /** After every page: bars collected so far and the open time of the latest one. */
    readonly onProgress?: (fetchedBars: number, lastTs: number) => void;
}

export interface FetchResult extends ImportResult {
    /** ccxt id. */
    readonly venue: string;
    /** Unified symbol as stored, e.g. BTC/USDT. */
    readonly symbol: string;
    /** HTTP requests made (markets + candle pages + retries). */
    readonly requests: number;
    readonly pages: number;
    /** Times a rate limit (HTTP 429) was waited out. */
    readonly rateLimited: number;
    /** Still-forming candles received and not stored. */
    readonly formingDropped: number;
    /** The venue's main API URL used. */
    readonly apiUrl: string;
}

type Ccxt = typeof ccxtModule;
type ExchangeClass = new (config: Record<string, unknown>) => Exchange;

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRIES = 4;
const DEFAULT_MAX_RETRY_WAIT_MS = 60_000;
/** A candle counts as closed this long after its close time (clock skew, the venue finalising it). */
export const CLOSE_GRACE_MS = 5_000;

/** Fetches closed candles of one market and stores them; see the module comment. */
export async function fetchBars(store: DataStore, o: FetchOptions): Promise<FetchResult> {
    const started = performance.now();
    const tf = parseTimeframe(o.timeframe);
    const venue = normalizeVenue(o.venue);
    const wanted = normalizeSymbol(venue, o.symbol);
    const since = typeof o.since === 'number' ? o.since : parseDateArg(o.since, '--since');
    const until = o.until === undefined ? Infinity : typeof o.until === 'number' ? o.until : parseDateArg(o.until, '--until', 'end');
    if (!Number.isFinite(since)) throw new DataError(`--since must be a date, not ${o.since}`);
    if (until < since) throw new DataError(`--until ${formatTs(until)} is before --since ${formatTs(since)}`);
    if (o.limit !== undefined && !(Number.isInteger(o.limit) && o.limit > 0)) throw new DataError(`--limit must be a positive whole number, not ${o.limit}`);
    if (o.pageSize !== undefined && !(Number.isInteger(o.pageSize) && o.pageSize > 0)) throw new DataError(`page size must be a positive whole number, not ${o.pageSize}`);
    const now = o.now ?? Date.now;

    const ccxt: Ccxt = (await import('ccxt')).default;
    if (!ccxt.exchanges.includes(venue)) {
        const near = closeMatches(venue, ccxt.exchanges, 5);
        throw new DataError(`'${o.venue}' is not an exchange ccxt knows${near.length ? `; did you mean ${near.join(', ')}?` : ''} (ccxt ids, e.g. binance, bybit, okx, kraken, coinbase)`);
    }
    const Cls = (ccxt as unknown as Record<string, ExchangeClass>)[venue]!;
    const timeout = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const ex = new Cls({ enableRateLimit: true, timeout, ...(o.rateLimitMs !== undefined ? { rateLimit: o.rateLimitMs } : {}) });
    restrictToSpot(ex);
    if (o.urls !== undefined) overrideUrls(ex, o.urls);
    const ctx: CallContext = {
        ex, venue, timeout, apiUrl: mainApiUrl(ex), requests: 0, rateLimited: 0, contacted: false, lastStatus: undefined,
        retries: o.retries ?? DEFAULT_RETRIES, maxRetryWaitMs: o.maxRetryWaitMs ?? DEFAULT_MAX_RETRY_WAIT_MS,
    };
    // Every REST answer passes through handleErrors with its HTTP status, which ccxt's exceptions do not always carry.
    const handleErrors = ex.handleErrors.bind(ex);
    ex.handleErrors = (status, ...rest) => {
        ctx.lastStatus = status;
        return handleErrors(status, ...rest);
    };
    try {
        if (!ex.has['fetchOHLCV']) throw new DataError(`${venue} offers no candles (OHLCV) through ccxt`);
        const tfKey = venueTimeframe(ex, tf, o.timeframe);
        const pageSize = o.pageSize ?? venuePageSize(ex);
        await call(ctx, 'loading the markets', () => ex.loadMarkets());
        ctx.contacted = true;
        const market = findMarket(ex, wanted.symbol, o.symbol);

        // The last bar wanted: within `until`, and closed (open + tf + grace <= now).
        const nowMs = now();
        const closedBy = nowMs - CLOSE_GRACE_MS;
        const end = Math.min(until, closedBy - tf.ms);
        const rows = new Map<number, OHLCV>();
        let formingDropped = 0;
        let pages = 0;
        let longest = 0;
        let cursor = since;
        let latest = -Infinity;
        while (gridCeil(cursor, tf) <= end && (o.limit === undefined || rows.size < o.limit)) {
            const from = cursor;
            const page = await call(ctx, `fetching candles from ${formatTs(from)}`, () => ex.fetchOHLCV(market.symbol, tfKey, from, pageSize));
            pages++;
            if (page.length === 0) break;
            let last = -Infinity;
            for (const c of page) {
                const ts = c[0];
                if (typeof ts !== 'number' || !Number.isFinite(ts)) continue;
                last = Math.max(last, ts);
                if (ts + tf.ms > closedBy) {
                    formingDropped++;
                    continue;
                }
                if (ts < since || ts > end) continue;
                rows.set(ts, c);
                latest = Math.max(latest, ts);
            }
            if (rows.size > 0) o.onProgress?.(rows.size, latest);
            if (!(last >= from)) break; // no progress: the venue ignores `since` or has nothing newer
            const short = page.length < longest;
            longest = Math.max(longest, page.length);
            cursor = last + tf.ms;
            if (short) break;
        }
        if (rows.size === 0) {
            throw new DataError(`${venue} ${market.symbol} ${tf.label}: no closed candles from ${formatTs(since)} to ${formatTs(end)}${end < since ? ' (the first one has not closed yet)' : ' (was the market listed later, or delisted before?)'}`);
        }
        let ts = [...rows.keys()].sort((a, b) => a - b);
        if (o.limit !== undefined) ts = ts.slice(0, o.limit);
        const n = ts.length;
        const cols = { ts: new Float64Array(ts), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
        ts.forEach((t, i) => {
            const c = rows.get(t)!;
            cols.open[i] = num(c[1]);
            cols.high[i] = num(c[2]);
            cols.low[i] = num(c[3]);
            cols.close[i] = num(c[4]);
            cols.volume[i] = num(c[5]);
        });
        const source = `${venue} ${market.symbol} ${tf.label} via ccxt (${ctx.apiUrl})`;
        const result = await importBars(store, cols, source, { venue, symbol: market.symbol, timeframe: tf.label, allowGaps: o.allowGaps ?? true });
        const notes = [...result.notes, `fetched ${n} closed ${tf.label} candles in ${pages} page${pages === 1 ? '' : 's'} (${ctx.requests} requests)`];
        if (formingDropped > 0) notes.push(`the still-forming candle was not stored (a bar is known at its close)`);
        if (ctx.rateLimited > 0) notes.push(`waited out ${ctx.rateLimited} rate-limit response${ctx.rateLimited === 1 ? '' : 's'} (HTTP 429)`);
        return {
            ...result, notes, seconds: (performance.now() - started) / 1000,
            venue, symbol: result.instrument.symbol, requests: ctx.requests, pages, rateLimited: ctx.rateLimited, formingDropped, apiUrl: ctx.apiUrl,
        };
    } finally {
        await release(ex);
    }
}

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN);

function gridCeil(t: number, tf: Timeframe): number {
    const b = bucketStart(t, tf);
    return b === t ? t : b + tf.ms;
}

/** Only spot markets: the stored symbols are BASE/QUOTE pairs, and it spares the venue's futures endpoints. */
function restrictToSpot(ex: Exchange): void {
    const opt: unknown = ex.options['fetchMarkets'];
    if (Array.isArray(opt) && opt.includes('spot')) {
        ex.options['fetchMarkets'] = ['spot'];
    } else if (opt && typeof opt === 'object' && Array.isArray((opt as { types?: unknown }).types) && (opt as { types: unknown[] }).types.includes('spot')) {
        ex.options['fetchMarkets'] = { ...opt, types: ['spot'] };
    }
}

function overrideUrls(ex: Exchange, urls: string | Readonly<Record<string, string>>): void {
    const urlsObj = ex.urls as unknown as { api: unknown };
    if (typeof urls === 'string') {
        const base = urls.trim().replace(/\/+$/, '');
        if (!/^https?:\/\/[^/\s]+/i.test(base)) throw new DataError(`--urls '${urls}' is not an http(s) URL; give e.g. http://127.0.0.1:8080`);
        const rewrite = (v: unknown): unknown => {
            if (typeof v === 'string') return /^[a-z]+:\/\//i.test(v) ? v.replace(/^[a-z]+:\/\/[^/]+/i, base) : v;
            if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]));
            return v;
        };
        urlsObj.api = rewrite(urlsObj.api);
        return;
    }
    const api = urlsObj.api;
    if (!api || typeof api !== 'object') {
        throw new DataError(`${ex.id} has a single API URL; give --urls one base URL (e.g. http://127.0.0.1:8080)`);
    }
    const keys = Object.keys(api);
    const out: Record<string, unknown> = { ...(api as Record<string, unknown>) };
    for (const [k, v] of Object.entries(urls)) {
        if (!keys.includes(k)) throw new DataError(`--urls: ${ex.id} has no API '${k}'; its APIs are ${keys.join(', ')}`);
        out[k] = v;
    }
    urlsObj.api = out;
}

/** The URL named in messages: the public REST API (binance: …/api/v3). */
function mainApiUrl(ex: Exchange): string {
    const api: unknown = (ex.urls as unknown as { api: unknown }).api;
    if (typeof api === 'string') return api;
    if (api && typeof api === 'object') {
        const a = api as Record<string, unknown>;
        for (const k of ['public', 'rest', 'spot', 'v1']) if (typeof a[k] === 'string') return a[k] as string;
        const first = Object.values(a).find(v => typeof v === 'string');
        if (typeof first === 'string') return first;
    }
    return ex.id;
}

function findMarket(ex: Exchange, unified: string, given: string): { readonly symbol: string } {
    const markets: Record<string, unknown> = ex.markets ?? {};
    const byId: unknown = ex.markets_by_id?.[given.trim()] ?? ex.markets_by_id?.[given.trim().toUpperCase()];
    const market: unknown = markets[unified] ?? (Array.isArray(byId) ? byId[0] : undefined);
    if (market && typeof (market as { symbol?: unknown }).symbol === 'string') return market as { symbol: string };
    const symbols = Object.keys(markets);
    const near = closeMatches(unified, symbols, 6);
    const hint = near.length > 0 ? `; close matches: ${near.join(', ')}` : `; it has ${symbols.length} spot markets, e.g. ${symbols.slice(0, 3).join(', ')}`;
    throw new DataError(`${ex.id} has no spot market ${unified}${hint}`);
}

/** The venue's key for our timeframe ('60m' finds binance's '1h'). */
function venueTimeframe(ex: Exchange, tf: Timeframe, given: string): string {
    const keys = Object.keys(ex.timeframes ?? {});
    if (keys.length === 0) return tf.label;
    for (const k of keys) {
        try {
            const t = parseTimeframe(k);
            if (t.ms === tf.ms && t.offset === tf.offset) return k;
        } catch {
            // '1M' and other timeframes without a fixed length
        }
    }
    throw new DataError(`${ex.id} has no ${given} candles; its timeframes are ${keys.join(', ')}`);
}

function venuePageSize(ex: Exchange): number {
    const limit: unknown = (ex.features?.['spot'] as { fetchOHLCV?: { limit?: unknown } } | undefined)?.fetchOHLCV?.limit;
    return typeof limit === 'number' && limit > 0 ? limit : 500;
}

interface CallContext {
    readonly ex: Exchange;
    readonly venue: string;
    readonly timeout: number;
    readonly apiUrl: string;
    readonly retries: number;
    readonly maxRetryWaitMs: number;
    requests: number;
    rateLimited: number;
    /** The venue answered once: later network errors are transient and retried. */
    contacted: boolean;
    /** HTTP status of the latest answer (undefined: none, e.g. the connection failed). */
    lastStatus: number | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

/** Runs one ccxt request, waiting out rate limits, and turns ccxt's errors into DataErrors. */
async function call<T>(ctx: CallContext, what: string, fn: () => Promise<T>): Promise<T> {
    const ccxt: Ccxt = (await import('ccxt')).default;
    for (let attempt = 0; ; attempt++) {
        ctx.requests++;
        ctx.lastStatus = undefined;
        try {
            return await fn();
        } catch (e) {
            if (!(e instanceof ccxt.BaseError)) throw e;
            const status = ctx.lastStatus;
            const rateLimited = status === 429 || e instanceof ccxt.RateLimitExceeded || (e instanceof ccxt.DDoSProtection && status !== 418);
            if (rateLimited && attempt < ctx.retries) {
                const wait = retryAfterMs(ctx.ex) ?? 500 * 2 ** attempt;
                if (wait > ctx.maxRetryWaitMs) {
                    throw new DataError(`${ctx.venue} is rate-limiting these requests (HTTP 429) and asks to wait ${Math.ceil(wait / 1000)} s; fetch again later`);
                }
                ctx.rateLimited++;
                await sleep(wait);
                continue;
            }
            // Dropped connections and 5xx are retried mid-fetch (reading is safe to repeat); 4xx (403, 451: refused) are not.
            const transient = !rateLimited && status !== 418 && (status === undefined ? e instanceof ccxt.OperationFailed : status >= 500 || status === 408);
            if (transient && ctx.contacted && attempt < Math.min(ctx.retries, 2)) {
                await sleep(500 * 2 ** attempt);
                continue;
            }
            throw toDataError(ccxt, e, ctx, what, status);
        }
    }
}

function retryAfterMs(ex: Exchange): number | undefined {
    const h = ex.last_response_headers;
    const v = h?.['Retry-After'] ?? h?.['retry-after'];
    if (v === undefined) return undefined;
    const s = Number(v);
    if (Number.isFinite(s) && s >= 0) return s * 1000;
    const at = Date.parse(String(v));
    return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

function toDataError(ccxt: Ccxt, e: Error, ctx: CallContext, what: string, status: number | undefined): DataError {
    const msg = firstLine(e);
    const requested = typeof ctx.ex.last_request_url === 'string' ? ctx.ex.last_request_url.split('?')[0] : undefined;
    const url = requested ?? /(https?:\/\/[^\s?]+)/.exec(msg)?.[1] ?? ctx.apiUrl;
    const v = ctx.venue;
    const why = clip(reason(msg));
    const http = status === undefined ? '' : `HTTP ${status}: `;
    if (e instanceof ccxt.RequestTimeout && status === undefined) {
        return new DataError(`cannot reach ${v} (${url}): no answer within ${ctx.timeout} ms while ${what}; check the network or use --urls`);
    }
    if (status === 418 || status === 429 || e instanceof ccxt.DDoSProtection || e instanceof ccxt.RateLimitExceeded) {
        if (status === 418) return new DataError(`${v} has banned this IP for now (HTTP 418) after too many requests${retrySuffix(ctx.ex)}; wait before fetching again`);
        return new DataError(`${v} kept rate-limiting these requests (HTTP 429) after ${ctx.retries} retries while ${what}; wait a minute and fetch again`);
    }
    if (status === undefined && e instanceof ccxt.NetworkError) {
        return new DataError(`cannot reach ${v} (${url}): ${why}; check the network or use --urls`);
    }
    if (e instanceof ccxt.BadSymbol) return new DataError(`${v} rejected the symbol while ${what}: ${http}${why}`);
    if (e instanceof ccxt.AuthenticationError) return new DataError(`${v} refused the request (${url}) while ${what}: ${http}${why}`);
    if ((status !== undefined && status >= 500) || e instanceof ccxt.ExchangeNotAvailable || e instanceof ccxt.OperationFailed) {
        return new DataError(`${v} is not available (${url}) while ${what}: ${http}${why}; try again later or use --urls`);
    }
    return new DataError(`${v} rejected the request (${url}) while ${what}: ${http}${why}`);
}

function retrySuffix(ex: Exchange): string {
    const ms = retryAfterMs(ex);
    return ms === undefined ? '' : ` for ${Math.ceil(ms / 1000)} s`;
}

/** The venue's own words in a ccxt message: after "<id> GET <url>" / "fetch failed:", Binance-style {code, msg} bodies unpacked. */
function reason(msg: string): string {
    const failed = /fetch failed:?\s*(.*)$/.exec(msg);
    if (failed) return failed[1] || 'fetch failed';
    const rest = msg.replace(/^\S+\s+(GET|POST|PUT|DELETE)\s+\S+\s*/, '').replace(/^[a-z0-9]+ /, '').replace(/^\d{3}\s+/, '');
    const json = /\{.*\}\s*$/.exec(rest)?.[0];
    if (json) {
        try {
            const body = JSON.parse(json) as Record<string, unknown>;
            const text = body.msg ?? body.message ?? body.error;
            if (typeof text === 'string') return body.code !== undefined ? `${text} (code ${String(body.code)})` : text;
        } catch {
            // not JSON after all
        }
    }
    return rest || msg;
}

const clip = (s: string, n = 200): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Up to `n` candidates nearest to `want` (same base or quote first, then edit distance). */
export function closeMatches(want: string, candidates: readonly string[], n: number): string[] {
    const w = want.toUpperCase();
    const [wb, wq] = w.split('/');
    const scored = candidates.map(c => {
        const u = c.toUpperCase();
        const [b, q] = u.split('/');
        let score = editDistance(w, u);
        if (wq !== undefined && b === wb) score -= 2;
        if (wq !== undefined && q === wq) score -= 1;
        if (u.includes(w) || w.includes(u)) score -= 1;
        return { c, score };
    });
    const limit = Math.max(2, Math.floor(w.length / 3));
    return scored.filter(s => s.score <= limit).sort((a, b) => a.score - b.score || a.c.localeCompare(b.c)).slice(0, n).map(s => s.c);
}

/** Frees ccxt's keep-alive sockets so that the process can exit at once. */
async function release(ex: Exchange): Promise<void> {
    const d = (ex as unknown as { fetchDispatcher?: { destroy?: () => Promise<void> } }).fetchDispatcher;
    try {
        await ex.close();
        await d?.destroy?.();
    } catch {
        // nothing to free
    }
}
