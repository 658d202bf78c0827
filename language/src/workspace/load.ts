/**
 * Loading `.af` files with their imports into a Langium workspace, through the file system the
 * caller hands in (the CLI passes Node's; tests pass an in-memory one). No I/O of its own.
 */
import { URI, type LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import type * as ast from '../generated/ast.js';
import type { AlphaForgeServices } from '../alphaforge-module.js';
import { resolveImport } from '../scoping.js';

export interface LoadedDocument {
    readonly document: LangiumDocument<ast.Model>;
    readonly diagnostics: readonly Diagnostic[];
}

/**
 * Loads the given files and, transitively, the files they import; builds and validates them.
 * Returns the requested documents (imports are built too but not returned).
 */
export async function loadFiles(services: AlphaForgeServices, uris: readonly URI[]): Promise<LoadedDocument[]> {
    const documents = services.shared.workspace.LangiumDocuments;
    const builtin = services.alphaforge.Builtins.document();
    const all = new Map<string, LangiumDocument>();
    const queue = [...uris];
    while (queue.length) {
        const uri = queue.shift()!;
        const key = uri.toString();
        if (all.has(key)) continue;
        let doc: LangiumDocument;
        try {
            doc = await documents.getOrCreateDocument(uri);
        } catch {
            continue; // a missing import: reported as AF004 on the import statement
        }
        all.set(key, doc);
        const model = doc.parseResult.value as ast.Model;
        for (const imp of model.imports ?? []) if (imp.path) queue.push(resolveImport(uri, imp.path));
    }
    await services.shared.workspace.DocumentBuilder.build([builtin, ...all.values()], { validation: true });
    return uris.flatMap(u => {
        const d = all.get(u.toString());
        return d ? [{ document: d as LangiumDocument<ast.Model>, diagnostics: d.diagnostics ?? [] }] : [];
    });
}

let counter = 0;

/** Parses, links and validates a string (tests, the LSP-less API). Imports resolve against `uri`. */
export async function loadString(services: AlphaForgeServices, text: string, uri?: URI | string): Promise<LoadedDocument> {
    const documents = services.shared.workspace.LangiumDocuments;
    const u = typeof uri === 'string' ? URI.parse(uri) : uri ?? URI.parse(`memory:///doc${++counter}.af`);
    if (documents.hasDocument(u)) await services.shared.workspace.DocumentBuilder.update([], [u]);
    const doc = services.shared.workspace.LangiumDocumentFactory.fromString<ast.Model>(text, u);
    documents.addDocument(doc);
    const builtin = services.alphaforge.Builtins.document();
    await services.shared.workspace.DocumentBuilder.build([builtin, doc], { validation: true });
    return { document: doc, diagnostics: doc.diagnostics ?? [] };
}
