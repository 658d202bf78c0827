/**
 * The webview panels across a window reload, with a stand-in `vscode` module (no VS Code, no
 * daemon): a serializer per panel type, the ones the manifest activates on; a panel VS Code
 * re-creates gets the same setup as a new one (options, a fresh page under the same CSP, the
 * validated channel); a saved state that does not validate closes the panel, never throws; the
 * controllers take restored panels into their bookkeeping (a later "show" reveals the restored
 * one), the report waits for the daemon and then asks it for the run, the DAG asks the language
 * server again.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCodes, RpcError, type StreamEvent } from '../../protocol/src/daemon/index.js';
import { PANEL_KINDS, SAVED_STATE_VERSION, viewTypeOf, type WireDag } from '../../protocol/src/webview.js';
import { METRIC_KEYS, type WireMetrics } from '../../protocol/src/metrics.js';
import { RUN_RESULT_SCHEMA, RUN_RESULT_VERSION, viewOf, type RunResult } from '../../protocol/src/run-result.js';
import type { DaemonState } from '../src/daemon-connection.js';
import { DagPanel, ExperimentsPanel, ReportLoader, ReportPanels, type DagSource, type PanelDaemon } from '../src/panel-controllers.js';
import { Panel, registerPanelSerializers, type Logger } from '../src/panels.js';
import { Disposable, EventEmitter, type FakePanel, type fakeVscode } from './support/fake-vscode.js';

const fake = vi.hoisted(() => ({}) as { current: ReturnType<typeof fakeVscode> });
vi.mock('vscode', async () => {
    const { fakeVscode } = await import('./support/fake-vscode.js');
    fake.current = fakeVscode();
    return fake.current.vscode;
});

const root = resolve(__dirname, '..', '..');
const extensionUri = (): unknown => fake.current.vscode.Uri.file('/ext');
const recorded = (): ReturnType<typeof fakeVscode>['recorded'] => fake.current.recorded;
const saved = (persist?: unknown, messages: Record<string, unknown> = {}): unknown => ({ v: SAVED_STATE_VERSION, ...(persist === undefined ? {} : { persist }), messages });
const typed = (p: FakePanel, type: string): { type: string; [k: string]: unknown }[] => (p.posted as { type: string }[]).filter(m => m.type === type);

function logger(): Logger & { lines: string[] } {
    const lines: string[] = [];
    const line = (level: string) => (m: string): void => { lines.push(`[${level}] ${m}`); };
    return { lines, debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

function run(id: string, state: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        id, kind: 'backtest', state, promoted: false, owner: 'ann', team: 'quants', experimentId: null, traceId: 't', attempt: 1,
        createdAt: '2024-03-01T09:00:00.000Z', queuedAt: null, startedAt: null, finishedAt: null, strategy: 'SmaCross', fingerprints: null,
        dataSnapshot: null, engineVersion: null, seed: null, error: null, tags: {}, progress: null, spec: { kind: 'backtest' }, params: null, metrics: null, ...extra,
    };
}

/** A daemon connection that starts not connected; `runs.get` answers from `runs`. */
function fakeDaemon(runs: Record<string, Record<string, unknown>>) {
    const states = new EventEmitter<DaemonState>();
    const events = new EventEmitter<StreamEvent>();
    const calls: { method: string; params: unknown }[] = [];
    const followed: string[] = [];
    const d = {
        state: { kind: 'connecting' } as DaemonState,
        get connected() { return d.state.kind === 'connected'; },
        onDidChangeState: states.event,
        onEvent: events.event,
        call: async (method: string, params: { id: string }) => {
            calls.push({ method, params });
            if (!d.connected) throw new Error('not connected');
            if (method === 'runs.get') {
                const r = runs[params.id];
                if (!r) throw new RpcError(ErrorCodes.NotFound, `no run ${params.id}`);
                return { run: r };
            }
            if (method === 'runs.result') throw new RpcError(ErrorCodes.NotFound, `run ${params.id} has no result.json; run it again (runs.submit with the same spec) to produce one`);
            throw new Error(`unexpected ${method}`);
        },
        follow: async (id: string) => { followed.push(id); return new Disposable(); },
        setState(s: DaemonState) { d.state = s; states.fire(s); },
    };
    return { daemon: d as unknown as PanelDaemon & { setState(s: DaemonState): void }, calls, followed };
}

