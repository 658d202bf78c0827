/**
 * The analysis of a document: for each strategy one linear pass (checker.ts) plus the
 * whole-strategy lints (header, names, settings, dead code, rules that never fire, parameter
 * space, warm-up, overfitting, leverage). Results are cached until the workspace changes,
 * so the validator, hovers, inlay hints and the IR builder share one computation.
 */
import { AstUtils, WorkspaceCache, type AstNode } from 'langium';
import * as ast from '../generated/ast.js';
import type { AlphaForgeServices } from '../alphaforge-module.js';
import type { Catalogue } from '../catalogue/catalogue.js';
import { Checker, type Decl, type Facts } from './checker.js';
import { durationMs, YEAR_MS } from './duration.js';
import { formatChain, type ChainStep, type Finding } from './findings.js';
import { IntervalAnalysis, type Interval } from './intervals.js';
import { analyzeParams, type ParamSpace } from './params.js';
import { MAX_GRID, MAX_GRID_COMBINATIONS, MAX_LOOKBACK_BARS } from './limits.js';
import { SETTINGS, type Section, type SettingSpec } from './settings.js';
import { textOf } from './source-text.js';
import { suggest } from '../util/did-you-mean.js';
import { PRICE, formatType, formatUnit, isDimensionless, unitsEqual } from './types.js';

export interface Warmup {
    /** Bars before every input is defined, with default params. */
    readonly bars: number;
    /** The same over the param ranges (upper bound). */
    readonly maxBars: number;
    /** The call or index responsible. */
    readonly at?: AstNode;
}

/** Something the strategy trades on: dead-code and warm-up analysis start from these. */
export interface Sink {
    readonly node: ast.Rule | ast.Setting | ast.Allocation;
    readonly label: string;
    readonly exprs: readonly ast.Expression[];
}

/**
 * What the analysis of a strategy checks. Each concern keeps its own findings, and the validator
 * has one check per concern (validation/alphaforge-validator.ts says what each one checks).
 */
export const CONCERNS = [
    'header', 'names', 'trades', 'sameBarFill', 'rules', 'settings', 'portfolio', 'crossSectional', 'unused', 'neverFires',
    'params', 'gridLimit', 'warmup', 'overfitting', 'lookbackLimit', 'leverage', 'targetSides', 'expressions', 'lookahead',
] as const;
export type Concern = (typeof CONCERNS)[number];
export type StrategyFindings = Readonly<Record<Concern, readonly Finding[]>>;

function noFindings(): Record<Concern, Finding[]> {
    return Object.fromEntries(CONCERNS.map(c => [c, []])) as unknown as Record<Concern, Finding[]>;
}

export interface StrategyAnalysis {
    readonly strategy: ast.Strategy;
    readonly findings: StrategyFindings;
    /** Facts (type, unit, look-back, lookahead) of every expression. */
    readonly facts: ReadonlyMap<AstNode, Facts>;
    readonly params: ParamSpace;
    readonly timeframeMs?: number;
    readonly assets: readonly ast.Asset[];
    readonly warmup: Warmup;
    readonly sinks: readonly Sink[];
    /** Declarations that some sink depends on. */
    readonly used: ReadonlySet<Decl>;
    /** Settings by section and key (first occurrence). */
    readonly settings: Readonly<Record<Section, ReadonlyMap<string, ast.Setting>>>;
    /** Fill mode after defaults: next_open, next_close or this_close. */
    readonly fill: string;
}

export interface AnalyzerOptions {
    /** Bars of data the strategy will run on; enables the data-length part of AF502. */
    dataBars?: number;
}

export class Analyzer {
    readonly options: AnalyzerOptions = {};
    private readonly catalogue: Catalogue;
    private readonly cache: WorkspaceCache<AstNode, StrategyAnalysis>;
    private readonly defCache: WorkspaceCache<AstNode, readonly Finding[]>;

    constructor(services: AlphaForgeServices) {
        this.catalogue = services.alphaforge.Catalogue;
        this.cache = new WorkspaceCache(services.shared);
        this.defCache = new WorkspaceCache(services.shared);
    }

    analyze(strategy: ast.Strategy): StrategyAnalysis {
        return this.cache.get(strategy, () => {
            try {
                return new StrategyAnalyzer(strategy, this.catalogue, this.options).run();
            } catch (e) {
                if (!(e instanceof RangeError)) throw e;
                // The analysis recurses along expressions; a chain of thousands of terms exhausts the stack.
                return tooDeep(strategy);
            }
        });
    }

    /** Errors of a def that hold whatever it is called with. */
    analyzeDef(def: ast.FunctionDef): readonly Finding[] {
        return this.defCache.get(def, () => {
            const checker = new Checker({ catalogue: this.catalogue, universeSize: 1 });
            checker.checkDefStandalone(def);
            return [...checker.findings.expressions, ...checker.findings.lookahead];
        });
    }

    /** Facts of an expression anywhere in a strategy (undefined inside defs, which depend on their call). */
    factsOf(e: AstNode): Facts | undefined {
        const s = AstUtils.getContainerOfType(e, ast.isStrategy);
        return s ? this.analyze(s).facts.get(e) : undefined;
    }
}

function tooDeep(s: ast.Strategy): StrategyAnalysis {
    const findings = noFindings();
    findings.expressions.push({ code: 'AF001', node: s, property: 'name', message: `Strategy '${s.name}' is nested too deeply to analyse (an expression of thousands of terms); split long expressions into features.` });
    return {
        strategy: s, facts: new Map(), timeframeMs: undefined, assets: [], sinks: [], used: new Set(), fill: 'next_open', findings,
        params: { params: [], gridSize: 1, freeCount: 0, findings: [] },
        warmup: { bars: 0, maxBars: 0 },
        settings: { risk: new Map(), execution: new Map(), portfolio: new Map() },
    };
}

