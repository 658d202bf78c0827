/**
 * Bars in a real ClickHouse (Debian's clickhouse-server 18.16, started by scripts/team/servers.mjs
 * under a temp folder): what is inserted reads back exactly (NaN included), ranges are inclusive,
 * a re-import replaces, resampling in SQL gives exactly what the embedded store's resample.ts
 * gives on the same bars (two implementations of one rule), and values that could inject SQL
 * are refused before any query (18.16 has no server-side query parameters).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseBars } from '../../src/data/clickhouse-bars.js';
import { resample, type OhlcvSeries } from '../../src/data/resample.js';
import { synthBars } from '../../src/data/synth.js';
import { parseTimeframe } from '../../src/data/timeframe.js';
import { down, freePort, up } from '../../../scripts/team/servers.mjs';
import { tempDir } from '../data/helpers.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from '../../src/daemon/daemon.js';
import { DaemonClient } from '../../../protocol/src/client.js';
import type { RunResult } from '../../../protocol/src/run-result.js';
import { run as cli } from '../../src/cli/main.js';
import { TINY } from '../support/fixtures.js';

const dir = tempDir('af-team-ch-');
let ch: ClickHouseBars;
let chUrl = '';

beforeAll(async () => {
    const s = await up(dir, { only: ['clickhouse'], ports: { clickhouse: await freePort(), clickhouseTcp: await freePort() } });
    chUrl = s.clickhouse!.url;
    ch = new ClickHouseBars({ url: chUrl, database: 'af_test' });
    await ch.ensureSchema();
}, 120_000);

afterAll(async () => {
    await ch?.close();
    down(dir);
}, 60_000);

const H = 3_600_000;
function hourly(n: number, seed: number): OhlcvSeries {
    const r = synthBars({ symbols: ['X'], timeframeMs: H, bars: n, seed, start: Date.UTC(2024, 0, 1) });
    const a = r.assets[0]!;
    return { ts: r.ts, open: a.open, high: a.high, low: a.low, close: a.close, volume: a.volume };
}
const plain = (s: OhlcvSeries) => ({ ts: [...s.ts], open: [...s.open], high: [...s.high], low: [...s.low], close: [...s.close], volume: [...s.volume] });

describe('ClickHouse bars (18.16)', () => {
    it('reads back exactly what was inserted, NaN included, and ranges are inclusive', async () => {
        const bars = hourly(5000, 1);
        (bars.close as Float64Array)[17] = NaN;
        const key = { venue: 'synth', symbol: 'EXACT', timeframe: '1h' };
        expect(await ch.insert(key, bars)).toBe(5000);
        const back = await ch.range(key);
        expect(back.ts.length).toBe(5000);
        expect(Number.isNaN(back.close[17])).toBe(true);
        expect(plain(back)).toEqual(plain(bars));
        const part = await ch.range(key, bars.ts[10], bars.ts[19]);
        expect([...part.ts]).toEqual([...bars.ts.slice(10, 20)]);
        expect((await ch.range({ ...key, symbol: 'NONE' })).ts.length).toBe(0);
    });

    it('a re-import of the same bars replaces them (no duplicates)', async () => {
        const key = { venue: 'synth', symbol: 'AGAIN', timeframe: '1h' };
        const bars = hourly(100, 2);
        await ch.insert(key, bars);
        await new Promise(r => setTimeout(r, 5)); // a later version stamp
        const changed = { ...bars, close: bars.close.map(c => c * 2) };
        await ch.insert(key, changed);
        const back = await ch.range(key);
        expect(back.ts.length).toBe(100);
        expect([...back.close]).toEqual([...changed.close]);
    });

    it('resamples in SQL exactly as resample.ts does (1h → 4h, 1h → 1d; the incomplete last bucket dropped)', async () => {
        const key = { venue: 'synth', symbol: 'RES', timeframe: '1h' };
        const bars = hourly(24 * 30 + 7, 3); // ends in the middle of a day
        (bars.close as Float64Array)[40] = NaN; // skipped by both
        await ch.insert(key, bars);
        for (const to of ['4h', '1d']) {
            const from = parseTimeframe('1h'), target = parseTimeframe(to);
            const sql = await ch.resampled(key, from, target);
            const ref = resample(bars, from, target);
            expect(sql.droppedPartial, to).toBe(ref.droppedPartial);
            expect(plain(sql), to).toEqual(plain(ref));
        }
        expect((await ch.resampled(key, parseTimeframe('1h'), parseTimeframe('1d'))).droppedPartial).toBe(true);
    });

    it('a series of more than 100k bars goes in whole (18.16 refuses a streamed insert sent in 12 MB pieces)', async () => {
        const key = { venue: 'synth', symbol: 'BIG', timeframe: '1m' };
        const r = synthBars({ symbols: ['X'], timeframeMs: 60_000, bars: 120_000, seed: 6, start: Date.UTC(2024, 0, 1) });
        const a = r.assets[0]!;
        expect(await ch.insert(key, { ts: r.ts, open: a.open, high: a.high, low: a.low, close: a.close, volume: a.volume })).toBe(120_000);
        const back = await ch.range(key, r.ts[119_990], r.ts[119_999]);
        expect([...back.close]).toEqual([...a.close.slice(119_990)]);
    });

    it('attack: values that would reach the SQL text are refused before any query', async () => {
        const bars = hourly(3, 4);
        await expect(ch.insert({ venue: 'synth', symbol: "X'); DROP TABLE af_test.bars; --", timeframe: '1h' }, bars)).rejects.toThrow(/symbol .* is not valid/);
        await expect(ch.range({ venue: "synth' OR 1=1 --", symbol: 'EXACT', timeframe: '1h' })).rejects.toThrow(/venue .* is not valid/);
        await expect(ch.range({ venue: 'synth', symbol: 'EXACT', timeframe: '1h' }, Number.NaN)).rejects.toThrow(/whole number/);
        expect((await ch.range({ venue: 'synth', symbol: 'EXACT', timeframe: '1h' })).ts.length).toBe(5000);
    });

    it('differential: a daemon whose runs read bars from ClickHouse gives the embedded store\'s backtest, and reads them from there', async () => {
        const local = tempDir('af-ch-local-'), served = tempDir('af-ch-served-'), file = join(local, 'tiny.af');
        writeFileSync(file, TINY);
        let out = '';
        expect(await cli(['data', 'synth', '--symbols', 'AAA', '--bars', '300', '--seed', '5', '--state-dir', local], () => undefined, () => undefined)).toBe(0);
        expect(await cli(['backtest', file, '--state-dir', local, '--json'], x => { out += x; }, () => undefined)).toBe(0);
        const want = JSON.parse(out) as RunResult;
        const d = await startDaemon({ stateDir: served, port: 0, concurrency: 1, bars: { kind: 'clickhouse', url: chUrl, database: 'af_diff' } });
        try {
            const c = new DaemonClient({ url: d.url, token: d.adminToken! });
            await c.call('data.synth', { symbols: ['AAA'], bars: 300, seed: 5 });
            const backtest = async (spec: Record<string, unknown>): Promise<RunResult> => {
                const { run } = await c.call('runs.submit', { kind: 'backtest', spec: { source: TINY, ...spec } });
                for (let i = 0; i < 1200; i++) {
                    const r = (await c.call('runs.get', { id: run.id })).run;
                    if (r.state === 'completed') return (await c.call('runs.result', { id: run.id })).result;
                    if (r.state === 'failed' || r.state === 'cancelled') throw new Error(`run ${r.state}: ${r.error}`);
                    await new Promise(res => setTimeout(res, 50));
                }
                throw new Error('the run did not end');
            };
            const got = await backtest({});
            expect(got.provenance.dataSnapshot).toBe(want.provenance.dataSnapshot);
            expect(got.metrics).toEqual(want.metrics);
            expect(got.trades.map(t => [t.entryTs, t.exitTs, t.pnl])).toEqual(want.trades.map(t => [t.entryTs, t.exitTs, t.pnl]));
            // The rows come from ClickHouse: one bar changed there (not in the store) changes the next run's data.
            const key = { venue: 'synth', symbol: 'AAA', timeframe: '1d' };
            const chd = new ClickHouseBars({ url: chUrl, database: 'af_diff' });
            const stored = await chd.range(key);
            const last = stored.ts.length - 1;
            await new Promise(r => setTimeout(r, 5)); // a later version stamp
            await chd.insert(key, { ts: stored.ts.slice(last), open: stored.open.slice(last), high: stored.high.slice(last).map(x => x * 2), low: stored.low.slice(last), close: stored.close.slice(last).map(x => x * 2), volume: stored.volume.slice(last) });
            await chd.close();
            const changed = await backtest({ from: '2000-01-01' }); // another load request: not the cached bars
            expect(changed.provenance.dataSnapshot).not.toBe(want.provenance.dataSnapshot);
        } finally {
            await d.stop();
        }
    }, 120_000);
});
