/**
 * A run result (protocol/src/run-result.ts) as the terminal shows it: one formatter for a
 * backtest, a sweep and a walk-forward, whether the run ran here or in the daemon (`--remote`
 * reads the result back with runs.result and prints it through here), so the two never differ.
 * Every number goes through formatMetric (protocol/src/metrics.ts).
 */
import { formatMetric, metricDefinition, metricRows, metricsFromWire } from '../../../protocol/src/metrics.js';
import { fromWire } from '../../../protocol/src/numbers.js';
import { describeOverfitting, type RunResult, type WalkForwardWindow } from '../../../protocol/src/run-result.js';
import { style } from './style.js';
import { printGrid, printTable } from './table.js';

export interface RunOutputOptions {
    /** Rows of a sweep's table (default 20). */
    readonly top?: number;
    /** Where the run ran: worker threads and seconds (local runs). */
    readonly workers?: number;
    readonly elapsedMs?: number;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** A param value without floating-point noise (a grid step of 0.1 gives 0.30000000000000004). */
export const paramValue = (v: number | boolean | undefined): string => typeof v === 'number' ? String(Number(v.toPrecision(12))) : v === undefined ? '' : String(v);
const paramText = (p: Readonly<Record<string, number | boolean>>): string => Object.entries(p).map(([k, v]) => `${k}=${paramValue(v)}`).join(' ') || '(none)';
/** The summary columns of a sweep's trials and of a walk-forward's windows. */
const SUMMARY = ['sharpe', 'cagr', 'maxDrawdown', 'tradeCount'] as const;
const label = (k: string): string => metricDefinition(k)?.label ?? k;

/** The result as text, ending in a newline. */
export function formatRunResult(r: RunResult, o: RunOutputOptions = {}): string {
    const text = r.kind === 'backtest' ? backtestText(r) : r.kind === 'sweep' ? sweepText(r, o) : walkforwardText(r);
    return text + ledgerText(r);
}

/** The run in the team's research ledger (daemon runs): "trial 57 of this structure (212 in its family); deflated Sharpe 0.12 …". */
function ledgerText(r: RunResult): string {
    return r.ledger ? `research ledger: ${r.ledger.summary}\n` : '';
}

function metricsTable(r: RunResult): string {
    return printTable(metricRows(metricsFromWire(r.metrics)).map(([k, v]) => [style.dim(k), v] as const));
}

function backtestText(r: RunResult): string {
    const { range } = r;
    let s = `${style.bold(r.strategy)} on ${r.symbols.join(', ')} ${r.timeframe}, ${day(range.from)} → ${day(range.to)} (${formatMetric('bars', range.bars)} bars, warm-up ${r.warmupBars})\n`;
    s += `params: ${paramText(r.params)}\n\n`;
    if (range.bars <= r.warmupBars) s += `${style.yellow('warning')}: ${range.bars} bars are not more than the warm-up of ${r.warmupBars}: the strategy cannot trade; start earlier (--from) or shorten the look-backs\n\n`;
    s += metricsTable(r);
    s += benchmarkText(r);
    for (const e of r.events) s += `  event at ${day(e.ts)}: ${e.kind} — ${e.message}\n`;
    return s + `\n${provenanceLine(r)}\n`;
}

/** The tearsheet's figures against the benchmark, in one line (none without a benchmark). */
function benchmarkText(r: RunResult): string {
    const b = r.tearsheet?.benchmark;
    if (!b) return '';
    const n = (x: Parameters<typeof fromWire>[0], d = 2): string => { const v = fromWire(x); return Number.isFinite(v) ? v.toFixed(d) : 'n/a'; };
    const p = (x: Parameters<typeof fromWire>[0]): string => { const v = fromWire(x); return Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : 'n/a'; };
    return `\nvs ${b.name}: return ${p(b.totalReturn)} · alpha ${p(b.alpha)} · beta ${n(b.beta)} · correlation ${n(b.correlation)} · tracking error ${p(b.trackingError)} · information ratio ${n(b.informationRatio)}`
        + ` · up capture ${n(b.upCapture)} · down capture ${n(b.downCapture)}\n`;
}

function provenanceLine(r: RunResult): string {
    return style.dim(`fingerprint ${r.provenance.exactFingerprint.slice(0, 16)} · data ${r.provenance.dataSnapshot.slice(0, 16)} · engine ${r.provenance.engineVersion}`);
}

function sweepText(r: RunResult, o: RunOutputOptions): string {
    const sw = r.sweep!;
    const names = [...new Set(sw.trials.flatMap(t => Object.keys(t.params)))];
    const where = o.workers !== undefined ? ` with ${o.workers} worker(s)` : '';
    const when = o.elapsedMs !== undefined ? ` in ${(o.elapsedMs / 1000).toFixed(1)} s` : '';
    let s = `${style.bold(r.strategy)}: ${formatMetric('trials', sw.trialCount)} combinations on ${formatMetric('bars', r.range.bars)} bars${where}${when}, sorted by ${r.search!.sortBy}\n\n`;
    const top = sw.trials.slice(0, o.top ?? 20);
    s += printGrid(
        [...names, ...SUMMARY.map(label)],
        top.map(t => [...names.map(n => paramValue(t.params[n])), ...SUMMARY.map(k => formatMetric(k, t.metrics[k]))]),
        [...names.map(() => 'right' as const), ...SUMMARY.map(() => 'right' as const)],
    );
    if (sw.trialCount > top.length) s += style.dim(`  … ${formatMetric('trials', sw.trialCount - top.length)} more (--top)\n`);
    const dsr = fromWire(sw.deflatedSharpe.dsr);
    s += `\ndeflated Sharpe ratio of the best of ${formatMetric('trials', sw.trialCount)}: ${Number.isFinite(dsr) ? dsr.toFixed(3) : 'n/a'} (probability that its Sharpe beats the best of ${formatMetric('trials', sw.trialCount)} unskilled trials; expected max per-bar Sharpe ${fromWire(sw.deflatedSharpe.expectedMaxSharpe).toFixed(4)})\n`;
    if (sw.overfitting) s += `${describeOverfitting(sw.overfitting, sw.trialCount)}\n`;
    for (const w of sw.warnings ?? []) s += `${style.yellow('warning')}: ${w}\n`;
    return s + failedTrialsText(sw.failedTrials ?? []);
}

/** Combinations that could not run (not ranked), each with its reason; the first ten. */
function failedTrialsText(failed: NonNullable<NonNullable<RunResult['sweep']>['failedTrials']>): string {
    if (failed.length === 0) return '';
    let s = `\n${style.yellow(`${failed.length} trial${failed.length === 1 ? '' : 's'} failed`)} and ${failed.length === 1 ? 'is' : 'are'} not ranked:\n`;
    for (const f of failed.slice(0, 10)) {
        s += `  ${paramText(f.params)}${f.inSample ? ` (in-sample ${day(f.inSample.from)} → ${day(f.inSample.to)})` : ''}: ${f.reason}\n`;
    }
    if (failed.length > 10) s += `  … and ${failed.length - 10} more (--json lists them all)\n`;
    return s;
}

/** One row per window: its out-of-sample dates, its params (every window's own), in- and out-of-sample figures. */
function windowRow(w: WalkForwardWindow): string[] {
    const is = w.inSampleMetrics, oos = w.outOfSampleMetrics;
    return [`${day(w.outOfSample.from)} → ${day(w.outOfSample.to)}`, paramText(w.params), formatMetric('sharpe', is.sharpe),
        formatMetric('sharpe', oos.sharpe), formatMetric('cagr', oos.cagr), formatMetric('maxDrawdown', oos.maxDrawdown), formatMetric('tradeCount', oos.tradeCount)];
}

function walkforwardText(r: RunResult): string {
    const wf = r.walkforward!;
    let s = `${style.bold(r.strategy)}: ${wf.scheme} walk-forward, ${wf.windows.length} windows of ${formatMetric('bars', wf.inSampleBars)} in-sample + ${formatMetric('bars', wf.outOfSampleBars)} out-of-sample bars, optimising ${r.search!.sortBy}\n\n`;
    s += printGrid(
        ['out of sample', 'params (in-sample best)', 'IS Sharpe', 'OOS Sharpe', 'OOS CAGR', 'OOS max DD', 'OOS trades'],
        wf.windows.map(windowRow),
        ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
    );
    const oos = [wf.windows[0]?.outOfSample.from, wf.windows[wf.windows.length - 1]?.outOfSample.to];
    s += `\nstitched out-of-sample${oos[0] !== undefined && oos[1] !== undefined ? ` (${day(oos[0])} → ${day(oos[1])})` : ''}:\n${metricsTable(r)}`;
    s += `walk-forward efficiency (out-of-sample / in-sample Sharpe): ${formatMetric('efficiency', wf.efficiency)}\n`;
    s += `params to trade now (the latest window's): ${paramText(r.params)}\n`;
    s += failedTrialsText(wf.failedTrials ?? []);
    return s + `\n${provenanceLine(r)}\n`;
}
