/**
 * Alert rules, read from `<state dir>/alerts.json` (written with the defaults when missing):
 *
 *   {
 *     "evaluateEverySeconds": 15,
 *     "rules": {
 *       "run_failure_rate": { "enabled": true, "severity": "warning", "threshold": 0.5, "windowSeconds": 900, "minRuns": 5 },
 *       "queue_stuck":      { "enabled": true, "severity": "warning", "seconds": 600 },
 *       "daemon_memory":    { "enabled": true, "severity": "critical", "maxRssMiB": 2048 }
 *     }
 *   }
 *
 * - run_failure_rate fires when, over the last `windowSeconds`, failed / (completed + failed) ≥
 *   `threshold` and at least `minRuns` runs completed or failed. Cancelled runs are a user's
 *   decision, neither success nor failure, and are not counted.
 * - queue_stuck fires when the queue is not empty and no run has started for `seconds` (counted
 *   from the later of the last start and the moment the queue became non-empty).
 * - daemon_memory fires when the daemon's resident set size exceeds `maxRssMiB`.
 *
 * Every field is optional (defaults fill in); unknown fields are errors, so typos do not pass silently.
 *
 * The `AlertEvaluator` is fed by the orchestrator (`onRunFinished`, `onJobStarted`,
 * `setQueueDepth`) and evaluated periodically (`start()`, or `evaluate(now)` with an injected
 * clock in tests). It emits one `alert` event per transition (firing → resolved and back, never
 * repeated while the state holds), logs it, and sets `af_alerts_firing{rule}`. The gateway
 * forwards `alert` events to WebSocket subscribers.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Logger } from 'pino';
import { z } from 'zod';
import { type Metrics } from './metrics.js';

export const ALERTS_FILE = 'alerts.json';
export const ALERT_RULES = ['run_failure_rate', 'queue_stuck', 'daemon_memory'] as const;
export type AlertRuleName = (typeof ALERT_RULES)[number];
export type AlertSeverity = 'warning' | 'critical';

const enabled = z.boolean().default(true);
const severity = (d: AlertSeverity) => z.enum(['warning', 'critical']).default(d);

const RunFailureRateSchema = z.strictObject({
    enabled,
    severity: severity('warning'),
    threshold: z.number().gt(0, 'must be a fraction > 0 and ≤ 1, e.g. 0.5').lte(1, 'must be a fraction > 0 and ≤ 1, e.g. 0.5').default(0.5),
    windowSeconds: z.number().int('must be a whole number of seconds').positive('must be > 0').default(900),
    minRuns: z.number().int('must be a whole number').min(1, 'must be ≥ 1').default(5),
});
const QueueStuckSchema = z.strictObject({
    enabled,
    severity: severity('warning'),
    seconds: z.number().positive('must be > 0').default(600),
});
const DaemonMemorySchema = z.strictObject({
    enabled,
    severity: severity('critical'),
    maxRssMiB: z.number().positive('must be > 0').default(2048),
});

export const AlertConfigSchema = z.strictObject({
    evaluateEverySeconds: z.number().positive('must be > 0').default(15),
    rules: z.strictObject({
        run_failure_rate: RunFailureRateSchema.prefault({}),
        queue_stuck: QueueStuckSchema.prefault({}),
        daemon_memory: DaemonMemorySchema.prefault({}),
    }).prefault({}),
});

export type AlertConfig = z.output<typeof AlertConfigSchema>;
/** The config as written in the file (every field optional). */
export type AlertConfigInput = z.input<typeof AlertConfigSchema>;

export const DEFAULT_ALERT_CONFIG: AlertConfig = AlertConfigSchema.parse({});

const ALLOWED_KEYS: Record<string, readonly string[]> = {
    '': ['evaluateEverySeconds', 'rules'],
    'rules': ALERT_RULES,
    'rules.run_failure_rate': Object.keys(RunFailureRateSchema.shape),
    'rules.queue_stuck': Object.keys(QueueStuckSchema.shape),
    'rules.daemon_memory': Object.keys(DaemonMemorySchema.shape),
};

export interface AlertConfigIssue {
    /** Dotted path of the field, e.g. `rules.queue_stuck.seconds` (`(top level)` for the whole file). */
    path: string;
    message: string;
}

/** alerts.json is unreadable or invalid; `message` names the file and every bad field. */
export class AlertConfigError extends Error {
    constructor(readonly file: string, readonly issues: readonly AlertConfigIssue[]) {
        super(`${file}: ${issues.map(i => `${i.path}: ${i.message}`).join('; ')} (fix the file, or delete it to get the defaults)`);
        this.name = 'AlertConfigError';
    }
}

