/**
 * The daemon's deployments: long-running paper and live sessions, each a PaperSession (streaming
 * engine → risk → journal → venue) driven by a feed, with a stated state and the reason for it:
 *
 *   starting → warming (the strategy's warm-up bars) → running → halted (kill switch, risk
 *   engine, a venue that rejects everything) | stopping → stopped | failed (it cannot go on: its
 *   feed failed or stopped sending, its strategy no longer compiles, an internal error).
 *
 * Every bar it traded on is stored with its progress and the events it made in one transaction
 * (records.ts), after the journal has committed every order and fill of that bar (its orders left
 * before that commit: journal.ts says why a crash in between loses nothing). The deployments share
 * their store's one connection, so that transaction is shared too: the bars of every deployment
 * that are ready at a moment are committed together (store/group-commit.ts), each all or nothing;
 * events are published on
 * `deployment:<id>` only once stored, so execution.events catches a client up exactly. When the
 * daemon starts, deployments it finds starting, warming or running are resumed: the strategy's
 * state from the stored bars, the venue's from the journal (PaperSession.resume), and the feed
 * from the first bar after the last one stored. If that bar's orders are already journaled (the
 * process died after deciding it, before storing it), the bar is decided again without filling at
 * it: its orders are found journaled and nothing is sent twice.
 *
 * Several daemons on one PostgreSQL control plane (team mode, `claims`): a deployment is traded
 * only by the daemon that holds its claim (an advisory lock, store/pg-ownership.ts), taken before
 * it starts or resumes and given up once it has ended here. A starting daemon resumes only the
 * deployments nobody holds; a live one takes over, every few seconds (takeOver()), those whose
 * daemon is gone; stop and kill through a daemon that does not hold a deployment are refused,
 * naming the daemon that does. A daemon that loses its claims (fence()) stops trading at once.
 *
 * Work on a session (a bar, the kill switch) runs one at a time per deployment; waiting for the
 * next bar does not hold it, so the kill switch is served between two bars whatever the feed does.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, UserInputError } from '../../../../protocol/src/errors.js';
import type { Deployment, DeploymentEvent, DeploymentState, FeedSpec } from '../../../../protocol/src/daemon/index.js';
import type { StrategyIr } from '../../../../protocol/src/ir.js';
import { fingerprints } from '../../../../language/src/index.js';
import type { ManifestSource } from '../../../../language/src/catalogue/manifest-packs.js';
import { withParamValues } from '../../engine/compiled/index.js';
import { manifestSources, type PackBundle } from '../../engine/packs/bundles.js';
import type { FunctionProvider } from '../../engine/packs/hook.js';
import { onchainReads } from '../../data/onchain/align.js';
import { Mutex } from '../../../../language/src/util/mutex.js';
import { assetsOf } from '../../pipeline/prepare.js';
import { bindParams } from '../../engine/params.js';
import { GroupCommit } from '../../store/group-commit.js';
import type { SqlStore } from '../../store/sql-store.js';
import { OrderJournal } from '../journal.js';
import type { OrderUpdate } from '../order-state.js';
import { isSimulated, paperConfigOf, PaperSession } from '../paper-session.js';
import type { RiskEvent, RiskLimits } from '../risk.js';
import type { StreamBar } from '../streaming.js';
import type { OrderRequest, VenueAdapter } from '../venue.js';
import { lookup, PAPER_VENUE, sleep, type Feed, type FeedFactory, type VenueFactory } from './plugs.js';
import { DeploymentRecords, type DeploymentSpec, type StoredDeployment } from './records.js';
import { deploymentFunctions, folderPackRefusal, packsChanged, packsUsed, samePacks, type DeploymentPack } from './deployment-packs.js';

/** A deployment that cannot be found in the caller's team (another team's is not found either). */
export class DeploymentNotFound extends NotFoundError {
    constructor(id: string) {
        super(`deployment ${id} not found (af deployments ls lists your team's)`);
        this.name = 'DeploymentNotFound';
    }
}

/** 409: a deployment's state does not allow what was asked. */
export class DeploymentStateConflict extends ConflictError {
    constructor(message: string) {
        super(message);
        this.name = 'DeploymentStateConflict';
    }
}

/** -32602: what to deploy is wrong (does not compile, unknown venue, symbols that do not fit). */
export class DeploymentInvalid extends UserInputError {
    constructor(message: string) {
        super(message);
        this.name = 'DeploymentInvalid';
    }
}

export interface StartRequest {
    readonly team: string;
    readonly owner: string;
    readonly mode: 'paper' | 'live';
    readonly source: string;
    readonly uri?: string;
    readonly strategy?: string;
    readonly params?: Readonly<Record<string, number | boolean>>;
    readonly registry?: { readonly name: string; readonly version: number };
    /** With registry: the exact fingerprint the registry recorded (it covers the packs' versions and hashes); the strategy must still compile to it. */
    readonly published?: string;
    readonly venue: string;
    readonly feed: FeedSpec;
    readonly capital?: number;
    readonly limits?: RiskLimits;
}

