/** Structured logs: request/run/trace ids on every line, written to real files and read back by `af logs`. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeLogger, createLogger, logFilePath, newTraceId, withRequest, withRun, type Logger } from '../../src/monitoring/logger.js';
import { followLogs, formatLogEntry, parseLogLine, parseSince, readLogs, type LogEntry } from '../../src/monitoring/logs.js';
import { createMetrics } from '../../src/monitoring/metrics.js';
import { logsCommand } from '../../src/cli/commands/logs.js';
import { parsePrometheusText, sampleValue, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
const open: Logger[] = [];
beforeEach(() => { tmp = tempDir(); });
afterEach(async () => {
    await Promise.all(open.splice(0).map(l => closeLogger(l)));
    tmp.remove();
});

function logger(options: Parameters<typeof createLogger>[0] = {}): Logger {
    const l = createLogger({ stateDir: tmp.dir, ...options });
    open.push(l);
    return l;
}

function fileLines(): Record<string, unknown>[] {
    return readFileSync(logFilePath(tmp.dir), 'utf8').trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>);
}

/** A gateway request that submits a run; the run logs under the request's trace. */
function simulateRequestAndRun(root: Logger, runId: string, traceId: string, requestId: string): void {
    const gateway = root.child({ component: 'gateway' });
    const req = withRequest(gateway, { requestId, traceId, method: 'run.submit', user: 'ana' });
    req.info({ ms: 3.5 }, 'rpc done');
    const run = withRun(root.child({ component: 'run' }), { runId, traceId });
    run.info('run started');
    run.warn({ bars: 0 }, 'no bars in range');
    run.error({ err: new Error('engine exploded') }, 'run failed');
}

