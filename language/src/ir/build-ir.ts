/**
 * AST → IR. Runs after validation and refuses a strategy whose document (or an import) has
 * errors, so everything here may assume well-formed, well-typed input. Types and units come
 * from the analysis facts; nodes inside an inlined `def` have no facts (the checker does not
 * record them per call site), so for those the same rules are applied here to the inputs' types.
 */
import { AstUtils, DocumentState, type AstNode, type LangiumDocument, type URI } from 'langium';
import * as ast from '../generated/ast.js';
import type { AlphaForgeServices } from '../alphaforge-module.js';
import type { Catalogue, TypeSpec } from '../catalogue/catalogue.js';
import type { StrategyAnalysis } from '../analysis/analyzer.js';
import { Checker, literalType, multiOutputCall, type Decl } from '../analysis/checker.js';
import { literalValue } from '../analysis/constant-eval.js';
import { BINARY_OPERATOR_OPS } from '../analysis/scalar-ops.js';
import { durationMs } from '../analysis/duration.js';
import { SETTINGS, type Section, type SettingSpec } from '../analysis/settings.js';
import {
    DIMENSIONLESS, bool, divUnits, joinShape, joinUnits, mulUnits, num, type Shape, type Ty, type Unit,
} from '../analysis/types.js';
import { resolveImport } from '../scoping.js';
import {
    IR_VERSION, IrError, type AttrValue, type IrAction, type IrAllocation, type IrAsset, type IrDiagnostic, type IrNode,
    type IrOp, type IrPack, type IrParam, type IrPortfolio, type IrRule, type IrSetting, type NodeId, type StrategyIr,
} from '../../../protocol/src/ir.js';

import { MAX_GRID } from '../analysis/limits.js';

/** Grids longer than MAX_GRID are left out of the IR (low/high/step still define them; a grid sweep refuses them, AF406). */
export { MAX_GRID };

/** `series num`, `scalar int`, `scalar enum<fill_mode>`… (see IrNode.type). */
export function typeString(t: Ty): string {
    const base = t.kind === 'num' ? (t.int ? 'int' : 'num') : t.kind === 'enum' ? `enum<${t.enumType ?? '?'}>` : t.kind;
    return `${t.shape} ${base}`;
}

/** `any`, `1`, `%`, `bps`, `price`, `price^2`, `price/volume`… (see IrNode.unit). */
export function unitString(t: Ty): string {
    if (t.kind !== 'num') return '1';
    return unitText(t.unit, t.display);
}

export function unitText(u: Unit, display?: '%' | 'bps'): string {
    if (u === 'any') return 'any';
    const keys = Object.keys(u).filter(k => u[k] !== 0).sort();
    if (keys.length === 0) return display ?? '1';
    const pow = (k: string, n: number): string => (n === 1 ? k : `${k}^${n}`);
    const up = keys.filter(k => u[k]! > 0).map(k => pow(k, u[k]!));
    const down = keys.filter(k => u[k]! < 0).map(k => pow(k, -u[k]!));
    return `${up.length ? up.join('*') : '1'}${down.length ? `/${down.join('*')}` : ''}`;
}

/** Errors that stop `strategy` from compiling: every error diagnostic of its document and of the files it imports. */
export function compileErrors(services: AlphaForgeServices, strategy: ast.Strategy): IrDiagnostic[] {
    const doc = AstUtils.getDocument(strategy);
    if (doc.state < DocumentState.Validated) {
        return [{ uri: doc.uri.toString(), line: 1, column: 1, code: 'AF000', message: 'The document has not been validated; load it with loadFiles/loadString (validation on) before compiling.' }];
    }
    const documents = services.shared.workspace.LangiumDocuments;
    const out: IrDiagnostic[] = [];
    const seen = new Set<string>();
    const queue: LangiumDocument[] = [doc];
    while (queue.length) {
        const d = queue.shift()!;
        const key = d.uri.toString();
        if (seen.has(key)) continue;
        seen.add(key);
        for (const x of d.diagnostics ?? []) {
            if ((x.severity ?? 1) !== 1) continue;
            out.push({ uri: key, line: x.range.start.line + 1, column: x.range.start.character + 1, code: String(x.code ?? 'AF000'), message: x.message });
        }
        const model = d.parseResult.value as ast.Model;
        for (const imp of model.imports ?? []) {
            if (!imp.path) continue;
            const u: URI = resolveImport(d.uri, imp.path);
            const next = documents.hasDocument(u) ? documents.getDocument(u) : undefined;
            if (next) queue.push(next);
        }
    }
    return out;
}

