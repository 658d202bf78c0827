/**
 * A sweep's trials run together: a group of combinations that differ only in the values of the
 * indicators they share (shared-series.ts: every `sma(close, fast)` of a grid is a given series)
 * goes through one bar loop compiled once per sweep (per worker), instead of a graph, a loop text,
 * a broker set-up and a cache look-up per trial. The kernel is the graph compiled as for one asset
 * (compileGraph, its state in local variables) with the account steps generated here; each trial
 * puts its own given series and book (a Broker and Hooks, which do the rare work — fills, sizing,
 * liquidation — with the same code a lone run calls) into the kernel's env slots, resets its state
 * arrays, and runs every bar against the shared columns. So the numbers are the lone runs' bit for
 * bit (shared-sweep.test.ts compares metrics, trades, fills, equity and exposure).
 *
 * Trials advance one after the other through the group's kernel rather than K at a time per bar:
 * stepping K books per bar (the trials as the graph's assets, their state in typed arrays indexed
 * by trial) measured about 2x the time per trial-bar of this loop, whose state lives in registers,
 * and the bars of one trial (a few columns) stay in cache either way.
 *
 * Only what this generator mirrors of loop.ts is taken: one asset, no portfolio, rules with target,
 * flat and market actions, no protective levels, no drawdown limit, no resampled, cross-sectional or
 * object-backed (pack) indicators past the shared series, and trials measured from bar 0 over all
 * the bars. Trials group by the values of every scalar the kernel's graph reads (a param that
 * reaches it other than through a given series splits the groups). Anything else — another
 * strategy, a trial whose setup fails, a group of one, an error inside the pass — runs one by one,
 * as before, so a failed trial fails with its own message.
 */
import type { NodeId, StrategyIr } from '../../../protocol/src/ir.js';
import { evalScalar } from './ir-scalar.js';
import { checkEngineLimits, type EngineLimits } from './limits.js';
import { sinkNodes, warmupBars } from './lookback.js';
import { bindParams } from './params.js';
import { blockMoments } from './overfitting.js';
import { measure, type TrialContext, type TrialOutcome, type TrialSummary } from './trial.js';
import type { ParamSet } from './param-space.js';
import type { BacktestResult, BarData, Fill, Trade } from './types.js';
import { Broker } from './compiled/broker.js';
import { checkData, conditionOnly, Hooks, resolveActions, type ResolvedAction } from './compiled/index.js';
import { runBars } from './compiled/loop.js';
import { barColumns, barSource, closure, compileGraph, type Graph } from './compiled/program.js';
import { CodeScope } from './compiled/scope.js';
import { isCrossSectionalFunction } from './packs/hook.js';

/** One trial to run (worker-pool.ts TrialJob). */
export interface GroupJob {
    readonly params: ParamSet;
    readonly from?: number;
    readonly to?: number;
    readonly blocks?: number;
}

export type JobOutcome = TrialOutcome | { error: string };

/** Trials of one batch, how they ran (tests and the bench read it). */
export interface GroupStats {
    batched: number;
    alone: number;
}

/** Sees each trial run in a group (by job index) as a lone run would leave it: tests compare them. */
export type GroupObserver = (index: number, run: { equity: Float64Array; exposure: Float64Array; fills: readonly Fill[]; trades: readonly Trade[] }) => void;

/** Most trials per group (a worker's batch of jobs is smaller): a bound on the work redone one by one if a group fails. */
const MAX_GROUP = 64;

/** Why a strategy cannot run its trials together, or null when it can (its structure only: trials may still run alone). */
export function groupRefusal(ir: StrategyIr, shared: ReadonlySet<NodeId>): string | null {
    if (ir.universe.length !== 1) return 'more than one asset';
    if (ir.portfolio && ir.portfolio.allocations.length > 0) return 'a portfolio';
    if (!['next_open', 'next_close', 'this_close'].includes(ir.fill)) return `fill ${ir.fill}`;
    for (const key of Object.keys(ir.risk)) if (key !== 'leverage' && key !== 'max_position') return `risk ${key}`;
    for (const r of ir.rules) for (const a of r.actions) if (a.kind === 'order' && a.type !== 'market') return `${a.type} orders`;
    for (const id of closure(ir, sinkNodes(ir), false, new Map([...shared].map(n => [n, []])))) {
        const n = ir.nodes[id]!;
        if (shared.has(id) || n.op !== 'call') continue;
        const fn = n.attrs['fn'] as string;
        if (fn === 'resample') return 'a resampled input';
        if (isCrossSectionalFunction(fn)) return `${fn}() across assets`;
    }
    return null;
}

