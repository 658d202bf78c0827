/**
 * The protocol of the AlphaForge daemon: the one place its methods, their parameters, results,
 * required roles and errors, and the WebSocket events are defined. The gateway validates every
 * call against this table and serves it over HTTP, WebSocket and gRPC; the TypeScript client
 * (CLI, VS Code extension, MCP server) is typed by it and checks results with it; docs/protocol.md
 * is generated from it. Pure data and zod schemas only: no I/O, nothing from runtime/.
 *
 * Conventions:
 * - Parameters are JSON-RPC by-name objects; unknown keys are refused (a typo is an error, not a no-op).
 * - Results are objects; clients ignore keys they do not know (a newer daemon may add some).
 * - Record times (created, started, …) are ISO 8601 UTC strings; bar times are epoch milliseconds.
 * - Numbers that may be NaN or infinite in the engine (metrics) are `number | null` on the wire.
 */
import { z } from 'zod';
import type { StrategyIr } from '../ir/ir.js';
import type { CanonicalDag } from '../ir/dag.js';

/** Bumped on any incompatible change of a method, event or error shape. */
export const PROTOCOL_VERSION = '2.0.0';

/** Where the daemon listens unless configured otherwise: loopback only. */
export const DEFAULT_DAEMON_HOST = '127.0.0.1';
export const DEFAULT_DAEMON_PORT = 7411;
/** Paths on the daemon's HTTP server. */
export const RPC_PATH = '/rpc';
export const WS_PATH = '/ws';
/** `PUT /uploads/<name>`: the bytes of a file to import (data.import {upload}); answers UploadResultSchema. */
export const UPLOADS_PATH = '/uploads';
/** `GET /exports/<name>`: a file data.export / experiments.export wrote to the caller's team export folder. */
export const EXPORTS_PATH = '/exports';
/** Largest upload by default: 1 GiB (the daemon's `maxUploadBytes`). */
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 ** 3;

// ------------------------------------------------------------------------------------------ roles

