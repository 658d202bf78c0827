/**
 * The packs of a workspace: the built-in packs plus those its configuration declares (`packs` in
 * alphaforge.json: name, version range, folder, integrity hash). Packs are code, so a folder pack
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
import { join, posix } from 'node:path';
import { integrityOf, type PackFile } from '../../../language/src/catalogue/manifest-packs.js';
import { PACK_MANIFEST_FILE, PackError, parsePackManifest } from '../../../language/src/catalogue/pack-manifest.js';
import { satisfies } from '../../../language/src/catalogue/version-range.js';
import type { PackDeclaration } from '../config/config.js';
import { registryOfBundles, runtimePackOf, type PackBundle } from '../engine/packs/bundles.js';
import type { PackRegistry, RuntimePack } from '../engine/packs/registry.js';

/** A pack folder is small: more than this is refused rather than read into memory. */
const MAX_PACK_FILES = 2000;
const MAX_PACK_BYTES = 32 * 1024 * 1024;

/** Relative paths of the files the hash covers: everything but dot-files, node_modules and symlinks, in walk order. */
function packFiles(dir: string, under = ''): string[] {
    const out: string[] = [];
    for (const e of readdirSync(join(dir, under), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const rel = under ? `${under}/${e.name}` : e.name;
        if (e.isDirectory()) out.push(...packFiles(dir, rel));
        else if (e.isFile()) out.push(rel);
    }
    return out;
}

/** Every hashed file of a pack folder with its bytes, each read once. */
export function readPackFolder(dir: string, pack = '(unknown)'): PackFile[] {
    let paths: string[];
    try {
        paths = packFiles(dir);
    } catch {
        throw new PackError(pack, `pack '${pack}': the folder ${dir} cannot be read; fix the path in the workspace's packs.`);
    }
    if (paths.length > MAX_PACK_FILES) throw new PackError(pack, `pack '${pack}' (${dir}) has ${paths.length} files, more than ${MAX_PACK_FILES}; a pack folder holds its manifest and modules, not its dependencies.`);
    let total = 0;
    return paths.map(path => {
        const bytes = readFileSync(join(dir, path));
        total += bytes.length;
        if (total > MAX_PACK_BYTES) throw new PackError(pack, `pack '${pack}' (${dir}) is larger than ${MAX_PACK_BYTES / 1048576} MB; a pack folder holds its manifest and modules, not its dependencies.`);
        return { path, bytes };
    });
}

/** `sha256-<hex>` over the folder's files: each relative path and the SHA-256 of its bytes, in path order. */
export function packIntegrity(dir: string): string {
    return integrityOf(readPackFolder(dir));
}

function manifestOf(files: readonly PackFile[], dir: string, pack: string): unknown {
    const file = files.find(f => f.path === PACK_MANIFEST_FILE);
    if (!file) throw new PackError(pack, `${dir}: there is no ${PACK_MANIFEST_FILE}; a pack folder holds its manifest there (af pack new scaffolds one).`);
    try {
        return JSON.parse(Buffer.from(file.bytes).toString('utf8'));
    } catch (e) {
        throw new PackError(pack, `${join(dir, PACK_MANIFEST_FILE)} is not valid JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}.`);
    }
}

/** Reads a folder's manifest (no code runs). */
export function readPackManifest(dir: string): unknown {
    return manifestOf(readPackFolder(dir), dir, '(unknown)');
}

/** An implementation module named by the manifest: one of the hashed files (so inside the folder). */
function moduleText(files: readonly PackFile[], d: PackDeclaration, which: string, rel: string): string {
    const path = posix.normalize(rel.replace(/\\/g, '/')).replace(/^\.\//, '');
    const file = path.startsWith('../') || path.startsWith('/') ? undefined : files.find(f => f.path === path);
    if (!file) throw new PackError(d.name, `pack '${d.name}' (${d.path}): its ${which} implementation ${rel} is not a file inside the pack's folder.`);
    return Buffer.from(file.bytes).toString('utf8');
}

/**
 * One declared folder pack, read once and checked — manifest, name, version range, integrity —
 * without running any of its code. Throws PackError.
 */
export function readDeclaredPack(d: PackDeclaration): PackBundle {
    const files = readPackFolder(d.path, d.name);
    const raw = manifestOf(files, d.path, d.name);
    const m = parsePackManifest(raw, d.path);
    if (m.name !== d.name) throw new PackError(d.name, `pack '${d.name}': the folder ${d.path} holds pack '${m.name}'; fix the path or the name in the workspace's packs.`);
    if (!satisfies(m.version, d.version)) throw new PackError(d.name, `pack '${d.name}' (${d.path}) is version ${m.version}, outside the declared range ${d.version}; install a matching version or change the range (af pack add).`);
    const actual = integrityOf(files);
    if (actual !== d.integrity) {
        throw new PackError(d.name, `pack '${d.name}' (${d.path}): its files do not match the declared integrity hash (declared ${d.integrity.slice(0, 19)}…, found ${actual.slice(0, 19)}…), so it was not loaded. If you changed the pack on purpose, run af pack add ${d.path} again.`);
    }
    if (!m.implementation) throw new PackError(d.name, `pack '${d.name}' (${d.path}): the manifest names no implementation modules (implementation.compiled, implementation.reference).`);
    return {
        name: m.name, version: m.version, integrity: actual, origin: d.path, manifest: raw,
        compiled: moduleText(files, d, 'compiled', m.implementation.compiled),
        reference: moduleText(files, d, 'reference', m.implementation.reference),
    };
}

/** Each declared pack read and checked (no code runs); the refused ones as problems. */
export function readDeclaredPacks(declared: readonly PackDeclaration[]): { bundles: PackBundle[]; problems: PackError[] } {
    const bundles: PackBundle[] = [];
    const problems: PackError[] = [];
    for (const d of declared) {
        try {
            bundles.push(readDeclaredPack(d));
        } catch (err) {
            if (err instanceof PackError) problems.push(err);
            else throw err;
        }
    }
    return { bundles, problems };
}

/** One declared folder pack, checked and its code imported from the checked bytes. Throws PackError. */
export async function loadDeclaredPack(d: PackDeclaration): Promise<RuntimePack> {
    return runtimePackOf(readDeclaredPack(d));
}

/**
 * The built-in packs and the declared ones; each declared pack that cannot be loaded is a problem.
 * `bundles` are the accepted packs' verified bytes: what a worker thread loads.
 */
export async function loadWorkspacePacks(declared: readonly PackDeclaration[] = []): Promise<{ registry: PackRegistry; problems: PackError[]; bundles: PackBundle[] }> {
    const read = readDeclaredPacks(declared);
    const { registry, problems } = await registryOfBundles(read.bundles);
    // The registry keeps the first of two packs with one name: so do the bundles.
    const accepted = new Set(registry.packs().map(p => p.manifest.name));
    const bundles = read.bundles.filter(b => accepted.delete(b.name));
    return { registry, problems: [...read.problems, ...problems], bundles };
}
