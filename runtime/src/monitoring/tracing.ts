/**
 * Spans (OpenTelemetry), the API side: what the gateway, orchestrator, queue, `af worker` and the
 * run threads call to make spans and to carry a trace across a thread or process boundary. It
 * imports only `@opentelemetry/api`: with no SDK registered (the default; telemetry.ts registers one
 * when an OTLP endpoint is configured) every span is the API's no-op, so tracing costs nothing.
 *
 * The trace id is the one the logs carry: the gateway mints it (or takes the caller's `traceparent`)
 * before anything else, and a root span started here takes that id (`traceId`), so a log line's
 * `traceId` finds the trace and the trace's id finds the log lines.
 *
 * Attributes are names, ids and counts: never tokens, sources, file contents, SQL text or values
 * (runtime/test/monitoring/tracing.test.ts asserts it over real traces).
 */
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { formatTraceparent, isTraceId, parseTraceparent } from './trace.js';
import type { TelemetrySettings } from './telemetry-settings.js';

export { SpanKind, type Span } from '@opentelemetry/api';

/** The instrumentation scope of every span of ours. */
export const TRACER_NAME = 'alphaforge';

let preferredTraceId: string | undefined;
let active: ActiveTelemetry | undefined;

/** What this process exports to, as registered by telemetry.ts (a run thread is handed the same). */
export interface ActiveTelemetry {
    readonly settings: TelemetrySettings;
    /** service.instance.id of this process: its run threads report under the same instance. */
    readonly instanceId: string;
    readonly role: string;
}

/** Set by telemetry.ts when it registers (undefined: it shut down). */
export function setActiveTelemetry(t: ActiveTelemetry | undefined): void {
    active = t;
}

/** The exporter this process uses, if any: a run thread started now exports to the same. */
export function activeTelemetry(): ActiveTelemetry | undefined {
    return active;
}

/**
 * For telemetry.ts's id generator: the trace id `startSpan` asked a new root span to take (read
 * once). The SDK asks its id generator synchronously inside `startSpan`, so a module variable set
 * around that call is enough.
 */
export function takePreferredTraceId(): string | undefined {
    const id = preferredTraceId;
    preferredTraceId = undefined;
    return id;
}

export interface SpanOptions {
    readonly kind?: SpanKind;
    readonly attributes?: Attributes;
    /** The parent: a context, or a W3C `traceparent` (from a job, a thread message); default the active context. */
    readonly parent?: Context | string;
    /** Start a root span (ignore the active context) when no parent is given. */
    readonly root?: boolean;
    /** A root span's trace id (the one already in the logs). */
    readonly traceId?: string;
}

/** The context a `traceparent` names as parent (remote); the empty context when it is missing or invalid. */
export function contextOf(traceparent: string | undefined): Context {
    const p = parseTraceparent(traceparent);
    if (!p) return ROOT_CONTEXT;
    return trace.setSpanContext(ROOT_CONTEXT, { traceId: p.traceId, spanId: p.parentId, traceFlags: p.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });
}

/** The `traceparent` of a context's span (default: the active one), to hand to another thread or process; undefined without a valid span. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
    const sc = trace.getSpan(ctx)?.spanContext();
    if (!sc || !trace.isSpanContextValid(sc)) return undefined;
    return formatTraceparent(sc.traceId, sc.spanId, (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED);
}

/** The trace id of a span, when it has a valid one (the no-op tracer's root spans have none). */
export function traceIdOf(span: Span): string | undefined {
    const sc = span.spanContext();
    return trace.isSpanContextValid(sc) ? sc.traceId : undefined;
}

function parentOf(o: SpanOptions): Context {
    if (typeof o.parent === 'string') return contextOf(o.parent);
    return o.parent ?? (o.root ? ROOT_CONTEXT : context.active());
}

/** Starts a span (end it yourself); `inSpan` is the usual way. */
export function startSpan(name: string, o: SpanOptions = {}): { span: Span; ctx: Context } {
    const parent = parentOf(o);
    preferredTraceId = !trace.getSpan(parent) && isTraceId(o.traceId) ? o.traceId : undefined;
    try {
        const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind: o.kind ?? SpanKind.INTERNAL, ...(o.attributes ? { attributes: o.attributes } : {}) }, parent);
        return { span, ctx: trace.setSpan(parent, span) };
    } finally {
        preferredTraceId = undefined;
    }
}

/** Marks a span failed with the error's class (or an RPC code) only: messages may quote what a caller sent. */
export function failSpan(span: Span, e: unknown): void {
    const type = e instanceof Error ? e.name : typeof e === 'number' ? String(e) : typeof e;
    span.setAttribute('error.type', type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** Runs `fn` in a new span (active inside `fn`); the span ends when `fn` settles, failed if it throws. */
export async function inSpan<T>(name: string, o: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
    const { span, ctx } = startSpan(name, o);
    try {
        return await context.with(ctx, () => fn(span));
    } catch (e) {
        failSpan(span, e);
        throw e;
    } finally {
        span.end();
    }
}
