/**
 * Monitoring of the daemon: Prometheus metrics, health/readiness, structured logs, trace ids and
 * alert rules. `createMonitoring` wires them together the way the daemon uses them; each piece can
 * also be used alone.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { AlertEvaluator, loadAlertConfig, type AlertConfig } from './alerts.js';
import { Readiness, createHealthHandlers, type HttpHandler } from './health.js';
import { closeLogger, createLogger, type LogLevel, type Logger } from './logger.js';
import { createMetrics, createMetricsHandler, type Metrics } from './metrics.js';

export * from './alerts.js';
export * from './health.js';
export * from './logger.js';
export * from './logs.js';
export * from './metrics.js';
export * from './trace.js';

export interface MonitoringOptions {
    /** State directory: logs go to `<stateDir>/logs/daemon.log`, alert rules come from `<stateDir>/alerts.json`. */
    stateDir: string;
    logLevel?: LogLevel;
    /** Also log to stderr. */
    stderr?: boolean;
    /** Alert rules to use instead of reading alerts.json. */
    alertConfig?: AlertConfig;
    /** Clock for the alert evaluator (epoch ms). */
    now?: () => number;
    /** Collect default process metrics. Default true. */
    defaultMetrics?: boolean;
}

export interface Monitoring {
    metrics: Metrics;
    readiness: Readiness;
    /** Root logger; error-level lines count in `af_errors_total{component}`. */
    logger: Logger;
    alerts: AlertEvaluator;
    /** node:http handlers for the gateway to mount at /metrics, /healthz and /readyz. */
    handlers: {
        metrics: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
        healthz: HttpHandler;
        readyz: HttpHandler;
    };
    /** Start periodic alert evaluation. */
    start(): void;
    /** Stop alert evaluation and close the log file. */
    close(): Promise<void>;
}

/** Build the daemon's monitoring. Throws `AlertConfigError` when alerts.json is invalid. */
export function createMonitoring(options: MonitoringOptions): Monitoring {
    const alertConfig = options.alertConfig ?? loadAlertConfig(options.stateDir);
    const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
    const logger = createLogger({
        stateDir: options.stateDir,
        ...(options.logLevel ? { level: options.logLevel } : {}),
        stderr: options.stderr ?? false,
        onError: component => metrics.countError(component),
    });
    const readiness = new Readiness();
    const alerts = new AlertEvaluator({ config: alertConfig, logger, metrics, ...(options.now ? { now: options.now } : {}) });
    const { healthz, readyz } = createHealthHandlers(readiness);
    return {
        metrics, readiness, logger, alerts,
        handlers: { metrics: createMetricsHandler(metrics), healthz, readyz },
        start() { alerts.start(); },
        async close() {
            alerts.stop();
            await closeLogger(logger);
        },
    };
}
