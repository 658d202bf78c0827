/**
 * The `queue` section of the configuration (team mode): runs' engine half on a BullMQ queue in
 * Redis, served by `af worker` processes on any host. Apart from the queue code so that reading the
 * configuration does not load BullMQ. Without this section the daemon runs everything in its own
 * worker threads (the embedded default).
 */
import { z } from 'zod';

export const QueueSettingsSchema = z.object({
    kind: z.literal('bullmq').describe('The queue implementation: bullmq (Redis).'),
    redis: z.string().regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:16379')
        .describe('The Redis server of the queue (redis://[user:password@]host:port[/db]).'),
    prefix: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -').optional()
        .describe('Prefix of the queue\'s Redis keys: daemons and workers of one deployment use the same (default: af).'),
    staging: z.string().min(1).optional()
        .describe('A folder the daemon and every worker can read and write (a shared file system): artifacts and large bar sets travel through it instead of Redis.'),
    lockMs: z.number().int().min(1000).max(600_000).optional()
        .describe('How long a worker\'s hold on a job lasts without renewal; a worker silent this long (killed, partitioned) has its job handed to another (default 30000).'),
    maxStalls: z.number().int().min(0).max(10).optional()
        .describe('Times a job may be handed on after its worker went silent before its run fails (default 2).'),
}).strict();

export type QueueSettings = z.infer<typeof QueueSettingsSchema>;

export const DEFAULT_QUEUE_PREFIX = 'af';
export const DEFAULT_LOCK_MS = 30_000;
export const DEFAULT_MAX_STALLS = 2;
/** The BullMQ queue runs go through. */
export const RUN_QUEUE = 'runs';

/** ioredis options from the URL (BullMQ takes options, not URLs); BullMQ requires maxRetriesPerRequest null for its blocking calls. */
export function redisOptions(url: string): { host: string; port: number; username?: string; password?: string; db?: number; tls?: object; maxRetriesPerRequest: null } {
    const u = new URL(url);
    const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
    return {
        host: u.hostname, port: u.port ? Number(u.port) : 6379,
        ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
        ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
        maxRetriesPerRequest: null,
    };
}
