/**
 * The reference event engine: the event-driven mode's semantics (engine.ts's header, docs/packs.md
 * § The HFT pack § The event mode) written the plain way, to test the compiled event engine
 * against (runtime/test/packs/hft-reference.test.ts). Nothing here is fast and nothing is shared
 * with engine.ts but the book (book.ts) and the data: the strategy is evaluated by the reference
 * interpreter's graph (reference/graph.ts) over the whole history of decisions — every decision is
 * one "bar" whose columns are the book's top levels, the batch's trades, the inventory and the time
 * — and the venue is a list of orders, each with its own timeline, scanned in full at every step.
 */
import { HFT_COLUMNS, HFT_LEVELS } from '../../../../language/src/catalogue/hft-pack.js';
import type { NodeId, StrategyIr } from '../../../../protocol/src/ir.js';
import { SNAPSHOT, TRADE, type HftEvents } from '../../data/hft/events.js';
import { bindParams } from '../params.js';
import { Graph, scalarValue } from '../reference/graph.js';
import type { AssetBars } from '../types.js';
import { OrderBook } from './book.js';
import type { HftFill } from './engine.js';

export interface ReferenceEventResult {
    readonly decisions: number;
    readonly fills: readonly HftFill[];
    readonly ordersSent: number;
    readonly cancelsSent: number;
    readonly unfilled: number;
    readonly inventory: number;
    readonly maxAbsInventory: number;
    readonly cash: number;
    readonly feesPaid: number;
    readonly pnl: number;
}

interface RefOrder {
    readonly side: number;
    readonly price: number;
    readonly market: boolean;
    /** What the rule asked for: the same quote asked again keeps the order. */
    readonly requested: number;
    left: number;
    readonly arrives: number;
    cancels: number;
    arrived: boolean;
    /** Filled, cancelled at the venue, or (market / crossing) finished on arrival. */
    done: boolean;
    ahead: number;
}

