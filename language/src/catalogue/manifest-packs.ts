/**
 * A workspace's packs as data: the checks every consumer of pack manifests shares — the runtime's
 * registry before it imports a pack's code, the daemon's language workers, and the language server,
 * which must never run pack code — and the integrity hash of a pack folder's files. A manifest that
 * fails validation, is built for another AlphaForge, or contributes a name another pack already
 * contributes is refused with a PackError naming the pack and what to do; the other packs stay.
 */
import { createHash } from 'node:crypto';
import { PackError, manifestToPack, parsePackManifest } from './pack-manifest.js';
import type { CapabilityPack } from './pack-types.js';

/** A file of a pack folder: its path relative to the folder (`/`-separated) and its bytes. */
export interface PackFile {
    readonly path: string;
    readonly bytes: Uint8Array;
}

/** `sha256-<hex>` over the files in the order given: each relative path and the SHA-256 of its bytes. */
export function integrityOf(files: Iterable<PackFile>): string {
    const h = createHash('sha256');
    for (const f of files) h.update(f.path).update('\0').update(createHash('sha256').update(f.bytes).digest('hex')).update('\n');
    return `sha256-${h.digest('hex')}`;
}

/** A declared pack's manifest as read, where it came from, and (a pack folder) its verified integrity. */
export interface ManifestSource {
    readonly manifest: unknown;
    readonly origin: string;
    readonly integrity?: string;
}

/**
 * What tells two sources apart in a cache key: a pack folder's integrity hash, else (a pack shipped
 * with AlphaForge, whose manifest is the product's) its origin, name and version.
 */
export function manifestSourceKey(s: ManifestSource): string {
    if (s.integrity !== undefined) return s.integrity;
    const m = (typeof s.manifest === 'object' && s.manifest !== null ? s.manifest : {}) as { name?: unknown; version?: unknown };
    return `${s.origin}:${String(m.name)}@${String(m.version)}`;
}

/**
 * The catalogue packs of manifests, after `loaded` (the built-in packs): each checked, and refused
 * (a problem) when its name or one of its names is taken by a pack before it.
 */
export function cataloguePacksOf(sources: readonly ManifestSource[], loaded: readonly CapabilityPack[]): { packs: CapabilityPack[]; problems: PackError[] } {
    const packs: CapabilityPack[] = [];
    const problems: PackError[] = [];
    for (const s of sources) {
        try {
            const m = parsePackManifest(s.manifest, s.origin);
            const where = `pack '${m.name}' ${m.version} (${s.origin})`;
            const before = [...loaded, ...packs];
            const twin = before.find(p => p.id === m.name);
            if (twin) throw new PackError(m.name, `${where}: a pack named '${m.name}' is already loaded (${twin.version}); keep one of the two.`);
            const pack: CapabilityPack = { ...manifestToPack(m), declared: true, ...(s.integrity !== undefined ? { integrity: s.integrity } : {}) };
            for (const e of pack.entries) {
                const owner = before.find(p => p.entries.some(x => x.name === e.name));
                if (owner) throw new PackError(m.name, `${where}: '${e.name}' is also contributed by pack '${owner.id}'; two packs cannot contribute the same name — remove one of them from the workspace's packs.`);
            }
            packs.push(pack);
        } catch (err) {
            if (err instanceof PackError) problems.push(err);
            else throw err;
        }
    }
    return { packs, problems };
}
