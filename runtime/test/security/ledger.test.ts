/**
 * The research ledger through the real daemon: every completed run's trials land in its team's
 * ledger, runs.result carries the run's place in it ("trial N of this structure") and its Sharpe
 * deflated over all of them, and one team's trials never count in — nor show up through — another
 * team's figures, even for the same strategy structure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonClient } from '../../../protocol/src/client.js';
import { fromWire } from '../../../protocol/src/numbers.js';
import { ErrorCodes } from '../../../protocol/src/errors.js';
import { ledgerSummary } from '../../src/experiments/ledger.js';
import { expectNoLeak, rejection, startSecureDaemon, TINY, type SecureDaemon } from './support.js';

let d: SecureDaemon;
let alpha: DaemonClient;
let beta: DaemonClient;

async function completed(c: DaemonClient, kind: 'backtest' | 'sweep', params: Record<string, number> = {}): Promise<string> {
    const id = (await c.call('runs.submit', { kind, spec: { source: TINY, params } })).run.id;
    for (let i = 0; i < 600; i++) {
        const { run } = await c.call('runs.get', { id });
        if (run.state === 'completed') return id;
        if (run.state === 'failed' || run.state === 'cancelled') throw new Error(`run ${id} ${run.state}: ${run.error}`);
        await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(`run ${id} did not complete`);
}

beforeAll(async () => {
    d = await startSecureDaemon();
    alpha = d.client(d.tokens.alpha.researcher);
    beta = d.client(d.tokens.beta.researcher);
}, 60_000);

afterAll(() => d?.stop());

describe('research ledger across teams', () => {
    it('numbers each team\'s trials of a structure on its own; another team\'s runs of the same structure never count', async () => {
        const a1 = await completed(alpha, 'backtest', { fast: 3 });
        const sweep = await completed(alpha, 'sweep');
        // Beta runs the very same structure in between: not alpha's trials.
        const b1 = await completed(beta, 'backtest');
        const b2 = await completed(beta, 'backtest', { fast: 4 });
        const a2 = await completed(alpha, 'backtest');

        const grid = 9 * 4; // fast 2..10 × slow 15..30 step 5
        const first = (await alpha.call('runs.result', { id: a1 })).result.ledger!;
        expect([first.firstTrial, first.trial, first.structure.trials]).toEqual([1, 1, 1]);
        const sw = (await alpha.call('runs.result', { id: sweep, trialsLimit: 1 })).result;
        expect(sw.sweep!.trialCount).toBe(grid);
        expect([sw.ledger!.firstTrial, sw.ledger!.trial]).toEqual([2, 1 + grid]);
        const last = (await alpha.call('runs.result', { id: a2 })).result;
        expect([last.ledger!.firstTrial, last.ledger!.trial]).toEqual([grid + 2, grid + 2]);
        expect(last.ledger!.family.trials).toBeGreaterThanOrEqual(grid + 2);
        expect(last.ledger!.structuralFingerprint).toBe(last.provenance.structuralFingerprint);
        expect(last.ledger!.summary).toBe(ledgerSummary(grid + 2, grid + 2, last.ledger!.family.trials, last.ledger!.structure.dsr, last.ledger!.family.dsr));
        const dsr = fromWire(last.ledger!.structure.dsr);
        expect(dsr).toBeGreaterThanOrEqual(0);
        expect(dsr).toBeLessThanOrEqual(1);

        const bl = (await beta.call('runs.result', { id: b2 })).result.ledger!;
        expect([bl.trial, bl.family.trials]).toEqual([2, 2]);
        expect((await beta.call('runs.result', { id: b1 })).result.ledger!.trial).toBe(1);
        // Beta cannot reach alpha's result (nor its ledger figures) by id.
        const e = await rejection(beta.call('runs.result', { id: a2 }));
        expect(e.code).toBe(ErrorCodes.NotFound);
        expectNoLeak(e, d.secrets);

        // The ledger view of the structure: each team sees its own trials only, numbered as runs.result numbers them.
        const structural = last.provenance.structuralFingerprint;
        const av = await alpha.call('experiments.ledger', { structural, limit: 5 });
        expect([av.total, av.runs]).toEqual([grid + 2, 3]);
        expect(av.trials.map(t => [t.position, t.runId])[0]).toEqual([grid + 2, a2]);
        const allAlpha = await alpha.call('experiments.ledger', { structural, limit: 1000 });
        expect(new Set(allAlpha.trials.map(t => t.runId))).toEqual(new Set([a1, sweep, a2]));
        const bv = await beta.call('experiments.ledger', { structural, limit: 1000 });
        expect(bv.trials.map(t => [t.position, t.runId])).toEqual([[2, b2], [1, b1]]);
        // A hostile fingerprint is a parameter error, not SQL.
        const bad = await rejection(beta.call('experiments.ledger', { structural: "' OR 1=1 --" }));
        expect(bad.code).toBe(ErrorCodes.InvalidParams);
        expectNoLeak(bad, d.secrets);
        // Search rows carry the same figures as runs.result when asked; beta's search never shows alpha's runs.
        const row = (await alpha.call('experiments.search', { filter: `attributes.id = '${a2}'`, ledger: true })).runs[0]!;
        expect(row.ledger).toEqual(last.ledger);
        expect((await alpha.call('experiments.search', { filter: `attributes.id = '${a2}'` })).runs[0]!.ledger).toBeUndefined();
        expect((await beta.call('experiments.search', { filter: `attributes.id = '${a2}'`, ledger: true })).runs).toEqual([]);
    }, 180_000);
});
