/**
 * The validator: one method per family of checks, registered by AST type. The work is done
 * once per strategy by the Analyzer; each method reports its family of findings, so a code
 * belongs to exactly one check and every diagnostic carries its code in `data.code`.
 */
import { AstUtils, type AstNode, type ValidationAcceptor, type ValidationChecks } from 'langium';
import * as ast from '../generated/ast.js';
import type { AlphaForgeServices } from '../alphaforge-module.js';
import type { Analyzer } from '../analysis/analyzer.js';
import type { Finding } from '../analysis/findings.js';
import { Builtins } from '../builtins.js';
import { resolveImport } from '../scoping.js';
import { diagnosticDoc } from './diagnostic-codes.js';

export function registerValidationChecks(services: AlphaForgeServices): void {
    const registry = services.validation.ValidationRegistry;
    const v = services.validation.AlphaForgeValidator;
    const checks: ValidationChecks<ast.AlphaForgeAstType> = {
        Model: [v.checkImports, v.checkTopLevelNames, v.checkExterns],
        FunctionDef: [v.checkDef],
        Strategy: [v.checkStructure, v.checkLookahead, v.checkTypes, v.checkDeadCode, v.checkParams, v.checkWarmupAndOverfitting, v.checkRisk],
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
        data: { code: f.code },
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

    private report(strategy: ast.Strategy, accept: ValidationAcceptor, prefixes: readonly string[]): void {
        for (const f of this.analyzer.analyze(strategy).findings) {
            if (prefixes.some(p => f.code.startsWith(p))) emit(accept, f);
        }
    }

    checkStructure = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, accept, ['AF0']);
    checkLookahead = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, accept, ['AF1']);
    checkTypes = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, accept, ['AF2']);
    checkDeadCode = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, accept, ['AF3']);
    checkParams = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, accept, ['AF4']);
    checkWarmupAndOverfitting = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, accept, ['AF5']);
    checkRisk = (s: ast.Strategy, accept: ValidationAcceptor): void => this.report(s, accept, ['AF6']);

    checkDef = (d: ast.FunctionDef, accept: ValidationAcceptor): void => {
        for (const f of this.analyzer.analyzeDef(d)) emit(accept, f);
        const seen = new Set<string>();
        for (const p of d.params) {
            if (seen.has(p.name)) emit(accept, { code: 'AF002', node: p, property: 'name', message: `Parameter '${p.name}' of ${d.name}() is declared twice.` });
            seen.add(p.name);
        }
    };

    checkImports = (m: ast.Model, accept: ValidationAcceptor): void => {
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

    checkTopLevelNames = (m: ast.Model, accept: ValidationAcceptor): void => {
        const seen = new Map<string, AstNode>();
        for (const el of m.elements) {
            if (!el.name) continue;
            const prev = seen.get(el.name);
            if (prev) emit(accept, { code: 'AF002', node: el, property: 'name', message: `'${el.name}' is already declared in this file; rename one of them.` });
            else seen.set(el.name, el);
            if (ast.isFunctionDef(el) && this.services.alphaforge.Catalogue.get(el.name)) {
                emit(accept, { code: 'AF010', node: el, property: 'name', message: `def ${el.name} shadows the builtin ${el.name} in files that import this one. Rename it.` });
            }
        }
    };

    checkExterns = (m: ast.Model, accept: ValidationAcceptor): void => {
        if (m.$document && Builtins.isBuiltinUri(m.$document.uri)) return;
        for (const el of m.elements) {
            if (ast.isExternDecl(el)) {
                emit(accept, { code: 'AF008', node: el, message: '`extern` declarations are generated from the function catalogue; declare your own functions with `def`.' });
            }
        }
    };
}
