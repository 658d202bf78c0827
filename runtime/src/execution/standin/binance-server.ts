/**
 * The local exchange stand-in's wire: a node:http + WebSocket server on 127.0.0.1 speaking Binance
 * spot's formats over the matching core (exchange.ts), well enough that ccxt's own `binance` class
 * (REST and ccxt.pro WebSocket), pointed at it through its `urls`, trades against it unmodified.
 *
 *   REST  GET /api/v3/{ping,time,exchangeInfo,klines}
 *         signed (X-MBX-APIKEY + HMAC-SHA256 `signature`): POST|GET|DELETE /api/v3/order,
 *         GET /api/v3/openOrders, DELETE /api/v3/openOrders, GET /api/v3/account, GET /api/v3/myTrades,
 *         POST /api/v3/order/cancelReplace
 *   WS    /ws/…        market streams: SUBSCRIBE `<symbol>@kline_<interval>` → kline events
 *         /ws-api/v3   WebSocket API: userDataStream.subscribe.signature → executionReport events
 *
 * Faults, settable at any time (each test its own): HTTP errors on a path (429 with Retry-After,
 * 5xx), optionally after the request took effect (the answer is lost, the order is not); latency on
 * every answer and message; fill messages duplicated or sent in reverse order; every socket dropped
 * and new ones refused for a while. Secrets are checked, never echoed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { StandinExchange, VenueRefusal, type Candle, type ExchangeConfig, type ExecEvent, type Order } from './exchange.js';

export interface HttpFault {
    readonly path: string;
    readonly method?: string;
    readonly status: number;
    /** How many requests it hits (default 1). */
    times?: number;
    /** Let the request take effect, then answer the error (a lost answer). */
    readonly afterApply?: boolean;
}

export interface StandinFaults {
    /** Every HTTP answer and WebSocket message is delayed this long (ms). */
    latencyMs: number;
    /** Each fill (TRADE executionReport) is sent twice. */
    duplicateFills: boolean;
    /** Execution reports produced together (one request, one clock step) are sent last first. */
    reorderFills: boolean;
}

export interface StandinServer {
    /** http://127.0.0.1:PORT (REST; the WebSockets are ws://127.0.0.1:PORT/ws and /ws-api/v3). */
    readonly url: string;
    readonly port: number;
    readonly exchange: StandinExchange;
    readonly faults: StandinFaults;
    /** Requests seen: method and path, with the status answered. */
    readonly requests: { method: string; path: string; status: number }[];
    failNext(f: HttpFault): void;
    /** Drops every WebSocket; refuses new ones for `downMs` (default 0). */
    disconnect(downMs?: number): void;
    close(): Promise<void>;
}

/** Binance's name of an interval (1s, 1m, 1h, 1d …). */
export function intervalLabel(ms: number): string {
    for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
    throw new Error(`interval ${ms} ms is not whole seconds`);
}

const fx = (x: number): string => x.toFixed(8);

