/**
 * The catalogue packs shipped with AlphaForge but off until a workspace enables them (the runtime's
 * implementations: runtime/src/engine/packs/builtin.ts BUNDLED_PACKS). The language knows them so
 * that a name of theirs, used where the pack is not enabled, gets a diagnostic naming the pack to
 * add; and a workspace enables one by name and version range alone (no folder, no hash: its code is
 * the product's own). The check of such a declaration is here, shared by the runtime and the
 * language server, so both accept and refuse the same declarations with the same words.
 */
import { midFrequencyPack } from './mid-frequency-pack.js';
import { PackError } from './pack-manifest.js';
import { onchainPack } from './onchain-pack.js';
import { hftPack } from './hft-pack.js';
import type { CapabilityPack } from './pack-types.js';
import { satisfies } from './version-range.js';

export const BUNDLED_CATALOGUE_PACKS: readonly CapabilityPack[] = [midFrequencyPack, onchainPack, hftPack];

/** A pack declared without a folder: its name and version range. */
interface ShippedDeclaration { readonly name: string; readonly version: string }

/** Why a declaration without a folder cannot enable one of the `shipped` packs (undefined: it can). */
export function shippedDeclarationProblem(d: ShippedDeclaration, shipped: readonly { readonly name: string; readonly version: string }[]): PackError | undefined {
    const p = shipped.find(s => s.name === d.name);
    if (!p) {
        const names = shipped.map(s => s.name).join(', ');
        return new PackError(d.name, `pack '${d.name}' is declared without a folder, but AlphaForge ships no pack of that name (it ships ${names}); give its path and integrity (af pack add FOLDER).`);
    }
    if (!satisfies(p.version, d.version)) {
        return new PackError(d.name, `pack '${d.name}' shipped with AlphaForge is version ${p.version}, outside the declared range ${d.version}; change the range (af pack add ${d.name}).`);
    }
    return undefined;
}

/**
 * The shipped catalogue packs a workspace declares by name and range, marked declared (a strategy
 * that uses one records it: StrategyIr.packs); a problem for each declaration that cannot be.
 */
export function enabledShippedCataloguePacks(declared: readonly ShippedDeclaration[]): { packs: CapabilityPack[]; problems: PackError[] } {
    const packs: CapabilityPack[] = [];
    const problems: PackError[] = [];
    const shipped = BUNDLED_CATALOGUE_PACKS.map(p => ({ name: p.id, version: p.version }));
    for (const d of declared) {
        const problem = shippedDeclarationProblem(d, shipped);
        if (problem) problems.push(problem);
        else packs.push({ ...BUNDLED_CATALOGUE_PACKS.find(p => p.id === d.name)!, declared: true });
    }
    return { packs, problems };
}