const EMPTY_DAG: WireDag = {
    dagVersion: 1, mode: 'exact', universe: { size: 1, assets: null }, timeframeMs: null, nodes: [{ id: 0, op: 'const', inputs: [], type: 'number', unit: 'scalar', attrs: { value: 1 } }],
    constraints: [], rules: [], risk: {}, execution: {}, portfolio: null,
};

/** Waits for the promises the handlers started (fills, refreshes). */
const settle = (): Promise<void> => new Promise(r => setTimeout(r, 10));

describe('panel serializers', () => {
    let registration: { dispose(): void } | undefined;
    afterEach(() => { registration?.dispose(); registration = undefined; });

    it('one per panel type, each with its onWebviewPanel activation event in the manifest', () => {
        registration = registerPanelSerializers(logger(), { report: () => undefined, dag: () => undefined, experiments: () => undefined, monitor: () => undefined });
        const types = PANEL_KINDS.map(viewTypeOf);
        expect(types).toEqual(['alphaforge.report', 'alphaforge.dag', 'alphaforge.experiments', 'alphaforge.monitor']);
        expect([...recorded().serializers.keys()]).toEqual(types);
        const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { activationEvents: string[] };
        expect(pkg.activationEvents.filter(e => e.startsWith('onWebviewPanel:')).sort()).toEqual(types.map(t => `onWebviewPanel:${t}`).sort());
    });

    it('hands a valid saved state to the controller, and closes the panel on a bad one without throwing', async () => {
        const log = logger();
        const got: unknown[] = [];
        registration = registerPanelSerializers(log, {
            report: (_p, s) => { got.push(['report', s]); },
            dag: (_p, s) => { got.push(['dag', s]); },
            experiments: (_p, s) => { got.push(['experiments', s]); },
            monitor: (_p, s) => { got.push(['monitor', s]); },
        });
        const ok = await recorded().revive('alphaforge.report', saved({ runId: 'run-1' }));
        expect(ok.disposed).toBe(false);
        await recorded().revive('alphaforge.dag', saved({ uri: 'file:///w/a.af', strategy: 'A' }));
        // The experiments page keeps its own filter: it reopens with no state, or whatever it saved.
        await recorded().revive('alphaforge.experiments', undefined);
        await recorded().revive('alphaforge.experiments', saved(undefined, { filter: { type: 'setFilter', filter: 'x' } }));
        expect(got).toEqual([['report', { runId: 'run-1' }], ['dag', { uri: 'file:///w/a.af', strategy: 'A' }], ['experiments', {}], ['experiments', {}]]);

        const bad: [string, unknown][] = [
            ['alphaforge.report', undefined], // saved nothing
            ['alphaforge.report', { run: { type: 'run' } }], // the old page's flat record of messages
            ['alphaforge.report', { v: SAVED_STATE_VERSION + 1, persist: { runId: 'run-1' } }], // a newer version
            ['alphaforge.report', saved({ runId: 42 })],
            ['alphaforge.report', saved({ runId: '' })],
            ['alphaforge.report', saved({ runId: 'x'.repeat(20_000) })],
            ['alphaforge.dag', saved({ strategy: 'A' })],
            ['alphaforge.report', 'garbage'],
            ['alphaforge.experiments', 7],
        ];
        for (const [type, state] of bad) {
            const p = await recorded().revive(type, state, 'Old panel');
            expect(p.disposed, JSON.stringify(state)).toBe(true);
        }
        expect(got).toHaveLength(4);
        const warnings = log.lines.filter(l => l.startsWith('[warn]'));
        expect(warnings).toHaveLength(bad.length);
        expect(warnings[0]).toBe("[warn] report panel 'Old panel' not restored after the reload: the page saved no state to restore it from");
        expect(warnings[1]).toMatch(/not one this version of AlphaForge writes/);
        expect(warnings[3]).toMatch(/invalid saved state: runId: /);
    });

    it('closes the panel and logs when the controller fails', async () => {
        const log = logger();
        registration = registerPanelSerializers(log, { report: () => { throw new Error('boom'); }, dag: () => Promise.reject(new Error('no server')), experiments: () => undefined, monitor: () => undefined });
        expect((await recorded().revive('alphaforge.report', saved({ runId: 'r' }))).disposed).toBe(true);
        expect((await recorded().revive('alphaforge.dag', saved({ uri: 'file:///a.af' }))).disposed).toBe(true);
        expect(log.lines).toEqual(["[error] report panel 'alphaforge.report' not restored after the reload: boom", "[error] dag panel 'alphaforge.dag' not restored after the reload: no server"]);
    });
});

