/**
 * Sweeps that share work (shared-series.ts, TrialContext): indicators several combinations use are
 * computed once and handed to each trial, buffers are reused, trials travel in batches. None of it
 * may change a number: each trial's metrics and equity must equal, exactly, a lone backtest of its
 * combination (no sharing, no reuse), in the calling thread and on worker threads.
 */
import { describe, expect, it } from 'vitest';
import { CompiledBacktester } from '../../src/engine/compiled/index.js';
import { gridParamSets } from '../../src/engine/param-space.js';
import { planSharing, planStore, SharedSeries } from '../../src/engine/shared-series.js';
import { runSweep } from '../../src/engine/sweep.js';
import { runRange, runTrial, TrialContext } from '../../src/engine/trial.js';
import { closeIdleTrialWorkers, guidedBatch, packOutcomes, runTrials, SetScores, unpackOutcomes } from '../../src/engine/worker-pool.js';
import { isFailed } from '../../src/engine/trial.js';
import { groupRefusal, groupStats, runJobs, type GroupObserver } from '../../src/engine/batch-trials.js';
import { planJobs } from '../../src/engine/worker-pool.js';
import type { StrategyIr } from '../../../protocol/src/ir.js';
import { irOf, synthBars } from './fixtures.js';

/** vectorbt's SMA cross, a smaller grid. */
const GRID = `strategy Grid {
  universe: x:A
  timeframe: 1d
  param fast: int = 3 in 2..9 step 1
  param slow: int = 10 in 3..14 step 1
  constraint fast < slow
  feature fastMa = sma(close, fast)
  feature slowMa = sma(close, slow)
  rules {
    when crossover(fastMa, slowMa) => target 100% long
    when crossunder(fastMa, slowMa) => flat
  }
  execution {
    fees: 10 bps
    slippage: 0 bps
  }
}`;

/** The example's shape: a stop from atr(14) (shared by every trial), a drawdown halt, an ema of a param. */
const WITH_RISK = `strategy Risky {
  universe: x:A
  timeframe: 1d
  param fast: int = 5 in 3..8 step 1
  param slow: int = 20 in 10..30 step 5
  param k: float = 2 in 1..3 step 1
  constraint fast < slow
  feature fastMa = ema(close, fast)
  feature slowMa = sma(close, slow)
  rules {
    when crossover(fastMa, slowMa) => target 100% long
    when crossunder(fastMa, slowMa) => flat
  }
  risk {
    stop_loss: k * atr(14)
    max_drawdown: 20% => halt
  }
  execution {
    fill: next_open
    fees: 5 bps
    slippage: 2 bps
  }
}`;

// NaN gaps: the windows' re-summation after a missing bar must agree too.
const data = synthBars({ assets: 1, bars: 1500, seed: 16, gaps: 6 });

async function expectLoneEquality(src: string): Promise<number> {
    const ir = await irOf(src);
    const sets = gridParamSets(ir);
    const plan = planSharing(ir, sets);
    expect(plan.nodes.size).toBeGreaterThan(0);
    const context = new TrialContext(new SharedSeries(ir, data, plan));
    const sweep = await runSweep(ir, data, { mode: 'grid', workers: 0 });
    const byKey = new Map(sweep.rows.map(r => [JSON.stringify(r.params), r.metrics]));
    // Every 3rd combination: metrics of the sweep, and the equity of a shared run, against a lone run.
    let compared = 0;
    for (let i = 0; i < sets.length; i += 3) {
        const params = sets[i]!;
        const lone = runTrial(ir, data, params);
        expect(byKey.get(JSON.stringify(params))).toEqual(lone.metrics);
        const shared = runRange(ir, data, params, 0, data.ts.length, undefined, context).result;
        const alone = new CompiledBacktester().run(ir, data, { params });
        expect(Array.from(shared.equity)).toEqual(Array.from(alone.equity));
        expect(Array.from(shared.exposure)).toEqual(Array.from(alone.exposure));
        expect(shared.trades).toEqual(alone.trades);
        compared++;
    }
    return compared;
}

