/**
 * The MCP server (`af mcp`): the platform's research loop as tools an AI agent calls — lint,
 * compile, backtest, sweep, search experiments, find similar strategies, read runs, their logs and
 * the stored data, the strategy registry (publish, list, show, approve, retire, diff), and the structural diff of two strategies. Every tool is a thin translation onto the daemon's JSON-RPC methods through the
 * same typed `DaemonClient` the CLI and the VS Code extension use, so the agent is authenticated
 * and authorised like any client (its token's role and scopes decide what it may do).
 *
 * Each result is a short text summary (what a model reads first) plus `structuredContent` (the
 * JSON, for agents that parse it). A daemon error — bad params, a filter error with its column,
 * 401/403 — is a tool error (`isError: true`) with the daemon's message; the server never crashes.
 * Runs are awaited by polling `runs.get` (subscriptions need the `events` scope, which an agent's
 * token usually lacks), reporting progress to clients that asked for it.
 *
 * `file` arguments name .af files inside the workspace (where `af mcp` runs, or `--workspace`),
 * checked on the real path after symlinks (PathConfinement): an agent — or whoever wrote the
 * prompt it follows — cannot make the server read, and echo back in diagnostics, any other file
 * the user can read (tokens, keys, /etc/…).
 */
import { formatMetric } from '../../../protocol/src/metrics.js';
import { fromWire, type WireNumber } from '../../../protocol/src/numbers.js';
import { describeOverfitting, type LedgerPart, type Overfitting } from '../../../protocol/src/run-result.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
    ERROR_DESCRIPTIONS, ErrorCodes, RpcError, SORT_METRICS, LOG_LEVELS,
    type Deployment, type Diagnostic, type DiffSide, type ErrorCode, type ParamsInput, type RegistryEntry, type RunDetail, type RunKind, type RunState, type SimilarResult,
} from '../../../protocol/src/daemon/index.js';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { DaemonUnreachableError, type DaemonClient } from '../../../protocol/src/client.js';
import { resolveStateDir } from '../../../protocol/src/discovery.js';
import { findSimilar, SimilarQueryError } from '../similarity/find.js';
import { formatDagDiff } from '../../../language/src/ir/dag-diff.js';
import { ConfinementError, PathConfinement, printable } from '../security/confine.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface McpServerOptions {
    /** The workspace: `file` arguments are .af files inside it, relative paths resolved against it (default: `cwd`). */
    readonly workspace?: string;
    /** Older name of `workspace` (default: the process's working directory). */
    readonly cwd?: string;
    /** Poll interval bounds while waiting for a run, ms (tests shorten them). Default 200..1000. */
    readonly pollMs?: { readonly min: number; readonly max: number };
    /** State directory of the workspace similarity index (default: .alphaforge or $AF_STATE_DIR). */
    readonly stateDir?: string;
}

/** Runs in these states will not change any more. */
const FINAL_STATES: readonly RunState[] = ['completed', 'failed', 'cancelled'];
/** Metrics shown in the text summaries (all of them are in structuredContent). */
const HEADLINE_METRICS = ['sharpe', 'sortino', 'totalReturn', 'cagr', 'maxDrawdown', 'calmar', 'winRate', 'profitFactor', 'tradeCount', 'exposure'] as const;
/** Default wait for backtest/sweep: under the 60 s request timeout most MCP clients use. */
const DEFAULT_WAIT_SECONDS = 50;

export const MCP_SERVER_NAME = 'alphaforge';

/** The package version, from the repository's package.json (found upward: src/ in tests, out/ otherwise). */
export const MCP_SERVER_VERSION = ((): string => {
    for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
        const f = join(dir, 'package.json');
        if (!existsSync(f)) continue;
        try {
            const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
            if (pkg.name === 'alphaforge' && pkg.version) return pkg.version;
        } catch {
            // not ours
        }
    }
    return '0.0.0';
})();

const INSTRUCTIONS = `AlphaForge: a quant research platform. Strategies are written in the AlphaForge Strategy Language (.af files: \`strategy Name { universe: venue:SYMBOL  timeframe: 1d  param p: int = 20 in 5..60 step 5  feature f = sma(close, p)  rules { when crossover(close, f) => target 100% long  when crossunder(close, f) => flat } }\`).
A typical session: list_data (which instruments and dates exist) → lint (fix every error; each diagnostic has a stable code such as AF101) → compile (fingerprints, parameter space) → backtest (metrics + provenance) → sweep (best parameters, deflated Sharpe: a best-of-N Sharpe deflated for the number of trials; below ~0.95 the edge may be luck) → search_experiments (the run store, filter language) → find_similar (has something like this been tried?) → get_run / get_run_logs.
Pass strategy text as \`source\`, or a path as \`file\`. Runs execute on the daemon; backtest and sweep wait up to timeoutSeconds and otherwise return the run id (then call get_run with waitSeconds).
A strategy worth trading goes to the registry: registry_publish a promoted run (or a file) → a trader who is not the author registry_approve-s it; registry_diff compares versions.`;

// ---------------------------------------------------------------------------------- input shapes

const sourceFields = {
    source: z.string().max(1_000_000).optional().describe('The strategy\'s .af text. Give this or `file`.'),
    file: z.string().min(1).max(4096).optional().describe('Path of a .af file in the workspace (relative to where af mcp runs; files outside it, and other kinds of files, are refused). Give this or `source`.'),
    uri: z.string().min(1).max(4096).optional().describe('Name of the source in diagnostics and base of its relative imports (default: the file\'s URL, or memory:///strategy.af).'),
};
const strategyField = { strategy: z.string().min(1).max(128).optional().describe('Which strategy of the file (default: the first).') };
const ParamValue = z.union([z.number(), z.boolean()]);
const DateArg = z.union([z.string().min(1).max(40), z.number().int()]).describe('YYYY-MM-DD, an ISO time, or epoch ms');
const runFields = {
    ...sourceFields,
    ...strategyField,
    params: z.record(z.string(), ParamValue).optional().describe('Parameter values, e.g. {"fast": 10}; unset ones take their defaults (a sweep holds these fixed).'),
    symbols: z.array(z.string().min(1).max(128)).min(1).max(1000).optional().describe('Instruments (venue:SYMBOL) to run on instead of the strategy\'s universe, same count and order.'),
    from: DateArg.optional().describe('First bar: YYYY-MM-DD, an ISO time or epoch ms (default: all stored data).'),
    to: DateArg.optional().describe('Last bar (default: the latest stored).'),
    benchmark: z.string().min(3).max(128).optional().describe('Compare with buy-and-hold of this stored series (venue:SYMBOL, same timeframe, covering the run\'s bars): alpha, beta, information ratio, capture. Default: buy-and-hold of the traded assets.'),
    tags: z.record(z.string(), z.string().max(256)).optional().describe('Tags recorded with the run (searchable as tags.KEY).'),
    experimentId: z.string().min(1).max(128).optional().describe('Record the run under this experiment.'),
    wait: z.boolean().default(true).describe('Wait for the run to finish (default). false: return the run id at once.'),
    timeoutSeconds: z.number().min(1).max(3600).default(DEFAULT_WAIT_SECONDS).describe(`How long to wait (default ${DEFAULT_WAIT_SECONDS} s). The run keeps going after it: call get_run with waitSeconds.`),
};