describe('createLogger', () => {
    it('writes JSON lines to <stateDir>/logs/daemon.log carrying request, run and trace ids', async () => {
        const root = logger();
        const traceId = newTraceId();
        simulateRequestAndRun(root, 'run-1', traceId, 'req-1');
        await closeLogger(root);

        const lines = fileLines();
        expect(lines).toHaveLength(4);
        expect(lines[0]).toMatchObject({ level: 'info', component: 'gateway', requestId: 'req-1', traceId, method: 'run.submit', user: 'ana', msg: 'rpc done', ms: 3.5, pid: process.pid });
        expect(typeof lines[0]!['time']).toBe('string');
        expect(Number.isNaN(Date.parse(lines[0]!['time'] as string))).toBe(false);
        for (const l of lines.slice(1)) expect(l).toMatchObject({ component: 'run', runId: 'run-1', traceId });
        expect(lines[3]).toMatchObject({ level: 'error', err: { type: 'Error', message: 'engine exploded' } });
    });

    it('leaves out undefined context fields, honours the level, and redacts secrets', async () => {
        const root = logger({ level: 'warn' });
        const req = withRequest(root, { requestId: 'r', traceId: 't', method: undefined, user: undefined });
        req.info('dropped');
        req.warn({ token: 'sekrit', headers: { authorization: 'Bearer x' } }, 'kept');
        await closeLogger(root);
        const lines = fileLines();
        expect(lines).toHaveLength(1);
        expect(Object.keys(lines[0]!)).not.toContain('method');
        expect(Object.keys(lines[0]!)).not.toContain('user');
        expect(lines[0]).toMatchObject({ msg: 'kept', token: '[redacted]', headers: { authorization: '[redacted]' } });
    });

    it('can also write to another destination', async () => {
        const chunks: string[] = [];
        const sink = new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk.toString()); cb(); } });
        const root = logger({ destination: sink });
        root.info({ a: 1 }, 'both');
        await closeLogger(root);
        expect(fileLines()).toHaveLength(1);
        expect(JSON.parse(chunks.join(''))).toMatchObject({ msg: 'both', a: 1 });
    });

    it('counts error-level lines per component through onError (af_errors_total)', async () => {
        const metrics = createMetrics({ defaultMetrics: false });
        const root = logger({ onError: c => metrics.countError(c) });
        root.child({ component: 'orchestrator' }).error('lost a worker');
        root.child({ component: 'orchestrator' }).fatal('gave up');
        root.error('no component');
        root.warn('not an error');
        const f = parsePrometheusText((await metrics.render()).body);
        expect(sampleValue(f, 'af_errors_total', { component: 'orchestrator' })).toBe(2);
        expect(sampleValue(f, 'af_errors_total', { component: 'daemon' })).toBe(1);
    });

    it('rotates a log larger than maxBytes to daemon.log.1 at startup', async () => {
        const file = logFilePath(tmp.dir);
        mkdirSync(join(tmp.dir, 'logs'), { recursive: true });
        const old = JSON.stringify({ level: 'info', time: '2020-01-01T00:00:00.000Z', msg: 'old line' }) + '\n';
        writeFileSync(file, old.repeat(50));
        const size = statSync(file).size;

        const small = logger({ maxBytes: size + 1000 }); // room for the line it writes: under the limit, not rotated
        small.info('not rotated yet');
        await closeLogger(small);
        expect(existsSync(`${file}.1`)).toBe(false);

        const root = logger({ maxBytes: 1024 });
        root.info('fresh');
        await closeLogger(root);
        expect(existsSync(`${file}.1`)).toBe(true);
        expect(fileLines().map(l => l['msg'])).toEqual(['fresh']);
        // af logs reads the rotated file first
        const all = await readLogs(tmp.dir);
        expect(all).toHaveLength(52);
        expect(all[0]!.msg).toBe('old line');
        expect(all.at(-1)!.msg).toBe('fresh');
        expect(await readLogs(tmp.dir, { includeRotated: false })).toHaveLength(1);
    });

    it('rotates while running too: a daemon that never restarts keeps at most about twice maxBytes, the newest lines whole', async () => {
        const file = logFilePath(tmp.dir);
        const maxBytes = 20_000;
        const root = logger({ maxBytes });
        const written = 3000;
        // In one go (one rotation per turn of the event loop: the old file is closed on the next tick), then line by line.
        for (let i = 0; i < written / 2; i++) root.info({ runId: `run-${i}` }, 'run completed');
        for (let i = written / 2; i < written; i++) {
            root.info({ runId: `run-${i}` }, 'run completed');
            if (i % 50 === 0) await new Promise(r => setImmediate(r));
        }
        await closeLogger(root);
        // Lines are ~110 bytes; each file is rotated on the first line past the limit.
        expect(statSync(file).size).toBeLessThanOrEqual(maxBytes + 200);
        expect(statSync(`${file}.1`).size).toBeGreaterThan(maxBytes);
        expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(maxBytes + 200);
        // What is kept is the newest lines, consecutive and whole, across the two files.
        const kept = (await readLogs(tmp.dir)).map(e => Number(e.runId!.slice(4)));
        expect(kept.at(-1)).toBe(written - 1);
        expect(kept.length).toBeGreaterThan(200);
        expect(kept).toEqual(kept.map((_, i) => kept[0]! + i));
    });
});

