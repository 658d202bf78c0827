/**
 * Events the daemon publishes to WebSocket and gRPC subscribers: topics, the event shapes, the
 * session methods of a WebSocket (auth, subscribe) and the notification that carries events.
 */
import * as z from 'zod';
import { Count, IsoTime, PrincipalSchema } from './fields.js';
import { DeploymentEventSchema } from './execution.js';
import { LOG_LEVELS, RunStateSchema } from './runs.js';

/**
 * Topics a client subscribes to: `run:<id>` (lifecycle, progress and log events of one run),
 * `runs` (lifecycle and progress of every run of the caller's team; no logs), `alerts`, and
 * `deployment:<id>` (orders, fills, account, risk and state of one deployment: execution.events).
 */
export const TOPIC_RE = /^(?:run:[A-Za-z0-9_.:-]{1,128}|deployment:[A-Za-z0-9_.:-]{1,128}|runs|alerts)$/;
export const TopicSchema = z.string().regex(TOPIC_RE, 'a topic is run:<id>, deployment:<id>, runs or alerts');
export type Topic = `run:${string}` | `deployment:${string}` | 'runs' | 'alerts';
export const MAX_TOPICS = 256;

/** Run events carry their run's trace id, so a streamed event finds its trace (and `af logs --trace`). */
const RunTraceId = z.string().max(64).optional().describe('The run\'s trace id (runs.get → traceId): the submitting call\'s, continued from its traceparent when it had one');

export const RunLifecycleEventSchema = z.object({
    type: z.literal('lifecycle'),
    runId: z.string(),
    seq: Count.describe('The run\'s event sequence number'),
    ts: IsoTime,
    state: RunStateSchema.or(z.literal('promoted')),
    previous: RunStateSchema.nullable(),
    actor: z.string().describe('user name, or "system"'),
    message: z.string().nullable(),
    traceId: RunTraceId,
});
export const RunProgressEventSchema = z.object({
    type: z.literal('progress'),
    runId: z.string(),
    ts: IsoTime,
    done: z.number().min(0).max(1).describe('fraction done'),
    completed: Count.optional().describe('trials or bars done'),
    total: Count.optional(),
    message: z.string().optional(),
    traceId: RunTraceId,
});
export const RunLogEventSchema = z.object({
    type: z.literal('log'),
    runId: z.string(),
    seq: Count.describe('The line\'s sequence number (as in runs.logs)'),
    ts: IsoTime,
    level: z.enum(LOG_LEVELS),
    message: z.string(),
    traceId: RunTraceId,
});
export const AlertEventSchema = z.object({
    type: z.literal('alert'),
    ts: IsoTime.describe('evaluation that saw the transition'),
    rule: z.string().describe('alert rule, e.g. run_failure_rate, queue_stuck, daemon_memory'),
    state: z.enum(['firing', 'resolved']),
    severity: z.enum(['warning', 'critical']),
    message: z.string(),
    value: z.number().describe('the measured value'),
    threshold: z.number().describe('the configured threshold, same unit'),
});
/** Sent once when events had to be dropped for a slow consumer (progress first, then logs); re-read state with runs.get / runs.logs. */
export const LaggedEventSchema = z.object({
    type: z.literal('lagged'),
    ts: IsoTime,
    dropped: Count,
    droppedProgress: Count,
    droppedLogs: Count,
    runIds: z.array(z.string()).describe('Runs some of whose events were dropped'),
});

/** What the daemon publishes. */
export const DaemonEventSchema = z.discriminatedUnion('type', [RunLifecycleEventSchema, RunProgressEventSchema, RunLogEventSchema, AlertEventSchema, DeploymentEventSchema]);
export type DaemonEvent = z.infer<typeof DaemonEventSchema>;
/** What a subscriber receives: the daemon's events and the lag notice. */
export const StreamEventSchema = z.discriminatedUnion('type', [RunLifecycleEventSchema, RunProgressEventSchema, RunLogEventSchema, AlertEventSchema, DeploymentEventSchema, LaggedEventSchema]);
export type StreamEvent = z.infer<typeof StreamEventSchema>;
export type LaggedEvent = z.infer<typeof LaggedEventSchema>;

/** The topics an event is delivered on. */
export function topicsOf(event: DaemonEvent): Topic[] {
    switch (event.type) {
        case 'lifecycle':
        case 'progress': return [`run:${event.runId}`, 'runs'];
        case 'log': return [`run:${event.runId}`];
        case 'alert': return ['alerts'];
        case 'deployment': return [`deployment:${event.deploymentId}`];
    }
}

/**
 * Methods of a WebSocket session besides the table's: authentication by first message (when
 * the upgrade request carried no token) and event subscriptions. Events arrive as JSON-RPC
 * notifications `{"jsonrpc":"2.0","method":"event","params":<StreamEvent>}`.
 */
export const WS_METHODS = {
    auth: {
        description: 'Authenticate the session with a bearer token (first message, unless the upgrade request had `Authorization: Bearer` or `?token=`).',
        params: z.strictObject({ token: z.string().min(1).max(4096) }),
        result: z.object({ principal: PrincipalSchema }),
    },
    'events.subscribe': {
        description: 'Add topics: `run:<id>`, `deployment:<id>`, `runs`, `alerts`. Returns every topic of the session.',
        params: z.strictObject({ topics: z.array(TopicSchema).min(1).max(MAX_TOPICS) }),
        result: z.object({ topics: z.array(z.string()) }),
    },
    'events.unsubscribe': {
        description: 'Remove topics (all when `topics` is left out). Returns the topics left.',
        params: z.strictObject({ topics: z.array(TopicSchema).max(MAX_TOPICS).optional() }),
        result: z.object({ topics: z.array(z.string()) }),
    },
} as const;
export type WsMethodName = keyof typeof WS_METHODS;

/** The JSON-RPC method of event notifications. */
export const EVENT_NOTIFICATION = 'event';
export const EventNotificationSchema = z.object({ jsonrpc: z.literal('2.0'), method: z.literal(EVENT_NOTIFICATION), params: StreamEventSchema });
