/**
 * The canonical DAG of a strategy: the IR with everything that does not change what the
 * strategy does taken out, so that two strategies that trade the same way get the same graph.
 *
 * - names erased (features, signals, params, asset aliases);
 * - `a > b` becomes `b < a`, `a >= b` becomes `b <= a`; inputs of commutative ops (add, mul,
 *   and, or, eq, ne and catalogue functions marked commutative such as min/max) are sorted;
 * - constants folded (`2 * 3` → 6, `-2%` → -0.02, `if true then a else b` → a, `x[0]` → x,
 *   `x[1][2]` → `x[3]`); `%`/`bps` become plain dimensionless (`1`): they only say how a
 *   fraction was written; constants are `num` (whether one is whole is part of its value);
 * - common subexpressions merged (hash-consing on the Merkle hash of each subtree);
 * - node order by content: (height, Merkle hash), so declaration order is irrelevant;
 * - only what rules, portfolio, risk and execution depend on is kept, plus the constraints
 *   on params they use.
 *
 * Params have no names, so identical-looking params (two `int` params) must still stay apart:
 * each gets a slot number from its place in the graph (the hash of the contexts it is used in),
 * not from its name or declaration order. In structural mode numeric values (literals, param
 * defaults and ranges, durations, the timeframe and the universe's symbols) are abstracted
 * before hashing, so the graph — and its order — depend on shape, types and units only.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { Catalogue } from '../catalogue/catalogue.js';
import { applyFunction, applyOp, type ScalarOp } from '../analysis/scalar-ops.js';
import { BINARY_OPS, COMMUTATIVE_OPS, type AttrValue, type IrNode, type IrSetting, type NodeId, type StrategyIr } from '../../../protocol/src/ir.js';
import { DAG_VERSION, type DagMode, type DagOp, type DagNode, type DagTarget, type DagAction, type DagRule, type DagSetting, type DagAllocation, type CanonicalDag } from '../../../protocol/src/ir.js';

export { DAG_VERSION };
export type { DagMode, DagOp, DagNode, DagTarget, DagAction, DagRule, DagSetting, DagAllocation, CanonicalDag };

export interface DagOptions {
    /** Which catalogue functions are commutative / elementwise. Default: the core pack. */
    readonly catalogue?: Catalogue;
}

let coreCatalogue: Catalogue | undefined;

/** The canonical DAG of an IR (pure: works on IR read back from JSON too). */
export function canonicalDag(ir: StrategyIr, mode: DagMode = 'exact', options: DagOptions = {}): CanonicalDag {
    return canonicalize(ir, mode, options).dag;
}

/** The DAG plus where each IR node ended up (undefined: folded away or unused). */
export function canonicalize(ir: StrategyIr, mode: DagMode = 'exact', options: DagOptions = {}): { dag: CanonicalDag; nodeOf: (irNode: NodeId) => NodeId | undefined } {
    const catalogue = options.catalogue ?? (coreCatalogue ??= new Catalogue());
    return new Canonicalizer(ir, mode, catalogue).run();
}

// ---------------------------------------------------------------------- terms

/** A node of the rewritten graph before canonical numbering. `param` is the IR param index (identity). */
interface Term {
    readonly op: DagOp;
    readonly inputs: readonly number[];
    readonly type: string;
    readonly unit: string;
    readonly attrs: Readonly<Record<string, AttrValue>>;
    readonly param?: number;
    readonly commutative: boolean;
}

/** Numbers as they enter hashes: 15 significant digits (so 0.1% and 10 bps agree), no -0; non-finite as text. */
export function canonNumber(v: number): number | string {
    if (!Number.isFinite(v)) return String(v);
    return Number(v.toPrecision(15)) + 0;
}

/** One-shot SHA-256 (Node ≥ 20.12: no Hash object per call; canonicalising hashes every term several times). */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

function sha(s: string): string {
    return oneShot ? oneShot('sha256', s, 'hex') : createHash('sha256').update(s).digest('hex');
}

/** JSON with object keys sorted, so equal values always print the same (loops: this runs for every term, and for the whole DAG). */
export function stableStringify(v: unknown): string {
    if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
    let out: string;
    if (Array.isArray(v)) {
        out = '[';
        for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + stableStringify(v[i]);
        return out + ']';
    }
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    out = '{';
    let first = true;
    for (const k of keys) {
        if (o[k] === undefined) continue;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + stableStringify(o[k]);
        first = false;
    }
    return out + '}';
}

