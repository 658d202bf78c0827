/**
 * The language server's services: Langium's LSP defaults, the language's own module (the same
 * one the CLI uses), and the LSP features that need AlphaForge knowledge (hover, completion,
 * inlay hints, signature help, code actions, semantic tokens, formatting, rename, outline, symbol kinds,
 * code lenses and the commands they run).
 */
import { inject, type Module } from 'langium';
import {
    createDefaultModule, createDefaultSharedModule, type DefaultSharedModuleContext, type LangiumServices,
    type LangiumSharedServices, type PartialLangiumLSPServices, type PartialLangiumSharedServices,
} from 'langium/lsp';
import { AlphaForgeGeneratedModule, AlphaForgeGeneratedSharedModule } from '../../language/src/generated/module.js';
import { AlphaForgeSharedModule, createAlphaForgeModule, type AlphaForgeAddedServices } from '../../language/src/alphaforge-module.js';
import { registerValidationChecks } from '../../language/src/validation/alphaforge-validator.js';
import { AlphaForgeHoverProvider } from './hover.js';
import { AlphaForgeCompletionProvider } from './completion.js';
import { AlphaForgeInlayHintProvider } from './inlay-hints.js';
import { AlphaForgeSignatureHelpProvider } from './signature-help.js';
import { AlphaForgeCodeActionProvider } from './code-actions.js';
import { AlphaForgeSemanticTokenProvider } from './semantic-tokens.js';
import { AlphaForgeWorkspaceManager } from './workspace-manager.js';
import { AlphaForgeDocumentUpdateHandler } from './workspace-packs.js';
import { AlphaForgeFormatter } from './formatting.js';
import { AlphaForgeRenameProvider } from './rename.js';
import { AlphaForgeNodeKindProvider } from './node-kinds.js';
import { AlphaForgeDocumentSymbolProvider } from './document-symbols.js';
import { AlphaForgeCodeLensProvider } from './code-lenses.js';
import { AlphaForgeCommandHandler } from './commands.js';

export type AlphaForgeLspServices = LangiumServices & AlphaForgeAddedServices;

export const AlphaForgeLspModule: Module<AlphaForgeLspServices, PartialLangiumLSPServices> = {
    lsp: {
        HoverProvider: services => new AlphaForgeHoverProvider(services),
        CompletionProvider: services => new AlphaForgeCompletionProvider(services),
        InlayHintProvider: services => new AlphaForgeInlayHintProvider(services),
        SignatureHelp: services => new AlphaForgeSignatureHelpProvider(services),
        CodeActionProvider: () => new AlphaForgeCodeActionProvider(),
        SemanticTokenProvider: services => new AlphaForgeSemanticTokenProvider(services),
        Formatter: services => new AlphaForgeFormatter(services),
        RenameProvider: services => new AlphaForgeRenameProvider(services),
        DocumentSymbolProvider: services => new AlphaForgeDocumentSymbolProvider(services),
        CodeLensProvider: () => new AlphaForgeCodeLensProvider(),
    },
};

const SharedLspModule: Module<LangiumSharedServices, PartialLangiumSharedServices> = {
    workspace: {
        WorkspaceManager: services => new AlphaForgeWorkspaceManager(services),
    },
    lsp: {
        NodeKindProvider: () => new AlphaForgeNodeKindProvider(),
        DocumentUpdateHandler: services => new AlphaForgeDocumentUpdateHandler(services),
        ExecuteCommandHandler: () => new AlphaForgeCommandHandler(),
    },
};

export function createAlphaForgeLspServices(context: DefaultSharedModuleContext): { shared: LangiumSharedServices; AlphaForge: AlphaForgeLspServices } {
    const shared = inject(createDefaultSharedModule(context), AlphaForgeGeneratedSharedModule, AlphaForgeSharedModule as Module<LangiumSharedServices, PartialLangiumSharedServices>, SharedLspModule);
    const AlphaForge = inject(
        createDefaultModule({ shared }),
        AlphaForgeGeneratedModule,
        createAlphaForgeModule() as unknown as Module<AlphaForgeLspServices, AlphaForgeAddedServices>,
        AlphaForgeLspModule,
    );
    shared.ServiceRegistry.register(AlphaForge);
    registerValidationChecks(AlphaForge);
    return { shared, AlphaForge };
}
