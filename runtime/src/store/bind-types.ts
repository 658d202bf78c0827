/**
 * What DuckDB's client cannot bind by itself. It binds a JS number that is a whole number as
 * INTEGER or BIGINT, so one beyond int64 (a metric of -1e21: a runaway profit factor, a sum of
 * squares) was refused ("bigint out of int64 range") and the run's completion failed with it.
 * Such a number is bound as DOUBLE instead — the value it is. Everything else keeps the client's
 * own choice (an undefined type).
 */
import { DOUBLE, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';

const INT64_LIMIT = 2 ** 63;

function beyondInt64(v: DuckDBValue): boolean {
    return typeof v === 'number' && Number.isInteger(v) && (v >= INT64_LIMIT || v < -INT64_LIMIT);
}

/** The types to bind `params` with, or undefined when the client's own choice fits every value (the common case: no allocation). */
export function bindTypes(params: readonly DuckDBValue[] | Readonly<Record<string, DuckDBValue>> | undefined): DuckDBType[] | Record<string, DuckDBType | undefined> | undefined {
    if (params === undefined) return undefined;
    if (Array.isArray(params)) {
        const list = params as readonly DuckDBValue[];
        if (!list.some(beyondInt64)) return undefined;
        // An undefined entry is the client's own choice (its bind() infers the type of each value it has none for).
        return list.map(v => (beyondInt64(v) ? DOUBLE : undefined)) as DuckDBType[];
    }
    const record = params as Readonly<Record<string, DuckDBValue>>;
    const keys = Object.keys(record).filter(k => beyondInt64(record[k]!));
    if (keys.length === 0) return undefined;
    return Object.fromEntries(keys.map(k => [k, DOUBLE]));
}