class Canonicalizer {
    private readonly terms: Term[] = [];
    private readonly byKey = new Map<string, number>();
    private readonly termOfIr: number[] = [];
    private readonly paramOfNode = new Map<NodeId, number>();
    private readonly aliasIndex = new Map<string, number>();
    /** Root references (term, context key) for the param slot computation. */
    private readonly roots: { term: number; key: string }[] = [];

    constructor(private readonly ir: StrategyIr, private readonly mode: DagMode, private readonly catalogue: Catalogue) {
        ir.params.forEach((p, i) => this.paramOfNode.set(p.node, i));
        ir.universe.forEach((a, i) => { if (a.alias) this.aliasIndex.set(a.alias, i); });
    }

    run(): { dag: CanonicalDag; nodeOf: (irNode: NodeId) => NodeId | undefined } {
        for (const n of this.ir.nodes) this.termOfIr[n.id] = this.rewrite(n);

        // Sinks in term ids; signed target sizes may add terms.
        const rules = this.ir.rules.map((r, i) => this.rule(r, i));
        const risk = this.settings(this.ir.risk, 'risk');
        const execution = this.settings(this.ir.execution, 'execution');
        const portfolio = this.ir.portfolio && {
            settings: this.settings(this.ir.portfolio.settings, 'portfolio'),
            allocations: this.ir.portfolio.allocations.map(a => {
                const sel = this.t(a.selection), w = this.t(a.weighting);
                this.roots.push({ term: sel, key: `alloc.${a.side}.selection` }, { term: w, key: `alloc.${a.side}.weighting` });
                return { side: a.side, selection: sel, weighting: w };
            }),
        };
        // A constraint matters only if it restricts a param that something trades on.
        const trading = new Set(this.reachable());
        const constraints = this.ir.constraints.map(c => this.t(c)).filter(t => this.reachable([t]).some(x => this.terms[x]!.op === 'param' && trading.has(x)));
        for (const t of constraints) this.roots.push({ term: t, key: 'constraint' });

        const live = this.reachable();
        const slots = this.paramSlots(live);
        const hash = this.hashes(live, t => this.label(t, slots));
        const height = this.heights(live);

        // One DAG node per distinct hash (structural mode merges nodes that differ only in values).
        const repr = new Map<string, number>();
        for (const t of live) if (!repr.has(hash[t]!)) repr.set(hash[t]!, t);
        const order = [...repr]
            .map(([h, t]) => ({ h, t, height: height[t]! }))
            .sort((a, b) => a.height - b.height || (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
        const index = new Map(order.map((o, i) => [o.h, i]));
        const id = (t: number): NodeId => index.get(hash[t]!)!;
        const nodes: DagNode[] = order.map(({ t }, i) => {
            const term = this.terms[t]!;
            const inputs = term.inputs.map(id);
            if (term.commutative) inputs.sort((a, b) => a - b);
            return { id: i, op: term.op, inputs, type: term.type, unit: term.unit, attrs: this.viewAttrs(t, slots) };
        });

        const mapSetting = (s: Record<string, TermSetting>): Record<string, DagSetting> =>
            Object.fromEntries(Object.keys(s).sort().map(k => [k, { value: id(s[k]!.value), quantity: s[k]!.quantity, action: s[k]!.action === null ? null : id(s[k]!.action!) }]));
        const dag: CanonicalDag = {
            dagVersion: DAG_VERSION,
            mode: this.mode,
            universe: { size: this.ir.universe.length, assets: this.mode === 'exact' ? this.ir.universe.map(a => a.id) : null },
            timeframeMs: this.mode === 'exact' ? this.ir.timeframe.ms : null,
            nodes,
            constraints: [...new Set(constraints.map(id))].sort((a, b) => a - b),
            rules: rules.map(r => ({
                condition: id(r.condition),
                actions: r.actions.map((a): DagAction => {
                    if (a.kind === 'target') {
                        const targets = a.targets.map(x => ({ asset: x.asset, size: id(x.size), quantity: x.quantity }));
                        targets.sort((p, q) => (p.asset ?? -1) - (q.asset ?? -1) || p.size - q.size || Number(p.quantity) - Number(q.quantity));
                        return { kind: 'target', targets };
                    }
                    if (a.kind === 'flat') return a;
                    return { ...a, size: id(a.size), price: a.price === null ? null : id(a.price), expire: a.expire === null ? null : id(a.expire) };
                }),
            })),
            risk: mapSetting(risk),
            execution: mapSetting(execution),
            portfolio: portfolio && {
                settings: mapSetting(portfolio.settings),
                allocations: portfolio.allocations
                    .map(a => ({ side: a.side, selection: id(a.selection), weighting: id(a.weighting) }))
                    .sort((p, q) => p.side.localeCompare(q.side) || p.selection - q.selection || p.weighting - q.weighting),
            },
            // Absent for built-in packs only, so those strategies keep the fingerprints they always had.
            ...(this.mode === 'exact' && this.ir.packs?.length
                ? { packs: [...this.ir.packs].map(p => ({ name: p.name, version: p.version, ...(p.integrity !== undefined ? { integrity: p.integrity } : {}) })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) }
                : {}),
        };
        return { dag, nodeOf: irNode => { const t = this.termOfIr[irNode]; return t !== undefined && hash[t] !== undefined ? id(t) : undefined; } };
    }

    // ------------------------------------------------------------------ rewriting

    private t(irNode: NodeId): number {
        const t = this.termOfIr[irNode];
        if (t === undefined) throw new Error(`IR node ${irNode} does not exist`);
        return t;
    }

    private add(term: Omit<Term, 'commutative'> & { commutative?: boolean }): number {
        const commutative = term.commutative ?? false;
        // Term ids are structural up to here, so sorting them merges `a + b` with `b + a` early.
        const inputs = commutative ? [...term.inputs].sort((a, b) => a - b) : term.inputs;
        const key = JSON.stringify([term.op, inputs, term.type, term.unit, term.attrs, term.param ?? null]);
        const found = this.byKey.get(key);
        if (found !== undefined) return found;
        this.terms.push({ ...term, inputs, commutative });
        this.byKey.set(key, this.terms.length - 1);
        return this.terms.length - 1;
    }

    private constant(value: number | boolean | string, type: string, unit: string): number {
        // Whether a constant is whole is a property of its value: `6` and `abs(-2) * 3` are the same.
        return this.add({ op: 'const', inputs: [], type: type.replace(/ int$/, ' num'), unit, attrs: { value: typeof value === 'number' ? canonNumber(value) : value } });
    }

    private constValue(t: number): number | boolean | string | undefined {
        const term = this.terms[t]!;
        return term.op === 'const' ? (term.attrs['value'] as number | boolean | string) : undefined;
    }

    private rewrite(n: IrNode): number {
        const unit = n.unit === '%' || n.unit === 'bps' ? '1' : n.unit;
        const ins = n.inputs.map(i => this.t(i));
        const vals = ins.map(i => this.constValue(i));
        const allConst = vals.every(v => v !== undefined);
        const nums = vals.every(v => typeof v === 'number') ? (vals as number[]) : undefined;
        const fold = (v: number | boolean | undefined): number | undefined =>
            v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? undefined : this.constant(v, n.type, unit);
        switch (n.op) {
            case 'const': {
                const v = n.attrs['value'];
                // Durations keep only their length: `24h` and `1d` are the same.
                return this.constant(typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : String(v), n.type, unit);
            }
            case 'param': return this.add({ op: 'param', inputs: [], type: n.type, unit, attrs: {}, param: this.paramOfNode.get(n.id) ?? -1 });
            case 'enum': return this.add({ op: 'enum', inputs: [], type: n.type, unit, attrs: { value: n.attrs['value'] ?? null } });
            case 'field': {
                const alias = n.attrs['asset'];
                const asset = typeof alias === 'string' ? this.aliasIndex.get(alias) ?? alias : null;
                return this.add({ op: 'field', inputs: [], type: n.type, unit, attrs: { name: n.attrs['name'] ?? null, asset } });
            }
            case 'neg': {
                const x = ins[0]!, inner = this.terms[x]!;
                if (nums) return fold(applyOp('neg', nums)) ?? this.add({ op: 'neg', inputs: ins, type: n.type, unit, attrs: {} });
                if (inner.op === 'neg') return inner.inputs[0]!;
                return this.add({ op: 'neg', inputs: ins, type: n.type, unit, attrs: {} });
            }
            case 'not': {
                const x = ins[0]!, inner = this.terms[x]!;
                if (typeof vals[0] === 'boolean') return this.constant(!vals[0], n.type, unit);
                if (inner.op === 'not') return inner.inputs[0]!;
                return this.add({ op: 'not', inputs: ins, type: n.type, unit, attrs: {} });
            }
            case 'if': {
                if (typeof vals[0] === 'boolean') return vals[0] ? ins[1]! : ins[2]!;
                return this.add({ op: 'if', inputs: ins, type: n.type, unit, attrs: {} });
            }
            case 'index': {
                const [base, k] = [ins[0]!, vals[1]];
                if (k === 0) return base;
                const b = this.terms[base]!;
                const k2 = b.op === 'index' ? this.constValue(b.inputs[1]!) : undefined;
                if (typeof k === 'number' && typeof k2 === 'number') {
                    const kIn = this.terms[ins[1]!]!;
                    return this.add({ op: 'index', inputs: [b.inputs[0]!, this.constant(k + k2, kIn.type, kIn.unit)], type: n.type, unit, attrs: {} });
                }
                return this.add({ op: 'index', inputs: ins, type: n.type, unit, attrs: {} });
            }
            case 'call': {
                const fn = String(n.attrs['fn']);
                const info = this.catalogue.fn(fn);
                if (nums && info?.entry.elementwise) {
                    const folded = fold(applyFunction(fn, nums));
                    if (folded !== undefined) return folded;
                }
                const attrs: Record<string, AttrValue> = { fn };
                if (n.attrs['output'] !== undefined) attrs['output'] = n.attrs['output'];
                return this.add({ op: 'call', inputs: ins, type: n.type, unit, attrs, commutative: !!info?.entry.commutative });
            }
            default: {
                // Binary ops; `a > b` is `b < a` and `a >= b` is `b <= a`.
                let op = n.op as DagOp | 'gt' | 'ge';
                let [l, r] = [ins[0]!, ins[1]!];
                if (op === 'gt' || op === 'ge') { op = op === 'gt' ? 'lt' : 'le'; [l, r] = [r, l]; }
                if (!BINARY_OPS.includes(op)) throw new Error(`unknown IR op '${n.op}'`);
                const lv = this.constValue(l), rv = this.constValue(r);
                if (allConst && (typeof lv === 'number' || typeof lv === 'boolean') && (typeof rv === 'number' || typeof rv === 'boolean')) {
                    const folded = fold(applyOp(op as ScalarOp, [lv, rv]));
                    if (folded !== undefined) return folded;
                }
                return this.add({ op, inputs: [l, r], type: n.type, unit, attrs: {}, commutative: COMMUTATIVE_OPS.includes(op) });
            }
        }
    }

    private rule(r: StrategyIr['rules'][number], i: number): TermRule {
        const condition = this.t(r.condition);
        this.roots.push({ term: condition, key: `rule${i}.condition` });
        const actions = r.actions.map((a, j): TermAction => {
            const key = `rule${i}.action${j}`;
            if (a.kind === 'target') {
                return {
                    kind: 'target',
                    targets: a.targets.map(x => {
                        const asset = this.assetIndex(x.asset);
                        let size = this.t(x.size);
                        // `target 50% short` is `target -50%`.
                        if (x.side === 'short') {
                            const st = this.terms[size]!;
                            const v = this.constValue(size);
                            size = typeof v === 'number' ? this.constant(-v, st.type, st.unit) : st.op === 'neg' ? st.inputs[0]! : this.add({ op: 'neg', inputs: [size], type: st.type, unit: st.unit, attrs: {} });
                        }
                        this.roots.push({ term: size, key: `${key}.target${asset ?? '*'}` });
                        return { asset, size, quantity: x.quantity };
                    }),
                };
            }
            if (a.kind === 'flat') return { kind: 'flat', assets: [...new Set(a.assets.map(x => this.assetIndex(x)!))].sort((p, q) => p - q) };
            const size = this.t(a.size), price = a.price === null ? null : this.t(a.price), expire = a.expire === null ? null : this.t(a.expire);
            this.roots.push({ term: size, key: `${key}.size` });
            if (price !== null) this.roots.push({ term: price, key: `${key}.price` });
            if (expire !== null) this.roots.push({ term: expire, key: `${key}.expire` });
            return { kind: 'order', side: a.side, asset: this.assetIndex(a.asset), size, quantity: a.quantity, type: a.type, price, expire };
        });
        return { condition, actions };
    }

    private assetIndex(alias: string | null): number | null {
        if (alias === null) return null;
        const i = this.aliasIndex.get(alias);
        if (i === undefined) throw new Error(`IR names asset '${alias}', which is not in the universe`);
        return i;
    }

    private settings(s: Readonly<Record<string, IrSetting>>, section: string): Record<string, TermSetting> {
        const out: Record<string, TermSetting> = {};
        for (const [k, v] of Object.entries(s)) {
            const value = this.t(v.value), action = v.action === null ? null : this.t(v.action);
            this.roots.push({ term: value, key: `${section}.${k}` });
            if (action !== null) this.roots.push({ term: action, key: `${section}.${k}.action` });
            out[k] = { value, quantity: v.quantity, action };
        }
        return out;
    }

    // ------------------------------------------------------------------ hashing and slots

    private reachable(from: readonly number[] = this.roots.map(r => r.term)): number[] {
        const seen = new Set<number>();
        const stack = [...from];
        while (stack.length) {
            const t = stack.pop()!;
            if (seen.has(t)) continue;
            seen.add(t);
            stack.push(...this.terms[t]!.inputs);
        }
        return [...seen].sort((a, b) => a - b); // term ids are topological
    }

    /** Merkle hash of every live term: its label and its inputs' hashes (sorted when commutative). */
    private hashes(live: readonly number[], label: (t: number) => string): string[] {
        const h: string[] = [];
        for (const t of live) {
            const term = this.terms[t]!;
            const ins = term.inputs.map(i => h[i]!);
            if (term.commutative) ins.sort();
            h[t] = sha(`${label(t)}(${ins.join(',')})`);
        }
        return h;
    }

    private heights(live: readonly number[]): number[] {
        const out: number[] = [];
        for (const t of live) out[t] = Math.max(-1, ...this.terms[t]!.inputs.map(i => out[i]!)) + 1;
        return out;
    }

    /**
     * Slot (0, 1, …) of each param, ordered by label and then by where it is used (a hash of its
     * use contexts up to the roots, Weisfeiler-Lehman style), never by name or declaration order.
     * Params with the same label used in exactly the same contexts are interchangeable, so the
     * declaration-order tie-break between them cannot change the result.
     */
    private paramSlots(live: readonly number[]): Map<number, number> {
        const h0 = this.hashes(live, t => this.label(t, undefined));
        const up: string[] = [];
        const contexts = new Map<number, string[]>();
        for (const r of this.roots) {
            let list = contexts.get(r.term);
            if (!list) { list = []; contexts.set(r.term, list); }
            list.push(`root:${r.key}`);
        }
        for (const t of [...live].reverse()) {
            const ctx = contexts.get(t) ?? [];
            up[t] = sha(ctx.sort().join('|'));
            const term = this.terms[t]!;
            term.inputs.forEach((child, pos) => {
                let list = contexts.get(child);
                if (!list) { list = []; contexts.set(child, list); }
                list.push(sha(`${up[t]}${h0[t]}${term.commutative ? '*' : pos}`));
            });
        }
        // Sorted by label first, so in structural mode (labels without values) slots depend on use only.
        const params = live.filter(t => this.terms[t]!.op === 'param');
        const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
        params.sort((a, b) => cmp(h0[a]!, h0[b]!) || cmp(up[a]!, up[b]!) || this.terms[a]!.param! - this.terms[b]!.param!);
        const slots = new Map<number, number>();
        params.forEach((p, i) => slots.set(p, i));
        return slots;
    }

    private label(t: number, slots: Map<number, number> | undefined): string {
        const term = this.terms[t]!;
        return stableStringify([term.op, term.type, term.unit, this.viewAttrs(t, slots)]);
    }

    private abstracted(term: Term): boolean {
        if (this.mode !== 'structural' || term.op !== 'const') return false;
        return term.type.endsWith(' num') || term.type.endsWith(' duration');
    }


    private viewAttrs(t: number, slots: Map<number, number> | undefined): Record<string, AttrValue> {
        const term = this.terms[t]!;
        if (this.abstracted(term)) return {};
        if (term.op !== 'param') return { ...term.attrs };
        const out: Record<string, AttrValue> = {};
        if (slots) out['slot'] = slots.get(t) ?? 0;
        if (this.mode === 'exact') {
            const p = this.ir.params[term.param!];
            if (p) {
                out['default'] = typeof p.default === 'number' ? canonNumber(p.default) : p.default;
                out['low'] = p.low === null ? null : canonNumber(p.low);
                out['high'] = p.high === null ? null : canonNumber(p.high);
                out['step'] = p.step === null ? null : canonNumber(p.step);
            }
        }
        return out;
    }
}

interface TermSetting { readonly value: number; readonly quantity: boolean; readonly action: number | null }
type TermAction =
    | { readonly kind: 'target'; readonly targets: readonly { readonly asset: number | null; readonly size: number; readonly quantity: boolean }[] }
    | { readonly kind: 'flat'; readonly assets: readonly number[] }
    | {
        readonly kind: 'order'; readonly side: 'buy' | 'sell'; readonly asset: number | null; readonly size: number;
        readonly quantity: boolean; readonly type: string; readonly price: number | null; readonly expire: number | null;
    };
interface TermRule { readonly condition: number; readonly actions: readonly TermAction[] }
