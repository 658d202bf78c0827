/**
 * The main job end to end through `run()` (in-process, real DuckDB file in a temp state
 * directory): `af demo`, `af data …`, `af backtest`, `af sweep`, `af walkforward`.
 * The sweep runs on worker threads from out/ (built by `npm run build` before the tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import type { RunResult } from '../../protocol/src/run-result.js';
import { tempDir, writeFile, csv, dailyRows } from './data/helpers.js';
import { startBinanceStandin } from './support/exchange-standin.js';
import { expectedMaxStandardNormal } from '../src/engine/overfitting.js';

async function af(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await run(argv, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

const state = tempDir('af-cli-');
const sd = ['--state-dir', state];

/** `--json` prints the run result (protocol/src/run-result.ts). */
type BacktestJson = RunResult;

describe('af demo', () => {
    it('checks the examples, imports the S&P sample, backtests and writes a self-contained report', async () => {
        const r = await af('demo', ...sd);
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        expect(r.out).toContain('all examples check clean');
        expect(r.out).toMatch(/5105 daily bars of sp:SPX, 2000-01-03 \.\. 2020-04-17/);
        expect(r.out).toMatch(/SmaCross on sp:SPX 1d, 2000-01-03 → 2020-04-17 \(5,105 bars, warm-up 100\)/);
        for (const m of ['Total return', 'CAGR', 'Sharpe', 'Sortino', 'Max drawdown', 'Calmar', 'Win rate', 'Profit factor', 'Exposure', 'Turnover', 'Trades']) expect(r.out).toContain(m);
        const report = join(state, 'reports', 'demo-backtest.html');
        expect(existsSync(report)).toBe(true);
        const html = readFileSync(report, 'utf8');
        expect(html).toContain('uPlot');
        expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/); // nothing fetched from the network
        // Re-running replaces the sample instead of duplicating it.
        expect((await af('demo', ...sd)).code).toBe(0);
        const ls = JSON.parse((await af('data', 'ls', '--json', ...sd)).out) as { id: string; bars: number }[];
        expect(ls).toEqual([expect.objectContaining({ id: 'sp:SPX', timeframe: '1d', bars: 5105 })]);
    });
});

