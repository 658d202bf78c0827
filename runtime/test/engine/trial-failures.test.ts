/**
 * A sweep or walk-forward never aborts because one parameter combination cannot run: that trial is
 * reported as failed with its reason and the others run; only when nothing is left to rank does the
 * run fail, with the first reasons. Through the engine (inline and on worker threads from out/), the
 * run pipeline (the run result, validated) and `af sweep` / `af walkforward`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunResult } from '../../../protocol/src/run-result.js';
import { run as af } from '../../src/cli/main.js';
import { runSweep, runWalkForward } from '../../src/engine/sweep.js';
import { BacktestError } from '../../src/engine/types.js';
import type { LoadedBars } from '../../src/data/load.js';
import { executeRun } from '../../src/pipeline/execute.js';
import { prepareRun, type RunRequest } from '../../src/pipeline/prepare.js';
import { formatRunResult } from '../../src/cli/run-output.js';
import { tempDir } from '../data/helpers.js';
import { irOf, synthBars, CROSS_SRC } from './fixtures.js';

const SRC = CROSS_SRC;

/** slow = 60 looks back 60 bars: over a limit of 45, within it for slow 20 and 40. */
const limits = { stateMb: 64, lookbackBars: 45 };
const data = synthBars({ assets: 1, bars: 600, seed: 7 });

