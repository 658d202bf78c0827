/**
 * DuckDB's SQL as PostgreSQL runs it: the one place that knows how the two differ for what the
 * control-plane modules and the migrations write. Statements are translated outside string
 * literals, quoted names and comments: `?` and `$name` placeholders become `$1, $2, …` (PostgreSQL
 * knows only those), `DOUBLE` becomes `DOUBLE PRECISION` and the small and unsigned integer types PostgreSQL lacks
 * become the next wider ones; a subquery in FROM or JOIN without an alias (DuckDB allows it,
 * PostgreSQL 15 does not) is given one; `TRY_CAST(x AS T)` becomes `af_try_cast((x)::TEXT, NULL::T)`
 * (the value's text read as T, NULL when it does not read). DuckDB functions the modules use and
 * PostgreSQL lacks are created as functions of the same name and meaning before the first
 * migration (`PG_COMPAT`), so a query reads the same on both. Bound values: DuckDB list values
 * bind as arrays, bigints and dates as text (exact; the session's time zone is UTC).
 */

/** A statement for `pg`: its text and its positional values. */
export interface PgStatement {
    readonly text: string;
    readonly values: unknown[];
}

const WORD = /[A-Za-z_]/;
const WORD_REST = /[A-Za-z0-9_]/;

/** DuckDB type names PostgreSQL lacks, and the PostgreSQL type that holds the same values. */
const PG_TYPE_NAMES: Readonly<Record<string, string>> = { TINYINT: 'SMALLINT', UTINYINT: 'SMALLINT', USMALLINT: 'INTEGER', UINTEGER: 'BIGINT', UBIGINT: 'NUMERIC(20)', HUGEINT: 'NUMERIC(39)' };

