/**
 * A workspace pack as plain data (a PackBundle), so a run's worker thread, its trial threads, a
 * queue worker and a language worker load exactly the packs the main thread checked. A pack folder
 * travels as verified bytes: its manifest and the exact text of its two implementation modules,
 * read once from its folder and checked against the declared integrity hash
 * (runtime/src/packs/workspace-packs.ts). Code is imported from these bytes (a data: URL), never
 * from the folder again, so a file swapped after the check cannot run. A pack shipped with
 * AlphaForge and enabled by name (mid-frequency; builtin.ts BUNDLED_PACKS) travels as its name and
 * version: its code is the product's own. `installPackBundles` makes a thread's engines resolve
 * functions through the built-in packs plus the bundles (hook.ts).
 */
import type { ManifestSource } from '../../../../language/src/catalogue/manifest-packs.js';
import { PackError } from '../../../../language/src/catalogue/pack-manifest.js';
import { BUILT_IN_PACKS, bundledPack } from './builtin.js';
import { installFunctionProvider, type CompiledFunction, type ReferenceFunction } from './hook.js';
import { PackRegistry, type RuntimePack } from './registry.js';

/** A declared pack folder as its verified bytes. */
export interface FolderPackBundle {
    readonly shipped?: undefined;
    readonly name: string;
    readonly version: string;
    /** The verified `sha256-…` of the pack folder's files. */
    readonly integrity: string;
    /** The folder it was read from (named in messages). */
    readonly origin: string;
    /** The manifest as read (JSON), checked again by the registry. */
    readonly manifest: unknown;
    /** The implementation modules' text, as hashed. */
    readonly compiled: string;
    readonly reference: string;
}

/** A pack shipped with AlphaForge that the workspace enables by name (its range checked by the main thread). */
export interface ShippedPackBundle {
    readonly shipped: true;
    readonly name: string;
    readonly version: string;
}

export type PackBundle = FolderPackBundle | ShippedPackBundle;

/** A shipped pack as a bundle. */
export function shippedBundleOf(p: RuntimePack): ShippedPackBundle {
    return { shipped: true, name: p.manifest.name, version: p.manifest.version };
}

/** The product's own pack a shipped bundle names. Throws PackError (a worker of another AlphaForge version). */
function shippedPack(b: ShippedPackBundle): RuntimePack {
    const p = bundledPack(b.name);
    if (!p || p.manifest.version !== b.version) {
        throw new PackError(b.name, `pack '${b.name}' ${b.version} shipped with AlphaForge is not the one this process has (${p ? p.manifest.version : 'none'}); run the daemon and its workers from one AlphaForge version.`);
    }
    return p;
}

async function importText(b: FolderPackBundle, which: 'compiled' | 'reference'): Promise<Record<string, unknown>> {
    let mod: { default?: unknown };
    try {
        mod = await import(`data:text/javascript;base64,${Buffer.from(b[which], 'utf8').toString('base64')}`) as { default?: unknown };
    } catch (e) {
        const why = e instanceof Error ? e.message.split('\n')[0]! : String(e);
        const hint = /relative|resolve|Invalid URL|bare specifier/i.test(why)
            ? ' A pack\'s implementation modules must be self-contained (they may import node: built-ins only): bundle its code into each module.'
            : '';
        throw new PackError(b.name, `pack '${b.name}' (${b.origin}): its ${which} implementation failed to load: ${why}.${hint}`);
    }
    if (typeof mod.default !== 'object' || mod.default === null) throw new PackError(b.name, `pack '${b.name}' (${b.origin}): its ${which} implementation must export default an object of functions by name.`);
    return mod.default as Record<string, unknown>;
}

/** A bundle's code: a folder's imported from its verified text, a shipped pack's the product's own. Throws PackError. */
export async function runtimePackOf(b: PackBundle): Promise<RuntimePack> {
    if (b.shipped) return shippedPack(b);
    const compiled = await importText(b, 'compiled') as Record<string, CompiledFunction>;
    const reference = await importText(b, 'reference') as Record<string, ReferenceFunction>;
    return { manifest: b.manifest as RuntimePack['manifest'], implementation: { compiled, reference }, origin: b.origin };
}

/** The built-in packs and the bundles; each bundle that cannot be loaded is a problem, the others load. */
export async function registryOfBundles(bundles: readonly PackBundle[]): Promise<{ registry: PackRegistry; problems: PackError[] }> {
    const packs: RuntimePack[] = [...BUILT_IN_PACKS];
    const problems: PackError[] = [];
    for (const b of bundles) {
        try {
            packs.push(await runtimePackOf(b));
        } catch (err) {
            if (err instanceof PackError) problems.push(err);
            else throw err;
        }
    }
    const loaded = PackRegistry.load(packs);
    return { registry: loaded.registry, problems: [...problems, ...loaded.problems] };
}

/**
 * What a language worker gets of the bundles: their manifests as data (it never runs pack code); a
 * shipped pack's without an integrity hash (its code is the product's own). A shipped pack this
 * process does not have is left out (its names are unknown, so a strategy using them does not compile).
 */
export function manifestSources(bundles: readonly PackBundle[]): ManifestSource[] {
    return bundles.flatMap((b): ManifestSource[] => {
        if (!b.shipped) return [{ manifest: b.manifest, origin: b.origin, integrity: b.integrity }];
        const p = bundledPack(b.name);
        return p && p.manifest.version === b.version ? [{ manifest: p.manifest, origin: p.origin }] : [];
    });
}

let installed: { key: string; bundles: readonly PackBundle[]; problems: PackError[] } = { key: '', bundles: [], problems: [] };

const keyOf = (bundles: readonly PackBundle[]): string => bundles.map(b => `${b.name}@${b.shipped ? `shipped-${b.version}` : b.integrity}`).join(',');

/**
 * Makes this thread's engines resolve functions through the built-in packs and `bundles` (a reused
 * worker installs each run's; the same set again is a no-op). Returns the bundles that were refused.
 */
export async function installPackBundles(bundles: readonly PackBundle[]): Promise<PackError[]> {
    const key = keyOf(bundles);
    if (key === installed.key) return installed.problems;
    const { registry, problems } = await registryOfBundles(bundles);
    installFunctionProvider(registry);
    installed = { key, bundles, problems };
    return problems;
}

/** The bundles installed in this thread: what its trial threads load too. */
export function installedPackBundles(): readonly PackBundle[] {
    return installed.bundles;
}
