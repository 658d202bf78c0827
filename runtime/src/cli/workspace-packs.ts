/**
 * The workspace's packs as the CLI's commands see them: those the configuration (--config,
 * $AF_CONFIG or ./alphaforge.json) declares, each read once and checked (integrity, version,
 * manifest; packs/workspace-packs.ts) when a command first needs them. Language commands (check,
 * compile, fingerprint) compile against their manifests; run commands (backtest, sweep,
 * walkforward, data panel) also install their code, from the checked bytes, in this thread and in
 * every trial thread. A refused pack is said once on stderr, naming it and what to do; the others load.
 */
import { cataloguePacksOf } from '../../../language/src/catalogue/manifest-packs.js';
import type { CapabilityPack } from '../../../language/src/catalogue/pack-types.js';
import type { PackError } from '../../../language/src/catalogue/pack-manifest.js';
import { loadConfig } from '../config/config.js';
import { builtInRegistry } from '../engine/packs/builtin.js';
import { installPackBundles, manifestSources, type PackBundle } from '../engine/packs/bundles.js';
import { readDeclaredPacks } from '../packs/workspace-packs.js';
import { packContext } from './pack-context.js';

interface Read { readonly generation: number; readonly bundles: PackBundle[]; readonly catalogue: CapabilityPack[]; readonly problems: PackError[] }

let read: Read | undefined;

function say(problems: readonly PackError[]): void {
    for (const p of problems) packContext().warn(`af: warning: ${p.message}\n`);
}

/** The declared packs, read and checked (no code runs), and their catalogue packs for the language. */
export function workspacePacks(): Read {
    const { configFile, generation } = packContext();
    if (read?.generation === generation) return read;
    const declared = loadConfig(configFile !== undefined ? { file: configFile } : {}).config.packs ?? [];
    const r = readDeclaredPacks(declared);
    const catalogue = cataloguePacksOf(manifestSources(r.bundles), builtInRegistry().cataloguePacks());
    const accepted = new Set(catalogue.packs.map(p => p.id));
    read = { generation, bundles: r.bundles.filter(b => accepted.delete(b.name)), catalogue: catalogue.packs, problems: [...r.problems, ...catalogue.problems] };
    say(read.problems);
    return read;
}

/** Installs the packs' code for a run in this thread (and, through the pool, its trial threads). */
export async function installWorkspacePacks(): Promise<void> {
    const { bundles, problems } = workspacePacks();
    const refused = await installPackBundles(bundles);
    // Problems of the code (the registry's checks) are new; the read's were said already.
    say(refused.filter(p => !problems.some(q => q.message === p.message)));
}
