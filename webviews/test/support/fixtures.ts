/**
 * Real inputs for the panel tests: examples/sma-cross.af compiled by the language library,
 * backtested by the compiled engine over seeded synthetic bars (runtime/src/data/synth.ts),
 * measured by runtime/src/engine/metrics.ts — the panel's expected numbers — and run through the
 * run pipeline (runtime/src/pipeline) for the run result the panel is fed; its canonical DAG with a
 * source map built from the AST (declarations, rule conditions, settings → the DAG nodes they became).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EmptyFileSystem, type AstNode } from 'langium';
import {
    canonicalize, compileStrategy, createAlphaForgeServices, isConstraintDecl, isExecutionBlock, isFeatureDecl, isParamDecl, isRiskBlock,
    isRulesBlock, isSignalDecl, isStrategy, loadString, type Model, type NodeId, type Strategy, type StrategyIr,
} from '../../../language/src/index.js';
import { CompiledBacktester } from '../../../runtime/src/engine/compiled/index.js';
import { computeMetrics, type Metrics } from '../../../runtime/src/engine/metrics.js';
import { capitalOf } from '../../../runtime/src/engine/trial.js';
import { synthBarData } from '../../../runtime/src/data/synth.js';
import type { BacktestResult, BarData } from '../../../runtime/src/engine/types.js';
import { bindParams } from '../../../runtime/src/engine/params.js';
import { executeRun } from '../../../runtime/src/pipeline/execute.js';
import type { RunResult } from '../../../protocol/src/run-result.js';
import type { DagMessage, ReportRun, SourceRange } from '../../../protocol/src/webview.js';
import { reportMessage } from '../../../protocol/src/wire.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXAMPLE = join(ROOT, 'examples', 'sma-cross.af');

const services = createAlphaForgeServices(EmptyFileSystem).AlphaForge;

export interface Compiled {
    readonly uri: string;
    readonly text: string;
    readonly strategy: Strategy;
    readonly ir: StrategyIr;
}

export async function compileExample(text = readFileSync(EXAMPLE, 'utf8'), uri = pathToFileURL(EXAMPLE).href): Promise<Compiled> {
    const { document } = await loadString(services, text, uri);
    const strategy = (document.parseResult.value as Model).elements.find(isStrategy);
    if (!strategy) throw new Error('no strategy');
    const r = compileStrategy(services, strategy);
    if (!r.ir) throw new Error(r.errors.map(e => `${e.line}:${e.column} ${e.code} ${e.message}`).join('\n'));
    return { uri, text, strategy, ir: r.ir };
}

export interface RealRun {
    readonly compiled: Compiled;
    readonly data: BarData;
    /** The engine's own answer and its metrics: what the panel must show. */
    readonly result: BacktestResult;
    readonly metrics: Metrics;
    /** The run pipeline's result of the same backtest, and the panel's message built from it. */
    readonly runResult: RunResult;
    readonly message: ReportRun;
}

export async function realRun(): Promise<RealRun> {
    const compiled = await compileExample();
    const { ir } = compiled;
    const data = synthBarData({ symbols: ['SPX'], venue: 'sp', timeframeMs: ir.timeframe.ms, bars: 1500, seed: 11, annualVol: 0.25 });
    const result = new CompiledBacktester().run(ir, data);
    const capital = capitalOf(ir);
    const metrics = computeMetrics({ ts: data.ts, equity: result.equity, capital, exposure: result.exposure, trades: result.trades, fills: result.fills });
    const { result: runResult } = await executeRun({ request: { kind: 'backtest' }, ir, data, symbols: ['sp:SPX'], params: bindParams(ir) });
    const range = rangeOf(compiled.strategy);
    const message = reportMessage(runResult, { runId: 'run-0001', uri: compiled.uri, ...(range ? { range } : {}) });
    return { compiled, data, result, metrics, runResult, message };
}

