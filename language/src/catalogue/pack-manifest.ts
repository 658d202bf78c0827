/**
 * The capability pack manifest: what a pack is (name, version, the AlphaForge versions it works
 * with) and what it contributes to the language (functions and fields with their signatures, types,
 * units, look-back rules, docs and examples). Validated with zod wherever a manifest enters — a
 * pack folder's `alphaforge-pack.json`, or a built-in pack's object — so the editor and the engine
 * see the same checked catalogue entries. The implementations (compiled engine, reference
 * interpreter) are code and live with the runtime (runtime/src/engine/packs); the manifest only
 * names their modules, so reading a manifest never runs a pack's code.
 */
import { z } from 'zod';
import { Catalogue } from './catalogue.js';
import { ONCHAIN_COLUMNS } from './onchain-pack.js';
import { HFT_COLUMNS } from './hft-pack.js';
import type { CapabilityPack, CatalogueConst, CatalogueEntry, CatalogueField, CatalogueFunction } from './pack-types.js';
import { isValidRange, parseVersion, satisfies } from './version-range.js';

/** The AlphaForge version packs are checked against (package.json's version; a test holds them equal). */
export const ALPHAFORGE_VERSION = '0.1.0';

/** The file a pack folder holds its manifest in. */
export const PACK_MANIFEST_FILE = 'alphaforge-pack.json';

/** A bad pack: the message names the pack (and the field or function) and what to do. */
export class PackError extends Error {
    constructor(readonly pack: string, message: string) {
        super(message);
        this.name = 'PackError';
    }
}

const identifier = z.string().regex(/^[A-Za-z_]\w*$/, 'must be an identifier (letters, digits, _)');
const text = z.string().trim().min(1, 'must not be empty');
/** JSON has no Infinity: a manifest writes "Infinity"; a built-in pack may hold the number. */
const bound = z.union([
    z.number(),
    z.enum(['Infinity', '-Infinity']),
    z.custom<number>(v => v === Infinity || v === -Infinity, 'must be a number'),
]).transform(v => (typeof v === 'string' ? Number(v) : v));

const ParamSchema = z.object({
    name: identifier,
    type: text,
    default: z.union([z.number(), z.boolean(), z.string()]).optional(),
    min: z.number().optional(),
    doc: text,
}).strict();

/** What a function may read implicitly: the bar's fields, and the data columns a bundled data source fills (on-chain per bar, HFT per event). */
const FIELD_NAMES = ['open', 'high', 'low', 'close', 'volume', ...ONCHAIN_COLUMNS, ...HFT_COLUMNS] as const;

const FunctionSchema = z.object({
    kind: z.literal('function').optional(),
    name: identifier,
    params: z.array(ParamSchema).readonly(),
    returns: text,
    outputs: z.array(identifier).min(1).readonly().optional(),
    lookback: text,
    reads: z.array(z.enum(FIELD_NAMES)).readonly().optional(),
    range: z.tuple([bound, bound]).readonly().optional(),
    crossSectional: z.boolean().optional(),
    commutative: z.boolean().optional(),
    elementwise: z.boolean().optional(),
    resamples: z.boolean().optional(),
    doc: text,
    example: text,
}).strict();

const FieldSchema = z.object({
    kind: z.literal('field').optional(),
    name: identifier,
    returns: text,
    knownAtOpen: z.boolean().optional(),
    doc: text,
    example: text,
}).strict();

const ConstSchema = z.object({
    kind: z.literal('const').optional(),
    name: identifier,
    enumType: identifier,
    doc: text,
    example: text,
}).strict();

export const PackManifestSchema = z.object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and -, starting with a letter'),
    version: z.string().refine(v => parseVersion(v) !== undefined, 'must be a version like 1.2.3'),
    description: text,
    /** The AlphaForge versions the pack works with, as a range (`^0.1.0`). */
    alphaforge: z.string().refine(isValidRange, 'must be a version range like ^0.1.0'),
    contributes: z.object({
        functions: z.array(FunctionSchema).default([]),
        fields: z.array(FieldSchema).default([]),
        consts: z.array(ConstSchema).default([]),
    }).strict(),
    /** Modules of a folder pack, relative to its folder: the compiled engine's and the reference interpreter's implementations. */
    implementation: z.object({ compiled: text, reference: text }).strict().optional(),
}).strict();

export type PackManifestInput = z.input<typeof PackManifestSchema>;
type FunctionInput = z.input<typeof FunctionSchema>;
export type PackManifest = z.output<typeof PackManifestSchema>;

/**
 * A manifest checked: the schema, the AlphaForge version, and every type spec and look-back formula
 * (through a catalogue of its own). `origin` (a file, or `built-in`) goes into every message.
 */
export function parsePackManifest(value: unknown, origin: string, alphaforgeVersion = ALPHAFORGE_VERSION): PackManifest {
    const name = typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'
        ? (value as { name: string }).name : '(unnamed)';
    const parsed = PackManifestSchema.safeParse(value);
    if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 5).map(i => `${i.path.join('.') || '(manifest)'}: ${i.message}`);
        throw new PackError(name, `pack '${name}' (${origin}): the manifest is invalid — ${issues.join('; ')}. Fix the manifest and reload.`);
    }
    const m = parsed.data;
    if (!satisfies(alphaforgeVersion, m.alphaforge)) {
        throw new PackError(m.name, `pack '${m.name}' ${m.version} (${origin}) is built for AlphaForge ${m.alphaforge}, not ${alphaforgeVersion}: install a version of the pack made for AlphaForge ${alphaforgeVersion}.`);
    }
    try {
        new Catalogue([manifestToPack(m)]);
    } catch (err) {
        throw new PackError(m.name, `pack '${m.name}' (${origin}): ${(err as Error).message.replace(/^pack '[^']*'(, |: )/, '')}. Fix the manifest and reload.`);
    }
    return m;
}

/** The catalogue entries of a manifest, as the language's catalogue takes them (fields, functions, constants). */
export function manifestToPack(m: PackManifest): CapabilityPack {
    const entries: CatalogueEntry[] = [
        ...m.contributes.fields.map((f): CatalogueField => ({ ...f, kind: 'field' })),
        ...m.contributes.functions.map((f): CatalogueFunction => ({ ...f, kind: 'function' })),
        ...m.contributes.consts.map((c): CatalogueConst => ({ ...c, kind: 'const' })),
    ];
    return { id: m.name, version: m.version, description: m.description, entries };
}

/** A catalogue pack written as a manifest (the core pack's data lives in core-pack.ts). */
export function packToManifest(p: CapabilityPack, alphaforge: string): PackManifestInput {
    const strip = <T extends { kind: string }>(e: T): Omit<T, 'kind'> => {
        const { kind: _kind, ...rest } = e;
        return rest;
    };
    return {
        name: p.id, version: p.version, description: p.description, alphaforge,
        contributes: {
            // `reads` is a string list in the catalogue type; the manifest schema checks its names when the manifest is parsed
            functions: p.entries.filter((e): e is CatalogueFunction => e.kind === 'function').map(strip) as FunctionInput[],
            fields: p.entries.filter((e): e is CatalogueField => e.kind === 'field').map(strip),
            consts: p.entries.filter((e): e is CatalogueConst => e.kind === 'const').map(strip),
        },
    };
}