/** What a worker keeps for its sweep's groups: the refusal (decided once), the compiled kernels. */
interface GroupState {
    readonly refusal: string | null;
    readonly stats: GroupStats;
    /** Kernels by signature (null: that group cannot run together). */
    readonly kernels: Map<string, Kernel | null>;
}

const states = new WeakMap<TrialContext, GroupState>();

/** How the trials run so far with this context were run (together or alone). */
export function groupStats(context: TrialContext): GroupStats {
    return stateOf(context, undefined).stats;
}

function stateOf(context: TrialContext, ir: StrategyIr | undefined): GroupState {
    let s = states.get(context);
    if (!s) {
        const shared = new Set(context.shared?.nodes ?? []);
        s = { refusal: ir ? groupRefusal(ir, shared) : 'no strategy', stats: { batched: 0, alone: 0 }, kernels: new Map() };
        states.set(context, s);
    }
    return s;
}

/** A trial ready for a group: its bound params, given series, settings and where it goes in the output. */
interface Member {
    readonly index: number;
    readonly job: GroupJob;
    readonly values: Readonly<Record<string, number | boolean>>;
    readonly given: ReadonlyMap<NodeId, readonly Float64Array[]> | undefined;
    readonly warmup: number;
}

/**
 * Each job's outcome, in job order: groups of trials run together where the strategy allows it,
 * the rest through `alone` (one trial, one by one: worker-pool.ts's path).
 */
export function runJobs(ir: StrategyIr, data: BarData, jobs: readonly GroupJob[], context: TrialContext, limits: EngineLimits | undefined, alone: (job: GroupJob) => JobOutcome, observe?: GroupObserver): JobOutcome[] {
    const out: JobOutcome[] = new Array(jobs.length);
    const state = stateOf(context, ir);
    const T = data.ts.length;
    const single: number[] = [];
    const groups = new Map<string, Member[]>();
    if (state.refusal === null && jobs.length > 1) {
        try {
            checkData(ir, data);
        } catch {
            single.push(...jobs.keys());
        }
    }
    if (state.refusal !== null || jobs.length < 2 || single.length > 0) {
        single.length = 0;
        single.push(...jobs.keys());
    } else {
        jobs.forEach((job, index) => {
            const m = memberOf(ir, data, job, index, context, limits);
            if (!m) { single.push(index); return; }
            const key = signature(ir, m);
            const list = groups.get(key);
            if (list) list.push(m); else groups.set(key, [m]);
        });
    }
    for (const [key, list] of groups) {
        for (let i = 0; i < list.length; i += MAX_GROUP) {
            const members = list.slice(i, i + MAX_GROUP);
            if (members.length < 2) { single.push(...members.map(m => m.index)); continue; }
            let outcomes: TrialSummary[] | undefined;
            try {
                let kernel = state.kernels.get(key);
                if (kernel === undefined) state.kernels.set(key, kernel = kernelFor(ir, data, members[0]!) ?? null);
                outcomes = kernel ? runGroup(ir, data, members, kernel, context, T, observe) : undefined;
            } catch {
                outcomes = undefined; // anything unexpected: each trial alone says what it is
            }
            if (!outcomes) { single.push(...members.map(m => m.index)); continue; }
            members.forEach((m, k) => { out[m.index] = outcomes![k]!; });
            state.stats.batched += members.length;
        }
    }
    for (const i of single) out[i] = alone(jobs[i]!);
    state.stats.alone += single.length;
    return out;
}

/** A job's member record, or undefined when it must run alone (a partial range, params or limits it fails, a shared series missing). */
function memberOf(ir: StrategyIr, data: BarData, job: GroupJob, index: number, context: TrialContext, limits: EngineLimits | undefined): Member | undefined {
    const T = data.ts.length;
    if ((job.from ?? 0) !== 0 || (job.to ?? T) !== T) return undefined;
    try {
        const values = bindParams(ir, job.params);
        checkEngineLimits(ir, values, limits);
        const given = context.shared?.given(values, T);
        for (const node of context.shared?.nodes ?? []) if (!given?.has(node)) return undefined;
        return { index, job, values, given, warmup: warmupBars(ir, values) };
    } catch {
        return undefined;
    }
}

