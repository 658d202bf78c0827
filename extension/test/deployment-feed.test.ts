/**
 * The monitor's event stream (extension/src/deployment-feed.ts) and the Deployments view's model
 * (deployments-model.ts). The feed is driven by an event log in memory that answers
 * execution.events as the daemon does (pages after a seq) and pushes live events when the test
 * says, so the interleavings are exact: live events during the catch-up, overlap, a gap, a lag
 * notice. The whole path against a real daemon is webviews/test/monitor.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentEvent, StreamEvent } from '../../protocol/src/daemon/index.js';
import { DeploymentFeed, type FeedDaemon } from '../src/deployment-feed.js';
import { MonitorSession } from '../src/monitor-session.js';
import type { MonitorToWebview } from '../../protocol/src/webview.js';
import { deploymentContext, deploymentDescription, deploymentIdOf, isLive, killAllQuestion, killable, pnlText } from '../src/deployments-model.js';

const ev = (seq: number): DeploymentEvent => ({ type: 'deployment', deploymentId: 'dep_1', seq, ts: '2026-01-01T00:00:00.000Z', kind: 'state', data: { state: 'running' } });

/** A deployment's stored events, answered as execution.events answers; `push` sends one live. */
function log(stored: number) {
    const events = Array.from({ length: stored }, (_, i) => ev(i + 1));
    let live: ((e: StreamEvent) => void) | undefined;
    const calls: number[] = [];
    let beforeAnswer: (() => void) | undefined;
    const daemon = {
        async call(_m: string, p: { afterSeq: number; limit: number }) {
            calls.push(p.afterSeq);
            const out = events.filter(e => e.seq > p.afterSeq).slice(0, p.limit);
            // What happens while the answer travels: events stored and pushed after it was read.
            beforeAnswer?.();
            return { events: out, nextSeq: out.at(-1)?.seq ?? p.afterSeq, done: false };
        },
        async followDeployment(_id: string, onEvent: (e: StreamEvent) => void) {
            live = onEvent;
            return { dispose: () => { live = undefined; } };
        },
    } as unknown as FeedDaemon;
    return {
        daemon, calls, events,
        append(n = 1) { for (let i = 0; i < n; i++) events.push(ev(events.length + 1)); return events.at(-1)!; },
        push(e: StreamEvent) { live?.(e); },
        during(fn: () => void) { beforeAnswer = fn; },
        get joined() { return live !== undefined; },
    };
}

describe('DeploymentFeed', () => {
    it('delivers the stored events, then the live ones, each seq once and in order, also those that arrive during the catch-up', async () => {
        const l = log(7);
        const got: number[] = [];
        const feed = new DeploymentFeed(l.daemon, 'dep_1', es => got.push(...es.map(e => e.seq)), e => { throw e; });
        let once = false;
        // While the first page is read, two events are stored and pushed live.
        l.during(() => {
            if (once) return;
            once = true;
            l.push(l.append());
            l.push(l.append());
        });
        await feed.start();
        expect(got).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        l.push(ev(9)); // seen
        l.push(l.append());
        expect(got).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(feed.seq).toBe(10);
        feed.stop();
        expect(l.joined).toBe(false);
    });

    it('a live event past a gap, or a lag notice, catches up from the last seq delivered', async () => {
        const l = log(2);
        const got: number[] = [];
        const feed = new DeploymentFeed(l.daemon, 'dep_1', es => got.push(...es.map(e => e.seq)), e => { throw e; });
        await feed.start();
        l.append(3); // 3, 4, 5 stored; only 5 reaches the topic
        l.push(l.events[4]!);
        await feed.resync();
        expect(got).toEqual([1, 2, 3, 4, 5]);
        l.append(2);
        l.push({ type: 'lagged', ts: '2026-01-01T00:00:00.000Z', dropped: 2, droppedProgress: 0, droppedLogs: 0, runIds: [] });
        await feed.resync();
        expect(got).toEqual([1, 2, 3, 4, 5, 6, 7]);
        // Another deployment's events are not this one's.
        l.push({ ...ev(8), deploymentId: 'dep_2' });
        expect(got).toHaveLength(7);
        feed.stop();
    });

    it('starts after a given seq, and says when a catch-up fails (then tries again)', async () => {
        const l = log(5);
        const got: number[] = [];
        const errors: string[] = [];
        const feed = new DeploymentFeed(l.daemon, 'dep_1', es => got.push(...es.map(e => e.seq)), e => errors.push(String(e)), 3);
        let fail = true;
        l.during(() => { if (fail) { fail = false; throw new Error('daemon unreachable'); } });
        await feed.start();
        expect(errors).toEqual(['Error: daemon unreachable']);
        await feed.resync();
        expect(got).toEqual([4, 5]);
        feed.stop();
    });
});