class StrategyAnalyzer {
    private readonly findings = noFindings();
    private readonly checker: Checker;
    private readonly members: readonly ast.Member[];
    private readonly assets: ast.Asset[];
    private readonly timeframeMs: number | undefined;
    private readonly params: ParamSpace;

    constructor(private readonly s: ast.Strategy, private readonly catalogue: Catalogue, private readonly options: AnalyzerOptions) {
        this.members = s.members ?? [];
        this.assets = this.members.filter(ast.isUniverseDecl).flatMap(u => u.assets ?? []);
        const tf = this.members.find(ast.isTimeframeDecl)?.value;
        this.timeframeMs = tf ? durationMs(tf) : undefined;
        this.params = analyzeParams(this.s, this.catalogue);
        this.checker = new Checker({ catalogue, timeframeMs: this.timeframeMs, universeSize: this.assets.length, params: this.params });
    }

    run(): StrategyAnalysis {
        this.checkHeader();
        this.checkNames();
        const params = this.params;
        this.findings.params.push(...params.findings);

        const c = this.checker;
        for (const m of this.members) {
            if (ast.isParamDecl(m)) c.decl(m);
            else if (ast.isFeatureDecl(m)) c.decl(m);
            else if (ast.isSignalDecl(m)) {
                const f = c.decl(m);
                if (f.ty.kind !== 'bool' && f.ty.kind !== 'unknown') {
                    this.add('expressions', { code: 'AF201', node: m, property: 'value', message: `Signal '${m.name}' must be a condition, but is a ${formatType(f.ty)}. Compare it (e.g. \`${textOf(m.value)} > 0\`) or declare it as a feature.` });
                }
            } else if (ast.isConstraintDecl(m)) {
                const f = c.check(m, m.condition);
                c.expectKind(f.ty, 'bool', m.condition, 'a constraint is a condition on params');
            }
        }
        const settings = this.collectSettings();
        const sinks = [...this.checkRules(), ...this.checkSettings(settings), ...this.checkPortfolio()];
        const fill = this.fillMode(settings);
        this.checkSameBarFill(sinks, fill);
        this.checkCrossSectional();
        const used = this.reachable(sinks);
        this.checkUnused(used);
        this.checkNeverFires();
        const warmup = this.computeWarmup(sinks);
        this.reportWarmup(warmup);
        this.checkOverfitting(params);
        this.checkLookbackLimit();
        this.checkGridLimit(params);
        this.checkLeverage(settings);
        this.checkTargetSides();
        if (!this.members.some(m => ast.isRulesBlock(m) || (ast.isPortfolioBlock(m) && m.items.some(ast.isAllocation)))) {
            this.add('trades', { code: 'AF009', node: this.s, property: 'name', message: `Strategy '${this.s.name}' has no rules and no portfolio allocation, so it never trades.` });
        }
        // The checker's findings come after the analyzer's own in each concern.
        const findings: StrategyFindings = {
            ...this.findings,
            expressions: [...this.findings.expressions, ...c.findings.expressions],
            lookahead: [...this.findings.lookahead, ...c.findings.lookahead.map(f => this.withChain(f, sinks))],
        };
        return {
            strategy: this.s, findings, facts: c.facts, params,
            timeframeMs: this.timeframeMs, assets: this.assets, warmup, sinks, used, settings, fill,
        };
    }

    /**
     * A lookahead finding of the checker (AF101, AF103, AF104) with the chain from the offending
     * node to the rule, order, setting or allocation it reaches — through the features and signals
     * that carry it, and into the def (maybe in an imported library) where it happens — in the
     * message and as related information, as AF102 shows it.
     */
    private withChain(f: Finding, sinks: readonly Sink[]): Finding {
        const path = this.pathToSink(f.node, sinks);
        // A finding inside a def is reported at the call; the chain starts in the (innermost) def's body.
        const shown = (n: AstNode): AstNode => (ast.isIndexExpr(n.$container) && n.$containerProperty === 'index') || ast.isArgument(n) ? n.$container! : n;
        const start: ChainStep[] = [...(f.related ?? []).map(r => r.node).filter(n => n !== f.node), f.node]
            .map(n => ({ node: shown(n), label: textOf(shown(n), 50) }));
        const chain = [...start, ...path.steps];
        const reach = path.sink ? `It reaches ${path.sink.label}` : 'Nothing trades on it yet';
        return {
            ...f,
            message: `${f.message} ${reach}: ${formatChain(chain)}.`,
            related: chain.map((s, i) => ({ node: s.node, message: i === 0 ? `${s.label} (${f.code === 'AF104' ? 'cannot be bounded' : 'reads ahead'} here)` : s.label })),
        };
    }

