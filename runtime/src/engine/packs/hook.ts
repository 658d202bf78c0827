/**
 * The one hook through which the compiled engine (compiled/program.ts) and the reference
 * interpreter (reference/graph.ts) reach a function's implementation: they ask the installed pack
 * registry for `fn` and get what the pack contributes, never knowing which pack it is. A pack gives
 * each of its functions one implementation per engine (the differential tests hold the two equal):
 *
 * - compiled: an incremental object per (node, asset) (`create`), optionally generated code in line
 *   (`inline`, for the hottest indicators), or a cross-sectional kernel over one bar of all assets;
 * - reference: the most obvious definition, recomputed from the inputs' histories (`series`), of one
 *   bar's values (`elementwise`, also used to fold constants), or over all assets (`crossSectional`).
 *
 * A function of a pack that is not built in runs guarded: if it throws in the bar loop the run stops
 * with a PackFunctionError naming the pack, the function and the bar.
 */
import { BacktestError } from '../types.js';
import { builtInRegistry } from './builtin.js';
import type { Indicator } from '../indicators/index.js';
import type { InlineIndicator } from '../compiled/inline.js';
import type { ColumnName } from '../compiled/scope.js';
import type { Val } from '../reference/functions.js';

export type { Indicator } from '../indicators/index.js';
export type { InlineIndicator } from '../compiled/inline.js';
export type { Val } from '../reference/functions.js';

export interface CompiledFunction {
    /** The catalogue parameters in order: 'series' inputs arrive per bar, 'const' ones once, before the first bar. */
    readonly params: readonly ('series' | 'const')[];
    /** Bar fields (or on-chain data columns) read implicitly (appended to the series inputs). */
    readonly reads?: readonly ColumnName[];
    /** Output name → property holding it after each push (multi-output functions). */
    readonly outputs?: Readonly<Record<string, string>>;
    /** An incremental object per (node, asset): push(...series) per bar returns the value (NaN = undefined). */
    readonly create?: (consts: readonly number[]) => Indicator;
    /** The same function as generated code (single-output use); preferred over create when present. */
    readonly inline?: InlineIndicator;
    /** Cross-sectional: reads V[inBase + a], writes V[outBase + a] for the N assets; `k` is the first constant argument. */
    readonly crossSectional?: (V: Float64Array, inBase: number, outBase: number, N: number, k: number) => void;
}

/** What the reference interpreter hands a function evaluated along time at bar t for one asset. */
export interface ReferenceCall {
    readonly fn: string;
    readonly t: number;
    /** The value of argument k at bar t. */
    arg(k: number): Val;
    /** Argument k's values at bars 0 … t (index = bar). */
    hist(k: number): readonly Val[];
    /** A bar field (or on-chain data column) of the asset at bars 0 … t. */
    column(field: ColumnName): readonly Val[];
    /** The output asked for (`macd(close).hist`), undefined for the default. */
    readonly output: string | undefined;
}

export interface ReferenceFunction {
    readonly elementwise?: (args: readonly Val[]) => Val;
    readonly series?: (call: ReferenceCall) => Val;
    /** One bar: every asset's first argument, and the other arguments (constants) of asset 0. */
    readonly crossSectional?: (inputs: readonly Val[], consts: readonly Val[]) => Val[];
}

/** A pack's code: its manifest's functions, one implementation per engine. */
export interface PackImplementation {
    readonly compiled: Readonly<Record<string, CompiledFunction>>;
    readonly reference: Readonly<Record<string, ReferenceFunction>>;
}

/** A function as the registry resolves it for an engine. */
export interface Resolved<T> {
    readonly pack: string;
    /** Shipped with AlphaForge (runs unguarded, as core always did). */
    readonly builtIn: boolean;
    readonly impl: T;
}

/** The registry as the engines see it. */
export interface FunctionProvider {
    compiled(fn: string): Resolved<CompiledFunction> | undefined;
    reference(fn: string): Resolved<ReferenceFunction> | undefined;
}

/** Functions the engines implement themselves, whatever pack declares them: they are about clocks, not values. */
export const ENGINE_INTRINSICS: ReadonlySet<string> = new Set(['resample']);

/** A pack's function threw while a run evaluated it. */
export class PackFunctionError extends BacktestError {
    /** @param bar the bar being evaluated, or undefined while the function was being set up. */
    constructor(readonly pack: string, readonly fn: string, bar: number | undefined, cause: unknown) {
        const when = bar === undefined ? 'while being set up' : `at bar ${bar}`;
        super(`pack '${pack}': ${fn}() failed ${when}: ${cause instanceof Error ? cause.message : String(cause)}. The run stopped; fix the pack or remove it from the workspace (af pack remove ${pack}).`);
        this.name = 'PackFunctionError';
    }
}

let provider: FunctionProvider | undefined;

/** Installs the registry the engines resolve functions through in this process (a worker installs its run's). */
export function installFunctionProvider(p: FunctionProvider): void {
    provider = p;
}

/**
 * Runs `build` with `p` as the registry instead of the installed one, and puts the installed one
 * back: the daemon's main thread compiles each deployment's program against that deployment's
 * shipped packs without changing what anything else there resolves. `build` must be synchronous
 * (the compiled engine resolves every function while it builds its program, none per bar).
 */
export function withFunctionProvider<T>(p: FunctionProvider | undefined, build: () => T): T {
    if (!p) return build();
    const before = provider;
    provider = p;
    try {
        return build();
    } finally {
        provider = before;
    }
}

/** The installed registry: the built-in packs until a caller installs another. */
function current(): FunctionProvider {
    return (provider ??= builtInRegistry());
}

export function compiledFunction(fn: string): Resolved<CompiledFunction> {
    const r = current().compiled(fn);
    if (!r) throw new BacktestError(`the engine has no implementation of ${fn}(): no installed pack contributes it`);
    return r;
}

export function referenceFunction(fn: string): Resolved<ReferenceFunction> {
    const r = current().reference(fn);
    if (!r) throw new BacktestError(`the reference interpreter has no implementation of ${fn}(): no installed pack contributes it`);
    return r;
}

/** Whether fn is a cross-sectional function (the compiled engine gives it a segment of its own). */
export function isCrossSectionalFunction(fn: string): boolean {
    return current().compiled(fn)?.impl.crossSectional !== undefined;
}
