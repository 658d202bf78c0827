/**
 * The first half of the run pipeline: spec → compile → data. What is run (a backtest, sweep or
 * walk-forward, with which params, on which instruments and bars) is checked here once for the
 * CLI and the daemon alike; how a strategy is compiled and where bars come from are the caller's
 * steps (the CLI compiles the file itself and reads its own store; the daemon compiles in its
 * language workers and loads only what the run's team may read). The second half, engine → result,
 * is execute.ts; the daemon runs it in a worker thread, the CLI right after this.
 *
 * Problems with the request are `BacktestError`s (a user's mistake, one line that says what to do).
 */
import { isEventDriven } from '../engine/hft/engine.js';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import type { RunKind, SORT_METRICS } from '../../../protocol/src/run-result.js';
import type { LoadedBars, LoadRequest } from '../data/load.js';
import { bindParams } from '../engine/params.js';
import { SORT_METRICS as ENGINE_SORT_METRICS, type SortMetric } from '../engine/sweep.js';
import { BacktestError } from '../engine/types.js';
import { loadBenchmark, type NamedBenchmark } from './benchmark.js';

export type ParamValues = Readonly<Record<string, number | boolean>>;

/** What to run, as the CLI's flags and the daemon's `runs.submit` spec both say it. */
export interface RunRequest {
    readonly kind: RunKind;
    /** Backtest: parameter values (defaults for the rest). Sweep / walk-forward: params held fixed. */
    readonly params?: ParamValues;
    /** `venue:SYMBOL` per asset of the universe, in order (default: the strategy's universe). */
    readonly symbols?: readonly string[];
    /** First / last bar: YYYY-MM-DD, ISO time or epoch ms as text. */
    readonly from?: string;
    readonly to?: string;
    /** `venue:SYMBOL` of a stored series to compare with (default: buy-and-hold of the traded assets). */
    readonly benchmark?: string;
    readonly sweep?: {
        readonly mode: 'grid' | 'random';
        /** Random mode: number of combinations (default 100). */
        readonly samples?: number;
        /** Random mode seed (default 1); recorded as the run's seed. */
        readonly seed?: number;
        readonly sortBy?: (typeof SORT_METRICS)[number];
    };
    /** Window lengths in bars (default: a quarter and an eighth of the data). */
    readonly walkforward?: { readonly inSample?: number; readonly outOfSample?: number; readonly anchored?: boolean };
}

/** A run ready for the engine: compiled, its params checked, its bars loaded. */
export interface PreparedRun {
    readonly request: RunRequest;
    readonly ir: StrategyIr;
    readonly data: LoadedBars;
    /** Backtest: every param's value; sweep / walk-forward: the fixed ones. */
    readonly params: Record<string, number | boolean>;
    /** The request's named benchmark, on the run's bars (absent: buy-and-hold of the traded assets). */
    readonly benchmark?: NamedBenchmark;
}

export interface PrepareSteps {
    /** Compiles the strategy (throws a one-line error when it cannot). */
    compile(): Promise<StrategyIr>;
    /** Loads the bars of the request (the daemon adds the team, the CLI its state directory). */
    load(req: Pick<LoadRequest, 'assets' | 'timeframe' | 'from' | 'to'>): Promise<LoadedBars>;
    /**
     * Adds the columns of the data sources besides bars that the strategy reads (the onchain pack's:
     * data/onchain/align.ts withOnchainFor) to the strategy's bars — never to a benchmark's.
     */
    addSources?(ir: StrategyIr, data: LoadedBars): Promise<LoadedBars>;
    /** Progress lines (the daemon's run log). */
    log?(message: string): void;
    /** Stops between the steps (the daemon's cancel). */
    readonly signal?: AbortSignal;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export async function prepareRun(request: RunRequest, steps: PrepareSteps): Promise<PreparedRun> {
    const ir = await steps.compile();
    steps.signal?.throwIfAborted();
    if (isEventDriven(ir)) throw new BacktestError(`${ir.strategy} runs event by event over tick data (execution { mode: event_driven }), not over bars: run it with af hft backtest`);
    steps.log?.(`compiled ${ir.strategy} (${plural(ir.universe.length, 'asset')}, ${ir.timeframe.text}, ${plural(ir.params.length, 'param')})`);
    const params = checkParams(ir, request);
    const bars = await steps.load({ assets: assetsOf(ir, request.symbols), timeframe: ir.timeframe.text, from: request.from, to: request.to });
    steps.signal?.throwIfAborted();
    const data = steps.addSources && bars.ts.length > 0 ? await steps.addSources(ir, bars) : bars;
    steps.signal?.throwIfAborted();
    const T = data.ts.length;
    if (T === 0) throw new BacktestError(`no bars of ${data.ids.join(', ')} ${ir.timeframe.text} between ${request.from ?? 'the start'} and ${request.to ?? 'the end'}`);
    steps.log?.(`loaded ${T} bars of ${data.ids.join(', ')} ${ir.timeframe.text}, ${day(data.ts[0]!)} → ${day(data.ts[T - 1]!)} (snapshot ${data.snapshotHash.slice(0, 16)})`);
    if (request.benchmark === undefined) return { request, ir, data, params };
    const benchmark = await loadBenchmark(request.benchmark, data.ts, ir.timeframe.text, steps.load);
    steps.signal?.throwIfAborted();
    steps.log?.(`benchmark: buy and hold ${benchmark.id}`);
    return { request, ir, data, params, benchmark };
}

/** A backtest's values bound (defaults, ranges, constraints); a search's fixed params checked by name and type (the rest vary). */
export function checkParams(ir: StrategyIr, request: RunRequest): Record<string, number | boolean> {
    const given = request.params ?? {};
    if (request.kind === 'backtest') return bindParams(ir, given);
    for (const [k, v] of Object.entries(given)) {
        const p = ir.params.find(x => x.name === k);
        if (!p) throw new BacktestError(`unknown param '${k}' for strategy ${ir.strategy}; its params are: ${ir.params.map(x => x.name).join(', ') || '(none)'}`);
        if ((p.type === 'bool') !== (typeof v === 'boolean')) throw new BacktestError(`param '${k}' is ${p.type}; got ${String(v)}`);
    }
    const sortBy = request.sweep?.sortBy;
    if (sortBy !== undefined && !ENGINE_SORT_METRICS.includes(sortBy as SortMetric)) throw new BacktestError(`sortBy takes one of ${ENGINE_SORT_METRICS.join(', ')}; got '${sortBy}'`);
    return { ...given };
}

/** The strategy's universe, or the request's symbols (same number of assets, in order). */
export function assetsOf(ir: StrategyIr, symbols: readonly string[] | undefined): { venue: string; symbol: string }[] {
    if (!symbols || symbols.length === 0) return ir.universe.map(u => ({ venue: u.venue, symbol: u.symbol }));
    if (symbols.length !== ir.universe.length) {
        throw new BacktestError(`symbols lists ${symbols.length} instrument(s) but ${ir.strategy} trades ${ir.universe.length} (${ir.universe.map(u => u.id).join(', ')})`);
    }
    return symbols.map(s => {
        const i = s.indexOf(':');
        if (i <= 0) throw new BacktestError(`symbols: '${s}' is not venue:SYMBOL (e.g. sp:SPX)`);
        return { venue: s.slice(0, i), symbol: s.slice(i + 1) };
    });
}
