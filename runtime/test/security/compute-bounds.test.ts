/**
 * Issue 11, items 5 and 6, and the `import` statements of sources sent over RPC: no caller can
 * exhaust the daemon's CPU or memory, or read files through imports. Against the real daemon
 * (security/support.ts): a 1 MB lint no longer holds up health checks and other teams; a lint past
 * the time limit is stopped; look-backs and grids have sanity limits checked at compile time (and
 * at run time, for params given then); random sweeps are capped; a run's memory is bounded and
 * given back; runs time out by default; imports read only .af files inside the source folders.
 *
 * Order and answers are asserted, never wall times (bounded waits are failure guards only).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type Diagnostic, type RunSummary } from '../../../protocol/src/daemon/index.js';
import { URI } from 'langium';
import type { DaemonClient } from '../../../protocol/src/client.js';
import { ConfinedFileSystem } from '../../src/language-service/confined-fs.js';
import { LanguageService } from '../../src/language-service/language-service.js';
import { tempDir } from '../data/helpers.js';
import { expectNoLeak, rejection, startSecureDaemon, TINY, type SecureDaemon } from './support.js';

/** A strategy of about `chars` characters (many features; every one a lint finding). */
function bigSource(chars: number): string {
    const head = 'strategy Big {\n  universe: synth:AAA\n  timeframe: 1d\n';
    const tail = '  rules {\n    when close > f0 => target 100% long\n  }\n}\n';
    const lines: string[] = [];
    let size = head.length + tail.length;
    for (let i = 0; ; i++) {
        const line = `  feature f${i} = sma(close, ${5 + (i % 50)}) + ema(close, ${3 + (i % 30)})\n`;
        if (size + line.length > chars) break;
        lines.push(line);
        size += line.length;
    }
    return head + lines.join('') + tail;
}

const ONE_MB = bigSource(999_000);

/** A daily strategy on synth:AAA with `body` inside. */
const strategy = (name: string, body: string): string => `strategy ${name} {\n  universe: synth:AAA\n  timeframe: 1d\n${body}\n}\n`;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn();
        if (v !== undefined) return v;
        if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
        await new Promise(r => setTimeout(r, 100));
    }
}

async function finished(client: DaemonClient, id: string, timeoutMs = 90_000): Promise<RunSummary> {
    return until(`run ${id} to end`, async () => {
        const { run } = await client.call('runs.get', { id });
        return run.state === 'completed' || run.state === 'failed' || run.state === 'cancelled' ? run : undefined;
    }, timeoutMs);
}

const codes = (ds: readonly Diagnostic[]): string[] => ds.map(d => d.code);

/**
 * One daemon for the language-requests block and the imports block (neither changes what the other
 * sees): a generous language time limit (the first block is about who waits for whom, not about the
 * limit) and a workspace with a library as its source folder.
 */
let shared: SecureDaemon;
let workspace: string;
beforeAll(async () => {
    workspace = tempDir('af-sec-ws-');
    mkdirSync(join(workspace, 'lib'));
    writeFileSync(join(workspace, 'lib', 'ok.af'), 'def rising(x) = x > x[1]\n');
    shared = await startSecureDaemon({ language: { timeoutMs: 180_000 }, sourceRoots: [workspace] });
}, 60_000);
afterAll(async () => { await shared?.stop(); });

