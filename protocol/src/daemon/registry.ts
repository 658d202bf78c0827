/**
 * The strategy registry (registry.*): immutable, versioned entries per team — a strategy's exact
 * source and the texts of the libraries it imports, its parameter values, fingerprints and the run
 * that justified it — and their lifecycle draft → approved → deployed → retired, each transition
 * an event with actor and time. Approval is four-eyes: a trader (or admin) who is not the author.
 */
import * as z from 'zod';
import { method } from './method.js';
import { DagDiffSchema } from '../dag-diff.js';
import { Count, Fingerprints, Id, IsoTime, Limit, Offset, ParamValue, Source, Uri, Name } from './fields.js';

export const REGISTRY_STATES = ['draft', 'approved', 'deployed', 'retired'] as const;
export type RegistryState = (typeof REGISTRY_STATES)[number];
export const RegistryStateSchema = z.enum(REGISTRY_STATES);

/** A registry name: what `NAME@VERSION` on the command line can carry (no '@', no spaces). */
export const RegistryName = z.string().min(1).max(128).regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'a letter or _, then letters, digits, _ . - (no @ or spaces)');
export const RegistryVersion = z.number().int().min(1).max(1_000_000_000);
export const RegistryRef = z.strictObject({ name: RegistryName, version: RegistryVersion });
const Note = z.string().max(2000);

export const REGISTRY_EVENT_KINDS = ['published', 'approved', 'deployed', 'retired'] as const;
export const RegistryEventSchema = z.object({
    seq: z.number().int().positive(),
    ts: IsoTime,
    kind: z.enum(REGISTRY_EVENT_KINDS),
    from: RegistryStateSchema.nullable().describe('null for published'),
    to: RegistryStateSchema,
    actor: z.string().describe('user name'),
    note: z.string().nullable(),
});
export type RegistryEvent = z.infer<typeof RegistryEventSchema>;

export const RegistryEntrySchema = z.object({
    name: z.string(),
    version: z.number().int().positive(),
    state: RegistryStateSchema,
    team: z.string(),
    strategy: z.string().describe('the strategy\'s name in its source'),
    author: z.string().describe('user name of the publisher'),
    publishedAt: IsoTime,
    runId: z.string().nullable().describe('the run that justified it (null when published from a file)'),
    dataSnapshot: z.string().nullable().describe('SHA-256 of the bars that run read'),
    fingerprints: Fingerprints.describe('of the strategy with the entry\'s parameter values'),
    params: z.record(z.string(), ParamValue),
    libraryCount: Count.describe('imported files recorded with the source'),
    notes: z.string().nullable(),
    approvedBy: z.string().nullable(),
    digest: z.string().describe('SHA-256 of the entry\'s content (source, libraries, params, fingerprints, provenance, author, time, notes, the previous version\'s digest)'),
    intact: z.boolean().describe('the stored content still matches `digest` (false: it was altered in the database; show, approve, diff and deploy refuse it)'),
});
export type RegistryEntry = z.infer<typeof RegistryEntrySchema>;

export const RegistryLibrarySchema = z.object({ uri: z.string(), sha256: z.string(), text: z.string() });

export const RegistryEntryDetailSchema = RegistryEntrySchema.extend({
    source: z.string(),
    uri: z.string().nullable().describe('where the source was known by when published (its imports resolved relative to it)'),
    libraries: z.array(RegistryLibrarySchema).describe('every file the source imports, transitively, as compiled'),
    previousDigest: z.string().nullable(),
    events: z.array(RegistryEventSchema),
});
export type RegistryEntryDetail = z.infer<typeof RegistryEntryDetailSchema>;

export const RegistryFileDiffSchema = z.object({
    file: z.string().describe('"source" or a library\'s URI'),
    change: z.enum(['same', 'changed', 'added', 'removed']),
    diff: z.string().describe('unified diff (empty when same)'),
});

export const REGISTRY_METHODS = {
    'registry.publish': method('researcher', 'Publish a strategy as the next version of a registry entry of the caller\'s team (state draft): from a promoted run (its source, the libraries it imports, its parameter values, data snapshot) or from a source text. The entry is immutable and checksummed; 409 when it is identical to the latest version.',
        z.strictObject({
            runId: Id.optional().describe('a completed, promoted run of your team'),
            source: Source.optional().describe('instead of runId: a .af text'),
            uri: Uri.optional().describe('with source: the file it is (its imports resolve relative to it, inside the daemon\'s source folders)'),
            strategy: Name.optional().describe('with source: which strategy of the file (default: the only one)'),
            params: z.record(z.string(), ParamValue).optional().describe('with source: parameter values (default: the declared defaults)'),
            name: RegistryName.optional().describe('registry name (default: the strategy\'s name)'),
            notes: Note.optional(),
        }).superRefine((v, ctx) => {
            if ((v.runId === undefined) === (v.source === undefined)) ctx.addIssue({ code: 'custom', path: ['runId'], message: 'give exactly one of runId and source' });
            if (v.runId !== undefined) {
                for (const k of ['uri', 'strategy', 'params'] as const) if (v[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `${k} goes with source; a run brings its own` });
            }
        }),
        z.object({ entry: RegistryEntrySchema })),
    'registry.list': method('viewer', 'Registry entries of the caller\'s team, every version, by name then newest version first.',
        z.strictObject({ name: RegistryName.optional(), state: RegistryStateSchema.optional(), limit: Limit, offset: Offset }),
        z.object({ entries: z.array(RegistryEntrySchema), total: Count })),
    'registry.show': method('viewer', 'One registry entry with its source, libraries and events (latest version when none is given). 409 when its stored content no longer matches its digest.',
        z.strictObject({ name: RegistryName, version: RegistryVersion.optional() }),
        z.object({ entry: RegistryEntryDetailSchema })),
    'registry.approve': method('trader', 'Approve a draft (four eyes: not by its author). 409 unless it is a draft.',
        z.strictObject({ name: RegistryName, version: RegistryVersion, note: Note.optional() }),
        z.object({ entry: RegistryEntrySchema })),
    'registry.retire': method('trader', 'Retire a version (draft, approved or deployed): it can no longer be approved or deployed. 409 when already retired.',
        z.strictObject({ name: RegistryName, version: RegistryVersion, note: Note.optional() }),
        z.object({ entry: RegistryEntrySchema })),
    'registry.diff': method('viewer', 'Two registry versions compared: unified diffs of the source and of each library, the parameter values that differ, the structural difference in words and node for node (as lang.diff).',
        z.strictObject({ from: RegistryRef, to: RegistryRef }),
        z.object({
            from: RegistryEntrySchema,
            to: RegistryEntrySchema,
            files: z.array(RegistryFileDiffSchema).describe('the source first, then libraries by URI'),
            params: z.array(z.object({ name: z.string(), from: ParamValue.nullable(), to: ParamValue.nullable() })).describe('parameters whose values differ'),
            sameStructure: z.boolean(),
            sameExact: z.boolean(),
            structure: z.string().describe('how `to` differs from `from` in building blocks, in words'),
            dag: DagDiffSchema.nullable().describe('the structural difference of the two canonical DAGs, as lang.diff answers it; null when a version no longer compiles to what was published (a file it imports changed since): `dagError` says why'),
            dagError: z.string().nullable().describe('why `dag` is null'),
        })),
} as const;
