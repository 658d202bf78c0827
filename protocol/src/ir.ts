/**
 * The formats the language library produces and every other part reads: the IR of a strategy (a
 * typed dataflow graph plus everything the engine needs around it) and its canonical DAG. Plain
 * JSON: no AST references, no Maps, so they can be stored, sent over the wire (daemon, language
 * server) and read back. docs/ir.md is the reference; bump IR_VERSION / DAG_VERSION on any
 * incompatible change. The builders live in language/src/ir/.
 */
import { UserInputError } from './errors.js';

export const IR_VERSION = 1;

/** Index of a node in `StrategyIr.nodes`. Inputs always have smaller ids (topological order). */
export type NodeId = number;

export type IrOp =
    | 'const' | 'param' | 'field' | 'call' | 'index' | 'if' | 'enum'
    | 'neg' | 'not'
    | 'add' | 'sub' | 'mul' | 'div'
    | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne'
    | 'and' | 'or';

export const UNARY_OPS: readonly IrOp[] = ['neg', 'not'];
export const BINARY_OPS: readonly IrOp[] = ['add', 'sub', 'mul', 'div', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'and', 'or'];
/** Binary ops whose two inputs can be swapped. */
export const COMMUTATIVE_OPS: readonly IrOp[] = ['add', 'mul', 'and', 'or', 'eq', 'ne'];

export type AttrValue = string | number | boolean | null;

export interface IrNode {
    readonly id: NodeId;
    readonly op: IrOp;
    readonly inputs: readonly NodeId[];
    /**
     * `<shape> <base>`: shape is `scalar` or `series`; base is `num`, `int`, `bool`, `duration`,
     * `string`, `asset`, `unknown` or `enum<name>`. E.g. `series num`, `scalar int`, `scalar enum<fill_mode>`.
     */
    readonly type: string;
    /**
     * Physical unit of a number: `any` (a bare literal that adopts its context's unit), `1`
     * (dimensionless), `%` or `bps` (dimensionless, written that way), or a product of base
     * dimensions such as `price`, `price^2`, `price/volume`, `bars`. Non-numbers have `1`.
     */
    readonly unit: string;
    readonly attrs: Readonly<Record<string, AttrValue>>;
}

export interface IrAsset {
    /** `binance:BTC/USDT` as written. */
    readonly id: string;
    readonly venue: string;
    readonly symbol: string;
    /** The `as` name, used by fields (`a.close`) and actions (`target a: …`); null if none. */
    readonly alias: string | null;
}

export interface IrParam {
    readonly name: string;
    readonly type: 'int' | 'float' | 'bool';
    /** The `param` node that stands for this param in the graph. */
    readonly node: NodeId;
    readonly default: number | boolean | null;
    readonly low: number | null;
    readonly high: number | null;
    /** Grid step (1 for int ranges written without one); null for a continuous float range. */
    readonly step: number | null;
    /** Values a grid sweep tries (a param without a range: its default); null when continuous or over MAX_GRID values (use low/high/step). */
    readonly grid: readonly (number | boolean)[] | null;
    /** Has more than one candidate value. */
    readonly free: boolean;
}

export interface IrTarget {
    /** Asset alias; null means every asset of the universe. */
    readonly asset: string | null;
    /** Fraction of equity (or a quantity when `quantity`). */
    readonly size: NodeId;
    readonly quantity: boolean;
    readonly side: 'long' | 'short';
}

export type IrAction =
    | { readonly kind: 'target'; readonly targets: readonly IrTarget[] }
    /** Close positions in these assets (aliases); empty means all. */
    | { readonly kind: 'flat'; readonly assets: readonly string[] }
    | {
        readonly kind: 'order';
        readonly side: 'buy' | 'sell';
        readonly asset: string | null;
        readonly size: NodeId;
        readonly quantity: boolean;
        readonly type: 'market' | 'limit' | 'stop';
        readonly price: NodeId | null;
        /** A number of bars (unit `bars`) or a duration node; null = good till cancelled. */
        readonly expire: NodeId | null;
    };

export interface IrRule {
    readonly condition: NodeId;
    readonly actions: readonly IrAction[];
}

export interface IrSetting {
    readonly value: NodeId;
    /** `units`: the value is a quantity, not a fraction of equity. */
    readonly quantity: boolean;
    /** `=> halt` etc. (max_drawdown only; defaults to halt there). */
    readonly action: NodeId | null;
    /** Written in the strategy (false: the default from the settings table). */
    readonly explicit: boolean;
}

export interface IrAllocation {
    readonly side: 'long' | 'short';
    /** Boolean series per asset: which assets are held. */
    readonly selection: NodeId;
    /** An enum<weighting> node (equal by default) or a numeric series. */
    readonly weighting: NodeId;
}

export interface IrPortfolio {
    readonly settings: Readonly<Record<string, IrSetting>>;
    readonly allocations: readonly IrAllocation[];
}

