/**
 * The experiment and metric store over the control plane (SqlStore: the DuckDB file, or PostgreSQL
 * in team mode): experiments group runs (the
 * orchestrator's `runs` table, read-only here); a run's params, metrics and tags are long rows
 * (run_params, run_metrics, run_tags) addressed by the filter language (filter.ts). Search sorts
 * and paginates, compare lays runs side by side, export writes one wide row per run to
 * Parquet / Arrow / CSV for notebooks. The export is DuckDB's (COPY … TO): on PostgreSQL the
 * matched runs' rows are read through the store and staged in temp tables of a DuckDB connection
 * (the `exporter`), where the same wide query runs.
 *
 * Teams: every read takes an optional `team`; with one, only that team's runs and experiments are
 * visible, and another team's run is "not found" (404), never "forbidden" (no existence leak).
 * The gateway passes the caller's team; an admin view passes none.
 *
 * Every user value reaches DuckDB as a bound parameter. The only user text ever spliced into SQL
 * is a metric / param / tag key used as a column name of the wide export, quoted with sqlIdent.
 */
import { randomBytes } from 'node:crypto';
import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { ConflictError, NotFoundError } from '../../../protocol/src/errors.js';
import { exportQuery, sqlIdent, type ExportFormat, type ExportResult } from '../data/export.js';
import { type DataStore } from '../store/store.js';
import { type SqlStore } from '../store/sql-store.js';
import { ExperimentError } from './errors.js';
import { parseFilter, parseOrderBy, RunSql } from './filter.js';
import { ledgerFigures, structureTrials, type LedgerTrial } from './ledger.js';
import type { LedgerPart } from '../../../protocol/src/run-result.js';

export interface Experiment {
    readonly id: string;
    readonly name: string;
    readonly team: string;
    readonly owner: string;
    readonly description: string | null;
    /** ISO time (UTC). */
    readonly created: string;
    /** Runs in the experiment. */
    readonly runs: number;
    /** When its latest run was created (ISO), if it has any. */
    readonly lastRun: string | null;
}

export interface NewExperiment {
    readonly name: string;
    readonly team: string;
    readonly owner: string;
    readonly description?: string;
}

export type ParamValue = number | string | boolean;

export interface RunResult {
    readonly params?: Readonly<Record<string, ParamValue>>;
    /** NaN (undefined metric) and null are stored as NULL; ±Infinity as is. */
    readonly metrics?: Readonly<Record<string, number | null>>;
    readonly tags?: Readonly<Record<string, string>>;
}

export interface RunSummary {
    readonly id: string;
    readonly kind: string;
    readonly state: string;
    readonly promoted: boolean;
    readonly strategy: string | null;
    readonly owner: string;
    readonly team: string;
    readonly experiment: { readonly id: string; readonly name: string | null } | null;
    /** ISO times (UTC). */
    readonly created: string;
    readonly finished: string | null;
    readonly fingerprints: { readonly exact: string | null; readonly structural: string | null };
    readonly dataSnapshot: string | null;
    readonly engineVersion: string | null;
    readonly seed: number | null;
    readonly params: Record<string, ParamValue | null>;
    readonly metrics: Record<string, number | null>;
    readonly tags: Record<string, string>;
}

export interface SearchOptions {
    /** The filter language (filter.ts), e.g. `metrics.sharpe > 1 and tags.style = 'trend'`. */
    readonly filter?: string;
    /** `field [ASC|DESC], …`, e.g. 'metrics.sharpe DESC'. Default: newest first. Ties: by run id. */
    readonly orderBy?: string;
    /** Page size, 1–1000 (default 100). */
    readonly limit?: number;
    /** Runs to skip (default 0). */
    readonly offset?: number;
    /** Only this team's runs. */
    readonly team?: string;
    readonly experimentId?: string;
}

export interface SearchResult {
    readonly runs: RunSummary[];
    /** Runs matching the filter (all pages). */
    readonly total: number;
    readonly limit: number;
    readonly offset: number;
}

export type CompareValue = ParamValue | null;

export interface CompareRow {
    readonly key: string;
    /** One value per run, in the order of `runs` (null: the run does not have it). */
    readonly values: CompareValue[];
    /** Whether the runs disagree (a missing value differs from a present one). */
    readonly differs: boolean;
}

