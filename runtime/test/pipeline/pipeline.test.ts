/**
 * The run pipeline (runtime/src/pipeline) on its own: the request checked before any bar is loaded,
 * engine output as a valid run result (times and symbols, the engine's numbers), the same result
 * for a walk-forward's stitched trades as for its metrics, results read back from their file —
 * those of this version validated, those written before the schema converted — and series thinned
 * with their troughs kept.
 */
import { describe, expect, it } from 'vitest';
import { fromWire, jsonNumbers } from '../../../protocol/src/numbers.js';
import { decimateSeries, RunResult, viewOf, type Series } from '../../../protocol/src/run-result.js';
import { CompiledBacktester, withParamValues } from '../../src/engine/compiled/index.js';
import { fingerprints } from '../../../language/src/ir/fingerprint.js';
import { internIr } from '../../src/orchestrator/work.js';
import { BacktestError } from '../../src/engine/types.js';
import type { LoadedBars } from '../../src/data/load.js';
import { executeRun } from '../../src/pipeline/execute.js';
import { prepareRun, type RunRequest } from '../../src/pipeline/prepare.js';
import { decodeResult, encodeResult, hasInfinity } from '../../src/pipeline/result-file.js';
import { irOf, synthBars, CROSS_SRC } from '../engine/fixtures.js';

const SRC = CROSS_SRC;

const loaded = (bars = 600): LoadedBars => ({ ...synthBars({ assets: 1, bars, seed: 7 }), ids: ['x:A'], sources: ['1d'] });

async function prepared(request: RunRequest, bars = 600) {
    const ir = await irOf(SRC);
    const loads: unknown[] = [];
    const p = await prepareRun(request, { compile: async () => ir, load: async r => { loads.push(r); return loaded(bars); } });
    return { p, loads };
}

describe('prepare', () => {
    it('checks the request before loading anything, with one line that says what to do', async () => {
        const ir = await irOf(SRC);
        const attempts: [RunRequest, RegExp][] = [
            [{ kind: 'backtest', params: { fast: 30 } }, /param 'fast' = 30 is outside its range 5\.\.20/],
            [{ kind: 'sweep', params: { nope: 1 } }, /^unknown param 'nope' for strategy Cross; its params are: fast, slow$/],
            [{ kind: 'sweep', sweep: { mode: 'grid', sortBy: 'luck' as never } }, /^sortBy takes one of sharpe, /],
            [{ kind: 'backtest', symbols: ['x:A', 'x:B'] }, /^symbols lists 2 instrument\(s\) but Cross trades 1 \(x:A\)$/],
            [{ kind: 'backtest', symbols: ['nocolon'] }, /^symbols: 'nocolon' is not venue:SYMBOL/],
        ];
        for (const [request, message] of attempts) {
            let loadedAny = false;
            const e = await prepareRun(request, { compile: async () => ir, load: async () => { loadedAny = true; return loaded(); } }).catch((x: unknown) => x);
            expect(e, JSON.stringify(request)).toBeInstanceOf(BacktestError);
            expect((e as Error).message).toMatch(message);
            expect(loadedAny).toBe(false);
        }
        const empty = await prepareRun({ kind: 'backtest', from: '2030-01-01' }, { compile: async () => ir, load: async () => ({ ...loaded(), ts: new Float64Array(0) }) }).catch((x: unknown) => x);
        expect((empty as Error).message).toBe('no bars of x:A 1d between 2030-01-01 and the end');
    });

    it('asks the caller\'s load step for the universe (or the symbols given), the timeframe and the range', async () => {
        const { p, loads } = await prepared({ kind: 'backtest', symbols: ['y:B'], from: '2020-01-01', to: '2020-12-31' });
        expect(loads).toEqual([{ assets: [{ venue: 'y', symbol: 'B' }], timeframe: '1d', from: '2020-01-01', to: '2020-12-31' }]);
        expect(p.params).toEqual({ fast: 10, slow: 40 });
    });
});

