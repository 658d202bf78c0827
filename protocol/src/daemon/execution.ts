/**
 * Deployments (execution.*): a strategy traded bar by bar behind the risk engine, on a venue (the
 * paper venue, or a real one) from a feed (bars replayed from the store, or a live feed). A
 * deployment belongs to its caller's team: another team's is "not found". Its events (orders,
 * fills, account, risk, state) are pushed on `deployment:<id>` and stored with a sequence number,
 * so a client that reconnects catches up with execution.events from the last one it saw.
 */
import * as z from 'zod';
import { method } from './method.js';
import { DateArg, Id, IsoTime, Limit, Name, Offset, ParamValue, Source, Uri } from './fields.js';
import { RegistryName, RegistryVersion } from './registry.js';

export const DEPLOYMENT_MODES = ['paper', 'live'] as const;
export const DEPLOYMENT_STATES = ['starting', 'warming', 'running', 'halted', 'stopping', 'stopped', 'failed'] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];
/** States a deployment no longer trades in (halted still holds its book: stop it to end it). */
export const DEPLOYMENT_FINAL_STATES: readonly DeploymentState[] = ['stopped', 'failed'];

export const DeploymentStateSchema = z.enum(DEPLOYMENT_STATES);
export const RiskStateSchema = z.enum(['ACTIVE', 'REDUCING', 'HALTED']);

/** A venue or feed key: `paper`, `replay`, `ccxt:<exchange>` … */
export const VenueKey = z.string().min(1).max(64).regex(/^[a-z][a-z0-9_-]*(?::[a-z0-9_-]+)?$/, 'a venue or feed name such as paper, replay or ccxt:binance');
const Symbol = z.string().min(1).max(128);

export const FeedSpecSchema = z.strictObject({
    kind: VenueKey.default('replay').describe('replay: the stored bars of `symbols` between `from` and `to`, one every `barMs`'),
    symbols: z.array(Symbol).min(1).max(100).optional().describe('venue:SYMBOL per asset of the universe, in order (default: the strategy\'s universe)'),
    from: DateArg.optional(),
    to: DateArg.optional(),
    barMs: z.number().int().min(1).max(86_400_000).default(1000).describe('replay: wall time between two bars, ms'),
});
export type FeedSpec = z.output<typeof FeedSpecSchema>;

export const RiskLimitsSchema = z.strictObject({
    maxPosition: z.record(z.string().max(128), z.number().positive()).optional().describe('largest |position| per symbol in units; "*" for every other'),
    maxNotional: z.number().positive().optional(),
    maxGrossExposure: z.number().positive().optional(),
    maxLeverage: z.number().positive().optional(),
    maxOrdersPerMinute: z.number().int().positive().optional(),
    priceCollar: z.number().positive().optional(),
    maxDailyLoss: z.number().positive().optional(),
    maxDrawdown: z.number().positive().max(1).optional(),
});

