/**
 * The language services of a process that works on the user's own files: the `af` CLI (check,
 * compile, fingerprint, fmt, demo, similar) and the MCP server. One LanguageWorkspace over Node's
 * file system, built on first use and shared by every caller in the process; requests run one at
 * a time, each in a clean workspace (workspace.ts), so a file edited between two calls is read
 * again. The daemon does not use it: the sources it is sent go through its worker pool
 * (language-service.ts) and a confined file system. The CLI says which workspace packs the
 * language knows (setLocalPacks; cli/workspace-packs.ts); one workspace is kept per set of packs.
 */
import { URI, type FileSystemNode } from 'langium';
import type { CapabilityPack } from '../../../language/src/catalogue/pack-types.js';
import { NodeFileSystemProvider } from 'langium/node';
import { pointOfDocument, type PointResult } from '../../../language/src/similarity/strategy-point.js';
import { LanguageWorkspace } from './workspace.js';

/** Node's file system for file: URIs only; a memory: document (a text that stands alone) imports nothing from disk. */
class LocalFileSystem extends NodeFileSystemProvider {
    override readFile(uri: URI): Promise<string> {
        return uri.scheme === 'file' ? super.readFile(uri) : Promise.reject(new Error(`not a file: ${uri.toString()}`));
    }

    override readDirectory(uri: URI): Promise<FileSystemNode[]> {
        return uri.scheme === 'file' ? super.readDirectory(uri) : Promise.resolve([]);
    }
}

const locals = new Map<string, LanguageWorkspace>();
let packsOf: () => readonly CapabilityPack[] = () => [];

/** Where the workspace packs come from (asked when a language request first needs them). */
export function setLocalPacks(provider: () => readonly CapabilityPack[]): void {
    packsOf = provider;
}

export function localLanguage(): LanguageWorkspace {
    const packs = packsOf();
    const key = packs.map(p => `${p.id}@${p.integrity ?? p.version}`).join(',');
    let ws = locals.get(key);
    if (!ws) {
        if (locals.size >= 8) locals.delete(locals.keys().next().value!);
        locals.set(key, ws = new LanguageWorkspace(new LocalFileSystem(), packs));
    }
    return ws;
}

/**
 * The similarity point of a source text that stands alone (a stored run's source): parsed under a
 * memory: URI, so its imports, if any, are not found. `strategy` picks one of several (default:
 * the first).
 */
export function pointFromSource(source: string, strategy?: string | null): Promise<PointResult> {
    return localLanguage().withText(source, URI.parse('memory:///similarity/source.af'), ({ document }, services) => pointOfDocument(services, document, strategy));
}
