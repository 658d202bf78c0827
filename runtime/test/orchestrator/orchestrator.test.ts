/**
 * The orchestrator on a real DuckDB file and real worker threads (the run worker from out/, built
 * by `npm run build`): lifecycle and events, results and artifacts, fair scheduling, cancellation
 * that stops the thread, timeouts, failing strategies, persistence across instances. All but the
 * scheduling and nested-thread tests run again with the runs in PostgreSQL 15 (team mode's control
 * plane; the bars stay in DuckDB).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRunSpec, OrchestratorStopped, RunNotFound, RunStateConflict } from '../../src/orchestrator/types.js';
import { type DataStore } from '../../src/store/store.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import { openStore } from '../../src/schema/registry.js';
import { Orchestrator } from '../../src/orchestrator/orchestrator.js';
import { LanguageService } from '../../src/language-service/language-service.js';
import type { CompletedRun, Run, RunEvent, RunSpec } from '../../src/orchestrator/types.js';
import type { RunResult } from '../../../protocol/src/run-result.js';
import { importBars } from '../../src/data/import.js';
import { synthBars } from '../../src/data/synth.js';
import { backtest, nextEvent, smaCross, stateWithBars, sweep, waitFor } from './helpers.js';
import { STORE_KINDS, available, openControl, usePostgres } from '../team/control-stores.js';

usePostgres('runtime/test/orchestrator/orchestrator.test.ts');

/**
 * The language worker (compiling runs' sources) of every orchestrator here but the first, which
 * starts and stops its own: as the daemon's orchestrator uses the daemon's. Starting one costs
 * about a second of CPU (loading the language's modules in a thread), once per file instead of
 * once per orchestrator.
 */
let language: LanguageService;
beforeAll(() => { language = new LanguageService({ workers: 1, sourceRoots: [process.cwd()] }); });
afterAll(async () => { await language?.close(); });

const alice = { user: 'alice', team: 'quant' };
const bob = { user: 'bob', team: 'quant' };

let dir: string;
let store: DataStore;
/** Where the runs are: the DuckDB file itself, or PostgreSQL. */
let control: SqlStore;
let orch: Orchestrator;
const events: RunEvent[] = [];
const ended: readonly Run['state'][] = ['completed', 'failed', 'cancelled'];
const completed: { run: Run; result: CompletedRun }[] = [];

