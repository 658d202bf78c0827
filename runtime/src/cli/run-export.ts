/**
 * `af runs export ID out.parquet|out.arrow|out.csv`: a run's result as tables a notebook reads
 * (pandas, polars, pyarrow), one file per table since each of these formats holds one:
 *
 *     out.trades.parquet   one row per trade: symbol, side, entry/exit time and price, qty, pnl, …
 *     out.series.parquet   one row per bar: time, equity, returns, drawdown, exposure
 *     out.metrics.parquet  one row per metric: run id, kind, strategy, metric key, label, value
 *     out.trials.parquet   a sweep's trials: one row each, a column per param and per metric
 *     out.windows.parquet  a walk-forward's windows: ranges, params, in- and out-of-sample metrics
 *
 * The rows come from the run result (protocol/src/run-result.ts) and are written by data/export.ts
 * (DuckDB for Parquet and CSV, apache-arrow for Arrow IPC) from an in-memory DuckDB: times are
 * UTC timestamps, NaN is null.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { METRIC_KEYS, metricDefinition, type MetricKey } from '../../../protocol/src/metrics.js';
import { fromWire, type WireNumber } from '../../../protocol/src/numbers.js';
import type { RunResult } from '../../../protocol/src/run-result.js';
import { exportFormatOf, exportQuery, sqlIdent, sqlString, type ExportFormat, type ExportResult } from '../data/export.js';

type Cell = string | number | boolean | null;
type ColumnType = 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN' | 'TIME';

interface TableData {
    readonly name: string;
    readonly columns: readonly (readonly [string, ColumnType])[];
    readonly rows: readonly (readonly Cell[])[];
}

const num = (x: WireNumber | number | undefined): number | null => {
    const v = fromWire(x);
    return Number.isFinite(v) ? v : null;
};

/** The file of one table: out.parquet → out.trades.parquet. */
export function tableFile(out: string, table: string): string {
    const ext = extname(out);
    return join(dirname(out), `${basename(out, ext)}.${table}${ext}`);
}

/** The tables of a result, in the order they are written. */
export function resultTables(r: RunResult): TableData[] {
    const tables: TableData[] = [];
    tables.push({
        name: 'trades',
        columns: [['symbol', 'VARCHAR'], ['side', 'VARCHAR'], ['entry_time', 'TIME'], ['exit_time', 'TIME'], ['entry_price', 'DOUBLE'], ['exit_price', 'DOUBLE'],
            ['qty', 'DOUBLE'], ['pnl', 'DOUBLE'], ['return_pct', 'DOUBLE'], ['fees', 'DOUBLE'], ['exit_reason', 'VARCHAR'],
            ['mae', 'DOUBLE'], ['mfe', 'DOUBLE'], ['mae_pct', 'DOUBLE'], ['mfe_pct', 'DOUBLE']],
        rows: r.trades.map(t => [t.symbol, t.side, t.entryTs, t.exitTs, num(t.entryPrice), num(t.exitPrice), num(t.maxQty), num(t.pnl), num(t.returnPct), num(t.fees), t.exitReason,
            num(t.mae), num(t.mfe), num(t.maePct), num(t.mfePct)]),
    });
    if (r.series) {
        const s = r.series;
        tables.push({
            name: 'series',
            columns: [['time', 'TIME'], ['equity', 'DOUBLE'], ['returns', 'DOUBLE'], ['drawdown', 'DOUBLE'], ['exposure', 'DOUBLE']],
            rows: s.ts.map((ts, i) => {
                const e = fromWire(s.equity[i]), prev = i === 0 ? r.capital : fromWire(s.equity[i - 1]);
                return [ts, num(e), prev > 0 && Number.isFinite(e) ? e / prev - 1 : null, num(s.drawdown[i]), num(s.exposure[i])];
            }),
        });
    }
    const metricRow = (key: string, value: WireNumber | number | undefined): Cell[] => [r.runId ?? null, r.kind, r.strategy, key, metricDefinition(key)?.label ?? key, num(value)];
    const extras: [string, WireNumber | number | undefined][] = [];
    if (r.sweep) extras.push(['trials', r.sweep.trialCount], ['deflatedSharpe', r.sweep.deflatedSharpe.dsr], ['expectedMaxSharpe', r.sweep.deflatedSharpe.expectedMaxSharpe]);
    if (r.walkforward) extras.push(['windows', r.walkforward.windows.length], ['efficiency', r.walkforward.efficiency]);
    tables.push({
        name: 'metrics',
        columns: [['run_id', 'VARCHAR'], ['kind', 'VARCHAR'], ['strategy', 'VARCHAR'], ['metric', 'VARCHAR'], ['label', 'VARCHAR'], ['value', 'DOUBLE']],
        rows: [...METRIC_KEYS.map(k => metricRow(k, r.metrics[k])), ...extras.map(([k, v]) => metricRow(k, v))],
    });
    const paramColumns = (ps: readonly Readonly<Record<string, number | boolean>>[]): [string, ColumnType][] =>
        [...new Set(ps.flatMap(p => Object.keys(p)))].map(k => [k, ps.some(p => typeof p[k] === 'boolean') ? 'BOOLEAN' : 'DOUBLE']);
    if (r.sweep) {
        const params = paramColumns(r.sweep.trials.map(t => t.params));
        tables.push({
            name: 'trials',
            columns: [['rank', 'BIGINT'], ...params.map(([k, t]) => [`param_${k}`, t] as [string, ColumnType]), ...METRIC_KEYS.map(k => [k, 'DOUBLE'] as [string, ColumnType])],
            rows: r.sweep.trials.map((t, i) => [i + 1, ...params.map(([k]) => t.params[k] ?? null), ...METRIC_KEYS.map(k => num(t.metrics[k]))]),
        });
    }
    if (r.walkforward) {
        const ws = r.walkforward.windows;
        const params = paramColumns(ws.map(w => w.params));
        const keys: MetricKey[] = ['sharpe', 'cagr', 'totalReturn', 'maxDrawdown', 'tradeCount', 'exposure', 'turnover'];
        tables.push({
            name: 'windows',
            columns: [['window', 'BIGINT'], ['in_sample_from', 'TIME'], ['in_sample_to', 'TIME'], ['out_of_sample_from', 'TIME'], ['out_of_sample_to', 'TIME'],
                ...params.map(([k, t]) => [`param_${k}`, t] as [string, ColumnType]),
                ...keys.map(k => [`is_${k}`, 'DOUBLE'] as [string, ColumnType]), ...keys.map(k => [`oos_${k}`, 'DOUBLE'] as [string, ColumnType])],
            rows: ws.map((w, i) => [i + 1, w.inSample.from, w.inSample.to, w.outOfSample.from, w.outOfSample.to, ...params.map(([k]) => w.params[k] ?? null),
                ...keys.map(k => num(w.inSampleMetrics[k])), ...keys.map(k => num(w.outOfSampleMetrics[k]))]),
        });
    }
    return tables;
}