/** Builds the IR of a validated strategy; throws IrError listing every error otherwise. */
export function buildIr(services: AlphaForgeServices, strategy: ast.Strategy): StrategyIr {
    const errors = compileErrors(services, strategy);
    if (errors.length > 0) throw new IrError(errors);
    const analysis = services.alphaforge.Analyzer.analyze(strategy);
    return new IrBuilder(services.alphaforge.Catalogue, analysis, AstUtils.getDocument(strategy).uri.toString()).build();
}

/** Like buildIr, but returns the errors instead of throwing. */
export function compileStrategy(services: AlphaForgeServices, strategy: ast.Strategy): { ir: StrategyIr; errors: [] } | { ir: undefined; errors: IrDiagnostic[] } {
    try {
        return { ir: buildIr(services, strategy), errors: [] };
    } catch (e) {
        if (e instanceof IrError) return { ir: undefined, errors: [...e.errors] };
        throw e;
    }
}

/** Arguments of an inlined def: each def parameter is bound to a node of the caller. */
interface Env {
    readonly args: ReadonlyMap<ast.DefParam, NodeId>;
    readonly stack: readonly ast.FunctionDef[];
}

class IrBuilder {
    private readonly nodes: IrNode[] = [];
    private readonly tys: Ty[] = [];
    private readonly byKey = new Map<string, NodeId>();
    private readonly declNodes = new Map<Decl, NodeId>();
    private readonly checker: Checker;
    private readonly s: ast.Strategy;

    constructor(private readonly catalogue: Catalogue, private readonly a: StrategyAnalysis, private readonly uri: string) {
        this.s = a.strategy;
        this.checker = new Checker({ catalogue, universeSize: a.assets.length, timeframeMs: a.timeframeMs });
    }

    build(): StrategyIr {
        const members = this.s.members ?? [];
        const tf = members.find(ast.isTimeframeDecl)?.value ?? '';
        const params = this.a.params.params.map((p): IrParam => ({
            name: p.name,
            type: p.type,
            node: this.decl(p.decl),
            default: p.default ?? null,
            low: p.low ?? null,
            high: p.high ?? null,
            step: p.type === 'bool' || p.low === undefined ? null : p.step ?? null,
            grid: p.values && p.values.length <= MAX_GRID ? [...p.values] : null,
            free: p.free,
        }));
        const features: Record<string, NodeId> = {};
        const signals: Record<string, NodeId> = {};
        for (const m of members) {
            if (ast.isFeatureDecl(m)) features[m.name] = this.decl(m);
            else if (ast.isSignalDecl(m)) signals[m.name] = this.decl(m);
        }
        const constraints = members.filter(ast.isConstraintDecl).map(c => this.expr(c.condition));
        const rules = members.filter(ast.isRulesBlock).flatMap(b => b.rules ?? []).map(r => this.rule(r));
        const risk = this.settings('risk');
        const execution = this.settings('execution');
        const portfolio = this.portfolio();
        return {
            irVersion: IR_VERSION,
            strategy: this.s.name,
            tags: members.filter(ast.isTagsDecl).flatMap(t => t.tags ?? []),
            universe: this.a.assets.map(assetOf),
            timeframe: { text: tf, ms: this.a.timeframeMs ?? 0 },
            params, constraints, features, signals, rules, risk, execution, portfolio,
            warmup: { bars: this.a.warmup.bars, maxBars: this.a.warmup.maxBars },
            fill: this.a.fill,
            nodes: this.nodes,
            ...this.packsUsed(),
        };
    }

    /** The packs the workspace declares (folders, with their integrity hash, and shipped packs enabled by name) whose functions or fields the nodes use. */
    private packsUsed(): { packs?: IrPack[] } {
        const packs = new Map<string, IrPack>();
        for (const n of this.nodes) {
            const name = n.op === 'call' ? n.attrs['fn'] : n.op === 'field' ? n.attrs['name'] : undefined;
            const p = typeof name === 'string' ? this.catalogue.packOf(name) : undefined;
            if (p?.declared) packs.set(p.id, { name: p.id, version: p.version, ...(p.integrity !== undefined ? { integrity: p.integrity } : {}) });
        }
        return packs.size ? { packs: [...packs.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) } : {};
    }

    // ------------------------------------------------------------------ nodes

