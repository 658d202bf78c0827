/**
 * A backtest's exposure series from its fill log, after the run: the gross exposure at each close as
 * a fraction of equity, exactly as the bar loop would have recorded it (loop.ts record), computed
 * only when someone reads it. The bar loop of a backtest then stores equity alone: a second
 * Float64Array written every bar costs as much as the rest of a simple strategy's bar (a fresh
 * array's every page is first touched there), and most runs of a benchmark or a sweep's trials
 * never read it, or read it once at the end.
 *
 * Positions change only by fills, each logged with its bar, asset, quantity and executed price
 * (broker.ts fill), so replaying the log in order with the broker's own arithmetic (the dust rule
 * included) gives every asset's position after bar t's fills, bit for bit; the last defined close
 * and the recorded equity give the rest.
 */
import type { AssetBars } from '../types.js';
import { FillLog } from './fill-log.js';

/** As Broker.fill: a position worth less than this at the fill price is closed to 0. */
const DUST = 1e-9;

/**
 * Writes exposure[0 … T−1] into `out` (which it fully overwrites): Σ|q × last close| / equity where
 * a position is held or equity is negative, else 0; the last bar's is 0 (every position is closed
 * at its close).
 */
export function exposureFromFills(fills: FillLog, assets: readonly AssetBars[], equity: Float64Array, T: number, out: Float64Array): Float64Array {
    const N = assets.length, S = FillLog.STRIDE;
    const rows = fills.rows, n = fills.length;
    const q = new Float64Array(N), lc = new Float64Array(N).fill(NaN);
    const closes = assets.map(b => b.close);
    let k = 0;
    for (let t = 0; t < T; t++) {
        for (; k < n && rows[k * S]! <= t; k++) {
            const o = k * S, a = rows[o + 1]!, price = rows[o + 3]!;
            const after = q[a]! + rows[o + 2]!;
            q[a] = Math.abs(after) * price < DUST ? 0 : after;
        }
        let g = 0;
        for (let a = 0; a < N; a++) {
            const c = closes[a]![t]!;
            if (c === c) lc[a] = c;
            const qa = q[a]!;
            if (qa !== 0) g += Math.abs(qa * lc[a]!);
        }
        const E = equity[t]!;
        out[t] = g !== 0 || E < 0 ? (E !== 0 ? g / E : 0) : 0;
    }
    if (T > 0) out[T - 1] = 0;
    return out;
}
