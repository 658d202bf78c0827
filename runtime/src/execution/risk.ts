/**
 * The risk engine: every order a deployment would send passes here first, and nothing leaves
 * without a pass. Limits per deployment: position (units) and notional per instrument, gross
 * exposure and leverage of the book, order rate, a price collar against the last price, daily loss
 * and drawdown. States as in NautilusTrader's risk engine: ACTIVE (every check), REDUCING (only
 * orders that shrink a position pass), HALTED (nothing passes but the kill switch's own flattening).
 * A daily-loss breach moves to REDUCING, a drawdown breach to HALTED; only an operator moves back
 * (setState). Every decision — pass, deny with its reason, state change — is an event handed to
 * the listener (the deployment stores them), in order.
 *
 * Pure and synchronous: the latency from bar close to the adapter is this plus sizing (bench/execution.js).
 */
import type { OrderRequest } from './venue.js';

export type RiskState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export interface RiskLimits {
    /** Largest |position| per instrument in units; '*' for every instrument without its own. */
    readonly maxPosition?: Readonly<Record<string, number>>;
    /** Largest |position| × price per instrument, in the quote currency. */
    readonly maxNotional?: number;
    /** Largest Σ |position| × price over the book. */
    readonly maxGrossExposure?: number;
    /** Largest gross exposure / equity. */
    readonly maxLeverage?: number;
    /** Most orders in any 60 s. */
    readonly maxOrdersPerMinute?: number;
    /** Largest |limit or stop price / last price − 1|. */
    readonly priceCollar?: number;
    /** Largest loss since the start of the UTC day (quote currency): beyond it, REDUCING. */
    readonly maxDailyLoss?: number;
    /** Largest fall from the highest equity, as a fraction: beyond it, HALTED. */
    readonly maxDrawdown?: number;
}

/** What the engine knows of the book when it decides: signed positions and last prices by symbol, and equity. */
export interface Book {
    readonly positions: Readonly<Record<string, number>>;
    readonly prices: Readonly<Record<string, number>>;
    readonly equity: number;
}

export type RiskEvent =
    | { readonly kind: 'pass'; readonly ts: number; readonly clientOrderId: string }
    | { readonly kind: 'deny'; readonly ts: number; readonly clientOrderId: string; readonly reason: string }
    | { readonly kind: 'state'; readonly ts: number; readonly from: RiskState; readonly to: RiskState; readonly reason: string };

/**
 * What the engine remembers between decisions, for a deployment resumed after a restart: its state,
 * the drawdown peak, the UTC day and the equity it started with, and the times of the orders passed
 * in the last minute. Infinite or unset marks are null (JSON has no -Infinity).
 */
export interface RiskMemory {
    readonly state: RiskState;
    readonly peak: number | null;
    readonly day: number | null;
    readonly dayStart: number | null;
    readonly recent: readonly number[];
}

export type Decision = { readonly pass: true } | { readonly pass: false; readonly reason: string };

const DAY = 86_400_000;

export class RiskEngine {
    private st: RiskState = 'ACTIVE';
    /** Times of the orders passed in the last minute (oldest first). */
    private recent: number[] = [];
    private peak = -Infinity;
    private day = NaN;
    private dayStart = NaN;

    constructor(private readonly limits: RiskLimits, private readonly listener: (e: RiskEvent) => void = () => undefined) {}

    get state(): RiskState {
        return this.st;
    }

    /** The marks to store with a bar (their state and order times are stored as events already). */
    memory(): RiskMemory {
        const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
        return { state: this.st, peak: fin(this.peak), day: fin(this.day), dayStart: fin(this.dayStart), recent: [...this.recent] };
    }

    /** A restart's restore (no event: each part was decided, and stored, before). */
    restore(m: RiskMemory): void {
        this.st = m.state;
        this.peak = m.peak ?? -Infinity;
        this.day = m.day ?? NaN;
        this.dayStart = m.dayStart ?? NaN;
        this.recent = [...m.recent].sort((a, b) => a - b);
    }

    /** An operator's (or the kill switch's) move; an event like any other. */
    setState(to: RiskState, reason: string, ts: number): void {
        if (to === this.st) return;
        const from = this.st;
        this.st = to;
        this.listener({ kind: 'state', ts, from, to, reason });
    }

