/**
 * `af worker --config team.json [--concurrency N]`: a team-mode worker process (queue/worker.ts).
 * It needs the config file's `queue` section and nothing else of the daemon's: no store, no state
 * directory. Logs go to stderr as JSON lines (pino) with each run's id and trace id. SIGTERM or
 * SIGINT stop it after the jobs in hand; a second signal stops those too (BullMQ hands them on).
 */
import { availableParallelism } from 'node:os';
import { createLogger, type LogLevel } from '../../monitoring/logger.js';
import { CliError } from '../errors.js';
import { queueSettings } from './daemon.js';

export interface WorkerCommandOptions {
    concurrency?: number;
    runMemory?: number;
    logLevel?: LogLevel;
    /** The config file read (set by applyConfig). */
    configFile?: string;
}

export async function workerCommand(o: WorkerCommandOptions, out: (s: string) => void): Promise<number> {
    const settings = o.configFile ? queueSettings(o.configFile) : undefined;
    if (!settings) {
        throw new CliError(`af worker needs a config file with a queue section, e.g. { "queue": { "kind": "bullmq", "redis": "redis://127.0.0.1:16379" } }${o.configFile ? `; ${o.configFile} has none` : ' (give it with --config FILE)'} (docs/team-mode.md)`);
    }
    const logger = createLogger({ stderr: true, level: o.logLevel ?? 'info' });
    const { startQueueWorker } = await import('../../queue/worker.js');
    let worker;
    try {
        worker = await startQueueWorker({ settings, concurrency: o.concurrency ?? availableParallelism(), logger, ...(o.runMemory ? { memoryMb: o.runMemory } : {}) });
    } catch (e) {
        throw new CliError(`the worker cannot start: ${(e as Error).message.split('\n')[0]} (is Redis at ${settings.redis} running? npm run team:up starts one)`);
    }
    out(`af worker pulling runs from ${settings.redis} (prefix ${settings.prefix ?? 'af'})\n`);
    const w = worker;
    await new Promise<void>(resolve => {
        let signals = 0;
        const stop = (): void => {
            signals++;
            if (signals === 1) void w.close(false).then(resolve, resolve);
            else void w.close(true).then(resolve, resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
    });
    setTimeout(() => process.exit(0), 1000).unref();
    return 0;
}
