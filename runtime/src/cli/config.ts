/**
 * The configuration (runtime/src/config/config.ts) as the commands see it: before a command runs,
 * every option it takes that is also a setting is filled from the configuration unless it was
 * given on the command line — so flags win, then the environment, then the config file, then the
 * option's own default. Commands that take no setting never read the file.
 */
import { type Command } from 'commander';
import { getPath, loadConfig, setPath, SETTINGS, type Setting } from '../config/config.js';
import { CliError } from './errors.js';

type Tree = Record<string, unknown>;

/** `team=ms` pairs (--team-run-timeout, repeatable) as a record. */
export function teamTimeouts(pairs: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of pairs) {
        const m = /^([^=\s]+)=(\d+)$/.exec(p.trim());
        if (!m) throw new CliError(`--team-run-timeout takes team=milliseconds (e.g. research=3600000), not '${p}'`);
        out[m[1]!] = Number(m[2]);
    }
    return out;
}

/** An option's value as the setting's (the team limits are `team=ms` pairs on the command line). */
function toSetting(s: Setting, value: unknown): unknown {
    return s.path === 'runs.teamTimeoutMs' ? teamTimeouts(value as string[]) : value;
}

function toOption(s: Setting, value: unknown): unknown {
    return s.path === 'runs.teamTimeoutMs' ? Object.entries(value as Record<string, number>).map(([team, ms]) => `${team}=${ms}`) : value;
}

/**
 * Fills `command`'s setting options from the configuration (`file`: the global --config). The
 * config file read, if any, is left in the option `configFile` (`af daemon start` hands it on).
 */
export function applyConfig(command: Command, file: string | undefined): void {
    const attribute = new Map(command.options.map(o => [o.long, o.attributeName()]));
    const settings = SETTINGS.filter(s => s.flag !== undefined && attribute.has(s.flag));
    if (settings.length === 0) return;
    const flags: Tree = {};
    for (const s of settings) {
        const key = attribute.get(s.flag!)!;
        if (command.getOptionValueSource(key) === 'cli') setPath(flags, s.path, toSetting(s, command.getOptionValue(key)));
    }
    const flagOf = new Map(settings.map(s => [s.path, s.flag!]));
    const loaded = loadConfig({ ...(file !== undefined ? { file } : {}), flags, flagName: p => flagOf.get(p) ?? p });
    for (const s of settings) {
        const value = getPath(loaded.config as Tree, s.path);
        const key = attribute.get(s.flag!)!;
        if (value !== undefined && command.getOptionValueSource(key) !== 'cli') command.setOptionValueWithSource(key, toOption(s, value), 'config');
    }
    if (loaded.file) command.setOptionValue('configFile', loaded.file);
}