export function referenceEvents(ir: StrategyIr, e: HftEvents, o: { params?: Readonly<Record<string, number | boolean>>; latencyMs?: number } = {}): ReferenceEventResult {
    const params = bindParams(ir, o.params);
    const scalar = (id: NodeId | undefined, fallback: number): number => {
        const v = id === undefined ? undefined : scalarValue(ir, id, params);
        return typeof v === 'number' ? v : fallback;
    };
    const latency = o.latencyMs ?? scalar(ir.execution['latency_ms']?.value, 0);
    const fees = scalar(ir.execution['fees']?.value, 0);
    const maxPos = ir.risk['max_position'] ? scalar(ir.risk['max_position'].value, Infinity) : Infinity;

    // One "bar" per decision: at most one per event.
    const col = (): Float64Array => new Float64Array(e.n).fill(NaN);
    const mid = col(), volume = col(), time = col();
    const hft: Record<string, Float64Array> = Object.fromEntries(HFT_COLUMNS.map(c => [c, col()]));
    const bars = { open: mid, high: mid, low: mid, close: mid, volume, onchain: hft } as unknown as AssetBars;
    const roots = ir.rules.flatMap(r => [r.condition, ...r.actions.flatMap(a => (a.kind === 'order' ? [a.size, ...(a.price !== null ? [a.price] : [])] : []))]);
    const graph = new Graph(ir, params, new Map(), { ts: time, assets: [bars] }, roots);

    const book = new OrderBook();
    const orders: RefOrder[] = [];
    const fills: HftFill[] = [];
    let inventory = 0, maxAbs = 0, cash = 0, feesPaid = 0, unfilled = 0, sent = 0, cancelled = 0, decisions = 0, lastMid = NaN;
    let batchSigned = 0, batchVolume = 0;

    const fill = (ms: number, order: RefOrder, price: number, qty: number, maker: boolean): void => {
        if (qty <= 0) return;
        order.left -= qty;
        if (order.left <= 1e-12) { order.left = 0; order.done = true; }
        inventory += order.side * qty;
        maxAbs = Math.max(maxAbs, Math.abs(inventory));
        const fee = price * qty * fees;
        cash -= order.side * price * qty + fee;
        feesPaid += fee;
        fills.push({ ms, side: order.side, price, qty, maker });
    };

    /** What reaches the venue by `now`: each order's arrival, then its cancel, in the order they were sent. */
    const venue = (now: number): void => {
        for (const order of orders) {
            if (order.done) continue;
            if (!order.arrived && order.arrives <= now) {
                order.arrived = true;
                // Take the visible opposite levels the order's price allows (the book stays the data's).
                for (let i = 0; i < book.levels(-order.side) && !order.done; i++) {
                    const p = book.price(-order.side, i);
                    if (!order.market && (order.side === 1 ? p > order.price : p < order.price)) break;
                    fill(now, order, p, Math.min(order.left, book.size(-order.side, i)), false);
                }
                const best = book.price(-order.side, 0);
                if (order.market) { unfilled += order.left; order.done = true; }
                else if (!order.done && best === best && (order.side === 1 ? order.price >= best : order.price <= best)) order.done = true;
                else order.ahead = book.qtyAt(order.side, order.price);
            }
            if (!order.done && order.cancels <= now) order.done = true;
        }
    };

    const send = (now: number, side: number, price: number, requested: number, market: boolean): void => {
        const live = side * inventory + orders.filter(x => x.side === side && !x.done).reduce((s, x) => s + x.left, 0);
        const qty = Math.min(requested, maxPos - live);
        if (!(qty > 0)) return;
        orders.push({ side, price, market, requested, left: qty, arrives: now + latency, cancels: Infinity, arrived: false, done: false, ahead: 0 });
        sent++;
    };
    const cancel = (now: number, order: RefOrder): void => {
        if (order.done || order.cancels !== Infinity) return;
        order.cancels = now + latency;
        cancelled++;
    };

    const decide = (now: number): void => {
        const signed = batchSigned, vol = batchVolume;
        batchSigned = 0; batchVolume = 0;
        const bid = book.price(1, 0), ask = book.price(-1, 0);
        if (bid !== bid || ask !== ask) return;
        const t = decisions++;
        lastMid = (bid + ask) / 2;
        mid[t] = lastMid; volume[t] = vol; time[t] = now;
        hft['hft_time']![t] = now; hft['hft_trade_qty']![t] = signed; hft['hft_inventory']![t] = inventory;
        for (let i = 1; i <= HFT_LEVELS; i++) {
            hft[`hft_bid_px_${i}`]![t] = book.price(1, i - 1); hft[`hft_ask_px_${i}`]![t] = book.price(-1, i - 1);
            hft[`hft_bid_sz_${i}`]![t] = book.size(1, i - 1); hft[`hft_ask_sz_${i}`]![t] = book.size(-1, i - 1);
        }
        graph.evaluate(t);
        const v = (id: NodeId): unknown => graph.value(id, t, 0);
        // What the rules ask for: the last limit quote of a side, the sum of market orders, or flat.
        const want: Record<number, { price: number; qty: number } | undefined> = {};
        const market: Record<number, number> = { 1: 0, [-1]: 0 };
        let flat = false;
        for (const r of ir.rules) {
            if (v(r.condition) !== true) continue;
            for (const a of r.actions) {
                if (a.kind === 'flat') { flat = true; continue; }
                if (a.kind !== 'order') continue;
                const side = a.side === 'buy' ? 1 : -1;
                const size = Number(v(a.size));
                if (!(size > 0)) continue;
                if (a.type === 'market') market[side] = market[side]! + size;
                else want[side] = { price: Number(v(a.price!)), qty: size };
            }
        }
        if (flat) {
            for (const order of orders) cancel(now, order);
            if (inventory !== 0) send(now, inventory > 0 ? -1 : 1, NaN, Math.abs(inventory), true);
            return;
        }
        for (const side of [1, -1]) {
            const w = want[side];
            const wanted = w !== undefined && w.price > 0 && w.qty > 0;
            let kept = false;
            for (const order of orders) {
                if (order.side !== side || order.market || order.done || order.cancels !== Infinity) continue;
                if (wanted && !kept && order.price === w.price && order.requested === w.qty) kept = true;
                else cancel(now, order);
            }
            if (wanted && !kept) send(now, side, w.price, w.qty, false);
            if (market[side]! > 0) send(now, side, NaN, market[side]!, true);
        }
    };

    let pending = NaN;
    let prevKind = -1, prevMs = NaN;
    for (let i = 0; i < e.n; i++) {
        const now = e.ms[i]!, kind = e.kind[i]!, side = e.side[i]!, price = e.price[i]!, qty = e.qty[i]!;
        if (pending === pending && now !== pending) decide(pending);
        venue(now);
        if (kind === TRADE) {
            batchSigned += side * qty; batchVolume += qty;
            if (side !== 0) {
                for (const order of orders) {
                    if (order.done || !order.arrived || order.side !== -side) continue;
                    if (order.side === 1 ? price < order.price : price > order.price) { fill(now, order, order.price, order.left, true); continue; }
                    if (price !== order.price) continue;
                    const beyond = qty - order.ahead;
                    order.ahead = Math.max(0, order.ahead - qty);
                    if (beyond > 0) fill(now, order, order.price, Math.min(order.left, beyond), true);
                }
            }
        } else {
            if (kind === SNAPSHOT && !(prevKind === SNAPSHOT && prevMs === now)) book.clear();
            book.set(side, price, qty);
            for (const order of orders) {
                if (!order.done && order.arrived && order.side === side && order.price === price) order.ahead = Math.min(order.ahead, book.qtyAt(side, price));
            }
        }
        prevKind = kind; prevMs = now;
        pending = now;
    }
    if (pending === pending) decide(pending);
    return {
        decisions, fills, ordersSent: sent, cancelsSent: cancelled, unfilled, inventory, maxAbsInventory: maxAbs, cash, feesPaid,
        pnl: cash + (inventory !== 0 ? inventory * lastMid : 0),
    };
}