export interface RunComparison {
    readonly runs: RunSummary[];
    /** Provenance: strategy, fingerprints, data snapshot, engine version, seed, state, experiment. */
    readonly attributes: CompareRow[];
    /** The union of the runs' keys, sorted. */
    readonly params: CompareRow[];
    readonly metrics: CompareRow[];
    readonly tags: CompareRow[];
}

export interface ExportRunsOptions {
    /** Default: from the file's extension (.parquet, .arrow / .feather, .csv). */
    readonly format?: ExportFormat;
    readonly orderBy?: string;
    readonly team?: string;
    readonly experimentId?: string;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const MAX_COMPARE = 50;
const MAX_KEY = 250;
const MAX_TEXT = 10_000;
const CHUNK = 300;

export class ExperimentStore {
    /**
     * `store`: where experiments and runs live. `exporter`: a DuckDB connection exportRuns writes
     * through when `store` is not DuckDB (team mode); default: `store` itself, which must be DuckDB.
     */
    constructor(readonly store: SqlStore, private readonly exporter?: DataStore) {}

    // ---------------------------------------------------------------------------- experiments

    async createExperiment(e: NewExperiment): Promise<Experiment> {
        const name = requireText(e.name, 'experiment name', 200);
        const team = requireText(e.team, 'team', 200);
        const owner = requireText(e.owner, 'owner', 200);
        const description = e.description === undefined || e.description === null ? null : checkText(e.description, 'description', MAX_TEXT);
        const existing = await this.store.scalar(`SELECT id FROM experiments WHERE team = $1 AND name = $2`, [team, name]);
        if (existing !== undefined) throw new ConflictError(`team ${team} already has an experiment named '${name}' (${String(existing)}); choose another name`);
        const id = `exp_${randomBytes(8).toString('hex')}`;
        try {
            await this.store.run(`INSERT INTO experiments VALUES ($1, $2, $3, $4, $5, now() AT TIME ZONE 'UTC')`, [id, name, team, owner, description]);
        } catch (err) {
            if (/constraint|duplicate/i.test(err instanceof Error ? err.message : '')) {
                throw new ConflictError(`team ${team} already has an experiment named '${name}'; choose another name`);
            }
            throw err;
        }
        return (await this.getExperiment(id))!;
    }

    /** Experiments, newest first; with a team, only that team's. */
    async listExperiments(team?: string): Promise<Experiment[]> {
        const rows = await this.store.rows(`${EXPERIMENT_SELECT}
            WHERE $1::VARCHAR IS NULL OR x.team = $1
            ${EXPERIMENT_GROUP} ORDER BY x.created_at DESC, x.name`, [team ?? null]);
        return rows.map(toExperiment);
    }

    /** One experiment by id; undefined if there is none (or it is another team's). */
    async getExperiment(id: string, team?: string): Promise<Experiment | undefined> {
        const rows = await this.store.rows(`${EXPERIMENT_SELECT}
            WHERE x.id = $1 AND ($2::VARCHAR IS NULL OR x.team = $2)
            ${EXPERIMENT_GROUP}`, [id, team ?? null]);
        return rows[0] ? toExperiment(rows[0]) : undefined;
    }

    /** One experiment of a team by name. */
    async findExperiment(team: string, name: string): Promise<Experiment | undefined> {
        const rows = await this.store.rows(`${EXPERIMENT_SELECT}
            WHERE x.team = $1 AND x.name = $2
            ${EXPERIMENT_GROUP}`, [team, name]);
        return rows[0] ? toExperiment(rows[0]) : undefined;
    }

    // ---------------------------------------------------------------------------------- results

    /** The run in its team's research ledger (ledger.ts); null when the ledger holds none of its trials. */
    ledger(q: { team: string; runId: string; own: LedgerTrial; family: readonly string[] }): Promise<LedgerPart | null> {
        return ledgerFigures(this.store, q);
    }

    /** The trials of one structure in a team's research ledger, newest first (ledger.ts). */
    ledgerTrials(q: { team: string; structural: string; limit: number; offset: number }): ReturnType<typeof structureTrials> {
        return structureTrials(this.store, q);
    }

