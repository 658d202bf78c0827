/**
 * Methods that are part of the protocol but whose feature has not landed: they answer 501 with
 * what is missing (execution.*).
 */
import * as z from 'zod';
import { placeholder } from './method.js';
import { EmptyParams, Id, IsoTime } from './fields.js';

export const EXECUTION_PENDING = 'the execution gateway (paper and live trading behind risk checks) has no issue yet';

export const ExecutionStartParams = z.strictObject({
    runId: Id.describe('A promoted run: its strategy, parameters and universe'),
    account: z.string().min(1).max(128).optional(),
    capital: z.number().positive().optional(),
});
export const DeploymentSchema = z.object({
    id: z.string(),
    mode: z.enum(['paper', 'live']),
    runId: z.string(),
    state: z.enum(['starting', 'running', 'stopping', 'stopped', 'failed']),
    startedAt: IsoTime,
});


export const PLACEHOLDERS_METHODS = {
    'execution.paper.start': placeholder('trader', 'Start paper trading a promoted run.', EXECUTION_PENDING,
        ExecutionStartParams, z.object({ deployment: DeploymentSchema })),
    'execution.live.start': placeholder('trader', 'Start live trading a promoted run (behind the risk checks).', EXECUTION_PENDING,
        ExecutionStartParams, z.object({ deployment: DeploymentSchema })),
    'execution.stop': placeholder('trader', 'Stop a paper or live deployment.', EXECUTION_PENDING,
        z.strictObject({ id: Id }), z.object({ deployment: DeploymentSchema })),
    'execution.list': placeholder('viewer', 'Paper and live deployments.', EXECUTION_PENDING,
        EmptyParams, z.object({ deployments: z.array(DeploymentSchema) })),
} as const;
