/**
 * The hostile-input sweep shared by hostile-inputs*.test.ts (split in two files so the two CI
 * workers share it; each file takes every other method). A table-driven sweep of the whole method table with hostile values: every string field of every
 * available method's params (found from the table's own schemas, so a new method or field is
 * covered without editing this file) gets paths to host files and to the state directory, `..`
 * chains, URLs, SQL fragments, NUL bytes, patterns and oversized text, one field at a time, from
 * team beta with the least role the method allows. Source fields also get sources whose `import`
 * statements aim at host files. Whatever the daemon answers: never an internal error (-32603), never
 * a secret (the admin token, any team's token, the planted host file), and it keeps serving. The
 * runs such calls created are then read back (record, error, logs) and checked the same way.
 */
import { z } from 'zod';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ErrorCodes, METHODS, ROLES, RpcError, roleAllows, type MethodName, type Role } from '../../../protocol/src/daemon/index.js';
import { expectNoLeak, TINY, type SecureDaemon } from './support.js';

type Json = { type?: string; properties?: Record<string, Json>; items?: Json; anyOf?: Json[]; additionalProperties?: Json | boolean };

/** Paths of the string fields of a params schema: ['spec', 'source'], ['bars', 'ids', 0], ['spec', 'tags', '*'] … */
function stringFields(schema: z.ZodType): (string | number)[][] {
    const out: (string | number)[][] = [];
    const walk = (j: Json, path: (string | number)[]): void => {
        j.anyOf?.forEach(a => walk(a, path));
        if (j.type === 'string') out.push(path);
        if (j.properties) for (const [k, v] of Object.entries(j.properties)) walk(v, [...path, k]);
        if (j.items) walk(j.items, [...path, 0]);
        if (j.additionalProperties && typeof j.additionalProperties === 'object') walk(j.additionalProperties, [...path, '*']);
    };
    walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json, []);
    const seen = new Set<string>();
    return out.filter(p => !seen.has(JSON.stringify(p)) && (seen.add(JSON.stringify(p)), true));
}

/** A copy of `base` with the value at `path` replaced (objects and arrays created as needed; '*' is a map key). */
function withValue(base: unknown, path: readonly (string | number)[], value: unknown): unknown {
    if (path.length === 0) return value;
    const [head, ...rest] = path;
    if (typeof head === 'number') {
        const arr = Array.isArray(base) ? [...base] as unknown[] : [];
        arr[head] = withValue(arr[head], rest, value);
        return arr;
    }
    const obj = typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...base as Record<string, unknown> } : {};
    const key = head === '*' ? 'hostile' : head!;
    obj[key] = withValue(obj[key], rest, value);
    return obj;
}