export interface DeploymentManagerOptions {
    /** Its own connection: journals, bars, events. */
    readonly store: SqlStore;
    /** Compiles a strategy (the daemon's language workers) against `packs`' manifests; throws a one-line message when it cannot. */
    readonly compile: (source: string, o: { uri?: string; strategy?: string; packs?: readonly ManifestSource[] }) => Promise<StrategyIr>;
    /** The packs a source's folder declares, as runs get them (the daemon's DaemonPacks); default: the built-in packs only. */
    readonly packs?: { forUri(uri: string | undefined): { readonly bundles: readonly PackBundle[]; readonly problems: readonly { readonly pack: string; readonly message: string }[] } };
    /** Hands a stored event to the gateway's subscribers of the owning team. */
    readonly publish: (event: DeploymentEvent, team: string) => void;
    readonly venues?: Readonly<Record<string, VenueFactory>>;
    readonly feeds?: Readonly<Record<string, FeedFactory>>;
    /** A feed that sends no bar for this long more than its pace has stopped: the deployment fails (default 60 s). */
    readonly stallMs?: number;
    /** Orders rejected in a row by the venue before the deployment halts (default 3). */
    readonly maxRejects?: number;
    readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
    /** Team mode: which daemon trades each deployment (store/pg-ownership.ts); without it, this process is the only one. */
    readonly claims?: DeploymentClaims;
    /**
     * Team mode: how long a daemon that takes a deployment over from a gone one waits, holding the
     * claim, before it reads the stored state (default 2 s). The previous holder stops at the bar it
     * is on when it loses the claim, but a bar write it already sent may still commit: resuming from
     * state read before that write would trade that bar again and collide with it.
     */
    readonly takeoverSettleMs?: number;
}

/** Exclusive claims on deployments shared by several daemons. */
export interface DeploymentClaims {
    /** True: this daemon holds it now (or already did); false: another daemon does. */
    claim(resource: string): Promise<boolean>;
    release(resource: string): Promise<void>;
    /** The name of the daemon that holds it, if any. */
    holder(resource: string): Promise<string | undefined>;
}

const claimOf = (id: string): string => `deployment:${id}`;

/** What a resumed deployment's state event says, and the start of the reason when it cannot be resumed. */
interface Why {
    readonly resumed: string;
    readonly failed: string;
    /** Wait this long after claiming, before reading the stored state (take-over from a live process's lost claim). */
    readonly settleMs?: number;
}

const FINAL: ReadonlySet<DeploymentState> = new Set(['stopped', 'failed']);
const RESUMABLE: readonly DeploymentState[] = ['starting', 'warming', 'running'];

/** One deployment this process runs. */
interface Active {
    readonly spec: DeploymentSpec;
    readonly session: PaperSession<VenueAdapter>;
    readonly mutex: Mutex;
    readonly abort: AbortController;
    state: DeploymentState;
    seq: number;
    bars: number;
    pending: DeploymentEvent[];
    /** Why the loop is to end, set by whoever ends it (its own end leaves it undefined). */
    ending?: 'stop' | 'kill' | 'close';
    done: Promise<void>;
    rejectsInRow: number;
    lastReject: string;
    /** Orders handed to the venue, by client order id (events name their symbol and side). */
    readonly orders: Map<string, OrderRequest>;
    lastCloses: readonly number[];
    /** The risk engine's last reason for HALTED. */
    haltReason?: string;
}

export class DeploymentManager {
    private readonly records: DeploymentRecords;
    private readonly active = new Map<string, Active>();
    private readonly venues: Readonly<Record<string, VenueFactory>>;
    private readonly feeds: Readonly<Record<string, FeedFactory>>;
    /** Every deployment's bar (with its journal batch) of a moment in one transaction of the store's one connection. */
    readonly group: GroupCommit;
    private closed = false;
    /** A recovery or take-over in progress (one at a time). */
    private recovering: Promise<number> | undefined;

    constructor(private readonly o: DeploymentManagerOptions) {
        this.records = new DeploymentRecords(o.store);
        this.group = new GroupCommit(o.store);
        this.venues = { paper: PAPER_VENUE, ...o.venues };
        this.feeds = { ...o.feeds };
    }

