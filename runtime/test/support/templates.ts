/**
 * State built once per `vitest run` and copied per test: migrating a fresh DuckDB store from
 * scratch and importing bars takes about a second on a loaded machine, copying the file a few
 * milliseconds. A template is built by the first test process that asks for it under the run's
 * scratch directory (global-setup.ts; a private one when vitest provides none) and read by the
 * others; processes that race each build their own and the first rename wins (no lock to leave
 * behind). Each copy is a private, independent state directory: tests mutate their copy freely.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { PRIVATE_DIR_MODE } from '../../src/store/state-files.js';
import { tempDir } from '../data/helpers.js';

const built = new Map<string, Promise<string>>();
let privateRoot: string | undefined;

function templateRoot(): string {
    let root: string | undefined;
    try {
        root = inject('afTemplateRoot');
    } catch {
        root = undefined; // outside a vitest worker
    }
    return root ?? (privateRoot ??= tempDir('af-templates-'));
}

/**
 * The state directory of template `name` (a file-name-safe key: encodeURIComponent its parts; naming everything that decides its
 * content), made by `build(stateDir)` the first time it is asked for in this run. Never open it:
 * copy it with copyTemplate.
 */
export function template(name: string, build: (stateDir: string) => Promise<void>): Promise<string> {
    if (!/^[\w.%~-]+$/.test(name)) throw new Error(`a template name must be safe as one file name (letters, digits, _ . % ~ -), not '${name}' (encodeURIComponent its parts)`);
    let t = built.get(name);
    if (!t) {
        t = (async () => {
            const root = templateRoot();
            const dir = join(root, name);
            if (!existsSync(dir)) {
                const work = mkdtempSync(join(root, 'building-'));
                await build(join(work, 'state'));
                try {
                    renameSync(work, dir);
                } catch (e) {
                    // Another process renamed its build first: use that one.
                    if (!existsSync(dir)) throw e;
                    rmSync(work, { recursive: true, force: true });
                }
            }
            return join(dir, 'state');
        })();
        built.set(name, t);
        // A failed build is not cached: the next call tries again.
        t.catch(() => built.delete(name));
    }
    return t;
}

/** Copies a template's state directory into `stateDir` (made private if missing; existing entries of the same name are replaced). */
export function copyTemplate(templateDir: string, stateDir: string): void {
    mkdirSync(stateDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    for (const entry of readdirSync(templateDir)) cpSync(join(templateDir, entry), join(stateDir, entry), { recursive: true });
}

/** Whether `stateDir` holds nothing yet (missing or empty): a template copy can stand in for building it. */
export function isEmptyDir(stateDir: string): boolean {
    return !existsSync(stateDir) || readdirSync(stateDir).length === 0;
}
