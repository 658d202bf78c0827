/** Symbol normalisation across venues: one canonical `venue:SYMBOL` per instrument. */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { normalizeSymbol, normalizeVenue, parseInstrument } from '../../src/data/symbols.js';

describe('normalizeSymbol', () => {
    it.each([
        // Crypto pairs in every common spelling become BASE/QUOTE.
        ['binance', 'BTC/USDT', 'binance:BTC/USDT'],
        ['BINANCE', 'btc/usdt', 'binance:BTC/USDT'],
        ['binance', 'BTCUSDT', 'binance:BTC/USDT'],
        ['binance', 'btc-usdt', 'binance:BTC/USDT'],
        ['binance', 'BTC_USDT', 'binance:BTC/USDT'],
        [' Binance ', ' ethbtc ', 'binance:ETH/BTC'],
        ['binance', 'BTCFDUSD', 'binance:BTC/FDUSD'],
        ['binance', 'SOLBUSD', 'binance:SOL/BUSD'],
        ['binance', 'ETHTUSD', 'binance:ETH/TUSD'],
        ['binanceus', 'BNBUSD', 'binanceus:BNB/USD'],
        ['binance', 'BNBBTC', 'binance:BNB/BTC'],
        ['coinbase', 'ETH-EUR', 'coinbase:ETH/EUR'],
        ['kraken', 'XBT/USD', 'kraken:BTC/USD'],
        ['kraken', 'XBTUSD', 'kraken:BTC/USD'],
        ['kraken', 'XDGEUR', 'kraken:DOGE/EUR'],
        ['okx', '1000PEPE-USDT', 'okx:1000PEPE/USDT'],
        // Separators make a pair on any venue.
        ['fx', 'eur/usd', 'fx:EUR/USD'],
        // Ticker venues leave separator-less symbols whole, even when they end in a quote code.
        ['nyse', 'aapl', 'nyse:AAPL'],
        ['nasdaq', 'BUSD', 'nasdaq:BUSD'],
        ['sp', 'SPX', 'sp:SPX'],
        ['nyse', 'BRK.B', 'nyse:BRK.B'],
        // A bare quote code on a crypto venue is not split into an empty base.
        ['binance', 'USDT', 'binance:USDT'],
    ])('%s %s → %s', (venue, symbol, id) => {
        expect(normalizeSymbol(venue, symbol).id).toBe(id);
    });

    it('returns the parts', () => {
        expect(normalizeSymbol('binance', 'btcusdt')).toEqual({ venue: 'binance', symbol: 'BTC/USDT', id: 'binance:BTC/USDT', kind: 'pair', base: 'BTC', quote: 'USDT' });
        expect(normalizeSymbol('nyse', 'aapl')).toEqual({ venue: 'nyse', symbol: 'AAPL', id: 'nyse:AAPL', kind: 'ticker' });
    });

    it('is idempotent', () => {
        for (const [v, s] of [['binance', 'btc-usdt'], ['kraken', 'XBTUSD'], ['nyse', 'brk.b'], ['binanceus', 'BNBUSD']] as const) {
            const once = normalizeSymbol(v, s);
            expect(normalizeSymbol(once.venue, once.symbol)).toEqual(once);
            expect(parseInstrument(once.id)).toEqual(once);
        }
    });

    it('refuses bad venues and symbols with a message saying what is allowed', () => {
        const err = (f: () => unknown): string => {
            try {
                f();
            } catch (e) {
                expect(e).toBeInstanceOf(DataError);
                return (e as Error).message;
            }
            throw new Error('no error');
        };
        expect(err(() => normalizeVenue('9x'))).toBe(`venue '9x' is not valid; use letters, digits, '_', '-' or '.', starting with a letter (e.g. binance, nyse, sp)`);
        expect(err(() => normalizeVenue(''))).toMatch(/^venue '' is not valid/);
        expect(err(() => normalizeSymbol('bin ance', 'BTC'))).toMatch(/^venue 'bin ance' is not valid/);
        expect(err(() => normalizeSymbol('binance', '  '))).toBe('symbol of venue binance is empty');
        expect(err(() => normalizeSymbol('binance', 'BTC USDT'))).toBe(`symbol 'BTC USDT' must not contain spaces or ':'; give the venue separately or write venue:SYMBOL`);
        expect(err(() => normalizeSymbol('binance', 'binance:BTC'))).toMatch(/must not contain spaces or ':'/);
    });
});

describe('parseInstrument', () => {
    it('parses venue:SYMBOL', () => {
        expect(parseInstrument('binance:BTC/USDT').id).toBe('binance:BTC/USDT');
        expect(parseInstrument('Binance:btcusdt').id).toBe('binance:BTC/USDT');
        expect(parseInstrument('sp:SPX')).toMatchObject({ venue: 'sp', symbol: 'SPX', kind: 'ticker' });
    });

    it.each(['BTCUSDT', ':BTC', 'binance:', ''])('refuses %j', text => {
        expect(() => parseInstrument(text)).toThrow(`instrument '${text}' must be written venue:SYMBOL (e.g. binance:BTC/USDT, sp:SPX)`);
    });
});