describe('language requests run off the main thread, within limits', () => {
    let sec: SecureDaemon;
    beforeAll(() => { sec = shared; });

    it("a viewer's 1 MB lint: /healthz, daemon.info and another team's lint are answered while it runs", async () => {
        expect(ONE_MB.length).toBeGreaterThan(990_000);
        const order: string[] = [];
        const alpha = sec.client(sec.tokens.alpha.viewer, 180_000);
        const beta = sec.client(sec.tokens.beta.viewer, 180_000);
        const big = alpha.call('lang.lint', { source: ONE_MB }).then(r => { order.push('alpha 1 MB lint'); return r; });
        // Three rounds of other calls, each answered before the next is sent.
        for (let round = 0; round < 3; round++) {
            const health = await fetch(`${sec.daemon.url}/healthz`);
            expect(health.status).toBe(200);
            order.push('healthz');
            const info = await beta.call('daemon.info', {});
            expect(info.name).toBe('alphaforge');
            order.push('daemon.info');
            const small = await beta.call('lang.lint', { source: TINY });
            expect(small.errors).toBe(0);
            order.push('beta lint');
        }
        const r = await big;
        expect(order.indexOf('alpha 1 MB lint')).toBe(order.length - 1);
        expect(order).toHaveLength(10);
        expect(r.errors).toBe(0);
        expect(r.warnings).toBeGreaterThan(10_000); // every feature but f0 is unused (AF302)
    }, 180_000);

    it('a look-back beyond 1,000,000 bars is an error at compile time (AF503), and a run of it fails with the code', async () => {
        const text = strategy('Far', '  rules {\n    when close > close[500000000] => target 100% long\n  }');
        const lint = await sec.client(sec.tokens.alpha.viewer).call('lang.lint', { source: text });
        const d = lint.diagnostics.find(x => x.code === 'AF503');
        expect(d?.severity).toBe('error');
        expect(d?.message).toContain('looks back 500,000,000 bars; the limit is 1,000,000 bars');
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: text } });
        const done = await finished(researcher, run.id);
        expect(done.state).toBe('failed');
        expect(done.error).toMatch(/AF503 `close\[500000000\]` looks back 500,000,000 bars/);
    }, 120_000);

    it('a grid of 10^10 combinations is refused with a message, not run as 1 combination; a random sweep samples it', async () => {
        const text = strategy('Wide', '  param band: float = 0 in 0..0.1 step 0.00000000001\n  rules {\n    when close > sma(close, 20) * (1 + band) => target 100% long\n    when close < sma(close, 20) => flat\n  }');
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const grid = (await researcher.call('runs.submit', { kind: 'sweep', spec: { source: text, sweep: { mode: 'grid' } } })).run;
        const done = await finished(researcher, grid.id);
        expect(done.state).toBe('failed');
        expect(done.error).toContain("param 'band' has 10,000,000,001 grid values");
        expect(done.error).toContain('random sweep');
        const lint = await sec.client(sec.tokens.alpha.viewer).call('lang.lint', { source: text });
        expect(lint.errors).toBe(0);
        expect(lint.diagnostics.find(x => x.code === 'AF406')?.message).toContain("param 'band' alone has 10,000,000,001 grid values");
        const random = (await researcher.call('runs.submit', { kind: 'sweep', spec: { source: text, sweep: { mode: 'random', samples: 20, seed: 3 } } })).run;
        const sampled = await finished(researcher, random.id);
        expect(sampled.state, sampled.error ?? '').toBe('completed');
        const { run: detail } = await researcher.call('runs.get', { id: random.id });
        expect(detail.metrics?.['trials']).toBe(20);
    }, 120_000);

    it('a random sweep of 1,000,000 samples is refused at submit with the limit', async () => {
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const e = await rejection(researcher.call('runs.submit', { kind: 'sweep', spec: { source: TINY, sweep: { mode: 'random', samples: 1_000_000 } } }));
        expect(e.code).toBe(ErrorCodes.InvalidParams);
        expect(e.message).toContain('sweep.samples 1000000 is over the limit of 100,000 trials per run');
        const { runs } = await researcher.call('runs.list', { state: ['queued', 'running'] });
        expect(runs).toEqual([]);
    });
});

