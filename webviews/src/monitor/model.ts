/**
 * The deployment monitor's view-model: the deployment's stored and live events (in seq order, as
 * the host sends them) folded into what the panel shows — the equity and PnL curve (one point per
 * bar's account event), positions and balances (the last account event's), open orders (every
 * order event updates its order, every fill its filled quantity; final states leave the list),
 * fills (newest first), the state
 * and its reason, the risk state and the reason of the last denial. Pure (no DOM): unit-tested
 * under Node, drawn by main.ts.
 *
 * Events at or below the last seq seen are ignored (a catch-up page and a live event may overlap);
 * one past a gap is applied and the gap noted (`gaps`): the host catches up, this never guesses.
 */
import type { Deployment, DeploymentEvent } from '../../../protocol/src/daemon/execution.js';
import { DeploymentEventData } from '../../../protocol/src/webview.js';

export type RiskState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export interface OrderRow {
    readonly clientOrderId: string;
    symbol: string;
    side: 'buy' | 'sell' | null;
    type: string;
    qty: number | null;
    price: number | null;
    reduceOnly: boolean;
    state: string;
    reason: string | null;
    filledQty: number;
    updated: string;
}

export interface FillRow {
    readonly seq: number;
    readonly ts: string;
    readonly clientOrderId: string;
    readonly fillId: string;
    readonly symbol: string;
    readonly side: 'buy' | 'sell' | null;
    readonly qty: number;
    readonly price: number;
    readonly fee: number | null;
}

export interface Denial {
    readonly seq: number;
    readonly ts: string;
    readonly clientOrderId: string | null;
    readonly reason: string;
}

export interface MonitorModel {
    deployment: Deployment | null;
    lastSeq: number;
    /** Events that arrived after a missing seq (the host should have caught up first). */
    gaps: number;
    /** Events whose data did not have the shape of their kind (skipped). */
    malformed: number;
    state: string | null;
    stateReason: string | null;
    riskState: RiskState | null;
    /** The risk engine's last change of state and why. */
    riskReason: string | null;
    lastDenial: Denial | null;
    denials: number;
    bars: number;
    equity: number | null;
    pnl: number | null;
    /** Bar time (ms) → equity and PnL, one point per traded bar, thinned past MAX_POINTS. */
    readonly curve: { ts: number[]; equity: number[]; pnl: number[] };
    positions: { symbol: string; qty: number }[];
    balances: { currency: string; amount: number }[];
    readonly orders: Map<string, OrderRow>;
    /** Newest first, at most MAX_FILLS. */
    fills: FillRow[];
    fillCount: number;
}

/** Most points the curve keeps: past it, every other point of the older half goes. */
export const MAX_POINTS = 5000;
/** Most fills listed (fillCount counts all). */
export const MAX_FILLS = 500;
/** Orders in these states are no longer open. */
export const FINAL_ORDER_STATES: ReadonlySet<string> = new Set(['filled', 'cancelled', 'rejected', 'expired']);
/** Most final orders kept (open ones are always kept). */
const MAX_DONE_ORDERS = 2000;

export function emptyModel(): MonitorModel {
    return {
        deployment: null, lastSeq: 0, gaps: 0, malformed: 0, state: null, stateReason: null, riskState: null, riskReason: null,
        lastDenial: null, denials: 0, bars: 0, equity: null, pnl: null, curve: { ts: [], equity: [], pnl: [] },
        positions: [], balances: [], orders: new Map(), fills: [], fillCount: 0,
    };
}

/**
 * The deployment as execution.show answers it. Another deployment, or `reset`, starts a fresh
 * model (its events come again from seq 1). Its fields fill what no event has said yet.
 */
export function withDeployment(m: MonitorModel, d: Deployment, reset = false): MonitorModel {
    const next = reset || (m.deployment !== null && m.deployment.id !== d.id) ? emptyModel() : m;
    next.deployment = d;
    if (next.lastSeq === 0) {
        next.state = d.state;
        next.stateReason = d.reason;
        next.riskState = d.riskState;
        next.bars = d.bars;
        next.equity = d.equity;
        next.pnl = d.pnl;
    }
    return next;
}

/** What an `events` batch changed, so the view redraws only that. */
export interface Changes {
    readonly applied: number;
    readonly curve: boolean;
    readonly account: boolean;
    readonly orders: boolean;
    readonly fills: boolean;
    readonly status: boolean;
}