/** Trials with the same signature run the same code on the same scalars: the value of every scalar the graph reads past the given series. */
function signature(ir: StrategyIr, m: Member): string {
    const parts: string[] = [];
    for (const id of closure(ir, sinkNodes(ir), true, m.given)) {
        if (m.given?.has(id)) continue;
        const n = ir.nodes[id]!;
        if (n.op === 'const' || n.op === 'param' || n.op === 'enum' || n.type.startsWith('scalar')) {
            const v = evalScalar(ir, id, m.values);
            parts.push(Object.is(v, -0) ? '-0' : `${typeof v}:${String(v)}`);
        }
    }
    return parts.join('|');
}

/** The run settings of prepareCompiledRun (compiled/index.ts) that a one-asset book without risk levels reads. */
function settingsOf(ir: StrategyIr, params: Readonly<Record<string, number | boolean>>) {
    const num = (id: NodeId | undefined, fallback: number): number => {
        if (id === undefined) return fallback;
        const v = evalScalar(ir, id, params);
        return typeof v === 'number' ? v : fallback;
    };
    const maxPos = ir.risk['max_position'];
    return {
        fees: num(ir.execution['fees']?.value, 0.001),
        slippage: num(ir.execution['slippage']?.value, 0.0005),
        capital: num(ir.execution['capital']?.value, 100_000),
        leverage: num(ir.risk['leverage']?.value, 1),
        maxPos,
        maxPosValue: maxPos ? num(maxPos.value, Infinity) : Infinity,
    };
}

type GroupLoop = (env: unknown[], t0: number, t1: number, T: number) => void;
/** Generated group loops by source text (the same structure in the next sweep reuses V8's optimised code). */
const loops = new Map<string, GroupLoop>();

/** Per-trial names of the kernel's env: what each trial binds before it runs. */
const TRIAL_SLOTS = ['B', 'H', 'account', 'qty', 'pendSet', 'lastClose', 'tgtV', 'tgtQ', 'addQ', 'equity', 'exposure', 'warmup'] as const;

/**
 * A group's compiled pass, made once per sweep and signature: the function, its env, where each
 * trial's own values go in it (its given series, its book, its curves) and the state arrays the
 * code writes, with their initial contents (restored before each trial).
 */
interface Kernel {
    readonly fn: GroupLoop;
    readonly env: unknown[];
    readonly givenAt: ReadonlyMap<NodeId, number>;
    readonly slotAt: Readonly<Record<(typeof TRIAL_SLOTS)[number], number>>;
    readonly state: readonly { readonly values: Float64Array; readonly init: Float64Array }[];
    readonly rules: readonly { condition: number; actions: readonly ResolvedAction[] }[];
}

