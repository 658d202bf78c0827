/**
 * The orchestrator's SQL over runs, run_events and run_logs (schema.ts), plus the result rows of
 * the experiment store's run_params / run_metrics / run_tags. Callers serialise access (one
 * connection, one writer: the orchestrator's mutex) and wrap multi-statement changes in
 * `store.transaction`. A state change is a compare-and-set (`WHERE state IN (…)`), so two
 * racing transitions cannot both win.
 */
import { type DuckDBValue } from '@duckdb/node-api';
import { type DataStore } from '../data/store.js';
import { jsonNumbers } from './util.js';
import type { ListQuery, LogLevel, Provenance, Run, RunEvent, RunEventKind, RunKind, RunLog, RunSpec, RunState } from './types.js';

const ts = (n: number): string => `make_timestamp(CAST($${n} AS BIGINT) * 1000)`;
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

const RUN_COLUMNS = `id, kind, state, promoted, owner, team, experiment_id, trace_id, attempt,
    epoch_ms(created_at)::DOUBLE AS created_at, epoch_ms(queued_at)::DOUBLE AS queued_at,
    epoch_ms(started_at)::DOUBLE AS started_at, epoch_ms(finished_at)::DOUBLE AS finished_at,
    CAST(spec AS VARCHAR) AS spec, strategy, progress, error, CAST(params AS VARCHAR) AS params,
    CAST(metrics AS VARCHAR) AS metrics, trade_count, fingerprint_exact, fingerprint_structural,
    data_snapshot, engine_version, CAST(seed AS DOUBLE) AS seed`;

