/**
 * On-chain data in the daemon (issue 17): data.onchain.import writes the caller's team's copy of
 * each pool and chain, confined to the daemon's data folders like data.import; a daemon run loads
 * the on-chain columns of what its team may read; `af data onchain import` goes through a running
 * daemon. One secure daemon for the file; its workspace enables the onchain pack and holds the
 * bundled sample's files.
 */
import { copyFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonClient } from '../../../protocol/src/client.js';
import type { RunResult } from '../../../protocol/src/run-result.js';
import { withStore } from '../../src/schema/registry.js';
import { shareBars, unshareBars } from '../../src/engine/worker-pool.js';
import { barsDigest, decodeBars, encodeBars, JobDataSchema, storedBars, WIRE_VERSION } from '../../src/queue/wire.js';
import { af } from '../packs/support.js';
import { tempDir } from '../data/helpers.js';
import { expectNoLeak, rejection, startSecureDaemon, type SecureDaemon, type TeamName } from './support.js';

const SAMPLE = join(process.cwd(), 'examples', 'packs', 'onchain-sample');
const EXAMPLE = join(process.cwd(), 'examples', 'packs', 'onchain-dex-signal.af');
const KINDS = ['pools', 'swaps', 'tvl', 'gas'] as const;

let sec: SecureDaemon;
const ws = tempDir('af-onchain-ws-');
const local = tempDir('af-onchain-local-');
const as = (team: TeamName, role: 'viewer' | 'researcher' | 'admin' = 'researcher'): DaemonClient => sec.client(sec.tokens[team][role]);

/** Submits a backtest and waits until it ends; the run and, when completed, its result document. */
async function backtest(c: DaemonClient, source: string, symbols?: string[]): Promise<{ state: string; error: string | null; result?: RunResult }> {
    const { run } = await c.call('runs.submit', { kind: 'backtest', spec: { source, ...(symbols ? { symbols } : {}) } });
    for (let i = 0; i < 1200; i++) {
        const r = (await c.call('runs.get', { id: run.id })).run;
        if (r.state === 'completed') return { state: r.state, error: null, result: (await c.call('runs.result', { id: run.id })).result };
        if (r.state === 'failed' || r.state === 'cancelled') return { state: r.state, error: r.error ?? null };
        await new Promise(res => setTimeout(res, 50));
    }
    throw new Error(`run ${run.id} did not end`);
}

beforeAll(async () => {
    writeFileSync(join(ws, 'alphaforge.json'), JSON.stringify({ packs: [{ name: 'onchain', version: '^1.0.0' }] }));
    for (const f of ['bars.csv', ...KINDS.map(k => `${k}.csv`)]) copyFileSync(join(SAMPLE, f), join(ws, f));
    sec = await startSecureDaemon({ workspace: ws });
    // alpha's private copy, through the confined `file` route.
    await as('alpha').call('data.import', { file: 'bars.csv', venue: 'synth', symbol: 'ETH/USDT', timeframe: '1h', calendar: '24x7' });
    for (const kind of KINDS) await as('alpha').call('data.onchain.import', { kind, file: `${kind}.csv` });
    // The local CLI's store: the same sample, imported locally.
    expect((await af('data', 'onchain', 'sample', '--state-dir', local)).err).toBe('');
}, 180_000);

afterAll(async () => {
    await sec?.stop();
});

