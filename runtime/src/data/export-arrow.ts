/**
 * The Arrow IPC (Feather v2) writer of `af data export` (export.ts), in a module of its own so that
 * apache-arrow is loaded only by an Arrow export.
 */
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBTypeId, type DuckDBPreparedStatement, type DuckDBValue, type DuckDBVector } from '@duckdb/node-api';
import {
    Binary, Bool, DateDay, Float32, Float64, Int16, Int32, Int64, Int8, makeBuilder, makeData, makeVector, Table, tableToIPC, TimestampMillisecond,
    Uint16, Uint32, Uint64, Uint8, Utf8, type Builder, type DataType, type Vector,
} from 'apache-arrow';
import { Failure } from '../../../protocol/src/errors.js';
import { DataError, firstLine } from './errors.js';

// ---------------------------------------------------------------------------------------- Arrow

type Convert = (v: DuckDBValue) => unknown;

interface ArrowColumn {
    readonly type: DataType;
    readonly convert: Convert;
}

const MS_LIMIT = 8.64e15; // JS Date range; DuckDB's ±infinity timestamps fall outside it
const ms = (x: number): number | null => (Number.isFinite(x) && Math.abs(x) <= MS_LIMIT ? Math.floor(x) : null);

function arrowColumn(prepared: DuckDBPreparedStatement, i: number, name: string): ArrowColumn {
    const id = prepared.columnTypeId(i);
    const num: Convert = v => v as number;
    switch (id) {
        case DuckDBTypeId.BOOLEAN: return { type: new Bool(), convert: v => v as boolean };
        case DuckDBTypeId.TINYINT: return { type: new Int8(), convert: num };
        case DuckDBTypeId.SMALLINT: return { type: new Int16(), convert: num };
        case DuckDBTypeId.INTEGER: return { type: new Int32(), convert: num };
        case DuckDBTypeId.BIGINT: return { type: new Int64(), convert: v => v as bigint };
        case DuckDBTypeId.UTINYINT: return { type: new Uint8(), convert: num };
        case DuckDBTypeId.USMALLINT: return { type: new Uint16(), convert: num };
        case DuckDBTypeId.UINTEGER: return { type: new Uint32(), convert: num };
        case DuckDBTypeId.UBIGINT: return { type: new Uint64(), convert: v => v as bigint };
        case DuckDBTypeId.FLOAT: return { type: new Float32(), convert: num };
        case DuckDBTypeId.DOUBLE: return { type: new Float64(), convert: num };
        // 128-bit integers (sum() of BIGINT) and decimals (1.5 literals) become doubles, as in DuckDB's own JS conversion.
        case DuckDBTypeId.HUGEINT: case DuckDBTypeId.UHUGEINT: return { type: new Float64(), convert: v => Number(v as bigint) };
        case DuckDBTypeId.DECIMAL: return { type: new Float64(), convert: v => (v as { toDouble(): number }).toDouble() };
        case DuckDBTypeId.VARCHAR: case DuckDBTypeId.ENUM: return { type: new Utf8(), convert: v => v as string };
        case DuckDBTypeId.UUID: return { type: new Utf8(), convert: v => String(v) };
        case DuckDBTypeId.BLOB: return { type: new Binary(), convert: v => (v as { bytes: Uint8Array }).bytes };
        case DuckDBTypeId.DATE: return { type: new DateDay(), convert: v => ms((v as { days: number }).days * 86_400_000) };
        case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_TZ:
            return { type: new TimestampMillisecond('UTC'), convert: v => ms(Number((v as { micros: bigint }).micros) / 1000) };
        case DuckDBTypeId.TIMESTAMP_S: return { type: new TimestampMillisecond('UTC'), convert: v => ms(Number((v as { seconds: bigint }).seconds) * 1000) };
        case DuckDBTypeId.TIMESTAMP_MS: return { type: new TimestampMillisecond('UTC'), convert: v => ms(Number((v as { millis: bigint }).millis)) };
        case DuckDBTypeId.TIMESTAMP_NS: return { type: new TimestampMillisecond('UTC'), convert: v => ms(Number((v as { nanos: bigint }).nanos) / 1e6) };
        case DuckDBTypeId.SQLNULL: return { type: new Float64(), convert: () => null };
        default:
            throw new DataError(`column '${name}' has type ${prepared.columnType(i).toString()}, which the Arrow export does not convert; CAST it (e.g. AS VARCHAR or AS DOUBLE) or export Parquet`);
    }
}

