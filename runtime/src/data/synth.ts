/**
 * Seeded synthetic markets for tests, benchmarks and demos. Several assets share a market
 * factor (correlated returns, default ρ = 0.5) and a market regime that switches by a Markov
 * chain between trending (drift), mean-reverting (pull back to the regime's starting level)
 * and volatile (3× volatility). Bars are valid OHLCV by construction: open = previous close,
 * high ≥ max(open, close), low ≤ min(open, close), low > 0, volume > 0.
 * The same options give bit-identical output on every run and machine (no Math.random).
 */
import { mulberry32, scrambleSeed } from '../../../language/src/util/prng.js';
import { type AssetBars, type BarData } from './bars.js';
import { DataError } from './errors.js';
import { snapshotHash } from './snapshot.js';
import { DAY, WEEK } from './timeframe.js';

export interface SynthOptions {
    readonly symbols: readonly string[];
    readonly timeframeMs: number;
    readonly bars: number;
    readonly seed: number;
    /** First bar time (ms, UTC); default 2020-01-01. Moved down onto the timeframe grid. */
    readonly start?: number;
    /** Correlation of returns between any two assets, in [0, 1). */
    readonly correlation?: number;
    /** Annualised volatility in the calm regimes. */
    readonly annualVol?: number;
}

export const REGIMES = ['trending', 'mean-reverting', 'volatile'] as const;

export interface SynthResult {
    readonly symbols: readonly string[];
    readonly timeframeMs: number;
    readonly ts: Float64Array;
    /** One per symbol, same order. */
    readonly assets: readonly AssetBars[];
    /** Regime index (into REGIMES) of each bar. */
    readonly regimes: Uint8Array;
}

const YEAR_MS = 365.25 * 86_400_000;

/** mulberry32, seeded through splitmix32 so that nearby seeds give unrelated streams. */
export function prng(seed: number): () => number {
    return mulberry32(scrambleSeed(seed));
}

function gaussian(rand: () => number): () => number {
    let spare: number | undefined;
    return () => {
        if (spare !== undefined) {
            const s = spare;
            spare = undefined;
            return s;
        }
        let u = 0;
        while (u === 0) u = rand();
        const v = rand();
        const r = Math.sqrt(-2 * Math.log(u));
        spare = r * Math.sin(2 * Math.PI * v);
        return r * Math.cos(2 * Math.PI * v);
    };
}

export function synthBars(o: SynthOptions): SynthResult {
    if (o.symbols.length === 0) throw new DataError('synth: give at least one symbol');
    if (!Number.isInteger(o.bars) || o.bars < 1) throw new DataError(`synth: bars must be a positive whole number, not ${o.bars}`);
    if (!(o.timeframeMs > 0)) throw new DataError(`synth: timeframe must be positive`);
    const rho = o.correlation ?? 0.5;
    if (!(rho >= 0 && rho < 1)) throw new DataError(`synth: correlation must be in [0, 1), not ${rho}`);
    const rand = prng(o.seed);
    const normal = gaussian(rand);
    const n = o.bars;
    const m = o.symbols.length;
    // Weekly bars sit on Mondays (timeframe.ts; the epoch was a Thursday), everything else on epoch multiples,
    // so that synthetic bars pass the grid check of an import at the same timeframe.
    const offset = o.timeframeMs % WEEK === 0 ? 4 * DAY : 0;
    const start = Math.floor(((o.start ?? Date.UTC(2020, 0, 1)) - offset) / o.timeframeMs) * o.timeframeMs + offset;
    const dt = o.timeframeMs / YEAR_MS;
    const sigma = (o.annualVol ?? 0.6) * Math.sqrt(dt);
    const ts = new Float64Array(n);
    for (let i = 0; i < n; i++) ts[i] = start + i * o.timeframeMs;
    const assets = o.symbols.map(() => ({ open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) }));
    const regimes = new Uint8Array(n);
    // Per-asset character: starting price, trend sensitivity, base volume.
    const logPrice = assets.map(() => Math.log(20 + 180 * rand()));
    const beta = assets.map(() => 0.5 + rand());
    const baseVolume = assets.map(() => 1e5 * (1 + 9 * rand()));
    let regime = 0;
    let trendSign = rand() < 0.5 ? -1 : 1;
    let anchor = logPrice.slice();
    const sqrtRho = Math.sqrt(rho);
    const sqrtIdio = Math.sqrt(1 - rho);
    for (let i = 0; i < n; i++) {
        // Regimes last ~60 bars on average; the next one is drawn uniformly among the other two.
        if (i > 0 && rand() < 1 / 60) {
            regime = (regime + 1 + Math.floor(rand() * 2)) % 3;
            trendSign = rand() < 0.5 ? -1 : 1;
            anchor = logPrice.slice();
        }
        regimes[i] = regime;
        const market = normal();
        for (let j = 0; j < m; j++) {
            const eps = sqrtRho * market + sqrtIdio * normal();
            let r: number;
            if (regime === 0) r = trendSign * beta[j]! * 0.15 * sigma + sigma * eps; // drift of 0.15σ per bar
            else if (regime === 1) r = -0.1 * (logPrice[j]! - anchor[j]!) + sigma * eps; // OU pull, half-life ~7 bars
            else r = 3 * sigma * eps;
            const a = assets[j]!;
            const open = Math.exp(logPrice[j]!);
            logPrice[j] = logPrice[j]! + r;
            const close = Math.exp(logPrice[j]!);
            const wick = (regime === 2 ? 3 : 1) * sigma * 0.5;
            a.open[i] = open;
            a.close[i] = close;
            a.high[i] = Math.max(open, close) * Math.exp(Math.abs(normal()) * wick);
            a.low[i] = Math.min(open, close) * Math.exp(-Math.abs(normal()) * wick);
            a.volume[i] = baseVolume[j]! * Math.exp(0.3 * normal()) * (1 + Math.abs(r) / sigma);
        }
    }
    return { symbols: [...o.symbols], timeframeMs: o.timeframeMs, ts, assets, regimes };
}

/** Synthetic bars as the engine's BarData (ids are `venue:SYMBOL`, default venue 'synth'). */
export function synthBarData(o: SynthOptions & { venue?: string }): BarData {
    const r = synthBars(o);
    const ids = r.symbols.map(s => `${o.venue ?? 'synth'}:${s}`);
    return { ts: r.ts, assets: r.assets, timeframeMs: r.timeframeMs, snapshotHash: snapshotHash(ids, r.timeframeMs, r.ts, r.assets) };
}
