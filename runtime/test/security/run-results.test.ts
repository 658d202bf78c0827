/**
 * Issue 12: a run's result served as data (`runs.result`). Against the real daemon
 * (security/support.ts): the result is scoped to the run's team like runs.get — another team's run
 * is "not found" whatever the caller's role, with the same words as a run that does not exist —
 * and the answer is bounded: the series thinned, trades and trials paged, and asking past the
 * bounds is refused before anything is read. (A damaged or missing result.json: integrity.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, ROLES } from '../../../protocol/src/daemon/index.js';
import { expectNoLeak, rejection, startSecureDaemon, TINY, type SecureDaemon } from './support.js';

let sec: SecureDaemon;
let runId: string;

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
    runId = (await sec.client(sec.tokens.alpha.researcher).call('runs.submit', { kind: 'backtest', spec: { source: TINY } })).run.id;
    expect(await completed(runId)).toBe('completed');
}, 120_000);

afterAll(async () => {
    await sec?.stop();
});

describe('runs.result', () => {
    it("is the run's team's: another team's caller of any role gets what a run that does not exist gets", async () => {
        const own = await sec.client(sec.tokens.alpha.viewer).call('runs.result', { id: runId });
        expect(own.result).toMatchObject({ schema: 'alphaforge.run-result', runId, strategy: 'Tiny' });
        const unknown = await rejection(sec.client(sec.tokens.beta.viewer).call('runs.result', { id: 'run_0000000000000000' }));
        for (const role of ROLES) {
            const e = await rejection(sec.client(sec.tokens.beta[role]).call('runs.result', { id: runId }));
            expect(e.code, `beta ${role}`).toBe(ErrorCodes.NotFound);
            expect(e.message.replace(runId, 'ID'), `beta ${role}`).toBe(unknown.message.replace('run_0000000000000000', 'ID'));
            expect(JSON.stringify(e.data ?? {})).not.toContain('Tiny');
            expectNoLeak(e, sec.secrets);
        }
    });

    it('answers within its bounds: past them is refused, the defaults thin the series and page the trades', async () => {
        const c = sec.client(sec.tokens.alpha.viewer);
        for (const params of [{ maxPoints: 200_001 }, { maxPoints: 1 }, { tradesLimit: 100_001 }, { trialsLimit: 100_001 }, { tradesOffset: -1 }]) {
            const e = await rejection(c.call('runs.result', { id: runId, ...params }));
            expect(e.code, JSON.stringify(params)).toBe(ErrorCodes.InvalidParams);
        }
        const r = await c.call('runs.result', { id: runId });
        expect(r.page.points).toBe(Math.min(r.page.bars, 5000));
        expect(r.result.trades.length).toBe(Math.min(r.result.tradeCount, 10_000));
        const few = await c.call('runs.result', { id: runId, maxPoints: 10, tradesLimit: 1 });
        expect(few.result.series!.ts.length).toBeLessThanOrEqual(10);
        expect(few.result.trades.length).toBeLessThanOrEqual(1);
        expect(few.result.tradeCount).toBe(r.result.tradeCount);
        expectNoLeak(r, sec.secrets);
    });
});
