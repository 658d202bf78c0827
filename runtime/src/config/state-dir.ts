/**
 * Where the state directory is: the one place that reads AF_STATE_DIR. A flag (`--state-dir`)
 * wins, then the environment, then the config file's `stateDir`, then `.alphaforge/` in the
 * current directory (see config.ts for the whole precedence).
 */
import { resolve } from 'node:path';

export const DEFAULT_STATE_DIR = '.alphaforge';
export const STATE_DIR_ENV = 'AF_STATE_DIR';

/** The absolute state directory: `flag`, else $AF_STATE_DIR, else `fromFile`, else `.alphaforge`. */
export function resolveStateDir(flag?: string, o: { env?: Readonly<Record<string, string | undefined>>; fromFile?: string } = {}): string {
    const env = (o.env ?? process.env)[STATE_DIR_ENV];
    return resolve(flag ?? (env || o.fromFile || DEFAULT_STATE_DIR));
}
