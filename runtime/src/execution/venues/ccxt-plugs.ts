/**
 * `ccxt:<exchange>` as a deployment's venue and feed (the daemon's entries `ccxt` in its venue and
 * feed maps, deployments/plugs.ts).
 *
 * - Venue: the team's stored keys for that exchange (venue-keys.ts, label `default`) are decrypted
 *   here, inside the daemon, and handed to the ccxt object only: never logged, never in an event,
 *   an error or an answer. Missing keys are a clear error naming the venue and `af venue keys set`.
 *   The venue is connected (markets loaded, one private read to check the keys) before the
 *   deployment starts, so wrong keys or an unreachable venue refuse the start, not a later bar.
 * - Symbols: a deployment names its instruments `source:SYMBOL`; on a ccxt venue SYMBOL is the
 *   ccxt market symbol (BTC/USDT), so `binance:BTC/USDT` (live feed) or `synth:BTC/USDT` (stored
 *   bars replayed) both trade BTC/USDT. Orders, open orders and positions are translated both ways.
 * - Only this deployment's orders: open orders (the kill switch cancels them) are those it sent or
 *   took over from its journal, not every order of the account.
 * - Where: the config's `venues.urls` (venue-urls.ts) points an exchange at another host (the
 *   stand-in); otherwise ccxt's own hosts.
 * - Feed: closed OHLCV bars of the deployment's symbols (ccxt-feed.ts) pulled one at a time, the
 *   warm-up (or, after a restart, the bars since the last one traded on) fetched first.
 */
import { NotFoundError, UnavailableError, UserInputError } from '../../../../protocol/src/errors.js';
import type { OrderUpdate } from '../order-state.js';
import type { Feed, FeedFactory, VenueFactory } from '../deployments/plugs.js';
import type { StreamBar } from '../streaming.js';
import type { VenueCredentials } from '../venue-keys.js';
import type { Amendment, OrderRequest, VenueAdapter, VenueOrder } from '../venue.js';
import { parseTimeframe } from '../../data/timeframe.js';
import { CcxtSetupError, ccxtErrors } from './ccxt-exchange.js';
import { CcxtFeed } from './ccxt-feed.js';
import { CcxtVenue, venueWords, type CcxtVenueConfig, type KnownOrder } from './ccxt-venue.js';
import type { VenueUrls } from './venue-urls.js';

export interface CcxtPlugOptions {
    /** The team's credentials for an exchange (VenueKeys.reveal); NotFoundError when it has none. */
    readonly credentials: (team: string, exchange: string) => Promise<VenueCredentials>;
    readonly urls?: VenueUrls;
    /** The adapter's retry and reconcile periods (tests shorten them). */
    readonly tuning?: Pick<CcxtVenueConfig, 'backoffMs' | 'retries' | 'reconcileMs' | 'pollMs'>;
    readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
    /** The feed's clock, which closes a bar once its time is up (default the wall clock; tests: the stand-in's). */
    readonly now?: () => number;
}

/** `ccxt:binance` → binance, an exchange ccxt has. */
async function exchangeOf(name: string): Promise<string> {
    const ex = name.slice(name.indexOf(':') + 1);
    if (!name.includes(':') || !/^[a-z][a-z0-9]{1,31}$/.test(ex)) {
        throw new UserInputError(`venue '${name.slice(0, 64)}': name the exchange as ccxt:<ccxt exchange id>, e.g. ccxt:binance`, { issues: [{ path: ['venue'], message: 'ccxt:<exchange>' }] });
    }
    if (!(await ccxtErrors()).exchanges.includes(ex)) {
        throw new UserInputError(`no venue named ${name}: '${ex}' is not an exchange ccxt knows (ccxt ids, e.g. ccxt:binance, ccxt:bybit, ccxt:okx, ccxt:kraken)`, { issues: [{ path: ['venue'], message: 'ccxt:<exchange>' }] });
    }
    return ex;
}

/** The ccxt market symbol of a deployment instrument (`source:BASE/QUOTE`). */
function marketOf(venue: string, instrument: string): string {
    const s = instrument.slice(instrument.indexOf(':') + 1);
    if (!/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)?$/.test(s)) {
        throw new UserInputError(`${venue} trades ccxt market symbols: give the deployment's symbols as <source>:BASE/QUOTE (e.g. binance:BTC/USDT), not ${instrument.slice(0, 64)}`, { issues: [{ path: ['feed', 'symbols'], message: 'source:BASE/QUOTE' }] });
    }
    return s;
}