function toRun(r: Record<string, unknown>): Run {
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

function parseMetrics(v: unknown): Record<string, number | null> | null {
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

export class RunRepository {
    constructor(readonly store: DataStore) {}

    async insertRun(r: NewRun): Promise<void> {
        await this.store.run(`INSERT INTO runs (id, kind, state, owner, team, experiment_id, trace_id, attempt, created_at, queued_at, spec, strategy, source, progress)
            VALUES ($1, $2, 'queued', $3, $4, $5, $6, 0, ${ts(7)}, ${ts(7)}, $8, $9, $10, 0)`,
        [r.id, r.spec.kind, r.owner, r.team, r.spec.experimentId ?? null, r.traceId, r.now, JSON.stringify(r.spec), r.spec.strategy ?? null, r.spec.source]);
    }

    /** Appends an event (in the caller's transaction); returns it with its seq. */
    async appendEvent(runId: string, e: EventInput, now: number): Promise<RunEvent> {
        const rows = await this.store.rows(`INSERT INTO run_events (run_id, seq, ts, kind, state, actor, message, progress)
            SELECT $1, coalesce(max(seq), 0) + 1, ${ts(2)}, $3, $4, $5, $6, $7 FROM run_events WHERE run_id = $1
            RETURNING seq`, [runId, now, e.kind, e.state ?? null, e.actor, e.message ?? null, e.progress ?? null]);
        return { runId, seq: Number(rows[0]!.seq), ts: new Date(now).toISOString(), kind: e.kind, actor: e.actor, ...(e.state ? { state: e.state } : {}), ...(e.message !== undefined ? { message: e.message } : {}), ...(e.progress !== undefined ? { progress: e.progress } : {}) };
    }

    async appendLog(runId: string, level: LogLevel, message: string, now: number): Promise<RunLog> {
        const rows = await this.store.rows(`INSERT INTO run_logs (run_id, seq, ts, level, message)
            SELECT $1, coalesce(max(seq), 0) + 1, ${ts(2)}, $3, $4 FROM run_logs WHERE run_id = $1
            RETURNING seq`, [runId, now, level, message]);
        return { runId, seq: Number(rows[0]!.seq), ts: new Date(now).toISOString(), level, message };
    }

    /**
     * Compare-and-set of a run's state plus other columns (values bound; `stamp` columns are set to
     * `now`). Returns false when the run is not in one of `from` (someone else moved it first).
     */
    async transition(runId: string, from: readonly RunState[], to: RunState, now: number, set: Readonly<Record<string, DuckDBValue>> = {}, stamp: readonly string[] = []): Promise<boolean> {
        const params: DuckDBValue[] = [runId, to, now];
        const sets = [`state = $2`, ...stamp.map(c => `${c} = ${ts(3)}`)];
        for (const [col, v] of Object.entries(set)) { params.push(v); sets.push(`${col} = $${params.length}`); }
        const states = from.map(s => { params.push(s); return `$${params.length}`; });
        const n = await this.store.run(`UPDATE runs SET ${sets.join(', ')} WHERE id = $1 AND state IN (${states.join(', ')})`, params);
        return n === 1;
    }

    async update(runId: string, set: Readonly<Record<string, DuckDBValue>>, where = ''): Promise<number> {
        const params: DuckDBValue[] = [runId];
        const sets = Object.entries(set).map(([col, v]) => { params.push(v); return `${col} = $${params.length}`; });
        return this.store.run(`UPDATE runs SET ${sets.join(', ')} WHERE id = $1 ${where}`, params);
    }

    async get(id: string): Promise<Run | undefined> {
        const rows = await this.store.rows(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [id]);
        return rows[0] ? toRun(rows[0]) : undefined;
    }

    async state(id: string): Promise<{ state: RunState; owner: string; team: string; attempt: number } | undefined> {
        const rows = await this.store.rows(`SELECT state, owner, team, attempt FROM runs WHERE id = $1`, [id]);
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
        const rows = await this.store.rows(`SELECT ${RUN_COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
            ORDER BY created_at DESC, id LIMIT ${limit} OFFSET ${offset}`, params);
        return rows.map(toRun);
    }

    /** Runs a previous process left unfinished, oldest first. */
    async unfinished(): Promise<{ id: string; state: RunState; owner: string; team: string; attempt: number }[]> {
        const rows = await this.store.rows(`SELECT id, state, owner, team, attempt FROM runs WHERE state IN ('created', 'queued', 'running') ORDER BY created_at, id`);
        return rows.map(r => ({ id: String(r.id), state: r.state as RunState, owner: String(r.owner), team: String(r.team), attempt: Number(r.attempt) }));
    }

    async events(runId: string): Promise<RunEvent[]> {
        const rows = await this.store.rows(`SELECT seq, epoch_ms(ts)::DOUBLE AS ts, kind, state, actor, message, progress FROM run_events WHERE run_id = $1 ORDER BY seq`, [runId]);
        return rows.map(r => ({
            runId, seq: Number(r.seq), ts: iso(r.ts)!, kind: r.kind as RunEventKind, actor: String(r.actor),
            ...(r.state !== null ? { state: r.state as RunState } : {}), ...(r.message !== null ? { message: String(r.message) } : {}), ...(r.progress !== null ? { progress: Number(r.progress) } : {}),
        }));
    }

    async logs(runId: string, afterSeq = 0, limit = 10_000): Promise<RunLog[]> {
        const rows = await this.store.rows(`SELECT seq, epoch_ms(ts)::DOUBLE AS ts, level, message FROM run_logs WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT ${Math.max(0, Math.floor(limit))}`, [runId, afterSeq]);
        return rows.map(r => ({ runId, seq: Number(r.seq), ts: iso(r.ts)!, level: r.level as LogLevel, message: String(r.message) }));
    }

    /** The experiment store's long rows for a run (upserts: recording again changes nothing; numbers as in ExperimentStore.recordResult). */
    async writeResultRows(runId: string, params: Readonly<Record<string, number | boolean>>, metrics: Readonly<Record<string, number | null>>): Promise<void> {
        await this.upsert('run_params', 'value = excluded.value, text = excluded.text',
            Object.entries(params).map(([k, v]) => [runId, k, typeof v === 'number' && Number.isFinite(v) ? v : null, String(v)]));
        await this.upsert('run_metrics', 'value = excluded.value',
            Object.entries(metrics).map(([k, v]) => [runId, k, typeof v === 'number' && !Number.isNaN(v) ? v : null]));
    }

    async writeTags(runId: string, tags: Readonly<Record<string, string>>): Promise<void> {
        await this.upsert('run_tags', 'value = excluded.value', Object.entries(tags).map(([k, v]) => [runId, k, v]));
    }

    private async upsert(table: string, update: string, rows: readonly DuckDBValue[][]): Promise<void> {
        for (let i = 0; i < rows.length; i += 200) {
            const chunk = rows.slice(i, i + 200);
            const width = chunk[0]!.length;
            const values = chunk.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
            await this.store.run(`INSERT INTO ${table} VALUES ${values} ON CONFLICT (run_id, key) DO UPDATE SET ${update}`, chunk.flat());
        }
    }
}
