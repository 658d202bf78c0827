/**
 * The messages between the VS Code extension (the host) and the webview panels, as zod schemas:
 * the one place their shapes are defined. Both sides validate what they receive (`safeParse`)
 * and the webviews also validate what they send. Pure TypeScript + zod, no DOM: the extension
 * and runtime/src/report import it too.
 *
 * API boundary. Conventions:
 * - every message is a small object tagged by `type`; one discriminated union per panel and
 *   direction (`ReportToWebview`, `ReportToHost`, `DagToWebview`, …);
 * - numbers that may be non-finite (metrics, curves, prices) travel as `WireNumber`s
 *   (protocol/src/numbers.ts: null for NaN, `'Infinity'` / `'-Infinity'`; encode with `toWire`,
 *   decode with `fromWire`);
 * - source ranges are LSP-style, 0-based `{ line, character }`;
 * - every panel sends `{ type: 'ready' }` once it listens, and the host answers with its state;
 * - every panel takes `{ type: 'persist', state }`: what the extension needs to re-open it after a
 *   window reload (a run id, a document and strategy), kept by the page with `setState` and handed
 *   back by VS Code to the panel's serializer (see "Saved state" below).
 *
 * A page may also be given its initial messages in the HTML (`panelHtml({ initialState })`): the
 * standalone HTML report is the report panel with its `run` message embedded.
 */
import * as z from 'zod';
import { WireNumber } from './numbers.js';
import { LedgerPart, RUN_KINDS, RunResult, Trial } from './run-result.js';
import { DagDiffSchema } from './dag-diff.js';
import { DeploymentEventSchema, DeploymentSchema, RiskStateSchema } from './daemon/execution.js';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------- shared pieces

const Int = z.number().int();
const Count = Int.min(0);

export const Position = z.object({ line: Count, character: Count });
/** 0-based, end exclusive, as in LSP. */
export const SourceRange = z.object({ start: Position, end: Position });
export type SourceRange = z.infer<typeof SourceRange>;

const Ready = z.object({ type: z.literal('ready') });

/** The host tells the page what to keep for a window reload (the page does not show it). */
const persist = <S extends z.ZodType>(state: S) => z.object({ type: z.literal('persist'), state });

/** Upper bounds that keep a malformed or hostile message from freezing a panel. */
const MAX_POINTS = 200_000;
const MAX_ROWS = 100_000;
const Str = z.string().max(10_000);

const ParamValue = z.union([z.number(), z.boolean()]);

// ---------------------------------------------------------------------- backtest report

