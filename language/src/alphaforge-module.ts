/**
 * Dependency injection for the AlphaForge language: the services Langium provides by default,
 * the generated parser, and ours (catalogue, builtins, scoping, analysis, validation).
 * `createAlphaForgeServices` builds the core services used by the CLI, the runtime and tests;
 * the language server injects the same `AlphaForgeModule` into Langium's LSP module.
 */
import {
    createDefaultCoreModule, createDefaultSharedCoreModule, inject,
    type DefaultSharedCoreModuleContext, type LangiumCoreServices, type LangiumSharedCoreServices,
    type Module, type PartialLangiumCoreServices,
} from 'langium';
import { AlphaForgeGeneratedModule, AlphaForgeGeneratedSharedModule } from './generated/module.js';
import { Catalogue } from './catalogue/catalogue.js';
import { Builtins } from './builtins.js';
import { AlphaForgeScopeComputation, AlphaForgeScopeProvider } from './scoping.js';
import { AlphaForgeValidator, registerValidationChecks } from './validation/alphaforge-validator.js';
import { Analyzer } from './analysis/analyzer.js';
import { AlphaForgeDocumentValidator } from './validation/document-validator.js';
import { createGuardedParser } from './parser-guard.js';
import type { CapabilityPack } from './catalogue/pack-types.js';
import { corePack } from './catalogue/core-pack.js';

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

export function createAlphaForgeModule(packs?: readonly CapabilityPack[]): Module<AlphaForgeServices, PartialLangiumCoreServices & AlphaForgeAddedServices> {
    return {
        alphaforge: {
            Catalogue: () => new Catalogue(packs ?? [corePack]),
            Builtins: services => new Builtins(services),
            Analyzer: services => new Analyzer(services),
        },
        parser: {
            LangiumParser: services => createGuardedParser(services),
        },
        references: {
            ScopeComputation: services => new AlphaForgeScopeComputation(services),
            ScopeProvider: services => new AlphaForgeScopeProvider(services),
        },
        validation: {
            AlphaForgeValidator: services => new AlphaForgeValidator(services),
            DocumentValidator: services => new AlphaForgeDocumentValidator(services),
        },
    };
}

export const AlphaForgeModule = createAlphaForgeModule();

export interface AlphaForgeContext extends DefaultSharedCoreModuleContext {
    /** Extra capability packs on top of the core pack. */
    packs?: readonly CapabilityPack[];
}

/** Core (non-LSP) services: parser, linker, validator, analysis. */
export function createAlphaForgeServices(context: AlphaForgeContext): { shared: LangiumSharedCoreServices; AlphaForge: AlphaForgeServices } {
    const shared = inject(createDefaultSharedCoreModule(context), AlphaForgeGeneratedSharedModule);
    const AlphaForge = inject(
        createDefaultCoreModule({ shared }),
        AlphaForgeGeneratedModule,
        createAlphaForgeModule([corePack, ...(context.packs ?? [])]),
    );
    shared.ServiceRegistry.register(AlphaForge);
    registerValidationChecks(AlphaForge);
    return { shared, AlphaForge };
}
