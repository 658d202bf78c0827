/**
 * `af backtest`, `af sweep` and `af walkforward`: the run pipeline (runtime/src/pipeline) with the
 * CLI's steps — this file's compile, the local store — then the run result printed as a table, or
 * as JSON (`--json`: the result document itself), and `--report` rendered from it as HTML.
 */
import { jsonNumbers } from '../../../../protocol/src/numbers.js';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunResult } from '../../../../protocol/src/run-result.js';
import { reportMessage } from '../../../../protocol/src/wire.js';
import { metricRows, metricsFromWire } from '../../../../protocol/src/metrics.js';
import { fromWire } from '../../../../protocol/src/numbers.js';
import { bindParams, parseParamArgs } from '../../engine/params.js';
import { SORT_METRICS, type SortMetric } from '../../engine/sweep.js';
import { BacktestError } from '../../engine/types.js';
import { loadFromStore } from '../../data/load.js';
import { withStore } from '../../schema/registry.js';
import { exportQuery } from '../../data/export.js';
import { panelQuery, storePanel } from '../../data/panels.js';
import { computePanel } from '../../engine/panel.js';
import { DataError } from '../../data/errors.js';
import { executeRun, type Execution, type ExecuteOptions } from '../../pipeline/execute.js';
import { prepareRun, type PreparedRun, type RunRequest } from '../../pipeline/prepare.js';
import { renderReport } from '../../report/html-report.js';
import { printTable } from '../table.js';
import { CliError } from '../errors.js';
import { progressBar } from '../progress.js';
import { compileFile } from './compile.js';

export interface DataOptions {
    strategy?: string;
    symbols?: string;
    from?: string;
    to?: string;
    params?: string[];
    stateDir?: string;
    json?: boolean;
}

const symbolList = (s: string | undefined): string[] | undefined => s?.split(',').map(x => x.trim()).filter(Boolean);

/**
 * The pipeline's first half with the CLI's steps: the file compiled here (errors printed; undefined
 * when it does not compile), `--params` parsed against its params, bars from the local store.
 */
async function prepare(file: string, o: DataOptions, request: Omit<RunRequest, 'params' | 'symbols' | 'from' | 'to'>, out: (s: string) => void): Promise<PreparedRun | undefined> {
    const ir = await compileFile(file, o.strategy, out);
    if (!ir) return undefined;
    try {
        return await prepareRun(
            { ...request, params: parseParamArgs(ir, o.params ?? []), symbols: symbolList(o.symbols), from: o.from, to: o.to },
            { compile: async () => ir, load: r => withStore({ stateDir: o.stateDir }, store => loadFromStore(store, r)) },
        );
    } catch (e) {
        throw userError(e);
    }
}

/** The pipeline's engine half, in this process. */
async function execute(p: PreparedRun, o: ExecuteOptions): Promise<Execution> {
    try {
        return await executeRun({ ...p, symbols: p.data.ids }, o);
    } catch (e) {
        throw userError(e);
    }
}

