/**
 * The orchestrator's SQL over runs, run_events and run_logs (schema.ts), plus the result rows of
 * the experiment store's run_params / run_metrics / run_tags. Callers serialise access (one
 * connection, one writer: the orchestrator's mutex) and wrap multi-statement changes in
 * `store.transaction` (writer.ts). A state change is a compare-and-set (`WHERE state IN (…)`),
 * so two racing transitions cannot both win. Rows of the same table written by one transaction
 * go in as one multi-row INSERT (`insert*` / `upsert*`): a statement costs far more than a row;
 * on PostgreSQL, the rows of every table go in as one statement (`insertAll`).
 * INSERT … VALUES statements are prepared once per SQL text and kept (binding and running a
 * prepared statement is one round trip into DuckDB; parsing and planning it again is two more).
 * Nothing that reads a table is kept prepared: DuckDB fixes a plan when it prepares it, and its
 * optimizer may fold what table statistics say at that moment into the plan (a count(*) or max()
 * of a checkpointed table becomes a constant), so a kept SELECT or UPDATE could act on a stale
 * picture of the table. Those are planned on every execution.
 */
import { type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';
import { DataStore } from '../store/store.js';
import { PgStore } from '../store/pg-store.js';
import { ledgerRows, type LedgerEntry } from '../experiments/ledger.js';
import { type SqlStore } from '../store/sql-store.js';
import { bindTypes } from '../store/bind-types.js';
import { type RecordedArtifact } from './artifacts.js';
import { jsonNumbers } from '../../../protocol/src/numbers.js';
import type { ListQuery, LogLevel, Provenance, Run, RunEvent, RunEventKind, RunKind, RunLog, RunSpec, RunState } from './types.js';

const ts = (n: number): string => `make_timestamp(CAST($${n} AS BIGINT) * 1000)`;
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

const RUN_COLUMNS = `id, kind, state, promoted, owner, team, experiment_id, trace_id, attempt,
    epoch_ms(created_at)::DOUBLE AS created_at, epoch_ms(queued_at)::DOUBLE AS queued_at,
    epoch_ms(started_at)::DOUBLE AS started_at, epoch_ms(finished_at)::DOUBLE AS finished_at,
    CAST(spec AS VARCHAR) AS spec, strategy, progress, error, CAST(params AS VARCHAR) AS params,
    CAST(metrics AS VARCHAR) AS metrics, trade_count, fingerprint_exact, fingerprint_structural,
    data_snapshot, engine_version, CAST(seed AS DOUBLE) AS seed`;

export function toRun(r: Record<string, unknown>): Run {
    const parse = <T>(v: unknown): T | null => (typeof v === 'string' ? JSON.parse(v) as T : null);
    const provenance: Provenance | null = r.fingerprint_exact
        ? { exactFingerprint: String(r.fingerprint_exact), structuralFingerprint: String(r.fingerprint_structural), dataSnapshot: String(r.data_snapshot), engineVersion: String(r.engine_version), seed: Number(r.seed ?? 0) }
        : null;
    return {
        id: String(r.id), kind: r.kind as RunKind, state: r.state as RunState, promoted: Boolean(r.promoted),
        owner: String(r.owner), team: String(r.team), experimentId: (r.experiment_id as string | null) ?? null, traceId: String(r.trace_id),
        attempt: Number(r.attempt), createdAt: iso(r.created_at)!, queuedAt: iso(r.queued_at), startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
        spec: parse<RunSpec>(r.spec)!, strategy: (r.strategy as string | null) ?? null, progress: Number(r.progress ?? 0), error: (r.error as string | null) ?? null,
        params: parse(r.params), metrics: parseMetrics(r.metrics), tradeCount: r.trade_count === null || r.trade_count === undefined ? null : Number(r.trade_count), provenance,
    };
}

/** JSON for a metrics record: NaN / null → null; ±Infinity as the strings "Infinity" / "-Infinity" (JSON has no infinities; read back as numbers). */
export function metricsJson(m: Readonly<Record<string, number | null>>): string {
    return JSON.stringify(m, jsonNumbers);
}

export function parseMetrics(v: unknown): Record<string, number | null> | null {
    if (typeof v !== 'string') return null;
    const raw = JSON.parse(v) as Record<string, number | string | null>;
    const out: Record<string, number | null> = {};
    for (const [k, x] of Object.entries(raw)) out[k] = typeof x === 'string' ? Number(x) : x;
    return out;
}

export interface NewRun {
    readonly id: string;
    readonly spec: RunSpec;
    readonly owner: string;
    readonly team: string;
    readonly traceId: string;
    readonly now: number;
}

export interface EventInput {
    readonly kind: RunEventKind;
    readonly state?: RunState;
    readonly actor: string;
    readonly message?: string;
    readonly progress?: number;
}

/** A run_events row to insert: the event (seq assigned) and its time in epoch ms. */
export interface EventRow {
    readonly event: RunEvent;
    readonly ms: number;
}

/** A run_logs row to insert. */
export interface LogRow {
    readonly log: RunLog;
    readonly ms: number;
}

/** Result rows of one completed run. */
export interface ResultRows {
    readonly runId: string;
    readonly params: Readonly<Record<string, number | boolean>>;
    readonly metrics: Readonly<Record<string, number | null>>;
}

/** Rows a transaction of the state writer inserts at its end (writer.ts). */
export interface BatchRows {
    readonly runs: readonly NewRun[];
    readonly tags: readonly { runId: string; tags: Readonly<Record<string, string>> }[];
    readonly events: readonly EventRow[];
    readonly logs: readonly LogRow[];
    readonly results: readonly ResultRows[];
    readonly artifacts: readonly { runId: string; artifact: RecordedArtifact }[];
    readonly ledger: readonly LedgerEntry[];
}

/**
 * PostgreSQL: every table's rows of a batch in one statement — an INSERT per table as data-modifying
 * CTEs —, so a batch is one round trip whatever it holds. Each table's rows are bound as one JSON
 * text (an array of rows, each an array in the column order below; serialised natively, where
 * bound arrays would be escaped value by value; read as JSONB, parsed once — a JSON value is
 * parsed again by each `->>`; a run's spec goes as its JSON text, kept as written), so the text is one whatever the row counts
 * (prepared once per connection: its plan is kept). The same rows, values and conflict handling as
 * the per-table statements (the embedded store's way); `$daemon` is this daemon's key. No foreign
 * keys join these tables: the order of the CTEs is free.
 */
const at = (i: number): string => `make_timestamp(CAST(x->>${i} AS BIGINT) * 1000)`;
const PG_INSERT_ALL = `WITH
    ins_runs AS (INSERT INTO runs (id, kind, owner, team, experiment_id, trace_id, created_at, queued_at, spec, strategy, source, state, attempt, progress, daemon)
        SELECT x->>0, x->>1, x->>2, x->>3, x->>4, x->>5, ${at(6)}, ${at(6)}, CAST(x->>7 AS JSON), x->>8, x->>9, 'queued', 0, 0, $daemon FROM jsonb_array_elements($1::JSONB) AS x),
    ins_tags AS (INSERT INTO run_tags (run_id, key, value) SELECT x->>0, x->>1, x->>2 FROM jsonb_array_elements($2::JSONB) AS x
        ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value),
    ins_events AS (INSERT INTO run_events (run_id, seq, ts, kind, state, actor, message, progress)
        SELECT x->>0, CAST(x->>1 AS INTEGER), ${at(2)}, x->>3, x->>4, x->>5, x->>6, CAST(x->>7 AS DOUBLE) FROM jsonb_array_elements($3::JSONB) AS x),
    ins_logs AS (INSERT INTO run_logs (run_id, seq, ts, level, message)
        SELECT x->>0, CAST(x->>1 AS INTEGER), ${at(2)}, x->>3, x->>4 FROM jsonb_array_elements($4::JSONB) AS x),
    ins_params AS (INSERT INTO run_params (run_id, key, value, text) SELECT x->>0, x->>1, CAST(x->>2 AS DOUBLE), x->>3 FROM jsonb_array_elements($5::JSONB) AS x
        ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, text = excluded.text),
    ins_metrics AS (INSERT INTO run_metrics (run_id, key, value) SELECT x->>0, x->>1, CAST(x->>2 AS DOUBLE) FROM jsonb_array_elements($6::JSONB) AS x
        ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value),
    ins_artifacts AS (INSERT INTO run_artifacts (run_id, name, bytes, sha256) SELECT x->>0, x->>1, CAST(x->>2 AS BIGINT), x->>3 FROM jsonb_array_elements($7::JSONB) AS x
        ON CONFLICT (run_id, name) DO UPDATE SET bytes = excluded.bytes, sha256 = excluded.sha256)
    INSERT INTO ledger_trials (run_id, trial, team, kind, fingerprint_structural, recorded_at, period_sharpe, skew, kurtosis, observations)
        SELECT x->>0, CAST(x->>1 AS INTEGER), x->>2, x->>3, x->>4, ${at(5)}, CAST(x->>6 AS DOUBLE), CAST(x->>7 AS DOUBLE), CAST(x->>8 AS DOUBLE), CAST(x->>9 AS BIGINT)
        FROM jsonb_array_elements($8::JSONB) AS x
        ON CONFLICT (run_id, trial) DO NOTHING`;

/** A number JSON can carry: ±Infinity as the text PostgreSQL reads as a DOUBLE (JSON has no infinities), NaN as null. */
const jsonNumber = (v: DuckDBValue): DuckDBValue => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? null : String(v)) : v);

