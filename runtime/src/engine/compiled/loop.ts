/**
 * The bar loop of a backtest as one generated function, specialised for the strategy at hand: the
 * steps of docs/backtest-semantics.md § The order of events in bar t, each emitted by a small
 * generator below and only when the strategy can need it (no open-fill code with next_close fills,
 * no stop checks without risk levels, no drawdown code without max_drawdown, …), with the graph's
 * node code (program.ts) and the rules written in line.
 *
 * Only the cheap per-bar tests are generated: is an order pending, does the bar reach a protective
 * level, does a rule fire. What happens rarely — fills, exits, drawdown actions, sizing targets into
 * orders — calls the broker and the hooks of index.ts, so each rule of the semantics is still
 * written once. Nothing is allocated per bar.
 *
 * Keeping V8's optimised code is as much of the work as generating good code:
 * - the text depends only on the strategy's structure (values come in through `env`), and functions
 *   are cached by text, so repeated runs (a sweep's trials) reuse the optimised function;
 * - the function runs a chunk of bars per call, so it is optimised between calls rather than by
 *   on-stack replacement within one long call; loop state lives in local variables (registers)
 *   during a call and in the scope's state array between calls;
 * - `env` is an array and the objects it holds keep their hidden classes from run to run
 *   (shapes.ts), or the optimised code would be thrown away at the start of every run;
 * - values from calls are coerced with `+`, so the state they feed stays an unboxed double;
 * - with one asset, the account state the loop reads every bar (cash, position, pending flag, last
 *   close) is in local variables (Book below), not re-read from the broker's typed arrays: a call
 *   anywhere in a loop makes V8 reload every typed array's length and data pointer at every access,
 *   and the broker changes them only inside the calls, after which the locals are reloaded.
 */
import type { Broker } from './broker.js';
import { barSource, type Columns, type Graph } from './program.js';
import type { CodeScope } from './scope.js';
import type { AssetBars } from '../types.js';

/** One action of a rule, with its assets resolved (see index.ts resolveActions). */
export interface LoopAction {
    readonly kind: 'target' | 'flat' | 'market' | 'resting';
    /** Asset index, or −1 for "the asset being evaluated". */
    readonly asset: number;
    readonly size: number;
    readonly quantity: boolean;
    /** +1 long/buy, −1 short/sell, 0 unsided (a target multiplies its size by it unless 0; an order uses |size|). */
    readonly sign: number;
    readonly price?: number;
    readonly flatAssets?: readonly number[];
}

export interface LoopSpec {
    readonly N: number;
    readonly fill: string;
    /** Protective levels the strategy sets (absent ones are never checked). */
    readonly stop: boolean;
    readonly take: boolean;
    readonly trail: boolean;
    readonly trailIsFraction: boolean;
    /** Whether any rule places limit/stop orders. */
    readonly resting: boolean;
    /** The max_drawdown action, or null without a (finite) max_drawdown. */
    readonly drawdown: 'halt' | 'flatten' | 'warn' | null;
    readonly portfolio: boolean;
    /** Whether the strategy sets max_position (sizing then needs the general place()). */
    readonly maxPosition: boolean;
    /** Whether inverse-vol weights need the close history. */
    readonly closes: boolean;
    readonly rules: readonly { readonly condition: number; readonly actions: readonly LoopAction[] }[];
    readonly progress: boolean;
    /**
     * Whether the loop records exposure bar by bar (the streaming engine reads it as bars arrive);
     * a backtest computes it from its fill log when it is read (exposure.ts) instead.
     */
    readonly exposure: boolean;
}

/** The rare work of a bar, called by the generated loop (methods of one class: the same call targets in every run). */
export interface LoopHooks {
    /** Targets → pending orders (or this_close fills); leaves the targets clear. */
    place(t: number, E: number): void;
    /** On a rebalance bar: portfolio targets into tgtV, and true. */
    rebalance(t: number, ts: number, E: number): boolean;
    /** A resting order from action k (numbered through all the rules' actions). */
    rest(k: number, t: number, a: number, q: number, price: number): void;
    /** halt/flatten: exits, cancellations, the event; returns the equity after them. */
    drawdownExit(t: number, E: number, top: number): number;
    drawdownWarn(t: number, E: number, top: number): void;
    /** Equity at or below 0: exits, cancellations, the halt event; returns the equity after them. */
    liquidate(t: number, E: number): number;
    pushCloses(): void;
    progress(done: number): void;
}

