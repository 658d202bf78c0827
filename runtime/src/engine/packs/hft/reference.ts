/**
 * The HFT pack's functions for the reference interpreter, the obvious way: from the per-event
 * columns' whole histories (c.column), scanning back over the window for the windowed ones.
 * compiled.ts computes the same incrementally.
 */
import { HFT_LEVELS, type HftColumn } from '../../../../../language/src/catalogue/hft-pack.js';
import type { ReferenceCall, ReferenceFunction } from '../hook.js';

const at = (c: ReferenceCall, col: HftColumn, t = c.t): number => {
    const v = c.column(col)[t];
    return typeof v === 'number' ? v : NaN;
};
const out = (x: number): number | undefined => (Number.isNaN(x) ? undefined : x);
const num = (c: ReferenceCall, k: number): number => Number(c.arg(k));

const level = (col: HftColumn): ReferenceFunction => ({ series: c => out(at(c, col)) });

export const reference: Readonly<Record<string, ReferenceFunction>> = {
    best_bid: level('hft_bid_px_1'),
    best_ask: level('hft_ask_px_1'),
    inventory: level('hft_inventory'),
    spread: { series: c => out(at(c, 'hft_ask_px_1') - at(c, 'hft_bid_px_1')) },
    mid_price: { series: c => out((at(c, 'hft_ask_px_1') + at(c, 'hft_bid_px_1')) / 2) },
    microprice: {
        series: c => {
            const b = at(c, 'hft_bid_px_1'), a = at(c, 'hft_ask_px_1'), qb = at(c, 'hft_bid_sz_1'), qa = at(c, 'hft_ask_sz_1');
            return qb + qa > 0 ? out((b * qa + a * qb) / (qb + qa)) : undefined;
        },
    },
    book_imbalance: {
        series: c => {
            const n = num(c, 0);
            let b = 0, a = 0;
            for (let i = 1; i <= Math.min(n, HFT_LEVELS); i++) {
                b += at(c, `hft_bid_sz_${i}` as HftColumn) || 0;
                a += at(c, `hft_ask_sz_${i}` as HftColumn) || 0;
            }
            return b + a > 0 ? (b - a) / (b + a) : undefined;
        },
    },
    trade_imbalance: {
        series: c => {
            const now = at(c, 'hft_time'), from = now - num(c, 0) * 1000;
            let signed = 0, total = 0;
            for (let j = c.t; j >= 0 && at(c, 'hft_time', j) > from; j--) {
                const q = at(c, 'hft_trade_qty', j);
                if (q === q) { signed += q; total += Math.abs(q); }
            }
            return total > 0 ? signed / total : undefined;
        },
    },
    realized_vol: {
        series: c => {
            const now = at(c, 'hft_time');
            if (Number.isNaN(now)) return undefined;
            const from = now - num(c, 0) * 1000;
            const mid = (j: number) => (at(c, 'hft_bid_px_1', j) + at(c, 'hft_ask_px_1', j)) / 2;
            let sum = 0;
            // Each event in the window with a mid, against the previous event that had one.
            for (let j = c.t; j >= 0 && at(c, 'hft_time', j) > from; j--) {
                const m = mid(j);
                if (!(m > 0)) continue;
                let k = j - 1;
                while (k >= 0 && !(mid(k) > 0)) k--;
                if (k >= 0) sum += Math.log(m / mid(k)) ** 2;
            }
            return Math.sqrt(sum);
        },
    },
};