// ---------------------------------------------------------------------------------- formatting

const fmtNum = (w: WireNumber | undefined, digits = 3): string => { const v = fromWire(w); return Number.isFinite(v) ? String(Number(v.toFixed(digits))) : 'n/a'; };
const fmtParams = (p: Readonly<Record<string, unknown>> | null | undefined): string =>
    p && Object.keys(p).length ? Object.entries(p).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '(none)';
const headline = (m: Readonly<Record<string, WireNumber>> | null | undefined, keys: readonly string[] = HEADLINE_METRICS): string =>
    m ? keys.filter(k => k in m).map(k => `${k} ${formatMetric(k, m[k])}`).join(', ') : 'no metrics';
const diagLine = (d: Diagnostic): string => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;

function ok(text: string, structured: Record<string, unknown>): CallToolResult {
    return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** A user error of the MCP layer (bad combination of arguments, unreadable file). */
class ToolInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ToolInputError';
    }
}

/** Any failure as a tool error: the daemon's message (with field issues and the code's meaning), never a crash. */
export function toolError(e: unknown): CallToolResult {
    if (e instanceof RpcError) {
        const issues = e.data?.issues ?? [];
        const detail = issues.length ? `\n${issues.map(i => `  ${i.path.join('.') || '(params)'}: ${i.message}`).join('\n')}` : '';
        const meaning = ERROR_DESCRIPTIONS[e.code as ErrorCode];
        const hint = e.code === ErrorCodes.Unauthenticated
            ? '\nThe token given to af mcp (--token, $AF_TOKEN, af login) is missing, unknown, expired or revoked: create one with `af token create`.'
            : e.code === ErrorCodes.Forbidden ? '\nThe token\'s role or scopes do not allow this; ask an admin for a token with the needed scope.' : '';
        return {
            isError: true,
            content: [{ type: 'text', text: `error ${e.code}${meaning ? ` (${meaning.split(':')[0]})` : ''}: ${e.message}${detail}${hint}` }],
            structuredContent: { error: { code: e.code, message: e.message, ...(e.data ? { data: e.data } : {}) } },
        };
    }
    const message = e instanceof Error ? e.message : String(e);
    const kind = e instanceof DaemonUnreachableError ? 'unreachable' : e instanceof ToolInputError ? 'input' : 'internal';
    return { isError: true, content: [{ type: 'text', text: `error: ${message}` }], structuredContent: { error: { kind, message } } };
}

/** Wraps a handler: whatever it throws becomes a tool error. */
function guarded<A>(fn: (args: A, extra: Extra) => Promise<CallToolResult>): (args: A, extra: Extra) => Promise<CallToolResult> {
    return async (args, extra) => {
        try {
            return await fn(args, extra);
        } catch (e) {
            return toolError(e);
        }
    };
}

// ---------------------------------------------------------------------------------- server

/**
 * An MCP server whose tools call the daemon through `client`. Connect it to a transport
 * (`af mcp` uses stdio); every call carries the client's token.
 */
