/**
 * A sweep warns when its best trial sits on the edge of a param's range (the optimum may lie
 * beyond what was tried) or made too few trades for its Sharpe to mean much (issue 14).
 */
import { describe, expect, it } from 'vitest';
import type { IrParam } from '../../../protocol/src/ir.js';
import { RunResult } from '../../../protocol/src/run-result.js';
import { formatRunResult } from '../../src/cli/run-output.js';
import type { LoadedBars } from '../../src/data/load.js';
import { executeRun } from '../../src/pipeline/execute.js';
import { prepareRun } from '../../src/pipeline/prepare.js';
import { MIN_TRADES, sweepWarnings } from '../../src/pipeline/search-warnings.js';
import { irOf, synthBars, CROSS_SRC } from '../engine/fixtures.js';

const param = (name: string, low: number, high: number, step: number | null = 1): IrParam =>
    ({ name, type: step === null ? 'float' : 'int', node: 0, default: low, low, high, step, grid: null, free: true });

describe('sweepWarnings', () => {
    const params = [param('fast', 2, 22, 4), param('slow', 20, 100, 10), param('k', 0.5, 3, null)];
    const many = { tradeCount: 120 };

    it('names each param whose best value is the first or last of its range, and says what to do', () => {
        expect(sweepWarnings(params, { params: { fast: 2, slow: 60, k: 1.7 }, metrics: many })).toEqual([
            'best fast = 2 is at the low end of its range 2..22: the optimum may lie beyond it; widen the range and sweep again',
        ]);
        expect(sweepWarnings(params, { params: { fast: 10, slow: 100, k: 2.99 }, metrics: many })).toEqual([
            'best slow = 100 is at the high end of its range 20..100: the optimum may lie beyond it; widen the range and sweep again',
            // continuous: within 1% of the width (0.025) of an end
            'best k = 2.99 is at the high end of its range 0.5..3: the optimum may lie beyond it; widen the range and sweep again',
        ]);
        expect(sweepWarnings(params, { params: { fast: 6, slow: 30, k: 2.9 }, metrics: many })).toEqual([]);
    });

    it('leaves out params held fixed and params with one value', () => {
        expect(sweepWarnings(params, { params: { fast: 2, slow: 20, k: 0.5 }, metrics: many }, { fast: 2, slow: 20, k: 0.5 })).toEqual([]);
        expect(sweepWarnings([{ ...param('n', 5, 5), free: false }], { params: { n: 5 }, metrics: many })).toEqual([]);
    });

    it(`warns when the best trial made fewer than ${MIN_TRADES} trades`, () => {
        expect(sweepWarnings([], { params: {}, metrics: { tradeCount: 29 } })).toEqual(['the best trial made only 29 trades: too few (under 30) for its Sharpe ratio to mean much; test on more data']);
        expect(sweepWarnings([], { params: {}, metrics: { tradeCount: 1 } })[0]).toMatch(/only 1 trade:/);
        expect(sweepWarnings([], { params: {}, metrics: { tradeCount: MIN_TRADES } })).toEqual([]);
    });
});

describe('through the run pipeline', () => {
    const SRC = CROSS_SRC;

    it('the sweep result carries the warnings of its best trial, and the text shows them', async () => {
        const data = synthBars({ assets: 1, bars: 400, seed: 11 });
        const ir = await irOf(SRC);
        const p = await prepareRun({ kind: 'sweep' }, { compile: async () => ir, load: async (): Promise<LoadedBars> => ({ ...data, ids: ['x:A'], sources: ['1d'] }) });
        const { result } = await executeRun({ ...p, symbols: p.data.ids }, { workers: 0 });
        const r = RunResult.parse(JSON.parse(JSON.stringify(result)));
        const best = r.sweep!.trials[0]!;
        // Independently of the module: the edges of the two declared ranges, and the trade count.
        const expected: string[] = [];
        if (best.params['fast'] === 5 || best.params['fast'] === 20) expected.push(`best fast = ${best.params['fast']} is at the ${best.params['fast'] === 5 ? 'low' : 'high'} end of its range 5..20`);
        if (best.params['slow'] === 20 || best.params['slow'] === 60) expected.push(`best slow = ${best.params['slow']} is at the ${best.params['slow'] === 20 ? 'low' : 'high'} end of its range 20..60`);
        if ((best.metrics.tradeCount as number) < 30) expected.push(`the best trial made only ${best.metrics.tradeCount} trade`);
        expect(expected.length).toBeGreaterThan(0); // 400 bars: too few trades at the least
        const warnings = r.sweep!.warnings ?? [];
        expect(warnings).toHaveLength(expected.length);
        expected.forEach((e, i) => expect(warnings[i]).toContain(e));
        const text = formatRunResult(r);
        for (const w of warnings) expect(text).toContain(`warning: ${w}\n`);
    });
});
