/**
 * A run result as a file: `result.json`, the one artifact of a run. JSON rather than Parquet: the
 * series are stored columnar (one array per series), so a daily run of decades is a few hundred
 * KB and an hourly run of years a few MB; the file is one self-describing document with its
 * metrics, trades and provenance that `jq`, pandas or a browser read without a native library, and
 * the run worker writes it without a database connection. (Parquet would pay off for minute bars
 * over many years — tens of millions of points — which runs do not reach today.)
 *
 * Reading checks the schema and version and validates the whole document, so a file from another
 * version or a damaged one is refused with the reason, never half-read. Results written before the
 * schema existed are converted (legacy-result.ts).
 */
import { jsonNumbers } from '../../../protocol/src/numbers.js';
import { parseRunResult, type RunResult } from '../../../protocol/src/run-result.js';
import { fromLegacyResult } from './legacy-result.js';

/** The artifact name of a run's result. */
export const RESULT_FILE = 'result.json';
/** Where runs completed before the run-result schema kept a sweep's trials. */
export const LEGACY_SWEEP_TABLE = 'sweep.json';

export function encodeResult(r: RunResult): Buffer {
    // Numbers are wire numbers already; the replacer keeps a stray non-finite one from becoming null silently.
    // A replacer is a call per value (most of a small run's CPU outside the engine): it is used only
    // when there is an infinity to encode (NaN is null either way), so the bytes are the same.
    return Buffer.from(hasInfinity(r) ? JSON.stringify(r, jsonNumbers) : JSON.stringify(r), 'utf8');
}

/** Whether a JSON-like value holds ±Infinity anywhere (the columns of a series are long arrays of numbers: a plain loop). */
export function hasInfinity(v: unknown): boolean {
    if (typeof v === 'number') return v === Infinity || v === -Infinity;
    if (typeof v !== 'object' || v === null) return false;
    if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
            const x: unknown = v[i];
            if (typeof x === 'number' ? x === Infinity || x === -Infinity : typeof x === 'object' && x !== null && hasInfinity(x)) return true;
        }
        return false;
    }
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return true; // its own encoding: leave it to the replacer
    for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && hasInfinity((v as Record<string, unknown>)[k])) return true;
    return false;
}

export type DecodedResult = { readonly ok: true; readonly result: RunResult; readonly legacy: boolean } | { readonly ok: false; readonly problem: string };

/**
 * The run result in a file's bytes, or what is wrong with them. `extra` reads an older run's other
 * artifacts (a sweep's sweep.json) for the conversion, only when it is one.
 */
export function decodeResult(data: Buffer | string, extra: { sweepTable?: () => unknown } = {}): DecodedResult {
    let doc: unknown;
    try {
        doc = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
    } catch (e) {
        return { ok: false, problem: `it is not JSON (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
    }
    const isLegacy = typeof doc === 'object' && doc !== null && !('schema' in doc) && 'kind' in doc && 'provenance' in doc;
    if (isLegacy) {
        const table = (doc as { kind?: unknown }).kind === 'sweep' ? extra.sweepTable?.() : undefined;
        const converted = fromLegacyResult(doc, table);
        if (!converted.ok) return converted;
        doc = converted.result;
    }
    const parsed = parseRunResult(doc);
    return parsed.ok ? { ok: true, result: parsed.result, legacy: isLegacy } : parsed;
}