describe('readLogs', () => {
    it('filters by run id, trace id, request id, component and level', async () => {
        const root = logger();
        const t1 = newTraceId(), t2 = newTraceId();
        simulateRequestAndRun(root, 'run-1', t1, 'req-1');
        simulateRequestAndRun(root, 'run-2', t2, 'req-2');
        root.info('daemon line without ids');
        await closeLogger(root);

        expect(await readLogs(tmp.dir)).toHaveLength(9);
        const run1 = await readLogs(tmp.dir, { runId: 'run-1' });
        expect(run1.map(e => e.msg)).toEqual(['run started', 'no bars in range', 'run failed']);
        expect(run1.every(e => e.traceId === t1)).toBe(true);
        // the trace links the gateway request to its run
        const trace2 = await readLogs(tmp.dir, { traceId: t2 });
        expect(trace2.map(e => [e.component, e.msg])).toEqual([['gateway', 'rpc done'], ['run', 'run started'], ['run', 'no bars in range'], ['run', 'run failed']]);
        expect(trace2[0]!.requestId).toBe('req-2');
        expect(trace2[1]!.runId).toBe('run-2');
        expect((await readLogs(tmp.dir, { requestId: 'req-1' })).map(e => e.msg)).toEqual(['rpc done']);
        expect((await readLogs(tmp.dir, { component: 'gateway' }))).toHaveLength(2);
        expect((await readLogs(tmp.dir, { level: 'warn' })).map(e => e.level)).toEqual(['warn', 'error', 'warn', 'error']);
        expect((await readLogs(tmp.dir, { level: 'error', traceId: t1 })).map(e => e.runId)).toEqual(['run-1']);
    });

    it('applies since and limit (the last N matches), and skips malformed lines without crashing', async () => {
        const file = logFilePath(tmp.dir);
        mkdirSync(join(tmp.dir, 'logs'), { recursive: true });
        const line = (minute: number, level: string | number, msg: string, extra: Record<string, unknown> = {}): string =>
            JSON.stringify({ level, time: `2025-01-31T12:${String(minute).padStart(2, '0')}:00.000Z`, msg, ...extra }) + '\n';
        writeFileSync(file, [
            line(0, 'info', 'a'),
            'not json at all\n',
            line(1, 30, 'b numeric level'),
            '{"level":"info","msg":"torn',
            '\n[1,2,3]\n\n',
            line(2, 'warn', 'c', { runId: 'r' }),
            '{"msg":"no time or level"}\n',
            line(3, 'error', 'd', { runId: 'r' }),
        ].join(''));
        const skipped: string[] = [];
        const all = await readLogs(tmp.dir, { onMalformed: l => skipped.push(l) });
        expect(all.map(e => e.msg)).toEqual(['a', 'b numeric level', 'c', 'no time or level', 'd']);
        expect(skipped).toEqual(['not json at all', '{"level":"info","msg":"torn', '[1,2,3]']);
        expect(all[1]!.level).toBe('info');
        expect(all[3]!.level).toBe('info');
        expect(Number.isNaN(all[3]!.time)).toBe(true);

        expect((await readLogs(tmp.dir, { since: '2025-01-31T12:01:00Z' })).map(e => e.msg)).toEqual(['b numeric level', 'c', 'd']);
        expect((await readLogs(tmp.dir, { since: new Date('2025-01-31T12:02:30Z') })).map(e => e.msg)).toEqual(['d']);
        expect((await readLogs(tmp.dir, { limit: 2 })).map(e => e.msg)).toEqual(['no time or level', 'd']);
        expect((await readLogs(tmp.dir, { runId: 'r', limit: 1 })).map(e => e.msg)).toEqual(['d']);
        expect(await readLogs(tmp.dir, { limit: 0 })).toEqual([]);
        await expect(readLogs(tmp.dir, { limit: -1 })).rejects.toThrow(/limit/);
    });

    it('af logs --run takes a run id or its prefix (the 8 characters af runs ls prints)', async () => {
        const root = logger();
        const a = '0530702e-5fe0-49df-9940-31bdf55cea49', b = '0530702f-0000-4000-8000-000000000000';
        root.info({ runId: a }, 'run running');
        root.info({ runId: b }, 'another run');
        root.info({ component: 'gateway' }, 'no run');
        root.info({ runId: a }, 'run completed');
        const printed = async (run: string): Promise<string[]> => {
            const out: string[] = [];
            expect(await logsCommand({ stateDir: tmp.dir, run, json: true }, s => out.push(s))).toBe(0);
            return out.map(l => (JSON.parse(l) as LogEntry).msg);
        };
        expect(await printed('0530702e')).toEqual(['run running', 'run completed']);
        expect(await printed(a)).toEqual(['run running', 'run completed']);
        expect(await printed('0530702')).toEqual(['run running', 'another run', 'run completed']);
        expect(await printed('ffffffff')).toEqual([]);
    });

    it('returns nothing for a state directory without logs', async () => {
        expect(await readLogs(join(tmp.dir, 'nowhere'))).toEqual([]);
    });

    it('follows the file as the daemon appends, until aborted', async () => {
        const root = logger();
        root.info({ runId: 'r1' }, 'before');
        root.info({ runId: 'r2' }, 'other run');
        const ac = new AbortController();
        const seen: LogEntry[] = [];
        const done = (async () => {
            for await (const e of readLogs(tmp.dir, { follow: true, runId: 'r1', signal: ac.signal, pollMs: 5 })) {
                seen.push(e);
                if (e.msg === 'after 2') ac.abort();
            }
        })();
        // wait until the backlog is read, then append (including a line written in two pieces)
        while (seen.length < 1) await new Promise(r => setTimeout(r, 5));
        root.info({ runId: 'r1' }, 'after 1');
        root.info({ runId: 'r2' }, 'not mine');
        const file = logFilePath(tmp.dir);
        const last = JSON.stringify({ level: 'info', time: new Date().toISOString(), runId: 'r1', msg: 'after 2' });
        appendFileSync(file, last.slice(0, 10));
        await new Promise(r => setTimeout(r, 20));
        appendFileSync(file, last.slice(10) + '\n');
        await done;
        expect(seen.map(e => e.msg)).toEqual(['before', 'after 1', 'after 2']);
    });

    it('followLogs starts over on a truncated file', async () => {
        const file = logFilePath(tmp.dir);
        mkdirSync(join(tmp.dir, 'logs'), { recursive: true });
        writeFileSync(file, '{"level":"info","msg":"one long line of text"}\n');
        const ac = new AbortController();
        const seen: string[] = [];
        const done = (async () => {
            for await (const e of followLogs(tmp.dir, { signal: ac.signal, pollMs: 5 })) {
                seen.push(e.msg);
                if (e.msg === 'new') ac.abort();
            }
        })();
        while (seen.length < 1) await new Promise(r => setTimeout(r, 5));
        writeFileSync(file, '{"msg":"new"}\n');
        await done;
        expect(seen).toEqual(['one long line of text', 'new']);
    });
});

