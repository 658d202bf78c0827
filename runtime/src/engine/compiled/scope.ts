/**
 * What generated code needs besides its text: the values it reads by name (state arrays, indicator
 * objects, constants, helpers), the data columns it reads at a fixed asset (hoisted into variables)
 * and its state. The graph compiler (program.ts) and the bar-loop generator (loop.ts) fill one scope
 * together, so both name columns and state the same way.
 *
 * The generated text depends only on the IR's structure and the universe size, not on parameter
 * values (those are bound by name here, initial states included): every trial of a sweep then runs
 * the same source, which V8 compiles and optimises once.
 */
import { HFT_COLUMNS, type HftColumn } from '../../../../language/src/catalogue/hft-pack.js';
import { ONCHAIN_COLUMNS, type OnchainColumn } from '../../../../language/src/catalogue/onchain-pack.js';
import type { AssetBars } from '../../data/bars.js';

export const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type FieldName = (typeof FIELDS)[number];

/**
 * Every column of a program's clock: the bar fields, the on-chain data columns (AssetBars.onchain),
 * then the HFT pack's per-event columns (only the event engine, engine/hft/, fills them; bars never carry them).
 */
export const COLUMNS = [...FIELDS, ...ONCHAIN_COLUMNS, ...HFT_COLUMNS] as const;
export type ColumnName = FieldName | OnchainColumn | HftColumn;
/** Index in COLUMNS of the first on-chain column. */
export const ONCHAIN_FROM = FIELDS.length;
/** Index in COLUMNS after the last on-chain column. */
export const ONCHAIN_TO = ONCHAIN_FROM + ONCHAIN_COLUMNS.length;
/** Per COLUMNS index: 1 for an on-chain level (a coarse bar keeps its last value), 0 for a flow (summed) or a bar field. */
export const ONCHAIN_LEVEL: readonly number[] = COLUMNS.map(c => (c === 'dex_tvl' || c === 'gas_price' ? 1 : 0));

const nanColumns = new WeakMap<Float64Array, Float64Array>();
const absent = new WeakSet<Float64Array>();

/** Whether a column is the stand-in for on-chain data the bars do not carry (all NaN). */
export function isAbsentColumn(c: Float64Array): boolean {
    return absent.has(c);
}

/** A NaN column of n values that stands for absent data (isAbsentColumn). */
export function absentColumn(n: number): Float64Array {
    const c = new Float64Array(n).fill(NaN);
    absent.add(c);
    return c;
}

/** Column `f` of an asset's bars: an on-chain column the data does not carry is one NaN column per time axis (shared). */
export function assetColumn(bars: AssetBars, f: ColumnName, like: Float64Array): Float64Array {
    if ((FIELDS as readonly string[]).includes(f)) return bars[f as FieldName];
    const c = bars.onchain?.[f as OnchainColumn];
    if (c) return c;
    let nan = nanColumns.get(like);
    if (!nan) nanColumns.set(like, (nan = absentColumn(like.length)));
    return nan;
}

/** The program's columns over N assets' bars: COLUMNS[f] of asset a at f × N + a. */
export function barColumns(assets: readonly AssetBars[]): Float64Array[] {
    const cols: Float64Array[] = [];
    for (const f of COLUMNS) for (const b of assets) cols.push(assetColumn(b, f, b.close));
    return cols;
}

export class CodeScope {
    /**
     * Values bound by name (`const name = env[i]` at the top of the generated function). An array,
     * not an object with these names as keys: such an object's hidden class dies with the run, and
     * optimised code that depended on it would be thrown away for the next run.
     */
    readonly env: unknown[] = [];
    private readonly envNames: string[] = [];
    /** Hoisted column name → index into the program's Columns (field f of asset a at f × N + a). */
    readonly hoisted = new Map<string, number>();
    /** All the state of the generated code lives in one Float64Array `S`: the initial values of its slots. */
    private readonly init: number[] = [];
    /** State name → its first slot in S. */
    private readonly slots = new Map<string, number>();
    /** State held in local variables while the generated function runs (loaded from S and stored back). */
    private readonly locals: string[] = [];
    private readonly ints = new Set<string>();
    private readonly names = new Set<string>();
    private finished = false;
    /**
     * Per node: the code it runs in the steady loop of a backtest (loop.ts) and the condition on its
     * state under which that code computes exactly what its full code would (a window already full,
     * no undefined value in it). The steady code sets `leaveSteady` when its state leaves that
     * condition, and the loop goes back to the full code from the next bar.
     */
    readonly steadyForms = new Map<number, { readonly when: string; readonly code: string }>();