    /** Adds a node, or returns the identical one already built (so `sma(close, length=20)` and `sma(close, 20)` share a node). */
    private add(op: IrOp, inputs: readonly NodeId[], ty: Ty, attrs: Record<string, AttrValue> = {}): NodeId {
        const type = typeString(ty), unit = unitString(ty);
        const key = JSON.stringify([op, inputs, type, unit, attrs]);
        const found = this.byKey.get(key);
        if (found !== undefined) return found;
        const id = this.nodes.length;
        this.nodes.push({ id, op, inputs: [...inputs], type, unit, attrs });
        this.tys.push(ty);
        this.byKey.set(key, id);
        return id;
    }

    private fail(node: AstNode, message: string): never {
        const p = node.$cstNode?.range.start;
        throw new IrError([{ uri: this.uri, line: (p?.line ?? 0) + 1, column: (p?.character ?? 0) + 1, code: 'AF000', message }]);
    }

    private decl(d: Decl): NodeId {
        const done = this.declNodes.get(d);
        if (done !== undefined) return done;
        let id: NodeId;
        if (ast.isParamDecl(d)) id = this.add('param', [], this.checker.paramType(d), { name: d.name });
        else id = this.expr(d.value);
        this.declNodes.set(d, id);
        return id;
    }

    /** The analysis' type of an expression, or (inside an inlined def) the one computed here. */
    private ty(e: ast.Expression, env: Env | undefined, inferred: () => Ty): Ty {
        const f = env ? undefined : this.a.facts.get(e);
        return f && f.ty.kind !== 'unknown' ? f.ty : inferred();
    }

    private expr(e: ast.Expression | undefined, env?: Env): NodeId {
        if (!e) return this.fail(this.s, 'missing expression');
        switch (e.$type) {
            case 'NumberLit': {
                const n = e as ast.NumberLit;
                return this.add('const', [], this.ty(n, env, () => literalType(n)), { value: literalValue(n) });
            }
            case 'BoolLit': return this.add('const', [], bool('scalar'), { value: (e as ast.BoolLit).value });
            case 'StringLit': return this.add('const', [], { kind: 'string', shape: 'scalar', unit: DIMENSIONLESS }, { value: (e as ast.StringLit).value });
            case 'DurationLit': {
                const text = (e as ast.DurationLit).value;
                return this.add('const', [], { kind: 'duration', shape: 'scalar', unit: DIMENSIONLESS }, { value: durationMs(text) ?? 0, text });
            }
            case 'Ref': return this.ref(e as ast.Ref, env);
            case 'UnaryExpr': {
                const u = e as ast.UnaryExpr;
                const x = this.expr(u.operand, env);
                if (u.operator === '+') return x;
                const xt = this.tys[x]!;
                if (u.operator === 'not') return this.add('not', [x], this.ty(u, env, () => bool(xt.shape)));
                return this.add('neg', [x], this.ty(u, env, () => xt));
            }
            case 'BinaryExpr': {
                const b = e as ast.BinaryExpr;
                const l = this.expr(b.left, env), r = this.expr(b.right, env);
                return this.add(BINARY_OPERATOR_OPS[b.operator], [l, r], this.ty(b, env, () => binaryType(b.operator, this.tys[l]!, this.tys[r]!)));
            }
            case 'IfExpr': {
                const i = e as ast.IfExpr;
                const c = this.expr(i.condition, env), t = this.expr(i.then, env), f = this.expr(i.else, env);
                return this.add('if', [c, t, f], this.ty(i, env, () => ifType(this.tys[c]!, this.tys[t]!, this.tys[f]!)));
            }
            case 'IndexExpr': {
                const i = e as ast.IndexExpr;
                const base = this.expr(i.base, env), n = this.expr(i.index, env);
                return this.add('index', [base, n], this.ty(i, env, () => this.tys[base]!));
            }
            case 'MemberExpr': return this.member(e as ast.MemberExpr, env);
            case 'Call': return this.call(e as ast.Call, env, undefined);
            default: return this.fail(e, `cannot compile a ${(e as ast.Expression).$type}`);
        }
    }

    private ref(e: ast.Ref, env: Env | undefined): NodeId {
        const t = e.ref?.ref;
        if (ast.isParamDecl(t) || ast.isFeatureDecl(t) || ast.isSignalDecl(t)) return this.decl(t);
        if (ast.isDefParam(t)) {
            const bound = env?.args.get(t);
            return bound ?? this.fail(e, `def parameter '${t.name}' used outside its def`);
        }
        if (ast.isExternField(t)) return this.field(t.name, null, e, env);
        if (ast.isExternConst(t)) return this.enumConst(t.name, e);
        if (ast.isAsset(t)) return this.fail(e, `asset '${t.name}' is not a value; use one of its fields (${t.name}.close)`);
        return this.fail(e, `unresolved name '${e.ref?.$refText ?? '?'}'`);
    }