/** The kernel of a group of trials that read the same scalars (compiled with the first's), or undefined when its graph keeps state the kernel cannot reset. */
function kernelFor(ir: StrategyIr, data: BarData, first: Member): Kernel | undefined {
    const aliases = new Map<string, number>();
    ir.universe.forEach((u, i) => { if (u.alias) aliases.set(u.alias, i); });
    // Stand-ins for the given series: their env slots are found by identity, and each trial puts its own there.
    const stand = new Map<NodeId, Float64Array>();
    for (const node of first.given?.keys() ?? []) stand.set(node, new Float64Array(0));
    const scope = new CodeScope(1, true);
    const graph = compileGraph({ ir, params: first.values, N: 1, aliases, clockMs: ir.timeframe.ms }, [...sinkNodes(ir)], scope, conditionOnly(ir), new Map([...stand].map(([n, a]) => [n, [a]])));
    if (graph.resamplers.length > 0) return undefined;
    const rules = ir.rules.map(r => ({ condition: r.condition, actions: resolveActions(r.actions, aliases) }));
    const graphEnv = scope.env.length;
    const slotAt = {} as Record<(typeof TRIAL_SLOTS)[number], number>;
    for (const name of TRIAL_SLOTS) { slotAt[name] = scope.env.length; scope.bind(name, name === 'warmup' ? 0 : null); }
    scope.bind('C', barColumns(data.assets));
    scope.bind('OPEN', data.assets[0]!.open);
    scope.bind('CLOSE', data.assets[0]!.close);
    const body = accountCode(graph, ir.fill, rules);
    scope.finish();
    const env = scope.env;
    // What the graph binds: numbers, helpers, state arrays (reset per trial), the given stand-ins; an indicator object keeps state no reset reaches.
    const standIns = new Set<unknown>(stand.values());
    const givenAt = new Map<NodeId, number>();
    const state: { values: Float64Array; init: Float64Array }[] = [];
    for (let i = 0; i < env.length; i++) {
        const v = env[i];
        if (i >= graphEnv && i < graphEnv + TRIAL_SLOTS.length + 3) continue;
        if (standIns.has(v)) { givenAt.set([...stand].find(([, a]) => a === v)![0], i); continue; }
        if (typeof v === 'number' || typeof v === 'function') continue;
        if (v instanceof Float64Array) { state.push({ values: v, init: v.slice() }); continue; }
        return undefined;
    }
    if (givenAt.size !== stand.size) return undefined;
    const hoisted = [...scope.hoisted.keys()];
    const src = `"use strict";
return function groupLoop(env, t0, t1, T) {
${scope.bindings().join('\n')}
${hoisted.length ? `const ${scope.columnAssignments('C').join(', ').replaceAll(';', '')};` : ''}
${scope.loadLocals().join('\n')}
let cash_ = account[0], q_0 = qty[0], pend_0 = pendSet[0], lc_0 = lastClose[0];
for (let t = t0; t < t1; t++) {
${body}
}
${scope.storeLocals().join('\n')}
lastClose[0] = lc_0;
};`;
    let fn = loops.get(src);
    if (!fn) {
        // Generated code: the group's bar loop (see the header); its text depends only on the IR's structure.
        fn = new Function(src)() as GroupLoop;
        if (loops.size >= 16) loops.delete(loops.keys().next().value!);
        loops.set(src, fn);
    }
    return { fn, env, givenAt, slotAt, state, rules };
}

/** The members' summaries, in member order: each trial binds its series and book into the group's kernel and runs every bar. */
function runGroup(ir: StrategyIr, data: BarData, members: readonly Member[], kernel: Kernel, context: TrialContext, T: number, observe: GroupObserver | undefined): TrialSummary[] {
    const { fn, env, givenAt, slotAt, state, rules } = kernel;
    const step = (t0: number, t1: number, n: number): void => fn(env, t0, t1, n);
    const resting = rules.flatMap(r => r.actions).map(() => null);
    return members.map(m => {
        const s = settingsOf(ir, m.values);
        const buffers = context.buffersFor(T);
        const broker = new Broker({
            N: 1, capital: s.capital, fees: s.fees, slippage: s.slippage, stopIsFraction: false, takeIsFraction: false, trailIsFraction: false,
            leverage: s.leverage, maxPosition: s.maxPos ? s.maxPosValue : Infinity, maxPositionUnits: s.maxPos?.quantity ?? false,
            fillRows: buffers.fillRows, tradeRows: buffers.tradeRows,
        });
        const hooks = new Hooks({
            N: 1, data, broker, V: new Float64Array(0), maxDd: Infinity, ddAction: 'halt', onProgress: undefined, fill: ir.fill,
            leverage: s.leverage, maxPos: s.maxPos, maxPosValue: s.maxPosValue,
            allocations: [], weighting: [], schedule: 'daily', maxWeight: Infinity, resting,
        });
        const equity = buffers.equity.subarray(0, T), exposure = buffers.exposure.subarray(0, T).fill(0);
        const own: Record<(typeof TRIAL_SLOTS)[number], unknown> = {
            B: broker, H: hooks, account: broker.account, qty: broker.qty, pendSet: broker.pendSet, lastClose: broker.lastClose,
            tgtV: hooks.tgtV, tgtQ: hooks.tgtQ, addQ: hooks.addQ, equity, exposure, warmup: m.warmup,
        };
        for (const name of TRIAL_SLOTS) env[slotAt[name]] = own[name];
        for (const [node, i] of givenAt) env[i] = m.given!.get(node)![0];
        for (const x of state) x.values.set(x.init);
        runBars(step, T);
        if (T > 0) {
            broker.closeAll(T - 1, 'end');
            equity[T - 1] = broker.equity();
            exposure[T - 1] = 0;
        }
        context.keepLogRows(broker.fillLog, broker.tradeLog);
        observe?.(m.index, { equity: equity.slice(), exposure: exposure.slice(), fills: broker.fills, trades: broker.trades });
        // What measure() reads of a range run (trial.ts): the curves and the logs.
        const result = { equity, exposure } as unknown as BacktestResult;
        const returns = context.returnsFor(T);
        const summary: TrialSummary = { params: m.job.params, metrics: measure(ir, data, { result, offset: 0, fills: broker.fillLog, trades: broker.tradeLog }, 0, context, returns), from: 0, to: T };
        const blocks = m.job.blocks ?? 0;
        return blocks > 0 ? { ...summary, blocks: blockMoments(returns, blocks) } : summary;
    });
}

