/**
 * `af deploy paper`, `af deployments ls|show|stop`, `af orders`, `af positions`, `af kill` against a
 * real daemon in this process: a file is paper traded on replayed bars, shown in tables, killed
 * (flat, halted) and stopped; mistakes are one line that says what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import { run } from '../../src/cli/main.js';
import { smaCross, stateWithSynthBars } from '../support/fixtures.js';
import { tempDir, writeFile } from '../data/helpers.js';

async function af(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '', err = '';
    const code = await run(argv, s => { out += s; }, s => { err += s; });
    return { code, out, err };
}

let daemon: RunningDaemon;
let remote: string[];
let file: string;

beforeAll(async () => {
    const stateDir = await stateWithSynthBars('af-cli-deploy-', { symbols: ['AAA'], bars: 120 });
    daemon = await startDaemon({ stateDir, port: 0, concurrency: 1 });
    remote = ['--url', daemon.url, '--token', daemon.adminToken!];
    file = writeFile(tempDir('af-cli-deploy-src-'), 'cross.af', smaCross({ fast: '2..5 step 1', slow: '6..12 step 1' }).replace('= 10 in', '= 2 in').replace('= 40 in', '= 6 in'));
}, 120_000);

afterAll(async () => {
    await daemon?.stop();
});

describe('af deploy / deployments / orders / positions / kill', () => {
    it('paper trades a file, lists and shows it, kills it flat, stops it', async () => {
        const started = await af('deploy', 'paper', file, '--from', '2020-01-01', '--to', '2020-03-30', '--bar-ms', '60', '--capital', '50000', ...remote);
        expect(started.err).toBe('');
        expect(started.code).toBe(0);
        const id = /^started paper deployment (dep_\w+) of Cross on paper, fed by replay synth:AAA$/m.exec(started.out)![1]!;
        let orders = '';
        for (let i = 0; i < 200 && !/ filled$/m.test(orders); i++) {
            await new Promise(r => setTimeout(r, 100));
            orders = (await af('orders', id, ...remote)).out;
        }
        expect(orders).toMatch(/^ {2}deployment +client order id +bar +side +type +qty +filled +avg price +state\n/);
        expect(orders).toMatch(new RegExp(`^  ${id} +af[0-9a-f]{30} +2020-\\d\\d-\\d\\d 00:00 +buy +market .* filled$`, 'm'));
        const ls = await af('deployments', 'ls', ...remote);
        expect(ls.out).toMatch(new RegExp(`^  ${id} +paper +(warming|running) +Cross +paper +\\d+ `, 'm'));
        const show = await af('deployments', 'show', id, ...remote);
        expect(show.out).toMatch(/^ +capital +50,000\.00$/m);
        expect(show.out).toMatch(/^ +feed +replay synth:AAA 2020-01-01 → 2020-03-30, a bar every 60 ms$/m);
        const killed = await af('kill', id, '--reason', 'cli test', ...remote);
        expect(killed.out).toBe(`${id}: halted, risk HALTED; open orders cancelled, positions flattened\n`);
        expect((await af('positions', id, ...remote)).out).toMatch(/^ {2}no open position\n {2}deployment +currency +balance\n/);
        expect((await af('deployments', 'show', id, ...remote)).out).toMatch(/^ +state +halted — kill switch by admin: cli test$/m);
        const stopped = await af('deployments', 'stop', id, ...remote);
        expect(stopped.out).toMatch(new RegExp(`^${id}: stopped \\(stopped by admin\\)`));
        const again = await af('deployments', 'stop', id, ...remote);
        expect(again.code).not.toBe(0);
        expect(again.err).toMatch(/already stopped/);
    }, 60_000);

    it('mistakes are one line: no such file, a bad NAME@VERSION, kill without a target', async () => {
        const missing = await af('deploy', 'paper', 'nope.af', ...remote);
        expect([missing.code, missing.err.trim()]).toEqual([2, 'af: nope.af: no such file']);
        const ref = await af('deploy', 'live', 'Cross', '--venue', 'paper', ...remote);
        expect(ref.err).toMatch(/'Cross': write NAME@VERSION/);
        const kill = await af('kill', ...remote);
        expect(kill.err).toMatch(/name one deployment \(af kill ID\) or all of your team's \(af kill --all\)/);
    });
});