describe('MonitorSession', () => {
    it('acts only on its own deployment, and only once the user confirmed: a page cannot kill another', async () => {
        const l = log(2);
        const calls: string[] = [];
        const posted: MonitorToWebview[] = [];
        const answers: boolean[] = [false, true];
        const daemon: FeedDaemon = {
            call: (async (method: string, p: { id?: string; afterSeq?: number; limit?: number }) => {
                calls.push(`${method} ${p.id ?? ''}`);
                if (method === 'execution.show') return { deployment: D({ id: 'dep_1' }) };
                if (method === 'execution.kill') return { deployments: [D({ id: 'dep_1', state: 'halted' })] };
                return (l.daemon.call as (m: string, p: unknown) => Promise<unknown>)(method, p);
            }) as FeedDaemon['call'],
            followDeployment: l.daemon.followDeployment,
        };
        const session = new MonitorSession({ daemon, deploymentId: 'dep_1', post: m => posted.push(m), confirm: async () => answers.shift() ?? false });
        await session.handle({ type: 'ready' });
        expect(posted.map(m => m.type)).toEqual(['deployment', 'events']);
        await session.handle({ type: 'kill', deploymentId: 'dep_other' });
        await session.handle({ type: 'kill', deploymentId: 'dep_1' }); // the user says no
        expect(calls.filter(c => c.startsWith('execution.kill'))).toEqual([]);
        await session.handle({ type: 'kill', deploymentId: 'dep_1' }); // the user says yes
        expect(calls.filter(c => c.startsWith('execution.kill'))).toEqual(['execution.kill dep_1']);
        expect(posted.at(-1)).toMatchObject({ type: 'notice', level: 'info', message: expect.stringMatching(/^Kill switch: dep_1 is halted;/) });
        session.close();
    });
});

const D = (o: Partial<Deployment>): Deployment => ({
    id: 'dep_1', mode: 'paper', state: 'running', reason: null, team: 'alpha', owner: 'ann', strategy: 'Cross', registry: null, uri: null,
    params: {}, venue: 'paper', feed: { kind: 'replay', symbols: ['sp:SPX'], from: '2019-01-01', to: null, barMs: 250 }, capital: 100_000,
    bars: 12, warmupBars: 5, riskState: 'ACTIVE', equity: 101_234.5, pnl: 1234.5,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', finishedAt: null, ...o,
});

describe('the Deployments view model', () => {
    it('describes state, venue and PnL; actions only while it has not ended', () => {
        expect(deploymentDescription(D({}))).toBe('running · paper · PnL +1,234.50');
        expect(deploymentDescription(D({ mode: 'live', venue: 'ccxt:binance', state: 'halted', pnl: -20 }))).toBe('halted · live on ccxt:binance · PnL −20.00');
        expect(pnlText(null)).toBe('PnL –');
        expect(deploymentContext(D({ state: 'halted' }))).toBe('deployment.live');
        expect(deploymentContext(D({ state: 'stopped' }))).toBe('deployment.ended');
        expect(isLive(D({ state: 'failed' }))).toBe(false);
    });

    it('the kill switch reaches every deployment not stopped or failed, and asks naming them', () => {
        const ds = [D({ id: 'a', state: 'running' }), D({ id: 'b', state: 'stopped' }), D({ id: 'c', state: 'halted', registry: { name: 'Trend', version: 2 } })];
        expect(killable(ds).map(d => d.id)).toEqual(['a', 'c']);
        expect(killAllQuestion(killable(ds), 'alpha')).toBe('Kill all 2 deployments of team alpha? Every open order is cancelled, every position flattened, and trading halted: Cross (running), Trend@2 (halted).');
    });

    it('reads a deployment id from a command argument', () => {
        expect(deploymentIdOf('dep_1')).toBe('dep_1');
        expect(deploymentIdOf({ kind: 'deployment', deployment: D({ id: 'dep_9' }) })).toBe('dep_9');
        expect(deploymentIdOf(D({ id: 'dep_7' }))).toBe('dep_7');
        expect(deploymentIdOf('../etc')).toBeUndefined();
        expect(deploymentIdOf({ kind: 'run', run: { id: 'x' } })).toBeUndefined();
    });
});
