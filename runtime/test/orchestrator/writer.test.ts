/**
 * The orchestrator's write path under load (writer.ts, and what rides on it), with the runs in the
 * DuckDB file and in PostgreSQL 15 (team mode's control plane; the bars stay in DuckDB): changes that arrive
 * together share one transaction and still each get their own events in order; a refused op does
 * not fail the others of its batch; a completed run's buffered log lines and progress are written
 * by its completion; a run cancelled while its early start is under way leaves nothing behind;
 * bars kept between runs are read again after an import.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunNotFound, RunStateConflict } from '../../src/orchestrator/types.js';
import { importBars } from '../../src/data/import.js';
import { loadFromStore } from '../../src/data/load.js';
import type { DataStore } from '../../src/store/store.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { openStore } from '../../src/schema/registry.js';
import { synthBars } from '../../src/data/synth.js';
import { Orchestrator } from '../../src/orchestrator/orchestrator.js';
import type { RunEvent } from '../../src/orchestrator/types.js';
import { backtest, smaCross, stateWithBars, sweep, waitFor } from './helpers.js';
import { STORE_KINDS, available, openControl, usePostgres } from '../team/control-stores.js';
import { randomUUID } from 'node:crypto';
import { RunRepository, type BatchRows } from '../../src/orchestrator/repo.js';
import { StateWriter, type WriteTx } from '../../src/orchestrator/writer.js';
import { Mutex } from '../../../language/src/util/mutex.js';

usePostgres('runtime/test/orchestrator/writer.test.ts');

const alice = { user: 'alice', team: 'quant' };

let dir: string;
let store: DataStore;
/** Where the runs are: the DuckDB file itself, or PostgreSQL. */
let control: SqlStore;
let orch: Orchestrator;
const events: RunEvent[] = [];