describe('on-chain data in the daemon', { timeout: 120_000 }, () => {
    it('a daemon backtest of the onchain example equals the local CLI\'s', async () => {
        const cli = await af('--config', join(ws, 'alphaforge.json'), 'backtest', EXAMPLE, '--state-dir', local, '--json');
        expect(cli.err).toBe('');
        const want = JSON.parse(cli.out) as RunResult;
        const got = await backtest(as('alpha'), readFileSync(EXAMPLE, 'utf8'));
        expect(got.error).toBeNull();
        const r = got.result!;
        expect(r.tradeCount).toBeGreaterThan(3);
        // The on-chain columns are part of the snapshot: equal hashes mean equal bars and on-chain data.
        expect(r.provenance.dataSnapshot).toBe(want.provenance.dataSnapshot);
        expect(r.provenance.exactFingerprint).toBe(want.provenance.exactFingerprint);
        expect(r.metrics).toEqual(want.metrics);
        expect(r.trades.map(t => [t.entryTs, t.exitTs, t.pnl])).toEqual(want.trades.map(t => [t.entryTs, t.exitTs, t.pnl]));
    });

    it('a team-mode job carries the on-chain columns (the wire to af worker), and refuses a column the pack does not have', () => {
        const T = 4, col = (x: number) => Float64Array.from({ length: T }, (_, i) => x + i);
        const bars = { ts: col(0), timeframeMs: 1, snapshotHash: 'h', assets: [{ open: col(1), high: col(2), low: col(0), close: col(1), volume: col(5), onchain: { dex_tvl: col(9), gas_price: Float64Array.of(NaN, 1, 2, 3) } }] };
        const encoded = encodeBars(shareBars(bars));
        const job = (e: unknown) => JobDataSchema.safeParse({ v: WIRE_VERSION, runId: '00000000-0000-0000-0000-000000000000', attempt: 1, job: { request: {}, ir: {}, symbols: [], params: {}, trialWorkers: 0 }, bars: { inline: e } });
        expect(job(encoded).success).toBe(true);
        const back = unshareBars(decodeBars(encoded)).assets[0]!.onchain!;
        expect(Array.from(back.dex_tvl!)).toEqual(Array.from(bars.assets[0]!.onchain.dex_tvl));
        expect(Array.from(back.gas_price!)).toEqual([NaN, 1, 2, 3]);
        expect(job({ ...encoded, assets: [{ ...encoded.assets[0], onchain: { evil: 'AAAA' } }] }).success).toBe(false);
        // Bars stored in Redis by digest (the default): read back only when every column, on-chain ones included, is what was named.
        const digest = barsDigest(shareBars(bars));
        expect(unshareBars(storedBars(JSON.stringify(encoded), digest)).assets[0]!.onchain!.dex_tvl).toEqual(bars.assets[0]!.onchain.dex_tvl);
        const swapped = { ...encoded, assets: [{ ...encoded.assets[0]!, onchain: { dex_tvl: encoded.assets[0]!.onchain!.gas_price, gas_price: encoded.assets[0]!.onchain!.dex_tvl } }] };
        expect(() => storedBars(JSON.stringify(swapped), digest)).toThrow(/the job's bars in Redis are damaged \(their digest differs\)/);
        expect(() => storedBars(JSON.stringify({ ...encoded, snapshotHash: 'other' }), digest)).toThrow(/damaged/);
        expect(job(encoded).success && JobDataSchema.safeParse({ v: WIRE_VERSION, runId: '00000000-0000-0000-0000-000000000000', attempt: 1, job: { request: {}, ir: {}, symbols: [], params: {}, trialWorkers: 0 }, bars: { stored: '../x' } }).success).toBe(false);
    });

    it('beta reads none of alpha\'s private on-chain rows and writes only its own copy', async () => {
        // beta's own venue bars of ETH: without the scope its run would read alpha's pools and complete.
        await as('beta').call('data.import', { file: 'bars.csv', venue: 'betax', symbol: 'ETH/USDT', timeframe: '1h', calendar: '24x7' });
        const denied = await backtest(as('beta'), readFileSync(EXAMPLE, 'utf8'), ['betax:ETH/USDT']);
        expect(denied.state).toBe('failed');
        expect(denied.error).toMatch(/no on-chain pool visible to team beta trades ETH/);
        // Swaps naming alpha's pool: not known to beta (its own copy of the pool is what it may write into).
        const e = await rejection(as('beta').call('data.onchain.import', { kind: 'swaps', file: 'swaps.csv' }));
        expect(e.message).toMatch(/swaps\.csv line 2: its pool is not known to team beta; import it in a pools file first/);
        // With its own copy of the pools beta's run reads its copy; alpha's rows are untouched.
        for (const kind of KINDS) await as('beta').call('data.onchain.import', { kind, file: `${kind}.csv` });
        expect((await backtest(as('beta'), readFileSync(EXAMPLE, 'utf8'), ['betax:ETH/USDT'])).state).toBe('completed');
        const owners = await withStore({ stateDir: sec.stateDir }, store => store.rows(`SELECT owner_team, visibility, count(*)::INTEGER AS n FROM onchain_owners GROUP BY ALL ORDER BY 1`));
        expect(owners).toEqual([{ owner_team: 'alpha', visibility: 'team', n: 3 }, { owner_team: 'beta', visibility: 'team', n: 3 }]);
        // Sharing needs the admin role.
        const shared = await rejection(as('alpha').call('data.onchain.import', { kind: 'gas', file: 'gas.csv', visibility: 'shared' }));
        expect(shared.message).toMatch(/needs the admin role/);
    });

    it('a named file is confined to the data folders, and errors about it quote nothing of it', async () => {
        // A symlink inside the data folder to the host secret is followed to where it points, and refused.
        symlinkSync(sec.hostSecretFile, join(ws, 'link-secret.csv'));
        for (const file of [sec.hostSecretFile, '../../etc/passwd', join(sec.stateDir, 'alphaforge.duckdb'), 'bars.tsv', 'link-secret.csv']) {
            const e = await rejection(as('alpha').call('data.onchain.import', { kind: 'pools', file }));
            expectNoLeak(e, sec.secrets);
            expect(e.message).not.toMatch(/HOST-SECRET/);
        }
        writeFileSync(join(ws, 'bad.csv'), 'ts,chain,gas_price_gwei\n2024-03-01T00:00:00Z,ethereum,PRIVATE-VALUE-42\n');
        const bad = await rejection(as('alpha').call('data.onchain.import', { kind: 'gas', file: 'bad.csv' }));
        expect(bad.message).toMatch(/bad\.csv line 2, column gas_price_gwei: not valid; write the gas price in gwei/);
        expect(bad.message).not.toContain('PRIVATE-VALUE-42');
        writeFileSync(join(ws, 'bad.json'), 'PRIVATE-JSON-43');
        const json = await rejection(as('alpha').call('data.onchain.import', { kind: 'gas', file: 'bad.json' }));
        expect(json.message).toMatch(/bad\.json: not JSON; write an array/);
        expect(json.message).not.toContain('PRIVATE-JSON-43');
    });

    it('af data onchain import goes through the daemon that holds the store, as the caller\'s team', async () => {
        const r = await af('data', 'onchain', 'import', join(SAMPLE, 'pools.csv'), '--kind', 'pools', '--state-dir', sec.stateDir, '--json');
        expect(r.err).toBe('');
        expect(JSON.parse(r.out)).toMatchObject({ pools: 2, seriesRows: 0 });
        const synth = await af('data', 'onchain', 'synth', '--state-dir', sec.stateDir);
        expect(synth.err).toMatch(/holds this store, and af data onchain synth has no daemon method/);
        const mine = await withStore({ stateDir: sec.stateDir }, store => store.scalar(`SELECT count(*)::INTEGER FROM onchain_pools WHERE owner_team = 'default'`));
        expect(mine).toBe(2);
    });
});
