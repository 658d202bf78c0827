/**
 * Adds the generated builtin library to every workspace, so builtins resolve like any declaration
 * (after the workspace's declared packs joined the catalogue: workspace-packs.ts), and validates
 * every workspace file on the first build.
 */
import { URI, type LangiumDocument, type LangiumSharedCoreServices } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import { serverPacksOf } from './workspace-packs.js';
import { DefaultWorkspaceManager } from 'langium';
import type { WorkspaceFolder } from 'vscode-languageserver';
import type { AlphaForgeServices } from '../../language/src/alphaforge-module.js';

export class AlphaForgeWorkspaceManager extends DefaultWorkspaceManager {
    constructor(private readonly sharedServices: LangiumSharedCoreServices) {
        super(sharedServices);
        // Validate every workspace file, not only open ones: the Problems view covers the whole
        // workspace, and strategies must be validated to compile (fingerprints, find similar).
        this.initialBuildOptions = { validation: true };
    }

    protected override async loadAdditionalDocuments(folders: WorkspaceFolder[], collector: (document: LangiumDocument) => void): Promise<void> {
        await super.loadAdditionalDocuments(folders, collector);
        // The workspace's declared packs join the catalogue before the builtin library is generated from it.
        serverPacksOf(this.sharedServices as LangiumSharedServices).start(folders[0] ? URI.parse(folders[0].uri).fsPath : undefined);
        const services = this.sharedServices.ServiceRegistry.all[0] as unknown as AlphaForgeServices;
        collector(services.alphaforge.Builtins.document());
    }
}
