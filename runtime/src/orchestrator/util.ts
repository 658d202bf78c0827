/** Small helpers of the orchestrator: a promise mutex, JSON for numbers that may be NaN. */
export { firstLine } from '../data/errors.js';

/** Runs callbacks one at a time, in call order. */
export class Mutex {
    private tail: Promise<unknown> = Promise.resolve();

    run<T>(fn: () => Promise<T>): Promise<T> {
        const result = this.tail.then(fn);
        this.tail = result.catch(() => undefined);
        return result;
    }
}

/** JSON.stringify replacer: NaN → null, ±Infinity → "Infinity" / "-Infinity" (as the CLI's --json). */
export function jsonNumbers(_key: string, v: unknown): unknown {
    if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? null : v > 0 ? 'Infinity' : '-Infinity';
    return v;
}
