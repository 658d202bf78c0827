/**
 * The execution gateway's control-plane rows over a real DuckDB file and a real PostgreSQL 15 (team
 * mode), the same tests on each: deployment records (the row, its states with their events in one
 * transaction, a bar with its progress, event catch-up, recovery by state, team isolation, several
 * deployments' bars in one group commit) and venue keys at rest (encrypted, bound to their team,
 * tampering found). The deployments' runtime (feeds, venues, bars from DuckDB) is tested in
 * deployments.test.ts; this is what it stores.
 */
import { describe, expect, it } from 'vitest';
import type { DeploymentEvent } from '../../../protocol/src/daemon/index.js';
import { DeploymentRecords, type DeploymentSpec } from '../../src/execution/deployments/records.js';
import { VenueKeys } from '../../src/execution/venue-keys.js';
import { GroupCommit } from '../../src/store/group-commit.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { tempDir } from '../data/helpers.js';
import { STORE_KINDS, available, openControl, reopenControl, usePostgres, type StoreKind } from '../team/control-stores.js';

usePostgres('runtime/test/execution/control-records.test.ts');

const spec = (id: string, o: Partial<DeploymentSpec> = {}): DeploymentSpec => ({
    id, team: 'alpha', owner: 'ann', mode: 'paper', strategy: 'Cross', source: 'strategy Cross { }', uri: null, params: { fast: 3, slow: 8, long: true },
    registry: { name: 'Cross', version: 2 }, venue: 'paper',
    feed: { kind: 'replay', barMs: 1000, symbols: ['synth:AAA'], from: '2020-01-01', to: null }, capital: 100_000, limits: { maxNotional: 5000 },
    packs: [{ name: 'ta-extra', version: '1.2.0' }], ...o,
});

const event = (id: string, seq: number, kind: DeploymentEvent['kind'], data: Record<string, unknown>): DeploymentEvent =>
    ({ type: 'deployment', deploymentId: id, seq, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), kind, data });

async function fresh(kind: StoreKind): Promise<{ dir: string; store: SqlStore; records: DeploymentRecords }> {
    const dir = tempDir('af-exec-records-');
    const store = await openControl(kind, dir);
    let tick = 0;
    return { dir, store, records: new DeploymentRecords(store, () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++))) };
}

