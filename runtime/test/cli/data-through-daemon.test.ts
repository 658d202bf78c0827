/**
 * `af data …` while a daemon holds the store (before: "alphaforge.duckdb is in use by another
 * process"): synth, sample, import, ls, show, resample and export go through the daemon's methods, as the local
 * admin token's team, with the local commands' output; the same seed gives the same bars as a
 * local synth; commands with no daemon method say so and what to do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { run } from '../../src/cli/main.js';
import { tempDir, writeFile } from '../data/helpers.js';

async function af(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await run(argv, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

let daemon: RunningDaemon;
const served = tempDir('af-cli-data-served-');
const local = tempDir('af-cli-data-local-');
const dir = tempDir('af-cli-data-files-');

beforeAll(async () => {
    daemon = await startDaemon({ stateDir: served, port: 0, concurrency: 1, limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000 } });
}, 120_000);

afterAll(async () => {
    await daemon?.stop();
});

describe('af data through the daemon that holds the store', () => {
    it('synth: the same bars as a local synth of the same seed, owned by the caller\'s team', async () => {
        const args = ['data', 'synth', '--symbols', 'AAA,BBB', '--bars', '300', '--seed', '7', '--json'];
        const there = await af(...args, '--state-dir', served);
        expect(there.err).toBe('');
        expect(there.code).toBe(0);
        const here = await af(...args, '--state-dir', local);
        expect(here.code).toBe(0);
        const strip = (o: string) => (JSON.parse(o) as { seconds: number }[]).map(r => ({ ...r, seconds: 0 }));
        expect(strip(there.out)).toEqual(strip(here.out));
        const ls = await af('data', 'ls', '--state-dir', served, '--json');
        expect(JSON.parse(ls.out)).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'synth:AAA', bars: 300, owner: 'default', visibility: 'team' })]));
        // Exported through the daemon and downloaded: the same rows as exported from the local store.
        const out1 = join(dir, 'there.csv'), out2 = join(dir, 'here.csv');
        expect((await af('data', 'export', out1, '--symbols', 'synth:AAA', '--timeframe', '1d', '--state-dir', served)).code).toBe(0);
        expect((await af('data', 'export', out2, '--symbols', 'synth:AAA', '--timeframe', '1d', '--state-dir', local)).code).toBe(0);
        const body = (f: string) => readFileSync(f, 'utf8').trim().split('\n');
        expect(body(out1)).toHaveLength(301);
        expect(body(out1)).toEqual(body(out2));
    });

    it('import: the file is uploaded and imported; a bad file is refused with its problems', async () => {
        const rows = ['ts,open,high,low,close,volume', ...Array.from({ length: 5 }, (_, i) => `2024-01-0${i + 1},10,11,9,10.5,100`)];
        const good = writeFile(dir, 'good.csv', rows.join('\n') + '\n');
        const r = await af('data', 'import', good, '--venue', 'test', '--symbol', 'GOOD', '--timeframe', '1d', '--state-dir', served);
        expect(r.err).toBe('');
        expect(r.out).toMatch(/^imported 5 1d bars of test:GOOD from good\.csv/);
        const bad = writeFile(dir, 'bad.csv', rows.join('\n').replace('11,9,10.5', '8,9,10.5') + '\n');
        const b = await af('data', 'import', bad, '--venue', 'test', '--symbol', 'BAD', '--timeframe', '1d', '--state-dir', served);
        expect(b.code).not.toBe(0);
        expect(b.err).toMatch(/high/i);
        expect((await af('data', 'ls', '--state-dir', served)).out).not.toContain('test:BAD');
    });

    it('sample: imported through the daemon', async () => {
        const r = await af('data', 'sample', '--state-dir', served);
        expect(r.err).toBe('');
        expect(r.out).toMatch(/^imported 5\d{3} 1d bars of sp:SPX/);
    });

    it('show and resample: the same output as on a local store of the same bars', async () => {
        // The first test stored synth:AAA (seed 7, 300 bars) in both stores.
        for (const args of [['data', 'show', 'synth:AAA', '--limit', '3', '--json'], ['data', 'show', 'synth:AAA', '--tail', '--limit', '2'], ['data', 'show', 'synth:AAA', '--timeframe', '1w', '--limit', '2', '--json']]) {
            const there = await af(...args, '--state-dir', served), here = await af(...args, '--state-dir', local);
            expect(there.err).toBe('');
            expect(there.code).toBe(0);
            // The import log's times differ (two imports); everything else is the same.
            const norm = (o: string) => o.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, 'T').replace(/"at": "[^"]*"/g, '"at": ""');
            expect(norm(there.out)).toEqual(norm(here.out));
        }
        const shown = JSON.parse((await af('data', 'show', 'synth:AAA', '--timeframe', '1w', '--limit', '2', '--json', '--state-dir', served)).out) as { source: string; rows: { ts: string }[]; bars: number };
        expect(shown.source).toBe('1d');
        expect(shown.rows).toHaveLength(2);
        const r = await af('data', 'resample', 'synth:AAA', '--to', '1w', '--json', '--state-dir', served);
        expect(r.err).toBe('');
        const h = await af('data', 'resample', 'synth:AAA', '--to', '1w', '--json', '--state-dir', local);
        const strip = (o: string) => ({ ...(JSON.parse(o) as Record<string, unknown>), seconds: 0 });
        expect(strip(r.out)).toEqual(strip(h.out));
        expect(JSON.parse((await af('data', 'ls', '--state-dir', served, '--json')).out)).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'synth:AAA', timeframe: '1w', bars: shown.bars, owner: 'default' })]));
        // Stored once: again is refused, with what is there.
        const again = await af('data', 'resample', 'synth:AAA', '--to', '1w', '--state-dir', served);
        expect(again.code).not.toBe(0);
        expect(again.err).toMatch(/synth:AAA already has 1w bars stored/);
    });

    it('export --sql has no daemon method, and a file name with no format is refused: each says what to do', async () => {
        const r = await af('data', 'export', join(dir, 'q.csv'), '--sql', 'SELECT 1', '--state-dir', served);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/the daemon \(pid \d+\) holds the store, and a free SQL query \(--sql\) has no daemon method: export bars with --symbols, or stop the daemon/);
        // An output name with no known format: the local export's message, before anything is asked of the daemon.
        const odd = await af('data', 'export', join(dir, 'bars.txt'), '--symbols', 'synth:AAA', '--timeframe', '1d', '--state-dir', served);
        expect(odd.code).toBe(2);
        expect(odd.err).toMatch(/cannot tell the export format from 'bars\.txt'/);
    });
});
