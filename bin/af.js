#!/usr/bin/env node
// The `af` command. The implementation is compiled TypeScript under out/ (`npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../out/runtime/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
    console.error('af: not built yet. Run `npm run build` in the repository first.');
    process.exit(2);
}
// `af … | head` closes the pipe early: that is not an error.
process.stdout.on('error', e => { if (e.code === 'EPIPE') process.exit(0); throw e; });
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