export const RUN_STATES = ['created', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;

/** What was run: enough to title the report and link back to the source. */
export const RunInfo = z.object({
    id: Str.optional(),
    title: Str.optional(),
    strategy: Str,
    /** The strategy's document (`file:///…`); the report links back to it. */
    uri: Str.optional(),
    /** Where the strategy is declared in `uri`. */
    range: SourceRange.optional(),
    universe: z.array(Str).max(10_000),
    timeframe: Str,
    params: z.record(Str, ParamValue),
    state: z.enum(RUN_STATES).optional(),
});
export type RunInfo = z.infer<typeof RunInfo>;



/**
 * A run's result as the report panel draws it: the run-result document (run-result.ts), with its
 * series thinned and its trades and trials bounded so a malformed or hostile message cannot freeze
 * the panel (`viewOf` makes one).
 */
export const PanelRunResult = RunResult.superRefine((r, ctx) => {
    if (r.series && r.series.ts.length > MAX_POINTS) ctx.addIssue({ code: 'custom', path: ['series'], message: `more than ${MAX_POINTS} points: thin it (viewOf)` });
    if (r.trades.length > MAX_ROWS) ctx.addIssue({ code: 'custom', path: ['trades'], message: `more than ${MAX_ROWS} trades: send a page` });
    if (r.sweep && r.sweep.trials.length > MAX_ROWS) ctx.addIssue({ code: 'custom', path: ['sweep', 'trials'], message: `more than ${MAX_ROWS} trials: send a page` });
    if (r.events.length > MAX_ROWS) ctx.addIssue({ code: 'custom', path: ['events'], message: `more than ${MAX_ROWS} events` });
});

/** The run to show: what it is (title, link back to the source) and its result. */
export const ReportRun = z.object({ type: z.literal('run'), run: RunInfo, result: PanelRunResult });
export type ReportRun = z.infer<typeof ReportRun>;

/** What a report panel keeps across a window reload: the run (the extension fetches it again). */
export const ReportPanelState = z.object({ runId: Str.min(1) });
export type ReportPanelState = z.infer<typeof ReportPanelState>;

export const ReportToWebview = z.discriminatedUnion('type', [
    ReportRun,
    /** While the run is going: fraction done in [0, 1]. */
    z.object({ type: z.literal('progress'), fraction: z.number().min(0).max(1), message: Str.optional(), run: RunInfo.optional() }),
    z.object({ type: z.literal('failed'), message: Str.describe('the whole sentence, shown as sent') }),
    /** The run cannot be loaded yet (the daemon is not connected): why, and that it loads when it can. */
    z.object({ type: z.literal('waiting'), message: Str }),
    persist(ReportPanelState),
]);
export type ReportToWebview = z.infer<typeof ReportToWebview>;

export const ReportToHost = z.discriminatedUnion('type', [
    Ready,
    /** Open `uri` and select `range` (the link back to the source). */
    z.object({ type: z.literal('reveal'), uri: Str, range: SourceRange }),
    /** Show the runs that share a fingerprint (exact or structural) in the experiments panel. */
    z.object({ type: z.literal('showRuns'), fingerprint: Str, structural: z.boolean() }),
]);
export type ReportToHost = z.infer<typeof ReportToHost>;

// ---------------------------------------------------------------------- strategy DAG

/** Read-only arrays, so the language library's `CanonicalDag` (readonly throughout) is a valid `dag`. */
const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();

const AttrValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const NodeId = Count;

/** The canonical DAG (language/src/ir/dag.ts, docs/ir.md §2). Unknown fields are dropped (readers ignore them, docs/ir.md). */
export const WireDagNode = z.object({
    id: NodeId,
    op: Str,
    inputs: list(NodeId),
    type: Str,
    unit: Str,
    attrs: z.record(Str, AttrValue),
});
export type WireDagNode = z.infer<typeof WireDagNode>;

const DagSetting = z.object({ value: NodeId, quantity: z.boolean(), action: NodeId.nullable() });
const DagAction = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('target'), targets: list(z.object({ asset: Count.nullable(), size: NodeId, quantity: z.boolean() })) }),
    z.object({ kind: z.literal('flat'), assets: list(Count) }),
    z.object({
        kind: z.literal('order'), side: z.enum(['buy', 'sell']), asset: Count.nullable(), size: NodeId, quantity: z.boolean(),
        type: Str, price: NodeId.nullable(), expire: NodeId.nullable(),
    }),
]);

export const WireDag = z.object({
    dagVersion: Int,
    mode: z.enum(['exact', 'structural']),
    universe: z.object({ size: Count, assets: list(Str).nullable() }),
    timeframeMs: z.number().nullable(),
    nodes: z.array(WireDagNode).max(MAX_ROWS).readonly(),
    constraints: list(NodeId),
    rules: list(z.object({ condition: NodeId, actions: list(DagAction) })),
    risk: z.record(Str, DagSetting),
    execution: z.record(Str, DagSetting),
    portfolio: z.object({
        settings: z.record(Str, DagSetting),
        allocations: list(z.object({ side: z.enum(['long', 'short']), selection: NodeId, weighting: NodeId })),
    }).nullable(),
}).superRefine((d, ctx) => {
    // Ids are indices and inputs point backwards (docs/ir.md): the layout relies on it.
    d.nodes.forEach((n, i) => {
        if (n.id !== i) ctx.addIssue({ code: 'custom', message: `node ${i} has id ${n.id}`, path: ['nodes', i, 'id'] });
        if (n.inputs.some(x => x >= i)) ctx.addIssue({ code: 'custom', message: `node ${i} has an input that is not an earlier node`, path: ['nodes', i, 'inputs'] });
    });
});
export type WireDag = z.infer<typeof WireDag>;

export const CompileProblem = z.object({ line: Count, column: Count, code: Str, message: Str });

/** What the DAG panel keeps across a window reload: the document and strategy it shows (the graph is asked for again). */
export const DagPanelState = z.object({ uri: Str.min(1), strategy: Str.optional() });
export type DagPanelState = z.infer<typeof DagPanelState>;

const DagGraph = {
    dag: WireDag,
    /** DAG node id → source ranges of the IR nodes merged into it (click-to-reveal). */
    sourceMap: z.record(z.string().regex(/^\d+$/), list(SourceRange)),
    /** The document the ranges are in. */
    uri: Str.optional(),
    strategy: Str.optional(),
    /** DAG node id → the param, feature and signal names it came from. */
    names: z.record(z.string().regex(/^\d+$/), list(Str)).optional(),
};
/** One version of a comparison: a graph and what it is called (`a.af#Cross`, `SmaCross@2`). */
export const DagVersion = z.object({ ...DagGraph, label: Str });
export type DagVersion = z.infer<typeof DagVersion>;

