/**
 * The packs a deployment trades with. A deployment compiles against its source folder's packs
 * exactly as a run does (packs/daemon-packs.ts `forUri`), but its strategy is evaluated bar by bar
 * on the daemon's main thread, which never runs a workspace pack's code (a pack folder is user
 * code; runs import it only in their worker threads). So:
 *
 * - a strategy that uses a pack folder's function or field is refused, naming the pack and what to do;
 * - the packs shipped with AlphaForge that it uses (our own code) make the registry its program is
 *   compiled against (the built-in packs plus those), for this deployment only;
 * - the packs it uses (name, version, a folder's integrity: the IR's `packs`) are recorded with it,
 *   and a deployment resumed after a restart must find the same ones, or it is refused: a pack
 *   changed since would trade a different strategy, silently.
 */
import type { IrPack, StrategyIr } from '../../../../protocol/src/ir.js';
import { BUILT_IN_PACKS, BUNDLED_PACKS, bundledPack } from '../../engine/packs/builtin.js';
import type { PackBundle } from '../../engine/packs/bundles.js';
import type { FunctionProvider } from '../../engine/packs/hook.js';
import { PackRegistry } from '../../engine/packs/registry.js';

/** What a deployment records of a pack it uses (protocol: Deployment.packs). */
export type DeploymentPack = IrPack;

/** The packs a compiled strategy uses, as recorded (sorted by name, as the IR has them). */
export function packsUsed(ir: StrategyIr): DeploymentPack[] {
    return (ir.packs ?? []).map(p => ({ name: p.name, version: p.version, ...(p.integrity !== undefined ? { integrity: p.integrity } : {}) }));
}

/** Why a strategy cannot be deployed because of the packs it uses (a pack folder), or undefined. */
export function folderPackRefusal(ir: StrategyIr): string | undefined {
    const folders = packsUsed(ir).filter(p => p.integrity !== undefined);
    if (!folders.length) return undefined;
    const named = folders.map(p => `'${p.name}' ${p.version}`).join(', ');
    return `${ir.strategy} uses the workspace pack${folders.length > 1 ? 's' : ''} ${named} (a pack folder): paper and live deployments run only packs shipped with AlphaForge (${shippedNames()}), because a deployment's strategy runs on the daemon's main thread, which never runs a workspace pack's code; backtest it (runs.submit), or deploy a strategy that uses shipped packs only`;
}

function shippedNames(): string {
    return [...BUILT_IN_PACKS, ...BUNDLED_PACKS].map(p => p.manifest.name).join(', ');
}

/**
 * The registry a deployment's program resolves its functions through: the built-in packs plus the
 * shipped packs its strategy uses. Throws when a recorded shipped pack is not the one this process
 * has (only after a refusal was missed: packsChanged checks first).
 */
export function deploymentFunctions(packs: readonly DeploymentPack[]): FunctionProvider {
    const shipped = packs.map(p => {
        const pack = bundledPack(p.name);
        if (!pack || p.integrity !== undefined || pack.manifest.version !== p.version) {
            throw new Error(`pack '${p.name}' ${p.version} is not a pack shipped with this AlphaForge (${pack ? pack.manifest.version : 'none'}); a deployment runs shipped packs only`);
        }
        return pack;
    });
    return new PackRegistry([...BUILT_IN_PACKS, ...shipped]);
}

/**
 * How the packs a deployment was started with differ from the workspace's now (`bundles`: its
 * source folder's accepted packs; `problems`: the refused ones), or undefined when each recorded
 * pack is still there, at the same version and hash.
 */
export function packsChanged(recorded: readonly DeploymentPack[], bundles: readonly PackBundle[], problems: readonly { readonly pack: string; readonly message: string }[]): string | undefined {
    for (const r of recorded) {
        const b = bundles.find(x => x.name === r.name);
        const was = `pack '${r.name}' ${r.version}${r.integrity !== undefined ? ` (${short(r.integrity)})` : ''}`;
        if (!b) {
            const refused = problems.find(p => p.pack === r.name);
            return `${was}, which the deployment was started with, is ${refused ? `refused now (${refused.message})` : 'no longer declared by its workspace (alphaforge.json)'}; the strategy cannot trade as it was deployed. Restore the pack, or start a new deployment`;
        }
        const integrity = b.shipped ? undefined : b.integrity;
        if (b.version !== r.version || integrity !== r.integrity) {
            const now = `${b.version}${integrity !== undefined ? ` (${short(integrity)})` : ''}`;
            return `${was}, which the deployment was started with, is ${now} now: the strategy would trade with other code than it was deployed with, so it was not resumed. Start a new deployment to trade the new version`;
        }
    }
    return undefined;
}

/** Whether the strategy as compiled now uses exactly the recorded packs. */
export function samePacks(recorded: readonly DeploymentPack[], ir: StrategyIr): boolean {
    return JSON.stringify(recorded) === JSON.stringify(packsUsed(ir));
}

function short(integrity: string): string {
    return `${integrity.slice(0, 19)}…`;
}