/** What the generated loop reads (bound by these names). */
export interface LoopEnv {
    readonly B: Broker;
    readonly H: LoopHooks;
    readonly assets: readonly AssetBars[];
    readonly C: Columns;
    readonly TS: Float64Array;
    readonly equity: Float64Array;
    readonly exposure: Float64Array;
    /** Targets of this bar: value, quantity (NaN: none) and added market quantity. */
    readonly tgtV: Float64Array;
    readonly tgtQ: Float64Array;
    readonly addQ: Float64Array;
    readonly warmup: number;
    /** The leverage limit (place() scales targets beyond leverage × equity; so does the in-line sizing). */
    readonly leverage: number;
    readonly maxDd: number;
    readonly progressEvery: number;
    /** Fee and slippage rates (fills in line: see fillsInLine). */
    readonly feeRate: number;
    readonly slipRate: number;
}

type LoopFunction = (env: readonly unknown[], t0: number, t1: number, T: number) => void;

/**
 * Generated loops by source text. A run of the same strategy structure (a sweep's trials, a
 * benchmark's repetitions) reuses the function V8 has already optimised, instead of interpreting
 * a fresh one until on-stack replacement kicks in; everything that differs between runs comes in
 * through `env`.
 */
const cache = new Map<string, LoopFunction>();
const CACHE_SIZE = 64;

/** Bars per call of the generated function. */
const CHUNK = 2048;
/**
 * The first bars run one per call: V8 records type feedback for a function only after a few calls,
 * and code that runs only in the first bars (indicators seeding their first value) would otherwise
 * be optimised without feedback and deoptimise the loop when it runs again in the next run.
 */
const FIRST_SINGLE_BARS = 16;

/**
 * Runs the bar loop over bars 0 … T−1: the generated function, called for one chunk of bars after
 * the other. Chunks let V8 optimise the function between calls (rather than by on-stack replacement
 * inside one long call) and re-optimise it quickly after a deoptimisation; the loop's state is in the
 * scope's state array between calls (in local variables during one).
 */
export function runLoop(spec: LoopSpec, graph: Graph, env: LoopEnv, T: number): void {
    runBars(bindLoop(spec, graph, env), T);
}

/** Bars t0 … t1−1 of a bound loop (T: the run's length, for progress). State carries over between calls. */
export type BarStepper = (t0: number, t1: number, T: number) => void;

/** Bars 0 … T−1 through a bound loop, in the chunks described at runLoop. */
export function runBars(step: BarStepper, T: number): void {
    const first = Math.min(T, FIRST_SINGLE_BARS);
    for (let t = 0; t < first; t++) step(t, t + 1, T);
    for (let t0 = first; t0 < T; t0 += CHUNK) step(t0, Math.min(T, t0 + CHUNK), T);
}

/**
 * The generated loop bound to one run's env: call it for consecutive ranges of bars (the backtest
 * in chunks, the streaming engine one bar at a time as bars arrive — execution/streaming.ts).
 */