describe('a combination that cannot run is a failed trial, not the end of the sweep', () => {
    for (const workers of [0, 2]) {
        it(`sweep (${workers === 0 ? 'inline' : 'worker threads'}): the others are ranked, the failed ones reported with their reason`, async () => {
            const ir = await irOf(SRC);
            const r = await runSweep(ir, data, { workers, limits });
            // fast 5..20 × slow 20..60 with fast < slow: slow 20 → 3, 40 → 4, 60 → 4 combinations.
            expect(r.rows.map(x => x.params['slow']).sort()).toEqual([20, 20, 20, 40, 40, 40, 40]);
            expect(r.trials).toBe(7);
            expect(r.failed.map(f => f.params)).toEqual([5, 10, 15, 20].map(fast => ({ fast, slow: 60 })));
            for (const f of r.failed) expect(f.reason).toMatch(/^Cross looks back \d+ bars with fast = \d+, slow = 60; the limit is 45 bars \(AF503\)/);
        });
    }

    it('sweep: when every combination fails, the run fails with the first reasons', async () => {
        const ir = await irOf(SRC);
        const e = await runSweep(ir, data, { workers: 0, limits: { stateMb: 64, lookbackBars: 5 } }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(BacktestError);
        expect((e as Error).message).toMatch(/^every one of the 11 combinations of Cross failed: params \{"fast":5,"slow":20\}: Cross looks back .* \(AF503\).*; and 8 more$/);
    });

    it('walk-forward: each window picks among the trials that ran; failed in-sample trials keep their window', async () => {
        const ir = await irOf(SRC);
        const r = await runWalkForward(ir, data, { workers: 0, limits, inSample: 200, outOfSample: 100 });
        expect(r.windows.length).toBe(4);
        for (const w of r.windows) expect(w.best['slow']).not.toBe(60);
        expect(r.failed.length).toBe(4 * 4);
        expect(r.failed.map(f => [f.from, f.to])).toContainEqual([0, 200]);
        const none = await runWalkForward(ir, data, { workers: 0, limits: { stateMb: 64, lookbackBars: 5 }, inSample: 200, outOfSample: 100 }).catch((x: unknown) => x);
        expect(none).toBeInstanceOf(BacktestError);
        expect((none as Error).message).toMatch(/^every combination of Cross failed in the in-sample bars 0\.\.199 of window 1: params/);
    });
});

describe('through the run pipeline', () => {
    const loaded = (): LoadedBars => ({ ...data, ids: ['x:A'], sources: ['1d'] });
    async function execute(request: RunRequest) {
        const ir = await irOf(SRC);
        const p = await prepareRun(request, { compile: async () => ir, load: async () => loaded() });
        const log: string[] = [];
        const { result } = await executeRun({ ...p, symbols: p.data.ids }, { workers: 0, limits: { engine: limits, memoryMb: 256, maxTrials: 1000 }, log: (level, m) => log.push(`${level} ${m}`) });
        return { result: RunResult.parse(JSON.parse(JSON.stringify(result))), log };
    }

    it('a sweep result lists its failed trials beside the ranked ones, and the log warns', async () => {
        const { result, log } = await execute({ kind: 'sweep' });
        expect(result.sweep!.trialCount).toBe(7);
        expect(result.sweep!.trials.every(t => t.params['slow'] !== 60)).toBe(true);
        expect(result.sweep!.failedTrials!.map(f => f.params)).toEqual([5, 10, 15, 20].map(fast => ({ fast, slow: 60 })));
        expect(result.sweep!.failedTrials![0]!.reason).toMatch(/\(AF503\)/);
        expect(log.filter(l => l.startsWith('warn trial fast=5, slow=60 failed: Cross looks back'))).toHaveLength(1);
    });

    it('a walk-forward result lists its failed in-sample trials with their windows', async () => {
        const { result } = await execute({ kind: 'walkforward', walkforward: { inSample: 200, outOfSample: 100 } });
        const failed = result.walkforward!.failedTrials!;
        expect(failed).toHaveLength(16);
        expect(failed[0]).toMatchObject({ params: { fast: 5, slow: 60 }, inSample: { from: data.ts[0], to: data.ts[199], bars: 200 } });
    });
});

describe('af sweep and af walkforward', () => {
    const state = tempDir('af-trial-failures-');
    const sd = ['--state-dir', state];
    // The repro: a window length the param makes invalid for fast = 2 (2 − 5 = −3). It used to
    // reach the engine and abort the sweep as an internal error; the range analysis now sees through
    // the def, so the file is refused before any trial runs.
    const file = join(state, 'bad-combo.af');
    async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
        let out = '', err = '';
        const code = await af(argv, s => { out += s; }, s => { err += s; });
        return { code, out, err };
    }
    beforeAll(async () => {
        writeFileSync(file, `def shorter(n: int): int = n - 5

strategy BadCombo {
  universe: sp:SPX
  timeframe: 1d
  param fast: int = 10 in 2..22 step 4
  signal up = close > sma(close, shorter(fast))
  rules {
    when up => target 100% long
    when not up => flat
  }
}
`);
        expect((await cli('data', 'sample', ...sd)).code).toBe(0);
    });

    it('the combination that used to abort af sweep as an internal error is refused before the engine, naming the value', async () => {
        for (const kind of ['sweep', 'walkforward']) {
            const r = await cli(kind, file, '--workers', '1', '--from', '2015-01-01', ...sd);
            expect(r.err + r.out).not.toMatch(/internal error/);
            expect(r.code).not.toBe(0);
            expect(r.err + r.out).toMatch(/AF206 'length' of sma\(\) must be at least 1, but can be -3/);
        }
    });

    it('the text of a sweep and a walk-forward lists the failed trials with their reasons (one formatter, local and remote)', async () => {
        const limits = { stateMb: 64, lookbackBars: 45 };
        const ir = await irOf(SRC);
        const loaded: LoadedBars = { ...data, ids: ['x:A'], sources: ['1d'] };
        for (const request of [{ kind: 'sweep' }, { kind: 'walkforward', walkforward: { inSample: 200, outOfSample: 100 } }] as RunRequest[]) {
            const p = await prepareRun(request, { compile: async () => ir, load: async () => loaded });
            const { result } = await executeRun({ ...p, symbols: p.data.ids }, { workers: 0, limits: { engine: limits, memoryMb: 256, maxTrials: 1000 } });
            const text = formatRunResult(RunResult.parse(JSON.parse(JSON.stringify(result))));
            if (request.kind === 'sweep') {
                expect(text).toContain('4 trials failed and are not ranked:\n  fast=5 slow=60: Cross looks back 60 bars with fast = 5, slow = 60; the limit is 45 bars (AF503)');
            } else {
                expect(text).toMatch(/16 trials failed and are not ranked:\n {2}fast=5 slow=60 \(in-sample \d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d\): Cross looks back 60 bars/);
                expect(text).toContain('… and 6 more (--json lists them all)');
            }
        }
    });
});