export function ccxtVenues(o: CcxtPlugOptions): VenueFactory {
    return async ctx => {
        const exchange = await exchangeOf(ctx.name);
        const markets = ctx.symbols.map(s => marketOf(ctx.name, s));
        let creds: VenueCredentials;
        try {
            creds = await o.credentials(ctx.team, exchange);
        } catch (e) {
            if (!(e instanceof NotFoundError)) throw e;
            throw new UserInputError(`venue ${ctx.name}: team ${ctx.team} has no API keys for ${exchange}; store them with af venue keys set ${exchange} (the secret from stdin), then start the deployment again`, { issues: [{ path: ['venue'], message: `no stored keys for ${exchange}` }] });
        }
        const baseUrl = o.urls?.[exchange];
        const fields = { deployment: ctx.deployment, team: ctx.team, venue: ctx.name };
        let venue: CcxtVenue | undefined;
        try {
            venue = await CcxtVenue.connect({
                exchange, apiKey: creds.apiKey, secret: creds.secret, ...(creds.password !== undefined ? { password: creds.password } : {}), symbols: markets, ...(baseUrl ? { baseUrl } : {}), ...o.tuning,
                onNotice: m => o.log?.('warn', m, fields),
            });
            await venue.balances(); // a private read: wrong keys refuse the start
        } catch (e) {
            await venue?.close();
            throw await startError(ctx.name, baseUrl, e);
        }
        o.log?.('info', `deployment ${ctx.deployment} connected to ${ctx.name}${baseUrl ? ` at ${baseUrl}` : ''}`, fields);
        return new DeploymentVenue(venue, ctx.symbols, markets);
    };
}

/** Why a ccxt venue cannot be used, in words the user can act on (the venue's own words, never the keys). */
async function startError(name: string, baseUrl: string | undefined, e: unknown): Promise<Error> {
    if (e instanceof UserInputError) return e;
    const errors = await ccxtErrors();
    const where = baseUrl ? ` at ${baseUrl} (venues.urls)` : '';
    if (e instanceof CcxtSetupError || /has no spot market/.test(String((e as Error)?.message))) return new UserInputError(`venue ${name}: ${venueWords(e)}`);
    if (e instanceof errors.AuthenticationError || e instanceof errors.PermissionDenied) {
        return new UserInputError(`venue ${name} refused the team's API keys (${venueWords(e)}); check them and store them again with af venue keys set ${name.slice(name.indexOf(':') + 1)}`);
    }
    return new UnavailableError(`cannot reach venue ${name}${where}: ${venueWords(e)}; check the venue and the network, then start the deployment again`);
}

/** The ccxt adapter in the deployment's names: `source:BASE/QUOTE` ↔ `BASE/QUOTE`, and only its own orders. */
class DeploymentVenue implements VenueAdapter {
    readonly name: string;
    private readonly toMarket = new Map<string, string>();
    private readonly toSymbol = new Map<string, string>();
    private readonly mine = new Set<string>();

    constructor(private readonly v: CcxtVenue, symbols: readonly string[], markets: readonly string[]) {
        this.name = v.name;
        symbols.forEach((s, i) => { this.toMarket.set(s, markets[i]!); this.toSymbol.set(markets[i]!, s); });
    }

    async submit(order: OrderRequest): Promise<VenueOrder> {
        this.mine.add(order.clientOrderId);
        const r = await this.v.submit({ ...order, symbol: this.market(order.symbol) });
        return { ...r, symbol: order.symbol };
    }

    cancel(clientOrderId: string): Promise<void> {
        return this.v.cancel(clientOrderId);
    }

    amend(clientOrderId: string, change: Amendment): Promise<void> {
        return this.v.amend(clientOrderId, change);
    }

    async openOrders(): Promise<VenueOrder[]> {
        return (await this.v.openOrders()).filter(o => this.mine.has(o.clientOrderId)).map(o => ({ ...o, symbol: this.toSymbol.get(o.symbol) ?? o.symbol }));
    }