export function bindLoop(spec: LoopSpec, graph: Graph, env: LoopEnv): BarStepper {
    const s = graph.scope;
    for (const [k, v] of Object.entries(env)) s.bind(k, v);
    const B = env.B;
    for (const [k, v] of Object.entries({
        account: B.account, qty: B.qty, pendSet: B.pendSet, pendValue: B.pendValue, pendQty: B.pendQty, pendAdd: B.pendAdd,
        lastClose: B.lastClose, stop: B.stop, take: B.take,
        trailDist: B.trailDist, best: B.best, openedAtClose: B.openedAtClose,
    })) s.bind(k, v);
    const k = new Book(s.N);
    /** The statements of one bar; `steady`: in the steady loop (see below). */
    const bar = (steady: boolean, indent: string) => [
        openFills(spec, s, k),
        restingOrders(spec, k),
        protectiveExits(spec, s, k),
        closeFills(spec, s, k),
        markToMarket(spec, s, k),
        drawdown(spec, s, k),
        '// 7. signals: the graph at this close, then the portfolio and the rules',
        barSource(graph, '0', String(spec.N), '', steady),
        signals(spec, graph, k, steady),
        record(spec, s, k),
        trailing(spec, s, k),
        spec.progress ? k.call('H.progress((t + 1) / T);', 'if ((t + 1) % progressEvery === 0)') : '',
    ].filter(x => x !== '').join('\n').split('\n').map(l => `${indent}${l}`).join('\n');
    // With indicators that have a steady form (a full window without NaN, inline.ts), the bars run
    // in two loops: the full code until every such indicator is steady and the warm-up is over, then
    // the steady code (no fill counts, no warm-up test) until an indicator leaves that state (a NaN
    // input); the two alternate to the end of the chunk. The same numbers, fewer tests a bar.
    const loops = graph.steady && spec.N === 1
        ? `let t = t0;
while (t < t1) {
  for (; t < t1; t++) {
    if (t >= warmup && ${graph.steady.when.join(' && ')}) break;
${bar(false, '    ')}
  }
  let leaveSteady = false;
  for (; t < t1 && !leaveSteady; t++) {
${bar(true, '    ')}
  }
}`
        : `for (let t = t0; t < t1; t++) {
${bar(false, '  ')}
}`;
    // The bindings last: the sections above bind names, hoist columns and declare state as they go.
    s.finish();
    const hoisted = [...s.hoisted.keys()];
    const src = `"use strict";
return function barLoop(env, t0, t1, T) {
${s.bindings().join('\n')}
${hoisted.length ? `const ${s.columnAssignments('C').join(', ').replaceAll(';', '')};` : ''}
${s.loadLocals().join('\n')}
${k.declare()}
${loops}
${s.storeLocals().join('\n')}
${k.store()}
};`;
    let fn = cache.get(src);
    if (!fn) {
        // Generated code: the strategy's bar loop (see the header); its text depends only on the IR's structure.
        fn = new Function(src)() as LoopFunction;
        if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(src, fn);
    }
    const loop = fn, envArr = s.env;
    return (t0, t1, T) => loop(envArr, t0, t1, T);
}

/**
 * The account state the loop reads every bar, as the generated code names it: with one asset,
 * local variables loaded when the function starts and again after every call into the broker or
 * the hooks (the only code that changes cash, positions and pending orders), the last close
 * written back before each call and when the function returns (the broker reads it); with several
 * assets, the broker's arrays themselves.
 */
class Book {
    private readonly local: boolean;
    constructor(N: number) {
        this.local = N === 1;
    }

    get cash(): string {
        return this.local ? 'cash_' : 'account[0]';
    }

    qty(a: string): string {
        return this.local ? 'q_0' : `qty[${a}]`;
    }

    pending(a: string): string {
        return this.local ? 'pend_0' : `pendSet[${a}]`;
    }

    lastClose(a: string): string {
        return this.local ? 'lc_0' : `lastClose[${a}]`;
    }

    /** `stmt` (a statement calling the broker or a hook), guarded by `guard` if given, with the locals synchronised around it. */
    call(stmt: string, guard = ''): string {
        const body = this.local ? `lastClose[0] = lc_0; ${stmt} ${this.reload()}` : stmt;
        return guard ? `${guard} { ${body} }` : body;
    }

    declare(): string {
        return this.local ? 'let cash_ = account[0], q_0 = qty[0], pend_0 = pendSet[0], lc_0 = lastClose[0];' : '';
    }

    store(): string {
        return this.local ? 'lastClose[0] = lc_0;' : '';
    }

    private reload(): string {
        return 'cash_ = account[0]; q_0 = qty[0]; pend_0 = pendSet[0];';
    }
}

/** Code for every asset: a loop, or a block for asset 0 when there is one (indices fold to constants). */
function forAssets(s: CodeScope, body: (a: string) => string): string {
    return s.N === 1 ? `{ ${body('0')} }` : `for (let a = 0; a < ${s.N}; a++) { ${body('a')} }`;
}

/** 1. Pending market orders fill at the open (a call only when one is pending). */
function openFills(spec: LoopSpec, s: CodeScope, k: Book): string {
    if (spec.fill !== 'next_open') return '';
    if (fillsInLine(spec)) return `// 1. market orders at the open\n${inlineFill(s.column('open', '0'))}`;
    return `// 1. market orders at the open
${forAssets(s, a => k.call(`B.atClose = false; B.executePending(t, ${a}, ${s.column('open', a)});`, `if (${k.pending(a)} !== 0)`))}`;
}

