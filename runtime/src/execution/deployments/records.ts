/**
 * The deployments' rows (schema.ts): the deployment as the protocol shows it, the bars it traded
 * on, and its stored events. Every query names the team: a deployment of another team is not found.
 */
import type { Deployment, DeploymentEvent, DeploymentState, FeedSpec } from '../../../../protocol/src/daemon/index.js';
import { GroupCommit, type GroupWrite } from '../../store/group-commit.js';
import type { SqlStore } from '../../store/sql-store.js';
import type { RiskLimits } from '../risk.js';
import type { StreamBar } from '../streaming.js';
import type { DeploymentPack } from './deployment-packs.js';

/** What a deployment was started with: enough to compile and start it again after a restart. */
export interface DeploymentSpec {
    readonly id: string;
    readonly team: string;
    readonly owner: string;
    readonly mode: 'paper' | 'live';
    readonly strategy: string;
    readonly source: string;
    readonly uri: string | null;
    readonly params: Readonly<Record<string, number | boolean>>;
    readonly registry: { readonly name: string; readonly version: number } | null;
    readonly venue: string;
    readonly feed: Required<Pick<FeedSpec, 'kind' | 'barMs'>> & { readonly symbols: readonly string[]; readonly from: string | null; readonly to: string | null };
    readonly capital: number | null;
    readonly limits: RiskLimits;
    /** The packs its strategy used when it started (deployment-packs.ts); null: started before they were recorded. */
    readonly packs: readonly DeploymentPack[] | null;
}

export interface Progress {
    readonly bars: number;
    readonly warmupBars: number | null;
    readonly riskState: string | null;
    readonly equity: number | null;
    readonly pnl: number | null;
}

const COLUMNS = `id, team, owner, mode, state, reason, strategy, source, uri, params, registry_name, registry_version, venue, feed, capital, limits,
    bars, warmup_bars, risk_state, equity, pnl, created_at, updated_at, finished_at, packs`;

export interface StoredDeployment { readonly wire: Deployment; readonly spec: DeploymentSpec }

// Row templates (store/group-commit.ts): the rows of every deployment committed together share statements.
const INSERT_BAR = `INSERT INTO deployment_bars (team, deployment, seq, ts, assets) VALUES {values}`;
const INSERT_EVENTS = `INSERT INTO deployment_events (team, deployment, seq, ts, kind, data) VALUES {values}`;
const SET_PROGRESS = `UPDATE deployments SET bars = v.bars, warmup_bars = v.warmup_bars, risk_state = v.risk_state, equity = v.equity, pnl = v.pnl, updated_at = v.updated_at
    FROM (VALUES {values}) AS v(team, id, bars, warmup_bars, risk_state, equity, pnl, updated_at) WHERE deployments.team = v.team AND deployments.id = v.id`;
const SET_STATE = `UPDATE deployments SET state = v.state, reason = v.reason, updated_at = v.now, finished_at = CASE WHEN v.final THEN v.now ELSE deployments.finished_at END
    FROM (VALUES {values}) AS v(team, id, state, reason, now, final) WHERE deployments.team = v.team AND deployments.id = v.id`;

export class DeploymentRecords {
    constructor(private readonly store: SqlStore, private readonly clock: () => Date = () => new Date()) {}

    async insert(s: DeploymentSpec, state: DeploymentState): Promise<void> {
        const now = this.clock().toISOString();
        await this.store.run(`INSERT INTO deployments (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, NULL, NULL, NULL, NULL, $16, $16, NULL, $17)`, [
            s.id, s.team, s.owner, s.mode, state, s.strategy, s.source, s.uri, JSON.stringify(s.params), s.registry?.name ?? null, s.registry?.version ?? null,
            s.venue, JSON.stringify(s.feed), s.capital, JSON.stringify(s.limits), now, s.packs === null ? null : JSON.stringify(s.packs),
        ]);
    }

    /** A new state with the events that say so, in one transaction (`commit`: as for bar): whoever reads the state can read its event. */
    async setState(team: string, id: string, state: DeploymentState, reason: string | null, events: readonly DeploymentEvent[] = [],
        commit: (write: GroupWrite) => Promise<void> = write => GroupCommit.once(this.store, write)): Promise<void> {
        const now = this.clock().toISOString();
        const final = state === 'stopped' || state === 'failed';
        await commit(sink => {
            sink.add(SET_STATE, [team, id, state, reason, now, final], ['VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BOOLEAN']);
            this.eventRows(team, id, events)(sink);
        });
    }

    /**
     * A bar traded on, the progress after it and the events it made: one transaction, so a restart
     * sees all of it or none. `commit` runs the rows in a transaction (default: its own; the
     * deployment's: the journal's flush, so the bar is stored with its orders and fills, in the
     * group commit the deployments share).
     */
    async bar(team: string, id: string, seq: number, bar: StreamBar | null, p: Progress, events: readonly DeploymentEvent[],
        commit: (write: GroupWrite) => Promise<void> = write => GroupCommit.once(this.store, write)): Promise<void> {
        const now = this.clock().toISOString();
        await commit(sink => {
            if (bar) sink.add(INSERT_BAR, [team, id, seq, bar.ts, JSON.stringify(bar.assets)]);
            sink.add(SET_PROGRESS, [team, id, p.bars, p.warmupBars, p.riskState, finiteOrNull(p.equity), finiteOrNull(p.pnl), now],
                ['VARCHAR', 'VARCHAR', 'INTEGER', 'INTEGER', 'VARCHAR', 'DOUBLE', 'DOUBLE', 'VARCHAR']);
            this.eventRows(team, id, events)(sink);
        });
    }

    async events(team: string, id: string, events: readonly DeploymentEvent[]): Promise<void> {
        if (events.length) await GroupCommit.once(this.store, this.eventRows(team, id, events));
    }

