/**
 * The local exchange stand-in's matching core, free of any wire format: a clock, a seeded synthetic
 * price path per market (data/synth.ts, one bar interval), accounts with balances, and orders matched
 * against that path. binance-server.ts speaks Binance's REST and WebSocket formats over it.
 *
 * - Market orders fill at once at the current price (the forming bar's price at the clock), limit
 *   orders when a closed bar crosses their price (buy: low ≤ P; sell: high ≥ P), at P.
 * - Spot only: a buy needs the quote currency, a sell the base; a fill moves both, less the fee
 *   (charged in the quote currency). What is not there is rejected, as Binance does (-2010).
 * - Faults a test (or a curious user) sets: partial fills (an order's quantity in k parts, the first
 *   at once, one more per bar), rejected orders. The wire faults (HTTP errors, latency, duplicated or
 *   reordered messages, disconnects) belong to the server.
 * The clock is the wall clock or a manual one that only `advance` moves (tests: nothing depends on timing).
 */
import { synthBars } from '../../data/synth.js';

export interface StandinMarket {
    /** Binance id, e.g. BTCUSDT. */
    readonly symbol: string;
    readonly base: string;
    readonly quote: string;
    /** Multiplies the synthetic prices (which start between 20 and 200). */
    readonly priceScale?: number;
}

export interface StandinAccount {
    readonly apiKey: string;
    readonly secret: string;
    /** Starting balances per asset (default 100 000 of every quote currency). */
    readonly balances?: Readonly<Record<string, number>>;
}

export interface ExchangeConfig {
    readonly markets?: readonly StandinMarket[];
    /** The bar interval of the price path, ms (default 60 000). */
    readonly intervalMs?: number;
    /** Bars of history before the clock's start (default 1000). */
    readonly historyBars?: number;
    /** Bars after it that exist (default 20 000; the path ends there: restart the stand-in). */
    readonly horizonBars?: number;
    readonly seed?: number;
    /** 'manual': only advance() moves the clock (tests); 'real': the wall clock. */
    readonly clock?: 'manual' | 'real';
    /** Manual clock's start (default: now, on the interval's grid). */
    readonly startMs?: number;
    readonly accounts?: readonly StandinAccount[];
    /** Fee per fill as a fraction of its notional (default 0.001, Binance's base rate). */
    readonly fee?: number;
}

export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';

export interface Order {
    readonly orderId: number;
    clientOrderId: string;
    readonly apiKey: string;
    readonly symbol: string;
    readonly side: 'BUY' | 'SELL';
    readonly type: 'MARKET' | 'LIMIT';
    readonly origQty: number;
    readonly price: number;
    readonly timeInForce: string;
    status: OrderStatus;
    executedQty: number;
    cummulativeQuoteQty: number;
    readonly time: number;
    updateTime: number;
    /** Parts still to fill (partial-fill fault) and the size of one. */
    partsLeft: number;
    partQty: number;
}

export interface Trade {
    readonly id: number;
    readonly orderId: number;
    readonly clientOrderId: string;
    readonly apiKey: string;
    readonly symbol: string;
    readonly side: 'BUY' | 'SELL';
    readonly price: number;
    readonly qty: number;
    readonly commission: number;
    readonly commissionAsset: string;
    readonly time: number;
    readonly maker: boolean;
}

export interface Candle {
    readonly ts: number;
    readonly open: number;
    readonly high: number;
    readonly low: number;
    readonly close: number;
    readonly volume: number;
}

/** What happened to an order: the server turns these into executionReports. */
export type ExecEvent =
    | { readonly kind: 'NEW' | 'CANCELED' | 'EXPIRED' | 'REJECTED'; readonly order: Order; readonly reason?: string; readonly time: number }
    | { readonly kind: 'TRADE'; readonly order: Order; readonly trade: Trade; readonly time: number };

/** A refusal in Binance's terms (HTTP status, error code, message). */
export class VenueRefusal extends Error {
    constructor(readonly status: number, readonly code: number, message: string) {
        super(message);
    }
}