/**
 * Whether pending orders fill in the loop's own code (inlineFill) rather than by the broker: the
 * in-line targets of targetsInLine (a value target, nothing else pending) and no protective level
 * or resting order to set or check at a fill.
 */
function fillsInLine(spec: LoopSpec): boolean {
    return targetsInLine(spec) && !spec.stop && !spec.take && !spec.trail && !spec.resting;
}

/**
 * Broker.executePending and Broker.fill for fillsInLine strategies at raw price `raw` (an
 * expression): the same operations in the same order, so the same numbers, on the loop's local
 * cash and position (written through to the broker); the fill's log row by a call
 * (Broker.recordFill). The pending order is a value target (inlineTarget): no quantity, nothing added.
 */
function inlineFill(raw: string): string {
    return `if (pend_0 !== 0) {
  const raw = ${raw}, v = pendValue[0];
  pend_0 = 0; pendSet[0] = 0; pendValue[0] = NaN; pendQty[0] = NaN; pendAdd[0] = 0;
  const order = (v === v ? v / raw : q_0) - q_0;
  if (raw === raw && order !== 0 && Math.abs(order) * raw >= 1e-9) {
    const price = order > 0 ? raw * (1 + slipRate) : raw * (1 - slipRate);
    const fee = Math.abs(order) * price * feeRate;
    cash_ = cash_ - (order * price + fee); account[0] = cash_;
    const after = q_0 + order;
    q_0 = Math.abs(after) * price < 1e-9 ? 0 : after; qty[0] = q_0;
    B.recordFill(t, 0, order, price, fee);
  }
}`;
}

/** 2. Resting limit/stop orders: only strategies that place them, only while some exist. */
function restingOrders(spec: LoopSpec, k: Book): string {
    if (!spec.resting) return '';
    return `// 2. resting orders
${k.call('B.atClose = false; B.checkResting(t, TS[t], assets);', 'if (B.resting.length !== 0)')}`;
}

/**
 * 3. Protective exits: a position calls the broker only when this bar reaches one of its levels
 * (open or low at/below a long's stop, open or high at/above its take-profit; mirrored for shorts).
 * Broker.protect then decides which level binds and at what price.
 */
function protectiveExits(spec: LoopSpec, s: CodeScope, k: Book): string {
    if (!spec.stop && !spec.take && !spec.trail) return '';
    const long: string[] = [], short: string[] = [];
    if (spec.stop) { long.push(`o <= stop[A] || l <= stop[A]`); short.push(`o >= stop[A] || h >= stop[A]`); }
    if (spec.take) { long.push(`o >= take[A] || h >= take[A]`); short.push(`o <= take[A] || l <= take[A]`); }
    let level = '';
    if (spec.trail) {
        // The trailing level from the best price so far (NaN without a trailing distance: no test passes).
        level = spec.trailIsFraction
            ? 'const d = trailDist[A], tl = q > 0 ? best[A] * (1 - d) : best[A] * (1 + d);'
            : 'const d = trailDist[A], tl = q > 0 ? best[A] - d : best[A] + d;';
        long.push('o <= tl || l <= tl');
        short.push('o >= tl || h >= tl');
    }
    return `// 3. protective exits
${forAssets(s, a => `const q = ${k.qty(a)};
  if (q !== 0) {
    const o = ${s.column('open', a)}, h = ${s.column('high', a)}, l = ${s.column('low', a)};
    ${level}
    ${k.call(`B.protect(t, ${a}, assets[${a}]);`, `if (q > 0 ? (${long.join(' || ')}) : (${short.join(' || ')}))`)}
  }`.replaceAll('[A]', `[${a}]`))}`;
}

/** 4. Pending market orders fill at the close. */
function closeFills(spec: LoopSpec, s: CodeScope, k: Book): string {
    if (spec.fill !== 'next_close') return '';
    if (fillsInLine(spec)) return `// 4. market orders at the close\n${inlineFill(s.column('close', '0'))}`;
    return `// 4. market orders at the close
${forAssets(s, a => k.call(`B.atClose = true; B.executePending(t, ${a}, ${s.column('close', a)});`, `if (${k.pending(a)} !== 0)`))}`;
}

