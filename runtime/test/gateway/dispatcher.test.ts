/**
 * The dispatcher without a network: the order of checks, the mapping of the services' errors by
 * class (IAM's own AuthError / ForbiddenError / IamError, the data layer's DataError, …), notifications,
 * result validation and the hooks.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, ErrorCodes, RateLimitedError, RpcError, TooLargeError } from '../../../protocol/src/daemon/index.js';
import { IrError } from '../../../protocol/src/ir.js';
import { AuthError, IamError } from '../../src/iam/errors.js';
import { authorize as iamAuthorize } from '../../src/iam/authorize.js';
import { DataError } from '../../src/data/errors.js';
import { ImportRejected } from '../../src/data/import.js';
import { NoVisibleData, SeriesForbidden } from '../../src/data/ownership.js';
import { StoreError } from '../../src/store/errors.js';
import { DatabaseUnavailable, QueryTimeout } from '../../src/store/call-gate.js';
import { DatabaseDamaged } from '../../src/store/store.js';
import { BacktestError } from '../../src/engine/types.js';
import { ExperimentError, FilterError } from '../../src/experiments/errors.js';
import { ConfinementError } from '../../src/security/confine.js';
import { TeamFileError } from '../../src/daemon/team-files.js';
import { ArtifactDamaged, InvalidRunSpec, OrchestratorStopped, RunNotFound, RunStateConflict } from '../../src/orchestrator/types.js';
import { SimilarityUnavailable } from '../../src/similarity/store-index.js';
import { Dispatcher, formatPath } from '../../src/gateway/dispatcher.js';
import { userErrorOf } from '../../src/gateway/errors.js';
import type { Authenticator, CallRecord, GatewayLogger, Handlers } from '../../src/gateway/types.js';
import { PRINCIPALS, stubHandlers, testAuth, type Recorded } from './helpers.js';

function dispatcher(handlers?: Partial<Handlers>, auth: Authenticator = testAuth, extra: { onCall?: (r: CallRecord) => void; logger?: GatewayLogger } = {}): { d: Dispatcher; calls: Recorded[] } {
    const calls: Recorded[] = [];
    return { d: new Dispatcher({ handlers: { ...stubHandlers(calls), ...handlers } as Handlers, auth, ...extra }), calls };
}

const req = (method: string, params?: unknown, id: unknown = 1): Record<string, unknown> => ({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });

describe('Dispatcher', () => {
    it('checks in order: envelope, authentication, method, authorisation, availability, params', async () => {
        const { d } = dispatcher();
        const code = async (msg: unknown, token?: string): Promise<number | undefined> => {
            const r = await d.dispatch(msg, { transport: 'http', ...(token ? { token } : {}) });
            return r && 'error' in r ? r.error.code : 0;
        };
        expect(await code({ jsonrpc: '2.0', method: 7, id: 1 })).toBe(ErrorCodes.InvalidRequest); // before auth
        expect(await code(req('nope'))).toBe(ErrorCodes.Unauthenticated); // auth before method lookup: no probing
        expect(await code(req('nope'), 'tok-viewer')).toBe(ErrorCodes.MethodNotFound);
        expect(await code(req('iam.users.list', { junk: 1 }), 'tok-viewer')).toBe(ErrorCodes.Forbidden); // before params
        expect(await code(req('iam.users.list', { junk: 1 }), 'tok-admin')).toBe(ErrorCodes.InvalidParams);
    });

    it('maps IAM\'s real errors: AuthError 401, ForbiddenError 403 with the needed role, IamError -32602, conflicts 409', async () => {
        const iamLike: Authenticator = {
            async verify(bearer) {
                if (bearer === 'expired') throw new AuthError('expired', 'API token af_abc… (laptop) expired at 2025-01-01T00:00:00Z; create a new one with `af token create`');
                return PRINCIPALS[bearer]!;
            },
            authorize: (p, m, r) => iamAuthorize(p, m, r),
        };
        const { d } = dispatcher({
            'iam.users.create': async () => { throw new ConflictError('user rosa already exists'); },
            'iam.teams.create': async () => { throw new IamError('invalid team name'); },
        }, iamLike);
        const r1 = await d.dispatch(req('iam.whoami'), { transport: 'http', token: 'expired' });
        expect(r1).toMatchObject({ error: { code: 401, message: expect.stringContaining('expired at'), data: { reason: 'expired' } } });
        const r2 = await d.dispatch(req('runs.submit', { kind: 'backtest', spec: { source: 'x' } }), { transport: 'http', token: 'tok-viewer' });
        expect(r2).toMatchObject({ error: { code: 403, message: expect.stringContaining('needs role researcher'), data: { requiredRole: 'researcher' } } });
        const r3 = await d.dispatch(req('runs.cancel', { id: 'r' }), { transport: 'http', token: 'tok-runs-only' });
        expect(r3 && 'result' in r3).toBe(false);
        const r4 = await d.dispatch(req('iam.users.create', { name: 'rosa' }), { transport: 'http', token: 'tok-admin' });
        expect(r4).toMatchObject({ error: { code: 409, message: 'user rosa already exists' } });
        const r5 = await d.dispatch(req('iam.teams.create', { name: 'x' }), { transport: 'http', token: 'tok-admin' });
        expect(r5).toMatchObject({ error: { code: ErrorCodes.InvalidParams } });
        // A verifier that fails for another reason is a 500, not a 401.
        const broken = dispatcher(undefined, { verify: async () => { throw new Error('database is locked'); }, authorize: () => undefined }).d;
        const r6 = await broken.dispatch(req('iam.whoami'), { transport: 'http', token: 'x' });
        expect(r6).toMatchObject({ error: { code: ErrorCodes.InternalError } });
        expect(JSON.stringify(r6)).not.toContain('locked');
    });

    it('maps the services\' errors by class, keeping their messages; everything else is internal', () => {
        const cases: [Error, number][] = [
            [new DataError('no bars for sp:SPX 1h'), ErrorCodes.InvalidParams],
            [new ImportRejected('x.csv: 3 rows have high < low', 'x.csv', []), ErrorCodes.InvalidParams],
            [new StoreError('alphaforge.duckdb is in use by another process'), ErrorCodes.InvalidParams],
            [new QueryTimeout('the export', 1000, 'narrow it'), ErrorCodes.InvalidParams],
            [new DatabaseUnavailable('the daemon is stopping', 'database_stopping'), ErrorCodes.Unavailable],
            [new DatabaseDamaged('the database is damaged'), ErrorCodes.Unavailable],
            [new SeriesForbidden('x:A 1d is owned by team beta'), ErrorCodes.Forbidden],
            [new NoVisibleData('no data for x:A 1d'), ErrorCodes.NotFound],
            [new BacktestError('fast must be < slow'), ErrorCodes.InvalidParams],
            [new IrError([{ uri: 'x.af', line: 1, column: 1, code: 'AF001', message: 'syntax' }]), ErrorCodes.InvalidParams],
            [new ExperimentError('the filter must be a string'), ErrorCodes.InvalidParams],
            [new IamError('invalid team name'), ErrorCodes.InvalidParams],
            [new ConfinementError('/etc/passwd is outside the data directories'), ErrorCodes.InvalidParams],
            [new TeamFileError('bad name'), ErrorCodes.InvalidParams],
            [new InvalidRunSpec('a run needs a user and a team'), ErrorCodes.InvalidParams],
            [new RunNotFound('no run r1'), ErrorCodes.NotFound],
            [new RunStateConflict('run r1 is completed'), ErrorCodes.Conflict],
            [new ArtifactDamaged('artifact report.html of run r1 is damaged'), ErrorCodes.Conflict],
            [new OrchestratorStopped('the orchestrator is stopped'), ErrorCodes.NotAvailable],
            [new SimilarityUnavailable('the similarity index is being rebuilt'), ErrorCodes.Unavailable],
            [new TooLargeError('the upload exceeds the limit', { limit: 10 }), ErrorCodes.PayloadTooLarge],
            [new RateLimitedError('slow down', { retryAfterMs: 5 }), ErrorCodes.RateLimited],
            [new RpcError(409, 'x'), 409],
        ];
        for (const [e, code] of cases) expect(userErrorOf(e), e.name).toMatchObject({ code, message: e.message });
        expect(userErrorOf(new TooLargeError('too big', { limit: 10 }))?.data).toEqual({ limit: 10 });
        // Look-alikes are not failures: a status field or a service's name no longer makes an error the caller's.
        expect(userErrorOf(Object.assign(new Error('gone'), { status: 404 }))).toBeUndefined();
        expect(userErrorOf(Object.assign(new Error('bad'), { name: 'DataError' }))).toBeUndefined();
        expect(userErrorOf(Object.assign(new Error('enoent'), { code: 'ENOENT' }))).toBeUndefined();
        expect(userErrorOf(new TypeError('x is undefined'))).toBeUndefined();
        expect(userErrorOf('a string')).toBeUndefined();
        const filter = new FilterError('expected a value', 18, 'and', 'metrics.sharpe > and');
        expect(userErrorOf(filter)).toMatchObject({ code: ErrorCodes.InvalidParams, data: { column: 18, token: 'and', reason: 'expected a value', what: 'filter' } });
    });

    it('notifications run but get no response, even on error', async () => {
        const { d, calls } = dispatcher();
        expect(await d.dispatch({ jsonrpc: '2.0', method: 'lang.lint', params: { source: 'x' } }, { transport: 'http', token: 'tok-viewer' })).toBeUndefined();
        expect(calls.map(c => c.method)).toEqual(['lang.lint']);
        expect(await d.dispatch({ jsonrpc: '2.0', method: 'nope' }, { transport: 'http', token: 'tok-viewer' })).toBeUndefined();
        // id: null is a request (with a null id), not a notification.
        expect(await d.dispatch({ jsonrpc: '2.0', id: null, method: 'iam.whoami' }, { transport: 'http', token: 'tok-viewer' })).toMatchObject({ id: null, result: {} });
    });

    it('an already authenticated principal is used as is', async () => {
        const { d } = dispatcher();
        const r = await d.dispatch(req('iam.whoami'), { transport: 'http', principal: PRINCIPALS['tok-admin']! });
        expect(r).toMatchObject({ result: { principal: { userName: 'ada' } } });
    });

    it('a missing handler is 501, not a crash', async () => {
        const { d } = dispatcher();
        const r = await d.dispatch(req('experiments.list', {}), { transport: 'http', token: 'tok-viewer' });
        expect(r).toMatchObject({ error: { code: ErrorCodes.NotAvailable, message: expect.stringContaining('no handler') } });
    });

    it('logs internal errors with the request id; the caller gets only the id', async () => {
        const logged: { obj: object; msg?: string }[] = [];
        const logger: GatewayLogger = {
            debug() { /* */ }, info() { /* */ }, warn() { /* */ },
            error(obj, msg) { logged.push({ obj, ...(msg === undefined ? {} : { msg }) }); },
            child() { return logger; },
        };
        const records: CallRecord[] = [];
        const { d } = dispatcher(undefined, testAuth, { logger, onCall: r => records.push(r) });
        const r = await d.dispatch(req('runs.get', { id: 'boom' }), { transport: 'ws', token: 'tok-viewer' });
        const requestId = r && 'error' in r ? r.error.data?.requestId : undefined;
        expect(requestId).toBeDefined();
        expect(r && 'error' in r ? r.error.message : '').toContain(requestId!);
        expect(logged).toHaveLength(1);
        expect(logged[0]!.msg).toContain('SECRET');
        expect(records).toEqual([expect.objectContaining({ method: 'runs.get', transport: 'ws', errorCode: ErrorCodes.InternalError, requestId, userId: 'usr_v' })]);
    });

    it('a throwing onCall hook does not break calls', async () => {
        const { d } = dispatcher(undefined, testAuth, { onCall: () => { throw new Error('metrics down'); } });
        expect(await d.dispatch(req('iam.whoami'), { transport: 'http', token: 'tok-viewer' })).toMatchObject({ result: {} });
    });

    it('formats issue paths readably', () => {
        expect(formatPath(['spec', 'symbols', 0])).toBe('spec.symbols[0]');
        expect(formatPath([])).toBe('(params)');
    });

    it('a pino logger is a GatewayLogger', async () => {
        const { pino } = await import('pino');
        const logger: GatewayLogger = pino({ level: 'silent' });
        const { d } = dispatcher(undefined, testAuth, { logger });
        expect(await d.dispatch(req('iam.whoami'), { transport: 'http', token: 'tok-viewer' })).toMatchObject({ result: {} });
    });
});
