/**
 * The file system `import` statements see when a source text arrives over the wire: only `file:`
 * URIs of `.af` files whose real path (after symlinks) lies inside the daemon's source folders and
 * outside its state directory, regular files of at most `maxBytes`. Everything else is refused
 * without being read, and the refusal looks to the language services like a missing file, so it
 * is reported as the usual AF004 on the import statement: it names the path, never any content.
 *
 * Why here and not in the language library: `language/` does no I/O beyond the file system it is
 * handed; the daemon hands it this one (runtime/src/language-service/language-worker.ts).
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { FileSystemNode, FileSystemProvider, URI } from 'langium';
import { isInside, PathConfinement } from '../security/confine.js';

export interface SourceRootsOptions {
    /** Folders imports may be read from (default: none: every import is refused). */
    readonly roots: readonly string[];
    /** Folders inside the roots that are never read (the state directory: tokens, database, logs). */
    readonly exclude?: readonly string[];
    /** Largest imported file in bytes. */
    readonly maxBytes: number;
}

/** Why an import was not read: the caller's URI decides it, not the host's file system (no probing). */
export type RefusalReason = 'scheme' | 'extension' | 'outside';

export class ConfinedFileSystem implements FileSystemProvider {
    private readonly confinement: PathConfinement | undefined;
    private readonly excluded: string[];
    /** URIs refused for a reason visible in the URI itself, since the last `takeRefusals()`. */
    private refusals = new Map<string, RefusalReason>();

    constructor(private readonly o: SourceRootsOptions) {
        this.confinement = o.roots.length ? new PathConfinement(o.roots.map(path => ({ path, label: "the daemon's source folders" }))) : undefined;
        // Both the path as given and its real path: the state directory may be reached through a symlink.
        this.excluded = (o.exclude ?? []).flatMap(p => {
            try { return [resolve(p), realpathSync.native(p)]; } catch { return [resolve(p)]; }
        });
    }

    /** The real path of an allowed import; undefined (after recording why, when the URI shows it) otherwise. */
    allowed(uri: URI): string | undefined {
        if (uri.scheme !== 'file') return this.refuse(uri, 'scheme');
        const path = uri.fsPath;
        if (extname(path).toLowerCase() !== '.af') return this.refuse(uri, 'extension');
        if (!this.confinement) return this.refuse(uri, 'outside');
        const lexical = resolve(path);
        if (!this.confinement.rootPaths.some(r => isInside(r, lexical)) || this.excluded.some(x => isInside(x, lexical))) return this.refuse(uri, 'outside');
        // Inside lexically: whatever is wrong now (missing, a symlink out, a folder, too large) looks like a missing file.
        let real: string;
        try {
            real = this.confinement.resolve(lexical, { kind: 'file', extensions: ['.af'] });
        } catch {
            return undefined;
        }
        if (this.excluded.some(x => isInside(x, real))) return undefined;
        try {
            if (statSync(real).size > this.o.maxBytes) return undefined;
        } catch {
            return undefined;
        }
        return real;
    }

    /** Refusals recorded since the last call (the source workspace reads them after each request). */
    takeRefusals(): ReadonlyMap<string, RefusalReason> {
        const r = this.refusals;
        this.refusals = new Map();
        return r;
    }

    readFile(uri: URI): Promise<string> {
        const real = this.allowed(uri);
        // The message is never shown: a document that cannot be read becomes AF004 on its import.
        if (real === undefined) return Promise.reject(new Error(`import not readable: ${uri.toString()}`));
        try {
            return Promise.resolve(readFileSync(real, 'utf8'));
        } catch {
            return Promise.reject(new Error(`import not readable: ${uri.toString()}`));
        }
    }

    /** Imports name files; nothing lists folders. */
    readDirectory(): Promise<FileSystemNode[]> {
        return Promise.resolve([]);
    }

    private refuse(uri: URI, reason: RefusalReason): undefined {
        this.refusals.set(uri.toString(), reason);
        return undefined;
    }
}