/** Rows keyed by (run_id, key) — their first two values —, the last one of a key winning (one statement must not update a row twice). */
function lastByKey(rows: readonly DuckDBValue[][]): DuckDBValue[][] {
    const byKey = new Map<string, DuckDBValue[]>();
    for (const r of rows) byKey.set(`${String(r[0])}\u0000${String(r[1])}`, r);
    return [...byKey.values()];
}

const paramRows = (results: readonly ResultRows[]): DuckDBValue[][] =>
    results.flatMap(r => Object.entries(r.params).map(([k, v]) => [r.runId, k, typeof v === 'number' && Number.isFinite(v) ? v : null, String(v)]));
const metricRows = (results: readonly ResultRows[]): DuckDBValue[][] =>
    results.flatMap(r => Object.entries(r.metrics).map(([k, v]) => [r.runId, k, typeof v === 'number' && !Number.isNaN(v) ? v : null]));
const tagRows = (list: readonly { runId: string; tags: Readonly<Record<string, string>> }[]): DuckDBValue[][] =>
    list.flatMap(t => Object.entries(t.tags).map(([k, v]) => [t.runId, k, v]));

/** Rows per multi-row statement (and so at most ~1600 bound values). */
const CHUNK = 200;

/**
 * `(…), (…)` for `rows` rows: per column either an expression of its bound value (`$n` numbered
 * row by row) or a constant SQL text that binds nothing.
 */