/**
 * The bar of loop.ts for one asset without protective levels, drawdown limit or resting orders:
 * 1./4. the pending order at the open or the close, 5. the mark to market and liquidation, the
 * graph, 7. the rules and place(), then the equity and exposure; the book in local variables,
 * synchronised around every call into the broker or the hooks (loop.ts Book).
 */
function accountCode(g: Graph, fill: string, rules: readonly { condition: number; actions: readonly ResolvedAction[] }[]): string {
    const s = g.scope;
    const reload = 'cash_ = account[0]; q_0 = qty[0]; pend_0 = pendSet[0];';
    const call = (stmt: string) => `lastClose[0] = lc_0; ${stmt} ${reload}`;
    const halted = s.scalar('halted', 0);
    const lines: string[] = [];
    rules.forEach((r, i) => {
        lines.push(`// rule ${i + 1}`);
        for (const act of r.actions) {
            let code: string;
            if (act.kind === 'flat') {
                code = 'tgtV[0] = 0; tgtQ[0] = NaN; any = true;';
            } else if (act.kind === 'target') {
                const signed = act.sign < 0 ? '-size' : 'size';
                const set = act.quantity ? `tgtQ[0] = ${signed}; tgtV[0] = NaN;` : `tgtV[0] = ${signed} * E; tgtQ[0] = NaN;`;
                code = `const size = ${g.read(act.size, '0')}; if (size === size) { ${set} any = true; }`;
            } else {
                const signed = act.sign < 0 ? '-Math.abs(size)' : 'Math.abs(size)';
                const qty = act.quantity ? 'signed' : 'signed * E / CLOSE[t]';
                code = `const size = ${g.read(act.size, '0')}; if (size === size) { const signed = ${signed}, q = ${qty}; if (q === q && Number.isFinite(q)) { addQ[0] += q; any = true; } }`;
            }
            // A flat of named assets: the one asset (index 0) is the only one there is.
            lines.push(`if (${g.read(r.condition, '0')} === 1) { ${code} }`);
        }
    });
    const pending = fill === 'next_open' ? 'OPEN' : fill === 'next_close' ? 'CLOSE' : '';
    return `${pending ? `if (pend_0 !== 0) { ${call(`B.atClose = ${fill === 'next_close'}; B.executePending(t, 0, ${pending}[t]);`)} }` : ''}
let E = cash_;
{ const c = CLOSE[t]; if (c === c) lc_0 = c; const q = q_0; if (q !== 0) E += q * lc_0; }
if (E <= 0 && ${halted} === 0) { ${call(`E = +H.liquidate(t, E); ${halted} = 1;`)} }
${barSource(g, '0', '1', '')}
if (t >= warmup && ${halted} === 0) {
  let any = false;
  ${lines.join('\n  ')}
  if (any) { ${call(`H.place(t, E);${fill === 'this_close' ? ' E = +B.equity();' : ''}`)} }
}
let g = 0;
{ const q = q_0; if (q !== 0) g += Math.abs(q * lc_0); }
equity[t] = E;
if (g !== 0 || E < 0) exposure[t] = E !== 0 ? g / E : 0;`;
}