/** Words that may follow a derived table where its alias would be: after one of them, it has none. */
const NOT_AN_ALIAS = new Set(['WHERE', 'GROUP', 'HAVING', 'WINDOW', 'QUALIFY', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'FOR', 'UNION', 'EXCEPT', 'INTERSECT',
    'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'ON', 'USING', 'RETURNING']);

/**
 * Translated texts by statement, with the `$name` placeholders in the order they are numbered: the
 * same few statements run for every run (its row, events, metrics), and translating one costs more
 * than sending it. Texts only, never values; bounded (cleared when full: statements with many value
 * rows have one text per row count, and any statement text may come by).
 */
const translated = new Map<string, { readonly text: string; readonly names: readonly string[] }>();
const MAX_TRANSLATED = 1024;
const MAX_TRANSLATED_CHARS = 16_384;

/**
 * Translates one statement. `params`: positional values (for `$n` or `?`) or values by name (for
 * `$name`: numbered in order of first use).
 */
export function toPostgres(sql: string, params?: readonly unknown[] | Readonly<Record<string, unknown>>): PgStatement {
    const named = params !== undefined && !Array.isArray(params) ? params as Readonly<Record<string, unknown>> : undefined;
    let t = translated.get(sql);
    if (!t) {
        t = translate(sql);
        if (sql.length <= MAX_TRANSLATED_CHARS) {
            if (translated.size >= MAX_TRANSLATED) translated.clear();
            translated.set(sql, t);
        }
    }
    if (t.names.length > 0) {
        if (!named) throw new Error(`no value bound for the placeholder $${t.names[0]}`);
        const missing = t.names.find(k => !(k in named));
        if (missing !== undefined) throw new Error(`no value bound for the placeholder $${missing}`);
        return { text: t.text, values: t.names.map(k => toPgValue(named[k])) };
    }
    return { text: t.text, values: named ? [] : (params as readonly unknown[] | undefined ?? []).map(toPgValue) };
}

/** The statement's text for PostgreSQL and its `$name` placeholders in numbering order (none: positional). */
function translate(sql: string): { text: string; names: readonly string[] } {
    const names = new Map<string, number>();
    let question = 0;
    let out = '';
    let i = 0;
    const n = sql.length;
    /** The last token outside literals and comments (a word in upper case, or a character). */
    let prev = '';
    /** Per open parenthesis: a derived table (right after FROM or JOIN), TRY_CAST's, or another. */
    const parens: ('derived' | 'try_cast' | 'other')[] = [];
    let aliases = 0;
    while (i < n) {
        const c = sql[i]!;
        if (c === '(') {
            const kind = prev === 'FROM' || prev === 'JOIN' ? 'derived' : prev === 'TRY_CAST' ? 'try_cast' : 'other';
            parens.push(kind);
            prev = c;
            out += kind === 'try_cast' ? '((' : c;
            i++;
            continue;
        }
        if (c === ')') {
            out += c;
            i++;
            prev = c;
            if (parens.pop() === 'derived') {
                const next = /^\s*([A-Za-z_][A-Za-z0-9_]*|"|\S)?/.exec(sql.slice(i))![1];
                if (next === undefined || next === ')' || next === ';' || next === ',' || NOT_AN_ALIAS.has(next.toUpperCase())) out += ` AS af_sub${++aliases}`;
            }
            continue;
        }
        // Literals, quoted names and comments pass through unchanged.
        if (c === '\'' || c === '"') {
            let j = i + 1;
            for (; j < n; j++) {
                if (sql[j] === c) {
                    if (sql[j + 1] === c) { j++; continue; }
                    break;
                }
            }
            out += sql.slice(i, j + 1);
            i = j + 1;
            prev = c;
            continue;
        }
        if (c === '-' && sql[i + 1] === '-') {
            const j = sql.indexOf('\n', i);
            const end = j < 0 ? n : j;
            out += sql.slice(i, end);
            i = end;
            continue;
        }
        if (c === '/' && sql[i + 1] === '*') {
            const j = sql.indexOf('*/', i + 2);
            const end = j < 0 ? n : j + 2;
            out += sql.slice(i, end);
            i = end;
            continue;
        }
        if (c === '?') {
            prev = c;
            out += `$${++question}`;
            i++;
            continue;
        }
        if (c === '$' && i + 1 < n && WORD.test(sql[i + 1]!)) {
            let j = i + 1;
            while (j < n && WORD_REST.test(sql[j]!)) j++;
            const name = sql.slice(i + 1, j);
            let k = names.get(name);
            if (k === undefined) { k = names.size + 1; names.set(name, k); }
            prev = '$';
            out += `$${k}`;
            i = j;
            continue;
        }
        if (WORD.test(c) && (i === 0 || !WORD_REST.test(sql[i - 1]!))) {
            let j = i + 1;
            while (j < n && WORD_REST.test(sql[j]!)) j++;
            const word = sql.slice(i, j);
            const upper = word.toUpperCase();
            prev = upper;
            i = j;
            if (upper === 'TRY_CAST' && /^\s*\(/.test(sql.slice(j))) { out += 'af_try_cast'; continue; }
            if (upper === 'AS' && parens.at(-1) === 'try_cast') {
                out = `${out.trimEnd()})::TEXT, NULL::`;
                while (i < n && /\s/.test(sql[i]!)) i++;
                continue;
            }
            out += upper === 'DOUBLE' && !/^\s+PRECISION\b/i.test(sql.slice(j)) ? `${word} PRECISION` : (PG_TYPE_NAMES[upper] ?? word);
            continue;
        }
        if (!/\s/.test(c)) prev = c;
        out += c;
        i++;
    }
    return { text: out, names: [...names.keys()] };
}

/** One bound value as `pg` sends it. */
export function toPgValue(v: unknown): unknown {
    if (v === null || v === undefined) return null;
    switch (typeof v) {
        case 'string': case 'number': case 'boolean': return v;
        case 'bigint': return v.toString();
        default: break;
    }
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map(toPgValue);
    if (v instanceof Uint8Array) return Buffer.from(v);
    // DuckDB's list and array values (listValue(…), arrayValue(…)).
    const items = (v as { items?: unknown }).items;
    if (Array.isArray(items)) return items.map(toPgValue);
    throw new Error(`a ${(v as object).constructor?.name ?? 'value'} cannot be bound on PostgreSQL`);
}

/**
 * DuckDB functions the modules use, with DuckDB's meaning, created before the first migration
 * (idempotent; the opener holds an advisory lock). Timestamps are UTC wall times (TIMESTAMP).
 */
export const PG_COMPAT_MARKER = 'af_compat_v2';
export const PG_COMPAT: readonly string[] = [
    // epoch_ms(BIGINT) → TIMESTAMP and epoch_ms(TIMESTAMP) → BIGINT (milliseconds, floored).
    `CREATE OR REPLACE FUNCTION epoch_ms(ms BIGINT) RETURNS TIMESTAMP LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT TIMESTAMP '1970-01-01' + ms * INTERVAL '1 millisecond' $$`,
    `CREATE OR REPLACE FUNCTION epoch_ms(ts TIMESTAMP) RETURNS BIGINT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT floor(extract(epoch FROM ts) * 1000)::BIGINT $$`,
    // make_timestamp(µs since the epoch) → TIMESTAMP.
    `CREATE OR REPLACE FUNCTION make_timestamp(us BIGINT) RETURNS TIMESTAMP LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT TIMESTAMP '1970-01-01' + us * INTERVAL '1 microsecond' $$`,
    // json_extract_string(json, '$.a.b') → the value at that path as text.
    `CREATE OR REPLACE FUNCTION json_extract_string(j JSON, path TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT j #>> string_to_array(substr(path, 3), '.') $$`,
    // list(x): the values as an array, NULL over no row (DuckDB's list aggregate).
    `CREATE OR REPLACE AGGREGATE list(anycompatible) (SFUNC = array_append, STYPE = anycompatiblearray)`,
    // arg_max(arg, val): arg of the row with the greatest val, rows with a NULL arg or val skipped.
    `DO $$ BEGIN
        IF to_regtype(current_schema() || '.af_arg_by_int') IS NULL THEN CREATE TYPE af_arg_by_int AS (arg TEXT, val BIGINT); END IF;
        IF to_regtype(current_schema() || '.af_arg_by_ts') IS NULL THEN CREATE TYPE af_arg_by_ts AS (arg TEXT, val TIMESTAMP); END IF;
    END $$`,
    `CREATE OR REPLACE FUNCTION af_arg_max_step(s af_arg_by_int, arg TEXT, val BIGINT) RETURNS af_arg_by_int LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE WHEN arg IS NULL OR val IS NULL THEN s WHEN s IS NULL OR val > (s).val THEN ROW(arg, val)::af_arg_by_int ELSE s END $$`,
    `CREATE OR REPLACE FUNCTION af_arg_max_step(s af_arg_by_ts, arg TEXT, val TIMESTAMP) RETURNS af_arg_by_ts LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE WHEN arg IS NULL OR val IS NULL THEN s WHEN s IS NULL OR val > (s).val THEN ROW(arg, val)::af_arg_by_ts ELSE s END $$`,
    `CREATE OR REPLACE FUNCTION af_arg_max_final(s af_arg_by_int) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (s).arg $$`,
    `CREATE OR REPLACE FUNCTION af_arg_max_final(s af_arg_by_ts) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (s).arg $$`,
    `CREATE OR REPLACE AGGREGATE arg_max(TEXT, BIGINT) (SFUNC = af_arg_max_step, STYPE = af_arg_by_int, FINALFUNC = af_arg_max_final)`,
    `CREATE OR REPLACE AGGREGATE arg_max(TEXT, TIMESTAMP) (SFUNC = af_arg_max_step, STYPE = af_arg_by_ts, FINALFUNC = af_arg_max_final)`,
    // af_try_cast(text, NULL::T): TRY_CAST's translation (toPostgres): the text read as T, NULL when it does not read.
    // The assignment to the result (of the caller's type T) is the conversion, inside the block that catches its error.
    `CREATE OR REPLACE FUNCTION af_try_cast(v TEXT, model ANYELEMENT) RETURNS ANYELEMENT LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        DECLARE r ALIAS FOR $0;
        BEGIN r := v; RETURN r; EXCEPTION WHEN others THEN RETURN NULL; END $$`,
    // Last: the marker that this set is in place (a changed set gets a new name, so databases get it once).
    `CREATE OR REPLACE FUNCTION ${PG_COMPAT_MARKER}() RETURNS INTEGER LANGUAGE sql IMMUTABLE AS $$ SELECT 1 $$`,
];
