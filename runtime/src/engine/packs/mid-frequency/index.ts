/**
 * The mid-frequency pack as the registry loads it: the catalogue data
 * (language/src/catalogue/mid-frequency-pack.ts) with its two implementations (compiled.ts,
 * reference.ts). Shipped with AlphaForge, but not loaded unless a workspace declares it
 * (`{ "name": "mid-frequency", "version": "^1.0.0" }` in its packs; builtin.ts BUNDLED_PACKS).
 */
import { midFrequencyPack } from '../../../../../language/src/catalogue/mid-frequency-pack.js';
import { ALPHAFORGE_VERSION, packToManifest } from '../../../../../language/src/catalogue/pack-manifest.js';
import type { RuntimePack } from '../registry.js';
import { compiled } from './compiled.js';
import { reference } from './reference.js';

export const MID_FREQUENCY_PACK: RuntimePack = {
    manifest: packToManifest(midFrequencyPack, `^${ALPHAFORGE_VERSION}`),
    implementation: { compiled, reference },
    origin: 'built-in',
    builtIn: true,
};