/** 5. Mark to market: last defined closes and the equity E (as Broker.equity, asset by asset). */
function markToMarket(spec: LoopSpec, s: CodeScope, k: Book): string {
    return `// 5. mark to market
let E = ${k.cash};
${forAssets(s, a => `const c = ${s.column('close', a)}; if (c === c) ${k.lastClose(a)} = c; const q = ${k.qty(a)}; if (q !== 0) E += q * ${k.lastClose(a)};`)}
${spec.closes ? k.call('H.pushCloses();') : ''}
// equity at or below 0: liquidate and halt, whatever max_drawdown says
${k.call(`E = +H.liquidate(t, E); ${s.scalar('halted', 0)} = 1;`, `if (E <= 0 && ${s.scalar('halted', 0)} === 0)`)}`;
}

/**
 * 6. Drawdown from the highest of the recorded equity[0 … t−1] and this mark (`peak` holds only
 * recorded values: a mark before this_close fills never enters the equity curve). The action
 * itself is a hook (rare).
 */
function drawdown(spec: LoopSpec, s: CodeScope, k: Book): string {
    if (spec.drawdown === null) return '';
    // peak: the highest recorded equity (or the equity after the last flatten); flags as 0/1
    const peak = s.scalar('peak', -Infinity), halted = s.scalar('halted', 0), warned = s.scalar('warned', 0);
    const act = spec.drawdown === 'warn'
        ? `${k.call('H.drawdownWarn(t, E, top);', `if (${warned} === 0)`)} ${warned} = 1;`
        : `${k.call('E = +H.drawdownExit(t, E, top);')} ${peak} = E;${spec.drawdown === 'halt' ? ` ${halted} = 1;` : ''}`;
    return `// 6. drawdown
if (${halted} === 0) {
  if (E > ${peak}) ${warned} = 0;
  const top = E > ${peak} ? E : ${peak};
  if (top > 0 && (top - E) / top >= maxDd) { ${act} }
}`;
}

/**
 * Whether the rules' orders can be placed in line (inlineTarget) rather than by place(): one asset,
 * fills at the next open or close, targets as fractions of equity and flats only, no portfolio and
 * no max_position. The plainest strategies, whose bars are otherwise a call on every signal.
 */
function targetsInLine(spec: LoopSpec): boolean {
    return spec.N === 1 && !spec.portfolio && !spec.maxPosition && (spec.fill === 'next_open' || spec.fill === 'next_close')
        && spec.rules.every(r => r.actions.every(a => a.kind === 'flat' || (a.kind === 'target' && !a.quantity && a.asset <= 0)));
}

/**
 * place() for targetsInLine strategies, on the one asset's target value `tv` (NaN: none): dropped
 * without a close at the signal bar, scaled down to leverage × E, then the pending order. The same
 * operations as Hooks.place with no other asset and no quantity target, so the same numbers.
 */
function inlineTarget(s: CodeScope): string {
    return `B.atClose = true;
  const c = ${s.column('close', '0')};
  if (c === c && tv === tv) {
    const w = Math.abs(tv), cap = leverage * E;
    if (w > cap && w > 0) tv = tv * (Math.max(0, cap) / w);
    pend_0 = 1; pendSet[0] = 1; pendValue[0] = tv; pendQty[0] = NaN; pendAdd[0] = 0;
  }`;
}

/** 7. Portfolio and rules → this bar's targets; any target or market order → place() (or its in-line form). */
function signals(spec: LoopSpec, g: Graph, k: Book, steady: boolean): string {
    const s = g.scope;
    // (the steady loop runs only after the warm-up)
    const when = steady ? `${s.scalar('halted', 0)} === 0` : `t >= warmup && ${s.scalar('halted', 0)} === 0`;
    if (targetsInLine(spec)) {
        const lines = spec.rules.map((r, i) => `// rule ${i + 1}\n  if (${g.read(r.condition, '0')} === 1) { ${r.actions.map(act => act.kind === 'flat'
            ? 'tv = 0; any = true;'
            : `const size = ${g.read(act.size, '0')}; if (size === size) { tv = ${act.sign < 0 ? '-size' : 'size'} * E; any = true; }`).join(' ')} }`);
        return `if (${when}) {
  let any = false, tv = NaN;
  ${lines.join('\n  ')}
  if (any) { ${inlineTarget(s)} }
}`;
    }
    const lines: string[] = [];
    if (spec.portfolio) lines.push(k.call('if (H.rebalance(t, TS[t], E)) any = true;'));
    const book = k;
    spec.rules.forEach((r, i) => {
        lines.push(`// rule ${i + 1}`);
        r.actions.forEach(act => {
            const idx = actionIndex(spec, act);
            if (act.kind === 'flat' && act.flatAssets && act.flatAssets.length > 0) {
                for (const fa of act.flatAssets) lines.push(`if (${g.read(r.condition, String(fa))} === 1) { tgtV[${fa}] = 0; tgtQ[${fa}] = NaN; any = true; }`);
                return;
            }
            const apply = (a: string) => `if (${g.read(r.condition, a)} === 1) { ${actionCode(g, act, a, idx, book)} }`;
            lines.push(act.asset >= 0 ? apply(String(act.asset)) : forAssets(s, apply));
        });
    });
    lines.push(k.call(`H.place(t, E);${spec.fill === 'this_close' ? ' E = +B.equity();' : ''}`, 'if (any)'));
    return `if (${when}) {
  let any = false;
  ${lines.join('\n  ')}
}`;
}