describe('parseSince', () => {
    const now = Date.parse('2025-01-31T12:00:00Z');
    it.each([
        ['30s', now - 30e3], ['15m', now - 900e3], ['2h', now - 7200e3], ['1d', now - 86400e3], ['500ms', now - 500],
        ['2025-01-30T00:00:00Z', Date.parse('2025-01-30T00:00:00Z')],
    ])('%s', (text, expected) => {
        expect(parseSince(text, now)).toBe(expected);
    });
    it('refuses nonsense naming it', () => {
        expect(() => parseSince('yesterday-ish', now)).toThrow(/'yesterday-ish'/);
    });
});

describe('formatLogEntry', () => {
    it('prints time level component msg key=val…', () => {
        const e = parseLogLine(JSON.stringify({
            level: 'warn', time: '2025-01-31T12:00:00.000Z', pid: 1, hostname: 'h', component: 'run', runId: 'r1', traceId: 't1',
            msg: 'no bars', bars: 0, note: 'two words', ok: true, obj: { a: 1 },
        }))!;
        expect(formatLogEntry(e)).toBe('2025-01-31T12:00:00.000Z WARN  run no bars runId=r1 traceId=t1 bars=0 note="two words" ok=true obj={"a":1}');
        expect(formatLogEntry(e, { all: true })).toContain('pid=1 hostname=h');
    });

    it('shows errors compactly, with the stack on request', () => {
        const e = parseLogLine(JSON.stringify({ level: 50, msg: 'run failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' } }))!;
        expect(formatLogEntry(e)).toBe(`${'-'.padEnd(24)} ERROR - run failed err="Error: boom"`);
        expect(formatLogEntry(e, { stack: true }).split('\n')).toEqual([`${'-'.padEnd(24)} ERROR - run failed err="Error: boom"`, '    Error: boom', '        at x']);
    });
});