describe('limits that stop work: time per lint, memory and time per run', () => {
    let sec: SecureDaemon;
    beforeAll(async () => {
        sec = await startSecureDaemon({
            language: { timeoutMs: 3_000 },
            runs: { memoryMb: 1024, recycleAboveMb: 64, timeoutMs: 120_000, teamTimeoutMs: { alpha: 1_500 } },
        });
    }, 60_000);
    afterAll(async () => { await sec?.stop(); });

    // First in its block: a fresh worker, and no garbage of earlier requests that could be collected meanwhile.
    it("memory a completed run held comes back: its worker is replaced, not kept idle with it", async () => {
        const researcher = sec.client(sec.tokens.beta.researcher);
        // A small run first: the worker's modules are loaded before the baseline is taken.
        const warm = (await researcher.call('runs.submit', { kind: 'backtest', spec: { source: TINY } })).run;
        expect((await finished(researcher, warm.id)).state).toBe('completed');
        // 50 look-backs of ~1,000,000 bars: ~400 MB of history, within the limit.
        const features = Array.from({ length: 50 }, (_, i) => `  feature g${i} = close[${999_000 + i}]`).join('\n');
        const text = strategy('Heavy', `${features}\n  rules {\n    when ${Array.from({ length: 50 }, (_, i) => `close > g${i}`).join(' and ')} => target 100% long\n  }`);
        const before = process.memoryUsage().rss;
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: text } });
        const done = await finished(researcher, run.id);
        expect(done.state, done.error ?? '').toBe('completed');
        // The worker is terminated after it reported what it holds; its memory goes back to the system.
        await until('the run worker\'s memory to be given back', async () => (process.memoryUsage().rss - before < 150 * 1_048_576 ? true : undefined), 20_000);
    }, 120_000);

    it('a look-back past the limit through a param given at run time fails the run before any memory is taken', async () => {
        const researcher = sec.client(sec.tokens.beta.researcher);
        const text = strategy('Lag', '  param k: int = 5\n  rules {\n    when close > close[k] => target 100% long\n  }');
        const before = process.memoryUsage().rss;
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: text, params: { k: 150_000_000 } } });
        const done = await finished(researcher, run.id);
        expect(done.state).toBe('failed');
        expect(done.error).toBe('Lag looks back 150,000,000 bars with k = 150000000; the limit is 1,000,000 bars (AF503). Shorten the look-back or choose smaller params.');
        expect(process.memoryUsage().rss - before).toBeLessThan(600 * 1_048_576);
    }, 120_000);

    it("a run whose history would exceed its memory limit fails clearly, and the daemon's memory does not grow", async () => {
        const researcher = sec.client(sec.tokens.beta.researcher);
        // 80 look-backs of ~900,000 bars: each under the look-back limit, together ~576 MB of history (over the estimate's budget of 1,024 MB).
        const features = Array.from({ length: 80 }, (_, i) => `  feature f${i} = close[${900_000 + i}]`).join('\n');
        const text = strategy('Hoard', `${features}\n  rules {\n    when ${Array.from({ length: 80 }, (_, i) => `close > f${i}`).join(' and ')} => target 100% long\n  }`);
        const before = process.memoryUsage().rss;
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: text } });
        const done = await finished(researcher, run.id);
        expect(done.state).toBe('failed');
        expect(done.error).toMatch(/^Hoard would keep about [\d,]+ MB of look-back history \(1 asset, windows up to 900,079 bars\); a run may use 1,024 MB\./);
        expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1_048_576);
    }, 120_000);

    it('a lint past the time limit is stopped with an error naming the limit; the next lint works', async () => {
        const viewer = sec.client(sec.tokens.alpha.viewer, 120_000);
        const e = await rejection(viewer.call('lang.lint', { source: ONE_MB }));
        expect(e.code).toBe(ErrorCodes.InvalidParams);
        expect(e.message).toMatch(/^lang\.lint took longer than 3000 ms, the daemon's time limit for one language request, and was stopped; send a smaller source/);
        expectNoLeak(e, sec.secrets);
        const next = await viewer.call('lang.lint', { source: TINY });
        expect(next).toMatchObject({ errors: 0 });
        expect((await sec.client(sec.tokens.beta.viewer).call('daemon.info', {})).name).toBe('alphaforge');
    }, 120_000);

    it("runs time out by default (the team's limit), and a spec cannot ask for more than it", async () => {
        const alpha = sec.client(sec.tokens.alpha.researcher);
        // ~50,000 trials: far longer than alpha's 1.5 s.
        const slow = strategy('Slow', '  param a: float = 0.5 in 0..1\n  param n: int = 10 in 2..50\n  rules {\n    when close > sma(close, n) * (1 + a / 100) => target 100% long\n    when close < sma(close, n) => flat\n  }');
        const { run } = await alpha.call('runs.submit', { kind: 'sweep', spec: { source: slow, sweep: { mode: 'random', samples: 50_000, seed: 1 } } });
        const done = await finished(alpha, run.id);
        expect(done.state).toBe('failed');
        expect(done.error).toBe('timed out after 1500 ms');
        const e = await rejection(alpha.call('runs.submit', { kind: 'backtest', spec: { source: TINY, timeoutMs: 3_600_000 } }));
        expect(e.code).toBe(ErrorCodes.InvalidParams);
        expect(e.message).toContain('timeoutMs 3600000 is over the run time limit of team alpha (1500 ms)');
        // Another team keeps the daemon's default.
        const beta = sec.client(sec.tokens.beta.researcher);
        const ok = (await beta.call('runs.submit', { kind: 'backtest', spec: { source: TINY, timeoutMs: 60_000 } })).run;
        expect((await finished(beta, ok.id)).state).toBe('completed');
    }, 180_000);
});

