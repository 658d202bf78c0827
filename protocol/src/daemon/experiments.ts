/**
 * The experiment store (experiments.*: search with the filter language, compare, export) and
 * "what have we tried that looks like this?" (similar.find and its one result shape).
 */
import * as z from 'zod';
import { method } from './method.js';
import { AnyParamValue, Count, Fingerprints, Id, IsoTime, Limit, MetricValues, Name, Offset, Source, Tags, Uri } from './fields.js';
import { EXPORT_FORMATS, ExportName, ExportResultSchema } from './data.js';
import { RunStateSchema, RunSummarySchema } from './runs.js';
import { LedgerPart, RUN_KINDS } from '../run-result.js';
import { WireNumber } from '../numbers.js';

export const ExperimentSchema = z.object({
    id: z.string(),
    name: z.string(),
    team: z.string(),
    owner: z.string(),
    description: z.string().nullable(),
    createdAt: IsoTime,
    runCount: Count,
});
export type Experiment = z.infer<typeof ExperimentSchema>;

export const SearchRowSchema = z.object({
    run: RunSummarySchema,
    params: z.record(z.string(), AnyParamValue),
    metrics: MetricValues,
    ledger: LedgerPart.nullable().optional().describe('Asked for with `ledger: true`: the run in the team\'s research ledger (its trial numbers among its structure\'s, the trials of its family, its Sharpe deflated over both); null when the ledger holds none of its trials (not completed, or completed before the ledger)'),
});

/** One trial of a structure in the team's research ledger. */
export const LedgerTrialSchema = z.object({
    position: z.number().int().min(1).describe('1-based among the structure\'s trials, in the order they were recorded'),
    runId: z.string(),
    trial: Count.describe('index within its run (a sweep\'s combination, a walk-forward\'s window; 0 for a backtest)'),
    kind: z.enum(RUN_KINDS),
    recordedAt: IsoTime,
    periodSharpe: WireNumber.describe('per-bar Sharpe (null: undefined)'),
    observations: Count.describe('bars its Sharpe was measured over'),
});
export type LedgerTrialRow = z.infer<typeof LedgerTrialSchema>;

export const LedgerStructureSchema = z.object({
    structural: z.string(),
    total: Count.describe('trials of this structure in the caller\'s team'),
    runs: Count.describe('runs those trials came from'),
    sharpeVariance: WireNumber.describe('sample variance of their per-bar Sharpe ratios (what the deflated Sharpe uses)'),
    trials: z.array(LedgerTrialSchema).describe('newest first'),
});

export const ComparedRunSchema = z.object({
    id: z.string(),
    strategy: z.string().nullable(),
    experimentId: z.string().nullable(),
    state: RunStateSchema,
    fingerprints: Fingerprints.nullable(),
    dataSnapshot: z.string().nullable(),
    params: z.record(z.string(), AnyParamValue),
    metrics: MetricValues,
    tags: Tags,
});

/** The best run of a group, by deflated Sharpe where a sweep recorded one, else by Sharpe. */
export const BestRunSchema = z.object({
    runId: z.string(),
    metric: z.enum(['deflatedSharpe', 'sharpe']),
    value: z.number(),
});

/** Runs of one structure in the experiment store: how often it was tried and how it did. */
export const TriedSchema = z.object({
    runs: z.number().int().nonnegative().describe('completed runs of this structure'),
    best: BestRunSchema.nullable(),
    metrics: MetricValues.nullable().describe('metrics of the best run'),
    latestRunIds: z.array(z.string()).describe('newest first, at most 20'),
    experimentId: z.string().nullable().describe('experiment of the best run'),
});

/**
 * One neighbour of a "find similar" query, from the workspace (.af files) or the experiment store
 * (runs). The same shape for the language server's alphaforge/similar, the daemon's similar.find,
 * `af similar --json` and the MCP tool find_similar.
 */
export const SimilarMatchSchema = z.object({
    scope: z.enum(['workspace', 'store']),
    strategy: z.string().nullable(),
    match: z.enum(['identical', 'structure', 'similar']).describe('identical: same exact fingerprint; structure: same structural fingerprint (other values); similar: nearest embedding'),
    similarity: z.number().min(-1).max(1).describe('Cosine similarity of the embeddings'),
    difference: z.string().describe('How it differs from the query, in words (e.g. "same DAG except sma→ema in one place")'),
    fingerprints: z.object({ structural: z.string(), exact: z.array(z.string()) }),
    file: z.object({ path: z.string(), uri: z.string(), line: z.number().int().nonnegative().describe('0-based') }).optional().describe('workspace matches'),
    runs: TriedSchema.optional().describe('store matches: the runs of this structure'),
});