export function createMcpServer(client: DaemonClient, options: McpServerOptions = {}): McpServer {
    const server = new McpServer({ name: MCP_SERVER_NAME, title: 'AlphaForge', version: MCP_SERVER_VERSION }, { instructions: INSTRUCTIONS });
    const cwd = resolve(options.workspace ?? options.cwd ?? process.cwd());
    const poll = options.pollMs ?? { min: 200, max: 1000 };
    const workspace = new PathConfinement([{ path: cwd, label: `the workspace (${cwd})` }]);

    /** The real path of a `file` argument: a .af file inside the workspace, or a ToolInputError that quotes nothing of any file. */
    const afFile = (file: string): string => {
        try {
            return workspace.resolve(file, { kind: 'file', extensions: ['.af'] });
        } catch (e) {
            if (!(e instanceof ConfinementError)) throw e;
            throw new ToolInputError(/outside the folders/.test(e.message)
                ? `'${printable(file)}' is outside the workspace (${cwd}): only .af files in it can be read; or pass the strategy text as \`source\``
                : e.message);
        }
    };

    /** The source text and its URI from `source` or `file` (exactly one). */
    const sourceOf = (a: { source?: string | undefined; file?: string | undefined; uri?: string | undefined }): { source: string; uri?: string } => {
        if ((a.source === undefined) === (a.file === undefined)) throw new ToolInputError('give exactly one of `source` (the .af text) and `file` (a path)');
        if (a.source !== undefined) return { source: a.source, ...(a.uri ? { uri: a.uri } : {}) };
        const path = afFile(a.file!);
        let text: string;
        try {
            text = readFileSync(path, 'utf8');
        } catch (e) {
            throw new ToolInputError(`${a.file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the path is resolved against ${cwd}`);
        }
        return { source: text, uri: a.uri ?? pathToFileURL(path).href };
    };

    /** Polls runs.get until the run is final, the time is up or the call is cancelled. */
    const awaitRun = async (id: string, seconds: number, extra: Extra): Promise<{ run: RunDetail; timedOut: boolean }> => {
        const deadline = Date.now() + seconds * 1000;
        const progressToken = extra._meta?.progressToken;
        let interval = poll.min;
        let lastProgress = -1;
        for (;;) {
            const { run } = await client.call('runs.get', { id });
            if (FINAL_STATES.includes(run.state)) return { run, timedOut: false };
            if (progressToken !== undefined) {
                const done = run.progress ?? 0;
                if (done > lastProgress) {
                    lastProgress = done;
                    await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: done, total: 1, message: `${run.kind} ${run.id} ${run.state}` } }).catch(() => undefined);
                }
            }
            const left = deadline - Date.now();
            if (left <= 0) return { run, timedOut: true };
            await sleep(Math.min(interval, left), extra.signal);
            interval = Math.min(poll.max, Math.round(interval * 1.5));
        }
    };

    /** The last warning and error lines of a run (for a failed run's summary). */
    const problemLines = async (id: string): Promise<string[]> => {
        try {
            const r = await client.call('runs.logs', { id, level: 'warn', limit: 10_000 });
            return r.lines.slice(-5).map(l => `${l.level}: ${l.message}`);
        } catch {
            return [];
        }
    };

    const provenanceOf = (run: RunDetail) => ({
        exactFingerprint: run.fingerprints?.exact ?? null,
        structuralFingerprint: run.fingerprints?.structural ?? null,
        dataSnapshot: run.dataSnapshot,
        engineVersion: run.engineVersion,
        seed: run.seed,
    });

    /** A run as the tools return it: the essentials first, the spec without the (long) source. */
    const runView = (run: RunDetail) => {
        const { source, ...spec } = run.spec;
        return {
            runId: run.id, kind: run.kind, state: run.state, strategy: run.strategy, params: run.params, metrics: run.metrics,
            provenance: provenanceOf(run), error: run.error, owner: run.owner, team: run.team, experimentId: run.experimentId,
            tags: run.tags, promoted: run.promoted, createdAt: run.createdAt, startedAt: run.startedAt, finishedAt: run.finishedAt,
            progress: run.progress, traceId: run.traceId, spec: { ...spec, sourceChars: source.length },
        };
    };

    const runText = (run: RunDetail): string => {
        const lines = [`${run.kind} ${run.id} ${run.state}${run.strategy ? ` (${run.strategy})` : ''}`];
        if (run.error) lines.push(`error: ${run.error}`);
        if (run.params) lines.push(`params: ${fmtParams(run.params)}`);
        if (run.metrics) lines.push(`metrics: ${headline(run.metrics)}`);
        if (run.kind === 'sweep' && run.metrics) lines.push(`deflated Sharpe of the best: ${fmtNum(run.metrics['deflatedSharpe'])} over ${formatMetric('trials', run.metrics['trials'])} trials`);
        if (run.kind === 'walkforward' && run.metrics) lines.push(`walk-forward efficiency ${fmtNum(run.metrics['efficiency'])} over ${fmtNum(run.metrics['windows'], 0)} windows`);
        if (run.fingerprints) lines.push(`provenance: fingerprint ${run.fingerprints.exact.slice(0, 16)}…, data ${run.dataSnapshot?.slice(0, 16) ?? '?'}…, engine ${run.engineVersion ?? '?'}, seed ${run.seed ?? '?'}`);
        return lines.join('\n');
    };

    /** Submits a backtest or sweep and (unless wait is false) waits for it. */
    const submitAndWait = async (kind: RunKind, a: z.output<z.ZodObject<typeof runFields>>, sweep: ParamsInput<'runs.submit'>['spec']['sweep'], extra: Extra) => {
        const src = sourceOf(a);
        const spec: ParamsInput<'runs.submit'>['spec'] = {
            ...src,
            ...(a.strategy ? { strategy: a.strategy } : {}),
            ...(a.params ? { params: a.params } : {}),
            ...(a.symbols ? { symbols: a.symbols } : {}),
            ...(a.from !== undefined ? { from: a.from } : {}),
            ...(a.to !== undefined ? { to: a.to } : {}),
            ...(a.benchmark ? { benchmark: a.benchmark } : {}),
            ...(a.tags ? { tags: a.tags } : {}),
            ...(a.experimentId ? { experimentId: a.experimentId } : {}),
            ...(sweep ? { sweep } : {}),
        };
        const submitted = (await client.call('runs.submit', { kind, spec })).run;
        if (!a.wait) return { submitted, run: undefined, timedOut: false };
        const { run, timedOut } = await awaitRun(submitted.id, a.timeoutSeconds, extra);
        return { submitted, run, timedOut };
    };

    /** A run that failed or was cancelled: a tool error (the agent asked for results and got none), with the run and its last warnings. */
    const failedRun = async (run: RunDetail): Promise<CallToolResult> => {
        const problems = await problemLines(run.id);
        return { ...ok([runText(run), ...problems].join('\n'), { done: true, ...runView(run), ...(problems.length ? { logTail: problems } : {}) }), isError: true };
    };

    const pending = (kind: RunKind, id: string, state: RunState, timedOut: boolean, seconds: number): CallToolResult => ok(
        timedOut
            ? `${kind} ${id} is still ${state} after ${seconds} s; it keeps running on the daemon. Call get_run {"id": "${id}", "waitSeconds": 60} for the result.`
            : `${kind} ${id} submitted (${state}). Call get_run {"id": "${id}", "waitSeconds": 60} for the result.`,
        { runId: id, kind, state, done: false, timedOut });

    // ------------------------------------------------------------------------------ language

    server.registerTool('lint', {
        title: 'Lint a strategy',
        description: 'Parse, validate and lint AlphaForge strategy source (like `af check`). Returns every diagnostic with its line, column, severity and stable code (e.g. AF101; the message says how to fix it). Cheap: call it after every edit.',
        inputSchema: {
            ...sourceFields,
            bars: z.number().int().min(1).optional().describe('Bars of data the strategy will run on (enables the overfitting check of parameters against data length).'),
            hints: z.boolean().default(false).describe('Also return hints (e.g. the inferred warm-up).'),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const r = await client.call('lang.lint', { ...sourceOf(a), hints: a.hints, ...(a.bars ? { bars: a.bars } : {}) });
        const head = r.errors === 0 && r.warnings === 0 ? 'clean: no errors, no warnings' : `${r.errors} error(s), ${r.warnings} warning(s)`;
        return ok([head, ...r.diagnostics.map(diagLine)].join('\n'), { ok: r.errors === 0, errors: r.errors, warnings: r.warnings, diagnostics: r.diagnostics });
    }));

    server.registerTool('compile', {
        title: 'Compile a strategy',
        description: 'Compile one strategy: diagnostics and, when it compiles, its fingerprints (SHA-256 of the canonical DAG with and without parameter values), a summary of the IR (universe, timeframe, parameters and grid size, warm-up, features, signals, rules) and optionally the full IR, DAG, Graphviz dot or embedding.',
        inputSchema: {
            ...sourceFields,
            ...strategyField,
            emit: z.array(z.enum(['dag', 'structural-dag', 'dot', 'embedding'])).max(4).optional().describe('Extra outputs besides the summary and fingerprints (they can be large).'),
            includeIr: z.boolean().default(false).describe('Include the full IR (typed dataflow nodes; large).'),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const src = sourceOf(a);
        const strategy = a.strategy ? { strategy: a.strategy } : {};
        const r = await client.call('lang.compile', { ...src, ...strategy, emit: ['ir', 'fingerprints', ...(a.emit ?? [])] });
        const diags = r.diagnostics.filter(d => d.severity !== 'hint');
        if (!r.ok || !r.ir) {
            const errors = diags.filter(d => d.severity === 'error');
            return ok([`does not compile: ${errors.length} error(s)${r.strategy ? ` in ${r.strategy}` : ''}`, ...diags.map(diagLine)].join('\n'),
                { ok: false, strategies: r.strategies, strategy: r.strategy, diagnostics: r.diagnostics });
        }
        const analysed = await client.call('lang.analyse', { ...src, strategy: r.ir.strategy }).catch(() => undefined);
        const gridSize = analysed?.strategies.find(s => s.name === r.ir!.strategy)?.gridSize ?? null;
        const summary = irSummary(r.ir, gridSize);
        const text = [
            `compiled ${summary.strategy}: ${summary.universe.join(', ')} @ ${summary.timeframe}, warm-up ${summary.warmup.bars} bars (up to ${summary.warmup.maxBars}), fill ${summary.fill}`,
            `params: ${summary.params.map(p => `${p.name}: ${p.type} = ${String(p.default)}${p.low !== null ? ` in ${p.low}..${p.high}${p.step !== null ? ` step ${p.step}` : ''}` : ''}`).join('; ') || '(none)'}${gridSize !== null ? `; grid ${gridSize} combination(s)` : ''}`,
            `features: ${summary.features.join(', ') || '-'}; signals: ${summary.signals.join(', ') || '-'}; ${summary.rules} rule(s); ${summary.nodes} IR nodes`,
            `fingerprints: exact ${r.fingerprints?.exact ?? '?'}, structural ${r.fingerprints?.structural ?? '?'}`,
            ...(diags.length ? [`${diags.length} warning(s):`, ...diags.map(diagLine)] : []),
        ].join('\n');
        return ok(text, {
            ok: true, strategies: r.strategies, strategy: r.strategy, diagnostics: r.diagnostics, fingerprints: r.fingerprints, summary,
            ...(a.includeIr ? { ir: r.ir } : {}),
            ...(r.dag ? { dag: r.dag } : {}), ...(r.dot ? { dot: r.dot } : {}), ...(r.embedding ? { embedding: r.embedding } : {}),
        });
    }));

    // ------------------------------------------------------------------------------ runs

    server.registerTool('backtest', {
        title: 'Backtest a strategy',
        description: 'Run one backtest on the daemon with the given parameters (defaults otherwise) over the stored bars of the strategy\'s universe. Waits for it (unless wait is false) and returns the metrics (sharpe, totalReturn, maxDrawdown, …), the parameters and the provenance (exact fingerprint, data snapshot hash, engine version, seed: the same four reproduce the result bit for bit) with the run id.',
        inputSchema: runFields,
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    }, guarded(async (a, extra) => {
        const { submitted, run, timedOut } = await submitAndWait('backtest', a, undefined, extra);
        if (!run || timedOut) return pending('backtest', submitted.id, run?.state ?? submitted.state, timedOut, a.timeoutSeconds);
        if (run.state !== 'completed') return failedRun(run);
        const extras = await resultExtras(client, run.id, 0);
        return ok([runText(run), ...ledgerLines(extras)].join('\n'), { done: true, ...runView(run), ...ledgerData(extras) });
    }));

    server.registerTool('sweep', {
        title: 'Parameter sweep',
        description: 'Search the strategy\'s parameter space on the daemon (the whole grid, or `samples` random combinations), ranked by `sortBy`. Returns the best parameters with their metrics, the top rows, and the deflated Sharpe ratio of the best (its Sharpe corrected for the number of trials: a probability in 0..1; below ~0.95 the best may be luck).',
        inputSchema: {
            ...runFields,
            mode: z.enum(['grid', 'random']).default('grid').describe('grid: every combination satisfying the constraints; random: `samples` of them.'),
            samples: z.number().int().min(1).max(1_000_000).optional().describe('random mode: how many combinations.'),
            seed: z.number().int().optional().describe('random mode: the seed.'),
            sortBy: z.enum(SORT_METRICS).default('sharpe').describe('Metric to rank by (maxDrawdown: least negative first).'),
            top: z.number().int().min(1).max(100).default(10).describe('Rows of the ranking to return.'),
        },
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    }, guarded(async (a, extra) => {
        const sweep = { mode: a.mode, sortBy: a.sortBy, ...(a.samples ? { samples: a.samples } : {}), ...(a.seed !== undefined ? { seed: a.seed } : {}) };
        const { submitted, run, timedOut } = await submitAndWait('sweep', a, sweep, extra);
        if (!run || timedOut) return pending('sweep', submitted.id, run?.state ?? submitted.state, timedOut, a.timeoutSeconds);
        if (run.state !== 'completed') return failedRun(run);
        const table = await resultExtras(client, run.id, a.top);
        const m = run.metrics ?? {};
        const lines = [
            `sweep ${run.id} completed (${run.strategy ?? '?'}): ${formatMetric('trials', m['trials'])} combination(s) ranked by ${a.sortBy}`,
            `best params: ${fmtParams(run.params)}`,
            `best metrics: ${headline(m)}`,
            `deflated Sharpe of the best: ${fmtNum(m['deflatedSharpe'])} (the probability that its true Sharpe beats the best of ${formatMetric('trials', m['trials'])} unskilled trials: per-bar Sharpe ${fmtNum(m['periodSharpe'], 4)} against an expected maximum of ${fmtNum(m['expectedMaxSharpe'], 4)})`,
            ...(table.overfitting ? [table.overfitting.text] : []),
            ...ledgerLines(table),
            ...(table.rows.length ? [`top ${table.rows.length}:`, ...table.rows.map((r, i) => `  ${i + 1}. ${fmtParams(r.params)}  ${headline(r.metrics, ['sharpe', 'totalReturn', 'maxDrawdown', 'tradeCount'])}`)] : []),
            ...(table.note ? [table.note] : []),
            `provenance (best): fingerprint ${run.fingerprints?.exact.slice(0, 16) ?? '?'}…, data ${run.dataSnapshot?.slice(0, 16) ?? '?'}…, engine ${run.engineVersion ?? '?'}`,
        ];
        return ok(lines.join('\n'), {
            done: true, ...runView(run), best: { params: run.params, metrics: run.metrics },
            trials: m['trials'] ?? null, deflatedSharpe: m['deflatedSharpe'] ?? null, expectedMaxSharpe: m['expectedMaxSharpe'] ?? null,
            sortBy: a.sortBy, top: table.rows, ...(table.note ? { note: table.note } : {}),
            ...(table.overfitting ? { overfitting: table.overfitting.figures } : {}), ...ledgerData(table),
        });
    }));

    server.registerTool('get_run', {
        title: 'Get a run',
        description: 'One run by id: kind, state, parameters, metrics, provenance, error, tags and spec (without the source text). With waitSeconds, waits up to that long for a queued or running run to finish.',
        inputSchema: {
            id: z.string().min(1).max(128).describe('Run id'),
            waitSeconds: z.number().min(0).max(3600).default(0).describe('Wait this long for the run to finish (0: answer at once).'),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async (a, extra) => {
        const { run } = a.waitSeconds > 0 ? await awaitRun(a.id, a.waitSeconds, extra) : await client.call('runs.get', { id: a.id });
        const done = FINAL_STATES.includes(run.state);
        const progress = !done && run.progress !== null ? `\nprogress ${Math.round(run.progress * 100)}%` : '';
        const extras: ResultExtras = run.state === 'completed' ? await resultExtras(client, run.id, 0) : { rows: [] };
        return ok([runText(run) + progress, ...(extras.overfitting ? [extras.overfitting.text] : []), ...ledgerLines(extras)].join('\n'), { done, ...runView(run), ...ledgerData(extras) });
    }));

    server.registerTool('get_run_logs', {
        title: 'Run logs',
        description: 'Log lines of a run (warnings such as "the strategy cannot trade", engine events, sweep progress). Page with afterSeq = the returned nextSeq.',
        inputSchema: {
            id: z.string().min(1).max(128).describe('Run id'),
            afterSeq: z.number().int().min(-1).default(-1).describe('Only lines after this sequence number.'),
            limit: z.number().int().min(1).max(10_000).default(200),
            level: z.enum(LOG_LEVELS).optional().describe('This level and above.'),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const r = await client.call('runs.logs', { id: a.id, afterSeq: a.afterSeq, limit: a.limit, ...(a.level ? { level: a.level } : {}) });
        const body = r.lines.map(l => `${l.seq} ${l.ts} ${l.level.toUpperCase()} ${l.message}`).join('\n') || '(no lines)';
        return ok(`${body}\n${r.done ? 'the run has finished; these are all its lines' : `more may come: afterSeq ${r.nextSeq}`}`, r);
    }));

    server.registerTool('compare_runs', {
        title: 'Compare runs',
        description: 'Two or more runs side by side: their parameters (which differ), their metrics and, for two runs, the difference (second minus first), the best run of each metric, and whether they share a structure.',
        inputSchema: {
            ids: z.array(z.string().min(1).max(128)).min(2).max(50).describe('Run ids'),
            metrics: z.array(z.string().min(1).max(64)).max(100).optional().describe('Only these metric keys, e.g. ["sharpe", "cagr", "maxDrawdown"] (default: all).'),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const c = await client.call('experiments.compare', { runIds: a.ids, ...(a.metrics?.length ? { metrics: a.metrics } : {}) });
        const two = c.runs.length === 2;
        const value = (v: unknown): number => (typeof v === 'number' ? v : NaN);
        const lines = [
            `${c.runs.length} runs: ${c.runs.map(r => `${r.id} (${r.strategy ?? '-'})`).join(' vs ')}; ${c.sameStructure ? 'the same structure' : 'different structures'}`,
            ...c.paramKeys.map(k => `param ${k}${c.differingParams.includes(k) ? ' (differs)' : ''}: ${c.runs.map(r => r.params[k] ?? '—').join(' | ')}`),
            ...c.metricKeys.map(k => {
                const vals = c.runs.map(r => value(r.metrics[k]));
                const diff = two && Number.isFinite(vals[0]!) && Number.isFinite(vals[1]!) ? `; difference ${vals[1]! - vals[0]! >= 0 ? '+' : '-'}${formatMetric(k, Math.abs(vals[1]! - vals[0]!))}` : '';
                const best = c.best[k] ? `; best ${c.best[k]}` : '';
                return `${k}: ${vals.map(v => formatMetric(k, v)).join(' | ')}${diff}${best}`;
            }),
        ];
        return ok(lines.join('\n'), c);
    }));

    // ------------------------------------------------------------------------------ experiments, similarity, data

    server.registerTool('search_experiments', {
        title: 'Search runs',
        description: 'Search the run store with the filter language, e.g. `metrics.sharpe > 1 and params.fast < 20 and tags.style = \'trend\'` or `attributes.strategy = \'SmaCross\' and attributes.state = \'completed\'`. Fields: metrics.KEY, params.KEY, tags.KEY, fingerprint.exact / fingerprint.structural, attributes.(id|state|kind|owner|strategy|experiment|created|finished|data_snapshot|engine_version|promoted|…); operators = != < <= > >=, [NOT] IN (…), [NOT] LIKE, IS [NOT] NULL, and / or / not. A bad filter is an error naming the column.',
        inputSchema: {
            filter: z.string().max(4000).optional().describe('Filter expression (default: every run of your team).'),
            orderBy: z.string().max(256).optional().describe('e.g. "metrics.sharpe desc, attributes.created asc" (default: newest first)'),
            limit: z.number().int().min(1).max(1000).default(20),
            offset: z.number().int().min(0).default(0),
            experimentId: z.string().min(1).max(128).optional().describe('Only runs of this experiment.'),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const r = await client.call('experiments.search', {
            limit: a.limit, offset: a.offset, ledger: true,
            ...(a.filter ? { filter: a.filter } : {}), ...(a.orderBy ? { orderBy: a.orderBy } : {}), ...(a.experimentId ? { experimentId: a.experimentId } : {}),
        });
        const rows = r.runs.map(x => ({
            runId: x.run.id, kind: x.run.kind, state: x.run.state, strategy: x.run.strategy, params: x.params, metrics: x.metrics,
            tags: x.run.tags, experimentId: x.run.experimentId, createdAt: x.run.createdAt, fingerprints: x.run.fingerprints,
            ...(x.ledger ? { ledger: x.ledger } : {}),
        }));
        const text = rows.length
            ? [`${r.total} run(s) match${r.total > rows.length ? `; showing ${a.offset + 1}–${a.offset + rows.length}` : ''}:`,
                ...rows.map(x => `${x.runId} ${x.kind} ${x.state} ${x.strategy ?? '-'} [${fmtParams(x.params)}] ${headline(x.metrics, ['sharpe', 'totalReturn', 'maxDrawdown', 'tradeCount', 'deflatedSharpe'])}${x.ledger ? `; research ledger: ${x.ledger.summary}` : ''}`)].join('\n')
            : 'no matching runs';
        return ok(text, { total: r.total, rows });
    }));

    server.registerTool('find_similar', {
        title: 'Find similar strategies',
        description: 'Has something like this been tried, and how did it do? Nearest strategies by an embedding of the canonical DAG (names, layout and parameter values do not matter) in the experiment store (scope "store": one entry per strategy structure with its run count, best run — by deflated Sharpe where a sweep recorded one — and metrics; plus how often the query\'s own structure was tried) and/or the .af files of the workspace (scope "workspace", files under where af mcp runs). Each match says how it differs in words ("same DAG except sma→ema in one place"). Use it before a new idea.',
        inputSchema: {
            ...sourceFields,
            ...strategyField,
            runId: z.string().min(1).max(128).optional().describe('Instead of source/file: the strategy of this run (store scope).'),
            scope: z.enum(['workspace', 'store', 'all']).default('all').describe('Where to look (default all: the workspace files and the store).'),
            k: z.number().int().min(1).max(100).default(10).describe('How many matches.'),
            experimentId: z.string().min(1).max(128).optional().describe('Only runs of this experiment (store scope).'),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const given = [a.source, a.file, a.runId].filter(x => x !== undefined).length;
        if (given !== 1) throw new ToolInputError('give exactly one of `source`, `file` and `runId`');
        let r: SimilarResult;
        if (a.runId !== undefined || a.experimentId !== undefined) {
            if (a.scope === 'workspace') throw new ToolInputError('`runId` and `experimentId` search the store: use scope "store" or "all"');
            const query = a.runId !== undefined ? { runId: a.runId } : { ...sourceOf(a), ...(a.strategy ? { strategy: a.strategy } : {}) };
            r = await client.call('similar.find', { ...query, k: a.k, ...(a.experimentId ? { experimentId: a.experimentId } : {}) });
        } else {
            try {
                r = await findSimilar({
                    ...(a.file !== undefined ? { file: afFile(a.file) } : { source: a.source! }),
                    ...(a.strategy ? { strategy: a.strategy } : {}), k: a.k, scope: a.scope, root: cwd, stateDir: resolveStateDir(options.stateDir),
                    store: p => client.call('similar.find', p),
                });
            } catch (e) {
                if (e instanceof SimilarQueryError) throw new ToolInputError(e.message);
                throw e;
            }
        }
        const text = [
            `query ${r.query.strategy ?? '?'} (structural ${r.query.fingerprints.structural.slice(0, 16)}…)`,
            r.tried ? r.tried.summary : a.scope === 'workspace' ? '' : 'this structure was never run before',
            `${r.matches.length} match(es):`,
            ...r.matches.map(m => `${m.scope === 'store' ? `store ${m.runs?.best?.runId ?? m.runs?.latestRunIds[0] ?? ''}` : `file ${m.file?.path}:${(m.file?.line ?? 0) + 1}`} ${m.strategy ?? '-'} similarity ${fmtNum(m.similarity)} [${m.match}] ${m.difference}${m.runs ? ` · ${m.runs.runs} run(s) ${headline(m.runs.metrics, ['sharpe', 'deflatedSharpe', 'totalReturn', 'maxDrawdown'])}` : ''}`),
        ].filter(Boolean).join('\n');
        return ok(text, r);
    }));

    server.registerTool('list_data', {
        title: 'List stored data',
        description: 'The bar series stored on the daemon that your team may read (its own and shared ones): instrument (venue:SYMBOL), timeframe, bar count, first and last bar, owner team and visibility. A strategy\'s universe must name instruments listed here.',
        inputSchema: {
            venue: z.string().max(64).optional(),
            symbol: z.string().max(128).optional(),
            timeframe: z.string().max(16).optional(),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const r = await client.call('data.list', { ...(a.venue ? { venue: a.venue } : {}), ...(a.symbol ? { symbol: a.symbol } : {}), ...(a.timeframe ? { timeframe: a.timeframe } : {}) });
        const day = (ms: number): string => new Date(ms).toISOString().replace(/T00:00:00\.000Z$/, '').replace(/\.000Z$/, 'Z');
        const series = r.series.map(s => ({ ...s, first: day(s.firstTs), last: day(s.lastTs) }));
        const text = series.length ? series.map(s => `${s.id} ${s.timeframe} ${s.bars} bars ${s.first} … ${s.last} (${s.visibility === 'shared' ? 'shared' : 'private'}, owner ${s.owner})`).join('\n') : 'no stored data (import some with af data import / af data sample)';
        return ok(text, { series });
    }));

    // ------------------------------------------------------------------------------ registry

    const RegistryNameArg = z.string().min(1).max(128).describe('Registry name (usually the strategy\'s name)');
    const VersionArg = z.number().int().min(1).describe('Version number (1, 2, …)');
    const entryLine = (e: RegistryEntry): string =>
        `${e.name}@${e.version} ${e.state} (${e.strategy}) by ${e.author} ${e.publishedAt}${e.runId ? ` from run ${e.runId}` : ' from a file'}${e.approvedBy ? `, approved by ${e.approvedBy}` : ''}${e.intact ? '' : ' — ALTERED in the database: do not trust'}`;

    server.registerTool('registry_publish', {
        title: 'Publish to the strategy registry',
        description: 'Publish a strategy as the next version of a registry entry of your team (state draft): from a promoted run (`runId`: its source, imported libraries, parameter values and data snapshot) or from a source (`source` or `file`, with optional `strategy` and `params`). Entries are immutable; a trader other than the author approves them (registry_approve).',
        inputSchema: {
            runId: z.string().min(1).max(128).optional().describe('A completed, promoted run of your team. Give this, or `source`/`file`.'),
            ...sourceFields,
            ...strategyField,
            params: z.record(z.string(), ParamValue).optional().describe('With a source: parameter values (default: the declared defaults).'),
            name: RegistryNameArg.optional(),
            notes: z.string().max(2000).optional().describe('Why this version.'),
        },
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    }, guarded(async a => {
        const base = { ...(a.name ? { name: a.name } : {}), ...(a.notes ? { notes: a.notes } : {}) };
        if (a.runId !== undefined && (a.source !== undefined || a.file !== undefined)) throw new ToolInputError('give `runId` or a source (`source` or `file`), not both');
        const r = a.runId !== undefined
            ? await client.call('registry.publish', { ...base, runId: a.runId })
            : await client.call('registry.publish', { ...base, ...sourceOf(a), ...(a.strategy ? { strategy: a.strategy } : {}), ...(a.params ? { params: a.params } : {}) });
        return ok(`published ${entryLine(r.entry)}; fingerprint ${r.entry.fingerprints.exact.slice(0, 16)}…, ${r.entry.libraryCount} imported file(s)`, r);
    }));

    server.registerTool('registry_list', {
        title: 'List registry entries',
        description: 'Registry entries of your team, every version, by name then newest version: state (draft, approved, deployed, retired), author, run, approver.',
        inputSchema: {
            name: RegistryNameArg.optional(),
            state: z.enum(['draft', 'approved', 'deployed', 'retired']).optional(),
            limit: z.number().int().min(1).max(1000).default(50),
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const r = await client.call('registry.list', { ...(a.name ? { name: a.name } : {}), ...(a.state ? { state: a.state } : {}), limit: a.limit });
        return ok(r.entries.length ? r.entries.map(entryLine).join('\n') + (r.total > r.entries.length ? `\n… ${r.total - r.entries.length} more` : '') : 'no registry entries', r);
    }));

    server.registerTool('registry_show', {
        title: 'Show a registry entry',
        description: 'One registry version (the latest when `version` is left out): source, imported libraries with their SHA-256, parameter values, fingerprints, the run and data snapshot that justified it, and its events (who published, approved, deployed, retired, when).',
        inputSchema: { name: RegistryNameArg, version: VersionArg.optional() },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const { entry: e } = await client.call('registry.show', { name: a.name, ...(a.version !== undefined ? { version: a.version } : {}) });
        const text = [
            entryLine(e), `params: ${fmtParams(e.params)}`, `fingerprints: exact ${e.fingerprints.exact}, structural ${e.fingerprints.structural}`,
            ...e.libraries.map(l => `imports ${l.uri} (sha256 ${l.sha256.slice(0, 16)}…)`),
            ...e.events.map(x => `${x.ts} ${x.kind}: ${x.from ?? '-'} → ${x.to} by ${x.actor}${x.note ? ` (${x.note})` : ''}`),
            '', e.source,
        ].join('\n');
        return ok(text, { entry: e });
    }));

    for (const [tool, method, verb] of [['registry_approve', 'registry.approve', 'Approve'], ['registry_retire', 'registry.retire', 'Retire']] as const) {
        server.registerTool(tool, {
            title: `${verb} a registry version`,
            description: verb === 'Approve'
                ? 'Approve a draft registry version (needs the trader role, and you must not be its author: four eyes). A version in any other state is refused (409).'
                : 'Retire a registry version (draft, approved or deployed; needs the trader role): it can no longer be approved or deployed.',
            inputSchema: { name: RegistryNameArg, version: VersionArg, note: z.string().max(2000).optional() },
            annotations: { readOnlyHint: false, destructiveHint: verb === 'Retire', idempotentHint: false, openWorldHint: false },
        }, guarded(async a => {
            const r = await client.call(method, { name: a.name, version: a.version, ...(a.note ? { note: a.note } : {}) });
            return ok(entryLine(r.entry), r);
        }));
    }

    server.registerTool('registry_diff', {
        title: 'Compare two registry versions',
        description: 'How two registry versions differ: the structural difference in words (e.g. "same DAG except sma→ema in one place"), the parameter values that differ, and unified diffs of the source and of each imported library.',
        inputSchema: { name: RegistryNameArg, from: VersionArg, to: VersionArg, toName: RegistryNameArg.optional().describe('Compare with another entry\'s version (default: the same name).') },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const r = await client.call('registry.diff', { from: { name: a.name, version: a.from }, to: { name: a.toName ?? a.name, version: a.to } });
        const text = [
            `${a.name}@${a.from} → ${a.toName ?? a.name}@${a.to}: ${r.structure}`,
            ...r.params.map(p => `param ${p.name}: ${String(p.from)} → ${String(p.to)}`),
            ...r.files.filter(f => f.change !== 'same').map(f => `${f.file}: ${f.change}\n${f.diff}`),
        ].join('\n');
        return ok(text, r);
    }));

    // --------------------------------------------------------------------------- deployments

    const deploymentLine = (d: Deployment): string =>
        `${d.id} ${d.mode} ${d.state}${d.reason ? ` (${d.reason})` : ''}: ${d.strategy}${d.registry ? ` ${d.registry.name}@${d.registry.version}` : ''} on ${d.venue}, ${d.bars} bars, risk ${d.riskState ?? '-'}, equity ${d.equity ?? '-'}, pnl ${d.pnl ?? '-'}`;

    server.registerTool('deploy_paper', {
        title: 'Start a paper deployment',
        description: 'Paper trade a strategy (a `file`/`source`, or a `registry` version of your team) on the paper venue behind the risk engine, fed by stored bars replayed one every `barMs` (needs the trader role). Returns at once; follow it with deployment_show.',
        inputSchema: {
            ...sourceFields,
            ...strategyField,
            params: z.record(z.string(), ParamValue).optional().describe('With a source: parameter values (default: the declared defaults).'),
            registry: z.strictObject({ name: RegistryNameArg, version: VersionArg }).optional().describe('Instead of source/file: this registry version.'),
            symbols: z.array(z.string().min(1).max(128)).max(100).optional().describe('venue:SYMBOL per asset of the universe (default: its universe).'),
            from: z.string().max(40).optional().describe('First bar of the replay (YYYY-MM-DD).'),
            to: z.string().max(40).optional().describe('Last bar of the replay.'),
            barMs: z.number().int().min(1).max(86_400_000).default(1000).describe('Wall time between two bars, ms.'),
            capital: z.number().positive().optional(),
        },
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    }, guarded(async a => {
        const feed = { kind: 'replay', barMs: a.barMs, ...(a.symbols ? { symbols: a.symbols } : {}), ...(a.from ? { from: a.from } : {}), ...(a.to ? { to: a.to } : {}) };
        if (a.registry !== undefined && (a.source !== undefined || a.file !== undefined)) throw new ToolInputError('give `registry` or a source (`source` or `file`), not both');
        const strategy = a.registry !== undefined ? { registry: a.registry } : { ...sourceOf(a), ...(a.strategy ? { strategy: a.strategy } : {}), ...(a.params ? { params: a.params } : {}) };
        const r = await client.call('execution.paper.start', { ...strategy, feed, ...(a.capital !== undefined ? { capital: a.capital } : {}) });
        return ok(`started ${deploymentLine(r.deployment)}`, r);
    }));

    server.registerTool('deployments_list', {
        title: 'List deployments',
        description: 'Paper and live deployments of your team, newest first: state and why, bars traded on, risk state, equity and PnL.',
        inputSchema: { state: z.enum(['starting', 'warming', 'running', 'halted', 'stopping', 'stopped', 'failed']).optional(), limit: z.number().int().min(1).max(1000).default(50) },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const r = await client.call('execution.list', { ...(a.state ? { state: a.state } : {}), limit: a.limit });
        return ok(r.deployments.length ? r.deployments.map(deploymentLine).join('\n') : 'no deployments', r);
    }));

    server.registerTool('deployment_show', {
        title: 'Show a deployment',
        description: 'One deployment of your team with its positions, balances and its last orders.',
        inputSchema: { id: z.string().min(1).max(128).describe('Deployment id (dep_…).') },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const [{ deployment }, pos, { orders }] = await Promise.all([client.call('execution.show', { id: a.id }), client.call('execution.positions', { id: a.id }), client.call('execution.orders', { id: a.id, limit: 20 })]);
        const text = [
            deploymentLine(deployment),
            ...pos.positions.map(p => `position ${p.symbol} ${p.qty}`), ...pos.balances.map(b => `balance ${b.currency} ${b.amount.toFixed(2)}`),
            ...orders.map(o => `order ${o.clientOrderId} ${o.side} ${o.qty} ${o.symbol} ${o.type} ${o.state}${o.filledQty ? ` @ ${o.avgPrice}` : ''}`),
        ].join('\n');
        return ok(text, { deployment, ...pos, orders });
    }));

    server.registerTool('deployment_kill', {
        title: 'Kill switch',
        description: 'Halt a deployment (`id`) or every deployment of your team (`all`): cancel its open orders and flatten its positions (needs the trader role).',
        inputSchema: { id: z.string().min(1).max(128).optional(), all: z.boolean().optional(), reason: z.string().max(500).optional() },
        annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    }, guarded(async a => {
        if ((a.id === undefined) === (a.all !== true)) throw new ToolInputError('give `id`, or `all: true`');
        const r = await client.call('execution.kill', { ...(a.id !== undefined ? { id: a.id } : { all: true }), ...(a.reason ? { reason: a.reason } : {}) });
        return ok(r.deployments.length ? r.deployments.map(deploymentLine).join('\n') : 'no deployment to kill', r);
    }));

    const DiffSideArg = z.strictObject({
        ...sourceFields,
        ...strategyField,
        runId: z.string().min(1).max(128).optional().describe('Instead of source/file: the strategy of this run, with the parameter values it ran.'),
        registry: z.strictObject({ name: RegistryNameArg, version: VersionArg }).optional().describe('Instead of source/file: this registry version, with its parameter values.'),
    });
    const diffSide = (a: z.infer<typeof DiffSideArg>): DiffSide => {
        const given = [a.source !== undefined || a.file !== undefined, a.runId !== undefined, a.registry !== undefined].filter(Boolean).length;
        if (given !== 1) throw new ToolInputError('each side gives exactly one of `file` (or `source`), `runId` and `registry`');
        if (a.runId !== undefined) return { runId: a.runId };
        if (a.registry !== undefined) return { registry: a.registry };
        return { ...sourceOf(a), ...(a.strategy ? { strategy: a.strategy } : {}) };
    };
    server.registerTool('diff', {
        title: 'Structural difference of two strategies',
        description: 'How strategy `to` differs from `from` in structure: their canonical DAGs matched node for node — nodes added, removed and changed (e.g. "sma() → ema(): fn sma → ema"), parameters by name (default, range), rules and settings — and the difference in words. Each side is a workspace file (or source text), a run id, or a registry version. The same answer as `af diff --json`.',
        inputSchema: { from: DiffSideArg, to: DiffSideArg },
        annotations: { readOnlyHint: true, openWorldHint: false },
    }, guarded(async a => {
        const d = await client.call('lang.diff', { from: diffSide(a.from), to: diffSide(a.to) });
        return ok(formatDagDiff(d).trimEnd(), d);
    }));

    return server;
}