    /** Starts a deployment: compiled and checked first (a mistake is an error here, and nothing is stored); then it runs on its own. */
    async start(r: StartRequest): Promise<Deployment> {
        if (this.closed) throw new DeploymentStateConflict('the daemon is stopping; start the deployment once it is back');
        const label = r.registry ? `${r.registry.name}@${r.registry.version}` : undefined;
        const ir = await this.compileOrThrow(r.source, r.uri, r.strategy, label);
        // Its strategy runs on this thread: shipped packs only (deployment-packs.ts).
        const refusal = folderPackRefusal(ir);
        if (refusal) throw new DeploymentInvalid(refusal);
        const packs = packsUsed(ir);
        // A feed brings bars only: on-chain functions would read nothing and the strategy would silently never act.
        const onchain = onchainReads(ir);
        if (onchain.size > 0) {
            throw new DeploymentInvalid(`${ir.strategy} reads on-chain data (${[...onchain].join(', ')}), which paper and live deployments cannot feed yet (their feeds bring bars only); backtest it (runs.submit), or deploy a strategy without the onchain pack's functions`);
        }
        lookup(this.venues, r.venue, 'venue');
        lookup(this.feeds, r.feed.kind, 'feed');
        const assets = assetsOf(ir, r.feed.symbols);
        const params = bindParams(ir, r.params);
        if (r.published !== undefined) {
            const now = fingerprints(withParamValues(ir, params)).exact;
            if (now !== r.published) {
                throw new DeploymentInvalid(`${label} no longer compiles to what was published (fingerprint ${r.published.slice(0, 12)}…, now ${now.slice(0, 12)}…): a pack it uses or a file it imports changed since; publish it again and deploy the new version`);
            }
        }
        const id = `dep_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
        let capital: number | null = null;
        const spec0: DeploymentSpec = {
            id, team: r.team, owner: r.owner, mode: r.mode, strategy: ir.strategy, source: r.source, uri: r.uri ?? null, params, registry: r.registry ?? null,
            venue: r.venue, feed: { kind: r.feed.kind, barMs: r.feed.barMs, symbols: assets.map(a => `${a.venue}:${a.symbol}`), from: str(r.feed.from), to: str(r.feed.to) },
            capital: r.capital ?? null, limits: r.limits ?? {}, packs,
        };
        let tracked: Active | undefined;
        const session = await this.session(spec0, ir, e => tracked && this.riskEvent(tracked, e), c => { capital = c; });
        if (!isSimulated(session.venue)) {
            const clash = await this.sharedAccount(spec0);
            if (clash) { session.close(); throw new DeploymentStateConflict(clash); }
        }
        const spec = { ...spec0, capital };
        if (this.o.claims && !await this.o.claims.claim(claimOf(id))) { session.close(); throw new DeploymentStateConflict(`deployment ${id} is claimed by another daemon; try again`); }
        try {
            await this.records.insert(spec, 'starting');
        } catch (e) {
            session.close();
            await this.o.claims?.release(claimOf(id));
            throw e;
        }
        const a = tracked = this.track(spec, session, 'starting', 0, 0);
        this.emit(a, 'state', { state: 'starting', previous: null, reason: null });
        await this.flush(a);
        a.done = this.run(a, ir, false);
        return (await this.records.get(r.team, id))!.wire;
    }

    /**
     * A real spot venue keeps one book per account: a deployment's position in BTC/USDT is the
     * account's BTC balance, so a second deployment of the team on the same venue and market would
     * count the first one's BTC as its own, trade against it, and flatten it at its kill switch.
     * Refused, naming the one that holds the market, until it has stopped. (The paper venue gives
     * every deployment an account of its own.)
     */
    private async sharedAccount(s: DeploymentSpec): Promise<string | undefined> {
        const market = (x: string) => x.slice(x.indexOf(':') + 1);
        const mine = new Set(s.feed.symbols.map(market));
        for (const d of (await this.records.list(s.team)).deployments) {
            if (FINAL.has(d.wire.state) || d.spec.venue !== s.venue) continue;
            const shared = d.spec.feed.symbols.map(market).filter(m => mine.has(m));
            if (shared.length) {
                return `deployment ${d.spec.id} (${d.spec.strategy}, ${d.wire.state}) already trades ${shared.join(', ')} on ${s.venue} with your team's account: on a spot venue a position is the account's balance, so two deployments would trade and flatten each other's; stop it first (af deployments stop ${d.spec.id}), then deploy again`;
            }
        }
        return undefined;
    }

    /**
     * At daemon start: deployments a previous process left trading are resumed (each on its own);
     * with `claims`, only those no live daemon holds. The count resumed.
     */
    async recover(): Promise<number> {
        return this.resumeOrphans({ resumed: 'resumed after a daemon restart', failed: 'cannot resume after the daemon restarted' });
    }

    /**
     * Team mode, every few seconds: the deployments whose daemon is gone (their claim is free) are
     * resumed here, from their stored bars and journal, as a restart would. The count taken over.
     */
    async takeOver(): Promise<number> {
        if (!this.o.claims || this.closed || this.recovering) return 0;
        return this.resumeOrphans({
            resumed: 'resumed here, taken over from a daemon that is gone', failed: 'cannot take over from a daemon that is gone',
            settleMs: this.o.takeoverSettleMs ?? 2000,
        });
    }

    /**
     * The claims are lost (the connection that held them): another daemon may take the deployments
     * over now, so trading here ends at once — each loop after the bar it is on, states kept (the
     * holder of the claim resumes them).
     */
    fence(): void {
        const all = [...this.active.values()];
        for (const a of all) {
            a.ending ??= 'close';
            a.abort.abort(new Error('this daemon lost its claim on the deployment'));
        }
        for (const a of all) {
            this.o.log?.('warn', `deployment ${a.spec.id} stopped trading here: this daemon lost its claim on it (the control plane's connection); a daemon that holds the claim resumes it`, { deployment: a.spec.id, team: a.spec.team });
            this.forget(a);
        }
    }

    private resumeOrphans(why: Why): Promise<number> {
        if (this.recovering) return this.recovering;
        const p = this.resumeNow(why).finally(() => { this.recovering = undefined; });
        this.recovering = p;
        return p;
    }

    private async resumeNow(why: Why): Promise<number> {
        for (const d of await this.records.inStates(['stopping'])) {
            if (this.active.has(d.spec.id)) continue;
            const claimed = await this.claimInactive(d, ['stopping']);
            if (!claimed) continue;
            try {
                await this.finishInactive(claimed.spec, 'stopped', 'the daemon stopped while the deployment was stopping');
            } finally {
                await this.o.claims?.release(claimOf(claimed.spec.id));
            }
        }
        let resumed = 0;
        const found = (await this.records.inStates(RESUMABLE)).filter(f => !this.active.has(f.spec.id));
        if (why.settleMs && this.o.claims) {
            // Claimed first, then one wait for all of them: the gone holder's last writes land before any state is read.
            const held: StoredDeployment[] = [];
            for (const f of found) if (await this.o.claims.claim(claimOf(f.spec.id))) held.push(f);
            if (!held.length) return 0;
            await new Promise(resolve => setTimeout(resolve, why.settleMs));
            found.splice(0, found.length, ...held);
        }
        for (const f of found) {
            if (this.closed) break;
            if (this.active.has(f.spec.id)) continue;
            const d = await this.claimInactive(f, RESUMABLE);
            if (!d) continue;
            const s = d.spec;
            this.o.log?.('info', `resuming deployment ${s.id} (${s.strategy}) after ${d.wire.bars} bars (${why.resumed})`, { deployment: s.id, team: s.team });
            let ir: StrategyIr;
            try {
                ir = await this.recompile(s);
            } catch (e) {
                await this.finishInactive(s, 'failed', `${why.failed}: ${message(e)}`);
                await this.o.claims?.release(claimOf(s.id));
                continue;
            }
            let tracked: Active | undefined;
            let session: PaperSession<VenueAdapter>;
            try {
                session = await this.session(s, ir, e => tracked && this.riskEvent(tracked, e));
            } catch (e) {
                await this.finishInactive(s, 'failed', `${why.failed}: ${message(e)}`);
                await this.o.claims?.release(claimOf(s.id));
                continue;
            }
            const a = tracked = this.track(s, session, d.wire.state, await this.records.lastSeq(s.team, s.id), d.wire.bars);
            a.done = this.run(a, ir, true, why.resumed);
            resumed++;
        }
        return resumed;
    }

    /**
     * A deployment this process does not run, claimed for this daemon (no claims: this process is the
     * only one) and read again under the claim; undefined when another daemon holds it or its state
     * is no longer one of `states` (it ended before the claim was taken: the claim is given back).
     */
    private async claimInactive(d: StoredDeployment, states: readonly DeploymentState[]): Promise<StoredDeployment | undefined> {
        const claims = this.o.claims;
        if (!claims) return d;
        if (!await claims.claim(claimOf(d.spec.id))) return undefined;
        const now = await this.records.get(d.spec.team, d.spec.id);
        if (!now || !states.includes(now.wire.state) || this.active.has(d.spec.id)) {
            if (!this.active.has(d.spec.id)) await claims.release(claimOf(d.spec.id));
            return undefined;
        }
        return now;
    }

    /** Stop and kill of a deployment this process does not run: claimed here, or refused naming the daemon that trades it. */
    private async claimOrRefuse(d: StoredDeployment, what: string): Promise<StoredDeployment> {
        const claims = this.o.claims;
        if (!claims) return d;
        if (await claims.claim(claimOf(d.spec.id))) return (await this.records.get(d.spec.team, d.spec.id)) ?? d;
        const holder = await claims.holder(claimOf(d.spec.id)).catch(() => undefined);
        throw new DeploymentStateConflict(`deployment ${d.spec.id} is traded by another daemon (${holder ?? 'it holds its claim'}): ${what} it through that daemon; if that daemon is gone, a live one takes the deployment over within seconds`);
    }

    async get(team: string, id: string): Promise<Deployment> {
        return (await this.own(team, id)).wire;
    }

    async list(team: string, o: { state?: DeploymentState; limit?: number; offset?: number }): Promise<{ deployments: Deployment[]; total: number }> {
        const r = await this.records.list(team, o);
        return { deployments: r.deployments.map(d => d.wire), total: r.total };
    }

    /** Stops trading: no bar after this one is traded on; open orders stay with the venue (the kill switch cancels them). */
    async stop(team: string, id: string, actor: string, reason?: string): Promise<Deployment> {
        const d = await this.own(team, id);
        if (FINAL.has(d.wire.state)) throw new DeploymentStateConflict(`deployment ${id} has already ${d.wire.state === 'failed' ? 'failed' : 'stopped'}: ${d.wire.reason ?? ''}`.trim());
        const why = `stopped by ${actor}${reason ? `: ${reason}` : ''}`;
        const a = this.active.get(id);
        if (a) {
            a.ending ??= 'stop';
            await a.mutex.run(() => this.move(a, 'stopping', why));
            a.abort.abort(new Error(why));
            await a.done;
            await a.mutex.run(() => this.move(a, 'stopped', why));
            this.forget(a);
        } else {
            const claimed = await this.claimOrRefuse(d, 'stop');
            try {
                if (FINAL.has(claimed.wire.state)) throw new DeploymentStateConflict(`deployment ${id} has already ${claimed.wire.state === 'failed' ? 'failed' : 'stopped'}: ${claimed.wire.reason ?? ''}`.trim());
                await this.finishInactive(claimed.spec, 'stopped', why);
            } finally {
                if (!this.active.has(id)) await this.o.claims?.release(claimOf(id));
            }
        }
        return this.get(team, id);
    }

    /**
     * The kill switch: HALTED, every open order cancelled, every position flattened, the deployment
     * halted. Served between two bars, whatever the feed and the strategy are doing.
     */
    async kill(team: string, target: { id: string } | { all: true }, actor: string, reason?: string): Promise<Deployment[]> {
        const targets = 'id' in target ? [await this.own(team, target.id)] : (await this.records.list(team)).deployments.filter(d => !FINAL.has(d.wire.state));
        const why = `kill switch by ${actor}${reason ? `: ${reason}` : ''}`;
        const out: Deployment[] = [];
        /** Kill-all: deployments another daemon trades are refused after every other one is killed (the switch must not stop halfway). */
        const elsewhere: string[] = [];
        for (const d of targets) {
            if (FINAL.has(d.wire.state)) throw new DeploymentStateConflict(`deployment ${d.spec.id} has already ${d.wire.state}; nothing to kill`);
            let a = this.active.get(d.spec.id);
            if (!a) {
                let claimed: StoredDeployment;
                try {
                    claimed = await this.claimOrRefuse(d, 'kill');
                } catch (e) {
                    if ('id' in target || !(e instanceof DeploymentStateConflict)) throw e;
                    elsewhere.push(e.message);
                    continue;
                }
                a = FINAL.has(claimed.wire.state) ? undefined : await this.reopen(claimed).catch(async (e: unknown) => { await this.o.claims?.release(claimOf(d.spec.id)); throw e; });
                if (!a) await this.o.claims?.release(claimOf(d.spec.id));
            }
            if (a) {
                const active = a;
                active.ending ??= 'kill';
                active.abort.abort(new Error(why));
                await active.mutex.run(async () => {
                    await active.session.kill(why);
                    await this.move(active, 'halted', why);
                    await this.account(active, null);
                });
            }
            out.push(await this.get(team, d.spec.id));
        }
        if (elsewhere.length) throw new DeploymentStateConflict(`killed ${out.length} deployment(s) here (${out.map(d => d.id).join(', ') || 'none'}); not the others: ${elsewhere.join('; ')}`);
        return out;
    }

    /** Positions and balances: the venue's while the deployment runs here, else as its journal adds them up. */
    async positions(team: string, id?: string): Promise<{ positions: { deployment: string; symbol: string; qty: number; lastPrice: number | null }[]; balances: { deployment: string; currency: string; amount: number }[] }> {
        const ds = id ? [await this.own(team, id)] : (await this.records.list(team)).deployments.filter(d => !FINAL.has(d.wire.state));
        const positions = [], balances = [];
        for (const d of ds) {
            const a = this.active.get(d.spec.id);
            let pos: Record<string, number>, bal: Record<string, number>;
            if (a) {
                [pos, bal] = await Promise.all([a.session.venue.positions(), a.session.venue.balances()]);
            } else {
                ({ pos, bal } = await this.fromJournal(d));
            }
            const last = (s: string): number | null => {
                const i = d.spec.feed.symbols.indexOf(s);
                const c = a && i >= 0 ? a.lastCloses[i] : undefined;
                return c !== undefined && c === c ? c : null;
            };
            for (const [symbol, qty] of Object.entries(pos)) if (Math.abs(qty) > 1e-12) positions.push({ deployment: d.spec.id, symbol, qty, lastPrice: last(symbol) });
            for (const [currency, amount] of Object.entries(bal)) balances.push({ deployment: d.spec.id, currency, amount });
        }
        return { positions, balances };
    }

    async orders(team: string, o: { id?: string; open?: boolean; limit: number }) {
        const ds = o.id ? [await this.own(team, o.id)] : (await this.records.list(team)).deployments;
        const out = [];
        for (const d of ds) {
            for (const x of await new OrderJournal(this.o.store, team, d.spec.id).orders({ open: o.open })) {
                out.push({
                    deployment: d.spec.id, clientOrderId: x.clientOrderId, symbol: x.symbol, side: x.side, type: x.type, qty: x.qty, price: x.price ?? null,
                    reduceOnly: x.reduceOnly ?? false, barTs: x.barTs, state: x.state, filledQty: x.filledQty, avgPrice: x.avgPrice, fees: x.fees, createdAt: x.createdAt, updatedAt: x.updatedAt,
                });
            }
        }
        return out.slice(-o.limit);
    }

    async events(team: string, id: string, afterSeq: number, limit: number): Promise<{ events: DeploymentEvent[]; nextSeq: number; done: boolean }> {
        const d = await this.own(team, id);
        const events = await this.records.readEvents(team, id, afterSeq, limit);
        const nextSeq = events.length ? events[events.length - 1]!.seq : afterSeq;
        const last = await this.records.lastSeq(team, id);
        return { events, nextSeq, done: FINAL.has(d.wire.state) && nextSeq >= last };
    }

    /** The daemon stops: every loop ends after its bar, states stay as they are (the next start resumes them). */
    async close(graceMs = 5000): Promise<void> {
        this.closed = true;
        const all = [...this.active.values()];
        for (const a of all) { a.ending ??= 'close'; a.abort.abort(new Error('the daemon is stopping')); }
        await Promise.race([Promise.all(all.map(a => a.done)), new Promise(r => setTimeout(r, graceMs).unref())]);
        // What the venues sent since the last bar: committed before the store closes (a restart's reconcile would find it too).
        await Promise.all(all.map(a => a.session.journal.flush().catch(() => undefined)));
        for (const a of all) this.forget(a);
    }

    // ------------------------------------------------------------------------------------ the loop

    private async run(a: Active, ir: StrategyIr, resume: boolean, resumed = 'resumed after a daemon restart'): Promise<void> {
        const s = a.spec;
        let feed: Feed | undefined;
        try {
            const history = resume ? await this.records.bars(s.team, s.id) : [];
            feed = await lookup(this.feeds, s.feed.kind, 'feed')({
                name: s.feed.kind, team: s.team, ir, assets: s.feed.symbols.map(x => ({ venue: x.slice(0, x.indexOf(':')), symbol: x.slice(x.indexOf(':') + 1) })),
                ...(s.feed.from !== null ? { from: s.feed.from } : {}), ...(s.feed.to !== null ? { to: s.feed.to } : {}), barMs: s.feed.barMs,
                ...(history.length ? { afterTs: history[history.length - 1]!.ts } : {}), warmupBars: a.session.engine.warmupBars,
            });
            let first: StreamBar | null | undefined;
            if (resume) {
                first = await this.next(a, feed);
                const decided = first !== null && (await a.session.journal.orders()).some(o => o.barTs === first!.ts);
                await a.mutex.run(async () => {
                    // The risk engine as it was (state, marks, order rate), not reset by the restart.
                    await this.restoreRisk(a);
                    if (decided) {
                        // Decided before the crash, not stored: its fills are journaled; decide it again, nothing is sent twice.
                        const outcome = (await a.session.resume([...history, first!]))!;
                        await a.session.gateway.onBar(outcome, first!.assets.map(b => b?.close ?? NaN));
                        await a.session.settled();
                        await this.account(a, first!);
                        first = undefined;
                    } else {
                        await a.session.resume(history);
                        a.lastCloses = history.length ? history[history.length - 1]!.assets.map(b => b?.close ?? NaN) : [];
                    }
                });
                this.emit(a, 'state', { state: a.state, previous: a.state, reason: `${resumed}, at bar ${a.bars}` });
                await a.mutex.run(() => this.flush(a));
                if (a.session.risk.state === 'HALTED') {
                    // Halted before the restart (stored with its bar, the move to halted was not): it stays halted.
                    await a.mutex.run(() => this.move(a, 'halted', `the risk engine halted trading before the daemon restarted: ${a.haltReason ?? 'a limit was reached'}`));
                    return;
                }
            }
            if (a.state === 'starting') await a.mutex.run(() => this.move(a, a.session.engine.warmupBars > a.bars ? 'warming' : 'running', null));
            for (;;) {
                if (a.ending) return;
                const bar = first !== undefined ? first : await this.next(a, feed);
                first = undefined;
                if (bar === null) {
                    await a.mutex.run(() => this.move(a, 'stopped', `the ${s.feed.kind} feed ended after ${a.bars} bars; start a new deployment to trade on`));
                    this.forget(a);
                    return;
                }
                const halt = await a.mutex.run(() => this.step(a, bar));
                if (halt) {
                    await a.mutex.run(() => this.move(a, 'halted', halt));
                    return;
                }
            }
        } catch (e) {
            if (a.ending) return; // stopped, killed or the daemon is closing: whoever ended it states it
            this.o.log?.('warn', `deployment ${s.id} failed: ${message(e)}`, { deployment: s.id, team: s.team });
            await a.mutex.run(() => this.move(a, 'failed', message(e))).catch(() => undefined);
            this.forget(a);
        } finally {
            feed?.close();
        }
    }

    /** The next bar, or a failure that says the feed stopped sending. */
    private async next(a: Active, feed: Feed): Promise<StreamBar | null> {
        const pace = feed.paceMs ?? a.spec.feed.barMs;
        const limit = (this.o.stallMs ?? 60_000) + pace;
        const watchdog = new AbortController();
        const stalled = sleep(limit, AbortSignal.any([watchdog.signal, a.abort.signal])).then(() => {
            throw new Error(`the ${a.spec.feed.kind} feed has sent no bar for ${Math.round(limit / 1000)} s (one was due every ${pace} ms): it has stopped; check the feed and start the deployment again`);
        });
        try {
            return await Promise.race([feed.next(a.abort.signal).catch((e: unknown) => {
                if (a.abort.signal.aborted) throw e;
                throw new Error(`the ${a.spec.feed.kind} feed failed: ${message(e)}`);
            }), stalled]);
        } finally {
            watchdog.abort();
            stalled.catch(() => undefined);
        }
    }

    /** One bar traded on; the reason to halt, if any. */
    private async step(a: Active, bar: StreamBar): Promise<string | null> {
        const { session } = a;
        // Its orders leave now; the journal commits them with the bar (account → flush): one transaction per bar.
        await session.bar(bar, { commit: false });
        if (a.state === 'warming' && session.engine.bars >= session.engine.warmupBars) await this.move(a, 'running', null);
        let halt: string | null = null;
        if (a.rejectsInRow >= (this.o.maxRejects ?? 3)) {
            halt = `the venue ${a.spec.venue} rejected ${a.rejectsInRow} orders in a row (last: ${a.lastReject}); check the venue (account, keys, symbols) and start a new deployment`;
            session.risk.setState('HALTED', halt, Date.now());
        } else if (session.risk.state === 'HALTED') {
            halt = `the risk engine halted trading: ${a.haltReason ?? 'a limit was reached'}`;
        }
        await this.account(a, bar);
        return halt;
    }

    /** The account after a bar (or the kill switch): stored with the bar and published. */
    private async account(a: Active, bar: StreamBar | null): Promise<void> {
        const v = a.session.venue;
        const [positions, balances] = await Promise.all([v.positions(), v.balances()]);
        if (bar) a.lastCloses = bar.assets.map(b => b?.close ?? NaN);
        let equity = Object.values(balances).reduce((x, y) => x + y, 0);
        for (const [sym, q] of Object.entries(positions)) {
            const i = a.spec.feed.symbols.indexOf(sym) >= 0 ? a.spec.feed.symbols.indexOf(sym) : a.session.symbols.indexOf(sym);
            const c = a.lastCloses[i];
            equity += q * (c !== undefined && c === c ? c : 0);
        }
        const pnl = a.spec.capital !== null ? equity - a.spec.capital : null;
        if (bar) a.bars++;
        const m = a.session.risk.memory();
        this.emit(a, 'account', { bar: a.bars, barTs: bar?.ts ?? null, equity, pnl, balances, positions, riskState: m.state, risk: { peak: m.peak, day: m.day, dayStart: m.dayStart } });
        await this.flush(a, bar, { bars: a.bars, warmupBars: a.session.engine.warmupBars, riskState: a.session.risk.state, equity, pnl });
    }

    // ------------------------------------------------------------------------------- the pieces

    /** The deployment's session on its venue (connected first); `onRisk` gets every risk decision (the deployment is tracked before any is made). */
    private async session(s: DeploymentSpec, ir: StrategyIr, onRisk: (e: RiskEvent) => void, onCapital: (c: number) => void = () => undefined): Promise<PaperSession<VenueAdapter>> {
        // A journal flush between bars (a fill the venue sent) carries the events made so far, so a fill is never stored without its event.
        const rider = () => {
            const a = this.active.get(s.id);
            if (!a || a.pending.length === 0) return undefined;
            const events = a.pending;
            a.pending = [];
            return {
                write: this.records.eventRows(s.team, s.id, events),
                committed: () => { for (const e of events) this.o.publish(e, s.team); },
                failed: () => { a.pending = events.concat(a.pending); },
            };
        };
        const make = lookup(this.venues, s.venue, 'venue');
        const paper = paperConfigOf(ir, bindParams(ir, s.params), s.capital ?? undefined);
        onCapital(paper.capital);
        const venue = await make({ name: s.venue, team: s.team, deployment: s.id, paper, symbols: s.feed.symbols });
        const functions: FunctionProvider = deploymentFunctions(s.packs ?? packsUsed(ir));
        return new PaperSession<VenueAdapter>({
            store: this.o.store, team: s.team, deployment: s.id, ir, symbols: s.feed.symbols, params: s.params, limits: s.limits, functions,
            ...(s.capital !== null ? { capital: s.capital } : {}),
            venue: () => venue,
            journalCommit: rows => this.group.commit(rows), journalRider: rider,
            onRisk,
        });
    }

    /**
     * After a restart: the risk engine's state from the last state change the journal holds (a kill
     * or a halt stored after the last bar counts), its drawdown peak and daily-loss baseline from the
     * last stored account event, and its order-rate window from the passes of the last minute.
     */
    private async restoreRisk(a: Active): Promise<void> {
        const { risk, journal } = a.session;
        const decisions = await journal.riskEvents();
        const lastState = decisions.filter(e => e.kind === 'state').at(-1);
        const now = Date.now();
        const marks = ((await this.records.lastEvent(a.spec.team, a.spec.id, 'account'))?.data['risk'] ?? {}) as Record<string, unknown>;
        const mark = (k: string): number | null => (typeof marks[k] === 'number' ? marks[k] : null);
        risk.restore({
            state: lastState?.kind === 'state' ? lastState.to : 'ACTIVE', peak: mark('peak'), day: mark('day'), dayStart: mark('dayStart'),
            recent: decisions.filter(e => e.kind === 'pass' && e.ts > now - 60_000).map(e => e.ts),
        });
        if (lastState?.kind === 'state' && lastState.to === 'HALTED') a.haltReason = lastState.reason;
    }

    private riskEvent(a: Active, e: RiskEvent): void {
        if (e.kind === 'deny') this.emit(a, 'risk', { decision: 'deny', clientOrderId: e.clientOrderId, reason: e.reason });
        else if (e.kind === 'state') {
            if (e.to === 'HALTED') a.haltReason = e.reason;
            this.emit(a, 'risk', { decision: 'state', from: e.from, to: e.to, reason: e.reason });
        }
    }

    private track(spec: DeploymentSpec, session: PaperSession<VenueAdapter>, state: DeploymentState, seq: number, bars: number): Active {
        const a: Active = {
            spec, session, mutex: new Mutex(), abort: new AbortController(), state, seq, bars, pending: [], done: Promise.resolve(),
            rejectsInRow: 0, lastReject: '', orders: new Map(), lastCloses: [],
        };
        this.active.set(spec.id, a);
        // Orders as they leave, and what the venue does to them.
        const venue = session.venue;
        const submit = venue.submit.bind(venue);
        venue.submit = async o => {
            a.orders.set(o.clientOrderId, o);
            this.emit(a, 'order', { clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, type: o.type, qty: o.qty, price: o.price ?? null, reduceOnly: o.reduceOnly ?? false, state: 'new' });
            return submit(o);
        };
        venue.onUpdate((u: OrderUpdate) => {
            const o = a.orders.get(u.clientOrderId);
            const named = o ? { symbol: o.symbol, side: o.side } : {};
            if (u.kind === 'fill') {
                this.emit(a, 'fill', { clientOrderId: u.clientOrderId, ...named, fillId: u.fillId, qty: u.qty, price: u.price, fee: u.fee });
                return;
            }
            if (u.kind === 'rejected') { a.rejectsInRow++; a.lastReject = u.reason; } else if (u.kind === 'accepted') a.rejectsInRow = 0;
            this.emit(a, 'order', { clientOrderId: u.clientOrderId, ...named, state: u.kind, reason: u.kind === 'rejected' ? u.reason : null });
        });
        return a;
    }

    /** A kill of a deployment this process does not run (halted before a restart): its session rebuilt from its bars and journal. */
    private async reopen(d: StoredDeployment): Promise<Active | undefined> {
        let ir: StrategyIr;
        try {
            ir = await this.recompile(d.spec);
        } catch {
            return undefined; // nothing can be sent for it; its state says what it is
        }
        let tracked: Active | undefined;
        const session = await this.session(d.spec, ir, e => tracked && this.riskEvent(tracked, e));
        const a = tracked = this.track(d.spec, session, d.wire.state, await this.records.lastSeq(d.spec.team, d.spec.id), d.wire.bars);
        const history = await this.records.bars(d.spec.team, d.spec.id);
        await this.restoreRisk(a);
        await session.resume(history);
        a.lastCloses = history.length ? history[history.length - 1]!.assets.map(b => b?.close ?? NaN) : [];
        return a;
    }

    private async move(a: Active, state: DeploymentState, reason: string | null): Promise<void> {
        if (a.state === state && state !== 'starting') return;
        const previous = a.state;
        a.state = state;
        this.emit(a, 'state', { state, previous, reason });
        const events = a.pending;
        a.pending = [];
        // With the journal's queue: the order events among them are stored with their orders.
        await this.records.setState(a.spec.team, a.spec.id, state, reason, events, rows => a.session.journal.flush(rows));
        for (const e of events) this.o.publish(e, a.spec.team);
    }

    private emit(a: Active, kind: DeploymentEvent['kind'], data: Record<string, unknown>): void {
        a.pending.push({ type: 'deployment', deploymentId: a.spec.id, seq: ++a.seq, ts: new Date().toISOString(), kind, data });
    }

    /** Stores the events made so far (with the bar and progress, when given), then publishes them. */
    private async flush(a: Active, bar?: StreamBar | null, progress?: Parameters<DeploymentRecords['bar']>[4]): Promise<void> {
        const events = a.pending;
        a.pending = [];
        if (progress) await this.records.bar(a.spec.team, a.spec.id, a.bars - 1, bar ?? null, progress, events, rows => a.session.journal.flush(rows));
        else if (events.length) await a.session.journal.flush(this.records.eventRows(a.spec.team, a.spec.id, events));
        for (const e of events) this.o.publish(e, a.spec.team);
    }

    private forget(a: Active): void {
        if (this.active.get(a.spec.id) === a) {
            this.active.delete(a.spec.id);
            // Its claim goes with it: another daemon may take it (a final state is never resumed).
            void this.o.claims?.release(claimOf(a.spec.id)).catch(() => undefined);
        }
        a.session.close();
    }

    /** A deployment that no process runs moves to a final state, with its event. */
    private async finishInactive(s: DeploymentSpec, state: 'stopped' | 'failed', reason: string): Promise<void> {
        const d = await this.records.get(s.team, s.id);
        const e: DeploymentEvent = { type: 'deployment', deploymentId: s.id, seq: (await this.records.lastSeq(s.team, s.id)) + 1, ts: new Date().toISOString(), kind: 'state', data: { state, previous: d?.wire.state ?? null, reason } };
        await this.records.setState(s.team, s.id, state, reason, [e]);
        this.o.publish(e, s.team);
    }

    private async fromJournal(d: StoredDeployment): Promise<{ pos: Record<string, number>; bal: Record<string, number> }> {
        const j = new OrderJournal(this.o.store, d.spec.team, d.spec.id);
        const orders = new Map((await j.orders()).map(o => [o.clientOrderId, o]));
        const pos: Record<string, number> = {};
        let cash = d.spec.capital ?? 0;
        for (const f of await j.events()) {
            const o = orders.get(f.clientOrderId);
            if (f.kind !== 'fill' || !o) continue;
            const q = o.side === 'buy' ? f.fillQty! : -f.fillQty!;
            pos[o.symbol] = (pos[o.symbol] ?? 0) + q;
            cash -= q * f.fillPrice! + f.fee!;
        }
        return { pos, bal: { USD: cash } };
    }

    private async own(team: string, id: string): Promise<StoredDeployment> {
        const d = await this.records.get(team, id);
        if (!d) throw new DeploymentNotFound(id);
        return d;
    }

    /** Compiled against the packs its folder declares now, as a run is (packs.forUri); a refused pack is named with the error. */
    private async compileOrThrow(source: string, uri: string | undefined, strategy: string | undefined, label?: string): Promise<StrategyIr> {
        const workspace = this.o.packs?.forUri(uri) ?? { bundles: [], problems: [] };
        try {
            return await this.o.compile(source, { ...(uri !== undefined ? { uri } : {}), ...(strategy !== undefined ? { strategy } : {}), packs: manifestSources(workspace.bundles) });
        } catch (e) {
            const refused = workspace.problems.length ? ` (packs refused for its folder: ${workspace.problems.map(p => p.message).join(' ')})` : '';
            throw new DeploymentInvalid(`${label ?? uri ?? 'the strategy'} does not compile: ${message(e)}${refused}; fix it (af check) and deploy again`);
        }
    }

    /**
     * A stored deployment compiled again (a restart, a kill after one): the packs it was started
     * with must still be its folder's, at the same versions and hashes, and its strategy must use
     * exactly those; otherwise it would trade other code than it was deployed with.
     */
    private async recompile(s: DeploymentSpec): Promise<StrategyIr> {
        const recorded: readonly DeploymentPack[] | null = s.packs;
        if (recorded !== null) {
            const workspace = this.o.packs?.forUri(s.uri ?? undefined) ?? { bundles: [], problems: [] };
            const changed = packsChanged(recorded, workspace.bundles, workspace.problems);
            if (changed) throw new DeploymentInvalid(changed);
        }
        const ir = await this.compileOrThrow(s.source, s.uri ?? undefined, s.strategy, s.registry ? `${s.registry.name}@${s.registry.version}` : undefined);
        if (recorded !== null && !samePacks(recorded, ir)) {
            throw new DeploymentInvalid(`its strategy now uses the packs ${describePacks(packsUsed(ir))}, not ${describePacks(recorded)} it was started with; start a new deployment to trade it`);
        }
        const refusal = folderPackRefusal(ir);
        if (refusal) throw new DeploymentInvalid(refusal);
        return ir;
    }
}

function describePacks(packs: readonly DeploymentPack[]): string {
    return packs.length ? packs.map(p => `${p.name} ${p.version}`).join(', ') : '(built-in only)';
}

function str(x: string | number | undefined): string | null {
    return x === undefined ? null : String(x);
}

function message(e: unknown): string {
    return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
