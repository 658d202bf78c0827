/**
 * One ccxt exchange object for trading or a feed: the ccxt.pro class (REST and WebSocket in one
 * object) of a venue id, with the user's keys, its API hosts optionally pointed elsewhere (the local
 * stand-in, a testnet, a proxy) and the options that keep it to spot markets and to the requests we
 * mean. Both the venue adapter (ccxt-venue.ts) and the feed (ccxt-feed.ts) create theirs here.
 */
import type ccxtModule from 'ccxt';
import type { Exchange } from 'ccxt';

export interface CcxtConnection {
    /** ccxt exchange id, e.g. binance. */
    readonly exchange: string;
    readonly apiKey?: string;
    readonly secret?: string;
    /** The passphrase some venues want with the key (okx, kucoin: ccxt's `password`). */
    readonly password?: string;
    /** A base URL (http://127.0.0.1:8080) replacing the scheme and host of every API URL: http(s) ones by it, ws(s) ones by its ws:// twin. */
    readonly baseUrl?: string;
    /** Per-request timeout, ms (default 10 000). */
    readonly timeoutMs?: number;
}

export class CcxtSetupError extends Error {}

export async function createExchange(c: CcxtConnection): Promise<Exchange> {
    const ccxt = (await import('ccxt')).default;
    const pro = ccxt.pro as unknown as Record<string, new (cfg: Record<string, unknown>) => Exchange>;
    const rest = ccxt as unknown as Record<string, new (cfg: Record<string, unknown>) => Exchange>;
    if (!ccxt.exchanges.includes(c.exchange)) throw new CcxtSetupError(`'${c.exchange}' is not an exchange ccxt knows (ccxt ids, e.g. binance, bybit, okx, kraken)`);
    const Cls = pro[c.exchange] ?? rest[c.exchange]!;
    // The venue's request weights are throttled client-side, except for a stand-in on this machine (it has none).
    const local = c.baseUrl !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/*$/i.test(c.baseUrl.trim());
    const ex = new Cls({
        enableRateLimit: !local, timeout: c.timeoutMs ?? 10_000,
        ...(c.apiKey !== undefined ? { apiKey: c.apiKey } : {}), ...(c.secret !== undefined ? { secret: c.secret } : {}),
        ...(c.password !== undefined ? { password: c.password } : {}),
    });
    // Spot only, no currency list (a private endpoint on some venues), no warnings that throw.
    const opt: unknown = ex.options['fetchMarkets'];
    if (Array.isArray(opt)) ex.options['fetchMarkets'] = ['spot'];
    else if (opt && typeof opt === 'object' && 'types' in opt) ex.options['fetchMarkets'] = { ...opt, types: ['spot'] };
    ex.options['fetchCurrencies'] = false;
    ex.options['warnOnFetchOpenOrdersWithoutSymbol'] = false;
    ex.options['defaultType'] = 'spot';
    ex.options['fetchMargins'] = false;
    guardSends(ex);
    if (c.baseUrl !== undefined) {
        pointAt(ex, c.baseUrl);
        // ccxt opens plain ws:// only through an http agent it loads on request.
        await (ex as unknown as { loadHttpProxyAgent(): Promise<unknown> }).loadHttpProxyAgent();
    }
    return ex;
}

/**
 * ccxt sends a throttled subscription with `throttle().then(() => { client.send(m) })`, dropping the
 * send's promise, and on a socket error it rejects every future of the client (`reset`), including
 * futures of subscriptions nobody awaits any more: each is an unhandled rejection, which ends a Node
 * process (a daemon with live deployments). Every send's and every future's failure is marked
 * handled here; whoever awaits one still gets its rejection, and our stream loops reconnect.
 */
function guardSends(ex: Exchange): void {
    type Client = { send(m: unknown): Promise<unknown>; future(hash: string): Promise<unknown>; guarded?: boolean };
    const host = ex as unknown as { client(url: string): Client };
    const client = host.client.bind(ex);
    host.client = (url: string) => {
        const c = client(url);
        if (!c.guarded) {
            const send = c.send.bind(c), future = c.future.bind(c);
            c.send = (m: unknown) => { const f = send(m); f.catch(() => undefined); return f; };
            c.future = (hash: string) => { const f = future(hash); f.catch(() => undefined); return f; };
            c.guarded = true;
        }
        return c;
    };
}

function pointAt(ex: Exchange, baseUrl: string): void {
    const base = baseUrl.trim().replace(/\/+$/, '');
    if (!/^https?:\/\/[^/\s]+$/i.test(base)) throw new CcxtSetupError(`venue URL '${baseUrl}' is not an http(s) base URL; give e.g. http://127.0.0.1:8080`);
    const wsBase = base.replace(/^http/i, 'ws');
    const rewrite = (v: unknown): unknown => {
        if (typeof v === 'string') {
            if (/^wss?:\/\//i.test(v)) return v.replace(/^wss?:\/\/[^/]+/i, wsBase);
            if (/^https?:\/\//i.test(v)) return v.replace(/^https?:\/\/[^/]+/i, base);
            return v;
        }
        if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]));
        return v;
    };
    const urls = ex.urls as unknown as { api: unknown };
    urls.api = rewrite(urls.api);
}

/** ccxt's error classes, loaded once (the module is large: it loads when a venue is first used). */
export async function ccxtErrors(): Promise<typeof ccxtModule> {
    return (await import('ccxt')).default;
}
