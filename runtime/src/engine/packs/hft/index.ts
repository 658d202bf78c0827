/**
 * The HFT pack as the registry loads it: the catalogue data (language/src/catalogue/hft-pack.ts)
 * with its two implementations (compiled.ts, reference.ts). Shipped with AlphaForge, loaded only
 * where a workspace declares it (`{ "name": "hft", "version": "^1.0.0" }`; builtin.ts
 * BUNDLED_PACKS). Its data (trades, L2 book) is runtime/src/data/hft/, its engine mode engine/hft/.
 */
import { hftPack } from '../../../../../language/src/catalogue/hft-pack.js';
import { ALPHAFORGE_VERSION, packToManifest } from '../../../../../language/src/catalogue/pack-manifest.js';
import type { RuntimePack } from '../registry.js';
import { compiled } from './compiled.js';
import { reference } from './reference.js';

export const HFT_PACK: RuntimePack = {
    manifest: packToManifest(hftPack, `^${ALPHAFORGE_VERSION}`),
    implementation: { compiled, reference },
    origin: 'built-in',
    builtIn: true,
};
