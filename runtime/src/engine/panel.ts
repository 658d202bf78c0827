/**
 * Feature and factor panels: every named feature (and signal) of a strategy evaluated at every
 * bar for every asset, as a dense time × symbol × feature cube. The values come from the compiled
 * engine's own program (program.ts): the same generated step function a backtest runs, asked for
 * the feature and signal nodes instead of the rules' sinks, so a panel shows exactly what the
 * strategy trades on, never a second evaluator's idea of it.
 *
 * Layout: `values[(f * N + a) * T + t]` — feature f (in `features` order), asset a (in `symbols`
 * order), bar t (in `ts` order). Each (feature, asset) series is contiguous, so
 * `panelSeries(panel, f, a)` is a zero-copy subarray. NaN is "undefined" (warm-up, no bar, a
 * comparison with an undefined input); signals are 1 / 0 / NaN.
 */
import type { NodeId, StrategyIr } from '../../../protocol/src/ir.js';
import { fingerprints } from '../../../language/src/ir/fingerprint.js';
import { ENGINE_VERSION, withParamValues } from './compiled/index.js';
import { barColumns, closure, compileProgram, FIELDS, type Columns } from './compiled/program.js';
import { bindParams } from './params.js';
import type { Panel, PanelColumnKind } from '../data/panels.js';
import { BacktestError, type BarData, type ParamValues } from './types.js';

export type { Panel, PanelColumnKind, PanelProvenance } from '../data/panels.js';

export interface PanelOptions {
    /** Names of features / signals to include (default: all features, then all signals). */
    readonly columns?: readonly string[];
    /**
     * Instrument ids of the assets, in data order. Default: `data.ids` when the data carries them
     * (LoadedBars), else the strategy's universe.
     */
    readonly symbols?: readonly string[];
}

/** Index of feature f, asset a, bar t in `panel.values`. */
export function panelIndex(panel: Pick<Panel, 'symbols' | 'ts'>, f: number, a: number, t: number): number {
    return (f * panel.symbols.length + a) * panel.ts.length + t;
}

/** The series of one feature for one asset (a view into `panel.values`, not a copy). */
export function panelSeries(panel: Panel, feature: string | number, asset: string | number): Float64Array {
    const f = typeof feature === 'number' ? feature : panel.features.indexOf(feature);
    const a = typeof asset === 'number' ? asset : panel.symbols.indexOf(asset);
    if (f < 0 || f >= panel.features.length) throw new RangeError(`panel has no feature ${String(feature)}; it has ${panel.features.join(', ')}`);
    if (a < 0 || a >= panel.symbols.length) throw new RangeError(`panel has no symbol ${String(asset)}; it has ${panel.symbols.join(', ')}`);
    const T = panel.ts.length;
    const start = panelIndex(panel, f, a, 0);
    return panel.values.subarray(start, start + T);
}

/** The columns a panel of `ir` can have, features first: name, kind, node. */
export function panelColumns(ir: StrategyIr): { name: string; kind: PanelColumnKind; node: NodeId }[] {
    return [
        ...Object.entries(ir.features).map(([name, node]) => ({ name, kind: 'feature' as const, node })),
        ...Object.entries(ir.signals).map(([name, node]) => ({ name, kind: 'signal' as const, node })),
    ];
}

/**
 * Evaluates the strategy's features and signals over `data` with the compiled engine.
 * The data may be the strategy's universe (then `a.close`-style alias fields work) or any other
 * list of assets on the strategy's timeframe (factor research over a wider universe; aliases are
 * then refused because they name assets of the strategy's own universe).
 * Throws BacktestError for bad params, data that does not fit, or unknown column names.
 */
