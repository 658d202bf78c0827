/**
 * The account of the reference interpreter: cash, positions, the fill log and round-trip trades
 * (docs/backtest-semantics.md § Fills, fees, slippage and § Trades). It knows nothing about
 * orders or rules: the interpreter tells it what fills, at which raw price, and whether
 * slippage applies.
 */
import type { Fill, Trade } from '../types.js';

interface OpenTrade {
    readonly side: 'long' | 'short';
    readonly entryBar: number;
    /** Opening fills: Σ|qty| and Σ|qty| × price. */
    inQty: number;
    inValue: number;
    /** Closing fills. */
    outQty: number;
    outValue: number;
    maxQty: number;
    /** Σ (−qty × price) − fees over the trade's share of its fills. */
    pnl: number;
    fees: number;
}

export type FillResult = 'none' | 'opened' | 'closed' | 'changed';

export class Account {
    cash: number;
    readonly position: number[];
    /** Last defined close per asset (NaN before the first). */
    readonly lastClose: number[];
    readonly fills: Fill[] = [];
    readonly trades: Trade[] = [];
    private readonly open: (OpenTrade | undefined)[];

    constructor(N: number, capital: number, private readonly fees: number, private readonly slippage: number) {
        this.cash = capital;
        this.position = new Array<number>(N).fill(0);
        this.lastClose = new Array<number>(N).fill(NaN);
        this.open = new Array<OpenTrade | undefined>(N).fill(undefined);
    }

    equity(): number {
        let e = this.cash;
        this.position.forEach((q, a) => { if (q !== 0) e += q * this.lastClose[a]!; });
        return e;
    }

    grossExposure(): number {
        let g = 0;
        this.position.forEach((q, a) => { if (q !== 0) g += Math.abs(q * this.lastClose[a]!); });
        return g;
    }

    /**
     * Fills `qty` (signed) of asset a at raw price `raw`; with `slip`, buys pay raw × (1 + slippage)
     * and sells get raw × (1 − slippage). Returns what happened to the position: 'opened' when it
     * left 0 or changed sign (protective levels are then set by the caller), 'closed' when it
     * returned to 0.
     */
    fill(bar: number, a: number, qty: number, raw: number, slip: boolean, reason: Fill['reason']): FillResult {
        if (qty === 0) return 'none';
        const price = !slip ? raw : qty > 0 ? raw * (1 + this.slippage) : raw * (1 - this.slippage);
        const fee = Math.abs(qty) * price * this.fees;
        this.cash -= qty * price + fee;
        this.fills.push({ bar, asset: a, qty, price, fee, reason });
        const before = this.position[a]!;
        const after = before + qty;
        this.position[a] = after;

        if (before === 0 || Math.sign(qty) === Math.sign(before)) {
            this.addToTrade(bar, a, qty, price, fee);
            return before === 0 ? 'opened' : 'changed';
        }
        // The fill reduces the position; past zero, the remainder opens the opposite trade.
        const closing = Math.min(Math.abs(qty), Math.abs(before));
        const share = closing / Math.abs(qty);
        const tr = this.open[a]!;
        tr.outQty += closing;
        tr.outValue += closing * price;
        tr.pnl += -(Math.sign(qty) * closing) * price - fee * share;
        tr.fees += fee * share;
        if (after === 0 || Math.sign(after) !== Math.sign(before)) this.closeTrade(bar, a, reason);
        if (after !== 0 && Math.sign(after) !== Math.sign(before)) {
            this.addToTrade(bar, a, after, price, fee * (1 - share));
            return 'opened';
        }
        return after === 0 ? 'closed' : 'changed';
    }

    private addToTrade(bar: number, a: number, qty: number, price: number, fee: number): void {
        let tr = this.open[a];
        if (!tr) {
            tr = { side: qty > 0 ? 'long' : 'short', entryBar: bar, inQty: 0, inValue: 0, outQty: 0, outValue: 0, maxQty: 0, pnl: 0, fees: 0 };
            this.open[a] = tr;
        }
        tr.inQty += Math.abs(qty);
        tr.inValue += Math.abs(qty) * price;
        tr.pnl += -qty * price - fee;
        tr.fees += fee;
        tr.maxQty = Math.max(tr.maxQty, Math.abs(this.position[a]!));
    }

    private closeTrade(bar: number, a: number, reason: Fill['reason']): void {
        const tr = this.open[a]!;
        const entryPrice = tr.inValue / tr.inQty;
        this.trades.push({
            asset: a, side: tr.side, entryBar: tr.entryBar, exitBar: bar,
            entryPrice, exitPrice: tr.outValue / tr.outQty, maxQty: tr.maxQty,
            pnl: tr.pnl, returnPct: tr.pnl / (tr.maxQty * entryPrice), fees: tr.fees, exitReason: reason,
        });
        this.open[a] = undefined;
    }
}
