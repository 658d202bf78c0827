// Builds the VS Code extension: two CommonJS bundles for Node in dist/ —
//   dist/extension.cjs  the client (extension/src/extension.ts; `vscode` is provided by VS Code)
//   dist/server.cjs     the language server (server/src/main.ts), started by the client over IPC
// Everything else they need (langium, vscode-languageclient, ws, zod, the language library) is
// inside them, so the .vsix ships no node_modules.
//
//   node extension/build.mjs [--dev] [--watch] [--outdir DIR]
/* global process, console */
import { build, context } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function options({ outdir = join(root, 'dist'), dev = false } = {}) {
    const common = {
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node18',
        minify: !dev,
        sourcemap: dev ? 'linked' : false,
        legalComments: 'none',
        charset: 'utf8',
        logLevel: 'warning',
        // Optional native accelerators of `ws`: required inside try/catch, absent here.
        external: ['bufferutil', 'utf-8-validate'],
        define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
    };
    return [
        { ...common, entryPoints: [join(root, 'extension', 'src', 'extension.ts')], outfile: join(outdir, 'extension.cjs'), external: [...common.external, 'vscode'] },
        { ...common, entryPoints: [join(root, 'server', 'src', 'main.ts')], outfile: join(outdir, 'server.cjs') },
    ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const args = process.argv.slice(2);
    const at = args.indexOf('--outdir');
    const all = options({ outdir: at >= 0 ? resolve(args[at + 1]) : undefined, dev: args.includes('--dev') });
    if (args.includes('--watch')) {
        for (const o of all) await (await context(o)).watch();
        console.log('watching extension/src and server/src → dist/');
    } else {
        await Promise.all(all.map(o => build(o)));
    }
}
