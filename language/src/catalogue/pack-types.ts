/**
 * The shape of a capability pack: the function catalogue is data, not grammar. A pack lists
 * functions (indicators, signals, cross-sectional operators), data fields and enumeration
 * constants. The compiler reads types, units, defaults and look-back formulas from here; the
 * language server reads docs and examples; a later registry can load more packs.
 *
 * Type specs are small strings:
 *   parameters: `series<U>` (numeric, scalar or series, unit variable U), `series<bool>`,
 *               `num<U>` (elementwise numeric), `int`, `float` (constants or params only),
 *               `duration`, `enum<name>`
 *   results:    `series<U>`, `series<1>` (dimensionless), `series<price>`, `series<bool>`,
 *               `num<U>` (series if any input is a series), `series<U/V>`
 */

export interface CatalogueParam {
    readonly name: string;
    readonly type: string;
    /** Default value; a parameter without one is required. Strings name enum constants. */
    readonly default?: number | boolean | string;
    /** Smallest allowed constant value (e.g. 1 for a window length). */
    readonly min?: number;
    readonly doc: string;
}

export interface CatalogueFunction {
    readonly kind: 'function';
    readonly name: string;
    readonly params: readonly CatalogueParam[];
    readonly returns: string;
    /** Named outputs of a multi-output function (`macd(close).hist`). The first is the default. */
    readonly outputs?: readonly string[];
    /**
     * Bars of history needed before the first value, as a formula over parameter names
     * (numbers, + - * /, min(), max()). Added to the look-back of the inputs.
     */
    readonly lookback: string;
    /** Fields read implicitly from the bar (atr reads high, low and close). */
    readonly reads?: readonly string[];
    /** Known value range of the result, used to find rules that can never fire. */
    readonly range?: readonly [number, number];
    /** Operates across the universe at each bar instead of along time. */
    readonly crossSectional?: boolean;
    /** Inputs can be swapped without changing the result (for the canonical DAG). */
    readonly commutative?: boolean;
    /** Pure elementwise function of its inputs (constant-foldable when inputs are constants). */
    readonly elementwise?: boolean;
    /** Needs bars of a coarser timeframe (resample). */
    readonly resamples?: boolean;
    readonly doc: string;
    readonly example: string;
}

export interface CatalogueField {
    readonly kind: 'field';
    readonly name: string;
    readonly returns: string;
    /** Known when the bar opens (open) rather than when it closes (high, low, close, volume). */
    readonly knownAtOpen?: boolean;
    readonly doc: string;
    readonly example: string;
}

export interface CatalogueConst {
    readonly kind: 'const';
    readonly name: string;
    readonly enumType: string;
    readonly doc: string;
    readonly example: string;
}

export type CatalogueEntry = CatalogueFunction | CatalogueField | CatalogueConst;

export interface CapabilityPack {
    readonly id: string;
    readonly version: string;
    readonly description: string;
    readonly entries: readonly CatalogueEntry[];
    /**
     * Enabled by the workspace's configuration (a pack folder, or a pack shipped with AlphaForge but
     * off by default, such as mid-frequency): a strategy that uses such a pack records it
     * (StrategyIr.packs), so its exact fingerprint and its runs' provenance name it.
     */
    readonly declared?: boolean;
    /** A pack folder's: the integrity hash of its files (none for a pack shipped with AlphaForge: its code is the product's own). */
    readonly integrity?: string;
}
