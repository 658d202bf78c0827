/**
 * A real gateway on 127.0.0.1 (port 0) over stub handlers and an in-test token verifier (the real
 * Iam is wired by the daemon assembly). The stubs record every call (method, transport, params as
 * the handler received them) so tests can show all transports reach the same handlers.
 */
import {
    AuthError, ConflictError, ForbiddenError, METHODS, NotFoundError, RpcError, UserInputError, methodCatalogue, roleAllows, type Role, type RunDetail, type RunSummary,
} from '../../../protocol/src/daemon/index.js';
import { Dispatcher, type DispatcherOptions } from '../../src/gateway/dispatcher.js';
import { LocalEventBus } from '../../src/gateway/events.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/http.js';
import type { Authenticator, CallContext, CallRecord, Handlers, Principal } from '../../src/gateway/types.js';

export const PRINCIPALS: Readonly<Record<string, Principal>> = {
    'tok-viewer': { userId: 'usr_v', userName: 'vera', teamId: 'team_a', teamName: 'alpha', role: 'viewer', scopes: ['*'] },
    'tok-researcher': { userId: 'usr_r', userName: 'rosa', teamId: 'team_a', teamName: 'alpha', role: 'researcher', scopes: ['*'] },
    'tok-trader': { userId: 'usr_t', userName: 'tom', teamId: 'team_a', teamName: 'alpha', role: 'trader', scopes: ['*'] },
    'tok-admin': { userId: 'usr_a', userName: 'ada', teamId: 'team_a', teamName: 'alpha', role: 'admin', scopes: ['*'] },
    'tok-beta': { userId: 'usr_b', userName: 'bob', teamId: 'team_b', teamName: 'beta', role: 'researcher', scopes: ['*'] },
    'tok-runs-only': { userId: 'usr_r', userName: 'rosa', teamId: 'team_a', teamName: 'alpha', role: 'researcher', scopes: ['runs'] },
};

/** Tokens can be revoked mid-test. */
export const revoked = new Set<string>();

class TestAuthError extends AuthError {
    constructor(message: string) {
        super(message);
    }
}

class TestForbiddenError extends ForbiddenError {
    constructor(message: string, readonly detail: { needed: Role }) {
        super(message, { requiredRole: detail.needed });
    }
}

export const testAuth: Authenticator = {
    async verify(bearer: string): Promise<Principal> {
        const p = PRINCIPALS[bearer];
        if (!p || revoked.has(bearer)) throw new TestAuthError(`unknown API token ${bearer.slice(0, 6)}…`);
        return p;
    },
    authorize(principal, method, requiredRole) {
        if (!roleAllows(principal.role, requiredRole)) {
            throw new TestForbiddenError(`${method} needs role ${requiredRole}, but ${principal.userName} holds ${principal.role}`, { needed: requiredRole });
        }
        const ns = method.split('.')[0]!;
        if (!principal.scopes.some(s => s === '*' || s === ns || s === method)) throw new TestForbiddenError(`token not scoped for ${method}`, { needed: requiredRole });
    },
};

export const RUN: RunSummary = {
    id: 'run_1', kind: 'backtest', state: 'queued', promoted: false, owner: 'rosa', team: 'alpha', experimentId: null,
    traceId: '0af7651916cd43dd8448eb211c80319c', attempt: 0, createdAt: '2025-01-02T03:04:05.000Z', queuedAt: '2025-01-02T03:04:05.000Z',
    startedAt: null, finishedAt: null, strategy: 'Trend', fingerprints: null, dataSnapshot: null, engineVersion: null, seed: null, error: null,
    tags: {}, progress: null,
};

export const RUN_DETAIL: RunDetail = {
    ...RUN, state: 'completed', spec: { source: 'strategy Trend {}' }, params: { fast: 10 }, metrics: { sharpe: 1.2, sortino: null },
};

export interface Recorded { method: string; transport: string; params: unknown; traceId: string; userId: string }

