/**
 * The daemon's contract, as one import: transport, roles, errors, the JSON-RPC envelope, the
 * method table with every service's schemas, and the events. Conventions:
 * - Parameters are JSON-RPC by-name objects; unknown keys are refused (a typo is an error, not a no-op).
 * - Results are objects; clients ignore keys they do not know (a newer daemon may add some).
 * - Record times (created, started, …) are ISO 8601 UTC strings; bar times are epoch milliseconds.
 * - Numbers that may be NaN or infinite in the engine (metrics) are `number | null` on the wire.
 */
export * from '../transport.js';
export * from '../roles.js';
export * from '../errors.js';
export * from '../json-rpc.js';
export * from './fields.js';
export * from './method.js';
export * from './lang.js';
export * from './data.js';
export * from './hft.js';
export * from './runs.js';
export * from './experiments.js';
export * from './iam.js';
export * from './registry.js';
export * from './packs.js';
export * from './execution.js';
export * from './venue-keys.js';
export * from './methods.js';
export * from './events.js';
export * from '../dag-diff.js';