describe('imports of sources sent over RPC read only .af files inside the source folders', () => {
    let sec: SecureDaemon;
    beforeAll(() => { sec = shared; });

    const lint = async (source: string, uri: string): Promise<Diagnostic[]> =>
        (await sec.client(sec.tokens.alpha.viewer).call('lang.lint', { source, uri })).diagnostics;
    const usesDef = (imp: string, call: string): string => `import "${imp}"\n${strategy('Imp', `  rules {\n    when ${call} => target 100% long\n  }`)}`;

    it('an import inside the workspace still works', async () => {
        const ds = await lint(usesDef('lib/ok', 'rising(close)'), pathToFileURL(join(workspace, 'main.af')).href);
        expect(codes(ds).filter(c => c.startsWith('AF00'))).toEqual([]);
    });

    it('uri file:///etc/x.af with import "passwd": refused as a missing import, the refusal said', async () => {
        const ds = await lint(usesDef('passwd', 'close > 0'), 'file:///etc/x.af');
        const d = ds.find(x => x.code === 'AF004');
        expect(d?.message).toBe("Cannot find 'passwd' (looked for /etc/passwd.af). Paths are relative to this file. The daemon reads imports only from .af files inside its source folders (not its state directory).");
    });

    it('a .af file outside the source folders is not read (its defs stay unknown)', async () => {
        writeFileSync(join(sec.hostDir, 'lib.af'), 'def host_only_fn(x) = x > 0\n');
        const ds = await lint(usesDef('lib', 'host_only_fn(close)'), pathToFileURL(join(sec.hostDir, 'x.af')).href);
        expect(codes(ds)).toContain('AF004');
        expect(codes(ds)).toContain('AF003');
        // A run of the same source fails the same way.
        const researcher = sec.client(sec.tokens.alpha.researcher);
        const { run } = await researcher.call('runs.submit', { kind: 'backtest', spec: { source: usesDef('lib', 'host_only_fn(close)'), uri: pathToFileURL(join(sec.hostDir, 'x.af')).href } });
        const done = await finished(researcher, run.id);
        expect(done.state).toBe('failed');
        expect(done.error).toMatch(/AF004 Cannot find 'lib'/);
    }, 120_000);

    it('import "../../state/admin.token" and a .af file in the state directory: never read', async () => {
        writeFileSync(join(sec.stateDir, 'notes.af'), 'def state_fn(x) = x > 0\n');
        const inState = pathToFileURL(join(sec.stateDir, 'main.af')).href;
        const token = await lint(usesDef('../../state/admin.token', 'close > 0'), inState);
        expect(codes(token)).toContain('AF004');
        const ds = await lint(usesDef('notes', 'state_fn(close)'), inState);
        expect(codes(ds)).toEqual(expect.arrayContaining(['AF004', 'AF003']));
        expectNoLeak(ds, sec.secrets);
    });

    it('a symlink named lib.af inside the workspace to the host secret is not followed; nothing of the secret comes back', async () => {
        symlinkSync(sec.hostSecretFile, join(workspace, 'lib.af'));
        const ds = await lint(usesDef('lib', 'close > 0'), pathToFileURL(join(workspace, 'main.af')).href);
        expect(ds.find(x => x.code === 'AF004')?.message).toContain("Cannot find 'lib'");
        expectNoLeak(ds, sec.secrets);
    });
});