/** The index of an action among all the rules' actions (the `rest` hook's k). */
function actionIndex(spec: LoopSpec, act: LoopAction): number {
    let k = 0;
    for (const r of spec.rules) for (const x of r.actions) { if (x === act) return k; k++; }
    return -1;
}

/** One action at asset `a` when its rule's condition holds there (an undefined size or price skips it). */
function actionCode(g: Graph, act: LoopAction, a: string, k: number, book: Book): string {
    const s = g.scope;
    if (act.kind === 'flat') return `tgtV[${a}] = 0; tgtQ[${a}] = NaN; any = true;`;
    const size = `const size = ${g.read(act.size, a)};`;
    if (act.kind === 'target') {
        // long keeps the size's sign, short negates it (`target -50%` is short)
        const signed = act.sign < 0 ? '-size' : 'size';
        const set = act.quantity ? `tgtQ[${a}] = ${signed}; tgtV[${a}] = NaN;` : `tgtV[${a}] = ${signed} * E; tgtQ[${a}] = NaN;`;
        return `${size} if (size === size) { ${set} any = true; }`;
    }
    // orders: buy buys |size|, sell sells |size|; a fraction is of E at this close
    const signed = act.sign < 0 ? '-Math.abs(size)' : 'Math.abs(size)';
    const q = act.quantity ? 'signed' : `signed * E / ${s.column('close', a)}`;
    const then = act.kind === 'market'
        ? `addQ[${a}] += q; any = true;`
        : `const price = ${g.read(act.price!, a)}; ${book.call(`H.rest(${k}, t, ${a}, q, price);`, 'if (price === price)')}`;
    return `${size} if (size === size) { const signed = ${signed}, q = ${q}; if (q === q && Number.isFinite(q)) { ${then} } }`;
}

/**
 * Equity and exposure of the bar (E is Broker.equity(): recomputed above after any fill at this
 * close). A flat book's exposure is +0, which the fresh, zero-filled array already holds: not
 * writing it leaves those pages untouched (a first write to a page costs more than the rest of a bar).
 * Without `spec.exposure`, equity alone (exposure.ts computes the same values after the run).
 */
function record(spec: LoopSpec, s: CodeScope, k: Book): string {
    const peak = spec.drawdown ? `\nif (E > ${s.scalar('peak', -Infinity)}) ${s.scalar('peak', -Infinity)} = E;` : '';
    if (!spec.exposure) return `// equity\nequity[t] = E;${peak}`;
    return `// equity and exposure
let g = 0;
${forAssets(s, a => `const q = ${k.qty(a)}; if (q !== 0) g += Math.abs(q * ${k.lastClose(a)});`)}
equity[t] = E;
if (g !== 0 || E < 0) exposure[t] = E !== 0 ? g / E : 0;${peak}`;
}

/** 8. Best prices for trailing stops (as Broker.updateBest); only with a trailing stop. */
function trailing(spec: LoopSpec, s: CodeScope, k: Book): string {
    if (!spec.trail) return '';
    return `// 8. trailing
${forAssets(s, a => `const q = ${k.qty(a)};
  if (q !== 0) {
    if (openedAtClose[${a}] !== 0) openedAtClose[${a}] = 0;
    else { const h = ${s.column('high', a)}, l = ${s.column('low', a)}; if (h === h) { const b = best[${a}]; if (q > 0) { if (h > b) best[${a}] = h; } else if (l < b) best[${a}] = l; } }
  }`)}`;
}