export async function startStandin(config: ExchangeConfig & { port?: number; tickMs?: number } = {}): Promise<StandinServer> {
    const ex = new StandinExchange(config);
    const label = intervalLabel(ex.intervalMs);
    const faults: StandinFaults = { latencyMs: 0, duplicateFills: false, reorderFills: false };
    const httpFaults: HttpFault[] = [];
    const requests: StandinServer['requests'] = [];
    const sockets = new Set<WebSocket>();
    const market = new Map<WebSocket, Set<string>>();
    const users = new Map<WebSocket, { apiKey: string; subscriptionId: number }[]>();
    let downUntil = 0;
    let subscriptionIds = 0;

    const later = (fn: () => void): void => { if (faults.latencyMs > 0) setTimeout(fn, faults.latencyMs); else fn(); };
    const sendWs = (ws: WebSocket, msg: unknown) => later(() => { if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg)); });

    // ---- market streams: a kline event per bar update (closed: x = true)
    ex.onBar((symbol, c, closed) => {
        const stream = `${symbol.toLowerCase()}@kline_${label}`;
        for (const [ws, subs] of market) if (subs.has(stream)) sendWs(ws, klineEvent(symbol, c, closed, label, ex.intervalMs));
    });

    // ---- user data: execution reports, gathered per synchronous burst so faults can reorder them
    let burst: { apiKey: string; msg: Record<string, unknown> }[] | undefined;
    ex.onExec(e => {
        const msg = executionReport(e);
        const out = [{ apiKey: e.order.apiKey, msg }];
        if (e.kind === 'TRADE' && faults.duplicateFills) out.push({ apiKey: e.order.apiKey, msg });
        if (!burst) {
            burst = [];
            queueMicrotask(() => {
                const b = burst!;
                burst = undefined;
                if (faults.reorderFills) b.reverse();
                for (const { apiKey, msg: m } of b) {
                    for (const [ws, subs] of users) for (const s of subs) if (s.apiKey === apiKey) sendWs(ws, { subscriptionId: s.subscriptionId, event: m });
                }
            });
        }
        burst.push(...out);
    });

    // ---- REST
    type Answer = { status: number; body: unknown; headers?: Record<string, string> };
    const refusal = (e: VenueRefusal): Answer => ({ status: e.status, body: { code: e.code, msg: e.message } });

    function signed(req: IncomingMessage, raw: string): string {
        const apiKey = String(req.headers['x-mbx-apikey'] ?? '');
        const secret = ex.secretOf(apiKey);
        if (!apiKey || secret === undefined) throw new VenueRefusal(401, -2015, 'Invalid API-key, IP, or permissions for action.');
        const m = /(?:^|&)signature=([0-9a-f]+)$/.exec(raw);
        const payload = m ? raw.slice(0, m.index) : '';
        if (!m || !same(m[1]!, createHmac('sha256', secret).update(payload).digest('hex'))) throw new VenueRefusal(400, -1022, 'Signature for this request is not valid.');
        return apiKey;
    }

    function route(method: string, path: string, q: Record<string, string>, apiKey: () => string): Answer {
        const sym = () => { if (!q['symbol']) throw new VenueRefusal(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."); return ex.market(q['symbol']).symbol; };
        const which = () => ({ ...(q['orderId'] ? { orderId: Number(q['orderId']) } : {}), ...(q['origClientOrderId'] ? { clientOrderId: q['origClientOrderId'] } : {}) });
        switch (`${method} ${path}`) {
            case 'GET /api/v3/ping': return { status: 200, body: {} };
            case 'GET /api/v3/time': return { status: 200, body: { serverTime: ex.now() } };
            case 'GET /api/v3/exchangeInfo': return { status: 200, body: exchangeInfo(ex) };
            case 'GET /api/v3/klines': {
                sym();
                if (q['interval'] !== label) throw new VenueRefusal(400, -1120, `Invalid interval. (this stand-in has ${label} bars)`);
                const limit = Math.min(1000, Number(q['limit'] ?? 500));
                const rows = ex.candles(q['symbol']!, q['startTime'] ? Number(q['startTime']) : undefined, q['endTime'] ? Number(q['endTime']) : undefined, limit);
                return { status: 200, body: rows.map(c => klineRow(c, ex.intervalMs)) };
            }
            case 'POST /api/v3/order': {
                const o = ex.place(apiKey(), { symbol: sym(), side: q['side'] ?? '', type: q['type'] ?? '', quantity: Number(q['quantity']), ...(q['price'] ? { price: Number(q['price']) } : {}), ...(q['timeInForce'] ? { timeInForce: q['timeInForce'] } : {}), ...(q['newClientOrderId'] ? { clientOrderId: q['newClientOrderId'] } : {}) });
                return { status: 200, body: orderResult(ex, o) };
            }
            case 'GET /api/v3/order': {
                const o = ex.find(apiKey(), sym(), which());
                if (!o) throw new VenueRefusal(400, -2013, 'Order does not exist.');
                return { status: 200, body: orderView(o) };
            }
            case 'DELETE /api/v3/order': return { status: 200, body: orderView(ex.cancel(apiKey(), sym(), which())) };
            case 'DELETE /api/v3/openOrders': {
                const k = apiKey();
                return { status: 200, body: ex.open(k, sym()).map(o => orderView(ex.cancel(k, o.symbol, { orderId: o.orderId }))) };
            }
            case 'GET /api/v3/openOrders': return { status: 200, body: ex.open(apiKey(), q['symbol'] ? sym() : undefined).map(orderView) };
            case 'GET /api/v3/account': return { status: 200, body: { makerCommission: 10, takerCommission: 10, buyerCommission: 0, sellerCommission: 0, canTrade: true, canWithdraw: false, canDeposit: false, updateTime: ex.now(), accountType: 'SPOT', balances: ex.balances(apiKey()).map(b => ({ asset: b.asset, free: fx(b.free), locked: fx(b.locked) })), permissions: ['SPOT'], uid: 1 } };
            case 'GET /api/v3/myTrades': {
                const k = apiKey(), s = sym();
                const from = q['startTime'] ? Number(q['startTime']) : -Infinity, fromId = q['fromId'] ? Number(q['fromId']) : -Infinity;
                const rows = ex.trades.filter(t => t.apiKey === k && t.symbol === s && t.time >= from && t.id >= fromId && (!q['orderId'] || t.orderId === Number(q['orderId'])));
                return { status: 200, body: rows.slice(0, Number(q['limit'] ?? 500)).map(t => ({ symbol: t.symbol, id: t.id, orderId: t.orderId, orderListId: -1, price: fx(t.price), qty: fx(t.qty), quoteQty: fx(t.price * t.qty), commission: fx(t.commission), commissionAsset: t.commissionAsset, time: t.time, isBuyer: t.side === 'BUY', isMaker: t.maker, isBestMatch: true })) };
            }
            case 'POST /api/v3/order/cancelReplace': {
                const k = apiKey(), s = sym();
                const old = ex.cancel(k, s, { ...(q['cancelOrderId'] ? { orderId: Number(q['cancelOrderId']) } : {}), ...(q['cancelOrigClientOrderId'] ? { clientOrderId: q['cancelOrigClientOrderId'] } : {}) });
                const o = ex.place(k, { symbol: s, side: q['side'] ?? '', type: q['type'] ?? '', quantity: Number(q['quantity']), ...(q['price'] ? { price: Number(q['price']) } : {}), ...(q['newClientOrderId'] ? { clientOrderId: q['newClientOrderId'] } : {}) });
                return { status: 200, body: { cancelResult: 'SUCCESS', newOrderResult: 'SUCCESS', cancelResponse: orderView(old), newOrderResponse: orderResult(ex, o) } };
            }
            default: return { status: 404, body: { code: -1, msg: `stand-in: ${method} ${path} is not emulated` } };
        }
    }

    function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
        const u = new URL(req.url ?? '/', 'http://127.0.0.1');
        const method = req.method ?? 'GET';
        const query = u.search.slice(1);
        const all = [query, raw].filter(Boolean).join('&');
        const q = Object.fromEntries(new URLSearchParams(all).entries());
        const send = (a: Answer) => later(() => {
            requests.push({ method, path: u.pathname, status: a.status });
            res.writeHead(a.status, { 'Content-Type': 'application/json;charset=UTF-8', ...(a.headers ?? {}) });
            res.end(JSON.stringify(a.body));
        });
        const fault = httpFaults.find(f => f.path === u.pathname && (f.method === undefined || f.method === method) && (f.times ?? 1) > 0);
        if (fault) fault.times = (fault.times ?? 1) - 1;
        const faultAnswer = (f: HttpFault): Answer => f.status === 429
            ? { status: 429, body: { code: -1003, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. (stand-in fault)' }, headers: { 'Retry-After': '0' } }
            : { status: f.status, body: { code: -1001, msg: 'Internal error; unable to process your request. Please try again. (stand-in fault)' } };
        if (fault && !fault.afterApply) return send(faultAnswer(fault));
        let answer: Answer;
        try {
            answer = route(method, u.pathname, q, () => signed(req, all));
        } catch (e) {
            answer = e instanceof VenueRefusal ? refusal(e) : { status: 500, body: { code: -1000, msg: 'stand-in failure' } };
        }
        send(fault ? faultAnswer(fault) : answer);
    }

    const server = createServer((req, res) => {
        let raw = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => { raw += c; if (raw.length > 1 << 16) req.destroy(); });
        req.on('end', () => handle(req, res, raw));
    });

    // ---- WebSockets
    const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 16 });
    server.on('upgrade', (req, socket: Socket, head) => {
        const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
        const kind = path === '/ws-api/v3' ? 'api' : path === '/ws' || path.startsWith('/ws/') ? 'market' : undefined;
        if (!kind || Date.now() < downUntil) { socket.destroy(); return; }
        wss.handleUpgrade(req, socket, head, ws => {
            sockets.add(ws);
            if (kind === 'market') market.set(ws, new Set());
            else users.set(ws, []);
            ws.on('close', () => { sockets.delete(ws); market.delete(ws); users.delete(ws); });
            ws.on('message', data => {
                let m: { id?: unknown; method?: unknown; params?: unknown };
                try { m = JSON.parse(String(data)) as typeof m; } catch { return sendWs(ws, { error: { code: -1, msg: 'Malformed request.' } }); }
                if (kind === 'market') return marketRequest(ws, m);
                apiRequest(ws, m);
            });
        });
    });

    function marketRequest(ws: WebSocket, m: { id?: unknown; method?: unknown; params?: unknown }): void {
        const subs = market.get(ws)!;
        const params = Array.isArray(m.params) ? m.params.map(String) : [];
        if (m.method === 'SUBSCRIBE') params.forEach(p => subs.add(p));
        else if (m.method === 'UNSUBSCRIBE') params.forEach(p => subs.delete(p));
        else if (m.method !== 'LIST_SUBSCRIPTIONS') return sendWs(ws, { id: m.id, error: { code: 2, msg: 'Invalid request: unknown method' } });
        sendWs(ws, { result: m.method === 'LIST_SUBSCRIPTIONS' ? [...subs] : null, id: m.id });
    }

    function apiRequest(ws: WebSocket, m: { id?: unknown; method?: unknown; params?: unknown }): void {
        const p = (m.params && typeof m.params === 'object' ? m.params : {}) as Record<string, unknown>;
        if (m.method === 'ping') return sendWs(ws, { id: m.id, status: 200, result: {} });
        if (m.method !== 'userDataStream.subscribe.signature') return sendWs(ws, { id: m.id, status: 400, error: { code: -1100, msg: `stand-in: method ${String(m.method)} is not emulated` } });
        const apiKey = String(p['apiKey'] ?? '');
        const secret = ex.secretOf(apiKey);
        const payload = Object.keys(p).filter(k => k !== 'signature').sort().map(k => `${k}=${encodeURIComponent(String(p[k]))}`).join('&');
        if (secret === undefined || !same(String(p['signature'] ?? ''), createHmac('sha256', secret).update(payload).digest('hex'))) {
            return sendWs(ws, { id: m.id, status: 401, error: { code: -1022, msg: 'Signature for this request is not valid.' } });
        }
        const subscriptionId = subscriptionIds++;
        users.get(ws)!.push({ apiKey, subscriptionId });
        sendWs(ws, { id: m.id, status: 200, result: { subscriptionId } });
    }

    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port ?? 0, '127.0.0.1', () => resolve());
    });
    const timer = config.clock === 'real' ? setInterval(() => ex.tick(), config.tickMs ?? 250) : undefined;
    timer?.unref();
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`, port, exchange: ex, faults, requests,
        failNext: f => { httpFaults.push({ ...f }); },
        disconnect: (downMs = 0) => {
            downUntil = Date.now() + downMs;
            for (const ws of sockets) ws.terminate();
        },
        close: () => new Promise<void>(resolve => {
            if (timer) clearInterval(timer);
            for (const ws of sockets) ws.terminate();
            wss.close();
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

function same(a: string, b: string): boolean {
    const x = Buffer.from(a), y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
}

function klineRow(c: Candle, ms: number): unknown[] {
    return [c.ts, fx(c.open), fx(c.high), fx(c.low), fx(c.close), fx(c.volume), c.ts + ms - 1, fx(c.volume * c.close), 1, fx(c.volume / 2), fx(c.volume * c.close / 2), '0'];
}

function klineEvent(symbol: string, c: Candle, closed: boolean, label: string, ms: number): unknown {
    return { e: 'kline', E: c.ts, s: symbol, k: { t: c.ts, T: c.ts + ms - 1, s: symbol, i: label, f: 0, L: 0, o: fx(c.open), c: fx(c.close), h: fx(c.high), l: fx(c.low), v: fx(c.volume), n: 1, x: closed, q: fx(c.volume * c.close), V: '0', Q: '0', B: '0' } };
}

function orderView(o: Order): Record<string, unknown> {
    return {
        symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, price: fx(o.price), origQty: fx(o.origQty), executedQty: fx(o.executedQty),
        cummulativeQuoteQty: fx(o.cummulativeQuoteQty), status: o.status, timeInForce: o.timeInForce || 'GTC', type: o.type, side: o.side, stopPrice: fx(0), icebergQty: fx(0),
        time: o.time, updateTime: o.updateTime, isWorking: true, workingTime: o.time, origQuoteOrderQty: fx(0), selfTradePreventionMode: 'EXPIRE_MAKER',
    };
}

function orderResult(ex: StandinExchange, o: Order): Record<string, unknown> {
    const fills = ex.trades.filter(t => t.orderId === o.orderId).map(t => ({ price: fx(t.price), qty: fx(t.qty), commission: fx(t.commission), commissionAsset: t.commissionAsset, tradeId: t.id }));
    return { ...orderView(o), transactTime: o.time, fills };
}

function executionReport(e: ExecEvent): Record<string, unknown> {
    const o = e.order;
    const t = e.kind === 'TRADE' ? e.trade : undefined;
    const cancel = e.kind === 'CANCELED';
    return {
        e: 'executionReport', E: e.time, s: o.symbol, c: cancel ? `cancel${o.orderId}` : o.clientOrderId, S: o.side, o: o.type, f: o.timeInForce || 'GTC',
        q: fx(o.origQty), p: fx(o.price), P: fx(0), F: fx(0), g: -1, C: cancel ? o.clientOrderId : '', x: e.kind, X: t ? (o.executedQty >= o.origQty ? 'FILLED' : 'PARTIALLY_FILLED') : e.kind,
        r: e.kind === 'REJECTED' ? (e.reason ?? 'UNKNOWN') : 'NONE', i: o.orderId, l: fx(t?.qty ?? 0), z: fx(o.executedQty), L: fx(t?.price ?? 0), n: fx(t?.commission ?? 0),
        N: t?.commissionAsset ?? null, T: e.time, t: t?.id ?? -1, I: 1, w: !t, m: t?.maker ?? false, M: false, O: o.time, Z: fx(o.cummulativeQuoteQty), Y: fx((t?.qty ?? 0) * (t?.price ?? 0)),
        Q: fx(0), W: o.time, V: 'EXPIRE_MAKER',
    };
}

function exchangeInfo(ex: StandinExchange): unknown {
    return {
        timezone: 'UTC', serverTime: ex.now(),
        rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }, { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 }],
        exchangeFilters: [],
        symbols: ex.markets.map(m => ({
            symbol: m.symbol, status: 'TRADING', baseAsset: m.base, baseAssetPrecision: 8, quoteAsset: m.quote, quotePrecision: 8, quoteAssetPrecision: 8,
            baseCommissionPrecision: 8, quoteCommissionPrecision: 8, orderTypes: ['LIMIT', 'MARKET'], icebergAllowed: false, ocoAllowed: false, otoAllowed: false,
            quoteOrderQtyMarketAllowed: false, allowTrailingStop: false, cancelReplaceAllowed: true, amendAllowed: false, isSpotTradingAllowed: true, isMarginTradingAllowed: false,
            filters: [
                { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
                { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
                { filterType: 'NOTIONAL', minNotional: '1.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
            ],
            permissions: [], permissionSets: [['SPOT']], defaultSelfTradePreventionMode: 'EXPIRE_MAKER', allowedSelfTradePreventionModes: ['EXPIRE_MAKER'],
        })),
    };
}
