/**
 * lang.diff and registry.diff read recorded sources: a run's and a registry version's. They are
 * the caller's team's only — a beta token of any role that names alpha's run or alpha's registry
 * version gets exactly what a run or version that does not exist gets (404), with none of alpha's
 * source, strategy name or values in the answer — and a source side cannot read host files
 * through an import (the confined file system of every compile).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, ROLES } from '../../../protocol/src/daemon/index.js';
import { expectNoLeak, rejection, startSecureDaemon, TINY, type SecureDaemon } from './support.js';

let sec: SecureDaemon;
let runId: string;
/** Alpha's secret variant: its values must not reach beta. */
const ALPHA_SOURCE = TINY.replace(/Tiny/g, 'AlphaSecretStrategy');

async function completed(id: string): Promise<string> {
    const c = sec.client(sec.tokens.alpha.viewer);
    const deadline = Date.now() + 60_000;
    let state = (await c.call('runs.get', { id })).run.state;
    while (!['completed', 'failed', 'cancelled'].includes(state) && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 100));
        state = (await c.call('runs.get', { id })).run.state;
    }
    return state;
}

beforeAll(async () => {
    sec = await startSecureDaemon();
    const alpha = sec.client(sec.tokens.alpha.researcher);
    runId = (await alpha.call('runs.submit', { kind: 'backtest', spec: { source: ALPHA_SOURCE } })).run.id;
    expect(await completed(runId)).toBe('completed');
    await alpha.call('registry.publish', { source: ALPHA_SOURCE, name: 'AlphaSecret' });
}, 120_000);

afterAll(async () => {
    await sec?.stop();
});

describe('lang.diff across teams', () => {
    it("diffs the caller's own team's run and registry version", async () => {
        const d = await sec.client(sec.tokens.alpha.viewer).call('lang.diff', { from: { runId }, to: { registry: { name: 'AlphaSecret', version: 1 } } });
        expect(d.sameExact).toBe(true);
        expect(d.from.strategy).toBe('AlphaSecretStrategy');
    });

    it("is refused for another team's run or registry version, exactly as for one that does not exist", async () => {
        const unknownRun = await rejection(sec.client(sec.tokens.beta.viewer).call('lang.diff', { from: { runId: 'run_0000000000000000' }, to: { source: TINY } }));
        const unknownEntry = await rejection(sec.client(sec.tokens.beta.viewer).call('lang.diff', { from: { registry: { name: 'NoSuchEntry', version: 1 } }, to: { source: TINY } }));
        for (const role of ROLES) {
            const c = sec.client(sec.tokens.beta[role]);
            for (const [side, unknown, id, none] of [
                [{ runId }, unknownRun, runId, 'run_0000000000000000'],
                [{ registry: { name: 'AlphaSecret', version: 1 } }, unknownEntry, 'AlphaSecret', 'NoSuchEntry'],
            ] as const) {
                for (const call of [c.call('lang.diff', { from: side, to: { source: TINY } }), c.call('lang.diff', { from: { source: TINY }, to: side })]) {
                    const e = await rejection(call);
                    expect(e.code, `beta ${role}`).toBe(ErrorCodes.NotFound);
                    expect(e.message.replace(id, 'ID'), `beta ${role}`).toBe(unknown.message.replace(none, 'ID'));
                    expect(JSON.stringify({ m: e.message, d: e.data ?? {} })).not.toContain('AlphaSecretStrategy');
                    expectNoLeak(e, sec.secrets);
                }
            }
        }
        const e = await rejection(sec.client(sec.tokens.beta.admin).call('registry.diff', { from: { name: 'AlphaSecret', version: 1 }, to: { name: 'AlphaSecret', version: 1 } }));
        expect(e.code).toBe(ErrorCodes.NotFound);
    });

    it('cannot read a host file through an import of a source side, and does not echo it', async () => {
        const hostile = `import "${sec.hostSecretFile}"\n${TINY}`;
        const e = await rejection(sec.client(sec.tokens.beta.viewer).call('lang.diff', { from: { source: hostile, uri: 'file:///tmp/x.af' }, to: { source: TINY } }));
        expect(e.code).toBe(ErrorCodes.InvalidParams);
        expectNoLeak(e, sec.secrets);
    });
});
