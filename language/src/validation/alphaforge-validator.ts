/**
 * The validator, in the shape of Langium's examples: one class, one check per concern, registered
 * by AST type. A strategy is analysed once (analysis/analyzer.ts, cached until the workspace
 * changes) and keeps its findings per concern; each Strategy check reports the findings of the
 * concern it is named for. Every diagnostic carries its code, a link to its documentation and, in
 * `data`, its code and what its quick fix needs (diagnostic-data.ts).
 */
import { AstUtils, type AstNode, type ValidationAcceptor, type ValidationChecks } from 'langium';
import * as ast from '../generated/ast.js';
import type { AlphaForgeServices } from '../alphaforge-module.js';
import type { Analyzer, Concern } from '../analysis/analyzer.js';
import type { Finding } from '../analysis/findings.js';
import { Builtins } from '../builtins.js';
import { resolveImport } from '../scoping.js';
import { diagnosticDoc } from './diagnostic-codes.js';

export function registerValidationChecks(services: AlphaForgeServices): void {
    const registry = services.validation.ValidationRegistry;
    const v = services.validation.AlphaForgeValidator;
    const checks: ValidationChecks<ast.AlphaForgeAstType> = {
        Model: [v.checkImportsResolve, v.checkTopLevelNamesAreUnique, v.checkDefsDoNotShadowBuiltins, v.checkNoExternDeclarations],
        FunctionDef: [v.checkDefBody, v.checkDefParamsAreUnique],
        // In the order of the code families (AF0…AF6) where a concern has one; the checker's concerns last.
        Strategy: [
            v.checkHeader, v.checkNames, v.checkStrategyTrades, v.checkSameBarFill, v.checkRuleActions, v.checkSettings, v.checkPortfolio,
            v.checkCrossSectionalUniverse, v.checkUnusedDeclarations, v.checkRulesCanFire, v.checkParams, v.checkGridLimit, v.checkWarmup,
            v.checkOverfitting, v.checkLookbackLimit, v.checkLeverage, v.checkTargetSides, v.checkTypes, v.checkLookahead,
        ],
    };
    registry.register(checks, v);
}

/** Documentation link for a code, shown by editors next to the diagnostic. */
export function codeHref(code: string): string {
    return `https://alphaforge.dev/docs/diagnostics#${code.toLowerCase()}`;
}

export function emit(accept: ValidationAcceptor, f: Finding): void {
    const doc = diagnosticDoc(f.code);
    const severity = doc?.severity ?? 'error';
    accept(severity, f.message, {
        node: f.node,
        property: f.property as never,
        index: f.index,
        code: f.code,
        codeDescription: { href: codeHref(f.code) },
        data: f.data ?? { code: f.code },
        relatedInformation: f.related?.flatMap(r => {
            const range = r.node.$cstNode?.range;
            const root = AstUtils.findRootNode(r.node);
            const uri = root.$document?.uri.toString();
            return range && uri ? [{ location: { uri, range }, message: r.message }] : [];
        }),
    });
}

export class AlphaForgeValidator {
    private readonly analyzer: Analyzer;
    private readonly services: AlphaForgeServices;

    constructor(services: AlphaForgeServices) {
        this.services = services;
        this.analyzer = services.alphaforge.Analyzer;
    }

    private report(s: ast.Strategy, concern: Concern, accept: ValidationAcceptor): void {
        for (const f of this.analyzer.analyze(s).findings[concern]) emit(accept, f);
    }

    // ------------------------------------------------------------------ a strategy

