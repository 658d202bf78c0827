/**
 * The CLI against a real daemon (in this process, real DuckDB files, worker threads from out/),
 * and the same commands run locally: remote output is the local output (one formatter), every
 * walk-forward window's params shown, --top honoured; `af runs ls` with a header, metric columns
 * and short ids that every `af runs …` command takes back (an ambiguous prefix lists the
 * candidates); `af runs compare`; `af exp search` refusing unknown metric keys; `af runs export`
 * read back by independent readers (DuckDB's read_parquet / read_csv, apache-arrow).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWire } from '../../../protocol/src/numbers.js';
import type { RunResult } from '../../../protocol/src/run-result.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { run } from '../../src/cli/main.js';
import { smaCross, stateWithSynthBars } from '../support/fixtures.js';
import { tempDir, writeFile } from '../data/helpers.js';

async function af(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await run(argv, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

let daemon: RunningDaemon;
let local: string;
let remoteArgs: string[];
let file: string;
const dir = tempDir('af-cli-runs-');

beforeAll(async () => {
    // The same seeded bars in the daemon's store and in a local one (the daemon holds its file).
    const served = await stateWithSynthBars('af-cli-served-', { bars: 600 });
    local = await stateWithSynthBars('af-cli-local-', { bars: 600 });
    daemon = await startDaemon({ stateDir: served, port: 0, concurrency: 2, limits: { ratePerSecond: 100_000, rateBurst: 100_000, failedAuthPerMinute: 100_000 } });
    remoteArgs = ['--url', daemon.url, '--token', daemon.adminToken!, '--state-dir', served];
    file = writeFile(dir, 'cross.af', smaCross());
}, 120_000);

afterAll(async () => {
    await daemon?.stop();
});

/** Remote text minus the lines only a remote run has (its id as submitted and at the end, and its place in the team's research ledger). */
const resultText = (out: string): string => out.split('\n').filter(l => !/^submitted |^run [0-9a-f-]{36}$|^research ledger: /.test(l)).join('\n');
const runId = (out: string): string => /^run ([0-9a-f-]{36})$/m.exec(out)![1]!;

describe('remote output is the local output', () => {
    it('walk-forward: the same text, every window with its own params, the stitched exposure and turnover', async () => {
        const args = ['walkforward', file, '--in', '200', '--out', '100', '--workers', '1'];
        const here = await af(...args, '--state-dir', local);
        const there = await af(...args, '--remote', ...remoteArgs);
        expect(here.code).toBe(0);
        expect(there.code).toBe(0);
        expect(resultText(there.out)).toBe(here.out);
        // One row per window, each with its params; header and rows aligned (the columns start at the same place).
        const rows = here.out.split('\n').filter(l => /^ {2}\d{4}-\d{2}-\d{2} → /.test(l));
        expect(rows).toHaveLength(4);
        for (const r of rows) expect(r).toMatch(/fast=\d+ slow=\d+/);
        const header = here.out.split('\n').find(l => l.includes('params (in-sample best)'))!;
        for (const r of rows) expect(r.indexOf('fast=')).toBe(header.indexOf('params'));
        expect(here.out).not.toMatch(/NaN|n\/a% of bars|0\.00× per year/);
        expect(here.out).toMatch(/Exposure\s+\d+\.\d\d% of bars/);
    }, 120_000);

    it('sweep: --top is honoured remotely, the numbers formatted the same', async () => {
        const args = ['sweep', file, '--top', '3', '--workers', '1'];
        const here = await af(...args, '--state-dir', local);
        const there = await af(...args, '--remote', ...remoteArgs);
        const rows = (s: string): string[] => s.split('\n').filter(l => /^\s+\d+\s+\d+\s+-?\d/.test(l));
        expect(rows(there.out)).toHaveLength(3);
        expect(rows(there.out)).toEqual(rows(here.out));
        expect(there.out).toMatch(/… \d+ more \(--top\)/);
    }, 120_000);

    it('--json: the run result document, the same as a local run\'s (series, trades by time and symbol)', async () => {
        const here = JSON.parse((await af('backtest', file, '--json', '--state-dir', local)).out) as RunResult;
        const there = JSON.parse((await af('backtest', file, '--json', '--remote', ...remoteArgs)).out) as RunResult;
        expect(there.schema).toBe('alphaforge.run-result');
        expect(there.metrics).toEqual(here.metrics);
        expect(there.trades).toEqual(here.trades);
        expect(there.series).toEqual(here.series);
    }, 120_000);
});