    async positions(): Promise<Record<string, number>> {
        const p = await this.v.positions();
        return Object.fromEntries(Object.entries(p).map(([m, q]) => [this.toSymbol.get(m) ?? m, q]));
    }

    balances(): Promise<Record<string, number>> {
        return this.v.balances();
    }

    roundQty(symbol: string, qty: number): number {
        return this.v.roundQty(this.market(symbol), qty);
    }

    onUpdate(listener: (u: OrderUpdate) => void): () => void {
        return this.v.onUpdate(listener);
    }

    adopt(known: readonly KnownOrder[], fillIds: Iterable<string>): void {
        for (const k of known) this.mine.add(k.clientOrderId);
        this.v.adopt(known.map(k => ({ ...k, symbol: this.market(k.symbol) })), fillIds);
    }

    /** The order the venue holds under this id (a restart's look-up of the bar it decides again, gateway.ts). */
    async find(clientOrderId: string, symbol: string): Promise<VenueOrder | null> {
        const o = await this.v.find(clientOrderId, this.market(symbol));
        if (o) this.mine.add(clientOrderId);
        return o ? { ...o, symbol } : null;
    }

    reconcile(): Promise<void> {
        return this.v.reconcile();
    }

    close(): Promise<void> {
        return this.v.close();
    }

    private market(symbol: string): string {
        const m = this.toMarket.get(symbol);
        if (!m) throw new Error(`${this.name}: ${symbol} is not an instrument of this deployment`);
        return m;
    }
}

/** Most bars fetched to catch up after a restart (older ones are not traded on anyway). */
const MAX_CATCH_UP = 5000;

export function ccxtFeeds(o: Pick<CcxtPlugOptions, 'urls' | 'log' | 'now'>): FeedFactory {
    return async ctx => {
        const exchange = await exchangeOf(ctx.name);
        const markets = ctx.assets.map(a => marketOf(ctx.name, `${a.venue}:${a.symbol}`));
        const tf = parseTimeframe(ctx.ir.timeframe.text).ms;
        const after = ctx.afterTs;
        const warmupBars = after !== undefined ? Math.min(MAX_CATCH_UP, Math.max(1, Math.ceil(((o.now ?? Date.now)() - after) / tf))) : ctx.warmupBars;
        const baseUrl = o.urls?.[exchange];
        let feed: CcxtFeed;
        try {
            feed = await CcxtFeed.open({
                exchange, symbols: markets, timeframe: ctx.ir.timeframe.text, warmupBars, ...(baseUrl ? { baseUrl } : {}), ...(o.now ? { now: o.now } : {}),
                onNotice: m => o.log?.('warn', m, { team: ctx.team, feed: ctx.name }),
            });
        } catch (e) {
            throw await startError(ctx.name, baseUrl, e);
        }
        const pulled = new PulledFeed(feed, after, tf);
        await feed.start((bar: StreamBar) => pulled.push(bar));
        return pulled;
    };
}

/** A pushed feed as the pull the deployment loop wants: bars queue until asked for. */
class PulledFeed implements Feed {
    private readonly queue: StreamBar[] = [];
    private wake: (() => void) | undefined;
    private closed = false;

    /** paceMs: a bar closes once per timeframe (the deployment's barMs is a replay's pace, not this feed's). */
    constructor(private readonly feed: CcxtFeed, private readonly afterTs: number | undefined, readonly paceMs: number) {}

    push(bar: StreamBar): void {
        if (this.afterTs !== undefined && bar.ts <= this.afterTs) return;
        this.queue.push(bar);
        this.wake?.();
    }

    async next(signal: AbortSignal): Promise<StreamBar | null> {
        while (this.queue.length === 0) {
            if (this.closed) return null;
            if (signal.aborted) throw signal.reason as Error;
            await new Promise<void>(resolve => {
                const done = (): void => { signal.removeEventListener('abort', done); this.wake = undefined; resolve(); };
                this.wake = done;
                signal.addEventListener('abort', done, { once: true });
            });
        }
        return this.queue.shift()!;
    }

    close(): void {
        this.closed = true;
        this.wake?.();
        void this.feed.close();
    }
}
