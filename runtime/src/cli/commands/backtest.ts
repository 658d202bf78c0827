/**
 * `af backtest`, `af sweep` and `af walkforward`: compile a strategy, load its bars from the
 * embedded store, run, print metrics (or JSON), optionally write the HTML report.
 */
import { jsonNumbers } from '../../../../protocol/src/numbers.js';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StrategyIr } from '../../../../protocol/src/ir.js';
import { CompiledBacktester } from '../../engine/compiled/index.js';
import { computeMetrics, type Metrics } from '../../engine/metrics.js';
import { bindParams, parseParamArgs } from '../../engine/params.js';
import { runSweep, runWalkForward, SORT_METRICS, type SortMetric } from '../../engine/sweep.js';
import { defaultWorkers } from '../../engine/worker-pool.js';
import { capitalOf } from '../../engine/trial.js';
import { BacktestError, type BarData } from '../../engine/types.js';
import { loadFromStore } from '../../data/load.js';
import { withStore } from '../../schema/registry.js';
import { exportQuery } from '../../data/export.js';
import { panelQuery, storePanel } from '../../data/panels.js';
import { computePanel } from '../../engine/panel.js';
import { DataError } from '../../data/errors.js';
import { renderReport } from '../../report/html-report.js';
import { reportRunMessage } from '../../report/report-message.js';
import { metricRows } from '../../../../protocol/src/metrics.js';
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

/** The strategy's universe, or --symbols (same number of assets, in order). */
function assetsOf(ir: StrategyIr, symbols: string | undefined): { venue: string; symbol: string }[] {
    if (!symbols) return ir.universe.map(u => ({ venue: u.venue, symbol: u.symbol }));
    const list = symbols.split(',').map(s => s.trim()).filter(Boolean);
    if (list.length !== ir.universe.length) {
        throw new CliError(`--symbols lists ${list.length} instrument(s) but ${ir.strategy} trades ${ir.universe.length} (${ir.universe.map(u => u.id).join(', ')})`);
    }
    return list.map(s => {
        const i = s.indexOf(':');
        if (i <= 0) throw new CliError(`--symbols: '${s}' is not venue:SYMBOL (e.g. sp:SPX)`);
        return { venue: s.slice(0, i), symbol: s.slice(i + 1) };
    });
}

async function prepare(file: string, o: DataOptions, out: (s: string) => void): Promise<{ ir: StrategyIr; data: BarData; params: Record<string, number | boolean> } | undefined> {
    const ir = await compileFile(file, o.strategy, out);
    if (!ir) return undefined;
    try {
        const params = bindParams(ir, parseParamArgs(ir, o.params ?? []));
        const data = await withStore({ stateDir: o.stateDir }, store => loadFromStore(store, { assets: assetsOf(ir, o.symbols), timeframe: ir.timeframe.text, from: o.from, to: o.to }));
        if (data.ts.length === 0) throw new CliError(`no bars between ${o.from ?? 'the start'} and ${o.to ?? 'the end'}`);
        return { ir, data, params };
    } catch (e) {
        throw userError(e);
    }
}