    /**
     * Stores a run's params, metrics and tags (upsert per key: other keys stay; recording the same
     * result again changes nothing). All of it lands in one transaction, or none of it.
     */
    async recordResult(runId: string, result: RunResult): Promise<void> {
        const params = entries(result.params, 'params').map(([k, v]) => [runId, checkKey(k, 'param'), ...paramColumns(k, v)] as DuckDBValue[]);
        const metrics = entries(result.metrics, 'metrics').map(([k, v]) => [runId, checkKey(k, 'metric'), metricValue(k, v)] as DuckDBValue[]);
        const tags = entries(result.tags, 'tags').map(([k, v]) => [runId, checkKey(k, 'tag'), tagValue(k, v)] as DuckDBValue[]);
        await this.requireRun(runId);
        await this.store.transaction(async () => {
            await this.upsert('run_params', 'value = excluded.value, text = excluded.text', params);
            await this.upsert('run_metrics', 'value = excluded.value', metrics);
            await this.upsert('run_tags', 'value = excluded.value', tags);
        });
    }

    /** Sets tags of a run; a null value removes the tag. */
    async setTags(runId: string, tags: Readonly<Record<string, string | null>>, team?: string): Promise<void> {
        const all = entries(tags, 'tags');
        const set = all.filter(([, v]) => v !== null).map(([k, v]) => [runId, checkKey(k, 'tag'), tagValue(k, v)] as DuckDBValue[]);
        const removed = all.filter(([, v]) => v === null).map(([k]) => checkKey(k, 'tag'));
        await this.requireRun(runId, team);
        await this.store.transaction(async () => {
            await this.upsert('run_tags', 'value = excluded.value', set);
            if (removed.length > 0) await this.store.run(`DELETE FROM run_tags WHERE run_id = $1 AND key IN (SELECT unnest($2::VARCHAR[]))`, [runId, listValue(removed)]);
        });
    }

    private async upsert(table: string, update: string, rows: readonly DuckDBValue[][]): Promise<void> {
        for (let i = 0; i < rows.length; i += CHUNK) {
            const chunk = rows.slice(i, i + CHUNK);
            const width = chunk[0]!.length;
            const values = chunk.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
            await this.store.run(`INSERT INTO ${table} VALUES ${values} ON CONFLICT (run_id, key) DO UPDATE SET ${update}`, chunk.flat());
        }
    }

    private async requireRun(runId: string, team?: string): Promise<void> {
        if (typeof runId !== 'string' || runId === '') throw new ExperimentError('a run id is needed');
        const found = await this.store.scalar(`SELECT 1 FROM runs WHERE id = $1 AND ($2::VARCHAR IS NULL OR team = $2)`, [runId, team ?? null]);
        if (found === undefined) throw new NotFoundError(`no run '${runId}'${team !== undefined ? ` in team ${team}` : ''}`);
    }

    // ----------------------------------------------------------------------------------- search

    /** Runs matching a filter, sorted and paginated, with the total count. */
    async search(options: SearchOptions = {}): Promise<SearchResult> {
        const limit = checkInt(options.limit ?? DEFAULT_LIMIT, 'limit', 1, MAX_LIMIT);
        const offset = checkInt(options.offset ?? 0, 'offset', 0, Number.MAX_SAFE_INTEGER);
        const q = new RunSql();
        const where = scope(q, options);
        const order = [...q.order(parseOrderBy(options.orderBy ?? '')), 'r.created_at DESC', 'r.id'];
        const total = Number(await this.store.scalar(`SELECT count(*)::DOUBLE FROM ${q.from()} WHERE ${where}`, [...q.params]));
        const from = q.from();
        const page = await this.store.rows(`SELECT r.id FROM ${from} WHERE ${where} ORDER BY ${order.join(', ')} LIMIT ${q.bind(limit)} OFFSET ${q.bind(offset)}`, q.params);
        const runs = await this.summaries(page.map(r => String(r.id)));
        return { runs, total, limit, offset };
    }

    /** One run, or undefined (none, or another team's). */
    async getRun(runId: string, team?: string): Promise<RunSummary | undefined> {
        const found = await this.store.scalar(`SELECT id FROM runs WHERE id = $1 AND ($2::VARCHAR IS NULL OR team = $2)`, [runId, team ?? null]);
        return found === undefined ? undefined : (await this.summaries([runId]))[0];
    }

