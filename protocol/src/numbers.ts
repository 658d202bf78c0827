/**
 * The one encoding of numbers JSON cannot hold, used on every wire (daemon results, panel
 * messages, result files, `--json` output): a finite number as itself, NaN (undefined, missing)
 * as `null`, ±∞ as the strings `"Infinity"` / `"-Infinity"` (a profit factor with no losing
 * trade is infinite, not missing). Encode with `toWire` (or `JSON.stringify(v, jsonNumbers)`),
 * decode with `fromWire`.
 */
import * as z from 'zod';

export const WireNumber = z.union([z.number(), z.enum(['Infinity', '-Infinity']), z.null()]);
export type WireNumber = z.infer<typeof WireNumber>;

export function toWire(x: number): WireNumber {
    if (Number.isFinite(x)) return x;
    return Number.isNaN(x) ? null : x > 0 ? 'Infinity' : '-Infinity';
}

/** Decodes a wire number; anything else (undefined, a stray string) is NaN. */
export function fromWire(w: WireNumber | undefined | unknown): number {
    if (typeof w === 'number') return w;
    if (w === 'Infinity') return Infinity;
    if (w === '-Infinity') return -Infinity;
    return NaN;
}

/** A column as wire numbers (toWire of each, in a loop: no callback per value); finite values as they are. */
export function toWireColumn(xs: ArrayLike<number>): WireNumber[] {
    const out: WireNumber[] = [];
    for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!;
        out.push(x - x === 0 ? x : toWire(x)); // x - x is 0 exactly when x is finite
    }
    return out;
}

/** A column of wire numbers as numbers (fromWire of each, in a loop). */
export function fromWireColumn(xs: readonly WireNumber[]): number[] {
    const out: number[] = [];
    for (let i = 0; i < xs.length; i++) {
        const x = xs[i];
        out.push(typeof x === 'number' ? x : fromWire(x));
    }
    return out;
}

/** JSON.stringify replacer applying `toWire` to every number. */
export function jsonNumbers(_key: string, v: unknown): unknown {
    return typeof v === 'number' && !Number.isFinite(v) ? toWire(v) : v;
}