/** Least privileged first: each role may do everything the roles before it may. */
export const ROLES = ['viewer', 'researcher', 'trader', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** True when `have` is `need` or a more privileged role. */
export function roleAllows(have: Role, need: Role): boolean {
    return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

// ------------------------------------------------------------------------------------ error codes

/**
 * JSON-RPC error codes: the standard ones, and application codes that mirror HTTP statuses so a
 * reader recognises them. `data` carries details (see ErrorDataSchema).
 */
export const ErrorCodes = {
    ParseError: -32700,
    InvalidRequest: -32600,
    MethodNotFound: -32601,
    InvalidParams: -32602,
    InternalError: -32603,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PayloadTooLarge: 413,
    RateLimited: 429,
    NotAvailable: 501,
    Unavailable: 503,
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** What each code means, for docs/protocol.md and for clients that print errors. */
export const ERROR_DESCRIPTIONS: Readonly<Record<ErrorCode, string>> = {
    [-32700]: 'Parse error: the body is not valid JSON.',
    [-32600]: 'Invalid request: not a JSON-RPC 2.0 request object (or an empty or too large batch).',
    [-32601]: 'Method not found: no such method (see the method table).',
    [-32602]: 'Invalid params: `data.issues` lists each wrong field with its path; also used for user errors of a valid call (a strategy that does not compile, a bad filter, data that does not fit).',
    [-32603]: 'Internal error: a bug in the daemon. `data.requestId` names it in the daemon log; no stack trace is sent.',
    401: 'Unauthenticated: no bearer token, or one that is unknown, expired or revoked.',
    403: 'Forbidden: the token\'s user lacks the method\'s role in the team, or the token is not scoped for the method.',
    404: 'Not found: the run, experiment, user, team or token named does not exist (or is not visible to the caller\'s team).',
    409: 'Conflict: the call does not fit the current state (cancelling a finished run, a duplicate name).',
    413: 'Payload too large: the request exceeds the size limit (`data.limit` bytes).',
    429: 'Rate limited: too many calls for this token; `data.retryAfterMs` says when to retry.',
    501: 'Not available yet: the method is part of the protocol but the feature behind it has not landed; `data.pending` says what is missing.',
    503: 'Unavailable for a moment: something the method needs is being prepared (the similarity index rebuilding after an embedding change); the message says how far along it is. Retry shortly.',
};

export const IssueSchema = z.object({
    path: z.array(z.union([z.string(), z.number()])).describe('Where in `params` the problem is, e.g. ["spec", "symbols", 0]; [] for the whole object.'),
    message: z.string(),
    code: z.string().optional(),
});
export type Issue = z.infer<typeof IssueSchema>;

/** `error.data`: all fields optional; which appear depends on the code. */
export const ErrorDataSchema = z.object({
    requestId: z.string().optional().describe('Id of the call in the daemon log.'),
    method: z.string().optional(),
    issues: z.array(IssueSchema).optional().describe('-32602: every wrong field, with its path.'),
    requiredRole: RoleSchema.optional().describe('403: the role the method needs.'),
    limit: z.number().optional().describe('413: the limit in bytes; -32600: the batch limit.'),
    retryAfterMs: z.number().optional().describe('429: milliseconds until a call will be accepted.'),
    pending: z.string().optional().describe('501: what is missing and where it will come from.'),
}).catchall(z.unknown());
export type ErrorData = z.infer<typeof ErrorDataSchema>;

/**
 * An error of a call: thrown by handlers to choose the code (other errors become -32603) and by
 * the client when the daemon answered with an error. `data` is sent as is.
 */
export class RpcError extends Error {
    constructor(readonly code: number, message: string, readonly data?: ErrorData) {
        super(message);
        this.name = 'RpcError';
    }
}

// -------------------------------------------------------------------------------- JSON-RPC envelope

export const JsonRpcIdSchema = z.union([z.string().max(256), z.number(), z.null()]);
export type JsonRpcId = z.infer<typeof JsonRpcIdSchema>;

/** A request (with `id`) or a notification (without); params by name (an object) only. */
export const JsonRpcRequestSchema = z.object({
    jsonrpc: z.literal('2.0'),
    id: JsonRpcIdSchema.optional(),
    method: z.string().min(1).max(128),
    params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
});
export type JsonRpcRequest = z.infer<typeof JsonRpcRequestSchema>;

export const JsonRpcErrorSchema = z.object({ code: z.number().int(), message: z.string(), data: ErrorDataSchema.optional() });
export type JsonRpcError = z.infer<typeof JsonRpcErrorSchema>;

export const JsonRpcResponseSchema = z.union([
    z.object({ jsonrpc: z.literal('2.0'), id: JsonRpcIdSchema, result: z.unknown() }),
    z.object({ jsonrpc: z.literal('2.0'), id: JsonRpcIdSchema, error: JsonRpcErrorSchema }),
]);
export type JsonRpcResponse =
    | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
    | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcError };

// --------------------------------------------------------------------------------- shared schemas

/** Limits of single fields; the request as a whole is also limited by the gateway (default 1 MiB). */
export const MAX_SOURCE_CHARS = 1_000_000;
export const MAX_PAGE = 1000;

const Id = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only');
const Name = z.string().min(1).max(128);
const IsoTime = z.iso.datetime({ offset: true }).describe('ISO 8601 time, UTC');
const EpochMs = z.number().describe('ms since the epoch');
const Count = z.number().int().nonnegative();
const Source = z.string().max(MAX_SOURCE_CHARS).describe('The text of a .af file.');
const Uri = z.string().min(1).max(4096).describe('URI or path the source is known by: names it in diagnostics and resolves its relative imports.');
const DateArg = z.union([z.string().min(1).max(40), z.number().int()]).describe('YYYY-MM-DD, an ISO time, or epoch ms');
const Limit = z.number().int().min(1).max(MAX_PAGE).default(50);
const Offset = z.number().int().nonnegative().default(0);
const ParamValue = z.union([z.number(), z.boolean()]);
const AnyParamValue = z.union([z.number(), z.boolean(), z.string(), z.null()]);
const MetricValues = z.record(z.string(), z.number().nullable()).describe('Metric name → value; null where the engine computed NaN or ±∞.');
const TagKey = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');
const Tags = z.record(TagKey, z.string().max(256));
const Fingerprints = z.object({ exact: z.string(), structural: z.string() }).describe('SHA-256 of the canonical DAG with and without parameter values.');
const EmptyParams = z.strictObject({});

/** The strategy IR (docs/ir.md); validated as an object only, its shape is the language library's. */
const IrSchema = z.custom<StrategyIr>(v => typeof v === 'object' && v !== null && !Array.isArray(v)).describe('StrategyIr: see docs/ir.md');
const DagSchema = z.custom<CanonicalDag>(v => typeof v === 'object' && v !== null && !Array.isArray(v)).describe('CanonicalDag: see docs/ir.md');

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

// ---- language

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

const StrategyRef = { source: Source, uri: Uri.optional(), strategy: Name.optional().describe('Which strategy of the file (default: the first).') };

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

// ---- data

export const InstrumentSchema = z.object({
    id: z.string().describe('venue:SYMBOL'),
    venue: z.string(),
    symbol: z.string(),
    kind: z.enum(['pair', 'ticker']),
    base: z.string().optional(),
    quote: z.string().optional(),
});

export const SeriesSchema = z.object({
    id: z.string().describe('venue:SYMBOL'),
    venue: z.string(),
    symbol: z.string(),
    timeframe: z.string(),
    bars: Count,
    firstTs: EpochMs,
    lastTs: EpochMs,
    owner: z.string().describe('The team that owns the series: only it may replace or extend its bars'),
    visibility: z.enum(['team', 'shared']).describe('team: only the owner team reads it; shared: every team reads it'),
});

export const ImportProblemSchema = z.object({
    code: z.string(),
    severity: z.enum(['error', 'warning', 'info']),
    count: Count,
    message: z.string(),
    rows: z.array(z.number().int()),
    examples: z.array(z.string()),
    repair: z.enum(['drop', 'sort', 'drop-earlier']).optional(),
});

const ImportResultSchema = z.object({
    source: z.string(),
    instrument: InstrumentSchema,
    timeframe: z.string(),
    rowsIn: Count,
    rowsWritten: Count,
    rowsDropped: Count,
    replaced: Count,
    firstTs: EpochMs,
    lastTs: EpochMs,
    problems: z.array(ImportProblemSchema),
    notes: z.array(z.string()),
    seconds: z.number(),
});

export const EXPORT_FORMATS = ['parquet', 'arrow', 'csv'] as const;
/** The columns data.export may write (bars in long format). */
export const BAR_EXPORT_COLUMNS = ['symbol', 'ts', 'open', 'high', 'low', 'close', 'volume'] as const;
/** The answer to a data.export that still carries `query`. */
const NO_SQL_OVER_RPC = 'free SQL is not accepted over RPC; describe the bars instead: bars { ids: ["venue:SYMBOL"], timeframe, from?, to?, columns? }. Free queries are for the local CLI (af data export --sql), on a store it owns';
const ExportResultSchema = z.object({
    file: z.string().describe(`Name of the written file in the caller's team export folder: download it with GET ${EXPORTS_PATH}/<file> (DaemonClient.download)`),
    format: z.enum(EXPORT_FORMATS),
    rows: Count,
    columns: z.array(z.string()),
    bytes: Count,
});

/** An export's file name in the team's export folder (the daemon refuses folders, dot-files and unknown extensions). */
const ExportName = z.string().min(1).max(128)
    .describe('File name in your team\'s export folder (.parquet, .pq, .arrow, .feather, .ipc or .csv; no folders); default: one the daemon picks. Download it with GET /exports/<name>');

/** What `PUT /uploads/<name>` answers. */
export const UploadResultSchema = z.object({
    id: z.string().describe('Pass it as data.import {upload}; only your team can'),
    name: z.string(),
    bytes: Count,
    sha256: z.string(),
});
export type UploadResult = z.infer<typeof UploadResultSchema>;

// ---- runs

export const RUN_KINDS = ['backtest', 'sweep', 'walkforward'] as const;
export type RunKind = (typeof RUN_KINDS)[number];
export const RUN_STATES = ['created', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];
/** Metrics a sweep can rank by (the engine's SORT_METRICS). */
export const SORT_METRICS = ['sharpe', 'sortino', 'cagr', 'totalReturn', 'calmar', 'maxDrawdown', 'profitFactor', 'winRate'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

const RunKindSchema = z.enum(RUN_KINDS);
const RunStateSchema = z.enum(RUN_STATES);

const sweepFields = {
    mode: z.enum(['grid', 'random']).default('grid'),
    samples: z.number().int().min(1).max(1_000_000).optional().describe('random: number of combinations'),
    seed: z.number().int().optional(),
    sortBy: z.enum(SORT_METRICS).default('sharpe'),
    workers: z.number().int().min(1).max(256).optional(),
};
const walkforwardFields = {
    inSample: z.number().int().min(1).optional().describe('bars per in-sample window (default: a quarter of the data)'),
    outOfSample: z.number().int().min(1).optional().describe('bars per out-of-sample window (default: an eighth)'),
    scheme: z.enum(['rolling', 'anchored']).default('rolling'),
};
/** The fields of a run spec; `strict` for params (unknown keys refused), loose for results (a stored spec is shown as it is). */
function runSpecFields(strict: boolean) {
    const obj = strict ? z.strictObject : z.object;
    return {
        source: z.string().min(1).max(MAX_SOURCE_CHARS).describe('The strategy\'s .af text (recorded with the run).'),
        uri: Uri.optional(),
        strategy: Name.optional().describe('Which strategy of the file (default: the first).'),
        params: z.record(z.string(), ParamValue).optional().describe('Parameter values (sweeps: held fixed).'),
        symbols: z.array(z.string().min(1).max(128)).min(1).max(1000).optional().describe('Instruments to run on instead of the universe (same count and order).'),
        from: DateArg.optional(),
        to: DateArg.optional(),
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
    name: z.string().describe('e.g. result.json, report.html, equity.json'),
    mediaType: z.string(),
    bytes: Count,
    sha256: z.string().nullable().describe('SHA-256 recorded when the run completed (null for runs completed before artifacts were hashed)'),
    status: z.enum(['ok', 'missing', 'damaged']).describe('ok: as recorded (its content is checked against `sha256` when read) · missing: recorded, but the file is gone · damaged: its size differs from the record (truncated or altered); re-run the run to produce it anew'),
    path: z.string().describe('Path on the daemon\'s host'),
});

// ---- experiments

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
const BestRunSchema = z.object({
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

// ---- IAM

const TokenInfoSchema = z.object({
    id: z.string(),
    prefix: z.string(),
    name: z.string(),
    userId: z.string(),
    userName: z.string(),
    teamId: z.string(),
    teamName: z.string(),
    scopes: z.array(z.string()),
    createdAt: IsoTime,
    createdBy: z.string().nullable(),
    expiresAt: IsoTime.nullable(),
    revokedAt: IsoTime.nullable(),
    lastUsedAt: IsoTime.nullable(),
    state: z.enum(['active', 'expired', 'revoked']),
});
const UserInfoSchema = z.object({
    id: z.string(),
    name: z.string(),
    createdAt: IsoTime,
    disabled: z.boolean(),
    memberships: z.array(z.object({ teamId: z.string(), teamName: z.string(), role: RoleSchema })),
});
const TeamInfoSchema = z.object({
    id: z.string(),
    name: z.string(),
    createdAt: IsoTime,
    members: z.array(z.object({ userId: z.string(), userName: z.string(), role: RoleSchema })),
});
// ---- audit

/** How an audited actor reached the daemon: a transport of the gateway, the local CLI, or the daemon itself. */
export const AUDIT_TRANSPORTS = ['http', 'ws', 'grpc', 'cli', 'daemon'] as const;
const AuditValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()]))]);

