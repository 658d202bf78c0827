/**
 * Store calls as spans, named by the statement (`SELECT runs`, `INSERT run_events`) and never by
 * its text or values: a span's attributes go to whoever runs the trace collector. Only calls made
 * inside a sampled span are traced (a query of a traced request, run or job); the rest — timers,
 * tracing off — cost one context look-up. The store core imports no other module (boundaries), so
 * this uses the OpenTelemetry API directly.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

// The stable semantic-convention names (`ATTR_DB_*` of @opentelemetry/semantic-conventions), written
// out: that package's index is ~0.3 MB of code, and this module is loaded by every process with a store.
const ATTR_DB_SYSTEM_NAME = 'db.system.name';
const ATTR_DB_OPERATION_NAME = 'db.operation.name';
const ATTR_DB_COLLECTION_NAME = 'db.collection.name';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * A statement's name: its first keyword and the table it reads or writes (the first after INTO,
 * UPDATE or FROM), when that is a plain identifier. Nothing else of the text.
 */
export function statementName(sql: string): { operation: string; collection?: string } {
    const text = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
    const words = text.trim().split(/[\s(),;]+/);
    const first = (words[0] ?? '').toUpperCase();
    const operation = /^[A-Z]{1,16}$/.test(first) ? first : 'SQL';
    for (let i = 0; i < words.length - 1; i++) {
        const w = words[i]!.toUpperCase();
        if (w === 'INTO' || w === 'FROM' || (w === 'UPDATE' && i === 0) || (w === 'TABLE' && operation !== 'SELECT')) {
            const name = words[i + 1]!;
            if (IDENT.test(name) && !['SELECT', 'VALUES', 'WITH'].includes(name.toUpperCase())) return { operation, collection: name.toLowerCase() };
        }
    }
    return { operation };
}

/** Runs one store call, in a span of its own when the caller's span is recorded. */
export async function traced<T>(sql: string, fn: () => Promise<T>): Promise<T> {
    const parent = trace.getSpan(context.active());
    if (!parent?.isRecording()) return fn();
    const { operation, collection } = statementName(sql);
    const span = trace.getTracer('alphaforge').startSpan(collection ? `${operation} ${collection}` : operation, {
        kind: SpanKind.CLIENT,
        attributes: { [ATTR_DB_SYSTEM_NAME]: 'duckdb', [ATTR_DB_OPERATION_NAME]: operation, ...(collection ? { [ATTR_DB_COLLECTION_NAME]: collection } : {}) },
    });
    try {
        return await context.with(trace.setSpan(context.active(), span), fn);
    } catch (e) {
        const type = e instanceof Error ? e.name : typeof e;
        span.setAttribute('error.type', type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: type });
        throw e;
    } finally {
        span.end();
    }
}
