/**
 * A paper deployment's bar loop, in process: each closed bar of a feed goes to the paper venue
 * first (it fills what is due at this bar's open, as the backtest fills before it decides), then
 * through the streaming engine, and what the engine decided through the execution gateway (risk,
 * journal, venue); the journal commits each bar's orders and fills once they have left (journal.ts).
 * The venue's capital, fees and slippage are the strategy's execution settings,
 * with the backtest's defaults. The daemon's deployments (deployments/) and bench/execution.js
 * drive this. Another venue can be handed in (`venue`): one that simulates fills from the bars
 * (SimulatedVenue, as the paper venue) is told each bar first; any other is a real venue, whose
 * fills come on its own stream.
 */
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { evalScalar } from '../engine/ir-scalar.js';
import { bindParams } from '../engine/params.js';
import type { ParamValues } from '../engine/types.js';
import type { FunctionProvider } from '../engine/packs/hook.js';
import type { GroupWrite } from '../store/group-commit.js';
import type { SqlStore } from '../store/sql-store.js';
import { ExecutionGateway, type Handed } from './gateway.js';
import { OrderJournal, type JournalOptions } from './journal.js';
import { PaperVenue } from './paper.js';
import { RiskEngine, type RiskEvent, type RiskLimits } from './risk.js';
import { StreamingEngine, type BarOutcome, type StreamBar } from './streaming.js';
import type { PaperConfig } from './paper.js';
import { TERMINAL, type OrderState } from './order-state.js';
import type { OrderRequest, VenueAdapter } from './venue.js';

/** A venue that fills from the feed's bars (the paper venue): told each bar, restored from the journal, flattened at the last close. */
export type SimulatedVenue = VenueAdapter & Pick<PaperVenue, 'onBar' | 'restore' | 'fillMarketAtLast'>;

export function isSimulated(v: VenueAdapter): v is SimulatedVenue {
    const s = v as Partial<SimulatedVenue>;
    return typeof s.onBar === 'function' && typeof s.restore === 'function' && typeof s.fillMarketAtLast === 'function';
}

/** A real venue that reconciles: takes over the journal's open orders (and known fills), then reads each from the venue. */
export type ReconcilingVenue = VenueAdapter & {
    adopt(known: readonly (OrderRequest & { state?: OrderState; filledQty?: number })[], fillIds: Iterable<string>): void;
    reconcile(): Promise<void>;
};

export function isReconciling(v: VenueAdapter): v is ReconcilingVenue {
    const r = v as Partial<ReconcilingVenue>;
    return typeof r.adopt === 'function' && typeof r.reconcile === 'function';
}

/** The paper venue's settings a strategy implies: its execution capital, fees, slippage and fill, with the backtest's defaults. */
export function paperConfigOf(ir: StrategyIr, params: ParamValues, capital?: number): PaperConfig {
    const setting = (key: string, fallback: number) => {
        const id = ir.execution[key]?.value;
        const v = id === undefined ? undefined : evalScalar(ir, id, params);
        return typeof v === 'number' ? v : fallback;
    };
    const fill = ir.fill === 'next_close' || ir.fill === 'this_close' ? ir.fill : 'next_open';
    return { capital: capital ?? setting('capital', 100_000), fees: setting('fees', 0.001), slippage: setting('slippage', 0.0005), fill };
}

export interface PaperSessionConfig<V extends VenueAdapter = PaperVenue> {
    readonly store: SqlStore;
    readonly team: string;
    readonly deployment: string;
    readonly ir: StrategyIr;
    /** Venue symbol of each universe entry (default: the universe's ids). */
    readonly symbols?: readonly string[];
    readonly params?: ParamValues;
    readonly limits?: RiskLimits;
    readonly now?: () => number;
    /** Starting cash of the paper venue, instead of the strategy's `capital` setting. */
    readonly capital?: number;
    /** The venue, made from the paper settings the strategy implies (default: the paper venue). */
    readonly venue?: (paper: PaperConfig) => V;
    /** The journal's group-commit delay between bars (journal.ts; default 50 ms). */
    readonly journalGroupMs?: number;
    /** The journal's transaction (journal.ts `commit`; default its own). */
    readonly journalCommit?: (write: GroupWrite) => Promise<void>;
    /** Rows that ride with every journal flush (journal.ts `rider`). */
    readonly journalRider?: JournalOptions['rider'];
    /** Every risk decision, after it is handed to the journal (the deployment publishes them). */
    readonly onRisk?: (e: RiskEvent) => void;
    /** The packs the strategy's functions come from (default: the built-in ones); deployments/deployment-packs.ts. */
    readonly functions?: FunctionProvider;
}

export class PaperSession<V extends VenueAdapter = PaperVenue> {
    readonly engine: StreamingEngine;
    readonly venue: V;
    readonly risk: RiskEngine;
    readonly journal: OrderJournal;
    readonly gateway: ExecutionGateway;
    readonly symbols: readonly string[];
    private riskWrites: Promise<void> = Promise.resolve();

