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
import { bindParams, parseParamArgs } from '../../engine/params.js';
import { SORT_METRICS, type SortMetric } from '../../engine/sweep.js';
import { BacktestError } from '../../engine/types.js';
import { loadFromStore } from '../../data/load.js';
import { withOnchainFor } from '../../data/onchain/align.js';
import { withStore } from '../../schema/registry.js';
import { exportQuery } from '../../data/export.js';
import { panelQuery, storePanel } from '../../data/panels.js';
import { computePanel } from '../../engine/panel.js';
import { DataError } from '../../data/errors.js';
import { executeRun, type Execution, type ExecuteOptions } from '../../pipeline/execute.js';
import { prepareRun, type PreparedRun, type RunRequest } from '../../pipeline/prepare.js';
import { renderReport } from '../../report/html-report.js';
import { formatRunResult } from '../run-output.js';
import { CliError, rejected } from '../errors.js';
import { progressBar } from '../progress.js';
import { compileFile } from './compile.js';
import { installWorkspacePacks } from '../workspace-packs.js';

export interface DataOptions {
    strategy?: string;
    symbols?: string;
    from?: string;
    to?: string;
    params?: string[];
    /** `venue:SYMBOL` to compare with (default: buy-and-hold of the traded assets). */
    benchmark?: string;
    stateDir?: string;
    json?: boolean;
}

const symbolList = (s: string | undefined): string[] | undefined => s?.split(',').map(x => x.trim()).filter(Boolean);

/**
 * The pipeline's first half with the CLI's steps: the file compiled here (errors printed; undefined
 * when it does not compile), `--params` parsed against its params, bars from the local store.
 */
async function prepare(file: string, o: DataOptions, request: Omit<RunRequest, 'params' | 'symbols' | 'from' | 'to' | 'benchmark'>, out: (s: string) => void): Promise<PreparedRun | undefined> {
    await installWorkspacePacks();
    const ir = await compileFile(file, o.strategy, out);
    if (!ir) return undefined;
    try {
        return await prepareRun(
            { ...request, params: parseParamArgs(ir, o.params ?? []), symbols: symbolList(o.symbols), from: o.from, to: o.to, ...(o.benchmark !== undefined ? { benchmark: o.benchmark.trim() } : {}) },
            {
                compile: async () => ir, load: r => withStore({ stateDir: o.stateDir }, store => loadFromStore(store, r)),
                addSources: (x, data) => withStore({ stateDir: o.stateDir }, store => withOnchainFor(store, x, data)),
            },
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
    if (e instanceof BacktestError || e instanceof DataError) return rejected(e.message);
    return e;
}

const printJson = (r: RunResult, out: (s: string) => void): void => out(JSON.stringify(r, jsonNumbers, 2) + '\n');

/** Writes the self-contained HTML report of a run result. */
export function writeReport(path: string, result: RunResult, info: { uri?: string; runId?: string } = {}): void {
    writeFileSync(path, renderReport(reportMessage(result, info)));
}

export async function backtestCommand(file: string, o: DataOptions & { report?: string }, out: (s: string) => void): Promise<number> {
    const p = await prepare(file, o, { kind: 'backtest' }, out);
    if (!p) return 1;
    const { result } = await execute(p, {});
    out(o.json ? JSON.stringify(result, jsonNumbers, 2) + '\n' : formatRunResult(result));
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

export async function sweepCommand(file: string, o: SearchCliOptions, out: (s: string) => void): Promise<number> {
    const sweep = searchOf(o);
    const p = await prepare(file, o, { kind: 'sweep', sweep }, out);
    if (!p) return 1;
    const { result, workers, elapsedMs } = await execute(p, { ...(o.workers ? { workers: o.workers } : {}), ...(o.json ? {} : { progress: progressBar('sweep') }) });
    if (o.json) {
        printJson(result, out);
        return 0;
    }
    out(formatRunResult(result, { top: o.top, workers, elapsedMs }));
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
    out(formatRunResult(result));
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
    await installWorkspacePacks();
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
            const data = await withOnchainFor(store, ir, await loadFromStore(store, { assets, timeframe: ir.timeframe.text, from: o.from, to: o.to }));
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