/**
 * Writes every table of `r` next to `out` (out.<table>.<ext>); the format follows out's
 * extension (.parquet, .arrow/.feather/.ipc, .csv) unless given.
 */
export async function exportRunResult(r: RunResult, out: string, format?: ExportFormat): Promise<ExportResult[]> {
    const fmt = exportFormatOf(out, format);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const scratch = mkdtempSync(join(tmpdir(), 'af-runs-export-'));
    try {
        const written: ExportResult[] = [];
        for (const t of resultTables(r)) {
            if (t.rows.length === 0) {
                await connection.run(`CREATE TABLE ${sqlIdent(t.name)} (${t.columns.map(([c, ty]) => `${sqlIdent(c)} ${ty === 'TIME' ? 'TIMESTAMP' : ty}`).join(', ')})`);
                written.push(await exportQuery({ connection }, `SELECT * FROM ${sqlIdent(t.name)}`, tableFile(out, t.name), { format: fmt }));
                continue;
            }
            // Rows reach DuckDB as newline-delimited JSON read with declared column types (times as epoch ms).
            const file = join(scratch, `${t.name}.ndjson`);
            writeFileSync(file, t.rows.map(row => JSON.stringify(Object.fromEntries(t.columns.map(([c], i) => [c, row[i] ?? null])))).join('\n') + '\n');
            const declared = t.columns.map(([c, ty]) => `${sqlString(c)}: '${ty === 'TIME' ? 'DOUBLE' : ty}'`).join(', ');
            const select = t.columns.map(([c, ty]) => ty === 'TIME' ? `make_timestamp(CAST(${sqlIdent(c)} * 1000 AS BIGINT)) AS ${sqlIdent(c)}` : sqlIdent(c)).join(', ');
            await connection.run(`CREATE TABLE ${sqlIdent(t.name)} AS SELECT ${select} FROM read_json(${sqlString(file)}, format = 'newline_delimited', columns = {${declared}})`);
            written.push(await exportQuery({ connection }, `SELECT * FROM ${sqlIdent(t.name)}`, tableFile(out, t.name), { format: fmt }));
        }
        return written;
    } finally {
        connection.closeSync();
        instance.closeSync();
        rmSync(scratch, { recursive: true, force: true });
    }
}