    constructor(c: PaperSessionConfig<V>) {
        const params = bindParams(c.ir, c.params);
        this.symbols = c.symbols ?? c.ir.universe.map(u => u.id);
        this.engine = new StreamingEngine(c.ir, { params, ...(c.functions ? { functions: c.functions } : {}) });
        const paper = paperConfigOf(c.ir, params, c.capital);
        this.venue = c.venue ? c.venue(paper) : new PaperVenue(paper) as unknown as V;
        this.journal = new OrderJournal(c.store, c.team, c.deployment, {
            ...(c.now ? { now: () => new Date(c.now!()) } : {}), ...(c.journalGroupMs !== undefined ? { groupMs: c.journalGroupMs } : {}),
            ...(c.journalCommit ? { commit: c.journalCommit } : {}), ...(c.journalRider ? { rider: c.journalRider } : {}),
            onError: e => this.gateway.problems.push(`the journal could not commit (it retries): ${e instanceof Error ? e.message : String(e)}`),
        });
        this.risk = new RiskEngine(c.limits ?? {}, e => { this.riskWrites = this.journal.riskEvent(e); c.onRisk?.(e); });
        this.gateway = new ExecutionGateway({ deployment: c.deployment, symbols: this.symbols, venue: this.venue, journal: this.journal, risk: this.risk, now: c.now });
    }

    /**
     * After a daemon restart: the strategy's state from the bars it had seen (replayed through the
     * engine, nothing handed over), the venue's from the journal. Orders the journal holds are never
     * sent again: a bar decided anew finds its ids journaled. A real venue keeps its own book: one
     * that reconciles (ccxt) takes over every order the journal holds open and reads each from the
     * venue by client order id — fills made while the daemon was down are journaled, an order the
     * venue never received is rejected saying so, nothing is sent — before this returns; any other
     * is handed the orders journaled but maybe never sent again (submit is idempotent by client order id).
     * Returns the outcome of the last bar (null: none), to decide it again.
     */
    async resume(history: readonly StreamBar[]): Promise<BarOutcome | null> {
        let outcome: BarOutcome | null = null;
        for (const b of history) outcome = this.engine.push(b);
        const last: Record<string, number> = {};
        this.symbols.forEach((s, a) => { const c = this.engine.account.lastClose[a]!; if (c === c) last[s] = c; });
        const orders = await this.journal.orders();
        if (isSimulated(this.venue)) this.venue.restore(orders, (await this.journal.events()).filter(e => e.kind === 'fill'), last);
        else if (isReconciling(this.venue)) {
            const fills = (await this.journal.events()).flatMap(e => (e.kind === 'fill' && e.fillId ? [e.fillId] : []));
            this.venue.adopt(orders.filter(o => !TERMINAL.has(o.state)), fills);
            await this.venue.reconcile();
            await this.settled();
        } else for (const o of orders) if (o.state === 'new') await this.venue.submit(o);
        // A real venue: the bar after these may have sent orders the journal never committed, so the venue is asked first.
        if (!isSimulated(this.venue)) this.gateway.recoverNextBar();
        return outcome;
    }

    /**
     * One closed bar: venue fills, the engine's decision, the orders handed over. The orders leave
     * before the journal commits (journal.ts: group commit); everything of the bar is committed
     * before it returns, so whoever stores the bar after this stores it after its orders and fills.
     * `commit: false`: only queued (applied), for a caller that commits them with its own rows
     * (journal.flush(after): the deployment stores the bar in the same transaction).
     */
    async bar(bar: StreamBar, o: { commit?: boolean } = {}): Promise<{ outcome: BarOutcome; handed: Handed }> {
        await this.journal.ready();
        if (isSimulated(this.venue)) this.venue.onBar(bar.ts, Object.fromEntries(this.symbols.map((s, a) => [s, bar.assets[a] ?? null])));
        const outcome = this.engine.push(bar);
        const handed = await this.gateway.onBar(outcome, bar.assets.map(b => b?.close ?? NaN));
        if (o.commit === false) await this.applied();
        else await this.settled();
        return { outcome, handed };
    }

    async kill(reason: string): Promise<Handed> {
        const last: Record<string, number> = {};
        this.symbols.forEach((s, a) => { const c = this.engine.account.lastClose[a]!; if (c === c) last[s] = c; });
        const handed = await this.gateway.kill(reason, last);
        if (isSimulated(this.venue)) this.venue.fillMarketAtLast();
        await this.settled();
        return handed;
    }

    /** Every venue update and risk decision so far is committed to the store. */
    async settled(): Promise<void> {
        await this.applied();
        await this.journal.flush();
    }

    /** Every venue update and risk decision so far is in the journal's queue. */
    async applied(): Promise<void> {
        await this.gateway.settled();
        await this.riskWrites;
    }

    /** Stops listening; flush first (settled) what must be stored. */
    close(): void {
        this.gateway.close();
        this.journal.close();
        // A real venue holds sockets and timers.
        const v = this.venue as Partial<{ close(): Promise<void> }>;
        if (typeof v.close === 'function') void v.close().catch(() => undefined);
    }
}