export const DEFAULT_STANDIN_MARKETS: readonly StandinMarket[] = [
    { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', priceScale: 400 },
    { symbol: 'ETHUSDT', base: 'ETH', quote: 'USDT', priceScale: 20 },
];

const DUST = 1e-12;
const round8 = (x: number): number => Math.round(x * 1e8) / 1e8;

export class StandinExchange {
    readonly intervalMs: number;
    readonly markets: readonly StandinMarket[];
    readonly start: number;
    private readonly manual: boolean;
    private clock: number;
    private readonly fee: number;
    private readonly path = new Map<string, { open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array }>();
    private readonly accounts = new Map<string, { secret: string; balances: Map<string, number> }>();
    readonly orders: Order[] = [];
    readonly trades: Trade[] = [];
    private nextOrderId = 1000;
    private nextTradeId = 5000;
    /** Bars matched so far: the index of the next bar to close. */
    private matched: number;
    private readonly listeners = new Set<(e: ExecEvent) => void>();
    private readonly barListeners = new Set<(symbol: string, c: Candle, closed: boolean) => void>();
    /** Faults: how many next orders to reject (and why), in how many parts orders fill. */
    private rejects: { left: number; reason: string } = { left: 0, reason: '' };
    partialParts = 1;

    constructor(c: ExchangeConfig = {}) {
        this.intervalMs = c.intervalMs ?? 60_000;
        this.markets = c.markets ?? DEFAULT_STANDIN_MARKETS;
        this.manual = (c.clock ?? 'manual') === 'manual';
        this.fee = c.fee ?? 0.001;
        const tf = this.intervalMs;
        const t0 = Math.floor((c.startMs ?? Date.now()) / tf) * tf;
        const history = c.historyBars ?? 1000;
        this.start = t0 - history * tf;
        this.clock = c.startMs ?? t0;
        const bars = history + (c.horizonBars ?? 20_000);
        const seed = c.seed ?? 42;
        this.markets.forEach((m, k) => {
            const a = synthBars({ symbols: [m.symbol], timeframeMs: tf, bars, seed: seed * 31 + k, start: this.start }).assets[0]!;
            const s = m.priceScale ?? 1;
            const tick = (x: number) => Math.round(x * s * 100) / 100;
            const map = (col: Float64Array, f: (x: number) => number) => Float64Array.from(col, f);
            this.path.set(m.symbol, { open: map(a.open, tick), high: map(a.high, tick), low: map(a.low, tick), close: map(a.close, tick), volume: map(a.volume, v => round8(v / s)) });
        });
        for (const a of c.accounts ?? []) this.addAccount(a);
        this.matched = this.index(this.now());
    }

    now(): number {
        return this.manual ? this.clock : Date.now();
    }

    /** Manual clock: moves it and does what the bars closed meanwhile make happen (fills, kline events). */
    advance(ms: number): void {
        if (!this.manual) throw new Error('the stand-in runs on the wall clock; advance() is for a manual clock');
        this.clock += ms;
        this.tick();
    }

    /** Matches resting orders against every bar closed since the last tick, then reports the forming bar. */
    tick(): void {
        const cur = this.index(this.now());
        while (this.matched < cur) {
            const i = this.matched++;
            for (const m of this.markets) {
                const c = this.candle(m.symbol, i);
                for (const l of this.barListeners) l(m.symbol, c, true);
                this.matchBar(m.symbol, c);
            }
        }
        for (const m of this.markets) {
            const c = this.forming(m.symbol);
            if (c) for (const l of this.barListeners) l(m.symbol, c, false);
        }
    }

    addAccount(a: StandinAccount): void {
        const quotes = new Set(this.markets.map(m => m.quote));
        const balances = new Map<string, number>(Object.entries(a.balances ?? Object.fromEntries([...quotes].map(q => [q, 100_000]))));
        this.accounts.set(a.apiKey, { secret: a.secret, balances });
    }

    secretOf(apiKey: string): string | undefined {
        return this.accounts.get(apiKey)?.secret;
    }

    balances(apiKey: string): { asset: string; free: number; locked: number }[] {
        const acc = this.account(apiKey);
        const assets = new Set([...acc.balances.keys(), ...this.markets.flatMap(m => [m.base, m.quote])]);
        return [...assets].sort().map(asset => {
            const locked = this.locked(apiKey, asset);
            return { asset, free: round8((acc.balances.get(asset) ?? 0) - locked), locked: round8(locked) };
        });
    }

    market(symbol: string): StandinMarket {
        const m = this.markets.find(x => x.symbol === symbol);
        if (!m) throw new VenueRefusal(400, -1121, 'Invalid symbol.');
        return m;
    }

    /** Closed candles with open time in [from, to], at most `limit` (from the start when `from` is given, else the latest). */
    candles(symbol: string, from: number | undefined, to: number | undefined, limit: number): Candle[] {
        this.market(symbol);
        const cur = this.index(this.now());
        let lo = from === undefined ? 0 : Math.max(0, Math.ceil((from - this.start) / this.intervalMs));
        let hi = Math.min(cur, to === undefined ? cur : Math.floor((to - this.start) / this.intervalMs)); // cur: the forming one
        if (from === undefined) lo = Math.max(lo, hi - limit + 1);
        else hi = Math.min(hi, lo + limit - 1);
        const out: Candle[] = [];
        for (let i = lo; i <= hi; i++) out.push(i === cur ? this.forming(symbol)! : this.candle(symbol, i));
        return out;
    }

    /** The bar containing the clock, as far as it has happened (its close is the current price). */
    forming(symbol: string): Candle | undefined {
        const i = this.index(this.now());
        const p = this.path.get(symbol)!;
        if (i >= p.open.length) return undefined;
        const ts = this.start + i * this.intervalMs;
        const f = (this.now() - ts) / this.intervalMs;
        const open = p.open[i]!, close = Math.round((open + (p.close[i]! - open) * f) * 100) / 100;
        return { ts, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: round8(p.volume[i]! * f) };
    }

    price(symbol: string): number {
        const c = this.forming(symbol);
        if (!c) throw new VenueRefusal(503, -1008, 'The stand-in\'s price path has ended; restart it.');
        return c.close;
    }

    onExec(l: (e: ExecEvent) => void): () => void {
        this.listeners.add(l);
        return () => this.listeners.delete(l);
    }

    onBar(l: (symbol: string, c: Candle, closed: boolean) => void): () => void {
        this.barListeners.add(l);
        return () => this.barListeners.delete(l);
    }

    /** Fault: the next `n` orders are refused (Binance -2010, with this reason). */
    rejectNext(n: number, reason = 'Order rejected by the stand-in (fault injection).'): void {
        this.rejects = { left: n, reason };
    }

    place(apiKey: string, o: { symbol: string; side: string; type: string; quantity: number; price?: number; timeInForce?: string; clientOrderId?: string }): Order {
        const m = this.market(o.symbol);
        const side = o.side === 'BUY' || o.side === 'SELL' ? o.side : undefined;
        if (!side) throw new VenueRefusal(400, -1100, "Illegal characters found in parameter 'side'.");
        if (o.type !== 'MARKET' && o.type !== 'LIMIT') throw new VenueRefusal(400, -1116, 'Invalid orderType.');
        if (!(o.quantity > 0)) throw new VenueRefusal(400, -1013, 'Filter failure: LOT_SIZE');
        if (o.type === 'LIMIT' && !(o.price! > 0)) throw new VenueRefusal(400, -1013, 'Filter failure: PRICE_FILTER');
        const cid = o.clientOrderId ?? `standin${this.nextOrderId}`;
        if (this.orders.some(x => x.apiKey === apiKey && x.clientOrderId === cid && (x.status === 'NEW' || x.status === 'PARTIALLY_FILLED'))) {
            throw new VenueRefusal(400, -2010, 'Duplicate order sent.');
        }
        const t = this.now();
        const order: Order = {
            orderId: this.nextOrderId++, clientOrderId: cid, apiKey, symbol: m.symbol, side, type: o.type, origQty: o.quantity, price: o.type === 'LIMIT' ? o.price! : 0,
            timeInForce: o.type === 'LIMIT' ? o.timeInForce ?? 'GTC' : '', status: 'NEW', executedQty: 0, cummulativeQuoteQty: 0, time: t, updateTime: t,
            partsLeft: this.partialParts, partQty: round8(o.quantity / this.partialParts),
        };
        if (this.rejects.left > 0) {
            this.rejects.left--;
            throw new VenueRefusal(400, -2010, this.rejects.reason);
        }
        const px = o.type === 'MARKET' ? this.price(m.symbol) : o.price!;
        const acc = this.account(apiKey);
        const need = side === 'BUY' ? o.quantity * px * (1 + this.fee) : o.quantity;
        const asset = side === 'BUY' ? m.quote : m.base;
        if ((acc.balances.get(asset) ?? 0) - this.locked(apiKey, asset) < need - DUST) throw new VenueRefusal(400, -2010, 'Account has insufficient balance for requested action.');
        this.orders.push(order);
        this.emit({ kind: 'NEW', order, time: t });
        if (order.type === 'MARKET') this.fillPart(order, px, false);
        return order;
    }

    find(apiKey: string, symbol: string, q: { orderId?: number; clientOrderId?: string }): Order | undefined {
        // The latest with that client id: ids may be reused once an order is done.
        return this.orders.filter(o => o.apiKey === apiKey && o.symbol === symbol && (q.orderId !== undefined ? o.orderId === q.orderId : o.clientOrderId === q.clientOrderId)).at(-1);
    }

    cancel(apiKey: string, symbol: string, q: { orderId?: number; clientOrderId?: string }): Order {
        const o = this.find(apiKey, symbol, q);
        if (!o || (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED')) throw new VenueRefusal(400, -2011, 'Unknown order sent.');
        o.status = 'CANCELED';
        o.updateTime = this.now();
        this.emit({ kind: 'CANCELED', order: o, time: o.updateTime });
        return o;
    }

    open(apiKey: string, symbol?: string): Order[] {
        return this.orders.filter(o => o.apiKey === apiKey && (symbol === undefined || o.symbol === symbol) && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'));
    }

    account(apiKey: string): { secret: string; balances: Map<string, number> } {
        const a = this.accounts.get(apiKey);
        if (!a) throw new VenueRefusal(401, -2015, 'Invalid API-key, IP, or permissions for action.');
        return a;
    }

    private index(t: number): number {
        return Math.floor((t - this.start) / this.intervalMs);
    }

    private candle(symbol: string, i: number): Candle {
        const p = this.path.get(symbol)!;
        return { ts: this.start + i * this.intervalMs, open: p.open[i]!, high: p.high[i]!, low: p.low[i]!, close: p.close[i]!, volume: p.volume[i]! };
    }

    /** Quote held by open buy limits, base by open sells. */
    private locked(apiKey: string, asset: string): number {
        let sum = 0;
        for (const o of this.open(apiKey)) {
            const m = this.market(o.symbol), rest = o.origQty - o.executedQty;
            if (o.type !== 'LIMIT') continue;
            if (o.side === 'BUY' && m.quote === asset) sum += rest * o.price * (1 + this.fee);
            if (o.side === 'SELL' && m.base === asset) sum += rest;
        }
        return sum;
    }

    private matchBar(symbol: string, c: Candle): void {
        for (const o of this.orders.filter(x => x.symbol === symbol && (x.status === 'NEW' || x.status === 'PARTIALLY_FILLED'))) {
            if (o.type === 'MARKET') this.fillPart(o, c.close, false); // the rest of a market order split by the partial-fill fault
            else if (o.side === 'BUY' ? c.low <= o.price : c.high >= o.price) this.fillPart(o, o.price, true);
        }
    }

    /** One fill: the whole rest, or one part under the partial-fill fault. */
    private fillPart(o: Order, price: number, maker: boolean): void {
        const m = this.market(o.symbol);
        const rest = round8(o.origQty - o.executedQty);
        const qty = o.partsLeft > 1 ? Math.min(rest, o.partQty) : rest;
        o.partsLeft--;
        const acc = this.account(o.apiKey);
        const quote = qty * price, fee = round8(quote * this.fee);
        const add = (asset: string, x: number) => acc.balances.set(asset, round8((acc.balances.get(asset) ?? 0) + x));
        if (o.side === 'BUY') { add(m.base, qty); add(m.quote, -quote - fee); } else { add(m.base, -qty); add(m.quote, quote - fee); }
        o.executedQty = round8(o.executedQty + qty);
        o.cummulativeQuoteQty = round8(o.cummulativeQuoteQty + quote);
        o.status = o.executedQty >= o.origQty - DUST ? 'FILLED' : 'PARTIALLY_FILLED';
        o.updateTime = this.now();
        const trade: Trade = { id: this.nextTradeId++, orderId: o.orderId, clientOrderId: o.clientOrderId, apiKey: o.apiKey, symbol: o.symbol, side: o.side, price, qty, commission: fee, commissionAsset: m.quote, time: o.updateTime, maker };
        this.trades.push(trade);
        this.emit({ kind: 'TRADE', order: o, trade, time: o.updateTime });
    }

    private emit(e: ExecEvent): void {
        for (const l of this.listeners) l(e);
    }
}
