/**
 * The workspace's packs in the language server: the packs its configuration (`alphaforge.json` of
 * the first workspace folder) declares — packs shipped with AlphaForge enabled by name and range
 * (language/src/catalogue/bundled-packs.ts), and pack folders, each read and checked like the
 * runtime does (declaration, version range, integrity hash, manifest;
 * language/src/catalogue/pack-folder.ts) — added to the catalogue, so completion, hover, signature
 * help and validation know their functions. The shipped packs that are not enabled stay known: a
 * name of theirs gets a diagnostic naming the pack to add. Manifests are data: the server never
 * imports a pack's code.
 *
 * When the configuration or a declared pack's files change (watched files), the packs are read
 * again, the builtin library is regenerated and every document is relinked and revalidated. A pack
 * that is refused is reported on the configuration file (a diagnostic naming the pack and what to
 * do); the other packs still load.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DocumentState, URI, type LangiumDocument } from 'langium';
import { DefaultDocumentUpdateHandler, type LangiumSharedServices } from 'langium/lsp';
import type { DidChangeWatchedFilesParams } from 'vscode-languageserver';
import { DidChangeWatchedFilesNotification } from 'vscode-languageserver';
import { z } from 'zod';
import type { AlphaForgeServices } from '../../language/src/alphaforge-module.js';
import { BUILTIN_URI } from '../../language/src/catalogue/catalogue.js';
import { corePack } from '../../language/src/catalogue/core-pack.js';
import { cataloguePacksOf, type ManifestSource } from '../../language/src/catalogue/manifest-packs.js';
import { enabledShippedCataloguePacks } from '../../language/src/catalogue/bundled-packs.js';
import { isFolderDeclaration, PackDeclarationSchema, readDeclaredFolder, type PackFolderReader } from '../../language/src/catalogue/pack-folder.js';
import type { CapabilityPack } from '../../language/src/catalogue/pack-types.js';
import { PackError } from '../../language/src/catalogue/pack-manifest.js';

const CONFIG_FILE = 'alphaforge.json';
const NODE_FS: PackFolderReader = { list: dir => readdirSync(dir, { withFileTypes: true }), read: file => readFileSync(file) };
const Declarations = z.object({ packs: z.array(PackDeclarationSchema).optional() }).passthrough();

export class ServerPacks {
    private folder: string | undefined;
    /** The declared packs' folders: a change inside one reloads. */
    private packFolders: string[] = [];

    constructor(private readonly shared: LangiumSharedServices) {}

    private get language(): AlphaForgeServices {
        return this.shared.ServiceRegistry.all[0] as unknown as AlphaForgeServices;
    }

    /** The first workspace folder (called once the folders are known, before the first build). */
    start(folder: string | undefined): void {
        this.folder = folder;
        this.apply();
    }

    /** Whether a changed file can change the packs. */
    concerns(uri: string): boolean {
        const path = URI.parse(uri).fsPath;
        return path === this.configFile() || this.packFolders.some(f => path.startsWith(f + '/'));
    }

    private configFile(): string | undefined {
        return this.folder ? join(this.folder, CONFIG_FILE) : undefined;
    }

    /** Reads the declared packs and sets the catalogue's; reports the refused ones on the config file. */
    private apply(): void {
        const file = this.configFile();
        const sources: ManifestSource[] = [];
        const problems: PackError[] = [];
        let shipped: CapabilityPack[] = [];
        this.packFolders = [];
        if (file && existsSync(file)) {
            try {
                const parsed = Declarations.safeParse(JSON.parse(readFileSync(file, 'utf8')));
                if (!parsed.success) {
                    const i = parsed.error.issues[0]!;
                    problems.push(new PackError('(config)', `${i.path.join('.')}: ${i.message}; fix the workspace's packs (af pack add writes them).`));
                } else {
                    const declared = parsed.data.packs ?? [];
                    const enabled = enabledShippedCataloguePacks(declared.filter(d => !isFolderDeclaration(d)));
                    shipped = enabled.packs;
                    problems.push(...enabled.problems);
                    for (const d of declared.filter(isFolderDeclaration)) {
                        const path = resolve(dirname(file), d.path);
                        this.packFolders.push(path);
                        try {
                            const r = readDeclaredFolder(NODE_FS, { ...d, path });
                            sources.push({ manifest: r.raw, origin: path, integrity: r.integrity });
                        } catch (e) {
                            if (e instanceof PackError) problems.push(e);
                            else throw e;
                        }
                    }
                }
            } catch (e) {
                if (!(e instanceof SyntaxError)) throw e;
                problems.push(new PackError('(config)', `${CONFIG_FILE} is not valid JSON: ${e.message}; fix it (docs/config.md).`));
            }
        }
        // Shipped packs first, as the runtime's registry loads them: a folder that clashes with one is refused.
        const checked = cataloguePacksOf(sources, [corePack, ...shipped]);
        this.language.alphaforge.Catalogue.setWorkspacePacks([...shipped, ...checked.packs]);
        if (file) {
            this.shared.lsp.Connection?.sendDiagnostics({
                uri: URI.file(file).toString(),
                diagnostics: [...problems, ...checked.problems].map(p => ({
                    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, severity: 1, source: 'alphaforge', message: p.message,
                })),
            });
        }
    }

    /** Reads the packs again, regenerates the builtin library and relinks and revalidates every document. */
    reload(): Promise<void> {
        return this.shared.workspace.WorkspaceLock.write(async token => {
            this.apply();
            const documents = this.shared.workspace.LangiumDocuments;
            const builtin = URI.parse(BUILTIN_URI);
            documents.deleteDocument(builtin);
            this.shared.workspace.IndexManager.remove(builtin);
            this.language.alphaforge.Builtins.document();
            for (const doc of documents.all) {
                if (doc.uri.toString() === BUILTIN_URI) continue;
                relink(this.shared, doc);
            }
            await this.shared.workspace.DocumentBuilder.update([], [], token);
        });
    }
}

