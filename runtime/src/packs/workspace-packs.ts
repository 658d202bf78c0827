/**
 * The packs of a workspace: the built-in packs plus those its configuration declares (`packs` in
 * alphaforge.json: name, version range, folder, integrity hash). Packs are code, so a folder pack
 * is loaded only when declared, and only after its manifest names the declared pack, its version
 * is in the declared range and the hash of its folder's files equals the declared integrity; its
 * implementation modules must lie inside its folder. A pack that fails any of these is reported
 * (PackError naming it and what to do) and nothing of it is loaded; the others load.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACK_MANIFEST_FILE, PackError, parsePackManifest } from '../../../language/src/catalogue/pack-manifest.js';
import { satisfies } from '../../../language/src/catalogue/version-range.js';
import { isFolderDeclaration, type FolderPackDeclaration, type PackDeclaration } from '../config/config.js';
import { BUILT_IN_PACKS, enabledBundledPacks } from '../engine/packs/builtin.js';
import type { CompiledFunction, PackImplementation, ReferenceFunction } from '../engine/packs/hook.js';
import { PackRegistry, type RuntimePack } from '../engine/packs/registry.js';
import { isInside } from '../security/confine.js';

/** Files of a pack folder that the hash covers: everything but dot-files and node_modules. */
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

/** `sha256-<hex>` over the folder's files: each relative path and the SHA-256 of its bytes, in path order. */
export function packIntegrity(dir: string): string {
    const h = createHash('sha256');
    for (const rel of packFiles(dir)) {
        h.update(rel).update('\0').update(createHash('sha256').update(readFileSync(join(dir, rel))).digest('hex')).update('\n');
    }
    return `sha256-${h.digest('hex')}`;
}

/** Reads a folder's manifest (no code runs). */
export function readPackManifest(dir: string): unknown {
    const file = join(dir, PACK_MANIFEST_FILE);
    let text: string;
    try {
        text = readFileSync(file, 'utf8');
    } catch {
        throw new PackError('(unknown)', `${dir}: there is no ${PACK_MANIFEST_FILE}; a pack folder holds its manifest there (af pack new scaffolds one).`);
    }
    try {
        return JSON.parse(text);
    } catch (e) {
        throw new PackError('(unknown)', `${file} is not valid JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}.`);
    }
}

async function loadModule(dir: string, pack: string, which: string, rel: string): Promise<Record<string, unknown>> {
    const real = realpathSync(dir);
    let file: string;
    try {
        file = realpathSync(resolve(dir, rel));
    } catch {
        throw new PackError(pack, `pack '${pack}' (${dir}): its ${which} implementation ${rel} does not exist.`);
    }
    if (!isInside(real, file) || !statSync(file).isFile()) throw new PackError(pack, `pack '${pack}' (${dir}): its ${which} implementation ${rel} is not a file inside the pack's folder.`);
    let mod: { default?: unknown };
    try {
        mod = await import(pathToFileURL(file).href) as { default?: unknown };
    } catch (e) {
        throw new PackError(pack, `pack '${pack}' (${dir}): its ${which} implementation ${relative(real, file).split(sep).join('/')} failed to load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}.`);
    }
    if (typeof mod.default !== 'object' || mod.default === null) throw new PackError(pack, `pack '${pack}' (${dir}): its ${which} implementation must export default an object of functions by name.`);
    return mod.default as Record<string, unknown>;
}

/** One declared folder pack, checked and loaded. Throws PackError. */
export async function loadDeclaredPack(d: FolderPackDeclaration): Promise<RuntimePack> {
    const raw = readPackManifest(d.path);
    const m = parsePackManifest(raw, d.path);
    if (m.name !== d.name) throw new PackError(d.name, `pack '${d.name}': the folder ${d.path} holds pack '${m.name}'; fix the path or the name in the workspace's packs.`);
    if (!satisfies(m.version, d.version)) throw new PackError(d.name, `pack '${d.name}' (${d.path}) is version ${m.version}, outside the declared range ${d.version}; install a matching version or change the range (af pack add).`);
    const actual = packIntegrity(d.path);
    if (actual !== d.integrity) {
        throw new PackError(d.name, `pack '${d.name}' (${d.path}): its files do not match the declared integrity hash (declared ${d.integrity.slice(0, 19)}…, found ${actual.slice(0, 19)}…), so it was not loaded. If you changed the pack on purpose, run af pack add ${d.path} again.`);
    }
    if (!m.implementation) throw new PackError(d.name, `pack '${d.name}' (${d.path}): the manifest names no implementation modules (implementation.compiled, implementation.reference).`);
    const compiled = await loadModule(d.path, d.name, 'compiled', m.implementation.compiled) as Record<string, CompiledFunction>;
    const reference = await loadModule(d.path, d.name, 'reference', m.implementation.reference) as Record<string, ReferenceFunction>;
    const implementation: PackImplementation = { compiled, reference };
    return { manifest: m, implementation, origin: d.path };
}

/** The built-in packs and the declared ones; each declared pack that cannot be loaded is a problem. */
export async function loadWorkspacePacks(declared: readonly PackDeclaration[] = []): Promise<{ registry: PackRegistry; problems: PackError[] }> {
    // Packs shipped with AlphaForge but off by default are declared by name alone (engine/packs/builtin.ts).
    const bundled = enabledBundledPacks(declared.filter(d => !isFolderDeclaration(d)));
    const packs: RuntimePack[] = [...BUILT_IN_PACKS, ...bundled.packs];
    const problems: PackError[] = [...bundled.problems];
    for (const d of declared.filter(isFolderDeclaration)) {
        try {
            packs.push(await loadDeclaredPack(d));
        } catch (err) {
            if (err instanceof PackError) problems.push(err);
            else throw err;
        }
    }
    const loaded = PackRegistry.load(packs);
    return { registry: loaded.registry, problems: [...problems, ...loaded.problems] };
}
