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
import { randomBytes } from 'node:crypto';
import { jsonNumbers } from '../../../protocol/src/numbers.js';
import { parseRunResult, type RunResult } from '../../../protocol/src/run-result.js';
import { fromLegacyResult } from './legacy-result.js';

/** The artifact name of a run's result. */
export const RESULT_FILE = 'result.json';
/** Where runs completed before the run-result schema kept a sweep's trials. */
export const LEGACY_SWEEP_TABLE = 'sweep.json';

export function encodeResult(r: RunResult): Buffer {
    // Bar-time and benchmark columns as JSON encoded earlier (placeholders in the document, their text spliced in).
    const { doc, parts } = withKnownColumns(r);
    // The document's upper levels piece by piece: each piece is a young string, where the whole text
    // (and its flattening) is one the size of the file in the heap's large-object space,
    // old-generation growth that brings major GCs. Numbers are wire numbers already; a stray
    // non-finite one is encoded by the jsonNumbers replacer in the piece that holds it (see leafJson).
    const pieces: string[] = [];
    const marks = new Map(parts);
    if (!jsonPieces(doc, PIECE_DEPTH, marks, pieces) || marks.size > 0) {
        // A toJSON at the upper levels (or a mark not found once): the document whole.
        // A replacer is a call per value: used only when there is an infinity to encode (NaN is null either way).
        return spliced(hasInfinity(doc) ? JSON.stringify(doc, jsonNumbers) : JSON.stringify(doc), parts) ?? whole(r);
    }
    return written(pieces);
}

/** How many levels of the document are written as pieces (the result, its sections, a section's parts: tearsheet.rolling). */
const PIECE_DEPTH = 3;

function whole(r: RunResult): Buffer {
    return Buffer.from(hasInfinity(r) ? JSON.stringify(r, jsonNumbers) : JSON.stringify(r), 'utf8');
}

/**
 * JSON.stringify(v) as pieces (no replacer, no indent), plain objects opened `depth` levels down
 * and a mark's JSON (a key of `marks`, removed when used) replaced by its column's. False for what
 * it does not write the way JSON.stringify would at those levels (an object with toJSON there):
 * the caller encodes the document whole instead.
 */
function jsonPieces(v: unknown, depth: number, marks: Map<string, string>, out: string[]): boolean {
    if (typeof v === 'string') {
        const json = marks.get(JSON.stringify(v));
        if (json !== undefined) {
            marks.delete(JSON.stringify(v));
            out.push(json);
            return true;
        }
    }
    if (depth === 0 || typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) {
        if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
        out.push(leafJson(v));
        return true;
    }
    if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
    let first = true;
    out.push('{');
    for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k];
        // What JSON.stringify leaves out of an object: undefined, functions, symbols.
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        out.push(first ? `${JSON.stringify(k)}:` : `,${JSON.stringify(k)}:`);
        first = false;
        if (!jsonPieces(x, depth - 1, marks, out)) return false;
    }
    out.push('}');
    return true;
}

/**
 * JSON.stringify(v, jsonNumbers), without the replacer's call per value when it changes nothing:
 * the replacer changes only non-finite numbers, each of which JSON.stringify writes as `null`, so a
 * text without "null" is the replacer's text already. Only a piece with a null (a NaN, a null, or
 * the word in a string) is searched for an infinity, and encoded again with the replacer when it
 * holds one. (Searching the whole document instead was a tenth of the encoding's time.)
 */
function leafJson(v: unknown): string {
    const json = JSON.stringify(v);
    return json !== undefined && json.includes('null') && hasInfinity(v) ? JSON.stringify(v, jsonNumbers) : json;
}

/** The text with each mark (exactly once) replaced by its column's JSON, as bytes; undefined when a mark is not there once. */
function spliced(text: string, parts: readonly [string, string][]): Buffer | undefined {
    if (parts.length === 0) return Buffer.from(text, 'utf8');
    const found: { at: number; mark: string; json: string }[] = [];
    for (const [mark, json] of parts) {
        const at = text.indexOf(mark);
        // Exactly once, or (impossible with a random mark, but never a wrong byte) the document encoded whole.
        if (at < 0 || text.indexOf(mark, at + 1) >= 0) return undefined;
        found.push({ at, mark, json });
    }
    found.sort((x, y) => x.at - y.at);
    const pieces: string[] = [];
    let from = 0;
    for (const f of found) {
        pieces.push(text.slice(from, f.at), f.json);
        from = f.at + f.mark.length;
    }
    pieces.push(text.slice(from));
    return written(pieces);
}

