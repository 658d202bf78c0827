/**
 * The Registry over a real DuckDB file and a real PostgreSQL 15 (team mode), the same tests on each: versions 1, 2, 3 per team and name, immutability and the
 * identical-publish refusal, the lifecycle draft → approved → deployed → retired with an event per
 * transition (actor, time), 409s for transitions the state does not allow, four eyes, team
 * isolation, and tamper detection (an altered column, a removed version, a state written without
 * its event) — each found when read, and the entry then refused for show and transitions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../protocol/src/errors.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { diffEntries } from '../../src/registry/diff.js';
import { Registry, type Publication } from '../../src/registry/registry.js';
import { tempDir } from '../data/helpers.js';
import { STORE_KINDS, available, openControl, usePostgres } from '../team/control-stores.js';

usePostgres('runtime/test/registry/registry.test.ts');

const alice = { user: 'alice', userId: 'usr_alice' };
const bob = { user: 'bob', userId: 'usr_bob' };

function publication(o: Partial<Publication> = {}): Publication {
    return {
        team: 'alpha', name: 'Cross', strategy: 'Cross', source: 'strategy Cross { }\n', uri: 'file:///work/cross.af',
        libraries: [{ uri: 'file:///work/lib/ind.af', text: 'def f(x) = x\n' }], params: { fast: 10, slow: 40 },
        signature: { sma: 2, rule: 2 }, fingerprints: { exact: 'e1', structural: 's1' },
        runId: 'run_1', dataSnapshot: 'snap', engineVersion: 'engine-1', notes: null, ...o,
    };
}

async function code(p: Promise<unknown>): Promise<{ code: number; message: string }> {
    try {
        await p;
    } catch (e) {
        return { code: (e as { code: number }).code, message: (e as Error).message };
    }
    throw new Error('expected a failure');
}

let store: SqlStore;
let registry: Registry;
let tick = 0;

for (const kind of STORE_KINDS) describe.skipIf(!available(kind))(`on ${kind}`, () => {
    beforeEach(async () => {
        store = await openControl(kind, tempDir('af-registry-'));
        tick = 0;
        registry = new Registry(store, () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)));
    }, 30_000); // opening a store (the first in a file copies a template it may build) can pass 10 s on a loaded machine

    afterEach(() => store.close());

    describe('publishing', () => {
        it('versions are 1, 2, 3 per team and name; content, digest and chain are recorded', async () => {
            const v1 = await registry.publish(publication(), alice);
            const v2 = await registry.publish(publication({ source: 'strategy Cross { }\n// v2\n' }), alice);
            const other = await registry.publish(publication({ name: 'Other' }), alice);
            const beta = await registry.publish(publication({ team: 'beta' }), bob);
            expect([v1.version, v2.version, other.version, beta.version]).toEqual([1, 2, 1, 1]);
            expect(v1).toMatchObject({ state: 'draft', author: 'alice', previousDigest: null, publishedAt: '2026-01-01T00:00:00.000Z', damage: undefined });
            expect(v2.previousDigest).toBe(v1.digest);
            expect(v1.digest).toMatch(/^[0-9a-f]{64}$/);
            const shown = await registry.show('alpha', 'Cross', 1);
            expect(shown).toMatchObject({ source: 'strategy Cross { }\n', libraries: [{ uri: 'file:///work/lib/ind.af', text: 'def f(x) = x\n' }], params: { fast: 10, slow: 40 }, runId: 'run_1', dataSnapshot: 'snap' });
            expect(shown.events).toEqual([{ seq: 1, ts: '2026-01-01T00:00:00.000Z', kind: 'published', from: null, to: 'draft', actor: 'alice', note: null }]);
            expect((await registry.show('alpha', 'Cross')).version).toBe(2);
        });

        it('publishes of one name at the same moment all succeed, with consecutive versions and an intact chain', async () => {
            // On PostgreSQL each runs on a connection of its own: they read the same latest version and race to insert the next.
            const sources = ['a', 'b', 'c', 'd', 'e'].map(x => `strategy Cross { }\n// ${x}\n`);
            const published = await Promise.all(sources.map(source => registry.publish(publication({ source }), alice)));
            expect(published.map(e => e.version).sort()).toEqual([1, 2, 3, 4, 5]);
            const listed = (await registry.list('alpha', { name: 'Cross' })).entries;
            expect(listed.map(e => e.version)).toEqual([5, 4, 3, 2, 1]);
            expect(listed.map(e => e.damage)).toEqual(listed.map(() => undefined));
            expect(listed.map(e => e.source).sort()).toEqual([...sources].sort());
            for (const e of listed) expect(e.previousDigest).toBe(listed.find(p => p.version === e.version - 1)?.digest ?? null);
        });

        it('refuses a publication identical to the latest version (409), accepts it again once that is retired', async () => {
            await registry.publish(publication(), alice);
            const same = await code(registry.publish(publication({ notes: 'again' }), alice));
            expect(same).toMatchObject({ code: ErrorCodes.Conflict, message: expect.stringMatching(/Cross@1 already holds this strategy/) });
            await registry.retire('alpha', 'Cross', 1, alice);
            expect((await registry.publish(publication(), alice)).version).toBe(2);
        });

        it('lists by name then newest version, filtered by name and state, paged; other teams see nothing', async () => {
            await registry.publish(publication(), alice);
            await registry.publish(publication({ params: { fast: 5, slow: 40 } }), alice);
            await registry.publish(publication({ name: 'Alpha' }), alice);
            const all = await registry.list('alpha');
            expect(all.entries.map(e => `${e.name}@${e.version}`)).toEqual(['Alpha@1', 'Cross@2', 'Cross@1']);
            expect(all.total).toBe(3);
            expect((await registry.list('alpha', { name: 'Cross', limit: 1, offset: 1 })).entries.map(e => e.version)).toEqual([1]);
            await registry.approve('alpha', 'Cross', 2, bob);
            expect((await registry.list('alpha', { state: 'approved' })).entries.map(e => `${e.name}@${e.version}`)).toEqual(['Cross@2']);
            expect(await registry.list('beta')).toEqual({ entries: [], total: 0 });
            expect(await code(registry.show('beta', 'Cross', 1))).toMatchObject({ code: ErrorCodes.NotFound });
            expect(await code(registry.show('alpha', 'Cross', 9))).toMatchObject({ code: ErrorCodes.NotFound, message: 'Cross@9 does not exist; the latest version of Cross is 2' });
        });
    });

    describe('the lifecycle', () => {
        it('draft → approved → deployed → retired, each an event with actor and time', async () => {
            await registry.publish(publication(), alice);
            expect(await registry.approve('alpha', 'Cross', 1, bob, 'looks right')).toMatchObject({ state: 'approved', approvedBy: 'bob' });
            expect((await registry.markDeployed('alpha', 'Cross', 1, { user: 'system', userId: 'system' })).state).toBe('deployed');
            expect((await registry.retire('alpha', 'Cross', 1, alice, 'replaced')).state).toBe('retired');
            const e = await registry.show('alpha', 'Cross', 1);
            expect(e.state).toBe('retired');
            expect(e.approvedBy).toBe('bob');
            expect(e.events.map(x => [x.seq, x.kind, x.from, x.to, x.actor, x.note])).toEqual([
                [1, 'published', null, 'draft', 'alice', null],
                [2, 'approved', 'draft', 'approved', 'bob', 'looks right'],
                [3, 'deployed', 'approved', 'deployed', 'system', null],
                [4, 'retired', 'deployed', 'retired', 'alice', 'replaced'],
            ]);
            expect(e.events.map(x => x.ts)).toEqual(['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:03.000Z']);
        });

        it('transitions the state does not allow are 409s that say what to do, and change nothing', async () => {
            await registry.publish(publication(), alice);
            expect(await code(registry.markDeployed('alpha', 'Cross', 1, bob))).toMatchObject({ code: ErrorCodes.Conflict, message: expect.stringMatching(/cannot deploy Cross@1: it is draft; only an approved version can be deployed/) });
            await registry.approve('alpha', 'Cross', 1, bob);
            expect(await code(registry.approve('alpha', 'Cross', 1, bob))).toMatchObject({ code: ErrorCodes.Conflict, message: expect.stringMatching(/cannot approve Cross@1: it is approved/) });
            await registry.retire('alpha', 'Cross', 1, bob);
            expect(await code(registry.retire('alpha', 'Cross', 1, bob))).toMatchObject({ code: ErrorCodes.Conflict, message: expect.stringMatching(/already retired/) });
            expect(await code(registry.approve('alpha', 'Cross', 1, bob))).toMatchObject({ code: ErrorCodes.Conflict });
            expect(await code(registry.markDeployed('alpha', 'Cross', 1, bob))).toMatchObject({ code: ErrorCodes.Conflict });
            expect((await registry.show('alpha', 'Cross', 1)).events.map(x => x.kind)).toEqual(['published', 'approved', 'retired']);
        });

        it('two approvals of one version at the same moment: one wins, the other is a 409, and one approved event is written', async () => {
            await registry.publish(publication(), alice);
            const carol = { user: 'carol', userId: 'usr_carol' };
            const results = await Promise.allSettled([registry.approve('alpha', 'Cross', 1, bob), registry.approve('alpha', 'Cross', 1, carol)]);
            expect(results.map(r => r.status).sort()).toEqual(['fulfilled', 'rejected']);
            const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
            expect((lost.reason as { code: number }).code).toBe(ErrorCodes.Conflict);
            const e = await registry.show('alpha', 'Cross', 1);
            expect(e.events.map(x => x.kind)).toEqual(['published', 'approved']);
            expect(e.approvedBy).toBe(e.events[1]!.actor);
        });

        it('four eyes: the author cannot approve their own version (403), someone else can', async () => {
            await registry.publish(publication(), alice);
            const own = await code(registry.approve('alpha', 'Cross', 1, { user: 'alice', userId: 'usr_alice' }));
            expect(own).toMatchObject({ code: ErrorCodes.Forbidden, message: expect.stringMatching(/alice published Cross@1 and cannot also approve it \(four eyes\)/) });
            expect((await registry.show('alpha', 'Cross', 1)).state).toBe('draft');
            expect((await registry.approve('alpha', 'Cross', 1, bob)).state).toBe('approved');
        });

        it('another team cannot move an entry (404, nothing changes)', async () => {
            await registry.publish(publication(), alice);
            expect(await code(registry.approve('beta', 'Cross', 1, bob))).toMatchObject({ code: ErrorCodes.NotFound });
            expect(await code(registry.retire('beta', 'Cross', 1, bob))).toMatchObject({ code: ErrorCodes.NotFound });
            expect((await registry.show('alpha', 'Cross', 1)).state).toBe('draft');
        });
    });

    describe('tampering is detected when read', () => {
        it('an altered source: list marks it, show/approve/diff refuse it (409)', async () => {
            await registry.publish(publication(), alice);
            await store.run(`UPDATE registry_entries SET source = 'strategy Evil { }' WHERE name = 'Cross' AND version = 1`);
            const listed = (await registry.list('alpha')).entries[0]!;
            expect(listed.damage).toBe('its stored content does not match its digest');
            const shown = await code(registry.show('alpha', 'Cross', 1));
            expect(shown).toMatchObject({ code: ErrorCodes.Conflict, message: expect.stringMatching(/Cross@1 cannot be trusted: its stored content does not match its digest/) });
            expect(shown.message).not.toContain('Evil');
            expect(await code(registry.approve('alpha', 'Cross', 1, bob))).toMatchObject({ code: ErrorCodes.Conflict });
        });

        it('altered parameter values or a library text are found too', async () => {
            await registry.publish(publication(), alice);
            await registry.publish(publication({ name: 'Lib' }), alice);
            await store.run(`UPDATE registry_entries SET params = '{"fast":3,"slow":40}' WHERE name = 'Cross'`);
            await store.run(`UPDATE registry_entries SET libraries = replace(libraries, 'def f(x) = x', 'def f(x) = -x') WHERE name = 'Lib'`);
            expect((await registry.list('alpha')).entries.map(e => e.damage !== undefined)).toEqual([true, true]);
        });

        it('a removed version breaks the chain of the next one', async () => {
            await registry.publish(publication(), alice);
            await registry.publish(publication({ source: 'v2' }), alice);
            await registry.publish(publication({ source: 'v3' }), alice);
            await store.run(`DELETE FROM registry_entries WHERE name = 'Cross' AND version = 2`);
            const byVersion = new Map((await registry.list('alpha')).entries.map(e => [e.version, e.damage]));
            expect(byVersion.get(1)).toBeUndefined();
            expect(byVersion.get(3)).toMatch(/chain to version 2 is broken/);
        });

        it('a state written without its event is found (nobody can approve by UPDATE)', async () => {
            await registry.publish(publication(), alice);
            await store.run(`UPDATE registry_entries SET state = 'approved' WHERE name = 'Cross'`);
            expect(await code(registry.show('alpha', 'Cross', 1))).toMatchObject({ code: ErrorCodes.Conflict, message: expect.stringMatching(/its state \(approved\) is not the one its events record \(draft\)/) });
            expect(await code(registry.markDeployed('alpha', 'Cross', 1, bob))).toMatchObject({ code: ErrorCodes.Conflict });
        });
    });

    describe('diff', () => {
        it('unified diffs of source and libraries, differing params, structure in words', async () => {
            await registry.publish(publication({ source: 'strategy Cross {\n  a\n  b\n}\n' }), alice);
            await registry.publish(publication({
                source: 'strategy Cross {\n  a\n  c\n}\n', params: { fast: 5, slow: 40 }, signature: { ema: 2, rule: 2 },
                libraries: [{ uri: 'file:///work/lib/ind.af', text: 'def f(x) = x * 2\n' }, { uri: 'file:///work/lib/new.af', text: 'def g(x) = x\n' }],
                fingerprints: { exact: 'e2', structural: 's2' },
            }), alice);
            const [a, b] = [await registry.show('alpha', 'Cross', 1), await registry.show('alpha', 'Cross', 2)];
            const d = await diffEntries(a, b);
            expect(d.files.map(f => [f.file, f.change])).toEqual([['source', 'changed'], ['file:///work/lib/ind.af', 'changed'], ['file:///work/lib/new.af', 'added']]);
            expect(d.files[0]!.diff).toContain('--- source (Cross@1)\n+++ source (Cross@2)\n');
            expect(d.files[0]!.diff).toContain('-  b\n+  c\n');
            expect(d.files[2]!.diff).toContain('+def g(x) = x');
            expect(d.params).toEqual([{ name: 'fast', from: 10, to: 5 }]);
            expect(d).toMatchObject({ sameExact: false, sameStructure: false, structure: 'same DAG except sma→ema in 2 places' });
            const self = await diffEntries(a, a);
            expect(self).toMatchObject({ files: [{ file: 'source', change: 'same', diff: '' }, { change: 'same' }], params: [], structure: 'identical structure and values' });
        });

        it('a diff past its edit limit says so instead of holding the daemon', async () => {
            const big = (k: number) => Array.from({ length: 3000 }, (_, i) => `line ${(i * k) % 7919}`).join('\n');
            await registry.publish(publication({ source: big(1) }), alice);
            await registry.publish(publication({ source: big(13) }), alice);
            const d = await diffEntries(await registry.show('alpha', 'Cross', 1), await registry.show('alpha', 'Cross', 2), { maxEditLength: 50 });
            expect(d.files[0]!.diff).toMatch(/too different to show as a diff within 50 edited lines/);
        });
    });
});