    /** The declarations from a node to the first sink that uses it (breadth first: the shortest chain). */
    private pathToSink(node: AstNode, sinks: readonly Sink[]): { steps: ChainStep[]; sink?: Sink } {
        const bySink = new Map<AstNode, Sink>(sinks.map(s => [s.node, s]));
        const owner = AstUtils.getContainerOfType(node, (n): n is AstNode => bySink.has(n) || ast.isFeatureDecl(n) || ast.isSignalDecl(n) || ast.isParamDecl(n) || ast.isConstraintDecl(n));
        if (!owner) return { steps: [] };
        const users = new Map<AstNode, AstNode[]>();
        for (const [o, ds] of this.checker.deps) for (const d of ds) users.set(d, [...(users.get(d) ?? []), o]);
        const step = (n: AstNode): ChainStep => {
            const sink = bySink.get(n);
            if (sink) return { node: n, label: sink.label };
            return { node: n, label: `${ast.isFeatureDecl(n) ? 'feature' : ast.isSignalDecl(n) ? 'signal' : ast.isParamDecl(n) ? 'param' : 'constraint'} ${(n as { name?: string }).name ?? textOf((n as ast.ConstraintDecl).condition)}` };
        };
        const prev = new Map<AstNode, AstNode | undefined>([[owner, undefined]]);
        const queue: AstNode[] = [owner];
        for (let i = 0; i < queue.length; i++) {
            const n = queue[i]!;
            if (bySink.has(n)) {
                const steps: ChainStep[] = [];
                for (let x: AstNode | undefined = n; x; x = prev.get(x)) steps.unshift(step(x));
                return { steps, sink: bySink.get(n) };
            }
            for (const u of users.get(n) ?? []) if (!prev.has(u)) { prev.set(u, n); queue.push(u); }
        }
        return { steps: [step(owner)] };
    }

    private add(concern: Concern, f: Finding): void {
        this.findings[concern].push(f);
    }

    // ------------------------------------------------------------------ header and names

    private checkHeader(): void {
        const once: [(m: ast.Member) => boolean, string, boolean][] = [
            [ast.isUniverseDecl, 'universe', true], [ast.isTimeframeDecl, 'timeframe', true], [ast.isTagsDecl, 'tags', false],
            [ast.isRulesBlock, 'rules', false], [ast.isRiskBlock, 'risk', false], [ast.isExecutionBlock, 'execution', false],
            [ast.isPortfolioBlock, 'portfolio', false],
        ];
        for (const [is, name, required] of once) {
            const found = this.members.filter(is);
            if (required && found.length === 0) {
                const example = name === 'universe' ? 'universe: binance:BTC/USDT' : 'timeframe: 1h';
                this.add('header', { code: 'AF006', node: this.s, property: 'name', message: `Strategy '${this.s.name}' has no ${name}; add \`${example}\`.` });
            }
            for (const extra of found.slice(1)) {
                this.add('header', { code: 'AF006', node: extra, message: `'${name}' appears more than once in strategy '${this.s.name}'; merge them.` });
            }
        }
        const tf = this.members.find(ast.isTimeframeDecl);
        if (tf?.value && this.timeframeMs === undefined) {
            this.add('header', { code: 'AF206', node: tf, property: 'value', message: `'${tf.value}' is not a timeframe; write e.g. 1m, 5m, 1h, 4h, 1d.` });
        }
        const symbols = new Map<string, ast.Asset>();
        for (const a of this.assets) {
            if (!a.symbol) continue;
            if (symbols.has(a.symbol)) this.add('header', { code: 'AF002', node: a, property: 'symbol', message: `${a.symbol} is listed twice in the universe.` });
            symbols.set(a.symbol, a);
        }
    }

    private checkNames(): void {
        const seen = new Map<string, AstNode>();
        const named: { name: string; node: AstNode }[] = [];
        for (const m of this.members) {
            if (ast.isParamDecl(m) || ast.isFeatureDecl(m) || ast.isSignalDecl(m)) named.push({ name: m.name, node: m });
        }
        for (const a of this.assets) if (a.name) named.push({ name: a.name, node: a });
        for (const { name, node } of named) {
            if (!name) continue;
            const prev = seen.get(name);
            if (prev) {
                this.add('names', { code: 'AF002', node, property: 'name', message: `'${name}' is already declared in strategy '${this.s.name}'; rename one of them.`, related: [{ node: prev, message: 'first declared here' }] });
            } else {
                seen.set(name, node);
            }
            const builtin = this.catalogue.get(name);
            // Constants (daily, equal, halt, …) only mean something in settings, where a clash is a type error anyway.
            if (builtin && builtin.kind !== 'const') {
                this.add('names', { code: 'AF010', node, property: 'name', message: `'${name}' shadows the builtin ${name}; inside '${this.s.name}' the name now means this declaration. Rename it.` });
            }
        }
    }

    // ------------------------------------------------------------------ rules, settings, portfolio