for (const kind of STORE_KINDS) describe.skipIf(!available(kind))(`on ${kind}`, () => {
    beforeAll(async () => {
        dir = await stateWithBars(600, 'af-writer-');
        store = await openStore({ stateDir: dir });
        control = kind === 'duckdb' ? store : await openControl(kind, dir);
        events.length = 0;
        // No periodic flush: whatever a run logs is written by the transaction that ends it.
        orch = new Orchestrator({ store, ...(kind === 'duckdb' ? {} : { control }), concurrency: 2, progressIntervalMs: 0, flushIntervalMs: 60_000 });
        orch.on('event', e => events.push(e));
        await orch.start();
    });

    afterAll(async () => {
        await orch?.stop();
        store?.close();
    });

    /** Sweeps of ~39 000 combinations: they do not end on their own during a test. */
    const longSweep = () => sweep({ source: smaCross({ fast: '2..100 step 1', slow: '3..400 step 1' }) });

    describe('group commit', () => {
        it('submits arriving together share transactions; each run has its own events, in order', async () => {
            // The orchestrator's own connection is another store of the control plane's class.
            const tx = vi.spyOn(Object.getPrototypeOf(control) as SqlStore, 'transaction');
            try {
                const runs = await Promise.all(Array.from({ length: 40 }, (_, i) => orch.submit(backtest({ params: { fast: 5 + 5 * (i % 4) }, tags: { batch: 'together', i: String(i) } }), alice)));
                // 40 submits (plus whatever starts meanwhile) in far fewer transactions than one each.
                expect(tx.mock.calls.length).toBeLessThan(20);
                expect(new Set(runs.map(r => r.id)).size).toBe(40);
                const done = await Promise.all(runs.map(r => waitFor(orch, r.id)));
                expect(done.map(r => r.state)).toEqual(runs.map(() => 'completed'));
                for (const r of runs) {
                    const history = await orch.events(r.id);
                    expect(history.map(e => e.seq)).toEqual(history.map((_, i) => i + 1));
                    expect(history.filter(e => e.kind === 'state').map(e => `${e.state}:${e.actor}`)).toEqual(['created:alice', 'queued:alice', 'running:system', 'completed:system']);
                    // What was published is what was stored, in the same order.
                    expect(events.filter(e => e.runId === r.id && e.kind !== 'log').map(e => e.seq)).toEqual(history.map(e => e.seq));
                }
                expect(await control.scalar(`SELECT count(*)::INTEGER FROM run_tags WHERE key = 'batch' AND value = 'together'`)).toBe(40);
                expect(await control.rows(`SELECT run_id, seq FROM run_events GROUP BY run_id, seq HAVING count(*) > 1`)).toEqual([]);
            } finally {
                tx.mockRestore();
            }
        });

        it('an op refused in a batch fails alone; the others commit', async () => {
            const [finished] = await orch.list({ state: 'completed', limit: 1 });
            const results = await Promise.allSettled([
                orch.submit(backtest({ tags: { batch: 'mixed' } }), alice),
                orch.cancel(finished!.id, 'alice'),
                orch.promote('no-such-run', 'alice'),
                orch.submit(backtest({ tags: { batch: 'mixed' } }), alice),
            ]);
            expect(results.map(r => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
            expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(RunStateConflict);
            expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(RunNotFound);
            for (const r of [results[0], results[3]]) {
                const run = await waitFor(orch, (r as PromiseFulfilledResult<{ id: string }>).value.id);
                expect(run.state).toBe('completed');
            }
            expect((await orch.get(finished!.id))!.state).toBe('completed');
        });
    });

    describe('a batch\'s rows', () => {
        it('read back as written, odd values included (quotes, backslashes, line breaks, unicode; ±Infinity, NaN, null and beyond-int64 metrics)', async () => {
            // PostgreSQL: one statement for every table (JSON rows); DuckDB: a statement per table.
            const repo = new RunRepository(control);
            const id = randomUUID();
            const now = 1_765_000_000_123;
            const ts = (ms: number): string => new Date(ms).toISOString();
            const odd = `it's "quoted" \\ back\\slash\nnew line\t, ünïcödé ✓ 𝄞`;
            const spec = backtest({ tags: { note: odd }, params: { fast: 5 } });
            const rows: BatchRows = {
                runs: [{ id, spec, owner: 'alice', team: 'quant', traceId: 'trace-odd', now }],
                tags: [{ runId: id, tags: { note: odd, other: '' } }],
                events: [
                    { event: { runId: id, seq: 1, ts: ts(now), kind: 'state', state: 'created', actor: odd, message: odd }, ms: now },
                    { event: { runId: id, seq: 2, ts: ts(now + 1), kind: 'progress', actor: 'system', progress: 0.25 }, ms: now + 1 },
                ],
                logs: [{ log: { runId: id, seq: 1, ts: ts(now + 2), level: 'warn', message: odd }, ms: now + 2 }],
                results: [{ runId: id, params: { fast: 5, flag: true }, metrics: { sharpe: 1.5, pf: Infinity, dd: -Infinity, bad: NaN, none: null, big: -1e21 } }],
                artifacts: [{ runId: id, artifact: { name: 'result.json', bytes: 12, sha256: 'ab'.repeat(32) } }],
                ledger: [{ runId: id, team: 'quant', kind: 'backtest', structural: 'fp-odd', at: now, trials: [{ periodSharpe: 0.1, skew: Infinity, kurtosis: 3, bars: 99.6 }] }],
            };
            await control.transaction(async () => {
                if (repo.insertsAtOnce) return repo.insertAll(rows);
                await repo.insertRuns(rows.runs);
                await repo.writeTags(rows.tags);
                await repo.insertEvents(rows.events);
                await repo.insertLogs(rows.logs);
                await repo.writeResultRows(rows.results);
                await repo.insertArtifacts(rows.artifacts);
                const { insertLedgerTrials } = await import('../../src/experiments/ledger.js');
                await insertLedgerTrials(control, rows.ledger);
            });
            const run = (await repo.get(id))!;
            expect(run).toMatchObject({ state: 'queued', attempt: 0, owner: 'alice', team: 'quant', traceId: 'trace-odd', createdAt: ts(now), queuedAt: ts(now), spec });
            expect(await repo.events(id)).toEqual(rows.events.map(r => r.event));
            expect(await repo.logs(id)).toEqual(rows.logs.map(r => r.log));
            expect(await control.rows('SELECT key, value FROM run_tags WHERE run_id = $1 ORDER BY key', [id])).toEqual([{ key: 'note', value: odd }, { key: 'other', value: '' }]);
            expect(await control.rows('SELECT key, value, text FROM run_params WHERE run_id = $1 ORDER BY key', [id])).toEqual([{ key: 'fast', value: 5, text: '5' }, { key: 'flag', value: null, text: 'true' }]);
            expect(await control.rows('SELECT key, value FROM run_metrics WHERE run_id = $1 ORDER BY key', [id]))
                .toEqual([{ key: 'bad', value: null }, { key: 'big', value: -1e21 }, { key: 'dd', value: -Infinity }, { key: 'none', value: null }, { key: 'pf', value: Infinity }, { key: 'sharpe', value: 1.5 }]);
            expect(await repo.artifacts(id)).toEqual([{ name: 'result.json', bytes: 12, sha256: 'ab'.repeat(32) }]);
            expect(await control.rows('SELECT trial, team, kind, fingerprint_structural AS s, epoch_ms(recorded_at)::DOUBLE AS at, period_sharpe, skew, kurtosis, observations::INTEGER AS n FROM ledger_trials WHERE run_id = $1', [id]))
                .toEqual([{ trial: 0, team: 'quant', kind: 'backtest', s: 'fp-odd', at: now, period_sharpe: 0.1, skew: null, kurtosis: 3, n: 100 }]);
        });
    });

    describe('claims and ends', () => {
        it('a claim and its event commit together: of two claims of a run in one batch only the first counts an attempt and inserts an event; an older attempt\'s end writes nothing', async () => {
            const repo = new RunRepository(control);
            const writer = new StateWriter(control, repo, new Mutex(), () => undefined, e => { throw e; });
            const id = randomUUID();
            await writer.write(async tx => {
                tx.insertRun({ id, spec: backtest(), owner: 'alice', team: 'quant', traceId: 'trace-claims', now: tx.now });
                await tx.event(id, { kind: 'state', state: 'queued', actor: 'alice' });
            });
            // As the orchestrator's claim op: queued → running, and its event only when it claimed.
            const claim = async (tx: WriteTx): Promise<number | undefined> => {
                const run = await tx.claim(id);
                if (run) await tx.event(id, { kind: 'state', state: 'running', actor: 'system', message: `attempt ${run.attempt}` });
                return run?.attempt;
            };
            expect(await Promise.all([writer.write(claim), writer.write(claim)])).toEqual([1, undefined]);
            // As commitEnd: the state changes only at the run's attempt, and its rows go only with that change.
            const end = (attempt: number) => writer.write(async tx => {
                if (!await tx.transition(id, ['running'], 'completed', { progress: 1 }, ['finished_at'], attempt)) return false;
                tx.writeResults({ runId: id, params: { fast: attempt }, metrics: { sharpe: attempt } });
                tx.recordArtifacts(id, [{ name: 'result.json', bytes: attempt, sha256: 'cd'.repeat(32) }]);
                await tx.event(id, { kind: 'state', state: 'completed', actor: 'system' });
                return true;
            });
            expect(await end(0)).toBe(false);
            expect(await repo.get(id)).toMatchObject({ state: 'running', attempt: 1, progress: 0 });
            expect(await control.rows('SELECT key FROM run_metrics WHERE run_id = $1 UNION ALL SELECT key FROM run_params WHERE run_id = $1', [id])).toEqual([]);
            expect(await repo.artifacts(id)).toEqual([]);
            expect(await end(1)).toBe(true);
            expect(await repo.get(id)).toMatchObject({ state: 'completed', attempt: 1, progress: 1 });
            expect(await control.rows('SELECT key, value FROM run_metrics WHERE run_id = $1', [id])).toEqual([{ key: 'sharpe', value: 1 }]);
            expect((await repo.events(id)).map(e => [e.seq, e.state, e.message])).toEqual([[1, 'queued', undefined], [2, 'running', 'attempt 1'], [3, 'completed', undefined]]);
            await writer.drain();
            writer.close();
        });
    });

    describe('buffered log lines and progress', () => {
        it('a completed run has all its log lines and its progress, written with its completion', async () => {
            const run = await waitFor(orch, (await orch.submit(sweep(), alice)).id);
            expect(run.state).toBe('completed');
            const logs = await orch.logs(run.id);
            expect(logs.map(l => l.message).join('\n')).toMatch(/compiled Cross[\s\S]*loaded 600 bars[\s\S]*grid sweep[\s\S]*combinations; best/);
            expect(logs.map(l => l.seq)).toEqual(logs.map((_, i) => i + 1));
            const history = await orch.events(run.id);
            const kinds = history.map(e => e.state ?? e.kind);
            // The last progress comes before the result and the completion.
            expect(kinds.slice(-3)).toEqual(['progress', 'result', 'completed']);
            for (let i = 1; i < history.length; i++) expect(history[i]!.ts >= history[i - 1]!.ts).toBe(true);
            // Published too, with the seqs they were stored with.
            expect(events.filter(e => e.runId === run.id && e.kind === 'log').map(e => e.seq)).toEqual(logs.map(l => l.seq));
        });
    });

    describe('early start', () => {
        it('a run cancelled right after its submit is cancelled, runs nothing to completion and leaves no files', async () => {
            for (let i = 0; i < 4; i++) {
                const { id } = await orch.submit(longSweep(), alice);
                const run = await orch.cancel(id, 'alice');
                expect(run.state).toBe('cancelled');
                expect(run.error).toBe('cancelled by alice');
                const states = (await orch.events(id)).filter(e => e.kind === 'state').map(e => e.state);
                expect(states.at(-1)).toBe('cancelled');
                expect(states.filter(s => s === 'cancelled')).toHaveLength(1);
                await expect.poll(() => existsSync(join(dir, 'runs', id)), { timeout: 10_000 }).toBe(false);
                expect(await control.scalar(`SELECT count(*)::INTEGER FROM run_metrics WHERE run_id = $1`, [id])).toBe(0);
            }
            await expect.poll(async () => (await orch.status()).running, { timeout: 10_000 }).toBe(0);
        });
    });

    describe('bars kept between runs', () => {
        it('are read again once an import changed the store', async () => {
            const first = await waitFor(orch, (await orch.submit(backtest(), alice)).id);
            const again = await waitFor(orch, (await orch.submit(backtest(), alice)).id);
            expect(again.provenance!.dataSnapshot).toBe(first.provenance!.dataSnapshot);
            // Replace synth:AAA with other bars (same range: the stored ones are replaced).
            const r = synthBars({ symbols: ['AAA'], timeframeMs: 86_400_000, bars: 600, seed: 99 });
            await importBars(store, { ts: r.ts, ...r.assets[0]! }, 'synth(seed=99)', { venue: 'synth', symbol: 'AAA', timeframe: '1d' });
            const fresh = await loadFromStore(store, { assets: [{ venue: 'synth', symbol: 'AAA' }], timeframe: '1d' });
            expect(fresh.snapshotHash).not.toBe(first.provenance!.dataSnapshot);
            const after = await waitFor(orch, (await orch.submit(backtest(), alice)).id);
            expect(after.state).toBe('completed');
            expect(after.provenance!.dataSnapshot).toBe(fresh.snapshotHash);
        });
    });
});