export function stubHandlers(calls: Recorded[]): Handlers {
    const rec = (method: string, params: unknown, ctx: CallContext): void => {
        calls.push({ method, transport: ctx.transport, params, traceId: ctx.traceId, userId: ctx.principal.userId });
    };
    const partial: Partial<Handlers> = {
        'daemon.info': async (p, ctx) => {
            rec('daemon.info', p, ctx);
            return { name: 'alphaforge', version: '0.1.0', protocolVersion: '2.4.0', startedAt: '2025-01-02T03:04:05.000Z', transports: { http: true, ws: true, grpc: true }, methods: methodCatalogue() };
        },
        'iam.whoami': async (p, ctx) => {
            rec('iam.whoami', p, ctx);
            return { principal: ctx.principal };
        },
        'lang.lint': async (p, ctx) => {
            rec('lang.lint', p, ctx);
            return { errors: 0, warnings: p.source.includes('warn') ? 1 : 0, diagnostics: [] };
        },
        'runs.submit': async (p, ctx) => {
            rec('runs.submit', p, ctx);
            return { run: { ...RUN, kind: p.kind, traceId: ctx.traceId, owner: ctx.principal.userName } };
        },
        'runs.list': async (p, ctx) => {
            rec('runs.list', p, ctx);
            return { runs: [RUN], total: 1 };
        },
        'runs.get': async (p, ctx) => {
            rec('runs.get', p, ctx);
            if (p.id === 'missing') throw new NotFoundError(`unknown run ${p.id}`);
            if (p.id === 'boom') throw new Error('SECRET internal detail at /home/x/y.ts:12');
            if (p.id === 'bad-result') return { run: { id: 5 } } as unknown as { run: RunDetail };
            if (p.id === 'nan') return { run: { ...RUN_DETAIL, metrics: { sharpe: NaN } } };
            if (p.id === 'slow') {
                await new Promise(r => setTimeout(r, 200));
            }
            return { run: RUN_DETAIL };
        },
        'runs.cancel': async (p, ctx) => {
            rec('runs.cancel', p, ctx);
            throw new RpcError(409, `run ${p.id} has already finished`, { state: 'completed' });
        },
        'experiments.create': async (p, ctx) => {
            rec('experiments.create', p, ctx);
            if (p.name === 'dup') throw new ConflictError(`experiment ${p.name} already exists in team alpha`);
            return { experiment: { id: 'exp_1', name: p.name, team: 'alpha', owner: ctx.principal.userName, description: p.description ?? null, createdAt: '2025-01-02T03:04:05.000Z', runCount: 0 } };
        },
        'data.import': async (p, ctx) => {
            rec('data.import', p, ctx);
            // Like the data layer's ImportRejected: a user error with the full report in `problems`.
            throw Object.assign(new UserInputError(`${p.file}: 3 rows have high < low`), {
                problems: [{ code: 'high_low', severity: 'error', count: 3, message: 'high < low', rows: [2, 5, 9], examples: [] }],
            });
        },
    };
    return partial as Handlers;
}

export interface TestGateway {
    gw: Gateway;
    bus: LocalEventBus;
    calls: Recorded[];
    records: CallRecord[];
    close(): Promise<void>;
}

export async function startTestGateway(
    options: Partial<Omit<GatewayOptions, 'dispatcher'>> = {},
    dispatcherOptions: Partial<DispatcherOptions> = {},
): Promise<TestGateway> {
    const calls: Recorded[] = [];
    const records: CallRecord[] = [];
    const bus = new LocalEventBus();
    const dispatcher = new Dispatcher({ handlers: stubHandlers(calls), auth: testAuth, onCall: r => records.push(r), ...dispatcherOptions });
    const gw = await createGateway({ host: '127.0.0.1', port: 0, events: bus, ...options, dispatcher });
    return { gw, bus, calls, records, close: () => gw.close() };
}

export interface RawReply { status: number; headers: Headers; body: string; json: unknown }

/** POST /rpc; `token` null sends no Authorization header. */
export async function post(gw: Gateway, body: string | unknown, token: string | null = 'tok-viewer', headers: Record<string, string> = {}): Promise<RawReply> {
    const res = await fetch(`${gw.url}/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
        json = text ? JSON.parse(text) : undefined;
    } catch {
        json = undefined;
    }
    return { status: res.status, headers: res.headers, body: text, json };
}

/** A single call; returns the JSON-RPC response object. */
export async function rpc(gw: Gateway, method: string, params?: unknown, token = 'tok-viewer'): Promise<{ status: number; response: { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: Record<string, unknown> } } }> {
    const r = await post(gw, { jsonrpc: '2.0', id: 1, method, ...(params === undefined ? {} : { params }) }, token);
    return { status: r.status, response: r.json as never };
}

/** The daemon still answers (after some bad input). */
export async function expectAlive(gw: Gateway): Promise<void> {
    const r = await rpc(gw, 'iam.whoami', {});
    if (!r.response.result) throw new Error(`the daemon no longer answers: ${JSON.stringify(r)}`);
}

export const AVAILABLE = Object.entries(METHODS).filter(([, m]) => m.available).map(([n]) => n);
export const PLACEHOLDERS = Object.entries(METHODS).filter(([, m]) => !m.available).map(([n]) => n);

export function sleep(ms: number): Promise<void> {
    return new Promise(r => setTimeout(r, ms));
}
