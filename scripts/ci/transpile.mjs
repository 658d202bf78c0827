// CI's build of out/: every TypeScript file of the packages `npm run build` compiles (tsconfig.json's
// `include`), transpiled file by file with esbuild — the same per-file transform vitest applies to
// the sources the tests import — into the same paths and with source maps, as `tsc` emits them.
// Seconds instead of tsc's ~50 s of one core, so the tests start at once; the type check (tsc
// --noEmit over sources and tests) runs beside them (scripts/ci/vitest-beside-checks.sh) and still
// fails CI. `npm run build` (the README's) keeps building with tsc.
//
//   node scripts/ci/transpile.mjs
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const config = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
const options = config.compilerOptions;

/** The folders of tsconfig.json's `include` (`<dir>/**\/*.ts` patterns only: anything else is refused, not guessed). */
const dirs = config.include.map(pattern => {
    const m = /^([\w/-]+)\/\*\*\/\*\.ts$/.exec(pattern);
    if (!m) throw new Error(`tsconfig.json include "${pattern}" is not of the form <dir>/**/*.ts; teach scripts/ci/transpile.mjs to read it`);
    return m[1];
});

function tsFiles(dir) {
    const out = [];
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
        const path = join(dir, e.name);
        if (e.isDirectory()) out.push(...tsFiles(path));
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(path);
    }
    return out;
}

const entryPoints = dirs.flatMap(tsFiles);
// AF_TRANSPILE_OUT: somewhere else (to compare with tsc's output).
const outdir = resolve(root, process.env.AF_TRANSPILE_OUT ?? options.outDir);
const started = performance.now();
await build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    outbase: root,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: options.target.toLowerCase(),
    sourcemap: options.sourceMap ? 'linked' : false,
    logLevel: 'warning',
});
console.log(`transpiled ${entryPoints.length} files into ${relative(root, outdir) || '.'}/ in ${Math.round(performance.now() - started)} ms`);