    /** Equity at a bar close (or a fill): daily loss and drawdown, and the state they call for. */
    mark(equity: number, ts: number): void {
        const day = Math.floor(ts / DAY);
        if (day !== this.day) { this.day = day; this.dayStart = equity; }
        if (equity > this.peak) this.peak = equity;
        const { maxDrawdown, maxDailyLoss } = this.limits;
        if (maxDrawdown !== undefined && this.peak > 0 && (this.peak - equity) / this.peak >= maxDrawdown && this.st !== 'HALTED') {
            this.setState('HALTED', `drawdown ${pct((this.peak - equity) / this.peak)} reached the limit ${pct(maxDrawdown)}`, ts);
        } else if (maxDailyLoss !== undefined && this.dayStart - equity >= maxDailyLoss && this.st === 'ACTIVE') {
            this.setState('REDUCING', `loss today ${(this.dayStart - equity).toFixed(2)} reached the limit ${maxDailyLoss}`, ts);
        }
    }

    /**
     * Decides one order against the book. `system`: the kill switch's own flattening, which passes
     * whatever the state as long as it only reduces.
     */
    check(o: OrderRequest, book: Book, ts: number, system = false): Decision {
        const d = this.decide(o, book, ts, system);
        if (d.pass) {
            this.recent.push(ts);
            this.listener({ kind: 'pass', ts, clientOrderId: o.clientOrderId });
        } else {
            this.listener({ kind: 'deny', ts, clientOrderId: o.clientOrderId, reason: d.reason });
        }
        return d;
    }

    private decide(o: OrderRequest, book: Book, ts: number, system: boolean): Decision {
        const held = book.positions[o.symbol] ?? 0;
        const signed = o.side === 'buy' ? o.qty : -o.qty;
        const after = held + signed;
        const reduces = Math.abs(after) <= Math.abs(held) && after * held >= 0;
        if (system) return reduces ? PASS : deny(`the kill switch only reduces positions; ${o.side} ${o.qty} ${o.symbol} would not`);
        if (this.st === 'HALTED') return deny('trading is HALTED: no order passes until an operator resumes the deployment');
        if (this.st === 'REDUCING' && !reduces) return deny(`trading is REDUCING: only orders that reduce a position pass; ${o.side} ${o.qty} ${o.symbol} would take it from ${held} to ${after}`);
        if (!(o.qty > 0) || !Number.isFinite(o.qty)) return deny(`quantity must be a positive number, got ${o.qty}`);
        const L = this.limits;
        const last = book.prices[o.symbol];
        const price = last ?? o.price;
        if (price === undefined || !(price > 0)) return deny(`no last price for ${o.symbol}: the limits cannot be checked`);
        if (L.maxOrdersPerMinute !== undefined) {
            while (this.recent.length > 0 && this.recent[0]! <= ts - 60_000) this.recent.shift();
            if (this.recent.length >= L.maxOrdersPerMinute) return deny(`order rate: ${this.recent.length} orders in the last minute, the limit is ${L.maxOrdersPerMinute}`);
        }
        if (L.priceCollar !== undefined && o.price !== undefined && last !== undefined && Math.abs(o.price / last - 1) > L.priceCollar) {
            return deny(`price collar: ${o.price} is ${pct(Math.abs(o.price / last - 1))} from the last price ${last}, the limit is ${pct(L.priceCollar)}`);
        }
        // Position limits bind only an order that grows a position (a reduction is always welcome).
        if (reduces) return PASS;
        const maxPos = L.maxPosition?.[o.symbol] ?? L.maxPosition?.['*'];
        if (maxPos !== undefined && Math.abs(after) > maxPos) return deny(`max position ${o.symbol}: ${fmt(after)} would exceed ${maxPos}`);
        if (L.maxNotional !== undefined && Math.abs(after) * price > L.maxNotional) return deny(`max notional ${o.symbol}: ${fmt(Math.abs(after) * price)} would exceed ${L.maxNotional}`);
        if (L.maxGrossExposure !== undefined || L.maxLeverage !== undefined) {
            let gross = Math.abs(after) * price;
            for (const [s, q] of Object.entries(book.positions)) if (s !== o.symbol && q !== 0) gross += Math.abs(q) * (book.prices[s] ?? 0);
            if (L.maxGrossExposure !== undefined && gross > L.maxGrossExposure) return deny(`gross exposure ${fmt(gross)} would exceed ${L.maxGrossExposure}`);
            if (L.maxLeverage !== undefined && (book.equity <= 0 || gross / book.equity > L.maxLeverage)) {
                return deny(`leverage ${book.equity > 0 ? fmt(gross / book.equity) : '∞'} would exceed ${L.maxLeverage} (equity ${fmt(book.equity)})`);
            }
        }
        return PASS;
    }
}

const PASS: Decision = { pass: true };

function deny(reason: string): Decision {
    return { pass: false, reason };
}

function pct(x: number): string {
    return `${(x * 100).toFixed(2)}%`;
}

function fmt(x: number): string {
    return Number(x.toPrecision(8)).toString();
}
