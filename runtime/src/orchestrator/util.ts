/** Small helpers of the orchestrator: JSON for numbers that may be NaN. */
export { firstLine } from '../data/errors.js';

/** JSON.stringify replacer: NaN → null, ±Infinity → "Infinity" / "-Infinity" (as the CLI's --json). */
export function jsonNumbers(_key: string, v: unknown): unknown {
    if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? null : v > 0 ? 'Infinity' : '-Infinity';
    return v;
}
