import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './vitest.sequencer.js';

export default defineConfig({
    test: {
        include: ['**/test/**/*.test.ts'],
        exclude: ['node_modules/**', 'out/**'],
        testTimeout: 60_000,
        pool: 'forks',
        // A per-run scratch directory for fixture state built once and copied per test (security/support.ts).
        globalSetup: ['runtime/test/support/global-setup.ts'],
        // Two test files at a time on CI's 2 cores (vitest's default is cores - 1 = one): most files
        // wait on real daemons, servers and child processes, so a second file fills the idle core.
        maxWorkers: 2,
        // Longest files first (vitest.sequencer.ts): the two workers finish together.
        sequence: { sequencer: LongestFirstSequencer },
    },
});
