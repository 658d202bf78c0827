/**
 * Trace ids, W3C Trace Context compatible (https://www.w3.org/TR/trace-context/).
 *
 * A trace id is 16 random bytes as 32 lowercase hex digits; a span (parent) id is 8 bytes as 16.
 * The gateway takes the trace id from an incoming `traceparent` header (or mints one), logs it on
 * every request line, hands it to the orchestrator with the submitted run (stored in
 * `runs.trace_id`), and the run's logger carries it on every line (see `withRun`).
 */
import { randomBytes } from 'node:crypto';

export interface Traceparent {
    version: string;
    traceId: string;
    parentId: string;
    flags: string;
    sampled: boolean;
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const HEX2 = /^[0-9a-f]{2}$/;

function randomHex(bytes: number, zero: string): string {
    for (;;) {
        const hex = randomBytes(bytes).toString('hex');
        if (hex !== zero) return hex;
    }
}

/** A new trace id: 16 random bytes, 32 lowercase hex digits, never all zeros. */
export function newTraceId(): string {
    return randomHex(16, ZERO_TRACE);
}

/** A new span id: 8 random bytes, 16 lowercase hex digits, never all zeros. */
export function newSpanId(): string {
    return randomHex(8, ZERO_SPAN);
}

/** True for a valid trace id (32 lowercase hex digits, not all zeros). */
export function isTraceId(value: unknown): value is string {
    return typeof value === 'string' && HEX32.test(value) && value !== ZERO_TRACE;
}

/**
 * Parse a `traceparent` header (`00-<trace id>-<parent id>-<flags>`). Returns undefined for anything
 * invalid: wrong lengths, upper-case or non-hex digits, all-zero ids, version `ff`, or extra fields
 * on version 00. Later versions may append fields after the flags (they are ignored).
 */
export function parseTraceparent(header: string | readonly string[] | undefined | null): Traceparent | undefined {
    if (header === undefined || header === null) return undefined;
    const text = (typeof header === 'string' ? header : header[0] ?? '').trim();
    const parts = text.split('-');
    if (parts.length < 4) return undefined;
    const [version, traceId, parentId, flags] = parts as [string, string, string, string];
    if (!HEX2.test(version) || version === 'ff') return undefined;
    if (version === '00' && parts.length !== 4) return undefined;
    if (!HEX32.test(traceId) || traceId === ZERO_TRACE) return undefined;
    if (!HEX16.test(parentId) || parentId === ZERO_SPAN) return undefined;
    if (!HEX2.test(flags)) return undefined;
    return { version, traceId, parentId, flags, sampled: (parseInt(flags, 16) & 1) === 1 };
}

/** Format a version-00 `traceparent` header; a fresh span id is minted when none is given. */
export function formatTraceparent(traceId: string, spanId: string = newSpanId(), sampled = true): string {
    if (!isTraceId(traceId)) throw new Error(`invalid trace id '${traceId}': expected 32 lowercase hex digits, not all zeros`);
    if (!HEX16.test(spanId) || spanId === ZERO_SPAN) throw new Error(`invalid span id '${spanId}': expected 16 lowercase hex digits, not all zeros`);
    return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

/** The trace id of an incoming `traceparent` header if it is valid, else a new one. */
export function traceIdFrom(header: string | readonly string[] | undefined | null): string {
    return parseTraceparent(header)?.traceId ?? newTraceId();
}

/** Longest `traceparent` looked at; W3C's version 00 is 55 characters, later versions may append fields. */
export const MAX_TRACEPARENT = 512;

/**
 * The trace context a WebSocket message carries in its envelope's `meta.traceparent` (JSON-RPC
 * leaves extra members to the application): the caller's trace id and its normalised header, or
 * undefined for anything missing, malformed or longer than MAX_TRACEPARENT — such a call starts a
 * new trace; the value is never echoed.
 */
export function traceContextOfMeta(message: unknown): { traceId: string; traceparent: string } | undefined {
    const meta = typeof message === 'object' && message !== null ? (message as { meta?: unknown }).meta : undefined;
    const raw = typeof meta === 'object' && meta !== null ? (meta as { traceparent?: unknown }).traceparent : undefined;
    if (typeof raw !== 'string' || raw.length > MAX_TRACEPARENT) return undefined;
    const tp = parseTraceparent(raw);
    return tp ? { traceId: tp.traceId, traceparent: `00-${tp.traceId}-${tp.parentId}-${tp.flags}` } : undefined;
}