/** The report message of a real sweep (a random sample of 4, trials in this thread): a result without series or trades. */
export async function realSweep(): Promise<ReportRun> {
    const { ir, uri } = await compileExample();
    const data = synthBarData({ symbols: ['SPX'], venue: 'sp', timeframeMs: ir.timeframe.ms, bars: 600, seed: 11, annualVol: 0.25 });
    const { result } = await executeRun({ request: { kind: 'sweep', sweep: { mode: 'random', samples: 4, seed: 2 } }, ir, data, symbols: ['sp:SPX'], params: {} }, { workers: 0 });
    return reportMessage(result, { runId: 'run-0002', uri });
}

/** The report message of a real grid sweep (every fast × slow of examples/sma-cross.af, trials in this thread): the heatmap's input. */
export async function realGridSweep(): Promise<ReportRun> {
    const { ir, uri } = await compileExample();
    const data = synthBarData({ symbols: ['SPX'], venue: 'sp', timeframeMs: ir.timeframe.ms, bars: 700, seed: 11, annualVol: 0.25 });
    const { result } = await executeRun({ request: { kind: 'sweep', sweep: { mode: 'grid' } }, ir, data, symbols: ['sp:SPX'], params: {} }, { workers: 0 });
    return reportMessage(result, { runId: 'run-0003', uri });
}

/** The report message of a real walk-forward (grid search per window, in this thread). */
export async function realWalkForward(): Promise<ReportRun> {
    const { ir, uri } = await compileExample();
    const data = synthBarData({ symbols: ['SPX'], venue: 'sp', timeframeMs: ir.timeframe.ms, bars: 1500, seed: 11, annualVol: 0.25 });
    const { result } = await executeRun({ request: { kind: 'walkforward', walkforward: { inSample: 500, outOfSample: 200 } }, ir, data, symbols: ['sp:SPX'], params: {} }, { workers: 0 });
    return reportMessage(result, { runId: 'run-0004', uri });
}

function rangeOf(node: AstNode | undefined): SourceRange | undefined {
    const r = node?.$cstNode?.range;
    return r ? { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } } : undefined;
}

/**
 * The DAG panel's message for a compiled strategy: the exact canonical DAG, the feature/signal
 * names per node (as `af compile --dot` labels them) and the source ranges that produced each
 * node (declarations of params, features and signals, rule conditions, settings, constraints).
 */
export function dagMessage(c: Compiled): DagMessage {
    const { dag, nodeOf } = canonicalize(c.ir, 'exact');
    const sourceMap: Record<string, SourceRange[]> = {};
    const names: Record<string, string[]> = {};
    const add = (irNode: NodeId | undefined | null, at: AstNode | undefined, name?: string): void => {
        if (irNode === undefined || irNode === null) return;
        const n = nodeOf(irNode);
        const r = rangeOf(at);
        if (n === undefined || !r) return;
        (sourceMap[String(n)] ??= []).push(r);
        if (name) (names[String(n)] ??= []).push(name);
    };
    const members = c.strategy.members ?? [];
    for (const m of members) {
        if (isParamDecl(m)) add(c.ir.params.find(p => p.name === m.name)?.node, m, m.name);
        else if (isFeatureDecl(m)) add(c.ir.features[m.name], m, m.name);
        else if (isSignalDecl(m)) add(c.ir.signals[m.name], m, m.name);
    }
    members.filter(isConstraintDecl).forEach((m, i) => add(c.ir.constraints[i], m));
    members.filter(isRulesBlock).flatMap(b => b.rules ?? []).forEach((r, i) => add(c.ir.rules[i]?.condition, r.condition));
    for (const b of members) {
        if (isRiskBlock(b)) for (const s of b.settings ?? []) add(c.ir.risk[s.key]?.value, s);
        else if (isExecutionBlock(b)) for (const s of b.settings ?? []) add(c.ir.execution[s.key]?.value, s);
    }
    for (const rs of Object.values(sourceMap)) rs.sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
    return { type: 'dag', dag, sourceMap, names, uri: c.uri, strategy: c.ir.strategy };
}

/** The line (0-based) of the first occurrence of `needle` in the text. */
export function lineOf(text: string, needle: string): number {
    const i = text.indexOf(needle);
    if (i < 0) throw new Error(`'${needle}' not in the text`);
    return text.slice(0, i).split('\n').length - 1;
}
