/**
 * The on-chain pack as the registry loads it: the catalogue data
 * (language/src/catalogue/onchain-pack.ts) with its two implementations (compiled.ts,
 * reference.ts). Shipped with AlphaForge, but not loaded unless a workspace declares it
 * (`{ "name": "onchain", "version": "^1.0.0" }` in its packs; builtin.ts BUNDLED_PACKS). Its data
 * (pools, swaps, TVL, gas) is imported and aligned to the bars by runtime/src/data/onchain/.
 */
import { onchainPack } from '../../../../../language/src/catalogue/onchain-pack.js';
import { ALPHAFORGE_VERSION, packToManifest } from '../../../../../language/src/catalogue/pack-manifest.js';
import type { RuntimePack } from '../registry.js';
import { compiled } from './compiled.js';
import { reference } from './reference.js';

export const ONCHAIN_PACK: RuntimePack = {
    manifest: packToManifest(onchainPack, `^${ALPHAFORGE_VERSION}`),
    implementation: { compiled, reference },
    origin: 'built-in',
    builtIn: true,
};
