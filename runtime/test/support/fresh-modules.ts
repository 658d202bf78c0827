/**
 * A vitest setup file (vitest.config.ts `setupFiles`) for when test files share a worker process
 * (`isolate: false`): every test file still gets fresh copies of the repository's own modules, as
 * in a process of its own, so no module-level state (caches, counters, registries) carries over
 * from the file that ran before. Only what Node itself caches — node_modules, loaded natively
 * (DuckDB's binding, langium, zod, pg: about half of a test file's import time) — is loaded once
 * per worker instead of once per file. The environment variables and working directory a file
 * leaves behind are put back after it.
 */
import { afterAll, vi } from 'vitest';

vi.resetModules();

const env = { ...process.env };
const cwd = process.cwd();
afterAll(() => {
    for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
    Object.assign(process.env, env);
    if (process.cwd() !== cwd) process.chdir(cwd);
});
