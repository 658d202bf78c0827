import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './vitest.sequencer.js';

export default defineConfig({
    test: {
        include: ['**/test/**/*.test.ts'],
        exclude: ['node_modules/**', 'out/**'],
        testTimeout: 60_000,
        // Hooks as long as tests (vitest's default is 10 s): a beforeAll that builds a run's first
        // templates (support/templates.ts) on a loaded machine can take longer, and a timed-out hook
        // is not stopped — it goes on and sets the file's shared variables under the next describe's tests.
        hookTimeout: 60_000,
        pool: 'forks',
        // Test files share their worker process instead of one process each: node_modules (DuckDB's
        // binding, langium, zod, pg …) load once per worker, not once per file — in a 48-file sample
        // import time 115 → 35 s and the suite's CPU −24 %. Each file still gets fresh copies of the
        // repository's own modules, and its environment variables and working directory put back
        // (runtime/test/support/fresh-modules.ts), so no module state carries from one file to the next.
        isolate: false,
        setupFiles: ['runtime/test/support/fresh-modules.ts'],
        // A per-run scratch directory for fixture state built once and copied per test (security/support.ts).
        globalSetup: ['runtime/test/support/global-setup.ts'],
        // Two test files at a time on CI's 2 cores (vitest's default is cores - 1 = one): most files
        // wait on real daemons, servers and child processes, so a second file fills the idle core.
        maxWorkers: 2,
        // Longest files first (vitest.sequencer.ts): the two workers finish together.
        sequence: { sequencer: LongestFirstSequencer },
    },
});