describe('sweeps that share work', () => {
    it('shares the SMAs of a fast × slow grid: each depends on one param, so each length is computed once', async () => {
        const ir = await irOf(GRID);
        const plan = planSharing(ir, gridParamSets(ir));
        expect([...plan.nodes.values()].map(d => d.join(',')).sort()).toEqual(['fast', 'slow']);
        // The crossover depends on both: one per trial, not shared.
        const shared = new SharedSeries(ir, data, plan);
        const a = shared.given({ fast: 3, slow: 10 }, data.ts.length)!, b = shared.given({ fast: 3, slow: 12 }, data.ts.length)!;
        const fastNode = [...plan.nodes].find(([, d]) => d[0] === 'fast')![0];
        const slowNode = [...plan.nodes].find(([, d]) => d[0] === 'slow')![0];
        expect(a.get(fastNode)).toBe(b.get(fastNode)); // the same array: computed once
        expect(a.get(slowNode)).not.toBe(b.get(slowNode));
        // Kept by expression, not node: sma(close, slow) at slow = 12 is sma(close, fast) at fast = 12.
        const c = shared.given({ fast: 12, slow: 13 }, data.ts.length)!;
        expect(c.get(fastNode)).toBe(b.get(slowNode));
    });
    it('a 22-combination sweep on two warm workers, with the indicator cache on: every row is its combination run alone (metrics; trades and fills too)', async () => {
        // fast and slow overlap at 5 and 6: those SMAs come from one cached series for both nodes.
        const ir = await irOf(GRID.replace('2..9', '2..6').replace('= 10 in 3..14', '= 8 in 5..9'));
        const sets = gridParamSets(ir);
        expect(sets.length).toBe(22);
        expect(planSharing(ir, sets).nodes.size).toBe(2);
        const sweep = await runSweep(ir, data, { mode: 'grid', workers: 2 });
        expect(sweep.failed).toEqual([]);
        expect(sweep.rows.length).toBe(22);
        const context = new TrialContext(new SharedSeries(ir, data, planSharing(ir, sets)));
        for (const row of sweep.rows) {
            const alone = new CompiledBacktester().run(ir, data, { params: row.params });
            expect(row.metrics).toEqual(runTrial(ir, data, row.params).metrics);
            expect(row.metrics.tradeCount).toBe(alone.trades.length);
            const shared = runRange(ir, data, row.params, 0, data.ts.length, undefined, context).result;
            expect(shared.trades).toEqual(alone.trades);
            expect(shared.fills).toEqual(alone.fills);
        }
    });
    it('series in a sweep\'s shared store: computed once by the first that needs it, read by the others, equal to a private computation', async () => {
        const ir = await irOf(GRID);
        const sets = gridParamSets(ir);
        const plan = planSharing(ir, sets);
        const store = planStore(ir, plan, data.ts.length, sets)!;
        // One slot per distinct length: sma(close, fast) at 5 is sma(close, slow) at 5.
        expect(store.slots.size).toBe(new Set(sets.flatMap(s => [s['fast'], s['slow']])).size);
        const a = new SharedSeries(ir, data, plan, store), b = new SharedSeries(ir, data, plan, store);
        const alone = new SharedSeries(ir, data, plan);
        const node = [...plan.nodes.keys()][0]!;
        const first = a.given({ fast: 4, slow: 12 }, data.ts.length)!.get(node)![0]!;
        const second = b.given({ fast: 4, slow: 12 }, data.ts.length)!.get(node)![0]!;
        expect(second.buffer).toBe(store.values); // read from shared memory, not computed again
        expect(first.buffer).toBe(store.values);
        expect(Array.from(second)).toEqual(Array.from(alone.given({ fast: 4, slow: 12 }, data.ts.length)!.get(node)![0]!));
        expect(new Int32Array(store.state).filter(x => x === 2).length).toBe(2); // fast 4 and slow 12: ready
    });
    it('a sweep\'s outcomes cross from a worker as numbers: every metric field, failures and scores come back as they went', async () => {
        const ir = await irOf(GRID);
        const jobs = gridParamSets(ir).slice(0, 6).map(params => ({ params, blocks: 4 }));
        const outcomes = jobs.map(j => runTrial(ir, data, j.params, 0, data.ts.length, undefined, undefined, 4));
        const withFailure = [...outcomes.slice(0, 5), { error: 'line one\nline two' }];
        const back = new Array(6);
        unpackOutcomes(packOutcomes(jobs, withFailure), jobs, 0, data.ts.length, back);
        expect(back.slice(0, 5)).toEqual(outcomes.slice(0, 5));
        expect(back[5]).toEqual({ params: jobs[5]!.params, from: 0, to: data.ts.length, reason: 'line one' });
        // Every field by name and value (a field out of place would land in another's column).
        for (const key of Object.keys(outcomes[0]!.metrics)) expect([key, back[0].metrics[key]]).toEqual([key, (outcomes[0]!.metrics as unknown as Record<string, number>)[key]]);
        const scores = new SetScores(6, 4);
        unpackOutcomes(packOutcomes(jobs, outcomes, 0, scores), jobs, 0, data.ts.length, back, scores);
        expect(back[2]).toEqual({ ...outcomes[2], blocks: undefined });
        expect('blocks' in back[2]).toBe(false);
        expect(scores.read().some(x => x !== 0)).toBe(true);
    });
    it('batches shrink towards the end of a sweep and cover every trial once', () => {
        let left = 4851, n = 0;
        const sizes: number[] = [];
        while (left > 0) { const b = guidedBatch(left, 2); sizes.push(b); left -= b; n++; }
        expect(left).toBe(0);
        expect(n).toBeLessThan(60);
        expect(sizes[0]).toBe(512);
        expect(sizes.at(-2)).toBe(8);
        for (let i = 1; i < sizes.length; i++) expect(sizes[i]!).toBeLessThanOrEqual(sizes[i - 1]!);
        expect(guidedBatch(3, 2)).toBe(3);
    });
    it('a sweep in the calling thread and on two workers: the same rows and the same PBO, logits included', async () => {
        const ir = await irOf(GRID);
        const inline = await runSweep(ir, data, { mode: 'grid', workers: 0 });
        const pooled = await runSweep(ir, data, { mode: 'grid', workers: 2 });
        expect(pooled.rows).toEqual(inline.rows);
        expect(pooled.overfitting).toEqual(inline.overfitting);
        expect(inline.overfitting.pbo!.blocks).toBe(16);
        expect(pooled.deflated).toEqual(inline.deflated);
    });
    it('a warm worker forgets the sweep before: the next sweep on other bars gives its own numbers', async () => {
        const ir = await irOf(GRID);
        const jobs = gridParamSets(ir).slice(0, 40).map(params => ({ params }));
        const other = synthBars({ assets: 1, bars: 900, seed: 61 });
        await runTrials(ir, data, jobs, { workers: 2 });
        // The same strategy and params on other bars, on the workers (and shared-series keys) of the first sweep.
        expect(await runTrials(ir, other, jobs, { workers: 2 })).toEqual(await runTrials(ir, other, jobs, { workers: 0 }));
        // A cancelled sweep ends its workers; the pool starts new ones for the next.
        const stop = new AbortController();
        const cancelled = runTrials(ir, data, jobs, { workers: 2, signal: stop.signal, onResult: () => stop.abort() });
        await expect(cancelled).rejects.toThrow('cancelled');
        expect(await runTrials(ir, data, jobs, { workers: 2 })).toEqual(await runTrials(ir, data, jobs, { workers: 0 }));
        await closeIdleTrialWorkers();
    });
    it('an SMA-cross grid: every compared trial equals its lone backtest exactly (metrics, equity, exposure, trades)', async () => {
        expect(await expectLoneEquality(GRID)).toBeGreaterThan(20);
    });
    it('with stops, a drawdown halt and an indicator every trial shares (atr(14)): still exactly the lone backtests', async () => {
        expect(await expectLoneEquality(WITH_RISK)).toBeGreaterThan(20);
    });
    it('on worker threads, in batches: the same rows as in the calling thread, in grid order', async () => {
        const ir = await irOf(GRID);
        const jobs = gridParamSets(ir).map(params => ({ params }));
        const inline = await runTrials(ir, data, jobs, { workers: 0 });
        const pooled = await runTrials(ir, data, jobs, { workers: 2 });
        expect(pooled).toEqual(inline);
        expect(pooled.some(isFailed)).toBe(false);
    });
    it('a combination whose shared series cannot be made fails as it would alone, and the others run', async () => {
        const ir = await irOf(GRID);
        const jobs = [{ params: { fast: 3, slow: 10 } }, { params: { fast: 3, slow: 10.5 } }, { params: { fast: 4, slow: 10 } }];
        const out = await runTrials(ir, data, jobs, { workers: 0 });
        expect(isFailed(out[1]!)).toBe(true);
        expect(() => runTrial(ir, data, jobs[1]!.params)).toThrow((out[1] as { reason: string }).reason);
        expect(out[0]).toEqual(runTrial(ir, data, jobs[0]!.params));
        expect(out[2]).toEqual(runTrial(ir, data, jobs[2]!.params));
    });

    it('runs groups of combinations through one compiled pass: metrics, equity, exposure, trades and fills are each lone backtest\'s, bit for bit', async () => {
        // Three account paths of the group's loop: next-open targets and flat; this-close fills with a
        // short target at 2x leverage; next-close fills with market orders in units.
        const variants = [
            GRID,
            GRID.replaceAll('sma(close,', 'sma(close[1],').replace('when crossunder(fastMa, slowMa) => flat', 'when crossunder(fastMa, slowMa) => target -150%').replace('fees: 10 bps', 'fill: this_close\n    fees: 10 bps').replace('  execution {', '  risk {\n    leverage: 2\n  }\n  execution {'),
            GRID.replace('=> target 100% long', '=> buy 5 units').replace('fees: 10 bps', 'fill: next_close\n    fees: 10 bps\n    slippage: 3 bps').replace('    slippage: 0 bps\n', ''),
        ];
        for (const src of variants) {
            const ir = await irOf(src);
            expect(groupRefusal(ir, new Set())).toBeNull();
            const jobs = gridParamSets(ir).filter((_, i) => i % 3 === 0).map(params => ({ params, blocks: 4 }));
            expect(jobs.length).toBeGreaterThan(20);
            const { outcomes, runs, stats } = grouped(ir, jobs);
            expect(stats).toEqual({ batched: jobs.length, alone: 0 });
            jobs.forEach((job, i) => {
                expect(outcomes[i]).toEqual(runTrial(ir, data, job.params, 0, data.ts.length, undefined, undefined, 4));
                const alone = new CompiledBacktester().run(ir, data, { params: job.params });
                const run = runs.get(i)!;
                expect(bits(run.equity)).toEqual(bits(alone.equity));
                expect(bits(run.exposure)).toEqual(bits(alone.exposure));
                expect(run.trades).toEqual(alone.trades);
                expect(run.fills).toEqual(alone.fills);
            });
            expect(runs.size).toBe(jobs.length);
            expect([...runs.values()].every(r => r.trades.length > 2)).toBe(true);
        }
    });
    it('a strategy the group pass cannot take (a stop loss, a drawdown halt) runs one by one, with the same rows', async () => {
        const ir = await irOf(WITH_RISK);
        expect(groupRefusal(ir, new Set())).toBe('risk stop_loss');
        const jobs = gridParamSets(ir).slice(0, 12).map(params => ({ params }));
        const { outcomes, runs, stats } = grouped(ir, jobs);
        expect(stats).toEqual({ batched: 0, alone: jobs.length });
        expect(runs.size).toBe(0);
        jobs.forEach((job, i) => expect(outcomes[i]).toEqual(runTrial(ir, data, job.params)));
    });
});

/** The jobs through runJobs (groups where it can), each grouped trial's curves and logs, and how many ran grouped. */
function grouped(ir: StrategyIr, jobs: readonly { params: Record<string, number | boolean>; blocks?: number }[]) {
    const context = new TrialContext(new SharedSeries(ir, data, planJobs(ir, jobs)));
    const runs = new Map<number, Parameters<GroupObserver>[1]>();
    const outcomes = runJobs(ir, data, jobs, context, undefined, job => runTrial(ir, data, job.params, job.from, job.to, undefined, context, job.blocks), (i, run) => runs.set(i, run));
    return { outcomes, runs, stats: { ...groupStats(context) } };
}

/** A curve's bytes: equal bytes are equal doubles, -0 and NaN payloads included. */
function bits(a: Float64Array): string {
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}