    /** Summaries of the given runs, in the given order (unknown ids are skipped). */
    private async summaries(ids: readonly string[]): Promise<RunSummary[]> {
        if (ids.length === 0) return [];
        const list = [listValue([...ids])];
        // One after the other: the store has one connection.
        const runs = await this.store.rows(`SELECT r.id, r.kind, r.state, r.promoted, r.strategy, r.owner, r.team, r.experiment_id, e.name AS experiment_name,
                    r.created_at, r.finished_at, r.fingerprint_exact, r.fingerprint_structural, r.data_snapshot, r.engine_version,
                    CAST(r.seed AS DOUBLE) AS seed
                FROM runs r LEFT JOIN experiments e ON e.id = r.experiment_id
                WHERE r.id IN (SELECT unnest($1::VARCHAR[]))`, list);
        const params = await this.store.rows(`SELECT run_id, key, value, text FROM run_params WHERE run_id IN (SELECT unnest($1::VARCHAR[])) ORDER BY key`, list);
        const metrics = await this.store.rows(`SELECT run_id, key, value FROM run_metrics WHERE run_id IN (SELECT unnest($1::VARCHAR[])) ORDER BY key`, list);
        const tags = await this.store.rows(`SELECT run_id, key, value FROM run_tags WHERE run_id IN (SELECT unnest($1::VARCHAR[])) ORDER BY key`, list);
        const byId = new Map<string, RunSummary>();
        for (const r of runs) {
            byId.set(String(r.id), {
                id: String(r.id), kind: String(r.kind), state: String(r.state), promoted: r.promoted === true,
                strategy: str(r.strategy), owner: String(r.owner), team: String(r.team),
                experiment: r.experiment_id === null ? null : { id: String(r.experiment_id), name: str(r.experiment_name) },
                created: iso(r.created_at)!, finished: iso(r.finished_at),
                fingerprints: { exact: str(r.fingerprint_exact), structural: str(r.fingerprint_structural) },
                dataSnapshot: str(r.data_snapshot), engineVersion: str(r.engine_version), seed: r.seed === null ? null : Number(r.seed),
                params: {}, metrics: {}, tags: {},
            });
        }
        for (const p of params) {
            const s = byId.get(String(p.run_id));
            if (s) s.params[String(p.key)] = paramOf(p.value, p.text);
        }
        for (const m of metrics) {
            const s = byId.get(String(m.run_id));
            if (s) s.metrics[String(m.key)] = metricOf(m.value);
        }
        for (const t of tags) {
            const s = byId.get(String(t.run_id));
            if (s) s.tags[String(t.key)] = String(t.value);
        }
        return ids.flatMap(id => byId.get(id) ?? []);
    }

    // ---------------------------------------------------------------------------------- compare

    /**
     * Runs side by side: one row per attribute / param / metric / tag key (the union over the
     * runs), a value per run, and whether they differ. Unknown runs (or another team's) are a 404.
     */
    async compare(runIds: readonly string[], options: { team?: string } = {}): Promise<RunComparison> {
        if (!Array.isArray(runIds) || runIds.length === 0) throw new ExperimentError('compare needs at least one run id');
        const ids = [...new Set(runIds.map(String))];
        if (ids.length > MAX_COMPARE) throw new ExperimentError(`compare takes at most ${MAX_COMPARE} runs, not ${ids.length}`);
        const visible = new Set((await this.store.rows(`SELECT id FROM runs WHERE id IN (SELECT unnest($1::VARCHAR[])) AND ($2::VARCHAR IS NULL OR team = $2)`,
            [listValue(ids), options.team ?? null])).map(r => String(r.id)));
        const missing = ids.filter(id => !visible.has(id));
        if (missing.length > 0) throw new NotFoundError(`no run${missing.length > 1 ? 's' : ''} ${missing.map(m => `'${m}'`).join(', ')}${options.team !== undefined ? ` in team ${options.team}` : ''}`);
        const runs = await this.summaries(ids);
        const attributes: [string, (r: RunSummary) => CompareValue][] = [
            ['strategy', r => r.strategy], ['kind', r => r.kind], ['state', r => r.state], ['experiment', r => r.experiment?.id ?? null],
            ['fingerprint.exact', r => r.fingerprints.exact], ['fingerprint.structural', r => r.fingerprints.structural],
            ['data_snapshot', r => r.dataSnapshot], ['engine_version', r => r.engineVersion], ['seed', r => r.seed],
            ['owner', r => r.owner], ['created', r => r.created], ['finished', r => r.finished], ['promoted', r => r.promoted],
        ];
        const rows = (pick: (r: RunSummary) => Record<string, CompareValue>): CompareRow[] => {
            const keys = [...new Set(runs.flatMap(r => Object.keys(pick(r))))].sort();
            return keys.map(k => row(k, runs.map(r => Object.prototype.hasOwnProperty.call(pick(r), k) ? pick(r)[k]! : null)));
        };
        return {
            runs,
            attributes: attributes.map(([k, f]) => row(k, runs.map(f))),
            params: rows(r => r.params),
            metrics: rows(r => r.metrics),
            tags: rows(r => r.tags),
        };
    }