    private checkRules(): Sink[] {
        const sinks: Sink[] = [];
        const c = this.checker;
        for (const block of this.members.filter(ast.isRulesBlock)) {
            for (const rule of block.rules ?? []) {
                const label = `rule \`when ${textOf(rule.condition, 40)}\``;
                const exprs: ast.Expression[] = [];
                if (rule.condition) {
                    exprs.push(rule.condition);
                    const f = c.check(rule, rule.condition);
                    c.expectKind(f.ty, 'bool', rule.condition, '`when` needs a condition');
                }
                for (const action of rule.actions ?? []) {
                    if (ast.isTargetAction(action)) {
                        for (const t of action.targets ?? []) {
                            if (!t.size) continue;
                            exprs.push(t.size);
                            this.checkSize(rule, t.size, t.quantity, 'target');
                        }
                    } else if (ast.isOrderAction(action)) {
                        if (action.size) { exprs.push(action.size); this.checkSize(rule, action.size, action.quantity, action.side); }
                        if ((action.orderType === 'limit' || action.orderType === 'stop') && !action.price) {
                            this.add('rules', { code: 'AF201', node: action, property: 'orderType', message: `A ${action.orderType} order needs a price: \`${action.orderType} at close - 0.5 * atr(14)\`.` });
                        }
                        if (action.price) {
                            exprs.push(action.price);
                            const f = c.check(rule, action.price);
                            if (c.expectKind(f.ty, 'num', action.price, 'an order price is a number') && !unitsEqual(f.ty.unit, PRICE)) {
                                this.add('rules', { code: 'AF202', node: action.price, message: `An order price must be a price, but \`${textOf(action.price)}\` is ${formatUnit(f.ty.unit, f.ty.display)}.` });
                            }
                            if (action.orderType === 'market' || !action.orderType) {
                                this.add('rules', { code: 'AF201', node: action.price, message: 'A market order has no price; use `limit at …` or `stop at …`.' });
                            }
                        }
                        if (action.expire) {
                            const f = c.check(rule, action.expire);
                            const bars = f.ty.kind === 'num' && unitsEqual(f.ty.unit, { bars: 1 }) && f.ty.unit !== 'any';
                            if (f.ty.kind !== 'unknown' && f.ty.kind !== 'duration' && !bars) {
                                this.add('rules', { code: 'AF201', node: action.expire, message: '`expire` takes a number of bars (`3 bars`) or a duration (`4h`).' });
                            }
                        }
                    }
                }
                sinks.push({ node: rule, label, exprs });
            }
        }
        return sinks;
    }

    private checkSize(rule: ast.Rule, size: ast.Expression, quantity: boolean, what: string): void {
        const f = this.checker.check(rule, size);
        if (!this.checker.expectKind(f.ty, 'num', size, `a ${what} size is a number`)) return;
        if (!quantity && f.ty.unit !== 'any' && !isDimensionless(f.ty.unit)) {
            this.add('rules', { code: 'AF202', node: size, message: `A ${what} size is a fraction of equity (e.g. 50%) or a quantity with \`units\`; \`${textOf(size)}\` is ${formatUnit(f.ty.unit, f.ty.display)}.` });
        }
    }

    private collectSettings(): Record<Section, Map<string, ast.Setting>> {
        const out: Record<Section, Map<string, ast.Setting>> = { risk: new Map(), execution: new Map(), portfolio: new Map() };
        const blocks: [Section, ast.Setting[]][] = [
            ...this.members.filter(ast.isRiskBlock).map(b => ['risk', b.settings ?? []] as [Section, ast.Setting[]]),
            ...this.members.filter(ast.isExecutionBlock).map(b => ['execution', b.settings ?? []] as [Section, ast.Setting[]]),
            ...this.members.filter(ast.isPortfolioBlock).map(b => ['portfolio', (b.items ?? []).filter(ast.isSetting)] as [Section, ast.Setting[]]),
        ];
        for (const [section, settings] of blocks) {
            for (const st of settings) {
                if (!st.key) continue;
                const spec = SETTINGS[section][st.key];
                if (!spec) {
                    const keys = Object.keys(SETTINGS[section]);
                    const s = suggest(st.key, keys);
                    this.add('settings', { code: 'AF007', node: st, property: 'key', message: `'${st.key}' is not a ${section} setting${s ? `; did you mean '${s}'?` : ''}. Known: ${keys.join(', ')}.`, data: s ? { code: 'AF007', suggestion: s } : undefined });
                    continue;
                }
                if (out[section].has(st.key)) {
                    this.add('settings', { code: 'AF007', node: st, property: 'key', message: `'${st.key}' is set twice in ${section}; keep one.` });
                    continue;
                }
                out[section].set(st.key, st);
            }
        }
        return out;
    }

    private checkSettings(settings: Record<Section, Map<string, ast.Setting>>): Sink[] {
        const sinks: Sink[] = [];
        for (const section of ['risk', 'execution'] as const) {
            for (const [key, st] of settings[section]) {
                this.checkSetting(section, key, st, SETTINGS[section][key]!);
                sinks.push({ node: st, label: `${section} ${key}`, exprs: [st.value, st.action].filter((e): e is ast.Expression => !!e) });
            }
        }
        for (const [key, st] of settings.portfolio) this.checkSetting('portfolio', key, st, SETTINGS.portfolio[key]!);
        return sinks;
    }

