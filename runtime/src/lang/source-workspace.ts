/**
 * One Langium workspace for source texts that arrive over the wire, inside a language worker
 * (language-worker.ts). The services are built once and kept; each request runs alone in a clean
 * workspace: its text (under its own URI, or a memory: one) plus the files it imports, read
 * through the confined file system (confined-fs.ts), emptied again afterwards so nothing stale
 * survives into the next request.
 */
import { URI, type LangiumDocument } from 'langium';
import { createAlphaForgeServices, resolveImport, type AlphaForgeServices, type Model } from '../../../language/src/index.js';
import type { Diagnostic } from '../../../protocol/src/daemon/index.js';
import { RpcError, ErrorCodes } from '../../../protocol/src/daemon/index.js';
import { Mutex } from '../../../language/src/util/mutex.js';
import type { ConfinedFileSystem, RefusalReason } from './confined-fs.js';

const SEVERITY = ['', 'error', 'warning', 'info', 'hint'] as const;

/** Appended to AF004 when the import was refused for a reason its URI shows (so saying it reveals nothing of the host). */
const REFUSAL_HINTS: Readonly<Record<RefusalReason, string>> = {
    scheme: ' A source sent without a file: uri cannot import; send the uri of its file.',
    extension: ' The daemon imports only .af files.',
    outside: " The daemon reads imports only from .af files inside its source folders (not its state directory).",
};

export interface LoadedSource {
    readonly services: AlphaForgeServices;
    readonly document: LangiumDocument<Model>;
    readonly model: Model;
    /** Diagnostics of the text itself (not of its imports), sorted by position. */
    readonly diagnostics: Diagnostic[];
}

export class SourceWorkspace {
    private services: AlphaForgeServices | undefined;
    private readonly mutex = new Mutex();
    private counter = 0;

    constructor(private readonly fileSystem: ConfinedFileSystem) {}

    /** Builds the language services now (the first request would otherwise pay for it). */
    warm(): AlphaForgeServices {
        this.services ??= createAlphaForgeServices({ fileSystemProvider: () => this.fileSystem }).AlphaForge;
        return this.services;
    }

    /** Loads `source` (and its imports), validates, runs `fn`, then removes the documents again. */
    async with<T>(source: string, uri: string | undefined, fn: (loaded: LoadedSource) => T | Promise<T>, options: { dataBars?: number } = {}): Promise<T> {
        return this.mutex.run(async () => {
            const services = this.warm();
            const ws = services.shared.workspace;
            let docUri: URI;
            try {
                docUri = uri ? URI.parse(uri) : URI.parse(`memory:///request-${++this.counter}.af`);
            } catch {
                throw new RpcError(ErrorCodes.InvalidParams, `uri '${uri}' is not a URI`);
            }
            const loaded: LangiumDocument[] = [];
            const analyzer = services.alphaforge.Analyzer;
            const dataBars = analyzer.options.dataBars;
            analyzer.options.dataBars = options.dataBars;
            this.fileSystem.takeRefusals();
            try {
                const document = ws.LangiumDocumentFactory.fromString<Model>(source, docUri);
                ws.LangiumDocuments.addDocument(document);
                loaded.push(document);
                const queue = importsOf(document);
                const seen = new Set([docUri.toString()]);
                while (queue.length) {
                    const u = queue.shift()!;
                    if (seen.has(u.toString())) continue;
                    seen.add(u.toString());
                    try {
                        const d = await ws.LangiumDocuments.getOrCreateDocument(u);
                        loaded.push(d);
                        queue.push(...importsOf(d));
                    } catch {
                        // A missing (or refused) import is reported (AF004) on its import statement.
                    }
                }
                await ws.DocumentBuilder.build([services.alphaforge.Builtins.document(), ...loaded], { validation: true });
                const refused = this.fileSystem.takeRefusals();
                const shownUri = uri ?? 'source';
                const diagnostics: Diagnostic[] = (document.diagnostics ?? []).map(d => ({
                    uri: shownUri,
                    line: d.range.start.line + 1,
                    column: d.range.start.character + 1,
                    endLine: d.range.end.line + 1,
                    endColumn: d.range.end.character + 1,
                    severity: SEVERITY[d.severity ?? 1] as Diagnostic['severity'],
                    code: String(d.code ?? ''),
                    message: d.code === 'AF004' ? d.message + refusalHint(document, d.message, refused) : d.message,
                })).sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
                return await fn({ services, document, model: document.parseResult.value, diagnostics });
            } finally {
                analyzer.options.dataBars = dataBars;
                if (loaded.length) await ws.DocumentBuilder.update([], loaded.map(d => d.uri)).catch(() => undefined);
            }
        });
    }
}

function importsOf(doc: LangiumDocument): URI[] {
    const model = doc.parseResult.value as Model;
    return (model.imports ?? []).flatMap(i => (i.path ? [resolveImport(doc.uri, i.path)] : []));
}

/** The hint for an AF004 whose import (named in the message as "looked for <path>") was refused. */
function refusalHint(doc: LangiumDocument, message: string, refused: ReadonlyMap<string, RefusalReason>): string {
    for (const u of importsOf(doc)) {
        const reason = refused.get(u.toString());
        if (reason && message.includes(`looked for ${u.path})`)) return REFUSAL_HINTS[reason];
    }
    return '';
}