    // ----------------------------------------------------------------------------------- export

    /**
     * Writes the runs matching `filter` as one wide row each — the run's columns, then one column
     * per metric (`metrics.<key>`, DOUBLE), param (`params.<key>`: DOUBLE when every value is a
     * number, else text) and tag (`tags.<key>`) — to Parquet, Arrow IPC or CSV via exportQuery.
     */
    async exportRuns(filter: string | undefined, file: string, options: ExportRunsOptions = {}): Promise<ExportResult> {
        const q = new RunSql();
        const where = scope(q, { ...options, filter });
        const order = [...q.order(parseOrderBy(options.orderBy ?? '')), 'r.created_at DESC', 'r.id'];
        const tag = randomBytes(6).toString('hex');
        const matched = `af_export_ids_${tag}`, wide = `af_export_runs_${tag}`;
        const matching = `SELECT r.id AS run_id, row_number() OVER (ORDER BY ${order.join(', ')}) AS ord FROM ${q.from()} WHERE ${where}`;
        const duck = this.store.dialect === 'duckdb' ? this.store as DataStore : this.exporter;
        if (!duck) throw new Error('exporting runs from PostgreSQL needs a DuckDB connection to write the file (ExperimentStore exporter)');
        // On PostgreSQL the control-plane tables are copies in DuckDB temp tables; on DuckDB the tables themselves.
        const staged = duck === this.store ? undefined : new Map(STAGED.map(t => [t, `af_export_src_${t}_${tag}`]));
        const table = (name: typeof STAGED[number]): string => staged?.get(name) ?? name;
        try {
            if (staged) await this.stage(duck, matching, q.params, matched, staged);
            else await duck.run(`CREATE TEMP TABLE ${matched} AS ${matching}`, q.params);
            const keys = async (from: string, extra = ''): Promise<Record<string, unknown>[]> =>
                duck.rows(`SELECT key${extra} FROM ${from} WHERE run_id IN (SELECT run_id FROM ${matched}) GROUP BY key ORDER BY key`);
            const metricKeys = await keys(table('run_metrics'));
            const paramKeys = await keys(table('run_params'), ', bool_and(value IS NOT NULL OR text IS NULL) AS numeric');
            const tagKeys = await keys(table('run_tags'));
            const w = new RunSql();
            const names = new Set<string>(WIDE_BASE.map(c => c.toLowerCase()));
            const column = (prefix: string, key: string): string => {
                let name = `${prefix}.${key}`;
                for (let n = 2; names.has(name.toLowerCase()); n++) name = `${prefix}.${key} (${n})`;
                names.add(name.toLowerCase());
                return sqlIdent(name);
            };
            const pivot = (from: string, alias: string, cols: readonly { expr: string; name: string }[]): { join: string; select: string[] } => cols.length === 0 ? { join: '', select: [] } : {
                join: `LEFT JOIN (SELECT run_id, ${cols.map(c => `${c.expr} AS ${c.name}`).join(', ')} FROM ${from}
                    WHERE run_id IN (SELECT run_id FROM ${matched}) GROUP BY run_id) ${alias} ON ${alias}.run_id = s.run_id`,
                select: cols.map(c => `${alias}.${c.name}`),
            };
            const m = pivot(table('run_metrics'), 'm', metricKeys.map(k => ({ expr: `first(nullif(value, CAST('NaN' AS DOUBLE))) FILTER (WHERE key = ${w.bind(String(k.key))})`, name: column('metrics', String(k.key)) })));
            const p = pivot(table('run_params'), 'p', paramKeys.map(k => ({ expr: `first(${k.numeric === true ? 'value' : 'text'}) FILTER (WHERE key = ${w.bind(String(k.key))})`, name: column('params', String(k.key)) })));
            const t = pivot(table('run_tags'), 't', tagKeys.map(k => ({ expr: `first(value) FILTER (WHERE key = ${w.bind(String(k.key))})`, name: column('tags', String(k.key)) })));
            await duck.run(`CREATE TEMP TABLE ${wide} AS
                SELECT s.ord, r.id, r.experiment_id, e.name AS experiment, r.kind, r.state, r.promoted, r.strategy, r.owner, r.team,
                    r.created_at, r.started_at, r.finished_at, r.fingerprint_exact, r.fingerprint_structural, r.data_snapshot,
                    r.engine_version, r.seed, r.error${[...m.select, ...p.select, ...t.select].map(c => `, ${c}`).join('')}
                FROM ${matched} s JOIN ${table('runs')} r ON r.id = s.run_id LEFT JOIN ${table('experiments')} e ON e.id = r.experiment_id
                ${m.join}
                ${p.join}
                ${t.join}`, w.params);
            return await exportQuery(duck, `SELECT * EXCLUDE (ord) FROM ${wide} ORDER BY ord`, file, { format: options.format });
        } finally {
            for (const t of [wide, matched, ...staged?.values() ?? []]) {
                try { await duck.run(`DROP TABLE IF EXISTS ${t}`); } catch { /* the connection is gone: so is the temp table */ }
            }
        }
    }

