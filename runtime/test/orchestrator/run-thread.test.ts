/**
 * A run on a thread of the run pool (executor.ts runOnThread, run-worker.ts, work.ts) with its
 * artifacts held (`af worker`'s jobs: bytes transferred to the main thread, no file) and staged (the
 * embedded daemon's: a `*.tmp` file in the run's directory): the same bytes and SHA-256 either way.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunWorkerPool, runOnThread } from '../../src/orchestrator/executor.js';
import { transferables, type WorkerJob, type WorkerOutput } from '../../src/orchestrator/work.js';
import { shareBars } from '../../src/engine/worker-pool.js';
import { prepareRun } from '../../src/pipeline/prepare.js';
import { irOf, synthBars, CROSS_SRC } from '../engine/fixtures.js';

const pool = new RunWorkerPool(1);
const dirs: string[] = [];
afterAll(async () => {
    await pool.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function jobOf(held: boolean): Promise<WorkerJob> {
    const ir = await irOf(CROSS_SRC);
    const p = await prepareRun({ kind: 'backtest' }, { compile: async () => ir, load: async () => ({ ...synthBars({ assets: 1, bars: 800, seed: 3 }), ids: ['x:A'], sources: ['1d'] }) });
    const dir = mkdtempSync(join(tmpdir(), 'af-run-thread-'));
    dirs.push(dir);
    return { runId: '00000000-0000-4000-8000-000000000001', request: { kind: 'backtest' }, ir: p.ir, bars: shareBars(p.data), symbols: p.data.ids, params: p.params, dir, trialWorkers: 0, ...(held ? { held: true } : {}) };
}

const run = (job: WorkerJob): Promise<WorkerOutput> => runOnThread(pool, job, { signal: new AbortController().signal, onProgress: () => undefined, onLog: () => undefined }, 1024);

describe('a run thread\'s artifacts', () => {
    it('held: the bytes and SHA-256 of the staged file, handed over without a file', async () => {
        const staged = await run(await jobOf(false));
        const heldJob = await jobOf(true);
        const held = await run(heldJob);
        expect(staged.held).toBeUndefined();
        expect(staged.staged.map(s => s.name)).toEqual(['result.json']);
        const file = readFileSync(staged.staged[0]!.tmp);
        expect(held.staged).toEqual([]);
        expect(held.held!.map(h => h.name)).toEqual(['result.json']);
        const h = held.held![0]!;
        expect(Buffer.from(h.data.buffer, h.data.byteOffset, h.data.byteLength).equals(file)).toBe(true);
        expect(h.bytes).toBe(file.length);
        expect(h.sha256).toBe(staged.staged[0]!.sha256);
        expect(h.sha256).toBe(createHash('sha256').update(file).digest('hex'));
        // The record is the same; nothing was written in the held job's directory.
        expect({ ...held, held: undefined, staged: undefined }).toEqual({ ...staged, held: undefined, staged: undefined });
        expect(readdirSync(heldJob.dir)).toEqual([]);
    }, 60_000);

    it('are transferred whole: a slice of a shared buffer (Node\'s pool of small Buffers) is copied, never detached', () => {
        const small = Buffer.from('{"a":1}'); // from the pool: a slice of a larger ArrayBuffer
        const whole = new Uint8Array(new ArrayBuffer(64)).fill(7);
        const base: WorkerOutput = { strategy: 's', params: {}, metrics: {}, tradeCount: 0, provenance: { exactFingerprint: '', structuralFingerprint: '', dataSnapshot: '', engineVersion: '', seed: 0 }, summary: '', staged: [], ledger: [] };
        const { output, transfer } = transferables({ ...base, held: [{ name: 'a.json', data: small, bytes: small.length, sha256: '' }, { name: 'b.bin', data: whole, bytes: 64, sha256: '' }] });
        const [a, b] = output.held!;
        expect(a!.data).not.toBe(small);
        expect(Buffer.from(a!.data).equals(small)).toBe(true);
        expect(a!.data.byteLength).toBe(a!.data.buffer.byteLength);
        expect(b!.data).toBe(whole);
        expect(transfer).toEqual([a!.data.buffer, whole.buffer]);
        expect(transfer).not.toContain(small.buffer);
        expect(transferables(base)).toEqual({ output: base, transfer: [] });
    });
});
