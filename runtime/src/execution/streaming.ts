/**
 * The streaming engine: a strategy run bar by bar as closed bars arrive, with exactly the
 * backtest's semantics because it IS the backtest's compiled program (engine/compiled:
 * prepareCompiledRun), stepped one bar per call instead of over a fixed array.
 *
 * The compiled run reads bar t of its columns only when it steps t, so the columns here have room
 * for bars still to come. When they are full the run is rebuilt over columns twice as long and the
 * bars so far are replayed through it: the program is deterministic, so the replayed state is the
 * state it had, and only what is new is reported (amortised O(1) per bar; the same replay resumes
 * a deployment after a daemon restart from its stored bars).
 *
 * After each bar it reports what the program decided and what its account did: the orders placed
 * at this close (market orders to fill at the next open or close, or at this close; resting limit
 * and stop orders), the fills, the engine events (halts, drawdown warnings), equity and exposure.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { checkData, prepareCompiledRun, type CompiledRun } from '../engine/compiled/index.js';
import { withFunctionProvider, type FunctionProvider } from '../engine/packs/hook.js';
import { BacktestError, type AssetBars, type BacktestOptions, type BacktestResult, type BarData, type EngineEvent, type Fill } from '../engine/types.js';

/** One asset's closed bar; null: the asset has no bar at this time (as NaN in a backtest). */
export interface AssetBar {
    readonly open: number;
    readonly high: number;
    readonly low: number;
    readonly close: number;
    readonly volume: number;
}

/** One closed bar of the universe: its open time and one entry per asset, in universe order. */
export interface StreamBar {
    readonly ts: number;
    readonly assets: readonly (AssetBar | null)[];
}

/** An order the program placed at a close. Market orders are sized at their fill (target value / price), as in the backtest. */
export interface OrderIntent {
    /** The bar whose close placed it, and its position among that bar's orders (with the bar: its identity). */
    readonly bar: number;
    readonly seq: number;
    readonly asset: number;
    readonly type: 'market' | 'limit' | 'stop';
    /** Market: target value (fraction targets × equity), target quantity (units), added quantity; NaN/0 where not set. */
    readonly targetValue: number;
    readonly targetQty: number;
    readonly addQty: number;
    /** Resting orders: signed quantity and price; the last bar they are active (Infinity: none). */
    readonly qty: number;
    readonly price: number;
    readonly lastBar: number;
    /** When it fills: next_open, next_close, this_close (market), or resting. */
    readonly fill: string;
}

export interface BarOutcome {
    readonly bar: number;
    readonly ts: number;
    readonly orders: readonly OrderIntent[];
    readonly fills: readonly Fill[];
    readonly events: readonly EngineEvent[];
    readonly equity: number;
    readonly exposure: number;
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

export interface StreamingOptions extends Pick<BacktestOptions, 'params' | 'limits'> {
    /** Bars the columns hold before the first rebuild (default 1024). */
    readonly initialCapacity?: number;
    /** Recorded with the final result like a backtest's data snapshot. */
    readonly snapshotHash?: string;
    /** The packs the program's functions come from (default: the thread's installed registry); a deployment's shipped packs. */
    readonly functions?: FunctionProvider;
}

export class StreamingEngine {
    private capacity: number;
    private ts: Float64Array;
    private cols: Float64Array[][];
    private run: CompiledRun;
    private n = 0;
    /** How many fills and events of the run have been reported. */
    private fillsSeen = 0;
    private eventsSeen = 0;
    private ended = false;

    constructor(private readonly ir: StrategyIr, private readonly options: StreamingOptions = {}) {
        this.capacity = Math.max(16, options.initialCapacity ?? 1024);
        ({ ts: this.ts, cols: this.cols } = this.allocate(this.capacity));
        this.run = this.prepare();
    }

    /** Bars stepped so far. */
    get bars(): number {
        return this.n;
    }

    get warmupBars(): number {
        return this.run.warmup;
    }

    /** The simulated account (the backtest's broker): positions, cash, last closes. */
    get account(): CompiledRun['broker'] {
        return this.run.broker;
    }

    /** Steps one closed bar; what the program and its account did at it. */
    push(bar: StreamBar): BarOutcome {
        if (this.ended) throw new BacktestError('the stream has ended: no bar can follow');
        this.check(bar);
        if (this.n === this.capacity) this.grow();
        const t = this.n;
        this.ts[t] = bar.ts;
        bar.assets.forEach((b, a) => {
            for (let f = 0; f < FIELDS.length; f++) this.cols[a]![f]![t] = b === null ? NaN : b[FIELDS[f]!];
        });
        this.run.step(t, t + 1, t + 1);
        this.n = t + 1;
        return this.outcome(t);
    }

    /** Ends the stream as a backtest ends (every position closed at the last close, reason 'end'); the backtest's result. */
    end(): { readonly outcome: BarOutcome | null; readonly result: BacktestResult } {
        if (this.ended) throw new BacktestError('the stream has already ended');
        this.ended = true;
        const result = this.run.finish(this.n);
        const last = this.n - 1;
        const outcome = last >= 0
            ? { bar: last, ts: this.ts[last]!, orders: [], fills: this.newFills(), events: this.newEvents(), equity: result.equity[last]!, exposure: result.exposure[last]! }
            : null;
        return { outcome, result };
    }

