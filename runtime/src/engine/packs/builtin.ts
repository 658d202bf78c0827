/**
 * The packs shipped with AlphaForge, in load order, and the registry a process starts with: every
 * built-in pack. A workspace's own packs are added by its configuration (declared, version range,
 * integrity hash) before a run compiles; the engines only ever see the registry (hook.ts). Bundled
 * packs ship with AlphaForge too but are loaded only where a workspace declares them by name.
 */
import { shippedDeclarationProblem } from '../../../../language/src/catalogue/bundled-packs.js';
import type { PackError } from '../../../../language/src/catalogue/pack-manifest.js';
import { CORE_PACK } from './core.js';
import { MID_FREQUENCY_PACK } from './mid-frequency/index.js';
import { ONCHAIN_PACK } from './onchain/index.js';
import { HFT_PACK } from './hft/index.js';
import { PackRegistry, type RuntimePack } from './registry.js';

export const BUILT_IN_PACKS: readonly RuntimePack[] = [CORE_PACK];

/** Shipped with AlphaForge, enabled per workspace (`{ "name": "mid-frequency", "version": "^1.0.0" }` in its packs). */
export const BUNDLED_PACKS: readonly RuntimePack[] = [MID_FREQUENCY_PACK, ONCHAIN_PACK, HFT_PACK];

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
    const shipped = BUNDLED_PACKS.map(p => ({ name: p.manifest.name, version: p.manifest.version }));
    for (const d of declared) {
        const problem = shippedDeclarationProblem(d, shipped);
        if (problem) problems.push(problem);
        else packs.push(bundledPack(d.name)!);
    }
    return { packs, problems };
}