    /**
     * Team mode's export: the matched runs (in order) and their experiments, params, metrics and tags
     * read from the control plane and copied into temp tables of `duck` shaped like its own tables.
     */
    private async stage(duck: DataStore, matching: string, params: readonly DuckDBValue[], matched: string, staged: ReadonlyMap<typeof STAGED[number], string>): Promise<void> {
        const ids = (await this.store.rows(`${matching} ORDER BY ord`, [...params], { kind: 'bulk', what: 'reading the runs to export' })).map(r => String(r.run_id));
        await duck.run(`CREATE TEMP TABLE ${matched} (run_id VARCHAR, ord BIGINT)`);
        await insertChunks(duck, matched, ['run_id', 'ord'], ids.map((id, i) => [id, i + 1]));
        const list = [listValue(ids)];
        for (const [name, temp] of staged) {
            await duck.run(`CREATE TEMP TABLE ${temp} AS SELECT * FROM main.${name} LIMIT 0`);
            const rows = name === 'experiments'
                ? await this.store.rows(`SELECT * FROM experiments WHERE id IN (SELECT experiment_id FROM runs WHERE id IN (SELECT unnest($1::VARCHAR[])))`, list, { kind: 'bulk' })
                : await this.store.rows(`SELECT * FROM ${name} WHERE ${name === 'runs' ? 'id' : 'run_id'} IN (SELECT unnest($1::VARCHAR[]))`, list, { kind: 'bulk' });
            if (rows.length === 0) continue;
            const cols = Object.keys(rows[0]!);
            await insertChunks(duck, temp, cols, rows.map(r => cols.map(c => duckValue(r[c]))));
        }
    }
}

/** The control-plane tables the wide export reads, staged in DuckDB in team mode. */
const STAGED = ['runs', 'experiments', 'run_params', 'run_metrics', 'run_tags'] as const;

/** INSERTs of bound rows, CHUNK at a time. */
async function insertChunks(duck: DataStore, table: string, cols: readonly string[], rows: readonly DuckDBValue[][]): Promise<void> {
    const names = cols.map(sqlIdent).join(', ');
    for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        const values = chunk.map((_, r) => `(${cols.map((__, c) => `$${r * cols.length + c + 1}`).join(', ')})`).join(', ');
        await duck.run(`INSERT INTO ${table} (${names}) VALUES ${values}`, chunk.flat());
    }
}

/** A value PostgreSQL returned, as DuckDB binds it: times as text (the column casts it), the rest as is. */
function duckValue(v: unknown): DuckDBValue {
    if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('Z', '');
    return v as DuckDBValue;
}

/** The run columns of the wide export, before the metric / param / tag columns. */
const WIDE_BASE = ['ord', 'id', 'experiment_id', 'experiment', 'kind', 'state', 'promoted', 'strategy', 'owner', 'team', 'created_at', 'started_at',
    'finished_at', 'fingerprint_exact', 'fingerprint_structural', 'data_snapshot', 'engine_version', 'seed', 'error'];

const EXPERIMENT_SELECT = `SELECT x.id, x.name, x.team, x.owner, x.description, x.created_at, count(r.id)::DOUBLE AS runs, max(r.created_at) AS last_run
            FROM experiments x LEFT JOIN runs r ON r.experiment_id = x.id`;