describe('a restored panel', () => {
    it('gets the setup of a new one: options, a fresh page under the same CSP, the validated channel', async () => {
        const log = logger();
        const received: unknown[] = [];
        new Panel('report', { title: 'Report r' }, extensionUri() as never, log, m => { received.push(m); });
        const created = recorded().panels.at(-1)!;
        let restoredPanel: unknown;
        const registration = registerPanelSerializers(log, { report: p => { restoredPanel = p; }, dag: () => undefined, experiments: () => undefined, monitor: () => undefined });
        const restored = await recorded().revive('alphaforge.report', saved({ runId: 'r' }), 'SmaCross — Backtest');
        registration.dispose();
        expect(restored.html).toBe(''); // VS Code does not keep the page: the extension sets it
        new Panel('report', { restored: restoredPanel as never }, extensionUri() as never, log, m => { received.push(m); });

        expect(restored.options).toEqual({ enableScripts: true, localResourceRoots: [fake.current.vscode.Uri.file('/ext/webviews/dist'), fake.current.vscode.Uri.file('/ext/media')] });
        expect(created.options).toMatchObject(restored.options);
        expect(restored.title).toBe('SmaCross — Backtest');
        const nonceOf = (html: string): string => /script-src &#39;nonce-([^&]+)&#39;/.exec(html)![1]!;
        expect(nonceOf(restored.html)).not.toBe(nonceOf(created.html));
        const page = (html: string): string => html.replaceAll(nonceOf(html), 'N').replace(/<title>[^<]*<\/title>/, '');
        expect(page(restored.html)).toBe(page(created.html));
        expect(restored.html).toContain('<title>SmaCross — Backtest</title>');
        expect(restored.html).toContain('src="https://fake.vscode-cdn.net/ext/webviews/dist/report.js"');

        await restored.send({ type: 'ready' });
        await restored.send({ type: 'reveal', uri: 42 });
        expect(received).toEqual([{ type: 'ready' }]);
        expect(log.lines.some(l => l.startsWith("[warn] report panel: ignored invalid 'reveal' message"))).toBe(true);
    });
});