/** The pieces' UTF-8 one after the other in one buffer (concatenated, the text would be flattened: another copy the size of the file). */
function written(pieces: readonly string[]): Buffer {
    let size = 0;
    for (const p of pieces) size += Buffer.byteLength(p, 'utf8');
    const out = Buffer.allocUnsafe(size);
    let offset = 0;
    for (const p of pieces) offset += out.write(p, offset, 'utf8');
    if (offset !== size) throw new Error(`internal error: the result's JSON is ${offset} bytes, not ${size}`);
    return out;
}

/**
 * JSON text of columns that repeat across runs, by content, most recent first: the bar times of a
 * result's series and of its rolling statistics, and its benchmark's equity (buy-and-hold of the
 * same bars from the same bar: the same curve for every strategy with that warm-up). A batch of
 * runs over the same bars (the common case: a client's backtests, a queue of jobs) repeats them,
 * and formatting a number is most of JSON.stringify's cost; these columns are two fifths of a daily
 * backtest's numbers. Only columns of finite numbers, each kept as a copy with its text, at most
 * KNOWN_COLUMNS of them and KNOWN_VALUES values in all (the thread's heap stays small: a few MB).
 */
const knownColumns: { readonly values: readonly number[]; readonly json: string }[] = [];
const KNOWN_COLUMNS = 12;
const KNOWN_VALUES = 200_000;
const KNOWN_COLUMN_MAX = 50_000;
let knownValues = 0;
/** A string no result holds: JSON-encoded, where a column's text goes. */
const MARK = `\u0001af-column-${randomBytes(12).toString('hex')}-`;

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
}

function finiteNumbers(xs: readonly unknown[]): boolean {
    for (let i = 0; i < xs.length; i++) {
        const x = xs[i];
        if (typeof x !== 'number' || !Number.isFinite(x)) return false;
    }
    return true;
}

/** The column's JSON (remembered), or undefined for one not worth remembering or not all finite numbers. */
function columnJson(xs: readonly number[]): string | undefined {
    if (!Array.isArray(xs) || xs.length < 2 || xs.length > KNOWN_COLUMN_MAX) return undefined;
    for (let k = 0; k < knownColumns.length; k++) {
        const c = knownColumns[k]!;
        if (sameNumbers(c.values, xs)) {
            if (k > 0) { knownColumns.splice(k, 1); knownColumns.unshift(c); }
            return c.json;
        }
    }
    if (!finiteNumbers(xs)) return undefined;
    const json = JSON.stringify(xs);
    knownColumns.unshift({ values: xs.slice(), json });
    knownValues += xs.length;
    while (knownColumns.length > KNOWN_COLUMNS || knownValues > KNOWN_VALUES) knownValues -= knownColumns.pop()!.values.length;
    return json;
}

/** The result with its known columns (see knownColumns) replaced by marks (the same keys in the same order), and each mark's JSON text and the column's. */
function withKnownColumns(r: RunResult): { doc: RunResult; parts: [string, string][] } {
    const parts: [string, string][] = [];
    const mark = (xs: readonly number[]): string | undefined => {
        const json = columnJson(xs);
        if (json === undefined) return undefined;
        const m = `${MARK}${parts.length}`;
        parts.push([JSON.stringify(m), json]);
        return m;
    };
    let doc = r;
    const ts = r.series ? mark(r.series.ts) : undefined;
    const benchmark = r.series?.benchmark ? mark(r.series.benchmark as number[]) : undefined;
    if (ts !== undefined || benchmark !== undefined) {
        doc = {
            ...doc,
            series: { ...r.series!, ...(ts !== undefined ? { ts: ts as unknown as number[] } : {}), ...(benchmark !== undefined ? { benchmark: benchmark as unknown as number[] } : {}) },
        };
    }
    const rolling = r.tearsheet?.rolling;
    const rts = rolling ? mark(rolling.ts) : undefined;
    if (rts !== undefined) doc = { ...doc, tearsheet: { ...r.tearsheet!, rolling: { ...rolling!, ts: rts as unknown as number[] } } };
    return { doc, parts };
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
