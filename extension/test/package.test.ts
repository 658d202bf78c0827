/**
 * `npm run package`'s last two steps (the bundles, then `vsce package` with the flags of the
 * package script) produce a small .vsix that holds the bundles, the built panels, the grammar,
 * the language configuration, the snippets, the icon, the manifest, README and CHANGELOG, and
 * no sources, tests, source maps or node_modules. (The first step, `npm run build`, is what
 * `npm test` runs before the tests.)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'af-vsix-'));
const vsix = join(tmp, 'alphaforge.vsix');
/** At most this many bytes: the panels (elkjs in the DAG panel) are most of it. */
const MAX_BYTES = 3 * 1024 * 1024;

interface Entry { name: string; size: number; compressed: number; method: number; offset: number }

/** The entries of a zip file, from its central directory. */
function zipEntries(buf: Buffer): Entry[] {
    let eocd = buf.length - 22;
    while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
    if (eocd < 0) throw new Error('not a zip file');
    const count = buf.readUInt16LE(eocd + 10);
    let p = buf.readUInt32LE(eocd + 16);
    const out: Entry[] = [];
    for (let i = 0; i < count; i++) {
        if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
        const method = buf.readUInt16LE(p + 10), compressed = buf.readUInt32LE(p + 20), size = buf.readUInt32LE(p + 24);
        const n = buf.readUInt16LE(p + 28), extra = buf.readUInt16LE(p + 30), comment = buf.readUInt16LE(p + 32), offset = buf.readUInt32LE(p + 42);
        out.push({ name: buf.toString('utf8', p + 46, p + 46 + n), size, compressed, method, offset });
        p += 46 + n + extra + comment;
    }
    return out;
}

function read(buf: Buffer, e: Entry): string {
    const n = buf.readUInt16LE(e.offset + 26), extra = buf.readUInt16LE(e.offset + 28);
    const data = buf.subarray(e.offset + 30 + n + extra, e.offset + 30 + n + extra + e.compressed);
    return (e.method === 8 ? inflateRawSync(data) : data).toString('utf8');
}

let buf: Buffer;
let entries: Entry[];

beforeAll(() => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    // `package` builds, then `package:built` (what CI's E2E runs right after npm test built everything) bundles and packs.
    expect(pkg.scripts.package).toBe('npm run build && npm run package:built');
    const script: string = pkg.scripts['package:built'];
    expect(script).toMatch(/^npm run build:extension && vsce package /);
    if (!existsSync(join(root, 'webviews', 'dist', 'report.js'))) execFileSync(process.execPath, [join(root, 'webviews', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    execFileSync(process.execPath, [join(root, 'extension', 'grammar.mjs'), '--check'], { cwd: root, stdio: 'inherit' });
    execFileSync(process.execPath, [join(root, 'extension', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    const flags = script.slice(script.indexOf('vsce package ') + 'vsce package '.length).split(/\s+/).filter(Boolean);
    execFileSync(process.execPath, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', ...flags, '--out', vsix], { cwd: root, stdio: 'pipe' });
    buf = readFileSync(vsix);
    entries = zipEntries(buf);
    // CI's E2E installs this same package rather than packing it again (.ci/run: AF_KEEP_VSIX, then AF_E2E_VSIX).
    const keep = process.env['AF_KEEP_VSIX'];
    if (keep) copyFileSync(vsix, keep);
}, 240_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the .vsix', () => {
    it(`is small (under ${MAX_BYTES / 1024 / 1024} MiB)`, () => {
        expect(buf.length).toBeLessThan(MAX_BYTES);
        expect(buf.length).toBeGreaterThan(100_000);
    });

    it('holds the bundles, the panels, the grammar, configuration, snippets, icon, manifest, README and CHANGELOG', () => {
        const names = entries.map(e => e.name);
        for (const f of [
            'extension.vsixmanifest', 'extension/package.json', 'extension/readme.md', 'extension/changelog.md',
            'extension/dist/extension.cjs', 'extension/dist/server.cjs',
            'extension/webviews/dist/report.js', 'extension/webviews/dist/report.css', 'extension/webviews/dist/dag.js', 'extension/webviews/dist/dag.css',
            'extension/webviews/dist/experiments.js', 'extension/webviews/dist/experiments.css',
            'extension/syntaxes/alphaforge.tmLanguage.json', 'extension/syntaxes/language-configuration.json',
            'extension/snippets/alphaforge.json', 'extension/media/icon.png', 'extension/media/activity.svg',
        ]) expect(names, f).toContain(f);
    });

    it('holds nothing else: no sources, tests, source maps, node_modules or state', () => {
        const names = entries.map(e => e.name);
        for (const n of names) {
            expect(n, n).not.toMatch(/\.(ts|mts|map|af|duckdb)$|(^|\/)(src|test|node_modules|examples|\.alphaforge)\//);
        }
        expect(names.length).toBeLessThanOrEqual(20);
    });

    it('carries the manifest and the marketplace README', () => {
        const manifest = JSON.parse(read(buf, entries.find(e => e.name === 'extension/package.json')!));
        expect(manifest).toMatchObject({ name: 'alphaforge', main: './dist/extension.cjs', engines: { vscode: '^1.88.0' } });
        const readme = read(buf, entries.find(e => e.name === 'extension/readme.md')!);
        expect(readme).toContain('# AlphaForge for VS Code');
        expect(read(buf, entries.find(e => e.name === 'extension.vsixmanifest')!)).toContain('Microsoft.VisualStudio.Services.Icons.Default');
    });
});