describe('controllers with restored panels', () => {
    let log: ReturnType<typeof logger>;
    let registration: { dispose(): void } | undefined;
    beforeEach(() => { log = logger(); });
    afterEach(() => { registration?.dispose(); registration = undefined; });

    it('report: waits for the daemon, then asks it for the run; a later "show" reveals the restored panel', async () => {
        const { daemon, calls, followed } = fakeDaemon({
            'run-1': run('run-1', 'failed', { error: 'worker crashed' }),
            'run-2': run('run-2', 'running', { progress: 0.25 }),
            'run-3': run('run-3', 'completed'),
        });
        const reports = new ReportPanels(extensionUri() as never, daemon, new ReportLoader(daemon), log, () => undefined);
        registration = registerPanelSerializers(log, { report: (p, s) => reports.restore(p, s.runId), dag: () => undefined, experiments: () => undefined, monitor: () => undefined });
        const before = recorded().panels.length;
        const p = await recorded().revive('alphaforge.report', saved({ runId: 'run-1' }), 'SmaCross — Backtest');
        expect(p.disposed).toBe(false);
        expect(p.html).toMatch(/Content-Security-Policy/);
        // Not connected yet: the page keeps the run id and says what it waits for; nothing is asked.
        expect(typed(p, 'persist')).toEqual([{ type: 'persist', state: { runId: 'run-1' } }]);
        expect(p.posted.at(-1)).toEqual({ type: 'waiting', message: 'Waiting for the AlphaForge daemon to load run run-1…' });
        expect(calls).toEqual([]);

        // The same run shown again: the restored panel is revealed, no second panel.
        await reports.show('run-1');
        expect(recorded().panels.length).toBe(before + 1);
        expect(p.reveals).toBe(1);

        // The daemon is down: the reason, and still waiting (not at every retry's "connecting").
        daemon.setState({ kind: 'down', message: 'connection refused' });
        expect(p.posted.at(-1)).toEqual({ type: 'waiting', message: 'The AlphaForge daemon is not available: connection refused. Run run-1 loads when the daemon connects (AlphaForge: Start Daemon, or Connect to Daemon).' });
        const n = p.posted.length;
        daemon.setState({ kind: 'connecting' });
        expect(p.posted.length).toBe(n);

        // Connected: runs.get for the run id, and the page gets what the run became.
        daemon.setState({ kind: 'connected', url: 'http://127.0.0.1:7411', principal: {} as never, version: '1', live: true });
        await settle();
        expect(calls).toEqual([{ method: 'runs.get', params: { id: 'run-1' } }]);
        expect(p.posted.at(-1)).toEqual({ type: 'failed', message: 'The run failed: worker crashed' });
        expect(p.title).toBe('SmaCross — Backtest');
        // The page restarts (hidden and shown): it gets the state to keep and the last message again.
        const m = p.posted.length;
        await p.send({ type: 'ready' });
        expect(p.posted.slice(m)).toEqual([{ type: 'persist', state: { runId: 'run-1' } }, { type: 'failed', message: 'The run failed: worker crashed' }]);

        // Other restored runs, connected now: a running one is followed, a completed one without a result says why.
        // (The run loads in the background: the serializer returns as soon as the panel is set up.)
        const running = await recorded().revive('alphaforge.report', saved({ runId: 'run-2' }));
        const done = await recorded().revive('alphaforge.report', saved({ runId: 'run-3' }));
        const gone = await recorded().revive('alphaforge.report', saved({ runId: 'run-9' }));
        expect(gone.posted.slice(0, 2)).toEqual([{ type: 'persist', state: { runId: 'run-9' } }, { type: 'progress', fraction: 0, message: 'Loading the run…' }]);
        await settle();
        expect(followed).toEqual(['run-2']);
        expect(running.posted.at(-1)).toEqual({ type: 'progress', fraction: 0.25, message: 'Backtest running…' });
        expect(done.posted.at(-1)).toEqual({ type: 'failed', message: 'Run run-3 has no result to show: run run-3 has no result.json; run it again (runs.submit with the same spec) to produce one' });
        expect(gone.posted.at(-1)).toEqual({ type: 'failed', message: 'No run run-9 (or it belongs to another team).' });

        // A restored panel of a run already open (shown before VS Code got to it) is closed: one panel per run.
        const twin = await recorded().revive('alphaforge.report', saved({ runId: 'run-1' }));
        expect(twin.disposed).toBe(true);
        expect(p.disposed).toBe(false);

        // Closed: forgotten; showing the run opens a new panel.
        p.close();
        const count = recorded().panels.length;
        await reports.show('run-1');
        expect(recorded().panels.length).toBe(count + 1);
        expect(recorded().panels.at(-1)).toMatchObject({ viewType: 'alphaforge.report', restored: false });
        reports.dispose();
        expect(recorded().panels.slice(before).filter(x => !x.disposed)).toEqual([]);
    });

    it('report: restored while the daemon is down says why at once', async () => {
        const { daemon } = fakeDaemon({});
        daemon.setState({ kind: 'unauthorized', url: 'http://127.0.0.1:7411', message: 'invalid token' });
        const reports = new ReportPanels(extensionUri() as never, daemon, new ReportLoader(daemon), log, () => undefined);
        registration = registerPanelSerializers(log, { report: (p, s) => reports.restore(p, s.runId), dag: () => undefined, experiments: () => undefined, monitor: () => undefined });
        const p = await recorded().revive('alphaforge.report', saved({ runId: 'run-1' }));
        expect(p.posted.at(-1)).toEqual({ type: 'waiting', message: 'The AlphaForge daemon at http://127.0.0.1:7411 needs a token: invalid token. Run run-1 loads when the daemon connects (AlphaForge: Set Daemon Token).' });
        reports.dispose();
        expect(p.disposed).toBe(true);
    });

    it('report: a finished run the caller already read is not asked for again, only its result; a running one is', async () => {
        const { daemon, calls } = fakeDaemon({ 'run-4': run('run-4', 'completed'), 'run-5': run('run-5', 'running', { progress: 0.5 }) });
        daemon.setState({ kind: 'connected', url: 'http://127.0.0.1:7411', principal: {} as never, version: '1', live: true });
        const reports = new ReportPanels(extensionUri() as never, daemon, new ReportLoader(daemon), log, () => undefined);
        await reports.show('run-4', run('run-4', 'completed') as never);
        await settle();
        expect(calls.map(c => c.method)).toEqual(['runs.result']);
        expect(recorded().panels.at(-1)!.posted.at(-1)).toMatchObject({ type: 'failed', message: expect.stringMatching(/^Run run-4 has no result to show: /) });
        // A copy of a run still going is stale by the time the panel opens: asked again.
        await reports.show('run-5', run('run-5', 'queued') as never);
        await settle();
        expect(calls.map(c => c.method)).toEqual(['runs.result', 'runs.get']);
        expect(recorded().panels.at(-1)!.posted.at(-1)).toEqual({ type: 'progress', fraction: 0.5, message: 'Backtest running…' });
        reports.dispose();
    });

    it('DAG: asks the language server again for the document and strategy; "show" reuses the restored panel; "compare" sends both versions', async () => {
        const side = { strategy: 'S', fingerprints: { exact: 'e', structural: 's' }, nodes: 0 };
        const DIFF = {
            dagDiffVersion: 1 as const, from: side, to: side, sameExact: true, sameStructure: true, structure: 'identical structure and values',
            summary: 'no difference', added: [], removed: [], changed: [], matched: [], params: [], sinks: [],
        };
        const asked: [string, string | undefined][] = [];
        const client: DagSource = {
            dagView: async (uri, strategy) => {
                asked.push([uri.toString(), strategy]);
                return { ok: true, value: { dag: EMPTY_DAG, strategy: strategy ?? 'First', ranges: {}, names: {} } } as never;
            },
            diff: async (from, to) => {
                asked.push([`diff ${from.uri.toString()}`, to.uri.toString()]);
                return { ok: true, value: DIFF } as never;
            },
        };
        const dag = new DagPanel(extensionUri() as never, client, log);
        registration = registerPanelSerializers(log, { report: () => undefined, dag: (p, s) => dag.restore(p, s), experiments: () => undefined, monitor: () => undefined });
        const p = await recorded().revive('alphaforge.dag', saved({ uri: 'file:///w/a.af', strategy: 'SmaCross' }), 'DAG: SmaCross');
        await settle();
        expect(asked).toEqual([['file:///w/a.af', 'SmaCross']]);
        expect(typed(p, 'persist')).toEqual([{ type: 'persist', state: { uri: 'file:///w/a.af', strategy: 'SmaCross' } }]);
        expect(p.posted.at(-1)).toMatchObject({ type: 'dag', uri: 'file:///w/a.af', strategy: 'SmaCross' });

        const count = recorded().panels.length;
        await dag.show(fake.current.vscode.Uri.parse('file:///w/b.af'), undefined);
        expect(recorded().panels.length).toBe(count);
        expect(p.reveals).toBe(1);
        expect(asked.at(-1)).toEqual(['file:///w/b.af', undefined]);
        expect(typed(p, 'persist').at(-1)).toEqual({ type: 'persist', state: { uri: 'file:///w/b.af' } });
        expect(p.title).toBe('DAG: First');
        // A second restored DAG panel (there is one DAG panel) is closed.
        expect((await recorded().revive('alphaforge.dag', saved({ uri: 'file:///w/a.af' }))).disposed).toBe(true);

        // "Compare Strategy With…": both graphs and the server's diff, in one dagDiff message to the same panel.
        const Uri = fake.current.vscode.Uri;
        const before = recorded().panels.length;
        await dag.compare({ uri: Uri.parse('file:///w/a.af'), strategy: 'SmaCross' }, { uri: Uri.parse('file:///w/b.af'), strategy: 'Other' });
        expect(recorded().panels.length).toBe(before);
        expect(asked.slice(-3)).toEqual(expect.arrayContaining([['file:///w/a.af', 'SmaCross'], ['file:///w/b.af', 'Other'], ['diff file:///w/a.af', 'file:///w/b.af']]));
        expect(p.posted.at(-1)).toMatchObject({
            type: 'dagDiff', diff: DIFF,
            from: { uri: 'file:///w/a.af', strategy: 'SmaCross', label: 'file:///w/a.af#SmaCross' },
            to: { uri: 'file:///w/b.af', strategy: 'Other', label: 'file:///w/b.af#Other' },
        });
        expect(p.title).toBe('DAG: SmaCross → Other');
        dag.dispose();
    });

    it('experiments: the restored panel is the one "show" reveals and filters', async () => {
        const { daemon } = fakeDaemon({});
        const experiments = new ExperimentsPanel(extensionUri() as never, daemon, new ReportLoader(daemon), log, () => undefined);
        registration = registerPanelSerializers(log, { report: () => undefined, dag: () => undefined, experiments: p => experiments.restore(p), monitor: () => undefined });
        const p = await recorded().revive('alphaforge.experiments', saved(undefined, { filter: { type: 'setFilter', filter: 'metrics.sharpe > 1', orderBy: 'metrics.sharpe desc' } }));
        expect(p.disposed).toBe(false);
        expect(p.html).toContain('experiments.js');
        const count = recorded().panels.length;
        experiments.show("attributes.strategy = 'A'");
        expect(recorded().panels.length).toBe(count);
        expect(p.reveals).toBe(1);
        expect(p.posted.at(-1)).toEqual({ type: 'setFilter', filter: "attributes.strategy = 'A'" });
        experiments.dispose();
    });
});

