/**
 * Path confinement for everything that names a file on the daemon's host from outside (RPC
 * params, MCP tool arguments, `import` statements of source texts that arrive over the wire).
 *
 * A path is allowed only when its *real* path (after every symlink, `..` and relative part is
 * resolved) lies inside one of the configured roots, and it is a regular file (or a directory,
 * when asked for one) — never a device, FIFO or socket, which could hang a reader or leak the
 * host's state. Roots are resolved to their real paths once, so a root that is itself a symlink
 * works, and a symlink inside a root that points out of it does not.
 *
 * Errors name the path as the caller gave it and what to do; they never include anything read
 * from the file, and never say whether a path outside the roots exists (no probing of the host).
 */
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UserInputError } from '../../../protocol/src/errors.js';

/** A path outside the allowed roots, of the wrong kind or extension, or missing. */
export class ConfinementError extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'ConfinementError';
    }
}

export interface Root {
    /** The folder. */
    readonly path: string;
    /** How errors name it to a caller ("the workspace", "the state directory's imports/ folder"). */
    readonly label: string;
}

export interface ConfineOptions {
    /** 'file' (default): a regular file; 'dir': a directory; 'new-file': need not exist, its folder must. */
    readonly kind?: 'file' | 'dir' | 'new-file';
    /** Allowed extensions, lower case with the dot ('.af'); any when left out. */
    readonly extensions?: readonly string[];
    /** Relative paths are resolved against this (default: the first root). */
    readonly base?: string;
    /** How the path is named in errors (default: as given). */
    readonly shownAs?: string;
}

function realOrUndefined(p: string): string | undefined {
    try {
        return realpathSync.native(p);
    } catch {
        return undefined;
    }
}

/** True when `inner` is `outer` or below it (both absolute, normalised). */
export function isInside(outer: string, inner: string): boolean {
    const rel = relative(outer, inner);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

export class PathConfinement {
    private readonly roots: { real: string; label: string }[];

    /** Roots that do not exist (yet) are kept by their resolved path; they contain nothing until created. */
    constructor(roots: readonly Root[]) {
        if (roots.length === 0) throw new Error('PathConfinement needs at least one root');
        this.roots = roots.map(r => ({ real: realOrUndefined(resolve(r.path)) ?? resolve(r.path), label: r.label }));
    }

    /** The roots as configured (real paths), for logs and docs. */
    get rootPaths(): readonly string[] {
        return this.roots.map(r => r.real);
    }

    private describeRoots(): string {
        return this.roots.map(r => r.label).join(' or ');
    }

    /**
     * The real path of `candidate` when it is allowed; otherwise a ConfinementError that names
     * the path as given (never its content) and where allowed files live.
     */
    resolve(candidate: string, options: ConfineOptions = {}): string {
        const kind = options.kind ?? 'file';
        const shown = options.shownAs ?? candidate;
        if (typeof candidate !== 'string' || candidate.length === 0 || candidate.includes('\0')) {
            throw new ConfinementError(`'${printable(shown)}' is not a usable path`);
        }
        const outside = (): ConfinementError => new ConfinementError(
            `'${printable(shown)}' is outside the folders the daemon may read for you (${this.describeRoots()}); put the file there${kind === 'dir' ? '' : ' or upload it'}`);
        const absolute = resolve(options.base ?? this.roots[0]!.real, candidate);
        // Lexically outside every root: refuse before touching the file system (no probing of the host).
        if (!this.roots.some(r => isInside(r.real, absolute)) && !this.roots.some(r => isInside(r.real, realOrUndefined(absolute) ?? ''))) {
            throw outside();
        }
        if (options.extensions && !options.extensions.includes(extname(absolute).toLowerCase())) {
            throw new ConfinementError(`'${printable(shown)}' is not a ${options.extensions.join(' or ')} file`);
        }
        if (kind === 'new-file') {
            const dir = realOrUndefined(resolve(absolute, '..'));
            if (!dir || !this.roots.some(r => isInside(r.real, dir))) throw outside();
            const target = resolve(dir, basename(absolute));
            let existing: Stats | undefined;
            try { existing = lstatSync(target); } catch { existing = undefined; }
            if (existing && !existing.isFile()) throw new ConfinementError(`'${printable(shown)}' exists and is not a regular file`);
            return target;
        }
        const real = realOrUndefined(absolute);
        if (!real) throw new ConfinementError(`'${printable(shown)}' does not exist (in ${this.describeRoots()})`);
        if (!this.roots.some(r => isInside(r.real, real))) throw outside();
        let st: Stats;
        try {
            st = statSync(real);
        } catch {
            throw new ConfinementError(`'${printable(shown)}' cannot be read`);
        }
        if (kind === 'dir' ? !st.isDirectory() : !st.isFile()) {
            throw new ConfinementError(`'${printable(shown)}' is not a ${kind === 'dir' ? 'folder' : 'regular file'}`);
        }
        return real;
    }

    /** Like resolve, but answers false instead of throwing. */
    allows(candidate: string, options: ConfineOptions = {}): boolean {
        try {
            this.resolve(candidate, options);
            return true;
        } catch (e) {
            if (e instanceof ConfinementError) return false;
            throw e;
        }
    }
}

/** A path as shown in an error: control characters escaped, at most 200 characters. */
export function printable(s: string): string {
    let clean = '';
    for (const ch of String(s)) {
        const code = ch.charCodeAt(0);
        clean += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
    }
    return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
