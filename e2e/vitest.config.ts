// The end-to-end suite (`npm run test:e2e`): real VS Code (code-server) + daemon + Chromium.
// Kept apart from `npm test` (whose vitest include is **/test/**/*.test.ts): its files are *.e2e.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        root: new URL('..', import.meta.url).pathname,
        include: ['e2e/**/*.e2e.ts'],
        testTimeout: 300_000,
        hookTimeout: 600_000,
        pool: 'forks',
        fileParallelism: false,
        reporters: ['verbose'],
    },
});
