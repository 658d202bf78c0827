/**
 * The state directory is private to the user who runs AlphaForge: the database holds every
 * team's data and the token hashes, the logs hold who did what, admin.token a bearer secret.
 * Directories are 0700 and files 0600:
 *
 * - the daemon sets its umask to 077 at start (`restrictUmask`), so whatever it or DuckDB creates
 *   later — WAL and temporary files, logs, artifacts, indexes — is private from birth;
 * - where the local CLI creates the store, the directory and database file get explicit modes
 *   (`privateDir`, `privateFile`): the CLI keeps the user's umask for the files it writes for the
 *   user (reports, exports);
 * - at daemon start, what an older version or another tool left looser is tightened
 *   (`tightenStateDir`) and the daemon logs each path it changed.
 *
 * Only AlphaForge's own entries are walked (KNOWN_ENTRIES): a state directory pointed at a folder
 * that holds other things never has those changed.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;

/** Entries of a state directory that AlphaForge owns (files, or folders walked whole). */
const KNOWN_ENTRIES = [
    'alphaforge.duckdb', 'admin.token', 'daemon.json', 'daemon.json.tmp', 'credentials.json', 'alerts.json',
    'logs', 'runs', 'similarity', 'imports', 'exports', 'uploads',
];

function owned(name: string): boolean {
    return KNOWN_ENTRIES.includes(name) || name.startsWith('alphaforge.duckdb');
}

/** Sets the process umask to 077 (no access for group and others). Worker threads cannot, and need not: they share the process's. */
export function restrictUmask(): void {
    try {
        process.umask(0o077);
    } catch {
        // Not allowed in a worker thread; the main thread sets it.
    }
}

function loose(st: Stats): boolean {
    return (st.mode & 0o077) !== 0;
}

/**
 * Takes group and other permissions off `path` when it has any (0644 → 0600, 0755 → 0700).
 * Best effort: a path this user does not own (a shared folder) is left as it is.
 */
function tighten(path: string, st: Stats): boolean {
    if (!loose(st)) return false;
    try {
        chmodSync(path, st.mode & 0o700);
        return true;
    } catch {
        return false;
    }
}

/** Creates `dir` (and missing parents) 0700; tightens `dir` itself when it exists looser. */
export function privateDir(dir: string): void {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const st = lstatSync(dir);
    if (st.isDirectory()) tighten(dir, st);
}

/** Tightens a file that exists with group or other permissions (0644 → 0600); symlinks and missing files are left alone. */
export function privateFile(file: string): boolean {
    let st: Stats;
    try {
        st = lstatSync(file);
    } catch {
        return false;
    }
    return st.isFile() && tighten(file, st);
}

/** A directory's entries; none when it cannot be read (it is left as it is). */
function entries(dir: string): string[] {
    try {
        return readdirSync(dir);
    } catch {
        return [];
    }
}

/**
 * Tightens the state directory and AlphaForge's entries in it (recursively, without following
 * symlinks): group and other permissions are taken off every directory and file that has any.
 * Returns the paths it changed, relative to `stateDir`.
 */
export function tightenStateDir(stateDir: string): string[] {
    const changed: string[] = [];
    const visit = (path: string, rel: string): void => {
        let st: Stats;
        try {
            st = lstatSync(path);
        } catch {
            return;
        }
        if (st.isSymbolicLink()) return;
        if (st.isDirectory()) {
            if (tighten(path, st)) changed.push(`${rel}/`);
            for (const name of entries(path)) visit(join(path, name), `${rel}/${name}`);
        } else if (st.isFile() && tighten(path, st)) {
            changed.push(rel);
        }
    };
    let root: Stats;
    try {
        root = lstatSync(stateDir);
    } catch {
        return changed;
    }
    if (root.isDirectory() && tighten(stateDir, root)) changed.push('.');
    for (const name of entries(stateDir)) if (owned(name)) visit(join(stateDir, name), name);
    return changed;
}