describe('af runs', () => {
    it('ls: a header, metric columns and short ids; show, compare and report take the prefixes', async () => {
        await af('backtest', file, '--remote', ...remoteArgs);
        await af('backtest', file, '--params', 'fast=5', '--remote', ...remoteArgs);
        const ls = await af('runs', 'ls', ...remoteArgs);
        expect(ls.code).toBe(0);
        const lines = ls.out.trim().split('\n');
        expect(lines[0]).toMatch(/^\s*id\s+kind\s+state\s+strategy\s+owner\s+created\s+Sharpe\s+CAGR\s+Max drawdown\s+Trades$/);
        const ids = lines.slice(1).map(l => l.trim().split(/\s+/)[0]!.replace('★', ''));
        expect(ids.length).toBeGreaterThanOrEqual(2);
        for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}$/);
        expect(lines.slice(1).some(l => /completed\s+Cross\s+\S+\s+\S+ \S+\s+-?\d+\.\d\d\s+-?[\d,]+\.\d\d%/.test(l))).toBe(true);
        const show = await af('runs', 'show', ids[0]!, ...remoteArgs);
        expect(show.code).toBe(0);
        expect(show.out).toMatch(/Total return/);

        const cmp = await af('runs', 'compare', ids[0]!, ids[1]!, ...remoteArgs);
        expect(cmp.code).toBe(0);
        expect(cmp.out).toMatch(/difference/);
        // Metrics in the order of every other table (total return first), not alphabetical.
        expect(cmp.out.indexOf('Total return')).toBeLessThan(cmp.out.indexOf('Annual volatility'));
        expect(cmp.out).toMatch(/Sharpe\s+-?\d+\.\d\d\s+-?\d+\.\d\d\s+([+-][\d.,]+|0)?/);
        const cmpJson = JSON.parse((await af('runs', 'compare', ids[0]!, ids[1]!, '--json', ...remoteArgs)).out) as { runs: { id: string }[] };
        expect(cmpJson.runs.map(r => r.id.slice(0, 8))).toEqual([ids[0], ids[1]]);
    }, 120_000);

    it('an ambiguous prefix lists the candidates; an unknown one says so', async () => {
        const all = (JSON.parse((await af('runs', 'ls', '--json', '--limit', '100', ...remoteArgs)).out) as { runs: { run: { id: string } }[] }).runs.map(r => r.run.id);
        // Make two runs share a prefix: the first character of some pair of ids.
        let prefix = all.map(id => id[0]!).find((c, i, xs) => xs.indexOf(c) !== i);
        while (prefix === undefined) {
            await af('backtest', file, '--remote', ...remoteArgs);
            const ids = (JSON.parse((await af('runs', 'ls', '--json', '--limit', '100', ...remoteArgs)).out) as { runs: { run: { id: string } }[] }).runs.map(r => r.run.id);
            prefix = ids.map(id => id[0]!).find((c, i, xs) => xs.indexOf(c) !== i);
        }
        const r = await af('runs', 'show', prefix, ...remoteArgs);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(new RegExp(`^af: run id prefix '${prefix}' is ambiguous: \\d+ runs start with it: ${prefix}[0-9a-f-]{35} \\(`));
        expect(r.err).toMatch(/give more characters/);
        const none = await af('runs', 'show', 'ffffffffff', '--json', ...remoteArgs);
        expect(none.code).toBe(1);
        expect(JSON.parse(none.out)).toEqual({ error: { code: 'not_found', message: "no run of your team has an id starting with 'ffffffffff'; af runs ls lists them" } });
    }, 120_000);

    it('exp search: an unknown metric key is an error listing the valid keys, not an empty result', async () => {
        const r = await af('exp', 'search', 'metrics.sharpee > 0', ...remoteArgs);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/^af: unknown metric metrics\.sharpee \(did you mean metrics\.sharpe\?\): no run records it; the metrics are totalReturn, cagr, .*sharpe/);
        const j = await af('exp', 'search', '--order-by', 'metrics.sharp desc', '--json', ...remoteArgs);
        expect(j.code).toBe(2);
        expect(JSON.parse(j.out).error).toMatchObject({ code: 'usage', message: expect.stringMatching(/unknown metric metrics\.sharp /) });
        const ok = await af('exp', 'search', 'metrics.sharpe > -100', ...remoteArgs);
        expect(ok.code).toBe(0);
        expect(ok.out).toMatch(/\d+ run\(s\)/);
    }, 120_000);
});