// ---------------------------------------------------------------------------------- helpers

/** What the compile tool says of an IR instead of returning all of it. */
export function irSummary(ir: StrategyIr, gridSize: number | null) {
    return {
        strategy: ir.strategy,
        tags: [...ir.tags],
        universe: ir.universe.map(u => u.id),
        timeframe: ir.timeframe.text,
        params: ir.params.map(p => ({ name: p.name, type: p.type, default: p.default, low: p.low, high: p.high, step: p.step, free: p.free })),
        gridSize,
        warmup: { ...ir.warmup },
        fill: ir.fill,
        features: Object.keys(ir.features),
        signals: Object.keys(ir.signals),
        rules: ir.rules.length,
        risk: Object.keys(ir.risk).filter(k => ir.risk[k]!.explicit),
        execution: Object.keys(ir.execution).filter(k => ir.execution[k]!.explicit),
        portfolio: ir.portfolio !== null,
        nodes: ir.nodes.length,
    };
}

type SweepRow = { params: Record<string, unknown>; metrics: Record<string, number | null> };

/** What a completed run's result adds to its record: a sweep's top rows and overfitting, the run's place in the research ledger. */
interface ResultExtras {
    rows: SweepRow[];
    ledger?: LedgerPart;
    overfitting?: { text: string; figures: Overfitting };
    note?: string;
}

