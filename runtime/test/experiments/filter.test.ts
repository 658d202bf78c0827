/**
 * The run filter language against a real DuckDB file and a real PostgreSQL 15 (team mode; the
 * tests that read runs run on each): every operator, precedence, quoting, dates,
 * params / tags / fingerprints / attributes, the errors (column, token, caret line), and SQL
 * injection attempts that must stay data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../src/store/sql-store.js';
import { ErrorCodes } from '../../../protocol/src/errors.js';
import { FilterError } from '../../src/experiments/errors.js';
import { parseFilter, parseOrderBy, RunSql } from '../../src/experiments/filter.js';
import type { ExperimentStore } from '../../src/experiments/store.js';
import { STORE_KINDS, available, usePostgres, type StoreKind } from '../team/control-stores.js';
import { experimentsOver, failure, insertRun, openStoreOf } from './helpers.js';

usePostgres('runtime/test/experiments/filter.test.ts');

let store: SqlStore;
let exp: ExperimentStore;
let experimentId: string;

async function seed(kind: StoreKind): Promise<void> {
    store = await openStoreOf(kind);
    exp = experimentsOver(store);
    experimentId = (await exp.createExperiment({ name: 'momentum sweep', team: 'alpha', owner: 'alice' })).id;
    await insertRun(store, {
        id: 'r1', strategy: 'SmaCross', created: '2024-03-01T09:00:00', finished: '2024-03-01T10:00:00', promoted: true,
        exact: 'aaa111', structural: 'abc123', snapshot: 'snapA', engine: '1.0', seed: 1,
    });
    await insertRun(store, { id: 'r2', strategy: 'SmaCross', created: '2024-03-01T23:59:59', exact: 'aaa222', structural: 'abc123', seed: 2 });
    await insertRun(store, { id: 'r3', strategy: 'RsiMR', owner: 'bob', state: 'failed', created: '2024-03-02T00:00:00', exact: 'ddd', structural: 'def456', error: 'boom' });
    await insertRun(store, { id: 'r4', strategy: 'Breakout', kind: 'sweep', state: 'running', created: '2024-03-05T12:00:00' });
    await insertRun(store, { id: 'r5', state: 'cancelled', experiment: experimentId, created: '2024-02-28T08:00:00' });
    await insertRun(store, { id: 'r6', team: 'beta', owner: 'carol', created: '2024-03-03T00:00:00' });
    await exp.recordResult('r1', {
        metrics: { sharpe: 1.5, cagr: 0.2, max_drawdown: -0.1 },
        params: { fast: 20, slow: 100, mode: 'fast', flag: true },
        tags: { style: 'trend', note: "O'Neil" },
    });
    await exp.recordResult('r2', { metrics: { sharpe: 0.8, cagr: 0.1 }, params: { fast: 10, slow: 100, mode: 'slow', flag: false }, tags: { style: 'trend' } });
    await exp.recordResult('r3', { metrics: { sharpe: -0.3 }, params: { rsiLength: 3 }, tags: { style: 'mean_reversion', 'odd key.x': 'v' } });
    await exp.recordResult('r4', { tags: { style: 'Trend' } });
    await exp.recordResult('r5', { metrics: { sharpe: 2.5, 'return.1y': 0.3 }, tags: { 'with`tick': 'y' } });
    await exp.recordResult('r6', { metrics: { sharpe: 3 }, tags: { style: 'trend' } });
}

async function ids(filter: string): Promise<string[]> {
    const r = await exp.search({ filter, limit: 1000 });
    return r.runs.map(x => x.id).sort();
}

async function error(filter: string): Promise<FilterError> {
    const e = await failure<FilterError>(exp.search({ filter }));
    expect(e).toBeInstanceOf(FilterError);
    return e;
}

for (const kind of STORE_KINDS) describe.skipIf(!available(kind))(`on ${kind}`, () => {
    beforeAll(() => seed(kind), 60_000);
    afterAll(() => store.close());

    describe('comparisons', () => {
        it.each([
            ['metrics.sharpe > 1', ['r1', 'r5', 'r6']],
            ['metrics.sharpe >= 1.5', ['r1', 'r5', 'r6']],
            ['metrics.sharpe < 0', ['r3']],
            ['metrics.sharpe <= 0.8', ['r2', 'r3']],
            ['metrics.sharpe = 0.8', ['r2']],
            ['metrics.sharpe == 0.8', ['r2']],
            ['metrics.sharpe != 0.8', ['r1', 'r3', 'r5', 'r6']],
            ['metrics.sharpe <> 0.8', ['r1', 'r3', 'r5', 'r6']],
            ['metrics.sharpe > -1e3', ['r1', 'r2', 'r3', 'r5', 'r6']],
            ['metrics.sharpe > .9', ['r1', 'r5', 'r6']],
            ['metrics.max_drawdown >= -0.1', ['r1']],
        ])('%s', async (filter, expected) => {
            expect(await ids(filter)).toEqual(expected);
        });

        it('IN, NOT IN, LIKE, NOT LIKE, ILIKE, IS NULL, IS NOT NULL', async () => {
            expect(await ids('metrics.sharpe IN (0.8, 2.5)')).toEqual(['r2', 'r5']);
            expect(await ids('metrics.sharpe not in (0.8, 2.5)')).toEqual(['r1', 'r3', 'r6']);
            expect(await ids("tags.style LIKE 'tr%'")).toEqual(['r1', 'r2', 'r6']);
            expect(await ids("tags.style ILIKE 'tr%'")).toEqual(['r1', 'r2', 'r4', 'r6']);
            expect(await ids("tags.style NOT LIKE 'tr%'")).toEqual(['r3', 'r4']);
            expect(await ids("tags.style not ilike 'TR%'")).toEqual(['r3']);
            expect(await ids("tags.style LIKE 'mean\\_%'")).toEqual(['r3']);
            expect(await ids('metrics.sharpe IS NULL')).toEqual(['r4']);
            expect(await ids('metrics.sharpe is not null')).toEqual(['r1', 'r2', 'r3', 'r5', 'r6']);
            expect(await ids('tags.style IS NULL')).toEqual(['r5']);
        });

        it('a predicate on a missing key is false, and NOT of it is true (two-valued)', async () => {
            expect(await ids("tags.style != 'trend'")).toEqual(['r3', 'r4']);
            expect(await ids("not tags.style = 'trend'")).toEqual(['r3', 'r4', 'r5']);
            expect(await ids('not metrics.sharpe = 0.8')).toEqual(['r1', 'r3', 'r4', 'r5', 'r6']);
        });
    });

    describe('precedence and grouping', () => {
        it('and binds tighter than or; not tighter than and; parentheses override', async () => {
            expect(await ids("tags.style = 'mean_reversion' or tags.style = 'trend' and metrics.sharpe > 1")).toEqual(['r1', 'r3', 'r6']);
            expect(await ids("(tags.style = 'mean_reversion' or tags.style = 'trend') and metrics.sharpe > 1")).toEqual(['r1', 'r6']);
            expect(await ids("not tags.style = 'trend' and metrics.sharpe > 0")).toEqual(['r5']);
            expect(await ids("not (tags.style = 'trend' and metrics.sharpe > 1)")).toEqual(['r2', 'r3', 'r4', 'r5']);
            expect(await ids('not not metrics.sharpe > 2')).toEqual(['r5', 'r6']);
            expect(await ids('((metrics.sharpe > 2))')).toEqual(['r5', 'r6']);
        });

        it('keywords and prefixes are case-insensitive; an empty filter matches every run', async () => {
            expect(await ids("METRICS.sharpe > 1 AND Tags.style = 'trend' OR Attributes.State = 'failed'")).toEqual(['r1', 'r3', 'r6']);
            expect(await ids('   ')).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
            expect(parseFilter('')).toBeUndefined();
        });
    });

    describe('quoting', () => {
        it('strings in single or double quotes, with doubled quotes inside', async () => {
            expect(await ids("tags.note = 'O''Neil'")).toEqual(['r1']);
            expect(await ids('tags.note = "O\'Neil"')).toEqual(['r1']);
            expect(await ids('tags.style = "trend"')).toEqual(['r1', 'r2', 'r6']);
        });

        it('back-quoted keys hold dots, spaces and back quotes; dotted bare keys work too', async () => {
            expect(await ids("tags.`odd key.x` = 'v'")).toEqual(['r3']);
            expect(await ids('metrics.`return.1y` > 0.2')).toEqual(['r5']);
            expect(await ids('metrics.return.1y > 0.2')).toEqual(['r5']);
            expect(await ids("tags.`with``tick` = 'y'")).toEqual(['r5']);
        });
    });

    describe('params, fingerprints, attributes', () => {
        it('params compare as numbers, text or booleans', async () => {
            expect(await ids('params.fast > 15')).toEqual(['r1']);
            expect(await ids("params.fast = '20'")).toEqual(['r1']);
            expect(await ids("params.mode = 'slow'")).toEqual(['r2']);
            expect(await ids("params.mode IN ('fast', 'slow')")).toEqual(['r1', 'r2']);
            expect(await ids("params.mode LIKE 'f%'")).toEqual(['r1']);
            expect(await ids('params.flag = true')).toEqual(['r1']);
            expect(await ids('params.flag = FALSE')).toEqual(['r2']);
            expect(await ids('params.slow = 100 and params.fast < 15')).toEqual(['r2']);
            expect(await ids('params.fast IS NULL')).toEqual(['r3', 'r4', 'r5', 'r6']);
        });

        it('fingerprints: equality, IN and prefix match with LIKE (hex, case-insensitive)', async () => {
            expect(await ids("fingerprint.structural = 'abc123'")).toEqual(['r1', 'r2']);
            expect(await ids("fingerprint.structural LIKE 'ab%'")).toEqual(['r1', 'r2']);
            expect(await ids("fingerprint.exact LIKE 'AAA1%'")).toEqual(['r1']);
            expect(await ids("fingerprint.exact IN ('aaa222', 'ddd')")).toEqual(['r2', 'r3']);
            expect(await ids('fingerprint.exact IS NULL')).toEqual(['r4', 'r5', 'r6']);
        });

        it('attributes', async () => {
            expect(await ids("attributes.state = 'failed'")).toEqual(['r3']);
            expect(await ids("attributes.state IN ('running', 'cancelled')")).toEqual(['r4', 'r5']);
            expect(await ids("attributes.kind = 'sweep'")).toEqual(['r4']);
            expect(await ids("attributes.owner = 'bob'")).toEqual(['r3']);
            expect(await ids("attributes.team = 'beta'")).toEqual(['r6']);
            expect(await ids("attributes.strategy = 'SmaCross'")).toEqual(['r1', 'r2']);
            expect(await ids(`attributes.experiment = '${experimentId}'`)).toEqual(['r5']);
            expect(await ids("attributes.experiment_name = 'momentum sweep'")).toEqual(['r5']);
            expect(await ids('attributes.promoted = true')).toEqual(['r1']);
            expect(await ids('attributes.promoted != true')).toEqual(['r2', 'r3', 'r4', 'r5', 'r6']);
            expect(await ids("attributes.data_snapshot = 'snapA' and attributes.engine_version = '1.0'")).toEqual(['r1']);
            expect(await ids('attributes.seed >= 1')).toEqual(['r1', 'r2']);
            expect(await ids("attributes.error LIKE '%oo%'")).toEqual(['r3']);
            expect(await ids("attributes.run_id = 'r2'")).toEqual(['r2']);
        });

        it('dates: a date alone is the whole UTC day; times take Z or an offset', async () => {
            expect(await ids('attributes.created = 2024-03-01')).toEqual(['r1', 'r2']);
            expect(await ids("attributes.created = '2024-03-01'")).toEqual(['r1', 'r2']);
            expect(await ids('attributes.created != 2024-03-01')).toEqual(['r3', 'r4', 'r5', 'r6']);
            expect(await ids('attributes.created > 2024-03-01')).toEqual(['r3', 'r4', 'r6']);
            expect(await ids('attributes.created >= 2024-03-01')).toEqual(['r1', 'r2', 'r3', 'r4', 'r6']);
            expect(await ids('attributes.created < 2024-03-01')).toEqual(['r5']);
            expect(await ids('attributes.created <= 2024-03-01')).toEqual(['r1', 'r2', 'r5']);
            expect(await ids('attributes.created >= 2024-03-01T12:00Z')).toEqual(['r2', 'r3', 'r4', 'r6']);
            expect(await ids('attributes.created < 2024-03-02T01:00+02:00')).toEqual(['r1', 'r5']);
            expect(await ids("attributes.created_at > '2024-03-04T00:00:00.000Z'")).toEqual(['r4']);
            expect(await ids('attributes.finished IS NULL')).toEqual(['r2', 'r3', 'r4', 'r5', 'r6']);
            expect(await ids("attributes.finished >= '2024-03-01T10:00:00'")).toEqual(['r1']);
        });
    });

    describe('SQL injection stays data', () => {
        const count = async (): Promise<number> => Number(await store.scalar('SELECT count(*)::DOUBLE FROM runs'));

        it('values, keys, teams and experiment ids are bound parameters', async () => {
            expect(await ids("tags.style = 'x'' OR ''1''=''1'")).toEqual([]);
            expect(await ids("tags.style = 'trend''; DROP TABLE runs; --'")).toEqual([]);
            expect(await ids('tags.style = "trend\'; DELETE FROM runs; --"')).toEqual([]);
            expect(await ids("metrics.`sharpe'; DROP TABLE runs; --` > 0")).toEqual([]);
            expect(await ids('tags.`x" = 1 OR "a` IS NULL')).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
            expect((await exp.search({ team: "alpha' OR '1'='1" })).total).toBe(0);
            expect((await exp.search({ experimentId: "x' OR 1=1 --" })).total).toBe(0);
            await expect(exp.search({ orderBy: 'metrics.sharpe; DROP TABLE runs' })).rejects.toBeInstanceOf(FilterError);
            expect(await count()).toBe(6);
        });

        it('a stored key with quotes in it is found with back quotes', async () => {
            const key = "x'); DROP TABLE runs; --";
            await exp.recordResult('r2', { tags: { [key]: 'yes' } });
            expect(await ids(`tags.\`${key}\` = 'yes'`)).toEqual(['r2']);
            expect(await count()).toBe(6);
        });
    });
});

describe('the filter language', () => {
    it('the AST has the same shape', () => {
        const n = parseFilter('metrics.a = 1 or metrics.b = 2 and not metrics.c = 3');
        expect(n?.type).toBe('or');
        if (n?.type !== 'or') return;
        expect(n.operands.map(o => o.type)).toEqual(['compare', 'and']);
        const and = n.operands[1]!;
        expect(and.type === 'and' && and.operands.map(o => o.type)).toEqual(['compare', 'not']);
    });

    it('the generated SQL never contains the user values', () => {
        const evil = "'); DROP TABLE runs; --";
        const q = new RunSql();
        const where = q.where(parseFilter(`tags.\`${evil.replace(/`/g, '``')}\` = '${evil.replace(/'/g, "''")}' or params.p IN ('${evil.replace(/'/g, "''")}', 'b')`));
        const sql = `${q.from()} ${where}`;
        expect(sql).not.toContain('DROP');
        expect(q.params.filter(p => p === evil)).toHaveLength(3);
    });
});

describe('errors point at the offending token', () => {
    // A filter is parsed before any query: one store (DuckDB) answers for both.
    beforeAll(() => seed('duckdb'), 60_000);
    afterAll(() => store.close());

    it('the message has the column, the reason, the filter and a caret under the token', async () => {
        const e = await error('metrics.sharpe > and metrics.cagr < 1');
        expect(e.message).toBe("filter error at column 18: expected a value after '>' but found 'and'\n  metrics.sharpe > and metrics.cagr < 1\n                   ^");
        expect(e.column).toBe(18);
        expect(e.token).toBe('and');
        expect(e.code).toBe(ErrorCodes.InvalidParams);
    });

    it.each([
        ["metrics.sharpe > 'high'", "metrics.sharpe is a number; 'high' is text", "'high'"],
        ['metrics.sharpe >', "expected a value after '>' but the filter ends", ''],
        ["(metrics.sharpe > 1 and tags.style = 'x'", "expected ')' to close the '(' at column 1 but the filter ends", ''],
        ["metrics.sharpe > 1 tags.style = 'x'", "expected 'and', 'or' or the end of the filter after a condition but found 'tags.style'", 'tags.style'],
        ['sharpe > 1', "unknown field 'sharpe' (did you mean metrics.sharpe, params.sharpe or tags.sharpe?): fields are metrics.<key>, params.<key>, tags.<key>, fingerprint.exact, fingerprint.structural and attributes.<name>", 'sharpe'],
        ["state = 'failed'", "unknown field 'state' (did you mean attributes.state?): fields are metrics.<key>, params.<key>, tags.<key>, fingerprint.exact, fingerprint.structural and attributes.<name>", 'state'],
        ["attributes.colour = 'red'", "unknown attribute 'colour'; attributes are id, state, kind, owner, team, strategy, experiment, experiment_name, created, started, finished, data_snapshot, engine_version, seed, promoted, error", 'attributes.colour'],
        ["tags.style = 'trend", "unterminated string: the ' at column 14 has no closing '", "'"],
        ['metrics.sharpe ! 1', "unexpected character '!' (not equal is '!=')", '!'],
        ["attributes.created > '2024-13-45'", "attributes.created is a time; '2024-13-45' is not an ISO date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z])", "'2024-13-45'"],
        ['attributes.created > 2024-02-30', "'2024-02-30' is not a valid date or time", '2024-02-30'],
        ["metrics.sharpe LIKE 'a%'", 'LIKE needs a text field; metrics.sharpe is a number', 'LIKE'],
        ["attributes.state = 'done'", "unknown state 'done'; states are created, queued, running, completed, failed, cancelled", "'done'"],
        ["metrics.sharpe IN (1, 'a')", "metrics.sharpe is a number; 'a' is text", "'a'"],
        ["params.fast IN (1, 'a')", "the IN list mixes numbers and strings: 'a'", "'a'"],
        ["fingerprint.fuzzy = 'x'", "unknown fingerprint 'fuzzy': use fingerprint.exact or fingerprint.structural", 'fingerprint.fuzzy'],
        ['metrics. > 1', "expected a key after 'metrics.' but there is none", ''],
        ["tags.style IS 'x'", "expected NULL or NOT NULL after IS but found 'x'", "'x'"],
        ["tags.`odd = 'x'", 'unterminated back-quoted key: the ` at column 6 has no closing `', '`'],
        ['metrics.sharpe > 1 and', "expected a condition after 'and' (such as metrics.sharpe > 1) but the filter ends", ''],
        ["attributes.promoted = 'yes'", "attributes.promoted is true or false; 'yes' is text", "'yes'"],
        ['()', "expected a condition after '(' but found ')'", ')'],
        ['metrics.sharpe > 1)', "unmatched ')': no '(' before it", ')'],
        ['tags.version = 2', "tags.version is text; 2 is a number: quote it ('2')", '2'],
        ['metrics.sharpe > 1; DROP TABLE runs', "unexpected character ';' (a filter is one expression; combine conditions with and / or)", ';'],
        ['metrics.sharpe > 1abc', "'1abc' is not a number", '1abc'],
        ['metrics.sharpe = null', "expected a value after '=' but found 'null'; test for a missing value with IS NULL", 'null'],
        ['metrics.sharpe > metrics.cagr', "expected a value after '>' but found 'metrics.cagr'; values are quoted strings, numbers, true/false or dates (a field cannot be compared with another field)", 'metrics.cagr'],
        ['metrics.sharpe between 1', "expected a comparison (=, !=, <, <=, >, >=, IN, LIKE, IS NULL) after 'metrics.sharpe' but found 'between'", 'between'],
        ['attributes.promoted > true', 'true / false can only be compared with = or !=', 'true'],
        ['metrics', "'metrics' needs a key: metrics.<key>", 'metrics'],
    ])('%s', async (filter, reason, token) => {
        const e = await error(filter);
        expect(e.reason).toBe(reason);
        expect(e.token).toBe(token);
        // The column points at the token (or one past the end when the filter ends early).
        expect(e.column).toBe(token === '' ? (filter.endsWith('. > 1') ? filter.indexOf('.') + 2 : filter.length + 1) : filter.lastIndexOf(token) + 1);
        expect(e.message.startsWith(`filter error at column ${e.column}: ${reason}\n  `)).toBe(true);
        const [, line, caret] = e.message.split('\n');
        expect(line).toBe(`  ${filter}`);
        expect(caret!.indexOf('^')).toBe(e.column + 1);
    });

    it('deep nesting is an error, not a stack overflow', async () => {
        const e = await error(`${'('.repeat(200)}metrics.a > 1${')'.repeat(200)}`);
        expect(e.reason).toBe('the filter nests deeper than 64 levels');
    });

    it('long filters are windowed around the column, keeping the caret under the token', async () => {
        const filter = `${Array.from({ length: 20 }, (_, i) => `metrics.m${i} > ${i}`).join(' and ')} and metrics.x > 'bad'`;
        const e = await error(filter);
        const [, line, caret] = e.message.split('\n');
        expect(line!.length).toBeLessThan(140);
        expect(line!.slice(caret!.indexOf('^'))).toMatch(/^'bad'/);
    });

    it('orderBy errors say so', async () => {
        const e = await failure<FilterError>(exp.search({ orderBy: 'metrics.sharpe DESCENDING' }));
        expect(e).toBeInstanceOf(FilterError);
        expect(e.message.split('\n')[0]).toBe("orderBy error at column 16: expected ASC, DESC, ',' or the end after 'metrics.sharpe' but found 'DESCENDING'");
        expect(parseOrderBy('metrics.sharpe desc, attributes.created').map(t => [t.field.text, t.descending])).toEqual([['metrics.sharpe', true], ['attributes.created', false]]);
    });
});