    /**
     * @param useLocals whether state of one asset may live in local variables — only when the
     * generated function runs many bars per call (loop.ts): V8 keeps locals in registers, while a
     * double in a closure variable would be boxed, one allocation a store.
     */
    constructor(readonly N: number, private readonly useLocals = false) {}

    /** The asset expression of per-asset code: the loop variable, or the literal 0 with one asset (V8 then folds every index). */
    get asset(): string {
        return this.N === 1 ? '0' : 'a';
    }

    /** Makes `value` readable by the generated code under `name` (which must be a fresh identifier). */
    bind(name: string, value: unknown): string {
        if (this.finished) throw new Error(`generated code: ${name} bound after the scope was finished`);
        if (this.names.has(name)) throw new Error(`generated code: name ${name} bound twice`);
        this.names.add(name);
        this.envNames.push(name);
        this.env.push(value);
        return name;
    }

    has(name: string): boolean {
        return this.names.has(name);
    }

    /**
     * Per-asset state starting at `init`; returns an lvalue for asset `a`: a local variable with one
     * asset when allowed, else its slot in S. `int`: the state is a small integer (a count or a
     * position), which a local then holds as one (V8 keeps it in an integer register).
     */
    state(name: string, init: number, a: string, int = false): string {
        const local = this.useLocals && this.N === 1;
        let off = this.slots.get(name);
        if (off === undefined) {
            if (this.names.has(name)) throw new Error(`generated code: name ${name} used twice`);
            this.names.add(name);
            off = this.init.length;
            this.slots.set(name, off);
            for (let k = 0; k < (local ? 1 : this.N); k++) this.init.push(init);
            if (local) this.locals.push(name);
            if (int) this.ints.add(name);
        }
        if (local) return name;
        return this.N === 1 ? `S[${off}]` : /^\d+$/.test(a) ? `S[${off + Number(a)}]` : `S[${off} + ${a}]`;
    }

    /** State of the loop itself (one value, not per asset): a local variable when allowed. */
    scalar(name: string, init: number): string {
        if (this.N === 1) return this.state(name, init, '0');
        const local = this.useLocals;
        let off = this.slots.get(name);
        if (off === undefined) {
            this.names.add(name);
            off = this.init.length;
            this.slots.set(name, off);
            this.init.push(init);
            if (local) this.locals.push(name);
        }
        return local ? name : `S[${off}]`;
    }

    /** Field `field` of asset `a` (an expression, or a literal index) at bar t. */
    column(field: ColumnName, a: string): string {
        const f = (COLUMNS as readonly string[]).indexOf(field);
        if (f < 0) throw new Error(`generated code: no column ${field}`);
        if (/^\d+$/.test(a)) {
            const name = `${field}_${a}`;
            this.hoisted.set(name, f * this.N + Number(a));
            return `${name}[t]`;
        }
        return `C[${f * this.N} + ${a}][t]`;
    }

    /** The slot of node `id` for asset `a` in V, folded when the asset is a literal. */
    slot(id: number, a: string): string {
        return /^\d+$/.test(a) ? `V[${id * this.N + Number(a)}]` : `V[${id * this.N} + ${a}]`;
    }

    /** Binds the state array S (after the last state was declared); the scope takes no more names. */
    finish(): void {
        if (this.finished) return;
        this.bind('S', Float64Array.from(this.init));
        this.finished = true;
    }

    /**
     * Lines binding the env names: `const x = env[i];`, with `+` for numbers — V8 then knows they
     * are numbers, and state computed from them stays an unboxed double.
     */
    bindings(): string[] {
        return this.envNames.map((k, i) => `const ${k} = ${typeof this.env[i] === 'number' ? '+' : ''}env[${i}];`);
    }

    /** Assignments of the hoisted columns from the Columns `c` (`x = c[i];`). */
    columnAssignments(c: string): string[] {
        return [...this.hoisted].map(([name, i]) => `${name} = ${c}[${i}];`);
    }

    /** Declarations of the local state, loaded from S. */
    loadLocals(): string[] {
        return this.locals.map(n => `let ${n} = S[${this.slots.get(n)!}]${this.ints.has(n) ? ' | 0' : ''};`);
    }

    /** Statements storing the local state back into S. */
    storeLocals(): string[] {
        return this.locals.map(n => `S[${this.slots.get(n)!}] = ${n};`);
    }
}