    private checkSetting(section: Section, key: string, st: ast.Setting, spec: SettingSpec): void {
        const c = this.checker;
        const f = c.check(st, st.value);
        const ty = f.ty;
        if (ty.kind === 'unknown') return;
        const bad = (what: string): void => this.add('settings', { code: 'AF208', node: st, property: 'value', message: `${section} ${key} takes ${what}; got ${formatType(ty)} \`${textOf(st.value)}\`.` });
        const kind = spec.kind;
        if (st.action && kind !== 'drawdown') {
            this.add('settings', { code: 'AF208', node: st, property: 'action', message: `Only max_drawdown takes an action (\`=> halt\`); remove \`=> ${textOf(st.action)}\` from ${key}.` });
        }
        if (st.quantity && kind !== 'sizing') {
            this.add('settings', { code: 'AF208', node: st, property: 'value', message: `\`units\` applies only to max_position.` });
        }
        if (typeof kind === 'object') {
            if (ty.kind !== 'enum' || ty.enumType !== kind.enumType) bad(`one of ${this.catalogue.enumValues(kind.enumType).join(', ')}`);
            return;
        }
        if (ty.kind !== 'num') { bad('a number'); return; }
        switch (kind) {
            case 'stop':
                if (ty.unit === 'any') {
                    // A bare literal was most likely meant as a percentage of the entry price.
                    const percent = ast.isNumberLit(st.value) && !st.value.unit ? `${textOf(st.value)}%` : undefined;
                    this.add('settings', { code: 'AF602', node: st, property: 'value', message: `${key}: ${textOf(st.value)} is a bare number: a price distance or a fraction? Write a percentage (\`${textOf(st.value)}%\`) or a price expression (\`${textOf(st.value)} * atr(14)\`).`, data: percent ? { code: 'AF602', percent } : undefined });
                } else if (!isDimensionless(ty.unit) && !unitsEqual(ty.unit, PRICE)) {
                    bad('a fraction of the entry price (2%) or a price distance (2 * atr(14))');
                }
                return;
            case 'fraction': case 'drawdown':
                if (ty.unit !== 'any' && !isDimensionless(ty.unit)) bad('a fraction such as 10 bps or 20%');
                else if (ty.shape === 'series') bad('a constant');
                if (kind === 'drawdown' && st.action) {
                    const a = c.check(st, st.action);
                    if (a.ty.kind !== 'unknown' && (a.ty.kind !== 'enum' || a.ty.enumType !== 'breach_action')) {
                        this.add('settings', { code: 'AF208', node: st, property: 'action', message: `max_drawdown => takes one of ${this.catalogue.enumValues('breach_action').join(', ')}.` });
                    }
                }
                return;
            case 'sizing':
                if (!st.quantity && ty.unit !== 'any' && !isDimensionless(ty.unit)) bad('a fraction of equity (50%) or a quantity (`10 units`)');
                return;
            case 'number':
                if (ty.shape === 'series') bad('a constant number');
                else {
                    const v = c.constValue(st.value);
                    if (typeof v === 'number' && v <= 0) bad('a positive number');
                }
                return;
        }
    }

    private checkPortfolio(): Sink[] {
        const sinks: Sink[] = [];
        const c = this.checker;
        for (const block of this.members.filter(ast.isPortfolioBlock)) {
            for (const item of (block.items ?? []).filter(ast.isAllocation)) {
                const exprs: ast.Expression[] = [];
                if (item.selection) {
                    exprs.push(item.selection);
                    const f = c.check(item, item.selection);
                    c.expectKind(f.ty, 'bool', item.selection, `\`${item.side}\` selects assets with a condition such as top_k(rank(x), 3)`);
                }
                if (item.weighting) {
                    exprs.push(item.weighting);
                    const f = c.check(item, item.weighting);
                    const ok = f.ty.kind === 'unknown' || (f.ty.kind === 'enum' && f.ty.enumType === 'weighting') || f.ty.kind === 'num';
                    if (!ok) this.add('portfolio', { code: 'AF208', node: item, property: 'weighting', message: `weight takes ${this.catalogue.enumValues('weighting').join(', ')} or a numeric series; got ${formatType(f.ty)}.` });
                }
                sinks.push({ node: item, label: `portfolio ${item.side} ${textOf(item.selection, 40)}`, exprs });
            }
        }
        return sinks;
    }

    // ------------------------------------------------------------------ lookahead at the fill

    private fillMode(settings: Record<Section, Map<string, ast.Setting>>): string {
        const v = settings.execution.get('fill')?.value;
        const t = ast.isRef(v) ? v.ref?.ref : undefined;
        return ast.isExternConst(t) ? t.name : 'next_open';
    }

    /**
     * AF102: with `fill: this_close` an order fills at the close of the bar it is decided on, so
     * everything that decides a market fill must be known before that close: a rule's condition,
     * its target sizes and market order sizes, an allocation's selection and weighting. Limit and
     * stop orders rest from the next bar (docs/backtest-semantics.md), so their price and size may
     * read the close they are placed at.
     */
    private checkSameBarFill(sinks: readonly Sink[], fill: string): void {
        if (fill !== 'this_close') return;
        const fillSetting = this.members.filter(ast.isExecutionBlock).flatMap(b => b.settings).find(s => s.key === 'fill');
        for (const sink of sinks) {
            if (ast.isSetting(sink.node)) continue;
            for (const { expr: e, what } of decisiveAtFill(sink)) {
                const f = this.checker.facts.get(e);
                if (!f?.current) continue;
                const subject = what ? `${what} of ${sink.label}` : sink.label;
                this.add('sameBarFill', {
                    code: 'AF102', node: e,
                    message: `Lookahead: \`fill: this_close\` fills at the close of bar t, but ${subject} is computed from that close: ${formatChain([{ node: sink.node, label: sink.label }, ...(what ? [{ node: e, label: what }] : []), ...f.current])}. Fill at next_open (the default) or lag the inputs by one bar (close[1]).`,
                    related: [
                        ...(fillSetting ? [{ node: fillSetting, message: 'fill at the signal bar\'s close' }] : []),
                        { node: sink.node, message: sink.label },
                        ...f.current.map(s => ({ node: s.node, message: s.label })),
                    ],
                });
            }
        }
    }

    private checkCrossSectional(): void {
        if (this.assets.length > 1) return;
        for (const call of this.checker.crossSectionalCalls) {
            this.add('crossSectional', { code: 'AF209', node: call, message: `${call.func.ref?.name}() compares the assets of the universe at each bar, but the universe of '${this.s.name}' has ${this.assets.length} asset. Add assets or use a time-series function (e.g. zscore(x, n)).` });
        }
    }

    // ------------------------------------------------------------------ dead code

    private reachable(sinks: readonly Sink[]): Set<Decl> {
        const used = new Set<Decl>();
        const stack: Decl[] = [];
        for (const s of sinks) for (const d of this.checker.deps.get(s.node) ?? []) stack.push(d);
        while (stack.length) {
            const d = stack.pop()!;
            if (used.has(d)) continue;
            used.add(d);
            for (const x of this.checker.deps.get(d) ?? []) stack.push(x);
        }
        return used;
    }