    private outcome(t: number): BarOutcome {
        const B = this.run.broker;
        const fills = this.newFills();
        const orders: OrderIntent[] = [];
        const fill = this.ir.fill;
        const none = { qty: NaN, price: NaN, lastBar: Infinity };
        if (fill === 'this_close') {
            // Executed at this close already: the order is the signal fill it made.
            for (const f of fills) {
                if (f.bar === t && f.reason === 'signal') orders.push({ bar: t, seq: orders.length, asset: f.asset, type: 'market', targetValue: NaN, targetQty: NaN, addQty: f.qty, fill, ...none });
            }
        } else {
            for (let a = 0; a < this.ir.universe.length; a++) {
                if (B.pendSet[a] === 0) continue;
                orders.push({ bar: t, seq: orders.length, asset: a, type: 'market', targetValue: B.pendValue[a]!, targetQty: B.pendQty[a]!, addQty: B.pendAdd[a]!, fill, ...none });
            }
        }
        for (const r of B.resting) {
            if (r.placedBar !== t) continue;
            orders.push({ bar: t, seq: orders.length, asset: r.asset, type: r.type, targetValue: NaN, targetQty: NaN, addQty: 0, qty: r.qty, price: r.price, lastBar: r.lastBar, fill: 'resting' });
        }
        return { bar: t, ts: this.ts[t]!, orders, fills, events: this.newEvents(), equity: this.run.equity[t]!, exposure: this.run.exposure[t]! };
    }

    private newFills(): Fill[] {
        const all = this.run.broker.fills;
        const out = all.slice(this.fillsSeen);
        this.fillsSeen = all.length;
        return out;
    }

    private newEvents(): EngineEvent[] {
        const all = this.run.broker.events;
        const out = all.slice(this.eventsSeen);
        this.eventsSeen = all.length;
        return out;
    }

    /** A bar must fit the universe, come after the last one, and be whole (all five fields) or absent. */
    private check(bar: StreamBar): void {
        const N = this.ir.universe.length;
        if (!Number.isFinite(bar.ts)) throw new BacktestError(`bar ${this.n}: ts must be a time in ms, got ${bar.ts}`);
        if (bar.assets.length !== N) throw new BacktestError(`bar at ${new Date(bar.ts).toISOString()}: ${bar.assets.length} asset(s), strategy ${this.ir.strategy} trades ${N}`);
        if (this.n > 0 && !(bar.ts > this.ts[this.n - 1]!)) {
            throw new BacktestError(`bar at ${new Date(bar.ts).toISOString()} does not come after the previous bar (${new Date(this.ts[this.n - 1]!).toISOString()}): only closed bars, in order, drive the strategy`);
        }
        bar.assets.forEach((b, a) => {
            if (b === null) return;
            for (const f of FIELDS) {
                if (typeof b[f] !== 'number' || Number.isNaN(b[f])) {
                    throw new BacktestError(`bar at ${new Date(bar.ts).toISOString()}, ${this.ir.universe[a]!.id}: ${f} is missing; send null for an asset without a bar`);
                }
            }
        });
    }

    private allocate(capacity: number): { ts: Float64Array; cols: Float64Array[][] } {
        return {
            ts: new Float64Array(capacity),
            cols: this.ir.universe.map(() => FIELDS.map(() => new Float64Array(capacity).fill(NaN))),
        };
    }

    private data(): BarData {
        const assets: AssetBars[] = this.cols.map(c => ({ open: c[0]!, high: c[1]!, low: c[2]!, close: c[3]!, volume: c[4]! }));
        return { ts: this.ts, assets, snapshotHash: this.options.snapshotHash ?? 'stream', timeframeMs: this.ir.timeframe.ms };
    }

    private prepare(): CompiledRun {
        const data = this.data();
        // The shape of the data (bars not yet arrived have no time: check it as a one-bar axis).
        checkData(this.ir, { ...data, ts: data.ts.subarray(0, 1), assets: data.assets.map(b => ({ open: b.open.subarray(0, 1), high: b.high.subarray(0, 1), low: b.low.subarray(0, 1), close: b.close.subarray(0, 1), volume: b.volume.subarray(0, 1) })) });
        return withFunctionProvider(this.options.functions, () => prepareCompiledRun(this.ir, data, { params: this.options.params, limits: this.options.limits }));
    }

    /** Columns twice as long, a fresh run over them, the bars so far replayed (their outcomes were reported). */
    private grow(): void {
        const old = { ts: this.ts, cols: this.cols }, n = this.n;
        this.capacity *= 2;
        ({ ts: this.ts, cols: this.cols } = this.allocate(this.capacity));
        this.ts.set(old.ts.subarray(0, n));
        this.cols.forEach((c, a) => c.forEach((col, f) => col.set(old.cols[a]![f]!.subarray(0, n))));
        const fills = this.run.broker.fills.length, events = this.run.broker.events.length;
        this.run = this.prepare();
        for (let t = 0; t < n; t++) this.run.step(t, t + 1, t + 1);
        // The replay is the same program over the same bars: anything else is a bug, never trade on it.
        if (this.run.broker.fills.length !== fills || this.run.broker.events.length !== events) {
            throw new Error(`streaming engine: replaying ${n} bars gave ${this.run.broker.fills.length} fills and ${this.run.broker.events.length} events, not ${fills} and ${events}`);
        }
    }
}