describe('execute', () => {
    it('a backtest: the engine\'s numbers, by time and symbol, a valid result', async () => {
        const { p } = await prepared({ kind: 'backtest' });
        const { result } = await executeRun({ ...p, symbols: p.data.ids });
        expect(RunResult.safeParse(result).success).toBe(true);
        const engine = new CompiledBacktester().run(p.ir, p.data, { params: p.params });
        expect(result.series!.equity.map(fromWire)).toEqual(Array.from(engine.equity));
        expect(result.series!.exposure.map(fromWire)).toEqual(Array.from(engine.exposure));
        expect(result.trades.map(t => [t.symbol, t.entryTs, t.exitTs, fromWire(t.pnl)])).toEqual(engine.trades.map(t => ['x:A', p.data.ts[t.entryBar], p.data.ts[t.exitBar], t.pnl]));
        expect(result.provenance).toEqual(engine.provenance);
        expect(result).toMatchObject({ kind: 'backtest', strategy: 'Cross', symbols: ['x:A'], warmupBars: engine.warmupBars, tradeCount: engine.trades.length, range: { from: p.data.ts[0], to: p.data.ts[599], bars: 600 } });
        expect(Math.min(...result.series!.drawdown.map(fromWire))).toBeCloseTo(-fromWire(result.metrics.maxDrawdown), 12);
    });

    it('a walk-forward: the stitched series, its trades and its metrics agree', async () => {
        const { p } = await prepared({ kind: 'walkforward', walkforward: { inSample: 200, outOfSample: 100 } });
        const { result } = await executeRun({ ...p, symbols: p.data.ids }, { workers: 0 });
        expect(RunResult.safeParse(result).success).toBe(true);
        const windows = result.walkforward!.windows;
        expect(windows).toHaveLength(4);
        expect(result.series!.ts).toEqual(Array.from(p.data.ts.subarray(200, 600)));
        expect(result.trades).toHaveLength(fromWire(result.metrics.tradeCount));
        expect(result.trades.map(t => fromWire(t.pnl)).reduce((a, b) => a + b, 0) / result.trades.length).toBeCloseTo(fromWire(result.metrics.avgTradePnl), 9);
        for (const t of result.trades) expect(windows.some(w => t.entryTs >= w.outOfSample.from && t.exitTs <= w.outOfSample.to)).toBe(true);
        expect(result.params).toEqual(windows[3]!.params);
    });
});

describe('fingerprints', () => {
    it('a run\'s are those of its IR with its param values, whichever runs of the IR (or an identical copy) came before', async () => {
        const ir = await irOf(`strategy Toggle {
  universe: x:A
  timeframe: 1d
  param on: bool = true
  param fast: int = 10 in 5..20 step 5
  rules { when on and close > sma(close, fast) => target 100% long }
}`);
        const data = loaded(120);
        const runs: Record<string, number | boolean>[] = [{ on: true, fast: 10 }, { on: false, fast: 10 }, { on: true, fast: 15 }, { on: false, fast: 20 }, { on: true, fast: 10 }];
        const exact = new Set<string>();
        for (const params of runs) {
            // The IR a thread receives is a copy; interned, it is the first one, whose fingerprints are remembered.
            const copy = internIr(structuredClone(ir));
            const want = fingerprints(withParamValues(ir, params));
            for (const x of [ir, copy]) {
                const got = new CompiledBacktester().run(x, data, { params }).provenance;
                expect({ exact: got.exactFingerprint, structural: got.structuralFingerprint }, JSON.stringify(params)).toEqual(want);
            }
            exact.add(want.exact);
        }
        expect(exact.size).toBe(4);
    });

    it('an IR is shared with an earlier one only when the two are identical', async () => {
        const ir = internIr(await irOf(SRC));
        expect(internIr(structuredClone(ir))).toBe(ir);
        expect(internIr(JSON.parse(JSON.stringify(ir)) as typeof ir)).toBe(ir);
        const other = { ...ir, params: ir.params.map((p, i) => (i === 0 ? { ...p, default: 15 } : p)) };
        expect(internIr(other)).toBe(other);
        const negative = { ...ir, params: ir.params.map((p, i) => (i === 0 ? { ...p, low: -0 } : p)) };
        const positive = { ...ir, params: ir.params.map((p, i) => (i === 0 ? { ...p, low: 0 } : p)) };
        expect(internIr(negative)).toBe(negative);
        expect(internIr(positive)).toBe(positive);
        // What JSON alone would not tell apart, and what it would: a NaN is a NaN; undefined is not a missing key; key order and lengths count.
        const nan = { ...ir, params: ir.params.map((p, i) => (i === 0 ? { ...p, low: NaN } : p)) };
        expect(internIr(structuredClone(nan))).toBe(internIr(nan));
        const undef = { ...ir, params: ir.params.map((p, i) => (i === 0 ? { ...p, extra: undefined } : p)) };
        expect(internIr(undef)).toBe(undef);
        const reordered = Object.fromEntries(Object.entries(ir).reverse()) as typeof ir;
        expect(internIr(reordered)).toBe(reordered);
        const fewer = { ...ir, params: ir.params.slice(1) };
        expect(internIr(fewer)).toBe(fewer);
        expect(internIr(structuredClone(ir))).toBe(ir);
    });
});