    private checkUnused(used: ReadonlySet<Decl>): void {
        const users = new Map<Decl, Decl[]>();
        for (const [owner, ds] of this.checker.deps) {
            if (!ast.isFeatureDecl(owner) && !ast.isSignalDecl(owner)) continue;
            for (const d of ds) users.set(d, [...(users.get(d) ?? []), owner]);
        }
        for (const m of this.members) {
            if (!(ast.isParamDecl(m) || ast.isFeatureDecl(m) || ast.isSignalDecl(m)) || used.has(m) || !m.name) continue;
            const kind = ast.isParamDecl(m) ? 'param' : ast.isFeatureDecl(m) ? 'feature' : 'signal';
            const code = ast.isParamDecl(m) ? 'AF301' : ast.isFeatureDecl(m) ? 'AF302' : 'AF303';
            const by = (users.get(m) ?? []).filter(u => u !== m);
            const constraintOnly = ast.isParamDecl(m) && by.length === 0 && this.members.some(x => ast.isConstraintDecl(x) && this.checker.deps.get(x)?.has(m));
            const why = by.length > 0
                ? `is only used by unused ${by.map(u => `${ast.isFeatureDecl(u) ? 'feature' : 'signal'} '${u.name}'`).join(', ')}`
                : constraintOnly ? 'is only used in constraints' : 'is never used';
            const advice = kind === 'param' ? ' It still multiplies every sweep grid; remove it or use it.' : ' Remove it or use it in a rule.';
            this.add('unused', { code, node: m, property: 'name', message: `${kind[0]!.toUpperCase()}${kind.slice(1)} '${m.name}' ${why} by any rule, portfolio or risk setting.${advice}`.replace(' by any rule, portfolio or risk setting', why === 'is never used' ? '' : ' (nothing trades on it)') });
        }
    }

    private checkNeverFires(): void {
        const iv = new IntervalAnalysis(this.catalogue);
        for (const block of this.members.filter(ast.isRulesBlock)) {
            for (const rule of block.rules ?? []) {
                if (!rule.condition) continue;
                const t = iv.truth(rule.condition);
                if (!t.canTrue) {
                    this.add('neverFires', { code: 'AF304', node: rule, property: 'condition', message: `Rule \`when ${textOf(rule.condition, 50)}\` can never fire: ${t.why ?? 'its condition is always false'}.` });
                }
            }
        }
    }

    // ------------------------------------------------------------------ warm-up, overfitting, leverage

    private computeWarmup(sinks: readonly Sink[]): Warmup {
        let bars = 0, maxBars = 0, at: AstNode | undefined;
        for (const s of sinks) {
            for (const e of s.exprs) {
                const f = this.checker.facts.get(e);
                if (!f) continue;
                if (f.lookback > bars || (!at && f.lookbackAt)) { bars = Math.max(bars, f.lookback); at = f.lookbackAt ?? at; }
                maxBars = Math.max(maxBars, f.lookbackMax);
            }
        }
        return { bars, maxBars: Math.max(maxBars, bars), at };
    }

    private reportWarmup(w: Warmup): void {
        if (!this.s.name) return;
        const where = w.at ? ` (longest look-back: \`${textOf(w.at)}\`)` : '';
        const range = w.maxBars > w.bars ? `; up to ${w.maxBars} bars over the param ranges` : '';
        this.add('warmup', { code: 'AF501', node: this.s, property: 'name', message: `Warm-up: ${w.bars} bar${w.bars === 1 ? '' : 's'}${where}${range}. No trade happens before every input is defined.` });
    }