/** The top rows of a sweep (the first trials of its run result, best first), its overfitting figures, and the run in the team's research ledger. */
async function resultExtras(client: DaemonClient, id: string, top: number): Promise<ResultExtras> {
    try {
        const { result } = await client.call('runs.result', { id, maxPoints: 2, tradesLimit: 0, trialsLimit: top });
        const rows = (result.sweep?.trials ?? []).map(r => ({
            params: { ...r.params },
            metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, typeof v === 'number' && Number.isFinite(v) ? v : null])),
        }));
        const o = result.sweep?.overfitting;
        return { rows, ...(result.ledger ? { ledger: result.ledger } : {}), ...(o ? { overfitting: { text: describeOverfitting(o, result.sweep!.trialCount), figures: o } } : {}) };
    } catch (e) {
        return { rows: [], note: `(no ranking: ${e instanceof Error ? e.message : String(e)})` };
    }
}

/** The ledger line of a run's text, and its structured part. */
const ledgerLines = (x: ResultExtras): string[] => (x.ledger ? [`research ledger: ${x.ledger.summary}`] : []);
const ledgerData = (x: ResultExtras): Record<string, unknown> => (x.ledger ? { ledger: x.ledger } : {});

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal.aborted) { reject(new Error('cancelled')); return; }
        const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
        const onAbort = (): void => { clearTimeout(t); reject(new Error('cancelled')); };
        signal.addEventListener('abort', onAbort, { once: true });
    });
}
