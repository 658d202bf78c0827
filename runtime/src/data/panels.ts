/**
 * Feature panels as data (the engine computes them: engine/panel.ts) and stored: the `panels` table holds one row per
 * panel — provenance (strategy, exact fingerprint, params, data snapshot, engine version) and the
 * order of its symbols and features — and `panel_values` holds the cells in long format,
 * (panel, ts, symbol, feature, value), NULL where the engine's value is NaN (undefined).
 *
 * Why long: a panel's features differ from strategy to strategy, so a wide table would need DDL
 * per panel; the long table is fixed, is what notebooks call "tidy" data, and DuckDB compresses
 * the repeated panel / symbol / feature names to dictionary codes. The wide view (one column per
 * feature) is a query away: `panelQuery(store, name, { layout: 'wide' })`.
 *
 * A panel is written whole in one transaction and replaces a stored panel of the same name.
 */
import { DuckDBTimestampValue, listValue } from '@duckdb/node-api';
import { Failure } from '../../../protocol/src/errors.js';
import { DataError, firstLine } from './errors.js';
import { sqlIdent, sqlString } from './export.js';
import { type DataStore } from '../store/store.js';

// ------------------------------------------------------------------ a panel as data

export type PanelColumnKind = 'feature' | 'signal';

/** Where a panel's numbers came from: enough to recompute it bit for bit. */
export interface PanelProvenance {
    readonly strategy: string;
    /** Exact fingerprint of the IR with the run's parameter values (as in a backtest's provenance). */
    readonly exactFingerprint: string;
    readonly structuralFingerprint: string;
    /** Every parameter's value (defaults filled in). */
    readonly params: Readonly<Record<string, number | boolean>>;
    /** Snapshot hash of the bars (BarData.snapshotHash). */
    readonly dataSnapshot: string;
    readonly engineVersion: string;
}

/**
 * Every named feature (and signal) of a strategy at every bar for every asset: a dense
 * time × symbol × feature cube, `values[(f * N + a) * T + t]` (engine/panel.ts).
 */
export interface Panel {
    /** Bar open times, ms since the epoch (T). */
    readonly ts: Float64Array;
    /** Instrument of each asset (N), `venue:SYMBOL`. */
    readonly symbols: readonly string[];
    /** Column names (F): the requested features, then signals, in declaration order. */
    readonly features: readonly string[];
    /** Whether each column is a `feature` or a `signal` (1 / 0 / NaN). */
    readonly kinds: readonly PanelColumnKind[];
    /** F × N × T values: `values[(f * N + a) * T + t]`. */
    readonly values: Float64Array;
    readonly timeframeMs: number;
    readonly provenance: PanelProvenance;
}

// ------------------------------------------------------------------ stored panels

export interface StoredPanel {
    readonly name: string;
    readonly strategy: string;
    readonly exactFingerprint: string;
    readonly structuralFingerprint: string;
    readonly params: Readonly<Record<string, number | boolean>>;
    readonly snapshot: string;
    readonly engineVersion: string;
    readonly timeframeMs: number;
    readonly symbols: readonly string[];
    readonly features: readonly string[];
    readonly kinds: readonly PanelColumnKind[];
    readonly bars: number;
    /** ms since the epoch; null for a panel without bars. */
    readonly firstTs: number | null;
    readonly lastTs: number | null;
    readonly createdAt: number;
}

export interface StorePanelResult {
    readonly name: string;
    /** Cells written to panel_values (features × symbols × bars). */
    readonly rows: number;
    /** A panel of this name was replaced. */
    readonly replaced: boolean;
}

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.:/@-]{0,127}$/;

export function checkPanelName(name: string): string {
    if (!NAME_RE.test(name)) {
        throw new DataError(`panel name '${name}' is not valid; use up to 128 letters, digits and _ . : / @ - (e.g. rsi-spx or xs_momentum/2024)`);
    }
    return name;
}

/**
 * Stores `panel` as `name` (replacing a stored panel of that name) in one transaction.
 * `provenance` defaults to the panel's own (computePanel fills it in).
 */