export const DagToWebview = z.discriminatedUnion('type', [
    z.object({ type: z.literal('dag'), ...DagGraph }),
    /** Two versions compared (`AlphaForge: Compare Strategy With…`): drawn side by side or one over the other, changes coloured. */
    z.object({
        type: z.literal('dagDiff'),
        from: DagVersion,
        to: DagVersion,
        /** How `to` differs from `from` (language/src/ir/dag-diff.ts; ids are the two DAGs'). */
        diff: DagDiffSchema,
        layout: z.enum(['side-by-side', 'overlay']).optional(),
    }),
    /** The file no longer compiles: the panel keeps the last graph and shows these. */
    z.object({ type: z.literal('compileErrors'), uri: Str.optional(), errors: z.array(CompileProblem).max(1000) }),
    persist(DagPanelState),
]);
export type DagToWebview = z.infer<typeof DagToWebview>;
export type DagMessage = Extract<DagToWebview, { type: 'dag' }>;
export type DagDiffMessage = Extract<DagToWebview, { type: 'dagDiff' }>;

export const DagToHost = z.discriminatedUnion('type', [
    Ready,
    /** Reveal the source of a node (its first range; `ranges` has all of them). */
    z.object({ type: z.literal('reveal'), nodeId: NodeId, uri: Str.optional(), range: SourceRange, ranges: z.array(SourceRange) }),
]);
export type DagToHost = z.infer<typeof DagToHost>;

// ---------------------------------------------------------------------- experiments

/**
 * One run as the experiments table shows it: the experiment store's `RunSummary`
 * (runtime/src/experiments/store.ts) with metrics as wire numbers (`runSummaryToWire`). Params,
 * metrics and tags are open-ended (the store's long tables); what the panel does not need is optional.
 */