    /**
     * AF503: a look-back beyond MAX_LOOKBACK_BARS (over the param ranges). Reported where the
     * limit is crossed: the index or call whose inputs are within it but which is not.
     */
    private checkLookbackLimit(): void {
        const over = (n: AstNode | undefined): boolean => (n ? (this.checker.facts.get(n)?.lookbackMax ?? 0) > MAX_LOOKBACK_BARS : false);
        for (const [node, f] of this.checker.facts) {
            if (!(f.lookbackMax > MAX_LOOKBACK_BARS) || !(ast.isIndexExpr(node) || ast.isCall(node))) continue;
            if (AstUtils.getContainerOfType(node, ast.isStrategy) !== this.s) continue;
            const inputs: (AstNode | undefined)[] = ast.isIndexExpr(node) ? [node.base] : node.args.map(a => a.value);
            if (inputs.some(over)) continue;
            const bars = (n: number): string => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'unboundedly many');
            const much = f.lookbackMax > f.lookback ? `up to ${bars(f.lookbackMax)} bars over the param ranges (${bars(f.lookback)} with the defaults)` : `${bars(f.lookbackMax)} bars`;
            this.add('lookbackLimit', {
                code: 'AF503', node,
                message: `\`${textOf(node)}\` looks back ${much}; the limit is ${MAX_LOOKBACK_BARS.toLocaleString('en-US')} bars. Shorten the look-back, narrow the param's range, or use a coarser timeframe.`,
            });
        }
    }

    /**
     * AF406: a grid a grid sweep would refuse — over MAX_GRID_COMBINATIONS combinations, or a
     * param with more than MAX_GRID values (the IR does not enumerate those). Reported on the
     * param with the most values; random sweeps and backtests of the strategy are unaffected.
     */
    private checkGridLimit(space: ParamSpace): void {
        const counts = space.params.map(p => ({ p, n: gridCount(p) })).filter(x => x.n > 1);
        if (counts.length === 0) return;
        const total = counts.reduce((n, x) => n * x.n, 1);
        const widest = counts.reduce((a, b) => (b.n > a.n ? b : a));
        if (total <= MAX_GRID_COMBINATIONS && widest.n <= MAX_GRID) return;
        const fmt = (n: number): string => (Number.isFinite(n) && n < 1e21 ? Math.round(n).toLocaleString('en-US') : n.toExponential(1));
        const why = widest.n > MAX_GRID
            ? `param '${widest.p.name}' alone has ${fmt(widest.n)} grid values (over ${MAX_GRID.toLocaleString('en-US')} per param)`
            : `the grid has ${fmt(total)} combinations (${counts.map(x => `${x.p.name}: ${fmt(x.n)}`).join(' × ')}; over ${MAX_GRID_COMBINATIONS.toLocaleString('en-US')})`;
        this.add('gridLimit', {
            code: 'AF406', node: widest.p.decl, property: 'name',
            message: `A grid sweep of '${this.s.name}' is refused: ${why}. Use a random sweep (a sample of the space), a coarser step, or fix some params.`,
        });
    }

    private checkOverfitting(space: ParamSpace): void {
        const free = space.params.filter(p => p.free);
        if (free.length === 0) return;
        const n = space.gridSize;
        const names = free.map(p => p.name).join(', ');
        // Minimum backtest length for an annualised Sharpe of 1 out of N trials (Bailey, Borwein, López de Prado, Zhu 2014).
        const minYears = Number.isFinite(n) && n > 1 ? 2 * Math.log(n) : Infinity;
        // Formatted only for a finding: toLocaleString costs milliseconds, on every keystroke.
        const gridText = (): string => (Number.isFinite(n) ? `${n.toLocaleString('en-US')} combinations` : 'a continuous space');
        const bars = this.options.dataBars;
        if (bars !== undefined && this.timeframeMs !== undefined) {
            const years = (bars * this.timeframeMs) / YEAR_MS;
            if (years < minYears) {
                this.add('overfitting', {
                    code: 'AF502', node: this.s, property: 'name',
                    message: `Overfitting risk: ${free.length} free param${free.length === 1 ? '' : 's'} (${names}) span ${gridText()}, but the data covers ${years.toFixed(1)} years. To trust the best of N trials at an annual Sharpe of 1 you need about 2·ln(N) = ${Number.isFinite(minYears) ? minYears.toFixed(1) : '∞'} years. Fix some params, use coarser steps or more data.`,
                });
                return;
            }
        }
        if (free.length > 5 || n > 100_000) {
            this.add('overfitting', {
                code: 'AF502', node: this.s, property: 'name',
                message: `Overfitting risk: ${free.length} free params (${names}) span ${gridText()}; the best of that many trials looks good by chance. It needs about ${Number.isFinite(minYears) ? minYears.toFixed(1) : 'unbounded'} years of data for an annual Sharpe of 1 to be meaningful. Fix some params or use coarser steps.`,
            });
        }
    }

    /**
     * `long` keeps the sign of a target's size as written and `short` negates it
     * (docs/backtest-semantics.md), so a negative size under a written side trades the other way:
     * `target -50% long` goes short, `target -50% short` goes long. AF603 when the size is a
     * negation (`-x`, unless x is never positive) or is never positive; AF604 when the interval
     * analysis bounds it below 0 (a param range reaching below 0) but it can also be positive.
     * An unbounded size (a feature of unknown range) without a leading minus is not reported.
     */
    private checkTargetSides(): void {
        const iv = new IntervalAnalysis(this.catalogue);
        for (const block of this.members.filter(ast.isRulesBlock)) {
            for (const rule of block.rules ?? []) {
                for (const action of rule.actions ?? []) {
                    if (!ast.isTargetAction(action)) continue;
                    for (const t of action.targets ?? []) {
                        if (!t.side || !t.size || this.checker.facts.get(t.size)?.ty.kind !== 'num') continue;
                        const f = targetSideFinding(t, t.side as 'long' | 'short', t.size, iv);
                        if (f) this.add('targetSides', f);
                    }
                }
            }
        }
    }

    private checkLeverage(settings: Record<Section, Map<string, ast.Setting>>): void {
        const levSetting = settings.risk.get('leverage');
        const lev = levSetting ? this.checker.constValue(levSetting.value) : 1;
        if (typeof lev !== 'number') return;
        const perAsset = Math.max(1, this.assets.length);
        for (const block of this.members.filter(ast.isRulesBlock)) {
            for (const rule of block.rules ?? []) {
                let total = 0;
                for (const action of rule.actions ?? []) {
                    if (!ast.isTargetAction(action)) continue;
                    for (const t of action.targets ?? []) {
                        if (t.quantity) continue;
                        // The largest |size| over the param ranges: a range reaching below 0 is a short of that size.
                        const r = this.checker.range(t.size);
                        const v = r ? Math.max(Math.abs(r.lo), Math.abs(r.hi)) : NaN;
                        if (!Number.isFinite(v)) continue;
                        total += v * (t.asset ? 1 : perAsset);
                    }
                }
                if (total > lev + 1e-12) {
                    const each = perAsset > 1 && (rule.actions ?? []).some(a => ast.isTargetAction(a) && a.targets.some(t => !t.asset)) ? ` (a target without an asset applies to each of the ${perAsset} assets)` : '';
                    this.add('leverage', { code: 'AF601', node: rule, property: 'actions', message: `This rule targets ${(total * 100).toFixed(0)}% of equity${each}, above the leverage limit of ${lev}×. Lower the size or set \`risk { leverage: ${Math.ceil(total * 100) / 100} }\`.` });
                }
            }
        }
    }
}