for (const kind of STORE_KINDS) describe.skipIf(!available(kind))(`on ${kind}`, () => {
    describe('deployment records', () => {
        it('a deployment reads back as written; states, bars and progress are stored with their events, and survive reopening', async () => {
            const { dir, store, records } = await fresh(kind);
            await records.insert(spec('dep_1'), 'starting');
            await records.setState('alpha', 'dep_1', 'running', null, [event('dep_1', 1, 'state', { state: 'running', previous: 'starting' })]);
            const bar = { ts: 1_577_836_800_000, assets: [{ open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }, null] };
            await records.bar('alpha', 'dep_1', 1, bar, { bars: 1, warmupBars: 8, riskState: 'NORMAL', equity: 100_012.5, pnl: 12.5 },
                [event('dep_1', 2, 'account', { equity: 100_012.5 })]);
            await records.bar('alpha', 'dep_1', 2, null, { bars: 2, warmupBars: null, riskState: null, equity: Infinity, pnl: NaN }, []);
            await records.setState('alpha', 'dep_1', 'stopped', 'the feed ended', [event('dep_1', 3, 'state', { state: 'stopped', previous: 'running' })]);

            const again = new DeploymentRecords(await reopenControl(kind, dir, store));
            const got = (await again.get('alpha', 'dep_1'))!;
            expect(got.spec).toEqual(spec('dep_1'));
            expect(got.wire).toMatchObject({
                state: 'stopped', reason: 'the feed ended', bars: 2, warmupBars: null, riskState: null, equity: null, pnl: null, capital: 100_000,
                params: { fast: 3, slow: 8, long: true }, registry: { name: 'Cross', version: 2 },
                createdAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:04.000Z', updatedAt: '2026-01-01T00:00:04.000Z',
            });
            expect(await again.bars('alpha', 'dep_1')).toEqual([bar]);
            expect(await again.lastSeq('alpha', 'dep_1')).toBe(3);
            expect((await again.readEvents('alpha', 'dep_1', 1, 10)).map(e => [e.seq, e.kind, e.data])).toEqual([
                [2, 'account', { equity: 100_012.5 }], [3, 'state', { state: 'stopped', previous: 'running' }],
            ]);
            expect(await again.lastEvent('alpha', 'dep_1', 'state')).toMatchObject({ seq: 3, data: { state: 'stopped' } });
            expect(await again.lastEvent('alpha', 'dep_1', 'fill')).toBeUndefined();
        });

        it('another team\'s deployment is not found; lists are by team, newest first, by state; recovery finds every team\'s', async () => {
            const { records } = await fresh(kind);
            await records.insert(spec('dep_a1'), 'running');
            await records.insert(spec('dep_a2', { registry: null, capital: null, packs: null }), 'starting');
            await records.insert(spec('dep_b1', { team: 'beta', owner: 'bob' }), 'running');
            expect(await records.get('beta', 'dep_a1')).toBeUndefined();
            const alpha = await records.list('alpha');
            expect([alpha.total, alpha.deployments.map(d => d.wire.id)]).toEqual([2, ['dep_a2', 'dep_a1']]);
            expect(alpha.deployments[0]!.wire).toMatchObject({ registry: null, capital: null });
            expect(alpha.deployments[0]!.spec.packs).toBeNull();
            expect((await records.list('alpha', { state: 'running' })).deployments.map(d => d.wire.id)).toEqual(['dep_a1']);
            expect((await records.list('alpha', { limit: 1, offset: 1 })).deployments.map(d => d.wire.id)).toEqual(['dep_a1']);
            expect((await records.inStates(['running', 'starting'])).map(d => d.wire.id)).toEqual(['dep_a1', 'dep_a2', 'dep_b1']);
            // A state change names the team too: beta cannot move alpha's deployment.
            await records.setState('beta', 'dep_a1', 'stopped', 'by beta');
            expect((await records.get('alpha', 'dep_a1'))!.wire.state).toBe('running');
        });

        it('the bars of several deployments committed together share one transaction; a bad one fails alone', async () => {
            const { store, records } = await fresh(kind);
            for (let i = 0; i < 4; i++) await records.insert(spec(`dep_${i}`), 'running');
            const group = new GroupCommit(store);
            const commit = (w: Parameters<GroupCommit['commit']>[0]): Promise<void> => group.commit(w);
            const progress = (bars: number) => ({ bars, warmupBars: 0, riskState: 'NORMAL', equity: 1000 + bars, pnl: bars });
            await Promise.all([0, 1, 2, 3].map(i => records.bar('alpha', `dep_${i}`, 1, { ts: 1000, assets: [null] }, progress(1), [event(`dep_${i}`, 1, 'account', { i })], commit)));
            expect(group.stats).toEqual({ transactions: 1, writes: 4, split: 0 });
            // dep_2 stores its bar 1 again (the primary key refuses it): the others' bar 2 commits, dep_2's nothing.
            const settled = await Promise.allSettled([0, 1, 2, 3].map(i => records.bar('alpha', `dep_${i}`, i === 2 ? 1 : 2, { ts: 2000, assets: [null] }, progress(2), [], commit)));
            expect(settled.map(s => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
            expect(group.stats.split).toBe(1);
            expect(await Promise.all([0, 1, 2, 3].map(async i => (await records.get('alpha', `dep_${i}`))!.wire.bars))).toEqual([2, 2, 1, 2]);
            expect(await Promise.all([0, 1, 2, 3].map(async i => (await records.bars('alpha', `dep_${i}`)).length))).toEqual([2, 2, 1, 2]);
        });
    });

    describe('venue keys at rest', () => {
        const creds = { apiKey: 'AK-5c1e9', secret: 'SK-secret-77d0' };

        it('are stored encrypted, listed without the secret, and only the storing team can reveal them', async () => {
            const { dir, store } = await fresh(kind);
            const keys = VenueKeys.open(store, dir);
            const info = await keys.set('alpha', 'binance', 'main', creds, 'alice');
            expect(await keys.list('alpha')).toEqual([info]);
            expect(await keys.list('beta')).toEqual([]);
            expect(await keys.reveal('alpha', 'binance', 'main')).toEqual(creds);
            expect(String(await keys.reveal('beta', 'binance', 'main').catch((e: Error) => e))).toMatch(/team beta has no venue keys for binance\/main/);
            const stored = JSON.stringify(await store.rows('SELECT * FROM venue_keys'));
            expect(stored).not.toContain(creds.secret);
            expect(stored).not.toContain(creds.apiKey);
            // Setting them again replaces them; removing them by exchange/label.
            await keys.set('alpha', 'binance', 'main', { ...creds, secret: 'SK-new' }, 'alice');
            expect(await keys.list('alpha')).toHaveLength(1);
            expect((await keys.reveal('alpha', 'binance', 'main')).secret).toBe('SK-new');
            await keys.remove('alpha', 'binance/main');
            expect(await keys.list('alpha')).toEqual([]);
        });

        it('a row copied to another team or an altered ciphertext fails its integrity check, naming neither key nor secret', async () => {
            const { dir, store } = await fresh(kind);
            const keys = VenueKeys.open(store, dir);
            await keys.set('alpha', 'binance', 'main', creds, 'alice');
            await store.run(`INSERT INTO venue_keys SELECT 'beta', 'vk_copy', exchange, label, created_at, created_by, nonce, ciphertext, tag FROM venue_keys WHERE team = 'alpha'`);
            const moved = await keys.reveal('beta', 'binance', 'main').catch((e: Error) => e);
            expect(String(moved)).toMatch(/fail their integrity check/);
            const ct = Buffer.from(String(await store.scalar(`SELECT ciphertext FROM venue_keys WHERE team = 'alpha'`)), 'base64');
            ct[0] = ct[0]! ^ 1;
            await store.run(`UPDATE venue_keys SET ciphertext = $1 WHERE team = 'alpha'`, [ct.toString('base64')]);
            const tampered = await keys.reveal('alpha', 'binance', 'main').catch((e: Error) => e);
            expect(String(tampered)).toMatch(/venue keys binance\/main of team alpha fail their integrity check/);
            for (const e of [moved, tampered]) {
                expect(String(e)).not.toContain(creds.secret);
                expect(String(e)).not.toContain(creds.apiKey);
            }
        });

        it('the first key file opened is the installation\'s: another is refused when the rows are shared, and taken over in embedded use only while no keys are stored', async () => {
            const { dir, store } = await fresh(kind);
            const first = VenueKeys.open(store, dir);
            expect(await first.checkKeyFile({ shared: true })).toBe('written');
            expect(await first.checkKeyFile({ shared: true })).toBe('matches');
            // The check row is no team's: it is listed, revealed and removed by none.
            expect(await first.list('')).toEqual([]);
            await expect(first.reveal('', '-', '-key-check')).rejects.toThrow(/team {2}has no venue keys/);
            const otherDir = tempDir('af-exec-records-key-');
            const other = VenueKeys.open(store, otherDir);
            const refused = await other.checkKeyFile({ shared: true }).catch((e: Error) => e);
            expect(String(refused)).toMatch(new RegExp(`${otherDir}/venue-keys\\.key is not the key this control plane's venue keys are encrypted with: copy venue-keys\\.key from the state directory of a daemon already serving it`));
            await first.set('alpha', 'binance', 'main', creds, 'alice');
            // Embedded: a replaced key file with keys stored under the old one is reported, and changes nothing.
            expect(await other.checkKeyFile({ shared: false })).toBe('other');
            expect(await first.checkKeyFile({ shared: true })).toBe('matches');
            await first.remove('alpha', 'binance/main');
            // No keys stored: the replaced key file becomes the key; the old one is then the stranger.
            expect(await other.checkKeyFile({ shared: false })).toBe('rewritten');
            expect(await other.checkKeyFile({ shared: true })).toBe('matches');
            await expect(first.checkKeyFile({ shared: true })).rejects.toThrow(/is not the key this control plane's venue keys are encrypted with/);
        });
    });
});
