/**
 * The packs of a workspace: the built-in packs plus those its configuration declares (`packs` in
 * alphaforge.json: name, version range, folder, integrity hash; or, for a pack shipped with
 * AlphaForge but off by default such as mid-frequency, name and range alone). Packs are code, so a folder pack
 * is loaded only when declared, and only after its manifest names the declared pack, its version
 * is in the declared range and the hash of its folder's files equals the declared integrity; its
 * implementation modules must lie inside its folder. A pack that fails any of these is reported
 * (PackError naming it and what to do) and nothing of it is loaded; the others load.
 *
 * Every file of the folder is read once, into memory; the integrity is computed over those bytes,
 * the manifest parsed from them, and the implementation modules are imported from them (a
 * PackBundle, engine/packs/bundles.ts), never from the folder again: a file swapped after the
 * check cannot run. Only hashed files can be implementation modules (not dot-files, not
 * node_modules, not symlinks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { integrityOf, type PackFile } from '../../../language/src/catalogue/manifest-packs.js';
import { manifestOf, readDeclaredFolder, readPackFolder as readFolder, type PackFolderReader } from '../../../language/src/catalogue/pack-folder.js';
import { PackError } from '../../../language/src/catalogue/pack-manifest.js';
import { isFolderDeclaration, type FolderPackDeclaration, type PackDeclaration } from '../config/config.js';
import { BUILT_IN_PACKS, enabledBundledPacks } from '../engine/packs/builtin.js';
import { registryOfBundles, runtimePackOf, shippedBundleOf, type FolderPackBundle, type PackBundle } from '../engine/packs/bundles.js';
import type { PackRegistry, RuntimePack } from '../engine/packs/registry.js';

/** `sha256-<hex>` over the folder's files: each relative path and the SHA-256 of its bytes, in path order. */
export function packIntegrity(dir: string): string {
    return integrityOf(readPackFolder(dir));
}

/** Node's file system as a pack folder reader (Dirents: a symlink is neither file nor folder). */
export const NODE_PACK_FS: PackFolderReader = { list: dir => readdirSync(dir, { withFileTypes: true }), read: file => readFileSync(file) };

/** Every hashed file of a pack folder with its bytes, each read once. */
export function readPackFolder(dir: string, pack?: string): PackFile[] {
    return readFolder(NODE_PACK_FS, dir, pack);
}

/** Reads a folder's manifest (no code runs). */
export function readPackManifest(dir: string): unknown {
    return manifestOf(readPackFolder(dir), dir, '(unknown)');
}

/** An implementation module named by the manifest: one of the hashed files (so inside the folder). */
function moduleText(files: readonly PackFile[], d: FolderPackDeclaration, which: string, rel: string): string {
    const path = posix.normalize(rel.replace(/\\/g, '/')).replace(/^\.\//, '');
    const file = path.startsWith('../') || path.startsWith('/') ? undefined : files.find(f => f.path === path);
    if (!file) throw new PackError(d.name, `pack '${d.name}' (${d.path}): its ${which} implementation ${rel} is not a file inside the pack's folder.`);
    return Buffer.from(file.bytes).toString('utf8');
}

/**
 * One declared folder pack, read once and checked — manifest, name, version range, integrity —
 * without running any of its code. Throws PackError.
 */
export function readDeclaredPack(d: FolderPackDeclaration): FolderPackBundle {
    const { files, raw, manifest: m, integrity: actual } = readDeclaredFolder(NODE_PACK_FS, d);
    if (!m.implementation) throw new PackError(d.name, `pack '${d.name}' (${d.path}): the manifest names no implementation modules (implementation.compiled, implementation.reference).`);
    return {
        name: m.name, version: m.version, integrity: actual, origin: d.path, manifest: raw,
        compiled: moduleText(files, d, 'compiled', m.implementation.compiled),
        reference: moduleText(files, d, 'reference', m.implementation.reference),
    };
}

/**
 * Each declared pack checked without running any of its code: those shipped with AlphaForge (by
 * name and range alone) first, as the registry loads them, then each folder read once. The refused
 * ones are problems. `refuseFolder` may refuse a folder before it is read (the daemon's confinement).
 */
export function readDeclaredPacks(declared: readonly PackDeclaration[], refuseFolder?: (d: FolderPackDeclaration) => PackError | undefined): { bundles: PackBundle[]; problems: PackError[] } {
    const shipped = enabledBundledPacks(declared.filter(d => !isFolderDeclaration(d)));
    const bundles: PackBundle[] = shipped.packs.map(shippedBundleOf);
    const problems: PackError[] = [...shipped.problems];
    for (const d of declared.filter(isFolderDeclaration)) {
        try {
            const refused = refuseFolder?.(d);
            if (refused) throw refused;
            bundles.push(readDeclaredPack(d));
        } catch (err) {
            if (err instanceof PackError) problems.push(err);
            else throw err;
        }
    }
    return { bundles, problems };
}

/** One declared folder pack, checked and its code imported from the checked bytes. Throws PackError. */
export async function loadDeclaredPack(d: FolderPackDeclaration): Promise<RuntimePack> {
    return runtimePackOf(readDeclaredPack(d));
}

/**
 * The built-in packs and the declared ones; each declared pack that cannot be loaded is a problem.
 * `bundles` are the accepted packs (a folder's verified bytes, a shipped pack's name): what a worker thread loads.
 */
export async function loadWorkspacePacks(declared: readonly PackDeclaration[] = []): Promise<{ registry: PackRegistry; problems: PackError[]; bundles: PackBundle[] }> {
    const read = readDeclaredPacks(declared);
    const { registry, problems } = await registryOfBundles(read.bundles);
    // The registry keeps the first of two packs with one name (a built-in one before any declared): so do the bundles.
    const accepted = new Set(registry.packs().map(p => p.manifest.name));
    for (const p of BUILT_IN_PACKS) accepted.delete(p.manifest.name);
    const bundles = read.bundles.filter(b => accepted.delete(b.name));
    return { registry, problems: [...read.problems, ...problems], bundles };
}
