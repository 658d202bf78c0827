/**
 * Which files on the daemon's host a caller may name in `data.import {file}`: regular CSV or
 * Parquet files inside the daemon's data directories (`--data-dir`, default the workspace it was
 * started in) or the state directory's `imports/` folder, checked on the real path after every
 * symlink (PathConfinement). Never the state directory itself (nor team mode's shared artifacts folder) — its database, tokens, logs,
 * alerts.json and daemon.json — even when a data directory contains it (the default state
 * directory is `.alphaforge/` inside the workspace); never another team's upload folder under
 * `imports/`; never a hidden file or folder (`.env`, `.git`, `.ssh`); never a path DuckDB's
 * readers would take as a pattern (`*`, `?`, `[`).
 *
 * Every refusal is the same ConfinementError, so a caller learns nothing about what exists
 * outside; and what the daemon reads from such a file is reported in redacted form
 * (`importFile(…, { detail: 'redacted' })`): the caller named the file but may not read it.
 */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ConfinementError, PathConfinement, isInside, printable } from '../security/confine.js';
import { privateDir } from '../store/state-files.js';

/** Extensions a named file may have (what `af data import` reads). */
export const IMPORT_EXTENSIONS: readonly string[] = ['.csv', '.tsv', '.parquet', '.pq'];
/** Extensions of the on-chain layouts' files (data.onchain.import). */
export const ONCHAIN_EXTENSIONS: readonly string[] = ['.csv', '.json'];
/** Extensions of tick-data files (data.hft.import): the layouts' CSV, or Parquet with their columns. */
export const HFT_EXTENSIONS: readonly string[] = ['.csv', '.parquet', '.pq'];
/** What an upload may be: a file either import reads. */
export const UPLOAD_EXTENSIONS: readonly string[] = [...new Set([...IMPORT_EXTENSIONS, ...ONCHAIN_EXTENSIONS])];

/** Characters DuckDB's file readers expand as a glob (a name with them could match other files). */
const PATTERN_CHARS = /[*?[\]{}]/;

export interface DataDirsOptions {
    readonly stateDir: string;
    /** Folders callers may import from (default: the workspace). */
    readonly dataDirs: readonly string[];
    /** Other folders of the daemon's own that no import may read, as the state directory (team mode's shared artifacts folder). */
    readonly excluded?: readonly string[];
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
    /** Each folder as configured and as its real path: a path is checked in both forms, before and after symlinks. */
    private readonly roots: readonly (readonly string[])[];
    private readonly state: readonly string[];
    private readonly imports: readonly string[];
    private readonly labels: string;

    constructor(o: DataDirsOptions) {
        this.importsDir = ownFolder(join(resolve(o.stateDir), 'imports'));
        const dirs = [...o.dataDirs.map(d => resolve(d)), this.importsDir];
        const labels = [...o.dataDirs.map(d => `the data directory ${resolve(d)}`), 'the imports/ folder of the daemon\'s state directory'];
        this.confinement = new PathConfinement(dirs.map((path, i) => ({ path, label: labels[i]! })));
        this.labels = labels.join(' or ');
        const forms = (p: string): string[] => [...new Set([p, ...(existsSync(p) ? [realpathSync.native(p)] : [])])];
        this.roots = dirs.map((d, i) => [...new Set([d, this.confinement.rootPaths[i]!])]);
        this.state = [resolve(o.stateDir), ...(o.excluded ?? []).map(d => resolve(d))].flatMap(forms);
        this.imports = this.roots[this.roots.length - 1]!;
    }

    /** The folders, as real paths (for the daemon's log). */
    get rootPaths(): readonly string[] {
        return this.confinement.rootPaths;
    }

    /**
     * The real path of `file` (absolute, or relative to the first data directory, with one of
     * `extensions`) when the team whose folder is `teamFolder` may import it; otherwise a ConfinementError naming the path as
     * given. Excluded places are refused before the file system is asked anything (so their
     * contents cannot be probed), and again after symlinks are resolved.
     */
    resolve(file: string, teamFolder: string, extensions: readonly string[] = IMPORT_EXTENSIONS): string {
        const outside = (): ConfinementError => new ConfinementError(
            `'${printable(file)}' is outside the folders the daemon may read for you (${this.labels}); put the file there or upload it`);
        if (typeof file === 'string' && this.excluded(resolve(this.confinement.rootPaths[0]!, file), teamFolder)) throw outside();
        const real = this.confinement.resolve(file, { kind: 'file', extensions });
        if (this.excluded(real, teamFolder)) throw outside();
        if (PATTERN_CHARS.test(real)) throw new ConfinementError(`'${printable(file)}' has a character DuckDB reads as a file pattern (* ? [ ] { }); rename the file`);
        return real;
    }

    /**
     * True for a path no caller may import: one that no folder reaches without a hidden part (the
     * imports/ folder reaches `.alphaforge/imports/x.csv`, the workspace alone would not), one in
     * the state directory outside imports/, one in another team's folder of imports/.
     */
    private excluded(p: string, teamFolder: string): boolean {
        const inside = (forms: readonly string[]): string | undefined => forms.find(f => isInside(f, p));
        const reached = this.roots.some(forms => {
            const root = inside(forms);
            return root !== undefined && !relative(root, p).split(sep).some(part => part.startsWith('.'));
        });
        if (!reached) return true;
        const imports = inside(this.imports);
        if (imports !== undefined) {
            // Files the operator put in imports/ itself, or the caller's own team folder; not other teams' uploads.
            const parts = relative(imports, p).split(sep);
            return parts.length > 1 && parts[0] !== teamFolder;
        }
        return inside(this.state) !== undefined;
    }
}