/** Parse and validate the text of an alerts.json; `source` names it in errors. */
export function parseAlertConfig(text: string, source = ALERTS_FILE): AlertConfig {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new AlertConfigError(source, [{ path: '(top level)', message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` }]);
    }
    const result = AlertConfigSchema.safeParse(raw);
    if (result.success) return result.data;
    const issues: AlertConfigIssue[] = [];
    for (const issue of result.error.issues) {
        const base = issue.path.map(String).join('.');
        if (issue.code === 'unrecognized_keys') {
            const allowed = ALLOWED_KEYS[base];
            for (const key of issue.keys) {
                issues.push({ path: base ? `${base}.${key}` : key, message: `unknown field${allowed ? ` (expected one of: ${allowed.join(', ')})` : ''}` });
            }
        } else {
            issues.push({ path: base || '(top level)', message: issue.message });
        }
    }
    throw new AlertConfigError(source, issues);
}

/** Path of alerts.json in a state directory. */
export function alertConfigPath(stateDir: string): string {
    return join(stateDir, ALERTS_FILE);
}

/** Read `<stateDir>/alerts.json`, writing the defaults there first when it does not exist. */
export function loadAlertConfig(stateDir: string): AlertConfig {
    const file = alertConfigPath(stateDir);
    let text: string;
    try {
        text = readFileSync(file, 'utf8');
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new AlertConfigError(file, [{ path: '(top level)', message: `cannot read: ${(e as Error).message}` }]);
        mkdirSync(dirname(file), { recursive: true });
        text = JSON.stringify(DEFAULT_ALERT_CONFIG, null, 2) + '\n';
        try {
            writeFileSync(file, text, { flag: 'wx' });
        } catch (w) {
            if ((w as NodeJS.ErrnoException).code !== 'EEXIST') throw w;
            text = readFileSync(file, 'utf8'); // written concurrently by someone else
        }
    }
    return parseAlertConfig(text, file);
}

export type AlertState = 'firing' | 'resolved';

export interface AlertEvent {
    rule: AlertRuleName;
    state: AlertState;
    severity: AlertSeverity;
    message: string;
    /** The measured value: failure fraction, seconds without a start, or RSS in MiB. */
    value: number;
    /** The configured threshold, in the same unit as `value`. */
    threshold: number;
    /** ISO time of the evaluation that saw the transition. */
    at: string;
}

export type RunFinishOutcome = 'completed' | 'failed' | 'cancelled';

export interface AlertEvaluatorOptions {
    config?: AlertConfig;
    /** Clock in epoch ms. Default Date.now. */
    now?: () => number;
    /** Resident set size in bytes. Default process.memoryUsage.rss. */
    rssBytes?: () => number;
    /** Transitions are logged here (component `alerts`): firing at warn, resolved at info. */
    logger?: Logger;
    /** Sets `af_alerts_firing{rule}`. */
    metrics?: Pick<Metrics, 'alertsFiring'>;
}

type Time = number | Date;
const ms = (t: Time): number => (typeof t === 'number' ? t : t.getTime());
const MiB = 1024 * 1024;

interface Measurement { firing: boolean; value: number; threshold: number; message: string }

function pct(x: number): string {
    return `${(x * 100).toFixed(x * 100 % 1 === 0 ? 0 : 1)}%`;
}

function duration(seconds: number): string {
    if (seconds < 120) return `${Math.round(seconds)} s`;
    if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
    return `${(seconds / 3600).toFixed(1)} h`;
}

export class AlertEvaluator extends EventEmitter<{ alert: [AlertEvent] }> {
    readonly config: AlertConfig;
    private readonly clock: () => number;
    private readonly rssBytes: () => number;
    private readonly logger: Logger | undefined;
    private readonly metrics: Pick<Metrics, 'alertsFiring'> | undefined;
    /** Finished runs in the window: [time, failed?]; cancelled runs are not kept. */
    private finished: { at: number; failed: boolean }[] = [];
    private lastStartAt: number | undefined;
    private depth = 0;
    private nonEmptySince: number | undefined;
    private readonly active = new Map<AlertRuleName, AlertEvent>();
    private timer: NodeJS.Timeout | undefined;

    constructor(options: AlertEvaluatorOptions = {}) {
        super();
        this.config = options.config ?? DEFAULT_ALERT_CONFIG;
        this.clock = options.now ?? Date.now;
        this.rssBytes = options.rssBytes ?? (() => process.memoryUsage.rss());
        this.logger = options.logger?.child({ component: 'alerts' });
        this.metrics = options.metrics;
        for (const rule of ALERT_RULES) if (this.config.rules[rule].enabled) this.metrics?.alertsFiring.set({ rule }, 0);
    }

    /** A run reached a final state. */
    onRunFinished(outcome: RunFinishOutcome, at: Time = this.clock()): void {
        if (outcome === 'cancelled') return;
        this.finished.push({ at: ms(at), failed: outcome === 'failed' });
    }

    /** A queued run started. */
    onJobStarted(at: Time = this.clock()): void {
        const t = ms(at);
        this.lastStartAt = this.lastStartAt === undefined ? t : Math.max(this.lastStartAt, t);
    }

    /** The number of queued runs changed. */
    setQueueDepth(depth: number, at: Time = this.clock()): void {
        if (depth > 0 && this.depth <= 0) this.nonEmptySince = ms(at);
        if (depth <= 0) this.nonEmptySince = undefined;
        this.depth = depth;
    }

    /** Alerts currently firing (the event that started each). */
    firing(): AlertEvent[] {
        return [...this.active.values()];
    }

    /** Evaluate every enabled rule at `now`; emits and returns the transitions. */
    evaluate(now: Time = this.clock()): AlertEvent[] {
        const t = ms(now);
        const events: AlertEvent[] = [];
        for (const rule of ALERT_RULES) {
            const cfg = this.config.rules[rule];
            if (!cfg.enabled) continue;
            const m = this.measure(rule, t);
            const wasFiring = this.active.has(rule);
            if (m.firing === wasFiring) continue;
            const event: AlertEvent = {
                rule, state: m.firing ? 'firing' : 'resolved', severity: cfg.severity,
                message: m.message, value: m.value, threshold: m.threshold, at: new Date(t).toISOString(),
            };
            if (m.firing) this.active.set(rule, event);
            else this.active.delete(rule);
            this.metrics?.alertsFiring.set({ rule }, m.firing ? 1 : 0);
            this.log(event);
            events.push(event);
        }
        for (const event of events) this.emit('alert', event);
        return events;
    }

    /** Evaluate every `evaluateEverySeconds` (or `intervalMs`) on a timer that does not keep the process alive. */
    start(intervalMs: number = this.config.evaluateEverySeconds * 1000): void {
        this.stop();
        this.timer = setInterval(() => {
            try {
                this.evaluate();
            } catch (e) {
                this.logger?.error({ err: e }, 'alert evaluation failed');
            }
        }, intervalMs);
        this.timer.unref();
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }

    private log(event: AlertEvent): void {
        if (!this.logger) return;
        const fields = { alert: event.rule, state: event.state, severity: event.severity, value: event.value, threshold: event.threshold };
        if (event.state === 'resolved') this.logger.info(fields, `alert resolved: ${event.message}`);
        else this.logger.warn(fields, `alert firing: ${event.message}`);
    }

    private measure(rule: AlertRuleName, now: number): Measurement {
        switch (rule) {
            case 'run_failure_rate': {
                const cfg = this.config.rules.run_failure_rate;
                const from = now - cfg.windowSeconds * 1000;
                this.finished = this.finished.filter(r => r.at >= from);
                const inWindow = this.finished.filter(r => r.at <= now);
                const total = inWindow.length;
                const failed = inWindow.filter(r => r.failed).length;
                const rate = total === 0 ? 0 : failed / total;
                const firing = total >= cfg.minRuns && rate >= cfg.threshold;
                const window = duration(cfg.windowSeconds);
                const message = firing
                    ? `run failure rate ${pct(rate)} (${failed} of ${total} finished runs in the last ${window}) ≥ ${pct(cfg.threshold)}`
                    : total < cfg.minRuns
                        ? `run failure rate: only ${total} finished run(s) in the last ${window} (fewer than ${cfg.minRuns})`
                        : `run failure rate ${pct(rate)} (${failed} of ${total} finished runs in the last ${window}) < ${pct(cfg.threshold)}`;
                return { firing, value: rate, threshold: cfg.threshold, message };
            }
            case 'queue_stuck': {
                const cfg = this.config.rules.queue_stuck;
                if (this.depth <= 0 || this.nonEmptySince === undefined) {
                    return { firing: false, value: 0, threshold: cfg.seconds, message: 'queue is empty' };
                }
                const since = Math.max(this.nonEmptySince, this.lastStartAt ?? -Infinity);
                const waited = Math.max(0, (now - since) / 1000);
                const firing = waited >= cfg.seconds;
                const message = firing
                    ? `queue stuck: ${this.depth} run(s) queued and none started for ${duration(waited)} (threshold ${duration(cfg.seconds)})`
                    : `queue moving: ${this.depth} run(s) queued, last start ${duration(waited)} ago`;
                return { firing, value: waited, threshold: cfg.seconds, message };
            }
            case 'daemon_memory': {
                const cfg = this.config.rules.daemon_memory;
                const rss = Math.round((this.rssBytes() / MiB) * 10) / 10;
                const firing = rss > cfg.maxRssMiB;
                const message = `daemon resident memory ${rss} MiB ${firing ? '>' : '≤'} ${cfg.maxRssMiB} MiB`;
                return { firing, value: rss, threshold: cfg.maxRssMiB, message };
            }
        }
    }
}