/** Valid params of each available method (so that a hostile value is the only thing wrong). */
function baseParams(runId: string): Partial<Record<MethodName, unknown>> {
    return {
        'daemon.info': {}, 'daemon.health': {}, 'lang.compile': { source: TINY }, 'lang.lint': { source: TINY }, 'lang.analyse': { source: TINY }, 'lang.diff': { from: { source: TINY }, to: { runId } },
        'data.list': {}, 'data.import': { file: 'missing.csv', venue: 'x', symbol: 'y', timeframe: '1d' }, 'data.sample': {}, 'data.synth': { symbols: ['HOST'], bars: 20 },
        'data.export': { name: 'x.csv', bars: { ids: ['synth:AAA'], timeframe: '1d' } },
        'data.show': { instrument: 'synth:AAA' }, 'data.resample': { instrument: 'synth:HOST', to: '1w' }, 'data.onchain.import': { kind: 'pools', file: 'missing.csv' },
        'data.hft.import': { file: 'missing.csv', format: 'tardis-trades', venue: 'x', symbol: 'Y' }, 'data.hft.sample': {}, 'data.hft.synth': { events: 100 },
        'data.hft.list': {}, 'data.hft.show': { instrument: 'synth:BTC/USDT' }, 'hft.backtest': { source: TINY },
        'runs.submit': { kind: 'backtest', spec: { source: TINY } }, 'runs.get': { id: runId }, 'runs.list': {},
        'runs.cancel': { id: runId }, 'runs.logs': { id: runId }, 'runs.artifacts': { id: runId }, 'runs.result': { id: runId }, 'runs.promote': { id: runId },
        'experiments.create': { name: 'e' }, 'experiments.list': {}, 'experiments.search': { filter: "attributes.kind = 'backtest'" },
        'experiments.compare': { runIds: [runId, runId] }, 'experiments.ledger': { structural: 'ab12' }, 'experiments.export': { name: 'r.csv', filter: "attributes.kind = 'backtest'" },
        'similar.find': { source: TINY }, 'iam.whoami': {}, 'iam.tokens.create': { name: 'x' }, 'iam.tokens.list': {},
        'iam.tokens.revoke': { id: 'tok_0000000000000000' }, 'iam.users.create': { name: 'n' }, 'iam.users.list': {},
        'iam.users.disable': { user: 'nobody' }, 'iam.users.enable': { user: 'nobody' }, 'iam.teams.create': { name: 't' },
        'iam.teams.list': {}, 'iam.members.set': { user: 'nobody', team: 'beta', role: 'viewer' }, 'audit.list': {},
        'registry.publish': { source: TINY, name: 'Hostile', notes: 'n' }, 'registry.list': {}, 'registry.show': { name: 'Hostile' },
        'registry.approve': { name: 'Hostile', version: 1 }, 'registry.retire': { name: 'Hostile', version: 1 },
        'registry.diff': { from: { name: 'Hostile', version: 1 }, to: { name: 'Hostile', version: 1 } }, 'packs.list': {}, 'packs.info': { name: 'core' },
        'execution.paper.start': { source: TINY, feed: { barMs: 50, from: '2020-01-01', to: '2020-01-03' } },
        'execution.live.start': { registry: { name: 'Hostile', version: 1 }, venue: 'paper', feed: { kind: 'replay', barMs: 50, from: '2020-01-01', to: '2020-01-03' } },
        'execution.stop': { id: 'dep_x', reason: 'r' }, 'execution.kill': { id: 'dep_x', reason: 'r' }, 'execution.list': {}, 'execution.show': { id: 'dep_x' },
        'execution.positions': { id: 'dep_x' }, 'execution.orders': { id: 'dep_x' }, 'execution.events': { id: 'dep_x' },
        'venues.keys.set': { exchange: 'binance', apiKey: 'k', secret: 's' }, 'venues.keys.list': {}, 'venues.keys.remove': { ref: 'binance/none' },
    };
}

function hostileStrings(s: SecureDaemon): string[] {
    return [
        s.hostSecretFile, join(s.stateDir, 'admin.token'), join(s.stateDir, 'alphaforge.duckdb'), '../../../../../../etc/passwd',
        `file://${s.hostSecretFile}`, 'a\u0000b', `'; DROP TABLE runs; --`, `") UNION SELECT hash FROM tokens --`,
        `read_text('${s.hostSecretFile}')`, '*', '%', '${jndi:ldap://127.0.0.1/x}', 'x'.repeat(5000), '𝔘\u202e\u0007',
    ];
}

function hostileSources(s: SecureDaemon): string[] {
    return [
        `import "${s.hostSecretFile}"\n${TINY}`,
        `import "${join(s.stateDir, 'admin.token')}"\n${TINY}`,
        `import "../../../../../../etc/passwd"\n${TINY}`,
        `import "${s.hostDir}/secret.af"\n${TINY}`,
        `strategy S { universe: synth:AAA timeframe: 1d feature f = ${'('.repeat(5000)}close${')'.repeat(5000)} }`,
    ];
}

/** Namespaces swept at once. */
const LANES = 4;

/** The least role a method allows. */
const leastRole = (m: MethodName): Role => ROLES.find(r => roleAllows(r, METHODS[m].role))!;