function valuesClause(rows: number, exprs: readonly (((p: string) => string) | string)[]): string {
    const width = exprs.filter(e => typeof e === 'function').length;
    return Array.from({ length: rows }, (_, r) => {
        let c = 0;
        return `(${exprs.map(e => (typeof e === 'function' ? e(`$${r * width + ++c}`) : e)).join(', ')})`;
    }).join(', ');
}
const plain = (p: string): string => p;
const stamp = (p: string): string => `make_timestamp(CAST(${p} AS BIGINT) * 1000)`;

/** INSERT statements kept prepared per connection (the least recently prepared go first). */
const MAX_PREPARED = 128;

export class RunRepository {
    private readonly prepared = new Map<string, Promise<DuckDBPreparedStatement>>();

    /** `daemon`: team mode's key of this daemon (store/pg-ownership.ts), written on the runs it queues and claims; the embedded store has none. */
    private readonly daemonSql: string;

    constructor(readonly store: SqlStore, daemon?: string) {
        if (daemon !== undefined && !/^[0-9]{1,19}$/.test(daemon)) throw new Error('a daemon key is a positive integer');
        this.daemonSql = daemon !== undefined ? `CAST(${daemon} AS BIGINT)` : 'NULL';
    }

    /** Whether insertAll() is the way to insert a batch's rows (PostgreSQL: one statement); else the per-table statements. */
    get insertsAtOnce(): boolean {
        return this.store instanceof PgStore;
    }