describe('af runs export: files a notebook reads', () => {
    it('Parquet, Arrow IPC and CSV of a walk-forward, read back by DuckDB and apache-arrow', async () => {
        const wf = await af('walkforward', file, '--in', '200', '--out', '100', '--remote', ...remoteArgs);
        const id = runId(wf.out);
        const result = JSON.parse((await af('report', id, '-o', join(dir, 'r.html'), '--json', ...remoteArgs)).out) as { kind: string };
        expect(result.kind).toBe('walkforward');
        const doc = JSON.parse((await af('runs', 'show', id, '--json', ...remoteArgs)).out) as { run: { metrics: Record<string, number> } };

        const out = join(dir, 'wf.parquet');
        const e = await af('runs', 'export', id.slice(0, 10), out, ...remoteArgs);
        expect(e.code).toBe(0);
        for (const t of ['trades', 'series', 'metrics', 'windows']) expect(existsSync(join(dir, `wf.${t}.parquet`))).toBe(true);
        expect(e.out).toMatch(/wrote \d+ rows to .*wf\.trades\.parquet/);

        const instance = await DuckDBInstance.create(':memory:');
        const conn = await instance.connect();
        const q = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();
        try {
            const trades = await q(`SELECT symbol, side, epoch_ms(entry_time)::DOUBLE AS entry, epoch_ms(exit_time)::DOUBLE AS exit, pnl FROM read_parquet('${join(dir, 'wf.trades.parquet')}') ORDER BY entry`);
            expect(trades.length).toBe(doc.run.metrics['tradeCount']);
            expect(trades.every(t => t['symbol'] === 'synth:AAA')).toBe(true);
            const series = await q(`SELECT epoch_ms(time)::DOUBLE AS t, equity, returns, exposure FROM read_parquet('${join(dir, 'wf.series.parquet')}') ORDER BY time`);
            expect(series).toHaveLength(400); // 4 windows × 100 out-of-sample bars
            // Independent check: the equity's last value over the capital is the total return recorded.
            expect(Number(series[399]!['equity']) / 100_000 - 1).toBeCloseTo(doc.run.metrics['totalReturn']!, 9);
            const metrics = await q(`SELECT metric, value FROM read_parquet('${join(dir, 'wf.metrics.parquet')}')`);
            expect(Number(metrics.find(m => m['metric'] === 'sharpe')!['value'])).toBeCloseTo(doc.run.metrics['sharpe']!, 12);
            expect(metrics.find(m => m['metric'] === 'exposure')!['value']).not.toBeNull();
            const windows = await q(`SELECT "window", param_fast, param_slow, oos_sharpe FROM read_parquet('${join(dir, 'wf.windows.parquet')}') ORDER BY "window"`);
            expect(windows).toHaveLength(4);

            // CSV: timestamps with the UTC offset, the same rows.
            await af('runs', 'export', id, join(dir, 'wf.csv'), ...remoteArgs);
            const csvTrades = await q(`SELECT epoch_ms(entry_time)::DOUBLE AS entry FROM read_csv('${join(dir, 'wf.trades.csv')}') ORDER BY entry`);
            expect(csvTrades.map(t => t['entry'])).toEqual(trades.map(t => t['entry']));
        } finally {
            conn.closeSync();
            instance.closeSync();
        }

        // Arrow IPC (Feather v2), read by apache-arrow.
        await af('runs', 'export', id, join(dir, 'wf.arrow'), ...remoteArgs);
        const table = tableFromIPC(await readFile(join(dir, 'wf.series.arrow')));
        expect(table.numRows).toBe(400);
        expect(table.schema.fields.map(f => f.name)).toEqual(['time', 'equity', 'returns', 'drawdown', 'exposure']);
        const eq = table.getChild('equity')!.toArray() as Float64Array;
        expect(eq[399]! / 100_000 - 1).toBeCloseTo(doc.run.metrics['totalReturn']!, 9);
        expect(fromWire(null)).toBeNaN();
    }, 180_000);
});

