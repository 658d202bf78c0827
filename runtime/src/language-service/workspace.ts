/**
 * One Langium workspace over a given file system: the only place the runtime builds language
 * services. Each of the daemon's language workers (language-worker.ts) has one over the confined
 * file system of the daemon's source folders; the CLI and the MCP server share one per process
 * over Node's (local.ts). The services are built once and kept. Requests run one at a time, each
 * in a clean workspace — its files or text and, transitively, what they import — and every
 * document a request loaded is removed again when it ends, so nothing stale (a file changed on
 * disk since, an earlier request's text) reaches the next one.
 */
import type { FileSystemProvider, LangiumDocument, URI } from 'langium';
import {
    createAlphaForgeServices, resolveImport, type AlphaForgeServices, type LoadedDocument, type Model,
} from '../../../language/src/index.js';
import { Mutex } from '../../../language/src/util/mutex.js';
import type { CapabilityPack } from '../../../language/src/catalogue/pack-types.js';

export interface RequestOptions {
    /** Bars of data the strategy will run on, for the data-length part of AF502 (this request only). */
    readonly dataBars?: number;
}

export class LanguageWorkspace {
    private services: AlphaForgeServices | undefined;
    private readonly mutex = new Mutex();

    /** @param packs the workspace packs besides the built-in ones (catalogue data: no code). */
    constructor(private readonly fileSystem: FileSystemProvider, private readonly packs: readonly CapabilityPack[] = []) {}

    /**
     * The services, built on first use. Outside a request only what holds no documents may be
     * used: the catalogue, the formatter.
     */
    warm(): AlphaForgeServices {
        this.services ??= createAlphaForgeServices({ fileSystemProvider: () => this.fileSystem, packs: this.packs }).AlphaForge;
        return this.services;
    }

    /** Loads files (and what they import) through the file system, validates them and runs `fn` on those that could be read. */
    withFiles<T>(uris: readonly URI[], fn: (loaded: LoadedDocument[], services: AlphaForgeServices) => T | Promise<T>, options: RequestOptions = {}): Promise<T> {
        return this.request(options, async r => {
            const docs: LangiumDocument<Model>[] = [];
            for (const uri of uris) {
                const doc = await r.open(uri);
                if (doc) docs.push(doc);
            }
            await r.build();
            return fn(docs.map(loadedOf), r.services);
        });
    }

    /** Loads a text under `uri` (what it imports through the file system), validates it and runs `fn`. */
    withText<T>(text: string, uri: URI, fn: (loaded: LoadedDocument, services: AlphaForgeServices) => T | Promise<T>, options: RequestOptions = {}): Promise<T> {
        return this.request(options, async r => {
            const doc = r.add(text, uri);
            for (const u of importsOf(doc)) await r.open(u);
            await r.build();
            return fn(loadedOf(doc), r.services);
        });
    }

    private request<T>(options: RequestOptions, body: (r: Request) => Promise<T>): Promise<T> {
        return this.mutex.run(async () => {
            const r = new Request(this.warm());
            const analyzer = r.services.alphaforge.Analyzer;
            const dataBars = analyzer.options.dataBars;
            analyzer.options.dataBars = options.dataBars;
            try {
                return await body(r);
            } finally {
                analyzer.options.dataBars = dataBars;
                await r.close();
            }
        });
    }
}

/** The documents of one request. */
class Request {
    private readonly loaded = new Map<string, LangiumDocument<Model>>();

    constructor(readonly services: AlphaForgeServices) {}

    add(text: string, uri: URI): LangiumDocument<Model> {
        const ws = this.services.shared.workspace;
        const doc = ws.LangiumDocumentFactory.fromString<Model>(text, uri);
        ws.LangiumDocuments.addDocument(doc);
        this.loaded.set(uri.toString(), doc);
        return doc;
    }

    /** A file and, transitively, what it imports; undefined when it cannot be read (a missing import is AF004 on its statement). */
    async open(uri: URI): Promise<LangiumDocument<Model> | undefined> {
        const documents = this.services.shared.workspace.LangiumDocuments;
        const queue = [uri];
        while (queue.length) {
            const u = queue.shift()!;
            if (this.loaded.has(u.toString())) continue;
            try {
                const doc = await documents.getOrCreateDocument(u) as LangiumDocument<Model>;
                this.loaded.set(u.toString(), doc);
                queue.push(...importsOf(doc));
            } catch {
                // Unreadable: reported where it is imported.
            }
        }
        return this.loaded.get(uri.toString());
    }

    async build(): Promise<void> {
        await this.services.shared.workspace.DocumentBuilder.build([this.services.alphaforge.Builtins.document(), ...this.loaded.values()], { validation: true });
    }

    async close(): Promise<void> {
        if (this.loaded.size === 0) return;
        await this.services.shared.workspace.DocumentBuilder.update([], [...this.loaded.values()].map(d => d.uri)).catch(() => undefined);
    }
}

function loadedOf(d: LangiumDocument<Model>): LoadedDocument {
    return { document: d, diagnostics: d.diagnostics ?? [] };
}

export function importsOf(doc: LangiumDocument): URI[] {
    const model = doc.parseResult.value as Model;
    return (model.imports ?? []).flatMap(i => (i.path ? [resolveImport(doc.uri, i.path)] : []));
}
