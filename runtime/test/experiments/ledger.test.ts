/**
 * The research ledger against a real DuckDB store and a real PostgreSQL 15 (team mode), each seeded with known trials: trial numbers and the
 * deflated Sharpe over every trial of the structure (and of its family) recorded up to and
 * including the run, team by team. The expected figures were computed independently (Python's
 * statistics.NormalDist and statistics.variance), not with the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromWire } from '../../../protocol/src/numbers.js';
import type { RunResult } from '../../../protocol/src/run-result.js';
import { insertLedgerTrials, ledgerFigures, ledgerTrialsOf, structureTrials, type LedgerEntry } from '../../src/experiments/ledger.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { STORE_KINDS, available, usePostgres } from '../team/control-stores.js';
import { openStoreOf } from './helpers.js';

usePostgres('runtime/test/experiments/ledger.test.ts');

let store: SqlStore;
const S1 = 'struct-one', S2 = 'struct-two';
const t = (periodSharpe: number) => ({ periodSharpe, skew: 0, kurtosis: 3, bars: 500 });
const entry = (runId: string, team: string, kind: LedgerEntry['kind'], structural: string, at: number, sharpes: number[]): LedgerEntry =>
    ({ runId, team, kind, structural, at, trials: sharpes.map(t) });
const own = { periodSharpe: 0.05, skew: -0.5, kurtosis: 4, bars: 500 };

for (const kind of STORE_KINDS) describe.skipIf(!available(kind))(`on ${kind}`, () => {
    beforeAll(async () => {
        store = await openStoreOf(kind, 'af-ledger-');
        await insertLedgerTrials(store, [
            entry('e1', 'beta', 'backtest', S1, 500, [0.5]), // another team's: never counted
            entry('a1', 'alpha', 'backtest', S1, 1000, [0.02]),
            entry('d1', 'alpha', 'walkforward', S2, 1500, [0.04, 0.0]),
            entry('b1', 'alpha', 'sweep', S1, 2000, [0.05, -0.01, 0.03, NaN]), // an undefined Sharpe counts as a trial, not in the variance
            entry('b0', 'alpha', 'backtest', S1, 2000, [0.01]), // same completion time as b1: ordered by run id, so before it
            entry('c1', 'alpha', 'backtest', S1, 3000, [0.06]),
        ]);
    });

    afterAll(() => store.close());

    describe('research ledger', () => {
        it('numbers a sweep\'s trials among its structure\'s and deflates its Sharpe with all of them and with its family', async () => {
            const f = (await ledgerFigures(store, { team: 'alpha', runId: 'b1', own, family: [S1, S2] }))!;
            expect(f.structuralFingerprint).toBe(S1);
            // a1, b0, then b1's four.
            expect([f.firstTrial, f.trial]).toEqual([3, 6]);
            expect(f.structure.trials).toBe(6);
            // var([0.02, 0.01, 0.05, -0.01, 0.03]) = 0.0005; E[max] = √V ((1−γ) Φ⁻¹(1−1/6) + γ Φ⁻¹(1−1/(6e))); DSR = Φ((0.05 − E[max]) √499 / √(1 + 0.5·0.05 + 0.75·0.05²)).
            expect(fromWire(f.structure.sharpeVariance)).toBeCloseTo(0.0005, 12);
            expect(fromWire(f.structure.expectedMaxSharpe)).toBeCloseTo(0.029072031819428575, 6);
            expect(fromWire(f.structure.dsr)).toBeCloseTo(0.6777216780736479, 5);
            // Family: + d1's two windows (S2 completed before b1).
            expect(f.family.trials).toBe(8);
            expect(f.family.structures).toBe(2);
            expect(fromWire(f.family.sharpeVariance)).toBeCloseTo(0.0004666666666666667, 12);
            expect(fromWire(f.family.expectedMaxSharpe)).toBeCloseTo(0.03151830637075711, 6);
            expect(fromWire(f.family.dsr)).toBeCloseTo(0.6581470970717226, 5);
            expect(f.summary).toBe('trials 3–6 of this structure (8 in its family); deflated Sharpe 0.68 (0.66 over the family)');
        });

        it('counts only what was recorded up to the run, in its team, and its own structure when it has no family', async () => {
            const b0 = (await ledgerFigures(store, { team: 'alpha', runId: 'b0', own, family: [] }))!;
            expect([b0.firstTrial, b0.trial, b0.family.trials, b0.family.structures]).toEqual([2, 2, 2, 1]);
            expect(b0.summary).toMatch(/^trial 2 of this structure \(2 in its family\)/);
            const c1 = (await ledgerFigures(store, { team: 'alpha', runId: 'c1', own, family: [S2] }))!;
            expect([c1.trial, c1.family.trials]).toEqual([7, 9]);
            // beta's own run sees only beta's trial; alpha cannot read it, nor beta alpha's.
            const e1 = (await ledgerFigures(store, { team: 'beta', runId: 'e1', own, family: [S1] }))!;
            expect([e1.trial, e1.family.trials]).toEqual([1, 1]);
            expect(await ledgerFigures(store, { team: 'alpha', runId: 'e1', own, family: [] })).toBeNull();
            expect(await ledgerFigures(store, { team: 'beta', runId: 'c1', own, family: [] })).toBeNull();
            expect(await ledgerFigures(store, { team: 'alpha', runId: 'nope', own, family: [] })).toBeNull();
        });

        it('lists a structure\'s trials newest first, numbered as the figures count them, team by team', async () => {
            const all = await structureTrials(store, { team: 'alpha', structural: S1, limit: 100, offset: 0 });
            // a1 (1000), b0 then b1's four (both 2000: by run id), c1 (3000); d1 is another structure, e1 another team.
            expect(all.trials.map(t => [t.position, t.runId, t.trial])).toEqual([
                [7, 'c1', 0], [6, 'b1', 3], [5, 'b1', 2], [4, 'b1', 1], [3, 'b1', 0], [2, 'b0', 0], [1, 'a1', 0],
            ]);
            expect([all.total, all.runs]).toEqual([7, 4]);
            // statistics.variance([0.02, 0.01, 0.05, -0.01, 0.03, 0.06]) (b1's undefined Sharpe is not in it).
            expect(all.sharpeVariance).toBeCloseTo(0.0006666666666666666, 12);
            expect(all.trials.find(t => t.runId === 'b1' && t.trial === 3)!.periodSharpe).toBeNaN();
            expect(all.trials[0]).toMatchObject({ kind: 'backtest', recordedAt: 3000, periodSharpe: 0.06, observations: 500 });
            // The same position whether the trial is read from the ledger view or the run's figures (c1: trial 7).
            expect((await ledgerFigures(store, { team: 'alpha', runId: 'c1', own, family: [] }))!.trial).toBe(all.trials[0]!.position);
            const page = await structureTrials(store, { team: 'alpha', structural: S1, limit: 2, offset: 2 });
            expect(page.trials.map(t => t.position)).toEqual([5, 4]);
            expect(page.total).toBe(7);
            const beta = await structureTrials(store, { team: 'beta', structural: S1, limit: 100, offset: 0 });
            expect(beta.trials.map(t => [t.position, t.runId])).toEqual([[1, 'e1']]);
            expect((await structureTrials(store, { team: 'gamma', structural: S1, limit: 100, offset: 0 })).total).toBe(0);
        });

        it('a run recorded twice keeps its first rows', async () => {
            await insertLedgerTrials(store, [entry('a1', 'alpha', 'backtest', S1, 9999, [9])]);
            const rows = await store.rows(`SELECT period_sharpe, epoch_ms(recorded_at)::DOUBLE AS at FROM ledger_trials WHERE run_id = 'a1'`);
            expect(rows).toEqual([{ period_sharpe: 0.02, at: 1000 }]);
        });
    });
});

describe('ledger trials of a result', () => {
    it('reads a backtest\'s one trial, a sweep\'s every trial and a walk-forward\'s every window off a result', () => {
        const m = (sr: number) => ({ periodSharpe: sr, skew: 0.1, kurtosis: 3.5, bars: 100 }) as unknown as RunResult['metrics'];
        const base = { metrics: m(1) } as unknown as RunResult;
        expect(ledgerTrialsOf(base).map(x => x.periodSharpe)).toEqual([1]);
        expect(ledgerTrialsOf({ ...base, sweep: { trials: [{ metrics: m(2) }, { metrics: m(null as unknown as number) }] } } as unknown as RunResult).map(x => x.periodSharpe)).toEqual([2, NaN]);
        expect(ledgerTrialsOf({ ...base, walkforward: { windows: [{ outOfSampleMetrics: m(3) }, { outOfSampleMetrics: m(4) }] } } as unknown as RunResult).map(x => x.periodSharpe)).toEqual([3, 4]);
    });
});