export async function storePanel(store: DataStore, name: string, panel: Panel, provenance: PanelProvenance = panel.provenance): Promise<StorePanelResult> {
    checkPanelName(name);
    const T = panel.ts.length, N = panel.symbols.length, F = panel.features.length;
    if (panel.values.length !== F * N * T) throw new DataError(`panel ${name}: ${panel.values.length} values for ${F} features × ${N} symbols × ${T} bars`);
    if (panel.kinds.length !== F) throw new DataError(`panel ${name}: ${panel.kinds.length} kinds for ${F} features`);
    if (new Set(panel.features).size !== F) throw new DataError(`panel ${name}: feature names are not unique (${panel.features.join(', ')})`);
    if (new Set(panel.symbols).size !== N) throw new DataError(`panel ${name}: symbols are not unique (${panel.symbols.join(', ')})`);
    const stamp = (ms: number) => new DuckDBTimestampValue(BigInt(Math.round(ms * 1000)));
    try {
        return await store.transaction(async () => {
            const replaced = Number(await store.scalar(`SELECT count(*) FROM panels WHERE name = $1`, [name])) > 0;
            await store.run(`DELETE FROM panel_values WHERE panel = $1`, [name]);
            await store.run(`DELETE FROM panels WHERE name = $1`, [name]);
            await store.run(
                `INSERT INTO panels (name, strategy, exact_fingerprint, structural_fingerprint, params, snapshot, engine_version, timeframe_ms,
                    symbols, features, kinds, bars, first_ts, last_ts)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::VARCHAR[], $10::VARCHAR[], $11::VARCHAR[], $12, $13::TIMESTAMP, $14::TIMESTAMP)`,
                [name, provenance.strategy, provenance.exactFingerprint, provenance.structuralFingerprint, JSON.stringify(provenance.params),
                    provenance.dataSnapshot, provenance.engineVersion, panel.timeframeMs,
                    listValue([...panel.symbols]), listValue([...panel.features]), listValue([...panel.kinds]), T,
                    T ? stamp(panel.ts[0]!) : null, T ? stamp(panel.ts[T - 1]!) : null]);
            // Cells go through a one-column stage in layout order (one append per cell, ~6× faster
            // than appending five columns); SQL then spreads the index into ts, symbol and feature.
            await store.run(`CREATE OR REPLACE TEMP TABLE af_panel_ts (t BIGINT, ts TIMESTAMP)`);
            await store.run(`CREATE OR REPLACE TEMP TABLE af_panel_stage (i DOUBLE, value DOUBLE)`);
            try {
                const tsApp = await store.connection.createAppender('af_panel_ts', 'main', 'temp');
                try {
                    for (let t = 0; t < T; t++) { tsApp.appendBigInt(BigInt(t)); tsApp.appendTimestamp(stamp(panel.ts[t]!)); tsApp.endRow(); }
                    tsApp.flushSync();
                } finally {
                    tsApp.closeSync();
                }
                const app = await store.connection.createAppender('af_panel_stage', 'main', 'temp');
                try {
                    const v = panel.values;
                    for (let i = 0; i < v.length; i++) {
                        app.appendDouble(i);
                        const x = v[i]!;
                        if (x !== x) app.appendNull(); else app.appendDouble(x);
                        app.endRow();
                    }
                    app.flushSync();
                } finally {
                    app.closeSync();
                }
                const rows = T * N === 0 ? 0 : await store.run(
                    `INSERT INTO panel_values
                     SELECT p.name, x.ts, p.symbols[(s.k // $2::BIGINT) % $3::BIGINT + 1], p.features[s.k // ($2::BIGINT * $3::BIGINT) + 1], s.value
                     FROM (SELECT CAST(i AS BIGINT) AS k, value FROM af_panel_stage) s
                     JOIN af_panel_ts x ON x.t = s.k % $2::BIGINT
                     JOIN panels p ON p.name = $1
                     ORDER BY s.k`,
                    [name, T, N]);
                return { name, rows, replaced };
            } finally {
                await store.run('DROP TABLE IF EXISTS af_panel_stage');
                await store.run('DROP TABLE IF EXISTS af_panel_ts');
            }
        }, { kind: 'bulk', what: `storing panel ${name}` });
    } catch (e) {
        if (e instanceof Failure) throw e;
        throw new DataError(`cannot store panel ${name} in ${store.file}: ${firstLine(e)}`);
    }
}

function toMs(v: unknown): number | null {
    return v instanceof Date ? v.getTime() : v === null || v === undefined ? null : Number(v);
}

function info(r: Record<string, unknown>): StoredPanel {
    return {
        name: String(r.name), strategy: String(r.strategy),
        exactFingerprint: String(r.exact_fingerprint), structuralFingerprint: String(r.structural_fingerprint),
        params: JSON.parse(String(r.params)) as Record<string, number | boolean>,
        snapshot: String(r.snapshot), engineVersion: String(r.engine_version), timeframeMs: Number(r.timeframe_ms),
        symbols: (r.symbols as unknown[]).map(String), features: (r.features as unknown[]).map(String),
        kinds: (r.kinds as unknown[]).map(k => String(k) as PanelColumnKind),
        bars: Number(r.bars), firstTs: toMs(r.first_ts), lastTs: toMs(r.last_ts), createdAt: toMs(r.created_at) ?? NaN,
    };
}