for (const kind of STORE_KINDS) describe.skipIf(!available(kind))(`on ${kind}`, () => {
    /** The stores an orchestrator is given: the DuckDB file, and PostgreSQL for the runs when that is the control plane. */
    const stores = (): { store: DataStore; control?: SqlStore; language: LanguageService } => (kind === 'duckdb' ? { store, language } : { store, control, language });

    beforeAll(async () => {
        dir = await stateWithBars();
        store = await openStore({ stateDir: dir });
        control = kind === 'duckdb' ? store : await openControl(kind, dir);
        events.length = 0;
        completed.length = 0;
        // DuckDB's first orchestrator starts its own language worker (and stops it with itself).
        const { language: shared, ...own } = stores();
        orch = new Orchestrator({ ...(kind === 'duckdb' ? own : { ...own, language: shared }), concurrency: 2, progressIntervalMs: 0 });
        orch.on('event', e => events.push(e));
        orch.on('completed', (run, result) => completed.push({ run, result }));
        await orch.start();
    });

    afterAll(async () => {
        await orch?.stop();
        store?.close();
    });

    describe('lifecycle', () => {
        it('a backtest goes created → queued → running → completed, every step an event with time and actor', async () => {
            const submitted = await orch.submit(backtest({ params: { fast: 15 }, tags: { purpose: 'test' } }), { ...alice, traceId: 'trace-1' });
            expect(submitted).toMatchObject({ kind: 'backtest', owner: 'alice', team: 'quant', traceId: 'trace-1', promoted: false });
            expect(['queued', 'running']).toContain(submitted.state);
            const run = await waitFor(orch, submitted.id);
            expect(run.error).toBeNull();
            expect(run.state).toBe('completed');
            expect(run.attempt).toBe(1);
            expect(run.strategy).toBe('Cross');
            expect(run.params).toEqual({ fast: 15, slow: 40 });
            expect(run.metrics!['sharpe']).toEqual(expect.any(Number));
            expect(run.tradeCount).toBe(run.metrics!['tradeCount']);
            expect(run.provenance).toMatchObject({ engineVersion: expect.stringMatching(/^compiled-/), exactFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), dataSnapshot: expect.stringMatching(/^[0-9a-f]{64}$/), seed: 0 });
            expect(run.progress).toBe(1);
            expect(run.finishedAt! >= run.startedAt! && run.startedAt! >= run.createdAt).toBe(true);

            const history = await orch.events(run.id);
            const states = history.filter(e => e.kind === 'state').map(e => `${e.state}:${e.actor}`);
            expect(states).toEqual(['created:alice', 'queued:alice', 'running:system', 'completed:system']);
            expect(history.map(e => e.seq)).toEqual(history.map((_, i) => i + 1));
            for (let i = 1; i < history.length; i++) expect(history[i]!.ts >= history[i - 1]!.ts).toBe(true);
            expect(history.find(e => e.kind === 'result')!.message).toMatch(/sharpe .*trades/);
            // What was emitted is what was stored, in the same order.
            expect(events.filter(e => e.runId === run.id && e.kind !== 'log').map(e => e.seq)).toEqual(history.map(e => e.seq));

            const logs = await orch.logs(run.id);
            expect(logs.map(l => l.message).join('\n')).toMatch(/compiled Cross[\s\S]*loaded 1200 bars of synth:AAA 1d/);
            expect(await orch.logs(run.id, logs[0]!.seq)).toHaveLength(logs.length - 1);

            // One artifact: the run result as data (no HTML: reports are rendered from it on demand).
            const files = await orch.artifacts(run.id);
            expect(files.map(f => f.name)).toEqual(['result.json']);
            const stored = JSON.parse(readFileSync(files[0]!.path, 'utf8')) as RunResult;
            expect(stored).toMatchObject({ schema: 'alphaforge.run-result', version: 1, kind: 'backtest', runId: run.id, strategy: 'Cross', symbols: ['synth:AAA'], timeframe: '1d', params: { fast: 15, slow: 40 } });
            expect(await orch.result(run.id)).toEqual(stored);
            expect(stored.trades).toHaveLength(run.tradeCount!);
            expect(stored.tradeCount).toBe(run.tradeCount);
            expect(stored.trades.every(t => t.symbol === 'synth:AAA' && t.exitTs >= t.entryTs)).toBe(true);
            expect(stored.series!.equity).toHaveLength(1200);
            expect(stored.series!.exposure).toHaveLength(1200);
            expect(stored.range).toEqual({ from: stored.series!.ts[0], to: stored.series!.ts[1199], bars: 1200 });
            expect(stored.metrics.sharpe).toBeCloseTo(run.metrics!['sharpe']!, 12);
            expect(stored.provenance).toEqual(run.provenance);

            // Result rows for the experiment store, and the completed hook.
            const metrics = await control.rows(`SELECT key, value FROM run_metrics WHERE run_id = $1`, [run.id]);
            expect(metrics.find(m => m.key === 'sharpe')!.value).toBeCloseTo(run.metrics!['sharpe']!, 12);
            expect(await control.rows(`SELECT key, value, text FROM run_params WHERE run_id = $1 ORDER BY key`, [run.id])).toEqual([{ key: 'fast', value: 15, text: '15' }, { key: 'slow', value: 40, text: '40' }]);
            expect(await control.rows(`SELECT key, value FROM run_tags WHERE run_id = $1`, [run.id])).toEqual([{ key: 'purpose', value: 'test' }]);
            const hook = completed.find(c => c.run.id === run.id)!;
            expect(hook.run.state).toBe('completed');
            expect(hook.result).toMatchObject({ strategy: 'Cross', params: { fast: 15, slow: 40 }, tags: { purpose: 'test' }, tradeCount: run.tradeCount });
            expect(hook.result.artifacts.map(a => a.name)).toEqual(['result.json']);

            // Promotion: a flag of completed runs, recorded as an event.
            const promoted = await orch.promote(run.id, 'carol');
            expect(promoted.promoted).toBe(true);
            expect((await orch.events(run.id)).at(-1)).toMatchObject({ kind: 'promoted', actor: 'carol' });
            await expect(orch.cancel(run.id, 'alice')).rejects.toBeInstanceOf(RunStateConflict);
        });

        it('a sweep records its best params, the deflated Sharpe and the whole table', async () => {
            const run = await waitFor(orch, (await orch.submit(sweep({ sweep: { mode: 'grid', sortBy: 'sharpe' } }), bob)).id);
            expect(run.state).toBe('completed');
            expect(run.metrics).toMatchObject({ trials: 12, deflatedSharpe: expect.anything() });
            const { sweep: table, ...result } = await orch.result(run.id);
            expect(table!.trialCount).toBe(12);
            expect(table!.trials).toHaveLength(12);
            expect(table!.trials[0]!.params).toEqual(run.params);
            expect(table!.trials[0]!.metrics.sharpe).toBeCloseTo(run.metrics!['sharpe'] as number, 12);
            expect(table!.deflatedSharpe.dsr).toBe(run.metrics!['deflatedSharpe']);
            expect(result).toMatchObject({ kind: 'sweep', params: run.params, provenance: run.provenance, series: null, search: { mode: 'grid', sortBy: 'sharpe' } });
            expect((await orch.events(run.id)).filter(e => e.kind === 'progress').length).toBeGreaterThan(0);
        });

        it('a walk-forward records the stitched out-of-sample metrics', async () => {
            const run = await waitFor(orch, (await orch.submit({ kind: 'walkforward', source: smaCross(), walkforward: { inSample: 400, outOfSample: 200 } }, bob)).id);
            expect(run.state).toBe('completed');
            expect(run.metrics).toMatchObject({ windows: 4, efficiency: expect.anything() });
            expect((await orch.artifacts(run.id)).map(a => a.name)).toEqual(['result.json']);
            const result = await orch.result(run.id);
            expect(result.walkforward!.windows.map(w => [w.inSample.bars, w.outOfSample.bars])).toEqual([[400, 200], [400, 200], [400, 200], [400, 200]]);
            expect(result.params).toEqual(result.walkforward!.windows[3]!.params);
            // The stitched out-of-sample series: every window's bars, back to back, and its trades by time.
            expect(result.series!.ts).toHaveLength(800);
            expect(result.series!.ts[0]).toBe(result.walkforward!.windows[0]!.outOfSample.from);
            expect(result.series!.ts[799]).toBe(result.walkforward!.windows[3]!.outOfSample.to);
            expect(result.tradeCount).toBe(run.tradeCount);
            expect(result.trades.every(t => t.entryTs >= result.series!.ts[0]! && t.exitTs <= result.series!.ts[799]!)).toBe(true);
        });

        it('bars imported between two runs are what the next run reads: loaded bars are kept only until an import', async () => {
            const first = await waitFor(orch, (await orch.submit(backtest(), alice)).id);
            const again = await waitFor(orch, (await orch.submit(backtest(), alice)).id);
            expect(again.provenance!.dataSnapshot).toBe(first.provenance!.dataSnapshot);
            expect(again.metrics).toEqual(first.metrics);
            // Other bars for synth:AAA over the same days, through the store the orchestrator reads.
            const r = synthBars({ symbols: ['AAA'], timeframeMs: 86_400_000, bars: 1200, seed: 99 });
            await importBars(store, { ts: r.ts, ...r.assets[0]! }, 'synth(seed=99)', { venue: 'synth', symbol: 'AAA', timeframe: '1d' });
            const after = await waitFor(orch, (await orch.submit(backtest(), alice)).id);
            expect(after.state).toBe('completed');
            expect(after.provenance!.dataSnapshot).not.toBe(first.provenance!.dataSnapshot);
            expect(after.metrics!['sharpe']).not.toBe(first.metrics!['sharpe']);
            // An import that fails changes nothing, and the next run reads the same bars as before it.
            await expect(importBars(store, { ts: [r.ts[0]!], open: [Number.NaN], high: [1], low: [1], close: [1], volume: [1] }, 'bad', { venue: 'synth', symbol: 'AAA', timeframe: '1d' })).rejects.toThrow();
            const last = await waitFor(orch, (await orch.submit(backtest(), alice)).id);
            expect(last.provenance!.dataSnapshot).toBe(after.provenance!.dataSnapshot);
            // The original bars back (stateWithBars: seed 7), for the tests after this one: the first snapshot again.
            const o = synthBars({ symbols: ['AAA', 'BBB'], timeframeMs: 86_400_000, bars: 1200, seed: 7 });
            await importBars(store, { ts: o.ts, ...o.assets[0]! }, 'synth(seed=7)', { venue: 'synth', symbol: 'AAA', timeframe: '1d' });
            const restored = await waitFor(orch, (await orch.submit(backtest(), alice)).id);
            expect(restored.provenance!.dataSnapshot).toBe(first.provenance!.dataSnapshot);
            expect(restored.metrics).toEqual(first.metrics);
        });

        it('lists runs by state, owner and team, newest first', async () => {
            const mine = await orch.list({ owner: 'alice' });
            expect(mine.length).toBeGreaterThan(0);
            expect(mine.every(r => r.owner === 'alice')).toBe(true);
            const all = await orch.list({ team: 'quant', state: 'completed' });
            for (let i = 1; i < all.length; i++) expect(all[i - 1]!.createdAt >= all[i]!.createdAt).toBe(true);
            expect(await orch.list({ team: 'nobody' })).toEqual([]);
            expect(await orch.list({ limit: 1, offset: 1 })).toHaveLength(1);
            await expect(orch.events('nope')).rejects.toBeInstanceOf(RunNotFound);
            expect(await orch.get('nope')).toBeUndefined();
        });
    });

    /** A grid of ~39 000 combinations: minutes of work, unless it is stopped. */
    const longSweep = () => sweep({ source: smaCross({ fast: '2..100 step 1', slow: '3..400 step 1' }) });

    describe('cancellation and timeouts', () => {
        it('an attempt whose run was claimed again elsewhere ends without touching the run, its rows or its files', async () => {
            // Another daemon (team mode, shared artifacts folder) takes the run over while this one
            // computes it: attempt 2 is the run's, with its result file already in place. The run
            // must still be running when taken over, after its first progress: `spec(n)` is submitted
            // for n = 1, 2, 4 … (each twice the work or time of the one before) until one is. One that
            // ended first (a machine too loaded for its size), in the state `early`, is left as it
            // ended. Small first: a fixed size had to be large enough for load 10 and cost that much
            // CPU on every run.
            const takenOver = async (spec: (n: number) => RunSpec, early: Run['state']): Promise<{ id: string; file: string }> => {
                for (let n = 1; n <= 32; n *= 2) {
                    const { id } = await orch.submit(spec(n), alice);
                    const first = await nextEvent(orch, e => e.runId === id && (e.kind === 'progress' || (e.kind === 'state' && ended.includes(e.state!))));
                    if (first.kind === 'progress' && await control.run(`UPDATE runs SET attempt = attempt + 1 WHERE id = $1 AND state = 'running'`, [id]) === 1) {
                        const file = join(dir, 'runs', id, 'result.json');
                        writeFileSync(file, '{"attempt":2}');
                        return { id, file };
                    }
                    expect((await waitFor(orch, id)).state).toBe(early);
                }
                throw new Error('every run ended before its takeover');
            };
            const idle = async (): Promise<void> => { while ((await orch.status()).running > 0) await sleep(20); };
            // One that completes (a sweep of n × ~1,000 combinations), one that fails (over its time
            // limit: n × 1 s; 1.5 s was reached before the takeover on a machine at load 10).
            const { id: done, file: doneFile } = await takenOver(n => sweep({ source: smaCross({ fast: '2..40 step 1', slow: `30..${30 + 25 * n} step 1` }) }), 'completed');
            await idle();
            const { id: failed, file: failedFile } = await takenOver(n => ({ ...longSweep(), timeoutMs: 1000 * n }), 'failed');
            await idle();
            for (const [id, file] of [[done, doneFile], [failed, failedFile]] as const) {
                const row = (await control.rows(`SELECT state, attempt::DOUBLE AS attempt, metrics FROM runs WHERE id = $1`, [id]))[0]!;
                expect(row).toMatchObject({ state: 'running', attempt: 2, metrics: null });
                expect(readFileSync(file, 'utf8')).toBe('{"attempt":2}');
                expect(await control.rows(`SELECT key FROM run_metrics WHERE run_id = $1`, [id])).toEqual([]);
                expect(await control.rows(`SELECT name FROM run_artifacts WHERE run_id = $1`, [id])).toEqual([]);
                // Ended by hand here (the other daemon is not real), for the restart tests below.
                await control.run(`UPDATE runs SET state = 'failed', error = 'test' WHERE id = $1`, [id]);
            }
        });

        it('cancelling a running sweep terminates its thread: cancelled, no result, no more work', async () => {
            const before = await orch.status();
            const { id } = await orch.submit(longSweep(), alice);
            await nextEvent(orch, e => e.runId === id && e.kind === 'progress');
            const busy = await orch.status();
            expect(busy.running).toBe(1);
            const run = await orch.cancel(id, 'alice');
            expect(run.state).toBe('cancelled');
            expect(run.error).toBe('cancelled by alice');
            expect(run.metrics).toBeNull();
            expect(run.finishedAt).not.toBeNull();
            // The run's thread is gone (the pool keeps the idle threads of earlier runs).
            const after = await orch.status();
            expect(after.running).toBe(0);
            expect(after.workers).toBe(busy.workers - 1);
            expect(after.workers).toBeLessThanOrEqual(before.workers);
            // Nothing computes any more: the process is idle.
            const cpu0 = process.cpuUsage();
            await sleep(1000);
            const cpu = process.cpuUsage(cpu0);
            expect((cpu.user + cpu.system) / 1000).toBeLessThan(400);
            const history = await orch.events(id);
            expect(history.at(-1)).toMatchObject({ kind: 'state', state: 'cancelled', actor: 'alice' });
            expect(history.filter(e => e.kind === 'result')).toEqual([]);
            expect(await orch.artifacts(id)).toEqual([]);
            expect(existsSync(join(dir, 'runs', id))).toBe(false);
            expect(await control.scalar(`SELECT count(*)::INTEGER FROM run_metrics WHERE run_id = $1`, [id])).toBe(0);
            await expect(orch.cancel(id, 'alice')).rejects.toBeInstanceOf(RunStateConflict);
            await expect(orch.promote(id, 'alice')).rejects.toBeInstanceOf(RunStateConflict);
        });

        it('a run over its time limit fails with the reason, and its thread is stopped', async () => {
            const { id } = await orch.submit({ ...longSweep(), timeoutMs: 400 }, bob);
            const run = await waitFor(orch, id);
            expect(run.state).toBe('failed');
            expect(run.error).toBe('timed out after 400 ms');
            expect((await orch.events(id)).at(-1)).toMatchObject({ state: 'failed', actor: 'system', message: 'timed out after 400 ms' });
            expect((await orch.status()).running).toBe(0);
            expect(await orch.artifacts(id)).toEqual([]);
        });
    });

    describe('failing runs', () => {
        it('a strategy that does not compile fails with one line naming the place and the code', async () => {
            const bad = smaCross().replace('sma(close, fast)', 'smaa(close, fast)');
            const run = await waitFor(orch, (await orch.submit({ kind: 'backtest', source: bad }, alice)).id);
            expect(run.state).toBe('failed');
            expect(run.error).toMatch(/^source:\d+:\d+ AF\d+ .*smaa/);
            expect(run.error).not.toContain('\n');
            expect((await orch.events(run.id)).at(-1)).toMatchObject({ kind: 'state', state: 'failed', actor: 'system', message: run.error });
        });

        it('a syntax error, an unknown symbol, a bad param: each its one-line reason', async () => {
            const cases = [
                { spec: { kind: 'backtest', source: 'strategy Broken {\n  universe: synth:AAA\n  timeframe: 1d\n  rules { when => flat }\n}\n' }, error: /^source:\d+:\d+ / },
                { spec: { kind: 'backtest', source: smaCross({ symbol: 'synth:NOPE' }) }, error: /^no data for synth:NOPE 1d visible to team \S+; .*visible instruments: synth:AAA, synth:BBB$/ },
                { spec: { kind: 'backtest', source: smaCross(), params: { fast: 30 } }, error: /^param 'fast' = 30 is outside its range 5\.\.20$/ },
                { spec: { kind: 'sweep', source: smaCross(), params: { nope: 1 } }, error: /^unknown param 'nope' for strategy Cross/ },
                { spec: { kind: 'backtest', source: smaCross(), from: '2030-01-01' }, error: /^no bars of synth:AAA 1d between 2030-01-01 and the end$/ },
            ] as const;
            const runs = await Promise.all(cases.map(async c => waitFor(orch, (await orch.submit(c.spec, bob)).id)));
            runs.forEach((r, i) => {
                expect(r.state).toBe('failed');
                expect(r.error).toMatch(cases[i]!.error);
                expect(r.error).not.toContain('\n');
            });
        });

        it('refuses a spec it cannot run, before creating anything', async () => {
            await expect(orch.submit({ kind: 'nope', source: 'x' } as never, alice)).rejects.toBeInstanceOf(InvalidRunSpec);
            await expect(orch.submit({ kind: 'backtest', source: '  ' }, alice)).rejects.toBeInstanceOf(InvalidRunSpec);
            await expect(orch.submit(backtest({ timeoutMs: -1 }), alice)).rejects.toBeInstanceOf(InvalidRunSpec);
        });
    });

    describe('persistence across orchestrators', () => {
        let snapshot: Run[];
        let interrupted: string;
        let stopped: string;
        let exhausted: string;

        it('stop() puts running runs back to queued; a restart finds every run as it was', async () => {
            const { id } = await orch.submit(longSweep(), alice);
            stopped = id;
            await nextEvent(orch, e => e.runId === id && e.kind === 'progress');
            snapshot = (await orch.list({ limit: 1000 })).filter(r => r.id !== id);
            await orch.stop();
            await expect(orch.submit(backtest(), alice)).rejects.toBeInstanceOf(OrchestratorStopped);
            expect((await orch.status()).workers).toBe(0);
            const rows = await control.rows(`SELECT state, error FROM runs WHERE id = $1`, [id]);
            expect(rows).toEqual([{ state: 'queued', error: null }]);
            expect(await control.rows(`SELECT state, actor, message FROM run_events WHERE run_id = $1 ORDER BY seq DESC LIMIT 1`, [id]))
                .toEqual([{ state: 'queued', actor: 'system', message: 'daemon stopping; the run starts again with the next start' }]);
            expect(existsSync(join(dir, 'runs', id))).toBe(false);
            // Simulate runs left running by a process that died: one on its first attempt, one on its last.
            const [a, b] = (await control.rows(`SELECT id FROM runs WHERE state = 'completed' AND kind = 'backtest' ORDER BY created_at LIMIT 1`))
                .concat(await control.rows(`SELECT id FROM runs WHERE state = 'failed' ORDER BY created_at LIMIT 1`));
            interrupted = String(a!.id);
            exhausted = String(b!.id);
            // (a completed run is never left running; this one is made so only to exercise recovery)
            await control.run(`UPDATE runs SET state = 'running', attempt = 1 WHERE id = $1`, [interrupted]);
            await control.run(`UPDATE runs SET state = 'running', attempt = 3 WHERE id = $1`, [exhausted]);
            await control.run(`DELETE FROM run_metrics WHERE run_id = $1`, [interrupted]);
        });

        it('a new orchestrator re-queues the interrupted run, fails the exhausted one, and reads back the rest unchanged', async () => {
            const o2 = new Orchestrator({ ...stores(), concurrency: 1, maxAttempts: 3 });
            const seen: RunEvent[] = [];
            o2.on('event', e => seen.push(e));
            const untouched = (runs: Run[]) => runs.filter(r => ![stopped, interrupted, exhausted].includes(r.id));
            await o2.start();
            try {
                expect(untouched(await o2.list({ limit: 1000 }))).toEqual(untouched(snapshot));
                const done = await Promise.all([waitFor(o2, interrupted), waitFor(o2, stopped, ['running'])]);
                expect(done[0]).toMatchObject({ state: 'completed', attempt: 2 });
                expect(await control.scalar(`SELECT count(*)::INTEGER FROM run_metrics WHERE run_id = $1 AND key = 'sharpe'`, [interrupted])).toBe(1);
                const history = (await o2.events(interrupted)).filter(e => e.kind === 'state').map(e => `${e.state}:${e.actor}:${e.message ?? ''}`);
                expect(history.slice(-3)).toEqual(['queued:system:daemon restarted', 'running:system:attempt 2', 'completed:system:']);
                const ex = (await o2.get(exhausted))!;
                expect(ex.state).toBe('failed');
                expect(ex.error).toBe('daemon restarted: interrupted 3 times (max attempts 3)');
                expect(seen.some(e => e.runId === exhausted && e.state === 'failed' && e.actor === 'system')).toBe(true);
                // The stopped sweep started again (attempt 2); cancel it so the test ends.
                expect((await o2.get(stopped))!.attempt).toBe(2);
                expect((await o2.cancel(stopped, 'alice')).state).toBe('cancelled');
                expect(untouched(await o2.list({ limit: 1000 }))).toEqual(untouched(snapshot));
            } finally {
                await o2.stop();
            }
        });
    });

    if (kind === 'duckdb') describe('fair scheduling', () => {
        it('with one slot, a user with one queued run is served between the runs of a user with many', async () => {
            const o3 = new Orchestrator({ ...stores(), concurrency: 1 });
            const starts: string[] = [];
            const names = new Map<string, string>();
            o3.on('event', e => { if (e.kind === 'state' && e.state === 'running') starts.push(names.get(e.runId) ?? '?'); });
            await o3.start();
            try {
                const submit = async (name: string, spec: ReturnType<typeof backtest>, who: typeof alice) => {
                    const r = await o3.submit(spec, who);
                    names.set(r.id, name);
                    return r.id;
                };
                // alice's first run is a sweep, so it is still running while the rest are submitted.
                const ids = [
                    await submit('a1', sweep({ source: smaCross({ fast: '2..30 step 1', slow: '30..80 step 2' }) }), alice),
                    await submit('a2', backtest(), alice),
                    await submit('a3', backtest(), alice),
                    await submit('a4', backtest(), alice),
                    await submit('b1', backtest(), bob),
                    await submit('b2', backtest(), bob),
                    await submit('b3', backtest(), bob),
                ];
                expect((await o3.cancel(ids[6]!, 'bob')).state).toBe('cancelled'); // a queued run leaves the queue
                const runs = await Promise.all(ids.map(id => waitFor(o3, id)));
                expect(runs.map(r => r.state)).toEqual(['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'cancelled']);
                expect(starts).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'a4']);
                const b3 = (await o3.events(ids[6]!)).map(e => `${e.state}:${e.actor}`);
                expect(b3).toEqual(['created:bob', 'queued:bob', 'cancelled:bob']);
            } finally {
                await o3.stop();
            }
        });
    });

    if (kind === 'duckdb') describe('trials on nested worker threads', () => {
        it('give the same sweep as trials in the run thread, and stop with it when cancelled', async () => {
            const o4 = new Orchestrator({ ...stores(), concurrency: 1, trialWorkers: 2 });
            await o4.start();
            try {
                const inline = (await o4.list({ state: 'completed' })).find(r => r.kind === 'sweep' && r.spec.source === smaCross())!;
                const nested = await waitFor(o4, (await o4.submit(sweep({ sweep: { mode: 'grid', sortBy: 'sharpe' } }), bob)).id);
                expect(nested.state).toBe('completed');
                expect(nested.params).toEqual(inline.params);
                expect(nested.metrics).toEqual(inline.metrics);
                expect(nested.provenance).toEqual(inline.provenance);

                const { id } = await o4.submit(longSweep(), alice);
                await nextEvent(o4, e => e.runId === id && e.kind === 'progress');
                expect((await o4.cancel(id, 'alice')).state).toBe('cancelled');
                const cpu0 = process.cpuUsage();
                await sleep(1000);
                const cpu = process.cpuUsage(cpu0);
                expect((cpu.user + cpu.system) / 1000).toBeLessThan(400);
            } finally {
                await o4.stop();
            }
        });
    });

    describe('graceful stop', () => {
        it('lets running runs finish within the grace period', async () => {
            const o5 = new Orchestrator({ ...stores(), concurrency: 1 });
            await o5.start();
            const { id } = await o5.submit(backtest(), alice);
            await nextEvent(o5, e => e.runId === id && e.state === 'running');
            // A backtest of a second or so; a grace shorter than the test's 60 s, so a run that does not
            // finish in it fails below with its state, not with vitest's bare timeout (as CI once did).
            await o5.stop({ graceMs: 30_000 });
            expect(await control.rows(`SELECT state, attempt FROM runs WHERE id = $1`, [id])).toEqual([{ state: 'completed', attempt: 1 }]);
            await expect(o5.get(id)).rejects.toBeInstanceOf(OrchestratorStopped);
        });
    });
});