describe('the language facade and its file system, without a daemon', () => {
    it('the state directory is never read even under a source folder; symlinks, other schemes and large files neither', async () => {
        const parent = tempDir('af-sec-roots-');
        const state = join(parent, '.alphaforge');
        mkdirSync(state);
        writeFileSync(join(state, 'x.af'), 'def state_fn(x) = x\n');
        writeFileSync(join(parent, 'y.af'), 'def ok_fn(x) = x\n');
        writeFileSync(join(parent, 'big.af'), `// ${'x'.repeat(2_000)}\n`);
        symlinkSync(join(state, 'x.af'), join(parent, 'z.af'));
        const fs = new ConfinedFileSystem({ roots: [parent], exclude: [state], maxBytes: 1_000 });
        expect(await fs.readFile(URI.file(join(parent, 'y.af')))).toContain('ok_fn');
        for (const u of [URI.file(join(state, 'x.af')), URI.file(join(parent, 'z.af')), URI.file(join(parent, 'big.af')), URI.parse('memory:///y.af'), URI.file('/etc/passwd')]) {
            await expect(fs.readFile(u), u.toString()).rejects.toThrow(/^import not readable/);
        }
        expect([...fs.takeRefusals().values()].sort()).toEqual(['extension', 'outside', 'scheme']);
    });

    it('refuses a source over its size limit (413) without starting a worker', async () => {
        const ls = new LanguageService({ sourceRoots: [], maxSourceChars: 1_000 });
        const e = await rejection(ls.lint({ source: 'x'.repeat(1_001), hints: false }, { key: 'alpha' }));
        expect(e.code).toBe(ErrorCodes.PayloadTooLarge);
        expect(e.message).toContain("the source has 1,001 characters, over the daemon's limit of 1,000");
        expect(ls.size).toBe(0);
        await ls.close();
    });

    it('a bounded queue (429 per team, 503 in all) served in turn by team', async () => {
        const ls = new LanguageService({ sourceRoots: [], workers: 1, maxQueuedPerKey: 2, maxQueued: 3 });
        try {
            const order: string[] = [];
            const lint = (key: string, name: string) => ls.lint({ source: TINY, hints: false }, { key }).then(r => { order.push(name); return r; });
            // Queued before the worker is ready: alpha twice, then beta once.
            const a1 = lint('alpha', 'a1'), a2 = lint('alpha', 'a2');
            const tooMany = await rejection(lint('alpha', 'a3'));
            expect(tooMany.code).toBe(ErrorCodes.RateLimited);
            expect(tooMany.message).toContain('2 language requests (lang.*, similar.find) of team alpha are already waiting');
            const b1 = lint('beta', 'b1');
            const full = await rejection(lint('gamma', 'c1'));
            expect(full.code).toBe(ErrorCodes.Unavailable);
            expect(full.message).toContain("the daemon's language workers are busy (3 requests waiting)");
            // Internal callers (a run's compile) are bounded by their own concurrency: never refused.
            const internal = ls.compileForRun({ source: TINY }, { key: 'runs', internal: true });
            await Promise.all([a1, a2, b1]);
            expect(order).toEqual(['a1', 'b1', 'a2']);
            expect((await internal).ok).toBe(true);
        } finally {
            await ls.close();
        }
    }, 60_000);
});
