/**
 * The packs shipped with AlphaForge, in load order, and the registry a process starts with: every
 * built-in pack. A workspace's own packs are added by its configuration (declared, version range,
 * integrity hash) before a run compiles; the engines only ever see the registry (hook.ts).
 */
import { CORE_PACK } from './core.js';
import { PackRegistry, type RuntimePack } from './registry.js';

export const BUILT_IN_PACKS: readonly RuntimePack[] = [CORE_PACK];

export function builtInRegistry(): PackRegistry {
    return new PackRegistry(BUILT_IN_PACKS);
}