export interface StrategyIr {
    readonly irVersion: typeof IR_VERSION;
    readonly strategy: string;
    readonly tags: readonly string[];
    readonly universe: readonly IrAsset[];
    readonly timeframe: { readonly text: string; readonly ms: number };
    readonly params: readonly IrParam[];
    /** Boolean param-only expressions that every sweep point must satisfy. */
    readonly constraints: readonly NodeId[];
    /** Names for humans (hovers, reports); the canonical DAG erases them. */
    readonly features: Readonly<Record<string, NodeId>>;
    readonly signals: Readonly<Record<string, NodeId>>;
    /** Rules in source order: order is semantic (later actions win within a bar). */
    readonly rules: readonly IrRule[];
    readonly risk: Readonly<Record<string, IrSetting>>;
    readonly execution: Readonly<Record<string, IrSetting>>;
    readonly portfolio: IrPortfolio | null;
    /** Bars before every input is defined, with default params, and the upper bound over the ranges. */
    readonly warmup: { readonly bars: number; readonly maxBars: number };
    /** next_open, next_close or this_close. */
    readonly fill: string;
    readonly nodes: readonly IrNode[];
    /**
     * The packs the workspace declares (not the built-in ones) whose functions or fields the
     * strategy uses, by name: their versions and integrity hashes are part of the exact fingerprint
     * and the run's provenance. Absent when it uses built-in packs only.
     */
    readonly packs?: readonly IrPack[];
}

/**
 * A declared pack a strategy uses: name, version and, for a pack folder, the integrity hash of its
 * files (none for a pack shipped with AlphaForge and enabled by name: its code is the engine's, named by engineVersion).
 */
export interface IrPack {
    readonly name: string;
    readonly version: string;
    readonly integrity?: string;
}

/** A compile error, 1-based position. */
export interface IrDiagnostic {
    readonly uri: string;
    readonly line: number;
    readonly column: number;
    readonly code: string;
    readonly message: string;
}

/** Thrown when a strategy cannot be compiled; `errors` lists every reason (-32602). */
export class IrError extends UserInputError {
    constructor(readonly errors: readonly IrDiagnostic[]) {
        super(errors.length === 1 ? errors[0]!.message : `${errors.length} errors: ${errors.map(e => `${e.line}:${e.column} ${e.code} ${e.message}`).join('; ')}`);
        this.name = 'IrError';
    }
}

// ------------------------------------------------------------------------ canonical DAG

export const DAG_VERSION = 1;

export type DagMode = 'exact' | 'structural';

/** Ops of the DAG: the IR's, except that gt/ge are rewritten to lt/le. */
export type DagOp = Exclude<IrOp, 'gt' | 'ge'>;

export interface DagNode {
    readonly id: NodeId;
    readonly op: DagOp;
    readonly inputs: readonly NodeId[];
    readonly type: string;
    readonly unit: string;
    readonly attrs: Readonly<Record<string, AttrValue>>;
}

export interface DagTarget {
    /** Index into the universe; null = every asset. */
    readonly asset: number | null;
    /** Signed: a short target is the negated size. */
    readonly size: NodeId;
    readonly quantity: boolean;
}

export type DagAction =
    | { readonly kind: 'target'; readonly targets: readonly DagTarget[] }
    | { readonly kind: 'flat'; readonly assets: readonly number[] }
    | {
        readonly kind: 'order'; readonly side: 'buy' | 'sell'; readonly asset: number | null; readonly size: NodeId;
        readonly quantity: boolean; readonly type: string; readonly price: NodeId | null; readonly expire: NodeId | null;
    };

export interface DagRule {
    readonly condition: NodeId;
    readonly actions: readonly DagAction[];
}

export interface DagSetting {
    readonly value: NodeId;
    readonly quantity: boolean;
    readonly action: NodeId | null;
}

export interface DagAllocation {
    readonly side: 'long' | 'short';
    readonly selection: NodeId;
    readonly weighting: NodeId;
}

export interface CanonicalDag {
    readonly dagVersion: typeof DAG_VERSION;
    readonly mode: DagMode;
    /** Size of the universe and, in exact mode, its assets (`venue:SYMBOL`) in universe order. */
    readonly universe: { readonly size: number; readonly assets: readonly string[] | null };
    /** Bar length in ms (exact mode only). */
    readonly timeframeMs: number | null;
    readonly nodes: readonly DagNode[];
    /** Constraint roots, sorted (a set). */
    readonly constraints: readonly NodeId[];
    /** In source order: rule order is semantic. */
    readonly rules: readonly DagRule[];
    readonly risk: Readonly<Record<string, DagSetting>>;
    readonly execution: Readonly<Record<string, DagSetting>>;
    readonly portfolio: { readonly settings: Readonly<Record<string, DagSetting>>; readonly allocations: readonly DagAllocation[] } | null;
    /**
     * Exact mode only, and only when the strategy uses workspace packs: each one's name, version and
     * integrity (sorted by name). The structural DAG leaves them out: a pack's version is, like a
     * literal, a value — the shape (which functions) is already in the nodes.
     */
    readonly packs?: readonly IrPack[];
}
