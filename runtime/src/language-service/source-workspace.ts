/**
 * Source texts that arrive over the wire, inside a language worker (language-worker.ts): each
 * request runs alone in a clean LanguageWorkspace (workspace.ts) over the confined file system
 * (confined-fs.ts) — its text under its own URI, or a memory: one, plus the files it imports — and
 * its diagnostics come back in the daemon protocol's shape, with a hint on an import the daemon
 * refused to read.
 */
import { URI, type LangiumDocument } from 'langium';
import type { AlphaForgeServices, Model } from '../../../language/src/index.js';
import type { Diagnostic } from '../../../protocol/src/daemon/index.js';
import { RpcError, ErrorCodes } from '../../../protocol/src/daemon/index.js';
import type { ConfinedFileSystem, RefusalReason } from './confined-fs.js';
import { importsOf, LanguageWorkspace } from './workspace.js';
import { cataloguePacksOf, manifestSourceKey, type ManifestSource } from '../../../language/src/catalogue/manifest-packs.js';
import { corePack } from '../../../language/src/catalogue/core-pack.js';

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

/** Language workspaces kept per set of workspace packs besides the built-in one (each holds its own services). */
const MAX_PACK_WORKSPACES = 4;

export class SourceWorkspace {
    private readonly workspace: LanguageWorkspace;
    private readonly withPacks = new Map<string, LanguageWorkspace>();
    private counter = 0;

    constructor(private readonly fileSystem: ConfinedFileSystem) {
        this.workspace = new LanguageWorkspace(fileSystem);
    }

    /** Builds the language services now (the first request would otherwise pay for it). */
    warm(): AlphaForgeServices {
        return this.workspace.warm();
    }

    /** The workspace for a set of packs (manifests checked again here: a refused one is left out, its names unknown). */
    private workspaceFor(packs: readonly ManifestSource[] | undefined): LanguageWorkspace {
        if (!packs?.length) return this.workspace;
        const key = packs.map(manifestSourceKey).join(',');
        let ws = this.withPacks.get(key);
        if (!ws) {
            if (this.withPacks.size >= MAX_PACK_WORKSPACES) this.withPacks.delete(this.withPacks.keys().next().value!);
            ws = new LanguageWorkspace(this.fileSystem, cataloguePacksOf(packs, [corePack]).packs);
            this.withPacks.set(key, ws);
        }
        return ws;
    }

    /** Loads `source` (and its imports), validates, runs `fn`, then removes the documents again. */
    async with<T>(source: string, uri: string | undefined, fn: (loaded: LoadedSource) => T | Promise<T>, options: { dataBars?: number; packs?: readonly ManifestSource[] } = {}): Promise<T> {
        let docUri: URI;
        try {
            docUri = uri ? URI.parse(uri) : URI.parse(`memory:///request-${++this.counter}.af`);
        } catch {
            throw new RpcError(ErrorCodes.InvalidParams, `uri '${uri}' is not a URI`);
        }
        return this.workspaceFor(options.packs).withText(source, docUri, async ({ document }, services) => {
            // Refusals are per URI and always for the same reason, so one left by an earlier request cannot mislead.
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
            return fn({ services, document, model: document.parseResult.value, diagnostics });
        }, options);
    }
}

/** The hint for an AF004 whose import (named in the message as "looked for <path>") was refused. */
function refusalHint(doc: LangiumDocument, message: string, refused: ReadonlyMap<string, RefusalReason>): string {
    for (const u of importsOf(doc)) {
        const reason = refused.get(u.toString());
        if (reason && message.includes(`looked for ${u.path})`)) return REFUSAL_HINTS[reason];
    }
    return '';
}