export const RunSummary = z.object({
    id: Str,
    kind: Str.optional(),
    state: Str,
    promoted: z.boolean().optional(),
    strategy: Str.nullable(),
    owner: Str.optional(),
    team: Str.optional(),
    experiment: z.object({ id: Str, name: Str.nullable() }).nullable().optional(),
    /** ISO 8601 (UTC). */
    created: Str.optional(),
    finished: Str.nullable().optional(),
    fingerprints: z.object({ exact: Str.nullable(), structural: Str.nullable() }).optional(),
    dataSnapshot: Str.nullable().optional(),
    engineVersion: Str.nullable().optional(),
    seed: z.number().nullable().optional(),
    params: z.record(Str, z.union([z.number(), z.boolean(), z.string(), z.null()])),
    metrics: z.record(Str, WireNumber),
    tags: z.record(Str, Str),
    /** The run in its team's research ledger (`experiments.search` with `ledger: true`); null: none of its trials are in it. */
    ledger: LedgerPart.nullable().optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** One trial of a structure in the research ledger (`experiments.ledger`). */
export const LedgerTrialView = z.object({
    position: Int.min(1), runId: Str, trial: Count, kind: z.enum(RUN_KINDS), recordedAt: Str, periodSharpe: WireNumber, observations: Count,
});

/**
 * What the experiments panel needs from the extension after a window reload: nothing (the page
 * keeps its own filter and sort in its saved state and searches again).
 */
export const ExperimentsPanelState = z.object({});
export type ExperimentsPanelState = z.infer<typeof ExperimentsPanelState>;

export const ExperimentsToWebview = z.discriminatedUnion('type', [
    /** The answer to a `search`: one page of runs and how many match in all. */
    z.object({ type: z.literal('results'), runs: z.array(RunSummary).max(MAX_ROWS), total: Count, filter: Str.optional(), orderBy: Str.optional() }),
    /** The filter (or orderBy) did not parse: `column` is 1-based into the text, as in the store's FilterError. */
    z.object({ type: z.literal('error'), message: Str, column: Int.min(1).optional(), what: z.enum(['filter', 'orderBy']).optional(), token: Str.optional() }),
    /** Details for a comparison the panel asked for (`compare`): equity curves to overlay. */
    z.object({
        type: z.literal('comparison'),
        runs: z.array(z.object({ id: Str, curve: z.object({ ts: z.array(z.number()).max(MAX_POINTS), equity: z.array(WireNumber).max(MAX_POINTS) }) })).max(50),
    }),
    /** Every trial of a sweep the panel asked for (`trials`), best first; `trialCount` ran in all. */
    z.object({ type: z.literal('trials'), runId: Str, strategy: Str.nullable(), sortBy: Str, trialCount: Count, trials: z.array(Trial).max(MAX_ROWS) }),
    /** The trials of a structure in the team's research ledger (`ledger`), newest first. */
    z.object({ type: z.literal('ledger'), structural: Str, total: Count, runs: Count, sharpeVariance: WireNumber, trials: z.array(LedgerTrialView).max(MAX_ROWS) }),
    /** The host could not answer a `trials` or `ledger` request: why. */
    z.object({ type: z.literal('detailError'), message: Str }),
    /** Set the filter text (e.g. "runs with this fingerprint" from a report), and the order if given, and search. */
    z.object({ type: z.literal('setFilter'), filter: Str, orderBy: Str.optional() }),
    persist(ExperimentsPanelState),
]);
export type ExperimentsToWebview = z.infer<typeof ExperimentsToWebview>;

export const ExperimentsToHost = z.discriminatedUnion('type', [
    Ready,
    /**
     * Search the store: `filter` in the store's filter language ('' = all runs), `orderBy` in its
     * orderBy syntax (`metrics.sharpe desc`, `attributes.created desc`, …); `limit` ≤ 1000 as the store allows.
     */
    z.object({ type: z.literal('search'), filter: Str, orderBy: Str, limit: Int.min(1).max(1000), offset: Count }),
    /** The user compares these runs side by side; the host may answer with a `comparison`. */
    z.object({ type: z.literal('compare'), runIds: z.array(Str).min(2).max(50) }),
    z.object({ type: z.literal('openReport'), runId: Str }),
    /** List every trial of a sweep. */
    z.object({ type: z.literal('trials'), runId: Str }),
    /** Show the research ledger of a structure (its trials in the team, newest first). */
    z.object({ type: z.literal('ledger'), structural: Str }),
]);
export type ExperimentsToHost = z.infer<typeof ExperimentsToHost>;

// ---------------------------------------------------------------------- deployment monitor

/**
 * The live monitor of one deployment (paper or live). The host sends the deployment as
 * `execution.show` answers it, then its stored events (`execution.events` from seq 0, page by page)
 * and, once caught up, each event of the `deployment:<id>` topic as it arrives: one stream in seq
 * order without gaps (the host catches up again after a gap or a `lagged` notice). The page folds
 * them into its view (webviews/src/monitor/model.ts); a `deployment` message with `reset` starts
 * over (a re-created page, another daemon session).
 */
export const MonitorPanelState = z.object({ deploymentId: Str.min(1).max(128) });
export type MonitorPanelState = z.infer<typeof MonitorPanelState>;

/** Most events in one `events` message (execution.events pages are at most 10 000). */
export const MONITOR_MAX_EVENTS = 10_000;

export const MonitorToWebview = z.discriminatedUnion('type', [
    /** The deployment as `execution.show` answers it; `reset`: forget every event shown so far (they are sent again from seq 1). */
    z.object({ type: z.literal('deployment'), deployment: DeploymentSchema, reset: z.boolean().optional() }),
    /** Events of the deployment in seq order, following what was sent before (catch-up pages, then live ones). */
    z.object({ type: z.literal('events'), deploymentId: Str, events: z.array(DeploymentEventSchema).max(MONITOR_MAX_EVENTS) }),
    /** A sentence for the user: what a kill or stop did, or why it failed. */
    z.object({ type: z.literal('notice'), level: z.enum(['info', 'error']), message: Str }),
    /** The deployment cannot be followed now (the daemon is not connected): why; it follows when it can. */
    z.object({ type: z.literal('waiting'), message: Str }),
    persist(MonitorPanelState),
]);
export type MonitorToWebview = z.infer<typeof MonitorToWebview>;

export const MonitorToHost = z.discriminatedUnion('type', [
    Ready,
    /** The kill switch: the host confirms with the user, then calls execution.kill. */
    z.object({ type: z.literal('kill'), deploymentId: Str }),
    /** Stop trading (open orders stay): execution.stop. */
    z.object({ type: z.literal('stop'), deploymentId: Str }),
]);
export type MonitorToHost = z.infer<typeof MonitorToHost>;

/**
 * The `data` of each kind of deployment event as the monitor reads it (protocol/src/daemon/execution.ts
 * describes them; docs/trading.md "Events"). Lenient on what the monitor does not read; a number
 * that was NaN arrives as null.
 */
const Num = z.number().nullable();
export const DeploymentEventData = {
    state: z.object({ state: z.string(), previous: z.string().nullable().optional(), reason: z.string().nullable().optional() }),
    order: z.object({
        clientOrderId: z.string(), symbol: z.string().optional(), side: z.enum(['buy', 'sell']).optional(), type: z.string().optional(),
        qty: Num.optional(), price: Num.optional(), reduceOnly: z.boolean().optional(), state: z.string(), reason: z.string().nullable().optional(),
    }),
    fill: z.object({ clientOrderId: z.string(), fillId: z.string(), symbol: z.string().optional(), side: z.enum(['buy', 'sell']).optional(), qty: z.number(), price: z.number(), fee: Num.optional() }),
    account: z.object({
        bar: z.number().optional(), barTs: Num.optional(), equity: Num.optional(), pnl: Num.optional(),
        positions: z.record(z.string(), Num).optional(), balances: z.record(z.string(), Num).optional(), riskState: RiskStateSchema.nullable().optional(),
    }),
    risk: z.object({ decision: z.enum(['deny', 'state']), clientOrderId: z.string().optional(), reason: z.string().nullable().optional(), from: z.string().optional(), to: z.string().optional() }),
} as const;

// ---------------------------------------------------------------------- helpers

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

/** Validates one message; the error names the first problems with their paths. */
export function parseMessage<T>(schema: z.ZodType<T>, data: unknown): ParseResult<T> {
    const r = schema.safeParse(data);
    if (r.success) return { ok: true, message: r.data };
    const tag = typeof data === 'object' && data !== null && 'type' in data ? String((data as { type: unknown }).type) : '?';
    return { ok: false, error: `invalid '${tag}' message: ${issueText(r.error)}` };
}

/** The first problems of a failed validation, with their paths. */
function issueText(error: z.ZodError): string {
    return error.issues.slice(0, 3).map(i => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
}

/** The schemas of each panel, for code that handles any of them (`state`: what it keeps across a window reload). */
export const PANELS = {
    report: { toWebview: ReportToWebview, toHost: ReportToHost, state: ReportPanelState },
    dag: { toWebview: DagToWebview, toHost: DagToHost, state: DagPanelState },
    experiments: { toWebview: ExperimentsToWebview, toHost: ExperimentsToHost, state: ExperimentsPanelState },
    monitor: { toWebview: MonitorToWebview, toHost: MonitorToHost, state: MonitorPanelState },
} as const;
export type PanelKind = keyof typeof PANELS;
export const PANEL_KINDS = Object.keys(PANELS) as PanelKind[];
export type PanelState<K extends PanelKind> = z.infer<(typeof PANELS)[K]['state']>;

/** The webview panel type of a panel in VS Code (`createWebviewPanel`, serializers, `onWebviewPanel:` activation). */
export function viewTypeOf(kind: PanelKind): `alphaforge.${PanelKind}` {
    return `alphaforge.${kind}`;
}

// ---------------------------------------------------------------------- saved state

/**
 * What a page keeps with VS Code's `setState`, which VS Code stores across window reloads, gives
 * back to the re-created page (`getState`) and hands to the panel's serializer
 * (`deserializeWebviewPanel(panel, state)`). Small by design (ids and filter texts, never results
 * or graphs: the host sends those again when the page says `ready`):
 * - `persist`: the panel's `state` (PANELS[kind].state) as the host last sent it in a `persist` message;
 * - `messages`: small host → webview messages the page replays itself when re-created (the
 *   experiments filter and sort).
 * Read back, both are validated: a state of another version or shape is dropped, never trusted.
 */
export const SAVED_STATE_VERSION = 1;
export const SavedPageState = z.object({
    v: z.literal(SAVED_STATE_VERSION),
    persist: z.unknown().optional(),
    messages: z.record(z.string().max(100), z.unknown()).optional(),
});
export type SavedPageState = z.infer<typeof SavedPageState>;

/**
 * The state a panel is restored with after a window reload, from what its page saved (VS Code's
 * `state` argument of `deserializeWebviewPanel`; undefined if the page saved nothing). An error
 * says why it cannot be restored (no state where one is needed, an old or malformed one).
 */
export function restoredPanelState<K extends PanelKind>(kind: K, saved: unknown): { ok: true; state: PanelState<K> } | { ok: false; error: string } {
    const page = SavedPageState.safeParse(saved ?? { v: SAVED_STATE_VERSION });
    if (!page.success) return { ok: false, error: `the saved state is not one this version of AlphaForge writes (version ${SAVED_STATE_VERSION})` };
    const r = (PANELS[kind].state as unknown as z.ZodType<PanelState<K>>).safeParse(page.data.persist ?? {});
    if (r.success) return { ok: true, state: r.data };
    return { ok: false, error: page.data.persist === undefined ? 'the page saved no state to restore it from' : `invalid saved state: ${issueText(r.error)}` };
}
