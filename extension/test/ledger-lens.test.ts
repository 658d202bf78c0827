/**
 * The research ledger's lens above a strategy (with a stand-in `vscode` module): shown while the
 * daemon is connected, resolved from the strategy's latest completed run in the team's store
 * (`experiments.search` with `ledger: true`), its title the ledger's line, a click opening the runs
 * of its structure; asked once per strategy until a run completes.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { StreamEvent } from '../../protocol/src/daemon/index.js';
import { StrategyCodeLensProvider, type LensDaemon } from '../src/code-lenses.js';
import { latestRunFilter, ledgerLensOf } from '../src/ledger-lens.js';
import { EventEmitter, type fakeVscode } from './support/fake-vscode.js';

const fake = vi.hoisted(() => ({}) as { current: ReturnType<typeof fakeVscode> });
vi.mock('vscode', async () => {
    const { fakeVscode } = await import('./support/fake-vscode.js');
    fake.current = fakeVscode();
    return fake.current.vscode;
});

const S = 'a'.repeat(64);
const ledger = {
    structuralFingerprint: S, firstTrial: 57, trial: 57,
    structure: { trials: 57, sharpeVariance: 0.001, expectedMaxSharpe: 0.05, dsr: 0.12 },
    family: { trials: 212, sharpeVariance: 0.002, expectedMaxSharpe: 0.07, dsr: 0.08, structures: 3 },
    summary: 'trial 57 of this structure (212 in its family); deflated Sharpe 0.12 (0.08 over the family)',
};
const row = (withLedger: boolean) => ({
    run: { id: 'run-1234abcd', kind: 'backtest', state: 'completed', strategy: 'SmaCross' },
    params: {}, metrics: {}, ...(withLedger ? { ledger } : { ledger: null }),
});

function daemon(answer: () => unknown) {
    const events = new EventEmitter<StreamEvent>(), states = new EventEmitter<unknown>();
    const calls: { method: string; params: Record<string, unknown> }[] = [];
    const d = {
        connected: true,
        call: async (method: string, params: Record<string, unknown>) => { calls.push({ method, params }); return { runs: [answer()].filter(Boolean), total: 1 }; },
        onEvent: events.event, onDidChangeState: states.event,
    };
    return { d: d as unknown as LensDaemon & { connected: boolean }, calls, events };
}

const text = readFileSync(resolve(__dirname, '..', '..', 'examples', 'sma-cross.af'), 'utf8');
const doc = (): unknown => ({ uri: fake.current.vscode.Uri.file('/w/sma-cross.af'), getText: () => text });

describe('research ledger lens', () => {
    it('shows the latest run\'s line and opens the runs of its structure; asked once until a run completes', async () => {
        const { d, calls, events } = daemon(() => row(true));
        const p = new StrategyCodeLensProvider(d);
        const lenses = p.provideCodeLenses(doc() as never);
        const last = lenses.at(-1)!;
        expect(lenses).toHaveLength(7); // six commands (Paper trade the sixth) and the ledger's line
        const resolved = await p.resolveCodeLens(last);
        expect(resolved.command).toEqual({
            title: `$(history) ${ledger.summary}`, tooltip: expect.stringContaining('212 in its family of 3 structure(s)'),
            command: 'alphaforge.openExperiments', arguments: [`fingerprint.structural = '${S}'`],
        });
        expect(calls).toEqual([{ method: 'experiments.search', params: { filter: "attributes.strategy = 'SmaCross' and attributes.state = 'completed'", orderBy: 'attributes.finished desc', limit: 1, ledger: true } }]);
        await p.resolveCodeLens(p.provideCodeLenses(doc() as never).at(-1)!);
        expect(calls).toHaveLength(1);
        events.fire({ type: 'lifecycle', runId: 'r', state: 'completed' } as StreamEvent);
        await p.resolveCodeLens(p.provideCodeLenses(doc() as never).at(-1)!);
        expect(calls).toHaveLength(2);
        // Not connected: no ledger lens.
        d.connected = false;
        expect(p.provideCodeLenses(doc() as never)).toHaveLength(6);
        p.dispose();
    });

    it('says when the strategy has no run, or a run from before the ledger; a failed look-up shows nothing', async () => {
        expect(ledgerLensOf('X', null)).toMatchObject({ title: '$(history) not run yet: no trials in the research ledger', filter: undefined });
        expect(ledgerLensOf('X', row(false) as never).title).toBe('$(history) latest run run-1234: not in the research ledger');
        expect(latestRunFilter("it's")).toBe("attributes.strategy = 'it''s' and attributes.state = 'completed'");
        const { d } = daemon(() => { throw new Error('gone'); });
        const p = new StrategyCodeLensProvider(d);
        expect((await p.resolveCodeLens(p.provideCodeLenses(doc() as never).at(-1)!)).command).toEqual({ title: '', command: '' });
        p.dispose();
    });
});
