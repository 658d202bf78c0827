/**
 * Team mode's queue: what comes back from Redis is hostile too. A "worker" (anyone who can write
 * to the queue's Redis) returns a result whose artifact name is a path out of the run's directory, or a file under a key nobody wrote, or a nonce that would reshape the key:
 * the daemon refuses the result (the run fails with a message that says so) and writes no file
 * outside. Against a real redis-server; skipped with a message when it is not installed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisOptions, RUN_QUEUE, type QueueSettings } from '../../src/queue/settings.js';
import { sha256Hex, WIRE_VERSION } from '../../src/queue/wire.js';
import { down, freePort, up } from '../../../scripts/team/servers.mjs';
import { tempDir } from '../data/helpers.js';
import { startSecureDaemon, TINY, type SecureDaemon } from './support.js';

const hasRedis = existsSync('/usr/bin/redis-server');
if (!hasRedis) console.warn('runtime/test/security/queue.test.ts skipped: redis-server is not installed (apt-get install -y redis-server, or bash .ci/run)');

const serversDir = tempDir('af-sec-queue-');
let sec: SecureDaemon;
let hostile: Worker;

beforeAll(async () => {
    if (!hasRedis) return;
    const s = await up(serversDir, { only: ['redis'], ports: { redis: await freePort() } });
    const settings: QueueSettings = { kind: 'bullmq', redis: s.redis!.url, prefix: 'afsec' };
    sec = await startSecureDaemon({ queue: settings });
    // A worker that answers each job with one of the files below: named to escape the run's
    // directory, pointing at a key nobody wrote, or with a nonce that would change the key's shape.
    let answered = 0;
    hostile = new Worker(RUN_QUEUE, async () => {
        const data = Buffer.from('planted by a hostile worker');
        const file = [
            { name: '../../planted.txt', bytes: data.length, sha256: sha256Hex(data), nonce: '0123456789abcdef' },
            { name: 'result.json', bytes: data.length, sha256: sha256Hex(data), nonce: '0123456789abcdef' },
            { name: 'result.json', bytes: data.length, sha256: sha256Hex(data), nonce: '*:af-cancel:*' },
        ][answered++ % 3];
        return {
            v: WIRE_VERSION,
            output: {
                strategy: 'X', params: {}, metrics: { sharpe: 1 }, tradeCount: 0,
                provenance: { exactFingerprint: 'a', structuralFingerprint: 'b', dataSnapshot: 'c', engineVersion: 'd', seed: 0 },
                summary: 'planted', ledger: [],
            },
            files: [file],
            engineMs: 0, worker: 'hostile',
        };
    }, { connection: redisOptions(settings.redis), prefix: 'afsec' });
    await hostile.waitUntilReady();
}, 90_000);

afterAll(async () => {
    await hostile?.close(true);
    await sec?.stop();
    if (hasRedis) down(serversDir);
}, 30_000);

describe.skipIf(!hasRedis)('a hostile result from the queue', () => {
    /** Submits a run and waits for its end: its id, state and error. */
    const ended = async (): Promise<{ id: string; state: string; error: string | null }> => {
        const admin = sec.client(sec.adminToken);
        const { run } = await admin.call('runs.submit', { kind: 'backtest', spec: { source: TINY } });
        let state = run.state;
        let error: string | null = null;
        for (let i = 0; i < 600 && !['completed', 'failed', 'cancelled'].includes(state); i++) {
            await new Promise(r => setTimeout(r, 100));
            const got = (await admin.call('runs.get', { id: run.id })).run;
            state = got.state;
            error = got.error;
        }
        return { id: run.id, state, error };
    };

    it('an artifact name that is a path fails the run and writes nothing outside its directory; so do a missing file and a key-shaping nonce', async () => {
        const { id, state, error } = await ended();
        const run = { id };
        expect(state).toBe('failed');
        expect(error).toMatch(/result this daemon cannot read \(files\.0\.name: must be a plain file name\)/);
        // A file under a key nobody wrote (the key is the daemon's: this job's id, the nonce, the name).
        const missing = await ended();
        expect(missing.state).toBe('failed');
        expect(missing.error).toMatch(/artifact result\.json of the worker's result is not in Redis/);
        // A nonce that would give the key another shape (a glob, another key's parts) is refused before any read.
        const shaped = await ended();
        expect(shaped.state).toBe('failed');
        expect(shaped.error).toMatch(/result this daemon cannot read \(files\.0\.nonce: must be 16 hex digits\)/);
        for (const r of [missing, shaped]) expect(existsSync(join(sec.stateDir, 'runs', r.id)) ? readdirSync(join(sec.stateDir, 'runs', r.id)) : []).toEqual([]);
        expect(existsSync(join(sec.stateDir, 'planted.txt'))).toBe(false);
        expect(existsSync(join(sec.stateDir, 'runs', 'planted.txt'))).toBe(false);
        expect(existsSync(join(sec.stateDir, 'runs', run.id)) ? readdirSync(join(sec.stateDir, 'runs', run.id)) : []).toEqual([]);
    }, 60_000);
});