describe('af backtest', () => {
    beforeAll(async () => {
        expect((await af('data', 'sample', ...sd)).code).toBe(0);
    });

    it('is deterministic and records fingerprint, data snapshot and engine version', async () => {
        const a = await af('backtest', 'examples/sma-cross.af', '--json', ...sd);
        const b = await af('backtest', 'examples/sma-cross.af', '--json', ...sd);
        expect(a.code).toBe(0);
        expect(a.out).toBe(b.out);
        const j = JSON.parse(a.out) as BacktestJson;
        const show = JSON.parse((await af('data', 'show', 'sp:SPX', '--json', ...sd)).out) as { snapshotHash: string };
        expect(j.provenance.dataSnapshot).toBe(show.snapshotHash);
        expect(j.provenance.engineVersion).toMatch(/^compiled-/);
        expect(j.provenance.exactFingerprint).toMatch(/^[0-9a-f]{64}$/);
        expect(j.metrics.tradeCount).toBe(j.trades.length);
        // The run result: series at every bar, trades and events by time and symbol.
        expect(j).toMatchObject({ schema: 'alphaforge.run-result', version: 1, kind: 'backtest', strategy: 'SmaCross', symbols: ['sp:SPX'], timeframe: '1d', warmupBars: 100 });
        expect(j.range).toEqual({ from: Date.UTC(2000, 0, 3), to: Date.UTC(2020, 3, 17), bars: 5105 });
        for (const k of ['ts', 'equity', 'drawdown', 'exposure'] as const) expect(j.series![k]).toHaveLength(5105);
        expect(j.series!.ts[0]).toBe(j.range.from);
        expect(Math.min(...j.series!.drawdown.map(Number))).toBeCloseTo(-(j.metrics.maxDrawdown as number), 12);
        expect(j.trades.length).toBeGreaterThan(0);
        for (const t of j.trades) {
            expect(t.symbol).toBe('sp:SPX');
            expect(j.series!.ts).toContain(t.entryTs);
            expect(t.exitTs).toBeGreaterThanOrEqual(t.entryTs);
        }
    });

    it('--report renders the HTML report from the result; af report renders it again from the result file', async () => {
        const dir = tempDir();
        const html = join(dir, 'bt.html');
        const bt = await af('backtest', 'examples/sma-cross.af', '--report', html, ...sd);
        expect(bt.code).toBe(0);
        const page = readFileSync(html, 'utf8');
        expect(page).toContain('uPlot');
        expect(page).toContain('"alphaforge.run-result"');
        const json = (await af('backtest', 'examples/sma-cross.af', '--json', ...sd)).out;
        writeFile(dir, 'result.json', json);
        const again = await af('report', join(dir, 'result.json'), '-o', join(dir, 'again.html'));
        expect(again.code).toBe(0);
        expect(again.out).toMatch(/report of SmaCross \(backtest\) written to .*again\.html/);
        // The same result embedded (the pages differ only in their nonce).
        const embedded = (p: string): string => /<script[^>]*id="af-initial-state"[^>]*>([\s\S]*?)<\/script>/.exec(readFileSync(p, 'utf8'))?.[1] ?? '';
        expect(embedded(join(dir, 'again.html'))).not.toBe('');
        expect(JSON.parse(embedded(join(dir, 'again.html'))).result).toEqual(JSON.parse(embedded(html)).result);
        const bad = await af('report', join(dir, 'bt.html'));
        expect(bad.code).toBe(3); // rejected input (docs/cli.md)
        expect(bad.err).toMatch(/bt\.html: it is not JSON/);
    });

    it('--params and --from/--to change what runs', async () => {
        const base = JSON.parse((await af('backtest', 'examples/sma-cross.af', '--json', ...sd)).out) as BacktestJson;
        const fast = JSON.parse((await af('backtest', 'examples/sma-cross.af', '--json', '--params', 'fast=10', 'slow=50', ...sd)).out) as BacktestJson;
        expect(fast.params).toMatchObject({ fast: 10, slow: 50 });
        expect(fast.metrics.tradeCount).not.toBe(base.metrics.tradeCount);
        const window = JSON.parse((await af('backtest', 'examples/sma-cross.af', '--json', '--from', '2010-01-01', '--to', '2010-12-31', ...sd)).out) as BacktestJson;
        expect(window.provenance.dataSnapshot).not.toBe(base.provenance.dataSnapshot);
        const text = await af('backtest', 'examples/sma-cross.af', '--from', '2010-01-01', '--to', '2010-12-31', ...sd);
        expect(text.out).toMatch(/2010-01-04 → 2010-12-31 \(252 bars/);
    });

    it('--benchmark compares with a stored series: its equity in --json, its figures in the text and report; unknown or short: refused', async () => {
        const dir = tempDir();
        const DAY = 86_400_000, T = Date.UTC(2010, 0, 1);
        // idx:BENCH 1d, every calendar day of 2010, a wave (up and down days).
        const close = (i: number): number => 100 + 10 * Math.sin(i / 7) + i / 20;
        const rows = Array.from({ length: 365 }, (_, i) => [new Date(T + i * DAY).toISOString().slice(0, 10), close(i), close(i) + 1, close(i) - 1, close(i), 1000]);
        expect((await af('data', 'import', writeFile(dir, 'bench.csv', csv(rows)), '--venue', 'idx', '--symbol', 'BENCH', '--timeframe', '1d', ...sd)).code).toBe(0);
        const args = ['backtest', 'examples/sma-cross.af', '--from', '2010-01-01', '--to', '2010-12-31', '--benchmark', 'idx:BENCH', ...sd];
        const j = JSON.parse((await af(...args, '--json')).out) as BacktestJson;
        expect(j.benchmark).toMatchObject({ name: 'buy and hold idx:BENCH', symbols: ['idx:BENCH'] });
        const start = j.benchmark!.startBar, at = (t: number): number => close(Math.round((t - T) / DAY));
        j.series!.benchmark!.forEach((v, i) => expect(v).toBeCloseTo(i < start ? j.capital : j.capital * at(j.series!.ts[i]!) / at(j.series!.ts[start]!), 6));
        expect(j.tearsheet!.benchmark).toMatchObject({ name: 'buy and hold idx:BENCH', upCapture: expect.any(Number), downCapture: expect.any(Number) });
        const report = join(dir, 'r.html');
        const text = await af(...args, '--report', report);
        expect(text.out).toMatch(/vs buy and hold idx:BENCH: return .* beta .* up capture .* down capture/);
        expect(readFileSync(report, 'utf8')).toContain('idx:BENCH');
        const unknown = await af(...args.slice(0, 7), 'idx:NOPE', ...sd);
        expect(unknown.code).toBe(3);
        expect(unknown.err).toMatch(/^af: benchmark idx:NOPE: no bars stored for idx:NOPE .*af data import/);
        const early = await af('backtest', 'examples/sma-cross.af', '--from', '2009-06-01', '--to', '2010-12-31', '--benchmark', 'idx:BENCH', ...sd);
        expect(early.code).toBe(3);
        expect(early.err).toMatch(/^af: benchmark idx:BENCH starts 2010-01-01, after the first of the run's bars \(2009-06-01 → 2010-12-31, 1d\): import its earlier bars, or start the run later \(--from 2010-01-01\)/);
    });

    it('bad input: one clear line, no stack trace', async () => {
        const unknown = await af('backtest', 'examples/sma-cross.af', '--symbols', 'nyse:NOPE', ...sd);
        expect(unknown.code).toBe(3);
        expect(unknown.err).toMatch(/^af: no bars stored for nyse:NOPE .*af data import/);
        const badParam = await af('backtest', 'examples/sma-cross.af', '--params', 'fast=70', ...sd);
        expect(badParam.code).toBe(3);
        expect(badParam.err).toMatch(/fast/);
        const badDate = await af('backtest', 'examples/sma-cross.af', '--from', 'yesterday', ...sd);
        expect(badDate.err).toMatch(/--from 'yesterday' is not a date/);
        const empty = await af('backtest', 'examples/sma-cross.af', '--from', '2030-01-01', ...sd);
        expect(empty.code).toBe(3);
        expect(empty.err).toMatch(/no bars of sp:SPX 1d between 2030-01-01 and the end/);
        const short = await af('backtest', 'examples/sma-cross.af', '--from', '2020-03-01', ...sd);
        expect(short.code).toBe(0);
        expect(short.out).toMatch(/warning: 34 bars are not more than the warm-up of 100/);
        const broken = await af('backtest', 'language/test/fixtures/bad/AF001-syntax-error.af', ...sd);
        expect(broken.code).toBe(1);
        expect(broken.out).toMatch(/AF001-syntax-error\.af:\d+:\d+ AF001 Syntax error.*\n.*nothing compiled/);
        for (const r of [unknown, badParam, badDate, empty, broken]) expect(r.err).not.toMatch(/\n\s+at /);
    });

    it('af sweep ranks the grid and reports the deflated Sharpe ratio', async () => {
        const r = await af('sweep', 'examples/sma-cross.af', '--json', '--workers', '2', '--from', '2005-01-01', ...sd);
        expect(r.err).toBe('');
        const j = JSON.parse(r.out) as RunResult;
        const s = j.sweep!;
        // fast 5..60 step 5 (12) × slow 50..250 step 25 (9); fast < slow excludes slow=50 with fast 50, 55, 60.
        expect(s.trialCount).toBe(12 * 9 - 3);
        expect(s.trials).toHaveLength(s.trialCount);
        for (let i = 1; i < s.trials.length; i++) expect(s.trials[i - 1]!.metrics.sharpe as number).toBeGreaterThanOrEqual(s.trials[i]!.metrics.sharpe as number);
        expect(j).toMatchObject({ kind: 'sweep', params: s.trials[0]!.params, metrics: s.trials[0]!.metrics, search: { mode: 'grid', sortBy: 'sharpe' }, series: null });
        expect(s.deflatedSharpe.dsr as number).toBeGreaterThanOrEqual(0);
        expect(s.deflatedSharpe.dsr as number).toBeLessThanOrEqual(1);
        // Overfitting of the search: PBO by CSCV over C(16, 8) splits, MinBTL for 105 trials at the best's Sharpe.
        const o = s.overfitting!;
        expect([o.blocks, o.combinations]).toEqual([16, 12870]);
        expect(o.pbo as number).toBeGreaterThanOrEqual(0);
        expect(o.pbo as number).toBeLessThanOrEqual(1);
        const sr = j.metrics.sharpe as number;
        if (sr > 0) expect(o.minBacktestYears as number).toBeCloseTo((expectedMaxStandardNormal(s.trialCount) / sr) ** 2, 9);
        const text = await af('sweep', 'examples/sma-cross.af', '--workers', '2', '--from', '2005-01-01', ...sd);
        expect(text.out).toContain(`probability of backtest overfitting ${((o.pbo as number) * 100).toFixed(0)}% (CSCV, 12870 splits of 16 blocks)`);
        expect(text.out).toMatch(/minimum backtest length for 105 trials at this Sharpe (\d+\.\d) years|minimum backtest length n\/a/);
        // The best params' provenance: the fingerprint a backtest of them records.
        const best = Object.entries(s.trials[0]!.params).map(([k, v]) => `${k}=${v}`);
        const bt = JSON.parse((await af('backtest', 'examples/sma-cross.af', '--json', '--from', '2005-01-01', '--params', ...best, ...sd)).out) as RunResult;
        expect(j.provenance).toEqual(bt.provenance);
        expect(bt.metrics).toEqual(j.metrics);
    });

    it('af data panel stores the features, af data export writes them and the bars for notebooks', async () => {
        const dir = tempDir();
        const pq = join(dir, 'panel.parquet');
        const p = await af('data', 'panel', 'examples/sma-cross.af', '--from', '2019-01-01', '--out', pq, '--json', ...sd);
        expect(p.err).toBe('');
        const j = JSON.parse(p.out) as { rows: number; columns: string[]; bars: number; provenance: { exactFingerprint: string } };
        expect(j.columns).toEqual(['fastMa', 'slowMa', 'enter', 'leave']);
        expect(j.rows).toBe(4 * j.bars);
        const bt = JSON.parse((await af('backtest', 'examples/sma-cross.af', '--json', ...sd)).out) as BacktestJson;
        expect(j.provenance.exactFingerprint).toBe(bt.provenance.exactFingerprint);
        // Read the Parquet back through the export of a query over it, to CSV: fastMa on the last bar is the mean of the last 20 closes.
        const closes = join(dir, 'closes.csv');
        expect((await af('data', 'export', closes, '--symbols', 'sp:SPX', '--timeframe', '1d', '--from', '2019-01-01', ...sd)).code).toBe(0);
        const close = readFileSync(closes, 'utf8').trim().split('\n').slice(1).map(l => Number(l.split(',')[5]));
        const fast = join(dir, 'fast.csv');
        const q = `SELECT value FROM read_parquet('${pq}') WHERE feature = 'fastMa' ORDER BY ts DESC LIMIT 1`;
        expect((await af('data', 'export', fast, '--sql', q, ...sd)).code).toBe(0);
        const last = Number(readFileSync(fast, 'utf8').trim().split('\n')[1]);
        expect(last).toBeCloseTo(close.slice(-20).reduce((a, b) => a + b, 0) / 20, 9);
        const refused = await af('data', 'export', join(dir, 'x.csv'), '--sql', 'DELETE FROM bars', ...sd);
        expect(refused.code).toBe(3);
        expect(refused.err).toMatch(/never changes data/);
        expect((await af('data', 'panels', '--json', ...sd)).out).toContain('"SmaCross"');
    });

    it('af walkforward tests each window out of sample', async () => {
        const r = await af('walkforward', 'examples/sma-cross.af', '--json', '--workers', '2', '--random', '8', '--in', '1000', '--out', '500', ...sd);
        expect(r.code).toBe(0);
        const j = JSON.parse(r.out) as RunResult;
        const windows = j.walkforward!.windows;
        expect(windows.length).toBeGreaterThanOrEqual(7);
        for (const w of windows) expect([w.inSample.bars, w.outOfSample.bars]).toEqual([1000, 500]);
        // Out-of-sample windows follow each other: the stitched series is their bars, back to back.
        const ts = j.series!.ts;
        expect(ts).toHaveLength(500 * windows.length);
        windows.forEach((w, i) => expect([ts[i * 500], ts[i * 500 + 499]]).toEqual([w.outOfSample.from, w.outOfSample.to]));
        for (let i = 1; i < windows.length; i++) expect(windows[i]!.inSample.to).toBeLessThan(windows[i]!.outOfSample.from);
        expect(j.trades).toHaveLength(j.tradeCount);
        expect(j.tradeCount).toBe(j.metrics.tradeCount);
    });
});

describe('af data', () => {
    it('rejects a bad file with a report and writes nothing; --repair imports the good rows', async () => {
        const dir = tempDir();
        const rows = dailyRows(10);
        rows[3]![4] = -1; // close ≤ 0
        rows[6] = [...rows[5]!]; // duplicate timestamp
        const file = writeFile(dir, 'bad.csv', csv(rows));
        const state2 = ['--state-dir', join(dir, 'state')];
        const bad = await af('data', 'import', file, '--venue', 'test', '--symbol', 'abc', '--timeframe', '1d', ...state2);
        expect(bad.code).toBe(3); // rejected input, not a usage error
        expect(bad.out).toMatch(/non-positive-price: 1 × price <= 0/);
        expect(bad.out).toMatch(/line 5 /);
        expect(bad.out).toMatch(/duplicate-ts: 1 ×/);
        expect(bad.err).toMatch(/import rejected/);
        expect((await af('data', 'ls', ...state2)).out).toMatch(/the store is empty/);
        const fixed = await af('data', 'import', file, '--venue', 'test', '--symbol', 'abc', '--timeframe', '1d', '--repair', '--allow-gaps', ...state2);
        expect(fixed.code).toBe(0);
        expect(fixed.out).toMatch(/imported 8 1d bars of test:ABC .*dropped 2 of 10 rows/);
    });

    it('synth is seeded, and resample stores a coarser timeframe', async () => {
        const dir = tempDir();
        const s = ['--state-dir', join(dir, 'state')];
        expect((await af('data', 'synth', '--symbols', 'AAA,BBB', '--timeframe', '1h', '--bars', '96', '--seed', '7', ...s)).code).toBe(0);
        const a = JSON.parse((await af('data', 'show', 'synth:AAA', '--json', '--limit', '96', ...s)).out) as { rows: { close: number }[]; snapshotHash: string };
        expect(a.rows).toHaveLength(96);
        const r = await af('data', 'resample', 'synth:AAA', '--to', '4h', ...s);
        expect(r.code).toBe(0);
        const four = JSON.parse((await af('data', 'show', 'synth:AAA', '--timeframe', '4h', '--json', '--limit', '100', ...s)).out) as { rows: { close: number }[]; source: string };
        expect(four.source).toBe('4h');
        expect(four.rows).toHaveLength(24);
        expect(four.rows.map(x => x.close)).toEqual(a.rows.filter((_, i) => i % 4 === 3).map(x => x.close));
        // Same seed into a second store: identical bars.
        const s2 = ['--state-dir', join(dir, 'state2')];
        await af('data', 'synth', '--symbols', 'AAA,BBB', '--timeframe', '1h', '--bars', '96', '--seed', '7', ...s2);
        expect((JSON.parse((await af('data', 'show', 'synth:AAA', '--json', ...s2)).out) as { snapshotHash: string }).snapshotHash).toBe(a.snapshotHash);
    });
});

describe('af data fetch', () => {
    it('fetches through ccxt from a Binance stand-in on 127.0.0.1 and stores closed candles only', async () => {
        // The stand-in's clock is the real one (the CLI drops the candle still forming now): 30 closed days, then today's.
        const day = 86_400_000;
        const start = Math.floor(Date.now() / day) * day - 30 * day;
        const standin = await startBinanceStandin({ start });
        const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
        try {
            const s = ['--state-dir', join(tempDir(), 'state')];
            const r = await af('data', 'fetch', 'binance', 'btcusdt', '1d', '--since', iso(start), '--urls', standin.url, ...s);
            expect(r.err).toMatch(/fetched 3\d bars/);
            expect(r.code).toBe(0);
            expect(r.out).toMatch(/imported 30 1d bars of binance:BTC\/USDT/);
            expect(r.out).toMatch(/still-forming last candle was left out/);
            const ls = JSON.parse((await af('data', 'ls', '--json', ...s)).out) as { id: string; bars: number; first: string; last: string }[];
            expect(ls).toEqual([expect.objectContaining({ id: 'binance:BTC/USDT', bars: 30, first: iso(start), last: iso(start + 29 * day) })]);
            const bad = await af('data', 'fetch', 'binance', 'BTC/USDX', '1d', '--since', iso(start), '--urls', standin.url, ...s);
            expect(bad.code).toBe(3);
            expect(bad.err).toMatch(/no spot market BTC\/USDX; close matches: .*BTC\/USDT/);
        } finally {
            await standin.close();
        }
    });
});