    /** The events' rows, for a transaction the caller holds (the journal's flush). */
    eventRows(team: string, id: string, events: readonly DeploymentEvent[]): GroupWrite {
        return sink => { for (const e of events) sink.add(INSERT_EVENTS, [team, id, e.seq, e.ts, e.kind, JSON.stringify(e.data)]); };
    }

    async get(team: string, id: string): Promise<StoredDeployment | undefined> {
        const rows = await this.store.rows(`SELECT ${COLUMNS} FROM deployments WHERE team = $1 AND id = $2`, [team, id]);
        return rows[0] ? toStored(rows[0]) : undefined;
    }

    async list(team: string, o: { state?: DeploymentState; limit?: number; offset?: number } = {}): Promise<{ deployments: StoredDeployment[]; total: number }> {
        const args: string[] = [team];
        let where = 'team = $1';
        if (o.state) { args.push(o.state); where += ` AND state = $${args.length}`; }
        const total = Number(await this.store.scalar(`SELECT count(*)::DOUBLE FROM deployments WHERE ${where}`, args));
        const rows = await this.store.rows(`SELECT ${COLUMNS} FROM deployments WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ${o.limit ?? 1000} OFFSET ${o.offset ?? 0}`, args);
        return { deployments: rows.map(toStored), total };
    }

    /** Every team's deployments in these states (the daemon's recovery at start). */
    async inStates(states: readonly DeploymentState[]): Promise<StoredDeployment[]> {
        const rows = await this.store.rows(`SELECT ${COLUMNS} FROM deployments WHERE state IN (${states.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY created_at`, [...states]);
        return rows.map(toStored);
    }

    async bars(team: string, id: string): Promise<StreamBar[]> {
        const rows = await this.store.rows(`SELECT ts, assets FROM deployment_bars WHERE team = $1 AND deployment = $2 ORDER BY seq`, [team, id]);
        return rows.map(r => ({ ts: Number(r['ts']), assets: JSON.parse(String(r['assets'])) as StreamBar['assets'] }));
    }

    async lastSeq(team: string, id: string): Promise<number> {
        return Number(await this.store.scalar(`SELECT coalesce(max(seq), 0)::DOUBLE FROM deployment_events WHERE team = $1 AND deployment = $2`, [team, id]));
    }

    /** The latest stored event of a kind (a resumed deployment's risk marks are in its last account event). */
    async lastEvent(team: string, id: string, kind: DeploymentEvent['kind']): Promise<DeploymentEvent | undefined> {
        const r = (await this.store.rows(`SELECT seq, ts, kind, data FROM deployment_events WHERE team = $1 AND deployment = $2 AND kind = $3 ORDER BY seq DESC LIMIT 1`, [team, id, kind]))[0];
        return r && { type: 'deployment', deploymentId: id, seq: Number(r['seq']), ts: String(r['ts']), kind: r['kind'] as DeploymentEvent['kind'], data: JSON.parse(String(r['data'])) as Record<string, unknown> };
    }

    async readEvents(team: string, id: string, afterSeq: number, limit: number): Promise<DeploymentEvent[]> {
        const rows = await this.store.rows(`SELECT seq, ts, kind, data FROM deployment_events WHERE team = $1 AND deployment = $2 AND seq > $3 ORDER BY seq LIMIT ${limit}`, [team, id, afterSeq]);
        return rows.map(r => ({ type: 'deployment', deploymentId: id, seq: Number(r['seq']), ts: String(r['ts']), kind: r['kind'] as DeploymentEvent['kind'], data: JSON.parse(String(r['data'])) as Record<string, unknown> }));
    }
}

function finiteOrNull(x: number | null): number | null {
    return x !== null && Number.isFinite(x) ? x : null;
}

function num(x: unknown): number | null {
    return x === null || x === undefined ? null : Number(x);
}

function toStored(r: Record<string, unknown>): StoredDeployment {
    const feed = JSON.parse(String(r['feed'])) as DeploymentSpec['feed'];
    const registry = r['registry_name'] === null ? null : { name: String(r['registry_name']), version: Number(r['registry_version']) };
    const params = JSON.parse(String(r['params'])) as Record<string, number | boolean>;
    const spec: DeploymentSpec = {
        id: String(r['id']), team: String(r['team']), owner: String(r['owner']), mode: r['mode'] as DeploymentSpec['mode'], strategy: String(r['strategy']),
        source: String(r['source']), uri: r['uri'] === null ? null : String(r['uri']), params, registry, venue: String(r['venue']), feed,
        capital: num(r['capital']), limits: JSON.parse(String(r['limits'])) as RiskLimits,
        packs: r['packs'] === null || r['packs'] === undefined ? null : JSON.parse(String(r['packs'])) as DeploymentPack[],
    };
    const wire: Deployment = {
        id: spec.id, mode: spec.mode, state: r['state'] as DeploymentState, reason: r['reason'] === null ? null : String(r['reason']), team: spec.team, owner: spec.owner,
        strategy: spec.strategy, registry, uri: spec.uri, params: { ...params }, venue: spec.venue,
        feed: { kind: feed.kind, symbols: [...feed.symbols], from: feed.from, to: feed.to, barMs: feed.barMs }, capital: spec.capital,
        bars: Number(r['bars']), warmupBars: num(r['warmup_bars']), riskState: (r['risk_state'] ?? null) as Deployment['riskState'],
        equity: num(r['equity']), pnl: num(r['pnl']), createdAt: String(r['created_at']), updatedAt: String(r['updated_at']),
        finishedAt: r['finished_at'] === null ? null : String(r['finished_at']),
        ...(spec.packs !== null ? { packs: spec.packs.map(p => ({ ...p })) } : {}),
    };
    return { wire, spec };
}