/**
 * Shard `shard` of `shards` of the sweep on `sec`: every string field of every other available
 * method (by index in the method table), then the runs those calls created read back.
 */
export async function hostileSweep(sec: SecureDaemon, shard: number, shards: number): Promise<void> {
    const researcher = sec.client(sec.tokens.beta.researcher, 30_000);
    const run = (await researcher.call('runs.submit', { kind: 'backtest', spec: { source: TINY } })).run;
    const base = baseParams(run.id);
    const available = (Object.keys(METHODS) as MethodName[]).filter(m => METHODS[m].available);
    // Every available method has base params: a new method must be added above.
    expect(available.filter(m => !(m in base))).toEqual([]);
    const strings = hostileStrings(sec), sources = hostileSources(sec);
    const failures: string[] = [];
    let calls = 0;
    /** Every string field of `m`, one hostile value at a time, in turn. */
    const sweepMethod = async (m: MethodName): Promise<void> => {
        const client = sec.client(sec.tokens.beta[leastRole(m)], 30_000);
        const call = (method: string, params: unknown): Promise<unknown> => (client.call as (m: string, p: unknown) => Promise<unknown>).call(client, method, params);
        for (const path of stringFields(METHODS[m].params)) {
            const values = path[path.length - 1] === 'source' ? [...strings, ...sources] : strings;
            for (const v of values) {
                calls++;
                const params = withValue(base[m], path, v);
                const label = `${m} ${path.join('.')}=${JSON.stringify(v).slice(0, 60)}`;
                try {
                    expectNoLeak(await call(m, params), sec.secrets);
                } catch (e) {
                    if (!(e instanceof RpcError)) { failures.push(`${label}: ${String(e)}`); continue; }
                    if (e.code === ErrorCodes.InternalError) failures.push(`${label}: internal error ${e.message}`);
                    try { expectNoLeak(e, sec.secrets); } catch { failures.push(`${label}: leaked a secret in ${e.message.slice(0, 200)}`); }
                }
            }
        }
    };
    // The methods of one namespace (registry.publish, then .show, then .retire …) are swept in the
    // table's order, as each may act on what the one before made; namespaces are swept side by side,
    // LANES at a time: most of a call's time is spent waiting (the database, a worker thread, the
    // audit log on disk), not computing, so the daemon serves several at once.
    const byNamespace = new Map<string, MethodName[]>();
    for (const m of available.filter((_, i) => i % shards === shard)) {
        const ns = m.slice(0, m.lastIndexOf('.'));
        byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), m]);
    }
    // The namespaces with the most calls first, so the lanes end together.
    const size = (ms: readonly MethodName[]): number => ms.reduce((n, m) => n + stringFields(METHODS[m].params).length, 0);
    const groups = [...byNamespace.values()].sort((a, b) => size(b) - size(a));
    await Promise.all(Array.from({ length: LANES }, async () => {
        for (let g = groups.shift(); g; g = groups.shift()) for (const m of g) await sweepMethod(m);
    }));
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(200);
    // The daemon still serves, and what the hostile calls stored leaks nothing when read back.
    expect((await sec.client(sec.tokens.alpha.viewer).call('daemon.info')).name).toBe('alphaforge');
    const deadline = Date.now() + 120_000;
    let runs = (await researcher.call('runs.list', { limit: 1000 })).runs;
    while (runs.some(r => r.state === 'queued' || r.state === 'running' || r.state === 'created') && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 100));
        runs = (await researcher.call('runs.list', { limit: 1000 })).runs;
    }
    expect(runs.length).toBeGreaterThanOrEqual(1);
    const readBack = [...runs];
    await Promise.all(Array.from({ length: LANES }, async () => {
        for (let r = readBack.shift(); r; r = readBack.shift()) {
            expectNoLeak((await researcher.call('runs.get', { id: r.id })).run, sec.secrets);
            expectNoLeak(await researcher.call('runs.logs', { id: r.id, limit: 1000 }), sec.secrets);
        }
    }));
}