function userError(e: unknown): unknown {
    if (e instanceof BacktestError || e instanceof DataError) return new CliError(e.message);
    return e;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const printJson = (r: RunResult, out: (s: string) => void): void => out(JSON.stringify(r, jsonNumbers, 2) + '\n');

/** Writes the self-contained HTML report of a run result. */
export function writeReport(path: string, result: RunResult, info: { uri?: string; runId?: string } = {}): void {
    writeFileSync(path, renderReport(reportMessage(result, info)));
}

export async function backtestCommand(file: string, o: DataOptions & { report?: string }, out: (s: string) => void): Promise<number> {
    const p = await prepare(file, o, { kind: 'backtest' }, out);
    if (!p) return 1;
    const { result } = await execute(p, {});
    if (o.json) {
        printJson(result, out);
    } else {
        const { range } = result;
        out(`${result.strategy} on ${result.symbols.join(', ')} ${result.timeframe}, ${iso(range.from)} → ${iso(range.to)} (${range.bars} bars, warm-up ${result.warmupBars})\n`);
        out(`params: ${Object.entries(result.params).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'}\n\n`);
        if (range.bars <= result.warmupBars) out(`warning: ${range.bars} bars are not more than the warm-up of ${result.warmupBars}: the strategy cannot trade; start earlier (--from) or shorten the look-backs\n\n`);
        out(printTable(metricRows(metricsFromWire(result.metrics))));
        for (const e of result.events) out(`  event at ${iso(e.ts)}: ${e.kind} — ${e.message}\n`);
        out(`\nfingerprint ${result.provenance.exactFingerprint.slice(0, 16)} · data ${result.provenance.dataSnapshot.slice(0, 16)} · engine ${result.provenance.engineVersion}\n`);
    }
    if (o.report) {
        writeReport(o.report, result, { uri: pathToFileURL(resolve(file)).href });
        if (!o.json) out(`report written to ${o.report}\n`);
    }
    return 0;
}


export interface SearchCliOptions extends DataOptions {
    random?: number;
    seed?: number;
    sort?: string;
    workers?: number;
    top?: number;
}

function sortMetric(s: string | undefined): SortMetric {
    const v = (s ?? 'sharpe') as SortMetric;
    if (!SORT_METRICS.includes(v)) throw new CliError(`--sort takes one of ${SORT_METRICS.join(', ')}; got '${s}'`);
    return v;
}

function searchOf(o: SearchCliOptions): RunRequest['sweep'] {
    return { mode: o.random ? 'random' : 'grid', samples: o.random, seed: o.seed ?? 1, sortBy: sortMetric(o.sort) };
}

const num = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

function summaryRow(m: RunResult['metrics']): string {
    const f = (x: number, d = 2) => num(x, d).padStart(8);
    return `${f(fromWire(m.sharpe))} ${f(fromWire(m.cagr) * 100, 1)}% ${f(fromWire(m.maxDrawdown) * 100, 1)}% ${String(fromWire(m.tradeCount)).padStart(6)}`;
}

export async function sweepCommand(file: string, o: SearchCliOptions, out: (s: string) => void): Promise<number> {
    const sweep = searchOf(o);
    const p = await prepare(file, o, { kind: 'sweep', sweep }, out);
    if (!p) return 1;
    const { result, workers, elapsedMs } = await execute(p, { ...(o.workers ? { workers: o.workers } : {}), ...(o.json ? {} : { progress: progressBar('sweep') }) });
    if (o.json) {
        printJson(result, out);
        return 0;
    }
    const s = result.sweep!;
    const names = p.ir.params.map(x => x.name);
    out(`${result.strategy}: ${s.trialCount} combinations on ${result.range.bars} bars with ${workers} worker(s) in ${(elapsedMs / 1000).toFixed(1)} s, sorted by ${sweep!.sortBy}\n\n`);
    out(`  ${names.map(n => n.padStart(10)).join(' ')}   sharpe     cagr   max dd  trades\n`);
    for (const row of s.trials.slice(0, o.top ?? 20)) out(`  ${names.map(n => String(row.params[n]).padStart(10)).join(' ')} ${summaryRow(row.metrics)}\n`);
    const dsr = fromWire(s.deflatedSharpe.dsr);
    out(`\ndeflated Sharpe ratio of the best of ${s.trialCount}: ${Number.isFinite(dsr) ? dsr.toFixed(3) : 'n/a'} (probability that its Sharpe beats the best of ${s.trialCount} unskilled trials; expected max per-bar Sharpe ${fromWire(s.deflatedSharpe.expectedMaxSharpe).toFixed(4)})\n`);
    printFailedTrials(s.failedTrials ?? [], out);
    return 0;
}

export async function walkforwardCommand(file: string, o: SearchCliOptions & { in?: number; out?: number; anchored?: boolean }, out: (s: string) => void): Promise<number> {
    const sweep = searchOf(o);
    const p = await prepare(file, o, { kind: 'walkforward', sweep, walkforward: { inSample: o.in, outOfSample: o.out, anchored: o.anchored } }, out);
    if (!p) return 1;
    const { result } = await execute(p, { ...(o.workers ? { workers: o.workers } : {}), ...(o.json ? {} : { progress: progressBar('walk-forward') }) });
    if (o.json) {
        printJson(result, out);
        return 0;
    }
    const wf = result.walkforward!;
    out(`${result.strategy}: ${wf.scheme} walk-forward, ${wf.windows.length} windows of ${wf.inSampleBars} in-sample + ${wf.outOfSampleBars} out-of-sample bars, optimising ${sweep!.sortBy}\n\n`);
    out(`  out-of-sample           best params                          in-sample sharpe  out-of-sample sharpe   cagr   max dd\n`);
    for (const w of wf.windows) {
        const ps = Object.entries(w.params).map(([k, v]) => `${k}=${v}`).join(' ');
        const is = w.inSampleMetrics, oos = w.outOfSampleMetrics;
        out(`  ${iso(w.outOfSample.from)}→${iso(w.outOfSample.to)}  ${ps.padEnd(36)} ${num(fromWire(is.sharpe)).padStart(10)} ${num(fromWire(oos.sharpe)).padStart(18)} ${num(fromWire(oos.cagr) * 100, 1).padStart(8)}% ${num(fromWire(oos.maxDrawdown) * 100, 1).padStart(6)}%\n`);
    }
    const efficiency = fromWire(wf.efficiency);
    out(`\nstitched out-of-sample:\n${printTable(metricRows(metricsFromWire(result.metrics)))}walk-forward efficiency (out-of-sample / in-sample Sharpe): ${Number.isFinite(efficiency) ? efficiency.toFixed(2) : 'n/a'}\n`);
    printFailedTrials(wf.failedTrials ?? [], out);
    return 0;
}

/** Combinations that could not run (not ranked), each with its reason; the first ten. */
function printFailedTrials(failed: NonNullable<NonNullable<RunResult['sweep']>['failedTrials']>, out: (s: string) => void): void {
    if (failed.length === 0) return;
    out(`\n${failed.length} trial${failed.length === 1 ? '' : 's'} failed and ${failed.length === 1 ? 'is' : 'are'} not ranked:\n`);
    for (const f of failed.slice(0, 10)) {
        const ps = Object.entries(f.params).map(([k, v]) => `${k}=${v}`).join(' ') || '(no params)';
        out(`  ${ps}${f.inSample ? ` (in-sample ${iso(f.inSample.from)}→${iso(f.inSample.to)})` : ''}: ${f.reason}\n`);
    }
    if (failed.length > 10) out(`  … and ${failed.length - 10} more (--json lists them all)\n`);
}

export interface PanelCliOptions extends DataOptions {
    name?: string;
    out?: string;
    wide?: boolean;
}

/**
 * `af data panel FILE`: the strategy's features and signals at every bar for every symbol
 * (its universe, or any --symbols list: factor research over a wider universe), stored as a
 * named panel in the store; --out also exports it.
 */
export async function panelCommand(file: string, o: PanelCliOptions, out: (s: string) => void): Promise<number> {
    const ir = await compileFile(file, o.strategy, out);
    if (!ir) return 1;
    const name = o.name ?? ir.strategy;
    try {
        const params = bindParams(ir, parseParamArgs(ir, o.params ?? []));
        const assets = o.symbols
            ? o.symbols.split(',').map(s => s.trim()).filter(Boolean).map(s => {
                const i = s.indexOf(':');
                if (i <= 0) throw new CliError(`--symbols: '${s}' is not venue:SYMBOL (e.g. sp:SPX)`);
                return { venue: s.slice(0, i), symbol: s.slice(i + 1) };
            })
            : ir.universe.map(u => ({ venue: u.venue, symbol: u.symbol }));
        const { stored, exported, panel } = await withStore({ stateDir: o.stateDir }, async store => {
            const data = await loadFromStore(store, { assets, timeframe: ir.timeframe.text, from: o.from, to: o.to });
            if (data.ts.length === 0) throw new CliError(`no bars between ${o.from ?? 'the start'} and ${o.to ?? 'the end'}`);
            const panel = computePanel(ir, data, params);
            const stored = await storePanel(store, name, panel);
            const exported = o.out ? await exportQuery(store, await panelQuery(store, name, { layout: o.wide ? 'wide' : 'long' }), o.out) : undefined;
            return { stored, exported, panel };
        });
        if (o.json) {
            out(JSON.stringify({ name, rows: stored.rows, replaced: stored.replaced, symbols: panel.symbols, columns: panel.features, bars: panel.ts.length, provenance: panel.provenance, exported }, jsonNumbers, 2) + '\n');
        } else {
            out(`panel ${name}${stored.replaced ? ' (replaced)' : ''}: ${panel.symbols.length} symbol(s) × ${panel.features.length} column(s) (${panel.features.join(', ')}) × ${panel.ts.length} bars = ${stored.rows} values\n`);
            if (exported) out(`wrote ${exported.rows} rows to ${exported.file} as ${exported.format}\n`);
        }
        return 0;
    } catch (e) {
        throw userError(e);
    }
}
