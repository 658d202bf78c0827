/**
 * The builtin library: a generated `.af` document of `extern` declarations, one per catalogue
 * entry, added to every workspace so that builtins are ordinary cross-reference targets.
 */
import { URI, type LangiumDocument } from 'langium';
import { BUILTIN_URI } from './catalogue/catalogue.js';
import type { AlphaForgeServices } from './alphaforge-module.js';

export class Builtins {
    private doc: LangiumDocument | undefined;
    constructor(private readonly services: AlphaForgeServices) {}

    uris(): ReadonlySet<string> {
        return new Set([BUILTIN_URI]);
    }

    /** The builtin document, created on first use and registered with the workspace's documents. */
    document(): LangiumDocument {
        const documents = this.services.shared.workspace.LangiumDocuments;
        const uri = URI.parse(BUILTIN_URI);
        if (!this.doc || !documents.hasDocument(uri)) {
            const text = this.services.alphaforge.Catalogue.builtinLibrary();
            this.doc = this.services.shared.workspace.LangiumDocumentFactory.fromString(text, uri);
            documents.addDocument(this.doc);
        }
        return this.doc;
    }

    static isBuiltinUri(uri: URI | string): boolean {
        return uri.toString().startsWith('builtin:');
    }
}
