/**
 * `af pack ls|info|add|remove|new`: the workspace's capability packs (docs/packs.md). `ls` and
 * `info` load what the configuration declares, exactly as a run would (a pack that fails its
 * checks is listed as refused, with the reason); `add` checks a pack folder's manifest and writes
 * its declaration (version range, integrity hash) into the config file; `remove` takes it out;
 * `new` scaffolds a pack folder with one function, its tests and its docs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Catalogue, renderFunctionList } from '../../../../language/src/index.js';
import { ALPHAFORGE_VERSION, PACK_MANIFEST_FILE, PackError, parsePackManifest } from '../../../../language/src/catalogue/pack-manifest.js';
import { CONFIG_FILE, configFile, loadConfig, type PackDeclaration } from '../../config/config.js';
import { bundledPack } from '../../engine/packs/builtin.js';
import { loadWorkspacePacks, packIntegrity, readPackManifest } from '../../packs/workspace-packs.js';
import { CliError } from '../errors.js';

interface Opts { readonly config?: string }

function declared(o: Opts): { packs: readonly PackDeclaration[]; file: string | undefined } {
    const loaded = loadConfig(o.config !== undefined ? { file: o.config } : {});
    return { packs: loaded.config.packs ?? [], file: loaded.file };
}

export async function packLsCommand(o: Opts & { json?: boolean }, out: (s: string) => void): Promise<number> {
    const { registry, problems } = await loadWorkspacePacks(declared(o).packs);
    const rows = registry.packs().map(p => ({
        name: p.manifest.name, version: p.manifest.version, origin: p.origin,
        functions: p.manifest.contributes.functions.length, fields: p.manifest.contributes.fields.length, description: p.manifest.description,
    }));
    if (o.json) {
        out(JSON.stringify({ packs: rows, refused: problems.map(p => ({ pack: p.pack, message: p.message })) }, null, 2) + '\n');
    } else {
        for (const r of rows) out(`${r.name.padEnd(16)} ${r.version.padEnd(8)} ${String(r.functions).padStart(3)} functions  ${r.origin === 'built-in' ? 'built-in' : r.origin}\n`);
        for (const p of problems) out(`refused: ${p.message}\n`);
    }
    return problems.length ? 1 : 0;
}

export async function packInfoCommand(name: string, o: Opts, out: (s: string) => void): Promise<number> {
    const { registry, problems } = await loadWorkspacePacks(declared(o).packs);
    const p = registry.packs().find(x => x.manifest.name === name);
    if (!p) {
        const why = problems.find(x => x.pack === name);
        throw new CliError(why ? why.message : `no pack '${name}' in this workspace (af pack ls lists them; af pack add <folder> adds one)`);
    }
    out(`${p.manifest.name} ${p.manifest.version} — ${p.manifest.description}\nAlphaForge ${p.manifest.alphaforge}; ${p.origin}\n\n`);
    out(renderFunctionList(new Catalogue([p.catalogue])));
    return 0;
}

/** The config file `add` and `remove` edit: --config, $AF_CONFIG, or alphaforge.json here (created by add). */
function editableConfig(o: Opts): { file: string; tree: Record<string, unknown> } {
    const file = configFile(o.config !== undefined ? { file: o.config } : {}) ?? resolve(CONFIG_FILE);
    let tree: Record<string, unknown> = {};
    if (existsSync(file)) {
        try {
            tree = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
        } catch (e) {
            throw new CliError(`${file} is not valid JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        }
    }
    return { file, tree };
}

function writeConfig(file: string, tree: Record<string, unknown>): void {
    writeFileSync(file, JSON.stringify(tree, null, 2) + '\n');
    loadConfig({ file }); // what was written must load (validated)
}

export function packAddCommand(folder: string, o: Opts & { version?: string }, out: (s: string) => void): number {
    const dir = resolve(folder);
    const bundled = existsSync(dir) ? undefined : bundledPack(folder);
    if (bundled) return addBundled(bundled.manifest.name, bundled.manifest.version, o, out);
    let manifest;
    try {
        manifest = parsePackManifest(readPackManifest(dir), dir);
    } catch (e) {
        if (e instanceof PackError) throw new CliError(e.message);
        throw e;
    }
    const { file, tree } = editableConfig(o);
    const rel = relative(dirname(file), dir) || '.';
    const integrity = packIntegrity(dir);
    const entry: PackDeclaration = {
        name: manifest.name, version: o.version ?? `^${manifest.version}`,
        path: isAbsolute(rel) ? rel : rel.startsWith('.') ? rel : `./${rel}`, integrity,
    };
    const packs = (Array.isArray(tree['packs']) ? tree['packs'] as PackDeclaration[] : []).filter(p => p.name !== manifest.name);
    tree['packs'] = [...packs, entry];
    writeConfig(file, tree);
    out(`added pack ${manifest.name} ${manifest.version} (${entry.version}, ${integrity.slice(0, 19)}…) to ${file}\n`);
    return 0;
}

/** A pack shipped with AlphaForge is declared by name and range: its code is the product's own, so no folder and no hash. */
function addBundled(name: string, version: string, o: Opts & { version?: string }, out: (s: string) => void): number {
    const { file, tree } = editableConfig(o);
    const entry: PackDeclaration = { name, version: o.version ?? `^${version}` };
    const packs = (Array.isArray(tree['packs']) ? tree['packs'] as PackDeclaration[] : []).filter(p => p.name !== name);
    tree['packs'] = [...packs, entry];
    writeConfig(file, tree);
    out(`added pack ${name} ${version} (${entry.version}, shipped with AlphaForge) to ${file}\n`);
    return 0;
}

export function packRemoveCommand(name: string, o: Opts, out: (s: string) => void): number {
    const { file, tree } = editableConfig(o);
    const packs = Array.isArray(tree['packs']) ? tree['packs'] as PackDeclaration[] : [];
    if (!packs.some(p => p.name === name)) throw new CliError(`${file} declares no pack '${name}' (af pack ls lists the workspace's packs)`);
    tree['packs'] = packs.filter(p => p.name !== name);
    writeConfig(file, tree);
    out(`removed pack ${name} from ${file}\n`);
    return 0;
}

/** A new pack folder: the manifest, one function in both engines, a test that holds them equal, and a README. */
export function packNewCommand(name: string, o: { dir?: string }, out: (s: string) => void): number {
    if (!/^[a-z][a-z0-9-]{0,63}$/.test(name)) throw new CliError(`a pack name is lower-case letters, digits and -, starting with a letter; not '${name}'`);
    const dir = resolve(o.dir ?? name);
    if (existsSync(dir)) throw new CliError(`${dir} already exists; choose another name or --dir`);
    const fn = `${name.replace(/-/g, '_')}_mid`;
    mkdirSync(dir, { recursive: true });
    const manifest = {
        name, version: '0.1.0', description: `The ${name} pack.`, alphaforge: `^${ALPHAFORGE_VERSION}`,
        contributes: {
            functions: [{
                name: fn, params: [{ name: 'length', type: 'int', min: 1, default: 20, doc: 'Window length in bars.' }],
                returns: 'series<price>', lookback: 'length - 1', reads: ['high', 'low'],
                doc: 'Midpoint of the highest high and the lowest low of the last `length` bars.', example: `feature mid = ${fn}(20)`,
            }],
        },
        implementation: { compiled: './compiled.js', reference: './reference.js' },
    };
    parsePackManifest(manifest, dir);
    writeFileSync(join(dir, PACK_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    writeFileSync(join(dir, 'compiled.js'), `// ${fn} for the compiled engine: one object per (use, asset); push(high, low) per bar returns the value (NaN = undefined).
class Mid {
    constructor(n) { this.n = n; this.h = []; this.l = []; }
    push(high, low) {
        this.h.push(high); this.l.push(low);
        if (this.h.length > this.n) { this.h.shift(); this.l.shift(); }
        if (this.h.length < this.n || this.h.some(x => x !== x) || this.l.some(x => x !== x)) return NaN;
        return (Math.max(...this.h) + Math.min(...this.l)) / 2;
    }
}
export default {
    ${fn}: { params: ['const'], reads: ['high', 'low'], create: ([n]) => new Mid(n) },
};
`);
    writeFileSync(join(dir, 'reference.js'), `// ${fn} for the reference interpreter: the definition, recomputed from the history at bar t.
export default {
    ${fn}: {
        series: c => {
            const n = c.arg(0), high = c.column('high'), low = c.column('low');
            if (c.t + 1 < n) return undefined;
            const h = high.slice(c.t + 1 - n, c.t + 1), l = low.slice(c.t + 1 - n, c.t + 1);
            if ([...h, ...l].some(x => typeof x !== 'number' || x !== x)) return undefined;
            return (Math.max(...h) + Math.min(...l)) / 2;
        },
    },
};
`);
    writeFileSync(join(dir, 'pack.test.mjs'), `// node --test: the compiled and the reference implementations agree on a seeded series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import compiled from './compiled.js';
import reference from './reference.js';

test('${fn}: compiled == reference', () => {
    let s = 1;
    const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
    const high = [], low = [];
    for (let i = 0; i < 200; i++) { const m = 100 + 10 * Math.sin(i / 9) + rnd(); high.push(m + rnd()); low.push(m - rnd()); }
    const o = compiled.${fn}.create([20]);
    for (let t = 0; t < 200; t++) {
        const a = o.push(high[t], low[t]);
        const b = reference.${fn}.series({ fn: '${fn}', t, arg: () => 20, hist: () => [], column: f => (f === 'high' ? high : low).slice(0, t + 1), output: undefined });
        assert.equal(Number.isNaN(a) ? undefined : a, b);
    }
});
`);
    writeFileSync(join(dir, 'README.md'), `# ${name}

An AlphaForge capability pack (docs/packs.md).

## ${fn}(length = 20) → series<price>

Midpoint of the highest high and the lowest low of the last \`length\` bars.

\`\`\`
feature mid = ${fn}(20)
\`\`\`

Test: \`node --test pack.test.mjs\`. Use it in a workspace: \`af pack add ${relative(process.cwd(), dir) || '.'}\`
(run it again after every change: the declaration pins the folder's integrity hash).
`);
    out(`created pack ${name} in ${dir}: ${PACK_MANIFEST_FILE}, compiled.js, reference.js, pack.test.mjs, README.md\n`);
    return 0;
}
