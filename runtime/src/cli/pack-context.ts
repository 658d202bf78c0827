/**
 * Which configuration declares the workspace's packs for the command being run, and where pack
 * warnings go: set before every command (main.ts's preAction), read when a command first compiles
 * or runs (workspace-packs.ts). Imports nothing, so commands that never compile load nothing more.
 */
export interface PackContext {
    readonly configFile: string | undefined;
    readonly warn: (s: string) => void;
    /** Bumped per command: what was read for an earlier one is read again. */
    readonly generation: number;
}

let context: PackContext = { configFile: undefined, warn: () => undefined, generation: 0 };

export function setPackContext(configFile: string | undefined, warn: (s: string) => void): void {
    context = { configFile, warn, generation: context.generation + 1 };
}

export function packContext(): PackContext {
    return context;
}
