/**
 * The packs the daemon uses for a source: those declared by the workspace configuration of the
 * source's folder — the nearest `alphaforge.json` from the folder of its `file:` URI up to the
 * daemon's source folder that holds it (a source without a file URI: the first source folder, the
 * daemon's workspace). A pack shipped with AlphaForge is enabled by name and range; a pack folder
 * must lie inside the daemon's source folders and outside its state directory, and is then read
 * once and checked (integrity, version, manifest) like the CLI's (workspace-packs.ts). Nothing here runs pack code: the daemon's main thread only
 * reads bytes and manifests; a run's worker thread imports the code from the checked bytes.
 *
 * A URI outside the source folders gets no workspace packs for a run (its imports are refused too),
 * and is refused by packs.list / packs.info (PackAccessError), without saying whether it exists.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { URI } from 'langium';
import * as z from 'zod';
import { cataloguePacksOf } from '../../../language/src/catalogue/manifest-packs.js';
import { PackError } from '../../../language/src/catalogue/pack-manifest.js';
import { ForbiddenError } from '../../../protocol/src/errors.js';
import { CONFIG_FILE, PackDeclarationSchema, type PackDeclaration } from '../config/config.js';
import { builtInRegistry } from '../engine/packs/builtin.js';
import { manifestSources, type PackBundle } from '../engine/packs/bundles.js';
import { isInside } from '../security/confine.js';
import { readDeclaredPacks } from './workspace-packs.js';

/** A source folder the caller may not read packs of (-32003 through ForbiddenError). */
export class PackAccessError extends ForbiddenError {
    constructor(message: string) {
        super(message);
        this.name = 'PackAccessError';
    }
}

export interface WorkspacePacks {
    /** The config file that declared them (undefined: none found). */
    readonly configFile: string | undefined;
    /** The accepted packs (a folder's verified bytes, a shipped pack's name): shipped ones first, then folders in declaration order. */
    readonly bundles: readonly PackBundle[];
    /** Each refused pack (or a bad declaration), naming it and what to do. */
    readonly problems: readonly PackError[];
}

const Declarations = z.object({ packs: z.array(PackDeclarationSchema).optional() }).passthrough();

const NONE: WorkspacePacks = { configFile: undefined, bundles: [], problems: [] };

function real(path: string): string {
    try {
        return realpathSync.native(path);
    } catch {
        return resolve(path);
    }
}

export class DaemonPacks {
    private readonly roots: string[];
    private readonly excluded: string[];

    constructor(o: { readonly roots: readonly string[]; readonly exclude?: readonly string[] }) {
        this.roots = o.roots.map(real);
        this.excluded = (o.exclude ?? []).flatMap(p => [resolve(p), real(p)]);
    }

    private allowed(path: string): boolean {
        const r = real(path);
        return this.roots.some(root => isInside(root, r)) && !this.excluded.some(x => isInside(x, r) || isInside(x, resolve(path)));
    }

    /**
     * The folder a URI's packs are read for, and the source folder holding it; undefined when the
     * URI is not a file inside the source folders.
     */
    private folderOf(uri: string | undefined): { folder: string; root: string } | undefined {
        if (uri === undefined || uri === '') return this.roots[0] ? { folder: this.roots[0], root: this.roots[0] } : undefined;
        let u: URI;
        try {
            u = URI.parse(uri);
        } catch {
            return undefined;
        }
        if (u.scheme !== 'file') return this.roots[0] ? { folder: this.roots[0], root: this.roots[0] } : undefined;
        const folder = dirname(resolve(u.fsPath));
        if (!this.allowed(folder)) return undefined;
        const r = real(folder);
        const root = this.roots.find(x => isInside(x, r))!;
        return { folder: r, root };
    }

    /** The packs for a source (a run's): none when its URI is outside the source folders. */
    forUri(uri: string | undefined): WorkspacePacks {
        const at = this.folderOf(uri);
        return at ? this.read(at.folder, at.root) : NONE;
    }

    /** The packs for packs.list / packs.info: a URI outside the source folders is refused. */
    forCaller(uri: string | undefined): WorkspacePacks {
        const at = this.folderOf(uri);
        if (!at) throw new PackAccessError(`the daemon lists packs only for sources inside its source folders; send the file: uri of a source there`);
        return this.read(at.folder, at.root);
    }

    private read(folder: string, root: string): WorkspacePacks {
        let file: string | undefined;
        for (let dir = folder; ; dir = dirname(dir)) {
            if (existsSync(join(dir, CONFIG_FILE))) { file = join(dir, CONFIG_FILE); break; }
            if (dir === root || dirname(dir) === dir) break;
        }
        if (!file) return NONE;
        let declared: PackDeclaration[];
        try {
            const parsed = Declarations.safeParse(JSON.parse(readFileSync(file, 'utf8')));
            if (!parsed.success) {
                const i = parsed.error.issues[0]!;
                return { configFile: file, bundles: [], problems: [new PackError('(config)', `${CONFIG_FILE}: ${i.path.join('.')}: ${i.message}; fix the workspace's packs (af pack add writes them).`)] };
            }
            declared = (parsed.data.packs ?? []).map(d => (d.path === undefined ? d : { ...d, path: resolve(dirname(file), d.path) }));
        } catch {
            return { configFile: file, bundles: [], problems: [new PackError('(config)', `${CONFIG_FILE} of the source's folder is not valid JSON; fix it (docs/config.md).`)] };
        }
        const { bundles, problems } = readDeclaredPacks(declared, d => (this.allowed(d.path) ? undefined
            : new PackError(d.name, `pack '${d.name}': its folder ${d.path} is outside the daemon's source folders (or inside its state directory), so it was not loaded; put the pack inside the workspace and run af pack add again.`)));
        // Manifests as data: each valid, built for this AlphaForge, no name taken twice.
        const checked = cataloguePacksOf(manifestSources(bundles), builtInRegistry().cataloguePacks());
        const accepted = new Set(checked.packs.map(p => p.id));
        return { configFile: file, bundles: bundles.filter(b => accepted.delete(b.name)), problems: [...problems, ...checked.problems] };
    }
}