export const DeploymentSchema = z.object({
    id: z.string(),
    mode: z.enum(DEPLOYMENT_MODES),
    state: DeploymentStateSchema,
    reason: z.string().nullable().describe('why it is in its state (failed, halted, stopped), in words'),
    team: z.string(),
    owner: z.string().describe('user name of who started it'),
    strategy: z.string(),
    registry: z.object({ name: z.string(), version: z.number().int() }).nullable().describe('the registry version it trades (null: started from a file)'),
    uri: z.string().nullable(),
    params: z.record(z.string(), ParamValue),
    venue: z.string(),
    feed: z.object({ kind: z.string(), symbols: z.array(z.string()), from: z.string().nullable(), to: z.string().nullable(), barMs: z.number() }),
    capital: z.number().nullable(),
    bars: z.number().int().nonnegative().describe('bars it has traded on'),
    warmupBars: z.number().int().nonnegative().nullable(),
    riskState: RiskStateSchema.nullable(),
    equity: z.number().nullable().describe('at the last bar'),
    pnl: z.number().nullable().describe('equity minus starting capital'),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    finishedAt: IsoTime.nullable(),
    packs: z.array(z.object({ name: z.string(), version: z.string(), integrity: z.string().optional() })).optional()
        .describe('the declared packs its strategy uses, recorded when it started and checked when it resumes (a pack folder\'s with its integrity hash; []: built-in packs only; absent: started by a daemon before 2.6)'),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const DeploymentOrderSchema = z.object({
    clientOrderId: z.string(),
    symbol: z.string(),
    side: z.enum(['buy', 'sell']),
    type: z.enum(['market', 'limit', 'stop']),
    qty: z.number(),
    price: z.number().nullable(),
    reduceOnly: z.boolean(),
    barTs: z.number().describe('open time (ms) of the bar whose close placed it'),
    state: z.enum(['new', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired']),
    filledQty: z.number(),
    avgPrice: z.number(),
    fees: z.number(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
});

export const DEPLOYMENT_EVENT_KINDS = ['state', 'order', 'fill', 'account', 'risk'] as const;
export const DeploymentEventSchema = z.object({
    type: z.literal('deployment'),
    deploymentId: z.string(),
    seq: z.number().int().positive().describe('the deployment\'s event sequence number (execution.events afterSeq)'),
    ts: IsoTime,
    kind: z.enum(DEPLOYMENT_EVENT_KINDS),
    data: z.record(z.string(), z.unknown()).describe('state: {state, previous, reason} · order: {clientOrderId, symbol, side, type, qty, price, state, reason} · fill: {clientOrderId, fillId, qty, price, fee} · account: {bar, barTs, equity, pnl, balances, positions, riskState} · risk: {decision: deny|state, clientOrderId, reason, from, to}'),
});
export type DeploymentEvent = z.infer<typeof DeploymentEventSchema>;

const DeploymentRef = z.strictObject({ id: Id });

const StartStrategy = {
    source: Source.optional().describe('a .af text (the CLI sends the file it is given)'),
    uri: Uri.optional().describe('with source: the file it is (names it in messages, resolves its imports inside the daemon\'s source folders)'),
    strategy: Name.optional().describe('with source: which strategy of the file (default: the first)'),
    params: z.record(z.string(), ParamValue).optional().describe('with source: parameter values (default: the declared defaults)'),
    registry: z.strictObject({ name: RegistryName, version: RegistryVersion }).optional().describe('instead of source: a registry version of your team (its recorded source and parameter values)'),
    feed: FeedSpecSchema.default({ kind: 'replay', barMs: 1000 }),
    capital: z.number().positive().max(1e15).optional().describe('starting cash of the paper venue (default: the strategy\'s execution capital, else 100000)'),
    limits: RiskLimitsSchema.optional().describe('risk limits (docs/trading.md); none by default'),
};

function oneStrategy(v: { source?: string; registry?: unknown; uri?: string; strategy?: string; params?: unknown }, ctx: z.RefinementCtx): void {
    if ((v.source === undefined) === (v.registry === undefined)) ctx.addIssue({ code: 'custom', path: ['source'], message: 'give exactly one of source and registry' });
    if (v.registry !== undefined) {
        for (const k of ['uri', 'strategy', 'params'] as const) if (v[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `${k} goes with source; a registry version brings its own` });
    }
}

export const EXECUTION_METHODS = {
    'execution.paper.start': method('trader', 'Start paper trading a strategy (a source text or a registry version of your team) on the paper venue, fed by stored bars replayed one every feed.barMs. Answers once it is starting; follow it on `deployment:<id>` or with execution.show.',
        z.strictObject(StartStrategy).superRefine(oneStrategy),
        z.object({ deployment: DeploymentSchema })),
    'execution.live.start': method('trader', 'Start trading an APPROVED registry version of your team on a venue (behind the risk engine). 409 unless the version is approved; the version becomes deployed.',
        z.strictObject({
            registry: z.strictObject({ name: RegistryName, version: RegistryVersion }),
            venue: VenueKey.describe('paper, or a venue adapter the daemon has (ccxt:<exchange>)'),
            feed: FeedSpecSchema.optional().describe('default: the venue\'s own live feed'),
            capital: StartStrategy.capital,
            limits: StartStrategy.limits,
        }),
        z.object({ deployment: DeploymentSchema })),
    'execution.stop': method('trader', 'Stop a deployment: no new order; its open orders stay at the venue (use execution.kill to cancel and flatten). 409 when it has already ended.',
        z.strictObject({ id: Id, reason: z.string().max(500).optional() }),
        z.object({ deployment: DeploymentSchema })),
    'execution.kill': method('trader', 'Kill switch: risk state HALTED, every open order cancelled, every position flattened by reduce-only orders. One deployment (`id`) or every running deployment of your team (`all`).',
        z.strictObject({ id: Id.optional(), all: z.boolean().optional(), reason: z.string().max(500).optional() }).superRefine((v, ctx) => {
            if ((v.id === undefined) === (v.all !== true)) ctx.addIssue({ code: 'custom', path: ['id'], message: 'give id, or all: true' });
        }),
        z.object({ deployments: z.array(DeploymentSchema) })),
    'execution.list': method('viewer', 'Deployments of your team, newest first.',
        z.strictObject({ state: DeploymentStateSchema.optional(), limit: Limit, offset: Offset }),
        z.object({ deployments: z.array(DeploymentSchema), total: z.number().int().nonnegative() })),
    'execution.show': method('viewer', 'One deployment of your team.',
        DeploymentRef,
        z.object({ deployment: DeploymentSchema })),
    'execution.positions': method('viewer', 'Positions and balances of one deployment, or of every deployment of your team that is not final.',
        z.strictObject({ id: Id.optional() }),
        z.object({ positions: z.array(z.object({ deployment: z.string(), symbol: z.string(), qty: z.number(), lastPrice: z.number().nullable() })), balances: z.array(z.object({ deployment: z.string(), currency: z.string(), amount: z.number() })) })),
    'execution.orders': method('viewer', 'Orders of one deployment (or of every deployment of your team), as journaled, newest last.',
        z.strictObject({ id: Id.optional(), open: z.boolean().optional().describe('only orders not in a final state'), limit: z.number().int().min(1).max(10_000).default(500) }),
        z.object({ orders: z.array(DeploymentOrderSchema.extend({ deployment: z.string() })) })),
    'execution.events': method('viewer', 'Stored events of a deployment after a sequence number: a client that (re)subscribes to `deployment:<id>` catches up here.',
        z.strictObject({ id: Id, afterSeq: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(10_000).default(1000) }),
        z.object({ events: z.array(DeploymentEventSchema), nextSeq: z.number().int().describe('afterSeq of the next call'), done: z.boolean().describe('the deployment has ended and every event was returned') })),
} as const;
