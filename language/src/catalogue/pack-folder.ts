/**
 * A declared pack folder, read and checked without running any of its code: the files its
 * integrity hash covers (everything but dot-files, node_modules and symlinks), each read once, the
 * manifest parsed from those bytes, its name, version range and integrity checked against the
 * declaration. Shared by the runtime (which then imports the implementation modules from the same
 * bytes) and the language server (which only reads the manifest), so both agree on what a pack is.
 * The reading is the caller's (a PackFolderReader over node:fs): language/ does no I/O of its own.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { integrityOf, type PackFile } from './manifest-packs.js';
import { PACK_MANIFEST_FILE, PackError, parsePackManifest, type PackManifest } from './pack-manifest.js';
import { satisfies } from './version-range.js';

/**
 * A pack the workspace uses: packs are code, so one is loaded only if declared in the workspace's
 * configuration, its version in the range and its folder's integrity hash (`af pack add` computes it)
 * unchanged. A pack shipped with AlphaForge but off by default (mid-frequency) is declared by name and
 * range alone: its code is the product's own.
 */
export const PackDeclarationSchema = z.object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a pack name (lower-case letters, digits, -)'),
    version: z.string().min(1).describe('A version range, e.g. ^1.0.0.'),
    path: z.string().min(1).describe('The pack\'s folder (none for a pack shipped with AlphaForge).').optional(),
    integrity: z.string().regex(/^sha256-[0-9a-f]{64}$/, 'must be sha256-<64 hex digits> (af pack add computes it)').optional(),
}).strict().refine(d => (d.path === undefined) === (d.integrity === undefined), {
    message: 'a pack folder needs both path and integrity (af pack add FOLDER writes them); a pack shipped with AlphaForge needs neither',
});
export type PackDeclaration = z.infer<typeof PackDeclarationSchema>;
/** A declaration of a pack folder (not of a pack shipped with AlphaForge). */
export type FolderPackDeclaration = PackDeclaration & { readonly path: string; readonly integrity: string };
export const isFolderDeclaration = (d: PackDeclaration): d is FolderPackDeclaration => d.path !== undefined && d.integrity !== undefined;

/** How a pack folder is read: its entries (no symlinks followed) and a file's bytes. */
export interface PackFolderReader {
    list(dir: string): readonly { readonly name: string; isFile(): boolean; isDirectory(): boolean }[];
    read(file: string): Uint8Array;
}

/** A pack folder is small: more than this is refused rather than read into memory. */
const MAX_PACK_FILES = 2000;
const MAX_PACK_BYTES = 32 * 1024 * 1024;

/** Relative paths of the files the hash covers, in walk order. */
function packFiles(fs: PackFolderReader, dir: string, under = ''): string[] {
    const out: string[] = [];
    for (const e of [...fs.list(join(dir, under))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const rel = under ? `${under}/${e.name}` : e.name;
        if (e.isDirectory()) out.push(...packFiles(fs, dir, rel));
        else if (e.isFile()) out.push(rel);
    }
    return out;
}

/** Every hashed file of a pack folder with its bytes, each read once. */
export function readPackFolder(fs: PackFolderReader, dir: string, pack = '(unknown)'): PackFile[] {
    let paths: string[];
    try {
        paths = packFiles(fs, dir);
    } catch {
        throw new PackError(pack, `pack '${pack}': the folder ${dir} cannot be read; fix the path in the workspace's packs.`);
    }
    if (paths.length > MAX_PACK_FILES) throw new PackError(pack, `pack '${pack}' (${dir}) has ${paths.length} files, more than ${MAX_PACK_FILES}; a pack folder holds its manifest and modules, not its dependencies.`);
    let total = 0;
    return paths.map(path => {
        const bytes = fs.read(join(dir, path));
        total += bytes.length;
        if (total > MAX_PACK_BYTES) throw new PackError(pack, `pack '${pack}' (${dir}) is larger than ${MAX_PACK_BYTES / 1048576} MB; a pack folder holds its manifest and modules, not its dependencies.`);
        return { path, bytes };
    });
}

/** The manifest among a folder's files, as JSON (no code runs). */
export function manifestOf(files: readonly PackFile[], dir: string, pack: string): unknown {
    const file = files.find(f => f.path === PACK_MANIFEST_FILE);
    if (!file) throw new PackError(pack, `${dir}: there is no ${PACK_MANIFEST_FILE}; a pack folder holds its manifest there (af pack new scaffolds one).`);
    try {
        return JSON.parse(Buffer.from(file.bytes).toString('utf8'));
    } catch (e) {
        throw new PackError(pack, `${join(dir, PACK_MANIFEST_FILE)} is not valid JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}.`);
    }
}

/** A declared folder pack read once and checked against its declaration. Throws PackError. */
export function readDeclaredFolder(fs: PackFolderReader, d: FolderPackDeclaration): { files: PackFile[]; raw: unknown; manifest: PackManifest; integrity: string } {
    const files = readPackFolder(fs, d.path, d.name);
    const raw = manifestOf(files, d.path, d.name);
    const m = parsePackManifest(raw, d.path);
    if (m.name !== d.name) throw new PackError(d.name, `pack '${d.name}': the folder ${d.path} holds pack '${m.name}'; fix the path or the name in the workspace's packs.`);
    if (!satisfies(m.version, d.version)) throw new PackError(d.name, `pack '${d.name}' (${d.path}) is version ${m.version}, outside the declared range ${d.version}; install a matching version or change the range (af pack add).`);
    const actual = integrityOf(files);
    if (actual !== d.integrity) {
        throw new PackError(d.name, `pack '${d.name}' (${d.path}): its files do not match the declared integrity hash (declared ${d.integrity.slice(0, 19)}…, found ${actual.slice(0, 19)}…), so it was not loaded. If you changed the pack on purpose, run af pack add ${d.path} again.`);
    }
    return { files, raw, manifest: m, integrity: actual };
}