    /**
     * PostgreSQL: a batch's rows of every table in one statement (PG_INSERT_ALL), the last of the
     * enclosing transaction — alone when it is the only one (no BEGIN, no COMMIT).
     */
    async insertAll(b: BatchRows): Promise<void> {
        const store = this.store;
        if (!(store instanceof PgStore)) throw new Error('insertAll is PostgreSQL\'s (insertsAtOnce)');
        const json = (rows: readonly (readonly unknown[])[]): string => JSON.stringify(rows);
        await store.runLast(this.insertAllSql, [
            json(b.runs.map(r => [r.id, r.spec.kind, r.owner, r.team, r.spec.experimentId ?? null, r.traceId, r.now, JSON.stringify(r.spec), r.spec.strategy ?? null, r.spec.source])),
            json(lastByKey(tagRows(b.tags))),
            json(b.events.map(({ event: e, ms }) => [e.runId, e.seq, ms, e.kind, e.state ?? null, e.actor, e.message ?? null, e.progress ?? null])),
            json(b.logs.map(({ log: l, ms }) => [l.runId, l.seq, ms, l.level, l.message])),
            json(lastByKey(paramRows(b.results))),
            json(lastByKey(metricRows(b.results)).map(([id, k, v]) => [id, k, jsonNumber(v!)])),
            json(lastByKey(b.artifacts.map(r => [r.runId, r.artifact.name, r.artifact.bytes, r.artifact.sha256]))),
            json(ledgerRows(b.ledger)),
        ]);
    }

    private get insertAllSql(): string {
        return this.insertAllText ??= PG_INSERT_ALL.replace('$daemon', this.daemonSql);
    }

    private insertAllText: string | undefined;

    /** Runs an INSERT … VALUES (prepared once per SQL text); callers are serialised (one statement at a time on the connection). */
    private insert(sql: string, params: readonly DuckDBValue[]): Promise<number> {
        if (!/^\s*INSERT INTO \w+\s*(\([\w,\s]+\)\s*)?VALUES\s/.test(sql)) throw new Error('only INSERT … VALUES statements are kept prepared');
        // PostgreSQL: pg plans each statement on the server; kept prepared statements are DuckDB's.
        if (!(this.store instanceof DataStore)) return this.store.run(sql, [...params]);
        const store = this.store;
        return store.use(() => this.insertPrepared(store, sql, params));
    }

    private async insertPrepared(store: DataStore, sql: string, params: readonly DuckDBValue[]): Promise<number> {
        let p = this.prepared.get(sql);
        if (!p) {
            p = store.connection.prepare(sql);
            this.prepared.set(sql, p);
            p.catch(() => this.prepared.delete(sql));
            if (this.prepared.size > MAX_PREPARED) {
                const [oldest, q] = this.prepared.entries().next().value!;
                this.prepared.delete(oldest);
                void q.then(st => st.destroySync(), () => undefined);
            }
        }
        const st = await p;
        st.bind([...params], bindTypes(params));
        return (await st.run()).rowsChanged;
    }

    /** A statement planned now; its changed-row count (UPDATE / DELETE). */
    private run(sql: string, params?: readonly DuckDBValue[]): Promise<number> {
        return this.store.run(sql, params ? [...params] : undefined);
    }

