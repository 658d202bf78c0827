/**
 * hnswlib-node, the HNSW graphs of the runtime's similarity indexes (the language library's
 * SimilarityIndex takes a graph library; it has none of its own). Loaded on first use; where the
 * native addon cannot load, indexes search exactly and `similarityBackend` says why.
 */
import { createRequire } from 'node:module';
import type { HnswGraph, HnswLibrary, SimilarityBackend, SimilarityIndexOptions } from '../../../language/src/similarity/vector-index.js';

type HnswModule = { HierarchicalNSW: new (space: 'cosine' | 'l2' | 'ip', dims: number) => HnswGraph };

let hnswModule: HnswModule | null | undefined;
let hnswError: string | undefined;

function loadHnsw(): HnswModule | null {
    if (hnswModule === undefined) {
        try {
            hnswModule = createRequire(import.meta.url)('hnswlib-node') as HnswModule;
        } catch (e) {
            hnswModule = null;
            hnswError = e instanceof Error ? e.message.split('\n')[0] : String(e);
        }
    }
    return hnswModule;
}

/** hnswlib-node as an HnswLibrary, or undefined when the addon does not load. */
export function hnswLibrary(): HnswLibrary | undefined {
    const lib = loadHnsw();
    return lib ? { create: dims => new lib.HierarchicalNSW('cosine', dims) } : undefined;
}

/** Which backend 'auto' picks here, and why not HNSW if it is not. */
export function similarityBackend(): { backend: SimilarityBackend; reason?: string } {
    return loadHnsw() ? { backend: 'hnsw' } : { backend: 'exact', reason: `hnswlib-node did not load: ${hnswError}` };
}

/** Index options with hnswlib-node filled in (unless the caller chose exact search or brought its own). */
export function withHnsw(options: SimilarityIndexOptions = {}): SimilarityIndexOptions {
    if (options.backend === 'exact' || options.hnsw) return options;
    const hnsw = hnswLibrary();
    return hnsw ? { ...options, hnsw } : options;
}
