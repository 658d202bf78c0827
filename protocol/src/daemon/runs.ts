/**
 * Runs as jobs: kinds, states, specs, summaries and details, logs, artifacts, and runs.* methods.
 */
import * as z from 'zod';
import { method } from './method.js';
import { DEFAULT_MAX_POINTS, RUN_KINDS, RunResult, SORT_METRICS, type RunKind } from '../run-result.js';
import { Count, DateArg, Fingerprints, Id, IsoTime, Limit, MAX_SOURCE_CHARS, MetricValues, Name, Offset, ParamValue, Tags, Uri } from './fields.js';

export { RUN_KINDS, SORT_METRICS, type RunKind };
export const RUN_STATES = ['created', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export const RunKindSchema = z.enum(RUN_KINDS);
export const RunStateSchema = z.enum(RUN_STATES);

export const sweepFields = {
    mode: z.enum(['grid', 'random']).default('grid'),
    samples: z.number().int().min(1).max(1_000_000).optional().describe('random: number of combinations'),
    seed: z.number().int().optional(),
    sortBy: z.enum(SORT_METRICS).default('sharpe'),
    workers: z.number().int().min(1).max(256).optional(),
};
export const walkforwardFields = {
    inSample: z.number().int().min(1).optional().describe('bars per in-sample window (default: a quarter of the data)'),
    outOfSample: z.number().int().min(1).optional().describe('bars per out-of-sample window (default: an eighth)'),
    scheme: z.enum(['rolling', 'anchored']).default('rolling'),
};
/** The fields of a run spec; `strict` for params (unknown keys refused), loose for results (a stored spec is shown as it is). */
export function runSpecFields(strict: boolean) {
    const obj = strict ? z.strictObject : z.object;
    return {
        source: z.string().min(1).max(MAX_SOURCE_CHARS).describe('The strategy\'s .af text (recorded with the run).'),
        uri: Uri.optional(),
        strategy: Name.optional().describe('Which strategy of the file (default: the first).'),
        params: z.record(z.string(), ParamValue).optional().describe('Parameter values (sweeps: held fixed).'),
        symbols: z.array(z.string().min(1).max(128)).min(1).max(1000).optional().describe('Instruments to run on instead of the universe (same count and order).'),
        from: DateArg.optional(),
        to: DateArg.optional(),
        benchmark: z.string().min(3).max(128).regex(/^[^:\s]+:\S/, 'venue:SYMBOL, e.g. sp:SPX').optional()
            .describe('Compare with buy-and-hold of this stored series (venue:SYMBOL, same timeframe; default: buy-and-hold of the traded assets). It must cover the run\'s bars.'),
        seed: z.number().int().optional(),
        sweep: obj(sweepFields).optional().describe('sweep and walkforward: the search'),
        walkforward: obj(walkforwardFields).optional().describe('walkforward only'),
        experimentId: Id.optional(),
        tags: Tags.optional(),
        timeoutMs: z.number().int().min(1000).max(7 * 86_400_000).optional().describe('Fail the run after this long'),
    };
}
export const RunSpecSchema = z.strictObject(runSpecFields(true));
export type RunSpec = z.output<typeof RunSpecSchema>;

export const RunSummarySchema = z.object({
    id: z.string(),
    kind: RunKindSchema,
    state: RunStateSchema,
    promoted: z.boolean(),
    owner: z.string().describe('user name'),
    team: z.string().describe('team name'),
    experimentId: z.string().nullable(),
    traceId: z.string(),
    attempt: Count,
    createdAt: IsoTime,
    queuedAt: IsoTime.nullable(),
    startedAt: IsoTime.nullable(),
    finishedAt: IsoTime.nullable(),
    strategy: z.string().nullable(),
    fingerprints: Fingerprints.nullable(),
    dataSnapshot: z.string().nullable(),
    engineVersion: z.string().nullable(),
    seed: z.number().nullable(),
    error: z.string().nullable(),
    tags: Tags,
    progress: z.number().min(0).max(1).nullable().describe('Fraction done while running'),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const RunDetailSchema = RunSummarySchema.extend({
    spec: z.object(runSpecFields(false)),
    params: z.record(z.string(), ParamValue).nullable().describe('Parameter values of a backtest (the best of a sweep); null before it ran'),
    metrics: MetricValues.nullable(),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

export const LogLineSchema = z.object({ seq: Count, ts: IsoTime, level: z.enum(LOG_LEVELS), message: z.string() });
export type LogLine = z.infer<typeof LogLineSchema>;

export const ArtifactSchema = z.object({
    name: z.string().describe('e.g. result.json (the run result: read it with runs.result)'),
    mediaType: z.string(),
    bytes: Count,
    sha256: z.string().nullable().describe('SHA-256 recorded when the run completed (null for runs completed before artifacts were hashed)'),
    status: z.enum(['ok', 'missing', 'damaged']).describe('ok: as recorded (its content is checked against `sha256` when read) · missing: recorded, but the file is gone · damaged: its size differs from the record (truncated or altered); re-run the run to produce it anew'),
    path: z.string().describe('Path on the daemon\'s host'),
});


export const RUNS_METHODS = {
    'runs.submit': method('researcher', 'Submit a backtest, sweep or walk-forward run; it is queued and runs on the worker pool. Progress, logs and lifecycle events are pushed to subscribers of `run:<id>`.',
        z.strictObject({ kind: RunKindSchema, spec: RunSpecSchema }).superRefine((v, ctx) => {
            if (v.kind === 'backtest' && v.spec.sweep) ctx.addIssue({ code: 'custom', path: ['spec', 'sweep'], message: 'a backtest runs one parameter set; submit kind sweep to search' });
            if (v.kind !== 'walkforward' && v.spec.walkforward) ctx.addIssue({ code: 'custom', path: ['spec', 'walkforward'], message: 'walkforward options need kind walkforward' });
        }),
        z.object({ run: RunSummarySchema })),
    'runs.get': method('viewer', 'One run with its spec, parameters and metrics.',
        z.strictObject({ id: Id }),
        z.object({ run: RunDetailSchema })),
    'runs.list': method('viewer', 'Runs of the caller\'s team, newest first.',
        z.strictObject({
            state: z.union([RunStateSchema, z.array(RunStateSchema).min(1)]).optional(),
            kind: RunKindSchema.optional(),
            experimentId: Id.optional(),
            owner: z.string().max(128).optional(),
            promoted: z.boolean().optional(),
            limit: Limit,
            offset: Offset,
        }),
        z.object({ runs: z.array(RunSummarySchema), total: Count })),
    'runs.cancel': method('researcher', 'Cancel a queued or running run (the work really stops). 409 when it has already finished.',
        z.strictObject({ id: Id, reason: z.string().max(500).optional() }),
        z.object({ run: RunSummarySchema })),
    'runs.logs': method('viewer', 'Log lines of a run after a sequence number (poll with `nextSeq`, or subscribe to `run:<id>`).',
        z.strictObject({
            id: Id,
            afterSeq: z.number().int().min(-1).default(-1),
            limit: z.number().int().min(1).max(10_000).default(1000),
            level: z.enum(LOG_LEVELS).optional().describe('this level and above'),
        }),
        z.object({ lines: z.array(LogLineSchema), nextSeq: z.number().int().describe('afterSeq of the next call'), done: z.boolean().describe('The run has finished and every line was returned') })),
    'runs.artifacts': method('viewer', 'Artifacts of a run (its result.json), each with its recorded SHA-256 and status; with `name`, also that artifact\'s content, checked against the SHA-256 (404 when it is missing, 409 when it is damaged).',
        z.strictObject({
            id: Id,
            name: z.string().min(1).max(256).optional(),
            maxBytes: z.number().int().min(1).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
        }),
        z.object({
            artifacts: z.array(ArtifactSchema),
            content: z.object({ name: z.string(), encoding: z.enum(['utf8', 'base64']), data: z.string(), truncated: z.boolean() }).optional(),
        })),
    'runs.result': method('viewer', 'The result of a completed run as data (protocol/src/run-result.ts, schema alphaforge.run-result version 1): metrics, provenance, its series thinned to `maxPoints` for a chart (the deepest drawdown of each step kept), a page of its trades (and of a sweep\'s trials). Read from its result.json, checked against the SHA-256 recorded at completion (409 when it is damaged, 404 when it is missing); 409 while the run has not completed.',
        z.strictObject({
            id: Id,
            maxPoints: z.number().int().min(2).max(200_000).default(DEFAULT_MAX_POINTS).describe('most points per series'),
            tradesOffset: z.number().int().min(0).default(0),
            tradesLimit: z.number().int().min(0).max(100_000).default(10_000),
            trialsOffset: z.number().int().min(0).default(0),
            trialsLimit: z.number().int().min(0).max(100_000).default(1000),
        }),
        z.object({
            result: RunResult,
            page: z.object({
                points: Count.describe('points per series returned'),
                bars: Count.describe('bars of the stored series'),
                tradesOffset: Count,
                trades: Count.describe('trades returned (result.tradeCount: of all)'),
                trialsOffset: Count,
                trials: Count.describe('trials returned (result.sweep.trialCount: of all)'),
            }),
        })),
    'runs.promote': method('researcher', 'Mark a completed run as promoted (a candidate for the registry and execution). 409 unless completed.',
        z.strictObject({ id: Id, note: z.string().max(2000).optional() }),
        z.object({ run: RunSummarySchema })),
} as const;