/** Stored panels, by name. */
export async function listPanels(store: DataStore): Promise<StoredPanel[]> {
    return (await store.rows(`SELECT * FROM panels ORDER BY name`)).map(info);
}

/** The stored panel's description; DataError (listing the stored ones) when there is none. */
export async function panelInfo(store: DataStore, name: string): Promise<StoredPanel> {
    const rows = await store.rows(`SELECT * FROM panels WHERE name = $1`, [name]);
    if (rows.length === 0) {
        const known = (await store.rows(`SELECT name FROM panels ORDER BY name LIMIT 10`)).map(r => String(r.name));
        throw new DataError(`no panel '${name}' in ${store.file}; ${known.length ? `stored panels: ${known.join(', ')}` : 'no panels are stored (compute one with af data panel)'}`);
    }
    return info(rows[0]!);
}

/** Removes a stored panel; false when there was none. */
export async function deletePanel(store: DataStore, name: string): Promise<boolean> {
    return store.transaction(async () => {
        await store.run(`DELETE FROM panel_values WHERE panel = $1`, [name]);
        return (await store.run(`DELETE FROM panels WHERE name = $1`, [name])) > 0;
    });
}

/** Reads a stored panel back into memory (same layout as computePanel's). */
export async function loadPanel(store: DataStore, name: string): Promise<Panel> {
    const p = await panelInfo(store, name);
    const axis = await store.use(conn => conn.runAndReadAll(`SELECT DISTINCT epoch_ms(ts)::DOUBLE FROM panel_values WHERE panel = $1 ORDER BY 1`, [name]), { kind: 'bulk', what: `reading panel ${name}` });
    const ts = Float64Array.from((axis.getColumns()[0] ?? []) as number[]);
    const T = ts.length, N = p.symbols.length, F = p.features.length;
    const values = new Float64Array(F * N * T).fill(NaN);
    const r = await store.use(conn => conn.runAndReadAll(
        `SELECT CAST(list_position($2::VARCHAR[], feature) - 1 AS INTEGER), CAST(list_position($3::VARCHAR[], symbol) - 1 AS INTEGER), epoch_ms(ts)::DOUBLE, value
         FROM panel_values WHERE panel = $1`,
        [name, listValue([...p.features]), listValue([...p.symbols])]), { kind: 'bulk', what: `reading panel ${name}` });
    const [fs, as, tss, vs] = r.getColumns() as [number[], number[], number[], (number | null)[]];
    const tIndex = new Map<number, number>();
    ts.forEach((t, i) => tIndex.set(t, i));
    for (let i = 0; i < vs.length; i++) {
        const v = vs[i];
        if (v === null || v === undefined) continue;
        values[(fs[i]! * N + as[i]!) * T + tIndex.get(tss[i]!)!] = v;
    }
    return {
        ts, symbols: p.symbols, features: p.features, kinds: p.kinds, values, timeframeMs: p.timeframeMs,
        provenance: {
            strategy: p.strategy, exactFingerprint: p.exactFingerprint, structuralFingerprint: p.structuralFingerprint,
            params: p.params, dataSnapshot: p.snapshot, engineVersion: p.engineVersion,
        },
    };
}

export type PanelLayout = 'long' | 'wide';

/**
 * SQL that reads a stored panel, for exportQuery:
 * - `long` (default): ts, symbol, feature, value — ordered by ts, then the panel's symbol and feature order;
 * - `wide`: ts, symbol, then one column per feature (NULL where undefined) — ordered by ts, symbol.
 */
export async function panelQuery(store: DataStore, name: string, options: { layout?: PanelLayout } = {}): Promise<string> {
    const p = await panelInfo(store, name);
    const symbols = `[${p.symbols.map(sqlString).join(', ')}]`;
    if ((options.layout ?? 'long') === 'long') {
        const features = `[${p.features.map(sqlString).join(', ')}]`;
        return `SELECT ts, symbol, feature, value
FROM panel_values
WHERE panel = ${sqlString(name)}
ORDER BY ts, list_position(${symbols}, symbol), list_position(${features}, feature)`;
    }
    const clash = p.features.find(f => f === 'ts' || f === 'symbol');
    if (clash) throw new DataError(`panel ${name} has a feature named '${clash}', which clashes with the wide layout's key column; export the long layout`);
    const cols = p.features.map(f => `max(value) FILTER (WHERE feature = ${sqlString(f)}) AS ${sqlIdent(f)}`);
    return `SELECT ts, symbol,
  ${cols.join(',\n  ')}
FROM panel_values
WHERE panel = ${sqlString(name)}
GROUP BY ts, symbol
ORDER BY ts, list_position(${symbols}, symbol)`;
}