    private rows(sql: string, params?: readonly DuckDBValue[]): Promise<Record<string, unknown>[]> {
        return this.store.rows(sql, params ? [...params] : undefined);
    }

    /** New runs, state queued (created and queued at `now`). */
    async insertRuns(runs: readonly NewRun[]): Promise<void> {
        const exprs = [plain, plain, plain, plain, plain, plain, stamp, stamp, plain, plain, plain, `'queued'`, '0', '0', this.daemonSql];
        await this.insertChunked(runs, rs => this.insert(`INSERT INTO runs (id, kind, owner, team, experiment_id, trace_id, created_at, queued_at, spec, strategy, source, state, attempt, progress, daemon)
            VALUES ${valuesClause(rs.length, exprs)}`,
        rs.flatMap(r => [r.id, r.spec.kind, r.owner, r.team, r.spec.experimentId ?? null, r.traceId, r.now, r.now, JSON.stringify(r.spec), r.spec.strategy ?? null, r.spec.source])));
    }

    /** Events whose seq the caller assigned (writer.ts keeps the counters). */
    async insertEvents(rows: readonly EventRow[]): Promise<void> {
        const exprs = [plain, plain, stamp, plain, plain, plain, plain, (p: string) => `CAST(${p} AS DOUBLE)`];
        await this.insertChunked(rows, rs => this.insert(`INSERT INTO run_events (run_id, seq, ts, kind, state, actor, message, progress) VALUES ${valuesClause(rs.length, exprs)}`,
            rs.flatMap(({ event: e, ms }) => [e.runId, e.seq, ms, e.kind, e.state ?? null, e.actor, e.message ?? null, e.progress ?? null])));
    }

    async insertLogs(rows: readonly LogRow[]): Promise<void> {
        const exprs = [plain, plain, stamp, plain, plain];
        await this.insertChunked(rows, rs => this.insert(`INSERT INTO run_logs (run_id, seq, ts, level, message) VALUES ${valuesClause(rs.length, exprs)}`,
            rs.flatMap(({ log: l, ms }) => [l.runId, l.seq, ms, l.level, l.message])));
    }

    /** The highest seq of a run's events or log lines (0: none). */
    async maxSeq(table: 'run_events' | 'run_logs', runId: string): Promise<number> {
        return Number((await this.rows(`SELECT coalesce(max(seq), 0)::INTEGER AS n FROM ${table} WHERE run_id = $1`, [runId]))[0]!.n);
    }

    /**
     * queued → running (a compare-and-set): counts the attempt, clears progress and error, stamps
     * started_at; returns the run as it is now, or undefined when it was not queued.
     */
    async claim(runId: string, now: number): Promise<Run | undefined> {
        const rows = await this.rows(`UPDATE runs SET state = 'running', attempt = attempt + 1, progress = 0, error = NULL, started_at = ${ts(2)}, daemon = ${this.daemonSql}
            WHERE id = $1 AND state = 'queued' RETURNING ${RUN_COLUMNS}`, [runId, now]);
        return rows[0] ? toRun(rows[0]) : undefined;
    }

    /** Progress of running runs, one statement; returns the ids that were running (and so updated). */
    async setProgress(list: readonly { runId: string; progress: number }[]): Promise<Set<string>> {
        const done = new Set<string>();
        await this.insertChunked(list, async chunk => {
            const rows = await this.rows(`UPDATE runs SET progress = v.p FROM (VALUES ${valuesClause(chunk.length, [plain, (p: string) => `CAST(${p} AS DOUBLE)`])}) v(id, p)
                WHERE runs.id = v.id AND runs.state = 'running' RETURNING runs.id`, chunk.flatMap(x => [x.runId, x.progress]));
            for (const r of rows) done.add(String(r.id));
        });
        return done;
    }