describe('result files', () => {
    it('read back what was written; refuse another version or a damaged document, saying why', async () => {
        const { p } = await prepared({ kind: 'sweep', sweep: { mode: 'random', samples: 3, seed: 5 } });
        const { result } = await executeRun({ ...p, symbols: p.data.ids }, { workers: 0 });
        const back = decodeResult(encodeResult(result));
        expect(back).toEqual({ ok: true, result, legacy: false });
        expect(decodeResult(JSON.stringify({ ...result, version: 2 }))).toEqual({ ok: false, problem: 'it is a run result of version 2; this version of AlphaForge reads version 1' });
        expect(decodeResult('{"schema": "alphaforge.run-result", "version": 1, "kind": "sweep"}')).toMatchObject({ ok: false, problem: expect.stringMatching(/^strategy: /) });
        expect(decodeResult('<html>')).toMatchObject({ ok: false, problem: expect.stringMatching(/^it is not JSON/) });
        expect(decodeResult('{"hello": 1}')).toMatchObject({ ok: false, problem: 'it is not a run result (no "schema": "alphaforge.run-result")' });
    });

    it('are the bytes the JSON replacer gives, with or without a stray infinity (encoded only when there is one)', async () => {
        const { p } = await prepared({ kind: 'backtest' });
        const { result } = await executeRun({ ...p, symbols: p.data.ids });
        const replaced = (r: unknown): Buffer => Buffer.from(JSON.stringify(r, jsonNumbers), 'utf8');
        expect(hasInfinity(result)).toBe(false);
        expect(encodeResult(result).equals(replaced(result))).toBe(true);
        // A NaN is null either way; an infinity deep in a column or a trade must not become null.
        const s = result.series!;
        const strays: RunResult[] = [
            { ...result, series: { ...s, equity: s.equity.map((v, i) => (i === 7 ? NaN as unknown as number : v)) } },
            { ...result, series: { ...s, drawdown: s.drawdown.map((v, i) => (i === s.drawdown.length - 1 ? -Infinity as unknown as number : v)) } },
            { ...result, trades: result.trades.map((t, i) => (i === 0 ? { ...t, pnl: Infinity as unknown as number } : t)) },
        ];
        expect(strays.map(hasInfinity)).toEqual([false, true, true]);
        for (const r of strays) expect(encodeResult(r).equals(replaced(r))).toBe(true);
        expect(encodeResult(strays[1]!).toString()).toContain('"-Infinity"]');
    });

    it('are those bytes when bar-time and benchmark columns encoded before are reused: same, changed, mutated after or not finite; with a stray infinity beside a null', async () => {
        const { p } = await prepared({ kind: 'backtest' });
        const { result } = await executeRun({ ...p, symbols: p.data.ids });
        const replaced = (r: unknown): Buffer => Buffer.from(JSON.stringify(r, jsonNumbers), 'utf8');
        const s = result.series!, rolling = result.tearsheet!.rolling!;
        expect(rolling.ts.length).toBeGreaterThan(10);
        const shifted = (xs: number[], d: number): number[] => xs.map((t, i) => (i === xs.length >> 1 ? t + d : t));
        const variants: RunResult[] = [
            result,
            result, // its columns known now
            { ...result, series: { ...s, ts: shifted(s.ts, 1) } }, // one bar time differs, same length
            { ...result, series: { ...s, ts: s.ts.slice(1), equity: s.equity.slice(1), drawdown: s.drawdown.slice(1), exposure: s.exposure.slice(1), benchmark: s.benchmark!.slice(1) } },
            { ...result, tearsheet: { ...result.tearsheet!, rolling: { ...rolling, ts: shifted(rolling.ts, -1) } } },
            { ...result, series: { ...s, ts: s.ts.map((t, i) => (i === 3 ? Infinity : t)) } }, // not finite: never remembered
            { ...result, series: null, tearsheet: { ...result.tearsheet!, rolling: null } },
            { ...result, strategy: 'Crôss ✓ 𝔸', events: [{ ts: s.ts[2]!, kind: 'halt', message: 'équité — 𝔸\u2028' }] }, // UTF-8 of several widths around the spliced text
            // What JSON.stringify leaves out or orders itself at the levels written piece by piece; a toJSON there: the whole document.
            { '2': 'two', ...result, '1': 'one', gone: undefined, f: () => 1, sym: Symbol('s'), empty: {}, tearsheet: { ...result.tearsheet!, x: { a: undefined, b: [undefined, () => 1] } } } as unknown as RunResult,
            { ...result, when: new Date(0) } as unknown as RunResult,
            { ...result, tearsheet: { ...result.tearsheet!, rolling: { ...rolling, at: { toJSON: () => 'custom' } } } } as unknown as RunResult,
            // The benchmark's curve is remembered like the bar times: the same, one value changed, a NaN, an infinity.
            { ...result, series: { ...s, benchmark: shifted(s.benchmark as number[], 1) } },
            { ...result, series: { ...s, benchmark: s.benchmark!.map((v, i) => (i === 4 ? null : v)) } },
            { ...result, series: { ...s, benchmark: s.benchmark!.map((v, i) => (i === 4 ? Infinity as unknown as number : v)) } },
            // A stray infinity where the piece's JSON has a null for other reasons (the word in a string, a NaN), or none; one at the top level.
            { ...result, events: [{ ts: s.ts[1]!, kind: 'halt', message: 'a null message' }, { ts: -Infinity, kind: 'halt', message: 'x' }] },
            { ...result, series: { ...s, equity: s.equity.map((v, i) => (i === 3 ? NaN as unknown as number : i === 9 ? Infinity as unknown as number : v)) } },
            { ...result, strategy: 'null', events: [{ ts: s.ts[1]!, kind: 'halt', message: 'null' }] },
            { ...result, capital: Infinity },
        ];
        for (const [i, r] of variants.entries()) expect(encodeResult(r).equals(replaced(r)), `variant ${i}`).toBe(true);
        expect(encodeResult(variants[14]!).toString()).toContain('"ts":"-Infinity","kind":"halt"');
        expect(encodeResult(variants[13]!).toString()).toMatch(/"benchmark":\[[^\]]*"Infinity"/);
        expect(encodeResult(variants[17]!).toString()).toContain('"capital":"Infinity"');
        // More distinct columns than are remembered (the oldest forgotten), then the first again.
        for (let k = 1; k <= 16; k++) {
            const other = { ...result, series: { ...s, ts: s.ts.map(t => t + k * 86_400_000), benchmark: s.benchmark!.map(v => (v as number) * (1 + k / 1024)) } };
            expect(encodeResult(other).equals(replaced(other)), `columns ${k}`).toBe(true);
        }
        expect(encodeResult(result).equals(replaced(result))).toBe(true);
        // A column changed in place after it was encoded: the copy remembered is not it.
        const mine = { ...result, series: { ...s, ts: s.ts.map(t => t + 86_400_000) } }; // bar times not seen before
        expect(encodeResult(mine).equals(replaced(mine))).toBe(true);
        mine.series.ts[5] = mine.series.ts[5]! + 7;
        expect(encodeResult(mine).equals(replaced(mine))).toBe(true);
        expect(encodeResult(variants[5]!).toString()).toContain('"Infinity"');
    });

    it('convert the files of runs made before the schema (result.json with bar indices, a sweep\'s sweep.json)', () => {
        const provenance = { exactFingerprint: 'a'.repeat(64), structuralFingerprint: 'b'.repeat(64), dataSnapshot: 'c'.repeat(64), engineVersion: 'compiled-1', seed: 0 };
        const metrics = { sharpe: 1.5, profitFactor: 'Infinity', cagr: null, tradeCount: 1 };
        const backtest = {
            runId: 'r-1', kind: 'backtest', strategy: 'Cross', symbols: ['x:A'], timeframe: '1d', bars: 3, from: '2024-01-01', to: '2024-01-03', warmupBars: 1,
            params: { fast: 10 }, metrics, provenance, events: [{ bar: 2, kind: 'halt', message: 'stop' }],
            trades: [{ asset: 0, side: 'long', entryBar: 1, exitBar: 2, entryPrice: 10, exitPrice: 11, maxQty: 5, pnl: 5, returnPct: 0.1, fees: 0.2, exitReason: 'signal' }],
            curve: { ts: [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)], equity: [100, 120, 90] },
        };
        const b = decodeResult(JSON.stringify(backtest));
        if (!b.ok) throw new Error(b.problem);
        expect(b.legacy).toBe(true);
        expect(b.result).toMatchObject({
            kind: 'backtest', runId: 'r-1', range: { from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 3), bars: 3 }, warmupBars: 1, tradeCount: 1, provenance,
            trades: [{ symbol: 'x:A', entryTs: Date.UTC(2024, 0, 2), exitTs: Date.UTC(2024, 0, 3), pnl: 5 }],
            events: [{ ts: Date.UTC(2024, 0, 3), kind: 'halt', message: 'stop' }],
            series: { equity: [100, 120, 90], drawdown: [0, 0, 90 / 120 - 1], exposure: [null, null, null] },
        });
        expect(b.result.metrics).toMatchObject({ sharpe: 1.5, profitFactor: 'Infinity', cagr: null, sortino: null });
        const sweep = { runId: 'r-2', kind: 'sweep', strategy: 'Cross', symbols: ['x:A'], timeframe: '1d', bars: 3, sweep: { mode: 'grid', samples: null, seed: 1, sortBy: 'sharpe', fixed: {}, trials: 2, deflatedSharpe: { dsr: 0.4, expectedMaxSharpe: 0.1 } }, params: { fast: 10 }, metrics, provenance };
        const table = { rows: [{ params: { fast: 10 }, metrics }, { params: { fast: 15 }, metrics: { sharpe: 1 } }] };
        const s = decodeResult(JSON.stringify(sweep), { sweepTable: () => table });
        if (!s.ok) throw new Error(s.problem);
        expect(s.result.sweep).toMatchObject({ trialCount: 2, trials: [{ params: { fast: 10 } }, { params: { fast: 15 } }], deflatedSharpe: { dsr: 0.4, expectedMaxSharpe: 0.1 } });
        expect(s.result.series).toBeNull();
        expect(decodeResult(JSON.stringify({ ...backtest, curve: { ts: [1, 2], equity: [1] } }))).toMatchObject({ ok: false, problem: expect.stringMatching(/older version without a readable equity curve/) });
    });
});

