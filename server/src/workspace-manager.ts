/**
 * Adds the generated builtin library to every workspace, so builtins resolve like any declaration,
 * and validates every workspace file on the first build.
 */
import { type LangiumDocument, type LangiumSharedCoreServices } from 'langium';
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
        const services = this.sharedServices.ServiceRegistry.all[0] as unknown as AlphaForgeServices;
        collector(services.alphaforge.Builtins.document());
    }
}
