/**
 * Field schemas shared by the daemon's services: ids, names, times, pagination, tags, metrics,
 * fingerprints, the caller (principal). Limits of single fields live here.
 */
import { WireNumber } from '../numbers.js';
import * as z from 'zod';
import { RoleSchema } from '../roles.js';
import { type CanonicalDag, type StrategyIr } from '../ir.js';

/** Limits of single fields; the request as a whole is also limited by the gateway (default 1 MiB). */
export const MAX_SOURCE_CHARS = 1_000_000;
export const MAX_PAGE = 1000;

export const Id = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only');
export const Name = z.string().min(1).max(128);
export const IsoTime = z.iso.datetime({ offset: true }).describe('ISO 8601 time, UTC');
export const EpochMs = z.number().describe('ms since the epoch');
export const Count = z.number().int().nonnegative();
export const Source = z.string().max(MAX_SOURCE_CHARS).describe('The text of a .af file.');
export const Uri = z.string().min(1).max(4096).describe('URI or path the source is known by: names it in diagnostics and resolves its relative imports.');
export const DateArg = z.union([z.string().min(1).max(40), z.number().int()]).describe('YYYY-MM-DD, an ISO time, or epoch ms');
export const Limit = z.number().int().min(1).max(MAX_PAGE).default(50);
export const Offset = z.number().int().nonnegative().default(0);
export const ParamValue = z.union([z.number(), z.boolean()]);
export const AnyParamValue = z.union([z.number(), z.boolean(), z.string(), z.null()]);
export const MetricValues = z.record(z.string(), WireNumber).describe('Metric name → value as a wire number (protocol/src/numbers.ts): null where undefined (NaN), "Infinity" / "-Infinity" for ±∞.');
export const TagKey = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');
export const Tags = z.record(TagKey, z.string().max(256));
export const Fingerprints = z.object({ exact: z.string(), structural: z.string() }).describe('SHA-256 of the canonical DAG with and without parameter values.');
export const EmptyParams = z.strictObject({});

/** The strategy IR (docs/ir.md); validated as an object only, its shape is the language library's. */
export const IrSchema = z.custom<StrategyIr>(v => typeof v === 'object' && v !== null && !Array.isArray(v)).describe('StrategyIr: see docs/ir.md');
export const DagSchema = z.custom<CanonicalDag>(v => typeof v === 'object' && v !== null && !Array.isArray(v)).describe('CanonicalDag: see docs/ir.md');

export const PrincipalSchema = z.object({
    userId: z.string(),
    userName: z.string(),
    teamId: z.string(),
    teamName: z.string(),
    role: RoleSchema,
    tokenId: z.string().optional(),
    scopes: z.array(z.string()),
});
export type Principal = z.infer<typeof PrincipalSchema>;