/**
 * One line of `<state dir>/logs/audit.log`: who did what to what, and how it ended. Never a
 * secret, a source text or an error message (they may quote what they should not): ids,
 * names and counts only.
 */
export const AuditRecordSchema = z.object({
    time: IsoTime,
    actor: z.object({
        user: z.string().optional(),
        userId: z.string().optional(),
        team: z.string().optional(),
        teamId: z.string().optional(),
        role: RoleSchema.optional(),
        token: z.string().optional().describe('The token id (tok_…) of an authenticated caller, or the public part (af_XXXXXXXX…) of a refused token'),
        address: z.string().optional().describe('Remote address of the connection'),
        transport: z.enum(AUDIT_TRANSPORTS),
    }),
    method: z.string().describe('The RPC method, or auth (a refused credential), events.subscribe, daemon.start, daemon.stop, daemon.recover, cli.data.import, cli.data.export'),
    target: z.record(z.string(), AuditValue).describe('Ids, names and counts from the params and the result'),
    result: z.enum(['ok', 'error']),
    code: z.number().int().optional().describe('The error code (401, 403, 429, -32602, …) when result is error'),
    reason: z.string().optional().describe('Why a credential was refused: missing, malformed, unknown, expired, revoked, disabled, no-membership'),
    requestId: z.string().optional(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

const MembershipSchema = z.object({ userId: z.string(), userName: z.string(), teamId: z.string(), teamName: z.string(), role: RoleSchema });
const Scope = z.string().min(1).max(128);
const UserRef = z.string().min(1).max(128).describe('user id or name');
const TeamRef = z.string().min(1).max(128).describe('team id or name');

// ---------------------------------------------------------------------------------- method table

export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType, A extends boolean = boolean> {
    /** Validates the call's params (by name). Handlers receive its output (defaults applied). */
    readonly params: P;
    /** What the method returns; the gateway and the client both check it. */
    readonly result: R;
    /** The least role that may call it (IAM also checks the token's scopes). */
    readonly role: Role;
    readonly description: string;
    /** False for placeholders: they answer 501 until their feature lands. */
    readonly available: A;
    /** Placeholders: what is missing and where it will come from (sent in the 501's message). */
    readonly pending?: string;
}

function method<P extends z.ZodType, R extends z.ZodType>(role: Role, description: string, params: P, result: R): MethodSpec<P, R, true> {
    return { params, result, role, description, available: true };
}

/** A method whose feature has not landed: part of the protocol (so clients can be written against it) but answering 501. */
function placeholder<P extends z.ZodType, R extends z.ZodType>(role: Role, description: string, pending: string, params: P, result: R): MethodSpec<P, R, false> {
    return { params, result, role, description, available: false, pending };
}

const REGISTRY_PENDING = 'the strategy registry (versioned, promoted strategies) has no issue yet; promote runs with runs.promote meanwhile';
const EXECUTION_PENDING = 'the execution gateway (paper and live trading behind risk checks) has no issue yet';

const ExecutionStartParams = z.strictObject({
    runId: Id.describe('A promoted run: its strategy, parameters and universe'),
    account: z.string().min(1).max(128).optional(),
    capital: z.number().positive().optional(),
});
const DeploymentSchema = z.object({
    id: z.string(),
    mode: z.enum(['paper', 'live']),
    runId: z.string(),
    state: z.enum(['starting', 'running', 'stopping', 'stopped', 'failed']),
    startedAt: IsoTime,
});

export const METHODS = {
    // ---- daemon
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

    // ---- language
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

    // ---- data
    'data.list': method('viewer', 'Stored bar series the caller\'s team may read (its own and shared ones): instrument, timeframe, bar count, first and last bar, owner team and visibility.',
        z.strictObject({ venue: z.string().max(64).optional(), symbol: z.string().max(128).optional(), timeframe: z.string().max(16).optional() }),
        z.object({ series: z.array(SeriesSchema) })),
    'data.import': method('researcher', 'Import bars from a CSV or Parquet file (validated; all or nothing, like `af data import`): an upload of your team (`PUT /uploads/<name>`, then `upload`), or a file in the daemon\'s data directories (`file`). A new series is owned by the caller\'s team; a series of another team is refused (403), and replaced bars are kept so older snapshots stay reproducible.',
        z.strictObject({
            file: z.string().min(1).max(4096).optional().describe('A .csv, .tsv, .parquet or .pq file on the daemon\'s host inside its data directories (the workspace it runs in, `--data-dir`, `<state dir>/imports/`); errors name the file, line numbers and problem classes only'),
            upload: z.string().min(1).max(64).optional().describe('The id of an upload of your team (PUT /uploads/<name>); errors may quote the file'),
            venue: z.string().min(1).max(64),
            symbol: z.string().min(1).max(128),
            timeframe: z.string().min(1).max(16),
            calendar: z.enum(['24x7', 'weekdays']).optional(),
            repair: z.boolean().default(false),
            allowGaps: z.boolean().default(false),
            map: z.strictObject({ ts: z.string(), open: z.string(), high: z.string(), low: z.string(), close: z.string(), volume: z.string() }).partial().optional().describe('field → source column'),
            dateFormat: z.string().max(64).optional(),
            format: z.enum(['csv', 'parquet']).optional(),
            visibility: z.enum(['team', 'shared']).optional().describe('team (default for a new series): only the caller\'s team reads it; shared: every team reads it (needs the admin role)'),
        }).superRefine((v, ctx) => {
            if ((v.file === undefined) === (v.upload === undefined)) ctx.addIssue({ code: 'custom', path: ['upload'], message: 'give exactly one of upload and file' });
        }),
        ImportResultSchema),
    'data.export': method('researcher', 'Write stored bars the caller\'s team may read to a Parquet, Arrow IPC or CSV file in your team\'s export folder (download it with `GET /exports/<file>`): instruments, timeframe (resampled from a finer stored one when needed), range and columns. No SQL over RPC: free queries are for the local CLI (`af data export --sql`).',
        z.strictObject({
            name: ExportName.optional(),
            format: z.enum(EXPORT_FORMATS).optional().describe('default: from the name\'s extension, else parquet'),
            bars: z.strictObject({
                ids: z.array(z.string().min(1).max(128)).min(1).max(1000).describe('venue:SYMBOL'),
                timeframe: z.string().min(1).max(16).describe('stored, or a coarser multiple of a stored one (resampled as runs see it)'),
                from: DateArg.optional(),
                to: DateArg.optional(),
                columns: z.array(z.enum(BAR_EXPORT_COLUMNS)).min(1).max(BAR_EXPORT_COLUMNS.length).optional()
                    .refine(c => c === undefined || new Set(c).size === c.length, 'a column is named twice')
                    .describe('default: all, in this order'),
            }),
        }, { error: i => (i.code === 'unrecognized_keys' && i.keys.includes('query') ? NO_SQL_OVER_RPC : undefined) }),
        ExportResultSchema),

    // ---- runs
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
    'runs.artifacts': method('viewer', 'Artifacts of a run (result, report, curves), each with its recorded SHA-256 and status; with `name`, also that artifact\'s content, checked against the SHA-256 (404 when it is missing, 409 when it is damaged).',
        z.strictObject({
            id: Id,
            name: z.string().min(1).max(256).optional(),
            maxBytes: z.number().int().min(1).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
        }),
        z.object({
            artifacts: z.array(ArtifactSchema),
            content: z.object({ name: z.string(), encoding: z.enum(['utf8', 'base64']), data: z.string(), truncated: z.boolean() }).optional(),
        })),
    'runs.promote': method('researcher', 'Mark a completed run as promoted (a candidate for the registry and execution). 409 unless completed.',
        z.strictObject({ id: Id, note: z.string().max(2000).optional() }),
        z.object({ run: RunSummarySchema })),

    // ---- experiments
    'experiments.create': method('researcher', 'Create an experiment in the caller\'s team (names are unique per team; 409 otherwise).',
        z.strictObject({ name: Name, description: z.string().max(2000).optional() }),
        z.object({ experiment: ExperimentSchema })),
    'experiments.list': method('viewer', 'Experiments of the caller\'s team, newest first.',
        z.strictObject({ limit: Limit, offset: Offset }),
        z.object({ experiments: z.array(ExperimentSchema), total: Count })),
    'experiments.search': method('viewer', 'Search runs with the filter language (`metrics.sharpe > 1 and tags.style = \'trend\'`), sorted and paginated. A bad filter is -32602 with the offending token\'s position.',
        z.strictObject({
            experimentId: Id.optional(),
            filter: z.string().max(4000).optional(),
            orderBy: z.string().max(256).optional().describe('e.g. "metrics.sharpe desc, created asc"'),
            limit: Limit,
            offset: Offset,
        }),
        z.object({ runs: z.array(SearchRowSchema), total: Count })),
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

    // ---- similarity
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

    // ---- IAM
    'iam.whoami': method('viewer', 'The caller as the daemon sees it: user, team, role, token scopes.',
        EmptyParams,
        z.object({ principal: PrincipalSchema })),
    'iam.tokens.create': method('viewer', 'Create an API token (shown once). Non-admins create tokens for themselves only, never wider-scoped than their own.',
        z.strictObject({
            name: z.string().min(1).max(100),
            scopes: z.array(Scope).min(1).max(64).optional().describe('default ["*"]'),
            ttlMs: z.number().int().positive().optional().describe('lifetime; none = never expires'),
            user: UserRef.optional().describe('default: the caller'),
            team: TeamRef.optional().describe('default: the caller\'s team'),
        }),
        z.object({ id: z.string(), token: z.string().describe('The secret: shown this once, stored nowhere'), prefix: z.string(), expiresAt: IsoTime.nullable() })),
    'iam.tokens.list': method('viewer', 'Tokens (never secrets), newest first: one\'s own, or anyone\'s for admins.',
        z.strictObject({ user: UserRef.optional(), team: TeamRef.optional() }),
        z.object({ tokens: z.array(TokenInfoSchema) })),
    'iam.tokens.revoke': method('viewer', 'Revoke a token at once (one\'s own, or anyone\'s for admins).',
        z.strictObject({ id: Id }),
        z.object({ token: TokenInfoSchema })),
    'iam.users.create': method('admin', 'Create a user (then add them to a team with iam.members.set).',
        z.strictObject({ name: Name }),
        z.object({ user: UserInfoSchema })),
    'iam.users.list': method('admin', 'Every user with their memberships.',
        EmptyParams,
        z.object({ users: z.array(UserInfoSchema) })),
    'iam.users.disable': method('admin', 'Disable a user: their tokens stop working at once.',
        z.strictObject({ user: UserRef }),
        z.object({ user: UserInfoSchema })),
    'iam.users.enable': method('admin', 'Enable a disabled user again.',
        z.strictObject({ user: UserRef }),
        z.object({ user: UserInfoSchema })),
    'iam.teams.create': method('admin', 'Create a team.',
        z.strictObject({ name: Name }),
        z.object({ team: TeamInfoSchema })),
    'iam.teams.list': method('admin', 'Every team with its members.',
        EmptyParams,
        z.object({ teams: z.array(TeamInfoSchema) })),
    'iam.members.set': method('admin', 'Give a user a role in a team, or remove them from it (role null).',
        z.strictObject({ user: UserRef, team: TeamRef, role: RoleSchema.nullable() }),
        z.object({ membership: MembershipSchema.nullable().describe('null when removed') })),

    // ---- audit
    'audit.list': method('admin', 'Records of the audit log (IAM changes, refused credentials and calls, imports, exports, promotions, cancellations, daemon start, stop and crash recovery), oldest first: the last `limit` that match.',
        z.strictObject({
            since: z.string().min(1).max(40).optional().describe('an ISO time or a duration back from now: 30s, 15m, 2h, 1d'),
            actor: z.string().min(1).max(128).optional().describe('user name or id, token id or prefix, or address'),
            method: z.string().min(1).max(128).optional().describe('method prefix, e.g. iam. or data.import'),
            limit: z.number().int().min(1).max(10_000).default(100),
        }),
        z.object({ records: z.array(AuditRecordSchema), matched: Count.describe('Records that match, before `limit`') })),

    // ---- placeholders: part of the protocol, answering 501 until their issues land
    'registry.publish': placeholder('researcher', 'Publish a promoted run\'s strategy as a versioned registry entry.', REGISTRY_PENDING,
        z.strictObject({ runId: Id, name: Name, notes: z.string().max(2000).optional() }),
        z.object({ name: z.string(), version: z.number().int(), runId: z.string(), publishedAt: IsoTime })),
    'registry.list': placeholder('viewer', 'Registry entries with their versions.', REGISTRY_PENDING,
        z.strictObject({ name: Name.optional() }),
        z.object({ entries: z.array(z.object({ name: z.string(), version: z.number().int(), runId: z.string(), publishedAt: IsoTime })) })),
    'execution.paper.start': placeholder('trader', 'Start paper trading a promoted run.', EXECUTION_PENDING,
        ExecutionStartParams, z.object({ deployment: DeploymentSchema })),
    'execution.live.start': placeholder('trader', 'Start live trading a promoted run (behind the risk checks).', EXECUTION_PENDING,
        ExecutionStartParams, z.object({ deployment: DeploymentSchema })),
    'execution.stop': placeholder('trader', 'Stop a paper or live deployment.', EXECUTION_PENDING,
        z.strictObject({ id: Id }), z.object({ deployment: DeploymentSchema })),
    'execution.list': placeholder('viewer', 'Paper and live deployments.', EXECUTION_PENDING,
        EmptyParams, z.object({ deployments: z.array(DeploymentSchema) })),
} as const;

export type Methods = typeof METHODS;
export type MethodName = keyof Methods;
/** Methods that are implemented (not placeholders): the daemon must provide a handler for each. */
export type AvailableMethodName = { [M in MethodName]: Methods[M]['available'] extends true ? M : never }[MethodName];
/** What a handler receives: the params after validation (defaults applied). */
export type ParamsOf<M extends MethodName> = z.output<Methods[M]['params']>;
/** What a caller sends: optional fields with defaults may be left out. */
export type ParamsInput<M extends MethodName> = z.input<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = z.output<Methods[M]['result']>;

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

export function isMethodName(name: string): name is MethodName {
    return Object.prototype.hasOwnProperty.call(METHODS, name);
}

/** The table as `daemon.info` reports it. */
export function methodCatalogue(): { name: MethodName; role: Role; available: boolean }[] {
    return METHOD_NAMES.map(name => ({ name, role: METHODS[name].role, available: METHODS[name].available }));
}

// ---------------------------------------------------------------------------- events (WebSocket, gRPC)

/**
 * Topics a client subscribes to: `run:<id>` (lifecycle, progress and log events of one run),
 * `runs` (lifecycle and progress of every run of the caller's team; no logs) and `alerts`.
 */
export const TOPIC_RE = /^(?:run:[A-Za-z0-9_.:-]{1,128}|runs|alerts)$/;
export const TopicSchema = z.string().regex(TOPIC_RE, 'a topic is run:<id>, runs or alerts');
export type Topic = `run:${string}` | 'runs' | 'alerts';
export const MAX_TOPICS = 256;

export const RunLifecycleEventSchema = z.object({
    type: z.literal('lifecycle'),
    runId: z.string(),
    seq: Count.describe('The run\'s event sequence number'),
    ts: IsoTime,
    state: RunStateSchema.or(z.literal('promoted')),
    previous: RunStateSchema.nullable(),
    actor: z.string().describe('user name, or "system"'),
    message: z.string().nullable(),
});
export const RunProgressEventSchema = z.object({
    type: z.literal('progress'),
    runId: z.string(),
    ts: IsoTime,
    done: z.number().min(0).max(1).describe('fraction done'),
    completed: Count.optional().describe('trials or bars done'),
    total: Count.optional(),
    message: z.string().optional(),
});
export const RunLogEventSchema = z.object({
    type: z.literal('log'),
    runId: z.string(),
    seq: Count.describe('The line\'s sequence number (as in runs.logs)'),
    ts: IsoTime,
    level: z.enum(LOG_LEVELS),
    message: z.string(),
});
export const AlertEventSchema = z.object({
    type: z.literal('alert'),
    ts: IsoTime.describe('evaluation that saw the transition'),
    rule: z.string().describe('alert rule, e.g. run_failure_rate, queue_stuck, daemon_memory'),
    state: z.enum(['firing', 'resolved']),
    severity: z.enum(['warning', 'critical']),
    message: z.string(),
    value: z.number().describe('the measured value'),
    threshold: z.number().describe('the configured threshold, same unit'),
});
/** Sent once when events had to be dropped for a slow consumer (progress first, then logs); re-read state with runs.get / runs.logs. */
export const LaggedEventSchema = z.object({
    type: z.literal('lagged'),
    ts: IsoTime,
    dropped: Count,
    droppedProgress: Count,
    droppedLogs: Count,
    runIds: z.array(z.string()).describe('Runs some of whose events were dropped'),
});

/** What the daemon publishes. */
export const DaemonEventSchema = z.discriminatedUnion('type', [RunLifecycleEventSchema, RunProgressEventSchema, RunLogEventSchema, AlertEventSchema]);
export type DaemonEvent = z.infer<typeof DaemonEventSchema>;
/** What a subscriber receives: the daemon's events and the lag notice. */
export const StreamEventSchema = z.discriminatedUnion('type', [RunLifecycleEventSchema, RunProgressEventSchema, RunLogEventSchema, AlertEventSchema, LaggedEventSchema]);
export type StreamEvent = z.infer<typeof StreamEventSchema>;
export type LaggedEvent = z.infer<typeof LaggedEventSchema>;

/** The topics an event is delivered on. */
export function topicsOf(event: DaemonEvent): Topic[] {
    switch (event.type) {
        case 'lifecycle':
        case 'progress': return [`run:${event.runId}`, 'runs'];
        case 'log': return [`run:${event.runId}`];
        case 'alert': return ['alerts'];
    }
}

/**
 * Methods of a WebSocket session besides the table's: authentication by first message (when
 * the upgrade request carried no token) and event subscriptions. Events arrive as JSON-RPC
 * notifications `{"jsonrpc":"2.0","method":"event","params":<StreamEvent>}`.
 */
export const WS_METHODS = {
    auth: {
        description: 'Authenticate the session with a bearer token (first message, unless the upgrade request had `Authorization: Bearer` or `?token=`).',
        params: z.strictObject({ token: z.string().min(1).max(4096) }),
        result: z.object({ principal: PrincipalSchema }),
    },
    'events.subscribe': {
        description: 'Add topics: `run:<id>`, `runs`, `alerts`. Returns every topic of the session.',
        params: z.strictObject({ topics: z.array(TopicSchema).min(1).max(MAX_TOPICS) }),
        result: z.object({ topics: z.array(z.string()) }),
    },
    'events.unsubscribe': {
        description: 'Remove topics (all when `topics` is left out). Returns the topics left.',
        params: z.strictObject({ topics: z.array(TopicSchema).max(MAX_TOPICS).optional() }),
        result: z.object({ topics: z.array(z.string()) }),
    },
} as const;
export type WsMethodName = keyof typeof WS_METHODS;

/** Close codes of a WebSocket session the daemon ends. */
export const WS_CLOSE = {
    /** No (valid) token: the first message was not a successful `auth`, or the token was revoked or expired, its user disabled or removed from the team (the session closes at once). */
    Unauthenticated: 4401,
    /** No `auth` message within the authentication timeout. */
    AuthTimeout: 4408,
    /** The session's credential no longer allows its subscriptions (its user's role or the token's scopes). */
    Forbidden: 4403,
    /** The client read too slowly even after progress and log events were dropped. */
    TooSlow: 4429,
} as const;

/** The JSON-RPC method of event notifications. */
export const EVENT_NOTIFICATION = 'event';
export const EventNotificationSchema = z.object({ jsonrpc: z.literal('2.0'), method: z.literal(EVENT_NOTIFICATION), params: StreamEventSchema });

/** Converts zod issues to the wire form of `data.issues` (paths as strings and numbers). */
export function issuesOf(error: z.ZodError): Issue[] {
    return error.issues.flatMap((i): Issue[] => {
        const path = i.path.map(p => (typeof p === 'number' ? p : String(p)));
        // One issue per unknown key, each with its own path (zod reports them together at the parent).
        // A schema may explain a key it no longer takes (data.export's query); zod's own message is replaced.
        if (i.code === 'unrecognized_keys') return i.keys.map(k => ({ path: [...path, k], message: /^Unrecognized keys?:/.test(i.message) ? `unknown field '${k}'` : i.message, code: i.code }));
        return [{ path, message: i.message, code: i.code }];
    });
}