export const SimilarIndexInfoSchema = z.object({
    scope: z.enum(['workspace', 'store']),
    points: z.number().int().nonnegative(),
    embeddingVersion: z.string(),
    backend: z.enum(['hnsw', 'exact']),
});

export const SimilarResultSchema = z.object({
    query: z.object({ strategy: z.string().nullable(), fingerprints: Fingerprints, file: z.string().optional() }),
    tried: TriedSchema.extend({ summary: z.string() }).nullable().describe('store scope: the runs with the query\'s own structure ("tried 14 times; best deflated Sharpe 0.8 (run …)"); null when never tried or not searched'),
    matches: z.array(SimilarMatchSchema),
    indexes: z.array(SimilarIndexInfoSchema),
});
export type SimilarMatch = z.infer<typeof SimilarMatchSchema>;
export type SimilarResult = z.infer<typeof SimilarResultSchema>;
export type Tried = z.infer<typeof TriedSchema>;
export type SimilarIndexInfo = z.infer<typeof SimilarIndexInfoSchema>;


export const EXPERIMENTS_METHODS = {
    'experiments.create': method('researcher', 'Create an experiment in the caller\'s team (names are unique per team; 409 otherwise).',
        z.strictObject({ name: Name, description: z.string().max(2000).optional() }),
        z.object({ experiment: ExperimentSchema })),
    'experiments.list': method('viewer', 'Experiments of the caller\'s team, newest first.',
        z.strictObject({ limit: Limit, offset: Offset }),
        z.object({ experiments: z.array(ExperimentSchema), total: Count })),
    'experiments.search': method('viewer', 'Search runs with the filter language (`metrics.sharpe > 1 and tags.style = \'trend\'`), sorted and paginated. A bad filter is -32602 with the offending token\'s position. With `ledger: true` each row carries the run\'s place in the team\'s research ledger.',
        z.strictObject({
            experimentId: Id.optional(),
            filter: z.string().max(4000).optional(),
            orderBy: z.string().max(256).optional().describe('e.g. "metrics.sharpe desc, created asc"'),
            limit: Limit,
            offset: Offset,
            ledger: z.boolean().optional().describe('add each row\'s research-ledger figures (trial numbers, family, deflated Sharpe)'),
        }),
        z.object({ runs: z.array(SearchRowSchema), total: Count })),
    'experiments.ledger': method('viewer', 'The trials of one structure (structural fingerprint) in the caller\'s team\'s research ledger, newest first: every backtest, sweep combination and walk-forward window recorded, with its position, run and per-bar Sharpe. Other teams\' trials never show.',
        z.strictObject({
            structural: z.string().min(1).max(128).regex(/^[0-9a-fA-F]+$/, 'a structural fingerprint (hex)'),
            limit: Limit,
            offset: Offset,
        }),
        LedgerStructureSchema),
    'experiments.compare': method('viewer', 'Runs side by side: parameters, metrics, fingerprints, and which parameters differ.',
        z.strictObject({ runIds: z.array(Id).min(2).max(50), metrics: z.array(z.string().min(1).max(64)).max(100).optional() }),
        z.object({
            runs: z.array(ComparedRunSchema),
            paramKeys: z.array(z.string()),
            metricKeys: z.array(z.string()),
            differingParams: z.array(z.string()),
            sameStructure: z.boolean().describe('All runs have the same structural fingerprint'),
            best: z.record(z.string(), z.string().nullable()).describe('metric → id of the best run (lowest for drawdown)'),
        })),
    'experiments.export': method('researcher', 'Write the runs of an experiment or filter (params, metrics, tags, fingerprints) to Parquet, Arrow IPC or CSV in your team\'s export folder, for notebooks; download it with `GET /exports/<file>`.',
        z.strictObject({
            name: ExportName.optional(),
            format: z.enum(EXPORT_FORMATS).optional().describe('default: from the name\'s extension, else parquet'),
            experimentId: Id.optional(),
            filter: z.string().max(4000).optional(),
        }),
        ExportResultSchema),

    'similar.find': method('viewer', 'Strategies in the experiment store nearest to a source text or to a run (HNSW over structural embeddings, one point per structure and team): how often the query\'s own structure was tried and how it did, then neighbours with their difference in words and best run.',
        z.strictObject({
            source: Source.optional(),
            uri: Uri.optional(),
            strategy: Name.optional(),
            runId: Id.optional(),
            k: z.number().int().min(1).max(100).default(10),
            experimentId: Id.optional().describe('only runs of this experiment'),
        }).superRefine((v, ctx) => {
            if ((v.source === undefined) === (v.runId === undefined)) ctx.addIssue({ code: 'custom', path: ['source'], message: 'give exactly one of source and runId' });
        }),
        SimilarResultSchema),
} as const;
