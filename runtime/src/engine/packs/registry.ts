/**
 * The pack registry: the packs a process has loaded, each checked before anything of it is used —
 * its manifest (schema, AlphaForge version, type specs and look-backs), that no other pack has its
 * name or contributes one of its names, and that its code implements every function it declares
 * for both engines (and nothing it does not declare). The engines resolve functions through it
 * (hook.ts); the language reads its catalogue packs. A bad pack is refused with a PackError naming
 * it; `PackRegistry.load` keeps the good ones and reports the others, so one broken pack does not
 * take the editor or the daemon down with it.
 */
import type { CapabilityPack } from '../../../../language/src/catalogue/pack-types.js';
import { PackError, manifestToPack, parsePackManifest, type PackManifest, type PackManifestInput } from '../../../../language/src/catalogue/pack-manifest.js';
import { ENGINE_INTRINSICS, type CompiledFunction, type FunctionProvider, type PackImplementation, type ReferenceFunction, type Resolved } from './hook.js';

/** A pack as loaded: its manifest (checked on add), its code, and where it came from. */
export interface RuntimePack {
    readonly manifest: PackManifestInput | PackManifest;
    readonly implementation: PackImplementation;
    /** A folder, a file, or `built-in`: named in messages. */
    readonly origin: string;
    /** Shipped with AlphaForge. */
    readonly builtIn?: boolean;
}

/** A pack the registry accepted. */
export interface LoadedPack {
    readonly manifest: PackManifest;
    readonly catalogue: CapabilityPack;
    readonly origin: string;
    readonly builtIn: boolean;
}

export class PackRegistry implements FunctionProvider {
    private readonly loaded: LoadedPack[] = [];
    private readonly compiledFns = new Map<string, Resolved<CompiledFunction>>();
    private readonly referenceFns = new Map<string, Resolved<ReferenceFunction>>();
    /** Contributed name → pack. */
    private readonly owners = new Map<string, string>();

    constructor(packs: readonly RuntimePack[] = []) {
        for (const p of packs) this.add(p);
    }

    /** Every pack that can be added, and a PackError for each that cannot (in order). */
    static load(packs: readonly RuntimePack[]): { registry: PackRegistry; problems: PackError[] } {
        const registry = new PackRegistry();
        const problems: PackError[] = [];
        for (const p of packs) {
            try {
                registry.add(p);
            } catch (err) {
                if (err instanceof PackError) problems.push(err);
                else throw err;
            }
        }
        return { registry, problems };
    }

    /** Adds a pack, or throws a PackError (and adds nothing of it). */
    add(p: RuntimePack): void {
        const m = parsePackManifest(p.manifest, p.origin);
        const where = `pack '${m.name}' ${m.version} (${p.origin})`;
        const twin = this.loaded.find(l => l.manifest.name === m.name);
        if (twin) {
            throw new PackError(m.name, `${where}: a pack named '${m.name}' is already loaded (${twin.manifest.version}, ${twin.origin}); keep one of the two.`);
        }
        const catalogue = manifestToPack(m);
        for (const e of catalogue.entries) {
            const owner = this.owners.get(e.name);
            if (owner !== undefined) {
                throw new PackError(m.name, `${where}: '${e.name}' is also contributed by pack '${owner}'; two packs cannot contribute the same name — remove one of them from the workspace's packs.`);
            }
        }
        const { compiled, reference } = p.implementation;
        const declared = new Set(m.contributes.functions.map(f => f.name));
        for (const f of m.contributes.functions) {
            if (ENGINE_INTRINSICS.has(f.name)) continue;
            const c = own(compiled, f.name), r = own(reference, f.name);
            if (!c) throw new PackError(m.name, `${where}: function ${f.name}() has no implementation for the compiled engine; add it to the pack's compiled implementations.`);
            if (!r) throw new PackError(m.name, `${where}: function ${f.name}() has no implementation for the reference interpreter; add it to the pack's reference implementations.`);
            if (c.params.length !== f.params.length) {
                throw new PackError(m.name, `${where}: function ${f.name}() declares ${f.params.length} parameters but its compiled implementation takes ${c.params.length}.`);
            }
            if (!c.create && !c.inline && !c.crossSectional) throw new PackError(m.name, `${where}: function ${f.name}()'s compiled implementation has neither create, inline nor crossSectional.`);
            if (!r.series && !r.elementwise && !r.crossSectional) throw new PackError(m.name, `${where}: function ${f.name}()'s reference implementation has neither series, elementwise nor crossSectional.`);
            if (Boolean(c.crossSectional) !== Boolean(f.crossSectional) || Boolean(r.crossSectional) !== Boolean(f.crossSectional)) {
                throw new PackError(m.name, `${where}: function ${f.name}() is ${f.crossSectional ? '' : 'not '}cross-sectional in the manifest; both implementations must agree.`);
            }
            if (f.outputs && !(c.outputs && f.outputs.every(o => c.outputs![o] !== undefined))) {
                throw new PackError(m.name, `${where}: function ${f.name}() declares outputs ${f.outputs.join(', ')}; its compiled implementation must map each of them.`);
            }
        }
        for (const name of [...Object.keys(compiled), ...Object.keys(reference)]) {
            if (!declared.has(name)) throw new PackError(m.name, `${where}: implements ${name}(), which its manifest does not declare; declare it under contributes.functions or remove the code.`);
        }
        const builtIn = p.builtIn === true;
        for (const f of m.contributes.functions) {
            if (ENGINE_INTRINSICS.has(f.name)) continue;
            this.compiledFns.set(f.name, { pack: m.name, builtIn, impl: compiled[f.name]! });
            this.referenceFns.set(f.name, { pack: m.name, builtIn, impl: reference[f.name]! });
        }
        for (const e of catalogue.entries) this.owners.set(e.name, m.name);
        this.loaded.push({ manifest: m, catalogue, origin: p.origin, builtIn });
    }

    compiled(fn: string): Resolved<CompiledFunction> | undefined {
        return this.compiledFns.get(fn);
    }

    reference(fn: string): Resolved<ReferenceFunction> | undefined {
        return this.referenceFns.get(fn);
    }

    /** The loaded packs, in load order. */
    packs(): readonly LoadedPack[] {
        return this.loaded;
    }

    /** The catalogue packs for the language (core first when loaded first). */
    cataloguePacks(): CapabilityPack[] {
        return this.loaded.map(l => l.catalogue);
    }

    /** The pack that contributes a name (function, field or constant). */
    ownerOf(name: string): string | undefined {
        return this.owners.get(name);
    }
}

function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
    return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