function userError(e: unknown): unknown {
    if (e instanceof BacktestError || e instanceof DataError) return new CliError(e.message);
    return e;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function backtestCommand(file: string, o: DataOptions & { report?: string }, out: (s: string) => void): Promise<number> {
    const p = await prepare(file, o, out);
    if (!p) return 1;
    const { ir, data, params } = p;
    let result;
    try {
        result = new CompiledBacktester().run(ir, data, { params });
    } catch (e) {
        throw userError(e);
    }
    const capital = capitalOf(ir);
    const metrics = computeMetrics({ ts: data.ts, equity: result.equity, capital, exposure: result.exposure, trades: result.trades, fills: result.fills });
    const universe = ir.universe.map(u => u.id);
    if (o.json) {
        out(JSON.stringify({ strategy: ir.strategy, params, metrics, trades: result.trades, provenance: result.provenance, warmupBars: result.warmupBars, events: result.events }, jsonNumbers, 2) + '\n');
    } else {
        out(`${ir.strategy} on ${universe.join(', ')} ${ir.timeframe.text}, ${iso(data.ts[0]!)} → ${iso(data.ts[data.ts.length - 1]!)} (${data.ts.length} bars, warm-up ${result.warmupBars})\n`);
        out(`params: ${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'}\n\n`);
        if (data.ts.length <= result.warmupBars) out(`warning: ${data.ts.length} bars are not more than the warm-up of ${result.warmupBars}: the strategy cannot trade; start earlier (--from) or shorten the look-backs\n\n`);
        out(printTable(metricRows(metrics)));
        for (const e of result.events) out(`  event at ${iso(data.ts[e.bar]!)}: ${e.kind} — ${e.message}\n`);
        out(`\nfingerprint ${result.provenance.exactFingerprint.slice(0, 16)} · data ${result.provenance.dataSnapshot.slice(0, 16)} · engine ${result.provenance.engineVersion}\n`);
    }
    if (o.report) {
        writeFileSync(o.report, renderReport(reportRunMessage({
            ir, data, result, metrics, capital, params, uri: pathToFileURL(resolve(file)).href,
        })));
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

function summaryRow(m: Metrics): string {
    const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x)).padStart(8);
    return `${f(m.sharpe)} ${f(m.cagr * 100, 1)}% ${f(m.maxDrawdown * 100, 1)}% ${String(m.tradeCount).padStart(6)}`;
}

export async function sweepCommand(file: string, o: SearchCliOptions, out: (s: string) => void): Promise<number> {
    const p = await prepare(file, o, out);
    if (!p) return 1;
    const { ir, data } = p;
    const sortBy = sortMetric(o.sort);
    const fixed = parseParamArgs(ir, o.params ?? []);
    const workers = o.workers ?? defaultWorkers();
    let r;
    try {
        r = await runSweep(ir, data, { mode: o.random ? 'random' : 'grid', samples: o.random, seed: o.seed ?? 1, fixed, sortBy, workers, onProgress: o.json ? undefined : progressBar('sweep') });
    } catch (e) {
        throw userError(e);
    }
    if (o.json) {
        out(JSON.stringify({ strategy: ir.strategy, sortBy, trials: r.trials, deflatedSharpe: r.deflated, rows: r.rows }, jsonNumbers, 2) + '\n');
        return 0;
    }
    const names = ir.params.map(x => x.name);
    out(`${ir.strategy}: ${r.trials} combinations on ${data.ts.length} bars with ${r.workers} worker(s) in ${(r.elapsedMs / 1000).toFixed(1)} s, sorted by ${sortBy}\n\n`);
    out(`  ${names.map(n => n.padStart(10)).join(' ')}   sharpe     cagr   max dd  trades\n`);
    for (const row of r.rows.slice(0, o.top ?? 20)) out(`  ${names.map(n => String(row.params[n]).padStart(10)).join(' ')} ${summaryRow(row.metrics)}\n`);
    out(`\ndeflated Sharpe ratio of the best of ${r.trials}: ${Number.isFinite(r.deflated.dsr) ? r.deflated.dsr.toFixed(3) : 'n/a'} (probability that its Sharpe beats the best of ${r.trials} unskilled trials; expected max per-bar Sharpe ${r.deflated.expectedMaxSharpe.toFixed(4)})\n`);
    return 0;
}

export async function walkforwardCommand(file: string, o: SearchCliOptions & { in?: number; out?: number; anchored?: boolean }, out: (s: string) => void): Promise<number> {
    const p = await prepare(file, o, out);
    if (!p) return 1;
    const { ir, data } = p;
    const T = data.ts.length;
    const inSample = o.in ?? Math.floor(T / 4), outOfSample = o.out ?? Math.floor(T / 8);
    const sortBy = sortMetric(o.sort);
    let r;
    try {
        r = await runWalkForward(ir, data, {
            inSample, outOfSample, scheme: o.anchored ? 'anchored' : 'rolling', mode: o.random ? 'random' : 'grid', samples: o.random, seed: o.seed ?? 1,
            fixed: parseParamArgs(ir, o.params ?? []), sortBy, workers: o.workers ?? defaultWorkers(), onProgress: o.json ? undefined : progressBar('walk-forward'),
        });
    } catch (e) {
        throw userError(e);
    }
    if (o.json) {
        out(JSON.stringify({ strategy: ir.strategy, sortBy, windows: r.windows, metrics: r.metrics, efficiency: r.efficiency }, jsonNumbers, 2) + '\n');
        return 0;
    }
    out(`${ir.strategy}: ${o.anchored ? 'anchored' : 'rolling'} walk-forward, ${r.windows.length} windows of ${inSample} in-sample + ${outOfSample} out-of-sample bars, optimising ${sortBy}\n\n`);
    out(`  out-of-sample           best params                          in-sample sharpe  out-of-sample sharpe   cagr   max dd\n`);
    for (const w of r.windows) {
        const ps = Object.entries(w.best).map(([k, v]) => `${k}=${v}`).join(' ');
        out(`  ${iso(data.ts[w.oosFrom]!)}→${iso(data.ts[w.oosTo - 1]!)}  ${ps.padEnd(36)} ${w.inSample.sharpe.toFixed(2).padStart(10)} ${w.outOfSample.sharpe.toFixed(2).padStart(18)} ${(w.outOfSample.cagr * 100).toFixed(1).padStart(8)}% ${(w.outOfSample.maxDrawdown * 100).toFixed(1).padStart(6)}%\n`);
    }
    out(`\nstitched out-of-sample:\n${printTable(metricRows(r.metrics))}walk-forward efficiency (out-of-sample / in-sample Sharpe): ${Number.isFinite(r.efficiency) ? r.efficiency.toFixed(2) : 'n/a'}\n`);
    return 0;
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