describe('decimation', () => {
    it('keeps the ends and the deepest drawdown of every step, within the points asked for', () => {
        const n = 10_007;
        const dd = Array.from({ length: n }, (_, i) => -((i * 7919) % 1000) / 10_000);
        dd[4321] = -0.9;
        const s: Series = { ts: dd.map((_, i) => i), equity: dd.map(d => 100 * (1 + d)), drawdown: dd, exposure: dd.map(() => 1) };
        for (const max of [2, 3, 10, 500, 5000]) {
            const t = decimateSeries(s, max);
            expect(t.ts.length, `max ${max}`).toBeLessThanOrEqual(max);
            expect(t.ts[0]).toBe(0);
            expect(t.ts.at(-1)).toBe(n - 1);
            for (let i = 1; i < t.ts.length; i++) expect(t.ts[i]!).toBeGreaterThan(t.ts[i - 1]!);
            if (max >= 10) expect(t.drawdown).toContain(-0.9);
        }
        expect(decimateSeries(s, n)).toBe(s);
        const page = viewOf({ ...({} as RunResult), series: s, trades: [1, 2, 3, 4] as never, sweep: undefined }, { maxPoints: 100, tradesOffset: 1, tradesLimit: 2 });
        expect(page.trades).toEqual([2, 3]);
        expect(page.series!.ts.length).toBeLessThanOrEqual(100);
    });
});