    private field(name: string, alias: string | null, e: ast.Expression, env: Env | undefined): NodeId {
        const spec = this.catalogue.fieldSpec(name);
        if (!spec) return this.fail(e, `unknown field '${name}'`);
        return this.add('field', [], this.ty(e, env, () => this.checker.specResult(spec, new Map(), 'series')), { name, asset: alias });
    }

    private enumConst(name: string, at: AstNode): NodeId {
        const c = this.catalogue.constant(name);
        if (!c) return this.fail(at, `unknown constant '${name}'`);
        return this.add('enum', [], { kind: 'enum', shape: 'scalar', unit: DIMENSIONLESS, enumType: c.enumType }, { value: name, enumType: c.enumType });
    }

    private member(e: ast.MemberExpr, env: Env | undefined): NodeId {
        const recv = e.receiver;
        if (ast.isRef(recv) && ast.isAsset(recv.ref?.ref)) {
            const asset = recv.ref.ref;
            return this.field(e.member, asset.name ?? asset.symbol, e, env);
        }
        // `macd(close).hist`, or through a feature: `feature bands = bollinger(close)` … `bands.upper`.
        const call = multiOutputCall(recv);
        if (call) return this.call(call, call === recv ? env : undefined, e);
        return this.fail(e, `\`.${e.member}\` applies only to asset aliases and multi-output functions`);
    }

    /** Positional and named arguments matched to parameter names (validation has rejected anything else). */
    private bind(e: ast.Call, names: readonly string[]): (ast.Argument | undefined)[] {
        const bound: (ast.Argument | undefined)[] = names.map(() => undefined);
        let positional = 0;
        for (const a of e.args) {
            const i = a.name ? names.indexOf(a.name) : positional++;
            if (i >= 0 && i < names.length) bound[i] = a;
        }
        return bound;
    }

    private call(e: ast.Call, env: Env | undefined, member: ast.MemberExpr | undefined): NodeId {
        const target = e.func?.ref;
        if (ast.isFunctionDef(target)) {
            if (member) return this.fail(member, `${target.name}() has no outputs`);
            return this.inline(e, target, env);
        }
        const info = target ? this.catalogue.fn(target.name) : undefined;
        if (!info) return this.fail(e, `unknown function '${e.func?.$refText ?? '?'}'`);
        const bound = this.bind(e, info.params.map(p => p.name));
        const inputs: NodeId[] = info.params.map((p, i) => {
            const arg = bound[i];
            if (arg) return this.expr(arg.value, env);
            if (p.default === undefined) return this.fail(e, `${info.entry.name}() is missing '${p.name}'`);
            if (typeof p.default === 'string') return this.enumConst(p.default, e);
            if (typeof p.default === 'boolean') return this.add('const', [], bool('scalar'), { value: p.default });
            return this.add('const', [], num('scalar', 'any', { int: Number.isInteger(p.default) }), { value: p.default });
        });
        const outputs = info.entry.outputs;
        const attrs: Record<string, AttrValue> = { fn: info.entry.name };
        if (outputs?.length) attrs['output'] = member?.member ?? outputs[0]!;
        else if (member) return this.fail(member, `${info.entry.name}() has no output '${member.member}'`);
        const at = member ?? e;
        return this.add('call', inputs, this.ty(at, env, () => this.callType(info.params.map(p => p.spec), info.returns, inputs)), attrs);
    }

    private callType(specs: readonly TypeSpec[], returns: TypeSpec, inputs: readonly NodeId[]): Ty {
        const units = new Map<string, Unit>();
        let shape: Shape = 'scalar';
        specs.forEach((spec, i) => {
            const t = this.tys[inputs[i]!]!;
            if (t.kind === 'num' || t.kind === 'bool') shape = joinShape(shape, t.shape);
            if (spec.form === 'num' && spec.unit.kind === 'var' && t.kind === 'num') {
                const prev = units.get(spec.unit.name);
                if (prev === undefined || prev === 'any') units.set(spec.unit.name, t.unit);
            }
        });
        const hint = returns.form === 'num' && returns.shape === 'any' ? shape : 'series';
        return this.checker.specResult(returns, units, hint);
    }

    /** Expands a user def in place: its body with each parameter replaced by the argument's node. */
    private inline(e: ast.Call, def: ast.FunctionDef, env: Env | undefined): NodeId {
        if (env?.stack.includes(def)) return this.fail(e, `recursive def ${def.name}()`);
        const bound = this.bind(e, def.params.map(p => p.name));
        const args = new Map<ast.DefParam, NodeId>();
        def.params.forEach((p, i) => {
            const a = bound[i];
            if (!a) this.fail(e, `${def.name}() is missing '${p.name}'`);
            args.set(p, this.expr(a.value, env));
        });
        return this.expr(def.body, { args, stack: [...(env?.stack ?? []), def] });
    }

