/**
 * Capability packs (packs.*): what the daemon compiles a source against — the built-in packs and
 * those declared by the workspace configuration of the source's folder (docs/packs.md) — and one
 * pack's functions, fields and constants with their docs. Any viewer may ask, for a source inside
 * the daemon's source folders only; a declared pack that is refused is listed with why.
 */
import * as z from 'zod';
import { method } from './method.js';
import { Count, Uri } from './fields.js';

const PackName = z.string().min(1).max(64).regex(/^[a-z][a-z0-9-]*$/, 'a pack name: lower-case letters, digits and -');

export const PackSummarySchema = z.object({
    name: z.string(),
    version: z.string(),
    description: z.string(),
    builtIn: z.boolean(),
    integrity: z.string().nullable().describe('sha256-… of a workspace pack\'s files (null: built in)'),
    functions: Count,
    fields: Count,
});

export const PackRefusalSchema = z.object({ pack: z.string(), message: z.string().describe('why, naming the pack and what to do') });

const Entry = z.object({
    kind: z.enum(['function', 'field', 'const']),
    name: z.string(),
    signature: z.string().describe('e.g. sma(series: series<U>, length: int = 20) → series<U>'),
    doc: z.string(),
    example: z.string(),
});

const Where = { uri: Uri.optional().describe('A source whose folder\'s workspace configuration declares the packs (default: the daemon\'s workspace)') };

export const PACKS_METHODS = {
    'packs.list': method('viewer', 'The packs a source compiles against: built-in ones and those its workspace declares, and each declared pack that is refused, with why.',
        z.strictObject(Where),
        z.object({ packs: z.array(PackSummarySchema), refused: z.array(PackRefusalSchema) })),
    'packs.info': method('viewer', 'One pack: version, the AlphaForge versions it works with, and its functions, fields and constants with their docs.',
        z.strictObject({ name: PackName, ...Where }),
        PackSummarySchema.extend({ alphaforge: z.string(), entries: z.array(Entry) })),
} as const;