describe('errors and exit codes', () => {
    it('an import rejection exits 3 (not 2 like a usage error); under --json one error object with its problems', async () => {
        const csvFile = writeFile(dir, 'us.csv', 'date,open,high,low,close,volume\n01/02/2024,1,2,0.5,1,5\n01/03/2024,1,2,0.5,1,5\n');
        const state = ['--state-dir', tempDir('af-cli-exit-')];
        const text = await af('data', 'import', csvFile, '--venue', 'x', '--symbol', 'Y', '--timeframe', '1d', ...state);
        expect(text.code).toBe(3);
        expect(text.err).toMatch(/ambiguous dates/);
        const json = await af('data', 'import', csvFile, '--venue', 'x', '--symbol', 'Y', '--timeframe', '1d', '--json', ...state);
        expect(json.code).toBe(3);
        expect(json.err).toBe('');
        expect(JSON.parse(json.out)).toEqual({ error: { code: 'rejected', message: expect.stringMatching(/ambiguous dates.*--date-format/) } });
        const gaps = writeFile(dir, 'gaps.csv', 'date,open,high,low,close,volume\n2024-01-01,1,2,0.5,1,5\n2024-01-05,1,2,0.5,1,5\n');
        const g = JSON.parse((await af('data', 'import', gaps, '--venue', 'x', '--symbol', 'Y', '--timeframe', '1d', '--json', ...state)).out) as { error: { code: string; problems: { code: string }[] } };
        expect(g.error.code).toBe('rejected');
        expect(g.error.problems.map(p => p.code)).toEqual(['gap']);
    });

    it('a usage error exits 2; under --json it is the same JSON shape', async () => {
        const r = await af('data', 'ls', '--json', '--bogus');
        expect(r.code).toBe(2);
        expect(r.err).toBe('');
        expect(JSON.parse(r.out)).toEqual({ error: { code: 'usage', message: "unknown option '--bogus'", hint: 'run with --help for usage' } });
        const plain = await af('data', 'ls', '--bogus');
        expect(plain.code).toBe(2);
        expect(plain.err).toMatch(/unknown option '--bogus'/);
    });

    it('a remote run that fails is a failure (1): one line, or the JSON error with the run', async () => {
        const text = await af('backtest', file, '--params', 'nope=3', '--remote', ...remoteArgs);
        expect(text.code).toBe(1);
        expect(text.err).toMatch(/^af: backtest [0-9a-f-]{36} failed: .*unknown param 'nope'.* \(af runs logs [0-9a-f]{8}\)\n$/);
        const json = await af('backtest', file, '--params', 'nope=3', '--json', '--remote', ...remoteArgs);
        expect(json.code).toBe(1);
        expect(JSON.parse(json.out).error).toMatchObject({ code: 'failure', message: expect.stringMatching(/failed: /), run: { state: 'failed' } });
    }, 60_000);

    it('the daemon unreachable is a failure (1), as JSON under --json', async () => {
        const r = await af('runs', 'ls', '--url', 'http://127.0.0.1:9', '--token', 'af_x', '--json');
        expect(r.code).toBe(1);
        expect(JSON.parse(r.out).error.code).toBe('unavailable');
    });
});
