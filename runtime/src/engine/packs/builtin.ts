/**
 * The packs shipped with AlphaForge, in load order, and the registry a process starts with: every
 * built-in pack. A workspace's own packs are added by its configuration (declared, version range,
 * integrity hash) before a run compiles; the engines only ever see the registry (hook.ts). Bundled
 * packs ship with AlphaForge too but are loaded only where a workspace declares them by name.
 */
import { CORE_PACK } from './core.js';
import { MID_FREQUENCY_PACK } from './mid-frequency/index.js';
import { PackRegistry, type RuntimePack } from './registry.js';

export const BUILT_IN_PACKS: readonly RuntimePack[] = [CORE_PACK];

/** Shipped with AlphaForge, enabled per workspace (`{ "name": "mid-frequency", "version": "^1.0.0" }` in its packs). */
export const BUNDLED_PACKS: readonly RuntimePack[] = [MID_FREQUENCY_PACK];

/** The bundled pack of that name. */
export function bundledPack(name: string): RuntimePack | undefined {
    return BUNDLED_PACKS.find(p => p.manifest.name === name);
}

export function builtInRegistry(): PackRegistry {
    return new PackRegistry(BUILT_IN_PACKS);
}