/** Folds events (in seq order) into the model; those already seen are ignored. */
export function applyEvents(m: MonitorModel, events: readonly DeploymentEvent[]): Changes {
    let applied = 0, curve = false, account = false, orders = false, fills = false, status = false;
    for (const e of events) {
        if (m.deployment && e.deploymentId !== m.deployment.id) continue;
        if (e.seq <= m.lastSeq) continue;
        if (e.seq !== m.lastSeq + 1) m.gaps++;
        m.lastSeq = e.seq;
        applied++;
        switch (e.kind) {
            case 'state': {
                const d = DeploymentEventData.state.safeParse(e.data);
                if (!d.success) { m.malformed++; break; }
                m.state = d.data.state;
                m.stateReason = d.data.reason ?? null;
                status = true;
                break;
            }
            case 'order': {
                const d = DeploymentEventData.order.safeParse(e.data);
                if (!d.success) { m.malformed++; break; }
                applyOrder(m, d.data, e.ts);
                orders = true;
                break;
            }
            case 'fill': {
                const d = DeploymentEventData.fill.safeParse(e.data);
                if (!d.success) { m.malformed++; break; }
                const o = m.orders.get(d.data.clientOrderId);
                const f: FillRow = {
                    seq: e.seq, ts: e.ts, clientOrderId: d.data.clientOrderId, fillId: d.data.fillId,
                    symbol: d.data.symbol ?? o?.symbol ?? '?', side: d.data.side ?? o?.side ?? null, qty: d.data.qty, price: d.data.price, fee: d.data.fee ?? null,
                };
                if (o) {
                    // Venues report fills, not a "filled" update: the order's state follows from its quantity.
                    o.filledQty += f.qty;
                    if (!FINAL_ORDER_STATES.has(o.state)) o.state = o.qty !== null && o.filledQty >= o.qty * (1 - 1e-9) ? 'filled' : 'partially_filled';
                    o.updated = e.ts;
                    orders = true;
                }
                m.fills.unshift(f);
                if (m.fills.length > MAX_FILLS) m.fills.length = MAX_FILLS;
                m.fillCount++;
                fills = true;
                break;
            }
            case 'account': {
                const d = DeploymentEventData.account.safeParse(e.data);
                if (!d.success) { m.malformed++; break; }
                const a = d.data;
                if (typeof a.bar === 'number') m.bars = a.bar;
                if (a.equity !== undefined) m.equity = a.equity;
                if (a.pnl !== undefined) m.pnl = a.pnl;
                if (a.riskState) m.riskState = a.riskState;
                if (a.positions) m.positions = Object.entries(a.positions).filter((x): x is [string, number] => x[1] !== null && Math.abs(x[1]) > 1e-12).map(([symbol, qty]) => ({ symbol, qty })).sort((x, y) => x.symbol.localeCompare(y.symbol));
                if (a.balances) m.balances = Object.entries(a.balances).filter((x): x is [string, number] => x[1] !== null).map(([currency, amount]) => ({ currency, amount })).sort((x, y) => x.currency.localeCompare(y.currency));
                // The kill switch's account has no bar: it changes the book, not the curve.
                if (typeof a.barTs === 'number' && typeof a.equity === 'number') {
                    addPoint(m, a.barTs, a.equity, typeof a.pnl === 'number' ? a.pnl : NaN);
                    curve = true;
                }
                account = status = true;
                break;
            }
            case 'risk': {
                const d = DeploymentEventData.risk.safeParse(e.data);
                if (!d.success) { m.malformed++; break; }
                if (d.data.decision === 'deny') {
                    m.lastDenial = { seq: e.seq, ts: e.ts, clientOrderId: d.data.clientOrderId ?? null, reason: d.data.reason ?? 'no reason given' };
                    m.denials++;
                } else {
                    if (d.data.to === 'ACTIVE' || d.data.to === 'REDUCING' || d.data.to === 'HALTED') m.riskState = d.data.to;
                    m.riskReason = d.data.reason ?? null;
                }
                status = true;
                break;
            }
        }
    }
    return { applied, curve, account, orders, fills, status };
}

function applyOrder(m: MonitorModel, d: ReturnType<typeof DeploymentEventData.order.parse>, ts: string): void {
    let o = m.orders.get(d.clientOrderId);
    if (!o) {
        o = {
            clientOrderId: d.clientOrderId, symbol: d.symbol ?? '?', side: d.side ?? null, type: d.type ?? 'market', qty: d.qty ?? null, price: d.price ?? null,
            reduceOnly: d.reduceOnly ?? false, state: d.state, reason: null, filledQty: 0, updated: ts,
        };
        m.orders.set(d.clientOrderId, o);
    }
    // A later update names only what changed.
    if (d.symbol) o.symbol = d.symbol;
    if (d.side) o.side = d.side;
    if (d.qty !== undefined && d.qty !== null) o.qty = d.qty;
    o.state = d.state;
    if (d.reason) o.reason = d.reason;
    o.updated = ts;
    if (m.orders.size > MAX_DONE_ORDERS * 2) {
        let drop = m.orders.size - MAX_DONE_ORDERS;
        for (const [id, x] of m.orders) {
            if (drop <= 0) break;
            if (FINAL_ORDER_STATES.has(x.state)) { m.orders.delete(id); drop--; }
        }
    }
}

function addPoint(m: MonitorModel, ts: number, equity: number, pnl: number): void {
    const c = m.curve;
    const last = c.ts.length - 1;
    if (last >= 0 && c.ts[last] === ts) {
        c.equity[last] = equity;
        c.pnl[last] = pnl;
        return;
    }
    c.ts.push(ts);
    c.equity.push(equity);
    c.pnl.push(pnl);
    if (c.ts.length > MAX_POINTS) {
        const half = Math.floor(c.ts.length / 2);
        for (const k of ['ts', 'equity', 'pnl'] as const) c[k].splice(0, half, ...c[k].slice(0, half).filter((_, i) => i % 2 === 0));
    }
}

/** Orders not in a final state, oldest first. */
export function openOrders(m: MonitorModel): OrderRow[] {
    return [...m.orders.values()].filter(o => !FINAL_ORDER_STATES.has(o.state));
}

/** Whether the kill switch can do anything (not once it has ended). */
export function canKill(m: MonitorModel): boolean {
    return m.deployment !== null && m.state !== 'stopped' && m.state !== 'failed';
}

/** Whether it can still be stopped. */
export function canStop(m: MonitorModel): boolean {
    return canKill(m) && m.state !== 'stopping';
}

/** The headline: state (and why), risk state, bars. */
export function statusLine(m: MonitorModel): string {
    const parts = [m.state ?? 'unknown'];
    if (m.riskState) parts.push(`risk ${m.riskState}`);
    parts.push(`${m.bars} bar${m.bars === 1 ? '' : 's'}`);
    return parts.join(' · ');
}
