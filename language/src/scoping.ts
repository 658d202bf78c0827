/**
 * Scoping: what a name in a `.af` file can refer to.
 * - Inside a strategy: its params, features, signals and asset aliases (declaration order is
 *   irrelevant, so a feature may use one declared below it).
 * - Inside a `def`: its parameters.
 * - Everywhere: top-level `def`s of the same file, of files it imports (directly), and builtins
 *   from the function catalogue. Other files of the workspace are invisible unless imported.
 */
import {
    AstUtils, DefaultScopeComputation, DefaultScopeProvider, MapScope, MultiMap, UriUtils, WorkspaceCache,
    type AstNode, type AstNodeDescription, type LangiumDocument, type PrecomputedScopes, type ReferenceInfo, type Scope,
} from 'langium';
import { type URI } from 'langium';
import { ExternFunction, FunctionDef, Model, Strategy, isExternFunction, isFeatureDecl, isFunctionDef, isModel, isParamDecl, isSignalDecl, isStrategy, isUniverseDecl } from './generated/ast.js';
import type { AlphaForgeServices } from './alphaforge-module.js';

export class AlphaForgeScopeComputation extends DefaultScopeComputation {
    /**
     * Only declarations can be referred to, and they sit at known places: top-level elements,
     * strategy members, universe aliases, def parameters. Visiting just those (instead of every
     * expression node, as the default does) keeps this phase proportional to the declarations.
     * Asset aliases (`nyse:KO as a`) live in the universe line but are visible in the whole strategy.
     */
    override async computeLocalScopes(document: LangiumDocument): Promise<PrecomputedScopes> {
        const scopes: PrecomputedScopes = new MultiMap<AstNode, AstNodeDescription>();
        const model = document.parseResult.value;
        if (!isModel(model)) return scopes;
        const add = (container: AstNode, node: AstNode, name: string | undefined): void => {
            if (name) scopes.add(container, this.descriptions.createDescription(node, name, document));
        };
        for (const el of model.elements) {
            add(model, el, el.name);
            if (isStrategy(el)) {
                for (const m of el.members ?? []) {
                    if (isParamDecl(m) || isFeatureDecl(m) || isSignalDecl(m)) add(el, m, m.name);
                    else if (isUniverseDecl(m)) for (const a of m.assets ?? []) add(el, a, a.name);
                }
            } else if (isFunctionDef(el) || isExternFunction(el)) {
                for (const p of el.params ?? []) add(el, p, p.name);
            }
        }
        return scopes;
    }
}

/** The nodes that AlphaForgeScopeComputation attaches declarations to (types without subtypes). */
const SCOPE_HOLDERS: ReadonlySet<string> = new Set([Model, Strategy, FunctionDef, ExternFunction]);
function isScopeHolder(node: AstNode): boolean {
    return SCOPE_HOLDERS.has(node.$type);
}

/** Resolves an import path against the importing document; `.af` is appended when missing. */
export function resolveImport(from: URI, path: string): URI {
    const withExt = path.endsWith('.af') ? path : `${path}.af`;
    return UriUtils.resolvePath(UriUtils.dirname(from), withExt);
}

export class AlphaForgeScopeProvider extends DefaultScopeProvider {
    private readonly builtinUris: () => ReadonlySet<string>;
    private readonly scopeCache: WorkspaceCache<AstNode, Map<string, Scope>>;
    private readonly importCache: WorkspaceCache<string, Scope>;

    constructor(services: AlphaForgeServices) {
        super(services);
        this.builtinUris = () => services.alphaforge.Builtins.uris();
        this.scopeCache = new WorkspaceCache(services.shared);
        this.importCache = new WorkspaceCache(services.shared);
    }

    /** Same lookup order as the default, but with hash-map scopes cached per container, so linking stays linear. */
    override getScope(context: ReferenceInfo): Scope {
        const referenceType = this.reflection.getReferenceType(context);
        return this.scopeFor(context.container, referenceType, context);
    }

    /**
     * Only the model, strategies and defs hold declarations (see AlphaForgeScopeComputation): any
     * other node sees the scope of its nearest holder, cached there — not once per reference. On a
     * long way up (an expression nested thousands deep) every 16th node remembers the answer too,
     * so that the next reference below stops there and linking stays linear.
     */
    private scopeFor(node: AstNode, referenceType: string, context: ReferenceInfo): Scope {
        const path: AstNode[] = [];
        let scope: Scope | undefined;
        for (let n: AstNode | undefined = node; n; n = n.$container) {
            scope = isScopeHolder(n) ? this.holderScope(n, referenceType, context) : this.scopeCache.get(n)?.get(referenceType);
            if (scope) break;
            path.push(n);
        }
        scope ??= this.getGlobalScope(referenceType, context);
        for (let i = 16; i < path.length; i += 16) this.remember(path[i]!, referenceType, scope);
        return scope;
    }

    private holderScope(holder: AstNode, referenceType: string, context: ReferenceInfo): Scope {
        const cached = this.scopeCache.get(holder)?.get(referenceType);
        if (cached) return cached;
        const outer = holder.$container ? this.scopeFor(holder.$container, referenceType, context) : this.getGlobalScope(referenceType, context);
        const local = AstUtils.getDocument(holder).precomputedScopes?.get(holder) ?? [];
        const own = local.filter(d => this.reflection.isSubtype(d.type, referenceType));
        return this.remember(holder, referenceType, own.length > 0 ? new MapScope(own, outer) : outer);
    }

    private remember(node: AstNode, referenceType: string, scope: Scope): Scope {
        let perType = this.scopeCache.get(node);
        if (!perType) { perType = new Map(); this.scopeCache.set(node, perType); }
        perType.set(referenceType, scope);
        return scope;
    }

    /** Builtins plus the top-level declarations of directly imported files. */
    protected override getGlobalScope(referenceType: string, context: ReferenceInfo): Scope {
        const document = AstUtils.getDocument(context.container);
        const key = `${document.uri.toString()}#${referenceType}`;
        return this.importCache.get(key, () => {
            const uris = new Set<string>(this.builtinUris());
            const root = document.parseResult.value;
            if (isModel(root)) {
                for (const imp of (root as Model).imports) {
                    if (imp.path) uris.add(resolveImport(document.uri, imp.path).toString());
                }
            }
            const elements: AstNodeDescription[] = this.indexManager.allElements(referenceType, uris).toArray();
            return new MapScope(elements);
        });
    }
}
