/**
 * Dependency injection for the AlphaForge language: the services Langium provides by default,
 * the generated parser, and ours (catalogue, builtins, scoping, linking and indexing, analysis,
 * validation).
 * `createAlphaForgeServices` builds the core services used by the CLI, the runtime and tests;
 * the language server injects the same `AlphaForgeModule` into Langium's LSP module.
 */
import {
    createDefaultCoreModule, createDefaultSharedCoreModule, inject,
    type DefaultSharedCoreModuleContext, type LangiumCoreServices, type LangiumSharedCoreServices,
    type Module, type PartialLangiumCoreServices, type PartialLangiumSharedCoreServices, type TypeMetaData,
} from 'langium';
import { AlphaForgeAstReflection } from './generated/ast.js';
import { AlphaForgeGeneratedModule, AlphaForgeGeneratedSharedModule } from './generated/module.js';
import { Catalogue } from './catalogue/catalogue.js';
import { Builtins } from './builtins.js';
import { AlphaForgeScopeComputation, AlphaForgeScopeProvider } from './scoping.js';
import { AlphaForgeValidator, registerValidationChecks } from './validation/alphaforge-validator.js';
import { Analyzer } from './analysis/analyzer.js';
import { AlphaForgeDocumentValidator } from './validation/document-validator.js';
import { createGuardedParser } from './parser-guard.js';
import { AlphaForgeLexer, AlphaForgeParserErrorMessageProvider } from './syntax-errors.js';
import { AlphaForgeAstNodeDescriptionProvider, AlphaForgeLinker, AlphaForgeReferenceDescriptionProvider } from './indexing.js';
import type { CapabilityPack } from './catalogue/pack-types.js';
import { corePack } from './catalogue/core-pack.js';
import { AlphaForgeDocumentFactory } from './incremental-parse.js';
import { BUNDLED_CATALOGUE_PACKS } from './catalogue/bundled-packs.js';

export interface AlphaForgeAddedServices {
    alphaforge: {
        Catalogue: Catalogue;
        Builtins: Builtins;
        Analyzer: Analyzer;
    };
    validation: {
        AlphaForgeValidator: AlphaForgeValidator;
    };
}

export type AlphaForgeServices = LangiumCoreServices & AlphaForgeAddedServices;

/**
 * @param packs the enabled packs (default: core).
 * @param knownPacks packs that exist but are not enabled: a name of theirs is still unknown, and
 * the diagnostic names the pack to add (default: the packs shipped with AlphaForge, such as mid-frequency).
 */
export function createAlphaForgeModule(packs?: readonly CapabilityPack[], knownPacks: readonly CapabilityPack[] = BUNDLED_CATALOGUE_PACKS): Module<AlphaForgeServices, PartialLangiumCoreServices & AlphaForgeAddedServices> {
    return {
        alphaforge: {
            Catalogue: () => new Catalogue(packs ?? [corePack], knownPacks),
            Builtins: services => new Builtins(services),
            Analyzer: services => new Analyzer(services),
        },
        parser: {
            LangiumParser: services => createGuardedParser(services),
            Lexer: services => new AlphaForgeLexer(services),
            ParserErrorMessageProvider: () => new AlphaForgeParserErrorMessageProvider(),
        },
        references: {
            ScopeComputation: services => new AlphaForgeScopeComputation(services),
            ScopeProvider: services => new AlphaForgeScopeProvider(services),
            Linker: services => new AlphaForgeLinker(services),
        },
        workspace: {
            AstNodeDescriptionProvider: services => new AlphaForgeAstNodeDescriptionProvider(services),
            ReferenceDescriptionProvider: services => new AlphaForgeReferenceDescriptionProvider(services),
        },
        validation: {
            AlphaForgeValidator: services => new AlphaForgeValidator(services),
            DocumentValidator: services => new AlphaForgeDocumentValidator(services),
        },
    };
}

export const AlphaForgeModule = createAlphaForgeModule();

/**
 * The generated reflection writes a new metadata object on every call, and the parser asks for
 * one per AST node it builds; the metadata of a type never changes, so it is built once.
 * BinaryExpr's `moreOperators`/`moreOperands` hold a flat operator chain only until it is rebuilt
 * (operator-chains.ts); they get no default `[]`, so no parsed BinaryExpr carries them.
 */
export class AlphaForgeCachedAstReflection extends AlphaForgeAstReflection {
    private readonly metaData = new Map<string, TypeMetaData>();

    override getTypeMetaData(type: string): TypeMetaData {
        let m = this.metaData.get(type);
        if (!m) {
            m = super.getTypeMetaData(type);
            if (type === 'BinaryExpr') m = { ...m, properties: m.properties.filter(p => p.name !== 'moreOperators' && p.name !== 'moreOperands') };
            this.metaData.set(type, m);
        }
        return m;
    }
}

/**
 * Shared services of ours, injected after the generated shared module (core and LSP alike): the
 * cached reflection, and a document factory that re-parses only the member an edit touched
 * (incremental-parse.ts).
 */
export const AlphaForgeSharedModule: Module<LangiumSharedCoreServices, PartialLangiumSharedCoreServices> = {
    AstReflection: () => new AlphaForgeCachedAstReflection(),
    workspace: {
        LangiumDocumentFactory: services => new AlphaForgeDocumentFactory(services),
    },
};

export interface AlphaForgeContext extends DefaultSharedCoreModuleContext {
    /** Extra capability packs on top of the core pack. */
    packs?: readonly CapabilityPack[];
    /** Packs that exist but the workspace does not enable (their names get a diagnostic naming the pack). */
    knownPacks?: readonly CapabilityPack[];
}

/** Core (non-LSP) services: parser, linker, validator, analysis. */
export function createAlphaForgeServices(context: AlphaForgeContext): { shared: LangiumSharedCoreServices; AlphaForge: AlphaForgeServices } {
    const shared = inject(createDefaultSharedCoreModule(context), AlphaForgeGeneratedSharedModule, AlphaForgeSharedModule);
    const AlphaForge = inject(
        createDefaultCoreModule({ shared }),
        AlphaForgeGeneratedModule,
        createAlphaForgeModule([corePack, ...(context.packs ?? [])], context.knownPacks ?? BUNDLED_CATALOGUE_PACKS),
    );
    shared.ServiceRegistry.register(AlphaForge);
    registerValidationChecks(AlphaForge);
    return { shared, AlphaForge };
}
