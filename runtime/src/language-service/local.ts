/**
 * The language services of a process that works on the user's own files: the `af` CLI (check,
 * compile, fingerprint, fmt, demo, similar) and the MCP server. One LanguageWorkspace over Node's
 * file system, built on first use and shared by every caller in the process; requests run one at
 * a time, each in a clean workspace (workspace.ts), so a file edited between two calls is read
 * again. The daemon does not use it: the sources it is sent go through its worker pool
 * (language-service.ts) and a confined file system.
 */
import { URI, type FileSystemNode } from 'langium';
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

let local: LanguageWorkspace | undefined;

export function localLanguage(): LanguageWorkspace {
    local ??= new LanguageWorkspace(new LocalFileSystem());
    return local;
}

/**
 * The similarity point of a source text that stands alone (a stored run's source): parsed under a
 * memory: URI, so its imports, if any, are not found. `strategy` picks one of several (default:
 * the first).
 */
export function pointFromSource(source: string, strategy?: string | null): Promise<PointResult> {
    return localLanguage().withText(source, URI.parse('memory:///similarity/source.af'), ({ document }, services) => pointOfDocument(services, document, strategy));
}