    /**
     * Compare-and-set of a run's state plus other columns (values bound; `stamp` columns are set to
     * `now`). Returns false when the run is not in one of `from` (someone else moved it first), or,
     * given `attempt`, is at another attempt (results are keyed by run and attempt: team mode's
     * at-least-once delivery may bring an older attempt's outcome).
     */
    async transition(runId: string, from: readonly RunState[], to: RunState, now: number, set: Readonly<Record<string, DuckDBValue>> = {}, stamp: readonly string[] = [], attempt?: number): Promise<boolean> {
        const params: DuckDBValue[] = [runId, to, now];
        const sets = [`state = $2`, ...stamp.map(c => `${c} = ${ts(3)}`)];
        for (const [col, v] of Object.entries(set)) { params.push(v); sets.push(`${col} = $${params.length}`); }
        const states = from.map(s => { params.push(s); return `$${params.length}`; });
        let and = '';
        if (attempt !== undefined) { params.push(attempt); and = ` AND attempt = $${params.length}`; }
        const n = await this.run(`UPDATE runs SET ${sets.join(', ')} WHERE id = $1 AND state IN (${states.join(', ')})${and}`, params);
        return n === 1;
    }

    async update(runId: string, set: Readonly<Record<string, DuckDBValue>>, where = ''): Promise<number> {
        const params: DuckDBValue[] = [runId];
        const sets = Object.entries(set).map(([col, v]) => { params.push(v); return `${col} = $${params.length}`; });
        return this.run(`UPDATE runs SET ${sets.join(', ')} WHERE id = $1 ${where}`, params);
    }

    async get(id: string): Promise<Run | undefined> {
        const rows = await this.rows(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [id]);
        return rows[0] ? toRun(rows[0]) : undefined;
    }

    async state(id: string): Promise<{ state: RunState; owner: string; team: string; attempt: number } | undefined> {
        const rows = await this.rows(`SELECT state, owner, team, attempt FROM runs WHERE id = $1`, [id]);
        const r = rows[0];
        return r ? { state: r.state as RunState, owner: String(r.owner), team: String(r.team), attempt: Number(r.attempt) } : undefined;
    }

    async list(q: ListQuery): Promise<Run[]> {
        const where: string[] = [];
        const params: DuckDBValue[] = [];
        const add = (col: string, v: string | undefined): void => {
            if (v === undefined) return;
            params.push(v);
            where.push(`${col} = $${params.length}`);
        };
        add('state', q.state);
        add('owner', q.owner);
        add('team', q.team);
        add('experiment_id', q.experimentId);
        const limit = Math.max(0, Math.min(1000, Math.floor(q.limit ?? 100)));
        const offset = Math.max(0, Math.floor(q.offset ?? 0));
        const rows = await this.rows(`SELECT ${RUN_COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
            ORDER BY created_at DESC, id LIMIT ${limit} OFFSET ${offset}`, params);
        return rows.map(toRun);
    }

    /** Runs not finished, oldest first, with the key of the daemon that owns each (null: none recorded). */
    async unfinished(): Promise<{ id: string; state: RunState; owner: string; team: string; attempt: number; daemon: string | null }[]> {
        const rows = await this.rows(`SELECT id, state, owner, team, attempt, CAST(daemon AS VARCHAR) AS daemon FROM runs WHERE state IN ('created', 'queued', 'running') ORDER BY created_at, id`);
        return rows.map(r => ({ id: String(r.id), state: r.state as RunState, owner: String(r.owner), team: String(r.team), attempt: Number(r.attempt), daemon: r.daemon === null || r.daemon === undefined ? null : String(r.daemon) }));
    }

    /**
     * Takes a run over from the daemon that owned it (`from`, null: none recorded) — a compare-and-set
     * on its state and owner, so of two daemons taking it over at once one does; true when taken.
     */
    async takeOver(runId: string, state: RunState, from: string | null): Promise<boolean> {
        if (from !== null && !/^[0-9]{1,19}$/.test(from)) return false;
        const n = await this.run(`UPDATE runs SET daemon = ${this.daemonSql} WHERE id = $1 AND state = $2 AND daemon ${from === null ? 'IS NULL' : `= CAST(${from} AS BIGINT)`}`, [runId, state]);
        return n === 1;
    }