function relink(shared: LangiumSharedServices, doc: LangiumDocument): void {
    shared.ServiceRegistry.getServices(doc.uri).references.Linker.unlink(doc);
    doc.state = Math.min(doc.state, DocumentState.ComputedScopes);
    doc.diagnostics = undefined;
}

const serverPacks = new WeakMap<LangiumSharedServices, ServerPacks>();

/** The server's packs (one per set of shared services). */
export function serverPacksOf(shared: LangiumSharedServices): ServerPacks {
    let p = serverPacks.get(shared);
    if (!p) serverPacks.set(shared, p = new ServerPacks(shared));
    return p;
}

/** Langium's handler, plus: the configuration and pack manifests are watched, and a change to them reloads the packs. */
export class AlphaForgeDocumentUpdateHandler extends DefaultDocumentUpdateHandler {
    constructor(private readonly services: LangiumSharedServices) {
        super(services);
    }

    protected override registerFileWatcher(services: LangiumSharedServices): void {
        super.registerFileWatcher(services);
        void services.lsp.Connection?.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${CONFIG_FILE}` }, { globPattern: '**/alphaforge-pack.json' }] });
    }

    override didChangeWatchedFiles(params: DidChangeWatchedFilesParams): void {
        // Only .af files are documents (with one language registered, Langium would parse any file as one).
        const sources = params.changes.filter(c => c.uri.toLowerCase().endsWith('.af'));
        if (sources.length) super.didChangeWatchedFiles({ changes: sources });
        const packs = serverPacksOf(this.services);
        if (params.changes.some(c => packs.concerns(c.uri))) {
            void this.services.workspace.WorkspaceManager.ready.then(() => packs.reload()).catch(e => this.services.lsp.Connection?.console.error(`alphaforge server: reloading the workspace's packs failed: ${String(e)}`));
        }
    }
}
