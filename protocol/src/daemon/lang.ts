/**
 * The daemon's language service: daemon.info and lang.* (compile, lint, analyse source texts).
 */
import * as z from 'zod';
import { method } from './method.js';
import { Count, DagSchema, EmptyParams, Fingerprints, Id, IrSchema, IsoTime, Name, ParamValue, Source, Uri } from './fields.js';
import { RoleSchema } from '../roles.js';
import { DagDiffSchema } from '../dag-diff.js';
import { RegistryRef } from './registry.js';

export const DiagnosticSchema = z.object({
    uri: z.string(),
    line: z.number().int().describe('1-based'),
    column: z.number().int().describe('1-based'),
    endLine: z.number().int(),
    endColumn: z.number().int(),
    severity: z.enum(['error', 'warning', 'info', 'hint']),
    code: z.string().describe('Stable diagnostic code, e.g. AF101 (see docs/diagnostics.md)'),
    message: z.string(),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

export const StrategyRef = { source: Source, uri: Uri.optional(), strategy: Name.optional().describe('Which strategy of the file (default: the first).') };

export const ParamInfoSchema = z.object({
    name: z.string(),
    type: z.enum(['int', 'float', 'bool']),
    default: z.union([z.number(), z.boolean(), z.null()]),
    low: z.number().nullable(),
    high: z.number().nullable(),
    step: z.number().nullable(),
    values: z.array(ParamValue).nullable().describe('Values a grid sweep tries; null when continuous or too many.'),
    free: z.boolean(),
});

export const StrategyAnalysisSchema = z.object({
    name: z.string(),
    line: z.number().int(),
    universe: z.array(z.string()).describe('Instruments as venue:SYMBOL'),
    timeframe: z.object({ text: z.string(), ms: z.number() }).nullable(),
    warmup: z.object({ bars: Count, maxBars: Count }),
    params: z.array(ParamInfoSchema),
    gridSize: z.number().nullable().describe('Parameter combinations satisfying the constraints; null when continuous.'),
    fill: z.string(),
    tags: z.array(z.string()),
    fingerprints: Fingerprints.nullable().describe('null when the strategy does not compile'),
});

/** One side of lang.diff: a source text (its params at their defaults), a run of the caller's team (its source with the params it ran), or a registry version of the team (its source with its params). */
export const DiffSideSchema = z.union([
    z.strictObject(StrategyRef),
    z.strictObject({ runId: Id.describe('a run of your team: its recorded source, with the parameter values it ran') }),
    z.strictObject({ registry: RegistryRef.describe('a registry version of your team: its source, with its parameter values') }),
]);
export type DiffSide = z.infer<typeof DiffSideSchema>;

export const LANG_METHODS = {
    'daemon.info': method('viewer', 'The daemon\'s version, protocol version, start time and its methods with their roles and availability.',
        EmptyParams,
        z.object({
            name: z.literal('alphaforge'),
            version: z.string(),
            protocolVersion: z.string(),
            startedAt: IsoTime,
            transports: z.object({ http: z.boolean(), ws: z.boolean(), grpc: z.boolean() }),
            methods: z.array(z.object({ name: z.string(), role: RoleSchema, available: z.boolean() })),
        })),

    'daemon.health': method('viewer', 'Platform health at a glance: readiness, queue depth and the oldest queued run, busy worker slots (platform-wide, no team named), and your team\'s runs finished in the window: counts by outcome, throughput, latency p50/p95 and failure share. Check details are shown to admins only.',
        z.strictObject({ windowMinutes: z.number().int().min(1).max(1440).default(15).describe('How far back the team figures look') }),
        z.object({
            ready: z.boolean(),
            checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
            queue: z.object({ depth: z.number().int(), oldestQueuedSeconds: z.number().nullable() }),
            workers: z.object({ slots: z.number().int(), busy: z.number().int(), threads: z.number().int() }),
            team: z.object({
                windowMinutes: z.number().int(),
                finished: z.number().int(), completed: z.number().int(), failed: z.number().int(), cancelled: z.number().int(),
                runsPerMinute: z.number(),
                latencyMs: z.object({ p50: z.number(), p95: z.number() }).nullable().describe('Submit → finished of the runs finished in the window'),
                failureShare: z.number().nullable().describe('failed / finished; null when nothing finished'),
            }),
        })),

    'lang.compile': method('viewer', 'Compile one strategy of a source text: diagnostics, and on success the IR, canonical DAG, Graphviz dot, fingerprints and embedding asked for in `emit`.',
        z.strictObject({
            ...StrategyRef,
            emit: z.array(z.enum(['ir', 'dag', 'structural-dag', 'dot', 'fingerprints', 'embedding'])).max(6).default(['ir', 'fingerprints']),
        }),
        z.object({
            ok: z.boolean().describe('No errors: the strategy compiled'),
            diagnostics: z.array(DiagnosticSchema),
            strategies: z.array(z.string()).describe('Every strategy in the source'),
            strategy: z.string().nullable().describe('The one compiled'),
            ir: IrSchema.optional(),
            dag: DagSchema.optional().describe('exact DAG (emit dag) or structural DAG (emit structural-dag)'),
            dot: z.string().optional(),
            fingerprints: Fingerprints.optional(),
            embedding: z.array(z.number()).optional(),
        })),
    'lang.lint': method('viewer', 'Parse, validate and lint a source text (like `af check`).',
        z.strictObject({
            source: Source,
            uri: Uri.optional(),
            bars: z.number().int().min(1).optional().describe('Bars of data the strategy will run on (enables the data-length overfitting check)'),
            hints: z.boolean().default(false).describe('Include hints (e.g. inferred warm-up)'),
        }),
        z.object({ errors: Count, warnings: Count, diagnostics: z.array(DiagnosticSchema) })),
    'lang.analyse': method('viewer', 'What the analysis knows of each strategy: universe, timeframe, warm-up, parameter space, fingerprints.',
        z.strictObject(StrategyRef),
        z.object({ diagnostics: z.array(DiagnosticSchema), strategies: z.array(StrategyAnalysisSchema) })),
    'lang.diff': method('viewer', 'The structural difference of two strategies\' canonical DAGs: added, removed and changed nodes, parameters by name, rules and settings, and the difference in words. Each side is a source text, a run or a registry version of the caller\'s team (a run or version is compiled from its recorded source with its parameter values; 409 when a file it imports changed since, so the diff would not be of what ran).',
        z.strictObject({ from: DiffSideSchema, to: DiffSideSchema }),
        DagDiffSchema),
} as const;