    async events(runId: string): Promise<RunEvent[]> {
        const rows = await this.rows(`SELECT seq, epoch_ms(ts)::DOUBLE AS ts, kind, state, actor, message, progress FROM run_events WHERE run_id = $1 ORDER BY seq`, [runId]);
        return rows.map(r => ({
            runId, seq: Number(r.seq), ts: iso(r.ts)!, kind: r.kind as RunEventKind, actor: String(r.actor),
            ...(r.state !== null ? { state: r.state as RunState } : {}), ...(r.message !== null ? { message: String(r.message) } : {}), ...(r.progress !== null ? { progress: Number(r.progress) } : {}),
        }));
    }

    async logs(runId: string, afterSeq = 0, limit = 10_000): Promise<RunLog[]> {
        const rows = await this.rows(`SELECT seq, epoch_ms(ts)::DOUBLE AS ts, level, message FROM run_logs WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT ${Math.max(0, Math.floor(limit))}`, [runId, afterSeq]);
        return rows.map(r => ({ runId, seq: Number(r.seq), ts: iso(r.ts)!, level: r.level as LogLevel, message: String(r.message) }));
    }

    /** The experiment store's long rows of completed runs (upserts: recording again changes nothing; numbers as in ExperimentStore.recordResult). */
    async writeResultRows(results: readonly ResultRows[]): Promise<void> {
        await this.upsert('run_params', 'value = excluded.value, text = excluded.text', paramRows(results));
        await this.upsert('run_metrics', 'value = excluded.value', metricRows(results));
    }

    /** Name, size and SHA-256 of completed runs' artifacts (a run completed again replaces its rows). */
    async insertArtifacts(rows: readonly { runId: string; artifact: RecordedArtifact }[]): Promise<void> {
        await this.insertChunked(rows, rs => this.insert(`INSERT INTO run_artifacts (run_id, name, bytes, sha256) VALUES ${valuesClause(rs.length, [plain, plain, plain, plain])}
            ON CONFLICT (run_id, name) DO UPDATE SET bytes = excluded.bytes, sha256 = excluded.sha256`,
        rs.flatMap(r => [r.runId, r.artifact.name, r.artifact.bytes, r.artifact.sha256])));
    }

    async artifacts(runId: string): Promise<RecordedArtifact[]> {
        const rows = await this.rows(`SELECT name, bytes::DOUBLE AS bytes, sha256 FROM run_artifacts WHERE run_id = $1 ORDER BY name`, [runId]);
        return rows.map(r => ({ name: String(r.name), bytes: Number(r.bytes), sha256: String(r.sha256) }));
    }

    async writeTags(list: readonly { runId: string; tags: Readonly<Record<string, string>> }[]): Promise<void> {
        await this.upsert('run_tags', 'value = excluded.value', tagRows(list));
    }

    /** Rows keyed by (run_id, key) — the first two values —, the last one of a key winning (one statement must not update a row twice). */
    private async upsert(table: string, update: string, rows: readonly DuckDBValue[][]): Promise<void> {
        await this.insertChunked(lastByKey(rows), async chunk => {
            const width = chunk[0]!.length;
            await this.insert(`INSERT INTO ${table} VALUES ${valuesClause(chunk.length, Array.from({ length: width }, () => plain))} ON CONFLICT (run_id, key) DO UPDATE SET ${update}`, chunk.flat());
        });
    }

    private async insertChunked<T>(rows: readonly T[], fn: (chunk: readonly T[]) => Promise<unknown>): Promise<void> {
        for (let i = 0; i < rows.length; i += CHUNK) await fn(rows.slice(i, i + CHUNK));
    }
}
