/**
 * One place that decides what an instrument is called. Canonical ids are `venue:SYMBOL`
 * with a lower-case venue; crypto pairs are `BASE/QUOTE` (ccxt's unified form), so
 * `BINANCE:btc/usdt`, `binance:BTCUSDT` and `binance:btc-usdt` all become `binance:BTC/USDT`.
 * A symbol without a separator is split only when it ends in a known quote currency and
 * the venue is a crypto venue (so the equity `nyse:BUSD`-style tickers are left alone);
 * everything else is an upper-cased ticker (`nyse:aapl` → `nyse:AAPL`).
 */
import { DataError } from './errors.js';

/** Quote currencies, longest first so that `BTCFDUSD` splits as BTC/FDUSD, not BTCFD/USD. */
export const KNOWN_QUOTES: readonly string[] = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USDP', 'USD', 'EUR', 'GBP', 'JPY', 'TRY', 'BRL', 'AUD', 'DAI', 'BTC', 'ETH', 'BNB']
    .sort((a, b) => b.length - a.length);

/** Venues whose separator-less symbols are pairs (ccxt ids). Others are treated as ticker venues. */
export const CRYPTO_VENUES: ReadonlySet<string> = new Set(['binance', 'binanceus', 'binanceusdm', 'bybit', 'okx', 'kraken', 'coinbase', 'bitfinex', 'bitstamp', 'kucoin', 'gate', 'mexc', 'htx', 'bitget', 'deribit', 'gemini', 'cryptocom']);

/** Venue-specific aliases of asset codes (Kraken's XBT is BTC). */
const ASSET_ALIASES: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE' };

export interface InstrumentId {
    readonly venue: string;
    readonly symbol: string;
    /** `venue:symbol`. */
    readonly id: string;
    readonly kind: 'pair' | 'ticker';
    readonly base?: string;
    readonly quote?: string;
}

const VENUE_RE = /^[a-z][a-z0-9_.-]*$/;

export function normalizeVenue(venue: string): string {
    const v = venue.trim().toLowerCase();
    if (!VENUE_RE.test(v)) throw new DataError(`venue '${venue}' is not valid; use letters, digits, '_', '-' or '.', starting with a letter (e.g. binance, nyse, sp)`);
    return v;
}

/** Normalises a symbol on a venue. */
export function normalizeSymbol(venue: string, symbol: string): InstrumentId {
    const v = normalizeVenue(venue);
    const raw = symbol.trim().toUpperCase();
    if (raw === '') throw new DataError(`symbol of venue ${v} is empty`);
    if (/[\s:]/.test(raw)) throw new DataError(`symbol '${symbol}' must not contain spaces or ':'; give the venue separately or write venue:SYMBOL`);
    const sep = /^([A-Z0-9.]+)[/\-_]([A-Z0-9.]+)$/.exec(raw);
    if (sep) return pair(v, sep[1]!, sep[2]!);
    if (CRYPTO_VENUES.has(v)) {
        // Longest quote first, except that a split leaving a known code as the base wins:
        // BNBUSD is BNB/USD and XBTUSD is BTC/USD, not BN/BUSD and XB/TUSD (SOLBUSD stays SOL/BUSD).
        const quotes = KNOWN_QUOTES.filter(q => raw.endsWith(q) && raw.length > q.length);
        const known = (base: string): boolean => KNOWN_QUOTES.includes(base) || Object.hasOwn(ASSET_ALIASES, base);
        const quote = quotes.find(q => known(raw.slice(0, -q.length))) ?? quotes[0];
        if (quote) return pair(v, raw.slice(0, -quote.length), quote);
    }
    return { venue: v, symbol: raw, id: `${v}:${raw}`, kind: 'ticker' };
}

function pair(venue: string, base: string, quote: string): InstrumentId {
    const b = ASSET_ALIASES[base] ?? base;
    const q = ASSET_ALIASES[quote] ?? quote;
    const symbol = `${b}/${q}`;
    return { venue, symbol, id: `${venue}:${symbol}`, kind: 'pair', base: b, quote: q };
}

/** Parses `venue:SYMBOL` (as in a strategy's universe). */
export function parseInstrument(text: string): InstrumentId {
    const i = text.indexOf(':');
    if (i <= 0 || i === text.length - 1) throw new DataError(`instrument '${text}' must be written venue:SYMBOL (e.g. binance:BTC/USDT, sp:SPX)`);
    return normalizeSymbol(text.slice(0, i), text.slice(i + 1));
}
