/**
 * packs.list and packs.info (protocol/src/daemon/packs.ts) as the daemon answers them: the built-in
 * packs and the packs the workspace of the caller's source folder declares (packs/daemon-packs.ts:
 * shipped ones enabled by name, which are built in, and folders), described from their manifests —
 * no pack code runs to answer.
 */
import type { ResultOf } from '../../../protocol/src/daemon/index.js';
import { NotFoundError } from '../../../protocol/src/errors.js';
import { manifestToPack, parsePackManifest } from '../../../language/src/catalogue/pack-manifest.js';
import type { CapabilityPack } from '../../../language/src/catalogue/pack-types.js';
import { signatureOf } from '../../../language/src/catalogue/reference.js';
import { builtInRegistry, bundledPack } from '../engine/packs/builtin.js';
import type { DaemonPacks } from '../packs/daemon-packs.js';

interface Described { readonly pack: CapabilityPack; readonly alphaforge: string; readonly builtIn: boolean }

function described(packs: DaemonPacks, uri: string | undefined): { all: Described[]; refused: { pack: string; message: string }[] } {
    const w = packs.forCaller(uri);
    const all: Described[] = builtInRegistry().packs().map(l => ({ pack: l.catalogue, alphaforge: l.manifest.alphaforge, builtIn: true }));
    for (const b of w.bundles) {
        const manifest = b.shipped ? bundledPack(b.name)?.manifest : b.manifest;
        if (manifest === undefined) continue; // a shipped pack this process does not have (manifestSources leaves it out too)
        const m = parsePackManifest(manifest, b.name); // checked when read: cannot throw here
        all.push({ pack: { ...manifestToPack(m), ...(b.shipped ? {} : { integrity: b.integrity }) }, alphaforge: m.alphaforge, builtIn: b.shipped === true });
    }
    return { all, refused: w.problems.map(p => ({ pack: p.pack, message: p.message })) };
}

function summary(d: Described) {
    const count = (kind: string): number => d.pack.entries.filter(e => e.kind === kind).length;
    return {
        name: d.pack.id, version: d.pack.version, description: d.pack.description, builtIn: d.builtIn,
        integrity: d.pack.integrity ?? null, functions: count('function'), fields: count('field'),
    };
}

export function packsList(packs: DaemonPacks, uri: string | undefined): ResultOf<'packs.list'> {
    const { all, refused } = described(packs, uri);
    return { packs: all.map(summary), refused };
}

export function packsInfo(packs: DaemonPacks, name: string, uri: string | undefined): ResultOf<'packs.info'> {
    const { all, refused } = described(packs, uri);
    const d = all.find(x => x.pack.id === name);
    if (!d) {
        const why = refused.find(r => r.pack === name);
        throw new NotFoundError(why ? why.message : `no pack '${name}' for this source (packs.list lists them)`);
    }
    return {
        ...summary(d), alphaforge: d.alphaforge,
        entries: d.pack.entries.map(e => ({ kind: e.kind, name: e.name, signature: signatureOf(e), doc: e.doc, example: e.example })),
    };
}
