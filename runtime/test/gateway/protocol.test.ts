/**
 * The method table itself: complete, consistent with the runtime's own constants and IAM's
 * types, and every schema representable as JSON Schema (for docs/protocol.md).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
    METHODS, METHOD_NAMES, ROLES, SORT_METRICS, StreamEventSchema, TOPIC_RE, WS_METHODS, issuesOf, methodCatalogue, roleAllows, topicsOf,
    type AvailableMethodName, type MethodName, type ParamsInput, type ParamsOf, type ResultOf,
} from '../../../protocol/src/daemon/index.js';
import { SORT_METRICS as ENGINE_SORT_METRICS } from '../../src/engine/sweep.js';
import { ROLES as IAM_ROLES, type Principal as IamPrincipal } from '../../src/iam/index.js';
import { FIELDS } from '../../src/data/import.js';
import type { Authenticator, Principal } from '../../src/gateway/types.js';
import type { Iam } from '../../src/iam/iam.js';
import { testAuth } from './helpers.js';

describe('the method table', () => {
    it('covers what issue 5 asks for', () => {
        const required = [
            'daemon.info', 'lang.compile', 'lang.lint', 'lang.analyse', 'data.list', 'data.import', 'data.export',
            'runs.submit', 'runs.get', 'runs.list', 'runs.cancel', 'runs.logs', 'runs.artifacts', 'runs.promote',
            'experiments.create', 'experiments.list', 'experiments.search', 'experiments.compare', 'experiments.export',
            'similar.find', 'iam.whoami', 'iam.tokens.create', 'iam.tokens.list', 'iam.tokens.revoke',
            'iam.users.create', 'iam.users.list', 'iam.users.disable', 'iam.teams.create', 'iam.teams.list', 'iam.members.set',
            'registry.publish', 'registry.list', 'registry.show', 'registry.approve', 'registry.retire', 'registry.diff',
            'execution.paper.start', 'execution.live.start', 'execution.stop', 'execution.kill', 'execution.list', 'execution.show',
            'execution.positions', 'execution.orders', 'execution.events',
        ];
        expect(METHOD_NAMES).toEqual(expect.arrayContaining(required));
    });

    it('every method has schemas, a role, a description; placeholders say what they wait for', () => {
        for (const name of METHOD_NAMES) {
            const m = METHODS[name];
            expect(m.params, name).toBeInstanceOf(z.ZodType);
            expect(m.result, name).toBeInstanceOf(z.ZodType);
            expect(ROLES, name).toContain(m.role);
            expect(m.description.length, name).toBeGreaterThan(10);
            if (!m.available) expect(m.pending, name).toMatch(/\S/);
            expect(name).toMatch(/^[a-z]+(\.[a-z]+)+$/);
        }
        expect(METHODS['execution.live.start']).toMatchObject({ role: 'trader', available: true });
        expect(METHODS['execution.paper.start']).toMatchObject({ role: 'trader', available: true });
        expect(METHODS['execution.kill']).toMatchObject({ role: 'trader', available: true });
        expect(METHODS['execution.list']).toMatchObject({ role: 'viewer', available: true });
        expect(METHODS['registry.publish']).toMatchObject({ role: 'researcher', available: true });
        expect(METHODS['registry.approve']).toMatchObject({ role: 'trader', available: true });
        expect(METHODS['registry.retire']).toMatchObject({ role: 'trader', available: true });
        expect(METHOD_NAMES.filter(n => n.startsWith('iam.users.') || n.startsWith('iam.teams.') || n === 'iam.members.set').every(n => METHODS[n].role === 'admin')).toBe(true);
        expect(methodCatalogue()).toHaveLength(METHOD_NAMES.length);
    });

    it('params of every method are objects that refuse unknown fields; {} is valid where nothing is required', () => {
        for (const name of METHOD_NAMES) {
            const r = METHODS[name].params.safeParse({ definitelyNotAField: 1 });
            expect(r.success, name).toBe(false);
            expect(issuesOf(r.error!).some(i => i.path.join('.') === 'definitelyNotAField'), name).toBe(true);
        }
        expect(METHODS['runs.list'].params.parse({})).toEqual({ limit: 50, offset: 0 });
        expect(METHODS['lang.compile'].params.parse({ source: 'x' })).toEqual({ source: 'x', emit: ['ir', 'fingerprints'] });
    });

    it('every schema converts to JSON Schema', () => {
        for (const name of METHOD_NAMES) {
            expect(() => z.toJSONSchema(METHODS[name].params, { io: 'input', unrepresentable: 'any' }), name).not.toThrow();
            expect(() => z.toJSONSchema(METHODS[name].result, { io: 'output', unrepresentable: 'any' }), name).not.toThrow();
        }
        for (const m of Object.values(WS_METHODS)) expect(() => z.toJSONSchema(m.params)).not.toThrow();
        expect(() => z.toJSONSchema(StreamEventSchema)).not.toThrow();
    });

    it('agrees with the runtime\'s own constants and with IAM', () => {
        expect([...SORT_METRICS]).toEqual([...ENGINE_SORT_METRICS]);
        expect([...ROLES]).toEqual([...IAM_ROLES]);
        expect(Object.keys((METHODS['data.import'].params as unknown as { shape: { map: z.ZodOptional<z.ZodObject> } }).shape.map.unwrap().shape).sort()).toEqual([...FIELDS].sort());
        expectTypeOf<IamPrincipal>().toExtend<Principal>();
        expectTypeOf<Principal>().toExtend<IamPrincipal>();
        // Iam itself is an Authenticator (type-level: it has verify and authorize of these shapes).
        expectTypeOf<Iam>().toExtend<Authenticator>();
        expect(testAuth).toBeDefined();
    });

    it('types: params in and out, results, available methods', () => {
        expectTypeOf<ParamsOf<'runs.list'>['limit']>().toEqualTypeOf<number>();
        expectTypeOf<ParamsInput<'runs.list'>['limit']>().toEqualTypeOf<number | undefined>();
        expectTypeOf<ResultOf<'runs.get'>['run']['state']>().toEqualTypeOf<'created' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled'>();
        expectTypeOf<'execution.paper.start'>().toExtend<AvailableMethodName>();
        expectTypeOf<'registry.publish'>().toExtend<AvailableMethodName>();
        expectTypeOf<'runs.get'>().toExtend<AvailableMethodName>();
        expectTypeOf<AvailableMethodName>().toExtend<MethodName>();
    });

    it('roles are ordered', () => {
        expect(roleAllows('admin', 'viewer')).toBe(true);
        expect(roleAllows('trader', 'researcher')).toBe(true);
        expect(roleAllows('researcher', 'trader')).toBe(false);
        expect(roleAllows('viewer', 'viewer')).toBe(true);
    });
});

describe('events', () => {
    it('topics', () => {
        for (const t of ['run:abc', 'run:run_1.x:y-z', 'runs', 'alerts']) expect(TOPIC_RE.test(t), t).toBe(true);
        for (const t of ['run:', 'run', 'runs ', 'alert', 'run:a b', `run:${'x'.repeat(129)}`]) expect(TOPIC_RE.test(t), t).toBe(false);
        expect(topicsOf({ type: 'log', runId: 'r', seq: 0, ts: '2025-01-01T00:00:00Z', level: 'info', message: '' })).toEqual(['run:r']);
        expect(topicsOf({ type: 'progress', runId: 'r', ts: '2025-01-01T00:00:00Z', done: 0.5 })).toEqual(['run:r', 'runs']);
        expect(topicsOf({ type: 'alert', ts: '2025-01-01T00:00:00Z', rule: 'x', state: 'firing', severity: 'warning', message: '', value: 1, threshold: 0 })).toEqual(['alerts']);
    });
});
