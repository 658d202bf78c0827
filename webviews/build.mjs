// Builds the webview panels: one minified IIFE bundle per panel (plus its stylesheet) into
// webviews/dist/ — report.js/.css, dag.js/.css, experiments.js/.css, monitor.js/.css. No source maps, no
// external files: everything a panel loads is in its two files (uPlot, elkjs and zod included).
//
//   node webviews/build.mjs [--outdir DIR] [--watch]
import { build, context } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const PANELS = ['report', 'dag', 'experiments', 'monitor'];

export function options(outdir = join(here, 'dist')) {
    return {
        entryPoints: Object.fromEntries(PANELS.map(p => [p, join(here, 'src', p, 'main.ts')])),
        outdir,
        bundle: true,
        format: 'iife',
        platform: 'browser',
        target: ['chrome114'],
        minify: true,
        legalComments: 'none',
        charset: 'utf8',
        logLevel: 'warning',
        define: { 'process.env.NODE_ENV': '"production"' },
    };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const args = process.argv.slice(2);
    const at = args.indexOf('--outdir');
    const opts = options(at >= 0 ? resolve(args[at + 1]) : undefined);
    if (args.includes('--watch')) {
        await (await context(opts)).watch();
        console.log(`watching webviews/src → ${opts.outdir}`);
    } else {
        await build(opts);
    }
}
