/**
 * Prometheus metrics of the daemon (prom-client). Every daemon owns its own `Registry` (never the
 * global one), so tests and several daemons in one process do not clash.
 *
 * Metric names (all prefixed `af_`):
 *   af_jobs{state}                               gauge      runs in each lifecycle state
 *   af_run_duration_seconds{kind,outcome}        histogram  wall time of finished runs (10 ms … 1 h)
 *   af_queue_depth                               gauge      queued runs waiting for a worker
 *   af_rpc_duration_seconds{method,outcome}      histogram  JSON-RPC latency (outcome ok|error)
 *   af_rpc_errors_total{method,code}             counter    JSON-RPC error responses by error code
 *   af_ws_clients                                gauge      connected WebSocket clients
 *   af_errors_total{component}                   counter    error-level log lines / internal errors
 *   af_alerts_firing{rule}                       gauge      1 while an alert rule fires
 *   af_process_*, af_nodejs_*                    default process metrics (memory, CPU, event-loop lag, GC)
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const METRIC_PREFIX = 'af_';

/** Lifecycle states of a run/job (the orchestrator's `runs.state`). */
export const JOB_STATES = ['created', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** How a run ended. */
export type RunOutcome = 'completed' | 'failed' | 'cancelled';

/** Run-duration buckets in seconds: 10 ms … 1 h. */
export const RUN_DURATION_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
/** RPC latency buckets in seconds: 1 ms … 10 s. */
export const RPC_LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Label value used for RPC methods beyond `maxMethods` distinct names (bounds label cardinality). */
export const OTHER_METHOD = 'other';

export interface MetricsOptions {
    /** Collect default process metrics (memory, CPU, event-loop lag, GC) with the `af_` prefix. Default true. */
    defaultMetrics?: boolean;
    /** Distinct `method` label values kept before further methods are folded into `other`. Default 256. */
    maxMethods?: number;
}

export interface Metrics {
    readonly registry: Registry;
    readonly jobsByState: Gauge<'state'>;
    readonly runDuration: Histogram<'kind' | 'outcome'>;
    readonly queueDepth: Gauge;
    readonly rpcLatency: Histogram<'method' | 'outcome'>;
    readonly rpcErrors: Counter<'method' | 'code'>;
    readonly wsClients: Gauge;
    readonly errors: Counter<'component'>;
    readonly alertsFiring: Gauge<'rule'>;
    /** Set the gauge of every state at once; states left out are set to 0. */
    setJobsByState(counts: Partial<Record<JobState, number>>): void;
    /** Record a finished run. */
    observeRun(kind: string, outcome: RunOutcome, seconds: number): void;
    /**
     * Record one JSON-RPC call: latency always, and an error count when `errorCode` is given
     * (the JSON-RPC error code, e.g. -32601, or an application code such as 'forbidden').
     */
    observeRpc(method: string, seconds: number, errorCode?: number | string): void;
    /** Start timing an RPC; call the returned function when the response is sent. */
    startRpcTimer(method: string): (errorCode?: number | string) => number;
    /** Count an internal error of a component (gateway, orchestrator, runner, …). */
    countError(component: string): void;
    /** The registry in Prometheus text exposition format. */
    render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
    const registry = new Registry();
    const registers = [registry];
    const maxMethods = options.maxMethods ?? 256;
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

    const jobsByState = new Gauge({ name: `${METRIC_PREFIX}jobs`, help: 'Runs in each lifecycle state.', labelNames: ['state'] as const, registers });
    for (const state of JOB_STATES) jobsByState.set({ state }, 0);
    const runDuration = new Histogram({
        name: `${METRIC_PREFIX}run_duration_seconds`, help: 'Wall time of finished runs, from start to finish.',
        labelNames: ['kind', 'outcome'] as const, buckets: [...RUN_DURATION_BUCKETS], registers,
    });
    const queueDepth = new Gauge({ name: `${METRIC_PREFIX}queue_depth`, help: 'Queued runs waiting for a worker.', registers });
    const rpcLatency = new Histogram({
        name: `${METRIC_PREFIX}rpc_duration_seconds`, help: 'JSON-RPC call latency by method and outcome (ok|error).',
        labelNames: ['method', 'outcome'] as const, buckets: [...RPC_LATENCY_BUCKETS], registers,
    });
    const rpcErrors = new Counter({ name: `${METRIC_PREFIX}rpc_errors_total`, help: 'JSON-RPC error responses by method and error code.', labelNames: ['method', 'code'] as const, registers });
    const wsClients = new Gauge({ name: `${METRIC_PREFIX}ws_clients`, help: 'Connected WebSocket clients.', registers });
    const errors = new Counter({ name: `${METRIC_PREFIX}errors_total`, help: 'Errors by component (error-level log lines and internal failures).', labelNames: ['component'] as const, registers });
    const alertsFiring = new Gauge({ name: `${METRIC_PREFIX}alerts_firing`, help: 'Alert rules currently firing (1) or not (0).', labelNames: ['rule'] as const, registers });

    const methods = new Set<string>();
    const methodLabel = (method: string): string => {
        if (methods.has(method)) return method;
        if (methods.size >= maxMethods) return OTHER_METHOD;
        methods.add(method);
        return method;
    };
    const observeRpc = (method: string, seconds: number, errorCode?: number | string): void => {
        const m = methodLabel(method);
        const failed = errorCode !== undefined;
        rpcLatency.observe({ method: m, outcome: failed ? 'error' : 'ok' }, Math.max(0, seconds));
        if (failed) rpcErrors.inc({ method: m, code: String(errorCode) });
    };

    return {
        registry, jobsByState, runDuration, queueDepth, rpcLatency, rpcErrors, wsClients, errors, alertsFiring,
        setJobsByState(counts) {
            for (const state of JOB_STATES) jobsByState.set({ state }, counts[state] ?? 0);
        },
        observeRun(kind, outcome, seconds) {
            runDuration.observe({ kind, outcome }, Math.max(0, seconds));
        },
        observeRpc,
        startRpcTimer(method) {
            const t0 = process.hrtime.bigint();
            return (errorCode) => {
                const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
                observeRpc(method, seconds, errorCode);
                return seconds;
            };
        },
        countError(component) {
            errors.inc({ component });
        },
        async render() {
            return { contentType: registry.contentType, body: await registry.metrics() };
        },
    };
}

/** A node:http handler serving `GET /metrics` from the given metrics (the gateway mounts it). */
export function createMetricsHandler(metrics: Pick<Metrics, 'render'>): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
    return async (req, res) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
            res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' }).end('method not allowed\n');
            return;
        }
        try {
            const { contentType, body } = await metrics.render();
            res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
            res.end(req.method === 'HEAD' ? undefined : body);
        } catch (e) {
            res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics unavailable: ${e instanceof Error ? e.message : String(e)}\n`);
        }
    };
}
