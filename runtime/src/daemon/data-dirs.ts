/**
 * Which files on the daemon's host a caller may name in `data.import {file}`: regular CSV or
 * Parquet files inside the daemon's data directories (`--data-dir`, default the workspace it was
 * started in) or the state directory's `imports/` folder, checked on the real path after every
 * symlink (PathConfinement). Never the state directory itself — its database, tokens, logs,
 * alerts.json and daemon.json — even when a data directory contains it (the default state
 * directory is `.alphaforge/` inside the workspace); never another team's upload folder under
 * `imports/`; never a hidden file or folder (`.env`, `.git`, `.ssh`); never a path DuckDB's
 * readers would take as a pattern (`*`, `?`, `[`).
 *
 * Every refusal is the same ConfinementError, so a caller learns nothing about what exists
 * outside; and what the daemon reads from such a file is reported in redacted form
 * (`importFile(…, { detail: 'redacted' })`): the caller named the file but may not read it.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ConfinementError, PathConfinement, isInside, printable } from '../security/confine.js';
import { privateDir } from '../security/state-files.js';

/** Extensions a named file may have (what `af data import` reads). */
export const IMPORT_EXTENSIONS: readonly string[] = ['.csv', '.tsv', '.parquet', '.pq'];

/** Characters DuckDB's file readers expand as a glob (a name with them could match other files). */
const PATTERN_CHARS = /[*?[\]{}]/;

export interface DataDirsOptions {
    readonly stateDir: string;
    /** Folders callers may import from (default: the workspace). */
    readonly dataDirs: readonly string[];
}

/**
 * Creates `dir` 0700 (security/state-files.ts) and makes sure it is a folder of the daemon's own:
 * a symlink in its place could send team files (and exports written there) anywhere.
 */
export function ownFolder(dir: string): string {
    privateDir(dir);
    const st = lstatSync(dir);
    if (st.isSymbolicLink() || !st.isDirectory()) throw new Error(`${dir} must be a folder of the daemon's own, not a link or a file`);
    return dir;
}

export class DataDirs {
    /** `<state dir>/imports/`: operators drop files here; uploads live in its team folders. */
    readonly importsDir: string;
    private readonly confinement: PathConfinement;
    private readonly stateReal: string;
    private readonly importsReal: string;

    constructor(o: DataDirsOptions) {
        this.importsDir = ownFolder(join(resolve(o.stateDir), 'imports'));
        const roots = [
            ...o.dataDirs.map(d => ({ path: resolve(d), label: `the data directory ${resolve(d)}` })),
            { path: this.importsDir, label: 'the imports/ folder of the daemon\'s state directory' },
        ];
        this.confinement = new PathConfinement(roots);
        this.stateReal = realpathSync.native(resolve(o.stateDir));
        this.importsReal = this.confinement.rootPaths[this.confinement.rootPaths.length - 1]!;
    }

    /** The roots, as real paths (for logs and `daemon.info`-like reports). */
    get roots(): readonly string[] {
        return this.confinement.rootPaths;
    }

    /**
     * The real path of `file` (absolute, or relative to the first data directory) when the team
     * `teamFolder` may import it; otherwise a ConfinementError naming the path as given.
     */
    resolve(file: string, teamFolder: string): string {
        const real = this.confinement.resolve(file, { kind: 'file', extensions: IMPORT_EXTENSIONS });
        const outside = (): ConfinementError => new ConfinementError(
            `'${printable(file)}' is outside the folders the daemon may read for you (${this.describe()}); put the file there or upload it`);
        if (PATTERN_CHARS.test(real)) throw new ConfinementError(`'${printable(file)}' has a character DuckDB reads as a file pattern (* ? [ ] { }); rename the file`);
        // Allowed through some root below which no part of the path is hidden (the imports/ root
        // allows `.alphaforge/imports/x.csv` although the workspace root alone would not).
        const through = this.confinement.rootPaths.filter(r => isInside(r, real) && !relative(r, real).split(sep).some(part => part.startsWith('.')));
        if (through.length === 0) throw outside();
        if (isInside(this.importsReal, real)) {
            // Files the operator put in imports/ itself, or the caller's own team folder; not other teams' uploads.
            const parts = relative(this.importsReal, real).split(sep);
            if (parts.length > 1 && parts[0] !== teamFolder) throw outside();
        } else if (isInside(this.stateReal, real)) {
            throw outside();
        }
        return real;
    }

    private describe(): string {
        return this.confinement.rootPaths.length > 1 ? 'its data directories or the imports/ folder of its state directory' : 'the imports/ folder of its state directory';
    }
}
