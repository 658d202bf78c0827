#!/usr/bin/env node
// Builds vendor/lodash-es/: lodash-es 4.17.21 (the version langium's chevrotain pins) as ONE ES module,
// installed in its place through package.json `overrides`.
//
// Why: lodash-es ships 640 files, and `import … from "lodash-es"` (chevrotain does) loads them all. Node's
// ESM loader pays per file: ~600 ms of CPU in every process and worker thread that loads langium
// (the daemon, its language and run workers, the language server, `af` commands, every test file
// that touches the language) — three quarters of langium's whole load time. The same code bundled
// into one file loads in ~40 ms. Nothing is rewritten: esbuild concatenates the published modules.
//
// Run `node scripts/vendor/lodash-es.mjs` to regenerate (needs the npm registry); the output is
// committed, so `npm ci` needs nothing but the repository. Deep imports (`lodash-es/map.js`, used by
// chevrotain-allstar) get a one-line re-export each: the script lists those found in node_modules.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const VERSION = '4.17.21';
// The registry's sha512 of lodash-es-4.17.21.tgz (package-lock.json recorded it before the override).
const INTEGRITY = 'sha512-mKnC+QJ9pWVzv+C4/U3rRsHapFfHvQFoFB92e52xeyGMcX6/OlIl78je1u8vePzYZSkkogMPJ2yjxxsb89cxyw==';
const root = resolve(import.meta.dirname, '../..');
const out = join(root, 'vendor/lodash-es');

const tmp = mkdtempSync(join(tmpdir(), 'lodash-es-'));
try {
    execFileSync('npm', ['pack', `lodash-es@${VERSION}`, '--pack-destination', tmp, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = join(tmp, `lodash-es-${VERSION}.tgz`);
    const got = 'sha512-' + createHash('sha512').update(readFileSync(tgz)).digest('base64');
    if (got !== INTEGRITY) throw new Error(`lodash-es-${VERSION}.tgz: integrity ${got}, expected ${INTEGRITY}`);
    execFileSync('tar', ['xzf', tgz, '-C', tmp]);
    const src = join(tmp, 'package');

    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    await build({
        entryPoints: [join(src, 'lodash.js')], bundle: true, format: 'esm', platform: 'neutral',
        outfile: join(out, 'lodash.js'), legalComments: 'inline', logLevel: 'warning',
        banner: { js: `// lodash-es ${VERSION} bundled into one module by scripts/vendor/lodash-es.mjs (MIT, see LICENSE). Do not edit.` },
    });
    for (const name of deepImports()) {
        writeFileSync(join(out, `${name}.js`), `export { ${name} as default } from './lodash.js';\n`);
    }
    writeFileSync(join(out, 'LICENSE'), readFileSync(join(src, 'LICENSE')));
    const pkg = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8'));
    writeFileSync(join(out, 'package.json'), JSON.stringify({
        name: pkg.name, version: pkg.version, description: `${pkg.description} Bundled into one module (scripts/vendor/lodash-es.mjs).`,
        license: pkg.license, type: 'module', main: 'lodash.js', module: 'lodash.js', sideEffects: false,
    }, null, 2) + '\n');
    console.log(`vendor/lodash-es: lodash-es ${VERSION} in one module, deep imports: ${deepImports().join(', ') || 'none'}`);
} finally {
    rmSync(tmp, { recursive: true, force: true });
}

/** The `lodash-es/<name>.js` subpaths that installed packages import. */
function deepImports() {
    const names = new Set();
    const walk = dir => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
            const p = join(dir, e.name);
            if (e.isDirectory()) { if (e.name !== 'lodash-es' && e.name !== '.cache') walk(p); }
            else if (/\.(m?js|cjs)$/.test(e.name) && statSync(p).size < 4_000_000) {
                for (const m of readFileSync(p, 'utf8').matchAll(/["']lodash-es\/([A-Za-z]+)(?:\.js)?["']/g)) names.add(m[1]);
            }
        }
    };
    walk(join(root, 'node_modules'));
    return [...names].sort();
}