    /** One universe and one timeframe, a valid timeframe, each section at most once, each symbol listed once (AF006, AF206, AF002). */
    checkHeader = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'header', accept);
    /** Params, features, signals and aliases are named once and do not shadow builtins (AF002, AF010). */
    checkNames = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'names', accept);
    /** Param defaults, ranges and steps are constants of the right type, defaults lie on their grid, constraints relate params only and can hold (AF201, AF205, AF401–AF405). */
    checkParams = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'params', accept);
    /** Orders have the prices, sizes and expiry their type needs (AF201, AF202). */
    checkRuleActions = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'rules', accept);
    /** Risk, execution and portfolio settings are known, set once and given values of their kind (AF007, AF208, AF602). */
    checkSettings = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'settings', accept);
    /** Portfolio allocations weigh by a weighting or a numeric series (AF208). */
    checkPortfolio = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'portfolio', accept);
    /** `fill: this_close` does not fill at the close a decision is computed from (AF102). */
    checkSameBarFill = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'sameBarFill', accept);
    /** Cross-sectional functions have more than one asset to compare (AF209). */
    checkCrossSectionalUniverse = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'crossSectional', accept);
    /** Every param, feature and signal is something a rule, allocation or risk setting trades on (AF301–AF303). */
    checkUnusedDeclarations = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'unused', accept);
    /** Every rule's condition can be true (AF304). */
    checkRulesCanFire = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'neverFires', accept);
    /** The warm-up: bars before every input is defined (AF501, a hint). */
    checkWarmup = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'warmup', accept);
    /** Free params against the data they would be fitted on (AF502). */
    checkOverfitting = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'overfitting', accept);
    /** No look-back beyond the limit over the param ranges (AF503). */
    checkLookbackLimit = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'lookbackLimit', accept);
    /** The grid a grid sweep would run is within its limits (AF406). */
    checkGridLimit = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'gridLimit', accept);
    /** A rule's targets stay within the leverage limit (AF601). */
    checkLeverage = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'leverage', accept);
    /** A target's written side agrees with the sign of its size (AF603, AF604). */
    checkTargetSides = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'targetSides', accept);
    /** The strategy has rules or allocations, so it trades (AF009). */
    checkStrategyTrades = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'trades', accept);
    /** Types, units, arity, arguments and cycles of every expression, signals are conditions (AF001 too deep, AF005, AF201–AF207). */
    checkTypes = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'expressions', accept);
    /** No expression reads the future or a coarse bar still forming (AF101, AF103). */
    checkLookahead = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, 'lookahead', accept);

    // ------------------------------------------------------------------ a def and the file

    /** A def's body is well typed whatever it is called with (AF2xx, AF005, AF101). */
    checkDefBody = (d: ast.FunctionDef, accept: ValidationAcceptor): void => {
        for (const f of this.analyzer.analyzeDef(d)) emit(accept, f);
    };

    /** A def's parameters are named once (AF002). */
    checkDefParamsAreUnique = (d: ast.FunctionDef, accept: ValidationAcceptor): void => {
        const seen = new Set<string>();
        for (const p of d.params) {
            if (seen.has(p.name)) emit(accept, { code: 'AF002', node: p, property: 'name', message: `Parameter '${p.name}' of ${d.name}() is declared twice.` });
            seen.add(p.name);
        }
    };

    /** Every import names a file that exists and is not this one (AF004). */
    checkImportsResolve = (m: ast.Model, accept: ValidationAcceptor): void => {
        const doc = m.$document;
        if (!doc) return;
        const documents = this.services.shared.workspace.LangiumDocuments;
        for (const imp of m.imports) {
            if (!imp.path) continue;
            const uri = resolveImport(doc.uri, imp.path);
            if (uri.toString() === doc.uri.toString()) {
                emit(accept, { code: 'AF004', node: imp, property: 'path', message: 'A file cannot import itself.' });
            } else if (!documents.hasDocument(uri)) {
                emit(accept, { code: 'AF004', node: imp, property: 'path', message: `Cannot find '${imp.path}' (looked for ${uri.path}). Paths are relative to this file.` });
            }
        }
    };

    /** Defs and strategies of a file are named once (AF002). */
    checkTopLevelNamesAreUnique = (m: ast.Model, accept: ValidationAcceptor): void => {
        const seen = new Map<string, AstNode>();
        for (const el of m.elements) {
            if (!el.name) continue;
            if (seen.has(el.name)) emit(accept, { code: 'AF002', node: el, property: 'name', message: `'${el.name}' is already declared in this file; rename one of them.` });
            else seen.set(el.name, el);
        }
    };

    /** A def does not take a builtin's name, which it would hide in the files that import it (AF010). */
    checkDefsDoNotShadowBuiltins = (m: ast.Model, accept: ValidationAcceptor): void => {
        for (const el of m.elements) {
            if (ast.isFunctionDef(el) && el.name && this.services.alphaforge.Catalogue.get(el.name)) {
                emit(accept, { code: 'AF010', node: el, property: 'name', message: `def ${el.name} shadows the builtin ${el.name} in files that import this one. Rename it.` });
            }
        }
    };

    /** `extern` declarations appear only in the generated builtin library (AF008). */
    checkNoExternDeclarations = (m: ast.Model, accept: ValidationAcceptor): void => {
        if (m.$document && Builtins.isBuiltinUri(m.$document.uri)) return;
        for (const el of m.elements) {
            if (ast.isExternDecl(el)) {
                emit(accept, { code: 'AF008', node: el, message: '`extern` declarations are generated from the function catalogue; declare your own functions with `def`.' });
            }
        }
    };
}
