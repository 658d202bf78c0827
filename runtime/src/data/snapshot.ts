/**
 * The snapshot hash of loaded data: SHA-256 over a header (format version, timeframe,
 * instrument ids) and the exact bytes of every Float64Array column, little-endian as held
 * in memory on every platform Node runs on. Same bytes → same hash; any changed bar,
 * added bar or renamed asset changes it.
 */
import { createHash } from 'node:crypto';
import { type AssetBars } from './bars.js';

export function snapshotHash(ids: readonly string[], timeframeMs: number, ts: Float64Array, assets: readonly AssetBars[]): string {
    const h = createHash('sha256');
    h.update(JSON.stringify({ format: 'alphaforge-bars/1', timeframeMs, assets: ids, bars: ts.length }));
    const bytes = (a: Float64Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    h.update(bytes(ts));
    for (const a of assets) {
        for (const col of [a.open, a.high, a.low, a.close, a.volume]) h.update(bytes(col));
    }
    return h.digest('hex');
}
