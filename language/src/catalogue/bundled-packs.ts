/**
 * The catalogue packs shipped with AlphaForge but off until a workspace enables them (the runtime's
 * implementations: runtime/src/engine/packs/builtin.ts BUNDLED_PACKS). The language knows them so
 * that a name of theirs, used where the pack is not enabled, gets a diagnostic naming the pack to add.
 */
import { midFrequencyPack } from './mid-frequency-pack.js';
import { onchainPack } from './onchain-pack.js';
import type { CapabilityPack } from './pack-types.js';

export const BUNDLED_CATALOGUE_PACKS: readonly CapabilityPack[] = [midFrequencyPack, onchainPack];