/** What decides a market fill of a rule or allocation (see checkSameBarFill), each with what it is (nothing for the condition). */
function decisiveAtFill(sink: Sink): { expr: ast.Expression; what?: string }[] {
    const out: { expr: ast.Expression; what?: string }[] = [];
    if (ast.isRule(sink.node)) {
        if (sink.node.condition) out.push({ expr: sink.node.condition });
        for (const action of sink.node.actions ?? []) {
            if (ast.isTargetAction(action)) {
                for (const t of action.targets ?? []) if (t.size) out.push({ expr: t.size, what: `the size \`${textOf(t.size, 40)}\`` });
            } else if (ast.isOrderAction(action) && action.size && (!action.orderType || action.orderType === 'market')) {
                out.push({ expr: action.size, what: `the ${action.side} size \`${textOf(action.size, 40)}\`` });
            }
        }
    } else if (ast.isAllocation(sink.node)) {
        if (sink.node.selection) out.push({ expr: sink.node.selection });
        if (sink.node.weighting) out.push({ expr: sink.node.weighting, what: `the weighting \`${textOf(sink.node.weighting, 40)}\`` });
    }
    return out;
}

/** AF603/AF604 for one target with a written side (see checkTargetSides). */
function targetSideFinding(t: ast.Target, side: 'long' | 'short', size: ast.Expression, iv: IntervalAnalysis): Finding | undefined {
    const r = iv.range(size);
    if (r.lo >= 0) return undefined;
    const other = side === 'long' ? 'short' : 'long';
    const units = t.quantity ? ' units' : '';
    const prefix = t.asset ? `${t.asset.$refText}: ` : '';
    const written = `\`target ${prefix}${textOf(size)}${units} ${side}\``;
    const target = (e: string, s?: string): string => `\`target ${prefix}${e}${units}${s ? ` ${s}` : ''}\``;
    const how = side === 'long' ? '`long` keeps the sign of the size as written' : '`short` negates the size, so minus a minus is long';
    const fmt = (x: number): string => (x === -Infinity ? '−∞' : x === Infinity ? '∞' : t.quantity ? String(+x.toPrecision(6)) : `${+(x * 100).toPrecision(6)}%`);
    const within = (i: Interval): string => (i.lo === i.hi ? `it is ${fmt(i.lo)}` : `it lies in [${fmt(i.lo)}, ${fmt(i.hi)}]`);
    if (ast.isUnaryExpr(size) && size.operator === '-' && size.operand) {
        const x = textOf(size.operand);
        const o = iv.range(size.operand);
        const amount = ast.isNumberLit(size.operand) ? `${x}${units}` : `\`${x}\`${units}`;
        const does = o.lo >= 0 ? `would go ${other} ${amount}` : `goes ${other} whenever \`${x}\` is positive`;
        const fix = side === 'long'
            ? `Write ${target(x, 'short')} to go short, or drop the minus to go long`
            : `Drop the minus to go short (${target(x, 'short')}), or write ${target(x, 'long')} to go long`;
        const signed = o.lo >= 0 ? '' : `; if the sign of \`${textOf(size)}\` is meant to choose the side, write ${target(textOf(size))} without a side`;
        return { code: 'AF603', node: t, message: `${written} ${does}: ${how}. ${fix}${signed}.`, data: { code: 'AF603', negatedSize: true } };
    }
    const neg = (e: ast.Expression): string => {
        // A constant is folded (`0 - 50%` → 50%); anything else is negated as written.
        if (r.lo === r.hi && !t.quantity && !AstUtils.streamAst(e).some(ast.isRef)) return fmt(-r.lo);
        const x = textOf(e);
        return ast.isRef(e) || ast.isNumberLit(e) || ast.isCall(e) || ast.isMemberExpr(e) || ast.isIndexExpr(e) ? `-${x}` : `-(${x})`;
    };
    if (r.hi <= 0) {
        const fix = side === 'long'
            ? `Give a positive size to go long, or write ${target(neg(size), 'short')} to go short`
            : `Write ${target(neg(size), 'short')} to go short, or ${target(neg(size), 'long')} to go long`;
        return { code: 'AF603', node: t, message: `${written} would go ${other}: \`${textOf(size)}\` is never positive (${within(r)}) and ${how}. ${fix}.` };
    }
    if (r.lo === -Infinity) return undefined;
    const unsided = side === 'long' ? target(textOf(size)) : target(neg(size));
    const param = ast.isRef(size) && ast.isParamDecl(size.ref?.ref) ? size.ref.ref : undefined;
    const keep = param ? `start the range of ${param.name} at 0, or write \`max(${param.name}, 0)\`` : `e.g. \`max(${textOf(size)}, 0)\``;
    return {
        code: 'AF604', node: t,
        message: `${written} goes ${other} when \`${textOf(size)}\` is negative (${within(r)}): ${how}. Keep the size at or above 0 (${keep}), or write ${unsided} without a side if the sign of the size is meant to choose the side.`,
    };
}

/** Values a grid sweep of `p` tries (Infinity for a continuous range), counted without enumerating them. */
function gridCount(p: ParamSpace['params'][number]): number {
    if (p.values) return p.values.length;
    if (p.low === undefined || p.high === undefined) return 1;
    if (p.step === undefined) return Infinity;
    return Math.floor((p.high - p.low) / p.step + 1e-9) + 1;
}
