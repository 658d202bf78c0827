/**
 * The OpenTelemetry SDK, loaded only when an OTLP endpoint is configured (telemetry-settings.ts):
 * a tracer provider registered globally (AsyncLocalStorage context, so a span stays current across
 * awaits), spans batched to the endpoint over OTLP/HTTP (JSON), sampled per new trace by
 * `sampleRatio` and otherwise by the caller's decision (parent-based). Each process — the daemon,
 * each `af worker`, and each run thread (which reports under its process's instance id) —
 * registers its own; `shutdown` sends what is left.
 *
 * The resource says which process a span came from: service.name, service.instance.id (one per
 * process), process.pid, host.name and `af.process` (daemon, worker).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler, type IdGenerator } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { setActiveTelemetry, takePreferredTraceId, type ActiveTelemetry } from './tracing.js';
import { tracesUrl, type TelemetrySettings } from './telemetry-settings.js';

export interface Telemetry {
    /** Sends the spans ended so far (a run thread does before it reports its run done). */
    flush(): Promise<void>;
    /** Sends what is left and unregisters; spans are no-ops again. */
    shutdown(): Promise<void>;
}

function hex(bytes: number): string {
    for (;;) {
        const h = randomBytes(bytes).toString('hex');
        if (!/^0+$/.test(h)) return h;
    }
}

/** Random ids, but a root span takes the trace id the logs already carry (tracing.ts startSpan). */
const idGenerator: IdGenerator = {
    generateTraceId: () => takePreferredTraceId() ?? hex(16),
    generateSpanId: () => hex(8),
};

export interface TelemetryStart {
    readonly settings: TelemetrySettings;
    /** daemon | worker: `af.process` and the default service name. */
    readonly role: string;
    /** A run thread passes its process's. */
    readonly instanceId?: string;
    readonly version?: string;
    /** Problems of the exporter (collector down): logged, never thrown. */
    readonly onError?: (message: string) => void;
}

let current: { provider: NodeTracerProvider; stopped: boolean } | undefined;

/** Registers the SDK for this process or thread (once; a second call replaces the first after shutting it down). */
export async function startTelemetry(o: TelemetryStart): Promise<Telemetry> {
    if (current && !current.stopped) await shutdownProvider(current);
    const instanceId = o.instanceId ?? randomUUID();
    const resource = resourceFromAttributes({
        [ATTR_SERVICE_NAME]: o.settings.serviceName ?? `alphaforge-${o.role}`,
        [ATTR_SERVICE_INSTANCE_ID]: instanceId,
        ...(o.version ? { [ATTR_SERVICE_VERSION]: o.version } : {}),
        'process.pid': process.pid,
        'host.name': hostname(),
        'af.process': o.role,
        ...(threadId ? { 'thread.id': threadId } : {}),
    });
    if (o.onError) {
        const report = o.onError;
        diag.setLogger({
            error: (m: string) => report(m), warn: (m: string) => report(m),
            info: () => undefined, debug: () => undefined, verbose: () => undefined,
        }, DiagLogLevel.WARN);
    }
    const exporter = new OTLPTraceExporter({ url: tracesUrl(o.settings.otlpUrl), timeoutMillis: 10_000 });
    const provider = new NodeTracerProvider({
        resource, idGenerator,
        sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(o.settings.sampleRatio ?? 1) }),
        spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000, maxQueueSize: 4096, maxExportBatchSize: 512 })],
    });
    provider.register();
    const state = { provider, stopped: false };
    current = state;
    const active: ActiveTelemetry = { settings: o.settings, instanceId, role: o.role };
    setActiveTelemetry(active);
    return {
        flush: () => provider.forceFlush(),
        shutdown: () => shutdownProvider(state),
    };
}

async function shutdownProvider(state: { provider: NodeTracerProvider; stopped: boolean }): Promise<void> {
    if (state.stopped) return;
    state.stopped = true;
    if (current === state) {
        current = undefined;
        setActiveTelemetry(undefined);
        // The global provider goes too: a later start (a test's next daemon) registers its own.
        trace.disable();
        context.disable();
        propagation.disable();
        diag.disable();
    }
    await state.provider.shutdown().catch(() => undefined);
}