export function computePanel(ir: StrategyIr, data: BarData, params: ParamValues = {}, options: PanelOptions = {}): Panel {
    const bound = bindParams(ir, params);
    const N = data.assets.length;
    const T = data.ts.length;
    const symbols = symbolsOf(ir, data, options.symbols);
    checkData(ir, data, symbols);

    const all = panelColumns(ir);
    let columns = all;
    if (options.columns) {
        columns = options.columns.map(name => {
            const c = all.find(x => x.name === name);
            if (!c) throw new BacktestError(`strategy ${ir.strategy} has no feature or signal '${name}'; it has ${all.map(x => x.name).join(', ') || '(none)'}`);
            return c;
        });
    }
    const dup = columns.find((c, i) => columns.findIndex(x => x.name === c.name) !== i);
    if (dup) throw new BacktestError(`column '${dup.name}' is asked for twice`);
    if (columns.length === 0) throw new BacktestError(`strategy ${ir.strategy} declares no features or signals, so there is nothing to put in a panel; name the series with 'feature x = …' or 'signal s = …'`);

    // Aliases name assets of the strategy's own universe; over other data they would read the wrong asset.
    const sameUniverse = N === ir.universe.length;
    const aliases = new Map<string, number>();
    if (sameUniverse) {
        ir.universe.forEach((u, i) => { if (u.alias) aliases.set(u.alias, i); });
    } else {
        for (const id of [...closure(ir, columns.map(c => c.node), false)].sort((x, y) => x - y)) {
            const n = ir.nodes[id]!;
            if (n.op === 'field' && n.attrs['asset'] !== null) {
                throw new BacktestError(`a column of the panel reads ${String(n.attrs['asset'])}.${String(n.attrs['name'])}, an asset of ${ir.strategy}'s own universe; compute it over that universe (${ir.universe.length} asset(s)), not ${N}`);
            }
        }
    }
    const program = compileProgram({ ir, params: bound, N, aliases, clockMs: ir.timeframe.ms }, columns.map(c => c.node));

    const cols: Columns = [];
    cols.push(...barColumns(data.assets.slice(0, N)));
    program.bind(cols, data.ts);

    const F = columns.length;
    const out = new Float64Array(F * N * T);
    const V = program.V;
    const bases = columns.map(c => c.node * N);
    for (let t = 0; t < T; t++) {
        program.step(t, 0, N);
        for (let f = 0; f < F; f++) {
            const base = bases[f]!;
            const row = f * N * T + t;
            for (let a = 0; a < N; a++) out[row + a * T] = V[base + a]!;
        }
    }
    const fp = fingerprints(withParamValues(ir, bound));
    return {
        ts: data.ts,
        symbols,
        features: columns.map(c => c.name),
        kinds: columns.map(c => c.kind),
        values: out,
        timeframeMs: data.timeframeMs,
        provenance: {
            strategy: ir.strategy, exactFingerprint: fp.exact, structuralFingerprint: fp.structural,
            params: bound, dataSnapshot: data.snapshotHash, engineVersion: ENGINE_VERSION,
        },
    };
}

function symbolsOf(ir: StrategyIr, data: BarData, given: readonly string[] | undefined): string[] {
    const N = data.assets.length;
    const ids = given ?? (data as { ids?: readonly string[] }).ids ?? (N === ir.universe.length ? ir.universe.map(u => u.id) : undefined);
    if (!ids) throw new BacktestError(`the data has ${N} asset(s) but strategy ${ir.strategy} trades ${ir.universe.length}; name the data's assets (symbols) to compute a panel over another universe`);
    if (ids.length !== N) throw new BacktestError(`${ids.length} symbol(s) given for ${N} asset(s) of data`);
    if (new Set(ids).size !== ids.length) throw new BacktestError(`the panel's symbols are not unique: ${ids.join(', ')}`);
    return [...ids];
}

function checkData(ir: StrategyIr, data: BarData, symbols: readonly string[]): void {
    if (ir.timeframe.ms > 0 && data.timeframeMs !== ir.timeframe.ms) {
        throw new BacktestError(`strategy ${ir.strategy} runs on ${ir.timeframe.text} bars but the data's bars are ${data.timeframeMs / 60_000} min; load ${ir.timeframe.text} bars`);
    }
    const T = data.ts.length;
    data.assets.forEach((b, i) => {
        for (const f of FIELDS) {
            if (b[f].length !== T) throw new BacktestError(`data for ${symbols[i]}: column ${f} has ${b[f].length} values, expected ${T}`);
        }
    });
    for (let t = 1; t < T; t++) {
        if (!(data.ts[t]! > data.ts[t - 1]!)) throw new BacktestError(`data timestamps are not strictly increasing at bar ${t}`);
    }
}