describe('the report of a sweep', () => {
    it('opens (no refusal): every trial fetched page by page, best first, validated as the panel validates it', async () => {
        const m = Object.fromEntries(METRIC_KEYS.map(k => [k, 0])) as WireMetrics;
        const trials = Array.from({ length: 11 }, (_, i) => ({ params: { fast: 5 + i }, metrics: { ...m, sharpe: 2 - i / 10 } }));
        const result: RunResult = {
            schema: RUN_RESULT_SCHEMA, version: RUN_RESULT_VERSION, kind: 'sweep', runId: 'sw-1', strategy: 'SmaCross', symbols: ['sp:SPX'], timeframe: '1d',
            range: { from: 0, to: 86_400_000 * 9, bars: 10 }, params: { fast: 5 }, capital: 100_000, warmupBars: 0, metrics: trials[0]!.metrics, series: null,
            trades: [], tradeCount: 0, events: [], provenance: { exactFingerprint: 'e', structuralFingerprint: 's', dataSnapshot: 'd', engineVersion: '1', seed: 0 },
            search: { mode: 'grid', samples: null, seed: 1, sortBy: 'sharpe', fixed: {} },
            sweep: { trialCount: trials.length, trials, deflatedSharpe: { dsr: 0.5, expectedMaxSharpe: 0.1 } },
        };
        const pages: { offset: number; limit: number }[] = [];
        const daemon = {
            call: async (method: string, p: { trialsOffset?: number; trialsLimit?: number }) => {
                expect(method).toBe('runs.result');
                pages.push({ offset: p.trialsOffset ?? 0, limit: p.trialsLimit ?? 0 });
                return { result: viewOf(result, p) };
            },
        } as unknown as PanelDaemon;
        const r = await new ReportLoader(daemon, 4).load(run('sw-1', 'completed', { kind: 'sweep' }) as never);
        if (!('report' in r)) throw new Error(r.reason);
        expect(pages.filter(p => p.limit > 0)).toEqual([{ offset: 0, limit: 4 }, { offset: 4, limit: 4 }, { offset: 8, limit: 4 }]);
        expect(r.report.result.sweep!.trials.map(t => t.params['fast'])).toEqual(trials.map(t => t.params.fast));
        expect(r.report.run.title).toBe('SmaCross — sweep (best parameters)');
    });
});
