/**
 * Deployments (execution.*) across teams and roles, against the real daemon: a deployment of team
 * alpha is not found for any token of team beta — show, stop, kill (one or all), positions,
 * orders, events — and its `deployment:<id>` events never reach beta's subscription; registry
 * versions of another team cannot be deployed; trading needs a trader; live trading needs an
 * approved version (and marks it deployed); a strategy that does not compile is a clear error
 * naming its line, and the daemon stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type StreamEvent } from '../../../protocol/src/daemon/index.js';
import { TINY } from '../support/fixtures.js';
import { expectNoLeak, rejection, startSecureDaemon, type SecureDaemon } from './support.js';

let sec: SecureDaemon;
const FEED = { barMs: 150, from: '2020-01-01', to: '2020-02-20' };

beforeAll(async () => {
    sec = await startSecureDaemon();
}, 120_000);
afterAll(async () => {
    await sec?.stop();
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise(r => setTimeout(r, 50));
    }
}

describe('deployments are per team', () => {
    it('a token of team beta never sees, stops, kills or reads alpha\'s deployment, nor its events', async () => {
        const alpha = sec.client(sec.tokens.alpha.trader);
        const beta = sec.client(sec.tokens.beta.admin);
        const seen: StreamEvent[] = [];
        const { deployment } = await alpha.call('execution.paper.start', { source: TINY, feed: FEED });
        const spy = await beta.subscribe([`deployment:${deployment.id}`], e => seen.push(e));
        const own: StreamEvent[] = [];
        const mine = await alpha.subscribe([`deployment:${deployment.id}`], e => own.push(e));
        for (const call of [
            () => beta.call('execution.show', { id: deployment.id }),
            () => beta.call('execution.stop', { id: deployment.id }),
            () => beta.call('execution.kill', { id: deployment.id }),
            () => beta.call('execution.events', { id: deployment.id }),
            () => beta.call('execution.positions', { id: deployment.id }),
            () => beta.call('execution.orders', { id: deployment.id }),
        ]) {
            const e = await rejection(call());
            expect(e.code).toBe(ErrorCodes.NotFound);
            expect(e.message).toBe(`deployment ${deployment.id} not found (af deployments ls lists your team's)`);
            expectNoLeak(e, sec.secrets);
        }
        expect((await beta.call('execution.list', {})).deployments.map(d => d.id)).not.toContain(deployment.id);
        expect((await beta.call('execution.kill', { all: true })).deployments.map(d => d.id)).not.toContain(deployment.id);
        expect((await beta.call('execution.orders', {})).orders).toEqual([]);
        // Alpha's deployment went on: its own subscriber sees it trade, beta's saw nothing.
        await until('alpha\'s deployment to pass a few bars', async () => (own.filter(e => e.type === 'deployment' && e.kind === 'account').length >= 3 ? true : undefined));
        expect((await alpha.call('execution.show', { id: deployment.id })).deployment.state).toMatch(/^(warming|running)$/);
        expect(seen).toEqual([]);
        const killed = await alpha.call('execution.kill', { id: deployment.id, reason: 'end of test' });
        expect(killed.deployments[0]).toMatchObject({ id: deployment.id, state: 'halted', riskState: 'HALTED' });
        await spy.close();
        await mine.close();
    }, 60_000);

    it('another team\'s registry version cannot be deployed; trading needs a trader', async () => {
        await sec.client(sec.tokens.alpha.researcher).call('registry.publish', { source: TINY, name: 'AlphaOnly' });
        const e = await rejection(sec.client(sec.tokens.beta.admin).call('execution.paper.start', { registry: { name: 'AlphaOnly', version: 1 }, feed: FEED }));
        expect(e.code).toBe(ErrorCodes.NotFound);
        for (const role of ['viewer', 'researcher'] as const) {
            expect((await rejection(sec.client(sec.tokens.alpha[role]).call('execution.paper.start', { source: TINY, feed: FEED }))).code).toBe(ErrorCodes.Forbidden);
            expect((await rejection(sec.client(sec.tokens.alpha[role]).call('execution.kill', { all: true }))).code).toBe(ErrorCodes.Forbidden);
        }
    });
});

describe('bad input through the daemon', () => {
    it('live trading needs an approved version (four eyes), then marks it deployed', async () => {
        const researcher = sec.client(sec.tokens.beta.researcher), trader = sec.client(sec.tokens.beta.trader);
        await researcher.call('registry.publish', { source: TINY, name: 'LiveOne' });
        const draft = await rejection(trader.call('execution.live.start', { registry: { name: 'LiveOne', version: 1 }, venue: 'paper', feed: { kind: 'replay', ...FEED } }));
        expect(draft.code).toBe(ErrorCodes.Conflict);
        expect(draft.message).toBe('LiveOne@1 is draft: live trading needs an approved version (a trader other than its author approves it: af registry approve LiveOne@1)');
        await trader.call('registry.approve', { name: 'LiveOne', version: 1 });
        const unknown = await rejection(trader.call('execution.live.start', { registry: { name: 'LiveOne', version: 1 }, venue: 'ccxt:nowhere' }));
        expect(unknown).toMatchObject({ code: ErrorCodes.InvalidParams, message: expect.stringMatching(/^no venue named ccxt:nowhere: 'nowhere' is not an exchange ccxt knows/) });
        const { deployment } = await trader.call('execution.live.start', { registry: { name: 'LiveOne', version: 1 }, venue: 'paper', feed: { kind: 'replay', ...FEED } });
        expect(deployment).toMatchObject({ mode: 'live', venue: 'paper', registry: { name: 'LiveOne', version: 1 } });
        expect((await trader.call('registry.show', { name: 'LiveOne', version: 1 })).entry.state).toBe('deployed');
        const stopped = await trader.call('execution.stop', { id: deployment.id });
        expect(stopped.deployment).toMatchObject({ state: 'stopped', reason: 'stopped by beta-trader' });
    }, 30_000);

    it('a strategy that does not compile is refused naming the line; the daemon stays up', async () => {
        const trader = sec.client(sec.tokens.beta.trader);
        const e = await rejection(trader.call('execution.paper.start', { source: TINY.replace('sma(close, slow)', 'sma(close, slwo)'), uri: 'tiny.af', feed: FEED }));
        expect(e.code).toBe(ErrorCodes.InvalidParams);
        expect(e.message).toMatch(/^tiny\.af does not compile: .*\d+:\d+ .*slwo/);
        expectNoLeak(e, sec.secrets);
        expect((await trader.call('daemon.info')).name).toBe('alphaforge');
    });
});
