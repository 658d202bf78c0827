/** Alert rules: config file, and each rule firing once and resolving under an injected clock. */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
    AlertConfigError, AlertEvaluator, DEFAULT_ALERT_CONFIG, alertConfigPath, loadAlertConfig, parseAlertConfig,
    type AlertConfig, type AlertConfigInput, type AlertEvent,
} from '../../src/monitoring/alerts.js';
import { closeLogger, createLogger } from '../../src/monitoring/logger.js';
import { readLogs } from '../../src/monitoring/logs.js';
import { createMetrics } from '../../src/monitoring/metrics.js';
import { parsePrometheusText, sampleValue, tempDir } from './helpers.js';

const T0 = Date.parse('2025-01-31T12:00:00Z');
const MiB = 1024 * 1024;

function config(rules: AlertConfigInput['rules'] = {}): AlertConfig {
    return parseAlertConfig(JSON.stringify({ rules }));
}

/** An evaluator with a settable clock and RSS that records every emitted event. */
function harness(cfg: AlertConfig, rssMiB = 100) {
    let now = T0;
    let rss = rssMiB * MiB;
    const events: AlertEvent[] = [];
    const ev = new AlertEvaluator({ config: cfg, now: () => now, rssBytes: () => rss });
    ev.on('alert', e => events.push(e));
    return {
        ev, events,
        at: (seconds: number) => { now = T0 + seconds * 1000; return now; },
        setRss: (mib: number) => { rss = mib * MiB; },
        /** Evaluate at T0 + seconds; returns the transitions. */
        tick: (seconds: number) => ev.evaluate(T0 + seconds * 1000),
    };
}

describe('alert config', () => {
    let tmp: ReturnType<typeof tempDir>;
    beforeEach(() => { tmp = tempDir(); });
    afterEach(() => tmp.remove());

    it('creates alerts.json with the defaults when missing, and reads it back', () => {
        const cfg = loadAlertConfig(tmp.dir);
        expect(cfg).toEqual(DEFAULT_ALERT_CONFIG);
        const written = JSON.parse(readFileSync(alertConfigPath(tmp.dir), 'utf8')) as AlertConfig;
        expect(written).toEqual(DEFAULT_ALERT_CONFIG);
        expect(written.rules.run_failure_rate).toEqual({ enabled: true, severity: 'warning', threshold: 0.5, windowSeconds: 900, minRuns: 5 });
        expect(written.rules.queue_stuck).toEqual({ enabled: true, severity: 'warning', seconds: 600 });
        expect(written.rules.daemon_memory).toEqual({ enabled: true, severity: 'critical', maxRssMiB: 2048 });
        // an edited file is respected
        writeFileSync(alertConfigPath(tmp.dir), JSON.stringify({ rules: { daemon_memory: { maxRssMiB: 512 } } }));
        const edited = loadAlertConfig(tmp.dir);
        expect(edited.rules.daemon_memory.maxRssMiB).toBe(512);
        expect(edited.rules.queue_stuck.seconds).toBe(600);
    });

    it.each([
        ['a wrong type', { rules: { queue_stuck: { seconds: 'ten' } } }, /rules\.queue_stuck\.seconds: .*expected number/],
        ['a negative window', { rules: { run_failure_rate: { windowSeconds: -5 } } }, /rules\.run_failure_rate\.windowSeconds: must be > 0/],
        ['a threshold above 1', { rules: { run_failure_rate: { threshold: 50 } } }, /rules\.run_failure_rate\.threshold: must be a fraction/],
        ['a fractional minRuns', { rules: { run_failure_rate: { minRuns: 2.5 } } }, /rules\.run_failure_rate\.minRuns: must be a whole number/],
        ['a bad severity', { rules: { daemon_memory: { severity: 'loud' } } }, /rules\.daemon_memory\.severity: /],
        ['a misspelt field', { rules: { daemon_memory: { maxRssMb: 512 } } }, /rules\.daemon_memory\.maxRssMb: unknown field \(expected one of: enabled, severity, maxRssMiB\)/],
        ['an unknown rule', { rules: { disk_full: {} } }, /rules\.disk_full: unknown field \(expected one of: run_failure_rate, queue_stuck, daemon_memory\)/],
        ['a bad interval', { evaluateEverySeconds: 0 }, /evaluateEverySeconds: must be > 0/],
        ['an array', [], /\(top level\): .*expected object/],
    ])('names the field for %s', (_, value, message) => {
        expect(() => parseAlertConfig(JSON.stringify(value), '/state/alerts.json')).toThrow(AlertConfigError);
        expect(() => parseAlertConfig(JSON.stringify(value), '/state/alerts.json')).toThrow(message);
        expect(() => parseAlertConfig(JSON.stringify(value), '/state/alerts.json')).toThrow(/^\/state\/alerts\.json: /);
    });

    it('reports every bad field at once, and invalid JSON, from the file', () => {
        writeFileSync(alertConfigPath(tmp.dir), JSON.stringify({ rules: { queue_stuck: { seconds: -1 }, daemon_memory: { maxRssMiB: 'lots' } } }));
        try {
            loadAlertConfig(tmp.dir);
            expect.unreachable();
        } catch (e) {
            expect(e).toBeInstanceOf(AlertConfigError);
            const err = e as AlertConfigError;
            expect(err.file).toBe(alertConfigPath(tmp.dir));
            expect(err.issues.map(i => i.path)).toEqual(['rules.queue_stuck.seconds', 'rules.daemon_memory.maxRssMiB']);
            expect(err.message).toContain('delete it to get the defaults');
        }
        writeFileSync(alertConfigPath(tmp.dir), '{ "rules": ');
        expect(() => loadAlertConfig(tmp.dir)).toThrow(/alerts\.json: \(top level\): not valid JSON/);
    });
});