/** Where one column's values go: an apache-arrow builder, or StringColumn for text. */
interface Sink {
    append(v: unknown): void;
    finish(): Vector;
}

function sinkFor(type: DataType): Sink {
    if (type instanceof Utf8) return new StringColumn();
    const b: Builder = makeBuilder({ type, nullValues: [null, undefined] });
    return { append: v => { b.append(v); }, finish: () => b.finish().toVector() };
}

/**
 * A Utf8 column assembled directly (offsets + bytes + validity): apache-arrow's Utf8 builder
 * encodes every value anew, which dominated long-format exports where a few symbol and feature
 * names repeat on every row; here each distinct string is encoded once.
 */
class StringColumn implements Sink {
    private offsets = new Int32Array(1024);
    private bytes = new Uint8Array(1 << 16);
    private validity = new Uint8Array(128);
    private n = 0;
    private nulls = 0;
    private readonly encoded = new Map<string, Uint8Array>();
    private readonly encoder = new TextEncoder();

    append(v: unknown): void {
        const n = this.n;
        if (n + 2 > this.offsets.length) {
            this.offsets = grow(this.offsets, this.offsets.length * 2);
            this.validity = grow(this.validity, this.offsets.length / 8 + 1);
        }
        const start = this.offsets[n]!;
        if (v === null || v === undefined) {
            this.nulls++;
            this.offsets[n + 1] = start;
        } else {
            const s = v as string;
            let b = this.encoded.get(s);
            if (!b) {
                b = this.encoder.encode(s);
                if (this.encoded.size < 65_536) this.encoded.set(s, b);
            }
            const end = start + b.length;
            if (end > 0x7fffffff) throw new DataError('the text of one column exceeds 2 GiB, more than an Arrow Utf8 column holds; export Parquet');
            if (end > this.bytes.length) this.bytes = grow(this.bytes, Math.max(end, this.bytes.length * 2));
            if (b.length < 16) for (let i = 0; i < b.length; i++) this.bytes[start + i] = b[i]!;
            else this.bytes.set(b, start);
            this.offsets[n + 1] = end;
            this.validity[n >> 3] = this.validity[n >> 3]! | (1 << (n & 7));
        }
        this.n = n + 1;
    }

    finish(): Vector {
        const n = this.n;
        return makeVector(makeData({
            type: new Utf8(), length: n, nullCount: this.nulls,
            nullBitmap: this.nulls > 0 ? this.validity.subarray(0, (n + 7) >> 3) : undefined,
            valueOffsets: this.offsets.subarray(0, n + 1), data: this.bytes.subarray(0, this.offsets[n]!),
        }));
    }
}

function grow<A extends Int32Array | Uint8Array>(a: A, size: number): A {
    const b = new (a.constructor as new (n: number) => A)(size);
    b.set(a);
    return b;
}

export async function writeArrow(
    prepared: DuckDBPreparedStatement, columns: readonly string[], tmp: string, runError: (e: unknown, file: string) => Error,
): Promise<number> {
    const specs = columns.map((name, i) => arrowColumn(prepared, i, name));
    const sinks = specs.map(s => sinkFor(s.type));
    let rows = 0;
    try {
        const result = await prepared.stream();
        for (;;) {
            const chunk = await result.fetchChunk();
            if (!chunk || chunk.rowCount === 0) break;
            const n = chunk.rowCount;
            for (let c = 0; c < specs.length; c++) {
                const vector: DuckDBVector = chunk.getColumnVector(c);
                const sink = sinks[c]!, convert = specs[c]!.convert;
                for (let r = 0; r < n; r++) {
                    const v = vector.getItem(r);
                    sink.append(v === null ? null : convert(v));
                }
            }
            rows += n;
        }
    } catch (e) {
        if (e instanceof Failure) throw e;
        throw runError(e, tmp);
    }
    const vectors: Record<string, Vector> = {};
    columns.forEach((name, i) => { vectors[name] = sinks[i]!.finish(); });
    const table = new Table(vectors);
    try {
        writeFileSync(tmp, tableToIPC(table, 'file'));
    } catch (e) {
        throw new DataError(`cannot write ${dirname(tmp)}: ${firstLine(e)}`);
    }
    return rows;
}