    // ------------------------------------------------------------------ rules, settings, portfolio

    private rule(r: ast.Rule): IrRule {
        const condition = this.expr(r.condition);
        const actions = (r.actions ?? []).map((act): IrAction => {
            if (ast.isTargetAction(act)) {
                return {
                    kind: 'target',
                    targets: act.targets.map(t => ({ asset: aliasOf(t.asset), size: this.expr(t.size), quantity: !!t.quantity, side: t.side ?? 'long' })),
                };
            }
            if (ast.isFlatAction(act)) return { kind: 'flat', assets: (act.assets ?? []).map(a => aliasOf(a)!).filter(Boolean) };
            const o = act as ast.OrderAction;
            return {
                kind: 'order', side: o.side, asset: aliasOf(o.asset), size: this.expr(o.size), quantity: !!o.quantity,
                type: o.orderType ?? 'market', price: o.price ? this.expr(o.price) : null, expire: o.expire ? this.expr(o.expire) : null,
            };
        });
        return { condition, actions };
    }

    private settings(section: Section): Record<string, IrSetting> {
        const out: Record<string, IrSetting> = {};
        const written = this.a.settings[section];
        for (const [key, spec] of Object.entries(SETTINGS[section])) {
            const st = written.get(key);
            if (st) {
                out[key] = {
                    value: this.expr(st.value), quantity: !!st.quantity,
                    action: st.action ? this.expr(st.action) : this.defaultAction(spec), explicit: true,
                };
            } else if (spec.default !== undefined) {
                out[key] = { value: this.defaultValue(spec, spec.default), quantity: false, action: this.defaultAction(spec), explicit: false };
            }
        }
        return out;
    }

    private defaultAction(spec: SettingSpec): NodeId | null {
        // max_drawdown without `=> action` halts (settings.ts).
        return spec.kind === 'drawdown' ? this.enumConst('halt', this.s) : null;
    }

    private defaultValue(spec: SettingSpec, v: number | string): NodeId {
        if (typeof v === 'string') return this.enumConst(v, this.s);
        const fraction = spec.kind === 'fraction' || spec.kind === 'drawdown';
        return this.add('const', [], num('scalar', fraction ? DIMENSIONLESS : 'any', { int: !fraction && Number.isInteger(v) }), { value: v });
    }

    private portfolio(): IrPortfolio | null {
        const blocks = (this.s.members ?? []).filter(ast.isPortfolioBlock);
        if (blocks.length === 0) return null;
        const allocations = blocks.flatMap(b => (b.items ?? []).filter(ast.isAllocation)).map((al): IrAllocation => ({
            side: al.side,
            selection: this.expr(al.selection),
            // Without `weight`, the selected assets are weighted equally.
            weighting: al.weighting ? this.expr(al.weighting) : this.enumConst('equal', al),
        }));
        return { settings: this.settings('portfolio'), allocations };
    }
}

function aliasOf(r: { ref?: ast.Asset } | undefined): string | null {
    const a = r?.ref;
    return a ? a.name ?? a.symbol : null;
}

function assetOf(a: ast.Asset): IrAsset {
    const id = a.symbol ?? '';
    const colon = id.indexOf(':');
    return { id, venue: colon >= 0 ? id.slice(0, colon) : '', symbol: colon >= 0 ? id.slice(colon + 1) : id, alias: a.name ?? null };
}

// ---------------------------------------------------------------------- type rules (as in checker.ts)

function binaryType(op: ast.BinaryExpr['operator'], l: Ty, r: Ty): Ty {
    const shape = joinShape(l.shape, r.shape);
    if (['and', 'or', '==', '!=', '<', '<=', '>', '>='].includes(op)) return bool(shape);
    if (op === '+' || op === '-') return num(shape, joinUnits(l.unit, r.unit), { int: l.int && r.int, display: l.display ?? r.display });
    return num(shape, op === '*' ? mulUnits(l.unit, r.unit) : divUnits(l.unit, r.unit), { int: op === '*' && l.int && r.int });
}

function ifType(c: Ty, a: Ty, b: Ty): Ty {
    const shape = joinShape(c.shape, joinShape(a.shape, b.shape));
    if (a.kind === 'num' && b.kind === 'num') return num(shape, joinUnits(a.unit, b.unit));
    return { ...(a.kind !== 'unknown' ? a : b), shape };
}
