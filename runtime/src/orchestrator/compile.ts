/**
 * Compiles a run's .af text to IR through the language facade (runtime/src/language-service/language-service.ts):
 * the parse, validation and IR build happen in a language worker, never on the daemon's main
 * thread, within the facade's time and memory limits. Any problem becomes a `RunFailure` with one
 * line (file:line:column code message).
 *
 * The IR of a text that imports nothing depends on nothing but the text, its URI and the strategy
 * chosen: it is kept (the last `cacheSize`), so the hundreds of runs a client submits for one
 * strategy are parsed and validated once. Texts with imports are compiled every time (the files
 * they import may have changed). A cached IR is shared: it is never changed after compiling.
 */
import type { StrategyIr } from '../../../language/src/index.js';
import type { LanguageService } from '../language-service/language-service.js';
import { manifestSourceKey, type ManifestSource } from '../../../language/src/catalogue/manifest-packs.js';

/** A run that cannot go on, with the one-line reason recorded on the run. */
export class RunFailure extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'RunFailure';
    }
}

export class RunCompiler {
    /** IR by (uri, strategy, text), least recently used first. */
    private readonly cache = new Map<string, StrategyIr>();

    constructor(private readonly language: LanguageService, private readonly cacheSize = 64) {}

    /** `packs`: the workspace packs' manifests (data) the source compiles against; part of the cache key by their hashes. */
    async compile(source: string, o: { uri?: string; strategy?: string; packs?: readonly ManifestSource[] } = {}): Promise<StrategyIr> {
        const packs = o.packs ?? [];
        const key = JSON.stringify([o.uri ?? null, o.strategy ?? null, packs.map(manifestSourceKey), source]);
        const hit = this.cache.get(key);
        if (hit) {
            this.cache.delete(key);
            this.cache.set(key, hit);
            return hit;
        }
        let r;
        try {
            r = await this.language.compileForRun({ source, ...(o.uri !== undefined ? { uri: o.uri } : {}), ...(o.strategy !== undefined ? { strategy: o.strategy } : {}), ...(packs.length ? { packs } : {}) }, { key: 'runs', internal: true });
        } catch (e) {
            throw new RunFailure(`${o.uri ?? 'source'}: cannot compile: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        }
        if (!r.ok) throw new RunFailure(r.message);
        if (!r.imports && this.cacheSize > 0) {
            this.cache.set(key, r.ir);
            if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
        }
        return r.ir;
    }
}