describe('AlertEvaluator', () => {
    it('run_failure_rate fires once when failures reach the threshold with enough runs, and resolves', () => {
        const h = harness(config({ run_failure_rate: { threshold: 0.5, windowSeconds: 600, minRuns: 4 }, queue_stuck: { enabled: false }, daemon_memory: { enabled: false } }));
        // three failures: fewer than minRuns, no alert
        for (const s of [1, 2, 3]) h.ev.onRunFinished('failed', T0 + s * 1000);
        h.ev.onRunFinished('cancelled', T0 + 4000); // not counted at all
        expect(h.tick(10)).toEqual([]);
        h.ev.onRunFinished('completed', T0 + 11_000);
        const fired = h.tick(12);
        expect(fired).toEqual([{
            rule: 'run_failure_rate', state: 'firing', severity: 'warning', value: 0.75, threshold: 0.5,
            message: 'run failure rate 75% (3 of 4 finished runs in the last 10 min) ≥ 50%', at: new Date(T0 + 12_000).toISOString(),
        }]);
        // still failing: no repeat
        h.ev.onRunFinished('failed', T0 + 13_000);
        expect(h.tick(14)).toEqual([]);
        expect(h.tick(20)).toEqual([]);
        expect(h.ev.firing().map(e => e.rule)).toEqual(['run_failure_rate']);
        // successes bring it under the threshold: 4 failed of 10
        for (const s of [21, 22, 23, 24, 25]) h.ev.onRunFinished('completed', T0 + s * 1000);
        const resolved = h.tick(30);
        expect(resolved).toHaveLength(1);
        expect(resolved[0]).toMatchObject({ rule: 'run_failure_rate', state: 'resolved', threshold: 0.5 });
        expect(resolved[0]!.value).toBe(0.4);
        expect(resolved[0]!.message).toBe('run failure rate 40% (4 of 10 finished runs in the last 10 min) < 50%');
        expect(h.tick(31)).toEqual([]);
        expect(h.events.map(e => e.state)).toEqual(['firing', 'resolved']);
        expect(h.ev.firing()).toEqual([]);
    });

    it('run_failure_rate forgets runs outside the window', () => {
        const h = harness(config({ run_failure_rate: { threshold: 0.5, windowSeconds: 60, minRuns: 2 }, queue_stuck: { enabled: false }, daemon_memory: { enabled: false } }));
        h.ev.onRunFinished('failed', T0);
        h.ev.onRunFinished('failed', new Date(T0 + 1000));
        expect(h.tick(2).map(e => e.state)).toEqual(['firing']);
        // 60.5 s later the first failure has aged out: only one run left, fewer than minRuns
        const resolved = h.tick(60.5);
        expect(resolved.map(e => e.state)).toEqual(['resolved']);
        expect(resolved[0]!.message).toMatch(/only 1 finished run\(s\) in the last 60 s \(fewer than 2\)/);
    });

    it('queue_stuck fires once when the queue waits N seconds without a start, and resolves', () => {
        const h = harness(config({ queue_stuck: { seconds: 60 }, run_failure_rate: { enabled: false }, daemon_memory: { enabled: false } }));
        expect(h.tick(0)).toEqual([]);
        h.ev.setQueueDepth(2, T0 + 10_000);
        expect(h.tick(69)).toEqual([]);
        const fired = h.tick(70);
        expect(fired).toEqual([{
            rule: 'queue_stuck', state: 'firing', severity: 'warning', value: 60, threshold: 60,
            message: 'queue stuck: 2 run(s) queued and none started for 60 s (threshold 60 s)', at: new Date(T0 + 70_000).toISOString(),
        }]);
        expect(h.tick(100)).toEqual([]);
        // a run starts: the queue moves again
        h.at(101);
        h.ev.onJobStarted();
        h.ev.setQueueDepth(1);
        expect(h.tick(102).map(e => [e.rule, e.state])).toEqual([['queue_stuck', 'resolved']]);
        // stuck again 60 s after that start
        expect(h.tick(160)).toEqual([]);
        expect(h.tick(161).map(e => e.state)).toEqual(['firing']);
        // the queue drains: resolved
        h.ev.setQueueDepth(0, T0 + 170_000);
        expect(h.tick(171).map(e => [e.state, e.value, e.message])).toEqual([['resolved', 0, 'queue is empty']]);
        // an empty queue is never stuck, however long nothing starts
        expect(h.tick(10_000)).toEqual([]);
        expect(h.events).toHaveLength(4);
    });

    it('queue_stuck counts from when the queue became non-empty, not from an old start', () => {
        const h = harness(config({ queue_stuck: { seconds: 60 }, run_failure_rate: { enabled: false }, daemon_memory: { enabled: false } }));
        h.ev.onJobStarted(T0);
        h.ev.setQueueDepth(0, T0);
        h.ev.setQueueDepth(1, T0 + 3600_000);
        expect(h.tick(3630)).toEqual([]);
        h.ev.setQueueDepth(3, T0 + 3640_000); // growing does not reset the clock
        expect(h.tick(3660).map(e => e.state)).toEqual(['firing']);
    });

    it('daemon_memory fires once above the limit and resolves below it', () => {
        const h = harness(config({ daemon_memory: { maxRssMiB: 512 }, run_failure_rate: { enabled: false }, queue_stuck: { enabled: false } }), 400);
        expect(h.tick(0)).toEqual([]);
        h.setRss(600);
        const fired = h.tick(15);
        expect(fired).toEqual([{
            rule: 'daemon_memory', state: 'firing', severity: 'critical', value: 600, threshold: 512,
            message: 'daemon resident memory 600 MiB > 512 MiB', at: new Date(T0 + 15_000).toISOString(),
        }]);
        h.setRss(700);
        expect(h.tick(30)).toEqual([]);
        h.setRss(512);
        expect(h.tick(45).map(e => [e.state, e.message])).toEqual([['resolved', 'daemon resident memory 512 MiB ≤ 512 MiB']]);
        expect(h.tick(60)).toEqual([]);
        expect(h.events.map(e => e.state)).toEqual(['firing', 'resolved']);
    });

    it('disabled rules never fire', () => {
        const h = harness(config({ daemon_memory: { enabled: false, maxRssMiB: 1 }, run_failure_rate: { enabled: false }, queue_stuck: { enabled: false } }), 4096);
        h.ev.setQueueDepth(5, T0);
        expect(h.tick(100_000)).toEqual([]);
    });

    it('logs each transition and sets af_alerts_firing', async () => {
        const tmp = tempDir();
        try {
            const logger = createLogger({ stateDir: tmp.dir });
            const metrics = createMetrics({ defaultMetrics: false });
            let rss = 3000 * MiB;
            const ev = new AlertEvaluator({ config: DEFAULT_ALERT_CONFIG, logger, metrics, now: () => T0, rssBytes: () => rss });
            const gauge = async (): Promise<number | undefined> => sampleValue(parsePrometheusText((await metrics.render()).body), 'af_alerts_firing', { rule: 'daemon_memory' });
            expect(await gauge()).toBe(0);
            ev.evaluate();
            ev.evaluate();
            expect(await gauge()).toBe(1);
            rss = 100 * MiB;
            ev.evaluate();
            expect(await gauge()).toBe(0);
            await closeLogger(logger);
            const lines = await readLogs(tmp.dir, { component: 'alerts' });
            expect(lines.map(l => [l.level, l.msg, l.fields['alert'], l.fields['state']])).toEqual([
                ['warn', 'alert firing: daemon resident memory 3000 MiB > 2048 MiB', 'daemon_memory', 'firing'],
                ['info', 'alert resolved: daemon resident memory 100 MiB ≤ 2048 MiB', 'daemon_memory', 'resolved'],
            ]);
            expect(lines[0]!.fields).toMatchObject({ severity: 'critical', value: 3000, threshold: 2048 });
        } finally {
            tmp.remove();
        }
    });

    it('start() evaluates on a timer; stop() ends it', () => {
        vi.useFakeTimers();
        try {
            let rss = 10 * MiB;
            const events: AlertEvent[] = [];
            const ev = new AlertEvaluator({ config: config({ daemon_memory: { maxRssMiB: 100 } }), rssBytes: () => rss });
            ev.on('alert', e => events.push(e));
            ev.start(1000);
            vi.advanceTimersByTime(1000);
            expect(events).toEqual([]);
            rss = 200 * MiB;
            vi.advanceTimersByTime(1000);
            expect(events.map(e => e.state)).toEqual(['firing']);
            ev.stop();
            rss = 10 * MiB;
            vi.advanceTimersByTime(5000);
            expect(events).toHaveLength(1);
        } finally {
            vi.useRealTimers();
        }
    });
});
