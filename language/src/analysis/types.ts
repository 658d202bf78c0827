/**
 * The value types of the strategy language: shape (scalar or series), kind (num, bool, …) and,
 * for numbers, a physical unit so that `close + 2%` is caught. Units are products of base
 * dimensions with integer exponents (price, volume, bars); percent and bps are dimensionless
 * fractions that remember how they were written only for display.
 */

export type Shape = 'scalar' | 'series';
export type Kind = 'num' | 'bool' | 'duration' | 'string' | 'enum' | 'asset' | 'unknown';

/** A unit: base dimension exponents. `{}` is dimensionless. `'any'` adopts whatever it meets (bare literals). */
export type Unit = Readonly<Record<string, number>> | 'any';

export interface Ty {
    readonly kind: Kind;
    readonly shape: Shape;
    readonly unit: Unit;
    /** Integral number (int params, counts). */
    readonly int?: boolean;
    /** For kind 'enum': the enumeration (e.g. fill_mode). */
    readonly enumType?: string;
    /** How a dimensionless literal was written, for hovers: '%' or 'bps'. */
    readonly display?: '%' | 'bps';
}

export const DIMENSIONLESS: Unit = Object.freeze({});
export const PRICE: Unit = Object.freeze({ price: 1 });
export const VOLUME: Unit = Object.freeze({ volume: 1 });
export const BARS: Unit = Object.freeze({ bars: 1 });

export const UNKNOWN: Ty = Object.freeze({ kind: 'unknown', shape: 'scalar', unit: 'any' });

export function num(shape: Shape, unit: Unit, extra: Partial<Ty> = {}): Ty {
    return { kind: 'num', shape, unit, ...extra };
}
export function bool(shape: Shape): Ty {
    return { kind: 'bool', shape, unit: DIMENSIONLESS };
}

export function isDimensionless(u: Unit): boolean {
    return u !== 'any' && Object.keys(u).length === 0;
}

export function unitsEqual(a: Unit, b: Unit): boolean {
    if (a === 'any' || b === 'any') return true;
    const ka = Object.keys(a).filter(k => a[k] !== 0);
    const kb = Object.keys(b).filter(k => b[k] !== 0);
    return ka.length === kb.length && ka.every(k => a[k] === b[k]);
}

function combine(a: Unit, b: Unit, sign: 1 | -1): Unit {
    if (a === 'any' && b === 'any') return 'any';
    // A bare literal times a price is a price: the literal is a pure number.
    const left: Readonly<Record<string, number>> = a === 'any' ? {} : a;
    const right: Readonly<Record<string, number>> = b === 'any' ? {} : b;
    const out: Record<string, number> = { ...left };
    for (const [k, v] of Object.entries(right)) {
        const n = (out[k] ?? 0) + sign * v;
        if (n === 0) delete out[k];
        else out[k] = n;
    }
    return out;
}
export const mulUnits = (a: Unit, b: Unit): Unit => combine(a, b, 1);
export const divUnits = (a: Unit, b: Unit): Unit => combine(a, b, -1);

/** The more specific of two compatible units (for `a + b`, `max(a, b)`, if-branches). */
export function joinUnits(a: Unit, b: Unit): Unit {
    return a === 'any' ? b : a;
}

export function joinShape(a: Shape, b: Shape): Shape {
    return a === 'series' || b === 'series' ? 'series' : 'scalar';
}

export function formatUnit(u: Unit, display?: '%' | 'bps'): string {
    if (u === 'any') return 'number';
    const keys = Object.keys(u).sort();
    if (keys.length === 0) return display === '%' ? 'percent' : display === 'bps' ? 'bps' : 'ratio';
    return keys.map(k => (u[k] === 1 ? k : `${k}^${u[k]}`)).join('·');
}

export function formatType(t: Ty): string {
    switch (t.kind) {
        case 'num': {
            const base = t.int ? 'int' : 'num';
            const unit = t.unit === 'any' ? '' : ` ${formatUnit(t.unit, t.display)}`;
            return `${t.shape} ${base}${unit}`;
        }
        case 'bool': return `${t.shape} bool`;
        case 'enum': return `${t.enumType ?? 'enum'} constant`;
        case 'duration': return 'duration';
        case 'string': return 'string';
        case 'asset': return 'asset';
        default: return 'unknown';
    }
}
