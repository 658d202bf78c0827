/**
 * A vitest setup file (vitest.config.ts `setupFiles`) for when test files share a worker process
 * (`isolate: false`): every test file still gets fresh copies of the repository's own modules, as
 * in a process of its own, so no module-level state (caches, counters, registries) carries over
 * from the file that ran before. Only what Node itself caches — node_modules, loaded natively
 * (DuckDB's binding, langium, zod, pg: about half of a test file's import time) — is loaded once
 * per worker instead of once per file. What a file leaves behind in the process is put back after
 * it: environment variables, working directory, umask (an in-process daemon sets 077, under which
 * the next file's PostgreSQL, running as the postgres user, cannot enter its folders) and exit code.
 */
import { afterAll, vi } from 'vitest';

vi.resetModules();

const env = { ...process.env };
const cwd = process.cwd();
const umask = currentUmask();
const exitCode = process.exitCode;
afterAll(() => {
    for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
    Object.assign(process.env, env);
    if (process.cwd() !== cwd) process.chdir(cwd);
    process.umask(umask);
    process.exitCode = exitCode;
});

/** The process's umask (process.umask() without an argument reads it too, but is deprecated). */
function currentUmask(): number {
    const u = process.umask(0o022);
    process.umask(u);
    return u;
}