/** The experiment's columns named one by one: PostgreSQL (team mode) has no GROUP BY ALL. */
const EXPERIMENT_GROUP = 'GROUP BY x.id, x.name, x.team, x.owner, x.description, x.created_at';

/** The WHERE condition of a search: the filter, the team, the experiment. */
function scope(q: RunSql, options: { filter?: string; orderBy?: string; team?: string; experimentId?: string }): string {
    if (options.filter !== undefined && typeof options.filter !== 'string') throw new ExperimentError('the filter must be a string');
    if (options.orderBy !== undefined && typeof options.orderBy !== 'string') throw new ExperimentError('orderBy must be a string such as "metrics.sharpe DESC"');
    const parts = [q.where(parseFilter(options.filter ?? ''))];
    if (options.team !== undefined) parts.push(`r.team = ${q.bind(options.team)}`);
    if (options.experimentId !== undefined) parts.push(`r.experiment_id = ${q.bind(options.experimentId)}`);
    return parts.join(' AND ');
}

function row(key: string, values: CompareValue[]): CompareRow {
    return { key, values, differs: values.some(v => v !== values[0]) };
}

function toExperiment(r: Record<string, unknown>): Experiment {
    return {
        id: String(r.id), name: String(r.name), team: String(r.team), owner: String(r.owner), description: str(r.description),
        created: iso(r.created_at)!, runs: Number(r.runs), lastRun: iso(r.last_run),
    };
}

function str(v: unknown): string | null {
    return v === null || v === undefined ? null : String(v);
}

function iso(v: unknown): string | null {
    if (v === null || v === undefined) return null;
    return v instanceof Date ? v.toISOString() : String(v);
}

function paramOf(value: unknown, text: unknown): ParamValue | null {
    if (value !== null && value !== undefined) return Number(value);
    if (text === 'true') return true;
    if (text === 'false') return false;
    return text === null || text === undefined ? null : String(text);
}

function metricOf(value: unknown): number | null {
    return value === null || value === undefined || Number.isNaN(value) ? null : Number(value);
}

// ------------------------------------------------------------------------------------- checks

function entries<V>(o: Readonly<Record<string, V>> | undefined, what: string): [string, V][] {
    if (o === undefined || o === null) return [];
    if (typeof o !== 'object' || Array.isArray(o)) throw new ExperimentError(`${what} must be an object of key: value`);
    return Object.entries(o);
}

function checkKey(key: string, kind: string): string {
    if (typeof key !== 'string' || key.length === 0) throw new ExperimentError(`a ${kind} key must be a non-empty string`);
    if (key.length > MAX_KEY) throw new ExperimentError(`${kind} key '${key.slice(0, 40)}…' is longer than ${MAX_KEY} characters`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(key)) throw new ExperimentError(`${kind} key ${JSON.stringify(key)} contains a control character`);
    return key;
}

function paramColumns(key: string, v: ParamValue): [number | null, string] {
    if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new ExperimentError(`param '${key}' is ${v}; params are finite numbers, text or booleans`);
        return [v, String(v)];
    }
    if (typeof v === 'boolean') return [null, String(v)];
    if (typeof v === 'string') return [null, checkText(v, `param '${key}'`, MAX_TEXT)];
    throw new ExperimentError(`param '${key}' is ${v === null ? 'null' : typeof v}; params are numbers, text or booleans`);
}

function metricValue(key: string, v: number | null): number | null {
    if (v === null || (typeof v === 'number' && Number.isNaN(v))) return null;
    if (typeof v !== 'number') throw new ExperimentError(`metric '${key}' is ${typeof v}; metrics are numbers (null for undefined)`);
    return v;
}

function tagValue(key: string, v: unknown): string {
    if (typeof v !== 'string') throw new ExperimentError(`tag '${key}' is ${v === null ? 'null' : typeof v}; tag values are strings`);
    return checkText(v, `tag '${key}'`, MAX_TEXT);
}

function checkText(v: string, what: string, max: number): string {
    if (typeof v !== 'string') throw new ExperimentError(`${what} must be a string`);
    if (v.length > max) throw new ExperimentError(`${what} is longer than ${max} characters`);
    return v;
}

function requireText(v: string, what: string, max: number): string {
    if (typeof v !== 'string' || v.trim() === '') throw new ExperimentError(`${what} is required`);
    return checkText(v.trim(), what, max);
}

function checkInt(v: number, what: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
        throw new ExperimentError(`${what} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, not ${String(v)}`);
    }
    return v;
}
