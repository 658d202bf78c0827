/**
 * The packs shipped with AlphaForge, in load order, and the registry a process starts with: every
 * built-in pack. A workspace's own packs are added by its configuration (declared, version range,
 * integrity hash) before a run compiles; the engines only ever see the registry (hook.ts). Bundled
 * packs ship with AlphaForge too but are loaded only where a workspace declares them by name.
 */
import { PackError } from '../../../../language/src/catalogue/pack-manifest.js';
import { satisfies } from '../../../../language/src/catalogue/version-range.js';
import { CORE_PACK } from './core.js';
import { MID_FREQUENCY_PACK } from './mid-frequency/index.js';
import { ONCHAIN_PACK } from './onchain/index.js';
import { PackRegistry, type RuntimePack } from './registry.js';

export const BUILT_IN_PACKS: readonly RuntimePack[] = [CORE_PACK];

/** Shipped with AlphaForge, enabled per workspace (`{ "name": "mid-frequency", "version": "^1.0.0" }` in its packs). */
export const BUNDLED_PACKS: readonly RuntimePack[] = [MID_FREQUENCY_PACK, ONCHAIN_PACK];

/** The bundled pack of that name. */
export function bundledPack(name: string): RuntimePack | undefined {
    return BUNDLED_PACKS.find(p => p.manifest.name === name);
}

export function builtInRegistry(): PackRegistry {
    return new PackRegistry(BUILT_IN_PACKS);
}

/** The bundled packs a workspace declares by name and version range (no folder), each checked; a problem for each that cannot be. */
export function enabledBundledPacks(declared: readonly { readonly name: string; readonly version: string }[]): { packs: RuntimePack[]; problems: PackError[] } {
    const packs: RuntimePack[] = [];
    const problems: PackError[] = [];
    for (const d of declared) {
        const p = bundledPack(d.name);
        if (!p) {
            const names = BUNDLED_PACKS.map(b => b.manifest.name).join(', ');
            problems.push(new PackError(d.name, `pack '${d.name}' is declared without a folder, but AlphaForge ships no pack of that name (it ships ${names}); give its path and integrity (af pack add FOLDER).`));
        } else if (!satisfies(p.manifest.version, d.version)) {
            problems.push(new PackError(d.name, `pack '${d.name}' shipped with AlphaForge is version ${p.manifest.version}, outside the declared range ${d.version}; change the range (af pack add ${d.name}).`));
        } else {
            packs.push(p);
        }
    }
    return { packs, problems };
}
